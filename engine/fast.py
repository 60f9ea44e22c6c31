"""The speed machinery: fused sums and weighted sums, whole layers, the float path.

Everything here is a faster way to build exactly the nodes the plain ops build, or
to compute exactly the numbers they compute. The contract, proven by the equivalence
tests in tests/engine/test_fast_paths.py and tests/nn/test_speed_paths.py:

- `sum(terms)` and `dot(ws, xs, bias)` (from `engine.fused`, entries of the op table)
  are one node each (op "sum", "dot"), with one local derivative per parent: a neuron
  is one node instead of 2n+1. Both add left to right, one rounding per `+`, on every
  supported Python (`add_in_order`).
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
from collections.abc import Sequence
from itertools import chain
from math import isfinite
from operator import mul
from typing import Any

from engine.fused import (
    _ONLY_FLOATS,
    _ONLY_VALUES,
    NO_TERM,
    _add,
    dot,
    value_terms,
)
from engine.grad_mode import ACTIVE, no_grad_depth
from engine.ops import OPS_BY_NAME, REALS
from engine.value import EMPTY, ONE, Number, Value, _new
from engine.walk import interior_order

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
    has_bias = bool(prepared[0][3])
    if xs_are_values:
        x_parents: tuple[Value, ...] = tuple(xs)  # type: ignore[arg-type]
        xd = tuple([x.data for x in x_parents])
        terms = value_terms(len(xd), has_bias)
    else:
        xd = tuple(xs)  # type: ignore[arg-type]
        # The local derivatives: the inputs (for the weights), then 1 for a bias.
        local = xd + ONE if has_bias else xd
        terms = (*enumerate(xd), *((len(xd), 1.0),) * has_bias)
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
        node.terms = terms
        append(node)
    return out


def _sequence(obj: Any, name: str) -> Any:
    """`obj` as a list or tuple: other sequences and arrays (numpy's) become lists."""
    if type(obj) is list or type(obj) is tuple:
        return obj  # the common case, without the slower checks
    if isinstance(obj, str | bytes | dict) or not hasattr(obj, "__len__"):
        raise TypeError(f"matvec() needs {name} to be a sequence, got {obj!r:.80}")
    return list(obj)


# ----------------------------------------------------------------- the float path

# A layer: its weight rows, its biases and its activation (an op name, or "linear").
Stage = tuple[list[list[Value]], list[Value], str]
_FLOAT_OR_VALUE = {float, Value}


def forward_stages(stages: Sequence[Stage], X: Sequence[Sequence[Any]]) -> list[list[Value]]:
    """The fused path of a network: its last stage's outputs for every input of `X`.

    The one hook `nn`'s layers call (see `nn.Module.fused_stages`): each stage is one
    layer's weight rows, biases and activation, and the result is exactly what calling
    each neuron on each input gives, `act(dot(row, x, bias=b))` stage by stage: the same
    nodes and floats (tests/nn/test_composition.py). It makes a layer's nodes with
    `matvec_batch` (each weight read once per batch) and, under `no_grad()`, computes the
    in-between numbers as plain floats (`forward_floats`). `X` must hold input vectors of
    the first stage's width (the caller checks, naming its model).
    """
    if not (ACTIVE[0] and no_grad_depth()) or (floats := forward_floats(stages, X)) is None:
        h: Sequence[Sequence[Any]] = X
        for rows, biases, activation in stages:
            z = matvec_batch(rows, h, biases)
            act = None if activation == "linear" else OPS_BY_NAME[activation].apply
            h = z if act is None else [list(map(act, zs)) for zs in z]
        return h  # type: ignore[return-value]
    return floats


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
