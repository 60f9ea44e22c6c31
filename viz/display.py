"""How Values and step-throughs show themselves in Jupyter.

`value_mimebundle` is what `Value._repr_mimebundle_` returns: the Value's graph as
SVG next to its repr, or the repr alone when the graph is too large or Graphviz's
`dot` is missing, so displaying a Value never fails. The engine imports this module
only when a notebook asks (the engine itself knows nothing of pictures).
`steps_widget` shows the step-through page inside a notebook.
"""

from __future__ import annotations

import html
import subprocess
from collections.abc import Collection, Sequence

from engine import Value
from viz.draw import DotNotFoundError, draw_graph, pipe
from viz.frames import Step
from viz.page import steps_page
from viz.steps import step_through
from viz.walk import GraphTooLargeError
from viz.wasm import graph_html

#: Graphs with more boxes than this display as text: laying out and showing a large
#: graph every time a cell ends with a Value would make the notebook slow and long.
DISPLAY_MAX_NODES = 150
SVG = "image/svg+xml"
HTML = "text/html"


def value_mimebundle(
    value: Value,
    include: Collection[str] | None = None,
    exclude: Collection[str] | None = None,
    *,
    max_nodes: int = DISPLAY_MAX_NODES,
) -> dict[str, str]:
    """A Value's graph as SVG and its repr as text, for Jupyter's rich display.

    Args:
        value: the Value to show.
        include: the mime types the front end wants (None: any).
        exclude: mime types it does not want.
        max_nodes: above this many boxes, show the repr only.

    Returns:
        {"image/svg+xml": the graph, "text/plain": repr(value)}; where Graphviz's
        `dot` is missing, {"text/html": a snippet that draws the same DOT text in the
        browser (`viz.wasm`), "text/plain": ...}; only the "text/plain" entry when
        the graph is larger than `max_nodes`, when the graphviz package is missing or
        `dot` fails, or when neither SVG nor HTML is wanted.

    Raises:
        TypeError: if `value` is not a Value.

    Example:
        >>> from engine import Value
        >>> bundle = value_mimebundle(Value(2.0, "x") * 3, include={"text/plain"})
        >>> bundle
        {'text/plain': 'Value(data=6.0)'}
    """
    if not isinstance(value, Value):
        raise TypeError(f"value_mimebundle() needs a Value, got {value!r}")
    bundle = {"text/plain": repr(value)}
    if not wanted(SVG, include, exclude) and not wanted(HTML, include, exclude):
        return bundle
    try:
        graph = draw_graph(value, max_nodes=max_nodes)
        svg = pipe(graph, "svg").decode("utf-8")
    except DotNotFoundError:  # the browser draws the same DOT text with Graphviz in WebAssembly
        if wanted(HTML, include, exclude):
            bundle[HTML] = graph_html(graph.source)
        return bundle
    except (GraphTooLargeError, ImportError, subprocess.SubprocessError):
        return bundle
    if wanted(SVG, include, exclude):
        bundle[SVG] = svg[svg.find("<svg") :]
    return bundle


def wanted(mime: str, include: Collection[str] | None, exclude: Collection[str] | None) -> bool:
    """Whether the front end asked for `mime` (Jupyter's include/exclude arguments)."""
    return (include is None or mime in include) and (exclude is None or mime not in exclude)


class StepsWidget:
    """A step-through page that a notebook shows inline (in an iframe).

    Made by `steps_widget`; the page is built the first time the notebook displays
    it: with `dot`, which runs once per frame; without, the page lays its frames out
    in the browser with the WebAssembly Graphviz of `viz.wasm`.
    """

    def __init__(self, steps: Sequence[Step], *, title: str, height: int) -> None:
        self.steps = list(steps)
        self.title = title
        self.height = height
        self._page: str | None = None

    def page(self) -> str:
        """The self-contained HTML page (see `viz.page`)."""
        if self._page is None:
            self._page = steps_page(self.steps, title=self.title)
        return self._page

    def _repr_html_(self) -> str:
        # srcdoc keeps the page's script and styles apart from the notebook's.
        return (
            f'<iframe srcdoc="{html.escape(self.page(), quote=True)}" '
            f'title="{html.escape(self.title, quote=True)}" '
            f'style="width: 100%; height: {self.height}px; border: 1px solid #d0d7de;">'
            "</iframe>"
        )

    def __repr__(self) -> str:
        return f"StepsWidget({len(self.steps)} frames, title={self.title!r})"


def steps_widget(
    steps: Value | Sequence[Step],
    *,
    title: str = "Backpropagation, step by step",
    height: int = 560,
) -> StepsWidget:
    """The step-through page, to show inside a notebook (end a cell with it).

    Args:
        steps: frames (from `step_through`, ...) or a root Value, whose forward and
            backward frames are made with default options.
        title: the page's heading.
        height: the height of the inline frame, in pixels.

    Raises:
        ValueError: if there are no frames or the height is not positive.

    Example:
        >>> from engine import Value
        >>> steps_widget(Value(2.0, "x") * 3)
        StepsWidget(3 frames, title='Backpropagation, step by step')
    """
    frames = step_through(steps) if isinstance(steps, Value) else list(steps)
    if not frames:
        raise ValueError("steps_widget() needs at least one frame, got none")
    if isinstance(height, bool) or not isinstance(height, int) or height < 100:
        raise ValueError(f"height must be an int of at least 100 pixels, got {height!r}")
    return StepsWidget(frames, title=title, height=height)
