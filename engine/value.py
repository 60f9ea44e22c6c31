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

The arithmetic lives here; the one-input functions (`exp`, `log`, `tanh`, `sigmoid`,
`relu`, `step`, `abs`) are entries of the op registry in `engine.ops`, which adds
them to `Value` as methods. Every node is made by `make_node`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING

from engine.checks import (
    as_float,
    as_operand,
    checked_power,
    power_slope,
    raise_non_finite,
    raise_overflow,
)
from engine.grad_mode import ACTIVE, no_grad_depth
from engine.walk import check_gradients, interior_order, warn_if_accumulating

Number = int | float
ONE, MINUS_ONE, ONE_ONE = (1.0,), (-1.0,), (1.0, 1.0)  # shared local derivatives
EMPTY: tuple[()] = ()
LEFT_CONSTANT = {"r-": "-", "r/": "/", "r**": "**"}  # op of `c - x` etc. -> its op's name
_new = object.__new__
_grad = attrgetter("grad")


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

    Example:
        >>> x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
        >>> f = (x + y) * z
        >>> f.backward()
        >>> f.data, x.grad, y.grad, z.grad
        (20.0, 4.0, 4.0, 5.0)
    """

    __slots__ = ("const", "data", "grad", "label", "local_grads", "op", "parents")

    data: float
    grad: float
    parents: tuple[Value, ...]
    local_grads: tuple[float, ...]
    op: str
    const: float | None
    label: str

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

    if TYPE_CHECKING:  # the registry adds x.exp(), x.tanh(), ... (engine/ops.py)

        def __getattr__(self, name: str) -> Callable[[], Value]: ...

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
        c = other if type(other) is float and other - other == 0.0 else as_operand(other, "+")
        if c is NotImplemented:
            return NotImplemented
        return make_node(self.data + c, (self,), ONE, "+", c)

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
        c = other if type(other) is float and other - other == 0.0 else as_operand(other, "*")
        if c is NotImplemented:
            return NotImplemented
        return make_node(self.data * c, (self,), (c,), "*", c)

    __rmul__ = __mul__

    def __sub__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            return make_node(self.data - other.data, (self, other), (1.0, -1.0), "-")
        c = other if type(other) is float and other - other == 0.0 else as_operand(other, "-")
        if c is NotImplemented:
            return NotImplemented
        return make_node(self.data - c, (self,), ONE, "-", c)

    def __rsub__(self, other: Number) -> Value:  # c - x
        if (c := as_operand(other, "-")) is NotImplemented:
            return NotImplemented
        return make_node(c - self.data, (self,), MINUS_ONE, "r-", c)

    def __truediv__(self, other: Value | Number) -> Value:
        b = other.data if isinstance(other, Value) else as_operand(other, "/")
        if b is NotImplemented:
            return NotImplemented
        if b == 0.0:
            raise ZeroDivisionError(f"division by zero in '/': {self!r} / {other!r}")
        q = self.data / b
        if isinstance(other, Value):  # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -q/b
            return make_node(q, (self, other), (1.0 / b, -q / b), "/")
        return make_node(q, (self,), (1.0 / b,), "/", b)

    def __rtruediv__(self, other: Number) -> Value:  # c / x
        c, a = as_operand(other, "/"), self.data
        if c is NotImplemented:
            return NotImplemented
        if a == 0.0:
            raise ZeroDivisionError(f"division by zero in '/': {other!r} / {self!r}")
        q = c / a
        return make_node(q, (self,), (-q / a,), "r/", c)  # d(c/a)/da = -c/a^2

    def __pow__(self, other: Value | Number) -> Value:
        a = self.data
        if a - a != 0.0:  # x ** 0 would turn a NaN set by hand into 1.0
            raise_non_finite("**", self)
        if isinstance(other, Value):
            if other.data - other.data != 0.0:
                raise_non_finite("**", other)
            if a <= 0.0:
                raise ValueError(
                    f"Value ** Value needs a positive base, got {self!r} ** {other!r}"
                    " (use a constant exponent for negative bases)"
                )
            b = other.data
            p = checked_power(a, b, self, other)  # d/da = b a^(b-1), d/db = p ln a
            return make_node(p, (self, other), (power_slope(a, b, p), p * math.log(a)), "**")
        if (c := as_operand(other, "**")) is NotImplemented:
            return NotImplemented
        if a == 0.0 and 0.0 < c < 1.0:
            raise ValueError(f"x ** {c!r} has no finite derivative at x = 0 (got {self!r})")
        p = checked_power(a, c, self, other)
        return make_node(p, (self,), (power_slope(a, c, p),), "**", c)  # c a^(c-1)

    def __rpow__(self, other: Number) -> Value:  # c ** x
        if (c := as_operand(other, "**")) is NotImplemented:
            return NotImplemented
        if c <= 0.0:
            raise ValueError(f"number ** Value needs a positive base, got {other!r} ** {self!r}")
        if self.data - self.data != 0.0:  # 1.0 ** x would turn a NaN into 1.0
            raise_non_finite("**", self)
        p = checked_power(c, self.data, other, self)
        return make_node(p, (self,), (p * math.log(c),), "r**", c)  # d(c^x)/dx

    def __neg__(self) -> Value:
        return make_node(-self.data, (self,), MINUS_ONE, "neg")

    def __pos__(self) -> Value:
        return self

    # ---------------------------------------------------- mistakes that get help
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

    def _compare(self, other: object, op: str) -> bool:
        theirs = ".data" if isinstance(other, Value) else ""
        raise TypeError(
            f"Values are not compared with {op}: compare their numbers, as in"
            f" `x.data {op} {'y' if theirs else repr(other)}{theirs}` (got {self!r})"
        )

    def __lt__(self, other: object) -> bool:
        return self._compare(other, "<")

    def __le__(self, other: object) -> bool:
        return self._compare(other, "<=")

    def __gt__(self, other: object) -> bool:
        return self._compare(other, ">")

    def __ge__(self, other: object) -> bool:
        return self._compare(other, ">=")

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
        order: list[Value] = []
        seen: set[Value] = set()
        # The stack holds nodes to expand; a `None` above an expanded node means "its
        # parents are done: emit it next". Parents are pushed first to last, so they
        # are visited last to first.
        stack: list[Value | None] = [self]
        while stack:
            node = stack.pop()
            if node is None:
                order.append(stack.pop())  # type: ignore[arg-type]
            elif node not in seen:
                seen.add(node)
                stack += (node, None)
                stack.extend(p for p in node.parents if p not in seen)
        return order


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
