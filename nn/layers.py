"""Models: Neuron, Layer, MLP, and the course's LinearRegression and LogisticRegression.

Every model takes either one example, a list of n numbers (the course's for loop: one small graph per example),
or a batch, a 2-D numpy array X of shape (m, n): one graph whose Values hold arrays over the m examples (the
course's vectorization). The code is the same for both: z = dot(w, x) + b. A list is always one example: a list
of lists is no batch, and a feature that is a list is a TypeError (pass np.array(rows) for a batch).

Every parameter and every node a model builds is named as the course writes it, and the names are the Values'
labels, so drawings show them, and named_parameters() and save files use them:
- a Neuron, LinearRegression or LogisticRegression: weights w1..wn and bias b, then z = w1 x1 + ... + wn xn + b
  (one node on one example) and a = g(z);
- a Layer of neurons in an MLP: the entries of the course's W[l] and b[l], 1-based: w[l]_j,k (layer l, neuron j,
  input k) and b[l]_j, then z[l]_j and a[l]_j (a Layer alone: w_j,k, b_j, z_j, a_j).

A Layer (and so an MLP) keeps its weights one of two ways, chosen by `matrix`:
- matrix=False (the default): nout Neurons, one Value per weight, the course's per-neuron picture (week 2's graph,
  micrograd's model). On a batch every Value holds m numbers.
- matrix=True: one Value W of shape (nout, nin) and one b of shape (nout, 1), the course's W[l] and b[l] from
  week 3 on, computing Z = W A + b and A = g(Z) as one matrix product per layer. In an MLP they are named as the
  course writes them: W[1], b[1], W[2], ... (a Layer alone: W, b); Z[l] and A[l] are labelled so too.
  Called on a batch X of shape (m, nin), one example per row as everywhere in nn, it returns (m,) for one output
  (else (m, nout)); called with columns=True on A of shape (nin, m), one example per column as the course writes
  it, it returns the course's A[L] of shape (nout, m). The layout is said, never guessed from the shape (m may
  equal nin). mlp.as_neurons() gives the same network with one Value per weight, to draw one example's graph.
The weights' first values come from `init`, a name in nn.init.INITS: "uniform" (the default), "small" (the
course's randn * 0.01), "lecun" (the course's deep randn / sqrt(nin)), "he", "xavier"; biases start at 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Union

import numpy as np

from autograd import Value, affine, dot, no_grad

from .init import Seed, draw, generator
from .module import Module

Input = Union[Sequence, np.ndarray]  # one example (n numbers or Values) or a batch X of shape (m, n)
FLOAT64 = np.dtype(np.float64)  # `x.dtype is FLOAT64` is 70 ns faster than `x.dtype == np.float64`
ACTIVATIONS = {"relu": Value.relu, "tanh": Value.tanh, "sigmoid": Value.sigmoid, "none": None}


class Neuron(Module):
    """activation(w . x + b): n weight Values w1..wn and a bias b; the weights drawn by `init` (see nn.init),
    uniform in +-1/sqrt(nin) by default (PyTorch's Linear), the bias 0."""

    def __init__(self, nin: int, activation: str = "relu", seed: Seed = None, init: str = "uniform") -> None:
        nin, activation = _check_size(nin, "nin"), _check_activation(activation)
        _set_neuron(self, draw(init, 1, nin, generator(init, seed))[0], 0.0, activation)

    def __call__(self, x: Input) -> Value:
        z = _affine(self.w, self.b, _check_input(x, self.nin), self._z)
        f = ACTIVATIONS[self.activation]
        if not f:
            return z
        a = f(z)
        a.label = self._a
        return a

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, {self.activation!r})"


class Layer(Module):
    """nout outputs reading the same nin inputs: nout Neurons (a list of nout Values out), or with matrix=True one
    matrix W (nout, nin) and one column b (nout, 1) (one Value out). See the module's docstring."""

    def __init__(self, nin: int, nout: int, activation: str = "relu", seed: Seed = None, init: str = "uniform",
                 matrix: bool = False) -> None:
        nin, nout = _check_size(nin, "nin"), _check_size(nout, "nout")
        activation = _check_activation(activation)
        _set_layer(self, draw(init, nout, nin, generator(init, seed)), np.zeros((nout, 1)), activation,
                   bool(matrix), "")
        self.init = init

    def __call__(self, x: Input, columns: bool = False) -> Value | list[Value]:
        """The layer's output on one example or a batch; columns=True (matrix=True only): x is (nin, m), the
        output (nout, m)."""
        if not self.matrix:
            _no_columns(columns, self)
            x = _check_input(x, self.nin)
            return [n(x) for n in self.neurons]
        A, one = _as_columns(x, self.nin, columns)
        return _from_columns(self._forward(A), columns, one)

    def _forward(self, A: np.ndarray | Value) -> Value:
        """The course's Z = W A + b (one node, the course's box), then A = g(Z), on A of shape (nin, m)."""
        Z = affine(self.W, A, self.b)
        Z.label = "Z" + self._tag
        f = ACTIVATIONS[self.activation]
        if not f:
            return Z
        A = f(Z)
        A.label = "A" + self._tag
        return A

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, {self.activation!r}{_options(self)})"


