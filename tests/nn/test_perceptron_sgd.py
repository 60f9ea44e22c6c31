"""The bridge to gradient descent: SGD(lr=1) on the perceptron criterion is the classic rule."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from engine import Value, dot
from nn.data import seed_example
from nn.losses import perceptron_criterion
from nn.optim import SGD
from nn.perceptron import ConvergenceWarning, Perceptron


@st.composite
def separable_sets(draw: st.DrawFn) -> tuple[list[list[float]], list[int], list[float]]:
    """Integer points on both sides of a random line, and integer start weights.

    The line's offset sits half-way between two integer projections, so both classes
    occur. The bias weight of the start is a half-integer while every other weight
    and feature is an integer, and updates add integers, so no activation can ever
    be exactly 0: no ties, by construction.
    """
    a, b = draw(st.integers(-3, 3)), draw(st.integers(-3, 3))
    points = draw(
        st.lists(st.tuples(st.integers(-5, 5), st.integers(-5, 5)), min_size=2, max_size=12)
    )
    projections = [a * p + b * q for p, q in points]
    assume(min(projections) < max(projections))
    threshold = draw(st.integers(min(projections), max(projections) - 1)) + 0.5
    X = [[float(p), float(q)] for p, q in points]
    y = [1 if v > threshold else -1 for v in projections]
    start = [draw(st.integers(-3, 3)) + 0.5, draw(st.integers(-3, 3)), draw(st.integers(-3, 3))]
    return X, y, [float(w) for w in start]


def history(p: Perceptron) -> list[tuple[tuple[float, ...], tuple[float, ...]]]:
    return [(s.weights, s.weights_after) for s in p.trace_]


def sgd_by_hand(
    X: list[list[float]], y: list[int], start: list[float], epochs: int
) -> list[tuple[float, ...]]:
    """SGD(lr=1) on max(0, -y w.f(x)) written out with backward(), one sample at a time."""
    w = [Value(v) for v in start]
    opt = SGD(w, lr=1)
    out = []
    for _ in range(epochs):
        for x, target in zip(X, y):
            opt.zero_grad()
            perceptron_criterion(dot(w, [1.0, *x]), target).backward()
            opt.step()
            out.append(tuple(v.data for v in w))
    return out


@given(data=separable_sets())
def test_classic_rule_and_sgd_on_the_criterion_have_identical_weight_histories(
    data: tuple[list[list[float]], list[int], list[float]],
) -> None:
    X, y, start = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        rule = Perceptron(initial_weights=start, max_epochs=20).fit(X, y)
        sgd = Perceptron(initial_weights=start, max_epochs=20, solver="sgd").fit(X, y)
    assert all(s.score != 0.0 for s in rule.trace_)  # the construction really avoids ties
    assert history(sgd) == history(rule)
    assert (sgd.n_iter_, sgd.converged_, sgd.weights_) == (
        rule.n_iter_,
        rule.converged_,
        rule.weights_,
    )
    by_hand = sgd_by_hand(X, y, start, epochs=rule.n_iter_)
    assert by_hand == [after for _, after in history(rule)]


def test_sgd_reproduces_the_notes_pass() -> None:
    X, y = seed_example()
    with pytest.warns(ConvergenceWarning):
        sgd = Perceptron(initial_weights=[-1, 0, 0], max_epochs=1, solver="sgd").fit(X, y)
    assert [s.update for s in sgd.trace_] == [None, (1, 3, 2), None, None, (-1, -2, -3)]
    assert sgd.weights_ == [-1, 1, -1]


@pytest.mark.parametrize("solver", ["rule", "sgd"])
def test_a_positive_sample_on_the_boundary_is_correct_for_both(solver: str) -> None:
    # w = [0, 1], x = [0] -> activation 0 with y* = +1: a tie counts as positive.
    p = Perceptron(initial_weights=[0.0, 1.0], max_epochs=1, solver=solver)
    p.fit([[0.0], [-2.0]], [1, -1])
    assert p.trace_[0].score == 0.0 and p.trace_[0].update is None
    assert p.converged_


def test_a_negative_sample_on_the_boundary_is_where_the_two_differ() -> None:
    # activation 0 with y* = -1: the rule updates, the criterion is at its kink (grad 0).
    X, y = [[0.0], [-2.0]], [-1, 1]
    start = [0.0, 1.0]
    with pytest.warns(ConvergenceWarning):
        rule = Perceptron(initial_weights=start, max_epochs=1).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        sgd = Perceptron(initial_weights=start, max_epochs=1, solver="sgd").fit(X, y)
    assert rule.trace_[0].score == sgd.trace_[0].score == 0.0
    assert rule.trace_[0].update == (-1.0, -0.0)
    assert sgd.trace_[0].update is None and not sgd.trace_[0].correct


def test_from_zero_weights_sgd_on_the_criterion_never_moves() -> None:
    X, y = seed_example()
    with pytest.warns(ConvergenceWarning):
        sgd = Perceptron(max_epochs=3, solver="sgd").fit(X, y)
    assert sgd.weights_ == [0.0, 0.0, 0.0]
    assert all(s.score == 0.0 and s.update is None for s in sgd.trace_)
    assert Perceptron(max_epochs=1000).fit(X, y).converged_


def test_criterion_gradient_matches_finite_differences_on_a_mistake() -> None:
    f, target, h = [1.0, 3.0, 2.0], 1, 1e-6
    start = [-1.0, 0.5, -0.5]  # activation -0.5: a mistake for y* = +1
    w = [Value(v) for v in start]
    perceptron_criterion(dot(w, f), target).backward()

    def loss(ws: list[float]) -> float:
        return max(0.0, -target * sum(a * b for a, b in zip(ws, f)))

    for j in range(3):
        up = [v + h if i == j else v for i, v in enumerate(start)]
        down = [v - h if i == j else v for i, v in enumerate(start)]
        numeric = (loss(up) - loss(down)) / (2 * h)
        assert w[j].grad == pytest.approx(numeric, rel=1e-6)
        assert w[j].grad == -target * f[j]
