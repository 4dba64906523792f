"""The backward pass one step at a time, in one self-contained HTML file with Next and Previous buttons.

Step 0 sets dJ/dJ = 1. Each later step is one node of autograd.backward_order(root), the order backward() uses:
the node lights up, its red edges carry dJ/dnode · ∂node/∂parent back to its parents (the gradient, a total
derivative, times the local one, a partial), and the gradients that change are marked. With notation="course" the
gradients take the course's shorthand: dJ/dv is dv, and a step reads dv = dJ · ∂J/∂v = 1 · 3 = 3. The gradients
are computed here from the graph's local derivatives (the same loop as backward()), so the walkthrough works
whether or not backward() has run, and leaves the graph untouched.
"""

from __future__ import annotations

import json
import os
import subprocess
from html import escape
from pathlib import Path


from autograd import Value, backward_order, contributions

from . import _graph, _groups
from ._notation import check_notation, chain, formula, grad_name, number
from .dot import RANKDIRS, digraph
from .render import TIMEOUT, check_timeout, check_writable, file_path, pipe, timeout_error, write_atomic

_SAY_LINES = 12  # the explanation's box is as tall as the longest step's, up to this many lines (then it scrolls)


def walkthrough(root: Value, path: str | os.PathLike, rankdir: str = "LR", max_nodes: int = 500,
                *, timeout: float | None = TIMEOUT, notation: str = "leibniz", group: str | None = None) -> Path:
    """Write an HTML file (no network, no external scripts) that steps through root's backward pass; returns path.

    timeout bounds Graphviz's time as in viz.render: past it, TimeoutError and nothing is written. A path that
    cannot be written (a directory, a FIFO, a missing folder) is refused before Graphviz runs.
    notation: "leibniz" writes gradients dJ/dv, "course" in the course's shorthand dv (see viz.draw). group frames
    each neuron or layer as viz.draw's does. The page zooms (wheel, buttons) and pans (drag), and follows the step's
    node.
    """
    path = file_path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"the walkthrough is an HTML page: end the file name with .html, got {str(path)!r}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}; got {rankdir!r}")
    check_timeout(timeout)
    check_notation(notation)
    _groups.check(group, None)
    order = _graph.nodes(root, max_nodes)
    if type(root.data) is not float:
        raise ValueError("the backward pass starts from a single number, but this root holds a batch: "
                         "reduce it first, e.g. cost = loss.mean()")
    check_writable(path)
    names = _graph.names(order, root)
    ids = {id(v): f"n{i}" for i, v in enumerate(order)}  # the node ids viz.draw gives, in the same order
    plan, final = _steps(root, order, names, ids, notation)
    try:
        svg = pipe(digraph(root, "both", rankdir, True, max_nodes, grads=final, notation=notation, group=group),
                   "svg", timeout).decode("utf-8")
    except subprocess.TimeoutExpired:
        raise timeout_error(root, timeout) from None
    root_name = names[id(root)]
    data = {"initial": {ids[id(v)]: f"{grad_name(root_name, names[id(v)], notation)} = ?" for v in order},
            "steps": plan}
    title = f"The backward pass of {root_name}" + (f" = {formula(root, names)}" if root.parents else "")
    total = grad_name(root_name, "v", notation)
    shorthand = f", the course's shorthand for d{root_name}/dv" if notation == "course" else ""
    lines = max(len(step["say"]) for step in plan)
    page = _PAGE.format(title=escape(title), total=escape(total), shorthand=escape(shorthand),
                        root=escape(root_name), say_lines=min(lines, _SAY_LINES),
                        svg=svg[svg.index("<svg"):], data=_script_json(data), script=_SCRIPT + _VIEW_SCRIPT)
    write_atomic(path, page.encode("utf-8"))
    return path


def _steps(root: Value, order: list[Value], names: dict[int, str], ids: dict[int, str],
           notation: str = "leibniz") -> tuple[list[dict], dict[int, object]]:
    """The walkthrough's steps (start, then one per node in backward order) and every node's final gradient.

    Each step names its node, the red edges it sends, the gradient texts that change, and the chain rule in words.
    """
    root_name = names[id(root)]

    def d(v: Value) -> str:  # dJ/dv, or the course's dv
        return grad_name(root_name, names[id(v)], notation)

    start = f"Start at the output: {d(root)} = 1 (the rate of change of {root_name} with itself)."
    if notation == "course":
        start = (f"Start at the output: {d(root)} = 1 ({grad_name(root_name, root_name)}: the rate of change of "
                 f"{root_name} with itself). In the course's shorthand dv stands for d{root_name}/dv.")
    grads: dict[int, object] = {id(root): 1.0}
    plan = [{"node": ids[id(root)], "name": names[id(root)], "edges": [], "changed": {ids[id(root)]: f"{d(root)} = 1"},
             "say": [start]}]
    for node in backward_order(root):
        g = grads[id(node)]
        name = names[id(node)]
        say = [f"{name} = {formula(node, names)} passes {d(node)} = {number(g)} back to its inputs, "
               f"times each local derivative ∂{name}/∂input (the chain rule):"]
        changed, edges = {}, []
        for i, (parent, contribution) in enumerate(zip(node.parents, contributions(node, g))):
            old = grads.get(id(parent))
            grads[id(parent)] = contribution if old is None else old + contribution
            link = f"{chain(node, i, names, d(node), g)} = {number(contribution)}"
            say.append(f"{d(parent)} = {link}" if old is None
                       else f"{d(parent)} += {link}, now {number(grads[id(parent)])}")
            edges.append(f"b_{ids[id(parent)]}_{ids[id(node)]}_{i}")
            changed[ids[id(parent)]] = f"{d(parent)} = {number(grads[id(parent)])}"
        plan.append({"node": ids[id(node)], "name": name, "edges": edges, "changed": changed, "say": say})
    plan[-1]["say"].append("Done: every gradient is known, down to the inputs.")
    return plan, {id(v): grads.get(id(v), 0.0) for v in order}


