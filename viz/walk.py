"""Walking a computation graph: which boxes to draw and which edges join them.

This module knows nothing about Graphviz. It turns a root `Value` into plain data
(`GraphView`: value nodes, collapsed groups, edges) that `viz.draw` then styles and
renders. Nothing is ever stored on a `Value`.

Node ids are given in the forward (topological) order of the walk, which depends only
on the graph's structure, so the same graph always gets the same ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from engine import Value
from engine.codegen.names import label_text
from viz import dots

#: Groups of Values to collapse into one box: a mapping from a box title to the
#: Values inside it, or a sequence of such collections (titled "group 1", ...).
Groups = Mapping[str, Iterable[Value]] | Sequence[Iterable[Value]]

DEFAULT_MAX_NODES = 500


class GraphTooLargeError(ValueError):
    """Raised when a graph has more boxes than the drawing's `max_nodes` limit."""


@dataclass(frozen=True)
class ValueNode:
    """One Value drawn as its own box (`id` is "v0", "v1", ... in forward order)."""

    id: str
    value: Value


@dataclass(frozen=True)
class GroupNode:
    """Several Values collapsed into one box."""

    id: str
    title: str
    members: tuple[Value, ...]


@dataclass(frozen=True)
class Edge:
    """An arrow from a drawn box (`tail`) into the op of another box (`head`).

    `local_grad` is d head / d tail for an edge between two single Values, and None
    for edges that enter or leave a collapsed group.
    """

    tail: str
    head: str
    local_grad: float | None


@dataclass(frozen=True)
class GraphView:
    """What to draw: boxes in forward order, and the edges between them.

    `reading_order` holds the same boxes in the order a reader expects them from top
    to bottom (first arguments first, as in `x + y`); Graphviz places boxes of one
    rank in the order they are declared.
    """

    root: Value
    nodes: tuple[ValueNode | GroupNode, ...]
    edges: tuple[Edge, ...]
    ids: Mapping[Value, str]
    reading_order: tuple[ValueNode | GroupNode, ...] = ()

    def node_id(self, value: Value) -> str:
        """The id of the box that shows `value` (its own box or its group's)."""
        return self.ids[value]


def forward_order(root: Value) -> list[Value]:
    """Every node `root` depends on, parents first: the order `backward()` reverses.

    This is `Value.topological_order()`, which reads the graph only: every gradient
    stays untouched, so it is safe on a graph whose gradients you want to look at.

    Raises:
        TypeError: if `root` is not a Value.

    Example:
        >>> from engine import Value
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> [v.label or v.op for v in forward_order(x * y + x)]
        ['x', 'y', '*', '+']
    """
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {root!r}")
    return root.topological_order()


def walk(
    root: Value,
    *,
    groups: Groups | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    expand_dot: bool = False,
) -> GraphView:
    """Collect the boxes and edges to draw for the graph that ends at `root`.

    A group is closed under "betweenness": any node that lies on a path between two
    of its members joins it. So a layer's parameters plus its outputs are enough to
    collapse the whole layer (its dot and activation nodes come along).

    Args:
        root: the Value whose graph is drawn.
        groups: Values to collapse into one box each (see `Groups`).
        max_nodes: refuse graphs with more boxes than this (after collapsing, and
            after expanding dots).
        expand_dot: draw each fused "dot" node as one product box per term feeding
            a sum ("Σ") that takes the dot's box (see `viz.dots`); dots inside a
            collapsed group stay fused. The stand-in Values are made for this view
            only; the view's `ids` also map each expanded dot to its sum's box, and
            `root` is the sum when the root itself is a dot.

    Returns:
        A `GraphView`.

    Raises:
        GraphTooLargeError: if the graph has more than `max_nodes` boxes.
        ValueError: if a Value is in two groups, or `max_nodes` is not positive.
        TypeError: if a Value's label is not a str (set by hand, `y.label = 123`).
        TypeError: if a group holds something other than Values.

    Example:
        >>> from engine import Value
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> view = walk(x * y)
        >>> [n.id for n in view.nodes], [(e.tail, e.head, e.local_grad) for e in view.edges]
        (['v0', 'v1', 'v2'], [('v1', 'v2', 3.0), ('v0', 'v2', 2.0)])
    """
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")
    order = forward_order(root)
    for value in order:  # a label set by hand (`y.label = 123`): the TypeError Value gives
        if type(value.label) is not str:
            label_text(value.label, value.data)
    membership = _group_membership(order, _normalise_groups(groups))
    parents: Callable[[Value], Sequence[Value]] = _parents
    sums: dict[Value, Value] = {}
    if expand_dot:
        order, sums = dots.expand(order, keep=membership)
        parents = dots.picture_parents(sums)
        root = sums.get(root, root)
    if membership:
        nodes, ids = _boxes(order, membership, max_nodes)
    else:  # every Value is its own box
        _check_size(len(order), max_nodes)
        ids = {value: f"v{i}" for i, value in enumerate(order)}
        nodes = [ValueNode(node_id, value) for value, node_id in ids.items()]
    # Boxes in the order their first Value comes in the reading order.
    box = {node.id: node for node in nodes}
    reading_values = _reading_order(root, parents)
    reading = tuple(box[node_id] for node_id in dict.fromkeys(ids[v] for v in reading_values))
    for dot, total in sums.items():
        ids[dot] = ids[total]  # edges out of a dot leave its sum's box
    edges = _edges(order, ids) if membership else _single_edges(order, ids)
    return GraphView(root, tuple(nodes), tuple(edges), ids, reading)


