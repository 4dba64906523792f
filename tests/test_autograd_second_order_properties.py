"""Second derivatives (backward(create_graph=True)) of every operation in autograd.testing.OPERATIONS, over its whole
domain, extremes included: against central differences of the first-order gradient (gradgradcheck), against the
closed form evaluated in mpmath's arbitrary precision, and at the IEEE extremes; random expression graphs too.

The engine's own tests check each rule's closed form at chosen points; these are properties over whole domains.
The points where it once was wrong (found by these properties) have tests of their own below.
"""

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import GradcheckError, Value, analytic_grad, gradgradcheck, hessian, record
from autograd.testing import OPERATIONS, RELATIVE_STEP, expressions, operation_inputs

# Every operation gets its own examples, a quarter of the profile's (25 each, 500 under HYPOTHESIS_PROFILE=thorough).
per_operation = settings(max_examples=max(10, settings.default.max_examples // 4))
every_operation = pytest.mark.parametrize("name", sorted(OPERATIONS))


def _sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


def _zeros(n):
    return lambda *xs: [[0] * n for _ in range(n)]


# Each operation's Hessian in closed form, on mpmath numbers: no overflow, no underflow, no cancellation where a
# stable form exists (1 - 2 sigmoid(x) = -tanh(x/2); sigmoid(x)(1 - sigmoid(x)) = sigmoid(x) sigmoid(-x)).
SECOND = {
    "add": _zeros(2), "sub": _zeros(2), "neg": _zeros(1), "add_const": _zeros(1), "const_add": _zeros(1),
    "sub_const": _zeros(1), "const_sub": _zeros(1), "mul_const": _zeros(1), "const_mul": _zeros(1),
    "div_const": _zeros(1), "sum": _zeros(3), "relu": _zeros(1), "abs": _zeros(1),
    "mul": lambda a, b: [[0, 1], [1, 0]],
    "div": lambda a, b: [[0, -1 / b**2], [-1 / b**2, 2 * a / b**3]],
    "const_div": lambda a: [[4 / a**3]],
    "square": lambda a: [[2]],
    "cube": lambda a: [[6 * a]],
    "reciprocal": lambda a: [[2 / a**3]],
    "pow_half": lambda a: [[-a ** mpmath.mpf(-1.5) / 4]],
    "const_pow": lambda a: [[2**a * mpmath.log(2) ** 2]],
    "pow": lambda a, b: [[b * (b - 1) * a ** (b - 2), a ** (b - 1) * (1 + b * mpmath.log(a))],
                         [a ** (b - 1) * (1 + b * mpmath.log(a)), a**b * mpmath.log(a) ** 2]],
    "exp": lambda a: [[mpmath.exp(a)]],
    "log": lambda a: [[-1 / a**2]],
    "sqrt": lambda a: [[-a ** mpmath.mpf(-1.5) / 4]],
    "tanh": lambda a: [[-2 * mpmath.tanh(a) * mpmath.sech(a) ** 2]],
    "sigmoid": lambda a: [[-_sigmoid(a) * _sigmoid(-a) * mpmath.tanh(a / 2)]],
    "softplus": lambda a: [[_sigmoid(a) * _sigmoid(-a)]],
    "dot": lambda a, b, c: [[0, 0, 1], [0, 0, 0], [1, 0, 0]],  # a*c + b*3
}


def closed_form(name, xs):
    """The exact Hessian of OPERATIONS[name] at the floats xs, rounded once to floats (inf where it overflows)."""
    with mpmath.workprec(200):
        exact = SECOND[name](*(mpmath.mpf(x) for x in xs))
        return np.array([[float(e) for e in row] for row in exact])


def test_every_operation_has_a_closed_form_second_derivative():
    assert sorted(SECOND) == sorted(OPERATIONS)


@every_operation
@per_operation
@given(data=st.data())
def test_every_second_derivative_matches_its_closed_form(name, data):
    xs = data.draw(operation_inputs(name))
    exact = closed_form(name, xs)
    H = hessian(OPERATIONS[name].apply, xs)
    assert H.shape == exact.shape
    assert not np.isnan(H).any(), (name, xs, H)  # the exact one never is
    finite = np.isfinite(exact)
    overflow = np.isinf(exact)
    assert (H[overflow] == exact[overflow]).all(), (name, xs, H, exact)  # an overflow keeps its sign
    scale = max(1.0, np.abs(exact[finite]).max(initial=0.0))
    assert np.allclose(H[finite], exact[finite], rtol=1e-9, atol=1e-13 * scale), (name, xs, H, exact)


@every_operation
@per_operation
@given(data=st.data())
def test_every_second_derivative_matches_central_differences_of_the_gradient(name, data):
    xs = data.draw(operation_inputs(name))
    op, relative = OPERATIONS[name], name in RELATIVE_STEP
    steps = [_step(x, relative) for x in xs]
    around = [analytic_grad(op.apply, xs[:i] + [x + s] + xs[i + 1:]) for i, (x, s) in enumerate(zip(xs, steps))]
    around += [analytic_grad(op.apply, xs[:i] + [x - s] + xs[i + 1:]) for i, (x, s) in enumerate(zip(xs, steps))]
    largest = max(abs(g) for gs in around + [analytic_grad(op.apply, xs)] for g in gs)
    if not math.isfinite(largest) or not np.isfinite(closed_form(name, xs)).all():
        return  # a gradient or a second derivative beyond the floats: differences say nothing (closed form above)
    if name in ("relu", "abs") and abs(xs[0]) <= steps[0]:
        return  # a step reaching the kink at 0 (the domain allows |x| = 1e-6): the slope jumps there
    rounding = 8 * math.ulp(largest) / min(steps)  # in g(x + h) - g(x - h), divided by 2h
    assert gradgradcheck(op.apply, xs, rtol=1e-4, atol=1e-9 + rounding, relative=relative)


def _step(x, relative):
    """The step numerical_grad (and so gradgradcheck) takes at x."""
    h = 1e-6 * abs(x) if relative else 0.0
    return h or 1e-6 * max(1.0, abs(x))


@pytest.mark.parametrize("name, x, expected", [
    ("tanh", 800.0, 0.0), ("tanh", -800.0, 0.0), ("tanh", 1e300, 0.0), ("tanh", -1e300, 0.0), ("tanh", 0.0, 0.0),
    ("sigmoid", 1e300, 0.0), ("sigmoid", -1e300, 0.0), ("sigmoid", 800.0, 0.0), ("sigmoid", -800.0, 0.0),
    ("sigmoid", 0.0, 0.0), ("softplus", 1e300, 0.0), ("softplus", -1e300, 0.0), ("softplus", 800.0, 0.0),
    ("softplus", -800.0, 0.0), ("softplus", 1e-300, 0.25), ("exp", -1e300, 0.0), ("exp", -745.5, 0.0),
    ("exp", 0.0, 1.0), ("relu", 0.0, 0.0), ("relu", -1e300, 0.0), ("relu", 1e300, 0.0), ("abs", 0.0, 0.0),
    ("abs", -1e300, 0.0), ("abs", 1e300, 0.0), ("log", 1e300, -1e-600), ("log", 1e-300, -math.inf),
    ("sqrt", 1e300, 0.0), ("sqrt", 1e-300, -math.inf), ("pow_half", 1e300, 0.0), ("reciprocal", 1e150, 2e-450),
    ("reciprocal", -1e-150, -math.inf), ("const_div", 1e-150, math.inf), ("const_pow", -1000.0, None),
    ("const_pow", 1000.0, None), ("cube", -1e100, -6e100), ("square", 1e150, 2.0), ("neg", 1e300, 0.0),
    ("mul_const", 1e307, 0.0), ("div_const", -1e300, 0.0),
])
def test_second_derivatives_at_the_extremes_are_exact_and_never_nan(name, x, expected):
    """No exception, no nan where the answer is finite, and the closed form's value (-1e-600 underflows to -0)."""
    H = hessian(OPERATIONS[name].apply, [x])
    expected = closed_form(name, [x])[0, 0] if expected is None else float(expected)
    assert H[0, 0] == pytest.approx(expected, rel=1e-12, abs=0.0)


@pytest.mark.parametrize("name, xs", [
    ("mul", [1e150, -1e150]), ("div", [1e100, 1e100]), ("div", [1e-100, 1e-100]), ("div", [-1e100, 1e-100]),
    ("pow", [1e-3, 5.0]), ("pow", [1e3, -5.0]), ("pow", [1e3, 5.0]), ("pow", [1.0, 1e-300]),
    ("sum", [1e300, -1e300, 1.0]), ("dot", [1e100, 1e100, -1e100]), ("add", [1e307, 1e307]), ("sub", [-1e307, 1e307]),
])
def test_second_derivatives_of_two_or_three_inputs_at_the_extremes(name, xs):
    H, exact = hessian(OPERATIONS[name].apply, xs), closed_form(name, xs)
    assert not np.isnan(H).any()
    assert np.allclose(H, exact, rtol=1e-12, atol=0.0) and (np.isinf(H) == np.isinf(exact)).all(), (H, exact)


@given(expressions())
def test_random_expression_graphs_have_the_second_derivatives_of_finite_differences(expr):
    assert gradgradcheck(expr, expr.inputs, rtol=1e-4, atol=1e-6)


def test_pow_mixed_second_derivative_at_a_zero_exponent():
    """a^b at a = 2, b = 0: d2y/da db = a^(b-1) (1 + b ln a) = 1/2, whichever way it is taken."""
    assert hessian(lambda a, b: a ** b, [2.0, 0.0])[0, 1] == 0.5


def test_softplus_second_derivative_at_zero():
    assert hessian(lambda x: x.softplus(), [0.0])[0, 0] == 0.25


def test_the_second_order_property_fails_on_a_wrong_second_derivative():
    """x^3 as a custom operation whose slope rule says 3x^2 + x/1000: the first order is right, the second is not."""
    def cube(x):
        return record(x.data ** 3, [x], [3 * x.data ** 2], "cube", local_grads_rule=lambda x: [3 * x * x + x / 1000])
    with pytest.raises(GradcheckError, match="d2f/dx0dx0"):
        gradgradcheck(cube, [0.7], rtol=1e-4)
    assert gradgradcheck(lambda x: x ** 3, [0.7], rtol=1e-4)


def derivative(g, t, order):
    """The order-th derivative of g, a function of one Value, at the float t: backward(create_graph=True) again and
    again, the last pass a plain one."""
    t = Value(t)
    out = g(t)
    for k in range(order):
        if not isinstance(out, Value):  # a number that depends on nothing: what follows is 0
            return 0.0
        out.backward(create_graph=k < order - 1)
        out, t.grad = t.grad, 0.0
    return out.data if isinstance(out, Value) else out


def along_scale(name, xs, direction):
    """v: each input's own scale (|x| where a pole sits at 0, else max(1, |x|)), at most 1e50, times direction's
    entry. The cap: g3 = f3 v^3, and where f3 is subnormal (log's 2/x^3 at x = 1e107) it has lost digits that
    v^3 would bring into view; capped, such a term stays far below the tolerance."""
    relative = name in RELATIVE_STEP
    return [d * min(1e50, abs(x) if relative and x else max(1.0, abs(x))) for x, d in zip(xs, direction)]


def along(name, xs, direction):
    """t -> f(xs + t v) for OPERATIONS[name] = f and v = along_scale(): t's steps are relative to the inputs."""
    f, v = OPERATIONS[name].apply, along_scale(name, xs, direction)
    return lambda t: f(*(x + t * d for x, d in zip(xs, v)))


@every_operation
@per_operation
@given(data=st.data())
def test_every_third_derivative_matches_central_differences_of_the_second(name, data):
    """Along a direction through every input: d3/dt3 f(x + t v) by create_graph twice, against central differences
    (g''(h) - g''(-h)) / 2h of the second."""
    xs = data.draw(operation_inputs(name))
    direction = data.draw(st.lists(st.sampled_from([1.0, -1.0, 0.5, -0.25]), min_size=len(xs), max_size=len(xs)))
    g, h = along(name, xs, direction), 1e-6
    second = [derivative(g, t, 2) for t in (h, -h)]
    third = derivative(g, 0.0, 3)
    scale = np.abs(np.array(along_scale(name, xs, direction)))
    with np.errstate(over="ignore"):  # the largest sum g'' adds up: its rounding scales with it
        terms = scale @ np.abs(closed_form(name, xs)) @ scale
    if not all(map(math.isfinite, second + [third, terms])):
        return  # beyond the floats (exp near 700 along its own scale): differences say nothing
    numeric = (second[0] - second[1]) / (2 * h)
    rounding = 8 * math.ulp(max(terms, *map(abs, second))) / h
    assert third == pytest.approx(numeric, rel=1e-3, abs=1e-9 + rounding), (name, xs, direction, third, numeric)


@pytest.mark.parametrize("name, exact", [("sigmoid", -0.125), ("tanh", -2.0)])
def test_third_derivatives_of_sigmoid_and_tanh_at_zero(name, exact):
    assert derivative(OPERATIONS[name].apply, 0.0, 3) == exact


def test_third_derivative_of_pow_through_an_exponent_of_one():
    assert derivative(lambda t: (1 + t) ** (1 + t), 0.0, 3) == pytest.approx(3.0, rel=1e-12)


def test_third_derivatives_by_create_graph_twice():
    """d3/dx3 tanh x = -2 sech^2 x (1 - 3 tanh^2 x): backward(create_graph=True) on a gradient that is a graph."""
    x = Value(0.4)
    x.tanh().backward(create_graph=True)
    g = x.grad
    x.grad = 0.0
    g.backward(create_graph=True)
    g2 = x.grad
    x.grad = 0.0
    g2.backward()
    t = math.tanh(0.4)
    assert x.grad == pytest.approx(-2 * (1 - t * t) * (1 - 3 * t * t), rel=1e-12)
