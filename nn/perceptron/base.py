"""What the binary and the multiclass perceptron share: options, features, fitted state."""

from __future__ import annotations

import random
import warnings
from typing import Any, ClassVar, Generic, TypeVar

from engine import Value
from engine.checks import check_bool, check_features, check_int
from nn.features import add_bias

__all__ = ["ConvergenceWarning", "NotFittedError", "PerceptronBase"]


class NotFittedError(ValueError, AttributeError):
    """Raised when a model is used before `fit()`.

    It is both a ValueError and an AttributeError, as in scikit-learn, so code that
    catches either keeps working.
    """


class ConvergenceWarning(UserWarning):
    """Training stopped at `max_epochs` while the data still had mistakes."""


StepT = TypeVar("StepT")


class PerceptronBase(Generic[StepT]):
    """Hyperparameters, feature building and the "not fitted yet" guard.

    Subclasses set `_n_features` (the raw width seen by `fit`) when they are fitted.
    """

    _defaults: ClassVar[dict[str, Any]] = {
        "bias": True,
        "initial_weights": None,
        "max_epochs": 1000,
        "shuffle": False,
        "seed": 0,
        "average": False,
        "classes": None,
        "solver": "rule",
        "max_trace": 10_000,
    }

    def __init__(
        self,
        *,
        bias: bool = True,
        max_epochs: int = 1000,
        shuffle: bool = False,
        seed: int = 0,
        average: bool = False,
        max_trace: int = 10_000,
    ) -> None:
        self.bias = check_bool(bias, "bias")
        self.max_trace = check_int(max_trace, "max_trace", minimum=0)
        self.max_epochs = check_int(max_epochs, "max_epochs", minimum=1)
        self.shuffle = check_bool(shuffle, "shuffle")
        self.seed = check_int(seed, "seed")
        self.average = check_bool(average, "average")
        self._n_features: int | None = None
        self._n_iter = 0
        self._converged = False
        self._trace: list[StepT] = []
        self._visits = 0  # all visits, also those past max_trace that the trace omits
        self._rng = random.Random(self.seed)
        self._order: list[int] = []
        self._totals: list[float] = []  # running sums of the weights (average=True)
        self._raw: list[float] | None = None  # the unaveraged weights between passes

    def __repr__(self) -> str:
        # Like scikit-learn: only the options that differ from their defaults.
        changed = [
            f"{name}={getattr(self, name, default)!r}"
            for name, default in self._defaults.items()
            if getattr(self, name, default) != default
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    @property
    def n_iter_(self) -> int:
        """The number of passes made by `fit` (or by `partial_fit` calls since the first)."""
        self._check_fitted()
        return self._n_iter

    @property
    def converged_(self) -> bool:
        """True when training ended with a pass that made no mistake."""
        self._check_fitted()
        return self._converged

    @property
    def trace_(self) -> list[StepT]:
        """One record per visit of a sample, in the order of training: the first
        `max_trace` visits (`n_visits_` counts them all)."""
        self._check_fitted()
        return self._trace

    @property
    def n_visits_(self) -> int:
        """How many visits of a sample training made (the trace keeps `max_trace`)."""
        self._check_fitted()
        return self._visits

    def _omitted(self) -> str:
        """A last line for the trace table when visits were past `max_trace`, else ""."""
        left = self._visits - len(self._trace)
        if not left:
            return ""
        return f"\n... and {left} more visits, not kept (max_trace={self.max_trace})"

    def _count_visit(self) -> bool:
        """Count a visit; True while the trace has room for its record."""
        self._visits += 1
        return len(self._trace) < self.max_trace

    def _check_fitted(self) -> int:
        """Return the fitted raw feature count, or raise the "not fitted" error."""
        if self._n_features is None:
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet: call fit(X, y) first"
            )
        return self._n_features

    def _features(self, X: object, n_features: int | None = None) -> list[list[float]]:
        """Validate `X` and return f(x) for every row (with the bias feature first)."""
        rows = check_features(X, n_features)
        return add_bias(rows) if self.bias else rows

    def _point(self, x: object) -> list[float]:
        """f(x) for one sample `x` (a row of raw features) of a fitted model."""
        n = self._check_fitted()
        if isinstance(x, str | bytes) or not hasattr(x, "__len__"):
            raise TypeError(f"x must be one sample (a sequence of {n} numbers), got {x!r}")
        return self._features([x], n)[0]

    def _restart(self, n_features: int) -> None:
        """Forget every pass: a new run on rows of `n_features` raw numbers begins."""
        self._n_features = n_features
        self._n_iter = 0
        self._converged = False
        self._trace = []
        self._visits = 0
        self._rng = random.Random(self.seed)
        self._order = []
        self._totals = [0.0] * len(self._weight_values())
        self._raw = None

    def _next_order(self, n_samples: int) -> list[int]:
        """The visiting order of the next pass: in order, or reshuffled once per pass.

        The shuffled order carries over from pass to pass, so `fit` and repeated
        `partial_fit` calls on the same data visit the samples in the same orders.
        """
        if len(self._order) != n_samples:
            self._order = list(range(n_samples))
        if self.shuffle:
            self._rng.shuffle(self._order)
        return list(self._order)

    def _weight_values(self) -> list[Value]:
        """Every weight Value, flat (row by row for a matrix)."""
        raise NotImplementedError

    def _start_pass(self) -> None:
        """Put back the unaveraged weights that the last pass ended with."""
        if self._raw is not None:
            for v, raw in zip(self._weight_values(), self._raw):
                v.data = raw
            self._raw = None

    def _after_visit(self) -> None:
        """Add the current weights to the running sums of the averaged perceptron."""
        if self.average:
            self._totals = [t + v.data for t, v in zip(self._totals, self._weight_values())]

    def _end_pass(self, mistakes: int) -> None:
        """Count the pass; with `average=True` the model now predicts with the average."""
        self._n_iter += 1
        self._converged = mistakes == 0
        if self.average:
            values = self._weight_values()
            self._raw = [v.data for v in values]
            for v, total in zip(values, self._totals):
                v.data = total / self._visits

    def _pass(self, F: list[list[float]], labels: list[Any]) -> int:
        """One pass over the samples; returns the mistakes made (in each subclass)."""
        raise NotImplementedError

    def _passes_until_no_mistake(
        self, F: list[list[float]], labels: list[Any], name: str, what: str
    ) -> None:
        """Pass over the data until a pass makes no mistake, at most `max_epochs` times.

        If the last pass still made mistakes, warn with a ConvergenceWarning that
        names the model (`name`) and what may not be separable (`what`), pointing at
        the caller of `fit`.
        """
        mistakes = 0
        for _ in range(self.max_epochs):
            mistakes = self._pass(F, labels)
            if mistakes == 0:
                return
        warnings.warn(
            f"{name} did not converge in max_epochs={self.max_epochs} passes: the last pass"
            f" still made {mistakes} mistake(s). The {what} may not be linearly separable;"
            " raise max_epochs or add features.",
            ConvergenceWarning,
            stacklevel=3,
        )

    def _feature_width(self, n_features: int) -> int:
        """The length of a weight vector for raw rows of `n_features` numbers."""
        return n_features + (1 if self.bias else 0)
