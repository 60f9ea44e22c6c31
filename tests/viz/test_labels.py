"""Text from users in pictures: characters that do not print show as escapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Value
from viz import style
from viz.draw import draw_graph, pipe, render
from viz.steps import backward_steps, save_steps_html

# A bell, a newline, an escape (the start of terminal colour codes), a lone surrogate
# (what Python makes of bytes that are not UTF-8) and a zero-width space.
HIDDEN = "a\x07b\nc\x1b[31md\udcffe\u200bf"
SHOWN = "a\\x07b\\nc\\x1b[31md\\udcffe\\u200bf"


def test_visible_escapes_what_does_not_print_and_keeps_the_rest() -> None:
    assert style.visible(HIDDEN) == SHOWN
    assert style.visible("ü × 2 ") == "ü × 2 "
    assert style.visible("\t\r\x7f\U000e0001") == "\\t\\r\\x7f\\U000e0001"


def graph_with_hidden_text() -> Value:
    x = Value(2.0, HIDDEN)
    f = x * 3
    f.label = "f" + HIDDEN
    f.backward()
    return f


def test_labels_and_captions_are_escaped_in_the_dot_text() -> None:
    source = draw_graph(graph_with_hidden_text(), title="cap" + HIDDEN).source
    assert SHOWN in source and "f" + SHOWN in source
    # The caption is an HTML-like label, where a backslash is just a backslash.
    assert "cap" + SHOWN in source
    assert all(c.isprintable() or c in "\t\n" for c in source)
    source.encode("utf-8")  # a lone surrogate could not be encoded


def test_unknown_op_names_are_escaped_too() -> None:
    assert style.op_style("my\x07op").text == "my\\x07op"


@pytest.mark.dot
def test_hidden_characters_render_to_svg_that_shows_them_escaped(tmp_path: Path) -> None:
    out = render(graph_with_hidden_text(), tmp_path / "f.svg", title=HIDDEN)
    svg = out.read_text(encoding="utf-8")
    assert "\x07" not in svg and svg.count("a\\x07b\\nc") >= 3  # box, box "f...", caption


@pytest.mark.dot
def test_backslashes_in_captions_and_op_names_show_as_written() -> None:
    x = Value(1.0, "x")
    f = Value(2.0, "y") * x
    f.op = "a\\N\\"  # an unescaped \N would show the node's name
    svg = pipe(draw_graph(f, title="c:\\new\\"), "svg").decode("utf-8")
    assert ">c:\\new\\</text>" in svg and ">a\\N\\</text>" in svg


@pytest.mark.dot
def test_step_through_page_escapes_its_title_and_captions(tmp_path: Path) -> None:
    page = save_steps_html(
        backward_steps(graph_with_hidden_text()), tmp_path / "s.html", title="t" + HIDDEN
    )
    text = page.read_text(encoding="utf-8")
    assert "t" + SHOWN in text and "\x07" not in text and "\x1b" not in text


@pytest.mark.dot
def test_a_frame_with_hidden_characters_still_renders() -> None:
    steps = backward_steps(graph_with_hidden_text())
    assert all(pipe(s.graph, "svg").startswith(b"<?xml") for s in steps)
