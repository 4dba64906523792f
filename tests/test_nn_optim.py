"""Optimizers: gradient descent w := w - lr dJ/dw, momentum, Adam; and their input checks."""

import numpy as np
import pytest

import nn
from autograd import Value


def params_with_grads(data, grads):
    params = [Value(float(d)) for d in data]
    for p, g in zip(params, grads):
        p.grad = float(g)
    return params


def test_sgd_is_w_minus_lr_times_the_gradient():
    params = params_with_grads([1.0, -2.0, 0.5], [0.5, -1.0, 0.0])
    nn.SGD(params, lr=0.1).step()
    assert [p.data for p in params] == [1.0 - 0.1 * 0.5, -2.0 + 0.1, 0.5]


def test_sgd_with_momentum_keeps_a_running_velocity():
    params = params_with_grads([1.0, 2.0], [1.0, -1.0])
    opt = nn.SGD(params, lr=0.1, momentum=0.9)
    opt.step()  # v = g
    opt.step()  # v = 0.9 g + g (the same grads: they were not zeroed)
    assert [p.data for p in params] == pytest.approx([1.0 - 0.1 * (1 + 1.9), 2.0 + 0.1 * (1 + 1.9)])


def test_adam_matches_the_paper():
    rng = np.random.default_rng(0)
    w0, grads = rng.normal(size=4), rng.normal(size=(3, 4))
    params = [Value(float(x)) for x in w0]
    opt = nn.Adam(params, lr=0.01)
    w, m, v = w0.copy(), np.zeros(4), np.zeros(4)
    for t, g in enumerate(grads, start=1):
        for p, gi in zip(params, g):
            p.grad = float(gi)
        opt.step()
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        w -= 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose([p.data for p in params], w, rtol=1e-14)


@pytest.mark.parametrize("make", [lambda ps: nn.SGD(ps, lr=0.1), lambda ps: nn.Adam(ps)])
def test_zero_grad_clears_every_gradient(make):
    params = params_with_grads([1.0, 2.0], [3.0, 4.0])
    make(params).zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0]


def test_module_zero_grad_clears_every_parameter():
    model = nn.MLP(3, [4, 1], seed=0)
    for p in model.parameters():
        p.grad = 1.0
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


@pytest.mark.parametrize("kwargs, match", [
    ({"lr": 0.0}, "lr must be > 0"), ({"lr": -1.0}, "lr must be > 0"), ({"lr": float("nan")}, "finite"),
    ({"lr": "0.1"}, "finite"), ({"lr": 0.1, "momentum": 1.0}, "momentum"), ({"lr": 0.1, "momentum": -0.5}, "momentum"),
])
def test_sgd_checks_its_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nn.SGD([Value(1.0)], **kwargs)


def test_adam_checks_its_settings():
    for kwargs in ({"lr": 0}, {"betas": (0.9,)}, {"betas": (0.9, 1.0)}, {"eps": 0.0}):
        with pytest.raises(ValueError):
            nn.Adam([Value(1.0)], **kwargs)


def test_optimizers_check_their_parameters():
    p = Value(1.0)
    with pytest.raises(ValueError, match="no parameters"):
        nn.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="twice"):
        nn.SGD([p, p], lr=0.1)
    with pytest.raises(TypeError, match="list of parameters"):
        nn.SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="must be a Value, got 2.0"):
        nn.Adam([p, 2.0])
    with pytest.raises(TypeError, match=r"must be a leaf Value, .* not the result of an operation \('\+'\)"):
        nn.SGD([nn.LogisticRegression(2, vector=True).logit(np.ones((3, 2)))], lr=0.1)


def test_a_step_gives_a_weight_vector_a_new_array_and_leaves_the_graph_alone():
    w = Value(np.array([1.0, 2.0]))
    uses = w * w  # a node whose local derivatives are w's data
    uses.mean().backward()
    before, graph_local = w.data, uses.local_grads[0]
    nn.SGD([w], lr=0.5).step()
    assert w.data.tolist() == [0.5, 1.0] and before.tolist() == [1.0, 2.0] and graph_local.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("optimizer, setting, name", [
    (nn.SGD, "lr", "lr"), (nn.SGD, "momentum", "momentum"), (nn.Adam, "lr", "lr"), (nn.Adam, "eps", "eps"),
    (nn.Adam, "betas", "each beta"),
])
@pytest.mark.parametrize("huge", [10**400, -10**400, 10**5000], ids=["1e400", "-1e400", "1e5000"])  # 1e5000: no repr()
def test_an_int_beyond_float_range_is_refused_naming_the_setting(optimizer, setting, name, huge):
    settings = {"lr": 0.1, setting: (0.9, huge) if setting == "betas" else huge}
    with pytest.raises(ValueError, match=f"^{name} must be a finite number, got an int beyond float range$"):
        optimizer([Value(1.0)], **settings)
