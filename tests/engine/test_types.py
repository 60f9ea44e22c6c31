"""What type checkers see: the built-in ops are real methods of Value, typos are errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNIPPET = """\
from engine import Value

x = Value(1.0)
y: Value = x.tanh().exp().log().sigmoid().relu().abs().step()
z = abs(-x) + x ** 2
x.tahn()
w = x.dataa
"""


def test_mypy_sees_the_methods_and_refuses_typos(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    snippet = tmp_path / "snippet.py"
    snippet.write_text(SNIPPET)
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(snippet)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    errors = [line for line in run.stdout.splitlines() if line.startswith(f"{snippet}:")]
    errors = [line for line in errors if ": error:" in line]
    assert [line[len(str(snippet)) :].split(":")[1] for line in errors] == ["6", "7"], run.stdout
    assert '"Value" has no attribute "tahn"' in errors[0]
    assert '"Value" has no attribute "dataa"' in errors[1]
