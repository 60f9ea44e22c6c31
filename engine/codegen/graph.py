"""Reading a graph for code generation: the two orders, dot nodes, the shape.

Everything here only reads the graph (no gradient is touched), so a graph that is
being drawn or inspected can be written out as code at any time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.fused import NO_TERM, add_in_order
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
    added (a bias as `(b, 1.0)`), and, per parent, its local derivative (the Value it
    was multiplied by, or a constant), read from the terms the node records
    (`Value.terms`, see `engine.fused.Terms`). The reading must reproduce the node's
    data exactly, with the node's `const` (a plain-number bias, products of two
    numbers) added last.

    Raises:
        ValueError: for a dot node that records no terms (made by hand) or whose terms
            do not add up to its data (fields changed by hand).
    """
    recorded = getattr(node, "terms", None)
    ps = node.parents
    if recorded is None:
        raise ValueError(
            f"cannot read the terms of the dot node {node!r}: it records none (was it made"
            " by hand rather than by engine.dot?)"
        )
    terms: list[tuple[Value, Value | float]] = []
    local: list[Value | float] = [0.0] * len(ps)
    for i, j in recorded:
        if type(j) is int:
            terms.append((ps[i], ps[j]))
            local[i], local[j] = ps[j], ps[i]
        else:
            terms.append((ps[i], j))
            local[i] = j
    products = [a.data * (b.data if isinstance(b, Value) else b) for a, b in terms]
    total = add_in_order(products) + (NO_TERM if node.const is None else node.const)
    if total != node.data:
        raise ValueError(
            f"cannot read the terms of the dot node {node!r}: its parents and terms"
            " do not add up to its data (were its fields changed by hand?)"
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
