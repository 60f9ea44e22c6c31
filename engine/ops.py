"""The op table: every op tracegrad knows, each defined once.

An entry (`Op`) holds an op's name, arity, domain, forward on floats, local
derivative(s) and the symbol pictures show. The derivatives are written with the
engine's own operations (`1 - t * t` for tanh, `1 / x` for log, `log(a)` for the
exponent of `**`), so the same line runs on floats (the first-order fast path, in
the forward pass), on Values (`engine.grad(..., create_graph=True)`, a backward pass
that can be differentiated again) and on dual numbers (`engine.jvp`).

The built-in table (`BUILTINS`) is written out below in one place; `define_op` adds a
user's op to the registry, which readers see as one immutable snapshot at a time.

    >>> from engine import Value, define_op
    >>> cube = define_op("cube_demo", lambda x: x ** 3, lambda x, out: 3 * x * x)
    >>> y = cube(Value(2.0))
    >>> y.backward()
    >>> y.data, y.parents[0].grad
    (8.0, 12.0)
"""

from __future__ import annotations

import keyword
import math
import operator
import threading
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine import fused
from engine.checks import MIN_NORMAL, as_operand, checked_power, raise_non_finite
from engine.checks import power_slope as _float_power_slope
from engine.grad_mode import ACTIVE, no_grad_depth
from engine.value import EMPTY, LEFT_CONSTANT, MINUS_ONE, ONE, Value, make_node
from engine.walk import ZERO

INF = math.inf
_NEW = object.__new__  # a node without __init__, as make_node makes it
RESERVED = frozenset({"linear"})
"""Names no op may take: `nn` reads "linear" as "no activation"."""


@dataclass(frozen=True)
class Domain:
    """An open interval `low < x < high` minus some excluded points, with a description.

    Outside its domain an op raises a ValueError that quotes `text` ("a positive
    input"). Tests and the strategies also stay away from the domain's edges.
    """

    low: float = -INF
    high: float = INF
    exclude: tuple[float, ...] = ()
    text: str = "a real number"
    low_included: bool = False  # `low <= x` instead of `low < x`

    def __contains__(self, x: object) -> bool:
        if isinstance(x, bool) or not isinstance(x, int | float):
            return False
        above = self.low <= x if self.low_included else self.low < x
        return above and x < self.high and x not in self.exclude


REALS = Domain()
POSITIVE = Domain(low=0.0, text="a positive input")
NONZERO = Domain(exclude=(0.0,), text="a non-zero input")


@dataclass(frozen=True)
class Op:
    """One entry of the table.

    Attributes:
        name: the registry key, also the `op` of the Values it makes.
        arity: the number of Value arguments, or None for an n-ary op (`sum`, `dot`).
        forward: the op on plain floats.
        partials: d out / d argument, one function per argument, each taking the
            arguments and then `out`, written with engine ops so that it runs on
            floats and on Values (empty for the n-ary ops, whose derivatives are
            their terms).
        domains: where each argument is valid (one entry, shared, for n-ary ops).
        symbol: how pictures show the op.
        apply: the op on Values (and numbers); `Value`'s methods call it.
        kinks: points where the derivative does not exist (finite differences
            disagree with any convention there, so tests stay away).
        doc: one line saying what it computes.
    """

    name: str
    arity: int | None
    forward: Callable[..., float]
    partials: tuple[Callable[..., Any], ...]
    domains: tuple[Domain, ...]
    symbol: str
    apply: Callable[..., Value] = field(compare=False)
    kinks: tuple[float, ...] = ()
    doc: str = ""
    given: Callable[[int, float], Domain] | None = field(default=None, compare=False)
    """The domain of argument `position` when the other argument is the plain number
    `constant` (`x ** 1.5` needs x >= 0); None: `domain(position)` whatever it is."""
    joint: Callable[..., Any] | None = field(default=None, compare=False)
    """A two-input op's derivative as `define_op` was given it: `(a, b, out) -> (da, db)`."""

    @property
    def derivative(self) -> Callable[..., Any] | None:
        """All local derivatives at once: `(x, out) -> d`, `(a, b, out) -> (da, db)`."""
        if not self.partials:
            return None
        if len(self.partials) == 1:
            return self.partials[0]
        return self.joint or (lambda *args: tuple(d(*args) for d in self.partials))

    def domain(self, position: int) -> Domain:
        """The domain of argument `position` (any position for an n-ary op)."""
        return self.domains[0] if self.arity is None else self.domains[position]

    def domain_given(self, position: int, constant: float) -> Domain:
        """The domain of argument `position` beside the constant operand `constant`."""
        return self.given(position, constant) if self.given else self.domain(position)

    def smooth_domain(self, position: int) -> Domain:
        """The domain of argument `position` without the kinks: where the derivative
        exists, so finite differences can check it (tests and strategies use this)."""
        d = self.domain(position)
        return Domain(d.low, d.high, d.exclude + self.kinks, d.text) if self.kinks else d

    def __call__(self, *args: Any) -> Value:
        """Apply the op: `OPS_BY_NAME["tanh"](x)` is `x.tanh()`."""
        return self.apply(*args)


