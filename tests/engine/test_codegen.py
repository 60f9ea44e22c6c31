"""Backprop as code: generated functions equal building the graph and calling backward()."""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import OPS, Value, define_op, dot
from engine.codegen import (
    OutsideDomain,
    compile,  # noqa: A004 - the function under test
    graph_source,
    to_source,
)
from engine.codegen.graph import construction_order, forward_order, structure
from engine.codegen.names import literal, quoted
from engine.codegen.symbolic import templates
from engine.ops import BUILTIN_NAMES, BUILTINS, Domain, remove_op
from engine.strategies import Expression, expressions
from engine.walk import interior_order

FIGURE_5 = "h = x + y; i = x * y; f = (h + i) * z"


def figure_5() -> tuple[Value, list[Value]]:
    """Figure 5 of the notes with their names: h, i, the sum labelled 'h + i', f."""
    x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
    h = x + y
    h.label = "h"
    i = x * y
    i.label = "i"
    s = h + i
    s.label = "h + i"
    f = s * z
    f.label = "f"
    return f, [x, y, z]


def on_graph(fn: Callable[..., Value], point: list[float], names: list[str]) -> Any:
    """What the graph gives at `point`: (value, grads), or the exception it raises."""
    try:
        values = [Value(p, name) for p, name in zip(point, names)]
        out = fn(*values)
        out.backward()
    except (ArithmeticError, ValueError, TypeError) as error:
        return error
    return out.data, tuple(v.grad for v in values)


def compiled_result(f: Callable[..., Any], point: list[float]) -> Any:
    try:
        return f(*point)
    except (ArithmeticError, ValueError, TypeError) as error:
        return error


def assert_same(got: Any, want: Any) -> None:
    """The same floats, or the same exception with the same message."""
    if isinstance(want, Exception):
        assert type(got) is type(want) and str(got) == str(want), (got, want)
    else:
        assert got == want, (got, want)


# ------------------------------------------------------------------- Figure 5


def test_figure_5_reads_as_the_notes_name_it() -> None:
    f, inputs = figure_5()
    body = [line.strip() for line in graph_source(f, inputs).splitlines()]
    forward = ["h = x + y", "i = x * y", "t1 = h + i  # 'h + i'", "f = t1 * z"]
    start = body.index(forward[0])
    assert body[start : start + 4] == forward
    backward = [
        "d_t1 += z * d_f  # d f / d t1 = z",
        "d_z += t1 * d_f  # d f / d z = t1",
        "d_h += d_t1  # d t1 / d h = 1",
        "d_i += d_t1  # d t1 / d i = 1",
        "d_x += d_h  # d h / d x = 1",
        "d_y += d_h  # d h / d y = 1",
        "d_x += y * d_i  # d i / d x = y",
        "d_y += x * d_i  # d i / d y = x",
    ]
    start = body.index(backward[0])
    assert body[start : start + 8] == backward  # one += per edge, backward()'s order
    assert body[-1] == "return f, (d_x, d_y, d_z)"


def test_figure_5_compiled_gives_the_notes_numbers() -> None:
    f = compile(lambda x, y, z: ((x + y) + (x * y)) * z, [2.0, 3.0, 4.0])
    assert f(2.0, 3.0, 4.0) == (44.0, (16.0, 12.0, 11.0))
    assert f(1.0, -2.0, 0.5) == (-1.5, (-0.5, 1.0, -3.0))


def test_the_edges_follow_the_order_backward_visits_the_nodes() -> None:
    f, inputs = figure_5()
    order = [node.label for node in reversed(interior_order(f))]
    assert order == ["f", "h + i", "h", "i"]
    text = graph_source(f, inputs)
    firsts = [text.index(f"# d {name} /") for name in ("f", "t1", "h", "i")]
    assert firsts == sorted(firsts)


def test_compile_source_is_the_to_source_text() -> None:
    def fn(a: Value, b: Value) -> Value:
        return (a * b).tanh() - a

    assert compile(fn, [0.5, 2.0]).source == to_source(fn, [0.5, 2.0], standalone=False)


