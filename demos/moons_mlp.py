"""micrograd's demo: a two-layer ReLU network, MLP(2, [16, 16, 1]), learns to separate two moons.

Trained vectorized (one graph over all points per step) with the cross-entropy on its logit, to 100% training
accuracy; the decision boundary is saved as a picture.

    python -m demos.moons_mlp
"""

from __future__ import annotations

import time

import numpy as np

import nn
from demos._output import figure, out_path


def main(n: int = 100, iterations: int = 1000, seed: int = 1, out_dir: str = "out") -> float:
    """Train, print the accuracy, draw the boundary; returns the training accuracy."""
    X, y = nn.make_moons(n, noise=0.1, seed=seed)
    model = nn.MLP(2, [16, 16, 1], activation="relu", seed=seed)
    print(f"Two moons: {n} points, noise 0.1. Model: {model}, {len(model.parameters())} parameters.")
    start = time.perf_counter()
    history = nn.fit(model, X, y, loss=nn.binary_cross_entropy_with_logits,
                     optimizer=nn.Adam(model.parameters(), lr=0.01), iterations=iterations, print_every=200)
    seconds = time.perf_counter() - start
    accuracy = nn.accuracy(model.predict(X) > 0, y)
    print(f"\n{iterations} Adam steps in {seconds:.1f} s: cost {history.cost[-1]:.4f}, "
          f"training accuracy {100 * accuracy:.0f}%")
    _draw(model, X, y, accuracy, out_dir)
    return accuracy


def _draw(model: nn.MLP, X: np.ndarray, y: np.ndarray, accuracy: float, out_dir: str) -> None:
    fig = figure(figsize=(6, 5))
    if fig is None:
        return
    low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    gx, gy = np.meshgrid(np.linspace(low[0], high[0], 250), np.linspace(low[1], high[1], 250))
    z = model.predict(np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)  # all 62,500 points at once
    ax = fig.subplots()
    ax.contourf(gx, gy, (z > 0).astype(float), levels=[-0.5, 0.5, 1.5], colors=["#c6dbef", "#fdd0a2"])
    ax.contour(gx, gy, z, levels=[0.0], colors="k", linewidths=1)
    ax.scatter(*X[y == 0].T, c="tab:blue", s=16, edgecolors="k", linewidths=0.5, label="class 0")
    ax.scatter(*X[y == 1].T, c="tab:orange", s=16, edgecolors="k", linewidths=0.5, label="class 1")
    ax.set(title=f"MLP(2, [16, 16, 1]) on two moons: {100 * accuracy:.0f}% training accuracy",
           xlabel="$x_1$", ylabel="$x_2$")
    ax.legend(loc="lower left")
    path = out_path("moons_boundary.png", out_dir)
    fig.savefig(path, dpi=100)
    print(f"Decision boundary saved to {path}")


if __name__ == "__main__":
    main()
