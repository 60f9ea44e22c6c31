"""The MLP step of every engine, behind one small interface.

A `Variant` holds one model. `reset()` loads the shared initial weights, `step()`
runs one SGD step (zero the gradients, forward, backward, update) and returns the
loss, and `grads()` gives the gradients of the last step in the flat order of
`workloads.flat`, so every variant can be checked against the hand-written floor.
"""

from __future__ import annotations

import copy
import gc
from collections.abc import Callable
from typing import Any

import workloads as W

XS, YS = W.moons()
INITIAL = W.initial_weights()


class Variant:
    """One engine's way of running the MLP step."""

    engine = ""
    name = ""
    gc_off = False  # switch the cycle collector off during the step (collect after)

    def reset(self) -> None:
        raise NotImplementedError

    def step(self) -> float:
        raise NotImplementedError

    def grads(self) -> list[float]:
        raise NotImplementedError

    def timed_step(self) -> Callable[[], Any]:
        """The callable to time; with `gc_off`, the collector runs after it, untimed."""
        if not self.gc_off:
            return self.step

        def step_without_collector() -> float:
            gc.disable()
            try:
                return self.step()
            finally:
                gc.enable()

        return step_without_collector

    def after_step(self) -> None:
        """Untimed clean-up between repetitions (frees micrograd's cycles)."""
        if self.gc_off:
            gc.collect()


class Floor(Variant):
    engine, name = "floor", "hand-written floats"

    def reset(self) -> None:
        self.layers = copy.deepcopy(INITIAL)
        self._grads: list[float] = []

    def step(self) -> float:
        loss, self._grads = W.floor_step(self.layers, XS, YS)
        return loss

    def grads(self) -> list[float]:
        return self._grads


class BinaryGraph(Variant):
    """The identical graph of + * relu in any engine whose Value takes a float."""

    def __init__(self, engine: str, value: Callable[[float], Any], *, gc_off: bool = False) -> None:
        self.engine, self.value, self.gc_off = engine, value, gc_off
        self.name = "binary ops" + (" (collector off)" if gc_off else "")

    def reset(self) -> None:
        self.model = W.binary_mlp(self.value, INITIAL)
        self.params = W.binary_params(self.model)

    def step(self) -> float:
        for p in self.params:
            p.grad = 0.0
        loss = W.binary_forward(self.model, XS, YS)
        loss.backward()
        W.sgd(self.params)
        return float(loss.data)

    def grads(self) -> list[float]:
        return [float(p.grad) for p in self.params]


class TracegradFused(Variant):
    """tracegrad's fused neurons called directly: one `engine.dot` node per neuron."""

    engine, name = "tracegrad", "fused neurons (engine.dot)"

    def __init__(self, *, paused: bool = False) -> None:
        self.paused = paused
        if paused:
            self.name += " (engine.collector_paused)"

    def reset(self) -> None:
        from engine import Value

        self.model = W.binary_mlp(Value, INITIAL)
        self.params = W.binary_params(self.model)

    def forward(self) -> Any:
        import engine

        dot = engine.dot
        last = len(self.model) - 1
        losses = []
        for x, y in zip(XS, YS):
            h: list[Any] = x
            for k, layer in enumerate(self.model):
                if k == last:
                    h = [dot(ws, h, b) for ws, b in layer]
                else:
                    h = [dot(ws, h, b).relu() for ws, b in layer]
            losses.append((1.0 - y * h[0]).relu())
        return engine.sum(losses) * (1.0 / len(losses))

    def _step(self) -> float:
        # The graph lives only in this frame, so it is gone before the collector resumes.
        for p in self.params:
            p.grad = 0.0
        loss = self.forward()
        loss.backward()
        W.sgd(self.params)
        return float(loss.data)

    def step(self) -> float:
        if not self.paused:
            return self._step()
        import engine

        with engine.collector_paused():
            return self._step()

    def grads(self) -> list[float]:
        return [p.grad for p in self.params]


