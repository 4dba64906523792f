"""Data: the course's cat pictures and the Portland house prices (bundled), synthetic moons, blobs and the course's
flower, standardize.

Every loader returns numpy arrays with one row per example: X of shape (m, n), y of shape (m,).
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from importlib import resources
from typing import NamedTuple

import numpy as np

Seed = int | np.random.Generator | None
CAT_FILE = "data/catvnoncat.npz"
HOUSING_FILE = "data/portland_housing.csv"


class CatImages(NamedTuple):
    """The course's cat-vs-non-cat pictures: 209 to train on, 50 to test; label 1 = cat."""

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    classes: tuple[str, ...]


def load_cat_images(flatten: bool = True, scale: bool = True) -> CatImages:
    """The week-2 assignment's 64x64x3 pictures: flattened to 12,288 numbers per row and divided by 255, as the
    course does (flatten=False keeps shape (m, 64, 64, 3); scale=False keeps the uint8 pixels)."""
    with resources.files(__package__).joinpath(CAT_FILE).open("rb") as f:
        try:
            with np.load(io.BytesIO(f.read())) as d:
                arrays = {k: d[k] for k in ("train_x", "train_y", "test_x", "test_y")}
                classes = tuple(str(c) for c in d["classes"])
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:  # a damaged install
            raise ValueError(f"nn/{CAT_FILE}: cannot read the bundled pictures ({e}); reinstall chainrule") from None
    for part in ("train", "test"):
        _check_pictures(arrays[f"{part}_x"], arrays[f"{part}_y"], part)
    for k in ("train_x", "test_x"):
        x = arrays[k]
        x = x.reshape(len(x), -1) if flatten else x
        arrays[k] = x / 255.0 if scale else x
    for k in ("train_y", "test_y"):
        arrays[k] = arrays[k].astype(np.int64)
    return CatImages(classes=classes, **arrays)


def _check_pictures(x: np.ndarray, y: np.ndarray, part: str) -> None:
    """The bundled pictures as the course's: uint8 pixels of shape (m, 64, 64, 3) and m labels 0 or 1; else a
    ValueError naming the file and what is wrong (a damaged install)."""
    if x.dtype != np.uint8 or x.ndim != 4 or x.shape[1:] != (64, 64, 3) or not len(x):
        raise ValueError(f"nn/{CAT_FILE}: {part}_x must hold 64x64x3 pictures of uint8 pixels, got {x.dtype} of "
                         f"shape {x.shape}; reinstall chainrule")
    if y.shape != (len(x),) or y.dtype.kind not in "iub" or not np.isin(y, (0, 1)).all():
        raise ValueError(f"nn/{CAT_FILE}: {part}_y must hold one label 0 or 1 per picture ({len(x)}), got "
                         f"{y.dtype} of shape {y.shape}; reinstall chainrule")


def load_portland_housing() -> tuple[np.ndarray, np.ndarray]:
    """47 houses sold in Portland, Oregon: X = (size in square feet, bedrooms) per row, y = price in dollars."""
    text = resources.files(__package__).joinpath(HOUSING_FILE).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0] != ["size_sqft", "bedrooms", "price_usd"]:
        raise ValueError(f"nn/{HOUSING_FILE}: unexpected header {rows[0] if rows else '(an empty file)'}")
    table = []
    for line, row in enumerate(rows[1:], start=2):
        if not row:  # a blank line, such as one at the end
            continue
        try:
            numbers = [float(v) for v in row]
        except ValueError:
            numbers = []
        if len(numbers) != 3 or not all(map(math.isfinite, numbers)):
            raise ValueError(f"nn/{HOUSING_FILE}, line {line}: expected three finite numbers (size, bedrooms, price), "
                             f"got {row}")
        table.append(numbers)
    if not table:
        raise ValueError(f"nn/{HOUSING_FILE}: no houses after the header")
    data = np.array(table)
    return data[:, :2], data[:, 2]


