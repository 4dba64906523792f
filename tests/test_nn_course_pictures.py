"""The course's pictures from real models: logistic regression as week 2 draws it (x1, w1, x2, w2, b -> z -> a -> L),
names that tell every parameter of an MLP apart, and losses without nodes that multiply by a label's 1 or 0.
Drawings are rendered by the real `dot` and read back."""

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import nn
import viz
from autograd import Value, dot
from viz._graph import nodes as graph_nodes
from viz._notation import dot_inputs

SVG = "{http://www.w3.org/2000/svg}"
X1, X2 = 0.5, -1.2


def svg_nodes(path):
    """Each node Graphviz drew: its id (the DOT id, which the drawing sets) -> (its lines of text, its fill)."""
    nodes = {}
    for g in ET.parse(path).getroot().iter(SVG + "g"):
        if g.get("class") == "node":
            # a node with a tooltip has its shape inside a link, <a xlink:title="...">: look below the node's <g>
            shape = g.find(f".//{SVG}ellipse") if g.find(f".//{SVG}ellipse") is not None else g.find(f".//{SVG}path")
            nodes[g.get("id")] = ([t.text for t in g.iter(SVG + "text")], shape.get("fill"))
    return nodes


def svg_edges(path):
    """Each edge Graphviz drew: id -> (stroke color, dashed?)."""
    edges = {}
    for g in ET.parse(path).getroot().iter(SVG + "g"):
        if g.get("class") == "edge":
            line = g.find(f".//{SVG}path")
            edges[g.get("id")] = (line.get("stroke"), line.get("stroke-dasharray") is not None)
    return edges


def heads(nodes):
    """The first line of every node: "z = w1*x1 + w2*x2 + b", "w1 = 0"."""
    return [lines[0] for lines, _ in nodes.values()]


def logistic(w=(0.25, -0.5), b=0.125):
    model = nn.LogisticRegression(2)
    for p, x in zip(model.parameters(), [*w, b]):
        p.data = x
    return model


def test_logistic_regression_on_one_example_is_drawn_as_the_courses_slide(tmp_path):
    L = nn.binary_cross_entropy(logistic()([X1, X2]), 1)
    L.backward()
    path = viz.render(L, tmp_path / "logistic.svg")
    nodes = svg_nodes(path)
    assert sorted(heads(nodes)) == sorted(["x1 = 0.5", "w1 = 0.25", "x2 = -1.2", "w2 = -0.5", "b = 0.125",
                                           "z = w1*x1 + w2*x2 + b", "a = sigmoid(z)", "L = bce(a)"])
    # the inputs: grey, their value only (no gradient: a constant has none); the parameters: value and gradient
    assert nodes["x1"] == (["x1 = 0.5"], "#eeeeee") and nodes["x2"] == (["x2 = -1.2"], "#eeeeee")
    a = 1 / (1 + np.exp(-(0.25 * X1 - 0.5 * X2 + 0.125)))
    z = next(lines for lines, _ in nodes.values() if lines[0].startswith("z ="))
    assert z[2] == f"dL/dz = {a - 1:.4g}"  # the course's dz = a - y
    w1 = next(lines for lines, _ in nodes.values() if lines[0].startswith("w1 ="))
    assert w1[1] == f"dL/dw1 = {X1 * (a - 1):.4g}"  # dw1 = x1 dz
    # each input has one grey forward edge into z and no backward edge; the root is L: no mean over one example
    edges = svg_edges(path)
    assert sorted(e for e in edges if e.startswith("x_")) == ["x_x1_n3", "x_x2_n3"]
    assert all(edges[e] == ("#555555", False) for e in ("x_x1_n3", "x_x2_n3"))
    assert not [e for e in edges if e.startswith("b_x")]
    assert L.label == "L" and L.op == "bce" and not any("mean" in h or h.startswith("J") for h in heads(nodes))


def test_the_inputs_stand_with_the_parameters_in_the_courses_order():
    source = viz.draw(nn.binary_cross_entropy(logistic()([X1, X2]), 0)).source
    column = re.search(r"rank=min\s+((?:\w+\s+)+)\}", source).group(1).split()
    names = {i: re.search(rf"\t{i} \[label=<(?:<FONT[^>]*>)?(\w+)", source).group(1) for i in column}
    assert [names[i] for i in column] == ["x1", "w1", "x2", "w2", "b"]


def test_the_local_derivatives_of_z_are_the_inputs_and_1():
    L = nn.binary_cross_entropy_with_logits(logistic()([X1, X2]).parents[0], 1)
    L.backward()
    source = viz.draw(L).source
    for label in ("∂z/∂w1 = x1 = 0.5", "∂z/∂w2 = x2 = -1.2", "∂z/∂b = 1"):  # partials: local derivatives
        assert label in source


