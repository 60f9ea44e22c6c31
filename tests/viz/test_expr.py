"""The safe expression parser behind `tracegrad graph`."""

from __future__ import annotations

import ast
import builtins
import math
from typing import Any

import pytest

from viz.cli.expr import ExpressionError, build_expression, parse_assignments


@pytest.fixture
def no_code_execution(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make eval and exec fail loudly, and compile fail unless it only builds a tree.

    `ast.parse` itself calls `compile` with the PyCF_ONLY_AST flag, which makes a
    syntax tree and no code object; anything else counts as running code.
    """
    real_compile = builtins.compile

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"code execution attempted: {args!r:.60}")

    def tree_only(source: Any, filename: Any, mode: Any, flags: int = 0, *a: Any, **k: Any) -> Any:
        if not flags & ast.PyCF_ONLY_AST:
            forbidden(source)
        return real_compile(source, filename, mode, flags, *a, **k)

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", tree_only)


def numeric_grad(f: object, values: dict[str, float], name: str, h: float = 1e-6) -> float:
    assert callable(f)
    up, down = dict(values), dict(values)
    up[name] += h
    down[name] -= h
    return float((f(**up) - f(**down)) / (2 * h))


CASES = [
    ("((x+y)+(x*y))*z", lambda x, y, z: ((x + y) + (x * y)) * z, {"x": 2, "y": 3, "z": 4}),
    ("(x+y)*z", lambda x, y, z: (x + y) * z, {"x": 2, "y": 3, "z": 4}),
    ("tanh(w*x + b)", lambda w, x, b: math.tanh(w * x + b), {"w": -3, "x": 2, "b": 6.88}),
    ("exp(-x) / (1 + x**2)", lambda x: math.exp(-x) / (1 + x**2), {"x": 0.7}),
    ("log(a) - sigmoid(a) * 2.5", lambda a: math.log(a) - 2.5 / (1 + math.exp(-a)), {"a": 1.5}),
    ("relu(a - 1) + abs(b) - -a", lambda a, b: max(0, a - 1) + abs(b) + a, {"a": 2.5, "b": -2}),
    ("a ** b + +a", lambda a, b: a**b + a, {"a": 1.7, "b": 2.2}),
]


@pytest.mark.parametrize(("text", "reference", "values"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.usefixtures("no_code_execution")
def test_expressions_compute_values_and_gradients(
    text: str, reference: object, values: dict[str, float]
) -> None:
    assert callable(reference)
    values = {k: float(v) for k, v in values.items()}
    root, leaves = build_expression(text, values)
    assert root.data == pytest.approx(reference(**values))
    root.backward()
    for name, leaf in leaves.items():
        assert leaf.grad == pytest.approx(numeric_grad(reference, values, name), rel=1e-5)


def test_figure5_golden_values() -> None:
    root, leaves = build_expression("((x+y)+(x*y))*z", {"x": 2, "y": 3, "z": 4})
    root.backward()
    assert (root.data, leaves["x"].grad, leaves["y"].grad, leaves["z"].grad) == (44, 16, 12, 11)


def test_nodes_are_labelled_with_their_sub_expressions() -> None:
    root, leaves = build_expression("(x+y) * z", {"x": 2, "y": 3, "z": 4})
    assert root.label == "(x+y) * z"
    assert sorted(p.label for p in root.parents) == ["x+y", "z"]
    assert leaves["x"].label == "x"


BAD = [
    ("__import__('os').system('echo hacked')", "not allowed"),
    ("x.__class__", "not allowed"),
    ("foo(x)", "calling 'foo' is not allowed"),
    ("exp(x", "syntax error"),
    ("x +", "syntax error"),
    ("", "empty"),
    ("x + q", "no value given for 'q'"),
    ("x // 2", "not allowed"),
    ("x % 2", "not allowed"),
    ("x if x else 1", "not allowed"),
    ("[x]", "not allowed"),
    ("lambda: x", "not allowed"),
    ("'text' * x", "only numbers"),
    ("True * x", "only numbers"),
    ("1j * x", "only numbers"),
    ("exp(x, 2)", "exactly one argument"),
    ("exp(x=1)", "exactly one argument"),
    ("exp", "is a function"),
    ("_secret * x", "starting with '_'"),
    ("not x", "not allowed"),
    ("x < 2", "not allowed"),
    ("log(x - 5)", "cannot compute .* needs a positive input"),
    ("x / (x - x)", "division by zero"),
    ("exp(x * 1000)", "overflows"),
    ("2 ** 5000 * x", "cannot compute"),
    ("3 * 4", "no variables"),
    ("x" + " + x" * 1000, "4001 characters long, more than 2000"),
    ("(" * 300 + "x" + ")" * 300, "syntax error|nested"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[b[0][:30] for b in BAD])
@pytest.mark.usefixtures("no_code_execution")
def test_bad_expressions_fail_with_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        build_expression(text, {"x": 2.0} if "x" in text else {})


def test_unused_values_are_reported() -> None:
    with pytest.raises(ExpressionError, match="'y' not used"):
        build_expression("x * 2", {"x": 1.0, "y": 2.0})


def test_parse_assignments_reads_numbers() -> None:
    assert parse_assignments(["x=2", "y = -3.5", "z=1e-3"]) == {"x": 2.0, "y": -3.5, "z": 0.001}


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["x"], "expected name=value, got 'x'"),
        (["1x=2"], "invalid variable name '1x'"),
        (["x=2", "x=3"], "given twice"),
        (["x=two"], "not a number: 'two'"),
        (["x=nan"], "must be finite"),
        (["x=__import__('os')"], "not a number"),
    ],
)
def test_parse_assignments_rejects_bad_words(items: list[str], message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        parse_assignments(items)
