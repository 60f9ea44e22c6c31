"""The engine's fast paths: matvec against dot, the paused collector, the walks.

`matvec` must make exactly the nodes `dot` makes, row by row; `collector_paused` must
always give the collector's state back; `topological_order` must only read the graph,
while `backward` still resets interior gradients and gets every gradient right.
"""

from __future__ import annotations

import gc
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine import (
    Value,
    collector_paused,
    dot,
    fast,
    gradcheck,
    matvec,
    matvec_batch,
    no_grad,
)
from engine.codegen.graph import dot_terms
from engine.strategies import Expression, expressions

small = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)


@st.composite
def layers(draw: st.DrawFn) -> tuple[list[list[float]], list[float], list[float] | None]:
    """A weight matrix, an input vector and optional biases, as plain numbers."""
    n_in = draw(st.integers(1, 5))
    n_out = draw(st.integers(1, 4))
    rows = draw(
        st.lists(st.lists(small, min_size=n_in, max_size=n_in), min_size=n_out, max_size=n_out)
    )
    xs = draw(st.lists(small, min_size=n_in, max_size=n_in))
    biases = draw(st.none() | st.lists(small, min_size=n_out, max_size=n_out))
    return rows, xs, biases


def _same_node(a: Value, b: Value) -> None:
    assert a.op == b.op == "dot"
    assert a.data == pytest.approx(b.data, rel=1e-12, abs=1e-12)
    assert len(a.parents) == len(b.parents)
    assert all(p is q for p, q in zip(a.parents, b.parents))
    assert a.local_grads == b.local_grads


@given(layers(), st.booleans())
def test_matvec_makes_the_nodes_dot_makes(layer: tuple, value_inputs: bool) -> None:
    rows_data, xs_data, biases_data = layer
    rows = [[Value(w) for w in row] for row in rows_data]
    xs = [Value(x) for x in xs_data] if value_inputs else list(xs_data)
    biases = None if biases_data is None else [Value(b) for b in biases_data]
    fused = matvec(rows, xs, biases)
    one_by_one = [
        dot(row, xs, bias=None if biases is None else biases[j]) for j, row in enumerate(rows)
    ]
    assert len(fused) == len(rows)
    for a, b in zip(fused, one_by_one):
        _same_node(a, b)


def test_matvec_parents_are_weights_then_inputs_then_bias() -> None:
    w = [Value(1.0), Value(2.0)]
    x = [Value(3.0), Value(4.0)]
    b = Value(0.5)
    (z,) = matvec([w], x, [b])
    assert z.parents == (*w, *x, b)
    assert z.local_grads == (3.0, 4.0, 1.0, 2.0, 1.0)
    (z0,) = matvec([w], [3.0, 4.0], [b])
    assert z0.parents == (*w, b)
    assert z0.local_grads == (3.0, 4.0, 1.0)


def test_matvec_mixed_numbers_and_values_agree_with_dot() -> None:
    rows = [[Value(1.0), 2], [0.5, Value(-1.0)]]
    xs = [Value(3.0), 4]
    biases = [1.5, Value(2.0)]
    for a, b in zip(matvec(rows, xs, biases), [dot(r, xs, bias=c) for r, c in zip(rows, biases)]):
        _same_node(a, b)


@given(layers())
def test_matvec_gradients_match_finite_differences(layer: tuple) -> None:
    rows_data, xs_data, biases_data = layer
    n_out, n_in = len(rows_data), len(xs_data)
    flat = [w for row in rows_data for w in row] + xs_data + (biases_data or [])

    def f(v: list[Value]) -> Value:
        rows = [v[j * n_in : (j + 1) * n_in] for j in range(n_out)]
        xs = v[n_out * n_in : n_out * n_in + n_in]
        biases = None if biases_data is None else v[n_out * n_in + n_in :]
        # tanh and a product of outputs make every gradient depend on the others
        outs = [z.tanh() for z in matvec(rows, xs, biases)]
        return engine.sum(outs) + outs[0] * outs[-1]

    gradcheck(f, flat)


def test_matvec_under_no_grad_makes_leaves_with_the_same_values() -> None:
    rows = [[Value(1.0), Value(2.0)], [Value(3.0), Value(-1.0)]]
    xs = [Value(0.5), Value(0.25)]
    recorded = matvec(rows, xs)
    with no_grad():
        free = matvec(rows, xs)
    assert [z.data for z in free] == [z.data for z in recorded]
    assert all(z.parents == () and z.local_grads == () for z in free)