def test_z_is_one_node_over_the_weights_and_the_bias_with_the_inputs_as_its_constants():
    model = logistic()
    z = model.logit([X1, X2])
    assert z.label == "z" and z.op == "dot" and z.parents == (model.w[0], model.w[1], model.b)
    assert z.local_grads == (X1, X2, 1.0) and dot_inputs(z) == (X1, X2)
    assert z.data == 0.25 * X1 - 0.5 * X2 + 0.125
    assert model([X1, X2]).label == "a"
    assert viz.text(z).splitlines()[0].startswith("z = w1*x1 + w2*x2 + b = ")


def test_batches_and_weight_vectors_are_named_z_a_l_and_j():
    X = np.array([[X1, X2], [0.3, 0.1], [-1.0, 2.0]])
    for model in (logistic(), nn.LogisticRegression(2, vector=True)):
        for x, y in ((X, [1, 0, 1]), ([X1, X2], 1)):
            root = nn.binary_cross_entropy(model(x), y)
            names = {v.label for v in graph_nodes(root)}
            batch = isinstance(x, np.ndarray)
            assert {"z", "a", "L"} <= names and ("J" in names) == batch and root.label == ("J" if batch else "L")
            if batch or model.vector:  # w . x, then + b: two nodes, both named
                z = next(v for v in graph_nodes(root) if v.label == "z")
                assert z.op == "+" and z.parents[0].label == "wᵀx"


def test_a_list_of_examples_names_each_loss_and_their_mean():
    model = logistic()
    J = nn.binary_cross_entropy([model([X1, X2]), model([0.3, 0.1])], [1, 0])
    assert J.label == "J" and J.parents[0].label == "ΣL"
    assert [L.label for L in J.parents[0].parents] == ["L⁽¹⁾", "L⁽²⁾"]
    assert J.data == pytest.approx((nn.binary_cross_entropy(model([X1, X2]), 1).data
                                    + nn.binary_cross_entropy(model([0.3, 0.1]), 0).data) / 2, rel=1e-15)


LOSSES = [nn.binary_cross_entropy, nn.binary_cross_entropy_with_logits, nn.mse, nn.hinge]
TRIVIAL = re.compile(r"(?<![\w.\]])(\(-1\)|[01])\*|\*(\(-1\)|[01])(?![\w.\[])|[-+] 0(?![\w.])")  # 1*z, z*0, z - 0


def output(model, loss, x):
    return model(x) if loss is nn.binary_cross_entropy else model.logit(x)


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("y", [0, 1])
def test_no_loss_builds_a_node_that_multiplies_by_a_labels_1_or_0(loss, y):
    model = logistic()
    for x, labels in (([X1, X2], y), (np.array([[X1, X2], [0.3, 0.1]]), [y, y]),
                      (np.array([[X1, X2], [0.3, 0.1]]), [1 - y, y])):
        root = loss(output(model, loss, x), labels)
        for v in graph_nodes(root):
            if v.op in ("*", "r*") and v.const is not None:  # times a label's 1 or 0, or the hinge's t = -1
                assert not any(np.all(np.asarray(v.const) == c) for c in (1, -1, 0)), (v.op, v.const)
            if v.op in ("-", "r-", "+", "r+") and v.const is not None:
                assert not np.all(np.asarray(v.const) == 0), (v.op, v.const)
        text = viz.text(root)
        assert not TRIVIAL.search(text), text


def test_the_losses_keep_their_values_and_gradients_for_both_labels():
    # the course's formulas, on one example each way: the rewrites for y = 0 and y = 1 change no number
    for y in (0, 1):
        z = Value(0.3)
        a = 1 / (1 + np.exp(-0.3))
        t = 2 * y - 1
        cases = {nn.mse: ((0.3 - y) ** 2, 2 * (0.3 - y)),
                 nn.hinge: (max(0.0, 1 - t * 0.3), -t if 1 - t * 0.3 > 0 else 0),
                 nn.binary_cross_entropy_with_logits: (-(y * np.log(a) + (1 - y) * np.log(1 - a)), a - y)}
        for loss, (value, slope) in cases.items():
            z.grad = 0.0
            L = loss(z, y)
            L.backward()
            assert L.data == pytest.approx(value, rel=1e-12) and z.grad == pytest.approx(slope, rel=1e-12)


