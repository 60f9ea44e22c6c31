"""Bad input gets a specific exception whose message names the value and what is allowed."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine import Value, dot


@pytest.mark.parametrize("bad", ["abc", None, [1.0], {"x": 1}, 1 + 2j, True])
def test_value_rejects_non_numbers_with_type_error(bad: object) -> None:
    expected = r"Value data must be a real number \(int or float\), got " + re.escape(repr(bad))
    with pytest.raises(TypeError, match=expected):
        Value(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_value_rejects_non_finite_floats(bad: float) -> None:
    with pytest.raises(ValueError, match="must be finite"):
        Value(bad)


def test_value_accepts_ints_and_number_like_objects() -> None:
    assert Value(3).data == 3.0 and type(Value(3).data) is float
    assert Value(Fraction(1, 4)).data == 0.25


@given(st.integers(min_value=-(2**1100), max_value=2**1100))
def test_an_int_converts_like_float_everywhere_or_is_refused_by_name(n: int) -> None:
    # Small ints take a fast path in the checks; the rest (above 2**53 in size, and
    # too large for a float) go the general way. Both must give float(n), or refuse.
    try:
        expected = float(n)
    except OverflowError:
        with pytest.raises(ValueError, match="Value data is too large for a float"):
            Value(n)
        with pytest.raises(ValueError, match="constant operand of '\\+' is too large for a float"):
            Value(1.0) + n
        return
    assert Value(n).data == expected and type(Value(n).data) is float
    if abs(expected) < 1e300:
        assert (n + Value(0.0)).data == expected
        assert (Value(1.0) * n).const == expected
        assert type((n - Value(0.0)).const) is float


def test_label_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="label must be a str, got 3"):
        Value(1.0, label=3)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0.0, -2.0])
def test_log_of_non_positive_raises_value_error_naming_the_input(bad: float) -> None:
    with pytest.raises(
        ValueError, match=rf"log\(\) needs a positive input, got Value\(data={bad}\)"
    ):
        Value(bad).log()


def test_division_by_zero_value_names_the_op() -> None:
    with pytest.raises(ZeroDivisionError, match=r"division by zero in '/'.*Value\(data=0.0"):
        Value(1.0) / Value(0.0)
    with pytest.raises(ZeroDivisionError, match="'/'"):
        Value(1.0) / 0
    with pytest.raises(ZeroDivisionError, match="'/'"):
        1.0 / Value(0.0)


def test_negative_base_to_non_integer_power_is_value_error() -> None:
    with pytest.raises(ValueError, match="negative base to a non-integer power"):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError, match="positive base"):
        Value(-2.0) ** Value(2.0)
    with pytest.raises(ValueError, match="positive base"):
        (-2.0) ** Value(2.0)


def test_zero_to_a_negative_power_is_zero_division() -> None:
    with pytest.raises(ZeroDivisionError, match="0 to a negative power"):
        Value(0.0) ** -1


def test_power_with_infinite_slope_at_zero_is_value_error() -> None:
    with pytest.raises(ValueError, match="no finite derivative at x = 0"):
        Value(0.0) ** 0.5


def test_exp_overflow_says_which_value() -> None:
    with pytest.raises(OverflowError, match=r"exp\(\) overflows for Value\(data=1000.0\)"):
        Value(1000.0).exp()


def test_pow_overflow_names_the_operands() -> None:
    with pytest.raises(OverflowError, match=r"'\*\*' overflows for Value\(data=10.0\) \*\* 400"):
        Value(10.0) ** 400
    with pytest.raises(OverflowError, match="overflows"):
        2 ** Value(5000.0)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_constants_are_rejected(bad: float) -> None:
    with pytest.raises(ValueError, match=r"constant operand of '\+' must be finite"):
        Value(1.0) + bad
    with pytest.raises(ValueError, match=r"constant operand of '\*' must be finite"):
        bad * Value(1.0)


def test_unsupported_operand_is_type_error() -> None:
    with pytest.raises(TypeError, match="unsupported operand"):
        Value(1.0) + "2"  # type: ignore[operator]


def test_dot_length_mismatch_names_both_lengths() -> None:
    with pytest.raises(ValueError, match="got 2 weights and 3 inputs"):
        dot([Value(1.0), Value(2.0)], [1.0, 2.0, 3.0])


def test_dot_rejects_non_numbers_and_names_the_position() -> None:
    with pytest.raises(TypeError, match=r"dot\(\) xs\[1\] must be a real number"):
        dot([Value(1.0), Value(2.0)], [1.0, "x"])  # type: ignore[list-item]


def test_dot_rejects_nan_inputs_instead_of_returning_nan() -> None:
    with pytest.raises(ValueError, match="non-finite number nan"):
        dot([Value(1.0), Value(2.0)], [1.0, math.nan])


def test_sum_rejects_empty_and_bad_terms() -> None:
    with pytest.raises(ValueError, match="at least one term"):
        engine.sum([])
    with pytest.raises(
        TypeError, match=r"terms\[1\] must be a real number \(int or float\), got None"
    ):
        engine.sum([Value(1.0), None])  # type: ignore[list-item]


def test_backward_rejects_non_finite_seed() -> None:
    with pytest.raises(ValueError, match="gradient must be finite"):
        (Value(1.0) * 2).backward(math.nan)


FAILING_OPS: list[Callable[[Value], object]] = [
    lambda x: (x - 2.0).log(),
    lambda x: x / (x - 1.0),
    lambda x: (x * 1000.0).exp(),
]


@pytest.mark.parametrize("op", FAILING_OPS)
def test_a_failing_op_leaves_nothing_half_recorded(op: Callable[[Value], object]) -> None:
    x = Value(1.0)
    y = x * 3.0
    with pytest.raises((ValueError, ZeroDivisionError, OverflowError)):
        op(x)
    assert engine.is_grad_enabled()
    y.backward()  # the graph built before the error is intact and usable
    assert (x.grad, x.parents) == (3.0, ())


def test_an_overflowing_product_raises_naming_the_operands_instead_of_making_inf() -> None:
    x = Value(1e200)
    with pytest.raises(
        OverflowError, match=r"'\*' overflows for Value\(data=1e\+200\) \* Value\(data=1e\+200\)"
    ):
        x * x
    with pytest.raises(OverflowError, match=r"'\+' overflows"):
        Value(1.7e308) + 1.7e308
