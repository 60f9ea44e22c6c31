"""The `tracegrad` command line: draw graphs, train perceptrons and networks, run the demo.

Every command prints what it did and where it wrote files. Every failure prints one
line starting with "tracegrad: error:" and never a traceback: mistakes in the input
(a bad expression, a missing value, an unknown data set, a path that cannot be
written, a number out of range), numbers that overflow, files that cannot be
written, a `dot` that fails or runs out of time all exit with code 2; a missing
`dot` program or Python package exits with code 1. Arguments and output paths are
checked before any work starts, and files are written only once the work succeeded.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from engine import Value
from engine.codegen import graph_source
from viz.cli import commands
from viz.cli.doctor import add_doctor_parser
from viz.cli.expr import (
    FUNCTIONS,
    ExpressionError,
    build_expression,
    did_you_mean,
    parse_assignments,
)
from viz.cli.playground import add_playground_parser
from viz.cli.usage import (
    EXIT_ENVIRONMENT,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    UsageError,
    check_int,
    check_output,
    check_output_folder,
    error_line,
    shown,
    undone_on_failure,
)
from viz.draw import (
    FORMATS,
    MAX_SIDE,
    RANKDIRS,
    DotFailedError,
    DotNotFoundError,
    PictureTooLargeError,
    draw_graph,
    render,
)
from viz.layout import MAX_EDGE_SEGMENTS, edge_segments
from viz.walk import DEFAULT_MAX_NODES, GraphTooLargeError, walk

DESCRIPTION = """\
tracegrad: a scalar autograd engine for learning how neural networks learn.

Start with the demo, which draws the notes' computation graphs, steps through
backpropagation, runs the perceptron and trains a small network:

  tracegrad demo -o demo_out

Then try your own expression (the values follow it as name=number):

  tracegrad graph "((x+y)+(x*y))*z" x=2 y=3 z=4 -o fig.svg --steps steps.html

Run `tracegrad COMMAND --help` for the options of each command.
"""

GRAPH_EPILOG = f"""\
allowed in expressions: numbers, variable names, + - * / ** (a power is **,
not ^), unary minus, and the functions {", ".join(sorted(FUNCTIONS))}.
The text is parsed, never run as Python code. An expression that starts with
"-" goes after "--", which ends the options: tracegrad graph -o f.svg -- "-x*y" x=2 y=3

to name intermediate results, as the notes do, write statements separated by ';':
each is NAME = expression (the last may be a bare expression), a name may not
reuse an input or a function, and it becomes the label of its node. Other
computed nodes are labelled with the sub-expression they compute.

examples:
  tracegrad graph "h = x + y; i = x * y; f = (h + i) * z" x=2 y=3 z=4 -o fig5.svg
  tracegrad graph "g = x + y; f = g * z" x=2 y=3 z=4 -o fig4.svg --steps fig4.html
  tracegrad graph "g = x + y; f = g * z" x=2 y=3 z=4 --steps fig4.gif   (or .pdf, or frames/)
  tracegrad graph "((x+y)+(x*y))*z" x=2 y=3 z=4 -o fig5_unnamed.svg
  tracegrad graph "tanh(w*x + b)" w=-3 x=2 b=6.88 -o neuron.png --local-grads
  tracegrad graph "h = x + y; i = x * y; f = (h + i) * z" x=2 y=3 z=4 --code
