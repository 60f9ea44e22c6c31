"""The viz package: its exports and its light import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import viz


def test_all_is_sorted_and_matches_the_exports() -> None:
    assert viz.__all__ == sorted(viz.__all__)
    public = {name for name in vars(viz) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(viz, name)).__name__ == "module"}
    assert set(viz.__all__) == public - modules


def test_importing_viz_and_its_cli_loads_no_heavy_package() -> None:
    code = (
        "import sys, viz, viz.cli\n"
        "heavy = ('graphviz', 'matplotlib', 'tqdm', 'hypothesis')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert result.stdout.strip() == ""
