"""viz.text (the terminal tree), viz.text.table, and viz.walkthrough (the backward pass step by step in HTML)."""

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd
import viz
from autograd import Value, backward_order
from viz import _graph
from viz._notation import number
from viz.text import table
from conftest import course_graph as course


def neuron():
    """A logistic unit with a shared node: a = sigmoid(w1 x1 + w2 x2 + b), L = a*a + 2*a, as an unlabelled mix."""
    w1, w2, b = Value(0.5, label="w1"), Value(-1.0, label="w2"), Value(0.1, label="b")
    x1, x2 = Value(2.0, label="x1"), Value(3.0, label="x2")
    z = w1 * x1 + w2 * x2 + b
    a = z.sigmoid()
    a.label = "a"
    L = a * a + 2 * a - a.exp()
    L.label = "L"
    return L, (w1, w2, b, x1, x2)


def read_walkthrough(path):
    """The steps embedded in the page, and the page itself."""
    page = path.read_text(encoding="utf-8")
    data = re.search(r'<script id="steps" type="application/json">(.*?)</script>', page, re.S).group(1)
    return json.loads(data), page


def final_labels(data):
    """Each node's label after the last step of a walkthrough, such as "dJ/dw = 3"."""
    last = {}
    for step in data["steps"]:
        last.update(step["changed"])
    return set(last.values())


COURSE_TREE = """\
J = 3*v = 33           dJ/dJ = 1
└── v = a + u = 11     dJ/dv = 3
    ├── a = 5          dJ/da = 3
    └── u = b*c = 6    dJ/du = 3
        ├── b = 3      dJ/db = 6
        └── c = 2      dJ/dc = 9"""


def test_text_draws_the_course_tree_with_values_and_gradients():
    *_, J = course()
    J.backward()
    assert viz.text(J) == COURSE_TREE


def test_text_before_backward_shows_values_only():
    *_, J = course()
    assert viz.text(J) == "\n".join(line.split("    d")[0].rstrip() for line in COURSE_TREE.splitlines())


def test_text_backward_only():
    *_, J = course()
    J.backward()
    lines = viz.text(J, show="backward").splitlines()
    assert lines[0].split() == ["J", "=", "3*v", "dJ/dJ", "=", "1"]
    assert lines[4].split() == ["├──", "b", "dJ/db", "=", "6"]


def test_a_node_used_twice_is_written_out_once():
    a = Value(3.0, label="a")
    y = a * a + a
    y.label = "y"
    y.backward()
    text = viz.text(y)
    assert text.count("a = 3") == 1 and text.count("a (above)") == 2
    assert "dy/da = 7" in text


def test_text_of_a_chain_deeper_than_the_recursion_limit_keeps_its_lines_short():
    x = Value(1.0, label="x")
    for _ in range(3000):
        x = x + 1.0
    lines = viz.text(x, max_nodes=5000).splitlines()
    assert len(lines) == 3001 and lines[-1].strip().startswith("└── x = 1")
    assert max(len(line) for line in lines) < 200  # the indentation stops growing


def test_text_escapes_control_characters_in_labels():
    x = Value(1.0, label="evil\n\x1b[31mred")
    y = x * 2
    y.backward()
    text = viz.text(y)
    assert "\x1b" not in text and "\n\\x1b" not in text and "evil\\n\\x1b[31mred" in text
    assert len(text.splitlines()) == 2


def test_text_batches_are_abbreviated():
    x = Value(np.arange(100.0), label="x")
    m = (x * 2).mean()
    m.label = "m"
    m.backward()
    assert "x = [0, 1, 2, … (100 values)]" in viz.text(m)


def test_table_lists_every_node_inputs_first():
    *_, J = course()
    J.backward()
    rows = [line.split() for line in table(J).splitlines()]
    assert rows[0] == ["node", "computed", "as", "value", "gradient"]
    assert rows[1] == ["a", "(leaf)", "5", "dJ/da", "=", "3"]
    assert rows[4] == ["u", "b*c", "6", "dJ/du", "=", "3"]
    assert rows[6] == ["J", "3*v", "33", "dJ/dJ", "=", "1"]


