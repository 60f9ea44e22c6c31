"""`to_source` and `compile`: trace a function on Values, write it out, run it."""

from __future__ import annotations

import builtins
import inspect
import linecache
import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import count
from typing import Any, Protocol

from engine.checks import as_float
from engine.codegen.graph import construction_order, structure
from engine.codegen.names import Names, OutsideDomain, check_name, label_text
from engine.codegen.program import MAX_SIZE, Program, sum_lines
from engine.grad_mode import is_grad_enabled
from engine.ops import op_named
from engine.value import Value

__all__ = ["CompiledFunction", "compile", "exec_source", "graph_source", "to_source"]


class CompiledFunction(Protocol):
    """What `compile` returns: the generated function, with its text in `.source`."""

    source: str

    def __call__(self, *inputs: float) -> tuple[float, tuple[float, ...]]: ...


@dataclass
class _Trace:
    fn: Callable[..., Any]
    inputs: list[Value]
    root: Value
    names: list[str]
    unused: list[Value]  # computed from the inputs, but not used by the root


def _as_values(example_inputs: Sequence[Any], what: str) -> list[float]:
    if isinstance(example_inputs, str | bytes) or not hasattr(example_inputs, "__len__"):
        raise TypeError(f"{what} must be a sequence of numbers, got {example_inputs!r:.80}")
    return [
        x.data if isinstance(x, Value) else as_float(x, f"{what}[{i}]")
        for i, x in enumerate(example_inputs)
    ]


def _call(fn: Callable[..., Any], values: list[Value]) -> Value:
    if not is_grad_enabled():
        raise RuntimeError("cannot trace inside no_grad(): nothing would be recorded")
    out = fn(*values)
    if not isinstance(out, Value):
        raise TypeError(f"fn must return a Value, got {out!r:.80}")
    return out


def _trace(fn: Callable[..., Any], example_inputs: Sequence[Any], names: Names) -> _Trace:
    """Call `fn` on fresh Values made from the example inputs, labelled with their names."""
    if not callable(fn):
        raise TypeError(f"fn must be a function of Values, got {fn!r:.80}")
    data = _as_values(example_inputs, "example_inputs")
    try:
        params = [
            p.name
            for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):  # builtins and some callables have no signature
        params = []
    chosen: list[str] = []
    for i, x in enumerate(example_inputs):
        wishes = [label_text(x.label, x.data)] if isinstance(x, Value) else []
        wishes += params[i : i + 1]
        found = next(filter(None, map(names.from_label, wishes)), None)
        chosen.append(found or names.fresh("x"))
    values = [Value(d, name) for d, name in zip(data, chosen)]
    made: list[Any] = []
    root = _watched(fn, values, made)
    return _Trace(fn, values, root, chosen, _unused(made, root, values))


def _watched(fn: Callable[..., Any], values: list[Value], made: list[Any]) -> Value:
    """`_call(fn, values)`, keeping every Value (or list of them) a Python function
    returned on the way: the nodes `fn` made, also those its result does not use.

    The watch is this thread's profile hook (`sys.setprofile`), set for the call only;
    a profiler already watching the thread is called on from it and put back after.
    """
    previous = sys.getprofile()
    keep = made.append

    def watch(frame: Any, event: Any, arg: Any) -> None:
        if event == "return" and (isinstance(arg, Value) or type(arg) in (list, tuple)):
            keep(arg)
        if previous is not None:
            previous(frame, event, arg)

    sys.setprofile(watch)
    try:
        return _call(fn, values)
    finally:
        sys.setprofile(previous)


