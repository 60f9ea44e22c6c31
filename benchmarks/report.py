"""The printed table: times, ratios against micrograd and the floor, and the targets."""

from __future__ import annotations

import statistics
from typing import Any

Row = dict[str, Any]


def _ms(s: float | None) -> str:
    if s is None:
        return "-"
    return f"{s * 1e3:,.1f} ms" if s < 10 else f"{s:,.2f} s"


def _x(r: float | None) -> str:
    return "-" if r is None else f"{r:,.2f}x" if r < 10 else f"{r:,.0f}x"


def _find(rows: list[Row], suite: str, engine: str, variant: str) -> Row | None:
    for r in rows:
        if (r["suite"], r["engine"], r.get("variant")) == (suite, engine, variant):
            return r
    return None


def _t(row: Row | None) -> float | None:
    return None if row is None else row.get("seconds")


def ratio(a: Row | None, b: Row | None) -> float | None:
    """time(a) / time(b): the median of paired repetitions when both have them.

    The suites run their variants in turn within each repetition, so pairing the
    i-th repetitions cancels slow drifts in the load of a shared machine.
    """
    if a is None or b is None:
        return None
    ta, tb = a.get("all_seconds"), b.get("all_seconds")
    if ta and tb and len(ta) == len(tb):
        return float(statistics.median(x / y for x, y in zip(ta, tb)))
    ma, mb = _t(a), _t(b)
    return ma / mb if ma and mb else None


def per_floor(row: Row | None) -> float | None:
    """time / floor time, the median over repetitions of adjacent pairs (see suites)."""
    return None if row is None else row.get("per_floor")


def speedup(slow: Row | None, fast: Row | None) -> float | None:
    """How many times faster `fast` is than `slow`, both measured against the floor."""
    a, b = per_floor(slow), per_floor(fast)
    return a / b if a and b else None


def mlp_table(rows: list[Row]) -> list[str]:
    mlp = [r for r in rows if r["suite"] == "mlp"]
    if not mlp:
        return []
    mg = _find(rows, "mlp", "micrograd", "own MLP (micrograd.nn.MLP)")
    out = [
        "MLP step: 2-16-16-1 relu MLP, 100 two-moons points, mean hinge loss, full batch,",
        "zero grads + forward + backward + SGD update (CPU time, median). Each variant runs in",
        "its own process; each of its steps follows a floor step there, and this/floor is the",
        "median of those adjacent pairs (micrograd with its collector on, whose steps last",
        "seconds: its median over the run's median floor step).",
        "",
        f"{'engine: variant':62} {'time':>10} {'micrograd/this':>15} {'this/floor':>11}",
    ]
    for r in mlp:
        t = r.get("seconds")
        name = f"{r['engine']}: {r['variant']}"
        if not r["correct"]:
            out.append(f"{name:62} WRONG (max grad error {r['max_grad_error']:.1e}): no time")
            continue
        vs_mg = speedup(mg, r)
        vs_floor = per_floor(r)
        out.append(f"{name:62} {_ms(t):>10} {_x(vs_mg):>15} {_x(vs_floor):>11}")
    return out


def _us(s: float | None) -> str:
    return "-" if s is None else f"{s * 1e6:,.1f} us" if s < 1e-3 else _ms(s)


def codegen_table(rows: list[Row]) -> list[str]:
    expressions = [r for r in rows if r["suite"] == "codegen" and r.get("kind") == "expression"]
    compiles = [r for r in rows if r["suite"] == "codegen" and r.get("kind") == "compile"]
    if not expressions and not compiles:
        return []
    out = [
        "",
        "Generated code: one call of the compiled function vs building the graph and calling",
        "backward() (CPU time per call, medians; speedup: median of paired repetitions, range)",
        "",
        f"{'expression':44} {'graph':>10} {'compiled':>10} {'speedup':>9}  {'range':>13}",
    ]
    for r in expressions:
        if not r["correct"]:
            out.append(f"{r['variant']:44} WRONG: no time")
            continue
        lo, hi = min(r["all_speedups"]), max(r["all_speedups"])
        out.append(
            f"{r['variant']:44} {_us(r['graph_seconds']):>10} {_us(r['compiled_seconds']):>10}"
            f" {_x(r['speedup']):>9}  {_x(lo) + '-' + _x(hi):>13}"
        )
    if compiles:
        out += ["", f"{'compiling':44} {'time':>10} {'memory':>10} {'lines':>9}"]
        for r in compiles:
            out.append(
                f"{r['variant']:44} {_ms(r['seconds']):>10} {r['bytes'] / 1e3:>7,.0f} kB"
                f" {r['lines']:>9,}"
            )
    return out


