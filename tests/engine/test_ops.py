"""Per-op tests driven by the op registry: one helper, one line per check.

The analytic gradient from `backward()` is compared with a central difference of a
plain-float reference written here, independently of the registry's `forward`, so a
wrong forward formula and a wrong local derivative are both caught. Every built-in op
must have a reference: adding an op means adding its line to REFERENCE.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Callable

import pytest

from engine import OPS_BY_NAME, Op, Value, no_grad
from engine.ops import BUILTIN_NAMES

SAMPLES = (-2.3, -0.7, 0.45, 1.9)
EPS = 1e-6


def _dot(*xs: float) -> float:
    half = len(xs) // 2
    return math.fsum(w * x for w, x in zip(xs[:half], xs[half:]))


REFERENCE: dict[str, Callable[..., float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": lambda a, b: math.exp(b * math.log(a)),
    "neg": lambda a: 0.0 - a,
    "exp": lambda a: math.e**a,
    "log": lambda a: math.log2(a) / math.log2(math.e),
    "tanh": lambda a: (1.0 - math.exp(-2 * a)) / (1.0 + math.exp(-2 * a)),
    "sigmoid": lambda a: 0.5 * (1.0 + math.tanh(0.5 * a)),  # an identity, not the formula
    "relu": lambda a: max(0.0, a),
    "abs": lambda a: math.copysign(a, 1.0),
    "step": lambda a: 1.0 if a >= 0 else -1.0,
    "sum": lambda *a: math.fsum(a),
    "dot": _dot,
}
BUILTINS = [OPS_BY_NAME[name] for name in sorted(BUILTIN_NAMES)]


def test_every_builtin_op_has_a_reference() -> None:
    assert set(REFERENCE) == set(BUILTIN_NAMES)


def points(spec: Op) -> list[tuple[float, ...]]:
    """Argument tuples inside the op's smooth domain, at least a few per op."""
    if spec.arity is None:  # n-ary: a few lengths (dot splits them into ws and xs)
        candidates: object = [SAMPLES, SAMPLES[::-1], (*SAMPLES, 0.3, -1.1)]
    else:
        candidates = itertools.product(SAMPLES, repeat=spec.arity)
    assert isinstance(candidates, list | itertools.product)
    chosen = [
        args for args in candidates if all(x in spec.smooth_domain(i) for i, x in enumerate(args))
    ]
    assert len(chosen) >= 2, f"op {spec.name!r} leaves no sample points"
    return chosen


def numeric_grad(f: object, args: tuple[float, ...], i: int) -> float:
    assert callable(f)
    up = list(args)
    down = list(args)
    up[i] += EPS
    down[i] -= EPS
    return float((f(*up) - f(*down)) / (2 * EPS))


def check_op(spec: Op, args: tuple[float, ...]) -> None:
    reference = REFERENCE[spec.name]
    xs = [Value(a) for a in args]
    out = spec(*xs)
    assert out.op == spec.name
    assert out.data == pytest.approx(reference(*args), rel=1e-12, abs=1e-12)
    assert out.data == pytest.approx(spec.forward(*args), rel=1e-15, abs=1e-300)
    out.backward()
    for i, x in enumerate(xs):
        expected = numeric_grad(reference, args, i)
        assert x.grad == pytest.approx(expected, rel=1e-5, abs=1e-6), (
            f"{spec.name} at {args}: d/d arg{i} analytic {x.grad} vs numeric {expected}"
        )


@pytest.mark.parametrize("spec", BUILTINS, ids=lambda s: s.name)
def test_op_matches_reference_value_and_finite_difference(spec: Op) -> None:
    for args in points(spec):
        check_op(spec, args)


@pytest.mark.parametrize("spec", [s for s in BUILTINS if s.derivative], ids=lambda s: s.name)
def test_registered_derivative_is_the_recorded_local_derivative(spec: Op) -> None:
    assert spec.derivative is not None
    for args in points(spec):
        out = spec(*[Value(a) for a in args])
        expected = spec.derivative(*args, out.data)
        expected = expected if isinstance(expected, tuple) else (expected,)
        assert out.local_grads == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("spec", BUILTINS, ids=lambda s: s.name)
