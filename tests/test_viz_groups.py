"""viz.draw(..., group="neuron" | "layer") and collapse="neuron": a model's graph framed or folded by neuron and layer.

Neurons are found from the graph's shape (viz/_groups.py); these tests hold them against the models that built them.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import nn
import viz
from conftest import course_graph
from viz import _graph
from viz._notation import number

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def mlp_loss(backward: bool = True):
    """MLP(2, [4, 4, 1]) (relu, then a linear output) and its binary cross-entropy with logits on one example."""
    model = nn.MLP(2, [4, 4, 1], seed=0)
    loss = nn.binary_cross_entropy_with_logits(model([0.5, -1.0]), 1.0)
    if backward:
        loss.backward()
    return model, loss


def clusters(source: str) -> dict[str, tuple[str, list[str]]]:
    """Each cluster of a DOT source by name: its caption and the ids of the nodes it lists (not nested ones')."""
    found = {}
    for match in re.finditer(r"subgraph (cluster_\w+) \{\n(.*?)\n\t*\}", source, re.S):
        body = match.group(2)
        label = re.search(r'label="([^"]*)"', body).group(1)
        found[match.group(1)] = (label, re.findall(r"^\t+(n\d+)$", body, re.M))
    return found


def node_ids(loss) -> dict[int, str]:
    """The DOT id of each node under loss, by id() of the Value, as viz.draw numbers them."""
    return {id(v): f"n{i}" for i, v in enumerate(_graph.nodes(loss))}


def neuron_nodes(neuron, loss) -> set[int]:
    """id() of a neuron's parameters and of the two (or one) nodes it added to loss's graph: z, then relu(z)."""
    params = set(map(id, neuron.w + [neuron.b]))
    order = _graph.nodes(loss)
    z = next(v for v in order if v.op == "dot" and v.parents[-1] is neuron.b)  # z = w . x + b, one node
    made = {id(z)} | {id(v) for v in order if len(v.parents) == 1 and v.parents[0] is z and v.op == "relu"}
    return params | made


def test_group_neuron_frames_each_neuron_with_its_weights_bias_sum_and_activation_numbered_as_nn_numbers_them():
    model, loss = mlp_loss()
    source = viz.draw(loss, group="neuron").source
    found = clusters(source)
    ids = node_ids(loss)
    assert len(found) == 9
    for l, layer in enumerate(model.layers, 1):
        for j, neuron in enumerate(layer.neurons, 1):
            label, members = found[f"cluster_layer{l}_neuron{j}"]
            assert label == f"neuron {j} of layer {l}"
            assert set(members) == {ids[i] for i in neuron_nodes(neuron, loss)}
            assert len(members) == neuron.nin + 1 + (2 if l < 3 else 1)  # weights, bias, z, relu
    framed = {m for _, members in found.values() for m in members}
    assert len(framed) == len(ids) - 1  # all but the loss (one example: no mean)


def test_group_layer_frames_each_layer_and_says_how_many_neurons():
    model, loss = mlp_loss()
    found = clusters(viz.draw(loss, group="layer").source)
    ids = node_ids(loss)
    assert {name: label for name, (label, _) in found.items()} == {
        "cluster_layer1": "layer 1 (4 neurons)", "cluster_layer2": "layer 2 (4 neurons)",
        "cluster_layer3": "layer 3 (1 neuron)"}
    for l, layer in enumerate(model.layers, 1):
        want = set().union(*(neuron_nodes(n, loss) for n in layer.neurons))
        assert set(found[f"cluster_layer{l}"][1]) == {ids[i] for i in want}


def test_edges_into_a_frame_from_another_leave_a_column_for_its_weights():
    _, loss = mlp_loss()
    source = viz.draw(loss, group="neuron").source
    between = re.findall(r"^\t(n\d+) -> (n\d+) \[.*minlen=2", source, re.M)
    assert len(between) == 2 * (4 * 4 + 4)  # layer 1 -> 2 and 2 -> 3, forward and backward
    assert "minlen" not in viz.draw(loss).source  # the ungrouped drawing is as it was


def test_collapse_draws_each_neuron_as_one_box_with_its_outputs_value_and_gradient():
    model, loss = mlp_loss()
    source = viz.draw(loss, collapse="neuron").source
    order = _graph.nodes(loss)
    names = _graph.names(order, loss)
    grads = _graph.gradients(loss, order)
    ids = node_ids(loss)
    boxes = re.findall(r"^\t(n\d+) \[label=<neuron (\d) of layer (\d)<BR/>(.*?)> .*$", source, re.M)
    assert len(boxes) == 9
    declared = re.findall(r"^\t(n\d+) \[label=", source, re.M)
    assert len(declared) == 10  # nine neurons and the loss: no weight, bias or z (the inputs x1, x2 are not n-ids)
    for node_id, j, l, rest in boxes:
        layer = model.layers[int(l) - 1]
        out = next(v for v in order if ids[id(v)] == node_id)
        assert out.op == ("relu" if int(l) < 3 else "dot") and id(layer.neurons[int(j) - 1].b) in {
            id(p) for v in order for p in v.parents if v is out or v in out.parents}
        name = names[id(out)]
        assert rest == (f"{name} = relu(w·x + b)" if int(l) < 3 else f"{name} = w·x + b") + (
            f'<BR/><FONT COLOR="blue">= {number(out.data)}</FONT>'
            f'<BR/><FONT COLOR="red">dL/d{name} = {number(grads[id(out)])}</FONT>')
    forward = re.findall(r"^\t(n\d+) -> (n\d+) \[color=blue", source, re.M)
    assert len(forward) == 4 * 4 + 4 + 1  # layer 1 -> 2, 2 -> 3, then the loss
    assert len(re.findall(r"^\tx[12] -> (n\d+) \[color=\"#555555\"", source, re.M)) == 2 * 4  # x1, x2 into layer 1
    backward = re.findall(r"^\t(n\d+) -> (n\d+) \[(.*)\]$", source, re.M)
    assert sum("label=" in attrs for *_, attrs in backward) == 1  # only the loss's edge says a
    # local derivative: a collapsed neuron's inputs reach its output through several operations


def test_collapse_and_group_layer_frame_the_boxes_by_layer():
    _, loss = mlp_loss()
    found = clusters(viz.draw(loss, collapse="neuron", group="layer").source)
    assert [len(members) for _, members in found.values()] == [4, 4, 1]


def test_collapse_before_backward_shows_values_only():
    _, loss = mlp_loss(backward=False)
    source = viz.draw(loss, collapse="neuron").source
    assert "neuron 1 of layer 1" in source and 'COLOR="red"' not in source and "dashed" not in source


def test_a_logistic_regression_is_one_neuron():
    model = nn.LogisticRegression(2)
    loss = nn.binary_cross_entropy(model([1.0, 2.0]), 1.0)
    loss.backward()
    found = clusters(viz.draw(loss, group="neuron").source)
    ids = node_ids(loss)
    (label, members), = found.values()
    order = _graph.nodes(loss)
    sigmoid = next(v for v in order if v.op == "sigmoid")
    assert label == "neuron 1"  # one layer: no layer number
    assert len(members) == 5 and ids[id(sigmoid)] in members and ids[id(model.b)] in members  # w1, w2, b, z, a
    source = viz.draw(loss, collapse="neuron").source
    assert "neuron 1<BR/>" in source and "sigmoid(w·x + b)" in source


def test_a_matrix_model_is_framed_by_layer_and_refuses_neurons():
    model = nn.MLP(2, [4, 4, 1], seed=0, matrix=True)
    loss = nn.binary_cross_entropy_with_logits(model(np.array([[0.5, -1.0], [1.0, 2.0]])), np.array([1.0, 0.0]))
    loss.backward()
    found = clusters(viz.draw(loss, group="layer").source)
    ids = node_ids(loss)
    assert [label for label, _ in found.values()] == ["layer 1", "layer 2", "layer 3"]
    assert ids[id(model.layers[0].W)] in found["cluster_layer1"][1]
    assert ids[id(model.layers[2].b)] in found["cluster_layer3"][1]
    for option in ({"group": "neuron"}, {"collapse": "neuron"}):
        with pytest.raises(ValueError, match="matrix=True.*group='layer'.*as_neurons"):
            viz.draw(loss, **option)


def test_a_sum_that_holds_its_bias_is_one_unit_even_with_a_leaf_added_after_it():
    import autograd
    from autograd import Value
    from viz import _groups
    W, b, c = Value(np.ones((3, 2)), "W"), Value(np.zeros((3, 1)), "b"), Value(np.zeros((3, 1)), "c")
    Z = autograd.affine(W, np.ones((2, 4)), b)
    w = [Value(1.0, "w1"), Value(2.0, "w2"), Value(0.5, "b")]
    z = autograd.dot(w, [1.0, 2.0, 1.0])  # on one example the bias is inside the dot
    for total, J in ((Z, ((Z + c).tanh()).sum()), (z, (z + Value(0.1, "c")).tanh())):
        found = _groups.units(_graph.nodes(J))
        assert [u.nodes for u in found] == [[total]]  # one unit, not a second one reading it as the sum of "+ c"


@pytest.mark.parametrize("options, message", [
    ({"group": "neurons"}, "group must be None or one of 'neuron', 'layer'; got 'neurons'"),
    ({"group": True}, "group must be None or one of"),
    ({"collapse": "layer"}, "collapse must be None or one of 'neuron'; got 'layer'"),
    ({"group": "neuron", "collapse": "neuron"}, "already draws each neuron as one box"),
])
def test_bad_options_are_refused_clearly(options, message):
    _, loss = mlp_loss()
    with pytest.raises(ValueError, match=re.escape(message)):
        viz.draw(loss, **options)


def test_a_graph_without_neurons_is_refused_and_nothing_is_written(tmp_path):
    *_, J = course_graph()
    J.backward()
    with pytest.raises(ValueError, match=r"group='neuron' found no neuron in this graph"):
        viz.draw(J, group="neuron")
    with pytest.raises(ValueError, match="collapse='neuron' found no neuron"):
        viz.render(J, tmp_path / "course.svg", collapse="neuron")
    with pytest.raises(ValueError, match="group must be"):
        viz.walkthrough(J, tmp_path / "course.html", group="layers")
    assert list(tmp_path.iterdir()) == []


def test_a_weighted_sum_read_elsewhere_is_not_a_neuron():
    from autograd import Value, dot
    w, x, b = [Value(0.5), Value(-1.0)], [1.0, 2.0], Value(0.1)
    total = dot(w, x)
    J = (total + b).relu() + total  # the sum is also read outside the "neuron"
    with pytest.raises(ValueError, match="found no neuron"):
        viz.draw(J, group="neuron")


@needs_dot
def test_the_walkthrough_of_the_mlp_frames_its_neurons(tmp_path):
    _, loss = mlp_loss(backward=False)
    page = viz.walkthrough(loss, tmp_path / "mlp.html", group="neuron").read_text(encoding="utf-8")
    assert page.count('class="cluster"') == 9 and "neuron 3 of layer 2" in page


def boxes(svg: str) -> tuple[list[tuple], list[tuple], list[float]]:
    """The nodes' and the edge labels' boxes (left, top, right, bottom) in an SVG from Graphviz, and every font size.

    A label's box is estimated from its text, on the small side (half its font size per character), so that an
    overlap found is a real one.
    """
    ns = {"s": "http://www.w3.org/2000/svg"}
    root = ET.fromstring(svg)
    nodes, labels, sizes = [], [], []
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        kind = g.get("class")
        if kind == "node":
            xs, ys = [], []
            for shape in g.iter():  # a node with a tooltip wraps its shapes in a link, <a xlink:title="...">
                if shape.tag.endswith("ellipse"):
                    cx, cy, rx, ry = (float(shape.get(k)) for k in ("cx", "cy", "rx", "ry"))
                    xs += [cx - rx, cx + rx]
                    ys += [cy - ry, cy + ry]
                elif shape.tag.endswith(("path", "polygon")):
                    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shape.get("d") or shape.get("points"))]
                    xs += numbers[0::2]
                    ys += numbers[1::2]
            nodes.append((min(xs), min(ys), max(xs), max(ys)))
        if kind in ("node", "edge", "cluster"):
            for text in g.iterfind(".//s:text", ns):
                size = float(text.get("font-size"))
                sizes.append(size)
                if kind == "edge":
                    x, y, width = float(text.get("x")), float(text.get("y")), len(text.text or "") * size / 2
                    left = {"start": x, "middle": x - width / 2, "end": x - width}[text.get("text-anchor")]
                    labels.append((left, y - size * 0.7, left + width, y))
    return nodes, labels, sizes


