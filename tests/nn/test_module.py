"""Module state: state_dict, save/load as JSON, and one error listing every problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nn import MLP, Layer, Module, Neuron, StateDictError


def params(model: Module) -> list[float]:
    return [p.data for p in model.parameters()]


def test_state_dict_is_plain_json_data() -> None:
    state = MLP(2, [3, 1], seed=1).state_dict()
    assert json.loads(json.dumps(state)) == state
    assert state["type"] == "MLP"
    assert state["config"] == {
        "n_in": 2,
        "sizes": [3, 1],
        "activation": "tanh",
        "output_activation": "linear",
    }
    assert len(state["parameters"]) == 13


def test_save_load_round_trips_exactly(tmp_path: Path) -> None:
    model = MLP(3, [5, 4, 2], activation="relu", seed=11)
    for i, p in enumerate(model.parameters()):
        p.data += 1e-17 * i + 0.1 / 3  # awkward floats
    path = tmp_path / "model.json"
    model.save(path)
    other = MLP(3, [5, 4, 2], activation="relu", seed=99)
    assert params(other) != params(model)
    assert other.load(path) is other
    assert params(other) == params(model)
    x = [0.3, -0.2, 0.9]
    assert [v.data for v in other(x)] == [v.data for v in model(x)]


def test_file_is_readable_json(tmp_path: Path) -> None:
    path = tmp_path / "n.json"
    Neuron(2, "linear").save(path)
    text = path.read_text()
    assert json.loads(text)["parameters"]["w0"] == 0.0  # the bias, named as in the notes


def test_load_state_dict_round_trips_for_each_module() -> None:
    for make in (lambda s: Neuron(3, seed=s), lambda s: Layer(3, 2, seed=s)):
        a, b = make(1), make(2)
        b.load_state_dict(a.state_dict())
        assert params(a) == params(b)


def _problems(model: Module, state: Any) -> list[str]:
    before = params(model)
    with pytest.raises(StateDictError) as info:
        model.load_state_dict(state)
    assert params(model) == before  # nothing changed
    assert isinstance(info.value, ValueError)
    return info.value.problems


def test_other_architecture_lists_every_difference() -> None:
    state = MLP(2, [4, 1], activation="relu").state_dict()
    problems = _problems(MLP(2, [3, 1]), state)
    text = "\n".join(problems)
    assert "config 'sizes' is [4, 1], this model has [3, 1]" in text
    assert "config 'activation' is 'relu', this model has 'tanh'" in text
    assert "unexpected parameter 'L1.n3.w0'" in text


def test_wrong_type_and_bad_values_are_all_reported() -> None:
    model = Neuron(2, "linear")
    state = model.state_dict()
    state["type"] = "Layer"
    state["parameters"]["w1"] = "0.5"
    state["parameters"]["w2"] = None
    state["parameters"]["w0"] = float("nan")
    state["parameters"]["extra"] = 1.0
    problems = _problems(model, state)
    assert problems == [
        "type is 'Layer', expected 'Neuron'",
        "parameter 'w1' is '0.5', expected a number",
        "parameter 'w2' is None, expected a number",
        "parameter 'w0' is nan, expected a finite number",
        "unexpected parameter 'extra'",
    ]


def test_missing_parameters_and_booleans_are_reported() -> None:
    model = Neuron(2, "linear")
    state = model.state_dict()
    del state["parameters"]["w1"]
    state["parameters"]["w0"] = True
    assert _problems(model, state) == [
        "missing parameter 'w1'",
        "parameter 'w0' is True, expected a number",
    ]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ([1, 2], "expected a JSON object"),
        ({"type": "Neuron"}, "config is None"),
        ({"type": "Neuron", "config": {"n_in": 2, "activation": "linear"}}, "parameters is None"),
        ({"format": "other", "type": "Neuron"}, "format is 'other'"),
        ({"version": 7, "type": "Neuron"}, "version is 7"),
    ],
)
def test_malformed_states_give_one_clear_error(state: Any, expected: str) -> None:
    problems = _problems(Neuron(2, "linear"), state)
    assert any(expected in p for p in problems)


def test_invalid_json_file_is_reported_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"type": "MLP", ')
    with pytest.raises(StateDictError, match=r"cannot load '.*broken\.json': 1 problem") as info:
        MLP(2, [1]).load(path)
    assert "not valid JSON" in info.value.problems[0]


def test_file_with_non_finite_numbers_is_rejected(tmp_path: Path) -> None:
    model = Neuron(1, "linear")
    path = tmp_path / "m.json"
    model.save(path)
    path.write_text(path.read_text().replace('"w0": 0.0', '"w0": Infinity'))
    with pytest.raises(StateDictError, match="parameter 'w0' is inf, expected a finite number"):
        model.load(path)


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Neuron(1).load(tmp_path / "nope.json")


def test_base_module_forward_is_abstract() -> None:
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        Module()([1.0])


def _old_names(model: MLP, version: int) -> dict[str, float]:
    """The parameters as versions 1 and 2 named them: weights from 0, the bias "b"."""
    names = {}
    for k, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                key = f"layers.{k}.neurons.{j}.w.{i}" if version == 1 else f"L{k + 1}.n{j}.w{i}"
                names[key] = w.data
            names[f"layers.{k}.neurons.{j}.b" if version == 1 else f"L{k + 1}.n{j}.b"] = (
                neuron.b.data
            )
    return names


@pytest.mark.parametrize("version", [1, 2])
def test_a_model_saved_with_older_names_still_loads(tmp_path: Path, version: int) -> None:
    model = MLP(2, [3, 1], seed=0)
    for p in model.parameters():
        p.data += 0.25  # the biases start at 0: make every parameter tell
    state = model.state_dict()
    legacy = {**state, "version": version, "parameters": _old_names(model, version)}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(legacy))
    other = MLP(2, [3, 1], seed=7).load(path)
    assert [p.data for p in other.parameters()] == [p.data for p in model.parameters()]
    assert [n.b.data for n in other.layers[0].neurons] == [0.25, 0.25, 0.25]
    with pytest.raises(StateDictError, match="version is 4, expected 3"):
        other.load_state_dict({**state, "version": 4})


@pytest.mark.parametrize("part", ["layers.{}.neurons.0.w.0", "layers.0.neurons.{}.b", "w.{}"])
def test_a_version_1_file_with_a_huge_index_is_a_state_dict_error(
    tmp_path: Path, part: str
) -> None:
    model = MLP(2, [3, 1], seed=0)
    legacy = {**model.state_dict(), "version": 1}
    legacy["parameters"] = {part.format("9" * 5000): 1.0}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(legacy))
    with pytest.raises(StateDictError, match="unexpected"):
        model.load(path)


@pytest.mark.parametrize(
    "text",
    [
        '{"format": "tracegrad.module", "format": "x"}',
        '{"parameters": {"L1.n0.b": 1.0, "L1.n0.b": 2.0}}',
        '{"config": {"a": [{"k": 1, "k": 1}]}}',
    ],
)
def test_duplicate_keys_in_a_model_file_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "twice.json"
    path.write_text(text)
    model = MLP(2, [3, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(StateDictError, match="appears twice in one object"):
        model.load(path)
    assert [p.data for p in model.parameters()] == before
