"""The benchmark workloads, written once and run by every engine.

The MLP workload is the one of the issue: a 2-16-16-1 network (relu hidden layers, a
linear output) on 100 two-moons points, with the mean hinge loss
`mean(relu(1 - y * score))`, one full-batch step = zero the gradients, forward,
backward, plain SGD update. Every engine starts from the same weights and data, so
every engine must produce the same loss and the same gradients.

`floor_step` is the same step written by hand with plain floats: no graph, no nodes,
just the arithmetic. It is the floor that no pure-Python engine can beat.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence
from operator import mul
from typing import Any

SIZES = (2, 16, 16, 1)
N_POINTS = 100
LR = 0.05

Matrix = list[list[float]]


def moons(n: int = N_POINTS, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles with labels -1 / +1 (a seeded generator)."""
    rng = random.Random(seed)
    xs: list[list[float]] = []
    ys: list[float] = []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2 == 0:
            x, y, label = math.cos(t), math.sin(t), -1.0
        else:
            x, y, label = 1.0 - math.cos(t), 0.5 - math.sin(t), 1.0
        xs.append([x + rng.gauss(0.0, 0.1), y + rng.gauss(0.0, 0.1)])
        ys.append(label)
    return xs, ys


def initial_weights(seed: int = 1) -> list[tuple[Matrix, list[float]]]:
    """One (weights[out][in], biases[out]) pair per layer, uniform in +-1/sqrt(fan_in)."""
    rng = random.Random(seed)
    layers = []
    for n_in, n_out in itertools.pairwise(SIZES):
        scale = 1.0 / math.sqrt(n_in)
        w = [[rng.uniform(-scale, scale) for _ in range(n_in)] for _ in range(n_out)]
        b = [rng.uniform(-scale, scale) for _ in range(n_out)]
        layers.append((w, b))
    return layers


def flat(layers: Sequence[tuple[Matrix, list[float]]]) -> list[float]:
    """Parameters in the order every engine reports gradients: per neuron, weights then bias."""
    out: list[float] = []
    for w, b in layers:
        for row, bias in zip(w, b):
            out.extend(row)
            out.append(bias)
    return out


# ------------------------------------------------------------------ the floor


def floor_step(
    layers: list[tuple[Matrix, list[float]]], xs: list[list[float]], ys: list[float]
) -> tuple[float, list[float]]:
    """One SGD step by hand with floats; returns (loss, flat gradients) and updates `layers`."""
    grads = [([[0.0] * len(r) for r in w], [0.0] * len(b)) for w, b in layers]
    last = len(layers) - 1
    inv_n = 1.0 / len(xs)
    loss = 0.0
    for x, y in zip(xs, ys):
        acts = [x]
        h = x
        for k, (w, b) in enumerate(layers):
            z = [sum(map(mul, row, h)) + bias for row, bias in zip(w, b)]
            h = z if k == last else [v if v > 0.0 else 0.0 for v in z]
            acts.append(h)
        margin = 1.0 - y * h[0]
        if margin <= 0.0:
            continue
        loss += margin * inv_n
        delta = [-y * inv_n]  # d loss / d z of the output layer
        for k in range(last, -1, -1):
            w, _ = layers[k]
            gw, gb = grads[k]
            a_in = acts[k]
            for j, d in enumerate(delta):
                if d:
                    row = gw[j]
                    for i, a in enumerate(a_in):
                        row[i] += d * a
                    gb[j] += d
            if k:
                # back through the weights, then through the relu of layer k - 1
                back = [sum(map(mul, col, delta)) for col in zip(*w)]
                delta = [g if a > 0.0 else 0.0 for g, a in zip(back, a_in)]
    for (w, b), (gw, gb) in zip(layers, grads):
        for row, grow in zip(w, gw):
            for i, g in enumerate(grow):
                row[i] -= LR * g
        for j, g in enumerate(gb):
            b[j] -= LR * g
    return loss, flat(grads)


# ------------------------------------------- the same MLP as a graph of binary ops


def binary_mlp(value: Callable[[float], Any], layers: list[tuple[Matrix, list[float]]]) -> Any:
    """Parameters as `value` leaves, laid out as [[(ws, b) per neuron] per layer]."""
    return [[([value(v) for v in row], value(bias)) for row, bias in zip(w, b)] for w, b in layers]


def binary_score(model: Any, x: list[Any]) -> Any:
    """The network's output for one point, from + * relu only."""
    last = len(model) - 1
    h: list[Any] = x
    for k, layer in enumerate(model):
        out = []
        for ws, b in layer:
            act = b
            for w, xi in zip(ws, h):
                act = act + w * xi
            out.append(act if k == last else act.relu())
        h = out
    return h[0]


def binary_hinge(score: Any, y: float) -> Any:
    """One point's hinge loss, relu(1 - y * score)."""
    return (1 + -y * score).relu()


def binary_forward(model: Any, xs: list[list[float]], ys: list[float]) -> Any:
    """The hinge loss built from + * relu only: the identical graph in every engine."""
    losses = [binary_hinge(binary_score(model, x), y) for x, y in zip(xs, ys)]
    return sum(losses) * (1.0 / len(losses))


def binary_params(model: Any) -> list[Any]:
    """The leaves of `binary_mlp` in the flat order."""
    return [p for layer in model for ws, b in layer for p in (*ws, b)]


def sgd(params: list[Any]) -> None:
    """The update every engine shares (micrograd's style: mutate data in place)."""
    for p in params:
        p.data -= LR * p.grad
