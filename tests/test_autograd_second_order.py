"""Second (and higher) derivatives: backward(create_graph=True), the functional API, gradgradcheck.

Each operation's second derivative is checked against its closed form, at ordinary points and at IEEE extremes;
arrays (matrix products, reductions, broadcasting) against central differences of the first-order gradient.
"""

import copy
import math
import pickle

import numpy as np
import pytest

import autograd
from autograd import (GradcheckError, Value, detect_anomaly, dot, grad, gradgradcheck, hessian, hvp, no_grad,
                      record, value_and_grad)


def derivatives(f, x: float, order: int) -> list[float]:
    """f(x)'s first `order` derivatives at x, each by backward(create_graph=True) on the one before."""
    v = Value(x)
    out, found = f(v), []
    for _ in range(order):
        v.grad = 0.0
        out.backward(create_graph=True)
        out = v.grad if isinstance(v.grad, Value) else Value(v.grad)  # a float: nothing under out depends on v
        found.append(out.data)
    return found


def sech2(x):
    return 1.0 / math.cosh(x) ** 2


def sig(x):
    return 1.0 / (1.0 + math.exp(-x))


CLOSED_FORMS = [  # f, x, f', f''
    ("tanh", lambda v: v.tanh(), 0.7, sech2(0.7), -2 * math.tanh(0.7) * sech2(0.7)),
    ("sigmoid", lambda v: v.sigmoid(), -1.3, sig(-1.3) * (1 - sig(-1.3)),
     sig(-1.3) * (1 - sig(-1.3)) * (1 - 2 * sig(-1.3))),
    ("softplus", lambda v: v.softplus(), 0.4, sig(0.4), sig(0.4) * (1 - sig(0.4))),
    ("exp", lambda v: v.exp(), 1.5, math.exp(1.5), math.exp(1.5)),
    ("log", lambda v: v.log(), 2.5, 1 / 2.5, -1 / 2.5 ** 2),
    ("sqrt", lambda v: v.sqrt(), 2.0, 0.5 / math.sqrt(2.0), -0.25 * 2.0 ** -1.5),
    ("x**3", lambda v: v ** 3, -1.2, 3 * 1.2 ** 2, 6 * -1.2),
    ("x**-2", lambda v: v ** -2.0, 0.8, -2 * 0.8 ** -3, 6 * 0.8 ** -4),
    ("2**x", lambda v: 2.0 ** v, 0.9, 2 ** 0.9 * math.log(2), 2 ** 0.9 * math.log(2) ** 2),
    ("3/x", lambda v: 3.0 / v, 1.7, -3 / 1.7 ** 2, 6 / 1.7 ** 3),
    ("x/4", lambda v: v / 4.0, 1.7, 0.25, 0.0),
    ("x*x", lambda v: v * v, -0.6, -1.2, 2.0),
    ("2*x+1", lambda v: 2 * v + 1, 3.0, 2.0, 0.0),
    ("1-x", lambda v: 1 - v, 3.0, -1.0, 0.0),
    ("-x", lambda v: -v, 3.0, -1.0, 0.0),
    ("relu", lambda v: v.relu(), 0.5, 1.0, 0.0),
    ("abs", lambda v: abs(v), -0.5, -1.0, 0.0),
    ("x.sum()", lambda v: (v * v).sum(), 0.5, 1.0, 2.0),
    ("x.T", lambda v: (v * v).T, 0.5, 1.0, 2.0),
    ("sum([x, x*x, 2])", lambda v: autograd.sum([v, v * v, 2.0]), 0.5, 2.0, 2.0),
    ("dot([x, x], [x, 3])", lambda v: dot([v, v], [v, 3.0]), 0.5, 4.0, 2.0),
]


@pytest.mark.parametrize("name, f, x, first, second", CLOSED_FORMS, ids=[c[0] for c in CLOSED_FORMS])
def test_second_derivative_of_each_operation_is_its_closed_form(name, f, x, first, second):
    d1, d2 = derivatives(f, x, 2)
    assert d1 == pytest.approx(first, rel=1e-12, abs=1e-15)
    assert d2 == pytest.approx(second, rel=1e-12, abs=1e-15)


