"""Graphviz never hangs: slow layouts are refused before `dot` runs, and `dot` has a time limit."""

from __future__ import annotations

import os
import stat
import subprocess
import time
from pathlib import Path

import pytest

import engine
from engine import Value
from nn import MLP, cross_entropy
from viz import DotFailedError, DotTimeoutError, GraphTooLargeError, layer_groups
from viz.draw import draw_graph, pipe, render
from viz.layout import (
    DEFAULT_DOT_TIMEOUT,
    MAX_EDGE_SEGMENTS,
    TIMEOUT_VARIABLE,
    check_layout,
    dot_timeout,
    edge_segments,
)
from viz.steps import backward_steps
from viz.walk import walk


def chain(n: int) -> Value:
    """x + x + ... + x with n terms: the expression that kept dot busy for ten minutes."""
    x = Value(1.0, "x")
    v = x
    for _ in range(n - 1):
        v = v + x
    return v


def test_an_edge_counts_the_ranks_it_skips() -> None:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    assert edge_segments(walk(x * y)) == 3  # two edges into the op, one out of it
    # x+x+x: x feeds the first + twice, then the second + three ranks further on.
    assert edge_segments(walk(chain(3))) == 2 + 1 + 1 + 3 + 1


def test_an_input_used_late_sits_next_to_its_use() -> None:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    assert edge_segments(walk(((x + 1) + 1) * y)) == 7  # y's edge is as short as the rest


def test_chains_that_reuse_a_variable_grow_quadratically() -> None:
    # x feeds the k-th + from 2k-1 ranks away: (n-1)^2 in all, plus the chain's own edges.
    for n in (10, 40, 101):
        assert edge_segments(walk(chain(n))) == (n - 1) ** 2 + 1 + (n - 1) + (n - 2)


def test_edge_labels_double_the_count() -> None:
    view = walk(chain(5))
    assert edge_segments(view, labelled=True) == 2 * edge_segments(view)


def test_grouped_graphs_are_counted_too() -> None:
    model = MLP(2, [4, 2], seed=0)
    logits, groups = layer_groups(model, [Value(0.5, "a"), Value(-0.3, "b")])
    loss = cross_entropy(logits, 1)
    assert 0 < edge_segments(walk(loss, groups=groups)) < edge_segments(walk(loss))


def test_the_101_term_chain_is_refused_at_once_before_dot_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_dot(*args: object, **kwargs: object) -> None:
        raise AssertionError("dot must not run")

    monkeypatch.setattr(subprocess, "run", no_dot)
    start = time.perf_counter()
    with pytest.raises(GraphTooLargeError, match=r"cross about 10,200 ranks .* draw a smaller"):
        render(chain(101), tmp_path / "f.svg")
    assert time.perf_counter() - start < 2.0
    assert list(tmp_path.iterdir()) == []


def test_layout_refusal_is_one_line_that_says_how_to_draw_less() -> None:
    with pytest.raises(GraphTooLargeError) as info:
        draw_graph(chain(60))
    message = str(info.value)
    assert "\n" not in message
    assert f"more than the {MAX_EDGE_SEGMENTS:,}" in message
    assert "groups=" in message and "max_edge_segments" in message


def test_edge_labels_can_tip_a_graph_over_the_limit() -> None:
    root = chain(30)
    root.backward()
    draw_graph(root)  # 899 segments
    with pytest.raises(GraphTooLargeError, match="edge labels double it"):
        draw_graph(root, show_local_grads=True)


def test_the_limit_can_be_raised_or_lowered() -> None:
    draw_graph(chain(60), max_edge_segments=10_000)
    with pytest.raises(GraphTooLargeError):
        draw_graph(chain(4), max_edge_segments=5)
    with pytest.raises(ValueError, match="max_edge_segments must be a positive int, got 0"):
        check_layout(walk(chain(2)), max_edge_segments=0)


def test_the_step_through_refuses_slow_frames_before_dot_runs() -> None:
    root = chain(30)  # 30 nodes: under the step-through's 80, but its frames carry labels
    with pytest.raises(GraphTooLargeError, match="ranks"):
        backward_steps(root)


