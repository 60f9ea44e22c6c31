"""One place for input checks: numbers, vectors and feature tables.

Every package calls these, so a list, a tuple and a numpy array (when numpy is
installed; it is not a dependency) get the same answer, with the same message,
whether they reach `Value`, a perceptron, `nn.fit` or the command line. Each check
names the argument (`X[3][1]`), shows the bad value and says what is allowed. Labels,
classes and the perceptron's tie rule are model policy: they live in `nn.labels`.
"""

from __future__ import annotations

import math
import sys
from typing import Any, NoReturn

__all__ = [
    "as_float",
    "as_list",
    "as_operand",
    "check_bool",
    "check_features",
    "check_int",
    "check_real",
    "check_vector",
    "checked_power",
    "power_slope",
    "raise_non_finite",
    "raise_overflow",
]


_NOT_REAL = (bool, str, bytes, complex)  # have __float__ or look numeric, but refused
_EXACT = 2**53  # ints below this in size convert to float exactly


def as_float(x: object, what: str) -> float:
    """`x` as a finite float; ints, numpy scalars and fractions are accepted.

    Bools are refused (`True + x` is almost always a mistake), and so are strings,
    complex numbers and anything else without a real value.

    Raises:
        TypeError: if `x` is not a real number.
        ValueError: if `x` is NaN or infinite.

    >>> as_float(3, "lr")
    3.0
    >>> as_float(float("nan"), "lr")
    Traceback (most recent call last):
    ...
    ValueError: lr must be finite, got nan
    """
    if type(x) is float and not x - x:  # the common case: a finite float
        return x
    if type(x) is int and -_EXACT < x < _EXACT:  # the next most common: a small int
        return float(x)
    if isinstance(x, _NOT_REAL) or not hasattr(x, "__float__"):
        raise TypeError(f"{what} must be a real number (int or float), got {x!r}")
    try:
        value = float(x)  # type: ignore[arg-type,unused-ignore]
    except OverflowError:
        raise ValueError(
            f"{what} is too large for a float (at most about 1.8e308), got {_short(x)}"
        ) from None
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a real number (int or float), got {x!r}") from None
    if value - value:
        raise ValueError(f"{what} must be finite, got {x!r}")
    return value


def as_operand(x: object, op: str) -> float:
    """A plain-number operand of `op` as a finite float, or NotImplemented.

    NotImplemented (for anything that is not a real number) lets Python try the other
    operand's method and otherwise raise its usual "unsupported operand" TypeError.
    """
    if type(x) is float and not x - x:
        return x
    if type(x) is int and -_EXACT < x < _EXACT:  # `1 - x`, `sum()`'s start of 0
        return float(x)
    if isinstance(x, _NOT_REAL) or not hasattr(x, "__float__"):
        return NotImplemented  # type: ignore[no-any-return]
    return as_float(x, f"constant operand of '{op}'")


def _short(x: object) -> str:
    """`repr(x)`, or for an int too long to show, how many digits it has."""
    if isinstance(x, int) and abs(x) > 10**30:
        return f"an int of {len(format(x, 'x')) * 1.2:.0f} or so digits"
    return repr(x)


def raise_non_finite(op: str, operand: object) -> NoReturn:
    """The ValueError of an op given a NaN or infinity (a `.data` set by hand)."""
    raise ValueError(
        f"'{op}' got a non-finite input {operand!r}: NaN and infinity never enter a graph"
        " (was .data set by hand?)"
    )


def raise_overflow(op: str, *operands: object) -> NoReturn:
    """The error every op raises for a result that is not a finite float: a ValueError
    naming a non-finite input, else the OverflowError of a result too large."""
    symbol = op.removeprefix("r") if op in ("r-", "r/", "r**") else op
    for operand in operands:
        x = getattr(operand, "data", operand)
        if isinstance(x, float) and x - x != 0.0:
            raise_non_finite(symbol, operand)
    shown = f" {symbol} ".join(map(repr, operands)) if len(operands) == 2 else repr(operands)
    raise OverflowError(
        f"'{symbol}' overflows for {shown}: the result is beyond the largest float (1.8e308)"
    )


def check_real(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive: bool = False,
) -> float:
    """`value` as a finite float within `[minimum, maximum]` (open ends if `exclusive`).

    >>> check_real(0.5, "noise", minimum=0)
    0.5
    >>> check_real(1.0, "factor", minimum=0, maximum=1, exclusive=True)
    Traceback (most recent call last):
    ...
    ValueError: Invalid factor: 1.0 (expected a finite number with 0 < factor < 1)
    """
    lt = "<" if exclusive else "<="
    allowed = "a finite number"
    if minimum is not None or maximum is not None:
        low = "" if minimum is None else f"{minimum:g} {lt} "
        high = "" if maximum is None else f" {lt} {maximum:g}"
        allowed += f" with {low}{name}{high}"
    try:
        x = as_float(value, name)
    except TypeError:
        raise TypeError(f"Invalid {name}: {value!r} (expected {allowed})") from None
    except ValueError:
        raise ValueError(f"Invalid {name}: {value!r} (expected {allowed})") from None
    too_low = minimum is not None and (x <= minimum if exclusive else x < minimum)
    too_high = maximum is not None and (x >= maximum if exclusive else x > maximum)
    if too_low or too_high:
        raise ValueError(f"Invalid {name}: {value!r} (expected {allowed})")
    return x


