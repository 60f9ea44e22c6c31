"""A step-through of the backward pass: one picture per node, in backward's order.

Each frame highlights the node being visited, shows on each of its in-edges the
gradient it passes to that parent (`node grad × local derivative`), and marks with
"+=" a parent whose gradient adds up contributions from several children. The
gradients are replayed on the side from a fresh start (every gradient not yet
computed), so drawing frames never changes the graph.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine import Value
from viz import style
from viz.draw import build_digraph, check_rankdir, pipe
from viz.walk import ValueNode, forward_order, walk

if TYPE_CHECKING:
    import graphviz

DEFAULT_MAX_STEPS = 80


@dataclass(frozen=True)
class Step:
    """One frame of the step-through: the node visited, a caption and its picture."""

    index: int
    node: Value
    caption: str
    graph: graphviz.Digraph

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        """Show the frame's picture when a notebook displays a Step."""
        return self.graph._repr_mimebundle_(include=include, exclude=exclude)


def backward_steps(
    root: Value,
    *,
    gradient: float = 1.0,
    rankdir: str = "LR",
    precision: int = 4,
    max_nodes: int = DEFAULT_MAX_STEPS,
) -> list[Step]:
    """Replay `backward()` from `root` one node at a time, as a list of frames.

    There is exactly one frame per node, in the order `backward()` visits them
    (the reverse of the forward order). Each `Step.graph` is a `graphviz.Digraph`, so
    a notebook shows a frame by evaluating it.

    Args:
        root: the Value whose backward pass is replayed.
        gradient: the seed gradient of the root, as in `root.backward(gradient)`.
        rankdir: Graphviz's layout direction ("LR", "TB", "RL", "BT").
        precision: significant digits of the numbers shown.
        max_nodes: refuse graphs with more nodes than this (one frame each).

    Returns:
        The frames, first the root's.

    Raises:
        GraphTooLargeError: if the graph has more than `max_nodes` nodes.
        ValueError: for a non-finite gradient or a bad option.

    Example:
        >>> from engine import Value
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> steps = backward_steps(x * y + x)
        >>> [s.node.label or s.node.op for s in steps]
        ['+', '*', 'y', 'x']
        >>> print(steps[3].caption)
        step 4 of 4: node 'x' has its final gradient 4; it is a leaf: nothing to pass back
    """
    if isinstance(gradient, bool) or not isinstance(gradient, int | float):
        raise TypeError(f"gradient must be a number, got {gradient!r}")
    if not math.isfinite(gradient):
        raise ValueError(f"gradient must be finite, got {gradient!r}")
    check_rankdir(rankdir)
    style.check_precision(precision)
    view = walk(root, max_nodes=max_nodes)
    order = list(reversed(forward_order(root)))
    edges_into: dict[str, list[int]] = {}
    for i, edge in enumerate(view.edges):
        edges_into.setdefault(edge.head, []).append(i)

    def num(x: float) -> str:
        return style.fmt(x, precision)

    grads: dict[Value, float] = {root: float(gradient)}
    done: set[str] = set()
    steps: list[Step] = []
    for k, node in enumerate(order):
        node_id = view.node_id(node)
        g = grads.get(node, 0.0)  # a node nobody reached has gradient 0
        grads[node] = g
        notes: dict[str, str] = {}
        edge_labels: dict[int, str] = {}
        passed: list[str] = []
        for i in edges_into.get(node_id, []):
            edge = view.edges[i]
            local = edge.local_grad
            assert local is not None  # no groups in a step-through
            parent = _value_of(view.nodes, edge.tail)
            contribution = local * g
            edge_labels[i] = f"{num(g)} × {num(local)} = {num(contribution)}"
            passed.append(f"{num(g)} × {num(local)} = {num(contribution)} to {_name(parent)}")
            if parent in grads:
                notes[edge.tail] = f"(+= {num(contribution)}, was {num(grads[parent])})"
                grads[parent] += contribution
            else:
                grads[parent] = contribution
        caption = _caption(k, len(order), node, root, g, passed, num)

        grad_text = _grad_texts(dict(grads), num)

        fills = {i: style.DONE_FILL for i in done}
        fills[node_id] = style.HIGHLIGHT_FILL
        for i in edge_labels:
            fills.setdefault(view.edges[i].tail, style.RECEIVING_FILL)
        graph = build_digraph(
            view,
            rankdir=rankdir,
            precision=precision,
            grad_text=grad_text,
            edge_label=lambda i, _e, labels=edge_labels: labels.get(i),  # type: ignore[misc]
            fills=fills,
            notes=notes,
            edge_colors={i: style.GRAD_COLOR for i in edge_labels},
            caption=caption,
        )
        steps.append(Step(k, node, caption, graph))
        done.add(node_id)
    return steps


