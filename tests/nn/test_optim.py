"""SGD and Adam: argument validation and the update rules, checked against hand maths."""

from __future__ import annotations

import math

import pytest

from engine import Value
from nn import SGD, Adam
from nn.optim import Optimizer


def _params(*xs: float) -> list[Value]:
    return [Value(x) for x in xs]


def test_sgd_rejects_negative_lr() -> None:
    with pytest.raises(ValueError, match=r"Invalid learning rate: -0\.1"):
        SGD(_params(1.0), lr=-0.1)


@pytest.mark.parametrize("lr", [float("nan"), float("inf")])
def test_sgd_rejects_non_finite_lr(lr: float) -> None:
    with pytest.raises(ValueError, match="Invalid learning rate"):
        SGD(_params(1.0), lr=lr)


@pytest.mark.parametrize("lr", ["0.1", None, True])
def test_sgd_rejects_non_number_lr(lr: object) -> None:
    with pytest.raises(TypeError, match="Invalid learning rate"):
        SGD(_params(1.0), lr=lr)  # type: ignore[arg-type]


@pytest.mark.parametrize("momentum", [-0.5, 1.0, 2.0])
def test_sgd_rejects_momentum_outside_unit_interval(momentum: float) -> None:
    with pytest.raises(ValueError, match=f"Invalid momentum value: {momentum}"):
        SGD(_params(1.0), lr=0.1, momentum=momentum)


def test_sgd_rejects_non_bool_maximize() -> None:
    with pytest.raises(TypeError, match="Invalid maximize: 1"):
        SGD(_params(1.0), lr=0.1, maximize=1)  # type: ignore[arg-type]


def test_optimizer_rejects_empty_params() -> None:
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)


def test_optimizer_rejects_a_single_value() -> None:
    with pytest.raises(TypeError, match="wrap it in a list"):
        SGD(Value(1.0), lr=0.1)  # type: ignore[arg-type]


def test_optimizer_rejects_non_values() -> None:
    with pytest.raises(TypeError, match=r"params\[1\] must be a Value, got 2\.0"):
        SGD([Value(1.0), 2.0], lr=0.1)  # type: ignore[list-item]


