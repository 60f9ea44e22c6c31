"""Every failure of `tracegrad` is one line on stderr and exit code 2 (1: dot missing).

Arguments and paths are refused before any work; files are left behind only when the
work succeeded; infinities and NaNs are never printed as results.
"""

from __future__ import annotations

import errno
import io
import os
import resource
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import nn
from viz.cli import main
from viz.cli.usage import check_network_size, error_line

CLI = sys.modules["viz.cli.main"]  # the module: viz.cli.main is also the function's name
REPO = Path(__file__).parents[2]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def fails(
    args: list[str], capsys: pytest.CaptureFixture[str], message: str = "", code: int = 2
) -> str:
    """Run `args`, check they fail cleanly with `code`, and return the error line."""
    got, out, err = run(args, capsys)
    assert got == code, (out, err)
    assert err.startswith("tracegrad: error: ") and err.endswith("\n"), err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert message in err, err
    return err


def never(*args: object, **kwargs: object) -> Any:
    raise AssertionError("the work started before the arguments were checked")


def chain(n: int) -> str:
    return "+".join(["x"] * n)


# ------------------------------------------------------------------------ graph


def test_the_101_term_chain_is_refused_quickly_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = time.perf_counter()
    fails(["graph", chain(101), "x=1", "-o", str(tmp_path / "f.svg")], capsys, "10,200 ranks")
    assert time.perf_counter() - start < 5.0
    assert list(tmp_path.iterdir()) == []


