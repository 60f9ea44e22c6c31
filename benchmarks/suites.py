"""The measurements: MLP steps, deep chains, a wide sum, memory, rendering, no_grad.

Times are CPU times (`time.process_time`) of this process, so that other jobs on a
shared machine disturb them less than wall-clock times; every suite runs its engines
interleaved, repetition by repetition, after a warm-up, and keeps the median.
Every suite checks that the engines computed the same numbers before it reports a
speed: a wrong answer is reported as WRONG, never as a time.
"""

from __future__ import annotations

import contextlib
import gc
import math
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import engines as E
import workloads as W

Result = dict[str, Any]
clock = time.process_time


def close(a: float, b: float, rel: float = 1e-9, abs_: float = 1e-12) -> bool:
    """Equal up to floating-point rounding (the engines add in different orders)."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def interleaved(
    fns: dict[str, Callable[[], Any]],
    reps: int,
    after: dict[str, Callable[[], None]] | None = None,
) -> dict[str, list[float]]:
    """CPU seconds of each callable, run in turn, after one untimed warm-up each."""
    after = after or {}
    for name, fn in fns.items():
        fn()
        after.get(name, gc.collect)()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            t0 = clock()
            fn()
            times[name].append(clock() - t0)
            after.get(name, gc.collect)()
    return times


# ------------------------------------------------------------------- MLP step


def mlp_suite(with_torch: bool, reps: int, slow_reps: int) -> list[Result]:
    """The 2-16-16-1 MLP step in every variant, checked against the floor first."""
    variants = E.mlp_variants(with_torch)
    floor = variants[0]
    floor.reset()
    ref_loss = floor.step()
    ref_grads = floor.grads()
    results: list[Result] = []
    ok: list[E.Variant] = []
    for v in variants:
        v.reset()
        loss = v.step()
        grads = v.grads()
        worst = max(
            (abs(g - r) / max(1.0, abs(r)) for g, r in zip(grads, ref_grads)),
            default=0.0,
        )
        good = (
            close(loss, ref_loss)
            and len(grads) == len(ref_grads)
            and all(close(g, r) for g, r in zip(grads, ref_grads))
        )
        results.append(
            {
                "suite": "mlp",
                "engine": v.engine,
                "variant": v.name,
                "loss": loss,
                "max_grad_error": worst,
                "correct": good,
            }
        )
        if good:
            ok.append(v)
        v.reset()
    # Each variant is timed in a process of its own, as users run it: the garbage
    # of one engine's graphs (micrograd's is 45 MB) never fragments another's heap.
    # The processes take turns, one step each per round, and every step comes right
    # after a step of the floor in the same process: ratios to the floor come from
    # those adjacent pairs, and ratios between engines go through them.
    fast = [i for i, v in enumerate(variants) if v in ok and not _slow(v)]
    slow = [i for i, v in enumerate(variants) if v in ok and _slow(v)]
    times: dict[int, list[float]] = {i: [] for i in fast + slow}
    floor_times: dict[int, list[float]] = {i: [] for i in fast + slow}
    with _Workers(fast + slow, with_torch) as workers:
        for group, n in ((fast, reps), (slow, slow_reps)):
            for _ in range(n):
                for i in group:
                    t, f = workers.step(i)
                    times[i].append(t)
                    floor_times[i].append(f)
    # A step of seconds spans several of the machine's speed swings, so a floor step
    # of milliseconds next to it says little: slow variants are compared with the
    # median of all the floor steps of the run instead.
    all_floor = statistics.median(f for i in fast + slow for f in floor_times[i])
    for i, r in enumerate(results):
        if times.get(i):
            r["seconds"] = statistics.median(times[i])
            r["all_seconds"] = times[i]
            r["floor_seconds"] = floor_times[i]
            if i in slow:
                r["per_floor"] = r["seconds"] / all_floor
            else:
                r["per_floor"] = statistics.median(a / b for a, b in zip(times[i], floor_times[i]))
    return results


def _slow(v: E.Variant) -> bool:
    """micrograd with its collector on: seconds per step, so fewer repetitions."""
    return v.engine == "micrograd" and not v.gc_off


def _mlp_worker(conn: Any, index: int, with_torch: bool) -> None:
    """A process that runs one MLP variant: per request, a floor step, then its step."""
    variant = E.mlp_variants(with_torch)[index]
    reference = E.Floor()
    reference.reset()
    variant.reset()
    step = variant.timed_step()
    reference.step()  # warm-up, untimed
    step()
    variant.after_step()
    conn.send("ready")
    while conn.recv() is not None:
        # The floor runs with the collector off: it makes no garbage of its own, and
        # this way it never collects the variant's (a collector-on variant's step
        # pays for its own garbage, in a later step, as in a training loop).
        gc.disable()
        t0 = clock()
        reference.step()
        floor_seconds = clock() - t0
        gc.enable()
        t0 = clock()
        step()
        seconds = clock() - t0
        variant.after_step()
        conn.send((seconds, floor_seconds))


class _Workers:
    """One `_mlp_worker` process per variant index, started fresh (spawn), stopped on exit."""

    def __init__(self, indices: list[int], with_torch: bool) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self.procs: dict[int, Any] = {}
        self.conns: dict[int, Any] = {}
        for i in indices:
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_mlp_worker, args=(child, i, with_torch), daemon=True)
            proc.start()
            self.procs[i], self.conns[i] = proc, parent

    def __enter__(self) -> _Workers:
        for i, conn in self.conns.items():
            if conn.recv() != "ready":
                raise RuntimeError(f"MLP worker {i} did not start")
        return self

    def step(self, i: int) -> tuple[float, float]:
        """(step seconds, floor seconds) of one request to worker `i`."""
        self.conns[i].send("step")
        seconds, floor_seconds = self.conns[i].recv()
        return seconds, floor_seconds

    def __exit__(self, *exc: object) -> None:
        for conn in self.conns.values():
            with contextlib.suppress(OSError):  # a worker that died has no pipe left
                conn.send(None)
        for proc in self.procs.values():
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()


# -------------------------------------------------- deep chain and wide sum


def _value_factories(with_torch: bool) -> dict[str, Callable[[float], Any]]:
    import micrograd.engine

    from engine import Value

    out: dict[str, Callable[[float], Any]] = {
        "tracegrad": Value,
        "micrograd": micrograd.engine.Value,
    }
    if with_torch:
        out["torch"] = E.torch_scalar
    return out


def _chain_reference(n: int, x0: float, w: float) -> tuple[float, float, float]:
    """The chain v = v * w (n times) in floats, with d v / d x0 and d v / d w."""
    vals = [x0]
    for _ in range(n):
        vals.append(vals[-1] * w)
    g = 1.0
    gw = 0.0
    for k in range(n, 0, -1):
        gw += vals[k - 1] * g
        g = w * g
    return vals[-1], g, gw


def _grad(v: Any) -> float:
    return float(v.grad) if v.grad is not None else 0.0


def chain_suite(with_torch: bool, sizes: list[int], budget: float) -> list[Result]:
    """Forward + backward of v = v * w, n times, or the failure each engine hits."""
    results: list[Result] = []
    x0, w0 = 0.5, 0.9999999
    for engine, V in _value_factories(with_torch).items():
        failed = ""
        for n in sizes:
            r: Result = {"suite": "chain", "engine": engine, "nodes": n}
            results.append(r)
            if failed:
                r["error"] = f"not run: {failed}"
                continue
            gc.collect()
            limit = sys.getrecursionlimit()
            try:
                x, w = V(x0), V(w0)
                t0 = clock()
                v = x
                for _ in range(n):
                    v = v * w
                t1 = clock()
                v.backward()
                t2 = clock()
            except (RecursionError, MemoryError) as e:
                r["error"] = f"{type(e).__name__} in backward()"
                failed = f"failed at {n:,} nodes"
                v = x = w = None
                gc.collect()
                continue
            assert sys.getrecursionlimit() == limit
            data, gx, gw = _chain_reference(n, x0, w0)
            good = close(float(v.data), data) and close(_grad(x), gx) and close(_grad(w), gw)
            r.update(correct=good, forward_s=t1 - t0, backward_s=t2 - t1)
            r["ns_per_node"] = 1e9 * (t2 - t0) / n
            if not good:
                r["error"] = "WRONG"
            del v, x, w
            gc.collect()
            if (t2 - t0) * 10 > budget:
                failed = f"the next size would take over {budget:.0f} s"
    return results


def wide_suite(with_torch: bool, n: int) -> list[Result]:
    """Forward + backward of the sum of n leaves, in each engine's natural way."""
    import engine

    results: list[Result] = []
    cases: list[tuple[str, str, Callable[[float], Any], Callable[[list[Any]], Any]]] = [
        ("tracegrad", "engine.sum (one node)", engine.Value, engine.sum),
        ("tracegrad", "built-in sum (a chain of +)", engine.Value, sum),
        ("micrograd", "built-in sum (a chain of +)", _value_factories(False)["micrograd"], sum),
    ]
    if with_torch:
        torch = E.import_torch()
        stacked = "torch.stack(...).sum()"
        cases.append(("torch", stacked, E.torch_scalar, lambda t: torch.stack(t).sum()))
    for eng, how, V, total in cases:
        r: Result = {"suite": "wide", "engine": eng, "variant": how, "terms": n}
        results.append(r)
        gc.collect()
        leaves = [V(1.0 / (i + 1)) for i in range(n)]
        try:
            t0 = clock()
            s = total(leaves)
            t1 = clock()
            s.backward()
            t2 = clock()
        except (RecursionError, MemoryError) as e:
            r["error"] = f"{type(e).__name__} in backward()"
            continue
        expected = math.fsum(1.0 / (i + 1) for i in range(n))
        good = close(float(s.data), expected, rel=1e-12) and all(_grad(v) == 1.0 for v in leaves)
        r.update(correct=good, forward_s=t1 - t0, backward_s=t2 - t1)
        if not good:
            r["error"] = "WRONG"
        del s, leaves
        gc.collect()
    return results


