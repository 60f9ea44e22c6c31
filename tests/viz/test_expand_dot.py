"""draw_graph(..., expand_dot=True): a fused dot drawn as its products and their sum."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import Value, dot
from nn import MLP
from viz.draw import draw_graph, render
from viz.groups import layer_groups
from viz.steps import backward_steps, forward_steps
from viz.walk import GraphTooLargeError, ValueNode, walk


def neuron() -> tuple[Value, list[Value]]:
    """z = dot([w0, w1], [x0, x1], bias=b) with backward() done from tanh(z)."""
    w0, w1, b = Value(0.5, "w0"), Value(-2.0, "w1"), Value(0.25, "b")
    x0, x1 = Value(2.0, "x0"), Value(3.0, "x1")
    z = dot([w0, w1], [x0, x1], bias=b)
    z.label = "z"
    z.tanh().backward()
    return z, [w0, w1, x0, x1, b]


def ops(source: str) -> list[str]:
    """The text of every op node of a DOT source, in order."""
    return re.findall(r"\t(v\d+)_op \[label=\"?([^\" ]+(?: [^\" ]+)?)\"? ", source)


def box(source: str, node_id: str) -> str:
    """The label of the box `node_id`."""
    m = re.search(rf"\t{node_id} \[label=(<.*?>) shape=plain\]", source)
    assert m, f"no box {node_id}"
    return m.group(1)


def edges_into(source: str, node_id: str) -> list[str]:
    return re.findall(rf"\t(v\d+) -> {node_id}_op", source)


def test_a_two_input_dot_expands_to_two_products_and_one_sum() -> None:
    z, _ = neuron()
    view = walk(z, expand_dot=True)
    shown = [n.value.op for n in view.nodes if isinstance(n, ValueNode) and n.value.parents]
    assert sorted(shown) == ["*", "*", "sum"]
    source = draw_graph(z, expand_dot=True).source
    assert [text for _, text in ops(source)].count("×") == 2
    assert [text for _, text in ops(source)].count("Σ") == 1
    assert "w·x" not in source


def test_each_weight_and_its_input_feed_their_own_product() -> None:
    z, (w0, w1, x0, x1, b) = neuron()
    view = walk(z, expand_dot=True)
    source = draw_graph(z, expand_dot=True).source
    products = [n for n in view.nodes if isinstance(n, ValueNode) and n.value.op == "*"]
    feeds = {frozenset(edges_into(source, p.id)): p for p in products}
    p0 = feeds[frozenset({view.node_id(w0), view.node_id(x0)})]
    p1 = feeds[frozenset({view.node_id(w1), view.node_id(x1)})]
    assert (p0.value.data, p1.value.data) == (0.5 * 2.0, -2.0 * 3.0)
    total = view.node_id(z)
    assert sorted(edges_into(source, total)) == sorted([p0.id, p1.id, view.node_id(b)])
    assert dict(ops(source))[total] == "Σ"


def test_products_show_their_value_and_the_dots_gradient() -> None:
    z, _ = neuron()
    assert z.grad not in (0.0, 1.0)
    view = walk(z, expand_dot=True)
    source = draw_graph(z, expand_dot=True).source
    grad = f"grad {z.grad:.4g}"
    for p in (n for n in view.nodes if isinstance(n, ValueNode) and n.value.op == "*"):
        label = box(source, p.id)
        assert f"data {p.value.data:.4g}" in label and grad in label
    # The sum takes the dot's own box: its label, value and gradient.
    sum_box = box(source, view.node_id(z))
    assert "z" in sum_box and f"data {z.data:.4g}" in sum_box and grad in sum_box


def test_constant_inputs_show_in_the_products_ops() -> None:
    w0, w1, b = Value(0.5, "w0"), Value(-2.0, "w1"), Value(0.25, "b")
    z = dot([w0, w1], [0.5, 3.0], bias=b)
    view = walk(z, expand_dot=True)
    source = draw_graph(z, expand_dot=True).source
    texts = dict(ops(source))
    products = {n.value.parents[0]: n.id for n in view.nodes if n.value.op == "*"}  # type: ignore[union-attr]
    assert texts[products[w0]] == "× 0.5" and texts[products[w1]] == "× 3"
    assert edges_into(source, products[w0]) == [view.node_id(w0)]
    assert sorted(edges_into(source, view.node_id(z))) == sorted(
        [products[w0], products[w1], view.node_id(b)]
    )


def test_expanding_leaves_the_users_graph_as_it_was() -> None:
    z, leaves = neuron()
    before = (z.parents, z.local_grads, z.op, z.grad, [v.grad for v in leaves])
    draw_graph(z.tanh(), expand_dot=True)
    assert (z.parents, z.local_grads, z.op, z.grad, [v.grad for v in leaves]) == before


def test_default_drawing_is_unchanged() -> None:
    z, _ = neuron()
    default = draw_graph(z).source
    assert draw_graph(z, expand_dot=False).source == default
    assert "w·x" in default and "Σ" not in default and len(ops(default)) == 1


def test_expanded_boxes_count_towards_max_nodes() -> None:
    z, _ = neuron()
    draw_graph(z, max_nodes=6)  # 5 leaves and the dot
    with pytest.raises(GraphTooLargeError, match="8 nodes"):
        draw_graph(z, max_nodes=7, expand_dot=True)


def test_a_constant_bias_shows_in_the_sums_op() -> None:
    w = Value(0.5, "w")
    z = dot([w], [2.0], bias=1.5)
    source = draw_graph(z, expand_dot=True).source
    assert '[label="× 2" ' in source and '[label="Σ + 1.5" ' in source
    sums = [n.value for n in walk(z, expand_dot=True).nodes if n.value.op == "sum"]  # type: ignore[union-attr]
    assert [(s.data, s.const) for s in sums] == [(2.5, 1.5)]


def test_zero_weights_times_zero_inputs_pair_each_weight_with_its_input() -> None:
    # Every number here is the same float object 0.0, so the dot's local derivatives
    # are the very objects its parents hold: only the dot's own record can tell that
    # w0 and w1 are two weights times constants, not a weight times an input.
    w0, w1 = Value(0.0, "w0"), Value(0.0, "w1")
    z = dot([w0, w1], [0.0, 0.0])
    products = [n.value for n in walk(z, expand_dot=True).nodes if n.value.op == "*"]  # type: ignore[union-attr]
    assert [(p.parents, p.const) for p in products] == [((w0,), 0.0), ((w1,), 0.0)]


def test_a_dot_mixing_value_and_constant_products_expands() -> None:
    # a * c multiplies two Values, b * 2.0 a Value by a number: the node records which
    # parent multiplies which (Value.terms), so the picture expands it like any dot.
    a, b, c = Value(1.0, "a"), Value(2.0, "b"), Value(3.0, "c")
    z = dot([a, b], [c, 2.0])
    assert [text for _, text in ops(draw_graph(z, expand_dot=True).source)] == ["×", "× 2", "Σ"]


def test_dots_inside_a_group_stay_fused() -> None:
    outputs, groups = layer_groups(MLP(2, [2, 1]), [2.0, -1.0])
    first = dict(list(groups.items())[:1])  # layer 1 collapsed, layer 2 drawn
    view = walk(outputs[0], groups=first, expand_dot=True)
    shown = [n.value.op for n in view.nodes if isinstance(n, ValueNode)]
    assert shown.count("sum") == 1 and shown.count("*") == 2  # only layer 2's dot


@pytest.mark.dot
def test_an_expanded_mlp_renders(tmp_path: Path) -> None:
    model = MLP(2, [2, 1])
    out = model([2.0, -1.0])[0]
    out.backward()
    source = draw_graph(out, expand_dot=True).source
    assert [text for _, text in ops(source)].count("Σ") == 3
    for p in model.parameters():
        assert f"<TD>{p.label}</TD>" in source
    path = render(out, tmp_path / "mlp.png", expand_dot=True)
    assert path.read_bytes().startswith(b"\x89PNG")


def test_the_step_through_replays_the_products_and_the_sum() -> None:
    z, (w0, w1, x0, x1, b) = neuron()
    f = z.tanh()  # the function neuron() took the gradients of
    steps = backward_steps(f, expand_dot=True)
    assert [s.node.op for s in steps[:4]] == ["tanh", "sum", "*", "*"]
    assert len(steps) == len(backward_steps(f)) + 2
    # The replayed gradients reach the leaves through the products unchanged.
    captions = " ".join(s.caption for s in steps)
    for leaf in (w0, w1, x0, x1, b):
        assert f"node '{leaf.label}' has its final gradient {leaf.grad:.4g}" in captions
    forward = forward_steps(f, expand_dot=True)
    assert [s.node.op for s in forward] == ["*", "*", "sum", "tanh"]
    assert "Σ" in forward[2].graph.source and "w·x" not in forward[2].graph.source
