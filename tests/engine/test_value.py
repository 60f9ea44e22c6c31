"""The Value node and backward(): the notes' figures, junctions, depth, re-running."""

from __future__ import annotations

import gc
import sys

import pytest

import engine
from engine import Value, dot, no_grad


def figure_4() -> tuple[Value, Value, Value, Value]:
    x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
    g = x + y
    return x, y, z, g * z


def figure_5() -> tuple[Value, Value, Value, Value]:
    x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
    h = x + y
    i = x * y
    return x, y, z, (h + i) * z


def test_figure_4_forward_and_gradients_match_the_notes() -> None:
    x, y, z, f = figure_4()
    f.backward()
    assert f.data == 20.0
    assert (x.grad, y.grad, z.grad) == (4.0, 4.0, 5.0)
    g = f.parents[0]
    assert (g.data, g.grad) == (5.0, 4.0)  # the red 4 after g in the figure


def test_figure_5_gradients_add_at_junctions() -> None:
    x, y, z, f = figure_5()
    f.backward()
    assert f.data == 44.0
    assert (x.grad, y.grad, z.grad) == (16.0, 12.0, 11.0)
    # dF/dx = dF/dh * dh/dx + dF/di * di/dx = 4 * 1 + 4 * 3
    s = f.parents[0]
    h, i = s.parents
    assert (h.grad, i.grad) == (4.0, 4.0)
    assert h.grad * 1.0 + i.grad * y.data == x.grad


def test_reused_node_gets_the_summed_gradient() -> None:
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert (c.data, a.grad, b.grad) == (12.0, 4.0, 2.0)


def test_self_multiplication_counts_both_paths() -> None:
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0


@pytest.mark.filterwarnings("ignore::engine.GradientAccumulationWarning")  # on purpose
def test_backward_again_resets_interior_and_accumulates_leaves() -> None:
    x, y, z, f = figure_5()
    f.backward()
    f.backward()
    interior = f.parents[0]
    assert interior.grad == 4.0  # not doubled
    assert (x.grad, y.grad, z.grad) == (32.0, 24.0, 22.0)  # leaves sum both calls


@pytest.mark.filterwarnings("ignore::engine.GradientAccumulationWarning")  # on purpose
def test_backward_from_a_leaf_accumulates_the_seed() -> None:
    x = Value(5.0)
    x.backward()
    x.backward(2.0)
    assert x.grad == 3.0


def test_backward_seed_gradient_scales_everything() -> None:
    x, _, z, f = figure_4()
    f.backward(gradient=0.5)
    assert (f.grad, x.grad, z.grad) == (0.5, 2.0, 2.5)


@pytest.mark.filterwarnings("ignore::engine.GradientAccumulationWarning")  # on purpose
def test_two_roots_sharing_leaves_sum_their_gradients() -> None:
    x = Value(2.0)
    (x * 3).backward()
    (x * x).backward()
    assert x.grad == 3.0 + 4.0


@pytest.mark.slow
def test_deep_chain_of_200_000_nodes_runs_with_default_recursion_limit() -> None:
    limit = sys.getrecursionlimit()
    x = Value(0.5)
    v = x
    for _ in range(100_000):
        v = v * 1.0 + 0.0
    v.backward()
    assert sys.getrecursionlimit() == limit
    assert (v.data, x.grad) == (0.5, 1.0)
    assert len(v.topological_order()) == 200_001


def test_topological_order_puts_parents_first_and_root_last() -> None:
    _, _, _, f = figure_5()
    order = f.topological_order()
    position = {id(n): k for k, n in enumerate(order)}
    assert order[-1] is f
    assert len(order) == len(set(position))  # each node once
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]


def test_graph_is_freed_by_reference_counting_alone() -> None:
    gc.collect()
    gc.disable()
    try:
        x = Value(1.0)
        y = (x * 2 + 1).tanh()
        z = engine.sum([y, y * x, dot([x, y], [y, 2.0])])
        z.backward()
        del x, y, z
        assert gc.collect() == 0  # nothing was left for the cycle collector
    finally:
        gc.enable()


def test_value_has_slots_and_no_dict() -> None:
    v = Value(1.0)
    assert not hasattr(v, "__dict__")
    with pytest.raises(AttributeError):
        v.colour = "red"  # type: ignore[attr-defined]


def test_no_grad_records_nothing_and_restores_on_error() -> None:
    x = Value(2.0)
    with no_grad():
        assert not engine.is_grad_enabled()
        y = (x * x).tanh()
    assert engine.is_grad_enabled()
    assert y.parents == () and y.local_grads == ()
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("boom")
    assert engine.is_grad_enabled()


def test_no_grad_nests() -> None:
    with no_grad():
        with no_grad():
            pass
        assert not engine.is_grad_enabled()
    assert engine.is_grad_enabled()


def test_repr_reads_like_the_constructor() -> None:
    assert repr(Value(2.0)) == "Value(data=2.0)"
    assert repr(Value(2, label="x")) == "Value(data=2.0, label='x')"


def test_python_sum_of_values_works_through_radd() -> None:
    xs = [Value(1.0), Value(2.0), Value(3.0)]
    s = sum(xs)
    assert isinstance(s, Value) and s.data == 6.0


def test_fused_sum_is_one_node() -> None:
    xs = [Value(float(i)) for i in range(10)]
    s = engine.sum([*xs, 5])
    s.backward()
    assert s.data == 50.0 and len(s.parents) == 10
    assert all(x.grad == 1.0 for x in xs)


def test_dot_is_one_node_with_bias_and_matches_binary_ops() -> None:
    ws = [Value(w) for w in (0.5, -1.0, 2.0)]
    xs = [Value(x) for x in (1.5, 0.25, -3.0)]
    b = Value(0.1)
    fused = dot(ws, xs, bias=b)
    fused.backward()
    fused_grads = [v.grad for v in (*ws, *xs, b)]
    for v in (*ws, *xs, b):
        v.grad = 0.0
    binary = ws[0] * xs[0] + ws[1] * xs[1] + ws[2] * xs[2] + b
    binary.backward()
    assert fused.data == pytest.approx(binary.data)
    assert fused_grads == pytest.approx([v.grad for v in (*ws, *xs, b)])
    assert len(fused.parents) == 7


def test_dot_with_plain_number_inputs_makes_only_weights_parents() -> None:
    ws = [Value(-1.0), Value(0.0), Value(0.0)]
    a = dot(ws, [1, 3, 2])
    assert a.parents == tuple(ws) and a.local_grads == (1.0, 3.0, 2.0)
    assert a.data == -1.0


def test_dot_with_mixed_constants_on_both_sides() -> None:
    w = Value(2.0)
    x = Value(5.0)
    a = dot([w, 3.0], [4.0, x], bias=1.0)
    a.backward()
    assert a.data == 2.0 * 4.0 + 3.0 * 5.0 + 1.0
    assert (w.grad, x.grad) == (4.0, 3.0)
