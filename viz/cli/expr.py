"""Building a graph from expression text such as "((x+y)+(x*y))*z", safely.

The text is parsed with `ast` and only a whitelist of node types is accepted: numbers,
variable names, + - * / **, unary minus and plus, and calls of the engine's functions
by name. Intermediate results may be named, as the notes name them, with statements
separated by `;`: "h = x + y; i = x * y; f = (h + i) * z". Each statement is
`NAME = expression`, the last may be a bare expression, and each name labels the node
it is given to. Nothing is ever passed to `eval`, `exec` or `compile`, so text such as
`__import__('os').system(...)` is rejected before anything runs.
"""

from __future__ import annotations

import ast
import difflib
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping

from engine import Value
from engine.ops import one_input_ops

MAX_LENGTH = 2000  # longer text is refused before parsing: no pathological inputs

_BINARY: dict[type[ast.operator], Callable[[object, object], object]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}

# The functions an expression may call: every one-input op of the engine's registry.
FUNCTIONS: dict[str, Callable[[Value], Value]] = {op.name: op.apply for op in one_input_ops()}


class ExpressionError(ValueError):
    """Raised for expression text that cannot be turned into a graph."""


def parse_assignments(items: list[str]) -> dict[str, float]:
    """Parse `name=number` words, such as command-line arguments, into a dict.

    Raises:
        ExpressionError: for a word without "=", a bad name, a repeated name or a
            value that is not a finite number.

    Spaces around "=" are understood: `x = 2` arrives as the words "x", "=", "2".

    Example:
        >>> parse_assignments(["x=2", "y=-3.5"])
        {'x': 2.0, 'y': -3.5}
        >>> parse_assignments(["x", "=", "2", "y=", "3"])
        {'x': 2.0, 'y': 3.0}
    """
    values: dict[str, float] = {}
    joined = " ".join(items)
    if "=" in joined and re.fullmatch(r"\s*(?:[^\s=]+\s*=\s*[^\s=]+\s*)+", joined):
        items = ["=".join(pair) for pair in re.findall(r"([^\s=]+)\s*=\s*([^\s=]+)", joined)]
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep:
            raise ExpressionError(f"expected name=value, got {item!r} (such as x=2)")
        if not name.isidentifier():
            raise ExpressionError(f"invalid variable name {name!r} in {item!r}")
        if name in values:
            raise ExpressionError(f"variable {name!r} is given twice")
        try:
            number = float(text)  # float() parses numbers only; it never evaluates code
        except ValueError:
            raise ExpressionError(f"the value of {name!r} is not a number: {text!r}") from None
        if not math.isfinite(number):
            raise ExpressionError(f"the value of {name!r} must be finite, got {text!r}")
        values[name] = number
    return values


