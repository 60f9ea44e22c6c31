"""The step-through for slides: an animated GIF, numbered PNGs or vector PDF slides.

For the GIF and the PNGs, Graphviz renders every frame to PNG (with its caption under
the graph); Pillow, which comes with matplotlib, puts a title above and a legend of
the node states below and pads all frames to one size. For the PDF, Graphviz writes
each piece (title, graph, caption, legend) as PDF and `viz.slides.pdf` places them on
slide pages, so the slides stay vector. The frames share one layout (see
`viz.steps`), so the graph stands still while the colours move.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine import Value
from nn.files import atomic_path, write_bytes, write_file_set
from viz.draw import MAX_SIDE, PictureTooLargeError, caption_label, check_size, pipe
from viz.frames import Step
from viz.page import OTHER_LAYOUT
from viz.slides.pdf import Piece, Placement, compose, read_piece
from viz.steps import save_steps_html, step_through
from viz.themes import LEGEND, STATES, StateLook, Theme, get_theme

if TYPE_CHECKING:
    from PIL.Image import Image

KINDS = (".html", ".gif", ".pdf")
MAX_PIXELS = 60_000_000  # all frames together (3 bytes each while they are put together)
DEFAULT_TITLE = "Backpropagation, step by step"
STEP_FILES = r"step-[0-9]+[.]png"  # a folder's frames: replaced as one set by the next run

#: Slide pages, width x height in inches: a 16:9 page is PowerPoint's and Beamer's
#: widescreen size, so text keeps the point size it has on those slides.
ASPECTS = {"16:9": (13.333, 7.5), "4:3": (10.0, 7.5)}
#: The smallest text on a 16:9 slide, in points, for graphs up to the size of the
#: notes' Figure 5 drawn for slides (`step_through(..., compact=True)`, what
#: `save_steps` and `tracegrad graph --steps f.pdf` draw): title 32 pt, caption
#: 22 pt, legend 18 pt, the graph as large as the page allows (Figure 5: 18.4 pt
#: under a two-line title, Figure 4: 23.6 pt; frames not drawn compact: 11.3 pt
#: and 17.4 pt). `slide_points` gives it for any step-through.
MIN_SLIDE_POINTS = 18.0
SLIDE_TITLE_POINTS = 32.0
SLIDE_CAPTION_POINTS = 22.0
SLIDE_LEGEND_POINTS = 18.0
SLIDE_MARGIN = 0.3  # inches around the page's content
_BOLD = 1.15  # how much wider bold text runs than regular


def steps_target(path: str | os.PathLike[str]) -> tuple[Path, str]:
    """What `save_steps` writes to `path`: ("html" | "gif" | "pdf" | "png", the path).

    A path ending in "/" or naming an existing folder means numbered PNGs in it.

    Raises:
        ValueError: for any other extension, or when the folder to write in is missing.

    >>> steps_target("out/")
    (PosixPath('out'), 'png')
    >>> steps_target("f.GIF")[1]
    'gif'
    """
    text = os.fspath(path)
    target = Path(text)
    kind = "png" if text.endswith(("/", os.sep)) or target.is_dir() else target.suffix.lower()
    if kind != "png" and kind not in KINDS:
        raise ValueError(
            f"cannot write a step-through to {text!r}: expected a file ending in "
            f".html, .gif or .pdf, or a folder ending in / for numbered PNGs"
        )
    if not target.parent.is_dir():
        raise ValueError(f"cannot write {text!r}: folder {str(target.parent)!r} does not exist")
    return target, kind.lstrip(".")


def save_steps(
    steps: Value | Sequence[Step],
    path: str | os.PathLike[str],
    *,
    title: str = DEFAULT_TITLE,
    dpi: float = 96,
    seconds: float = 1.5,
    legend: bool = True,
    aspect: str = "16:9",
    max_side: int = MAX_SIDE,
) -> Path:
    """Write a step-through as a page, an animation, slides or pictures, by `path`.

    - "f.html": the interactive page of `save_steps_html`;
    - "f.gif": an animated GIF, `seconds` per frame (the last one three times as long),
      looping;
    - "f.pdf": vector slides, one page per frame, `aspect` 16:9 or 4:3, the graph
      scaled to fill the page between the title and the caption and legend (see
      `slides_pdf`);
    - "DIR/": step-01.png, step-02.png, ... in DIR (created if missing), written as
      one set, whole or not at all: they replace every step-NN.png already there (a
      shorter run leaves none of a longer one's frames behind); other files there are
      left alone.

    Args:
        steps: frames (from `step_through`, `backward_steps`, ...) or a root Value,
            whose forward and backward frames are made with default options
            (compact for PDF slides: `step_through(root, compact=True)`).
        path: where to write (see above).
        title: the heading of the page or of every frame ("" for none).
        dpi: the resolution of the GIF and PNG pictures (96 shows them at their size
            on a screen; 150-200 for slides). PDF slides are vector: no resolution.
        seconds: how long the GIF shows each frame.
        legend: put a legend of the node states under every picture.
        aspect: the shape of PDF pages, "16:9" (13.33 x 7.5 in) or "4:3" (10 x 7.5 in).
        max_side: the longest side, in pixels, of a graph's picture still drawn
            (a larger one is refused: it would be an unreadable strip).

    Returns:
        The path written (the folder for PNGs).

    Raises:
        ValueError: for an unknown kind of path, no frames, a bad option; and
            PictureTooLargeError (a ValueError) for a picture over `max_side` or
            frames over `MAX_PIXELS` in all.
        DotNotFoundError: if Graphviz is not installed.
        ImportError: if Pillow is missing (it comes with matplotlib).
    """
    target, kind = steps_target(path)
    slides = kind == "pdf"
    frames = step_through(steps, compact=slides) if isinstance(steps, Value) else list(steps)
    if not frames:
        raise ValueError("save_steps() needs at least one frame, got none")
    if aspect not in ASPECTS:
        raise ValueError(f"unknown aspect {aspect!r} (expected one of {', '.join(ASPECTS)})")
    if kind == "html":
        return save_steps_html(frames, target, title=title, max_side=max_side)
    check_size("dpi", dpi, 36, 600)
    check_size("seconds", seconds, 0.05, 60)
    if kind == "pdf":
        pdf = slides_pdf(frames, title=title, aspect=aspect, legend=legend, max_side=max_side)
        write_bytes(target, pdf)
        return target
    images = render_frames(frames, title=title, dpi=dpi, legend=legend, max_side=max_side)
    if kind == "png":
        digits = max(2, len(str(len(images))))
        pngs = {f"step-{k:0{digits}d}.png": _png(im, dpi) for k, im in enumerate(images, 1)}
        write_file_set(target, pngs, replaces=STEP_FILES)
        return target
    first, rest = images[0], images[1:]
    with atomic_path(target) as tmp:
        ms = round(seconds * 1000)
        durations = [ms] * (len(images) - 1) + [3 * ms]
        first.save(tmp, format="GIF", save_all=True, append_images=rest, duration=durations, loop=0)
    return target


def render_frames(
    steps: Sequence[Step],
    *,
    title: str = "",
    dpi: float = 96,
    legend: bool = True,
    max_side: int = MAX_SIDE,
) -> list[Image]:
    """Every frame as a Pillow image of one common size: title, picture, caption, legend.

    The sizes are checked before the frames are drawn: the first picture's layout
    (a side over `max_side` pixels would be an unreadable strip), then all
    frames together, title and legend included (`MAX_PIXELS`, the memory the images
    take); and again, exactly, once every caption is drawn and before any frame is
    put together. The pictures are kept as PNG bytes until then.

    Raises:
        PictureTooLargeError: (a ValueError) if the graph's picture would be wider or
            taller than `max_side` pixels at `dpi`, or all frames together
            would exceed `MAX_PIXELS`.
        DotNotFoundError: if Graphviz is not installed.
        ImportError: if Pillow is missing.
    """
    image_module = _pillow()
    theme = get_theme(steps[0].theme)
    size = float(steps[0].graph.graph_attr.get("fontsize", "16"))
    first = _render(_without_caption(steps[0].graph), dpi, max_side)
    width_pt = first.width * 72 / dpi
    wrap = max(40, int(width_pt / (size * 0.6)))
    top = _strip(caption_label(title, wrap, bold=True), theme, size * 1.3, dpi) if title else None
    key = legend_label(theme, stacked=steps[0].compact)
    bottom = _strip(key, theme, size * 0.9, dpi) if legend else None
    strips = [im for im in (top, bottom) if im is not None]
    extra = sum(im.height for im in strips)
    width = max(im.width for im in [first, *strips])
    _check_pixels(len(steps), width, first.height + extra, dpi)
    pictures = []
    for s in steps:
        graph = s.graph.copy()
        graph.graph_attr["label"] = caption_label(s.caption, wrap)
        graph.graph_attr["dpi"] = f"{dpi:g}"
        pictures.append(pipe(graph, "png", max_side=max_side))
    sizes = [image_module.open(io.BytesIO(png)).size for png in pictures]  # headers only
    width = max(width, *(w for w, _ in sizes))
    height = max(h for _, h in sizes)
    _check_pixels(len(steps), width, height + extra, dpi)
    y0 = top.height if top else 0
    full = height + extra  # the title, the picture and the legend
    background = steps[0].graph.graph_attr.get("bgcolor", "#FFFFFF")
    frames = []
    for png in pictures:
        picture = _flatten(image_module.open(io.BytesIO(png)), background)
        canvas = image_module.new("RGB", (width, full), theme.background)
        if top:
            canvas.paste(top, ((width - top.width) // 2, 0))
        canvas.paste(picture, ((width - picture.width) // 2, y0))
        if bottom:
            canvas.paste(bottom, ((width - bottom.width) // 2, y0 + height))
        frames.append(canvas)
    return frames


def _check_pixels(count: int, width: int, height: int, dpi: float) -> None:
    """Refuse frames that together hold more than `MAX_PIXELS` pixels."""
    if count * width * height > MAX_PIXELS:
        raise PictureTooLargeError(
            f"{count} frames of {width:,} x {height:,} pixels (title and legend included) "
            f"are {count * width * height:,} pixels, more than the {MAX_PIXELS:,} a GIF "
            f"or PNG step-through may hold: lower dpi (now {dpi:g}), draw a smaller "
            f"graph, or write an .html page instead"
        )


def slide_scale(
    steps: Sequence[Step], *, aspect: str = "16:9", legend: bool = True, title: str = ""
) -> float:
    """How much `slides_pdf` enlarges the graph (1.0: its own size) to fill a page.

    The graph's text on a slide is its font size times this; `slide_points` gives the
    smallest text on the page. Of the frames' layout and the other one (left to right
    or top to bottom), the one that shows the graph larger is taken.
    """
    strips = _slide_strips(steps, aspect, legend, title, 72)
    return _slide_layout(steps, aspect, strips, 72)[1]


def _slide_strips(
    steps: Sequence[Step],
    aspect: str,
    legend: bool,
    title: str,
    dpi: float,
    *,
    vector: bool = False,
) -> tuple[Any, list[Any], Any]:
    """The title, every caption and the legend of the pages: images drawn at `dpi`, or
    with `vector` PDF pieces (`viz.slides.pdf.Piece`, sized in points)."""
    theme = get_theme(steps[0].theme)

    def draw(label: str, points: float) -> Any:
        if vector:
            return read_piece(pipe(_strip_graph(label, theme, points), "pdf"))
        return _strip(label, theme, points, dpi)

    width = ASPECTS[aspect][0]
    wrap = _wrap(width, SLIDE_CAPTION_POINTS)
    title_wrap = _wrap(width, SLIDE_TITLE_POINTS * _BOLD)
    top = draw(caption_label(title, title_wrap, bold=True), SLIDE_TITLE_POINTS) if title else None
    captions = [draw(caption_label(s.caption, wrap), SLIDE_CAPTION_POINTS) for s in steps]
    bottom = (
        draw(legend_label(theme, 2, stacked=steps[0].compact), SLIDE_LEGEND_POINTS)
        if legend
        else None
    )
    return top, captions, bottom


def _slide_layout(
    steps: Sequence[Step], aspect: str, strips: tuple[Any, list[Any], Any], dpi: float
) -> tuple[str, float]:
    """The layout direction that shows the graph largest in the room the strips leave,
    and how much it is enlarged there."""
    width, height = ASPECTS[aspect]
    top, captions, bottom = strips
    margin = SLIDE_MARGIN * dpi
    used = 2 * margin + max(c.height for c in captions)
    used += (top.height if top else 0) + (bottom.height if bottom else 0)
    room_w, room_h = width * dpi - 2 * margin, height * dpi - used
    own = steps[0].graph.graph_attr.get("rankdir", "LR")
    best = (own, 0.0)
    for rankdir in (own, OTHER_LAYOUT.get(own, own)):
        graph = _without_caption(steps[0].graph)
        graph.graph_attr["rankdir"] = rankdir
        natural = _render(graph, 72)  # 1 pixel = 1 point
        pixels = dpi / 72
        scale = max(
            0.05, min(room_w / (natural.width * pixels), room_h / (natural.height * pixels))
        )
        if scale > best[1] * 1.05:  # the frames' own layout unless the other is clearly larger
            best = (rankdir, scale)
    return best


def slide_points(
    steps: Sequence[Step], *, aspect: str = "16:9", legend: bool = True, title: str = ""
) -> float:
    """The smallest text on `slides_pdf`'s pages, in points (compare MIN_SLIDE_POINTS):
    the graph's text enlarged to fill the page with `title` on top, or the legend's."""
    node_size = float(steps[0].graph.node_attr.get("fontsize", "14"))
    edge_size = float(steps[0].graph.edge_attr.get("fontsize", str(node_size)))
    scale = slide_scale(steps, aspect=aspect, legend=legend, title=title)
    graph = min(node_size, edge_size) * scale
    fixed = [SLIDE_CAPTION_POINTS, *([SLIDE_LEGEND_POINTS] if legend else [])]
    return min(graph, *fixed)


def slides_pdf(
    steps: Sequence[Step],
    *,
    title: str = "",
    aspect: str = "16:9",
    legend: bool = True,
    max_side: int = MAX_SIDE,
) -> bytes:
    """Every frame as a vector slide page, all in one PDF file: title on top, the graph
    scaled to fill, caption, legend.

    Each piece (title, graph, caption, legend) is Graphviz's own PDF, placed and scaled
    on the page (`viz.slides.pdf`): text stays text and lines stay lines at any zoom,
    and the file is small (the title and legend are stored once). The graph is laid
    out once, in the direction that shows it larger, and drawn as large as the room
    between title and caption allows; `slide_points` gives its smallest text.

    Raises:
        ValueError: for an unknown aspect; PictureTooLargeError (a ValueError) for a
            graph whose picture would be longer than `max_side` pixels at 96 dpi.
        DotNotFoundError: if Graphviz is not installed.
    """
    theme = get_theme(steps[0].theme)
    pieces, pages, size = _slide_plan(steps, title, aspect, legend, max_side)
    rgb = tuple(int(theme.background[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return compose(pieces, pages, size=size, background=rgb, title=title)  # type: ignore[arg-type]


def _slide_plan(
    steps: Sequence[Step], title: str, aspect: str, legend: bool, max_side: int
) -> tuple[list[Piece], list[list[Placement]], tuple[float, float]]:
    """The pieces of the slides, where each goes on each page, and the page's size (pt)."""
    if aspect not in ASPECTS:
        raise ValueError(f"unknown aspect {aspect!r} (expected one of {', '.join(ASPECTS)})")
    width, height = (side * 72 for side in ASPECTS[aspect])
    top, captions, bottom = strips = _slide_strips(steps, aspect, legend, title, 72, vector=True)
    rankdir, _ = _slide_layout(steps, aspect, strips, 72)
    graphs = []
    for s in steps:
        graph = _without_caption(s.graph)
        graph.graph_attr["rankdir"] = rankdir
        # PDF's default margin is 0.5 in; with none the piece has the PNG's size (dot's
        # 4 pt pad on each side, which 0.055 in added to), so slide_points is exact.
        graph.graph_attr["margin"] = "0"
        graphs.append(read_piece(pipe(graph, "pdf", max_side=max_side)))
    margin = SLIDE_MARGIN * 72
    below = max(c.height for c in captions) + (bottom.height if bottom else 0) + margin
    above = margin + (top.height if top else 0)
    room_w, room_h = width - 2 * margin, height - above - below
    scale = min(room_w / graphs[0].width, room_h / graphs[0].height)
    fixed = [p for p in (top, bottom) if p is not None]
    pieces = [*fixed, *captions, *graphs]
    pages = []
    for k, (caption, graph) in enumerate(zip(captions, graphs)):
        at = [
            Placement(len(fixed) + k, (width - caption.width) / 2, below - caption.height),
            Placement(
                len(fixed) + len(captions) + k,
                (width - graph.width * scale) / 2,
                below + (room_h - graph.height * scale) / 2,
                scale,
            ),
        ]
        if top is not None:
            at.append(Placement(0, (width - top.width) / 2, height - margin - top.height))
        if bottom is not None:
            at.append(Placement(len(fixed) - 1, (width - bottom.width) / 2, margin))
        pages.append(at)
    return pieces, pages, (width, height)


