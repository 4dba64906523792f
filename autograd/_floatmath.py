"""IEEE-754 float math for one number: what numpy returns for a float64, without its warnings or Python's exceptions.

Python's `math` raises OverflowError, ValueError ("math domain error") and ZeroDivisionError where IEEE-754
says inf, -inf or nan. Each function here takes the fast `math` path and falls back only on those exceptions.
The names match numpy's, so an operation in `ops.py` runs unchanged on a float (this module) or a batch (numpy).
"""

import math

import numpy as np

inf, nan = math.inf, math.nan
tanh = math.tanh
log1p = math.log1p  # only called with x >= 0 here


def exp(x: float) -> float:
    """e**x; inf when it overflows."""
    try:
        return math.exp(x)
    except OverflowError:
        return inf


def log(x: float) -> float:
    """Natural log: -inf at 0, nan below 0."""
    if x > 0:
        return math.log(x)
    return -inf if x == 0 else nan


def sqrt(x: float) -> float:
    """Square root: nan below 0."""
    return math.sqrt(x) if x >= 0 else nan


def divide(a: float, b: float) -> float:
    """a / b; division by zero gives a signed inf, or nan for 0/0."""
    try:
        return a / b
    except ZeroDivisionError:
        with np.errstate(all="ignore"):
            return float(np.divide(a, b))


def power(a: float, b: float) -> float:
    """a ** b as a real number: nan for a negative base with a fractional exponent, inf on overflow."""
    try:
        return math.pow(a, b)
    except (OverflowError, ValueError, ZeroDivisionError):
        with np.errstate(all="ignore"):
            return float(np.power(a, b))


def where(condition: bool, a: float, b: float) -> float:
    """a if condition else b (numpy.where for one number)."""
    return a if condition else b


def equal(a: float, b: float) -> bool:
    """a == b (numpy.equal for one number)."""
    return a == b


def sign(x: float) -> float:
    """-1.0, 0.0 or 1.0; nan for nan, as numpy.sign."""
    return float((x > 0) - (x < 0)) if x == x else nan
