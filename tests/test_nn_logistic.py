"""Logistic regression against the course's closed form: per example dw = x (a - y), db = a - y; over a batch,
dw = X.T (A - Y) / m. The per-example graph, the batched graph and the formula agree."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value


def logistic(w, b, vector: bool = False) -> nn.LogisticRegression:
    """The course's model with weights w and bias b: n weight Values, or one Value holding the vector."""
    model = nn.LogisticRegression(len(w), vector=vector)
    if vector:
        model.w.data = np.array(w, dtype=float)
    else:
        for p, value in zip(model.w, np.asarray(w, dtype=float).tolist()):
            p.data = value
    model.b.data = float(b)
    return model


def grads(model) -> tuple[np.ndarray, float]:
    if model.vector:
        return np.broadcast_to(model.w.grad, (model.nin,)), model.b.grad
    return np.array([p.grad for p in model.w]), model.b.grad


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def rounding(x, a, y):
    """What rounding allows in dw = x (a - y) computed through L(a, y)'s box: the course's dL/da holds 1 - a (or
    a), which keeps fewer correct digits the nearer a is to 1 (or 0)."""
    return np.abs(x) * np.abs(a - y) * 16 * np.finfo(float).eps / np.minimum(a, 1 - a)


def assert_close(actual, expected, rtol, atol):
    """assert_allclose with an atol per entry."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    bad = np.abs(actual - expected) > rtol * np.abs(expected) + atol
    assert not bad.any(), f"differ at {np.flatnonzero(bad)}: {actual[bad]} vs {expected[bad]}"


def random_problem(seed: int, m: int, n: int):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, n)), rng.integers(0, 2, m), rng.normal(size=n), rng.normal()


vector_or_not = pytest.mark.parametrize("vector", [False, True], ids=["weight Values", "weight vector"])


@vector_or_not
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 8), y=st.sampled_from([0, 1]))
def test_one_example_gradient_is_the_course_closed_form(vector, seed, n, y):
    x, _, w, b = random_problem(seed, 1, n)
    x = x[0]
    model = logistic(w, b, vector)
    J = nn.binary_cross_entropy(model(x.tolist()), y)
    J.backward()
    a = sigmoid(x @ w + b)
    dw, db = grads(model)
    assert_close(dw, x * (a - y), rtol=1e-12, atol=rounding(x, a, y) + 1e-15)
    assert db == pytest.approx(a - y, rel=1e-12, abs=rounding(1.0, a, y) + 1e-15)
    assert J.data == pytest.approx(-(y * np.log(a) + (1 - y) * np.log(1 - a)), rel=1e-12)


@vector_or_not
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 30), n=st.integers(1, 8))
def test_batched_gradient_is_XT_times_A_minus_Y_over_m(vector, seed, m, n):
    X, y, w, b = random_problem(seed, m, n)
    model = logistic(w, b, vector)
    J = nn.binary_cross_entropy(model(X), y)
    assert type(J.data) is float
    J.backward()
    A = sigmoid(X @ w + b)
    dw, db = grads(model)
    allowed = rounding(X, A[:, None], y[:, None]).sum(axis=0) / m + 1e-14
    assert_close(dw, X.T @ (A - y) / m, rtol=1e-10, atol=allowed)
    assert db == pytest.approx(np.mean(A - y), rel=1e-10, abs=rounding(1.0, A, y).sum() / m + 1e-14)


@vector_or_not
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 30), n=st.integers(1, 8))
def test_batched_gradients_equal_the_sum_of_per_example_gradients(vector, seed, m, n):
    X, y, w, b = random_problem(seed, m, n)
    per_example = logistic(w, b, vector)
    for x, label in zip(X.tolist(), y.tolist()):
        nn.binary_cross_entropy(per_example(x), label).backward()  # leaf gradients add up across calls
    batched = logistic(w, b, vector)
    (m * nn.binary_cross_entropy(batched(X), y)).backward()  # m * mean = the sum over examples
    (dw_loop, db_loop), (dw_batch, db_batch) = grads(per_example), grads(batched)
    np.testing.assert_allclose(dw_batch, dw_loop, rtol=0, atol=1e-12)
    assert abs(db_batch - db_loop) <= 1e-12


def test_the_for_loop_graph_and_the_batched_graph_give_the_same_cost_and_gradient():
    X, y, w, b = random_problem(7, 25, 5)
    loop, batched = logistic(w, b), logistic(w, b)
    J_loop = nn.binary_cross_entropy([loop(x) for x in X.tolist()], y)
    J_batch = nn.binary_cross_entropy(batched(X), y)
    J_loop.backward()
    J_batch.backward()
    assert J_loop.data == pytest.approx(J_batch.data, abs=1e-12)
    np.testing.assert_allclose(grads(loop)[0], grads(batched)[0], rtol=0, atol=1e-12)


def test_weights_and_bias_start_at_zero_so_the_first_cost_is_ln_2():
    X, y, _, _ = random_problem(3, 40, 6)
    model = nn.LogisticRegression(6)
    assert all(p.data == 0.0 for p in model.parameters())
    assert nn.binary_cross_entropy(model(X), y).data == pytest.approx(np.log(2), abs=1e-15)


def test_a_separable_toy_set_reaches_100_percent():
    X, y = nn.make_blobs(60, centers=np.array([[-2.0, -2.0], [2.0, 2.0]]), std=0.5, seed=0)
    model = nn.LogisticRegression(2)
    history = nn.fit(model, X, y, loss=nn.binary_cross_entropy, optimizer=nn.SGD(model.parameters(), lr=0.5),
                     iterations=100, progress=False)
    assert nn.accuracy(model.predict(X), y) == 1.0
    assert history.accuracy[-1] == 1.0
    assert history.cost[-1] < history.cost[0]


def test_predict_thresholds_at_one_half_as_the_course():
    model = logistic([1.0], 0.0)
    assert model.predict([0.0]) == 0  # a = 0.5 exactly: the course predicts 0 (a > 0.5 is a cat)
    assert model.predict([1e-9]) == 1
    assert model.predict(np.array([[-1.0], [0.0], [2.0]])).tolist() == [0, 0, 1]


def test_a_batch_value_is_a_numpy_array_and_a_list_stays_a_type_error():
    assert Value(np.array([1.0, 2.0])).data.tolist() == [1.0, 2.0]
    with pytest.raises(TypeError):
        Value([1.0, 2.0])


def test_a_weight_vector_trains_exactly_as_separate_weights():
    X, y, w, b = random_problem(11, 40, 6)
    runs = []
    for vector in (False, True):
        for make_optimizer in (lambda ps: nn.SGD(ps, lr=0.3, momentum=0.9), lambda ps: nn.Adam(ps, lr=0.05)):
            model = logistic(w, b, vector)
            history = nn.fit(model, X, y, loss=nn.binary_cross_entropy, optimizer=make_optimizer(model.parameters()),
                             iterations=30, progress=False)
            weights = model.w.data if vector else np.array([p.data for p in model.w])
            runs.append((history.cost, weights, model.b.data))
    for separate, vectored in zip(runs[:2], runs[2:]):
        np.testing.assert_allclose(vectored[0], separate[0], rtol=1e-12)
        np.testing.assert_allclose(vectored[1], separate[1], rtol=1e-11, atol=1e-14)
        assert vectored[2] == pytest.approx(separate[2], rel=1e-11, abs=1e-14)


def test_a_weight_vector_is_one_parameter_named_w():
    model = nn.LogisticRegression(5, vector=True)
    assert [name for name, _ in model.named_parameters()] == ["w", "b"]
    assert model.w.data.tolist() == [0.0] * 5 and repr(model) == "LogisticRegression(5, vector=True)"
    model.zero_grad()
    assert model.w.grad == 0.0
