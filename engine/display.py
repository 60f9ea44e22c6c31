"""How a `Value` shows itself in Jupyter: through a display hook the engine does not name.

The engine does not draw, and it names no drawing package. A package that can picture a
Value offers a hook, a function `hook(value, include=None, exclude=None) -> dict` that
returns an IPython mime bundle, in one of two ways:

- it is registered in code with `register_display_hook(hook)`; or
- its distribution declares an entry point in the group `tracegrad.display` (tracegrad's
  own `viz` does, in setup.cfg), loaded the first time a notebook displays a Value, so
  `import engine` loads no drawing code.

Without a hook, or when the hook fails, the Value shows as its `repr`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib import metadata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.value import Value

DisplayHook = Callable[..., dict[str, str]]

ENTRY_POINT_GROUP = "tracegrad.display"

_lock = threading.Lock()
_hooks: dict[str, DisplayHook | None] = {}


def register_display_hook(hook: DisplayHook | None) -> DisplayHook | None:
    """Make `hook` the one that draws Values in notebooks; None goes back to the entry point.

    Args:
        hook: a callable `hook(value, include=None, exclude=None)` returning a mime bundle
            (a dict from mime type to text), or None to forget a registered hook.

    Returns:
        The hook that was registered before (None when there was none).

    Raises:
        TypeError: if `hook` is neither callable nor None.
    """
    if hook is not None and not callable(hook):
        raise TypeError(f"hook: expected a callable or None, got {type(hook).__name__}")
    with _lock:
        previous = _hooks.get("registered")
        _hooks["registered"] = hook
    return previous


def _entry_point_hook() -> DisplayHook | None:
    """The first hook declared in the `tracegrad.display` entry-point group, loaded once."""
    with _lock:
        if "entry point" not in _hooks:
            hook = None
            for point in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=str):
                try:
                    hook = point.load()
                except ImportError:  # declared by a package whose dependencies are missing
                    continue
                break
            _hooks["entry point"] = hook
        return _hooks["entry point"]


def value_mimebundle(value: Value, include: Any = None, exclude: Any = None) -> dict[str, str]:
    """The IPython rich display of `value`: what the display hook draws, or its repr as text."""
    hook = _hooks.get("registered") or _entry_point_hook()
    if hook is None:
        return {"text/plain": repr(value)}
    bundle: dict[str, str] = hook(value, include=include, exclude=exclude)
    return bundle