def _grad_texts(state: dict[Value, float], num: Callable[[float], str]) -> Callable[[Value], str]:
    """The gradient text of each node as it stands after one frame."""

    def grad_text(v: Value) -> str:
        return f"grad {num(state[v])}" if v in state else f"grad {style.NOT_COMPUTED}"

    return grad_text


def _value_of(nodes: tuple[object, ...], node_id: str) -> Value:
    index = int(node_id[1:])
    node = nodes[index]
    assert isinstance(node, ValueNode) and node.id == node_id
    return node.value


def _name(v: Value) -> str:
    return repr(v.label or v.op)


def _caption(
    k: int,
    n: int,
    node: Value,
    root: Value,
    g: float,
    passed: list[str],
    num: Callable[[float], str],
) -> str:
    head = f"step {k + 1} of {n}: "
    who = "the root" if node is root else f"node {_name(node)}"
    if node is root:
        state = f"{who} starts with gradient {num(g)}"
    else:
        state = f"{who} has its final gradient {num(g)}"
    if not node.parents:
        return head + state + "; it is a leaf: nothing to pass back"
    return head + state + " and passes " + " and ".join(passed)


def save_steps_html(
    root: Value | list[Step], path: str | Path, *, title: str = "Backpropagation, step by step"
) -> Path:
    """Write the step-through as one self-contained HTML page (works offline).

    The page holds every frame as inline SVG, with a slider, previous/next buttons
    and the arrow keys to move between them; `page.html#step-4` opens at step 4.
    Needs Graphviz's `dot` program. The page is written whole or not at all: an error
    (a title that is not valid Unicode, a full disk) leaves an existing file as it was.

    Args:
        root: a root Value (frames are made with default options) or frames from
            `backward_steps`.
        path: the .html file to write.
        title: the page's heading.

    Returns:
        The path written.

    Raises:
        DotNotFoundError: if Graphviz is not installed.
    """
    steps = backward_steps(root) if isinstance(root, Value) else list(root)
    if not steps:
        raise ValueError("save_steps_html() needs at least one frame, got none")
    frames = []
    for s in steps:
        graph = s.graph.copy()
        graph.graph_attr.pop("label", None)  # the caption goes under the picture as text
        svg = pipe(graph, "svg").decode("utf-8")
        svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype
        hidden = "" if s.index == 0 else " hidden"
        frames.append(
            f'<figure class="frame" id="frame-{s.index}"{hidden}>{svg}'
            f"<figcaption>{html.escape(style.visible(s.caption))}</figcaption></figure>"
        )
    page = _PAGE.format(
        title=html.escape(style.visible(title)),
        n=len(steps),
        last=len(steps) - 1,
        frames="\n".join(frames),
    )
    from nn.files import write_text  # here: `import viz` stays light

    path = Path(path)
    write_text(path, page)
    return path


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #24292f; }}
.controls {{ display: flex; gap: .8em; align-items: center; margin: 1em 0; }}
input[type=range] {{ flex: 1; max-width: 40em; }}
figure {{ margin: 0; }}
figure svg {{ max-width: 100%; height: auto; }}
figcaption {{ font-size: 1.1em; margin-top: .6em; }}
.legend span {{ padding: 0 .4em; border: 1px solid #ccc; }}
</style></head>
<body>
<h1>{title}</h1>
<p class="legend">Forward values are green, gradients red.
<span style="background:#ffd33d">visited now</span>
<span style="background:#fff1b3">receiving a gradient</span>
<span style="background:#dafbe1">gradient final</span>;
red edges carry <i>gradient × local derivative</i>; "+=" marks gradients that add up.</p>
<div class="controls">
<button id="prev" type="button">&#9664; previous</button>
<input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
<button id="next" type="button">next &#9654;</button>
<span id="counter">step 1 of {n}</span>
</div>
{frames}
<script>
(function () {{
  var frames = document.querySelectorAll(".frame");
  var slider = document.getElementById("slider");
  var counter = document.getElementById("counter");
  var current = 0;
  function show(i) {{
    current = Math.max(0, Math.min(frames.length - 1, i));
    frames.forEach(function (f, j) {{ f.hidden = j !== current; }});
    slider.value = current;
    counter.textContent = "step " + (current + 1) + " of " + frames.length;
    if (history.replaceState) history.replaceState(null, "", "#step-" + (current + 1));
  }}
  document.getElementById("prev").onclick = function () {{ show(current - 1); }};
  document.getElementById("next").onclick = function () {{ show(current + 1); }};
  slider.oninput = function () {{ show(parseInt(slider.value, 10)); }};
  document.addEventListener("keydown", function (e) {{
    if (e.key === "ArrowLeft") show(current - 1);
    if (e.key === "ArrowRight") show(current + 1);
  }});
  var wanted = /^#step-([0-9]+)$/.exec(location.hash);  // a link to one step: page.html#step-4
  show(wanted ? parseInt(wanted[1], 10) - 1 : 0);
}})();
</script>
</body></html>
"""
