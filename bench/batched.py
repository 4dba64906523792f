"""Batched mode against hand-written numpy, in one run: the ratios ours / numpy.

    .venv/bin/python bench/batched.py            # both workloads
    .venv/bin/python bench/batched.py --quick    # 200 cat iterations instead of 2000

    cat  the course's cat classifier: logistic regression on 209 pictures x 12,288 features, learning rate 0.005,
         2000 iterations from zero weights; ours is nn.fit (vectorized) on LogisticRegression(12288, vector=True),
         numpy is the course's own loop (pictures as columns, w.T @ X). Target: at most 1.5x numpy. Also shown:
         the same model with 12,288 separate weight Values, whose per-weight Python work costs ~3 ms a step.
    W2   one gradient-descent step of logistic regression, m=1000 examples, n=20 features (the data of
         bench/run.py's W2), our batched graph against the same step in numpy. Target: at most 3x numpy.

Both sides first compute the same cost and gradients (checked), then are timed on this machine in this process.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo's autograd and nn

import numpy as np  # noqa: E402

import nn  # noqa: E402

CAT_LR, W2_LR = 0.005, 0.1


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


# ---------------------------------------------------------------------------------------------------------------
# The cat classifier.

def cat_numpy(train_x: np.ndarray, train_y: np.ndarray):
    """The course's optimize(), X of shape (n, m), one picture per column: run(k) does k more iterations."""
    X, Y = train_x.T, train_y.reshape(1, -1).astype(float)  # as the course: reshape(m, -1).T, a transposed view
    m = X.shape[1]
    state = {"w": np.zeros((X.shape[0], 1)), "b": 0.0, "costs": []}

    def run(iterations: int) -> None:
        w, b, costs = state["w"], state["b"], state["costs"]
        for _ in range(iterations):
            A = sigmoid(w.T @ X + b)
            costs.append(float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m))
            dw, db = X @ (A - Y).T / m, float(np.sum(A - Y)) / m
            w, b = w - CAT_LR * dw, b - CAT_LR * db
        state["w"], state["b"] = w, b
    return state, run


def cat_ours(train_x: np.ndarray, train_y: np.ndarray, vector: bool):
    """nn.fit on our LogisticRegression (weights as one vector Value, or as 12,288 Values): run(k) does k more."""
    model = nn.LogisticRegression(train_x.shape[1], vector=vector)
    optimizer = nn.SGD(model.parameters(), lr=CAT_LR)
    costs: list[float] = []

    def run(iterations: int) -> None:
        costs.extend(nn.fit(model, train_x, train_y, loss=nn.binary_cross_entropy, optimizer=optimizer,
                            iterations=iterations, progress=False).cost)
    return model, costs, run


def cat_phases(train_x: np.ndarray, train_y: np.ndarray, vector: bool, iterations: int = 50) -> dict[str, float]:
    """Where one of our iterations spends its time (median over `iterations`)."""
    model = nn.LogisticRegression(train_x.shape[1], vector=vector)
    opt = nn.SGD(model.parameters(), lr=CAT_LR)
    X, y = np.ascontiguousarray(train_x, dtype=float), train_y.astype(float)  # as nn.fit passes them
    phases: dict[str, list[float]] = {"zero_grad": [], "forward (dot node)": [], "forward (the rest)": [],
                                      "backward": [], "optimizer step": []}
    for _ in range(iterations):
        t0 = time.perf_counter()
        opt.zero_grad()
        t1 = time.perf_counter()
        z = model.logit(X)
        t2 = time.perf_counter()
        J = nn.binary_cross_entropy(z.sigmoid(), y)
        t3 = time.perf_counter()
        J.backward()
        t4 = time.perf_counter()
        opt.step()
        t5 = time.perf_counter()
        for key, dt in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            phases[key].append(dt)
    return {key: statistics.median(times) for key, times in phases.items()}


