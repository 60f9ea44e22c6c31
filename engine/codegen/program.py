"""A graph as code: the forward and backward statements of a `Program`.

Each computed node becomes one assignment, from its table entry: for a built-in op,
its forward and derivative traced as text (`engine.codegen.symbolic`), or a call of the
`forward` and
`derivative` of an op made with `define_op`, bound in the generated function's
globals under generated names. Guards go before a node whose inputs have a domain:
where the graph would raise, the generated code raises `OutsideDomain` instead and
its caller rebuilds the graph. Each edge becomes one `d_parent += local * d_node`,
in the order `backward()` visits the nodes.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.codegen.graph import construction_order, dot_terms, forward_order
from engine.codegen.names import Names, label_text, literal, quoted
from engine.codegen.symbolic import templates
from engine.fused import NO_TERM, add_in_order
from engine.ops import BUILTIN_NAMES, REALS, Domain, op_named, operands
from engine.value import Value

__all__ = [
    "MANY_EDGES",
    "MAX_SIZE",
    "PASS_NON_FINITE",
    "TERMS_PER_STATEMENT",
    "CodeTooLargeError",
    "Program",
    "check_code_size",
    "sum_lines",
    "zero_lines",
]

_SIMPLE = re.compile(r"([A-Za-z0-9_.]+|\(-[0-9.e+-]+\))\Z")  # a name or number: no brackets
_CALL = re.compile(r"[A-Za-z0-9_.]+\([A-Za-z0-9_., ]*\)\Z")  # f(a, b): none either
MANY_EDGES = 3
"""A node with this many edges skips them while its gradient is 0, as backward() does."""
TERMS_PER_STATEMENT = 100
"""Longer sums are split into statements (Python's compiler recurses on each +)."""
PASS_NON_FINITE = frozenset({"+", "-", "r-", "*", "neg", "sum", "dot"})
"""Ops whose result is NaN or infinite whenever an argument is (IEEE arithmetic:
inf + x, inf * x, inf * 0 are all non-finite), so their arguments need no test."""


def _outside(var: str, domain: Domain) -> list[str]:
    """Conditions, as code, that put `var` outside `domain`."""
    conditions = []
    if math.isfinite(domain.low):
        below = "<" if domain.low_included else "<="
        conditions.append(f"{var} {below} {literal(domain.low)}")
    if math.isfinite(domain.high):
        conditions.append(f"{var} >= {literal(domain.high)}")
    conditions += [f"{var} == {literal(e)}" for e in domain.exclude]
    return conditions


def sum_lines(name: str, terms: list[str], indent: str = "") -> list[str]:
    """`name = t1 + t2 + ...`, split into statements and wrapped lines as needed."""
    lines: list[str] = []
    for start in range(0, max(len(terms), 1), TERMS_PER_STATEMENT):
        chunk = terms[start : start + TERMS_PER_STATEMENT] or ["0.0"]
        if start:
            chunk = [name, *chunk]
        text = f"{indent}{name} = {' + '.join(chunk)}"
        if len(text) <= 100:
            lines.append(text)
            continue
        lines.append(f"{indent}{name} = (")
        row = ""
        for i, term in enumerate(chunk):
            piece = term if i == 0 else f" + {term}" if row else f"+ {term}"
            if row and len(indent) + 4 + len(row) + len(piece) > 96:
                lines.append(f"{indent}    {row}")
                row, piece = "", f"+ {term}"
            row += piece
        lines += [f"{indent}    {row}", f"{indent})"]
    return lines


def zero_lines(names: list[str], indent: str = "") -> list[str]:
    """`a = b = c = 0.0`, as many lines as it takes to stay within 100 characters."""
    lines: list[str] = []
    row: list[str] = []
    for name in names:
        if row and len(indent) + len(" = ".join([*row, name])) + 6 > 100:
            lines.append(f"{indent}{' = '.join(row)} = 0.0")
            row = []
        row.append(name)
    return [*lines, f"{indent}{' = '.join(row)} = 0.0"] if row else lines


def _times(local: str, grad: str) -> str:
    """`local * grad`, simplified where that is exact (1 * g is g, -1 * g is -g)."""
    if local == "1.0":
        return grad
    if local == "-1.0":
        return f"-{grad}"
    bare = _SIMPLE.match(local) or _CALL.match(local)
    return f"{local if bare else f'({local})'} * {grad}"


MAX_SIZE = 50_000
"""The most nodes plus edges a graph written as code may have by default: about 1 s
and 300 MB to generate and compile (see the README's table of bounds)."""


class CodeTooLargeError(ValueError):
    """Raised when a graph is too large to write as code (over its `max_size`)."""


def check_code_size(order: Sequence[Value], max_size: int) -> None:
    """Refuse, before any code is written, a graph of more than `max_size` nodes + edges."""
    if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1:
        raise ValueError(f"max_size must be a positive int, got {max_size!r}")
    size = len(order) + sum(len(v.parents) for v in order)
    if size > max_size:
        raise CodeTooLargeError(
            f"the graph has {len(order):,} computed nodes and {size - len(order):,} edges, "
            f"more than the {max_size:,} nodes plus edges written as code by default "
            f"(about 1 s and 300 MB at the limit); pass max_size={size} (engine.compile, "
            f"to_source, nn.compile_step) to write it anyway"
        )


@dataclass
class _Step:
    """One computed node as code."""

    node: Value
    name: str
    forward: list[str]  # statements that compute `name`
    local: list[str]  # per parent, d node / d parent as an expression
    guards: list[tuple[str, str]] = field(default_factory=list)  # (condition, why)
    setup: list[str] = field(default_factory=list)  # statements before its edges
    note: str = ""


class Program:
    """A graph as code: forward statements, then backward statements.

    Args:
        roots: the values the program computes (one for `to_source`).
        inputs: leaves whose numbers the program takes; every other leaf the roots
            depend on is a constant written into the code.
        names: the name allocator (shared when several programs make one function).
        input_names: the inputs' names (default: from their labels, else `x1`, ...).
        wrt: the inputs whose gradients are wanted (default: all of them).
        training: False (`to_source`): every edge, in the order `backward()` visits
            the nodes, so the floats are backward()'s. True (training, which reads
            only the gradients of `wrt`): only the edges on a path to `wrt`, in any
            order with children first; a node passed through with derivative 1
            (the terms of a chain of `+`) shares its child's gradient variable, and
            edges that multiply by one gradient are skipped together while it is 0.
        helpers: the globals the code needs (functions of ops), shared like `names`.
        unused: computed nodes that the traced function made but the roots do not
            depend on: the program computes them too (so it stops where the graph
            would raise), but no gradient flows from them.
        max_size: the most nodes plus edges written out (see `MAX_SIZE`).

    Raises:
        ValueError: for a node the registry does not know, an n-ary op other than
            `sum` and `dot`, or an input that is not a leaf (or given twice).
        CodeTooLargeError: (a ValueError) for a graph over `max_size`, before any
            code is written.
    """

    def __init__(
        self,
        roots: Sequence[Value],
        inputs: Sequence[Value],
        names: Names,
        *,
        input_names: Sequence[str] | None = None,
        wrt: Sequence[Value] | None = None,
        training: bool = False,
        helpers: dict[str, Any] | None = None,
        unused: Sequence[Value] = (),
        max_size: int = MAX_SIZE,
    ) -> None:
        self.roots, self.inputs, self.names = list(roots), list(inputs), names
        self.unused = list(unused)
        self.helpers: dict[str, Any] = {} if helpers is None else helpers
        self.training = training
        self.var: dict[int, str] = {}
        for i, v in enumerate(self.inputs):
            if v.parents:
                raise ValueError(
                    f"inputs[{i}] = {v!r} is computed, not a leaf: it cannot be an input"
                )
            if id(v) in self.var:
                raise ValueError(f"inputs[{i}] = {v!r} is given twice")
            self.var[id(v)] = (
                input_names[i]
                if input_names is not None
                else names.from_label(label_text(v.label, v.data)) or names.fresh("x")
            )
        order = construction_order(self.roots)
        if self.unused:
            seen = {id(v) for v in order}
            order += [v for v in construction_order(self.unused) if id(v) not in seen]
        check_code_size(order, max_size)
        self.constants: list[Value] = []
        for v in [p for node in order for p in node.parents] + self.roots:
            if not v.parents and id(v) not in self.var:
                self.constants.append(v)
                label = label_text(v.label, v.data)
                self.var[id(v)] = names.from_label(label) or names.fresh("c")
        self.steps = [self._step(node) for node in order]
        if self.unused:
            used = {id(v) for v in forward_order(self.roots)}
            for step in self.steps:
                if id(step.node) not in used:
                    note = "unused by the result, computed for its errors"
                    step.note = f"{step.note}, {note}" if step.note else note
        by_id = {id(step.node): step for step in self.steps}
        backward_order = order if training else forward_order(self.roots)
        wanted = {id(v) for v in (self.inputs if wrt is None else wrt)}
        self.wrt = [v for v in self.inputs if id(v) in wanted]
        self.leads = set(wanted)  # ids of the nodes a wanted gradient flows through
        for node in order:
            if any(id(p) in self.leads for p in node.parents):
                self.leads.add(id(node))
        self.edges = [  # per node, children first: the edges written, (parent, local)
            (step, [(p, d) for p, d in zip(step.node.parents, step.local) if self._needed(p)])
            for step in (by_id[id(node)] for node in reversed(backward_order))
        ]
        self.alias: dict[int, Value] = {}  # node -> the child whose gradient it shares
        if training:
            uses = Counter(id(p) for _, kept in self.edges for p, _ in kept)
            own = {id(v) for v in [*self.roots, *self.inputs, *self.constants]}
            for step, kept in self.edges:
                for p, d in kept:
                    if d == "1.0" and uses[id(p)] == 1 and id(p) not in own:
                        self.alias[id(p)] = self.alias.get(id(step.node), step.node)

    # ------------------------------------------------------------- per node

    def name(self, v: Value | float) -> str:
        """The variable of a node, or a constant's literal."""
        return self.var[id(v)] if isinstance(v, Value) else literal(v)

    def helper(self, obj: Any, wish: str, *, numbered: bool = False) -> str:
        """The global name the code calls `obj` by: `wish` if free (or numbered:
        `wish1`, `wish2`, ...), else the first free numbered one."""
        for bound_name, bound in self.helpers.items():
            if bound is obj:
                return bound_name
        taken = None if numbered else self.names.take(wish, is_global=True)
        name = taken or self.names.fresh(wish, is_global=True)
        self.helpers[name] = obj
        return name

    def _step(self, node: Value) -> _Step:
        entry = op_named(node.op)
        if entry is None:
            raise ValueError(f"cannot compile {node!r}: its op {node.op!r} is not in the registry")
        label = label_text(node.label, node.data)  # its characters, never its methods
        name = self.names.from_label(label) or self.names.fresh("t")
        self.var[id(node)] = name
        note = quoted(label) if label and label != name else ""
        if node.op == "sum":  # engine.sum adds its plain numbers (`const`) first
            start = NO_TERM if node.const is None else node.const
            if add_in_order((p.data for p in node.parents), start) != node.data:
                raise ValueError(
                    f"cannot compile {node!r}: its parents and constant do not add up to its"
                    " data (were its fields changed by hand?)"
                )
            terms = [self.name(p) for p in node.parents]
            local = ["1.0"] * len(terms)
            if node.const is not None:
                terms.insert(0, literal(node.const))
            return _Step(node, name, sum_lines(name, terms), local, note=note)
        if node.op == "dot":  # the products in order, then the constant (`const`)
            pairs, dot_local = dot_terms(node)
            terms = [
                self.name(a)
                if isinstance(b, float) and b == 1.0
                else f"{self.name(a)} * {self.name(b)}"
                for a, b in pairs
            ]
            if node.const is not None:
                terms.append(literal(node.const))
            return _Step(
                node, name, sum_lines(name, terms), [self.name(v) for v in dot_local], note=note
            )
        if entry.arity is None or entry.derivative is None:
            raise ValueError(f"cannot compile {node!r}: the op {entry.name!r} has no derivative")
        args = operands(node)
        at = [i for i, a in enumerate(args) if isinstance(a, Value)]  # parents' positions
        assert len(at) == len(node.parents), (node.op, args)
        step = _Step(node, name, [], [], note=note)
        for i in at:
            var = self.name(args[i])
            # Beside a constant, as the table says (`x ** 1.5` needs x >= 0).
            given = node.const is not None
            domain = entry.domain_given(i, node.const) if given else entry.domain(i)  # type: ignore[arg-type]
            conditions = [] if domain == REALS else _outside(var, domain)
            called = f"{entry.name}()" if entry.name.isidentifier() else entry.name
            why = f"{called} needs {domain.text}"  # log() needs ..., / needs ...
            if conditions:
                step.guards.append((" or ".join(conditions), why))
        keys = dict(zip("ab", map(self.name, args)), out=name)
        if entry.name in BUILTIN_NAMES:  # traced from the table (engine.codegen.symbolic)
            forward, partials = templates(entry)
            if "{forward}" in forward:
                keys["forward"] = self.helper(entry.forward, entry.name)
            step.forward = [f"{name} = {forward.format(**keys)}"]
            step.local = [partials[i].format(**keys) for i in at]
            return step
        # An op made with define_op: call its functions, bound under generated names.
        fwd = self.helper(entry.forward, "op", numbered=True)
        der = self.helper(entry.derivative, f"{fwd}_d")
        step.note = f"op {quoted(entry.name)}" + (f", {note}" if note else "")
        arguments = ", ".join(keys[k] for k in "ab"[: len(args)])
        step.forward = [f"{name} = float({fwd}({arguments}))"]
        if len(args) == 1:
            step.local = [f"float({der}({arguments}, {name}))"]  # as the graph converts it
        else:  # the graph keeps both derivatives as floats: map(float, ...)
            da, db = self.names.fresh(f"{name}_d"), self.names.fresh(f"{name}_d")
            step.setup = [f"{da}, {db} = map(float, {der}({arguments}, {name}))"]
            step.local = [(da, db)[i] for i in at]
        return step

    # ------------------------------------------------------------- the passes

    def forward(self) -> list[str]:
        """The forward statements: constants, then each node (after its guards)."""
        lines = [
            f"{self.var[id(c)]} = {literal(c.data)}  # a constant Value" for c in self.constants
        ]
        for step in self.steps:
            for condition, why in step.guards:
                lines.append(f"if {condition}:  # {quoted(why, 60)}")
                lines.append("    raise OutsideDomain")
            *head, last = step.forward
            lines += head
            lines.append(f"{last}  # {step.note}" if step.note else last)
        return lines

    def grad(self, v: Value) -> str:
        """The gradient variable of a node (shared with its child's when passed through)."""
        return self.names.grad(self.var[id(self.alias.get(id(v), v))])

    def _needed(self, v: Value) -> bool:
        return not self.training or id(v) in self.leads

    def backward(self, seeds: Mapping[Value, str], *, zero_wrt: bool = True) -> list[str]:
        """The backward statements: one `+=` per edge, each with its local derivative.

        Args:
            seeds: the starting gradient (an expression) of some roots; the other
                roots' gradients must be set before these statements run.
            zero_wrt: start the wanted inputs' gradients at 0 (False: the caller
                does, to add up over many points).
        """
        own = {id(r) for r in self.roots} | ({id(v) for v in self.wrt} if not zero_wrt else set())
        lines = [f"{self.grad(r)} = {expr}" for r, expr in seeds.items()]
        zero = {self.grad(p): None for _, kept in self.edges for p, _ in kept}
        if zero_wrt:
            zero.update((self.grad(v), None) for v in self.wrt)
        for i in own:
            zero.pop(self.names.grad(self.var[i]), None)
        lines += zero_lines(list(zero))
        groups: list[tuple[str, list[str], int]] = []  # (gradient, statements, edges)
        for step, kept in self.edges:
            g = self.grad(step.node)
            block = list(step.setup)
            for p, local in kept:
                if id(p) in self.alias:
                    continue  # its gradient is g itself: nothing to add
                shown = {"1.0": "1", "-1.0": "-1"}.get(local, local)
                edge = f"{self.grad(p)} += {_times(local, g)}"
                block.append(f"{edge}  # d {step.name} / d {self.var[id(p)]} = {shown}")
            if len(block) == len(step.setup):
                continue
            if self.training and groups and groups[-1][0] == g:
                groups[-1] = (g, groups[-1][1] + block, groups[-1][2] + len(block))
            else:
                groups.append((g, block, len(block)))
        for g, block, n in groups:
            if n >= MANY_EDGES:  # as backward() does: nothing flows from a 0
                lines.append(f"if {g}:")
                block = ["    " + line for line in block]
            lines += block
        return lines

    def checked(self) -> list[str]:
        """The values to test for NaN and infinity after the forward statements.

        A value that is not finite makes the result of `+`, `-`, `*`, `sum` or `dot`
        not finite too, so a value feeding one of those is covered by it; the others
        (the roots, and the arguments of every other op, which may turn infinity into
        a number) are tested. Constants are finite.
        """
        covered: set[int] = set()
        for step in self.steps:
            if step.node.op in PASS_NON_FINITE:
                covered.update(id(p) for p in step.node.parents)
        ends = {id(r) for r in [*self.roots, *self.unused]}
        covered -= ends
        nodes = [*self.inputs, *(step.node for step in self.steps)]
        in_graph = {id(p) for step in self.steps for p in step.node.parents} | ends
        return [self.var[id(v)] for v in nodes if id(v) in in_graph and id(v) not in covered]

    def leaf_gradients(self) -> list[str]:
        """The gradients of the leaves: with every edge written, a gradient that is not
        finite anywhere makes one of these not finite (0 times infinity is NaN)."""
        leaves = [*self.wrt, *(c for c in self.constants if self._needed(c))]
        return list(dict.fromkeys(self.grad(v) for v in leaves))
