"""Properties of the engine, checked with gradcheck over hypothesis-drawn inputs.

Every op of the table over its domain, random expression graphs, algebraic identities
and the fused n-ary ops against their binary spelling. The number of examples comes
from the hypothesis profile in tests/conftest.py ("ci" by default).
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine import OPS_BY_NAME, Domain, Op, Value, gradcheck, no_grad
from engine.ops import BUILTIN_NAMES
from engine.strategies import Expression, expressions, values

WINDOW = 30.0  # where a domain is unbounded, draw from [-WINDOW, WINDOW]
EDGE = 1e-3  # how close a drawn argument comes to a domain edge or kink

REALS = Domain()
POSITIVE = Domain(low=0.0)
NONZERO = Domain(exclude=(0.0,))

Build = Callable[[list[Value]], Value]


def _arg_counts(spec: Op) -> list[int]:
    """The argument counts to try: the arity, or what an n-ary row accepts up to 6."""
    if spec.arity is not None:
        return [spec.arity]
    counts = []
    for k in range(1, 7):
        try:
            with no_grad():
                spec.apply(*[Value(1.0)] * k)
        except ValueError:
            continue
        counts.append(k)
    return counts


def _in_domain(domain: Domain) -> st.SearchStrategy[Value]:
    """The whole domain (bounded sides as they are, open sides cut at WINDOW)."""
    lo = domain.low if math.isfinite(domain.low) else -WINDOW
    hi = domain.high if math.isfinite(domain.high) else WINDOW
    return values(min_value=lo, max_value=hi, domain=domain, margin=EDGE)


def _step_size(points: Sequence[float], domains: Sequence[Domain]) -> float:
    """A finite-difference step that shrinks near an edge, so it never crosses one."""
    room = 1.0
    for x, domain in zip(points, domains):
        edges = [e for e in (domain.low, domain.high, *domain.exclude) if math.isfinite(e)]
        room = min([room, *(abs(x - e) for e in edges)])
    return 1e-6 * room


def _run(build: Build, point: Sequence[float]) -> tuple[float, list[float]]:
    """The output and the gradient of every input, from fresh leaves."""
    leaves = [Value(x) for x in point]
    out = build(leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


# ------------------------------------------------------------------------ every op


@pytest.mark.parametrize(
    "spec", [OPS_BY_NAME[n] for n in sorted(BUILTIN_NAMES)], ids=lambda spec: spec.name
)
@given(data=st.data())
def test_every_op_matches_finite_differences_over_its_domain(spec: Op, data: st.DataObject) -> None:
    k = data.draw(st.sampled_from(_arg_counts(spec)), label="argument count")
    domains = [spec.smooth_domain(i) for i in range(k)]
    args = [data.draw(_in_domain(d), label=f"argument {i}") for i, d in enumerate(domains)]
    points = [a.data for a in args]
    report = gradcheck(lambda xs: spec.apply(*xs), points, eps=_step_size(points, domains))
    assert report.output == pytest.approx(spec.forward(*points), rel=1e-9, abs=1e-12)


CONSTANT_FORMS: list[tuple[str, Callable[[Value, float], Value], Domain, Domain]] = [
    ("x + c", lambda x, c: x + c, REALS, REALS),
    ("c + x", lambda x, c: c + x, REALS, REALS),
    ("x - c", lambda x, c: x - c, REALS, REALS),
    ("c - x", lambda x, c: c - x, REALS, REALS),
    ("x * c", lambda x, c: x * c, REALS, REALS),
    ("c * x", lambda x, c: c * x, REALS, REALS),
    ("x / c", lambda x, c: x / c, REALS, NONZERO),
    ("c / x", lambda x, c: c / x, NONZERO, REALS),
    ("x ** 2", lambda x, c: x**2, REALS, REALS),
    ("x ** -1", lambda x, c: x**-1, NONZERO, REALS),
    ("x ** c", lambda x, c: x**c, POSITIVE, REALS),
]


@pytest.mark.parametrize(
    ("form", "domain", "c_domain"),
    [(f, d, cd) for _, f, d, cd in CONSTANT_FORMS],
    ids=[name for name, *_ in CONSTANT_FORMS],
)
@given(data=st.data())
def test_ops_with_a_constant_operand_match_finite_differences(
    form: Callable[[Value, float], Value], domain: Domain, c_domain: Domain, data: st.DataObject
) -> None:
    x = data.draw(values(min_value=-5.0, max_value=5.0, domain=domain, margin=EDGE), label="x")
    c = data.draw(values(min_value=-3.0, max_value=3.0, domain=c_domain, margin=0.1), label="c")
    gradcheck(lambda xs: form(xs[0], c.data), [x], eps=_step_size([x.data], [domain]))


# ----------------------------------------------------------------- random graphs


@pytest.mark.parametrize(
    "strategy",
    [expressions(max_leaves=10), expressions(max_inputs=6, max_leaves=16, max_fanin=8)],
    ids=["deep", "wide"],
)
@given(data=st.data())
def test_random_expression_graphs_match_finite_differences(
    strategy: st.SearchStrategy[Expression], data: st.DataObject
) -> None:
    expr = data.draw(strategy, label="expression")
    gradcheck(expr, expr.inputs)


# -------------------------------------------------------------------- identities


@given(expressions())
def test_neutral_elements_leave_values_and_gradients_unchanged(expr: Expression) -> None:
    expected = _run(expr, expr.inputs)
    for build in (
        lambda xs: expr(xs) * 1,
        lambda xs: 1.0 * expr(xs),
        lambda xs: expr(xs) * Value(1.0),
        lambda xs: expr(xs) + 0,
        lambda xs: 0.0 + expr(xs),
        lambda xs: expr(xs) + Value(0.0),
    ):
        assert _run(build, expr.inputs) == expected


@given(expressions())
def test_x_minus_x_is_zero_with_zero_gradients(expr: Expression) -> None:
    def build(xs: list[Value]) -> Value:
        x = expr(xs)
        return x - x

    value, grads = _run(build, expr.inputs)
    assert value == 0.0
    assert grads == [0.0] * expr.n_inputs


@given(expressions())
def test_x_over_x_is_one_with_zero_gradients(expr: Expression) -> None:
    def build(xs: list[Value]) -> Value:
        x = expr(xs)
        y = x * x + 1.0  # never 0
        return y / y

    value, grads = _run(build, expr.inputs)
    assert value == 1.0
    assert grads == pytest.approx([0.0] * expr.n_inputs, abs=1e-12)


@given(expressions())
def test_exp_of_log_is_the_identity_for_values_and_gradients(expr: Expression) -> None:
    def positive(xs: list[Value]) -> Value:
        x = expr(xs)
        return x * x + 0.5

    value, grads = _run(positive, expr.inputs)
    round_trip, round_trip_grads = _run(lambda xs: positive(xs).log().exp(), expr.inputs)
    assert round_trip == pytest.approx(value, rel=1e-12)
    assert round_trip_grads == pytest.approx(grads, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("op", [operator.add, operator.mul], ids=["add", "mul"])
@given(a=expressions(), b=expressions())
def test_add_and_mul_commute_in_values_and_gradients(
    op: Callable[[Value, Value], Value], a: Expression, b: Expression
) -> None:
    n = a.n_inputs
    point = a.inputs + b.inputs
    ab = _run(lambda xs: op(a(xs[:n]), b(xs[n:])), point)
    ba = _run(lambda xs: op(b(xs[n:]), a(xs[:n])), point)
    assert ab[0] == ba[0]
    assert ab[1] == pytest.approx(ba[1], rel=1e-12, abs=1e-300)


# -------------------------------------------------------- fused n-ary vs binary

_coordinates = st.lists(st.floats(-10.0, 10.0), min_size=1, max_size=4)


@given(point=_coordinates, data=st.data())
def test_fused_sum_agrees_with_chained_additions(point: list[float], data: st.DataObject) -> None:
    index = st.integers(0, len(point) - 1)
    picks = data.draw(st.lists(index, min_size=1, max_size=6), label="terms")  # repeats fan in
    constant = data.draw(st.none() | st.floats(-5.0, 5.0), label="constant")

    def terms(xs: list[Value]) -> list[Value]:
        # Odd terms go through tanh, so interior nodes feed the sum as well as leaves.
        return [xs[i].tanh() if j % 2 else xs[i] for j, i in enumerate(picks)]

    def fused(xs: list[Value]) -> Value:
        return engine.sum([*terms(xs), *([] if constant is None else [constant])])

    def chained(xs: list[Value]) -> Value:
        total = functools.reduce(operator.add, terms(xs))
        return total if constant is None else total + constant

    (v1, g1), (v2, g2) = _run(fused, point), _run(chained, point)
    assert v1 == pytest.approx(v2, rel=1e-12, abs=1e-12)
    assert g1 == pytest.approx(g2, rel=1e-12, abs=1e-12)


@given(point=_coordinates, data=st.data())
def test_fused_dot_agrees_with_chained_products(point: list[float], data: st.DataObject) -> None:
    index = st.integers(0, len(point) - 1)
    k = data.draw(st.integers(1, 5), label="length")
    w_picks = data.draw(st.lists(index, min_size=k, max_size=k), label="weights")
    x_picks = data.draw(st.lists(index, min_size=k, max_size=k), label="inputs")
    constant_weights = data.draw(st.booleans(), label="constant weights")
    bias_pick = data.draw(st.none() | index, label="bias")

    def parts(xs: list[Value]) -> tuple[list[Value | float], list[Value], Value | None]:
        ws: list[Value | float] = [
            xs[i].data if constant_weights else xs[i].sigmoid() for i in w_picks
        ]
        return ws, [xs[i] for i in x_picks], None if bias_pick is None else xs[bias_pick]

    def fused(xs: list[Value]) -> Value:
        ws, ins, bias = parts(xs)
        return engine.dot(ws, ins, bias)

    def chained(xs: list[Value]) -> Value:
        ws, ins, bias = parts(xs)
        total = functools.reduce(operator.add, [w * x for w, x in zip(ws, ins)])
        return total if bias is None else total + bias

    (v1, g1), (v2, g2) = _run(fused, point), _run(chained, point)
    assert v1 == pytest.approx(v2, rel=1e-12, abs=1e-12)
    assert g1 == pytest.approx(g2, rel=1e-12, abs=1e-12)