def _wrap(width_in: float, points: float) -> int:
    """Characters per line of text of `points` size across a page `width_in` wide."""
    return max(30, int((width_in - 2 * SLIDE_MARGIN) * 72 / (points * 0.55)))


def _caption_lines(text: str, wrap: int) -> int:
    return max(1, caption_label(text, wrap).count("<BR/>") + 1)


def legend_label(theme: Theme, rows: int = 1, *, stacked: bool = False) -> str:
    """A one-row HTML-like legend: a small box in each state's look, then its name, and
    the colours of the two numbers in a box (data, grad); `rows=2` puts those below;
    `stacked` (compact frames, whose boxes show bare numbers) says which is on top."""
    cells = []
    looks = [(LEGEND[state][0], theme.states[state], "") for state in STATES]
    leaf = StateLook(theme.background, theme.text, "solid")
    looks.insert(0, (LEGEND["leaf"][0], leaf, "rounded,"))
    for name, look, shape in looks:
        box = (
            f'<TABLE BORDER="2" COLOR="{look.border}" STYLE="{shape}{look.border_style}" '
            f'BGCOLOR="{look.fill}" CELLPADDING="0" CELLSPACING="0"><TR>'
            f'<TD WIDTH="26" HEIGHT="12"></TD></TR></TABLE>'
        )
        cells.append(f'<TD>{box}</TD><TD ALIGN="LEFT">{name}</TD><TD WIDTH="14"></TD>')
    numbers = [
        f'<TD ALIGN="LEFT"><FONT COLOR="{color}"><B>{name}</B></FONT> {meaning}</TD>'
        f'<TD WIDTH="14"></TD>'
        for color, name, meaning in (
            (theme.data, "data", "forward value" + (", on top" if stacked else "")),
            (theme.grad, "grad", "gradient" + (", below it" if stacked else "")),
        )
    ]
    table = '<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="2">'
    if rows == 1:
        return f"<{table}<TR>{''.join(cells + numbers)}</TR></TABLE>>"
    inner = [f"{table}<TR>{''.join(part)}</TR></TABLE>" for part in (cells, numbers)]
    rows_html = "".join(f"<TR><TD>{row}</TD></TR>" for row in inner)
    return f'<<TABLE BORDER="0" CELLSPACING="0">{rows_html}</TABLE>>'


