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


# ------------------------------------------------------- statements naming results

FIGURE5_NAMED = "h = x + y; i = x * y; f = (h + i) * z"


@pytest.mark.usefixtures("no_code_execution")
def test_statements_label_intermediates_as_the_notes_name_them() -> None:
    f, leaves = build_expression(FIGURE5_NAMED, {"x": 2, "y": 3, "z": 4})
    f.backward()
    h_plus_i, z = f.parents
    h, i = h_plus_i.parents
    assert (f.label, h_plus_i.label, h.label, i.label, z.label) == ("f", "h + i", "h", "i", "z")
    assert (h.data, i.data, h_plus_i.data, f.data) == (5.0, 6.0, 11.0, 44.0)
    assert (h.grad, i.grad) == (4.0, 4.0)
    assert (leaves["x"].grad, leaves["y"].grad, leaves["z"].grad) == (16.0, 12.0, 11.0)
    assert h.parents == (leaves["x"], leaves["y"]) and i.parents == (leaves["x"], leaves["y"])


@pytest.mark.parametrize(
    "text",
    [
        "h = x + y; i = x * y; (h + i) * z",  # the last statement is a bare expression
        "h = x + y\ni = x * y\nf = (h + i) * z",  # new lines separate statements too
        "h = x + y; i = x * y; f = (h + i) * z;",  # a trailing ';' is fine
        "((x+y)+(x*y))*z",  # a single expression, as before
    ],
)
def test_statement_forms_compute_the_same_graph(text: str) -> None:
    f, leaves = build_expression(text, {"x": 2, "y": 3, "z": 4})
    f.backward()
    assert (f.data, leaves["x"].grad, leaves["y"].grad, leaves["z"].grad) == (44, 16, 12, 11)
    assert len(f.topological_order()) == 7


def test_a_named_constant_is_folded_into_the_op() -> None:
    f, leaves = build_expression("c = 2 * 3; f = c * x", {"x": 1.5})
    assert (f.label, f.data, f.parents) == ("f", 9.0, (leaves["x"],))


BAD_STATEMENTS = [
    ("x = x + 1; x", "'x' is an input \\(given x=2\\) and cannot also be assigned"),
    ("tanh = x * 2; tanh", "'tanh' is a function: give the result another name"),
    ("h = x * 2; h = h + 1; h", "'h' is assigned twice"),
    ("f = h * 2; h = x + 1", "'h' is used before it is given a value"),
    ("h = h + x; h", "'h' is used before it is given a value"),
    ("h = x; h * 2", "h = x makes no new node, it only renames 'x': use x itself"),
    ("h = x * 2; g = +h; g", "g = \\+h makes no new node, it only renames 'h'"),
    ("a = x * 2; x + 1", "'a' assigned but never used"),
    ("x * 2; x + 1", "only the last statement may be a bare expression"),
    ("import os; x", "'import os' is not allowed: statements are NAME = expression"),
    ("a = b = x * 2; a + b", "'a = b = x \\* 2' is not allowed"),
    ("a, b = x, x; a", "not allowed: statements are NAME = expression"),
    ("x += 1", "'x \\+= 1' is not allowed"),
    ("h: float = x; h", "not allowed"),
    ("_h = x * 2; _h", "names starting with '_' are not allowed"),
    ("h = __import__('os'); x", "not allowed"),
    (";", "syntax error"),
]


@pytest.mark.parametrize(("text", "message"), BAD_STATEMENTS, ids=[b[0] for b in BAD_STATEMENTS])
@pytest.mark.usefixtures("no_code_execution")
def test_bad_statements_fail_with_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        build_expression(text, {"x": 2.0})


# ---------------------------------------------------------------- did you mean?


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [("tahn(x)", "tanh"), ("sigmod(x)", "sigmoid"), ("Exp(x)", "exp"), ("relU(x - 1)", "relu")],
)
def test_a_misspelt_function_gets_a_suggestion(text: str, suggestion: str) -> None:
    with pytest.raises(ExpressionError, match=f"\\(did you mean '{suggestion}'\\?\\)$"):
        build_expression(text, {"x": 2.0})


def test_an_unrelated_function_name_gets_no_suggestion() -> None:
    with pytest.raises(ExpressionError) as caught:
        build_expression("foo(x)", {"x": 2.0})
    assert "did you mean" not in str(caught.value)


def test_a_misspelt_variable_gets_a_suggestion() -> None:
    with pytest.raises(ExpressionError, match=r"no value given for 'yy'.*did you mean 'y'"):
        build_expression("x * yy", {"x": 2.0, "y": 3.0})
    with pytest.raises(ExpressionError, match="did you mean 'hx'"):
        build_expression("hx = x * 2; hxx + 1", {"x": 2.0})


@pytest.mark.parametrize("text", ["x ^ 2", "(x + 1)^3", "h = x^2; h"])
def test_caret_is_explained_as_not_a_power(text: str) -> None:
    with pytest.raises(ExpressionError, match="use \\*\\* for powers"):
        build_expression(text, {"x": 2.0})
