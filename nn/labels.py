"""Labels, classes and the perceptron's tie rule: the model policy every part of nn shares.

Each check names the argument (`y[3]`), shows the bad value and says what is allowed;
a list, a tuple and a numpy array get the same answer. Number and feature checks are
the engine's (`engine.checks`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any

from engine.checks import as_list

__all__ = [
    "as_class_index",
    "as_label",
    "check_binary_labels",
    "check_class_list",
    "check_classes",
    "check_length",
    "check_output_labels",
    "sign",
]


def sign(score: float) -> int:
    """The perceptron's decision: +1 when `score >= 0`, else -1.

    The tie rule lives here and only here: a score of exactly 0 counts as positive,
    as in the notes (a point on the boundary is classified +1).

    >>> sign(0.0), sign(-1e-300), sign(2.5)
    (1, -1, 1)
    """
    return 1 if score >= 0.0 else -1


def check_length(y: list[Any], n_samples: int) -> None:
    """Raise unless there is one label per row of X."""
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
    labels = as_list(y, "y", "labels")
    check_length(labels, n_samples)
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
    items = as_list(classes, "classes", "labels")
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
    labels = as_list(y, "y", "labels")
    check_length(labels, n_samples)
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


def check_output_labels(y: object, n_outputs: int) -> list[int]:
    """The labels as ints, if they suit a model with `n_outputs`; else a helpful ValueError.

    One output needs labels -1/+1; k outputs need class indices 0 .. k-1. numpy
    integers (and floats such as 1.0 that are whole numbers) count as the ints they are.

    Example:
        >>> check_output_labels((1, -1.0), 1)
        [1, -1]
        >>> check_output_labels([0, 1], 1)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: y[0] = 0 is not a label for one output: expected -1 or +1 (...)
    """
    return [as_label(t, n_outputs, f"y[{i}]") for i, t in enumerate(as_list(y, "y", "labels"))]


def as_label(t: object, n_outputs: int, where: str = "y") -> int:
    """One label as an int: -1 or +1 for one output, a class index 0 .. k-1 for k.

    >>> as_label(1.0, 1), as_label(2, 3)
    (1, 2)
    """
    if n_outputs > 1:
        return as_class_index(t, n_outputs, where)
    k = _whole_number(t)
    if k not in (-1, 1):
        hint = " (for 0/1 labels use [2 * t - 1 for t in y])" if k in (0, 1) else ""
        raise ValueError(f"{where} = {t!r} is not a label for one output: expected -1 or +1{hint}")
    return k


def as_class_index(t: object, k: int, where: str = "y") -> int:
    """A class index 0 .. k-1 as an int (ints and numpy ints; not floats or bools).

    >>> as_class_index(2, 3)
    2
    """
    if not isinstance(t, bool) and hasattr(t, "__index__") and 0 <= int(t) < k:
        return int(t)
    hint = (
        " (map names to indices: [class_names.index(t) for t in y])" if isinstance(t, str) else ""
    )
    raise ValueError(
        f"{where} = {t!r} is not a label for {k} outputs: expected a class index 0 .. {k - 1}{hint}"
    )


def _whole_number(t: object) -> int | None:
    """`t` as an int when it is one (numpy ints, 2.0), else None; bools are not numbers."""
    if isinstance(t, bool | str | bytes) or not hasattr(t, "__float__"):
        return None
    if hasattr(t, "__index__"):
        return int(t)
    x = float(t)
    return int(x) if x.is_integer() else None
