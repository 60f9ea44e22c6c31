"""Neuron, Layer and MLP: graph size, outputs, initialisation, repr, gradients."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from engine import Value
from engine.ops import BUILTIN_NAMES, OPS_BY_NAME
from nn import MLP, Layer, Neuron
from nn.layers import activations

REFERENCE: dict[str, Callable[[float], float]] = {
    "linear": lambda z: z,
    "relu": lambda z: max(0.0, z),
    "tanh": math.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
    "step": lambda z: 1.0 if z >= 0 else -1.0,
}


@pytest.mark.parametrize("activation", sorted(REFERENCE))
def test_neuron_computes_activation_of_weighted_sum(activation: str) -> None:
    n = Neuron(3, activation=activation, seed=2)
    n.b.data = 0.25
    x = [0.5, -1.0, 2.0]
    z = sum(w.data * xi for w, xi in zip(n.w, x)) + 0.25
    assert n(x).data == pytest.approx(REFERENCE[activation](z))


def test_activations_are_linear_and_every_one_input_op_of_the_registry() -> None:
    one_input = {n for n in BUILTIN_NAMES if OPS_BY_NAME[n].arity == 1}
    assert set(REFERENCE) <= set(activations())
    assert {a for a in activations() if a in BUILTIN_NAMES or a == "linear"} == {
        "linear",
        *one_input,
    }


def test_neuron_is_one_dot_node_plus_one_activation_node() -> None:
    n = Neuron(10, activation="tanh")
    x = [Value(float(i)) for i in range(10)]
    out = n(x)
    interior = [v for v in out.topological_order() if v.parents]
    assert [v.op for v in interior] == ["dot", "tanh"]
    assert interior[0].parents == (*n.w, *x, n.b)


def test_linear_neuron_is_a_single_node() -> None:
    out = Neuron(4, activation="linear")([1.0, 2.0, 3.0, 4.0])
    assert out.op == "dot" and all(not p.parents for p in out.parents)


def test_neuron_gradients_match_finite_differences() -> None:
    n = Neuron(3, activation="tanh", seed=5)
    x = [0.3, -0.7, 1.1]
    n(x).backward()
    for p in n.parameters():
        analytic, h = p.grad, 1e-6
        p.data += h
        up = n(x).data
        p.data -= 2 * h
        down = n(x).data
        p.data += h
        assert analytic == pytest.approx((up - down) / (2 * h), abs=1e-7)


def test_mlp_gradients_match_finite_differences() -> None:
    model = MLP(2, [3, 2], activation="sigmoid", seed=3)
    x = [0.4, -0.9]

    def f() -> Value:
        a, b = model(x)
        product: Value = a * b
        return product

    f().backward()
    for p in model.parameters():
        analytic, h = p.grad, 1e-6
        p.data += h
        up = f().data
        p.data -= 2 * h
        down = f().data
        p.data += h
        assert analytic == pytest.approx((up - down) / (2 * h), abs=1e-7)


def test_layer_of_one_neuron_still_returns_a_list() -> None:
    out = Layer(2, 1)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)


def test_mlp_with_one_unit_layers_works() -> None:
    # micrograd's MLP(2, [16, 1, 1]) feeds a bare Value into the last layer and fails.
    model = MLP(2, [16, 1, 1])
    out = model([0.5, 0.5])
    assert len(out) == 1
    out[0].backward()
    assert any(p.grad != 0.0 for p in model.parameters())


def test_mlp_output_is_always_a_list() -> None:
    assert len(MLP(3, [4, 1])([1.0, 2.0, 3.0])) == 1
    assert len(MLP(3, [4, 5])([1.0, 2.0, 3.0])) == 5


def test_mlp_uses_output_activation_only_on_the_last_layer() -> None:
    model = MLP(2, [3, 3, 2], activation="relu", output_activation="sigmoid")
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "sigmoid"]
    assert all(v.op == "sigmoid" for v in model([1.0, -1.0]))


def test_parameter_count_and_order_are_stable() -> None:
    model = MLP(2, [3, 1], seed=4)
    params = model.parameters()
    assert len(params) == (2 + 1) * 3 + (3 + 1) * 1
    assert params[:3] == [*model.layers[0].neurons[0].w, model.layers[0].neurons[0].b]
    assert params == model.parameters()
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["L1.n0.w1", "L1.n0.w2", "L1.n0.w0"]  # w0: the bias, as in the notes
    assert names[-1] == "L2.n0.w0"


def test_same_seed_same_weights_different_seed_different_weights() -> None:
    def weights(seed: int) -> list[float]:
        return [p.data for p in MLP(3, [4, 2], seed=seed).parameters()]

    assert weights(1) == weights(1)
    assert weights(1) != weights(2)


def test_neurons_of_a_layer_differ() -> None:
    layer = Layer(3, 2, seed=0)
    assert [w.data for w in layer.neurons[0].w] != [w.data for w in layer.neurons[1].w]


@pytest.mark.parametrize(("activation", "scale"), [("tanh", 3.0), ("relu", 6.0)])
def test_initialisation_is_uniform_with_the_documented_bound(activation: str, scale: float) -> None:
    n_in = 50
    ws = [w.data for n in Layer(n_in, 40, activation, seed=1).neurons for w in n.w]
    bound = math.sqrt(scale / n_in)
    assert max(abs(w) for w in ws) <= bound
    assert max(abs(w) for w in ws) > 0.95 * bound
    variance = sum(w * w for w in ws) / len(ws)
    assert variance == pytest.approx(bound**2 / 3, rel=0.1)  # variance of U(-a, a)
    assert all(n.b.data == 0.0 for n in Layer(n_in, 4, activation).neurons)


def test_zero_grad_clears_every_parameter() -> None:
    model = MLP(2, [3, 1])
    model([1.0, 2.0])[0].backward()
    assert any(p.grad for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


@pytest.mark.parametrize(
    ("obj", "text"),
    [
        (Neuron(3, "relu", seed=2), "Neuron(3, activation='relu', seed=2)"),
        (Layer(2, 4, activation="sigmoid"), "Layer(2, 4, activation='sigmoid', seed=0)"),
        (
            MLP(2, [8, 8, 3], "relu", seed=5),
            "MLP(2, [8, 8, 3], activation='relu', output_activation='linear', seed=5)",
        ),
    ],
)
def test_repr_reads_like_the_constructor(obj: object, text: str) -> None:
    assert repr(obj) == text
    assert repr(eval(text, {"Neuron": Neuron, "Layer": Layer, "MLP": MLP})) == text


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Neuron(0), ValueError, "Invalid n_in: 0"),
        (lambda: Neuron(2, "softplus"), ValueError, "Invalid activation: 'softplus'"),
        (lambda: Layer(2, 0), ValueError, "Invalid n_out: 0"),
        (lambda: MLP(2, []), TypeError, "Invalid sizes: \\[\\]"),
        (lambda: MLP(2, 3), TypeError, "Invalid sizes: 3"),  # type: ignore[arg-type]
        (lambda: MLP(2, [4, -1]), ValueError, "Invalid sizes\\[1\\]: -1"),
        (lambda: MLP(2, [4], output_activation="soft"), ValueError, "Invalid output_activation"),
        (lambda: Neuron(2.0), TypeError, "Invalid n_in: 2.0"),  # type: ignore[arg-type]
        (lambda: Neuron(2, seed="a"), TypeError, "Invalid seed: 'a'"),  # type: ignore[arg-type]
    ],
)
def test_constructors_reject_bad_arguments(make: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make()  # type: ignore[operator]


@pytest.mark.parametrize("model", [Neuron(2), Layer(2, 3), MLP(2, [3, 1])])
def test_wrong_input_length_is_a_clear_error(model: object) -> None:
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        model([1.0, 2.0, 3.0])  # type: ignore[operator]


def test_scalar_returns_the_single_output_of_one_output_models() -> None:
    model = MLP(2, [16, 1, 1], seed=0)
    assert model.scalar([0.5, -1.0]).data == model([0.5, -1.0])[0].data
    layer = Layer(3, 1, seed=1)
    assert layer.scalar([1.0, 2.0, 3.0]).data == layer([1.0, 2.0, 3.0])[0].data


def test_scalar_refuses_models_with_several_outputs() -> None:
    with pytest.raises(ValueError, match=r"exactly one output, but MLP.* has 3"):
        MLP(2, [4, 3], seed=0).scalar([0.5, -1.0])
