"""Drawing computation graphs with Graphviz: `draw_graph` builds, `render` writes files.

`draw_graph` returns a `graphviz.Digraph`, which displays itself in Jupyter and whose
`.source` is the DOT text. Building it needs only the `graphviz` Python package;
writing SVG, PNG or PDF also needs Graphviz's `dot` program, which `pipe` runs under a
time limit (see `viz.layout`). Graphs that `dot` would lay out slowly are refused
while they are built, before `dot` ever sees them.
"""

from __future__ import annotations

import html
import re
import subprocess
import textwrap
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine import Value
from viz import layout, style
from viz.themes import StateLook, Theme, get_theme
from viz.walk import (
    DEFAULT_MAX_NODES,
    Edge,
    GraphView,
    GroupNode,
    Groups,
    ValueNode,
    forward_order,
    walk,
)
from viz.wasm import digraph_class

if TYPE_CHECKING:
    import graphviz

RANKDIRS = ("LR", "TB", "RL", "BT")
_BOUND_SPACES = re.compile(r"(?<=\S) ([×=]) (?=\S)")  # "4 × 3 = 12": one piece in captions
FORMATS = (".svg", ".png", ".pdf", ".dot", ".gv")

INSTALL_DOT = (
    "Graphviz's `dot` program is needed to write SVG, PNG, PDF or GIF pictures but was not "
    "found on PATH; install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS), `winget install Graphviz.Graphviz` then reopen the "
    "terminal (Windows), or `conda install -c conda-forge graphviz` (conda); "
    "without it, .dot files and the graphs a notebook shows still work."
)


MAX_SIDE = 10_000
"""The longest side, in pixels, of a picture `render` and the step-throughs draw."""


class PictureTooLargeError(ValueError):
    """Raised when a picture's side would be longer than its `max_side` (see `pipe`)."""


class DotNotFoundError(RuntimeError):
    """Raised when rendering needs Graphviz's `dot` program and it is not installed."""


class DotTimeoutError(TimeoutError):
    """Raised when Graphviz's `dot` runs past its time limit (it is stopped)."""


class DotFailedError(RuntimeError):
    """Raised when Graphviz's `dot` exits with an error; the message holds what it said."""


def draw_graph(
    root: Value,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_local_grads: bool = False,
    precision: int = 4,
    grads_computed: bool | None = None,
    groups: Groups | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_edge_segments: int = layout.MAX_EDGE_SEGMENTS,
    title: str = "",
    fontsize: float = style.FONT_SIZE,
    theme: str | Theme = "light",
    dpi: float | None = None,
    expand_dot: bool = False,
) -> graphviz.Digraph:
    """Draw the computation graph that ends at `root`, with values and gradients.

    Each Value is a box showing its label, its forward value (green) and its gradient
    (red); each op is a small node between its inputs and its result.

    Args:
        root: the Value to draw the graph of.
        rankdir: "LR" (left to right), "TB" (top to bottom), "RL" or "BT".
        show_grad: show each Value's gradient.
        show_local_grads: label each edge with the local derivative d out / d in,
            written "×3": the factor the gradient is multiplied by on its way back.
        precision: significant digits of the numbers shown.
        grads_computed: whether the gradients are meaningful. By default they are
            taken as computed when `root.grad` is not 0 (`backward()` sets the root's
            gradient to its seed); otherwise every gradient shows as "grad ?", so a
            graph drawn before `backward()` does not pretend they are 0. A leaf whose
            gradient also holds earlier `backward()` passes says so under it, with
            what this pass alone gives (see `earlier_passes`).
        groups: Values to collapse into one box per group, e.g. a layer's parameters
            and outputs (see `viz.layer_groups`). Everything between a group's
            members joins it.
        max_nodes: refuse graphs with more boxes than this.
        max_edge_segments: refuse graphs that `dot` would lay out slowly: those whose
            edges cross more ranks than this in all (see `viz.layout`).
        title: a caption under the graph.
        fontsize: the size in points of the text in the boxes (for slides, 16-20).
        theme: "light", "dark" or "high-contrast" (see `viz.themes`).
        dpi: the resolution of PNG output (Graphviz's default is 96; 200 for slides).
        expand_dot: draw each fused `dot` (a neuron's weighted sum) as one product
            box per term, `w × x` with its value, feeding a "Σ" node (plus the bias)
            in the dot's own box; each product shows the dot's gradient. Its boxes
            count towards `max_nodes`. Dots inside `groups` stay fused.

    Returns:
        A `graphviz.Digraph`; its `.source` is the DOT text, identical across runs.

    Raises:
        GraphTooLargeError: if the graph has more than `max_nodes` boxes, or more
            than `max_edge_segments` edge segments.
        ValueError: for an unknown `rankdir`, theme, a bad `precision`, `fontsize`
            or `dpi`.

    Example:
        >>> from engine import Value
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> f = x * y
        >>> "grad ?" in draw_graph(f).source
        True
        >>> f.backward()
        >>> "grad 3" in draw_graph(f).source, "grad ?" in draw_graph(f).source
        (True, False)
    """
    check_rankdir(rankdir)
    style.check_precision(precision)
    colors = get_theme(theme)
    check_size("fontsize", fontsize, 4, 72)
    if dpi is not None:
        check_size("dpi", dpi, 36, 600)
    view = walk(root, groups=groups, max_nodes=max_nodes, expand_dot=expand_dot)
    computed = root.grad != 0.0 if grads_computed is None else bool(grads_computed)

    def grad_text(v: Value) -> str | None:
        if not show_grad:
            return None
        return f"grad {style.fmt(v.grad, precision) if computed else style.NOT_COMPUTED}"

    def edge_label(_: int, edge: Edge) -> str | None:
        if not show_local_grads or edge.local_grad is None:
            return None
        return f"×{style.fmt(edge.local_grad, precision)}"

    notes = {}
    if computed and show_grad:
        for box, this_pass in earlier_passes(view).items():
            notes[box] = f"({style.fmt(this_pass, precision)} this pass, rest earlier)"
    return build_digraph(
        view,
        rankdir=rankdir,
        precision=precision,
        grad_text=grad_text,
        edge_label=edge_label,
        notes=notes,
        caption=title,
        max_edge_segments=max_edge_segments,
        theme=colors,
        fontsize=fontsize,
        graph_attrs={"dpi": f"{dpi:g}"} if dpi else None,
    )