def test_table_before_backward_has_no_gradient_column():
    *_, J = course()
    assert "gradient" not in table(J) and "dJ/" not in table(J)


def test_walkthrough_steps_follow_the_engines_backward_order(tmp_path):
    L, _ = neuron()
    data, _ = read_walkthrough(viz.walkthrough(L, tmp_path / "neuron.html"))
    steps = data["steps"]
    expected = backward_order(L)
    assert len(steps) == len(expected) + 1
    assert steps[0]["name"] == "L" and steps[0]["changed"] == {steps[0]["node"]: "dL/dL = 1"}
    named = [step["name"] for step in steps[1:]]
    assert named[0] == "L" and "a" in named
    ids = [step["node"] for step in steps[1:]]
    assert len(set(ids)) == len(ids)  # one step per node
    # the same nodes in the same order: compare by each node's name as the drawing gives it
    names = _graph.names(_graph.nodes(L), L)
    assert named == [names[id(v)] for v in expected]


def test_walkthrough_of_the_course_graph_from_dJ_dJ_down_to_the_leaves(tmp_path):
    *_, J = course()
    data, page = read_walkthrough(viz.walkthrough(J, tmp_path / "course.html"))
    steps = data["steps"]
    assert [step["name"] for step in steps] == ["J", "J", "v", "u"]
    assert steps[1]["edges"] == ["b_n4_n5_0"]
    assert sorted(steps[2]["changed"].values()) == ["dJ/da = 3", "dJ/du = 3"]
    assert sorted(steps[3]["changed"].values()) == ["dJ/db = 6", "dJ/dc = 9"]
    assert steps[1]["say"][1] == "dJ/dv = dJ/dJ · ∂J/∂v = 1 · 3 = 3"  # the gradient times a local derivative
    assert "dJ/db = dJ/du · ∂u/∂b = 3 · 2 = 6" in steps[3]["say"]
    assert data["initial"]["n0"] == "dJ/da = ?"  # not yet known, never a fake zero
    svg = ET.fromstring(page[page.index("<svg"):page.index("</svg>") + 6])
    edge_ids = {g.get("id") for g in svg.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "edge"}
    assert {e for step in steps for e in step["edges"]} == {e for e in edge_ids if e.startswith("b_")}


def test_walkthrough_gradients_match_backward_and_leave_the_graph_untouched(tmp_path):
    L, leaves = neuron()
    data, _ = read_walkthrough(viz.walkthrough(L, tmp_path / "neuron.html"))
    assert all(v.grad == 0.0 for v in leaves)  # nothing ran backward on the user's graph
    L.backward()
    final = final_labels(data)
    for leaf in leaves:
        assert f"dL/d{leaf.label} = {number(leaf.grad)}" in final


def test_walkthrough_after_backward_keeps_every_gradient(tmp_path):
    L, _ = neuron()
    L.backward()
    nodes = _graph.nodes(L)
    before = [v.grad for v in nodes]
    viz.walkthrough(L, tmp_path / "neuron.html")
    assert [v.grad for v in nodes] == before  # intermediate gradients too: viz.show(L) still draws them


def test_walkthrough_of_a_weight_vector_over_a_batch_matches_backward(tmp_path):
    X = np.arange(6.0).reshape(2, 3)
    w = Value(np.array([1.0, -1.0, 0.5]), label="w")
    J = autograd.dot(w, X).tanh().mean()
    J.label = "J"
    data, _ = read_walkthrough(viz.walkthrough(J, tmp_path / "vector.html"))
    J.backward()
    final = final_labels(data)
    assert f"dJ/dw = {number(w.grad)}" in final


