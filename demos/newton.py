"""Newton's method against gradient descent, with the Hessian from autograd's second derivatives.

Newton's step theta <- theta - H^-1 g uses the cost's curvature H (autograd.hessian: one backward pass with
create_graph=True, then one more per parameter); gradient descent's theta <- theta - lr g uses the slope alone.
Both run on the same cost, a function of the parameters built with nn, and stop at the same tolerance.

a. Logistic regression with two features on the 47 Portland houses (nn.load_portland_housing(): size and
   bedrooms, standardized), each labelled 1 when its price is above the median of $299,900 (23 of 47). Chosen
   because it is real data that ships with nn, has exactly two features that mean something, and is not linearly
   separable, so the cost has a finite minimum for Newton's method to land on (on separable data the best weights
   are infinite). The cat pictures have 12,288 features: any two of them would be an arbitrary pick.
b. Least squares on the same houses' prices, house_prices' part 2: the cost is quadratic, its second-order Taylor
   expansion is the cost itself, so one Newton step from any start lands on numpy's least-squares answer. Then on
   the raw features, square feet in the thousands beside a handful of bedrooms: Newton does not mind the scales,
   gradient descent does.

Gradient descent's learning rate is the textbook 1/L, with L the largest curvature the cost has anywhere:
(1/4m) lambda_max(AᵀA) for logistic regression (a sigmoid's slope is at most 1/4) and (2/m) lambda_max(AᵀA) for
least squares, A = [X 1]. With it every step lowers the cost. Logistic regression stops at |gradient| <= 1e-10,
not 1e-8: the cost's smallest curvature is about 0.02, so a gradient of 1e-8 could leave the weights 5e-7 off.

    python -m demos.newton
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import autograd
import nn
from demos._output import figure, out_path
from demos.house_prices import SCALE, least_squares as exact_least_squares

GRADIENT_TOL = 1e-10  # logistic regression: both methods stop at this |gradient|
RELATIVE_TOL = 1e-9  # least squares: both stop within this relative difference of numpy's answer
CAP = 100_000  # gradient descent gives up here


@dataclass
class Run:
    """Where a method stopped: parameters, cost, steps taken, whether it met the tolerance, |gradient| per step."""

    theta: np.ndarray
    cost: float
    iterations: int
    converged: bool
    norms: list[float] = field(repr=False)


def minimize(cost: Callable, theta, step: Callable, done: Callable, cap: int) -> Run:
    """From theta, theta <- step(theta, g) until done(theta, g) holds or cap steps are taken."""
    value_and_grad = autograd.value_and_grad(cost)
    theta, norms = np.array(theta, dtype=float), []
    for k in range(cap + 1):
        J, g = value_and_grad(*theta)
        g = np.array(g)
        norms.append(float(np.linalg.norm(g)))
        if done(theta, g) or k == cap:
            return Run(theta, J, k, bool(done(theta, g)), norms)
        theta = step(theta, g)
    raise AssertionError("unreachable")


def newton_step(cost: Callable) -> Callable:
    """theta - H^-1 g, the Hessian H from autograd."""
    return lambda theta, g: theta - np.linalg.solve(autograd.hessian(cost, list(theta)), g)


def gradient_step(lr: float) -> Callable:
    """theta - lr g."""
    return lambda theta, g: theta - lr * g


def model_cost(model: nn.Module, loss: Callable, X: np.ndarray, y: np.ndarray) -> Callable:
    """The model's mean loss on X, y as a function of its parameters (w1, w2, b), one Value each."""
    def cost(w1, w2, b):
        model.w, model.b = [w1, w2], b
        return loss(model(X), y)
    return cost


def largest_curvature(X: np.ndarray, factor: float) -> float:
    """factor * lambda_max(AᵀA) / m with A = [X 1]: a bound on the cost's curvature, for the rate 1/L."""
    A = np.column_stack([X, np.ones(len(X))])
    return factor * float(np.linalg.eigvalsh(A.T @ A)[-1]) / len(X)


def logistic(cap: int = CAP) -> dict:
    """Part a: both methods from zero to |gradient| <= GRADIENT_TOL on the houses priced above the median."""
    X, price = nn.load_portland_housing()
    y = (price > np.median(price)).astype(float)
    Xs = nn.standardize(X)[0]
    cost = model_cost(nn.LogisticRegression(2), nn.binary_cross_entropy, Xs, y)
    lr = 1 / largest_curvature(Xs, 0.25)
    done = lambda theta, g: np.linalg.norm(g) <= GRADIENT_TOL  # noqa: E731
    runs = {"Newton": minimize(cost, np.zeros(3), newton_step(cost), done, 100),
            "gradient descent": minimize(cost, np.zeros(3), gradient_step(lr), done, cap)}
    print(f"a. Logistic regression, 'price above ${np.median(price):,.0f}' ({int(y.sum())} of {len(y)} houses) from "
          f"size and bedrooms (standardized),\n   nn.LogisticRegression(2), mean binary cross-entropy, from zero "
          f"weights to |gradient| <= {GRADIENT_TOL:g}:\n")
    _table(runs, {"w1 (size)": 0, "w2 (bedrooms)": 1, "b": 2}, lr)
    newton, descent = runs["Newton"].theta, runs["gradient descent"].theta
    print(f"   The two answers differ by at most {np.max(np.abs(newton - descent)):.1e}.\n")
    return {"lr": lr, **runs}


