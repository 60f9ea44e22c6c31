"""no_grad() belongs to the thread; collector_paused() is counted. Neither leaks."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

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
