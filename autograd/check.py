"""Gradient checks: compare backward()'s gradients with central finite differences.

    gradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.2])     # True, or GradcheckError with a table
    gradgradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.2]) # the same for second derivatives
    grad_difference(analytic, numeric)                      # the course's ||g - g'|| / (||g|| + ||g'||)

An input may also be a numpy array, such as a weight vector or a matrix: each of its numbers is stepped in turn,
and its gradient is an array of its shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial

import numpy as np

from .modes import enable_grad, is_grad_enabled, no_grad
from ._numbers import as_number
from .value import Value

Function = Callable[..., Value]


class GradcheckError(AssertionError):
    """backward() and finite differences disagree; the message is a table of every input."""


def numerical_grad(f: Function, inputs: Sequence[float], eps: float = 1e-6, relative: bool = False) -> list:
    """Central differences (f(x + h) - f(x - h)) / 2h for each input, with h = eps * max(1, |x|).

    With relative=True, h = eps * |x| (eps at 0): the step never crosses a pole or boundary at 0, as for log(x)
    or 1/x at x = 1e-200. f takes one Value per input and returns a Value; it runs without recording a graph.
    eps must be a positive finite number, large enough to move every input (else ValueError).
    """
    eps = _check_eps(eps)
    xs = [as_number(x, "a gradient check") for x in inputs]
    grads: list = []
    with no_grad():
        for i, x in enumerate(xs):
            if type(x) is float:
                grads.append(_difference(partial(_evaluate, f), xs, i, None, eps, relative))
            else:
                grads.append(np.array([_difference(partial(_evaluate, f), xs, i, j, eps, relative)
                                       for j in np.ndindex(x.shape)]).reshape(x.shape))
    return grads


def analytic_grad(f: Function, inputs: Sequence[float]) -> list:
    """The gradient of f at inputs by backward(): a float per number, an array per array.

    It records f's graph even inside no_grad(), which would otherwise leave every gradient 0.
    """
    values = [Value(as_number(x, "a gradient check"), label=f"x{i}") for i, x in enumerate(inputs)]
    if is_grad_enabled():
        out = f(*values)
    else:
        with enable_grad():  # only here: entering a mode takes every thread's operations off their fastest path
            out = f(*values)
    if not isinstance(out, Value):
        raise TypeError(f"the function must return a Value, got {type(out).__name__}")
    out.backward()
    return [v.grad if type(v.data) is float else np.broadcast_to(v.grad, v.data.shape).astype(float)
            for v in values]


def gradcheck(f: Function, inputs: Sequence[float], eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, relative: bool = False) -> bool:
    """True when every backward() gradient of f at inputs is within atol + rtol * |numeric| of finite differences.

    Otherwise raises GradcheckError whose message lists input, analytic, numeric, absolute and relative difference.
    eps and relative set the step, as in numerical_grad. The default rtol lets through a derivative up to 0.1% off:
    to catch smaller errors pass a smaller rtol (1e-6 suits smooth functions), or compare grad_difference() with
    the course's 1e-7.
    """
    eps = _check_eps(eps)
    names, xs = _flat_inputs(inputs)
    analytic, numeric = _flat(analytic_grad(f, inputs)), _flat(numerical_grad(f, inputs, eps, relative))
    bad = [not _close(a, n, atol, rtol) for a, n in zip(analytic, numeric)]
    if any(bad):
        raise GradcheckError(_table(names, xs, analytic, numeric, bad, atol, rtol))
    return True


def gradgradcheck(f: Function, inputs: Sequence[float], eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, relative: bool = False) -> bool:
    """True when every second derivative of f at inputs (backward(create_graph=True)) is within atol + rtol * |numeric|
    of central differences of backward()'s gradient; else GradcheckError with a table of the entries that disagree.

    eps, relative, atol and rtol as in gradcheck. Entry (i, j) is d2f / dx_i dx_j, the inputs' numbers in order.
    """
    from .functional import hessian  # imported here: functional imports this package's modules

    eps = _check_eps(eps)
    names, xs = _flat_inputs(inputs)
    analytic = hessian(f, inputs)
    numeric = _numerical_hessian(f, [as_number(x, "a gradient check") for x in inputs], eps, relative)
    bad = [[not _close(a, n, atol, rtol) for a, n in zip(row_a, row_n)] for row_a, row_n in zip(analytic, numeric)]
    if any(map(any, bad)):
        raise GradcheckError(_hessian_table(names, analytic, numeric, bad, atol, rtol))
    return True


def _numerical_hessian(f: Function, xs: list, eps: float, relative: bool) -> np.ndarray:
    """Central differences of backward()'s gradient, one column per number of the inputs."""
    gradient = lambda xs: np.array(_flat(analytic_grad(f, xs)))  # noqa: E731
    columns = []
    for i, x in enumerate(xs):
        for j in [None] if type(x) is float else list(np.ndindex(x.shape)):
            columns.append(_difference(gradient, xs, i, j, eps, relative))
    return np.array(columns).T


