"""Bundled data (the course's cat pictures, the Portland houses), synthetic moons and blobs, standardize."""

import numpy as np
import pytest

import nn


def test_cat_images_are_the_course_set_flattened_and_scaled():
    cats = nn.load_cat_images()
    assert cats.train_x.shape == (209, 12288) and cats.test_x.shape == (50, 12288)
    assert cats.train_x.dtype == np.float64 and 0.0 <= cats.train_x.min() and cats.train_x.max() <= 1.0
    assert cats.train_y.shape == (209,) and set(cats.train_y.tolist()) == {0, 1}
    assert (cats.train_y.sum(), cats.test_y.sum()) == (72, 33)  # cats among the pictures
    assert cats.classes == ("non-cat", "cat")


def test_cat_images_unflattened_and_unscaled_are_the_pixels():
    raw = nn.load_cat_images(flatten=False, scale=False)
    assert raw.train_x.shape == (209, 64, 64, 3) and raw.train_x.dtype == np.uint8
    flat = nn.load_cat_images()
    np.testing.assert_array_equal(flat.train_x[5], raw.train_x[5].reshape(-1) / 255.0)


def test_portland_housing_is_the_47_houses_of_the_seed_table():
    X, y = nn.load_portland_housing()
    assert X.shape == (47, 2) and y.shape == (47,)
    assert X[0].tolist() == [2104.0, 3.0] and y[0] == 399900.0
    assert X[1].tolist() == [1600.0, 3.0] and y[1] == 329900.0


@pytest.fixture
def damaged(tmp_path, monkeypatch):
    """A copy of the bundled data in tmp_path/data, which the loaders then read: a test damages it first."""
    from importlib import resources
    (tmp_path / "data").mkdir()
    for name in ("catvnoncat.npz", "portland_housing.csv"):
        (tmp_path / "data" / name).write_bytes(resources.files("nn").joinpath("data", name).read_bytes())
    monkeypatch.setattr(nn.datasets.resources, "files", lambda package: tmp_path)
    return tmp_path / "data"


@pytest.mark.parametrize("text, message", [
    ("", "an empty file"),
    ("size_sqft,bedrooms,price_usd\n", "no houses"),
    ("size_sqft,bedrooms,price_usd\n2104,3,399900\nnan,3,329900\n", r"line 3: .*three finite numbers.*'nan'"),
    ("size_sqft,bedrooms,price_usd\n2104,3,inf\n", r"line 2: .*'inf'"),
    ("size_sqft,bedrooms,price_usd\n2104,3\n", r"line 2: .*\['2104', '3'\]"),
    ("size_sqft,bedrooms,price_usd\n2104,three,399900\n", "line 2"),
    ("size,rooms,price\n2104,3,399900\n", "unexpected header"),
])
def test_a_damaged_housing_table_is_refused_naming_the_file_and_line(damaged, text, message):
    (damaged / "portland_housing.csv").write_text(text)
    with pytest.raises(ValueError, match="portland_housing.csv") as error:
        nn.load_portland_housing()
    assert error.match(message)


def test_blank_lines_in_the_housing_table_are_skipped(damaged):
    (damaged / "portland_housing.csv").write_text("size_sqft,bedrooms,price_usd\n2104,3,399900\n\n1600,3,329900\n\n")
    X, y = nn.load_portland_housing()
    assert X.tolist() == [[2104.0, 3.0], [1600.0, 3.0]] and y.tolist() == [399900.0, 329900.0]


@pytest.mark.parametrize("damage, message", [
    (lambda d: d.update(train_y=np.where(np.arange(209) == 4, 7, d["train_y"])), "train_y must hold one label 0 or 1"),
    (lambda d: d.update(train_y=d["train_y"][:100]), r"train_y .* shape \(100,\)"),
    (lambda d: d.update(test_x=d["test_x"][:, :32]), r"test_x .* shape \(50, 32, 64, 3\)"),
    (lambda d: d.update(test_x=d["test_x"].astype(np.float64)), "test_x must hold 64x64x3 pictures of uint8"),
])
def test_damaged_cat_pictures_are_refused_naming_the_file_and_the_array(damaged, damage, message):
    with np.load(damaged / "catvnoncat.npz") as f:
        arrays = dict(f)
    damage(arrays)
    np.savez(damaged / "catvnoncat.npz", **arrays)
    with pytest.raises(ValueError, match="catvnoncat.npz") as error:
        nn.load_cat_images()
    assert error.match(message)


def test_an_unreadable_cat_file_is_refused_naming_it(damaged):
    (damaged / "catvnoncat.npz").write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="catvnoncat.npz: cannot read the bundled pictures"):
        nn.load_cat_images()


def test_moons_are_two_seeded_balanced_half_circles():
    X, y = nn.make_moons(101, noise=0.0, seed=0)
    assert X.shape == (101, 2) and sorted(set(y.tolist())) == [0, 1] and y.sum() == 51
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)  # the upper moon: the unit circle
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    a, b = nn.make_moons(50, 0.2, seed=3), nn.make_moons(50, 0.2, seed=3)
    assert np.array_equal(a[0], b[0]) and not np.array_equal(a[0], nn.make_moons(50, 0.2, seed=4)[0])


