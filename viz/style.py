"""How graphs look: number formatting and a small style table keyed by op.

Colours follow the notes' figures: forward values in green, gradients in red.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

from engine.ops import op_named
from engine.value import LEFT_CONSTANT

DATA_COLOR = "#1a7f37"  # forward values, green as in the notes
GRAD_COLOR = "#cf222e"  # gradients, red as in the notes
LEAF_FILL = "#ddf4ff"  # inputs and parameters
VALUE_FILL = "#ffffff"  # computed values
ROOT_FILL = "#fff8c5"  # the value the graph ends at
GROUP_FILL = "#eaeef2"  # collapsed modules
OP_FILL = "#f6f8fa"
HIGHLIGHT_FILL = "#ffd33d"  # the node a step-through frame is visiting
DONE_FILL = "#dafbe1"  # nodes whose gradient is final in a step-through
RECEIVING_FILL = "#fff1b3"  # nodes getting a gradient in a step-through frame
EDGE_COLOR = "#57606a"
FONT = "Helvetica"

NOT_COMPUTED = "?"


@dataclass(frozen=True)
class OpStyle:
    """How one op's small node is drawn: the text in it and its shape."""

    text: str
    shape: str = "circle"


def op_style(op: str, const: float | None = None, precision: int = 4) -> OpStyle:
    """How the small node of an op is drawn, from the op's entry in the engine's registry.

    The text is the op's symbol; an op that took a plain-number operand shows it where
    it stood (`× 3`, `^ 2`, `1 −`), so a formula can be read back from its picture.
    Short symbols sit in a circle, longer text in an ellipse; an op the registry does
    not know is drawn with its own name.

    >>> op_style("*").text, op_style("tanh").text, op_style("*", 3.0).text, op_style("r-", 1.0).text
    ('×', 'tanh', '× 3', '1 −')
    """
    entry = op_named(op)
    text = visible(op if entry is None else entry.symbol)
    if const is not None:
        c = fmt(const, precision)
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
    title: str, data: str, grad: str | None, *, fill: str, bold: bool = False, grad_note: str = ""
) -> str:
    """An HTML-like Graphviz label: one row of cells for title, data and grad.

    All text is escaped, so labels such as `a<b` cannot break the DOT file, and
    characters that do not print show as escapes (see `visible`). A cell is left out
    when its text is empty (title) or None (grad).
    """
    cells = []
    if title:
        text = _html(title)
        cells.append(f"<TD>{'<B>' + text + '</B>' if bold else text}</TD>")
    cells.append(f'<TD><FONT COLOR="{DATA_COLOR}">{_html(data)}</FONT></TD>')
    if grad is not None:
        grad_text = _html(grad)
        if grad_note:
            grad_text += f"<BR/>{_html(grad_note)}"
        cells.append(f'<TD><FONT COLOR="{GRAD_COLOR}">{grad_text}</FONT></TD>')
    return (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
        f'BGCOLOR="{fill}"><TR>{"".join(cells)}</TR></TABLE>>'
    )


def group_label(title: str, lines: list[str]) -> str:
    """An HTML-like label for a collapsed group: a bold title, then small lines."""
    rows = "".join(f'<TR><TD><FONT POINT-SIZE="10">{_html(s)}</FONT></TD></TR>' for s in lines)
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">'
        f"<TR><TD><B>{_html(title)}</B></TD></TR>{rows}</TABLE>>"
    )


def _html(text: str) -> str:
    return html.escape(visible(text))
