"""The op registry: define_op end to end, the errors it gives, and Value subclasses."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from hypothesis import given, settings

import engine
import nn
from engine import OPS_BY_NAME, Value, define_op, gradcheck, no_grad
from engine.ops import BUILTIN_NAMES, Domain, remove_op
from engine.strategies import Expression, expressions


@pytest.fixture
def sin() -> Iterator[engine.Op]:
    """A user's op, defined with one call and removed again after the test."""
    op = define_op("sin", math.sin, lambda x, out: math.cos(x), doc="sine")
    yield op
    remove_op("sin")


def test_one_define_op_call_gives_a_function_and_a_registry_entry(sin: engine.Op) -> None:
    x = Value(0.5, "x")
    y = sin(x)
    y.backward()
    assert (y.data, x.grad, y.op) == (math.sin(0.5), math.cos(0.5), "sin")
    assert OPS_BY_NAME["sin"] is sin and sin(0.5).data == math.sin(0.5)
    assert sin(Value(2.0)).data == math.sin(2.0)


def test_a_defined_op_is_drawn_gradchecked_and_drawn_in_random_expressions(
    sin: engine.Op,
) -> None:
    from viz import draw_graph

    x = Value(1.0, "x")
    f = sin(x) * x
    f.backward()
    assert "sin" in draw_graph(f).source
    assert gradcheck(lambda v: sin(v[0]) * v[1], [0.3, -1.2]).passed

    @settings(max_examples=15, database=None, derandomize=True)
    @given(expressions(ops=["sin", "*", "+"], max_inputs=2))
    def check(expr: Expression) -> None:
        gradcheck(expr, expr.inputs)

    check()


def test_a_defined_op_is_an_activation_with_and_without_no_grad(sin: engine.Op) -> None:
    model = nn.MLP(2, [3, 1], activation="sin", seed=0)
    X, y = [[1.0, 2.0], [-1.0, 0.5], [0.3, -0.2]], [1, -1, 1]
    recorded = [out[0].data for out in model.forward_batch(X)]
    with no_grad():
        plain = [out[0].data for out in model.forward_batch(X)]
    assert plain == recorded  # the float path uses the same forward: equal to the bit
    history = nn.fit(model, X, y, loss="hinge", epochs=3, progress=False)
    assert history.loss[-1] < history.loss[0]
    assert 0.0 <= nn.accuracy(model, X, y) <= 1.0


