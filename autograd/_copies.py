"""Pickling and deep-copying a graph of any depth, without recursion.

pickle and copy.deepcopy follow references recursively, so a chain of 100,000 nodes would exceed Python's
recursion limit. Here a node is written as a flat table of its graph, leaves first: each inner node's fields with
its parents as positions in the table. Leaves are kept as the Value objects themselves, so a parameter pickled
with a model and with a graph built from it stays one object. Inner nodes are rebuilt from the table: a node
pickled on its own and inside a graph in the same dump becomes two copies (they compute the same gradients).
"""

from __future__ import annotations

import copy

from . import value as _value


def reduce(node):
    """pickle's reduction of node: a leaf as its fields, an inner node as the flat table of its graph."""
    if node._p0 is None:
        return _leaf, (node._data, node.grad, node.label)
    order = _parents_first(node)
    position = {id(n): i for i, n in enumerate(order)}
    table = [n if n._p0 is None else
             (n._data, n.grad, n.label, n.op, n.const, [position[id(p)] for p in n.parents], n.local_grads,
              _record_rule(n), _pairs(n))
             for n in order]
    return _rebuild, (table,)


def deepcopy(node, memo: dict):
    """copy.deepcopy(node): every node of its graph copied once (memo), in a loop rather than by recursion."""
    for n in _parents_first(node):
        if id(n) not in memo:
            data, grad = copy.deepcopy(n._data, memo), copy.deepcopy(n.grad, memo)
            memo[id(n)] = _leaf(data, grad, n.label) if n._p0 is None else _inner(
                data, grad, n.label, n.op, copy.deepcopy(n.const, memo), [memo[id(p)] for p in n.parents],
                copy.deepcopy(n.local_grads, memo), _record_rule(n), _pairs(n))
    return memo[id(node)]


def _rebuild(table: list):
    """The nodes of a pickled table, rebuilt in order; returns the last (the root)."""
    nodes = []
    for entry in table:
        if type(entry) is tuple:
            entry = _inner(*entry[:5], [nodes[i] for i in entry[5]], *entry[6:])  # a table pickled by an earlier
            # chainrule has no pairs at its end
        nodes.append(entry)
    return nodes[-1]


def _leaf(data, grad, label: str):
    leaf = _value.Value(data, label)
    leaf.grad = grad
    return leaf


def _inner(data, grad, label: str, op: str, const, parents: list, local_grads, rule=False, pairs=()):
    """An inner node with its fields and parents, linked as the engine links one (whatever mode is on); at each of
    pairs (dot_pairs), the local derivatives are the pair's data again, the very objects."""
    if pairs:
        swapped = list(local_grads)
        for i in pairs:
            swapped[i], swapped[i + 1] = parents[i + 1]._data, parents[i]._data
        local_grads = type(local_grads)(swapped)
    if type(data) is not float:
        data.setflags(False)  # read-only, as the engine makes every node's array (Value.data)
    node = _value._new(_value.Value)
    node._data, node.grad, node.label, node.op, node.const, node._stamp = data, grad, label, op, const, None
    _value._link(node, tuple(parents), local_grads)
    if rule is not False and node._p0 is not None:  # made by record(): its layout, a list, and its rule (nary.record)
        if node._p1 is not _value._MANY:  # a tuple of floats: only the general layout has room for the rule
            node._p0, node._g0, node._p1 = node.parents, list(node.local_grads), _value._MANY
        node._g1 = rule
    return node


def _pairs(node) -> list[int]:
    """Where a dot() node's Value pairs (w, x) are, which second derivatives find by identity: a copy keeps them."""
    if node.op != "dot":
        return []
    from .higher_order import dot_pairs  # imported here: higher_order imports value, which imports us
    return dot_pairs(node.parents, node.local_grads)


def _record_rule(node):
    """record()'s local_grads_rule (None if it was given none) for a node it made, else False."""
    return node._g1 if node._p1 is _value._MANY and hasattr(node, "_g1") else False


def _parents_first(root) -> list:
    """Every node under root once, each after all its parents (a depth-first post-order on an explicit stack)."""
    order, seen, stack = [], {id(root)}, [(root, iter(root.parents))]
    while stack:
        node, parents = stack[-1]
        for p in parents:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append((p, iter(p.parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order
