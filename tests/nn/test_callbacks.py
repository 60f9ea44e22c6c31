"""fit's hooks: callbacks after each batch and epoch, what they record, validation metrics."""

from __future__ import annotations

import math
from typing import Any

import pytest

import nn
from nn import MLP, EarlyStopping, History, Record, fit
from nn.callbacks import Callback
from nn.data import blobs


def _data() -> tuple[list[list[float]], list[int]]:
    return blobs(24, seed=1)


class Counter(Callback):
    def __init__(self) -> None:
        self.batches: list[tuple[int, int, float]] = []
        self.epochs: list[int] = []

    def on_batch_end(self, history: History, epoch: int, batch: int, loss: float) -> None:
        self.batches.append((epoch, batch, loss))

    def on_epoch_end(self, history: History, epoch: int) -> bool | None:
        self.epochs.append(epoch)
        assert history.epochs == epoch + 1  # the epoch is in the History already
        return None


def test_hooks_run_after_every_batch_and_every_epoch() -> None:
    X, y = _data()
    counter = Counter()
    fit(
        MLP(2, [1], seed=0),
        X,
        y,
        loss="hinge",
        epochs=3,
        batch_size=8,
        progress=False,
        callbacks=[counter],
    )
    assert counter.epochs == [0, 1, 2]
    assert [(e, b) for e, b, _ in counter.batches] == [(e, b) for e in range(3) for b in range(3)]
    assert all(math.isfinite(loss) for _, _, loss in counter.batches)


def test_record_keeps_a_parameters_trajectory_per_epoch_and_per_batch() -> None:
    X, y = _data()
    model = MLP(2, [1], seed=0)
    w = model.parameters()[0]
    seen: list[float] = []

    class Spy(Callback):
        def on_epoch_end(self, history: History, epoch: int) -> None:
            seen.append(w.data)

    history = fit(
        model,
        X,
        y,
        loss="cross_entropy",
        epochs=4,
        batch_size=12,
        progress=False,
        callbacks=[
            Record("w", lambda: w.data),
            Record("w per batch", lambda: w.data, every="batch"),
            Spy(),
        ],
    )
    assert history.records["w"] == seen and len(seen) == 4
    assert len(history.records["w per batch"]) == 8
    assert history.records["w per batch"][1::2] == seen  # the last batch of each epoch
    assert len(set(seen)) > 1  # it moved


def test_a_callback_returning_true_stops_training_and_every_hook_still_runs() -> None:
    X, y = _data()
    counter = Counter()

    class StopAtOne(Callback):
        def on_epoch_end(self, history: History, epoch: int) -> bool:
            return epoch == 1

    history = fit(
        MLP(2, [1], seed=0),
        X,
        y,
        loss="hinge",
        epochs=10,
        progress=False,
        callbacks=[StopAtOne(), counter],
    )
    assert history.epochs == 2 and history.stopped_early
    assert counter.epochs == [0, 1]


def test_early_stopping_int_is_the_early_stopping_callback() -> None:
    X, y = _data()

    def run(**kw: Any) -> History:
        return fit(
            MLP(2, [4, 1], seed=3), X, y, loss="hinge", epochs=60, lr=2.0, progress=False, **kw
        )

    a, b = run(early_stopping=2), run(callbacks=[EarlyStopping(2)])
    assert a.loss == b.loss and a.stopped_early == b.stopped_early


def test_validation_data_gives_validation_metrics_each_epoch() -> None:
    X, y = _data()
    X_val, y_val = blobs(10, seed=7)
    model = MLP(2, [1], seed=0)
    history = fit(
        model, X, y, loss="hinge", epochs=3, progress=False, validation_data=(X_val, y_val)
    )
    assert len(history.val_loss) == len(history.val_accuracy) == 3
    assert history.val_accuracy[-1] == nn.accuracy(model, X_val, y_val)
    losses = [nn.hinge(model(x)[0], t).data for x, t in zip(X_val, y_val)]
    assert history.val_loss[-1] == pytest.approx(sum(losses) / len(losses), rel=1e-12)


def test_early_stopping_can_watch_the_validation_loss() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match="needs fit\\(validation_data"):
        fit(
            MLP(2, [1], seed=0),
            X,
            y,
            loss="hinge",
            epochs=2,
            progress=False,
            callbacks=[EarlyStopping(1, monitor="val_loss")],
        )


@pytest.mark.parametrize(
    ("callbacks", "error", "match"),
    [
        (Counter(), TypeError, "expected a list of callbacks"),
        ([object()], TypeError, r"Invalid callbacks\[0\]"),
        ("abc", TypeError, "expected a list of callbacks"),
    ],
)
def test_bad_callbacks_are_refused_by_name(callbacks: Any, error: type, match: str) -> None:
    X, y = _data()
    with pytest.raises(error, match=match):
        fit(MLP(2, [1], seed=0), X, y, epochs=1, progress=False, callbacks=callbacks)


@pytest.mark.parametrize(
    ("data", "match"), [((1, 2, 3), "expected a pair"), (([[1.0, 2.0]], [1, -1]), "1 points")]
)
def test_bad_validation_data_is_refused(data: Any, match: str) -> None:
    X, y = _data()
    with pytest.raises((TypeError, ValueError), match=match):
        fit(MLP(2, [1], seed=0), X, y, loss="hinge", epochs=1, progress=False, validation_data=data)
