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

from . import _graph
from ._notation import check_notation, chain, formula, grad_name, number
from .dot import RANKDIRS, digraph
from .render import TIMEOUT, check_timeout, pipe, timeout_error, write_atomic


def walkthrough(root: Value, path: str | os.PathLike, rankdir: str = "LR", max_nodes: int = 500,
                *, timeout: float | None = TIMEOUT, notation: str = "leibniz") -> Path:
    """Write an HTML file (no network, no external scripts) that steps through root's backward pass; returns path.

    timeout bounds Graphviz's time as in viz.render: past it, TimeoutError and nothing is written.
    notation: "leibniz" writes gradients dJ/dv, "course" in the course's shorthand dv (see viz.draw).
    """
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"the walkthrough is an HTML page: end the file name with .html, got {str(path)!r}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}; got {rankdir!r}")
    check_timeout(timeout)
    check_notation(notation)
    order = _graph.nodes(root, max_nodes)
    if type(root.data) is not float:
        raise ValueError("the backward pass starts from a single number, but this root holds a batch: "
                         "reduce it first, e.g. cost = loss.mean()")
    names = _graph.names(order, root)
    ids = {id(v): f"n{i}" for i, v in enumerate(order)}  # the node ids viz.draw gives, in the same order
    plan, final = _steps(root, order, names, ids, notation)
    try:
        svg = pipe(digraph(root, "both", rankdir, True, max_nodes, grads=final, notation=notation), "svg",
                   timeout).decode("utf-8")
    except subprocess.TimeoutExpired:
        raise timeout_error(root, timeout) from None
    root_name = names[id(root)]
    data = {"initial": {ids[id(v)]: f"{grad_name(root_name, names[id(v)], notation)} = ?" for v in order},
            "steps": plan}
    title = f"The backward pass of {root_name}" + (f" = {formula(root, names)}" if root.parents else "")
    total = grad_name(root_name, "v", notation)
    shorthand = f", the course's shorthand for d{root_name}/dv" if notation == "course" else ""
    page = _PAGE.format(title=escape(title), total=escape(total), shorthand=escape(shorthand),
                        root=escape(root_name),
                        svg=svg[svg.index("<svg"):], data=_script_json(data), script=_SCRIPT)
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


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }}
h1 {{ font-size: 1.3em; }}
.legend .blue {{ color: blue; }} .legend .red {{ color: red; }}
#controls {{ margin: 1em 0; }}
#controls button {{ font-size: 1em; padding: 0.3em 1em; }}
#count {{ margin: 0 1em; }}
#say {{ font-family: Menlo, Consolas, monospace; background: #fafafa; border-left: 4px solid red;
        padding: 0.5em 1em; min-height: 4em; white-space: pre-wrap; }}
#graph svg {{ max-width: 100%; height: auto; }}
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
with u alone (a partial). The chain rule multiplies them. Use the buttons or the arrow keys.</p>
<div id="controls">
<button id="prev">&larr; Previous</button><span id="count"></span><button id="next">Next &rarr;</button>
</div>
<div id="say"></div>
<div id="graph">
{svg}
</div>
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
}

document.getElementById("prev").addEventListener("click", () => showStep(current - 1));
document.getElementById("next").addEventListener("click", () => showStep(current + 1));
document.addEventListener("keydown", event => {
  if (event.key === "ArrowRight") showStep(current + 1);
  if (event.key === "ArrowLeft") showStep(current - 1);
});
showStep(0);
"""
