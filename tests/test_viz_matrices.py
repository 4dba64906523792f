"""Drawings of graphs whose Values hold matrices: the course's week-3 network, one node per layer.

The expected labels are written out by hand, as the course writes them, never computed with the functions that
make them.
"""

import re

import numpy as np
import pytest

import autograd
import viz
from autograd import Value
from viz import _graph


def test_nodes_puts_a_parent_shared_by_two_paths_before_every_node_using_it():
    p = Value(1.0, label="p")
    a = p * 2.0
    a.label = "a"
    r = a + p  # p is r's parent, and a's: it must come before a
    assert [v.label for v in _graph.nodes(r)] == ["p", "a", ""]



def layer(J_of=lambda Z: Z.sum()):
    """A layer as the course writes it, with numbers to check by hand: Z = W @ X + b, W (3×2), X (2×4), b (3×1).

    With J = sum(Z), every dJ/dZ is 1, so dJ/dW = 1 Xᵀ (each row the row sums of X, 2 and 1), dJ/db = 4 (the sum
    over the 4 columns), dJ/dX = Wᵀ 1 (each column the column sums of W, 9 and 12).
    """
    W = Value(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), label="W")
    X = Value(np.array([[1.0, 0.0, -1.0, 2.0], [0.0, 1.0, 1.0, -1.0]]), label="X")
    b = Value(np.zeros((3, 1)), label="b")
    P = W @ X
    P.label = "P"
    Z = P + b
    Z.label = "Z"
    J = J_of(Z)
    J.label = "J"
    return J, W, X, b, P, Z


