"""Switching graph recording off, per thread and per asyncio task: `no_grad()`.

Whether ops record the graph belongs to the context that runs them, as `contextvars`
define it: each thread has its own, as in torch, so one thread's `no_grad()` never
changes what another thread builds, and an asyncio task runs in a copy of the context
it was created in (a task made inside `with no_grad():` never records, even after the
block has ended; one made outside records while another task is inside a block).
The state is a count of the `no_grad` blocks active here, so blocks that end in any
order leave recording on once the last of them has ended.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import AsyncGenerator, Callable, Coroutine, Generator
from contextvars import ContextVar
from types import TracebackType
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

# The no_grad blocks active in the current context (thread or asyncio task): None, or
# a _Depth holding their count. A context copied while a block is active (a task made
# inside `with no_grad():`) holds the same _Depth, so recording there follows that copy
# exactly, whatever other contexts do. So that ops can skip even the context read in
# the usual case, ACTIVE[0] counts the _Depth objects alive anywhere: an op records
# unless `ACTIVE[0] and no_grad_depth()`. A _Depth dies with the last context holding
# it, so the count can be above the truth for a while, never below it.
_NO_GRAD_DEPTH: ContextVar[_Depth | None] = ContextVar("tracegrad_no_grad_depth", default=None)
no_grad_depth = _NO_GRAD_DEPTH.get
ACTIVE = [0]
_lock = threading.RLock()  # reentrant: a _Depth may die while this thread holds it


class _Depth:
    """How many no_grad blocks are active in the contexts that hold this object."""

    __slots__ = ("count",)

    def __init__(self, count: int) -> None:
        self.count = count
        with _lock:
            ACTIVE[0] += 1

    def __del__(self) -> None:
        with _lock:
            ACTIVE[0] -= 1


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

    It also decorates a function (`@no_grad()` or `@no_grad`): a plain function, an
    `async def` (recording is off in the awaiting task while its body runs, awaits
    included), a generator or an async generator function (off only while the
    generator runs, never while it is suspended at a `yield`, so the caller between
    two items keeps recording), or any callable; a generator or coroutine that a
    plain callable returns is covered while it runs too. A class is refused
    (decorate its methods). (A `with no_grad():` block written inside a generator
    stays active while the generator is suspended there: use the decorator.)

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
        depth = no_grad_depth()
        _NO_GRAD_DEPTH.set(_Depth(depth.count + 1 if depth else 1))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        depth = no_grad_depth()
        if depth:  # an __exit__ without its __enter__ changes nothing
            _NO_GRAD_DEPTH.set(_Depth(depth.count - 1) if depth.count > 1 else None)

    def __call__(self, func: F) -> F:
        """Decorate `func` so that it runs without recording (see the class doc)."""
        if isinstance(func, type):
            raise TypeError(
                f"no_grad() decorates functions, not classes: decorate the methods of "
                f"{func.__name__} instead"
            )
        if not callable(func):
            raise TypeError(f"no_grad() decorates a function, got {func!r}")
        if inspect.isgeneratorfunction(func):

            @functools.wraps(func)
            def generator(*args: Any, **kwargs: Any) -> Any:
                return (yield from _each_step_without_grad(func(*args, **kwargs)))

            return generator  # type: ignore[return-value]
        if inspect.isasyncgenfunction(func):
            return _async_generator_without_grad(func)  # type: ignore[return-value]
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def coroutine(*args: Any, **kwargs: Any) -> Any:
                with no_grad():  # the awaiting task's context: no other task sees it
                    return await func(*args, **kwargs)

            return coroutine  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with no_grad():
                result = func(*args, **kwargs)
            return _later_without_grad(result)

        return wrapper  # type: ignore[return-value]


def _later_without_grad(result: Any) -> Any:
    """A generator, coroutine or async generator that a plain callable returned (a
    lambda or a partial around one) runs after the call: wrap it so that it, too,
    runs without recording. Anything else is returned as it is."""
    if inspect.isgenerator(result):
        return _each_step_without_grad(result)
    if inspect.iscoroutine(result):
        return _awaited_without_grad(result)
    if inspect.isasyncgen(result):
        return _async_generator_without_grad(lambda: result)()
    return result


async def _awaited_without_grad(coroutine: Coroutine[Any, Any, Any]) -> Any:
    with no_grad():
        return await coroutine


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


def _async_generator_without_grad(
    func: Callable[..., AsyncGenerator[Any, Any]],
) -> Callable[..., AsyncGenerator[Any, Any]]:
    """`func`, an async generator function, with recording off only while its own code
    runs: between two items the caller (in the same task) records as usual."""

    @functools.wraps(func)
    async def async_generator(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
        gen = func(*args, **kwargs)
        resume: Callable[..., Any] = gen.asend
        message: Any = None
        while True:
            try:
                with no_grad():
                    item = await resume(message)
            except StopAsyncIteration:
                return
            try:
                message = yield item
                resume = gen.asend
            except GeneratorExit:
                with no_grad():
                    await gen.aclose()
                raise
            except BaseException as error:  # thrown in by the caller: pass it on
                resume, message = gen.athrow, error

    return async_generator
