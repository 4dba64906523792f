"""viz.draw: the DOT source of the course's graph J = 3(a + bc), every option, and the notation on nodes and edges."""

import re

import numpy as np
import pytest

import viz
from autograd import Value, dot, record
from autograd import sum as vsum
from conftest import course_graph as course


def edges(source, color):
    return [line for line in source.splitlines() if "->" in line and f"color={color}" in line]


def node_line(source, text):
    [line] = [line for line in source.splitlines() if "->" not in line and "graph [" not in line and text in line]
    return line


def test_course_graph_after_backward_shows_formulas_values_and_gradients():
    *_, J = course()
    J.backward()
    source = viz.draw(J).source
    for text in ["J = 3*v", "u = b*c", "v = a + u", "a = 5", "b = 3", "c = 2", "= 6", "= 11", "= 33",
                 "dJ/dJ = 1", "dJ/dv = 3", "dJ/du = 3", "dJ/da = 3", "dJ/db = 6", "dJ/dc = 9"]:
        assert text in source, text


def test_values_are_blue_and_gradients_red_inside_each_node():
    *_, J = course()
    J.backward()
    source = viz.draw(J).source
    assert '<FONT COLOR="blue">= 33</FONT>' in source
    assert '<FONT COLOR="blue">a = 5</FONT>' in source
    assert '<FONT COLOR="red">dJ/db = 6</FONT>' in source


def test_forward_edges_are_blue_parent_to_child_and_backward_edges_red_dashed_with_local_derivatives():
    *_, J = course()
    J.backward()
    source = viz.draw(J).source
    blue, red = edges(source, "blue"), edges(source, "red")
    assert len(blue) == len(red) == 5  # b->u, c->u, a->v, u->v, v->J
    assert all("dashed" not in e and "dir=back" not in e for e in blue)
    assert all("style=dashed" in e and "dir=back" in e for e in red)  # drawn as an arrow from child to parent
    labels = re.findall(r'COLOR="red">([^<]*)</FONT>> color=red', source)
    assert sorted(labels) == sorted(["∂u/∂b = c = 2", "∂u/∂c = b = 3", "∂v/∂a = 1", "∂v/∂u = 1", "∂J/∂v = 3"])


def test_before_backward_auto_draws_the_forward_pass_only():
    *_, J = course()
    source = viz.draw(J).source
    assert "dJ/" not in source and not edges(source, "red")
    assert len(edges(source, "blue")) == 5 and "= 33" in source


@pytest.mark.parametrize("show, values, grads", [("both", True, True), ("forward", True, False),
                                                 ("backward", False, True)])
def test_show_option(show, values, grads):
    *_, J = course()
    J.backward()
    source = viz.draw(J, show=show).source
    assert ("= 33" in source) is values and bool(edges(source, "blue")) is values
    assert ("dJ/db = 6" in source) is grads and bool(edges(source, "red")) is grads
    assert "J = 3*v" in source  # the formula is always there


def test_show_both_before_backward_is_honoured_and_shows_the_zeros_asked_for():
    *_, J = course()
    assert "dJ/db = 0" in viz.draw(J, show="both").source


def test_edge_labels_off_leaves_red_edges_unlabelled():
    *_, J = course()
    J.backward()
    red = edges(viz.draw(J, edge_labels=False).source, "red")
    assert len(red) == 5 and not any("label=" in e for e in red)


@pytest.mark.parametrize("rankdir", ["LR", "RL", "TB", "BT"])
def test_rankdir(rankdir):
    *_, J = course()
    assert f"rankdir={rankdir}" in viz.draw(J, rankdir=rankdir).source


def test_leaves_are_ellipses_in_the_first_column_and_operations_rounded_boxes():
    *_, J = course()
    source = viz.draw(J).source
    for leaf in ("a = 5", "b = 3", "c = 2"):
        assert "shape=ellipse" in node_line(source, leaf)
    for op in ("u = b*c", "v = a + u", "J = 3*v"):
        assert "shape=box" in node_line(source, op) and "rounded" in node_line(source, op)
    assert "penwidth=2" in node_line(source, "J = 3*v")  # the root stands out
    assert re.search(r"rank=min\s+n0\s+n1\s+n2", source)  # a, b, c share the leftmost column


@pytest.mark.parametrize("options, message", [
    ({"show": "sideways"}, "show must be one of"), ({"rankdir": "UP"}, "rankdir must be one of"),
    ({"max_nodes": 0}, "max_nodes"), ({"max_nodes": True}, "max_nodes"), ({"max_nodes": 2.5}, "max_nodes")])
def test_bad_options_raise_a_clear_value_error(options, message):
    *_, J = course()
    with pytest.raises(ValueError, match=message):
        viz.draw(J, **options)


def test_drawing_something_that_is_not_a_value_is_a_type_error():
    with pytest.raises(TypeError, match="Value"):
        viz.draw(3.0)


def test_a_graph_over_max_nodes_says_how_many_nodes_and_what_to_do():
    x = Value(1.0, label="x")
    for _ in range(600):
        x = x * 1.001
    with pytest.raises(ValueError) as error:
        viz.draw(x)
    message = str(error.value)
    assert "601 nodes" in message and "max_nodes=500" in message
    assert "intermediate" in message and "max_nodes=601" in message
    assert "x = 1" in viz.draw(x, max_nodes=601).source


def test_a_chain_deeper_than_the_recursion_limit_is_drawn():
    x = Value(0.5, label="x")
    for _ in range(3000):
        x = x * 1.0
    source = viz.draw(x, max_nodes=5000).source
    assert source.count("color=blue") == 3000


