"""The binary perceptron of the notes, built from Values, with a step-by-step trace.

The activation is `w . f(x)`, one `engine.dot` node, where f(x) is the sample with a
constant feature 1 put first (its weight `w0` is the bias). The model predicts +1
when the activation is >= 0: a point exactly on the boundary counts as positive, the
tie rule of the notes. Training visits the samples in order; after a mistake it adds
`y* f(x)` to the weights, and it stops after the first pass without a mistake, or
after `max_epochs` passes with a `ConvergenceWarning` and `converged_ = False`.

Gradient descent makes the same moves. With the perceptron criterion
`max(0, -y* w . f(x))` and `SGD(lr=1)` (`solver="sgd"`), the gradient on a sample
with `y* a < 0` is `-y* f(x)`, so the step adds `y* f(x)`: the classic update. When
`y* a > 0` the criterion is flat and nothing moves, as in the classic rule. The two
differ only at a tie, `a == 0`: with `y* = +1` neither moves (the tie counts as
positive, which is right), but with `y* = -1` the classic rule sees a mistake and
updates, while the criterion sits at its kink where relu's derivative is taken as 0,
so SGD makes no update. So the weight histories are identical exactly when no sample
with `y* = -1` is ever met with an activation of exactly 0. In particular, from the
default all-zero weights every activation is 0 and SGD never moves at all: give it
`initial_weights` (the trace still marks the missed negatives as mistakes, and
`converged_` stays False).

The multiclass model lives in `nn.perceptron.multiclass`.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine import Value, dot, no_grad
from engine.checks import check_vector
from nn.labels import check_binary_labels, sign
from nn.losses import perceptron_criterion
from nn.optim import SGD
from nn.perceptron.base import ConvergenceWarning, NotFittedError, PerceptronBase
from nn.perceptron.trace import PerceptronStep, format_trace

__all__ = [
    "ConvergenceWarning",
    "NotFittedError",
    "Perceptron",
    "PerceptronStep",
]

_SOLVERS = ("rule", "sgd")


class Perceptron(PerceptronBase[PerceptronStep]):
    """The mistake-driven binary perceptron (labels +1 and -1).

    Args:
        bias: put a constant feature 1 first, so the boundary need not pass the origin.
        initial_weights: the starting weights, bias weight first (default all zero).
        max_epochs: the most passes over the data before giving up.
        shuffle: visit the samples in a new seeded random order on every pass.
        seed: the seed of that order.
        average: predict with the average of the weights over every visit (the
            averaged perceptron), which is steadier on data that is not separable.
        solver: `"rule"` for the classic update, `"sgd"` for `SGD(lr=1)` on the
            perceptron criterion through `backward()` (see the module docstring).
        max_trace: keep the records of the first this many visits in `trace_`
            (0 for none); later visits are counted in `n_visits_` but not kept, so
            the memory stays bounded however long training runs.

    Learned attributes (after `fit` or `partial_fit`):
        weights_: the weights, bias weight first (the notes' example puts `w0`
        first; their prose on the bias calls it the last weight).
        `coef_` / `intercept_`: the same numbers under scikit-learn's names.
        `n_iter_`: passes made. converged_: whether the last pass made no
        mistake. `trace_`: one `PerceptronStep` per visit of a sample (the
        first `max_trace`); `n_visits_`: all visits.

    Example (the notes' worked pass):
        >>> X, y = [[1, 1], [3, 2], [2, 4], [3, 4], [2, 3]], [-1, 1, 1, 1, -1]
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     p = Perceptron(initial_weights=[-1, 0, 0], max_epochs=1).fit(X, y)
        >>> p.weights_, [s.score for s in p.trace_]
        ([-1.0, 1.0, -1.0], [-1.0, -1.0, 14.0, 17.0, 12.0])
        >>> p = Perceptron(max_epochs=1000).fit(X, y)
        >>> p.converged_, p.n_iter_, p.score(X, y)
        (True, 174, 1.0)
    """

    def __init__(
        self,
        *,
        bias: bool = True,
        initial_weights: Sequence[float] | None = None,
        max_epochs: int = 1000,
        shuffle: bool = False,
        seed: int = 0,
        average: bool = False,
        solver: str = "rule",
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
        self.initial_weights = (
            None if initial_weights is None else check_vector(initial_weights, "initial_weights")
        )
        if solver not in _SOLVERS:
            raise ValueError(f"Invalid solver: {solver!r} (expected 'rule' or 'sgd')")
        self.solver = solver
        self._w: list[Value] = []

    # ---------------------------------------------------------------- learned state

    @property
    def weights_(self) -> list[float]:
        """The weights, bias weight first (the averaged ones if `average=True`)."""
        self._check_fitted()
        return [w.data for w in self._w]

    @property
    def coef_(self) -> list[list[float]]:
        """scikit-learn's name for the feature weights: `[weights_[1:]]`, one row.

        `weights_` holds the bias weight first (the notes' `w0`), then one weight per
        feature; scikit-learn splits that into `coef_` (shape 1 x features, as for its
        binary classifiers) and `intercept_`. With `bias=False`, `coef_` is `[weights_]`.

        Example (after the notes' pass, `w = [w0, w1, w2] = [-1, 1, -1]`):
            >>> X, y = [[1, 1], [3, 2], [2, 4], [3, 4], [2, 3]], [-1, 1, 1, 1, -1]
            >>> p = Perceptron(initial_weights=[-1, 0, 0]).partial_fit(X, y)
            >>> p.weights_, p.coef_, p.intercept_
            ([-1.0, 1.0, -1.0], [[1.0, -1.0]], [-1.0])
        """
        w = self.weights_
        return [w[1:] if self.bias else w]

    @property
    def intercept_(self) -> list[float]:
        """scikit-learn's name for the bias weight: `[weights_[0]]` (`[0.0]` without bias)."""
        w = self.weights_
        return [w[0] if self.bias else 0.0]

    def parameters(self) -> list[Value]:
        """The weight Values (bias weight first), for an optimizer or a picture."""
        self._check_fitted()
        return list(self._w)

    # -------------------------------------------------------------------- training

    def fit(self, X: Sequence[Sequence[float]], y: Sequence[int]) -> Perceptron:
        """Train on `X` (one row of numbers per sample) and labels `y` in {+1, -1}.

        Training starts again from `initial_weights` (or zeros), whatever came before.

        Returns:
            self, fitted.

        Raises:
            TypeError: if a feature or an argument has the wrong type.
            ValueError: for empty data, NaN features, rows of different lengths,
                `len(X) != len(y)`, labels other than +-1, a single class, or
                `initial_weights` of the wrong length.

        Warns:
            ConvergenceWarning: when `max_epochs` passes still left a mistake.
        """
        F = self._features(X)
        labels = check_binary_labels(y, len(F))
        self._begin(len(F[0]))
        self._passes_until_no_mistake(F, labels, "Perceptron", "data")
        return self

    def partial_fit(self, X: Sequence[Sequence[float]], y: Sequence[int]) -> Perceptron:
        """Make one pass over the given samples, keeping the weights: training in steps.

        The first call on a new model fixes the feature count and starts from
        `initial_weights` (or zeros); later calls continue from the current weights
        (after `fit` too). Each call is one pass, visited and recorded exactly as a
        pass of `fit` (same tie rule, same updates, same `shuffle` orders), so calling
        it with all the data again and again retraces `fit`, and calling it with one
        sample at a time retraces one pass of `fit`. `n_iter_` counts the calls,
        `converged_` says whether the last one made no mistake, each trace record's
        `index` is the row within that call's `X`, and `max_epochs` does not apply.
        Both classes need not appear in one call.

        Returns:
            self, fitted.

        Raises:
            TypeError: if a feature or an argument has the wrong type.
            ValueError: as for `fit`, and for rows whose width differs from the first
                call's.

        Example (the notes' pass, one sample at a time):
            >>> X, y = [[1, 1], [3, 2], [2, 4], [3, 4], [2, 3]], [-1, 1, 1, 1, -1]
            >>> p = Perceptron(initial_weights=[-1, 0, 0])
            >>> for x, label in zip(X, y):
            ...     _ = p.partial_fit([x], [label])
            >>> p.weights_, p.n_iter_
            ([-1.0, 1.0, -1.0], 5)
        """
        first = self._n_features is None
        F = self._features(X, None if first else self._n_features)
        labels = check_binary_labels(y, len(F), both_classes=False)
        if first:
            self._begin(len(F[0]))
        self._pass(F, labels)
        return self

    def _begin(self, width: int) -> None:
        """Set up the starting weights for rows of `width` features (bias included)."""
        start = [0.0] * width if self.initial_weights is None else self.initial_weights
        if len(start) != width:
            raise ValueError(
                f"initial_weights has {len(start)} numbers but the model needs {width}"
                f" ({width - self.bias} features"
                f"{' + the bias weight, first' if self.bias else ''})"
            )
        self._w = [Value(v, f"w{j}") for j, v in enumerate(start)]
        self._restart(width - self.bias)

    def _weight_values(self) -> list[Value]:
        return self._w

    def _pass(self, F: list[list[float]], labels: list[int]) -> int:
        """One pass over the samples in this pass's order; returns the mistakes made."""
        self._start_pass()
        w = self._w
        optimizer = SGD(w, lr=1.0) if self.solver == "sgd" else None
        epoch = self._n_iter + 1
        mistakes = 0
        for i in self._next_order(len(F)):
            f, target = F[i], labels[i]
            before = tuple(v.data for v in w)
            with no_grad():
                score = dot(w, f).data
            predicted = sign(score)  # the tie rule: 0 counts as +1
            if optimizer is not None:
                _criterion_step(optimizer, w, f, target)
            elif predicted != target:
                for wj, fj in zip(w, f):
                    wj.data += target * fj
            after = tuple(v.data for v in w)
            mistakes += predicted != target
            # Both solvers add exactly y* f(x) when they move (SGD's step is
            # -1 * grad = y* f(x)); the rule moves on every mistake.
            moved = after != before if optimizer is not None else predicted != target
            update = tuple(target * fj for fj in f) if moved else None
            if self._count_visit():
                self._trace.append(
                    PerceptronStep(
                        self._visits, epoch, i, tuple(f), target, before, score, predicted,
                        update, after,
                    )
                )  # fmt: skip
            self._after_visit()
        self._end_pass(mistakes)
        return mistakes

    # ------------------------------------------------------------------ prediction

    def activation(self, x: Sequence[float]) -> Value:
        """The activation `w . f(x)` of one sample as a Value graph (drawable).

        The weights are the leaves `w0, w1, ...`; the features are constants, so after
        `backward()` each weight's `grad` is its feature.

        Example:
            >>> p = Perceptron(initial_weights=[-1, 0, 0], max_epochs=1)
            >>> import warnings
            >>> with warnings.catch_warnings():  # one pass leaves a mistake: a warning
            ...     warnings.simplefilter("ignore")
            ...     a = p.fit([[1, 1], [3, 2]], [-1, 1]).activation([2, 4])
            >>> a.op, a.data, [w.label for w in a.parents]
            ('dot', 14.0, ['w0', 'w1', 'w2'])
        """
        return dot(self._w, self._point(x))

    def decision_function(self, X: Sequence[Sequence[float]]) -> list[float]:
        """The activation `w . f(x)` of every row of `X` (computed without a graph)."""
        F = self._features(X, self._check_fitted())
        with no_grad():
            return [dot(self._w, f).data for f in F]

    def predict(self, X: Sequence[Sequence[float]]) -> list[int]:
        """+1 where the activation is >= 0 (ties are positive), else -1."""
        return [sign(a) for a in self.decision_function(X)]

    def score(self, X: Sequence[Sequence[float]], y: Sequence[int]) -> float:
        """The mean accuracy of `predict(X)` against the labels `y`."""
        predicted = self.predict(X)
        labels = check_binary_labels(y, len(predicted), both_classes=False)
        return sum(p == t for p, t in zip(predicted, labels)) / len(labels)

    def format_trace(self) -> str:
        """The trace as the notes' "Single Perceptron Update Pass" table."""
        return format_trace(self.trace_) + self._omitted()


def _criterion_step(optimizer: SGD, w: list[Value], f: list[float], target: int) -> None:
    """One SGD(lr=1) step on the perceptron criterion max(0, -y* w . f(x))."""
    optimizer.zero_grad()
    perceptron_criterion(dot(w, f), target).backward()
    optimizer.step()