def test_names_come_from_labels_then_parameter_names() -> None:
    text = to_source(lambda a, b: a * b, [Value(1.0, "w"), 2.0], name="g", standalone=False)
    assert text.startswith("def g(w, b):")
    text = to_source(lambda *xs: xs[0] + xs[1], [1.0, 2.0], standalone=False)
    assert text.startswith("def f(x1, x2):")


def test_to_source_runs_when_pasted_into_a_file_of_its_own() -> None:
    """It used to call an undefined on_graph (and NAN, math) outside of compile()."""
    text = to_source(lambda x, y: (x * y).tanh() + (x / y).log(), [2.0, 3.0], name="g")
    namespace: dict[str, object] = {}
    exec(text, namespace)  # a fresh namespace: nothing of tracegrad's in it
    g = namespace["g"]
    assert callable(g)
    assert g(2.0, 3.0) == compile(lambda x, y: (x * y).tanh() + (x / y).log(), [2.0, 3.0])(2.0, 3.0)
    assert g(2, 3) == g(2.0, 3.0)  # ints are taken as floats, as compile() does
    with pytest.raises(ValueError, match="no finite value or gradient at"):
        g(-2.0, 3.0)  # log of a negative number: the pasted copy explains, not NameError


def test_reading_a_graph_changes_no_gradient() -> None:
    f, inputs = figure_5()
    f.backward()
    before = [v.grad for v in (f, *f.parents, *inputs)]
    graph_source(f, inputs)
    assert [v.grad for v in (f, *f.parents, *inputs)] == before


# ------------------------------------------------------------------- properties


def _point_near(expr: Expression, shifts: list[float]) -> list[float]:
    return [x + d for x, d in zip(expr.inputs, shifts)]


@settings(max_examples=60)
@given(
    expressions(max_inputs=3),
    st.lists(st.floats(-0.2, 0.2), min_size=3, max_size=3),
    st.lists(st.floats(-4.0, 4.0), min_size=3, max_size=3),
)
def test_compiled_equals_backward_at_fresh_points(
    expr: Expression, near: list[float], far: list[float]
) -> None:
    names = [f"v{i}" for i in range(expr.n_inputs)]

    def fn(*xs: Value) -> Value:
        return expr(list(xs))

    f = compile(fn, [Value(x, name) for x, name in zip(expr.inputs, names)])
    for point in (list(expr.inputs), _point_near(expr, near), far[: expr.n_inputs]):
        assert_same(compiled_result(f, point), on_graph(fn, point, names))


@settings(max_examples=40)
@given(expressions(max_inputs=3))
def test_the_walk_is_backwards_walk(expr: Expression) -> None:
    root = expr([Value(x) for x in expr.inputs])
    walked = interior_order(root)  # also behind a relu that is off: the same at any point
    assert [id(v) for v in forward_order([root])] == [id(v) for v in walked]
    assert {id(v) for v in construction_order([root])} == {id(v) for v in forward_order([root])}


@pytest.mark.parametrize("op", [op for op in OPS if op.arity], ids=lambda op: op.name)
def test_traced_code_computes_what_the_table_computes(op: engine.Op) -> None:
    xs = [-2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 2.0, 3.5]
    assert op.arity is not None and op.derivative is not None
    for args in ([a] for a in xs) if op.arity == 1 else ([a, b] for a in xs for b in xs):
        try:
            out = op.forward(*args)
            want = op.derivative(*args, out)
        except (ArithmeticError, ValueError):
            continue
        if isinstance(out, complex) or (op.name == "**" and args[0] <= 0.0):
            continue  # a Value base must be positive: the graph never computes these
        names = dict(zip("ab", map(repr, args)), out=repr(out), forward="forward")
        scope = {"math": math, "forward": op.forward}
        forward, partials = templates(op)
        assert eval(forward.format(**names), scope) == out
        derivs = [eval(t.format(**names), scope) for t in partials]
        assert derivs == (list(want) if op.arity == 2 else [want])


# ------------------------------------------------------------ run-time decisions


