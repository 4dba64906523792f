"""Drawings of graphs whose Values hold matrices: the course's week-3 network, one node per layer.

The expected labels are written out by hand, as the course writes them, never computed with the functions that
make them.
"""

import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd
import nn
import viz
from autograd import Value
from viz import _graph


def test_nodes_puts_a_parent_shared_by_two_paths_before_every_node_using_it():
    p = Value(1.0, label="p")
    a = p * 2.0
    a.label = "a"
    r = a + p  # p is r's parent, and a's: it must come before a
    assert [v.label for v in _graph.nodes(r)] == ["p", "a", ""]


SVG = "{http://www.w3.org/2000/svg}"


def layer(J_of=lambda Z: Z.sum()):
    """A layer as the course writes it, with numbers to check by hand: Z = W @ X + b, W (3×2), X (2×4), b (3×1).

    With J = sum(Z), every dJ/dZ is 1, so dJ/dW = 1 Xᵀ (each row the row sums of X, 2 and 1), dJ/db = 4 (the sum
    over the 4 columns), dJ/dX = Wᵀ 1 (each column the column sums of W, 9 and 12).
    """
    W = Value(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), label="W")
    X = Value(np.array([[1.0, 0.0, -1.0, 2.0], [0.0, 1.0, 1.0, -1.0]]), label="X")
    b = Value(np.zeros((3, 1)), label="b")
    P = W @ X
    P.label = "P"
    Z = P + b
    Z.label = "Z"
    J = J_of(Z)
    J.label = "J"
    return J, W, X, b, P, Z


