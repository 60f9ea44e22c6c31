"""Keeping Graphviz's `dot` quick: its work estimated before it runs, and its time limit.

`dot` puts every node on a rank (inputs first, the result last) and draws an edge that
skips k ranks as k segments joined by invisible nodes; then it reorders the nodes of
every rank to reduce crossings. That reordering is what gets slow, and its time grows
steeply with the number of segments. Node counts alone miss it: `x+x+...+x` with 101
terms has only 101 boxes, but `x` has an edge into every `+`, the last ones skipping
about 200 ranks, and `dot` ran for over ten minutes on it.

So drawing counts the segments first and refuses a graph above `MAX_EDGE_SEGMENTS`,
and `dot` always runs under a time limit as well (`dot_timeout`). Labels on edges
make `dot` double every rank, so a labelled edge counts twice. The limit comes from
`benchmarks/dot_layout.py` on the 2-core machine the tests run on: the slowest shapes
it found (long chains that reuse one variable, and many intermediate results summed
at the end) took under 0.8 s at 1,500 segments, 1.6-2.2 s at 2,000, 12 s at 3,500,
and over a minute at 5,000. A 500-box tree, a wide sum of 500 leaves or a 2-16-16-2
network's loss stay far below the limit.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable

from viz.walk import GraphTooLargeError, GraphView, ValueNode

MAX_EDGE_SEGMENTS = 1500
DEFAULT_DOT_TIMEOUT = 20.0  # seconds
TIMEOUT_VARIABLE = "TRACEGRAD_DOT_TIMEOUT"


def edge_segments(view: GraphView, *, labelled: bool = False) -> int:
    """Estimate how many edge segments `dot` will lay out for a walked graph.

    Each edge counts the ranks it skips. Ranks are estimated as `dot` would make
    them: every node one rank after its latest input, and every input moved down
    to just before its first use (`dot` keeps edges short). Parallel edges each count.

    Args:
        view: the walked graph (boxes, op nodes between them, edges).
        labelled: whether any edge carries a label; `dot` then doubles every rank.

    Example:
        >>> from engine import Value
        >>> from viz.walk import walk
        >>> x = Value(1.0, "x")
        >>> edge_segments(walk(x + 1)), edge_segments(walk(x + 1), labelled=True)
        (2, 4)
    """
    edges = list(_dot_edges(view))
    inputs: dict[str, list[str]] = {}
    outputs: dict[str, list[str]] = {}
    for tail, head in edges:
        inputs.setdefault(head, []).append(tail)
        outputs.setdefault(tail, []).append(head)
    order = _topological(_dot_nodes(view), inputs, outputs)
    rank: dict[str, int] = {}
    for node in order:
        rank[node] = max((rank[t] + 1 for t in inputs.get(node, ())), default=0)
    for node in order:
        if node not in inputs and node in outputs:
            rank[node] = min(rank[h] for h in outputs[node]) - 1
    segments = sum(rank[head] - rank[tail] for tail, head in edges)
    return 2 * segments if labelled else segments


def check_layout(
    view: GraphView, *, labelled: bool = False, max_edge_segments: int = MAX_EDGE_SEGMENTS
) -> None:
    """Refuse, before `dot` runs, a graph whose layout would take it too long.

    Raises:
        GraphTooLargeError: if `edge_segments(view)` is above `max_edge_segments`.
        ValueError: if `max_edge_segments` is not a positive int.
    """
    limit = max_edge_segments
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"max_edge_segments must be a positive int, got {limit!r}")
    segments = edge_segments(view, labelled=labelled)
    if segments > limit:
        labels = " (edge labels double it)" if labelled else ""
        raise GraphTooLargeError(
            f"Graphviz would take too long to lay out this graph: its edges cross about "
            f"{segments:,} ranks in all{labels}, more than the {limit:,} that dot lays "
            f"out in about a second; draw a smaller graph (a shorter expression, a "
            f"value reused in fewer places along a long chain, no edge labels), collapse "
            f"parts into boxes with groups=..., or raise max_edge_segments"
        )


def dot_timeout(timeout: float | None = None) -> float:
    """The seconds `dot` may run: `timeout` if given, else $TRACEGRAD_DOT_TIMEOUT, else 20.

    Raises:
        ValueError: unless the time is a positive, finite number of seconds.

    Example:
        >>> dot_timeout(5)
        5.0
    """
    if timeout is None:
        text = os.environ.get(TIMEOUT_VARIABLE, "").strip()
        if not text:
            return DEFAULT_DOT_TIMEOUT
        try:
            seconds = float(text)
        except ValueError:
            seconds = math.nan
        if not (math.isfinite(seconds) and seconds > 0):
            raise ValueError(
                f"{TIMEOUT_VARIABLE} must be a positive number of seconds, got {text!r}"
            )
        return seconds
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise TypeError(f"timeout must be a number of seconds, got {timeout!r}")
    if not (math.isfinite(timeout) and timeout > 0):
        raise ValueError(f"timeout must be a positive, finite number of seconds, got {timeout!r}")
    return float(timeout)


def _dot_nodes(view: GraphView) -> list[str]:
    """The DOT nodes in forward order: each computed Value's op node just before its box."""
    nodes = []
    for node in view.nodes:
        if isinstance(node, ValueNode) and node.value.parents:
            nodes.append(f"{node.id}_op")
        nodes.append(node.id)
    return nodes


def _dot_edges(view: GraphView) -> Iterable[tuple[str, str]]:
    """The DOT edges, as `viz.draw` writes them: into op nodes, from op nodes to boxes."""
    for node in view.nodes:
        if isinstance(node, ValueNode) and node.value.parents:
            yield f"{node.id}_op", node.id
    for edge in view.edges:
        yield edge.tail, f"{edge.head}_op" if edge.head.startswith("v") else edge.head


def _topological(
    nodes: list[str], inputs: dict[str, list[str]], outputs: dict[str, list[str]]
) -> list[str]:
    """`nodes` in an order where every edge goes forward (edges into groups may not)."""
    waiting = {node: len(set(inputs.get(node, ()))) for node in nodes}
    ready = [node for node in reversed(nodes) if waiting[node] == 0]
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for head in dict.fromkeys(outputs.get(node, ())):
            waiting[head] -= 1
            if waiting[head] == 0:
                ready.append(head)
    assert len(order) == len(nodes), "a walked graph has no cycles"
    return order
