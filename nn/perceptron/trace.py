"""Step records of perceptron training and the table they print as.

Every visit of a training sample becomes one record: which step it was, the weights
the model held before it, the score and how it was worked out, whether the prediction
was right and what was added to the weights. The records are plain frozen data (handy
in notebooks); `format_trace` and `format_multiclass_trace` lay them out like the
"Single Perceptron Update Pass" table of the notes.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

__all__ = [
    "MulticlassStep",
    "PerceptronStep",
    "format_multiclass_trace",
    "format_number",
    "format_trace",
    "format_vector",
]


def format_number(x: float) -> str:
    """Write a number the way the notes do: whole numbers without a trailing `.0`.

    Example:
        >>> format_number(-1.0), format_number(0.25), format_number(-0.0)
        ('-1', '0.25', '0')
    """
    if x == 0.0:
        return "0"
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6g}"


def format_vector(xs: Sequence[float]) -> str:
    """Write a vector as `[a, b, c]`.

    Example:
        >>> format_vector([-1.0, 0.0, 0.5])
        '[-1, 0, 0.5]'
    """
    return "[" + ", ".join(format_number(x) for x in xs) + "]"


def format_score(weights: Sequence[float], features: Sequence[float], score: float) -> str:
    """Show how a score is computed: `w0*f0 + w1*f1 + ... = score`.

    A negative feature is put in brackets so `2*(-3)` cannot be misread.

    Example:
        >>> format_score([-1.0, 0.0, 0.0], [1.0, 3.0, 2.0], -1.0)
        '-1*1 + 0*3 + 0*2 = -1'
        >>> format_score([2.0], [-3.0], -6.0)
        '2*(-3) = -6'
    """
    terms = []
    for w, f in zip(weights, features):
        fs = format_number(f)
        terms.append(f"{format_number(w)}*{f'({fs})' if f < 0 else fs}")
    return " + ".join(terms) + f" = {format_number(score)}"


@dataclass(frozen=True)
class PerceptronStep:
    """One visit of one sample by the binary perceptron.

    Attributes:
        step: 1, 2, ... counted across all passes.
        epoch: the pass over the data this visit belongs to (from 1).
        index: the sample's row in the training data.
        features: f(x), the bias feature first when there is one.
        target: the true label y*, +1 or -1.
        weights: the weights before the visit (bias weight first).
        score: the activation w . f(x).
        predicted: +1 if the score is >= 0 (ties are positive), else -1.
        update: what was added to the weights (`y* f(x)` after a mistake), or None.
        weights_after: the weights after the visit.
    """

    step: int
    epoch: int
    index: int
    features: tuple[float, ...]
    target: int
    weights: tuple[float, ...]
    score: float
    predicted: int
    update: tuple[float, ...] | None
    weights_after: tuple[float, ...]

    @property
    def correct(self) -> bool:
        """Whether the prediction matched the true label."""
        return self.predicted == self.target

    @property
    def computation(self) -> str:
        """The score written out, e.g. `-1*1 + 0*3 + 0*2 = -1`."""
        return format_score(self.weights, self.features, self.score)

    @property
    def update_text(self) -> str:
        """The update as the notes write it: `none`, `+[1, 3, 2]` or `-[1, 2, 3]`."""
        if self.update is None:
            return "none"
        sign = "+" if self.target > 0 else "-"
        return sign + format_vector(self.features)


@dataclass(frozen=True)
class MulticlassStep:
    """One visit of one sample by the multiclass perceptron.

    Attributes:
        step: 1, 2, ... counted across all passes.
        epoch: the pass over the data this visit belongs to (from 1).
        index: the sample's row in the training data.
        features: f(x), the bias feature first when there is one.
        target: the true label y*.
        classes: the class labels, in the order of the weight rows.
        weights: the weight rows before the visit, one per class.
        scores: one score per class (the matrix-vector product W f(x)).
        predicted: the class with the highest score (the first one on a tie).
        weights_after: the weight rows after the visit.
    """

    step: int
    epoch: int
    index: int
    features: tuple[float, ...]
    target: Hashable
    classes: tuple[Hashable, ...]
    weights: tuple[tuple[float, ...], ...]
    scores: tuple[float, ...]
    predicted: Hashable
    weights_after: tuple[tuple[float, ...], ...]

    @property
    def correct(self) -> bool:
        """Whether the prediction matched the true label."""
        return self.predicted == self.target

    @property
    def computations(self) -> tuple[str, ...]:
        """Each class's score written out, e.g. `0*(-2) + 3*3 + 4*1 = 13`."""
        return tuple(
            format_score(row, self.features, s) for row, s in zip(self.weights, self.scores)
        )

    def update_text(self, k: int) -> str:
        """The update of class row `k`: `+f(x)` (true class), `-f(x)` (predicted) or `none`."""
        if self.correct:
            return "none"
        if self.classes[k] == self.target:
            return "+" + format_vector(self.features)
        if self.classes[k] == self.predicted:
            return "-" + format_vector(self.features)
        return "none"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns separated by two spaces, with a dashed rule under the header."""
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in lines)


def format_trace(steps: Sequence[PerceptronStep]) -> str:
    """Lay binary steps out like the notes' "Single Perceptron Update Pass" table.

    The last line shows the weights after the final step, as the notes' table does.

    Example:
        >>> s = PerceptronStep(1, 1, 0, (1.0, 3.0, 2.0), 1, (-1.0, 0.0, 0.0), -1.0, -1,
        ...                    (1.0, 3.0, 2.0), (0.0, 3.0, 2.0))
        >>> print(format_trace([s]))
        step  weights     score                  correct?  update
        ----  ----------  ---------------------  --------  ----------
        1     [-1, 0, 0]  -1*1 + 0*3 + 0*2 = -1  no        +[1, 3, 2]
        2     [0, 3, 2]
    """
    rows = [
        [
            str(s.step),
            format_vector(s.weights),
            s.computation,
            "yes" if s.correct else "no",
            s.update_text,
        ]
        for s in steps
    ]
    if steps:
        last = steps[-1]
        rows.append([str(last.step + 1), format_vector(last.weights_after), "", "", ""])
    return _table(["step", "weights", "score", "correct?", "update"], rows)


def format_multiclass_trace(steps: Sequence[MulticlassStep]) -> str:
    """Lay multiclass steps out as a table with one line per class under each step.

    The class the model predicted is marked `<- predicted` and the true class
    `(true)`; the last lines show the weights after the final step.

    Example:
        >>> s = MulticlassStep(1, 1, 0, (1.0, -1.0), "b", ("a", "b"), ((1.0, 0.0), (0.0, 0.0)),
        ...                    (1.0, 0.0), "a", ((0.0, 1.0), (1.0, -1.0)))
        >>> print(format_multiclass_trace([s]))
        step  class  weights  score                          correct?  update
        ----  -----  -------  -----------------------------  --------  --------
        1     'a'    [1, 0]   1*1 + 0*(-1) = 1 <- predicted  no        -[1, -1]
              'b'    [0, 0]   0*1 + 0*(-1) = 0 (true)                  +[1, -1]
        2     'a'    [0, 1]
              'b'    [1, -1]
    """
    rows: list[list[str]] = []
    for s in steps:
        for k, (label, row, text) in enumerate(zip(s.classes, s.weights, s.computations)):
            mark = ""
            if label == s.predicted:
                mark = " <- predicted"
            elif label == s.target:
                mark = " (true)"
            first = k == 0
            rows.append(
                [
                    str(s.step) if first else "",
                    repr(label),
                    format_vector(row),
                    text + mark,
                    ("yes" if s.correct else "no") if first else "",
                    s.update_text(k),
                ]
            )
    if steps:
        last = steps[-1]
        for k, (label, row) in enumerate(zip(last.classes, last.weights_after)):
            rows.append(
                [str(last.step + 1) if k == 0 else "", repr(label), format_vector(row), "", "", ""]
            )
    return _table(["step", "class", "weights", "score", "correct?", "update"], rows)