# --------------------------------------------------------------------- memory


def memory_suite(n: int) -> list[Result]:
    """Bytes per node (tracemalloc) of a chain of n nodes, in the two scalar engines."""
    results: list[Result] = []
    for eng, V in _value_factories(False).items():
        for kind in ("v * w (two Value parents)", "v + 1.0 (a constant operand)"):
            gc.collect()
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            x, w = V(0.5), V(0.9999999)
            v = x
            if kind.startswith("v * w"):
                for _ in range(n):
                    v = v * w
            else:
                for _ in range(n):
                    v = v + 1.0
            after = tracemalloc.get_traced_memory()[0]
            r: Result = {
                "suite": "memory",
                "engine": eng,
                "variant": kind,
                "nodes": n,
                "bytes_per_node": (after - before) / n,
            }
            if eng == "tracegrad":
                v.backward()  # the gradients are floats of their own
                after_backward = tracemalloc.get_traced_memory()[0]
                r["bytes_per_node_after_backward"] = (after_backward - before) / n
            tracemalloc.stop()
            results.append(r)
            del v, x, w
            gc.collect()
    results += [_mlp_graph_memory(eng, V) for eng, V in _value_factories(False).items()]
    return results


def _graph_nodes(root: Any) -> list[Any]:
    """Every node of a tracegrad or micrograd graph (their parent fields differ)."""
    seen = {id(root): root}
    stack = [root]
    while stack:
        node = stack.pop()
        for p in node.parents if hasattr(node, "parents") else node._prev:
            if id(p) not in seen:
                seen[id(p)] = p
                stack.append(p)
    return list(seen.values())


