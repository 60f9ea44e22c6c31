"""Reading a graph for code generation: the two orders, dot nodes, the shape.

Everything here only reads the graph (no gradient is touched), so a graph that is
being drawn or inspected can be written out as code at any time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.fused import NO_TERM, Constants, add_in_order
from engine.value import Value
from engine.walk import forward_order

__all__ = ["construction_order", "dot_terms", "forward_order", "structure"]


def construction_order(roots: Sequence[Value]) -> list[Value]:
    """The computed nodes the roots depend on, each after its parents taken left to
    right: the order a reader builds them in (`x + y` before `x * y` in Figure 5).

    The forward statements follow it; any order with parents first computes the same.
    """
    order: list[Value] = []
    seen: set[int] = set()
    for root in roots:
        if not root.parents or id(root) in seen:
            continue
        seen.add(id(root))
        stack = [(root, iter(root.parents))]
        while stack:
            node, parents = stack[-1]
            for p in parents:
                if p.parents and id(p) not in seen:
                    seen.add(id(p))
                    stack.append((p, iter(p.parents)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def dot_terms(node: Value) -> tuple[list[tuple[Value, Value | float]], list[Value | float]]:
    """How a "dot" node computed its data: its terms `(a, b)` in the order they were
    added (a bias as `(b, 1.0)`), and, per parent, its local derivative (a Value
    whose data it is, or a constant).

    A dot of Value weights and Value inputs has the parents `ws + xs (+ bias)` and
    the local derivatives `xs' data + ws' data (+ 1.0)`, the very float objects. A dot
    in which no term multiplies two Values (Value weights times float inputs, say)
    marks its local derivatives as `engine.fused.Constants`: each parent was multiplied
    by its local derivative. The reading must reproduce the node's data exactly, with
    the node's `const` (a plain-number bias, products of two numbers) added last.

    Raises:
        ValueError: for a dot that mixes products of two Values with products that
            have a plain number (its parents do not say which multiplies which), or
            whose terms do not add up to its data (fields changed by hand).
    """
    ps, ls = node.parents, node.local_grads
    terms: list[tuple[Value, Value | float]]
    local: list[Value | float]
    if isinstance(ls, Constants):
        terms, local = list(zip(ps, ls)), list(ls)
    else:
        n, odd = divmod(len(ps), 2)
        if not (
            n
            and len(ls) == len(ps)
            and (not odd or ls[-1] == 1.0)
            and all(ls[i] is ps[n + i].data and ls[n + i] is ps[i].data for i in range(n))
        ):
            raise ValueError(
                f"cannot read the terms of the dot node {node!r}: it mixes products of two"
                " Values with products that have a plain number, so its parents do not say"
                " which multiplies which; make the numbers Values, or use two dots"
            )
        terms = [(ps[i], ps[n + i]) for i in range(n)]
        local = [*ps[n : 2 * n], *ps[:n]]
        if odd:
            terms.append((ps[-1], 1.0))
            local.append(1.0)
    products = [a.data * (b.data if isinstance(b, Value) else b) for a, b in terms]
    total = add_in_order(products) + (NO_TERM if node.const is None else node.const)
    if total != node.data:
        raise ValueError(
            f"cannot read the terms of the dot node {node!r}: its parents and local"
            " derivatives do not add up to its data (were its fields changed by hand?)"
        )
    return terms, local


def structure(roots: Sequence[Value], inputs: Sequence[Value]) -> tuple[Any, ...]:
    """What must be equal for two graphs to be one program: ops, constants, edges.

    Node data is left out (the program computes it); the constants written into
    the code are kept: plain-number operands, constant Values, and the constant
    inputs of a dot.
    """
    ref: dict[int, tuple[Any, ...]] = {id(v): ("input", i) for i, v in enumerate(inputs)}

    def of(v: Value) -> tuple[Any, ...]:
        return ref.get(id(v)) or ("constant", v.data)

    entries: list[tuple[Any, ...]] = []
    for k, node in enumerate(construction_order(roots)):
        extra: tuple[Any, ...] = ()
        if node.op == "dot":
            terms, _ = dot_terms(node)
            extra = tuple(b if isinstance(b, float) else of(b) for _, b in terms)
        entries.append((node.op, node.const, tuple(of(p) for p in node.parents), extra))
        ref[id(node)] = ("node", k)
    return (tuple(entries), tuple(of(r) for r in roots))
