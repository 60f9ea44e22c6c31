"""The `Value` node: one scalar, the op that made it, and how to run the chain rule.

Every op is written once: it computes its forward value and, in the same place, the
local derivative of its result with respect to each parent (d out / d parent). The
backward pass is then the same two lines for every op:

    for parent, local in zip(node.parents, node.local_grads):
        parent.grad += local * node.grad

Nodes hold references only to their parents, never to their children or to a closure,
so a graph has no reference cycles and is freed by reference counting alone.

Plain Python numbers mixed into an op are constants: they become part of the local
derivative, not nodes of their own (`2 * x` is one node with one parent).
"""

from __future__ import annotations

import math

from engine.grad_mode import _RECORDING

Number = int | float

# Shared tuples of constant local derivatives, so `+` and `-` allocate none.
_ONE = (1.0,)
_MINUS_ONE = (-1.0,)
_ZERO = (0.0,)
_ONE_ONE = (1.0, 1.0)
_ONE_MINUS_ONE = (1.0, -1.0)
_EMPTY: tuple[()] = ()

_new = object.__new__
_exp = math.exp
_log = math.log
_tanh = math.tanh
_isfinite = math.isfinite


def _checked_float(x: object, what: str) -> float:
    """Convert a user-supplied number to a finite float or raise a helpful error."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        # bool is an int subclass, but True + x is almost always a mistake.
        if hasattr(x, "__float__") and not isinstance(x, bool | str | bytes):
            x = float(x)  # numpy scalars, fractions, decimals
        else:
            raise TypeError(f"{what} must be a real number (int or float), got {x!r}")
    x = float(x)
    if not _isfinite(x):
        raise ValueError(f"{what} must be finite, got {x!r}")
    return x


def _const(other: object, op: str) -> float | None:
    """Return `other` as a float constant, or None when the op should not accept it.

    The hottest ops test for a finite float inline first (`c = other if type(other)
    is float and ...`): that saves them this call in the common case.
    """
    if type(other) is float or type(other) is int:
        if not _isfinite(other):
            raise ValueError(f"constant operand of '{op}' must be finite, got {other!r}")
        return float(other)
    if isinstance(other, bool) or not isinstance(other, int | float):
        return None
    return _checked_float(other, f"constant operand of '{op}'")


def _make(
    data: float, parents: tuple[Value, ...], local_grads: tuple[float, ...], op: str
) -> Value:
    """Create an op's result without re-validating `data` (ops produce floats)."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    if _RECORDING[0]:
        out.parents = parents
        out.local_grads = local_grads
    else:
        out.parents = _EMPTY
        out.local_grads = _EMPTY
    out.op = op
    out.label = ""
    return out