def test_relu_step_and_abs_are_decided_at_run_time() -> None:
    def fn(x: Value) -> Value:
        return x.relu() * 3.0 + x.step() * x + abs(x - 1.0)

    f = compile(fn, [2.0])
    for point in (-2.0, -0.0, 0.0, 0.5, 1.0, 3.0):
        assert_same(f(point), on_graph(fn, [point], ["x"]))


def test_python_control_flow_on_data_is_frozen_at_tracing() -> None:
    def leaky(x: Value) -> Value:
        return x if x.data > 0 else x * 0.1

    f = compile(leaky, [2.0])  # traced on the positive branch
    assert f(-3.0) == (-3.0, (1.0,))  # still the positive branch: frozen
    with pytest.raises(ValueError, match="different graph at"):
        compile(leaky, [2.0], check_points=[(-3.0,)])
    assert compile(lambda x: x.relu(), [2.0], check_points=[(-3.0,), (0.0,)])(-3.0) == (
        0.0,
        (0.0,),
    )


def test_a_constant_taken_from_data_is_part_of_the_shape() -> None:
    def shifted(x: Value, y: Value) -> Value:
        m = max(x.data, y.data)
        return (x - m).exp() + (y - m).exp()

    with pytest.raises(ValueError, match=r"depends on \.data"):
        compile(shifted, [1.0, 2.0], check_points=[(3.0, 2.0)])


# -------------------------------------------------------------------- errors


FAILING: list[tuple[Callable[..., Value], list[float], list[float]]] = [  # fn, good, bad
    (lambda x: x.log(), [1.5], [-2.0]),
    (lambda x: x.log(), [1.5], [0.0]),
    (lambda x, y: x / y, [1.0, 2.0], [1.0, 0.0]),
    (lambda x: 1.0 / x, [2.0], [0.0]),
    (lambda x: x**0.5, [2.0], [-4.0]),
    (lambda x: x**0.5, [2.0], [0.0]),
    (lambda x: x**-1, [2.0], [0.0]),
    (lambda x, y: x**y, [2.0, 3.0], [-2.0, 2.0]),
    (lambda x, y: x**y, [2.0, 3.0], [0.0, 2.0]),
    (lambda x: (x * 1000.0).exp(), [0.5], [1.0]),
    (lambda x: x * x, [3.0], [1e200]),
    (lambda x: (x * x).tanh(), [0.5], [1e200]),  # the overflow is inside: tanh(inf) is 1
    (lambda x: x + 1.7e308, [1.0], [1.7e308]),
    (lambda x: x**400, [1.5], [10.0]),
    (lambda x: 2.0**x, [3.0], [5000.0]),
    (lambda x, y: engine.sum([x, y]), [1.0, 2.0], [1.7e308, 1.7e308]),
    (lambda x, y: dot([x, y], [x, y]), [1.0, 2.0], [1e200, 1.0]),
    (lambda x: 1.0 / x, [2.0], [1e-200]),  # a finite value, an infinite gradient,
]


@pytest.mark.parametrize(("fn", "good", "bad"), FAILING)
def test_outside_a_domain_it_raises_the_graphs_error(
    fn: Callable[..., Value], good: list[float], bad: list[float]
) -> None:
    names = ["x", "y"][: len(bad)]
    f = compile(fn, good)
    want = on_graph(fn, bad, names)
    assert isinstance(want, Exception)
    assert_same(compiled_result(f, bad), want)
    assert_same(f(*good), on_graph(fn, good, names))


def test_the_log_error_names_the_op_and_the_operand() -> None:
    f = compile(lambda x: (x - 3.0).log(), [5.0])
    with pytest.raises(ValueError, match=r"log\(\) needs a positive input, got Value\(data=-1.0\)"):
        f(2.0)


def test_a_non_finite_gradient_is_the_graphs_overflow_error() -> None:
    def fn(x: Value) -> Value:  # finite values; d/dx is 1e300 / x, and relu's is 0 below 0
        return (x.relu() + 1e-300).log() * 1e300

    f = compile(fn, [1.0])
    assert_same(f(1.0), on_graph(fn, [1.0], ["x"]))
    for point in (1e-20, -1e5):
        want = on_graph(fn, [point], ["x"])
        assert isinstance(want, OverflowError) and "backward()" in str(want)
        assert_same(compiled_result(f, [point]), want)


