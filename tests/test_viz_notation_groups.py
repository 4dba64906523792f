"""The notations (partials on edges, totals on nodes, notation="course") and tooltips together with the drawings of
real models: the grey inputs x_k, neuron frames (group=) and collapsed neurons (collapse=), in SVG from the real
`dot`, in the text tree and in the walkthrough."""

import re
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import nn
import viz
from viz import _graph
from viz._notation import number
from viz.render import pipe
from test_viz_notation import hovered, steps_of, texts_in

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
X1, X2 = 0.5, -1.2


def mlp_loss():
    """MLP(2, [4, 4, 1]) (relu, then a linear output) and its binary cross-entropy with logits on one example, after
    backward()."""
    model = nn.MLP(2, [4, 4, 1], seed=0)
    loss = nn.binary_cross_entropy_with_logits(model([X1, X2]), 1.0)
    loss.backward()
    return model, loss


def logistic_loss():
    """The course's week-2 picture from nn: LogisticRegression(2) on one example (x1, x2) = (0.5, -1.2), y = 1, its
    binary cross-entropy L after backward(); and the numbers the slide's formulas give."""
    model = nn.LogisticRegression(2)
    for p, value in zip(model.parameters(), (0.25, -0.5, 0.125)):
        p.data = value
    L = nn.binary_cross_entropy(model([X1, X2]), 1.0)
    L.backward()
    a = 1 / (1 + np.exp(-(0.25 * X1 - 0.5 * X2 + 0.125)))
    dz = a - 1.0  # the course's dz = a - y
    return L, {"dz": dz, "dw1": X1 * dz, "dw2": X2 * dz, "db": dz, "da": -1 / a, "dL": 1.0, "a": a}


def svg_of(root, **options) -> ET.Element:
    """The drawing of root as SVG from the real dot, parsed."""
    return ET.fromstring(pipe(viz.draw(root, **options), "svg"))


def gradient_lines(svg_root) -> dict[str, str]:
    """The red gradient line of each node drawn: its name ("dz", "dL/dz") -> its number as drawn."""
    found = {}
    for text in texts_in(svg_root, "node"):
        match = re.fullmatch(r"(d\S+) = (\S+)", text or "")
        if match:
            found[match.group(1)] = match.group(2)
    return found


# --- the logistic regression slide in the course's notation ---

@needs_dot
def test_the_logistic_regression_in_the_course_notation_reads_as_the_slide():
    L, course = logistic_loss()
    svg = svg_of(L, notation="course")
    a = course.pop("a")
    assert gradient_lines(svg) == {name: number(value) for name, value in course.items()}
    assert texts_in(svg, "edge") == {f"∂z/∂w1 = x1 = {number(X1)}", f"∂z/∂w2 = x2 = {number(X2)}", "∂z/∂b = 1",
                                     f"∂a/∂z = a*(1 - a) = {number(a * (1 - a))}", f"∂L/∂a = {number(-1 / a)}"}
    heads = texts_in(svg, "node")
    assert {"x1 = 0.5", "x2 = -1.2", "z = w1*x1 + w2*x2 + b", "a = sigmoid(z)", "L = bce(a)"} <= heads
    assert not [t for t in heads if t.startswith("dL/")]  # no Leibniz gradient left on a node


@needs_dot
def test_the_logistic_regressions_two_notations_differ_only_in_the_gradients_names():
    L, _ = logistic_loss()
    leibniz, course = svg_of(L), svg_of(L, notation="course")
    assert {f"d{name[4:]}" if name != "dL/dL" else "dL": v for name, v in gradient_lines(leibniz).items()} == \
        gradient_lines(course)
    assert texts_in(leibniz, "edge") == texts_in(course, "edge")  # partials in both