def test_the_issues_example():
    x = Value(0.5)
    y = (x * x).tanh()
    y.backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Value) and g.data == pytest.approx(2 * 0.5 * sech2(0.25), rel=1e-14)
    x.grad = 0.0
    g.backward()
    t = math.tanh(0.25)
    assert type(x.grad) is float
    assert x.grad == pytest.approx(2 * sech2(0.25) - 8 * 0.25 * t * sech2(0.25), rel=1e-13)


def test_third_derivatives():
    assert derivatives(lambda v: v ** 4, 1.5, 3) == pytest.approx([4 * 1.5 ** 3, 12 * 1.5 ** 2, 24 * 1.5])
    assert derivatives(lambda v: v.exp(), 0.3, 4) == pytest.approx([math.exp(0.3)] * 4)
    t, s = math.tanh(0.4), sech2(0.4)  # tanh''' = -2 sech^4 + 4 tanh^2 sech^2
    assert derivatives(lambda v: v.tanh(), 0.4, 3)[2] == pytest.approx(-2 * s * s + 4 * t * t * s, rel=1e-12)
    assert derivatives(lambda v: v.log(), 2.0, 3) == pytest.approx([0.5, -0.25, 0.25])


def test_smooth_functions_keep_their_curvature_at_zero():
    # ops.py's slopes use exp(-|x|), whose |x| has slope 0 at 0: rebuilt from it, these would all be 0 here
    assert derivatives(lambda v: v.softplus(), 0.0, 2)[1] == 0.25
    assert derivatives(lambda v: v.sigmoid(), 0.0, 3)[2] == pytest.approx(-1 / 8, rel=1e-15)
    assert derivatives(lambda v: v.tanh(), 0.0, 3)[2] == pytest.approx(-2.0, rel=1e-15)


def test_power_keeps_its_mixed_derivative_where_the_exponent_is_zero():
    np.testing.assert_allclose(hessian(lambda a, b: a ** b, [2.0, 0.0]), [[0, 0.5], [0.5, math.log(2) ** 2]],
                               rtol=1e-15)
    assert derivatives(lambda t: (1 + t) ** (1 + t), 0.0, 3) == pytest.approx([1.0, 2.0, 3.0], rel=1e-15)
    assert hessian(lambda a, b: a ** b, [0.0, 0.0]).tolist() == [[0.0, 0.0], [0.0, 0.0]]  # no nan at 0^0


def test_kinks_have_second_derivative_zero_as_in_pytorch():
    for f in (lambda v: v.relu(), lambda v: abs(v)):
        assert derivatives(f, 0.0, 2) == [0.0, 0.0]


@pytest.mark.parametrize("name, f, x, second", [
    ("tanh at 800", lambda v: v.tanh(), 800.0, 0.0),
    ("tanh at -800", lambda v: v.tanh(), -800.0, 0.0),
    ("tanh at 20", lambda v: v.tanh(), 20.0, -2 * math.tanh(20.0) * 4 * math.exp(-40.0)),
    ("sigmoid at 1e300", lambda v: v.sigmoid(), 1e300, 0.0),
    ("sigmoid at -1e300", lambda v: v.sigmoid(), -1e300, 0.0),
    ("softplus at 1e300", lambda v: v.softplus(), 1e300, 0.0),
    ("softplus at -1e300", lambda v: v.softplus(), -1e300, 0.0),
    ("exp at -1e300", lambda v: v.exp(), -1e300, 0.0),
    ("x**2 at 0", lambda v: v ** 2, 0.0, 2.0),
    ("x**1 at 0", lambda v: v ** 1.0, 0.0, 0.0),
    ("x**0 at 0", lambda v: v ** 0.0, 0.0, 0.0),
], ids=lambda p: p if isinstance(p, str) else "")
def test_extremes_give_the_finite_answer_without_nan(name, f, x, second):
    with np.errstate(all="raise"):  # numpy's warnings stay quiet inside the engine even so
        d2 = derivatives(f, x, 2)[1]
    assert d2 == pytest.approx(second, rel=1e-9, abs=1e-300)


