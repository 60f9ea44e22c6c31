"""`Module`: the base of every model, with parameters, zero_grad and JSON state.

A model's state is plain data: its type, its architecture (`config()`) and a mapping
from parameter names to numbers. That is what `save()` writes as JSON and `load()`
reads back; nothing is ever pickled or evaluated. A save is written whole or not at
all, and a load fails with one `StateDictError` whatever the file holds.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import sys
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Self

from engine import Value
from engine.fast import Stage, forward_stages
from nn._report import problem_list, short_repr
from nn.files import write_text

__all__ = ["Module", "StateDictError"]

FORMAT = "tracegrad.module"
VERSION = 3  # 3: weights "L1.n0.w1".., bias "L1.n0.w0", as the notes name them;
# read too: 2, "L1.n0.w0".. for the weights and "L1.n0.b" for the bias; 1,
# "layers.0.neurons.0.w.0" (the same numbering as 2).
# Indices of up to 9 digits: a longer one names no parameter (and int() of thousands of
# digits raises), so such a name stays as it is and is reported as unexpected.
_V1_PARTS = re.compile(r"layers\.(\d{1,9})\.|neurons\.(\d{1,9})\.|w\.(\d{1,9})$")


_V2_PART = re.compile(r"(?:^|(?<=\.))(?:w(\d{1,9})|b)$")


def _v2_name(name: object) -> object:
    """A version-2 parameter name in today's form: `L1.n2.w0` -> `L1.n2.w1`, `b` -> `w0`."""
    if not isinstance(name, str):
        return name
    return _V2_PART.sub(lambda m: "w0" if m.group(1) is None else f"w{int(m.group(1)) + 1}", name)


def _v1_name(name: object) -> object:
    """A version-1 parameter name in today's form: `layers.0.neurons.2.w.1` -> `L1.n2.w1`."""
    if not isinstance(name, str):
        return name

    def part(m: re.Match[str]) -> str:
        layer, neuron, weight = m.groups()
        if layer is not None:
            return f"L{int(layer) + 1}."
        return f"n{neuron}." if neuron is not None else f"w{weight}"

    return _V1_PARTS.sub(part, name)


class StateDictError(ValueError):
    """A state dict or model file could not be loaded; `problems` lists every reason.

    The message shows the first few problems and counts the rest, so it stays short
    whatever the file holds; `problems` keeps them all.
    """

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            f"cannot load {source}: {len(problems)} problem(s):" + problem_list(problems)
        )


