"""Initial weights: the named ways a layer draws its weight matrix W of shape (n_out, n_in). Biases start at 0.

    "uniform"  uniform in +-1/sqrt(n_in)                   PyTorch's Linear default; the models' default
    "small"    randn(n_out, n_in) * 0.01                   the course: week 3, and week 4's two-layer model
    "lecun"    randn(n_out, n_in) / sqrt(n_in)             the course's week-4 deep model (LeCun's normal)
    "he"       randn(n_out, n_in) * sqrt(2 / n_in)         He et al. (2015), for relu layers
    "xavier"   randn(n_out, n_in) * sqrt(2 / (n_in + n_out))   Glorot and Bengio (2010), for tanh layers

(The course's second course calls the "lecun" formula Xavier's; "xavier" here is Glorot and Bengio's own, as
PyTorch's xavier_normal_ and Keras's glorot_normal.)

The four normal ones draw with numpy's legacy generator, as the course does, so that its numbers come out: with
seed=None from the global one (call np.random.seed(s) first, as the course), with an int seed from a private
np.random.RandomState(seed), which gives the same numbers without touching the global state. "uniform" draws
from np.random.default_rng(seed). A network draws its layers' matrices in order, W[1] first, row by row.
"""

from __future__ import annotations

from typing import Union

import numpy as np

Seed = Union[int, np.random.Generator, np.random.RandomState, None]
NORMAL = {  # W from z = randn(n_out, n_in), written as the course and the papers write it
    "small": lambda z, n_in, n_out: z * 0.01,
    "lecun": lambda z, n_in, n_out: z / np.sqrt(n_in),
    "he": lambda z, n_in, n_out: z * np.sqrt(2.0 / n_in),
    "xavier": lambda z, n_in, n_out: z * np.sqrt(2.0 / (n_in + n_out)),
}
INITS = ("uniform", *NORMAL)


def check_init(init: str) -> str:
    """init itself if it names an initialisation, else a ValueError listing them."""
    if not isinstance(init, str) or init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose one of {', '.join(map(repr, INITS))}")
    return init


def generator(init: str, seed: Seed):
    """The random source init draws from, for seed (see the module's docstring): np.random itself for the global
    legacy generator."""
    check_init(init)
    if isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ValueError(f"seed must be None, a whole number >= 0, or a numpy Generator or RandomState; got {seed!r}")
    if init == "uniform":
        return np.random.default_rng(seed)
    return np.random if seed is None else np.random.RandomState(seed)


def draw(init: str, n_out: int, n_in: int, rng) -> np.ndarray:
    """A weight matrix of shape (n_out, n_in), drawn by init from rng (made by generator())."""
    if check_init(init) == "uniform":
        bound = 1.0 / np.sqrt(n_in)
        return rng.uniform(-bound, bound, (n_out, n_in))
    return NORMAL[init](rng.standard_normal((n_out, n_in)), n_in, n_out)
