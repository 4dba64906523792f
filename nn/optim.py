"""Optimizers: they move each parameter against its gradient after J.backward().

    optimizer.zero_grad()   # leaf gradients add up across backward() calls: clear them first
    J = loss(model(X), y)
    J.backward()
    optimizer.step()        # gradient descent: w := w - lr * dJ/dw

The loops over parameters are written tightly: the cat classifier has 12,289 of them, updated 2,000 times.
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
        self.velocity = np.zeros(len(self.params))

    def step(self) -> None:
        """Move every parameter one step against its gradient."""
        lr = self.lr
        if not self.momentum:
            for p in self.params:
                p.data -= lr * p.grad
            return
        self.velocity = self.momentum * self.velocity + _grads(self.params)
        for p, v in zip(self.params, self.velocity.tolist()):
            p.data -= lr * v

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
        self.m = np.zeros(len(self.params))
        self.v = np.zeros(len(self.params))
        self.t = 0

    def step(self) -> None:
        """One Adam step for every parameter, with the bias-corrected moments."""
        b1, b2 = self.betas
        self.t += 1
        g = _grads(self.params)
        self.m = b1 * self.m + (1.0 - b1) * g
        self.v = b2 * self.v + (1.0 - b2) * g * g
        m_hat = self.m / (1.0 - b1 ** self.t)
        v_hat = self.v / (1.0 - b2 ** self.t)
        for p, d in zip(self.params, (self.lr * m_hat / (np.sqrt(v_hat) + self.eps)).tolist()):
            p.data -= d

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0."""
        for p in self.params:
            p.grad = 0.0


def _grads(params: list[Value]) -> np.ndarray:
    return np.fromiter(map(_grad, params), dtype=np.float64, count=len(params))


def _check_params(params: Iterable[Value]) -> list[Value]:
    """The parameters as a list: each a Value holding one float, each once."""
    if isinstance(params, Value):
        raise TypeError("an optimizer takes a list of parameters, e.g. model.parameters(), not a single Value")
    params = list(params)
    if not params:
        raise ValueError("the optimizer got no parameters to optimize")
    for p in params:
        if not isinstance(p, Value) or type(p.data) is not float:
            raise TypeError(f"every parameter must be a Value holding one number, got {p!r:.60}")
    if len({id(p) for p in params}) != len(params):
        raise ValueError("a parameter appears twice in the list: it would be updated twice per step")
    return params


def _check_number(x: float, name: str, low: float, low_ok: bool, high: float = math.inf) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)) or not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number, got {x!r}")
    if x < low or (x == low and not low_ok) or x >= high:
        bounds = f"{'>=' if low_ok else '>'} {low:g}" + (f" and < {high:g}" if high < math.inf else "")
        raise ValueError(f"{name} must be {bounds}, got {x!r}")
    return float(x)
