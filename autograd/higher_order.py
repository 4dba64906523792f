"""backward(create_graph=True): the backward pass recorded as a graph, so that gradients can be differentiated again.

The first-order backward() multiplies numbers: each node's stored local derivatives by its gradient. Here the same
chain rule runs on Values. Each local derivative is rebuilt as a Value from the node's parents, by the node's rule
in ops.py run on Values (_valuemath), and every product and sum of the chain rule is a node of its own. The
gradients left in .grad are Values: their backward() gives second derivatives, and so on to any order.

    x = Value(0.5)
    y = (x * x).tanh()
    y.backward(create_graph=True)   # x.grad is a Value: 2x sech^2(x^2), as a graph over x
    g = x.grad
    x.grad = 0.0
    g.backward()                    # x.grad == d2y/dx2
"""

from __future__ import annotations

import gc

import numpy as np

from . import _valuemath, modes, ops
from ._numbers import finite, short
from .backward import MANY, backward_order, describe
from .broadcast import fit
from .modes import mode
from .value import Value

# The operations whose local derivatives do not depend on their inputs' values (sums, scalings by a constant,
# reshapes) or are piecewise constant (relu, abs and where, whose second derivative is 0 as in PyTorch): their
# stored numbers (or linear maps) serve as they are.
_CONSTANT = {"+", "r+", "-", "r-", "neg", "r*", "sum", "mean", "T", "reshape", "where", "relu", "abs", "r@"}
_UNARY = {"exp": ops.exp, "log": ops.log, "sqrt": ops.sqrt}
# ops.py writes sigmoid's and softplus's slopes with exp(-|x|), which never overflows, but whose |x| has slope 0 at 0
# (as abs does): differentiated again, they would lose their curvature there (softplus''(0) = 0, not 1/4). tanh's
# (1/cosh x)^2 would give inf * 0 = nan once cosh overflows (|x| > 710). As Values they are written smooth, and
# exact for any x all the same: sigmoid' = s(x) s(-x), tanh' = 4 s(2x) s(-2x), softplus' = s(x).
_SMOOTH_SLOPES = {"sigmoid": lambda x: x.sigmoid() * (-x).sigmoid(),
                  "tanh": lambda x: 4.0 * (2.0 * x).sigmoid() * (-2.0 * x).sigmoid(),
                  "softplus": lambda x: x.sigmoid()}
_BINARY = {"/": ops.divide, "r/": ops.divide, "**": ops.power, "r**": ops.power}


def backward_graph(root: Value) -> None:
    """Set every node's grad under root to d(root)/d(node) as a Value (a graph); leaves add to what they had."""
    # The recorded pass makes nodes by the hundred thousand and frees none: each collection Python's garbage
    # collector would start meanwhile scans the whole growing graph for nothing. Paused for the pass, the
    # create_graph backward of micrograd's demo MLP on 100 points takes 0.6 s instead of 1.4 s (measured).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with np.errstate(all="ignore"):  # IEEE results, quietly, as in the first-order pass
            _backward_graph(root)
    finally:
        if collecting:
            gc.enable()


def _backward_graph(root: Value) -> None:
    grads: dict[int, object] = {id(root): 1.0}  # d(root)/d(root); a number until something makes it a Value
    leaves = [root] if root._p0 is None else []  # gathered as the pass first reaches each
    anomaly = modes.active and mode.anomaly
    for node in backward_order(root):
        g = grads[id(node)]
        for parent, local in zip(node.parents, local_values(node)):
            c = _fit(local * g, parent._data)
            if id(parent) in grads:
                grads[id(parent)] = grads[id(parent)] + c
            else:
                grads[id(parent)] = c
                if parent._p0 is None:
                    leaves.append(parent)
            total = grads[id(parent)]
            if anomaly and type(total) is not Value and not finite(total):  # a Value is checked as it is made
                raise FloatingPointError(f"backward through {describe(node.op, node.parents)} gave "
                                         f"{parent.label or 'an input'} the gradient {short(total)}")
        node.grad = _as_value(g)
    for leaf in leaves:
        old, new = leaf.grad, grads[id(leaf)]
        leaf.grad = _as_value(new if type(old) is float and old == 0.0 else old + new)


