"""Bad input to the perceptrons raises a specific error that names the problem."""

from __future__ import annotations

import math
from typing import Any

import pytest

from nn.data import seed_example
from nn.perceptron import MulticlassPerceptron, Perceptron

X_OK, Y_OK = seed_example()


@pytest.mark.parametrize(
    ("X", "y", "error", "message"),
    [
        ([], [], ValueError, r"X is empty"),
        ([[1.0], [2.0]], [1], ValueError, r"2 rows in X but 1 labels in y"),
        ([[1.0], [2.0, 3.0]], [1, -1], ValueError, r"X\[1\] has 2 features but X\[0\] has 1"),
        ([[1.0], [math.nan]], [1, -1], ValueError, r"X\[1\]\[0\] must be finite, got nan"),
        ([[1.0], [math.inf]], [1, -1], ValueError, r"X\[1\]\[0\] must be finite, got inf"),
        (
            [[1.0], ["2"]],
            [1, -1],
            TypeError,
            r"X\[1\]\[0\] must be a real number .int or float., got '2'",
        ),
        (
            [[1.0], [True]],
            [1, -1],
            TypeError,
            r"X\[1\]\[0\] must be a real number .int or float., got True",
        ),
        (
            [[1.0], [None]],
            [1, -1],
            TypeError,
            r"X\[1\]\[0\] must be a real number .int or float., got None",
        ),
        ([[1.0], 2.0], [1, -1], TypeError, r"X\[1\] must be a sequence of numbers, got 2.0"),
        ("ab", [1, -1], TypeError, r"X must be a sequence of rows, got 'ab'"),
        ([[], []], [1, -1], ValueError, r"rows with no features"),
        ([[1.0], [2.0]], [0, 1], ValueError, r"labels must be \+1 or -1, got y\[0\] = 0"),
        ([[1.0], [2.0]], [1, "b"], ValueError, r"got y\[1\] = 'b'"),
        ([[1.0], [2.0]], [True, -1], ValueError, r"got y\[0\] = True"),
        ([[1.0], [2.0]], [1, 1], ValueError, r"single class \(\+1\)"),
    ],
)
def test_perceptron_fit_rejects_bad_data(X: Any, y: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        Perceptron().fit(X, y)


@pytest.mark.parametrize(
    ("X", "y", "error", "message"),
    [
        ([], [], ValueError, r"X is empty"),
        ([[1.0], [2.0]], ["a"], ValueError, r"2 rows in X but 1 labels in y"),
        ([[1.0], [math.nan]], ["a", "b"], ValueError, r"X\[1\]\[0\] must be finite"),
        ([[1.0], [2.0]], ["a", "a"], ValueError, r"single class \('a'\)"),
        ([[1.0], [2.0]], ["a", ["b"]], TypeError, r"y\[1\] = \['b'\] cannot be a class label"),
        ([[1.0], [2.0]], [1.0, math.nan], ValueError, r"y\[1\] is NaN"),
    ],
)
def test_multiclass_fit_rejects_bad_data(X: Any, y: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        MulticlassPerceptron().fit(X, y)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"max_epochs": 0}, ValueError, r"Invalid max_epochs: 0 \(expected an int >= 1\)"),
        ({"max_epochs": 2.5}, TypeError, r"Invalid max_epochs: 2.5"),
        ({"max_epochs": True}, TypeError, r"Invalid max_epochs: True"),
        ({"seed": "x"}, TypeError, r"Invalid seed: 'x' \(expected an int\)"),
        ({"bias": 1}, TypeError, r"Invalid bias: 1 \(expected True or False\)"),
        ({"shuffle": "yes"}, TypeError, r"Invalid shuffle: 'yes'"),
        ({"average": None}, TypeError, r"Invalid average: None"),
        ({"initial_weights": []}, ValueError, r"initial_weights is empty"),
        ({"initial_weights": [1.0, math.nan]}, ValueError, r"initial_weights\[1\] must be finite"),
        ({"initial_weights": "abc"}, TypeError, r"initial_weights must be a sequence"),
        ({"solver": "adam"}, ValueError, r"Invalid solver: 'adam' \(expected 'rule' or 'sgd'\)"),
    ],
)
def test_perceptron_rejects_bad_options(kwargs: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        Perceptron(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"initial_weights": [[1.0, 2.0]]}, ValueError, r"1 row\(s\): it needs one row per class"),
        ({"initial_weights": [[1.0], [1.0, 2.0]]}, ValueError, r"initial_weights\[1\] has 2"),
        ({"initial_weights": [[1.0], ["a"]]}, TypeError, r"initial_weights\[1\]\[0\]"),
        ({"initial_weights": 3}, TypeError, r"initial_weights must be a sequence of weight rows"),
        ({"classes": ["a"]}, ValueError, r"classes needs at least two labels"),
        ({"classes": ["a", "a"]}, ValueError, r"classes must not repeat a label"),
        ({"max_epochs": -1}, ValueError, r"Invalid max_epochs: -1"),
    ],
)
def test_multiclass_rejects_bad_options(kwargs: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        MulticlassPerceptron(**kwargs)


def test_initial_weights_of_the_wrong_length_name_what_is_needed() -> None:
    with pytest.raises(ValueError, match=r"initial_weights has 2 numbers but the model needs 3"):
        Perceptron(initial_weights=[0.0, 0.0]).fit(X_OK, Y_OK)


def test_multiclass_initial_weights_of_the_wrong_shape_name_the_classes() -> None:
    with pytest.raises(ValueError, match=r"needs 3 rows \(one per class in \('a', 'b', 'c'\)\)"):
        MulticlassPerceptron(initial_weights=[[0.0, 0.0], [0.0, 0.0]]).fit(
            [[1.0], [2.0], [3.0]], ["a", "b", "c"]
        )


def test_labels_outside_the_declared_classes_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"y\[1\] = 'z' is not one of the classes"):
        MulticlassPerceptron(classes=["a", "b"]).fit([[1.0], [2.0]], ["a", "z"])


@pytest.mark.parametrize("model", [Perceptron, MulticlassPerceptron])
def test_predicting_with_the_wrong_number_of_features_says_how_many(model: Any) -> None:
    fitted = model(max_epochs=1000).fit(X_OK, Y_OK)
    with pytest.raises(ValueError, match=r"X has 3 features per row, but the model was fitted"):
        fitted.predict([[1.0, 2.0, 3.0]])
    with pytest.raises(TypeError, match=r"x must be one sample"):
        fitted.activation(1.0)


def test_score_rejects_labels_of_another_length() -> None:
    p = Perceptron(max_epochs=1000).fit(X_OK, Y_OK)
    with pytest.raises(ValueError, match=r"5 rows in X but 2 labels in y"):
        p.score(X_OK, Y_OK[:2])
    m = MulticlassPerceptron(max_epochs=1000).fit(X_OK, Y_OK)
    with pytest.raises(ValueError, match=r"5 rows in X but 2 labels in y"):
        m.score(X_OK, Y_OK[:2])