@pytest.mark.parametrize(
    ("rows", "xs", "biases", "error", "message"),
    [
        ([], [1.0], None, ValueError, "at least one row"),
        ([[Value(1.0)], [Value(1.0), Value(2.0)]], [1.0], None, ValueError, "rows[1] has 2"),
        ([[Value(1.0)]], [1.0], [Value(0.0), Value(1.0)], ValueError, "got 2 biases"),
        ("ab", [1.0], None, TypeError, "rows to be a sequence"),
        ([[Value(1.0)]], 3.0, None, TypeError, "xs to be a sequence"),
        ([Value(1.0)], [1.0], None, TypeError, "rows[0] to be a sequence"),
        ([[Value(1.0)]], [1.0], Value(0.0), TypeError, "biases to be a sequence"),
        ([[Value(1.0)]], ["2"], None, TypeError, "dot() xs[0] must be a real number"),
        ([[Value(1.0)]], [math.nan], None, ValueError, "non-finite number nan"),
        ([[Value(1e200)]], [1e200], None, OverflowError, "overflows"),
    ],
)
def test_matvec_rejects_bad_input_clearly(
    rows: object, xs: object, biases: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        matvec(rows, xs, biases)  # type: ignore[arg-type]


# ------------------------------------------------------------------- matvec_batch


@given(layers(), st.lists(st.booleans(), min_size=0, max_size=4), st.booleans())
def test_matvec_batch_makes_the_nodes_matvec_makes(
    layer: tuple, kinds: list[bool], recording: bool
) -> None:
    rows_data, xs_data, biases_data = layer
    rows = [[Value(w) for w in row] for row in rows_data]
    biases = None if biases_data is None else [Value(b) for b in biases_data]
    # A batch may mix float vectors and Value vectors; each gets its own kind of node.
    batch = [
        [Value(x + k) for x in xs_data] if as_values else [x - k for x in xs_data]
        for k, as_values in enumerate(kinds)
    ]
    with engine.no_grad() if not recording else collector_paused():
        batched = matvec_batch(rows, batch, biases)
        one_by_one = [matvec(rows, xs, biases) for xs in batch]
    assert len(batched) == len(batch)
    for zs, expected in zip(batched, one_by_one, strict=True):
        assert len(zs) == len(rows)
        for a, b in zip(zs, expected, strict=True):
            assert a.data == b.data and a.op == b.op == "dot"
            assert a.local_grads == b.local_grads
            assert len(a.parents) == len(b.parents)
            assert all(p is q for p, q in zip(a.parents, b.parents))


def test_matvec_batch_gradients_add_up_over_the_batch() -> None:
    w = [Value(1.5), Value(-2.0)]
    b = Value(0.25)
    batch = [[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]]
    engine.sum([zs[0] for zs in matvec_batch([w], batch, [b])]).backward()
    assert [wi.grad for wi in w] == [4.5, 1.5]  # each weight's inputs, summed
    assert b.grad == 3.0


def test_matvec_batch_shares_one_parents_tuple_per_row_for_float_inputs() -> None:
    rows = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
    out = matvec_batch(rows, [[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]], [Value(0.0), Value(1.0)])
    for j in range(2):
        assert len({id(zs[j].parents) for zs in out}) == 1  # one tuple, not three copies
        assert out[0][j].parents == (*rows[j], out[0][j].parents[-1])


def test_matvec_batch_of_nothing_is_an_empty_list() -> None:
    assert matvec_batch([[Value(1.0)]], []) == []


@pytest.mark.parametrize(
    ("batch", "error", "message"),
    [
        ([[1.0, 2.0], [1.0]], ValueError, "rows[0] has 2 weights"),
        ([[1.0, 2.0], "ab"], TypeError, "xs to be a sequence"),
        ([[1.0, 2.0], [1.0, math.inf]], ValueError, "non-finite number inf"),
        ([[1.0, 2.0], [1.0, None]], TypeError, "dot() xs[1] must be a real number"),
    ],
)
def test_matvec_batch_names_the_input_vector_that_is_wrong(
    batch: list, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)) as caught:
        matvec_batch([[Value(1.0), Value(2.0)]], batch)
    assert "batch[1]" in "".join(getattr(caught.value, "__notes__", []))


