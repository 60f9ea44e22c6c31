"""Predictions and accuracy, computed without recording a graph."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engine import Value, no_grad
from engine.checks import check_features
from nn.labels import check_output_labels as check_labels
from nn.labels import sign
from nn.module import forward_batch

__all__ = ["accuracy", "check_labels", "decide", "decide_scores", "outputs", "predict"]

Model = Callable[[Any], Any]


def outputs(out: Any) -> list[Value]:
    """A model's output as a list of Values (a one-output model may return a bare Value)."""
    return [out] if isinstance(out, Value) else list(out)


def decide(outs: list[Value]) -> int:
    """+1/-1 from the sign of a single output (ties positive), else the argmax index."""
    return decide_scores([v.data for v in outs])


def decide_scores(scores: Sequence[float]) -> int:
    """`decide` for plain numbers: the sign of one score, else the first largest one's index.

    >>> decide_scores([0.0]), decide_scores([-0.5]), decide_scores([1.0, 3.0, 3.0])
    (1, -1, 1)
    """
    if len(scores) == 1:
        return sign(scores[0])
    best = 0
    for j in range(1, len(scores)):
        if scores[j] > scores[best]:
            best = j
    return best


def predict(model: Model, X: Sequence[Sequence[float]]) -> list[int]:
    """The predicted label of every point.

    A model with one output predicts `+1` when the output is `>= 0` and `-1`
    otherwise (the perceptron's `sgn`, ties positive); a model with k outputs
    predicts the index of the largest output (the first one on a tie).

    Example:
        >>> from nn import Neuron
        >>> n = Neuron(1, activation="linear")
        >>> n.w[0].data = 2.0
        >>> predict(n, [[-1.0], [0.0], [3.0]])
        [-1, 1, 1]
    """
    return [decide(outs) for outs in _outputs_of(model, check_features(X))]


def _outputs_of(model: Model, rows: list[list[float]]) -> list[list[Value]]:
    """Every point's outputs, as lists of Values, computed without recording."""
    with no_grad():
        return [outputs(out) for out in forward_batch(model, rows)]


def accuracy(model: Model, X: Sequence[Sequence[float]], y: Sequence[int]) -> float:
    """The fraction of points whose predicted label equals the true label.

    This is the notes' `(1/m) sum_i [sgn(w . f(x_i)) == y_i]`, and its argmax
    version for several outputs.

    Raises:
        ValueError: if X and y differ in length, are empty, or a label cannot be
            predicted by this model (say 0/1 labels for a single +-1 output).

    Example:
        >>> from nn import Neuron
        >>> n = Neuron(1, activation="linear")
        >>> n.w[0].data = 1.0
        >>> accuracy(n, [[-2.0], [1.0], [2.0], [-1.0]], [-1, 1, -1, -1])
        0.75
    """
    rows = check_features(X)
    if len(rows) != len(y):
        raise ValueError(f"X and y differ in length: {len(rows)} points but {len(y)} labels")
    outs = _outputs_of(model, rows)
    labels = check_labels(y, len(outs[0]))
    return sum(decide(o) == t for o, t in zip(outs, labels)) / len(labels)
