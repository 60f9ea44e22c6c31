"""Fused sums and weighted sums: `sum(terms)` and `dot(ws, xs, bias)`, one node each.

Both add left to right, one rounding per `+`, on every supported Python
(`add_in_order`). `engine.fast` builds whole layers (`matvec`) from `dot`'s contract;
the op table (`engine.ops`) names both as entries.
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import Iterable, Sequence
from math import isfinite
from operator import attrgetter, mul
from typing import NoReturn

from engine.checks import as_float
from engine.grad_mode import ACTIVE, no_grad_depth
from engine.value import EMPTY, ONE, Number, Value, make_node

__all__ = ["NO_TERM", "Terms", "add_in_order", "dot", "sum", "value_terms"]

Terms = tuple[tuple[int, "int | float"], ...]
"""A dot node's terms, in the order they were added: `(i, j)` is parent `i` times
parent `j` (an int) or times the constant `j` (a float; a bias is `(i, 1.0)`)."""

_data = attrgetter("data")
NO_TERM = -0.0
"""What adding no term gives: -0.0, the number that leaves every float unchanged when
added (`-0.0 + x` is `x`, also for `x = -0.0`, where `0.0 + x` would give `0.0`)."""


class _InOrder(float):
    """A float whose sum() skips CPython's summation fast path (see `add_in_order`)."""

    __slots__ = ()


if sys.version_info < (3, 12):
    _add = builtins.sum  # adds left to right, one rounding per term
else:
    _FROM_NOTHING = _InOrder(NO_TERM)

    def _add(terms: Iterable[float], start: float = NO_TERM) -> float:
        # Since 3.12, sum() of floats compensates rounding errors when its running
        # total is a float. Starting from a float subclass takes its generic loop
        # instead, `total = total + term`: left to right, exactly as 3.11 adds.
        first = _FROM_NOTHING if start is NO_TERM else _InOrder(start)
        return float(builtins.sum(terms, first))


def add_in_order(terms: Iterable[float], start: float = NO_TERM) -> float:
    """`start + t1 + t2 + ... + tn`, added left to right with one rounding per `+`.

    This is the summation rule of `sum`, `dot`, `matvec` and `matvec_batch`, on every
    supported Python: the floats a reader gets by writing the additions out, and the
    ones generated code computes. (Python's built-in `sum()` of floats follows it up to
    3.11; from 3.12 on it compensates rounding errors and can give other floats.)
    Without a `start` the first term starts the total, unchanged.

    >>> add_in_order([1e16, 1.0, -1e16]), add_in_order([-0.0])
    (0.0, -0.0)
    """
    return _add(terms, start)


_ONLY_VALUES = {Value}
_ONLY_FLOATS = {float}


def _split(terms: Iterable[Value | Number], what: str) -> tuple[list[Value], float | None]:
    """Separate Values from plain-number constants (validated), and add the constants
    in order (None if there are none)."""
    values: list[Value] = []
    numbers: list[float] = []
    for i, t in enumerate(terms):
        if isinstance(t, Value):
            values.append(t)
        else:
            numbers.append(as_float(t, f"{what}[{i}]"))
    return values, (add_in_order(numbers) if numbers else None)


def sum(terms: Iterable[Value | Number]) -> Value:  # noqa: A001 - mirrors numpy/torch
    """Add many terms in one node (op `"sum"`); every local derivative is 1.

    Plain numbers among the terms are constants, not parents: their total is kept in
    the node's `const`, so pictures and generated code show it.

    The rule, on every supported Python: `const + v1 + v2 + ... + vn` over the Value
    terms' data, added left to right with one rounding per `+` (`v1 + ... + vn` when
    there is no plain number), exactly as the additions written out compute it (see
    `add_in_order`; Python 3.12's built-in `sum()` of floats gives other floats).

    Args:
        terms: Values and/or numbers.

    Returns:
        A Value whose parents are the Value terms, in order.

    Raises:
        TypeError: if a term is neither a Value nor a real number.
        ValueError: if `terms` is empty.

    Example:
        >>> import engine
        >>> xs = [engine.Value(1.0), engine.Value(2.0), 3.0]
        >>> s = engine.sum(xs)
        >>> s.backward()
        >>> s.data, xs[0].grad, len(s.parents)
        (6.0, 1.0, 2)
    """
    if not isinstance(terms, list | tuple):
        terms = list(terms)
    if not terms:
        raise ValueError("sum() needs at least one term, got an empty sequence")
    # set(map(type, ...)) checks every element at C speed, unlike all(<generator>).
    if set(map(type, terms)) == _ONLY_VALUES:
        values: Sequence[Value] = terms  # type: ignore[assignment]
        const = None
    else:
        values, const = _split(terms, "terms")
    data = _add(map(_data, values), NO_TERM if const is None else const)
    if not isfinite(data):
        _raise_non_finite("sum", data, [v.data for v in values])
    return make_node(data, tuple(values), (1.0,) * len(values), "sum", const)


