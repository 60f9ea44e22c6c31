"""The `tracegrad perceptron`, `train` and `demo` subcommands: their options and runs."""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from nn.optim import OPTIMIZERS
from viz.cli.expr import did_you_mean
from viz.cli.training import MLP_FILES, format_weights, train_mlp
from viz.cli.usage import (
    MAX_EPOCHS,
    MAX_SAMPLES,
    UsageError,
    check_input_file,
    check_int,
    check_network_size,
    check_output_folder,
    check_positive,
    check_training_work,
    parse_numbers,
    parse_sizes,
    require_matplotlib,
    shown,
    undone_on_failure,
)

DATASETS = ("moons", "circles", "xor", "blobs", "spiral")
FEWEST_SAMPLES = {"moons": 2, "circles": 2, "xor": 4, "blobs": 2, "spiral": 3}
CLASSES = {"moons": 2, "circles": 2, "xor": 2, "blobs": 2, "spiral": 3}
NOTES_WEIGHTS = (-1.0, 0.0, 0.0)  # the notes' starting weights for their worked pass
MAX_LR = 100.0
MAX_DEMO_EPOCHS = 5_000  # 100 points x 354 parameters: about 1.5 minutes, as train allows
MAX_PERCEPTRON_WORK = 50_000_000  # units of `_check_perceptron_work`: about 10 s
MAX_TRACE_LINES = 10_000  # --trace prints the first visits that fit in this many lines

PERCEPTRON_EPILOG = """\
examples:
  tracegrad perceptron --trace                 # the notes' 5 points, from w = [-1, 0, 0]
  tracegrad perceptron --epochs 1 --trace      # exactly the notes' single pass
  tracegrad perceptron --data iris             # 3 classes: the multiclass perceptron
  tracegrad perceptron --data points.csv -o out  # last column holds the labels
"""

TRAIN_EPILOG = """\
examples:
  tracegrad train --data moons --hidden 16,16 --epochs 100 -o out
  tracegrad train --data spiral --hidden 32,32 --epochs 200 --optimizer sgd --lr 0.2 -o out
"""


def add_perceptron_parser(sub: Any) -> None:
    """Add `tracegrad perceptron` to the subcommands."""
    p = sub.add_parser(
        "perceptron",
        help="train the mistake-driven perceptron and print its steps",
        description="Train the notes' perceptron (binary for +1/-1 labels, else multiclass).",
        epilog=PERCEPTRON_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--data",
        default="seed-example",
        metavar="SOURCE",
        help="seed-example (the notes' 5 points, default), iris, or a .csv file",
    )
    p.add_argument("--trace", action="store_true", help="print every step as the notes' table")
    p.add_argument("--epochs", type=int, default=1000, help="most passes over the data")
    p.add_argument(
        "--initial-weights",
        metavar="W0,W1,...",
        help="starting weights, bias first (seed-example default: -1,0,0 as in the notes)",
    )
    p.add_argument(
        "--average", action="store_true", help="the averaged perceptron (steadier on noisy data)"
    )
    p.add_argument("-o", "--output", type=Path, metavar="DIR", help="write the boundary plot here")
    _slide_options(p)
    p.set_defaults(run=run_perceptron)


def add_train_parser(sub: Any) -> None:
    """Add `tracegrad train` to the subcommands."""
    t = sub.add_parser(
        "train",
        help="train a small neural network (MLP) on a 2-D data set",
        description="Train an MLP with a progress bar; write the model, boundary and curves.",
        epilog=TRAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    t.add_argument("--data", choices=DATASETS, default="moons", help="the data set")
    t.add_argument("--samples", type=int, default=100, help="number of points")
    t.add_argument("--hidden", default="16,16", metavar="N,N", help="hidden layer sizes")
    t.add_argument("--activation", default="tanh", help="tanh, relu, sigmoid, linear, ...")
    t.add_argument("--epochs", type=int, default=100, help="passes over the data")
    t.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="adam")
    t.add_argument("--lr", type=float, default=None, help="learning rate (adam 0.05, sgd 0.1)")
    t.add_argument("--batch-size", type=int, default=None, help="default: the whole data set")
    t.add_argument("--seed", type=int, default=0, help="seeds the data, weights and batches")
    t.add_argument("--resolution", type=int, default=80, help="grid size of the boundary plot")
    t.add_argument("-o", "--output", type=Path, default=Path("tracegrad_train"), metavar="DIR")
    _slide_options(t)
    t.set_defaults(run=run_train)


