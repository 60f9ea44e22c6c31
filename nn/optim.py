"""Optimizers: plain (momentum) gradient descent or ascent, and Adam.

An optimizer holds a list of parameter Values. After `loss.backward()` has filled in
their `grad`, `step()` moves each parameter's `data`; `zero_grad()` clears the
gradients again, because leaf gradients accumulate across backward calls.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from engine import Value
from engine.checks import as_float, check_bool

__all__ = ["SGD", "Adam", "Optimizer"]


def _check_real(x: object, name: str) -> float:
    """Return `x` as a float when it is a finite real number (not a bool)."""
    try:
        return as_float(x, name)
    except TypeError:
        raise TypeError(f"Invalid {name}: {x!r} (expected a real number)") from None
    except ValueError:
        raise ValueError(f"Invalid {name}: {x!r} (expected a finite number)") from None


def _check_lr(lr: object) -> float:
    value = _check_real(lr, "learning rate")
    if value < 0.0:
        raise ValueError(f"Invalid learning rate: {lr!r} (expected lr >= 0)")
    return value


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
        self.momentum = _check_real(momentum, "momentum value")
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"Invalid momentum value: {momentum!r} (expected 0 <= momentum < 1)")
        self.maximize = check_bool(maximize, "maximize")
        super().__init__(params)
        self._velocity = [0.0] * len(self.params)

    def __repr__(self) -> str:
        return (
            f"SGD(<{len(self.params)} params>, lr={self.lr!r}, momentum={self.momentum!r},"
            f" maximize={self.maximize!r})"
        )

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
        b1 = _check_real(betas[0], "beta parameter at index 0")
        b2 = _check_real(betas[1], "beta parameter at index 1")
        for index, b in enumerate((b1, b2)):
            if not 0.0 <= b < 1.0:
                raise ValueError(
                    f"Invalid beta parameter at index {index}: {betas[index]!r}"
                    " (expected 0 <= beta < 1)"
                )
        self.betas = (b1, b2)
        self.eps = _check_real(eps, "epsilon value")
        if self.eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps!r} (expected eps >= 0)")
        self.maximize = check_bool(maximize, "maximize")
        super().__init__(params)
        self._m = [0.0] * len(self.params)
        self._v = [0.0] * len(self.params)
        self._t = 0

    def __repr__(self) -> str:
        return (
            f"Adam(<{len(self.params)} params>, lr={self.lr!r}, betas={self.betas!r},"
            f" eps={self.eps!r}, maximize={self.maximize!r})"
        )

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
