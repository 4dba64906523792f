"""The losses' rules pinned with literal numbers and messages: a label given as a one-number array, the clamp of
cross-entropy at its floor, no numpy warning at probabilities 0 and 1, and the messages that name a mistake.

`make mutate` found each of these unchecked: a small change to nn/losses.py passed every other test.
"""

import math
import re
import warnings

import numpy as np
import pytest

import nn
from autograd import Value

ONE_EXAMPLE = [  # the loss, its value at output 0.5 and label 1, and its slope there
    (nn.binary_cross_entropy, 0.6931471805599453, -2.0),  # -log 0.5; -1/0.5
    (nn.binary_cross_entropy_with_logits, 0.4740769841801067, -0.37754066879814546),  # softplus(-0.5); sigmoid(0.5) - 1
    (nn.mse, 0.25, -1.0),  # (0.5 - 1)^2; 2 (0.5 - 1)
    (nn.hinge, 0.5, -1.0),  # 1 - 0.5; -1
]


@pytest.mark.parametrize("loss, cost, slope", ONE_EXAMPLE, ids=lambda x: getattr(x, "__name__", ""))
@pytest.mark.parametrize("label", [1.0, 1, np.array([1.0]), np.array(1.0), np.array([[1]])],
                         ids=["float", "int", "array of one", "0-d array", "1x1 array"])
def test_one_output_takes_its_label_as_a_number_or_an_array_holding_one(loss, cost, slope, label):
    out = Value(0.5)
    J = loss(out, label)
    J.backward()
    assert (J.data, out.grad) == (cost, slope)


@pytest.mark.parametrize("form", ["number", "batch"])
def test_cross_entropy_is_flat_from_its_floor_down(form):
    """log a is clamped at -100 and has slope 0 there: at a = e^-100 itself (log a = -100 exactly), and below."""
    a = [math.exp(-100), 1e-300]  # 3.720075976020836e-44: the float whose log is -100.0
    assert math.log(a[0]) == -100.0
    if form == "number":
        for x in a:
            v = Value(x)
            J = nn.binary_cross_entropy(v, 1)
            J.backward()
            assert (J.data, v.grad) == (100.0, 0.0)
    else:
        v = Value(np.array(a))
        J = nn.binary_cross_entropy(v, [1, 1])
        J.backward()
        assert (J.data, v.grad.tolist()) == (100.0, [0.0, 0.0])


@pytest.mark.parametrize("form", ["number", "batch"])
def test_cross_entropy_at_probabilities_0_and_1_warns_nothing(form):
    cases = [(0.0, 1.0, 100.0), (1.0, 0.0, 100.0), (1.0, 1.0, 0.0), (0.0, 0.0, 0.0)]  # a, y, cost
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's "divide by zero in log" and "invalid value in divide" included
        if form == "number":
            costs = [nn.binary_cross_entropy(Value(a), y) for a, y, _ in cases]
            for J in costs:
                J.backward()
            assert [J.data for J in costs] == [c for _, _, c in cases]
        else:
            v = Value(np.array([a for a, _, _ in cases]))
            J = nn.binary_cross_entropy(v, [y for _, y, _ in cases])
            J.backward()
            assert J.data == 50.0 and v.grad.tolist() == [0.0, 0.0, -0.25, 0.25]


@pytest.mark.parametrize("loss, op", [(nn.binary_cross_entropy, "bce"), (nn.binary_cross_entropy_with_logits,
                                                                         "bce_logits")])
def test_each_cross_entropy_is_one_node_named_for_drawings(loss, op):
    """The course's L(a, y) box: one node per example (per batch), named as drawings show it; on one example it is
    the result (nothing to average), over a batch J = mean(L)."""
    L = loss(Value(0.5), 1.0)
    assert (L.label, L.op, L.parents[0].data) == ("L", op, 0.5)
    out = Value(np.array([0.5, 0.25]))
    J = loss(out, [1.0, 0.0])
    assert (J.label, J.op) == ("J", "mean") and J.parents[0].op == op and J.parents[0].parents == (out,)
    assert J.parents[0].label == "L"


def test_the_messages_name_the_mistake_and_how_to_fix_it():
    with pytest.raises(TypeError) as failure:
        nn.mse(0.5, 1.0)
    assert str(failure.value) == ("a loss takes the model's output: a Value (one example or a batch) or a non-empty "
                                  "list of one-number Values (one per example); got float")
    with pytest.raises(ValueError) as failure:
        nn.mse(Value(0.5), [0, 1])
    assert str(failure.value) == "one output needs one label (a number), got list [0, 1]"
    batch = Value(np.array([0.1, 0.2, 0.3]))
    with pytest.raises(ValueError) as failure:
        nn.mse(batch, [0, 1])
    assert str(failure.value) == "the output has 3 examples, so the labels must be a 1-D array of 3; got shape (2,)"
    with pytest.raises(ValueError) as failure:
        nn.mse(batch, np.array([[0, 1, 0]]))
    assert re.fullmatch(r"the output has 3 examples, so the labels must be a 1-D array of 3; got shape \(1, 3\) "
                        r"\(use y\.ravel\(\) for a row or column of labels\)", str(failure.value))


INF = math.inf


@pytest.mark.parametrize("form", ["number", "batch"])
def test_cross_entropy_from_logits_warns_nothing_at_infinite_logits_or_huge_labels(form):
    """IEEE's numbers, quietly: 0 * inf (a label's absent term at an infinite logit) counts 0 without numpy's
    "invalid value" warning, and a label far outside [0, 1] overflows to inf without an "overflow" warning."""
    cases = [(INF, 1.0, 0.0), (-INF, 0.0, 0.0), (INF, 0.0, INF), (-INF, 1.0, INF), (INF, 0.5, INF),
             (-5.0, 1e308, INF)]  # z, y, cost
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if form == "number":
            for z, y, cost in cases:
                v = Value(z)
                J = nn.binary_cross_entropy_with_logits(v, y)
                J.backward()
                assert J.data == cost and not math.isnan(v.grad)
        else:
            v = Value(np.array([z for z, _, _ in cases]))
            J = nn.binary_cross_entropy_with_logits(v, [y for _, y, _ in cases])
            J.backward()
            assert J.data == INF and not np.isnan(v.grad).any()


def test_a_label_that_is_not_a_number_is_named_with_its_type():
    with pytest.raises(TypeError) as failure:
        nn.mse(Value(0.5), "1")
    assert str(failure.value) == "a label must be a real number, got '1' (str)"
    with pytest.raises(TypeError) as failure:  # no label to name: the array's type
        nn.mse(Value(np.array([0.5, 0.25])), np.array([], dtype=str))
    assert str(failure.value) == "labels must be real numbers, got <U1"
