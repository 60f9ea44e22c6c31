"""The speed machinery: fused sums and weighted sums, whole layers, the float path.

Everything here is a faster way to build exactly the nodes the plain ops build, or
to compute exactly the numbers they compute. The contract, proven by the equivalence
tests in tests/engine/test_fast_paths.py and tests/nn/test_speed_paths.py:

- `sum(terms)` and `dot(ws, xs, bias)` are one node each (op "sum", "dot"), with one
  local derivative per parent: a neuron is one node instead of 2n+1. Both add left to
  right, one rounding per `+`, on every supported Python (`add_in_order`).
- `matvec(rows, xs, biases)` makes, for each row, exactly the node
  `dot(row, xs, bias)` makes; `matvec_batch` does it for many input vectors,
  reading the weights once.
- `forward_floats(stages, X)` computes a network's outputs with plain floats, equal to
  the last bit to the Value path (nn uses it under `no_grad()`).
- `backward(root)` is `Value.backward` without its check for NaN and infinity:
  training checks the leaves it reads.

This is the one module that writes node creation out by hand (in `matvec`'s row loop,
marked), and the one allowed to reach into `engine.value`'s internals.
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import Iterable, Sequence
from itertools import chain
from math import isfinite
from operator import attrgetter, mul
from typing import Any, NoReturn

from engine.checks import as_float
from engine.grad_mode import ACTIVE, no_grad_depth
from engine.ops import BUILTIN_NAMES, OPS_BY_NAME, REALS, Op, register
from engine.value import EMPTY, ONE, Number, Value, _new, make_node
from engine.walk import ZERO, interior_order

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


class Constants(tuple):  # type: ignore[type-arg]
    """The local derivatives of a dot node in which no term multiplies two Values.

    In such a dot (a first layer: Value weights times float inputs) each local
    derivative is a constant, the plain number its parent was multiplied by, never
    another parent's value. Marking the tuple says so for readers of the graph (the
    generated code, the expanded pictures), who could not tell it from the local
    derivatives of Value weights times Value inputs when the numbers coincide
    (zeros, say). To the chain rule it is an ordinary tuple.
    """

    __slots__ = ()


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
        local: tuple[float, ...] = Constants((*xs, *tail_local))
    elif hidden_layer:
        # Value weights times Value activations.
        wd = [w.data for w in ws]  # type: ignore[union-attr]
        xd = [x.data for x in xs]  # type: ignore[union-attr]
        data = _add(map(mul, wd, xd), NO_TERM) + b
        if ACTIVE[0] and no_grad_depth() and isfinite(data):
            return make_node(data, EMPTY, EMPTY, "dot", const)
        parents = (*ws, *xs, *tail)  # type: ignore[arg-type]
        local = (*xd, *wd, *tail_local)
    else:
        # Any mix: the products in the parents' order, a Value bias, then `const`.
        data, folded, parent_list, local_list = _mixed_dot(ws, xs)  # checks every element
        if isinstance(bias, Value):
            data += bias.data
        if folded is not None:  # products of two plain numbers join the constant
            const = folded if const is None else folded + const
        if const is not None:
            data += const
        parents = (*parent_list, *tail)
        local = (*local_list, *tail_local)
        if not any(isinstance(w, Value) and isinstance(x, Value) for w, x in zip(ws, xs)):
            local = Constants(local)  # each parent's partner is a plain number
    if not isfinite(data):
        _raise_non_finite("dot", data, local)
    return make_node(data, parents, local, "dot", const)


def _mixed_dot(
    ws: Sequence[Value | Number], xs: Sequence[Value | Number]
) -> tuple[float, float | None, list[Value], list[float]]:
    """The general case of `dot`: any mix of Values and constants on either side.

    Returns the sum of the products that have a Value in them (in the order of the
    parents: the Value weights' products, then those of Value inputs with a plain
    weight), the sum of the products of two plain numbers (None if there are none),
    the parents and their local derivatives.
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
    for w, x, w_data, x_data in zip(ws, xs, wd, xd):
        if isinstance(w, Value):
            parents.append(w)
            local.append(x_data)
            products.append(w_data * x_data)
        elif not isinstance(x, Value):
            plain.append(w_data * x_data)
    for w, x, w_data, x_data in zip(ws, xs, wd, xd):
        if isinstance(x, Value):
            parents.append(x)
            local.append(w_data)
            if not isinstance(w, Value):  # a product of two Values is counted above
                products.append(x_data * w_data)
    return _add(products, NO_TERM), (_add(plain, NO_TERM) if plain else None), parents, local