def test_power_with_a_value_exponent():
    a, b = 1.3, 2.2
    H = hessian(lambda x, y: x ** y, [a, b])
    expected = [[b * (b - 1) * a ** (b - 2), a ** (b - 1) * (1 + b * math.log(a))],
                [a ** (b - 1) * (1 + b * math.log(a)), a ** b * math.log(a) ** 2]]
    np.testing.assert_allclose(H, expected, rtol=1e-12)
    H = hessian(lambda x, y: y ** x, [a, b])  # y^x
    np.testing.assert_allclose(H[0, 0], b ** a * math.log(b) ** 2, rtol=1e-12)


def test_division_of_two_values():
    a, b = 0.7, -1.9
    np.testing.assert_allclose(hessian(lambda x, y: x / y, [a, b]),
                               [[0, -1 / b ** 2], [-1 / b ** 2, 2 * a / b ** 3]], rtol=1e-12, atol=1e-300)


def test_dot_pairs_values_and_keeps_constants_constant():
    f = lambda w1, w2, x1: dot([w1, w2], [x1, 2.0]) * w2  # noqa: E731  w1 x1 w2 + 2 w2^2
    np.testing.assert_allclose(hessian(f, [0.3, -0.4, 1.1]),
                               [[0, 1.1, -0.4], [1.1, 4.0, 0.3], [-0.4, 0.3, 0]], atol=1e-15)


@pytest.mark.parametrize("name, f, inputs", [
    ("W @ X, both Values", lambda W, X: ((W @ X).tanh() ** 2).mean(),
     [np.arange(6.0).reshape(2, 3) / 7 - 0.3, np.arange(12.0).reshape(3, 4) / 11 - 0.5]),
    ("matrix @ vector", lambda W, x: ((W @ x).sigmoid()).sum(), [np.array([[0.2, -0.5], [1.0, 0.3]]),
                                                                  np.array([0.7, -0.2])]),
    ("vector @ matrix", lambda x, W: ((x @ W) ** 3).sum(), [np.array([0.7, -0.2]),
                                                             np.array([[0.2, -0.5, 0.1], [1.0, 0.3, -0.4]])]),
    ("vector @ vector", lambda x, y: (x @ y).tanh(), [np.array([0.7, -0.2]), np.array([0.4, 0.9])]),
    ("constant @ W", lambda W: ((np.array([[1.0, 2.0], [0.5, -1.0]]) @ W).exp()).sum(),
     [np.array([[0.1, -0.2], [0.3, 0.05]])]),
    ("b (3,1) broadcast over Z (3,4)", lambda b, Z: ((Z + b).tanh() * (Z + b)).sum(),
     [np.array([[0.1], [-0.2], [0.3]]), np.arange(12.0).reshape(3, 4) / 10 - 0.6]),
    ("a number over a batch", lambda a, x: (a * x).sigmoid().mean(), [0.8, np.array([0.5, -1.0, 2.0])]),
    ("sum over axis 0", lambda X: (X.sum(axis=0) ** 2).sum(), [np.arange(6.0).reshape(2, 3) / 5]),
    ("mean over axis 1, keepdims", lambda X: (X.mean(axis=1, keepdims=True).exp() * X).sum(),
     [np.arange(6.0).reshape(2, 3) / 5 - 0.4]),
    ("transpose", lambda X: ((X.T @ X) ** 2).sum(), [np.array([[0.1, 0.4], [-0.3, 0.2], [0.5, 0.6]])]),
    ("reshape", lambda X: ((X.reshape(3, 2) ** 3).sum(axis=1) ** 2).sum(), [np.arange(6.0).reshape(2, 3) / 5]),
    ("weight vector with a batch X", lambda w: dot(w, np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]])).sigmoid()
     .log().mean(), [np.array([0.3, -0.2])]),
    ("weights as Values with a batch X", lambda a, b: dot([a, b], np.array([[1.0, 2.0], [0.5, -1.0]])).tanh()
     .sum(), [0.3, -0.2]),
    ("divide and power of arrays", lambda x, y: (x / y + x ** y).sum(), [np.array([0.5, 1.5]),
                                                                       np.array([2.0, -0.7])]),
    ("relu and abs of arrays", lambda x: (x.relu() * abs(x) * x).sum(), [np.array([0.5, -1.5, 2.0])]),
    ("a layer's affine W @ A + b", lambda W, A, b: (autograd.affine(W, A, b).tanh() ** 2).sum(),
     [np.array([[0.3, -0.2], [0.1, 0.5]]), np.array([[1.0, -0.5, 0.2], [0.4, 0.3, -1.0]]), np.array([[0.1], [-0.2]])]),
    ("affine with constant inputs", lambda W, b: (autograd.affine(W, np.array([[1.0, -0.5], [0.4, 0.3]]), b)
     .sigmoid() * 2.0).sum(), [np.array([[0.3, -0.2]]), np.array([[0.1]])]),
])
def test_arrays_against_differences_of_the_gradient(name, f, inputs):
    assert gradgradcheck(f, inputs, rtol=1e-6, atol=1e-7)


