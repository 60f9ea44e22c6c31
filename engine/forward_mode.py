"""Forward mode: `jvp` pushes dual numbers (value, tangent) through the op table.

A `Dual` carries a number and its derivative along one direction. Each op computes
its value as the Value path does (same checks, same errors) and its tangent with the
op's own derivative from the table: `d out / d arg * tangent of arg`, summed over the
arguments. No graph is recorded, so one pass gives the derivative of every output
along one direction of the inputs (reverse mode gives every input's derivative of one
output).

    >>> from engine import jvp
    >>> jvp(lambda x, y: (x * y).tanh(), [0.5, -1.5], [1.0, 0.0])
    (-0.6351489523872873, -0.8948787124219972)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engine.derivatives import as_point
from engine.grad_mode import no_grad
from engine.ops import OPS_BY_NAME, arithmetic
from engine.value import Number, Value

__all__ = ["Dual", "jvp"]


class Dual:
    """A number with a tangent: `data` and `tangent` (d data / d t along a direction).

    Supports the arithmetic and every one-input op of the table (`d.tanh()`, and ops
    made with `define_op`), as a Value does; `engine.sum` and `engine.dot` take Values
    only (write `a + b` out instead).
    """

    __slots__ = ("data", "tangent")

    def __init__(self, data: float, tangent: float = 0.0) -> None:
        self.data, self.tangent = data, tangent

    def __repr__(self) -> str:
        return f"Dual(data={self.data!r}, tangent={self.tangent!r})"

    def __add__(self, other: Dual | Number) -> Dual:
        return _binary("+", self, other)

    def __radd__(self, other: Number) -> Dual:
        return _binary("+", other, self)

    def __sub__(self, other: Dual | Number) -> Dual:
        return _binary("-", self, other)

    def __rsub__(self, other: Number) -> Dual:
        return _binary("-", other, self)

    def __mul__(self, other: Dual | Number) -> Dual:
        return _binary("*", self, other)

    def __rmul__(self, other: Number) -> Dual:
        return _binary("*", other, self)

    def __truediv__(self, other: Dual | Number) -> Dual:
        return _binary("/", self, other)

    def __rtruediv__(self, other: Number) -> Dual:
        return _binary("/", other, self)

    def __pow__(self, other: Dual | Number) -> Dual:
        return _binary("**", self, other)

    def __rpow__(self, other: Number) -> Dual:
        return _binary("**", other, self)

    def __neg__(self) -> Dual:
        return _unary("neg", self)

    def __abs__(self) -> Dual:
        return _unary("abs", self)

    def __gt__(self, other: Any) -> bool:
        return bool(self.data > getattr(other, "data", other))

    def __lt__(self, other: Any) -> bool:
        return bool(self.data < getattr(other, "data", other))

    def __getattr__(self, name: str) -> Callable[[], Dual]:
        op = OPS_BY_NAME.get(name)
        if op is None or op.arity != 1 or name.startswith("_"):
            raise AttributeError(f"'Dual' object has no attribute {name!r}")
        return lambda: _unary(name, self)

    @staticmethod
    def apply_op(name: str, *args: Any) -> Dual:
        """Any op of the table on dual numbers (the table's ops call this when given
        one, as `OPS_BY_NAME["tanh"](d)` or `engine.sum([d1, d2])`)."""
        entry = OPS_BY_NAME[name]
        if entry.arity == 1:
            return _unary(name, args[0])
        if name in ("sum", "dot"):  # left to right, as engine.sum and engine.dot add
            half = len(args) // 2
            terms = args if name == "sum" else [w * x for w, x in zip(args[:half], args[half:])]
            total = terms[0]
            for term in terms[1:]:
                total = total + term
            return total if isinstance(total, Dual) else Dual(float(total))
        return _binary(name, *args)


def _unary(name: str, x: Dual) -> Dual:
    entry = OPS_BY_NAME[name]
    with no_grad():  # the value, with the Value path's checks and errors
        out = entry.apply(Value(x.data)).data
    return Dual(out, entry.partials[0](x.data, out) * x.tangent if x.tangent else 0.0)


def _binary(name: str, left: Any, right: Any) -> Dual:
    args = (left, right)
    values = [Value(a.data) if isinstance(a, Dual) else a for a in args]
    with no_grad():
        if name in ("+", "-", "*", "/", "**"):
            node = arithmetic(name, *values)
        else:  # a two-input op made with define_op
            node = OPS_BY_NAME[name].apply(*values)
    if node is NotImplemented:
        return NotImplemented  # type: ignore[no-any-return]
    out = node.data
    numbers = [a.data if isinstance(a, Dual) else a for a in args]
    tangent = 0.0
    for partial, a in zip(OPS_BY_NAME[name].partials, args):
        if isinstance(a, Dual) and a.tangent:
            tangent += partial(*numbers, out) * a.tangent
    return Dual(out, tangent)


def jvp(
    fn: Callable[..., Any], point: Sequence[float], tangent: Sequence[float]
) -> tuple[Any, Any]:
    """The value of `fn` at `point` and its derivative along `tangent`: `(f, J v)`.

    `fn` takes one argument per input and returns one number or a list of them; it
    is called once, on dual numbers (see `Dual`), so write it with arithmetic and the
    ops' methods (`x.tanh()`, `x ** 2`), as for Values.

    Args:
        fn: the function.
        point: where to evaluate it.
        tangent: the direction, one number per input.

    Returns:
        `(output, derivative)`, floats, or lists of floats when `fn` returns a list.

    Raises:
        ValueError: for lengths that differ, or a point outside an op's domain.
        TypeError: if `fn` returns something that is not a number or a list of them.
    """
    xs = as_point(point, "point")
    vs = as_point(tangent, "tangent")
    if len(vs) != len(xs):
        raise ValueError(f"tangent needs one number per input ({len(xs)}), got {len(vs)}")
    result = fn(*(Dual(x, v) for x, v in zip(xs, vs)))
    if isinstance(result, list | tuple):
        pairs = [_pair(r, i) for i, r in enumerate(result)]
        return [p[0] for p in pairs], [p[1] for p in pairs]
    return _pair(result, None)


def _pair(r: Any, i: int | None) -> tuple[float, float]:
    if isinstance(r, Dual):
        return r.data, r.tangent
    if isinstance(r, int | float) and not isinstance(r, bool):
        return float(r), 0.0  # a constant: its derivative is 0
    where = "fn" if i is None else f"fn's output [{i}]"
    raise TypeError(f"{where} must be a number computed from the inputs, got {r!r:.80}")
