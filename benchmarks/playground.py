"""The playground in the browser: its first load, and tracegrad's speed in Pyodide vs CPython.

    .venv/bin/python benchmarks/playground.py [--loads 5] [--repeats 7]

Builds the site (`tracegrad playground`, with the Pyodide of node_modules/ after
`npm ci`), serves it on 127.0.0.1 and opens it in headless Chromium (Debian's, through
Playwright, both from `.ci/setup`).

- First load: a fresh browser profile each time (nothing cached), from the request to
  Figure 5 drawn with its gradients (`window.tracegradTimings.ready`), and the part of
  it spent starting Python and installing tracegrad's wheel. Then a reload with the
  browser's cache warm. Medians over `--loads`.
- Speed: the same Python text (`WORKLOADS` below) runs in the page's Pyodide and in this
  CPython: Figure 5 built and differentiated (`backward()`), and one `nn.fit` step on
  100 two-moons points with a 2-16-16-2 tanh MLP, as a graph (`train_step`) and as
  generated code (`compile_step`, what `fit(compile=True)` runs). Each time is the
  median of `--repeats` repetitions; the ratio is Pyodide's time over CPython's.

Prints a table and writes it as JSON to benchmarks/results/playground-latest.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORKLOADS = """
import json, statistics, time
from engine import Value
from nn import MLP, compile_step, train_step
from nn.data import moons
from nn.optim import SGD

def figure5():
    x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
    f = ((x + y) + (x * y)) * z
    f.backward()
    return f

def timed(fn, calls, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - start) / calls)
    return statistics.median(times)

X, labels = moons(100, seed=0)
y = [0 if label < 0 else 1 for label in labels]
model = MLP(2, [16, 16, 2], activation="tanh", seed=0)
optimizer = SGD(model.parameters(), lr=0.1)
step = compile_step(model, example=X[0])
assert figure5().data == 44.0
RESULT = json.dumps({
    "figure5_us": 1e6 * timed(figure5, 500, REPEATS),
    "fit_step_graph_ms": 1e3 * timed(lambda: train_step(model, X, y, optimizer), 3, REPEATS),
    "fit_step_compiled_ms": 1e3 * timed(lambda: step(X, y, optimizer), 10, REPEATS),
})
"""

NAMES = {
    "figure5_us": "Figure 5 graph + backward() (us)",
    "fit_step_graph_ms": "nn.fit step, graph (ms)",
    "fit_step_compiled_ms": "nn.fit step, compiled (ms)",
}


def cpython(repeats: int) -> dict[str, float]:
    """WORKLOADS in this process."""
    namespace: dict[str, Any] = {"REPEATS": repeats}
    exec(WORKLOADS, namespace)  # our own text above, never user input
    return dict(json.loads(namespace["RESULT"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from tests.browser.chromium import chromium
    from tests.browser.serve import served
    from viz.playground import build_site

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        files = build_site(site, pyodide=ROOT / "node_modules" / "pyodide")
        size = sum(f.stat().st_size for f in files)
        with served(site) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
            cold, python, warm = [], [], []
            for _ in range(args.loads):
                context = browser.new_context()  # a fresh profile: nothing cached
                page = context.new_page()
                page.goto(url)
                page.wait_for_selector("body[data-state=ready]", timeout=120_000)
                timings = page.evaluate("window.tracegradTimings")
                cold.append(timings["ready"] / 1e3)
                python.append(timings["python"] / 1e3)
                page.reload()
                page.wait_for_selector("body[data-state=ready]", timeout=120_000)
                warm.append(page.evaluate("window.tracegradTimings.ready") / 1e3)
                context.close()
            page = browser.new_page()
            page.goto(url)
            page.wait_for_selector("body[data-state=ready]", timeout=120_000)
            code = f"REPEATS = {args.repeats}\n{WORKLOADS}\nRESULT"
            in_browser = json.loads(
                page.evaluate("(code) => tracegradPlayground.pyodide.runPython(code)", code)
            )
            pyodide_version = page.evaluate("tracegradPlayground.pyodide.version")
            browser_python = page.evaluate(
                "tracegradPlayground.pyodide.runPython('import sys; sys.version.split()[0]')"
            )
            browser.close()
    here = cpython(args.repeats)
    result = {
        "machine": platform.machine(),
        "cpython": platform.python_version(),
        "pyodide": pyodide_version,
        "pyodide_python": browser_python,
        "site_mb": size / 1e6,
        "first_load_s": statistics.median(cold),
        "python_start_s": statistics.median(python),
        "warm_load_s": statistics.median(warm),
        "loads": args.loads,
        "repeats": args.repeats,
        "pyodide_times": in_browser,
        "cpython_times": here,
    }
    print(f"site: {size / 1e6:.1f} MB; Pyodide {pyodide_version} (Python {browser_python})")
    print(
        f"first load, nothing cached: {result['first_load_s']:.2f} s to Figure 5 drawn "
        f"({result['python_start_s']:.2f} s of it starting Python and installing the wheel); "
        f"reload with a warm cache: {result['warm_load_s']:.2f} s (medians of {args.loads})"
    )
    print(f"{'workload':38} {'Pyodide':>10} {'CPython ' + platform.python_version():>16} ratio")
    for key, name in NAMES.items():
        ratio = in_browser[key] / here[key]
        print(f"{name:38} {in_browser[key]:10.1f} {here[key]:16.1f} {ratio:5.2f}x")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "playground-latest.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
