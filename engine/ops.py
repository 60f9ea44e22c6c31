"""The op registry: every op tracegrad knows, defined once.

An entry (`Op`) holds an op's name, arity, domain, float forward, local derivative(s)
and the symbol pictures show. Everything else follows from it: the `Value` method
(`x.tanh()`), the plain-float path `nn` uses under `no_grad()`, the activations `nn`
accepts (any one-input op), the functions of the `tracegrad graph` parser, the
hypothesis strategies and the per-op tests. `define_op` adds an op; the built-in
one-input ops below are defined with it, exactly as a user's op would be.

    >>> import math
    >>> from engine import Value, define_op
    >>> cube = define_op("cube_demo", lambda x: x ** 3, lambda x, out: 3 * x * x)
    >>> y = Value(2.0).cube_demo()
    >>> y.backward()
    >>> y.data, y.parents[0].grad
    (8.0, 12.0)
"""

from __future__ import annotations

import keyword
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.checks import power_slope
from engine.value import LEFT_CONSTANT, ONE, Value, make_node
from engine.walk import ZERO

INF = math.inf


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

    def __contains__(self, x: object) -> bool:
        if isinstance(x, bool) or not isinstance(x, int | float):
            return False
        return self.low < x < self.high and x not in self.exclude


REALS = Domain()
POSITIVE = Domain(low=0.0, text="a positive input")
NONZERO = Domain(exclude=(0.0,), text="a non-zero input")


@dataclass(frozen=True)
class Op:
    """One entry of the registry.

    Attributes:
        name: the registry key, also the `op` of the Values it makes.
        arity: the number of Value arguments, or None for an n-ary op.
        forward: the op on plain floats.
        derivative: the local derivative(s): `(x, out) -> d` for one input,
            `(a, b, out) -> (da, db)` for two; `None` for the n-ary ops.
        domains: where each argument is valid (one entry, shared, for n-ary ops).
        symbol: how pictures show the op.
        apply: the op on Values (and numbers): the function `x.<name>()` calls.
        kinks: points where the derivative does not exist (finite differences
            disagree with any convention there, so tests stay away).
        doc: one line saying what it computes.
        code: how generated code (`engine.codegen`) writes a built-in op: the
            forward expression, then d out / d argument for each argument, over
            `{a}`, `{b}` (the arguments), `{out}` (the result) and `{forward}` (this
            entry's `forward`). Empty for ops made with `define_op`: generated code
            calls their `forward` and `derivative`, so user text never becomes code.
    """

    name: str
    arity: int | None
    forward: Callable[..., float]
    derivative: Callable[..., Any] | None
    domains: tuple[Domain, ...]
    symbol: str
    apply: Callable[..., Value] = field(compare=False)
    kinks: tuple[float, ...] = ()
    doc: str = ""
    code: tuple[str, ...] = ()

    def domain(self, position: int) -> Domain:
        """The domain of argument `position` (any position for an n-ary op)."""
        return self.domains[0] if self.arity is None else self.domains[position]

    def smooth_domain(self, position: int) -> Domain:
        """The domain of argument `position` without the kinks: where the derivative
        exists, so finite differences can check it (tests and strategies use this)."""
        d = self.domain(position)
        return Domain(d.low, d.high, d.exclude + self.kinks, d.text) if self.kinks else d

    def __call__(self, *args: Any) -> Value:
        """Apply the op: `OPS_BY_NAME["tanh"](x)` is `x.tanh()`."""
        return self.apply(*args)


OPS_BY_NAME: dict[str, Op] = {}
"""Every registered op by name; `define_op` adds to it."""
OPS = OPS_BY_NAME.values()
"""Every registered op, in the order they were defined (a live view)."""
BUILTIN_NAMES: set[str] = set()
"""The ops tracegrad defines itself (filled in once `engine` is imported)."""


