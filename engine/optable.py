"""The op table: every op tracegrad knows, with its arity and where it is valid.

Tests and the hypothesis strategies read this table, so adding a row here is how a new
op gets its per-op gradient test and starts appearing in random expressions.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field

from engine import nary
from engine.value import Value

INF = math.inf


@dataclass(frozen=True)
class Domain:
    """An open interval `low < x < high`, minus a few excluded points.

    The excluded points are where the op is undefined (division by 0) or where its
    derivative does not exist (relu and abs at 0, step at 0). Finite differences
    disagree with any convention there, so gradient tests stay away from them.
    """

    low: float = -INF
    high: float = INF
    exclude: tuple[float, ...] = ()

    def __contains__(self, x: object) -> bool:
        if not isinstance(x, int | float):
            return False
        return self.low < x < self.high and x not in self.exclude


REALS = Domain()
POSITIVE = Domain(low=0.0)
NONZERO = Domain(exclude=(0.0,))
# exp overflows above ~709.78; keep a margin so `2 ** x` and friends stay finite too.
EXP_SAFE = Domain(low=-700.0, high=700.0)


@dataclass(frozen=True)
class OpSpec:
    """One row of the op table.

    Attributes:
        name: a unique name for the row (also used in test ids).
        symbol: the `op` string the resulting Value carries.
        arity: the number of Value arguments, or None for an n-ary op.
        domains: the valid domain of each argument (one entry for n-ary ops,
            shared by every argument).
        apply: builds the op's result from Values.
        reference: the same function on plain floats, written independently.
    """

    name: str
    symbol: str
    arity: int | None
    domains: tuple[Domain, ...]
    apply: Callable[..., Value]
    reference: Callable[..., float]
    doc: str = field(default="", compare=False)

    def domain(self, position: int) -> Domain:
        """The domain of argument `position` (any position for an n-ary op)."""
        if self.arity is None:
            return self.domains[0]
        return self.domains[position]


def _ref_dot(*xs: float) -> float:
    half = len(xs) // 2
    return math.fsum(w * x for w, x in zip(xs[:half], xs[half:]))


def _apply_dot(*xs: Value) -> Value:
    half = len(xs) // 2
    return nary.dot(xs[:half], xs[half:])


def _ref_sigmoid(x: float) -> float:
    return 0.5 * (1.0 + math.tanh(0.5 * x))  # an identity, independent of the op's formula


OPS: tuple[OpSpec, ...] = (
    OpSpec("add", "+", 2, (REALS, REALS), operator.add, operator.add, "a + b"),
    OpSpec("sub", "-", 2, (REALS, REALS), operator.sub, operator.sub, "a - b"),
    OpSpec("mul", "*", 2, (REALS, REALS), operator.mul, operator.mul, "a * b"),
    OpSpec("div", "/", 2, (REALS, NONZERO), operator.truediv, operator.truediv, "a / b"),
    OpSpec("pow", "**", 2, (POSITIVE, REALS), operator.pow, operator.pow, "a ** b, a > 0"),
    OpSpec("pow_const", "**", 1, (REALS,), lambda a: a**3, lambda a: a**3, "a ** 3"),
    OpSpec("sqrt", "**", 1, (POSITIVE,), lambda a: a**0.5, math.sqrt, "a ** 0.5"),
    OpSpec("rpow_const", "**", 1, (EXP_SAFE,), lambda a: 2**a, lambda a: 2.0**a, "2 ** a"),
    OpSpec("neg", "neg", 1, (REALS,), operator.neg, operator.neg, "-a"),
    OpSpec("abs", "abs", 1, (NONZERO,), abs, abs, "|a|"),
    OpSpec("exp", "exp", 1, (EXP_SAFE,), Value.exp, math.exp, "e ** a"),
    OpSpec("log", "log", 1, (POSITIVE,), Value.log, math.log, "ln a"),
    OpSpec("tanh", "tanh", 1, (REALS,), Value.tanh, math.tanh, "tanh a"),
    OpSpec("sigmoid", "sigmoid", 1, (REALS,), Value.sigmoid, _ref_sigmoid, "1 / (1 + e^-a)"),
    OpSpec("relu", "relu", 1, (NONZERO,), Value.relu, lambda a: max(0.0, a), "max(0, a)"),
    OpSpec(
        "step",
        "step",
        1,
        (NONZERO,),
        Value.step,
        lambda a: 1.0 if a >= 0 else -1.0,
        "+1 if a >= 0 else -1",
    ),
    OpSpec(
        "sum",
        "sum",
        None,
        (REALS,),
        lambda *a: nary.sum(a),
        lambda *a: math.fsum(a),
        "a1 + ... + an",
    ),
    OpSpec(
        "dot", "dot", None, (REALS,), _apply_dot, _ref_dot, "w1 x1 + ... + wn xn (args: ws then xs)"
    ),
)

OPS_BY_NAME: dict[str, OpSpec] = {spec.name: spec for spec in OPS}