def test_hvp_is_the_hessian_times_v_and_grad_is_backward():
    f = lambda x, y: (x * y).tanh() + x.exp()  # noqa: E731
    H = hessian(f, [0.3, -0.7])
    np.testing.assert_allclose(hvp(f, [0.3, -0.7], [1.0, 2.0]), H @ [1.0, 2.0], rtol=1e-14)
    np.testing.assert_allclose(H, H.T, rtol=1e-14)
    x, y = Value(0.3), Value(-0.7)
    f(x, y).backward()
    assert grad(f)(0.3, -0.7) == (x.grad, y.grad)
    assert grad(f, 1)(0.3, -0.7) == y.grad
    assert grad(f, (1, 0))(0.3, -0.7) == (y.grad, x.grad)
    value, g = value_and_grad(f)(0.3, -0.7)
    assert value == f(Value(0.3), Value(-0.7)).data and g == (x.grad, y.grad)
    assert grad(lambda v: v * v)(3.0) == 6.0  # one argument: the gradient itself
    w = np.array([1.0, -2.0])
    q = lambda w: 0.5 * (w @ (np.array([[2.0, 1.0], [1.0, 3.0]]) @ w))  # noqa: E731
    np.testing.assert_allclose(hessian(q, [w]), [[2.0, 1.0], [1.0, 3.0]])
    out = hvp(q, [w], [np.array([1.0, 1.0])])
    assert out[0].shape == (2,) and np.allclose(out[0], [3.0, 4.0])


def test_an_input_that_f_does_not_use_has_zero_derivatives():
    np.testing.assert_array_equal(hessian(lambda x, y: x * x, [1.0, np.array([2.0, 3.0])]),
                                  [[2, 0, 0], [0, 0, 0], [0, 0, 0]])
    assert grad(lambda x, y: x * 2)(1.0, 5.0) == (2.0, 0.0)


def test_functional_api_errors_name_the_problem():
    with pytest.raises(ValueError, match="single number.*shape"):
        grad(lambda x: x * 2)(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="must return a Value"):
        hessian(lambda x: 3.0, [1.0])
    with pytest.raises(TypeError, match="Value"):
        grad(lambda x: x)(Value(1.0))
    with pytest.raises(TypeError, match="number"):
        grad(lambda x: x)("1.0")
    with pytest.raises(ValueError, match="argnums"):
        grad(lambda x, y: x * y, 2)(1.0, 2.0)
    for argnums in (True, 1.5, [0, True]):  # not a position: a bool is not one either
        with pytest.raises(ValueError, match="argnums must be positions"):
            grad(lambda x, y: x * y, argnums)(1.0, 2.0)
    with pytest.raises(ValueError, match="shape"):
        hvp(lambda x: (x * x).sum(), [np.ones(3)], [np.ones(2)])
    with pytest.raises(ValueError, match="one entry per argument"):
        hvp(lambda x: x * x, [1.0], [1.0, 2.0])
    with pytest.raises(TypeError, match="list"):
        hessian(lambda x: x * x, 1.0)


