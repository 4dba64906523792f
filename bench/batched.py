"""Batched mode against hand-written numpy, in one run: the ratios ours / numpy.

    .venv/bin/python bench/batched.py            # every workload
    .venv/bin/python bench/batched.py --quick    # 200 cat and deep iterations, 1000 flower iterations

    cat  the course's cat classifier: logistic regression on 209 pictures x 12,288 features, learning rate 0.005,
         2000 iterations from zero weights; ours is nn.fit (vectorized) on LogisticRegression(12288, vector=True),
         numpy is the course's own loop (pictures as columns, w.T @ X). Target: at most 1.5x numpy. Also shown:
         the same model with 12,288 separate weight Values, whose per-weight Python work costs ~3 ms a step.
    W2   one gradient-descent step of logistic regression, m=1000 examples, n=20 features (the data of
         bench/run.py's W2), our batched graph against the same step in numpy. Target: at most 3x numpy.
    deep the course's week-4 cat networks, (12288, 7, 1) and (12288, 20, 7, 5, 1), 2500 iterations at learning rate
         0.0075: ours is nn.fit on MLP(..., matrix=True) (one matrix Value per layer), numpy the course's loop
         (forward, cost, backward, update; less its dA0 = W1.T dZ1, which nothing reads). Target: at most 1.3x numpy
         each: both share the matrix products. Also: the memory one iteration's graph holds (tracemalloc), which
         must not include a copy of the 20 MB of pictures.
    flower the course's week-3 network (2, 4, 1) with tanh on the 400-point flower, 10,000 iterations at learning
         rate 1.2, ours (nn.fit, matrix=True) against the course's nn_model() loop, inlined (no functions, dicts
         or copies). Target: at most 2x numpy. Also timed: that loop as the notebook writes it (a function per
         step, dicts, copy.deepcopy of W1 and W2 at each update, np.dot), what a learner runs. The arrays are
         small, so the engine's cost per node counts: printed per node of one iteration's graph, against
         "our math alone", the numpy calls our engine makes timed without the engine (and checked to give our
         costs), so that the bookkeeping and the extra math (exact tanh slope, stable sigmoid, clamped loss) show
         apart; and against the same nodes and calls in micrograd's design on arrays (a closure per node, no
         checks), how fast an eager engine in Python can be here.

Both sides first compute the same cost and gradients (checked), then are timed on this machine in this process,
taking turns block by block: each side's median block gives its time, and a ratio is the median of the ratios of
blocks that ran back to back.
"""

from __future__ import annotations

import argparse
import copy
import gc
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo's autograd and nn

import numpy as np  # noqa: E402

import nn  # noqa: E402
from autograd import Value, backward_order, ops  # noqa: E402

CAT_LR, W2_LR, DEEP_LR, FLOWER_LR = 0.005, 0.1, 0.0075, 1.2
DEEP_MODELS = {"two-layer (12288, 7, 1)": ([7, 1], "small"),  # the layer sizes after the 12288 inputs, and the init
               "four-layer (12288, 20, 7, 5, 1)": ([20, 7, 5, 1], "lecun")}


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
    times = alternate(runs, iterations, blocks)
    seconds = seconds_of(times, iterations)
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
        extra = "" if name == "numpy" else f"   {ratio_of(times, name):5.2f}x numpy"
        print(f"  {label:31} {seconds[name]:6.2f} s  {1000 * seconds[name] / iterations:6.2f} ms/iteration{extra}")
    ratio = ratio_of(times, True)
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


# ---------------------------------------------------------------------------------------------------------------
# Weeks 3 and 4: networks vectorized by layer, MLP(..., matrix=True), against the course's numpy loops.

def relu(z: np.ndarray) -> np.ndarray:
    """The course's relu(): max(0, z)."""
    return np.maximum(0, z)


