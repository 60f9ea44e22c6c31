"""Check the gradients of `backward()` against central finite differences.

A finite difference asks the forward pass alone how the output moves when one input
is nudged a little each way. If the chain rule and every local derivative are right,
the two answers agree up to rounding; a wrong derivative shows up as a mismatch on the
inputs it feeds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from engine.derivatives import grad
from engine.grad_mode import is_grad_enabled, no_grad
from engine.value import Value

MAX_EPS = 0.1
_SHOWN_MISMATCHES = 5


@dataclass(frozen=True)
class InputCheck:
    """The gradient of one input, from `backward()` and from finite differences.

    Attributes:
        index: the position of the input in the list given to `gradcheck`.
        label: the input's label (`x0`, `x1`, ... for plain numbers).
        value: the input's value.
        analytic: the gradient `backward()` computed.
        numeric: the central finite difference.
        tolerance: the largest difference accepted, `atol + rtol * |numeric|`.
    """

    index: int
    label: str
    value: float
    analytic: float
    numeric: float
    tolerance: float

    @property
    def difference(self) -> float:
        """`|analytic - numeric|` (infinite when the numeric gradient is not finite)."""
        d = abs(self.analytic - self.numeric)
        return d if math.isfinite(d) else math.inf

    @property
    def ok(self) -> bool:
        """True when the difference is within the tolerance."""
        return self.difference <= self.tolerance

    @property
    def badness(self) -> float:
        """The difference in units of the tolerance (above 1 means a mismatch)."""
        if self.tolerance > 0.0:
            return self.difference / self.tolerance
        return 0.0 if self.difference == 0.0 else math.inf

    def describe(self) -> str:
        """One line naming the input and comparing its two gradients."""
        verdict = "<=" if self.ok else ">"
        return (
            f"input {self.index} ({self.label!r}) at {self.value!r}: analytic {self.analytic!r},"
            f" numeric {self.numeric!r}, difference {self.difference!r}"
            f" {verdict} tolerance {self.tolerance!r}"
        )


@dataclass(frozen=True)
class GradcheckReport:
    """What `gradcheck` compared: one `InputCheck` per input, plus the settings used.

    Attributes:
        output: the value of `f` at the inputs.
        checks: one entry per input, in order.
        eps: the finite-difference step.
        atol: the absolute tolerance.
        rtol: the tolerance relative to `|numeric|`.
    """

    output: float
    checks: tuple[InputCheck, ...]
    eps: float
    atol: float
    rtol: float
    second_order: tuple[InputCheck, ...] = ()
    """With `order=2`: one check per pair (i, j), index `i`, label `"d2/dxi dxj"`:
    the exact second derivative against a finite difference of exact gradients."""

    @property
    def passed(self) -> bool:
        """True when every input's gradients agree."""
        return all(c.ok for c in (*self.checks, *self.second_order))

    @property
    def mismatches(self) -> tuple[InputCheck, ...]:
        """The inputs whose gradients disagree, worst first."""
        bad = [c for c in (*self.checks, *self.second_order) if not c.ok]
        return tuple(sorted(bad, key=lambda c: c.badness, reverse=True))

    @property
    def worst(self) -> InputCheck:
        """The input whose difference is the largest multiple of its tolerance."""
        return max(self.checks, key=lambda c: c.badness)

    def __str__(self) -> str:
        status = "passed" if self.passed else f"FAILED ({len(self.mismatches)} mismatched)"
        lines = [
            f"gradcheck {status}: {len(self.checks)} inputs, output {self.output!r},"
            f" eps {self.eps!r}, atol {self.atol!r}, rtol {self.rtol!r}",
            f"worst: {self.worst.describe()}",
        ]
        return "\n".join(lines)


class GradcheckError(AssertionError):
    """Raised by `gradcheck` when `backward()` disagrees with finite differences.

    It is an `AssertionError` so that test runners count it as a failed check. The
    full comparison is in `report` (None when backward was not reproducible).
    """

    def __init__(self, message: str, report: GradcheckReport | None = None) -> None:
        super().__init__(message)
        self.report = report