@pytest.mark.parametrize("bad", [True, "2", None, math.nan, math.inf])
def test_inputs_that_are_not_finite_floats_get_the_graphs_error(bad: Any) -> None:
    f = compile(lambda x: x * 2.0, [1.0])
    assert_same(compiled_result(f, [bad]), on_graph(lambda x: x * 2.0, [bad], ["x"]))


def test_ints_give_the_same_floats_as_the_graph() -> None:
    f = compile(lambda x, y: x * y + x, [1.0, 2.0])
    assert f(2, 3) == (8.0, (4.0, 2.0)) and type(f(2, 3)[0]) is float


def test_a_guard_raises_outside_domain_which_a_caller_can_catch() -> None:
    assert issubclass(OutsideDomain, ValueError)
    assert "raise OutsideDomain" in to_source(lambda x: x.log(), [1.0])


def test_a_guard_says_in_words_which_op_needs_what() -> None:
    assert "if x <= 0.0:  # 'log() needs a positive input'" in to_source(lambda x: x.log(), [1.0])
    assert "if x == 0.0:  # '/ needs a non-zero input'" in to_source(lambda x: 3.0 / x, [1.0])


# -------------------------------------------------------------- custom ops


@pytest.fixture
def sin() -> Iterator[engine.Op]:
    op = define_op("sin_cg", math.sin, lambda x, out: math.cos(x), domain=Domain(low=-3.0))
    yield op
    remove_op("sin_cg")


def test_an_op_defined_with_define_op_compiles(sin: engine.Op) -> None:
    def fn(x: Value) -> Value:
        return sin(x) * x

    f = compile(fn, [1.0])
    for point in (0.5, 2.0, -2.9, -3.0, -5.0):
        assert_same(compiled_result(f, [point]), on_graph(fn, [point], ["x"]))
    code = [line.split("#")[0] for line in f.source.splitlines()]
    assert not any("sin_cg" in line for line in code)  # bound under a generated name
    assert "t1 = float(op1(x))  # op 'sin_cg'" in f.source


def test_random_graphs_over_a_defined_op_compile_exactly(sin: engine.Op) -> None:
    @settings(max_examples=20, database=None, derandomize=True)
    @given(expressions(ops=["sin_cg", "*", "+", "log"], max_inputs=2), st.floats(-1.0, 1.0))
    def check(expr: Expression, shift: float) -> None:
        def fn(*xs: Value) -> Value:
            return expr(list(xs))

        names = [f"v{i}" for i in range(expr.n_inputs)]
        f = compile(fn, [Value(x, n) for x, n in zip(expr.inputs, names)])
        for point in (list(expr.inputs), [x + shift for x in expr.inputs]):
            assert_same(compiled_result(f, point), on_graph(fn, point, names))

    check()


def test_a_two_input_op_compiles() -> None:
    hyp = define_op("hypot_cg", math.hypot, lambda a, b, out: (a / out, b / out), arity=2)
    try:

        def fn(x: Value, y: Value) -> Value:
            return hyp(x, y) * x

        f = compile(fn, [3.0, 4.0])
        assert_same(f(3.0, 4.0), on_graph(fn, [3.0, 4.0], ["x", "y"]))
        assert_same(f(-1.0, 0.5), on_graph(fn, [-1.0, 0.5], ["x", "y"]))
    finally:
        remove_op("hypot_cg")


def test_a_user_op_named_like_a_helper_does_not_shadow_it() -> None:
    math_op = define_op("on_graph_op", lambda x: 2.0 * x, lambda x, out: 2.0)
    try:
        f = compile(lambda x: math_op(x).log(), [1.0])
        assert f(2.0) == (math.log(4.0), (0.5,))
        with pytest.raises(ValueError, match="log"):
            f(-1.0)
    finally:
        remove_op("on_graph_op")


# --------------------------------------------------------------- labels


INJECTIONS = [
    "\nimport os",
    "x\n__import__('os').system('echo hacked')",
    '"""',
    "x; import os",
    "# \r\nimport os",
    "\u2028import os",
    "math",
    "total",
    "on_graph",
    "abs",
    "d_x",
    "t1",
    "f",
    "L1.n0.w0",
    "Ω",
]