def deep_numpy(train_x: np.ndarray, train_y: np.ndarray, sizes: list[int], init: str):
    """The course's two_layer_model() / L_layer_model() loop, pictures as columns: run(k) does k more iterations.

    np.random.seed(1), W = randn * 0.01 ("small") or randn / sqrt(n_prev) ("lecun"); the course's dAL and
    linear_activation_backward(), less dA0 = W1.T dZ1 (nothing reads it: it would cost numpy a third more).
    """
    X, Y = train_x.T, train_y.reshape(1, -1).astype(float)
    dims = [X.shape[0]] + sizes
    np.random.seed(1)
    params = []
    for l in range(1, len(dims)):
        z = np.random.randn(dims[l], dims[l - 1])
        params += [z * 0.01 if init == "small" else z / np.sqrt(dims[l - 1]), np.zeros((dims[l], 1))]
    L, m = len(sizes), X.shape[1]
    state = {"params": params, "costs": []}

    def run(iterations: int) -> None:
        params, costs = state["params"], state["costs"]
        for _ in range(iterations):
            A, caches = X, []
            for l in range(L):
                Z = params[2 * l] @ A + params[2 * l + 1]
                caches.append((A, Z))
                A = sigmoid(Z) if l == L - 1 else relu(Z)
            costs.append(float(np.squeeze((1. / m) * (-np.dot(Y, np.log(A).T) - np.dot(1 - Y, np.log(1 - A).T)))))
            dA = -(np.divide(Y, A) - np.divide(1 - Y, 1 - A))
            grads = [None] * len(params)
            for l in reversed(range(L)):
                A_prev, Z = caches[l]
                if l == L - 1:
                    s = sigmoid(Z)
                    dZ = dA * s * (1 - s)
                else:
                    dZ = np.array(dA, copy=True)
                    dZ[Z <= 0] = 0
                grads[2 * l] = 1. / m * np.dot(dZ, A_prev.T)
                grads[2 * l + 1] = 1. / m * np.sum(dZ, axis=1, keepdims=True)
                if l:
                    dA = np.dot(params[2 * l].T, dZ)
            params = [p - DEEP_LR * g for p, g in zip(params, grads)]
        state["params"] = params
    return state, run


def matrix_ours(X: np.ndarray, y: np.ndarray, sizes: list[int], hidden: str, init: str, seed: int, lr: float):
    """np.random.seed(seed), an MLP(..., matrix=True) and nn.fit with SGD: run(k) does k more iterations."""
    np.random.seed(seed)
    model = nn.MLP(X.shape[1], sizes, hidden, "sigmoid", init=init, matrix=True)
    optimizer = nn.SGD(model.parameters(), lr=lr)
    costs: list[float] = []

    def run(iterations: int) -> None:
        costs.extend(nn.fit(model, X, y, loss=nn.binary_cross_entropy, optimizer=optimizer, iterations=iterations,
                            progress=False).cost)
    return model, costs, run


