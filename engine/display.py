"""How a `Value` shows itself in Jupyter: as its graph, when `viz` is installed.

The engine does not draw. When a notebook displays a Value, this asks `viz.display`
(looked up by name at that moment, so `import engine` never loads it) for the picture;
without it, or when drawing fails, the Value shows as its `repr`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.value import Value


def value_mimebundle(value: Value, include: Any = None, exclude: Any = None) -> dict[str, str]:
    """The IPython rich display of `value`: its graph as SVG, or its repr as text."""
    try:
        display = importlib.import_module("viz.display")
    except ImportError:
        return {"text/plain": repr(value)}
    bundle: dict[str, str] = display.value_mimebundle(value, include=include, exclude=exclude)
    return bundle
