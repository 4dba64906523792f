"""Hypothesis strategies for property-testing functions of Values; import them in your own tests.

    from hypothesis import given
    from autograd import gradcheck
    from autograd.testing import expressions

    @given(expressions())
    def test_backward_matches_finite_differences(expr):
        assert gradcheck(expr, expr.inputs)

The same expressions serve second derivatives (backward(create_graph=True)): `gradgradcheck(expr, expr.inputs)`.

`OPERATIONS` is the one table of every operation: how to apply it to Values, its plain-float twin, and the inputs
where its derivative exists (`domain`). The engine's own tests are driven by it: `operation_cases()` draws an
operation and inputs from its whole domain, extremes included (`operation_inputs(name)` for one operation), for a
property of every operation, first order (gradcheck) or second (gradgradcheck); pass `relative=name in
RELATIVE_STEP` to either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from hypothesis import strategies as st

from .modes import no_grad
from .nary import dot, sum
from .value import Value

_BIG = 1e300  # finite, far from zero: "large |x|" with room for a small step either side


def reals(min_value: float = -_BIG, max_value: float = _BIG, min_abs: float = 0.0) -> st.SearchStrategy[float]:
    """Finite floats in [min_value, max_value] (extremes and zero included), at least min_abs away from 0."""
    values = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)
    return values.filter(lambda x: abs(x) >= min_abs) if min_abs else values


@dataclass(frozen=True)
class Operation:
    """One operation: `apply` on Values, `reference` on floats, `domain` a strategy for each input."""

    apply: Callable[..., Value]
    reference: Callable[..., float]
    domain: tuple[st.SearchStrategy[float], ...]


def _pos(lo: float = 1e-300, hi: float = _BIG) -> st.SearchStrategy[float]:
    return reals(lo, hi)


OPERATIONS: dict[str, Operation] = {
    # Derivatives are checked away from kinks (relu, abs at 0) and poles, where no derivative exists.
    "add": Operation(lambda a, b: a + b, lambda a, b: a + b, (reals(-1e307, 1e307), reals(-1e307, 1e307))),
    "sub": Operation(lambda a, b: a - b, lambda a, b: a - b, (reals(-1e307, 1e307), reals(-1e307, 1e307))),
    "mul": Operation(lambda a, b: a * b, lambda a, b: a * b, (reals(-1e150, 1e150), reals(-1e150, 1e150))),
    "div": Operation(lambda a, b: a / b, lambda a, b: a / b, (reals(-1e100, 1e100), reals(-1e100, 1e100, 1e-100))),
    "neg": Operation(lambda a: -a, lambda a: -a, (reals(),)),
    # A constant on either side: each side is its own code path.
    "add_const": Operation(lambda a: a + 2.5, lambda a: a + 2.5, (reals(),)),
    "const_add": Operation(lambda a: 2.5 + a, lambda a: 2.5 + a, (reals(),)),
    "sub_const": Operation(lambda a: a - 2.5, lambda a: a - 2.5, (reals(),)),
    "const_sub": Operation(lambda a: 2.5 - a, lambda a: 2.5 - a, (reals(),)),
    "mul_const": Operation(lambda a: a * 3, lambda a: a * 3, (reals(-1e307, 1e307),)),
    "const_mul": Operation(lambda a: 3 * a, lambda a: 3 * a, (reals(-1e307, 1e307),)),
    "div_const": Operation(lambda a: a / 4, lambda a: a / 4, (reals(),)),
    "const_div": Operation(lambda a: 2 / a, lambda a: 2 / a, (reals(-1e150, 1e150, 1e-150),)),
    "square": Operation(lambda a: a ** 2, lambda a: a ** 2, (reals(-1e150, 1e150),)),
    "cube": Operation(lambda a: a ** 3, lambda a: a ** 3, (reals(-1e100, 1e100),)),
    "reciprocal": Operation(lambda a: a ** -1, lambda a: 1 / a, (reals(-1e150, 1e150, 1e-150),)),
    "pow_half": Operation(lambda a: a ** 0.5, math.sqrt, (_pos(1e-300),)),
    "const_pow": Operation(lambda a: 2 ** a, lambda a: 2.0 ** a, (reals(-1000, 1000),)),
    "pow": Operation(lambda a, b: a ** b, lambda a, b: a ** b, (_pos(1e-3, 1e3), reals(-5, 5))),
    "exp": Operation(lambda a: a.exp(), math.exp, (reals(-_BIG, 700),)),
    "log": Operation(lambda a: a.log(), math.log, (_pos(),)),
    "sqrt": Operation(lambda a: a.sqrt(), math.sqrt, (_pos(),)),
    "tanh": Operation(lambda a: a.tanh(), math.tanh, (reals(),)),
    "sigmoid": Operation(lambda a: a.sigmoid(), lambda a: 1 / (1 + math.exp(-a)) if a > -700 else 0.0, (reals(),)),
    "softplus": Operation(lambda a: a.softplus(), lambda a: max(a, 0.0) + math.log1p(math.exp(-abs(a))), (reals(),)),
    "relu": Operation(lambda a: a.relu(), lambda a: max(a, 0.0), (reals(min_abs=1e-6),)),
    "abs": Operation(lambda a: abs(a), abs, (reals(min_abs=1e-6),)),
    "sum": Operation(lambda a, b, c: sum([a, 2.0, b, c]), lambda a, b, c: a + 2.0 + b + c,
                     (reals(-1e300, 1e300),) * 3),
    "dot": Operation(lambda a, b, c: dot([a, b], [c, 3.0]), lambda a, b, c: a * c + b * 3.0,
                     (reals(-1e100, 1e100),) * 3),
}


# A pole or boundary at 0 (1/x, log x, sqrt x): finite differences at x = 1e-200 need a step that is a fraction of x
# itself (relative=True in numerical_grad, gradcheck and gradgradcheck), never one that crosses 0.
RELATIVE_STEP = frozenset({"div", "const_div", "reciprocal", "log", "sqrt", "pow_half"})


def operation_inputs(name: str) -> st.SearchStrategy[list[float]]:
    """One input per argument of OPERATIONS[name], each from its whole domain (extremes and zero included)."""
    if name not in OPERATIONS:
        raise ValueError(f"unknown operation {name!r}; OPERATIONS has {', '.join(sorted(OPERATIONS))}")
    return st.tuples(*OPERATIONS[name].domain).map(list)


@st.composite
def operation_cases(draw: st.DrawFn, names: Sequence[str] | None = None) -> tuple[str, list[float]]:
    """An operation's name (from names, or all of OPERATIONS) and one input per argument from its whole domain."""
    name = draw(st.sampled_from(sorted(OPERATIONS if names is None else names)))
    return name, draw(operation_inputs(name))


