"""Plots with matplotlib: decision regions and training curves.

Functions return a `matplotlib.figure.Figure` built without pyplot, so nothing is
shown or kept in a global state: save it with `fig.savefig(path)`, or let a notebook
display it. Every plot takes the same slide options: `title`, `fontsize`, `dpi` and
`theme` ("light", "dark" or "high-contrast").
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from engine import Value, no_grad
from nn.labels import sign
from nn.module import forward_batch
from viz.draw import check_size
from viz.regions import class_regions
from viz.themes import Theme, get_theme, mix

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Colour-blind friendly (Okabe-Ito) colours and markers, one per class.
CLASS_COLORS = get_theme("light").classes
MARKERS = ("o", "s", "^", "D", "v", "P", "X")


@contextmanager
def _styled(theme: Theme, fontsize: float | None) -> Iterator[None]:
    """matplotlib's settings for one theme and font size, while a figure is built."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError(
            "plots need matplotlib, a dependency of tracegrad: pip install matplotlib"
        ) from None
    rc: dict[str, Any] = {
        "figure.facecolor": theme.background,
        "axes.facecolor": theme.background,
        "axes.edgecolor": theme.muted,
        "axes.labelcolor": theme.text,
        "axes.titlecolor": theme.text,
        "text.color": theme.text,
        "xtick.color": theme.text,
        "ytick.color": theme.text,
        "grid.color": theme.muted,
        "legend.facecolor": theme.background,
        "legend.edgecolor": theme.muted,
        "legend.labelcolor": theme.text,
    }
    if fontsize is not None:
        rc["font.size"] = fontsize
    with matplotlib.rc_context(rc):  # type: ignore[arg-type]
        yield


def _figure(
    n_axes: int = 1, size: tuple[float, float] = (6.0, 5.0), dpi: float | None = None
) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained", dpi=dpi)
    fig.subplots(1, n_axes)
    return fig


def _smooth(grid: Any, passes: int = 2) -> Any:
    """`grid` blurred with a small binomial kernel, so that the 0.5 line between a
    class's 1s and the 0s elsewhere runs smoothly instead of in grid steps."""
    import numpy as np

    for _ in range(passes):
        padded = np.pad(grid, 1, mode="edge")
        grid = (padded[:-2, 1:-1] + 2 * padded[1:-1, 1:-1] + padded[2:, 1:-1]) / 4
        padded = np.pad(grid, 1, mode="edge")
        grid = (padded[1:-1, :-2] + 2 * padded[1:-1, 1:-1] + padded[1:-1, 2:]) / 4
    return grid


def _class_margins(model: Any, xs: Any, ys: Any) -> list[Any] | None:
    """For a model with one score per class (`decision_function`), each class's score
    minus the best other one over the grid; None for any other model."""
    if not (hasattr(model, "predict") and hasattr(model, "decision_function")):
        return None
    import numpy as np

    points = [[float(x), float(y)] for y in ys for x in xs]
    scores = model.decision_function(points)
    if not scores or not isinstance(scores[0], list | tuple) or len(scores[0]) < 3:
        return None  # one score (binary): its zero line is drawn already
    grid = np.asarray(scores, dtype=float).reshape(len(ys), len(xs), -1)
    margins = []
    for k in range(grid.shape[2]):
        others = np.delete(grid, k, axis=2).max(axis=2)
        margins.append(grid[:, :, k] - others)
    return margins