def _slide_options(parser: Any) -> None:
    from viz.cli.main import add_slide_options

    add_slide_options(parser)


def _check_slide_options(args: argparse.Namespace) -> None:
    from viz.cli.main import check_slide_options

    check_slide_options(args)


def add_demo_parser(sub: Any) -> None:
    """Add `tracegrad demo` to the subcommands."""
    d = sub.add_parser(
        "demo",
        help="draw the notes' figures, step through backprop, train the models (~10 s)",
        description="Run the tour of tracegrad and write every picture into one folder.",
    )
    d.add_argument("-o", "--output", type=Path, default=Path("tracegrad_demo"), metavar="DIR")
    d.add_argument("--epochs", type=int, default=60, help="training epochs of the MLP")
    d.set_defaults(run=run_demo)


def run_demo(args: argparse.Namespace) -> None:
    """`tracegrad demo`."""
    from viz.cli.demo import DEMO_FILES, DEMO_MLP_FILES, demo

    check_int(args.epochs, "--epochs", 1, MAX_DEMO_EPOCHS)
    out, mlp = args.output, args.output / "mlp"
    check_output_folder(out, DEMO_FILES)
    check_output_folder(mlp, DEMO_MLP_FILES)
    require_matplotlib()
    files = [out / f for f in DEMO_FILES] + [mlp / f for f in DEMO_MLP_FILES]
    with undone_on_failure(files, mlp):
        demo(out, epochs=args.epochs)


# ------------------------------------------------------------------- perceptron


def load_perceptron_data(source: str) -> tuple[list[list[float]], list[Hashable], str]:
    """The (X, y, name) of `--data`: seed-example, iris or a CSV path."""
    if source == "seed-example":
        from nn import seed_example

        X, y = seed_example()
        return [list(map(float, r)) for r in X], list(y), "the notes' 5 points"
    if source == "iris":
        from nn import iris

        Xi, yi, _ = iris()
        return Xi, list(yi), "iris (150 flowers, 3 species)"
    path = Path(source)
    if path.suffix.lower() != ".csv":
        hint = did_you_mean(source, ["seed-example", "iris"])
        raise UsageError(
            f"unknown --data {source!r} (expected seed-example, iris or a .csv file){hint}"
        )
    check_input_file(path, "--data")
    from nn.data.files import MAX_CSV_BYTES, load_csv

    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise UsageError(
            f"--data file {shown(path)} is {size:,} bytes, more than the {MAX_CSV_BYTES:,} "
            f"tracegrad reads; use a smaller file (nn.load_csv(path, max_bytes=...) "
            f"reads larger ones)"
        )
    try:
        Xc, yc = load_csv(path)
    except UnicodeDecodeError as e:
        raise UsageError(
            f"--data file {source!r} is not UTF-8 text: {e.reason} at byte {e.start}"
        ) from None
    return Xc, list(yc), shown(path)


