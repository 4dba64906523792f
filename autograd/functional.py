"""Derivatives as functions, in the style of HIPS autograd and JAX: from f to its gradient, Hessian, and more.

    f = lambda x, y: (x * y).tanh() + x.exp()
    grad(f)(0.3, -0.7)               # (df/dx, df/dy)
    value_and_grad(f)(0.3, -0.7)     # (f, (df/dx, df/dy))
    hessian(f, [0.3, -0.7])          # a 2x2 numpy array
    hvp(f, [0.3, -0.7], [1.0, 0.0])  # the Hessian times a vector, without forming the Hessian

f takes one Value per argument and returns a Value holding one number. Arguments are numbers or numpy arrays
(a weight vector, a matrix); each gradient has its argument's shape. Second derivatives come from
backward(create_graph=True) (higher_order.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ._numbers import Number, as_number
from .modes import enable_grad
from .value import Value


def grad(f: Callable[..., Value], argnums: int | Sequence[int] | None = None) -> Callable:
    """The function computing f's gradient with respect to the arguments argnums (all by default).

    It returns one gradient when argnums is an int (or f was called with one argument and argnums is None), else a
    tuple, one per argument.
    """
    value_and_gradient = value_and_grad(f, argnums)
    return lambda *args: value_and_gradient(*args)[1]


def value_and_grad(f: Callable[..., Value], argnums: int | Sequence[int] | None = None) -> Callable:
    """The function computing (f's value, f's gradient) in one forward and one backward pass; argnums as grad()."""
    def value_and_gradient(*args: Number):
        leaves = _leaves(args, "value_and_grad")
        out = _scalar(f, leaves)
        out.backward()
        picked = _argnums(argnums, len(args))
        grads = tuple(_number(leaves[i].grad, leaves[i]) for i in picked)
        return out.data, grads[0] if type(argnums) is int or (argnums is None and len(args) == 1) else grads
    return value_and_gradient


def hessian(f: Callable[..., Value], xs: Sequence[Number]) -> np.ndarray:
    """The matrix of f's second derivatives at xs, shape (n, n) for n numbers in all (an array counts its entries).

    Rows and columns follow the numbers in order, an array's row by row. One backward pass with create_graph, then
    one per number: meant for a few inputs (use hvp() for many).
    """
    leaves = _leaves(xs, "hessian")
    gradients = _gradients(f, leaves)
    entries = [(g, index) for g in gradients for index in np.ndindex(g.shape)]
    rows = []
    for g, index in entries:
        for leaf in leaves:
            leaf.grad = 0.0
        with enable_grad():  # picking the entry out of g is recorded too, even inside no_grad()
            entry = g if not index else (g * _one_hot(g.shape, index)).sum()
        entry.backward()
        rows.append(np.concatenate([np.ravel(_number(leaf.grad, leaf)) for leaf in leaves]))
    return np.array(rows).reshape(len(entries), len(entries))


def hvp(f: Callable[..., Value], xs: Sequence[Number], v: Sequence[Number]) -> list:
    """The Hessian of f at xs times the vector v (one entry of v per argument, of its shape), in two passes.

    The Hessian is never formed: H v is the gradient of (gradient . v), which one more backward pass gives.
    Returns one array (or number) per argument, as the gradient.
    """
    leaves = _leaves(xs, "hvp")
    if len(v) != len(leaves):
        raise ValueError(f"hvp(): v needs one entry per argument ({len(leaves)}), got {len(v)}")
    directions = [as_number(d, "hvp() v") for d in v]
    for leaf, d in zip(leaves, directions):
        if np.shape(d) != leaf.shape:
            raise ValueError(f"hvp(): v's entry for an argument of shape {leaf.shape} has shape {np.shape(d)}")
    gradients = _gradients(f, leaves)
    for leaf in leaves:
        leaf.grad = 0.0
    with enable_grad():  # recorded even inside no_grad(), as f is
        along = sum((g * d).sum() for g, d in zip(gradients, directions))
    along.backward()
    return [_number(leaf.grad, leaf) for leaf in leaves]


def _leaves(args: Sequence, where: str) -> list[Value]:
    """A fresh leaf per argument, a number or an array; a Value is refused (pass its data)."""
    if isinstance(args, (Value, str, bytes)) or not isinstance(args, Sequence):
        raise TypeError(f"{where}(): the inputs must be a list of numbers or arrays, got {type(args).__name__}")
    if not args:
        raise ValueError(f"{where}(): f needs at least one input")
    return [Value(as_number(x, f"{where}()"), label=f"x{i}") for i, x in enumerate(args)]


def _scalar(f: Callable[..., Value], leaves: list[Value]) -> Value:
    """f at the leaves, recorded even inside no_grad(); a clear error unless it is a Value holding one number."""
    with enable_grad():
        out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"f must return a Value (built from its inputs), got {type(out).__name__}")
    if out.shape:
        raise ValueError(f"f must return a single number, got a Value of shape {out.shape}: reduce it, e.g. .sum()")
    return out


def _gradients(f: Callable[..., Value], leaves: list[Value]) -> list[Value]:
    """f's gradient with respect to each leaf, as Values (graphs over the leaves), by backward(create_graph=True)."""
    out = _scalar(f, leaves)
    with enable_grad():
        out.backward(create_graph=True)
    return [leaf.grad if isinstance(leaf.grad, Value) else Value(np.zeros(leaf.shape) if leaf.shape else 0.0)
            for leaf in leaves]  # a leaf that f does not use keeps the number 0.0


def _argnums(argnums, n: int) -> tuple[int, ...]:
    """argnums as a tuple of positions among n arguments, or a clear error."""
    try:
        picked = tuple(range(n)) if argnums is None else (argnums,) if type(argnums) is int else tuple(argnums)
    except TypeError:  # not a sequence: True, 1.5
        picked = (argnums,)
    for i in picked:
        if type(i) is not int or not -n <= i < n:
            raise ValueError(f"argnums must be positions of f's {n} arguments, got {argnums!r}")
    return tuple(i % n for i in picked)


def _number(g, leaf: Value):
    """A leaf's gradient as a plain float or array of the leaf's shape (a Value gradient gives its data)."""
    g = g.data if isinstance(g, Value) else g
    return float(g) if not leaf.shape else np.broadcast_to(g, leaf.shape).astype(float)


def _one_hot(shape: tuple, index: tuple) -> np.ndarray:
    e = np.zeros(shape)
    e[index] = 1.0
    return e
