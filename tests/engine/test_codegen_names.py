"""No text chosen by an object ever reaches generated code: only plain characters do.

A `str` subclass can redefine `__repr__`, `__format__`, `__str__`, `replace` or `__eq__`
to return code; generated code must use the label's characters alone (issue 24).
"""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import Value
from engine.codegen.batch import compile_batch

MARK = "PWNED_BY_A_LABEL"
CODE = f"'\nimport builtins; builtins.{MARK} = 1  #"


class Sly(str):
    """A string whose every text-making method returns code."""

    def __repr__(self) -> str:
        return CODE

    def __str__(self) -> str:
        return CODE

    def __format__(self, spec: str) -> str:
        return CODE

    def replace(self, *args: Any, **kwargs: Any) -> Any:
        return Sly(CODE)

    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        return True

    __hash__ = str.__hash__


class Odd:
    """Not a string at all, with a class name that is code too."""

    def __repr__(self) -> str:
        return CODE

    __format__ = __str__ = lambda self, *a: CODE


Odd.__name__ = CODE

HOSTILE: list[object] = [
    Sly("x"),
    Sly("h + i"),
    Sly("L1.n0.w0"),
    Sly("x\nimport os"),
    b"x",
    bytearray(b"y"),
    memoryview(b"z"),
    Odd(),
    123,
    None,
]


def _no_mark(source: str) -> None:
    import builtins

    assert MARK not in source
    assert not hasattr(builtins, MARK)


@pytest.mark.parametrize("label", HOSTILE, ids=lambda x: type(x).__name__)
def test_labels_of_inputs_intermediates_and_constants_never_become_code(label: object) -> None:
    def fn(x: Value, y: Value) -> Value:
        h = x * y
        h.label = label  # type: ignore[assignment]
        c = Value(3.0)
        c.label = label  # type: ignore[assignment]
        return (h + c * x).tanh()

    a, b = Value(0.5), Value(-0.25)
    a.label = label  # type: ignore[assignment]
    b.label = label  # type: ignore[assignment]
    if not isinstance(label, str):  # as Value(0.5, 123) does: the documented TypeError
        for make in (engine.compile, engine.to_source):
            with pytest.raises(TypeError, match="must be a str") as caught:
                make(fn, [a, b])
            assert CODE not in str(caught.value)
        _no_mark("")
        return
    f = engine.compile(fn, [a, b])
    _no_mark(f.source)
    assert f(0.5, -0.25)[0] == fn(Value(0.5), Value(-0.25)).data
    _no_mark(engine.to_source(fn, [a, b]))


def test_graph_source_after_a_label_set_by_hand_to_a_number_is_a_type_error() -> None:
    x = Value(2.0, "x")
    y = x * x
    y.label = 123  # type: ignore[assignment]
    with pytest.raises(TypeError, match=r"label of the node with data 4\.0 must be a str"):
        engine.codegen.graph_source(y.tanh(), [x])


@pytest.mark.parametrize("name", [*HOSTILE, "q(): pass\nimport os;x", "f f", "print"])
def test_every_function_name_is_checked_before_any_code_is_made(name: object) -> None:
    x = Value(2.0, "x")
    y = (x * x).tanh()
    calls = [
        lambda: engine.compile(lambda v: v * v, [2.0], name=name),  # type: ignore[arg-type]
        lambda: engine.to_source(lambda v: v * v, [2.0], name=name),  # type: ignore[arg-type]
        lambda: engine.codegen.graph_source(y, [x], name=name),  # type: ignore[arg-type]
        lambda: compile_batch([y], [x], [], name=name),  # type: ignore[arg-type]
    ]
    for call in calls:
        if isinstance(name, str) and not isinstance(name, Sly) and name.isidentifier():
            if name == "print":
                with pytest.raises(ValueError, match="plain identifier"):
                    call()
            continue
        if isinstance(name, Sly):  # its characters, "x" or "L1.n0.w0", decide
            try:
                result = call()
            except ValueError as error:
                assert "plain identifier" in str(error)
                continue
            _no_mark(getattr(result, "source", result))
            continue
        with pytest.raises(ValueError, match="plain identifier") as caught:
            call()
        assert CODE not in str(caught.value)
    _no_mark("")


def test_a_str_subclass_name_gives_a_plain_str_function_name() -> None:
    f = engine.compile(lambda v: v * v, [2.0], name=Sly("square"))
    assert "def square(" in f.source and f(3.0) == (9.0, (6.0,))
    _no_mark(f.source)


# ------------------------------------------------- a bound on the size of code (item 1)


def test_compile_refuses_a_graph_over_max_size_before_writing_any_code() -> None:
    from engine.codegen import CodeTooLargeError

    def chain(x: Value) -> Value:
        for _ in range(200):
            x = x * 1.5 + 1.0
        return x

    with pytest.raises(CodeTooLargeError, match="more than the 500 nodes plus edges"):
        engine.compile(chain, [0.1], max_size=500)
    with pytest.raises(CodeTooLargeError, match="pass max_size=800 "):
        engine.to_source(chain, [0.1], max_size=799)
    f = engine.compile(chain, [0.1], max_size=800)  # 400 nodes, 400 edges
    assert f(0.1)[0] == chain(Value(0.1)).data
    x = Value(0.1)
    y = chain(x)
    with pytest.raises(CodeTooLargeError):
        compile_batch([y], [x], [], name="b", max_size=10)
    with pytest.raises(CodeTooLargeError):
        engine.codegen.graph_source(y, [x], max_size=10)
    assert engine.codegen.MAX_SIZE == 50_000


def test_compile_step_refuses_a_model_over_max_size_before_tracing_it() -> None:
    import nn
    from engine.codegen import CodeTooLargeError

    model = nn.MLP(2, [16, 16, 1], seed=0)
    with pytest.raises(CodeTooLargeError, match="has 337 parameters, more than the 300"):
        nn.compile_step(model, loss="hinge", max_size=300)
    with pytest.raises(CodeTooLargeError, match="nodes plus edges"):
        nn.compile_step(model, loss="hinge", max_size=400)
    assert nn.compile_step(model, loss="hinge").source
