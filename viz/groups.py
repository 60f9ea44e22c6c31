"""Groups for collapsing a model's graph: one box per layer (or per neuron).

Used with `draw_graph(..., groups=...)` so that the graph of an MLP stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine import Value


def layer_groups(
    model: Any, x: Sequence[Value | float]
) -> tuple[list[Value], dict[str, list[Value]]]:
    """Run `model` on one input and return its outputs and one group per layer.

    The model is an `nn.MLP` (anything with `.layers`, each a callable returning a
    list of Values and having `parameters()`), or an `nn.Layer` (anything with
    `.neurons`), which gets one group per neuron. A group holds the layer's
    parameters and its outputs; `draw_graph` adds everything in between (the dot and
    activation nodes).

    Args:
        model: an MLP or a Layer.
        x: one input point.

    Returns:
        The model's outputs and a dict from a box title to that box's Values.

    Raises:
        TypeError: if the model has neither `.layers` nor `.neurons`.

    Example:
        >>> from nn import MLP
        >>> out, groups = layer_groups(MLP(2, [3, 1], seed=0), [0.5, -1.0])
        >>> list(groups), len(out)
        (['layer 1: 3 tanh neurons', 'layer 2: 1 linear neuron'], 1)
    """
    parts = getattr(model, "layers", None)
    kind = "layer"
    if parts is None:
        parts = getattr(model, "neurons", None)
        kind = "neuron"
    if parts is None:
        raise TypeError(
            f"layer_groups() needs a model with .layers (an MLP) or .neurons (a Layer), "
            f"got {model!r:.80}"
        )
    groups: dict[str, list[Value]] = {}
    out: list[Value] = []
    current: Sequence[Value | float] = list(x)
    for k, part in enumerate(parts):
        result = part(current)
        outputs = list(result) if isinstance(result, list | tuple) else [result]
        if kind == "layer":
            n = len(outputs)
            activation = getattr(part, "activation", "")
            title = f"layer {k + 1}: {n} {activation} neuron{'s' if n != 1 else ''}".replace(
                "  ", " "
            )
            groups[title] = [*part.parameters(), *outputs]
            current = outputs
            out = outputs
        else:
            groups[f"neuron {k + 1}"] = [*part.parameters(), *outputs]
            out.extend(outputs)
    return out, groups
