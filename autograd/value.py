"""Value: a number in a computation graph, and backward(), the chain rule run in reverse over the graph.

The course's graph J = 3(a + bc):

    a, b, c = Value(5.0, label="a"), Value(3.0, label="b"), Value(2.0, label="c")
    u = b * c        # u.parents == (b, c); u.local_grads == (du/db, du/dc) == (2.0, 3.0)
    v = a + u
    J = 3 * v        # the 3 is a constant: folded into the node (J.const == 3.0), never a node itself
    J.backward()     # a.grad == 3.0, b.grad == dJ/dv * dv/du * du/db == 6.0, c.grad == 9.0

Each operation computes its value and its local derivatives at once (the calculus lives in ops.py), so backward()
is one loop, the same for every operation: visit each node after all the nodes that use it, and add
local_grad * node.grad to each parent's grad.

`data` may also be a 1-D numpy array holding one number per example: the same graph then runs over a whole batch
(the course's vectorization). A number that meets a batch receives the sum of its gradients over the examples,
and so does a batch of one, which numpy broadcasts like a number.
Batches follow numpy's rules, including its RuntimeWarning on overflow in + - * (the results are still IEEE's).
A 1-D array may also hold a vector of weights, used through dot(w, X) (see nary.py): its grad is then a vector.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from . import _floatmath, modes, ops
from ._numbers import Number, as_const as _as_const, as_number, finite as _finite, short as _short
from .modes import mode



class Value:
    """A number (or a batch of numbers) in the graph, with the gradient dRoot/dThis that backward() leaves.

    data         the forward value: a float, or a 1-D float numpy array (a batch, or a weight vector); what is
                 written to it is checked as in Value(), and a caller's array copied
    grad         d(root)/d(this) after root.backward(); leaves accumulate it across calls (an array grad in
                 place, as PyTorch does: copy it if you keep it)
    label        a name for drawings and messages ("a", "J"), "" if none
    op           the operation that made it ("+", "*", "exp", "sum", ...), "" for a leaf; an op whose constant
                 stands on the left starts with "r": "r-" with const 2 is 2 - x
    const        the Python number folded into the op (3 in 3*v), else None
    parents      the Values it was computed from, in order, repeats kept (a*a has (a, a))
    local_grads  d(this)/d(parent), one per parent
    """

    # Storage: a node keeps its first two parents inline, _p0 and _p1 (None where there is none), with their local
    # derivatives _g0 and _g1. A node with more (sum, dot) keeps the tuples in _p0 and _g0, and _p1 is _MANY.
    # Why not two tuples per node: each would be one more object for Python's garbage collector to track, and on
    # large graphs the collector would then take more time than the chain rule itself.
    __slots__ = ("_data", "grad", "label", "op", "const", "_p0", "_g0", "_p1", "_g1", "_pending")
    __array_ufunc__ = None  # numpy defers to us: ndarray * Value calls Value.__rmul__, not an elementwise loop

    def __init__(self, data: Number, label: str = "") -> None:
        if type(label) is not str:
            raise TypeError(f"label must be a str, got {type(label).__name__}")
        self._data = data if type(data) is float else _as_data(data, "Value()")
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.const = None
        self._p0 = self._p1 = None  # a leaf: no _pending, which only nodes with parents use

    @property
    def data(self) -> float | np.ndarray:
        """The forward value: a float, or a 1-D float64 numpy array."""
        return self._data

    @data.setter
    def data(self, value: Number) -> None:
        # checked as in Value(): an int or numpy scalar stored as it is would make the next operation or backward()
        # take it for a batch. The same array back (p.data += x changed it in place) needs no check and no copy.
        if value is not self._data:
            self._data = value if type(value) is float else _as_data(value, "Value.data")

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Values this one was computed from, in order, repeats kept."""
        p0, p1 = self._p0, self._p1
        if p1 is None:
            return () if p0 is None else (p0,)
        return p0 if p1 is _MANY else (p0, p1)

    @property
    def local_grads(self) -> tuple:
        """d(this)/d(parent), one per parent."""
        p0, p1 = self._p0, self._p1
        if p1 is None:
            return () if p0 is None else (self._g0,)
        return self._g0 if p1 is _MANY else (self._g0, self._g1)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={_short(self._data)}, grad={_short(self.grad)}{label})"

    # Arithmetic: +, - and * are written out for speed; the rest take their math from ops.py.
    # Value + Value and Value * Value, most of the nodes of a network, even build their node here: calling _node2
    # instead costs 8% of a training step of micrograd's demo MLP (measured).
    def __add__(self, other: Value | Number) -> Value:
        if type(other) is Value:
            if modes.active:
                return _node2(self._data + other._data, self, 1.0, other, 1.0, "+")
            node = _new(Value)
            node._data = self._data + other._data
            node.grad = 0.0
            node.label = ""
            node.op = "+"
            node.const = None
            node._pending = 0
            node._p0 = self
            node._g0 = 1.0
            node._p1 = other
            node._g1 = 1.0
            return node
        c = _as_const(other)
        return _node1(self._data + c, self, 1.0, "+", c)

    def __radd__(self, other: Number) -> Value:
        c = _as_const(other)
        return _node1(c + self._data, self, 1.0, "r+", c)

    def __sub__(self, other: Value | Number) -> Value:
        if type(other) is Value:
            return _node2(self._data - other._data, self, 1.0, other, -1.0, "-")
        c = _as_const(other)
        return _node1(self._data - c, self, 1.0, "-", c)

    def __rsub__(self, other: Number) -> Value:
        c = _as_const(other)
        return _node1(c - self._data, self, -1.0, "r-", c)

    def __mul__(self, other: Value | Number) -> Value:
        if type(other) is Value:
            a, b = self._data, other._data
            if modes.active:
                return _node2(a * b, self, b, other, a, "*")
            node = _new(Value)
            node._data = a * b
            node.grad = 0.0
            node.label = ""
            node.op = "*"
            node.const = None
            node._pending = 0
            node._p0 = self
            node._g0 = b
            node._p1 = other
            node._g1 = a
            return node
        c = _as_const(other)
        return _node1(self._data * c, self, c, "*", c)

    def __rmul__(self, other: Number) -> Value:
        c = _as_const(other)
        return _node1(c * self._data, self, c, "r*", c)

    def __truediv__(self, other: Value | Number) -> Value:
        if type(other) is Value:
            return _binary(ops.divide, self, other, "/")
        return _binary(ops.divide, self, _as_const(other), "/")

    def __rtruediv__(self, other: Number) -> Value:
        return _binary(ops.divide, _as_const(other), self, "r/")

    def __pow__(self, other: Value | Number) -> Value:
        if type(other) is Value:
            return _binary(ops.power, self, other, "**")
        return _binary(ops.power, self, _as_const(other), "**")

    def __rpow__(self, other: Number) -> Value:
        return _binary(ops.power, _as_const(other), self, "r**")

    def __neg__(self) -> Value:
        return _node1(-self._data, self, -1.0, "neg")

    def __abs__(self) -> Value:
        return self._unary(ops.absolute, "abs")

    def exp(self) -> Value:
        """e^x."""
        return self._unary(ops.exp, "exp")

    def log(self) -> Value:
        """Natural logarithm: -inf at 0, nan below."""
        return self._unary(ops.log, "log")

    def sqrt(self) -> Value:
        """Square root: nan below 0."""
        return self._unary(ops.sqrt, "sqrt")

    def tanh(self) -> Value:
        """Hyperbolic tangent, exact for any input."""
        return self._unary(ops.tanh, "tanh")

    def sigmoid(self) -> Value:
        """1 / (1 + e^-x), exact for any input (never overflows)."""
        return self._unary(ops.sigmoid, "sigmoid")

    def softplus(self) -> Value:
        """ln(1 + e^x), a smooth relu whose slope is sigmoid(x); exact for any input."""
        return self._unary(ops.softplus, "softplus")

    def relu(self) -> Value:
        """max(0, x)."""
        return self._unary(ops.relu, "relu")

    def mean(self) -> Value:
        """Mean over the batch, a float (dMean/dx_i = 1/m); a single number is its own mean."""
        x = self._data
        if type(x) is float:
            return _node1(x, self, 1.0, "mean")
        m = len(x)
        with np.errstate(all="ignore"):
            return _node(float(x.mean()), (self,), (np.full(m, 1.0 / m),), "mean")

    def _unary(self, fn: Callable, op: str) -> Value:
        x = self._data
        if type(x) is float:
            y, dy = fn(x, _floatmath)
        else:
            with np.errstate(all="ignore"):
                y, dy = fn(x, np)
        return _node1(y, self, dy, op)

    def backward(self) -> None:
        """Set every node's grad to d(self)/d(node) by the chain rule (leaves add to what they had).

        If it stops with an error (detect_anomaly(), Ctrl-C), the leaves keep what it had added so far, as in
        PyTorch: zero them before the next try.
        """
        if type(self._data) is not float:
            raise ValueError(f"backward() needs a single number, but this Value holds an array of {len(self._data)}:"
                             " reduce it first, e.g. cost = loss.mean()")
        if self._p0 is None:
            self.grad += 1.0  # a leaf as root: dx/dx = 1, accumulated like any leaf gradient
            return
        quiet = None  # an np.errstate, entered at the first node whose math is numpy's, and left at the end
        try:
            _count_users(self)
            self.grad = 1.0
            # Kahn's algorithm: a node is ready once every node that uses it has passed it its share of the
            # gradient; then it passes on its own, local_grad * grad, to each parent.
            ready = [self]
            if modes.active and mode.anomaly:
                _backward_checked(ready)
                return
            while ready:
                node = ready.pop()
                g = node.grad
                p0, p1 = node._p0, node._p1
                if p1 is _MANY or type(node._data) is not float:  # many parents, or numpy's math (see _link)
                    if quiet is None:  # IEEE results, quietly, as in the forward pass; entering costs 1.4 us
                        quiet = np.errstate(all="ignore")
                        quiet.__enter__()
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
        except BaseException:
            _reset_pending(self)
            raise
        finally:
            if quiet is not None:
                quiet.__exit__(None, None, None)


