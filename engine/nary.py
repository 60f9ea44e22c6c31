"""Fused n-ary ops: a sum of many terms and a weighted sum, each one node.

Built from binary `+` and `*`, a neuron with n inputs would be 2n+1 nodes; fused, it is
one node with one local derivative per parent. The graph stays scalar and drawable,
just smaller and faster to walk.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from math import isfinite
from operator import attrgetter, mul
from typing import NoReturn

from engine.grad_mode import _RECORDING
from engine.value import _EMPTY, _ONE, Number, Value, _checked_float, _make

_sum = builtins.sum
_data = attrgetter("data")
_ONLY_VALUES = {Value}
_ONLY_FLOATS = {float}


def _split(terms: Iterable[Value | Number], what: str) -> tuple[list[Value], float]:
    """Separate Values from plain-number constants, validating the constants."""
    values: list[Value] = []
    constant = 0.0
    for i, t in enumerate(terms):
        if type(t) is Value:
            values.append(t)
        else:
            constant += _checked_float(t, f"{what}[{i}]")
    return values, constant


def sum(terms: Iterable[Value | Number]) -> Value:  # noqa: A001 - mirrors numpy/torch
    """Add many terms in one node (op `"sum"`); every local derivative is 1.

    Plain numbers among the terms are constants folded into the result.

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
        constant = 0.0
    else:
        values, constant = _split(terms, "terms")
    data = _sum(map(_data, values), constant)
    if not isfinite(data):
        _raise_non_finite("sum", data, [v.data for v in values])
    return _make(data, tuple(values), (1.0,) * len(values), "sum")


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
    if not (first_layer or hidden_layer):
        data, parent_list, local_list = _mixed_dot(ws, xs)  # validates every element
    tail: tuple[Value, ...]
    tail_local: tuple[float, ...]
    if type(bias) is Value:
        tail, tail_local, b = (bias,), _ONE, bias.data
    elif bias is None:
        tail, tail_local, b = _EMPTY, _EMPTY, 0.0
    else:
        tail, tail_local, b = _EMPTY, _EMPTY, _checked_float(bias, "dot() bias")
    if first_layer:
        # Value weights times float data: only the weights are parents.
        wd = [w.data for w in ws]  # type: ignore[union-attr]
        data = _sum(map(mul, wd, xs)) + b
        if not _RECORDING[0] and isfinite(data):
            return _make(data, _EMPTY, _EMPTY, "dot")  # no_grad(): skip the tuples
        parents: tuple[Value, ...] = (*ws, *tail)  # type: ignore[arg-type]
        local: tuple[float, ...] = (*xs, *tail_local)  # type: ignore[arg-type]
    elif hidden_layer:
        # Value weights times Value activations.
        wd = [w.data for w in ws]  # type: ignore[union-attr]
        xd = [x.data for x in xs]  # type: ignore[union-attr]
        data = _sum(map(mul, wd, xd)) + b
        if not _RECORDING[0] and isfinite(data):
            return _make(data, _EMPTY, _EMPTY, "dot")
        parents = (*ws, *xs, *tail)  # type: ignore[arg-type]
        local = (*xd, *wd, *tail_local)
    else:
        data += b
        parents = (*parent_list, *tail)
        local = (*local_list, *tail_local)
    if not isfinite(data):
        _raise_non_finite("dot", data, local)
    return _make(data, parents, local, "dot")


def _mixed_dot(
    ws: Sequence[Value | Number], xs: Sequence[Value | Number]
) -> tuple[float, list[Value], list[float]]:
    """The general case of `dot`: any mix of Values and constants on either side."""
    wd = [
        w.data if type(w) is Value else _checked_float(w, f"dot() ws[{i}]")
        for i, w in enumerate(ws)
    ]
    xd = [
        x.data if type(x) is Value else _checked_float(x, f"dot() xs[{i}]")
        for i, x in enumerate(xs)
    ]
    data = _sum(map(mul, wd, xd))
    parents: list[Value] = []
    local: list[float] = []
    for w, x_data in zip(ws, xd):
        if type(w) is Value:
            parents.append(w)
            local.append(x_data)
    for x, w_data in zip(xs, wd):
        if type(x) is Value:
            parents.append(x)
            local.append(w_data)
    return data, parents, local


def _raise_non_finite(op: str, data: float, numbers: Sequence[float]) -> NoReturn:
    """Explain a NaN or infinite result: a non-finite input, or else an overflow."""
    for i, x in enumerate(numbers):
        if not isfinite(x):
            raise ValueError(f"{op}() got a non-finite number {x!r} (at position {i} of its terms)")
    raise OverflowError(f"{op}() overflows: the result {data!r} is too large for a float")
