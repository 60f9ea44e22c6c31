"""Pictures of a fused `dot` drawn expanded: one product per term, then their sum.

A "dot" node is one Value whose parents are the weights, the inputs and the bias, so
its picture hides which weight multiplies which input. `expand` reads each dot's
pairing with `engine.codegen.graph.dot_terms` and makes, for the picture only, a
product Value per term (`w × x`, or `w × 0.5` for a constant input) and a sum Value
("Σ") that stands in the dot's own box: the dot's label, value and gradient, with
the products and the bias as its parents. A product's gradient is the dot's, since
d sum / d product = 1.

These stand-ins are made fresh for every drawing and nothing points to them: the
user's Values keep their parents, and nothing is stored on them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from engine import Value
from engine.codegen.graph import dot_terms


def expand(
    order: Sequence[Value], keep: Collection[Value] = ()
) -> tuple[list[Value], dict[Value, Value]]:
    """The picture's Values in forward order, with each dot (not in `keep`) expanded.

    Args:
        order: the graph's Values, parents first (`viz.walk.forward_order`).
        keep: dots to leave fused (those inside a collapsed group).

    Returns:
        The picture's Values (each dot's products, then its sum, where the dot was),
        and a map from each expanded dot to its sum.

    A plain-number bias (the dot's `const`) stays in the sum's op, as `Σ + 0.5`. A
    dot whose terms cannot be read (one that multiplies two Values in one term and a
    Value by a plain number in another, or whose fields were changed by hand) stays
    fused: see `engine.codegen.graph.dot_terms`.

    Example:
        >>> from engine import Value, dot
        >>> w, x, b = Value(2.0, "w"), Value(3.0, "x"), Value(1.0, "b")
        >>> picture, sums = expand([w, x, b, dot([w], [x], bias=b)])
        >>> [(v.op, v.data) for v in picture[3:]]
        [('*', 6.0), ('sum', 7.0)]
    """
    picture: list[Value] = []
    sums: dict[Value, Value] = {}
    for value in order:
        if value.op != "dot" or not value.parents or value in keep:
            picture.append(value)
            continue
        try:
            terms, _ = dot_terms(value)
        except ValueError:  # its terms cannot be read: draw it as it is
            picture.append(value)
            continue
        products = [_product(a, b, value.grad) for a, b in terms]
        addends = list(products)
        last, factor = terms[-1]
        if not isinstance(factor, Value) and factor == 1.0:
            # The bias, added as it is (a last weight times the constant 1 reads the same).
            addends[-1] = last
            products.pop()
        picture.extend(products)
        total = _stand_in(value.data, value.grad, "sum", tuple(addends), (1.0,) * len(addends))
        total.label = value.label
        total.const = value.const
        picture.append(total)
        sums[value] = total
    return picture, sums


def picture_parents(sums: dict[Value, Value]) -> Callable[[Value], Sequence[Value]]:
    """A Value's parents as the picture shows them: an expanded dot is its sum."""

    def parents(value: Value) -> Sequence[Value]:
        return [sums.get(p, p) for p in value.parents]

    return parents


def _product(a: Value, b: Value | float, grad: float) -> Value:
    """The picture's `a × b`, with the gradient of the dot it is a term of."""
    if isinstance(b, Value):
        return _stand_in(a.data * b.data, grad, "*", (a, b), (b.data, a.data))
    out = _stand_in(a.data * b, grad, "*", (a,), (b,))
    out.const = b  # shown in the op, as for `x * 3`
    return out


def _stand_in(
    data: float, grad: float, op: str, parents: tuple[Value, ...], local: tuple[float, ...]
) -> Value:
    out = Value(data)
    out.grad = grad
    out.parents = parents
    out.local_grads = local
    out.op = op
    return out
