"""Bad input gets a clear error that names the problem; numbers of every kind are accepted."""

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import autograd
from autograd import Value, gradcheck


@pytest.mark.parametrize("bad", ["3", None, 1 + 2j, [1, 2], (1.0,), {"x": 1}, object(), np.complex128(1)])
def test_values_refuse_what_is_not_a_real_number(bad):
    with pytest.raises(TypeError, match="real number"):
        Value(bad)


def test_a_value_inside_a_value_is_refused_not_nested():
    with pytest.raises(TypeError, match="use the Value itself, or its .data"):
        Value(Value(2.0))


@pytest.mark.parametrize("number, expected", [
    (3, 3.0), (True, 1.0), (np.float32(2.5), 2.5), (np.int64(7), 7.0), (np.bool_(False), 0.0),
    (Fraction(1, 4), 0.25), (Decimal("1.5"), 1.5), (np.array(4.0), 4.0), (10 ** 400, math.inf),
    (-(10 ** 400), -math.inf), (math.nan, math.nan), (Decimal("sNaN"), math.nan),
])
def test_every_kind_of_real_number_becomes_a_float(number, expected):
    data = Value(number).data
    assert type(data) is float
    assert data == expected or (math.isnan(data) and math.isnan(expected))


def test_data_written_by_hand_is_checked_as_in_the_constructor():
    p = Value(2.0)
    (p * p).backward()
    p.data -= np.float64(0.1) * p.grad  # a hand-written update with a numpy learning rate
    assert type(p.data) is float and p.data == pytest.approx(1.6)
    for number, expected in [(3, 3.0), (np.int64(2), 2.0), (True, 1.0), (10 ** 400, math.inf)]:
        p.data = number
        assert type(p.data) is float and p.data == expected
    p.data = 2
    q = p * p
    p.grad = 0.0
    q.backward()
    assert (q.data, p.grad) == (4.0, 4.0)
    for bad in ["3", None, Value(1.0), [1.0]]:
        with pytest.raises(TypeError, match="Value.data"):
            p.data = bad
    assert p.data == 2.0  # unchanged by the refused writes
    batch = np.array([1.0, 2.0])
    p.data = batch
    batch[0] = 100.0
    assert p.data.tolist() == [1.0, 2.0]  # a copy, as Value() makes
    with pytest.raises(ValueError, match="read-only"):
        p.data += 1.0  # in place would change the gradients of graphs already built: refused
    assert p.data.tolist() == [1.0, 2.0]
    p.data = p.data + 1.0  # a new array is the way
    assert p.data.tolist() == [2.0, 3.0]


def test_numbers_in_expressions_are_checked_too():
    x = Value(2.0)
    for bad in ["3", None, [1.0], 1j]:
        with pytest.raises(TypeError, match="real number"):
            x * bad
        with pytest.raises(TypeError, match="real number"):
            bad + x if not isinstance(bad, (list, str)) else x - bad


def test_label_must_be_text():
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=5)


def test_arrays_are_numeric_of_any_shape_and_not_empty():
    assert Value(np.array([1, 2, 3])).data.dtype == np.float64
    assert Value(np.zeros((2, 3))).shape == (2, 3) and Value(np.ones((2, 1, 2), dtype=int)).data.dtype == np.float64
    with pytest.raises(ValueError, match=r"at least one number, got an empty array of shape \(0,\)"):
        Value(np.array([]))
    with pytest.raises(ValueError, match=r"empty array of shape \(2, 0\)"):
        Value(np.zeros((2, 0)))
    with pytest.raises(TypeError, match="real numbers"):
        Value(np.array(["a", "b"]))


def test_batch_is_copied_so_later_changes_do_not_leak_in():
    xs = np.array([1.0, 2.0])
    v = Value(xs)
    xs[0] = 100.0
    assert v.data[0] == 1.0


def test_batches_of_different_sizes_do_not_mix():
    a, b = Value(np.ones(3)), Value(np.ones(4))
    with pytest.raises(ValueError):
        a * b
    with pytest.raises(ValueError, match="same size"):
        a / b


@pytest.mark.parametrize("op", [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b,
                                lambda a, b: b ** a, lambda a, b: b - a])
def test_a_batch_of_one_broadcasts_as_in_numpy_and_gets_the_summed_gradient(op):
    one, three = np.array([0.5]), np.array([1.0, 2.0, 3.0])
    a, b = Value(one), Value(three)
    out = op(a, b)
    np.testing.assert_allclose(out.data, op(one, three))
    out.mean().backward()
    assert a.grad.shape == (1,) and b.grad.shape == (3,)
    assert gradcheck(lambda a, b: op(a, b).mean(), [one, three], rtol=1e-6)


def test_a_batch_of_one_among_the_weights_of_a_batch_dot():
    weights, X = [Value(np.array([2.0])), Value(1.0)], np.array([[1.0, 1.0], [2.0, 1.0], [3.0, 1.0]])
    z = autograd.dot(weights, X)
    np.testing.assert_allclose(z.data, [3.0, 5.0, 7.0])
    z.mean().backward()
    assert weights[0].grad.shape == (1,) and weights[0].grad[0] == pytest.approx(2.0) and weights[1].grad == 1.0


def test_backward_needs_a_single_number():
    with pytest.raises(ValueError, match=r"reduce it first, e.g. cost = loss.mean\(\)"):
        (Value(np.ones(3)) * 2).backward()


def test_dot_checks_lengths():
    w = [Value(1.0), Value(2.0)]
    with pytest.raises(ValueError, match="one weight per input: got 2 weights and 3 inputs"):
        autograd.dot(w, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"2 weights for 3 features per example \(X has shape \(4, 3\)\)"):
        autograd.dot(w, np.ones((4, 3)))


def test_a_longdouble_beyond_float_range_becomes_inf_quietly():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = Value(np.array([np.longdouble("1e4000"), np.longdouble("-1e4000"), 2.0]))
    assert v.data.tolist() == [math.inf, -math.inf, 2.0]
