"""The computation graph as a graphviz.Digraph, drawn as the course draws it.

The legend, in one place:
    blue          forward: a node's value, and the solid edge from each parent to the node computed from it
    red           backward: a node's gradient, a total derivative (dJ/dx; the course's dx with notation="course"),
                  and the dashed edge from a node back to each parent, labelled with the local derivative, a
                  partial (∂v/∂u = 1, ∂u/∂b = c = 2)
    ellipse       a leaf: an input or a parameter (no operation made it), in the leftmost column; but a leaf first
                  used more than two columns in stands just before its use, as the course draws W[2] and b[2]
                  beside Z[2] (else every later layer's parameters would reach back across the whole drawing)
    rounded box   a node an operation made, headed by its formula (J = 3*v); the root has a thick border

In the DOT source a red edge is written parent -> child with dir=back, so its arrow points from the child back to
the parent while the layout keeps every column in forward order, whichever edges are shown.
Hovering shows a tooltip: a node's name and formula, an edge's local derivative (red) or "b → u" (blue); never
Graphviz's ids (n0, n0->n4), which stay in the SVG's <title> elements behind those tooltips.
"""

from __future__ import annotations

from html import escape

import graphviz
from graphviz import nohtml

from autograd import Value

from . import _graph
from ._notation import check_notation, formula, grad_name, local_label, number

COLORS = {"forward": "blue", "backward": "red", "leaf": "#fdf6d8", "node": "white"}
RANKDIRS = ("LR", "RL", "TB", "BT")
_FONT = "Helvetica"
_LEFT_COLUMNS = 2  # a leaf first used in a later column is drawn beside its use
_EDGE_CHARS = 30  # a longer edge label is written on two lines


def draw(root: Value, show: str = "auto", rankdir: str = "LR", edge_labels: bool = True,
         max_nodes: int = 500, notation: str = "leibniz") -> graphviz.Digraph:
    """The graph under root: values in blue and forward edges, gradients in red and backward edges.

    show: "both", "forward" (values, blue edges), "backward" (gradients, red edges), or "auto": "both" once
    backward() has reached root (root's .grad is nonzero), else "forward", so zeros never pose as real gradients.
    The gradients drawn are d(root)/d(node), computed here, whichever node backward() ran from; no .grad changes.
    rankdir: "LR" puts the inputs on the left, as the course does. A graph over max_nodes raises ValueError.
    notation: "leibniz" writes the gradients dJ/dz, "course" in the course's shorthand dz; edges carry local
    derivatives, partials (∂z/∂w1 = x1), in both.
    """
    return digraph(root, show, rankdir, edge_labels, max_nodes, notation=notation)


def digraph(root: Value, show: str, rankdir: str, edge_labels: bool, max_nodes: int,
            grads: dict[int, object] | None = None, notation: str = "leibniz") -> graphviz.Digraph:
    """draw(), with the gradients to write taken from grads (by id of the node) when given, else computed for root."""
    check_notation(notation)
    show = _graph.resolve_show(show, root)
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}; got {rankdir!r}")
    order = _graph.nodes(root, max_nodes)
    names = _graph.names(order, root)
    forward, backward = show in ("both", "forward"), show in ("both", "backward")
    if grads is None:
        grads = _graph.gradients(root, order) if backward else {}
    root_name = names[id(root)]
    about = f"the computation graph of {root_name}" + (f" = {formula(root, names)}" if root.parents else "")
    dot = graphviz.Digraph(
        graph_attr={"rankdir": rankdir, "fontname": _FONT, "nodesep": "0.3", "ranksep": "0.6",
                    "tooltip": _tooltip(about)},
        node_attr={"fontname": _FONT, "fontsize": "11", "style": "filled", "fillcolor": COLORS["node"]},
        edge_attr={"fontname": _FONT, "fontsize": "10", "arrowsize": "0.7"})
    ids = {id(v): f"n{i}" for i, v in enumerate(order)}
    leaves = []
    late = _late_leaves(order)
    for v in order:
        lines = _node_lines(v, grads.get(id(v)), names, root_name, forward, backward, notation)
        attrs = {"id": ids[id(v)], "tooltip": _tooltip(lines[0][0])}  # its name and formula ("u = b*c"), or value
        if v is root:
            attrs["penwidth"] = "2"
        if v.parents:
            dot.node(ids[id(v)], _html(lines), shape="box", style="rounded,filled", **attrs)
        else:
            if id(v) not in late:
                leaves.append(ids[id(v)])
            dot.node(ids[id(v)], _html(lines), shape="ellipse", fillcolor=COLORS["leaf"], **attrs)
        for i, parent in enumerate(v.parents):
            edge = f"{ids[id(parent)]}_{ids[id(v)]}_{i}"  # parent, child, which parent: unique even for a*a
            if forward:
                dot.edge(ids[id(parent)], ids[id(v)], color=COLORS["forward"], id="f_" + edge,
                         tooltip=_tooltip(f"{names[id(parent)]} → {names[id(v)]}"))
            if backward:
                local = local_label(v, i, names)
                label = _html(_wrap(local, len(v.shape) >= 2 or len(parent.shape) >= 2)) if edge_labels else None
                dot.edge(ids[id(parent)], ids[id(v)], color=COLORS["backward"], style="dashed", dir="back",
                         id="b_" + edge, tooltip=_tooltip(local),
                         **({"label": label, "labeltooltip": _tooltip(local)} if label else {}))
    if len(leaves) > 1:
        with dot.subgraph() as column:  # the inputs and parameters share the first column
            column.attr(rank="min")
            for leaf in leaves:
                column.node(leaf)
    for leaf, beside in late.items():  # a later layer's parameters beside that layer's input
        with dot.subgraph() as column:
            column.attr(rank="same")
            column.node(ids[leaf])
            column.node(ids[id(beside)])
    return dot


