"""The engine under hostile use: threads, interrupts at any moment, deep copies, bad shapes, arrays changed in place."""

import copy
import linecache
import os
import pickle
import sys
import threading

import numpy as np
import pytest

import autograd
from autograd import Value

ENGINE = os.path.dirname(autograd.__file__)


def test_threads_sharing_a_vector_leaf_lose_no_contribution():
    w = Value(np.zeros(1_000_000))
    x = np.arange(1_000_000) % 7 - 3.0  # small integers: every sum exact, whatever the order
    rounds, threads = 20, 4

    def train():
        for _ in range(rounds):
            autograd.dot(w, x).backward()  # += into w.grad, an array a million long

    workers = [threading.Thread(target=train) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    np.testing.assert_array_equal(w.grad, x * (rounds * threads))


def test_threads_sharing_a_float_leaf_lose_no_contribution():
    w = Value(0.5)
    rounds, threads = 2000, 4

    def train():
        for _ in range(rounds):
            (w * 2.0 + w * w).backward()  # dJ/dw = 2 + 2w = 3

    workers = [threading.Thread(target=train) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert w.grad == 3.0 * rounds * threads


def test_two_threads_may_run_backward_on_one_graph():
    x = Value(np.arange(1.0, 6.0))
    J = ((x * x).tanh() * x).sum()
    J.backward()
    once = x.grad.copy()
    x.grad = 0.0
    workers = [threading.Thread(target=lambda: [J.backward() for _ in range(50)]) for _ in range(2)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    np.testing.assert_allclose(x.grad, once * 100, rtol=1e-12)


def course_like_graph():
    """A graph with shared nodes, a sum of many parents, and depth: 20-odd nodes."""
    a, b, c = Value(0.5, label="a"), Value(-1.5, label="b"), Value(2.0, label="c")
    u = b * c
    v = autograd.sum([a, u, u * a, (a * b).tanh()])
    J = v
    for _ in range(6):
        J = (J * 0.9 + u).sigmoid() * v
    return (a, b, c), J


def clean_gradients():
    leaves, J = course_like_graph()
    J.backward()
    return [v.grad for v in leaves]


def _is_with(frame) -> bool:
    """True on a `with` statement's line. A signal strikes only where the interpreter checks for one, and CPython
    (3.11+) checks neither between entering a with block and its body nor between the body and its __exit__."""
    return linecache.getline(frame.f_code.co_filename, frame.f_lineno).lstrip().startswith("with ")


class Interrupts:
    """Raise KeyboardInterrupt at the n-th line the engine runs, then again at the k-th call or return after it.

    Two hooks, because Python unsets a trace or profile function once it raises: the first interrupt comes from
    sys.settrace, the second from sys.setprofile, so it can strike during whatever clean-up the first caused.
    """

    def __init__(self, n: int, k: int | None) -> None:
        self.n, self.k, self.lines, self.calls, self.fired = n, k, 0, 0, 0

    def trace(self, frame, event, arg):
        if not frame.f_code.co_filename.startswith(ENGINE):
            return None
        if event == "line" and not _is_with(frame):
            self.lines += 1
            if self.lines == self.n:
                self.fired += 1
                raise KeyboardInterrupt("first")
        return self.trace

    def profile(self, frame, event, arg):
        # Python calls and returns only: a signal strikes between bytecodes, never inside a C call such as a lock's
        # release (which a "c_call" event would precede)
        if self.fired == 1 and event in ("call", "return") and frame.f_code.co_filename.startswith(ENGINE):
            self.calls += 1
            if self.calls == self.k:
                self.fired += 1
                raise KeyboardInterrupt("second")

    def run(self, fn) -> bool:
        """fn() under the interrupts; True if at least one struck."""
        sys.settrace(self.trace)
        if self.k:
            sys.setprofile(self.profile)
        try:
            fn()
        except KeyboardInterrupt:
            pass
        finally:
            sys.settrace(None)
            sys.setprofile(None)
        return self.fired > 0


@pytest.mark.parametrize("k", [None, 1, 2, 3, 5, 8, 13, 40])
def test_after_interrupts_at_any_moment_the_next_backward_is_right(k):
    expected = clean_gradients()
    struck = 0
    for n in range(1, 4000, 3):
        leaves, J = course_like_graph()
        if not Interrupts(n, k).run(J.backward):
            break  # n is past the last line backward() runs
        struck += 1
        for v in leaves:
            v.grad = 0.0  # what an interrupted pass added to the leaves is the caller's to clear, as in PyTorch
        J.backward()
        assert [v.grad for v in leaves] == pytest.approx(expected, rel=1e-12), f"interrupted at line {n}, call {k}"
        for v in leaves:  # and once more, over a graph two backward() calls have already passed through
            v.grad = 0.0
        J.backward()
        assert [v.grad for v in leaves] == pytest.approx(expected, rel=1e-12)
    assert struck > 50  # the interrupts really struck all through backward()


def deep_chain(n: int):
    x = Value(1.0, label="x")
    y = x
    for _ in range(n):
        y = y * 1.00001 + 0.0
    return x, y


def test_a_deep_graph_pickles_and_deep_copies():
    x, y = deep_chain(50_000)  # 100,000 nodes deep
    y.backward()
    for twin in (pickle.loads(pickle.dumps(y)), copy.deepcopy(y)):
        assert twin.data == y.data and twin.grad == 1.0
        leaf = twin
        while leaf.parents:
            leaf = leaf.parents[0]
        assert leaf is not x and leaf.label == "x" and leaf.grad == x.grad
        leaf.grad = 0.0
        twin.backward()
        assert leaf.grad == pytest.approx(1.00001 ** 50_000, rel=1e-9)


def test_a_copy_keeps_shared_nodes_shared_and_leaves_with_their_model():
    a, b = Value(np.array([1.0, 2.0]), label="a"), Value(3.0, label="b")
    u = a * b
    J = (u * u + u).sum()
    for J2, a2 in (pickle.loads(pickle.dumps((J, a))), copy.deepcopy((J, a))):
        u2 = J2.parents[0].parents[0].parents[0]
        assert J2.parents[0].parents[1] is u2  # u used twice is still one node
        assert u2.parents[0] is a2  # the leaf pickled beside the graph is the graph's leaf
        J2.backward()
        J.backward()
        np.testing.assert_allclose(a2.grad, a.grad)
        a.grad = 0.0


def test_pickled_copies_unpickle_as_graphs_even_inside_no_grad():
    a = Value(2.0)
    J = a * a
    data = pickle.dumps(J)
    with autograd.no_grad():
        twin = pickle.loads(data)
    twin.backward()
    assert twin.parents[0].grad == 4.0


@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v))],
                         ids=["deepcopy", "pickle"])