def dot(
    ws: Sequence[Value | Number],
    xs: Sequence[Value | Number],
    bias: Value | Number | None = None,
) -> Value:
    """The weighted sum `ws . xs (+ bias)` as one node (op `"dot"`).

    The local derivative with respect to `ws[i]` is `xs[i]` and with respect to
    `xs[i]` is `ws[i]`; the bias, if it is a Value, gets 1. Plain numbers on either
    side are constants and not parents. The parents are the Value weights, then the
    Value inputs, then the bias (so a neuron's weights lead, and the bias is last).
    A plain-number bias, plus any product of two plain numbers, is the node's `const`.
    The data adds, left to right with one rounding per `+` on every supported Python
    (see `add_in_order`), the products with a Value in them (in the parents' order),
    then a Value bias, then `const`: `w1*x1 + w2*x2 + ... + b`, as written out.

    Args:
        ws: the weights.
        xs: the inputs, as many as the weights.
        bias: an optional term added to the sum.

    Raises:
        ValueError: if the lengths differ or both are empty.
        TypeError: if an element is neither a Value nor a real number.

    Example:
        >>> from engine import Value, dot
        >>> w = [Value(-1.0), Value(0.0), Value(0.0)]
        >>> a = dot(w, [1.0, 3.0, 2.0])
        >>> a.backward()
        >>> a.data, [wi.grad for wi in w]
        (-1.0, [1.0, 3.0, 2.0])
    """
    n = len(ws)
    if n != len(xs):
        raise ValueError(
            f"dot() needs as many weights as inputs, got {n} weights and {len(xs)} inputs"
        )
    if n == 0 and bias is None:
        raise ValueError("dot() needs at least one weight and input, got empty sequences")
    w_types = set(map(type, ws))  # checks every element at C speed
    x_types = set(map(type, xs))
    first_layer = w_types == _ONLY_VALUES and x_types == _ONLY_FLOATS
    hidden_layer = w_types == _ONLY_VALUES and x_types == _ONLY_VALUES
    tail: tuple[Value, ...]
    tail_local: tuple[float, ...]
    const: float | None = None  # the plain numbers added to the products
    if isinstance(bias, Value):
        tail, tail_local, b = (bias,), ONE, bias.data
    elif bias is None:
        tail, tail_local, b = EMPTY, EMPTY, NO_TERM  # adding -0.0 changes nothing
    else:
        tail, tail_local = EMPTY, EMPTY
        b = const = as_float(bias, "dot() bias")
    if first_layer:
        # Value weights times float data: only the weights are parents.
        wd = [w.data for w in ws]  # type: ignore[union-attr]
        data = _add(map(mul, wd, xs), NO_TERM) + b
        if ACTIVE[0] and no_grad_depth() and isfinite(data):
            return make_node(data, EMPTY, EMPTY, "dot", const)  # no_grad(): no tuples
        parents: tuple[Value, ...] = (*ws, *tail)  # type: ignore[arg-type]
        local: tuple[float, ...] = (*xs, *tail_local)  # type: ignore[arg-type]
        terms: Terms = (*enumerate(xs), *((n, 1.0),) * len(tail))  # type: ignore[arg-type]
    elif hidden_layer:
        # Value weights times Value activations.
        wd = [w.data for w in ws]  # type: ignore[union-attr]
        xd = [x.data for x in xs]  # type: ignore[union-attr]
        data = _add(map(mul, wd, xd), NO_TERM) + b
        if ACTIVE[0] and no_grad_depth() and isfinite(data):
            return make_node(data, EMPTY, EMPTY, "dot", const)
        parents = (*ws, *xs, *tail)  # type: ignore[arg-type]
        local = (*xd, *wd, *tail_local)
        terms = value_terms(n, bool(tail))
    else:
        # Any mix: the products in the parents' order, a Value bias, then `const`.
        data, folded, parent_list, local_list, term_list = _mixed_dot(ws, xs)  # checks all
        if isinstance(bias, Value):
            data += bias.data
        if folded is not None:  # products of two plain numbers join the constant
            const = folded if const is None else folded + const
        if const is not None:
            data += const
        parents = (*parent_list, *tail)
        local = (*local_list, *tail_local)
        terms = (*term_list, *((len(parent_list), 1.0),) * len(tail))
    if not isfinite(data):
        _raise_non_finite("dot", data, local)
    node = make_node(data, parents, local, "dot", const)
    node.terms = terms
    return node