@pytest.mark.parametrize("label", INJECTIONS)
def test_a_label_never_becomes_code(label: str) -> None:
    x = Value(2.0, label)
    h = x * 3.0
    h.label = label
    out = (h + x).tanh()
    out.label = label
    text = graph_source(out, [x], standalone=False)
    header = graph_source(out, [x]).removesuffix(text)
    assert header == graph_source(Value(2.0, "x") * 1.0, [x]).removesuffix(
        graph_source(Value(2.0, "x") * 1.0, [x], standalone=False)
    )  # the lines that make it paste-able are the same whatever the labels
    tree = ast.parse(text)
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.FunctionDef)
    assert not any(isinstance(n, ast.Import | ast.ImportFrom) for n in ast.walk(tree))
    calls = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    assert calls <= {"type", "on_graph", "abs", "float"}
    for line in text.splitlines():
        code = line.split("#", 1)[0]
        assert "import" not in code and "system" not in code
    f = compile(lambda v: ((v * 3.0) + v).tanh(), [Value(2.0, label)])
    assert f(2.0) == on_graph(lambda v: ((v * 3.0) + v).tanh(), [2.0], [label])


def test_labels_shown_in_comments_are_escaped() -> None:
    x = Value(1.0, "x")
    y = x * 2.0
    y.label = "a\nb"
    assert "t1 = x * 2.0  # 'a\\nb'" in graph_source(y, [x])
    assert quoted("\u2028x") == "'\\u2028x'"


def test_the_function_name_must_be_a_plain_identifier() -> None:
    for bad in ["", "f g", "class", "math", "sum", "f\nimport os", 3]:
        with pytest.raises(ValueError, match="name must be a plain identifier"):
            to_source(lambda x: x * 2.0, [1.0], name=bad)  # type: ignore[arg-type]


# ---------------------------------------------------------- graphs of all kinds


def test_fused_sums_and_dots_compile() -> None:
    def fn(a: Value, b: Value, c: Value) -> Value:
        first = dot([a, b], [0.5, -2.0], bias=c)  # constants as inputs
        hidden = dot([a, b, c], [first, first.tanh(), b], bias=a)
        return engine.sum([first, hidden, a * b])

    f = compile(fn, [0.3, -0.7, 1.1])
    for point in ([0.3, -0.7, 1.1], [2.0, 1.0, -1.0]):
        assert_same(f(*point), on_graph(fn, point, ["a", "b", "c"]))


def test_weights_times_zero_constants_are_not_read_as_weights_times_inputs() -> None:
    # At the point (0, 0) every number is the same float object 0.0, so the local
    # derivatives of the dot look exactly like those of `a * b` (each the other's
    # value). The dot's own record must decide: a * 0.0 + b * 0.0 at every point.
    f = compile(lambda a, b: dot([a, b], [0.0, 0.0]), [0.0, 0.0])
    assert f(1.0, 2.0) == (0.0, (0.0, 0.0))
    g = compile(lambda a, b: dot([a], [b]), [0.0, 0.0])
    assert g(1.0, 2.0) == (2.0, (2.0, 1.0))


def test_plain_numbers_in_sums_and_dots_are_written_into_the_code() -> None:
    f = compile(
        lambda a, b: engine.sum([a, 2.0, b]) * dot([a, 2.0], [b, 4.0], bias=0.5), [1.0, 3.0]
    )
    assert "t1 = 2.0 + a + b" in f.source  # sum() adds its numbers first
    assert "t2 = a * b + 8.5" in f.source  # dot(): 2.0 * 4.0 + 0.5, after the products
    for point in ([1.0, 3.0], [-0.5, 0.25]):
        assert_same(
            f(*point),
            on_graph(
                lambda a, b: engine.sum([a, 2.0, b]) * dot([a, 2.0], [b, 4.0], bias=0.5),
                point,
                ["a", "b"],
            ),
        )


small_floats = st.floats(min_value=-4.0, max_value=4.0, allow_nan=False)
mixed_terms = st.lists(
    st.tuples(st.booleans(), st.booleans(), small_floats, small_floats), min_size=1, max_size=5
)