def register(op: Op) -> Op:
    """Add a ready-made `Op` to the registry (refusing a name already taken)."""
    if op.name in OPS_BY_NAME:
        raise ValueError(f"an op named {op.name!r} is already registered")
    OPS_BY_NAME[op.name] = op
    return op


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
    """Define an op once; get `x.<name>()`, pictures, gradcheck, strategies and nn.

    For a one-input op, `forward(x: float) -> float` computes the value and
    `derivative(x: float, out: float) -> float` its local derivative (`out` is the
    forward value, handy for `exp`, `tanh`, `sigmoid`). For `arity=2`,
    `forward(a, b)` and `derivative(a, b, out) -> (da, db)`.

    The returned `Op` is callable on Values and plain numbers (`op(x)`, `op(x, 2.0)`).
    A one-input op also becomes the method `Value.<name>()` and an activation that
    `nn.MLP(..., activation=name)` accepts.

    Every call checks its inputs against `domain` (ValueError naming the op and the
    input) and its result and derivative(s) (an OverflowError or ValueError naming the
    op and the input when they are not finite), so no NaN or infinity enters a graph.

    Args:
        name: a Python identifier not already used by the registry or by `Value`.
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
        ValueError: if the name is taken, not an identifier, or the arity is not 1 or 2.
        TypeError: if `forward` or `derivative` is not callable.
    """
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"an op name must be a Python identifier, got {name!r}")
    if replace and name in OPS_BY_NAME and name not in BUILTIN_NAMES:
        remove_op(name)
    if name in OPS_BY_NAME or hasattr(Value, name):
        what = "a built-in op" if name in BUILTIN_NAMES else "an op or Value attribute"
        hint = "" if name in BUILTIN_NAMES or replace else " (pass replace=True to redefine it)"
        raise ValueError(f"{what} named {name!r} already exists{hint}")
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
        domains = tuple(domain)
    if len(domains) != arity or not all(isinstance(d, Domain) for d in domains):
        raise TypeError(f"domain must be a Domain or {arity} Domains, got {domain!r}")
    make = _unary if arity == 1 else _binary
    op = Op(name, arity, forward, derivative, domains, symbol or name, _unset, kinks, doc)
    object.__setattr__(op, "apply", make(op))
    register(op)
    if arity == 1:
        method = op.apply
        method.__name__ = method.__qualname__ = name
        method.__doc__ = doc or f"The registered op {name!r} of this Value."
        setattr(Value, name, method)
    return op


def remove_op(name: str) -> None:
    """Remove an op you defined with `define_op` (its `Value` method too).

    Raises:
        ValueError: for a built-in op or a name that is not registered.
    """
    if name in BUILTIN_NAMES:
        raise ValueError(f"{name!r} is a built-in op and cannot be removed")
    if name not in OPS_BY_NAME:
        raise ValueError(f"no op named {name!r} is registered")
    op = OPS_BY_NAME.pop(name)
    if op.arity == 1 and getattr(Value, name, None) is op.apply:
        delattr(Value, name)


def _unset(*args: Any) -> Value:
    raise AssertionError("an Op's apply is set right after it is made")


def _unary(op: Op) -> Callable[[Any], Value]:
    """The Value-level function of a one-input op: checks, forward, derivative, node."""
    name, forward, derivative, domain = op.name, op.forward, op.derivative, op.domains[0]
    assert derivative is not None
    checks_domain = domain != REALS

    def apply(x: Any) -> Value:
        if not isinstance(x, Value):
            x = Value(x)
        a = x.data
        if a - a != 0.0:  # NaN or infinity set by hand: never turn it into a number
            raise ValueError(f"{name}() needs a finite input, got {x!r}")
        if checks_domain and a not in domain:
            raise ValueError(f"{name}() needs {domain.text}, got {x!r}")
        try:
            out = forward(a)
            d = derivative(a, out)
        except OverflowError:
            out = d = math.inf
        except (ArithmeticError, ValueError) as error:
            raise _failed(name, (x,), error) from None
        if out - out != 0.0:
            raise OverflowError(
                f"{name}() overflows for {x!r}: the result is beyond the largest float (1.8e308)"
            )
        if d - d != 0.0:
            raise OverflowError(f"{name}() has no finite derivative at {x!r} (got {d!r})")
        local = ZERO if d == 0.0 else ONE if d == 1.0 else (float(d),)
        return make_node(out if type(out) is float else float(out), (x,), local, name)

    return apply


def _binary(op: Op) -> Callable[[Any, Any], Value]:
    """The Value-level function of a two-input op defined with `define_op`."""
    name, forward, derivative, (da, db) = op.name, op.forward, op.derivative, op.domains
    assert derivative is not None

    def apply(x: Any, y: Any) -> Value:
        xs = [v if isinstance(v, Value) else Value(v) for v in (x, y)]
        a, b = xs[0].data, xs[1].data
        for v, dom in zip(xs, (da, db)):
            if v.data not in dom:
                raise ValueError(f"{name}() needs {dom.text}, got {v!r}")
        try:
            out = forward(a, b)
            locals_ = tuple(map(float, derivative(a, b, out)))
        except (ArithmeticError, ValueError, TypeError) as error:
            raise _failed(name, tuple(xs), error) from None
        if out - out or any(g - g for g in locals_) or len(locals_) != 2:
            raise OverflowError(f"{name}() is not finite for {xs[0]!r}, {xs[1]!r}")
        return make_node(float(out), tuple(xs), locals_, name)

    return apply


def _failed(name: str, args: tuple[Value, ...], error: Exception) -> Exception:
    """The error of an op whose float functions raised: same kind, naming op and input."""
    shown = ", ".join(map(repr, args))
    kind = type(error) if isinstance(error, ArithmeticError | ValueError) else ValueError
    return kind(f"{name}() failed for {shown}: {error}")


# ----------------------------------------------------------------- the built-in ops
# The arithmetic is written out in `Value` (engine/value.py) and the fused ops in
# engine/fast.py; their entries here say what they are.


