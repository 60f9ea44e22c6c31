"""Time and peak memory of every size bound at its limit (the README's table of bounds).

    python3 benchmarks/bounds.py            # every case, each in a fresh process
    python3 benchmarks/bounds.py csv trace  # some cases only

Each case runs in its own Python process (`--one NAME`), so its peak resident memory
(`ru_maxrss`, which includes the interpreter and its imports, about 20-70 MB) is its own
(and `dot_peak_mb` that of the largest Graphviz run it started);
the time is the wall-clock time of the work alone, imports excluded. Uses this checkout
(run it with the repository's `.venv/bin/python`). Not part of the test suite.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _cli(*argv: str) -> Callable[[], None]:
    def run() -> None:
        from viz.cli import main

        with contextlib.redirect_stdout(io.StringIO()):
            code = main(list(argv))
        assert code == 0, f"{argv} exited with {code}"

    return run


def _write_many_classes(path: str, rows: int = 200) -> None:
    Path(path).write_text("".join(f"{i * 0.01},{i * 7 % 13},c{i}\n" for i in range(rows)))


def perceptron_work() -> None:
    """tracegrad perceptron at 50M units: 200 points x 200 classes, 176 passes."""
    _write_many_classes("c.csv")
    _cli("perceptron", "--data", "c.csv", "--epochs", "176")()


def perceptron_trace() -> None:
    """The same run with --trace: 10,000 lines of trace printed (50 records)."""
    _write_many_classes("c.csv")
    _cli("perceptron", "--data", "c.csv", "--epochs", "176", "--trace")()


def trace_records() -> None:
    """MulticlassPerceptron(max_trace=10_000) on 200 classes: 10,000 records kept."""
    from nn import MulticlassPerceptron

    X = [[i * 0.01, float(i * 7 % 13)] for i in range(200)]
    y = [f"c{i}" for i in range(200)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = MulticlassPerceptron(max_epochs=50).fit(X, y)
    assert len(m.trace_) == 10_000


def csv_bytes() -> None:
    """nn.load_csv of a 10 MB file (the max_bytes default): 625,000 short rows."""
    from nn import load_csv

    with open("big.csv", "w") as f:
        i = 0
        size = 0
        while True:
            line = f"{i * 0.001:.3f},{i % 97 * 0.5},{i % 3}\n"
            if size + len(line) > 10_000_000:
                break
            f.write(line)
            size += len(line)
            i += 1
    started = time.perf_counter()
    X, _ = load_csv("big.csv")
    _report_extra("rows", len(X), started)


def picture_side() -> None:
    """render() of a chain 9,900 pixels wide to PNG (max_side 10,000)."""
    from engine import Value
    from viz import render

    v = Value(0.5, "x")
    for _ in range(33):
        v = v + 1.0
    render(v, "chain.png", max_side=10_000)


def steps_pixels() -> None:
    """A GIF step-through near the 60M-pixel budget: 11 nested tanh, top to bottom."""
    from PIL import Image

    expression = "tanh(" * 11 + "x*y" + ")" * 11
    _cli("graph", expression, "x=0.3", "y=0.2", "--rankdir", "TB", "--steps", "s.gif")()
    with Image.open("s.gif") as gif:
        _EXTRA["frames"] = gif.n_frames
        _EXTRA["pixels"] = gif.size[0] * gif.size[1] * gif.n_frames


def compile_size() -> None:
    """engine.compile of a graph of 50,000 nodes plus edges (max_size)."""
    import engine

    def chain(x: object) -> object:
        for _ in range(12_499):
            x = x * 0.5 + 1.0  # type: ignore[operator]
        return x

    engine.compile(chain, [0.1], max_size=50_000)


def train_work() -> None:
    """tracegrad train at 200M point-parameter steps: moons, 100 points, 16,16, 5,000 epochs."""
    _cli("train", "--epochs", "5000", "--hidden", "16,16", "-o", "out")()


def train_step_edges() -> None:
    """One training step at 2M graph edges: 5,000 points x 353 parameters (16,16, 1 epoch)."""
    _cli("train", "--samples", "5000", "--epochs", "1", "-o", "out")()


CASES: dict[str, Callable[[], None]] = {
    "perceptron": perceptron_work,
    "trace": perceptron_trace,
    "records": trace_records,
    "csv": csv_bytes,
    "picture": picture_side,
    "steps": steps_pixels,
    "compile": compile_size,
    "train": train_work,
    "step-edges": train_step_edges,
}
_EXTRA: dict[str, object] = {}


def _report_extra(name: str, value: object, started: float) -> None:
    _EXTRA[name] = value
    _EXTRA["seconds_of_the_read"] = round(time.perf_counter() - started, 2)


def one(name: str) -> None:
    import nn  # noqa: F401 - imports before the clock starts
    import viz.cli  # noqa: F401

    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        started = time.perf_counter()
        CASES[name]()
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    dot_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Graphviz
    figures = {"case": name, "seconds": round(seconds, 2), "peak_mb": round(peak_mb)}
    print(json.dumps(figures | {"dot_peak_mb": round(dot_mb)} | _EXTRA))


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        one(sys.argv[2])
        return
    random.seed(0)
    for name in sys.argv[1:] or list(CASES):
        done = subprocess.run(
            [sys.executable, __file__, "--one", name], capture_output=True, text=True, check=False
        )
        print(done.stdout.strip() or f"{name}: failed: {done.stderr.strip()[-500:]}", flush=True)


if __name__ == "__main__":
    main()
