"""The walk `backward()` makes: the computed nodes in order, their gradients reset.

Kept apart from `Value` so that `engine/value.py` reads as the maths; it touches only
a node's `parents`, `local_grads` and `grad`.
"""

from __future__ import annotations

from itertools import chain
from operator import attrgetter
from typing import Any

ZERO = (0.0,)  # the shared local derivative of a node nothing flows through
_parents = attrgetter("parents")
_grad = attrgetter("grad")


def interior_order(root: Any, *, stop_at_zero: bool = False) -> list[Any]:
    """The computed (non-leaf) nodes `root` depends on, parents first, grads set to 0.

    Leaves are left out: they have no parents to pass a gradient on to, and in a
    network most parents are weights, so skipping them saves work on every edge.

    Each node's gradient is reset to 0 (backward must not add to an earlier call's),
    and the reset doubles as the walk's marks: the node's grad becomes `expanded`,
    then `done`, two float 0.0 objects made for this walk, which no node can already
    hold, so an identity check replaces a set lookup. Each node is popped twice: the
    first time it is marked `expanded`, pushed back and its parents pushed above it;
    the second time all its parents are done, so it is emitted and marked `done`.

    With `stop_at_zero`, the walk does not go past a node whose local derivatives are
    the shared `(0.0,)` (a relu that is off, `step`): nothing flows through it, so
    the nodes behind it keep whatever gradient they had. Only the leaves' gradients
    are then guaranteed, which is all training reads (see `engine.fast.backward`).
    """
    order: list[Any] = []
    if not root.parents:
        return order
    expanded, done = float(0), float(0)  # two fresh objects, told apart by identity
    stack = [root]
    push, pop, emit = stack.append, stack.pop, order.append
    while stack:
        node = pop()
        mark = node.grad
        if mark is expanded:
            node.grad = done
            emit(node)
        elif mark is not done:
            node.grad = expanded
            push(node)
            if stop_at_zero and node.local_grads is ZERO:
                continue
            for parent in node.parents:
                if parent.parents and parent.grad is not done:
                    push(parent)
    return order


def check_gradients(root: Any, order: list[Any]) -> None:
    """Raise naming the first node, in backward's order, whose gradient is not finite.

    The sum over every parent's gradient runs at C speed and is finite exactly when
    all of them are (or, rarely, overflows: then the scan below finds nothing).
    """
    total = root.grad + sum(map(_grad, chain.from_iterable(map(_parents, order))))
    if not total - total:
        return
    for node in [root, *reversed(order)]:
        if node.grad - node.grad:
            non_finite_gradient(node)
        for parent in node.parents:
            if not parent.parents and parent.grad - parent.grad:
                non_finite_gradient(parent)


def non_finite_gradient(node: Any) -> None:
    """Raise the error of backward() for a node whose gradient is NaN or infinite."""
    raise OverflowError(
        f"backward(): the gradient of {node!r} (op {node.op!r}) is {node.grad!r}: it"
        " overflowed on the way back from the root (local derivatives too large)"
    )