class TracegradMLP(Variant):
    """tracegrad as users run it: `nn.MLP`, the hinge loss, `nn.SGD`, one `fit` step.

    The step is `nn.train.train_step`, the function `nn.fit` calls for every batch
    (which pauses the cycle collector); `paused=False` runs the same step with the
    collector on, to show what pausing it saves.
    """

    engine = "tracegrad"

    def __init__(self, *, paused: bool = True) -> None:
        self.paused = paused
        self.name = "own MLP (nn.MLP + nn.SGD" + (", as nn.fit)" if paused else ", collector on)")

    def reset(self) -> None:
        import nn

        self.model = nn.MLP(2, list(W.SIZES[1:]), activation="relu", output_activation="linear")
        self.params = self.model.parameters()
        for p, v in zip(self.params, W.flat(INITIAL), strict=True):
            p.data = v
        self.opt = nn.SGD(self.params, lr=W.LR)
        self.labels = [int(y) for y in YS]

    def step(self) -> float:
        from nn import train

        if self.paused:
            loss, _ = train.train_step(self.model, XS, self.labels, self.opt, loss="hinge")
        else:
            loss, _ = train._step(self.model, XS, self.labels, self.opt, train.LOSSES["hinge"])
        return loss

    def grads(self) -> list[float]:
        return [p.grad for p in self.params]


class TracegradCompiled(Variant):
    """`nn.fit(..., compile=True)`'s step: `nn.compile_step`, generated once per model."""

    engine, name = "tracegrad", "own MLP compiled (nn.fit compile=True)"

    def reset(self) -> None:
        import nn

        self.model = nn.MLP(2, list(W.SIZES[1:]), activation="relu", output_activation="linear")
        self.params = self.model.parameters()
        for p, v in zip(self.params, W.flat(INITIAL), strict=True):
            p.data = v
        self.opt = nn.SGD(self.params, lr=W.LR)
        self.labels = [int(y) for y in YS]
        self.compiled = nn.compile_step(self.model, loss="hinge", example=XS[0])

    def step(self) -> float:
        loss, _ = self.compiled(XS, self.labels, self.opt)
        return loss

    def grads(self) -> list[float]:
        return [p.grad for p in self.params]


def compile_binary(params_model: Any) -> Any:
    """The binary-op graph of one point, as the loop `engine.codegen.batch` writes."""
    from engine import Value
    from engine.codegen.batch import compile_batch

    xs = [Value(x, f"x{i}") for i, x in enumerate(XS[0])]
    score = W.binary_score(params_model, xs)
    leaves = {key: Value(score.data) for key in (-1, 1)}
    losses = {key: (W.binary_hinge(leaf, float(key)), [leaf]) for key, leaf in leaves.items()}
    return compile_batch([score], xs, W.binary_params(params_model), losses)


class BinaryCompiled(Variant):
    """The identical graph of + * relu, compiled once (engine.codegen), run per step."""

    engine, name = "tracegrad", "binary ops, compiled (engine.codegen)"

    def reset(self) -> None:
        from engine import Value

        self.model = W.binary_mlp(Value, INITIAL)
        self.params = W.binary_params(self.model)
        self.run = compile_binary(self.model)
        self.keys = [int(y) for y in YS]

    def step(self) -> float:
        total, _, grads = self.run([p.data for p in self.params], XS, self.keys, 1.0 / len(XS))
        for p, g in zip(self.params, grads):
            p.grad = g
        W.sgd(self.params)
        return total * (1.0 / len(XS))

    def grads(self) -> list[float]:
        return [p.grad for p in self.params]


class MicrogradMLP(Variant):
    """micrograd as its README runs it: `micrograd.nn.MLP`, collector on."""

    engine = "micrograd"

    def __init__(self, *, gc_off: bool = False) -> None:
        self.gc_off = gc_off
        self.name = "own MLP (micrograd.nn.MLP)" + (" (collector off)" if gc_off else "")

    def reset(self) -> None:
        from micrograd.nn import MLP

        self.model = MLP(2, list(W.SIZES[1:]))
        self.params = self.model.parameters()
        for p, v in zip(self.params, W.flat(INITIAL), strict=True):
            p.data = v

    def step(self) -> float:
        self.model.zero_grad()
        scores = [self.model(x) for x in XS]
        losses = [(1 + -y * s).relu() for y, s in zip(YS, scores)]
        loss = sum(losses) * (1.0 / len(losses))
        loss.backward()
        W.sgd(self.params)
        return float(loss.data)

    def grads(self) -> list[float]:
        return [float(p.grad) for p in self.params]