def chain_table(rows: list[Row]) -> list[str]:
    chain = [r for r in rows if r["suite"] in ("chain", "wide")]
    if not chain:
        return []
    out = [
        "",
        "Deep chain v = v * w (n nodes) and wide sum (n leaves): forward + backward,",
        "default recursion limit",
        "",
        f"{'graph':36} {'engine':10} {'forward':>10} {'backward':>10} {'ns/node':>9}  note",
    ]
    for r in chain:
        if r["suite"] == "chain":
            what = f"chain of {r['nodes']:,}"
        else:
            what = f"sum of {r['terms']:,}: {r['variant']}"
        if r.get("error"):
            out.append(f"{what:36} {r['engine']:10} {'':>10} {'':>10} {'':>9}  {r['error']}")
            continue
        per = r.get("ns_per_node")
        out.append(
            f"{what:36} {r['engine']:10} {_ms(r['forward_s']):>10} {_ms(r['backward_s']):>10}"
            f" {'' if per is None else f'{per:,.0f}':>9}  ok"
        )
    return out


def memory_table(rows: list[Row]) -> list[str]:
    mem = [r for r in rows if r["suite"] == "memory"]
    if not mem:
        return []
    out = ["", "Memory (tracemalloc), bytes per node: chains and the binary-op MLP graph", ""]
    for r in mem:
        extra = r.get("bytes_per_node_after_backward")
        tail = "" if extra is None else f"  ({extra:,.0f} after backward)"
        if r.get("megabytes") is not None:
            tail = f"  ({r['megabytes']:,.1f} MB in all)"
        out.append(
            f"{r['engine']:10} {r['variant']:36} {r['nodes']:>9,} nodes"
            f" {r['bytes_per_node']:>7,.0f} B/node{tail}"
        )
    return out


def other_table(rows: list[Row]) -> list[str]:
    out: list[str] = []
    render = [r for r in rows if r["suite"] == "render"]
    if render:
        out += ["", "Rendering: time to build the DOT source of the same graph", ""]
        for r in render:
            out.append(
                f"{r['engine']:10} {r['variant']:24} {r['nodes']:>6,} nodes {_ms(r['seconds']):>10}"
            )
    rec = _find(rows, "no_grad", "tracegrad", "recording")
    free = _find(rows, "no_grad", "tracegrad", "no_grad")
    speedup = ratio(rec, free)
    if speedup:
        out += [
            "",
            "nn.MLP forward over 100 points: recording "
            f"{_ms(_t(rec))}, inside no_grad() {_ms(_t(free))}: {speedup:.2f}x faster",
        ]
    hessians = [r for r in rows if r["suite"] == "hessian"]
    if hessians:
        out += ["", "Second derivatives: the full Hessian of a 10-input expression", ""]
        for r in hessians:
            shown = _ms(r["seconds"]) if r["correct"] else "WRONG"
            out.append(f"{r['engine']:10} {r['variant']:36} {shown:>10}")
    return out


def targets(rows: list[Row]) -> list[str]:
    """The issue's targets, each with the figure measured in this run."""
    checks: list[tuple[str, float | None, float, bool]] = []  # what, value, goal, higher-better

    own = _find(rows, "mlp", "tracegrad", "own MLP (nn.MLP + nn.SGD, as nn.fit)")
    fused = _find(rows, "mlp", "tracegrad", "fused neurons (engine.dot)")
    mg_own = _find(rows, "mlp", "micrograd", "own MLP (micrograd.nn.MLP)")
    checks.append(("own MLP (nn.MLP) vs micrograd's own MLP", speedup(mg_own, own), 100, True))
    dot_loop = "(also) an engine.dot neuron loop"
    checks.append((f"{dot_loop} vs micrograd", speedup(mg_own, fused), 100, True))
    checks.append(("own MLP (nn.MLP) / floor", per_floor(own), 2, False))
    checks.append((f"{dot_loop} / floor", per_floor(fused), 2, False))
    mg_binary_off = _find(rows, "mlp", "micrograd", "binary ops (collector off)")
    for what, ours in (
        ("binary graph (ours, collector on) vs micrograd's off", "binary ops"),
        ("binary graph, both collectors off (per-node cost)", "binary ops (collector off)"),
    ):
        speed = speedup(mg_binary_off, _find(rows, "mlp", "tracegrad", ours))
        checks.append((what, speed, 2, True))
    mem = _find(rows, "memory", "tracegrad", "v * w (two Value parents)")
    per_node = mem["bytes_per_node"] if mem else None
    checks.append(("bytes per node, v * w chain", per_node, 200, False))
    mix = _find(rows, "memory", "tracegrad", "binary-op MLP forward (100 points)")
    checks.append(
        ("bytes per node, binary-op MLP graph", mix["bytes_per_node"] if mix else None, 200, False)
    )
    checks.append(
        (
            "no_grad forward vs recording",
            ratio(
                _find(rows, "no_grad", "tracegrad", "recording"),
                _find(rows, "no_grad", "tracegrad", "no_grad"),
            ),
            1.5,
            True,
        )
    )
    out = ["", "Targets (issue 8)", ""]
    for what, value, goal, higher in checks:
        if value is None:
            out.append(f"  {what:54} not measured")
            continue
        met = value >= goal if higher else value <= goal
        sign = ">=" if higher else "<="
        verdict = "MET" if met else "NOT MET"
        out.append(f"  {what:54} {value:9,.2f}  (goal {sign} {goal})  {verdict}")
    big = [r for r in rows if r["suite"] == "chain" and r["engine"] == "tracegrad"]
    if big:
        top = max(big, key=lambda r: r["nodes"])
        ok = not top.get("error")
        out.append(
            f"  {'chain of ' + format(top['nodes'], ',') + ' nodes, default recursion limit':54}"
            f" {'completes' if ok else top['error']:>9}  {'MET' if ok else 'NOT MET'}"
        )
    return out


