"""The `Value` node: one scalar, the op that made it, and the chain rule.

Every op computes its forward value and, in the same place, the local derivative of
its result with respect to each parent (d out / d parent). The backward pass is then
the same two lines for every op:

    for parent, local in zip(node.parents, node.local_grads):
        parent.grad += local * node.grad

Nodes hold references only to their parents, never to their children or to a closure,
so a graph has no reference cycles and is freed by reference counting alone. Plain
numbers mixed into an op are constants: not nodes, but remembered in `const` so a
picture or generated code can show them (`2 * x` is one node with one parent).

Every op is one entry of the table in `engine.ops` (forward, derivative, domain): the
methods and operators here hand their work to it, except the two marked fast paths of
`+` and `*` of two Values, which write out what `make_node` does (tests prove them
equal). Every other node is made by `make_node`.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from operator import attrgetter
from typing import Any

from engine.checks import as_float, raise_overflow
from engine.grad_mode import ACTIVE, no_grad_depth
from engine.walk import all_nodes, check_gradients, interior_order, warn_if_accumulating

Number = int | float
ONE, MINUS_ONE, ONE_ONE = (1.0,), (-1.0,), (1.0, 1.0)  # shared local derivatives
_grad = attrgetter("grad")
EMPTY: tuple[()] = ()
LEFT_CONSTANT = {"r-": "-", "r/": "/", "r**": "**"}  # op of `c - x` etc. -> its op's name
_new = object.__new__


class Value:
    """A scalar in a computation graph.

    Attributes:
        data: the forward value (a finite float).
        grad: d root / d self, filled in by `backward()` (0.0 until then).
        parents: the Values this one was computed from (empty for a leaf).
        local_grads: for each parent, d self / d parent, computed in the forward pass.
        op: the registry name of the op that made this node (`""` for a leaf).
        const: the plain-number operand of an op such as `x * 3`, or the plain
            numbers a `sum` or `dot` added (else None).
        label: an optional name used in pictures and error messages.
        terms: on a "dot" node only, how it added its products (`engine.fused.Terms`).

    Example:
        >>> x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
        >>> f = (x + y) * z
        >>> f.backward()
        >>> f.data, x.grad, y.grad, z.grad
        (20.0, 4.0, 4.0, 5.0)
    """

    __slots__ = ("const", "data", "grad", "label", "local_grads", "op", "parents", "terms")

    data: float
    grad: float
    parents: tuple[Value, ...]
    local_grads: tuple[float, ...]
    op: str
    const: float | None
    label: str
    terms: tuple[tuple[int, int | float], ...]  # set on "dot" nodes only (engine.fused)

    def __init__(self, data: Number, label: str = "") -> None:
        finite = type(data) is float and data - data == 0.0  # else check and convert
        self.data = data if finite else as_float(data, "Value data")
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {label!r}")
        self.grad = 0.0
        self.parents = self.local_grads = EMPTY
        self.op = ""
        self.const = None
        self.label = label

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}{label})"

    # ------------------------------------------------------------------ arithmetic

    def __add__(self, other: Value | Number) -> Value:
        if type(other) is Value:  # FAST PATH: make_node written out (see __mul__)
            out = _new(Value)
            out.data = data = self.data + other.data
            if data - data != 0.0:  # inf - inf is NaN: the sum overflowed
                raise_overflow("+", self, other)
            out.grad = 0.0
            if not (ACTIVE[0] and no_grad_depth()):
                out.parents = (self, other)
                out.local_grads = ONE_ONE
            else:
                out.parents = out.local_grads = EMPTY
            out.op = "+"
            out.const = None
            out.label = ""
            return out
        if isinstance(other, Value):
            return make_node(self.data + other.data, (self, other), ONE_ONE, "+")
        return _ops.arithmetic("+", self, other)  # a constant: the table's general path

    __radd__ = __add__

    def __mul__(self, other: Value | Number) -> Value:
        if type(other) is Value:
            # FAST PATH: `+` and `*` of two Values are most nodes of a graph of binary
            # ops; writing make_node out here makes them about a quarter cheaper.
            a, b = self.data, other.data
            out = _new(Value)
            out.data = data = a * b
            if data - data != 0.0:
                raise_overflow("*", self, other)
            out.grad = 0.0
            if not (ACTIVE[0] and no_grad_depth()):
                out.parents = (self, other)
                out.local_grads = (b, a)  # d(ab)/da = b, d(ab)/db = a
            else:
                out.parents = out.local_grads = EMPTY
            out.op = "*"
            out.const = None
            out.label = ""
            return out
        if isinstance(other, Value):
            a, b = self.data, other.data
            return make_node(a * b, (self, other), (b, a), "*")
        return _ops.arithmetic("*", self, other)

    __rmul__ = __mul__

    def __sub__(self, other: Value | Number) -> Value:
        return _ops.arithmetic("-", self, other)

    def __rsub__(self, other: Number) -> Value:  # c - x
        return _ops.arithmetic("-", other, self)

    def __truediv__(self, other: Value | Number) -> Value:
        return _ops.arithmetic("/", self, other)

    def __rtruediv__(self, other: Number) -> Value:  # c / x
        return _ops.arithmetic("/", other, self)

    def __pow__(self, other: Value | Number) -> Value:
        return _ops.arithmetic("**", self, other)

    def __rpow__(self, other: Number) -> Value:  # c ** x
        return _ops.arithmetic("**", other, self)

    def __neg__(self) -> Value:
        return _ops.OPS_BY_NAME["neg"].apply(self)

    def __pos__(self) -> Value:
        return self

    # Python reads `x ^ 2` as exclusive or and `if x:` as "is x true"; neither means
    # anything for a number in a graph, so each says what was probably meant.
    def __xor__(self, other: object) -> Value:
        raise TypeError(f"^ is not a power in Python (it is exclusive or): write x ** {other!r}")

    def __rxor__(self, other: object) -> Value:
        raise TypeError(f"^ is not a power in Python (it is exclusive or): write {other!r} ** x")

    def __bool__(self) -> bool:
        raise TypeError(
            f"a Value is neither true nor false: test its number, as in `if x.data > 0:`"
            f" (got {self!r})"
        )

    # `x > 0` on Values is a question about the numbers, and Python would answer it
    # silently even where it was a slip; so it says to ask `.data` instead. The one place
    # it is answered (from the numbers, adding no node) is inside an op's own rules, which
    # the engine runs with `rules_compare_numbers()`: piecewise-constant derivatives such
    # as relu's `1.0 if x > 0.0 else 0.0`, and users' `define_op` rules, then run on
    # Values too, for derivatives of derivatives.
    def __gt__(self, other: Value | Number) -> bool:
        return _compare(self, other, ">")

    def __lt__(self, other: Value | Number) -> bool:
        return _compare(self, other, "<")

    def __ge__(self, other: Value | Number) -> bool:
        return _compare(self, other, ">=")

    def __le__(self, other: Value | Number) -> bool:
        return _compare(self, other, "<=")

    # ------------------------------------------------ the one-input ops of the table
    # Written out so that type checkers and editors see them; each is its table entry
    # (tests/engine/test_registry.py keeps this list and the table in step).

    def exp(self) -> Value:
        """e ** self."""
        return _ops.OPS_BY_NAME["exp"].apply(self)

    def log(self) -> Value:
        """The natural logarithm (self must be positive)."""
        return _ops.OPS_BY_NAME["log"].apply(self)

    def tanh(self) -> Value:
        """The hyperbolic tangent."""
        return _ops.OPS_BY_NAME["tanh"].apply(self)

    def sigmoid(self) -> Value:
        """The logistic function 1 / (1 + e ** -self)."""
        return _ops.OPS_BY_NAME["sigmoid"].apply(self)

    def relu(self) -> Value:
        """max(0, self); its derivative at 0 is 0."""
        return _ops.OPS_BY_NAME["relu"].apply(self)

    def abs(self) -> Value:
        """|self|; its derivative at 0 is 0."""
        return _ops.OPS_BY_NAME["abs"].apply(self)

    def __abs__(self) -> Value:
        return _ops.OPS_BY_NAME["abs"].apply(self)

    def step(self) -> Value:
        """+1 if self >= 0 else -1 (the perceptron's threshold; ties are positive)."""
        return _ops.OPS_BY_NAME["step"].apply(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """How Jupyter shows a Value: its graph (engine.display), or its repr."""
        from engine.display import value_mimebundle

        return value_mimebundle(self, include, exclude)

    # --------------------------------------------------------------- backward pass

    def backward(self, gradient: float = 1.0) -> None:
        """Fill in `grad` of every node this one depends on, by the chain rule.

        The root's gradient is set to `gradient` (1.0 by default); then each node, in
        reverse topological order, passes `local * node.grad` to each parent, and where
        a node feeds several children the contributions add up. Afterwards every
        computed node reachable from the root holds exactly d root / d node (0.0 where
        nothing flows, such as behind a relu that is off), whatever earlier calls did.
        Leaves (Values made with `Value(...)`, such as weights and inputs) are not
        reset: they accumulate, so backward calls over a mini-batch sum their
        gradients. Zero them (`model.zero_grad()`) between optimizer steps: when a
        leaf already holds a gradient, a `GradientAccumulationWarning` says so (once
        per calling line).

        Raises:
            ValueError: if `gradient` is not a finite number.
            ArithmeticError: (OverflowError) naming the first node whose gradient is
                not finite, instead of leaving NaN or infinity in `.grad`.
        """
        gradient = as_float(gradient, "backward() gradient")
        ends: list[Value] = []  # where the gradient stops: leaves, relus that are off
        order = interior_order(self, ends=ends)  # every gradient reset
        if any(map(_grad, ends)) if self.parents else self.grad:  # a C-speed look first
            warn_if_accumulating(ends if self.parents else [self])
        self.grad = gradient if self.parents else self.grad + gradient
        for node in reversed(order):  # the chain rule, the same for every op
            if g := node.grad:
                for parent, local in zip(node.parents, node.local_grads):
                    parent.grad += local * g
        check_gradients(self, order, ends)

    def topological_order(self) -> list[Value]:
        """Every node this one depends on, parents before children, self last.

        This is the order of the forward pass; `backward()` visits it reversed. It
        reads the graph only, and uses an explicit stack, so graphs of any depth work.

        Example:
            >>> x, y = Value(2.0, "x"), Value(3.0, "y")
            >>> [v.label or v.op for v in (x * y + x).topological_order()]
            ['x', 'y', '*', '+']
        """
        return all_nodes(self)


def make_node(
    data: float,
    parents: tuple[Value, ...],
    local_grads: tuple[float, ...],
    op: str,
    const: float | None = None,
) -> Value:
    """Make an op's result: the one node constructor every op goes through.

    Every op checks its result here, so NaN and infinity never enter a graph: a
    result that is not a finite float raises the OverflowError naming the op and
    its operands. Under `no_grad()` the node keeps no parents.
    """
    if data - data != 0.0:  # NaN or infinite (x - x is 0.0 for every finite x)
        shown = [const, *parents] if op in LEFT_CONSTANT else [*parents, const]
        raise_overflow(op, *(v for v in shown if v is not None))
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    if not (ACTIVE[0] and no_grad_depth()):
        out.parents = parents
        out.local_grads = local_grads
    else:
        out.parents = out.local_grads = EMPTY
    out.op = op
    out.const = const
    out.label = ""
    return out


from engine import ops as _ops  # noqa: E402 - the op table builds on Value

# Whether comparisons of Values read their numbers here: True only while the engine runs
# an op's rules on Values (`rules_compare_numbers`); per thread and task, as no_grad.
_RULES_RUNNING: ContextVar[bool] = ContextVar("tracegrad_rules_running", default=False)
_TESTS = {">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le}


@contextmanager
def rules_compare_numbers() -> Iterator[None]:
    """Inside the block, `x > 0` on Values compares their numbers (engine use: op rules).

    Outside it, comparing Values raises a TypeError that says to compare `.data`.

    Example:
        >>> x = Value(2.0)
        >>> with rules_compare_numbers():
        ...     x > 0
        True
    """
    token = _RULES_RUNNING.set(True)
    try:
        yield
    finally:
        _RULES_RUNNING.reset(token)


def _compare(x: Value, other: object, symbol: str) -> bool:
    y: Any = getattr(other, "data", other)
    if _RULES_RUNNING.get():
        return bool(_TESTS[symbol](x.data, y))
    left = x.label or "x"
    right = (other.label or "y") if isinstance(other, Value) else repr(other)
    if left == right:  # two Values with one name, or none (y > x asked of y): a, b
        left, right = "a", "b"
    left, right = f"{left}.data", f"{right}.data" if isinstance(other, Value) else right
    raise TypeError(
        f"Values are not compared with {symbol}: compare their numbers, as in "
        f"`{left} {symbol} {right}` (got {x!r} {symbol} {other!r})"
    )
