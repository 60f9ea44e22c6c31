"""What every `tracegrad` subcommand shares: the usage error, the early checks, the error line.

Every argument and output path is checked here, before any work starts, so a mistake
costs nothing and leaves nothing behind. `error_line` turns any failure `main`
catches into the one line it prints.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from viz.style import visible

EXIT_USAGE = 2
EXIT_ENVIRONMENT = 1  # a missing program or package, not the user's input
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports a process stopped by SIGINT

MAX_EPOCHS = 100_000
MAX_SAMPLES = 100_000
MAX_LAYERS = 20
MAX_WIDTH = 10_000  # neurons in one hidden layer
MAX_PARAMETERS = 200_000  # each one a Value, with the optimizer's state beside it
# Each training step builds a graph with an edge from every parameter for every point
# of the batch; measured at 40-95 bytes per edge, so this many stay within ~200 MB.
MAX_STEP_EDGES = 2_000_000
MAX_TRAIN_WORK = 200_000_000  # epochs x points x parameters: about 1.5 minutes


class UsageError(Exception):
    """A mistake in the command's input: reported in one line, exit code 2."""


def error_line(error: BaseException) -> str:
    """The message `main` prints for `error`: one line, every character printable.

    >>> error_line(FileNotFoundError(2, "No such file or directory", "out/x.svg"))
    "No such file or directory: 'out/x.svg'"
    >>> error_line(ValueError("cannot load 'a.csv': 2 problem(s):\\n  line 2: bad\\n  line 3: bad"))
    "cannot load 'a.csv': 2 problem(s): line 2: bad; line 3: bad"
    """
    if isinstance(error, OSError) and error.strerror:
        text = error.strerror
        names = [n for n in (error.filename, error.filename2) if n is not None]
        if names:
            text += ": " + " -> ".join(repr(_text(n)) for n in names)
    elif isinstance(error, MemoryError):
        text = "ran out of memory: ask for a smaller network, fewer samples or a smaller picture"
    else:
        text = str(error) or type(error).__name__
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    head, rest = lines[0], "; ".join(lines[1:])
    return visible(f"{head} {rest}" if rest else head)


def shown(text: object) -> str:
    """A path or a piece of user text, safe to print: what does not print is escaped."""
    return visible(_text(text))


def _text(name: object) -> str:
    if isinstance(name, bytes):
        return os.fsdecode(name)
    return str(name)


# ---------------------------------------------------------------------- numbers


def check_int(value: int, option: str, low: int, high: int) -> int:
    """`value` if `low <= value <= high`, else a UsageError naming the option and range."""
    if not low <= value <= high:
        raise UsageError(f"{option} must be a whole number from {low:,} to {high:,}, got {value!r}")
    return value


def check_positive(value: float, option: str, high: float) -> float:
    """`value` if it is a number above 0 and at most `high` (so neither nan nor inf)."""
    if not (math.isfinite(value) and 0.0 < value <= high):
        raise UsageError(f"{option} must be a number above 0 and at most {high:g}, got {value!r}")
    return value


def parse_numbers(text: str, what: str) -> list[float]:
    """Parse "1,2,3" into finite floats, or raise a UsageError naming the option.

    >>> parse_numbers("-1, 0.5,2", "--initial-weights")
    [-1.0, 0.5, 2.0]
    """
    try:
        numbers = [float(t) for t in text.split(",")]
    except ValueError:
        raise UsageError(f"{what} must be numbers separated by commas, got {text!r}") from None
    if not all(math.isfinite(x) for x in numbers):
        raise UsageError(f"{what} must be finite numbers, got {text!r}")
    return numbers


def parse_sizes(text: str, option: str) -> list[int]:
    """Parse layer sizes such as "16,16": whole numbers from 1 to MAX_WIDTH.

    >>> parse_sizes("32, 16", "--hidden")
    [32, 16]
    """
    allowed = f"whole numbers from 1 to {MAX_WIDTH:,} separated by commas, like 16,16"
    try:
        sizes = [int(t) for t in text.split(",")]  # int() refuses "1e9", "inf" and "16.5"
    except ValueError:
        raise UsageError(f"{option} must be {allowed}, got {text!r}") from None
    if not all(1 <= s <= MAX_WIDTH for s in sizes):
        raise UsageError(f"{option} must be {allowed}, got {text!r}")
    if len(sizes) > MAX_LAYERS:
        raise UsageError(f"{option} may list at most {MAX_LAYERS} layers, got {len(sizes)}")
    return sizes


