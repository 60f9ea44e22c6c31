"""The multiclass perceptron: the notes' example, the tie rule, iris, any labels."""

from __future__ import annotations

import warnings
from collections.abc import Hashable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nn.data import blobs, train_test_split
from nn.data.files import iris
from nn.perceptron import ConvergenceWarning, MulticlassPerceptron, NotFittedError

# The notes' example: f(x) = [-2, 3, 1] and one weight row per class 0, 1, 2.
F_NOTES = [-2.0, 3.0, 1.0]
W_NOTES = [[-2.0, 2.0, 1.0], [0.0, 3.0, 4.0], [1.0, 4.0, -2.0]]


def notes_step(true_class: int = 2) -> MulticlassPerceptron:
    model = MulticlassPerceptron(
        bias=False, initial_weights=W_NOTES, classes=[0, 1, 2], max_epochs=1
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit([F_NOTES], [true_class])


def textbook_multiclass(
    X: list[list[float]], y: list[int], k: int, epochs: int
) -> list[list[list[float]]]:
    """The notes' multiclass rule in plain Python (bias first, zero start, first max wins)."""
    W = [[0.0] * (len(X[0]) + 1) for _ in range(k)]
    history = []
    for _ in range(epochs):
        mistakes = 0
        for x, target in zip(X, y):
            f = [1.0, *x]
            scores = [sum(w * v for w, v in zip(row, f)) for row in W]
            guess = scores.index(max(scores))
            if guess != target:
                mistakes += 1
                W[target] = [w + v for w, v in zip(W[target], f)]
                W[guess] = [w - v for w, v in zip(W[guess], f)]
            history.append([list(row) for row in W])
        if mistakes == 0:
            break
    return history


# ------------------------------------------------------------------ golden (the notes)


def test_notes_example_scores_11_13_8_and_predicts_class_1() -> None:
    step = notes_step().trace_[0]
    assert step.scores == (11.0, 13.0, 8.0)
    assert step.predicted == 1
    assert not step.correct


def test_notes_example_update_rewards_true_class_and_punishes_predicted() -> None:
    m = notes_step(true_class=2)
    assert m.weights_[0] == W_NOTES[0]
    assert m.weights_[1] == [2.0, 0.0, 3.0]
    assert m.weights_[2] == [-1.0, 7.0, -1.0]


def test_notes_example_as_a_table_shows_each_class_score_and_update() -> None:
    lines = notes_step().format_trace().splitlines()
    assert lines[0].split() == ["step", "class", "weights", "score", "correct?", "update"]
    assert "-2*(-2) + 2*3 + 1*1 = 11" in lines[2] and lines[2].split()[-2:] == ["no", "none"]
    assert "0*(-2) + 3*3 + 4*1 = 13 <- predicted" in lines[3]
    assert lines[3].endswith("-[-2, 3, 1]")
    assert "1*(-2) + 4*3 + -2*1 = 8 (true)" in lines[4]
    assert lines[4].endswith("+[-2, 3, 1]")
    assert [line.split(maxsplit=1)[-1] for line in lines[6:]] == [
        "[2, 0, 3]",
        "[-1, 7, -1]",
    ] and lines[5].split()[:2] == ["2", "0"]


def test_a_correct_prediction_changes_nothing() -> None:
    m = notes_step(true_class=1)
    assert m.converged_ and m.trace_[0].correct
    assert m.weights_ == W_NOTES


# ------------------------------------------------------------------ the algorithm


def test_ties_go_to_the_first_class_so_zero_weights_predict_classes_0() -> None:
    m = MulticlassPerceptron(max_epochs=1)
    with pytest.warns(ConvergenceWarning):
        m.fit([[1.0], [2.0], [3.0]], ["c", "b", "a"])
    first = m.trace_[0]
    assert first.scores == (0.0, 0.0, 0.0) and first.predicted == "a"
    assert first.weights_after == ((-1.0, -1.0), (0.0, 0.0), (1.0, 1.0))


@given(
    points=st.lists(
        st.tuples(st.integers(-4, 4), st.integers(-4, 4), st.integers(0, 2)),
        min_size=3,
        max_size=10,
    )
)
def test_multiclass_matches_a_textbook_reference_weight_for_weight(
    points: list[tuple[int, int, int]],
) -> None:
    X = [[float(a), float(b)] for a, b, _ in points]
    y = [c for _, _, c in points]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m = MulticlassPerceptron(classes=[0, 1, 2], max_epochs=4).fit(X, y)
    expected = textbook_multiclass(X, y, 3, epochs=4)
    assert [[list(row) for row in s.weights_after] for s in m.trace_] == expected


def test_multiclass_converges_on_separable_clusters_and_scores_them_all() -> None:
    X, y = blobs(60, seed=2)
    labels = ["neg" if t < 0 else "pos" for t in y]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        m = MulticlassPerceptron().fit(X, labels)
    assert m.converged_ and m.score(X, labels) == 1.0
    assert m.classes_ == ("neg", "pos")


def test_iris_test_accuracy_with_a_fixed_seed_split() -> None:
    X, y, names = iris()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.3, seed=0)
    m = MulticlassPerceptron().fit(X_train, y_train)
    assert m.classes_ == tuple(names)
    assert m.score(X_train, y_train) == 1.0  # this training part is separable
    assert m.score(X_test, y_test) >= 0.9
    assert set(m.predict(X_test)) <= set(names)


