"""partial_fit (training in steps) and the scikit-learn names coef_ and intercept_."""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from typing import Any

import pytest

from nn.data import blobs, seed_example, spiral, xor
from nn.data.files import iris
from nn.perceptron import (
    ConvergenceWarning,
    MulticlassPerceptron,
    NotFittedError,
    Perceptron,
    PerceptronStep,
)


def fit_quietly(model: Any, X: Any, y: Any) -> Any:
    """`model.fit(X, y)`, ignoring the ConvergenceWarning of a run cut short."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def moves(trace: list[PerceptronStep]) -> list[tuple[object, ...]]:
    """What each visit saw and did, without where it was counted (epoch, row index)."""
    return [(s.step, s.weights, s.score, s.predicted, s.update, s.weights_after) for s in trace]


# ------------------------------------------------------------ one sample at a time


@pytest.mark.parametrize(
    ("data", "start"),
    [(seed_example(), [-1.0, 0.0, 0.0]), (seed_example(), None), (blobs(30, seed=2), None)],
    ids=["notes-pass", "notes-zero-start", "blobs"],
)
def test_partial_fit_one_sample_at_a_time_equals_one_pass_of_fit(
    data: tuple[list[list[float]], list[int]], start: list[float] | None
) -> None:
    X, y = data
    one_pass = fit_quietly(Perceptron(initial_weights=start, max_epochs=1), X, y)
    stepped = Perceptron(initial_weights=start)
    for x, label in zip(X, y):
        stepped.partial_fit([x], [label])
    assert stepped.weights_ == one_pass.weights_
    assert moves(stepped.trace_) == moves(one_pass.trace_)
    assert stepped.n_iter_ == len(X)  # each call is one (tiny) pass
    assert [s.epoch for s in stepped.trace_] == list(range(1, len(X) + 1))


def test_partial_fit_reproduces_the_notes_table() -> None:
    X, y = seed_example()
    p = Perceptron(initial_weights=[-1, 0, 0])
    for x, label in zip(X, y):
        p.partial_fit([x], [label])
    assert [s.score for s in p.trace_] == [-1.0, -1.0, 14.0, 17.0, 12.0]
    assert [s.update_text for s in p.trace_] == ["none", "+[1, 3, 2]", "none", "none", "-[1, 2, 3]"]
    assert p.weights_ == [-1.0, 1.0, -1.0]


# ------------------------------------------------------------------ whole passes

BINARY_OPTIONS: list[dict[str, Any]] = [
    {"initial_weights": [-1, 0, 0]},
    {},
    {"shuffle": True, "seed": 3},
    {"average": True},
    {"average": True, "shuffle": True, "seed": 1},
    {"solver": "sgd", "initial_weights": [-1, 0, 0]},
    {"bias": False},
]


@pytest.mark.parametrize("options", BINARY_OPTIONS, ids=lambda o: ",".join(o) or "default")
@pytest.mark.parametrize("data", ["notes", "xor"])
def test_repeated_partial_fit_passes_retrace_fit(options: dict[str, Any], data: str) -> None:
    X, y = seed_example() if data == "notes" else xor(20, seed=0)
    fitted = fit_quietly(Perceptron(max_epochs=12, **options), X, y)
    stepped = Perceptron(max_epochs=12, **options)
    for _ in range(fitted.n_iter_):
        stepped.partial_fit(X, y)
    assert stepped.trace_ == fitted.trace_  # every visit: epoch, row, weights, score, update
    assert stepped.weights_ == fitted.weights_
    assert (stepped.n_iter_, stepped.converged_) == (fitted.n_iter_, fitted.converged_)


def textbook_weights(X: list[list[float]], y: list[int], passes: int) -> list[list[float]]:
    """The notes' rule in plain Python from zero weights: the weights after every visit."""
    w = [0.0] * (len(X[0]) + 1)
    history = []
    for _ in range(passes):
        for x, target in zip(X, y):
            f = [1.0, *x]
            if (1 if sum(a * b for a, b in zip(w, f)) >= 0 else -1) != target:
                w = [a + target * b for a, b in zip(w, f)]
            history.append(w)
    return history


