"""Decision boundaries and training curves (matplotlib figures, never shown)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from nn import MLP, MulticlassPerceptron, Perceptron
from viz.plots import plot_decision_boundary, plot_history, predictor
from viz.themes import DARK

pytest.importorskip("matplotlib")
np = pytest.importorskip("numpy")

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
        ([[1.0, 2.0]], [1], {"resolution": 1}, ValueError, "resolution must be from 2 to 1000"),
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


def three_classes(p: list[float]) -> list[float]:
    """Class 0 left of x = 0, class 2 right of it, class 1 only where y - 4 > |x|."""
    return [-p[0], p[1] - 4.0, p[0]]


THREE_X = [[-2.0, -2.0], [2.0, -2.0], [-2.0, 2.0], [2.0, 2.0], [0.0, 6.0]]
THREE_Y = [0, 2, 0, 2, 1]


def rendered(fig: object) -> tuple[object, object]:
    """The figure's pixels (rows from the top, RGB) and a map from data to pixel."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)  # type: ignore[arg-type]
    canvas.draw()
    image = np.asarray(canvas.buffer_rgba())[..., :3].astype(int)
    ax = fig.axes[0]  # type: ignore[attr-defined]

    def pixel(x: float, y: float) -> tuple[int, int]:
        column, up = ax.transData.transform((x, y))
        return image.shape[0] - round(float(up)), round(float(column))

    return image, pixel


def test_no_third_class_shows_along_the_border_of_two_others() -> None:
    fig = plot_decision_boundary(three_classes, THREE_X, THREE_Y, title="three classes")
    image, pixel = rendered(fig)
    middle = image[pixel(1.5, 6.3)]  # deep inside class 1's region
    left, right = image[pixel(-1.0, 0.0)], image[pixel(1.0, 0.0)]
    assert len({tuple(c) for c in (middle, left, right)}) == 3
    # A band 0.6 wide around x = 0, from the bottom up to y = 3: only classes 0 and
    # 2 meet there (class 1 begins above y = 4).
    top, x0 = pixel(-0.3, 3.0)
    bottom, x1 = pixel(0.3, -2.3)
    band = image[top:bottom, x0:x1]
    assert band.shape[0] > 100 and band.shape[1] > 10
    like_middle = np.abs(band - middle).max(axis=-1) <= 12
    assert not like_middle.any(), f"{like_middle.sum()} pixels of class 1's colour"
    for side in (left, right):  # the band does hold both neighbours
        assert (np.abs(band - side).max(axis=-1) == 0).any()


def test_regions_are_painted_in_the_class_colours_alone() -> None:
    fig = plot_decision_boundary(three_classes, THREE_X, THREE_Y)
    image = fig.axes[0].images[0]
    from matplotlib.colors import to_hex

    assert len({to_hex(c) for c in image.cmap.colors}) == 3
    assert image.get_interpolation() == "nearest"  # never a blend of two classes


def test_a_fine_grid_runs_the_model_near_the_borders_only() -> None:
    calls = []

    def model(p: list[float]) -> float:
        calls.append(p)
        return p[0] + 0.5 * p[1] - 0.3

    fig = plot_decision_boundary(model, [[0.0, 0.0], [1.0, 1.0]], [-1, 1])
    assert fig.axes[0].images[0].get_array().shape == (301, 301)  # the default grid
    assert len(calls) < 301 * 301 / 5


def test_plots_take_slide_options() -> None:
    fig = plot_decision_boundary(
        three_classes, THREE_X, THREE_Y, theme="dark", fontsize=18, dpi=150, title="big"
    )
    ax = fig.axes[0]
    assert fig.dpi == 150
    assert ax.title.get_fontsize() > 18  # the title is "large", relative to 18
    assert ax.xaxis.label.get_fontsize() == 18
    from matplotlib.colors import to_hex

    assert to_hex(fig.get_facecolor()) == DARK.background.lower()
    assert to_hex(ax.get_facecolor()) == DARK.background.lower()
    history = plot_history({"loss": [1.0, 0.5]}, theme="high-contrast", fontsize=16, dpi=120)
    assert history.dpi == 120 and history.axes[0].xaxis.label.get_fontsize() == 16
    with pytest.raises(ValueError, match="unknown theme"):
        plot_history({"loss": [1.0]}, theme="neon")
    with pytest.raises(ValueError, match="fontsize must be a number from 4 to 72"):
        plot_history({"loss": [1.0]}, fontsize=0)


@pytest.mark.parametrize("text", [r"$\foo$", "$", "a $x$ b", r"\frac{1}{2}$$"])
def test_titles_and_class_names_are_plain_text_not_math(text: str, tmp_path: Path) -> None:
    X = [[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]]
    p = MulticlassPerceptron(classes=[text, "b"]).fit(X, [text, "b", text, "b"])
    fig = plot_decision_boundary(p, X, [text, "b", text, "b"], title=text, resolution=10)
    curves = plot_history({"loss": [1.0, 0.5]}, title=text)
    fig.savefig(tmp_path / "a.png")  # mathtext would raise a ValueError while drawing
    curves.savefig(tmp_path / "b.png")
    assert fig.axes[0].get_title() == text
    assert f"class {text}" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