def test_the_logistic_regressions_text_and_walkthrough_in_the_course_notation(tmp_path):
    L, course = logistic_loss()
    lines = viz.text(L, notation="course").splitlines()
    assert [line.split()[-3:] for line in lines] == [[name, "=", number(course[name], 6)]
                                                      for name in ("dL", "da", "dz", "dw1", "dw2", "db")]
    steps, page = steps_of(viz.walkthrough(L, tmp_path / "logistic.html", notation="course"))
    said = [line for step in steps["steps"] for line in step["say"]]
    dz = number(course["dz"])  # negative (a < y = 1): a factor in parentheses
    assert f"dw1 = dz · ∂z/∂w1 = ({dz}) · {number(X1)} = {number(course['dw1'])}" in said
    assert f"dw2 = dz · ∂z/∂w2 = ({dz}) · ({number(X2)}) = {number(course['dw2'])}" in said
    assert f"db = dz · ∂z/∂b = ({dz}) · 1 = {number(course['db'])}" in said
    assert "x1 = 0.5" in page and 'id="zoom-in"' in page  # the grey input, and the page's zoom (helper C's)


# --- tooltips on the grey inputs and on collapsed neurons ---

@needs_dot
def test_the_grey_inputs_and_their_edges_have_tooltips_of_their_own():
    L, _ = logistic_loss()
    svg = svg_of(L, notation="course")
    nodes = {g.get("id"): g for g in svg.iter("{http://www.w3.org/2000/svg}g") if g.get("class") in ("node", "edge")}
    assert set(hovered(nodes["x1"])) == {"x1 = 0.5"} and set(hovered(nodes["x2"])) == {"x2 = -1.2"}
    assert set(hovered(nodes["x_x1_n3"])) == {"x1 → z"} and set(hovered(nodes["x_x2_n3"])) == {"x2 → z"}
    shown = hovered(svg)
    assert None not in shown and not any(re.fullmatch(r"%\d+|n\d+(->n\d+)?|x\d(->n\d+)?", t) for t in shown)


def neuron_grad(unit_output, names, grads, notation):
    """The gradient line a collapsed box should carry."""
    name = names[id(unit_output)]
    return f"{'d' + name if notation == 'course' else 'dL/d' + name} = {number(grads[id(unit_output)])}"


@needs_dot
@pytest.mark.parametrize("notation", ["leibniz", "course"])
def test_collapsed_neurons_write_their_gradient_in_the_notation_and_name_themselves_on_hover(notation):
    model, loss = mlp_loss()
    order = _graph.nodes(loss)
    names, grads = _graph.names(order, loss), _graph.gradients(loss, order)
    svg = svg_of(loss, collapse="neuron", notation=notation)
    outputs = [v for v in order if names[id(v)] in {f"a[{l}]_{j}" for l in (1, 2) for j in (1, 2, 3, 4)} | {"z[3]_1"}]
    assert len(outputs) == 9
    heads = texts_in(svg, "node")
    for out in outputs:
        assert neuron_grad(out, names, grads, notation) in heads
    shown = set(hovered(svg))
    assert "neuron 2 of layer 1: a[1]_2 = relu(w·x + b)" in shown and "neuron 1 of layer 3: z[3]_1 = w·x + b" in shown
    assert {f"x{k} → a[1]_{j}" for k in (1, 2) for j in (1, 2, 3, 4)} <= shown and "x1 = 0.5" in shown
    assert None not in hovered(svg) and not any(re.fullmatch(r"%\d+|n\d+(->n\d+)?", t) for t in shown)


def test_a_collapsed_neurons_edge_tooltip_is_the_partial_through_the_neuron():
    model, loss = mlp_loss()
    source = viz.draw(loss, collapse="neuron", notation="course").source
    tips = dict(re.findall(r'tooltip="(∂\S+/∂\S+) = (\S+), through w·x \+ b(?: and relu)?"', source))
    assert len(tips) == 4 * 4 + 4  # layer 1 -> 2, layer 2 -> 3
    order = _graph.nodes(loss)
    names = _graph.names(order, loss)
    by_name = {names[id(v)]: v for v in order}
    for j in range(1, 5):
        z = by_name[f"z[2]_{j}"]
        for k in range(1, 5):  # ∂a/∂a_prev = relu'(z) w: the weight, or 0 where the neuron is off
            w = model.layers[1].neurons[j - 1].w[k - 1].data
            assert tips[f"∂a[2]_{j}/∂a[1]_{k}"] == number(w if z.data > 0 else 0.0)
    for k in range(1, 5):  # the linear output: its weights
        assert tips[f"∂z[3]_1/∂a[2]_{k}"] == number(model.layers[2].neurons[0].w[k - 1].data)


