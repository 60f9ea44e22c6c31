"""Feature maps: turn raw data points into the feature vectors a linear model sees.

A linear classifier can only draw a straight boundary through its feature space, and
without a constant feature that boundary must pass through the origin. Adding a
feature that is always 1 (whose weight becomes the bias) lifts that restriction;
adding powers of the inputs lets a straight boundary in feature space be a curved one
in the original space.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.checks import check_features, check_int

__all__ = ["add_bias", "polynomial_features"]


def add_bias(X: Sequence[Sequence[float]]) -> list[list[float]]:
    """Prepend the constant feature 1.0 to every row (the bias goes first, as `w0`).

    Args:
        X: the data, one row of numbers per point.

    Returns:
        A new table whose rows are `[1.0, *row]`.

    Raises:
        TypeError: if `X` is not a table of real numbers.
        ValueError: if rows differ in length or hold NaN/infinity.

    Example:
        >>> add_bias([[1, 1], [3, 2]])
        [[1.0, 1.0, 1.0], [1.0, 3.0, 2.0]]
    """
    return [[1.0, *row] for row in check_features(X)]


def polynomial_features(X: Sequence[Sequence[float]], degree: int) -> list[list[float]]:
    """Map each feature x to x, x**2, ..., x**degree (no cross terms, no bias).

    The powers of one feature stay together: a row `[a, b]` with degree 2 becomes
    `[a, a**2, b, b**2]`. Combine with `add_bias` for a constant feature.

    Args:
        X: the data, one row of numbers per point.
        degree: the highest power, at least 1 (1 returns the data unchanged).

    Returns:
        A new table with `degree` times as many features.

    Raises:
        TypeError: if `degree` is not an int or `X` is not a table of real numbers.
        ValueError: if `degree < 1` or the table is malformed.

    Example:
        >>> polynomial_features([[2, -1], [3, 0.5]], degree=2)
        [[2.0, 4.0, -1.0, 1.0], [3.0, 9.0, 0.5, 0.25]]
    """
    degree = check_int(degree, "degree", minimum=1)
    return [[x**k for x in row for k in range(1, degree + 1)] for row in check_features(X)]
