"""The multiclass perceptron of the notes: one weight row per class, argmax of W f(x).

Each class `c` has a weight vector `w_c`; stacked, they form the matrix `W`, and the
scores of a sample are `W f(x)`, one `engine.dot` node per class. The prediction is
the class with the highest score. Tie rule: among equal highest scores the class that
comes first in `classes_` wins (so with all-zero weights the first class is predicted).
On a mistake `f(x)` is added to the true class's row and subtracted from the
predicted class's row; the other rows stay as they are.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from engine import Value, dot, no_grad
from engine.checks import check_vector
from nn.labels import check_class_list, check_classes
from nn.perceptron.base import PerceptronBase
from nn.perceptron.trace import MulticlassStep, format_multiclass_trace

__all__ = ["MulticlassPerceptron"]


def _argmax(scores: Sequence[float]) -> int:
    """Index of the highest score; the first one wins a tie."""
    best = 0
    for k in range(1, len(scores)):
        if scores[k] > scores[best]:
            best = k
    return best


class MulticlassPerceptron(PerceptronBase[MulticlassStep]):
    """The mistake-driven perceptron for two or more classes with any hashable labels.

    Args:
        bias: put a constant feature 1 first (one bias weight per class, column 0).
        initial_weights: the starting weight rows, one per class in `classes_`
            order (sorted labels), bias weight first (default all zero).
        max_epochs: the most passes over the data before giving up.
        shuffle: visit the samples in a new seeded random order on every pass.
        seed: the seed of that order.
        average: predict with the average of the weights over every visit.
        classes: the class labels in the order of the weight rows (at least two).
            By default they are the distinct labels of `y`, sorted; give them to fix
            the order or to train on data that shows only some of the classes.
        max_trace: keep the records of the first this many visits (see
            `Perceptron`); a record holds about 40 bytes per class and weight.

    Learned attributes (after `fit` or `partial_fit`):
        classes_: the class labels, sorted (or in order of first appearance when they
        cannot be compared). weights_: one row per class, bias weight first.
        coef_ / intercept_: the same numbers under scikit-learn's names. n_iter_,
        converged_, trace_ (one `MulticlassStep` per visit), n_visits_: as for
        `Perceptron`.

    Example (the notes' example: scores 11, 13, 8, true class 2):
        >>> W = [[-2, 2, 1], [0, 3, 4], [1, 4, -2]]
        >>> import warnings
        >>> with warnings.catch_warnings():  # one pass leaves a mistake: a warning
        ...     warnings.simplefilter("ignore")
        ...     m = MulticlassPerceptron(bias=False, initial_weights=W, classes=[0, 1, 2],
        ...                              max_epochs=1).fit([[-2, 3, 1]], [2])
        >>> m.trace_[0].scores, m.trace_[0].predicted
        ((11.0, 13.0, 8.0), 1)
        >>> m.weights_
        [[-2.0, 2.0, 1.0], [2.0, 0.0, 3.0], [-1.0, 7.0, -1.0]]
    """

    def __init__(
        self,
        *,
        bias: bool = True,
        initial_weights: Sequence[Sequence[float]] | None = None,
        max_epochs: int = 1000,
        shuffle: bool = False,
        seed: int = 0,
        average: bool = False,
        classes: Sequence[Hashable] | None = None,
        max_trace: int = 10_000,
    ) -> None:
        super().__init__(
            bias=bias,
            max_epochs=max_epochs,
            shuffle=shuffle,
            seed=seed,
            average=average,
            max_trace=max_trace,
        )
        self.initial_weights = None if initial_weights is None else _check_rows(initial_weights)
        self.classes = None if classes is None else check_class_list(classes)
        self._W: list[list[Value]] = []
        self._classes: tuple[Hashable, ...] = ()

    # ---------------------------------------------------------------- learned state

    @property
    def classes_(self) -> tuple[Hashable, ...]:
        """The class labels, in the order of the weight rows."""
        self._check_fitted()
        return self._classes

    @property
    def weights_(self) -> list[list[float]]:
        """The weight matrix: one row per class, bias weight first in each row."""
        self._check_fitted()
        return [[w.data for w in row] for row in self._W]

    @property
    def coef_(self) -> list[list[float]]:
        """scikit-learn's name for the feature weights: `weights_` without its column 0.

        Each row of `weights_` starts with that class's bias weight (the notes' `w0`),
        which scikit-learn keeps apart as `intercept_`; `coef_` has one row per class
        in `classes_`. With `bias=False` it is `weights_` itself. Unlike scikit-learn,
        two classes still get two rows here, as in the notes.

        Example (the point [5, 6] scores 14, 39, 9: class 1 is right, nothing moves):
            >>> W = [[-2, 2, 1], [0, 3, 4], [1, 4, -2]]
            >>> m = MulticlassPerceptron(initial_weights=W).partial_fit([[5, 6]], [1],
            ...                                                       classes=[0, 1, 2])
            >>> m.coef_, m.intercept_
            ([[2.0, 1.0], [3.0, 4.0], [4.0, -2.0]], [-2.0, 0.0, 1.0])
        """
        return [row[1:] if self.bias else row for row in self.weights_]

    @property
    def intercept_(self) -> list[float]:
        """The bias weight of each class: the first column of `weights_` (0.0 without bias)."""
        return [row[0] if self.bias else 0.0 for row in self.weights_]

    def parameters(self) -> list[Value]:
        """All weight Values, row by row (class by class)."""
        self._check_fitted()
        return [w for row in self._W for w in row]

    # -------------------------------------------------------------------- training

    def fit(self, X: Sequence[Sequence[float]], y: Sequence[Hashable]) -> MulticlassPerceptron:
        """Train on `X` (one row of numbers per sample) and class labels `y`.

        Training starts again from `initial_weights` (or zeros), whatever came before.

        Returns:
            self, fitted.

        Raises:
            TypeError: if a feature is not a number or a label is not hashable.
            ValueError: for empty data, NaN features, rows of different lengths,
                `len(X) != len(y)`, a single class, or `initial_weights` of the wrong
                shape.

        Warns:
            ConvergenceWarning: when `max_epochs` passes still left a mistake.
        """
        F = self._features(X)
        labels, classes = check_classes(y, len(F), self.classes)
        self._begin(classes, len(F[0]))
        self._passes_until_no_mistake(F, labels, "MulticlassPerceptron", "classes")
        return self

    def partial_fit(
        self,
        X: Sequence[Sequence[float]],
        y: Sequence[Hashable],
        classes: Sequence[Hashable] | None = None,
    ) -> MulticlassPerceptron:
        """Make one pass over the given samples, keeping the weights: training in steps.

        As `Perceptron.partial_fit`: each call is one pass of `fit` over the samples
        it is given. The first call on a new model fixes the feature count and the
        classes, so it needs all of them, from `classes` here or in the constructor
        (as in scikit-learn); later calls may repeat the same `classes` or leave it out.

        Args:
            X: the samples of this pass.
            y: their labels, each one of the classes.
            classes: every class label, in the order of the weight rows.

        Returns:
            self, fitted.

        Raises:
            TypeError: as for `fit`.
            ValueError: as for `fit`; for a first call without the classes, a label
                that is not one of them, `classes` that differ from the first call's,
                or rows whose width differs from the first call's.

        Example (the notes' update: true class 2, predicted 1):
            >>> W = [[-2, 2, 1], [0, 3, 4], [1, 4, -2]]
            >>> m = MulticlassPerceptron(bias=False, initial_weights=W)
            >>> m.partial_fit([[-2, 3, 1]], [2], classes=[0, 1, 2]).weights_
            [[-2.0, 2.0, 1.0], [2.0, 0.0, 3.0], [-1.0, 7.0, -1.0]]
        """
        given = None if classes is None else check_class_list(classes)
        if self._n_features is None:
            known = given if given is not None else self.classes
            if known is None:
                raise ValueError(
                    "the first call to partial_fit needs every class label up front:"
                    " pass classes=[...] (or give classes= to MulticlassPerceptron)"
                )
            F = self._features(X)
            labels, _ = check_classes(y, len(F), known)
            self._begin(known, len(F[0]))
        else:
            if given is not None and given != self._classes:
                raise ValueError(
                    f"classes={given!r} differs from the classes fixed by the first call:"
                    f" {self._classes!r}"
                )
            F = self._features(X, self._n_features)
            labels, _ = check_classes(y, len(F), self._classes)
        self._pass(F, labels)
        return self

    def _begin(self, classes: tuple[Hashable, ...], width: int) -> None:
        """Set up one starting weight row per class for rows of `width` features."""
        k = len(classes)
        start = self.initial_weights or [[0.0] * width for _ in classes]
        if len(start) != k or len(start[0]) != width:
            raise ValueError(
                f"initial_weights has {len(start)} rows of {len(start[0])} numbers, but the"
                f" model needs {k} rows (one per class in {classes!r}) of {width} numbers"
            )
        self._W = [
            [Value(v, f"w{c}_{j}") for j, v in enumerate(row)] for c, row in enumerate(start)
        ]
        self._classes = classes
        self._restart(width - self.bias)

    def _weight_values(self) -> list[Value]:
        return [w for row in self._W for w in row]

    def _pass(self, F: list[list[float]], labels: list[Hashable]) -> int:
        """One pass over the samples in this pass's order; returns the mistakes made."""
        self._start_pass()
        W, classes = self._W, self._classes
        index = {c: i for i, c in enumerate(classes)}
        epoch = self._n_iter + 1
        mistakes = 0
        # One visit changes two rows at most: records share the rows (and the whole
        # matrix, when nothing changed) that stay the same, so a record costs about a
        # pointer per class, not a copy of the matrix.
        after = tuple(tuple(w.data for w in row) for row in W)
        for i in self._next_order(len(F)):
            f = F[i]
            before = after
            with no_grad():
                scores = tuple(dot(row, f).data for row in W)
            guess, true = _argmax(scores), index[labels[i]]
            if guess != true:
                mistakes += 1
                for wt, wg, fj in zip(W[true], W[guess], f):
                    wt.data += fj
                    wg.data -= fj
                rows = list(before)
                rows[true] = tuple(w.data for w in W[true])
                rows[guess] = tuple(w.data for w in W[guess])
                after = tuple(rows)
            if self._count_visit():
                self._trace.append(
                    MulticlassStep(
                        self._visits, epoch, i, tuple(f), labels[i], classes, before, scores,
                        classes[guess], after,
                    )
                )  # fmt: skip
            self._after_visit()
        self._end_pass(mistakes)
        return mistakes

    # ------------------------------------------------------------------ prediction

    def activation(self, x: Sequence[float]) -> list[Value]:
        """The scores `W f(x)` of one sample as Value graphs, one `dot` node per class.

        Example:
            >>> m = MulticlassPerceptron().fit([[0.0], [5.0], [10.0]], ["a", "b", "c"])
            >>> scores = m.activation([5.0])
            >>> [s.op for s in scores], m.predict([[5.0]])
            (['dot', 'dot', 'dot'], ['b'])
        """
        f = self._point(x)
        return [dot(row, f) for row in self._W]

    def decision_function(self, X: Sequence[Sequence[float]]) -> list[list[float]]:
        """The scores of every row of `X`: one list with a score per class."""
        F = self._features(X, self._check_fitted())
        with no_grad():
            return [[dot(row, f).data for row in self._W] for f in F]

    def predict(self, X: Sequence[Sequence[float]]) -> list[Hashable]:
        """The class with the highest score for each row (the first class wins ties)."""
        return [self._classes[_argmax(s)] for s in self.decision_function(X)]

    def score(self, X: Sequence[Sequence[float]], y: Sequence[Hashable]) -> float:
        """The mean accuracy of `predict(X)` against the labels `y`."""
        predicted = self.predict(X)
        if len(y) != len(predicted):
            raise ValueError(
                f"X and y have different lengths: {len(predicted)} rows in X"
                f" but {len(y)} labels in y"
            )
        return sum(p == t for p, t in zip(predicted, y)) / len(predicted)

    def format_trace(self) -> str:
        """The trace as a table: one line per class under each step."""
        return format_multiclass_trace(self.trace_) + self._omitted()


def _check_rows(rows: object) -> list[list[float]]:
    """Validate `initial_weights` for the multiclass model: two or more equal rows."""
    if isinstance(rows, str | bytes) or not hasattr(rows, "__len__"):
        raise TypeError(f"initial_weights must be a sequence of weight rows, got {rows!r}")
    items: list[object] = list(rows)  # type: ignore[call-overload]
    out = [check_vector(row, f"initial_weights[{c}]") for c, row in enumerate(items)]
    if len(out) < 2:
        raise ValueError(
            f"initial_weights has {len(out)} row(s): it needs one row per class, at least two"
        )
    for c, row in enumerate(out):
        if len(row) != len(out[0]):
            raise ValueError(
                f"initial_weights[{c}] has {len(row)} numbers but initial_weights[0]"
                f" has {len(out[0])}; every row needs the same number"
            )
    return out
