"""chainrule's neural networks: models made of scalar Values, losses, optimizers, a training loop, and data.

    from nn import LogisticRegression, SGD, binary_cross_entropy, fit
    from nn.datasets import load_cat_images

    cats = load_cat_images()
    model = LogisticRegression(12288)
    history = fit(model, cats.train_x, cats.train_y, loss=binary_cross_entropy,
                  optimizer=SGD(model.parameters(), lr=0.005), iterations=2000, print_every=100)

A model called on one example (a list of n numbers) builds the course's per-example graph; called on a 2-D
array X of shape (m, n) it builds one graph over all m examples: the same code, vectorized. From week 3 on the
course vectorizes by layer too: MLP(..., matrix=True) keeps each layer as one matrix W[l] and one column b[l]
(see nn.layers), with the course's initialisations by name (see nn.init).
"""

from . import datasets, init
from .datasets import load_cat_images, load_portland_housing, make_blobs, make_flower, make_moons, standardize
from .layers import MLP, Layer, LinearRegression, LogisticRegression, Neuron
from .losses import binary_cross_entropy, binary_cross_entropy_with_logits, hinge, mse
from .module import Module
from .optim import SGD, Adam
from .train import History, accuracy, fit

__all__ = [
    "Module", "Neuron", "Layer", "MLP", "LinearRegression", "LogisticRegression",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "mse", "hinge",
    "SGD", "Adam", "fit", "History", "accuracy",
    "datasets", "init", "load_cat_images", "load_portland_housing", "make_moons", "make_blobs", "make_flower", "standardize",
]
