"""Writing files whole or not at all.

Every file tracegrad writes (models, histories, pictures, step-through pages) goes
through here. The content is written to a temporary file in the target's own folder,
flushed and synced to disk, and only then renamed over the target. A rename within one
folder is atomic: a reader, a crash or a full disk sees either the old file or the new
one, never a half-written mix, and an error before the rename leaves the old file as it
was. Content that can fail to encode is encoded before anything is touched.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "write_bytes", "write_text"]


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` as UTF-8 to `path`, whole or not at all.

    The text is encoded first, so a string that cannot be encoded (a lone surrogate)
    raises `UnicodeEncodeError` before the old file is touched.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
        >>> write_text(p, "hello")
        >>> p.read_text()
        'hello'
    """
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path`, whole or not at all (temporary file, fsync, rename)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside `path`; renamed over `path` when the block succeeds.

    For writers that want a file name of their own (matplotlib's `savefig`,
    graphviz): write to the yielded path inside the block. On success the file is
    synced and moved over `path` in one step; on any error it is removed and `path`
    keeps its old content. The temporary name keeps `path`'s suffix, so writers that
    choose a format by suffix pick the right one.

    Raises:
        IsADirectoryError: if `path` is an existing folder.
        FileNotFoundError: if `path`'s folder does not exist.
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"cannot write {str(target)!r}: it is a folder")
    folder = target.parent
    fd, name = tempfile.mkstemp(prefix=f".{target.name[:80]}.", suffix=target.suffix, dir=folder)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        if target.exists():
            # Keep the old file's permission bits; mkstemp makes the new one private.
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o644)  # what a plain open() gives under the usual umask 022
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
