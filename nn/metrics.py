"""Predictions and accuracy, computed without recording a graph."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engine import Value, no_grad
from nn.module import forward_batch

__all__ = ["accuracy", "check_labels", "predict"]

Model = Callable[[Any], Any]


def _outputs(out: Any) -> list[Value]:
    return [out] if isinstance(out, Value) else list(out)


def _decide(outs: list[Value]) -> int:
    """+1/-1 from the sign of a single output (ties positive), else the argmax index."""
    if len(outs) == 1:
        return 1 if outs[0].data >= 0.0 else -1
    best = 0
    for j in range(1, len(outs)):
        if outs[j].data > outs[best].data:
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
    with no_grad():
        return [_decide(_outputs(out)) for out in forward_batch(model, X)]


def check_labels(y: Sequence[object], n_outputs: int) -> None:
    """Raise a helpful ValueError unless the labels suit a model with `n_outputs`.

    One output needs labels -1/+1; k outputs need class indices 0 .. k-1.

    Example:
        >>> check_labels([0, 1], 1)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: y[0] = 0 is not a label for one output: expected -1 or +1 (...)
    """
    for i, t in enumerate(y):
        if n_outputs == 1:
            if isinstance(t, bool) or t not in (-1, 1):
                hint = " (for 0/1 labels use [2 * t - 1 for t in y])" if t in (0, 1) else ""
                raise ValueError(
                    f"y[{i}] = {t!r} is not a label for one output: expected -1 or +1{hint}"
                )
        elif isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < n_outputs:
            hint = (
                " (map names to indices: [class_names.index(t) for t in y])"
                if isinstance(t, str)
                else ""
            )
            raise ValueError(
                f"y[{i}] = {t!r} is not a label for {n_outputs} outputs:"
                f" expected a class index 0 .. {n_outputs - 1}{hint}"
            )


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
    if len(X) != len(y):
        raise ValueError(f"X and y differ in length: {len(X)} points but {len(y)} labels")
    if not X:
        raise ValueError("accuracy needs at least one point, got none")
    predictions = predict(model, X)
    with no_grad():
        n_outputs = len(_outputs(model(X[0])))
    check_labels(y, n_outputs)
    return sum(p == t for p, t in zip(predictions, y)) / len(y)
