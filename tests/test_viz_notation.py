"""How the drawings write derivatives: local ones as partials on edges (∂v/∂u), total ones on nodes (dJ/dv, or the
course's dv with notation="course"), tooltips that name what is hovered, and the text tree's gradient column.

The expected texts are written out by hand, as the course writes them, from real SVG, text and HTML.
"""

import json
import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd
import nn
import viz
from autograd import Value
from viz._graph import nodes
from viz._notation import dot_inputs, formula
from viz.cli import main as chainrule
from viz.render import pipe
from viz.text import table
from conftest import course_graph as course

SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"
SHAPES = {SVG + tag for tag in ("text", "path", "polygon", "ellipse", "polyline")}


def texts_in(svg_root, kind):
    """The texts Graphviz drew inside the nodes (kind "node") or on the edges (kind "edge")."""
    return {t.text for g in svg_root.iter(SVG + "g") if g.get("class") == kind for t in g.iter(SVG + "text")}


def hovered(svg_root):
    """What a browser shows on hovering each shape drawn: the tooltip of the nearest element, from the shape up,
    that has one: an <a xlink:title="..."> or an element with a <title> child (None when nothing has one)."""
    parent = {child: p for p in svg_root.iter() for child in p}
    shown = []
    for shape in svg_root.iter():
        if shape.tag not in SHAPES:
            continue
        tip, node = None, shape
        while node is not None and tip is None:
            title = node.find(SVG + "title")
            tip = node.get(XLINK_TITLE) if node.tag == SVG + "a" else title.text if title is not None else None
            node = parent.get(node)
        shown.append(tip)
    return shown


def steps_of(path):
    """The steps embedded in a walkthrough page, and the page itself."""
    page = path.read_text(encoding="utf-8")
    data = re.search(r'<script id="steps" type="application/json">(.*?)</script>', page, re.S).group(1)
    return json.loads(data), page


def logistic(x1=1.0, x2=2.0, w1=0.5, w2=-0.25, b=0.1, y=1.0):
    """The course's week-2 logistic regression on one example, written out by hand: z = w1x1 + w2x2 + b, a = σ(z),
    L = -(y log a + (1-y) log(1-a)); returns L, after backward(), and the numbers."""
    x1, x2 = Value(x1, label="x1"), Value(x2, label="x2")
    w1, w2, b = Value(w1, label="w1"), Value(w2, label="w2"), Value(b, label="b")
    z = w1 * x1 + w2 * x2 + b
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    L = -(y * a.log() + (1 - y) * (1 - a).log())
    L.label = "L"
    L.backward()
    return L, {"a": a.data, "y": y, "x1": x1.data, "x2": x2.data}


# --- local derivatives on edges, total ones on nodes ---

def test_the_course_svg_writes_local_derivatives_as_partials_on_edges_and_gradients_on_nodes(tmp_path):
    *_, J = course()
    J.backward()
    svg = ET.parse(viz.render(J, tmp_path / "course.svg")).getroot()
    assert texts_in(svg, "edge") == {"∂u/∂b = c = 2", "∂u/∂c = b = 3", "∂v/∂a = 1", "∂v/∂u = 1", "∂J/∂v = 3"}
    assert {"dJ/dJ = 1", "dJ/dv = 3", "dJ/du = 3", "dJ/da = 3", "dJ/db = 6", "dJ/dc = 9"} <= texts_in(svg, "node")
    assert not any("∂" in t for t in texts_in(svg, "node"))


def test_the_walkthrough_multiplies_a_gradient_by_a_local_derivative_not_by_itself(tmp_path):
    *_, J = course()
    data, page = steps_of(viz.walkthrough(J, tmp_path / "course.html"))
    said = [line for step in data["steps"] for line in step["say"]]
    assert "dJ/dv = dJ/dJ · ∂J/∂v = 1 · 3 = 3" in said  # was dJ/dv = dJ/dJ * dJ/dv: circular
    assert "dJ/da = dJ/dv · ∂v/∂a = 3 · 1 = 3" in said and "dJ/dc = dJ/du · ∂u/∂c = 3 · 3 = 9" in said
    assert not any(re.search(r"\*|dJ/dJ · dJ/d", line) for line in said if "=" in line and "·" in line)
    assert "∂v/∂u is the local derivative" in page and "dJ/dv is the gradient of J" in page