def earlier_passes(view: GraphView) -> dict[str, float]:
    """The leaves whose gradient holds more than this graph's backward pass gave them.

    Leaves keep adding up across `backward()` calls (see `Value.backward`). The
    gradient one pass from `view.root` gives is worked out here on the side, from the
    root's gradient and the local derivatives; a leaf whose `grad` differs from it holds
    earlier passes too. Returns box id -> what this pass alone gives.
    """
    root = view.root
    if not root.parents:
        return {}
    grads: dict[Value, float] = {root: root.grad}
    for value in reversed(forward_order(root)):
        g = grads.get(value, 0.0)
        for parent, local in zip(value.parents, value.local_grads):
            grads[parent] = grads.get(parent, 0.0) + local * g
    found = {}
    for node in view.nodes:
        if isinstance(node, ValueNode) and not node.value.parents:
            v, this_pass = node.value, grads.get(node.value, 0.0)
            if abs(v.grad - this_pass) > 1e-9 * max(1.0, abs(this_pass)):
                found[node.id] = this_pass
    return found


def check_size(name: str, value: float, low: float, high: float) -> float:
    """Return `value` if it is a number from `low` to `high`, else raise naming `name`."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}, got {value!r}")
    return value


def check_rankdir(rankdir: str) -> str:
    """Return `rankdir` if Graphviz knows it, else raise a ValueError naming the choices."""
    if rankdir not in RANKDIRS:
        raise ValueError(f"unknown rankdir {rankdir!r} (expected one of {', '.join(RANKDIRS)})")
    return rankdir


def build_digraph(
    view: GraphView,
    *,
    rankdir: str,
    precision: int,
    grad_text: Callable[[Value], str | None],
    edge_label: Callable[[int, Edge], str | None],
    fills: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    edge_colors: Mapping[int, str] | None = None,
    caption: str = "",
    max_edge_segments: int = layout.MAX_EDGE_SEGMENTS,
    theme: Theme | None = None,
    fontsize: float = style.FONT_SIZE,
    graph_attrs: Mapping[str, str] | None = None,
    frame: Frame | None = None,
) -> graphviz.Digraph:
    """Turn a walked graph into a Digraph; the step-through overrides fills and labels.

    The graph's attributes and group boxes go through `graphviz.Digraph`'s methods;
    the many Value boxes, op nodes and edges are written as DOT lines here and added
    to the Digraph's body in one go (see `_value_lines` and `_edge_lines`), which is
    several times faster than one method call each and gives the same text.

    Args:
        view: the walked graph.
        rankdir: Graphviz's layout direction.
        precision: significant digits of forward values.
        grad_text: the gradient text of a Value (None to leave it out).
        edge_label: the label of edge number i (None for no label).
        fills: background colour by box id, overriding the default.
        notes: an extra line under the gradient, by box id.
        edge_colors: colour by edge number, for highlighted edges.
        caption: text under the graph.
        theme: the colours (default: the light theme).
        fontsize: the size of the text in the boxes, in points.
        graph_attrs: more Graphviz graph attributes (e.g. dpi).
        frame: what a step-through frame adds (states, fixed sizes, data texts).
        max_edge_segments: refuse a graph that `dot` would lay out slowly.

    Raises:
        GraphTooLargeError: if the layout would be slow (`viz.layout.check_layout`).
    """

    labels = [edge_label(i, edge) for i, edge in enumerate(view.edges)]
    labelled = frame is not None or any(labels)  # a frame gives every edge a label
    layout.check_layout(view, labelled=labelled, max_edge_segments=max_edge_segments)

    theme = theme or get_theme("light")
    fills = fills or {}
    notes = notes or {}
    edge_colors = edge_colors or {}
    g = digraph_class()("tracegrad")  # shown by the browser where `dot` is missing
    # Graph attributes go in graph_attr (not a body statement), so a copy of the
    # Digraph can be laid out in another direction by changing `rankdir` alone.
    g.graph_attr.update(rankdir=rankdir, fontname=style.FONT, bgcolor=theme.background)
    g.graph_attr.update(graph_attrs or {})
    if caption:
        g.graph_attr.update(
            label=caption_label(caption),
            labelloc="b",
            fontsize=f"{fontsize * 14 / 12:g}",
            fontcolor=theme.text,
        )
    g.attr("node", fontname=style.FONT, fontsize=f"{fontsize:g}", fontcolor=theme.text)
    edge_size = fontsize if frame else fontsize * 10 / 12
    g.attr(
        "edge",
        fontname=style.FONT,
        fontsize=f"{edge_size:g}",
        color=theme.edge,
        fontcolor=theme.text,
    )
    if theme.weight != 1.0:
        g.attr("edge", penwidth=f"{theme.weight:g}")
    op_attrs: dict[tuple[str, float | None], str] = {}  # (op, constant) -> attribute list
    root = view.root
    for node in view.reading_order or view.nodes:
        if isinstance(node, GroupNode):
            _add_group(g, node, fills.get(node.id, theme.group_fill))
        elif frame is None:
            g.body += _value_lines(node, root, precision, grad_text, fills, notes, op_attrs, theme)
        else:
            g.body += _frame_value_lines(node, root, precision, grad_text, notes, theme, frame)
    g.body += _edge_lines(view.edges, labels, edge_colors, theme, frame)
    return g


def caption_label(text: str, width: int = 100, *, bold: bool = False) -> str:
    """An HTML-like Graphviz label: `text` escaped and wrapped at `width` characters.

    HTML-like, so no character of a hostile label is read as DOT syntax or as one of
    Graphviz's escapes such as "\\N".

    A line never breaks around "×" or "=" between two words, so a product such as
    "4 × 3 = 12" stays on one line.

    >>> caption_label("a < b, " * 3, width=10)
    '<a &lt; b, a &lt;<BR/>b, a &lt; b,>'
    >>> caption_label("passes 4 × 3 = 12 to x", width=12)
    '<passes<BR/>4 × 3 = 12<BR/>to x>'
    """
    # escapes first ("\n" stays text, a no-break space of the text an escape), then the
    # spaces around × and = become no-break spaces, which textwrap does not break at
    kept = _BOUND_SPACES.sub(lambda m: f"\xa0{m.group(1)}\xa0", style.visible(text))
    lines = [line.replace("\xa0", " ") for line in textwrap.wrap(kept, width)] or [""]
    body = "<BR/>".join(html.escape(line, quote=False) for line in lines)
    return f"<<B>{body}</B>>" if bold else f"<{body}>"


@dataclass(frozen=True)
class Frame:
    """What a step-through frame adds to a drawing, keyed by box id or edge number.

    Attributes:
        data_text: the data text of each Value ("data ?" before the forward pass
            reaches it).
        looks: each box's state (fill, border colour and style).
        leaves: the ids of the leaves, drawn with rounded corners.
        widths: the minimum widths of each box's title, data and grad cells, the same
            in every frame so that boxes keep their size.
        height: the minimum height of each box's cells.
        edge_sizes: the minimum size (width, height) of every edge's label.
        op_fills: the fill of the op node of some boxes (the visited one).
        stacked: the data above the grad in one column, beside the title (slides).
    """

    data_text: Mapping[Value, str]
    looks: Mapping[str, StateLook]
    leaves: frozenset[str]
    widths: Mapping[str, tuple[float, float, float]]
    height: Mapping[str, float]
    edge_sizes: Mapping[int, tuple[float, float]]
    op_fills: Mapping[str, str]
    stacked: bool = False


# Node ids come from `viz.walk` ("v12", "g0") and op nodes add "_op": all are plain
# DOT identifiers, which graphviz's quoting leaves as they are, so the lines below
# write them unquoted. Labels and attribute values that may need quoting go through
# graphviz's own `quote` and `attr_list`, except the HTML-like labels of
# `style.value_label`, which `quote` also leaves as they are (a string in <...>).


def _value_lines(
    node: ValueNode,
    root: Value,
    precision: int,
    grad_text: Callable[[Value], str | None],
    fills: Mapping[str, str],
    notes: Mapping[str, str],
    op_attrs: dict[tuple[str, float | None], str],
    theme: Theme,
) -> list[str]:
    """The DOT lines of a Value's box and, for a computed Value, of its op node.

    The same lines as `g.node(id, label=..., shape="plain")`, then for a computed
    Value `g.node(f"{id}_op", ...)` and `g.edge(f"{id}_op", id)`. `op_attrs` caches
    the attribute list of each op's node, built once per op by `_op_attr_list`.
    """
    v = node.value
    if v is root:
        default_fill = theme.root_fill
    elif v.parents:
        default_fill = theme.value_fill
    else:
        default_fill = theme.leaf_fill
    label = style.value_label(
        v.label,
        f"data {style.fmt(v.data, precision)}",
        grad_text(v),
        fill=fills.get(node.id, default_fill),
        bold=v is root,
        grad_note=notes.get(node.id, ""),
        theme=theme,
    )
    box = f"\t{node.id} [label={label} shape=plain]\n"
    if not v.parents:
        return [box]
    key = (v.op, v.const)
    attrs = op_attrs.get(key)
    if attrs is None:
        attrs = op_attrs[key] = _op_attr_list(v.op, v.const, precision, theme.op_fill)
    return [box, f"\t{node.id}_op{attrs}\n", f"\t{node.id}_op -> {node.id}\n"]


def _frame_value_lines(
    node: ValueNode,
    root: Value,
    precision: int,
    grad_text: Callable[[Value], str | None],
    notes: Mapping[str, str],
    theme: Theme,
    frame: Frame,
) -> list[str]:
    """`_value_lines` for a step-through frame: the box in its state, at its fixed size."""
    v = node.value
    look = frame.looks[node.id]
    label = style.value_label(
        v.label,
        frame.data_text[v],
        grad_text(v),
        fill=look.fill,
        bold=v is root,
        grad_note=notes.get(node.id, ""),
        theme=theme,
        look=look,
        rounded=node.id in frame.leaves,
        widths=frame.widths.get(node.id, ()),
        height=frame.height.get(node.id, 0.0),
        stacked=frame.stacked,
    )
    box = f"\t{node.id} [label={label} shape=plain]\n"
    if not v.parents:
        return [box]
    attrs = _op_attr_list(v.op, v.const, precision, frame.op_fills.get(node.id, theme.op_fill))
    return [box, f"\t{node.id}_op{attrs}\n", f"\t{node.id}_op -> {node.id}\n"]


def _op_attr_list(op: str, const: float | None, precision: int, fill: str) -> str:
    """The quoted attribute list of an op's small node, as `g.node` would write it."""
    from graphviz import quoting

    look = style.op_style(op, const, precision)
    attrs = {
        "shape": look.shape,
        "style": "filled",
        "fillcolor": fill,
        "width": "0.3",
        "height": "0.3",
        "margin": "0.02",
        "fixedsize": "false",
    }
    text: str = quoting.attr_list(_plain_label(look.text), kwargs=attrs)
    return text


