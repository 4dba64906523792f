"""The math of each operation: its value and its local derivatives, side by side.

Each function takes the data of its inputs, a float or a numpy array of any shape, and `m`, the math to use: the
module `_floatmath` for floats, `numpy` for arrays (same names). It returns the value and d value / d input for each
input. A reviewer checks the calculus here at a glance; `value.py` turns the results into graph nodes.

Elementwise operations have elementwise local derivatives: backward() multiplies them by the gradient. A matrix
product, a reduction or a transpose mixes the numbers, so its local derivative is a `LinearMap` that backward()
applies to the gradient with the same `*`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np


def exp(x, m):
    """y = e^x, dy/dx = e^x."""
    y = m.exp(x)
    return y, y


def log(x, m):
    """y = ln x, dy/dx = 1/x."""
    return m.log(x), m.divide(1.0, x)


def sqrt(x, m):
    """y = sqrt(x), dy/dx = 1 / (2 sqrt(x))."""
    y = m.sqrt(x)
    return y, m.divide(0.5, y)


def tanh(x, m):
    """y = tanh x, dy/dx = sech^2 x = (1 / cosh x)^2.

    Not 1 - y^2, which rounds to 0 for |x| > 19 while the true slope is still ~1e-16. cosh overflows to inf for
    |x| > 710, where the slope is 0 indeed; squaring 1/cosh x, not dividing by cosh^2 x, keeps the tiny slopes
    (down to 5e-324) that cosh^2 would lose by overflowing first. Three array operations, not the seven of the
    overflow-free 4e / (1 + e)^2 with e = exp(-2|x|) (flower network, make bench: -5 % time). Also measured and
    rejected: 1 - y^2 where |y| <= 0.9 with cosh only for the other entries; a trained flower network has half to
    nine tenths of its hidden units past 0.9, and picking them out made tanh 2.5 times slower.
    """
    s = m.divide(1.0, m.cosh(x))
    return m.tanh(x), s * s


def sigmoid(x, m):
    """y = 1 / (1 + e^-x), dy/dx = y (1 - y) = e / (1 + e)^2 with e = exp(-|x|).

    The sign-split form never overflows, and the slope keeps its precision where 1 - y rounds to 0.
    """
    e = m.exp(-abs(x))
    d = 1.0 + e
    return m.where(x >= 0, 1.0, e) / d, e / (d * d)


def softplus(x, m):
    """y = ln(1 + e^x), dy/dx = sigmoid(x); as max(x, 0) + ln(1 + e^-|x|), which never overflows."""
    e = m.exp(-abs(x))
    d = 1.0 + e
    return m.where(x > 0, x, 0.0) + m.log1p(e), m.where(x >= 0, 1.0, e) / d


def relu(x, m):
    """y = max(0, x), dy/dx = 1 for x > 0 else 0; nan stays nan (as numpy's maximum), with slope 1."""
    off = x <= 0
    return m.where(off, 0.0, x), m.where(off, 0.0, 1.0)


def absolute(x, m):
    """y = |x|, dy/dx = sign(x) (0 at 0, as PyTorch; nan at nan)."""
    return abs(x), m.sign(x)


def divide(a, b, m):
    """y = a / b, dy/da = 1/b, dy/db = -a/b^2 = -y/b."""
    y = m.divide(a, b)
    return y, m.divide(1.0, b), -m.divide(y, b)


def power(a, b, m):
    """y = a^b, dy/da = b a^(b-1), dy/db = a^b ln a.

    As in PyTorch: dy/da is 0 where a = b = 0 (not 0 * inf), and dy/db is 0 where a = 0 and b >= 0 (0^b does not
    change with b). Elsewhere b a^(b-1) is finite even at b = 0, where it keeps its slope in b (a^-1).
    """
    y = m.power(a, b)
    da = m.where(m.equal(b, 0.0) & m.equal(a, 0.0), 0.0, b * m.power(a, b - 1.0))
    db = m.where(m.equal(a, 0.0) & (b >= 0), 0.0, y * m.log(a))
    return y, da, db


class LinearMap:
    """A local derivative that is a linear map, not a number: `local * g` applies it to the gradient g.

    `fn(g, *args)` computes it; `text` says what it is in a drawing, from `template` with the shapes of args
    ("A.T @ G, A (2×3)"), formatted only when read: a matrix product is built far more often than drawn.
    """

    __slots__ = ("fn", "args", "template")

    def __init__(self, fn: Callable, args: tuple, template: str) -> None:
        self.fn, self.args, self.template = fn, args, template

    def __mul__(self, g):
        return self.fn(g, *self.args)

    __rmul__ = __mul__

    @property
    def text(self) -> str:
        """What the map is, for a drawing."""
        return self.template.format(*map(_dims, self.args))

    def __repr__(self) -> str:
        return self.text

    def __reduce__(self):
        return LinearMap, (self.fn, self.args, self.template)


def matmul(a, b, m=np):
    """Y = A @ B; dY/dA sends G to G @ B.T and dY/dB sends G to A.T @ G (a 1-D A is a row, a 1-D B a column)."""
    return (a @ b, LinearMap(_matmul_left, (a, b), "G @ B.T, B {1}"),
            LinearMap(_matmul_right, (a, b), "A.T @ G, A {0}"))


def affine(w, a, b, m=np):
    """Z = W @ A + b, the course's layer: dZ/dW and dZ/dA are matmul's maps; dZ/db is 1 for each entry (backward()
    sums the gradient back to b's shape: over the examples, for the course's b of shape (n, 1))."""
    z, dw, da = matmul(w, a)  # a product and a sum: the same code for arrays and Values, whatever m
    return z + b, dw, da, 1.0


def _matmul_left(g, a, b):
    # dA for each pair of ranks: matrix-matrix, matrix-vector (an outer product), vector-matrix, vector-vector.
    # Written per case rather than through 2-D reshapes: a vector stays a vector, so numpy calls the matrix-vector
    # kernel (measured: the cat classifier's X.T @ g went from 0.80 to 0.65 ms, as a product with a (m, 1) matrix).
    # g, a and b may also be Values (backward(create_graph=True)): only operations a Value has are used.
    return g @ b.T if b.ndim == 2 else _outer(g, b) if a.ndim == 2 else g * b


def _matmul_right(g, a, b):
    return a.T @ g if a.ndim == 2 else _outer(a, g) if b.ndim == 2 else g * a


def _outer(u, v):
    """The outer product of two vectors, as numpy.outer, written so that it works on Values too."""
    return u.reshape(-1, 1) * v


def reduce_sum(x, axis, keepdims: bool, mean: bool):
    """y = the sum (or mean) of x over axis; dy/dx_i = 1 (or 1/n): the gradient spreads back over those axes.

    A mean is the sum divided by n, as numpy's; where the sum alone leaves the float range, x is scaled down first,
    so that the mean of finite numbers is finite."""
    y = np.add.reduce(x, axis, keepdims=keepdims)  # numpy.sum without its Python wrapper (a numpy scalar or array)
    scale = 1.0
    if mean:
        n = x.size // y.size
        y, scale = y / n, 1.0 / n
        if not (math.isfinite(y) if y.ndim == 0 else np.isfinite(y).all()):
            # a sum past the float range (two losses of 1e308) where the mean is not: there only, sum x / 2^k with
            # 2^k > n (exact, and a sum that cannot overflow), divide by n, then multiply back by 2^k (exact)
            k = n.bit_length()
            y = np.where(np.isfinite(y), y, np.add.reduce(x * 2.0 ** -k, axis, keepdims=keepdims) / n * 2.0 ** k)
    spread = LinearMap(_spread, (x.shape, axis, keepdims, scale), _reduce_text(axis, mean))
    return (y if y.ndim else float(y)), spread


@functools.lru_cache(maxsize=256)
def _reduce_text(axis, mean: bool) -> str:
    """What a reduction's LinearMap is, for a drawing: "sum over axis 0" (cached: a string a step costs 0.5 us)."""
    return f"{'mean' if mean else 'sum'} over {'all' if axis is None else f'axis {axis}'}"


def _spread(g, shape, axis, keepdims, scale):
    if axis is not None and not keepdims and type(g) is not float:  # a number spreads over any shape as it is
        g = g.reshape(_kept(shape, axis))
    if type(g) is not float and type(g) is not np.ndarray:  # a Value: backward(create_graph=True)
        return g * np.full(shape, scale)
    if type(g) is np.ndarray and g.shape == shape:  # the sum of axes of length 1 (dropping one): nothing to spread
        return g
    out = np.empty(shape)
    if type(g) is float:  # J = mean(L): fill is twice as fast as numpy broadcasting a number (-0.5 us)
        out.fill(g * scale)
    else:
        np.multiply(g, scale, out=out)  # broadcast into a new array in one C loop (broadcast_to is a slow wrapper)
    return out


@functools.lru_cache(maxsize=256)  # computed once per shape and axis: a network reduces a few (-1 us a step)
def _kept(shape: tuple, axis) -> tuple:
    """shape with the axes of a reduction kept, each as 1: where a gradient of the result spreads from."""
    axes = {a % len(shape) for a in (axis if type(axis) is tuple else (axis,))}
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def transpose(x):
    """Y = X.T; dY/dX sends G to G.T."""
    return x.T, LinearMap(np.transpose, (), "transpose")


def reshape(x, shape):
    """Y = X reshaped; dY/dX sends G back to X's shape."""
    return x.reshape(shape), LinearMap(np.reshape, (x.shape,), "reshape back")


def _dims(x) -> str:
    return "(" + "×".join(map(str, np.shape(x))) + ")"
