"""Fuzzing the command line: whatever the arguments, one clean line or success, never a hang.

Each property runs `viz.cli.main(argv)` in this process on generated arguments for
one subcommand (valid and broken expressions, numbers in and out of range, paths of
every awkward kind, in a fresh temporary folder) and checks the contract:

- the exit code is 0 or 2, or 1 only when `dot` or a Python package is missing;
- a failure prints exactly one line on stderr, starting "tracegrad: error:";
- a success prints nothing on stderr, and no value or gradient is inf or nan;
- no call takes longer than `HANG_SECONDS`.

matplotlib's `savefig` is replaced by a stub that writes a few bytes: drawing PNGs
costs a second per run and is tested elsewhere; everything before it runs for real,
`dot` included. The fast `ci` profile runs a few dozen inputs; for a long hunt:

    HYPOTHESIS_PROFILE=thorough .venv/bin/python -m pytest tests/viz/test_cli_fuzz.py -s

which also prints how many inputs were tried and how they ended.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import signal
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

from viz.cli import main
from viz.cli.expr import FUNCTIONS

HANG_SECONDS = 60
OUTCOMES = ("successes", "clean errors", "help", "tracebacks", "hangs")
TALLY: Counter[tuple[str, str]] = Counter()  # (command, outcome) -> inputs


@pytest.fixture(scope="module", autouse=True)
def _report_the_tally() -> Iterator[None]:
    yield
    for command in ("graph", "perceptron", "train", "demo", "?", "all"):
        counts = {
            o: sum(n for (c, o2), n in TALLY.items() if o2 == o and command in (c, "all"))
            for o in OUTCOMES
        }
        if any(counts.values()):
            shown = ", ".join(f"{o} {n}" for o, n in counts.items())
            print(f"\nfuzz {command}: {sum(counts.values())} inputs: {shown}", end="")
    print()


class Hang(Exception):
    """A call of main() ran past HANG_SECONDS."""


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def stop(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"main() ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _stub_savefig(self: Any, path: Any, *args: Any, **kwargs: Any) -> None:
    Path(path).write_bytes(b"\x89PNG stub")


def workspace(folder: Path) -> None:
    """Awkward things for generated paths to point at."""
    (folder / "dir.svg").mkdir()
    (folder / "dir.html").mkdir()
    (folder / "dir.csv").mkdir()
    (folder / "file.txt").write_text("keep me")
    (folder / "has_model").mkdir()
    (folder / "has_model" / "model.json").mkdir()
    (folder / "dangling.svg").symlink_to(folder / "nowhere" / "x")
    os.mkfifo(folder / "fifo.csv")
    (folder / "good.csv").write_text("a,b,label\n0,0,-1\n1,0,-1\n3,3,1\n4,3,1\n")
    (folder / "huge.csv").write_text(
        "a,b,label\n1e300,1e300,1\n-1e300,-1e300,-1\n1e300,-1e300,-1\n"
    )
    (folder / "bad.csv").write_text("a,b,label\nx,1,1\n2,,-1\n3\n")
    (folder / "latin1.csv").write_bytes(b"a,b,label\n\xe9,1,1\n")
    (folder / "three.csv").write_text("a,b,label\n0,0,a\n1,1,b\n5,5,c\n")


def check(argv: list[str]) -> None:
    """Run the command in a fresh folder and check the command line's contract."""
    command = argv[0] if argv and argv[0] in ("graph", "perceptron", "train", "demo") else "?"
    with (
        tempfile.TemporaryDirectory() as tmp,
        contextlib.chdir(tmp),
        mock.patch.object(Figure, "savefig", _stub_savefig),
        contextlib.redirect_stdout(io.StringIO()) as out,
        contextlib.redirect_stderr(io.StringIO()) as err,
    ):
        workspace(Path(tmp))
        try:
            with time_limit(HANG_SECONDS):
                code = main(argv)
        except Hang:
            TALLY[command, "hangs"] += 1
            raise
        except SystemExit as e:  # only --help exits, and with 0
            assert e.code == 0 and "usage: tracegrad" in out.getvalue(), argv
            TALLY[command, "help"] += 1
            return
        except BaseException:
            TALLY[command, "tracebacks"] += 1
            raise
    stdout, stderr = out.getvalue(), err.getvalue()
    if code == 0:
        assert stderr == "", (argv, stderr)
        _check_printed_numbers(stdout, argv)
        TALLY[command, "successes"] += 1
        return
    assert stderr.startswith("tracegrad: error: "), (argv, stderr)
    assert stderr.count("\n") == 1 and stderr.endswith("\n"), (argv, stderr)
    assert all(c.isprintable() for c in stderr[:-1]), (argv, stderr)
    if code == 1:
        assert "Graphviz" in stderr or "pip install" in stderr, (argv, stderr)
    else:
        assert code == 2, (argv, code, stderr)
    TALLY[command, "clean errors"] += 1


