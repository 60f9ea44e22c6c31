"""draw_graph and render: DOT text, gradients shown honestly, files by extension."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine import Value
from nn import MLP
from viz import style
from viz.draw import DotNotFoundError, PictureTooLargeError, draw_graph, render
from viz.groups import layer_groups
from viz.themes import DARK, LIGHT
from viz.walk import ValueNode, walk


def figure5() -> tuple[Value, dict[str, Value]]:
    """The notes' Figure 5, f = ((x + y) + (x * y)) * z at x=2, y=3, z=4 (no backward)."""
    x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
    h = x + y
    h.label = "h"
    i = x * y
    i.label = "i"
    g = h + i
    g.label = "g"
    f = g * z
    f.label = "f"
    return f, {"x": x, "y": y, "z": z, "h": h, "i": i, "g": g, "f": f}


def cells(source: str, name: str) -> tuple[str, str]:
    """The data and grad text in the box of the Value labelled `name`."""
    m = re.search(rf"<TD>(?:<B>)?{name}(?:</B>)?</TD>.*?>data ([^<]+)<.*?>grad ([^<]+)<", source)
    assert m, f"no box for {name!r}"
    return m.group(1), m.group(2)


def test_figure5_dot_shows_the_notes_values_and_gradients() -> None:
    f, _nodes = figure5()
    f.backward()
    source = draw_graph(f).source
    # Golden values from the notes: f = 44, df/dx = 16, df/dy = 12, df/dz = 11.
    expected = {"x": ("2", "16"), "y": ("3", "12"), "z": ("4", "11"), "h": ("5", "4")}
    expected |= {"i": ("6", "4"), "g": ("11", "4"), "f": ("44", "1")}
    for name, (data, grad) in expected.items():
        assert cells(source, name) == (data, grad)


def test_figure5_dot_text_is_identical_across_runs_and_processes() -> None:
    f1, _ = figure5()
    f1.backward()
    f2, _ = figure5()
    f2.backward()
    assert draw_graph(f1).source == draw_graph(f2).source
    code = (
        "from tests.viz.test_draw import figure5\n"
        "from viz import draw_graph\n"
        "f, _ = figure5(); f.backward(); print(draw_graph(f).source, end='')\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
        env={"PYTHONHASHSEED": "123", "PATH": ""},
    )
    assert other.stdout == draw_graph(f1).source


def test_grads_show_as_not_computed_before_backward() -> None:
    f, _ = figure5()
    source = draw_graph(f).source
    assert source.count("grad ?") == 7
    assert "grad 0" not in source


def test_grads_computed_can_be_forced_either_way() -> None:
    f, _ = figure5()
    assert "grad 0" in draw_graph(f, grads_computed=True).source
    f.backward()
    assert draw_graph(f, grads_computed=False).source.count("grad ?") == 7


def test_show_grad_false_leaves_gradients_out() -> None:
    f, _ = figure5()
    f.backward()
    source = draw_graph(f, show_grad=False).source
    assert ">grad " not in source
    assert source.count(">data ") == 7


def test_local_grads_label_the_edges_with_d_out_d_in() -> None:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    f = x * y
    source = draw_graph(f, show_local_grads=True).source
    # d(x*y)/dx = y = 3 on x's edge, d(x*y)/dy = x = 2 on y's edge
    ids = {m.group(2): m.group(1) for m in re.finditer(r"(v\d+) \[label=<.*?<TD>(\w)</TD>", source)}
    assert re.search(rf"{ids['x']} -> v2_op \[label=\"×3\"", source)
    assert re.search(rf"{ids['y']} -> v2_op \[label=\"×2\"", source)
    assert "×" not in draw_graph(f).source.split("}")[0].split("->", 1)[1]


def test_precision_controls_the_digits_shown() -> None:
    x = Value(1.0 / 3.0, "x")
    assert "data 0.3333" in draw_graph(x * 1.0).source
    assert "data 0.33333333" in draw_graph(x * 1.0, precision=8).source
    with pytest.raises(ValueError, match="precision must be an int from 1 to 17, got 0"):
        draw_graph(x, precision=0)


