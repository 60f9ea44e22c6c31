"""Optimizers: plain (momentum) gradient descent or ascent, Adam and RMSprop.

An optimizer holds a list of parameter Values. After `loss.backward()` has filled in
their `grad`, `step()` moves each parameter's `data`; `zero_grad()` clears the
gradients again, because leaf gradients accumulate across backward calls.

The base class does what every optimizer shares: it checks the parameters and each
hyper-parameter (`_hyper`, one message for all), refuses non-finite gradients, and
writes the `repr` from the hyper-parameters the class names in `HYPER`. A new optimizer
is its `__init__` naming its hyper-parameters and its `step`, the update rule (see
`RMSprop`). `OPTIMIZERS` is the table the command line's `--optimizer` reads.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import ClassVar

from engine import Value
from engine.checks import as_float, check_bool

__all__ = ["OPTIMIZERS", "SGD", "Adam", "Optimizer", "RMSprop", "make_optimizer"]


def _check_real(x: object, name: str) -> float:
    """Return `x` as a float when it is a finite real number (not a bool)."""
    try:
        return as_float(x, name)
    except TypeError:
        raise TypeError(f"Invalid {name}: {x!r} (expected a real number)") from None
    except ValueError:
        raise ValueError(f"Invalid {name}: {x!r} (expected a finite number)") from None


def _check_lr(lr: object) -> float:
    return Optimizer._hyper(lr, "learning rate", "lr", low=0.0)


class Optimizer:
    """The shared part of every optimizer: the parameter list and `zero_grad()`.

    Args:
        params: the Values to update, usually `model.parameters()`.

    Raises:
        TypeError: if an element of `params` is not a Value.
        ValueError: if `params` is empty or holds the same Value twice.

    Example:
        >>> from engine import Value
        >>> w = Value(2.0)
        >>> w.grad = 5.0
        >>> Optimizer([w]).zero_grad()
        >>> w.grad
        0.0
    """

    def __init__(self, params: Iterable[Value]) -> None:
        if isinstance(params, Value):
            raise TypeError(
                "params must be an iterable of Values, got a single Value;"
                " wrap it in a list: [value]"
            )
        try:
            plist = list(params)
        except TypeError:
            raise TypeError(f"params must be an iterable of Values, got {params!r}") from None
        if not plist:
            raise ValueError("optimizer got an empty parameter list")
        seen: dict[int, int] = {}
        for i, p in enumerate(plist):
            if not isinstance(p, Value):
                raise TypeError(f"params[{i}] must be a Value, got {p!r}")
            if id(p) in seen:
                raise ValueError(
                    f"params[{i}] is the same Value as params[{seen[id(p)]}] ({p!r});"
                    " each parameter may appear only once"
                )
            seen[id(p)] = i
        self.params: list[Value] = plist

    HYPER: ClassVar[tuple[str, ...]] = ()
    """The hyper-parameters `repr` shows, in order (attributes of the same names)."""
    suggested_lr: ClassVar[float] = 0.1
    """The learning rate `make_optimizer` and the command line use when none is given."""

    def __repr__(self) -> str:
        shown = "".join(f", {name}={getattr(self, name)!r}" for name in self.HYPER)
        return f"{type(self).__name__}(<{len(self.params)} params>{shown})"

    @staticmethod
    def _hyper(
        value: object,
        name: str,
        short: str,
        *,
        low: float | None = None,
        below: float | None = None,
    ) -> float:
        """`value` as a finite float with `low <= value` (and `value < below`), or the
        error every optimizer gives: `Invalid <name>: <value> (expected ...)`."""
        x = _check_real(value, name)
        if (low is not None and x < low) or (below is not None and x >= below):
            if below is None:
                allowed = f"{short} >= {low:g}"
            else:
                allowed = ("" if low is None else f"{low:g} <= ") + f"{short} < {below:g}"
            raise ValueError(f"Invalid {name}: {value!r} (expected {allowed})")
        return x

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its gradient (implemented by subclasses)."""
        raise NotImplementedError

    def _check_grads(self) -> None:
        """Refuse to step on a non-finite gradient instead of spreading NaNs."""
        for i, p in enumerate(self.params):
            if not math.isfinite(p.grad):
                raise ValueError(
                    f"parameter {i} ({p!r}) has a non-finite gradient {p.grad!r};"
                    " lower the learning rate or check the loss"
                )


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum, or ascent.

    Each step computes `v = momentum * v + grad` (with `v = grad` when momentum is
    0) and moves `data -= lr * v`, or `data += lr * v` with `maximize=True`. Gradient
    ascent on a log-likelihood with `maximize=True` takes exactly the same steps as
    descent on the negative log-likelihood.

    Args:
        params: the Values to update.
        lr: the step size (learning rate), `>= 0`.
        momentum: the momentum factor in `[0, 1)`; 0 means plain SGD.
        maximize: climb the gradient instead of descending it.

    Raises:
        TypeError: if an argument has the wrong type.
        ValueError: if `lr < 0`, the momentum is outside `[0, 1)`, or `params` is bad.

    Example:
        >>> from engine import Value
        >>> w = Value(3.0)
        >>> opt = SGD([w], lr=0.1)
        >>> loss = w * w          # d loss / d w = 2w = 6
        >>> loss.backward()
        >>> opt.step()
        >>> round(w.data, 10)
        2.4
        >>> SGD([w], lr=-0.1)
        Traceback (most recent call last):
        ...
        ValueError: Invalid learning rate: -0.1 (expected lr >= 0)
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        maximize: bool = False,
    ) -> None:
        self.lr = _check_lr(lr)
        self.momentum = self._hyper(momentum, "momentum value", "momentum", low=0.0, below=1.0)
        self.maximize = check_bool(maximize, "maximize")
        super().__init__(params)
        self._velocity = [0.0] * len(self.params)

    HYPER = ("lr", "momentum", "maximize")

    def step(self) -> None:
        """Move every parameter one step along (or against) its gradient.

        Raises:
            ValueError: if a gradient is NaN or infinite.
        """
        self._check_grads()
        sign = self.lr if self.maximize else -self.lr
        if self.momentum == 0.0:
            for p in self.params:
                p.data += sign * p.grad
            return
        mu = self.momentum
        velocity = self._velocity
        for i, p in enumerate(self.params):
            v = mu * velocity[i] + p.grad
            velocity[i] = v
            p.data += sign * v


