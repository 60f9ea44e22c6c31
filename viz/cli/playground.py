"""`tracegrad playground`: write the browser playground as a static site (see viz.playground)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from viz.cli.usage import UsageError, check_output_folder, shown

EPILOG = """\
By default the site carries its own copy of Pyodide (about 13 MB, in site/pyodide/),
taken from the npm package `pyodide` found in ./node_modules (after `npm install
pyodide`, or `npm ci` in a clone of tracegrad), or from the folder --pyodide names.
With --pyodide-url the page loads Pyodide from that address instead.

Serve the folder with any static web server, for example:
  python -m http.server -d site 8000     then open http://127.0.0.1:8000/
A link can carry an example:  http://127.0.0.1:8000/?expr=g%20%3D%20x%20%2B%20y%3B%20f%20%3D%20g%20*%20z&x=2&y=3&z=4
"""


def add_playground_parser(sub: Any) -> None:
    """The `playground` subcommand."""
    p = sub.add_parser(
        "playground",
        help="write a static site that runs tracegrad in the browser (Pyodide)",
        description="Write the playground, a page that runs tracegrad in the browser with "
        "Pyodide: type an expression, see its graph, step through backpropagation, read "
        "the code, train a small network.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-o", "--output", type=Path, required=True, help="the site's folder")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--pyodide",
        type=Path,
        metavar="DIR",
        help="a copy of the npm package pyodide to put in the site "
        "(default: ./node_modules/pyodide)",
    )
    where.add_argument(
        "--pyodide-url",
        metavar="URL",
        help="load Pyodide from this http(s) address instead of a copy in the site",
    )
    p.set_defaults(run=run_playground)


def run_playground(args: argparse.Namespace) -> None:
    """Build the site and say where it is and how to open it."""
    from viz.playground import build_site

    check_output_folder(args.output)
    try:
        files = build_site(args.output, pyodide=args.pyodide, pyodide_url=args.pyodide_url)
    except ValueError as e:  # said in the command line's words
        raise UsageError(str(e).replace("pyodide_url:", "--pyodide-url:")) from None
    size = sum(f.stat().st_size for f in files)
    print(f"wrote {shown(args.output)} ({len(files)} files, {size / 1e6:.1f} MB)")
    print(f"serve it: python -m http.server -d {shown(args.output)} 8000")
    print("then open http://127.0.0.1:8000/")
