"""The `tracegrad` command line.

- `main`: the argument parser, `tracegrad graph`, and `main()` (the console script).
- `expr`: the expression parser of `tracegrad graph` (a whitelist over `ast`; never `eval`).
- `commands`: `tracegrad perceptron`, `train` and `demo`.
- `training`: training an MLP and writing its files (shared by `train` and `demo`).
- `demo`: the tour of the notes in pictures.
- `usage`: the usage error and the early checks of arguments and output paths.
"""

from viz.cli.main import main

__all__ = ["main"]
