"""Layers as the course's matrices (Layer and MLP with matrix=True): layouts, names, the per-example graph, training,
saving."""

import json

import numpy as np
import pytest

import nn
from autograd import Value, backward_order


def flower_model(seed=2, matrix=True):
    """Week 3's network: 2 inputs, 4 tanh units, a sigmoid output, the course's 0.01 initialisation."""
    return nn.MLP(2, [4, 1], "tanh", "sigmoid", init="small", seed=seed, matrix=matrix)


def grads(model):
    return [np.array(p.grad, dtype=float) for p in model.parameters()]


def test_a_matrix_layer_holds_the_course_shapes_and_computes_g_of_w_a_plus_b():
    layer = nn.Layer(3, 2, "tanh", init="he", seed=0, matrix=True)
    assert layer.W.shape == (2, 3) and layer.b.shape == (2, 1) and not layer.b.data.any()
    assert [name for name, _ in layer.named_parameters()] == ["W", "b"]
    layer.b.data = np.array([[0.5], [-0.5]])
    A = np.arange(12.0).reshape(3, 4) / 10  # 4 examples as columns
    expected = np.tanh(layer.W.data @ A + layer.b.data)
    np.testing.assert_array_equal(layer(A, columns=True).data, expected)
    np.testing.assert_array_equal(layer(A.T).data, expected.T)  # one example per row: the rows of the same numbers
    np.testing.assert_array_equal(layer(A[:, 0]).data, expected[:, 0])  # one example
    assert repr(layer) == "Layer(3, 2, 'tanh', init='he', matrix=True)"


def test_rows_and_columns_give_the_same_numbers_even_when_m_equals_n():
    model = nn.MLP(3, [5, 1], "relu", "sigmoid", init="lecun", seed=4, matrix=True)
    X = np.random.default_rng(0).normal(size=(3, 3))  # 3 examples of 3 features: the layout is said, not guessed
    rows, columns = model(X), model(X.T, columns=True)
    assert rows.shape == (3,) and columns.shape == (1, 3)
    np.testing.assert_array_equal(rows.data, columns.data[0])
    one_by_one = [model(x).data for x in X]
    np.testing.assert_allclose(rows.data, one_by_one, rtol=1e-15)
    for (x, J) in ((X, rows.mean()), (X.T, columns.mean())):
        model.zero_grad()
        J.backward()
        if x is X:
            first = grads(model)
    for a, b in zip(first, grads(model)):
        np.testing.assert_array_equal(a, b)


def test_several_outputs_come_back_as_one_value_in_either_layout():
    model = nn.MLP(4, [3, 2], init="xavier", seed=1, matrix=True)
    X = np.ones((5, 4))
    assert model(X).shape == (5, 2) and model(X.T, columns=True).shape == (2, 5) and model(X[0]).shape == (2,)
    assert model.predict(X).shape == (5, 2)


def test_the_course_names_its_parameters_and_nodes_w1_b1_z1_a1():
    model = flower_model()
    assert [name for name, _ in model.named_parameters()] == ["W[1]", "b[1]", "W[2]", "b[2]"]
    assert [p.label for p in model.parameters()] == ["W[1]", "b[1]", "W[2]", "b[2]"]
    assert [p.shape for p in model.parameters()] == [(4, 2), (4, 1), (1, 4), (1, 1)]
    A2 = model(np.zeros((2, 7)), columns=True)
    Z2 = A2.parents[0]
    assert (A2.label, Z2.label) == ("A[2]", "Z[2]")
    assert repr(model) == "MLP(2, [4, 1], 'tanh', output_activation='sigmoid', init='small', matrix=True)"


def test_the_per_neuron_copy_is_the_same_network_named_entry_by_entry():
    model = flower_model()
    copy = model.as_neurons()
    assert not copy.matrix and len(copy.parameters()) == 4 * 2 + 4 + 4 + 1
    assert [w.label for w in copy.layers[0].neurons[3].w] == ["w[1]_4,1", "w[1]_4,2"]  # W[1]'s row 4, 1-based
    assert copy.layers[1].neurons[0].b.label == "b[2]_1"
    assert [name for name, _ in copy.named_parameters()][:3] == ["w[1]_1,1", "w[1]_1,2", "b[1]_1"]
    assert copy.layers[0].neurons[3].w[1].data == model.layers[0].W.data[3, 1]
    X, _ = nn.make_flower()
    np.testing.assert_allclose(copy(X).data, model(X).data, rtol=1e-15)
    copy.layers[0].neurons[0].w[0].data = 5.0  # the copy shares nothing
    assert model.layers[0].W.data[0, 0] != 5.0


