"""nn's fast paths: layers on matvec, and the training step with the collector paused.

A layer computed with one `matvec` must make the same graph as its neurons called one
by one; `train_step` (the step `fit` runs) must compute the textbook step and give the
cycle collector back exactly as it found it.
"""

from __future__ import annotations

import gc
import math
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import Value, no_grad
from nn import MLP, SGD, Layer, Module, fit
from nn.train import train_step


def _same_graph(a: Value, b: Value) -> None:
    """Two graphs of the same shape over the same leaves, with equal numbers."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        assert x.op == y.op
        assert x.data == pytest.approx(y.data, rel=1e-12, abs=1e-12)
        assert x.local_grads == pytest.approx(y.local_grads, rel=1e-12, abs=1e-12)
        assert len(x.parents) == len(y.parents)
        if not x.parents:
            assert x is y  # the same leaf: a weight, a bias or an input
        stack.extend(zip(x.parents, y.parents))


@pytest.mark.parametrize("activation", ["linear", "relu", "tanh", "sigmoid", "step"])
def test_layer_makes_the_same_graph_as_its_neurons(activation: str) -> None:
    layer = Layer(3, 4, activation, seed=7)
    for x in ([0.5, -1.0, 2.0], [Value(0.5), Value(-1.0), Value(2.0)]):
        fused = layer(x)
        one_by_one = [n(x) for n in layer.neurons]
        assert len(fused) == len(one_by_one) == 4
        for a, b in zip(fused, one_by_one):
            _same_graph(a, b)


def test_mlp_makes_the_same_graph_as_its_neurons_and_the_same_gradients() -> None:
    model = MLP(2, [5, 3, 2], activation="relu", output_activation="tanh", seed=3)
    x = [0.3, -0.7]
    out = model(x)
    h: list[Value] | list[float] = x
    for layer in model.layers:
        h = [n(h) for n in layer.neurons]
    for a, b in zip(out, h, strict=True):
        _same_graph(a, b)  # type: ignore[arg-type]
    engine.sum(out).backward()
    fused_grads = [p.grad for p in model.parameters()]
    model.zero_grad()
    engine.sum(h).backward()  # type: ignore[arg-type]
    assert [p.grad for p in model.parameters()] == pytest.approx(fused_grads, rel=1e-12)


def test_mlp_accepts_integer_inputs_like_a_neuron() -> None:
    model = MLP(2, [3, 1], seed=0)
    assert model([1, 2])[0].data == pytest.approx(model([1.0, 2.0])[0].data)


# ------------------------------------------------------------------ forward_batch


@pytest.mark.parametrize("activation", ["linear", "relu", "tanh", "sigmoid", "step"])
def test_forward_batch_makes_the_graphs_calling_one_by_one_makes(activation: str) -> None:
    model = MLP(3, [4, 2], activation=activation, output_activation="tanh", seed=5)
    X = [[0.5, -1.0, 2.0], [0.0, 0.25, -0.5], [Value(1.0), Value(2.0), Value(-3.0)]]
    batched = model.forward_batch(X)
    assert len(batched) == len(X)
    for outs, x in zip(batched, X, strict=True):
        for a, b in zip(outs, model(x), strict=True):
            _same_graph(a, b)
    layer = model.layers[0]
    for outs, x in zip(layer.forward_batch(X), X, strict=True):
        for a, b in zip(outs, layer(x), strict=True):
            _same_graph(a, b)


def test_forward_batch_gives_the_gradients_of_the_per_point_loop() -> None:
    model = MLP(2, [5, 1], activation="relu", seed=4)
    engine.sum([out[0] * out[0] for out in model.forward_batch(X)]).backward()
    batched = [p.grad for p in model.parameters()]
    model.zero_grad()
    engine.sum([model(x)[0] * model(x)[0] for x in X]).backward()
    assert [p.grad for p in model.parameters()] == pytest.approx(batched, rel=1e-12)


def test_forward_batch_takes_any_iterable_of_points() -> None:
    model = MLP(2, [3, 1], seed=0)
    from_list = [out[0].data for out in model.forward_batch(X)]
    assert [out[0].data for out in model.forward_batch(x for x in X)] == from_list
    assert [out[0].data for out in model.forward_batch(tuple(X))] == from_list


@pytest.mark.parametrize("activation", ["linear", "relu", "sigmoid"])
def test_neuron_forward_batch_makes_the_graphs_calling_it_makes(activation: str) -> None:
    neuron = Layer(2, 1, activation, seed=0).neurons[0]
    outs = neuron.forward_batch(X)
    assert len(outs) == len(X)
    for a, x in zip(outs, X, strict=True):
        _same_graph(a, neuron(x))
    with pytest.raises(ValueError, match=re.escape("got 3 inputs in X[0]")):
        neuron.forward_batch([[1.0, 2.0, 3.0]])


class _Doubler(Module):
    """A module with a forward of its own and no forward_batch."""

    def __init__(self) -> None:
        self.w = Value(1.5)

    def forward(self, x: list[float]) -> Value:
        return self.w * x[0] * 2.0

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [("w", self.w)]


def test_forward_batch_runs_a_subclass_s_own_forward() -> None:
    class Clipped(MLP):
        def forward(self, x: list[float]) -> list[Value]:  # type: ignore[override]
            return [out.tanh() for out in super().forward(x)]

    model = Clipped(2, [3, 1], seed=0)
    assert [out[0].op for out in model.forward_batch(X)] == ["tanh"] * len(X)
    assert [out[0].data for out in model.forward_batch(X)] == [model(x)[0].data for x in X]


def test_forward_batch_of_a_module_without_its_own_is_the_loop() -> None:
    model = _Doubler()
    assert [o.data for o in model.forward_batch(X)] == [model(x).data for x in X]
    assert [o.data for o in model.forward_batch(iter(X))] == [3.0, -3.0, 1.5, -6.0]


@pytest.mark.parametrize(
    ("X", "message"),
    [
        ([[1.0, 2.0], [1.0]], "expects 2 inputs, got 1 inputs in X[1]"),
        ([[1.0, 2.0], 3.0], "expects 2 inputs, got float in X[1]"),
    ],
)
def test_forward_batch_names_the_point_of_the_wrong_size(X: list, message: str) -> None:
    for model in (MLP(2, [3, 1], seed=0), Layer(2, 3, seed=0)):
        with pytest.raises(ValueError, match=re.escape(message)):
            model.forward_batch(X)


# ------------------------------------------------------- no_grad(): the float path

ACTIVATIONS = ["linear", "relu", "tanh", "sigmoid", "step"]
points = st.lists(st.floats(-3.0, 3.0), min_size=2, max_size=2)


@settings(deadline=None)
@given(
    st.sampled_from(ACTIVATIONS),
    st.sampled_from(ACTIVATIONS),
    st.integers(0, 2**16),
    st.lists(points, min_size=1, max_size=4),
)
def test_no_grad_outputs_equal_the_recorded_ones_to_the_last_bit(
    hidden: str, last: str, seed: int, X: list[list[float]]
) -> None:
    model = MLP(2, [4, 3, 2], activation=hidden, output_activation=last, seed=seed)
    rng = random.Random(seed)
    for layer in model.layers:
        for neuron in layer.neurons:
            neuron.b.data = rng.uniform(-1.0, 1.0)  # biases start at 0: make them count
    recorded = [[o.data for o in model(x)] for x in X]
    layer_recorded = [[o.data for o in model.layers[0](x)] for x in X]
    with no_grad():
        for outs in ([model(x) for x in X], model.forward_batch(X)):
            assert [[o.data for o in out] for out in outs] == recorded
            for out in outs:
                assert all(
                    o.parents == () and o.op == ("dot" if last == "linear" else last) for o in out
                )
        assert [[o.data for o in model.layers[0](x)] for x in X] == layer_recorded
        assert [[o.data for o in out] for out in model.layers[0].forward_batch(X)] == (
            layer_recorded
        )


def test_no_grad_takes_the_value_path_for_ints_and_explains_bad_numbers() -> None:
    model = MLP(2, [3, 1], seed=0)
    expected = model([1.0, 2.0])[0].data
    with no_grad():
        assert model([1, 2])[0].data == expected  # ints: the Value path converts them
        assert model.forward_batch([[1, 2]])[0][0].data == expected
        with pytest.raises(ValueError, match="non-finite number inf"):
            model([math.inf, 1.0])
        for w in model.layers[0].neurons[0].w:
            w.data = 1.0
        with pytest.raises(OverflowError, match="overflows"):
            model([1e308, 1e308])  # 2e308: a weighted sum too large for a float
        with pytest.raises(TypeError, match="must be a real number"):
            model(["a", 1.0])


# --------------------------------------------------------------------- train_step


X = [[1.0, 2.0], [-1.0, -0.5], [0.5, -2.0], [-2.0, 1.0]]
Y = [1, -1, 1, -1]


def test_train_step_is_one_step_of_gradient_descent_on_the_mean_loss() -> None:
    model = MLP(2, [3, 1], seed=1)
    twin = MLP(2, [3, 1], seed=1)
    loss, correct = train_step(model, X, Y, SGD(model.parameters(), lr=0.1), loss="hinge")
    # the same step written out by hand on the twin model
    outs = [twin(x)[0] for x in X]
    terms = [(1.0 - o * y).relu() for o, y in zip(outs, Y)]
    mean = engine.sum(terms) * (1.0 / len(terms))
    mean.backward()
    assert loss == pytest.approx(mean.data, rel=1e-12)
    assert correct == sum((1 if o.data >= 0 else -1) == y for o, y in zip(outs, Y))
    for p, q in zip(model.parameters(), twin.parameters(), strict=True):
        assert p.data == pytest.approx(q.data - 0.1 * q.grad, rel=1e-12, abs=1e-15)


def test_train_step_pauses_the_collector_and_restores_it(collector_enabled: None) -> None:
    seen: list[bool] = []

    def loss(outs: list[Value], label: int) -> Value:
        seen.append(gc.isenabled())
        return (outs[0] - float(label)) ** 2

    model = MLP(2, [2, 1], seed=0)
    train_step(model, X, Y, SGD(model.parameters(), lr=0.01), loss=loss)
    assert seen == [False] * len(X)
    assert gc.isenabled()


def test_train_step_restores_the_collector_when_the_loss_blows_up(
    collector_enabled: None,
) -> None:
    model = MLP(2, [1], seed=0)

    def huge(outs: list[Value], label: int) -> Value:
        return outs[0] * 1e300 * 1e300  # overflows to inf inside the engine

    with pytest.raises(OverflowError, match=r"'\*' overflows"):
        train_step(model, X, Y, SGD(model.parameters(), lr=0.1), loss=huge)
    assert gc.isenabled()


def test_train_step_keeps_a_disabled_collector_disabled(collector_enabled: None) -> None:
    model = MLP(2, [1], seed=0)
    gc.disable()
    train_step(model, X, Y, SGD(model.parameters(), lr=0.1), loss="hinge")
    assert not gc.isenabled()


def test_fit_leaves_the_collector_as_it_found_it(collector_enabled: None) -> None:
    model = MLP(2, [2, 1], seed=0)
    fit(model, X, Y, loss="hinge", epochs=2, batch_size=2, progress=False)
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("xs", "ys", "optimizer", "loss", "error", "message"),
    [
        (X, Y[:2], "sgd", "hinge", ValueError, "4 points but 2 labels"),
        ([], [], "sgd", "hinge", ValueError, "at least one point"),
        (X, Y, None, "hinge", TypeError, "Invalid optimizer: None"),
        (X, Y, "sgd", "hinje", ValueError, "Invalid loss: 'hinje'"),
    ],
)
def test_train_step_rejects_bad_arguments_clearly(
    xs: list[list[float]],
    ys: list[int],
    optimizer: str | None,
    loss: str,
    error: type[Exception],
    message: str,
) -> None:
    model = MLP(2, [1], seed=0)
    opt = SGD(model.parameters(), lr=0.1) if optimizer else None
    before = [p.data for p in model.parameters()]
    with pytest.raises(error, match=message):
        train_step(model, xs, ys, opt, loss=loss)  # type: ignore[arg-type]
    assert [p.data for p in model.parameters()] == before


def test_train_step_loss_is_finite_and_decreases_on_separable_data() -> None:
    model = MLP(2, [4, 1], seed=2)
    opt = SGD(model.parameters(), lr=0.05)
    losses = [train_step(model, X, Y, opt, loss="hinge")[0] for _ in range(20)]
    assert all(math.isfinite(v) for v in losses)
    assert losses[-1] < losses[0]
