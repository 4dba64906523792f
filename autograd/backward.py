"""backward(): the chain rule run in reverse over the graph, one loop for every operation.

Visit each node after every node that uses it, and add local_grad * node.grad to each parent's grad. The order
comes from Kahn's algorithm on explicit stacks, never recursion, so a chain of a million nodes works.

Two speed tricks live here, each measured on the micrograd demo MLP's training step (W3 in `make bench`):
- Nodes with one or two float parents, most of a network, take a path written out without a loop over tuples:
  a third of the time of the general loop.
- numpy's error state (IEEE results, quietly) is entered once per backward(), at the first node whose math is
  numpy's, not once per node (_ieee.quiet_on), in a try block, so that no interrupt can leave it on.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from . import modes
from ._ieee import quiet_off, quiet_on
from ._numbers import finite, short
from .broadcast import fit
from .modes import mode
from .ops import LinearMap

MANY = object.__new__(type("_Many", (), {"__reduce__": lambda self: "MANY", "__slots__": ()}))
"""The _p1 of a node with more than two parents (or array local derivatives): its tuples are in _p0 and _g0."""

# One backward() at a time, all threads together: a leaf shared by graphs in several threads then receives every
# contribution (an array's += is not atomic, nor a float's on Python 3.10), and two threads may even call backward()
# on one graph. Measured with callgrind: about 1,000 instructions a call, 3% of the course graph's build and
# backward, nothing on large graphs; with the GIL, pure-Python passes would not run side by side anyway. It is held
# in a `with` block: CPython (3.11+) lets no interrupt fall between acquiring and the block, or the block and the
# release, so Ctrl-C cannot leave it locked.
_lock = threading.Lock()


def backward(root, create_graph: bool = False) -> None:
    """Set every node's grad to d(root)/d(node) by the chain rule; leaves add to what they had.

    With create_graph=True the backward pass is itself recorded as a graph (higher_order.py): every grad it sets is
    a Value, which can be differentiated again for second (and higher) derivatives.

    root must hold a single number. Thread-safe: one backward() runs at a time, so leaves shared between graphs in
    several threads receive every contribution, and two threads may call it on one graph. If it stops with an
    error (detect_anomaly(), Ctrl-C), the leaves keep what it had added so far, as in PyTorch (zero them before the
    next try); the graph itself needs no clean-up, and the next backward() is right.
    """
    if type(root._data) is not float:
        raise ValueError(f"backward() needs a single number, but this Value holds an array of shape "
                         f"{root._data.shape}: reduce it first, e.g. cost = loss.mean()")
    with _lock:
        if create_graph:
            from .higher_order import backward_graph  # imported here: higher_order imports value, which imports us
            backward_graph(root)
            return
        if root._p0 is None:
            root.grad += 1.0  # a leaf as root: dx/dx = 1, accumulated like any leaf gradient
            return
        # A fresh stamp per call marks the nodes this call has counted: counts left by an interrupted call carry
        # an old stamp and are simply counted again, so no clean-up is needed, whenever an interrupt arrives.
        ready = [root]  # also this call's stamp: a fresh object per call, at no cost
        _count_users(root, ready)
        root.grad = 1.0
        if modes.active and mode.anomaly:
            _backward_checked(ready)
            return
        if _pass(ready, quiet=False):  # it stopped at the first node whose math is numpy's
            token = quiet_on()  # IEEE results, quietly, as in the forward pass
            try:
                _pass(ready, quiet=True)
            finally:
                quiet_off(token)


def _pass(ready: list, quiet: bool) -> bool:
    """Pass 2: pass each ready node's gradient on to its parents. Without quiet, stop (True) at the first node whose
    math is numpy's, for the caller to go on under np.errstate: entered once per backward(), not per node."""
    while ready:
        node = ready.pop()
        g = node.grad
        p0, p1 = node._p0, node._p1
        if p1 is MANY or type(node._data) is not float:  # many parents, or numpy's math
            if not quiet:
                ready.append(node)
                return True
            _backward_many(node, g, ready)
        else:  # one or two parents with float local derivatives: most nodes take this path
            p0.grad += node._g0 * g
            if p0._p0 is not None:
                p0._pending -= 1
                if not p0._pending:
                    ready.append(p0)
            if p1 is not None:
                p1.grad += node._g1 * g
                if p1._p0 is not None:
                    p1._pending -= 1
                    if not p1._pending:
                        ready.append(p1)
    return False


def _count_users(root, stamp: object) -> None:
    """Pass 1: zero the grad of every non-leaf node under root and count in _pending the nodes that use it."""
    stack = [root]
    while stack:
        node = stack.pop()
        p0, p1 = node._p0, node._p1
        if p1 is MANY:
            for parent in p0:
                if parent._p0 is not None:
                    if parent._stamp is not stamp:
                        parent._stamp = stamp
                        parent._pending = 1
                        parent.grad = 0.0
                        stack.append(parent)
                    else:
                        parent._pending += 1
            continue
        # one or two parents, written out as in backward()
        if p0._p0 is not None:
            if p0._stamp is not stamp:
                p0._stamp = stamp
                p0._pending = 1
                p0.grad = 0.0
                stack.append(p0)
            else:
                p0._pending += 1
        if p1 is not None and p1._p0 is not None:
            if p1._stamp is not stamp:
                p1._stamp = stamp
                p1._pending = 1
                p1.grad = 0.0
                stack.append(p1)
            else:
                p1._pending += 1