"""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose complaints become UsageErrors, printed by `main` in one line.

    (argparse itself prints the usage and exits; `--help` still does.) Subcommands'
    parsers are made from the same class.
    """

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}{self._suggestion(message)} (see `{self.prog} --help`)")

    def _suggestion(self, message: str) -> str:
        """' (did you mean ...?)' for a misspelt choice, command or option, else ''."""
        choice = re.search(r"invalid choice: '(.*?)' \(choose from (.*)\)", message)
        if choice:
            allowed = re.findall(r"'([^']*)'", choice.group(2)) or choice.group(2).split(", ")
            return did_you_mean(choice.group(1), allowed)
        unknown = re.match(r"unrecognized arguments: (-\S+)", message)
        if unknown:
            parsers: list[argparse.ArgumentParser] = [self]
            for action in self._actions:  # the subcommands' options too: argv may hold any
                if isinstance(action, argparse._SubParsersAction):
                    parsers += action.choices.values()
            options = {o for p in parsers for a in p._actions for o in a.option_strings}
            return did_you_mean(unknown.group(1).split("=")[0], sorted(options))
        return ""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `tracegrad` command (all subcommands)."""
    parser = Parser(
        prog="tracegrad",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    g = sub.add_parser(
        "graph",
        help="draw an expression's computation graph with its values and gradients",
        description="Compute an expression on Values, run backward() and draw the graph.",
        epilog=GRAPH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    g.add_argument(
        "expression",
        help='the expression, quoted, e.g. "((x+y)+(x*y))*z" or "h = x + y; f = h * z"',
    )
    g.add_argument("values", nargs="*", metavar="NAME=VALUE", help="a number for each variable")
    g.add_argument("-o", "--output", type=Path, help="picture to write: .svg, .png, .pdf or .dot")
    g.add_argument(
        "--steps",
        metavar="PATH",
        help="also write a step-through of the forward and backward pass: a page (.html), "
        "an animation (.gif), slides (.pdf: vector 16:9 pages, the graph drawn compact, "
        "its text at least 18 pt for graphs up to the notes' Figure 5) or numbered PNGs "
        "in a folder (DIR/)",
    )
    g.add_argument("--rankdir", choices=RANKDIRS, default="LR", help="layout direction")
    g.add_argument("--local-grads", action="store_true", help="label edges with d out / d in")
    g.add_argument("--precision", type=int, default=4, help="significant digits shown")
    g.add_argument(
        "--max-side",
        type=int,
        default=MAX_SIDE,
        metavar="PIXELS",
        help=f"refuse a picture with a longer side (default {MAX_SIDE:,}; at most 32,767): "
        "Graphviz would shrink it to unreadable text",
    )
    g.add_argument(
        "--forward-only", action="store_true", help="draw before backward(): grads show as '?'"
    )
    g.add_argument(
        "--code",
        action="store_true",
        help="print the forward and backward passes as Python (engine.to_source)",
    )
    add_slide_options(g)
    g.add_argument(
        "--aspect",
        choices=("16:9", "4:3"),
        default="16:9",
        help="the page shape of --steps slides (.pdf); on 4:3 Figure 5's text is 15 pt",
    )
    g.set_defaults(run=run_graph)

    commands.add_perceptron_parser(sub)
    commands.add_train_parser(sub)
    commands.add_demo_parser(sub)
    add_playground_parser(sub)
    add_doctor_parser(sub)
    return parser


def add_slide_options(parser: argparse.ArgumentParser) -> None:
    """--theme, --fontsize, --dpi and --title: the options every picture takes."""
    from viz.themes import THEMES

    parser.add_argument("--theme", choices=list(THEMES), default="light", help="colours")
    parser.add_argument("--fontsize", type=float, default=None, help="text size in points")
    parser.add_argument(
        "--dpi",
        type=float,
        default=150.0,
        help="resolution of PNG and GIF pictures (default 150; PDF slides are vector)",
    )
    parser.add_argument("--title", default=None, help="the title of the picture or slides")


def check_slide_options(args: argparse.Namespace) -> None:
    """Refuse a font size or resolution no picture can use, before any work."""
    if args.fontsize is not None and not 4 <= args.fontsize <= 72:
        raise UsageError(f"--fontsize must be a number from 4 to 72, got {args.fontsize!r}")
    if not 36 <= args.dpi <= 600:
        raise UsageError(f"--dpi must be a number from 36 to 600, got {args.dpi!r}")


def run_graph(args: argparse.Namespace) -> None:
    """`tracegrad graph`: build, differentiate, print and draw an expression.

    Everything that can fail runs before the first file is written: the checks of
    the options and paths, the maths, and sizing up the pictures for `dot`.
    """
    from viz.slides import KINDS, save_steps
    from viz.steps import DEFAULT_MAX_STEPS, step_through

    check_int(args.precision, "--precision", 1, 17)
    check_slide_options(args)
    check_int(args.max_side, "--max-side", 100, 32767)
    if args.output is not None:
        check_output(args.output, FORMATS, "-o")
    steps_path = steps_folder = None
    if args.steps is not None:  # a page, an animation, slides, or a folder of PNGs
        steps_path = Path(args.steps)
        if args.steps.endswith(("/", os.sep)) or (
            steps_path.suffix.lower() not in KINDS and _is_folder(steps_path)
        ):
            steps_folder = check_output_folder(steps_path, (), "--steps")
        else:
            check_output(steps_path, KINDS, "--steps")
    try:
        root, leaves = build_expression(args.expression, parse_assignments(args.values))
    except ExpressionError as e:
        raise UsageError(str(e)) from None
    at = " ".join(f"{name}={leaf.data:g}" for name, leaf in leaves.items())
    _check_finite(root.data, f"the value of {args.expression!r} at {at}")
    if not args.forward_only:
        root.backward()
        for name, leaf in leaves.items():
            _check_finite(leaf.grad, f"the gradient d/d{name} of {args.expression!r} at {at}")
    options: dict[str, Any] = {
        "rankdir": args.rankdir,
        "precision": args.precision,
        "theme": args.theme,
    }
    graph = steps = None
    if args.output is not None:
        _check_drawable(root, "-o", DEFAULT_MAX_NODES, labels=args.local_grads)
        size = {} if args.fontsize is None else {"fontsize": args.fontsize}
        graph = draw_graph(
            root,
            show_local_grads=args.local_grads,
            title=args.title or "",
            dpi=args.dpi,
            **size,
            **options,
        )
    if steps_path is not None:
        _check_drawable(root, "--steps", DEFAULT_MAX_STEPS, labels=True)
        size = {} if args.fontsize is None else {"fontsize": args.fontsize}
        slides = steps_folder is None and steps_path.suffix.lower() == ".pdf"
        steps = step_through(root, **size, **options, compact=slides)  # bare numbers: larger

    code = graph_source(root, list(leaves.values())) if args.code else None

    print(f"value: {shown(args.expression)} = {root.data:.6g}")
    if not args.forward_only:
        for name, leaf in leaves.items():
            print(f"  d/d{name} = {leaf.grad:.6g}")
    if code is not None:
        print(code)
    files = [p for p in (args.output, steps_path) if p is not None and p is not steps_folder]
    with undone_on_failure(files, steps_folder), _in_option_words():
        if graph is not None:
            render(graph, args.output, max_side=args.max_side)
        if steps is not None:
            title = args.title or f"Backpropagation through {args.expression}"
            save_steps(
                steps,
                args.steps,
                title=title,
                dpi=args.dpi,
                aspect=args.aspect,
                max_side=args.max_side,
            )
    if graph is not None:
        print(f"wrote {shown(args.output)}")
    if steps is not None:
        print(f"wrote {shown(args.steps)} ({len(steps)} steps)")
    if args.output is None and args.steps is None:
        print("add -o graph.svg to draw the graph, --steps steps.html for a step-through")


@contextmanager
def _in_option_words() -> Iterator[None]:
    """A picture over its size bound, said in the command line's words."""
    try:
        yield
    except PictureTooLargeError as e:
        text = str(e).replace("(max_side)", "(--max-side)").replace("lower dpi (now 96), ", "")
        raise UsageError(text.replace("(rankdir), or lower the dpi", "(--rankdir)")) from None


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long, say: check_output explains it
        return False


