"""A layer's weighted sums in one call: `matvec(rows, xs, biases)`, one "dot" node per row.

A layer of neurons is a matrix-vector product, `W x + b`: every row of weights meets
the same inputs. Calling `dot` once per neuron repeats the work on the inputs (type
checks, reading their data, building their tuple) for every neuron. `matvec` does
that work once per layer and then, for each row, only what is row-specific. Each
result is exactly the node `dot(row, xs, bias=b)` would make: the same op, the same
parents in the same order and the same local derivatives, so the graph, its pictures
and its gradients do not change, only the time it takes to build them.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from math import isfinite
from operator import mul

from engine.grad_mode import _RECORDING
from engine.nary import _ONLY_FLOATS, _ONLY_VALUES, _sum, dot
from engine.value import _EMPTY, _ONE, Number, Value, _make

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
    # (the layers after it). Each condition is checked over the whole layer in one
    # C-level pass; everything else goes to _general(), which explains what is wrong
    # or handles the unusual mix through dot().
    n_in = len(xs)
    if (
        n_in
        and set(map(type, rows)) <= _LIST_OR_TUPLE
        and set(map(len, rows)) == {n_in}
        and set(map(type, chain.from_iterable(rows))) == _ONLY_VALUES
        and (
            biases is None or (len(biases) == len(rows) and set(map(type, biases)) == _ONLY_VALUES)
        )
    ):
        x_types = set(map(type, xs))
        if x_types in (_ONLY_FLOATS, _ONLY_VALUES):
            return _matvec_values(rows, xs, biases, x_types == _ONLY_VALUES)
    return _general(rows, xs, biases)


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


def _matvec_values(
    rows: Sequence[Sequence[Value | Number]],
    xs: Sequence[Value | Number],
    biases: Sequence[Value | Number] | None,
    xs_are_values: bool,
) -> list[Value]:
    """The fast path: the types are checked, so only arithmetic and tuples remain."""
    # Once per layer: the inputs' data and the tail every row's tuples end with.
    # (A list comprehension reads the slots faster than map(attrgetter("data"), ...).)
    if xs_are_values:
        xd = tuple([x.data for x in xs])  # type: ignore[union-attr]
        x_parents: tuple[Value, ...] = tuple(xs)  # type: ignore[arg-type]
    else:
        xd = tuple(xs)
        x_parents = _EMPTY  # float inputs are constants, not parents
    recording = _RECORDING[0]
    out: list[Value] = []
    append = out.append
    for j, row in enumerate(rows):
        ws: tuple[Value, ...] = tuple(row)  # type: ignore[arg-type]
        wd = tuple([w.data for w in ws])
        b: Value | None = None if biases is None else biases[j]  # type: ignore[assignment]
        data = _sum(map(mul, wd, xd))
        if b is not None:
            data += b.data
        if not isfinite(data):
            # Let dot() name the culprit (a non-finite input or an overflow).
            dot(row, xs, bias=b)
            raise AssertionError("dot() accepted what matvec() found non-finite")
        if not recording:
            append(_make(data, _EMPTY, _EMPTY, "dot"))  # no_grad(): skip the tuples
            continue
        # Tuple concatenation runs in C: parents are the weights, the Value inputs,
        # the bias; local derivatives are the inputs' data, the weights' data, 1.
        local = xd + wd if xs_are_values else xd
        if b is None:
            append(_make(data, ws + x_parents, local, "dot"))
        else:
            append(_make(data, ws + x_parents + (b,), local + _ONE, "dot"))
    return out


def _check_sequence(obj: object, name: str) -> None:
    if type(obj) is list or type(obj) is tuple:
        return  # the common case, without the slower abstract-class check
    if not isinstance(obj, Sequence) or isinstance(obj, str | bytes):
        raise TypeError(f"matvec() needs {name} to be a list or tuple, got {obj!r:.80}")
