"""A Value's notebook display goes through a hook the engine does not name (issue 21)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from typing import Any

import pytest

from engine import Value
from engine import display as engine_display
from engine.display import ENTRY_POINT_GROUP, register_display_hook


@pytest.fixture
def no_registered_hook() -> Iterator[None]:
    previous = register_display_hook(None)
    yield
    register_display_hook(previous)


def test_a_registered_hook_draws_the_value(no_registered_hook: None) -> None:
    seen: list[Any] = []

    def hook(value: Value, include: Any = None, exclude: Any = None) -> dict[str, str]:
        seen.append((value, include, exclude))
        return {"text/html": f"<b>{value.data}</b>"}

    f = Value(2.0, "x") * 3
    assert register_display_hook(hook) is None
    assert f._repr_mimebundle_(include={"text/html"}) == {"text/html": "<b>6.0</b>"}
    assert seen == [(f, {"text/html"}, None)]
    assert register_display_hook(None) is hook


def test_tracegrad_declares_viz_as_the_display_entry_point() -> None:
    points = metadata.entry_points(group=ENTRY_POINT_GROUP)
    assert [p.value for p in points if p.name == "viz"] == ["viz.display:value_mimebundle"]


def test_the_entry_point_draws_the_graph_when_no_hook_is_registered(
    no_registered_hook: None,
) -> None:
    f = Value(2.0, "x") * 3
    bundle = f._repr_mimebundle_()
    assert bundle["text/plain"] == repr(f)
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not on PATH, so viz shows the repr alone")
    assert "<svg" in bundle["image/svg+xml"]


def test_without_any_hook_a_value_shows_its_repr(
    no_registered_hook: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(engine_display._hooks, "entry point", None)
    f = Value(2.0, "x") * 3
    assert f._repr_mimebundle_() == {"text/plain": repr(f)}


def test_a_hook_must_be_callable() -> None:
    with pytest.raises(TypeError, match="hook: expected a callable or None, got int"):
        register_display_hook(3)  # type: ignore[arg-type]


BLOCKER = """
import importlib.abc, json, sys
BLOCKED = {"graphviz", "matplotlib", "tqdm"}
class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is blocked in this test")
        return None
sys.meta_path.insert(0, Blocker())
import engine, nn
from engine import Value
x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
f = (x + y) * z
f.backward()
m = nn.MLP(2, [3, 1], seed=0)
out = m([1.0, 2.0])
print(json.dumps([f.data, x.grad, sorted(k for k in sys.modules if k.split(".")[0] in BLOCKED)]))
"""


def test_engine_and_nn_work_with_graphviz_matplotlib_and_tqdm_absent() -> None:
    out = subprocess.run(
        [sys.executable, "-c", BLOCKER], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [20.0, 4.0, []]
