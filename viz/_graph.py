"""The graph under a root as the drawings see it: its nodes in forward order, their names, what to show.

Everything here walks the graph with explicit stacks (no recursion), so a chain of any depth is fine.
"""

from __future__ import annotations

import numpy as np

from autograd import Value, backward_order, contributions

from ._notation import clean

SHOWS = ("auto", "both", "forward", "backward")


def nodes(root: Value, max_nodes: int | None = None) -> list[Value]:
    """Every distinct Value under root, each after its parents (inputs first, root last).

    With max_nodes, a larger graph raises ValueError saying how many nodes it has and what to do.
    """
    _check_root(root)
    if max_nodes is not None and (type(max_nodes) is not int or max_nodes < 1):
        raise ValueError(f"max_nodes must be a positive whole number, got {max_nodes!r}")
    order: list[Value] = []
    seen: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:  # reached again by another path, after it was pushed: it is (being) done already
            continue
        seen.add(id(node))  # marked when expanded, not when pushed: a shared parent then still comes first
        stack.append((node, True))
        for parent in reversed(node.parents):  # reversed: the first parent is finished first
            if id(parent) not in seen:
                stack.append((parent, False))
    if max_nodes is not None and len(order) > max_nodes:
        raise ValueError(
            f"this graph has {len(order)} nodes, more than max_nodes={max_nodes}; a drawing that large cannot be "
            f"read. Draw a smaller part (pass an intermediate Value as the root), or raise the limit with "
            f"max_nodes={len(order)}.")
    return order


def names(order: list[Value], root: Value) -> dict[int, str]:
    """Each node's name by id(): its cleaned label, else a generated one ("J" for the root, then n1, n2, ...)."""
    named = {id(v): clean(v.label) for v in order if v.label}
    taken = set(named.values())
    if id(root) not in named and "J" not in taken:
        named[id(root)] = "J"  # the course's name for the output
    count = 0
    for v in order:
        if id(v) not in named:
            count += 1
            while f"n{count}" in taken:
                count += 1
            named[id(v)] = f"n{count}"
    return named


def resolve_show(show: str, root: Value) -> str:
    """"both", "forward" or "backward" from the caller's choice; "auto" is "both" once backward() has reached root.

    A Value does not record whether backward() ran, so "reached" is read from root's own .grad: 0 before any
    backward pass, nonzero once a pass from root (or from a node computed from it) has gone through it. Before that,
    "auto" draws values only, since zeros would pose as gradients. An array root (a batch) has no single gradient
    per node: "auto" draws its values, and asking for gradients is a ValueError.
    """
    _check_root(root)
    if show not in SHOWS:
        raise ValueError(f"show must be one of {', '.join(map(repr, SHOWS))}; got {show!r}")
    batch = type(root.data) is not float
    if show == "auto":
        return "both" if reached(root) and not batch else "forward"
    if show != "forward" and batch:
        raise ValueError(f"gradients are drawn with respect to a root holding a single number, but this one holds an "
                         f"array of shape {np.shape(root.data)}: draw the number computed from it (e.g. cost = "
                         f"loss.mean()), or pass show='forward'")
    return show


def reached(root: Value) -> bool:
    """Whether a backward pass has gone through root: its .grad is nonzero (every .grad is 0 until backward())."""
    return bool(np.any(np.asarray(root.grad) != 0))


def gradients(root: Value, order: list[Value]) -> dict[int, object]:
    """Each node's gradient to draw, by id: d(root)/d(node) once backward() has reached root, else 0.

    Computed here by the chain rule, in backward()'s order, into a dict of its own: whatever backward() ran from and
    however often, a drawing of root names only root's gradients, and no .grad in the graph is read or changed.
    Before backward() has reached root, none is computed yet and each reads 0, as .grad does then.
    """
    if not reached(root):
        return {id(v): 0.0 if type(v.data) is float else np.zeros(np.shape(v.data)) for v in order}
    grads: dict[int, object] = {id(root): 1.0}  # d(root)/d(root); a leaf root has nothing more
    for node in backward_order(root):
        g = grads[id(node)]
        for parent, contribution in zip(node.parents, contributions(node, g)):
            old = grads.get(id(parent))
            grads[id(parent)] = contribution if old is None else old + contribution  # new objects, never in place
    return grads


def _check_root(root: Value) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"expected the Value to draw (the root of the graph), got {type(root).__name__}")