def test_averaged_multiclass_uses_the_mean_of_all_visited_weights() -> None:
    X = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.5, 0.2]]
    y = [0, 1, 2, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m = MulticlassPerceptron(average=True, max_epochs=3).fit(X, y)
    history = textbook_multiclass(X, y, 3, epochs=3)
    mean = [[sum(h[c][j] for h in history) / len(history) for j in range(3)] for c in range(3)]
    for got, want in zip(m.weights_, mean):
        assert got == pytest.approx(want, rel=1e-12, abs=1e-12)


# ------------------------------------------------------------------ labels and API


def test_any_hashable_labels_work_and_come_back_from_predict() -> None:
    X = [[0.0], [5.0], [10.0]]
    cases: list[tuple[list[Hashable], tuple[Hashable, ...]]] = [
        (["x", "z", "y"], ("x", "y", "z")),
        ([(1, "a"), (2, "b"), (3, "c")], ((1, "a"), (2, "b"), (3, "c"))),
        ([10, -3, 7], (-3, 7, 10)),
    ]
    for labels, classes in cases:
        m = MulticlassPerceptron(max_epochs=500).fit(X, labels)
        assert m.predict(X) == labels
        assert m.classes_ == classes


def test_labels_that_cannot_be_sorted_keep_their_first_appearance_order() -> None:
    labels: list[Hashable] = ["b", 1, "b", None]
    m = MulticlassPerceptron(max_epochs=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m.fit([[0.0], [1.0], [2.0], [3.0]], labels)
    assert m.classes_ == ("b", 1, None)


def test_declared_classes_fix_the_row_order() -> None:
    m = notes_step()
    assert m.classes_ == (0, 1, 2)
    m2 = MulticlassPerceptron(classes=["z", "a"], max_epochs=50).fit([[1.0], [-1.0]], ["a", "z"])
    assert m2.classes_ == ("z", "a") and m2.predict([[1.0], [-1.0]]) == ["a", "z"]


def test_scores_are_the_matrix_vector_product_and_drawable_dot_nodes() -> None:
    m = notes_step()
    W, f = m.weights_, F_NOTES
    by_hand = [sum(w * v for w, v in zip(row, f)) for row in W]
    assert m.decision_function([f]) == [by_hand]
    scores = m.activation(f)
    assert [s.op for s in scores] == ["dot"] * 3 and [s.data for s in scores] == by_hand
    scores[2].backward()
    assert [w.grad for w in m.parameters()[6:]] == f
    assert len(m.parameters()) == 9


def test_unfitted_multiclass_names_the_remedy() -> None:
    with pytest.raises(NotFittedError, match="This MulticlassPerceptron is not fitted yet"):
        MulticlassPerceptron().predict([[1.0]])
    assert not hasattr(MulticlassPerceptron(), "classes_")