def _raise_non_finite(op: str, data: float, numbers: Sequence[float]) -> NoReturn:
    """Explain a NaN or infinite result: a non-finite input, or else an overflow."""
    for i, x in enumerate(numbers):
        if not isfinite(x):
            raise ValueError(f"{op}() got a non-finite number {x!r} (at position {i} of its terms)")
    raise OverflowError(f"{op}() overflows: the result {data!r} is too large for a float")


_LIST_OR_TUPLE = {list, tuple}


def matvec(
    rows: Sequence[Sequence[Value | Number]],
    xs: Sequence[Value | Number],
    biases: Sequence[Value | Number] | None = None,
) -> list[Value]:
    """The weighted sums `rows[j] . xs (+ biases[j])`, one `"dot"` node per row.

    Every output equals `dot(rows[j], xs, bias=biases[j])`: the same value, parents
    (the row's Value weights, then the Value inputs, then the bias) and local
    derivatives. It is the same thing, computed faster for a whole layer.

    Args:
        rows: one sequence of weights per output, each as long as `xs`.
        xs: the inputs, shared by every row.
        biases: None, or one bias per row.

    Returns:
        A list with one Value per row.

    Raises:
        ValueError: if there are no rows, a row's length differs from `len(xs)`, or
            `biases` has not one entry per row.
        TypeError: if `rows`, `xs` or `biases` is not a sequence, or an element is
            neither a Value nor a real number.

    Example:
        >>> from engine import Value, matvec
        >>> W = [[Value(1.0), Value(2.0)], [Value(-1.0), Value(0.5)]]
        >>> b = [Value(0.5), Value(0.0)]
        >>> z = matvec(W, [3.0, 4.0], b)
        >>> [zj.data for zj in z]
        [11.5, -1.0]
        >>> z[0].backward()
        >>> [w.grad for w in W[0]], b[0].grad
        ([3.0, 4.0], 1.0)
    """
    rows = _sequence(rows, "rows")
    xs = _sequence(xs, "xs")
    if biases is not None:
        biases = _sequence(biases, "biases")
    # The fast path covers what a network does: rows of Value weights as long as xs,
    # Value biases, and inputs that are all floats (the first layer) or all Values
    # (the layers after it). Everything else goes to _general(), which explains what
    # is wrong or handles the unusual mix through dot().
    if _fast_rows(rows, len(xs), biases):
        x_types = set(map(type, xs))
        if x_types in (_ONLY_FLOATS, _ONLY_VALUES):
            values = x_types == _ONLY_VALUES
            return _rows_times(_prepare(rows, biases, values), xs, values)
    return _general(rows, xs, biases)