def test_every_parameter_of_an_mlp_drawing_has_a_name_of_its_own(tmp_path):
    model = nn.MLP(2, [2, 1], seed=0)
    L = nn.binary_cross_entropy_with_logits(model([X1, X2]), 1)
    L.backward()
    nodes = svg_nodes(viz.render(L, tmp_path / "mlp.svg"))
    leaves = [h.split(" = ")[0] for h in heads(nodes) if not h.startswith(("z", "a", "L"))]
    assert sorted(leaves) == sorted(["x1", "x2", "w[1]_1,1", "w[1]_1,2", "b[1]_1", "w[1]_2,1", "w[1]_2,2",
                                     "b[1]_2", "w[2]_1,1", "w[2]_1,2", "b[2]_1"])
    assert len(set(leaves)) == len(leaves)  # one x1 for both neurons, as the course draws its inputs
    assert sorted(leaves[:0] + [n for n, _ in model.named_parameters()]) == sorted(set(leaves) - {"x1", "x2"})
    inner = sorted(h.split(" = ")[0] for h in heads(nodes) if h.startswith(("z", "a", "L")))
    assert inner == ["L", "a[1]_1", "a[1]_2", "z[1]_1", "z[1]_2", "z[2]_1"]
    assert "z[1]_2 = w[1]_2,1*x1 + w[1]_2,2*x2 + b[1]_2" in heads(nodes)
    assert not [h for h in heads(nodes) if re.match(r"n\d+ ", h)]  # no generated name: every node says what it is


def test_a_layer_alone_and_a_neuron_alone_are_named_too():
    layer = nn.Layer(2, 2, activation="tanh")
    out = layer([X1, X2])
    assert [o.label for o in out] == ["a_1", "a_2"] and out[1].parents[0].label == "z_2"
    assert [p.label for p in out[1].parents[0].parents] == ["w_2,1", "w_2,2", "b_2"]
    neuron = nn.Neuron(2, "none")
    assert neuron([X1, X2]).label == "z" and [p.label for p in neuron.parameters()] == ["w1", "w2", "b"]


def test_a_hidden_layers_z_is_one_node_over_values_with_no_inputs_to_draw():
    model = nn.MLP(2, [2, 1], seed=0)
    z2 = model([X1, X2])
    a1 = [n([X1, X2]) for n in model.layers[0].neurons]
    neuron = model.layers[1].neurons[0]
    assert z2.op == "dot" and len(z2.parents) == 5 and z2.parents[-1] is neuron.b and dot_inputs(z2) is None
    assert z2.data == pytest.approx(sum(w.data * a.data for w, a in zip(neuron.w, a1)) + neuron.b.data, rel=1e-15)


def test_only_a_dot_whose_constants_say_the_truth_is_written_with_inputs():
    w1, w2, b = Value(0.5, label="w1"), Value(2.0, label="w2"), Value(1.0, label="b")
    plain = dot([w1, w2, b], [3.0, 4.0, 1.0])
    assert dot_inputs(plain) is None and viz.text(plain).startswith("J = dot(w1, w2, b)")
    pairs = dot([w1, b], [w2, 1.0])  # a Value times a Value: no constant input
    pairs.const = (2.0,)  # a const that lies (w1's factor is the Value w2, and b's is 1): not believed
    assert dot_inputs(pairs) is None
    wrong = dot([w1, w2, b], [3.0, 4.0, 1.0])
    wrong.const = (3.0, 5.0)
    assert dot_inputs(wrong) is None and "x1" not in viz.draw(wrong).source
    right = dot([w1, w2, b], [3.0, 4.0, 1.0])
    right.const = (3.0, 4.0)
    assert dot_inputs(right) == (3.0, 4.0) and viz.text(right).startswith("J = w1*x1 + w2*x2 + b")


def test_inputs_are_drawn_whatever_is_shown_and_in_the_walkthrough(tmp_path):
    L = nn.binary_cross_entropy(logistic()([X1, X2]), 1)
    L.backward()
    for show in ("forward", "backward", "both"):
        source = viz.draw(L, show=show).source
        assert "x1 = 0.5" in source and "x_x1_n3" in source
    page = viz.walkthrough(L, tmp_path / "logistic.html").read_text()
    assert "x1 = 0.5" in page and "z = w1*x1 + w2*x2 + b" in page


def test_examples_with_different_inputs_get_inputs_of_their_own():
    model = logistic()
    J = nn.binary_cross_entropy([model([X1, X2]), model([X1, 0.75])], [1, 0])
    source = viz.draw(J).source
    assert source.count(">x1 = 0.5<") == 1 and "x2 = -1.2" in source and "x2 = 0.75" in source
    assert re.search(r"\tx2_2 \[label=<<FONT[^>]*>x2 = (0.75|-1.2)<", source)


def test_the_one_node_z_has_the_courses_second_derivatives():
    from autograd.functional import hessian

    def loss(w1, w2, b):
        model = nn.LogisticRegression(2)
        model.w, model.b = [w1, w2], b
        return nn.binary_cross_entropy(model([X1, X2]), 1.0)

    a = 1 / (1 + np.exp(-(0.25 * X1 - 0.5 * X2 + 0.125)))
    x = np.array([X1, X2, 1.0])  # the bias's input is 1
    np.testing.assert_allclose(hessian(loss, [0.25, -0.5, 0.125]), a * (1 - a) * np.outer(x, x), rtol=1e-12)