def _hessian_table(names, analytic, numeric, bad, atol, rtol) -> str:
    wrong = [(i, j) for i, row in enumerate(bad) for j, b in enumerate(row) if b]
    labels = [f"d2f/d{names[i]}d{names[j]}" for i, j in wrong]
    width = max(8, *map(len, labels))
    rows = [f"second-derivative check failed for {len(wrong)} of {len(bad) ** 2} entries (atol={atol:g}, "
            f"rtol={rtol:g}):",
            f"{'entry':>{width}} {'analytic':>14} {'numeric':>14} {'abs diff':>11} {'rel diff':>11}"]
    for label, (i, j) in zip(labels, wrong):
        a, n = float(analytic[i][j]), float(numeric[i][j])
        d = abs(a - n)
        rel = d / abs(n) if n else math.inf if d else 0.0
        rows.append(f"{label:>{width}} {a:>14.8g} {n:>14.8g} {d:>11.3g} {rel:>11.3g}")
    return "\n".join(rows)


def grad_difference(analytic: Sequence[float], numeric: Sequence[float]) -> float:
    """The course's check ||g - g'|| / (||g|| + ||g'||): below 1e-7 is great, above 1e-3 means a bug.

    Scale-free: 1e-200 against 1.1e-200 gives 0.1/2.1 as 1 against 1.1 does. Two zero vectors give 0. A nan on
    either side gives nan (fails every `< 1e-7`). An entry infinite on both sides with the same sign agrees (as in
    numpy.allclose) and is left out; any other infinity gives 1.0, the formula's largest value: complete disagreement.
    """
    analytic, numeric = _flat(analytic), _flat(numeric)
    if len(analytic) != len(numeric):
        raise ValueError(f"grad_difference: {len(analytic)} analytic and {len(numeric)} numeric gradients")
    pairs = [(a, n) for a, n in zip(analytic, numeric) if not (a == n and math.isinf(a))]
    if any(math.isnan(a) or math.isnan(n) for a, n in pairs):
        return math.nan
    if any(math.isinf(a) or math.isinf(n) for a, n in pairs):
        return 1.0
    largest = max((max(abs(a), abs(n)) for a, n in pairs), default=0.0)
    if not largest:
        return 0.0
    shift = -math.frexp(largest)[1]  # scale by a power of two, exactly, so that no square under- or overflows
    a = [math.ldexp(x, shift) for x, _ in pairs]
    n = [math.ldexp(x, shift) for _, x in pairs]
    return math.hypot(*(x - y for x, y in zip(a, n))) / (math.hypot(*a) + math.hypot(*n))


def _difference(evaluate: Callable, xs: list, i: int, j: tuple[int, ...] | None, eps: float, relative: bool):
    """The central difference of evaluate(inputs) for input i, or for number j (an index tuple) of input i."""
    x = xs[i] if j is None else float(xs[i][j])
    h = eps * abs(x) if relative else 0.0
    if not h:  # not relative, or x too close to 0 for a step relative to it
        h = eps * max(1.0, abs(x))
    if x + h == x - h:
        name = f"x{i}" if j is None else _entry(i, j)
        raise ValueError(f"eps={eps:g} is too small to step {name} = {x:g}: x + h and x - h are the same float")
    up, down = xs.copy(), xs.copy()
    if j is None:
        up[i], down[i] = x + h, x - h
    else:
        up[i], down[i] = xs[i].copy(), xs[i].copy()
        up[i][j], down[i][j] = x + h, x - h
    return (evaluate(up) - evaluate(down)) / ((x + h) - (x - h))


def _entry(i: int, j: tuple[int, ...]) -> str:
    """The name of number j of input i: x1[2], x2[0,1]."""
    return f"x{i}[{','.join(map(str, j))}]"


def _check_eps(eps: float) -> float:
    """eps as a float, or ValueError unless it is a positive finite number."""
    if isinstance(eps, (bool, np.bool_)) or not isinstance(eps, (int, float, np.integer, np.floating)) \
            or not 0 < eps < math.inf:
        raise ValueError(f"eps must be a positive finite number (the finite-difference step), got {eps!r:.40}")
    return float(eps)


def _flat(grads: Sequence) -> list[float]:
    """Gradients, a vector's spread out into its numbers."""
    return [float(g) for item in grads for g in np.ravel(item)]


def _flat_inputs(inputs: Sequence) -> tuple[list[str], list[float]]:
    """Each number of the inputs with its name: x0, or x1[2] for number 2 of a vector, x2[0,1] in a matrix."""
    names, xs = [], []
    for i, x in enumerate(as_number(x, "a gradient check") for x in inputs):
        if type(x) is float:
            names.append(f"x{i}")
            xs.append(x)
        else:
            names += [_entry(i, j) for j in np.ndindex(x.shape)]
            xs += x.ravel().tolist()
    return names, xs


def _evaluate(f: Function, xs: list) -> float:
    out = f(*[Value(x) for x in xs])
    return out.data if isinstance(out, Value) else float(out)


def _close(a: float, n: float, atol: float, rtol: float) -> bool:
    return a == n or abs(a - n) <= atol + rtol * abs(n)


def _table(names, xs, analytic, numeric, bad, atol, rtol) -> str:
    width = max(6, *map(len, names))
    rows = [f"gradient check failed for {sum(bad)} of {len(bad)} inputs (atol={atol:g}, rtol={rtol:g}):",
            f"{'input':>{width}} {'value':>14} {'analytic':>14} {'numeric':>14} {'abs diff':>11} {'rel diff':>11}"]
    for name, x, a, n, wrong in zip(names, xs, analytic, numeric, bad):
        d = abs(a - n)
        rel = d / abs(n) if n else math.inf if d else 0.0
        rows.append(f"{name:>{width}} {x:>14.6g} {a:>14.8g} {n:>14.8g} {d:>11.3g} {rel:>11.3g}"
                    + ("  <- wrong" if wrong else ""))
    return "\n".join(rows)
