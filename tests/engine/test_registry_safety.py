"""The registry against hostile names, odd return types and threads (issue 24's part)."""

from __future__ import annotations

import builtins
import math
import sys
import threading

import pytest

import engine
import nn
from engine import OPS_BY_NAME, Value, define_op
from engine.ops import remove_op


class Hostile(str):
    """A str whose repr (and str) is code: it must never reach generated code."""

    def __repr__(self) -> str:
        return "'x'\nimport builtins; builtins.HOSTILE_RAN = True\n#"

    def __str__(self) -> str:
        return self.__repr__()


def test_a_hostile_str_subclass_as_an_op_name_becomes_a_plain_str() -> None:
    op = define_op(Hostile("hostile_demo"), lambda x: 2.0 * x, lambda x, out: 2.0)
    try:
        assert type(op.name) is str and op.name == "hostile_demo"
        assert type(next(iter(k for k in OPS_BY_NAME if k == "hostile_demo"))) is str
        f = engine.compile(lambda x: op(x) * x, [1.5])
        assert f(2.0) == (8.0, (8.0,))
        assert not hasattr(builtins, "HOSTILE_RAN")
        assert "HOSTILE" not in f.source
    finally:
        remove_op("hostile_demo")
        if hasattr(builtins, "HOSTILE_RAN"):
            del builtins.HOSTILE_RAN


@pytest.mark.parametrize("name", ["ａbs", "ﬁt", "x²"])
def test_op_names_that_python_reads_differently_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match=r"NFKC|identifier"):
        define_op(name, abs, lambda x, out: 1.0)
    assert name not in OPS_BY_NAME


@pytest.mark.parametrize("name", [b"sin", 3, None, ["sin"]])
def test_op_names_that_are_not_str_are_refused(name: object) -> None:
    with pytest.raises(ValueError, match="must be a Python identifier"):
        define_op(name, math.sin, lambda x, out: 1.0)  # type: ignore[arg-type]


def test_the_name_linear_is_reserved_for_no_activation() -> None:
    with pytest.raises(ValueError, match="'linear' is reserved"):
        define_op("linear", lambda x: x, lambda x, out: 1.0)
    assert "linear" not in OPS_BY_NAME


def test_a_numpy_float32_derivative_is_a_float_in_backward_and_in_compiled_code() -> None:
    np = pytest.importorskip("numpy")  # installed with matplotlib
    op = define_op(
        "f32_demo", lambda x: np.float32(3.0) * x, lambda x, out: np.float32(3.0), replace=True
    )
    try:
        x = Value(1.25)
        y = op(x)
        y.backward()
        assert type(y.data) is float and type(x.grad) is float
        f = engine.compile(lambda v: op(v) * v, [1.25])
        value, (g,) = f(0.5)
        assert type(value) is float and type(g) is float and g == 3.0
    finally:
        remove_op("f32_demo")


def test_a_two_input_derivative_must_return_a_pair_not_a_string() -> None:
    op = define_op("str_pair_demo", lambda a, b: a * b, lambda a, b, out: "12", arity=2)
    try:
        with pytest.raises(TypeError, match=r"must return a pair \(d/da, d/db\), got '12'"):
            op(Value(1.0), Value(2.0))
    finally:
        remove_op("str_pair_demo")


def test_a_forward_returning_a_value_says_so() -> None:
    op = define_op("value_fwd_demo", lambda x: Value(x), lambda x, out: 1.0)
    try:
        with pytest.raises(TypeError, match=r"its forward returned Value\(data=2.0\)"):
            op(Value(2.0))
    finally:
        remove_op("value_fwd_demo")


def test_define_and_remove_in_one_thread_never_disturb_building_models_in_another() -> None:
    stop = threading.Event()
    errors: list[BaseException] = []

    def churn() -> None:
        try:
            while not stop.is_set():
                define_op("churn_demo", math.sin, lambda x, out: math.cos(x), replace=True)
                remove_op("churn_demo")
        except BaseException as error:
            errors.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so a race shows (restored below)
    thread = threading.Thread(target=churn)
    thread.start()
    try:
        for i in range(200):
            nn.MLP(2, [3, 1], seed=i)
            for _ in range(100):  # the reader nn uses: the activations it accepts
                assert "tanh" in nn.layers.activations()
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
    assert not errors, errors
    assert "churn_demo" not in OPS_BY_NAME
