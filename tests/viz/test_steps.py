"""The backward step-through: one frame per node, in backward's order, as HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import Value
from tests.viz.test_draw import figure5
from tests.viz.test_walk import random_graph
from viz.steps import backward_steps, save_steps_html
from viz.walk import GraphTooLargeError, forward_order


def replayed_grads(root: Value) -> dict[str, float]:
    """The gradient each labelled node shows in the last frame."""
    last = backward_steps(root, precision=12)[-1].graph.source
    found = re.findall(r"<TD>(?:<B>)?(\w+)(?:</B>)?</TD>.*?>grad ([^<]+)<", last)
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
    assert "1 × 4 = 4 to 'g'" in first and "1 × 11 = 11 to 'z'" in first


def test_shared_node_shows_the_plus_equals_where_contributions_add_up() -> None:
    f, nodes = figure5()
    steps = backward_steps(f)
    # x gets 4 from h and 12 from i: the second of those frames shows "+=".
    first, second = [s for s in steps if nodes["x"] in s.node.parents]
    assert "+=" not in first.graph.source.split("<TD>x</TD>")[1].split("</TR>")[0]
    x_cell = second.graph.source.split("<TD>x</TD>")[1].split("</TR>")[0]
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
    steps = backward_steps(f)
    for s in steps:
        assert s.graph.source.count("#ffd33d") == 1  # exactly one highlighted box
        n_edges = s.graph.source.count("penwidth=2.5")
        assert n_edges == len(s.node.parents)


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
    steps = backward_steps(f)
    path = save_steps_html(steps, tmp_path / "steps.html")
    page = path.read_text()
    assert page.count('class="frame"') == len(steps) == 7
    assert page.count("<svg") == 7
    for s in steps:
        assert f'id="frame-{s.index}"' in page
    assert 'type="range"' in page and 'id="prev"' in page and 'id="next"' in page
    assert "http" not in page.replace("http://www.w3.org", "")  # nothing fetched online
    assert page.count(" hidden>") == 6  # only the first frame shows at load


def test_html_needs_frames(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one frame"):
        save_steps_html([], tmp_path / "x.html")


@pytest.mark.dot
def test_a_step_displays_as_its_picture_in_notebooks() -> None:
    step = backward_steps(Value(2.0, "x") * 3)[0]
    bundle = step._repr_mimebundle_(include=["image/svg+xml"])
    assert "<svg" in bundle["image/svg+xml"]
    assert "the root starts with gradient 1" in bundle["image/svg+xml"]