def make_moons(n: int = 100, noise: float = 0.1, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in 2-D (as scikit-learn's): label 0 the upper one, 1 the lower; n points,
    Gaussian noise of standard deviation `noise`, shuffled."""
    n, noise = _check_n(n), _check_noise(noise)
    rng = np.random.default_rng(seed)
    n_upper = n // 2
    t_upper, t_lower = np.linspace(0, np.pi, n_upper), np.linspace(0, np.pi, n - n_upper)
    X = np.concatenate([np.column_stack([np.cos(t_upper), np.sin(t_upper)]),
                        np.column_stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)])])
    y = np.concatenate([np.zeros(n_upper, dtype=np.int64), np.ones(n - n_upper, dtype=np.int64)])
    X = X + rng.normal(0.0, noise, X.shape) if noise else X
    order = rng.permutation(n)
    return X[order], y[order]


def make_blobs(n: int = 100, centers: int | np.ndarray = 2, std: float = 1.0, n_features: int = 2,
               seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """n points in Gaussian clusters of standard deviation `std` around `centers` (a count, placed at random in
    the box [-10, 10]^n_features, or an array of coordinates); label k = cluster k. Shuffled."""
    n, std = _check_n(n), _check_noise(std, "std")
    rng = np.random.default_rng(seed)
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        if centers < 1 or isinstance(n_features, bool) or not isinstance(n_features, (int, np.integer)) \
                or n_features < 1:
            raise ValueError(f"make_blobs needs centers >= 1 and n_features >= 1, got {centers} and {n_features}")
        centers = rng.uniform(-10.0, 10.0, (int(centers), int(n_features)))
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or not len(centers) or not np.isfinite(centers).all():
        raise ValueError(f"centers must be a count or a 2-D array of finite coordinates, got shape {centers.shape}")
    y = np.arange(n) % len(centers)  # as even as n allows
    X = centers[y] + rng.normal(0.0, std, (n, centers.shape[1]))
    order = rng.permutation(n)
    return X[order], y[order]


def make_flower() -> tuple[np.ndarray, np.ndarray]:
    """The course's week-3 "planar" data: 400 points in 2-D on a flower of 8 petals, label 0 (red) or 1 (blue).

    Made exactly as the course's load_planar_dataset(): np.random.seed(1) -- this reseeds numpy's legacy global
    generator, as the course does, so later np.random calls depend on it -- then for class j = 0, then 1, 200 points
    with t = linspace(3.12 j, 3.12 (j + 1), 200) + 0.2 randn(200) and r = 4 sin(4t) + 0.2 randn(200) at
    (r sin t, r cos t). Returned in nn's layout, one row per example, not shuffled: X of shape (400, 2) (the course's
    X.T; its first rows are (1.20444229, 3.57611415) and (0.1587099, -1.4821709)) and y of shape (400,) (0 for the
    first 200 points, 1 for the rest).
    """
    np.random.seed(1)
    n, petal = 200, 4.0
    X, y = np.zeros((2 * n, 2)), np.repeat(np.arange(2, dtype=np.int64), n)
    for j in range(2):
        t = np.linspace(3.12 * j, 3.12 * (j + 1), n) + np.random.randn(n) * 0.2
        r = petal * np.sin(4 * t) + np.random.randn(n) * 0.2
        X[n * j:n * (j + 1)] = np.column_stack([r * np.sin(t), r * np.cos(t)])
    return X, y


def standardize(X: np.ndarray, mean: np.ndarray | None = None,
                std: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X - mean) / std per column, and the mean and std used: pass them back to scale test data the same way.

    A constant column (std 0) is only centred (its std counts as 1).
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim not in (1, 2) or not len(X):
        raise ValueError(f"standardize takes a 1-D or 2-D array with at least one row, got shape {X.shape}")
    if not np.isfinite(X).all():
        k = np.argwhere(~np.isfinite(X))[0]
        where = f"row {k[0]}, column {k[1]}" if X.ndim == 2 else f"index {k[0]}"
        raise ValueError(f"X holds {X[tuple(k)]} at {where}: standardize needs finite numbers")
    if (mean is None) != (std is None):
        raise ValueError("give both mean and std (from an earlier standardize), or neither")
    if mean is None:
        mean, std = X.mean(axis=0), X.std(axis=0)
        std = np.where(std > 0, std, 1.0)
    mean, std = np.asarray(mean, dtype=np.float64), np.asarray(std, dtype=np.float64)
    if mean.shape != X.shape[1:] or std.shape != X.shape[1:]:
        raise ValueError(f"mean and std have shapes {mean.shape} and {std.shape}; X's columns need {X.shape[1:]}")
    if not (np.isfinite(mean).all() and np.isfinite(std).all() and (std > 0).all()):
        raise ValueError("mean must be finite and std finite and positive")
    return (X - mean) / std, mean, std


def _check_n(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive whole number of points, got {n!r}")
    return int(n)


def _check_noise(x: float, name: str = "noise") -> float:
    real = not isinstance(x, bool) and isinstance(x, (int, float, np.integer, np.floating))
    try:
        value = float(x) if real else math.nan
    except OverflowError:  # an int beyond float range, whose repr() may be thousands of digits (or refused)
        raise ValueError(f"{name} must be a finite number >= 0, got an int beyond float range") from None
    if not 0 <= value < math.inf:
        raise ValueError(f"{name} must be a finite number >= 0, got {x!r}")
    return value
