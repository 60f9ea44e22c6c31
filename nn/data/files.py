"""Reading labelled data from CSV files, and Fisher's iris data shipped with tracegrad."""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Sequence
from importlib import resources
from typing import Any

from engine.checks import check_int
from nn._report import problem_list, short_repr

__all__ = ["MAX_CSV_BYTES", "iris", "load_csv"]

MAX_CSV_BYTES = 10_000_000  # load_csv's default bound on a file's length

IRIS_CLASSES = ("setosa", "versicolor", "virginica")


def _number(cell: str) -> float | None:
    """The cell as a finite float, or None when it is not one."""
    try:
        x = float(cell)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def _int_label(cell: str) -> int | None:
    x = _number(cell)
    return int(x) if x is not None and x.is_integer() else None


def load_csv(
    path: str | os.PathLike[str],
    *,
    label_column: int = -1,
    labels: Sequence[str] | None = None,
    max_bytes: int = MAX_CSV_BYTES,
) -> tuple[list[list[float]], list[Any]]:
    """Read a CSV file of numeric features and one label column.

    The first row is taken as a header, and skipped, when none of its feature cells
    is a number. Blank lines are ignored. Every problem in the file (a row of the
    wrong length, a feature that is not a finite number, an unknown label) is
    collected and reported in one error, with its line number. A file that cannot be
    read as CSV at all (bytes that are not UTF-8, a quote left open at the end, a
    field longer than the csv module's limit) stops at the first such fault, and the
    error names the file and the line.

    Args:
        path: the CSV file.
        label_column: the index of the label column (negative counts from the end).
        max_bytes: refuse a file longer than this (10 MB by default, about
            600,000 short rows; see the README's table of bounds for the time and
            memory at the limit), having read no more than this much of it.
        labels: the allowed class names. When given, each label must be one of them
            and is returned as its index in `labels`. When None, labels that are all
            integers (such as -1/1 or 0/1) are returned as ints, otherwise as str.

    Returns:
        `(X, y)`: the feature rows (floats) and the labels.

    Raises:
        FileNotFoundError: if the file does not exist.
        ValueError: listing every malformed row, naming the line where the file
            stops being readable CSV or UTF-8, if the file holds no data, is longer
            than `max_bytes`, or if the path is a folder.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.csv"
        >>> _ = path.write_text("x1,x2,label\\n1,2,yes\\n3,4,no\\n")
        >>> load_csv(path, labels=["no", "yes"])
        ([[1.0, 2.0], [3.0, 4.0]], [1, 0])
    """
    if isinstance(label_column, bool) or not isinstance(label_column, int):
        raise TypeError(f"Invalid label_column: {label_column!r} (expected an int)")
    if labels is not None:
        if isinstance(labels, str) or not all(isinstance(name, str) for name in labels):
            raise TypeError(f"labels must be a sequence of class names (str), got {labels!r}")
        index = {name: i for i, name in enumerate(labels)}
    check_int(max_bytes, "max_bytes", minimum=0)
    rows = [(n, row) for n, row in _read_rows(path, max_bytes) if any(row)]
    if not rows:
        raise ValueError(f"{os.fspath(path)!r} holds no data rows")
    width = len(rows[0][1])
    if width < 2:
        raise ValueError(
            f"{os.fspath(path)!r} line {rows[0][0]}: a row needs at least one feature and a"
            f" label, got {width} column(s)"
        )
    if not -width <= label_column < width:
        raise ValueError(f"Invalid label_column: {label_column!r} (the file has {width} columns)")
    col = label_column % width
    header = rows[0][1]
    if all(_number(c) is None for i, c in enumerate(header) if i != col):
        rows = rows[1:]
    problems: list[str] = []
    X: list[list[float]] = []
    raw_labels: list[str] = []
    for line, row in rows:
        if len(row) != width:
            problems.append(f"line {line}: {len(row)} columns, expected {width}")
            continue
        features: list[float] = []
        for i, cell in enumerate(row):
            if i == col:
                continue
            x = _number(cell)
            if x is None:
                problems.append(
                    f"line {line}, column {i + 1}: {short_repr(cell)} is not a finite number"
                )
            else:
                features.append(x)
        label = row[col]
        if not label:
            problems.append(f"line {line}, column {col + 1}: the label is empty")
        elif labels is not None and label not in index:
            problems.append(
                f"line {line}, column {col + 1}: unknown label {short_repr(label)}"
                f" (allowed: {', '.join(map(repr, labels))})"
            )
        X.append(features)
        raw_labels.append(label)
    if problems:
        raise ValueError(
            f"cannot load {os.fspath(path)!r}: {len(problems)} problem(s):" + problem_list(problems)
        )
    if not X:
        raise ValueError(f"{os.fspath(path)!r} holds a header but no data rows")
    y: list[Any]
    if labels is not None:
        y = [index[label] for label in raw_labels]
    else:
        ints = [_int_label(label) for label in raw_labels]
        y = ints if all(i is not None for i in ints) else raw_labels
    return X, y


