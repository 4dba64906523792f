"""bench/run.py's second-order step on W3, and bench/batched.py's flower runs, compute what they claim to time (their
timings are not tested here)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd import Value


def _load_bench(name: str = "run"):
    """bench/<name>.py as a module (bench/ is not a package)."""
    path = Path(__file__).resolve().parent.parent / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = _load_bench()


def _small_w3(e):
    """W3's model and loss, smaller: MLP(2, [4, 4, 1]) on 12 moons points."""
    X, y = run.moons(n=12)
    model = run.MLP(run.mlp_weights((2, 4, 4, 1)), e.param)
    params = model.parameters()
    return params, lambda: run.hinge_loss(model, params, X, y, e.constant)


def _gradient_at(e, params, loss_fn, values) -> np.ndarray:
    """The first-order gradient of the loss with the parameters set to values."""
    for p, x in zip(params, values):
        p.data = float(x)
    e.zero_grad(params)
    loss_fn().backward()
    return np.array([p.grad for p in params])


def test_the_hvp_step_leaves_the_hessian_times_v_in_the_grads():
    e = run.Ours()
    params, loss_fn = _small_w3(e)
    x0 = np.array([p.data for p in params])
    v = np.array(run.direction(len(params)))
    run.second_order_step(e, params, loss_fn, "hvp")()
    hv = np.array([p.grad for p in params])
    h = 1e-6  # the gradient is piecewise polynomial in the weights: central differences of it are near exact
    numeric = (_gradient_at(e, params, loss_fn, x0 + h * v) - _gradient_at(e, params, loss_fn, x0 - h * v)) / (2 * h)
    assert np.count_nonzero(numeric) > len(params) // 2
    np.testing.assert_allclose(hv, numeric, rtol=1e-5, atol=1e-8)


def test_hvp_check_reads_the_same_numbers_as_the_step():
    e = run.Ours()
    params, loss_fn = _small_w3(e)
    picks = (0, 5, len(params) - 1)
    checked = run.hvp_check(e, params, loss_fn, picks)
    run.second_order_step(e, params, loss_fn, "hvp")()
    assert checked[1 + len(picks):] == [params[i].grad for i in picks]
    assert checked[:1 + len(picks)] == run.loss_and_grads(e, params, loss_fn, picks)


def test_the_graph_step_gives_the_first_order_gradient_as_values():
    e = run.Ours()
    params, loss_fn = _small_w3(e)
    loss, grads = run.second_order_step(e, params, loss_fn, "graph")()
    assert all(type(g) is Value for g in grads)
    first = run.second_order_step(e, params, loss_fn, "first")()
    assert first.data == loss.data
    assert [g.data for g in grads] == pytest.approx([p.grad for p in params], rel=1e-12, abs=1e-15)
    assert run.second_order_step(e, params, loss_fn, "forward")().data == loss.data


def test_second_order_step_refuses_an_unknown_pass():
    e = run.Ours()
    with pytest.raises(ValueError, match="until must be one of"):
        run.second_order_step(e, *_small_w3(e), "third")


def test_the_flower_runs_of_the_batched_bench_all_compute_the_courses_costs_and_weights():
    # the course's loop (inlined, and as the notebook writes it), our math alone, micrograd's design on arrays and
    # ours: timed side by side, so each must do the same work: the same costs, step by step, and the same weights
    batched = _load_bench("batched")
    X, y = nn.make_flower()
    state, numpy_run = batched.flower_numpy(X, y)
    others = [batched.flower_notebook(X, y), batched.flower_floor(X, y), batched.flower_tape(X, y)]
    model, costs, ours_run = batched.matrix_ours(X, y, [4, 1], "tanh", "small", 2, batched.FLOWER_LR)
    for run_k in (numpy_run, ours_run, *(r for _, r in others)):
        run_k(30)
    assert costs[0] == pytest.approx(0.693048, abs=1e-6) and len(costs) == 30
    ours = {"costs": costs, "params": [p.data for p in model.parameters()]}
    for other in (*(o for o, _ in others), ours):
        np.testing.assert_allclose(other["costs"], state["costs"], rtol=0, atol=1e-13)
        for p, q in zip(other["params"], state["params"]):
            np.testing.assert_allclose(p, q, rtol=0, atol=1e-13)
