"""Pausing Python's cycle collector while a graph is built and used.

CPython frees most objects by reference counting, the moment the last reference
goes. Its cycle collector is a second mechanism for objects that refer to each other
in a loop. It runs every few hundred new container objects and then examines every
object it tracks, which in the middle of a training step means the whole graph being
built, over and over again.

A tracegrad graph cannot hold a cycle: a node refers only to its parents, which
existed before it. Reference counting alone frees it, so those collections find
nothing. Pausing automatic collection for the duration of a step saves their cost
(from about a sixth of a fused MLP step to over half of a graph of binary ops).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Switch off automatic cycle collection inside the block, then restore it.

    Use it around code that builds and discards a large graph, such as one training
    step. Keep the graph's lifetime inside the block where you can (compute in a
    function and return plain numbers): what is still alive on exit gets examined by
    the next collection after all. On exit the collector's previous state comes back
    (also when the block raises), and blocks nest. Nothing is collected explicitly:
    cycles that the block itself created are found by the next automatic collection,
    as they would have been.

    Example:
        >>> import gc
        >>> from engine import Value, collector_paused
        >>> x = Value(3.0)
        >>> with collector_paused():
        ...     y = x * x + x
        ...     gc.isenabled()
        False
        >>> gc.isenabled()
        True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
