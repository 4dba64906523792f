"""The course's cat classifier (week 2): logistic regression from zero weights, learning rate 0.005.

The course prints the cost every 100 iterations (0.693147 at 0, 0.584508 at 100, 0.466949 at 200, ...,
0.140872 at 1900) and reports train accuracy 99.04 % and test accuracy 70.0 % after 2000 iterations. The full run
is the demo (python -m demos.cat_classifier); here the demo trains 201 iterations and its costs must be the
course's, and its accuracies those of the course's own numpy code stopped at the same iteration.
"""

import numpy as np
import pytest

import nn
from demos import cat_classifier

COURSE_COSTS = {0: 0.693147, 100: 0.584508, 200: 0.466949, 1900: 0.140872}
COURSE_ACCURACY = {"train": 99.04, "test": 70.0}


def course_numpy(train_x, train_y, test_x, test_y, iterations, lr=0.005):
    """The assignment's optimize() and predict(), as the course writes them: pictures as columns, X of (n, m)."""
    X, Y = train_x.T, train_y.reshape(1, -1)
    m = X.shape[1]
    w, b, costs = np.zeros((X.shape[0], 1)), 0.0, []
    for _ in range(iterations):
        A = 1 / (1 + np.exp(-(w.T @ X + b)))
        costs.append(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m)
        dw, db = X @ (A - Y).T / m, np.sum(A - Y) / m
        w, b = w - lr * dw, b - lr * db

    def accuracy(x, y):
        return 100 * np.mean((1 / (1 + np.exp(-(w.T @ x.T + b))) > 0.5).ravel() == y)

    return costs, accuracy(train_x, train_y), accuracy(test_x, test_y)


def test_the_course_numpy_code_on_our_bundled_data_gives_the_published_run():
    cats = nn.load_cat_images()
    costs, train, test = course_numpy(*cats[:4], iterations=2000)
    assert round(costs[1900], 6) == COURSE_COSTS[1900]
    assert (round(train, 2), round(test, 2)) == (COURSE_ACCURACY["train"], COURSE_ACCURACY["test"])


def test_the_cat_demo_follows_the_course_cost_and_accuracy(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    ours = cat_classifier.main(iterations=201, loop_iterations=1)
    cost = ours["history"].cost
    for i in (0, 100, 200):
        assert round(cost[i], 6) == COURSE_COSTS[i]
    cats = nn.load_cat_images()
    course_costs, train, test = course_numpy(*cats[:4], iterations=201)
    np.testing.assert_allclose(cost, course_costs, rtol=1e-10)
    assert ours["train"] == pytest.approx(train) and ours["test"] == pytest.approx(test)
    out = capsys.readouterr().out
    assert "cost after iteration 200: 0.466949" in out
    assert out.count("same costs (largest difference") == 2  # both for loops put back agree with the vectorized run
    assert ours["both loops"] > ours["weight loop"] > 1
    assert (tmp_path / "out" / "cat_cost.png").stat().st_size > 0