def least_squares(seed: int = 0, cap: int = CAP, raw_cap: int = 10_000) -> dict:
    """Part b: one Newton step from zeros and from a random start, then gradient descent, to numpy's lstsq answer."""
    X, price = nn.load_portland_housing()
    y = price / SCALE
    exact = exact_least_squares(X, price)  # $ intercept, $ per sq ft, $ per bedroom
    Xs, mean, std = nn.standardize(X)

    def dollars(theta, scaled=True):
        """(w1, w2, b) of the model on prices in $100k as (intercept, per sq ft, per bedroom) in dollars."""
        w, b = theta[:2] / std if scaled else theta[:2], theta[2]
        return SCALE * np.array([b - (w @ mean if scaled else 0.0), *w])

    def done(scaled=True):
        return lambda theta, g: _difference(dollars(theta, scaled), exact) <= RELATIVE_TOL

    start = np.random.default_rng(seed).normal(scale=10.0, size=3)
    runs = {}
    for name, Z, scaled, rate_cap in [("standardized", Xs, True, cap), ("raw", X, False, raw_cap)]:
        cost = model_cost(nn.LinearRegression(2), nn.mse, Z, y)
        lr = 1 / largest_curvature(Z, 2.0)
        runs[name] = {"Newton from zeros": minimize(cost, np.zeros(3), newton_step(cost), done(scaled), 100),
                      "Newton from random": minimize(cost, start, newton_step(cost), done(scaled), 100),
                      "gradient descent": minimize(cost, np.zeros(3), gradient_step(lr), done(scaled), rate_cap)}
        for run in runs[name].values():
            run.theta = dollars(run.theta, scaled)
        runs[name]["lr"] = lr
        runs[name]["condition"] = float(np.linalg.cond(autograd.hessian(cost, [0.0, 0.0, 0.0])))

    print(f"b. Least squares on the prices, nn.LinearRegression(2) and nn.mse (prices in $100k), numpy's lstsq "
          f"beside it;\n   each method stops within {RELATIVE_TOL:g} relative of lstsq. The random start is "
          f"{np.array2string(start, precision=2)}.\n")
    rows = {"intercept ($)": 0, "$ per sq ft": 1, "$ per bedroom": 2}
    for name, label in [("standardized", "Standardized features"), ("raw", "Raw features (sq ft, bedrooms)")]:
        runs[name]["difference"] = {k: _difference(r.theta, exact) for k, r in runs[name].items() if isinstance(r, Run)}
        condition = runs[name]["condition"]
        print(f"   {label}: the Hessian's condition number is {condition:.3g}.")
        _table({k: r for k, r in runs[name].items() if isinstance(r, Run)}, rows, runs[name]["lr"], exact,
               runs[name]["difference"])
        print(f"   Gradient descent's error along the flattest direction shrinks by 1 - 1/{condition:.3g} a step, "
              f"about {condition * np.log(1 / RELATIVE_TOL):.2g} steps.\n")
    print("   The cost is quadratic, so one Newton step solves it from anywhere, whatever the features' scales.\n")
    return {"exact": exact, "start": start, **runs}


def main(raw_cap: int = 10_000, out_dir: str = "out") -> dict:
    """Run both parts, print them side by side, save the |gradient| curves; returns every run."""
    print("Newton's method, theta <- theta - H^-1 g with H = autograd.hessian(cost, theta), against gradient "
          "descent.\n")
    numbers = {"logistic": logistic(), "least squares": least_squares(raw_cap=raw_cap)}
    _draw(numbers, out_dir)
    return numbers


def _difference(theta: np.ndarray, exact: np.ndarray) -> float:
    """The largest relative difference between two parameter vectors, entry by entry."""
    return float(np.max(np.abs(theta - exact) / np.abs(exact)))


def _table(runs: dict, rows: dict, lr: float, exact: np.ndarray | None = None,
           differences: dict | None = None) -> None:
    """The runs side by side: step, steps taken, cost, each parameter (with numpy's answer and the difference)."""
    def line(label: str, cells: list, fmt: str = "") -> None:
        print(f"   {label:16}" + "".join(f"{c:>20{fmt}}" if c != "" else " " * 20 for c in cells))

    line("", list(runs) + (["numpy lstsq"] if exact is not None else []))
    line("step", ["H^-1 g" if name.startswith("Newton") else f"{lr:.4g} g" for name in runs])
    line("iterations", [f"{r.iterations:,}" + ("" if r.converged else " (cap)") for r in runs.values()])
    line("final cost", [r.cost for r in runs.values()], ".12f")
    for label, i in rows.items():
        line(label, [r.theta[i] for r in runs.values()] + ([exact[i]] if exact is not None else []), ".10g")
    if differences is not None:
        line("vs lstsq (rel.)", [differences[k] for k in runs], ".1e")
    for name, run in runs.items():
        if not run.converged:
            print(f"   {name} stopped at its cap of {run.iterations:,} iterations, short of the tolerance.")


def _draw(numbers: dict, out_dir: str) -> None:
    """|gradient| per iteration on a log scale, Newton against gradient descent, for both problems."""
    fig = figure(figsize=(10, 4))
    if fig is None:
        return
    left, right = fig.subplots(1, 2)
    for ax, runs, title in [(left, numbers["logistic"], "a. logistic regression"),
                            (right, numbers["least squares"]["standardized"], "b. least squares (standardized)")]:
        for name, run in runs.items():
            if isinstance(run, Run):
                steps = f"{run.iterations:,} step{'s' * (run.iterations != 1)}"
                ax.semilogy(range(len(run.norms)), np.maximum(run.norms, 1e-17),
                            marker="o" if run.iterations < 20 else None, label=f"{name}: {steps}")
        ax.set(xlabel="iteration", ylabel="|gradient|", title=title)
        ax.legend()
    path = out_path("newton.png", out_dir)
    fig.savefig(path, dpi=100)
    print(f"|gradient| per iteration saved to {path}")


if __name__ == "__main__":
    main()