@given(mixed_terms, st.none() | small_floats, st.lists(small_floats, min_size=1, max_size=4))
def test_sums_and_dots_mixing_values_and_numbers_compile_exactly(
    terms: list[tuple[bool, bool, float, float]], bias: float | None, numbers: list[float]
) -> None:
    # Each term of the dot is a weight and an input, either one an input Value or a
    # plain number; the sum mixes the dot with plain numbers. The code must give the
    # graph's floats at a fresh point, the numbers folded in where the graph adds them.
    n = len(terms)

    def fn(*v: Value) -> Value:
        ws = [v[i] if w_is_value else w for i, (w_is_value, _, w, _) in enumerate(terms)]
        xs = [v[n + i] if x_is_value else x for i, (_, x_is_value, _, x) in enumerate(terms)]
        return engine.sum([numbers[0], dot(ws, xs, bias=bias), *numbers[1:]])

    point = [t[2] for t in terms] + [t[3] for t in terms]
    # Products of two Values beside products with one plain number compile too: the
    # dot node records which parent multiplies which (Value.terms).
    f = compile(fn, point)
    names = [f"v{i}" for i in range(2 * n)]
    for at in (point, [x * 0.5 - 0.25 for x in point]):
        assert_same(f(*at), on_graph(fn, at, names))


def test_constant_values_made_inside_fn_are_written_into_the_code() -> None:
    def fn(x: Value) -> Value:
        return x * Value(2.5, "scale") + Value(1.0)

    f = compile(fn, [3.0])
    assert "scale = 2.5  # a constant Value" in f.source
    assert f(3.0) == (8.5, (2.5,))


def test_a_function_returning_an_input_or_a_constant() -> None:
    assert compile(lambda x, y: y, [1.0, 2.0])(5.0, 7.0) == (7.0, (0.0, 1.0))
    assert compile(lambda x: Value(3.0), [1.0])(5.0) == (3.0, (0.0,))
    with pytest.raises(TypeError, match="must return a Value"):
        compile(lambda x: 3.0, [1.0])  # type: ignore[arg-type,return-value]


def test_a_sum_of_thousands_of_terms_compiles() -> None:
    def fn(x: Value) -> Value:
        return engine.sum([x * float(k) for k in range(5000)])

    assert compile(fn, [1.0])(2.0) == on_graph(fn, [2.0], ["x"])


def test_tracing_inside_no_grad_is_refused() -> None:
    with engine.no_grad(), pytest.raises(RuntimeError, match="no_grad"):
        compile(lambda x: x * 2.0, [1.0])


def test_the_shape_of_a_graph() -> None:
    def shape(fn: Callable[..., Value], point: list[float]) -> Any:
        xs = [Value(p) for p in point]
        return structure([fn(*xs)], xs)

    assert shape(lambda x: x.relu() * 2.0, [1.0]) == shape(lambda x: x.relu() * 2.0, [-1.0])
    assert shape(lambda x: x * 2.0, [1.0]) != shape(lambda x: x * 3.0, [1.0])
    assert shape(lambda x, y: x * y, [1.0, 2.0]) != shape(lambda x, y: y * x, [1.0, 2.0])


def test_literals_are_exact() -> None:
    for x in (0.1, -0.0, 1e-320, -1.7976931348623157e308, 1 / 3):
        assert eval(literal(x)) == x
    with pytest.raises(ValueError, match="non-finite"):
        literal(math.inf)


def test_every_builtin_op_is_traced_into_code_and_none_is_written_by_hand() -> None:
    traced = {op.name: templates(op) for op in BUILTINS if op.arity}
    assert sorted(BUILTIN_NAMES - set(traced)) == ["dot", "sum"]  # written by the generator
    assert traced["tanh"] == ("math.tanh({a})", ("1.0 - {out} * {out}",))
    assert traced["relu"] == ("{a} if {a} > 0.0 else 0.0", ("1.0 if {a} > 0.0 else 0.0",))
    assert not any(hasattr(op, "code") for op in BUILTINS)