# ------------------------------------------- functions derivatives are written with


def log(x: Any) -> Any:
    """The natural logarithm of a float, a Value or a dual number."""
    return math.log(x) if isinstance(x, float | int) else x.log()


def power_slope(a: Any, c: Any, p: Any) -> Any:
    """d(a ** c) / da given `p = a ** c`: `c a^(c-1)`.

    On Values it is that formula (differentiable again). On floats (and in generated
    code) it is `engine.checks.power_slope`'s: `c p / a`, which no intermediate
    overflows, except where `p` underflowed (below 2.2e-308), and 1 or 0 at a = 0.
    """
    if isinstance(a, float | int) and isinstance(c, float | int):
        return _float_power_slope(a, c, p)
    if isinstance(a, Value) or isinstance(c, Value):
        return c * a ** (c - 1.0)
    if not a:  # written so that a symbolic stand-in traces it (engine.codegen)
        return 1.0 if c == 1.0 else 0.0
    if abs(p) >= MIN_NORMAL:
        return c * p / a
    return c * a ** (c - 1.0)


# ------------------------------------------------------------- applying an op


def _unary(name: str, forward: Callable[..., float], d: Callable[..., Any], domain: Domain) -> Any:
    """The Value-level function of a one-input op: checks, forward, derivative, node."""
    checks_domain = domain != REALS

    def apply(x: Any) -> Value:
        if type(x) is not Value and not isinstance(x, Value):
            if hasattr(type(x), "apply_op"):  # a number type of its own (engine.Dual)
                return type(x).apply_op(name, x)  # type: ignore[no-any-return]
            x = Value(x)
        a = x.data
        if a - a != 0.0:  # NaN or infinity set by hand: never turn it into a number
            raise ValueError(f"{name}() needs a finite input, got {x!r}")
        if checks_domain and a not in domain:
            raise ValueError(f"{name}() needs {domain.text}, got {x!r}")
        try:
            out = forward(a)
            local = d(a, out)
        except OverflowError:
            out = local = math.inf
        except (ArithmeticError, ValueError) as error:
            raise _failed(name, (x,), error) from None
        if type(out) is not float:  # converted once, here, whatever the function gave
            out = _number(name, "forward", out, x)
        if type(local) is not float:
            local = _number(name, "derivative", local, x)
        if out - out != 0.0:
            raise OverflowError(
                f"{name}() overflows for {x!r}: the result is beyond the largest float (1.8e308)"
            )
        if local - local != 0.0:
            raise OverflowError(f"{name}() has no finite derivative at {x!r} (got {local!r})")
        return make_node(
            out, (x,), ZERO if local == 0.0 else ONE if local == 1.0 else (local,), name
        )

    apply.__name__ = apply.__qualname__ = name
    return apply