_VALUE_TERMS: dict[tuple[int, bool], Terms] = {}


def value_terms(n: int, bias: bool) -> Terms:
    """The terms of a dot of n Value weights and n Value inputs (then a Value bias):
    weight i times input i, parents `ws + xs (+ bias)`. One shared tuple per shape."""
    terms = _VALUE_TERMS.get((n, bias))
    if terms is None:
        terms = tuple((i, n + i) for i in range(n)) + (((2 * n, 1.0),) if bias else ())
        terms = _VALUE_TERMS.setdefault((n, bias), terms)
    return terms


def _mixed_dot(
    ws: Sequence[Value | Number], xs: Sequence[Value | Number]
) -> tuple[float, float | None, list[Value], list[float], list[tuple[int, int | float]]]:
    """The general case of `dot`: any mix of Values and constants on either side.

    Returns the sum of the products that have a Value in them (in the order of the
    parents: the Value weights' products, then those of Value inputs with a plain
    weight), the sum of the products of two plain numbers (None if there are none),
    the parents, their local derivatives and the terms (see `Terms`).
    """
    wd = [
        w.data if isinstance(w, Value) else as_float(w, f"dot() ws[{i}]") for i, w in enumerate(ws)
    ]
    xd = [
        x.data if isinstance(x, Value) else as_float(x, f"dot() xs[{i}]") for i, x in enumerate(xs)
    ]
    parents: list[Value] = []
    local: list[float] = []
    products: list[float] = []
    plain: list[float] = []  # products of two plain numbers
    terms: list[tuple[int, int | float]] = []
    at: dict[int, int] = {}  # term number -> its weight's position among the parents
    for k, (w, x, w_data, x_data) in enumerate(zip(ws, xs, wd, xd)):
        if isinstance(w, Value):
            at[k] = len(parents)
            parents.append(w)
            local.append(x_data)
            products.append(w_data * x_data)
            terms.append((at[k], x_data))  # the partner is fixed below if it is a Value
        elif not isinstance(x, Value):
            plain.append(w_data * x_data)
    later: list[tuple[int, int | float]] = []  # Value inputs with a plain weight
    for k, (x, w_data, x_data) in enumerate(zip(xs, wd, xd)):
        if isinstance(x, Value):
            if k in at:  # a product of two Values, counted above
                terms[list(at).index(k)] = (at[k], len(parents))
            else:
                products.append(x_data * w_data)
                later.append((len(parents), w_data))
            parents.append(x)
            local.append(w_data)
    total = _add(products, NO_TERM)
    return total, (_add(plain, NO_TERM) if plain else None), parents, local, terms + later


def _raise_non_finite(op: str, data: float, numbers: Sequence[float]) -> NoReturn:
    """Explain a NaN or infinite result: a non-finite input, or else an overflow."""
    for i, x in enumerate(numbers):
        if not isfinite(x):
            raise ValueError(f"{op}() got a non-finite number {x!r} (at position {i} of its terms)")
    raise OverflowError(f"{op}() overflows: the result {data!r} is too large for a float")