def test_gradgradcheck_catches_a_wrong_second_derivative_with_a_table():
    right = lambda x: record(x.data ** 3, [x], [3 * x.data ** 2], "cube",  # noqa: E731
                             local_grads_rule=lambda x: [3 * x * x])
    assert gradgradcheck(right, [0.7])
    wrong = lambda x: record(x.data ** 3, [x], [3 * x.data ** 2], "cube",  # noqa: E731
                             local_grads_rule=lambda x: [3 * x * 0.7])  # 2.1 x: right at 0.7, wrong slope
    with pytest.raises(GradcheckError) as error:
        gradgradcheck(wrong, [0.7])
    table = str(error.value)
    assert "1 of 1 entries" in table and "d2f/dx0dx0" in table and "2.1" in table and "4.2" in table


def test_record_without_a_rule_refuses_second_order_clearly_and_first_order_still_works():
    x = Value(0.7)
    y = record(x.data ** 3, [x], [3 * x.data ** 2], "cube")
    y.backward()
    assert x.grad == pytest.approx(3 * 0.49)
    with pytest.raises(ValueError, match="'cube'.*local_grads_rule"):
        y.backward(create_graph=True)
    with pytest.raises(TypeError, match="local_grads_rule"):
        record(1.0, [x], [1.0], "f", local_grads_rule=3.0)


def test_record_named_like_a_builtin_uses_its_own_rule():
    # a custom op called "exp" is not mistaken for exp: its rule is record()'s, kept through pickle and deepcopy
    x = Value(0.5)
    y = record(x.data ** 2, [x], [2 * x.data], "exp", local_grads_rule=_double)
    for node in (y, pickle.loads(pickle.dumps(y)), copy.deepcopy(y)):
        leaf = node.parents[0]
        node.backward(create_graph=True)
        g = leaf.grad
        leaf.grad = 0.0
        g.backward()
        assert leaf.grad == 2.0


def _double(x):
    return [2 * x]


def test_leaves_accumulate_and_first_order_is_unchanged():
    x = Value(2.0)
    x.grad = 1.0
    (x * x).backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 5.0
    z = Value(2.0)
    (z * z).backward()
    assert type(z.grad) is float and z.grad == 4.0
    leaf = Value(3.0)
    leaf.backward(create_graph=True)  # a leaf as root: dx/dx = 1, a constant Value
    assert isinstance(leaf.grad, Value) and leaf.grad.data == 1.0


def test_every_node_grad_is_a_value_and_a_constant_gradient_is_a_constant():
    a, b = Value(5.0), Value(3.0)
    u = a * b
    J = 3 * u + a
    J.backward(create_graph=True)
    assert all(isinstance(v.grad, Value) for v in (a, b, u, J))
    assert (a.grad.data, b.grad.data, u.grad.data) == (10.0, 15.0, 3.0)
    assert u.grad.parents == ()  # dJ/du = 3 depends on nothing


def test_no_grad_makes_the_recorded_backward_constant():
    x = Value(0.5)
    y = x.tanh()
    with no_grad():
        y.backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Value) and g.parents == () and g.data == pytest.approx(sech2(0.5))


def test_detect_anomaly_stops_at_the_backward_operation_that_makes_inf():
    x = Value(0.0)
    y = x.sqrt()
    y.backward(create_graph=True)  # d sqrt(x)/dx = inf at 0: allowed, as IEEE says
    assert x.grad.data == math.inf
    x.grad = 0.0
    with detect_anomaly(), pytest.raises(FloatingPointError, match="inf"):
        y.backward(create_graph=True)


def test_comparisons_read_the_data_and_equality_stays_identity():
    a, b = Value(1.0), Value(2.0)
    assert a < b and a <= 1.0 and b > a and b >= 2.0 and not a > b
    np.testing.assert_array_equal(Value(np.array([1.0, -1.0])) >= 0, [True, False])
    assert a != Value(1.0) and a == a and {a: 1}[a] == 1


