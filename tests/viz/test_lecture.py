"""Ready for the lecture hall: slide pages, the CLI's picture options, truthful captions."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from engine import Value
from tests.viz.test_draw import figure5
from viz import slides
from viz.cli import main
from viz.cli.demo import figure4
from viz.draw import caption_label, draw_graph, render
from viz.steps import step_through
from viz.themes import DARK, LIGHT

Image = pytest.importorskip("PIL.Image")


def page_sizes(path: Path) -> list[tuple[float, float]]:
    """The MediaBox (width, height) in points of every page of a PDF."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", path.read_bytes())
    return [(float(w), float(h)) for w, h in boxes]


@pytest.mark.dot
@pytest.mark.parametrize(("aspect", "ratio"), [("16:9", 16 / 9), ("4:3", 4 / 3)])
def test_pdf_slides_are_pages_of_the_asked_shape(tmp_path: Path, aspect: str, ratio: float) -> None:
    f, _ = figure5()
    path = slides.save_steps(f, tmp_path / "s.pdf", dpi=40, aspect=aspect)
    sizes = page_sizes(path)
    assert len(sizes) == 11
    assert all(abs(w / h - ratio) < 0.01 and abs(h - 540) < 2 for w, h in sizes)  # 7.5 in


@pytest.mark.dot
@pytest.mark.parametrize(
    ("expression", "name"),
    [("h = x + y; i = x * y; f = (h + i) * z", "Figure 5"), ("g = x + y; f = g * z", "Figure 4")],
)
def test_cli_slides_of_the_notes_figures_have_text_for_the_back_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, expression: str, name: str
) -> None:
    """18 pt at least on 16:9 pages, under the CLI's own two-line title (was 11.3 pt)."""
    drawn: list[tuple[list[object], str]] = []
    real = slides.slides_pdf
    monkeypatch.setattr(
        slides,
        "slides_pdf",
        lambda steps, **k: drawn.append((steps, k["title"])) or real(steps, **k),
    )
    main(["graph", expression, "x=2", "y=3", "z=4", "--steps", str(tmp_path / "s.pdf")])
    ((steps, title),) = drawn
    assert slides.MIN_SLIDE_POINTS == 18
    assert slides.slide_points(steps, title=title) >= slides.MIN_SLIDE_POINTS, name  # type: ignore[arg-type]


@pytest.mark.dot
def test_the_graph_fills_the_slide_and_its_text_is_big_enough() -> None:
    f, _ = figure5()
    steps = step_through(f, compact=True)
    assert slides.slide_points(steps) >= slides.MIN_SLIDE_POINTS
    assert slides.slide_points(step_through(figure4(), compact=True)) >= slides.MIN_SLIDE_POINTS
    pieces, pages, (width, _) = slides._slide_plan(steps[:1], "Figure 5", "16:9", True, 10_000)
    graph = pages[0][1]  # the caption, then the graph, then the title and the legend
    stated = slides.slide_scale(steps[:1], title="Figure 5")
    assert graph.scale == pytest.approx(stated, rel=0.002)  # as stated (was 2% off)
    assert pieces[graph.piece].width * graph.scale > 0.85 * width
    assert graph.x >= 0 and graph.x + pieces[graph.piece].width * graph.scale <= width


@pytest.mark.dot
def test_the_legend_keys_data_and_grad_colours() -> None:
    label = slides.legend_label(LIGHT)
    assert f'COLOR="{LIGHT.data}"><B>data</B>' in label
    assert f'COLOR="{LIGHT.grad}"><B>grad</B>' in label
    assert "on top" not in label and "on top" in slides.legend_label(LIGHT, stacked=True)