def contributions(node, g) -> list:
    """What backward() adds to each parent's grad when node's grad is g: local_grad * g, one per parent.

    Each is summed back to its parent's shape (broadcast.fit): a number that met a batch gets the sum over the
    examples. A local derivative that is a linear map (a matrix product, a reduction) applies itself to g.
    viz.walkthrough shows these same numbers step by step.
    """
    with np.errstate(all="ignore"):
        return _contributions(node, g)


def _contributions(node, g) -> list:
    """contributions() under the caller's np.errstate."""
    local_grads = node.local_grads
    if type(local_grads) is np.ndarray:  # dot(weights, X): row i is d(node)/d(weight i) for every example
        return (local_grads @ g).tolist()
    return [fit(local * g, parent._data) for parent, local in zip(node.parents, local_grads)]


def _backward_many(node, g, ready: list) -> None:
    """backward() for any node: pass on the gradient, queueing each parent once the last of its users has."""
    p1 = node._p1
    if p1 is MANY:
        parents, local_grads = node._p0, node._g0
    else:  # read from the slots, not through the properties (a call each)
        parents = (node._p0,) if p1 is None else (node._p0, p1)
        local_grads = (node._g0,) if p1 is None else (node._g0, node._g1)
    if type(local_grads) is tuple and p1 is MANY and type(node._data) is float:  # a float sum or dot: no fit
        for parent, local in zip(parents, local_grads):  # (W3 ~10 %)
            parent.grad += local * g
            if parent._p0 is not None:
                parent._pending -= 1
                if not parent._pending:
                    ready.append(parent)
        return
    if type(local_grads) is np.ndarray:  # dot(weights, X): see _contributions
        for parent, contribution in zip(parents, (local_grads @ g).tolist()):
            parent.grad += contribution
            if parent._p0 is not None:
                parent._pending -= 1
                if not parent._pending:
                    ready.append(parent)
        return
    for parent, local in zip(parents, local_grads):
        # a sum's 1.0 * g would copy g: g itself goes on, one array operation less for each bias, each step; a
        # linear map is applied without its __mul__, a Python call less (flower: 4 of its 9 edges, -0.3 us)
        kind = local.__class__
        c = local.fn(g, *local.args) if kind is LinearMap else g if kind is float and local == 1.0 else local * g
        like = parent._data
        if like.__class__ is float or c.__class__ is float or c.shape != like.shape:  # else fit(c, like) is c
            c = fit(c, like)
        grad = parent.grad
        if parent._p0 is None:
            # A leaf accumulates in place, across backward() calls too, so its grad is an array of its own: its
            # first contribution as it is when that is a new array (not a view, nor g), else a copy (0.0 + c).
            # (flower, bench/batched.py: -8 %)
            if type(grad) is float and not grad and type(c) is np.ndarray and c.base is None and c is not g:
                parent.grad = c
            else:
                parent.grad += c
        else:
            # A node that is not a leaf takes its first contribution as it is, even g itself or a view (a + b
            # passing g on, for each bias of a network), and never adds in place: a later one makes a new
            # array, grad + c. (flower: -6 %, with fit's new arrays)
            parent.grad = c if type(grad) is float and not grad else grad + c
            parent._pending -= 1
            if not parent._pending:
                ready.append(parent)


def _backward_checked(ready: list) -> None:
    """The second pass under detect_anomaly(): the general path for every node, each gradient checked."""
    with np.errstate(all="ignore"):
        while ready:
            node = ready.pop()
            _backward_many(node, node.grad, ready)
            for parent in node.parents:
                if not finite(parent.grad):
                    raise FloatingPointError(f"backward through {describe(node.op, node.parents)} gave "
                                             f"{parent.label or 'an input'} the gradient {short(parent.grad)}")


def backward_order(root) -> list:
    """The non-leaf nodes under root in the order backward() visits them: each after every node that uses it.

    The same two passes as backward(), with the counts in a dict of its own: the graph, gradients included, is left
    as it was.
    """
    if root._p0 is None:
        return []
    users: dict[int, int] = {}
    stack = [root]
    while stack:
        for parent in stack.pop().parents:
            if parent._p0 is not None:
                if id(parent) not in users:
                    users[id(parent)] = 0
                    stack.append(parent)
                users[id(parent)] += 1
    order, ready = [], [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for parent in node.parents:
            if parent._p0 is not None:
                users[id(parent)] -= 1
                if not users[id(parent)]:
                    ready.append(parent)
    return order


def describe(op: str, parents: Sequence) -> str:
    """An operation and its inputs for an error message: "operation 'log' on (a=0.0)"."""
    inputs = ", ".join(f"{p.label or '?'}={short(p._data)}" for p in parents)
    return f"operation '{op}' on ({inputs})"
