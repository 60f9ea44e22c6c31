"""Gradients of gradients, Hessians, Hessian-vector products and forward mode.

The exact second derivatives (`grad(..., create_graph=True)` differentiated again)
are checked against central differences of exact gradients, over random expressions
that use every built-in op; forward mode (dual numbers) against reverse mode.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import Dual, GradcheckError, Value, grad, gradcheck, hessian, hvp, jvp, vjp
from engine.ops import BUILTINS, define_op, remove_op
from engine.strategies import Expression, expressions

EPS = 1e-5


def _fn(expr: Expression):  # type: ignore[no-untyped-def]
    return lambda *xs: expr(list(xs))


def _exact_gradient(expr: Expression, point: list[float]) -> list[float]:
    xs = [Value(p) for p in point]
    return grad(expr(xs), xs)


def _close(a: float, b: float, scale: float, rel: float) -> bool:
    return abs(a - b) <= rel * (1.0 + scale)


@settings(max_examples=60, deadline=None)
@given(expressions(max_inputs=3, max_leaves=8))
def test_hessian_agrees_with_finite_differences_of_exact_gradients(expr: Expression) -> None:
    point = list(expr.inputs)
    H = hessian(_fn(expr), point)
    scale = max(abs(h) for row in H for h in row)
    for i in range(len(point)):
        up, down = list(point), list(point)
        up[i] += EPS
        down[i] -= EPS
        g_up, g_down = _exact_gradient(expr, up), _exact_gradient(expr, down)
        gscale = max(map(abs, [*g_up, *g_down]))
        for j in range(len(point)):
            numeric = (g_up[j] - g_down[j]) / (up[i] - down[i])
            assert _close(H[j][i], numeric, scale + gscale, 1e-4), (str(expr), i, j, H, numeric)
    for i in range(len(point)):  # symmetric
        for j in range(i):
            assert abs(H[i][j] - H[j][i]) <= 1e-12 * (1.0 + scale), (str(expr), H)


@settings(max_examples=60, deadline=None)
@given(expressions(max_inputs=3, max_leaves=8), st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_hvp_is_the_hessian_times_the_vector(expr: Expression, v: list[float]) -> None:
    point = list(expr.inputs)
    v = v[: len(point)]
    H = hessian(_fn(expr), point)
    value, hv = hvp(_fn(expr), point, v)
    assert value == expr([Value(p) for p in point]).data
    scale = max(abs(h) for row in H for h in row) * (1.0 + max(map(abs, v)))
    for i in range(len(point)):
        expected = math.fsum(H[i][j] * v[j] for j in range(len(point)))
        assert abs(hv[i] - expected) <= 1e-12 * (1.0 + scale) * len(point), (str(expr), hv, H)


@settings(max_examples=80, deadline=None)
@given(expressions(max_inputs=3, max_leaves=8), st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_jvp_with_dual_numbers_is_the_gradient_along_the_tangent(
    expr: Expression, tangent: list[float]
) -> None:
    point = list(expr.inputs)
    tangent = tangent[: len(point)]
    value, directional = jvp(_fn(expr), point, tangent)
    g = _exact_gradient(expr, point)
    assert value == pytest.approx(expr([Value(p) for p in point]).data, rel=1e-12, abs=1e-12)
    expected = math.fsum(gi * ti for gi, ti in zip(g, tangent))
    scale = math.fsum(abs(gi * ti) for gi, ti in zip(g, tangent))
    assert abs(directional - expected) <= 1e-12 * (1.0 + scale), (str(expr), directional)


@settings(max_examples=60, deadline=None)
@given(
    expressions(max_inputs=3, max_leaves=8),
    st.lists(st.floats(-2, 2), min_size=3, max_size=3),
    st.lists(st.floats(-2, 2), min_size=3, max_size=3),
)
def test_u_dot_jv_equals_ut_j_dot_v(expr: Expression, v: list[float], u: list[float]) -> None:
    """Three outputs from one expression: forward mode and reverse mode agree."""

    def fn(*xs):  # type: ignore[no-untyped-def]
        y = expr(list(xs))
        return [y, y * xs[0], y * y + xs[-1]]

    point = list(expr.inputs)
    v = v[: len(point)]
    _, jv = jvp(fn, point, v)
    _, utj = vjp(fn, point, u)
    left = math.fsum(a * b for a, b in zip(u, jv))
    right = math.fsum(a * b for a, b in zip(utj, v))
    scale = math.fsum(abs(a * b) for a, b in zip(u, jv)) + math.fsum(
        abs(a * b) for a, b in zip(utj, v)
    )
    assert abs(left - right) <= 1e-12 * (1.0 + scale), (str(expr), left, right)


@pytest.mark.parametrize("op", [op for op in BUILTINS if op.arity == 1], ids=lambda o: o.name)
def test_every_one_input_op_at_order_two_and_in_forward_mode(op: engine.Op) -> None:
    x = 0.7 if op.name != "log" else 1.3

    def f(v: list[Value]) -> Value:
        return op(v[0] * v[0] + 0.1 * v[0])

    gradcheck(f, [x], order=2, atol=1e-6, rtol=1e-5)
    value, slope = jvp(lambda t: op(t * t + 0.1 * t), [x], [1.0])
    assert (value, slope) == pytest.approx((f([Value(x)]).data, grad(f([xv := Value(x)]), [xv])[0]))


def test_grad_equals_backward_bit_for_bit_and_leaves_grad_alone() -> None:
    x, y = Value(0.3, "x"), Value(-1.2, "y")
    f = ((x * y).tanh() + x / y) * (x + 2.0).log() + engine.dot([x, y], [y, 3.0])
    floats = grad(f, [x, y])
    assert x.grad == 0.0 and y.grad == 0.0  # nothing stored
    f.backward()
    assert floats == [x.grad, y.grad]


def test_second_derivative_by_hand_and_by_create_graph() -> None:
    x = Value(0.5, "x")
    y = x.tanh()
    (dy,) = grad(y, [x], create_graph=True)
    (d2y,) = grad(dy, [x])
    t = math.tanh(0.5)
    assert dy.data == pytest.approx(1 - t * t, rel=1e-15)
    assert d2y == pytest.approx(-2 * t * (1 - t * t), rel=1e-14)
    assert isinstance(x.grad, float) and x.grad == 0.0


def test_create_graph_gradient_can_be_drawn() -> None:
    from viz import draw_graph

    x = Value(2.0, "x")
    (dy,) = grad(x * x * x, [x], create_graph=True)
    source = draw_graph(dy).source
    assert "12" in source and "x" in source and dy.data == 12.0


def test_grad_of_an_unused_input_is_zero_and_constants_give_constant_values() -> None:
    x, y = Value(1.0), Value(2.0)
    assert grad(x * 3.0, [x, y]) == [3.0, 0.0]
    gx, gy = grad(x * 3.0, [x, y], create_graph=True)
    assert (gx.data, gy.data) == (3.0, 0.0) and grad(gx, [x]) == [0.0]


def test_grad_create_graph_refuses_no_grad_and_bad_arguments() -> None:
    x = Value(1.0)
    with engine.no_grad():
        y = x * x
    with engine.no_grad(), pytest.raises(RuntimeError, match="outside no_grad"):
        grad(x * x, [x], create_graph=True)
    with pytest.raises(TypeError, match="inputs must be a list of Values"):
        grad(y, x)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="output must be a Value"):
        grad(1.0, [x])  # type: ignore[arg-type]


def test_a_derivative_on_floats_only_says_so_at_second_order() -> None:
    op = define_op("sin_demo", math.sin, lambda x, out: math.cos(x))
    try:
        x = Value(0.4)
        assert grad(op(x), [x]) == [math.cos(0.4)]  # first order works
        with pytest.raises(TypeError, match="derivative of op 'sin_demo' does not run on Values"):
            grad(op(x), [x], create_graph=True)
    finally:
        remove_op("sin_demo")


def test_a_user_op_written_with_engine_ops_gets_second_derivatives() -> None:
    softplus = define_op(
        "softplus_demo",
        lambda a: math.log1p(math.exp(a)),
        lambda a, out: a.sigmoid() if isinstance(a, Value) else 1.0 / (1.0 + math.exp(-a)),
    )
    try:
        report = gradcheck(lambda v: softplus(v[0] * v[1]), [0.3, -0.8], order=2)
        assert report.passed and len(report.second_order) == 4
    finally:
        remove_op("softplus_demo")


def test_gradcheck_order_two_catches_a_derivative_whose_value_form_is_wrong() -> None:
    # On floats 2x (right); on Values a constant (wrong: its derivative would be 0).
    square = define_op(
        "square_demo", lambda a: a * a, lambda a, out: 2.0 * (a.data if isinstance(a, Value) else a)
    )
    try:
        assert gradcheck(lambda v: square(v[0]), [0.8]).passed
        with pytest.raises(GradcheckError, match="d2/dx0 dx0"):
            gradcheck(lambda v: square(v[0]), [0.8], order=2)
    finally:
        remove_op("square_demo")


def test_hessian_of_a_dot_and_a_sum() -> None:
    def f(a: Value, b: Value) -> Value:
        return engine.sum([engine.dot([a, b], [b, 2.0], bias=a), a * a * b])

    # f = ab + 2b + a + a^2 b: H = [[2b, 1 + 2a], [1 + 2a, 0]]
    assert hessian(f, [1.5, -0.5]) == [[-1.0, 4.0], [4.0, 0.0]]


def test_dual_numbers_refuse_what_values_refuse() -> None:
    with pytest.raises(ValueError, match=r"log\(\) needs a positive input"):
        jvp(lambda x: x.log(), [-1.0], [1.0])
    with pytest.raises(ValueError, match="tangent needs one number per input"):
        jvp(lambda x: x, [1.0], [1.0, 2.0])
    assert repr(Dual(1.0, 2.0)) == "Dual(data=1.0, tangent=2.0)"


def test_forward_mode_needs_one_pass_per_input_and_reverse_one_per_output() -> None:
    """n inputs, one output: n jvp passes give the gradient that one reverse pass gives."""

    def f(*xs):  # type: ignore[no-untyped-def]
        # The table's sum takes dual numbers too (engine.sum itself takes Values).
        return engine.OPS_BY_NAME["sum"](
            *[(x * w).tanh() for x, w in zip(xs, (0.5, -1.0, 2.0, 0.25))]
        )

    point = [0.1, 0.2, -0.3, 0.4]
    columns = [jvp(f, point, [float(i == j) for j in range(4)])[1] for i in range(4)]
    _, row = vjp(f, point, [1.0])
    assert columns == pytest.approx(row, rel=1e-14)


def test_a_user_derivative_with_a_comparison_runs_on_values_at_every_order() -> None:
    # A leaky relu whose derivative compares its input: outside op rules a comparison
    # of Values raises (it teaches `.data`), inside them it reads the numbers.
    leaky = define_op(
        "leaky_demo",
        lambda a: a if a > 0.0 else 0.1 * a,
        lambda a, out: 1.0 if a > 0.0 else 0.1,
        kinks=(0.0,),
    )
    try:
        for at, slope in ((0.7, 1.0), (-0.7, 0.1)):
            x = Value(at, "x")
            (dy,) = grad(leaky(x * x * x), [x], create_graph=True)  # 3x^2 * slope
            (d2y,) = grad(dy, [x])  # 6x * slope
            assert dy.data == pytest.approx(3 * at * at * slope)
            assert d2y == pytest.approx(6 * at * slope)
        with pytest.raises(TypeError, match=r"compare their numbers, as in `x\.data > 0\.0`"):
            Value(1.0, "x") > 0.0  # noqa: B015 - the comparison is what raises
    finally:
        remove_op("leaky_demo")