def test_matvec_batch_rejects_a_batch_that_is_not_a_sequence() -> None:
    with pytest.raises(TypeError, match="batch to be a sequence"):
        matvec_batch([[Value(1.0)]], iter([[1.0]]))  # type: ignore[arg-type]


# --------------------------------------------------------------- collector_paused


def test_collector_paused_disables_collection_inside_and_restores_it(
    collector_enabled: None,
) -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_paused_restores_the_collector_when_the_block_raises(
    collector_enabled: None,
) -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_collector_paused_nests_and_keeps_a_disabled_collector_disabled(
    collector_enabled: None,
) -> None:
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()  # the inner block must not re-enable it early
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a user's own gc.disable() is respected
    finally:
        gc.enable()


def test_collector_paused_leaves_thresholds_unchanged(collector_enabled: None) -> None:
    before = gc.get_threshold()
    with collector_paused():
        pass
    assert gc.get_threshold() == before


# ------------------------------------------------------------------------- walks


def _graph() -> tuple[Value, list[Value]]:
    x, y, z = Value(2.0, "x"), Value(-3.0, "y"), Value(0.5, "z")
    a = x * y
    b = a.tanh() + a * z
    return dot([b, a], [x, z], bias=y).relu() + b, [x, y, z, a, b]


def test_topological_order_changes_no_gradient() -> None:
    f, nodes = _graph()
    f.backward()
    before = [n.grad for n in [f, *nodes]]
    order = f.topological_order()
    assert [n.grad for n in [f, *nodes]] == before
    assert order[-1] is f
    position = {n: i for i, n in enumerate(order)}
    assert all(position[p] < position[n] for n in order for p in n.parents)


@pytest.mark.filterwarnings("ignore::engine.GradientAccumulationWarning")  # on purpose
def test_backward_twice_gives_the_same_interior_gradients() -> None:
    f, nodes = _graph()
    f.backward()
    first = [n.grad for n in nodes[3:]]
    f.backward()
    assert [n.grad for n in nodes[3:]] == first  # interior nodes were reset


@pytest.mark.filterwarnings("ignore::engine.GradientAccumulationWarning")  # on purpose
def test_backward_accumulates_leaves_across_calls() -> None:
    f, (x, *_) = _graph()
    f.backward()
    once = x.grad
    f.backward()
    assert x.grad == pytest.approx(2 * once)


def test_training_backward_resets_the_nodes_behind_a_relu_that_is_off_too() -> None:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    a = x * y  # 6: reached through the dead relu and through the live product
    behind = x + y  # reached only through the dead relu
    off = (a + behind - 100.0).relu()
    f = off + a * 2.0
    behind.grad = 7.0  # what a node left over from an earlier backward might hold
    fast.backward(f)
    assert (x.grad, y.grad, a.grad) == (6.0, 4.0, 2.0)
    assert behind.grad == 0.0  # the walk does not depend on which relus are off


def test_the_walk_order_does_not_depend_on_which_units_are_off() -> None:
    # The shared node h is reached first through step(h), whose derivative is 0: the
    # order must not change with that, or generated code adds x's gradient differently.
    def f(x: Value) -> Value:
        h = x.tanh()
        return engine.sum([h.tanh(), x.exp(), h.step(), x])

    x = Value(-0.1782943143616036)
    f(x).backward()
    compiled = engine.compile(f, [1.0])(-0.1782943143616036)
    assert x.grad == compiled[1][0]  # the very float
    t = math.tanh(x.data)
    exact = (1 - math.tanh(t) ** 2) * (1 - t * t) + math.exp(x.data) + 1.0
    assert x.grad == pytest.approx(exact, rel=1e-15)


@pytest.mark.filterwarnings("ignore::engine.GradientAccumulationWarning")  # on purpose
def test_public_backward_leaves_every_reachable_node_exact_after_an_earlier_call() -> None:
    a = Value(1.0)
    h = a * -2.0
    (h * 3.0).backward()
    assert h.grad == 3.0
    (h.relu() + a).backward()  # the relu is off: nothing flows back into h
    assert h.grad == 0.0


@given(expressions())
def test_training_backward_gives_the_leaves_the_gradients_backward_gives(expr: Expression) -> None:
    xs = [Value(x) for x in expr.inputs]
    expr(xs).backward()
    ys = [Value(x) for x in expr.inputs]
    fast.backward(expr(ys))
    assert [y.grad for y in ys] == [x.grad for x in xs]


