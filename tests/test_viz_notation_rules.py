"""The notation every drawing shares, pinned with literal labels: where labels and operation names are cut, how many
digits numbers, batches and constants get, how long sums and calls are shortened, and the symbolic edge labels.

The expected text is written out by hand, never computed with the functions that make it (`make mutate` found
that nothing else pinned these rules down).
"""

import re

import numpy as np
import pytest

import viz
from autograd import Value, dot, record
from autograd import sum as vsum


def lines(root):
    """viz.text's lines without trailing padding."""
    return [line.rstrip() for line in viz.text(root).splitlines()]


def blue(root):
    """The values drawn in blue by viz.draw, in the order of the DOT source."""
    return re.findall(r'<FONT COLOR="blue">([^<]*)</FONT>', viz.draw(root).source)


def edge_labels(root):
    """The local derivatives on the red edges of viz.draw, after root.backward()."""
    root.backward()
    return re.findall(r'COLOR="red">([^<]*)</FONT>> color=red', viz.draw(root).source)


@pytest.mark.parametrize("label, shown", [
    ("a" * 40, "a" * 40),  # 40 characters: whole
    ("b" * 41, "b" * 39 + "…"),  # one more: cut to 39 and an ellipsis, 40 in all
    ("c" * 100, "c" * 39 + "…"),
    ("d" * 39 + "\n", "d" * 39 + "…"),  # \n is written as two characters, which count
    ("a\\b\nc\t", "a\\b\\nc\\t"),  # control characters escaped; a backslash stays one backslash
])
def test_a_label_is_cut_at_40_characters_with_an_ellipsis(label, shown):
    assert lines(Value(1.0, label=label)) == [f"{shown} = 1"]


@pytest.mark.parametrize("x, drawn, text", [
    (3.14159265, "3.142", "3.14159"),  # a drawing: 4 significant digits; text: 6
    (1234567.0, "1.235e+06", "1.23457e+06"),
    (-0.0, "0", "0"),  # never "-0"
    (2.0, "2", "2"),
])
def test_numbers_have_4_significant_digits_in_a_drawing_and_6_in_text(x, drawn, text):
    v = Value(x, label="x")
    assert blue(v) == [f"x = {drawn}"]
    assert lines(v) == [f"x = {text}"]


def test_a_batch_of_4_is_shown_whole_and_of_5_by_its_first_3_and_its_size():
    four, five = Value(np.arange(4.0) + 0.123456789, label="q"), Value(np.arange(5.0) + 0.123456789, label="q")
    assert blue(four) == ["q = [0.1235, 1.123, 2.123, 3.123]"]
    assert lines(four) == ["q = [0.123457, 1.12346, 2.12346, 3.12346]"]
    assert blue(five) == ["q = [0.1235, 1.123, 2.123, … (5 values)]"]
    assert lines(five) == ["q = [0.123457, 1.12346, 2.12346, … (5 values)]"]


def test_an_operation_name_is_cut_at_20_characters():
    x = Value(1.0, label="x")
    assert lines(record(1.0, [x], [1.0], "f" * 20))[0] == "J = " + "f" * 20 + "(x) = 1"
    assert lines(record(1.0, [x], [1.0], "g" * 21))[0] == "J = " + "g" * 19 + "…(x) = 1"


@pytest.mark.parametrize("build, formula", [
    (lambda x: x * 3.14159265, "x*3.14159"),  # 6 significant digits, in a drawing too
    (lambda x: x * (1 / 3), "x*0.333333"),
    (lambda x: x * -2.5, "x*(-2.5)"),  # a negative constant in parentheses
    (lambda x: 1234567.891 - x, "1.23457e+06 - x"),
])
def test_folded_constants_have_6_significant_digits(build, formula):
    out = build(Value(2.0, label="x"))
    assert lines(out)[0].startswith(f"J = {formula} = ")
    assert f"J = {formula}<BR/>" in viz.draw(out).source


