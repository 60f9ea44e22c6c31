"""How graphs look: number formatting, a small style table keyed by op, box labels.

Colours come from `viz.themes` and follow the notes' figures: forward values in
green, gradients in red.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from engine.ops import op_named
from engine.value import LEFT_CONSTANT
from viz.themes import LIGHT, StateLook, Theme

FONT = "Helvetica"
FONT_SIZE = 12.0  # points, of the text in Value boxes; edge labels are a little smaller

NOT_COMPUTED = "?"


@dataclass(frozen=True)
class OpStyle:
    """How one op's small node is drawn: the text in it and its shape."""

    text: str
    shape: str = "circle"


def op_style(op: str, const: float | None = None, precision: int = 4) -> OpStyle:
    """How the small node of an op is drawn, from the op's entry in the engine's registry.

    The text is the op's symbol; an op that took a plain-number operand shows it where
    it stood (`× 3`, `^ 2`, `1 −`), so a formula can be read back from its picture,
    and a sum or dot shows the plain numbers it added (`Σ + 1.5`). Short symbols sit
    in a circle, longer text in an ellipse; an op the registry does not know is drawn
    with its own name.

    >>> op_style("*").text, op_style("tanh").text, op_style("*", 3.0).text, op_style("r-", 1.0).text
    ('×', 'tanh', '× 3', '1 −')
    >>> op_style("sum", 1.5).text
    'Σ + 1.5'
    """
    entry = op_named(op)
    text = visible(op if entry is None else entry.symbol)
    if const is not None:
        c = fmt(const, precision)
        if entry is not None and entry.arity is None:  # sum, dot: any number of terms
            text = f"{text} + {c}"
        else:
            text = f"{c} {text}" if op in LEFT_CONSTANT else f"{text} {c}"
    return OpStyle(text, "circle" if len(text) <= 2 else "ellipse")


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str) -> str:
    r"""`text` with every character that does not print written as an escape.

    Labels, captions and expressions come from users, and a control character in them
    would break the picture (XML forbids most of them in SVG, so `dot` fails) or
    garble the terminal. What `repr` would escape (control and format characters,
    lone surrogates, separators other than the space) is written as `\x07`, `\n` or
    `\u200b`; everything printable, accented letters included, stays as it is.

    >>> visible("a\x07b\nc"), visible("café × 2")
    ('a\\x07b\\nc', 'café × 2')
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _escape(c: str) -> str:
    code = ord(c)
    if c in _ESCAPES:
        return _ESCAPES[c]
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


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
    stacked: bool = False,
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
        height: the minimum height in points of the cells (with `stacked`, of
            the grad cell).
        stacked: data above grad in one column (as wide as the wider of the two
            `widths`), the title beside them: a box about half as wide, for slides.
            Needs `look`.
    """
    grad_cell = None
    if grad is not None:
        grad_cell = _html(grad)
        if grad_note:
            grad_cell += f"<BR/>{_html(grad_note)}"
        grad_cell = f'<FONT COLOR="{theme.grad}">{grad_cell}</FONT>'
    data_cell = f'<FONT COLOR="{theme.data}">{_html(data)}</FONT>'
    title_cell = _html(title) if title else ""
    if bold and title:
        title_cell = f"<B>{title_cell}</B>"
    if stacked and look is not None:
        return _stacked_label(
            title_cell, data_cell, grad_cell, fill, theme, look, rounded, widths, height
        )
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


def _stacked_label(
    title_cell: str,
    data_cell: str,
    grad_cell: str | None,
    fill: str,
    theme: Theme,
    look: StateLook,
    rounded: bool,
    widths: Sequence[float],
    height: float,
) -> str:
    """`value_label(..., stacked=True)`: the title, then data over grad."""
    width = max([0.0, *widths[1:]])
    size = f' WIDTH="{width:.0f}"' if width else ""
    rows = 2 if grad_cell is not None else 1
    tall = f' HEIGHT="{height:.0f}"' if height else ""  # the grad cell's: a note may come
    line = f'BORDER="1" COLOR="{theme.cell_border}"'
    styles = ",".join(s for s in ("rounded" if rounded else "", look.border_style) if s)
    title = f'<TD ROWSPAN="{rows}" {line} SIDES="R">{title_cell}</TD>' if title_cell else ""
    under = f' {line} SIDES="B"' if grad_cell is not None else ""
    cells = f"<TR>{title}<TD{under}{size}>{data_cell}</TD></TR>"
    if grad_cell is not None:
        cells += f"<TR><TD{size}{tall}>{grad_cell}</TD></TR>"
    return (
        f'<<TABLE BORDER="2" COLOR="{look.border}" STYLE="{styles}" CELLBORDER="0" '
        f'CELLSPACING="0" CELLPADDING="3" BGCOLOR="{fill}">{cells}</TABLE>>'
    )


def edge_label(text: str, color: str, width: float, height: float) -> str:
    """An HTML-like edge label at least `width` x `height` points, so an edge takes the
    same room in every frame of a step-through whether its label shows or not."""
    content = f'<FONT COLOR="{color}">{_html(text)}</FONT>' if text else ""
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
    rows = "".join(f'<TR><TD><FONT POINT-SIZE="10">{_html(s)}</FONT></TD></TR>' for s in lines)
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">'
        f"<TR><TD><B>{_html(title)}</B></TD></TR>{rows}</TABLE>>"
    )


def _html(text: str) -> str:
    return html.escape(visible(text))
