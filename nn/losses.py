"""Softmax, log-likelihoods and losses, all built from engine ops.

The softmax family subtracts the largest logit before exponentiating. Softmax does
not change when a constant is added to every logit, so the result is the same, but
the biggest exponent is now e^0 = 1: nothing overflows for logits of +-1000, and the
sum of exponentials is at least 1, so its logarithm is always defined. The shift is a
plain number, not a node, so the gradients are those of the unshifted formula.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import engine
from engine import Value
from engine.checks import as_float
from nn.labels import as_class_index, as_label
from nn.module import forward_batch

__all__ = [
    "LOSSES",
    "cross_entropy",
    "hinge",
    "label_only",
    "log_likelihood",
    "log_sigmoid",
    "log_softmax",
    "logistic_loss",
    "mse",
    "perceptron_criterion",
    "softmax",
]

Scalar = Value | float


def _as_value(x: object, what: str) -> Value:
    if isinstance(x, Value):
        return x
    return Value(as_float(x, what))


def _logits(logits: Sequence[Scalar]) -> list[Value]:
    if isinstance(logits, Value | str) or not isinstance(logits, Sequence):
        raise TypeError(f"logits must be a sequence of Values, got {logits!r:.80}")
    if not logits:
        raise ValueError("logits must not be empty")
    return [_as_value(z, f"logits[{i}]") for i, z in enumerate(logits)]


def _sign(y: object, what: str = "y") -> float:
    return float(as_label(y, 1, what))


def _class_index(target: object, k: int) -> int:
    return as_class_index(target, k, "target")


def _shifted(zs: list[Value]) -> tuple[list[Value], Value]:
    """`z - max(z)` for every logit, and log(sum(exp(z - max(z))))."""
    m = max(z.data for z in zs)
    shifted = [z - m for z in zs]
    return shifted, engine.sum([s.exp() for s in shifted]).log()


def softmax(logits: Sequence[Scalar]) -> list[Value]:
    """The probabilities `e^z_j / sum_k e^z_k`, computed stably.

    Example:
        >>> from engine import Value
        >>> p = softmax([Value(1.0), Value(2.0), Value(3.0)])
        >>> [round(q.data, 4) for q in p], round(sum(q.data for q in p), 12)
        ([0.09, 0.2447, 0.6652], 1.0)
    """
    zs = _logits(logits)
    m = max(z.data for z in zs)
    exps = [(z - m).exp() for z in zs]
    total = engine.sum(exps)
    return [e / total for e in exps]


def log_softmax(logits: Sequence[Scalar]) -> list[Value]:
    """The log-probabilities `z_j - log(sum_k e^z_k)`, computed stably.

    Example:
        >>> from engine import Value
        >>> [round(v.data, 6) for v in log_softmax([Value(1000.0), Value(-1000.0)])]
        [0.0, -2000.0]
    """
    shifted, lse = _shifted(_logits(logits))
    return [s - lse for s in shifted]


def cross_entropy(logits: Sequence[Scalar], target: int) -> Value:
    """The negative log-likelihood `-log softmax(logits)[target]` of one class index.

    Its gradient with respect to the logits is `softmax(logits) - onehot(target)`.

    Raises:
        ValueError: if `target` is not an index into the logits.

    Example:
        >>> from engine import Value
        >>> z = [Value(0.0), Value(0.0)]
        >>> loss = cross_entropy(z, 1)
        >>> loss.backward()
        >>> round(loss.data, 6), [g.grad for g in z]   # log 2; softmax - onehot
        (0.693147, [0.5, -0.5])
    """
    zs = _logits(logits)
    t = _class_index(target, len(zs))
    shifted, lse = _shifted(zs)
    return lse - shifted[t]


def log_sigmoid(z: Scalar) -> Value:
    """`log(sigmoid(z))`, without underflow for very negative z.

    For z >= 0 it is `-log(1 + e^-z)`; for z < 0 it is `z - log(1 + e^z)`. Both
    branches are the same function, written so the exponent is never positive.

    Example:
        >>> round(log_sigmoid(-1000.0).data, 6), round(log_sigmoid(0.0).data, 6)
        (-1000.0, -0.693147)
    """
    v = _as_value(z, "z")
    if v.data >= 0:
        return -((-v).exp() + 1.0).log()
    return v - (v.exp() + 1.0).log()


def logistic_loss(score: Scalar, y: int) -> Value:
    """The binary cross-entropy `-log sigmoid(y * score)` of a label y = +-1.

    Example:
        >>> round(logistic_loss(0.0, 1).data, 6)
        0.693147
    """
    return -log_sigmoid(_as_value(score, "score") * _sign(y))


def log_likelihood(model: Any, X: Sequence[Sequence[float]], y: Sequence[int]) -> Value:
    """The log-likelihood `sum_i log P(y_i | x_i)` of a data set, as in the notes.

    With several outputs, `P(y | x)` is the softmax of the model's outputs and each
    `y_i` is a class index. With a single output `a`, `P(y | x) = sigmoid(y * a)` for
    labels y = +-1. Maximise it (`SGD(..., maximize=True)`) or minimise its negative.

    Raises:
        ValueError: if X and y differ in length or are empty, or a label is invalid.

    Example:
        >>> import math
        >>> from nn import MLP
        >>> model = MLP(2, [3], seed=0)
        >>> ll = log_likelihood(model, [[0.0, 0.0]], [2])   # all-zero input: uniform
        >>> round(ll.data, 6) == round(-math.log(3), 6)
        True
    """
    if len(X) != len(y):
        raise ValueError(f"X and y differ in length: {len(X)} points but {len(y)} labels")
    if not X:
        raise ValueError("log_likelihood needs at least one point, got none")
    terms: list[Value] = []
    for out, label in zip(forward_batch(model, X), y):
        outs = [out] if isinstance(out, Value) else list(out)
        if len(outs) == 1:
            terms.append(log_sigmoid(outs[0] * _sign(label, "y[i]")))
        else:
            terms.append(-cross_entropy(outs, label))
    return engine.sum(terms)


def mse(pred: Scalar | Sequence[Scalar], target: float | Sequence[float]) -> Value:
    """The mean squared error between predictions and targets.

    Args:
        pred: one prediction or a sequence of them.
        target: one number or a sequence of as many numbers.

    Example:
        >>> from engine import Value
        >>> mse([Value(1.0), Value(3.0)], [0.0, 1.0]).data   # (1 + 4) / 2
        2.5
    """
    preds = [pred] if isinstance(pred, Value | int | float) else list(pred)
    targets = [target] if isinstance(target, int | float) else list(target)
    if len(preds) != len(targets) or not preds:
        raise ValueError(
            f"mse needs as many targets as predictions (at least one),"
            f" got {len(preds)} predictions and {len(targets)} targets"
        )
    errors = []
    for i, (p, t) in enumerate(zip(preds, targets)):
        d = _as_value(p, f"pred[{i}]") - as_float(t, f"target[{i}]")
        errors.append(d * d)
    return engine.sum(errors) * (1.0 / len(errors))


def hinge(score: Scalar, y: int) -> Value:
    """The hinge loss `max(0, 1 - y * score)` for a label y = +-1.

    Example:
        >>> hinge(0.25, 1).data, hinge(3.0, 1).data, hinge(3.0, -1).data
        (0.75, 0.0, 4.0)
    """
    return (1.0 - _as_value(score, "score") * _sign(y)).relu()


def perceptron_criterion(activation: Scalar, y: int) -> Value:
    """The perceptron's loss `max(0, -y * activation)` for a label y = +-1.

    It is 0 for a correctly classified point and grows with the size of a wrong
    activation; its gradient with respect to the weights is `-y * f(x)` on a
    mistake, so a gradient step of size 1 is the perceptron update. At a tie
    (activation exactly 0) the loss and its gradient are 0 (relu's convention),
    even though the perceptron counts a tie as positive.

    Example:
        >>> perceptron_criterion(-1.0, 1).data, perceptron_criterion(2.0, 1).data
        (1.0, 0.0)
    """
    return (_as_value(activation, "activation") * -_sign(y)).relu()


# ------------------------------------------------------------- the losses by name

LossFn = Callable[[list[Value], Any], Value]


def _cross_entropy(outs: list[Value], t: Any) -> Value:
    # One output: the binary (logistic) case, P(y | x) = sigmoid(y * a).
    return logistic_loss(outs[0], t) if len(outs) == 1 else cross_entropy(outs, t)


def _mse(outs: list[Value], t: Any) -> Value:
    if len(outs) == 1:
        return mse(outs[0], float(t))
    return mse(outs, [1.0 if j == t else 0.0 for j in range(len(outs))])


def _single(name: str, fn: Callable[[Value, int], Value]) -> LossFn:
    def loss(outs: list[Value], t: Any) -> Value:
        if len(outs) != 1:
            raise ValueError(f"loss {name!r} needs a model with one output, got {len(outs)}")
        return fn(outs[0], t)

    return loss


LOSSES: dict[str, LossFn] = {
    "cross_entropy": _cross_entropy,
    "hinge": _single("hinge", hinge),
    "mse": _mse,
    "perceptron": _single("perceptron", perceptron_criterion),
}
"""The losses `fit(loss=...)` and the command line know, by name: `(outputs, label) -> Value`."""

PROBES = 16
"""How many output vectors `label_only` builds a loss at, per label."""


def label_only(loss: LossFn, n_outputs: int) -> bool:
    """Whether the graph `loss(outputs, label)` builds depends on the label only.

    Found out, not declared: for each label (-1 and +1 for one output, else each class),
    the loss is built on Value leaves at `PROBES` output vectors (seeded: mixed signs,
    magnitudes from 1e-3 to 1e3, each coordinate the largest in turn), and the graphs'
    shapes are compared (ops, edges and the plain numbers written into them, by
    `engine.codegen.graph.structure`). A loss that branches on its outputs' values
    (softmax's shift by the largest output, the logistic loss's formula chosen by the
    sign, an `if` of your own) builds different shapes and is not label-only; a compiled
    training step then builds it per point. Relu, step and abs, decided by the engine,
    keep the shape.

    >>> label_only(LOSSES["hinge"], 1), label_only(LOSSES["cross_entropy"], 3)
    (True, False)
    """
    from engine.codegen.graph import structure

    rng = random.Random(0)
    points = []
    for k in range(PROBES):
        scale = 10.0 ** rng.uniform(-3.0, 3.0)
        point = [rng.choice((-1.0, 1.0)) * scale * rng.uniform(0.1, 1.0) for _ in range(n_outputs)]
        point[k % n_outputs] = abs(point[k % n_outputs]) * 2.0 + scale  # the largest in turn
        points.append(point if k % 2 else [-x for x in point])
    for key in (-1, 1) if n_outputs == 1 else range(n_outputs):
        shapes = set()
        for point in points:
            leaves = [Value(x) for x in point]
            try:
                shapes.add(repr(structure([loss(leaves, key)], leaves)))
            except (ArithmeticError, ValueError):
                return False  # not defined everywhere: build it per point
            if len(shapes) > 1:
                return False
    return True
