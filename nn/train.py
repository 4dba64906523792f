"""fit(): the course's training loop (forward, cost, backward, update), and the History it returns.

    history = fit(model, X, y, loss=binary_cross_entropy, optimizer=SGD(model.parameters(), lr=0.005),
                  iterations=2000, print_every=100)
    history.cost[1900], history.accuracy[-1]
    history.plot("out/cost.png")    # or history.plot() on matplotlib's current figure
    history                         # in Jupyter: the cost curve, inline
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tqdm import tqdm

from autograd import Value
from autograd.files import file_path, write_atomic

from .layers import MLP, Layer
from .losses import binary_cross_entropy, binary_cross_entropy_with_logits, hinge, mse
from .module import Module

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# The classifiers' losses, and the output above which each predicts class 1 (a > 0.5, as the course; z > 0).
THRESHOLDS = {binary_cross_entropy: 0.5, binary_cross_entropy_with_logits: 0.0, hinge: 0.0}
OUR_LOSSES = (*THRESHOLDS, mse)  # they read a matrix model's A[L] of shape (1, m) as it is
PLOT_FORMATS = ("png", "svg", "pdf")


@dataclass(repr=False)
class History:
    """What fit() saw at each iteration, before that iteration's update: the cost J, and the accuracy on the batch
    when the loss is a classifier's (else an empty list)."""

    cost: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)

    def plot(self, path: str | os.PathLike | None = None, title: str = "",
             ax: Axes | None = None) -> Path | Axes:
        """Draw the cost curve (cost J against iteration): saved to path, or drawn on ax or on matplotlib's current
        Axes; returns the path written or the Axes drawn on.

        path: a .png, .svg or .pdf file, written whole or not at all (autograd.files.write_atomic). Without path or
        ax the curve goes on pyplot's current Axes (a new figure if there is none), which a notebook shows inline.
        """
        Figure = _matplotlib_figure()
        if not self.cost:
            raise ValueError("the history is empty: there is no cost curve to plot")
        if path is None:
            if ax is None:
                import matplotlib.pyplot as plt
                ax = plt.gca()
            self._draw(ax, title)
            return ax
        if ax is not None:
            raise ValueError("give plot() a path to save the curve to, or an ax to draw it on, not both")
        path = file_path(path)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in PLOT_FORMATS:
            raise ValueError(f"cannot tell the image format of {str(path)!r}: end the file name with "
                             f"{', '.join('.' + f for f in PLOT_FORMATS)}")
        write_atomic(path, self._image(Figure, title, fmt))
        return path

    def _repr_png_(self) -> bytes | None:
        """The cost curve as a PNG, which Jupyter shows for a History ending a cell; None (the repr shows instead)
        without matplotlib or before any iteration."""
        try:
            Figure = _matplotlib_figure()
        except ImportError:
            return None
        return self._image(Figure, self._summary(), "png") if self.cost else None

    def _image(self, Figure, title: str, fmt: str) -> bytes:
        """The cost curve drawn on a figure of its own (no pyplot), as the bytes of a PNG, SVG or PDF file."""
        fig = Figure(figsize=(6, 4), layout="constrained")
        self._draw(fig.subplots(), title)
        image = io.BytesIO()
        fig.savefig(image, format=fmt, dpi=100)
        return image.getvalue()

    def _draw(self, ax, title: str) -> None:
        """The cost curve on ax, with the axes labelled as the course's."""
        ax.plot(self.cost, marker="o" if len(self.cost) == 1 else None)  # a single point is no line
        ax.set(xlabel="iteration", ylabel="cost J", title=title)
        ax.grid(alpha=0.3)

    def _summary(self) -> str:
        """"2000 iterations, cost 0.693147 -> 0.137416, accuracy 99.04%": what repr() says of a non-empty history."""
        acc = f", accuracy {100 * self.accuracy[-1]:.2f}%" if self.accuracy else ""
        return f"{len(self.cost)} iterations, cost {self.cost[0]:.6f} -> {self.cost[-1]:.6f}{acc}"

    def __repr__(self) -> str:
        return f"History({self._summary()})" if self.cost else "History(0 iterations)"


