"""Training an MLP for the command line and the demo, and writing its files."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any

from viz.cli.usage import UsageError, shown, undone_on_failure

MLP_FILES = ("model.json", "history.json", "decision_boundary.png", "training_curves.png")


def format_weights(weights: Sequence[Any]) -> str:
    """Weights (a row, or rows) with 4 significant digits, as the notes write them.

    >>> format_weights([-1.0, 0.30000000000000004]), format_weights([[1.0], [2.5]])
    ('[-1, 0.3]', '[[1], [2.5]]')
    """
    from viz.style import fmt

    if weights and isinstance(weights[0], Sequence):
        return "[" + ", ".join(format_weights(row) for row in weights) + "]"
    return "[" + ", ".join(fmt(float(w)) for w in weights) + "]"


def class_indices(y: Sequence[Hashable]) -> tuple[list[int], list[Hashable]]:
    """Map labels to 0..k-1 (sorted), as a k-output network's cross-entropy needs.

    >>> class_indices([1, -1, 1])
    ([1, 0, 1], [-1, 1])
    """
    distinct = set(y)
    if all(isinstance(c, int | float) for c in distinct):
        classes: list[Hashable] = sorted(distinct, key=float)  # type: ignore[arg-type]
    else:
        classes = sorted(distinct, key=repr)
    index = {c: i for i, c in enumerate(classes)}
    return [index[c] for c in y], classes


def train_mlp(
    X: list[list[float]],
    labels: Sequence[Hashable],
    out: Path,
    *,
    name: str,
    hidden: Sequence[int],
    activation: str = "tanh",
    epochs: int = 100,
    optimizer: str = "adam",
    lr: float | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    resolution: int = 80,
    say: Callable[[str], None] = print,
    progress: bool | None = None,
    look: dict[str, Any] | None = None,
    dpi: float = 120,
) -> list[Path]:
    """Train an MLP on 2-D data and write its files (`MLP_FILES`); returns the paths written.

    The files are written only after training and both plots succeeded, each whole or
    not at all (see `nn.files`). `look` holds the plots' theme, fontsize and title
    (None: the defaults); `dpi` is the PNGs' resolution. The progress bar shows by
    default only when stderr is a terminal.

    Raises:
        UsageError: if training overflows or its loss stops being a finite number.
    """
    from nn import MLP, fit
    from nn.files import atomic_path, write_text
    from nn.optim import make_optimizer
    from viz.plots import plot_decision_boundary, plot_history

    y, classes = class_indices(labels)
    model = MLP(len(X[0]), [*hidden, len(classes)], activation=activation, seed=seed)
    opt = make_optimizer(optimizer, model.parameters(), lr)
    say(f"training {model!r} on {name} ({len(X)} points) with {optimizer}")
    if progress is None:
        progress = sys.stderr.isatty()
    try:
        history = fit(
            model,
            X,
            y,
            optimizer=opt,
            epochs=epochs,
            batch_size=batch_size,
            seed=seed,
            progress=progress,
        )
    except ArithmeticError as e:
        raise UsageError(f"training diverged: {e}; try a smaller --lr") from None
    if not all(math.isfinite(x) for x in history.loss):
        raise UsageError(
            f"training diverged: the loss became {history.loss[-1]!r}; try a smaller --lr"
        )
    from nn import accuracy

    say(f"final loss {history.loss[-1]:.4f}, training accuracy {accuracy(model, X, y):.3f}")
    names = {i: str(c) for i, c in enumerate(classes)}
    look = dict(look or {})
    title = look.pop("title", None)
    look = {k: v for k, v in look.items() if v is not None}
    fig = plot_decision_boundary(
        model,
        X,
        y,
        resolution=resolution,
        title=title or f"MLP on {name}",
        class_names=names,
        **look,
    )
    curves = plot_history(history, title=title or f"training on {name}", **look)
    written = [out / file for file in MLP_FILES]
    with undone_on_failure(written, out):
        out.mkdir(parents=True, exist_ok=True)
        model.save(written[0])
        write_text(
            written[1],
            json.dumps({"loss": history.loss, "accuracy": history.accuracy}, indent=1) + "\n",
        )
        with atomic_path(written[2]) as tmp:
            fig.savefig(tmp, dpi=dpi)
        with atomic_path(written[3]) as tmp:
            curves.savefig(tmp, dpi=dpi)
    for path in written:
        say(f"wrote {shown(path)}")
    return written