def run_perceptron(args: argparse.Namespace) -> None:
    """`tracegrad perceptron`: fit, print the summary and (with --trace) the table."""
    from nn import MulticlassPerceptron, Perceptron

    check_int(args.epochs, "--epochs", 1, MAX_EPOCHS)
    _check_slide_options(args)
    if args.output is not None:
        check_output_folder(args.output, ["perceptron_boundary.png"])
        require_matplotlib()
    X, y, name = load_perceptron_data(args.data)
    binary = set(y) <= {1, -1}
    weights: list[float] | None = None
    if args.initial_weights is not None:
        weights = parse_numbers(args.initial_weights, "--initial-weights")
    elif args.data == "seed-example":
        weights = list(NOTES_WEIGHTS)
    if not binary and weights is not None:
        raise UsageError("--initial-weights is for binary (+1/-1) data only")
    classes = 1 if binary else len(set(y))
    _check_perceptron_work(len(X), classes, len(X[0]) + 1, args.epochs)
    options = {
        "max_epochs": args.epochs,
        "average": args.average,
        "max_trace": max(1, MAX_TRACE_LINES // classes) if args.trace else 0,
    }
    model: Any
    if binary:
        model = Perceptron(initial_weights=weights, **options)
    else:
        model = MulticlassPerceptron(**options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # not converging is reported below instead
        try:
            model.fit(X, y)
        except ArithmeticError as e:
            raise UsageError(
                f"the perceptron cannot learn {name}: {e} (scale the features down)"
            ) from None
    kind = "binary perceptron" if binary else f"multiclass perceptron ({len(set(y))} classes)"
    print(f"{kind} on {name}: {len(X)} points, {len(X[0])} features")
    if args.trace:
        print(model.format_trace())
    status = "converged" if model.converged_ else "did not converge (not separable, or too few)"
    print(f"passes: {model.n_iter_}, {status}")
    print(f"weights (bias first): {format_weights(model.weights_)}")
    print(f"training accuracy: {model.score(X, y):.3f}")
    if args.output is not None:
        if len(X[0]) != 2:
            print("no plot: a decision boundary needs data with 2 features")
            return
        from nn.files import atomic_path
        from viz.plots import plot_decision_boundary

        fig = plot_decision_boundary(
            model,
            X,
            y,
            title=args.title or f"perceptron on {name}",
            fontsize=args.fontsize,
            theme=args.theme,
        )
        path = args.output / "perceptron_boundary.png"
        with undone_on_failure([path], args.output):
            args.output.mkdir(parents=True, exist_ok=True)
            with atomic_path(path) as tmp:
                fig.savefig(tmp, dpi=args.dpi)
        print(f"wrote {shown(path)}")


def _check_perceptron_work(rows: int, classes: int, width: int, epochs: int) -> None:
    """Refuse, before training, a run that could take more than about 10 seconds.

    The work of one visit is counted as `classes * (width + 4) + 20` units (a score per
    class, plus the visit's own bookkeeping), about 0.2 microseconds each, measured
    alike for 2 and for 200 classes; at most `MAX_PERCEPTRON_WORK` units in all.
    """
    per_pass = rows * (classes * (width + 4) + 20)
    if per_pass * epochs <= MAX_PERCEPTRON_WORK:
        return
    fewer = MAX_PERCEPTRON_WORK // per_pass
    remedy = (
        f"lower --epochs to {fewer:,} or less, or use fewer points"
        if fewer
        else "use fewer points, classes or features"
    )
    scores = f"{classes} class scores" if classes > 1 else "a score"
    raise UsageError(
        f"--data: up to {epochs:,} passes over {rows:,} points, each with {scores} of "
        f"{width} weights, is {per_pass * epochs:,} units of work, more than the "
        f"{MAX_PERCEPTRON_WORK:,} (about 10 seconds) tracegrad perceptron does; {remedy}"
    )


# ------------------------------------------------------------------------ train


def load_training_data(name: str, n: int, seed: int) -> tuple[list[list[float]], list[Any]]:
    """Generate the named 2-D data set."""
    from nn import data

    if name == "spiral":
        return data.spiral(max(1, n // 3), seed=seed)
    loader = {
        "moons": data.moons,
        "circles": data.circles,
        "xor": data.xor,
        "blobs": data.blobs,
    }[name]
    X, y = loader(n, seed=seed)
    return X, y


def run_train(args: argparse.Namespace) -> None:
    """`tracegrad train`: train an MLP and write model.json, the boundary and the curves."""
    from nn.layers import activations

    sizes = parse_sizes(args.hidden, "--hidden")
    if args.activation not in activations():
        raise UsageError(
            f"unknown --activation {args.activation!r} (expected one of"
            f" {', '.join(activations())}){did_you_mean(args.activation, activations())}"
        )
    check_int(args.samples, "--samples", FEWEST_SAMPLES[args.data], MAX_SAMPLES)
    check_int(args.epochs, "--epochs", 1, MAX_EPOCHS)
    if args.lr is not None:
        check_positive(args.lr, "--lr", MAX_LR)
    if args.batch_size is not None:
        check_int(args.batch_size, "--batch-size", 1, args.samples)
    check_int(args.resolution, "--resolution", 2, 500)
    _check_slide_options(args)
    batch = args.samples if args.batch_size is None else args.batch_size
    parameters = check_network_size(2, sizes, CLASSES[args.data], batch)
    check_training_work(args.samples, parameters, args.epochs)
    check_output_folder(args.output, MLP_FILES)
    require_matplotlib()
    X, labels = load_training_data(args.data, args.samples, args.seed)
    train_mlp(
        X,
        labels,
        args.output,
        name=args.data,
        hidden=sizes,
        activation=args.activation,
        epochs=args.epochs,
        optimizer=args.optimizer,
        lr=args.lr,
        batch_size=args.batch_size,
        seed=args.seed,
        resolution=args.resolution,
        look={"theme": args.theme, "fontsize": args.fontsize, "title": args.title},
        dpi=args.dpi,
    )
