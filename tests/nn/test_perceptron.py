"""The binary perceptron: the notes' worked pass, convergence, and a textbook reference."""

from __future__ import annotations

import random
import subprocess
import sys
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import Value, is_grad_enabled
from nn.data import blobs, seed_example, xor
from nn.features import polynomial_features
from nn.perceptron import ConvergenceWarning, NotFittedError, Perceptron

# The notes' "Single Perceptron Update Pass", row by row: weights before the step,
# the score as written out, whether the prediction was right, and the update.
NOTES_PASS = [
    ([-1, 0, 0], "-1*1 + 0*1 + 0*1 = -1", True, "none"),
    ([-1, 0, 0], "-1*1 + 0*3 + 0*2 = -1", False, "+[1, 3, 2]"),
    ([0, 3, 2], "0*1 + 3*2 + 2*4 = 14", True, "none"),
    ([0, 3, 2], "0*1 + 3*3 + 2*4 = 17", True, "none"),
    ([0, 3, 2], "0*1 + 3*2 + 2*3 = 12", False, "-[1, 2, 3]"),
]


def one_notes_pass() -> Perceptron:
    X, y = seed_example()
    with pytest.warns(ConvergenceWarning):
        return Perceptron(initial_weights=[-1, 0, 0], max_epochs=1).fit(X, y)


def textbook_perceptron(
    X: list[list[float]], y: list[int], w: list[float], epochs: int
) -> list[list[float]]:
    """The algorithm of the notes in plain Python: returns the weights after every visit."""
    history = []
    for _ in range(epochs):
        mistakes = 0
        for x, target in zip(X, y):
            f = [1.0, *x]
            activation = sum(wi * fi for wi, fi in zip(w, f))
            guess = 1 if activation >= 0 else -1
            if guess != target:
                mistakes += 1
                w = [wi + target * fi for wi, fi in zip(w, f)]
            history.append(list(w))
        if mistakes == 0:
            break
    return history


# ------------------------------------------------------------------ golden (the notes)


def test_one_pass_reproduces_the_notes_table_row_by_row() -> None:
    p = one_notes_pass()
    rows = [(list(s.weights), s.computation, s.correct, s.update_text) for s in p.trace_]
    assert rows == NOTES_PASS


def test_one_pass_scores_updates_and_final_weights_match_the_notes() -> None:
    p = one_notes_pass()
    assert [s.score for s in p.trace_] == [-1, -1, 14, 17, 12]
    assert [s.update for s in p.trace_] == [None, (1, 3, 2), None, None, (-1, -2, -3)]
    assert p.weights_ == [-1, 1, -1]
    assert p.n_iter_ == 1
    assert not p.converged_


def test_format_trace_prints_the_notes_columns_and_final_weights() -> None:
    lines = one_notes_pass().format_trace().splitlines()
    assert lines[0].split() == ["step", "weights", "score", "correct?", "update"]
    for line, (step, (weights, score, correct, update)) in zip(
        lines[2:], enumerate(NOTES_PASS, start=1)
    ):
        expected = f"{step} {weights} {score} {'yes' if correct else 'no'} {update}"
        assert " ".join(line.split()) == " ".join(expected.split())
    assert lines[-1].split() == ["6", "[-1,", "1,", "-1]"]


def test_training_to_convergence_classifies_the_notes_set_correctly() -> None:
    X, y = seed_example()
    p = Perceptron(max_epochs=1000).fit(X, y)
    assert p.converged_
    assert p.predict(X) == y
    assert p.score(X, y) == 1.0
    last_pass = [s for s in p.trace_ if s.epoch == p.n_iter_]
    assert len(last_pass) == len(X) and all(s.correct and s.update is None for s in last_pass)


# ------------------------------------------------------------------ the algorithm


def test_weights_start_at_zero_and_the_first_tie_counts_as_positive() -> None:
    p = Perceptron(max_epochs=1)
    with pytest.warns(ConvergenceWarning):
        p.fit([[2.0], [-1.0]], [-1, 1])
    first = p.trace_[0]
    assert first.weights == (0.0, 0.0)
    assert first.score == 0.0 and first.predicted == 1 and not first.correct
    assert first.update == (-1.0, -2.0)


