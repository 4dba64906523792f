"""Losses: the course's node names (L, L⁽ⁱ⁾, ΣL, J), no node for a label's constant 1 or 0, and exact second derivatives."""

import math

import numpy as np
import pytest

import nn
from autograd import Value, hessian
from viz._graph import nodes as graph_nodes  # every node of a graph, each once

LOSSES = [nn.binary_cross_entropy, nn.binary_cross_entropy_with_logits, nn.mse, nn.hinge]


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def bce_second(a, y):
    """d2L/da2 of the course's L(a, y) = -(y log a + (1 - y) log(1 - a))."""
    return y / a ** 2 + (1.0 - y) / (1.0 - a) ** 2


@pytest.mark.parametrize("loss", LOSSES)
def test_a_list_of_examples_names_each_loss_their_sum_and_their_mean(loss):
    out = [Value(x) for x in np.linspace(0.05, 0.95, 12).tolist()]
    J = loss(out, [0.0, 1.0] * 6)
    assert J.label == "J"
    assert J.parents[0].label == "ΣL"
    assert [L.label for L in J.parents[0].parents] == [
        "L⁽¹⁾", "L⁽²⁾", "L⁽³⁾", "L⁽⁴⁾", "L⁽⁵⁾", "L⁽⁶⁾", "L⁽⁷⁾", "L⁽⁸⁾", "L⁽⁹⁾", "L⁽¹⁰⁾", "L⁽¹¹⁾", "L⁽¹²⁾"]
    assert J.data == pytest.approx(np.mean([loss(o, t).data for o, t in zip(out, [0.0, 1.0] * 6)]), rel=1e-14)


@pytest.mark.parametrize("loss", LOSSES)
def test_one_example_is_L_itself_and_a_batch_is_J_the_mean_of_L(loss):
    a = Value(0.3)
    L = loss(a, 1.0)
    labels = [n.label for n in graph_nodes(L)]
    assert L.label == "L" and labels.count("") == len(labels) - 1  # no mean, no J
    J = loss(Value(np.array([0.3, 0.6])), [1.0, 0.0])
    assert J.label == "J" and J.parents[0].label == "L"


@pytest.mark.parametrize("y", [0.0, np.zeros(3)])
def test_mse_with_labels_0_subtracts_nothing(y):
    pred = Value(0.5 if np.ndim(y) == 0 else np.array([0.5, -1.0, 2.0]))
    L = nn.mse(pred, y)
    node = L if np.ndim(y) == 0 else L.parents[0]
    assert node.op == "*" and node.parents == (pred, pred)  # d * d with d = y_hat itself
    assert L.data == pytest.approx(np.mean(np.square(pred.data)), rel=1e-15)


def test_mse_with_a_label_subtracts_it():
    pred = Value(0.5)
    L = nn.mse(pred, 0.25)
    assert L.data == 0.0625 and L.parents[0] is L.parents[1] and L.parents[0].parents == (pred,)


@pytest.mark.parametrize("y", [1.0, 0.0, np.ones(2), np.zeros(2), "list1", "list0"])
def test_hinge_with_labels_all_1_or_all_0_multiplies_by_nothing(y):
    zs = [0.4, -0.3]
    if isinstance(y, str):
        label = float(y[-1])
        z, J = None, nn.hinge([Value(x) for x in zs], [label, label])
        expected = np.mean([max(0.0, 1.0 - (2 * label - 1) * x) for x in zs])
    elif np.ndim(y) == 0:
        z = Value(zs[0])
        J, expected = nn.hinge(z, y), max(0.0, 1.0 - (2 * y - 1) * zs[0])
    else:
        z = Value(np.array(zs))
        J = nn.hinge(z, y)
        expected = np.mean([max(0.0, 1.0 - (2 * t - 1) * x) for x, t in zip(zs, y)])
    assert J.data == pytest.approx(expected, rel=1e-15)
    assert not [n.op for n in graph_nodes(J) if "*" in n.op]  # 1 - z or 1 + z: no multiplication by t = +-1


def test_hinge_with_mixed_labels_gives_each_its_sign():
    z = Value(np.array([0.4, -0.3, 2.0]))
    J = nn.hinge(z, np.array([1.0, 1.0, 0.0]))
    assert J.data == pytest.approx((0.6 + 1.3 + 3.0) / 3, rel=1e-15)


# Second derivatives: the rule each loss node gives its slope, as a Value, for backward(create_graph=True).

@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
@pytest.mark.parametrize("z", [0.4, -2.5])
def test_hessian_of_cross_entropy_from_logits_is_sigmoid_times_one_minus_sigmoid(z, y):
    s = sigmoid(z)
    H = hessian(lambda v: nn.binary_cross_entropy_with_logits(v, y), [z])
    assert H.shape == (1, 1) and H[0, 0] == pytest.approx(s * (1 - s), rel=1e-13)


@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
@pytest.mark.parametrize("a", [0.4, 0.85])
def test_hessian_of_cross_entropy_is_y_over_a2_plus_1_minus_y_over_1_minus_a_squared(a, y):
    H = hessian(lambda v: nn.binary_cross_entropy(v, y), [a])
    assert H.shape == (1, 1) and H[0, 0] == pytest.approx(bce_second(a, y), rel=1e-13)


@pytest.mark.parametrize("labels", [[0.0, 1.0, 0.3], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
def test_hessian_over_a_batch_and_a_list_is_the_mean_of_each_examples(labels):
    a, z, m = [0.4, 0.2, 0.7], [0.4, -1.0, 2.0], 3
    want_bce = np.diag([bce_second(x, t) / m for x, t in zip(a, labels)])
    want_logits = np.diag([sigmoid(x) * (1 - sigmoid(x)) / m for x in z])
    y = np.array(labels)
    for H in (hessian(lambda v: nn.binary_cross_entropy(v, y), [np.array(a)]),
              hessian(lambda *vs: nn.binary_cross_entropy(list(vs), labels), a)):
        np.testing.assert_allclose(H, want_bce, rtol=1e-13, atol=0)
    for H in (hessian(lambda v: nn.binary_cross_entropy_with_logits(v, y), [np.array(z)]),
              hessian(lambda *vs: nn.binary_cross_entropy_with_logits(list(vs), labels), z)):
        np.testing.assert_allclose(H, want_logits, rtol=1e-13, atol=0)


@pytest.mark.parametrize("loss", [nn.binary_cross_entropy, nn.binary_cross_entropy_with_logits])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_the_slope_as_a_value_for_a_label_0_or_1_is_right_and_has_one_term(loss, y):
    x = Value(0.4)
    loss(x, y).backward(create_graph=True)
    assert isinstance(x.grad, Value)
    slope = sigmoid(0.4) - y if loss is nn.binary_cross_entropy_with_logits else -y / 0.4 + (1 - y) / 0.6
    assert x.grad.data == pytest.approx(slope, rel=1e-14)  # sigmoid(z) and sigmoid(z) - 1 have the same Hessian
    assert not [n for n in graph_nodes(x.grad) if n.const == 0.0]  # no term weighted by a label's 0


@pytest.mark.parametrize("a, y, slope", [(0.0, 0.0, 1.0), (1.0, 1.0, -1.0)])
def test_cross_entropy_slope_as_a_value_is_finite_where_the_other_term_is_0_over_0(a, y, slope):
    x = Value(a)
    nn.binary_cross_entropy(x, y).backward(create_graph=True)
    assert x.grad.data == slope
