"""Side-by-side benchmark: our engine, micrograd 0.1.0 and PyTorch scalar tensors, in one run, with the ratios.

Run by `make bench` as `.venv-bench/bin/python bench/run.py` (the peers live in .venv-bench: HIPS autograd's import
name is also `autograd`, so they stay out of our environment). Workloads, the same graph in every engine:

    W1  build + backward of the course graph J = 3(a + bc), a=5, b=3, c=2
    W2  one gradient-descent step of logistic regression, m=1000 examples, n=20 features, built op by op
    W3  one step of micrograd's demo: MLP(2, [16, 16, 1]) on 100 moons points, mean hinge loss + 1e-4 L2
    W4  backward through chains x = x * 1.0000001 of 10^3..10^6 nodes, and peak memory per node
    W3 second order, ours and torch: W3's forward, + backward(), or + backward(create_graph=True) (torch:
        autograd.grad(create_graph=True)), or that + one backward of sum(p.grad * v_p) through the gradients' graph:
        a Hessian-vector product; the parameters stay as they are, so every step is the same

Every engine first computes the same loss and gradients from the same data and weights; a disagreement stops the
run before anything is timed. Every timing then runs in a fresh interpreter holding numpy and one engine only, so
that no engine's garbage collector scans another's objects: `bench/run.py --time ENGINE W1|W2|W3
[op|sum|dot|forward|first|graph|hvp] [on|off]` and `bench/run.py --chain ENGINE N` are those workers. The machine
may be shared, so every W1-W3 timing runs in ROUNDS interleaved rounds and the table gives the medians; the ratios
of each round are printed below it.
"""

from __future__ import annotations

import builtins
import datetime
import gc
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # our `autograd` is the repo's, never a pip package of the same name

import numpy as np  # noqa: E402

import autograd  # noqa: E402
from autograd import Value  # noqa: E402

if not Path(autograd.__file__).resolve().is_relative_to(ROOT):
    raise SystemExit(f"bench: `autograd` was imported from {autograd.__file__}, not from the repo {ROOT}")

CHAIN_SIZES = (10**3, 10**4, 10**5, 10**6)
CHAIN_FACTOR = 1.0000001
STEPS_GC_ON = 10  # W2/W3 with the collector on: mean of this many consecutive steps, after the warm-up
STEPS_GC_OFF = 5  # with it off: median of this many steps, each after gc.collect()
STEPS_SECOND_ORDER = 3  # W3 second order, collector on: a mean over fewer steps, as each is up to ten W3 steps
ROUNDS = 5  # every W1-W3 timing runs this many times, in interleaved rounds; the table gives the medians
LEARNING_RATE = 0.1


# ---------------------------------------------------------------------------------------------------------------
# Data and weights: numpy with fixed seeds, handed to every engine as Python floats.