@pytest.mark.dot
def test_cli_graph_takes_theme_fontsize_dpi_and_title(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expr = ["graph", "x*y", "x=2", "y=3"]
    small, big = tmp_path / "small.png", tmp_path / "big.png"
    assert main([*expr, "-o", str(small), "--dpi", "72"]) == 0
    assert main([*expr, "-o", str(big), "--dpi", "144", "--theme", "dark", "--title", "T1"]) == 0
    a, b = Image.open(small), Image.open(big)
    assert b.width > 1.6 * a.width  # the title adds a little; dpi doubles the rest
    assert b.convert("RGB").getpixel((1, 1)) == tuple(
        int(DARK.background[i : i + 2], 16) for i in (1, 3, 5)
    )
    dot = tmp_path / "f.dot"
    assert main([*expr, "-o", str(dot), "--fontsize", "20", "--title", "Slide title"]) == 0
    text = dot.read_text()
    assert "Slide title" in text and "fontsize=20" in text
    pdf = tmp_path / "s.pdf"
    assert main([*expr, "--steps", str(pdf), "--aspect", "4:3", "--dpi", "40"]) == 0
    assert {round(w / h, 2) for w, h in page_sizes(pdf)} == {1.33}


@pytest.mark.dot
def test_render_takes_a_dpi_for_a_digraph(tmp_path: Path) -> None:
    graph = draw_graph(Value(2.0, "x") * 3.0)
    a = Image.open(render(graph, tmp_path / "a.png", dpi=72))
    b = Image.open(render(graph, tmp_path / "b.png", dpi=144))
    assert abs(b.width - 2 * a.width) <= 2


def test_plots_take_the_cli_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "p"
    args = ["perceptron", "-o", str(out), "--theme", "dark", "--title", "Mine", "--dpi", "50"]
    assert main(args) == 0
    image = Image.open(out / "perceptron_boundary.png").convert("RGB")
    assert image.getpixel((1, 1)) == tuple(int(DARK.background[i : i + 2], 16) for i in (1, 3, 5))
    assert image.width == 300  # 6 in at 50 dpi


def test_cli_perceptron_plot_is_drawn_as_finely_as_the_demos(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import viz.plots

    made = []
    real = viz.plots.plot_decision_boundary

    def spy(*args: object, **kwargs: object) -> object:
        fig = real(*args, **kwargs)  # type: ignore[arg-type]
        made.append(fig)
        return fig

    monkeypatch.setattr(viz.plots, "plot_decision_boundary", spy)
    assert main(["perceptron", "-o", str(tmp_path), "--dpi", "40"]) == 0
    grid = made[0].axes[0].images[0].get_array()
    assert min(grid.shape) >= 300  # was 40 x 40: a staircase at projector size


def test_two_unlabelled_plus_nodes_have_different_names_in_captions() -> None:
    x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
    f = ((x + y) + (x * y)) * (z + 1.0)
    captions = [s.caption for s in step_through(f)]
    assert "the node x + y = 2 + 3 = 5" in captions[0]
    assert any("the node (x + y) + (x × y)" in c for c in captions)
    assert any("the node z + 1" in c for c in captions)
    assert not any("node '+'" in c or "the + node" in c for c in captions)


def test_captions_never_repeat_a_formula() -> None:
    from viz.cli.expr import build_expression

    values = {"x": 2, "y": 3, "z": 4}
    for text in ("h = x + y; i = x * y; f = (h + i) * z", "((x+y)+(x*y))*z"):
        root, _ = build_expression(text, values)
        for step in step_through(root):
            parts = step.caption.split(": ", 1)[1].split(", local")[0].split(" = ")
            plain = ["".join(p.split()).replace("×", "*").strip("()") for p in parts]
            assert all(a != b for a, b in itertools.pairwise(plain)), step.caption


def test_forward_frames_do_not_use_the_backward_receiving_look() -> None:
    f, _ = figure5()
    receiving = LIGHT.states["receiving"]
    looks = {}
    for step in step_through(f):
        source = step.graph.source
        looks[step.index] = f'BGCOLOR="{receiving.fill}"' in source
    assert not any(looks[k] for k in range(4))  # the 4 forward frames
    assert looks[4]  # the root's backward frame: its parents receive


def test_the_page_title_wraps_instead_of_being_cut_off() -> None:
    from viz.page import steps_page

    f, _ = figure5()
    page = steps_page(step_through(f), title="A long title " * 12)
    h1 = re.search(r"h1 \{\{?(.*?)\}", page, re.S)
    assert h1 is not None
    assert "ellipsis" not in h1.group(1) and "nowrap" not in h1.group(1)


def test_powers_are_drawn_with_two_stars() -> None:
    x = Value(3.0, "x")
    assert '"** 2"' in draw_graph(x**2).source or ">** 2<" in draw_graph(x**2).source
    assert "^" not in draw_graph(x**2).source
    captions = " ".join(s.caption for s in step_through(x**2))
    assert "x ** 2 = 3 ** 2 = 9" in captions


@pytest.mark.dot
def test_the_demos_mlp_graph_says_it_is_untrained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from viz.cli.demo import _mlp_graph

    (tmp_path / "mlp").mkdir()
    (path,) = _mlp_graph(tmp_path)
    assert "untrained" in path.read_text()


def test_a_leaf_holding_earlier_passes_is_marked_in_the_picture() -> None:
    import warnings

    from engine import GradientAccumulationWarning

    f, _ = figure5()
    f.backward()
    assert "earlier" not in draw_graph(f).source  # one pass: nothing to mark
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GradientAccumulationWarning)
        f.backward()
    source = draw_graph(f).source
    assert "grad 32" in source and "16 this pass, rest earlier" in source  # x
    assert source.count("rest earlier") == 3  # x, y, z; h and i are exact


def test_multiclass_borders_are_drawn_straight() -> None:
    """The borders of linear scores are straight; they were traced, kinked, from pixels."""
    import math
    import warnings

    from matplotlib.contour import ContourSet

    from nn import MulticlassPerceptron, iris
    from viz.plots import plot_decision_boundary

    X, y, _ = iris()
    petals = [row[2:] for row in X]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MulticlassPerceptron(max_epochs=20, seed=0, average=True).fit(petals, y)
    ax = plot_decision_boundary(model, petals, y, resolution=120).axes[0]
    pieces = [
        piece
        for c in ax.collections
        if isinstance(c, ContourSet)  # the borders (the data points are markers)
        for path in c.get_paths()
        for piece in path.to_polygons(closed_only=False)  # split where the pen lifts
        if len(piece) > 2
    ]
    assert pieces
    for v in pieces:
        angles = [
            math.atan2(b[1] - a[1], b[0] - a[0]) for a, b in itertools.pairwise(v) if any(a != b)
        ]
        turns = sum(
            min(abs(a - b), 2 * math.pi - abs(a - b)) > 0.005 for a, b in itertools.pairwise(angles)
        )
        assert turns <= 2, turns  # a region's border: straight pieces meeting at corners


def test_class_colours_are_the_same_in_the_notebooks_own_figures() -> None:
    import json

    root = Path(__file__).parents[2] / "notebooks"
    for name in ("02_binary_perceptron.ipynb", "04_nonlinear_features.ipynb"):
        text = "".join("".join(c["source"]) for c in json.loads((root / name).read_text())["cells"])
        assert "CLASS_COLORS" in text and "tab:red" not in text and "#ffd8d3" not in text
        assert "tab:blue" not in text  # blue is class -1's colour in every plot


def test_edge_labels_are_tied_to_their_edges_where_edges_cross() -> None:
    f, _ = figure5()
    f.backward()
    lines = [
        line
        for line in draw_graph(f, show_local_grads=True).source.splitlines()
        if "×" in line and "->" in line
    ]
    assert len(lines) == 8 and all("decorate=true" in line for line in lines)


def test_frames_tie_their_edge_labels_too_but_not_the_blank_ones() -> None:
    f, _ = figure5()
    f.backward()
    frames = step_through(f)
    for frame in frames:
        edges = [line for line in frame.graph.source.splitlines() if "->" in line]
        labelled = [line for line in edges if "×" in line]
        blank = [line for line in edges if "label=<" in line and "×" not in line]
        assert all("decorate=true" in line for line in labelled), frame.caption
        assert not any("decorate" in line for line in blank), frame.caption
    last = [line for line in frames[-1].graph.source.splitlines() if "×" in line and "->" in line]
    assert len(last) == 8  # every input edge of Figure 5 shows its local derivative


@pytest.mark.dot
def test_a_long_slide_title_wraps_inside_the_page_and_the_graph_stays_below_it() -> None:
    f, _ = figure5()
    steps = step_through(f)[:2]
    title = "Backpropagation through o = tanh(w1*x1 + w2*x2 + w3*x3 + b), every step"
    top, _, _ = slides._slide_strips(steps, "16:9", True, title, 40)
    assert top is not None and top.width <= 13.333 * 40  # it was one line, cut at both sides
    pieces, pages, (width, _) = slides._slide_plan(steps, title, "16:9", True, 10_000)
    title_at = pages[0][-2]  # the title, then the legend, come after caption and graph
    graph = pages[0][1]
    assert pieces[title_at.piece].width <= width and title_at.x >= 0
    graph_top = graph.y + pieces[graph.piece].height * graph.scale
    assert graph_top <= title_at.y  # the graph stays below the title


def test_slide_captions_never_break_a_product_across_lines() -> None:
    f, _ = figure5()
    wrap = slides._wrap(slides.ASPECTS["16:9"][0], slides.SLIDE_CAPTION_POINTS)
    products = 0
    for step in step_through(f, compact=True):
        lines = caption_label(step.caption, wrap)[1:-1].split("<BR/>")
        for product in re.findall(r"\S+ × \S+ = \S+", step.caption):
            products += 1
            assert any(product in line for line in lines), (product, lines)  # "4 ×" / "1 = 4"
    assert products >= 7
