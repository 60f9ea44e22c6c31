"""Synthetic data: the notes' training set, generated data sets, splitting and batching.

Every generator is deterministic: it draws from its own `random.Random(seed)`, never
from the global random state, so the same seed always gives the same points. Points
are returned as `X` (a list of feature rows) and `y` (a list of labels), in shuffled
order so that a pass through the data without shuffling still mixes the classes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from typing import TypeVar

from engine.checks import check_int, check_real

__all__ = [
    "batches",
    "blobs",
    "circles",
    "moons",
    "seed_example",
    "spiral",
    "train_test_split",
    "xor",
]

T = TypeVar("T")
U = TypeVar("U")
Dataset = tuple[list[list[float]], list[int]]


def _check_count(n: object, name: str, minimum: int) -> int:
    return check_int(n, name, minimum=minimum)


def _check_noise(noise: object) -> float:
    return check_real(noise, "noise", minimum=0.0)


def _shuffled(points: list[tuple[list[float], int]], rng: random.Random) -> Dataset:
    rng.shuffle(points)
    return [p for p, _ in points], [label for _, label in points]


def seed_example() -> Dataset:
    """The five-point training set of the notes' perceptron example.

    Returns:
        `(X, y)` with two features per point (no bias feature) and labels +-1, in the
        order the notes walk through them.

    Example:
        >>> X, y = seed_example()
        >>> X[1], y[1]
        ([3.0, 2.0], 1)
    """
    X = [[1.0, 1.0], [3.0, 2.0], [2.0, 4.0], [3.0, 4.0], [2.0, 3.0]]
    y = [-1, 1, 1, 1, -1]
    return X, y


def blobs(n: int = 100, *, seed: int = 0) -> Dataset:
    """Two round clusters that a straight line always separates; labels -1 and +1.

    The clusters are centred at (-1.5, -1.5) (label -1) and (1.5, 1.5) (label +1).
    Points are Gaussian (standard deviation 0.5) but redrawn when farther than 1.5
    from their centre, so the line x1 + x2 = 0 separates them with a margin.

    Example:
        >>> X, y = blobs(10, seed=1)
        >>> len(X), sorted(set(y)), all((a + b > 0) == (t == 1) for (a, b), t in zip(X, y))
        (10, [-1, 1], True)
    """
    _check_count(n, "n", 2)
    rng = random.Random(seed)
    points: list[tuple[list[float], int]] = []
    for i in range(n):
        label = -1 if i < n // 2 else 1
        while True:
            dx, dy = rng.gauss(0.0, 0.5), rng.gauss(0.0, 0.5)
            if dx * dx + dy * dy <= 1.5**2:
                break
        points.append(([1.5 * label + dx, 1.5 * label + dy], label))
    return _shuffled(points, rng)


def xor(n: int = 100, *, seed: int = 0) -> Dataset:
    """The XOR pattern: +1 where both coordinates share a sign, -1 otherwise.

    Points are spread evenly over the four quadrants of the square [-1, 1]^2 and
    kept at least 0.1 from the axes, so the classes do not touch.

    Example:
        >>> X, y = xor(8)
        >>> all((a * b > 0) == (t == 1) for (a, b), t in zip(X, y)), y.count(1)
        (True, 4)
    """
    _check_count(n, "n", 4)
    rng = random.Random(seed)
    signs = ((1, 1), (-1, 1), (-1, -1), (1, -1))
    points: list[tuple[list[float], int]] = []
    for i in range(n):
        sx, sy = signs[i % 4]
        x = [sx * rng.uniform(0.1, 1.0), sy * rng.uniform(0.1, 1.0)]
        points.append((x, 1 if sx == sy else -1))
    return _shuffled(points, rng)


def moons(n: int = 100, *, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles; labels 0 (upper moon) and 1 (lower moon).

    The upper moon is the unit half circle above the origin; the lower moon is the
    same shape flipped and shifted to (1, 0.5). Gaussian noise of standard deviation
    `noise` is added to both coordinates.

    Example:
        >>> X, y = moons(6, noise=0.0)
        >>> sorted((round(a, 6), round(b, 6)) for (a, b), t in zip(X, y) if t == 0)
        [(-1.0, 0.0), (0.0, 1.0), (1.0, 0.0)]
    """
    _check_count(n, "n", 2)
    sd = _check_noise(noise)
    rng = random.Random(seed)
    n_upper = n - n // 2
    n_lower = n // 2
    points: list[tuple[list[float], int]] = []
    for count, label in ((n_upper, 0), (n_lower, 1)):
        for i in range(count):
            t = math.pi * i / (count - 1) if count > 1 else 0.0
            if label == 0:
                x, y = math.cos(t), math.sin(t)
            else:
                x, y = 1.0 - math.cos(t), 0.5 - math.sin(t)
            points.append(([x + rng.gauss(0.0, sd), y + rng.gauss(0.0, sd)], label))
    return _shuffled(points, rng)