class TorchMLP(Variant):
    """PyTorch's own way: float64 tensors, a batched Sequential of Linear layers."""

    engine, name = "torch", "own MLP (torch.nn, batched)"

    def reset(self) -> None:
        torch = import_torch()
        torch.set_num_threads(1)
        layers: list[Any] = []
        for k, (w, b) in enumerate(INITIAL):
            lin = torch.nn.Linear(len(w[0]), len(w), dtype=torch.float64)
            with torch.no_grad():
                lin.weight.copy_(torch.tensor(w, dtype=torch.float64))
                lin.bias.copy_(torch.tensor(b, dtype=torch.float64))
            layers.append(lin)
            if k < len(INITIAL) - 1:
                layers.append(torch.nn.ReLU())
        self.model = torch.nn.Sequential(*layers)
        self.x = torch.tensor(XS, dtype=torch.float64)
        self.y = torch.tensor(YS, dtype=torch.float64)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=W.LR)

    def step(self) -> float:
        import torch

        self.opt.zero_grad()
        score = self.model(self.x)[:, 0]
        loss = torch.relu(1 - self.y * score).mean()
        loss.backward()
        self.opt.step()
        return float(loss.item())

    def grads(self) -> list[float]:
        mods = [m for m in self.model if hasattr(m, "weight")]
        out: list[float] = []
        for m in mods:
            for row, b in zip(m.weight.grad.tolist(), m.bias.grad.tolist()):
                out.extend(row)
                out.append(b)
        return out


def import_torch() -> Any:
    """Import torch, silencing its notice that NumPy (not needed here) is absent."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
        import torch
    return torch


def torch_scalar(v: float) -> Any:
    """A 0-d float64 leaf tensor: torch as a scalar engine."""
    torch = import_torch()

    return torch.tensor(v, dtype=torch.float64, requires_grad=True)


class TorchBinary(BinaryGraph):
    """The identical binary-op graph with 0-d tensors (torch's relu is a function)."""

    def __init__(self) -> None:
        super().__init__("torch", torch_scalar)

    def reset(self) -> None:
        torch = import_torch()
        torch.set_num_threads(1)
        if not hasattr(torch.Tensor, "relu"):
            raise RuntimeError("this torch has no Tensor.relu")
        super().reset()

    def step(self) -> float:
        import torch

        for p in self.params:
            p.grad = None
        loss = W.binary_forward(self.model, XS, YS)
        loss.backward()
        with torch.no_grad():
            for p in self.params:
                p -= W.LR * p.grad
        return float(loss.item())

    def grads(self) -> list[float]:
        return [float(p.grad) for p in self.params]


def mlp_variants(with_torch: bool) -> list[Variant]:
    """Every MLP-step variant of the run, the floor first."""
    import micrograd.engine

    from engine import Value

    variants: list[Variant] = [
        Floor(),
        TracegradFused(),
        TracegradFused(paused=True),
        TracegradMLP(),
        TracegradMLP(paused=False),
        TracegradCompiled(),
        BinaryGraph("tracegrad", Value),
        BinaryGraph("tracegrad", Value, gc_off=True),
        BinaryCompiled(),
        MicrogradMLP(),
        MicrogradMLP(gc_off=True),
        BinaryGraph("micrograd", micrograd.engine.Value),
        BinaryGraph("micrograd", micrograd.engine.Value, gc_off=True),
    ]
    if with_torch:
        # torch is imported by these variants' reset(), so only their own processes
        # hold its tens of thousands of objects (which the cycle collector would scan).
        variants += [TorchMLP(), TorchBinary()]
    return variants