def test_edge_labels_and_step_through_pages_count_double(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The limits the error message quotes: 38 terms, or 27 with edge labels.
    assert main(["graph", chain(38), "x=1", "-o", str(tmp_path / "a.dot")]) == 0
    fails(["graph", chain(39), "x=1", "-o", str(tmp_path / "b.dot")], capsys, "up to 38 terms")
    assert main(["graph", chain(27), "x=1", "-o", str(tmp_path / "a.dot"), "--local-grads"]) == 0
    capsys.readouterr()
    labels = ["-o", str(tmp_path / "b.dot"), "--local-grads"]
    fails(["graph", chain(28), "x=1", *labels], capsys, "-o: Graphviz would take too long")
    fails(["graph", chain(28), "x=1", "--steps", str(tmp_path / "s.html")], capsys, "--steps:")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.dot"]


def test_too_many_nodes_is_refused_in_the_command_lines_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "+".join(f"x{i}" for i in range(260))
    values = [f"x{i}=1" for i in range(260)]
    fails(["graph", text, *values, "-o", str(tmp_path / "f.svg")], capsys, "more than 500 nodes")


@pytest.mark.parametrize(
    "args",
    [
        ["x*x", "x=1e200"],
        ["exp(x)*exp(x)", "x=700"],
        ["1/x-1/x", "x=1e-308"],
        ["x/y", "x=1e300", "y=1e-5"],
        ["x**y", "x=10", "y=400"],
    ],
)
def test_overflows_are_one_line_errors_and_print_no_inf_or_nan(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["graph", *args], capsys)
    assert code == 2 and err.startswith("tracegrad: error: ") and err.count("\n") == 1
    assert "inf" not in out and "nan" not in out


class FakeLeaf:
    data, grad = 1.0, float("nan")


class FakeRoot:
    """What an engine that lets a NaN through would hand back."""

    data = 2.0

    def backward(self) -> None:
        pass


@pytest.mark.parametrize("where", ["value", "gradient"])
def test_a_non_finite_result_is_refused_even_if_the_engine_lets_it_through(
    where: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = FakeRoot()
    if where == "value":
        root.data = float("inf")
    monkeypatch.setattr(CLI, "build_expression", lambda *a: (root, {"x": FakeLeaf()}))
    err = fails(["graph", "x", "x=1"], capsys, f"the {where}")
    assert ("is inf" if where == "value" else "d/dx of 'x' at x=1 is nan") in err
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "error", [ZeroDivisionError("division by zero"), FloatingPointError("underflow")]
)
def test_any_arithmetic_error_becomes_one_line(
    error: ArithmeticError, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise error

    monkeypatch.setattr(CLI, "build_expression", broken)
    fails(["graph", "x", "x=1"], capsys, str(error))


@pytest.mark.dot
def test_control_characters_from_a_comment_show_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    svg, page = tmp_path / "f.svg", tmp_path / "s.html"
    expression = "(x # \x07 bell \x1b[2J\n)*2"
    code, out, err = run(["graph", expression, "x=1", "-o", str(svg), "--steps", str(page)], capsys)
    assert (code, err) == (0, "")
    assert "\x07" not in out and "\x1b" not in out and "# \\x07 bell \\x1b[2J\\n)*2 = 2" in out
    for text in (svg.read_text(encoding="utf-8"), page.read_text(encoding="utf-8")):
        assert "\\x07" in text and "\x07" not in text and "\x1b" not in text


def test_printed_paths_are_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "a\x1b[31m.dot"
    code, out, _ = run(["graph", "x*2", "x=1", "-o", str(out_file)], capsys)
    assert code == 0 and out_file.exists()
    assert "\x1b" not in out and "a\\x1b[31m.dot" in out


@pytest.mark.parametrize("precision", ["0", "18", "-3"])
def test_precision_is_checked_before_any_work(
    precision: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CLI, "build_expression", never)
    fails(["graph", "x", "x=1", "--precision", precision], capsys, "--precision must be")


def test_bad_options_are_one_line_errors_not_usage_dumps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    fails(["graph", "x", "x=1", "--precision", "1e3"], capsys, "invalid int value: '1e3'")
    fails(["train", "--epochs"], capsys, "expected one argument")
    fails(["train", "--data", "mnist"], capsys, "invalid choice: 'mnist'")
    fails(["nosuchcommand"], capsys, "(see `tracegrad --help`)")


# -------------------------------------------------------------- output paths


def symlink_to_nowhere(folder: Path, name: str) -> Path:
    link = folder / name
    link.symlink_to(folder / "missing" / "target")
    return link


def made(path: Path, kind: str) -> Path:
    if kind == "folder":
        path.mkdir()
    else:
        path.touch()
    return path


# Each makes a bad path in folder d, with the extension s the option asks for.
BAD_OUTPUTS = {
    "folder": (lambda d, s: made(d / f"pic{s}", "folder"), "it is a folder, not a file"),
    "dangling": (lambda d, s: symlink_to_nowhere(d, f"pic{s}"), "symbolic link to a missing"),
    "long-name": (lambda d, s: d / ("n" * 300 + s), "is longer than 255 bytes"),
    "long-path": (lambda d, s: d / ("d/" * 2100 + f"f{s}"), "bytes long, more than"),
    "nul": (lambda d, s: d / f"nul\x00{s}", "contains a NUL character"),
    "surrogate": (lambda d, s: d / f"bad\ud800{s}", "is not a valid file name"),
    "no-folder": (lambda d, s: d / "missing" / f"pic{s}", "does not exist"),
    "file-as-folder": (lambda d, s: made(d / "file", "file") / f"pic{s}", "is not a folder"),
    "suffix": (lambda d, s: d / "pic.jpg", "must end in ."),
}


@pytest.mark.parametrize(("option", "suffix"), [("-o", ".svg"), ("--steps", ".html")])
@pytest.mark.parametrize("bad", BAD_OUTPUTS)
def test_graph_output_paths_are_checked_before_any_work(
    bad: str,
    option: str,
    suffix: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make, message = BAD_OUTPUTS[bad]
    path = make(tmp_path, suffix)
    monkeypatch.setattr(CLI, "build_expression", never)
    fails(["graph", "x", "x=1", option, str(path)], capsys, message)


def test_a_special_file_is_not_an_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.svg"
    os.mkfifo(fifo)
    fails(["graph", "x", "x=1", "-o", str(fifo)], capsys, "not a regular file")


def test_a_read_only_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The check asks os.access, which says yes to root for any folder: pretend otherwise.
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != tmp_path and real(p, mode))
    fails(["graph", "x", "x=1", "-o", str(tmp_path / "f.svg")], capsys, "no permission")
    fails(["train", "-o", str(tmp_path / "new")], capsys, "no permission")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only folders")
def test_a_truly_read_only_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tmp_path.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        fails(["graph", "x", "x=1", "-o", str(tmp_path / "f.svg")], capsys, "no permission")
    finally:
        tmp_path.chmod(stat.S_IRWXU)


def test_a_write_error_becomes_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "f.dot"))

    monkeypatch.setattr(CLI, "render", disk_full)
    err = fails(["graph", "x", "x=1", "-o", str(tmp_path / "f.dot")], capsys)
    assert err == f"tracegrad: error: No space left on device: '{tmp_path / 'f.dot'}'\n"


