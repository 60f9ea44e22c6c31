"""tracegrad's engine: scalar `Value` nodes, the op registry and the backward pass.

Only the standard library is imported here, so `import engine` is instant.

- `engine.value`: `Value`, its arithmetic and `backward()` (read this first).
- `engine.ops`: the op registry (`OPS`, `OPS_BY_NAME`, `define_op`) and the built-in
  one-input ops.
- `engine.fast`: fused `sum`/`dot`, whole-layer `matvec`, the float path.
- `engine.checks`: the input checks every package shares.
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

import engine.display  # noqa: F401 - attaches Value._repr_mimebundle_ (rich display)
from engine.codegen import compile, to_source
from engine.collector import collector_paused
from engine.fast import dot, matvec, matvec_batch, sum
from engine.finite_differences import GradcheckError, GradcheckReport, gradcheck
from engine.grad_mode import is_grad_enabled, no_grad
from engine.ops import OPS, OPS_BY_NAME, Domain, Op, define_op
from engine.value import Value
from engine.walk import GradientAccumulationWarning

__all__ = [
    "OPS",
    "OPS_BY_NAME",
    "Domain",
    "GradcheckError",
    "GradcheckReport",
    "GradientAccumulationWarning",
    "Op",
    "Value",
    "collector_paused",
    "compile",
    "define_op",
    "dot",
    "gradcheck",
    "is_grad_enabled",
    "matvec",
    "matvec_batch",
    "no_grad",
    "sum",
    "to_source",
]