class MLP(Module):
    """Layers of sizes `sizes` after nin inputs: `activation` in the hidden layers, `output_activation` last.

    A single output comes back as a Value (a logit by default), several as a list (one Value with matrix=True).
    matrix=True keeps each layer as the course's W[l] and b[l]; init names the first weights (nn.init), drawn
    layer by layer in order. The course's week-4 deep model, for instance:

        np.random.seed(1)
        model = MLP(12288, [20, 7, 5, 1], "relu", "sigmoid", init="lecun", matrix=True)
    """

    def __init__(self, nin: int, sizes: Sequence[int], activation: str = "relu", output_activation: str = "none",
                 seed: Seed = None, init: str = "uniform", matrix: bool = False) -> None:
        if not isinstance(sizes, (Sequence, np.ndarray)) or isinstance(sizes, (str, bytes)) or len(sizes) == 0:
            got = f"a {type(sizes).__name__}" if isinstance(sizes, (set, dict, str)) else f"{sizes!r:.40}"
            raise ValueError(f"MLP needs a list of layer sizes such as [16, 16, 1], got {got}")
        sizes = sizes.tolist() if isinstance(sizes, np.ndarray) else list(sizes)  # numpy's ints become Python's
        dims = [_check_size(nin, "nin")] + [_check_size(s, "a layer size") for s in sizes]
        activations = [_check_activation(activation)] * (len(sizes) - 1) + [_check_activation(output_activation)]
        rng = generator(init, seed)
        weights = [(draw(init, dims[i + 1], dims[i], rng), np.zeros((dims[i + 1], 1))) for i in range(len(sizes))]
        _set_mlp(self, weights, activations, bool(matrix))
        self.activation, self.output_activation, self.init = activation, output_activation, init

    def __call__(self, x: Input, columns: bool = False) -> Value | list[Value]:
        """The network's output on one example or a batch; columns=True (matrix=True only): x is the course's X of
        shape (nin, m), the output its A[L] of shape (nout, m)."""
        if not self.matrix:
            _no_columns(columns, self)
            for layer in self.layers:
                x = layer(x)
            return x[0] if len(x) == 1 else x
        A, one = _as_columns(x, self.nin, columns)
        for layer in self.layers:
            A = layer._forward(A)
        return _from_columns(A, columns, one)

    def as_neurons(self) -> MLP:
        """The same network with one Value per weight (matrix=False), holding copies of the current numbers, named
        as entries of the course's matrices: w[1]_j,k (row j, column k of W[1], 1-based) and b[1]_j.

        Called on one example it builds the course's per-example graph, for a drawing; after backward() there, the
        copy's gradients are the entries of the matrices' gradients on that one example. The copy shares nothing
        with this model: training one leaves the other as it was.
        """
        weights = [(layer.W.data, layer.b.data) if self.matrix else
                   (np.array([[w.data for w in n.w] for n in layer.neurons]),
                    np.array([[n.b.data] for n in layer.neurons])) for layer in self.layers]
        copy = MLP.__new__(MLP)
        _set_mlp(copy, weights, [layer.activation for layer in self.layers], False)
        copy.activation, copy.output_activation, copy.init = self.activation, self.output_activation, self.init
        return copy

    def __repr__(self) -> str:
        sizes = [layer.nout for layer in self.layers]
        output = f", output_activation={self.output_activation!r}" if self.output_activation != "none" else ""
        return f"MLP({self.nin}, {sizes}, {self.activation!r}{output}{_options(self)})"


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
        return _affine(self.w, self.b, _check_input(x, self.nin), "z")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.nin}{', vector=True' if self.vector else ''})"


