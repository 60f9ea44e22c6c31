"""Plots with matplotlib: decision boundaries and training curves.

Functions return a `matplotlib.figure.Figure` built without pyplot, so nothing is
shown or kept in a global state: save it with `fig.savefig(path)`, or let a notebook
display it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from engine import Value, no_grad
from engine.checks import sign

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Colour-blind friendly (Okabe-Ito) colours and markers, one per class.
CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def _figure(n_axes: int = 1, size: tuple[float, float] = (6.0, 5.0)) -> Figure:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(
            "plots need matplotlib, a dependency of tracegrad: pip install matplotlib"
        ) from None
    fig = Figure(figsize=size, layout="constrained")
    fig.subplots(1, n_axes)
    return fig


def predictor(model: Any) -> Callable[[list[list[float]]], tuple[list[Hashable], list[float]]]:
    """Turn a model into a function from points to (predicted labels, scores).

    Accepted models: anything with `predict(X)` (the perceptrons), an `nn` Module or
    any callable taking one point and returning a number, a Value or a list of them.
    One output gives +1 where it is >= 0, else -1 (like `nn.predict`); several give
    the index of the largest. The scores are the single output of a binary model
    (for two outputs, the second minus the first), and an empty list otherwise.

    Raises:
        TypeError: if the model is neither.

    Example:
        >>> predict = predictor(lambda p: p[0] - p[1])
        >>> predict([[2.0, 1.0], [0.0, 3.0]])
        ([1, -1], [1.0, -3.0])
    """
    if hasattr(model, "predict") and hasattr(model, "decision_function"):

        def from_estimator(points: list[list[float]]) -> tuple[list[Hashable], list[float]]:
            labels = list(model.predict(points))
            scores = model.decision_function(points)
            binary = bool(scores) and isinstance(scores[0], int | float)
            return labels, [float(s) for s in scores] if binary else []

        return from_estimator
    if not callable(model):
        raise TypeError(
            f"model must have predict() and decision_function() or be callable on one point, "
            f"got {model!r}"
        )

    def from_callable(points: list[list[float]]) -> tuple[list[Hashable], list[float]]:
        labels: list[Hashable] = []
        scores: list[float] = []
        with no_grad():
            for p in points:
                out = model(p)
                outs = list(out) if isinstance(out, list | tuple) else [out]
                xs = [o.data if isinstance(o, Value) else float(o) for o in outs]
                if len(xs) == 1:
                    scores.append(xs[0])
                    labels.append(sign(xs[0]))
                else:
                    if len(xs) == 2:
                        scores.append(xs[1] - xs[0])  # > 0 exactly where class 1 wins
                    labels.append(max(range(len(xs)), key=xs.__getitem__))
        return labels, scores

    return from_callable


def plot_decision_boundary(
    model: Any,
    X: Sequence[Sequence[float]],
    y: Sequence[Hashable],
    *,
    resolution: int = 80,
    padding: float = 0.5,
    title: str | None = None,
    class_names: Mapping[Any, str] | None = None,
) -> Figure:
    """Plot a model's decision regions over 2-D data, with the data on top.

    Works for the perceptron (its straight line), an MLP (a curve) and multiclass
    models (one coloured region per class). Where the model has a single score, its
    zero line is drawn as the boundary.

    Args:
        model: see `predictor`.
        X: the points, two features each.
        y: their labels. With 0/1 labels and a single-output model, a prediction
            of -1 is drawn as class 0.
        resolution: grid points per axis (the model runs resolution² times).
        padding: margin around the data, in data units.
        title: the axes' title.
        class_names: legend names for labels (default: the labels themselves).

    Returns:
        The figure.

    Raises:
        ValueError: for empty data, points without exactly 2 features, mismatched
            lengths or a resolution outside 2..500.

    Example:
        >>> fig = plot_decision_boundary(lambda p: p[0] + p[1] - 1, [[0, 0], [1, 1]], [-1, 1],
        ...                              resolution=10)
        >>> fig.axes[0].get_xlabel()
        'feature 1'
    """
    points = [[float(a) for a in p] for p in X]
    if not points:
        raise ValueError("X is empty: nothing to plot")
    bad = next((p for p in points if len(p) != 2), None)
    if bad is not None:
        raise ValueError(f"decision boundaries need 2 features per point, got {bad!r}")
    if len(points) != len(y):
        raise ValueError(f"X has {len(points)} points but y has {len(y)} labels")
    if isinstance(resolution, bool) or not isinstance(resolution, int):
        raise TypeError(f"resolution must be an int, got {resolution!r}")
    if not 2 <= resolution <= 500:
        raise ValueError(f"resolution must be from 2 to 500, got {resolution!r}")
    predict = predictor(model)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1 = min(xs) - padding, max(xs) + padding
    y0, y1 = min(ys) - padding, max(ys) + padding
    gx = [x0 + (x1 - x0) * i / (resolution - 1) for i in range(resolution)]
    gy = [y0 + (y1 - y0) * j / (resolution - 1) for j in range(resolution)]
    grid = [[a, b] for b in gy for a in gx]
    labels, scores = predict(grid)

    classes = sorted(set(y), key=repr)
    index = {c: i for i, c in enumerate(classes)}
    if set(classes) <= {0, 1}:
        index.setdefault(-1, index.get(0, 0))  # single-output models say -1 for class 0
    for label in labels:
        index.setdefault(label, len(index))
    region = [
        [float(index[labels[j * resolution + i]]) for i in range(resolution)]
        for j in range(resolution)
    ]

    from matplotlib.colors import ListedColormap

    fig = _figure()
    ax = fig.axes[0]
    n_colors = max(index.values()) + 1
    cmap = ListedColormap([CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(n_colors)])
    levels = [k - 0.5 for k in range(n_colors + 1)]
    score_grid = [scores[j * resolution : (j + 1) * resolution] for j in range(resolution)]
    low, high = (min(scores), max(scores)) if scores else (0.0, 0.0)
    if scores and low < 0.0 <= high:
        # Two classes split by a score's zero line: shade by the score itself, so the
        # boundary is a smooth line rather than the grid's staircase.
        sides = [scores.index(low), scores.index(high)]
        colors = [cmap(index[labels[k]]) for k in sides]
        ax.contourf(
            gx, gy, score_grid, levels=[low - 1.0, 0.0, high + 1.0], colors=colors, alpha=0.25
        )
        ax.contour(gx, gy, score_grid, levels=[0.0], colors="#24292f", linewidths=1.5)
    else:
        ax.contourf(gx, gy, region, levels=levels, cmap=cmap, alpha=0.25)
    for c in classes:
        k = index[c]
        mine = [p for p, t in zip(points, y) if t == c]
        name = (class_names or {}).get(c, str(c))
        ax.scatter(
            [p[0] for p in mine],
            [p[1] for p in mine],
            c=CLASS_COLORS[k % len(CLASS_COLORS)],
            marker=MARKERS[k % len(MARKERS)],
            edgecolors="#24292f",
            linewidths=0.6,
            s=36,
            label=f"class {name}",
        )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("feature 1")
    ax.set_ylabel("feature 2")
    ax.legend(loc="best", fontsize=9, framealpha=0.8)
    if title:
        ax.set_title(title)
    return fig


def plot_history(history: Any, *, title: str | None = None) -> Figure:
    """Plot loss and accuracy per epoch from a training history.

    Args:
        history: an `nn.fit` History (with `.loss` and `.accuracy` lists) or a
            mapping with "loss" and/or "accuracy" lists.
        title: the figure's title.

    Returns:
        The figure: loss on the left, accuracy on the right.

    Raises:
        ValueError: if there is neither a loss nor an accuracy to plot.

    Example:
        >>> fig = plot_history({"loss": [1.0, 0.5, 0.25], "accuracy": [0.5, 0.75, 1.0]})
        >>> [ax.get_ylabel() for ax in fig.axes]
        ['loss', 'accuracy']
    """
    series = {}
    for name in ("loss", "accuracy"):
        values = history.get(name) if isinstance(history, Mapping) else getattr(history, name, None)
        if values:
            series[name] = [float(v) for v in values]
    if not series:
        raise ValueError(f"history has no 'loss' or 'accuracy' values to plot: {history!r:.80}")
    fig = _figure(len(series), (4.5 * len(series), 3.6))
    colors = {"loss": CLASS_COLORS[5], "accuracy": CLASS_COLORS[0]}
    for ax, (name, values) in zip(fig.axes, series.items()):
        epochs = list(range(1, len(values) + 1))
        ax.plot(
            epochs,
            values,
            color=colors[name],
            linewidth=2,
            marker="." if len(values) < 40 else None,
        )
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        if name == "accuracy":
            ax.set_ylim(min(0.0, min(values)) - 0.02, 1.02)
        ax.set_title(f"{name}: {values[-1]:.3g} after {len(values)} epochs", fontsize=10)
    if title:
        fig.suptitle(title)
    return fig
