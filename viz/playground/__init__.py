"""The playground: tracegrad in the browser with no install, as a static site.

`tracegrad playground -o site/` (or `build_site`) writes a folder that any static web
server can serve: a page where a student types an expression with named steps, sets
its inputs, sees the graph with values and gradients, steps through the forward and
backward pass, reads the generated code and trains a small network on 2-D data. The
page runs tracegrad itself, in Pyodide (CPython compiled to WebAssembly), and draws
with the WebAssembly Graphviz of `viz.wasm`.

- `site`: `build_site`, which writes the folder whole or not at all.
- `session`: what the page asks Python to do (JSON in, JSON out; runs under CPython too).
- `wheel`: tracegrad's wheel for the browser, made from the installed packages.
- `static/`: the page, its script and its style sheet.
"""

from viz.playground.site import PyodideNotFoundError, build_site, find_pyodide

__all__ = ["PyodideNotFoundError", "build_site", "find_pyodide"]
