"""`tracegrad demo`: a tour of the notes in pictures, written into one folder.

1. Figures 4 and 5 of the notes, with forward values and gradients (SVG and PNG).
2. A step-through of the forward and backward pass on Figure 5 (one HTML page).
3. The notes' single perceptron pass, printed as their table, then the perceptron
   trained to convergence and its decision line.
4. A small network trained on the two-moons data, its decision boundary, its loss
   and accuracy curves, and its graph with one box per layer.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

from engine import Value
from viz.cli.training import MLP_FILES
from viz.cli.usage import shown
from viz.draw import DotNotFoundError, draw_graph, render
from viz.steps import save_steps_html, step_through

# What the demo writes into its folder (and `mlp/`, with `viz.cli.training.MLP_FILES`).
DEMO_FILES = (
    *(f"figure{n}{suffix}" for n in (4, 5) for suffix in (".svg", ".png", ".dot")),
    "figure5_steps.html",
    "perceptron_boundary.png",
)
DEMO_MLP_FILES = (*MLP_FILES, "mlp_graph.svg", "mlp_graph.dot")


def figure4() -> Value:
    """The notes' Figure 4: f = (x + y) * z at x=2, y=3, z=4, after backward().

    >>> f = figure4()
    >>> f.data, [p.grad for p in f.parents]
    (20.0, [4.0, 5.0])
    """
    x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
    g = x + y
    g.label = "g"
    f = g * z
    f.label = "f"
    f.backward()
    return f


def figure5() -> Value:
    """The notes' Figure 5: f = ((x + y) + (x * y)) * z at x=2, y=3, z=4, after backward().

    The names follow the notes: h = x + y, i = x * y and f = (h + i) * z. The notes give
    the sum h + i no letter of its own, so its node is labelled "h + i".

    >>> f = figure5()
    >>> f.data, [p.label for p in f.parents], [p.label for p in f.parents[0].parents]
    (44.0, ['h + i', 'z'], ['h', 'i'])
    """
    x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
    h = x + y
    h.label = "h"
    i = x * y
    i.label = "i"
    h_plus_i = h + i
    h_plus_i.label = "h + i"
    f = h_plus_i * z
    f.label = "f"
    f.backward()
    return f


def _draw(root: Value, out: Path, stem: str, caption: str, written: list[Path]) -> None:
    graph = draw_graph(root, show_local_grads=True, title=caption)
    for suffix in (".svg", ".png"):
        try:
            written.append(render(graph, out / f"{stem}{suffix}"))
        except DotNotFoundError as e:
            written.append(render(graph, out / f"{stem}.dot"))
            print(f"  (wrote {stem}.dot instead of pictures) {e}")
            return


def demo(out: Path, *, epochs: int = 60) -> list[Path]:
    """Run the tour, printing as it goes; return the files written.

    Raises:
        ValueError: if `epochs` is not positive.
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs!r}")
    start = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    print("1. Computation graphs (green: forward values, red: gradients, edges: local d out/d in)")
    f4 = figure4()
    _draw(f4, out, "figure4", "Figure 4: f = (x + y) * z with x=2, y=3, z=4", written)
    x4, y4, z4 = _leaves(f4)
    print(f"   Figure 4: f = {f4.data:g}; df/dx = {x4:g}, df/dy = {y4:g}, df/dz = {z4:g}")
    f5 = figure5()
    _draw(f5, out, "figure5", "Figure 5: f = ((x + y) + (x * y)) * z with x=2, y=3, z=4", written)
    x5, y5, z5 = _leaves(f5)
    print(f"   Figure 5: f = {f5.data:g}; df/dx = {x5:g}, df/dy = {y5:g}, df/dz = {z5:g}")

    print("2. Backpropagation step by step (open the page in a browser; arrow keys move)")
    steps = step_through(f5)
    try:
        written.append(save_steps_html(steps, out / "figure5_steps.html"))
        print(
            f"   {len(steps)} steps: the forward pass node by node, then one step per node "
            "in the order backward() visits them"
        )
    except DotNotFoundError as e:
        print(f"   skipped: {e}")

    print("3. The perceptron: the notes' single pass from w = [-1, 0, 0]")
    written += _perceptron(out)

    print("4. A neural network on the two-moons data (2 -> 16 -> 16 -> 2, tanh, Adam)")
    written += _mlp(out, epochs)

    print(f"Done in {time.perf_counter() - start:.1f} s. Files written to {shown(out)}:")
    for path in written:
        print(f"  {shown(path.relative_to(out))}")
    return written


def _leaves(f: Value) -> tuple[float, float, float]:
    from viz.walk import forward_order

    grads = {v.label: v.grad for v in forward_order(f) if not v.parents}
    return grads["x"], grads["y"], grads["z"]


def _perceptron(out: Path) -> list[Path]:
    from nn import Perceptron, seed_example
    from nn.files import atomic_path
    from viz.cli.training import format_weights
    from viz.plots import plot_decision_boundary

    X, y = seed_example()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one pass is not meant to converge
        one_pass = Perceptron(initial_weights=[-1, 0, 0], max_epochs=1).fit(X, y)
    print("   " + one_pass.format_trace().replace("\n", "\n   "))
    print(f"   after one pass: w = {format_weights(one_pass.weights_)} (the notes' last row)")
    trained = Perceptron(initial_weights=[-1, 0, 0], max_epochs=1000).fit(X, y)
    print(
        f"   trained until a pass makes no mistake: {trained.n_iter_} passes, "
        f"w = {format_weights(trained.weights_)}, accuracy {trained.score(X, y):.2f}"
    )
    fig = plot_decision_boundary(
        trained, X, y, padding=1.0, title="Perceptron on the notes' 5 points"
    )
    path = out / "perceptron_boundary.png"
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120)
    return [path]


def _mlp(out: Path, epochs: int) -> list[Path]:
    from nn import moons
    from viz.cli.training import train_mlp

    X, y = moons(100, seed=0)
    files = train_mlp(
        X, y, out / "mlp", name="moons", hidden=[16, 16], epochs=epochs, resolution=300, say=_quiet
    )
    files += _mlp_graph(out)
    return files


def _quiet(line: str) -> None:
    if not line.startswith("wrote"):  # the demo lists every file at the end
        print("   " + line)


def _mlp_graph(out: Path) -> list[Path]:
    """The graph of one loss evaluation of a small MLP, one box per layer.

    The network is a fresh one, before training, and the picture says so: its numbers
    are not those of the trained model in model.json.
    """
    from nn import MLP, cross_entropy
    from viz.groups import layer_groups

    model = MLP(2, [16, 16, 2], seed=0)
    x = [Value(0.5, "x1"), Value(-0.3, "x2")]
    logits, groups = layer_groups(model, x)
    loss = cross_entropy(logits, 1)
    loss.label = "loss"
    loss.backward()
    graph = draw_graph(
        loss,
        groups=groups,
        title="An untrained MLP (its starting weights, seed 0): the loss at one point,"
        " one box per layer",
    )
    path = out / "mlp" / "mlp_graph.svg"
    try:
        return [render(graph, path)]
    except DotNotFoundError:
        return [render(graph, path.with_suffix(".dot"))]