def circles(n: int = 100, *, noise: float = 0.05, factor: float = 0.5, seed: int = 0) -> Dataset:
    """A circle inside a circle; labels 0 (outer, radius 1) and 1 (inner, `factor`).

    Example:
        >>> X, y = circles(8, noise=0.0)
        >>> sorted({round(math.hypot(*x), 6) for x in X})
        [0.5, 1.0]
    """
    _check_count(n, "n", 2)
    sd = _check_noise(noise)
    factor = check_real(factor, "factor", minimum=0.0, maximum=1.0, exclusive=True)
    rng = random.Random(seed)
    points: list[tuple[list[float], int]] = []
    for count, radius, label in ((n - n // 2, 1.0, 0), (n // 2, float(factor), 1)):
        for i in range(count):
            t = 2.0 * math.pi * i / count
            x = [
                radius * math.cos(t) + rng.gauss(0.0, sd),
                radius * math.sin(t) + rng.gauss(0.0, sd),
            ]
            points.append((x, label))
    return _shuffled(points, rng)


def spiral(
    n_per_class: int = 50, *, classes: int = 3, noise: float = 0.2, seed: int = 0
) -> Dataset:
    """Interleaved spiral arms, one per class; labels 0 .. classes-1.

    Arm k starts at the origin and winds outwards to radius 1 over angles
    `4k .. 4(k+1)` radians; each point's angle gets Gaussian noise of standard
    deviation `noise` (radians).

    Example:
        >>> X, y = spiral(4, classes=2)
        >>> len(X), sorted(set(y)), max(math.hypot(*x) for x in X) <= 1.0
        (8, [0, 1], True)
    """
    _check_count(n_per_class, "n_per_class", 1)
    _check_count(classes, "classes", 2)
    sd = _check_noise(noise)
    rng = random.Random(seed)
    points: list[tuple[list[float], int]] = []
    for k in range(classes):
        for i in range(n_per_class):
            frac = i / (n_per_class - 1) if n_per_class > 1 else 1.0
            t = 4.0 * (k + frac) + rng.gauss(0.0, sd)
            points.append(([frac * math.sin(t), frac * math.cos(t)], k))
    return _shuffled(points, rng)


def train_test_split(
    X: Sequence[T], y: Sequence[U], *, test_fraction: float = 0.3, seed: int = 0
) -> tuple[list[T], list[T], list[U], list[U]]:
    """Shuffle the points with a seed and split them into a training and a test part.

    Args:
        X: the points.
        y: their labels, as many as points.
        test_fraction: the share of points held out, `0 < test_fraction < 1`; rounded
            so that both parts keep at least one point.
        seed: seeds the shuffle.

    Returns:
        `(X_train, X_test, y_train, y_test)`.

    Raises:
        ValueError: if the lengths differ, there are fewer than 2 points, or
            `test_fraction` is out of range.

    Example:
        >>> X_train, X_test, y_train, y_test = train_test_split(
        ...     [[0], [1], [2], [3]], [0, 1, 2, 3], test_fraction=0.5)
        >>> len(X_train), len(X_test), sorted(y_train + y_test)
        (2, 2, [0, 1, 2, 3])
    """
    if len(X) != len(y):
        raise ValueError(f"X and y differ in length: {len(X)} points but {len(y)} labels")
    if len(X) < 2:
        raise ValueError(f"train_test_split needs at least 2 points, got {len(X)}")
    test_fraction = check_real(test_fraction, "test_fraction", minimum=0, maximum=1, exclusive=True)
    order = list(range(len(X)))
    random.Random(seed).shuffle(order)
    n_test = min(max(1, round(test_fraction * len(X))), len(X) - 1)
    test, train = order[:n_test], order[n_test:]
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]


def batches(
    n: int, batch_size: int | None = None, *, shuffle: bool = True, seed: int = 0
) -> Iterator[list[int]]:
    """Split the indices 0 .. n-1 into the batches of one epoch.

    `batch_size=None` gives one full batch (plain gradient descent), `1` gives one
    point per step (stochastic gradient descent), anything between gives
    mini-batches; the last batch holds whatever is left over.

    Args:
        n: the number of points.
        batch_size: points per batch, `1 <= batch_size`, or None for all of them.
        shuffle: visit the points in a random order drawn from `seed`.
        seed: seeds the shuffle (pass a different seed each epoch).

    Raises:
        ValueError: if `n < 1` or `batch_size < 1`.

    Example:
        >>> list(batches(5, 2, shuffle=False))
        [[0, 1], [2, 3], [4]]
        >>> sorted(i for b in batches(5, 2, seed=3) for i in b)
        [0, 1, 2, 3, 4]
    """
    # Validate now, not on the first next(): a generator would defer the error.
    _check_count(n, "n", 1)
    size = n if batch_size is None else _check_count(batch_size, "batch_size", 1)
    order = list(range(n))
    if shuffle:
        random.Random(seed).shuffle(order)
    return iter([order[start : start + size] for start in range(0, n, size)])
