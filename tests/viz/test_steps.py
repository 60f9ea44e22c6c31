"""The step-through: forward frames, then one frame per node in backward's order."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

import engine
from engine import Value, dot
from tests.viz.test_draw import figure5
from tests.viz.test_walk import random_graph
from viz.draw import pipe
from viz.steps import backward_steps, forward_steps, save_steps_html, step_through
from viz.themes import LEGEND, LIGHT, STATES
from viz.walk import GraphTooLargeError, forward_order

BOX = r"<TD[^>]*>(?:<B>)?{name}(?:</B>)?</TD>"  # the title cell of the box of a Value


def box_text(source: str, name: str) -> str:
    """The text of the row of cells in the box of the Value labelled `name`."""
    found = re.search(BOX.format(name=re.escape(name)) + r"(.*?)</TR>", source)
    assert found, f"no box for {name!r}"
    return found.group(1)


def replayed_grads(root: Value) -> dict[str, float]:
    """The gradient each labelled node shows in the last frame."""
    last = backward_steps(root, precision=12)[-1].graph.source
    found = re.findall(BOX.format(name=r"(\w+)") + r".*?>grad ([^<]+)<", last)
    return {name: float(grad) for name, grad in found}


def test_one_frame_per_node_in_the_order_backward_visits_them() -> None:
    for seed in range(5):
        root = random_graph(seed)
        steps = backward_steps(root)
        backward_order = list(reversed(root.topological_order()))
        assert [s.node for s in steps] == backward_order
        assert [s.index for s in steps] == list(range(len(backward_order)))


def test_figure5_steps_follow_the_notes() -> None:
    f, _ = figure5()
    steps = backward_steps(f)
    # the engine's order: a node comes only after every node that uses it
    assert [s.node.label for s in steps] == ["f", "g", "h", "i", "x", "y", "z"]
    first = steps[0].caption
    assert "1 × 4 = 4 to node 'g'" in first and "1 × 11 = 11 to node 'z'" in first
    # x feeds h and i: its frame says that its gradient is the sum of both
    assert "final gradient 16 = 4 + 12, the sum of what 2 children passed back" in steps[4].caption


def test_figure5_forward_frames_compute_one_node_each_in_reading_order() -> None:
    f, _ = figure5()
    steps = forward_steps(f)
    # one frame per computed node (the 3 leaves have their values from the start),
    # first arguments first: h = x + y before i = x * y
    assert [s.node.label for s in steps] == ["h", "i", "g", "f"]
    assert [s.phase for s in steps] == ["forward"] * 4
    assert steps[0].caption == (
        "forward step 1 of 4: h = x + y = 2 + 3 = 5, local derivatives 1 (x) and 1 (y)"
    )
    assert steps[3].caption.startswith("forward step 4 of 4: f = g × z = 11 × 4 = 44")
    shown = [{name: box_text(s.graph.source, name) for name in "xyzhigf"} for s in steps]
    for k, frame in enumerate(shown):  # values appear one node per frame
        computed = {"x", "y", "z", *["h", "i", "g", "f"][: k + 1]}
        for name, cells in frame.items():
            assert ("data ?" in cells) == (name not in computed), (k, name)
            assert "grad ?" in cells  # no gradient is known in the forward pass
    # the edges into the node just computed carry its local derivatives
    assert "×3" in steps[1].graph.source and "×2" in steps[1].graph.source


def test_step_through_is_the_forward_frames_then_the_backward_frames() -> None:
    f, _ = figure5()
    steps = step_through(f)
    assert len(steps) == 4 + 7  # 4 computed nodes forward, all 7 nodes backward
    assert [s.index for s in steps] == list(range(11))
    assert [s.phase for s in steps] == ["forward"] * 4 + ["backward"] * 7
    assert [s.node.label for s in steps] == [*"higf", *"fghixyz"]
    assert [s.caption for s in steps[4:]] == [s.caption for s in backward_steps(f)]
    assert [s.caption for s in steps[:4]] == [s.caption for s in forward_steps(f)]


def test_a_leaf_root_has_no_forward_frame() -> None:
    x = Value(3.0, "x")
    assert forward_steps(x) == []
    assert [s.phase for s in step_through(x)] == ["backward"]


@pytest.mark.dot
@pytest.mark.parametrize("compact", [False, True])
def test_every_frame_has_the_same_layout(compact: bool) -> None:
    """Boxes and edge labels keep their size, so frames can be played as an animation."""
    f, _ = figure5()

    def layout(graph: object) -> list[list[str]]:
        g = graph.copy()  # type: ignore[attr-defined]
        g.graph_attr.pop("label", None)  # captions differ, and sit under the graph
        plain = pipe(g, "plain").decode()
        # "graph scale width height" and "node name x y width height ..."
        lines = [line.split() for line in plain.splitlines()]
        return [line[:6] for line in lines if line[0] in ("graph", "node")]

    layouts = [layout(s.graph) for s in step_through(f, compact=compact)]
    assert all(positions == layouts[0] for positions in layouts)


def test_compact_frames_show_bare_numbers_data_over_grad_and_the_sum_received() -> None:
    f, _ = figure5()
    frames = step_through(f, compact=True)
    assert all(s.compact for s in frames) and not step_through(f)[0].compact
    last = frames[-1].graph.source
    assert ">data " not in last and ">grad " not in last  # the colours and the legend say it
    x_box = next(line for line in last.splitlines() if ">x</TD>" in line)
    assert x_box.count("<TR>") == 2 and 'ROWSPAN="2"' in x_box  # x beside 2 over 16
    assert x_box.index(">2</FONT>") < x_box.index(">16</FONT>")
    both = next(s for s in frames if "= 4 + 12" in s.graph.source)  # x's second child
    assert "4×3=12" in both.graph.source and "(+= 12, was 4)" not in both.graph.source
    assert "4 × 3 = 12" in both.caption  # captions keep their spaces


def test_frame_captions_and_labels_are_escaped_in_the_dot_text() -> None:
    x = Value(2.0, 'a<b> & "c" {d|e}')
    for s in step_through(x * 3):
        assert "a<b>" not in s.graph.source and "a&lt;b&gt; &amp;" in s.graph.source


def test_captions_show_the_plain_numbers_of_sums_and_dots_where_they_are_added() -> None:
    w, x = Value(0.5, "w"), Value(3.0, "x")
    z = dot([w], [2.0], bias=1.5)
    z.label = "z"
    s = engine.sum([z, 2.0, x])
    s.label = "s"
    captions = [step.caption for step in forward_steps(s)]
    assert "z = dot(w, 1.5) = dot(0.5, 1.5) = 2.5" in captions[0]
    assert "s = sum(2, z, x) = sum(2, 2.5, 3) = 7.5" in captions[1]


def test_shared_node_shows_the_plus_equals_where_contributions_add_up() -> None:
    f, nodes = figure5()
    steps = backward_steps(f)
    # x gets 4 from h and 12 from i: the second of those frames shows "+=".
    first, second = [s for s in steps if nodes["x"] in s.node.parents]
    assert "+=" not in box_text(first.graph.source, "x")
    x_cell = box_text(second.graph.source, "x")
    assert "grad 16" in x_cell and "(+= " in x_cell


def test_replayed_gradients_match_backward_and_finite_differences() -> None:
    f, nodes = figure5()
    replay = replayed_grads(f)
    f.backward()
    h = 1e-6
    for name in ("x", "y", "z"):
        assert replay[name] == pytest.approx(nodes[name].grad)
        # central difference of f = ((x + y) + x y) z, written out independently
        vals = {"x": 2.0, "y": 3.0, "z": 4.0}

        def fx(d: float, name: str = name, vals: dict[str, float] = vals) -> float:
            v = dict(vals)
            v[name] += d
            return ((v["x"] + v["y"]) + v["x"] * v["y"]) * v["z"]

        numeric = (fx(h) - fx(-h)) / (2 * h)
        assert replay[name] == pytest.approx(numeric, rel=1e-6)


def test_steps_do_not_change_the_graph() -> None:
    f, nodes = figure5()
    backward_steps(f)
    assert all(v.grad == 0.0 for v in nodes.values())
    f.backward()
    grads = {k: v.grad for k, v in nodes.items()}
    backward_steps(f)
    assert grads == {k: v.grad for k, v in nodes.items()}


def test_frames_highlight_the_visited_node_and_color_its_edges() -> None:
    f, _ = figure5()
    visited = LIGHT.states["visited now"]
    for s in step_through(f):
        source = s.graph.source
        assert source.count(f'BGCOLOR="{visited.fill}"') == 1  # exactly one highlighted box
        assert re.search(BOX.format(name=s.node.label), source.split(visited.fill)[1])
        color = LIGHT.data if s.phase == "forward" else LIGHT.grad
        marked = f'color="{color}" (?:decorate=true )?fontcolor="{color}" penwidth=2.5'
        assert len(re.findall(marked, source)) == len(s.node.parents)


def test_gradient_seed_scales_every_frame() -> None:
    x = Value(3.0, "x")
    f = x * x
    last = backward_steps(f, gradient=2.0)[-1]
    assert "grad 12" in last.graph.source  # d(x^2)/dx = 6, times 2


def test_step_through_refuses_large_graphs() -> None:
    v = Value(1.0)
    for _ in range(200):
        v = v + 1.0
    with pytest.raises(GraphTooLargeError, match="201 nodes"):
        backward_steps(v)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_step_through_rejects_a_non_finite_seed(bad: float) -> None:
    with pytest.raises(ValueError, match="gradient must be finite"):
        backward_steps(Value(1.0) * 2, gradient=bad)


def test_forward_order_is_the_reverse_of_the_frames() -> None:
    f, _ = figure5()
    assert [s.node for s in backward_steps(f)] == list(reversed(forward_order(f)))


@pytest.mark.dot
def test_html_page_holds_every_frame_with_controls(tmp_path: Path) -> None:
    f, _ = figure5()
    steps = step_through(f)
    path = save_steps_html(steps, tmp_path / "steps.html")
    page = path.read_text()
    assert page.count('class="frame"') == len(steps) == 11
    # every frame laid out twice, left to right and top to bottom, both scaled to fit
    assert page.count("<svg") == 22
    assert page.count('<svg width="100%" height="100%"') == 22
    assert page.count('data-layout="LR"') == page.count('data-layout="TB"') == 11
    assert len(re.findall(r"<svg[^>]*viewBox=", page)) == 22
    for k in range(len(steps)):
        assert f'id="frame-{k}"' in page
    assert [m for m in re.findall(r'data-phase="(\w+)"', page)] == ["forward"] * 4 + [
        "backward"
    ] * 7
    for control in ('id="prev"', 'id="next"', 'id="play"', 'id="speed"', 'id="layout"'):
        assert control in page
    assert 'type="range"' in page and "ArrowLeft" in page and "ArrowRight" in page
    assert "http" not in page.replace("http://www.w3.org", "")  # nothing fetched online
    assert page.count('class="frame" id=') - page.count('data-phase="forward">') == 10
    assert page.count(" hidden>") >= 10  # only the first frame shows at load


@pytest.mark.dot
def test_html_page_has_a_legend_entry_for_every_look(tmp_path: Path) -> None:
    page = save_steps_html(step_through(Value(2.0, "x") * 3), tmp_path / "s.html").read_text()
    legend = page.split('<footer class="legend">')[1].split("</footer>")[0]
    for key in ("leaf", *STATES):
        name, meaning = LEGEND[key]
        assert f'<span title="{html.escape(meaning)}">' in legend and f"</i>{name}</span>" in legend
        if key != "leaf":
            look = LIGHT.states[key]
            assert f"background:{look.fill};border:2px {look.border_style} {look.border}" in legend
    assert "data</b> value" in legend and "grad</b> gradient" in legend


@pytest.mark.dot
def test_html_page_keeps_hostile_labels_escaped(tmp_path: Path) -> None:
    x = Value(2.0, "<script>alert(1)</script>")
    page = save_steps_html(step_through(x * 3), tmp_path / "s.html", title="<b>&").read_text()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<h1>&lt;b&gt;&amp;</h1>" in page


def test_html_needs_frames(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one frame"):
        save_steps_html([], tmp_path / "x.html")


@pytest.mark.dot
def test_a_step_displays_as_its_picture_in_notebooks() -> None:
    step = backward_steps(Value(2.0, "x") * 3)[0]
    bundle = step._repr_mimebundle_(include=["image/svg+xml"])
    assert "<svg" in bundle["image/svg+xml"]
    assert "the root starts with gradient 1" in bundle["image/svg+xml"]
