"""The step-through as an animated GIF, a multi-page PDF and numbered PNGs."""

from __future__ import annotations

import os
import re
import time
import zlib
from pathlib import Path

import pytest

from engine import Value
from tests.viz.test_draw import figure5
from viz import slides
from viz.draw import PictureTooLargeError
from viz.slides import save_steps, steps_target
from viz.steps import step_through
from viz.themes import DARK

Image = pytest.importorskip("PIL.Image")


def small() -> Value:
    """x * y: one forward frame and three backward frames."""
    return Value(2.0, "x") * Value(3.0, "y")


def pdf_pages(path: Path) -> int:
    """The number of page objects in a PDF ("/Type /Page", not "/Type /Pages")."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", path.read_bytes()))


@pytest.mark.dot
def test_gif_has_one_frame_per_step_of_one_size(tmp_path: Path) -> None:
    f, _ = figure5()
    steps = step_through(f)
    path = save_steps(steps, tmp_path / "f5.gif", seconds=0.5, dpi=48)
    with Image.open(path) as gif:
        assert gif.n_frames == len(steps) == 11
        durations = []
        for k in range(gif.n_frames):
            gif.seek(k)
            durations.append(gif.info["duration"])
        assert durations == [500] * 10 + [1500]  # the last frame stays longer
        assert gif.info.get("loop") == 0


@pytest.mark.dot
def test_pdf_has_one_page_per_step(tmp_path: Path) -> None:
    path = save_steps(small(), tmp_path / "slides.pdf", title="x times y", dpi=72)
    assert path.read_bytes()[:5] == b"%PDF-"
    assert pdf_pages(path) == 4


def streams(pdf: bytes) -> list[bytes]:
    """Every stream of a PDF, inflated where it is compressed."""
    out = []
    for m in re.finditer(rb"/Length (\d+)(?: 0 R)?[^>]*>>\s*stream\r?\n", pdf):
        data = pdf[m.end() :].split(b"endstream")[0]
        try:
            out.append(zlib.decompress(data))
        except zlib.error:
            out.append(data)
    return out


@pytest.mark.dot
def test_pdf_slides_are_vector_text_and_lines_not_pictures(tmp_path: Path) -> None:
    f, _ = figure5()
    path = save_steps(step_through(f), tmp_path / "f5.pdf", title="Figure 5: backpropagation")
    pdf = path.read_bytes()
    assert pdf_pages(path) == 11
    assert b"/Subtype /Image" not in pdf and b"/DCTDecode" not in pdf  # no page is a picture
    assert b"/FontFile2" in pdf  # the fonts are embedded: text is text
    drawn = b"\n".join(streams(pdf))
    # Text shown with TJ: [(gr)10(ad 16)]TJ, strings between kerning numbers.
    shown = b"".join(
        b"".join(re.findall(rb"\(([^)]*)\)", m.group(1))) + b"|"
        for m in re.finditer(rb"\[(.*?)\]\s*TJ", drawn, re.S)
    )
    for text in (b"grad 16|", b"data 44|", b"Figure 5: backpropagation|"):
        assert text in shown, text
    assert len(re.findall(rb"(?:[-\d.]+ ){6}c\b", drawn)) > 20  # and curves: the edges
    assert len(pdf) < 600_000  # the title and legend are stored once, not per page
    assert re.search(rb"/Title <FEFF[0-9A-F]+>", pdf)


@pytest.mark.dot
def test_png_folder_holds_numbered_frames(tmp_path: Path) -> None:
    folder = save_steps(step_through(small(), theme="dark"), f"{tmp_path}/frames/", dpi=72)
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["step-01.png", "step-02.png", "step-03.png", "step-04.png"]
    sizes = set()
    for name in names:
        with Image.open(folder / name) as im:
            sizes.add(im.size)
            # the dark theme's background fills the corners
            assert im.convert("RGB").getpixel((0, 0)) == Image.new(
                "RGB", (1, 1), DARK.background
            ).getpixel((0, 0))
    assert len(sizes) == 1


@pytest.mark.dot
def test_html_goes_to_the_page(tmp_path: Path) -> None:
    path = save_steps(small(), tmp_path / "s.html", title="x times y")
    page = path.read_text()
    assert "<h1>x times y</h1>" in page and page.count('class="frame"') == 4


@pytest.mark.dot
def test_the_pixel_budget_counts_every_frame_with_its_title_and_legend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = step_through(small())
    bare = slides._render(slides._without_caption(steps[0].graph), 96)
    monkeypatch.setattr(slides, "MAX_PIXELS", len(steps) * bare.width * bare.height + 1)
    drawn: list[object] = []
    real_pipe = slides.pipe
    monkeypatch.setattr(slides, "pipe", lambda *a, **k: drawn.append(a) or real_pipe(*a, **k))
    with pytest.raises(PictureTooLargeError, match="title and legend included"):
        save_steps(steps, tmp_path / "s.gif")
    assert not (tmp_path / "s.gif").exists()
    assert len(drawn) == 3  # the first picture, the title and the legend: no frame yet


@pytest.mark.dot
@pytest.mark.parametrize("target", ["deep.gif", "deep.pdf", "deep.html", "frames/"])
def test_a_deep_chain_is_refused_after_one_layout_not_drawn_as_a_strip(
    tmp_path: Path, target: str
) -> None:
    x = Value(0.5, "x")
    y = x
    for _ in range(79):
        y = y.tanh()
    y.backward()
    started = time.perf_counter()
    with pytest.raises(PictureTooLargeError, match=r"10,000 a side may have \(max_side\)"):
        save_steps(step_through(y), f"{tmp_path}/{target}")
    assert time.perf_counter() - started < 10  # it took 81 s and 4.7 GB
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("s.svg", "expected a file ending in .html, .gif or .pdf, or a folder ending in /"),
        ("missing/s.gif", "folder .*missing.* does not exist"),
    ],
)
def test_unknown_targets_are_refused_before_any_work(
    tmp_path: Path, name: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        steps_target(tmp_path / name)


def test_targets_are_chosen_by_extension_or_folder(tmp_path: Path) -> None:
    assert steps_target(tmp_path / "a.HTML") == (tmp_path / "a.HTML", "html")
    assert steps_target(tmp_path / "a.pdf")[1] == "pdf"
    assert steps_target(tmp_path)[1] == "png"  # an existing folder
    assert steps_target(f"{tmp_path}/new/")[1] == "png"


def test_no_frames_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one frame"):
        save_steps([], tmp_path / "s.gif")


@pytest.mark.dot
def test_a_page_leaves_out_the_other_layout_when_only_it_would_be_a_strip(
    tmp_path: Path,
) -> None:
    x = Value(0.3, "x")
    y = x
    for _ in range(6):
        y = y.tanh()
    y.backward()
    steps = step_through(y, rankdir="TB")  # about 1,000 pixels tall; left to right 4,000 wide
    page = save_steps(steps, tmp_path / "p.html", max_side=2000).read_text()
    assert page.count('data-layout="TB"') == len(steps) and 'data-layout="LR"' not in page
    with pytest.raises(PictureTooLargeError):
        save_steps(step_through(y), tmp_path / "q.html", max_side=2000)
    assert not (tmp_path / "q.html").exists()


@pytest.mark.dot
def test_compose_writes_a_pdf_whose_cross_references_hold() -> None:
    import graphviz

    from viz.draw import pipe
    from viz.slides.pdf import Placement, compose, read_piece

    a = read_piece(pipe(graphviz.Digraph(body=["a -> b"]), "pdf"))
    b = read_piece(pipe(graphviz.Digraph(body=['c [label="é ü ✓"]']), "pdf"))
    pdf = compose(
        [a, b],
        [[Placement(0, 10, 10, 2.0), Placement(1, 300, 200)], [Placement(1, 0, 0, 0.5)]],
        size=(400, 300),
        title="é ✓",
    )
    start = int(pdf.rsplit(b"startxref\n", 1)[1].split()[0])
    assert pdf[start:].startswith(b"xref\n0 ")
    entries = pdf[start:].split(b"\n")[2:]
    count = int(pdf[start:].split(b"\n")[1].split()[1])
    for number, entry in enumerate(entries[1:count], 1):
        offset = int(entry.split()[0])
        assert pdf[offset:].startswith(b"%d 0 obj" % number), number
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 2
    assert pdf.count(b"/Subtype /Form") == 2  # each piece once, whatever the pages


def test_read_piece_refuses_what_it_cannot_read() -> None:
    from viz.slides.pdf import read_piece

    with pytest.raises(ValueError, match="not a PDF"):
        read_piece(b"GIF89a")
    with pytest.raises(ValueError, match="one page, found 0"):
        read_piece(b"%PDF-1.5\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
