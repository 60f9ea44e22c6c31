"""Input checks shared by the perceptrons: every bad input gets a message that helps."""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any

__all__ = [
    "ConvergenceWarning",
    "NotFittedError",
    "check_binary_labels",
    "check_bool",
    "check_class_list",
    "check_classes",
    "check_features",
    "check_int",
    "check_vector",
]


class NotFittedError(ValueError, AttributeError):
    """Raised when a model is used before `fit()`.

    It is both a ValueError and an AttributeError, as in scikit-learn, so code that
    catches either keeps working.
    """


class ConvergenceWarning(UserWarning):
    """Training stopped at `max_epochs` while the data still had mistakes."""


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


def _number(x: object, where: str) -> float:
    """One finite real number; numpy scalars are accepted, bools and strings are not."""
    if isinstance(x, bool | str | bytes | complex) or not hasattr(x, "__float__"):
        raise TypeError(f"{where} must be a real number, got {x!r}")
    value = float(x)
    if not math.isfinite(value):
        raise ValueError(f"{where} must be finite, got {x!r}")
    return value


def _as_list(seq: object, where: str, what: str) -> list[Any]:
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
    items = _as_list(values, name, "numbers")
    if not items:
        raise ValueError(f"{name} is empty: it needs at least one number")
    return [_number(x, f"{name}[{i}]") for i, x in enumerate(items)]


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
    rows = _as_list(X, "X", "rows")
    if not rows:
        raise ValueError("X is empty: it needs at least one sample (one row of features)")
    out: list[list[float]] = []
    for i, row in enumerate(rows):
        items = _as_list(row, f"X[{i}]", "numbers")
        out.append([_number(x, f"X[{i}][{j}]") for j, x in enumerate(items)])
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


def _check_length(y: list[Any], n_samples: int) -> None:
    if len(y) != n_samples:
        raise ValueError(
            f"X and y have different lengths: {n_samples} rows in X but {len(y)} labels in y"
        )


def check_binary_labels(y: object, n_samples: int, *, both_classes: bool = True) -> list[int]:
    """Validate binary labels: each must be +1 or -1, and (for training) both must occur.

    Example:
        >>> check_binary_labels([1, -1.0], 2)
        [1, -1]
        >>> check_binary_labels([0, 1], 2)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: Perceptron labels must be +1 or -1, got y[0] = 0 (map 0/1 labels ...)
    """
    labels = _as_list(y, "y", "labels")
    _check_length(labels, n_samples)
    out: list[int] = []
    for i, label in enumerate(labels):
        if isinstance(label, bool) or label not in (1, -1):
            raise ValueError(
                f"Perceptron labels must be +1 or -1, got y[{i}] = {label!r}"
                " (map 0/1 labels to -1/+1, or use MulticlassPerceptron)"
            )
        out.append(1 if label == 1 else -1)
    if both_classes and len(set(out)) < 2:
        raise ValueError(
            f"y holds a single class ({out[0]:+d}): a classifier needs examples of both +1 and -1"
        )
    return out


def _check_label(label: object, where: str) -> None:
    if not isinstance(label, Hashable):
        raise TypeError(f"{where} = {label!r} cannot be a class label: it is not hashable")
    if isinstance(label, float) and math.isnan(label):
        raise ValueError(f"{where} is NaN, which cannot be a class label")


def _sorted_if_possible(labels: list[Hashable]) -> tuple[Hashable, ...]:
    try:
        return tuple(sorted(labels))  # type: ignore[type-var]
    except TypeError:
        return tuple(labels)  # mixed label types: keep the order of first appearance


def check_class_list(classes: object) -> tuple[Hashable, ...]:
    """Validate a declared list of classes: two or more distinct hashable labels.

    Example:
        >>> check_class_list(["cat", "dog"])
        ('cat', 'dog')
    """
    items = _as_list(classes, "classes", "labels")
    for i, label in enumerate(items):
        _check_label(label, f"classes[{i}]")
    if len(set(items)) != len(items):
        raise ValueError(f"classes must not repeat a label, got {classes!r}")
    if len(items) < 2:
        raise ValueError(f"classes needs at least two labels, got {classes!r}")
    return tuple(items)


def check_classes(
    y: object, n_samples: int, classes: tuple[Hashable, ...] | None = None
) -> tuple[list[Hashable], tuple[Hashable, ...]]:
    """Validate multiclass labels; return them and the classes (the rows' order).

    Without declared `classes`, the classes are the distinct labels, sorted when they
    can be compared with each other, otherwise in the order they first appear in `y`.

    Example:
        >>> check_classes(["b", "a", "b"], 3)
        (['b', 'a', 'b'], ('a', 'b'))
    """
    labels = _as_list(y, "y", "labels")
    _check_length(labels, n_samples)
    for i, label in enumerate(labels):
        _check_label(label, f"y[{i}]")
    if classes is not None:
        known = set(classes)
        for i, label in enumerate(labels):
            if label not in known:
                raise ValueError(f"y[{i}] = {label!r} is not one of the classes {classes!r}")
        return labels, classes
    distinct = list(dict.fromkeys(labels))
    if len(distinct) < 2:
        raise ValueError(
            f"y holds a single class ({distinct[0]!r}): a classifier needs at least two classes"
        )
    return labels, _sorted_if_possible(distinct)
