"""Value: a number in a computation graph, and its operators.

The course's graph J = 3(a + bc):

    a, b, c = Value(5.0, label="a"), Value(3.0, label="b"), Value(2.0, label="c")
    u = b * c        # u.parents == (b, c); u.local_grads == (du/db, du/dc) == (2.0, 3.0)
    v = a + u
    J = 3 * v        # the 3 is a constant: folded into the node (J.const == 3.0), never a node itself
    J.backward()     # a.grad == 3.0, b.grad == dJ/dv * dv/du * du/db == 6.0, c.grad == 9.0

Each operation computes its value and its local derivatives at once (the calculus lives in ops.py); backward.py
runs the chain rule over the graph.

`data` may also be a numpy array of any shape: a batch of examples (the course's vectorization), a weight vector,
or a matrix such as the course's W[l] of shape (n_l, n_{l-1}). Operations broadcast as numpy does, and a gradient
comes back summed to its parent's shape (broadcast.py). `A @ B` is one node, and so are `x.sum()` and `x.mean()`.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

import numpy as np

from . import _floatmath, backward as _backward, modes, ops
from ._ieee import quiet_off, quiet_on
from ._numbers import FLOAT64, Number, as_const as _as_const, as_number, finite as _finite, short as _short
from .backward import MANY as _MANY, describe as _describe
from .broadcast import mismatch as _mismatch
from .modes import mode


class Value:
    """A number (or an array of numbers) in the graph, with the gradient dRoot/dThis that backward() leaves.

    data         the forward value: a float, or a float64 numpy array of any shape. An array is read-only, a
                 leaf's and every operation's, so that a graph's gradients cannot change behind its back: assign a
                 new one (w.data = w.data - lr * g). What is assigned is checked as in Value(), and a caller's array
                 copied, unless it is already read-only and owns its numbers (an optimizer's new weights): that one
                 is taken as it is, and must stay read-only.
    grad         d(root)/d(this) after root.backward(), of data's shape; leaves accumulate it across calls (an array
                 grad in place, as PyTorch does: copy it if you keep it). A node that is not a leaf may share its
                 grad array with a user's (W @ A shares Z's in Z = W @ A + b): read it, do not change it
    label        a name for drawings and messages ("a", "J"), "" if none
    op           the operation that made it ("+", "*", "exp", "@", "sum", ...), "" for a leaf; an op whose constant
                 stands on the left starts with "r": "r-" with const 2 is 2 - x
    const        the Python number (or array) folded into the op (3 in 3*v), else None; a float64 array is used
                 as it is, not copied (X in W @ X may be large): do not change it before backward()
    parents      the Values it was computed from, in order, repeats kept (a*a has (a, a))
    local_grads  d(this)/d(parent), one per parent: a number, an array (elementwise), or an ops.LinearMap
    """

    # Storage: a node keeps its first two parents inline, _p0 and _p1 (None where there is none), with their local
    # derivatives _g0 and _g1. A node with more (sum, dot), or whose local derivatives are not all floats, keeps
    # them in _p0 and _g0 (a tuple of floats, or a list), and _p1 is MANY. Why not two tuples per node: each would
    # be one more object for Python's garbage collector to track, and on large graphs the collector would then take
    # more time than the chain rule itself. _pending and _stamp are backward()'s bookkeeping.
    __slots__ = ("_data", "grad", "label", "op", "const", "_p0", "_g0", "_p1", "_g1", "_pending", "_stamp")
    __array_ufunc__ = None  # numpy defers to us: ndarray * Value calls Value.__rmul__, not an elementwise loop

    def __init__(self, data: Number, label: str = "") -> None:
        if type(label) is not str:
            raise TypeError(f"label must be a str, got {type(label).__name__}")
        self._data = data if type(data) is float else _as_data(data, "Value()")
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.const = None
        self._p0 = self._p1 = None  # a leaf: backward() never counts or stamps it

    def _set_data(self, value: Number) -> None:
        # checked as in Value(): an int or numpy scalar stored as it is would make the next operation or backward()
        # take it for an array
        if value is not self._data:
            self._data = value if type(value) is float else _as_data(value, "Value.data")

    # read by a C function, not a Python one: 44 ns a read instead of 58, read a dozen times a training step
    data = property(attrgetter("_data"), _set_data, doc="The forward value: a float, or a read-only float64 numpy "
                    "array.")

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of data: () for a number, as numpy's."""
        return () if type(self._data) is float else self._data.shape

    @property
    def ndim(self) -> int:
        """The number of axes: 0 for a number, as numpy's."""
        return 0 if type(self._data) is float else self._data.ndim

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Values this one was computed from, in order, repeats kept."""
        p0, p1 = self._p0, self._p1
        if p1 is None:
            return () if p0 is None else (p0,)
        return p0 if p1 is _MANY else (p0, p1)

    @property
    def local_grads(self) -> tuple:
        """d(this)/d(parent), one per parent (for dot with a feature matrix X, the matrix X.T, a row per parent)."""
        p0, p1 = self._p0, self._p1
        if p1 is None:
            return () if p0 is None else (self._g0,)
        if p1 is _MANY:
            return self._g0 if type(self._g0) is not list else tuple(self._g0)
        return self._g0, self._g1

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={_short(self._data)}, grad={_short(self.grad)}{label})"

    # Comparisons compare the data, as numpy's and PyTorch's do (a bool, or an array of them), and record nothing:
    # no gradient flows through a comparison. == and != are not among them: they stay identity, so that a Value
    # can be a dict key or found in a list; compare v.data for numbers.
    def __lt__(self, other: Value | Number):
        return self._data < (other._data if type(other) is Value else other)

    def __le__(self, other: Value | Number):
        return self._data <= (other._data if type(other) is Value else other)

    def __gt__(self, other: Value | Number):
        return self._data > (other._data if type(other) is Value else other)

    def __ge__(self, other: Value | Number):
        return self._data >= (other._data if type(other) is Value else other)

    # Arithmetic: +, - and * are written out for speed; the rest take their math from ops.py.
    # Value + Value and Value * Value, most of the nodes of a network, even build their node here: calling _node2
    # instead costs 8% of a training step of micrograd's demo MLP (measured).
    def __add__(self, other: Value | Number) -> Value:
        if type(other) is Value:
            try:
                data = self._data + other._data
            except ValueError:
                raise _mismatch("+", self._data, other._data) from None
            if modes.active:
                return _node2(data, self, 1.0, other, 1.0, "+")
            node = _new(Value)
            node._data = data
            if type(data) is not float:
                data.setflags(False)  # read-only, as a leaf's: see Value.data
            node.grad = 0.0
            node.label = ""
            node.op = "+"
            node.const = None
            node._stamp = None
            node._p0 = self
            node._g0 = 1.0
            node._p1 = other
            node._g1 = 1.0
            return node
        c = _as_const(other)
        try:
            return _node1(self._data + c, self, 1.0, "+", c)
        except ValueError:
            raise _mismatch("+", self._data, c) from None

    def __radd__(self, other: Number) -> Value:
        c = _as_const(other)
        try:
            return _node1(c + self._data, self, 1.0, "r+", c)
        except ValueError:
            raise _mismatch("+", c, self._data) from None

    def __sub__(self, other: Value | Number) -> Value:
        if type(other) is Value:
            try:
                return _node2(self._data - other._data, self, 1.0, other, -1.0, "-")
            except ValueError:
                raise _mismatch("-", self._data, other._data) from None
        c = _as_const(other)
        try:
            return _node1(self._data - c, self, 1.0, "-", c)
        except ValueError:
            raise _mismatch("-", self._data, c) from None

    def __rsub__(self, other: Number) -> Value:
        c = _as_const(other)
        try:
            return _node1(c - self._data, self, -1.0, "r-", c)
        except ValueError:
            raise _mismatch("-", c, self._data) from None

    def __mul__(self, other: Value | Number) -> Value:
        if type(other) is Value:
            a, b = self._data, other._data
            try:
                data = a * b
            except ValueError:
                raise _mismatch("*", a, b) from None
            if modes.active:
                return _node2(data, self, b, other, a, "*")
            node = _new(Value)
            node._data = data
            if type(data) is not float:
                data.setflags(False)  # read-only, as a leaf's: see Value.data
            node.grad = 0.0
            node.label = ""
            node.op = "*"
            node.const = None
            node._stamp = None
            node._p0 = self
            node._g0 = b
            node._p1 = other
            node._g1 = a
            return node
        c = _as_const(other)
        try:
            return _node1(self._data * c, self, c, "*", c)
        except ValueError:
            raise _mismatch("*", self._data, c) from None

    def __rmul__(self, other: Number) -> Value:
        c = _as_const(other)
        try:
            return _node1(c * self._data, self, c, "r*", c)
        except ValueError:
            raise _mismatch("*", c, self._data) from None

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

    def __matmul__(self, other: Value | np.ndarray) -> Value:
        """The matrix product self @ other, one node (the course's W @ A)."""
        return _matmul(self, other if type(other) is Value else _as_const(other))

    def __rmatmul__(self, other: np.ndarray) -> Value:
        return _matmul(_as_const(other), self)

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

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        """The sum over axis (all by default) as one node, as numpy.sum; a number is its own sum."""
        return self._reduce("sum", axis, keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        """The mean over axis (all by default) as one node, as numpy.mean: J = L.mean() is the course's cost."""
        return self._reduce("mean", axis, keepdims)

    @property
    def T(self) -> Value:  # noqa: N802 - numpy's name
        """The transpose (a number or a 1-D array is its own)."""
        x = self._data
        if type(x) is float or x.ndim < 2:
            return _node1(x, self, 1.0, "T")
        y, local = ops.transpose(x)
        return _node(y, (self,), [local], "T")

    def transpose(self, axes: None = None) -> Value:
        """The transpose, as .T (numpy's np.transpose(v) calls this)."""
        if axes is not None:
            raise ValueError("transpose(): only the full transpose (axes=None) is supported; it is v.T")
        return self.T

    def reshape(self, *shape: int | tuple[int, ...], order: str = "C") -> Value:
        """The same numbers in a new shape, one node, as numpy's reshape (one axis may be -1; row-major order)."""
        if order != "C":
            raise ValueError(f"reshape(): only order='C' (row by row) is supported, got {order!r}")
        if len(shape) == 1 and isinstance(shape[0], tuple):
            shape = shape[0]
        x = self._data
        try:
            y, local = ops.reshape(np.asarray(x), shape)
        except (ValueError, TypeError):
            raise ValueError(f"reshape{shape!r}: cannot give a Value of shape {_shape(x)} ({np.size(x)} numbers) "
                             f"that shape") from None
        if not y.ndim:  # one number: its gradient goes back as an array of the parent's shape, through local
            return _node(float(y), (self,), [local], "reshape")
        return _node(y, (self,), [local], "reshape")

    backward = _backward.backward  # the method: root.backward(), one call less than a method calling it

    def __reduce__(self):
        from ._copies import reduce
        return reduce(self)

    def __deepcopy__(self, memo: dict) -> Value:
        from ._copies import deepcopy
        return deepcopy(self, memo)

    def _unary(self, fn: Callable, op: str) -> Value:
        x = self._data
        if type(x) is float:
            y, dy = fn(x, _floatmath)
        else:
            token = quiet_on()
            try:
                y, dy = fn(x, np)
            finally:
                quiet_off(token)
        return _node1(y, self, dy, op)

    def _reduce(self, op: str, axis, keepdims: bool) -> Value:
        x = self._data
        if type(x) is float:
            if axis not in (None, ()):
                raise ValueError(f"{op}(axis={axis!r}): this Value holds a single number, which has no axes")
            return _node1(x, self, 1.0, op)
        token = quiet_on()
        try:
            y, local = ops.reduce_sum(x, axis, bool(keepdims), op == "mean")
        except (ValueError, IndexError, TypeError, OverflowError):  # AxisError is both of the first two; an
            # axis beyond a C long overflows
            raise ValueError(f"{op}(axis={axis!r}) on a Value of shape {x.shape}: axis must be None, an int or a "
                             f"tuple of ints, each from {-x.ndim} to {x.ndim - 1}") from None
        finally:
            quiet_off(token)
        return _node(y, (self,), [local], op)


_new = object.__new__

# _node1, _node2 and _node (and Value.__add__ and __mul__) repeat the same field assignments on purpose: every
# operation runs one of them, and a shared helper would add a Python call (about 15% of an operation's cost) to each.


def _node1(data, parent: Value, local, op: str, const=None) -> Value:
    """The result of a one-parent operation: an array, or a float with a float local derivative."""
    node = _new(Value)
    node._data = data
    if type(data) is not float:
        data.setflags(False)  # read-only, as a leaf's: see Value.data
    node.grad = 0.0
    node.label = ""
    node.op = op
    node.const = const
    node._stamp = None
    if modes.active:
        _link_in_mode(node, (parent,), (local,))
    else:
        node._p0 = parent  # one statement each: faster than a tuple assignment of this many
        node._g0 = local
        node._p1 = None
    return node


def _node2(data, p0: Value, g0, p1: Value, g1, op: str) -> Value:
    """The result of a two-parent operation: an array, or a float with float local derivatives."""
    node = _new(Value)
    node._data = data
    if type(data) is not float:
        data.setflags(False)  # read-only, as a leaf's: see Value.data
    node.grad = 0.0
    node.label = ""
    node.op = op
    node.const = None
    node._stamp = None
    if modes.active:
        _link_in_mode(node, (p0, p1), (g0, g1))
    else:
        node._p0 = p0
        node._g0 = g0
        node._p1 = p1
        node._g1 = g1
    return node


def _node(data, parents: tuple, local_grads, op: str, const=None) -> Value:
    """The result of an operation with any number of parents and any kind of local derivatives."""
    node = _new(Value)
    node._data = data
    if type(data) is not float:
        data.setflags(False)  # read-only, as a leaf's: see Value.data
    node.grad = 0.0
    node.label = ""
    node.op = op
    node.const = const
    node._stamp = None
    if modes.active:
        _link_in_mode(node, parents, local_grads)
    elif type(local_grads) is list and parents:  # _link's first case, written out: a call less for each layer
        node._p0, node._g0, node._p1 = parents, local_grads, _MANY
    else:
        _link(node, parents, local_grads)
    return node


def _link(node: Value, parents: tuple, local_grads) -> None:
    """Store parents and local derivatives in the node's slots (see Value).

    backward()'s inline path takes one or two float local derivatives; anything else (arrays, linear maps, many
    parents) is stored for its general path: a tuple of floats, a list of anything else, or dot's matrix X.T.
    """
    if not parents:
        node._p0 = node._p1 = None
        return
    if type(local_grads) is list:  # arrays or linear maps, in a list of the caller's own: kept as it is
        node._p0, node._g0, node._p1 = parents, local_grads, _MANY
        return
    floats = type(local_grads) is tuple and set(map(type, local_grads)) <= {float}
    if len(parents) <= 2 and floats:
        node._p0, node._g0, node._p1 = parents[0], local_grads[0], None
        if len(parents) == 2:
            node._p1, node._g1 = parents[1], local_grads[1]
    else:
        many = local_grads if floats or type(local_grads) is np.ndarray else list(local_grads)
        node._p0, node._g0, node._p1 = tuple(parents), many, _MANY


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
        try:
            np.broadcast_shapes(np.shape(x), np.shape(y))
        except ValueError:
            raise _mismatch(op, x, y) from None
        token = quiet_on()
        try:
            out, dx, dy = fn(x, y, np)
        finally:
            quiet_off(token)
    if type(a) is not Value:
        return _node1(out, b, dy, op, a)
    if type(b) is not Value:
        return _node1(out, a, dx, op, b)
    return _node2(out, a, dx, b, dy, op)


def _matmul(a, b) -> Value:
    """a @ b, one node; a and b are Values or constant arrays, each 1-D or 2-D, with matching inner sizes."""
    x = a._data if type(a) is Value else a
    y = b._data if type(b) is Value else b
    _check_matmul(x, y, "'@'")
    token = quiet_on()
    try:
        out, dx, dy = ops.matmul(x, y)
    finally:
        quiet_off(token)
    out = out if out.ndim else float(out)
    if type(a) is not Value:
        return _node(out, (b,), [dy], "r@", a)
    if type(b) is not Value:
        return _node(out, (a,), [dx], "@", b)
    return _node(out, (a, b), [dx, dy], "@")


def _check_matmul(x, y, what: str) -> None:
    """Our ValueError, naming both shapes, unless x @ y multiplies vectors or matrices with matching inner sizes."""
    if type(x) is float or type(y) is float or x.ndim > 2 or y.ndim > 2 or x.shape[-1] != y.shape[0]:
        raise ValueError(f"{what} needs a vector or matrix on each side, with the columns of the left equal to the "
                         f"rows of the right; got shapes {_shape(x)} and {_shape(y)} (use * to scale by a number)")


def _shape(x) -> str:
    return "a number" if type(x) is float else str(x.shape)


def _as_data(x, where: str) -> float | np.ndarray:
    """A Value's data from x, or a clear error; a Value is refused rather than nested. An array is made read-only."""
    if type(x) is np.ndarray and x.size and x.ndim and x.dtype is FLOAT64 and not x.flags.writeable \
            and x.base is None:  # read-only and its own (an optimizer's new weights): taken as it is, no copy
        return x
    if isinstance(x, Value):
        raise TypeError(f"{where} got a Value where a number belongs: use the Value itself, or its .data")
    data = as_number(x, where)
    if type(data) is not float:
        data.flags.writeable = False
    return data
