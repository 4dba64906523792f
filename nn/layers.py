"""Models made of scalar Values: Neuron, Layer, MLP, and the course's LinearRegression and LogisticRegression.

Every model takes either one example, a list of n numbers (the course's for loop: one small graph per example),
or a batch, a 2-D numpy array X of shape (m, n): one graph whose Values hold arrays over the m examples (the
course's vectorization). The code is the same for both: z = dot(w, x) + b.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Union

import numpy as np

from autograd import Value, dot, no_grad

from .module import Module

Input = Union[Sequence, np.ndarray]  # one example (n numbers or Values) or a batch X of shape (m, n)
Seed = Union[int, np.random.Generator, None]
ACTIVATIONS = {"relu": Value.relu, "tanh": Value.tanh, "sigmoid": Value.sigmoid, "none": None}


class Neuron(Module):
    """activation(w . x + b); weights uniform in +-1/sqrt(nin) (PyTorch's Linear default), bias 0."""

    def __init__(self, nin: int, activation: str = "relu", seed: Seed = None) -> None:
        self.nin = _check_size(nin, "nin")
        self.activation = _check_activation(activation)
        bound = 1.0 / math.sqrt(nin)
        weights = np.random.default_rng(seed).uniform(-bound, bound, nin).tolist()
        self.w = [Value(x, label=f"w{i + 1}") for i, x in enumerate(weights)]
        self.b = Value(0.0, label="b")

    def __call__(self, x: Input) -> Value:
        z = dot(self.w, _check_input(x, self.nin)) + self.b
        f = ACTIVATIONS[self.activation]
        return f(z) if f else z

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, {self.activation!r})"


class Layer(Module):
    """nout neurons reading the same inputs; returns a list of nout Values."""

    def __init__(self, nin: int, nout: int, activation: str = "relu", seed: Seed = None) -> None:
        self.nin, self.nout = _check_size(nin, "nin"), _check_size(nout, "nout")
        rng = np.random.default_rng(seed)
        self.neurons = [Neuron(nin, activation, seed=rng) for _ in range(nout)]

    def __call__(self, x: Input) -> list[Value]:
        x = _check_input(x, self.nin)
        return [n(x) for n in self.neurons]

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, {self.neurons[0].activation!r})"


class MLP(Module):
    """Layers of sizes `sizes` after nin inputs: `activation` in the hidden layers, `output_activation` last.

    A single output comes back as a Value (a logit by default), several as a list.
    """

    def __init__(self, nin: int, sizes: Sequence[int], activation: str = "relu", output_activation: str = "none",
                 seed: Seed = None) -> None:
        if not isinstance(sizes, (Sequence, np.ndarray)) or isinstance(sizes, (str, bytes)) or len(sizes) == 0:
            got = f"a {type(sizes).__name__}" if isinstance(sizes, (set, dict, str)) else f"{sizes!r:.40}"
            raise ValueError(f"MLP needs a list of layer sizes such as [16, 16, 1], got {got}")
        sizes = sizes.tolist() if isinstance(sizes, np.ndarray) else list(sizes)  # numpy's ints become Python's
        dims = [_check_size(nin, "nin")] + [_check_size(s, "a layer size") for s in sizes]
        rng = np.random.default_rng(seed)
        last = len(sizes) - 1
        self.layers = [Layer(dims[i], dims[i + 1], output_activation if i == last else activation, seed=rng)
                       for i in range(len(sizes))]
        self.nin, self.nout = dims[0], dims[-1]

    def __call__(self, x: Input) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def __repr__(self) -> str:
        sizes = [layer.nout for layer in self.layers]
        return f"MLP({self.nin}, {sizes}, {self.layers[0].neurons[0].activation!r})"


class LinearRegression(Module):
    """y_hat = w . x + b, weights and bias starting at zero.

    The weights are n Values w1..wn (the course's per-weight graph), or with vector=True one Value w holding all
    n as a 1-D array (the course's w, without its second axis): the same numbers, but a step costs one matrix
    product instead of a Python loop over the weights, the choice for many features such as the cat images' 12,288.
    """

    def __init__(self, nin: int, vector: bool = False) -> None:
        self.nin = _check_size(nin, "nin")
        self.vector = bool(vector)
        self.w = Value(np.zeros(nin), label="w") if vector else [Value(0.0, label=f"w{i + 1}") for i in range(nin)]
        self.b = Value(0.0, label="b")

    def __call__(self, x: Input) -> Value:
        return dot(self.w, _check_input(x, self.nin)) + self.b

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.nin}{', vector=True' if self.vector else ''})"


class LogisticRegression(LinearRegression):
    """a = sigmoid(w . x + b), the probability of class 1; weights and bias start at zero, as in the course."""

    def __call__(self, x: Input) -> Value:
        return self.logit(x).sigmoid()

    def logit(self, x: Input) -> Value:
        """z = w . x + b, the log-odds (for binary_cross_entropy_with_logits)."""
        return super().__call__(x)

    def predict(self, x: Input) -> int | np.ndarray:
        """1 (cat) where a > 0.5, else 0, as the course: an int for one example, an int array for a batch."""
        with no_grad():
            a = self(x).data
        return int(a > 0.5) if type(a) is float else (a > 0.5).astype(int)


def _check_input(x: Input, nin: int) -> Input:
    """x itself if it is one example of nin numbers or a batch of shape (m, nin); else a clear error."""
    if isinstance(x, np.ndarray):
        if x.ndim == 2 and x.shape[1] == nin and x.shape[0] > 0:
            return x
        if x.ndim >= 2:
            raise ValueError(f"the model takes a batch X of shape (m, {nin}) (m examples of {nin} features), "
                             f"got shape {x.shape}")
    # a dict's or a set's features would be its keys, in an order of its own; a string's, its characters
    if not isinstance(x, (Sequence, np.ndarray)) or isinstance(x, (str, bytes, bytearray)) or getattr(x, "ndim", 1) == 0:
        raise TypeError(f"the model takes one example as a list of {nin} numbers, or a batch as a 2-D numpy array "
                        f"of shape (m, {nin}); got {type(x).__name__}")
    n = len(x)
    if n != nin:
        hint = "; for a batch pass a 2-D numpy array" if n and isinstance(x[0], (list, tuple)) else ""
        raise ValueError(f"the model takes {nin} features per example, got {n}{hint}")
    return x


def _check_size(n: int, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{what} must be a positive whole number, got {n!r}")
    return int(n)


def _check_activation(name: str) -> str:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(map(repr, ACTIVATIONS))}")
    return name
