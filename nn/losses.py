"""Losses: the model's output and the labels in, the mean cost J = (1/m) sum_i L(output_i, y_i) out.

The output may be one Value for one example, one Value holding a batch (the vectorized graph), or a list of
per-example Values (the course's for loop). A batch is m numbers, one per example: shape (m,), or the course's
A[L] of shape (1, m), one example per column (or a column (m, 1)); its labels have shape (m,) or the output's own.
J is a Value holding a float, ready for J.backward().

The nodes are named as the course writes them: each example's loss L (L⁽¹⁾, L⁽²⁾, ... over a list), their mean J;
on one example there is nothing to average, and L itself is returned (the course's L(a, y)). No node multiplies
by a label's constant 1 or 0, or subtracts a label 0: a label picks the terms instead.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from functools import partial
from typing import Union

import numpy as np

import autograd
from autograd import Value, record

from .layers import FLOAT64

Output = Union[Value, Sequence[Value]]
Labels = Union[float, Sequence[float], np.ndarray]
LOG_FLOOR = -100.0  # binary_cross_entropy clamps each log here, as PyTorch's BCELoss
_UNCLAMPED = math.exp(LOG_FLOOR + 1)  # a (1 - a) above this: a and 1 - a above it too, both logs above the floor


def binary_cross_entropy(prob: Output, y: Labels) -> Value:
    """The course's L(a, y) = -(y log a + (1 - y) log(1 - a)), with a the predicted probability of class 1.

    Each example's L is one node, the course's box with local derivative dL/da = -y/a + (1 - y)/(1 - a). Each log
    is clamped at -100 (as PyTorch's BCELoss), so a probability of exactly 0 or 1 on the wrong side costs 100 rather
    than inf, and 0 * log 0 counts as 0 rather than nan; a clamped log's slope is 0. For stability on any input,
    give the logit z to binary_cross_entropy_with_logits instead.
    """
    return _mean(_bce, prob, y)


def binary_cross_entropy_with_logits(z: Output, y: Labels) -> Value:
    """L(sigmoid(z), y) = softplus(z) - y z, exact for any z, with dL/dz = sigmoid(z) - y everywhere.

    Each example's L is one node, computed as y softplus(-z) + (1 - y) softplus(z): the same function without the
    cancellation of softplus(z) - z when y = 1 and z is large. A term whose weight (y or 1 - y) is 0 counts 0, so a
    certain and right logit (z = +inf with y = 1, z = -inf with y = 0) costs exactly 0 with slope 0; a wrong one, inf.
    """
    return _mean(_bce_logits, z, y)


def mse(pred: Output, y: Labels) -> Value:
    """Mean squared error: L = (y_hat - y)^2, dL/dy_hat = 2 (y_hat - y)."""
    return _mean(_squared_error, pred, y)


def hinge(z: Output, y: Labels) -> Value:
    """The SVM's max-margin loss L = max(0, 1 - t z) with t = 2y - 1: labels 0/1 become -1/+1, z a score."""
    return _mean(_hinge, z, y)


def _bce(a: Value, y) -> Value:
    """The course's L(a, y) box: one node whose local derivative is dL/da = -y/a + (1 - y)/(1 - a)."""
    x = a.data
    with autograd.ieee():  # IEEE, quietly: log 0 = -inf, then clamped; y / 1e-311 = inf, then dropped
        one_minus_a, one_minus_y = 1.0 - x, 1.0 - y
        log_a, log_1_a = np.log(x), np.log(one_minus_a)
        if np.minimum.reduce(x * one_minus_a, None) > _UNCLAMPED:
            # a and 1 - a both above e^-99, so no log is clamped (nor nan): the same numbers without the clamps
            # (flower network: -2 us a step)
            loss = -(y * log_a + one_minus_y * log_1_a)
            slope = np.divide(one_minus_y, one_minus_a) - np.divide(y, x)
        else:
            loss = -(y * np.maximum(log_a, LOG_FLOOR) + one_minus_y * np.maximum(log_1_a, LOG_FLOOR))
            slope = (np.where(log_1_a > LOG_FLOOR, np.divide(one_minus_y, one_minus_a), 0.0)
                     - np.where(log_a > LOG_FLOOR, np.divide(y, x), 0.0))
    return record(_read_only(loss), [a], [slope], "bce", local_grads_rule=partial(_bce_slope, y))


def _bce_logits(z: Value, y) -> Value:
    """L(sigmoid(z), y) as one node whose local derivative is dL/dz = sigmoid(z) - y."""
    x = z.data
    with autograd.ieee():
        loss = _weighted(y, np.logaddexp(0.0, -x)) + _weighted(1.0 - y, np.logaddexp(0.0, x))  # softplus: exact
        e = np.exp(-np.abs(x))  # e to a negative power only: no overflow for either sign
        big, small = 1.0 / (1.0 + e), e / (1.0 + e)  # sigmoid(|x|) and sigmoid(-|x|)
        up, down = np.where(x >= 0, big, small), np.where(x >= 0, small, big)  # sigmoid(x), sigmoid(-x)
        slope = (1.0 - y) * up - y * down  # = sigmoid(x) - y, without cancelling when y is 0 or 1
    if type(x) is float:
        loss, slope = float(loss), float(slope)
    return record(_read_only(loss), [z], [slope], "bce_logits", local_grads_rule=partial(_bce_logits_slope, y))


def _bce_slope(y, a: Value) -> list[Value]:
    """dL/da as a Value of a, for second derivatives (the clamp of each log at LOG_FLOOR is not in it: it only acts
    within e^-100 of 0 or 1)."""
    if isinstance(y, float) and y in (0.0, 1.0):  # one label: one term, no multiplication by 0 or 1
        return [1.0 / (1.0 - a) if y == 0.0 else -1.0 / a]
    return [(1.0 - y) / (1.0 - a) - y / a]


def _bce_logits_slope(y, z: Value) -> list[Value]:
    """dL/dz = sigmoid(z) - y as a Value of z, for second derivatives; as (1 - y) sigmoid(z) - y sigmoid(-z), which
    does not cancel when y is 0 or 1."""
    if isinstance(y, float) and y in (0.0, 1.0):
        return [z.sigmoid() if y == 0.0 else -(-z).sigmoid()]
    return [(1.0 - y) * z.sigmoid() - y * (-z).sigmoid()]


def _read_only(loss):
    """A loss array of our own, made read-only: record() then keeps it as the node's data without a copy."""
    if type(loss) is np.ndarray:
        loss.setflags(False)  # write=False, by position as SGD does (0.1 us less)
    return loss


def _weighted(weight, loss):
    """weight * loss, but 0 where the weight is 0 (not 0 * inf = nan): a label's absent term costs nothing."""
    return np.where(weight == 0, 0.0, weight * loss)


def _squared_error(pred, y):
    """(y_hat - y)^2 as d*d, d = y_hat - y; a label of 0 (every label, on a batch) subtracts nothing."""
    d = pred if not np.any(y) else pred - y
    return d * d


def _hinge(z, y):
    """max(0, 1 - t z), t = 2y - 1: 1 - z for a label 1 and 1 + z for a label 0 (every label, on a batch), so that
    no node multiplies by t = 1 or -1; mixed labels multiply by their t, one array."""
    if np.all(y == 1):
        return (1.0 - z).relu()
    if np.all(y == 0):
        return (1.0 + z).relu()
    return (1.0 - (2.0 * y - 1.0) * z).relu()


def _mean(loss: Callable, out: Output, y: Labels) -> Value:
    """J = (1/m) sum_i loss(out_i, y_i) over a batch Value or a list of per-example Values; on one example L itself."""
    if isinstance(out, Value):
        data = out.data
        if type(data) is float:
            return _named(loss(out, _one_label(y)), "L")
        return _named(_named(loss(out, _labels(y, data.shape)), "L").mean(), "J")
    if isinstance(out, (list, tuple)) and out and all(isinstance(o, Value) and type(o.data) is float for o in out):
        labels = _labels(y, (len(out),)).tolist()
        losses = [_named(loss(o, t), "L" + _superscript(i)) for i, (o, t) in enumerate(zip(out, labels), 1)]
        return _named(_named(autograd.sum(losses), "ΣL") / len(out), "J")
    raise TypeError("a loss takes the model's output: a Value (one example or a batch) or a non-empty list of "
                    f"one-number Values (one per example); got {type(out).__name__}")


def _named(node: Value, label: str) -> Value:
    """node, labelled with the course's name for it (L, J)."""
    node.label = label
    return node


def _superscript(i: int) -> str:
    """The course's example index (i) as a superscript: ⁽¹²⁾."""
    return "⁽" + str(i).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")) + "⁾"


def _one_label(y) -> float:
    """y as one float label; ValueError for several labels, TypeError for something that is not a number."""
    if isinstance(y, np.ndarray) and y.size == 1:
        y = y.item()
    if isinstance(y, (list, tuple, np.ndarray)):
        raise ValueError(f"one output needs one label (a number), got {type(y).__name__} {y!r:.40}")
    if not _is_real(y):
        raise TypeError(f"a label must be a real number, got {_describe(y)}")
    return float(y)


def _labels(y, shape: tuple[int, ...]) -> np.ndarray:
    """y as a float array of labels in the shape of a batch output (m,), (1, m) or (m, 1), read from that shape or
    from (m,); TypeError for a label that is not a number, ValueError for a shape that is not one label per example.
    """
    if len(shape) > 2 or (len(shape) == 2 and 1 not in shape):  # broadcasting m labels over it would be wrong
        raise ValueError(f"a loss takes one number per example: an output of shape (m,), or (1, m) as the course's "
                         f"A[L] (or a column (m, 1)); got shape {shape}")
    if type(y) is np.ndarray and y.dtype is FLOAT64 and y.shape == shape:
        return y  # float labels already in the output's shape, as nn.fit passes them (1.3 us -> 0.24 us)
    labels = np.asarray(y)
    if labels.dtype.kind not in "biuf":  # numpy would read "1" as 1.0 and None as nan
        bad = [v for v in labels.ravel().tolist() if not _is_real(v)]
        if bad or labels.dtype.kind != "O":
            raise TypeError(f"labels must be real numbers, got {_describe(bad[0]) if bad else labels.dtype}")
    labels = labels.astype(np.float64, copy=False)  # no copy of float labels, as np.asarray before
    m = max(shape)
    if labels.shape == shape:
        return labels
    if labels.shape == (m,):  # a row or column of outputs, labels as a 1-D array: a view in the output's shape
        return labels.reshape(shape)
    if len(shape) == 1:
        hint = " (use y.ravel() for a row or column of labels)" if labels.size == m else ""
        raise ValueError(f"the output has {m} examples, so the labels must be a 1-D array of {m}; "
                         f"got shape {labels.shape}{hint}")
    raise ValueError(f"the output has {m} examples in shape {shape}, so the labels must be a 1-D array of {m} or "
                     f"have shape {shape}; got shape {labels.shape}")


def _is_real(x) -> bool:
    return isinstance(x, (numbers.Real, np.bool_))


def _describe(x) -> str:
    """A label in an error message: its value and type, shortened."""
    return f"{x!r:.40} ({type(x).__name__})"