def test_backward_from_a_relu_that_is_off_gives_zero_gradients() -> None:
    x = Value(-1.5)
    h = (x * 2.0).relu()
    h.backward()
    assert (h.grad, x.grad) == (1.0, 0.0)


def _reference_grads(root: Value) -> dict[Value, float]:
    """The chain rule over the public order, into a dict: no grad field is used."""
    grads = {n: 0.0 for n in root.topological_order()}
    grads[root] = 1.0
    for node in reversed(root.topological_order()):
        for parent, local in zip(node.parents, node.local_grads):
            grads[parent] += local * grads[node]
    return grads


@given(expressions(max_inputs=3, max_leaves=8))
def test_backward_agrees_with_the_chain_rule_over_the_public_order(expr: Expression) -> None:
    inputs = [Value(x) for x in expr.inputs]
    out = expr(inputs)
    expected = _reference_grads(out)
    out.backward()
    for node, g in expected.items():
        assert node.grad == pytest.approx(g, rel=1e-9, abs=1e-12)


@pytest.mark.filterwarnings("ignore::engine.GradientAccumulationWarning")  # on purpose
def test_backward_of_a_leaf_adds_the_seed() -> None:
    x = Value(1.0)
    x.backward(2.0)
    x.backward()
    assert x.grad == 3.0


@given(st.floats(-1e300, 1e300, allow_nan=False))
def test_written_out_relu_makes_the_node_the_registry_makes(a: float) -> None:
    from engine.ops import _relu as generic  # the generic one-input path
    from engine.walk import ZERO

    x = Value(a)
    fast_node, slow_node = x.relu(), generic(x)
    fields = ("data", "grad", "parents", "local_grads", "op", "const", "label")
    assert [getattr(fast_node, f) for f in fields] == [getattr(slow_node, f) for f in fields]
    assert (fast_node.local_grads is ZERO) == (slow_node.local_grads is ZERO)
    with no_grad():
        assert x.relu().parents == generic(x).parents == ()


# ------------------------------------------------- constants of sums and dots


@given(st.lists(st.one_of(small, small.map(Value)), min_size=1, max_size=6))
def test_a_sum_keeps_its_plain_numbers_total_as_const(terms: list[float | Value]) -> None:
    node = engine.sum(terms)
    numbers = [t for t in terms if not isinstance(t, Value)]
    values = [t for t in terms if isinstance(t, Value)]
    assert node.parents == tuple(values)
    total = 0.0  # the numbers are added first, in order, then the Values
    for n in numbers:
        total += n
    assert node.const == (total if numbers else None)
    for v in values:
        total += v.data
    assert node.data == total


@given(
    st.lists(st.tuples(st.booleans(), st.booleans(), small, small), min_size=1, max_size=5),
    st.none() | small | small.map(Value),
)
def test_a_dots_data_is_its_products_then_its_const(
    terms: list[tuple[bool, bool, float, float]], bias: float | Value | None
) -> None:
    ws = [Value(w) if w_value else w for w_value, _, w, _ in terms]
    xs = [Value(x) if x_value else x for _, x_value, _, x in terms]
    node = dot(ws, xs, bias=bias)
    plain = [w * x for w_value, x_value, w, x in terms if not (w_value or x_value)]
    if plain or (bias is not None and not isinstance(bias, Value)):
        expected = math.fsum(plain) + (0.0 if isinstance(bias, Value) or bias is None else bias)
        assert node.const == pytest.approx(expected, abs=1e-12)
    else:
        assert node.const is None
    # The node records one term per product with a Value in it (and a Value bias),
    # and reading them back gives its data exactly (dot_terms checks that).
    with_value = [t for t in terms if t[0] or t[1]]
    assert len(node.terms) == len(with_value) + isinstance(bias, Value)
    pairs, _ = dot_terms(node)
    assert [isinstance(b, Value) for _, b in pairs[: len(with_value)]].count(True) == len(
        [t for t in terms if t[0] and t[1]]
    )
    want = math.fsum(
        [w * x for w_value, x_value, w, x in terms]
        + [bias.data if isinstance(bias, Value) else bias or 0.0]
    )
    assert node.data == pytest.approx(want, rel=1e-12, abs=1e-12)