def test_unknown_rankdir_names_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown rankdir 'XY' \\(expected one of LR, TB"):
        draw_graph(Value(1.0), rankdir="XY")


def test_labels_are_escaped_in_the_dot_text() -> None:
    x = Value(1.0, 'a<b> & "c" {d|e}')
    source = draw_graph(x * 2).source
    assert "a&lt;b&gt; &amp; &quot;c&quot; {d|e}" in source


def drawn_with_digraph_methods(root: Value, show_local_grads: bool) -> str:
    """draw_graph(root)'s DOT text written with one graphviz method call per line."""
    import graphviz

    view = walk(root)
    g = graphviz.Digraph("tracegrad")
    g.graph_attr.update(rankdir="LR", fontname=style.FONT, bgcolor=LIGHT.background)
    g.attr("node", fontname=style.FONT, fontsize="12", fontcolor=LIGHT.text)
    g.attr("edge", fontname=style.FONT, fontsize="10", color=LIGHT.edge, fontcolor=LIGHT.text)
    for node in view.reading_order:
        assert isinstance(node, ValueNode)
        v = node.value
        fill = LIGHT.root_fill if v is root else LIGHT.value_fill if v.parents else LIGHT.leaf_fill
        data, grad = f"data {style.fmt(v.data)}", f"grad {style.fmt(v.grad)}"
        label = style.value_label(v.label, data, grad, fill=fill, bold=v is root)
        g.node(node.id, label=label, shape="plain")
        if v.parents:
            op = style.op_style(v.op, v.const)
            g.node(
                f"{node.id}_op",
                label=op.text,
                shape=op.shape,
                style="filled",
                fillcolor=LIGHT.op_fill,
                width="0.3",
                height="0.3",
                margin="0.02",
                fixedsize="false",
            )
            g.edge(f"{node.id}_op", node.id)
    for e in view.edges:
        assert e.local_grad is not None
        g.edge(
            e.tail,
            f"{e.head}_op",
            label=f"×{style.fmt(e.local_grad)}" if show_local_grads else None,
            **({"decorate": "true"} if show_local_grads else {}),
        )
    return str(g.source)


@pytest.mark.parametrize("show_local_grads", [False, True])
def test_dot_text_is_what_graphviz_methods_write(show_local_grads: bool) -> None:
    # draw_graph writes most DOT lines itself; they must quote exactly as graphviz does.
    names = ['q"uote', "back\\slash", "<b>", "node", "ü × 2", "a b", "", "x_1"]
    leaves = [Value(0.5 * i - 1.0, name) for i, name in enumerate(names)]
    a = leaves[0] * leaves[0] + leaves[1]
    b = (a * leaves[2]).tanh() - leaves[3] / 3
    c = sum(leaves[4:], b.relu())
    for v, op in [(a, "my op"), (b, "node"), (c, 'say "hi"')]:
        v.op = op  # ops without a style are drawn with their own name, quoted as needed
    c.label = "<c>"
    c.backward()
    expected = drawn_with_digraph_methods(c, show_local_grads)
    assert draw_graph(c, show_local_grads=show_local_grads).source == expected


def test_collapsing_an_mlp_gives_one_box_per_layer() -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    x = [Value(0.5, "x1"), Value(-1.0, "x2")]
    out, groups = layer_groups(model, x)
    loss = (out[0] - 1.0) ** 2
    loss.backward()
    with pytest.raises(ValueError, match="collapse"):
        draw_graph(loss, max_nodes=100)
    source = draw_graph(loss, groups=groups, max_nodes=10).source
    boxes = re.findall(r"^\t([gv]\d+\w*) \[", source, flags=re.M)
    assert [b for b in boxes if b.startswith("g")] == ["g0", "g1", "g2"]
    # three layer boxes, the two inputs, and the loss's two nodes: nothing else
    assert len([b for b in boxes if b[0] in "gv" and not b.endswith("_op")]) == 7
    for title in ("layer 1: 16 tanh neurons", "layer 2: 16 tanh neurons", "layer 3: 1 linear"):
        assert title in source
    assert "48 of them leaves" in source  # layer 1: 2 * 16 weights + 16 biases


def test_render_dot_needs_no_graphviz_binary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")
    f, _ = figure5()
    f.backward()
    path = render(f, tmp_path / "f.dot")
    assert path.read_text() == draw_graph(f).source


def test_render_without_dot_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")
    for suffix in (".svg", ".png", ".pdf"):
        with pytest.raises(DotNotFoundError) as caught:
            render(Value(1.0) * 2, tmp_path / f"f{suffix}")
        assert not (tmp_path / f"f{suffix}").exists()
    message = str(caught.value)
    assert "\n" not in message
    for command in (
        "sudo apt-get install graphviz",  # Debian/Ubuntu
        "brew install graphviz",  # macOS
        "winget install Graphviz.Graphviz",  # Windows
        "conda install -c conda-forge graphviz",  # conda
    ):
        assert f"`{command}`" in message


def test_render_rejects_an_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown file extension '.jpg'.*\.svg, \.png"):
        render(Value(1.0) * 2, tmp_path / "f.jpg")


def test_render_takes_options_only_with_a_value(tmp_path: Path) -> None:
    graph = draw_graph(Value(1.0) * 2)
    with pytest.raises(TypeError, match="drawing options"):
        render(graph, tmp_path / "f.dot", rankdir="TB")


@pytest.mark.dot
@pytest.mark.parametrize(
    ("suffix", "magic"),
    [(".svg", b"<svg"), (".png", b"\x89PNG\r\n\x1a\n"), (".pdf", b"%PDF-")],
)
def test_render_writes_valid_files(tmp_path: Path, suffix: str, magic: bytes) -> None:
    f, _ = figure5()
    f.backward()
    path = render(f, tmp_path / f"figure5{suffix}")
    data = path.read_bytes()
    assert magic in data[:400]
    if suffix == ".svg":
        text = data.decode()
        assert "grad 16" in text and "grad 12" in text and "grad 11" in text
        assert text.rstrip().endswith("</svg>")


def test_slide_options_reach_the_dot_text() -> None:
    f, _ = figure5()
    f.backward()
    source = draw_graph(f, fontsize=18, theme="dark", dpi=200, title="Fig. 5 \\N <b>").source
    assert "fontsize=18" in source and "dpi=200" in source
    assert f'bgcolor="{DARK.background}"' in source and f'fontcolor="{DARK.text}"' in source
    assert "label=<Fig. 5 \\N &lt;b&gt;>" in source  # escaped: no Graphviz escape, no HTML
    with pytest.raises(ValueError, match="unknown theme 'sepia'"):
        draw_graph(f, theme="sepia")
    with pytest.raises(ValueError, match="dpi must be a number from 36 to 600, got 5"):
        draw_graph(f, dpi=5)


@pytest.mark.dot
@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_a_500_node_chain_is_refused_not_drawn_as_a_32767_pixel_strip(
    tmp_path: Path, suffix: str
) -> None:
    v = Value(0.5, "x")
    for _ in range(499):
        v = v + 1.0
    path = tmp_path / f"chain{suffix}"
    with pytest.raises(PictureTooLargeError, match=r"more than the 10,000 a side may have"):
        render(v, path)
    assert not path.exists()
    with pytest.raises(PictureTooLargeError, match="more than the 2,000"):
        render(v, path, max_nodes=500, max_side=2000)
    short = Value(0.5, "x")
    for _ in range(10):
        short = short + 1.0
    render(short, path, max_side=4000)  # about 3,000 pixels wide: drawn
    assert path.stat().st_size > 0
