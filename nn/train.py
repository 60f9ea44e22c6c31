"""`fit`: the training loop, with batching, a progress bar and early stopping."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

import engine
from engine import Value, collector_paused, no_grad
from engine.checks import check_bool, check_features, check_int
from engine.codegen.program import MAX_SIZE
from engine.fast import backward
from nn.callbacks import Callback, EarlyStopping, StopWhen
from nn.compiled import CompiledStep, check_compilable
from nn.data import batches
from nn.history import History
from nn.losses import LOSSES, label_only
from nn.metrics import check_labels, decide, outputs
from nn.module import Module, forward_batch
from nn.optim import SGD, Optimizer

__all__ = ["LOSSES", "MAX_STEP_EDGES", "History", "compile_step", "fit", "train_step"]

MAX_STEP_EDGES = 5_000_000
"""`fit`'s default bound on a step's graph: points in a batch x parameters (~300 MB)."""

LossFn = Callable[[list[Value], Any], Value]


def _resolve_loss(loss: str | LossFn) -> LossFn:
    if callable(loss):
        return loss
    if isinstance(loss, str) and loss in LOSSES:
        return LOSSES[loss]
    allowed = ", ".join(repr(name) for name in LOSSES)
    raise ValueError(f"Invalid loss: {loss!r} (expected one of {allowed} or a function)")


def _callbacks(
    callbacks: Sequence[Callback] | None,
    early_stopping: int | Callable[[History], bool] | None,
) -> list[Callback]:
    """The callbacks fit runs: the given ones, then the one `early_stopping` makes."""
    if callbacks is None:
        chosen: list[Callback] = []
    elif isinstance(callbacks, Callback) or not isinstance(callbacks, list | tuple):
        raise TypeError(f"Invalid callbacks: {callbacks!r:.80} (expected a list of callbacks)")
    else:
        chosen = list(callbacks)
    for i, c in enumerate(chosen):
        if not (hasattr(c, "on_epoch_end") or hasattr(c, "on_batch_end")):
            raise TypeError(
                f"Invalid callbacks[{i}]: {c!r:.80} (expected an object with on_epoch_end"
                " and/or on_batch_end, such as an nn.callbacks.Callback)"
            )
    if early_stopping is None:
        return chosen
    if callable(early_stopping):
        return [*chosen, StopWhen(early_stopping)]
    if isinstance(early_stopping, bool) or not isinstance(early_stopping, int):
        raise TypeError(
            f"Invalid early_stopping: {early_stopping!r} (expected None, an int patience"
            " or a function of the History)"
        )
    if early_stopping < 1:
        raise ValueError(f"Invalid early_stopping: {early_stopping!r} (expected patience >= 1)")
    return [*chosen, EarlyStopping(early_stopping)]


def _evaluate(
    model: Module, X: list[list[float]], y: list[Any], loss_fn: LossFn
) -> tuple[float, float]:
    """The mean loss and the accuracy of `model` on `(X, y)`, recording nothing."""
    total, correct = 0.0, 0
    with no_grad():
        for out, label in zip(forward_batch(model, X), y):
            outs = outputs(out)
            correct += decide(outs) == label
            total += loss_fn(outs, label).data
    return total / len(X), correct / len(X)


def _validation(
    data: tuple[Sequence[Sequence[float]], Sequence[Any]] | None,
    n_outputs: int,
    *,
    custom_loss: bool,
) -> tuple[list[list[float]], list[Any]] | None:
    """`validation_data` checked: its rows and labels, or None."""
    if data is None:
        return None
    if not isinstance(data, tuple | list) or len(data) != 2:
        raise TypeError(f"Invalid validation_data: {data!r:.80} (expected a pair (X_val, y_val))")
    X_val, y_val = data
    rows = check_features(X_val)
    if len(rows) != len(y_val) or not rows:
        raise ValueError(
            f"Invalid validation_data: {len(rows)} points and {len(y_val)} labels"
            " (expected as many labels as points, at least one)"
        )
    return rows, list(y_val) if custom_loss else check_labels(y_val, n_outputs)


def fit(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    *,
    loss: str | LossFn = "cross_entropy",
    optimizer: Optimizer | None = None,
    lr: float = 0.1,
    epochs: int = 100,
    batch_size: int | None = None,
    seed: int = 0,
    progress: bool = True,
    early_stopping: int | Callable[[History], bool] | None = None,
    compile: bool = False,  # noqa: A002 - the issue's name for it
    max_step_edges: int = MAX_STEP_EDGES,
    callbacks: Sequence[Callback] | None = None,
    validation_data: tuple[Sequence[Sequence[float]], Sequence[Any]] | None = None,
) -> History:
    """Train `model` on `(X, y)` by gradient descent and return the History.

    Each step averages the loss over one batch, runs `backward()` and lets the
    optimizer update the parameters. Labels are -1/+1 for a model with one output
    and class indices 0 .. k-1 for a model with k outputs.

    Args:
        model: the Module to train (its parameters are changed in place).
        X: the points, one row of numbers each.
        y: the labels.
        loss: "cross_entropy" (softmax cross-entropy; the logistic loss for one
            output), "mse" (against +-1, or one-hot for k outputs), "hinge",
            "perceptron", or a function `(outputs, label) -> Value`.
        optimizer: an optimizer over `model.parameters()`; by default `SGD` with `lr`.
        lr: the learning rate of the default optimizer (ignored with `optimizer`).
        epochs: the number of passes over the data.
        batch_size: None for full-batch gradient descent, 1 for stochastic gradient
            descent, k for mini-batches of k points.
        seed: seeds the order in which each epoch visits the points.
        progress: show a tqdm progress bar.
        early_stopping: None; an int patience (stop once the epoch loss has not
            improved for that many epochs: `nn.EarlyStopping(patience)`); or a function
            of the History returning True to stop. It runs after `callbacks`.
        compile: run each step as generated code (`compile_step`): the model's
            forward and backward passes and the loss are written out once, then
            every step runs them without building a graph. The History is the same
            (to rounding: gradients add up in another order). Needs an `nn.MLP`,
            `nn.Layer` or `nn.Neuron`.
        max_step_edges: refuse, before training, a step whose graph would hold more
            edges than this (points in a batch x parameters; 5,000,000 by default,
            about 1.5 s and 300 MB a step): use a smaller `batch_size`, or raise it.
        callbacks: objects whose `on_batch_end(history, epoch, batch, loss)` and
            `on_epoch_end(history, epoch)` run after each batch and each epoch (see
            `nn.callbacks`; `on_epoch_end` returning True stops training).
        validation_data: `(X_val, y_val)`: after each epoch, the model's mean loss and
            accuracy there go to `history.val_loss` and `history.val_accuracy`.

    Returns:
        The History; `stopped_early` tells whether training stopped before `epochs`.

    Raises:
        ValueError: for malformed data, labels that do not fit the model, or bad
            settings (messages name the argument and the allowed values).
        TypeError: for arguments of the wrong type (say an optimizer that is not one),
            or a model that `compile=True` cannot compile.

    Example:
        >>> from nn import MLP, data, accuracy
        >>> X, y = data.blobs(20, seed=0)
        >>> model = MLP(2, [1], seed=0)
        >>> history = fit(model, X, y, loss="hinge", epochs=5, progress=False)
        >>> len(history.loss), accuracy(model, X, y)
        (5, 1.0)
    """
    rows = check_features(X)
    if len(rows) != len(y):
        raise ValueError(f"X and y differ in length: {len(rows)} points but {len(y)} labels")
    if not rows:
        raise ValueError("fit needs at least one point, got none")
    loss_fn = _resolve_loss(loss)
    check_int(epochs, "epochs", minimum=0)
    hooks = _callbacks(callbacks, early_stopping)
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr)
    elif not isinstance(optimizer, Optimizer):
        raise TypeError(f"Invalid optimizer: {optimizer!r} (expected an nn.optim optimizer)")
    with no_grad():
        n_outputs = len(outputs(model(rows[0])))
    labels = list(y) if callable(loss) else check_labels(y, n_outputs)
    validation = _validation(validation_data, n_outputs, custom_loss=callable(loss))
    list(batches(len(rows), batch_size))  # validates batch_size before any work
    check_bool(compile, "compile")
    _check_step_edges(len(rows) if batch_size is None else batch_size, model, max_step_edges)
    step: Callable[[list[list[float]], list[Any], Optimizer], tuple[float, int]]
    if compile:
        step = compile_step(model, loss=loss_fn, example=rows[0])
    else:

        def step(
            X_batch: list[list[float]], y_batch: list[Any], opt: Optimizer
        ) -> tuple[float, int]:
            return train_step(model, X_batch, y_batch, opt, loss=loss_fn)

    history = History()
    rng = random.Random(seed)
    bar = _progress_bar(epochs, progress)
    batch_hooks = [h.on_batch_end for h in hooks if hasattr(h, "on_batch_end")]
    epoch_hooks = [h.on_epoch_end for h in hooks if hasattr(h, "on_epoch_end")]
    try:
        for epoch in range(epochs):
            total, correct = 0.0, 0
            shuffle = batch_size is not None
            order = batches(len(rows), batch_size, shuffle=shuffle, seed=rng.getrandbits(32))
            for number, batch in enumerate(order):
                batch_loss, batch_correct = step(
                    [rows[i] for i in batch], [labels[i] for i in batch], optimizer
                )
                total += batch_loss * len(batch)
                correct += batch_correct
                for hook in batch_hooks:
                    hook(history, epoch, number, batch_loss)
            history.loss.append(total / len(rows))
            history.accuracy.append(correct / len(rows))
            if validation is not None:
                val_loss, val_accuracy = _evaluate(model, *validation, loss_fn)
                history.val_loss.append(val_loss)
                history.val_accuracy.append(val_accuracy)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{history.loss[-1]:.4f}", acc=f"{history.accuracy[-1]:.3f}")
            stops = [hook(history, epoch) for hook in epoch_hooks]  # every hook runs
            if any(stops):
                history.stopped_early = history.epochs < epochs
                break
    finally:
        if bar is not None:
            bar.close()
    return history


def _check_step_edges(batch: int, model: Module, max_step_edges: int) -> None:
    """Refuse a training step whose graph would hold more than `max_step_edges` edges."""
    check_int(max_step_edges, "max_step_edges", minimum=1)
    edges = batch * len(model.parameters())
    if edges > max_step_edges:
        raise ValueError(
            f"each training step would build a graph of {edges:,} edges ({batch:,} points x "
            f"{len(model.parameters()):,} parameters), more than max_step_edges="
            f"{max_step_edges:,} (about 100 bytes each): use a smaller batch_size, or pass "
            f"a larger max_step_edges"
        )


def compile_step(
    model: Module,
    *,
    loss: str | LossFn = "cross_entropy",
    example: Sequence[float] | None = None,
    max_size: int = MAX_SIZE,
) -> CompiledStep:
    """`train_step` for one model and loss, as generated code (what `fit(compile=True)` runs).

    The model's forward and backward passes and the loss are traced once and written
    out as a loop over a batch's points (see `nn.compiled`); calling the result
    `step(X, y, optimizer)` then does what `train_step(model, X, y, optimizer,
    loss=loss)` does, without building a graph, and returns the same numbers. Its
    `.source` holds the generated text.

    Args:
        model: an `nn.MLP`, `nn.Layer` or `nn.Neuron` running its own forward.
        loss: a loss name of `LOSSES` or a function `(outputs, label) -> Value`.
        example: one input to trace the model at (default: any).
        max_size: the most nodes plus edges written as code (50,000 by default,
            about 1 s and 300 MB; a 2-16-16-1 MLP with hinge loss is about 750).

    Raises:
        TypeError: for a model whose graph could depend on the data.
        ValueError: for an unknown loss, or one that does not fit the model;
            CodeTooLargeError (a ValueError) for a model over `max_size`, before
            any code is written.

    Example:
        >>> from nn import MLP, SGD
        >>> model = MLP(2, [3, 1], activation="relu", seed=0)
        >>> step = compile_step(model, loss="hinge")
        >>> X, y = [[1.0, 2.0], [-1.0, -2.0]], [1, -1]
        >>> first, _ = step(X, y, SGD(model.parameters(), lr=0.1))
        >>> second, correct = step(X, y, SGD(model.parameters(), lr=0.1))
        >>> second < first, correct
        (True, 2)
    """
    loss_fn = _resolve_loss(loss)

    def graph_step(
        X: Sequence[Sequence[float]], y: Sequence[Any], opt: Optimizer
    ) -> tuple[float, int]:
        return train_step(model, X, y, opt, loss=loss_fn)

    check_compilable(model)
    with no_grad():
        n_outputs = len(outputs(model([0.0] * model.n_in)))  # type: ignore[attr-defined]
    return CompiledStep(
        model,
        loss_fn,
        label_only=label_only(loss_fn, n_outputs),  # found out by building it
        fallback=graph_step,
        example=example,
        max_size=max_size,
    )


def train_step(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    optimizer: Optimizer,
    *,
    loss: str | LossFn = "cross_entropy",
) -> tuple[float, int]:
    """One gradient-descent step on one batch; what `fit` does for every batch.

    Zeroes the gradients, averages the loss over the batch, runs `backward()` and
    lets the optimizer update the parameters. Python's cycle collector is paused
    meanwhile (see `engine.collector_paused`): the graph has no cycles, and it is
    freed before the collector comes back.

    Args:
        model: the Module to train.
        X: the batch's points.
        y: their labels (as for `fit`).
        optimizer: an optimizer over `model.parameters()`.
        loss: a loss name of `LOSSES` or a function `(outputs, label) -> Value`.

    Returns:
        The batch's mean loss and how many of its points the model classified
        correctly before the update.

    Raises:
        ValueError: for an empty batch, X and y of different lengths, an unknown
            loss, or a loss that is not finite.
        TypeError: if `optimizer` is not an nn.optim optimizer.

    Example:
        >>> from nn import MLP, SGD
        >>> model = MLP(2, [1], seed=0)
        >>> opt = SGD(model.parameters(), lr=0.1)
        >>> X, y = [[1.0, 2.0], [-1.0, -2.0]], [1, -1]
        >>> first, _ = train_step(model, X, y, opt, loss="hinge")
        >>> second, correct = train_step(model, X, y, opt, loss="hinge")
        >>> second < first, correct
        (True, 2)
    """
    if len(X) != len(y):
        raise ValueError(f"X and y differ in length: {len(X)} points but {len(y)} labels")
    if not X:
        raise ValueError("train_step needs at least one point, got none")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"Invalid optimizer: {optimizer!r} (expected an nn.optim optimizer)")
    loss_fn = _resolve_loss(loss)
    with collector_paused():
        # The graph lives only inside _step, so it is freed before the collector
        # resumes; otherwise the next collection would examine all of it.
        return _step(model, X, y, optimizer, loss_fn)


def _step(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    optimizer: Optimizer,
    loss_fn: LossFn,
) -> tuple[float, int]:
    optimizer.zero_grad()
    terms = []
    correct = 0
    for out, label in zip(forward_batch(model, X), y):
        outs = outputs(out)
        correct += decide(outs) == label
        terms.append(loss_fn(outs, label))
    batch_loss = engine.sum(terms) * (1.0 / len(terms))
    value = batch_loss.data
    if not math.isfinite(value):
        raise ValueError(f"the loss became {value!r}; lower the learning rate")
    backward(batch_loss)  # leaves only: the step reads the parameters' gradients
    for p in optimizer.params:
        if p.grad - p.grad:
            raise ValueError(f"the gradient of {p!r} became {p.grad!r}; lower the learning rate")
    optimizer.step()
    return value, correct


def _progress_bar(epochs: int, progress: bool) -> Any:
    if not progress:
        return None
    # Plain tqdm rather than tqdm.auto: it needs no ipywidgets and also shows in notebooks.
    from tqdm import tqdm

    return tqdm(total=epochs, desc="fit", unit="epoch")