def test_walkthrough_of_a_custom_op_giving_a_batch_one_number_matches_backward(tmp_path):
    w = [Value(1.0, label="w1"), Value(2.0, label="w2")]
    z = autograd.dot(w, np.arange(6.0).reshape(3, 2))
    J = autograd.record(float(z.data.sum()), [z], [1.0], "total")  # one number for all three examples
    J.label = "J"
    data, _ = read_walkthrough(viz.walkthrough(J, tmp_path / "total.html"))
    J.backward()
    final = final_labels(data)
    assert {f"dJ/dw1 = {number(w[0].grad)}", f"dJ/dw2 = {number(w[1].grad)}"} <= final


def test_walkthrough_shows_gradients_that_accumulate(tmp_path):
    L, _ = neuron()
    data, _ = read_walkthrough(viz.walkthrough(L, tmp_path / "neuron.html"))
    said = "\n".join(line for step in data["steps"] for line in step["say"])
    assert "dL/da += " in said  # a feeds three nodes: its gradient is a sum


def test_walkthrough_is_self_contained(tmp_path):
    *_, J = course()
    _, page = read_walkthrough(viz.walkthrough(J, tmp_path / "course.html"))
    assert "<script src" not in page and "<link" not in page and "@import" not in page and "url(" not in page
    assert not re.search(r"(src|href)\s*=\s*[\"']?https?:", page)
    assert 'id="prev"' in page and 'id="next"' in page and "Previous" in page and "Next" in page


def test_walkthrough_labels_cannot_escape_the_script(tmp_path):
    x = Value(2.0, label="</script><script>alert(1)</script>")
    y = x * 3
    y.label = "<!--"
    data, page = read_walkthrough(viz.walkthrough(y, tmp_path / "evil.html"))
    assert "<script>alert" not in page and page.count("<script") == 2
    assert all(re.fullmatch(r" n\d+(&#45;&gt;n\d+)? ", c) for c in re.findall(r"<!--(.*?)-->", page, re.S))
    assert data["steps"][1]["name"] == "<!--"  # the JSON still says exactly what the label is


def test_walkthrough_of_a_leaf_has_one_step(tmp_path):
    x = Value(2.0, label="x")
    data, _ = read_walkthrough(viz.walkthrough(x, tmp_path / "leaf.html"))
    assert len(data["steps"]) == 1 and data["steps"][0]["changed"] == {"n0": "dx/dx = 1"}


def test_walkthrough_refuses_a_batch_root_and_other_file_types(tmp_path):
    x = Value(np.arange(3.0), label="x")
    with pytest.raises(ValueError, match="batch"):
        viz.walkthrough(x * 2, tmp_path / "batch.html")
    with pytest.raises(ValueError, match=".html"):
        viz.walkthrough(Value(1.0) * 2, tmp_path / "page.svg")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(shutil.which("node") is None, reason="node (JavaScript) is not installed")
def test_walkthrough_script_is_valid_javascript(tmp_path):
    *_, J = course()
    _, page = read_walkthrough(viz.walkthrough(J, tmp_path / "course.html"))
    script = page[page.rindex("<script>") + len("<script>"):page.rindex("</script>")]
    (tmp_path / "step.js").write_text(script, encoding="utf-8")
    subprocess.run(["node", "--check", str(tmp_path / "step.js")], check=True, timeout=60)


@pytest.mark.parametrize("blocker, error", [("directory", IsADirectoryError), ("fifo", ValueError),
                                            ("link", FileNotFoundError)])
def test_walkthrough_checks_its_path_before_graphviz_runs(tmp_path, monkeypatch, blocker, error):
    path = tmp_path / "course.html"
    if blocker == "directory":
        path.mkdir()
    elif blocker == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("missing/course.html")  # into a folder that does not exist

    def forbidden(*args, **kwargs):
        raise AssertionError("Graphviz ran: the output path must be checked first")

    monkeypatch.setattr(subprocess, "run", forbidden)
    *_, J = course()
    with pytest.raises(error, match="cannot write"):
        viz.walkthrough(J, path)
    assert os.listdir(tmp_path) == ["course.html"]
