"""The `tracegrad` command line: draw graphs, train perceptrons and networks, run the demo.

Every command prints what it did and where it wrote files. Mistakes in the input
(a bad expression, a missing value, an unknown data set) print one line starting
with "tracegrad: error:" and exit with code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from engine.codegen import graph_source
from viz.cli import commands
from viz.cli.expr import FUNCTIONS, ExpressionError, build_expression, parse_assignments
from viz.cli.usage import EXIT_ENVIRONMENT, EXIT_USAGE, UsageError, check_output
from viz.draw import RANKDIRS, DotNotFoundError, render

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
The text is parsed, never run as Python code.

to name intermediate results, as the notes do, write statements separated by ';':
each is NAME = expression (the last may be a bare expression), a name may not
reuse an input or a function, and it becomes the label of its node. Other
computed nodes are labelled with the sub-expression they compute.

examples:
  tracegrad graph "h = x + y; i = x * y; f = (h + i) * z" x=2 y=3 z=4 -o fig5.svg
  tracegrad graph "g = x + y; f = g * z" x=2 y=3 z=4 -o fig4.svg --steps fig4.html
  tracegrad graph "((x+y)+(x*y))*z" x=2 y=3 z=4 -o fig5_unnamed.svg
  tracegrad graph "tanh(w*x + b)" w=-3 x=2 b=6.88 -o neuron.png --local-grads
  tracegrad graph "h = x + y; i = x * y; f = (h + i) * z" x=2 y=3 z=4 --code
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `tracegrad` command (all subcommands)."""
    parser = argparse.ArgumentParser(
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
    g.add_argument("--steps", type=Path, metavar="HTML", help="also write a step-through page")
    g.add_argument("--rankdir", choices=RANKDIRS, default="LR", help="layout direction")
    g.add_argument("--local-grads", action="store_true", help="label edges with d out / d in")
    g.add_argument("--precision", type=int, default=4, help="significant digits shown")
    g.add_argument(
        "--forward-only", action="store_true", help="draw before backward(): grads show as '?'"
    )
    g.add_argument(
        "--code",
        action="store_true",
        help="print the forward and backward passes as Python (engine.to_source)",
    )
    g.set_defaults(run=run_graph)

    commands.add_perceptron_parser(sub)
    commands.add_train_parser(sub)
    commands.add_demo_parser(sub)
    return parser


def run_graph(args: argparse.Namespace) -> None:
    """`tracegrad graph`: build, differentiate, print and draw an expression."""
    try:
        root, leaves = build_expression(args.expression, parse_assignments(args.values))
    except ExpressionError as e:
        raise UsageError(str(e)) from None
    if args.output is not None:
        check_output(args.output, (".svg", ".png", ".pdf", ".dot", ".gv"))
    if args.steps is not None:
        check_output(args.steps, (".html",))
    if not args.forward_only:
        root.backward()
    print(f"value: {args.expression} = {root.data:.6g}")
    if not args.forward_only:
        for name, leaf in leaves.items():
            print(f"  d/d{name} = {leaf.grad:.6g}")
    if args.code:
        print(graph_source(root, list(leaves.values())))
    if args.output is not None:
        render(
            root,
            args.output,
            rankdir=args.rankdir,
            show_local_grads=args.local_grads,
            precision=args.precision,
        )
        print(f"wrote {args.output}")
    if args.steps is not None:
        from viz.steps import backward_steps, save_steps_html

        steps = backward_steps(root, rankdir=args.rankdir, precision=args.precision)
        save_steps_html(steps, args.steps, title=f"Backpropagation through {args.expression}")
        print(f"wrote {args.steps} ({len(steps)} steps)")
    if args.output is None and args.steps is None:
        print("add -o graph.svg to draw the graph, --steps steps.html for a step-through")


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
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], None] = args.run
    try:
        run(args)
    except UsageError as e:
        print(f"tracegrad: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except DotNotFoundError as e:
        print(f"tracegrad: error: {e}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except ImportError as e:
        print(f"tracegrad: error: {e}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except (ValueError, TypeError) as e:  # our libraries' clear messages about the input
        print(f"tracegrad: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