def drawn(root, **options):
    """The DOT source's HTML labels, each as its lines joined by " / ", keyed by the red, blue or black color."""
    out = {"red": [], "blue": [], "black": []}
    for label in re.findall(r"label=<(.*?)>(?: |\])", viz.draw(root, **options).source):
        for line in label.split("<BR/>"):
            font = re.fullmatch(r'<FONT COLOR="(\w+)">(.*)</FONT>', line)
            color, text = (font.group(1), font.group(2)) if font else ("black", line)
            out[color].append(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    return out


def edge_labels(root, **options):
    """The red edge labels of viz.draw, a label of two lines joined by a space."""
    labels = re.findall(r'label=<(<FONT COLOR="red">[^>]*</FONT>(?:<BR/><FONT COLOR="red">[^>]*</FONT>)?)> '
                        r'color=red', viz.draw(root, **options).source)
    return [" ".join(re.findall(r">([^<]*)</FONT>", label)) for label in labels]


def test_the_formulas_of_a_matrix_product_and_of_a_broadcast_bias_are_the_courses():
    J, *_ = layer()
    black = drawn(J)["black"]
    assert "P = W @ X" in black and "Z = P + b" in black and "J = sum(Z)" in black  # not "J = Z" (a sum of one)


@pytest.mark.parametrize("build, formula", [
    (lambda M: M.sum(), "sum(M)"),
    (lambda M: M.mean(), "mean(M)"),
    (lambda M: M.sum(axis=0), "sum(M, axis=0)"),
    (lambda M: M.mean(axis=1, keepdims=True), "mean(M, axis=1, keepdims=True)"),
    (lambda M: M.sum(axis=(0, 1)), "sum(M, axis=(0, 1))"),
    (lambda M: M.sum(axis=-1), "sum(M, axis=-1)"),
    (lambda M: M.T, "M.T"),
    (lambda M: M @ np.ones((3, 4)), "M @ const(3×4)"),
    (lambda M: np.ones((5, 2)) @ M, "const(5×2) @ M"),
    (lambda M: np.ones(2) @ M, "const(2) @ M"),
])
def test_the_formula_of_each_new_matrix_operation(build, formula):
    out = build(Value(np.arange(6.0).reshape(2, 3), label="M"))
    assert viz.text(out).splitlines()[0].startswith(f"J = {formula} = ")


def test_a_number_or_a_vector_is_summed_and_transposed_as_written():
    x, v = Value(2.0, label="x"), Value(np.arange(3.0), label="v")
    assert viz.text(x.sum()).splitlines()[0] == "J = sum(x) = 2"
    assert viz.text(x.T).splitlines()[0] == "J = x.T = 2"
    assert viz.text(v.T).splitlines()[0] == "J = v.T = [0, 1, 2]"


def test_a_custom_operation_named_like_a_matrix_one_keeps_the_generic_call():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    assert viz.text(autograd.record(2.0, [a, b], [2.0, 1.0], "@")).splitlines()[0] == "J = @(a, b) = 2"
    assert viz.text(autograd.record(3.0, [a], [3.0], "T")).splitlines()[0] == "J = T(a) = 3"  # not a's transpose


def test_a_matrix_shows_its_first_numbers_and_its_shape_in_blue_and_its_gradient_in_red():
    J, *_ = layer()
    J.backward()
    seen = drawn(J)
    assert "W = [1, 2, 3, …] (3×2)" in seen["blue"] and "b = [0, 0, 0] (3×1)" in seen["blue"]
    assert "X = [1, 0, -1, …] (2×4)" in seen["blue"] and "= [1, 2, 1, …] (3×4)" in seen["blue"]  # P's first row
    assert {"dJ/dW = [2, 1, 2, …] (3×2)", "dJ/db = [4, 4, 4] (3×1)", "dJ/dX = [9, 9, 9, …] (2×4)",
            "dJ/dZ = [1, 1, 1, …] (3×4)", "dJ/dJ = 1"} <= set(seen["red"])


def test_a_batch_is_still_drawn_with_its_size():
    v = Value(np.arange(5.0), label="v")
    assert drawn(v)["blue"] == ["v = [0, 1, 2, … (5 values)]"]


def test_the_edge_labels_of_a_layer_are_local_derivatives_in_the_courses_notation():
    J, *_ = layer()
    J.backward()
    assert sorted(edge_labels(J)) == sorted([
        "dP/dW: G ↦ G Xᵀ",  # the course's dW = dZ A[l-1]ᵀ, one factor at a time
        "dP/dX: G ↦ Wᵀ G",
        "dZ/dP = 1",
        "dZ/db = 1 for each entry, summed over axis 1",  # the course's db = Σ dZ over the examples
        "dJ/dZ = 1 for each entry"])


@pytest.mark.parametrize("build, label", [
    (lambda M: M.mean(), "dJ/dM = 1/6 for each entry"),  # the course's 1/m
    (lambda M: M.mean(axis=0).sum(), "dn1/dM = 1/2 for each entry"),
    (lambda M: M.T.sum(), "dn1/dM: G ↦ Gᵀ"),
    (lambda M: (M @ np.ones((3, 4))).sum(), "dn1/dM: G ↦ G constᵀ"),
    (lambda M: (np.ones((5, 2)) @ M).sum(), "dn1/dM: G ↦ constᵀ G"),
    (lambda M: M.tanh().sum(), "dn1/dM = 1 - n1**2 for each entry"),  # its rule, not its 6 numbers
    (lambda M: (M * np.ones(3)).sum(), "dn1/dM = [1, 1, 1]"),
    (lambda M: (M + np.ones((4, 2, 3))).sum(), "dn1/dM = 1 for each entry, summed over axis 0"),
])
def test_the_edge_label_of_each_new_matrix_operation(build, label):
    out = build(Value(np.arange(6.0).reshape(2, 3), label="M"))
    out.backward()
    assert label in edge_labels(out)


def test_a_number_or_a_batch_broadcast_into_a_batch_keeps_todays_edge_labels():
    b, w = Value(0.5, label="b"), Value(np.ones(3), label="w")
    z = autograd.dot(w, np.arange(6.0).reshape(2, 3)) + b
    z.label = "z"
    J = z.mean()
    J.backward()
    assert "dz/db = 1" in edge_labels(J)  # the number receives the sum over the batch, as before


def test_the_transposes_name_operands_that_are_not_plain_names_in_parentheses():
    A, B = Value(np.ones((2, 2)), label="my A"), Value(np.ones((2, 2)), label="B")
    J = (A @ B).sum()
    J.backward()
    assert {"dn1/dmy A: G ↦ G Bᵀ", "dn1/dB: G ↦ (my A)ᵀ G"} <= set(edge_labels(J))