def test_optimizer_rejects_duplicate_params() -> None:
    v = Value(1.0)
    with pytest.raises(ValueError, match=r"params\[1\] is the same Value as params\[0\]"):
        SGD([v, v], lr=0.1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": -1.0}, "Invalid learning rate: -1.0"),
        ({"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
        ({"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
        ({"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
    ],
)
def test_adam_rejects_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        Adam(_params(1.0), **kwargs)  # type: ignore[arg-type]


def test_adam_rejects_betas_that_are_not_a_pair() -> None:
    with pytest.raises(TypeError, match=r"Invalid betas: 0\.9"):
        Adam(_params(1.0), betas=0.9)  # type: ignore[arg-type]


def test_sgd_step_moves_against_the_gradient() -> None:
    a, b = _params(1.0, -2.0)
    a.grad, b.grad = 0.5, -3.0
    SGD([a, b], lr=0.1).step()
    assert a.data == pytest.approx(1.0 - 0.05)
    assert b.data == pytest.approx(-2.0 + 0.3)


def test_sgd_maximize_moves_along_the_gradient() -> None:
    a = Value(1.0)
    a.grad = 0.5
    SGD([a], lr=0.1, maximize=True).step()
    assert a.data == pytest.approx(1.05)


def test_sgd_momentum_accumulates_velocity() -> None:
    a = Value(0.0)
    opt = SGD([a], lr=1.0, momentum=0.5)
    a.grad = 1.0
    opt.step()  # v = 1
    opt.step()  # v = 0.5 * 1 + 1 = 1.5
    assert a.data == pytest.approx(-2.5)


def test_zero_grad_clears_every_parameter() -> None:
    ps = _params(1.0, 2.0)
    for p in ps:
        p.grad = 7.0
    SGD(ps, lr=0.1).zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


def test_step_refuses_non_finite_gradient() -> None:
    a = Value(1.0)
    a.grad = math.nan
    with pytest.raises(ValueError, match="non-finite gradient nan"):
        SGD([a], lr=0.1).step()
    assert a.data == 1.0


def test_adam_matches_a_hand_written_reference() -> None:
    def grad(w: float) -> float:  # of (w - 3)^2
        return 2.0 * (w - 3.0)

    w = Value(0.0)
    opt = Adam([w], lr=0.1, betas=(0.8, 0.99), eps=1e-8)
    ref, m, v = 0.0, 0.0, 0.0
    for t in range(1, 6):
        w.grad = grad(w.data)
        opt.step()
        g = grad(ref)
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g * g
        ref -= 0.1 * (m / (1 - 0.8**t)) / (math.sqrt(v / (1 - 0.99**t)) + 1e-8)
        assert w.data == pytest.approx(ref, rel=1e-12)


def test_adam_minimises_a_quadratic() -> None:
    w = Value(-4.0)
    opt = Adam([w], lr=0.1)
    for _ in range(300):
        opt.zero_grad()
        ((w - 2.0) ** 2).backward()
        opt.step()
    assert w.data == pytest.approx(2.0, abs=1e-2)


def test_optimizer_base_step_is_abstract() -> None:
    with pytest.raises(NotImplementedError):
        Optimizer(_params(1.0)).step()


def test_sgd_repr_reads_like_the_constructor() -> None:
    assert repr(SGD(_params(1.0, 2.0), lr=0.5)) == (
        "SGD(<2 params>, lr=0.5, momentum=0.0, maximize=False)"
    )


# ---------------------------------------------------------------- RMSprop, the table


def test_rmsprop_follows_its_update_rule_written_out() -> None:
    from nn import RMSprop

    w = _params(1.0, -2.0)
    opt = RMSprop(w, lr=0.05, alpha=0.9, eps=1e-8)
    s = [0.0, 0.0]
    expected = [1.0, -2.0]
    for _ in range(3):
        opt.zero_grad()
        for p in w:
            (p * p).backward()  # grad 2p
        for i in range(len(w)):
            g = 2.0 * expected[i]
            s[i] = 0.9 * s[i] + 0.1 * g * g
            expected[i] -= 0.05 * g / (math.sqrt(s[i]) + 1e-8)
        opt.step()
    assert [p.data for p in w] == expected


@pytest.mark.parametrize(("alpha", "match"), [(1.0, "alpha value: 1.0"), (-0.1, "alpha value")])
def test_rmsprop_rejects_alpha_outside_unit_interval(alpha: float, match: str) -> None:
    from nn import RMSprop

    with pytest.raises(ValueError, match=f"Invalid {match}.*expected 0 <= alpha < 1"):
        RMSprop(_params(1.0), alpha=alpha)


def test_every_optimizer_shares_the_base_checks_and_repr() -> None:
    from nn.optim import OPTIMIZERS

    for name, kind in OPTIMIZERS.items():
        with pytest.raises(ValueError, match=r"Invalid learning rate: -1 \(expected lr >= 0\)"):
            kind(_params(1.0), lr=-1)  # type: ignore[call-arg]
        opt = kind(_params(1.0), lr=0.5)  # type: ignore[call-arg]
        assert repr(opt).startswith(f"{kind.__name__}(<1 params>, lr=0.5"), name
        assert all(f"{h}=" in repr(opt) for h in kind.HYPER)


def test_the_command_lines_optimizers_are_the_table() -> None:
    from nn.optim import OPTIMIZERS
    from viz.cli.main import build_parser
    from viz.cli.usage import UsageError

    args = build_parser().parse_args(["train", "--optimizer", "rmsprop"])
    assert args.optimizer == "rmsprop"
    with pytest.raises(UsageError, match="adagrad"):
        build_parser().parse_args(["train", "--optimizer", "adagrad"])
    help_text = build_parser()._subparsers._group_actions[0].choices["train"].format_help()  # type: ignore[union-attr]
    assert all(name in help_text for name in OPTIMIZERS)
