"""Sizes, not shapes: every command stays within time and memory whatever its inputs' size.

Each property draws the sizes of one command's inputs on a log scale, from tiny to far
past every bound (rows, classes and features of a CSV file and its length in bytes;
nesting depth and length of an expression and the pictures asked of it; samples,
layers, widths, batch size and epochs of a network; epochs of the demo), and runs the
commands in a subprocess whose address space is capped with `resource.setrlimit`
(RLIMIT_AS). The contract: each call ends with exit code 0, or 2 and one line on
stderr; none runs out of memory (a MemoryError would be a bound that failed); each
ends within `SECONDS`.

The fast `ci` profile scales the bounds that cost time down (`SCALE`), so that a run
allowed by a bound takes well under a second, and caps the memory at `CI_MEMORY`; what
it checks is that the bounds are computed and checked before the work, at any scale.
`HYPOTHESIS_PROFILE=thorough` runs with the real bounds and `THOROUGH_MEMORY`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
SCALE = 1.0 if THOROUGH else 0.02
CI_MEMORY = 1_200_000_000  # bytes of address space: Python with matplotlib takes ~200 MB
THOROUGH_MEMORY = 2_500_000_000
SECONDS = 150 if THOROUGH else 20
EXAMPLES = max(2, settings().max_examples // 5)  # ci: 5 runs of each command

RUNNER = textwrap.dedent(
    """
    import contextlib, io, json, resource, sys, time
    spec = json.load(sys.stdin)
    resource.setrlimit(resource.RLIMIT_AS, (spec["memory"], spec["memory"]))
    from matplotlib.figure import Figure
    import nn.data.files, viz.cli.commands as commands, viz.cli.usage as usage
    import viz.cli.main, viz.slides as slides
    cli = sys.modules["viz.cli.main"]  # the package's `main` is the function
    scale = spec["scale"]
    def scaled(module, name, factor):
        if hasattr(module, name):  # (older code, without the bound, runs as it is)
            setattr(module, name, max(1, int(getattr(module, name) * factor)))
    scaled(commands, "MAX_PERCEPTRON_WORK", scale)
    scaled(commands, "MAX_DEMO_EPOCHS", scale / 10)
    scaled(usage, "MAX_TRAIN_WORK", scale)
    scaled(slides, "MAX_PIXELS", scale * 5)
    scaled(nn.data.files, "MAX_CSV_BYTES", scale)
    if scale < 1:  # PNG plots cost a second each and are tested elsewhere
        Figure.savefig = lambda self, path, *a, **k: open(path, "wb").write(b"stub")
    kinds = []
    real_error_line = cli.error_line
    def error_line(error):
        kinds.append(type(error).__name__)
        return real_error_line(error)
    cli.error_line = error_line
    results = []
    for argv in spec["calls"]:
        kinds.clear()
        err = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = cli.main(argv)
        results.append({
            "argv": argv, "code": code, "stderr": err.getvalue(), "kinds": list(kinds),
            "seconds": time.perf_counter() - started,
        })
    print(json.dumps(results))
    """
)


def sizes(low: int, high: int) -> st.SearchStrategy[int]:
    """Whole numbers from `low` to `high`, as many of each order of magnitude."""
    return st.floats(0, 1).map(lambda t: round(low * (high / low) ** t))


def results(calls: list[list[str]], folder: Path, runner: str = RUNNER) -> list[Any]:
    """Run `calls` in one capped subprocess; what each call did."""
    spec = {
        "calls": calls,
        "scale": SCALE,
        "memory": THOROUGH_MEMORY if THOROUGH else CI_MEMORY,
    }
    done = subprocess.run(
        [sys.executable, "-c", runner],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=SECONDS * len(calls) + 30,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found: list[Any] = json.loads(done.stdout)
    return found


def run(calls: list[list[str]], folder: Path) -> None:
    for result in results(calls, folder):
        argv, code, stderr = result["argv"], result["code"], result["stderr"]
        assert code in (0, 2), (argv, stderr)
        if code == 2:
            assert stderr.startswith("tracegrad: error: ") and stderr.count("\n") == 1, argv
        assert "MemoryError" not in result["kinds"], (argv, stderr)
        assert result["seconds"] < SECONDS, (argv, result["seconds"], stderr)


@settings(max_examples=EXAMPLES)
@given(
    rows=sizes(2, 1_000_000),
    classes=sizes(1, 5_000),
    features=sizes(1, 2_000),
    epochs=sizes(1, 100_000),
    trace=st.booleans(),
)
def test_perceptron_stays_bounded_whatever_the_csv_size(
    tmp_path_factory: pytest.TempPathFactory,
    rows: int,
    classes: int,
    features: int,
    epochs: int,
    trace: bool,
) -> None:
    folder = tmp_path_factory.mktemp("perceptron")
    classes = min(classes, rows)
    line_bytes = 6 * features + 8
    path = folder / "data.csv"
    if rows * line_bytes > 2_000_000:  # a file past the bound: its length alone is read
        with open(path, "wb") as f:
            f.truncate(rows * line_bytes)
    else:
        with open(path, "w") as f:
            for i in range(rows):
                cells = ",".join(f"{(i * 7 + j) % 97 / 9:.2f}" for j in range(features))
                label = (1 if i % 2 else -1) if classes <= 2 else f"c{i % classes}"
                f.write(f"{cells},{label}\n")
    argv = ["perceptron", "--data", "data.csv", "--epochs", str(epochs)]
    run([argv + (["--trace"] if trace else []), [*argv, "-o", "out"]], folder)


@settings(max_examples=EXAMPLES)
@given(
    depth=sizes(1, 400),
    terms=sizes(1, 600),
    steps=st.sampled_from(["s.gif", "s.html", "frames/", "s.pdf"]),
    picture=st.sampled_from(["g.png", "g.svg", "g.pdf"]),
)
def test_graph_stays_bounded_whatever_the_expression_size(
    tmp_path_factory: pytest.TempPathFactory, depth: int, terms: int, steps: str, picture: str
) -> None:
    folder = tmp_path_factory.mktemp("graph")
    nested = "tanh(" * depth + "x" + ")" * depth
    chain = " + ".join(f"x*{k % 9 + 1}" for k in range(terms))
    calls = []
    for text in (nested, chain, f"({nested}) * ({chain})"):
        calls.append(["graph", text, "x=0.3", "--code", "-o", picture])
        calls.append(["graph", text, "x=0.3", "--steps", steps])
    run(calls, folder)


@settings(max_examples=EXAMPLES)
@given(
    samples=sizes(4, 100_000),
    width=sizes(1, 10_000),
    layers=sizes(1, 20),
    epochs=sizes(1, 100_000),
    batch=st.one_of(st.none(), sizes(1, 100_000)),
)
def test_train_stays_bounded_whatever_the_network_size(
    tmp_path_factory: pytest.TempPathFactory,
    samples: int,
    width: int,
    layers: int,
    epochs: int,
    batch: int | None,
) -> None:
    folder = tmp_path_factory.mktemp("train")
    argv = ["train", "--data", "xor", "--samples", str(samples), "--epochs", str(epochs)]
    argv += ["--hidden", ",".join([str(width)] * layers), "-o", "out", "--resolution", "20"]
    if batch is not None:
        argv += ["--batch-size", str(min(batch, samples))]
    run([argv], folder)


@settings(max_examples=max(1, EXAMPLES // 2))
@given(epochs=sizes(1, 10**9))
def test_demo_stays_bounded_whatever_the_epochs(
    tmp_path_factory: pytest.TempPathFactory, epochs: int
) -> None:
    folder = tmp_path_factory.mktemp("demo")
    run([["demo", "--epochs", str(epochs), "-o", "out"]], folder)


def test_the_runner_reports_a_memory_error_as_one(tmp_path: Path) -> None:
    """The check can fail: a command that runs out of memory under the cap is caught."""
    planted = RUNNER.replace(
        "code = cli.main(argv)",
        "cli.run_graph = lambda args: bytearray(10**10)\n        code = cli.main(argv)",
    )
    (result,) = results([["graph", "x", "x=1"]], tmp_path, planted)
    assert result["kinds"] == ["MemoryError"] and result["code"] == 2