@pytest.mark.parametrize("passes", [1, 2, 5])
def test_partial_fit_passes_match_a_textbook_perceptron(passes: int) -> None:
    X, y = xor(12, seed=1)  # not separable: every pass makes mistakes
    history = textbook_weights(X, y, passes)
    plain, averaged = Perceptron(), Perceptron(average=True)
    for _ in range(passes):
        plain.partial_fit(X, y)
        averaged.partial_fit(X, y)
    assert plain.weights_ == history[-1]
    # The averaged perceptron predicts with the mean of the weights after every visit,
    # while it keeps training from the unaveraged ones.
    mean = [sum(col) / len(history) for col in zip(*history)]
    assert averaged.weights_ == pytest.approx(mean, abs=1e-12)
    assert [s.weights_after for s in averaged.trace_] == [tuple(w) for w in history]


def test_partial_fit_keeps_the_tie_rule_of_fit() -> None:
    # From zero weights every score is 0: a positive point counts as right, a negative
    # one as a mistake, exactly as in fit.
    p = Perceptron().partial_fit([[1.0, 2.0]], [1])
    assert p.trace_[0].score == 0.0 and p.trace_[0].correct
    assert p.weights_ == [0.0, 0.0, 0.0]
    p.partial_fit([[1.0, 2.0]], [-1])
    assert not p.trace_[1].correct and p.weights_ == [-1.0, -1.0, -2.0]


def test_partial_fit_after_fit_continues_from_the_fitted_weights() -> None:
    X, y = seed_example()
    p = fit_quietly(Perceptron(initial_weights=[-1, 0, 0], max_epochs=1), X, y)
    p.partial_fit(X, y)
    assert p.trace_[5].weights == (-1.0, 1.0, -1.0)
    assert p.n_iter_ == 2 and len(p.trace_) == 10
    two = fit_quietly(Perceptron(initial_weights=[-1, 0, 0], max_epochs=2), X, y)
    assert p.weights_ == two.weights_


def test_fit_after_partial_fit_starts_again() -> None:
    X, y = seed_example()
    p = Perceptron(initial_weights=[-1, 0, 0]).partial_fit(X, y).partial_fit(X, y)
    fit_quietly(p, X, y)
    assert p.trace_[0].weights == (-1.0, 0.0, 0.0) and p.trace_[0].epoch == 1


def test_partial_fit_does_not_warn_about_convergence() -> None:
    X, y = seed_example()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = Perceptron().partial_fit(X, y)
    assert not p.converged_


def test_multiclass_repeated_partial_fit_retraces_fit_on_iris() -> None:
    X, y, names = iris()
    options: dict[str, Any] = {"max_epochs": 6, "shuffle": True, "seed": 2, "average": True}
    fitted = fit_quietly(MulticlassPerceptron(**options), X, y)
    stepped = MulticlassPerceptron(**options)
    for _ in range(6):
        stepped.partial_fit(X, y, classes=names)
    assert stepped.trace_ == fitted.trace_
    assert stepped.weights_ == fitted.weights_
    assert stepped.classes_ == fitted.classes_ == tuple(names)


def test_multiclass_partial_fit_one_sample_at_a_time_equals_one_pass() -> None:
    X, y = spiral(5, classes=3, seed=4)
    one_pass = fit_quietly(MulticlassPerceptron(max_epochs=1), X, y)
    stepped = MulticlassPerceptron(classes=[0, 1, 2])
    for x, label in zip(X, y):
        stepped.partial_fit([x], [label])
    assert stepped.weights_ == one_pass.weights_
    assert [s.scores for s in stepped.trace_] == [s.scores for s in one_pass.trace_]


def test_multiclass_partial_fit_makes_the_notes_update() -> None:
    W = [[-2, 2, 1], [0, 3, 4], [1, 4, -2]]
    m = MulticlassPerceptron(bias=False, initial_weights=W)
    m.partial_fit([[-2, 3, 1]], [2], classes=[0, 1, 2])
    assert m.trace_[0].scores == (11.0, 13.0, 8.0)
    assert m.weights_ == [[-2.0, 2.0, 1.0], [2.0, 0.0, 3.0], [-1.0, 7.0, -1.0]]


# ------------------------------------------------------------------------ errors


