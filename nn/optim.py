"""Optimizers: they move each parameter against its gradient after J.backward().

    optimizer.zero_grad()   # leaf gradients add up across backward() calls: clear them first
    J = loss(model(X), y)
    J.backward()
    optimizer.step()        # gradient descent: w := w - lr * dJ/dw

The loops over parameters are written tightly: the cat classifier has 12,289 of them, updated 2,000 times.
A parameter may also hold an array, a vector (LogisticRegression(n, vector=True)) or a matrix (MLP(...,
matrix=True)): it is moved by one array operation, and the optimizers' state keeps one entry per number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from operator import attrgetter

import numpy as np

from autograd import Value

_grad = attrgetter("grad")


class SGD:
    """Gradient descent, w := w - lr * v with v := momentum * v + dJ/dw (plain w := w - lr * dJ/dw at momentum 0)."""

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0) -> None:
        self.params = _check_params(params)
        self.lr = _check_number(lr, "lr", low=0.0, low_ok=False)
        self.momentum = _check_number(momentum, "momentum", low=0.0, low_ok=True, high=1.0)
        self.velocity = np.zeros(_count(self.params))
        self._numbers = _all_numbers(self.params)

    def step(self) -> None:
        """Move every parameter one step against its gradient."""
        lr = self.lr
        if not self.momentum:
            for p in self.params:
                data = p.data - lr * p.grad  # a new value, never an in-place change of a graph's array
                if type(data) is np.ndarray:
                    # ours alone, made read-only so that Value takes it without a copy (write=False, passed by
                    # position: numpy parses a keyword in 0.1 us more)
                    data.setflags(False)
                p.data = data
            return
        self.velocity = self.momentum * self.velocity + _grads(self.params, self._numbers)
        _subtract(self.params, lr * self.velocity, self._numbers)

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0."""
        for p in self.params:
            p.grad = 0.0


class Adam:
    """Adam (Kingma and Ba): steps of lr * m_hat / (sqrt(v_hat) + eps), with m and v running means of g and g^2."""

    def __init__(self, params: Iterable[Value], lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        self.params = _check_params(params)
        self.lr = _check_number(lr, "lr", low=0.0, low_ok=False)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair such as (0.9, 0.999), got {betas!r}")
        self.betas = tuple(_check_number(b, "each beta", low=0.0, low_ok=True, high=1.0) for b in betas)
        self.eps = _check_number(eps, "eps", low=0.0, low_ok=False)
        self.m = np.zeros(_count(self.params))
        self.v = np.zeros(len(self.m))
        self._numbers = _all_numbers(self.params)
        self.t = 0

    def step(self) -> None:
        """One Adam step for every parameter, with the bias-corrected moments."""
        b1, b2 = self.betas
        self.t += 1
        g = _grads(self.params, self._numbers)
        self.m = b1 * self.m + (1.0 - b1) * g
        self.v = b2 * self.v + (1.0 - b2) * g * g
        m_hat = self.m / (1.0 - b1 ** self.t)
        v_hat = self.v / (1.0 - b2 ** self.t)
        _subtract(self.params, self.lr * m_hat / (np.sqrt(v_hat) + self.eps), self._numbers)

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0."""
        for p in self.params:
            p.grad = 0.0


def _count(params: list[Value]) -> int:
    """How many numbers the parameters hold."""
    return sum(1 if type(p.data) is float else p.data.size for p in params)


def _all_numbers(params: list[Value]) -> bool:
    """True when no parameter holds an array: the optimizers then take their fast paths."""
    return all(type(p.data) is float for p in params)


def _grads(params: list[Value], all_numbers: bool) -> np.ndarray:
    """Every parameter's gradient in one flat array (an array's fill as many entries as it holds numbers)."""
    if all_numbers:  # one C loop
        return np.fromiter(map(_grad, params), dtype=np.float64, count=len(params))
    return np.concatenate([np.broadcast_to(p.grad, np.shape(p.data)).ravel() for p in params])


def _subtract(params: list[Value], steps: np.ndarray, all_numbers: bool) -> None:
    """p.data -= its entries of the flat array steps, for every parameter."""
    if all_numbers:
        for p, d in zip(params, steps.tolist()):
            p.data -= d
        return
    start = 0
    for p in params:
        if type(p.data) is float:
            p.data -= float(steps[start])
            start += 1
        else:
            size = p.data.size
            p.data = p.data - steps[start:start + size].reshape(p.data.shape)
            start += size


def _check_params(params: Iterable[Value]) -> list[Value]:
    """The parameters as a list: each a leaf Value (a number or an array), each once."""
    if isinstance(params, Value):
        raise TypeError("an optimizer takes a list of parameters, e.g. model.parameters(), not a single Value")
    params = list(params)
    if not params:
        raise ValueError("the optimizer got no parameters to optimize")
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"every parameter must be a Value, got {p!r:.60}")
        if p.parents:
            raise TypeError(f"a parameter must be a leaf Value, made by Value(...), not the result of an operation "
                            f"('{p.op}'), such as a model's output; got {p!r:.60}")
    if len({id(p) for p in params}) != len(params):
        raise ValueError("a parameter appears twice in the list: it would be updated twice per step")
    return params


def _check_number(x: float, name: str, low: float, low_ok: bool, high: float = math.inf) -> float:
    real = not isinstance(x, bool) and isinstance(x, (int, float, np.integer, np.floating))
    try:
        value = float(x) if real else math.nan
    except OverflowError:  # an int beyond float range, whose repr() may be thousands of digits (or refused)
        raise ValueError(f"{name} must be a finite number, got an int beyond float range") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {x!r}")
    if value < low or (value == low and not low_ok) or value >= high:
        bounds = f"{'>=' if low_ok else '>'} {low:g}" + (f" and < {high:g}" if high < math.inf else "")
        raise ValueError(f"{name} must be {bounds}, got {x!r}")
    return value