def build_expression(text: str, variables: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """Parse `text` and compute it on Values, returning the root and the variables.

    Each variable becomes a leaf labelled with its name. A node given a name by a
    statement (`h = x + y`) is labelled with that name; any other computed node with
    the (shortened) sub-expression it computes. The root is the last statement's value.

    Args:
        text: an expression, e.g. "((x+y)+(x*y))*z" or "tanh(w*x + b)", or statements
            separated by `;` that name intermediate results, e.g.
            "h = x + y; i = x * y; f = (h + i) * z".
        variables: a number for every input name used in the text.

    Returns:
        The root Value and a dict from input name to its leaf Value.

    Raises:
        ExpressionError: for syntax errors, anything outside the whitelist, unknown
            or missing or unused variables, names that are reused or shadow an input
            or a function, and maths errors (log of a negative, ...).

    Example:
        >>> f, leaves = build_expression("((x+y)+(x*y))*z", {"x": 2, "y": 3, "z": 4})
        >>> f.backward()
        >>> f.data, leaves["x"].grad, leaves["y"].grad, leaves["z"].grad
        (44.0, 16.0, 12.0, 11.0)
        >>> f, _ = build_expression("h = x + y; i = x * y; f = (h + i) * z",
        ...                         {"x": 2, "y": 3, "z": 4})
        >>> f.label, [p.label for p in f.parents], [p.label for p in f.parents[0].parents]
        ('f', ['h + i', 'z'], ['h', 'i'])
    """
    tree = _parse(text)
    source = text.strip()
    program = _statements(tree, source)
    inputs, never_used = _inputs(program, source, variables)
    unknown = sorted(n for n in inputs if n not in variables)
    if unknown:
        known = [*variables, *(name for name, _ in program if name is not None)]
        raise ExpressionError(
            f"no value given for {', '.join(map(repr, unknown))}: add "
            + " ".join(f"{n}=<number>" for n in unknown)
            + did_you_mean(unknown[0], known)
        )
    if never_used:
        raise ExpressionError(
            f"{', '.join(map(repr, never_used))} assigned but never used: use it or leave it out"
        )
    unused = sorted(n for n in variables if n not in inputs)
    if unused:
        raise ExpressionError(f"{', '.join(map(repr, unused))} not used in {text!r}")
    leaves = {name: Value(float(variables[name]), name) for name in sorted(inputs)}
    named: dict[str, Value | float] = dict(leaves)
    root: Value | float = 0.0
    try:
        for name, expr in program:
            root = _compute(expr, named, source)
            if name is not None:
                _name_node(name, root, named, expr, source)
                named[name] = root
    except (ValueError, ZeroDivisionError, OverflowError) as e:
        if isinstance(e, ExpressionError):
            raise
        raise ExpressionError(f"cannot compute {text!r}: {e}") from None
    if not isinstance(root, Value):
        raise ExpressionError(f"{text!r} has no variables: nothing to differentiate")
    return root, leaves


def input_names(text: str) -> list[str]:
    """The names `text` reads without assigning them: the values `build_expression` needs.

    Raises:
        ExpressionError: for everything `build_expression` refuses before computing.

    Example:
        >>> input_names("h = x + y; i = x * y; f = (h + i) * z")
        ['x', 'y', 'z']
    """
    program = _statements(_parse(text), text.strip())
    inputs, _ = _inputs(program, text.strip(), {})
    return sorted(inputs)


def _parse(text: str) -> ast.Module:
    """`text` parsed as Python statements (never run), or an ExpressionError that explains."""
    if not isinstance(text, str):
        raise ExpressionError(f"the expression must be text, got {text!r}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text)} characters long, more than {MAX_LENGTH}"
        )
    if not text.strip():
        raise ExpressionError("the expression is empty")
    source = text.strip()
    try:
        tree = ast.parse(source, mode="exec")
    except SyntaxError as e:
        juxtaposed = re.search(r"(?<![\w.])(\d+(?:\.\d*)?)([A-Za-z_]\w*)", source)
        hint = ""
        if juxtaposed and not re.fullmatch(r"[eE][+-]?\d*|[jJ]", juxtaposed.group(2)):
            number, name = juxtaposed.groups()
            hint = f": a product needs its *, as in {number}*{name} for {number}{name}"
        raise ExpressionError(
            f"syntax error in {text!r}: {e.msg} (column {e.offset}){hint}"
        ) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(f"the expression is nested too deeply: {text[:40]!r}...") from None
    return tree


def _statements(tree: ast.Module, text: str) -> list[tuple[str | None, ast.expr]]:
    """The (name, expression) of each statement; the name is None for a bare expression."""
    form = "statements are NAME = expression, separated by ';' (the last may be a bare expression)"
    program: list[tuple[str | None, ast.expr]] = []
    for k, stmt in enumerate(tree.body):
        last = k == len(tree.body) - 1
        if isinstance(stmt, ast.Expr):
            if not last:
                raise ExpressionError(
                    f"{_source(stmt, text)!r} computes a value nobody uses: only the last"
                    f" statement may be a bare expression; name it, as in h = {_source(stmt, text)}"
                )
            program.append((None, stmt.value))
        elif isinstance(stmt, ast.Assign):
            target = stmt.targets[0]
            if len(stmt.targets) != 1 or not isinstance(target, ast.Name):
                raise ExpressionError(f"{_source(stmt, text)!r} is not allowed: {form}")
            program.append((target.id, stmt.value))
        else:
            raise ExpressionError(f"{_source(stmt, text)!r} is not allowed: {form}")
    if not program:
        raise ExpressionError("the expression is empty")
    return program


def _inputs(
    program: list[tuple[str | None, ast.expr]], text: str, variables: Mapping[str, float]
) -> tuple[set[str], list[str]]:
    """Check the names of `program`.

    Returns:
        The input names (used, never assigned) and the names assigned but never used.
    """
    assigned_at: dict[str, int] = {}
    for k, (name, _) in enumerate(program):
        if name is None:
            continue
        if name in FUNCTIONS:
            raise ExpressionError(f"{name!r} is a function: give the result another name")
        if name.startswith("_"):
            raise ExpressionError(f"names starting with '_' are not allowed: {name!r}")
        if name in variables:
            raise ExpressionError(
                f"{name!r} is an input (given {name}={variables[name]:g}) and cannot also be"
                f" assigned: give the result another name"
            )
        if name in assigned_at:
            raise ExpressionError(f"{name!r} is assigned twice: give each result its own name")
        assigned_at[name] = k
    inputs: set[str] = set()
    used: set[str] = set()
    for k, (_, expr) in enumerate(program):
        for n in _check(expr, text):
            if n not in assigned_at:
                inputs.add(n)
            elif assigned_at[n] >= k:
                raise ExpressionError(
                    f"{n!r} is used before it is given a value: assign {n} = ... in an earlier"
                    " statement"
                )
            used.add(n)
    last = program[-1][0]
    return inputs, sorted(n for n in assigned_at if n not in used and n != last)


def _name_node(
    name: str, value: Value | float, named: Mapping[str, Value | float], expr: ast.expr, text: str
) -> None:
    """Label the node a statement made with its name (it must be a new node)."""
    if not isinstance(value, Value):
        return  # a constant: no node to label
    for other, node in named.items():
        if node is value:
            raise ExpressionError(
                f"{name} = {_source(expr, text)} makes no new node, it only renames {other!r}:"
                f" use {other} itself"
            )
    value.label = name


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """' (did you mean 'tanh'?)' when `name` looks like a typo of a candidate, else ''.

    >>> did_you_mean("tahn", ["tanh", "relu"]), did_you_mean("zzz", ["tanh"])
    (" (did you mean 'tanh'?)", '')
    """
    candidates = list(candidates)
    same = [c for c in candidates if c.lower() == name.lower()]  # lr for LR
    close = same or difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check(node: ast.AST, text: str) -> set[str]:
    """Reject anything outside the whitelist; return the variable names used."""
    names: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Constant):
            if isinstance(n.value, bool) or not isinstance(n.value, int | float):
                raise ExpressionError(f"only numbers are allowed as constants, got {n.value!r}")
        elif isinstance(n, ast.Name):
            if n.id in FUNCTIONS:
                raise ExpressionError(f"{n.id!r} is a function: call it, as in {n.id}(x)")
            if n.id.startswith("_"):
                raise ExpressionError(f"names starting with '_' are not allowed: {n.id!r}")
            names.add(n.id)
        elif isinstance(n, ast.BinOp):
            if isinstance(n.op, ast.BitXor):
                raise ExpressionError(
                    f"operator {_source(n, text)!r} is not allowed: use ** for powers"
                    " (^ is not a power here), as in x**2"
                )
            if type(n.op) not in _BINARY:
                raise ExpressionError(
                    f"operator {_source(n, text)!r} is not allowed (allowed: + - * / **)"
                )
            stack += [n.left, n.right]
        elif isinstance(n, ast.UnaryOp):
            if not isinstance(n.op, ast.USub | ast.UAdd):
                raise ExpressionError(
                    f"{_source(n, text)!r} is not allowed (allowed: unary - and +)"
                )
            stack.append(n.operand)
        elif isinstance(n, ast.Call):
            func = n.func
            if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
                hint = did_you_mean(func.id, FUNCTIONS) if isinstance(func, ast.Name) else ""
                raise ExpressionError(
                    f"calling {_source(func, text)!r} is not allowed "
                    f"(allowed functions: {', '.join(sorted(FUNCTIONS))}){hint}"
                )
            if n.keywords or len(n.args) != 1:
                raise ExpressionError(
                    f"{func.id}() takes exactly one argument: {_source(n, text)!r}"
                )
            stack.append(n.args[0])
        else:
            raise ExpressionError(
                f"{_source(n, text)!r} is not allowed: use numbers, variables, + - * / ** and "
                f"the functions {', '.join(sorted(FUNCTIONS))}"
            )
    return names