def matvec_batch(
    rows: Sequence[Sequence[Value | Number]],
    batch: Sequence[Sequence[Value | Number]],
    biases: Sequence[Value | Number] | None = None,
) -> list[list[Value]]:
    """`matvec(rows, xs, biases)` for every input vector `xs` of `batch`, in order.

    The result is exactly `[matvec(rows, xs, biases) for xs in batch]`: the same
    nodes, values and local derivatives. Only the work is shared: the weights and
    biases are checked and read once for the whole batch instead of once per vector,
    and with float inputs every vector's nodes share one parents tuple per row. A
    network's forward pass over a batch of points spends most of its time here.

    Args:
        rows: one sequence of weights per output.
        batch: the input vectors, each as long as every row.
        biases: None, or one bias per row.

    Returns:
        One list of Values (one per row) for each input vector.

    Raises:
        ValueError, TypeError: as `matvec` does, with a note naming the input
            vector (`batch[i]`) that caused it.

    Example:
        >>> from engine import Value, matvec_batch
        >>> W = [[Value(1.0), Value(2.0)]]
        >>> [[z.data for z in zs] for zs in matvec_batch(W, [[3.0, 4.0], [1.0, 0.0]])]
        [[11.0], [1.0]]
    """
    rows = _sequence(rows, "rows")
    batch = _sequence(batch, "batch")
    if biases is not None:
        biases = _sequence(biases, "biases")
    n_in = len(rows[0]) if rows and type(rows[0]) in _LIST_OR_TUPLE else -1
    fast = _fast_rows(rows, n_in, biases)
    prepared: dict[bool, list[_Prepared]] = {}  # by "the inputs are Values"
    out: list[list[Value]] = []
    for i, xs in enumerate(batch):
        x_types = set(map(type, xs)) if type(xs) in _LIST_OR_TUPLE and len(xs) == n_in else None
        try:
            if fast and x_types in (_ONLY_FLOATS, _ONLY_VALUES):
                values = x_types == _ONLY_VALUES
                if values not in prepared:
                    prepared[values] = _prepare(rows, biases, values)
                out.append(_rows_times(prepared[values], xs, values))
            else:
                out.append(matvec(rows, xs, biases))  # checks, explains, or handles a mix
        except (TypeError, ValueError, OverflowError) as error:
            error.add_note(f"(in matvec_batch(), for the input vector batch[{i}])")
            raise
    return out


def _fast_rows(
    rows: Sequence[Sequence[Value | Number]],
    n_in: int,
    biases: Sequence[Value | Number] | None,
) -> bool:
    """Whether the rows and biases fit the fast path: Values only, rows of length n_in.

    Each condition is checked over the whole layer in one C-level pass.
    """
    return bool(
        n_in > 0
        and set(map(type, rows)) <= _LIST_OR_TUPLE
        and set(map(len, rows)) == {n_in}
        and set(map(type, chain.from_iterable(rows))) == _ONLY_VALUES
        and (
            biases is None or (len(biases) == len(rows) and set(map(type, biases)) == _ONLY_VALUES)
        )
    )


def _general(
    rows: Sequence[Sequence[Value | Number]],
    xs: Sequence[Value | Number],
    biases: Sequence[Value | Number] | None,
) -> list[Value]:
    """Validate the shapes with clear errors, then make one dot() per row."""
    n_rows, n_in = len(rows), len(xs)
    if n_rows == 0:
        raise ValueError("matvec() needs at least one row of weights, got none")
    for j, row in enumerate(rows):
        _sequence(row, f"rows[{j}]")
        if len(row) != n_in:
            raise ValueError(
                f"matvec() needs every row as long as xs ({n_in} inputs), but rows[{j}] has"
                f" {len(row)} weights"
            )
    if biases is None:
        return [dot(row, xs) for row in rows]
    if len(biases) != n_rows:
        raise ValueError(
            f"matvec() needs one bias per row ({n_rows} rows), got {len(biases)} biases"
        )
    return [dot(row, xs, bias=b) for row, b in zip(rows, biases)]


# One prepared row: the weights, their data, the bias's data, the bias as a 0- or
# 1-tuple, and the fixed part of the node's tuples: for Value inputs, the tail of the
# local derivatives (the weights' data, then 1 for the bias); for float inputs, the
# whole parents tuple (the weights and the bias), which every input vector shares.
_Prepared = tuple[tuple[Value, ...], tuple[float, ...], float, tuple[Value, ...], tuple[Any, ...]]


