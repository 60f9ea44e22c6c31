"""Decision boundaries and training curves (matplotlib figures, never shown)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from nn import MLP, MulticlassPerceptron, Perceptron
from viz.plots import plot_decision_boundary, plot_history, predictor

pytest.importorskip("matplotlib")

NOTES_X = [[1, 1], [3, 2], [2, 4], [3, 4], [2, 3]]
NOTES_Y = [-1, 1, 1, 1, -1]


def legend(fig: object) -> list[str]:
    ax = fig.axes[0]  # type: ignore[attr-defined]
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_perceptron_boundary_is_its_zero_line() -> None:
    p = Perceptron(initial_weights=[-1, 0, 0], max_epochs=1000).fit(NOTES_X, NOTES_Y)
    fig = plot_decision_boundary(p, NOTES_X, NOTES_Y, resolution=30, title="notes")
    ax = fig.axes[0]
    assert ax.get_title() == "notes"
    assert legend(fig) == ["class -1", "class 1"]
    # The drawn zero contour lies on w0 + w1 x1 + w2 x2 = 0.
    w0, w1, w2 = p.weights_
    from matplotlib.contour import ContourSet

    zero = [c for c in ax.collections if isinstance(c, ContourSet) and list(c.levels) == [0.0]]
    assert len(zero) == 1
    vertices = [v for path in zero[0].get_paths() for v in path.vertices]
    assert len(vertices) >= 2
    assert max(abs(w0 + w1 * x1 + w2 * x2) for x1, x2 in vertices) < 1e-9


def test_predictor_of_a_callable_follows_nn_predict() -> None:
    labels, scores = predictor(lambda p: [p[0], p[1], 0.0])([[2.0, 1.0], [-1.0, -2.0]])
    assert labels == [0, 2]  # argmax index for several outputs
    assert scores == []
    labels, scores = predictor(lambda p: p[0] * 2)([[0.0, 5.0], [-1.0, 0.0]])
    assert (labels, scores) == ([1, -1], [0.0, -2.0])  # ties count as positive


def test_mlp_boundary_colours_every_class_region() -> None:
    model = MLP(2, [4, 3], seed=1)
    X = [[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]]
    y = [0, 1, 2]
    fig = plot_decision_boundary(model, X, y, resolution=12)
    assert legend(fig) == ["class 0", "class 1", "class 2"]


def test_multiclass_perceptron_regions_with_class_names() -> None:
    X = [[0.0, 0.0], [0.0, 1.0], [3.0, 3.0], [3.0, 4.0], [6.0, 0.0], [6.0, 1.0]]
    y = ["a", "a", "b", "b", "c", "c"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = MulticlassPerceptron(max_epochs=50).fit(X, y)
    fig = plot_decision_boundary(m, X, y, resolution=15, class_names={"a": "setosa"})
    assert legend(fig) == ["class setosa", "class b", "class c"]


def test_figures_save_as_png(tmp_path: Path) -> None:
    fig = plot_history({"loss": [1.0, 0.4], "accuracy": [0.5, 1.0]})
    fig.savefig(tmp_path / "curves.png")
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"


def test_history_plot_shows_loss_and_accuracy_per_epoch() -> None:
    class History:
        def __init__(self) -> None:
            self.loss = [0.9, 0.5, 0.2]
            self.accuracy = [0.4, 0.8, 1.0]

    fig = plot_history(History(), title="moons")
    loss_ax, acc_ax = fig.axes
    assert list(loss_ax.lines[0].get_xdata()) == [1, 2, 3]
    assert list(loss_ax.lines[0].get_ydata()) == [0.9, 0.5, 0.2]
    assert list(acc_ax.lines[0].get_ydata()) == [0.4, 0.8, 1.0]
    assert fig._suptitle.get_text() == "moons"


def test_history_with_only_a_loss_gets_one_axes() -> None:
    assert len(plot_history({"loss": [1.0]}).axes) == 1


def test_empty_history_is_an_error() -> None:
    with pytest.raises(ValueError, match="no 'loss' or 'accuracy'"):
        plot_history({"loss": []})


@pytest.mark.parametrize(
    ("X", "y", "kwargs", "error", "message"),
    [
        ([], [], {}, ValueError, "X is empty"),
        ([[1.0, 2.0, 3.0]], [1], {}, ValueError, "2 features per point, got \\[1.0, 2.0, 3.0\\]"),
        ([[1.0, 2.0]], [1, 1], {}, ValueError, "1 points but y has 2 labels"),
        ([[1.0, 2.0]], [1], {"resolution": 1}, ValueError, "resolution must be from 2 to 500"),
        ([[1.0, 2.0]], [1], {"resolution": 2.5}, TypeError, "resolution must be an int"),
    ],
)
def test_decision_boundary_rejects_bad_input(
    X: list[list[float]], y: list[int], kwargs: dict[str, object], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        plot_decision_boundary(lambda p: p[0], X, y, **kwargs)  # type: ignore[arg-type]


def test_decision_boundary_rejects_a_model_it_cannot_run() -> None:
    with pytest.raises(TypeError, match="model must have predict"):
        plot_decision_boundary(42, [[0.0, 0.0]], [1])
