"""fit(): the training loop, its history and cost curve, and the errors it raises before doing any work."""

import contextlib
import io
import sys
import types

import numpy as np
import pytest

import nn


def blobs(m=40):
    return nn.make_blobs(m, centers=np.array([[-2.0, 0.0], [2.0, 1.0]]), std=0.7, seed=0)


def train(model, X, y, loss=nn.binary_cross_entropy, **kwargs):
    kwargs = {"iterations": 20, "progress": False, **kwargs}
    return nn.fit(model, X, y, loss=loss, optimizer=nn.SGD(model.parameters(), lr=0.1), **kwargs)


def test_fit_records_the_cost_and_accuracy_of_every_iteration():
    X, y = blobs()
    model = nn.LogisticRegression(2)
    history = train(model, X, y, iterations=30)
    assert len(history.cost) == len(history.accuracy) == 30
    assert history.cost[0] == pytest.approx(np.log(2))  # from zero weights
    assert history.cost[-1] < history.cost[0]
    assert history.accuracy[0] == np.mean(y == 0)  # a = 0.5 everywhere: the course predicts 0 for every example
    assert history.accuracy[-1] == 1.0
    assert "30 iterations" in repr(history)


def test_a_regression_loss_records_no_accuracy():
    X, y = blobs()
    assert train(nn.LinearRegression(2), X, y * 3.5, loss=nn.mse).accuracy == []


def test_the_for_loop_and_the_vectorized_graph_train_identically():
    X, y = blobs(25)
    loop, batched = nn.MLP(2, [4, 1], activation="tanh", seed=0), nn.MLP(2, [4, 1], activation="tanh", seed=0)
    h_loop = train(loop, X, y, loss=nn.binary_cross_entropy_with_logits, iterations=10, vectorized=False)
    h_batch = train(batched, X, y, loss=nn.binary_cross_entropy_with_logits, iterations=10)
    np.testing.assert_allclose(h_loop.cost, h_batch.cost, rtol=0, atol=1e-12)
    assert h_loop.accuracy == h_batch.accuracy
    np.testing.assert_allclose([p.data for p in loop.parameters()], [p.data for p in batched.parameters()],
                               rtol=0, atol=1e-12)


def test_mini_batches_are_seeded():
    X, y = blobs()
    runs = [train(nn.LogisticRegression(2), X, y, batch_size=8, seed=s).cost for s in (1, 1, 2)]
    assert runs[0] == runs[1] != runs[2]


def test_print_every_prints_the_cost_as_the_course(capsys):
    X, y = blobs()
    train(nn.LogisticRegression(2), X, y, iterations=25, print_every=10)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"cost after iteration {i}" for i in (0, 10, 20)]
    assert lines[0] == "cost after iteration 0: 0.693147"


