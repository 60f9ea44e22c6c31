"""The command line's errors teach: did-you-mean, the missing *, spaced x = 2, DIR/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from viz.cli import main


def error_of(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(args) == 2
    _, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("tracegrad: error: ")
    return err


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["grpah", "x", "x=1"], "did you mean 'graph'?"),
        (["train", "--activation", "tahn"], "did you mean 'tanh'?"),
        (["train", "--data", "moon"], "did you mean 'moons'?"),
        (["train", "--actvation", "tanh"], "did you mean '--activation'?"),
        (["graph", "x", "x=1", "--rankdir", "lr"], "did you mean 'LR'?"),
        (["perceptron", "--data", "iriss"], "did you mean 'iris'?"),
        (["graph", "2x + y", "x=1", "y=2"], "as in 2*x for 2x"),
        (["graph", "x", "x=1", "--steps", "f.txt"], "folder ending in / (DIR/)"),
    ],
)
def test_mistakes_get_a_hint(
    args: list[str], hint: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    os.chdir(tmp_path)
    assert hint in error_of(args, capsys)


def test_a_number_written_in_scientific_notation_gets_no_star_hint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["graph", "1e3*x", "x=1"]) == 0
    assert "x = 1000" in capsys.readouterr().out


def test_spaces_around_the_equals_sign_are_understood(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "x*y", "x", "=", "2", "y=", "3"]) == 0
    out = capsys.readouterr().out
    assert "x*y = 6" in out and "d/dx = 3" in out


@pytest.mark.parametrize("where", ["-o /proc/x.svg", "--steps /proc/x.gif", "--steps /proc/x/"])
def test_a_path_under_proc_is_one_line_naming_the_folder(
    where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if os.statvfs("/proc").f_blocks != 0:  # pragma: no cover - not Linux's /proc
        pytest.skip("no /proc file system here")
    err = error_of(["graph", "x", "x=1", *where.split()], capsys)
    assert "'/proc'" in err and "does not exist" not in err


def test_train_into_proc_fails_before_training(capsys: pytest.CaptureFixture[str]) -> None:
    if os.statvfs("/proc").f_blocks != 0:  # pragma: no cover
        pytest.skip("no /proc file system here")
    err = error_of(["train", "-o", "/proc/t", "--epochs", "1", "--samples", "10"], capsys)
    assert "'/proc'" in err
