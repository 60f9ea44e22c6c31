"""Feature maps: the bias feature and polynomial features."""

from __future__ import annotations

import math

import pytest

from nn.features import add_bias, polynomial_features


def test_add_bias_prepends_one_like_w0() -> None:
    assert add_bias([[1, 1], [3, 2]]) == [[1.0, 1, 1], [1.0, 3, 2]]


def test_add_bias_does_not_modify_its_input() -> None:
    X = [[2.0, 3.0]]
    add_bias(X)
    assert X == [[2.0, 3.0]]


def test_polynomial_features_keeps_powers_of_each_feature_together() -> None:
    assert polynomial_features([[2.0, 3.0]], 3) == [[2.0, 4.0, 8.0, 3.0, 9.0, 27.0]]


def test_polynomial_degree_one_is_identity() -> None:
    assert polynomial_features([[1.5, -2.0]], 1) == [[1.5, -2.0]]


def test_x_squared_makes_one_dimensional_data_separable() -> None:
    # The notes' picture: negatives in the middle, positives outside. No threshold on
    # x separates them, but the line x^2 = 1 does in the (x, x^2) space.
    xs = [-3.0, -2.0, -0.5, 0.0, 0.5, 2.0, 3.0]
    ys = [1, 1, -1, -1, -1, 1, 1]
    assert not any(all((x >= c) == (t == 1) for x, t in zip(xs, ys)) for c in xs)
    feats = polynomial_features([[x] for x in xs], 2)
    assert all((f[1] > 1.0) == (t == 1) for f, t in zip(feats, ys))


@pytest.mark.parametrize("degree", [0, -1])
def test_polynomial_rejects_degree_below_one(degree: int) -> None:
    with pytest.raises(ValueError, match=f"Invalid degree: {degree}"):
        polynomial_features([[1.0]], degree)


def test_polynomial_rejects_non_int_degree() -> None:
    with pytest.raises(TypeError, match=r"Invalid degree: 2\.0"):
        polynomial_features([[1.0]], 2.0)  # type: ignore[arg-type]


def test_features_reject_ragged_rows() -> None:
    with pytest.raises(ValueError, match=r"X\[1\] has 1 features but X\[0\] has 2"):
        add_bias([[1.0, 2.0], [3.0]])


def test_features_reject_non_numbers() -> None:
    with pytest.raises(
        TypeError, match=r"X\[0\]\[1\] must be a real number .int or float., got 'a'"
    ):
        add_bias([[1.0, "a"]])  # type: ignore[list-item]


def test_features_reject_nan() -> None:
    with pytest.raises(ValueError, match=r"X\[0\]\[0\] must be finite, got nan"):
        add_bias([[math.nan]])