def _binary_entry(name: str, fwd: Callable[..., Any], der: Callable[..., Any], **kw: Any) -> Op:
    """An arithmetic op: `operator.add` and friends work on floats and Values alike, so
    the float forward is also the Value-level apply (which runs `Value.__add__`...)."""
    domains = kw.pop("domains", (REALS, REALS))
    return register(Op(name, 2, fwd, der, domains, kw.pop("symbol", name), fwd, **kw))


_binary_entry(
    "+",
    operator.add,
    lambda a, b, out: (1.0, 1.0),
    doc="a + b",
    code=("{a} + {b}", "1.0", "1.0"),
)
_binary_entry(
    "-",
    operator.sub,
    lambda a, b, out: (1.0, -1.0),
    symbol="−",
    doc="a - b",
    code=("{a} - {b}", "1.0", "-1.0"),
)
_binary_entry(
    "*",
    operator.mul,
    lambda a, b, out: (b, a),
    symbol="×",
    doc="a b",
    code=("{a} * {b}", "{b}", "{a}"),
)
_binary_entry(
    "/",
    operator.truediv,
    lambda a, b, out: (1.0 / b, -out / b),
    symbol="÷",
    domains=(REALS, NONZERO),
    doc="a / b",
    code=("{a} / {b}", "1.0 / {b}", "-{out} / {b}"),
)
_binary_entry(
    "**",
    operator.pow,
    lambda a, b, out: (power_slope(a, b, out), out * math.log(a)),
    symbol="**",
    domains=(POSITIVE, REALS),
    doc="a ** b (a Value base must be positive; a constant exponent allows any base)",
    # d/da as engine.checks.power_slope computes it
    code=(
        "{a} ** {b}",
        "float({b} == 1.0) if not {a} else {b} * {out} / {a}"
        " if abs({out}) >= 2.2250738585072014e-308 else {b} * {a} ** ({b} - 1.0)",
        "{out} * math.log({a})",
    ),
)
register(
    Op(
        "neg",
        1,
        operator.neg,
        lambda a, out: -1.0,
        (REALS,),
        "−x",
        operator.neg,
        doc="-a",
        code=("-{a}", "-1.0"),
    )
)


def _code(op: Op, *templates: str) -> None:
    """Give a built-in op defined with `define_op` its code templates (see `Op.code`)."""
    object.__setattr__(op, "code", templates)


# The one-input functions, each one line of maths: forward, then d out / d x.
_code(
    define_op("exp", math.exp, lambda x, e: e, doc="e ** x (raises OverflowError above ~709.78)"),
    "math.exp({a})",
    "{out}",
)
_code(
    define_op("log", math.log, lambda x, y: 1.0 / x, domain=POSITIVE, doc="natural logarithm"),
    "math.log({a})",
    "1.0 / {a}",
)
_code(
    define_op("tanh", math.tanh, lambda x, t: 1.0 - t * t, doc="hyperbolic tangent"),
    "math.tanh({a})",
    "1.0 - {out} * {out}",
)


def _sigmoid(x: float) -> float:
    """1 / (1 + e^-x), without overflow: for x < 0 use e^x / (1 + e^x)."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


_code(
    define_op("sigmoid", _sigmoid, lambda x, s: s * (1.0 - s), doc="logistic 1 / (1 + e^-x)"),
    "{forward}({a})",
    "{out} * (1.0 - {out})",
)
# Convention: relu's derivative at exactly 0 is 0, and so is abs's (a subgradient).
_code(
    define_op(
        "relu",
        lambda x: x if x > 0.0 else 0.0,
        lambda x, y: 1.0 if x > 0.0 else 0.0,
        kinks=(0.0,),
        doc="max(0, x)",
    ),
    "{a} if {a} > 0.0 else 0.0",
    "1.0 if {a} > 0.0 else 0.0",
)
_code(
    define_op(
        "abs",
        abs,
        lambda x, y: 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0,
        kinks=(0.0,),
        symbol="|x|",
        doc="|x|",
    ),
    "abs({a})",
    "1.0 if {a} > 0.0 else -1.0 if {a} < 0.0 else 0.0",
)
# The perceptron's threshold: ties (x exactly 0) are positive, as in the notes. Its
# derivative is 0 wherever it exists, which is why the notes move to sigmoid or relu.
_code(
    define_op(
        "step",
        lambda x: 1.0 if x >= 0.0 else -1.0,
        lambda x, y: 0.0,
        kinks=(0.0,),
        doc="+1 if x >= 0 else -1",
    ),
    "1.0 if {a} >= 0.0 else -1.0",
    "0.0",
)
Value.__abs__ = Value.abs  # type: ignore[attr-defined]


def one_input_ops() -> list[Op]:
    """The registered ops of one Value argument: the activations `nn` accepts."""
    return [op for op in OPS if op.arity == 1]


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
    return OPS_BY_NAME.get(LEFT_CONSTANT.get(op, op))