# --- notation="course" ---

def test_the_course_notation_writes_each_gradient_dv_in_the_svg_and_keeps_partials_on_edges(tmp_path):
    *_, J = course()
    J.backward()
    svg = ET.parse(viz.render(J, tmp_path / "course.svg", notation="course")).getroot()
    nodes = texts_in(svg, "node")
    assert {"dJ = 1", "dv = 3", "du = 3", "da = 3", "db = 6", "dc = 9"} <= nodes
    assert not any("/d" in t for t in nodes)  # no dJ/dv left
    assert texts_in(svg, "edge") == {"∂u/∂b = c = 2", "∂u/∂c = b = 3", "∂v/∂a = 1", "∂v/∂u = 1", "∂J/∂v = 3"}
    assert viz.draw(J).source != viz.draw(J, notation="course").source
    assert viz.draw(J).source == viz.draw(J, notation="leibniz").source  # the default


def test_the_course_notation_in_the_text_tree_and_the_table():
    *_, J = course()
    J.backward()
    assert viz.text(J, notation="course") == """\
J = 3*v = 33           dJ = 1
└── v = a + u = 11     dv = 3
    ├── a = 5          da = 3
    └── u = b*c = 6    du = 3
        ├── b = 3      db = 6
        └── c = 2      dc = 9"""
    rows = [line.split() for line in table(J, notation="course").splitlines()]
    assert rows[1] == ["a", "(leaf)", "5", "da", "=", "3"] and rows[6] == ["J", "3*v", "33", "dJ", "=", "1"]


def test_the_course_notation_in_the_walkthrough_reads_dz_equals_da_times_a_partial(tmp_path):
    *_, J = course()
    data, page = steps_of(viz.walkthrough(J, tmp_path / "course.html", notation="course"))
    steps = data["steps"]
    assert steps[0]["changed"] == {"n5": "dJ = 1"} and "dv stands for dJ/dv" in steps[0]["say"][0]
    assert steps[1]["say"][1] == "dv = dJ · ∂J/∂v = 1 · 3 = 3"
    assert "db = du · ∂u/∂b = 3 · 2 = 6" in steps[3]["say"]
    assert data["initial"]["n0"] == "da = ?"
    assert sorted(steps[3]["changed"].values()) == ["db = 6", "dc = 9"]
    svg = ET.fromstring(page[page.index("<svg"):page.index("</svg>") + 6])
    assert {"db = 6", "dc = 9"} <= texts_in(svg, "node") and "∂u/∂b = c = 2" in texts_in(svg, "edge")
    assert "dv is the gradient of J with respect to v through every path (a total derivative, the course&#x27;s " \
           "shorthand for dJ/dv)" in " ".join(page.split())


def test_the_logistic_regression_reads_as_the_slide_dz_is_a_minus_y_and_dw1_is_x1_dz():
    """The course's "Logistic regression derivatives": da = -y/a + (1-y)/(1-a); dz = a - y; dw1 = x1·dz; db = dz."""
    for y in (1.0, 0.0):
        L, n = logistic(y=y)
        a = n["a"]
        dz = a - y
        lines = viz.text(L, notation="course").splitlines()

        def gradient(name):
            [line] = [line for line in lines if re.search(rf"\s{re.escape(name)} = ", line)]
            return float(line.split(f"{name} = ")[-1])

        assert math.isclose(gradient("dz"), dz, rel_tol=1e-5)
        assert math.isclose(gradient("da"), -y / a + (1 - y) / (1 - a), rel_tol=1e-5)
        assert math.isclose(gradient("dw1"), n["x1"] * dz, rel_tol=1e-5)
        assert math.isclose(gradient("dw2"), n["x2"] * dz, rel_tol=1e-5)
        assert math.isclose(gradient("db"), dz, rel_tol=1e-5)
        assert not any("dL/d" in line for line in lines)


