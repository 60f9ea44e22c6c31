"""Switching graph recording off, per thread: `no_grad()`.

Whether ops record the graph belongs to the thread (and the asyncio task) that runs
them, as in torch: one thread's `no_grad()` never changes what another thread builds.
The state is a count of the `no_grad` blocks active here, so blocks that end in any
order leave recording on once the last of them has ended.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Generator
from contextvars import ContextVar
from types import TracebackType
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

# How many no_grad blocks are active in the current thread (context), and, so that ops
# can skip even that per-thread read in the usual case, how many are active in all
# threads together. An op records unless `ACTIVE[0] and no_grad_depth()`.
_NO_GRAD_DEPTH: ContextVar[int] = ContextVar("tracegrad_no_grad_depth", default=0)
no_grad_depth = _NO_GRAD_DEPTH.get
ACTIVE = [0]
_lock = threading.Lock()


def is_grad_enabled() -> bool:
    """Return True when ops in this thread record their parents and local derivatives.

    >>> is_grad_enabled()
    True
    """
    return not (ACTIVE[0] and no_grad_depth())


class no_grad:
    """Compute values without recording the graph, in this thread only.

    Inside the block every op returns a plain leaf `Value`: no parents, no local
    derivatives, nothing for `backward()` to walk. Use it for inference and for
    optimizer updates. Other threads keep recording. Blocks nest and may end in any
    order; recording is back on once the last one has ended, also when a block raises.

    It also decorates a function (`@no_grad()` or `@no_grad`). On a generator
    function it applies only while the generator runs, never while it is suspended
    at a `yield`, so the caller between two `next()` calls keeps recording. (A
    `with no_grad():` block written inside a generator stays active while the
    generator is suspended there: use the decorator for generators.)

    Example:
        >>> from engine import Value, no_grad
        >>> x = Value(3.0)
        >>> with no_grad():
        ...     y = x * x
        >>> y.data, y.parents
        (9.0, ())
        >>> @no_grad()
        ... def square(v):
        ...     return v * v
        >>> square(x).parents
        ()
    """

    def __new__(cls, func: Any = None) -> Any:
        self = super().__new__(cls)
        if func is None:
            return self
        if not callable(func):
            raise TypeError(f"no_grad() takes no argument or a function to decorate, got {func!r}")
        return self(func)  # bare @no_grad

    def __enter__(self) -> None:
        with _lock:
            ACTIVE[0] += 1
        _NO_GRAD_DEPTH.set(no_grad_depth() + 1)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        depth = no_grad_depth()
        if depth:  # an __exit__ without its __enter__ changes nothing
            _NO_GRAD_DEPTH.set(depth - 1)
            with _lock:
                ACTIVE[0] -= 1

    def __call__(self, func: F) -> F:
        """Decorate `func` so that it runs without recording (see the class doc)."""
        if inspect.isgeneratorfunction(func):

            @functools.wraps(func)
            def generator(*args: Any, **kwargs: Any) -> Any:
                return (yield from _each_step_without_grad(func(*args, **kwargs)))

            return generator  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with no_grad():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def _each_step_without_grad(gen: Generator[Any, Any, Any]) -> Generator[Any, Any, Any]:
    """Drive `gen`, with recording off only while its own code runs."""
    resume: Callable[..., Any] = gen.send
    message: Any = None
    while True:
        try:
            with no_grad():
                item = resume(message)
        except StopIteration as stop:
            return stop.value
        try:
            message = yield item
            resume = gen.send
        except GeneratorExit:
            with no_grad():
                gen.close()
            raise
        except BaseException as error:  # thrown in by the caller: pass it on
            resume, message = gen.throw, error
