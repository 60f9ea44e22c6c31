"""The same floats on every supported Python, and compiled code equal to the graph.

`engine.sum`, `dot`, `matvec` and `matvec_batch` add left to right with one rounding per
`+` (Python 3.12's built-in `sum()` of floats compensates, and would give other floats);
generated code computes exactly what the graph computes, bit for bit, signed zeros too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import reduce
from operator import add
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
import nn
from engine import Value, define_op
from engine.fused import add_in_order
from engine.ops import remove_op

# Numbers from 1e-300 to 1e300, both signs, signed zeros, and terms that cancel.
SPECIAL = [0.0, -0.0, 1.0, -1.0, 1e16, -1e16, 1e-300, -1e-300, 1e300, -1e300, 0.1, 3.0]
numbers = st.one_of(
    st.sampled_from(SPECIAL),
    st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False),
    st.floats(-10.0, 10.0, allow_nan=False),
)


def bits(result: Any) -> Any:
    """A result with every float as its hex text: equal only if equal bit for bit."""
    if isinstance(result, float):
        return result.hex()
    if isinstance(result, tuple):
        return tuple(bits(r) for r in result)
    return (type(result), str(result))  # an exception: its type and message


def graph_result(fn: Callable[..., Value], point: Sequence[float]) -> Any:
    try:
        xs = [Value(p, f"x{i}") for i, p in enumerate(point, 1)]  # as compile names them
        out = fn(*xs)
        out.backward()
    except (ArithmeticError, ValueError) as error:
        return error
    return out.data, tuple(x.grad for x in xs)


def compiled_result(f: Callable[..., Any], point: Sequence[float]) -> Any:
    try:
        return f(*point)
    except (ArithmeticError, ValueError) as error:
        return error


# --------------------------------------------------------------- the summation rule


@given(st.lists(numbers, max_size=12), st.one_of(st.none(), numbers))
def test_add_in_order_adds_left_to_right_with_one_rounding_per_plus(
    terms: list[float], start: float | None
) -> None:
    want = reduce(add, terms, -0.0 if start is None else start)
    got = add_in_order(terms) if start is None else add_in_order(terms, start)
    assert bits(got) == bits(want)


@given(st.lists(numbers, min_size=1, max_size=10))
def test_sum_and_dot_follow_the_rule_written_out(xs: list[float]) -> None:
    values = [Value(x) for x in xs]
    try:
        s = engine.sum(values).data
    except OverflowError:
        assert not math.isfinite(reduce(add, xs))
    else:
        assert bits(s) == bits(reduce(add, xs))
    ws = [Value(0.5 if i % 2 else -3.0) for i in range(len(xs))]
    try:
        d = engine.dot(ws, xs, bias=ws[0]).data
    except OverflowError:
        return
    want = reduce(add, [w.data * x for w, x in zip(ws, xs)]) + ws[0].data
    assert bits(d) == bits(want)
    assert bits(engine.matvec([ws], xs, [ws[0]])[0].data) == bits(d)
    assert bits(engine.matvec_batch([ws], [xs], [ws[0]])[0][0].data) == bits(d)


def test_a_sum_that_cancels_is_the_same_on_every_python() -> None:
    # Python 3.12+'s sum() gives 1.0 here; the written-out additions give 0.0.
    big = engine.sum([Value(1e16), Value(1.0), Value(-1e16)])
    assert big.data == (1e16 + 1.0) + -1e16 == 0.0
    f = engine.compile(lambda a, b, c: engine.sum([a, b, c]), [1.0, 2.0, 3.0])
    assert f(1e16, 1.0, -1e16) == (0.0, (1.0, 1.0, 1.0))


def test_a_sum_with_a_plain_number_compiles_on_every_python() -> None:
    # Refused on 3.12+ before: its parents and constant did not add up to its data.
    def fn(x: Value) -> Value:
        return engine.sum([x, 1.0, x, x, x])

    f = engine.compile(fn, [1.297])
    assert bits(f(1.297)) == bits(graph_result(fn, [1.297]))


def test_a_relu_network_compiles_and_trains_on_every_python() -> None:
    X, y = nn.spiral(20, classes=3, seed=0)
    model = nn.MLP(2, [32, 16, 3], activation="relu", seed=0)
    history = nn.fit(model, X, y, epochs=1, progress=False, compile=True)
    assert len(history.loss) == 1 and math.isfinite(history.loss[0])


def test_a_sum_of_one_negative_zero_is_negative_zero_compiled_too() -> None:
    def fn(x: Value) -> Value:
        return engine.sum([x * -1.0])

    f = engine.compile(fn, [1.0])
    assert bits(f(0.0)) == bits(graph_result(fn, [0.0])) == bits((-0.0, (-1.0,)))


# ------------------------------------------------- compiled == graph, bit for bit


@st.composite
def programs(draw: st.DrawFn) -> tuple[Callable[..., Value], list[float]]:
    """A random function of three inputs made of sums, dots, products and plain
    numbers (and a few smooth ops), with a point to evaluate it at."""
    plan = []
    n_nodes = draw(st.integers(1, 6))
    for k in range(n_nodes):
        kind = draw(st.sampled_from(["sum", "dot", "*", "+", "tanh", "relu", "step"]))
        width = draw(st.integers(1, 4))
        refs = draw(st.lists(st.integers(0, 2 + k), min_size=width, max_size=width))
        consts = draw(st.lists(st.one_of(st.none(), numbers), min_size=width, max_size=width))
        plan.append((kind, refs, consts, draw(st.one_of(st.none(), numbers))))

    def fn(*xs: Value) -> Value:
        nodes: list[Value] = list(xs)
        for kind, refs, consts, extra in plan:
            args: list[Value | float] = [nodes[r] if c is None else c for r, c in zip(refs, consts)]
            if not any(isinstance(a, Value) for a in args):
                args[0] = nodes[refs[0]]
            if kind == "sum":
                nodes.append(engine.sum(args))
            elif kind == "dot":
                ws = [nodes[r] for r in refs]
                nodes.append(engine.dot(ws, args, bias=extra))
            elif kind == "*":
                nodes.append(nodes[refs[0]] * args[-1])
            elif kind == "+":
                nodes.append(args[-1] + nodes[refs[0]])
            else:
                nodes.append(getattr(nodes[refs[0]], kind)())
        return engine.sum([*nodes[3:], xs[0]])

    point = draw(st.lists(numbers, min_size=3, max_size=3))
    return fn, point


@settings(max_examples=150)
@given(programs(), st.lists(numbers, min_size=3, max_size=3))
def test_compiled_equals_the_graph_bit_for_bit(
    program: tuple[Callable[..., Value], list[float]], other: list[float]
) -> None:
    fn, point = program
    try:
        f = engine.compile(fn, point)
    except (ArithmeticError, ValueError):
        return  # the graph cannot be built at this point: nothing to compile
    for at in (point, other):
        assert bits(compiled_result(f, at)) == bits(graph_result(fn, at))


# ------------------------------------------------------------ the fixes, one each


@pytest.mark.parametrize(("base", "exponent"), [(1e-300, 1.5), (1e-200, 2.0), (1e-160, 2.5)])
def test_a_power_of_a_tiny_base_keeps_its_gradient(base: float, exponent: float) -> None:
    exact = exponent * base ** (exponent - 1.0)
    x = Value(base)
    (x**exponent).backward()
    assert x.grad == pytest.approx(exact, rel=1e-14, abs=0.0)
    y = Value(base)
    (y ** Value(exponent)).backward()
    assert y.grad == pytest.approx(exact, rel=1e-14, abs=0.0)
    compiled = engine.compile(lambda v: v**exponent, [1.0])(base)
    assert bits(compiled[1][0]) == bits(x.grad)


def test_power_slope_is_unchanged_where_the_result_is_a_normal_float() -> None:
    x = Value(3.0)
    (x**2.5).backward()
    assert x.grad == 2.5 * 3.0**2.5 / 3.0


def test_a_compiled_function_raises_where_an_unused_node_raises() -> None:
    def fn(x: Value) -> Value:
        return (x.log(), x.relu())[1]

    f = engine.compile(fn, [1.0])
    with pytest.raises(ValueError, match=r"log\(\) needs a positive input"):
        fn(Value(-1.0))
    with pytest.raises(ValueError, match=r"log\(\) needs a positive input"):
        f(-1.0)
    assert f(2.0) == (2.0, (1.0,))
    assert "unused by the result" in f.source


def test_a_compiled_function_keeps_the_op_it_was_compiled_with_for_every_input() -> None:
    define_op("twice_demo", lambda x: 2.0 * x, lambda x, out: 2.0, replace=True)
    try:
        f = engine.compile(lambda x: engine.OPS_BY_NAME["twice_demo"](x), [1.0])
        define_op("twice_demo", lambda x: 3.0 * x, lambda x, out: 3.0, replace=True)
        assert f(2.0) == f(2) == (4.0, (2.0,))  # floats and ints alike
        with pytest.raises(RuntimeError, match=r"'twice_demo' was redefined .* compile it again"):
            f(math.nan)  # the graph would be needed, and its op has changed
    finally:
        remove_op("twice_demo")


@pytest.mark.parametrize(
    "make",
    [
        lambda x: x**0,
        lambda x: 1.0**x,
        lambda x: x ** Value(2.0),
        lambda x: Value(2.0) ** x,
        lambda x: x + 1.0,
        lambda x: x * Value(2.0),
        lambda x: x - x,
        lambda x: x / 2.0,
    ],
    ids=["x**0", "1**x", "x**V", "V**x", "x+1", "x*V", "x-x", "x/2"],
)
@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_non_finite_data_set_by_hand_is_named_as_an_input(
    make: Callable[[Value], Value], bad: float
) -> None:
    x = Value(1.0)
    x.data = bad
    with pytest.raises(ValueError, match=r"got a non-finite input Value\(data=(nan|inf)\)"):
        make(x)


def test_an_int_too_large_for_a_float_says_so() -> None:
    with pytest.raises(ValueError, match="Value data is too large for a float"):
        Value(10**400)