def _read_rows(path: str | os.PathLike[str], max_bytes: int) -> list[tuple[int, list[str]]]:
    """Each record of the CSV file with the line it starts on, cells stripped.

    Raises ValueError naming the file and line for bytes that are not UTF-8, a quote
    still open at the end of the file and a field over the csv module's size limit
    (which is process-wide, so it is reported, never raised).
    """
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)  # a pipe or a device may never end
    except IsADirectoryError:
        raise ValueError(f"{os.fspath(path)!r} is a folder, not a CSV file") from None
    if len(data) > max_bytes:
        raise ValueError(
            f"{os.fspath(path)!r} is longer than max_bytes={max_bytes:,} bytes: pass a"
            " larger max_bytes to read it"
        )
    try:
        text = data.decode("utf-8-sig")  # -sig drops the byte-order mark spreadsheets write
    except UnicodeDecodeError as e:
        seen = e.object[: e.start]  # e.object: the bytes after any byte-order mark
        line = len((seen + b".").splitlines())  # counts \n, \r\n and \r alike, as csv does
        raise ValueError(
            f"{os.fspath(path)!r} line {line}: byte {e.object[e.start]:#04x} is not UTF-8"
            " text (save the file as UTF-8)"
        ) from None
    # strict: a quote still open at the end of the file is an error instead of a field
    # that silently swallows every later row.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as e:
            raise ValueError(f"{os.fspath(path)!r} line {start}: {_csv_fault(str(e))}") from None
        rows.append((start, [c.strip() for c in row]))


def _csv_fault(message: str) -> str:
    """The csv module's complaint, told in the reader's terms."""
    if message.startswith("unexpected end of data"):
        return "a quoted field is never closed (the file ends inside its quotes)"
    if message.startswith("field larger than field limit"):
        return (
            f"a field is longer than {csv.field_size_limit():,} characters, the csv"
            " module's limit (a quote left open can make the rest of the file one field)"
        )
    if "expected after" in message:
        return f"text after a closing quote ({message})"
    return message


def iris() -> tuple[list[list[float]], list[str], list[str]]:
    """Fisher's iris data (1936): 150 flowers, 4 measurements in cm, 3 species.

    The features are sepal length, sepal width, petal length and petal width; the
    rows come 50 per species in the classic order. The file follows Fisher's
    published table (the two rows that the UCI copy misprints are corrected).

    Returns:
        `(X, y, class_names)` with `y` the species names as str.

    Example:
        >>> X, y, names = iris()
        >>> len(X), X[0], y[0], names
        (150, [5.1, 3.5, 1.4, 0.2], 'setosa', ['setosa', 'versicolor', 'virginica'])
    """
    source = resources.files("nn.data").joinpath("iris.csv")
    with resources.as_file(source) as path:
        X, y = load_csv(path)
    return X, [str(label) for label in y], list(IRIS_CLASSES)