def _number(name: str, what: str, x: Any, *args: Any) -> float:
    """A forward's or derivative's result as a plain float, converted once here (so
    backward() and generated code see the same type: numpy's float32 becomes a float),
    or the TypeError saying what it was instead."""
    if type(x) is float:
        return x
    if isinstance(x, Value | bool | str | bytes | complex) or not hasattr(x, "__float__"):
        shown = ", ".join(map(repr, args))
        hint = " (forward works on plain floats: return x, not a Value)"
        raise TypeError(
            f"{name}(): its {what} returned {x!r:.80} for {shown}, not a real number"
            + (hint if isinstance(x, Value) else "")
        )
    return float(x)


def _user_binary(name: str, forward: Callable[..., float], derivative: Callable[..., Any],
                 domains: tuple[Domain, ...]) -> Any:  # fmt: skip
    """The Value-level function of a two-input op defined with `define_op`."""

    def apply(x: Any, y: Any) -> Value:
        for v in (x, y):
            if hasattr(type(v), "apply_op"):  # a number type of its own (engine.Dual)
                return type(v).apply_op(name, x, y)  # type: ignore[no-any-return]
        xs = tuple(v if isinstance(v, Value) else Value(v) for v in (x, y))
        a, b = xs[0].data, xs[1].data
        for v, dom in zip(xs, domains):
            if v.data - v.data != 0.0:
                raise_non_finite(name, v)
            if v.data not in dom:
                raise ValueError(f"{name}() needs {dom.text}, got {v!r}")
        try:
            out = forward(a, b)
            pair = derivative(a, b, _number(name, "forward", out, *xs))
        except (ArithmeticError, ValueError) as error:
            raise _failed(name, xs, error) from None
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise TypeError(
                f"{name}(): its derivative must return a pair (d/da, d/db), got {pair!r:.80}"
            )
        out = _number(name, "forward", out, *xs)
        local = tuple(_number(name, "derivative", g, *xs) for g in pair)
        if out - out or any(g - g for g in local):
            raise OverflowError(f"{name}() is not finite for {xs[0]!r}, {xs[1]!r}")
        return make_node(out, xs, local, name)

    return apply


def _failed(name: str, args: tuple[Value, ...], error: Exception) -> Exception:
    """The error of an op whose float functions raised: same kind, naming op and input."""
    shown = ", ".join(map(repr, args))
    kind = type(error) if isinstance(error, ArithmeticError | ValueError) else ValueError
    return kind(f"{name}() failed for {shown}: {error}")


def arithmetic(name: str, left: Any, right: Any) -> Value:
    """`left <name> right` for the arithmetic ops (`-`, `/`, `**`, and `+`/`*` with a
    plain number), where one side is a Value: the one place their nodes are made.

    A plain-number operand is a constant (kept in `const`; `c - x` is op `r-`).
    Returns NotImplemented for an operand that is not a number, so Python raises its
    usual TypeError.
    """
    entry = _ARITHMETIC[name]
    lv, rv = isinstance(left, Value), isinstance(right, Value)
    a = left.data if lv else as_operand(left, name)
    b = right.data if rv else as_operand(right, name)
    if a is NotImplemented or b is NotImplemented:
        return NotImplemented  # type: ignore[no-any-return]
    if name == "/":
        if b == 0.0:
            raise ZeroDivisionError(f"division by zero in '/': {left!r} / {right!r}")
        out = a / b
    elif name == "**":
        out = _checked_pow(a, b, left, right, lv, rv)
    else:
        out = entry.forward(a, b)
    d0, d1 = entry.partials
    if lv and rv:
        return make_node(out, (left, right), (d0(a, b, out), d1(a, b, out)), name)
    if lv:
        local = ONE if name == "+" or name == "-" else (d0(a, b, out),)
        return make_node(out, (left,), local, name, b)
    local = MINUS_ONE if name == "-" else (d1(a, b, out),)
    return make_node(out, (right,), local, "r" + name, a)


