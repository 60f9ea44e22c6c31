"""`tracegrad doctor`: what works on this machine, and the one command that fixes the rest.

Each feature needs some programs or packages; the doctor looks for them without running
any drawing, prints one line per feature and, where something is missing, the command
that installs it on this operating system.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from viz.playground.site import PYODIDE_VERSION

PIP = "python -m pip install"


@dataclass(frozen=True)
class Check:
    """One feature: whether it works here, what it needs, and the command that fixes it."""

    feature: str
    ok: bool
    needs: str
    fix: str = ""


def install_graphviz_command(system: str | None = None, conda: bool | None = None) -> str:
    """The one command that installs Graphviz's `dot` on `system` (default: this machine).

    Args:
        system: a `platform.system()` name ("Linux", "Darwin", "Windows"); None for this one.
        conda: whether Python runs in a conda environment; None looks at CONDA_PREFIX.

    Returns:
        The shell command, e.g. "brew install graphviz" on macOS.

    Example:
        >>> install_graphviz_command("Darwin", conda=False)
        'brew install graphviz'
    """
    system = platform.system() if system is None else system
    if "CONDA_PREFIX" in os.environ if conda is None else conda:
        return "conda install -c conda-forge graphviz"
    return {
        "Darwin": "brew install graphviz",
        "Windows": "winget install Graphviz.Graphviz",
    }.get(system, "sudo apt-get install graphviz")


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def diagnose(
    which: Callable[[str], str | None] = shutil.which,
    has: Callable[[str], bool] = _has,
    system: str | None = None,
    conda: bool | None = None,
    pyodide: Callable[[], bool] | None = None,
) -> list[Check]:
    """Check each feature of tracegrad on this machine.

    Args:
        which: finds a program on PATH (`shutil.which`; tests pass their own).
        has: tells whether a Python module can be imported.
        system: the operating system's name, as `platform.system()` gives it.
        conda: whether Python runs in a conda environment (None: look at CONDA_PREFIX).
        pyodide: tells whether the playground finds a copy of Pyodide (None: look).

    Returns:
        One `Check` per feature, in the order the doctor prints them.
    """
    dot = which("dot") is not None
    graphviz = has("graphviz")
    dot_fix = install_graphviz_command(system, conda)
    pictures_fix = dot_fix if graphviz else f"{PIP} graphviz"
    pictures = dot and graphviz
    notebook = has("ipykernel") and has("IPython")
    return [
        Check("engine and nn", True, "the Python standard library only"),
        Check("graph files (.svg, .png, .pdf)", pictures, "Graphviz's dot", pictures_fix),
        Check(".dot files", True, "nothing"),
        Check(
            "notebook display of graphs (dot, or Graphviz in WebAssembly without it)",
            notebook,
            "Jupyter",
            f"{PIP} jupyterlab",
        ),
        Check(
            "step-throughs as GIF/PDF (--steps f.gif)",
            pictures and has("PIL"),
            "Graphviz's dot and Pillow",
            pictures_fix if not pictures else f"{PIP} pillow",
        ),
        Check(
            "plots (training curves, regions)", has("matplotlib"), "matplotlib", f"{PIP} matplotlib"
        ),
        Check("progress bars", has("tqdm"), "tqdm", f"{PIP} tqdm"),
        Check(
            "the playground (tracegrad playground -o site/)",
            (pyodide or _finds_pyodide)(),
            "Pyodide from npm, or --pyodide-url",
            f"npm install pyodide@{PYODIDE_VERSION}",
        ),
    ]


def _finds_pyodide() -> bool:
    from viz.playground import PyodideNotFoundError, find_pyodide

    try:
        find_pyodide()
    except PyodideNotFoundError:
        return False
    return True


def report(checks: list[Check]) -> str:
    """The doctor's text: Python, tracegrad's version, then one line per feature."""
    try:
        version = metadata.version("tracegrad")
    except metadata.PackageNotFoundError:
        version = "not installed (running from the source tree)"
    lines = [
        f"Python {platform.python_version()} ({sys.executable})",
        f"tracegrad {version}",
    ]
    for check in checks:
        if check.ok:
            lines.append(f"  ok       {check.feature}")
        else:
            lines.append(f"  MISSING  {check.feature}: needs {check.needs}; fix: {check.fix}")
    return "\n".join(lines)


def add_doctor_parser(sub: Any) -> None:
    """Add `tracegrad doctor` to the subcommands."""
    d = sub.add_parser(
        "doctor",
        help="say which features work on this machine and how to fix the others",
        description="Check Python, tracegrad and each feature's programs and packages.",
    )
    d.set_defaults(run=run_doctor)


def run_doctor(args: argparse.Namespace) -> None:
    """`tracegrad doctor`."""
    print(report(diagnose()))