def test_per_example_graphs_and_the_layer_vectorized_graph_give_the_same_gradients():
    # the course's for loop (one scalar graph per example) against Z = W X + b over all examples at once
    X, y = nn.make_flower()
    X, y = X[::8], y[::8]  # 50 points of both classes
    model = flower_model()
    model.layers[0].b.data = np.array([[0.1], [-0.2], [0.3], [0.0]])  # not all zero, so that db is a real test
    J = nn.binary_cross_entropy(model(X), y)
    J.backward()
    copy = model.as_neurons()
    costs = []
    for x, label in zip(X.tolist(), y.tolist()):
        L = nn.binary_cross_entropy(copy(x), label)
        L.backward()  # leaf gradients add up over the examples
        costs.append(L.data)
    assert np.mean(costs) == pytest.approx(J.data, rel=1e-14)
    per_neuron = [np.array([[w.grad for w in n.w] for n in layer.neurons]) for layer in copy.layers]
    per_bias = [np.array([[n.b.grad] for n in layer.neurons]) for layer in copy.layers]
    for layer, dW, db in zip(model.layers, per_neuron, per_bias):
        np.testing.assert_allclose(layer.W.grad, dW / len(y), rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(layer.b.grad, db / len(y), rtol=1e-10, atol=1e-15)


def test_per_neuron_and_matrix_networks_train_alike_with_every_optimizer():
    X, y = nn.make_moons(60, noise=0.2, seed=0)
    for make in (lambda p: nn.SGD(p, lr=0.5), lambda p: nn.SGD(p, lr=0.2, momentum=0.9), lambda p: nn.Adam(p, 0.05)):
        runs = []
        for matrix in (False, True):
            model = nn.MLP(2, [5, 3, 1], "tanh", init="he", seed=3, matrix=matrix)
            history = nn.fit(model, X, y, loss=nn.binary_cross_entropy_with_logits, optimizer=make(model.parameters()),
                             iterations=30, progress=False)
            runs.append((history.cost, model))
        np.testing.assert_allclose(runs[0][0], runs[1][0], rtol=1e-12)
        np.testing.assert_allclose(runs[0][1].predict(X), runs[1][1].predict(X), rtol=1e-10, atol=1e-12)
        assert runs[1][0][-1] < runs[1][0][0]


def test_fit_gives_nns_losses_a_matrix_models_a_l_of_shape_1_m_with_the_costs_of_the_rows_layout(monkeypatch):
    """With nn's losses, fit runs a matrix model in the course's layout: the loss reads A[L] (1, m) itself, no node
    drops its axis. A loss of your own still gets the (m,) output."""
    X, y = nn.make_moons(30, seed=2)
    outputs, call = [], nn.MLP.__call__
    monkeypatch.setattr(nn.MLP, "__call__", lambda self, x, columns=False: outputs.append(call(self, x, columns))
                        or outputs[-1])
    for batch_size in (None, 8):
        model = nn.MLP(2, [3, 1], "tanh", "sigmoid", init="small", seed=0, matrix=True)
        twin = nn.MLP(2, [3, 1], "tanh", "sigmoid", init="small", seed=0, matrix=True)
        costs = nn.fit(model, X, y, loss=nn.binary_cross_entropy, optimizer=nn.SGD(model.parameters(), lr=1.0),
                       iterations=6, batch_size=batch_size, progress=False).cost
        assert (outputs[-1].shape, outputs[-1].op) == ((1, batch_size or 30), "sigmoid")
        optimizer, expected = nn.SGD(twin.parameters(), lr=1.0), []
        batches = nn.train._batches(len(y), batch_size, 0)
        for _ in range(6):  # the loop written out in the (m, n) layout, whose output has shape (m,)
            idx = next(batches)
            optimizer.zero_grad()
            J = nn.binary_cross_entropy(twin(X if idx is None else X[idx]), y if idx is None else y[idx])
            J.backward()
            optimizer.step()
            expected.append(J.data)
        assert costs == expected
    nn.fit(model, X, y, loss=lambda out, labels: nn.mse(out, labels), optimizer=nn.SGD(model.parameters(), lr=0.1),
           iterations=1, progress=False)
    assert outputs[-1].shape == (30,)


def test_the_course_loop_of_one_graph_per_example_trains_a_matrix_model_too():
    X, y = nn.make_moons(20, seed=1)
    costs = []
    for vectorized in (True, False):
        model = nn.MLP(2, [3, 1], "tanh", "sigmoid", init="small", seed=0, matrix=True)
        costs.append(nn.fit(model, X, y, loss=nn.binary_cross_entropy, optimizer=nn.SGD(model.parameters(), lr=1.0),
                            iterations=5, vectorized=vectorized, progress=False).cost)
    np.testing.assert_allclose(costs[0], costs[1], rtol=1e-13)


def test_a_matrix_model_saves_and_loads_its_matrices_by_the_course_names(tmp_path):
    model = flower_model()
    X, y = nn.make_flower()
    nn.fit(model, X, y, loss=nn.binary_cross_entropy, optimizer=nn.SGD(model.parameters(), lr=1.2), iterations=20,
           progress=False)
    model.save(tmp_path / "flower.json")
    saved = json.loads((tmp_path / "flower.json").read_text())["parameters"]
    assert list(saved) == ["W[1]", "b[1]", "W[2]", "b[2]"] and len(saved["W[1]"]) == 4 and len(saved["W[1]"][0]) == 2
    loaded = flower_model(seed=5).load(tmp_path / "flower.json")
    for a, b in zip(loaded.parameters(), model.parameters()):
        assert a.shape == b.shape and np.array_equal(a.data, b.data)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize("change, match", [
    (lambda p: p["W[1]"].pop(), r"parameter W\[1\] must be a 4 x 2 array as nested lists, a list of 4 lists, "
                                r"got a list of 3"),
    (lambda p: p["W[1]"][2].append(0.5), r"parameter W\[1\]\[2\] must be a list of 2 numbers, got a list of 3"),
    (lambda p: p["W[2]"][0].__setitem__(1, "x"), r"parameter W\[2\]\[0,1\] is 'x', not a number"),
    (lambda p: p["b[1]"].__setitem__(0, 0.5), r"parameter b\[1\]\[0\] must be a list of 1 numbers, got 0.5"),
    (lambda p: p.__setitem__("W[2]", 1.0), r"parameter W\[2\] must be a 1 x 4 array as nested lists, .* got 1.0"),
])
def test_a_wrong_matrix_in_the_file_is_refused_by_name_and_the_model_left_unchanged(tmp_path, change, match):
    model = flower_model()
    model.save(tmp_path / "m.json")
    state = json.loads((tmp_path / "m.json").read_text())
    change(state["parameters"])
    (tmp_path / "m.json").write_text(json.dumps(state))
    target = flower_model(seed=7)
    before = [p.data for p in target.parameters()]
    with pytest.raises(ValueError, match=match):
        target.load(tmp_path / "m.json")
    assert all(a is p.data for a, p in zip(before, target.parameters()))


@pytest.mark.parametrize("call, error, match", [
    (lambda m: m(np.zeros((2, 5)).T, columns=True), ValueError, r"columns=True .* of shape \(2, m\).* shape \(5, 2\)"),
    (lambda m: m([[1.0, 2.0]], columns=True), ValueError, r"as a 2-D numpy array; got a list"),
    (lambda m: m(np.zeros((5, 3))), ValueError, r"batch X of shape \(m, 2\)"),
    (lambda m: m(np.array([["a", "b"]])), TypeError, "real numbers"),
    (lambda m: m([Value(1.0), Value(2.0)]), TypeError, "inputs are numbers, not Values"),
    (lambda m: m(Value(np.zeros((3, 5))), columns=True), ValueError, r"Value of shape \(2, 'm'\)"),
    (lambda m: nn.MLP(2, [3, 1])(np.zeros((2, 4)), columns=True), ValueError, "columns=True is for models with matrix"),
])
def test_a_batch_in_the_wrong_layout_is_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call(flower_model())


def test_the_first_layer_reads_float_inputs_as_they_are_and_other_numbers_as_floats():
    model = nn.MLP(2, [3, 1], "tanh", "sigmoid", seed=0, matrix=True)
    X = np.array([[0.5, -1.0, 2.0], [2.0, 0.25, -3.0]])
    first_layer = {v.label: v for v in backward_order(model(X, columns=True))}["Z[1]"]
    assert first_layer.const is X  # no copy (nor a float64 view of a float64 array) at each step
    ints = {v.label: v for v in backward_order(model(np.array([[1, 0, 2], [2, 1, -3]]), columns=True))}
    assert ints["Z[1]"].const.dtype == np.float64
    np.testing.assert_array_equal(ints["Z[1]"].const, [[1.0, 0.0, 2.0], [2.0, 1.0, -3.0]])


@pytest.mark.parametrize("rows, first", [([[1.0], [2.0]], r"\[1\.0\]"), ([[1.0, 2.0], [3.0, 4.0]], r"\[1\.0, 2\.0\]"),
                                         ([1.0, [2.0]], r"\[2\.0\]"), (([1.0], [2.0]), r"\[1\.0\]")])
def test_a_list_of_lists_is_no_batch_for_a_matrix_model_as_for_the_per_neuron_one(rows, first):
    for matrix in (False, True):
        model = nn.MLP(2, [1], seed=0, matrix=matrix)
        with pytest.raises(TypeError, match=f"needs a real number.*got list {first}"):
            model(rows)
    X = np.array([[1.0, 2.0], [3.0, 4.0]])  # the batch is a 2-D numpy array, which both models take alike
    np.testing.assert_allclose(nn.MLP(2, [1], seed=0, matrix=True)(X).data, nn.MLP(2, [1], seed=0)(X).data, rtol=1e-15)


def test_a_matrix_model_names_the_feature_that_is_not_a_number():
    model = nn.Layer(3, 2, matrix=True)
    with pytest.raises(TypeError, match=r"got ndarray array\(\[1\., 2\.\]\) at x\[1\]; for a batch pass a 2-D numpy "
                                        r"array of shape \(m, 3\)"):
        model([0.5, np.array([1.0, 2.0]), 3.0])
    np.testing.assert_array_equal(model((0.5, np.float32(1.0), True)).data, model(np.array([0.5, 1.0, 1.0])).data)
