"""`Step`: one frame of a step-through, the record every step-through module shares.

Kept on its own so that the modules that make frames (`viz.steps`) and those that lay
them out (`viz.page`, `viz.slides`, `viz.display`) depend on it, not on each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine import Value

if TYPE_CHECKING:
    import graphviz

__all__ = ["Step"]


@dataclass(frozen=True)
class Step:
    """One frame of the step-through: the node visited, a caption and its picture.

    `phase` is "forward" or "backward"; `index` is the frame's place in its list;
    `compact` says the boxes show bare numbers, data over grad (see `step_through`).
    """

    index: int
    node: Value
    caption: str
    graph: graphviz.Digraph
    phase: str = "backward"
    theme: str = field(default="light", compare=False)
    compact: bool = field(default=False, compare=False)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        """Show the frame's picture when a notebook displays a Step."""
        return self.graph._repr_mimebundle_(include=include, exclude=exclude)
