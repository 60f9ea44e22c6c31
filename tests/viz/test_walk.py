"""The graph walker: order, ids, node limit and collapsed groups."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Value, dot
from viz.walk import GraphTooLargeError, GroupNode, ValueNode, forward_order, walk


def random_graph(seed: int, n_leaves: int = 4, n_ops: int = 12) -> Value:
    """A random DAG of + * tanh over a few leaves, ending in one root."""
    rng = random.Random(seed)
    nodes = [Value(rng.uniform(-1, 1), f"x{i}") for i in range(n_leaves)]
    for _ in range(n_ops):
        a, b = rng.choice(nodes), rng.choice(nodes)
        kind = rng.randrange(3)
        nodes.append(a + b if kind == 0 else a * b if kind == 1 else a.tanh())
    return nodes[-1]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_forward_order_matches_the_engines_topological_order(seed: int) -> None:
    root = random_graph(seed)
    ours = forward_order(root)
    assert ours == root.topological_order()


def test_forward_order_leaves_gradients_untouched() -> None:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    h = x * y
    f = h + x
    f.backward()
    before = [v.grad for v in (x, y, h, f)]
    forward_order(f)
    walk(f)
    assert [v.grad for v in (x, y, h, f)] == before


def test_forward_order_handles_a_deep_chain_without_recursion() -> None:
    v = Value(0.5, "x")
    for _ in range(20_000):
        v = v * 1.0
    assert len(forward_order(v)) == 20_001


def test_walk_gives_one_box_per_value_and_one_edge_per_argument() -> None:
    x = Value(3.0, "x")
    sq = x * x  # the same parent twice: two arguments, two edges
    view = walk(sq)
    assert [n.id for n in view.nodes] == ["v0", "v1"]
    assert [(e.tail, e.head, e.local_grad) for e in view.edges] == [
        ("v0", "v1", 3.0),
        ("v0", "v1", 3.0),
    ]


def test_walk_ids_are_the_same_for_the_same_structure() -> None:
    first = walk(random_graph(7))
    second = walk(random_graph(7))
    assert [n.id for n in first.nodes] == [n.id for n in second.nodes]
    assert [(e.tail, e.head) for e in first.edges] == [(e.tail, e.head) for e in second.edges]


def test_node_limit_message_says_how_many_nodes_and_how_to_fix() -> None:
    xs = [Value(float(i)) for i in range(30)]
    root = dot(xs, [1.0] * 30).tanh()
    with pytest.raises(GraphTooLargeError) as info:
        walk(root, max_nodes=10)
    message = str(info.value)
    assert "32 nodes" in message
    assert "max_nodes=10" in message
    assert "groups=" in message


def test_node_limit_is_a_value_error_and_refuses_a_huge_graph_quickly() -> None:
    v = Value(1.0)
    for _ in range(20_000):
        v = v + 1.0
    with pytest.raises(ValueError, match="20001 nodes"):
        walk(v)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10"])
def test_walk_rejects_a_bad_max_nodes(bad: object) -> None:
    with pytest.raises(ValueError, match="max_nodes"):
        walk(Value(1.0), max_nodes=bad)  # type: ignore[arg-type]


def test_walk_rejects_a_non_value_root() -> None:
    with pytest.raises(TypeError, match=r"root must be a Value, got 3\.0"):
        walk(3.0)  # type: ignore[arg-type]


def test_group_takes_in_everything_between_its_members() -> None:
    # A "neuron": weights and bias, a dot node, a tanh node; then a loss outside.
    x = [Value(1.0, "x1"), Value(2.0, "x2")]
    w = [Value(0.5, "w1"), Value(-0.5, "w2")]
    b = Value(0.1, "b")
    act = dot(w, x, b).tanh()
    loss = (act - 1.0) ** 2
    view = walk(loss, groups={"neuron": [*w, b, act]})
    groups = [n for n in view.nodes if isinstance(n, GroupNode)]
    assert len(groups) == 1
    members = {v.label or v.op for v in groups[0].members}
    assert members == {"w1", "w2", "b", "dot", "tanh"}
    singles = {n.value.label or n.value.op for n in view.nodes if isinstance(n, ValueNode)}
    assert singles == {"x1", "x2", "-", "**"}
    # edges in or out of a group carry no local derivative and are not repeated
    group_edges = [e for e in view.edges if "g0" in (e.tail, e.head)]
    assert sorted((e.tail, e.head) for e in group_edges) == sorted(
        {(e.tail, e.head) for e in group_edges}
    )
    assert all(e.local_grad is None for e in group_edges)


def test_groups_as_a_list_get_numbered_titles() -> None:
    x, y = Value(1.0, "x"), Value(2.0, "y")
    view = walk(x * y + y, groups=[[x]])
    assert [n.title for n in view.nodes if isinstance(n, GroupNode)] == ["group 1"]


def test_a_value_in_two_groups_is_an_error() -> None:
    x, y = Value(1.0, "x"), Value(2.0, "y")
    with pytest.raises(ValueError, match="two groups"):
        walk(x * y, groups={"a": [x], "b": [x]})


def test_groups_must_hold_values() -> None:
    x = Value(1.0, "x")
    with pytest.raises(TypeError, match="group 'a' must hold only Values, got 3"):
        walk(x * 2, groups={"a": [3]})  # type: ignore[list-item]
    with pytest.raises(TypeError, match="groups must be"):
        walk(x * 2, groups=5)  # type: ignore[arg-type]


def test_a_label_set_by_hand_to_a_number_is_the_type_error_value_gives() -> None:
    x = Value(2.0, "x")
    y = x * x
    y.label = 123  # type: ignore[assignment]
    with pytest.raises(TypeError, match="must be a str, got <a 'int'>"):
        walk(y.tanh())
