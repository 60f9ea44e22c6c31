"""`build_site`: the playground as a folder of static files any web server can serve.

The site holds the page (index.html, playground.js, playground.css), the WebAssembly
Graphviz the package ships (viz-global.js), tracegrad's wheel and that of the
`graphviz` Python package (the page installs both into Pyodide), and, by default,
Pyodide itself in `pyodide/`, copied from a local copy of the npm package `pyodide`.
With `pyodide_url` the page loads Pyodide from that address instead and the site holds
no copy. Nothing in the page reaches a CDN on its own.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from contextlib import suppress
from importlib import resources
from pathlib import Path

from nn.files import new_folder
from viz.page import legend_html
from viz.playground.wheel import installed_wheel
from viz.themes import LIGHT
from viz.wasm import LIBRARY

__all__ = [
    "PYODIDE_FILES",
    "PYODIDE_VERSION",
    "PyodideNotFoundError",
    "build_site",
    "find_pyodide",
]

PYODIDE_VERSION = "314.0.8"
"""The Pyodide tested with (package.json pins it; `npm ci` puts it in node_modules/)."""

PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
"""What the page loads of Pyodide: its loader, the interpreter and the standard library."""

OLDEST_PYTHON = (3, 11)
MARKER = ".tracegrad-playground"  # in a site this made: the next build may replace it
PAGE_FILES = ("index.html", "playground.js", "playground.css")


class PyodideNotFoundError(FileNotFoundError):
    """No usable copy of Pyodide where the playground was told (or expected) to find one."""


def find_pyodide(start: Path | None = None) -> Path:
    """The nearest `node_modules/pyodide` folder at or above `start` (default: the cwd),
    then beside the installed package (a clone after `npm ci`).

    Raises:
        PyodideNotFoundError: if there is none, saying how to get one.
    """
    here = Path.cwd() if start is None else start
    package = Path(__file__).resolve().parents[2]
    for folder in [here, *here.parents, package]:
        candidate = folder / "node_modules" / "pyodide"
        if (candidate / "pyodide.mjs").is_file():
            return candidate
    raise PyodideNotFoundError(
        "found no Pyodide to put in the site: run "
        f"`npm install pyodide@{PYODIDE_VERSION}` here, or give --pyodide DIR "
        "(a copy of the npm package pyodide) or --pyodide-url URL"
    )


def check_pyodide(folder: Path) -> str:
    """Check that `folder` holds a usable Pyodide; returns its version.

    Raises:
        PyodideNotFoundError: for a missing file or a Python older than 3.11, naming it.
    """
    missing = [name for name in PYODIDE_FILES if not (folder / name).is_file()]
    if missing:
        raise PyodideNotFoundError(
            f"the Pyodide folder {str(folder)!r} is not a copy of the npm package pyodide: "
            f"it lacks {', '.join(missing)}"
        )
    try:
        info = json.loads((folder / "pyodide-lock.json").read_text(encoding="utf-8"))["info"]
        python = tuple(int(p) for p in str(info["python"]).split(".")[:2])
        version = str(info.get("version", "?"))
    except (ValueError, KeyError, TypeError) as e:
        raise PyodideNotFoundError(
            f"the Pyodide folder {str(folder)!r}: its pyodide-lock.json cannot be read ({e})"
        ) from None
    if python < OLDEST_PYTHON:
        raise PyodideNotFoundError(
            f"the Pyodide folder {str(folder)!r} holds Pyodide {version}, which runs Python "
            f"{'.'.join(map(str, python))}; tracegrad needs 3.11 or newer"
        )
    return version


def build_site(
    out: str | os.PathLike[str],
    *,
    pyodide: str | os.PathLike[str] | None = None,
    pyodide_url: str | None = None,
) -> list[Path]:
    """Write the playground into the folder `out`, whole or not at all.

    Args:
        out: the site's folder. It must not exist, be empty, or hold a site this
            function wrote before (which is then replaced).
        pyodide: a copy of the npm package `pyodide` to copy into `out/pyodide/`
            (default: `find_pyodide()`).
        pyodide_url: load Pyodide from this http(s) address instead (no copy is made).

    Returns:
        The paths of the files written, the page first.

    Raises:
        ValueError: for both `pyodide` and `pyodide_url`, or a URL that is not http(s).
        PyodideNotFoundError: if there is no usable Pyodide.
        FileExistsError: if `out` holds other files.
        OSError: if the files cannot be written (then none are).

    Example (with Pyodide from npm: `npm install pyodide`):
        build_site("site")  # then: python -m http.server -d site, open localhost:8000
    """
    target = Path(out)
    if pyodide is not None and pyodide_url is not None:
        raise ValueError("give either pyodide (a folder) or pyodide_url (an address), not both")
    if pyodide_url is not None:
        if not re.fullmatch(r"https?://[^\s\"'<>\\]+", pyodide_url):
            raise ValueError(
                f"pyodide_url: expected an http:// or https:// address, got {pyodide_url!r}"
            )
        source, base, version = None, pyodide_url.rstrip("/") + "/", "from " + pyodide_url
    else:
        source = find_pyodide() if pyodide is None else Path(pyodide)
        base, version = "pyodide/", check_pyodide(source)
    _check_target(target)
    wheels = [
        installed_wheel("tracegrad", ["engine", "nn", "viz"], leave_out=_browser_needs_not),
        installed_wheel("graphviz", ["graphviz"]),
    ]
    config = {"pyodide": base, "wheels": [name for name, _ in wheels], "version": version}
    staging = new_folder(target.parent, target.name)
    try:
        static = resources.files("viz.playground").joinpath("static")
        page = static.joinpath("index.html").read_text(encoding="utf-8")
        page = page.replace("<!--LEGEND-->", legend_html(LIGHT))
        page = page.replace("<!--CONFIG-->", html.escape(json.dumps(config), quote=False))
        (staging / "index.html").write_text(page, encoding="utf-8")
        for name in PAGE_FILES[1:]:
            (staging / name).write_bytes(static.joinpath(name).read_bytes())
        library = resources.files("viz.wasm").joinpath(LIBRARY).read_bytes()
        (staging / LIBRARY).write_bytes(library)
        for name, data in wheels:
            (staging / name).write_bytes(data)
        if source is not None:
            (staging / "pyodide").mkdir()
            for name in PYODIDE_FILES:
                shutil.copyfile(source / name, staging / "pyodide" / name)
        (staging / MARKER).write_text("written by `tracegrad playground`\n", encoding="utf-8")
        _swap_in(staging, target)
    except BaseException:
        with suppress(OSError):
            shutil.rmtree(staging)
        raise
    return sorted(
        (p for p in target.rglob("*") if p.is_file() and p.name != MARKER),
        key=lambda p: (p.name != "index.html", str(p)),
    )


def _browser_needs_not(path: str) -> bool:
    """What tracegrad's wheel for the browser leaves out: the site serves these itself."""
    return path.startswith("viz/playground/static/") or path == f"viz/wasm/{LIBRARY}"


def _check_target(target: Path) -> None:
    if not os.path.lexists(target):
        if not target.parent.is_dir():
            raise FileNotFoundError(
                f"cannot write the site into {str(target)!r}: folder {str(target.parent)!r} "
                "does not exist"
            )
        return
    if not target.is_dir() or target.is_symlink():
        raise FileExistsError(f"cannot write the site into {str(target)!r}: it is not a folder")
    if any(target.iterdir()) and not (target / MARKER).is_file():
        raise FileExistsError(
            f"cannot write the site into {str(target)!r}: it holds other files; give a new "
            "or empty folder (a site written before is replaced)"
        )


def _swap_in(staging: Path, target: Path) -> None:
    """Put the finished `staging` folder at `target`, removing the site there before."""
    if not os.path.lexists(target):
        os.rename(staging, target)
        return
    old = new_folder(target.parent, target.name)
    os.rename(target, old / "site")  # the old site, removed once the new one is in place
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(old / "site", target)
        raise
    shutil.rmtree(old, ignore_errors=True)
