"""Whether a loss depends on the label only is found out by building it, never declared."""

from __future__ import annotations

import math
from typing import Any

import pytest

import nn
from engine import Value
from nn import MLP, SGD, fit
from nn.data import moons
from nn.losses import LOSSES, label_only


def branching(outs: list[Value], t: Any) -> Value:
    """A hinge that switches to a squared loss where the output is large: it branches on
    the output's value, so its graph is not the same at every point."""
    margin = outs[0] * float(t)
    if margin.data < -0.5:
        return (1.0 - margin) * (1.0 - margin)
    return (1.0 - margin).relu()


def test_the_built_in_losses_are_sorted_by_building_them() -> None:
    assert label_only(LOSSES["hinge"], 1) and label_only(LOSSES["perceptron"], 1)
    assert label_only(LOSSES["mse"], 1) and label_only(LOSSES["mse"], 3)
    assert not label_only(LOSSES["cross_entropy"], 1)  # the formula follows the sign
    assert not label_only(LOSSES["cross_entropy"], 3)  # shifted by the largest output


def test_a_loss_that_branches_on_its_output_is_not_label_only() -> None:
    assert not label_only(branching, 1)


def test_a_branching_loss_in_the_table_trains_the_same_compiled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Before, the table said "hinge" depends on the label only: a different loss under
    # that name was written into the compiled loop once per label and trained otherwise.
    monkeypatch.setitem(LOSSES, "hinge", branching)
    X, y = moons(30, seed=3)
    y = [2 * t - 1 for t in y]
    histories = []
    for compiled in (False, True):
        model = MLP(2, [5, 1], activation="tanh", seed=2)
        histories.append(
            fit(
                model,
                X,
                y,
                loss="hinge",
                optimizer=SGD(model.parameters(), lr=0.3),
                epochs=6,
                progress=False,
                compile=compiled,
            )
        )
    plain, compiled_history = histories
    assert plain.accuracy == compiled_history.accuracy
    for a, b in zip(plain.loss, compiled_history.loss):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def test_the_losses_live_in_nn_losses() -> None:
    assert nn.train.LOSSES is LOSSES  # fit's names are the table's