class Value:
    """A scalar in a computation graph.

    Attributes:
        data: the forward value (a float).
        grad: d root / d self, filled in by `backward()` (0.0 until then).
        parents: the Values this one was computed from (empty for a leaf).
        local_grads: for each parent, d self / d parent, computed in the forward pass.
        op: a short name of the op that made this node (`""` for a leaf).
        label: an optional name used in pictures and error messages.

    Example:
        >>> x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
        >>> f = (x + y) * z
        >>> f.backward()
        >>> f.data, x.grad, y.grad, z.grad
        (20.0, 4.0, 4.0, 5.0)
    """

    __slots__ = ("data", "grad", "label", "local_grads", "op", "parents")

    data: float
    grad: float
    parents: tuple[Value, ...]
    local_grads: tuple[float, ...]
    op: str
    label: str

    def __init__(self, data: Number, label: str = "") -> None:
        if type(data) is not float:
            data = _checked_float(data, "Value data")
        elif not _isfinite(data):
            raise ValueError(f"Value data must be finite, got {data!r}")
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {label!r}")
        self.data = data
        self.grad = 0.0
        self.parents = _EMPTY
        self.local_grads = _EMPTY
        self.op = ""
        self.label = label

    def __repr__(self) -> str:
        if self.label:
            return f"Value(data={self.data!r}, label={self.label!r})"
        return f"Value(data={self.data!r})"

    # ----------------------------------------------------------------- arithmetic

    def __add__(self, other: Value | Number) -> Value:
        if type(other) is Value:
            # `_make` written out: `+` and `*` of two Values are most of the nodes of a
            # graph built from binary ops, and skipping the call makes them ~25% cheaper.
            out = _new(Value)
            out.data = self.data + other.data
            out.grad = 0.0
            if _RECORDING[0]:
                out.parents = (self, other)
                out.local_grads = _ONE_ONE
            else:
                out.parents = out.local_grads = _EMPTY
            out.op = "+"
            out.label = ""
            return out
        c = other if type(other) is float and _isfinite(other) else _const(other, "+")
        if c is None:
            return NotImplemented
        return _make(self.data + c, (self,), _ONE, "+")

    __radd__ = __add__

    def __sub__(self, other: Value | Number) -> Value:
        if type(other) is Value:
            return _make(self.data - other.data, (self, other), _ONE_MINUS_ONE, "-")
        c = other if type(other) is float and _isfinite(other) else _const(other, "-")
        if c is None:
            return NotImplemented
        return _make(self.data - c, (self,), _ONE, "-")

    def __rsub__(self, other: Number) -> Value:
        c = other if type(other) is float and _isfinite(other) else _const(other, "-")
        if c is None:
            return NotImplemented
        return _make(c - self.data, (self,), _MINUS_ONE, "-")

    def __mul__(self, other: Value | Number) -> Value:
        if type(other) is Value:
            # `_make` written out, as in `__add__`.
            a, b = self.data, other.data
            out = _new(Value)
            out.data = a * b
            out.grad = 0.0
            if _RECORDING[0]:
                out.parents = (self, other)
                out.local_grads = (b, a)  # d(ab)/da = b, d(ab)/db = a
            else:
                out.parents = out.local_grads = _EMPTY
            out.op = "*"
            out.label = ""
            return out
        c = other if type(other) is float and _isfinite(other) else _const(other, "*")
        if c is None:
            return NotImplemented
        return _make(self.data * c, (self,), (c,), "*")

    __rmul__ = __mul__

    def __truediv__(self, other: Value | Number) -> Value:
        if type(other) is Value:
            b = other.data
            if b == 0.0:
                raise ZeroDivisionError(f"division by zero in '/': {self!r} / {other!r}")
            # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
            q = self.data / b
            return _make(q, (self, other), (1.0 / b, -q / b), "/")
        c = _const(other, "/")
        if c is None:
            return NotImplemented
        if c == 0.0:
            raise ZeroDivisionError(f"division by zero in '/': {self!r} / {other!r}")
        return _make(self.data / c, (self,), (1.0 / c,), "/")

    def __rtruediv__(self, other: Number) -> Value:
        c = _const(other, "/")
        if c is None:
            return NotImplemented
        a = self.data
        if a == 0.0:
            raise ZeroDivisionError(f"division by zero in '/': {other!r} / {self!r}")
        q = c / a
        return _make(q, (self,), (-q / a,), "/")  # d(c/a)/da = -c/a^2

    def __pow__(self, other: Value | Number) -> Value:
        a = self.data
        if type(other) is Value:
            b = other.data
            if a <= 0.0:
                raise ValueError(
                    f"Value ** Value needs a positive base, got {self!r} ** {other!r}"
                    " (use a constant exponent for negative bases)"
                )
            p = _guarded_pow(a, b, self, other)
            # d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln a
            return _make(p, (self, other), (b * p / a, p * _log(a)), "**")
        c = _const(other, "**")
        if c is None:
            return NotImplemented
        if a < 0.0 and not c.is_integer():
            raise ValueError(
                f"a negative base to a non-integer power is not real: {self!r} ** {other!r}"
            )
        if a == 0.0 and c < 0.0:
            raise ZeroDivisionError(
                f"'**' divides by zero: {self!r} ** {other!r} (0 to a negative power)"
            )
        if a == 0.0 and 0.0 < c < 1.0:
            raise ValueError(
                f"x ** {other!r} has no finite derivative at x = 0 (got {self!r});"
                " keep the base away from 0"
            )
        p = _guarded_pow(a, c, self, other)
        d = 0.0 if c == 0.0 else c * _guarded_pow(a, c - 1.0, self, other)
        return _make(p, (self,), (d,), "**")

    def __rpow__(self, other: Number) -> Value:
        c = _const(other, "**")
        if c is None:
            return NotImplemented
        if c <= 0.0:
            raise ValueError(f"number ** Value needs a positive base, got {other!r} ** {self!r}")
        p = _guarded_pow(c, self.data, other, self)
        return _make(p, (self,), (p * _log(c),), "**")  # d(c^x)/dx = c^x ln c

    def __neg__(self) -> Value:
        return _make(-self.data, (self,), _MINUS_ONE, "neg")

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        a = self.data
        # Convention: the derivative of |x| at 0 is taken as 0 (a valid subgradient).
        d = _ONE if a > 0.0 else _MINUS_ONE if a < 0.0 else _ZERO
        return _make(abs(a), (self,), d, "abs")

    # --------------------------------------------------------- elementwise functions

    def exp(self) -> Value:
        """e ** self. Raises OverflowError above about 709.78."""
        try:
            e = _exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp() overflows for {self!r}: the largest float is about 1.8e308,"
                " reached at an input of about 709.78"
            ) from None
        return _make(e, (self,), (e,), "exp")

    def log(self) -> Value:
        """Natural logarithm; needs a positive input."""
        a = self.data
        if a <= 0.0:
            raise ValueError(f"log() needs a positive input, got {self!r}")
        return _make(_log(a), (self,), (1.0 / a,), "log")

    def tanh(self) -> Value:
        """Hyperbolic tangent; saturates to +-1 with derivative 0 for large inputs."""
        t = _tanh(self.data)
        return _make(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self) -> Value:
        """Logistic function 1 / (1 + e^-x), computed without overflow for any input."""
        a = self.data
        if a >= 0.0:
            s = 1.0 / (1.0 + _exp(-a))
        else:
            # e^a is tiny here instead of e^-a overflowing.
            e = _exp(a)
            s = e / (1.0 + e)
        return _make(s, (self,), (s * (1.0 - s),), "sigmoid")

    def relu(self) -> Value:
        """max(0, x). Convention: the derivative at exactly 0 is 0."""
        # `_make` written out, as in `__add__`: a relu network makes one per unit.
        a = self.data
        out = _new(Value)
        if a > 0.0:
            out.data = a
            local = _ONE
        else:
            out.data = 0.0
            local = _ZERO
        out.grad = 0.0
        if _RECORDING[0]:
            out.parents = (self,)
            out.local_grads = local
        else:
            out.parents = out.local_grads = _EMPTY
        out.op = "relu"
        out.label = ""
        return out

    def step(self) -> Value:
        """The perceptron's threshold: +1 when x >= 0 (ties are positive), else -1.

        Its derivative is 0 everywhere it exists, which is why the notes replace it
        with sigmoid or relu before running gradient descent.
        """
        return _make(1.0 if self.data >= 0.0 else -1.0, (self,), _ZERO, "step")

    # ---------------------------------------------------------------- backward pass

    def backward(self, gradient: float = 1.0) -> None:
        """Fill in `grad` of every node this one depends on, by the chain rule.

        The root's gradient is set to `gradient` (1.0 by default), then each node,
        in reverse topological order, passes `local * node.grad` to each parent.
        Where a node feeds several children, the contributions add up.

        Calling it again is safe: every interior (computed) node of the graph has its
        gradient reset to 0 first, so intermediate gradients are never doubled.
        Leaves (Values made with `Value(...)`, such as weights and inputs) are NOT
        reset: they accumulate, so several backward calls (say, one per sample of a
        mini-batch) sum their gradients. Call `zero_grad()` on a model, or set
        `leaf.grad = 0.0`, between optimizer steps.

        A node whose local derivative is exactly zero (a relu that is off, `step`,
        `abs` at 0) passes nothing back, so the walk stops there: a node that can be
        reached only through such nodes receives nothing and keeps the gradient it
        had (0.0 in a graph that has not been through backward before). In a relu
        network that skips the part of the graph behind every unit that is off.

        The walk uses an explicit stack, never recursion, so graphs of any depth work.

        Args:
            gradient: d final / d self, the seed of the backward pass.

        Raises:
            ValueError: if `gradient` is not a finite number.
            OverflowError: if this node's own value is infinite (an overflow upstream).
        """
        if type(gradient) is not float:
            gradient = _checked_float(gradient, "backward() gradient")
        elif not _isfinite(gradient):
            raise ValueError(f"backward() gradient must be finite, got {gradient!r}")
        if not _isfinite(self.data):
            # Only `+`, `-` and `*` of huge numbers can get here (the other ops check
            # their results); one check per backward is cheaper than one per node.
            raise OverflowError(
                f"backward() from {self!r}: the forward pass overflowed (a '+', '-' or '*'"
                " of numbers near 1.8e308), so every gradient would be NaN or infinite"
            )
        interior = _interior_order_resetting_grads(self)
        if self.parents:
            self.grad = gradient
        else:
            self.grad += gradient
        # The chain rule, once for every op: each node passes its gradient on to its
        # parents, scaled by the local derivatives it recorded in the forward pass.
        for node in reversed(interior):
            g = node.grad
            if g:
                for parent, local in zip(node.parents, node.local_grads):
                    parent.grad += local * g

    def topological_order(self) -> list[Value]:
        """Every node this one depends on, parents before children, self last.

        This is the order of the forward pass; `backward()` visits it reversed. It
        reads the graph only: no gradient or other field is changed. The walk uses
        an explicit stack, so graphs of any depth work.

        Example:
            >>> x, y = Value(2.0, "x"), Value(3.0, "y")
            >>> [v.label or v.op for v in (x * y + x).topological_order()]
            ['x', 'y', '*', '+']
        """
        order: list[Value] = []
        seen: set[Value] = set()
        # The stack holds nodes to expand; a `None` above an expanded node means "its
        # parents are done: emit it next" (see _interior_order_resetting_grads).
        # Parents are pushed first to last, so they are visited last to first.
        stack: list[Value | None] = [self]
        push, pop, mark = stack.append, stack.pop, seen.add
        while stack:
            node = pop()
            if node is None:
                order.append(pop())  # type: ignore[arg-type]
            elif node not in seen:
                mark(node)
                push(node)
                push(None)
                for parent in node.parents:
                    if parent not in seen:
                        push(parent)
        return order