def gradcheck(
    f: Callable[[list[Value]], Value],
    inputs: Iterable[Value | float],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    order: int = 1,
) -> GradcheckReport:
    """Compare every gradient from `backward()` with a central finite difference.

    `f` is called with fresh leaf Values holding the inputs' data (Values you pass are
    read, never modified). It is differentiated once with `backward()`, and a second
    time to check that backward is reproducible. Then, for each input `x`, it is
    evaluated at `x + eps` and `x - eps` (without recording a graph) and the slope
    between the two is the numeric gradient. An input passes when
    `|analytic - numeric| <= atol + rtol * |numeric|`. Gradients of Values that `f`
    uses but that are not inputs (say, a model's weights) are left as they were.

    Args:
        f: maps a list of Values (one per input) to a single Value.
        inputs: numbers and/or Values, at least one.
        eps: the finite-difference step, in (0, 0.1].
        atol: absolute tolerance, >= 0.
        rtol: relative tolerance, >= 0 (not both zero).
        order: 1, or 2 to check second derivatives too: every entry of the Hessian
            from `engine.grad(..., create_graph=True)` against the central difference
            of exact gradients (`report.second_order`).

    Returns:
        A `GradcheckReport` when every input agrees.

    Raises:
        GradcheckError: naming the worst mismatching input (index, label, analytic and
            numeric gradients, their difference and the tolerance), or when a second
            backward pass gives different gradients.
        TypeError: if `f` is not callable, does not return a Value, or an input is not
            a number or a Value.
        ValueError: for an empty `inputs`, a non-finite input, invalid `eps`, `atol` or
            `rtol`, or when `f` fails at a point `eps` away from an input.
        RuntimeError: when called inside `no_grad()`.

    Example:
        >>> from engine import gradcheck
        >>> report = gradcheck(lambda xs: (xs[0] * xs[1]).tanh(), [0.5, -1.5])
        >>> report.passed, len(report.checks)
        (True, 2)
        >>> round(report.checks[1].analytic, 6)
        0.298293
    """
    if not callable(f):
        raise TypeError(f"gradcheck() needs a callable f, got {f!r}")
    eps = _check_setting("eps", eps)
    atol = _check_setting("atol", atol)
    rtol = _check_setting("rtol", rtol)
    if not 0.0 < eps <= MAX_EPS:
        raise ValueError(
            f"Invalid eps: {eps!r} (expected 0 < eps <= {MAX_EPS}; a small step such as 1e-6)"
        )
    if atol < 0.0:
        raise ValueError(f"Invalid atol: {atol!r} (expected atol >= 0)")
    if rtol < 0.0:
        raise ValueError(f"Invalid rtol: {rtol!r} (expected rtol >= 0)")
    if atol == 0.0 and rtol == 0.0:
        raise ValueError("Invalid tolerances: atol and rtol are both 0; no float check can pass")
    if not is_grad_enabled():
        raise RuntimeError("gradcheck() needs graph recording: call it outside no_grad()")
    if order not in (1, 2) or isinstance(order, bool):
        raise ValueError(f"Invalid order: {order!r} (expected 1 or 2)")
    points, labels = _read_inputs(inputs)

    leaves = [Value(x, label) for x, label in zip(points, labels)]
    out = _call(f, leaves)
    first, second = _backward_twice(out, leaves)
    checks = []
    for i, (x, label) in enumerate(zip(points, labels)):
        numeric = _central_difference(f, points, labels, i, eps)
        tolerance = atol + rtol * abs(numeric) if math.isfinite(numeric) else atol
        checks.append(InputCheck(i, label, x, first[i], numeric, tolerance))
    report = GradcheckReport(out.data, tuple(checks), eps, atol, rtol)

    for check, again in zip(checks, second):
        if abs(again - check.analytic) > check.tolerance:
            raise GradcheckError(
                f"backward() is not reproducible: input {check.index} ({check.label!r})"
                f" got gradient {check.analytic!r}, then {again!r} from a second backward()"
                f" on the same graph (tolerance {check.tolerance!r})",
                report,
            )
    if not report.passed:
        raise GradcheckError(_mismatch_message(report), report)
    if order == 2:
        pairs = _second_order(f, points, labels, eps, atol, rtol)
        report = GradcheckReport(out.data, tuple(checks), eps, atol, rtol, pairs)
        if not report.passed:
            raise GradcheckError(_mismatch_message(report), report)
    return report


def _exact_gradient(f: Callable[[list[Value]], Value], points: Sequence[float],
                    labels: Sequence[str], create_graph: bool = False) -> list[Any]:  # fmt: skip
    leaves = [Value(p, label) for p, label in zip(points, labels)]
    return [leaves, grad(_call(f, leaves), leaves, create_graph=create_graph)]


def _second_order(
    f: Callable[[list[Value]], Value],
    points: list[float],
    labels: list[str],
    eps: float,
    atol: float,
    rtol: float,
) -> tuple[InputCheck, ...]:
    """Each second derivative, exact (the gradient's gradient) and numeric (the slope
    of the exact gradient between `x_i + eps` and `x_i - eps`)."""
    leaves, gradient = _exact_gradient(f, points, labels, create_graph=True)
    exact = [grad(g, leaves) for g in gradient]  # exact[j][i] = d2 f / dxj dxi
    checks = []
    for i, x in enumerate(points):
        ends = []
        for shifted in (x + eps, x - eps):
            moved = list(points)
            moved[i] = shifted
            try:
                ends.append(_exact_gradient(f, moved, labels)[1])
            except (ArithmeticError, ValueError) as err:
                raise ValueError(
                    f"cannot take a finite difference of the gradient for input {i}"
                    f" ({labels[i]!r}): f failed at {shifted!r} ({err})"
                ) from err
        for j, label in enumerate(labels):
            numeric = (ends[0][j] - ends[1][j]) / ((x + eps) - (x - eps))
            tolerance = atol + rtol * abs(numeric) if math.isfinite(numeric) else atol
            name = f"d2/d{labels[i]} d{label}"
            checks.append(InputCheck(i, name, x, exact[j][i], numeric, tolerance))
    return tuple(checks)


