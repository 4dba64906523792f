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
             (n._data, n.grad, n.label, n.op, n.const, [position[id(p)] for p in n.parents], n.local_grads)
             for n in order]
    return _rebuild, (table,)


def deepcopy(node, memo: dict):
    """copy.deepcopy(node): every node of its graph copied once (memo), in a loop rather than by recursion."""
    for n in _parents_first(node):
        if id(n) not in memo:
            data, grad = copy.deepcopy(n._data, memo), copy.deepcopy(n.grad, memo)
            memo[id(n)] = _leaf(data, grad, n.label) if n._p0 is None else _inner(
                data, grad, n.label, n.op, copy.deepcopy(n.const, memo), [memo[id(p)] for p in n.parents],
                copy.deepcopy(n.local_grads, memo))
    return memo[id(node)]


def _rebuild(table: list):
    """The nodes of a pickled table, rebuilt in order; returns the last (the root)."""
    nodes = []
    for entry in table:
        if type(entry) is tuple:
            data, grad, label, op, const, parents, local_grads = entry
            entry = _inner(data, grad, label, op, const, [nodes[i] for i in parents], local_grads)
        nodes.append(entry)
    return nodes[-1]


def _leaf(data, grad, label: str):
    leaf = _value.Value(data, label)
    leaf.grad = grad
    return leaf


def _inner(data, grad, label: str, op: str, const, parents: list, local_grads):
    """An inner node with its fields and parents, linked as the engine links one (whatever mode is on)."""
    node = _value._new(_value.Value)
    node._data, node.grad, node.label, node.op, node.const, node._stamp = data, grad, label, op, const, None
    _value._link(node, tuple(parents), local_grads)
    return node


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
