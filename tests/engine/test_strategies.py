"""The hypothesis strategies: ranges, domains, op coverage, sharing, readable shrinking."""

from __future__ import annotations

import dataclasses
import functools
import math
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest
from hypothesis import find, given, settings
from hypothesis.errors import InvalidArgument

from engine import OPS_BY_NAME, Domain, Op, Value
from engine.ops import BUILTIN_NAMES
from engine.strategies import BOUND, MARGIN, Expression, expressions, values

POSITIVE = OPS_BY_NAME["log"].domain(0)
NONZERO = OPS_BY_NAME["/"].domain(1)


def _sample(strategy: Any, count: int) -> list[Any]:
    """Draw a reproducible sample of `count` examples."""
    drawn: list[Any] = []

    @settings(max_examples=count, derandomize=True, database=None)
    @given(strategy)
    def collect(example: Any) -> None:
        drawn.append(example)

    collect()
    return drawn


@functools.cache
def _expressions_sample() -> list[Expression]:
    """One sample of 200 default expressions, shared by the tests that inspect it."""
    return _sample(expressions(max_fanin=5), 200)


# ----------------------------------------------------------------------------- values


@given(values(min_value=-2.5, max_value=4.0))
def test_values_draws_finite_value_leaves_in_range(x: Value) -> None:
    assert isinstance(x, Value) and not x.parents
    assert math.isfinite(x.data) and -2.5 <= x.data <= 4.0


@given(values(min_value=-5.0, max_value=5.0, domain=NONZERO, margin=0.25, label="b"))
def test_values_keeps_margin_from_excluded_points(x: Value) -> None:
    assert abs(x.data) >= 0.25
    assert x.label == "b"


@given(values(min_value=-5.0, max_value=5.0, domain=POSITIVE))
def test_values_stays_inside_an_open_domain(x: Value) -> None:
    assert x.data > 0.0


def test_values_reaches_both_sides_of_an_excluded_point() -> None:
    drawn = _sample(values(min_value=-1.0, max_value=1.0, domain=NONZERO, margin=0.1), 100)
    assert any(x.data < -0.1 for x in drawn) and any(x.data > 0.1 for x in drawn)


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"min_value": 2.0, "max_value": 1.0}, "min_value=2.0 is greater than max_value=1.0"),
        ({"min_value": math.nan}, "min_value=nan must be a finite number"),
        ({"max_value": math.inf}, "max_value=inf must be a finite number"),
        ({"margin": -0.1}, r"margin=-0.1 must be >= 0"),
        ({"min_value": -3.0, "max_value": -1.0, "domain": POSITIVE}, "no float in"),
        ({"min_value": -0.5, "max_value": 0.5, "domain": NONZERO, "margin": 1.0}, "no float"),
        ({"domain": (0.0, 1.0)}, "domain must be an engine Domain"),
        ({"label": 3}, "label must be a str, got 3"),
    ],
)
def test_values_rejects_impossible_arguments(kwargs: dict[str, Any], text: str) -> None:
    with pytest.raises(InvalidArgument, match=text):
        values(**kwargs)


# ------------------------------------------------------------------------ expressions


def test_expressions_exercise_every_op_in_the_table() -> None:
    seen = Counter(name for e in _expressions_sample() for name in e.ops_used)
    assert set(seen) == set(BUILTIN_NAMES)
    assert min(seen.values()) >= 1, seen


def test_expressions_vary_depth_fan_in_and_sharing() -> None:
    drawn = _expressions_sample()
    depths = {e.depth for e in drawn}
    fan_ins = {e.fan_in for e in drawn}
    assert {0, 1, 2, 3} <= depths
    assert {1, 2, 3, 4} <= fan_ins
    shared = [e for e in drawn if any(line.startswith("t1 = ") for line in str(e).split("; "))]
    assert sum(e.junctions > 0 for e in drawn) >= 40
    # At least a few: the exact count moves with the order tests run in (11 to 20 seen).
    assert len(shared) >= 5  # interior nodes reused, not only inputs
    assert {e.n_inputs for e in drawn} == {1, 2, 3}


def _recording(spec: Op, seen: list[tuple[str, int, float]]) -> Op:
    """A copy of a row whose apply records each argument it receives."""

    def apply(*args: Value) -> Value:
        seen.extend((spec.name, i, a.data) for i, a in enumerate(args))
        return spec.apply(*args)

    return dataclasses.replace(spec, apply=apply)