def backward_order(root: Value) -> list[Value]:
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


def _count_users(root: Value) -> None:
    """Pass 1 of backward(): zero the grad of every non-leaf node under root and count its users in _pending.

    Explicit stacks, never recursion, so any depth works. The counts live on the nodes until pass 2 brings each
    back to 0, so two threads must not run backward() on one graph at the same time.
    """
    stack = [root]
    while stack:
        node = stack.pop()
        p0, p1 = node._p0, node._p1
        if p1 is _MANY:
            for parent in p0:
                if parent._p0 is not None:
                    if not parent._pending:
                        parent.grad = 0.0
                        stack.append(parent)
                    parent._pending += 1
            continue
        # one or two parents, written out as in backward(): a third of the time of a loop over a tuple
        if p0._p0 is not None:
            if not p0._pending:
                p0.grad = 0.0
                stack.append(p0)
            p0._pending += 1
        if p1 is not None and p1._p0 is not None:
            if not p1._pending:
                p1.grad = 0.0
                stack.append(p1)
            p1._pending += 1


def _reset_pending(root: Value) -> None:
    """Clear the counts an interrupted backward() left in the graph under root."""
    seen, stack = set(), [root]
    while stack:
        for parent in stack.pop().parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                parent._pending = 0
                stack.append(parent)