class LogisticRegression(LinearRegression):
    """a = sigmoid(w . x + b), the probability of class 1; weights and bias start at zero, as in the course."""

    def __call__(self, x: Input) -> Value:
        a = self.logit(x).sigmoid()
        a.label = "a"
        return a

    def logit(self, x: Input) -> Value:
        """z = w . x + b, the log-odds (for binary_cross_entropy_with_logits)."""
        return super().__call__(x)

    def predict(self, x: Input) -> int | np.ndarray:
        """1 (cat) where a > 0.5, else 0, as the course: an int for one example, an int array for a batch."""
        with no_grad():
            a = self(x).data
        return int(a > 0.5) if type(a) is float else (a > 0.5).astype(int)


def _affine(w: list[Value] | Value, b: Value, x: Input, label: str) -> Value:
    """z = w . x + b, labelled `label`; on one example with weights as Values one node, the course's
    z = w1 x1 + ... + wn xn + b (a dot of w1..wn, b with x1..xn, 1), else w . x (labelled "wᵀx"), then + b.

    When every x_k is a number, the node's const holds them (x1..xn, the factors of w1..wn; b adds): its local
    derivatives say the same, but const tells a drawing that the factors are the model's constant inputs, which it
    draws as such (viz/_notation.py, dot_inputs).
    """
    if type(w) is Value or (isinstance(x, np.ndarray) and x.ndim == 2):  # a weight vector, or a batch X
        wx = dot(w, x)
        wx.label = "wᵀx"
        z = wx + b
    else:
        n = len(w)
        z = dot([*w, b], np.append(x, 1.0) if isinstance(x, np.ndarray) else [*x, 1.0])  # an array: checked as one
        if len(z.parents) == n + 1:  # no x_k was a Value: the parents are w1..wn and b alone
            z.const = z.local_grads[:n]
    z.label = label
    return z


def _check_input(x: Input, nin: int) -> Input:
    """x itself if it is one example of nin numbers or a batch of shape (m, nin); else a clear error."""
    if isinstance(x, np.ndarray):
        if x.ndim == 2 and x.shape[1] == nin and x.shape[0] > 0:
            return x
        if x.ndim >= 2:
            raise ValueError(f"the model takes a batch X of shape (m, {nin}) (m examples of {nin} features), "
                             f"got shape {x.shape}")
    # a dict's or a set's features would be its keys, in an order of its own; a string's, its characters
    if (not isinstance(x, (Sequence, np.ndarray)) or isinstance(x, (str, bytes, bytearray))
            or getattr(x, "ndim", 1) == 0):
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
    if not isinstance(name, str) or name not in ACTIVATIONS:  # `in` alone fails on a list: unhashable
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(map(repr, ACTIVATIONS))}")
    return name


def _set_neuron(neuron: Neuron, w: np.ndarray, b: float, activation: str, tag: str | None = None,
                row: int = 0) -> None:
    """Give neuron the weights w and bias b as Values, and the names of its z and a: w1..wn, b, z, a for a neuron
    of its own; in a layer (tag "[1]" in an MLP, "" alone) the entries of the course's matrices, row j = row + 1:
    w[1]_j,1..w[1]_j,n, b[1]_j, z[1]_j, a[1]_j."""
    neuron.nin, neuron.activation = len(w), activation
    j = row + 1
    names = [f"w{k + 1}" if tag is None else f"w{tag}_{j},{k + 1}" for k in range(len(w))]
    neuron.w = [Value(x, label=name) for x, name in zip(w.tolist(), names)]
    neuron.b = Value(float(b), label="b" if tag is None else f"b{tag}_{j}")
    neuron._z, neuron._a = ("z", "a") if tag is None else (f"z{tag}_{j}", f"a{tag}_{j}")


def _set_layer(layer: Layer, W: np.ndarray, b: np.ndarray, activation: str, matrix: bool, tag: str) -> None:
    """Give layer the weights W (nout, nin) and biases b (nout, 1): as one matrix Value W and one b labelled
    W<tag> and b<tag>, or as Neurons labelled entry by entry (w<tag>_j,k, b<tag>_j)."""
    layer.nout, layer.nin = W.shape
    layer.activation, layer.matrix, layer._tag = activation, matrix, tag
    if matrix:
        layer.W, layer.b = Value(W, label="W" + tag), Value(b, label="b" + tag)
        return
    layer.neurons = [Neuron.__new__(Neuron) for _ in range(layer.nout)]
    for j, neuron in enumerate(layer.neurons):
        _set_neuron(neuron, W[j], b[j, 0], activation, tag, j)


