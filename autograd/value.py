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
(the course's vectorization). A number that meets a batch receives the sum of its gradients over the examples.
Batches follow numpy's rules, including its RuntimeWarning on overflow in + - * (the results are still IEEE's).
"""

from __future__ import annotations

import math
from decimal import Decimal
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Union

import numpy as np

from . import _floatmath, ops
from .modes import mode

Number = Union[float, int, np.ndarray]
_ONE, _MINUS_ONE, _ONE_ONE, _ONE_MINUS_ONE = (1.0,), (-1.0,), (1.0, 1.0), (1.0, -1.0)


class Value:
    """A number (or a batch of numbers) in the graph, with the gradient dRoot/dThis that backward() leaves.

    data         the forward value: a float, or a 1-D float numpy array over a batch
    grad         d(root)/d(this) after root.backward(); leaves accumulate it across calls
    label        a name for drawings and messages ("a", "J"), "" if none
    op           the operation that made it ("+", "*", "exp", "sum", ...), "" for a leaf; an op whose constant
                 stands on the left starts with "r": "r-" with const 2 is 2 - x
    const        the Python number folded into the op (3 in 3*v), else None
    parents      the Values it was computed from, in order, repeats kept (a*a has (a, a))
    local_grads  d(this)/d(parent), one per parent
    """

    __slots__ = ("data", "grad", "label", "op", "const", "parents", "local_grads", "_pending")
    __array_ufunc__ = None  # numpy defers to us: ndarray * Value calls Value.__rmul__, not an elementwise loop

    def __init__(self, data: Number, label: str = "") -> None:
        if type(label) is not str:
            raise TypeError(f"label must be a str, got {type(label).__name__}")
        self.data = data if type(data) is float else _as_number(data, "Value()")
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.const = None
        self.parents = ()
        self.local_grads = ()
        self._pending = 0  # consumers still to visit, used only inside backward_order()

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={_short(self.data)}, grad={_short(self.grad)}{label})"

    # Arithmetic: +, - and * are written out for speed; the rest take their math from ops.py.
    def __add__(self, other: Value | Number) -> Value:
        if type(other) is Value:
            return _node(self.data + other.data, (self, other), _ONE_ONE, "+")
        c = _as_const(other)
        return _node(self.data + c, (self,), _ONE, "+", c)

    def __radd__(self, other: Number) -> Value:
        c = _as_const(other)
        return _node(c + self.data, (self,), _ONE, "r+", c)

    def __sub__(self, other: Value | Number) -> Value:
        if type(other) is Value:
            return _node(self.data - other.data, (self, other), _ONE_MINUS_ONE, "-")
        c = _as_const(other)
        return _node(self.data - c, (self,), _ONE, "-", c)

    def __rsub__(self, other: Number) -> Value:
        c = _as_const(other)
        return _node(c - self.data, (self,), _MINUS_ONE, "r-", c)

    def __mul__(self, other: Value | Number) -> Value:
        if type(other) is Value:
            a, b = self.data, other.data
            return _node(a * b, (self, other), (b, a), "*")
        c = _as_const(other)
        return _node(self.data * c, (self,), (c,), "*", c)

    def __rmul__(self, other: Number) -> Value:
        c = _as_const(other)
        return _node(c * self.data, (self,), (c,), "r*", c)

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
        return _node(-self.data, (self,), _MINUS_ONE, "neg")

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
        x = self.data
        if type(x) is float:
            return _node(x, (self,), _ONE, "mean")
        m = len(x)
        with np.errstate(all="ignore"):
            return _node(float(x.mean()), (self,), (np.full(m, 1.0 / m),), "mean")

    def _unary(self, fn: Callable, op: str) -> Value:
        x = self.data
        if type(x) is float:
            y, dy = fn(x, _floatmath)
        else:
            with np.errstate(all="ignore"):
                y, dy = fn(x, np)
        return _node(y, (self,), (dy,), op)

    def backward(self) -> None:
        """Set every node's grad to d(self)/d(node) by the chain rule (leaves add to what they had)."""
        if type(self.data) is not float:
            raise ValueError(f"backward() needs a single number, but this Value holds a batch of {len(self.data)}:"
                             " reduce it first, e.g. cost = loss.mean()")
        order = backward_order(self)
        for node in order:
            node.grad = 0.0  # intermediate grads are recomputed from zero on every call
        if order:
            self.grad = 1.0
        else:
            self.grad += 1.0  # a leaf as root: dx/dx = 1, accumulated like any leaf gradient
        check = mode.anomaly
        for node in order:
            g = node.grad
            if type(node.data) is float:
                for parent, local in zip(node.parents, node.local_grads):
                    parent.grad += local * g
            else:
                with np.errstate(all="ignore"):
                    _backward_batch(node, g)
            if check:
                _check_grads(node)


