"""Module.save and Module.load against real files: kills, full disks, hostile content."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn.files
from nn import MLP, Module, Neuron, StateDictError

REPO = Path(__file__).parents[2]
SIZES = [60, 60, 60, 2]  # 7,622 parameters: a 400 KB file, about 40 ms per save
TEMPORARY = re.compile(r"^\.model\.json\.tmp-[0-9a-f]{8}\.json$")
LONGEST_MESSAGE = 6000  # 20 problems of a few hundred characters, and the count of the rest

# Saves a model over argv[1] again and again ("loop"; "hold" stops for good just before
# the first rename), or once with files limited to 64 KB: a real failing write ("fsize").
CHILD = f"""
import os, sys, time
from nn import MLP
path, seed, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
model = MLP(2, {SIZES!r}, seed=seed)
if mode == "hold":
    def held(src, dst):
        print("renaming", flush=True)
        time.sleep(60)
    os.replace = held
if mode == "fsize":
    import resource, signal
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
    try:
        model.save(path)
    except OSError as e:
        print("failed", e.errno, flush=True)
    sys.exit(0)
print("saving", flush=True)
while True:
    model.save(path)
"""


def params(model: Module) -> list[float]:
    return [p.data for p in model.parameters()]


def start_child(path: Path, seed: int, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(seed), mode],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def read_line(child: subprocess.Popen[str], timeout: float = 20.0) -> str:
    assert child.stdout is not None
    ready, _, _ = select.select([child.stdout], [], [], timeout)
    if not ready:
        child.kill()
        pytest.fail(f"the child said nothing in {timeout} s")
    return child.stdout.readline().strip()


def kill(child: subprocess.Popen[str]) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    assert child.stdout is not None
    child.stdout.close()


def strays(folder: Path) -> list[str]:
    """Files other than model.json; each must be a recognisable temporary file."""
    others = sorted(p.name for p in folder.iterdir() if p.name != "model.json")
    assert all(TEMPORARY.match(name) for name in others), others
    return others


@pytest.fixture
def old_model(tmp_path: Path) -> tuple[Path, MLP, bytes]:
    model = MLP(2, SIZES, seed=1)
    path = tmp_path / "model.json"
    model.save(path)
    return path, model, path.read_bytes()


# ------------------------------------------------------------------ killed mid-save


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and select on pipes are POSIX")
@pytest.mark.parametrize("delay", [0.02, 0.07, 0.13])
def test_a_save_killed_at_any_moment_leaves_the_old_or_the_new_model(
    old_model: tuple[Path, MLP, bytes], delay: float
) -> None:
    path, old, _ = old_model
    new = MLP(2, SIZES, seed=2)
    child = start_child(path, seed=2, mode="loop")  # saves `new` over and over
    assert read_line(child) == "saving"
    time.sleep(delay)  # lands somewhere in the first few saves: serializing, writing, renaming
    kill(child)
    loaded = params(MLP(2, SIZES, seed=3).load(path))
    assert loaded in (params(old), params(new))
    strays(path.parent)  # a temporary file may be left: never under the target's name


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and select on pipes are POSIX")
def test_a_save_killed_just_before_its_rename_leaves_the_old_file_byte_for_byte(
    old_model: tuple[Path, MLP, bytes],
) -> None:
    path, _, before = old_model
    child = start_child(path, seed=2, mode="hold")
    assert read_line(child) == "saving"
    assert read_line(child, timeout=10) == "renaming"  # the new file is written and synced
    kill(child)
    assert path.read_bytes() == before
    (stray,) = strays(path.parent)
    # What was left behind is the whole new model, under a name of its own.
    assert json.loads((path.parent / stray).read_text())["type"] == "MLP"


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE is POSIX")
def test_a_write_that_really_fails_midway_keeps_the_old_file(
    old_model: tuple[Path, MLP, bytes],
) -> None:
    path, _, before = old_model
    child = start_child(path, seed=2, mode="fsize")
    assert read_line(child) == f"failed {errno.EFBIG}"  # after 64 KB of the 400 KB
    child.wait(timeout=10)
    assert child.stdout is not None
    child.stdout.close()
    assert path.read_bytes() == before
    assert strays(path.parent) == []


# ------------------------------------------------------------------ failing saves


def test_a_full_disk_keeps_the_old_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "model.json"
    Neuron(3, seed=1).save(path)
    before = path.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(nn.files.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        Neuron(3, seed=2).save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_a_non_finite_weight_is_refused_and_the_old_file_kept_byte_for_byte(
    tmp_path: Path, bad: float
) -> None:
    path = tmp_path / "model.json"
    model = Neuron(3, seed=1)
    model.save(path)
    before = path.read_bytes()
    model.parameters()[1].data = bad
    with pytest.raises(ValueError, match=rf"parameter 'w2' is {bad!r}; .*file was not touched"):
        model.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_a_failed_first_save_creates_no_file(tmp_path: Path) -> None:
    model = Neuron(2)
    for p in model.parameters():
        p.data = float("nan")
    with pytest.raises(ValueError, match=r"'w1' is nan, 'w2' is nan, 'w0' is nan"):
        model.save(tmp_path / "model.json")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ hostile files


def load_problems(path: Path) -> list[str]:
    model = Neuron(2, "linear")
    before = params(model)
    with pytest.raises(StateDictError) as info:
        model.load(path)
    assert params(model) == before
    assert len(str(info.value)) < LONGEST_MESSAGE + len(str(path))
    return info.value.problems


def state_text(**parameters: str) -> str:
    numbers = ", ".join(f'"{name}": {text}' for name, text in parameters.items())
    config = '{"n_in": 2, "activation": "linear"}'
    return f'{{"type": "Neuron", "config": {config}, "parameters": {{{numbers}}}}}'


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (state_text(**{"w0": "1" + "0" * 400, "w1": "0", "b": "0"}), "too large for a float"),
        (state_text(**{"w0": "1" * 5000, "w1": "0", "b": "0"}), "integer of over 4300 digits"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"a": ' * 50_000 + "1" + "}" * 50_000, "nested too deeply"),
        (b'{"type": "Neuron\xff"}', "not UTF-8 text (byte 0xff at offset 16)"),
        (b"\xfe\xff\x00{", "not UTF-8 text (byte 0xfe at offset 0)"),
        ("", "not valid JSON"),
        ("\ufeff{}", "not valid JSON"),
        ("[1, 2]", "expected a JSON object, got [1, 2]"),
        ("null", "expected a JSON object, got None"),
        ('"model"', "expected a JSON object, got 'model'"),
        ("3.5", "expected a JSON object, got 3.5"),
    ],
    ids=[
        "401-digit int",
        "5000-digit int",
        "deep list",
        "deep object",
        "bad byte",
        "utf-16",
        "empty",
        "bom",
        "list",
        "null",
        "string",
        "number",
    ],
)
def test_any_content_gives_one_state_dict_error(
    tmp_path: Path, content: str | bytes, expected: str
) -> None:
    path = tmp_path / "model.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    problems = load_problems(path)
    assert any(expected in p for p in problems), problems


def test_a_folder_is_a_state_dict_error(tmp_path: Path) -> None:
    assert load_problems(tmp_path) == ["it is a folder, not a model file"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "model.json"
    os.mkfifo(pipe)
    done = threading.Event()

    def unblock() -> None:  # should load() wait for a writer, be one: fail, don't hang
        while not done.wait(0.05):
            try:
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:  # no reader yet
                continue
            return

    helper = threading.Thread(target=unblock, daemon=True)
    helper.start()
    try:
        assert load_problems(pipe) == ["it is not a regular file (a pipe or a device?)"]
    finally:
        done.set()
        helper.join()


def test_a_link_loop_and_a_nul_byte_are_state_dict_errors(tmp_path: Path) -> None:
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    assert load_problems(loop)[0].startswith("cannot read it (")
    with pytest.raises(StateDictError, match="cannot read it"):
        Neuron(2).load(str(tmp_path / "a\0b.json"))


def test_a_dangling_link_is_file_not_found(tmp_path: Path) -> None:
    link = tmp_path / "model.json"
    link.symlink_to(tmp_path / "gone.json")
    with pytest.raises(FileNotFoundError):
        Neuron(2).load(link)


def test_twenty_thousand_unknown_keys_give_a_short_message(tmp_path: Path) -> None:
    state = Neuron(2, "linear").state_dict()
    state["parameters"].update({f"extra.{i}": 0.0 for i in range(20_000)})
    path = tmp_path / "model.json"
    path.write_text(json.dumps(state))
    problems = load_problems(path)
    assert len(problems) == 20_000  # every problem is kept ...
    with pytest.raises(StateDictError) as info:
        Neuron(2, "linear").load(path)
    lines = str(info.value).splitlines()
    assert len(lines) == 1 + 20 + 1  # ... and the message shows the first 20
    assert lines[-1] == "  ... and 19980 more"


def test_huge_keys_and_values_are_shortened_in_the_message(tmp_path: Path) -> None:
    state: dict[str, Any] = Neuron(2, "linear").state_dict()
    state["type"] = "T" * 1_000_000
    state["config"]["activation"] = ["x" * 1000] * 1000
    state["parameters"]["k" * 1_000_000] = 1.0
    state["parameters"]["b"] = "v" * 1_000_000
    path = tmp_path / "model.json"
    path.write_text(json.dumps(state))
    problems = load_problems(path)
    assert len(problems) == 4
    assert all(len(p) < 300 for p in problems), [len(p) for p in problems]


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**300, max_value=10**320)
    | st.floats()
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
STATES = st.fixed_dictionaries(
    {},
    optional={
        "format": JSON,
        "version": JSON,
        "type": st.sampled_from(["Neuron"]) | JSON,
        "config": st.fixed_dictionaries(
            {}, optional={"n_in": st.just(2) | JSON, "activation": st.just("linear") | JSON}
        )
        | JSON,
        "parameters": st.dictionaries(st.sampled_from(["w0", "w1", "b"]) | st.text(), JSON) | JSON,
    },
)


@given(state=STATES | JSON)
def test_any_json_loads_or_gives_one_short_state_dict_error(
    tmp_path_factory: pytest.TempPathFactory, state: Any
) -> None:
    path = tmp_path_factory.mktemp("json") / "model.json"
    path.write_text(json.dumps(state), encoding="utf-8")
    try:
        Neuron(2, "linear").load(path)
    except StateDictError as e:
        assert len(str(e)) < LONGEST_MESSAGE + len(str(path))


@given(data=st.binary(max_size=200))
def test_any_bytes_load_or_give_one_state_dict_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("bytes") / "model.json"
    path.write_bytes(data)
    with contextlib.suppress(StateDictError):
        Neuron(2, "linear").load(path)