def _prepare(
    rows: Sequence[Sequence[Value | Number]],
    biases: Sequence[Value | Number] | None,
    xs_are_values: bool,
) -> list[_Prepared]:
    """Read every weight and bias once: what a row needs for any input vector."""
    prepared: list[_Prepared] = []
    for j, row in enumerate(rows):
        ws: tuple[Value, ...] = tuple(row)  # type: ignore[arg-type]
        # (A list comprehension reads the slots faster than map(attrgetter("data"), ...).)
        wd = tuple([w.data for w in ws])
        bias: tuple[Value, ...]
        one: tuple[float, ...]
        if biases is None:
            bias, bd, one = EMPTY, NO_TERM, EMPTY
        else:
            b: Value = biases[j]  # type: ignore[assignment]
            bias, bd, one = (b,), b.data, ONE
        if ACTIVE[0] and no_grad_depth():
            fixed: tuple[Any, ...] = EMPTY  # no_grad(): no node keeps a tuple
        else:
            fixed = wd + one if xs_are_values else ws + bias
        prepared.append((ws, wd, bd, bias, fixed))
    return prepared


def _rows_times(
    prepared: list[_Prepared], xs: Sequence[Value | Number], xs_are_values: bool
) -> list[Value]:
    """One "dot" node per prepared row for the input vector `xs` (types checked)."""
    recording = not (ACTIVE[0] and no_grad_depth())
    # Once per input vector: its data and the tuple part that every row shares.
    if xs_are_values:
        x_parents: tuple[Value, ...] = tuple(xs)  # type: ignore[arg-type]
        xd = tuple([x.data for x in x_parents])
    else:
        xd = tuple(xs)  # type: ignore[arg-type]
        # The local derivatives: the inputs (for the weights), then 1 for a bias.
        local = Constants(xd + ONE if prepared[0][3] else xd)
    out: list[Value] = []
    append = out.append
    for ws, wd, bd, bias, fixed in prepared:
        data = _add(map(mul, wd, xd), NO_TERM) + bd
        if not isfinite(data):
            # Let dot() name the culprit (a non-finite input or an overflow).
            dot(ws, xs, bias=bias[0] if bias else None)
            raise AssertionError("dot() accepted what matvec() found non-finite")
        # `_make` written out (as in Value.__add__): this loop makes most of a network.
        node = _new(Value)
        node.data = data
        node.grad = 0.0
        if not recording:
            node.parents = node.local_grads = EMPTY  # no_grad(): skip the tuples
        elif xs_are_values:
            # Tuple concatenation runs in C: parents are the weights, the inputs, the
            # bias; local derivatives are the inputs' data, the weights' data, 1.
            node.parents = ws + x_parents + bias
            node.local_grads = xd + fixed
        else:
            # Float inputs are constants, not parents: `fixed` is the weights and bias.
            node.parents = fixed
            node.local_grads = local
        node.op = "dot"
        node.const = None
        node.label = ""
        append(node)
    return out


def _sequence(obj: Any, name: str) -> Any:
    """`obj` as a list or tuple: other sequences and arrays (numpy's) become lists."""
    if type(obj) is list or type(obj) is tuple:
        return obj  # the common case, without the slower checks
    if isinstance(obj, str | bytes | dict) or not hasattr(obj, "__len__"):
        raise TypeError(f"matvec() needs {name} to be a sequence, got {obj!r:.80}")
    return list(obj)


# ------------------------------------------------------------- registry entries


def _dot_forward(*args: float) -> float:
    half = len(args) // 2
    return _add(map(mul, args[:half], args[half:]), NO_TERM)


def _apply_dot(*args: Value | Number) -> Value:
    half = len(args) // 2
    return dot(args[:half], args[half:])


register(
    Op(
        "sum",
        None,
        lambda *a: _add(a, NO_TERM),
        None,
        (REALS,),
        "Σ",
        lambda *a: sum(a),
        doc="a1 + ... + an",
    )
)
register(
    Op(
        "dot",
        None,
        _dot_forward,
        None,
        (REALS,),
        "w·x",
        _apply_dot,
        doc="w1 x1 + ... + wn xn (+ b): arguments are the ws, then the xs",
    )
)


# ----------------------------------------------------------------- the float path

# A layer: its weight rows, its biases and its activation (an op name, or "linear").
Stage = tuple[list[list[Value]], list[Value], str]
_FLOAT_OR_VALUE = {float, Value}