def test_updates_are_exactly_label_times_features_on_float_data() -> None:
    X, y = [[0.1, 0.7], [0.2, -0.3], [-0.4, 0.25]], [1, -1, 1]
    p = Perceptron(initial_weights=[0.1, 0.2, -0.3], max_epochs=200).fit(X, y)
    for s in p.trace_:
        expected = None if s.correct else tuple(s.target * v for v in s.features)
        assert s.update == expected


def test_predict_counts_a_zero_activation_as_positive() -> None:
    p = Perceptron(initial_weights=[1.0, -1.0], max_epochs=1).fit([[0.0], [2.0]], [1, -1])
    assert p.decision_function([[1.0]]) == [0.0]
    assert p.predict([[1.0]]) == [1]


def test_perceptron_matches_a_textbook_reference_weight_for_weight() -> None:
    X, y = xor(40, seed=3)
    with pytest.warns(ConvergenceWarning):
        p = Perceptron(max_epochs=7).fit(X, y)
    expected = textbook_perceptron(X, y, [0.0, 0.0, 0.0], epochs=7)
    assert [list(s.weights_after) for s in p.trace_] == expected
    assert p.weights_ == expected[-1]


@given(
    points=st.lists(
        st.tuples(st.integers(-5, 5), st.integers(-5, 5), st.sampled_from([-1, 1])),
        min_size=2,
        max_size=12,
    ),
    start=st.lists(st.integers(-3, 3), min_size=3, max_size=3),
)
def test_perceptron_agrees_with_the_textbook_reference_on_any_data(
    points: list[tuple[int, int, int]], start: list[int]
) -> None:
    X = [[float(a), float(b)] for a, b, _ in points]
    y = [t for _, _, t in points]
    if len(set(y)) < 2:
        y[0] = -y[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        p = Perceptron(initial_weights=start, max_epochs=5).fit(X, y)
    expected = textbook_perceptron(X, y, [float(s) for s in start], epochs=5)
    assert [list(s.weights_after) for s in p.trace_] == expected


def test_perceptron_converges_on_separable_blobs() -> None:
    X, y = blobs(100, seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        p = Perceptron().fit(X, y)
    assert p.converged_ and p.score(X, y) == 1.0
    assert p.n_iter_ == max(s.epoch for s in p.trace_)


def test_perceptron_on_xor_does_not_converge_and_says_so() -> None:
    X, y = xor(40, seed=0)
    with pytest.warns(ConvergenceWarning, match=r"did not converge in max_epochs=30"):
        p = Perceptron(max_epochs=30).fit(X, y)
    assert not p.converged_
    assert p.n_iter_ == 30
    assert p.score(X, y) < 1.0


def test_a_squared_feature_separates_a_class_sitting_between_the_other() -> None:
    # One dimension: the positives sit in the middle, the negatives on both sides.
    X = [[-3.0], [-2.5], [-2.0], [-0.5], [0.0], [0.5], [1.0], [2.0], [2.5], [3.0]]
    y = [-1, -1, -1, 1, 1, 1, 1, -1, -1, -1]
    with pytest.warns(ConvergenceWarning):
        linear = Perceptron(max_epochs=50).fit(X, y)
    assert linear.score(X, y) < 1.0
    F = polynomial_features(X, degree=2)
    curved = Perceptron(max_epochs=200).fit(F, y)
    assert curved.converged_ and curved.predict(F) == y
    assert curved.weights_[2] < 0  # the x^2 weight opens the parabola downwards


def test_bias_false_draws_boundaries_through_the_origin() -> None:
    p = Perceptron(bias=False, initial_weights=[-1.0, 0.0], max_epochs=1).fit(
        [[1.0, 1.0], [-1.0, 2.0]], [-1, 1]
    )
    assert len(p.weights_) == 2
    assert p.trace_[0].features == (1.0, 1.0)
    assert p.decision_function([[0.0, 0.0]]) == [0.0]


def test_shuffle_is_seeded_and_visits_every_sample_each_pass() -> None:
    X, y = blobs(20, seed=1)
    a = Perceptron(shuffle=True, seed=5).fit(X, y)
    b = Perceptron(shuffle=True, seed=5).fit(X, y)
    assert a.trace_ == b.trace_
    for epoch in range(1, a.n_iter_ + 1):
        assert sorted(s.index for s in a.trace_ if s.epoch == epoch) == list(range(20))
    orders = {
        tuple(s.index for s in Perceptron(shuffle=True, seed=k).fit(X, y).trace_[:20])
        for k in range(4)
    }
    assert len(orders) > 1 and tuple(range(20)) not in orders


def test_averaged_perceptron_predicts_with_the_mean_of_all_visited_weights() -> None:
    X, y = xor(20, seed=2)
    with pytest.warns(ConvergenceWarning):
        p = Perceptron(average=True, max_epochs=4).fit(X, y)
    history = textbook_perceptron(X, y, [0.0, 0.0, 0.0], epochs=4)
    mean = [sum(col) / len(history) for col in zip(*history)]
    assert p.weights_ == pytest.approx(mean, rel=1e-12, abs=1e-12)
    assert list(p.trace_[-1].weights_after) == history[-1]


# ------------------------------------------------------------------ Values and graphs


def test_activation_is_one_dot_node_whose_weight_grads_are_the_features() -> None:
    p = one_notes_pass()
    a = p.activation([2.0, 4.0])
    assert isinstance(a, Value) and a.op == "dot"
    assert a.data == -1 * 1 + 1 * 2 + -1 * 4
    assert list(a.parents) == p.parameters()
    a.backward()
    assert [w.grad for w in p.parameters()] == [1.0, 2.0, 4.0]


def test_decision_function_matches_the_activation_graph_and_leaves_recording_on() -> None:
    X, y = blobs(10, seed=0)
    p = Perceptron().fit(X, y)
    assert p.decision_function(X) == [p.activation(x).data for x in X]
    assert is_grad_enabled()


def test_importing_perceptron_does_not_pull_in_heavy_packages() -> None:
    code = (
        "import sys, nn.perceptron; "
        "print(sorted(m for m in ('graphviz', 'matplotlib', 'hypothesis', 'tqdm')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------ estimator API


def test_fit_returns_self_and_repr_shows_changed_options() -> None:
    p = Perceptron(max_epochs=500, shuffle=True)
    X, y = seed_example()
    assert p.fit(X, y) is p
    assert repr(p) == "Perceptron(max_epochs=500, shuffle=True)"
    assert repr(Perceptron()) == "Perceptron()"


@pytest.mark.parametrize("name", ["weights_", "n_iter_", "converged_", "trace_"])
def test_learned_attributes_need_fit_first(name: str) -> None:
    with pytest.raises(NotFittedError, match=r"not fitted yet: call fit\(X, y\) first"):
        getattr(Perceptron(), name)
    assert not hasattr(Perceptron(), name)


@pytest.mark.parametrize(
    "call",
    [
        lambda p: p.predict([[1.0, 2.0]]),
        lambda p: p.decision_function([[1.0, 2.0]]),
        lambda p: p.score([[1.0, 2.0]], [1]),
        lambda p: p.activation([1.0, 2.0]),
        lambda p: p.format_trace(),
    ],
)
def test_using_an_unfitted_perceptron_raises_not_fitted(call: object) -> None:
    with pytest.raises(NotFittedError, match="This Perceptron is not fitted yet"):
        call(Perceptron())  # type: ignore[operator]


def test_score_is_mean_accuracy_even_on_a_one_class_test_set() -> None:
    X, y = seed_example()
    p = Perceptron(max_epochs=1000).fit(X, y)
    wrong = [-t for t in y]
    assert p.score(X, wrong) == 0.0
    assert p.score(X[1:4], y[1:4]) == 1.0


def test_same_seed_same_everything() -> None:
    rng = random.Random(0)
    X = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(30)]
    y = [1 if a - 0.3 * b > 0.1 else -1 for a, b in X]
    runs = [Perceptron(shuffle=True, seed=9, max_epochs=500).fit(X, y) for _ in range(2)]
    assert runs[0].weights_ == runs[1].weights_ and runs[0].trace_ == runs[1].trace_
