"""Operations of many inputs, each one node however many: sum, dot, affine (a layer's W @ A + b), and record (an
operation of your own)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter

import numpy as np

from . import ops
from ._ieee import quiet_off, quiet_on
from ._numbers import Number, as_const as _as_const, as_number
from .broadcast import mismatch, shape_text, spreads_over
from .value import Value, _as_data, _check_matmul, _node

_data_of = attrgetter("_data")


def sum(values: Iterable[Value | Number]) -> Value:  # noqa: A001 - autograd.sum, as numpy.sum
    """v_1 + ... + v_n as one node (the course's for-loop sum); numbers among them fold into one constant."""
    parents, total, const = [], 0.0, None
    for v in values:
        if type(v) is Value:
            parents.append(v)
            total = _add(total, v._data, "sum") if type(total) is not float else total + v._data
        else:
            const = _as_const(v) if const is None else _add(const, _as_const(v), "sum")
    if const is not None:
        total = _add(total, const, "sum")
    if not parents:
        return Value(total)
    return _node(total, tuple(parents), (1.0,) * len(parents), "sum", const)


def dot(weights: Value | Sequence[Value | float], xs: Sequence[Value | float] | np.ndarray) -> Value:
    """w_1 x_1 + ... + w_n x_n as one node, with 2n parents at most (numbers are constants).

    xs may also be a 2-D numpy array of constant features, one row per example, shape (m, n): the result is a
    batch of m numbers, and backward() gets all the weights' gradients from one matrix product.

    weights may also be a single Value holding a vector of n numbers (the course's w): a node of one parent, whose
    grad backward() leaves as a vector. Its features must then be constants, one example or a matrix X.

    A feature matrix X is used as it is, not copied (it may be large): do not change it before backward().
    """
    if type(weights) is Value:
        return _dot_vector(weights, xs)
    if isinstance(xs, np.ndarray) and xs.ndim == 2:
        return _dot_batch(weights, xs)
    weights, xs = _as_sequence(weights), _as_sequence(xs)
    if len(weights) != len(xs):
        raise ValueError(f"dot needs one weight per input: got {len(weights)} weights and {len(xs)} inputs")
    parents, local_grads, total = [], [], 0.0
    for w, x in zip(weights, xs):
        wd = w._data if type(w) is Value else _as_const(w)
        xd = x._data if type(x) is Value else _as_const(x)
        if type(wd) is float and type(xd) is float and type(total) is float:
            total = total + wd * xd
        else:
            total = _add(total, _add(wd, xd, "dot", times=True), "dot")
        if type(w) is Value:
            parents.append(w)
            local_grads.append(xd)
        if type(x) is Value:
            parents.append(x)
            local_grads.append(wd)
    if not parents:
        return Value(total)
    return _node(total, tuple(parents), tuple(local_grads), "dot")


def affine(W: Value, A: Value | np.ndarray, b: Value) -> Value:
    """W @ A + b as one node: the course's layer Z = W A + b, one box in its pictures, as nn's matrix layers build it
    (written out, W @ A + b is two nodes, as numpy computes it: the same numbers).

    W and b are Values, a layer's weights and bias; A is a Value or a constant array, such as the inputs X (used as
    it is, not copied: do not change it before backward()). b broadcasts over W @ A as numpy's + does, without
    enlarging it: the course's b of shape (n, 1) is added to each of the m examples, and its gradient is summed
    over them. Bad shapes raise ValueError naming them, before anything is made.
    """
    if type(W) is not Value or type(b) is not Value:
        name, v = ("W", W) if type(W) is not Value else ("b", b)
        raise TypeError(f"affine(): {name} must be a Value (a parameter of the layer), got {type(v).__name__}")
    x, y, c = W._data, (A._data if type(A) is Value else _as_const(A)), b._data
    if type(x) is float or type(y) is float or not _affine_fits(x.shape, y.shape, getattr(c, "shape", ())):
        _affine_refuse(x, y, c)
    token = quiet_on()
    try:
        z, dw, da, db = ops.affine(x, y, c)
    finally:
        quiet_off(token)
    z = z if z.ndim else float(z)
    if type(A) is Value:
        return _node(z, (W, A, b), [dw, da, db], "affine")
    return _node(z, (W, b), [dw, db], "affine", y)


@functools.lru_cache(maxsize=256)  # a network checks the same few shapes every step (flower: -1 us a step)
def _affine_fits(w_shape: tuple, a_shape: tuple, b_shape: tuple) -> bool:
    """Whether W @ A multiplies vectors or matrices and b broadcasts over the product without enlarging it."""
    if len(w_shape) > 2 or len(a_shape) > 2 or w_shape[-1] != a_shape[0]:
        return False
    shape = w_shape[:-1] + a_shape[1:]
    return b_shape == shape or spreads_over(b_shape, shape)


def _affine_refuse(x, y, c) -> None:
    """Raise affine()'s error for data x, y and c that _affine_fits refuses, naming the shapes."""
    _check_matmul(x, y, "affine(): W @ A")
    shape = x.shape[:-1] + y.shape[1:]
    if not shape:
        raise ValueError(f"affine(): W @ A is a number, so b must be one; got shape {shape_text(c)}")
    hint = f": the course's b has shape ({shape[0]}, 1)" if len(shape) == 2 else ""
    raise ValueError(f"affine(): b of shape {shape_text(c)} does not broadcast over W @ A of shape {shape} (each "
                     f"axis of b the same size or 1, and no more axes){hint}")


def record(data: Number, parents: Sequence[Value], local_grads: Sequence[Number], op: str,
           local_grads_rule: Callable[..., Sequence] | None = None) -> Value:
    """A new operation's node, from its value and its local derivatives (one per parent): a custom op in one call.

    Example, a cube: `record(x.data ** 3, [x], [3 * x.data ** 2], "cube")`. Local derivatives are elementwise:
    backward() gives a parent local * g, g being the node's gradient, summed back to the parent's shape, so the
    shapes of data, each parent and its local derivative must broadcast together (a number fits any). A number
    over an array parent means the same derivative for each of its entries: d(sum of x)/dx_i = 1.

    Second derivatives (backward(create_graph=True)) need the local derivatives as Values: local_grads_rule is a
    function of the parents that builds them with Value operations, the same numbers as local_grads, e.g.
    `lambda x: [3 * x * x]` for the cube. Without it, create_graph raises ValueError naming the operation.
    """
    parents, local_grads = tuple(parents), list(local_grads)
    for parent in parents:
        if type(parent) is not Value:
            raise TypeError("record(): every parent must be a Value")
    if len(parents) != len(local_grads):
        raise ValueError(f"record(): {len(parents)} parents but {len(local_grads)} local gradients; give one each")
    if local_grads_rule is not None and not callable(local_grads_rule):
        raise TypeError(f"record(): local_grads_rule must be a function of the parents, got "
                        f"{type(local_grads_rule).__name__}")
    data = _as_data(data, "record()")
    data_shape = getattr(data, "shape", ())  # a float's is (); np.shape is a slower Python wrapper
    for i, parent in enumerate(parents):
        local = local_grads[i] = _as_const(local_grads[i])
        parent_shape, local_shape = getattr(parent._data, "shape", ()), getattr(local, "shape", ())
        if parent_shape == local_shape == data_shape:  # the common case (numpy's check: 2 us)
            continue
        try:
            shape = np.broadcast_shapes(data_shape, parent_shape, local_shape)
        except ValueError:
            raise ValueError(f"record(): the node of shape {shape_text(data)}, its parent {i} of shape "
                             f"{shape_text(parent._data)} and that parent's local derivative of shape "
                             f"{shape_text(local)} do not broadcast together") from None
        if type(data) is float and type(local) is float and type(parent._data) is not float:
            local_grads[i] = np.full(shape, local)  # a number node's general path then fits it to the parent
    # a list of local derivatives: the general node layout (see Value), which has room for the rule, in _g1
    node = _node(data, parents, local_grads, str(op))
    if node._p0 is not None:  # recorded (not in no_grad())
        node._g1 = local_grads_rule
    return node


def _dot_batch(weights: Sequence[Value | float], X: np.ndarray) -> Value:
    """dot() of n weights with a constant (m, n) feature matrix: a batch of m sums."""
    if X.dtype.kind not in "biuf":
        raise TypeError(f"dot(): features must be real numbers, got an array of {X.dtype}")
    m, n = X.shape
    if len(weights) != n:
        raise ValueError(f"dot(): {len(weights)} weights for {n} features per example (X has shape {X.shape})")
    if m == 0:
        raise ValueError("dot(): a batch needs at least one example; got an empty array")
    weights = tuple(weights)
    try:  # the fast path, in C loops: every weight a Value holding one float
        w = np.array(list(map(_data_of, weights)), dtype=np.float64)
    except (AttributeError, ValueError):  # numbers, or a mix of numbers and batches, among the weights
        w = None
    if w is None or w.shape != (n,):  # all of them batches (shape (n, k)), or the above: the general path
        return dot(weights, list(X.T))
    X = np.asarray(X, dtype=np.float64)
    with np.errstate(all="ignore"):
        return _node(X @ w, weights, X.T, "dot")


def _dot_vector(w: Value, xs: Sequence[float] | np.ndarray) -> Value:
    """dot() of a weight vector with constant features: x . w for one example, X @ w for a batch."""
    wd = w._data
    if type(wd) is not np.ndarray or wd.ndim != 1:  # data set in place, w.data.shape = (n, 1), escapes its checks
        shape = "one number" if type(wd) is float else f"{type(wd).__name__} of shape {np.shape(wd)}"
        raise TypeError(f"dot(): a single Value as the weights must hold a 1-D vector of n numbers, such as "
                        f"Value(np.zeros(n)), not {shape}; pass a list for separate weights")
    X = _constant_features(xs)
    n = len(wd)
    if X.ndim not in (1, 2) or X.shape[-1] != n or X.size == 0:
        raise ValueError(f"dot(): {n} weights take one example of {n} numbers or a batch of shape (m, {n}), "
                         f"got shape {X.shape}")
    with np.errstate(all="ignore"):
        if X.ndim == 1:  # one example: d(x . w)/dw = x, a copy so that the caller may reuse their array
            return _node(float(X @ wd), (w,), (X.copy(),), "dot")
        z, _, dw = ops.matmul(X, wd)  # a batch: z = X @ w, and backward() takes X.T @ dJ/dz
        dw.template = "X {0}"
        return _node(z, (w,), [dw], "dot")


def _constant_features(xs) -> np.ndarray:
    """The features of a weight vector as a float64 array (a batch array as it is, not copied), or a clear error."""
    if isinstance(xs, np.ndarray):
        if xs.dtype.kind not in "biuf":
            raise TypeError(f"dot(): features must be real numbers, got an array of {xs.dtype}")
        return xs.astype(np.float64, copy=False)
    if isinstance(xs, Value) or not isinstance(xs, (list, tuple)):
        raise TypeError(f"dot(): the features must be a list of numbers or a numpy array, got {type(xs).__name__}")
    if any(isinstance(x, Value) for x in xs):
        raise TypeError("dot(): with a weight vector the features must be numbers (constants), not Values; "
                        "pass the weights as a list of Values instead")
    try:
        X = np.asarray(xs)
    except ValueError:  # a ragged list
        X = np.asarray(None)
    if X.dtype.kind in "biuf":
        return X.astype(np.float64, copy=False)
    # strings (numpy would parse "1"), nested lists, ints beyond float range: named by the number check, or made inf
    return np.array([as_number(x, "dot()") for x in xs])


def _as_sequence(xs) -> list:
    if isinstance(xs, np.ndarray):
        if xs.ndim != 1:
            raise ValueError(f"dot(): expected a 1-D array of numbers here, got shape {xs.shape}")
        return as_number(xs, "dot()").tolist()
    return list(xs)


def _add(x, y, op: str, times: bool = False):
    """x + y (or x * y) for a sum or dot, with our error when their shapes do not broadcast."""
    try:
        return x * y if times else x + y
    except ValueError:
        raise mismatch(op, x, y) from None