class Module:
    """Base class of models: subclasses define `forward`, `named_parameters`, `config`.

    Example:
        >>> from nn import Neuron
        >>> n = Neuron(2, activation="linear")
        >>> [name for name, _ in n.named_parameters()]
        ['w1', 'w2', 'w0']
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

        Where the model describes itself as layers of weights (`fused_stages()`, as
        `Neuron`, `Layer` and `MLP` do), the whole batch goes through
        `engine.fast.forward_stages`, which reads each weight once per batch and builds
        the very nodes `self(x)` builds; otherwise, this loop.
        """
        stages = self.fused_stages()
        if stages is None:
            return [self(x) for x in X]
        if type(X) is not list and type(X) is not tuple:
            X = list(X)  # read it once: a generator would be used up by the checks below
        n_in = len(stages[0][0][0])
        for i, x in enumerate(X):
            if not hasattr(x, "__len__") or len(x) != n_in:
                got = f"{len(x)} inputs" if hasattr(x, "__len__") else type(x).__name__
                raise ValueError(f"{self!r} expects {n_in} inputs, got {got} in X[{i}]: {x!r:.80}")
        outs = forward_stages(stages, X)
        return [out[0] for out in outs] if self.ONE_OUTPUT else outs

    # ---------------------------------------------------------- the fused path's hook

    FUSED_FORWARD: ClassVar[Any] = None
    """The `forward` that `stages()` describes (set by the class that defines both)."""
    ONE_OUTPUT: ClassVar[bool] = False
    """Whether `forward` returns one Value rather than a list (a `Neuron`)."""

    def stages(self) -> list[Stage] | None:
        """The model as layers (weight rows, biases, activation), or None: no fused path."""
        return None

    def fused_stages(self) -> list[Stage] | None:
        """The one hook of the fused path: `stages()`, when the `forward` that runs is
        the one they describe; None for a subclass with a `forward` or `__call__` of its
        own, whose own code then runs for every input (and `compile=True` refuses it)."""
        kind = type(self)
        if kind.forward is not kind.FUSED_FORWARD or kind.__call__ is not Module.__call__:
            return None
        return self.stages()

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
            raise StateDictError(source, [f"expected a JSON object, got {short_repr(state)}"])
        problems: list[str] = []
        if state.get("format", FORMAT) != FORMAT:
            problems.append(f"format is {short_repr(state.get('format'))}, expected {FORMAT!r}")
        version = state.get("version", VERSION)
        if version not in (1, 2, VERSION) or isinstance(version, bool):
            problems.append(f"version is {short_repr(version)}, expected {VERSION}")
        kind = type(self).__name__
        if state.get("type") != kind:
            problems.append(f"type is {short_repr(state.get('type'))}, expected {kind!r}")
        config = state.get("config")
        expected_config = self.config()
        if not isinstance(config, Mapping):
            problems.append(
                f"config is {short_repr(config)}, expected an object {expected_config!r}"
            )
        else:
            for key, want in expected_config.items():
                if key not in config:
                    problems.append(f"config is missing {key!r} (expected {want!r})")
                elif config[key] != want:
                    problems.append(
                        f"config {key!r} is {short_repr(config[key])}, this model has {want!r}"
                        " (a different architecture)"
                    )
            problems.extend(
                f"config has an unexpected key {short_repr(key)}"
                for key in config
                if key not in expected_config
            )
        values = state.get("parameters")
        if version == 1 and isinstance(values, Mapping):  # the names before version 2
            values = {_v1_name(name): v for name, v in values.items()}
        if version in (1, 2) and isinstance(values, Mapping):  # the names before version 3
            values = {_v2_name(name): v for name, v in values.items()}
        named = dict(self.named_parameters())
        new: dict[str, float] = {}
        if not isinstance(values, Mapping):
            problems.append(f"parameters is {short_repr(values)}, expected an object of numbers")
        else:
            for name in named:
                if name not in values:
                    problems.append(f"missing parameter {name!r}")
                    continue
                v = values[name]
                if isinstance(v, bool) or not isinstance(v, int | float):
                    problems.append(f"parameter {name!r} is {short_repr(v)}, expected a number")
                    continue
                try:
                    x = float(v)
                except OverflowError:  # an int beyond the largest float
                    problems.append(f"parameter {name!r} is {short_repr(v)}, too large for a float")
                    continue
                if math.isfinite(x):
                    new[name] = x
                else:
                    problems.append(f"parameter {name!r} is {x!r}, expected a finite number")
            problems.extend(
                f"unexpected parameter {short_repr(name)}" for name in values if name not in named
            )
        if problems:
            raise StateDictError(source, problems)
        for name, p in named.items():
            p.data = new[name]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write `state_dict()` to `path` as JSON (floats round-trip exactly), whole or not at all.

        The JSON text is made first and written to a temporary file beside `path`,
        which is synced and then renamed over `path`. So if anything fails (a
        parameter that is NaN or infinite, a full disk, the process killed midway),
        `path` keeps its old content, or stays absent: never a half-written model.

        Raises:
            ValueError: if a parameter is not a finite number (nothing is written).
            OSError: if the file cannot be written (`path` is left as it was).

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
        state = self.state_dict()
        bad = [name for name, x in state["parameters"].items() if not math.isfinite(x)]
        if bad:
            shown = ", ".join(f"{name!r} is {state['parameters'][name]!r}" for name in bad[:3])
            more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
            raise ValueError(
                f"cannot save {os.fspath(path)!r}: parameter {shown}{more}; a saved model"
                " holds finite numbers only, and the file was not touched"
            )
        text = json.dumps(state, indent=1, allow_nan=False) + "\n"  # fails before any write
        write_text(path, text)

    def load(self, path: str | os.PathLike[str]) -> Self:
        """Load parameters saved by `save()` into this model and return the model.

        Whatever the path or the file holds, these are the only two errors; the
        model is changed only when the whole file is valid.

        Raises:
            FileNotFoundError: if there is no such file.
            StateDictError: (a ValueError) listing every problem: a folder or other
                non-file, unreadable or not UTF-8, not JSON (or nested too deeply),
                another architecture, missing/unexpected parameters or non-numbers.
        """
        source = repr(os.fspath(path))
        text = _read_text(path, source)
        try:  # NaN/Infinity parse, then fail the finite check
            state = json.loads(text, object_pairs_hook=_without_duplicates)
        except _DuplicateKeyError as e:
            raise StateDictError(
                source, [f"the key {short_repr(e.key)} appears twice in one object"]
            ) from None
        except json.JSONDecodeError as e:
            raise StateDictError(source, [f"not valid JSON ({e})"]) from None
        except RecursionError:
            raise StateDictError(source, ["its JSON is nested too deeply to be a model"]) from None
        except ValueError:  # Python reads no integer longer than this limit
            raise StateDictError(
                source, [f"holds an integer of over {sys.get_int_max_str_digits()} digits"]
            ) from None
        self.load_state_dict(state, source=source)
        return self


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refusing a key given twice (json keeps the last one)."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


def _read_text(path: str | os.PathLike[str], source: str) -> str:
    """The file's text, or a StateDictError saying why it cannot be read as text."""
    try:
        kind = os.stat(path).st_mode
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as e:  # no permission, a link loop, a NUL in the name
        raise StateDictError(source, [f"cannot read it ({_reason(e)})"]) from None
    if stat.S_ISDIR(kind):
        raise StateDictError(source, ["it is a folder, not a model file"])
    if not stat.S_ISREG(kind):  # a pipe or a device could block or never end
        raise StateDictError(source, ["it is not a regular file (a pipe or a device?)"])
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise
    except OSError as e:
        raise StateDictError(source, [f"cannot read it ({_reason(e)})"]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise StateDictError(
            source, [f"not UTF-8 text (byte {data[e.start]:#04x} at offset {e.start})"]
        ) from None


def _reason(e: OSError | ValueError) -> str:
    return (e.strerror if isinstance(e, OSError) else None) or str(e)


def forward_batch(model: Any, X: Sequence[Any]) -> list[Any]:
    """`model.forward_batch(X)` for a Module, `[model(x) for x in X]` for any callable."""
    if isinstance(model, Module):
        return model.forward_batch(X)
    return [model(x) for x in X]
