"""The graph walks: the one order backward(), engine.grad, codegen and pictures use.

`interior_order` is backward()'s walk (it resets gradients and uses them as marks);
`forward_order` is the same walk, step for step, that only reads the graph (engine.grad,
codegen); both leave the leaves out. `all_nodes` includes the leaves (pictures,
`Value.topological_order`). Kept apart from `Value` so that `engine/value.py` reads as
the maths.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from operator import attrgetter
from typing import Any

ZERO = (0.0,)  # the shared local derivative of a node nothing flows through
_grad = attrgetter("grad")


def interior_order(root: Any, *, ends: list[Any] | None = None) -> list[Any]:
    """The computed (non-leaf) nodes `root` depends on, parents first, grads reset to 0.

    Leaves are left out: they have no parents to pass a gradient on to, and in a
    network most parents are weights, so skipping them saves work on every edge.

    Each node's gradient is reset to 0 (backward must not add to an earlier call's),
    and the reset doubles as the walk's marks: the node's grad becomes `expanded`,
    then `done`, two float 0.0 objects made for this walk, which no node can already
    hold, so an identity check replaces a set lookup. Each node is popped twice: the
    first time it is marked `expanded`, pushed back and its parents pushed above it;
    the second time all its parents are done, so it is emitted and marked `done`.

    The order depends on the graph's shape only, never on its numbers: the walk goes
    on behind a node nothing flows through (a relu that is off), whose gradient will
    be 0. Generated code, which must add up each gradient in the same order at any
    point, follows the very same walk (`engine.codegen.graph.forward_order`).

    With an `ends` list, the nodes where the flow of gradient ends are appended to it:
    every leaf (once per edge into it) and every node nothing flows through (local
    derivatives the shared `(0.0,)`).
    """
    order: list[Any] = []
    if not root.parents:
        return order
    expanded, done = float(0), float(0)  # two fresh objects, told apart by identity
    stack = [root]
    push, pop, emit = stack.append, stack.pop, order.append
    leaf = None if ends is None else ends.append
    while stack:
        node = pop()
        mark = node.grad
        if mark is expanded:
            node.grad = done
            emit(node)
        elif mark is not done:
            node.grad = expanded
            push(node)
            if leaf is not None and node.local_grads is ZERO:
                leaf(node)
            for parent in node.parents:
                if parent.parents:
                    if parent.grad is not done:
                        push(parent)
                elif leaf is not None:
                    leaf(parent)
    return order


class GradientAccumulationWarning(UserWarning):
    """Warned when `backward()` adds to gradients that leaves already hold.

    Leaves keep their gradients across `backward()` calls (that is how several passes
    add up, over a mini-batch for instance), so a second `backward()` without
    `zero_grad()` in between silently doubles them. Python shows a warning once per
    place in the code that calls `backward()` (its "default" filter), so a loop warns
    once, not once per pass. Silence it where adding up is meant:
    `warnings.simplefilter("ignore", GradientAccumulationWarning)`.
    """


def warn_if_accumulating(ends: list[Any], *, stacklevel: int = 3) -> None:
    """Warn (once per calling line) if a leaf among `ends` already holds a gradient.

    `ends` is the list `interior_order` fills in, before any gradient flows. The text
    names the first such leaf but no number, so a loop repeats the same text and
    Python's filter shows it only once.
    """
    held = next((node for node in ends if node.grad and not node.parents), None)
    if held is None:
        return
    name = repr(held.label) if held.label else repr(held)
    warnings.warn(
        f"backward() adds to gradients that leaves already hold (leaf {name} among them),"
        " from an earlier backward() on this graph or another: call zero_grad() on the"
        " model or optimizer (or set each leaf's .grad = 0.0) before backward() unless you"
        " mean to add the passes up",
        GradientAccumulationWarning,
        stacklevel=stacklevel,
    )


def check_gradients(root: Any, order: list[Any], ends: list[Any]) -> None:
    """Raise naming the first node, in backward's order, whose gradient is not finite.

    Only the root and the ends of the flow need checking (see `interior_order`): a
    NaN or infinity anywhere flows on until it reaches a leaf or a node that passes
    nothing on. Their sum runs at C speed and is finite exactly when all are (or,
    rarely, overflows: then the scan below finds nothing).
    """
    total = root.grad + sum(map(_grad, ends))
    if total - total == 0.0:
        return
    for node in [root, *reversed(order), *ends]:
        if node.grad - node.grad != 0.0:
            non_finite_gradient(node)


def non_finite_gradient(node: Any) -> None:
    """Raise the error of backward() for a node whose gradient is NaN or infinite."""
    raise OverflowError(
        f"backward(): the gradient of {node!r} (op {node.op!r}) is {node.grad!r}: it"
        " overflowed on the way back from the root (local derivatives too large)"
    )


def forward_order(roots: Sequence[Any]) -> list[Any]:
    """The computed nodes the roots depend on, parents first; reversed, backward()'s order.

    It is `engine.walk.interior_order`'s walk step for step, with its marks kept in a
    dict (the graph is only read, no gradient is touched): for one root, the generated
    backward pass visits the nodes exactly as `backward()` does, so every gradient adds
    up its contributions in the same order, at any point. (`backward()` skips a node
    whose gradient is 0 where the code adds `local * 0.0`; a gradient that starts at 0.0
    never becomes -0.0, so adding a zero changes nothing.)
    """
    order: list[Any] = []
    marks: dict[int, bool] = {}  # id -> done (False while its parents are expanded)
    stack = [root for root in roots if root.parents]
    while stack:
        node = stack.pop()
        mark = marks.get(id(node))
        if mark is False:
            marks[id(node)] = True
            order.append(node)
        elif mark is None:
            marks[id(node)] = False
            stack.append(node)
            for parent in node.parents:
                if parent.parents and marks.get(id(parent)) is not True:
                    stack.append(parent)
    return order


def all_nodes(root: Any) -> list[Any]:
    """Every node `root` depends on, leaves included, parents before children, root
    last (`Value.topological_order`). Reads the graph only, with an explicit stack."""
    order: list[Any] = []
    seen: set[int] = set()
    # The stack holds nodes to expand; a `None` above an expanded node means "its
    # parents are done: emit it next". Parents are pushed first to last, so they
    # are visited last to first.
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if node is None:
            order.append(stack.pop())
        elif id(node) not in seen:
            seen.add(id(node))
            stack += (node, None)
            stack.extend(p for p in node.parents if id(p) not in seen)
    return order