def bench_cat(iterations: int, blocks: int = 8) -> float:
    """The three loops in turn, in blocks of iterations/blocks, so that all meet the same load on a shared machine."""
    cats = nn.load_cat_images()
    X, y = cats.train_x, cats.train_y
    print(f"cat classifier: {X.shape[0]} pictures x {X.shape[1]} features, {iterations} iterations, lr {CAT_LR}"
          f" (in {blocks} alternating blocks)")
    state, numpy_run = cat_numpy(X, y)
    ours = {vector: cat_ours(X, y, vector) for vector in (True, False)}
    runs = {"numpy": numpy_run, **{vector: run for vector, (_, _, run) in ours.items()}}
    seconds = dict.fromkeys(runs, 0.0)
    for k in [iterations // blocks + (i < iterations % blocks) for i in range(blocks)]:
        for name, run in runs.items():
            gc.collect()
            t0 = time.perf_counter()
            run(k)
            seconds[name] += time.perf_counter() - t0
    for vector, (model, costs, _) in ours.items():
        w = model.w.data if vector else np.array([p.data for p in model.w])
        agree = max(np.abs(w - state["w"].ravel()).max(), abs(model.b.data - state["b"]),
                    np.abs(np.subtract(costs, state["costs"])).max())
        if agree > 1e-9:
            raise SystemExit(f"cat: ours (vector={vector}) and numpy disagree by {agree:.2e}; not timing a wrong "
                             "answer")
    print(f"  ours (both forms) and numpy: same weights and costs to 1e-9; cost at the end {state['costs'][-1]:.6f}")
    labels = {"numpy": "numpy (the course's loop)", True: "ours, weights one vector Value",
              False: "ours, 12,288 weight Values"}
    for name, label in labels.items():
        extra = "" if name == "numpy" else f"   {seconds[name] / seconds['numpy']:5.2f}x numpy"
        print(f"  {label:31} {seconds[name]:6.2f} s  {1000 * seconds[name] / iterations:6.2f} ms/iteration{extra}")
    ratio = seconds[True] / seconds["numpy"]
    print(f"  ratio ours (LogisticRegression(n, vector=True)) / numpy: {ratio:.2f}x   "
          f"(target <= 1.5x: {'met' if ratio <= 1.5 else 'MISSED'})")
    for vector in (True, False):
        print(f"  where one iteration of {labels[vector]!r} goes (median of 50):")
        for key, t in cat_phases(X, y, vector).items():
            print(f"    {key:22} {1000 * t:6.3f} ms")
    return ratio


# ---------------------------------------------------------------------------------------------------------------
# W2: one step of logistic regression, m=1000, n=20.

def w2_data(m: int = 1000, n: int = 20, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """bench/run.py's W2 data: features (m, n), labels 0/1 from a noisy linear rule, small initial weights."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = (X @ rng.normal(size=n) + rng.normal(scale=0.5, size=m) > 0).astype(float)
    return X, y, rng.normal(scale=0.01, size=n)


def w2_ours(X: np.ndarray, y: np.ndarray, w0: np.ndarray):
    model = nn.LogisticRegression(X.shape[1])
    for p, v in zip(model.w, w0.tolist()):
        p.data = v
    opt = nn.SGD(model.parameters(), lr=W2_LR)

    def step() -> float:
        opt.zero_grad()
        J = nn.binary_cross_entropy(model(X), y)
        J.backward()
        opt.step()
        return J.data
    return model, step


def w2_numpy(X: np.ndarray, y: np.ndarray, w0: np.ndarray):
    state = {"w": w0.copy(), "b": 0.0}
    m = len(y)

    def step() -> float:
        w, b = state["w"], state["b"]
        A = sigmoid(X @ w + b)
        cost = float(-np.mean(y * np.log(A) + (1 - y) * np.log(1 - A)))
        dz = A - y
        state["w"], state["b"] = w - W2_LR * (X.T @ dz) / m, b - W2_LR * float(np.mean(dz))
        return cost
    return state, step


def per_step(make_step, steps: int = 100, repeats: int = 15) -> float:
    """Best over `repeats` of the mean time of `steps` consecutive steps, each run from the initial weights
    (far longer, and this data's optimum puts some probabilities at exactly 0 or 1, where numpy's log warns)."""
    best = float("inf")
    for _ in range(repeats):
        step = make_step()
        gc.collect()
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, (time.perf_counter() - t0) / steps)
    return best


def bench_w2() -> float:
    X, y, w0 = w2_data()
    print(f"\nW2: one gradient-descent step of logistic regression, m={X.shape[0]}, n={X.shape[1]}, lr {W2_LR}")
    model, ours = w2_ours(X, y, w0)
    state, numpy_step = w2_numpy(X, y, w0)
    costs = [(ours(), numpy_step()) for _ in range(100)]
    agree = max(max(abs(a - b) for a, b in costs), np.abs(np.array([p.data for p in model.w]) - state["w"]).max())
    if agree > 1e-12:
        raise SystemExit(f"W2: ours and numpy disagree by {agree:.2e}; not timing a wrong answer")
    print(f"  same costs and weights over 100 steps (largest difference {agree:.1e}; cost {costs[0][0]:.4f} -> "
          f"{costs[-1][0]:.4f})")
    t_numpy = per_step(lambda: w2_numpy(X, y, w0)[1])
    t_ours = per_step(lambda: w2_ours(X, y, w0)[1])
    print(f"  numpy                      {1e6 * t_numpy:8.1f} us/step")
    print(f"  ours  (batched graph)      {1e6 * t_ours:8.1f} us/step")
    ratio = t_ours / t_numpy
    print(f"  ratio ours / numpy: {ratio:.2f}x   (target <= 3x: {'met' if ratio <= 3 else 'MISSED'})")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 cat iterations instead of 2000")
    args = parser.parse_args()
    cat = bench_cat(200 if args.quick else 2000)
    w2 = bench_w2()
    print(f"\nsummary: cat {cat:.2f}x numpy (target 1.5x), W2 {w2:.2f}x numpy (target 3x)")


if __name__ == "__main__":
    main()
