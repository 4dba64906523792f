"""The speed tricks of the array path keep their promises: numpy's error state, copies, cached broadcasting plans."""

import contextlib
import importlib
import sys
import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Value, _ieee, detect_anomaly, record
from autograd._ieee import quiet_off, quiet_on
from autograd.broadcast import fit


def test_quiet_ignores_numpys_errors_and_restores_the_callers_state():
    before = np.geterr()
    with np.errstate(over="raise", divide="warn"):
        token = quiet_on()
        try:
            assert set(np.geterr().values()) == {"ignore"}
            assert np.exp(np.array([1000.0]))[0] == np.inf  # no FloatingPointError inside
        finally:
            quiet_off(token)
        assert np.geterr()["over"] == "raise" and np.geterr()["divide"] == "warn"
    assert np.geterr() == before


def test_quiet_falls_back_to_errstate_where_numpy_keeps_its_state_elsewhere(monkeypatch):
    monkeypatch.setitem(sys.modules, "numpy._core._ufunc_config", None)  # as on numpy 1: the import fails
    fallback = importlib.reload(_ieee)
    try:
        assert fallback._QUIET is None
        with np.errstate(divide="raise"):
            token = fallback.quiet_on()
            assert np.geterr()["divide"] == "ignore" and np.log(np.zeros(1))[0] == -np.inf
            fallback.quiet_off(token)
            assert np.geterr()["divide"] == "raise"
    finally:
        monkeypatch.undo()
        importlib.reload(_ieee)
    assert _ieee._QUIET is not None


@pytest.mark.parametrize("operation", [
    lambda v: v @ np.full((2, 2), 1e300),  # overflow in a matrix product
    lambda v: v.exp(),
    lambda v: (v * 0.0).log(),  # log 0
    lambda v: v.sum() * 1e300,
    lambda v: v.mean(axis=0),
    lambda v: v / 0.0,  # 1/0 and 0/0
])
def test_array_operations_give_ieee_results_without_a_warning_and_leave_the_error_state(operation):
    before = np.geterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning from numpy would fail the test
        with np.errstate(all="raise"):  # and so would an error state that quiet did not replace
            out = operation(Value(np.array([[1e300, 0.0], [-1e300, 2.0]])))
            out.sum().backward() if out.ndim else out.backward()
    assert np.geterr() == before


def test_an_error_inside_an_operation_leaves_the_error_state_as_it_was():
    before = np.geterr()
    with pytest.raises(ValueError, match="axis"):
        Value(np.ones((2, 3))).sum(axis=5)
    with pytest.raises(ValueError, match="cannot combine shapes"):
        Value(np.ones((2, 3))) / Value(np.ones((4,)))
    assert np.geterr() == before


def test_a_read_only_array_that_owns_its_numbers_is_taken_without_a_copy():
    mine = np.arange(3.0)
    mine.flags.writeable = False
    assert Value(mine).data is mine
    writable = np.arange(3.0)
    view = np.arange(6.0)[::2]
    view.flags.writeable = False  # read-only, but its base can still change
    for x in (writable, view, np.arange(3)):  # a writable array, a view, ints: each copied into a read-only array
        v = Value(x)
        assert v.data is not x and not v.data.flags.writeable and v.data.dtype == np.float64
        assert np.shares_memory(v.data, x) is False
    empty = np.zeros(0)
    empty.flags.writeable = False
    with pytest.raises(ValueError, match="at least one number"):
        Value(empty)
    scalar = np.array(2.0)
    scalar.flags.writeable = False
    assert type(Value(scalar).data) is float


def test_sgd_gives_each_parameter_new_read_only_numbers_and_leaves_the_old_graph_alone():
    np.random.seed(0)
    model = nn.MLP(2, [3, 1], "tanh", "sigmoid", init="small", matrix=True)
    W = model.layers[0].W
    old = W.data
    kept = old.copy()
    X, y = np.random.randn(5, 2), np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    J = nn.binary_cross_entropy(model(X), y)
    J.backward()
    expected = old - 0.5 * W.grad
    nn.SGD(model.parameters(), lr=0.5).step()
    assert W.data is not old and not W.data.flags.writeable
    np.testing.assert_array_equal(W.data, expected)
    np.testing.assert_array_equal(old, kept)  # the numbers the graph was built from are as they were
    with pytest.raises(ValueError):
        W.data[0, 0] = 1.0  # read-only: the step cannot be changed behind the graph's back


@pytest.mark.parametrize("c_shape, shape, axes", [
    ((4, 400), (4, 1), (1,)),  # the course's bias b
    ((3, 4), (4,), (0,)),  # a row vector met a matrix
    ((2, 3, 4), (3, 1), (0, 2)),  # an added axis and a stretched one
    ((5,), (1,), (0,)),
    ((3, 1, 4), (3, 1, 1), (2,)),  # an axis of 1 in both is not summed; the stretched one after it is
])
def test_fit_sums_over_the_broadcast_axes_the_same_the_second_time(c_shape, shape, axes):
    c = np.arange(np.prod(c_shape), dtype=float).reshape(c_shape)
    like = np.zeros(shape)
    for _ in range(2):  # the second call takes the cached axes
        np.testing.assert_array_equal(fit(c, like), c.sum(axis=axes).reshape(shape))


def test_fit_spreads_a_smaller_contribution_over_its_parent_then_sums_the_same_the_second_time():
    c, like = np.array([[1.0], [2.0]]), np.zeros((3, 2, 4))
    for _ in range(2):
        # c of shape (2, 1) spreads to (3, 2, 4), the parent's own shape: nothing to sum but its copies
        np.testing.assert_array_equal(fit(c, like), np.broadcast_to(c, (3, 2, 4)))