def test_op_records_one_node_with_one_local_grad_per_parent(spec: Op) -> None:
    args = points(spec)[0]
    xs = [Value(a) for a in args]
    out = spec(*xs)
    assert len(out.parents) == len(out.local_grads)
    assert {id(p) for p in out.parents} <= {id(x) for x in xs}
    assert all(type(g) is float for g in out.local_grads)


@pytest.mark.parametrize("spec", BUILTINS, ids=lambda s: s.name)
def test_op_under_no_grad_gives_same_value_and_records_nothing(spec: Op) -> None:
    args = points(spec)[0]
    recorded = spec(*[Value(a) for a in args])
    with no_grad():
        plain = spec(*[Value(a) for a in args])
    assert plain.data == recorded.data
    assert plain.parents == () and plain.local_grads == ()


# Plain numbers on either side are constants: one parent, folded into the local grad.
CONSTANT_FORMS = {
    "x + 2": (lambda x: x + 2, lambda x: x + 2),
    "2 + x": (lambda x: 2 + x, lambda x: 2 + x),
    "x - 2": (lambda x: x - 2, lambda x: x - 2),
    "1 - x": (lambda x: 1 - x, lambda x: 1 - x),
    "2 * x": (lambda x: 2 * x, lambda x: 2 * x),
    "x * 2.5": (lambda x: x * 2.5, lambda x: x * 2.5),
    "x / 4": (lambda x: x / 4, lambda x: x / 4),
    "3 / x": (lambda x: 3 / x, lambda x: 3 / x),
    "x ** 2": (lambda x: x**2, lambda x: x**2),
    "x ** -1": (lambda x: x**-1, lambda x: x**-1),
    "2 ** x": (lambda x: 2**x, lambda x: 2.0**x),
    "0.5 ** x": (lambda x: 0.5**x, lambda x: 0.5**x),
}


@pytest.mark.parametrize("form", CONSTANT_FORMS)
def test_constant_operand_is_not_a_node(form: str) -> None:
    build, reference = CONSTANT_FORMS[form]
    for a in (-1.7, 0.6, 2.2):
        x = Value(a)
        out = build(x)
        assert out.parents == (x,)
        assert out.data == pytest.approx(reference(a))
        out.backward()
        assert x.grad == pytest.approx(numeric_grad(reference, (a,), 0), rel=1e-5)


def test_relu_grad_is_zero_at_zero() -> None:
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0


def test_abs_grad_is_zero_at_zero() -> None:
    x = Value(0.0)
    abs(x).backward()
    assert x.grad == 0.0


def test_step_is_positive_at_the_tie_and_has_zero_derivative() -> None:
    assert Value(0.0).step().data == 1.0
    assert Value(-1e-12).step().data == -1.0
    x = Value(3.0)
    x.step().backward()
    assert x.grad == 0.0


def test_negative_base_to_an_integer_power_is_allowed() -> None:
    x = Value(-2.0)
    y = x**3
    y.backward()
    assert (y.data, x.grad) == (-8.0, 12.0)


@pytest.mark.parametrize("x", [1000.0, -1000.0, 745.0, -745.0])
def test_tanh_and_sigmoid_saturate_with_finite_gradients(x: float) -> None:
    for name, limit in (("tanh", math.copysign(1.0, x)), ("sigmoid", 1.0 if x > 0 else 0.0)):
        v = Value(x)
        out = OPS_BY_NAME[name].apply(v)
        out.backward()
        assert out.data == pytest.approx(limit, abs=1e-300)
        assert math.isfinite(v.grad) and v.grad == pytest.approx(0.0, abs=1e-300)


def test_sigmoid_is_accurate_for_large_negative_inputs() -> None:
    assert Value(-30.0).sigmoid().data == pytest.approx(math.exp(-30.0), rel=1e-12)


def test_exp_of_very_negative_input_underflows_to_zero() -> None:
    x = Value(-1000.0)
    y = x.exp()
    y.backward()
    assert (y.data, x.grad) == (0.0, 0.0)


def test_value_pow_value_has_both_local_derivatives() -> None:
    a, b = Value(2.0), Value(3.0)
    c = a**b
    c.backward()
    assert c.data == 8.0
    assert a.grad == pytest.approx(12.0)
    assert b.grad == pytest.approx(8.0 * math.log(2.0))
