"""A notebook run where Graphviz's `dot` is missing still shows its graphs (issue 21).

The notebook is executed with a PATH that holds no `dot`, exported to HTML with nbconvert,
and opened in headless Chromium: Graphviz in WebAssembly, shipped inside viz/wasm, draws
Figure 5 of the notes (f = 44, gradients 16, 12 and 11) as SVG in the page.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from tests.browser.chromium import chromium, run_page

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("TRACEGRAD_SCREENSHOTS", ""))

CELLS = [
    "import shutil\nfrom engine import Value\nfrom viz import draw_graph\n"
    "assert shutil.which('dot') is None, 'dot should be off PATH here'",
    "x, y, z = Value(2.0, 'x'), Value(3.0, 'y'), Value(4.0, 'z')\n"
    "h = x + y; h.label = 'h'\ni = x * y; i.label = 'i'\n"
    "f = (h + i) * z; f.label = 'f'\nf.backward()\nf",
    "draw_graph(f)",
    "from viz import steps_widget\nsteps_widget(f)",
]


@pytest.mark.browser
@pytest.mark.notebook
def test_figure5_is_drawn_in_the_browser_without_dot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chromium()  # skip first, before the kernel starts, where Chromium is missing
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    # Only the virtual environment's programs: python and jupyter, but no dot.
    bin_dir = Path(sys.executable).parent
    assert not (bin_dir / "dot").exists()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in CELLS],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=False).execute()
    outputs = [out for cell in nb.cells for out in cell.get("outputs", [])]
    assert [sorted(out["data"]) for out in outputs] == [
        ["text/html", "text/plain"],  # the Value: no SVG from dot, a snippet for the browser
        ["text/html", "text/plain"],  # draw_graph's Digraph (IPython adds its repr)
        ["text/html", "text/plain"],  # the step-through widget: a page in an iframe
    ]

    page = tmp_path / "figure5.html"
    body, _ = HTMLExporter().from_notebook_node(nb)
    page.write_text(body, encoding="utf-8")
    shot = (SHOTS if SHOTS.parts else tmp_path) / "notebook_without_dot.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    dom = run_page(page.as_uri(), shot)

    svgs = re.findall(r'<div [^>]*id="tracegrad-graph-[^"]*"[^>]*>(.*?)</div>', dom, re.S)
    assert len(svgs) == 2, "both graphs should be drawn: " + dom[-500:]
    for svg in svgs:
        assert svg.lstrip().startswith("<svg"), svg[:300]
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        for number in ("data 44", "grad 16", "grad 12", "grad 11"):
            assert number in texts, (number, texts)
    assert shot.stat().st_size > 10_000
    stepping_through(page, shot.with_name("notebook_steps_without_dot.png"))


def stepping_through(page: Path, shot: Path) -> None:
    """The widget's frames, laid out by the browser's Graphviz, from the first to the last."""
    playwright = pytest.importorskip(
        "playwright.sync_api", reason="needs Playwright: pip install -e '.[test]'"
    )
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto(page.as_uri())
        widget = tab.frame_locator("iframe")
        widget.locator("body[data-drawn=yes]").wait_for(timeout=60_000)
        first = widget.locator("#frame-0 .layout:not([hidden]) svg")
        assert "data 2" in first.text_content() and "grad ?" in first.text_content()
        assert widget.locator("#counter").text_content() == "step 1 of 11"
        widget.locator("#slider").focus()
        widget.locator("body").press("End")
        assert widget.locator("#counter").text_content() == "step 11 of 11"
        last = widget.locator("#frame-10 .layout:not([hidden]) svg").text_content()
        for number in ("data 44", "grad 16", "grad 12", "grad 11"):
            assert number in last, (number, last)
        widget.locator("#frame-10").scroll_into_view_if_needed()
        tab.locator("iframe").screenshot(path=str(shot))
        browser.close()
