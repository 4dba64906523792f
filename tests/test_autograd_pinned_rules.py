"""The engine's rules pinned with literal numbers, each for one number and for a batch: the slopes at the edges of
relu, abs and powers, and the promises of backward() (twice, interrupted, under threads, in anomaly mode).

`make mutate` found each of these unchecked: a small change to the code (a `<` for `<=`, a reset left out) passed
every other test. The expected values are written out, never computed by the code under test.
"""

import math
import re
import threading
import warnings

import numpy as np
import pytest

import autograd
from autograd import Value

FORMS = ["number", "batch"]


def values_and_slopes(f, xs, form):
    """f(x) and df/dx at each x, as lists: one Value per x, or one batch Value holding all of them."""
    if form == "number":
        values, slopes = [], []
        for x in xs:
            v = Value(x)
            y = f(v)
            y.backward()
            values.append(y.data)
            slopes.append(v.grad)
        return values, slopes
    v = Value(np.array(xs))
    y = f(v)
    y.sum().backward()
    return y.data.tolist(), v.grad.tolist()


@pytest.mark.parametrize("form", FORMS)
def test_relu_is_flat_up_to_zero_included_and_the_identity_above(form):
    xs = [-2.0, -1e-300, 0.0, 1e-300, 0.5, 1.0, 3.0]
    assert values_and_slopes(Value.relu, xs, form) == (
        [0.0, 0.0, 0.0, 1e-300, 0.5, 1.0, 3.0],
        [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0])


@pytest.mark.parametrize("form", FORMS)
def test_abs_has_slope_zero_at_zero(form):
    assert values_and_slopes(abs, [-2.0, 0.0, 3.0], form) == ([2.0, 0.0, 3.0], [-1.0, 0.0, 1.0])


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("exponent", ["number", "Value"], ids=["x**k", "x**Value(k)"])
def test_the_slope_of_x_to_the_power_one_is_one_and_to_the_power_zero_is_zero(form, exponent):
    xs = [-3.0, 0.0, 2.0]

    def power(k):
        return (lambda v: v ** k) if exponent == "number" else (lambda v: v ** Value(k))

    assert values_and_slopes(power(1.0), xs, form) == ([-3.0, 0.0, 2.0], [1.0, 1.0, 1.0])
    assert values_and_slopes(power(0.0), xs, form) == ([1.0, 1.0, 1.0], [0.0, 0.0, 0.0])  # 0 at x = 0 too
    assert values_and_slopes(power(2.0), xs, form) == ([9.0, 0.0, 4.0], [-6.0, 0.0, 4.0])


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("base", ["number", "Value"], ids=["0**b", "Value(0)**b"])
def test_zero_to_a_power_does_not_change_with_the_exponent(form, base):
    """d(0**b)/db = 0 for every b >= 0, as PyTorch: 0**b stays 0 (or 1 at b = 0), never -inf or nan."""
    bs = [0.0, 0.5, 1.0, 2.0]
    f = (lambda b: 0.0 ** b) if base == "number" else (lambda b: Value(0.0) ** b)
    assert values_and_slopes(f, bs, form) == ([1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0])
    g = (lambda b: 2.0 ** b) if base == "number" else (lambda b: Value(2.0) ** b)
    assert values_and_slopes(g, [0.0, 1.0], form) == ([1.0, 2.0], [0.6931471805599453, 1.3862943611198906])


