"""no_grad() belongs to the thread; collector_paused() is counted. Neither leaks."""

from __future__ import annotations

import asyncio
import gc
import inspect
import threading
from collections.abc import AsyncIterator, Iterator

import pytest

import nn
from engine import Value, collector_paused, is_grad_enabled, no_grad


def test_no_grad_blocks_that_end_out_of_order_leave_recording_on() -> None:
    first, second = no_grad(), no_grad()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the outer block ends first
    assert not is_grad_enabled()  # the inner one is still open
    second.__exit__(None, None, None)
    assert is_grad_enabled()
    assert (Value(2.0) * Value(3.0)).parents


def test_no_grad_restores_recording_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("boom")
    assert is_grad_enabled()


def test_no_grad_decorates_functions_with_and_without_parentheses() -> None:
    @no_grad()
    def square(v: Value) -> Value:
        assert not is_grad_enabled()
        return v * v

    @no_grad
    def cube(v: Value) -> Value:
        return v * v * v

    x = Value(3.0)
    assert square(x).parents == () and cube(x).parents == ()
    assert is_grad_enabled() and square.__name__ == "square"


def test_no_grad_on_a_generator_applies_only_while_it_runs() -> None:
    seen: list[bool] = []

    @no_grad()
    def squares(xs: list[Value]) -> Iterator[Value]:
        for x in xs:
            seen.append(is_grad_enabled())
            yield x * x
        return None

    gen = squares([Value(1.0), Value(2.0)])
    first = next(gen)
    assert is_grad_enabled()  # suspended at a yield: the caller records again
    recorded = Value(2.0) * Value(2.0)
    second = next(gen)
    assert seen == [False, False]
    assert first.parents == () and second.parents == () and recorded.parents
    with pytest.raises(StopIteration):
        next(gen)
    assert is_grad_enabled()


def test_no_grad_generator_passes_send_and_throw_through() -> None:
    @no_grad()
    def echo() -> Iterator[object]:
        got = yield "ready"
        try:
            yield (got, is_grad_enabled())
        except KeyError:
            yield "caught"

    gen = echo()
    assert next(gen) == "ready"
    assert gen.send(5) == (5, False)
    assert gen.throw(KeyError("k")) == "caught"
    gen.close()
    assert is_grad_enabled()


def test_no_grad_in_one_thread_never_changes_another_threads_graph() -> None:
    inside, outside = threading.Event(), threading.Event()
    results: dict[str, bool] = {}

    def inference() -> None:
        with no_grad():
            inside.set()
            outside.wait(5)
            results["inference records"] = bool((Value(1.0) * Value(2.0)).parents)

    worker = threading.Thread(target=inference)
    worker.start()
    inside.wait(5)
    results["main records"] = bool((Value(1.0) * Value(2.0)).parents)
    outside.set()
    worker.join(5)
    assert results == {"main records": True, "inference records": False}


def test_training_and_predicting_in_two_threads_equal_running_them_alone() -> None:
    X, labels = nn.moons(60, seed=3)
    y = [2 * t - 1 for t in labels]  # 0/1 -> -1/+1 for one output

    def train() -> tuple[list[float], float]:
        model = nn.MLP(2, [8, 1], seed=0)
        h = nn.fit(
            model,
            X,
            y,
            loss="hinge",
            epochs=15,
            optimizer=nn.Adam(model.parameters(), lr=0.05),
            progress=False,
        )
        return h.loss, nn.accuracy(model, X, y)

    predictor = nn.MLP(2, [8, 1], seed=1)
    alone_train = train()
    alone_predict = nn.predict(predictor, X)

    out: dict[str, object] = {}
    stop = threading.Event()

    def keep_predicting() -> None:
        while not stop.is_set():
            out["predict"] = nn.predict(predictor, X)

    other = threading.Thread(target=keep_predicting)
    other.start()
    try:
        together_train = train()
    finally:
        stop.set()
        other.join(10)
    assert together_train == alone_train
    assert out["predict"] == alone_predict


def test_collector_paused_blocks_that_overlap_restore_the_collector_once_all_end(
    collector_enabled: None,
) -> None:
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # out of order
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_collector_paused_keeps_a_disabled_collector_disabled(collector_enabled: None) -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
    gc.enable()


