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
    grey          a model's constant input x_k (nn's z = w1*x1 + w2*x2 + b, see _notation.dot_inputs) with its
                  value, beside the parameters, its grey edge to z its only one: a constant has no gradient
    pale blue     a neuron drawn as one box (collapse="neuron"): its caption, its output's value and gradient; its
                  red edges have no label (several operations lie between its inputs and its output)

In the DOT source a red edge is written parent -> child with dir=back, so its arrow points from the child back to
the parent while the layout keeps every column in forward order, whichever edges are shown.
Hovering shows a tooltip: a node's name and formula, an edge's local derivative (red) or "b → u" (blue), a grey
input its value ("x1 = 0.5"), a collapsed neuron its caption and formula, and its red edges the partial of its
output through the neuron ("∂a[2]_1/∂a[1]_3 = 0.3159, through w·x + b and relu"); never Graphviz's ids (n0,
n0->n4), which stay in the SVG's <title> elements behind those tooltips.
"""

from __future__ import annotations

from html import escape

import graphviz
from graphviz import nohtml

from autograd import Value

from . import _graph, _groups
from ._notation import check_notation, dot_inputs, formula, grad_name, local_label, number, partial

COLORS = {"forward": "blue", "backward": "red", "leaf": "#fdf6d8", "node": "white", "neuron": "#eef3ff",
          "input": "#eeeeee", "input_text": "#555555"}
RANKDIRS = ("LR", "RL", "TB", "BT")
_FONT = "Helvetica"
_LEFT_COLUMNS = 2  # a leaf first used in a later column is drawn beside its use
_EDGE_CHARS = 30  # a longer edge label is written on two lines
_FRAME = {"style": "rounded", "color": "#9a9a9a", "fontcolor": "#555555", "fontsize": "11", "labeljust": "l"}


def draw(root: Value, show: str = "auto", rankdir: str = "LR", edge_labels: bool = True,
         max_nodes: int = 500, notation: str = "leibniz", *, group: str | None = None,
         collapse: str | None = None) -> graphviz.Digraph:
    """The graph under root: values in blue and forward edges, gradients in red and backward edges.

    show: "both", "forward" (values, blue edges), "backward" (gradients, red edges), or "auto": "both" once
    backward() has reached root (root's .grad is nonzero), else "forward", so zeros never pose as real gradients.
    The gradients drawn are d(root)/d(node), computed here, whichever node backward() ran from; no .grad changes.
    rankdir: "LR" puts the inputs on the left, as the course does. A graph over max_nodes raises ValueError.
    notation: "leibniz" writes the gradients dJ/dz, "course" in the course's shorthand dz; edges carry local
    derivatives, partials (∂z/∂w1 = x1), in both.
    group: "neuron" boxes each neuron's nodes (weights, bias, z, activation) in a captioned frame; "layer" frames
    each layer. collapse="neuron" draws each neuron as one box with its output's value and gradient. Neurons are
    found from the graph's shape, as nn builds them (viz/_groups.py).
    """
    return digraph(root, show, rankdir, edge_labels, max_nodes, notation=notation, group=group, collapse=collapse)


def digraph(root: Value, show: str, rankdir: str, edge_labels: bool, max_nodes: int,
            grads: dict[int, object] | None = None, notation: str = "leibniz", *, group: str | None = None,
            collapse: str | None = None) -> graphviz.Digraph:
    """draw(), with the gradients to write taken from grads (by id of the node) when given, else computed for root."""
    check_notation(notation)
    show = _graph.resolve_show(show, root)
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}; got {rankdir!r}")
    _groups.check(group, collapse)
    order = _graph.nodes(root, max_nodes)
    units = _groups.find(order, group, collapse)
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
    if collapse:  # straight lines: Graphviz's curves detour around the frames between two layers of boxes
        dot.attr(splines="line", ranksep="1.2")
    ids = {id(v): f"n{i}" for i, v in enumerate(order)}
    boxes = {id(u.output): u for u in units} if collapse else {}
    hidden = _hidden(boxes.values())
    layers = max((u.layer for u in units), default=0)
    frame = {id(v): u for u in units for v in u.own + u.nodes} if group else {}  # each framed node's unit
    leaves = []
    late = {leaf: beside for leaf, beside in _late_leaves(order).items()
            if leaf not in hidden and id(beside) not in hidden}
    inputs, before = _constant_inputs(order)
    drawn_as = {id(n): u.output for u in boxes.values() for n in u.nodes}  # a collapsed neuron's nodes: its box
    for v in order:
        for key in before.get(id(v), ()):  # x1 just before w1, as the course lists x1, w1, x2, w2, b
            k, x = key
            text = f"x{k} = {number(x)}"
            dot.node(inputs[key], _html([(text, COLORS["input_text"])]), shape="ellipse",
                     fillcolor=COLORS["input"], color=COLORS["input_text"], id=inputs[key], tooltip=_tooltip(text))
            if id(v) not in late:
                leaves.append(inputs[key])
        for k, x in enumerate(dot_inputs(v) or (), 1):  # forward only: a constant gets no gradient
            target = drawn_as.get(id(v), v)
            to = ids[id(target)]
            dot.edge(inputs[k, x], to, color=COLORS["input_text"], id=f"x_{inputs[k, x]}_{to}",
                     tooltip=_tooltip(f"x{k} → {names[id(target)]}"))
        if id(v) in hidden:
            continue
        unit = boxes.get(id(v))
        if unit is not None:
            lines = _box_lines(unit, grads.get(id(v)), names, root_name, forward, backward, layers, notation)
            about = f"{lines[0][0]}: {lines[1][0]}"  # its caption and formula, "neuron 1 of layer 2: a[2]_1 = ..."
        else:
            lines = _node_lines(v, grads.get(id(v)), names, root_name, forward, backward, notation)
            about = lines[0][0]  # its name and formula ("u = b*c"), or its value
        attrs = {"id": ids[id(v)], "tooltip": _tooltip(about)}
        if v is root:
            attrs["penwidth"] = "2"
        if unit is not None:
            dot.node(ids[id(v)], _html(lines), shape="box", style="rounded,filled", fillcolor=COLORS["neuron"],
                     **attrs)
        elif v.parents:
            dot.node(ids[id(v)], _html(lines), shape="box", style="rounded,filled", **attrs)
        else:
            if id(v) not in late:
                leaves.append(ids[id(v)])
            dot.node(ids[id(v)], _html(lines), shape="ellipse", fillcolor=COLORS["leaf"], **attrs)
        for i, parent in enumerate(_inputs(unit, hidden) if unit is not None else v.parents):
            edge = f"{ids[id(parent)]}_{ids[id(v)]}_{i}"  # parent, child, which parent: unique even for a*a
            # into a frame from outside: a column's gap, so that the frame's own leaves fit before its first column
            # and frames of successive layers stand side by side, not one under the other
            gap = {"minlen": "2"} if id(v) in frame and frame.get(id(parent)) is not frame[id(v)] else {}
            if forward:
                dot.edge(ids[id(parent)], ids[id(v)], color=COLORS["forward"], id="f_" + edge,
                         tooltip=_tooltip(f"{names[id(parent)]} → {names[id(v)]}"), **gap)
            if backward:
                if unit is None:
                    local = local_label(v, i, names)
                else:  # a collapsed neuron's inputs reach its output through several operations: no one number
                    local = _box_partial(unit, parent, names)
                matrix = len(v.shape) >= 2 or len(parent.shape) >= 2
                label = _html(_wrap(local, matrix)) if edge_labels and unit is None else None
                dot.edge(ids[id(parent)], ids[id(v)], color=COLORS["backward"], style="dashed", dir="back",
                         id="b_" + edge, tooltip=_tooltip(local),
                         **({"label": label, "labeltooltip": _tooltip(local)} if label else {}), **gap)
    if group:  # a frame keeps its nodes together; the leaves then stand just before their use
        _frames(dot, units, group, ids, hidden, layers)
        return dot
    if collapse:
        for layer in range(1, layers + 1):
            _in_order(dot, [ids[id(u.output)] for u in units if u.layer == layer])
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


def _constant_inputs(order: list[Value]) -> tuple[dict[tuple[int, float], str], dict[int, list[tuple[int, float]]]]:
    """The constant inputs of the models' z nodes (see _notation.dot_inputs), one node per (k, x_k) however many z
    use it (the first layer's neurons share x1, x2), by (k, value): their DOT ids ("x1", "x1_2" for a second value
    of x1), and by id of a parent the inputs to draw just before it (x_k before the first w_k that meets it)."""
    ids: dict[tuple[int, float], str] = {}
    before: dict[int, list[tuple[int, float]]] = {}
    for v in order:
        for k, x in enumerate(dot_inputs(v) or (), 1):
            if (k, x) not in ids:
                same = sum(key[0] == k for key in ids)
                ids[k, x] = f"x{k}" + (f"_{same + 1}" if same else "")
                before.setdefault(id(v.parents[k - 1]), []).append((k, x))
    return ids, before


def _hidden(units) -> set[int]:
    """The ids of the nodes a collapsed drawing leaves out: each box's inner nodes (its z, or weighted sum and bias add,
    when the box stands for its activation) and the leaves only they read (its weights and bias)."""
    return {id(v) for unit in units for v in unit.nodes + unit.own if v is not unit.output}


def _inputs(unit: _groups.Unit, hidden: set[int]) -> list[Value]:
    """The nodes a collapsed neuron reads that are drawn: its inputs from outside, each once, in order."""
    inside = {id(v) for v in unit.nodes}
    seen: set[int] = set()
    found = []
    for v in unit.nodes:
        for p in v.parents:
            if id(p) not in inside and id(p) not in hidden and id(p) not in seen:
                seen.add(id(p))
                found.append(p)
    return found


def _frames(dot: graphviz.Digraph, units: list[_groups.Unit], group: str, ids: dict[int, str], hidden: set[int],
            layers: int) -> None:
    """Graphviz clusters, each captioned: one per neuron (group="neuron") or one per layer (group="layer").

    Neurons are not also framed by layer: Graphviz routes no edge through a frame it does not belong to, so the
    edges from one layer into the next would have to go around the whole layer, pushing it aside. Graphviz may
    then order a layer's neurons as crosses the fewest edges; each frame's caption says which neuron it is.
    """
    if group == "neuron":
        for unit in units:
            with dot.subgraph(name=f"cluster_layer{unit.layer}_neuron{unit.index}") as frame:
                frame.attr(label=_groups.title(unit, layers), **_FRAME)
                _members(frame, unit, ids, hidden)
        return
    for layer in range(1, layers + 1):
        members = [u for u in units if u.layer == layer]
        with dot.subgraph(name=f"cluster_layer{layer}") as frame:
            count = "" if members[0].matrix else f" ({len(members)} neuron{'s' * (len(members) > 1)})"
            frame.attr(label=f"layer {layer}{count}", **_FRAME)
            for unit in members:
                _members(frame, unit, ids, hidden)


def _in_order(graph: graphviz.Digraph, boxes: list[str]) -> None:
    """Stand a layer's collapsed neurons in one column, first to last (invisible edges between neighbours keep the
    order, which Graphviz would otherwise choose to cross fewer edges; inside a frame it does not keep it)."""
    if len(boxes) > 1:
        with graph.subgraph() as column:
            column.attr(rank="same")
            for above, below in zip(boxes, boxes[1:]):
                column.edge(above, below, style="invis")


def _members(frame: graphviz.Digraph, unit: _groups.Unit, ids: dict[int, str], hidden: set[int]) -> None:
    """Put the unit's drawn nodes in frame (a cluster): its own leaves (weights, bias), then its operations."""
    for v in unit.own + unit.nodes:
        if id(v) not in hidden:
            frame.node(ids[id(v)])


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