def _unused(made: list[Any], root: Value, inputs: list[Value]) -> list[Value]:
    """The computed nodes among `made` that depend on an input but not the root on them.

    Where such a node raises (`x.log()` at a negative x), the graph raises too, though
    its result never uses the node: the generated code must compute it as well.
    """
    nodes: dict[int, Value] = {}
    for item in made:
        for v in [item] if isinstance(item, Value) else item:
            if isinstance(v, Value) and v.parents:
                nodes[id(v)] = v
    used = {id(v) for v in root.topological_order()}
    candidates = [v for i, v in nodes.items() if i not in used]
    if not candidates:
        return []
    # A node depends on an input if one of its parents is an input or such a node.
    depends = {id(v) for v in inputs}
    out = []
    for v in construction_order(candidates):  # their ancestors too, used ones among them
        if any(id(p) in depends for p in v.parents):
            depends.add(id(v))
            if id(v) in nodes and id(v) not in used:
                out.append(v)
    return out


def _render(program: Program, name: str) -> str:
    """The text of the generated function (see `to_source`)."""
    params = [program.var[id(v)] for v in program.inputs]
    root = program.roots[0]
    grads = [program.grad(v) for v in program.inputs]
    result = f"{program.name(root)}, ({', '.join(grads)}{',' if len(grads) == 1 else ''})"
    returns = ", ".join(f"d {program.name(root)} / d {p}" for p in params)
    lines = [
        f"def {name}({', '.join(params)}):",
        f'    """Return {program.name(root)} and its gradient ({returns}).',
        "",
        "    Written out from a recorded graph by engine.to_source: where the graph would",
        "    raise (an input that is not a float, a number outside an op's domain, NaN or",
        "    infinity), on_graph() rebuilds the graph at this point and raises its error.",
        '    """',
    ]
    if params:
        chain = " is ".join(f"type({p})" for p in params)
        lines += [f"    if not {chain} is float:", f"        return on_graph({', '.join(params)})"]
    body = ["# forward: one line per node, parents first", *program.forward()]
    body += ["# backward: one += per edge, in the order backward() visits the nodes"]
    body += program.backward({root: "1.0"})
    body += sum_lines("total", program.checked() + program.leaf_gradients())
    lines += ["    try:", *("        " + line for line in body)]
    lines += [
        "    except (ArithmeticError, ValueError, TypeError):",
        "        total = NAN",
        "    if total - total:  # NaN or infinity somewhere, or an error above",
        f"        return on_graph({', '.join(params)})",
        f"    return {result}",
    ]
    return "\n".join(lines) + "\n"


def _program(traced: _Trace, names: Names, max_size: int) -> Program:
    return Program(
        [traced.root],
        traced.inputs,
        names,
        input_names=traced.names,
        unused=traced.unused,
        max_size=max_size,
    )


def graph_source(
    root: Value,
    inputs: Sequence[Value],
    *,
    name: str = "f",
    max_size: int = MAX_SIZE,
    standalone: bool = True,
) -> str:
    """The source `to_source` writes, for a graph already built on `inputs`.

    The inputs are leaves of the graph; they are named after their labels (or
    `x1`, `x2`, ...). The graph is only read. `standalone` as for `to_source`.

    Raises:
        TypeError: if a node's label is not a str (set by hand, `y.label = 123`).
        ValueError: as `to_source`.

    Example:
        >>> from engine import Value
        >>> x = Value(3.0, "x")
        >>> lines = graph_source(x * x, [x], standalone=False).splitlines()
        >>> lines[0], lines[11].strip(), lines[-1].strip()
        ('def f(x):', 't1 = x * x', 'return t1, (d_x,)')
    """
    name = check_name(name)
    names = Names([name], fixed=["total"])
    program = Program([root], inputs, names, max_size=max_size)
    source = _render(program, name)
    return _standalone(program, source, name) if standalone else source