def _check_size(n_boxes: int, max_nodes: int) -> None:
    """Raise GraphTooLargeError, saying how to shrink the drawing, past `max_nodes` boxes."""
    if n_boxes > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {n_boxes} nodes to draw, more than max_nodes={max_nodes}: "
            f"collapse modules into boxes with groups=... (for a model, "
            f"viz.layer_groups(model, x) gives one box per layer) or raise max_nodes"
        )


def _boxes(
    order: list[Value], membership: Mapping[Value, str], max_nodes: int
) -> tuple[list[ValueNode | GroupNode], dict[Value, str]]:
    """The boxes in forward order (a group where its first member is) and each Value's box id."""
    nodes: list[ValueNode | GroupNode] = []
    ids: dict[Value, str] = {}
    group_ids: dict[str, str] = {}
    members: dict[str, list[Value]] = {}
    for i, value in enumerate(order):
        title = membership.get(value)
        if title is None:
            ids[value] = f"v{i}"
            nodes.append(ValueNode(f"v{i}", value))
            continue
        if title not in group_ids:
            group_ids[title] = f"g{len(group_ids)}"
            members[title] = []
            nodes.append(GroupNode(group_ids[title], title, ()))  # members filled below
        ids[value] = group_ids[title]
        members[title].append(value)
    _check_size(len(nodes), max_nodes)
    nodes = [
        GroupNode(n.id, n.title, tuple(members[n.title])) if isinstance(n, GroupNode) else n
        for n in nodes
    ]
    return nodes, ids


def _parents(value: Value) -> Sequence[Value]:
    return value.parents


def _reading_order(
    root: Value, parents: Callable[[Value], Sequence[Value]] = _parents
) -> list[Value]:
    """A post-order walk that visits each node's `parents` first to last."""
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((p, False) for p in reversed(parents(node)) if p not in seen)
    return order


def _single_edges(order: list[Value], ids: Mapping[Value, str]) -> list[Edge]:
    """`_edges` when every Value is its own box: one edge per (parent, child) argument."""
    edges: list[Edge] = []
    for value in order:
        head = ids[value]
        for parent, local in zip(value.parents, value.local_grads):
            edges.append(Edge(ids[parent], head, local))
    return edges


def _edges(order: list[Value], ids: Mapping[Value, str]) -> list[Edge]:
    edges: list[Edge] = []
    seen: set[tuple[str, str]] = set()
    for value in order:
        head = ids[value]
        for parent, local in zip(value.parents, value.local_grads):
            tail = ids[parent]
            if tail == head:
                continue  # inside one group
            single = head.startswith("v") and tail.startswith("v")
            if not single:
                if (tail, head) in seen:
                    continue
                seen.add((tail, head))
            # x * x has the same parent twice: two edges, one per argument.
            edges.append(Edge(tail, head, local if single else None))
    return edges


def _normalise_groups(groups: Groups | None) -> list[tuple[str, list[Value]]]:
    if groups is None:
        return []
    if isinstance(groups, Mapping):
        items = [(str(k), v) for k, v in groups.items()]
    elif isinstance(groups, Sequence):
        items = [(f"group {i + 1}", g) for i, g in enumerate(groups)]
    else:
        raise TypeError(
            f"groups must be a mapping of titles to Values or a list of lists of Values, "
            f"got {groups!r}"
        )
    result = []
    for title, values in items:
        values = list(values)
        for v in values:
            if not isinstance(v, Value):
                raise TypeError(f"group {title!r} must hold only Values, got {v!r}")
        result.append((title, values))
    return result


def _group_membership(
    order: list[Value], groups: list[tuple[str, list[Value]]]
) -> dict[Value, str]:
    """Map each grouped Value of the graph to its group's title (filling in between)."""
    if not groups:
        return {}
    in_graph = set(order)
    children: dict[Value, list[Value]] = {}
    for v in order:
        for p in v.parents:
            children.setdefault(p, []).append(v)
    membership: dict[Value, str] = {}
    for title, listed in groups:
        seeds = [v for v in listed if v in in_graph]
        if not seeds:
            continue
        below = _reach(seeds, lambda v: v.parents)  # ancestors of members
        above = _reach(seeds, lambda v: children.get(v, []))  # descendants of members
        for v in set(seeds) | (below & above):
            other = membership.get(v)
            if other is not None and other != title:
                raise ValueError(f"{v!r} is in two groups, {other!r} and {title!r}")
            membership[v] = title
    return membership


def _reach(start: list[Value], step: Callable[[Value], Iterable[Value]]) -> set[Value]:
    seen: set[Value] = set(start)
    stack = list(start)
    while stack:
        for nxt in step(stack.pop()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen
