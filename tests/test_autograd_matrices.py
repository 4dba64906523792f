"""Values that hold matrices: broadcasting, the matrix product, reductions, as the course vectorizes by layer."""

import copy
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value


def numeric(f, arrays, eps=1e-6):
    """Central differences of f (arrays -> float) for every entry of every array."""
    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a)
        for j in np.ndindex(a.shape):
            up, down = [x.copy() for x in arrays], [x.copy() for x in arrays]
            up[i][j] += eps
            down[i][j] -= eps
            g[j] = (f(*up) - f(*down)) / (2 * eps)
        grads.append(g)
    return grads


def test_a_two_layer_network_matches_the_course_formulas():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(3, 5)), (rng.random((1, 5)) > 0.5).astype(float)
    W1, b1, W2, b2 = (Value(rng.normal(size=s)) for s in [(4, 3), (4, 1), (1, 4), (1, 1)])
    A1 = (W1 @ X + b1).tanh()
    A2 = (W2 @ A1 + b2).sigmoid()
    J = -(Y * A2.log() + (1 - Y) * (1 - A2).log()).mean()
    J.backward()
    # the course's backward pass, week 3: dZ2 = A2 - Y, dW2 = dZ2 A1.T / m, db2 = mean of dZ2, dZ1 = W2.T dZ2 * (1 - A1^2)
    m, a1, a2 = 5, A1.data, A2.data
    dZ2 = a2 - Y
    dZ1 = W2.data.T @ dZ2 * (1 - a1 ** 2)
    np.testing.assert_allclose(W2.grad, dZ2 @ a1.T / m, rtol=1e-12)
    np.testing.assert_allclose(b2.grad, dZ2.sum(axis=1, keepdims=True) / m, rtol=1e-12)
    np.testing.assert_allclose(W1.grad, dZ1 @ X.T / m, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(b1.grad, dZ1.sum(axis=1, keepdims=True) / m, rtol=1e-12, atol=1e-15)
    assert W1.grad.shape == (4, 3) and b1.grad.shape == (4, 1) and type(J.data) is float


@pytest.mark.parametrize("left, right", [((2, 3), (3, 4)), ((2, 3), (3,)), ((3,), (3, 4)), ((3,), (3,))])
@pytest.mark.parametrize("constant", [None, "left", "right"])
def test_the_matrix_product_is_one_node_with_the_right_gradients(left, right, constant):
    rng = np.random.default_rng(1)
    a0, b0 = rng.normal(size=left), rng.normal(size=right)
    weights = rng.normal(size=np.shape(a0 @ b0))

    def f(a, b):
        return float(np.sum(np.tanh(a @ b) * weights))

    a, b = Value(a0), Value(b0)
    out = (a0 @ b if constant == "left" else a @ b0 if constant == "right" else a @ b)
    assert out.op in ("@", "r@") and len(out.parents) == (1 if constant else 2)
    (out.tanh() * weights).sum().backward() if out.shape else (out.tanh() * float(weights)).backward()
    da, db = numeric(f, [a0, b0])
    if constant != "left":
        np.testing.assert_allclose(a.grad, da, rtol=1e-6, atol=1e-9)
    if constant != "right":
        np.testing.assert_allclose(b.grad, db, rtol=1e-6, atol=1e-9)


def test_matrix_product_shapes_are_checked_with_both_named():
    with pytest.raises(ValueError, match=r"got shapes \(2, 3\) and \(2, 3\)"):
        Value(np.ones((2, 3))) @ Value(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"got shapes a number and \(3,\) \(use \* to scale"):
        Value(2.0) @ Value(np.ones(3))
    with pytest.raises(ValueError, match=r"got shapes \(2, 2, 2\) and \(2,\)"):
        Value(np.ones((2, 2, 2))) @ np.ones(2)


@pytest.mark.parametrize("op", ["sum", "mean"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_follow_numpy_and_spread_their_gradient_back(op, axis, keepdims):
    x0 = np.arange(6.0).reshape(2, 3) / 7
    x = Value(x0)
    y = getattr(x, op)(axis=axis, keepdims=keepdims)
    expected = getattr(np, op)(x0, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(y.data, expected, rtol=1e-15)
    assert y.shape == np.shape(expected) and (type(y.data) is float) == (np.ndim(expected) == 0 and not keepdims)
    weights = np.arange(1.0, 1.0 + np.size(expected)).reshape(np.shape(expected))
    (y * weights).sum().backward()
    (dx,) = numeric(lambda a: float(np.sum(getattr(np, op)(a, axis=axis, keepdims=keepdims) * weights)), [x0])
    np.testing.assert_allclose(x.grad, dx, rtol=1e-7)


def test_a_bad_axis_gets_our_error():
    with pytest.raises(ValueError, match=r"sum\(axis=2\) on a Value of shape \(2, 3\): axis must be .* from -2 to 1"):
        Value(np.ones((2, 3))).sum(axis=2)
    with pytest.raises(ValueError, match=r"sum\(axis=1180591620717411303424\) on a Value of shape \(2, 3\)"):
        Value(np.ones((2, 3))).sum(axis=2**70)  # beyond a C long: numpy's OverflowError before
    with pytest.raises(ValueError, match=r"mean\(axis=0\): this Value holds a single number"):
        Value(1.0).mean(axis=0)
    assert Value(2.5).sum().data == 2.5 and Value(2.5).mean().data == 2.5


def test_transpose_passes_the_gradient_back_transposed():
    x = Value(np.arange(6.0).reshape(2, 3))
    (x.T * np.arange(6.0).reshape(3, 2)).sum().backward()
    np.testing.assert_array_equal(x.grad, np.arange(6.0).reshape(3, 2).T)
    assert Value(3.0).T.data == 3.0 and Value(np.ones(3)).T.shape == (3,)


shapes = st.sampled_from([(), (1,), (3,), (1, 3), (2, 1), (2, 3), (1, 1), (2, 2, 3), (1, 2, 1)])


@settings(max_examples=60)
@given(a_shape=shapes, b_shape=shapes, op=st.sampled_from(["+", "-", "*", "/", "**"]), seed=st.integers(0, 99))
def test_broadcasting_sums_each_gradient_back_to_its_parent(a_shape, b_shape, op, seed):
    try:
        out_shape = np.broadcast_shapes(a_shape, b_shape)
    except ValueError:
        with pytest.raises(ValueError, match="cannot combine shapes"):
            Value(np.ones(a_shape) if a_shape else 1.0) + Value(np.ones(b_shape) if b_shape else 1.0)
        return
    rng = np.random.default_rng(seed)
    a0, b0 = rng.uniform(0.5, 2.0, size=a_shape), rng.uniform(0.5, 2.0, size=b_shape)
    weights = rng.normal(size=out_shape)
    fns = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "**": np.power}

    def value(x):
        return Value(float(x)) if np.ndim(x) == 0 else Value(x)

    a, b = value(a0), value(b0)
    out = {"+": a + b, "-": a - b, "*": a * b, "/": a / b, "**": a ** b}[op]
    assert out.shape == out_shape
    (out * weights).sum().backward() if out_shape else (out * float(weights)).backward()
    da, db = numeric(lambda x, y: float(np.sum(fns[op](x, y) * weights)), [np.array(a0), np.array(b0)])
    np.testing.assert_allclose(a.grad, da, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(b.grad, db, rtol=1e-6, atol=1e-8)
    assert np.shape(a.grad) == a_shape and np.shape(b.grad) == b_shape


def test_every_unary_operation_works_on_a_matrix_elementwise():
    x0 = np.array([[0.5, 1.5], [2.5, 0.25]])
    for name in ["exp", "log", "sqrt", "tanh", "sigmoid", "softplus", "relu", "__abs__", "__neg__"]:
        x = Value(x0)
        y = getattr(x, name)()
        y.sum().backward()
        singles = []
        for v in x0.ravel():
            s = Value(float(v))
            getattr(s, name)().backward()
            singles.append(s.grad)
        np.testing.assert_allclose(x.grad.ravel(), singles, rtol=1e-14, err_msg=name)
        assert y.shape == (2, 2)


def test_per_example_and_layer_vectorized_gradients_agree():
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(2, 6)), (rng.random((1, 6)) > 0.5).astype(float)
    W1, b1, W2, b2 = (rng.normal(size=s) for s in [(3, 2), (3, 1), (1, 3), (1, 1)])

    def cost(x, y, W1, b1, W2, b2):
        a2 = (W2 @ (W1 @ x + b1).relu() + b2).sigmoid()
        return -(y * a2.log() + (1 - y) * (1 - a2).log())

    layer = [Value(p) for p in (W1, b1, W2, b2)]
    cost(X, Y, *layer).mean().backward()
    loop = [Value(p) for p in (W1, b1, W2, b2)]
    autograd.sum([cost(X[:, [i]], Y[:, [i]], *loop).sum() for i in range(6)]).__mul__(1 / 6).backward()
    for v, w in zip(layer, loop):
        np.testing.assert_allclose(v.grad, w.grad, rtol=1e-12, atol=1e-16)


def test_gradient_checks_step_every_entry_of_a_matrix():
    W, x = np.array([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]), np.array([1.0, 2.0, 3.0])
    assert autograd.gradcheck(lambda W, x: (W @ x).tanh().sum(), [W, x], rtol=1e-6)
    grads = autograd.numerical_grad(lambda W, x: (W @ x).tanh().sum(), [W, x])
    assert grads[0].shape == (2, 3) and grads[1].shape == (3,)
    with pytest.raises(autograd.GradcheckError, match=r"x0\[1,2\] .* <- wrong"):
        autograd.gradcheck(lambda W, x: autograd.record(float(np.sum(W.data)), [W], [np.eye(2, 3)], "wrong"), [W, x])


def test_a_constant_matrix_is_used_as_it_is_not_copied_each_step():
    X = np.ones((3, 4))
    Z = Value(np.ones((2, 3))) @ X
    assert Z.const is X and Z.local_grads[0].args[1] is X  # no copy of a large feature matrix per iteration
    assert "B (3×4)" in repr(Z.local_grads[0])


dims = st.integers(1, 4)
entries = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@settings(max_examples=40)
@given(n=dims, k=dims, m=dims, left_1d=st.booleans(), right_1d=st.booleans(), data=st.data())
def test_matrix_products_of_any_shape_and_values_match_central_differences(n, k, m, left_1d, right_1d, data):
    a_shape, b_shape = ((k,) if left_1d else (n, k)), ((k,) if right_1d else (k, m))
    a0 = np.array(data.draw(st.lists(entries, min_size=int(np.prod(a_shape)), max_size=int(np.prod(a_shape)))))
    b0 = np.array(data.draw(st.lists(entries, min_size=int(np.prod(b_shape)), max_size=int(np.prod(b_shape)))))
    a0, b0 = a0.reshape(a_shape), b0.reshape(b_shape)
    weights = np.arange(1.0, 1.0 + np.size(a0 @ b0)).reshape(np.shape(a0 @ b0))
    a, b = Value(a0), Value(b0)
    out = a @ b
    (out * weights).sum().backward() if out.shape else (out * float(weights)).backward()
    # the product is linear in each side, so central differences are exact up to rounding
    da, db = numeric(lambda x, y: float(np.sum((x @ y) * weights)), [a0, b0], eps=1.0)
    np.testing.assert_allclose(a.grad, da, rtol=1e-9, atol=1e-6 * (1 + np.abs(da).max()))
    np.testing.assert_allclose(b.grad, db, rtol=1e-9, atol=1e-6 * (1 + np.abs(db).max()))


@settings(max_examples=40)
@given(shape=st.lists(dims, min_size=1, max_size=3), op=st.sampled_from(["sum", "mean"]), keepdims=st.booleans(),
       data=st.data())
def test_reductions_over_any_axes_spread_the_gradient_exactly(shape, op, keepdims, data):
    x0 = np.array(data.draw(st.lists(entries, min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))))
    x0 = x0.reshape(shape)
    axes = data.draw(st.sets(st.integers(0, len(shape) - 1)))
    axis = None if not axes else tuple(sorted(axes))
    y = getattr(Value(x0), op)(axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(y.data, getattr(np, op)(x0, axis=axis, keepdims=keepdims), rtol=1e-12, atol=1e-9)
    x = y.parents[0]
    weights = np.arange(1.0, 1.0 + np.size(y.data)).reshape(y.shape)
    (y * weights).sum().backward() if y.shape else (y * float(weights)).backward()
    (dx,) = numeric(lambda a: float(np.sum(getattr(np, op)(a, axis=axis, keepdims=keepdims) * weights)), [x0], eps=1.0)
    np.testing.assert_allclose(x.grad, dx, rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize("left, right", [((2, 3), (3, 4)), ((2, 3), (3,)), ((3,), (3, 4)), ((3,), (3,))])
def test_a_matrix_products_local_derivatives_give_each_parent_its_own_shape(left, right):
    a, b = Value(np.ones(left)), Value(np.ones(right))
    out = a @ b
    g = np.ones(out.shape) if out.shape else 1.0
    da, db = out.local_grads
    assert np.shape(da * g) == left and np.shape(db * g) == right  # before any summing back to the parent


def _bias_shapes(shape: tuple) -> st.SearchStrategy:
    """Shapes that broadcast over `shape` without enlarging it: trailing axes, each its size or 1."""
    return st.integers(0, len(shape)).flatmap(lambda k: st.tuples(*[st.sampled_from([n, 1]) for n in shape[len(shape)
                                                                                                          - k:]]))


@settings(max_examples=40)
@given(n=dims, k=dims, m=dims, left_1d=st.booleans(), right_1d=st.booleans(), constant=st.booleans(), data=st.data())
def test_affine_is_one_node_of_w_at_a_plus_b_with_the_gradients_of_central_differences(n, k, m, left_1d, right_1d,
                                                                                      constant, data):
    w_shape, a_shape = ((k,) if left_1d else (n, k)), ((k,) if right_1d else (k, m))
    out_shape = np.broadcast_shapes(w_shape[:-1] + a_shape[1:])
    b_shape = data.draw(_bias_shapes(out_shape))
    w0, a0, b0 = (np.array(data.draw(st.lists(entries, min_size=int(np.prod(s)), max_size=int(np.prod(s))))).reshape(s)
                  for s in (w_shape, a_shape, b_shape))
    b0 = b0 if b_shape else float(b0)
    weights = np.arange(1.0, 1.0 + np.prod(out_shape)).reshape(out_shape)
    W, A, b = Value(w0), Value(a0), Value(b0)
    z = autograd.affine(W, a0 if constant else A, b)
    assert z.op == "affine" and z.parents == ((W, b) if constant else (W, A, b))
    np.testing.assert_array_equal(z.data, w0 @ a0 + b0)  # the same numbers as W @ A + b, in the same order
    (z * weights).sum().backward() if z.shape else (z * float(weights)).backward()
    # linear in each input: central differences are exact up to rounding
    dw, da, db = numeric(lambda x, y, c: float(np.sum((x @ y + c) * weights)), [w0, a0, np.asarray(b0)], eps=1.0)
    for v, d in ((W, dw), (A, da), (b, db)):
        if v is not A or not constant:
            assert np.shape(v.grad) == np.shape(v.data)
            np.testing.assert_allclose(v.grad, d, rtol=1e-9, atol=1e-6 * (1 + np.abs(d).max()))
    assert not constant or A.grad == 0.0


def test_affine_gives_exactly_the_numbers_and_gradients_of_w_at_a_plus_b():
    rng = np.random.default_rng(3)
    w0, a0, b0 = rng.normal(size=(4, 3)), rng.normal(size=(3, 6)), rng.normal(size=(4, 1))
    grads = []
    for build in (lambda W, A, b: autograd.affine(W, A, b), lambda W, A, b: W @ A + b):
        W, A, b = Value(w0), Value(a0), Value(b0)
        z = build(W, A, b)
        (z.tanh() * z).mean().backward()
        grads.append((z.data, W.grad, A.grad, b.grad))
    for ours, written_out in zip(*grads):
        np.testing.assert_array_equal(ours, written_out)


def test_affine_checks_its_inputs_and_names_the_shapes():
    W, A, b = Value(np.ones((3, 2))), Value(np.ones((2, 5))), Value(np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"affine\(\): W @ A needs .* got shapes \(3, 2\) and \(3, 5\)"):
        autograd.affine(W, np.ones((3, 5)), b)
    with pytest.raises(ValueError, match=r"b of shape \(2, 1\) does not broadcast over W @ A of shape \(3, 5\)"):
        autograd.affine(W, A, Value(np.zeros((2, 1))))
    with pytest.raises(ValueError, match=r"b of shape \(3, 5, 1\) does not broadcast.*has shape \(3, 1\)$"):
        autograd.affine(W, A, Value(np.zeros((3, 5, 1))))  # it would enlarge Z
    with pytest.raises(ValueError, match=r"b of shape \(2,\) does not broadcast over W @ A of shape \(3,\) .*axes\)$"):
        autograd.affine(W, np.ones(2), Value(np.zeros(2)))  # a vector: no hint of the course's column
    with pytest.raises(ValueError, match=r"W @ A is a number, so b must be one; got shape \(1,\)"):
        autograd.affine(Value(np.ones(2)), np.ones(2), Value(np.zeros(1)))
    with pytest.raises(TypeError, match=r"affine\(\): W must be a Value .* got ndarray"):
        autograd.affine(np.ones((3, 2)), A, b)
    with pytest.raises(TypeError, match=r"affine\(\): b must be a Value .* got ndarray"):
        autograd.affine(W, A, np.zeros((3, 1)))
    with pytest.raises(TypeError, match="needs a real number"):
        autograd.affine(W, "not numbers", b)
    assert W.grad == A.grad == b.grad == 0.0


def test_affine_records_nothing_under_no_grad_and_keeps_a_constant_input_as_it_is():
    X = np.arange(10.0).reshape(2, 5)
    W, b = Value(np.ones((3, 2))), Value(np.zeros((3, 1)))
    with autograd.no_grad():
        z = autograd.affine(W, X, b)
    assert not z.parents and z.op == "" and np.array_equal(z.data, np.ones((3, 2)) @ X)
    z = autograd.affine(W, X, b)
    assert z.const is X and z.local_grads[0].args[1] is X  # not a copy of the inputs per step


@pytest.mark.parametrize("constant", [False, True])
def test_a_copied_or_pickled_affine_node_backpropagates_as_the_original(constant):
    rng = np.random.default_rng(5)
    W, A, b = Value(rng.normal(size=(3, 2))), Value(rng.normal(size=(2, 4))), Value(rng.normal(size=(3, 1)))
    J = autograd.affine(W, A.data if constant else A, b).tanh().mean()
    for twin in (pickle.loads(pickle.dumps(J)), copy.deepcopy(J)):
        twin.backward()
        z = twin.parents[0].parents[0]
        assert z.op == "affine" and z.parents[-1].grad.shape == (3, 1)  # b's share summed over the examples
    J.backward()
    for ours, theirs in zip(z.parents, (W, b) if constant else (W, A, b)):
        np.testing.assert_array_equal(ours.grad, theirs.grad)