def test_backward_on_a_leaf_adds_one_each_time_as_any_leaf_gradient():
    x = Value(4.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_backward_of_an_array_says_how_to_reduce_it():
    with pytest.raises(ValueError) as failure:
        (Value(np.ones(3)) * 2).backward()
    assert re.fullmatch(r"backward\(\) needs a single number, but this Value holds an array of shape \(3,\): "
                        r"reduce it first, e\.g\. cost = loss\.mean\(\)", str(failure.value))


def course_twice(node):
    """Leaves a, b (and x for a batch) under one node of many parents; returns (J, intermediates, leaves)."""
    a, b = Value(2.0), Value(3.0)
    u, v = a * b, a + b
    if node == "sum":
        return autograd.sum([u, v, u]), [u, v], [a, b]
    if node == "dot":
        return autograd.dot([u, v], [2.0, 3.0]), [u, v], [a, b]
    if node == "batch dot":
        p, q = a * 2.0, b * 1.0
        return autograd.dot([p, q], np.array([[1.0, 2.0], [3.0, 4.0]])).sum(), [p, q], [a, b]
    x = Value(np.array([1.0, 2.0, 3.0, 4.0]))
    u = x * a
    return (u.mean() if node == "batch mean" else u.sum()), [u], [x, a]


def as_list(grads):
    return [g.tolist() if isinstance(g, np.ndarray) else g for g in grads]


@pytest.mark.parametrize("node, inner, leaves", [
    ("sum", [2.0, 1.0], [7.0, 5.0]),  # J = 2ab + (a + b)
    ("dot", [2.0, 3.0], [9.0, 7.0]),  # J = 2ab + 3(a + b)
    ("batch dot", [4.0, 6.0], [8.0, 6.0]),  # J = sum of X @ (2a, b): column sums 4 and 6
    ("batch mean", [[0.25] * 4], [[0.5] * 4, 2.5]),  # J = mean(x a)
    ("batch sum", [[1.0] * 4], [[2.0] * 4, 10.0]),  # J = sum(x a)
])
def test_backward_twice_through_a_node_of_many_parents_recomputes_its_parents_gradients(node, inner, leaves):
    """The nodes inside the graph get the same gradient again; only the leaves add up (not 13 instead of 10)."""
    J, intermediates, inputs = course_twice(node)
    J.backward()
    assert as_list(v.grad for v in intermediates) == inner and as_list(v.grad for v in inputs) == leaves
    J.backward()
    assert as_list(v.grad for v in intermediates) == inner
    assert as_list(v.grad for v in inputs) == as_list(2 * np.array(g) if isinstance(g, list) else 2 * g
                                                      for g in leaves)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("side", ["left", "right"])
def test_a_node_used_twice_passes_back_the_sum_of_both_uses(form, side):
    c = Value(3.0 if form == "number" else np.array([3.0, 1.0]))
    a, b, p = Value(4.0), Value(5.0), c * 2.0
    x, y = (p * a, p * b) if side == "left" else (a * p, b * p)
    J = x + y if form == "number" else (x + y).sum()
    J.backward()
    assert as_list([c.grad]) == [18.0 if form == "number" else [18.0, 18.0]]  # 2 (a + b)


class Interrupt:
    """A leaf's grad that raises KeyboardInterrupt when backward() adds to it, as Ctrl-C would at that moment."""

    def __iadd__(self, other):
        raise KeyboardInterrupt

    __add__ = __radd__ = __iadd__


def shared_graph(form, depth=60):
    """J = P t + P t, P = w**(2**depth) by `depth` squarings: P is shared by both products, each square's input by
    its two factors. dJ/dw = 2 t 2**depth, dJ/dt = 2 P, with w = 1 and t = 1.5."""
    w = Value(1.0 if form == "number" else np.array([1.0, 1.0]), label="w")
    t = Value(1.5, label="t")
    P = w
    for _ in range(depth):
        P = P * P
    J = P * t + P * t
    return (J if form == "number" else J.sum()), w, t


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("interruption", ["KeyboardInterrupt", "detect_anomaly"])
def test_after_a_backward_stopped_in_the_middle_the_next_one_on_the_same_graph_is_right(form, interruption):
    J, w, t = shared_graph(form)
    # t is a parent of both products, so the pass stops at the first of them: P has then received one of its two
    # contributions, whichever order backward() takes.
    if interruption == "KeyboardInterrupt":
        t.grad = Interrupt()
        with pytest.raises(KeyboardInterrupt):
            J.backward()
    else:
        t.grad = math.inf  # a gradient left over from a diverged run: anomaly mode stops when t is reached
        with autograd.detect_anomaly(), pytest.raises(FloatingPointError, match="gave t the gradient inf"):
            J.backward()
    w.grad = t.grad = 0.0  # the leaves keep what the stopped pass added: the caller zeroes them, as in PyTorch
    J.backward()
    expected_w = 3.0 * 2.0 ** 60
    if form == "number":
        assert (w.grad, t.grad) == (expected_w, 2.0)
    else:
        assert (w.grad.tolist(), t.grad) == ([expected_w, expected_w], 4.0)


def test_the_anomaly_check_stays_off_in_this_thread_while_another_thread_is_inside_no_grad():
    inside, leave = threading.Event(), threading.Event()

    def other():
        with autograd.no_grad():
            inside.set()
            leave.wait()

    worker = threading.Thread(target=other)
    worker.start()
    try:
        inside.wait()
        x = Value(0.0)
        x.sqrt().backward()  # d sqrt(x)/dx = inf at 0: IEEE's answer, not an anomaly error, outside detect_anomaly()
        assert x.grad == math.inf
        batch = Value(np.array([0.0, 4.0]))
        batch.sqrt().sum().backward()
        assert batch.grad.tolist() == [math.inf, 0.25]
    finally:
        leave.set()
        worker.join()


def course_graph(form):
    """J = 3(a + bc) with a = 5, b = 3, c = 2, each a number or a batch of two."""
    def leaf(x):
        return Value(x if form == "number" else np.array([x, x]))

    a, b, c = leaf(5.0), leaf(3.0), leaf(2.0)
    J = 3 * (a + b * c)
    return (J if form == "number" else J.sum()), [a, b, c]


@pytest.mark.parametrize("form", FORMS)
def test_anomaly_mode_gives_the_same_gradients_when_nothing_is_wrong(form):
    J, leaves = course_graph(form)
    with autograd.detect_anomaly():
        J.backward()
    expected = [3.0, 6.0, 9.0] if form == "number" else [[3.0, 3.0], [6.0, 6.0], [9.0, 9.0]]
    assert as_list(v.grad for v in leaves) == expected


def test_anomaly_mode_reports_an_overflow_in_a_batch_backward_as_its_error_not_numpys_warning():
    x = Value(np.array([1e-300, 1.0]), label="x")
    J = (x.log() * 1e10).sum()  # finite forward; backward: 1e10 * d log/dx = 1e10 * 1e300 overflows
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with autograd.detect_anomaly(), pytest.raises(FloatingPointError) as failure:
            J.backward()
    assert re.fullmatch(r"backward through operation 'log' on \(x=\[1\.e-300 1\.e\+000\]\) "
                        r"gave x the gradient \[ *inf 1\.e\+10\]", str(failure.value))


def test_anomaly_messages_name_unlabelled_inputs_too():
    a, b = Value(1.0, label="a"), Value(0.0, label="b")
    with autograd.detect_anomaly():
        with pytest.raises(FloatingPointError) as failure:
            a / b
        assert str(failure.value) == "operation '/' on (a=1.0, b=0.0) produced inf"
        with pytest.raises(FloatingPointError) as failure:
            Value(0.0).log()
        assert str(failure.value) == "operation 'log' on (?=0.0) produced -inf"
        x = Value(0.0)
        y = x.sqrt()
        with pytest.raises(FloatingPointError) as failure:
            y.backward()
        assert str(failure.value) == "backward through operation 'sqrt' on (?=0.0) gave an input the gradient inf"


@pytest.mark.parametrize("form", FORMS)
def test_numpys_error_settings_are_the_callers_after_backward(form):
    """backward() silences numpy while it runs (IEEE results), and gives back the caller's settings, also after an
    interruption or an anomaly."""
    with np.errstate(divide="raise", over="warn", under="ignore", invalid="print"):
        before = np.geterr()
        J, leaves = course_graph(form)
        J.backward()
        assert np.geterr() == before
        J, w, t = shared_graph(form, depth=3)
        t.grad = Interrupt()
        with pytest.raises(KeyboardInterrupt):
            J.backward()
        assert np.geterr() == before
        x = Value(np.array([0.0, 1.0]) if form == "batch" else 0.0)
        with autograd.detect_anomaly(), pytest.raises(FloatingPointError):
            x.sqrt().sum().backward() if form == "batch" else x.sqrt().backward()
        assert np.geterr() == before


def test_contributions_are_what_backward_adds_to_each_parent():
    """autograd.contributions(node, g): local_grad * g per parent, a number's share summed over a batch."""
    b, c = Value(3.0), Value(2.0)
    assert autograd.contributions(b * c, 2.0) == [4.0, 6.0]
    x, w = Value(np.array([1.0, 2.0, 3.0])), Value(2.0)
    shares = autograd.contributions(x * w, np.array([1.0, 1.0, 10.0]))
    assert shares[0].tolist() == [2.0, 2.0, 20.0] and shares[1] == 33.0 and type(shares[1]) is float
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert autograd.contributions(Value(np.array([1e-300, 1.0])).log(), np.array([1e10, 0.0]))[0].tolist() == [
            math.inf, 0.0]  # 1e300 * 1e10 overflows: inf, quietly, as in backward()


@pytest.mark.parametrize("values", ["batch first", "number first"])
@pytest.mark.parametrize("terms", [2, 3])
def test_a_sum_of_a_batch_and_a_number_gives_the_number_the_sum_over_the_examples(values, terms):
    x, w = Value(np.array([1.0, 2.0, 3.0])), Value(2.0)
    s = autograd.sum(([x, w] if values == "batch first" else [w, x]) + [w] * (terms - 2))
    (s * np.array([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.tolist() == [1.0, 10.0, 100.0]
    assert type(w.grad) is float and w.grad == 111.0 * (terms - 1)


def test_the_local_derivatives_of_matrix_operations_say_what_they_do():
    """Drawings show these words on the edges of @, sum, mean and T."""
    A, B, x = Value(np.ones((2, 3))), Value(np.ones((3, 4))), Value(np.ones(3))
    assert [repr(local) for local in (A @ B).local_grads] == ["G @ B.T, B (3×4)", "A.T @ G, A (2×3)"]
    assert [repr(local) for local in (x @ B).local_grads] == ["G @ B.T, B (3×4)", "A.T @ G, A (3)"]
    assert [repr(v.local_grads[0]) for v in (A.sum(), A.mean(), A.sum(axis=0), A.mean(axis=1, keepdims=True),
                                             A.sum(axis=(0, 1)), A.T)] == [
        "sum over all", "mean over all", "sum over axis 0", "mean over axis 1", "sum over axis (0, 1)", "transpose"]
    assert repr(A.reshape(3, 2).local_grads[0]) == "reshape back"


def test_the_local_derivative_of_a_matrix_product_sends_a_gradient_to_each_side_in_its_shape():
    x, B = Value(np.array([1.0, 2.0, 3.0])), Value(np.arange(12.0).reshape(3, 4))
    dx, dB = (x @ B).local_grads
    g = np.array([1.0, 0.0, 0.0, 2.0])
    assert (dx * g).tolist() == [6.0, 18.0, 30.0]  # G @ B.T: of x's shape (3,), not a row (1, 3)
    assert (dB * g).tolist() == [[1.0, 0.0, 0.0, 2.0], [2.0, 0.0, 0.0, 4.0], [3.0, 0.0, 0.0, 6.0]]  # x.T @ G
