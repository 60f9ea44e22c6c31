"""The trace records and the tables they print as."""

from __future__ import annotations

import dataclasses
import tracemalloc
import warnings

import pytest

from nn.perceptron import ConvergenceWarning, MulticlassPerceptron, Perceptron
from nn.perceptron.trace import (
    PerceptronStep,
    format_multiclass_trace,
    format_number,
    format_score,
    format_trace,
    format_vector,
)


@pytest.mark.parametrize(
    ("x", "text"),
    [(3.0, "3"), (-1.0, "-1"), (-0.0, "0"), (0.5, "0.5"), (1 / 3, "0.333333"), (1e20, "1e+20")],
)
def test_numbers_print_without_a_trailing_point_zero(x: float, text: str) -> None:
    assert format_number(x) == text


def test_vectors_and_scores_print_like_the_notes() -> None:
    assert format_vector([1.0, 3.0, 2.0]) == "[1, 3, 2]"
    assert format_score([0.0, 3.0, 2.0], [1.0, 2.0, 4.0], 14.0) == "0*1 + 3*2 + 2*4 = 14"


def test_negative_features_are_bracketed_in_the_score() -> None:
    assert format_score([1.5, -2.0], [-1.0, -0.5], -0.5) == "1.5*(-1) + -2*(-0.5) = -0.5"


def test_records_are_frozen_data() -> None:
    X, y = [[1.0], [-1.0]], [1, -1]
    step = Perceptron().fit(X, y).trace_[0]
    assert dataclasses.asdict(step)["features"] == (1.0, 1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.score = 3.0  # type: ignore[misc]


def test_empty_trace_prints_only_the_header() -> None:
    assert format_trace([]).splitlines()[0].split() == [
        "step",
        "weights",
        "score",
        "correct?",
        "update",
    ]
    assert len(format_multiclass_trace([]).splitlines()) == 2


def test_trace_spans_passes_and_counts_steps_across_them() -> None:
    X, y = [[2.0], [-1.0], [0.5]], [1, -1, 1]
    p = Perceptron(max_epochs=50).fit(X, y)
    assert [s.step for s in p.trace_] == list(range(1, len(p.trace_) + 1))
    assert [s.epoch for s in p.trace_] == [e for e in range(1, p.n_iter_ + 1) for _ in X]
    for prev, nxt in zip(p.trace_, p.trace_[1:]):
        assert nxt.weights == prev.weights_after
    table = p.format_trace().splitlines()
    assert len(table) == 2 + len(p.trace_) + 1


def test_update_text_shows_the_sign_of_the_label_and_the_features() -> None:
    step = PerceptronStep(1, 1, 0, (1.0, -2.0), -1, (0.0, 0.0), 0.0, 1, (-1.0, 2.0), (-1.0, 2.0))
    assert step.update_text == "-[1, -2]"
    assert not step.correct


def test_multiclass_table_has_one_line_per_class_and_step() -> None:
    X, y = [[0.0], [5.0], [10.0]], ["a", "b", "c"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m = MulticlassPerceptron(max_epochs=2).fit(X, y)
    lines = m.format_trace().splitlines()
    assert len(lines) == 2 + 3 * len(m.trace_) + 3
    assert lines[2].split()[:2] == ["1", "'a'"]
    assert sum("<- predicted" in line for line in lines) == len(m.trace_)


def test_the_trace_keeps_max_trace_records_and_counts_every_visit() -> None:
    X = [[i * 0.01, float(i * 7 % 13)] for i in range(40)]
    y = [f"c{i}" for i in range(40)]  # never separable: every pass is made
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = MulticlassPerceptron(max_epochs=20, max_trace=100).fit(X, y)
        full = MulticlassPerceptron(max_epochs=20, max_trace=10**6).fit(X, y)
        p = Perceptron(max_epochs=30, max_trace=7).fit(X, [1, -1] * 20)
    assert len(m.trace_) == 100 and m.n_visits_ == 800 == len(full.trace_)
    assert m.trace_ == full.trace_[:100] and m.weights_ == full.weights_
    assert m.format_trace().endswith("... and 700 more visits, not kept (max_trace=100)")
    assert len(p.trace_) == 7 and p.n_visits_ == 30 * 40
    for step, later in zip(full.trace_, full.trace_[1:]):
        assert later.weights == step.weights_after  # the records share unchanged rows


def test_a_many_class_trace_stays_small() -> None:
    X = [[i * 0.01, float(i * 7 % 13)] for i in range(200)]
    y = [f"c{i}" for i in range(200)]
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            MulticlassPerceptron(max_epochs=3, max_trace=600).fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 12_000_000  # 600 records of 200 classes: a copy of W each was 22 MB
