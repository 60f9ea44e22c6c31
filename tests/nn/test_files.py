"""nn.files: a file is written whole or not at all, and behaves like one written in place."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn.files
from nn.files import atomic_path, write_bytes, write_text

REPO = Path(__file__).parents[2]
STAGES = ("write", "fsync", "replace")


def full_disk(stage: str) -> Callable[[pytest.MonkeyPatch], None]:
    """Make the next write fail with ENOSPC at `stage`, the way a full disk does."""

    def no_space(*args: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    def install(monkeypatch: pytest.MonkeyPatch) -> None:
        if stage == "write":  # half the bytes reach the disk, then the disk is full
            real_open = open

            class HalfFile:
                def __init__(self, path: Path, mode: str) -> None:
                    self.f = real_open(path, mode)

                def __enter__(self) -> HalfFile:
                    return self

                def __exit__(self, *exc: object) -> None:
                    self.f.close()

                def write(self, data: bytes) -> int:
                    self.f.write(data[: len(data) // 2])
                    self.f.flush()
                    no_space()
                    return 0

            monkeypatch.setattr(nn.files, "open", HalfFile, raising=False)
        else:
            monkeypatch.setattr(os, stage, no_space)

    return install


def only_file(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_text_replaces_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    write_text(path, "a much longer first version\n")
    write_text(path, "short")
    assert path.read_text() == "short"
    assert only_file(tmp_path) == ["note.txt"]


@pytest.mark.parametrize("stage", STAGES)
def test_a_full_disk_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    path = tmp_path / "model.json"
    path.write_bytes(b"old and good")
    full_disk(stage)(monkeypatch)
    with pytest.raises(OSError) as info:
        write_bytes(path, b"new " * 10_000)
    assert info.value.errno == errno.ENOSPC
    assert path.read_bytes() == b"old and good"
    assert only_file(tmp_path) == ["model.json"]


@pytest.mark.parametrize("stage", STAGES)
def test_a_failed_first_write_creates_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    full_disk(stage)(monkeypatch)
    with pytest.raises(OSError):
        write_text(tmp_path / "new.json", "{}")
    assert only_file(tmp_path) == []


def test_an_error_inside_the_block_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "plot.png"
    path.write_bytes(b"old picture")
    with pytest.raises(RuntimeError, match="drawing failed"), atomic_path(path) as tmp:
        tmp.write_bytes(b"half a pic")
        raise RuntimeError("drawing failed")
    assert path.read_bytes() == b"old picture"
    assert only_file(tmp_path) == ["plot.png"]


def test_the_temporary_file_sits_beside_the_target_with_its_suffix(tmp_path: Path) -> None:
    path = tmp_path / "curves.png"
    with atomic_path(path) as tmp:
        assert tmp.parent == tmp_path
        assert tmp.suffix == ".png"
        assert tmp.name.startswith(".curves.png.tmp-")
        assert not path.exists()
        tmp.write_bytes(b"png")
    assert path.read_bytes() == b"png"


def test_a_lone_surrogate_fails_before_the_old_file_is_touched(tmp_path: Path) -> None:
    path = tmp_path / "f.dot"
    path.write_text("digraph old {}")
    with pytest.raises(UnicodeEncodeError, match=r"nothing was written to '.*f\.dot'"):
        write_text(path, 'digraph { a [label="\ud800"] }')
    assert path.read_text() == "digraph old {}"
    assert only_file(tmp_path) == ["f.dot"]


def test_write_bytes_refuses_text(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"needs bytes, got str: use write_text\(\)"):
        write_bytes(tmp_path / "never.txt", "text")  # type: ignore[arg-type]
    assert only_file(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="umask is POSIX")
@pytest.mark.parametrize("umask", [0o022, 0o077], ids=["umask-022", "umask-077"])
def test_a_new_file_gets_the_permissions_open_would_give(tmp_path: Path, umask: int) -> None:
    # In a child process: the umask belongs to the whole process, never change ours.
    code = (
        "import sys; from nn.files import write_text\n"
        "write_text(sys.argv[1], 'x'); open(sys.argv[2], 'w').close()"
    )
    atomic, plain = tmp_path / "atomic.txt", tmp_path / "plain.txt"
    subprocess.run(
        [sys.executable, "-c", code, str(atomic), str(plain)],
        check=True,
        cwd=REPO,
        preexec_fn=lambda: os.umask(umask),  # runs in the child, after the fork
    )
    assert stat.S_IMODE(plain.stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(atomic.stat().st_mode) == 0o666 & ~umask


def test_an_existing_file_keeps_its_permission_bits(tmp_path: Path) -> None:
    path = tmp_path / "secret.json"
    path.write_text("{}")
    path.chmod(0o640)
    write_text(path, '{"new": 1}')
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_symbolic_link_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "models" / "v3.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "model.json"
    link.symlink_to(real)
    write_text(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anything")
def test_a_read_only_file_is_refused_like_open_would(tmp_path: Path) -> None:
    path = tmp_path / "keep.json"
    path.write_text("kept")
    path.chmod(0o444)
    with pytest.raises(PermissionError, match="read-only"):
        write_text(path, "lost")
    assert path.read_text() == "kept"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_is_written_directly_not_replaced(tmp_path: Path) -> None:
    # A pipe stands for any special file (never /dev/null: a broken writer running as
    # root would replace the machine's /dev/null with a regular file).
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # so opening to write won't block
    try:
        write_bytes(pipe, b"through the pipe")
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert only_file(tmp_path) == ["pipe"]


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        write_text(tmp_path, "x")


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"folder '.*nowhere' does not exist"):
        write_text(tmp_path / "nowhere" / "m.json", "x")


def test_a_file_in_place_of_a_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    with pytest.raises(NotADirectoryError, match=r"'.*plain' is not a folder"):
        write_text(tmp_path / "plain" / "m.json", "x")


@pytest.mark.parametrize("name", ["a" * 251 + ".png", "é" * 122 + ".json", "x." + "s" * 250])
def test_the_longest_allowed_names_still_get_a_temporary_file(tmp_path: Path, name: str) -> None:
    assert len(os.fsencode(name)) <= 255
    write_text(tmp_path / name, "fits")
    assert (tmp_path / name).read_text() == "fits"
    assert only_file(tmp_path) == [name]


@given(
    writes=st.lists(
        st.tuples(st.binary(max_size=300), st.sampled_from((None, *STAGES))),
        min_size=1,
        max_size=6,
    )
)
def test_the_file_always_holds_the_last_write_that_succeeded(
    tmp_path_factory: pytest.TempPathFactory, writes: list[tuple[bytes, str | None]]
) -> None:
    folder = tmp_path_factory.mktemp("writes")
    path = folder / "state.bin"
    expected: bytes | None = None
    for data, failure in writes:
        with pytest.MonkeyPatch.context() as monkeypatch:
            if failure is None:
                write_bytes(path, data)
                expected = data
            else:
                full_disk(failure)(monkeypatch)
                with pytest.raises(OSError):
                    write_bytes(path, data)
        assert (path.read_bytes() if path.exists() else None) == expected
        assert only_file(folder) == ([] if expected is None else ["state.bin"])