def _checked_pow(a: float, b: float, left: Any, right: Any, lv: bool, rv: bool) -> float:
    """`a ** b` after the rules of `**` (a Value exponent needs a positive base)."""
    if lv and a - a != 0.0:  # x ** 0 would turn a NaN set by hand into 1.0
        raise_non_finite("**", left)
    if rv and b - b != 0.0:
        raise_non_finite("**", right)
    if lv and rv and a <= 0.0:
        raise ValueError(
            f"Value ** Value needs a positive base, got {left!r} ** {right!r}"
            " (use a constant exponent for negative bases)"
        )
    if not lv and a <= 0.0:
        raise ValueError(f"number ** Value needs a positive base, got {left!r} ** {right!r}")
    if not rv and a == 0.0 and 0.0 < b < 1.0:
        raise ValueError(f"x ** {b!r} has no finite derivative at x = 0 (got {left!r})")
    return checked_power(a, b, left, right)


# ------------------------------------------------------------------ the table


def _function(name: str, forward: Callable[..., float], d: Callable[..., Any],
              domain: Domain = REALS, **kw: Any) -> Op:  # fmt: skip
    apply = kw.pop("fast", None) or _unary(name, forward, d, domain)
    return Op(name, 1, forward, (d,), (domain,), kw.pop("symbol", name), apply, **kw)


def _relu_forward(x: float) -> float:
    return x if x > 0.0 else 0.0


def _relu_derivative(x: Any, out: Any) -> float:
    return 1.0 if x > 0.0 else 0.0


_relu = _unary("relu", _relu_forward, _relu_derivative, REALS)


def _fast_relu(x: Any) -> Any:
    """relu's apply, `_unary`'s work written out for it (FAST PATH, the one copy).

    relu is the activation of most networks here, one node per unit, so its entry
    makes its node directly: max(0, x), derivative the shared ONE above 0 and ZERO at
    or below (the convention at 0). Anything unusual (not a Value, NaN or infinity)
    goes to the generic `_unary`, which explains it; tests/engine/test_fast_paths.py
    proves that the two make equal nodes.
    """
    if type(x) is not Value:
        return _relu(x)
    a = x.data
    node = _NEW(Value)
    if 0.0 < a < INF:
        node.data = a
        local = ONE
    elif a <= 0.0 and a != -INF:
        node.data = 0.0
        local = ZERO
    else:
        return _relu(x)
    node.grad = 0.0
    if not (ACTIVE[0] and no_grad_depth()):
        node.parents = (x,)
        node.local_grads = local
    else:
        node.parents = node.local_grads = EMPTY
    node.op = "relu"
    node.const = None
    node.label = ""
    return node


def _infix(name: str, forward: Callable[..., float], da: Callable[..., Any],
           db: Callable[..., Any], **kw: Any) -> Op:  # fmt: skip
    # The Value-level apply is the operator: it runs `Value.__add__` and friends.
    domains = kw.pop("domains", (REALS, REALS))
    apply: Any = forward
    return Op(name, 2, forward, (da, db), domains, kw.pop("symbol", name), apply, **kw)


def _power_domain(position: int, c: float) -> Domain:
    """Where `x ** c` (position 0) is real and has a finite derivative, c a constant;
    `c ** x` (position 1, c > 0) is defined everywhere."""
    if position == 1 or float(c).is_integer():
        return REALS
    text = f"a base where x ** {c!r} is real and differentiable"
    return Domain(low=0.0, low_included=not 0.0 < c < 1.0, text=text)


