"""Losses: the course's cross-entropy, its stable form from logits, mse and hinge; one example, a batch, or a list."""

import math
import re
import warnings
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import nn
from autograd import Value, no_grad

LOSSES = [nn.binary_cross_entropy, nn.binary_cross_entropy_with_logits, nn.mse, nn.hinge]


def bce(a, y):
    return -(y * math.log(a) + (1 - y) * math.log(1 - a))


def test_cross_entropy_is_the_course_formula_and_returns_the_mean():
    a, y = np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])
    J = nn.binary_cross_entropy(Value(a), y)
    assert type(J.data) is float
    assert J.data == pytest.approx(np.mean([bce(ai, yi) for ai, yi in zip(a, y)]), rel=1e-14)
    assert nn.binary_cross_entropy(Value(0.9), 1).data == pytest.approx(-math.log(0.9), rel=1e-14)


@pytest.mark.parametrize("loss", LOSSES)
def test_one_example_a_batch_and_a_list_of_examples_agree(loss):
    out, y = np.array([0.3, 0.8, 0.55, 0.1]), np.array([0, 1, 1, 0])
    batch_in, list_in = Value(out), [Value(x) for x in out.tolist()]
    J_batch, J_list = loss(batch_in, y), loss(list_in, y)
    J_batch.backward()
    J_list.backward()
    assert J_list.data == pytest.approx(J_batch.data, abs=1e-15)
    np.testing.assert_allclose([v.grad for v in list_in], batch_in.grad, rtol=0, atol=1e-15)
    one = np.mean([loss(Value(x), t).data for x, t in zip(out.tolist(), y.tolist())])
    assert one == pytest.approx(J_batch.data, abs=1e-15)


@pytest.mark.parametrize("a, y, cost, slope", [
    (0.0, 1, 100.0, 0.0), (1.0, 0, 100.0, 0.0),  # certain and wrong: 100, not inf; the clamped log is flat
    (1.0, 1, 0.0, -1.0), (0.0, 0, 0.0, 1.0),  # certain and right: 0 * log 0 counts as 0, not nan
])
def test_cross_entropy_at_probability_0_or_1_is_clamped_at_100_like_pytorch(a, y, cost, slope):
    v = Value(a)
    J = nn.binary_cross_entropy(v, y)
    J.backward()
    assert (J.data, v.grad) == (cost, slope)


def test_cross_entropy_clamps_a_batch_example_by_example():
    a = Value(np.array([0.0, 0.5]))
    J = nn.binary_cross_entropy(a, [1, 1])
    J.backward()
    assert J.data == pytest.approx((100.0 + math.log(2)) / 2)
    assert a.grad.tolist() == [0.0, pytest.approx(-1.0)]  # the clamped log is flat: slope 0


def test_cross_entropy_clamps_only_below_the_floor():
    tiny = 1e-40  # log(1e-40) = -92.1, above the floor of -100
    assert nn.binary_cross_entropy(Value(tiny), 1).data == pytest.approx(-math.log(tiny))
    assert nn.binary_cross_entropy(Value(1e-300), 1).data == 100.0


@given(a=st.lists(st.one_of(st.floats(0, 1), st.sampled_from([0.0, 1.0, 1e-44, 1 - 1e-16, math.nan])), min_size=1,
                  max_size=6),
       y=st.lists(st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0, 1)), min_size=6, max_size=6))
@example(a=[0.0, 0.0, 2.2e-311], y=[0.0, 0.0, 1.0, 0.0, 0.0, 0.0])  # y / a overflows: inf, then dropped by the clamp
def test_cross_entropy_of_a_batch_is_the_clamped_formula_to_the_bit_whether_or_not_a_log_is_clamped(a, y):
    """A batch with no clamped log skips the clamps: the same numbers, bit for bit, as with them; never a warning."""
    a, y = np.array(a), np.array(y[:len(a)])
    with np.errstate(all="ignore"):
        log_a, log_1_a = np.maximum(np.log(a), -100.0), np.maximum(np.log(1 - a), -100.0)
        losses = -(y * log_a + (1 - y) * log_1_a)
        slopes = np.where(log_1_a > -100, (1 - y) / (1 - a), 0.0) - np.where(log_a > -100, y / a, 0.0)
    v = Value(a)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # IEEE results, quietly: y / 1e-311 overflows to inf, with no warning
        J = nn.binary_cross_entropy(v, y)
        J.backward()
    np.testing.assert_array_equal(J.parents[0].data, losses)
    np.testing.assert_array_equal(v.grad, slopes * (1 / len(a)))  # the mean spreads 1/m to each L


