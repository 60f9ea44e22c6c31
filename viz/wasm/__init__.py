"""Graphs drawn in the notebook's browser when Graphviz's `dot` is not installed.

The package carries Graphviz compiled to WebAssembly (`viz-global.js` from the npm package
`@viz-js/viz`, see NOTICE.md), so no CDN and no network are needed. `graph_html` turns the
DOT text (the same text `dot` would get) into an HTML snippet whose script lays the graph
out in the browser and puts the SVG in its place.

The library is 1.3 MB, so a Python process puts it in the first snippet it makes only;
later snippets wait for it (a notebook's outputs run in order, also when it is reopened or
exported to HTML). A snippet that finds no library after 20 s says, in one line, to run
the cell again.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import re
import sys
import threading
from importlib import resources
from typing import Any

LIBRARY = "viz-global.js"

_lock = threading.Lock()
_sent = False
_ids = itertools.count()

# Runs the library with AMD and CommonJS hidden, so it always defines window.Viz, also in
# pages that load require.js (classic Jupyter, nbconvert's HTML).
_LOAD = """
if (!window.__tracegradViz) {{
  (function (define, exports, module) {{
{library}
  }}).call(window);
  window.__tracegradViz = window.Viz;
}}
"""

_DRAW = """
(function () {{
  var box = document.getElementById({box_id});
  var source = {source};
  function fail(error) {{
    box.textContent = "tracegrad: the graph could not be drawn in the browser: " + error;
  }}
  function draw(tries) {{
    var Viz = window.__tracegradViz;
    if (!Viz) {{
      if (tries > 200) {{
        fail("its Graphviz library is missing from this page; run the cell again");
      }} else {{
        setTimeout(function () {{ draw(tries + 1); }}, 100);
      }}
      return;
    }}
    Viz.instance().then(function (viz) {{
      var svg = viz.renderSVGElement(source);
      box.replaceChildren(svg);
    }}).catch(fail);
  }}
  draw(0);
}})();
"""


def library() -> str:
    """The WebAssembly Graphviz's JavaScript (with the WebAssembly inside), as text."""
    return resources.files(__name__).joinpath(LIBRARY).read_text(encoding="utf-8")


def _script_text(js: str) -> str:
    """`js` made safe inside <script>...</script>: nothing in it can end the element early.

    Only "</script" and "<!--" matter to an HTML parser inside a script; in JavaScript
    strings (where the DOT text is, as JSON) "<\\/" and "<\\!" read as "</" and "<!".
    """
    return re.sub(r"<(/script|!--)", r"<\\\1", js, flags=re.IGNORECASE)


def graph_html(dot_source: str, *, with_library: bool | None = None) -> str:
    """An HTML snippet that draws `dot_source` as SVG in the browser, without `dot`.

    Args:
        dot_source: the graph's DOT text (a Digraph's `.source`).
        with_library: put the 1.3 MB library in the snippet (True), leave it out (False),
            or, with None, put it in the first snippet this process makes only (in every
            one on Colab, whose outputs are frames of their own).

    Returns:
        A <div> that shows "drawing the graph..." until the script replaces it with the SVG.

    Raises:
        TypeError: if `dot_source` is not a str.

    Example:
        >>> snippet = graph_html("digraph { a -> b }", with_library=False)
        >>> "renderSVGElement" in snippet and "Viz.instance" in snippet
        True
    """
    global _sent
    if not isinstance(dot_source, str):
        raise TypeError(f"dot_source: expected the DOT text as a str, got {dot_source!r}")
    with _lock:
        if with_library is None:
            # Colab shows each output in a frame of its own: there every snippet needs it.
            with_library, _sent = not _sent or "google.colab" in sys.modules, True
        box_id = f"tracegrad-graph-{os.getpid()}-{next(_ids)}"
    load = _LOAD.format(library=library()) if with_library else ""
    draw = _DRAW.format(box_id=json.dumps(box_id), source=json.dumps(dot_source))
    return (
        f'<div id="{box_id}" class="tracegrad-graph">drawing the graph...</div>\n'
        f"<script>{_script_text(load + draw)}</script>"
    )


FRAMES_SCRIPT = "frames.js"


def browser_frames_script(frames: list[dict[str, Any]], max_side: int) -> str:
    """The scripts with which a step-through page lays out its frames in the browser.

    Args:
        frames: the frames as `viz.page.frame_sources` gives them (a DOT text per layout).
        max_side: the longest side, in pixels, of a frame still drawn (see `viz.page`).

    Returns:
        HTML: the frames as JSON, the WebAssembly Graphviz and `frames.js`, which fills
        each frame's `.layout` boxes and sets `window.__tracegradFramesReady`.
    """
    data = json.dumps({"maxSide": max_side, "frames": [{"dots": f["dots"]} for f in frames]})
    data = data.replace("<", "\\u003c")  # JSON still, and nothing in it can end the script
    code = resources.files(__name__).joinpath(FRAMES_SCRIPT).read_text(encoding="utf-8")
    return (
        f'<script type="application/json" id="tracegrad-frames">{data}</script>\n'
        f"<script>{_script_text(_LOAD.format(library=library()))}</script>\n"
        f"<script>{_script_text(code)}</script>"
    )


@functools.cache
def digraph_class() -> Any:
    """`graphviz.Digraph`, but drawn in the browser when a notebook shows it without `dot`.

    Returns:
        A subclass of `graphviz.Digraph` (made on first use, so importing `viz.wasm` does
        not import graphviz) whose Jupyter display falls back to `graph_html`.
    """
    import graphviz

    class Digraph(graphviz.Digraph):  # type: ignore[misc]
        """A Digraph that shows itself with the browser's Graphviz where `dot` is missing."""

        def _repr_mimebundle_(
            self, include: Any = None, exclude: Any = None, **kwargs: Any
        ) -> dict[str, str]:
            try:
                bundle: dict[str, str] = super()._repr_mimebundle_(include, exclude, **kwargs)
            except graphviz.ExecutableNotFound:
                return {"text/html": graph_html(self.source)}
            return bundle

    return Digraph
