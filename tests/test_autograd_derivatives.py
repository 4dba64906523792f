"""Every operation's derivative against central differences over its whole domain, extremes included;
random expression graphs; and the gradient checker itself, including a deliberately wrong derivative."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import (GradcheckError, Value, analytic_grad, grad_difference, gradcheck, numerical_grad, record)
from autograd.testing import OPERATIONS, expressions

# Near a pole or boundary at 0 (1/x, log x at x = 1e-200) the step must be a fraction of x itself.
POLE_AT_ZERO = {"div", "const_div", "reciprocal", "log", "sqrt", "pow_half"}


def largest_term(name, xs, y):
    """The largest number an operation adds on its way to y: its rounding error scales with it."""
    if name == "dot":  # a*c + b*3
        a, b, c = xs
        return max(abs(a * c), abs(3 * b), abs(y))
    return max(abs(y), *map(abs, xs))


@st.composite
def op_and_inputs(draw):
    name = draw(st.sampled_from(sorted(OPERATIONS)))
    return name, [draw(domain) for domain in OPERATIONS[name].domain]


@given(op_and_inputs())
def test_every_derivative_matches_central_differences(case):
    name, xs = case
    op = OPERATIONS[name]
    relative = name in POLE_AT_ZERO
    numeric = numerical_grad(op.apply, xs, relative=relative)
    analytic = analytic_grad(op.apply, xs)
    rounding = 8 * math.ulp(largest_term(name, xs, op.apply(*map(Value, xs)).data))  # in f(x+h) - f(x-h)
    for x, a, n in zip(xs, analytic, numeric):
        h = 1e-6 * abs(x) if relative else 0.0
        h = h or 1e-6 * max(1.0, abs(x))  # the step numerical_grad takes
        assert math.isfinite(a), (name, xs, analytic)
        assert a == pytest.approx(n, rel=1e-4, abs=1e-9 + rounding / h), (name, xs, analytic, numeric)


@given(op_and_inputs())
def test_every_value_matches_its_float_twin(case):
    name, xs = case
    op = OPERATIONS[name]
    y = op.apply(*map(Value, xs)).data
    rounding = 4 * math.ulp(largest_term(name, xs, y))  # sums may add in another order than the twin
    assert y == pytest.approx(op.reference(*xs), rel=1e-13, abs=rounding)


@pytest.mark.parametrize("name, x", [
    ("exp", 0.0), ("exp", -745.5), ("exp", 700.0), ("log", 1e-300), ("log", 1e300), ("sqrt", 1e-300),
    ("tanh", 0.0), ("tanh", -20.0), ("sigmoid", 0.0), ("sigmoid", -800.0), ("sigmoid", 800.0),
    ("softplus", 0.0), ("softplus", -800.0), ("softplus", 1e300), ("relu", -1e300), ("relu", 1e300),
    ("abs", -1e300), ("reciprocal", -1e-150), ("const_pow", -1000.0), ("square", 0.0), ("cube", -1e100),
])
def test_derivatives_at_the_extremes(name, x):
    op = OPERATIONS[name]
    assert gradcheck(op.apply, [x], rtol=1e-5, atol=1e-12, relative=name in POLE_AT_ZERO)


@given(expressions())
def test_random_expression_graphs_match_finite_differences(expr):
    assert gradcheck(expr, expr.inputs, rtol=1e-4, atol=1e-6)


def test_pow_of_two_values_at_a_zero_base_has_zero_exponent_slope():
    a, b = Value(0.0), Value(2.0)
    (a ** b).backward()
    assert (a.grad, b.grad) == (0.0, 0.0)


def cube_with_a_wrong_derivative(x, error=1e-3):
    """x^3 recorded as a custom op whose derivative is off by 0.1%."""
    return record(x.data ** 3, [x], [3 * x.data ** 2 * (1 + error)], "cube")


def test_custom_op_with_the_right_derivative_passes():
    assert gradcheck(lambda x: cube_with_a_wrong_derivative(x, 0.0), [1.7])


@pytest.mark.parametrize("x", [0.3, 1.7, -2.5, 40.0])
def test_checker_catches_a_derivative_off_by_a_tenth_of_a_percent(x):
    # Below the default rtol=1e-3 (PyTorch's too), which by definition lets 0.1% through, as gradcheck's docstring says.
    with pytest.raises(GradcheckError) as failure:
        gradcheck(cube_with_a_wrong_derivative, [x], rtol=1e-4, atol=1e-8)
    message = str(failure.value)
    assert "analytic" in message and "numeric" in message and "<- wrong" in message


def test_checker_catches_it_with_the_course_measure_too():
    x = [1.7]
    analytic = analytic_grad(cube_with_a_wrong_derivative, x)
    numeric = numerical_grad(cube_with_a_wrong_derivative, x)
    assert grad_difference(analytic, numeric) > 1e-4  # the course: above 1e-7 is suspicious
    assert grad_difference(analytic_grad(lambda v: v ** 3, x), numeric) < 1e-7 * 100


def test_gradient_checks_record_their_graph_even_inside_no_grad():
    with autograd.no_grad():
        assert analytic_grad(lambda x: x * x, [2.0]) == [4.0]
        assert gradcheck(lambda x: x * x, [2.0])
        with pytest.raises(GradcheckError):
            gradcheck(cube_with_a_wrong_derivative, [1.7], rtol=1e-4, atol=1e-8)


def test_gradcheck_error_table_names_each_input():
    with pytest.raises(GradcheckError) as failure:
        gradcheck(lambda a, b: cube_with_a_wrong_derivative(a) + b, [1.0, 2.0], rtol=1e-4)
    lines = str(failure.value).splitlines()
    assert lines[0].startswith("gradient check failed for 1 of 2 inputs")
    assert lines[2].split()[0] == "x0" and lines[2].endswith("<- wrong")
    assert lines[3].split()[0] == "x1" and not lines[3].endswith("<- wrong")


def sum_of_cubes(w, error=0.0):
    """sum w_j^3 over a vector, a custom op whose derivative 3 w_j^2 is off by `error` for the last number only."""
    slope = 3 * w.data ** 2
    slope[-1] *= 1 + error
    return record(float(np.sum(w.data ** 3)), [w], [slope], "sum of cubes")


def test_gradcheck_takes_a_weight_vector_and_names_each_of_its_numbers():
    X = np.random.default_rng(0).normal(size=(6, 3))
    assert gradcheck(lambda w, b: (autograd.dot(w, X) + b).sigmoid().mean(), [np.array([0.5, -1.0, 2.0]), 0.1])
    assert gradcheck(sum_of_cubes, [np.array([0.3, -1.2, 2.0])])
    with pytest.raises(GradcheckError) as failure:
        gradcheck(lambda b, w: sum_of_cubes(w, error=1e-3) + b, [1.0, np.array([0.3, -1.2, 2.0])], rtol=1e-4)
    lines = str(failure.value).splitlines()
    assert lines[0].startswith("gradient check failed for 1 of 4 inputs")
    assert [line.split()[0] for line in lines[2:]] == ["x0", "x1[0]", "x1[1]", "x1[2]"]
    assert lines[-1].endswith("<- wrong") and not lines[-2].endswith("<- wrong")
    analytic = analytic_grad(sum_of_cubes, [np.array([1.0, 2.0])])
    assert type(analytic[0]) is np.ndarray and analytic[0].tolist() == [3.0, 12.0]
    assert grad_difference(analytic, numerical_grad(sum_of_cubes, [np.array([1.0, 2.0])])) < 1e-9


def test_grad_difference_is_the_course_formula():
    assert grad_difference([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert grad_difference([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert grad_difference([1.0, 0.0], [0.0, 1.0]) == pytest.approx(math.sqrt(2) / 2)
    with pytest.raises(ValueError):
        grad_difference([1.0], [1.0, 2.0])


def test_numerical_grad_of_the_course_graph():
    grads = numerical_grad(lambda a, b, c: 3 * (a + b * c), [5.0, 3.0, 2.0])
    assert grads == pytest.approx([3.0, 6.0, 9.0], rel=1e-8)


def test_record_validates_its_arguments():
    x = Value(1.0)
    with pytest.raises(ValueError, match="one each"):
        record(1.0, [x], [1.0, 2.0], "bad")
    with pytest.raises(TypeError, match="must be a Value"):
        record(1.0, [1.0], [1.0], "bad")
    with pytest.raises(TypeError, match="real number"):
        record(1.0, [x], ["1"], "bad")
