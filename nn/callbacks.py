"""Hooks into `fit`: code of your own that runs after each batch and each epoch.

A callback is an object with any of the methods below; `fit(..., callbacks=[...])`
calls them in order. Each gets the `History` so far, and can keep numbers of its own
in it with `history.record(name, value)` (a parameter's trajectory, say).

- `on_batch_end(history, epoch, batch, loss)`: after each optimizer step.
- `on_epoch_end(history, epoch)`: after each epoch's loss, accuracy and validation
  metrics are in the History; return True to stop training.

`EarlyStopping` is one (what `early_stopping=` makes), `Record` another.

    >>> import nn
    >>> X, y = nn.blobs(20, seed=0)
    >>> model = nn.MLP(2, [1], seed=0)
    >>> bias = model.parameters()[-1]
    >>> h = nn.fit(model, X, y, loss="hinge", epochs=3, progress=False,
    ...            callbacks=[nn.Record("bias", lambda: bias.data)])
    >>> len(h.records["bias"])
    3
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nn.history import History

__all__ = ["Callback", "EarlyStopping", "Record"]


class Callback:
    """The hooks `fit` calls; override those you need (each does nothing here)."""

    def on_batch_end(self, history: History, epoch: int, batch: int, loss: float) -> None:
        """After the optimizer step of batch `batch` (0-based) of epoch `epoch`."""

    def on_epoch_end(self, history: History, epoch: int) -> bool | None:
        """After epoch `epoch` (0-based) is in `history`; return True to stop training."""
        return None


class EarlyStopping(Callback):
    """Stop once the monitored loss has not improved for `patience` epochs.

    Args:
        patience: how many epochs without a new best to allow (>= 1).
        monitor: "loss" (the training loss) or "val_loss" (needs `validation_data`).

    Raises:
        TypeError, ValueError: for a patience that is not an int >= 1, or another monitor.
    """

    def __init__(self, patience: int, monitor: str = "loss") -> None:
        if isinstance(patience, bool) or not isinstance(patience, int):
            raise TypeError(f"Invalid patience: {patience!r} (expected an int >= 1)")
        if patience < 1:
            raise ValueError(f"Invalid patience: {patience!r} (expected patience >= 1)")
        if monitor not in ("loss", "val_loss"):
            raise ValueError(f"Invalid monitor: {monitor!r} (expected 'loss' or 'val_loss')")
        self.patience, self.monitor = patience, monitor

    def on_epoch_end(self, history: History, epoch: int) -> bool:
        """True once the best epoch is `patience` epochs back."""
        seen: list[float] = getattr(history, self.monitor)
        if not seen:
            raise ValueError("EarlyStopping(monitor='val_loss') needs fit(validation_data=...)")
        best = seen.index(min(seen))
        return len(seen) - 1 - best >= self.patience


class Record(Callback):
    """Record `value()` in `history.records[name]` after every epoch (or batch).

    Args:
        name: the key in `history.records`.
        value: a function of no arguments returning what to keep (`lambda: w.data`).
        every: "epoch" or "batch".
    """

    def __init__(self, name: str, value: Callable[[], Any], every: str = "epoch") -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"Invalid name: {name!r} (expected a non-empty str)")
        if not callable(value):
            raise TypeError(f"Invalid value: {value!r} (expected a function of no arguments)")
        if every not in ("epoch", "batch"):
            raise ValueError(f"Invalid every: {every!r} (expected 'epoch' or 'batch')")
        self.name, self.value, self.every = name, value, every

    def on_batch_end(self, history: History, epoch: int, batch: int, loss: float) -> None:
        """Keep the value after each batch when `every="batch"`."""
        if self.every == "batch":
            history.record(self.name, self.value())

    def on_epoch_end(self, history: History, epoch: int) -> None:
        """Keep the value after each epoch when `every="epoch"`."""
        if self.every == "epoch":
            history.record(self.name, self.value())


class StopWhen(Callback):
    """Stop when `should_stop(history)` returns True (`early_stopping=` a function)."""

    def __init__(self, should_stop: Callable[[History], bool]) -> None:
        self.should_stop = should_stop

    def on_epoch_end(self, history: History, epoch: int) -> bool:
        """What the function says."""
        return bool(self.should_stop(history))