_new = object.__new__
class _Many:
    """The type of _MANY, which pickle and copy keep as the one marker it is."""

    def __reduce__(self) -> str:
        return "_MANY"


_MANY = _Many()  # _p1 of a node with more than two parents: its tuples are in _p0 and _g0

# _node1, _node2 and _node (and Value.__add__ and __mul__) repeat the same field assignments on purpose: every
# operation runs one of them, and a shared helper would add a Python call (about 15% of an operation's cost) to each.


def _node1(data, parent: Value, local, op: str, const=None) -> Value:
    """The result of a one-parent operation, with its local derivative (no validation: callers give floats)."""
    node = _new(Value)
    node._data = data
    node.grad = 0.0
    node.label = ""
    node.op = op
    node.const = const
    node._pending = 0
    if modes.active:
        _link_in_mode(node, (parent,), (local,))
    else:
        node._p0 = parent  # one statement each: faster than a tuple assignment of this many
        node._g0 = local
        node._p1 = None
    return node


def _node2(data, p0: Value, g0, p1: Value, g1, op: str) -> Value:
    """The result of a two-parent operation, with its local derivatives."""
    node = _new(Value)
    node._data = data
    node.grad = 0.0
    node.label = ""
    node.op = op
    node.const = None
    node._pending = 0
    if modes.active:
        _link_in_mode(node, (p0, p1), (g0, g1))
    else:
        node._p0 = p0
        node._g0 = g0
        node._p1 = p1
        node._g1 = g1
    return node


def _node(data, parents: tuple, local_grads, op: str, const=None) -> Value:
    """The result of an operation with any number of parents."""
    node = _new(Value)
    node._data = data
    node.grad = 0.0
    node.label = ""
    node.op = op
    node.const = const
    node._pending = 0
    if modes.active:
        _link_in_mode(node, parents, local_grads)
    else:
        _link(node, parents, local_grads)
    return node


def _link(node: Value, parents: tuple, local_grads) -> None:
    """Store parents and local derivatives in the node's slots (see Value).

    A node whose local derivatives are arrays is stored as one of many parents too: backward() then passes its
    gradient on along its general path, where numpy's math runs under np.errstate.
    """
    if not parents:
        node._p0 = node._p1 = None
    elif len(parents) > 2 or type(local_grads) is not tuple or np.ndarray in map(type, local_grads):
        node._p0, node._g0, node._p1 = parents, local_grads, _MANY
    elif len(parents) == 1:
        node._p0, node._g0, node._p1 = parents[0], local_grads[0], None
    else:
        node._p0, node._g0, node._p1, node._g1 = parents[0], local_grads[0], parents[1], local_grads[1]