def test_collector_paused_across_threads_is_counted(collector_enabled: None) -> None:
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with collector_paused():
            entered.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    entered.wait(5)
    with collector_paused():
        pass
    assert not gc.isenabled()  # the other thread's block is still open
    release.set()
    worker.join(5)
    assert gc.isenabled()


# ------------------------------------------------- contexts: asyncio tasks (issue 24)


def _records() -> bool:
    return bool((Value(1.0) * Value(2.0)).parents)


def test_a_task_made_inside_no_grad_follows_its_own_context_whatever_other_threads_do() -> None:
    inside, leave = threading.Event(), threading.Event()

    def other_thread() -> None:
        with no_grad():
            inside.set()
            leave.wait(5)

    async def work(seen: list[bool]) -> None:
        seen.append(_records())  # the block that made the task has ended by now
        worker = threading.Thread(target=other_thread)
        worker.start()
        inside.wait(5)
        seen.append(_records())  # another thread is inside no_grad
        leave.set()
        worker.join(5)
        seen.append(_records())

    async def main() -> tuple[list[bool], list[bool], bool]:
        quiet: list[bool] = []
        loud: list[bool] = []
        with no_grad():
            task = asyncio.create_task(work(quiet))
        await task
        inside.clear()
        leave.clear()
        await asyncio.create_task(work(loud))
        return quiet, loud, _records()

    quiet, loud, after = asyncio.run(main())
    assert quiet == [False, False, False]  # the task copied the context of the block
    assert loud == [True, True, True] and after


def test_no_grad_in_one_task_never_changes_another_tasks_graph() -> None:
    async def quiet(gate: asyncio.Event, seen: list[bool]) -> None:
        with no_grad():
            gate.set()
            await asyncio.sleep(0.01)
            seen.append(_records())

    async def loud(gate: asyncio.Event, seen: list[bool]) -> None:
        await gate.wait()
        seen.append(_records())

    async def main() -> list[bool]:
        gate, seen = asyncio.Event(), []
        await asyncio.gather(quiet(gate, seen), loud(gate, seen))
        return seen

    assert asyncio.run(main()) == [True, False]


def test_no_grad_decorates_coroutine_functions() -> None:
    @no_grad()
    async def square(v: Value) -> tuple[Value, bool]:
        await asyncio.sleep(0)
        return v * v, is_grad_enabled()

    async def main() -> tuple[Value, bool, bool]:
        y, enabled = await square(Value(3.0))
        return y, enabled, _records()

    y, enabled, after = asyncio.run(main())
    assert y.data == 9.0 and y.parents == () and not enabled and after
    assert inspect.iscoroutinefunction(square) and square.__name__ == "square"


def test_no_grad_on_an_async_generator_applies_only_while_it_runs() -> None:
    @no_grad
    async def squares(xs: list[Value]) -> AsyncIterator[Value]:
        for x in xs:
            await asyncio.sleep(0)
            got = yield x * x
            assert got in (None, "sent") and not is_grad_enabled()

    async def main() -> tuple[list[Value], list[bool]]:
        gen = squares([Value(1.0), Value(2.0), Value(3.0)])
        out, between = [await gen.__anext__()], [_records()]
        out.append(await gen.asend("sent"))
        between.append(_records())
        async for y in gen:
            out.append(y)
            between.append(_records())
        return out, between

    out, between = asyncio.run(main())
    assert [y.data for y in out] == [1.0, 4.0, 9.0] and all(y.parents == () for y in out)
    assert between == [True, True, True] and inspect.isasyncgenfunction(squares)


def test_no_grad_on_a_callable_that_returns_a_coroutine_or_generator_covers_its_run() -> None:
    async def body() -> bool:
        await asyncio.sleep(0)
        return is_grad_enabled()

    def items() -> Iterator[bool]:
        yield is_grad_enabled()

    later = no_grad()(lambda: body())
    gen = no_grad()(lambda: items())
    assert asyncio.run(later()) is False
    assert list(gen()) == [False] and is_grad_enabled()


def test_no_grad_refuses_what_it_cannot_decorate() -> None:
    with pytest.raises(TypeError, match="not classes"):
        no_grad()(Value)
    with pytest.raises(TypeError, match="function"):
        no_grad()(3)  # type: ignore[type-var]
