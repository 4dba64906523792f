"""Broadcasting: numpy's rule forward, and its reverse for the gradients.

Forward, an operation on a (3, 1) matrix and a (1, 4) one, or on a number and a batch, works as in numpy. Backward,
one rule serves every operation: a parent's share of the gradient is summed back to the parent's shape, over the
axes that broadcasting added or stretched. So a number that met a batch receives the sum over the examples, and the
course's bias b of shape (n, 1) added to Z of shape (n, m) receives the sum over the m examples.
"""

from __future__ import annotations

import functools

import numpy as np


def fit(c, like):
    """The contribution c summed (or spread) to the shape of like, a parent's data: a float stays a float."""
    if type(like) is float:
        return c if type(c) is float else float(np.sum(c))
    shape = like.shape
    c_shape = getattr(c, "shape", ())  # a float's is (); np.shape's Python wrapper costs 0.1 us a call
    if c_shape == shape:
        return c
    axes = _axes.get((c_shape, shape))
    if axes is None:
        axes = _axes_to_sum(c_shape, shape)
        if len(_axes) < 1000:  # a cache of the pairs of shapes met: a network meets a few (bias b: -2 us a step)
            _axes[c_shape, shape] = axes
    if axes is _SPREAD:  # a smaller c spreads over the parent first
        c = np.broadcast_to(c, np.broadcast_shapes(c_shape, shape))
        axes = _axes_to_sum(c.shape, shape)
    total = np.add.reduce(c, axis=axes, keepdims=True)  # a new array, not a view: backward() need not copy it
    return total if total.ndim == len(shape) else total.reshape(shape)


_axes: dict = {}
_SPREAD = "spread"  # see _axes_to_sum


def _axes_to_sum(c_shape: tuple, shape: tuple) -> tuple:
    """The axes of a contribution of c_shape that broadcasting added or stretched over a parent of shape; _SPREAD
    when the contribution is smaller than the parent on some axis."""
    extra = len(c_shape) - len(shape)
    if extra < 0 or any(n > m for n, m in zip(shape, c_shape[extra:])):
        return _SPREAD
    return tuple(range(extra)) + tuple(extra + i for i, n in enumerate(shape) if n == 1 and c_shape[extra + i] != 1)


@functools.lru_cache(maxsize=256)  # a layer meets one pair of shapes each step: a generator each time costs 1 us
def spreads_over(small: tuple, shape: tuple) -> bool:
    """Whether an array of shape small broadcasts over one of shape without enlarging it (a bias over W @ A)."""
    return len(small) <= len(shape) and all(k in (1, n) for k, n in zip(small[::-1], shape[::-1]))


def mismatch(op: str, x, y) -> ValueError:
    """Our error for operands that numpy cannot broadcast together, naming both shapes."""
    return ValueError(f"'{op}' cannot combine shapes {shape_text(x)} and {shape_text(y)}: each axis must be "
                      f"the same size or 1 (numpy's broadcasting), e.g. batches of the same size")


def shape_text(x) -> str:
    """A shape for a message: "a number", or "(3, 4)"."""
    return "a number" if type(x) is float else str(np.shape(x))