def test_reshape_is_one_node_with_clear_errors():
    x = Value(np.arange(6.0))
    y = x.reshape(2, 3)
    assert y.shape == (2, 3) and y.parents == (x,) and y.op == "reshape"
    (y * np.arange(6.0).reshape(2, 3)).sum().backward()
    np.testing.assert_array_equal(x.grad, np.arange(6.0))
    assert x.reshape((3, -1)).shape == (3, 2)
    with pytest.raises(ValueError, match=r"reshape.*\(6,\)"):
        x.reshape(4, 2)
    with pytest.raises(ValueError, match="transpose"):
        Value(np.ones((2, 2))).transpose((1, 0))
    assert np.transpose(Value(np.ones((2, 3)))).shape == (3, 2)


def test_the_collector_is_paused_only_during_the_recorded_pass_and_restored_after_errors():
    import gc
    x = Value(0.5)
    (x * x).backward(create_graph=True)
    assert gc.isenabled()
    gc.disable()
    try:
        (x * x).backward(create_graph=True)
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
    with pytest.raises(ValueError):
        record(1.0, [x], [1.0], "f").backward(create_graph=True)
    assert gc.isenabled()


def test_a_parents_first_array_contribution_is_never_an_alias_of_another_gradient():
    # backward() stores a parent's first contribution as its grad without a copy, when it is a new array: a view
    # (X.T's gradient is a transposed view of Y's) must be copied, or X's later contributions would change Y.grad
    for first_transpose in (True, False):
        X = Value(np.arange(6.0).reshape(2, 3))
        Y = X.T
        parts = [(Y * Y).sum(), (X * X).sum()]
        L = parts[0] + parts[1] if first_transpose else parts[1] + parts[0]
        L.backward()
        np.testing.assert_array_equal(Y.grad, 2 * Y.data)
        np.testing.assert_array_equal(X.grad, 4 * X.data)


def test_an_array_leaf_adds_its_contributions_to_a_number_it_held():
    w = Value(np.array([1.0, 2.0, 3.0]))
    w.grad = 2.0  # a number, as after w.grad = 2.0 by hand: leaves accumulate, so it stays in the sum
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad, [4.0, 6.0, 8.0])


def test_hessian_and_hvp_inside_no_grad_are_the_same_as_outside():
    cube = lambda x: (x * x * x).sum()  # noqa: E731
    with no_grad():
        np.testing.assert_array_equal(hessian(cube, [np.array([1.0, 2.0])]), [[6.0, 0.0], [0.0, 12.0]])
        assert hvp(lambda x: x * x * x, [2.0], [1.0]) == [12.0]
        gradgradcheck(lambda x: (x * x).tanh().sum(), [np.array([0.3, -0.2])])


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_a_copied_dot_keeps_its_mixed_second_derivatives(how):
    w, x, y = Value(0.3), Value(-0.7), Value(2.0)
    J0 = dot([w, 2.0], [x, y]) + dot([Value(np.array([0.3, 0.4]))], [Value(np.array([1.0, 2.0]))]).sum()
    J = pickle.loads(pickle.dumps(J0)) if how == "pickle" else copy.deepcopy(J0)
    scalar, array = J.parents
    w2, x2, y2 = scalar.parents
    W2, X2 = array.parents[0].parents
    J.backward(create_graph=True)
    gw, gW = w2.grad, W2.grad
    x2.grad = y2.grad = X2.grad = 0.0
    (gw + gW.sum()).backward()  # d/dx and d/dX of dJ/dw and of the sum of dJ/dW
    assert x2.grad == pytest.approx(1.0) and y2.grad == 0.0  # y pairs with the constant 2.0: no cross term
    np.testing.assert_array_equal(X2.grad, [1.0, 1.0])


def test_detect_anomaly_stops_an_inf_made_by_constant_factors_in_the_recorded_backward():
    x = Value(1.0)
    y = x * 1e-300 * 1e300 * 1e300  # finite forward; backward multiplies the constants 1e300 * 1e300
    with detect_anomaly(), pytest.raises(FloatingPointError, match="gradient inf"):
        y.backward(create_graph=True)
    with detect_anomaly(), pytest.raises(FloatingPointError, match="gradient inf"):
        y.backward()  # as the first-order pass does