def alternate(runs: dict, iterations: int, blocks: int) -> dict[str, list[float]]:
    """Seconds per iteration of each run, block by block: the runs take turns, so that all meet the same load."""
    per_iteration: dict[str, list[float]] = {name: [] for name in runs}
    for k in [iterations // blocks + (i < iterations % blocks) for i in range(blocks)]:
        for name, run in runs.items():
            gc.collect()
            t0 = time.perf_counter()
            run(k)
            per_iteration[name].append((time.perf_counter() - t0) / k)
    return per_iteration


def seconds_of(times: dict[str, list[float]], iterations: int) -> dict[str, float]:
    """Each run's seconds for `iterations`, from its median block (the machine is shared: a block another process
    slowed is an outlier, not the run's speed)."""
    return {name: iterations * statistics.median(t) for name, t in times.items()}


def block_ratios(times: dict[str, list[float]], name, base: str = "numpy") -> list[float]:
    """Run `name`'s block / `base`'s block of the same round, round by round: each ratio compares two blocks that
    ran back to back, under the same load (as bench/run.py's rounds)."""
    return [ours / other for ours, other in zip(times[name], times[base])]


def ratio_of(times: dict[str, list[float]], name, base: str = "numpy") -> float:
    """The median over rounds of block_ratios."""
    return statistics.median(block_ratios(times, name, base))


def agreement(model: nn.MLP, costs: list[float], params: list[np.ndarray], course_costs: list[float]) -> float:
    """The largest difference between our costs and weights and numpy's."""
    weights = max(np.abs(p.data - q).max() for p, q in zip(model.parameters(), params))
    return max(weights, np.abs(np.subtract(costs, course_costs)).max())


def bench_deep(iterations: int, blocks: int = 5) -> dict[str, float]:
    cats = nn.load_cat_images()
    X, y = cats.train_x, cats.train_y
    print(f"\ndeep cat networks: {X.shape[0]} pictures x {X.shape[1]} features, {iterations} iterations, lr {DEEP_LR}"
          f" (in {blocks} alternating blocks)")
    ratios = {}
    for name, (sizes, init) in DEEP_MODELS.items():
        state, numpy_run = deep_numpy(X, y, sizes, init)
        model, costs, ours_run = matrix_ours(X, y, sizes, "relu", init, 1, DEEP_LR)
        times = alternate({"numpy": numpy_run, "ours": ours_run}, iterations, blocks)
        seconds = seconds_of(times, iterations)
        agree = agreement(model, costs, state["params"], state["costs"])
        if agree > 1e-9:
            raise SystemExit(f"deep {name}: ours and numpy disagree by {agree:.2e}; not timing a wrong answer")
        ratio = ratios[name] = ratio_of(times, "ours")
        print(f"  {name}, init {init!r}: same costs and weights (largest difference {agree:.1e}); cost at the end "
              f"{costs[-1]:.6f}")
        print(f"    numpy (the course's loop)  {seconds['numpy']:6.2f} s  {1000 * seconds['numpy'] / iterations:6.2f} "
              f"ms/iteration")
        print(f"    ours (MLP matrix=True)     {seconds['ours']:6.2f} s  {1000 * seconds['ours'] / iterations:6.2f} "
              f"ms/iteration   {ratio:5.2f}x numpy   (target <= 1.3x: {'met' if ratio <= 1.3 else 'MISSED'})")
    return ratios


def flower_start(hidden: int) -> dict:
    """The course's start for the flower network: np.random.seed(2), then W = randn * 0.01 layer by layer, b = 0."""
    np.random.seed(2)
    W1, b1 = np.random.randn(hidden, 2) * 0.01, np.zeros((hidden, 1))
    W2, b2 = np.random.randn(1, hidden) * 0.01, np.zeros((1, 1))
    return {"params": [W1, b1, W2, b2], "costs": []}


def flower_numpy(X: np.ndarray, y: np.ndarray, hidden: int = 4):
    """The course's nn_model() loop, points as columns: np.random.seed(2), W = randn * 0.01; run(k) does k more."""
    X, Y = X.T, y.reshape(1, -1).astype(float)
    state = flower_start(hidden)
    m = X.shape[1]

    def run(iterations: int) -> None:
        W1, b1, W2, b2 = state["params"]
        costs = state["costs"]
        for _ in range(iterations):
            A1 = np.tanh(W1 @ X + b1)
            A2 = sigmoid(W2 @ A1 + b2)
            costs.append(float(-np.sum(np.log(A2) * Y + np.log(1 - A2) * (1 - Y)) / m))
            dZ2 = A2 - Y
            dW2, db2 = (1 / m) * (dZ2 @ A1.T), (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
            dZ1 = (W2.T @ dZ2) * (1 - np.power(A1, 2))
            dW1, db1 = (1 / m) * (dZ1 @ X.T), (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
            W1, b1 = W1 - FLOWER_LR * dW1, b1 - FLOWER_LR * db1
            W2, b2 = W2 - FLOWER_LR * dW2, b2 - FLOWER_LR * db2
        state["params"] = [W1, b1, W2, b2]
    return state, run


def flower_notebook(X: np.ndarray, y: np.ndarray, hidden: int = 4):
    """The course's nn_model() as the week-3 notebook writes it, where flower_numpy inlines it: one function per
    step, parameters, cache and gradients in dicts, np.dot, and update_parameters() working on copy.deepcopy() of W1
    and W2, as the notebook asks. The same numbers as flower_numpy; run(k) does k more iterations."""
    X, Y = X.T, y.reshape(1, -1).astype(float)
    W1, b1, W2, b2 = flower_start(hidden)["params"]
    state = {"parameters": {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, "costs": []}

    def forward_propagation(X, parameters):
        Z1 = np.dot(parameters["W1"], X) + parameters["b1"]
        A1 = np.tanh(Z1)
        Z2 = np.dot(parameters["W2"], A1) + parameters["b2"]
        A2 = sigmoid(Z2)
        return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}

    def compute_cost(A2, Y):
        logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
        return float(np.squeeze(-np.sum(logprobs) / Y.shape[1]))

    def backward_propagation(parameters, cache, X, Y):
        m, A1, A2 = X.shape[1], cache["A1"], cache["A2"]
        dZ2 = A2 - Y
        dZ1 = np.multiply(np.dot(parameters["W2"].T, dZ2), 1 - np.power(A1, 2))
        return {"dW1": (1 / m) * np.dot(dZ1, X.T), "db1": (1 / m) * np.sum(dZ1, axis=1, keepdims=True),
                "dW2": (1 / m) * np.dot(dZ2, A1.T), "db2": (1 / m) * np.sum(dZ2, axis=1, keepdims=True)}

    def update_parameters(parameters, grads, learning_rate):
        W1, W2 = copy.deepcopy(parameters["W1"]), copy.deepcopy(parameters["W2"])
        return {"W1": W1 - learning_rate * grads["dW1"], "b1": parameters["b1"] - learning_rate * grads["db1"],
                "W2": W2 - learning_rate * grads["dW2"], "b2": parameters["b2"] - learning_rate * grads["db2"]}

    def run(iterations: int) -> None:
        parameters = state["parameters"]
        for _ in range(iterations):
            A2, cache = forward_propagation(X, parameters)
            state["costs"].append(compute_cost(A2, Y))
            grads = backward_propagation(parameters, cache, X, Y)
            parameters = update_parameters(parameters, grads, FLOWER_LR)
        state["parameters"] = parameters
        state["params"] = [parameters[k] for k in ("W1", "b1", "W2", "b2")]
    return state, run


def flower_bce(a: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """nn's cross-entropy of probabilities a against labels Y, and its slope: the numpy calls of its node when no log
    is clamped (the whole flower run: it checks that)."""
    one_minus_a, one_minus_y = 1.0 - a, 1.0 - Y
    log_a, log_1_a = np.log(a), np.log(one_minus_a)
    if not np.minimum.reduce(log_a, None) > nn.losses.LOG_FLOOR < np.minimum.reduce(log_1_a, None):
        raise SystemExit("flower: a log reached nn's clamp; the bench's copy of the loss has no clamp")
    return -(Y * log_a + one_minus_y * log_1_a), np.divide(one_minus_y, one_minus_a) - np.divide(Y, a)


def flower_floor(X: np.ndarray, y: np.ndarray, hidden: int = 4):
    """The numpy calls our engine makes for one flower iteration, without the engine: its forward pass with the local
    derivatives of ops.py's own tanh and sigmoid, nn's clamped cross-entropy (flower_bce), backward()'s
    products, spreads and sums, SGD and fit's accuracy. What the engine adds to this is its bookkeeping alone."""
    X, Y = X.T, y.astype(float).reshape(1, -1)
    state = flower_start(hidden)
    m, is_one = X.shape[1], y == 1.0

    def run(iterations: int) -> None:
        W1, b1, W2, b2 = state["params"]
        costs = state["costs"]
        with np.errstate(all="ignore"):
            for _ in range(iterations):
                Z1 = W1 @ X + b1
                A1, dA1 = ops.tanh(Z1, np)
                Z2 = W2 @ A1 + b2
                A2, dA2 = ops.sigmoid(Z2, np)
                L, dL = flower_bce(A2, Y)  # nn.fit hands the loss A[2] of shape (1, m) as it is
                costs.append(float(np.add.reduce(L, None) / m))
                np.count_nonzero((A2[0] > 0.5) == is_one)  # fit's accuracy
                gL = np.empty((1, m))
                np.multiply(1.0, 1.0 / m, out=gL)  # the mean's spread
                gZ2 = dA2 * (dL * gL)  # Z2 = W2 @ A1 + b2 gives it to W2 and A1 through the product's maps
                gW2, gA1 = gZ2 @ A1.T, W2.T @ gZ2
                gZ1 = dA1 * gA1
                gW1 = gZ1 @ X.T
                params = W1, b1, W2, b2
                grads = gW1, np.add.reduce(gZ1, axis=1, keepdims=True), gW2, np.add.reduce(gZ2, axis=1, keepdims=True)
                W1, b1, W2, b2 = (p - FLOWER_LR * g for p, g in zip(params, grads))
        state["params"] = [W1, b1, W2, b2]
    return state, run


class _Node:
    """A node of micrograd's design on arrays: its data, its grad, its parents and a closure that passes grad on."""
    __slots__ = ("data", "grad", "parents", "back")

    def __init__(self, data, parents=(), back=None):
        self.data, self.grad, self.parents, self.back = data, None, parents, back

    def add_grad(self, g):
        self.grad = g if self.grad is None else self.grad + g


def _tape_backward(root) -> None:
    """micrograd's backward: a topological order by depth-first search, then each closure in reverse."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents)
    root.grad = 1.0
    for node in reversed(order):
        if node.back:
            node.back(node)


def flower_tape(X: np.ndarray, y: np.ndarray, hidden: int = 4):
    """The same six nodes and numpy calls as ours, in micrograd's design on arrays (a closure per node, no checks,
    numpy's error state set once a step): how fast an eager engine in Python can be here. Ours minus this is the
    cost of our engine's generality: its checks, its one backward loop over the table of ops, nn's layers and fit."""
    X, Y = X.T, y.astype(float).reshape(1, -1)
    state = flower_start(hidden)
    m, is_one = X.shape[1], y == 1.0
    params = [_Node(p) for p in state["params"]]

    def affine(W, A, b):  # one node, as ours: Z = W @ A + b
        a = A.data if type(A) is _Node else A
        return _Node(W.data @ a + b.data, (W, A, b) if type(A) is _Node else (W, b),
                     lambda n: (W.add_grad(n.grad @ a.T), type(A) is _Node and A.add_grad(W.data.T @ n.grad),
                                b.add_grad(np.add.reduce(n.grad, axis=1, keepdims=True))))

    def elementwise(x, value, slope):
        return _Node(value, (x,), lambda n: x.add_grad(slope * n.grad))

    def run(iterations: int) -> None:
        W1, b1, W2, b2 = params
        with np.errstate(all="ignore"):
            for _ in range(iterations):
                for p in params:
                    p.grad = None
                Z1 = affine(W1, X, b1)
                A1 = elementwise(Z1, *ops.tanh(Z1.data, np))
                Z2 = affine(W2, A1, b2)
                A2 = elementwise(Z2, *ops.sigmoid(Z2.data, np))
                L = elementwise(A2, *flower_bce(A2.data, Y))
                J = _Node(float(np.add.reduce(L.data, None) / m), (L,),
                          lambda n: L.add_grad(np.full((1, m), n.grad * (1.0 / m))))
                _tape_backward(J)
                for p in params:
                    p.data = p.data - FLOWER_LR * p.grad
                state["costs"].append(J.data)
                np.count_nonzero((A2.data[0] > 0.5) == is_one)  # fit's accuracy
        state["params"] = [p.data for p in params]
    return state, run


def node_overhead(shape: tuple[int, ...] = (4, 400), nodes: int = 200, repeats: int = 20) -> tuple[float, float]:
    """Microseconds per node, forward and backward, of a chain of additions of arrays of `shape`, beyond numpy's
    own two additions (one forward, one in backward); and numpy's own time per node."""
    x, c = np.full(shape, 0.5), np.full(shape, 1e-3)
    best_ours = best_numpy = float("inf")
    for _ in range(repeats):
        v = Value(x)
        t0 = time.perf_counter()
        out = v
        for _ in range(nodes):
            out = out + c
        out.sum().backward()
        best_ours = min(best_ours, time.perf_counter() - t0)
        t0 = time.perf_counter()
        out, g = x, np.ones(shape)
        for _ in range(nodes):
            out = out + c
        for _ in range(nodes):
            g = g + 0.0
        best_numpy = min(best_numpy, time.perf_counter() - t0)
    return 1e6 * (best_ours - best_numpy) / nodes, 1e6 * best_numpy / nodes


def bench_flower(iterations: int, blocks: int = 20) -> float:
    X, y = nn.make_flower()
    print(f"\nflower network (2, 4, 1), tanh then sigmoid: {len(y)} points, {iterations} iterations, lr {FLOWER_LR}"
          f" (in {blocks} alternating blocks)")
    state, numpy_run = flower_numpy(X, y)
    notebook_state, notebook_run = flower_notebook(X, y)
    floor_state, floor_run = flower_floor(X, y)
    tape_state, tape_run = flower_tape(X, y)
    model, costs, ours_run = matrix_ours(X, y, [4, 1], "tanh", "small", 2, FLOWER_LR)
    times = alternate({"numpy": numpy_run, "notebook": notebook_run, "floor": floor_run, "tape": tape_run,
                       "ours": ours_run}, iterations, blocks)
    seconds = seconds_of(times, iterations)
    steady = min(iterations, 7500)  # from about 8000 on, the run is chaotic: the order of sums shows in the digits
    agree = max(np.abs(np.subtract(costs[:steady], other["costs"][:steady])).max()
                for other in (state, notebook_state, floor_state, tape_state))
    if agree > 1e-12:
        raise SystemExit(f"flower: ours and numpy disagree by {agree:.2e}; not timing a wrong answer")
    print(f"  same costs for the first {steady} iterations (largest difference {agree:.1e}); cost at the end "
          f"{costs[-1]:.6f} (numpy {state['costs'][-1]:.6f})")
    per = {name: 1e6 * t / iterations for name, t in seconds.items()}
    ratio = ratio_of(times, "ours")
    print(f"    numpy (the course's loop)  {per['numpy']:8.1f} us/iteration")
    low, high = np.percentile(block_ratios(times, "ours"), [25, 75])
    print(f"    ours (MLP matrix=True)     {per['ours']:8.1f} us/iteration   {ratio:5.2f}x numpy   "
          f"(target <= 2x: {'met' if ratio <= 2 else 'MISSED'}; the middle half of the blocks {low:.2f}-{high:.2f}x)")
    print(f"    the notebook's own code        {per['notebook']:8.1f} us/iteration   "
          f"{ratio_of(times, 'notebook'):5.2f}x numpy   (functions, dicts, deepcopy: ours is "
          f"{ratio_of(times, 'ours', 'notebook'):.2f}x this)")
    print(f"    our math alone, in numpy       {per['floor']:8.1f} us/iteration   "
          f"{ratio_of(times, 'floor'):5.2f}x numpy   (the same calls as ours, without the engine)")
    print(f"    micrograd's design on arrays   {per['tape']:8.1f} us/iteration   "
          f"{ratio_of(times, 'tape'):5.2f}x numpy   (the same nodes and calls, a closure per node, no "
          f"checks)")
    J = nn.binary_cross_entropy(model(X.T, columns=True), y.astype(float))  # as nn.fit builds it
    nodes = sum(1 for v in backward_order(J) if v.parents)
    print(f"    one iteration's graph: {nodes} operation nodes; ours - our math alone = "
          f"{(per['ours'] - per['floor']) / nodes:.1f} us per node (the engine's bookkeeping, nn.fit's and SGD's); "
          f"our math - numpy = {per['floor'] - per['numpy']:.1f} us an iteration (exact tanh slope, stable "
          f"sigmoid, clamped loss)")
    extra, own = node_overhead()
    print(f"    the engine's bare cost per node (a chain of + on 4x400 arrays, forward and backward): {extra:.1f} us "
          f"beyond numpy's {own:.1f} us")
    return ratio


def bench_memory() -> float:
    """How many copies of X one iteration's graph of the four-layer model holds (tracemalloc, graph kept alive)."""
    cats = nn.load_cat_images()
    X, y = cats.train_x, cats.train_y.astype(float)
    sizes, init = DEEP_MODELS["four-layer (12288, 20, 7, 5, 1)"]
    np.random.seed(1)
    model = nn.MLP(X.shape[1], sizes, "relu", "sigmoid", init=init, matrix=True)
    nn.binary_cross_entropy(model(X), y).backward()  # a first step: any lazy set-up happens outside the count
    model.zero_grad()
    tracemalloc.start()
    J = nn.binary_cross_entropy(model(X), y)
    J.backward()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    state, numpy_run = deep_numpy(X, y, sizes, init)
    tracemalloc.start()
    numpy_run(1)
    _, numpy_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    copies = held / X.nbytes
    print(f"\nmemory, one iteration of the four-layer model (tracemalloc; X itself is {X.nbytes / 1e6:.1f} MB):")
    print(f"  ours: the graph, alive after backward(), holds {held / 1e6:.1f} MB ({copies:.2f} x X), peak "
          f"{peak / 1e6:.1f} MB; numpy's loop peaks at {numpy_peak / 1e6:.1f} MB")
    print(f"  no copy of X in the graph: {'met' if copies < 0.5 else 'MISSED'}")
    del J
    return copies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 cat and deep iterations, 1000 flower iterations")
    parser.add_argument("--only", action="append", choices=["cat", "w2", "deep", "flower", "memory"],
                        help="run only this workload (may be repeated)")
    args = parser.parse_args()
    runs = {"cat": lambda: bench_cat(200 if args.quick else 2000), "w2": bench_w2,
            "deep": lambda: bench_deep(200 if args.quick else 2500),
            "flower": lambda: bench_flower(1000 if args.quick else 10000), "memory": bench_memory}
    done = {name: run() for name, run in runs.items() if not args.only or name in args.only}
    summary = {"cat": lambda r: f"cat {r:.2f}x numpy (target 1.5x)", "w2": lambda r: f"W2 {r:.2f}x numpy (target 3x)",
               "deep": lambda r: "deep cat " + ", ".join(f"{name.split()[0]} {x:.2f}x" for name, x in r.items())
               + " numpy (target 1.3x each)", "flower": lambda r: f"flower {r:.2f}x numpy (target 2x)",
               "memory": lambda r: f"one deep iteration's graph holds {r:.2f} copies of X (target 0)"}
    print("\nsummary: " + ", ".join(summary[name](result) for name, result in done.items()))


if __name__ == "__main__":
    main()