def _script_json(data: dict) -> str:
    """JSON that is safe inside a <script> element: no "<", ">" or "&" that could end it early."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


# The page is a column as tall as the window: title, legend, controls, the explanation in a box of a fixed height
# (the longest step's), and the graph's viewport taking the rest. Nothing above the graph changes height from one
# step to the next, so the graph never moves when the text grows.
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
html, body {{ height: 100%; }}
body {{ font-family: Helvetica, Arial, sans-serif; margin: 0; padding: 0 1.5em; color: #222; box-sizing: border-box;
        display: flex; flex-direction: column; }}
h1 {{ font-size: 1.3em; margin: 0.6em 0 0.3em; }}
.legend {{ margin: 0.3em 0; }}
.legend .blue {{ color: blue; }} .legend .red {{ color: red; }}
#controls {{ margin: 0.5em 0; display: flex; align-items: center; gap: 0.4em; flex-wrap: wrap; }}
#controls button {{ font-size: 1em; padding: 0.3em 1em; }}
#controls .zoom button {{ padding: 0.3em 0.7em; min-width: 2.4em; }}
#controls .zoom {{ margin-left: 1.5em; display: flex; gap: 0.3em; align-items: center; }}
#count {{ display: inline-block; min-width: 8em; text-align: center; }}
#scale {{ display: inline-block; min-width: 3.5em; text-align: right; color: #666; }}
#say {{ font-family: Menlo, Consolas, monospace; background: #fafafa; border-left: 4px solid red; margin: 0;
        padding: 0.5em 1em; line-height: 1.4; height: calc({say_lines} * 1.4em);
        overflow-y: auto; white-space: pre-wrap; flex: none; }}
#view {{ position: relative; flex: 1 1 auto; min-height: 320px; margin: 0.8em 0 1em; overflow: hidden;
         border: 1px solid #ddd; background: white; cursor: grab; touch-action: none; }}
#view.dragging {{ cursor: grabbing; }}
#stage {{ position: absolute; left: 0; top: 0; transform-origin: 0 0; }}
#stage svg {{ display: block; }}
.edge.back.unsent {{ opacity: 0.15; }}
.edge.back.sending path, .edge.back.sending polygon {{ stroke-width: 3; }}
.node.active polygon, .node.active path, .node.active ellipse {{ stroke: red; stroke-width: 3; fill: #ffe3e3; }}
.node.changed polygon, .node.changed path, .node.changed ellipse {{ fill: #ffe066; }}
.node text.unknown {{ fill: #999; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="legend"><span class="blue">Blue</span>: values, computed forward. <span class="red">Red</span>: gradients,
computed backward, one node at a time: on a node, {total} is the gradient of {root} with respect to v through
every path (a total derivative{shorthand}); on an edge from u to v, ∂v/∂u is the local derivative, how v changes
with u alone (a partial). The chain rule multiplies them. Use the buttons or the arrow keys; drag the graph to move
it, the mouse wheel or + and &minus; to zoom.</p>
<div id="controls">
<button id="prev">&larr; Previous</button><span id="count"></span><button id="next">Next &rarr;</button>
<span class="zoom"><button id="zoom-out" title="Zoom out (-)">&minus;</button><span id="scale"></span>
<button id="zoom-in" title="Zoom in (+)">+</button><button id="fit" title="Show the whole graph (f)">Fit</button></span>
</div>
<div id="say"></div>
<div id="view"><div id="stage">
{svg}
</div></div>
<script id="steps" type="application/json">{data}</script>
<script>
{script}
</script>
</body>
</html>
"""

