"""A training step as generated code: what `nn.fit(..., compile=True)` runs.

`CompiledStep` traces the model once on Values (a leaf per input feature, and the
model's own parameters) and has `engine.codegen.batch.compile_batch` write its forward
and backward passes, with the loss, as one loop over a batch's points. A step then
reads the parameters' numbers, runs the loop, and hands the gradients to the
optimizer: no node is built, no graph walked.

It is `nn.train_step` computed another way (tests/nn/test_compiled.py: the same
histories to 1e-12). The losses, outputs and accuracies are the same floats; the
gradients are the same sums, added in another order. Where the graph would raise (an
overflow, a loss that is not finite) the step runs the graph's own step instead,
which raises its error or trains on.

What can be compiled:

- models: `nn.MLP`, `nn.Layer` and `nn.Neuron` running their own `forward`. Their
  graph depends only on their architecture (relu and the other activations are
  decided at run time); a subclass's own forward could branch on `.data`, which
  generated code would freeze, so it is refused.
- losses: one whose graph depends on the label only ("hinge", "perceptron", "mse",
  found out by `nn.losses.label_only`, which builds it at many outputs) is written into
  the loop, once per label. "cross_entropy" does branch on the outputs' values (the
  softmax subtracts the largest output; the one-output logistic loss picks a formula by
  the sign), and so may a loss function of your own. For those, the loop
  hands each point's outputs to the loss, built as its few nodes of Values, and goes
  on from the gradient `backward()` gives them: exact, whatever the loss does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engine import Value, is_grad_enabled
from engine.codegen.batch import compile_batch
from engine.codegen.program import MAX_SIZE, CodeTooLargeError
from nn.layers import MLP, Layer, Neuron
from nn.metrics import decide_scores, outputs
from nn.module import Module
from nn.optim import Optimizer

__all__ = ["CompiledStep", "check_compilable"]

LossFn = Callable[[list[Value], Any], Value]
Step = Callable[[Sequence[Sequence[float]], Sequence[Any], Optimizer], tuple[float, int]]


def check_compilable(model: object) -> None:
    """Raise TypeError unless `model`'s graph depends on its architecture only: it runs
    the forward its layers describe (the fused path's hook, `Module.fused_stages`)."""
    if isinstance(model, MLP | Layer | Neuron) and model.fused_stages() is not None:
        return
    raise TypeError(
        f"compile=True works for nn.MLP, nn.Layer and nn.Neuron, whose graphs depend only"
        f" on their architecture, got {model!r:.80}: a forward of its own may branch on"
        " .data, which generated code would freeze (train it with compile=False)"
    )


class CompiledStep:
    """`train_step(model, X, y, optimizer, loss=...)` as generated code.

    Args:
        model: an `nn.MLP`, `nn.Layer` or `nn.Neuron` (see the module docstring).
        loss: the loss function `(outputs, label) -> Value`.
        label_only: whether the loss's graph depends on the label only (then it is
            written into the loop once per label: -1 and +1 for one output, else
            each class index); otherwise it is built per point from the outputs.
        fallback: the graph's own step, run where the generated code cannot go on.
        example: the input to trace at (any point: the graph's shape is the same).
        max_size: the most nodes plus edges written out (see `engine.codegen`).

    Attributes:
        source: the generated loop's text.

    Raises:
        TypeError: for a model that cannot be compiled.
        CodeTooLargeError: (a ValueError) for a model over `max_size`.
        RuntimeError: when called inside `no_grad()`, which records nothing to trace.
    """

    def __init__(
        self,
        model: Module,
        loss: LossFn,
        *,
        label_only: bool,
        fallback: Step,
        example: Sequence[float] | None = None,
        max_size: int = MAX_SIZE,
    ) -> None:
        check_compilable(model)
        if not is_grad_enabled():
            raise RuntimeError("cannot compile a training step inside no_grad()")
        self.model, self.loss, self.fallback = model, loss, fallback
        self.params = model.parameters()
        if len(self.params) > max_size:  # each is an edge at least: refused untraced
            raise CodeTooLargeError(
                f"the model has {len(self.params):,} parameters, more than the "
                f"{max_size:,} nodes plus edges written as code (max_size); pass a larger "
                f"max_size to compile it anyway, or train it without compile=True"
            )
        n_in: int = model.n_in  # type: ignore[attr-defined]
        point = list(example) if example is not None else [0.5 + i for i in range(n_in)]
        xs = [Value(float(v), f"x{i}") for i, v in enumerate(point)]
        outs = outputs(model(xs))
        losses = None
        if label_only:
            losses = {}
            for key in (-1, 1) if len(outs) == 1 else range(len(outs)):
                leaves = [Value(o.data) for o in outs]
                losses[key] = (loss(leaves, key), leaves)
        self.run = compile_batch(outs, xs, self.params, losses, name="step", max_size=max_size)
        self.source = self.run.source

    def _point_loss(
        self, key: Any, outs: tuple[float, ...], seed: float
    ) -> tuple[float, tuple[float, ...]]:
        """One point's loss on its outputs, as Values, and seed times its gradient."""
        leaves = [Value(o) for o in outs]
        loss = self.loss(leaves, key)
        loss.backward(seed)
        return loss.data, tuple(v.grad for v in leaves)

    def __call__(
        self, X: Sequence[Sequence[float]], y: Sequence[Any], optimizer: Optimizer
    ) -> tuple[float, int]:
        """One step on one batch: the batch's mean loss and how many points were right."""
        if not X or len(X) != len(y) or not isinstance(optimizer, Optimizer):
            return self.fallback(X, y, optimizer)  # which explains what is wrong
        seed = 1.0 / len(X)
        try:
            total, outs, grads = self.run(
                [p.data for p in self.params], X, y, seed, self._point_loss
            )
        except (ArithmeticError, ValueError, TypeError, LookupError):
            return self.fallback(X, y, optimizer)
        value = total * seed  # the graph's mean: (0.0 + loss_1 + ... + loss_n) * (1 / n)
        check = value + sum(grads)
        if check - check:  # NaN or infinity: the graph's step says which
            return self.fallback(X, y, optimizer)
        correct = sum(decide_scores(o) == t for o, t in zip(outs, y))
        optimizer.zero_grad()
        for p, g in zip(self.params, grads):
            p.grad += g
        optimizer.step()
        return value, correct
