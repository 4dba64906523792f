"""Gradient checks: compare backward()'s gradients with central finite differences.

    gradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.2])     # True, or GradcheckError with a table
    grad_difference(analytic, numeric)                      # the course's ||g - g'|| / (||g|| + ||g'||)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from .modes import no_grad
from ._numbers import as_number
from .value import Value

Function = Callable[..., Value]


class GradcheckError(AssertionError):
    """backward() and finite differences disagree; the message is a table of every input."""


def numerical_grad(f: Function, inputs: Sequence[float], eps: float = 1e-6, relative: bool = False) -> list[float]:
    """Central differences (f(x + h) - f(x - h)) / 2h for each input, with h = eps * max(1, |x|).

    With relative=True, h = eps * |x| (eps at 0): the step never crosses a pole or boundary at 0, as for log(x)
    or 1/x at x = 1e-200. f takes one Value per input and returns a Value; it runs without recording a graph.
    """
    xs = [_as_input(x) for x in inputs]
    grads = []
    with no_grad():
        for i, x in enumerate(xs):
            h = eps * abs(x) if relative else 0.0
            if not h:  # not relative, or x too close to 0 for a step relative to it
                h = eps * max(1.0, abs(x))
            up, down = xs.copy(), xs.copy()
            up[i], down[i] = x + h, x - h
            grads.append((_evaluate(f, up) - _evaluate(f, down)) / (up[i] - down[i]))
    return grads


def analytic_grad(f: Function, inputs: Sequence[float]) -> list[float]:
    """The gradient of f at inputs by backward()."""
    values = [Value(_as_input(x), label=f"x{i}") for i, x in enumerate(inputs)]
    out = f(*values)
    if not isinstance(out, Value):
        raise TypeError(f"the function must return a Value, got {type(out).__name__}")
    out.backward()
    return [v.grad for v in values]


def gradcheck(f: Function, inputs: Sequence[float], eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, relative: bool = False) -> bool:
    """True when every backward() gradient of f at inputs is within atol + rtol * |numeric| of finite differences.

    Otherwise raises GradcheckError whose message lists input, analytic, numeric, absolute and relative difference.
    eps and relative set the step, as in numerical_grad.
    """
    analytic = analytic_grad(f, inputs)
    numeric = numerical_grad(f, inputs, eps, relative)
    bad = [not _close(a, n, atol, rtol) for a, n in zip(analytic, numeric)]
    if any(bad):
        raise GradcheckError(_table(inputs, analytic, numeric, bad, atol, rtol))
    return True


def grad_difference(analytic: Sequence[float], numeric: Sequence[float]) -> float:
    """The course's check ||g - g'|| / (||g|| + ||g'||): below 1e-7 is great, above 1e-3 means a bug."""
    if len(analytic) != len(numeric):
        raise ValueError(f"grad_difference: {len(analytic)} analytic and {len(numeric)} numeric gradients")
    diff = math.sqrt(math.fsum((a - n) ** 2 for a, n in zip(analytic, numeric)))
    norms = math.sqrt(math.fsum(a * a for a in analytic)) + math.sqrt(math.fsum(n * n for n in numeric))
    return diff / norms if norms else 0.0


def _as_input(x) -> float:
    x = as_number(x, "a gradient check")
    if type(x) is not float:
        raise TypeError("a gradient check takes one number per input, not a batch")
    return x


def _evaluate(f: Function, xs: list[float]) -> float:
    out = f(*[Value(x) for x in xs])
    return out.data if isinstance(out, Value) else float(out)


def _close(a: float, n: float, atol: float, rtol: float) -> bool:
    return a == n or abs(a - n) <= atol + rtol * abs(n)


def _table(inputs, analytic, numeric, bad, atol, rtol) -> str:
    rows = [f"gradient check failed for {sum(bad)} of {len(bad)} inputs (atol={atol:g}, rtol={rtol:g}):",
            f"{'input':>6} {'value':>14} {'analytic':>14} {'numeric':>14} {'abs diff':>11} {'rel diff':>11}"]
    for i, (x, a, n, wrong) in enumerate(zip(inputs, analytic, numeric, bad)):
        d = abs(a - n)
        rel = d / abs(n) if n else math.inf if d else 0.0
        rows.append(f"{'x' + str(i):>6} {float(x):>14.6g} {a:>14.8g} {n:>14.8g} {d:>11.3g} {rel:>11.3g}"
                    + ("  <- wrong" if wrong else ""))
    return "\n".join(rows)