def test_a_collapsed_neuron_on_a_batch_names_its_partial_without_a_number():
    model = nn.MLP(2, [2, 1], seed=0)
    J = nn.binary_cross_entropy_with_logits(model(np.array([[X1, X2], [0.3, 0.1]])), [1.0, 0.0])
    J.backward()
    source = viz.draw(J, collapse="neuron", notation="course").source
    tips = re.findall(r'tooltip="(∂[^"]*through[^"]*)"', source)
    assert tips and all(re.fullmatch(r"∂\S+/∂\S+, through w·x \+ b( and relu)?", t) for t in tips)


# --- neuron frames with the course's notation ---

@needs_dot
def test_group_neuron_with_the_course_notation_frames_the_neurons_and_writes_dz_and_partials():
    model, loss = mlp_loss()
    order = _graph.nodes(loss)
    names, grads = _graph.names(order, loss), _graph.gradients(loss, order)
    source = viz.draw(loss, group="neuron", notation="course").source
    assert len(re.findall(r"subgraph cluster_layer\d_neuron\d", source)) == 9
    svg = ET.fromstring(pipe(viz.draw(loss, group="neuron", notation="course"), "svg"))
    lines = gradient_lines(svg)
    assert not [name for name in lines if "/" in name]  # every gradient in the shorthand
    for v in order:
        assert lines[f"d{names[id(v)]}"] == number(grads[id(v)])
    w = model.layers[0].neurons[1].w[0]
    assert f"∂z[1]_2/∂w[1]_2,1 = x1 = {number(X1)}" in texts_in(svg, "edge")  # the inputs on the first layer's edges
    assert f"dw[1]_2,1 = {number(w.grad)}" in texts_in(svg, "node")
    captions = {t.text for g in svg.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "cluster"
                for t in g.iter("{http://www.w3.org/2000/svg}text")}
    assert {"neuron 1 of layer 1", "neuron 4 of layer 2", "neuron 1 of layer 3"} <= captions


def test_the_walkthrough_passes_the_notation_on_with_its_groups(tmp_path):
    _, loss = mlp_loss()
    steps, page = steps_of(viz.walkthrough(loss, tmp_path / "mlp.html", group="neuron", notation="course"))
    svg = page[page.index("<svg"):page.index("</svg>") + 6]
    assert len(re.findall(r'<g id="clust\d+" class="cluster">', svg)) == 9
    assert "da[1]_2 = " in svg and "dL/d" not in svg  # the drawing in the page: the course's notation
    said = " ".join(line for step in steps["steps"][1:] for line in step["say"])  # the first explains dL/dv
    assert "dz[3]_1 = dL · ∂L/∂z[3]_1 = 1 · (" in said and "dL/d" not in said
    assert len(re.findall(r"da\[1\]_2 \+?= dz\[2\]_(\d) · ∂z\[2\]_\1/∂a\[1\]_2 = \S+ · \S+ = ", said)) == 4
    assert set(steps["initial"].values()) == {f"d{name} = ?" for name in
                                              _graph.names(_graph.nodes(loss), loss).values()}
    with pytest.raises(ValueError, match="notation must be"):
        viz.walkthrough(loss, tmp_path / "bad.html", group="neuron", notation="Course")
    assert not (tmp_path / "bad.html").exists()


def test_draw_keeps_its_positional_order_and_takes_the_new_options_by_keyword():
    _, loss = mlp_loss()
    source = viz.draw(loss, "backward", "LR", False, 500, "course", group="layer").source
    assert "dz[3]_1 = " in source and "cluster_layer1" in source and "color=blue" not in source
    with pytest.raises(TypeError):
        viz.draw(loss, "both", "LR", True, 500, "course", "neuron")  # group and collapse are keyword-only
