"""demos.newton: Newton's method (Hessians from autograd) against gradient descent, checked against numpy."""

import contextlib
import io

import numpy as np
import pytest

import autograd
import nn
from demos import newton


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The demo's run, gradient descent on the raw housing features capped at 50 steps (it needs ~2e9): its
    numbers, what it printed, and its output directory."""
    out_dir, printed = tmp_path_factory.mktemp("out"), io.StringIO()
    with contextlib.redirect_stdout(printed):
        numbers = newton.main(raw_cap=50, out_dir=str(out_dir))
    return numbers, printed.getvalue(), out_dir


@pytest.fixture(scope="module")
def numbers(run):
    return run[0]


def design(X):
    return np.column_stack([X, np.ones(len(X))])  # columns w1, w2, b: the demo's parameter order


def houses_above_median():
    X, price = nn.load_portland_housing()
    return nn.standardize(X)[0], (price > np.median(price)).astype(float)


def test_newton_and_gradient_descent_find_the_same_logistic_regression(numbers):
    runs = numbers["logistic"]
    newton_run, descent = runs["Newton"], runs["gradient descent"]
    assert newton_run.converged and descent.converged
    assert np.allclose(newton_run.theta, descent.theta, rtol=0, atol=1e-6)
    assert newton_run.cost == pytest.approx(descent.cost, abs=1e-12)
    assert newton_run.iterations < descent.iterations
    assert newton_run.iterations <= 10  # quadratic convergence: a handful of steps


def test_the_logistic_answer_is_where_numpys_gradient_vanishes(numbers):
    X, y = houses_above_median()
    A, theta = design(X), numbers["logistic"]["Newton"].theta
    p = 1 / (1 + np.exp(-A @ theta))
    assert np.linalg.norm(A.T @ (p - y) / len(y)) < 1e-10


def test_the_hessian_newton_uses_is_the_closed_form(numbers):
    X, y = houses_above_median()
    theta = np.array([0.3, -0.2, 0.1])
    cost = newton.model_cost(nn.LogisticRegression(2), nn.binary_cross_entropy, X, y)
    A = design(X)
    p = 1 / (1 + np.exp(-A @ theta))
    closed = A.T @ (A * (p * (1 - p))[:, None]) / len(y)  # (1/m) Aᵀ diag(p (1 - p)) A
    assert np.allclose(autograd.hessian(cost, list(theta)), closed, rtol=1e-12, atol=1e-15)


def test_one_newton_step_lands_on_numpys_least_squares_from_either_start(numbers):
    X, price = nn.load_portland_housing()
    exact = np.linalg.lstsq(np.column_stack([np.ones(len(X)), X]), price, rcond=None)[0]
    runs = numbers["least squares"]
    assert not np.allclose(runs["start"], 0.0)
    for features in ("standardized", "raw"):
        for start in ("Newton from zeros", "Newton from random"):
            run = runs[features][start]
            assert run.iterations == 1 and run.converged
            assert np.allclose(run.theta, exact, rtol=1e-9, atol=0), (features, start)


def test_gradient_descent_needs_many_steps_and_the_raw_features_hit_the_cap(numbers):
    runs = numbers["least squares"]
    descent = runs["standardized"]["gradient descent"]
    assert descent.converged and descent.iterations > 10
    assert runs["standardized"]["difference"]["gradient descent"] <= 1e-9
    raw = runs["raw"]["gradient descent"]
    assert not raw.converged and raw.iterations == 50
    assert runs["raw"]["condition"] > 1e7  # why it needs so many: sq ft in the thousands beside a few bedrooms


def test_the_demo_prints_both_tables_and_saves_its_picture(run):
    _, out, out_dir = run
    assert "a. Logistic regression" in out and "b. Least squares" in out
    assert out.count("numpy lstsq") == 2 and "50 (cap)" in out
    assert "gradient descent stopped at its cap of 50 iterations" in out
    assert (out_dir / "newton.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
