"""What the playground's page asks Python (in Pyodide) to do, as JSON in and JSON out.

The page's JavaScript calls `explain` when the expression or an input changes and a
`Training` for the network panel. Both return plain dicts of numbers and text, so the
page never holds a Python object but the one `Training`; both also run under CPython,
where the tests call them directly. Nothing here reads a file or the network: the
expression goes through the command line's parser (`viz.cli.expr`), which parses it
and never runs it as Python.

Every failure the user can cause comes back as `{"ok": False, "error": "one line"}`,
which the page shows in place of its results.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from engine.codegen import graph_source
from engine.grad_mode import no_grad
from viz import style
from viz.cli.commands import CLASSES, load_training_data
from viz.cli.expr import ExpressionError, build_expression, input_names
from viz.cli.usage import UsageError, parse_sizes
from viz.draw import draw_graph
from viz.page import frame_sources
from viz.steps import step_through
from viz.walk import DEFAULT_MAX_NODES, GraphTooLargeError, walk

__all__ = ["DATASETS", "FIGURE_5", "Training", "explain"]

FIGURE_5 = {"expr": "h = x + y; i = x * y; f = (h + i) * z", "x": "2", "y": "3", "z": "4"}
"""What the page opens on: Figure 5 of the notes, f = (x + y + x*y) * z at 2, 3, 4."""

MAX_STEP_NODES = 60  # a step-through of more nodes is more frames than a student steps through
MAX_INPUTS = 26


def explain(expression: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Compute `expression` at `values`, run backward() and describe everything the page shows.

    Args:
        expression: the text typed, e.g. "h = x + y; i = x * y; f = (h + i) * z".
        values: a number (or the text of one) for each input; an input with none is 1,
            and values for names the expression does not use are left out.

    Returns:
        {"ok": True, "inputs": [{"name", "value", "grad"}], "value", "dot", "steps":
        [{"dot", "caption", "phase"}], "code", "values": {name: text}}; or
        {"ok": False, "error": one line, "inputs": names or []}.

    Example:
        >>> r = explain(FIGURE_5["expr"], {"x": 2, "y": 3, "z": 4})
        >>> r["value"], [i["grad"] for i in r["inputs"]]
        (44.0, [16.0, 12.0, 11.0])
    """
    names: list[str] = []
    try:
        names = input_names(expression)
        if len(names) > MAX_INPUTS:
            raise ExpressionError(f"the expression reads {len(names)} inputs; at most {MAX_INPUTS}")
        numbers = {name: _number(name, values.get(name, 1.0)) for name in names}
        root, leaves = build_expression(expression, numbers)
        _check_size(root)
        if not math.isfinite(root.data):
            raise ExpressionError(f"the value is {root.data!r}: try more moderate inputs")
        root.backward()
        for name, leaf in leaves.items():
            if not math.isfinite(leaf.grad):
                raise ExpressionError(f"d/d{name} is {leaf.grad!r}: try more moderate inputs")
        return {
            "ok": True,
            "inputs": [{"name": n, "value": v.data, "grad": v.grad} for n, v in leaves.items()],
            "values": {n: _text(v.data) for n, v in leaves.items()},
            "value": root.data,
            "dot": draw_graph(root).source,
            "steps": frames(root),
            "code": graph_source(root, list(leaves.values())),
        }
    except (ExpressionError, ValueError, TypeError, ArithmeticError, RecursionError) as e:
        return {"ok": False, "error": _one_line(e), "inputs": names}


def frames(root: Any) -> list[dict[str, str]]:
    """The step-through of the graph ending at `root` (backward() already run), as JSON."""
    return [
        {"dot": f["dots"]["LR"], "caption": f["caption"], "phase": f["phase"]}
        for f in frame_sources(step_through(root), ["LR"])
    ]


def _check_size(root: Any) -> None:
    try:
        walk(root, max_nodes=min(DEFAULT_MAX_NODES, MAX_STEP_NODES))
    except GraphTooLargeError:
        raise ExpressionError(
            f"the expression makes more than {MAX_STEP_NODES} nodes: too many to step "
            "through here; try a shorter one"
        ) from None


def _number(name: str, given: object) -> float:
    """`given` (a number or its text) as a finite float, or an error naming the input."""
    if isinstance(given, bool):
        raise ExpressionError(f"the value of {name} must be a number, got {given!r}")
    if isinstance(given, str):
        text = given.strip()
        try:
            number = float(text)
        except ValueError:
            raise ExpressionError(
                f"the value of {name} is not a number: {style.visible(text)[:40]!r}"
            ) from None
    elif isinstance(given, int | float):
        number = float(given)
    else:
        raise ExpressionError(f"the value of {name} must be a number, got {type(given).__name__}")
    if not math.isfinite(number):
        raise ExpressionError(f"the value of {name} must be finite, got {number!r}")
    return number


def _text(x: float) -> str:
    return repr(x)[:-2] if x.is_integer() and abs(x) < 1e16 else repr(x)


