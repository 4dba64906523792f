"""Initialisations (nn.init): the course's draws from numpy's legacy generator, He and Xavier, shapes and scales."""

import numpy as np
import pytest

import nn
from nn import init


def rows(layer):
    """A per-neuron layer's weights as one (nout, nin) array."""
    return np.array([[w.data for w in n.w] for n in layer.neurons])


def weights(model):
    """A per-neuron MLP's weight matrices, one (nout, nin) array per layer."""
    return [rows(layer) for layer in model.layers]


def test_the_course_initialisations_are_its_numpy_draws_layer_by_layer():
    # week 3: np.random.seed(2); W1 = randn(n_h, n_x) * 0.01; W2 = randn(n_y, n_h) * 0.01
    np.random.seed(2)
    course = [np.random.randn(4, 2) * 0.01, np.random.randn(1, 4) * 0.01]
    np.random.seed(2)
    ours = weights(nn.MLP(2, [4, 1], "tanh", "sigmoid", init="small"))
    for a, b in zip(ours, course):
        np.testing.assert_array_equal(a, b)
    # week 4's deep model: W[l] = randn(n_l, n_{l-1}) / np.sqrt(n_{l-1})
    dims = [30, 20, 7, 5, 1]
    np.random.seed(1)
    course = [np.random.randn(dims[i], dims[i - 1]) / np.sqrt(dims[i - 1]) for i in range(1, len(dims))]
    np.random.seed(1)
    for a, b in zip(weights(nn.MLP(30, dims[1:], "relu", "sigmoid", init="lecun")), course):
        np.testing.assert_array_equal(a, b)


def test_an_int_seed_draws_the_same_numbers_without_touching_the_global_generator():
    np.random.seed(7)
    expected = np.random.randn(3)
    np.random.seed(7)
    model = nn.MLP(2, [4, 1], init="small", seed=2)
    assert np.array_equal(np.random.randn(3), expected)  # the global generator did not move
    np.random.seed(2)
    assert all(np.array_equal(a, b) for a, b in zip(weights(model), weights(nn.MLP(2, [4, 1], init="small"))))


def test_biases_start_at_zero_for_every_initialisation():
    for name in init.INITS:
        model = nn.MLP(3, [4, 2], init=name, seed=0)
        assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)


@pytest.mark.parametrize("name, std", [("small", lambda n_in, n_out: 0.01),
                                       ("lecun", lambda n_in, n_out: (1 / n_in) ** 0.5),
                                       ("he", lambda n_in, n_out: (2 / n_in) ** 0.5),
                                       ("xavier", lambda n_in, n_out: (2 / (n_in + n_out)) ** 0.5)])
def test_normal_initialisations_have_their_standard_deviation(name, std):
    W = init.draw(name, 300, 200, init.generator(name, 0))
    assert W.shape == (300, 200)
    assert W.std() == pytest.approx(std(200, 300), rel=0.02) and abs(W.mean()) < 3 * std(200, 300) / 245


def test_uniform_is_the_default_and_keeps_each_neuron_within_one_over_root_nin():
    W = init.draw("uniform", 50, 16, init.generator("uniform", 0))
    assert W.shape == (50, 16) and np.abs(W).max() <= 0.25 and np.abs(W).max() > 0.24
    model = nn.MLP(16, [50], seed=0)
    np.testing.assert_array_equal(weights(model)[0], W)  # the same numbers, neuron by neuron
    assert repr(nn.MLP(2, [3, 1], init="he")) == "MLP(2, [3, 1], 'relu', init='he')"


def test_a_neuron_and_a_layer_take_an_init_too():
    np.random.seed(3)
    expected = np.random.randn(2, 5)
    np.random.seed(3)
    layer = nn.Layer(5, 2, init="he")
    np.testing.assert_array_equal(weights(nn.MLP(5, [2], init="he", seed=3))[0], rows(layer))
    np.testing.assert_allclose([w.data for w in layer.neurons[0].w], expected[0] * np.sqrt(2 / 5), rtol=1e-15)
    neuron = nn.Neuron(4, init="small", seed=1)
    assert [w.data for w in neuron.w] == (np.random.RandomState(1).randn(1, 4) * 0.01)[0].tolist()


@pytest.mark.parametrize("kwargs, error, match", [
    ({"init": "glorot"}, ValueError, "unknown init .glorot.; choose one of .uniform., .small., .lecun., .he., .xavier."),
    ({"init": None}, ValueError, "unknown init None"),
    ({"init": "he", "seed": -1}, ValueError, "seed must be None, a whole number >= 0"),
    ({"init": "small", "seed": 1.5}, ValueError, "seed must be None"),
    ({"seed": "1"}, ValueError, "seed must be None"),
])
def test_bad_init_or_seed_is_a_clear_error(kwargs, error, match):
    with pytest.raises(error, match=match):
        nn.MLP(2, [3, 1], **kwargs)