def test_cross_entropy_from_logits_is_exact_at_zero():
    for y in (0.0, 1.0):
        z = Value(0.0)
        J = nn.binary_cross_entropy_with_logits(z, y)
        J.backward()
        assert J.data == math.log(2)
        assert z.grad == 0.5 - y  # sigmoid(0) - y, exactly


@given(z=st.floats(-1000, 1000), y=st.sampled_from([0.0, 1.0]))
def test_cross_entropy_from_logits_is_stable_and_its_slope_is_sigmoid_minus_y(z, y):
    v = Value(z)
    J = nn.binary_cross_entropy_with_logits(v, y)
    J.backward()
    s = z if y == 0 else -z  # L = softplus(z) at y = 0, softplus(-z) at y = 1; dL/dz = sigmoid(z) - y = +-sigmoid(s)
    assert math.isfinite(J.data)
    assert J.data == pytest.approx(max(s, 0) + math.log1p(math.exp(-abs(s))), rel=1e-12, abs=1e-300)
    sigmoid_s = 1 / (1 + math.exp(-s)) if s >= 0 else math.exp(s) / (1 + math.exp(s))
    assert v.grad == pytest.approx(sigmoid_s if y == 0 else -sigmoid_s, rel=1e-12, abs=1e-300)


@given(z=st.floats(-10, 10), y=st.sampled_from([0.0, 1.0]))  # beyond, log(1 - a) loses digits
def test_cross_entropy_from_logits_equals_cross_entropy_of_the_sigmoid(z, y):
    with no_grad():
        a = Value(z).sigmoid()
        direct = nn.binary_cross_entropy(a, y).data
    assert nn.binary_cross_entropy_with_logits(Value(z), y).data == pytest.approx(direct, rel=1e-9, abs=1e-12)


def test_mse_and_its_gradient():
    pred = Value(np.array([1.0, 2.0, 4.0]))
    J = nn.mse(pred, [1.0, 0.0, 1.0])
    J.backward()
    assert J.data == pytest.approx((0 + 4 + 9) / 3)
    np.testing.assert_allclose(pred.grad, 2 * np.array([0.0, 2.0, 3.0]) / 3)


def test_hinge_maps_labels_0_and_1_to_minus_and_plus_one():
    assert nn.hinge(Value(2.0), 1).data == 0.0  # right side, beyond the margin
    assert nn.hinge(Value(0.5), 1).data == 0.5
    assert nn.hinge(Value(0.5), 0).data == 1.5  # wrong side: 1 - (-1)(0.5)
    assert nn.hinge(Value(-3.0), 0).data == 0.0


@pytest.mark.parametrize("loss", LOSSES)
def test_labels_must_match_the_output(loss):
    with pytest.raises(ValueError, match="1-D array of 3"):
        loss(Value(np.array([0.1, 0.2, 0.3])), [0, 1])
    with pytest.raises(ValueError, match="ravel"):
        loss(Value(np.array([0.1, 0.2, 0.3])), np.array([[0, 1, 0]]))
    with pytest.raises(ValueError, match="one label"):
        loss(Value(0.5), [0, 1])
    with pytest.raises(ValueError, match="1-D array of 2"):
        loss([Value(0.1), Value(0.2)], [1])


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("shape", [(1, 4), (4, 1)])
@pytest.mark.parametrize("labels_shape", [(4,), "the output's"])
def test_a_row_or_column_of_outputs_is_a_batch_with_the_same_cost_and_gradients(loss, shape, labels_shape):
    """The course's A[L] of shape (1, m) (and a column (m, 1)): the same J, bit for bit, as the batch of shape (m,),
    and each example's gradient in the output's shape. Labels (m,) are not broadcast against a column into (m, m)."""
    out, y = np.array([0.9, 0.2, 0.6, 0.35]), np.array([1.0, 0.0, 0.0, 1.0])
    flat, shaped = Value(out), Value(out.reshape(shape))
    J_flat, J = loss(flat, y), loss(shaped, y if labels_shape == (4,) else y.reshape(shape))
    J_flat.backward()
    J.backward()
    assert J.data == J_flat.data
    assert J.parents[0].shape == shape  # L, one per example
    np.testing.assert_array_equal(shaped.grad, flat.grad.reshape(shape))


