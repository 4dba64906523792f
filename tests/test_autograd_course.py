"""The course's computation graph J = 3(a + bc), and the gradient semantics around it."""

import threading

import pytest

import autograd
from autograd import Value, backward_order
from conftest import course_graph


def test_course_graph_values_and_gradients():
    a, b, c, u, v, J = course_graph()
    J.backward()
    assert (J.data, a.grad, b.grad, c.grad, u.grad, v.grad) == (33.0, 3.0, 6.0, 9.0, 3.0, 3.0)


def test_course_graph_records_parents_and_local_derivatives():
    a, b, c, u, v, J = course_graph()
    assert u.parents == (b, c) and u.local_grads == (2.0, 3.0) and u.op == "*"
    assert v.parents == (a, u) and v.local_grads == (1.0, 1.0) and v.op == "+"
    # the 3 is a constant folded into the node, not a node of its own
    assert J.parents == (v,) and J.local_grads == (3.0,) and J.op == "r*" and J.const == 3.0
    assert a.parents == () and a.op == "" and a.const is None


def test_chain_rule_is_product_along_the_path():
    a, b, c, u, v, J = course_graph()
    J.backward()
    dJ_dv, dv_du, du_db = J.local_grads[0], v.local_grads[1], u.local_grads[0]
    assert b.grad == dJ_dv * dv_du * du_db == 6.0


def test_repr_shows_label_data_and_grad():
    *_, J = course_graph()
    J.backward()
    assert repr(J) == "Value(data=33.0, grad=1.0, label='J')"


def test_leaf_gradients_accumulate_until_reset():
    a, b, c, u, v, J = course_graph()
    J.backward()
    J.backward()
    assert (a.grad, b.grad, c.grad) == (6.0, 12.0, 18.0)
    a.grad = b.grad = c.grad = 0.0
    J.backward()
    assert (a.grad, b.grad, c.grad) == (3.0, 6.0, 9.0)


def test_intermediate_gradients_are_recomputed_not_doubled():
    a, b, c, u, v, J = course_graph()
    J.backward()
    J.backward()
    assert (u.grad, v.grad, J.grad) == (3.0, 3.0, 1.0)


def test_backward_from_an_inner_node_treats_it_as_root():
    a, b, c, u, v, J = course_graph()
    u.backward()
    assert (u.grad, b.grad, c.grad, a.grad) == (1.0, 2.0, 3.0, 0.0)


def test_backward_on_a_leaf_gives_one():
    x = Value(4.0)
    x.backward()
    assert x.grad == 1.0


@pytest.mark.parametrize("build, expected", [
    (lambda x: x * x, 6.0),            # a*a: both paths
    (lambda x: x + x, 2.0),
    (lambda x: (x * x) * x, 27.0),     # 3x^2
    (lambda x: autograd.sum([x, x, 2 * x]), 4.0),
    (lambda x: autograd.dot([x, x], [x, 1.0]), 7.0),  # x^2 + x
])
def test_reused_node_gets_the_sum_of_its_paths(build, expected):
    x = Value(3.0)
    build(x).backward()
    assert x.grad == expected


def test_diamond_graph_visits_each_node_once_after_its_users():
    x = Value(2.0, label="x")
    y = x * 3.0
    z = y.tanh() + y.exp()
    w = z * y
    order = backward_order(w)
    assert order[0] is w and len(order) == len(set(map(id, order)))
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node.parents:
            if parent.parents:
                assert position[id(parent)] > position[id(node)]
    w.backward()
    grads = [n.grad for n in order]
    backward_order(w)
    assert [n.grad for n in order] == grads  # and no gradient changed


def test_no_grad_records_no_graph_and_is_thread_local():
    x = Value(2.0)
    seen = {}

    def other_thread():
        seen["recorded"] = (x * 3).parents == (x,)

    with autograd.no_grad():
        assert not autograd.is_grad_enabled()
        y = x * 3 + 1
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        with autograd.enable_grad():
            assert (x * 2).parents == (x,)
    assert y.data == 7.0 and y.parents == () and y.op == ""
    assert seen["recorded"] and autograd.is_grad_enabled()


def test_no_grad_works_as_a_decorator():
    @autograd.no_grad()
    def predict(x):
        return x * 2

    assert predict(Value(1.0)).parents == ()