def _check_drawable(root: Value, option: str, max_nodes: int, *, labels: bool) -> None:
    """Refuse, in the command line's words, a graph too big for a picture or for `dot`."""
    try:
        view = walk(root, max_nodes=max_nodes)
    except GraphTooLargeError:
        raise UsageError(
            f"{option}: the expression makes more than {max_nodes} nodes, too many to draw; "
            f"draw a shorter one"
        ) from None
    segments = edge_segments(view, labelled=labels)
    if segments > MAX_EDGE_SEGMENTS:
        doubled = " (counted twice: edge labels double every rank)" if labels else ""
        raise UsageError(
            f"{option}: Graphviz would take too long to lay this graph out: its edges cross "
            f"about {segments:,} ranks{doubled}, more than the {MAX_EDGE_SEGMENTS:,} it lays "
            f"out in about a second; draw a shorter expression, or one that reuses a "
            f"variable in fewer places along a chain (x+x+...+x may have up to 38 terms, "
            f"27 with edge labels)"
        )


def _check_finite(x: float, what: str) -> None:
    """Refuse to print an infinity or a NaN as if it were a result."""
    if not math.isfinite(x):
        raise UsageError(
            f"{what} is {x!r}: the numbers go past what a float holds (about 1.8e308, and "
            f"no closer to 0 than about 5e-324); try values of a more moderate size"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `tracegrad` command; returns the exit code.

    Example:
        >>> main(["graph", "x*y", "x=2", "y=3"])
        value: x*y = 6
          d/dx = 3
          d/dy = 2
        add -o graph.svg to draw the graph, --steps steps.html for a step-through
        0
    """
    try:
        args = build_parser().parse_args(argv)
        run: Callable[[argparse.Namespace], None] = args.run
        run(args)
    except (DotNotFoundError, ImportError) as e:  # the machine lacks something
        return _fail(e, EXIT_ENVIRONMENT)
    except (
        UsageError,  # our checks of the arguments
        ValueError,  # our libraries' messages about the input (also encoding errors)
        TypeError,
        ArithmeticError,  # numbers that overflow or divide by zero
        OSError,  # files that cannot be read or written; dot running out of time
        DotFailedError,
        subprocess.SubprocessError,  # a program run some other way failing or hanging
        MemoryError,
        RecursionError,
    ) as e:
        return _fail(e, EXIT_USAGE)
    except KeyboardInterrupt:  # Ctrl-C: the files of the run were removed on the way out
        print("tracegrad: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


def _fail(error: BaseException, code: int) -> int:
    print(f"tracegrad: error: {error_line(error)}", file=sys.stderr)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