def _plain_label(text: str) -> str:
    r"""A plain (not HTML-like) DOT label that shows `text` as written.

    `dot` reads a backslash in such a label as an escape (`\n`, `\l`, `\N`, ...), so
    each one is doubled, after characters that do not print became escapes.
    """
    return style.visible(text).replace("\\", "\\\\")


def _edge_lines(
    edges: Sequence[Edge],
    labels: Sequence[str | None],
    edge_colors: Mapping[int, str],
    theme: Theme,
    frame: Frame | None,
) -> list[str]:
    """The DOT lines of the edges into op nodes, as `g.edge(tail, head, ...)` writes them.

    An edge into a single Value's box enters its op node ("v3_op"); an edge into a
    group enters the group's box. In a step-through frame every edge gets a label of
    a fixed size, empty or not, so the layout is the same in every frame.
    """
    from graphviz import quoting

    sizes = frame.edge_sizes if frame else {}
    lines = []
    for i, edge in enumerate(edges):
        head = f"{edge.head}_op" if edge.head.startswith("v") else edge.head
        label = labels[i]
        color = edge_colors.get(i)
        size = sizes.get(i)
        if size:
            label = style.edge_label(label or "", color or theme.muted, *size)
        if not label and not color:
            lines.append(f"\t{edge.tail} -> {head}\n")
            continue
        # g.edge(tail, head, **attrs) binds a "label" key to its `label` argument,
        # which attr_list writes first, before the sorted other attributes.
        attrs = {"color": color, "fontcolor": color, "penwidth": "2.5"} if color else {}
        if labels[i]:
            # Underlined and tied to its edge by a line, so that the labels of edges
            # that cross (x's and y's in Figure 5) cannot be swapped by the eye; in a
            # frame only the labels with text (the blank ones keep the layout still).
            attrs["decorate"] = "true"
        attr_list = quoting.attr_list(label or None, kwargs=attrs)
        lines.append(f"\t{edge.tail} -> {head}{attr_list}\n")
    return lines


