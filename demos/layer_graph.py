"""The course's week-3 graph, one node per layer: X, W[1], b[1] -> Z[1] -> A[1] -> Z[2] -> A[2] -> L -> J.

The flower network of demos.planar_flower (4 tanh units, a sigmoid output, np.random.seed(2) and W = randn * 0.01)
on its first m = 5 points, each Value a matrix: X (2×5), W[1] (4×2), Z[1] and A[1] (4×5), ... One backward pass,
then the text tree, the drawing (out/layer_graph.svg and .png, top to bottom) and the walkthrough
(out/layer_graph.html).
Last, the course's backward formulas checked against the gradients in the drawing: the course's dZ[2] = A[2] - Y
is m times our dJ/dZ[2] (the course moves the 1/m of J = mean(L) into dW and db), and so on.

    python -m demos.layer_graph
"""

from __future__ import annotations

import numpy as np

import nn
import viz
from autograd import Value
from demos._output import out_path

HIDDEN = 4


def week3_graph(m: int = 5) -> tuple[Value, dict[str, Value], np.ndarray]:
    """The course's week-3 network at its start, on the flower's first m points, and its cost J, backward() done.

    Returns J, the named nodes (X, W[1], ..., A[2], L, J), and the labels Y of shape (1, m).
    """
    points, labels = nn.make_flower()
    np.random.seed(2)
    model = nn.MLP(2, [HIDDEN, 1], "tanh", "sigmoid", init="small", matrix=True)
    X = Value(points[:m].T, label="X")  # the course's X (2, m), a Value so that the drawing shows it as an input
    A2 = model(X, columns=True)  # the layers label Z[1], A[1], Z[2], A[2] themselves
    J = nn.binary_cross_entropy(A2, labels[:m])  # J = mean(L), L the course's cross-entropy of A[2]'s row, one node
    L = J.parents[0]
    L.label, J.label = "L", "J"
    J.backward()
    named = {v.label: v for v in _nodes(J) if v.label}
    return J, named, labels[:m].reshape(1, m)


def course_formulas(nodes: dict[str, Value], Y: np.ndarray) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """The course's backward formulas beside the gradients backward() left: (formula, course's numbers, ours)."""
    m = Y.shape[1]
    A1, A2, W2, X = (nodes[k].data for k in ("A[1]", "A[2]", "W[2]", "X"))
    dZ2 = A2 - Y
    dZ1 = W2.T @ dZ2 * (1 - A1 ** 2)
    return [("dZ[2] = A[2] - Y  (ours: m dJ/dZ[2])", dZ2, m * nodes["Z[2]"].grad),
            ("dW[2] = (1/m) dZ[2] A[1]ᵀ", dZ2 @ A1.T / m, nodes["W[2]"].grad),
            ("db[2] = (1/m) Σ dZ[2]", dZ2.sum(axis=1, keepdims=True) / m, nodes["b[2]"].grad),
            ("dZ[1] = W[2]ᵀ dZ[2] * (1 - A[1]²)  (ours: m dJ/dZ[1])", dZ1, m * nodes["Z[1]"].grad),
            ("dW[1] = (1/m) dZ[1] Xᵀ", dZ1 @ X.T / m, nodes["W[1]"].grad),
            ("db[1] = (1/m) Σ dZ[1]", dZ1.sum(axis=1, keepdims=True) / m, nodes["b[1]"].grad)]


def main(m: int = 5, out_dir: str = "out") -> dict:
    """Build, draw and check the week-3 graph; returns the paths written (those Graphviz could make)."""
    J, nodes, Y = week3_graph(m)
    print(f"The week-3 network on the flower's first {m} points, one Value per matrix; J = {J.data:.6f}.\n")
    print(viz.text(J))
    print("\nThe course's formulas against the gradients above (backward() computed them from the local "
          "derivatives on the graph's edges):")
    for name, course, ours in course_formulas(nodes, Y):
        print(f"  {name}: largest difference {np.max(np.abs(course - ours)):.1e}")
    written = {}
    try:  # top to bottom: its ten columns side by side would make a strip some 9,000 pixels wide
        for fmt in ("svg", "png"):
            written[fmt] = viz.render(J, out_path(f"layer_graph.{fmt}", out_dir), rankdir="TB")
        written["html"] = viz.walkthrough(J, out_path("layer_graph.html", out_dir), rankdir="TB")
    except RuntimeError as e:  # Graphviz missing: the text above still stands
        print(e)
    for path in written.values():
        print(f"wrote {path}")
    return written


def _nodes(root: Value) -> list[Value]:
    """Every Value under root (a plain walk; the graph is small)."""
    seen, stack, out = set(), [root], []
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
            stack.extend(v.parents)
    return out


if __name__ == "__main__":
    main()
