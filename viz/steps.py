"""A step-through of backpropagation: the forward pass, then the backward pass, node by node.

`forward_steps` gives one frame per computed node in forward order: the node's value
appears and the local derivatives on its in-edges are computed. `backward_steps`
gives one frame per node in the order `backward()` visits them: the node passes
`node grad × local derivative` to each parent, and a parent whose gradient adds up
contributions from several children shows "+=". `step_through` is both, in order.

Every state is replayed on the side from a fresh start, so drawing frames never
changes the graph. Each box keeps the same size in every frame (its cells are as
wide as the widest text they will show) and every edge has a label of fixed size,
so the layout does not move from one frame to the next.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine import Value
from engine.ops import op_named
from engine.value import LEFT_CONSTANT
from viz import style
from viz.draw import MAX_SIDE, Frame, build_digraph, check_rankdir, check_size
from viz.frames import Step
from viz.page import steps_page
from viz.themes import Theme, get_theme
from viz.walk import GraphView, ValueNode, walk

if TYPE_CHECKING:
    import graphviz

DEFAULT_MAX_STEPS = 80
STEP_FONT_SIZE = 14.0  # larger than draw_graph's: frames are meant to be projected
PHASES = ("forward", "backward")
SPACING = {"nodesep": "0.2", "ranksep": "0.3"}  # inches between boxes, and between ranks
COMPACT_SPACING = {"nodesep": "0.1", "ranksep": "0.2"}


def forward_steps(
    root: Value,
    *,
    rankdir: str = "LR",
    precision: int = 4,
    max_nodes: int = DEFAULT_MAX_STEPS,
    fontsize: float = STEP_FONT_SIZE,
    theme: str | Theme = "light",
    expand_dot: bool = False,
    compact: bool = False,
) -> list[Step]:
    """Replay the forward pass to `root` one computed node at a time, as frames.

    There is one frame per computed (non-leaf) node, in forward order. The leaves'
    values are given from the start; in each frame one more node gets its value,
    and the edges into it show the local derivatives the forward pass computes with
    it (what the backward pass multiplies by). Gradients all show as "?".

    Args: as for `backward_steps`.

    Returns:
        The frames, first the node computed first; none for a leaf `root`.

    Example:
        >>> from engine import Value
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> [s.caption for s in forward_steps(x * y + x)]  # doctest: +NORMALIZE_WHITESPACE
        ['forward step 1 of 2: the node x × y = 2 × 3 = 6, local derivatives 3 (x)
          and 2 (y)', 'forward step 2 of 2: the root = 6 + x = 6 + 2 = 8, local
          derivatives 1 (the node x × y) and 1 (x)']
    """
    replay = _Replay(root, 1.0, rankdir, precision, max_nodes, fontsize, theme, expand_dot, compact)
    return replay.forward()


def backward_steps(
    root: Value,
    *,
    gradient: float = 1.0,
    rankdir: str = "LR",
    precision: int = 4,
    max_nodes: int = DEFAULT_MAX_STEPS,
    fontsize: float = STEP_FONT_SIZE,
    theme: str | Theme = "light",
    expand_dot: bool = False,
    compact: bool = False,
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
        fontsize: the size of the text in points (edge labels too).
        theme: "light", "dark" or "high-contrast" (see `viz.themes`).
        expand_dot: replay each fused `dot` as its products and their sum, as
            `draw_graph(..., expand_dot=True)` draws it (each its own frame); a
            frame's `node` is then the picture's stand-in for those.
        compact: draw for slides: a box shows its numbers alone, data (green)
            above grad (red) as the notes' figures do, edge labels drop their
            spaces (4×1=4) and boxes sit closer; Figure 5's frames are 45% narrower
            left to right (631 pt, was 1,136), so a slide draws them larger
            (`viz.slides.slide_points`).

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
        backward step 4 of 4: node 'x' has its final gradient 4 = 1 + 3, the sum of what 2 \
children passed back; it is a leaf: nothing to pass back
    """
    return _Replay(
        root, gradient, rankdir, precision, max_nodes, fontsize, theme, expand_dot, compact
    ).backward()


def step_through(
    root: Value,
    *,
    gradient: float = 1.0,
    rankdir: str = "LR",
    precision: int = 4,
    max_nodes: int = DEFAULT_MAX_STEPS,
    fontsize: float = STEP_FONT_SIZE,
    theme: str | Theme = "light",
    expand_dot: bool = False,
    compact: bool = False,
) -> list[Step]:
    """The forward frames, then the backward frames, numbered from 0 as one list.

    Figure 5 of the notes, with 4 computed nodes and 3 leaves, gives 4 + 7 = 11
    frames. All frames share one layout, so they can be played as an animation
    (see `viz.save_steps`). Arguments as for `backward_steps`.

    Example:
        >>> from engine import Value
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> [(s.index, s.phase) for s in step_through(x * y)]
        [(0, 'forward'), (1, 'backward'), (2, 'backward'), (3, 'backward')]
    """
    replay = _Replay(
        root, gradient, rankdir, precision, max_nodes, fontsize, theme, expand_dot, compact
    )
    frames = replay.forward() + replay.backward()
    return [
        Step(k, s.node, s.caption, s.graph, s.phase, s.theme, s.compact)
        for k, s in enumerate(frames)
    ]


@dataclass
class _Backward:
    """What the backward replay records for one node: its gradient and what it passes."""

    node: Value
    grad: float
    received: list[float]  # the contributions that summed to `grad`
    passed: dict[int, float]  # edge number -> contribution sent along it
    notes: dict[str, str]  # parent box id -> "(+= c, was w)"
    grads: dict[Value, float]  # every known gradient after this node's frame


class _Replay:
    """Both passes replayed on the side, and the frames drawn from them."""

    def __init__(
        self,
        root: Value,
        gradient: float,
        rankdir: str,
        precision: int,
        max_nodes: int,
        fontsize: float,
        theme: str | Theme,
        expand_dot: bool = False,
        compact: bool = False,
    ) -> None:
        if isinstance(gradient, bool) or not isinstance(gradient, int | float):
            raise TypeError(f"gradient must be a number, got {gradient!r}")
        if not math.isfinite(gradient):
            raise ValueError(f"gradient must be finite, got {gradient!r}")
        check_rankdir(rankdir)
        style.check_precision(precision)
        check_size("fontsize", fontsize, 4, 72)
        self.theme = get_theme(theme)
        self.view: GraphView = walk(root, max_nodes=max_nodes, expand_dot=expand_dot)
        # The view's own Values, in forward order: with expand_dot, an expanded dot's
        # products and sum (and the sum is the root when the root is a dot).
        self.root = self.view.root
        self.rankdir, self.precision, self.fontsize = rankdir, precision, fontsize
        self.compact = compact
        self.order = [node.value for node in self.view.nodes if isinstance(node, ValueNode)]
        self.edges_into: dict[str, list[int]] = {}
        for i, edge in enumerate(self.view.edges):
            self.edges_into.setdefault(edge.head, []).append(i)
        self.records = self._replay_backward(float(gradient))
        self.widths, self.heights, self.edge_sizes = self._sizes()

    def num(self, x: float) -> str:
        return style.fmt(x, self.precision)

    def parent(self, i: int) -> Value:
        node = self.view.nodes[int(self.view.edges[i].tail[1:])]
        assert isinstance(node, ValueNode) and node.id == self.view.edges[i].tail
        return node.value

    def local(self, i: int) -> float:
        local = self.view.edges[i].local_grad
        assert local is not None  # no groups in a step-through
        return local

    def _replay_backward(self, gradient: float) -> list[_Backward]:
        grads: dict[Value, float] = {self.root: gradient}
        received: dict[Value, list[float]] = {self.root: [gradient]}
        records = []
        for node in reversed(self.order):
            g = grads.setdefault(node, 0.0)  # a node nobody reached has gradient 0
            passed, notes = {}, {}
            for i in self.edges_into.get(self.view.node_id(node), []):
                parent, contribution = self.parent(i), self.local(i) * g
                passed[i] = contribution
                if parent in grads:
                    was = self.num(grads[parent])
                    added = self.num(contribution)
                    # compact: the sum alone, as the notes write it (16 = 4 + 12)
                    note = f"= {was} + {added}" if self.compact else f"(+= {added}, was {was})"
                    notes[self.view.edges[i].tail] = note
                    grads[parent] += contribution
                else:
                    grads[parent] = contribution
                received.setdefault(parent, []).append(contribution)
            records.append(_Backward(node, g, received.get(node, []), passed, notes, dict(grads)))
        return records

    def _sizes(
        self,
    ) -> tuple[
        dict[str, tuple[float, float, float]], dict[str, float], dict[int, tuple[float, float]]
    ]:
        """The size of every cell and edge label: that of the widest text it will show."""
        size, pad = self.fontsize, 2 * 4 + 2  # cell padding and borders, in points
        texts: dict[str, list[str]] = {}
        notes: set[str] = set()
        for r in self.records:
            for v, g in r.grads.items():
                texts.setdefault(self.view.node_id(v), []).append(self._grad(g))
            notes.update(r.notes)
            for box_id, note in r.notes.items():
                texts[box_id].append(note)
        widths, heights = {}, {}
        for node in self.view.nodes:
            assert isinstance(node, ValueNode)
            v = node.value
            data = max(style.text_width(t, size) for t in (self._data(None), self._data(v)))
            grads = [self._grad(None), *texts.get(node.id, [])]
            grad = max(style.text_width(t, size) for t in grads)
            widths[node.id] = (0.0, data + pad, grad + pad)
            lines = 2 if node.id in notes else 1
            heights[node.id] = lines * size * 1.2 + pad
        edge_sizes = {}
        for r in self.records:
            for i, c in r.passed.items():
                text = max(self._edge_texts(i, r.grad, c), key=lambda t: style.text_width(t, size))
                edge_sizes[i] = (style.text_width(text, size) + 4, size * 1.3 + 2)
        return widths, heights, edge_sizes

    def _data(self, v: Value | None) -> str:
        """The data text of `v` (None: not computed yet)."""
        text = style.NOT_COMPUTED if v is None else self.num(v.data)
        return text if self.compact else f"data {text}"

    def _grad(self, g: float | None) -> str:
        """The grad text of a gradient `g` (None: not computed yet)."""
        text = style.NOT_COMPUTED if g is None else self.num(g)
        return text if self.compact else f"grad {text}"

    def _edge_texts(self, i: int, g: float, contribution: float) -> tuple[str, str]:
        """The short and the long label of edge i: ×1, and 4 × 1 = 4 (compact: 4×1=4)."""
        local = self.num(self.local(i))
        space = "" if self.compact else " "
        product = f"{self.num(g)}{space}×{space}{local}"
        return f"×{local}", f"{product}{space}={space}{self.num(contribution)}"

    def _name(self, v: Value) -> str:
        """What captions call `v`: its label, else what it computes (x + y), so that
        two unlabelled + nodes are never confused; "the root" for an unlabelled root."""
        if v.label:
            return v.label
        if v is self.root:
            return "the root"
        text = self._expression(v, 2)
        if len(text) <= 28:
            return f"the node {text}"
        same = [u for u in self.order if u.op == v.op and not u.label]
        return f"{style.op_style(v.op).text} node no. {same.index(v) + 1}"

    def _expression(self, v: Value, depth: int) -> str:
        """`v` written as a formula over its parents, `depth` levels deep (then "…")."""
        if v.label or not v.parents:
            return v.label or self.num(v.data)
        if depth == 0:
            return "…"
        args = [self._expression(p, depth - 1) for p in v.parents]
        args = [f"({a})" if " " in a and p.parents else a for a, p in zip(args, v.parents)]
        entry = op_named(v.op)
        symbol = entry.symbol if entry is not None and entry.arity == 2 else None
        if symbol and v.const is not None and len(args) == 1:
            c = self.num(v.const)
            pair = [c, args[0]] if v.op in LEFT_CONSTANT else [args[0], c]
            return f"{pair[0]} {symbol} {pair[1]}"
        if symbol and len(args) == 2:
            return f"{args[0]} {symbol} {args[1]}"
        return f"{v.op}({', '.join(args)})"

    def forward(self) -> list[Step]:
        # Reading order: every node after its inputs, first arguments first (h = x + y
        # before i = x * y in Figure 5), the order a reader computes them in.
        reading = [n.value for n in self.view.reading_order if isinstance(n, ValueNode)]
        computed = [v for v in reading if v.parents]
        steps: list[Step] = []
        known: set[Value] = {v for v in self.order if not v.parents}
        for k, node in enumerate(computed):
            known.add(node)
            node_id = self.view.node_id(node)
            inputs = self.edges_into.get(node_id, [])
            looks = {self.view.node_id(v): "done" for v in known}
            looks.update({self.view.node_id(v): "not reached" for v in computed[k + 1 :]})
            # Its inputs are already done; the highlighted edges show them being read
            # (the dashed "receiving" look belongs to the backward pass alone).
            looks[node_id] = "visited now"
            labels = {}
            for i, edge in enumerate(self.view.edges):
                head = self.view.nodes[int(edge.head[1:])]
                assert isinstance(head, ValueNode)
                if head.value in known:
                    labels[i] = f"×{self.num(self.local(i))}"
            data = {v: self._data(v if v in known else None) for v in self.order}
            grads: dict[Value, float] = {}
            caption = f"forward step {k + 1} of {len(computed)}: {self._formula(node, inputs)}"
            graph = self._graph(looks, data, grads, {}, labels, inputs, self.theme.data, caption)
            steps.append(Step(k, node, caption, graph, "forward", self.theme.name, self.compact))
        return steps

    def _formula(self, node: Value, inputs: Sequence[int]) -> str:
        """How a node's value is computed, as in "h = x + y = 2 + 3 = 5"."""
        name, num = self._name(node), self.num
        args = [self.parent(i) for i in inputs]
        words = [f"({a.label})" if _compound(a.label) else a.label or num(a.data) for a in args]
        values = [num(a.data) for a in args]
        entry = op_named(node.op)
        symbol = entry.symbol if entry is not None and entry.arity == 2 else None
        if symbol and node.const is not None and len(args) == 1:  # x * 3, 2 - x
            c = num(node.const)
            left = node.op in LEFT_CONSTANT
            words, values = (
                ([c, words[0]], [c, values[0]]) if left else ([words[0], c], [values[0], c])
            )
        elif node.const is not None:  # a sum adds its plain numbers first, a dot last
            added = [num(node.const)]
            if node.op == "sum":
                words, values = added + words, added + values
            else:
                words, values = words + added, values + added
        if symbol and len(words) == 2:
            formula = f"{words[0]} {symbol} {words[1]} = {values[0]} {symbol} {values[1]}"
        else:
            formula = f"{node.op}({', '.join(words)})"
            if words != values:
                formula += f" = {node.op}({', '.join(values)})"
        locals_ = [f"{num(self.local(i))} ({self._name(a)})" for i, a in zip(inputs, args)]
        parts = [name.removeprefix("the node "), *formula.split(" = "), num(node.data)]
        kept = [p for k, p in enumerate(parts) if k == 0 or not _same(p, parts[k - 1])]
        if name.startswith("the node ") and len(kept) > 1:
            kept[0] = name  # "the node x + y = 2 + 3 = 5"
        head = " = ".join(kept)
        return (
            head
            + ", local derivatives "
            + ", ".join(locals_[:-1])
            + (" and " if len(locals_) > 1 else "")
            + locals_[-1]
        )

    def backward(self) -> list[Step]:
        steps: list[Step] = []
        done: set[str] = set()
        data = {v: self._data(v) for v in self.order}
        n = len(self.records)
        for k, r in enumerate(self.records):
            node_id = self.view.node_id(r.node)
            looks = {self.view.node_id(v): "not reached" for v in self.order}
            looks.update(dict.fromkeys(done, "done"))
            looks.update({self.view.edges[i].tail: "receiving" for i in r.passed})
            looks[node_id] = "visited now"
            labels = {i: f"×{self.num(self.local(i))}" for i in range(len(self.view.edges))}
            for i, c in r.passed.items():
                labels[i] = self._edge_texts(i, r.grad, c)[1]
            caption = f"backward step {k + 1} of {n}: " + self._backward_caption(r)
            graph = self._graph(
                looks, data, r.grads, r.notes, labels, list(r.passed), self.theme.grad, caption
            )
            steps.append(Step(k, r.node, caption, graph, "backward", self.theme.name, self.compact))
            done.add(node_id)
        return steps

    def _backward_caption(self, r: _Backward) -> str:
        num = self.num
        if r.node is self.root:
            name = f" {r.node.label!r}" if r.node.label else ""
            text = f"the root{name} starts with gradient {num(r.grad)}"
        else:
            text = f"{self._quoted(r.node)} has its final gradient {num(r.grad)}"
            if len(r.received) > 1:
                parts = " + ".join(num(c) for c in r.received)
                text += f" = {parts}, the sum of what {len(r.received)} children passed back"
        if not r.node.parents:
            return text + "; it is a leaf: nothing to pass back"
        passed = [
            f"{num(r.grad)} × {num(self.local(i))} = {num(c)} to {self._quoted(self.parent(i))}"
            for i, c in r.passed.items()
        ]
        return text + " and passes " + " and ".join(passed)

    def _quoted(self, v: Value) -> str:
        """A node's name inside a backward caption: node 'x', the node x + y."""
        return f"node {v.label!r}" if v.label else self._name(v)

    def _graph(
        self,
        states: dict[str, str],
        data: dict[Value, str],
        grads: dict[Value, float],
        notes: dict[str, str],
        labels: dict[int, str],
        active: Sequence[int],
        active_color: str,
        caption: str,
    ) -> graphviz.Digraph:
        theme: Theme = self.theme
        visited = next(box for box, state in states.items() if state == "visited now")
        frame = Frame(
            data_text=data,
            looks={box: theme.states[state] for box, state in states.items()},
            leaves=frozenset(self.view.node_id(v) for v in self.order if not v.parents),
            widths=self.widths,
            height=self.heights,
            edge_sizes=self.edge_sizes,
            op_fills={visited: theme.states["visited now"].fill},
            stacked=self.compact,
        )

        def grad_text(v: Value) -> str:
            return self._grad(grads.get(v))

        return build_digraph(
            self.view,
            rankdir=self.rankdir,
            precision=self.precision,
            grad_text=grad_text,
            edge_label=lambda i, _e: labels.get(i),
            notes=notes,
            edge_colors=dict.fromkeys(active, active_color),
            caption=caption,
            theme=theme,
            fontsize=self.fontsize,
            graph_attrs=COMPACT_SPACING if self.compact else SPACING,
            frame=frame,
        )


def save_steps_html(
    root: Value | list[Step],
    path: str | Path,
    *,
    title: str = "Backpropagation, step by step",
    max_side: int = MAX_SIDE,
) -> Path:
    """Write the step-through as one self-contained HTML page (works offline).

    The page holds every frame as inline SVG scaled to fill the window, with
    previous/next and play/pause buttons, a speed select, a slider, a legend of the
    node states, and the keyboard (arrows, Home/End, space); `page.html#step-4` opens
    at step 4 (see `viz.page`). Where Graphviz's `dot` program is missing, the page
    carries each frame's DOT text and lays it out in the browser with the WebAssembly
    Graphviz of `viz.wasm` (1.3 MB more). The page is written whole or not at all: an
    error (a full disk, say) leaves an existing file as it was.

    Args:
        root: a root Value (frames of both passes with default options, as from
            `step_through`) or a list of frames.
        path: the .html file to write.
        title: the page's heading.
        max_side: the longest side, in pixels, of a frame still drawn: a larger one
            would be scaled to the window as an unreadable strip.

    Returns:
        The path written.

    Raises:
        PictureTooLargeError: (a ValueError) for a frame larger than `max_side`.
    """
    steps = step_through(root) if isinstance(root, Value) else list(root)
    if not steps:
        raise ValueError("save_steps_html() needs at least one frame, got none")
    page = steps_page(steps, title=title, max_side=max_side)
    from nn.files import write_text  # here: `import viz` stays light

    path = Path(path)
    write_text(path, page)
    return path


def _compound(label: str) -> bool:
    """Whether a label reads as a formula ("x+y", "h + i") and needs brackets inside one."""
    return any(c in label for c in " +-*/×÷")


def _same(a: str, b: str) -> bool:
    """Whether two pieces of a caption say the same thing ("x+y" and "x + y", × and *)."""

    def plain(text: str) -> str:
        return "".join(text.split()).replace("×", "*").replace("÷", "/").replace("−", "-")

    return plain(a) == plain(b)
