"""Backprop as code: a recorded graph written out as the program it stands for.

Reverse-mode differentiation of a graph is a straight-line program: one assignment
per node going forward, then, going back in the order `backward()` visits the
nodes, one `d_parent += local * d_node` per edge. `to_source` prints that program
for a function traced on Values; `compile` runs it, which costs no node, no walk and
no collector. Figure 5 of the notes:

    >>> print(to_source(lambda x, y, z: ((x + y) + (x * y)) * z, [2.0, 3.0, 4.0],
    ...                 standalone=False))
    ... # doctest: +ELLIPSIS
    def f(x, y, z):
    ...
            # forward: one line per node, parents first
            t1 = x + y
            t2 = x * y
            t3 = t1 + t2
            t4 = t3 * z
    ...
    >>> compile(lambda x, y, z: ((x + y) + (x * y)) * z, [2.0, 3.0, 4.0])(2.0, 3.0, 4.0)
    (44.0, (16.0, 12.0, 11.0))

The contract, proven by tests/engine/test_codegen.py: at any point where the graph
can be built, the compiled function returns the very floats that building the graph
and calling `backward()` gives (the same operations in the same order), and where
the graph raises (an input outside an op's domain, an overflow) the compiled
function rebuilds the graph at that point, so it raises the graph's own error.

The code comes from the graph only: each op's code from its table entry (for the
built-in ops, their forward and derivative traced on symbols by `symbolic`; a call of
the entry's `forward` and `derivative`,
bound under generated names, for ops made with `define_op`). Labels never become
code: a name is taken from a label only when it is a plain ASCII identifier (dots
turned into underscores: `L1.n0.w0` gives `L1_n0_w0`) that nothing else uses;
otherwise a short name (`t1`, `c1`, `x1`) is generated, and any label shown in a
comment is quoted and escaped.

`fn` is traced once: Python control flow on `.data` inside it is frozen into the
code (`compile(..., check_points=...)` re-traces to make sure it is not there).

- `engine.codegen.graph`: reading a graph (the walk `backward()` makes, its shape).
- `engine.codegen.names`: identifiers and escaped comments.
- `engine.codegen.program`: one graph's forward and backward statements.
- `engine.codegen.function`: `to_source`, `compile`.
- `engine.codegen.batch`: a loss summed over many points as one loop (training).
"""

from engine.codegen.function import (
    CompiledFunction,
    compile,  # noqa: A004 - engine.compile, as the issue names it
    exec_source,
    graph_source,
    to_source,
)
from engine.codegen.names import Names, OutsideDomain
from engine.codegen.program import MAX_SIZE, CodeTooLargeError, Program

__all__ = [
    "MAX_SIZE",
    "CodeTooLargeError",
    "CompiledFunction",
    "Names",
    "OutsideDomain",
    "Program",
    "compile",
    "exec_source",
    "graph_source",
    "to_source",
]