def _add_group(g: graphviz.Digraph, node: GroupNode, fill: str) -> None:
    leaves = sum(1 for v in node.members if not v.parents)
    ops = Counter(v.op for v in node.members if v.parents)
    lines = [f"{len(node.members)} values, {leaves} of them leaves"]
    if ops:
        lines.append("ops: " + ", ".join(f"{op} ×{n}" for op, n in sorted(ops.items())))
    g.node(
        node.id,
        label=style.group_label(node.title, lines),
        shape="box3d",
        style="filled",
        fillcolor=fill,
    )


def render(
    graph: Value | graphviz.Digraph,
    path: str | Path,
    *,
    timeout: float | None = None,
    dpi: float | None = None,
    max_side: int = MAX_SIDE,
    **draw_options: Any,
) -> Path:
    """Write a graph to `path` as SVG, PNG, PDF or DOT, chosen by the file's extension.

    The file is written whole or not at all: the picture is made (and the text
    encoded) first, then written beside `path` and renamed over it, so an error or a
    crash leaves an existing `path` as it was.

    Args:
        graph: a Digraph from `draw_graph`, or a root Value to draw first.
        path: the file to write (.svg, .png, .pdf, .dot or .gv); its folder must exist.
        timeout: seconds `dot` may run (see `pipe`).
        dpi: the resolution of a PNG (and of pictures inside a PDF); None keeps the
            graph's own (Graphviz's default is 96).
        max_side: the longest side, in pixels, of a picture still drawn (see `pipe`).
        **draw_options: passed to `draw_graph` when `graph` is a Value.

    Returns:
        The path written.

    Raises:
        ValueError: for an unknown extension, or a label that is not valid Unicode
            (a lone surrogate: a UnicodeEncodeError).
        DotNotFoundError: when SVG/PNG/PDF is asked for and Graphviz is not installed.
        DotTimeoutError, DotFailedError: when `dot` runs too long or fails.
        PictureTooLargeError: when a side of the picture would be longer than
            `max_side` pixels (at 96 dpi, or the graph's dpi for PNG).

    Example:
        >>> import tempfile, pathlib
        >>> from engine import Value
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     out = render(Value(2.0, "x") * 3, pathlib.Path(folder) / "f.dot")
        ...     out.read_text().startswith("digraph tracegrad")
        True
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"unknown file extension {suffix!r} for {str(path)!r} (expected {', '.join(FORMATS)})"
        )
    if isinstance(graph, Value):
        graph = draw_graph(graph, **draw_options)
    elif draw_options:
        raise TypeError("drawing options can only be given with a root Value, not a Digraph")
    if dpi is not None:
        check_size("dpi", dpi, 36, 600)
        graph = graph.copy()
        graph.graph_attr["dpi"] = f"{dpi:g}"
    from nn.files import write_bytes, write_text  # here: `import viz` stays light

    if suffix in (".dot", ".gv"):
        write_text(path, graph.source)
        return path
    write_bytes(path, pipe(graph, suffix[1:], timeout=timeout, max_side=max_side))
    return path


def pipe(
    graph: graphviz.Digraph,
    fmt: str,
    *,
    timeout: float | None = None,
    max_side: int | None = None,
) -> bytes:
    """Run `dot` on a Digraph and return the rendered bytes ("svg", "png", "pdf", ...).

    `dot` is stopped when it runs longer than `timeout` seconds: by default the
    environment variable TRACEGRAD_DOT_TIMEOUT, else `viz.layout.DEFAULT_DOT_TIMEOUT`
    (20 s). What `dot` prints besides the picture is kept out of the terminal.

    With `max_side`, the same run of `dot` also reports the layout's size, and a
    picture whose longest side would exceed `max_side` pixels (at the graph's dpi,
    96 for SVG and PDF) is refused instead of returned: Graphviz would shrink it to
    a strip of unreadable text (a 500-node chain as 32767 x 5 pixels).

    Raises:
        PictureTooLargeError: with `max_side`, for a picture larger than that.
        DotNotFoundError: if Graphviz's `dot` program is not installed.
        DotTimeoutError: if `dot` ran out of time.
        DotFailedError: if `dot` failed; the message holds the start of what it said.
        ValueError: for an unknown format or a bad timeout.
    """
    import graphviz

    if fmt not in graphviz.FORMATS:
        raise ValueError(f"unknown format {fmt!r} for dot (expected svg, png, pdf, ...)")
    seconds = layout.dot_timeout(timeout)
    source = graph.source.encode(graph.encoding)
    formats = [f"-T{fmt}"] if max_side is None else ["-Tplain", f"-T{fmt}"]
    try:
        done = subprocess.run(
            ["dot", *formats], input=source, capture_output=True, timeout=seconds, check=False
        )
    except FileNotFoundError:
        raise DotNotFoundError(INSTALL_DOT) from None
    except subprocess.TimeoutExpired:
        raise DotTimeoutError(
            f"Graphviz's dot was still laying out the graph after {seconds:g} s and was "
            f"stopped: draw a smaller graph, or allow more time with timeout=... or the "
            f"environment variable {layout.TIMEOUT_VARIABLE} (in seconds)"
        ) from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DotFailedError(
            f"Graphviz's dot could not draw the graph (exit code {done.returncode})"
            + (f": {style.visible(said[0][:200])}" if said else "")
        )
    data: bytes = done.stdout
    if max_side is not None:
        plain, _, data = data.partition(b"\nstop\n")  # plain ends with a line "stop"
        check_picture_size(plain, graph, max_side)
    return data


def check_picture_size(plain: bytes, graph: graphviz.Digraph, max_side: int) -> None:
    """Refuse a layout (`dot -Tplain` output) wider or taller than `max_side` pixels."""
    check_size("max_side", max_side, 100, 32767)
    head = plain.split(b"\n", 1)[0].split()
    if len(head) != 4 or head[0] != b"graph":
        raise DotFailedError("Graphviz's dot did not report the size of the layout")
    dpi = float(graph.graph_attr.get("dpi", "96") or 96)
    width, height = (round(float(x) * dpi) for x in head[2:4])
    if max(width, height) > max_side:
        raise PictureTooLargeError(
            f"the picture would be {width:,} x {height:,} pixels at {dpi:g} dpi, more than "
            f"the {max_side:,} a side may have (max_side); draw fewer nodes (group a "
            f"model's layers), lay it out the other way (rankdir), or lower the dpi"
        )