def forward_floats(stages: Sequence[Stage], X: Sequence[Sequence[Any]]) -> list[list[Value]] | None:
    """A network's outputs for every input of `X` with plain floats, or None.

    Under `no_grad()` nothing links a network's outputs to the numbers computed on
    the way, so those are plain floats here, computed with the very expressions the
    Value path uses (each weighted sum as `w1*x1 + ... + wn*xn + b` in the same
    order, each activation by its registry entry's `forward`): every output equals
    the Value path's to the last bit. Only the outputs are made into Values (leaves,
    with the op the Value path gives them).

    Anything unusual (inputs that are not all floats or Values, a number that is
    not finite, an input outside an activation's domain, an error) returns None: the
    caller then takes the Value path, which explains the problem.
    """
    if not all(set(map(type, x)) <= _FLOAT_OR_VALUE for x in X):
        return None
    layers = []
    for rows, biases, act in stages:
        op = None if act == "linear" else OPS_BY_NAME[act]
        if op is not None and op.domains[0] != REALS:
            return None  # keep the domain checks of the Value path
        wd = [[w.data for w in row] for row in rows]
        layers.append((wd, [b.data for b in biases], None if op is None else op.forward))
    name = "dot" if stages[-1][2] == "linear" else stages[-1][2]
    out: list[list[Value]] = []
    for x in X:
        h = [v.data if type(v) is Value else v for v in x]
        for wd, bd, forward in layers:
            z = [_add(map(mul, w, h), NO_TERM) + b for w, b in zip(wd, bd)]
            if not _all_finite(z):
                return None
            if forward is not None:
                try:
                    z = list(map(forward, z))
                except (ArithmeticError, ValueError):
                    return None
                if not _all_finite(z):
                    return None
            h = z
        values = list(map(Value, h))
        for v in values:
            v.op = name
        out.append(values)
    return out


_INF = float("inf")
_relu_by_the_registry = OPS_BY_NAME["relu"].apply


def relu(x: Any) -> Value:
    """The registry's relu with its node creation written out (`Value.relu` is this).

    relu is the activation of most networks here, one node per unit, so it gets the
    one written-out copy of the generic one-input op: max(0, x), derivative the
    shared ONE above 0 and ZERO at or below (the convention at 0). Anything unusual
    (not a Value, NaN or infinity set by hand) goes to the registry's own code, which
    explains it; tests/engine/test_fast_paths.py proves the two make equal nodes.
    """
    if type(x) is not Value:
        return _relu_by_the_registry(x)
    a = x.data
    node = _new(Value)
    if 0.0 < a < _INF:  # FAST PATH: make_node written out
        node.data = a
        local = ONE
    elif a <= 0.0 and a != -_INF:
        node.data = 0.0
        local = ZERO
    else:
        return _relu_by_the_registry(x)
    node.grad = 0.0
    if not (ACTIVE[0] and no_grad_depth()):
        node.parents = (x,)
        node.local_grads = local
    else:
        node.parents = node.local_grads = EMPTY
    node.op = "relu"
    node.const = None
    node.label = ""
    return node


object.__setattr__(OPS_BY_NAME["relu"], "apply", relu)
Value.relu = relu  # type: ignore[attr-defined,unused-ignore]


def _all_finite(z: list[float]) -> bool:
    total = builtins.sum(z)  # finite unless some term is not (or, rarely, the sum overflows)
    return not total - total or all(map(isfinite, z))


# ------------------------------------------------------------- training's backward


def backward(root: Value) -> None:
    """`root.backward()` for training, without its check for NaN and infinity.

    Every gradient comes out exactly as `root.backward()` leaves it; the caller checks
    the leaves it reads (`nn.train_step` does), which saves a pass over the graph.
    """
    order = interior_order(root)
    root.grad = 1.0 if root.parents else root.grad + 1.0
    for node in reversed(order):  # the chain rule, exactly as in Value.backward
        if g := node.grad:
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += local * g


BUILTIN_NAMES.update(OPS_BY_NAME)  # every op defined so far is built in
