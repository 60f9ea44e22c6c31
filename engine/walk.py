"""The walk `backward()` makes: the computed nodes in order, their gradients reset.

Kept apart from `Value` so that `engine/value.py` reads as the maths; it touches only
a node's `parents`, `local_grads` and `grad`.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

ZERO = (0.0,)  # the shared local derivative of a node nothing flows through
_grad = attrgetter("grad")


def interior_order(root: Any, *, reset_all: bool, ends: list[Any] | None = None) -> list[Any]:
    """The computed (non-leaf) nodes `root`'s gradient flows into, parents first, grads 0.

    Leaves are left out: they have no parents to pass a gradient on to, and in a
    network most parents are weights, so skipping them saves work on every edge.

    Each node's gradient is reset to 0 (backward must not add to an earlier call's),
    and the reset doubles as the walk's marks: the node's grad becomes `expanded`,
    then `done`, two float 0.0 objects made for this walk, which no node can already
    hold, so an identity check replaces a set lookup. Each node is popped twice: the
    first time it is marked `expanded`, pushed back and its parents pushed above it;
    the second time all its parents are done, so it is emitted and marked `done`.

    The walk does not go past a node whose local derivatives are the shared `(0.0,)`
    (a relu that is off, `step`): nothing flows through it, so the nodes behind it
    need no place in the order. With `reset_all`, their gradients are then set to 0
    in a second, cheaper walk (no order, one visit each), so that every node the root
    depends on holds its exact gradient; without it they keep whatever they had, and
    only the leaves' gradients are guaranteed, which is all training reads.

    With an `ends` list, the nodes where the flow of gradient ends are appended to it:
    every leaf it flows into (once per edge into it) and every node nothing flows
    through.
    """
    order: list[Any] = []
    if not root.parents:
        return order
    expanded, done = float(0), float(0)  # two fresh objects, told apart by identity
    stack = [root]
    push, pop, emit = stack.append, stack.pop, order.append
    leaf = None if ends is None else ends.append
    dead = []  # nodes nothing flows through, whose parents the walk did not enter
    while stack:
        node = pop()
        mark = node.grad
        if mark is expanded:
            node.grad = done
            emit(node)
        elif mark is not done:
            node.grad = expanded
            push(node)
            if node.local_grads is ZERO:
                dead.append(node)
                if leaf is not None:
                    leaf(node)
                continue
            for parent in node.parents:
                if parent.parents:
                    if parent.grad is not done:
                        push(parent)
                elif leaf is not None:
                    leaf(parent)
    if reset_all:
        # Every node the main walk reached is `done` now; the rest behind a dead node
        # gets its gradient set to 0 (as `done`, so each is visited once).
        stack = [p for node in dead for p in node.parents]
        extend, pop = stack.extend, stack.pop
        while stack:
            node = pop()
            if node.grad is not done and node.parents:  # leaves keep what they hold
                node.grad = done
                extend(node.parents)
    return order


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
