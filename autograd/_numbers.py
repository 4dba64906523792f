"""Numbers coming in: a float or a float64 array from anything a user may pass, or a clear error; and numbers
going out in messages."""

from __future__ import annotations

import math
import numbers
from decimal import Decimal
from typing import Union

import numpy as np

Number = Union[float, int, np.ndarray]
FLOAT64 = np.dtype(np.float64)
"""numpy's one float64 of this machine's byte order: `x.dtype is FLOAT64` is 70 ns faster than `== np.float64`, which
converts the type to a dtype at every call, and lets an array of the other byte order through to a conversion."""


def finite(x) -> bool:
    """True when x (a float or an array) holds no nan or inf."""
    return math.isfinite(x) if type(x) is float else bool(np.isfinite(x).all())


def short(x) -> str:
    """x for a message: a float as repr, an array abbreviated."""
    if type(x) is float:
        return repr(x)
    return np.array2string(np.asarray(x), threshold=6, precision=6)


def as_const(x) -> float | np.ndarray:
    """A Python number (or numpy array) used in an operation: a constant, checked and made float.

    A float64 array is used as it is, not copied (as dot() uses a feature matrix): do not change it before
    backward(), which reads it."""
    if type(x) is float:
        return x
    if type(x) is int:  # the common 3 in 3*v, without the slower checks
        try:
            return float(x)
        except OverflowError:
            return math.inf if x > 0 else -math.inf
    if type(x) is np.ndarray and x.dtype is FLOAT64 and x.ndim and x.size:
        return x  # used as it is, not copied: X in W @ X may be large, and a copy per step doubles its cost
    return as_number(x, "an operation on a Value")


def as_number(x, where: str) -> float | np.ndarray:
    """x as a float, or as a float64 array (a copy) of any shape; a clear TypeError or ValueError for anything else."""
    if type(x) is np.ndarray and x.dtype is FLOAT64 and x.ndim and x.size:  # the common case, before the ABCs
        return x.copy()  # a copy: the graph must not change when the caller's array does
    if isinstance(x, (numbers.Real, np.bool_, Decimal)):
        if isinstance(x, Decimal) and x.is_snan():
            return math.nan  # float() refuses a signaling NaN; IEEE quiets it
        try:
            return float(x)
        except OverflowError:  # an int beyond float range: IEEE rounds it to inf
            return math.inf if x > 0 else -math.inf
    if isinstance(x, np.ndarray):
        if x.ndim == 0:
            return as_number(x.item(), where)
        if x.dtype.kind not in "biuf":
            raise TypeError(f"{where} needs real numbers, got an array of {x.dtype}")
        if x.size == 0:
            raise ValueError(f"{where} needs at least one number, got an empty array of shape {x.shape}")
        with np.errstate(over="ignore"):  # a longdouble beyond float range becomes inf, as IEEE rounds it
            return np.array(x, dtype=np.float64)  # a copy: the graph must not change when the caller's array does
    raise TypeError(f"{where} needs a real number (or a numpy array of them), "
                    f"got {type(x).__name__} {x!r:.40}")
