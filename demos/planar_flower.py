"""The course's week 3: one hidden layer separates the flower that logistic regression cannot.

The data is the course's 400-point flower (nn.make_flower()). Logistic regression first, then the course's network:
Z[1] = W[1] X + b[1], A[1] = tanh(Z[1]), Z[2] = W[2] A[1] + b[2], A[2] = sigmoid(Z[2]), with 4 hidden units,
np.random.seed(2) and W = randn * 0.01 (init="small"), learning rate 1.2, 10,000 iterations of full-batch gradient
descent on the cross-entropy cost, one matrix Value per layer (MLP(..., matrix=True)). Prints our costs beside the
course's, then the course's sweep of hidden-layer sizes, and saves the decision boundaries and the cost curve.

    python -m demos.planar_flower
"""

from __future__ import annotations

import time

import numpy as np

import nn
from demos._output import figure, out_path

LEARNING_RATE = 1.2
COURSE_COSTS = {0: 0.693048, 1000: 0.288083, 2000: 0.254385, 3000: 0.233864, 4000: 0.226792, 5000: 0.222644,
                6000: 0.219731, 7000: 0.217504, 9000: 0.218607}
CHAOTIC_FROM = 8000  # at this learning rate the last digits from here on depend on the order of floating-point sums
COURSE_ACCURACY = {"logistic regression": "47", "network": "90"}
COURSE_SWEEP = {1: "67.5", 2: "67.25", 3: "90.75", 4: "90.5", 5: "91.25", 20: "~90", 50: "~90"}


def train_network(X: np.ndarray, y: np.ndarray, hidden: int, iterations: int, print_every: int = 0):
    """The course's nn_model(): np.random.seed(2), then W = randn * 0.01 layer by layer; returns model and history."""
    np.random.seed(2)
    model = nn.MLP(2, [hidden, 1], "tanh", "sigmoid", init="small", matrix=True)
    history = nn.fit(model, X, y, loss=nn.binary_cross_entropy, optimizer=nn.SGD(model.parameters(), lr=LEARNING_RATE),
                     iterations=iterations, print_every=print_every)
    return model, history


def main(iterations: int = 10000, sweep_iterations: int = 5000, hidden_sizes: tuple[int, ...] = (1, 2, 3, 4, 5, 20, 50),
         out_dir: str = "out") -> dict:
    """Train and print as the course; save the pictures. Returns the costs and accuracies printed (in %)."""
    X, y = nn.make_flower()
    print(f"The flower: {len(y)} points in 2-D, {int(y.sum())} blue (y = 1) and {int(len(y) - y.sum())} red (y = 0); "
          "X is the course's X.T, one point per row.\n")

    logistic = nn.LogisticRegression(2)
    nn.fit(logistic, X, y, loss=nn.binary_cross_entropy, optimizer=nn.SGD(logistic.parameters(), lr=LEARNING_RATE),
           iterations=iterations, progress=False)
    ours = {"logistic regression": 100 * nn.accuracy(logistic.predict(X), y)}
    print(f"Logistic regression ({iterations} iterations): {ours['logistic regression']:.2f} % of the points right "
          f"(the course, with scikit-learn's LogisticRegressionCV: {COURSE_ACCURACY['logistic regression']} %): a "
          "straight line cannot follow the petals.\n")

    print(f"One hidden layer of 4 tanh units: W[1] (4, 2), b[1] (4, 1), W[2] (1, 4), b[2] (1, 1); np.random.seed(2), "
          f"W = randn * 0.01, learning rate {LEARNING_RATE}, {iterations} iterations.")
    start = time.perf_counter()
    model, history = train_network(X, y, 4, iterations, print_every=1000)
    seconds = time.perf_counter() - start
    ours["network"] = 100 * nn.accuracy(model.predict(X) > 0.5, y)
    ours["cost"] = history.cost
    print(f"\n{'iteration':>10}{'ours':>12}{'course':>12}")
    for i, course in COURSE_COSTS.items():
        if i < len(history.cost):
            note = "  (chaotic: last digits vary)" if i >= CHAOTIC_FROM else ""
            print(f"{i:>10}{history.cost[i]:>12.6f}{course:>12.6f}{note}")
    print(f"{'accuracy':>10}{ours['network']:>11.2f}%{COURSE_ACCURACY['network']:>11} %")
    print(f"{iterations} iterations took {seconds:.1f} s ({1000 * seconds / max(iterations, 1):.2f} ms each).")

    print(f"\nThe course's sweep of hidden-layer sizes, {sweep_iterations} iterations each:")
    print(f"{'hidden units':>13}{'ours (%)':>10}{'course (%)':>12}")
    sweep = {}
    for hidden in hidden_sizes:
        trained, _ = train_network(X, y, hidden, sweep_iterations)
        sweep[hidden] = (trained, 100 * nn.accuracy(trained.predict(X) > 0.5, y))
        print(f"{hidden:>13}{sweep[hidden][1]:>10.2f}{COURSE_SWEEP.get(hidden, '-'):>12}")
    ours["sweep"] = {hidden: accuracy for hidden, (_, accuracy) in sweep.items()}

    _draw_boundaries(X, y, [("logistic regression", logistic, ours["logistic regression"]),
                            ("4 hidden units", model, ours["network"])], "flower_boundary.png", out_dir)
    _draw_boundaries(X, y, [(f"{h} hidden unit{'s' if h > 1 else ''}", m, a) for h, (m, a) in sweep.items()],
                     "flower_hidden_sizes.png", out_dir)
    if history.cost:
        path = out_path("flower_cost.png", out_dir)
        try:
            history.plot(path, title=f"The flower, 4 hidden units: cost J per iteration (learning rate "
                                     f"{LEARNING_RATE})")
            print(f"Cost curve saved to {path}")
        except ImportError as e:
            print(f"(no cost curve: {e})")
    return ours


def _draw_boundaries(X: np.ndarray, y: np.ndarray, models: list, name: str, out_dir: str) -> None:
    """One panel per (title, model, accuracy): the points and the region each model calls blue."""
    if not models:
        return
    cols = min(len(models), 4)
    rows = -(-len(models) // cols)
    fig = figure(figsize=(4.2 * cols, 4 * rows))
    if fig is None:
        return
    low, high = X.min(axis=0) - 1, X.max(axis=0) + 1
    gx, gy = np.meshgrid(np.linspace(low[0], high[0], 300), np.linspace(low[1], high[1], 300))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax, (title, model, accuracy) in zip(axes, models):
        z = (np.asarray(model.predict(grid)) > 0.5).reshape(gx.shape).astype(float)
        ax.contourf(gx, gy, z, levels=[-0.5, 0.5, 1.5], colors=["#fcbba1", "#c6dbef"])
        ax.scatter(*X[y == 0].T, c="tab:red", s=10, edgecolors="k", linewidths=0.3)
        ax.scatter(*X[y == 1].T, c="tab:blue", s=10, edgecolors="k", linewidths=0.3)
        ax.set(title=f"{title}: {accuracy:.2f} %", xlabel="$x_1$", ylabel="$x_2$")
    for ax in axes[len(models):]:
        ax.set_visible(False)
    path = out_path(name, out_dir)
    fig.savefig(path, dpi=90)
    print(f"Decision boundar{'ies' if len(models) > 1 else 'y'} saved to {path}")


if __name__ == "__main__":
    main()
