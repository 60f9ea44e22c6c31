"""`Module`: the base of every model, with parameters, zero_grad and JSON state.

A model's state is plain data: its type, its architecture (`config()`) and a mapping
from parameter names to numbers. That is what `save()` writes as JSON and `load()`
reads back; nothing is ever pickled or evaluated.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any, Self

from engine import Value

__all__ = ["Module", "StateDictError"]

FORMAT = "tracegrad.module"
VERSION = 1


class StateDictError(ValueError):
    """A state dict or model file could not be loaded; `problems` lists every reason."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            f"cannot load {source}: {len(problems)} problem(s):\n  " + "\n  ".join(problems)
        )


class Module:
    """Base class of models: subclasses define `forward`, `named_parameters`, `config`.

    Example:
        >>> from nn import Neuron
        >>> n = Neuron(2, activation="linear")
        >>> [name for name, _ in n.named_parameters()]
        ['w0', 'w1', 'b']
        >>> n.load_state_dict(n.state_dict()) is None
        True
    """

    def forward(self, x: Any) -> Any:
        """Compute the model's output for one input."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, x: Any) -> Any:
        return self.forward(x)

    def forward_batch(self, X: Sequence[Any]) -> list[Any]:
        """The outputs for every input of `X`, in order: the same as `[self(x) for x in X]`.

        `Neuron`, `Layer` and `MLP` override it to share work across the batch (each
        weight is read once per batch instead of once per input); the graphs they
        build are the same. A subclass that overrides `forward` or `__call__` gets this
        loop, so its own code is always what runs.
        """
        return [self(x) for x in X]

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Every parameter with a dotted name, in a stable order."""
        return []

    def parameters(self) -> list[Value]:
        """Every parameter as one flat list, in the order of `named_parameters()`."""
        return [p for _, p in self.named_parameters()]

    def config(self) -> dict[str, Any]:
        """The architecture as JSON-safe data (what must match to load a state)."""
        return {}

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to 0."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, Any]:
        """The model as plain JSON-safe data: type, architecture and parameter values.

        Returns:
            `{"format", "version", "type", "config", "parameters": {name: float}}`.
        """
        return {
            "format": FORMAT,
            "version": VERSION,
            "type": type(self).__name__,
            "config": self.config(),
            "parameters": {name: p.data for name, p in self.named_parameters()},
        }

    def load_state_dict(self, state: Mapping[str, Any], *, source: str = "state dict") -> None:
        """Copy parameter values from `state` into this model.

        Nothing is changed unless the whole state is valid.

        Args:
            state: data as made by `state_dict()`.
            source: how error messages name the state (a file name, say).

        Raises:
            StateDictError: (a ValueError) listing every problem found: a wrong type
                or architecture, missing or unexpected parameters, values that are
                not finite numbers.
        """
        if not isinstance(state, Mapping):
            raise StateDictError(source, [f"expected a JSON object, got {state!r:.80}"])
        problems: list[str] = []
        if state.get("format", FORMAT) != FORMAT:
            problems.append(f"format is {state.get('format')!r}, expected {FORMAT!r}")
        if state.get("version", VERSION) != VERSION:
            problems.append(f"version is {state.get('version')!r}, expected {VERSION}")
        kind = type(self).__name__
        if state.get("type") != kind:
            problems.append(f"type is {state.get('type')!r}, expected {kind!r}")
        config = state.get("config")
        expected_config = self.config()
        if not isinstance(config, Mapping):
            problems.append(f"config is {config!r:.80}, expected an object {expected_config!r}")
        else:
            for key, want in expected_config.items():
                if key not in config:
                    problems.append(f"config is missing {key!r} (expected {want!r})")
                elif config[key] != want:
                    problems.append(
                        f"config {key!r} is {config[key]!r}, this model has {want!r}"
                        " (a different architecture)"
                    )
            problems.extend(
                f"config has an unexpected key {key!r}"
                for key in config
                if key not in expected_config
            )
        values = state.get("parameters")
        named = dict(self.named_parameters())
        new: dict[str, float] = {}
        if not isinstance(values, Mapping):
            problems.append(f"parameters is {values!r:.80}, expected an object of numbers")
        else:
            for name in named:
                if name not in values:
                    problems.append(f"missing parameter {name!r}")
                    continue
                v = values[name]
                if isinstance(v, bool) or not isinstance(v, int | float):
                    problems.append(f"parameter {name!r} is {v!r:.80}, expected a number")
                elif not math.isfinite(v):
                    problems.append(f"parameter {name!r} is {v!r}, expected a finite number")
                else:
                    new[name] = float(v)
            problems.extend(
                f"unexpected parameter {name!r}" for name in values if name not in named
            )
        if problems:
            raise StateDictError(source, problems)
        for name, p in named.items():
            p.data = new[name]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write `state_dict()` to `path` as JSON (floats round-trip exactly).

        Example:
            >>> import tempfile, pathlib
            >>> from nn import MLP
            >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.json"
            >>> model = MLP(2, [3, 1], seed=1)
            >>> model.save(path)
            >>> other = MLP(2, [3, 1], seed=2).load(path)
            >>> other.parameters()[0].data == model.parameters()[0].data
            True
        """
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.state_dict(), f, indent=1, allow_nan=False)
            f.write("\n")

    def load(self, path: str | os.PathLike[str]) -> Self:
        """Load parameters saved by `save()` into this model and return the model.

        Raises:
            FileNotFoundError: if there is no such file.
            StateDictError: (a ValueError) listing every problem: not JSON, another
                architecture, missing/unexpected parameters or non-numbers.
        """
        source = repr(os.fspath(path))
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            state = json.loads(text)  # NaN/Infinity parse, then fail the finite check
        except ValueError as e:
            raise StateDictError(source, [f"not valid JSON ({e})"]) from None
        self.load_state_dict(state, source=source)
        return self


def forward_batch(model: Any, X: Sequence[Any]) -> list[Any]:
    """`model.forward_batch(X)` for a Module, `[model(x) for x in X]` for any callable."""
    if isinstance(model, Module):
        return model.forward_batch(X)
    return [model(x) for x in X]
