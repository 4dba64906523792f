"""Drawing a node other than the one backward() last ran from: its gradients are d(node)/d(...), never the last root's.

Every drawing computes the gradients with respect to the root it draws, and leaves each .grad in the graph as it was.
"""

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import viz
from autograd import Value, dot
from viz import _graph
from viz._notation import number
from conftest import course_graph as course

SVG = "{http://www.w3.org/2000/svg}"


def grads_of(nodes):
    """Each node's .grad, copied, so a later in-place change would show."""
    return [np.array(v.grad, copy=True) for v in nodes]


def same(before, after):
    return len(before) == len(after) and all(np.array_equal(x, y, equal_nan=True) for x, y in zip(before, after))


def red_texts(svg_text):
    return {t.text for t in ET.fromstring(svg_text).iter(SVG + "text") if t.get("fill") == "red"}


def test_text_draw_and_walkthrough_of_u_after_J_backward_show_du_not_dJ(tmp_path):
    a, b, c, u, v, J = course()
    J.backward()
    every = [a, b, c, u, v, J]
    before = grads_of(every)
    text = viz.text(u)
    assert {"du/du = 1", "du/db = 2", "du/dc = 3"} <= set(re.findall(r"d\w+/d\w+ = [\d.]+", text))
    source = viz.draw(u).source
    assert all(f'<FONT COLOR="red">{t}</FONT>' in source for t in ("du/du = 1", "du/db = 2", "du/dc = 3"))
    assert "du/db = 6" not in source and "du/du = 3" not in source
    page = viz.walkthrough(u, tmp_path / "u.html").read_text(encoding="utf-8")
    assert {"du/du = 1", "du/db = 2", "du/dc = 3"} <= red_texts(page[page.index("<svg"):page.index("</svg>") + 6])
    assert same(before, grads_of(every))  # every .grad in the graph as it was, intermediate ones included
    assert (J.grad, v.grad, u.grad, a.grad, b.grad, c.grad) == (1.0, 3.0, 3.0, 3.0, 6.0, 9.0)


def test_render_and_show_of_u_after_J_backward(tmp_path, monkeypatch, capsys):
    a, b, c, u, v, J = course()
    J.backward()
    before = grads_of([a, b, c, u, v, J])
    svg = viz.render(u, tmp_path / "u.svg").read_text(encoding="utf-8")
    assert {"du/du = 1", "du/db = 2", "du/dc = 3"} <= red_texts(svg)
    monkeypatch.setitem(__import__("sys").modules, "IPython", None)
    viz.show(u)
    out = capsys.readouterr().out
    assert "du/du = 1" in out and "du/db = 2" in out and "du/dc = 3" in out
    assert same(before, grads_of([a, b, c, u, v, J]))


@pytest.mark.parametrize("show", ["auto", "both", "backward"])
def test_a_leaf_drawn_as_the_root_is_dx_dx_1(show):
    a, b, c, u, v, J = course()
    J.backward()
    assert "da/da = 1" in viz.text(a, show=show)
    assert "da/da = 1" in viz.draw(a, show=show).source
    assert a.grad == 3.0


def test_backward_twice_accumulates_in_the_leaves_but_the_drawing_shows_the_derivative():
    a, b, c, u, v, J = course()
    J.backward()
    J.backward()  # the leaves now hold 2 * dJ/dleaf: the sum of two passes, not a derivative
    assert b.grad == 12.0
    assert "dJ/db = 6" in viz.text(J) and "dJ/db = 6" in viz.draw(J).source and "dJ/db = 12" not in viz.text(J)
    assert b.grad == 12.0


def test_a_shared_leaf_gets_the_gradient_of_the_drawn_root_only():
    x = Value(2.0, label="x")
    p = x * x
    p.label = "p"
    q = 3 * x
    q.label = "q"
    J = p + q
    J.label = "J"
    J.backward()  # x.grad = 2x + 3 = 7
    assert "dp/dx = 4" in viz.text(p) and "dq/dx = 3" in viz.text(q)
    assert x.grad == 7.0 and p.grad == 1.0 and q.grad == 1.0


def test_auto_before_backward_still_draws_values_only_and_after_reaching_the_root_both():
    a, b, c, u, v, J = course()
    assert "du/" not in viz.text(u) and "du/" not in viz.draw(u).source
    J.backward()
    assert "du/du = 1" in viz.text(u)


def test_a_batch_root_draws_values_and_refuses_gradients_it_does_not_have():
    x = Value(np.arange(3.0), label="x")
    y = x * 2
    y.label = "y"
    m = y.mean()
    m.backward()  # y.grad is now dm/dy, which a drawing of y must not call dy/d...
    assert "dy/" not in viz.text(y) and "dy/" not in viz.draw(y).source
    with pytest.raises(ValueError, match="single number"):
        viz.draw(y, show="both")
    assert "dJ/dx = [0.666667, 0.666667, 0.666667]" in viz.text(m)  # the unlabelled number root is J


def test_a_weight_vector_over_a_batch_gets_the_drawn_roots_gradient_and_keeps_its_grad():
    w = Value(np.array([1.0, -1.0, 0.5]), label="w")
    h = dot(w, np.arange(6.0).reshape(2, 3)).tanh().mean()
    h.label = "h"
    J = 2 * h
    J.label = "J"
    J.backward()
    nodes = _graph.nodes(J)
    before = grads_of(nodes)
    assert f"dh/dw = {number(w.grad / 2)}" in viz.draw(h).source and f"dJ/dw = {number(w.grad)}" in viz.draw(J).source
    assert f"dh/dw = {number(w.grad / 2, 6)}" in viz.text(h)
    assert same(before, grads_of(nodes))