def test_sums_show_every_term_up_to_5_and_shorten_longer_ones():
    x = [Value(float(i), label=f"x{i}") for i in range(1, 7)]
    assert lines(vsum(x[:2]))[0] == "J = x1 + x2 = 3"
    assert lines(vsum([x[0], 2.0]))[0] == "J = x1 + 2 = 3"  # a number in a sum is folded into one constant
    assert lines(vsum(x[:4] + [2.0]))[0] == "J = x1 + x2 + x3 + x4 + 2 = 12"
    assert lines(vsum(x[:5]))[0] == "J = x1 + x2 + x3 + x4 + x5 = 15"
    assert lines(vsum(x))[0] == "J = x1 + x2 + x3 + … + x6 = 21"  # the first 3, "…", the last
    assert lines(vsum(x[:5] + [2.0]))[0] == "J = x1 + x2 + x3 + … + 2 = 17"


def test_long_argument_lists_of_a_call_are_shortened_the_same_way():
    x = [Value(float(i), label=f"x{i}") for i in range(1, 7)]
    assert lines(dot(x[:2], [2.0, 3.0]))[0] == "J = dot(x1, x2) = 8"
    assert lines(record(0.0, x[:5], [1.0] * 5, "f"))[0] == "J = f(x1, x2, x3, x4, x5) = 0"
    assert lines(record(0.0, x, [1.0] * 6, "f"))[0] == "J = f(x1, x2, x3, …, x6) = 0"
    assert lines(dot(x[:3], x[3:]))[0] == "J = dot(x1, x4, x2, …, x6) = 32"  # parents: w1, x1, w2, x2, ...


def test_the_edge_labels_of_a_power_of_two_values():
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    z = x ** y
    z.label = "z"
    assert edge_labels(z) == ["∂z/∂x = y*x**(y - 1) = 12", "∂z/∂y = x**y*log(x) = 5.545"]


@pytest.mark.parametrize("build, x, label", [
    (lambda w: 2 ** w, 2.0, "∂J/∂w = 2**w*log(2) = 2.773"),
    (lambda w: w.sqrt(), 4.0, "∂J/∂w = 1/(2*sqrt(w)) = 0.25"),
    (lambda w: w.softplus(), 4.0, "∂J/∂w = sigmoid(w) = 0.982"),
    (abs, -4.0, "∂J/∂w = sign(w) = -1"),
    (lambda w: w.exp(), 1.0, "∂J/∂w = exp(w) = 2.718"),
    (lambda w: w.log(), 4.0, "∂J/∂w = 1/w = 0.25"),
    (lambda w: w.tanh(), 0.5, "∂J/∂w = 1 - J**2 = 0.7864"),
    (lambda w: w.sigmoid(), 0.0, "∂J/∂w = J*(1 - J) = 0.25"),
])
def test_the_edge_label_of_each_one_input_operation_is_its_derivative_rule(build, x, label):
    assert edge_labels(build(Value(x, label="w"))) == [label]


def test_a_custom_operation_of_two_inputs_named_like_a_built_in_one_gets_plain_numbers():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    assert edge_labels(record(5.0, [a, b], [2.0, 3.0], "exp")) == ["∂J/∂a = 2", "∂J/∂b = 3"]


def test_a_matrix_is_shown_as_its_numbers_and_its_shape():
    small, large = Value(np.arange(4.0).reshape(2, 2) + 0.5, label="M"), Value(np.arange(6.0).reshape(2, 3), label="M")
    assert blue(small) == ["M = [0.5, 1.5, 2.5, 3.5] (2×2)"]
    assert blue(large) == ["M = [0, 1, 2, …] (2×3)"]  # the shape says how many, as for a small one
    assert lines(Value(np.zeros((2, 1, 3)), label="T")) == ["T = [0, 0, 0, …] (2×1×3)"]


def test_the_edge_labels_of_a_matrix_product_say_what_it_does_to_the_gradient_G():
    W, x = Value(np.ones((2, 3)), label="W"), Value(np.ones(3), label="x")
    z = W @ x
    z.label = "z"
    assert edge_labels(z.sum()) == ["∂z/∂W: G ↦ G xᵀ", "∂z/∂x: G ↦ Wᵀ G", "∂J/∂z = 1 for each entry"]
