"""`History`: what `fit` records, epoch by epoch, and what its callbacks keep."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["History"]


@dataclass
class History:
    """What `fit` recorded, one entry per epoch.

    `loss` is the mean loss and `accuracy` the fraction classified correctly over
    the epoch's forward passes (each point as the model stood when its batch was
    seen; with full-batch training that is the model at the start of the epoch).
    This costs no extra forward pass; call `nn.accuracy` for the final model.

    Example:
        >>> h = History(loss=[0.9, 0.4], accuracy=[0.5, 0.75])
        >>> h.epochs, h.stopped_early
        (2, False)
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    stopped_early: bool = False
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    records: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def epochs(self) -> int:
        """The number of epochs run."""
        return len(self.loss)

    def record(self, name: str, value: Any) -> None:
        """Append `value` to `records[name]` (what a callback keeps, see nn.callbacks)."""
        self.records.setdefault(name, []).append(value)
