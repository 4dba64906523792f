"""The course's week-2 picture, "Logistic regression derivatives", drawn from a real model on one cat picture.

LogisticRegression(2) reads the first two of a picture's 12,288 numbers (the top-left pixel's red and green, divided
by 255), after 100 steps of gradient descent on all 209 training pictures so that w1, w2 and b are not the zeros
they start at. On the first cat picture it builds the course's graph: x1, w1, x2, w2, b -> z = w1*x1 + w2*x2 + b
-> a = sigmoid(z) -> L(a, y), drawn before backward() (values) and after (gradients) to out/logistic_graph_*.svg:
the "after" picture twice, with the gradients written dL/dz (logistic_graph_after.svg) and in the course's
shorthand dz (notation="course", logistic_graph_course.svg); both write the local derivatives on the edges as
partials, ∂z/∂w1 = x1. Last, the course's shorthand is checked against the gradients backward() left: dz = a - y,
dw1 = x1 dz, dw2 = x2 dz, db = dz (the course writes dz for dL/dz).

    python -m demos.logistic_graph
"""

from __future__ import annotations

import numpy as np

import nn
import viz
from autograd import Value
from demos._output import out_path

FEATURES = 2  # the first two numbers of each picture
STEPS, RATE = 100, 0.5


def course_graph() -> tuple[Value, dict[str, Value], list[float], float]:
    """The trained model's graph on the first cat picture: L (the root, backward() not run yet), its nodes by name
    (w1, w2, b, z, a, L), the picture's x1, x2 and its label y."""
    cats = nn.load_cat_images()
    X = cats.train_x[:, :FEATURES]
    model = nn.LogisticRegression(FEATURES)
    nn.fit(model, X, cats.train_y, loss=nn.binary_cross_entropy, optimizer=nn.SGD(model.parameters(), lr=RATE),
           iterations=STEPS, progress=False)
    model.zero_grad()  # fit's last step left its gradients there, and backward() adds to a leaf's
    i = int(np.flatnonzero(cats.train_y == 1)[0])  # the first cat
    x, y = X[i].tolist(), float(cats.train_y[i])
    L = nn.binary_cross_entropy(model(x), y)  # one example: L is the root, no mean
    a = L.parents[0]
    z = a.parents[0]
    nodes = {"w1": model.w[0], "w2": model.w[1], "b": model.b, "z": z, "a": a, "L": L}
    return L, nodes, x, y


def course_shorthand(nodes: dict[str, Value], x: list[float], y: float) -> list[tuple[str, float, float]]:
    """The course's backward formulas beside backward()'s gradients: (formula, course's number, ours)."""
    a = nodes["a"].data
    dz = a - y
    return [("da = -y/a + (1-y)/(1-a)", -y / a + (1 - y) / (1 - a), nodes["a"].grad),
            ("dz = a - y", dz, nodes["z"].grad),
            ("dw1 = x1 dz", x[0] * dz, nodes["w1"].grad),
            ("dw2 = x2 dz", x[1] * dz, nodes["w2"].grad),
            ("db = dz", dz, nodes["b"].grad)]


def main(out_dir: str = "out") -> dict[str, object]:
    """Build, draw and check the picture; returns the paths written and the largest relative difference found."""
    L, nodes, x, y = course_graph()
    print(f"The first cat picture's first two numbers: x1 = {x[0]:.6g}, x2 = {x[1]:.6g}, label y = {y:g}.")
    print(f"LogisticRegression({FEATURES}) after {STEPS} steps of gradient descent on the 209 training pictures: "
          f"w1 = {nodes['w1'].data:.6g}, w2 = {nodes['w2'].data:.6g}, b = {nodes['b'].data:.6g}.\n")
    written: dict[str, object] = {}
    try:
        written["before"] = viz.render(L, out_path("logistic_graph_before.svg", out_dir))
    except RuntimeError as e:  # Graphviz missing: the text below still stands
        print(e)
    L.backward()
    print(viz.text(L))
    print("\nThe same in the course's shorthand, dz for dL/dz (notation=\"course\"):")
    print(viz.text(L, notation="course"))
    try:
        written["after"] = viz.render(L, out_path("logistic_graph_after.svg", out_dir))
        written["course"] = viz.render(L, out_path("logistic_graph_course.svg", out_dir), notation="course")
    except RuntimeError as e:
        print(e)
    print("\nThe course's shorthand (dz for dL/dz) against backward()'s gradients:")
    worst = 0.0
    for formula, course, ours in course_shorthand(nodes, x, y):
        difference = abs(course - ours) / max(abs(course), 1e-300)
        worst = max(worst, difference)
        print(f"  {formula:<24} course {course: .12g}   backward() {ours: .12g}   relative difference {difference:.1e}")
    if not worst <= 1e-12:
        raise AssertionError(f"the gradients differ from the course's formulas by {worst:.1e} (relative): the chain "
                             "rule went wrong somewhere")
    print("All agree to 1e-12.")
    for path in written.values():  # the drawings only: "worst" is added below
        print(f"wrote {path}")
    written["worst"] = worst
    return written


if __name__ == "__main__":
    main()
