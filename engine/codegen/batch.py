"""A loss summed over many points, and its gradient, as one generated loop.

Training evaluates the same graph at every point of a batch: a model's outputs from
the point's numbers and the shared parameters, then that point's loss. `compile_batch`
writes the model's graph once as the body of a loop over the points: the forward
statements, the point's loss (chosen by the point's key, such as its label), and the
backward statements, whose `+=` into the parameters' gradients run on across the
points. The parameters are read into local variables once per batch; nothing is
allocated per node.

The loss of a point is either a graph per key, traced on leaves that stand for the
outputs and written into the loop, or, when its shape depends on the data (a softmax
shifted by the largest output), a function called per point with the outputs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from engine.codegen.function import exec_source
from engine.codegen.graph import construction_order
from engine.codegen.names import Names, check_name
from engine.codegen.program import MAX_SIZE, Program, check_code_size, sum_lines, zero_lines
from engine.value import Value

__all__ = ["BatchFunction", "PointLoss", "compile_batch"]

_FIXED = (
    "shared",
    "points",
    "keys",
    "seed",
    "point_loss",
    "total",
    "outputs",
    "key",
    "loss",
    "check",
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PointLoss = Callable[[Any, tuple[float, ...], float], tuple[float, tuple[float, ...]]]
"""`(key, outputs, seed) -> (loss, d loss / d outputs * seed)` for one point."""


class BatchFunction(Protocol):
    """What `compile_batch` returns: the generated loop, with its text in `.source`."""

    source: str

    def __call__(
        self,
        shared: Sequence[float],
        points: Sequence[Sequence[float]],
        keys: Sequence[Any],
        seed: float,
        point_loss: PointLoss | None = None,
    ) -> tuple[float, list[tuple[float, ...]], tuple[float, ...]]: ...


def _wrapped(head: str, names: list[str], tail: str, indent: str = "    ") -> list[str]:
    """`head + a, b, c + tail`, wrapped to lines of at most 100 characters."""
    text = f"{indent}{head}{', '.join(names)}{tail}"
    if len(text) <= 100:
        return [text]
    lines, row = [f"{indent}{head}"], ""
    for name in names:
        if row and len(indent) + 4 + len(row) + len(name) + 2 > 96:
            lines.append(f"{indent}    {row.rstrip()}")
            row = ""
        row += f"{name}, "
    return [*lines, f"{indent}    {row.rstrip()}", f"{indent}{tail.lstrip(',')}"]


def compile_batch(
    outputs: Sequence[Value],
    point_inputs: Sequence[Value],
    shared_inputs: Sequence[Value],
    losses: Mapping[int, tuple[Value, Sequence[Value]]] | None = None,
    *,
    name: str = "batch",
    max_size: int = MAX_SIZE,
) -> BatchFunction:
    """Generate the loop that sums a loss over points, with its shared inputs' gradient.

    The returned function `f(shared, points, keys, seed, point_loss=None)` takes
    the shared inputs' numbers, one row of numbers per point (one per point input)
    and one key per point. For each point it computes the outputs, the loss for
    that point's key, and the backward pass from the loss's gradient `seed` (the
    factor a mean applies, 1 / len(points)). It returns the sum of the losses, every
    point's outputs, and the shared inputs' gradients added over the points: what
    `backward()` leaves in them after building `seed * sum(losses)` as one graph,
    up to the order of the additions.

    Args:
        outputs: the model's outputs, a graph over `point_inputs` and `shared_inputs`
            (every other leaf is a constant).
        point_inputs: leaves that take each point's numbers.
        shared_inputs: leaves shared by every point (the parameters).
        losses: for each key (an int, such as a label), the loss graph and the leaves
            it was built on, one per output in order. None: the loop calls
            `point_loss(key, outputs, seed)`, which returns the loss and its gradient
            with respect to each output (already times `seed`).
        name: the generated function's name.
        max_size: the most nodes plus edges of the model's graph written out
            (CodeTooLargeError, a ValueError, before any code is written).

    The generated code raises (ValueError, ArithmeticError, TypeError, LookupError)
    where the graph would have raised or met NaN or infinity, and for a key without
    a loss; the caller redoes the batch on the graph, which raises the graph's error.
    """
    name = check_name(name)
    loss_roots = [root for root, _ in (losses or {}).values()]
    check_code_size(construction_order([*outputs, *loss_roots]), max_size)  # before any code
    names = Names([name], fixed=_FIXED)
    helpers: dict[str, Any] = {}
    model = Program(
        outputs,
        [*point_inputs, *shared_inputs],
        names,
        wrt=shared_inputs,
        training=True,
        helpers=helpers,
        max_size=max_size,
    )
    out_names = [model.name(o) for o in outputs]
    shared = [model.name(v) for v in shared_inputs]
    point = [model.name(v) for v in point_inputs]
    grads = [model.grad(v) for v in shared_inputs]
    body = ["# forward: the model", *model.forward()]
    body += sum_lines("check", model.checked())
    body += [
        "if check - check:  # NaN or infinity: the graph says where",
        "    raise OutsideDomain",
    ]
    if losses is None:
        outs, out_grads = ", ".join(out_names), ", ".join(model.grad(o) for o in outputs)
        body.append(f"loss, ({out_grads},) = point_loss(key, ({outs},), seed)")
    else:
        body.append("# the point's loss, by its key, and its gradient with respect to the outputs")
        for k, (key, (root, leaves)) in enumerate(sorted(losses.items())):
            if isinstance(key, bool) or not isinstance(key, int):
                raise TypeError(f"loss keys must be ints, got {key!r}")
            if len(leaves) != len(outputs):
                raise ValueError(
                    f"the loss for key {key} has {len(leaves)} leaves for {len(outputs)} outputs"
                )
            part = Program(
                [root], leaves, names, input_names=out_names, training=True, helpers=helpers
            )
            lines = [*part.forward(), *sum_lines("check", part.checked())]
            lines += ["if check - check:", "    raise OutsideDomain"]
            lines += [f"loss = {part.name(root)}", *part.backward({root: "seed"})]
            body.append(f"{'if' if k == 0 else 'elif'} key == {key!r}:")
            body += ["    " + line for line in lines]
        body += ["else:", "    raise LookupError(key)"]
    body += ["total += loss", f"outputs.append(({', '.join(out_names)},))"]
    body += [
        "# backward: the model, from the outputs' gradients",
        *model.backward({}, zero_wrt=False),
    ]
    row = f"({', '.join(point)},)" if point else "_point"
    # CPython reads the first 256 local variables in one instruction and the others
    # in two; in a big function a first statement naming them, most used first, gives
    # the busiest the fast slots.
    local = set(names.variables()) - set(_FIXED[:5])  # not the arguments
    hot: list[str] = []
    if len(local) > 250:
        used = Counter(_WORD.findall("\n".join(body)))
        hot = [
            "# local variables, the most used first (CPython reads the first 256 fastest)",
            *zero_lines(sorted((n for n in used if n in local), key=lambda n: -used[n])),
        ]
    lines = [
        f"def {name}(shared, points, keys, seed, point_loss=None):",
        '    """Sum a loss over the points; add up the shared inputs\' gradients (generated)."""',
        *("    " + line for line in hot),
        *(_wrapped("(", shared, ",) = shared") if shared else []),
        *zero_lines(grads, "    "),
        "    total = 0.0",
        "    outputs = []",
        f"    for {row}, key in zip(points, keys, strict=True):",
        *("        " + line for line in body),
        *(_wrapped("return total, outputs, (", grads, ",)") if grads else []),
        *([] if grads else ["    return total, outputs, ()"]),
    ]
    source = "\n".join(lines) + "\n"
    function = exec_source(source, name, helpers)
    function.source = source
    return function  # type: ignore[no-any-return]