def _link_in_mode(node: Value, parents: tuple, local_grads) -> None:
    """_link() while some thread is in no_grad() or detect_anomaly(): this thread's own flags decide."""
    if mode.anomaly and not _finite(node._data):
        raise FloatingPointError(f"{_describe(node.op, parents)} produced {_short(node._data)}")
    if mode.recording:
        _link(node, parents, local_grads)
    else:  # no_grad(): the result is a constant
        node._p0 = node._p1 = None
        node.op, node.const = "", None


def _binary(fn: Callable, a, b, op: str) -> Value:
    """Apply ops.fn to a and b (each a Value or a constant); the Values become the parents."""
    x = a._data if type(a) is Value else a
    y = b._data if type(b) is Value else b
    if type(x) is float and type(y) is float:
        out, dx, dy = fn(x, y, _floatmath)
    else:
        if (isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.shape != y.shape
                and 1 not in x.shape + y.shape):  # a batch of one broadcasts, as in numpy
            raise ValueError(f"'{op}' needs batches of the same size (or a batch of one), got {len(x)} and {len(y)}")
        with np.errstate(all="ignore"):
            out, dx, dy = fn(x, y, np)
    if type(a) is not Value:
        return _node1(out, b, dy, op, a)
    if type(b) is not Value:
        return _node1(out, a, dx, op, b)
    return _node2(out, a, dx, b, dy, op)


def contributions(node: Value, g) -> list:
    """What backward() adds to each parent's grad when node's grad is g: local_grad * g, one per parent.

    For a batch, a parent holding one number (or a batch of one) gets the sum over the examples, and a weight vector
    gets X.T @ g.
    viz.walkthrough shows these same numbers step by step.
    """
    with np.errstate(all="ignore"):
        if type(node._data) is float:
            return [local * g for local in node.local_grads]
        return _batch_contributions(node, g)


def _batch_contributions(node: Value, g) -> list:
    """contributions() for a batch node; the caller turns numpy's warnings off (IEEE results, quietly)."""
    local_grads = node.local_grads
    if type(g) is float:  # a batch whose users gave it one number (record() with a scalar local derivative)
        g = np.full(len(node._data), g)
    if type(local_grads) is np.ndarray:  # dot with constant features: row i is d(node)/d(weight i) per example
        return (local_grads @ g).tolist()
    out = []
    for parent, local in zip(node.parents, local_grads):
        if type(local) is np.ndarray and local.ndim == 2:  # a weight vector's X.T (dot): one product
            out.append(local @ g)
        else:
            c = local * g
            if type(parent._data) is float:  # a number that met a batch: the sum over the examples
                c = float(np.sum(c))
            elif parent._data.shape != c.shape:  # a batch of one that met a larger one, as numpy broadcast it
                c = np.sum(c, keepdims=True)
            out.append(c)
    return out


def _backward_many(node: Value, g, ready: list[Value]) -> None:
    """backward() for any node: pass on the gradient, then queue the parents now ready (under the caller's
    np.errstate)."""
    parents = node.parents
    if type(node._data) is float:  # contributions() written out: a list per sum or dot node costs W3 ~10 %
        for parent, local in zip(parents, node.local_grads):
            parent.grad += local * g
    else:
        for parent, contribution in zip(parents, _batch_contributions(node, g)):
            parent.grad += contribution
    for parent in parents:
        if parent._p0 is not None:
            parent._pending -= 1
            if not parent._pending:
                ready.append(parent)


def _backward_checked(ready: list[Value]) -> None:
    """backward()'s second pass under detect_anomaly(): the general path for every node, each gradient checked."""
    with np.errstate(all="ignore"):
        while ready:
            node = ready.pop()
            _backward_many(node, node.grad, ready)
            _check_grads(node)


def _check_grads(node: Value) -> None:
    for parent in node.parents:
        if not _finite(parent.grad):
            raise FloatingPointError(f"backward through {_describe(node.op, node.parents)} gave "
                                     f"{parent.label or 'an input'} the gradient {_short(parent.grad)}")


def _describe(op: str, parents: Sequence[Value]) -> str:
    inputs = ", ".join(f"{p.label or '?'}={_short(p._data)}" for p in parents)
    return f"operation '{op}' on ({inputs})"


def _as_data(x, where: str) -> float | np.ndarray:
    """A Value's data from x, or a clear error; a Value is refused rather than nested."""
    if isinstance(x, Value):
        raise TypeError(f"{where} got a Value where a number belongs: use the Value itself, or its .data")
    return as_number(x, where)