def _box_lines(unit: _groups.Unit, grad, names: dict[int, str], root_name: str, forward: bool, backward: bool,
               layers: int, notation: str = "leibniz") -> list[tuple[str, str | None]]:
    """A collapsed neuron's lines: its caption, its output as a formula, value (blue) and gradient (red)."""
    name = names[id(unit.output)]
    act = unit.output.op if unit.output.op in _groups.ACTIVATIONS else ""
    lines: list[tuple[str, str | None]] = [(_groups.title(unit, layers), None),
                                           (f"{name} = {act}(w·x + b)" if act else f"{name} = w·x + b", None)]
    if forward:
        lines.append((f"= {number(unit.output.data)}", COLORS["forward"]))
    if backward:
        lines.append((f"{grad_name(root_name, name, notation)} = {number(grad)}", COLORS["backward"]))
    return lines


def _box_partial(unit: _groups.Unit, parent: Value, names: dict[int, str]) -> str:
    """A collapsed neuron's local derivative with respect to one of its inputs, through its operations (the chain
    rule inside the box): "∂a[2]_1/∂a[1]_1 = 0.31, through w·x + b and sigmoid"; without the number on a batch."""
    act = unit.output.op if unit.output.op in _groups.ACTIVATIONS else ""
    through = "w·x + b" + (f" and {act}" if act else "")
    name = partial(names[id(unit.output)], names[id(parent)])
    inside: dict[int, float] = {id(unit.output): 1.0}
    for node in reversed(unit.nodes):  # the neuron's nodes only, output first
        share = inside.get(id(node))
        for p, local in zip(node.parents, node.local_grads):
            if type(local) is not float or type(share) is not float:
                return f"{name}, through {through}"  # a batch: a derivative per example
            inside[id(p)] = inside.get(id(p), 0.0) + share * local
    return f"{name} = {number(inside[id(parent)])}, through {through}"


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