def overlap(a: tuple, b: tuple) -> bool:
    """Whether two boxes share more than a sliver (half a point)."""
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5


@needs_dot
@pytest.mark.parametrize("options", [{}, {"group": "neuron"}, {"group": "layer"}, {"collapse": "neuron"},
                                     {"collapse": "neuron", "group": "layer"}])
def test_the_70_node_mlp_drawing_is_legible_at_its_natural_size(tmp_path, options):
    _, loss = mlp_loss()
    assert len(_graph.nodes(loss)) == 55  # 54 for the network (2*4+4*4+4 weights, 9 biases, 2 nodes a neuron, z and
    # relu(z), but the last's 1) and the loss (one example: no mean); 57 once the inputs x1, x2 are drawn
    svg = viz.render(loss, tmp_path / "mlp.svg", **options).read_text(encoding="utf-8")
    nodes, labels, sizes = boxes(svg)
    assert min(sizes) >= 10  # points, at the drawing's natural size
    assert not [(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1:] if overlap(a, b)]
    assert not [(label, node) for label in labels for node in nodes if overlap(label, node)]


@needs_dot
def test_collapsed_neurons_stand_in_order_down_each_layer(tmp_path):
    _, loss = mlp_loss()
    svg = viz.render(loss, tmp_path / "mlp.svg", collapse="neuron").read_text(encoding="utf-8")
    found = re.findall(r'<text[^>]* y="(-?[\d.]+)"[^>]*>neuron (\d) of layer (\d)</text>', svg)
    for layer in "12":
        tops = sorted((float(y), j) for y, j, l in found if l == layer)
        assert [j for _, j in tops] == ["1", "2", "3", "4"]
