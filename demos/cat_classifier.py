"""The course's week-2 assignment: logistic regression says "cat" or "non-cat" for 64x64 pictures.

Learning rate 0.005, 2000 iterations of gradient descent from zero weights, fully vectorized as the course: one
graph over all 209 pictures per iteration, with the 12,288 weights in one Value (the course's w). Prints our cost and
accuracies beside the course's, saves the cost curve, and times a few iterations with the course's for loops put
back (one graph per picture; one Value per weight) on the same data.

    python -m demos.cat_classifier
"""

from __future__ import annotations

import time

import nn
from demos._output import out_path

COURSE = {"cost 0": 0.693147, "cost 1900": 0.140872, "train": 99.04, "test": 70.0}


def main(iterations: int = 2000, loop_iterations: int = 2, out_dir: str = "out") -> dict:
    """Train, print ours beside the course's, save the cost curve; returns the numbers printed, and the history."""
    cats = nn.load_cat_images()
    m, n = cats.train_x.shape
    print(f"Cat or not: {m} training and {len(cats.test_y)} test pictures, each 64x64x3 = {n} numbers in [0, 1].")
    print(f"Logistic regression a = sigmoid(w . x + b), {n} weights and b from zero, learning rate 0.005, "
          f"{iterations} iterations, vectorized (one graph over all {m} pictures per iteration, w one vector).\n")

    model = nn.LogisticRegression(n, vector=True)
    start = time.perf_counter()
    history = nn.fit(model, cats.train_x, cats.train_y, loss=nn.binary_cross_entropy,
                     optimizer=nn.SGD(model.parameters(), lr=0.005), iterations=iterations, print_every=100)
    seconds = time.perf_counter() - start
    ours = {"cost 0": history.cost[0] if history.cost else None,
            "cost 1900": history.cost[1900] if len(history.cost) > 1900 else None,
            "train": 100 * nn.accuracy(model.predict(cats.train_x), cats.train_y),
            "test": 100 * nn.accuracy(model.predict(cats.test_x), cats.test_y), "history": history}

    print(f"\n{'':26}{'ours':>12}{'course':>12}")
    for key, label, fmt in [("cost 0", "cost at iteration 0", ".6f"), ("cost 1900", "cost at iteration 1900", ".6f"),
                            ("train", "train accuracy (%)", ".2f"), ("test", "test accuracy (%)", ".2f")]:
        mine = "-" if ours[key] is None else format(ours[key], fmt)
        print(f"{label:26}{mine:>12}{COURSE[key]:>12{fmt}}")
    print(f"\n{iterations} iterations took {seconds:.1f} s ({1000 * seconds / max(iterations, 1):.1f} ms each).")

    if history.cost:
        path = out_path("cat_cost.png", out_dir)
        try:
            history.plot(path, title="Cat classifier: cost J per iteration (learning rate 0.005)")
            print(f"Cost curve saved to {path} (it zigzags for the first ~300 iterations, a step size near the "
                  "limit; the course plots only every 100th cost, which hides it)")
        except ImportError as e:
            print(f"(no cost curve: {e})")

    if loop_iterations:
        print("\nThe course vectorizes away two for loops, over the pictures and over the weights. Put back, "
              "from zero weights again:")
        per_vectorized = seconds / max(iterations, 1)
        for label, vectorized, k in [("one graph per picture, one Value per weight", False, loop_iterations),
                                     ("one graph for all pictures, one Value per weight", True, 10 * loop_iterations)]:
            slow = nn.LogisticRegression(n)
            start = time.perf_counter()
            run = nn.fit(slow, cats.train_x, cats.train_y, loss=nn.binary_cross_entropy,
                         optimizer=nn.SGD(slow.parameters(), lr=0.005), iterations=k, vectorized=vectorized,
                         progress=False)
            per_iteration = (time.perf_counter() - start) / k
            same = max(abs(a - b) for a, b in zip(run.cost, history.cost))
            print(f"  {label}: {1000 * per_iteration:.1f} ms per iteration, {per_iteration / per_vectorized:.0f}x "
                  f"the vectorized {1000 * per_vectorized:.2f} ms; same costs (largest difference {same:.1e})")
            ours["weight loop" if vectorized else "both loops"] = per_iteration / per_vectorized
    return ours


if __name__ == "__main__":
    main()