def test_float_labels_in_the_outputs_shape_are_taken_as_they_are_but_a_wrong_shape_still_is_refused():
    """nn.fit hands a matrix model's loss its labels as a (1, m) row, A[L]'s shape: no copy nor view each step. That
    shortcut comes after the check of the output's shape, so labels shaped like a wrong output are refused too."""
    Y = np.array([[1.0, 0.0, 1.0]])
    column = Y.T
    assert nn.losses._labels(Y, (1, 3)) is Y and nn.losses._labels(column, (3, 1)) is column
    np.testing.assert_array_equal(nn.losses._labels(Y[0], (1, 3)), Y)  # (m,) labels: a view in the output's shape
    with pytest.raises(ValueError, match=r"one number per example.*got shape \(2, 3\)"):
        nn.losses._labels(np.ones((2, 3)), (2, 3))
    with pytest.raises(ValueError, match=r"one number per example.*got shape \(1, 1, 3\)"):
        nn.losses._labels(np.ones((1, 1, 3)), (1, 1, 3))


@pytest.mark.parametrize("loss", LOSSES)
def test_an_output_of_several_numbers_per_example_or_labels_of_another_shape_are_named(loss):
    with pytest.raises(ValueError, match=r"one number per example.*\(1, m\).*got shape \(4, 2\)"):
        loss(Value(np.full((4, 2), 0.5)), np.ones(4))
    with pytest.raises(ValueError, match=r"one number per example.*got shape \(1, 2, 2\)"):
        loss(Value(np.full((1, 2, 2), 0.5)), np.ones(4))
    with pytest.raises(ValueError, match=r"4 examples in shape \(1, 4\).*1-D array of 4 or have shape \(1, 4\); "
                                         r"got shape \(4, 1\)"):
        loss(Value(np.full((1, 4), 0.5)), np.ones((4, 1)))
    with pytest.raises(ValueError, match=r"4 examples in shape \(4, 1\).*got shape \(3,\)"):
        loss(Value(np.full((4, 1), 0.5)), np.ones(3))


@pytest.mark.parametrize("loss", LOSSES)
def test_the_output_must_be_a_value_or_a_list_of_one_number_values(loss):
    for bad in ([], 0.5, np.array([0.5]), [0.5, 0.2], [Value(np.array([0.1, 0.2]))]):
        with pytest.raises(TypeError, match="model's output"):
            loss(bad, 1)


INF = math.inf


@pytest.mark.parametrize("z, y, cost, slope", [
    (INF, 1.0, 0.0, 0.0), (-INF, 0.0, 0.0, 0.0),  # certain and right: exactly 0, at the limit
    (INF, 0.0, INF, 1.0), (-INF, 1.0, INF, -1.0),  # certain and wrong: inf, never nan
    (INF, 0.5, INF, 0.5), (-INF, 0.25, INF, -0.25),  # a soft label at an infinite logit: inf, never nan
])
def test_cross_entropy_from_logits_at_infinite_logits(z, y, cost, slope):
    v = Value(z)
    J = nn.binary_cross_entropy_with_logits(v, y)
    J.backward()
    assert (J.data, v.grad) == (cost, slope)
    batch = Value(np.array([z, 0.0]))
    J = nn.binary_cross_entropy_with_logits(batch, [y, 1.0])
    J.backward()
    assert J.data == (cost + math.log(2)) / 2
    assert batch.grad.tolist() == [slope / 2, -0.25]
    items = [Value(z), Value(0.0)]
    J = nn.binary_cross_entropy_with_logits(items, [y, 1.0])
    J.backward()
    assert J.data == (cost + math.log(2)) / 2 and [v.grad for v in items] == [slope / 2, -0.25]


