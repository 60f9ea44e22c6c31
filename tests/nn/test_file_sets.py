"""A set of files (a step-through's frames) is written whole or not at all (issue 24)."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from nn.files import write_file_set

STEPS = r"step-[0-9]+[.]png"


def frames(n: int, tag: bytes = b"new") -> dict[str, bytes]:
    return {f"step-{k:02d}.png": tag + b"%d" % k for k in range(1, n + 1)}


def test_a_new_folder_appears_whole(tmp_path: Path) -> None:
    write_file_set(tmp_path / "fr", frames(3), replaces=STEPS)
    assert sorted(os.listdir(tmp_path)) == ["fr"]  # no temporary folder left beside it
    assert sorted(os.listdir(tmp_path / "fr")) == list(frames(3))


def test_a_folder_in_the_way_of_one_frame_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "fr" / "step-05.png").mkdir(parents=True)
    with pytest.raises(IsADirectoryError, match=r"step-05\.png"):
        write_file_set(tmp_path / "fr", frames(6), replaces=STEPS)
    assert os.listdir(tmp_path / "fr") == ["step-05.png"]


def test_a_rerun_with_fewer_frames_leaves_no_stale_frames(tmp_path: Path) -> None:
    folder = tmp_path / "fr"
    write_file_set(folder, frames(11, b"old"), replaces=STEPS)
    (folder / "notes.txt").write_text("mine")
    (folder / "step-100.png").write_bytes(b"from a run of 100 frames")
    write_file_set(folder, frames(4), replaces=STEPS)
    assert sorted(os.listdir(folder)) == sorted([*frames(4), "notes.txt"])
    assert (folder / "step-01.png").read_bytes() == b"new1"


@pytest.mark.parametrize("new_folder", [True, False])
def test_a_full_disk_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_folder: bool
) -> None:
    folder = tmp_path / "fr"
    if not new_folder:
        write_file_set(folder, frames(2, b"old"), replaces=STEPS)
    before = {p.name: p.read_bytes() for p in folder.iterdir()} if not new_folder else None
    real_fsync, calls = os.fsync, []

    def fsync(fd: int) -> Any:
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OSError, match="No space"):
        write_file_set(folder, frames(5), replaces=STEPS)
    if new_folder:
        assert os.listdir(tmp_path) == []
    else:
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