def test_a_file_too_large_for_the_disk_fails_cleanly_in_a_real_process(tmp_path: Path) -> None:
    def small_files() -> None:  # writes past 100 bytes fail, as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))

    out = tmp_path / "f.dot"
    result = subprocess.run(
        [sys.executable, "-m", "viz.cli", "graph", "(x+y)*z", "x=1", "y=2", "z=3", "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        preexec_fn=small_files,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("tracegrad: error: File too large")
    assert result.stderr.count("\n") == 1


def test_a_failed_picture_leaves_no_new_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from viz.draw import DotTimeoutError

    def slow(*args: object, **kwargs: object) -> None:
        raise DotTimeoutError("dot was stopped")

    monkeypatch.setattr("viz.slides.save_steps", slow)
    svg, page = tmp_path / "f.dot", tmp_path / "s.html"
    fails(["graph", "x*2", "x=1", "-o", str(svg), "--steps", str(page)], capsys, "stopped")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def fake_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    return folder / "dot"


def make_script(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_a_hanging_dot_times_out_with_a_hint(
    fake_dot: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_script(fake_dot, "exec sleep 60")
    monkeypatch.setenv("TRACEGRAD_DOT_TIMEOUT", "0.5")
    start = time.perf_counter()
    fails(["graph", "x*2", "x=1", "-o", str(tmp_path / "f.svg")], capsys, "TRACEGRAD_DOT_TIMEOUT")
    assert time.perf_counter() - start < 5.0
    assert not (tmp_path / "f.svg").exists()


def test_a_failing_dot_is_an_error_of_the_input(
    fake_dot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_script(fake_dot, 'echo "Error: trouble" >&2; exit 1')
    fails(["graph", "x*2", "x=1", "-o", str(tmp_path / "f.png")], capsys, "Error: trouble")


def test_a_bad_time_limit_variable_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACEGRAD_DOT_TIMEOUT", "soon")
    fails(["graph", "x*2", "x=1", "-o", str(tmp_path / "f.svg")], capsys, "'soon'")


def test_an_unencodable_terminal_is_a_clean_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    fails(["graph", "é*2", "é=1"], capsys, "'ascii' codec can't encode")


@pytest.mark.parametrize(
    "error",
    [
        subprocess.CalledProcessError(1, ["dot"], stderr=b"Error: bad\nmore"),
        subprocess.TimeoutExpired(["dot"], 5),
    ],
)
def test_failures_of_programs_run_by_libraries_are_one_line(
    error: Exception, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise error

    monkeypatch.setattr(CLI, "build_expression", broken)
    fails(["graph", "x", "x=1"], capsys, "'dot'")


def test_running_out_of_memory_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def huge(*args: object) -> None:
        raise MemoryError

    monkeypatch.setattr(CLI, "build_expression", huge)
    fails(["graph", "x", "x=1"], capsys, "ran out of memory")


def test_a_missing_plot_package_exits_1_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real(name)
    )
    monkeypatch.setattr(nn, "fit", never)
    fails(["train", "-o", str(tmp_path)], capsys, "pip install matplotlib", code=1)


# ------------------------------------------------------------------- perceptron


def test_huge_features_overflow_into_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "big.csv"
    csv.write_text("a,b,label\n1e300,1e300,1\n-1e300,-1e300,-1\n1e300,-1e300,-1\n")
    fails(["perceptron", "--data", str(csv)], capsys, "scale the features down")


def test_an_existing_file_as_output_folder_is_refused_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("mine")
    monkeypatch.setattr(nn.Perceptron, "fit", never)
    monkeypatch.setattr(nn, "fit", never)
    monkeypatch.setattr("viz.cli.demo.demo", never)
    for command in (["perceptron"], ["train"], ["demo"]):
        fails([*command, "-o", str(taken)], capsys, "is a file, not a folder")
    fails(["train", "-o", str(taken / "sub")], capsys, "taken' is a file, not a folder")
    assert taken.read_text() == "mine"


def test_a_folder_where_an_output_file_goes_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "model.json").mkdir()
    (tmp_path / "demo" / "mlp").mkdir(parents=True)
    (tmp_path / "demo" / "mlp" / "mlp_graph.svg").mkdir()
    (tmp_path / "p" / "perceptron_boundary.png").mkdir(parents=True)
    monkeypatch.setattr(nn, "fit", never)
    monkeypatch.setattr("viz.cli.demo.demo", never)
    fails(["train", "-o", str(tmp_path)], capsys, "model.json': it is a folder, not a file")
    fails(["demo", "-o", str(tmp_path / "demo")], capsys, "mlp_graph.svg")
    fails(["perceptron", "-o", str(tmp_path / "p")], capsys, "perceptron_boundary.png")
    symlink_to_nowhere(tmp_path, "gone")
    fails(["train", "-o", str(tmp_path / "gone")], capsys, "symbolic link to a missing folder")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: (d / "f.csv").mkdir() or d / "f.csv", "is a folder, not a file"),
        (lambda d: os.mkfifo(d / "f.csv") or d / "f.csv", "is not a regular file"),
        (lambda d: (d / "f.csv").write_bytes(b"a,b\n\xff\xfe,1\n") and d / "f.csv", "not UTF-8"),
        (lambda d: d / "missing.csv", "does not exist"),
    ],
    ids=["folder", "fifo", "not-utf8", "missing"],
)
def test_bad_data_files_are_refused_without_waiting(
    make: Any, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fails(["perceptron", "--data", str(make(tmp_path))], capsys, message)


def test_a_csv_with_many_problems_is_still_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text("a,b,label\nx,1,1\n2,y,-1\n")
    err = fails(["perceptron", "--data", str(csv)], capsys, "2 problem(s): line 2")
    assert "; line 3" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--epochs", "0"], "--epochs must be a whole number from 1 to 100,000"),
        (["--epochs", "1000000"], "--epochs must be"),
        (["--initial-weights", "inf,0,0"], "--initial-weights must be finite numbers"),
        (["--initial-weights", "nan,0,0"], "--initial-weights must be finite numbers"),
    ],
)
def test_perceptron_numbers_are_checked(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fails(["perceptron", *args], capsys, message)


# ------------------------------------------------------------------------ train


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hidden", "inf"], "--hidden must be whole numbers from 1 to 10,000"),
        (["--hidden", "1e9"], "got '1e9'"),
        (["--hidden", "16.5,16"], "got '16.5,16'"),
        (["--hidden", "99999999999"], "--hidden must be"),
        (["--hidden", ""], "--hidden must be"),
        (["--hidden", "9" * 5000], "--hidden must be"),
        (["--hidden", ",".join(["2"] * 21)], "at most 20 layers"),
        (["--hidden", "5000,5000"], "25,030,002 parameters, more than 200,000"),
        (["--hidden", "1000", "--samples", "10000"], "each training step would build"),
        (["--samples", "1"], "--samples must be a whole number from 2"),
        (["--data", "xor", "--samples", "3"], "--samples must be a whole number from 4"),
        (["--samples", "1000000"], "to 100,000, got 1000000"),
        (["--epochs", "0"], "--epochs must be"),
        (["--lr", "inf"], "--lr must be a number above 0 and at most 100, got inf"),
        (["--lr", "nan"], "got nan"),
        (["--lr", "0"], "got 0.0"),
        (["--lr", "-1"], "got -1.0"),
        (["--lr", "1e9"], "at most 100"),
        (["--batch-size", "0"], "--batch-size must be a whole number from 1 to 100"),
        (["--batch-size", "101"], "--batch-size must be"),
        (["--resolution", "1"], "--resolution must be a whole number from 2 to 500"),
        (["--resolution", "501"], "--resolution must be"),
        (["--activation", "swish"], "unknown --activation 'swish'"),
    ],
)
def test_train_arguments_are_checked_before_any_work(
    args: list[str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(nn, "fit", never)
    monkeypatch.setattr(nn, "MLP", never)
    fails(["train", *args, "-o", str(tmp_path / "out")], capsys, message)
    assert not (tmp_path / "out").exists()


def test_the_memory_bound_allows_the_usual_networks() -> None:
    check_network_size(2, [16, 16], 2, 100)  # the defaults
    check_network_size(2, [64, 64], 3, 400)  # 4,547 parameters x 400 points
    check_network_size(2, [128, 128], 3, 100)  # wider than any example in the README


def test_a_diverging_training_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def overflow(*args: object, **kwargs: object) -> None:
        raise OverflowError("'*' overflows for Value(data=1e+200)")

    monkeypatch.setattr(nn, "fit", overflow)
    out = tmp_path / "new" / "out"
    fails(["train", "--samples", "10", "-o", str(out)], capsys, "training diverged: '*' overflows")
    assert list(tmp_path.iterdir()) == []


def test_a_nan_loss_is_refused_not_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nn, "fit", lambda *a, **k: nn.History(loss=[1.0, float("nan")]))
    code, out, err = run(["train", "--samples", "10", "-o", str(tmp_path / "o")], capsys)
    assert code == 2 and "the loss became nan" in err and "nan" not in out
    assert not (tmp_path / "o").exists()


def test_a_failure_while_writing_removes_the_new_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from matplotlib.figure import Figure

    def full(self: Figure, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Figure, "savefig", full)
    out = tmp_path / "out"
    args = ["train", "--samples", "10", "--hidden", "2", "--epochs", "1", "--resolution", "5"]
    fails([*args, "-o", str(out)], capsys, "No space left on device")
    assert list(tmp_path.iterdir()) == []  # model.json and history.json were removed again


def test_the_progress_bar_stays_off_when_stderr_is_not_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["train", "--samples", "10", "--hidden", "2", "--epochs", "2", "--resolution", "5"]
    code, _, err = run([*args, "-o", str(tmp_path)], capsys)
    assert (code, err) == (0, "")


# ------------------------------------------------------------------------- demo


@pytest.mark.parametrize("epochs", ["0", "10001"])
def test_demo_epochs_are_checked_first(
    epochs: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("viz.cli.demo.demo", never)
    fails(["demo", "--epochs", epochs, "-o", str(tmp_path)], capsys, "--epochs must be")


def test_a_demo_that_fails_halfway_leaves_no_new_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail_in_training(*args: object, **kwargs: object) -> None:
        raise OverflowError("overflow in training")

    monkeypatch.setattr("viz.cli.demo._mlp", fail_in_training)
    fails(["demo", "-o", str(tmp_path / "demo")], capsys, "overflow in training")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------- the message


def test_error_lines_are_single_printable_lines() -> None:
    assert error_line(ValueError("a\nb\n\nc\x07")) == "a b; c\\x07"
    assert error_line(ValueError("")) == "ValueError"
    assert error_line(OSError(errno.EXDEV, "Cross-device link", "a", None, "b")) == (
        "Cross-device link: 'a' -> 'b'"
    )
    assert error_line(TimeoutError("dot was stopped")) == "dot was stopped"


def test_ctrl_c_during_train_is_one_line_exit_130_and_leaves_no_file(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "viz.cli", "train", "--epochs", "5000", "-o", "out"]
    proc = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    proc.stdout.readline()  # "training MLP(...)": training has started
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err == "tracegrad: interrupted\n"
    assert os.listdir(tmp_path) == []


def test_a_perceptron_run_that_would_take_minutes_is_refused_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.csv"
    path.write_text("".join(f"{i * 0.01},{i * 7 % 13},c{i}\n" for i in range(200)))
    started = time.perf_counter()
    assert main(["perceptron", "--data", str(path)]) == 2
    assert time.perf_counter() - started < 5
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "lower --epochs to 176 or less" in err


def test_a_perceptron_csv_over_the_size_bound_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "big.csv"
    with open(path, "wb") as f:
        f.truncate(10_000_001)  # sparse: no disk used, and never read
    assert main(["perceptron", "--data", str(path)]) == 2
    assert "is 10,000,001 bytes, more than the 10,000,000" in capsys.readouterr().err


def test_the_printed_trace_is_bounded_in_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.csv"
    path.write_text("".join(f"{i * 0.01},{i * 7 % 13},c{i}\n" for i in range(100)))
    assert main(["perceptron", "--data", str(path), "--epochs", "3", "--trace"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") < 10_000 + 200 and "more visits, not kept (max_trace=100)" in out


def test_a_training_run_of_hours_is_refused_before_it_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["train", "--samples", "5000", "--epochs", "100000", "--batch-size", "100"]
    argv += ["-o", str(tmp_path / "o")]
    started = time.perf_counter()
    assert main(argv) == 2
    assert time.perf_counter() - started < 5
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "more than the 200,000,000 (about 1.5 minutes)" in err
    assert "lower --epochs to 112 or less" in err and not (tmp_path / "o").exists()