def _pillow() -> Any:
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(
            "GIF, PDF and PNG step-throughs need Pillow, which comes with matplotlib: "
            "pip install 'tracegrad[plot]' (or pip install pillow)"
        ) from None
    return Image


def _without_caption(graph: Any) -> Any:
    copy = graph.copy()
    copy.graph_attr.pop("label", None)
    return copy


def _render(graph: Any, dpi: float, max_side: int = MAX_SIDE) -> Image:
    graph = graph.copy()
    graph.graph_attr["dpi"] = f"{dpi:g}"
    image = _pillow().open(io.BytesIO(pipe(graph, "png", max_side=max_side)))
    return _flatten(image, graph.graph_attr.get("bgcolor", "#FFFFFF"))


def _strip_graph(label: str, theme: Theme, fontsize: float) -> Any:
    """A graph of one label alone (a title, a caption or the legend), in Graphviz's fonts."""
    import graphviz

    g = graphviz.Digraph("strip")
    g.graph_attr.update(
        label=label,
        labelloc="t",
        fontname="Helvetica",
        fontsize=f"{fontsize:g}",
        fontcolor=theme.text,
        bgcolor=theme.background,
        margin="0.1",
    )
    return g


def _strip(label: str, theme: Theme, fontsize: float, dpi: float) -> Image:
    """A picture of one label alone, at `dpi`."""
    graph = _strip_graph(label, theme, fontsize)
    graph.graph_attr["dpi"] = f"{dpi:g}"
    return _flatten(_pillow().open(io.BytesIO(pipe(graph, "png"))), theme.background)


def _flatten(image: Image, background: str) -> Image:
    """An RGB copy of `image` laid over `background` (Graphviz writes RGBA PNGs)."""
    image.load()
    if image.mode == "RGB":
        return image
    rgba = image.convert("RGBA")
    canvas: Image = _pillow().new("RGB", rgba.size, background)
    canvas.paste(rgba, mask=rgba.getchannel("A"))
    return canvas


def _png(image: Image, dpi: float) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()
