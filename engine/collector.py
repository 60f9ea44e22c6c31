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
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# The collector is one switch for the whole process, so the pause is counted across
# threads: the first block to start switches it off (remembering whether it was on),
# the last block to end puts it back. Blocks may end in any order.
_lock = threading.Lock()
_active = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Switch off automatic cycle collection inside the block, then restore it.

    Use it around code that builds and discards a large graph, such as one training
    step. Keep the graph's lifetime inside the block where you can (compute in a
    function and return plain numbers): what is still alive on exit gets examined by
    the next collection after all. Nothing is collected explicitly: cycles that the
    block itself created are found by the next automatic collection, as they would
    have been.

    Python has one collector for the whole process, so the pause is counted: blocks
    nest, may overlap across threads and end in any order, and the collector comes
    back on (if it was on before the first block) when the last block ends, also when
    a block raises. Inside a generator, prefer pausing around each step to a block
    that stays open across a `yield`.

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
    global _active, _was_enabled
    with _lock:
        if _active == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _was_enabled:
                gc.enable()