def _late_leaves(order: list[Value]) -> dict[int, Value]:
    """The leaves first used more than two columns in (a column: the longest path from a leaf), by id, each with
    the node to stand beside: the deepest other input of that first use (W[2] beside A[1], both inputs of
    W[2] @ A[1])."""
    column: dict[int, int] = {}
    first_use: dict[int, Value] = {}
    for v in order:  # parents come first
        column[id(v)] = 1 + max((column[id(p)] for p in v.parents), default=-1)
        for p in v.parents:
            if id(p) not in first_use or column[id(v)] < column[id(first_use[id(p)])]:
                first_use[id(p)] = v
    late = {}
    for v in order:
        use = first_use.get(id(v))
        if not v.parents and use is not None and column[id(use)] > _LEFT_COLUMNS:
            late[id(v)] = max(use.parents, key=lambda p: column[id(p)])
    return late


def _node_lines(v: Value, grad, names: dict[int, str], root_name: str, forward: bool, backward: bool,
                notation: str = "leibniz") -> list[tuple[str, str | None]]:
    """A node's lines of text with their colors: its formula, its value (blue), its gradient (red)."""
    name = names[id(v)]
    lines: list[tuple[str, str | None]] = []
    if v.parents:
        lines.append((f"{name} = {formula(v, names)}", None))
        if forward:
            lines.append((f"= {number(v.data)}", COLORS["forward"]))
    else:
        lines.append((f"{name} = {number(v.data)}", COLORS["forward"]) if forward else (name, None))
    if backward:
        lines.append((f"{grad_name(root_name, name, notation)} = {number(grad)}", COLORS["backward"]))
    return lines


def _wrap(label: str, matrix: bool) -> list[tuple[str, str | None]]:
    """An edge label in red, on one line; on an edge of matrices, two when long: the derivative's name, then what it
    is ("dA/dZ =" and "1 - A**2 for each entry"), so that it widens the gap between two columns less."""
    color = COLORS["backward"]
    for sep in (": ", " = "):
        head, found, rest = label.partition(sep)
        if matrix and found and len(label) > _EDGE_CHARS:
            return [(head + found.rstrip(), color), (rest, color)]
    return [(label, color)]


def _html(lines: list[tuple[str, str | None]]) -> str:
    """A Graphviz HTML-like label: each line escaped, so any text renders as text and cannot break the DOT source."""
    parts = [_escape(text) if color is None else f'<FONT COLOR="{color}">{_escape(text)}</FONT>'
             for text, color in lines]
    return "<" + "<BR/>".join(parts) + ">"


def _tooltip(text: str) -> str:
    """A tooltip attribute for Graphviz that shows text as it is: never read as an HTML-like label or as escapes.

    Graphviz expands \\N, \\L, \\n, ... in a tooltip, and 2.43 unescapes it twice, so no escaping of a backslash
    is safe: it is shown as the lookalike ∖ (the label on the drawing keeps the real one). Graphviz decodes
    entities in it, so & is written &amp;.
    """
    return nohtml(text.replace("&", "&amp;").replace("\\", "∖"))


def _escape(text: str) -> str:
    """&, < and > as entities; a backslash doubled, else Graphviz reads \\N, \\G, \\\\ as escapes even here."""
    return escape(text, quote=False).replace("\\", "\\\\")