def to_source(
    fn: Callable[..., Value],
    example_inputs: Sequence[Any],
    *,
    name: str = "f",
    max_size: int = MAX_SIZE,
    standalone: bool = True,
) -> str:
    """Trace `fn` on Values and write its forward and backward passes as Python.

    `fn` is called once, with one Value per example input (so `fn(x, y, z)`); the
    returned text defines `name(...)`, a function of plain floats returning the
    output and the gradient with respect to each input, `(value, (d1, d2, ...))`:
    one assignment per node, then one `+=` per edge, each commented with its local
    derivative, in the order `backward()` visits the nodes. `compile` runs it.

    Names come from the inputs' labels (when they are Values), else from `fn`'s
    parameter names, and from intermediate Values' labels; other nodes get short
    names (`t1`, ...). Labels never become code: see the module docstring.

    With `standalone` (the default) the text first defines what the function uses
    (`math`, `NAN`, an `on_graph` that raises where the graph would), so it runs when
    pasted into a file of its own; without, it is the function alone, as `compile`
    runs it.

    The graph is the one built at the example inputs: Python control flow on
    `.data` inside `fn` (an `if`, `max(...)` of data) is frozen into the text.

    A graph of more than `max_size` nodes plus edges (50,000 by default: about 1 s
    and 300 MB to write and compile) is refused with a CodeTooLargeError before
    any code is written; pass a larger `max_size` to write it anyway.

    Raises:
        TypeError: if `fn` is not callable, does not return a Value, an input is
            not a number, or a node's label is not a str.
        ValueError: for a graph that cannot be written out (see `Program`) or a
            `name` that is not a plain identifier; CodeTooLargeError (a
            ValueError) for one over `max_size`.
    """
    name = check_name(name)
    names = Names([name], fixed=["total"])
    traced = _trace(fn, example_inputs, names)
    program = _program(traced, names, max_size)
    source = _render(program, name)
    return _standalone(program, source, name) if standalone else source


def _standalone(program: Program, source: str, name: str) -> str:
    """`source` with the globals it uses defined above it, so that it runs when pasted.

    `compile` gives the code an `on_graph` that rebuilds the graph to raise the
    graph's own error; a pasted copy has no graph, so its `on_graph` raises a plain
    ValueError instead. Ops made with `define_op` call their Python functions, which
    no text can carry: the header names them.
    """
    lines = ["import math", "", "NAN = math.nan"]
    if "OutsideDomain" in source:
        lines += ["", "", "class OutsideDomain(ValueError):", '    """A guard of the code."""']
    lines += [
        "",
        "",
        "def on_graph(*point):",
        '    """Where the graph would raise, this copy, which has no graph, raises."""',
        "    if int in set(map(type, point)) <= {int, float}:  # ints: as floats",
        f"        return {name}(*[float(p) for p in point])",
        "    raise ValueError(",
        '        f"no finite value or gradient at {point!r}: an input is not a float, is"',
        '        " outside an op\'s domain, or a number overflowed (tracegrad names which)"',
        "    )",
    ]
    custom = sorted(program.helpers)
    if custom:
        lines += [
            "",
            f"# needs {', '.join(custom)}: the Python functions of ops made with define_op,",
            "# which this text cannot carry; engine.compile binds them.",
        ]
    return "\n".join(lines) + "\n\n\n" + source


# ------------------------------------------------------------------ compile

_serial = count(1)


def exec_source(source: str, name: str, helpers: Mapping[str, Any]) -> Any:
    """Run generated `source` with its helpers as globals; return the function `name`.

    The text is registered with `linecache`, so tracebacks through it show its lines.
    """
    filename = f"<tracegrad generated {name} #{next(_serial)}>"
    namespace: dict[str, Any] = {
        "__builtins__": builtins,
        "math": math,
        "NAN": math.nan,
        "OutsideDomain": OutsideDomain,
        **helpers,
    }
    exec(builtins.compile(source, filename, "exec"), namespace)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return namespace[name]


def _rebuild(fn: Callable[..., Any], values: list[Value], want: Any) -> Value:
    """Build the graph on `values`; raise unless it is the traced program."""
    out = _call(fn, values)
    if structure([out], values) != want:
        point = tuple(v.data for v in values)
        raise ValueError(
            f"fn builds a different graph at {point!r} than at the traced inputs:"
            " its Python control flow depends on .data (an if, a max of data), which"
            " compiled code freezes at tracing; compile it where it keeps one shape"
        )
    return out