def test_a_value_used_twice_gets_two_edges_each_way():
    a = Value(3.0, label="a")
    y = a * a
    y.label = "y"
    y.backward()
    source = viz.draw(y).source
    assert len(edges(source, "blue")) == len(edges(source, "red")) == 2
    assert source.count(">∂y/∂a = a = 3<") == 2  # two edge labels
    assert len(set(re.findall(r"id=(b_\w+)", source))) == 2  # distinct edge ids for the walkthrough
    assert "dy/da = 6" in source


@pytest.mark.parametrize("build, text", [
    (lambda x: x * 3, "y = x*3"), (lambda x: 3 * x, "y = 3*x"), (lambda x: x + 2, "y = x + 2"),
    (lambda x: 2 + x, "y = 2 + x"), (lambda x: x - 2, "y = x - 2"), (lambda x: 2 - x, "y = 2 - x"),
    (lambda x: x / 4, "y = x/4"), (lambda x: 2 / x, "y = 2/x"), (lambda x: x ** 2, "y = x**2"),
    (lambda x: 2 ** x, "y = 2**x"), (lambda x: -x, "y = -x"), (lambda x: x * -2.5, "y = x*(-2.5)"),
    (lambda x: x.exp(), "y = exp(x)"), (lambda x: x.sigmoid(), "y = sigmoid(x)"), (lambda x: abs(x), "y = abs(x)"),
    (lambda x: vsum([x, x, 1, 2]), "y = x + x + 3"), (lambda x: x * 0.1, "y = x*0.1")])
def test_operations_are_written_as_the_course_writes_them_with_compact_constants(build, text):
    y = build(Value(2.0, label="x"))
    y.label = "y"
    assert text in viz.draw(y).source


@pytest.mark.parametrize("build, label", [
    (lambda x: x * 3, "∂y/∂x = 3"), (lambda x: 3 * x, "∂y/∂x = 3"), (lambda x: 2 - x, "∂y/∂x = -1"),
    (lambda x: x ** 2, "∂y/∂x = 2*x = 4"), (lambda x: x ** 3, "∂y/∂x = 3*x**2 = 12"),
    (lambda x: x / 4, "∂y/∂x = 1/4 = 0.25"), (lambda x: 2 / x, "∂y/∂x = -2/x**2 = -0.5"),
    (lambda x: x.log(), "∂y/∂x = 1/x = 0.5"), (lambda x: x.exp(), "∂y/∂x = exp(x) = 7.389"),
    (lambda x: (x - 2).sigmoid(), "∂y/∂n1 = y*(1 - y) = 0.25"), (lambda x: (x - 2).tanh(), "∂y/∂n1 = 1 - y**2 = 1"),
    (lambda x: x.relu(), "∂y/∂x = 1")])
def test_local_derivatives_on_red_edges_are_symbolic_where_simple(build, label):
    y = build(Value(2.0, label="x"))
    y.label = "y"
    y.backward()
    assert label in viz.draw(y).source


def test_two_value_operations_name_the_other_operand_in_the_local_derivative():
    a, b = Value(6.0, label="a"), Value(2.0, label="b")
    q = a / b
    q.label = "q"
    q.backward()
    source = viz.draw(q).source
    assert "∂q/∂a = 1/b = 0.5" in source and "∂q/∂b = -a/b**2 = -1.5" in source


def test_a_custom_operation_is_drawn_as_a_call():
    x, y = Value(3.0, label="x"), Value(4.0, label="y")
    h = record(5.0, [x, y], [0.6, 0.8], "hypot")
    h.label = "h"
    h.backward()
    source = viz.draw(h).source
    assert "h = hypot(x, y)" in source and "∂h/∂x = 0.6" in source and "dh/dx = 0.6" in source


def test_unlabelled_nodes_get_short_names_and_an_unlabelled_root_is_J():
    x = Value(2.0)
    out = x * x + 1
    out.backward()
    source = viz.draw(out).source
    assert "J = n2 + 1" in source and "n2 = n1*n1" in source and "dJ/dn1 = 4" in source


def test_generated_names_never_collide_with_labels():
    a, b = Value(1.0, label="n1"), Value(2.0)
    out = a + b
    out.label = "J"
    assert "J = n1 + n2" in viz.draw(out).source


def test_batch_data_is_abbreviated_with_its_size():
    x = Value(np.arange(1000.0), label="x")
    y = (x * 2).mean()
    y.label = "y"
    y.backward()
    source = viz.draw(y).source
    assert "x = [0, 1, 2, … (1000 values)]" in source
    assert len(source) < 3000


def test_dot_over_a_feature_matrix_shows_its_local_derivatives_abbreviated():
    w1, w2 = Value(0.5, label="w1"), Value(-1.0, label="w2")
    z = dot([w1, w2], np.arange(200.0).reshape(100, 2))
    cost = z.mean()
    cost.label = "cost"
    cost.backward()
    source = viz.draw(cost).source
    assert "dot(w1, w2)" in source and "(100 values)]" in source
    assert len(source) < 3000


def test_a_weight_vector_over_a_batch_labels_its_edge_with_the_feature_matrix():
    w = Value(np.array([1.0, -1.0, 0.5]), label="w")
    J = dot(w, np.arange(6.0).reshape(2, 3)).tanh().mean()
    J.backward()
    source = viz.draw(J).source
    assert "/∂w = X (2×3)" in source and "dJ/dw = [" in source