def test_wide_and_realistic_graphs_are_not_refused() -> None:
    model = MLP(2, [16, 16, 2], seed=0)
    loss = cross_entropy(model([Value(0.5, "a"), Value(-0.3, "b")]), 1)
    loss.backward()
    draw_graph(loss)  # 429 boxes
    draw_graph(engine.sum([Value(float(i)) for i in range(499)]))  # fan-in of 499
    draw_graph(chain(38))  # the longest x+x+...+x that is drawn


# ----------------------------------------------------------------------- time limit


def test_the_time_limit_defaults_to_20_seconds_and_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(TIMEOUT_VARIABLE, raising=False)
    assert dot_timeout() == DEFAULT_DOT_TIMEOUT == 20.0
    monkeypatch.setenv(TIMEOUT_VARIABLE, " 2.5 ")
    assert dot_timeout() == 2.5
    assert dot_timeout(7) == 7.0  # an argument wins


@pytest.mark.parametrize("text", ["soon", "0", "-1", "inf", "nan"])
def test_a_bad_time_limit_in_the_environment_names_the_variable(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TIMEOUT_VARIABLE, text)
    with pytest.raises(ValueError, match=f"{TIMEOUT_VARIABLE} must be a positive number .*{text}"):
        dot_timeout()


@pytest.mark.parametrize("bad", [0, -1.0, float("inf"), float("nan"), True, "5"])
def test_a_bad_timeout_argument_is_refused(bad: object) -> None:
    with pytest.raises((ValueError, TypeError), match="timeout"):
        dot_timeout(bad)  # type: ignore[arg-type]


@pytest.fixture
def fake_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put a `dot` script first on PATH; tests write what it does into it."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "dot"
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    return script


def make_script(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_a_dot_that_hangs_is_stopped_at_the_time_limit(fake_dot: Path) -> None:
    make_script(fake_dot, "exec sleep 60")
    start = time.perf_counter()
    with pytest.raises(DotTimeoutError, match=r"after 0\.5 s and was stopped.*TRACEGRAD_DOT"):
        pipe(draw_graph(chain(2)), "svg", timeout=0.5)
    assert time.perf_counter() - start < 5.0


def test_the_environment_variable_sets_the_limit_of_render(
    fake_dot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_script(fake_dot, "exec sleep 60")
    monkeypatch.setenv(TIMEOUT_VARIABLE, "0.3")
    with pytest.raises(DotTimeoutError, match=r"after 0\.3 s"):
        render(chain(2), tmp_path / "f.svg")
    assert not (tmp_path / "f.svg").exists()


def test_a_timeout_is_a_timeout_error() -> None:
    assert issubclass(DotTimeoutError, TimeoutError)


def test_a_failing_dot_says_what_dot_said_in_one_line(fake_dot: Path) -> None:
    make_script(fake_dot, 'printf "Error: out of crayons\\nmore detail\\n" >&2; exit 3')
    with pytest.raises(DotFailedError, match=r"\(exit code 3\): Error: out of crayons$"):
        pipe(draw_graph(chain(2)), "svg")


@pytest.mark.dot
def test_real_dot_is_stopped_on_a_graph_let_past_the_check() -> None:
    graph = draw_graph(chain(101), max_edge_segments=10**9)
    start = time.perf_counter()
    with pytest.raises(DotTimeoutError):
        pipe(graph, "svg", timeout=1.0)
    assert time.perf_counter() - start < 10.0


@pytest.mark.dot
def test_dot_syntax_errors_become_dot_failed_errors() -> None:
    import graphviz

    with pytest.raises(DotFailedError, match="syntax error"):
        pipe(graphviz.Source("digraph { a -> }"), "svg")  # type: ignore[arg-type]


def test_unknown_formats_are_refused_before_dot_runs() -> None:
    with pytest.raises(ValueError, match="unknown format 'nope'"):
        pipe(draw_graph(chain(2)), "nope")


@pytest.mark.dot
def test_dot_warnings_stay_out_of_the_terminal(capfd: pytest.CaptureFixture[str]) -> None:
    import graphviz

    pipe(graphviz.Source('digraph { a [shape="nosuchshape"] }'), "svg")  # type: ignore[arg-type]
    assert capfd.readouterr().err == ""
