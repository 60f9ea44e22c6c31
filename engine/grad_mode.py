"""Switching graph recording on and off.

Recording is a single module-level flag rather than a thread-local: tracegrad is a
teaching engine that runs on one thread, and a global read is the cheapest check we
can put on every op.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

# Read by every op in engine.value; kept in a one-element list so the ops can see
# changes without a `global` statement in each of them.
_RECORDING = [True]


def is_grad_enabled() -> bool:
    """Return True when ops record their parents and local derivatives.

    >>> is_grad_enabled()
    True
    """
    return _RECORDING[0]


@contextmanager
def no_grad() -> Iterator[None]:
    """Compute values without recording the graph.

    Inside the block every op returns a plain leaf `Value`: no parents, no local
    derivatives, nothing for `backward()` to walk. Use it for inference, for the
    perceptron's classify step and for optimizer updates. Blocks nest, and the
    previous state comes back even when the block raises.

    Example:
        >>> from engine import Value, no_grad
        >>> x = Value(3.0)
        >>> with no_grad():
        ...     y = x * x
        >>> y.data, y.parents
        (9.0, ())
    """
    previous = _RECORDING[0]
    _RECORDING[0] = False
    try:
        yield
    finally:
        _RECORDING[0] = previous