def _mlp_graph_memory(eng: str, V: Callable[[float], Any]) -> Result:
    """Bytes per node of the realistic graph: the binary-op MLP forward over 100 points.

    Its mix is `w * x` with a float x (one parent), `w * h` and `+` (two parents),
    relu (one parent) and the hinge loss. The parameters exist before measuring, so
    only what the forward pass creates is counted, per node it adds to the graph
    (micrograd also wraps every float constant in a node of its own).
    """
    model = W.binary_mlp(V, E.INITIAL)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    root = W.binary_forward(model, E.XS, E.YS)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    params = {id(p) for p in W.binary_params(model)}
    created = sum(1 for n in _graph_nodes(root) if id(n) not in params)
    r: Result = {
        "suite": "memory",
        "engine": eng,
        "variant": "binary-op MLP forward (100 points)",
        "nodes": created,
        "bytes_per_node": (after - before) / created,
        "megabytes": (after - before) / 1e6,
    }
    del root
    gc.collect()
    return r


# ------------------------------------------------------------------ rendering


def _micrograd_style_dot(root: Any) -> Any:
    """A DOT picture of a micrograd graph the way its README draws one (written anew)."""
    import graphviz

    dot = graphviz.Digraph(graph_attr={"rankdir": "LR"})
    seen: set[int] = set()
    stack = [root]
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        uid = str(id(v))
        dot.node(uid, label=f"{{ data {v.data:.4f} | grad {v.grad:.4f} }}", shape="record")
        if v._op:
            dot.node(uid + v._op, label=v._op)
            dot.edge(uid + v._op, uid)
        for child in v._prev:
            dot.edge(str(id(child)), uid + v._op)
            stack.append(child)
    return dot