def backward_order(root: Value) -> list[Value]:
    """The non-leaf nodes under root in the order backward() visits them: each after every node that uses it.

    Kahn's algorithm with explicit stacks (no recursion, so any depth works). While it runs, each node keeps its
    count of unvisited users in `_pending`; do not run it concurrently on one graph from two threads.
    """
    found = [root] if root.parents else []
    stack = found[:]
    order: list[Value] = []
    try:
        while stack:
            for parent in stack.pop().parents:
                if parent.parents:
                    if not parent._pending:
                        found.append(parent)
                        stack.append(parent)
                    parent._pending += 1
        ready = found[:1]
        while ready:
            node = ready.pop()
            order.append(node)
            for parent in node.parents:
                if parent.parents:
                    parent._pending -= 1
                    if not parent._pending:
                        ready.append(parent)
    except BaseException:
        for node in found:
            node._pending = 0
        raise
    return order


def sum(values: Iterable[Value | Number]) -> Value:  # noqa: A001 - autograd.sum, as numpy.sum
    """v_1 + ... + v_n as one node (the course's for-loop sum); numbers among them fold into one constant."""
    parents, total, const = [], 0.0, None
    for v in values:
        if type(v) is Value:
            parents.append(v)
            total = total + v.data
        else:
            const = _as_const(v) if const is None else const + _as_const(v)
    if const is not None:
        total = total + const
    if not parents:
        return Value(total)
    return _node(total, tuple(parents), (1.0,) * len(parents), "sum", const)


def dot(weights: Sequence[Value | float], xs: Sequence[Value | float] | np.ndarray) -> Value:
    """w_1 x_1 + ... + w_n x_n as one node, with 2n parents at most (numbers are constants).

    xs may also be a 2-D numpy array of constant features, one row per example, shape (m, n): the result is a
    batch of m numbers, and backward() gets all the weights' gradients from one matrix product.
    """
    if isinstance(xs, np.ndarray) and xs.ndim == 2:
        return _dot_batch(weights, xs)
    weights, xs = _as_sequence(weights), _as_sequence(xs)
    if len(weights) != len(xs):
        raise ValueError(f"dot needs one weight per input: got {len(weights)} weights and {len(xs)} inputs")
    parents, local_grads, total = [], [], 0.0
    for w, x in zip(weights, xs):
        wd = w.data if type(w) is Value else _as_const(w)
        xd = x.data if type(x) is Value else _as_const(x)
        total = total + wd * xd
        if type(w) is Value:
            parents.append(w)
            local_grads.append(xd)
        if type(x) is Value:
            parents.append(x)
            local_grads.append(wd)
    if not parents:
        return Value(total)
    return _node(total, tuple(parents), tuple(local_grads), "dot")


def record(data: Number, parents: Sequence[Value], local_grads: Sequence[Number], op: str) -> Value:
    """A new operation's node, from its value and its local derivatives (one per parent): a custom op in one call.

    Example, a cube: `record(x.data ** 3, [x], [3 * x.data ** 2], "cube")`.
    """
    if not all(type(p) is Value for p in parents):
        raise TypeError("record(): every parent must be a Value")
    if len(parents) != len(local_grads):
        raise ValueError(f"record(): {len(parents)} parents but {len(local_grads)} local gradients; give one each")
    data = _as_number(data, "record()")
    return _node(data, tuple(parents), tuple(_as_const(g) for g in local_grads), str(op))


_new = object.__new__