def _interior_order_resetting_grads(root: Value) -> list[Value]:
    """The computed (non-leaf) nodes `root` depends on, parents first, grads set to 0.

    This is `backward()`'s own walk, kept apart from the public, read-only
    `topological_order()` because it does two things that only backward wants:

    - Leaves are left out. They have no parents to pass a gradient on to, so the
      chain rule has nothing to do for them; in a network most parents are weights,
      and skipping them saves a set lookup per edge.
    - The walk does not go past a node whose local derivatives are the shared
      `(0.0,)` (a relu that is off, `step`, `abs` at 0): nothing flows through it,
      so the nodes behind it need neither a place in the order nor a reset. One
      identity check per node; in a relu network it skips every unit that is off.
    - Each interior node's gradient is reset to 0 (backward must not add to the
      gradients of a previous call), and the reset doubles as the walk's marks:
      the node's grad becomes `expanded`, then `done`, two float 0.0 objects made
      for this walk, so no node can hold them already, and an identity check is
      cheaper than a set lookup.

    The stack holds nodes; each is popped twice. The first time (its grad is not
    yet a mark) it is expanded: marked `expanded`, pushed back, and its interior
    parents pushed above it. The second time (marked `expanded`) all its parents
    are done, so it is emitted and marked `done`, which is also its reset gradient
    of 0.0. Copies of a node pushed by other children before it was expanded pop
    later, find it `done` and are skipped. No parent of the node being expanded can
    be `expanded` but not `done`: that would make it both above and below the node
    in the graph, a cycle.
    """
    order: list[Value] = []
    if not root.parents:
        return order
    # Two fresh float 0.0 objects: identity checks tell the marks from any gradient.
    expanded, done = float(0), float(0)
    emit = order.append
    stack = [root]
    push = stack.append
    pop = stack.pop
    while stack:
        node = pop()
        mark = node.grad
        if mark is expanded:  # second visit: every parent is already in the order
            node.grad = done
            emit(node)
        elif mark is not done:  # first visit
            node.grad = expanded
            push(node)
            if node.local_grads is not _ZERO:  # else nothing flows back through it
                for parent in node.parents:
                    if parent.parents and parent.grad is not done:
                        push(parent)
    return order


def _guarded_pow(a: float, b: float, base: object, exponent: object) -> float:
    """a ** b as a float, with a clear OverflowError naming the operands."""
    try:
        p = a**b
    except OverflowError:
        raise OverflowError(f"'**' overflows for {base!r} ** {exponent!r}") from None
    except ZeroDivisionError:
        raise ZeroDivisionError(
            f"'**' divides by zero for {base!r} ** {exponent!r} (0 to a negative power)"
        ) from None
    if isinstance(p, complex) or not _isfinite(p):
        raise OverflowError(f"'**' overflows for {base!r} ** {exponent!r}")
    return float(p)