def _check_options(fontsize: float | None, dpi: float | None) -> None:
    if fontsize is not None:
        check_size("fontsize", fontsize, 4, 72)
    if dpi is not None:
        check_size("dpi", dpi, 36, 600)


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
            # A whole batch at once: an nn Module reads each weight once per batch.
            for out in forward_batch(model, points):
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
    resolution: int = 300,
    padding: float = 0.5,
    title: str | None = None,
    class_names: Mapping[Any, str] | None = None,
    fontsize: float | None = None,
    dpi: float | None = None,
    theme: str | Theme = "light",
) -> Figure:
    """Plot a model's decision regions over 2-D data, with the data on top.

    Works for the perceptron (its straight line), an MLP (a curve) and multiclass
    models (one coloured region per class). Each region is painted in its class's
    colour alone, as an image of the predicted class at every grid point (nearest
    neighbour, never blended), so no colour appears that is not a class; thin lines
    trace the borders. Where the model has a single score, its zero line is the
    border.

    Args:
        model: see `predictor`.
        X: the points, two features each.
        y: their labels. With 0/1 labels and a single-output model, a prediction
            of -1 is drawn as class 0.
        resolution: grid points per axis. The model runs on an 80 x 80 grid and
            again only near the borders (see `viz.regions`), so a fine grid is cheap.
        padding: margin around the data, in data units.
        title: the axes' title.
        class_names: legend names for labels (default: the labels themselves).
        fontsize: the text size in points (matplotlib's default is 10).
        dpi: the figure's resolution (for slides, 150-200).
        theme: "light", "dark" or "high-contrast" (see `viz.themes`).

    Returns:
        The figure.

    Raises:
        ValueError: for empty data, points without exactly 2 features, mismatched
            lengths, a resolution outside 2..1000 or a bad option.

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
    if not 2 <= resolution <= 1000:
        raise ValueError(f"resolution must be from 2 to 1000, got {resolution!r}")
    _check_options(fontsize, dpi)
    colors = get_theme(theme)
    predict = predictor(model)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1 = min(xs) - padding, max(xs) + padding
    y0, y1 = min(ys) - padding, max(ys) + padding
    regions = class_regions(predict, (x0, x1, y0, y1), resolution)

    classes = sorted(set(y), key=repr)
    index = {c: i for i, c in enumerate(classes)}
    if set(classes) <= {0, 1}:
        index.setdefault(-1, index.get(0, 0))  # single-output models say -1 for class 0
    for label in regions.labels:
        index.setdefault(label, len(index))
    palette = colors.classes
    n_colors = max(index.values()) + 1
    # The class number of every grid point, in the order `index` gives the classes.
    recode = [index[label] for label in regions.labels]
    grid = [[recode[k] for k in row] for row in regions.index.tolist()]

    from matplotlib.colors import ListedColormap

    with _styled(colors, fontsize):
        fig = _figure(dpi=dpi)
        ax = fig.axes[0]
        tints = [
            mix(palette[i % len(palette)], colors.region_share, colors.background)
            for i in range(n_colors)
        ]
        # Each grid point's square is centred on it; nearest-neighbour sampling keeps
        # every pixel exactly one class's tint.
        dx = (x1 - x0) / (len(regions.xs) - 1) / 2
        dy = (y1 - y0) / (len(regions.ys) - 1) / 2
        ax.imshow(
            grid,
            cmap=ListedColormap(tints),
            vmin=-0.5,
            vmax=n_colors - 0.5,
            origin="lower",
            extent=(x0 - dx, x1 + dx, y0 - dy, y1 + dy),
            interpolation="nearest",
            aspect="auto",
        )
        line: dict[str, Any] = {"colors": colors.text, "linewidths": 1.2 * colors.weight}
        scores = regions.scores
        if scores is not None and (scores < 0).any() and (scores >= 0).any():
            # A single score: its zero line is the border, smooth even between grid points.
            ax.contour(regions.xs, regions.ys, scores, levels=[0.0], **line)
        elif (margins := _class_margins(model, regions.xs, regions.ys)) is not None:
            # Several linear scores: region k's border is where its score stops beating
            # every other, a zero of score_k - max(others), drawn exactly (straight).
            for margin in margins:
                if (margin < 0).any() and (margin >= 0).any():
                    ax.contour(regions.xs, regions.ys, margin, levels=[0.0], **line)
        else:
            for k in range(len(regions.labels)):
                inside = _smooth((regions.index == k).astype(float))
                if 0.0 < inside.mean() < 1.0:
                    ax.contour(regions.xs, regions.ys, inside, levels=[0.5], **line)
        for c in classes:
            k = index[c]
            mine = [p for p, t in zip(points, y) if t == c]
            name = (class_names or {}).get(c, str(c))
            ax.scatter(
                [p[0] for p in mine],
                [p[1] for p in mine],
                c=palette[k % len(palette)],
                marker=MARKERS[k % len(MARKERS)],
                edgecolors=colors.text,
                linewidths=0.6 * colors.weight,
                s=36 * colors.weight,
                label=f"class {name}",
            )
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel("feature 1")
        ax.set_ylabel("feature 2")
        legend = ax.legend(loc="best", fontsize="small", framealpha=0.85)
        for text in legend.get_texts():  # class names are the user's text, never math
            text.set_parse_math(False)
        if title:
            ax.set_title(title, parse_math=False)
    return fig


def plot_history(
    history: Any,
    *,
    title: str | None = None,
    fontsize: float | None = None,
    dpi: float | None = None,
    theme: str | Theme = "light",
) -> Figure:
    """Plot loss and accuracy per epoch from a training history.

    Args:
        history: an `nn.fit` History (with `.loss` and `.accuracy` lists) or a
            mapping with "loss" and/or "accuracy" lists.
        title: the figure's title.
        fontsize: the text size in points (matplotlib's default is 10).
        dpi: the figure's resolution (for slides, 150-200).
        theme: "light", "dark" or "high-contrast" (see `viz.themes`).

    Returns:
        The figure: loss on the left, accuracy on the right.

    Raises:
        ValueError: if there is neither a loss nor an accuracy to plot, or for a
            bad option.

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
    _check_options(fontsize, dpi)
    look = get_theme(theme)
    colors = {"loss": look.classes[5], "accuracy": look.classes[0]}
    with _styled(look, fontsize):
        fig = _figure(len(series), (4.5 * len(series), 3.6), dpi)
        for ax, (name, values) in zip(fig.axes, series.items()):
            epochs = list(range(1, len(values) + 1))
            ax.plot(
                epochs,
                values,
                color=colors[name],
                linewidth=2 * look.weight,
                marker="." if len(values) < 40 else None,
            )
            ax.set_xlabel("epoch")
            ax.set_ylabel(name)
            ax.grid(alpha=0.3)
            if name == "accuracy":
                ax.set_ylim(min(0.0, min(values)) - 0.02, 1.02)
            ax.set_title(f"{name}: {values[-1]:.3g} after {len(values)} epochs", fontsize="medium")
        if title:
            fig.suptitle(title, parse_math=False)  # a `$` in a file name is text
    return fig