_SCRIPT = """\
"use strict";
const data = JSON.parse(document.getElementById("steps").textContent);
const steps = data.steps;
let current = 0;

function gradText(id) {
  const node = document.getElementById(id);
  return node ? node.querySelector('text[fill="red"]') : null;
}

function showStep(k) {
  current = Math.max(0, Math.min(k, steps.length - 1));
  const texts = Object.assign({}, data.initial);
  const sentBefore = new Set();
  for (let s = 0; s <= current; s++) {
    Object.assign(texts, steps[s].changed);
    if (s < current) steps[s].edges.forEach(e => sentBefore.add(e));
  }
  const step = steps[current];
  for (const id of Object.keys(data.initial)) {
    const node = document.getElementById(id);
    const text = gradText(id);
    if (text) {
      text.textContent = texts[id];
      text.classList.toggle("unknown", texts[id] === data.initial[id]);
    }
    if (node) {
      node.classList.toggle("active", id === step.node);
      node.classList.toggle("changed", id in step.changed && id !== step.node);
    }
  }
  for (const edge of document.querySelectorAll('g.edge[id^="b_"]')) {
    const sending = step.edges.includes(edge.id);
    edge.classList.add("back");
    edge.classList.toggle("sending", sending);
    edge.classList.toggle("unsent", !sending && !sentBefore.has(edge.id));
  }
  document.getElementById("say").textContent = step.say.join("\\n");
  document.getElementById("count").textContent = "Step " + current + " of " + (steps.length - 1);
  document.getElementById("prev").disabled = current === 0;
  document.getElementById("next").disabled = current === steps.length - 1;
  follow(step.node);
}

document.getElementById("prev").addEventListener("click", () => showStep(current - 1));
document.getElementById("next").addEventListener("click", () => showStep(current + 1));
document.addEventListener("keydown", event => {
  if (event.key === "ArrowRight") showStep(current + 1);
  if (event.key === "ArrowLeft") showStep(current - 1);
});
"""

# Zoom and pan: the SVG keeps its natural size inside #stage, which is moved and scaled by one CSS transform.
_VIEW_SCRIPT = """
const view = document.getElementById("view");
const stage = document.getElementById("stage");
const svg = stage.querySelector("svg");
const natural = {width: svg.width.baseVal.value, height: svg.height.baseVal.value};
const READABLE = 0.75;  // the smallest scale at which the first view's text can still be read
const MARGIN = 24;  // pixels kept between the followed node and the viewport's edge
let at = {x: 0, y: 0, scale: 1};

function place() {
  stage.style.transform = "translate(" + at.x + "px, " + at.y + "px) scale(" + at.scale + ")";
  document.getElementById("scale").textContent = Math.round(at.scale * 100) + "%";
}

function fitScale() {
  return Math.min(view.clientWidth / natural.width, view.clientHeight / natural.height);
}

function zoomAt(scale, cx, cy) {
  scale = Math.max(0.05, Math.min(scale, 8));
  at.x = cx - (cx - at.x) * scale / at.scale;
  at.y = cy - (cy - at.y) * scale / at.scale;
  at.scale = scale;
  place();
}

function fit() {
  at.scale = fitScale();
  at.x = (view.clientWidth - natural.width * at.scale) / 2;
  at.y = (view.clientHeight - natural.height * at.scale) / 2;
  place();
}

function follow(id) {
  const node = document.getElementById(id);
  if (!node) return;
  const box = node.getBoundingClientRect(), frame = view.getBoundingClientRect();
  const inside = box.left >= frame.left + MARGIN && box.right <= frame.right - MARGIN &&
                 box.top >= frame.top + MARGIN && box.bottom <= frame.bottom - MARGIN;
  if (inside) return;
  at.x += (frame.left + frame.width / 2) - (box.left + box.width / 2);
  at.y += (frame.top + frame.height / 2) - (box.top + box.height / 2);
  place();
}

function zoomBy(factor) {
  zoomAt(at.scale * factor, view.clientWidth / 2, view.clientHeight / 2);
}

document.getElementById("zoom-in").addEventListener("click", () => zoomBy(1.25));
document.getElementById("zoom-out").addEventListener("click", () => zoomBy(0.8));
document.getElementById("fit").addEventListener("click", fit);
document.addEventListener("keydown", event => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "+" || event.key === "=") zoomBy(1.25);
  if (event.key === "-" || event.key === "_") zoomBy(0.8);
  if (event.key === "f" || event.key === "0") fit();
});
view.addEventListener("wheel", event => {
  event.preventDefault();
  const frame = view.getBoundingClientRect();
  zoomAt(at.scale * Math.exp(-event.deltaY * 0.0015), event.clientX - frame.left, event.clientY - frame.top);
}, {passive: false});

let drag = null;
view.addEventListener("pointerdown", event => {
  if (event.button !== 0) return;
  drag = {x: event.clientX - at.x, y: event.clientY - at.y};
  view.setPointerCapture(event.pointerId);
  view.classList.add("dragging");
});
view.addEventListener("pointermove", event => {
  if (!drag) return;
  at.x = event.clientX - drag.x;
  at.y = event.clientY - drag.y;
  place();
});
for (const type of ["pointerup", "pointercancel"]) {
  view.addEventListener(type, () => { drag = null; view.classList.remove("dragging"); });
}

fit();
if (at.scale > 1 || at.scale < READABLE) zoomAt(Math.min(1, Math.max(at.scale, READABLE)), view.clientWidth / 2,
                                                 view.clientHeight / 2);
showStep(0);
"""
