"""tracegrad's engine: scalar `Value` nodes, the ops on them and the backward pass.

Only the standard library is imported here, so `import engine` is instant.

Example:
    >>> from engine import Value
    >>> x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
    >>> f = ((x + y) + (x * y)) * z
    >>> f.backward()
    >>> f.data, x.grad, y.grad, z.grad
    (44.0, 16.0, 12.0, 11.0)
"""

from engine.checking import GradcheckError, GradcheckReport, gradcheck
from engine.collector import collector_paused
from engine.grad_mode import is_grad_enabled, no_grad
from engine.matvec import matvec, matvec_batch
from engine.nary import dot, sum
from engine.optable import OPS, OPS_BY_NAME, Domain, OpSpec
from engine.value import Value

__all__ = [
    "OPS",
    "OPS_BY_NAME",
    "Domain",
    "GradcheckError",
    "GradcheckReport",
    "OpSpec",
    "Value",
    "collector_paused",
    "dot",
    "gradcheck",
    "is_grad_enabled",
    "matvec",
    "matvec_batch",
    "no_grad",
    "sum",
]