def test_the_course_notation_writes_a_matrix_products_step_as_the_course_dW_is_dZ_times_A_transposed(tmp_path):
    np.random.seed(1)
    W, X = Value(np.random.randn(1, 3), label="W[2]"), Value(np.random.randn(3, 4), label="A[1]")
    Z = W @ X
    Z.label = "Z[2]"
    J = Z.mean()
    data, _ = steps_of(viz.walkthrough(J, tmp_path / "layer.html", notation="course"))
    said = "\n".join(line for step in data["steps"] for line in step["say"])
    assert re.search(r"^dW\[2\] = dZ\[2\] A\[1\]ᵀ = \[", said, re.M)
    assert re.search(r"^dA\[1\] = W\[2\]ᵀ dZ\[2\] = \[", said, re.M)
    assert re.search(r"^dZ\[2\] = dJ · 1/4 for each entry = \[", said, re.M)
    assert "∂Z[2]/∂W[2]: G ↦ G A[1]ᵀ" in viz.draw(J, show="both", notation="course").source


def test_a_name_that_is_not_plain_is_put_in_parentheses_after_the_courses_d():
    x = Value(2.0, label="my x")
    y = x * 3
    y.label = "y"
    y.backward()
    assert "d(my x) = 3" in viz.text(y, notation="course") and "dy/dmy x = 3" in viz.text(y)


@pytest.mark.parametrize("notation", ["Course", "dz", "", None, 1, ["course"]])
def test_an_unknown_notation_is_refused_by_every_entry_point_before_anything_is_written(notation, tmp_path):
    *_, J = course()
    J.backward()
    calls = [lambda: viz.draw(J, notation=notation), lambda: viz.text(J, notation=notation),
             lambda: table(J, notation=notation), lambda: viz.show(J, notation=notation),
             lambda: viz.render(J, tmp_path / "c.svg", notation=notation),
             lambda: viz.walkthrough(J, tmp_path / "c.html", notation=notation)]
    for call in calls:
        with pytest.raises(ValueError, match=r"notation must be 'leibniz' .* or 'course'"):
            call()
    assert list(tmp_path.iterdir()) == []