def test_a_sums_gradient_of_one_reaches_both_parents_as_separate_arrays():
    # a + b's local derivatives are 1.0: g itself goes to each parent, summed or copied, never shared
    a, b = Value(np.ones((2, 3))), Value(np.ones((2, 1)))
    s = a + b
    J = (s * np.arange(6.0).reshape(2, 3)).sum()
    J.backward()
    np.testing.assert_array_equal(a.grad, np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(b.grad, [[3.0], [12.0]])
    assert not np.shares_memory(a.grad, s.grad) and not np.shares_memory(b.grad, s.grad)
    a.grad[0, 0] = 100.0  # a user's change to a leaf's grad does not reach the graph's
    assert s.grad[0, 0] == 0.0


@pytest.mark.parametrize("sum_first", [True, False])
def test_a_node_shares_its_gradient_only_with_a_parent_that_gets_nothing_more(sum_first):
    # S = N + 1 and P = M + 1 pass their gradients on as they are: M, used by P alone, keeps P's; N takes S's or
    # N * N's first, and its second contribution makes a new array, never added in place to what it shares
    X = Value(np.arange(6.0).reshape(2, 3))
    N = X * 1.0
    S = N + 1.0
    M = N * 2.0
    P = M + 1.0
    parts = [(S * 3.0).sum(), (N * N).sum(), P.sum()]
    J = autograd.sum(parts if sum_first else parts[::-1])
    J.backward()
    np.testing.assert_array_equal(S.grad, np.full((2, 3), 3.0))
    np.testing.assert_array_equal(N.grad, 3.0 + 2.0 * X.data + 2.0)
    np.testing.assert_array_equal(X.grad, N.grad)
    assert not np.shares_memory(X.grad, N.grad) and not np.shares_memory(N.grad, S.grad)
    assert M.grad is P.grad  # passed on as it is: M has no other user
    J.backward()  # again: the shared arrays are not added to in place
    np.testing.assert_array_equal(S.grad, np.full((2, 3), 3.0))
    np.testing.assert_array_equal(X.grad, 2.0 * N.grad)


def test_fit_spreads_a_number_over_an_array_parent():
    np.testing.assert_array_equal(fit(2.0, np.zeros((2, 3))), np.full((2, 3), 2.0))


def test_fit_sums_to_a_new_array_that_backward_takes_without_a_copy():
    c = np.ones((4, 5))
    total = fit(c, np.zeros((4, 1)))
    assert total.shape == (4, 1) and total.base is None and total.tolist() == [[5.0]] * 4
    b = Value(np.zeros((4, 1)))
    (b + np.ones((4, 5))).sum().backward()
    assert b.grad.base is None and b.grad.tolist() == [[5.0]] * 4


def test_a_sum_over_an_axis_of_one_passes_the_gradient_on_reshaped_and_a_leaf_still_gets_its_own():
    # (1, 3) -> (3,): nothing to add up, so the gradient goes back as a reshaped view, which a node used once
    # may keep, while a leaf gets a copy of its own (it adds to it in place at the next backward())
    w = Value(np.array([[1.0, 2.0, 3.0]]))
    A = w * 2.0
    y = A.sum(axis=0)
    (y * np.array([3.0, 4.0, 5.0])).sum().backward()
    assert y.grad.tolist() == [3.0, 4.0, 5.0] and A.grad.tolist() == [[3.0, 4.0, 5.0]]
    assert np.shares_memory(A.grad, y.grad)  # reshaped, not copied: A has no other user
    assert w.grad.tolist() == [[6.0, 8.0, 10.0]]
    v = Value(np.array([[1.0, 2.0, 3.0]]))
    z = v.sum(axis=0)
    for total in (1.0, 2.0):
        (z * np.array([3.0, 4.0, 5.0])).sum().backward()
        assert v.grad.tolist() == [[3.0 * total, 4.0 * total, 5.0 * total]] and z.grad.tolist() == [3.0, 4.0, 5.0]
    assert not np.shares_memory(v.grad, z.grad)


def test_record_checks_shapes_that_differ_and_takes_equal_ones():
    x = Value(np.ones(3))
    node = record(np.ones(3), [x], [np.full(3, 2.0)], "double")
    node.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])
    with pytest.raises(ValueError, match="do not broadcast together"):
        record(np.ones(3), [x], [np.ones(4)], "bad")


@pytest.mark.parametrize("c, shape, expected", [
    ([1.0, 2.0, 3.0], (1, 3), [[1.0, 2.0, 3.0]]),  # fewer axes than the parent, none of them larger
    ([[1.0], [2.0]], (1, 3), [[3.0, 3.0, 3.0]]),  # smaller on one axis (spread), larger on another (summed)
])
def test_fit_spreads_and_sums_a_contribution_of_a_shape_between(c, shape, expected):
    for _ in range(2):
        assert fit(np.array(c), np.zeros(shape)).tolist() == expected


def test_an_array_reshaped_to_one_number_gets_an_array_gradient_in_every_mode():
    for mode in (contextlib.nullcontext, detect_anomaly):
        v = Value(np.array([2.0]))
        with mode():
            (v.reshape(()) * 3.0).backward()
        assert type(v.grad) is np.ndarray and v.grad.tolist() == [3.0]


def test_record_names_a_number_as_a_number_in_its_shape_error():
    with pytest.raises(ValueError, match=r"the node of shape a number, its parent 0 of shape \(3,\)"):
        record(1.0, [Value(np.ones(3))], [np.ones(4)], "bad")


def test_a_number_divided_by_zero_is_ieee_under_any_error_state_of_the_caller():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            assert (Value(1.0) / 0.0).data == np.inf and (Value(-1.0) / 0.0).data == -np.inf
            assert np.isnan((Value(0.0) / 0.0).data)
            assert (Value(0.0) ** -1.0).data == np.inf
