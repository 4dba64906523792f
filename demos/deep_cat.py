"""The course's week 4: deep networks on the cat pictures, each layer one matrix Value (MLP(..., matrix=True)).

The week-2 pictures again (209 to train on, 50 to test, each 12,288 numbers in [0, 1]), now for two networks, each
trained with learning rate 0.0075 for 2,500 iterations of full-batch gradient descent from np.random.seed(1):
- two layers (12288, 7, 1): relu then sigmoid, W = randn * 0.01 (init="small"), the course's two_layer_model();
- four layers (12288, 20, 7, 5, 1): relu, relu, relu, sigmoid, W = randn / sqrt(n_in) (init="lecun"), the course's
  L_layer_model().
Prints the cost every 100 iterations, then each model's costs and accuracies beside the course's, and saves the two
cost curves in one picture.

    python -m demos.deep_cat
"""

from __future__ import annotations

import time

import numpy as np

import nn
from demos._output import figure, out_path

LEARNING_RATE = 0.0075
MODELS = {"two layers": ([7, 1], "small"), "four layers": ([20, 7, 5, 1], "lecun")}  # sizes after 12288, init
COURSE = {  # the course's printed numbers, as strings to keep their digits
    "two layers": {"cost 0": "0.693049735659989", "cost 2400": "0.048554785628770", "train": "100", "test": "72"},
    "four layers": {"cost 0": "0.7717493284237686", "cost 100": "0.672053", "cost 2400": "0.092878",
                    "cost 2499": "0.0884399434417", "train": "98.56", "test": "80"},
}


def train(name: str, cats, iterations: int, print_every: int = 100):
    """np.random.seed(1), the named model, nn.fit with SGD: returns the model, its history and the seconds taken."""
    sizes, init = MODELS[name]
    np.random.seed(1)
    model = nn.MLP(cats.train_x.shape[1], sizes, "relu", "sigmoid", init=init, matrix=True)
    start = time.perf_counter()
    history = nn.fit(model, cats.train_x, cats.train_y, loss=nn.binary_cross_entropy,
                     optimizer=nn.SGD(model.parameters(), lr=LEARNING_RATE), iterations=iterations,
                     print_every=print_every)
    return model, history, time.perf_counter() - start


def main(iterations: int = 2500, out_dir: str = "out") -> dict:
    """Train both models, print ours beside the course's, save the cost curves; returns each model's numbers."""
    cats = nn.load_cat_images()
    m, n = cats.train_x.shape
    print(f"Cat or not: {m} training and {len(cats.test_y)} test pictures, each {n} numbers in [0, 1]; learning rate "
          f"{LEARNING_RATE}, {iterations} iterations per model.")
    results = {}
    for name, (sizes, init) in MODELS.items():
        print(f"\n{name}: MLP({n}, {sizes}, relu, then sigmoid), init={init!r}, matrix=True: "
              + ", ".join(f"W[{l}] {(d, p)}" for l, (p, d) in enumerate(zip([n] + sizes, sizes), 1)))
        model, history, seconds = train(name, cats, iterations)
        results[name] = {"history": history, "seconds": seconds,
                         "train": 100 * nn.accuracy(model.predict(cats.train_x) > 0.5, cats.train_y),
                         "test": 100 * nn.accuracy(model.predict(cats.test_x) > 0.5, cats.test_y)}
        print(f"{iterations} iterations took {seconds:.1f} s ({1000 * seconds / max(iterations, 1):.1f} ms each).")

    for name, course in COURSE.items():
        ours = results[name]
        print(f"\n{name:26}{'ours':>22}{'course':>22}")
        for key, text in course.items():
            if key.startswith("cost"):
                i = int(key.split()[1])
                if i >= len(ours["history"].cost):
                    continue
                decimals = len(text.split(".")[1])
                mine, label = f"{ours['history'].cost[i]:.{decimals}f}", f"cost at iteration {i}"
            else:
                mine, label = f"{ours[key]:.2f}", f"{key} accuracy (%)"
            print(f"{label:26}{mine:>22}{text:>22}")

    _draw_costs(results, out_dir)
    return results


def _draw_costs(results: dict, out_dir: str) -> None:
    """Both cost curves in one picture."""
    if not any(r["history"].cost for r in results.values()):
        return
    fig = figure(figsize=(7, 4.5))
    if fig is None:
        return
    ax = fig.subplots()
    for name, r in results.items():
        sizes, init = MODELS[name]
        ax.plot(r["history"].cost, label=f"{name} (12288, {', '.join(map(str, sizes))}), init={init!r}")
    ax.set(xlabel="iteration", ylabel="cost J",
           title=f"Deep networks on the cat pictures: cost per iteration (learning rate {LEARNING_RATE})")
    ax.grid(alpha=0.3)
    ax.legend()
    path = out_path("deep_cat_cost.png", out_dir)
    fig.savefig(path, dpi=100)
    print(f"\nCost curves saved to {path}")


if __name__ == "__main__":
    main()
