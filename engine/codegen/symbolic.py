"""Code from the op table: each built-in op's forward and derivative, traced as text.

A `Symbol` stands for a number in generated code: arithmetic on it builds the text of
the same arithmetic (`1 - t * t`), comparisons build conditions, and where a function
branches (`1.0 if x > 0.0 else 0.0`) both branches are traced and joined into one
conditional expression. Running an op's float forward and its derivative (written
with engine ops) on Symbols gives the code templates of `engine.codegen`: nothing
restates the maths. A forward the tracer cannot read (a `math` function) is called by
name (`math.tanh(a)`); any other is called as a helper (`{forward}(a)`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from engine.codegen.names import literal
from engine.ops import Op

__all__ = ["Symbol", "templates", "trace"]

ATOM, POWER, UNARY, TIMES, PLUS, COMPARE, CONDITION = 100, 90, 80, 70, 60, 50, 10


class _Branch(Exception):
    """A Symbol was asked for its truth value beyond the decisions given."""

    def __init__(self, condition: str) -> None:
        super().__init__(condition)
        self.condition = condition


class _Decisions(threading.local):
    """The branches a trace takes, per thread: `taken[i]` for the i-th truth test."""

    def __init__(self) -> None:
        self.taken: list[bool] = []
        self.used = 0


_DECISIONS = _Decisions()


class Symbol:
    """A number in generated code, as text with its operator precedence."""

    __slots__ = ("precedence", "text")

    def __init__(self, text: str, precedence: int = ATOM) -> None:
        self.text, self.precedence = text, precedence

    def __repr__(self) -> str:
        return f"Symbol({self.text!r})"

    def __bool__(self) -> bool:  # a branch: take the next decision, or ask for one
        state = _DECISIONS
        if state.used < len(state.taken):
            state.used += 1
            return state.taken[state.used - 1]
        raise _Branch(self.text)

    def __hash__(self) -> int:
        return id(self)

    def __add__(self, other: Any) -> Symbol:
        return _infix(self, "+", other, PLUS)

    def __radd__(self, other: Any) -> Symbol:
        return _infix(other, "+", self, PLUS)

    def __sub__(self, other: Any) -> Symbol:
        return _infix(self, "-", other, PLUS)

    def __rsub__(self, other: Any) -> Symbol:
        return _infix(other, "-", self, PLUS)

    def __mul__(self, other: Any) -> Symbol:
        return _infix(self, "*", other, TIMES)

    def __rmul__(self, other: Any) -> Symbol:
        return _infix(other, "*", self, TIMES)

    def __truediv__(self, other: Any) -> Symbol:
        return _infix(self, "/", other, TIMES)

    def __rtruediv__(self, other: Any) -> Symbol:
        return _infix(other, "/", self, TIMES)

    def __pow__(self, other: Any) -> Symbol:
        return Symbol(f"{_text(self, POWER + 1)} ** {_text(other, POWER)}", POWER)

    def __rpow__(self, other: Any) -> Symbol:
        return Symbol(f"{_text(other, POWER + 1)} ** {_text(self, POWER)}", POWER)

    def __neg__(self) -> Symbol:
        return Symbol(f"-{_text(self, UNARY)}", UNARY)

    def __abs__(self) -> Symbol:
        return Symbol(f"abs({self.text})")

    def __gt__(self, other: Any) -> Symbol:
        return _infix(self, ">", other, COMPARE, COMPARE + 1)

    def __lt__(self, other: Any) -> Symbol:
        return _infix(self, "<", other, COMPARE, COMPARE + 1)

    def __ge__(self, other: Any) -> Symbol:
        return _infix(self, ">=", other, COMPARE, COMPARE + 1)

    def __le__(self, other: Any) -> Symbol:
        return _infix(self, "<=", other, COMPARE, COMPARE + 1)

    def __eq__(self, other: Any) -> Symbol:  # type: ignore[override]
        return _infix(self, "==", other, COMPARE, COMPARE + 1)

    def __getattr__(self, name: str) -> Callable[[], Symbol]:
        """`x.log()` and the other one-input ops of the table, as calls."""
        if name.startswith("_"):
            raise AttributeError(name)
        from engine.ops import OPS_BY_NAME

        entry = OPS_BY_NAME.get(name)
        if entry is None or entry.arity != 1:
            raise AttributeError(f"'Symbol' object has no attribute {name!r}")
        forward_text, _ = templates(entry)
        return lambda: Symbol(forward_text.replace("{a}", self.text), _precedence(forward_text))


def _text(x: Any, needed: int) -> str:
    """`x` as code, in brackets where its operator binds less tightly than `needed`."""
    if isinstance(x, Symbol):
        return x.text if x.precedence >= needed else f"({x.text})"
    if isinstance(x, bool):
        return repr(x)
    return literal(float(x))


def _infix(left: Any, op: str, right: Any, precedence: int, right_needs: int = 0) -> Symbol:
    # Left-associative: the right operand needs a tighter binding than the operator's.
    text = f"{_text(left, precedence)} {op} {_text(right, right_needs or precedence + 1)}"
    return Symbol(text, precedence)


def _constant(x: Any) -> Symbol:
    """A number a traced function returned, as code (`-1.0` binds as a unary minus)."""
    text = repr(float(x))
    return Symbol(text, UNARY if text.startswith("-") else ATOM)


def _precedence(text: str) -> int:
    return ATOM if text.endswith(")") and text.count("(") == 1 else CONDITION


def trace(fn: Callable[..., Any], *args: Any) -> Symbol:
    """`fn(*args)` on Symbols as one expression: every branch taken both ways.

    Raises:
        TypeError: where `fn` does something a Symbol cannot stand for (calls a
            function that needs a real float, such as `math.exp`).
    """

    def run(taken: list[bool]) -> Symbol:
        state = _DECISIONS
        saved = state.taken, state.used
        state.taken, state.used = taken, 0
        try:
            result = fn(*args)
        except _Branch as branch:
            condition = branch.condition
        else:
            return result if isinstance(result, Symbol) else _constant(result)
        finally:
            state.taken, state.used = saved
        yes, no = run([*taken, True]), run([*taken, False])
        text = f"{_text(yes, CONDITION + 1)} if {condition} else {_text(no, CONDITION)}"
        return Symbol(text, CONDITION)

    return run([])


@cache
def templates(entry: Op) -> tuple[str, tuple[str, ...]]:
    """The code of a built-in op: its forward expression and d out / d argument for
    each argument, over `{a}`, `{b}` (the arguments), `{out}` (the result) and
    `{forward}` (the entry's forward, where it cannot be traced)."""
    names = [Symbol("{a}"), Symbol("{b}")][: entry.arity or 0]
    try:
        forward = trace(entry.forward, *names).text
    except TypeError:
        module = getattr(entry.forward, "__module__", None)
        called = f"math.{entry.forward.__name__}" if module == "math" else "{forward}"
        forward = f"{called}({', '.join(s.text for s in names)})"
    out = Symbol("{out}")
    partials = tuple(trace(d, *names, out).text for d in entry.partials)
    return forward, partials
