"""Every file viz and the command line write is written whole or not at all."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engine import Value
from viz.cli import main
from viz.draw import render


def names(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def renamed(monkeypatch: pytest.MonkeyPatch) -> set[Path]:
    """The targets of every os.replace from now on: where atomic writes landed."""
    targets: set[Path] = set()
    real_replace = os.replace

    def replace(src: Any, dst: Any, **kwargs: Any) -> None:
        targets.add(Path(dst).resolve())
        real_replace(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return targets


def assert_all_arrived_by_rename(folder: Path, renamed: set[Path]) -> None:
    written = names(folder)
    assert written, "nothing was written"
    by_rename = {
        str(p.relative_to(folder.resolve())) for p in renamed if folder.resolve() in p.parents
    }
    assert written == by_rename, f"written in place: {sorted(written - by_rename)}"


def test_a_lone_surrogate_label_is_written_escaped_in_a_dot_file(tmp_path: Path) -> None:
    path = tmp_path / "f.dot"
    path.write_text("digraph old {}\n")
    render(Value(2.0, "x\ud800") * 3, path)  # shown escaped, so nothing fails to encode
    assert "x\\ud800" in path.read_text()
    assert names(tmp_path) == {"f.dot"}


def test_a_full_disk_leaves_an_old_dot_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f.dot"
    path.write_text("digraph old {}\n")

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        render(Value(2.0, "x") * 3, path)
    assert path.read_text() == "digraph old {}\n"
    assert names(tmp_path) == {"f.dot"}


@pytest.mark.dot
def test_a_lone_surrogate_title_is_written_escaped_in_a_steps_page(tmp_path: Path) -> None:
    from viz.steps import save_steps_html

    path = tmp_path / "steps.html"
    path.write_text("<p>old page</p>")
    save_steps_html(Value(2.0, "x") * 3, path, title="backprop \udc80")
    assert "backprop \\udc80" in path.read_text()
    assert names(tmp_path) == {"steps.html"}


@pytest.mark.dot
@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf", ".dot"])
def test_render_writes_every_format_by_rename(
    tmp_path: Path, renamed: set[Path], suffix: str
) -> None:
    render(Value(2.0, "x") * 3, tmp_path / f"f{suffix}")
    assert_all_arrived_by_rename(tmp_path, renamed)


def test_graph_command_writes_by_rename(tmp_path: Path, renamed: set[Path]) -> None:
    assert main(["graph", "x*y", "x=2", "y=3", "-o", str(tmp_path / "g.dot")]) == 0
    assert_all_arrived_by_rename(tmp_path, renamed)


@pytest.mark.dot
def test_graph_command_writes_its_steps_page_by_rename(tmp_path: Path, renamed: set[Path]) -> None:
    assert main(["graph", "x*y", "x=2", "y=3", "--steps", str(tmp_path / "s.html")]) == 0
    assert_all_arrived_by_rename(tmp_path, renamed)


def test_perceptron_command_writes_its_plot_by_rename(tmp_path: Path, renamed: set[Path]) -> None:
    assert main(["perceptron", "-o", str(tmp_path)]) == 0
    assert_all_arrived_by_rename(tmp_path, renamed)


TRAIN = ["train", "--samples", "20", "--hidden", "3", "--epochs", "2", "--resolution", "10"]


def test_train_command_writes_every_file_by_rename(tmp_path: Path, renamed: set[Path]) -> None:
    assert main([*TRAIN, "-o", str(tmp_path)]) == 0
    assert names(tmp_path) == {
        "model.json",
        "history.json",
        "decision_boundary.png",
        "training_curves.png",
    }
    assert_all_arrived_by_rename(tmp_path, renamed)


def test_a_plot_that_fails_midway_leaves_the_old_picture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matplotlib.figure import Figure

    old = {name: f"old {name}".encode() for name in ("decision_boundary.png", "model.json")}
    for name, data in old.items():
        (tmp_path / name).write_bytes(data)

    def savefig_then_disk_full(self: Figure, fname: Any, *args: Any, **kwargs: Any) -> None:
        Path(fname).write_bytes(b"\x89PNG half a picture")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", savefig_then_disk_full)
    assert main([*TRAIN, "-o", str(tmp_path)]) == 2  # one line: "No space left on device"
    assert (tmp_path / "decision_boundary.png").read_bytes() == old["decision_boundary.png"]
    assert not any(name.startswith(".") for name in names(tmp_path))  # no temporary left
    assert "history.json" not in names(tmp_path)  # made by this run, removed on failure


@pytest.mark.slow
@pytest.mark.dot
def test_demo_writes_every_file_by_rename(
    tmp_path: Path, renamed: set[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from viz.cli.demo import demo

    files = demo(tmp_path, epochs=1)
    assert {str(f.relative_to(tmp_path)) for f in files} == names(tmp_path)
    assert_all_arrived_by_rename(tmp_path, renamed)


@pytest.mark.dot
def test_the_command_line_leaves_nothing_when_a_frame_name_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "fr" / "step-05.png").mkdir(parents=True)
    expr = "h = x + y; i = x * y; f = (h + i) * z"
    run = [sys.executable, "-m", "viz.cli", "graph", expr, "x=2", "y=3", "z=4", "--steps"]
    failed = subprocess.run([*run, "fr/"], cwd=tmp_path, capture_output=True, text=True)
    assert failed.returncode == 2 and failed.stderr.count("\n") == 1
    assert os.listdir(tmp_path / "fr") == ["step-05.png"]
    (tmp_path / "fr" / "step-05.png").rmdir()
    subprocess.run([*run, "fr/"], cwd=tmp_path, check=True, capture_output=True)
    assert len(os.listdir(tmp_path / "fr")) == 11
    short = [sys.executable, "-m", "viz.cli", "graph", "x*y", "x=2", "y=3", "--steps", "fr/"]
    subprocess.run(short, cwd=tmp_path, check=True, capture_output=True)
    assert sorted(os.listdir(tmp_path / "fr")) == [f"step-{k:02d}.png" for k in range(1, 5)]
