"""A layer's weighted sums in one call: `matvec(rows, xs, biases)`, one "dot" node per row.

A layer of neurons is a matrix-vector product, `W x + b`: every row of weights meets
the same inputs. Calling `dot` once per neuron repeats the work on the inputs (type
checks, reading their data, building their tuple) for every neuron. `matvec` does
that work once per layer and then, for each row, only what is row-specific. Each
result is exactly the node `dot(row, xs, bias=b)` would make: the same op, the same
parents in the same order and the same local derivatives, so the graph, its pictures
and its gradients do not change, only the time it takes to build them.

`matvec_batch(rows, batch, biases)` goes one step further for a batch of input vectors:
the weights are checked and read once for the whole batch, which is how `nn` runs a
forward pass over many points.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from math import isfinite
from operator import mul
from typing import Any

from engine.grad_mode import _RECORDING
from engine.nary import _ONLY_FLOATS, _ONLY_VALUES, _sum, dot
from engine.value import _EMPTY, _ONE, Number, Value, _new

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
    _check_sequence(rows, "rows")
    _check_sequence(xs, "xs")
    if biases is not None:
        _check_sequence(biases, "biases")
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
    _check_sequence(rows, "rows")
    _check_sequence(batch, "batch")
    if biases is not None:
        _check_sequence(biases, "biases")
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
        _check_sequence(row, f"rows[{j}]")
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
            bias, bd, one = _EMPTY, 0.0, _EMPTY
        else:
            b: Value = biases[j]  # type: ignore[assignment]
            bias, bd, one = (b,), b.data, _ONE
        if not _RECORDING[0]:
            fixed: tuple[Any, ...] = _EMPTY  # no_grad(): no node keeps a tuple
        else:
            fixed = wd + one if xs_are_values else ws + bias
        prepared.append((ws, wd, bd, bias, fixed))
    return prepared


def _rows_times(
    prepared: list[_Prepared], xs: Sequence[Value | Number], xs_are_values: bool
) -> list[Value]:
    """One "dot" node per prepared row for the input vector `xs` (types checked)."""
    recording = _RECORDING[0]
    # Once per input vector: its data and the tuple part that every row shares.
    if xs_are_values:
        x_parents: tuple[Value, ...] = tuple(xs)  # type: ignore[arg-type]
        xd = tuple([x.data for x in x_parents])
    else:
        xd = tuple(xs)  # type: ignore[arg-type]
        # The local derivatives: the inputs (for the weights), then 1 for a bias.
        local = xd + _ONE if prepared[0][3] else xd
    out: list[Value] = []
    append = out.append
    for ws, wd, bd, bias, fixed in prepared:
        data = _sum(map(mul, wd, xd)) + bd
        if not isfinite(data):
            # Let dot() name the culprit (a non-finite input or an overflow).
            dot(ws, xs, bias=bias[0] if bias else None)
            raise AssertionError("dot() accepted what matvec() found non-finite")
        # `_make` written out (as in Value.__add__): this loop makes most of a network.
        node = _new(Value)
        node.data = data
        node.grad = 0.0
        if not recording:
            node.parents = node.local_grads = _EMPTY  # no_grad(): skip the tuples
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
        node.label = ""
        append(node)
    return out


def _check_sequence(obj: object, name: str) -> None:
    if type(obj) is list or type(obj) is tuple:
        return  # the common case, without the slower abstract-class check
    if not isinstance(obj, Sequence) or isinstance(obj, str | bytes):
        raise TypeError(f"matvec() needs {name} to be a list or tuple, got {obj!r:.80}")