@dataclass(frozen=True)
class Expression:
    """A random function of Values: `expr(*values)` replays its steps; `expr.inputs` are floats in its domain."""

    inputs: tuple[float, ...]
    steps: tuple[tuple[str, tuple[int, ...]], ...]  # (operation name, indices into inputs + earlier results)

    def __call__(self, *values: Value) -> Value:
        pool = list(values)
        for name, args in self.steps:
            pool.append(OPERATIONS[name].apply(*(pool[i] for i in args)))
        return pool[-1]

    def __repr__(self) -> str:
        names = [f"x{i}" for i in range(len(self.inputs))]
        for name, args in self.steps:
            names.append(f"{name}({', '.join(names[i] for i in args)})")
        return f"Expression({names[-1]} at {list(self.inputs)})"


# Conditions that keep each step inside its operation's domain, away from kinks and poles and overflow,
# so that central differences are a fair judge.
_SAFE: dict[str, Callable[..., bool]] = {
    "div": lambda a, b: abs(b) > 0.1, "const_div": lambda a: abs(a) > 0.1, "reciprocal": lambda a: abs(a) > 0.1,
    "pow_half": lambda a: a > 0.1, "pow": lambda a, b: 0.1 < a < 100 and abs(b) < 4,
    "log": lambda a: a > 0.1, "sqrt": lambda a: a > 0.1, "exp": lambda a: a < 5, "const_pow": lambda a: a < 10,
    "relu": lambda a: abs(a) > 0.01, "abs": lambda a: abs(a) > 0.01,
}


@st.composite
def expressions(draw: st.DrawFn, max_inputs: int = 3, max_steps: int = 8) -> Expression:
    """Random expression graphs over all operations (inputs reused, so nodes get several users)."""
    n = draw(st.integers(1, max_inputs))
    inputs = tuple(draw(st.lists(reals(-3, 3), min_size=n, max_size=n)))
    pool = list(inputs)
    steps = []
    for _ in range(draw(st.integers(1, max_steps))):
        name = draw(st.sampled_from(sorted(OPERATIONS)))
        arity = len(OPERATIONS[name].domain)
        args = tuple(draw(st.integers(0, len(pool) - 1)) for _ in range(arity))
        xs = [pool[i] for i in args]
        if not _SAFE.get(name, lambda *_: True)(*xs):
            continue
        with no_grad():
            y = OPERATIONS[name].apply(*(Value(x) for x in xs)).data
        if math.isfinite(y) and abs(y) < 1e4:
            pool.append(y)
            steps.append((name, args))
    if not steps:  # nothing fitted: the sum of the inputs
        steps.append(("sum", (0, 0, n - 1)))
    return Expression(inputs, tuple(steps))
