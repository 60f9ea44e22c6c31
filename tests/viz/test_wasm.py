"""The WebAssembly Graphviz that viz/wasm ships, and the HTML that uses it (issue 21)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from viz import wasm

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_library_is_the_pinned_npm_release() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    pinned = lock["packages"]["node_modules/@viz-js/viz"]["version"]
    text = wasm.library()
    assert text.startswith(f"/*!\nViz.js {pinned}\n")
    assert "instance" in text and len(text) > 1_000_000  # the WebAssembly is inside


def test_the_shipped_library_equals_the_one_npm_ci_fetches() -> None:
    fetched = ROOT / "node_modules" / "@viz-js" / "viz" / "dist" / wasm.LIBRARY
    if not fetched.exists():
        pytest.skip("node_modules/ is not there: `npm ci` fetches it (.ci/setup runs it)")
    shipped = ROOT / "viz" / "wasm" / wasm.LIBRARY
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (shipped, fetched)]
    assert digest[0] == digest[1]


def test_the_library_goes_into_the_first_snippet_only() -> None:
    first = wasm.graph_html("digraph { a -> b }", with_library=True)
    later = wasm.graph_html("digraph { a -> b }", with_library=False)
    assert len(first) > 1_000_000 > 10_000 > len(later)
    assert first.count("<script>") == later.count("<script>") == 1


def test_text_in_the_graph_cannot_end_the_script() -> None:
    source = 'digraph { a [label="</script><script>alert(1)</script><!--"] }'
    snippet = wasm.graph_html(source, with_library=False)
    assert snippet.count("</script>") == 1 and "<!--" not in snippet
    body = snippet.split("<script>", 1)[1].removesuffix("</script>")
    assert "alert(1)" in body  # kept as text inside a JavaScript string, not as markup


def test_each_snippet_has_its_own_box() -> None:
    ids = {wasm.graph_html("digraph {}", with_library=False).split('"')[1] for _ in range(3)}
    assert len(ids) == 3


def test_dot_source_must_be_text() -> None:
    with pytest.raises(TypeError, match="dot_source: expected the DOT text as a str"):
        wasm.graph_html(b"digraph {}")  # type: ignore[arg-type]