def test_blobs_gather_around_their_centers():
    centers = np.array([[0.0, 0.0, 0.0], [10.0, -10.0, 5.0]])
    X, y = nn.make_blobs(400, centers=centers, std=0.5, seed=1)
    assert X.shape == (400, 3) and np.bincount(y).tolist() == [200, 200]
    for k in (0, 1):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centers[k], atol=0.15)
    X, y = nn.make_blobs(30, centers=3, n_features=4, seed=0)
    assert X.shape == (30, 4) and set(y.tolist()) == {0, 1, 2}


def course_planar_dataset():
    """The course's load_planar_dataset(), as it writes it: X of shape (2, 400), Y of shape (1, 400)."""
    np.random.seed(1)
    m, N, D, a = 400, 200, 2, 4
    X, Y = np.zeros((m, D)), np.zeros((m, 1), dtype="uint8")
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2
        r = a * np.sin(4 * t) + np.random.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


def test_the_flower_is_the_course_planar_data_one_row_per_point():
    X, y = nn.make_flower()
    assert X.shape == (400, 2) and X.dtype == np.float64 and y.shape == (400,) and y.dtype == np.int64
    np.testing.assert_allclose(X[:2], [[1.20444229, 3.57611415], [0.1587099, -1.4821709]], atol=5e-9)
    assert y[:200].tolist() == [0] * 200 and y[200:].tolist() == [1] * 200
    course_X, course_Y = course_planar_dataset()
    np.testing.assert_array_equal(X, course_X.T)
    np.testing.assert_array_equal(y, course_Y.ravel())


def test_the_flower_reseeds_numpy_global_generator_with_1_as_the_course():
    np.random.seed(12345)
    nn.make_flower()
    after = np.random.randn()
    np.random.seed(1)
    np.random.randn(800)  # the flower's four draws of 200
    assert after == np.random.randn()


def test_synthetic_data_checks_its_arguments():
    for call in (lambda: nn.make_moons(0), lambda: nn.make_moons(10, noise=-1), lambda: nn.make_blobs(10, centers=0),
                 lambda: nn.make_blobs(10, centers=np.zeros(3)), lambda: nn.make_blobs(10, std=float("nan"))):
        with pytest.raises(ValueError):
            call()


def test_standardize_returns_the_mean_and_std_to_reuse_on_test_data():
    X = np.array([[1.0, 10.0, 5.0], [3.0, 30.0, 5.0], [5.0, 20.0, 5.0]])
    Z, mean, std = nn.standardize(X)
    np.testing.assert_allclose(Z[:, :2].mean(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(Z[:, :2].std(axis=0), 1.0)
    assert Z[:, 2].tolist() == [0.0, 0.0, 0.0]  # a constant column is only centred
    Z_test, mean2, std2 = nn.standardize([[3.0, 20.0, 6.0]], mean, std)
    np.testing.assert_allclose(Z_test, [[0.0, 0.0, 1.0]])
    assert mean2 is not None and np.array_equal(std2, std)
    with pytest.raises(ValueError, match="both"):
        nn.standardize(X, mean=mean)
    with pytest.raises(ValueError, match="shapes"):
        nn.standardize(X, mean[:2], std[:2])


@pytest.mark.parametrize("call, match", [
    (lambda: nn.make_moons(10, noise=10**400), "noise must be a finite number >= 0, got an int beyond float range"),
    (lambda: nn.make_moons(10, noise=10**5000), "noise must be a finite number >= 0, got an int beyond float range"),
    (lambda: nn.make_blobs(10, std=-10**400), "std must be a finite number >= 0, got an int beyond float range"),
    (lambda: nn.make_moons(10, noise="0.1"), "noise must be a finite number >= 0, got '0.1'"),
    (lambda: nn.make_blobs(10, n_features=True), "n_features >= 1, got 2 and True"),
    (lambda: nn.make_blobs(10, n_features=np.bool_(True)), "n_features >= 1, got 2 and True"),
    (lambda: nn.make_blobs(10, centers=True), "centers must be a count"),
])
def test_synthetic_data_names_a_bad_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_blobs_take_numpys_whole_numbers_of_features():
    assert nn.make_blobs(10, n_features=np.int64(3), seed=0)[0].shape == (10, 3)


@pytest.mark.parametrize("X, where", [
    ([[1.0, 2.0], [np.nan, 3.0]], "nan at row 1, column 0"), ([[1.0, 2.0], [3.0, -np.inf]], "-inf at row 1, column 1"),
    ([1.0, np.inf, 2.0], "inf at index 1"),
])
def test_standardize_names_a_nan_or_inf_in_x(X, where):
    for args in ((), (np.zeros(np.shape(X)[1:]), np.ones(np.shape(X)[1:]))):  # with or without a mean and std
        with pytest.raises(ValueError, match=f"X holds {where}: standardize needs finite numbers"):
            nn.standardize(X, *args)
