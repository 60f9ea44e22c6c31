"""`nn`'s training step against backpropagation written by hand with plain floats.

The benchmarks compare tracegrad's speed with `benchmarks/workloads.py`'s `floor_step`,
the same MLP step with no graph at all: loops over lists of floats, with the chain rule
worked out by hand. That comparison only means something if both compute the same step,
so this checks it here, where it can fail: the same loss, the same gradients and the
same updated weights, step after step, for the batched forward (`forward_batch`), the
walk that stops at relus that are off, and the hand-written backward alike.
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

import nn
from nn.train import train_step


def _workloads() -> ModuleType:
    path = Path(__file__).parents[2] / "benchmarks" / "workloads.py"
    spec = importlib.util.spec_from_file_location("benchmark_workloads", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed", [1, 7])
def test_train_step_is_the_hand_written_step(seed: int) -> None:
    W = _workloads()
    xs, ys = W.moons(40, seed=seed)
    layers = W.initial_weights(seed)
    model = nn.MLP(2, list(W.SIZES[1:]), activation="relu", output_activation="linear")
    params = model.parameters()
    for p, v in zip(params, W.flat(layers), strict=True):
        p.data = v
    opt = nn.SGD(params, lr=W.LR)
    floor_layers = copy.deepcopy(layers)
    labels = [int(y) for y in ys]
    for _ in range(3):  # later steps start from weights both have updated
        loss, _ = train_step(model, xs, labels, opt, loss="hinge")
        floor_loss, floor_grads = W.floor_step(floor_layers, xs, ys)
        assert loss == pytest.approx(floor_loss, rel=1e-12)
        assert [p.grad for p in params] == pytest.approx(floor_grads, rel=1e-9, abs=1e-15)
        assert [p.data for p in params] == pytest.approx(W.flat(floor_layers), rel=1e-12)
    # Some relus were off and some points had no hinge loss: the sparse paths ran.
    assert any(g == 0.0 for g in floor_grads)