def test_a_two_input_op_takes_both_local_derivatives() -> None:
    hyp = define_op(
        "hypot_demo",
        math.hypot,
        lambda a, b, out: (a / out, b / out),
        arity=2,
        domain=(Domain(), Domain()),
    )
    try:
        a, b = Value(3.0), Value(4.0)
        h = hyp(a, b)
        h.backward()
        assert (h.data, a.grad, b.grad) == (5.0, 0.6, 0.8)
        assert gradcheck(lambda v: hyp(v[0], v[1]), [1.5, -2.0]).passed
    finally:
        remove_op("hypot_demo")


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("tanh", ValueError, "a built-in op named 'tanh' already exists"),
        ("backward", ValueError, "an op or Value attribute named 'backward' already exists"),
        ("not a name", ValueError, "must be a Python identifier"),
        ("class", ValueError, "must be a Python identifier"),
    ],
)
def test_define_op_refuses_names_that_are_taken_or_invalid(
    name: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        define_op(name, math.sin, lambda x, out: math.cos(x))


def test_define_op_refuses_a_user_op_twice_unless_asked_to_replace(sin: engine.Op) -> None:
    with pytest.raises(ValueError, match="pass replace=True"):
        define_op("sin", math.sin, lambda x, out: math.cos(x))
    again = define_op("sin", math.sin, lambda x, out: math.cos(x), replace=True)
    assert OPS_BY_NAME["sin"] is again
    with pytest.raises(ValueError, match="built-in op"):
        define_op("relu", abs, lambda x, out: 1.0, replace=True)


def test_define_op_checks_its_functions_arity_and_domain() -> None:
    with pytest.raises(TypeError, match="forward must be a function"):
        define_op("bad_demo", 3.0, lambda x, out: 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="arity 1 or 2"):
        define_op("bad_demo", math.sin, lambda x, out: 1.0, arity=3)
    with pytest.raises(TypeError, match="domain must be a Domain"):
        define_op("bad_demo", math.sin, lambda x, out: 1.0, domain="positive")  # type: ignore[arg-type]
    assert "bad_demo" not in OPS_BY_NAME


def test_a_defined_op_refuses_inputs_outside_its_domain_and_non_finite_results() -> None:
    root = define_op(
        "sqrt_demo",
        math.sqrt,
        lambda x, out: 0.5 / out,
        domain=Domain(low=0.0, text="a positive input"),
    )
    big = define_op("big_demo", math.cosh, lambda x, out: math.sinh(x))
    try:
        with pytest.raises(ValueError, match=r"sqrt_demo\(\) needs a positive input, got Value"):
            root(-1.0)
        with pytest.raises(OverflowError, match=r"big_demo\(\) overflows for Value\(data=1000.0\)"):
            big(1000.0)
    finally:
        remove_op("sqrt_demo")
        remove_op("big_demo")


def test_remove_op_refuses_built_in_and_unknown_ops() -> None:
    with pytest.raises(ValueError, match="built-in"):
        remove_op("exp")
    with pytest.raises(ValueError, match="no op named 'nope'"):
        remove_op("nope")


def test_value_methods_and_the_table_are_in_step() -> None:
    """Value writes its one-input methods out (for type checkers); each is its entry."""
    unary = {op.name for op in engine.ops.BUILTINS if op.arity == 1} - {"neg"}
    methods = {n for n in vars(Value) if not n.startswith("_") and n in BUILTIN_NAMES}
    assert methods == unary
    for name in sorted(unary):
        x = Value(0.7)
        by_method, by_table = getattr(x, name)(), OPS_BY_NAME[name](x)
        assert (by_method.data, by_method.local_grads, by_method.op) == (
            by_table.data,
            by_table.local_grads,
            by_table.op,
        )
    assert (-Value(2.0)).op == "neg" and abs(Value(-2.0)).op == "abs"


# ------------------------------------------------------------------ subclasses


class Tagged(Value):
    """A user's subclass: it must work wherever a Value does."""


def test_value_subclasses_work_in_every_op() -> None:
    a, b = Tagged(2.0), Tagged(3.0)
    results = [a * b, a + b, a - b, a / b, a**b, b.tanh(), abs(a), -a, 2 * a, a**2]
    assert [r.data for r in results[:4]] == [6.0, 5.0, -1.0, 2.0 / 3.0]
    s = engine.sum([Tagged(1.0), Tagged(2.0)])
    d = engine.dot([Tagged(1.0), Tagged(2.0)], [Tagged(3.0), 4.0], bias=Tagged(0.5))
    z = engine.matvec([[Tagged(1.0), Tagged(2.0)]], [Tagged(3.0), Tagged(4.0)])
    assert (s.data, d.data, z[0].data) == (3.0, 11.5, 11.0)
    (results[0] + d).backward()
    assert a.grad == 3.0
    assert gradcheck(lambda v: v[0] * v[1], [Tagged(2.0), Tagged(5.0)]).passed


# ------------------------------------------------------------------ overflow


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Value(1.0) / Value(5e-324), r"'/' overflows for Value\(data=1.0\) / Value"),
        (lambda: Value(1e308) * 10, r"'\*' overflows for Value\(data=1e\+308\) \* 10"),
        (lambda: Value(1e308) + 1e308, r"'\+' overflows"),
        (lambda: -1e308 - Value(1e308), r"'-' overflows for -1e\+308 - Value"),
        (lambda: Value(1000.0).exp(), r"exp\(\) overflows for Value\(data=1000.0\)"),
        (lambda: Value(10.0) ** 400, r"'\*\*' overflows for Value\(data=10.0\) \*\* 400"),
        (lambda: engine.sum([Value(1e308), Value(1e308)]), r"sum\(\) overflows"),
    ],
)
def test_every_overflow_is_an_overflow_error_naming_the_op_and_operands(
    build: object, message: str
) -> None:
    assert callable(build)
    with pytest.raises(OverflowError, match=message):
        build()


def test_a_finite_result_is_never_refused_for_a_large_intermediate() -> None:
    y = Value(1e-300) ** -1  # x ** (c - 1) = 1e600 on the way would overflow
    assert y.data == pytest.approx(1e300)
    x = Value(1e-150)
    z = x**-1
    z.backward()
    assert (z.data, x.grad) == (pytest.approx(1e150), pytest.approx(-1e300))


def test_backward_names_the_first_node_whose_gradient_overflows() -> None:
    g, w = Value(1e200, "g"), Value(1e-200, "w")
    out = g * w  # 1.0; d out / d w = 1e200
    big = out * 1e200  # 1e200, finite; but d big / d w = 1e400 is not a float
    with pytest.raises(OverflowError, match=r"gradient of Value\(data=1e-200, label='w'\)"):
        big.backward()


def test_relu_and_step_refuse_nan_set_by_hand() -> None:
    v = Value(1.0)
    v.data = math.nan
    with pytest.raises(ValueError, match=r"relu\(\) needs a finite input, got Value\(data=nan\)"):
        v.relu()
    with pytest.raises(ValueError, match="finite input"):
        v.step()
