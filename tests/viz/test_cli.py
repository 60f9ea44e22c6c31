"""The `tracegrad` command: graph, perceptron, train and demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from viz.cli import main

REPO = Path(__file__).parents[2]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_graph_figure5_prints_the_gradients_and_writes_a_dot_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "fig5.dot"
    code, out, err = run(
        ["graph", "((x+y)+(x*y))*z", "x=2", "y=3", "z=4", "-o", str(out_file)], capsys
    )
    assert (code, err) == (0, "")
    assert "= 44" in out
    assert "d/dx = 16" in out and "d/dy = 12" in out and "d/dz = 11" in out
    assert "grad 16" in out_file.read_text()


@pytest.mark.dot
def test_graph_figure5_writes_svg_and_steps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    svg, html = tmp_path / "fig.svg", tmp_path / "steps.html"
    args = ["graph", "((x+y)+(x*y))*z", "x=2", "y=3", "z=4", "-o", str(svg), "--steps", str(html)]
    code, out, _ = run(args, capsys)
    assert code == 0
    assert svg.read_text().rstrip().endswith("</svg>")
    assert html.read_text().count('class="frame"') == 11  # 4 forward, 7 backward
    assert f"wrote {html} (11 steps)" in out


@pytest.mark.dot
def test_graph_steps_as_an_animation_or_numbered_pictures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    gif, folder = tmp_path / "steps.gif", tmp_path / "frames"
    for target in (str(gif), str(folder) + "/"):
        code, out, err = run(["graph", "x*y", "x=2", "y=3", "--steps", target], capsys)
        assert (code, err) == (0, "")
        assert f"wrote {target} (4 steps)" in out  # one forward, three backward
    with Image.open(gif) as animation:
        assert animation.n_frames == 4
    assert sorted(p.name for p in folder.iterdir()) == [f"step-0{k}.png" for k in (1, 2, 3, 4)]


@pytest.mark.parametrize(
    ("steps", "message"),
    [("steps.svg", "--steps must end in .html, .gif, .pdf"), ("no/s.gif", "not exist")],
)
def test_graph_checks_the_steps_path_first(
    steps: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["graph", "x*2", "x=1", "--steps", str(tmp_path / steps)], capsys)
    assert code == 2 and message in err
    assert out == ""  # nothing computed or written before the check


def test_graph_labels_named_intermediates_as_the_notes_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "fig5.dot"
    text = "h = x + y; i = x * y; f = (h + i) * z"
    code, out, err = run(["graph", text, "x=2", "y=3", "z=4", "-o", str(out_file)], capsys)
    assert (code, err) == (0, "")
    assert "d/dx = 16" in out and "d/dy = 12" in out and "d/dz = 11" in out
    dot = out_file.read_text()
    for label, data, grad in [("h", 5, 4), ("i", 6, 4), ("h + i", 11, 4), ("<B>f</B>", 44, 1)]:
        assert f"<TD>{label}</TD><TD><FONT COLOR=" in dot
        row = dot.split(f"<TD>{label}</TD>", 1)[1].split("</TR>", 1)[0]
        assert f"data {data}<" in row and f"grad {grad}<" in row


def test_graph_code_prints_figure5_as_a_program(capsys: pytest.CaptureFixture[str]) -> None:
    text = "h = x + y; i = x * y; f = (h + i) * z"
    code, out, err = run(["graph", text, "x=2", "y=3", "z=4", "--code"], capsys)
    assert (code, err) == (0, "")
    assert "def f(x, y, z):" in out and "return f, (d_x, d_y, d_z)" in out
    lines = [line.strip() for line in out.splitlines()]
    assert "t1 = h + i  # 'h + i'" in lines and "d_x += y * d_i  # d i / d x = y" in lines
    namespace: dict[str, object] = {}
    exec(out[out.index("def f") : out.index("add -o")], namespace)  # the printed text runs
    assert namespace["f"](2.0, 3.0, 4.0) == (44.0, (16.0, 12.0, 11.0))  # type: ignore[operator]


@pytest.mark.parametrize(
    ("text", "hint"),
    [("tahn(x)", "did you mean 'tanh'?"), ("x ^ 2", "use ** for powers")],
)
def test_graph_hints_at_near_misses(
    text: str, hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["graph", text, "x=2"], capsys)
    assert code == 2 and out == ""
    assert err.startswith("tracegrad: error: ") and hint in err and err.count("\n") == 1


def test_demo_and_graph_name_figure5_alike() -> None:
    from viz.cli.demo import figure5
    from viz.cli.expr import build_expression

    named, _ = build_expression("h = x + y; i = x * y; f = (h + i) * z", {"x": 2, "y": 3, "z": 4})
    named.backward()
    demo = figure5()
    assert [(v.label, v.data, v.grad) for v in demo.topological_order()] == [
        (v.label, v.data, v.grad) for v in named.topological_order()
    ]
    assert {v.label for v in demo.topological_order()} == {"x", "y", "z", "h", "i", "h + i", "f"}


def test_graph_help_shows_the_notes_names_for_figure5(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["graph", "--help"])
    text = capsys.readouterr().out
    assert 'tracegrad graph "h = x + y; i = x * y; f = (h + i) * z" x=2 y=3 z=4' in text
    assert "not ^" in text


def test_graph_forward_only_shows_unknown_gradients(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "f.dot"
    code, out, _ = run(
        ["graph", "x*y", "x=2", "y=3", "--forward-only", "-o", str(out_file)], capsys
    )
    assert code == 0 and "d/dx" not in out
    assert out_file.read_text().count("grad ?") == 3


BAD_EXPRESSIONS = [
    (["x+q", "x=1"], "no value given for 'q'"),
    (["x+y", "x=1"], "no value given for 'y'"),
    (["(x+", "x=1"], "syntax error"),
    (["foo(x)", "x=1"], "calling 'foo' is not allowed"),
    (["x.real", "x=1"], "not allowed"),
    (["x", "x=abc"], "not a number"),
    (["x", "x"], "expected name=value"),
    (["log(x)", "x=-1"], "needs a positive input"),
    (["__import__('os').system('true')", "x=1"], "is not allowed"),
]


@pytest.mark.parametrize(
    ("args", "message"), BAD_EXPRESSIONS, ids=[a[0][0] for a in BAD_EXPRESSIONS]
)
def test_bad_expressions_exit_2_with_one_error_line(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "never.svg"
    code, out, err = run(["graph", *args, "-o", str(out_file)], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("tracegrad: error: ")
    assert message in err
    assert not out_file.exists()


def test_injection_attempt_creates_no_file_and_runs_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "PWNED"
    calls: list[object] = []
    monkeypatch.setattr(os, "system", lambda cmd: calls.append(cmd) or 0)
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: calls.append(a))
    monkeypatch.chdir(tmp_path)
    for text in (
        f"__import__('os').system('touch {marker}')",
        f"open('{marker}', 'w')",
        "exec('import os')",
        f"(lambda: __import__('os').system('touch {marker}'))()",
    ):
        code, _out, err = run(["graph", text, "x=1", "-o", str(tmp_path / "g.svg")], capsys)
        assert code == 2 and "not allowed" in err
    assert calls == []
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_injection_attempt_in_a_real_process_creates_no_file(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    result = subprocess.run(
        [sys.executable, "-m", "viz.cli", "graph", f"__import__('os').system('touch {marker}')"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("tracegrad: error:")
    assert not marker.exists()


@pytest.mark.parametrize(
    ("output", "message"),
    [("fig.jpg", "must end in .svg"), ("missing/fig.svg", "does not exist")],
)
def test_graph_checks_the_output_path_first(
    output: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["graph", "x*2", "x=1", "-o", str(tmp_path / output)], capsys)
    assert code == 2 and message in err


@pytest.mark.parametrize(
    "args", [["-o", "f.svg"], ["-o", "f.png"], ["-o", "f.pdf"], ["--steps", "f.gif"]]
)
def test_missing_dot_program_says_how_to_install_it_in_one_line(
    args: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "")
    target = tmp_path / args[1]
    code, _, err = run(["graph", "x*2", "x=1", args[0], str(target)], capsys)
    assert code == 1 and not target.exists()
    assert len(err.strip().splitlines()) == 1, err
    for command in ("apt-get install graphviz", "brew install", "winget install", "conda install"):
        assert command in err
    assert "the graphs a notebook shows still work" in err


@pytest.mark.parametrize("command", [[], ["graph"], ["perceptron"], ["train"], ["demo"]])
def test_help_explains_each_command(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert "usage: tracegrad" in text
    if command in ([], ["graph"], ["perceptron"], ["train"]):
        assert "tracegrad " + (command[0] if command else "demo") in text.split("usage:", 1)[1]


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([], capsys)
    assert (code, out) == (2, "")
    assert err == (
        "tracegrad: error: the following arguments are required: COMMAND (see `tracegrad --help`)\n"
    )


def test_perceptron_one_pass_prints_the_notes_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["perceptron", "--epochs", "1", "--trace"], capsys)
    assert code == 0
    # The notes' "Single Perceptron Update Pass": scores -1, -1, 14, 17, 12, then [-1, 1, -1].
    rows = [line.split() for line in out.splitlines() if line[:1].isdigit()]
    assert [r[0] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert [
        "= " + line.split("=")[1].split()[0]
        for line in out.splitlines()
        if line[:1].isdigit() and "=" in line
    ] == ["= -1", "= -1", "= 14", "= 17", "= 12"]
    assert "weights (bias first): [-1, 1, -1]" in out


def test_perceptron_trains_to_convergence_on_the_notes_points(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["perceptron"], capsys)
    assert code == 0
    assert "converged" in out and "training accuracy: 1.000" in out


def test_perceptron_reads_a_csv_and_plots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "points.csv"
    csv.write_text("a,b,label\n0,0,-1\n1,0,-1\n3,3,1\n4,3,1\n")
    code, out, _ = run(["perceptron", "--data", str(csv), "-o", str(tmp_path)], capsys)
    assert code == 0 and "training accuracy: 1.000" in out
    assert (tmp_path / "perceptron_boundary.png").read_bytes()[:4] == b"\x89PNG"


def test_perceptron_iris_uses_the_multiclass_perceptron(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["perceptron", "--data", "iris", "--epochs", "5"], capsys)
    assert code == 0 and "multiclass perceptron (3 classes)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "nowhere.csv"], "does not exist"),
        (["--data", "mnist"], "unknown --data 'mnist'"),
        (["--initial-weights", "1,x"], "--initial-weights must be numbers"),
    ],
)
def test_perceptron_input_errors_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["perceptron", *args], capsys)
    assert code == 2 and message in err


def test_train_writes_model_boundary_and_curves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["train", "--samples", "20", "--hidden", "3", "--epochs", "2", "--resolution", "10"]
    code, out, _ = run([*args, "-o", str(tmp_path)], capsys)
    assert code == 0 and "training accuracy" in out
    state = json.loads((tmp_path / "model.json").read_text())
    assert isinstance(state, dict)
    history = json.loads((tmp_path / "history.json").read_text())
    assert len(history["loss"]) == 2
    for name in ("decision_boundary.png", "training_curves.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hidden", "a,b"], "--hidden must be"),
        (["--hidden", "0"], "--hidden must be"),
        (["--epochs", "0"], "--epochs must be a whole number from 1 to 100,000, got 0"),
    ],
)
def test_train_input_errors_exit_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["train", *args, "-o", str(tmp_path)], capsys)
    assert code == 2 and message in err


@pytest.mark.slow
@pytest.mark.dot
def test_demo_writes_every_picture_and_lists_them(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "viz.cli", "demo", "-o", str(tmp_path), "--epochs", "3"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "df/dx = 16, df/dy = 12, df/dz = 11" in out
    assert "0*1 + 3*2 + 2*3 = 12" in out  # the notes' perceptron table
    assert "training accuracy" in out
    listed = [line.strip() for line in out.split("Files written to", 1)[1].splitlines()[1:]]
    assert "figure5.svg" in listed and "figure5_steps.html" in listed
    for name in listed:
        assert (tmp_path / name).stat().st_size > 0
    expected = {
        "figure4.png",
        "figure5.png",
        "perceptron_boundary.png",
        "mlp/decision_boundary.png",
    }
    assert expected <= set(listed)
