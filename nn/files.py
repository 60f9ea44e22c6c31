"""Writing files whole or not at all.

Every file tracegrad writes (models, histories, pictures, step-through pages) goes
through here. The content is written to a temporary file in the target's own folder,
flushed and synced to disk, and only then renamed over the target. A rename within one
folder is atomic: a reader, a crash or a full disk sees either the old file or the new
one, never a half-written mix, and an error before the rename leaves the old file as it
was. Content that can fail to encode is encoded before anything is touched.

The new file behaves like one written in place: it keeps the old file's permission
bits (a new file gets what a plain `open()` gives under the user's umask), a symbolic
link is followed (the file it points to is replaced, the link stays), and a read-only
file is refused. What a rename cannot keep: hard links to the old file, its owner when
someone else owns it, and extended attributes. A process killed between creating the
temporary file and the rename leaves that file behind, named `.<target>.tmp-<random>`;
the target itself is never a temporary file.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

__all__ = ["atomic_path", "new_folder", "write_bytes", "write_file_set", "write_text"]

_NAME_MAX = 255  # bytes in one file name on the common file systems
_LONGEST_SUFFIX = 32  # a longer suffix names no format any writer picks by suffix


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` as UTF-8 to `path`, whole or not at all.

    The text is encoded first, so a string that cannot be encoded (a lone surrogate)
    raises `UnicodeEncodeError` before the old file is touched.

    Raises:
        UnicodeEncodeError: if `text` is not valid Unicode; `path` is left as it was.
        OSError: as `atomic_path`; `path` is left as it was.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
        >>> write_text(p, "hello")
        >>> p.read_text()
        'hello'
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as e:
        reason = f"{e.reason}; nothing was written to {os.fspath(path)!r}"
        raise UnicodeEncodeError(e.encoding, e.object, e.start, e.end, reason) from None
    write_bytes(path, data)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path`, whole or not at all (temporary file, fsync, rename).

    Raises:
        TypeError: if `data` is not bytes (use `write_text` for a str).
        OSError: as `atomic_path`; `path` is left as it was.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(
            f"write_bytes() needs bytes, got {type(data).__name__}"
            + (": use write_text() for text" if isinstance(data, str) else "")
        )
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(data)


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside `path`; renamed over `path` when the block succeeds.

    For writers that want a file name of their own (matplotlib's `savefig`,
    graphviz): write to the yielded path inside the block. On success the file is
    synced and moved over `path` in one step; on any error it is removed and `path`
    keeps its old content. The temporary name keeps `path`'s suffix, so writers that
    choose a format by suffix pick the right one. When `path` is a device or a pipe
    (`/dev/null`, a FIFO) there is no file to replace: the block writes to it directly.

    Raises:
        IsADirectoryError: if `path` is an existing folder.
        FileNotFoundError: if `path`'s folder does not exist.
        NotADirectoryError: if a part of `path`'s folder is a file.
        PermissionError: if `path` is read-only or its folder does not let us write.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
        >>> with atomic_path(p) as tmp:
        ...     _ = tmp.write_text("done")
        ...     p.exists()  # nothing at the target until the block ends
        False
        >>> p.read_text()
        'done'
    """
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    try:
        old = os.stat(target)
    except (FileNotFoundError, NotADirectoryError):  # the folder check below says which
        old = None
    if old is not None:
        if stat.S_ISDIR(old.st_mode):
            raise IsADirectoryError(f"cannot write {str(path)!r}: it is a folder")
        if not stat.S_ISREG(old.st_mode):
            yield target  # a device or a pipe: nothing to replace, nothing to keep
            return
        if not os.access(target, os.W_OK):
            raise PermissionError(f"cannot write {str(path)!r}: the file is read-only")
    tmp = _create_beside(target, shown=str(path))
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDWR)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if old is not None:
            with suppress(OSError):  # some file systems (FAT, some mounts) refuse chmod
                os.chmod(tmp, stat.S_IMODE(old.st_mode))
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):  # never hide the error that got us here
            tmp.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def write_file_set(
    folder: str | os.PathLike[str], files: Mapping[str, bytes], *, replaces: str
) -> None:
    """Write `files` (name -> bytes) into `folder` as one set, replacing the old set.

    The old set is every file in `folder` whose name matches the regular expression
    `replaces` (say `step-[0-9]+[.]png`): after the call the folder holds exactly the new
    set of those, so a run with fewer files leaves none of an earlier run's behind.
    Other files in `folder` are left alone.

    Whole or not at all: every file is written and synced in a temporary folder first.
    A folder that did not exist is then made by one rename, so it appears complete or
    not at all. In a folder that exists, the new files are renamed into place and the
    old ones removed only once all are written; a name of the set that is taken by a
    folder or anything else but a file is refused before anything is written. Only a
    crash during those last renames (a few system calls) can leave a mix.

    Raises:
        FileNotFoundError: if `folder`'s parent does not exist.
        IsADirectoryError: if one of the names is a folder in `folder`.
        NotADirectoryError: if `folder` is a file.
        OSError: from writing (a full disk): nothing was changed.

    Example:
        >>> import tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "frames"
        >>> write_file_set(out, {"f-1.txt": b"a", "f-2.txt": b"b"}, replaces=r"f-[0-9]+[.]txt")
        >>> write_file_set(out, {"f-1.txt": b"c"}, replaces=r"f-[0-9]+[.]txt")
        >>> sorted(p.name for p in out.iterdir()), (out / "f-1.txt").read_bytes()
        (['f-1.txt'], b'c')
    """
    target = Path(folder)
    pattern = re.compile(replaces)
    exists = target.is_dir()
    if not exists and os.path.lexists(target):
        raise NotADirectoryError(f"cannot write files into {str(target)!r}: it is not a folder")
    if exists:
        for name in files:
            there = target / name
            if os.path.lexists(there) and not (there.is_symlink() or there.is_file()):
                kind = "a folder" if there.is_dir() else "not a file"
                raise IsADirectoryError(
                    f"cannot write {str(there)!r}: it is {kind}; nothing was written"
                )
    staging = new_folder(target.parent if not exists else target, target.name)
    try:
        for name, data in files.items():
            with open(staging / name, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        _sync_folder(staging)
        if not exists:
            os.rename(staging, target)
            _sync_folder(target.parent)
            return
        old = [p for p in target.iterdir() if pattern.fullmatch(p.name) and p.name not in files]
        for name in files:
            os.replace(staging / name, target / name)
    except BaseException:
        with suppress(OSError):
            shutil.rmtree(staging)
        raise
    for stale in old:
        with suppress(FileNotFoundError):
            stale.unlink()
    with suppress(OSError):
        staging.rmdir()
    _sync_folder(target)


def new_folder(parent: Path, name: str) -> Path:
    """Create a new empty hidden folder in `parent` with a name no one else uses
    (".NAME.tmp-<random>"): where a folder is built before it is renamed into place.

    Raises:
        FileNotFoundError: if `parent` does not exist.
        FileExistsError: if no free name was found in 100 tries.
    """
    stem = name[: _NAME_MAX - len(".") - len(".tmp-12345678")]
    for _ in range(100):
        path = parent / f".{stem}.tmp-{secrets.token_hex(4)}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        except FileNotFoundError:
            raise FileNotFoundError(
                f"cannot write {name!r}: folder {str(parent)!r} does not exist"
            ) from None
        return path
    raise FileExistsError(f"cannot write {name!r}: found no free temporary name in 100 tries")


def _create_beside(target: Path, *, shown: str) -> Path:
    """Create a new empty file next to `target` with a name no one else uses.

    The file is made with mode 0o666 so the kernel applies the user's umask, as for
    any file `open()` creates; the umask itself is never read or changed.
    """
    folder = target.parent
    suffix = target.suffix if len(os.fsencode(target.suffix)) <= _LONGEST_SUFFIX else ""
    stem = target.name
    budget = _NAME_MAX - len(".") - len(".tmp-12345678") - len(os.fsencode(suffix))
    while len(os.fsencode(stem)) > budget:
        stem = stem[:-1]
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = folder / f".{stem}.tmp-{secrets.token_hex(4)}{suffix}"
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        except FileNotFoundError:
            why = "no new file can be made there" if folder.is_dir() else "does not exist"
            raise FileNotFoundError(
                f"cannot write {shown!r}: folder {str(folder)!r} {why}"
            ) from None
        except NotADirectoryError:
            raise NotADirectoryError(
                f"cannot write {shown!r}: {str(folder)!r} is not a folder"
            ) from None
        except PermissionError:
            raise PermissionError(
                f"cannot write {shown!r}: no permission to create files in {str(folder)!r}"
            ) from None
        os.close(fd)
        return tmp
    raise FileExistsError(f"cannot write {shown!r}: found no free temporary name in 100 tries")


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every system can sync a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
