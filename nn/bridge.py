"""The bridge to PyTorch: a tracegrad model as a `torch.nn.Module`, and back.

Where a student outgrows a scalar engine (GPUs, big batches, many machines), the same
network carries over with the same numbers, in float64:

- `to_torch(model)` gives a `torch.nn.Sequential` of `Linear` layers and activations
  with tracegrad's weights, and `names(model)` says where each tracegrad parameter went
  (tracegrad counts a neuron's weights from 1 and calls its bias w0, as the notes do:
  `L1.n0.w3` is `0.weight[0, 2]`, `L1.n0.w0` is `0.bias[0]`).
- `from_torch(module)` reads such a `Sequential` back into an `nn.MLP`.

PyTorch is an optional extra (`pip install 'tracegrad[torch]'`); it is imported only
when these functions run, and a clear ImportError says how to install it.

    >>> import nn
    >>> model = nn.MLP(2, [3, 1], activation="relu", seed=0)
    >>> names(model)["L1.n2.w2"], names(model)["L2.n0.w0"]
    ('0.weight[2, 1]', '2.bias[0]')
"""

from __future__ import annotations

from typing import Any

from engine.fast import Stage
from nn.layers import MLP
from nn.module import Module

__all__ = ["TORCH_ACTIVATIONS", "from_torch", "names", "to_torch"]

TORCH_ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}
"""tracegrad's activations that PyTorch has as modules, and their `torch.nn` names
("linear" is no module at all)."""


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError(
            "the PyTorch bridge needs torch: pip install 'tracegrad[torch]' (or pip install torch)"
        ) from None
    return torch


def _plan(model: Module) -> list[tuple[Stage, int, int | None]]:
    """The model's layers as the fused path describes them (`Module.fused_stages`), each
    with the index of its Linear and of its activation in the Sequential."""
    stages = model.fused_stages() if isinstance(model, Module) else None
    if stages is None:
        raise TypeError(
            "to_torch needs an nn.MLP, nn.Layer or nn.Neuron running its own forward,"
            f" got {model!r:.80}"
        )
    plan, index = [], 0
    for k, stage in enumerate(stages):
        act = stage[2]
        if act != "linear" and act not in TORCH_ACTIVATIONS:
            raise ValueError(
                f"layer {k + 1}'s activation {act!r} has no torch.nn module here"
                f" (expected one of 'linear', {', '.join(map(repr, TORCH_ACTIVATIONS))})"
            )
        plan.append((stage, index, None if act == "linear" else index + 1))
        index += 1 if act == "linear" else 2
    return plan


def names(model: Module) -> dict[str, str]:
    """Where each of `model`'s parameters is in `to_torch(model)`, by tracegrad name."""
    out: dict[str, str] = {}
    ids = {id(p): name for name, p in model.named_parameters()}
    for (rows, biases, _), linear, _ in _plan(model):
        for j, (row, bias) in enumerate(zip(rows, biases)):
            for i, w in enumerate(row):
                out[ids[id(w)]] = f"{linear}.weight[{j}, {i}]"
            out[ids[id(bias)]] = f"{linear}.bias[{j}]"
    return out


def to_torch(model: Module) -> Any:
    """`model` as a float64 `torch.nn.Sequential` with the same weights and outputs.

    Args:
        model: an `nn.MLP`, `nn.Layer` or `nn.Neuron` with activations "linear",
            "relu", "tanh" or "sigmoid" (read through its fused path's description, so
            a subclass with a forward of its own is refused: torch would not run it).

    Returns:
        A `torch.nn.Sequential` of `Linear` layers (float64), each followed by its
        activation module unless it is "linear"; `names(model)` maps the parameters.

    Raises:
        ImportError: without torch installed (saying how to install it).
        TypeError: for another kind of model.
        ValueError: for an activation torch has no module for.
    """
    torch = _torch()
    modules = []
    with torch.no_grad():
        for (rows, biases, activation), _, act in _plan(model):
            linear = torch.nn.Linear(len(rows[0]), len(rows), dtype=torch.float64)
            linear.weight.copy_(
                torch.tensor([[w.data for w in row] for row in rows], dtype=torch.float64)
            )
            linear.bias.copy_(torch.tensor([b.data for b in biases], dtype=torch.float64))
            modules.append(linear)
            if act is not None:
                modules.append(getattr(torch.nn, TORCH_ACTIVATIONS[activation])())
    return torch.nn.Sequential(*modules)


def from_torch(module: Any, *, seed: int = 0) -> MLP:
    """An `nn.MLP` with the architecture and weights of a `torch.nn.Sequential`.

    The Sequential must be `Linear` layers (with biases), each followed by at most one
    of `ReLU`, `Tanh` or `Sigmoid`; every hidden layer must have the same activation
    (an MLP has one), the last may have its own or none.

    Raises:
        ImportError: without torch installed.
        TypeError: for anything but such a Sequential (naming the first module that is not).
        ValueError: for mismatched sizes or hidden activations that differ.
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Sequential) or len(module) == 0:
        raise TypeError(f"from_torch needs a non-empty torch.nn.Sequential, got {module!r:.80}")
    by_class = {v: k for k, v in TORCH_ACTIVATIONS.items()}
    linears: list[Any] = []
    acts: list[str] = []
    for i, m in enumerate(module):
        kind = type(m).__name__
        if isinstance(m, torch.nn.Linear):
            if m.bias is None:
                raise ValueError(f"module {i} is a Linear without bias; tracegrad neurons have one")
            if linears and m.in_features != linears[-1].out_features:
                raise ValueError(
                    f"module {i} takes {m.in_features} inputs but the layer before gives"
                    f" {linears[-1].out_features}"
                )
            linears.append(m)
            acts.append("linear")
        elif kind in by_class and linears and acts[-1] == "linear":
            acts[-1] = by_class[kind]
        else:
            allowed = ", ".join(["Linear", *TORCH_ACTIVATIONS.values()])
            raise TypeError(
                f"module {i} ({kind}) cannot be read: expected Linear layers, each followed"
                f" by at most one of {', '.join(TORCH_ACTIVATIONS.values())} ({allowed})"
            )
    hidden = set(acts[:-1])
    if len(hidden) > 1:
        raise ValueError(
            f"the hidden layers' activations differ ({sorted(hidden)}); an MLP has one"
        )
    model = MLP(
        linears[0].in_features,
        [m.out_features for m in linears],
        activation=hidden.pop() if hidden else "tanh",
        output_activation=acts[-1],
        seed=seed,
    )
    for layer, linear in zip(model.layers, linears):
        weight = linear.weight.detach().double().tolist()
        bias = linear.bias.detach().double().tolist()
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                w.data = float(weight[j][i])
            neuron.b.data = float(bias[j])
    return model