def exact_bce_with_logits(z: float, y: float) -> Decimal:
    """L = y softplus(-z) + (1 - y) softplus(z), in the context's precision."""
    def log1p(x: Decimal) -> Decimal:
        return x - x * x / 2 + x ** 3 / 3 if x < Decimal("1e-10") else (1 + x).ln()  # 1 + x would lose x's digits

    def softplus(t: Decimal) -> Decimal:
        return t + log1p((-t).exp()) if t > 0 else log1p(t.exp())

    z, y = Decimal(z), Decimal(y)
    return y * softplus(-z) + (1 - y) * softplus(z)


@given(z=st.floats(allow_nan=False, allow_infinity=False), y=st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0, 1)))
def test_cross_entropy_from_logits_is_finite_and_exact_for_every_finite_logit(z, y):
    v = Value(z)
    J = nn.binary_cross_entropy_with_logits(v, y)
    J.backward()
    with localcontext() as ctx:
        ctx.prec = 400  # sigmoid(z) - 1 for z up to 745 (below, float's subnormals end) keeps 17 digits
        exact = exact_bce_with_logits(z, y)
        e = (-abs(Decimal(z))).exp()  # only e to a negative power: no overflow
        sigmoid = 1 / (1 + e) if z >= 0 else e / (1 + e)
        slope = float(sigmoid - Decimal(y))
    assert math.isfinite(J.data) and math.isfinite(v.grad)
    assert J.data == pytest.approx(float(exact), rel=1e-13, abs=1e-300)
    cancelling = y not in (0.0, 1.0)  # sigmoid(z) - y for a soft label loses digits near sigmoid(z) = y
    assert v.grad == pytest.approx(slope, rel=1e-13, abs=4e-16 if cancelling else 1e-300)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("labels, bad", [
    (["1", "2", "3"], "'1' (str)"), (np.array(["1", "2", "3"]), "'1' (str)"), ([1, None, 0], "None (NoneType)"),
    ([1, 0, b"1"], "b'1' (bytes)"), ([1j, 0, 1], "1j (complex)"), ([1, 0, Value(1.0)], "Value"),
    (np.array([0, 1, "x"], dtype=object), "'x' (str)"),
])
def test_labels_that_are_not_numbers_are_a_type_error(loss, labels, bad):
    out = np.array([0.3, 0.6, 0.9])
    for output in (Value(out), [Value(x) for x in out.tolist()]):
        with pytest.raises(TypeError, match=r"labels must be real numbers, got " + re.escape(bad)):
            loss(output, labels)


@pytest.mark.parametrize("loss", LOSSES)
def test_a_label_that_is_not_a_number_is_a_type_error(loss):
    for bad in ("1", None, 1j, Value(1.0), np.array(["1"])):
        with pytest.raises(TypeError, match="a label must be a real number"):
            loss(Value(0.5), bad)


@pytest.mark.parametrize("loss", LOSSES)
def test_labels_of_any_real_kind_are_accepted(loss):
    out = Value(np.array([0.3, 0.6, 0.9]))
    expected = loss(out, [1.0, 0.0, 1.0]).data
    for labels in ([1, 0, 1], [True, False, True], np.array([1, 0, 1], dtype=np.uint8), (1, 0, 1),
                   np.array([1, 0, 1], dtype=object), [Fraction(1), 0, np.float32(1)]):
        assert loss(out, labels).data == expected
    assert loss(Value(0.3), np.float32(1)).data == loss(Value(0.3), Fraction(1)).data == loss(Value(0.3), 1.0).data


def test_a_loss_array_is_made_read_only_in_place_so_that_record_keeps_it_without_a_copy():
    loss = np.array([0.25, 0.5])
    assert nn.losses._read_only(loss) is loss and not loss.flags.writeable
    assert nn.losses._read_only(0.25) == 0.25  # one example's loss, a number
    L = nn.losses._bce(Value(np.array([0.5, 0.25])), np.array([1.0, 0.0]))
    assert not L.data.flags.writeable and L.data.base is None


def test_a_mean_loss_of_finite_losses_is_finite_even_where_their_sum_is_not():
    z = Value(np.array([1e308, -1e308]))  # each example costs 1e308: wrong and sure
    assert nn.binary_cross_entropy_with_logits(z, [0, 1]).data == 1e308
    assert nn.hinge(z, [0, 1]).data == pytest.approx(1e308)