def drawn(root, **options):
    """The DOT source's HTML labels, each as its lines joined by " / ", keyed by the red, blue or black color."""
    out = {"red": [], "blue": [], "black": []}
    for label in re.findall(r"label=<(.*?)>(?: |\])", viz.draw(root, **options).source):
        for line in label.split("<BR/>"):
            font = re.fullmatch(r'<FONT COLOR="(\w+)">(.*)</FONT>', line)
            color, text = (font.group(1), font.group(2)) if font else ("black", line)
            out[color].append(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    return out


def edge_labels(root, **options):
    """The red edge labels of viz.draw, a label of two lines joined by a space."""
    labels = re.findall(r'label=<(<FONT COLOR="red">[^>]*</FONT>(?:<BR/><FONT COLOR="red">[^>]*</FONT>)?)> '
                        r'color=red', viz.draw(root, **options).source)
    return [" ".join(re.findall(r">([^<]*)</FONT>", label)) for label in labels]


def test_the_formulas_of_a_matrix_product_and_of_a_broadcast_bias_are_the_courses():
    J, *_ = layer()
    black = drawn(J)["black"]
    assert "P = W @ X" in black and "Z = P + b" in black and "J = sum(Z)" in black  # not "J = Z" (a sum of one)


@pytest.mark.parametrize("build, formula", [
    (lambda M: M.sum(), "sum(M)"),
    (lambda M: M.mean(), "mean(M)"),
    (lambda M: M.sum(axis=0), "sum(M, axis=0)"),
    (lambda M: M.mean(axis=1, keepdims=True), "mean(M, axis=1, keepdims=True)"),
    (lambda M: M.sum(axis=(0, 1)), "sum(M, axis=(0, 1))"),
    (lambda M: M.sum(axis=-1), "sum(M, axis=-1)"),
    (lambda M: M.T, "M.T"),
    (lambda M: M @ np.ones((3, 4)), "M @ const(3×4)"),
    (lambda M: np.ones((5, 2)) @ M, "const(5×2) @ M"),
    (lambda M: np.ones(2) @ M, "const(2) @ M"),
    (lambda M: autograd.affine(M, np.ones((3, 4)), Value(np.zeros((2, 1)), label="b")), "M @ const(3×4) + b"),
    (lambda M: autograd.affine(M, Value(np.ones((3, 4)), label="A"), Value(0.5, label="b")), "M @ A + b"),
])
def test_the_formula_of_each_new_matrix_operation(build, formula):
    out = build(Value(np.arange(6.0).reshape(2, 3), label="M"))
    assert viz.text(out).splitlines()[0].startswith(f"J = {formula} = ")


def test_a_number_or_a_vector_is_summed_and_transposed_as_written():
    x, v = Value(2.0, label="x"), Value(np.arange(3.0), label="v")
    assert viz.text(x.sum()).splitlines()[0] == "J = sum(x) = 2"
    assert viz.text(x.T).splitlines()[0] == "J = x.T = 2"
    assert viz.text(v.T).splitlines()[0] == "J = v.T = [0, 1, 2]"


def test_a_custom_operation_named_like_a_matrix_one_keeps_the_generic_call():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    assert viz.text(autograd.record(2.0, [a, b], [2.0, 1.0], "@")).splitlines()[0] == "J = @(a, b) = 2"
    assert viz.text(autograd.record(3.0, [a], [3.0], "T")).splitlines()[0] == "J = T(a) = 3"  # not a's transpose


def test_a_matrix_shows_its_first_numbers_and_its_shape_in_blue_and_its_gradient_in_red():
    J, *_ = layer()
    J.backward()
    seen = drawn(J)
    assert "W = [1, 2, 3, …] (3×2)" in seen["blue"] and "b = [0, 0, 0] (3×1)" in seen["blue"]
    assert "X = [1, 0, -1, …] (2×4)" in seen["blue"] and "= [1, 2, 1, …] (3×4)" in seen["blue"]  # P's first row
    assert {"dJ/dW = [2, 1, 2, …] (3×2)", "dJ/db = [4, 4, 4] (3×1)", "dJ/dX = [9, 9, 9, …] (2×4)",
            "dJ/dZ = [1, 1, 1, …] (3×4)", "dJ/dJ = 1"} <= set(seen["red"])


def test_a_batch_is_still_drawn_with_its_size():
    v = Value(np.arange(5.0), label="v")
    assert drawn(v)["blue"] == ["v = [0, 1, 2, … (5 values)]"]


def test_the_edge_labels_of_a_layer_are_local_derivatives_in_the_courses_notation():
    J, *_ = layer()
    J.backward()
    assert sorted(edge_labels(J)) == sorted([
        "∂P/∂W: G ↦ G Xᵀ",  # the course's dW = dZ A[l-1]ᵀ, one factor at a time
        "∂P/∂X: G ↦ Wᵀ G",
        "∂Z/∂P = 1",
        "∂Z/∂b = 1 for each entry, summed over axis 1",  # the course's db = Σ dZ over the examples
        "∂J/∂Z = 1 for each entry"])


@pytest.mark.parametrize("build, label", [
    (lambda M: M.mean(), "∂J/∂M = 1/6 for each entry"),  # the course's 1/m
    (lambda M: M.mean(axis=0).sum(), "∂n1/∂M = 1/2 for each entry"),
    (lambda M: M.T.sum(), "∂n1/∂M: G ↦ Gᵀ"),
    (lambda M: (M @ np.ones((3, 4))).sum(), "∂n1/∂M: G ↦ G constᵀ"),
    (lambda M: (np.ones((5, 2)) @ M).sum(), "∂n1/∂M: G ↦ constᵀ G"),
    (lambda M: M.tanh().sum(), "∂n1/∂M = 1 - n1**2 for each entry"),  # its rule, not its 6 numbers
    (lambda M: (M * np.ones(3)).sum(), "∂n1/∂M = [1, 1, 1]"),
    (lambda M: (M + np.ones((4, 2, 3))).sum(), "∂n1/∂M = 1 for each entry, summed over axis 0"),
    (lambda M: autograd.affine(M, np.ones((3, 4)), Value(np.zeros((2, 1)), label="b")).sum(),
     "∂n1/∂M: G ↦ G constᵀ"),
    (lambda M: autograd.affine(Value(np.ones((4, 2)), label="W"), M, Value(np.zeros((4, 1)), label="b")).sum(),
     "∂n1/∂M: G ↦ Wᵀ G"),
    (lambda M: autograd.affine(M, np.ones((3, 4)), Value(np.zeros((2, 1)), label="b")).sum(),
     "∂n1/∂b = 1 for each entry, summed over axis 1"),
])
def test_the_edge_label_of_each_new_matrix_operation(build, label):
    out = build(Value(np.arange(6.0).reshape(2, 3), label="M"))
    out.backward()
    assert label in edge_labels(out)


def test_a_number_or_a_batch_broadcast_into_a_batch_keeps_todays_edge_labels():
    b, w = Value(0.5, label="b"), Value(np.ones(3), label="w")
    z = autograd.dot(w, np.arange(6.0).reshape(2, 3)) + b
    z.label = "z"
    J = z.mean()
    J.backward()
    assert "∂z/∂b = 1" in edge_labels(J)  # the number receives the sum over the batch, as before


def test_the_transposes_name_operands_that_are_not_plain_names_in_parentheses():
    A, B = Value(np.ones((2, 2)), label="my A"), Value(np.ones((2, 2)), label="B")
    J = (A @ B).sum()
    J.backward()
    assert {"∂n1/∂my A: G ↦ G Bᵀ", "∂n1/∂B: G ↦ (my A)ᵀ G"} <= set(edge_labels(J))


def test_a_long_edge_label_of_matrices_is_written_on_two_lines_and_a_batchs_on_one():
    J, *_ = layer()
    J.backward()
    assert ('<FONT COLOR="red">∂Z/∂b =</FONT><BR/><FONT COLOR="red">1 for each entry, summed over axis 1</FONT>'
            in viz.draw(J).source)
    x = Value(np.array([0.5, 1.0]), label="x")
    y = x.tanh()
    y.label = "a long name for y"
    K = y.mean()
    K.backward()
    assert '<FONT COLOR="red">∂a long name for y/∂x = 1 - a long name for y**2 = [' in viz.draw(K).source


@pytest.fixture(scope="module")
def week3():
    """The course's week-3 network at its start on the flower's first 5 points, as demos.layer_graph builds it (the
    demo is not imported: mutation testing copies only the packages), after backward(): J and its named nodes."""
    points, labels = nn.make_flower()
    np.random.seed(2)
    model = nn.MLP(2, [4, 1], "tanh", "sigmoid", init="small", matrix=True)
    A2 = model(Value(points[:5].T, label="X"), columns=True)
    J = nn.binary_cross_entropy(A2, labels[:5])  # the course's A[2] (1, 5) as it is
    J.parents[0].label, J.label = "L", "J"
    J.backward()
    return J, {v.label: v for v in _graph.nodes(J) if v.label}


def grads_of(nodes):
    """Each node's .grad, the object itself and a copy of its numbers."""
    return {name: (v.grad, np.array(v.grad, copy=True)) for name, v in nodes.items()}


def unchanged(nodes, before):
    """Whether every .grad is the same object, holding the same numbers, as before."""
    return all(v.grad is before[k][0] and np.array_equal(v.grad, before[k][1]) for k, v in nodes.items())


def test_the_week3_drawing_has_the_courses_nodes_shapes_and_red_gradient_shapes(week3, tmp_path):
    J, nodes = week3
    svg = ET.parse(viz.render(J, tmp_path / "week3.svg", rankdir="TB")).getroot()
    texts = [(t.text, t.get("fill")) for t in svg.iter(SVG + "text")]
    black = {t for t, color in texts if color is None or color == "#000000"}
    assert {"Z[1] = W[1] @ X + b[1]", "A[1] = tanh(Z[1])", "Z[2] = W[2] @ A[1] + b[2]", "A[2] = sigmoid(Z[2])",
            "L = bce(A[2])", "J = mean(L)"} <= black  # Z = W A + b one box, as the course's
    blue = [t for t, color in texts if color == "blue"]
    red = [t for t, color in texts if color == "red"]
    for name, shape in [("X", "2×5"), ("W[1]", "4×2"), ("b[1]", "4×1"), ("W[2]", "1×4"), ("b[2]", "1×1")]:
        assert any(t.startswith(f"{name} = [") and t.endswith(f"] ({shape})") for t in blue), name
        assert any(t.startswith(f"dJ/d{name} = [") and t.endswith(f"] ({shape})") for t in red), name
    for name, shape in [("Z[1]", "4×5"), ("A[1]", "4×5"), ("Z[2]", "1×5"), ("A[2]", "1×5")]:
        assert any(t.startswith(f"dJ/d{name} = [") and t.endswith(f", …] ({shape})") for t in red), name
    assert sum(t.endswith("] (4×5)") for t in blue) == 2  # the values of Z[1] and A[1]
    assert {"dJ/dL = [0.2, 0.2, 0.2, …] (1×5)", "dJ/dJ = 1", "∂J/∂L = 1/5 for each entry",
            "∂Z[2]/∂W[2]: G ↦ G A[1]ᵀ", "∂Z[2]/∂A[1]: G ↦ W[2]ᵀ G", "∂Z[1]/∂W[1]: G ↦ G Xᵀ",
            "∂Z[1]/∂X: G ↦ W[1]ᵀ G", "1 - A[1]**2 for each entry"} <= set(red)
    assert red.count("1 for each entry, summed over axis 1") == 2  # b[1] (4×1) and b[2] (1×1): over the examples
    assert max(len(t) for t, _ in texts) <= 70  # no label of thousands of numbers


def test_the_week3_parameters_of_layer_2_stand_beside_layer_1_and_the_inputs_share_the_first_column(week3):
    J, *_ = week3
    source = viz.draw(J).source
    ids = dict(re.findall(r'(n\d+) \[label=<(?:<FONT COLOR="blue">)?([^ <]+) =', source))
    ids = {name: node for node, name in ids.items()}
    first = re.search(r"rank=min((?:\s+n\d+)+)", source).group(1).split()
    assert sorted(first) == sorted([ids["X"], ids["W[1]"], ids["b[1]"]])
    beside = re.findall(r"rank=same\s+(n\d+)\s+(n\d+)", source)
    assert sorted(beside) == sorted([(ids["W[2]"], ids["A[1]"]), (ids["b[2]"], ids["A[1]"])])


def test_the_week3_text_tree_shows_each_matrix_by_its_first_numbers_and_its_shape(week3):
    J, *_ = week3
    lines = viz.text(J).splitlines()
    assert lines[0].split() == ["J", "=", "mean(L)", "=", "0.693133", "dJ/dJ", "=", "1"]
    z1 = next(i for i, line in enumerate(lines) if "Z[1] = W[1] @ X + b[1] = [" in line)
    assert lines[z1].endswith(", …] (4×5)")  # too long to leave room: its gradient is on the next line, in the column
    assert lines[z1 + 1].lstrip(" │").startswith("dJ/dZ[1] = [") and lines[z1 + 1].endswith(", …] (4×5)")
    assert any("b[1] = [0, 0, 0, 0] (4×1)" in line and "dJ/db[1] = [" in line for line in lines)
    assert len({line.index("dJ/d") for line in lines if "dJ/d" in line}) == 1  # one column
    assert sum("dJ/d" in line for line in lines) == 11 and max(map(len, lines)) < 200


def test_the_week3_walkthrough_says_each_step_with_shapes_and_a_few_numbers(week3, tmp_path):
    J, *_ = week3
    path = viz.walkthrough(J, tmp_path / "week3.html", rankdir="TB")
    page = path.read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script id="steps" type="application/json">(.*?)</script>', page, re.S).group(1))
    steps = data["steps"]
    assert [s["name"] for s in steps] == ["J", "J", "L", "A[2]", "Z[2]", "A[1]", "Z[1]"]
    said = "\n".join(line for s in steps for line in s["say"])
    assert "dJ/dL = dJ/dJ · 1/5 for each entry = [0.2, 0.2, 0.2, …] (1×5)" in said
    assert re.search(r"dJ/dW\[2\] = \(dJ/dZ\[2\]\) A\[1\]ᵀ = \[[^]]*\] \(1×4\)", said)
    assert re.search(r"dJ/dA\[1\] = W\[2\]ᵀ \(dJ/dZ\[2\]\) = \[[^]]*, …\] \(4×5\)", said)
    assert re.search(r"dJ/db\[2\] = dJ/dZ\[2\] · 1, entry by entry, summed over axis 1 = \[[^]]*\] \(1×1\)", said)
    assert re.search(r"dJ/dZ\[1\] = dJ/dA\[1\] · \(1 - A\[1\]\*\*2\), entry by entry = \[[^]]*\] \(4×5\)", said)
    assert re.search(r"dJ/db\[1\] = dJ/dZ\[1\] · 1, entry by entry, summed over axis 1 = \[[^]]*\] \(4×1\)", said)
    changed = {text for s in steps for text in s["changed"].values()}
    assert any(t.startswith("dJ/dW[1] = [") and t.endswith(", …] (4×2)") for t in changed)
    assert max(len(line) for s in steps for line in s["say"]) < 200  # shapes and a few numbers, not thousands
    assert len(page) < 100_000


def test_drawing_the_week3_graph_leaves_every_grad_unchanged(week3, tmp_path):
    J, nodes = week3
    before = grads_of(nodes)
    viz.draw(J)
    viz.text(J)
    viz.text(nodes["A[1]"])  # a matrix root: its values only
    viz.walkthrough(J, tmp_path / "w.html")
    viz.render(J, tmp_path / "w.dot")
    assert unchanged(nodes, before)


def test_a_drawing_before_backward_leaves_every_grad_zero():
    J, W, X, b, P, Z = layer()
    nodes = {"J": J, "W": W, "X": X, "b": b, "P": P, "Z": Z}
    before = grads_of(nodes)
    assert all(line.count("dJ/d") == 0 for line in viz.text(J).splitlines())  # values only: nothing yet
    viz.draw(J, show="both")
    assert unchanged(nodes, before) and all(np.all(np.asarray(v.grad) == 0) for v in nodes.values())




@pytest.mark.parametrize("build, label", [
    (lambda: Value(np.arange(3.0).reshape(3, 1), label="M").mean(axis=1), "∂y/∂M = 1 for each entry"),  # 1/1
    (lambda: Value(np.ones((3, 1)), label="M") + np.ones((1, 1, 4)), "∂y/∂M = 1 for each entry, summed over axis 2"),
    (lambda: Value(np.ones((1, 1)), label="b") + np.ones((4, 5)), "∂y/∂b = 1 for each entry, summed over axes 0, 1"),
    (lambda: Value(np.ones(1), label="b") + np.ones((2, 3)), "∂y/∂b = 1 for each entry, summed over axes 0, 1"),
    (lambda: Value(np.ones((1, 1)), label="b") + np.ones((1, 5)), "∂y/∂b = 1 for each entry, summed over axis 1"),
    (lambda: Value(np.ones((2, 1)), label="P") * np.arange(6.0).reshape(2, 3),
     "∂y/∂P = [0, 1, 2, …] (2×3), summed over axis 1"),  # numbers, with no rule: not "for each entry"
    (lambda: autograd.record(np.ones(3), [Value(np.ones((1, 3)), label="P")], [1.0], "f"), "∂y/∂P = 1"),  # spread
])
def test_which_axes_a_broadcast_parent_is_summed_over(build, label):
    """Only axes the node added or stretched, of more than one entry; never for a parent larger than the node."""
    y = build()
    y.label = "y"
    J = y.sum()
    J.backward()
    assert label in edge_labels(J)


def test_a_local_derivative_named_as_its_own_value_is_written_once():
    a, three = Value(2.0, label="a"), Value(3.0, label="3")
    J = a * three
    J.backward()
    assert "∂J/∂a = 3" in edge_labels(J)


def test_the_walkthrough_writes_a_negative_factor_in_parentheses_and_a_matrix_factor_by_its_rule(tmp_path):
    a, b = Value(2.0, label="a"), Value(0.5, label="b")
    z = a - b
    z.label = "z"
    M = Value(np.array([[1.0, -1.0], [2.0, -2.0]]), label="M")
    R = M.relu()
    R.label = "R"
    S = np.ones((2, 2)) - M
    S.label = "S"
    J = z + R.sum() + S.sum()
    data = json.loads(re.search(r'<script id="steps" type="application/json">(.*?)</script>',
                                viz.walkthrough(J, tmp_path / "w.html").read_text(encoding="utf-8"), re.S).group(1))
    said = [line for step in data["steps"] for line in step["say"]]
    assert "dJ/db = dJ/dz · ∂z/∂b = 1 · (-1) = -1" in said
    assert "dJ/dM = dJ/dS · (-1), entry by entry = [-1, -1, -1, -1] (2×2)" in said
    assert "dJ/dM += dJ/dR · ∂R/∂M, entry by entry = [1, 0, 1, 0] (2×2), now [0, -1, 0, -1] (2×2)" in said  # relu