def _check_setting(name: str, x: object) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise TypeError(f"Invalid {name}: {x!r} (expected a real number)")
    if not math.isfinite(x):
        raise ValueError(f"Invalid {name}: {x!r} (expected a finite number)")
    return float(x)


def _read_inputs(inputs: Iterable[Value | float]) -> tuple[list[float], list[str]]:
    """The inputs' data and labels; plain numbers are labelled x0, x1, ..."""
    if isinstance(inputs, Value | str | bytes) or not isinstance(inputs, Iterable):
        raise TypeError(f"inputs must be a list of numbers or Values, got {inputs!r}")
    points: list[float] = []
    labels: list[str] = []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            points.append(x.data)
            labels.append(x.label or f"x{i}")
            continue
        if isinstance(x, bool) or not isinstance(x, int | float):
            raise TypeError(f"inputs[{i}] must be a number or a Value, got {x!r}")
        if not math.isfinite(x):
            raise ValueError(f"inputs[{i}] must be finite, got {x!r}")
        points.append(float(x))
        labels.append(f"x{i}")
    if not points:
        raise ValueError("gradcheck() needs at least one input, got an empty list")
    return points, labels


def _call(f: Callable[[list[Value]], Value], leaves: list[Value]) -> Value:
    out = f(leaves)
    if not isinstance(out, Value):
        raise TypeError(f"f must return a Value, got {out!r} (type {type(out).__name__})")
    return out


def _backward_twice(out: Value, leaves: list[Value]) -> tuple[list[float], list[float]]:
    """Run backward twice on one graph, restoring other leaves' gradients afterwards."""
    mine = {id(leaf) for leaf in leaves}
    others = [n for n in out.topological_order() if not n.parents and id(n) not in mine]
    saved = [n.grad for n in others]
    grads = []
    for _ in range(2):
        for leaf in [*leaves, *others]:  # others too: no leaf adds to an earlier pass
            leaf.grad = 0.0
        out.backward()
        grads.append([leaf.grad for leaf in leaves])
    for node, g in zip(others, saved):
        node.grad = g
    return grads[0], grads[1]


def _central_difference(
    f: Callable[[list[Value]], Value],
    points: Sequence[float],
    labels: Sequence[str],
    i: int,
    eps: float,
) -> float:
    """The slope of `f` between `x_i + eps` and `x_i - eps`, other inputs fixed."""
    x = points[i]
    up, down = x + eps, x - eps
    if up == x or down == x:
        raise ValueError(
            f"eps {eps!r} is too small for input {i} ({labels[i]!r}) = {x!r}:"
            " x + eps rounds back to x; use a larger eps"
        )
    ends = []
    for shifted in (up, down):
        moved = list(points)
        moved[i] = shifted
        with no_grad():
            try:
                y = _call(f, [Value(p, label) for p, label in zip(moved, labels)])
            except (ArithmeticError, ValueError) as err:
                raise ValueError(
                    f"cannot take a finite difference for input {i} ({labels[i]!r}):"
                    f" f failed at {shifted!r} = {x!r} {'+' if shifted > x else '-'} eps"
                    f" ({err}); keep the input further than eps from the edge of f's domain"
                ) from err
        ends.append(y.data)
    # The step actually taken, which rounding may make differ from 2 * eps.
    return (ends[0] - ends[1]) / (up - down)


def _mismatch_message(report: GradcheckReport) -> str:
    bad = report.mismatches
    worst = bad[0]
    lines = [
        f"gradient of input {worst.index} ({worst.label!r}) does not match finite differences:"
        f" analytic {worst.analytic!r}, numeric {worst.numeric!r},"
        f" difference {worst.difference!r} > tolerance {worst.tolerance!r}"
        f" (atol {report.atol!r} + rtol {report.rtol!r} * |numeric|)",
        f"{len(bad)} of {len(report.checks)} inputs mismatch (worst first):",
    ]
    lines += [f"  {c.describe()}" for c in bad[:_SHOWN_MISMATCHES]]
    if len(bad) > _SHOWN_MISMATCHES:
        lines.append(f"  ... and {len(bad) - _SHOWN_MISMATCHES} more")
    return "\n".join(lines)
