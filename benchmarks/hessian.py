"""The Hessian of a 10-input expression: tracegrad's `engine.hessian` beside PyTorch.

The expression mixes every kind of node a Hessian must go through (products of
inputs, tanh, exp, log, a power, a division): f(x) = sum_i tanh(x_i x_{i+1})
+ 0.1 exp(x_i) x_{i+2} + log(1 + x_i^2) / (2 + x_{i+3}). tracegrad builds the gradient
as a graph (`grad(create_graph=True)`) and differentiates each entry again; torch
runs `torch.autograd.functional.hessian` on ten 0-dim float64 tensors. Both Hessians
must agree to 1e-9 (and be symmetric) before a time is reported.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

POINT = [0.1 * (i + 1) * (-1) ** i for i in range(10)]


def expression(*x: Any) -> Any:
    n = len(x)
    total = 0.0
    for i in range(n):
        a, b, c, d = x[i], x[(i + 1) % n], x[(i + 2) % n], x[(i + 3) % n]
        total = total + (a * b).tanh() + 0.1 * a.exp() * c + (1 + a * a).log() / (2 + d)
    return total


def hessian_suite(with_torch: bool, reps: int) -> list[dict[str, Any]]:
    """One row per engine: CPU seconds for the full 10 x 10 Hessian, checked first."""
    from suites import interleaved

    import engine

    fns: dict[str, Any] = {"tracegrad": lambda: engine.hessian(expression, POINT)}
    ours = fns["tracegrad"]()
    correct = {
        "tracegrad": all(
            math.isclose(ours[i][j], ours[j][i], rel_tol=1e-12, abs_tol=1e-12)
            for i in range(10)
            for j in range(10)
        )
    }
    if with_torch:
        import torch
        from torch.autograd.functional import hessian as torch_hessian

        def torch_expr(*xs: Any) -> Any:
            n = len(xs)
            total = torch.zeros((), dtype=torch.float64)
            for i in range(n):
                a, b, c, d = xs[i], xs[(i + 1) % n], xs[(i + 2) % n], xs[(i + 3) % n]
                total = total + torch.tanh(a * b) + 0.1 * torch.exp(a) * c
                total = total + torch.log(1 + a * a) / (2 + d)
            return total

        inputs = tuple(torch.tensor(p, dtype=torch.float64) for p in POINT)
        fns["torch"] = lambda: torch_hessian(torch_expr, inputs)
        theirs = fns["torch"]()
        correct["torch"] = all(
            math.isclose(ours[i][j], float(theirs[i][j]), rel_tol=1e-9, abs_tol=1e-12)
            for i in range(10)
            for j in range(10)
        )
        correct["tracegrad"] = correct["tracegrad"] and correct["torch"]
    times = interleaved(fns, reps)
    return [
        {
            "suite": "hessian",
            "engine": name,
            "variant": "hessian of a 10-input expression",
            "seconds": statistics.median(t),
            "all_seconds": t,
            "correct": correct[name],
        }
        for name, t in times.items()
    ]


if __name__ == "__main__":  # python benchmarks/hessian.py [--torch]
    import sys
    from pathlib import Path

    here = Path(__file__).resolve().parent
    sys.path[:0] = [str(here.parent), str(here)]
    for row in hessian_suite("--torch" in sys.argv, reps=9):
        verdict = "" if row["correct"] else "  WRONG"
        print(f"{row['engine']:10} {row['variant']}: {row['seconds'] * 1e3:8.2f} ms{verdict}")
