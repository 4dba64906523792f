"""Math on Values, under numpy's names: ops.py run with this module builds each local derivative as a Value.

backward(create_graph=True) needs the local derivatives as graph nodes, so that they can be differentiated again.
Each function takes Values or constants (numbers, arrays) and returns a Value when any input is one. Conditions
(where, equal, sign) are read from the data: a branch or a sign does not change with its input, so its derivative
is 0, as in PyTorch (relu and abs at their kinks included).
"""

from __future__ import annotations

import numpy as np

from .value import Value, _node


def _data(x):
    return x._data if type(x) is Value else x


def _unary(name: str):
    def fn(x):
        if type(x) is Value:
            return getattr(x, name)()
        with np.errstate(all="ignore"):
            return getattr(np, name)(x)
    fn.__name__ = name
    fn.__doc__ = f"numpy.{name} for a Value or a constant."
    return fn


exp, log, sqrt, tanh = _unary("exp"), _unary("log"), _unary("sqrt"), _unary("tanh")


def log1p(x):
    """ln(1 + x) (ops.softplus uses it for its value, never for its slope)."""
    return (1.0 + x).log() if type(x) is Value else np.log1p(x)


def divide(a, b):
    """a / b."""
    if type(a) is Value or type(b) is Value:
        return a / b
    with np.errstate(all="ignore"):
        return np.divide(a, b)


def power(a, b):
    """a ** b."""
    if type(a) is Value or type(b) is Value:
        return a ** b
    with np.errstate(all="ignore"):
        return np.power(a, b)


def equal(a, b):
    """Where a == b, read from the data."""
    return np.equal(_data(a), _data(b))


def sign(x):
    """The sign of x's data, a constant."""
    return np.sign(_data(x))


def where(condition, a, b):
    """a where condition holds, else b: one node whose local derivatives are the condition's 0/1 masks."""
    if np.ndim(condition) == 0:
        return a if condition else b
    if type(a) is not Value and type(b) is not Value:
        return np.where(condition, a, b)
    chosen = np.asarray(condition, dtype=bool)
    data = np.where(chosen, _data(a), _data(b))
    parents, local_grads = [], []
    for x, mask in ((a, chosen), (b, ~chosen)):
        if type(x) is Value:
            parents.append(x)
            local_grads.append(mask.astype(np.float64))
    return _node(data, tuple(parents), local_grads, "where")
