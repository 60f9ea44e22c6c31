"""How graphs look: number formatting, a small style table keyed by op, box labels.

Colours come from `viz.themes` and follow the notes' figures: forward values in
green, gradients in red.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from viz.themes import LIGHT, StateLook, Theme

FONT = "Helvetica"
FONT_SIZE = 12.0  # points, of the text in Value boxes; edge labels are a little smaller

NOT_COMPUTED = "?"


@dataclass(frozen=True)
class OpStyle:
    """How one op's small node is drawn: the text in it and its shape."""

    text: str
    shape: str = "circle"


# Keyed by `Value.op`; ops missing here are drawn with their own name in an ellipse.
OP_STYLES: dict[str, OpStyle] = {
    "+": OpStyle("+"),
    "-": OpStyle("−"),
    "*": OpStyle("×"),
    "/": OpStyle("÷"),
    "**": OpStyle("^"),
    "neg": OpStyle("−x"),
    "abs": OpStyle("|x|"),
    "sum": OpStyle("Σ"),
    "dot": OpStyle("w·x", "ellipse"),
}


def op_style(op: str) -> OpStyle:
    """The style of an op's node.

    >>> op_style("*").text, op_style("tanh").text
    ('×', 'tanh')
    """
    return OP_STYLES.get(op, OpStyle(op, "ellipse"))


def check_precision(precision: int) -> int:
    """Return `precision` if it is a usable number of significant digits.

    Raises:
        ValueError: unless it is an int from 1 to 17.
    """
    if isinstance(precision, bool) or not isinstance(precision, int) or not 1 <= precision <= 17:
        raise ValueError(f"precision must be an int from 1 to 17, got {precision!r}")
    return precision


def fmt(x: float, precision: int = 4) -> str:
    """Format a number readably: `precision` significant digits, no trailing zeros.

    >>> fmt(16.0), fmt(-0.0), fmt(0.123456), fmt(2.5e-07), fmt(123456.0)
    ('16', '0', '0.1235', '2.5e-07', '1.235e+05')
    """
    if x == 0.0:
        return "0"  # also -0.0, which reads as a mistake
    if not math.isfinite(x):
        return repr(x)
    return f"{x:.{precision}g}"


def value_label(
    title: str,
    data: str,
    grad: str | None,
    *,
    fill: str,
    bold: bool = False,
    grad_note: str = "",
    theme: Theme = LIGHT,
    look: StateLook | None = None,
    rounded: bool = False,
    widths: Sequence[float] = (),
    height: float = 0.0,
) -> str:
    """An HTML-like Graphviz label: one row of cells for title, data and grad.

    All text is escaped, so labels such as `a<b` cannot break the DOT file. A cell
    is left out when its text is empty (title) or None (grad).

    Args:
        title, data, grad: the cells' text.
        fill: the background colour.
        bold: write the title in bold (the root).
        grad_note: a second line under the gradient.
        theme: the colours of the text and of the cell borders.
        look: a step-through state: its border colour and style are drawn around
            the box (always 2 points wide, so boxes keep their size between frames).
        rounded: round the box's corners (a leaf in a step-through).
        widths: the minimum widths in points of the title, data and grad cells.
        height: the minimum height in points of the cells.
    """
    grad_cell = None
    if grad is not None:
        grad_cell = html.escape(grad)
        if grad_note:
            grad_cell += f"<BR/>{html.escape(grad_note)}"
        grad_cell = f'<FONT COLOR="{theme.grad}">{grad_cell}</FONT>'
    data_cell = f'<FONT COLOR="{theme.data}">{html.escape(data)}</FONT>'
    title_cell = html.escape(title) if title else ""
    if bold and title:
        title_cell = f"<B>{title_cell}</B>"
    if look is None and not widths and not height:
        # draw_graph's boxes, thousands at a time: every cell has its own border.
        td = "<TD>" if theme is LIGHT else f'<TD COLOR="{theme.cell_border}">'
        cells = f"{td}{title_cell}</TD>" if title else ""
        cells += f"{td}{data_cell}</TD>"
        if grad_cell is not None:
            cells += f"{td}{grad_cell}</TD>"
        table = 'BORDER="0" CELLBORDER="1"'
    else:
        texts = [title_cell] if title else []
        texts.append(data_cell)
        if grad_cell is not None:
            texts.append(grad_cell)
        sizes = [f' WIDTH="{w:.0f}"' if w else "" for w in widths]
        sizes = ([*sizes, "", "", ""][:3] if title else [*sizes[1:], "", ""][:2])[: len(texts)]
        tall = f' HEIGHT="{height:.0f}"' if height else ""
        if look is None:
            inner = [f' COLOR="{theme.cell_border}"' if theme is not LIGHT else ""] * len(texts)
            table = 'BORDER="0" CELLBORDER="1"'
        else:
            # The table's border shows the state, and lines run between the cells only,
            # so that they do not poke out of rounded corners.
            line = f' BORDER="1" SIDES="R" COLOR="{theme.cell_border}"'
            inner = [line] * (len(texts) - 1) + [""]
            styles = ",".join(s for s in ("rounded" if rounded else "", look.border_style) if s)
            table = f'BORDER="2" COLOR="{look.border}" STYLE="{styles}" CELLBORDER="0"'
        cells = "".join(
            f"<TD{border}{size}{tall}>{text}</TD>"
            for border, size, text in zip(inner, sizes, texts)
        )
    return (
        f'<<TABLE {table} CELLSPACING="0" CELLPADDING="4" '
        f'BGCOLOR="{fill}"><TR>{cells}</TR></TABLE>>'
    )


def edge_label(text: str, color: str, width: float, height: float) -> str:
    """An HTML-like edge label at least `width` x `height` points, so an edge takes the
    same room in every frame of a step-through whether its label shows or not."""
    content = f'<FONT COLOR="{color}">{html.escape(text)}</FONT>' if text else ""
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
        f'<TR><TD WIDTH="{width:.0f}" HEIGHT="{height:.0f}">{content}</TD></TR></TABLE>>'
    )


# Advance widths in 1/1000 em, rounded up by groups, of DejaVu Sans: the font Graphviz
# picks for "Helvetica" on many Linux systems, and wider than Helvetica, Arial or
# Liberation Sans, so the estimate below is an upper bound for them too.
_GROUPS = (
    ("0123456789$bdghnpquS{}", 636),
    ("#+<=>^~×−÷", 838),
    ("aeo", 615),
    ("kvxy", 592),
    ("csz?", 550),
    ("frt", 396),
    ("ijl'", 278),
    (" ,.·", 318),
    ("/:;|\\", 337),
    ("()[]-!", 401),
    ('*_`"', 500),
    ("mw", 974),
    ("CDGHNOQU&", 790),
    ("ABEKPRVXZ", 710),
    ("FLTYΣ", 635),
    ("IJ", 295),
    ("MW%@", 1000),
)
_WIDTHS = {c: w for chars, w in _GROUPS for c in chars}


def text_width(text: str, fontsize: float) -> float:
    """A generous estimate of the width of one line of `text`, in points.

    >>> round(text_width("data 44", 10))
    43
    """
    return (sum(_WIDTHS.get(c, 750) for c in text) * 1.06 * fontsize / 1000) + 2


def group_label(title: str, lines: list[str]) -> str:
    """An HTML-like label for a collapsed group: a bold title, then small lines."""
    rows = "".join(
        f'<TR><TD><FONT POINT-SIZE="10">{html.escape(s)}</FONT></TD></TR>' for s in lines
    )
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">'
        f"<TR><TD><B>{html.escape(title)}</B></TD></TR>{rows}</TABLE>>"
    )
