"""The bridge to PyTorch: the same architecture, outputs and training, in float64."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

torch = pytest.importorskip(
    "torch", reason="torch is not installed: pip install 'tracegrad[torch]' to run these"
)

import nn  # noqa: E402
from nn import MLP, SGD, Adam, Record, fit  # noqa: E402
from nn.bridge import names  # noqa: E402
from nn.data import spiral  # noqa: E402


def close(a: float, b: float, scale: float) -> bool:
    """Equal to 1e-12 relative (to the number, or to its vector's scale near zero)."""
    return abs(a - b) <= 1e-12 * max(abs(a), abs(b), scale)


def torch_value(module: Any, where: str, grad: bool = False) -> float:
    """The number at `0.weight[2, 1]` (or its gradient) in a torch module."""
    m = re.fullmatch(r"(\d+)\.(weight|bias)\[(\d+)(?:, (\d+))?\]", where)
    assert m is not None, where
    tensor = getattr(module[int(m[1])], m[2])
    tensor = (tensor.grad if grad else tensor).detach()
    index = (int(m[3]),) if m[4] is None else (int(m[3]), int(m[4]))
    return float(tensor[index])


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_to_torch_gives_the_same_outputs_and_maps_every_parameter(activation: str) -> None:
    model = MLP(3, [5, 4, 2], activation=activation, output_activation="tanh", seed=3)
    module = nn.to_torch(model)
    assert [type(m).__name__ for m in module] == [
        "Linear", activation.capitalize() if activation != "relu" else "ReLU",
        "Linear", "ReLU" if activation == "relu" else activation.capitalize(),
        "Linear", "Tanh",
    ]  # fmt: skip
    X = [[0.1 * i - 1.0, 0.5, -0.2 * i] for i in range(7)]
    ours = [[o.data for o in model(x)] for x in X]
    theirs = module(torch.tensor(X, dtype=torch.float64)).tolist()
    assert all(close(a, b, 1.0) for r, s in zip(ours, theirs) for a, b in zip(r, s))
    where = names(model)
    assert set(where) == {name for name, _ in model.named_parameters()}
    for name, p in model.named_parameters():
        assert torch_value(module, where[name]) == p.data


def test_from_torch_reads_a_sequential_back() -> None:
    model = MLP(2, [6, 3], activation="tanh", seed=5)
    back = nn.from_torch(nn.to_torch(model))
    assert back.config() == model.config()
    assert [p.data for p in back.parameters()] == [p.data for p in model.parameters()]
    module = torch.nn.Sequential(
        torch.nn.Linear(4, 3, dtype=torch.float64), torch.nn.ReLU(),
        torch.nn.Linear(3, 2, dtype=torch.float64),
    )  # fmt: skip
    read = nn.from_torch(module)
    assert read.config()["sizes"] == [3, 2] and read.activation == "relu"
    x = [0.5, -1.0, 2.0, 0.25]
    assert [o.data for o in read(x)] == pytest.approx(
        module(torch.tensor([x], dtype=torch.float64))[0].tolist(), rel=1e-12
    )


@pytest.mark.parametrize(
    ("module", "error", "match"),
    [
        ("not a module", TypeError, "non-empty torch.nn.Sequential"),
        (lambda: torch.nn.Sequential(torch.nn.ReLU()), TypeError, "module 0 \\(ReLU\\)"),
        (lambda: torch.nn.Sequential(torch.nn.Linear(2, 3, bias=False)), ValueError, "bias"),
        (
            lambda: torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(4, 1)),
            ValueError,
            "module 1 takes 4 inputs",
        ),
        (
            lambda: torch.nn.Sequential(
                torch.nn.Linear(2, 3),
                torch.nn.ReLU(),
                torch.nn.Linear(3, 3),
                torch.nn.Tanh(),
                torch.nn.Linear(3, 1),
            ),
            ValueError,
            "activations differ",
        ),
    ],
)
def test_from_torch_refuses_what_it_cannot_read(module: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        nn.from_torch(module() if callable(module) else module)


def test_to_torch_refuses_an_activation_torch_has_no_module_for() -> None:
    with pytest.raises(ValueError, match=r"activation .step. has no torch\.nn module"):
        nn.to_torch(MLP(2, [3, 1], activation="step"))


OPTIMIZERS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "sgd": (lambda ps: SGD(ps, lr=0.2), lambda ps: torch.optim.SGD(ps, lr=0.2)),
    "momentum": (
        lambda ps: SGD(ps, lr=0.1, momentum=0.9),
        lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
    ),
    "adam": (lambda ps: Adam(ps, lr=0.02), lambda ps: torch.optim.Adam(ps, lr=0.02)),
}


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_training_50_steps_gives_the_same_losses_and_gradients_as_torch(optimizer: str) -> None:
    X, y = spiral(12, classes=3, seed=1)
    model = MLP(2, [8, 3], activation="tanh", seed=2)
    module = nn.to_torch(model)
    ours_opt, theirs_opt = OPTIMIZERS[optimizer]
    params = model.parameters()
    history = fit(
        model, X, y, loss="cross_entropy", optimizer=ours_opt(params), epochs=50,
        progress=False, callbacks=[Record("grads", lambda: [p.grad for p in params], "batch")],
    )  # fmt: skip
    where = names(model)
    order = [where[name] for name, _ in model.named_parameters()]
    opt = theirs_opt(module.parameters())
    inputs, targets = torch.tensor(X, dtype=torch.float64), torch.tensor(y)
    for step in range(50):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(module(inputs), targets)
        loss.backward()
        theirs = [torch_value(module, w, grad=True) for w in order]
        ours = history.records["grads"][step]
        scale = max(map(abs, theirs))
        assert close(history.loss[step], loss.item(), 1.0), (step, history.loss[step], loss)
        assert all(close(a, b, scale) for a, b in zip(ours, theirs)), step
        opt.step()
    final = [p.data for p in model.parameters()]
    assert all(close(a, torch_value(module, w), 1.0) for a, w in zip(final, order))


def test_to_torch_refuses_a_model_whose_forward_torch_would_not_run() -> None:
    class Doubled(MLP):
        def forward(self, x: Any) -> Any:
            return [o * 2.0 for o in super().forward(x)]

    with pytest.raises(TypeError, match="running its own forward"):
        nn.to_torch(Doubled(2, [3, 1]))
    with pytest.raises(TypeError, match="running its own forward"):
        nn.to_torch("not a model")


@pytest.mark.parametrize("model", [nn.Neuron(3, "relu", seed=1), nn.Layer(3, 2, "tanh", seed=1)])
def test_neurons_and_layers_go_to_torch_too(model: Any) -> None:
    module = nn.to_torch(model)
    x = [0.5, -1.0, 2.0]
    ours = model(x)
    ours = [o.data for o in (ours if isinstance(ours, list) else [ours])]
    theirs = module(torch.tensor([x], dtype=torch.float64))[0].tolist()
    assert all(close(a, b, 1.0) for a, b in zip(ours, theirs, strict=True))
