"""The graph under a root as the drawings see it: its nodes in forward order, their names, what to show.

Everything here walks the graph with explicit stacks (no recursion), so a chain of any depth is fine.
"""

from __future__ import annotations

import numpy as np

from autograd import Value

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
    seen = {id(root)}
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        stack.append((node, True))
        for parent in reversed(node.parents):  # reversed: the first parent is finished first
            if id(parent) not in seen:
                seen.add(id(parent))
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
    """"both", "forward" or "backward" from the caller's choice; "auto" is "both" after backward(), else "forward".

    A Value does not record whether backward() ran, so the rule is: the root's gradient is nonzero (backward() sets
    it to 1) means gradients are real. Before backward every gradient is 0, and drawing those zeros would mislead.
    """
    _check_root(root)
    if show not in SHOWS:
        raise ValueError(f"show must be one of {', '.join(map(repr, SHOWS))}; got {show!r}")
    if show != "auto":
        return show
    return "both" if np.any(np.asarray(root.grad) != 0) else "forward"


def _check_root(root: Value) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"expected the Value to draw (the root of the graph), got {type(root).__name__}")
