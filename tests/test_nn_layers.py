"""Neuron, Layer, MLP, LinearRegression: one example or a batch, seeded initialisation, clear input errors."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value


def test_a_neuron_computes_activation_of_w_dot_x_plus_b():
    x = [0.5, -1.0, 2.0]
    for activation, f in [("relu", lambda z: max(z, 0.0)), ("tanh", math.tanh),
                          ("sigmoid", lambda z: 1 / (1 + math.exp(-z))), ("none", lambda z: z)]:
        neuron = nn.Neuron(3, activation, seed=1)
        neuron.b.data = 0.3
        z = sum(p.data * xi for p, xi in zip(neuron.w, x)) + 0.3
        assert neuron(x).data == pytest.approx(f(z), rel=1e-14)


def test_initialisation_is_seeded_and_bounded_by_one_over_root_nin():
    a, b, c = nn.MLP(4, [8, 1], seed=3), nn.MLP(4, [8, 1], seed=3), nn.MLP(4, [8, 1], seed=4)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]
    for neuron in a.layers[0].neurons:
        assert all(abs(w.data) <= 0.5 for w in neuron.w) and neuron.b.data == 0.0


def test_regressions_start_from_zero():
    for model in (nn.LinearRegression(5), nn.LogisticRegression(5)):
        assert [p.data for p in model.parameters()] == [0.0] * 6


def test_shapes_of_outputs():
    X = np.arange(12.0).reshape(4, 3)
    assert isinstance(nn.Neuron(3)(X), Value) and nn.Neuron(3)(X).data.shape == (4,)
    layer_out = nn.Layer(3, 5, seed=0)(X)
    assert len(layer_out) == 5 and all(v.data.shape == (4,) for v in layer_out)
    assert nn.MLP(3, [4, 1], seed=0)(X).data.shape == (4,)
    assert len(nn.MLP(3, [4, 2], seed=0)(X)) == 2
    assert type(nn.MLP(3, [4, 1], seed=0)([1.0, 2.0, 3.0]).data) is float
    assert nn.Layer(3, 5, seed=0).predict(X).shape == (4, 5)
    assert nn.Layer(3, 5, seed=0).predict([1.0, 2.0, 3.0]).shape == (5,)


@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 12), activation=st.sampled_from(["relu", "tanh", "sigmoid"]))
def test_an_mlp_on_a_batch_equals_the_mlp_on_each_example(seed, m, activation):
    X = np.random.default_rng(seed).normal(size=(m, 3))
    model = nn.MLP(3, [5, 4, 1], activation=activation, seed=seed)
    batch = model.predict(X)
    np.testing.assert_allclose(batch, [model.predict(x) for x in X.tolist()], rtol=1e-12, atol=1e-14)


@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 12))
def test_mlp_batched_gradients_equal_the_sum_of_per_example_gradients(seed, m):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(m, 3)), rng.integers(0, 2, m)
    loop, batched = nn.MLP(3, [6, 4, 1], activation="tanh", seed=seed), nn.MLP(3, [6, 4, 1], activation="tanh",
                                                                            seed=seed)
    for x, label in zip(X.tolist(), y.tolist()):
        nn.binary_cross_entropy_with_logits(loop(x), label).backward()
    (m * nn.binary_cross_entropy_with_logits(batched(X), y)).backward()
    np.testing.assert_allclose([p.grad for p in batched.parameters()], [p.grad for p in loop.parameters()],
                               rtol=0, atol=1e-12)


def test_linear_regression_is_w_dot_x_plus_b():
    model = nn.LinearRegression(2)
    model.w[0].data, model.w[1].data, model.b.data = 2.0, -1.0, 0.5
    assert model([3.0, 4.0]).data == 2.5
    assert model.predict(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist() == [2.5, 0.5]


def test_one_example_may_be_a_list_a_tuple_values_or_a_1d_array():
    model = nn.Neuron(2, "none", seed=0)
    expected = model([1.0, 2.0]).data
    assert model((1.0, 2.0)).data == expected
    assert model(np.array([1.0, 2.0])).data == expected
    assert model([Value(1.0), Value(2.0)]).data == expected


@pytest.mark.parametrize("bad, error, match", [
    ([1.0, 2.0], ValueError, "takes 3 features per example, got 2"),
    (np.zeros((4, 2)), ValueError, r"shape \(m, 3\).*got shape \(4, 2\)"),
    (np.zeros((0, 3)), ValueError, r"got shape \(0, 3\)"),
    (np.zeros((2, 3, 1)), ValueError, "got shape"),
    ([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], ValueError, "pass a 2-D numpy array"),
    (3.0, TypeError, "list of 3 numbers"),
])
def test_inputs_of_the_wrong_shape_raise_clear_errors(bad, error, match):
    for model in (nn.Neuron(3), nn.Layer(3, 2), nn.MLP(3, [2, 1]), nn.LinearRegression(3), nn.LogisticRegression(3)):
        with pytest.raises(error, match=match):
            model(bad)


def test_constructor_arguments_are_checked():
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        nn.Neuron(2, "softmax")
    for bad in (0, -1, 2.5, True, "3"):
        with pytest.raises(ValueError, match="positive whole number"):
            nn.Neuron(bad)
    with pytest.raises(ValueError, match="list of layer sizes"):
        nn.MLP(2, 16)
    with pytest.raises(ValueError, match="list of layer sizes"):
        nn.MLP(2, [])
    with pytest.raises(ValueError, match="layer size"):
        nn.MLP(2, [4, 0])


def test_reprs_name_the_architecture():
    assert repr(nn.MLP(2, [16, 16, 1])) == "MLP(2, [16, 16, 1], 'relu')"
    assert repr(nn.LogisticRegression(12288)) == "LogisticRegression(12288)"


MODELS = (lambda: nn.Neuron(3), lambda: nn.Layer(3, 2), lambda: nn.MLP(3, [2, 1]), lambda: nn.LinearRegression(3),
          lambda: nn.LogisticRegression(3), lambda: nn.LinearRegression(3, vector=True))


@pytest.mark.parametrize("bad", [{5: 0, 6: 0, 7: 0}, {1.0, 2.0, 3.0}, "abc", b"abc", {5: 0, 6: 0, 7: 0}.keys(),
                                 np.array(3.0)])
def test_an_example_that_is_not_a_list_of_features_is_a_type_error(bad):
    # a dict's or set's features would be its keys, in an order of its own; a string's, its characters
    for make in MODELS:
        with pytest.raises(TypeError, match=f"one example as a list of 3 numbers.*got {type(bad).__name__}"):
            make()(bad)


def test_an_example_may_be_any_sequence_of_numbers():
    model = nn.LinearRegression(3)
    for p, w in zip(model.parameters(), [1.0, 2.0, 3.0, 0.5]):
        p.data = w
    for x in ([1, 2, 3], (1, 2, 3), range(1, 4), np.array([1, 2, 3]), [np.int64(1), np.float32(2), True + 2]):
        assert model(x).data == 14.5


@pytest.mark.parametrize("sizes", [np.array([3, 1]), (3, 1), range(3, 0, -2), [np.int64(3), np.int32(1)]])
def test_mlp_sizes_may_be_any_sequence_of_positive_whole_numbers(sizes):
    model = nn.MLP(2, sizes, seed=0)
    assert repr(model) == "MLP(2, [3, 1], 'relu')"
    assert [type(layer.nout) for layer in model.layers] == [int, int] and type(model.nout) is int
    assert [p.data for p in model.parameters()] == [p.data for p in nn.MLP(2, [3, 1], seed=0).parameters()]


@pytest.mark.parametrize("sizes, match", [
    (np.array([3.0, 1.0]), "a layer size must be a positive whole number, got 3.0"),
    (np.array([[3, 1]]), r"a layer size must be a positive whole number, got \[3, 1\]"),
    (np.array([3, -1]), "a layer size must be a positive whole number, got -1"),
    (np.array([], dtype=int), "list of layer sizes"),
    (np.int64(3), "list of layer sizes"),
    ({3, 1}, "list of layer sizes .* got a set"),
    ({3: 1}, "list of layer sizes .* got a dict"),
    ("31", "list of layer sizes .* got a str"),
    (None, "list of layer sizes .* got None"),
])
def test_bad_mlp_sizes_get_a_clear_error(sizes, match):
    with pytest.raises(ValueError, match=match):
        nn.MLP(2, sizes)


@pytest.mark.parametrize("bad, shown", [(["relu"], r"\['relu'\]"), ({"relu": 1}, r"\{'relu': 1\}"), (None, "None"),
                                        (3, "3")])
def test_an_activation_that_is_not_a_name_is_refused_naming_the_choices(bad, shown):
    message = f"unknown activation {shown}; choose one of 'relu', 'tanh', 'sigmoid', 'none'"
    for make in (lambda: nn.MLP(2, [3, 1], activation=bad), lambda: nn.MLP(2, [3, 1], output_activation=bad),
                 lambda: nn.Neuron(2, bad), lambda: nn.Layer(2, 3, bad, matrix=True)):
        with pytest.raises(ValueError, match=message):
            make()