def checked_power(a: float, b: float, base: object, exponent: object) -> float:
    """a ** b as a finite float, or the error that names the operands."""
    if a < 0.0 and not b.is_integer():
        raise ValueError(f"a negative base to a non-integer power is not real: {base!r} ** {b!r}")
    try:
        p = a**b
    except ZeroDivisionError:
        raise ZeroDivisionError(
            f"'**' divides by zero: {base!r} ** {exponent!r} (0 to a negative power)"
        ) from None
    except OverflowError:
        p = math.inf
    if p - p != 0.0:
        raise_overflow("**", base, exponent)
    return float(p)


MIN_NORMAL = sys.float_info.min  # the smallest float with full precision


def power_slope(a: float, c: float, p: float) -> float:
    """d(a ** c) / da = c a^(c-1), given `p = a ** c`.

    Written `c p / a`, so that no intermediate overflows where the result is finite
    (`1e-300 ** -1`), except where `p` has lost its precision by underflowing (below
    about 2.2e-308): there `c a^(c-1)` keeps the slope (`1e-300 ** 1.5` has the slope
    1.5e-150, though `p` is 0.0). At a = 0 the slope is 1 for c = 1, else 0.

    >>> power_slope(3.0, 2.0, 9.0), power_slope(1e-300, 1.5, 0.0), power_slope(0.0, 1.0, 0.0)
    (6.0, 1.5e-150, 1.0)
    """
    if not a:
        return float(c == 1.0)
    if abs(p) >= MIN_NORMAL:
        return c * p / a
    return c * float(a ** (c - 1.0))


def check_bool(value: object, name: str) -> bool:
    """Return `value` if it is True or False, else raise TypeError."""
    if not isinstance(value, bool):
        raise TypeError(f"Invalid {name}: {value!r} (expected True or False)")
    return value


def check_int(value: object, name: str, minimum: int | None = None) -> int:
    """Return `value` if it is an int (not a bool) of at least `minimum`."""
    allowed = "an int" if minimum is None else f"an int >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"Invalid {name}: {value!r} (expected {allowed})")
    if minimum is not None and value < minimum:
        raise ValueError(f"Invalid {name}: {value!r} (expected {allowed})")
    return value


def as_list(seq: object, where: str, what: str) -> list[Any]:
    """A list of the items of a row-like object (list, tuple, numpy array...)."""
    if isinstance(seq, str | bytes | dict) or not hasattr(seq, "__len__"):
        raise TypeError(f"{where} must be a sequence of {what}, got {seq!r}")
    try:
        items: list[Any] = list(seq)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"{where} must be a sequence of {what}, got {seq!r}") from None
    return items


def check_vector(values: object, name: str) -> list[float]:
    """A non-empty sequence of finite numbers, as floats.

    Example:
        >>> check_vector((1, 2.5), "initial_weights")
        [1.0, 2.5]
    """
    items = as_list(values, name, "numbers")
    if not items:
        raise ValueError(f"{name} is empty: it needs at least one number")
    return [as_float(x, f"{name}[{i}]") for i, x in enumerate(items)]


def check_features(X: object, n_features: int | None = None) -> list[list[float]]:
    """Validate the data `X` (one row of numbers per sample) and return it as floats.

    Args:
        X: the samples.
        n_features: the width the rows must have (the one seen by `fit`), if known.

    Raises:
        TypeError: if `X` or a row is not a sequence, or a feature is not a number.
        ValueError: if `X` is empty, a feature is NaN/infinite, or the widths disagree.

    Example:
        >>> check_features([[1, 2], [3, 4]])
        [[1.0, 2.0], [3.0, 4.0]]
        >>> check_features([[1, float("nan")]])
        Traceback (most recent call last):
        ...
        ValueError: X[0][1] must be finite, got nan
    """
    rows = as_list(X, "X", "rows")
    if not rows:
        raise ValueError("X is empty: it needs at least one sample (one row of features)")
    out: list[list[float]] = []
    for i, row in enumerate(rows):
        items = as_list(row, f"X[{i}]", "numbers")
        out.append([as_float(x, f"X[{i}][{j}]") for j, x in enumerate(items)])
    width = len(out[0])
    for i, row_values in enumerate(out):
        if len(row_values) != width:
            raise ValueError(
                f"X[{i}] has {len(row_values)} features but X[0] has {width};"
                " every row needs the same number"
            )
    if width == 0:
        raise ValueError("X has rows with no features: each row needs at least one number")
    if n_features is not None and width != n_features:
        raise ValueError(
            f"X has {width} features per row, but the model was fitted with {n_features}"
        )
    return out