def _verdicts(title: str, checks: list[tuple[str, float | None, float | None, bool]]) -> list[str]:
    """One line per target: the figure, the goal and MET / NOT MET (a None goal: reported)."""
    out = ["", title, ""]
    for what, value, goal, higher in checks:
        if value is None:
            out.append(f"  {what:54} not measured")
        elif goal is None:
            out.append(f"  {what:54} {value:9,.2f}  (reported)")
        else:
            met = value >= goal if higher else value <= goal
            sign = ">=" if higher else "<="
            verdict = "MET" if met else "NOT MET"
            out.append(f"  {what:54} {value:9,.2f}  (goal {sign} {goal})  {verdict}")
    return out


def codegen_targets(rows: list[Row]) -> list[str]:
    """Issue 15's targets: generated code against the floor, micrograd and the graph."""
    compiled = _find(rows, "mlp", "tracegrad", "own MLP compiled (nn.fit compile=True)")
    if compiled is None and not any(r["suite"] == "codegen" for r in rows):
        return []
    mg_own = _find(rows, "mlp", "micrograd", "own MLP (micrograd.nn.MLP)")
    binary = _find(rows, "mlp", "tracegrad", "binary ops")
    binary_off = _find(rows, "mlp", "tracegrad", "binary ops (collector off)")
    binary_compiled = _find(rows, "mlp", "tracegrad", "binary ops, compiled (engine.codegen)")
    checks: list[tuple[str, float | None, float | None, bool]] = [
        ("compiled nn.fit step / floor", per_floor(compiled), 0.5, False),
        ("compiled nn.fit step vs micrograd's own MLP", speedup(mg_own, compiled), 500, True),
        (
            "binary-op MLP graph: compiled vs graph (collector on)",
            speedup(binary, binary_compiled),
            20,
            True,
        ),
        (
            "binary-op MLP graph: compiled vs graph (collector off)",
            speedup(binary_off, binary_compiled),
            20,
            True,
        ),
    ]
    for r in rows:
        if r["suite"] == "codegen" and r.get("kind") == "expression":
            value = r["speedup"] if r["correct"] else None
            checks.append((f"{r['variant'].split(':')[0]}: compiled vs graph", value, 20, True))
    step = next(
        (r for r in rows if r.get("kind") == "compile" and "compile_step" in r["variant"]), None
    )
    checks.append(("compile time of the MLP step (s)", step and step["seconds"], 0.5, False))
    checks.append(
        ("memory of the compiled MLP step (kB)", step and step["bytes"] / 1e3, None, False)
    )
    return _verdicts("Targets (issue 15: backprop as code)", checks)


def table(data: dict[str, Any]) -> str:
    rows = data["results"]
    m = data["machine"]
    head = [
        f"Python {m['python']} on {m['platform']} ({m['cpus']} CPUs, load at start"
        f" {m['load_average_at_start']}); a shared machine: read ratios, not times.",
        "",
    ]
    body = mlp_table(rows) + codegen_table(rows) + chain_table(rows) + memory_table(rows)
    body += other_table(rows)
    return "\n".join(head + body + targets(rows) + codegen_targets(rows))
