"""tracegrad's engine: scalar `Value` nodes, the op registry and the backward pass.

Only the standard library is imported here, so `import engine` is instant.

- `engine.value`: `Value`, its arithmetic and `backward()` (read this first).
- `engine.ops`: the op registry (`OPS`, `OPS_BY_NAME`, `define_op`) and the built-in
  one-input ops.
- `engine.fast`: fused `sum`/`dot`, whole-layer `matvec`, the float path.
- `engine.checks`: the input checks every package shares.
- `engine.derivatives`: `grad` (also of gradients), `hessian`, `hvp`, `vjp`;
  `engine.forward_mode`: `jvp` with dual numbers.
- `engine.finite_differences`: `gradcheck`; `engine.strategies`: hypothesis strategies.
- `engine.codegen`: backprop as code, `to_source` and `compile`.

Example:
    >>> from engine import Value
    >>> x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
    >>> f = ((x + y) + (x * y)) * z
    >>> f.backward()
    >>> f.data, x.grad, y.grad, z.grad
    (44.0, 16.0, 12.0, 11.0)
"""

from engine.codegen import compile as compile
from engine.codegen import to_source
from engine.collector import collector_paused
from engine.derivatives import grad, hessian, hvp, vjp
from engine.fast import matvec, matvec_batch
from engine.finite_differences import GradcheckError, GradcheckReport, gradcheck
from engine.forward_mode import Dual, jvp
from engine.fused import dot
from engine.fused import sum as sum
from engine.grad_mode import is_grad_enabled, no_grad
from engine.ops import OPS, OPS_BY_NAME, Domain, Op, define_op
from engine.value import Value
from engine.walk import GradientAccumulationWarning

# `sum` and `compile` are left out of `__all__` on purpose: `from engine import *`
# must not shadow Python's built-ins of those names (use `engine.sum`, `engine.compile`).
__all__ = [
    "OPS",
    "OPS_BY_NAME",
    "Domain",
    "Dual",
    "GradcheckError",
    "GradcheckReport",
    "GradientAccumulationWarning",
    "Op",
    "Value",
    "collector_paused",
    "define_op",
    "dot",
    "grad",
    "gradcheck",
    "hessian",
    "hvp",
    "is_grad_enabled",
    "jvp",
    "matvec",
    "matvec_batch",
    "no_grad",
    "to_source",
    "vjp",
]