def test_progress_on_a_non_terminal_prints_nothing_extra(capsys):
    X, y = blobs()
    train(nn.LogisticRegression(2), X, y, progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_accuracy_is_the_fraction_right():
    assert nn.accuracy([1, 0, 1, 1], [1, 1, 1, 1]) == 0.75
    with pytest.raises(ValueError, match="same non-zero length"):
        nn.accuracy([1, 0], [1, 0, 1])
    with pytest.raises(ValueError, match="same non-zero length"):
        nn.accuracy([], [])


def bad_inputs():
    X, y = blobs(10)
    nan_X, inf_X, nan_y = X.copy(), X.copy(), y.astype(float)
    nan_X[3, 1], inf_X[0, 0], nan_y[2] = np.nan, np.inf, np.nan
    return {
        "X one example": (X[0], y, {}, "2-D array"),
        "X 3-D": (X[:, :, None], y, {}, "2-D array"),
        "X empty": (X[:0], y[:0], {}, "2-D array"),
        "X strings": (X.astype(str), y, {}, "real numbers"),
        "X NaN": (nan_X, y, {}, "X holds nan at row 3, column 1"),
        "X inf": (inf_X, y, {}, "X holds inf at row 0, column 0"),
        "n mismatch": (np.hstack([X, X]), y, {}, "X has 4 features per example but the model takes 2"),
        "y a row": (X, y[None, :], {}, r"use y.ravel\(\)"),
        "y too short": (X, y[:-1], {}, r"one label per example, shape \(10,\)"),
        "y NaN": (X, nan_y, {}, "y holds nan at index 2"),
        "label 2": (X, np.where(y == 1, 2, 0), {}, r"labels must be 0 or 1; y\[\d+\] is 2"),
        "label -1": (X, np.where(y == 1, 1, -1), {"loss": nn.hinge}, "must be 0 or 1"),
        "iterations": (X, y, {"iterations": -1}, "iterations must be a whole number >= 0"),
        "batch size": (X, y, {"batch_size": 0}, "batch_size must be a whole number >= 1"),
    }


@pytest.mark.parametrize("case", list(bad_inputs()))
def test_bad_input_raises_value_error_before_any_work(case):
    X, y, kwargs, match = bad_inputs()[case]
    model = nn.LogisticRegression(2)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    kwargs = {"loss": nn.binary_cross_entropy, "optimizer": optimizer, "progress": False, **kwargs}
    with pytest.raises(ValueError, match=match):
        nn.fit(model, X, y, **kwargs)
    assert all(p.data == 0.0 and p.grad == 0.0 for p in model.parameters())


def test_labels_outside_0_1_are_fine_for_regression():
    X, y = blobs(10)
    train(nn.LinearRegression(2), X, y * 7.0 - 3.0, loss=nn.mse, iterations=2)


def test_fit_checks_loss_optimizer_and_model():
    X, y = blobs(10)
    model = nn.LogisticRegression(2)
    with pytest.raises(TypeError, match="loss must be a function"):
        nn.fit(model, X, y, loss="bce", optimizer=nn.SGD(model.parameters(), lr=0.1))
    with pytest.raises(TypeError, match="optimizer must have step"):
        nn.fit(model, X, y, loss=nn.mse, optimizer=0.1)
    two = nn.MLP(2, [3, 2])
    with pytest.raises(ValueError, match="one output"):
        nn.fit(two, X, y, loss=nn.mse, optimizer=nn.SGD(two.parameters(), lr=0.1))


def test_history_plot_saves_a_png(tmp_path):
    X, y = blobs()
    history = train(nn.LogisticRegression(2), X, y)
    history.plot(tmp_path / "cost.png", title="toy")
    assert (tmp_path / "cost.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="empty"):
        nn.History().plot(tmp_path / "empty.png")


def test_history_plot_without_matplotlib_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[plot\]'"):
        nn.History(cost=[1.0, 0.5]).plot(tmp_path / "cost.png")
    assert not (tmp_path / "cost.png").exists()


@pytest.mark.parametrize("vectorized", [True, False])
def test_a_one_output_layer_trains_as_its_one_neuron(vectorized):
    # Layer(n, 1) returns a list of one Value: fit trains on that Value, as PyTorch trains Linear(n, 1)
    X, y = blobs(30)
    X3 = np.column_stack([X, X[:, 0] * X[:, 1]])
    layer = nn.Layer(3, 1, "none", seed=0)
    neuron = nn.Neuron(3, "none", seed=np.random.default_rng(0))
    h_layer = train(layer, X3, y, loss=nn.binary_cross_entropy_with_logits, vectorized=vectorized)
    h_neuron = train(neuron, X3, y, loss=nn.binary_cross_entropy_with_logits, vectorized=vectorized)
    assert h_layer.cost == h_neuron.cost and h_layer.accuracy == h_neuron.accuracy
    assert h_layer.cost[-1] < h_layer.cost[0]
    assert [p.data for p in layer.parameters()] == [p.data for p in neuron.parameters()]
    assert train(nn.Layer(3, 1, "none", seed=0), X3, y * 2.0, loss=nn.mse).cost[-1] < h_layer.cost[0]


def test_a_model_that_returns_something_else_is_refused_before_any_update():
    class Odd(nn.Module):
        def __init__(self):
            self.w = nn.Neuron(2, "none", seed=0)

        def __call__(self, x):
            return [self.w(x), self.w(x)]  # two outputs, without saying so in nout

    X, y = blobs(10)
    model = Odd()
    before = [p.data for p in model.parameters()]
    for vectorized in (True, False):
        with pytest.raises(TypeError, match="fit trains a model with one output: .* returned a list of 2"):
            train(model, X, y, vectorized=vectorized)
    assert [p.data for p in model.parameters()] == before


def trained_history():
    X, y = blobs()
    return train(nn.LogisticRegression(2), X, y)


def blue_pixels(png: bytes) -> int:
    """How many pixels of the PNG are near matplotlib's first line color (#1f77b4): the curve."""
    from matplotlib.image import imread
    rgb = imread(io.BytesIO(png))[..., :3]
    return int(np.sum(np.all(np.abs(rgb - np.array([0x1f, 0x77, 0xb4]) / 255) < 0.1, axis=-1)))


def test_history_shows_its_cost_curve_inline_in_jupyter():
    formatters = pytest.importorskip("IPython.core.formatters", reason="IPython is not installed")
    history = trained_history()
    data, _ = formatters.DisplayFormatter().format(history)
    png = data["image/png"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (600, 400)
    assert blue_pixels(png) > 100  # the curve is drawn
    assert data["text/plain"] == repr(history)


def test_history_inline_is_its_repr_without_matplotlib_or_iterations(monkeypatch):
    assert nn.History()._repr_png_() is None
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    assert trained_history()._repr_png_() is None  # IPython then shows repr(history)


def test_history_plot_without_a_path_draws_on_the_current_figure():
    plt = pytest.importorskip("matplotlib.pyplot")
    history = trained_history()
    try:
        plt.figure()
        ax = history.plot(title="toy")
        assert ax is plt.gca() and ax.get_title() == "toy" and ax.get_ylabel() == "cost J"
        [line] = ax.get_lines()
        np.testing.assert_array_equal(line.get_ydata(), history.cost)
    finally:
        plt.close("all")


def test_history_plot_draws_on_the_axes_given():
    from matplotlib.figure import Figure
    ax = Figure().subplots()
    history = trained_history()
    assert history.plot(ax=ax) is ax
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), history.cost)
    with pytest.raises(ValueError, match="not both"):
        history.plot("cost.png", ax=ax)


@pytest.mark.parametrize("name, magic", [("cost.svg", b"<?xml"), ("cost.PDF", b"%PDF"), ("cost.png", b"\x89PNG")])
def test_history_plot_writes_the_format_of_the_extension(tmp_path, name, magic):
    assert trained_history().plot(tmp_path / name) == tmp_path / name
    assert (tmp_path / name).read_bytes().startswith(magic)


def test_history_plot_refuses_an_unknown_extension_before_writing(tmp_path):
    with pytest.raises(ValueError, match=r"end the file name with .png, .svg, .pdf"):
        trained_history().plot(tmp_path / "cost")
    assert list(tmp_path.iterdir()) == []


def test_history_plot_writes_atomically_through_a_link_keeping_the_mode(tmp_path):
    target = tmp_path / "cost.png"
    target.write_bytes(b"old")
    target.chmod(0o640)
    (tmp_path / "link.png").symlink_to(target)
    trained_history().plot(tmp_path / "link.png")
    assert (tmp_path / "link.png").is_symlink()
    assert target.read_bytes()[:4] == b"\x89PNG" and (target.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cost.png", "link.png"]  # no temporary file left
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(IsADirectoryError):
        trained_history().plot(tmp_path / "folder.png")


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self):
        return True


@pytest.fixture
def outside(monkeypatch):
    """Outside a notebook and outside CI."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(nn.train, "_in_notebook", lambda: False)


def bar(wanted=True, terminal=True):
    """fit's progress bar for 10 iterations with stderr a terminal (or not): its class, and whether it shows."""
    from nn.train import _progress_bar
    with contextlib.redirect_stderr(Terminal() if terminal else io.StringIO()):  # tqdm writes to sys.stderr
        with _progress_bar(10, wanted) as progress:
            shows = not progress.disable  # read before closing it, which disables it
    return type(progress), shows


def test_the_progress_bar_shows_on_a_terminal(outside):
    from tqdm import tqdm
    assert bar() == (tqdm, True)
    assert bar(wanted=False)[1] is False


@pytest.mark.parametrize("ci", ["true", "1", "yes", "True"])
def test_the_progress_bar_never_shows_in_ci_even_on_a_terminal(outside, monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    assert bar()[1] is False


@pytest.mark.parametrize("ci", ["", "0", "false", "no"])
def test_ci_set_to_false_keeps_the_bar(outside, monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    assert bar()[1] is True


def test_the_progress_bar_never_shows_in_a_log(outside):
    assert bar(terminal=False)[1] is False  # a file or a pipe


def test_the_progress_bar_in_a_notebook_is_a_widget(outside, monkeypatch):
    pytest.importorskip("ipywidgets", reason="ipywidgets is not installed (pip install 'chainrule[notebook]')")
    from tqdm.notebook import tqdm as notebook_tqdm
    monkeypatch.setattr(nn.train, "_in_notebook", lambda: True)
    assert bar(terminal=False) == (notebook_tqdm, True)  # a kernel's stderr is no terminal
    monkeypatch.setenv("CI", "true")
    assert bar(terminal=False)[1] is False


def test_the_progress_bar_in_a_notebook_without_widgets_is_text(outside, monkeypatch):
    from tqdm import tqdm
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    monkeypatch.setattr(nn.train, "_in_notebook", lambda: True)
    assert bar(terminal=False) == (tqdm, True)


def test_a_notebook_is_a_jupyter_kernel(monkeypatch):
    from nn.train import _in_notebook
    shell = types.SimpleNamespace(config={})
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    assert not _in_notebook()  # a terminal IPython
    shell.config["IPKernelApp"] = {}
    assert _in_notebook()
    ipython.get_ipython = lambda: None
    assert not _in_notebook()  # IPython imported, but no shell running
    monkeypatch.setitem(sys.modules, "IPython", None)
    assert not _in_notebook()


@pytest.mark.parametrize("seed", ["abc", 1.5, -1, True, [1, 2], np.float64(3.0)])
@pytest.mark.parametrize("batch_size", [None, 4])
def test_a_bad_seed_is_a_value_error_naming_seed_before_any_work(seed, batch_size):
    X, y = blobs(10)
    model = nn.LogisticRegression(2)
    with pytest.raises(ValueError, match=r"seed must be a whole number >= 0, got "):
        train(model, X, y, batch_size=batch_size, seed=seed)
    assert all(p.data == 0.0 and p.grad == 0.0 for p in model.parameters())


def test_a_seed_may_be_none_or_any_whole_number_numpys_too():
    X, y = blobs()
    runs = [train(nn.LogisticRegression(2), X, y, batch_size=8, seed=s).cost for s in (3, np.int64(3), np.uint8(3))]
    assert runs[0] == runs[1] == runs[2]
    assert len(train(nn.LogisticRegression(2), X, y, batch_size=8, seed=None).cost) == 20


def test_a_model_that_returns_something_else_leaves_the_gradients_as_they_were():
    class Two(nn.Module):
        def __init__(self):
            self.w = nn.Neuron(2, "none", seed=0)

        def __call__(self, x):
            return [self.w(x), self.w(x)]

    X, y = blobs(10)
    model = Two()
    for p in model.parameters():
        p.grad = 0.5  # from the caller's own backward(), say
    for vectorized in (True, False):
        with pytest.raises(TypeError, match="fit trains a model with one output"):
            train(model, X, y, vectorized=vectorized)
        assert [p.grad for p in model.parameters()] == [0.5, 0.5, 0.5]