def check_network_size(n_in: int, hidden: Sequence[int], n_out: int, batch: int) -> int:
    """Refuse a network, before it is built, whose training would not fit in memory;
    return its number of parameters."""
    widths = [n_in, *hidden, n_out]
    parameters = sum((a + 1) * b for a, b in itertools.pairwise(widths))
    layers = ",".join(map(str, hidden))
    if parameters > MAX_PARAMETERS:
        raise UsageError(
            f"--hidden {layers} makes a network of {parameters:,} parameters, more than "
            f"{MAX_PARAMETERS:,}: use fewer or smaller layers"
        )
    if batch * parameters > MAX_STEP_EDGES:
        raise UsageError(
            f"each training step would build a graph of {batch * parameters:,} edges "
            f"({batch:,} points x {parameters:,} parameters), more than {MAX_STEP_EDGES:,} "
            f"(about 200 MB): use smaller --hidden layers, fewer --samples or a smaller "
            f"--batch-size"
        )
    return parameters


def check_training_work(samples: int, parameters: int, epochs: int) -> None:
    """Refuse, before training, a run over `MAX_TRAIN_WORK` (about 1.5 minutes).

    A point's forward and backward pass visits every parameter about twice, so a
    run's work is counted as epochs x points x parameters (0.3-0.45 microseconds each,
    measured on spiral with --hidden 32,32).
    """
    work = epochs * samples * parameters
    if work > MAX_TRAIN_WORK:
        fewer = MAX_TRAIN_WORK // (samples * parameters)
        remedy = f"lower --epochs to {fewer:,} or less" if fewer else "use a smaller network"
        raise UsageError(
            f"training {parameters:,} parameters on {samples:,} points for {epochs:,} epochs "
            f"is {work:,} point-parameter steps, more than the {MAX_TRAIN_WORK:,} (about 1.5 "
            f"minutes) tracegrad train runs; {remedy}, or use fewer --samples"
        )


# ------------------------------------------------------------------------ paths


