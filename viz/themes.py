"""Colour themes for every picture: "light" (the default), "dark" and "high-contrast".

One table per theme holds the colours of the graphs (values green, gradients red, as in
the notes), of the step-through's node states and of the plots. The state colours come
from the Okabe-Ito palette, which stays distinguishable under the common colour-vision
deficiencies, and each state also has its own border style, so colour is never the
only cue. `tests/viz/test_themes.py` checks the contrast of every text colour on every
fill and the colour distance between states under simulated colour blindness.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The node states of a step-through frame, in the order the legend lists them.
STATES = ("not reached", "visited now", "receiving", "done")

#: The legend of pages and slides: for the leaf shape and each state, a short name
#: (shown) and what it means (a page shows it on hover; docs repeat it).
LEGEND = {
    "leaf": ("leaf", "an input or a parameter: rounded corners"),
    "not reached": (
        "not visited yet",
        "not visited yet in this pass: dotted border; its value shows ? (forward pass), "
        "and its gradient shows ? until a child passes it a share (backward pass)",
    ),
    "visited now": (
        "visited now",
        "visited now: dark solid border; its value is computed (forward pass) or it "
        "passes its gradient back (backward pass)",
    ),
    "receiving": (
        "receiving",
        "receiving: dashed border; a parent getting a share of the gradient (backward "
        "pass); in the forward pass the inputs read now are marked by coloured edges",
    ),
    "done": ("done", "done in this pass: no border; value computed, or gradient final"),
}


@dataclass(frozen=True)
class StateLook:
    """How a Value's box looks in one state: its fill, border colour and border style."""

    fill: str
    border: str
    border_style: str  # "solid", "dashed" or "dotted"


@dataclass(frozen=True)
class Theme:
    """The colours of one theme. Fills and text colours are '#rrggbb' strings."""

    name: str
    background: str
    text: str
    muted: str  # secondary text and dotted borders
    data: str  # forward values
    grad: str  # gradients
    edge: str
    cell_border: str
    value_fill: str
    leaf_fill: str
    root_fill: str
    op_fill: str
    group_fill: str
    states: dict[str, StateLook]
    classes: tuple[str, ...]  # one colour per class in plots
    region_share: float  # how much of a class colour tints its region (the rest: background)
    weight: float = 1.0  # a factor on line widths and marker sizes


OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")


def mix(color: str, share: float, base: str) -> str:
    """`share` of `color` over `base`, as '#rrggbb' (the look of a transparent colour).

    >>> mix("#E69F00", 0.5, "#FFFFFF")
    '#F2CF80'
    """
    a = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(base[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(y + (x - y) * share):02X}" for x, y in zip(a, b))


LIGHT = Theme(
    name="light",
    background="#FFFFFF",
    text="#1F2328",
    muted="#6E7781",
    data="#0E5A24",
    grad="#9A0C24",
    edge="#57606A",
    cell_border="#1F2328",
    value_fill="#FFFFFF",
    leaf_fill="#DDF4FF",
    root_fill="#FFF8C5",
    op_fill="#F6F8FA",
    group_fill="#EAEEF2",
    states={
        "not reached": StateLook("#FFFFFF", "#6E7781", "dotted"),
        "visited now": StateLook("#EEBC4C", "#1F2328", "solid"),
        "receiving": StateLook("#BBE1F6", "#1F2328", "dashed"),
        "done": StateLook("#8CD3C0", "#8CD3C0", "solid"),
    },
    classes=OKABE_ITO,
    region_share=0.3,
)

DARK = Theme(
    name="dark",
    background="#161B22",
    text="#F0F6FC",
    muted="#8B949E",
    data="#8CE9B0",
    grad="#FFB3AD",
    edge="#9DA7B3",
    cell_border="#8B949E",
    value_fill="#161B22",
    leaf_fill="#1D3047",
    root_fill="#3D3411",
    op_fill="#21262D",
    group_fill="#21262D",
    states={
        "not reached": StateLook("#161B22", "#8B949E", "dotted"),
        "visited now": StateLook("#5F4916", "#F0F6FC", "solid"),
        "receiving": StateLook("#233A4A", "#F0F6FC", "dashed"),
        "done": StateLook("#0B5C4A", "#0B5C4A", "solid"),
    },
    classes=("#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#F0E442", "#D55E00", "#0072B2"),
    region_share=0.35,
)

HIGH_CONTRAST = Theme(
    name="high-contrast",
    background="#FFFFFF",
    text="#000000",
    muted="#000000",
    data="#0B4A1E",
    grad="#800D1F",
    edge="#000000",
    cell_border="#000000",
    value_fill="#FFFFFF",
    leaf_fill="#FFFFFF",
    root_fill="#FFFFFF",
    op_fill="#FFFFFF",
    group_fill="#FFFFFF",
    states={
        "not reached": StateLook("#FFFFFF", "#000000", "dotted"),
        "visited now": StateLook("#E69F00", "#000000", "solid"),
        "receiving": StateLook("#A6D5F3", "#000000", "dashed"),
        "done": StateLook("#C2E7DC", "#C2E7DC", "solid"),
    },
    classes=OKABE_ITO,
    region_share=0.45,
    weight=1.6,
)

THEMES = {t.name: t for t in (LIGHT, DARK, HIGH_CONTRAST)}


def get_theme(theme: str | Theme) -> Theme:
    """The Theme called `theme` (a Theme is returned as it is).

    Raises:
        ValueError: for an unknown name, listing the known ones.

    >>> get_theme("dark").background
    '#161B22'
    """
    if isinstance(theme, Theme):
        return theme
    found = THEMES.get(theme) if isinstance(theme, str) else None
    if found is None:
        raise ValueError(f"unknown theme {theme!r} (expected one of {', '.join(THEMES)})")
    return found