def moons(n: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles (sklearn's make_moons, in numpy): points and labels -1/+1."""
    rng = np.random.default_rng(seed)
    n_out, n_in = n // 2, n - n // 2
    outer = np.stack([np.cos(np.linspace(0, np.pi, n_out)), np.sin(np.linspace(0, np.pi, n_out))], axis=1)
    inner = np.stack([1 - np.cos(np.linspace(0, np.pi, n_in)), 0.5 - np.sin(np.linspace(0, np.pi, n_in))], axis=1)
    X = np.concatenate([outer, inner]) + rng.normal(scale=noise, size=(n, 2))
    y = np.concatenate([np.ones(n_out), -np.ones(n_in)])
    return X.tolist(), y.tolist()


def mlp_weights(sizes: Sequence[int] = (2, 16, 16, 1), seed: int = 2) -> list[list[tuple[list[float], float]]]:
    """Per layer, per neuron: (weights uniform in [-1, 1], bias 0), as micrograd's Neuron draws them."""
    rng = np.random.default_rng(seed)
    return [[(rng.uniform(-1, 1, nin).tolist(), 0.0) for _ in range(nout)] for nin, nout in zip(sizes, sizes[1:])]


def logreg_data(m: int = 1000, n: int = 20, seed: int = 3) -> tuple[list[list[float]], list[float], list[float]]:
    """Features (m, n), labels 0/1 from a noisy linear rule, and small initial weights."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = (X @ rng.normal(size=n) + rng.normal(scale=0.5, size=m) > 0).astype(float)
    return X.tolist(), y.tolist(), rng.normal(scale=0.01, size=n).tolist()


# ---------------------------------------------------------------------------------------------------------------
# The graphs, written once in plain operator code: every engine runs these very lines with its own scalars.

def sum_op_by_op(w: Sequence[Any], x: Sequence[Any], b: Any) -> Any:
    """micrograd's neuron sum: b + w1*x1 + ... + wn*xn, one node per operation."""
    return builtins.sum((wi * xi for wi, xi in zip(w, x)), b)


def sum_fused(w: Sequence[Value], x: Sequence[Value], b: Value) -> Value:
    """Our autograd.sum: the n products, then one (n+1)-ary sum node (same additions in the same order)."""
    return autograd.sum([b, *(wi * xi for wi, xi in zip(w, x))])


def dot_fused(w: Sequence[Value], x: Sequence[Value], b: Value) -> Value:
    """Our autograd.dot: one 2n-ary node for w.x, then + b."""
    return autograd.dot(w, x) + b


class MLP:
    """micrograd's nn.MLP on any engine's scalars: relu neurons, a linear last layer, neuron_sum for each neuron."""

    def __init__(self, weights: list, make_param: Callable[[float], Any], neuron_sum: Callable = sum_op_by_op):
        self.layers = [[([make_param(w) for w in ws], make_param(b)) for ws, b in layer] for layer in weights]
        self.neuron_sum = neuron_sum

    def __call__(self, x: list) -> Any:
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            out = [self.neuron_sum(w, x, b) for w, b in layer]
            if i != last:
                out = [act.relu() for act in out]
            x = out[0] if len(out) == 1 else out
        return x

    def parameters(self) -> list:
        """All weights and biases, in micrograd's order (per neuron: w, then b)."""
        return [p for layer in self.layers for w, b in layer for p in (*w, b)]


def hinge_loss(model: Callable, params: list, X: list, y: list, make_input: Callable[[float], Any]) -> Any:
    """micrograd's demo loss: inputs as scalars, mean hinge (1 - y*score).relu() plus 1e-4 * sum of p*p."""
    inputs = [list(map(make_input, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = builtins.sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * builtins.sum(p * p for p in params)
    return data_loss + reg_loss


def logreg_cost(w: list, b: Any, X: list, y: list, make_input: Callable, neuron_sum: Callable = sum_op_by_op) -> Any:
    """The course's logistic regression: a = sigmoid(w.x + b), cost = mean of -(y log a + (1 - y) log(1 - a))."""
    losses = []
    for xrow, yi in zip(X, y):
        a = neuron_sum(w, list(map(make_input, xrow)), b).sigmoid()
        losses.append(-(yi * a.log() + (1 - yi) * (1 - a).log()))
    return builtins.sum(losses) * (1.0 / len(losses))


def course_graph(a: Any, b: Any, c: Any) -> Any:
    """J = 3(a + bc)."""
    return 3 * (a + b * c)


# ---------------------------------------------------------------------------------------------------------------
# Per engine: how to make a parameter and an input, zero the grads, read a result, update the parameters.

class Engine:
    """One engine's scalars behind the same calls; the defaults are those of micrograd-style Values."""

    name = ""
    no_grad_value: Any = 0.0  # what zero_grad() sets: each engine's own convention

    def param(self, x: float) -> Any: ...
    def constant(self, x: float) -> Any: ...

    def zero_grad(self, params: list) -> None:
        for p in params:
            p.grad = self.no_grad_value

    def grad(self, p: Any) -> float:
        return p.grad

    def update(self, params: list, lr: float) -> None:
        for p in params:
            p.data -= lr * p.grad

    def value(self, v: Any) -> float:
        return float(v.data)

    def mlp(self, weights: list, neuron_sum: Callable = sum_op_by_op) -> Any:
        return MLP(weights, self.param, neuron_sum)

    def gradient_graphs(self, loss: Any, params: list) -> list:
        """loss's gradients with respect to params, recorded as graphs that can be differentiated again."""
        self.zero_grad(params)
        loss.backward(create_graph=True)
        return [p.grad for p in params]

    def backward_through(self, s: Any, params: list) -> list:
        """The gradients of s, a number built from gradient graphs, with respect to params, by a plain backward."""
        self.zero_grad(params)
        s.backward()
        return [p.grad for p in params]


class Ours(Engine):
    """Our engine: Values for parameters and inputs."""

    name = "ours"
    param = constant = staticmethod(Value)


class Micrograd(Engine):
    """micrograd 0.1.0: its Value, and its own nn.MLP for W3."""

    name = "micrograd"
    no_grad_value = 0  # micrograd's own zero_grad sets the int 0

    def __init__(self) -> None:
        import micrograd.engine
        import micrograd.nn
        self.nn = micrograd.nn
        self.param = self.constant = micrograd.engine.Value

    def mlp(self, weights: list, neuron_sum: Callable = sum_op_by_op) -> Any:
        """micrograd's own nn.MLP (its neurons sum op by op), its random weights replaced by ours."""
        assert neuron_sum is sum_op_by_op
        model = self.nn.MLP(len(weights[0][0][0]), [len(layer) for layer in weights])
        for layer, our_layer in zip(model.layers, weights):
            for neuron, (ws, b) in zip(layer.neurons, our_layer):
                for p, w in zip(neuron.w, ws):
                    p.data = w
                neuron.b.data = b
        return model


class Torch(Engine):
    """PyTorch scalar tensors: 0-d float64, requires_grad for parameters only, on one thread."""

    name = "torch"
    no_grad_value = None  # torch's zero_grad(set_to_none=True)

    def __init__(self) -> None:
        import torch
        torch.set_num_threads(1)  # fairness: every engine on one core
        torch.set_default_dtype(torch.float64)
        self.torch = torch

    def param(self, x: float) -> Any:
        return self.torch.tensor(x, dtype=self.torch.float64, requires_grad=True)

    def constant(self, x: float) -> Any:
        return self.torch.tensor(x, dtype=self.torch.float64)

    def grad(self, p: Any) -> float:
        return p.grad.item()

    def value(self, v: Any) -> float:
        return v.item()

    def gradient_graphs(self, loss: Any, params: list) -> list:
        """torch.autograd.grad with create_graph=True: PyTorch's advice for gradients of gradients (backward(
        create_graph=True) leaves reference cycles between the parameters and their .grad)."""
        return list(self.torch.autograd.grad(loss, params, create_graph=True))

    def backward_through(self, s: Any, params: list) -> list:
        """torch.autograd.grad of s with respect to params."""
        return list(self.torch.autograd.grad(s, params))

    def update(self, params: list, lr: float) -> None:
        with self.torch.no_grad():
            for p in params:
                p -= lr * p.grad


ENGINES: dict[str, type[Engine]] = {"ours": Ours, "micrograd": Micrograd, "torch": Torch}


# ---------------------------------------------------------------------------------------------------------------
# The workloads.

def w1_step(e: Engine) -> Callable[[], None]:
    """W1: make a, b, c, build J = 3(a + bc), backward."""
    param = e.param

    def step() -> None:
        course_graph(param(5.0), param(3.0), param(2.0)).backward()
    return step


def w1_check(e: Engine) -> list[float]:
    """J and its gradients, for the agreement check."""
    a, b, c = e.param(5.0), e.param(3.0), e.param(2.0)
    J = course_graph(a, b, c)
    J.backward()
    return [e.value(J), e.grad(a), e.grad(b), e.grad(c)]


def w2_model(e: Engine, neuron_sum: Callable = sum_op_by_op) -> tuple[list, Callable[[], Any]]:
    """W2: logistic regression parameters and its cost function on the fixed data."""
    X, y, w0 = logreg_data()
    w, b = [e.param(v) for v in w0], e.param(0.0)
    return [*w, b], lambda: logreg_cost(w, b, X, y, e.constant, neuron_sum)


def w3_model(e: Engine, neuron_sum: Callable = sum_op_by_op) -> tuple[list, Callable[[], Any]]:
    """W3: micrograd's demo MLP(2, [16, 16, 1]) and its loss on the moons."""
    X, y = moons()
    model = e.mlp(mlp_weights(), neuron_sum)
    params = model.parameters()
    return params, lambda: hinge_loss(model, params, X, y, e.constant)


def training_step(e: Engine, params: list, loss_fn: Callable[[], Any]) -> Callable[[], Any]:
    """One gradient-descent step: forward, zero the grads, backward, update. It returns the loss, which holds the
    step's graph, so that the clock can also stop before the graph is dropped (see step_times)."""
    def step() -> Any:
        loss = loss_fn()
        e.zero_grad(params)
        loss.backward()
        e.update(params, LEARNING_RATE)
        return loss
    return step


def loss_and_grads(e: Engine, params: list, loss_fn: Callable[[], Any], picks: Sequence[int]) -> list[float]:
    """The loss and the gradients of a few parameters, before any update."""
    loss = loss_fn()
    e.zero_grad(params)
    loss.backward()
    return [e.value(loss)] + [e.grad(params[i]) for i in picks]


SECOND_ORDER = ("forward", "first", "graph", "hvp")  # how far a second-order step goes (second_order_step)


def direction(n: int, seed: int = 4) -> list[float]:
    """The vector v of the Hessian-vector product, one float per parameter."""
    return np.random.default_rng(seed).normal(size=n).tolist()


def second_order_step(e: Engine, params: list, loss_fn: Callable[[], Any], until: str) -> Callable[[], Any]:
    """A step going as far as `until`: "forward" the loss; "first" then backward(); "graph" then the gradients as
    graphs (e.gradient_graphs); "hvp" then one backward of sum(p.grad * v_p) through them, the Hessian-vector
    product. No update, so every step is the same. It returns what holds the step's graph, as training_step."""
    if until not in SECOND_ORDER:
        raise ValueError(f"second_order_step: until must be one of {SECOND_ORDER}, got {until!r}")
    v = direction(len(params))

    def step() -> Any:
        loss = loss_fn()
        if until == "forward":
            return loss
        if until == "first":
            e.zero_grad(params)
            loss.backward()
            return loss
        grads = e.gradient_graphs(loss, params)
        if until == "hvp":
            e.backward_through(builtins.sum(g * d for g, d in zip(grads, v)), params)
        return loss, grads
    return step


def hvp_check(e: Engine, params: list, loss_fn: Callable[[], Any], picks: Sequence[int]) -> list[float]:
    """The loss, a few gradients as the recorded graphs give them, and a few entries of the Hessian-vector
    product, computed as second_order_step's "hvp" computes them."""
    loss = loss_fn()
    grads = e.gradient_graphs(loss, params)
    hv = e.backward_through(builtins.sum(g * d for g, d in zip(grads, direction(len(params)))), params)
    return [e.value(loss)] + [e.value(grads[i]) for i in picks] + [float(hv[i]) for i in picks]


# ---------------------------------------------------------------------------------------------------------------
# Timing.

def best_per_call(fn: Callable[[], None], repeats: int = 7, budget: float = 0.2) -> float:
    """Best over `repeats` loops of ~budget seconds of the mean time per call; the collector stays on."""
    fn()
    number, t = 1, 0.0
    while t < budget / 10:
        number *= 4
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        t = time.perf_counter() - t0
    number = max(1, int(number * budget / t))
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def step_times(step: Callable[[], Any], steps: int, collector: bool) -> tuple[list[float], list[float]]:
    """Wall times of `steps` steps after a warm-up one: (kept, whole).

    whole: the step and dropping its graph, what a training loop pays. kept: the step with its graph still alive when
    the clock stops. They differ for ours and torch, whose graph is freed the moment the last reference goes; not for
    micrograd, whose graph of reference cycles only a collection frees (inside later steps with the collector on).
    collector=True: Python's default, steps back to back as in a training loop (collections happen where they fall).
    collector=False: gc.collect() before each step, gc.disable() during it; cyclic garbage is left to that collect.
    """
    gc.collect()
    step()
    kept, whole = [], []
    for _ in range(steps):
        if not collector:
            gc.collect()
            gc.disable()
        t0 = time.perf_counter()
        graph = step()
        t1 = time.perf_counter()
        del graph
        t2 = time.perf_counter()
        kept.append(t1 - t0)
        whole.append(t2 - t0)
        gc.enable()
    return kept, whole


def time_per_step(step: Callable[[], Any], collector: bool, steps: int = STEPS_GC_ON) -> tuple[float, float]:
    """Seconds per step, (kept, whole) as in step_times: collector on, the means over a `steps`-step loop
    (collections included); off, the medians of STEPS_GC_OFF steps."""
    if collector:
        return tuple(map(statistics.mean, step_times(step, steps, True)))
    return tuple(map(statistics.median, step_times(step, STEPS_GC_OFF, False)))


# ---------------------------------------------------------------------------------------------------------------
# Workers, each run in a fresh interpreter by main().

def peak_rss() -> int:
    """This process's peak resident memory in bytes (VmHWM; unlike ru_maxrss, not inherited from the parent)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)


def chain_worker(engine: str, n: int) -> dict:
    """W4: x = x * 1.0000001 n times from a leaf, then backward: best time, bytes per node, the leaf's gradient."""
    e = ENGINES[engine]()

    def build(size: int) -> tuple[Any, Any]:
        x0 = x = e.param(1.0)
        for _ in range(size):
            x = x * CHAIN_FACTOR
        return x0, x

    def run(size: int) -> tuple[float, Any, Any]:
        t0 = time.perf_counter()
        x0, x = build(size)
        x.backward()
        return time.perf_counter() - t0, x0, x

    result: dict[str, Any] = {"engine": engine, "n": n}
    run(100)  # warm-up: imports, caches
    rss0 = peak_rss()
    if engine == "micrograd":  # its backward recurses once per node: we expect RecursionError, and measure the graph
        traced = n <= 10**5  # micrograd's 10^6 build takes ~35 s under tracemalloc: there, the rise of the peak RSS
        if traced:
            tracemalloc.start()
        x0, x = build(n)
        graph = tracemalloc.get_traced_memory()[1] if traced else peak_rss() - rss0
        result.update(graph_bytes_per_node=graph / n, graph_measure="tracemalloc" if traced else "RSS")
        try:
            x.backward()
            result["grad"] = e.grad(x0)
        except RecursionError:
            result["error"] = "RecursionError"
        return result
    t, x0, x = run(n)  # the first run: the rise of the peak RSS is this chain's
    result["rss_bytes_per_node"] = (peak_rss() - rss0) / n
    result["grad"] = e.grad(x0)
    del x0, x
    times = [t]
    for _ in range(4 if n <= 10**4 else 2 if n <= 10**5 else 1):
        t, x0, x = run(n)
        del x0, x
        times.append(t)
    result["seconds"] = min(times)
    if engine == "ours":  # tracemalloc sees Python's allocations only, not torch's C++ graph
        tracemalloc.start()
        _, x0, x = run(n)
        result["peak_bytes_per_node"] = tracemalloc.get_traced_memory()[1] / n
    return result


NEURON_SUMS = {"op": sum_op_by_op, "sum": sum_fused, "dot": dot_fused}


def time_worker(engine: str, workload: str, variant: str = "op", collector: str = "on") -> dict:
    """Time one workload of one engine in this fresh process (numpy and that engine only), after a warm-up of a
    second or two steps, whichever is longer: a cold CPU runs the first steps up to twice slower."""
    e = ENGINES[engine]()
    if workload == "W1":
        step = w1_step(e)
    elif workload == "W3" and variant in SECOND_ORDER:
        step = second_order_step(e, *w3_model(e), variant)
    else:
        model = w2_model if workload == "W2" else w3_model
        step = training_step(e, *model(e, NEURON_SUMS[variant]))
    warm_until, steps = time.perf_counter() + 1.0, 0
    while steps < 2 or time.perf_counter() < warm_until:
        step()
        steps += 1
    if workload == "W1":  # build + backward, the graph dropped within each call
        kept = seconds = best_per_call(step)
    elif variant in SECOND_ORDER:
        kept, seconds = time_per_step(step, collector == "on", STEPS_SECOND_ORDER)
    else:
        kept, seconds = time_per_step(step, collector == "on")
    return {"engine": engine, "workload": workload, "variant": variant, "collector": collector, "seconds": seconds,
            "kept": kept}


def run_worker(*args: str) -> dict:
    """Run this script with args in a fresh interpreter; its last output line is JSON."""
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": f"exit {out.returncode}: {out.stderr.strip()[-300:]}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def micrograd_max_depth() -> int:
    """The longest chain whose backward micrograd survives at the default recursion limit (bisection)."""
    e = Micrograd()

    def survives(depth: int) -> bool:
        x = e.param(1.0)
        for _ in range(depth):
            x = x * CHAIN_FACTOR
        try:
            x.backward()
            return True
        except RecursionError:
            return False
    lo, hi = 1, 10_000
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if survives(mid) else (lo, mid)
    return lo


# ---------------------------------------------------------------------------------------------------------------
# Report.

def fmt_time(t: float | None) -> str:
    """Seconds, in the unit that reads best."""
    if t is None:
        return "-"
    if abs(t) < 1e-3:
        return f"{t * 1e6:.2f} us"
    if abs(t) < 1:
        return f"{t * 1e3:.1f} ms"
    return f"{t:.2f} s"


def ratio(a: float | None, b: float | None) -> str:
    """a/b as '0.123x'."""
    return "-" if a is None or not b else f"{a / b:.3f}x"


def verdict(a: float | None, b: float | None, limit: float) -> str:
    """PASS or FAIL for a/b against an upper limit."""
    return "-" if a is None or not b else ("PASS" if a / b <= limit else "FAIL")


def agree(what: str, results: dict[str, list[float]], rtol: float = 1e-9, items: str = "") -> None:
    """Stop the run unless every engine's numbers equal the first engine's within rtol."""
    names = list(results)
    ref = results[names[0]]
    for name in names[1:]:
        for i, (a, b) in enumerate(zip(ref, results[name])):
            if not math.isclose(a, b, rel_tol=rtol, abs_tol=1e-12):
                raise SystemExit(f"bench: {what}: {name} disagrees with {names[0]} at item {i}: {b!r} vs {a!r}")
    items = items or f"{len(ref) - 1} gradients"
    print(f"  {what}: {', '.join(names)} agree (loss {ref[0]:.12g} and {items}, rtol {rtol:g})")


def print_table(rows: list[tuple]) -> None:
    """Rows of (workload, ours, micrograd, torch, ours/micrograd, ours/torch, target, result), aligned."""
    print_rows(("workload", "ours", "micrograd", "torch", "ours/mg", "ours/torch", "target", "result"), rows, (0, 6))


def print_rows(header: tuple, rows: list[tuple], left: tuple[int, ...] = (0,)) -> None:
    """A table under its header, the columns numbered in `left` aligned left and the others right."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(c).ljust(w) if i in left else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths))))


def print_second_order(runs: dict[tuple, list[dict]]) -> None:
    """The second-order table of W3 (medians of the rounds), then the costs of its passes relative to each other,
    taken round by round (both sides of a ratio from the same round) and their medians."""
    print(f"\nSecond order on W3, ours and torch (no update; collector on, mean of {STEPS_SECOND_ORDER} steps;"
          f" the median of {ROUNDS} rounds):")
    labels = {"forward": "forward", "first": "forward + backward()",
              "graph": "forward + backward(create_graph=True) *",
              "hvp": "forward + backward(create_graph=True) + backward of sum(p.grad * v) (H v)"}
    by_round = {name: [{until: runs[name, "W3", until, "on"][r].get("seconds") for until in SECOND_ORDER}
                       for r in range(ROUNDS)] for name in ("ours", "torch")}

    def median(name: str, until: str) -> float | None:
        seconds = [t[until] for t in by_round[name]]
        return None if None in seconds else statistics.median(seconds)
    rows = [(labels[until], fmt_time(median("ours", until)), fmt_time(median("torch", until)),
             ratio(median("ours", until), median("torch", until)),
             ratio(median("ours", until), median("ours", "first")),
             ratio(median("torch", until), median("torch", "first"))) for until in SECOND_ORDER]
    print_rows(("step", "ours", "torch", "ours/torch", "ours / its first order", "torch / its first order"), rows)
    print("  * torch: torch.autograd.grad(loss, params, create_graph=True), then torch.autograd.grad of the sum.")

    def cost(t: dict, a: str, b: str | None, c: str, d: str | None) -> float | None:
        """(t[a] - t[b]) / (t[c] - t[d]) for one round's times t, a missing b or d counting 0."""
        times = [t[a], t[c]] + [t[x] for x in (b, d) if x]
        if None in times:
            return None
        below = t[c] - (t[d] if d else 0.0)
        return (t[a] - (t[b] if b else 0.0)) / below if below > 0 else None
    print("  Ratios round by round (both sides from the same round), and their median:")
    for label, a, b, c, d in (("second-order step / first-order step", "hvp", None, "first", None),
                              ("backward(create_graph=True) / backward()", "graph", "forward", "first", "forward"),
                              ("the H v backward / backward()", "hvp", "graph", "first", "forward"),
                              ("both second-order backwards / backward()", "hvp", "forward", "first", "forward")):
        for name in ("ours", "torch"):
            values = [cost(t, a, b, c, d) for t in by_round[name]]
            known = [x for x in values if x is not None]
            middle = f"{statistics.median(known):.2f}x" if known else "-"
            print(f"    {label + ', ' + name:50} {middle:>8}   (" + "  ".join("-" if x is None else f"{x:.2f}x"
                                                                         for x in values) + ")")
    steps = [cost({"o": o["hvp"], "t": t["hvp"]}, "o", None, "t", None)
             for o, t in zip(by_round["ours"], by_round["torch"])]
    known = [x for x in steps if x is not None]
    middle = f"{statistics.median(known):.3f}x" if known else "-"
    print(f"    {'second-order step, ours / torch':50} {middle:>8}   ("
          + "  ".join("-" if x is None else f"{x:.3f}x" for x in steps) + ")")
    print("    A backward's time is its step's minus the step before it: backward() = first - forward,"
          " backward(create_graph=True) = graph - forward, the H v backward = hvp - graph.")


def main() -> None:
    """Check that the engines agree, time every workload, print the table."""
    started = time.perf_counter()
    import micrograd
    import torch
    ours, mg, th = Ours(), Micrograd(), Torch()
    print("chainrule bench: our engine vs micrograd 0.1.0 vs PyTorch scalar tensors")
    print(f"  date {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, Python {platform.python_version()} "
          f"({platform.python_implementation()}), {os.cpu_count()} CPUs, {platform.machine()} {platform.system()}")
    mg_version = getattr(micrograd, "__version__", "0.1.0")
    print(f"  numpy {np.__version__}, micrograd {mg_version}, torch {torch.__version__}:"
          f" 0-d float64 tensors, torch.set_num_threads(1) for fairness (every engine on one core)")
    print(f"  our engine: {Path(autograd.__file__).parent}")
    print(f"  times: each engine alone in a fresh process, after >= 1 s of warm-up; W1 best of 7 loops; W2/W3 with the"
          f" collector on, mean of {STEPS_GC_ON} consecutive steps (a training loop, its collections included); off,"
          f" median of {STEPS_GC_OFF}, the clock stopping before a step's graph is dropped; W1-W3 median of {ROUNDS}"
          f" rounds; W4 best of 2-5 runs")

    print("\nAgreement before timing (same data, same weights, float64 everywhere):")
    agree("W1 J, dJ/da, dJ/db, dJ/dc", {e.name: w1_check(e) for e in (ours, mg, th)}, rtol=0)
    picks3 = (0, 2, 47, 100, 336)
    w3 = {e.name: loss_and_grads(e, *w3_model(e), picks3) for e in (ours, mg, th)}
    w3["ours autograd.sum"] = loss_and_grads(ours, *w3_model(ours, sum_fused), picks3)
    w3["ours autograd.dot"] = loss_and_grads(ours, *w3_model(ours, dot_fused), picks3)
    agree("W3", w3)
    agree("W3 second order", {e.name: hvp_check(e, *w3_model(e), picks3) for e in (ours, th)},
          items=f"{len(picks3)} gradients from backward(create_graph=True), {len(picks3)} entries of H v")
    picks2 = (0, 7, 19, 20)
    w2 = {e.name: loss_and_grads(e, *w2_model(e), picks2) for e in (ours, th)}
    w2["ours autograd.sum"] = loss_and_grads(ours, *w2_model(ours, sum_fused), picks2)
    w2["ours autograd.dot"] = loss_and_grads(ours, *w2_model(ours, dot_fused), picks2)
    agree("W2", w2)
    nodes = {name: len(autograd.backward_order(w3_model(ours, s)[1]())) for name, s in
             (("op by op", sum_op_by_op), ("autograd.sum", sum_fused), ("autograd.dot", dot_fused))}

    # Each round times the two sides of every target back to back, so that a busy spell of the machine tends to hit
    # both sides of a ratio (W3 ours gc on / micrograd gc off first: it is the closest to its limit).
    cells = [("ours", "W3", "op", "on"), ("micrograd", "W3", "op", "off"), ("micrograd", "W3", "op", "on"),
             ("ours", "W3", "op", "off"), ("ours", "W1", "op", "on"), ("micrograd", "W1", "op", "on"),
             ("torch", "W1", "op", "on"), ("ours", "W2", "op", "on"), ("torch", "W2", "op", "on"),
             ("ours", "W2", "sum", "on"), ("ours", "W2", "dot", "on")]
    cells += [(name, "W3", variant, on) for name, variant in [("ours", "sum"), ("ours", "dot"), ("torch", "op")]
              for on in ("on", "off")]
    cells += [(name, "W3", until, "on") for until in SECOND_ORDER for name in ("ours", "torch")]
    runs: dict[tuple, list[dict]] = {cell: [] for cell in cells}
    for round_ in range(1, ROUNDS + 1):
        print(f"\nTiming, round {round_} of {ROUNDS}: each engine alone in a fresh interpreter, after a warm-up ...",
              flush=True)
        for cell in cells:
            runs[cell].append(run_worker("--time", *cell))

    def timed(engine: str, workload: str, variant: str = "op", collector: str = "on", what: str = "seconds"
              ) -> float | None:
        """The median over the rounds of a step's time, whole or kept (None if a worker failed)."""
        seconds = [run.get(what) for run in runs[engine, workload, variant, collector]]
        return None if None in seconds else statistics.median(seconds)

    w1 = {name: timed(name, "W1") for name in ENGINES}
    w2 = {key: timed(key[0], "W2", key[1])
          for key in [("ours", "op"), ("ours", "sum"), ("ours", "dot"), ("torch", "op")]}
    # With the collector on, a step as a training loop pays for it, dropping its graph included; with it off, and
    # for the collector's cost, steps with their graphs alive when the clock stops (see step_times).
    w3_engines = [("ours", "op"), ("ours", "sum"), ("ours", "dot"), ("micrograd", "op"), ("torch", "op")]
    w3 = {(name, variant, on): timed(name, "W3", variant, on, "seconds" if on == "on" else "kept")
          for on in ("on", "off") for name, variant in w3_engines}
    w3_kept_on = {(name, variant): timed(name, "W3", variant, "on", "kept") for name, variant in w3_engines}
    print("W4 chains, in a fresh process each ...", flush=True)
    max_depth = micrograd_max_depth()
    chains = {(name, n): run_worker("--chain", name, str(n)) for n in CHAIN_SIZES for name in ENGINES}

    rows: list[tuple] = [
        ("W1 course graph build+backward", fmt_time(w1["ours"]), fmt_time(w1["micrograd"]), fmt_time(w1["torch"]),
         ratio(w1["ours"], w1["micrograd"]), ratio(w1["ours"], w1["torch"]),
         "<= 0.30x micrograd", verdict(w1["ours"], w1["micrograd"], 0.30))]
    torch2 = w2["torch", "op"]
    for variant, label in (("op", "op by op"), ("sum", "ours with autograd.sum"), ("dot", "ours with autograd.dot")):
        target, result = ("<= 0.25x torch", verdict(w2["ours", variant], torch2, 0.25)) if variant == "op" else \
            ("(info)", "-")
        rows.append((f"W2 logreg step, {label}", fmt_time(w2["ours", variant]), "n/a", fmt_time(torch2), "-",
                     ratio(w2["ours", variant], torch2), target, result))
    mg_off = w3["micrograd", "op", "off"]
    for variant, label in (("op", "op by op"), ("sum", "ours with autograd.sum"), ("dot", "ours with autograd.dot")):
        for on in ("on", "off"):
            o, m, t = w3["ours", variant, on], w3["micrograd", "op", on], w3["torch", "op", on]
            target, result = ("<= 0.10x micrograd", verdict(o, m, 0.10)) if (variant, on) == ("op", "on") else \
                ("(info)", "-")
            rows.append((f"W3 MLP step, {label}, gc {on}", fmt_time(o), fmt_time(m), fmt_time(t), ratio(o, m),
                         ratio(o, t), target, result))
        o = w3_kept_on["ours", variant]
        target, result = ("<= 0.6x micrograd gc off", verdict(o, mg_off, 0.6)) if variant == "op" else ("(info)", "-")
        rows.append((f"W3 {label}: ours gc on / micrograd gc off *", fmt_time(o), fmt_time(mg_off), "-",
                     ratio(o, mg_off), "-", target, result))
    for n in CHAIN_SIZES:
        o, m, t = chains["ours", n], chains["micrograd", n], chains["torch", n]
        mg_cell = f"fails ({m['error']})" if "error" in m else fmt_time(m.get("seconds"))
        rows.append((f"W4 chain 10^{round(math.log10(n))} build+backward", fmt_time(o.get("seconds")), mg_cell,
                     fmt_time(t.get("seconds")), "-", ratio(o.get("seconds"), t.get("seconds")), "(info)", "-"))
    for n in CHAIN_SIZES:
        o, m, t = chains["ours", n], chains["micrograd", n], chains["torch", n]
        peak, graph, rss = o.get("peak_bytes_per_node"), m.get("graph_bytes_per_node"), t.get("rss_bytes_per_node")
        target, result = ("(info)", "-")
        if n == 10**6:
            target, result = "<= 250 B/node", "-" if peak is None else "PASS" if peak <= 250 else "FAIL"
        graph_cell = "-" if graph is None else f"{graph:.0f} B graph" + (" (RSS)" * (m["graph_measure"] == "RSS"))
        rows.append((f"W4 chain 10^{round(math.log10(n))} bytes/node", "-" if peak is None else f"{peak:.0f} B",
                     graph_cell, "-" if rss is None else f"{rss:.0f} B (RSS)", ratio(peak, graph), ratio(peak, rss),
                     target, result))
    print()
    print_table(rows)

    print(f"\nThe targets round by round (the table gives the medians of the {ROUNDS} rounds; the machine is shared):")
    ours3, mg3 = ("ours", "W3", "op"), ("micrograd", "W3", "op")
    for label, a, b, what in (("W1 ours / micrograd", ("ours", "W1", "op", "on"), ("micrograd", "W1", "op", "on"),
                               "seconds"),
                              ("W2 ours / torch", ("ours", "W2", "op", "on"), ("torch", "W2", "op", "on"), "seconds"),
                              ("W3 ours / micrograd, gc on", (*ours3, "on"), (*mg3, "on"), "seconds"),
                              ("W3 ours gc on / micrograd gc off *", (*ours3, "on"), (*mg3, "off"), "kept")):
        print(f"  {label:34} " + "  ".join(ratio(x.get(what), y.get(what)) for x, y in zip(runs[a], runs[b])))
    whole, kept = w3["ours", "op", "on"], w3_kept_on["ours", "op"]
    if whole is not None and kept is not None:
        print(f"  * Both steps timed with their graphs still alive when the clock stops: micrograd's graph, made of"
              f" reference cycles, is freed only by a collection, which with its collector off falls outside its steps."
              f" With ours dropping its graph inside the step: {ratio(whole, mg_off)}"
              f" ({fmt_time(whole)} instead of {fmt_time(kept)}).")

    print("\nThe garbage collector's cost on W3, per step (gc on - gc off, graphs alive when the clock stops), each"
          " engine alone:")
    for name, variant, label in (("ours", "op", "ours, op by op"), ("ours", "sum", "ours, autograd.sum"),
                                 ("ours", "dot", "ours, autograd.dot"), ("micrograd", "op", "micrograd"),
                                 ("torch", "op", "torch")):
        on, off = w3_kept_on[name, variant], w3[name, variant, "off"]
        if on is not None and off is not None:
            print(f"  {label:20} {fmt_time(on):>9} on, {fmt_time(off):>9} off: collector {fmt_time(on - off):>9}"
                  f" = {100 * (on - off) / on:5.1f}% of the step")
    print(f"  Its cost grows with every object Python tracks in the process, which is why each engine is timed alone:"
          f" this process, holding all three, tracks {len(gc.get_objects()):,} objects (torch's import alone holds"
          f" most), and each engine would pay for the others'.")
    print(f"  Graph sizes in our engine (W3, one step): "
          + ", ".join(f"{count:,} nodes {name}" for name, count in nodes.items()))
    print_second_order(runs)
    print("\nNotes:")
    print("  W2: micrograd 0.1.0 has no exp, log or sigmoid, so n/a. Inputs are scalars (Values; for torch, 0-d tensors"
          " without requires_grad), built inside each step as in micrograd's demo.")
    print(f"  W4: micrograd's backward recurses once per node: its longest chain at the default recursion limit"
          f" ({sys.getrecursionlimit()}) is {max_depth} nodes. Its bytes/node are the graph alone, as backward fails"
          f" (tracemalloc peak of the build, its constant nodes included; at 10^6, the rise of the peak RSS).")
    print("  W4 bytes/node: ours, tracemalloc peak of build+backward / n; torch, the rise of the peak RSS (VmHWM) over"
          " the first build+backward / n, as tracemalloc does not see C++ allocations (noise at 10^3-10^4).")
    for n in CHAIN_SIZES:
        o, t = chains["ours", n], chains["torch", n]
        errors = "".join(f"; {name} error: {c['error']}" for name, c in (("ours", o), ("torch", t)) if "error" in c)
        rise = o.get("rss_bytes_per_node", 0)
        print(f"    10^{round(math.log10(n))}: ours peak RSS rise {rise:.0f} B/node; grad of the leaf:"
              f" ours {o.get('grad')!r}, torch {t.get('grad')!r}, exact {CHAIN_FACTOR ** n!r}{errors}")
    print(f"\nTotal bench time {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--chain":
        print(json.dumps(chain_worker(sys.argv[2], int(sys.argv[3]))), flush=True)
        os._exit(0)  # skip tearing down a million-node graph at exit
    if len(sys.argv) >= 4 and sys.argv[1] == "--time":
        print(json.dumps(time_worker(*sys.argv[2:])), flush=True)
        os._exit(0)
    main()
