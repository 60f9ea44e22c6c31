"""Where a classifier predicts which class, on a fine grid, running the model sparingly.

The model runs on a coarse grid first (`COARSE` points per axis). A coarse cell whose
four corners predict the same class is taken to be that class throughout; only the
cells whose corners disagree, the ones a border crosses, are evaluated again at every
point of the fine grid. A border is a curve, so the fine grid costs about as much as
the coarse one, whatever the resolution. Like any grid, this misses a region smaller
than a coarse cell.

Uses numpy, which comes with matplotlib (these are for plots only).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

COARSE = 80  # coarse grid points per axis (the resolution plots used to have)

Predict = Callable[[list[list[float]]], tuple[list[Hashable], list[float]]]


@dataclass(frozen=True)
class Regions:
    """The predicted class at every point of a grid.

    Attributes:
        xs, ys: the grid's coordinates along each axis (numpy arrays).
        index: the class of each point as a number into `labels`, shape (len(ys), len(xs)).
        labels: the predicted labels, in order of first appearance.
        scores: a binary model's score at each point (exact near the border,
            interpolated between coarse points elsewhere), or None.
        evaluated: how many points the model ran on.
    """

    xs: Any
    ys: Any
    index: Any
    labels: list[Hashable]
    scores: Any
    evaluated: int


def class_regions(
    predict: Predict, bounds: tuple[float, float, float, float], resolution: int
) -> Regions:
    """Predict the class on a grid of about `resolution` points per axis over `bounds`.

    Args:
        predict: from points to (labels, scores), as `viz.plots.predictor` makes.
        bounds: (x0, x1, y0, y1).
        resolution: the wanted points per axis; the grid is at least this fine.

    Example:
        >>> r = class_regions(lambda ps: ([int(p[0] > 0.5) for p in ps], []), (0, 1, 0, 1), 300)
        >>> r.index.shape, r.labels, r.evaluated < 301 * 301 / 10
        ((301, 301), [0, 1], True)
    """
    import numpy as np

    x0, x1, y0, y1 = bounds
    step = max(1, round((resolution - 1) / (COARSE - 1)))
    cells = math.ceil((resolution - 1) / step)
    n = cells * step + 1
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    codes: dict[Hashable, int] = {}

    def run(rows: Any, cols: Any) -> tuple[Any, Any]:
        points = [[float(xs[c]), float(ys[r])] for r, c in zip(rows.tolist(), cols.tolist())]
        labels, scores = predict(points)
        index = np.array([codes.setdefault(label, len(codes)) for label in labels], dtype=int)
        return index, np.array(scores, dtype=float) if scores else None

    coarse = np.arange(0, n, step)
    rows, cols = np.meshgrid(coarse, coarse, indexing="ij")
    coarse_index, coarse_scores = run(rows.ravel(), cols.ravel())
    coarse_index = coarse_index.reshape(len(coarse), len(coarse))
    # A cell is mixed when its four corners do not all predict one class.
    corner = coarse_index[:-1, :-1]
    mixed = (
        (coarse_index[1:, :-1] != corner)
        | (coarse_index[:-1, 1:] != corner)
        | (coarse_index[1:, 1:] != corner)
    )
    # Every fine point takes the class of the coarse point at its cell's corner...
    block = np.ones((step, step), dtype=int)
    index = np.kron(corner, block)
    index = np.pad(index, ((0, 1), (0, 1)), mode="edge")
    index[np.ix_(coarse, coarse)] = coarse_index
    # ...except in mixed cells, where the model runs at every fine point.
    inside = np.pad(np.kron(mixed, block).astype(bool), ((0, 1), (0, 1)))
    redo = inside.copy()
    redo[1:, :] |= inside[:-1, :]  # each mixed cell's far row of points...
    redo[:, 1:] |= redo[:, :-1].copy()  # ...and far column
    redo[np.ix_(coarse, coarse)] = False
    fine_rows, fine_cols = np.nonzero(redo)
    evaluated = coarse_index.size + len(fine_rows)
    fine_index, fine_scores = run(fine_rows, fine_cols) if len(fine_rows) else (None, None)
    if fine_index is not None:
        index[fine_rows, fine_cols] = fine_index
    scores = None
    if coarse_scores is not None:
        scores = _interpolate(coarse_scores.reshape(len(coarse), len(coarse)), coarse, n)
        if fine_scores is not None:
            scores[fine_rows, fine_cols] = fine_scores
    return Regions(xs, ys, index, list(codes), scores, evaluated)


def _interpolate(values: Any, at: Any, n: int) -> Any:
    """Bilinear interpolation of `values` (given at rows and columns `at`) to n x n."""
    import numpy as np

    full = np.arange(n)
    across = np.array([np.interp(full, at, row) for row in values])
    return np.array([np.interp(full, at, col) for col in across.T]).T
