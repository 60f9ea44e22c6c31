"""What every `tracegrad` subcommand shares: the usage error and early argument checks."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

EXIT_USAGE = 2
EXIT_ENVIRONMENT = 1  # a missing program or package, not the user's input


class UsageError(Exception):
    """A mistake in the command's input: reported in one line, exit code 2."""


def check_output(path: Path, suffixes: Sequence[str]) -> None:
    """Fail early, before any work, on an output path that cannot be written."""
    if path.suffix.lower() not in suffixes:
        raise UsageError(f"cannot write {str(path)!r}: the file must end in {', '.join(suffixes)}")
    if not path.parent.is_dir():
        raise UsageError(f"cannot write {str(path)!r}: folder {str(path.parent)!r} does not exist")


def parse_numbers(text: str, what: str) -> list[float]:
    """Parse "1,2,3" into floats, or raise a UsageError naming the option."""
    try:
        return [float(t) for t in text.split(",")]
    except ValueError:
        raise UsageError(f"{what} must be numbers separated by commas, got {text!r}") from None