def test_a_copied_record_node_sums_a_broadcast_local_derivative_back_to_its_parents_shape(duplicate):
    # one number over a (2, 3) parent whose local derivative is a row of 3: each row of the parent gets it
    x = Value(np.ones((2, 3)))
    total = autograd.record(6.0, [x], [np.array([1.0, 2.0, 3.0])], "total")
    twin = duplicate(total)
    twin.backward()
    assert twin.parents[0].grad.tolist() == [[1.0, 2.0, 3.0]] * 2
    total.backward()
    assert x.grad.tolist() == [[1.0, 2.0, 3.0]] * 2


@pytest.mark.parametrize("build", [
    lambda x, y: x + y, lambda x, y: x - y, lambda x, y: x * y, lambda x, y: x / y, lambda x, y: x ** y,
    lambda x, y: autograd.sum([x, y]), lambda x, y: autograd.dot([x, x], [y, y]),
    lambda x, y: x + y.data, lambda x, y: x.data - y, lambda x, y: x * y.data, lambda x, y: y.data * x,
], ids=["+", "-", "*", "/", "**", "sum", "dot", "+ const", "const -", "* const", "const *"])
def test_shapes_that_do_not_broadcast_get_our_error_naming_both(build):
    x, y = Value(np.ones(3)), Value(np.ones(2))
    with pytest.raises(ValueError, match=r"cannot combine shapes \((3|2),\) and \((2|3),\)"):
        build(x, y)


def test_record_checks_each_local_derivative_against_its_parent():
    x3 = Value(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match=r"node of shape \(2,\), its parent 0 of shape \(3,\) .* do not broadcast"):
        autograd.record(np.array([1.0, 2.0]), [x3], [np.array([1.0, 1.0])], "bad")
    with pytest.raises(ValueError, match=r"local derivative of shape \(2,\)"):
        autograd.record(np.array([1.0, 2.0, 3.0]), [x3], [np.array([1.0, 1.0])], "bad")
    total = autograd.record(6.0, [x3], [1.0], "total")  # one number over an array: d total/dx_i = 1 each
    total.backward()
    assert x3.grad.tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("build", [
    lambda x, W: x.exp(), lambda x, W: x.tanh(), lambda x, W: x.sigmoid(), lambda x, W: x.relu(), lambda x, W: -x,
    lambda x, W: x + x, lambda x, W: x * x, lambda x, W: x - 1.0, lambda x, W: 2.0 * x, lambda x, W: x / x,
    lambda x, W: x ** 2, lambda x, W: W @ x, lambda x, W: W.sum(axis=0), lambda x, W: W.mean(axis=1),
    lambda x, W: W.T, lambda x, W: x.reshape(3, 1), lambda x, W: autograd.affine(W, x, Value(np.zeros(2))),
    lambda x, W: autograd.dot([x], [x]),
], ids=["exp", "tanh", "sigmoid", "relu", "neg", "+", "*", "-", "r*", "/", "**", "@", "sum", "mean", "T", "reshape",
        "affine", "dot"])
def test_every_operations_array_is_read_only_so_its_gradients_cannot_change_behind_its_back(build):
    x, W = Value(np.array([0.5, 1.0, 2.0])), Value(np.arange(6.0).reshape(2, 3))
    y = build(x, W)
    with pytest.raises(ValueError, match="read-only"):
        y.data[...] = 0.0


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_a_copied_graphs_arrays_are_read_only_too(how):
    x = Value(np.array([1.0, 2.0]))
    J = x.exp().sum()
    copied = pickle.loads(pickle.dumps(J)) if how == "pickle" else copy.deepcopy(J)
    with pytest.raises(ValueError, match="read-only"):
        copied.parents[0].data[0] = 0.0  # exp's data is also its slope


def test_an_array_leaf_cannot_change_in_place_under_its_graph():
    w = Value(np.array([1.0, 2.0]))
    J = (w * w).sum()
    with pytest.raises(ValueError, match="read-only"):
        w.data += 1.0
    with pytest.raises(ValueError, match="read-only"):
        w.data[0] = 5.0
    J.backward()
    assert w.grad.tolist() == [2.0, 4.0]  # the forward-time values, as a float leaf keeps them
    w.data = w.data + 1.0  # a new array: the old graph keeps the old one
    w.grad = 0.0
    J.backward()
    assert w.grad.tolist() == [2.0, 4.0] and w.data.tolist() == [2.0, 3.0]