def _node(data, parents, local_grads, op, const=None) -> Value:
    """The result of an operation: a Value remembering its parents and local derivatives (without validation)."""
    node = _new(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    node.op = op
    node.const = const
    node._pending = 0
    if mode.plain:
        node.parents = parents
        node.local_grads = local_grads
    else:
        _record_in_mode(node, parents, local_grads)
    return node


def _record_in_mode(node: Value, parents: tuple, local_grads: tuple) -> None:
    if mode.anomaly and not _finite(node.data):
        raise FloatingPointError(f"{_describe(node.op, parents)} produced {_short(node.data)}")
    if mode.recording:
        node.parents, node.local_grads = parents, local_grads
    else:  # no_grad(): the result is a constant
        node.parents = node.local_grads = ()
        node.op, node.const = "", None


def _binary(fn: Callable, a, b, op: str) -> Value:
    """Apply ops.fn to a and b (each a Value or a constant); the Values become the parents."""
    x = a.data if type(a) is Value else a
    y = b.data if type(b) is Value else b
    if type(x) is float and type(y) is float:
        out, dx, dy = fn(x, y, _floatmath)
    else:
        if isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.shape != y.shape:
            raise ValueError(f"'{op}' needs batches of the same size, got {len(x)} and {len(y)}")
        with np.errstate(all="ignore"):
            out, dx, dy = fn(x, y, np)
    if type(a) is not Value:
        return _node(out, (b,), (dy,), op, a)
    if type(b) is not Value:
        return _node(out, (a,), (dx,), op, b)
    return _node(out, (a, b), (dx, dy), op)


def _backward_batch(node: Value, g: np.ndarray) -> None:
    """backward() for a node holding a batch: numbers among its parents get the gradient summed over examples."""
    local_grads = node.local_grads
    if type(local_grads) is np.ndarray:  # dot with constant features: row i is d(node)/d(weight i) per example
        for parent, total in zip(node.parents, (local_grads @ g).tolist()):
            parent.grad += total
        return
    for parent, local in zip(node.parents, local_grads):
        contribution = local * g
        if type(parent.data) is float:
            contribution = float(contribution.sum())
        parent.grad += contribution


def _dot_batch(weights: Sequence[Value | float], X: np.ndarray) -> Value:
    """dot() of n weights with a constant (m, n) feature matrix: a batch of m sums."""
    if X.dtype.kind not in "biuf":
        raise TypeError(f"dot(): features must be real numbers, got an array of {X.dtype}")
    m, n = X.shape
    if len(weights) != n:
        raise ValueError(f"dot(): {len(weights)} weights for {n} features per example (X has shape {X.shape})")
    if m == 0:
        raise ValueError("dot(): a batch needs at least one example; got an empty array")
    data = [w.data if type(w) is Value else None for w in weights]
    if not all(type(d) is float for d in data):  # numbers or batches among the weights: the general path
        return dot(weights, list(X.T))
    X = np.asarray(X, dtype=np.float64)
    with np.errstate(all="ignore"):
        out = X @ np.array(data)
    return _node(out, tuple(weights), X.T, "dot")


def _check_grads(node: Value) -> None:
    for parent in node.parents:
        if not _finite(parent.grad):
            raise FloatingPointError(f"backward through {_describe(node.op, node.parents)} gave "
                                     f"{parent.label or 'an input'} the gradient {_short(parent.grad)}")


def _describe(op: str, parents: Sequence[Value]) -> str:
    inputs = ", ".join(f"{p.label or '?'}={_short(p.data)}" for p in parents)
    return f"operation '{op}' on ({inputs})"


def _finite(x) -> bool:
    return math.isfinite(x) if type(x) is float else bool(np.isfinite(x).all())


def _short(x) -> str:
    if type(x) is float:
        return repr(x)
    return np.array2string(np.asarray(x), threshold=6, precision=6)


def _as_sequence(xs) -> list:
    if isinstance(xs, np.ndarray):
        if xs.ndim != 1:
            raise ValueError(f"dot(): expected a 1-D array of numbers here, got shape {xs.shape}")
        return _as_number(xs, "dot()").tolist()
    return list(xs)


def _as_const(x) -> float | np.ndarray:
    """A Python number (or numpy batch) used in an operation: a constant, checked and made float."""
    if type(x) is float:
        return x
    if type(x) is int and x.bit_length() < 1000:  # the common 3 in 3*v, without the slower checks
        return float(x)
    return _as_number(x, "an operation on a Value")


def _as_number(x, where: str) -> float | np.ndarray:
    """x as a float, or as a 1-D float64 array for a batch; a clear TypeError or ValueError for anything else."""
    if isinstance(x, Value):
        raise TypeError(f"{where} got a Value where a number belongs: use the Value itself, or its .data")
    if isinstance(x, (numbers.Real, np.bool_, Decimal)):
        try:
            return float(x)
        except OverflowError:  # an int beyond float range: IEEE rounds it to inf
            return math.inf if x > 0 else -math.inf
    if isinstance(x, np.ndarray):
        if x.ndim == 0:
            return _as_number(x.item(), where)
        if x.dtype.kind not in "biuf":
            raise TypeError(f"{where} needs real numbers, got an array of {x.dtype}")
        if x.ndim != 1 or len(x) == 0:
            raise ValueError(f"{where} takes a batch as a 1-D array with one number per example, got shape {x.shape}")
        return np.array(x, dtype=np.float64)  # a copy: the graph must not change when the caller's array does
    raise TypeError(f"{where} needs a real number (or a 1-D numpy array for a batch), "
                    f"got {type(x).__name__} {x!r:.40}")