def local_values(node: Value) -> list:
    """d(node)/d(parent) for each parent, as Values of the parents (or constants where they do not depend on them)."""
    op, parents, const = node.op, node.parents, node.const
    if node._p1 is MANY and hasattr(node, "_g1"):  # made by record(): its rule, if it was given one
        if node._g1 is None:
            raise ValueError(f"backward(create_graph=True) cannot differentiate the operation {op!r} twice: it was "
                             f"made by autograd.record() without local_grads_rule, the function of its parents "
                             f"(written with Value operations) that gives its local derivatives as Values")
        return list(node._g1(*parents))
    if op in _CONSTANT or (op in ("*", "@", "affine") and const is not None):
        return list(node.local_grads)
    if op == "*":  # d(ab)/da = b, d(ab)/db = a
        return [parents[1], parents[0]]
    if op == "@":  # two Values: the linear maps G -> G B.T and G -> A.T G, with A and B as Values
        return list(ops.matmul(parents[0], parents[1], _valuemath)[1:])
    if op == "affine":  # W @ A + b with A a Value: those two maps, and 1 for b
        return list(ops.affine(*parents, _valuemath)[1:])
    if op == "dot":
        return _dot_locals(parents, node.local_grads)
    if op in _UNARY:
        return [_UNARY[op](parents[0], _valuemath)[1]]
    if op in _SMOOTH_SLOPES:
        return [_SMOOTH_SLOPES[op](parents[0])]
    if const is None:  # a binary operation of two Values
        return list(_BINARY[op](parents[0], parents[1], _valuemath)[1:])
    if op.startswith("r"):  # the constant on the left: c / x, c ** x
        return [_BINARY[op](const, parents[0], _valuemath)[2]]
    return [_BINARY[op](parents[0], const, _valuemath)[1]]


def _dot_locals(parents: tuple, stored) -> list:
    """dot()'s local derivatives: a weight's is its input and an input's its weight, when that partner is a Value;
    a constant partner stays a constant. A batch dot(weights, X) stores X.T, whose row i is d(node)/d(weight i) for
    each example: constants."""
    local_grads = list(stored)
    for i in dot_pairs(parents, stored):
        local_grads[i], local_grads[i + 1] = parents[i + 1], parents[i]
    return local_grads


def dot_pairs(parents: tuple, local_grads) -> list[int]:
    """The positions i at which a dot() node's parents i and i + 1 are a pair of Values (w, x).

    dot() stores such a pair as neighbouring parents whose local derivatives are each other's data, the very
    objects: found by identity, so that a constant that happens to equal a partner's number is not taken for it.
    (Pickling and copying a graph keep these identities: _copies.py.)
    """
    pairs, i = [], 0
    while i + 1 < len(parents):
        if local_grads[i] is parents[i + 1]._data and local_grads[i + 1] is parents[i]._data:
            pairs.append(i)
            i += 2
        else:
            i += 1
    return pairs


def _fit(c, like):
    """broadcast.fit for a Value contribution: summed (or spread) to the shape of like, with Value operations."""
    if type(c) is not Value:
        return fit(c, like)
    shape = np.shape(like)
    if c.shape == shape:
        return c
    full = np.broadcast_shapes(c.shape, shape)
    if c.shape != full:  # a smaller c spreads over the parent
        c = c + np.zeros(full)
    extra = len(full) - len(shape)
    stretched = tuple(extra + i for i, n in enumerate(shape) if n == 1 and full[extra + i] != 1)
    c = c.sum(axis=tuple(range(extra)) + stretched, keepdims=True)
    return c.reshape(shape) if c.shape != shape else c


def _as_value(g) -> Value:
    """A gradient as a Value: a number that depends on nothing becomes a constant leaf."""
    return g if type(g) is Value else Value(g)