def _matplotlib_figure():
    """matplotlib's Figure class, or an ImportError saying how to install matplotlib."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("History.plot() draws with matplotlib, which is not installed; install it with "
                          "pip install 'chainrule[plot]' (or pip install matplotlib)") from None
    return Figure


def accuracy(predictions: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """The fraction of predictions equal to the labels, between 0 and 1."""
    predictions, y = np.asarray(predictions), np.asarray(y)
    if predictions.ndim != 1 or predictions.shape != y.shape or not len(y):
        raise ValueError(f"accuracy needs two 1-D arrays of the same non-zero length, got shapes {predictions.shape} "
                         f"and {y.shape}")
    return float(np.mean(predictions == y))


def fit(model: Module, X: np.ndarray, y: np.ndarray, *, loss: Callable, optimizer, iterations: int = 100,
        batch_size: int | None = None, vectorized: bool = True, print_every: int = 0, progress: bool = True,
        seed: int | None = 0) -> History:
    """Train model on X (m examples by n features) and labels y (m) for `iterations` optimizer steps.

    Each step: J = loss(model(batch), labels); optimizer.zero_grad(); J.backward(); optimizer.step(). With one of
    nn's losses, a matrix model (matrix=True) reads the batch in the course's layout, model(batch.T, columns=True),
    and the loss its A[L] of shape (1, m): the same numbers, one node less.
    vectorized=True builds one graph over the whole batch; False builds one graph per example, the course's for
    loop (slow: for comparison). batch_size None uses all m examples every step, else mini-batches from a shuffle
    by `seed` (None or a whole number >= 0). print_every=k prints the cost every k iterations, as the course. A
    progress bar shows once a run has lasted two seconds, on a terminal or in a notebook (see _progress_bar), never
    in CI. Bad input raises ValueError before any work.

    The model has one output: a Value, or a list of one Value (Layer(n, 1)), which trains as that Value, as PyTorch
    trains Linear(n, 1). A model returning anything else raises TypeError at the first step, before any update or
    change to the gradients.
    """
    if not callable(loss):
        raise TypeError(f"loss must be a function such as nn.binary_cross_entropy, got {loss!r:.60}")
    if not (callable(getattr(optimizer, "step", None)) and callable(getattr(optimizer, "zero_grad", None))):
        raise TypeError(f"optimizer must have step() and zero_grad(), such as nn.SGD; got {optimizer!r:.60}")
    iterations = _check_count(iterations, "iterations", low=0)
    print_every = _check_count(print_every, "print_every", low=0)
    if batch_size is not None:
        _check_count(batch_size, "batch_size", low=1)
    if seed is not None:  # checked even when unused (batch_size None), so that a wrong seed never passes silently
        seed = _check_count(seed, "seed", low=0)
    X, y = _check_data(model, X, y, loss)

    threshold = THRESHOLDS.get(loss)
    rows = None if vectorized else X.tolist()  # the for loop reads each example as a list of numbers
    batches = _batches(len(y), batch_size, seed)
    is_one = y == 1.0
    columns = isinstance(model, (Layer, MLP)) and model.matrix and loss in OUR_LOSSES
    labels = y.reshape(1, -1) if columns and vectorized else y  # in the shape of the output the loss reads
    history = History()
    with _progress_bar(iterations, progress) as bar:
        postfix_every = max(1, iterations // 100)
        for i in bar:
            idx = next(batches)
            Xb, yb, positive = (X, labels, is_one) if idx is None else (X[idx], labels[..., idx], is_one[idx])
            if vectorized:
                # a matrix model reads the course's X (n, m) and gives its A[L] (1, m), which the loss takes as it
                # is: no node to drop that first axis (flower network, bench/batched.py: -4 us a step)
                out = _one_output(model(Xb.T, columns=True) if columns else model(Xb), model)
                outputs = out.data[0] if columns else out.data  # A[L]'s one row: (m,) as the labels
            else:
                out = [_one_output(model(x), model) for x in (rows if idx is None else [rows[j] for j in idx])]
                outputs = np.array([o.data for o in out])
            J = loss(out, yb)
            optimizer.zero_grad()  # here, not first: a model or loss that fails leaves the gradients as they were
            J.backward()
            optimizer.step()
            cost = J.data
            history.cost.append(cost)
            if threshold is not None:
                history.accuracy.append(np.count_nonzero((outputs > threshold) == positive) / len(positive))
            if print_every and i % print_every == 0:
                tqdm.write(f"cost after iteration {i}: {cost:.6f}")
            if not bar.disable and i % postfix_every == 0:
                bar.set_postfix(cost=f"{cost:.6f}", refresh=False)
    return history


def _progress_bar(iterations: int, wanted: bool) -> tqdm:
    """fit's progress bar over range(iterations): a widget in a Jupyter notebook (tqdm.notebook, as tqdm.auto picks),
    or text there without ipywidgets; text on a terminal. None at all when not wanted, when the environment
    variable CI is set (as CI services do), or when the output is a file or a pipe (a log)."""
    options = {"desc": "fit", "unit": "it", "delay": 2.0, "leave": False}
    if not wanted or os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return tqdm(range(iterations), disable=True)
    if not _in_notebook():
        return tqdm(range(iterations), disable=None, **options)  # None: shown only when stderr is a terminal
    try:
        import ipywidgets  # noqa: F401  tqdm.notebook's bar is one of its widgets
    except ImportError:  # a text bar: a notebook redraws it in place at each carriage return, as a terminal does
        return tqdm(range(iterations), disable=False, **options)
    from tqdm.notebook import tqdm as notebook_tqdm
    return notebook_tqdm(range(iterations), **options)


def _in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel, whose output goes to a notebook (a plain script never imports IPython)."""
    get_ipython = getattr(sys.modules.get("IPython"), "get_ipython", None)
    shell = get_ipython() if get_ipython is not None else None
    return shell is not None and "IPKernelApp" in shell.config


