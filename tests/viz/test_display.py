"""A Value shows itself in Jupyter as its graph; a step-through as an inline page."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from engine import Value
from tests.viz.test_draw import figure5
from viz.display import DISPLAY_MAX_NODES, steps_widget, value_mimebundle
from viz.draw import MAX_SIDE, draw_graph
from viz.page import frame_sources
from viz.steps import save_steps_html, step_through


def chain(n: int) -> Value:
    v = Value(1.0, "v")
    for _ in range(n - 1):
        v = v + 1.0
    return v


@pytest.mark.dot
def test_a_value_displays_as_its_graph_and_its_repr() -> None:
    f, _ = figure5()
    f.backward()
    bundle = value_mimebundle(f)
    assert set(bundle) == {"image/svg+xml", "text/plain"}
    assert bundle["text/plain"] == "Value(data=44.0, label='f')"
    svg = bundle["image/svg+xml"]
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "grad 16" in svg and "data 44" in svg


def test_a_graph_over_the_limit_displays_as_text_only() -> None:
    big = chain(DISPLAY_MAX_NODES + 1)
    assert value_mimebundle(big) == {"text/plain": repr(big)}
    assert value_mimebundle(chain(5), max_nodes=4) == {"text/plain": repr(chain(5))}


def test_without_dot_a_value_is_drawn_by_the_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    x = Value(2.0, "x") * 3
    bundle = value_mimebundle(x)
    assert set(bundle) == {"text/plain", "text/html"}
    assert bundle["text/plain"] == "Value(data=6.0)"
    # The same DOT text dot would get, as a JSON string the browser's Graphviz lays out.
    assert json.dumps(draw_graph(x).source) in bundle["text/html"]
    assert "renderSVGElement" in bundle["text/html"]
    assert value_mimebundle(x, exclude={"text/html"}) == {"text/plain": "Value(data=6.0)"}


def test_the_front_end_can_ask_for_text_alone() -> None:
    x = Value(2.0, "x")
    assert value_mimebundle(x, include={"text/plain"}) == {"text/plain": repr(x)}
    assert value_mimebundle(x, exclude={"image/svg+xml"}) == {"text/plain": repr(x)}


def test_only_values_have_a_mimebundle() -> None:
    with pytest.raises(TypeError, match="needs a Value, got 3"):
        value_mimebundle(3)  # type: ignore[arg-type]


@pytest.mark.dot
def test_the_widget_is_the_whole_page_escaped_in_an_iframe() -> None:
    x = Value(2.0, "<i>x</i>")
    widget = steps_widget(step_through(x * 3), title='say "hi" & <b>', height=400)
    shown = widget._repr_html_()
    assert shown.startswith('<iframe srcdoc="') and shown.endswith("</iframe>")
    assert "height: 400px" in shown
    srcdoc = re.match(r'<iframe srcdoc="([^"]*)"', shown)
    assert srcdoc, "the page must sit in one attribute, with every quote escaped"
    page = html.unescape(srcdoc.group(1))
    assert page == widget.page()
    assert page.count('class="frame"') == 3  # one forward, two backward
    assert "<h1>say &quot;hi&quot; &amp; &lt;b&gt;</h1>" in page
    assert "<i>x</i>" not in page  # the hostile label stays text


def test_the_widget_needs_frames_and_a_sane_height() -> None:
    with pytest.raises(ValueError, match="at least one frame"):
        steps_widget([])
    with pytest.raises(ValueError, match="height must be an int of at least 100"):
        steps_widget(Value(1.0) * 2, height=10)


def test_without_dot_a_drawn_graph_is_drawn_by_the_browser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    f, _ = figure5()
    f.backward()
    graph = draw_graph(f)
    monkeypatch.setenv("PATH", "")
    bundle = graph._repr_mimebundle_()
    assert list(bundle) == ["text/html"]
    assert json.dumps(graph.source) in bundle["text/html"]
    assert json.dumps(graph.copy().source) in graph.copy()._repr_mimebundle_()["text/html"]


@pytest.mark.dot
def test_with_dot_a_drawn_graph_displays_as_graphviz_made_it() -> None:
    graph = draw_graph(Value(2.0, "x") * 3)
    assert list(graph._repr_mimebundle_()) == ["image/svg+xml"]


def frames_block(page: str) -> dict:
    """The frames' JSON a page made without dot carries, parsed."""
    found = re.search(r'<script type="application/json" id="tracegrad-frames">(.*?)</script>', page)
    assert found, "the page should carry its frames' DOT text"
    return dict(json.loads(found.group(1)))


def test_without_dot_the_step_through_is_laid_out_by_the_browser(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    f, _ = figure5()
    f.backward()
    steps = step_through(f)
    monkeypatch.setenv("PATH", "")
    page = steps_widget(steps).page()
    assert not re.search(r'class="layout"[^>]*><svg', page)  # no dot ran: the browser will
    assert "renderSVGElement" in page
    data = frames_block(page)
    assert data["maxSide"] == MAX_SIDE
    assert data["frames"] == [{"dots": f["dots"]} for f in frame_sources(steps, ["LR", "TB"])]
    last = data["frames"][-1]["dots"]["LR"]
    assert "grad 11" in last and "grad 16" in last
    for k, step in enumerate(steps):  # the very text dot would have been given, but the caption
        graph = step.graph.copy()
        graph.graph_attr.pop("label", None)
        assert data["frames"][k]["dots"]["LR"] == graph.source
    assert page.count('class="frame"') == len(steps)
    written = save_steps_html(steps, tmp_path / "steps.html")  # also as a file
    assert frames_block(written.read_text(encoding="utf-8")) == data


def test_without_dot_hostile_labels_cannot_end_the_frames_script(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    x = Value(2.0, "</script><!--<script>alert(1)</script>")
    monkeypatch.setenv("PATH", "")
    page = steps_widget(x * 3).page()
    assert page.count("</script>") == page.count("<script")  # none ends early
    assert "alert(1)</script>" not in page
    dots = [f["dots"]["LR"] for f in frames_block(page)["frames"]]
    assert all("alert(1)" in dot for dot in dots)  # still there, as text


@pytest.mark.dot
def test_with_dot_the_step_through_holds_svg_as_before() -> None:
    page = steps_widget(Value(2.0, "x") * 3).page()
    assert page.count("<svg") == 6  # 3 frames x 2 layouts
    assert "tracegrad-frames" not in page and "renderSVGElement" not in page
