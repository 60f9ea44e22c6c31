"""Forward passes under `no_grad()` with plain floats: the same numbers, fewer objects.

Under `engine.no_grad()` an op records no parents, so nothing links a network's
outputs to the Values computed on the way there: those could never be reached, drawn
or differentiated. Here they are plain floats instead, computed with the very
expressions the engine uses (each weighted sum as `sum(map(mul, ws, xs)) + b` in the
same order, each activation by the same formula), so every output is equal to the
last bit to what the Value path gives; only the outputs are made into Values. That
is what makes `predict`, `accuracy` and the decision-boundary plots fast.

Anything unusual (inputs that are not all floats or Values, a number that is not
finite) returns None, and the caller takes the Value path, which explains the
problem or handles the mix.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from operator import mul
from typing import Any

from engine import Value

_sum = sum
_FLOAT_OR_VALUE = {float, Value}

# A layer: its weight rows, its biases and its activation's name.
Stage = tuple[list[list[Value]], list[Value], str]


def _relu(a: float) -> float:
    return a if a > 0.0 else 0.0  # Value.relu


def _step(a: float) -> float:
    return 1.0 if a >= 0.0 else -1.0  # Value.step


def _sigmoid(a: float) -> float:
    return Value(a).sigmoid().data  # the engine's own overflow-safe formula


ACTIVATIONS: dict[str, Callable[[float], float] | None] = {
    "linear": None,
    "relu": _relu,
    "sigmoid": _sigmoid,
    "step": _step,
    "tanh": math.tanh,  # Value.tanh
}


def outputs(stages: list[Stage], X: Sequence[Sequence[Any]]) -> list[list[Value]] | None:
    """The last stage's outputs for every input of `X`, or None for the Value path.

    The outputs are Values without parents, as `no_grad()` makes them, with the op
    the Value path gives them ("dot" for a linear layer, else the activation).
    """
    if not all(set(map(type, x)) <= _FLOAT_OR_VALUE for x in X):
        return None
    layers = [
        ([[w.data for w in row] for row in rows], [b.data for b in biases], ACTIVATIONS[act])
        for rows, biases, act in stages
    ]
    op = "dot" if stages[-1][2] == "linear" else stages[-1][2]
    out: list[list[Value]] = []
    for x in X:
        h = [v.data if type(v) is Value else v for v in x]
        for wd, bd, act in layers:
            z = [_sum(map(mul, w, h)) + b for w, b in zip(wd, bd)]
            if not math.isfinite(_sum(z)) and not all(map(math.isfinite, z)):
                return None  # the Value path names the culprit
            h = z if act is None else list(map(act, z))
        values = list(map(Value, h))
        for v in values:
            v.op = op
        out.append(values)
    return out