def test_expressions_keep_every_argument_inside_its_domain_away_from_kinks() -> None:
    seen: list[tuple[str, int, float]] = []
    strategy = expressions(ops=[_recording(OPS_BY_NAME[n], seen) for n in sorted(BUILTIN_NAMES)])
    drawn = _sample(strategy, 100)
    seen.clear()  # expressions() probes the n-ary rows once; keep only real calls
    for e in drawn:
        e([Value(x) for x in e.inputs])
    assert len(seen) > 200
    for name, position, x in seen:
        domain = OPS_BY_NAME[name].smooth_domain(position)
        assert -BOUND <= x <= BOUND, (name, x)
        assert domain.low + MARGIN <= x <= domain.high - MARGIN, (name, x)
        assert all(abs(x - e) >= MARGIN for e in domain.exclude), (name, x)


def test_expressions_accept_a_users_own_op_row() -> None:
    softplus = Op(
        "softplus",
        1,
        lambda a: math.log1p(math.exp(a)),
        lambda a, out: 1 / (1 + math.exp(-a)),
        (Domain(),),
        "softplus",
        lambda a: (1 + a.exp()).log(),
    )
    drawn = _sample(expressions(ops=[softplus, "*"]), 50)
    assert any("softplus" in e.ops_used for e in drawn)
    assert all(e.ops_used <= {"softplus", "*"} for e in drawn)


def test_expressions_shrink_to_a_small_readable_text() -> None:
    smallest = find(
        expressions(),
        lambda e: e.junctions > 0 and e.depth >= 2,
        settings=settings(database=None, derandomize=True, max_examples=500),
    )
    assert isinstance(smallest, Expression)
    text = str(smallest)
    assert len(text) <= 30 and "x0" in text, text
    assert repr(smallest) == f"Expression({text!r}, inputs={smallest.inputs!r})"


def test_expression_text_names_shared_nodes_and_guards() -> None:
    shared_log = find(
        expressions(ops=["log", "*"], max_inputs=1, max_leaves=4),
        lambda e: e.junctions > 0 and "log" in e.ops_used and "*" in e.ops_used,
        settings=settings(database=None, derandomize=True, max_examples=300),
    )
    text = str(shared_log)
    assert "log(" in text and "*" in text
    # Every name the text uses is an input or defined before use.
    defined = {"x0"}
    for statement in text.split("; ")[:-1]:
        name, _, body = statement.partition(" = ")
        assert {t for t in body.replace("(", " ").replace(")", " ").split() if t[0] in "tx"} <= (
            defined
        )
        defined.add(name)


@given(expressions())
def test_expression_forward_matches_its_reference(expr: Expression) -> None:
    out = expr([Value(x) for x in expr.inputs])
    expected = expr.evaluate(expr.inputs)
    assert out.data == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_expression_rejects_the_wrong_number_of_inputs() -> None:
    expr = _sample(expressions(min_inputs=2, max_inputs=2), 1)[0]
    with pytest.raises(ValueError, match="takes 2 inputs, got 1"):
        expr([Value(1.0)])


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"ops": ["+", "cosh"]}, "unknown op 'cosh'"),
        ({"ops": []}, "at least one op"),
        ({"ops": "+"}, "ops must be a list"),
        ({"min_inputs": 0}, "min_inputs=0 must be an int >= 1"),
        ({"min_inputs": 3, "max_inputs": 2}, "max_inputs=2 must be an int >= 3"),
        ({"max_leaves": 0}, "max_leaves=0 must be an int >= 1"),
        ({"max_fanin": 1}, "max_fanin=1 must be an int >= 2"),
        ({"max_inputs": 2.5}, "max_inputs=2.5 must be an int"),
    ],
)
def test_expressions_reject_impossible_arguments(kwargs: dict[str, Any], text: str) -> None:
    with pytest.raises(InvalidArgument, match=text):
        expressions(**kwargs)


def test_expressions_reject_an_op_whose_domain_is_out_of_reach() -> None:
    far = dataclasses.replace(OPS_BY_NAME["log"], name="far_log", domains=(Domain(low=100.0),))
    with pytest.raises(InvalidArgument, match="op 'far_log': no argument within"):
        expressions(ops=[far])


def test_importing_engine_does_not_import_hypothesis() -> None:
    code = "import engine, sys; print('hypothesis' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
