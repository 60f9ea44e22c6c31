"""Models compose as they read; the fused batch path builds the very same nodes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from engine import Value, no_grad
from engine.codegen.graph import structure
from nn import MLP, Layer, Neuron
from nn.compiled import check_compilable


def test_mlp_forward_calls_each_layer_and_each_layer_calls_its_neurons(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = MLP(2, [3, 2], activation="relu", seed=1)
    calls: list[tuple[str, int]] = []
    layer_forward, neuron_forward = Layer.forward, Neuron.forward

    def layer_spy(self: Layer, x: Any) -> Any:
        calls.append(("layer", model.layers.index(self)))
        return layer_forward(self, x)

    def neuron_spy(self: Neuron, x: Any) -> Any:
        calls.append(("neuron", len(x)))
        return neuron_forward(self, x)

    monkeypatch.setattr(Layer, "forward", layer_spy)
    monkeypatch.setattr(Neuron, "forward", neuron_spy)
    model([0.5, -1.0])
    assert calls == [
        ("layer", 0), ("neuron", 2), ("neuron", 2), ("neuron", 2),
        ("layer", 1), ("neuron", 3), ("neuron", 3),
    ]  # fmt: skip


def _same(a: list[Any], b: list[Any], inputs: list[Value], params: list[Value]) -> None:
    flat_a = [v for out in a for v in (out if isinstance(out, list) else [out])]
    flat_b = [v for out in b for v in (out if isinstance(out, list) else [out])]
    assert [v.data.hex() for v in flat_a] == [v.data.hex() for v in flat_b]
    assert structure(flat_a, inputs + params) == structure(flat_b, inputs + params)


@settings(max_examples=20)
@given(
    st.sampled_from(["relu", "tanh", "sigmoid", "linear"]),
    st.lists(st.integers(1, 4), min_size=1, max_size=3),
    st.integers(0, 99),
)
def test_the_fused_batch_path_builds_the_nodes_the_calls_build(
    activation: str, sizes: list[int], seed: int
) -> None:
    for model in (
        MLP(3, sizes, activation=activation, seed=seed),
        Layer(3, sizes[0], activation=activation, seed=seed),
        Neuron(3, activation=activation, seed=seed),
    ):
        X = [[Value(0.3 * i - 0.5), Value(1.0 - 0.2 * i), Value(0.1 * i)] for i in range(4)]
        inputs = [v for x in X for v in x]
        fused = model.forward_batch(X)
        plain = [model(x) for x in X]
        _same(fused, plain, inputs, model.parameters())
        floats = [[0.3 * i - 0.5, 1.0 - 0.2 * i, 0.1 * i] for i in range(4)]
        with no_grad():  # the float path: the same numbers
            a, b = model.forward_batch(floats), [model(x) for x in floats]
        flat = lambda outs: [v.data for o in outs for v in (o if isinstance(o, list) else [o])]  # noqa: E731
        assert [x.hex() for x in flat(a)] == [x.hex() for x in flat(b)]


class Doubled(MLP):
    """A model with a forward of its own: the fused path must not replace it."""

    def forward(self, x: Any) -> list[Value]:
        return [o * 2.0 for o in super().forward(x)]


def test_a_subclass_with_its_own_forward_gets_its_own_code_for_a_batch() -> None:
    model = Doubled(2, [3, 1], seed=0)
    assert model.fused_stages() is None
    X = [[0.5, -1.0], [1.0, 2.0]]
    assert [o[0].data for o in model.forward_batch(X)] == [model(x)[0].data for x in X]
    assert [o[0].op for o in model.forward_batch(X)] == ["*", "*"]
    with pytest.raises(TypeError, match=r"compile=True works for nn\.MLP"):
        check_compilable(model)


def test_a_layer_replaced_by_a_subclass_turns_the_fused_path_off() -> None:
    class Noisy(Layer):
        def forward(self, x: Any) -> list[Value]:
            return [o + 1.0 for o in super().forward(x)]

    model = MLP(2, [2, 1], seed=0)
    model.layers[0].__class__ = Noisy
    assert model.fused_stages() is None
    X = [[0.5, -1.0]]
    assert model.forward_batch(X)[0][0].data == model(X[0])[0].data


def test_a_plain_model_compiles_and_its_batch_is_fused() -> None:
    model = MLP(2, [3, 1], seed=0)
    check_compilable(model)
    assert model.fused_stages() is not None and len(model.fused_stages() or []) == 2
    assert nn.Neuron(2).fused_stages() is not None