def _check_printed_numbers(stdout: str, argv: list[str]) -> None:
    for line in stdout.splitlines():
        if line.startswith(("value: ", "  d/d")):
            number = line.rsplit(" = ", 1)[1]
            assert math.isfinite(float(number)), (argv, line)
        assert "\x1b" not in line and "\x07" not in line, (argv, line)


# ----------------------------------------------------------------- expressions

NAMES = ("x", "y", "z", "w1", "é")
NUMBERS = ("0", "1", "2.5", "-3", "700", "1e300", "1e-308", "1e400", "0.0", "3j", "True")
COMMENTS = ("", "note", "\x07 bell", "\x1b[2J", "\t tab", "\u200b", "<b>&\"'")


def _binary(t: tuple[str, str, str]) -> str:
    return f"({t[0]}{t[1]}{t[2]})"


def _insert(t: tuple[str, int, str]) -> str:
    text, at, piece = t
    at %= len(text) + 1
    return text[:at] + piece + text[at:]


leaves = st.sampled_from(NAMES) | st.sampled_from(NUMBERS)
calls = st.sampled_from([*FUNCTIONS, "foo", "__import__", "eval", "x.real"])
well_formed = st.recursive(
    leaves,
    lambda inner: (
        st.tuples(
            inner, st.sampled_from(["+", "-", "*", "/", "**", "%", "//", "<", "@"]), inner
        ).map(_binary)
        | st.tuples(calls, inner).map(lambda t: f"{t[0]}({t[1]})")
        | inner.map(lambda c: f"-{c}")
        | st.tuples(inner, st.sampled_from(COMMENTS)).map(lambda t: f"({t[0]} # {t[1]}\n)")
    ),
    max_leaves=10,
)
PIECES = [*"()+*/.,'\"=[]{}:;\\\x00\x07\n ", "lambda", "**", "1e", "__", "é"]
expressions = (
    well_formed
    | well_formed
    | st.tuples(well_formed, st.integers(0, 200), st.sampled_from(PIECES)).map(_insert)
    | st.text(max_size=20)
    | st.integers(20, 120).map(lambda n: "+".join(["x"] * n))  # long chains for dot
)
VALUES = (*NUMBERS, "abc", "", "inf", "nan", "-inf", "1e309", "0x10", "1_0", " 2 ")
assignments = st.lists(
    st.tuples(st.sampled_from([*NAMES, "", "_x", "x y", "1x"]), st.sampled_from(VALUES)).map(
        lambda t: f"{t[0]}={t[1]}"
    )
    | st.sampled_from(["x", "=", "x==1"]),
    max_size=6,
)


@st.composite
def options(
    draw: st.DrawFn, table: dict[str, tuple[list[str | None], list[str | None]]]
) -> list[str]:
    """Options from `table` (option: (good values, bad values); None leaves it out).

    Mostly every value is good, or exactly one or two are bad, so both the work and
    each check are reached; sometimes everything goes.
    """
    names = list(table)
    n_bad = draw(st.sampled_from([0, 0, 1, 1, 2, len(names)]))
    bad = set(draw(st.permutations(names))[:n_bad])
    argv: list[str] = []
    for name in names:
        good, wrong = table[name]
        value = draw(st.sampled_from(wrong if name in bad and wrong else good))
        if value is not None:
            argv += [name, value]
    return argv


def flags(*names: str) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(names), unique=True)


# Paths are relative to the workspace of `workspace()`.
BAD_FILES = ["dir.svg", "dangling.svg", "missing/f.svg", "f.jpg", "file.txt/f.svg",
             "n" * 300 + ".svg", "nul\x00.svg", "", "fifo.csv"]  # fmt: skip
BAD_FOLDERS = ["file.txt", "file.txt/sub", "dangling.svg", "n" * 300, "fifo.csv", "nul\x00"]
GOOD_FOLDERS: list[str | None] = ["out", "out/deeper", "has_model/.."]


