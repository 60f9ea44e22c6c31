"""`tracegrad doctor`: each feature, whether it works, and the command that fixes it."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import pytest

from viz.cli import main
from viz.cli.doctor import diagnose, install_graphviz_command, report


def everything(module: str) -> bool:
    return True


def fixes(missing_program: bool, missing: set[str], system: str, conda: bool) -> dict[str, str]:
    checks = diagnose(
        which=lambda name: None if missing_program else f"/usr/bin/{name}",
        has=lambda module: module not in missing,
        system=system,
        conda=conda,
        pyodide=lambda: "pyodide" not in missing,
    )
    return {c.feature: c.fix for c in checks if not c.ok}


def test_with_everything_installed_every_feature_works() -> None:
    checks = diagnose(
        which=lambda name: "/usr/bin/dot", has=everything, system="Linux", pyodide=lambda: True
    )
    assert all(c.ok for c in checks)
    assert "MISSING" not in report(checks)


@pytest.mark.parametrize(
    ("system", "conda", "command"),
    [
        ("Linux", False, "sudo apt-get install graphviz"),
        ("Darwin", False, "brew install graphviz"),
        ("Windows", False, "winget install Graphviz.Graphviz"),
        ("Linux", True, "conda install -c conda-forge graphviz"),
        ("Windows", True, "conda install -c conda-forge graphviz"),
    ],
)
def test_without_dot_the_fix_is_this_systems_install_command(
    system: str, conda: bool, command: str
) -> None:
    assert install_graphviz_command(system, conda) == command
    found = fixes(True, set(), system, conda)
    assert found["graph files (.svg, .png, .pdf)"] == command
    assert found["step-throughs as GIF/PDF (--steps f.gif)"] == command
    assert "plots (training curves, regions)" not in found
    assert not any(feature.startswith("notebook display") for feature in found)


def test_each_missing_package_names_its_pip_command() -> None:
    found = fixes(False, {"matplotlib", "tqdm", "ipykernel", "graphviz"}, "Linux", False)
    assert found == {
        "graph files (.svg, .png, .pdf)": "python -m pip install graphviz",
        "notebook display of graphs (dot, or Graphviz in WebAssembly without it)": (
            "python -m pip install jupyterlab"
        ),
        "step-throughs as GIF/PDF (--steps f.gif)": "python -m pip install graphviz",
        "plots (training curves, regions)": "python -m pip install matplotlib",
        "progress bars": "python -m pip install tqdm",
    }


def test_the_playground_needs_pyodide_and_says_which() -> None:
    found = fixes(False, {"pyodide"}, "Linux", False)
    assert found == {
        "the playground (tracegrad playground -o site/)": "npm install pyodide@314.0.8"
    }
    package = json.loads((Path(__file__).parents[2] / "package.json").read_text())
    assert package["dependencies"]["pyodide"] == "314.0.8"  # the version the fix names


def test_the_command_prints_python_and_tracegrad_versions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")
    assert main(["doctor"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"Python {platform.python_version()} ")
    assert lines[1] == "tracegrad 0.1.0"
    missing = [line for line in lines if "MISSING  graph files" in line]
    assert len(missing) == 1 and "fix: " in missing[0] and "graphviz" in missing[0]