def _one_output(out, model: Module) -> Value:
    """The model's one output Value: out itself, or the Value in a list of one (a Layer's output); else TypeError."""
    if isinstance(out, (list, tuple)) and len(out) == 1:
        out = out[0]
    if not isinstance(out, Value):
        got = f"a {type(out).__name__} of {len(out)}" if isinstance(out, (list, tuple)) else f"{out!r:.60}"
        raise TypeError(f"fit trains a model with one output: a Value, or a list of one Value; "
                        f"{type(model).__name__} returned {got}")
    return out


def _check_data(model: Module, X, y, loss: Callable) -> tuple[np.ndarray, np.ndarray]:
    """X as a float (m, n) array and y as m float labels, or a ValueError naming what is wrong."""
    X, y = np.asarray(X), np.asarray(y)
    if X.dtype.kind not in "biuf" or y.dtype.kind not in "biuf":
        raise ValueError(f"X and y must hold real numbers, got arrays of {X.dtype} and {y.dtype}")
    if X.ndim != 2 or 0 in X.shape:
        raise ValueError(f"X must be a 2-D array of shape (m examples, n features), got shape {X.shape}")
    m, n = X.shape
    nin = getattr(model, "nin", n)
    if n != nin:
        raise ValueError(f"X has {n} features per example but the model takes {nin}")
    if getattr(model, "nout", 1) != 1:
        raise ValueError(f"fit trains models with one output; this one has {model.nout}")
    if y.shape != (m,):
        hint = " (use y.ravel())" if y.size == m else ""
        raise ValueError(f"y must be a 1-D array with one label per example, shape ({m},); got {y.shape}{hint}")
    if not np.isfinite(X).all():
        i, j = np.argwhere(~np.isfinite(X))[0]
        raise ValueError(f"X holds {X[i, j]} at row {i}, column {j}: every feature must be a finite number")
    if not np.isfinite(y).all():
        raise ValueError(f"y holds {y[~np.isfinite(y)][0]} at index {np.flatnonzero(~np.isfinite(y))[0]}")
    if loss in THRESHOLDS:
        wrong = np.flatnonzero((y != 0) & (y != 1))
        if len(wrong):
            raise ValueError(f"a classifier's labels must be 0 or 1; y[{wrong[0]}] is {y[wrong[0]]}"
                             f" ({len(wrong)} labels outside {{0, 1}})")
    return np.ascontiguousarray(X, dtype=np.float64), np.ascontiguousarray(y, dtype=np.float64)


def _check_count(k: int, name: str, low: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {k!r}")
    return int(k)


def _batches(m: int, batch_size: int | None, seed: int | None) -> Iterator[np.ndarray | None]:
    """None forever (the whole set each step), or index arrays of batch_size from a fresh shuffle every epoch."""
    if batch_size is None or batch_size >= m:
        while True:
            yield None
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(m)
        for start in range(0, m, batch_size):
            yield order[start:start + batch_size]
