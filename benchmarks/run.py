"""Benchmark tracegrad against micrograd (and, if asked, PyTorch) in one run.

    python benchmarks/run.py            # micrograd only
    python benchmarks/run.py --torch    # also PyTorch (a large download)
    python benchmarks/run.py --quick    # fewer repetitions and sizes, for a smoke test

The first run creates benchmarks/.venv and installs the peers into it
(micrograd==0.1.0, graphviz, and torch==2.13.0 with --torch), then runs itself
inside it. tracegrad is imported from this checkout, not installed. The table goes
to the terminal and everything measured to benchmarks/results/ as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
import venv
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV = HERE / ".venv"
PEERS = ["micrograd==0.1.0", "graphviz>=0.20", "tqdm>=4.60"]
TORCH = "torch==2.13.0"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def in_own_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def _installed(py: Path) -> set[str]:
    """Lower-case names of the distributions installed for the interpreter `py`."""
    freeze = subprocess.run(
        [str(py), "-m", "pip", "freeze"], capture_output=True, text=True, check=True
    ).stdout
    return {line.split("==")[0].strip().lower() for line in freeze.splitlines() if "==" in line}


def bootstrap(args: argparse.Namespace) -> None:
    """Make benchmarks/.venv hold the peers, then (if needed) re-run this script in it."""
    py = venv_python()
    if not py.exists():
        print(f"[bench] creating {VENV.relative_to(ROOT)}", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = PEERS + ([TORCH] if args.torch else [])
    have = _installed(py)
    missing = [p for p in wanted if re.split("[=<>]", p)[0].lower() not in have]
    if missing:
        print(f"[bench] installing {' '.join(missing)}", flush=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", *missing], check=True)
    if not in_own_venv():
        os.execv(str(py), [str(py), str(Path(__file__).resolve()), *sys.argv[1:]])


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    sys.path[:0] = [str(ROOT), str(HERE)]
    import hessian
    import suites

    reps = 3 if args.quick else args.repeat
    slow_reps = 1 if args.quick else max(5, reps // 2)
    sizes = [1_000, 10_000] if args.quick else [1_000, 100_000, 1_000_000]
    out: dict[str, Any] = {"machine": machine(), "args": vars(args), "started": time.time()}
    steps: list[tuple[str, Callable[[], list[dict[str, Any]]]]] = [
        # The MLP step, then generated code (compiled expressions, compile times, memory).
        ("mlp", lambda: suites.mlp_suite(args.torch, reps, slow_reps) + suites.codegen_suite(reps)),
        ("chain", lambda: suites.chain_suite(args.torch, sizes, budget=120.0)),
        ("wide", lambda: suites.wide_suite(args.torch, 10_000 if args.quick else 100_000)),
        ("memory", lambda: suites.memory_suite(10_000 if args.quick else 100_000)),
        ("render", lambda: suites.render_suite(reps)),
        ("no_grad", lambda: suites.nograd_suite(reps * 3)),
        ("hessian", lambda: hessian.hessian_suite(args.torch, reps * 3)),
    ]
    results: list[dict[str, Any]] = []
    for name, fn in steps:
        if args.only and name not in args.only:
            continue
        t0 = time.perf_counter()
        print(f"[bench] {name} ...", flush=True)
        results += fn()
        print(f"[bench] {name} done in {time.perf_counter() - t0:.1f} s", flush=True)
    out["results"] = results
    out["finished"] = time.time()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--torch", action="store_true", help="also measure PyTorch")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--repeat", type=int, default=7, help="timed repetitions (median)")
    parser.add_argument(
        "--only",
        nargs="*",
        choices=["mlp", "chain", "wide", "memory", "render", "no_grad", "hessian"],
    )
    parser.add_argument(
        "--here", action="store_true", help="use this interpreter (peers already installed)"
    )
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error(f"Invalid --repeat: {args.repeat!r} (must be at least 1)")
    if not args.here:
        bootstrap(args)  # re-runs this script inside benchmarks/.venv when outside it
    data = run(args)
    sys.path.insert(0, str(HERE))
    import report

    print(report.table(data))
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(data["started"]))
    for path in (results_dir / f"{stamp}.json", results_dir / "latest.json"):
        path.write_text(json.dumps(data, indent=1, default=str) + "\n")
    print(f"[bench] results written to {(results_dir / f'{stamp}.json').relative_to(ROOT)}")
    wrong = [r for r in data["results"] if r.get("correct") is False]
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
