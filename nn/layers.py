"""Neurons, layers and multi-layer networks built from engine Values.

They compose as they read: `Neuron.forward` is the weighted sum `engine.dot(w, x,
bias=b)` and its activation (two nodes), `Layer.forward` calls each of its neurons on
the same inputs, and `MLP.forward` calls each layer on the outputs of the one before.

A batch takes the fused path instead, behind one hook: each class describes itself as
stages of weight rows (`stages()`), and `Module.forward_batch` hands them to
`engine.fast.forward_stages`, which makes the very nodes the calls above make with
`engine.matvec_batch` (each weight read once per batch) and, under `no_grad()`, computes
the in-between numbers as plain floats. A subclass with a `forward` of its own gets its
own code for every input (`Module.fused_stages`); tests/nn/test_composition.py proves
both paths give the same nodes and floats.

Activations: "linear" (none) or the name of any one-input op of the engine's registry
("tanh", "relu", "sigmoid", "step", "exp", ..., and ops added with `engine.define_op`).

Parameters are named when they are made, and the names are their labels in pictures
and their keys in the state dict, in the notes' words: `L1.n0.w2` is layer 1 (the
first layer after the inputs), neuron 0 of it, the weight on its input 2 (inputs
count from 1, as the notes' x1 .. xd); `L1.n0.w0` is that neuron's bias, which the
notes call w0 (the weight of their constant feature x0 = 1).

Initialisation (seeded, so the same seed gives the same network): biases start at 0
and each weight is drawn uniformly from `[-a, a]` with `a = sqrt(3 / n_in)` (weights
of variance `1 / n_in`, which keeps tanh and sigmoid units out of saturation), or
`a = sqrt(6 / n_in)` for relu units (variance `2 / n_in`, making up for relu zeroing
half of its inputs).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

from engine import OPS_BY_NAME, Value, dot
from engine.checks import check_int
from engine.fast import Stage
from engine.ops import one_input_ops
from nn.module import Module

__all__ = ["MLP", "Layer", "Neuron", "activations"]

Input = Sequence[Value | float]


def activations() -> list[str]:
    """The activation names a layer accepts: "linear", then every one-input op.

    >>> activations()[:4]
    ['linear', 'neg', 'exp', 'log']
    """
    return ["linear", *(op.name for op in one_input_ops())]


def _activation_fn(activation: str) -> Callable[[Value], Value] | None:
    return None if activation == "linear" else OPS_BY_NAME[activation].apply


def _check_activation(activation: object, name: str = "activation") -> str:
    allowed = activations()
    if not isinstance(activation, str) or activation not in allowed:
        raise ValueError(
            f"Invalid {name}: {activation!r} (expected one of {', '.join(map(repr, allowed))},"
            " or an op added with engine.define_op)"
        )
    return activation


def _check_size(n: object, name: str) -> int:
    return check_int(n, name, minimum=1)


def _check_seed(seed: object) -> int:
    return check_int(seed, "seed")


def _name_parameters(model: Module) -> None:
    """Label every parameter with its state-dict name (shown in pictures)."""
    for name, p in model.named_parameters():
        p.label = name


def _stage(layer: Layer) -> Stage:
    return [n.w for n in layer.neurons], [n.b for n in layer.neurons], layer.activation


def _only(outputs: list[Value], model: Module) -> Value:
    """The one output of a one-output model, or a clear error naming the model."""
    if len(outputs) != 1:
        raise ValueError(
            f"scalar() needs a model with exactly one output, but {model!r} has {len(outputs)}:"
            " index the list that calling the model returns instead"
        )
    return outputs[0]


class Neuron(Module):
    """One unit: `activation(w . x + b)`.

    Args:
        n_in: the number of inputs.
        activation: "linear" or a one-input op's name ("tanh", "relu", ...).
        seed: seeds the initial weights (see the module docstring).

    Example:
        >>> n = Neuron(2, activation="tanh", seed=0)
        >>> n
        Neuron(2, activation='tanh', seed=0)
        >>> out = n([1.0, -2.0])
        >>> out.op, out.parents[0].op, len(n.parameters())
        ('tanh', 'dot', 3)
    """

    def __init__(self, n_in: int, activation: str = "tanh", *, seed: int = 0) -> None:
        self.n_in = _check_size(n_in, "n_in")
        self.activation = _check_activation(activation)
        self.seed = _check_seed(seed)
        rng = random.Random(seed)
        a = math.sqrt((6.0 if activation == "relu" else 3.0) / n_in)
        self.w = [Value(rng.uniform(-a, a)) for _ in range(n_in)]
        self.b = Value(0.0)
        self._act = _activation_fn(activation)
        _name_parameters(self)

    def __repr__(self) -> str:
        return f"Neuron({self.n_in}, activation={self.activation!r}, seed={self.seed!r})"

    def forward(self, x: Input) -> Value:
        """The neuron's output for the inputs `x` (as many as `n_in`).

        Raises:
            ValueError: if `x` has the wrong length.
        """
        if len(x) != self.n_in:
            raise ValueError(f"Neuron expects {self.n_in} inputs, got {len(x)}: {x!r:.80}")
        z = dot(self.w, x, bias=self.b)
        return z if self._act is None else self._act(z)

    FUSED_FORWARD = forward  # what stages() below describes
    ONE_OUTPUT = True

    def stages(self) -> list[Stage]:
        """One stage of one row: how `forward_batch` runs this neuron on a whole batch."""
        return [([self.w], [self.b], self.activation)]

    def named_parameters(self) -> list[tuple[str, Value]]:
        """The weights `w1 .. w{n_in}` (`w{i}` multiplies input i, counted from 1, as the
        notes count features), then the bias `w0`: the notes' name for it, the weight of
        their constant feature x0 = 1."""
        return [*((f"w{i + 1}", w) for i, w in enumerate(self.w)), ("w0", self.b)]

    def config(self) -> dict[str, Any]:
        """The architecture: input count and activation."""
        return {"n_in": self.n_in, "activation": self.activation}


class Layer(Module):
    """`n_out` neurons reading the same `n_in` inputs; returns a list of `n_out` Values.

    A layer of one neuron still returns a one-element list.

    Args:
        n_in: the number of inputs.
        n_out: the number of neurons (outputs).
        activation: the activation of every neuron.
        seed: seeds the initial weights; each neuron gets its own seed drawn from it.

    Example:
        >>> layer = Layer(3, 1, activation="relu", seed=4)
        >>> layer
        Layer(3, 1, activation='relu', seed=4)
        >>> out = layer([1.0, 2.0, 3.0])
        >>> type(out).__name__, len(out)
        ('list', 1)
    """

    def __init__(self, n_in: int, n_out: int, activation: str = "tanh", *, seed: int = 0) -> None:
        self.n_in = _check_size(n_in, "n_in")
        self.n_out = _check_size(n_out, "n_out")
        self.activation = _check_activation(activation)
        self.seed = _check_seed(seed)
        rng = random.Random(seed)
        self.neurons = [Neuron(n_in, activation, seed=rng.getrandbits(32)) for _ in range(n_out)]
        _name_parameters(self)

    def __repr__(self) -> str:
        return (
            f"Layer({self.n_in}, {self.n_out}, activation={self.activation!r}, seed={self.seed!r})"
        )

    def forward(self, x: Input) -> list[Value]:
        """The outputs of every neuron, in order: each neuron on the same inputs."""
        if len(x) != self.n_in:
            raise ValueError(f"Layer expects {self.n_in} inputs, got {len(x)}: {x!r:.80}")
        return [neuron(x) for neuron in self.neurons]

    FUSED_FORWARD = forward  # what stages() below describes

    def stages(self) -> list[Stage] | None:
        """One stage, the neurons' weight rows: how `forward_batch` runs the layer on a
        whole batch (None if a neuron runs a forward of its own)."""
        if any(n.fused_stages() is None for n in self.neurons):
            return None
        return [_stage(self)]

    def scalar(self, x: Input) -> Value:
        """The single output of a one-neuron layer as a Value (see `MLP.scalar`)."""
        return _only(self.forward(x), self)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """`n{j}.w{i}` and `n{j}.w0` (the bias), neuron by neuron."""
        return [
            (f"n{j}.{name}", p)
            for j, n in enumerate(self.neurons)
            for name, p in n.named_parameters()
        ]

    def config(self) -> dict[str, Any]:
        """The architecture: input and output counts and activation."""
        return {"n_in": self.n_in, "n_out": self.n_out, "activation": self.activation}


class MLP(Module):
    """A multi-layer perceptron: layers of the given sizes, each feeding the next.

    Hidden layers use `activation`; the last layer uses `output_activation`
    ("linear" by default, so the outputs are scores or logits). The output is
    always a list, one Value per unit of the last layer, even for a single output.

    Args:
        n_in: the number of inputs.
        sizes: the number of neurons in each layer, hidden layers first.
        activation: the hidden layers' activation.
        output_activation: the last layer's activation.
        seed: seeds the initial weights; each layer gets its own seed drawn from it.

    Example:
        >>> model = MLP(2, [16, 1, 1], seed=0)   # a one-unit hidden layer is fine
        >>> model
        MLP(2, [16, 1, 1], activation='tanh', output_activation='linear', seed=0)
        >>> out = model([0.5, -1.0])
        >>> len(out), len(model.parameters())
        (1, 67)
    """

    def __init__(
        self,
        n_in: int,
        sizes: Sequence[int],
        activation: str = "tanh",
        output_activation: str = "linear",
        *,
        seed: int = 0,
    ) -> None:
        self.n_in = _check_size(n_in, "n_in")
        if isinstance(sizes, int | str) or not isinstance(sizes, Sequence) or not sizes:
            raise TypeError(f"Invalid sizes: {sizes!r} (expected a non-empty list of ints)")
        self.sizes = [_check_size(s, f"sizes[{i}]") for i, s in enumerate(sizes)]
        self.activation = _check_activation(activation)
        self.output_activation = _check_activation(output_activation, "output_activation")
        self.seed = _check_seed(seed)
        rng = random.Random(seed)
        fan_in = [n_in, *self.sizes[:-1]]
        last = len(self.sizes) - 1
        self.layers = [
            Layer(
                fan_in[k],
                size,
                output_activation if k == last else activation,
                seed=rng.getrandbits(32),
            )
            for k, size in enumerate(self.sizes)
        ]
        _name_parameters(self)

    def __repr__(self) -> str:
        return (
            f"MLP({self.n_in}, {self.sizes!r}, activation={self.activation!r},"
            f" output_activation={self.output_activation!r}, seed={self.seed!r})"
        )

    def scalar(self, x: Input) -> Value:
        """The single output as a Value rather than a one-element list.

        Calling the model always returns a list, even for one output unit; this is the
        explicit way to ask for the bare Value. Raises ValueError for several outputs.

        Example:
            >>> MLP(2, [4, 1], seed=0).scalar([0.5, -1.0]).op
            'dot'
        """
        return _only(self.forward(x), self)

    def forward(self, x: Input) -> list[Value]:
        """The outputs of the last layer: each layer on the outputs of the one before."""
        if len(x) != self.n_in:
            raise ValueError(f"MLP expects {self.n_in} inputs, got {len(x)}: {x!r:.80}")
        h: Input = x
        for layer in self.layers:
            h = layer(h)
        return h  # type: ignore[return-value]

    FUSED_FORWARD = forward  # what stages() below describes

    def stages(self) -> list[Stage] | None:
        """One stage per layer: how `forward_batch` runs the network on a whole batch
        (None if a layer runs a forward of its own)."""
        stages: list[Stage] = []
        for layer in self.layers:
            own = layer.fused_stages()
            if own is None:
                return None
            stages += own
        return stages

    def named_parameters(self) -> list[tuple[str, Value]]:
        """`L{k}.n{j}.w{i}` and `L{k}.n{j}.w0` (the bias), layer by layer (from 1)."""
        return [
            (f"L{k + 1}.{name}", p)
            for k, layer in enumerate(self.layers)
            for name, p in layer.named_parameters()
        ]

    def config(self) -> dict[str, Any]:
        """The architecture: input count, layer sizes and activations."""
        return {
            "n_in": self.n_in,
            "sizes": list(self.sizes),
            "activation": self.activation,
            "output_activation": self.output_activation,
        }
