"""Softmax, log-softmax, cross-entropy, log-likelihood and the simple losses."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from engine import Value
from nn import (
    SGD,
    cross_entropy,
    hinge,
    log_likelihood,
    log_sigmoid,
    log_softmax,
    logistic_loss,
    mse,
    perceptron_criterion,
    softmax,
)


def numeric_grad(
    f: Callable[[list[float]], float], xs: list[float], h: float = 1e-6
) -> list[float]:
    """Central finite differences of a float function, one per input."""
    grads = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += h
        down[i] -= h
        grads.append((f(up) - f(down)) / (2 * h))
    return grads


def analytic_grad(f: Callable[[list[Value]], Value], xs: list[float]) -> list[float]:
    vs = [Value(x) for x in xs]
    f(vs).backward()
    return [v.grad for v in vs]


def ref_softmax(zs: list[float]) -> list[float]:
    """Textbook softmax on floats, written independently of the code under test."""
    m = max(zs)
    es = [math.exp(z - m) for z in zs]
    return [e / math.fsum(es) for e in es]


logit_lists = st.lists(
    st.floats(min_value=-30, max_value=30, allow_nan=False), min_size=1, max_size=6
)


# ---------------------------------------------------------------- softmax


def test_softmax_matches_hand_values() -> None:
    # e^0, e^(ln 2), e^(ln 5) are 1, 2, 5: probabilities 1/8, 2/8, 5/8.
    p = softmax([Value(0.0), Value(math.log(2)), Value(math.log(5))])
    assert [q.data for q in p] == pytest.approx([0.125, 0.25, 0.625], rel=1e-12)


@given(logit_lists)
def test_softmax_sums_to_one_and_matches_reference(zs: list[float]) -> None:
    p = [q.data for q in softmax([Value(z) for z in zs])]
    assert math.fsum(p) == pytest.approx(1.0, abs=1e-12)
    assert p == pytest.approx(ref_softmax(zs), rel=1e-9, abs=1e-300)


def test_softmax_is_stable_for_huge_logits() -> None:
    p = softmax([Value(1000.0), Value(-1000.0), Value(1000.0)])
    assert [q.data for q in p] == [0.5, 0.0, 0.5]


def test_softmax_accepts_plain_numbers() -> None:
    assert [q.data for q in softmax([0.0, 0.0])] == [0.5, 0.5]


def test_softmax_rejects_empty_logits() -> None:
    with pytest.raises(ValueError, match="logits must not be empty"):
        softmax([])


def test_softmax_rejects_a_single_value() -> None:
    with pytest.raises(TypeError, match="logits must be a sequence"):
        softmax(Value(1.0))  # type: ignore[arg-type]


def test_softmax_gradient_matches_finite_differences() -> None:
    zs = [0.3, -1.2, 2.0, 0.7]
    for j in range(len(zs)):

        def prob(v: list[Value], j: int = j) -> Value:
            return softmax(v)[j]

        def ref_prob(x: list[float], j: int = j) -> float:
            return ref_softmax(x)[j]

        assert analytic_grad(prob, zs) == pytest.approx(numeric_grad(ref_prob, zs), abs=1e-7)


# ---------------------------------------------------------------- log-softmax and CE


@given(logit_lists)
def test_log_softmax_is_log_of_softmax(zs: list[float]) -> None:
    logs = [v.data for v in log_softmax([Value(z) for z in zs])]
    ref = ref_softmax(zs)
    for got, p in zip(logs, ref):
        if p > 1e-300:
            assert got == pytest.approx(math.log(p), abs=1e-9)


def test_log_softmax_is_exact_for_huge_logits() -> None:
    out = [v.data for v in log_softmax([Value(1000.0), Value(-1000.0)])]
    assert out[0] == pytest.approx(-math.exp(-2000.0), abs=1e-300)
    assert out[1] == pytest.approx(-2000.0)


def test_cross_entropy_matches_hand_value() -> None:
    z = [Value(0.0), Value(math.log(3.0))]  # probabilities 1/4, 3/4
    assert cross_entropy(z, 0).data == pytest.approx(math.log(4.0))
    assert cross_entropy(z, 1).data == pytest.approx(math.log(4.0 / 3.0))


@given(logit_lists, st.data())
def test_cross_entropy_gradient_is_softmax_minus_onehot(
    zs: list[float], data: st.DataObject
) -> None:
    t = data.draw(st.integers(0, len(zs) - 1))
    grads = analytic_grad(lambda v: cross_entropy(v, t), zs)
    expected = [p - (1.0 if j == t else 0.0) for j, p in enumerate(ref_softmax(zs))]
    assert grads == pytest.approx(expected, abs=1e-12)


def test_cross_entropy_gradient_matches_finite_differences() -> None:
    zs = [0.5, -0.25, 1.75]

    def ref(x: list[float]) -> float:
        return -math.log(ref_softmax(x)[2])

    assert analytic_grad(lambda v: cross_entropy(v, 2), zs) == pytest.approx(
        numeric_grad(ref, zs), abs=1e-7
    )


@pytest.mark.parametrize("zs", [[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0], [1000.0] * 3])
@pytest.mark.parametrize("target", [0, 1, 2])
def test_cross_entropy_is_finite_and_correct_at_extreme_logits(
    zs: list[float], target: int
) -> None:
    z = [Value(v) for v in zs]
    loss = cross_entropy(z, target)
    loss.backward()
    m = max(zs)
    expected = m + math.log(math.fsum(math.exp(v - m) for v in zs)) - zs[target]
    assert loss.data == pytest.approx(expected, abs=1e-9)
    onehot = [1.0 if j == target else 0.0 for j in range(3)]
    assert [v.grad for v in z] == pytest.approx(
        [p - o for p, o in zip(ref_softmax(zs), onehot)], abs=1e-12
    )


def test_cross_entropy_gradient_at_extreme_logits_is_exact() -> None:
    z = [Value(1000.0), Value(-1000.0)]
    cross_entropy(z, 1).backward()
    assert [v.grad for v in z] == [1.0, -1.0]


@pytest.mark.parametrize("target", [-1, 3, 1.0, True, "0"])
def test_cross_entropy_rejects_bad_targets(target: object) -> None:
    with pytest.raises(ValueError, match="is not a label for"):
        cross_entropy([Value(0.0), Value(1.0), Value(2.0)], target)  # type: ignore[arg-type]


# ---------------------------------------------------------------- log-likelihood


def test_log_sigmoid_is_stable_and_correct() -> None:
    for z in (-800.0, -3.0, 0.0, 2.5, 800.0):
        expected = -math.log1p(math.exp(-z)) if z > -700 else z
        assert log_sigmoid(z).data == pytest.approx(expected, abs=1e-12)
    zs = [-2.0]
    assert analytic_grad(lambda v: log_sigmoid(v[0]), zs) == pytest.approx(
        numeric_grad(lambda x: -math.log1p(math.exp(-x[0])), zs), abs=1e-7
    )


def test_log_likelihood_sums_log_probabilities_of_the_labels() -> None:
    model = nn.MLP(2, [4, 3], seed=1)
    X = [[0.5, -1.0], [2.0, 0.25], [-1.0, -1.0]]
    y = [2, 0, 1]
    expected = 0.0
    for x, t in zip(X, y):
        logits = [v.data for v in model(x)]
        expected += math.log(ref_softmax(logits)[t])
    assert log_likelihood(model, X, y).data == pytest.approx(expected, rel=1e-12)


def test_log_likelihood_of_one_output_uses_sigmoid() -> None:
    model = nn.Neuron(1, activation="linear")
    model.w[0].data = 2.0
    ll = log_likelihood(model, [[1.0], [1.0]], [1, -1]).data
    s = 1 / (1 + math.exp(-2.0))
    assert ll == pytest.approx(math.log(s) + math.log(1 - s))


def test_ascent_on_log_likelihood_equals_descent_on_its_negative() -> None:
    X, y = nn.spiral(5, seed=3)
    up, down = nn.MLP(2, [5, 3], seed=7), nn.MLP(2, [5, 3], seed=7)
    ascent = SGD(up.parameters(), lr=0.05, maximize=True)
    descent = SGD(down.parameters(), lr=0.05)
    for _ in range(3):
        ascent.zero_grad()
        log_likelihood(up, X, y).backward()
        ascent.step()
        descent.zero_grad()
        (-log_likelihood(down, X, y)).backward()
        descent.step()
    ups = [p.data for p in up.parameters()]
    assert ups == [p.data for p in down.parameters()]
    assert ups != [p.data for p in nn.MLP(2, [5, 3], seed=7).parameters()]


def test_log_likelihood_rejects_length_mismatch() -> None:
    with pytest.raises(ValueError, match="2 points but 1 labels"):
        log_likelihood(nn.MLP(1, [2]), [[0.0], [1.0]], [0])


# ---------------------------------------------------------------- simple losses


def test_mse_averages_squared_errors_and_has_the_right_gradient() -> None:
    p = [Value(1.0), Value(-2.0)]
    loss = mse(p, [0.0, 1.0])
    loss.backward()
    assert loss.data == pytest.approx((1 + 9) / 2)
    assert [v.grad for v in p] == pytest.approx([1.0, -3.0])  # 2 (p - t) / n


def test_mse_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="2 predictions and 1 targets"):
        mse([Value(1.0), Value(2.0)], [1.0])


def test_hinge_is_zero_beyond_the_margin() -> None:
    s = Value(0.5)
    loss = hinge(s, -1)
    loss.backward()
    assert (loss.data, s.grad) == (1.5, 1.0)
    assert hinge(Value(1.5), 1).data == 0.0


def test_logistic_loss_matches_its_formula() -> None:
    assert logistic_loss(Value(1.5), -1).data == pytest.approx(math.log1p(math.exp(1.5)))


def test_perceptron_criterion_gradient_is_the_perceptron_update() -> None:
    # The notes' step 2: w = [-1, 0, 0], f = [1, 3, 2], y = +1, score -1: a mistake.
    w = [Value(-1.0), Value(0.0), Value(0.0)]
    loss = perceptron_criterion(nn_dot(w, [1.0, 3.0, 2.0]), 1)
    loss.backward()
    assert loss.data == 1.0
    assert [wi.grad for wi in w] == [-1.0, -3.0, -2.0]  # a step of lr 1 adds +[1, 3, 2]


def nn_dot(w: list[Value], f: list[float]) -> Value:
    from engine import dot

    return dot(w, f)


def test_perceptron_criterion_is_zero_when_correct() -> None:
    a = Value(14.0)
    loss = perceptron_criterion(a, 1)
    loss.backward()
    assert (loss.data, a.grad) == (0.0, 0.0)


@pytest.mark.parametrize("fn", [hinge, perceptron_criterion, logistic_loss])
@pytest.mark.parametrize("label", [0, 2, True])
def test_binary_losses_reject_labels_other_than_plus_minus_one(
    fn: Callable[[Value, int], Value], label: int
) -> None:
    with pytest.raises(ValueError, match="expected -1 or \\+1"):
        fn(Value(1.0), label)