def check_output(path: Path, suffixes: Sequence[str], option: str = "-o") -> Path:
    """Check, before any work, that a file can be written at `path`.

    Refused: a wrong extension, a folder or something other than a file at `path`, a
    symbolic link to nowhere, a missing or read-only folder, names too long for the
    file system.
    """
    text = _usable(path, option)
    if path.suffix.lower() not in suffixes:
        dirs = " or be a folder ending in / (DIR/) for numbered PNGs"
        or_folder = dirs if option == "--steps" else ""
        raise UsageError(
            f"cannot write {text!r}: {option} must end in {', '.join(suffixes)}{or_folder}"
        )
    _check_target(path, option)
    folder = path.parent
    if not _exists(folder, option):
        raise UsageError(f"cannot write {text!r}: folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise UsageError(f"cannot write {text!r}: {str(folder)!r} is not a folder")
    _check_writable(folder, option)
    return path


def check_output_folder(path: Path, files: Sequence[str] = (), option: str = "-o") -> Path:
    """Check, before any work, that `path` can hold (or become) a folder with `files` in it.

    The folder may exist or not; if not, its nearest existing ancestor must be a folder
    that can be written. A file (or folder) already at one of `files` is overwritten
    only if it is a file.
    """
    text = _usable(path, option)
    if path.is_symlink() and not path.exists():
        raise UsageError(f"{option} {text!r} is a symbolic link to a missing folder")
    if _exists(path, option):
        if not path.is_dir():
            raise UsageError(f"{option} {text!r} is a file, not a folder: give a folder name")
        _check_writable(path, option)
    else:
        ancestor = path.parent
        while not _exists(ancestor, option) and ancestor != ancestor.parent:
            if ancestor.is_symlink():
                raise UsageError(
                    f"cannot create folder {text!r}: {str(ancestor)!r} is a symbolic link "
                    f"to a missing folder"
                )
            ancestor = ancestor.parent
        if not ancestor.is_dir():
            raise UsageError(
                f"cannot create folder {text!r}: {str(ancestor)!r} is a file, not a folder"
            )
        _check_writable(ancestor, option)
    for name in files:
        target = path / name
        _usable(target, option)
        _check_target(target, option)
    return path


def check_input_file(path: Path, option: str) -> Path:
    """Check that `path` is a regular file that can be read (not a folder, nor a pipe)."""
    text = _usable(path, option)
    if not _exists(path, option):
        raise UsageError(f"{option} file {text!r} does not exist")
    if path.is_dir():
        raise UsageError(f"{option} {text!r} is a folder, not a file")
    if not path.is_file():
        raise UsageError(f"{option} {text!r} is not a regular file")
    if not os.access(path, os.R_OK):
        raise UsageError(f"{option} file {text!r} cannot be read (no permission)")
    return path


@contextmanager
def undone_on_failure(files: Sequence[Path], folder: Path | None = None) -> Iterator[None]:
    """If the block fails, remove those of `files` and of `folder`'s path that it created.

    Files that existed before stay (with whatever the block wrote into them); folders
    are removed only when empty.
    """
    new_files = [f for f in files if not _lexists(f)]
    new_folders = []
    while folder is not None and not _lexists(folder) and folder != folder.parent:
        new_folders.append(folder)  # innermost first
        folder = folder.parent
    try:
        yield
    except BaseException:
        for f in new_files:
            with suppress(OSError):
                f.unlink()
        for d in new_folders:
            with suppress(OSError):
                d.rmdir()
        raise


def _lexists(path: Path) -> bool:
    return os.path.lexists(path)


def require_matplotlib() -> None:
    """Fail now, not after training, when the plots' package is missing (exit code 1)."""
    if importlib.util.find_spec("matplotlib") is None:
        raise ImportError(
            "plots need matplotlib, a dependency of tracegrad: pip install matplotlib"
        )


def _usable(path: Path, option: str) -> str:
    """The path's text, after refusing names no file system accepts."""
    text = str(path)
    if "\x00" in text:
        raise UsageError(f"{option} {text!r} contains a NUL character")
    try:
        encoded = os.fsencode(text)
    except UnicodeEncodeError:
        raise UsageError(f"{option} {text!r} is not a valid file name") from None
    limit = _limit(path, "PC_PATH_MAX", 4096)
    if len(encoded) >= limit:
        raise UsageError(f"{option} path is {len(encoded):,} bytes long, more than {limit - 1:,}")
    name_limit = _limit(path, "PC_NAME_MAX", 255)
    for part in path.parts:
        if len(os.fsencode(part)) > name_limit:
            raise UsageError(
                f"{option} {text!r}: the name {part[:40]!r}... is longer than {name_limit} bytes"
            )
    return text


def _limit(path: Path, name: str, default: int) -> int:
    """A file system limit (os.pathconf) at the nearest existing folder above `path`."""
    folder = path.absolute().parent
    while not os.path.isdir(folder) and folder != folder.parent:  # isdir: no OSError
        folder = folder.parent
    try:
        return os.pathconf(folder, name)
    except (OSError, ValueError):
        return default


def _exists(path: Path, option: str) -> bool:
    try:
        return path.exists()
    except OSError as e:  # a permission error on a folder above, say
        raise UsageError(f"cannot use {option} {str(path)!r}: {e.strerror}") from None


def _check_target(path: Path, option: str) -> None:
    """Refuse a path where writing a file would fail or replace something else."""
    text = str(path)
    if path.is_symlink() and not path.exists():
        raise UsageError(f"cannot write {text!r}: it is a symbolic link to a missing file")
    if _exists(path, option):
        if path.is_dir():
            raise UsageError(f"cannot write {text!r}: it is a folder, not a file")
        if not path.is_file():
            raise UsageError(f"cannot write {text!r}: it is not a regular file")
        if not os.access(path, os.W_OK):
            raise UsageError(f"cannot write {text!r}: the file is read-only")


def _check_writable(folder: Path, option: str) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write in folder {str(folder)!r} ({option}): no permission")
    try:
        virtual = os.statvfs(folder).f_blocks == 0  # /proc, /sys: no room for any file
    except (OSError, AttributeError):  # no statvfs on Windows
        virtual = False
    if virtual:
        raise UsageError(
            f"cannot write in folder {str(folder)!r} ({option}): it belongs to a file system"
            f" the kernel makes up (such as /proc or /sys), which holds no new files;"
            f" choose a folder of your own"
        )
