"""Compare the engine's speed in two or more versions of this repository, side by side.

    python3 benchmarks/compare.py HEAD~3 HEAD          # two commits (temporary worktrees)
    python3 benchmarks/compare.py ../other-clone .     # two checkouts
    python3 benchmarks/compare.py ebc7f76 HEAD --rounds 6 --steps 8 --workload fit

Each version times a training step of the 2-16-16-1 relu MLP on 100 points, as in
`run.py`'s `mlp` suite: the graph of binary ops (`+`, `*`, relu, with the cycle collector
off), the `nn.fit` step (`nn.train.train_step`), and the compiled step
(`nn.compile_step`), or the `--workload`s chosen. Each runs in a process of its own,
each step right after a step of the hand-written float floor, and
reports the median of the step/floor ratios. The versions take turns, one process per
round, so a slow minute of a shared machine falls on all of them. This is the measure to
use when a change to the engine's core (`Value`, its ops, `backward()`) must keep its
speed: instruction counts (callgrind) move with the heap's layout, and plain times move
with the machine's load.

Only the engine and nn are taken from each version; the workload and the floor come from
this file's folder, so every version runs the identical model, data and weights.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Runs inside each child process: argv is [version root, benchmarks folder, steps, workload].
WORKER = """
import gc, json, sys, time
root, bench, steps, workload = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sys.path[:0] = [root, bench]
import workloads as W
from engine import Value
xs, ys = W.moons()
layers = W.initial_weights()
if workload == "binary":
    model = W.binary_mlp(Value, W.initial_weights())
    params = W.binary_params(model)

    def step():
        loss = W.binary_forward(model, xs, ys)
        for p in params:
            p.grad = 0.0
        loss.backward()
        W.sgd(params)
else:
    import engines as E
    variant = E.TracegradMLP() if workload == "fit" else E.TracegradCompiled()
    variant.reset()
    step = variant.step
clock, ratios = time.process_time, []
for _ in range(steps + 1):  # the first step warms up and is not counted
    gc.disable()
    t0 = clock()
    W.floor_step(layers, xs, ys)
    floor = clock() - t0
    t0 = clock()
    step()
    took = clock() - t0
    gc.enable()
    gc.collect()
    ratios.append(took / floor)
print(json.dumps(ratios[1:]))
"""
WORKLOADS = {
    "binary": "binary-op graph step (collector off)",
    "fit": "nn.fit step (nn.train.train_step on nn.MLP)",
    "compiled": "compiled step (nn.compile_step, as nn.fit(compile=True))",
}


def _checkout(version: str, keep: list[Path]) -> Path:
    """`version` as a folder: itself if it is one, else a temporary worktree of the revision."""
    path = Path(version)
    if path.is_dir():
        return path.resolve()
    where = Path(tempfile.mkdtemp(prefix="tracegrad-compare-")) / "tree"
    result = subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), version],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"compare: {version!r} is neither a folder nor a revision git knows")
    keep.append(where)
    return where


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("versions", nargs="+", help="folders or git revisions (two or more)")
    parser.add_argument("--rounds", type=int, default=4, help="processes per version")
    parser.add_argument("--steps", type=int, default=6, help="timed steps per process")
    parser.add_argument(
        "--workload",
        choices=sorted(WORKLOADS),
        action="append",
        help="what to time (repeat for several; default: all three)",
    )
    args = parser.parse_args(argv)
    if len(args.versions) < 2 or args.rounds < 1 or args.steps < 1:
        parser.error("give two or more versions, and --rounds and --steps of at least 1")
    workloads = args.workload or list(WORKLOADS)
    worktrees: list[Path] = []
    try:
        roots = [_checkout(v, worktrees) for v in args.versions]
        ratios = {(w, v): [] for w in workloads for v in args.versions}
        for _ in range(args.rounds):
            for workload in workloads:
                for version, root in zip(args.versions, roots):
                    ratios[workload, version] += _run(version, root, args.steps, workload)
    finally:
        for tree in worktrees:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                capture_output=True,
                check=False,
            )
    for workload in workloads:
        first = statistics.median(ratios[workload, args.versions[0]])
        print(f"{WORKLOADS[workload]} / floor step: median of paired steps")
        for version in args.versions:
            r = ratios[workload, version]
            m = statistics.median(r)
            print(
                f"  {version:<30} {m:6.2f}x floor  ({min(r):.2f}-{max(r):.2f}, n={len(r)})"
                f"  {m / first:5.2f}x the first"
            )
    return 0


def _run(version: str, root: Path, steps: int, workload: str) -> list[float]:
    """One process of one version: its step/floor ratios."""
    out = subprocess.run(
        [sys.executable, "-c", WORKER, str(root), str(HERE), str(steps), workload],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.exit(f"compare: {version} ({workload}) failed:\n{out.stderr.strip()[-2000:]}")
    return [float(r) for r in json.loads(out.stdout)]


if __name__ == "__main__":
    raise SystemExit(main())