def _source(node: ast.AST, text: str) -> str:
    """The text of `node` as written (no recursion, unlike ast.unparse), shortened."""
    segment = ast.get_source_segment(text, node) or type(node).__name__
    segment = " ".join(segment.split())
    return segment if len(segment) <= 40 else segment[:37] + "..."


def _compute(root: ast.expr, leaves: Mapping[str, Value | float], text: str) -> Value | float:
    """Evaluate a checked tree on Values, iteratively (deep trees cannot overflow)."""
    results: dict[ast.AST, Value | float] = {}
    stack: list[tuple[ast.expr, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        children = _children(node)
        if not ready:
            stack.append((node, True))
            stack += [(c, False) for c in children]
            continue
        args = [results.pop(c) for c in children]
        out: Value | float
        if isinstance(node, ast.Constant):
            assert isinstance(node.value, int | float)  # checked by _check
            out = float(node.value)
        elif isinstance(node, ast.Name):
            out = leaves[node.id]
        elif isinstance(node, ast.BinOp):
            out = _BINARY[type(node.op)](args[0], args[1])  # type: ignore[assignment]
        elif isinstance(node, ast.UnaryOp):
            out = -args[0] if isinstance(node.op, ast.USub) else args[0]
        else:
            assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            arg = args[0]
            out = FUNCTIONS[node.func.id](arg if isinstance(arg, Value) else Value(arg))
        if isinstance(out, Value) and out.parents and not out.label:
            out.label = _source(node, text)
        elif not isinstance(out, Value) and not math.isfinite(out):
            raise OverflowError(f"{_source(node, text)!r} is not a finite number")
        results[node] = out
    return results[root]


def _children(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []
