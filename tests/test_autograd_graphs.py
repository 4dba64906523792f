"""Deep graphs, memory, anomaly detection, and batches: the engine's structural promises."""

import copy
import gc
import math
import pickle
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value


def chain(n, x):
    v = x
    for _ in range(n):
        v = v * 1.0000001 + 0.0
    return v


def test_a_million_node_chain_backpropagates_without_recursion():
    x = Value(1.0)
    y = chain(500_000, x)  # two nodes per step: a million in all
    y.backward()
    assert x.grad == pytest.approx(1.0000001 ** 500_000, rel=1e-9)
    del y  # freeing a deep chain must not overflow the C stack either


def live_values():
    return sum(1 for o in gc.get_objects() if type(o) is Value)


def test_a_dropped_graph_is_freed_without_the_garbage_collector():
    gc.collect()
    before = live_values()
    gc.disable()
    try:
        x = Value(0.5)
        y = autograd.sum([(x * x).tanh(), x.exp().log(), autograd.dot([x, 2.0], [x, x])])
        y.backward()
        z = chain(1000, y)
        z.backward()
        del x, y, z
        assert live_values() == before  # reference counting alone freed it: no cycles
    finally:
        gc.enable()


def test_anomaly_mode_names_the_operation_and_its_inputs():
    a = Value(0.0, label="a")
    with autograd.detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"operation 'log' on \(a=0.0\) produced -inf"):
            a.log()
    assert a.log().data == -np.inf  # outside the context: IEEE as usual


def test_anomaly_mode_catches_an_infinite_gradient_in_backward():
    x = Value(0.0, label="x")
    y = x.sqrt()  # fine forward (0), but dy/dx = inf
    with autograd.detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"backward through operation 'sqrt'.*gave x the gradient inf"):
            y.backward()
    # the failed pass left no bookkeeping behind: backward works again
    z = Value(2.0)
    (z * z).backward()
    assert z.grad == 4.0


def test_anomaly_mode_is_thread_local():
    raised = []

    def other():
        Value(0.0).log()  # this thread is not in anomaly mode
        raised.append(False)

    with autograd.detect_anomaly():
        worker = threading.Thread(target=other)
        worker.start()
        worker.join()
    assert raised == [False]


def per_example_and_batched(build, X):
    """Gradients of mean(build(w, x)) over examples, by a Python loop and by one batched graph."""
    w = [Value(0.3), Value(-0.7), Value(0.1)]
    costs = [build(w, list(x)) for x in X]
    autograd.sum(costs).__mul__(1 / len(X)).backward()
    loop = [p.grad for p in w]
    for p in w:
        p.grad = 0.0
    build(w, X).mean().backward()
    return loop, [p.grad for p in w]



def test_batched_gradients_equal_the_sum_of_per_example_gradients():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    y = (rng.random(50) > 0.5).astype(float)

    def build(w, x):
        if isinstance(x, np.ndarray):  # batched: constant (m, n) features, labels as a batch constant
            z = autograd.dot(w[:2], x) + w[2]
            labels = y
        else:
            i = next(k for k in range(len(X)) if list(X[k]) == x)
            z = autograd.dot(w[:2], x) + w[2]
            labels = y[i]
        a = z.sigmoid()
        return (a - labels) ** 2 + z.tanh() * (a + 1).log()

    loop, batched = per_example_and_batched(build, X)
    assert batched == pytest.approx(loop, rel=1e-12, abs=1e-12)


def test_batch_values_flow_through_every_operation():
    xs = np.array([0.5, 1.5, 2.5])
    batch = Value(xs)
    w = Value(0.2)
    out = ((batch * w).tanh() + (batch / w).log() - abs(batch - 2) ** 2 + (w ** batch).sqrt()).relu().mean()
    out.backward()
    singles = []
    for x in xs:
        v, u = Value(x), Value(0.2)
        s = ((v * u).tanh() + (v / u).log() - abs(v - 2) ** 2 + (u ** v).sqrt()).relu()
        s.backward()
        singles.append((s.data, v.grad, u.grad))
    assert out.data == pytest.approx(np.mean([s[0] for s in singles]), rel=1e-13)
    assert batch.grad == pytest.approx([s[1] / 3 for s in singles], rel=1e-13)
    assert w.grad == pytest.approx(sum(s[2] for s in singles) / 3, rel=1e-13)
    assert type(w.grad) is float and type(out.data) is float


def test_dot_with_a_feature_matrix_equals_the_general_dot():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(7, 4))
    w = [Value(float(v)) for v in rng.normal(size=4)]
    fused = autograd.dot(w, X)
    assert len(fused.parents) == 4  # one node, the weights its only parents
    fused.sigmoid().mean().backward()
    fused_grads = [p.grad for p in w]
    for p in w:
        p.grad = 0.0
    columns = [Value(c) for c in X.T]
    general = autograd.dot(w, columns)
    np.testing.assert_allclose(general.data, fused.data, rtol=1e-14)
    general.sigmoid().mean().backward()
    assert [p.grad for p in w] == pytest.approx(fused_grads, rel=1e-12)


@settings(max_examples=30)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 20), n=st.integers(1, 6))
def test_a_weight_vector_gets_the_gradients_of_separate_weights(seed, m, n):
    rng = np.random.default_rng(seed)
    X, w0, x = rng.normal(size=(m, n)), rng.normal(size=n), rng.normal(size=n)

    def cost(w, b):  # a batch and one more example, so the vector meets both kinds of features
        return (autograd.dot(w, X) + b).tanh().mean() + (autograd.dot(w, x) * b).sigmoid()

    w, b = Value(w0), Value(0.3)
    J = cost(w, b)
    dot_node = J.parents[0].parents[0].parents[0].parents[0]  # mean <- tanh <- (+ b) <- dot(w, X)
    assert dot_node.op == "dot" and dot_node.parents == (w,)  # one node, one parent, for all n weights
    J.backward()
    ws, bs = [Value(v) for v in w0.tolist()], Value(0.3)
    J_separate = cost(ws, bs)
    J_separate.backward()
    assert J.data == pytest.approx(J_separate.data, rel=1e-13)
    np.testing.assert_allclose(w.grad, [p.grad for p in ws], rtol=1e-12, atol=1e-15)
    assert b.grad == pytest.approx(bs.grad, rel=1e-12, abs=1e-15)


def test_a_weight_vector_gradient_matches_central_differences():
    rng = np.random.default_rng(5)
    X, w0 = rng.normal(size=(9, 4)), rng.normal(size=4)

    def cost(weights: np.ndarray) -> Value:
        return (autograd.dot(Value(weights), X).sigmoid() * autograd.dot(Value(weights), X[0])).mean()

    w = Value(w0)
    (autograd.dot(w, X).sigmoid() * autograd.dot(w, X[0])).mean().backward()
    h = 1e-6
    numeric = [(cost(w0 + h * e).data - cost(w0 - h * e).data) / (2 * h) for e in np.eye(4)]
    np.testing.assert_allclose(w.grad, numeric, rtol=1e-6, atol=1e-9)


def test_a_weight_vector_takes_constant_features_of_its_own_length():
    w = Value(np.zeros(3))
    with pytest.raises(TypeError, match="must hold a 1-D vector of n numbers, .* not one number"):
        autograd.dot(Value(1.0), np.ones((2, 3)))
    with pytest.raises(TypeError, match="must be numbers .constants., not Values"):
        autograd.dot(w, [Value(1.0), 2.0, 3.0])
    with pytest.raises(TypeError, match="got str '1'"):
        autograd.dot(w, ["1", "2", "3"])
    with pytest.raises(TypeError, match="a list of numbers or a numpy array, got float"):
        autograd.dot(w, 3.0)
    with pytest.raises(TypeError, match="got list"):
        autograd.dot(w, [1.0, [2.0], 3.0])
    column = Value(np.zeros((3, 1)))  # the course's (n, 1) shape: a matrix, which dot() never broadcasts
    with pytest.raises(TypeError, match=r"1-D vector of n numbers, .* not ndarray of shape \(3, 1\)"):
        autograd.dot(column, np.ones((2, 3)))
    assert autograd.dot(Value(np.ones(3)), [10**400, 1, 2]).data == math.inf  # as every int beyond float range
    for shape in [(2,), (4, 2), (0, 3), (2, 2, 3)]:
        with pytest.raises(ValueError, match=rf"3 weights take one example of 3 numbers .* got shape \({shape[0]}"):
            autograd.dot(w, np.ones(shape))


def test_a_weight_vector_keeps_its_own_copy_of_one_example():
    w, x = Value(np.array([1.0, 2.0])), np.array([3.0, 4.0])
    z = autograd.dot(w, x)
    x[0] = 100.0  # the caller reuses their array before backward()
    z.backward()
    assert z.data == 11.0 and w.grad.tolist() == [3.0, 4.0]


@pytest.mark.parametrize("vector", [False, True], ids=["weight Values", "weight vector"])
def test_a_batch_dot_passed_one_number_by_a_custom_op_spreads_it_over_the_examples(vector):
    X = np.arange(6.0).reshape(2, 3)
    w = Value(np.array([1.0, 2.0, 3.0])) if vector else [Value(1.0), Value(2.0), Value(3.0)]
    z = autograd.dot(w, X)
    total = autograd.record(float(z.data.sum()), [z], [1.0], "total")  # d total / dz_i = 1 for every example
    total.backward()
    grads = w.grad.tolist() if vector else [p.grad for p in w]
    assert total.data == 34.0 and grads == [3.0, 5.0, 7.0]  # the column sums of X


def test_a_copied_or_pickled_graph_still_backpropagates():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    J = autograd.sum([a * b, b * c, c, 2.0]) * 2.0  # a node of three parents, and two-parent ones
    for twin in (pickle.loads(pickle.dumps(J)), copy.deepcopy(J)):
        twin.backward()
        leaves = {p.data: p.grad for node in autograd.backward_order(twin) for p in node.parents if not p.parents}
        assert leaves == {1.0: 4.0, 2.0: 8.0, 3.0: 6.0}
