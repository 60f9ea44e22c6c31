"""How long Graphviz's `dot` takes per graph shape, against `viz.layout.edge_segments`.

The measurements behind `viz.layout.MAX_EDGE_SEGMENTS`. Each row is one graph: its
boxes, edges, the estimated edge segments and the seconds `dot -Tsvg` took (stopped
after --limit seconds, shown as "> limit").

    .venv/bin/python benchmarks/dot_layout.py              # every shape, a few sizes
    .venv/bin/python benchmarks/dot_layout.py chain gather  # some shapes only

The slow shapes are those whose edges skip many ranks: `chain` (x+x+...+x) and
`gather` (every step of a chain summed at the end). Wide graphs (`fan_in`, `tree`,
`mlp`) and parallel edges without labels (`parallel`) stay fast.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

import engine
from engine import Value
from viz.draw import draw_graph
from viz.layout import edge_segments
from viz.walk import walk


def chain(n: int) -> Value:
    """x + x + ... + x, n terms: x feeds every +, the last ones far away."""
    x = Value(1.0, "x")
    v = x
    for _ in range(n - 1):
        v = v + x
    return v


def gather(n: int) -> Value:
    """A chain of n steps, every step summed at the end."""
    v = Value(1.0, "x")
    steps = [v]
    for _ in range(n - 1):
        v = v * 1.01 + 0.5
        steps.append(v)
    return engine.sum(steps)


def both(n: int) -> Value:
    """x feeds every step of a chain, and every step is summed at the end."""
    x = Value(1.0, "x")
    v = x
    steps = [v]
    for _ in range(n - 1):
        v = v * x
        steps.append(v)
    return engine.sum(steps)


def parallel(n: int) -> Value:
    """One leaf summed n times: n parallel edges into one op."""
    x = Value(1.0, "x")
    return engine.sum([x] * n) * 2


def fan_in(n: int) -> Value:
    """A sum of n distinct leaves."""
    return engine.sum([Value(float(i), f"x{i}") for i in range(n)])


def tree(n: int) -> Value:
    """A balanced tree of + over n leaves."""
    level = [Value(float(i), f"x{i}") for i in range(n)]
    while len(level) > 1:
        level = [a + b for a, b in zip(level[::2], level[1::2])] + level[len(level) // 2 * 2 :]
    return level[0]


def mlp(width: int) -> Value:
    """The cross-entropy loss of a 2-width-width-2 network on one point."""
    from nn import MLP, cross_entropy

    model = MLP(2, [width, width, 2], seed=0)
    return cross_entropy(model([Value(0.5, "a"), Value(-0.3, "b")]), 1)


SHAPES: dict[str, tuple[Callable[[int], Value], tuple[int, ...]]] = {
    "chain": (chain, (21, 31, 39, 41, 51, 61)),
    "gather": (gather, (21, 27, 31, 41)),
    "both": (both, (21, 27, 31, 36)),
    "parallel": (parallel, (1000, 10000)),
    "fan_in": (fan_in, (100, 500)),
    "tree": (tree, (256, 500)),
    "mlp": (mlp, (8, 16)),
}


def measure(root: Value, labels: bool, limit: float) -> tuple[int, int, int, float | None]:
    view = walk(root, max_nodes=10**6)
    source = draw_graph(root, max_nodes=10**6, max_edge_segments=10**9, show_local_grads=labels)
    start = time.perf_counter()
    try:
        dot = ["dot", "-Tsvg"]
        subprocess.run(dot, input=source.source.encode(), capture_output=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return len(view.nodes), len(view.edges), edge_segments(view, labelled=labels), None
    seconds = time.perf_counter() - start
    return len(view.nodes), len(view.edges), edge_segments(view, labelled=labels), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shapes", nargs="*", choices=[[], *SHAPES], default=[])
    parser.add_argument("--labels", action="store_true", help="label every edge (--local-grads)")
    parser.add_argument("--limit", type=float, default=60.0, help="stop dot after this many s")
    args = parser.parse_args()
    print(f"{'shape':9} {'n':>6} {'boxes':>6} {'edges':>6} {'segments':>9} {'dot s':>8}")
    for name in args.shapes or SHAPES:
        build, sizes = SHAPES[name]
        for n in sizes:
            root = build(n)
            root.backward()
            boxes, edges, segments, seconds = measure(root, args.labels, args.limit)
            shown = f"> {args.limit:g}" if seconds is None else f"{seconds:.2f}"
            print(f"{name:9} {n:6} {boxes:6} {edges:6} {segments:9,} {shown:>8}", flush=True)


if __name__ == "__main__":
    main()
