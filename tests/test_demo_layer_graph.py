"""demos.layer_graph: the course's week-3 network drawn one node per layer, and its gradients against the course's
formulas dZ[2] = A[2] - Y, dW[2] = (1/m) dZ[2] A[1]ᵀ, ... (the drawings themselves: tests/test_viz_matrices.py)."""

import re

import numpy as np

from demos import layer_graph


def test_the_layer_graph_demo_writes_its_pictures_and_agrees_with_the_courses_formulas(tmp_path, capsys):
    written = layer_graph.main(m=5, out_dir=str(tmp_path))
    assert sorted(written) == ["html", "png", "svg"] and all(p.stat().st_size > 1000 for p in written.values())
    assert written["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = capsys.readouterr().out
    differences = [float(x) for x in re.findall(r"largest difference (\S+)", out)]
    assert len(differences) == 6 and max(differences) < 1e-12
    _, nodes, Y = layer_graph.week3_graph(5)
    for _, course, ours in layer_graph.course_formulas(nodes, Y):
        assert np.allclose(course, ours, rtol=1e-12, atol=1e-15)


def test_the_week3_graph_is_the_courses_named_by_layer():
    J, nodes, Y = layer_graph.week3_graph(5)
    assert {name: v.shape for name, v in nodes.items() if name not in ("J", "L")} == {
        "X": (2, 5), "W[1]": (4, 2), "b[1]": (4, 1), "Z[1]": (4, 5), "A[1]": (4, 5),
        "W[2]": (1, 4), "b[2]": (1, 1), "Z[2]": (1, 5), "A[2]": (1, 5)}
    assert Y.shape == (1, 5) and abs(J.data - 0.693133) < 1e-6  # the course's cost at the start, about ln 2
