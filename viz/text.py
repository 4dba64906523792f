"""The graph in plain text, for a terminal without Graphviz: a tree from the root down, or a table of nodes.

    J = 3*v = 33              dJ/dJ = 1
    └── v = a + u = 11        dJ/dv = 3
        ├── a = 5             dJ/da = 3
        └── u = b*c = 6       dJ/du = 3

The gradients (total derivatives dJ/dv, or the course's dv with notation="course") stand in one column; a line
too long to leave room for it (a deep or wide formula) puts its gradient in that column on a line of its own.
"""

from __future__ import annotations

from autograd import Value

from . import _graph
from ._notation import check_notation, formula, grad_name, number

_DIGITS = 6  # significant digits in text: more than a drawing, which must stay compact
_MAX_INDENT = 30  # deeper levels are not indented further, so a long chain stays readable
_MAX_WIDTH = 60  # the gradient column starts at most this far right


def text(root: Value, show: str = "auto", max_nodes: int = 500, notation: str = "leibniz") -> str:
    """The graph as a tree from root to its inputs, each line a node's formula, value and gradient.

    A node used twice is written out once; later it appears as "u (above)". show works as in viz.draw, and the
    gradients are d(root)/d(node), computed here (no .grad is changed), written dJ/du, or du with notation="course".
    """
    check_notation(notation)
    show = _graph.resolve_show(show, root)
    order = _graph.nodes(root, max_nodes)
    names = _graph.names(order, root)
    root_name = names[id(root)]
    grads = _graph.gradients(root, order) if show != "forward" else {}
    rows: list[tuple[str, str, str]] = []  # the line, its gradient, the prefix that continues the tree below it
    done: set[int] = set()
    stack = [(root, "", "")]  # node, the line's prefix, the prefix of its children's lines
    while stack:
        node, prefix, inner = stack.pop()
        name = names[id(node)]
        if id(node) in done:
            rows.append((f"{prefix}{name} (above)", "", ""))
            continue
        done.add(id(node))
        gradient = _gradient(grads.get(id(node)), root_name, name, show, notation)
        below = inner + "│" if node.parents else _continued(prefix)
        rows.append((prefix + _describe(node, names, show), gradient, below))
        last = len(node.parents) - 1
        deeper = len(inner) < 4 * _MAX_INDENT  # each level adds 4 characters
        for i in range(last, -1, -1):  # pushed last first, so the first parent is printed first
            branch, below = ("└── ", "    ") if i == last else ("├── ", "│   ")
            stack.append((node.parents[i], inner + branch, inner + below if deeper else inner))
    return _columns(rows)


def table(root: Value, show: str = "auto", max_nodes: int = 500, notation: str = "leibniz") -> str:
    """One row per node, inputs first: its name, the operation that made it, its value and its gradient (dJ/du, or
    du with notation="course")."""
    check_notation(notation)
    show = _graph.resolve_show(show, root)
    order = _graph.nodes(root, max_nodes)
    names = _graph.names(order, root)
    root_name = names[id(root)]
    grads = _graph.gradients(root, order) if show != "forward" else {}
    header = ["node", "computed as"]
    header += ["value"] if show != "backward" else []
    header += ["gradient"] if show != "forward" else []
    rows = [header]
    for v in order:
        row = [names[id(v)], formula(v, names) or "(leaf)"]
        row += [number(v.data, _DIGITS)] if show != "backward" else []
        row += [_gradient(grads[id(v)], root_name, names[id(v)], "both", notation)] if show != "forward" else []
        rows.append(row)
    widths = [max(len(r[k]) for r in rows) for k in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows)


def _describe(node: Value, names: dict[int, str], show: str) -> str:
    """"u = b*c = 6" (or without "= 6" when values are not shown); a leaf is "b = 3"."""
    parts = [names[id(node)]]
    if node.parents:
        parts.append(formula(node, names))
    if show != "backward":
        parts.append(number(node.data, _DIGITS))
    return " = ".join(parts)


def _gradient(grad, root_name: str, name: str, show: str, notation: str) -> str:
    """"dJ/du = 3" (or "du = 3"), the gradient of root_name with respect to name; nothing when gradients are not
    shown."""
    return f"{grad_name(root_name, name, notation)} = {number(grad, _DIGITS)}" if show != "forward" else ""


def _continued(prefix: str) -> str:
    """The tree's lines below a leaf's line (its prefix "│   ├── " as "│   │"): what a line of its own for the leaf's
    gradient starts with, so that the tree's lines run on through it."""
    head = prefix[:-4]  # the prefixes of the levels above, each "│   " or "    "
    branch = prefix[-4:]
    return head + ("│" if branch.startswith("├") else "")


def _columns(rows: list[tuple[str, str, str]]) -> str:
    """Left texts padded so the gradients line up in one column; a left text too long for it (past _MAX_WIDTH) has
    its gradient on a line of its own, in the column, after the tree's lines that run on below it."""
    fits = [len(left) for left, _, _ in rows if len(left) <= _MAX_WIDTH]
    width = max(fits, default=_MAX_WIDTH)
    lines = []
    for left, right, below in rows:
        if not right:
            lines.append(left)
        elif len(left) <= width:
            lines.append(f"{left.ljust(width)}    {right}")
        else:
            lines += [left, f"{below[:width].ljust(width)}    {right}"]
    return "\n".join(lines)