def _one_line(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return " ".join(style.visible(text).split())


# --- the network panel -------------------------------------------------------------------


DATASETS = tuple(CLASSES)
"""The 2-D data sets the panel offers (those of `tracegrad train --data`)."""

ACTIVATIONS = ("tanh", "relu")
MAX_POINTS = 400
MAX_HIDDEN = 32


class Training:
    """A small MLP learning a 2-D data set, a few epochs per call, as the page draws it.

    Every step is a full-batch step of generated code (`nn.compile_step`, the same
    numbers as `backward()` on the graph) with Adam. The same arguments give the same
    floats on every run.

    Args:
        dataset: one of `DATASETS`.
        samples: how many points (2 to 400).
        hidden: the hidden layers' widths, e.g. [8, 8] (1 to 3 layers of 1 to 32).
        activation: "tanh" or "relu".
        lr: Adam's learning rate (0 < lr <= 1).
        seed: seeds the data and the initial weights.

    Raises:
        ValueError: for any argument out of range, naming it.
    """

    def __init__(
        self,
        dataset: str = "moons",
        samples: int = 100,
        hidden: Any = (8, 8),
        activation: str = "tanh",
        lr: float = 0.05,
        seed: int = 0,
    ) -> None:
        from nn import MLP, compile_step
        from nn.optim import Adam
        from viz.cli.training import class_indices

        if dataset not in DATASETS:
            raise ValueError(f"dataset: expected one of {', '.join(DATASETS)}, got {dataset!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"activation: expected one of {', '.join(ACTIVATIONS)}, got {activation!r}"
            )
        samples = _whole(samples, "samples", 4, MAX_POINTS)
        seed = _whole(seed, "seed", 0, 2**31 - 1)
        widths = [_whole(w, "hidden", 1, MAX_HIDDEN) for w in _sizes(hidden)]
        if not 1 <= len(widths) <= 3:
            raise ValueError(f"hidden: expected 1 to 3 layer widths, got {len(widths)}")
        if not (isinstance(lr, int | float) and 0 < lr <= 1):
            raise ValueError(f"lr: expected a learning rate above 0 and at most 1, got {lr!r}")
        X, labels = load_training_data(dataset, samples, seed)
        self.X = [[float(a), float(b)] for a, b in X]
        self.y, classes = class_indices(labels)
        self.classes = len(classes)
        self.model = MLP(2, [*widths, self.classes], activation=activation, seed=seed)
        self.optimizer = Adam(self.model.parameters(), lr=float(lr))
        self._step = compile_step(self.model, loss="cross_entropy", example=self.X[0])
        self.epoch = 0
        self.losses: list[float] = []

    def points(self) -> dict[str, Any]:
        """The data: {"X": [[x, y], ...], "y": [class index, ...], "classes": k}."""
        return {"X": self.X, "y": self.y, "classes": self.classes}

    def run(self, epochs: int = 1) -> dict[str, Any]:
        """Train `epochs` more epochs; returns {"epoch", "loss", "accuracy", "losses"}.

        Raises:
            ValueError: for an epoch count outside 1..1000, or a loss that stops being
                finite (then lower the learning rate).
        """
        epochs = _whole(epochs, "epochs", 1, 1000)
        correct = 0
        for _ in range(epochs):
            loss, correct = self._step(self.X, self.y, self.optimizer)
            self.epoch += 1
            self.losses.append(loss)
        return {
            "epoch": self.epoch,
            "loss": self.losses[-1],
            "accuracy": correct / len(self.X),
            "losses": self.losses,
        }

    def regions(self, n: int = 40) -> dict[str, Any]:
        """The predicted class on an `n` x `n` grid over the data (rows from the bottom).

        Returns:
            {"bounds": [x0, x1, y0, y1], "n": n, "classes": [[k, ...], ...]}.
        """
        from nn.metrics import predict

        n = _whole(n, "n", 2, 200)
        xs = [p[0] for p in self.X]
        ys = [p[1] for p in self.X]
        pad_x = (max(xs) - min(xs)) * 0.1 or 1.0
        pad_y = (max(ys) - min(ys)) * 0.1 or 1.0
        x0, x1 = min(xs) - pad_x, max(xs) + pad_x
        y0, y1 = min(ys) - pad_y, max(ys) + pad_y
        grid = [
            [x0 + (x1 - x0) * (i + 0.5) / n, y0 + (y1 - y0) * (j + 0.5) / n]
            for j in range(n)
            for i in range(n)
        ]
        with no_grad():
            labels = predict(self.model, grid)
        rows = [[int(k) for k in labels[j * n : (j + 1) * n]] for j in range(n)]
        return {"bounds": [x0, x1, y0, y1], "n": n, "classes": rows}


def _sizes(hidden: Any) -> list[Any]:
    """Layer widths from text such as "8,8" (read as the command line's --hidden) or a list."""
    if isinstance(hidden, str):
        try:
            return parse_sizes(hidden.replace(" ", ""), "hidden")
        except UsageError as e:
            raise ValueError(str(e)) from None
    return list(hidden)


def _whole(x: Any, name: str, low: int, high: int) -> int:
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    if isinstance(x, bool) or not isinstance(x, int) or not low <= x <= high:
        raise ValueError(f"{name}: expected a whole number from {low} to {high}, got {x!r}")
    return x
