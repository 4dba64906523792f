"""Drawings of the computation graph: forward values in blue, backward gradients in red, as the course draws them.

    from autograd import Value
    import viz
    a, b, c = Value(5.0, label="a"), Value(3.0, label="b"), Value(2.0, label="c")
    u = b * c; u.label = "u"
    v = a + u; v.label = "v"
    J = 3 * v; J.label = "J"
    J.backward()
    J                                    # in Jupyter, a Value ending a cell shows its drawing (see below)
    viz.draw(J)                          # a graphviz.Digraph; in Jupyter it shows inline
    viz.show(J)                          # inline SVG in a notebook, the text tree in a terminal
    viz.render(J, "course.svg")          # also .png, .pdf; writes course.dot beside it; Graphviz gets 30 s
    print(viz.text(J))                   # a tree in the terminal, no Graphviz needed
    viz.walkthrough(J, "course.html")    # the backward pass step by step, Next / Previous
    print(viz.text(J, notation="course"))  # gradients in the course's shorthand: dv = 3 for dJ/dv = 3

Nodes carry gradients, total derivatives (dJ/du = 3); edges carry local derivatives, partials (∂u/∂b = c = 2); the
walkthrough multiplies them (dJ/db = dJ/du · ∂u/∂b = 3 · 2 = 6). The gradients drawn are d(root)/d(node) for the
root drawn, computed by viz from the local derivatives: after J.backward(), viz.text(u) shows du/db = 2 (not J's
6), and no drawing changes any .grad.

A Value holding a matrix (the course's W[1], Z[1] from week 3 on) is drawn by its first numbers and its shape, and
a matrix product's edge by what it does to the gradient G: ∂Z/∂W: G ↦ G Xᵀ (viz/_notation.py says it all).
`python -m demos.layer_graph` draws the course's week-3 network so.

In Jupyter (any IPython that shows SVG), `import viz` makes every Value that ends a cell show as its drawing, or as
its text tree, with the reason, when it cannot be drawn: over 500 nodes, no Graphviz, or over 10 s of layout.
repr(value) is unchanged; autograd knows nothing of viz, so this is turned on by importing viz (viz/_jupyter.py).
"""

from .dot import draw
from .render import render, show
from .text import text
from .walkthrough import walkthrough
from . import _jupyter

_jupyter.register_in_running_shell()  # in Jupyter, a Value ending a cell shows its drawing

__all__ = ["draw", "render", "show", "text", "walkthrough"]