def compile(  # noqa: A001 - engine.compile, as the issue names it
    fn: Callable[..., Value],
    example_inputs: Sequence[Any],
    *,
    name: str = "f",
    check_points: Iterable[Sequence[Any]] = (),
    max_size: int = MAX_SIZE,
) -> CompiledFunction:
    """A function of plain floats computing `fn` and its gradient, from generated code.

    `compile(fn, xs)(*point)` returns `(value, (d value / d input, ...))`, the same
    floats that `v = fn(*[Value(p) ...]); v.backward()` gives at that point, with
    no graph built. Its `.source` is the text of `to_source(fn, xs)`.

    Data-dependent ops (relu, step, abs, the sign tests of a sigmoid) are decided
    at run time. But `fn` is traced once, at `example_inputs`: Python control flow
    on `.data` inside `fn` (`if x.data > 0: ...`, a constant such as `max(z.data
    for z in zs)`) is frozen at tracing. Pass `check_points` to re-trace at other
    points: compiling is refused when the graph's shape (ops, edges, constants)
    differs there.

    Where the graph would raise (a number outside an op's domain, an overflow, a
    non-finite input), the compiled function builds the graph at that point instead,
    so it raises the graph's own error, naming the op and its operand (labels are
    the input names). If that graph has another shape, it says so (ValueError). Ints
    and other real numbers are taken as floats. Nodes `fn` makes that its result
    does not use are computed too, so their errors are the graph's.

    The function keeps the ops it was compiled with: an op redefined afterwards
    (`define_op(..., replace=True)`) changes nothing in it, for any input; where it
    would have to rebuild the graph with the new op, it raises RuntimeError instead.

    Args:
        fn: a function of Values, one per input, returning a Value.
        example_inputs: the numbers (or Values) to trace at.
        name: the generated function's name.
        check_points: more points (one number per input) where `fn` must build a
            graph of the same shape.
        max_size: the most nodes plus edges compiled (see `to_source`).

    Raises:
        ValueError: if the graph differs at a check point or cannot be compiled;
            CodeTooLargeError (a ValueError) if it is over `max_size`.
        TypeError: as `to_source`.

    Example:
        >>> f = compile(lambda x: (x * x).relu() + x.log(), [2.0])
        >>> f(3.0) == (9.0 + math.log(3.0), (6.0 + 1.0 / 3.0,))
        True
        >>> f(-1.0)
        Traceback (most recent call last):
        ...
        ValueError: log() needs a positive input, got Value(data=-1.0, label='x')
    """
    name = check_name(name)
    names = Names([name], fixed=["total"])
    traced = _trace(fn, example_inputs, names)
    want = structure([traced.root], traced.inputs)
    for point in check_points:
        data = _as_values(point, "a check point")
        if len(data) != len(traced.names):
            raise ValueError(
                f"check point {point!r} has {len(data)} numbers, fn takes {len(traced.names)}"
            )
        _rebuild(fn, [Value(x, label) for x, label in zip(data, traced.names)], want)
    program = _program(traced, names, max_size)
    source = _render(program, name)
    labels = traced.names
    entries = {step.node.op: op_named(step.node.op) for step in program.steps}

    def on_graph(*point: Any) -> tuple[float, tuple[float, ...]]:
        if len(point) == len(labels) and not all(type(x) is float for x in point):
            try:  # ints, numpy floats: as floats (anything else: the graph's error)
                floats = [as_float(x, "input") for x in point]
            except (TypeError, ValueError):
                pass
            else:
                return compiled(*floats)
        for op, entry in entries.items():
            if op_named(op) is not entry:
                raise RuntimeError(
                    f"the op {op!r} was redefined or removed after this function was"
                    " compiled, which keeps the op it was compiled with: compile it again"
                )
        values = [Value(x, label) for x, label in zip(point, labels)]
        out = _rebuild(fn, values, want)
        out.backward()
        return out.data, tuple(v.grad for v in values)

    program.helpers["on_graph"] = on_graph
    compiled: CompiledFunction = exec_source(source, name, program.helpers)
    compiled.source = source
    compiled.__qualname__ = name  # type: ignore[attr-defined]
    return compiled