def render_suite(reps: int, min_nodes: int = 5000) -> list[Result]:
    """Time to build the DOT source of the same graph of about `min_nodes` nodes."""
    import micrograd.engine

    import viz
    from engine import Value

    k = 1
    while True:
        model = W.binary_mlp(Value, E.INITIAL)
        root = W.binary_forward(model, E.XS[:k], E.YS[:k])
        n_nodes = len(root.topological_order())
        if n_nodes >= min_nodes:
            break
        k += 1
    root.backward()
    m_root = W.binary_forward(W.binary_mlp(micrograd.engine.Value, E.INITIAL), E.XS[:k], E.YS[:k])
    m_root.backward()
    fns = {
        "tracegrad": lambda: viz.draw_graph(root, max_nodes=2 * n_nodes).source,
        "micrograd": lambda: _micrograd_style_dot(m_root).source,
    }
    times = interleaved(fns, reps)
    return [
        {
            "suite": "render",
            "engine": eng,
            "variant": "viz.draw_graph" if eng == "tracegrad" else "README-style draw_dot",
            "nodes": n_nodes,
            "seconds": statistics.median(t),
        }
        for eng, t in times.items()
    ]


# -------------------------------------------------------------------- no_grad


def nograd_suite(reps: int) -> list[Result]:
    """nn.MLP forward over the 100 points, recording vs inside `no_grad()`."""
    import nn
    from engine import no_grad

    model = nn.MLP(2, list(W.SIZES[1:]), activation="relu")

    def recording() -> Any:
        return [model(x) for x in E.XS]

    def not_recording() -> Any:
        with no_grad():
            return [model(x) for x in E.XS]

    same = [o[0].data for o in recording()] == [o[0].data for o in not_recording()]
    times = interleaved({"recording": recording, "no_grad": not_recording}, reps)
    return [
        {
            "suite": "no_grad",
            "engine": "tracegrad",
            "variant": name,
            "seconds": statistics.median(t),
            "all_seconds": t,
            "correct": same,
        }
        for name, t in times.items()
    ]


# ------------------------------------------------------------ generated code


def _figure5(x: Any, y: Any, z: Any) -> Any:
    return ((x + y) + (x * y)) * z


def _neuron(w1: Any, x1: Any, w2: Any, x2: Any, b: Any) -> Any:
    return (w1 * x1 + w2 * x2 + b).tanh()


EXPRESSIONS: list[tuple[str, Callable[..., Any], list[float]]] = [
    ("Figure 5: ((x + y) + (x * y)) * z", _figure5, [2.0, 3.0, 4.0]),
    ("a neuron: tanh(w1 x1 + w2 x2 + b)", _neuron, [0.5, -1.0, 2.0, 0.25, 0.1]),
]


def _median_seconds(fn: Callable[[], Any], reps: int) -> float:
    times = []
    for _ in range(reps):
        gc.collect()
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times)


def codegen_suite(reps: int, calls: int = 2000) -> list[Result]:
    """Compiled expressions vs building their graph and calling backward(); compile
    times and the memory a compiled function holds."""
    import engine
    import nn
    from engine import Value

    results: list[Result] = []
    for label, fn, point in EXPRESSIONS:
        compiled = engine.compile(fn, point)
        values = [Value(p) for p in point]
        out = fn(*values)
        out.backward()
        good = compiled(*point) == (out.data, tuple(v.grad for v in values))

        def graph(fn: Callable[..., Any] = fn, point: list[float] = point) -> None:
            for _ in range(calls):
                vs = [Value(p) for p in point]
                fn(*vs).backward()

        def generated(compiled: Any = compiled, point: list[float] = point) -> None:
            for _ in range(calls):
                compiled(*point)

        times = interleaved({"graph": graph, "compiled": generated}, reps)
        speedups = [g / c for g, c in zip(times["graph"], times["compiled"])]
        results.append(
            {
                "suite": "codegen",
                "engine": "tracegrad",
                "variant": label,
                "kind": "expression",
                "graph_seconds": statistics.median(times["graph"]) / calls,
                "compiled_seconds": statistics.median(times["compiled"]) / calls,
                "speedup": statistics.median(speedups),
                "all_speedups": speedups,
                "correct": good,
            }
        )

    def mlp_step() -> Any:
        model = nn.MLP(2, list(W.SIZES[1:]), activation="relu")
        return nn.compile_step(model, loss="hinge", example=E.XS[0])

    def binary_graph() -> Any:
        return E.compile_binary(W.binary_mlp(Value, E.INITIAL))

    for label, make in (
        ("nn.compile_step, MLP 2-16-16-1 + hinge", mlp_step),
        ("compile_batch, the binary-op MLP graph", binary_graph),
        ("engine.compile, Figure 5", lambda: engine.compile(_figure5, [2.0, 3.0, 4.0])),
    ):
        seconds = _median_seconds(make, max(3, reps // 2))
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        made = make()
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        source = made.source
        results.append(
            {
                "suite": "codegen",
                "engine": "tracegrad",
                "variant": label,
                "kind": "compile",
                "seconds": seconds,
                "bytes": held,
                "lines": source.count("\n"),
            }
        )
        del made
    return results
