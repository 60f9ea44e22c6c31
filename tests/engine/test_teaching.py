"""Mistakes a student makes get help: gradients that add up, ^, comparisons, bool()."""

from __future__ import annotations

import warnings

import pytest

from engine import GradientAccumulationWarning, Value, gradcheck


def figure_5() -> tuple[Value, Value, Value, Value]:
    x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
    return ((x + y) + (x * y)) * z, x, y, z


def test_a_second_backward_warns_and_names_zero_grad() -> None:
    f, x, _, _ = figure_5()
    f.backward()
    with pytest.warns(GradientAccumulationWarning, match="zero_grad"):
        f.backward()
    assert x.grad == 32.0  # the warning changes nothing: leaves still add up


def test_no_warning_when_the_leaves_were_zeroed() -> None:
    f, x, y, z = figure_5()
    f.backward()
    for leaf in (x, y, z):
        leaf.grad = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", GradientAccumulationWarning)
        f.backward()
    assert x.grad == 16.0


def test_a_loop_that_adds_up_passes_warns_once_not_once_per_pass() -> None:
    w = Value(0.5, "w")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")  # Python's own: once per calling line and text
        for x in range(1, 6):  # a mini-batch added up by hand, one point at a time
            (w * float(x)).backward()
    assert w.grad == 15.0
    assert [type(c.message) for c in caught] == [GradientAccumulationWarning]
    assert caught[0].filename == __file__  # it points at the caller's backward() line


def test_backward_of_a_leaf_twice_warns() -> None:
    w = Value(1.0, "w")
    w.backward()
    with pytest.warns(GradientAccumulationWarning, match="'w'"):
        w.backward()


def test_nn_training_and_gradcheck_never_warn() -> None:
    from nn import MLP, Perceptron, fit, seed_example

    with warnings.catch_warnings():
        warnings.simplefilter("error", GradientAccumulationWarning)
        model = MLP(2, [3, 1], seed=0)
        fit(model, [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [1, -1, 1], epochs=3, batch_size=1)
        X, y = seed_example()
        Perceptron(initial_weights=[-1.0, 0.0, 0.0]).fit(X, y)
        c = Value(3.0, "c")  # a leaf the function closes over gets a gradient twice
        gradcheck(lambda v: v[0] * c, [2.0])


@pytest.mark.parametrize(
    ("make", "hint"),
    [
        (lambda x: x ^ 2, "x ** 2"),
        (lambda x: 2 ^ x, "2 ** x"),
        (lambda x: bool(x), "x.data > 0"),
        (lambda x: 1 if x else 0, "x.data > 0"),
        (lambda x: x > 0, "x.data > 0"),
        (lambda x: 0 < x, "x.data > 0"),  # noqa: SIM300 - the reflected comparison
        (lambda x: x <= 1.5, "x.data <= 1.5"),
        (lambda x: x >= Value(1.0, "y"), "x.data >= y.data"),
        (lambda x: max(x, Value(3.0)), "compare their numbers"),
        (lambda x: sorted([x, Value(1.0, "w")]), "w.data < x.data"),
    ],
)
def test_mistakes_say_what_was_meant(make: object, hint: str) -> None:
    with pytest.raises(TypeError, match=hint.replace("*", r"\*").replace(".", r"\.")):
        make(Value(2.0, "x"))  # type: ignore[operator]