def test_the_command_line_takes_the_course_notation(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status = chainrule(["graph", "u = b*c; v = a + u; J = 3*v", "--set", "a=5", "b=3", "c=2", "--notation", "course",
                        "-o", "course.svg", "--html", "course.html"])
    out = capsys.readouterr().out
    assert status == 0
    assert ["b", "(leaf)", "3", "db", "=", "6"] in [line.split() for line in out.splitlines()]
    assert "db = 6" in texts_in(ET.parse(tmp_path / "course.svg").getroot(), "node")
    data, _ = steps_of(tmp_path / "course.html")
    assert "db = du · ∂u/∂b = 3 · 2 = 6" in data["steps"][3]["say"]
    with pytest.raises(SystemExit) as refused:
        chainrule(["graph", "J = 3*a", "--set", "a=1", "--notation", "Course"])
    assert refused.value.code == 2 and "invalid choice: 'Course'" in capsys.readouterr().err


# --- tooltips ---

def course_tooltips():
    """What hovering shows on the course graph's drawing: the graph, each node's name and formula (or value), each
    blue edge's direction, each red edge's local derivative."""
    return {"the computation graph of J = 3*v", "a = 5", "b = 3", "c = 2", "u = b*c", "v = a + u", "J = 3*v",
            "b → u", "c → u", "a → v", "u → v", "v → J",
            "∂u/∂b = c = 2", "∂u/∂c = b = 3", "∂v/∂a = 1", "∂v/∂u = 1", "∂J/∂v = 3"}


def test_hovering_any_part_of_the_svg_shows_a_name_and_formula_never_a_graphviz_id(tmp_path):
    *_, J = course()
    J.backward()
    svg = ET.parse(viz.render(J, tmp_path / "course.svg")).getroot()
    shown = hovered(svg)
    assert len(shown) > 40 and None not in shown  # every shape, edge labels included, has a tooltip of its own
    assert set(shown) == course_tooltips()
    assert not any(re.fullmatch(r"%\d+|n\d+(->n\d+)?", tip) for tip in shown)


def test_the_walkthrough_and_the_course_notation_show_the_same_tooltips(tmp_path):
    *_, J = course()
    _, page = steps_of(viz.walkthrough(J, tmp_path / "course.html", notation="course"))
    assert set(hovered(ET.fromstring(page[page.index("<svg"):page.index("</svg>") + 6]))) == course_tooltips()


def test_a_drawing_without_edge_labels_or_values_still_names_what_is_hovered():
    *_, J = course()
    J.backward()
    shown = set(hovered(ET.fromstring(pipe(viz.draw(J, show="backward", edge_labels=False), "svg"))))
    assert shown == {"the computation graph of J = 3*v", "a", "b", "c", "u = b*c", "v = a + u", "J = 3*v",
                     "∂u/∂b = c = 2", "∂u/∂c = b = 3", "∂v/∂a = 1", "∂v/∂u = 1", "∂J/∂v = 3"}


# --- the text tree's gradient column ---

def long_product():
    """J = u + w with u = x*y, of two long names: u's line is longer than any other (73 characters)."""
    x, y = Value(2.0, label="an input with a long name, x"), Value(3.0, label="an input with a long name, y")
    u = x * y
    u.label = "u"
    J = u + Value(2.0, label="w")
    J.label = "J"
    J.backward()
    return J


def test_a_line_too_long_for_the_gradient_column_puts_its_gradient_in_the_column_on_the_next_line():
    assert viz.text(long_product()) == """\
J = u + w = 8                               dJ/dJ = 1
├── u = an input with a long name, x*an input with a long name, y = 6
│   │                                       dJ/du = 1
│   ├── an input with a long name, x = 2    dJ/dan input with a long name, x = 3
│   └── an input with a long name, y = 3    dJ/dan input with a long name, y = 2
└── w = 2                                   dJ/dw = 1"""


def test_the_course_notation_keeps_the_same_column():
    assert viz.text(long_product(), notation="course") == """\
J = u + w = 8                               dJ = 1
├── u = an input with a long name, x*an input with a long name, y = 6
│   │                                       du = 1
│   ├── an input with a long name, x = 2    d(an input with a long name, x) = 3
│   └── an input with a long name, y = 3    d(an input with a long name, y) = 2
└── w = 2                                   dw = 1"""


def gradient_starts(text, pattern):
    """The columns at which the gradients (matched by pattern) start, one per line that has one."""
    return [found.start() for found in map(re.compile(pattern).search, text.splitlines()) if found]


def test_the_gradient_column_of_an_mlps_loss_is_one_column_in_both_notations():
    np.random.seed(0)
    model = nn.MLP(2, [4, 4, 1])
    L = nn.mse(model([Value(0.5, label="x1"), Value(-1.0, label="x2")]), 1.0)
    L.backward()
    text = viz.text(L)
    root = text.split()[0]
    starts = gradient_starts(text, rf" {{4}}d{re.escape(root)}/d")
    assert len(starts) == len(nodes(L)) and len(set(starts)) == 1  # each node's gradient, once, in one column
    assert any(len(line) > 70 for line in text.splitlines())  # long lines are there, and do not push the column
    course_starts = gradient_starts(viz.text(L, notation="course"), r" {4}d\S* = ")
    assert course_starts == starts


def test_dot_inputs_reads_only_a_models_z_whose_constants_are_its_factors():
    """viz draws the grey inputs x1..xn only for a dot node whose const holds exactly its first parents' factors,
    the parents after them added as they are (a bias): anything else is an ordinary node (make mutate)."""
    w1, w2, b = Value(0.25, label="w1"), Value(-0.5, label="w2"), Value(0.125, label="b")
    z = autograd.dot([w1, w2, b], [0.5, -1.0, 1.0])
    assert z.const is None and dot_inputs(z) is None  # a dot of its own: no inputs to draw
    z.const = (0.5, -1.0)
    assert dot_inputs(z) == (0.5, -1.0)
    no_bias = autograd.dot([w1, w2], [0.5, -1.0])
    no_bias.const = (0.5, -1.0)  # as many inputs as parents: every parent weighted
    assert dot_inputs(no_bias) == (0.5, -1.0)
    for const in [(), 3.0, (0.5, -1.0, 1.0, 2.0), (9.0, -1.0), (0.5, 7.0), (1, -1.0)]:
        z.const = const  # empty, not a tuple, longer than the parents, not the factors, an int
        assert dot_inputs(z) is None, const
    ones = autograd.dot([w1, w2], [1.0, 1.0])
    ones.const = ()
    assert dot_inputs(ones) is None  # every factor 1, but no inputs
    total = autograd.sum([w1, w2])  # factors 1.0, 1.0, but not a dot
    total.const = (1.0,)
    assert dot_inputs(total) is None
    assert formula(total, {id(w1): "w1", id(w2): "w2"}) == "w1 + w2"  # a tuple const is never written as a number