def _set_mlp(mlp: MLP, weights: list[tuple[np.ndarray, np.ndarray]], activations: list[str], matrix: bool) -> None:
    """Give mlp one layer per (W, b) in weights, in order, the l-th tagged [l] as the course numbers layers."""
    mlp.layers = []
    for l, ((W, b), activation) in enumerate(zip(weights, activations), 1):
        layer = Layer.__new__(Layer)
        _set_layer(layer, W, b, activation, matrix, f"[{l}]")
        layer.init = None
        mlp.layers.append(layer)
    mlp.nin, mlp.nout, mlp.matrix = mlp.layers[0].nin, mlp.layers[-1].nout, matrix


def _options(model: Layer | MLP) -> str:
    """The keyword arguments of a model's repr that differ from the defaults."""
    init = f", init={model.init!r}" if model.init not in ("uniform", None) else ""
    return init + (", matrix=True" if model.matrix else "")


def _no_columns(columns: bool, model: Module) -> None:
    """A clear error for columns=True on a per-neuron model, which reads one example per row only."""
    if columns:
        raise ValueError(f"columns=True is for models with matrix=True (W of shape (nout, nin)); {model!r} takes "
                         "one example per row, X of shape (m, nin)")


def _as_columns(x, nin: int, columns: bool) -> tuple[np.ndarray | Value, bool]:
    """x as the course's A of shape (nin, m), one example per column, and whether x was one example.

    columns=False: x is a batch of shape (m, nin) (a numpy array or Value) or one example of nin numbers (a list
    of lists is no batch: a TypeError, as the per-neuron model gives); columns=True: x is already (nin, m). A numpy
    array is passed on as it is or as its transpose, a view: no copy.
    """
    if isinstance(x, Value):
        shape = x.shape
        want = (nin, "m") if columns else ("m", nin)
        if len(shape) != 2 or shape[1 - columns] != nin or 0 in shape:
            raise ValueError(f"the model takes a Value of shape {want} (columns={columns}), got shape {shape}")
        return (x if columns else x.T), False
    if columns:
        if not isinstance(x, np.ndarray) or x.ndim != 2 or x.shape[0] != nin or x.shape[1] == 0:
            got = f"shape {x.shape}" if isinstance(x, np.ndarray) else f"a {type(x).__name__}"
            raise ValueError(f"with columns=True the model takes the course's X of shape ({nin}, m), one example "
                             f"per column, as a 2-D numpy array; got {got}")
        return _real(x), False
    x = _check_input(x, nin)
    if isinstance(x, np.ndarray) and x.ndim == 2:
        return _real(x).T, False
    return _real(x if isinstance(x, np.ndarray) else _example(x, nin)).reshape(nin, 1), True


def _example(x: Sequence, nin: int) -> np.ndarray:
    """One example, a sequence of nin features, as an array; a TypeError naming the first feature that is a list
    or an array, not a number."""
    try:
        a = np.asarray(list(x))
    except ValueError:  # ragged, as [1, [2]]
        a = None
    if a is None or a.ndim != 1:
        k, v = next((k, v) for k, v in enumerate(x) if isinstance(v, (Sequence, np.ndarray)) or np.ndim(v))
        raise TypeError(f"each of the model's {nin} features needs a real number, got {type(v).__name__} {v!r:.40} "
                        f"at x[{k}]; for a batch pass a 2-D numpy array of shape (m, {nin})")
    return a


def _real(x: np.ndarray) -> np.ndarray:
    """x as float64 (itself when it already is), or a TypeError for anything but real numbers."""
    if x.dtype is FLOAT64:  # the usual case, without np.asarray's call (-0.1 us a step)
        return x
    if x.dtype.kind not in "biuf":
        hint = "; a matrix model's inputs are numbers, not Values" if x.dtype == object else ""
        raise TypeError(f"the model takes real numbers, got an array of {x.dtype}{hint}")
    return np.asarray(x, dtype=np.float64)


def _from_columns(A: Value, columns: bool, one: bool) -> Value:
    """The output A of shape (nout, m) in the caller's layout: as it is with columns=True; else (m,) for one
    output, (m, nout) for several, and for one example a number or (nout,)."""
    if columns:
        return A
    if one:
        return A.sum() if A.shape[0] == 1 else A.sum(axis=1)
    return A.sum(axis=0) if A.shape[0] == 1 else A.T  # summing one row is how the engine drops an axis
