"""The `tracegrad` command line."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    """Run the `tracegrad` command; returns the exit code."""
    raise SystemExit("tracegrad: the command line is not built yet")
