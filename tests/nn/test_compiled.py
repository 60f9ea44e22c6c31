"""fit(compile=True) and compile_step: the graph's training step, as generated code."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

import nn
from engine import Value
from engine.codegen.batch import compile_batch
from nn import MLP, SGD, Adam, Layer, Neuron, compile_step, fit
from nn.data import moons, spiral
from nn.optim import Optimizer


def signed(y: list[int]) -> list[int]:
    return [2 * t - 1 for t in y] if 0 in y else y


def train(
    compiled: bool,
    *,
    loss: Any,
    outputs: int = 1,
    batch_size: int | None = None,
    optimizer: Callable[[list[Value]], Optimizer] = lambda ps: SGD(ps, lr=0.1),
    activation: str = "relu",
    epochs: int = 12,
) -> tuple[nn.History, list[list[float]]]:
    """Train a fresh seeded model; return the History and the weights after each epoch."""
    if outputs == 1:
        X, y = moons(40, seed=2)
        y = signed(y)
    else:
        X, y = spiral(15, classes=outputs, seed=2)
    model = MLP(2, [6, 5, outputs], activation=activation, seed=4)
    params = model.parameters()
    weights: list[list[float]] = []

    def snapshot(history: nn.History) -> bool:
        weights.append([p.data for p in params])
        return False

    history = fit(
        model,
        X,
        y,
        loss=loss,
        optimizer=optimizer(params),
        epochs=epochs,
        batch_size=batch_size,
        seed=5,
        progress=False,
        early_stopping=snapshot,
        compile=compiled,
    )
    return history, weights


def assert_histories_equal(a: Any, b: Any) -> None:
    (ha, wa), (hb, wb) = a, b
    assert ha.accuracy == hb.accuracy
    assert len(ha.loss) == len(hb.loss) == len(wa) == len(wb)
    assert all(math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12) for x, y in zip(ha.loss, hb.loss))
    for epoch_a, epoch_b in zip(wa, wb):
        assert all(
            math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12) for x, y in zip(epoch_a, epoch_b)
        )


CASES = [
    ("hinge", 1, None, "sgd"),
    ("hinge", 1, 7, "sgd"),
    ("hinge", 1, 1, "adam"),
    ("cross_entropy", 1, None, "sgd"),
    ("cross_entropy", 1, 5, "adam"),
    ("cross_entropy", 3, None, "sgd"),
    ("cross_entropy", 3, 8, "sgd"),
    ("mse", 3, 6, "adam"),
    ("perceptron", 1, 4, "sgd"),
]


@pytest.mark.parametrize(("loss", "outputs", "batch_size", "opt"), CASES)
def test_compiled_histories_equal_the_graphs(
    loss: str, outputs: int, batch_size: int | None, opt: str
) -> None:
    def make(ps: list[Value]) -> Optimizer:
        return SGD(ps, lr=0.1) if opt == "sgd" else Adam(ps, lr=0.02)

    kw: dict[str, Any] = {"loss": loss, "outputs": outputs, "batch_size": batch_size}
    assert_histories_equal(train(False, optimizer=make, **kw), train(True, optimizer=make, **kw))


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "step", "abs"])
def test_every_activation_compiles(activation: str) -> None:
    kw: dict[str, Any] = {"loss": "hinge", "activation": activation, "batch_size": 9}
    assert_histories_equal(train(False, **kw), train(True, **kw))


def test_a_loss_of_your_own_that_branches_on_data_is_exact() -> None:
    def huber(outs: list[Value], t: int) -> Value:  # branches on .data: built per point
        r = outs[0] - float(t)
        return r * r * 0.5 if abs(r.data) < 1.0 else abs(r) - 0.5

    kw: dict[str, Any] = {"loss": huber, "batch_size": 6}
    assert_histories_equal(train(False, **kw), train(True, **kw))


def test_the_labelled_losses_are_written_into_the_code_and_cross_entropy_is_not() -> None:
    model = MLP(2, [3, 1], seed=0)
    assert "if key == -1:" in compile_step(model, loss="hinge").source
    assert "point_loss(key," in compile_step(model, loss="cross_entropy").source


@pytest.mark.parametrize("model", [Layer(2, 3, seed=1), Neuron(2, activation="tanh", seed=1)])
def test_layers_and_neurons_compile(model: nn.Module) -> None:
    X, y = spiral(10, classes=3, seed=0)
    if isinstance(model, Neuron):
        y = [1 if t == 0 else -1 for t in y]
    state = model.state_dict()
    runs = []
    for compiled in (False, True):
        model.load_state_dict(state)
        h = fit(model, X, y, epochs=4, batch_size=8, progress=False, compile=compiled)
        runs.append((h.loss, [p.data for p in model.parameters()]))
    (la, wa), (lb, wb) = runs
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(la + wa, lb + wb))


def test_a_model_with_its_own_forward_is_refused() -> None:
    class Shifted(MLP):
        def forward(self, x: Any) -> list[Value]:
            out = super().forward(x)
            return out if out[0].data > 0 else [o * 2.0 for o in out]

    X, y = [[0.0, 1.0], [1.0, 0.0]], [1, -1]
    with pytest.raises(TypeError, match=r"compile=True works for nn\.MLP"):
        fit(Shifted(2, [1], seed=0), X, y, progress=False, compile=True)


def test_where_the_graph_raises_the_compiled_step_raises_the_same() -> None:
    errors = []
    for compiled in (False, True):
        model = MLP(2, [4, 1], activation="relu", seed=0)
        X, y = [[1e150, 1e150], [-1e150, 2e150]], [1, -1]
        with pytest.raises((ValueError, OverflowError)) as info:
            fit(model, X, y, loss="hinge", lr=1e300, epochs=3, progress=False, compile=compiled)
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


def test_the_step_trains_like_train_step_and_shows_its_code() -> None:
    model = MLP(2, [3, 1], activation="relu", seed=0)
    step = compile_step(model, loss="hinge")
    assert step.source.startswith("def step(")
    opt = SGD(model.parameters(), lr=0.1)
    X, y = [[1.0, 2.0], [-1.0, -2.0]], [1, -1]
    first, _ = step(X, y, opt)
    second, correct = step(X, y, opt)
    assert second < first and correct == 2


def test_a_bad_batch_gets_train_steps_error() -> None:
    model = MLP(2, [3, 1], seed=0)
    step = compile_step(model, loss="hinge")
    with pytest.raises(ValueError, match="differ in length"):
        step([[1.0, 2.0]], [1, -1], SGD(model.parameters(), lr=0.1))
    with pytest.raises(ValueError, match="expects 2 inputs"):
        step([[1.0, 2.0, 3.0]], [1], SGD(model.parameters(), lr=0.1))


def test_compile_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="compile"):
        fit(MLP(2, [1]), [[0.0, 1.0]], [1], progress=False, compile="yes")  # type: ignore[arg-type]


def test_a_batch_loop_equals_the_graph_of_its_summed_loss() -> None:
    w, b = Value(0.5, "w"), Value(-0.25, "b")
    x = Value(1.0, "x")
    out = (w * x + b).tanh()
    leaves = {key: Value(0.0) for key in (-1, 1)}
    losses = {key: ((1.0 - leaf * float(key)).relu(), [leaf]) for key, leaf in leaves.items()}
    run = compile_batch([out], [x], [w, b], losses)
    points, keys = [[1.0], [-2.0], [0.5]], [1, -1, -1]
    total, outputs, grads = run([0.5, -0.25], points, keys, 1.0 / 3)

    terms = [(1.0 - (w * p[0] + b).tanh() * float(k)).relu() for p, k in zip(points, keys)]
    mean = sum(terms, Value(0.0)) * (1.0 / 3)
    mean.backward()
    assert math.isclose(total / 3, mean.data, rel_tol=1e-15)
    assert [o[0] for o in outputs] == [math.tanh(0.5 * p[0] - 0.25) for p in points]
    assert all(math.isclose(g, v.grad, rel_tol=1e-15) for g, v in zip(grads, (w, b)))
    with pytest.raises(LookupError):
        run([0.5, -0.25], points, [1, 2, -1], 1.0)