@st.composite
def graph_args(draw: st.DrawFn) -> list[str]:
    text = draw(expressions)
    used = [n for n in NAMES if re.search(rf"(?<![\wé]){n}(?![\wé])", text)]
    if draw(st.sampled_from([True, True, True, False])):  # a value for each name used
        values = [f"{n}={draw(st.sampled_from(NUMBERS[:4] * 3 + NUMBERS[4:8]))}" for n in used]
    else:
        values = draw(assignments)
    table: dict[str, tuple[list[str | None], list[str | None]]] = {
        "-o": ([None, "f.svg", "f.dot", "f.pdf"], BAD_FILES),
        "--steps": ([None, None, "s.html"], ["dir.html", "s.svg", "missing/s.html"]),
        "--precision": ([None, "1", "17"], ["0", "18", "x", "-1"]),
        "--rankdir": ([None, "TB"], ["XY", ""]),
    }
    extra = draw(options(table)) + draw(flags("--local-grads", "--forward-only"))
    if text.startswith("-"):  # else argparse takes it for an option
        return ["graph", *extra, "--", text, *values]
    return ["graph", text, *values, *extra]


perceptron_args = st.tuples(
    options(
        {
            "--data": (
                [None, "seed-example", "iris", "good.csv", "three.csv"],
                ["huge.csv", "bad.csv", "latin1.csv", "dir.csv", "fifo.csv", "missing.csv", ""],
            ),
            "--epochs": ([None, "1", "3"], ["0", "-1", "x", "1000000"]),
            "--initial-weights": ([None, "-1,0,0"], ["1,2", "inf,0,0", "nan,1,1", "a,b,c", ""]),
            "-o": ([None, *GOOD_FOLDERS], BAD_FOLDERS),
        }
    ),
    flags("--trace", "--average"),
).map(lambda t: ["perceptron", *t[0], *t[1]])

train_args = options(
    {
        "--data": ([None, "moons", "circles", "xor", "blobs", "spiral"], ["mnist"]),
        "--samples": (["4", "12"], ["1", "0", "x", "1000000"]),
        "--hidden": (["2", "3,2"], ["inf", "1e9", "0", "16.5", "5000,5000", "", "2,"]),
        "--activation": ([None, "relu", "sigmoid", "linear", "exp", "log", "step"], ["x"]),
        "--epochs": (["1", "2"], ["0", "x", "1000000"]),
        "--optimizer": ([None, "sgd"], ["rmsprop"]),
        "--lr": ([None, "0.1", "99"], ["1e9", "inf", "nan", "0", "-1"]),
        "--batch-size": ([None, "1", "3"], ["0", "1000"]),
        "--seed": ([None, "-5", "99999999999999999999"], ["x"]),
        "--resolution": (["2", "4"], ["1", "501", "x"]),
        "-o": (GOOD_FOLDERS, [*BAD_FOLDERS, "has_model"]),  # never left out: not the cwd
    }
).map(lambda argv: ["train", *argv])

# The demo takes seconds when it runs, and test_cli runs it: here it always gets
# at least one bad argument.
BAD_EPOCHS = ["0", "-1", "x", "10001", "1e3"]
demo_args = st.one_of(
    options({"--epochs": (BAD_EPOCHS, []), "-o": ([None, *GOOD_FOLDERS], BAD_FOLDERS)}),
    options({"--epochs": ([None, "1", *BAD_EPOCHS], []), "-o": (BAD_FOLDERS, [])}),
).map(lambda argv: ["demo", *argv])

WORDS = ["graph", "perceptron", "--epochs", "-o", "--hidden", "--", "-", "x=1", "--data"]
stray_args = st.lists(st.sampled_from(WORDS) | st.text(max_size=8), max_size=5).filter(
    lambda argv: not argv or argv[0] not in ("train", "demo")  # those would run for long
)


@given(graph_args())
def test_graph_fuzz(argv: list[str]) -> None:
    check(argv)


@given(perceptron_args)
def test_perceptron_fuzz(argv: list[str]) -> None:
    check(argv)


@given(train_args)
def test_train_fuzz(argv: list[str]) -> None:
    check(argv)


@given(demo_args)
def test_demo_fuzz(argv: list[str]) -> None:
    check(argv)


@given(stray_args)
def test_stray_arguments_fuzz(argv: list[str]) -> None:
    check(argv)


def test_the_checker_catches_tracebacks_and_second_lines() -> None:
    planted = mock.patch("viz.cli.main.run_graph", side_effect=KeyError("planted"))
    with planted, pytest.raises(KeyError):
        check(["graph", "x", "x=1"])
    TALLY["graph", "tracebacks"] -= 1  # planted here, not found by the fuzz

    def warns_then_fails(args: object) -> None:
        print("a warning", file=sys.stderr)
        raise ValueError("planted")

    with mock.patch("viz.cli.main.run_graph", warns_then_fails), pytest.raises(AssertionError):
        check(["graph", "x", "x=1"])
