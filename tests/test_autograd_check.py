"""Gradient checks at the edges: grad_difference at any scale and with inf or nan; eps validated."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import grad_difference, gradcheck, numerical_grad


@pytest.mark.parametrize("scale", [1e-200, 1e-300, 2.0**-1020, 1.0, 1e200, 1e300, 1.6e308])
def test_grad_difference_is_scale_free(scale):
    # 10 % apart: ||g - g'|| / (||g|| + ||g'||) = 0.1 / 2.1 at any scale, no underflow to 0, no OverflowError
    assert grad_difference([scale], [1.1 * scale]) == pytest.approx(0.1 / 2.1, rel=1e-6)


@given(g=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=5), other=st.lists(st.floats(-1e3, 1e3), min_size=5,
       max_size=5), power=st.integers(-300, 300))
def test_grad_difference_does_not_change_when_both_gradients_are_scaled(g, other, power):
    h = other[:len(g)]
    scale = 2.0 ** power  # a power of two: the scaled inputs are exact, so the result must be the same
    scaled = grad_difference([x * scale for x in g], [x * scale for x in h])
    if all(abs(x) * scale >= 2.0 ** -1000 or x == 0 for x in g + h):  # not pushed into the subnormals
        assert scaled == pytest.approx(grad_difference(g, h), rel=1e-12, abs=0)
    assert 0.0 <= scaled <= 1.0 + 1e-15


def test_grad_difference_of_tiny_differences_does_not_underflow():
    assert grad_difference([1.0, 0.0], [1.0, 1e-170]) == pytest.approx(0.5e-170, rel=1e-12)


def test_grad_difference_with_nan_is_nan_and_with_inf_is_said_in_the_docstring():
    assert grad_difference([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert math.isnan(grad_difference([math.nan, 1.0], [1.0, 1.0]))
    assert math.isnan(grad_difference([1.0], [math.nan]))
    assert grad_difference([math.inf], [1.0]) == 1.0  # one side infinite: complete disagreement
    assert grad_difference([math.inf], [-math.inf]) == 1.0
    assert grad_difference([1.0, -math.inf], [1.0, 5.0]) == 1.0
    assert grad_difference([math.inf, 3.0], [math.inf, 3.0]) == 0.0  # the same infinity agrees, as in allclose
    assert grad_difference([math.inf, 1.0], [math.inf, 1.1]) == pytest.approx(0.1 / 2.1)
    assert grad_difference([math.inf], [math.inf]) == 0.0
    assert grad_difference(np.array([1e200, 3e200]), [np.array([1e200, 3e200])]) == 0.0


@pytest.mark.parametrize("eps", [0, 0.0, -1e-6, math.nan, math.inf, -math.inf, True, "1e-6", None, 1j])
def test_eps_must_be_a_positive_finite_number(eps):
    calls = []

    def f(x):
        calls.append(x)
        return x * x

    for check in (numerical_grad, gradcheck):
        with pytest.raises(ValueError, match="eps must be a positive finite number"):
            check(f, [1.0], eps=eps)
    assert not calls  # refused before any work


def test_an_eps_too_small_to_move_the_input_is_refused_not_divided_by():
    with pytest.raises(ValueError, match=r"eps=1e-300 is too small to step x0 = 1"):
        numerical_grad(lambda x: x * x, [1.0], eps=1e-300)
    with pytest.raises(ValueError, match=r"eps=1e-20 is too small to step x1\[1\] = 1e\+10"):
        numerical_grad(lambda x, w: autograd.dot(w, [1.0, 1.0]) + x, [0.0, np.array([0.0, 1e10])], eps=1e-20,
                       relative=True)
    assert numerical_grad(lambda x: x * x, [3.0], eps=np.float64(1e-6))[0] == pytest.approx(6.0)
    assert numerical_grad(lambda x: x * x, [3.0], eps=1)[0] == pytest.approx(6.0)
