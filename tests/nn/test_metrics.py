"""predict and accuracy, binary (+-1) and multiclass (argmax)."""

from __future__ import annotations

import pytest

from engine import is_grad_enabled
from nn import MLP, Layer, Neuron, accuracy, predict


def _linear(w: float, b: float = 0.0) -> Neuron:
    n = Neuron(1, activation="linear")
    n.w[0].data, n.b.data = w, b
    return n


def test_binary_prediction_is_the_sign_with_ties_positive() -> None:
    assert predict(_linear(1.0), [[-0.5], [0.0], [0.5]]) == [-1, 1, 1]


def test_multiclass_prediction_is_the_argmax_first_on_ties() -> None:
    layer = Layer(1, 3, activation="linear")
    for n, w in zip(layer.neurons, (1.0, -1.0, 1.0)):
        n.w[0].data = w
    assert predict(layer, [[2.0], [-2.0], [0.0]]) == [0, 1, 0]


def test_accuracy_is_the_notes_formula() -> None:
    # (1/m) sum [sgn(w . f(x)) == y]: 3 of 5 right.
    model = _linear(1.0, b=-1.0)
    X = [[0.0], [2.0], [3.0], [0.5], [-4.0]]
    y = [-1, 1, -1, 1, -1]
    expected = sum((1 if x[0] - 1.0 >= 0 else -1) == t for x, t in zip(X, y)) / len(y)
    assert expected == 0.6
    assert accuracy(model, X, y) == expected


def test_accuracy_for_multiclass_models() -> None:
    model = MLP(2, [4, 3], seed=3)
    X = [[0.1, 0.2], [1.0, -1.0], [-0.5, 0.7], [2.0, 2.0]]
    preds = predict(model, X)
    y = [preds[0], preds[1], (preds[2] + 1) % 3, preds[3]]
    assert accuracy(model, X, y) == 0.75


def test_prediction_does_not_record_a_graph() -> None:
    seen = []

    class Spy(Neuron):
        def forward(self, x: list[float]) -> object:  # type: ignore[override]
            seen.append(is_grad_enabled())
            return super().forward(x)

    predict(Spy(1), [[1.0]])
    assert seen == [False]
    assert is_grad_enabled()


def test_accuracy_explains_zero_one_labels_for_one_output() -> None:
    with pytest.raises(ValueError, match=r"y\[0\] = 0 .* expected -1 or \+1 \(for 0/1 labels"):
        accuracy(_linear(1.0), [[1.0], [2.0]], [0, 1])


def test_accuracy_explains_string_labels_for_many_outputs() -> None:
    with pytest.raises(ValueError, match=r"y\[0\] = 'setosa' .*class_names\.index"):
        accuracy(MLP(1, [3]), [[1.0]], ["setosa"])  # type: ignore[list-item]


def test_accuracy_rejects_out_of_range_class() -> None:
    with pytest.raises(ValueError, match=r"y\[1\] = 3 .* 0 \.\. 2"):
        accuracy(MLP(1, [3]), [[1.0], [2.0]], [0, 3])


def test_accuracy_rejects_length_mismatch_and_empty_data() -> None:
    with pytest.raises(ValueError, match="2 points but 1 labels"):
        accuracy(_linear(1.0), [[1.0], [2.0]], [1])
    with pytest.raises(ValueError, match="X is empty"):
        accuracy(_linear(1.0), [], [])
