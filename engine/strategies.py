"""Hypothesis strategies for property-testing gradients: `values()` and `expressions()`.

This is the only module of tracegrad that imports hypothesis, an optional dependency
(`pip install 'tracegrad[test]'`); `import engine` never loads it.

`expressions()` draws random expression graphs over the op registry, each together with
input values at which every op sees an argument inside its valid domain and away from
kinks. Test your own function of a Value against finite differences on all of them:

    >>> from hypothesis import given, settings
    >>> from engine import gradcheck
    >>> from engine.strategies import expressions
    >>> def softplus(x):  # the function under test
    ...     return (1 + x.exp()).log()
    >>> @settings(max_examples=25, database=None)
    ... @given(expressions(max_inputs=2))
    ... def test_softplus_gradients(expr):
    ...     gradcheck(lambda xs: softplus(expr(xs)), expr.inputs)
    >>> test_softplus_gradients()
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as err:  # pragma: no cover - depends on the installed extras
    raise ImportError("engine.strategies needs hypothesis: pip install 'tracegrad[test]'") from err

from engine.grad_mode import no_grad
from engine.ops import BUILTIN_NAMES, OPS_BY_NAME, REALS, Domain, Op
from engine.value import Value

__all__ = ["Expression", "expressions", "values"]

BOUND = 3.0
"""Every op argument in a drawn expression lies in [-BOUND, BOUND], so nothing overflows."""
MARGIN = 0.5
"""Op arguments stay this far from domain edges and kinks (log at 0, relu at 0, ...)."""
_SLACK = 0.05  # room for rounding a guard's shift to two decimals
_INFIX = {"+", "-", "*", "/", "**"}


def values(
    *,
    min_value: float = -10.0,
    max_value: float = 10.0,
    domain: Domain = REALS,
    margin: float = 0.0,
    label: str = "",
) -> st.SearchStrategy[Value]:
    """Leaf `Value`s whose data is a finite float in `[min_value, max_value]`.

    With a `domain` (a row's `Domain` from the op registry), only points of the domain
    are drawn, at least `margin` away from its ends and excluded points. This is done
    by drawing from the pieces of the range that remain, never by filtering.

    Args:
        min_value: the smallest data drawn (finite).
        max_value: the largest data drawn (finite, >= min_value).
        domain: an open interval with excluded points to stay inside.
        margin: the distance kept from the domain's ends and excluded points (>= 0).
        label: the label every drawn Value carries.

    Raises:
        hypothesis.errors.InvalidArgument: for non-finite bounds, `min_value >
            max_value`, a negative margin, or when no float meets every condition.

    Example:
        >>> from hypothesis import given
        >>> from engine import OPS_BY_NAME
        >>> @given(values(domain=OPS_BY_NAME["log"].domain(0), margin=1e-3))
        ... def test_log_of_positive(x):
        ...     assert x.data >= 1e-3 and x.log().data <= x.data
        >>> test_log_of_positive()
    """
    lo = _finite("min_value", min_value)
    hi = _finite("max_value", max_value)
    gap = _finite("margin", margin)
    if lo > hi:
        raise InvalidArgument(f"min_value={min_value!r} is greater than max_value={max_value!r}")
    if gap < 0.0:
        raise InvalidArgument(f"margin={margin!r} must be >= 0")
    if not isinstance(domain, Domain):
        raise InvalidArgument(f"domain must be an engine Domain, got {domain!r}")
    if not isinstance(label, str):
        raise InvalidArgument(f"label must be a str, got {label!r}")
    pieces = _pieces(lo, hi, domain, gap)
    if not pieces:
        raise InvalidArgument(
            f"no float in [{min_value!r}, {max_value!r}] lies in {domain!r}"
            f" at least margin={margin!r} from its ends and excluded points"
        )
    floats = st.one_of([st.floats(a, b, allow_nan=False, allow_infinity=False) for a, b in pieces])
    return floats.map(lambda x: Value(x, label))


def _finite(name: str, x: object) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        raise InvalidArgument(f"{name}={x!r} must be a finite number")
    return float(x)


def _pieces(lo: float, hi: float, domain: Domain, margin: float) -> list[tuple[float, float]]:
    """The closed intervals of [lo, hi] inside `domain`, `margin` from its edges."""

    def above(x: float) -> float:  # the first float allowed above an edge at x
        return x + margin if margin > 0.0 else math.nextafter(x, math.inf)

    def below(x: float) -> float:
        return x - margin if margin > 0.0 else math.nextafter(x, -math.inf)

    start = max(lo, above(domain.low)) if math.isfinite(domain.low) else lo
    end = min(hi, below(domain.high)) if math.isfinite(domain.high) else hi
    pieces = []
    for e in sorted(domain.exclude):
        if start <= e + margin and e - margin <= end:
            pieces.append((start, below(e)))
            start = above(e)
    pieces.append((start, end))
    return [(a, b) for a, b in pieces if a <= b]


# --------------------------------------------------------------------- expressions


@dataclass(frozen=True, eq=False)
class _Leaf:
    """Input `index` in a drawn shape (compared by identity, like `_Node`)."""

    index: int


@dataclass(frozen=True, eq=False)
class _Node:
    """An op applied to sub-shapes; the same sub-shape object may appear twice."""

    spec: Op
    args: tuple[_Leaf | _Node, ...]


@dataclass(frozen=True)
class _Step:
    """One node of a realized expression: an op, or a guard `arg * scale + shift`."""

    spec: Op | None
    args: tuple[int, ...]
    scale: float = 1.0
    shift: float = 0.0


class Expression:
    """A random expression graph drawn by `expressions()`, with a valid input point.

    Nodes are numbered in forward order: inputs first, the output last. A node used
    by several others is built once, so gradients add up where the paths meet.

    Attributes:
        inputs: one float per input; at this point every op's argument lies inside
            its domain, at least `MARGIN` from edges and kinks, and within `BOUND`.
        ops_used: the names of the ops that appear.
        depth: the longest chain of ops from an input to the output.
        fan_in: the largest number of arguments of one op node.
        junctions: how many nodes (inputs included) feed more than one argument.
    """

    def __init__(self, inputs: tuple[float, ...], steps: tuple[_Step, ...], output: int) -> None:
        self.inputs = inputs
        self._steps = steps
        self._output = output
        n = len(inputs)
        self.ops_used = frozenset(s.spec.name for s in steps if s.spec is not None)
        depths = [0] * n
        for s in steps:
            below = max(depths[a] for a in s.args)
            depths.append(below if s.spec is None else below + 1)
        self.depth = depths[output]
        self.fan_in = max((len(s.args) for s in steps if s.spec is not None), default=0)
        uses = Counter(a for s in steps for a in s.args)
        self.junctions = sum(1 for count in uses.values() if count > 1)
        self._uses = uses

    @property
    def n_inputs(self) -> int:
        """How many inputs the expression takes."""
        return len(self.inputs)

    def __call__(self, xs: Sequence[Value]) -> Value:
        """Build the graph on the given input Values and return its output node."""
        self._check_count(xs)
        nodes = list(xs)
        for s in self._steps:
            args = [nodes[a] for a in s.args]
            if s.spec is not None:
                nodes.append(s.spec.apply(*args))
                continue
            v = args[0]
            if s.scale != 1.0:
                v = v * s.scale
            if s.shift != 0.0:
                v = v + s.shift
            nodes.append(v)
        return nodes[self._output]

    def evaluate(self, xs: Sequence[float]) -> float:
        """The output on plain floats, using each op's float `forward` from the registry."""
        self._check_count(xs)
        nodes = [float(x) for x in xs]
        for s in self._steps:
            args = [nodes[a] for a in s.args]
            if s.spec is not None:
                nodes.append(s.spec.forward(*args))
            else:
                nodes.append(args[0] * s.scale + s.shift)
        return nodes[self._output]

    def _check_count(self, xs: Sequence[object]) -> None:
        if len(xs) != self.n_inputs:
            raise ValueError(f"this expression takes {self.n_inputs} inputs, got {len(xs)}")

    def __str__(self) -> str:
        n = self.n_inputs
        names = {i: f"x{i}" for i in range(n)}
        inline: dict[int, str] = {}
        lets: list[str] = []
        for k, s in enumerate(self._steps):
            text = _format(s, [names.get(a) or inline[a] for a in s.args])
            if self._uses[n + k] > 1:
                names[n + k] = f"t{len(lets) + 1}"
                lets.append(f"{names[n + k]} = {_unwrap(text)}")
            else:
                inline[n + k] = text
        out = names.get(self._output) or inline[self._output]
        return "; ".join([*lets, _unwrap(out)])

    def __repr__(self) -> str:
        return f"Expression({str(self)!r}, inputs={self.inputs!r})"


def _format(step: _Step, args: list[str]) -> str:
    if step.spec is None:
        text = args[0]
        if step.scale != 1.0:
            text = f"{text} * {step.scale!r}"
        if step.shift != 0.0:
            sign = "+" if step.shift > 0 else "-"
            text = f"{text} {sign} {abs(step.shift)!r}"
        return f"({text})"
    if len(args) == 2 and step.spec.arity == 2 and step.spec.name in _INFIX:
        return f"({args[0]} {step.spec.name} {args[1]})"
    return f"{step.spec.name}({', '.join(_unwrap(a) for a in args)})"


def _unwrap(text: str) -> str:
    """Drop one pair of parentheses around the whole text."""
    if not (text.startswith("(") and text.endswith(")")):
        return text
    depth = 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and i < len(text) - 1:
            return text
    return text[1:-1]


def _window(domain: Domain) -> tuple[float, float]:
    """Where a drawn expression keeps an argument of this domain."""
    lo = -BOUND if domain.low == -math.inf else max(-BOUND, domain.low + MARGIN)
    hi = BOUND if domain.high == math.inf else min(BOUND, domain.high - MARGIN)
    return lo, hi


def _allowed(x: float, domain: Domain) -> bool:
    lo, hi = _window(domain)
    return lo <= x <= hi and all(abs(x - e) >= MARGIN for e in domain.exclude)


def _target(x: float, domain: Domain) -> float:
    """A point of the window near x, clear of excluded points, or NaN if none."""
    lo, hi = _window(domain)
    t = min(max(x, lo + _SLACK), hi - _SLACK)
    for e in sorted(domain.exclude):
        if abs(t - e) < MARGIN:
            up, down = e + MARGIN + _SLACK, e - MARGIN - _SLACK
            t = up if (t >= e and up <= hi - _SLACK) or down < lo + _SLACK else down
    return t if _allowed(t, domain) else math.nan


def _guard(x: float, domain: Domain) -> tuple[float, float]:
    """A (scale, shift) bringing x into the domain's window: power-of-two scale first."""
    if _allowed(x, domain):
        return 1.0, 0.0
    scale = 1.0
    while abs(x * scale) > BOUND:
        scale /= 2.0
    y = x * scale
    if _allowed(y, domain):
        return scale, 0.0
    t = _target(y, domain)
    shift = round(t - y, 2)
    if not _allowed(y + shift, domain):
        shift = t - y
    assert _allowed(y + shift, domain), (x, domain)
    return scale, shift


def _realize(shape: _Leaf | _Node, point: tuple[float, ...]) -> Expression:
    """Turn a drawn shape into steps, guarding each op argument into its domain."""
    data = list(point)
    steps: list[_Step] = []
    built: dict[_Leaf | _Node, int] = {}
    guarded: dict[tuple[int, float, float], int] = {}

    def emit(step: _Step, value: float) -> int:
        assert math.isfinite(value), step
        steps.append(step)
        data.append(value)
        return len(data) - 1

    def build(s: _Leaf | _Node) -> int:
        if s in built:
            return built[s]
        if isinstance(s, _Leaf):
            built[s] = s.index
            return s.index
        ids = []
        for position, child in enumerate(s.args):
            j = build(child)
            scale, shift = _guard(data[j], s.spec.smooth_domain(position))
            if (scale, shift) != (1.0, 0.0):
                key = (j, scale, shift)
                if key not in guarded:
                    guarded[key] = emit(_Step(None, (j,), scale, shift), data[j] * scale + shift)
                j = guarded[key]
            ids.append(j)
        built[s] = emit(_Step(s.spec, tuple(ids)), s.spec.forward(*(data[j] for j in ids)))
        return built[s]

    output = build(shape)
    return Expression(point, tuple(steps), output)


def _max_index(shape: _Leaf | _Node) -> int:
    stack: list[_Leaf | _Node] = [shape]
    top = 0
    while stack:
        s = stack.pop()
        if isinstance(s, _Leaf):
            top = max(top, s.index)
        else:
            stack.extend(s.args)
    return top


def _fan_ins(spec: Op, max_fanin: int) -> list[int]:
    """The argument counts an op accepts, up to max_fanin (n-ary ops are probed)."""
    if spec.arity is not None:
        return [spec.arity] if spec.arity <= max_fanin else []
    counts = []
    probe = Value(1.0)
    for k in range(1, max_fanin + 1):
        with no_grad():
            try:
                spec.apply(*([probe] * k))
            except (TypeError, ValueError):
                continue
        counts.append(k)
    return counts


def _resolve_ops(ops: Sequence[str | Op] | None) -> list[Op]:
    if ops is None:
        return [OPS_BY_NAME[name] for name in sorted(BUILTIN_NAMES)]
    if isinstance(ops, str) or not isinstance(ops, Sequence):
        raise InvalidArgument(f"ops must be a list of op names or Op entries, got {ops!r}")
    specs = []
    for op in ops:
        if isinstance(op, Op):
            specs.append(op)
        elif isinstance(op, str) and op in OPS_BY_NAME:
            specs.append(OPS_BY_NAME[op])
        else:
            raise InvalidArgument(f"unknown op {op!r} (expected one of {sorted(OPS_BY_NAME)})")
    if not specs:
        raise InvalidArgument("ops must name at least one op, got an empty list")
    return specs


def _count(name: str, x: object, least: int) -> int:
    if isinstance(x, bool) or not isinstance(x, int) or x < least:
        raise InvalidArgument(f"{name}={x!r} must be an int >= {least}")
    return x


def expressions(
    *,
    ops: Sequence[str | Op] | None = None,
    min_inputs: int = 1,
    max_inputs: int = 3,
    max_leaves: int = 8,
    max_fanin: int = 4,
) -> st.SearchStrategy[Expression]:
    """Random expression graphs over the op registry, each with a valid input point.

    Shapes grow with `st.recursive`, so they shrink to small expressions. Depth and
    fan-in vary (n-ary ops such as `sum` and `dot` take up to `max_fanin`
    arguments), and an argument is often a sub-expression already used by a
    sibling, sometimes through a unary op (`t * tanh(t)`), so gradients must add up at
    junctions. Inputs are drawn in [-BOUND, BOUND]; then, going forward, an argument
    outside its op's window (the domain, `MARGIN` from edges and kinks, within
    `BOUND`) gets a guard node `arg * 2**-k + c` that moves it in. Guards are ordinary
    constant ops, printed in the text.

    Args:
        ops: registry names or `Op` entries (your own ops too, by name once
            `define_op` registered them); default: every built-in op, so that what
            is drawn does not depend on which other ops happen to be defined.
        min_inputs: the fewest inputs an expression takes (>= 1).
        max_inputs: the most inputs (>= min_inputs).
        max_leaves: the most input references drawn (>= 1); bounds the size.
        max_fanin: the most arguments of one op node (>= 2).

    Raises:
        hypothesis.errors.InvalidArgument: for an unknown op, counts out of range, or
            an op that cannot be used within `max_fanin` or `BOUND`.

    Example:
        >>> from hypothesis import given, settings
        >>> from engine import Value
        >>> @settings(max_examples=10, database=None)
        ... @given(expressions(ops=["log", "*"], max_inputs=2))
        ... def test_forward_matches_reference(expr):
        ...     out = expr([Value(x) for x in expr.inputs])
        ...     assert abs(out.data - expr.evaluate(expr.inputs)) <= 1e-9 * (1 + abs(out.data))
        >>> test_forward_matches_reference()
    """
    specs = _resolve_ops(ops)
    lowest = _count("min_inputs", min_inputs, 1)
    highest = _count("max_inputs", max_inputs, lowest)
    leaves = _count("max_leaves", max_leaves, 1)
    fanin = _count("max_fanin", max_fanin, 2)
    counts = {spec.name: _fan_ins(spec, fanin) for spec in specs}
    for spec in specs:
        if not counts[spec.name]:
            raise InvalidArgument(f"op {spec.name!r} takes no argument count <= max_fanin={fanin}")
        for position in range(max(counts[spec.name])):
            domain = spec.smooth_domain(position)
            if math.isnan(_target(0.0, domain)):
                raise InvalidArgument(
                    f"op {spec.name!r}: no argument within [-{BOUND}, {BOUND}] of {domain!r}"
                    f" stays {MARGIN} from its edges and excluded points"
                )
    unary = [spec for spec in specs if counts[spec.name] == [1]]

    def extend(children: st.SearchStrategy[_Leaf | _Node]) -> st.SearchStrategy[_Node]:
        @st.composite
        def nodes(draw: st.DrawFn) -> _Node:
            spec = draw(st.sampled_from(specs))
            k = draw(st.sampled_from(counts[spec.name]))
            distinct = draw(st.integers(1, k))
            pool = [draw(children) for _ in range(distinct)]
            args = list(pool)
            for _ in range(k - distinct):  # reuse a sibling: a junction in the graph
                again = pool[draw(st.integers(0, distinct - 1))]
                if len(unary) > 0 and draw(st.booleans()):
                    again = _Node(draw(st.sampled_from(unary)), (again,))
                args.append(again)
            return _Node(spec, tuple(draw(st.permutations(args))))

        return nodes()

    leaf = st.integers(0, highest - 1).map(_Leaf)
    shapes = st.recursive(leaf, extend, max_leaves=leaves)

    @st.composite
    def drawn(draw: st.DrawFn) -> Expression:
        shape = draw(shapes)
        n = max(lowest, _max_index(shape) + 1)
        coordinate = st.floats(-BOUND, BOUND, allow_nan=False, allow_infinity=False)
        point = draw(st.lists(coordinate, min_size=n, max_size=n))
        return _realize(shape, tuple(point))

    return drawn()