class Adam(Optimizer):
    """Adam: per-parameter steps scaled by running averages of the gradient.

    With `m` and `v` the bias-corrected running means of the gradient and of its
    square, a step is `data -= lr * m / (sqrt(v) + eps)` (or `+=` with
    `maximize=True`).

    Args:
        params: the Values to update.
        lr: the step size, `>= 0`.
        betas: the decay rates of the two running averages, each in `[0, 1)`.
        eps: added to the denominator for numerical safety, `>= 0`.
        maximize: climb the gradient instead of descending it.

    Raises:
        TypeError: if an argument has the wrong type.
        ValueError: if an argument is out of range or `params` is bad.

    Example:
        >>> from engine import Value
        >>> w = Value(1.0)
        >>> opt = Adam([w], lr=0.1)
        >>> (w * w).backward()
        >>> opt.step()             # the first Adam step has length lr
        >>> round(w.data, 6)
        0.9
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        *,
        maximize: bool = False,
    ) -> None:
        self.lr = _check_lr(lr)
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise TypeError(f"Invalid betas: {betas!r} (expected a pair (beta1, beta2))")
        self.betas = (
            self._hyper(betas[0], "beta parameter at index 0", "beta", low=0.0, below=1.0),
            self._hyper(betas[1], "beta parameter at index 1", "beta", low=0.0, below=1.0),
        )
        self.eps = self._hyper(eps, "epsilon value", "eps", low=0.0)
        self.maximize = check_bool(maximize, "maximize")
        super().__init__(params)
        self._m = [0.0] * len(self.params)
        self._v = [0.0] * len(self.params)
        self._t = 0

    HYPER = ("lr", "betas", "eps", "maximize")
    suggested_lr = 0.05

    def step(self) -> None:
        """Move every parameter one Adam step.

        Raises:
            ValueError: if a gradient is NaN or infinite.
        """
        self._check_grads()
        self._t += 1
        b1, b2 = self.betas
        # Fold both bias corrections into the step size.
        scale = self.lr * math.sqrt(1.0 - b2**self._t) / (1.0 - b1**self._t)
        eps_hat = self.eps * math.sqrt(1.0 - b2**self._t)
        sign = 1.0 if self.maximize else -1.0
        m, v = self._m, self._v
        sqrt = math.sqrt
        for i, p in enumerate(self.params):
            g = p.grad
            mi = b1 * m[i] + (1.0 - b1) * g
            vi = b2 * v[i] + (1.0 - b2) * g * g
            m[i] = mi
            v[i] = vi
            denom = sqrt(vi) + eps_hat
            if denom > 0.0:
                p.data += sign * scale * mi / denom


class RMSprop(Optimizer):
    """RMSprop: each step divided by a running root mean square of the gradient.

    With `s = alpha * s + (1 - alpha) * grad**2` for each parameter, a step is
    `data -= lr * grad / (sqrt(s) + eps)` (`+=` with `maximize=True`), as in
    `torch.optim.RMSprop` without momentum or centering.

    Args:
        params: the Values to update.
        lr: the step size, `>= 0`.
        alpha: the decay rate of the running mean, in `[0, 1)`.
        eps: added to the denominator for numerical safety, `>= 0`.
        maximize: climb the gradient instead of descending it.

    Raises:
        TypeError: if an argument has the wrong type.
        ValueError: if an argument is out of range or `params` is bad.

    Example:
        >>> from engine import Value
        >>> w = Value(1.0)
        >>> opt = RMSprop([w], lr=0.01, alpha=0.99)
        >>> (w * w).backward()   # grad 2: s = 0.01 * 4, step 0.01 * 2 / 0.2
        >>> opt.step()
        >>> round(w.data, 6)
        0.9
    """

    HYPER = ("lr", "alpha", "eps", "maximize")
    suggested_lr = 0.01

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
        *,
        maximize: bool = False,
    ) -> None:
        self.lr = _check_lr(lr)
        self.alpha = self._hyper(alpha, "alpha value", "alpha", low=0.0, below=1.0)
        self.eps = self._hyper(eps, "epsilon value", "eps", low=0.0)
        self.maximize = check_bool(maximize, "maximize")
        super().__init__(params)
        self._s = [0.0] * len(self.params)

    def step(self) -> None:
        """Move every parameter one RMSprop step.

        Raises:
            ValueError: if a gradient is NaN or infinite.
        """
        self._check_grads()
        a, lr, eps, s = self.alpha, self.lr, self.eps, self._s
        sign = 1.0 if self.maximize else -1.0
        for i, p in enumerate(self.params):
            g = p.grad
            si = a * s[i] + (1.0 - a) * g * g
            s[i] = si
            denom = math.sqrt(si) + eps
            if denom > 0.0:
                p.data += sign * lr * g / denom


OPTIMIZERS: dict[str, type[Optimizer]] = {"adam": Adam, "rmsprop": RMSprop, "sgd": SGD}
"""The optimizers by the names the command line's `--optimizer` takes."""


def make_optimizer(name: str, params: Iterable[Value], lr: float | None = None) -> Optimizer:
    """The optimizer `OPTIMIZERS[name]` over `params`, with `lr` or its `suggested_lr`.

    >>> from engine import Value
    >>> make_optimizer("rmsprop", [Value(1.0)])
    RMSprop(<1 params>, lr=0.01, alpha=0.99, eps=1e-08, maximize=False)
    >>> make_optimizer("adagrad", [Value(1.0)])
    Traceback (most recent call last):
    ...
    ValueError: Invalid optimizer: 'adagrad' (expected one of 'adam', 'rmsprop', 'sgd')
    """
    if not isinstance(name, str) or name not in OPTIMIZERS:
        allowed = ", ".join(map(repr, OPTIMIZERS))
        raise ValueError(f"Invalid optimizer: {name!r} (expected one of {allowed})")
    kind = OPTIMIZERS[name]
    return kind(params, lr=kind.suggested_lr if lr is None else lr)  # type: ignore[call-arg]
