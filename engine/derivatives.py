"""Derivatives as functions: `grad` (also of gradients), `hessian`, `hvp`, `vjp`.

`backward()` fills in `.grad` with floats. `grad` computes the same numbers without
touching `.grad`, and with `create_graph=True` it builds the backward pass as a graph
of its own: each node's local derivatives come from its op's entry in the table,
written with engine ops, run on the node's own parents (so `tanh`'s `1 - t * t` reads
the very node `t`). That graph can be drawn and differentiated again.

    >>> from engine import Value, grad
    >>> x = Value(3.0, "x")
    >>> y = x * x * x
    >>> (dy,) = grad(y, [x], create_graph=True)
    >>> (d2y,) = grad(dy, [x])
    >>> dy.data, d2y
    (27.0, 18.0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engine.checks import as_float
from engine.grad_mode import is_grad_enabled
from engine.ops import op_named, operands
from engine.value import Value, rules_compare_numbers
from engine.walk import forward_order

__all__ = ["grad", "hessian", "hvp", "local_derivatives", "vjp"]


def local_derivatives(node: Value) -> list[Value | float]:
    """d node / d parent for each parent of `node`, as Values (or plain numbers where
    the derivative is a constant): the table's derivative run on the graph itself.

    Raises:
        TypeError: for an op whose derivative works on floats only (written with
            `math`), naming the op.
        ValueError: for a node of an op the registry does not know.
    """
    if node.op == "sum":
        return [1.0] * len(node.parents)
    if node.op == "dot":
        from engine.codegen.graph import dot_terms  # reads which parent multiplies which

        return dot_terms(node)[1]
    entry = op_named(node.op)
    if entry is None or not entry.partials:
        raise ValueError(f"cannot differentiate {node!r} again: its op {node.op!r} is unknown")
    args = operands(node)
    try:
        with rules_compare_numbers():  # relu's `1.0 if x > 0.0 else 0.0`, on Values
            return [
                entry.partials[i](*args, node) for i, a in enumerate(args) if isinstance(a, Value)
            ]
    except TypeError as error:
        raise TypeError(
            f"the derivative of op {entry.name!r} does not run on Values ({error}): write it"
            " with engine ops (x.exp(), 1 / x, ...) to take derivatives of its derivatives"
        ) from None


def _values(inputs: object, what: str) -> list[Value]:
    if isinstance(inputs, Value) or not isinstance(inputs, Sequence | tuple | list):
        raise TypeError(f"{what} must be a list of Values, got {inputs!r:.80}")
    for i, v in enumerate(inputs):
        if not isinstance(v, Value):
            raise TypeError(f"{what}[{i}] must be a Value, got {v!r:.80}")
    return list(inputs)


def _reverse(roots: list[Value], seeds: list[Any], create_graph: bool) -> dict[int, Any]:
    """Reverse mode from `roots` (with gradients `seeds`): the gradient of every node,
    by id. Floats add as backward() adds them (the same walk, the same order), so
    `grad(y, xs)` equals what `y.backward()` leaves in fresh leaves, bit for bit."""
    grads: dict[int, Any] = {}
    for root, seed in zip(roots, seeds):
        grads[id(root)] = seed if id(root) not in grads else grads[id(root)] + seed
    for node in reversed(forward_order(roots)):
        g = grads.get(id(node))
        if g is None or (not create_graph and not g):
            continue
        if not create_graph:
            for parent, local in zip(node.parents, node.local_grads):
                grads[id(parent)] = grads.get(id(parent), 0.0) + local * g
            continue
        for parent, local in zip(node.parents, local_derivatives(node)):
            term = g if local == 1.0 else local if g == 1.0 else local * g
            previous = grads.get(id(parent))
            grads[id(parent)] = term if previous is None else previous + term
    return grads


def grad(output: Value, inputs: Sequence[Value], *, create_graph: bool = False) -> list[Any]:
    """d output / d input for each input: floats, or Values with `create_graph=True`.

    Nothing is stored on the nodes (`.grad` is left as it is). With `create_graph`
    the results are nodes of a new graph built from the table's derivatives (each a
    function of the original nodes), which `grad` can differentiate again and
    `viz.draw_graph` can draw: backprop as the graph it is.

    Args:
        output: the Value to differentiate.
        inputs: the Values to differentiate by (leaves or interior nodes).
        create_graph: return Values whose graph can be differentiated again.

    Returns:
        One derivative per input (0.0 for an input the output does not depend on).

    Raises:
        TypeError: if `output` is not a Value or an input is not one.
        RuntimeError: for `create_graph=True` inside `no_grad()`.

    Example:
        >>> from engine import Value, grad
        >>> x, y = Value(2.0), Value(3.0)
        >>> grad(x * y + x, [x, y])
        [4.0, 2.0]
    """
    if not isinstance(output, Value):
        raise TypeError(f"output must be a Value, got {output!r:.80}")
    inputs = _values(inputs, "inputs")
    if create_graph and not is_grad_enabled():
        raise RuntimeError("grad(create_graph=True) records a graph: call it outside no_grad()")
    grads = _reverse([output], [1.0], create_graph)
    out = [grads.get(id(x), 0.0) for x in inputs]
    for i, g in enumerate(out):
        if not isinstance(g, Value) and g - g != 0.0:
            raise OverflowError(
                f"grad(): d output / d inputs[{i}] ({inputs[i]!r}) is {g!r}: it overflowed"
                " on the way back from the output (local derivatives too large)"
            )
    return [g if isinstance(g, Value) or not create_graph else Value(g) for g in out]


def as_point(point: Any, what: str) -> list[float]:
    """A point (a sequence of numbers) as a list of finite floats, or raise."""
    if isinstance(point, str | bytes) or not hasattr(point, "__len__"):
        raise TypeError(f"{what} must be a sequence of numbers, got {point!r:.80}")
    values = [as_float(x, f"{what}[{i}]") for i, x in enumerate(point)]
    if not values:
        raise ValueError(f"{what} needs at least one number, got none")
    return values


def _call(fn: Callable[..., Any], xs: list[Value]) -> Value:
    if not callable(fn):
        raise TypeError(f"fn must be a function of Values, got {fn!r:.80}")
    if not is_grad_enabled():
        raise RuntimeError("second derivatives record graphs: call this outside no_grad()")
    out = fn(*xs)
    if not isinstance(out, Value):
        raise TypeError(f"fn must return a Value, got {out!r:.80}")
    return out


def hessian(fn: Callable[..., Value], point: Sequence[float]) -> list[list[float]]:
    """The matrix of second derivatives of `fn` at `point`: H[i][j] = d2 f / dxi dxj.

    Reverse over reverse: `grad(create_graph=True)` gives the gradient as Values, and
    each of its entries is differentiated again.

    Args:
        fn: a function of `len(point)` Values returning one Value.
        point: the numbers to evaluate at.

    Example:
        >>> from engine import hessian
        >>> hessian(lambda x, y: x * x * y, [3.0, 2.0])
        [[4.0, 6.0], [6.0, 0.0]]
    """
    xs = [Value(p, f"x{i}") for i, p in enumerate(as_point(point, "point"))]
    gradient = grad(_call(fn, xs), xs, create_graph=True)
    return [grad(g, xs) for g in gradient]


def hvp(
    fn: Callable[..., Value], point: Sequence[float], v: Sequence[float]
) -> tuple[float, list[float]]:
    """The Hessian of `fn` at `point` times the vector `v`, without forming the Hessian.

    Forward over reverse: the gradient is built as a graph (`create_graph=True`),
    then `v` is pushed forward through that graph as a tangent, each node passing on
    its recorded local derivatives (one forward sweep, whatever the number of inputs).

    Returns:
        `(fn(point), H v)`.

    Example:
        >>> from engine import hvp
        >>> hvp(lambda x, y: x * x * y, [3.0, 2.0], [1.0, 0.0])
        (18.0, [4.0, 6.0])
    """
    values = as_point(point, "point")
    direction = as_point(v, "v")
    if len(direction) != len(values):
        raise ValueError(f"v needs one number per input ({len(values)}), got {len(direction)}")
    xs = [Value(p, f"x{i}") for i, p in enumerate(values)]
    out = _call(fn, xs)
    gradient = [g for g in grad(out, xs, create_graph=True)]
    return out.data, tangents(gradient, xs, direction)


def tangents(outputs: list[Value], inputs: list[Value], direction: list[float]) -> list[float]:
    """Forward mode over a recorded graph: d output / d t along `inputs + t direction`,
    each node's tangent the sum of its local derivatives times its parents' tangents."""
    tangent: dict[int, float] = {id(x): d for x, d in zip(inputs, direction)}
    for node in forward_order(outputs):
        if id(node) in tangent:
            continue  # an input in the middle of the graph: its tangent is given
        total = 0.0
        for parent, local in zip(node.parents, node.local_grads):
            t = tangent.get(id(parent))
            if t:
                total += local * t
        tangent[id(node)] = total
    return [tangent.get(id(y), 0.0) for y in outputs]


def vjp(
    fn: Callable[..., Any], point: Sequence[float], cotangent: Sequence[float]
) -> tuple[list[float], list[float]]:
    """`u^T J` for the Jacobian J of `fn` at `point` (reverse mode, one pass).

    `fn` returns one Value or a list of them; `cotangent` has one number per output.

    Returns:
        `(outputs, u^T J)` (one number per input).

    Example:
        >>> from engine import vjp
        >>> vjp(lambda x, y: [x * y, x + y], [2.0, 3.0], [1.0, 10.0])
        ([6.0, 5.0], [13.0, 12.0])
    """
    xs = [Value(p, f"x{i}") for i, p in enumerate(as_point(point, "point"))]
    result = fn(*xs)
    outs = [result] if isinstance(result, Value) else _values(result, "fn's outputs")
    u = as_point(cotangent, "cotangent")
    if len(u) != len(outs):
        raise ValueError(f"cotangent needs one number per output ({len(outs)}), got {len(u)}")
    grads = _reverse(outs, u, False)
    return [y.data for y in outs], [grads.get(id(x), 0.0) for x in xs]