def _sigmoid(x: float) -> float:
    """1 / (1 + e^-x), without overflow: for x < 0 use e^x / (1 + e^x)."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _n_ary(name: str, symbol: str, doc: str) -> Op:
    """`sum` and `dot` (engine.fused computes them); their derivatives are their terms."""

    def apply(*args: Any) -> Value:
        for a in args:
            if hasattr(type(a), "apply_op"):  # a number type of its own (engine.Dual)
                return type(a).apply_op(name, *args)  # type: ignore[no-any-return]
        half = len(args) // 2
        return fused.sum(args) if name == "sum" else fused.dot(args[:half], args[half:])

    def forward(*args: float) -> float:
        half = len(args) // 2
        terms = args if name == "sum" else map(operator.mul, args[:half], args[half:])
        return fused.add_in_order(terms, fused.NO_TERM)

    return Op(name, None, forward, (), (REALS,), symbol, apply, doc=doc)


# The table. Each row: name, forward on floats, then d out / d argument written with
# engine ops, over the arguments and `out` (so it runs on floats, Values, dual numbers
# and, for generated code, symbols: engine.codegen.symbolic traces it). The
# arithmetic's nodes are made by `arithmetic` (and the marked fast paths of `+` and
# `*` of two Values in engine/value.py).
BUILTINS: tuple[Op, ...] = (
    _infix("+", operator.add, lambda a, b, out: 1.0, lambda a, b, out: 1.0, doc="a + b"),
    _infix("-", operator.sub, lambda a, b, out: 1.0, lambda a, b, out: -1.0, symbol="−",
           doc="a - b"),
    _infix("*", operator.mul, lambda a, b, out: b, lambda a, b, out: a, symbol="×", doc="a b"),
    _infix("/", operator.truediv, lambda a, b, out: 1.0 / b, lambda a, b, out: -out / b,
           symbol="÷", domains=(REALS, NONZERO), doc="a / b"),
    _infix("**", operator.pow, lambda a, b, out: power_slope(a, b, out),
           lambda a, b, out: out * log(a), symbol="**", domains=(POSITIVE, REALS),
           given=_power_domain,
           doc="a ** b (a Value base must be positive; a constant exponent allows any base)"),
    _function("neg", operator.neg, lambda x, out: -1.0, symbol="−x", doc="-a"),
    _function("exp", math.exp, lambda x, e: e, doc="e ** x (raises OverflowError above ~709.78)"),
    _function("log", math.log, lambda x, y: 1.0 / x, POSITIVE, doc="natural logarithm"),
    _function("tanh", math.tanh, lambda x, t: 1.0 - t * t, doc="hyperbolic tangent"),
    _function("sigmoid", _sigmoid, lambda x, s: s * (1.0 - s), doc="logistic 1 / (1 + e^-x)"),
    # Convention: relu's and abs's derivatives at exactly 0 are 0 (a subgradient).
    _function("relu", _relu_forward, _relu_derivative, kinks=(0.0,), doc="max(0, x)",
              fast=_fast_relu),
    _function("abs", abs, lambda x, y: 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0,
              kinks=(0.0,), symbol="|x|", doc="|x|"),
    # The perceptron's threshold: ties (x exactly 0) are positive, as in the notes. Its
    # derivative is 0 wherever it exists, which is why the notes move to sigmoid or relu.
    _function("step", lambda x: 1.0 if x >= 0.0 else -1.0, lambda x, y: 0.0, kinks=(0.0,),
              doc="+1 if x >= 0 else -1"),
    _n_ary("sum", "Σ", "a1 + ... + an"),
    _n_ary("dot", "w·x", "w1 x1 + ... + wn xn (+ b): arguments are the ws, then the xs"),
)  # fmt: skip
_ARITHMETIC = {op.name: op for op in BUILTINS if op.arity == 2}
BUILTIN_NAMES = frozenset(op.name for op in BUILTINS)
"""The ops tracegrad defines itself."""


# ------------------------------------------------------------------ the registry


class Registry(Mapping[str, Op]):
    """The ops by name: the built-in table plus the user's, read as one snapshot.

    Every change (`define_op`, `remove_op`) builds a new dict and swaps it in as one
    reference assignment, under a lock; a reader iterating the registry iterates the
    snapshot it started with, so a thread defining ops never disturbs one reading them.
    """

    def __init__(self, ops: tuple[Op, ...]) -> None:
        self._table: Mapping[str, Op] = {op.name: op for op in ops}
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> Op:
        return self._table[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, name: object) -> bool:
        return name in self._table

    def get(self, name: str, default: Any = None) -> Any:  # one lookup, one snapshot
        return self._table.get(name, default)

    def snapshot(self) -> Mapping[str, Op]:
        """The table as it is now (never changed afterwards)."""
        return self._table

    def _swap(self, change: Callable[[dict[str, Op]], None]) -> None:
        with self._lock:
            table = dict(self._table)
            change(table)
            self._table = table


class _LiveOps:
    """Every registered op, in the order they were defined (a live view)."""

    def __iter__(self) -> Iterator[Op]:
        return iter(list(OPS_BY_NAME.snapshot().values()))

    def __len__(self) -> int:
        return len(OPS_BY_NAME)


OPS_BY_NAME = Registry(BUILTINS)
"""Every registered op by name; `define_op` adds to it."""
OPS = _LiveOps()
"""Every registered op, in the order they were defined (a live view)."""


def plain_name(name: object) -> str:
    """An op name as a plain `str`, NFKC-normalised and a Python identifier, or raise.

    A `str` subclass is copied into a plain `str` first, so no method of the caller's
    object (such as a `__repr__` written to inject code) ever runs later.
    """
    if not isinstance(name, str):
        raise ValueError(f"an op name must be a Python identifier, got {name!r:.80}")
    plain = str.__str__(name) if type(name) is not str else name
    if type(plain) is not str:  # pragma: no cover - str.__str__ always gives a str
        plain = "".join(plain)
    if not plain.isidentifier() or keyword.iskeyword(plain):
        raise ValueError(f"an op name must be a Python identifier, got {str.__repr__(plain)}")
    normal = unicodedata.normalize("NFKC", plain)
    if normal != plain:
        raise ValueError(
            f"an op name must be written as Python reads it (NFKC): {str.__repr__(plain)} is"
            f" read as {normal!r}; use {normal!r} or another plain name"
        )
    return plain


def define_op(
    name: str,
    forward: Callable[..., float],
    derivative: Callable[..., Any],
    *,
    arity: int = 1,
    domain: Domain | tuple[Domain, ...] | None = None,
    symbol: str | None = None,
    kinks: tuple[float, ...] = (),
    doc: str = "",
    replace: bool = False,
) -> Op:
    """Define an op once; get a function, pictures, gradcheck, strategies and nn.

    For a one-input op, `forward(x: float) -> float` computes the value and
    `derivative(x, out)` its local derivative (`out` is the forward value, handy for
    `exp`, `tanh`, `sigmoid`). For `arity=2`, `forward(a, b)` and
    `derivative(a, b, out) -> (da, db)`. Write the derivative with engine operations
    (arithmetic, `x.exp()`...) as the built-ins do, and it also runs on Values:
    `engine.grad(..., create_graph=True)`, `hessian` and `hvp` then work through the
    op. A derivative written with `math` works on floats only (first order).

    The returned `Op` is the op: call it on Values and plain numbers (`op(x)`,
    `op(x, 2.0)`). (`Value` is not patched: its methods are the built-in ops, written
    out where type checkers see them.) A one-input op is an activation that
    `nn.MLP(..., activation=name)` and the `tracegrad graph` parser accept.

    Args:
        name: a Python identifier (plain, NFKC-normal), not already used by the
            registry or by `Value`, and not "linear" (nn's "no activation").
        forward: the op on floats.
        derivative: its local derivative(s), as above.
        arity: 1 or 2.
        domain: where the op is defined (default: every real number); a tuple gives
            one Domain per argument of a two-input op.
        symbol: what pictures show (default: the name).
        kinks: points inside the domain where the derivative does not exist.
        doc: one line saying what the op computes.
        replace: allow redefining an op you defined before (handy when a notebook
            cell runs twice); built-in ops can never be replaced.

    Raises:
        ValueError: if the name is taken, reserved, not an identifier, or the arity is
            not 1 or 2.
        TypeError: if `forward` or `derivative` is not callable.
    """
    name = plain_name(name)
    if name in RESERVED:
        raise ValueError(f"the op name {name!r} is reserved (nn reads it as no activation)")
    if arity not in (1, 2):
        raise ValueError(f"define_op() makes ops of arity 1 or 2, got arity={arity!r}")
    for what, f in (("forward", forward), ("derivative", derivative)):
        if not callable(f):
            raise TypeError(f"{what} must be a function, got {f!r}")
    if domain is None:
        domains: tuple[Domain, ...] = (REALS,) * arity
    elif isinstance(domain, Domain):
        domains = (domain,) * arity
    else:
        domains = tuple(domain) if isinstance(domain, tuple | list) else ()
    if len(domains) != arity or not all(isinstance(d, Domain) for d in domains):
        raise TypeError(f"domain must be a Domain or {arity} Domains, got {domain!r}")
    if arity == 1:
        partials: tuple[Callable[..., Any], ...] = (derivative,)
        apply = _unary(name, forward, derivative, domains[0])
    else:
        partials = (lambda a, b, out: derivative(a, b, out)[0],
                    lambda a, b, out: derivative(a, b, out)[1])  # fmt: skip
        apply = _user_binary(name, forward, derivative, domains)
    joint = derivative if arity == 2 else None
    op = Op(name, arity, forward, partials, domains, symbol or name, apply, kinks, doc, joint=joint)

    def add(table: dict[str, Op]) -> None:
        if name in BUILTIN_NAMES:
            raise ValueError(f"a built-in op named {name!r} already exists")
        if hasattr(Value, name) or (name in table and not replace):
            hint = " (pass replace=True to redefine it)" if name in table else ""
            raise ValueError(f"an op or Value attribute named {name!r} already exists{hint}")
        table[name] = op

    OPS_BY_NAME._swap(add)
    return op


def remove_op(name: str) -> None:
    """Remove an op you defined with `define_op`.

    Raises:
        ValueError: for a built-in op or a name that is not registered.
    """

    def remove(table: dict[str, Op]) -> None:
        if name in BUILTIN_NAMES:
            raise ValueError(f"{name!r} is a built-in op and cannot be removed")
        if name not in table:
            raise ValueError(f"no op named {name!r} is registered")
        del table[name]

    OPS_BY_NAME._swap(remove)


def one_input_ops() -> list[Op]:
    """The registered ops of one Value argument: the activations `nn` accepts."""
    return [op for op in OPS_BY_NAME.snapshot().values() if op.arity == 1]


def operands(node: Value) -> list[Value | float]:
    """The arguments of the op that made `node`, constants in their place.

    For a binary op with a plain-number operand the constant is put back where it
    was (`2 - x` gives `[2.0, x]`); for other ops the arguments are the parents.

    >>> from engine import Value
    >>> x = Value(3.0, "x")
    >>> operands(2 - x), operands(x * 4)
    ([2.0, Value(data=3.0, label='x')], [Value(data=3.0, label='x'), 4.0])
    """
    if node.const is None:
        return list(node.parents)
    if node.op in LEFT_CONSTANT:
        return [node.const, *node.parents]
    return [*node.parents, node.const]


def op_named(op: str) -> Op | None:
    """The registry entry behind a node's `op` (`"r-"` is `"-"`), or None if unknown.

    >>> op_named("r-").name, op_named("tanh").symbol, op_named("nope")
    ('-', 'tanh', None)
    """
    entry: Op | None = OPS_BY_NAME.get(LEFT_CONSTANT.get(op, op))
    return entry
