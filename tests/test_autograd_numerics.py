"""IEEE-754 behaviour: every operation gives inf or nan where numpy does, and never raises."""

import math
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value
from autograd.testing import reals

mpmath.mp.dps = 60
any_float = st.floats(allow_nan=True, allow_infinity=True)


def grad_of(build, x):
    v = Value(x)
    out = build(v)
    out.backward()
    return out.data, v.grad


def test_the_issue_examples():
    assert grad_of(lambda v: v.tanh(), 800.0) == (1.0, 0.0)
    assert grad_of(lambda v: v.sigmoid(), -1000.0) == (0.0, 0.0)
    assert Value(1000).exp().data == math.inf
    assert Value(0).log().data == -math.inf
    assert (Value(0) ** -1).data == math.inf


@pytest.mark.parametrize("build, x, expected", [
    (lambda v: v / 0, 1.0, math.inf),
    (lambda v: v / 0, -1.0, -math.inf),
    (lambda v: v / 0, 0.0, math.nan),
    (lambda v: 1 / v, 0.0, math.inf),
    (lambda v: v.log(), -1.0, math.nan),
    (lambda v: v.sqrt(), -1.0, math.nan),
    (lambda v: v ** 0.5, -8.0, math.nan),
    (lambda v: v ** 400, 10.0, math.inf),
    (lambda v: v ** 401, -10.0, -math.inf),
    (lambda v: 10 ** v, 400.0, math.inf),
    (lambda v: v.exp(), -1e308, 0.0),
    (lambda v: v * v, 1e200, math.inf),
    (lambda v: v.softplus(), 1e308, 1e308),
    (lambda v: v.sigmoid(), math.inf, 1.0),
    (lambda v: v.tanh(), -math.inf, -1.0),
])
def test_ieee_results(build, x, expected):
    y = build(Value(x)).data
    assert (math.isnan(y) and math.isnan(expected)) or y == expected


def _all_operations(v):
    w = Value(0.75)
    return [v + w, v - w, v * w, v / w, w / v, v ** w, w ** v, v ** 3, v ** -1.5, 2 ** v, 0 ** v, -v, abs(v),
            v.exp(), v.log(), v.sqrt(), v.tanh(), v.sigmoid(), v.softplus(), v.relu(), v / 0, v.mean(),
            autograd.sum([v, w, 1.0]), autograd.dot([v, w], [w, 2.0])]


@given(any_float)
def test_no_operation_or_gradient_ever_raises_or_warns(x):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = Value(x)
        for out in _all_operations(v):
            out.backward()
            assert type(out.data) is float and type(v.grad) is float


