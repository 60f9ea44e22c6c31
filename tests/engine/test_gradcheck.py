"""gradcheck: passes correct gradients, names the input behind a wrong one, validates."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import pytest

import engine
from engine import GradcheckError, GradcheckReport, Value, gradcheck, no_grad


def _test_op(
    x: Value, fn: Callable[[float], float], slope: Callable[[float], float], factor: float
) -> Value:
    """A test-only op: forward `fn`, local derivative `factor * slope` (wrong unless 1)."""
    out = Value(fn(x.data))
    out.parents = (x,)
    out.local_grads = (factor * slope(x.data),)
    out.op = "test_op"
    return out


def _square(x: Value, factor: float = 1.0) -> Value:
    return _test_op(x, lambda a: a * a, lambda a: 2.0 * a, factor)


def _figure5(xs: list[Value]) -> Value:
    x, y, z = xs
    return ((x + y) + (x * y)) * z


# ------------------------------------------------------------------ correct gradients


def test_gradcheck_passes_on_the_notes_figure5_example() -> None:
    report = gradcheck(_figure5, [2.0, 3.0, 4.0])
    assert report.passed
    assert report.output == 44.0
    # The notes work these out by hand: x and y each add up two paths.
    assert [c.analytic for c in report.checks] == [16.0, 12.0, 11.0]
    assert [c.numeric for c in report.checks] == pytest.approx([16.0, 12.0, 11.0], rel=1e-8)


def test_gradcheck_report_has_one_check_per_input_with_labels() -> None:
    report = gradcheck(_figure5, [Value(2.0, "x"), 3, Value(4.0)])
    assert isinstance(report, GradcheckReport)
    assert [c.index for c in report.checks] == [0, 1, 2]
    assert [c.label for c in report.checks] == ["x", "x1", "x2"]
    assert [c.value for c in report.checks] == [2.0, 3.0, 4.0]
    assert (report.eps, report.atol, report.rtol) == (1e-6, 1e-5, 1e-3)
    assert all(c.ok and c.difference <= c.tolerance for c in report.checks)


def test_gradcheck_leaves_value_inputs_untouched() -> None:
    x = Value(0.7, "x")
    x.grad = 5.0
    gradcheck(lambda xs: xs[0].tanh(), [x])
    assert (x.data, x.grad, x.label) == (0.7, 5.0, "x")


def test_gradcheck_restores_gradients_of_values_f_closes_over() -> None:
    weight = Value(1.5, "w")
    weight.grad = 0.25
    report = gradcheck(lambda xs: (weight * xs[0]).sigmoid(), [0.3])
    assert report.passed
    assert weight.grad == 0.25


@pytest.mark.parametrize("n", [1, 2, 10, 100])
def test_gradcheck_handles_1_to_100_inputs(n: int) -> None:
    inputs = [math.sin(i + 1.0) for i in range(n)]

    def f(xs: list[Value]) -> Value:
        terms = [(a * b).tanh() for a, b in zip(xs, [*xs[1:], xs[0]])]
        return engine.sum(terms) + xs[0].exp()

    report = gradcheck(f, inputs)
    assert len(report.checks) == n
    assert report.passed


def test_gradcheck_passes_a_function_of_an_unused_input() -> None:
    report = gradcheck(lambda xs: xs[0] * 2.0, [1.0, 5.0])
    assert [c.analytic for c in report.checks] == [2.0, 0.0]
    assert report.checks[1].numeric == 0.0


# ------------------------------------------------------------------- wrong gradients


def test_gradcheck_fails_on_a_wrong_local_derivative_and_names_the_input() -> None:
    def f(xs: list[Value]) -> Value:
        x, w = xs
        return x + _square(w, factor=1.5)

    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [Value(1.0, "x"), Value(2.0, "w")])
    message = str(caught.value)
    assert "input 1 ('w')" in message
    assert "analytic 6.0" in message  # 1.5 * (2 * 2.0)
    assert "numeric 4.0" in message  # the true slope of w**2 at 2.0, to rounding
    assert "tolerance" in message
    assert "input 0" not in message  # x's gradient is right
    report = caught.value.report
    assert report is not None and not report.passed
    assert report.worst.index == 1
    assert report.worst.analytic == 6.0
    assert report.worst.numeric == pytest.approx(4.0, rel=1e-8)
    assert report.worst.difference == pytest.approx(2.0, rel=1e-8)


def test_gradcheck_error_is_an_assertion_error() -> None:
    with pytest.raises(AssertionError):
        gradcheck(lambda xs: _square(xs[0], factor=-1.0), [3.0])


def test_gradcheck_reports_the_worst_of_several_mismatches_among_100_inputs() -> None:
    factors = {17: 1.01, 63: 2.0, 80: 1.2}

    def f(xs: list[Value]) -> Value:
        return engine.sum([_square(x, factors.get(i, 1.0)) for i, x in enumerate(xs)])

    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [1.0 + i / 100 for i in range(100)])
    report = caught.value.report
    assert report is not None
    assert report.worst.index == 63
    assert [c.index for c in report.mismatches] == [63, 80, 17]
    assert str(caught.value).startswith("gradient of input 63 ('x63')")
    assert "3 of 100 inputs mismatch" in str(caught.value)


def test_gradcheck_tolerance_is_atol_plus_rtol_times_numeric() -> None:
    def off_by(delta: float) -> Callable[[list[Value]], Value]:
        # d(3x)/dx is 3; report 3 + delta instead.
        return lambda xs: _test_op(xs[0], lambda a: 3.0 * a, lambda a: 3.0 + delta, 1.0)

    assert gradcheck(off_by(0.5e-5), [1.0], atol=1e-5, rtol=0.0).passed
    with pytest.raises(GradcheckError):
        gradcheck(off_by(2e-5), [1.0], atol=1e-5, rtol=0.0)
    assert gradcheck(off_by(2e-3), [1.0], atol=0.0, rtol=1e-3).passed  # 1e-3 * 3
    with pytest.raises(GradcheckError):
        gradcheck(off_by(4e-3), [1.0], atol=0.0, rtol=1e-3)


class _FlakyGrads(tuple[float, ...]):
    """Local derivatives that change each time backward reads them."""

    reads = 0

    def __iter__(self) -> Iterator[float]:
        type(self).reads += 1
        return iter([float(type(self).reads)])


def test_gradcheck_catches_a_backward_that_is_not_reproducible() -> None:
    def f(xs: list[Value]) -> Value:
        out = Value(xs[0].data)
        out.parents = (xs[0],)
        out.local_grads = _FlakyGrads((1.0,))
        return out

    with pytest.raises(GradcheckError, match=r"not reproducible: input 0 \('x0'\)"):
        gradcheck(f, [2.0])


def test_report_text_names_the_worst_input() -> None:
    text = str(gradcheck(_figure5, [2.0, 3.0, 4.0]))
    assert text.startswith("gradcheck passed: 3 inputs, output 44.0")
    assert "worst: input" in text


# ------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("eps", [0.0, -1e-6, 0.5])
def test_gradcheck_rejects_eps_out_of_range(eps: float) -> None:
    with pytest.raises(ValueError, match=rf"Invalid eps: {eps!r} \(expected 0 < eps <= 0.1"):
        gradcheck(_figure5, [2.0, 3.0, 4.0], eps=eps)


@pytest.mark.parametrize("name", ["eps", "atol", "rtol"])
def test_gradcheck_rejects_non_finite_settings(name: str) -> None:
    with pytest.raises(ValueError, match=f"Invalid {name}: nan"):
        gradcheck(_figure5, [2.0, 3.0, 4.0], **{name: math.nan})


@pytest.mark.parametrize("name", ["eps", "atol", "rtol"])
def test_gradcheck_rejects_settings_that_are_not_numbers(name: str) -> None:
    with pytest.raises(TypeError, match=f"Invalid {name}: '1e-6'"):
        gradcheck(_figure5, [2.0, 3.0, 4.0], **{name: "1e-6"})  # type: ignore[arg-type]


def test_gradcheck_rejects_negative_tolerances() -> None:
    with pytest.raises(ValueError, match=r"Invalid atol: -1.0 \(expected atol >= 0\)"):
        gradcheck(_figure5, [2.0, 3.0, 4.0], atol=-1.0)
    with pytest.raises(ValueError, match=r"Invalid rtol: -0.1 \(expected rtol >= 0\)"):
        gradcheck(_figure5, [2.0, 3.0, 4.0], rtol=-0.1)


def test_gradcheck_rejects_both_tolerances_zero() -> None:
    with pytest.raises(ValueError, match="atol and rtol are both 0"):
        gradcheck(_figure5, [2.0, 3.0, 4.0], atol=0.0, rtol=0.0)


def test_gradcheck_rejects_empty_inputs() -> None:
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda xs: xs[0], [])


@pytest.mark.parametrize(
    ("inputs", "error", "text"),
    [
        ([1.0, "2"], TypeError, r"inputs\[1\] must be a number or a Value, got '2'"),
        ([True], TypeError, r"inputs\[0\] must be a number or a Value, got True"),
        ([1.0, math.inf], ValueError, r"inputs\[1\] must be finite, got inf"),
        (3.0, TypeError, "inputs must be a list of numbers or Values, got 3.0"),
    ],
)
def test_gradcheck_rejects_bad_inputs(inputs: object, error: type[Exception], text: str) -> None:
    with pytest.raises(error, match=text):
        gradcheck(lambda xs: xs[0], inputs)  # type: ignore[arg-type]


def test_gradcheck_rejects_f_that_is_not_callable() -> None:
    with pytest.raises(TypeError, match="needs a callable f, got 42"):
        gradcheck(42, [1.0])  # type: ignore[arg-type]


def test_gradcheck_rejects_f_that_does_not_return_a_value() -> None:
    with pytest.raises(TypeError, match=r"f must return a Value, got 2\.0"):
        gradcheck(lambda xs: xs[0].data * 2, [1.0])  # type: ignore[arg-type,return-value]


def test_gradcheck_refuses_to_run_inside_no_grad() -> None:
    with no_grad(), pytest.raises(RuntimeError, match="outside no_grad"):
        gradcheck(_figure5, [2.0, 3.0, 4.0])


def test_gradcheck_names_the_input_whose_step_leaves_the_domain() -> None:
    with pytest.raises(ValueError, match=r"finite difference for input 1 \('y'\)"):
        gradcheck(lambda xs: xs[0] * xs[1].log(), [Value(1.0, "x"), Value(1e-7, "y")])


def test_gradcheck_rejects_an_eps_lost_in_rounding() -> None:
    with pytest.raises(ValueError, match=r"eps 1e-06 is too small for input 0 \('x0'\) = 1e\+20"):
        gradcheck(lambda xs: xs[0] * 2.0, [1e20])
