"""The course's vectorization lesson: one gradient, four ways, the same numbers, very different times.

For logistic regression on the 209 cat pictures (12,288 features), dJ/dw of the mean cross-entropy J is computed
1. with one Value graph per picture, summed: the course's for loop over examples;
2. with one Value graph whose Values hold all 209 pictures at once: the same model code, given a matrix;
3. the same, with the 12,288 weights in one Value (vector=True): no Python loop over the weights either;
4. by hand with numpy: dw = X.T (A - Y) / m, db = mean(A - Y).

    python -m demos.vectorization
"""

from __future__ import annotations

import time

import numpy as np

import nn
from autograd import backward_order


def main(seed: int = 0) -> float:
    """Print the gradients' agreement and times; returns the largest difference from numpy's."""
    cats = nn.load_cat_images()
    X, y = cats.train_x, cats.train_y.astype(float)
    m, n = X.shape
    rng = np.random.default_rng(seed)
    w, b = rng.normal(0.0, 0.01, n), 0.1  # somewhere away from zero, where the gradient says something
    model = nn.LogisticRegression(n)
    for p, value in zip(model.w, w.tolist()):
        p.data = value
    model.b.data = b
    rows = X.tolist()
    print(f"dJ/dw for logistic regression on {m} pictures of {n} numbers, at random weights.\n")

    start = time.perf_counter()
    J = nn.binary_cross_entropy([model(x) for x in rows], y)  # the for loop: one graph per example
    nodes_loop = len(backward_order(J))
    J.backward()
    t_loop = time.perf_counter() - start
    g_loop = np.array([p.grad for p in model.w] + [model.b.grad])

    def batched():
        model.zero_grad()
        J = nn.binary_cross_entropy(model(X), y)  # the same model, given the matrix: one graph over all m
        J.backward()
        return J

    vector_model = nn.LogisticRegression(n, vector=True)
    vector_model.w.data, vector_model.b.data = w.copy(), b

    def batched_vector():
        vector_model.zero_grad()
        J = nn.binary_cross_entropy(vector_model(X), y)  # dot(w, X): one node with the one parent w
        J.backward()
        return J

    def by_hand():
        A = 1.0 / (1.0 + np.exp(-(X @ w + b)))
        return np.append(X.T @ (A - y) / m, np.mean(A - y))

    t_batch, J_batch = _best_time(batched)
    nodes_batch = len(backward_order(J_batch))
    g_batch = np.array([p.grad for p in model.w] + [model.b.grad])
    t_vector, J_vector = _best_time(batched_vector, repeat=20)
    nodes_vector = len(backward_order(J_vector))
    g_vector = np.append(vector_model.w.grad, vector_model.b.grad)
    t_numpy, g_numpy = _best_time(by_hand, repeat=20)

    d_loop, d_batch, d_vector = (np.abs(g - g_numpy).max() for g in (g_loop, g_batch, g_vector))
    print(f"{'':40}{'graph nodes':>12}{'time':>12}{'max |g - g_numpy|':>20}")
    print(f"{'1. for loop, a graph per example':40}{nodes_loop:>12}{_ms(t_loop):>12}{d_loop:>20.1e}")
    print(f"{'2. one graph over the batch':40}{nodes_batch:>12}{_ms(t_batch):>12}{d_batch:>20.1e}")
    print(f"{'3. the same, w one vector Value':40}{nodes_vector:>12}{_ms(t_vector):>12}{d_vector:>20.1e}")
    print(f"{'4. numpy, dw = X.T (A - Y) / m':40}{'-':>12}{_ms(t_numpy):>12}{'-':>20}")
    print(f"\nThe cost J: {J.data:.12f} (for loop), {J_batch.data:.12f} (batched).")
    largest = max(d_loop, d_batch, d_vector)
    print(f"The same gradient to 1e-12: {'yes' if largest <= 1e-12 else 'NO'}. The batched graph is "
          f"{t_loop / t_batch:.0f}x faster than the for loop; with w one vector, {t_loop / t_vector:.0f}x, and "
          f"{t_vector / t_numpy:.1f}x the time of hand-written numpy (best of 5 or 20 runs).")
    return float(largest)


def _best_time(f, repeat: int = 5) -> tuple[float, object]:
    """The fastest of `repeat` runs of f (the others were slowed by something else), and f's result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - start)
    return min(times), result


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:.1f} ms"


if __name__ == "__main__":
    main()