def test_partial_fit_rejects_a_different_feature_count() -> None:
    p = Perceptron().partial_fit([[1.0, 2.0]], [1])
    with pytest.raises(ValueError, match="3 features per row, but the model was fitted with 2"):
        p.partial_fit([[1.0, 2.0, 3.0]], [1])
    m = MulticlassPerceptron().partial_fit([[1.0]], ["a"], classes=["a", "b"])
    with pytest.raises(ValueError, match="2 features per row, but the model was fitted with 1"):
        m.partial_fit([[1.0, 2.0]], ["a"])


@pytest.mark.parametrize("label", [0, 2, "+1"])
def test_binary_partial_fit_rejects_labels_other_than_plus_or_minus_one(label: object) -> None:
    p = Perceptron().partial_fit([[1.0]], [1])
    with pytest.raises(ValueError, match="labels must be \\+1 or -1"):
        p.partial_fit([[1.0]], [label])  # type: ignore[list-item]
    assert len(p.trace_) == 1  # nothing was visited


def test_multiclass_partial_fit_rejects_an_unknown_class() -> None:
    m = MulticlassPerceptron().partial_fit([[1.0]], ["a"], classes=["a", "b"])
    with pytest.raises(ValueError, match="y\\[1\\] = 'c' is not one of the classes"):
        m.partial_fit([[1.0], [2.0]], ["b", "c"])
    with pytest.raises(ValueError, match="is not one of the classes"):
        MulticlassPerceptron().partial_fit([[1.0]], ["z"], classes=["a", "b"])
    assert len(m.trace_) == 1


def test_multiclass_first_partial_fit_needs_the_classes() -> None:
    with pytest.raises(ValueError, match="needs every class label up front: pass classes="):
        MulticlassPerceptron().partial_fit([[1.0]], ["a"])
    m = MulticlassPerceptron(classes=["a", "b"]).partial_fit([[1.0]], ["a"])
    assert m.classes_ == ("a", "b")


def test_multiclass_partial_fit_rejects_other_classes_later() -> None:
    m = MulticlassPerceptron().partial_fit([[1.0]], ["a"], classes=["a", "b"])
    m.partial_fit([[1.0]], ["b"], classes=["a", "b"])  # repeating them is fine
    with pytest.raises(ValueError, match="differs from the classes fixed by the first call"):
        m.partial_fit([[1.0]], ["b"], classes=["a", "b", "c"])


# -------------------------------------------------------------- coef_, intercept_


def test_coef_and_intercept_split_weights_with_the_bias_first() -> None:
    p = Perceptron(initial_weights=[-1, 0, 0]).partial_fit(*seed_example())
    assert p.weights_ == [-1.0, 1.0, -1.0]
    assert p.intercept_ == [-1.0]
    assert p.coef_ == [[1.0, -1.0]]
    assert p.decision_function([[2.0, 5.0]]) == [p.intercept_[0] + 1.0 * 2.0 - 1.0 * 5.0]


def test_coef_and_intercept_without_bias() -> None:
    p = Perceptron(bias=False, initial_weights=[2, -2]).partial_fit([[1, 2]], [1])
    assert p.weights_ == [3.0, 0.0]
    assert p.coef_ == [[3.0, 0.0]] and p.intercept_ == [0.0]


def test_multiclass_coef_and_intercept_are_the_columns_of_weights() -> None:
    X, y, names = iris()
    m = fit_quietly(MulticlassPerceptron(max_epochs=3), X, y)
    assert m.intercept_ == [row[0] for row in m.weights_]
    assert m.coef_ == [row[1:] for row in m.weights_]
    assert len(m.coef_) == len(names) and len(m.coef_[0]) == 4


@pytest.mark.parametrize("name", ["coef_", "intercept_"])
def test_coef_and_intercept_are_read_only(name: str) -> None:
    p = Perceptron().partial_fit([[1.0]], [1])
    with pytest.raises(AttributeError):
        setattr(p, name, [[0.0]])
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(Perceptron(), name)
    m: MulticlassPerceptron = MulticlassPerceptron()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(m, name)


def test_labels_may_be_any_hashable_in_partial_fit() -> None:
    classes: list[Hashable] = [("t", 1), None, 3.5]
    m = MulticlassPerceptron().partial_fit([[0.0], [1.0]], [None, 3.5], classes=classes)
    assert m.classes_ == tuple(classes)