@given(any_float)
def test_batches_follow_the_same_ieee_rules(x):
    batch = Value(np.array([x, 0.0, -1.0, 1e300]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy may warn on overflow in + - *; the values are what count
        for out, single in zip(_all_operations(batch), _all_operations(Value(x))):
            if out.op != "mean":
                np.testing.assert_allclose(out.data[:1], [single.data], rtol=1e-13)


@pytest.mark.parametrize("build, slope", [(lambda v: v.relu(), 1.0), (lambda v: abs(v), math.nan)])
def test_relu_and_abs_do_not_hide_a_nan(build, slope):
    """As numpy's maximum and sign: nan in, nan out; the slope is the same for a number and in a batch."""
    single, batch = build(Value(math.nan)), build(Value(np.array([math.nan, -2.0])))
    assert math.isnan(single.data) and math.isnan(batch.data[0])
    for local in (single.local_grads[0], batch.local_grads[0][0]):
        assert local == slope or (math.isnan(local) and math.isnan(slope))


def test_backward_through_a_batch_is_as_quiet_as_through_numbers():
    batch = Value(np.array([0.0, -1.0, 1e300, -1e300, math.inf, math.nan]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the forward pass may warn in + - * (numpy's rule)
        costs = [out if out.op == "mean" else out.mean() for out in _all_operations(batch)]
    vector = Value(np.array([1.0, 2.0]))
    costs += [Value(np.array([1e308, 1.0])).mean() * 1e10, autograd.dot(vector, [1e308, 1.0]) * 10.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for cost in costs:
            cost.backward()
    assert type(batch.grad) is np.ndarray and batch.grad.shape == (6,)


def mp_sigmoid(x):
    return 1 / (1 + mpmath.exp(-mpmath.mpf(x)))


EXACT = {  # name: (method, mpmath value, mpmath derivative)
    # e^-x / (1 + e^-x)^2, not s (1 - s): 1 - s would lose the digits this test is about, even in mpmath
    "sigmoid": (Value.sigmoid, mp_sigmoid, lambda x: mpmath.exp(-x) / (1 + mpmath.exp(-x)) ** 2),
    "tanh": (Value.tanh, lambda x: mpmath.tanh(x), lambda x: mpmath.sech(x) ** 2),
    "softplus": (Value.softplus, lambda x: mpmath.log1p(mpmath.exp(x)), mp_sigmoid),
    "exp": (Value.exp, lambda x: mpmath.exp(x), lambda x: mpmath.exp(x)),
}


def _close_to_exact(ours, exact, ulps=8):
    """Within a few ulps of the exact result, or both below the smallest normal float."""
    exact = float(exact)
    if abs(exact) < 2.3e-308:
        return abs(ours) < 2.3e-308
    return abs(ours - exact) <= ulps * math.ulp(exact)


@pytest.mark.parametrize("name", sorted(EXACT))
@given(x=reals(-1e300, 1e300))
def test_value_and_slope_are_exact_for_any_finite_input(name, x):
    """Checked against 60-digit arithmetic: no overflow, no lost precision at the tails (1 - s is never used)."""
    method, value, slope = EXACT[name]
    if name == "exp" and x > 709:
        return  # exp overflows to inf there, as it must
    y, dy = grad_of(method, x)
    assert _close_to_exact(y, value(mpmath.mpf(x))), (x, y)
    assert _close_to_exact(dy, slope(mpmath.mpf(x))), (x, dy)


def test_sigmoid_slope_far_out_is_exact():
    assert _close_to_exact(grad_of(Value.sigmoid, 107.0)[1], mpmath.exp(-107) / (1 + mpmath.exp(-107)) ** 2)


def test_slopes_keep_precision_where_naive_formulas_round_to_zero():
    assert grad_of(Value.sigmoid, 40.0)[1] == pytest.approx(4.248354255291589e-18, rel=1e-14)
    assert grad_of(Value.tanh, 25.0)[1] == pytest.approx(7.715058456577836e-22, rel=1e-14)


def test_the_mean_of_finite_numbers_is_finite_even_where_their_sum_is_not():
    rows = [[1e308, 1e308, 1e308], [1e300, 0.0, 0.0], [5e-324, 5e-324, 5e-324]]
    x = Value(np.array(rows))
    assert x.mean().data == pytest.approx(1e308 / 3 + 1e300 / 9)
    # each row its own mean (not the whole array's), and a finite row's as numpy's, to the last bit (even subnormal)
    assert x.mean(axis=1).data.tolist() == [1e308, np.mean(rows[1]), 5e-324]
    np.testing.assert_array_equal(x.mean(axis=1, keepdims=True).data, [[1e308], [np.mean(rows[1])], [5e-324]])
    np.testing.assert_array_equal(x.mean(axis=0, keepdims=True).data, [[(1e308 + 1e300) / 3, 1e308 / 3, 1e308 / 3]])
    J = x.mean()
    J.backward()
    np.testing.assert_array_equal(x.grad, np.full((3, 3), 1 / 9))
    assert Value(np.array([np.inf, 1.0])).mean().data == np.inf  # an inf among them still gives inf
    assert math.isnan(Value(np.array([np.inf, -np.inf])).mean().data)


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
def test_a_mean_within_range_is_numpys_to_the_last_bit(xs):
    with np.errstate(over="ignore"):
        theirs = np.mean(xs)
    mean = Value(np.array(xs)).mean().data
    if math.isfinite(theirs):
        assert mean == theirs
    else:  # numpy's sum overflowed; ours scales x down first, off by at most a rounding of each term
        exact = sum(map(mpmath.mpf, xs)) / len(xs)
        assert math.isfinite(mean) and abs(mean - exact) <= 1e-15 * max(map(abs, xs))


def test_ieee_gives_numpys_ieee_results_without_a_warning_and_restores_the_callers_error_state():
    """autograd.ieee(), for the numpy math of an operation of your own: inf and nan quietly, then as before, even
    after an error or inside another ieee()."""
    with np.errstate(divide="raise", over="warn"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with autograd.ieee():
                with autograd.ieee():
                    assert np.log(np.zeros(1))[0] == -math.inf
                assert np.exp(np.array([1000.0]))[0] == math.inf
                assert math.isnan(np.divide(np.zeros(1), 0.0)[0])
            with pytest.raises(KeyError), autograd.ieee():
                raise KeyError("an error inside")
        assert np.geterr()["divide"] == "raise" and np.geterr()["over"] == "warn"
        with pytest.raises(FloatingPointError):
            np.log(np.zeros(1))
