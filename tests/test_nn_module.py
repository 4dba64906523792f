"""Module: parameters by name, and save/load as JSON: exact round trips, atomic writes, and every corrupt file
refused with a clear error while the model stays as it was."""

import builtins
import json
import os
import re
import signal
import socket
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value


def state(model):
    return [p.data for p in model.parameters()]


def test_parameter_names_are_the_courses_and_their_labels():
    assert [name for name, _ in nn.LogisticRegression(2).named_parameters()] == ["w1", "w2", "b"]
    assert [name for name, _ in nn.Neuron(2).named_parameters()] == ["w1", "w2", "b"]
    named = nn.MLP(2, [3, 1], seed=0).named_parameters()
    names = [name for name, _ in named]
    assert names[:3] == ["w[1]_1,1", "w[1]_1,2", "b[1]_1"]  # layer 1, neuron 1, input k: W[1]'s entry (1, k)
    assert names[-3:] == ["w[2]_1,2", "w[2]_1,3", "b[2]_1"]
    assert len(set(names)) == len(names) == 13 and all(p.label == name for name, p in named)
    assert [n for n, _ in nn.Layer(2, 2).named_parameters()] == ["w_1,1", "w_1,2", "b_1", "w_2,1", "w_2,2", "b_2"]
    assert [n for n, _ in nn.MLP(2, [3, 1], matrix=True).named_parameters()] == ["W[1]", "b[1]", "W[2]", "b[2]"]


def test_parameters_without_labels_of_their_own_are_named_by_their_attributes():
    class Two(nn.Module):
        def __init__(self, same):
            self.w = [Value(1.0, label="w"), Value(2.0, label="w" if same else "")]
            self.b = Value(0.0, label="b")

    assert [name for name, _ in Two(same=True).named_parameters()] == ["w.0", "w.1", "b"]
    assert [name for name, _ in Two(same=False).named_parameters()] == ["w.0", "w.1", "b"]
    assert len(nn.MLP(2, [16, 16, 1]).parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1 == 337


def test_a_shared_parameter_is_listed_once():
    class Tied(nn.Module):
        def __init__(self):
            self.w = Value(1.0)
            self.again = [self.w]
            self._hidden = Value(2.0)  # private attributes are not parameters

    assert [name for name, _ in Tied().named_parameters()] == ["w"]


@given(seed=st.integers(0, 2**32 - 1))
def test_save_then_load_restores_every_number_exactly(tmp_path_factory, seed):
    path = tmp_path_factory.mktemp("model") / "mlp.json"
    saved = nn.MLP(3, [5, 2], activation="tanh", seed=seed)
    for p, x in zip(saved.parameters(), np.random.default_rng(seed).normal(scale=1e3, size=37).tolist()):
        p.data = x * 1e-7 if seed % 2 else x  # tiny and large numbers alike
    saved.save(path)
    loaded = nn.MLP(3, [5, 2], activation="tanh", seed=seed + 1)
    assert loaded.load(path) is loaded
    assert state(loaded) == state(saved)


def test_the_file_is_json_with_a_format_version(tmp_path):
    model = nn.LogisticRegression(2)
    model.b.data = -0.25
    model.save(tmp_path / "m.json")
    data = json.loads((tmp_path / "m.json").read_text())
    assert data == {"format": "chainrule.nn", "version": 2, "model": "LogisticRegression",
                    "parameters": {"w1": 0.0, "w2": 0.0, "b": -0.25}}


def test_save_replaces_the_file_atomically_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("old")
    nn.LogisticRegression(3).save(path)
    assert json.loads(path.read_text())["model"] == "LogisticRegression"
    assert os.listdir(tmp_path) == ["m.json"]


def test_a_failed_save_keeps_the_old_file(tmp_path):
    path = tmp_path / "m.json"
    model = nn.LogisticRegression(2)
    model.save(path)
    before = path.read_bytes()
    model.w[1].data = float("nan")
    with pytest.raises(ValueError, match="parameter w2 holds nan"):
        model.save(path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.json"]


def good_file(model) -> dict:
    return {"format": "chainrule.nn", "version": 2, "model": type(model).__name__,
            "parameters": {name: 0.5 for name, _ in model.named_parameters()}}


def edit(change):
    def make(model):
        data = good_file(model)
        change(data)
        return json.dumps(data).encode()
    return make


CORRUPT = {
    "empty": (lambda m: b"", "not valid JSON"),
    "truncated": (lambda m: json.dumps(good_file(m)).encode()[:40], "not valid JSON"),
    "not json": (lambda m: b"w1 = 0.5", "not valid JSON"),
    "not utf-8": (lambda m: b"\xff\xfe\x00garbage", "not valid JSON"),
    "a list": (lambda m: b"[1, 2, 3]", "not a chainrule model file"),
    "wrong format": (edit(lambda d: d.update(format="pickle")), "not a chainrule model file"),
    "no version": (edit(lambda d: d.pop("version")), "version None"),
    "future version": (edit(lambda d: d.update(version=3)), "version 3; this chainrule reads versions 1, 2"),
    "other model": (edit(lambda d: d.update(model="LinearRegression")), "'LinearRegression'"),
    "no parameters": (edit(lambda d: d.pop("parameters")), "parameters"),
    "parameters a list": (edit(lambda d: d.update(parameters=[0.5, 0.5, 0.5])), "parameters"),
    "a missing name": (edit(lambda d: d["parameters"].pop("w2")), "missing w2"),
    "an unknown name": (edit(lambda d: d["parameters"].update({"w9": 1.0})), "unknown w9"),
    "a renamed name": (edit(lambda d: d["parameters"].update({"W1": d["parameters"].pop("w1")})), "missing w1"),
    "version 1's name": (edit(lambda d: d["parameters"].update({"w.0": d["parameters"].pop("w1")})), "missing w1"),
    "a string": (edit(lambda d: d["parameters"].update({"b": "0.5"})), "not a number"),
    "null": (edit(lambda d: d["parameters"].update({"b": None})), "not a number"),
    "true": (edit(lambda d: d["parameters"].update({"b": True})), "not a number"),
    "a list value": (edit(lambda d: d["parameters"].update({"b": [0.5]})), "not a number"),
    "NaN": (lambda m: json.dumps(good_file(m)).replace('"b": 0.5', '"b": NaN').encode(), "NaN"),
    "Infinity": (lambda m: json.dumps(good_file(m)).replace('"b": 0.5', '"b": -Infinity').encode(), "Infinity"),
    "overflow": (lambda m: json.dumps(good_file(m)).replace('"b": 0.5', '"b": 1e999').encode(), "finite"),
    "huge integer": (lambda m: json.dumps(good_file(m)).replace('"b": 0.5', '"b": ' + "9" * 400).encode(), "finite"),
    "a repeated name": (lambda m: json.dumps(good_file(m)).replace('"b": 0.5', '"b": 0.5, "b": 0.7').encode(),
                        "appears twice"),
}


@pytest.mark.parametrize("case", CORRUPT)
def test_a_corrupt_file_raises_a_clear_error_and_leaves_the_model_as_it_was(tmp_path, case):
    make, message = CORRUPT[case]
    model = nn.LogisticRegression(2)
    for p, x in zip(model.parameters(), [1.0, 2.0, 3.0]):
        p.data = x
    path = tmp_path / "bad.json"
    path.write_bytes(make(model))
    with pytest.raises(ValueError, match="cannot load .*bad.json.* into LogisticRegression") as error:
        model.load(path)
    assert message in str(error.value)
    assert state(model) == [1.0, 2.0, 3.0]


def test_the_good_file_of_the_corrupt_cases_loads(tmp_path):
    model = nn.LogisticRegression(2)
    (tmp_path / "good.json").write_text(json.dumps(good_file(model)))
    assert state(model.load(tmp_path / "good.json")) == [0.5, 0.5, 0.5]


def test_a_file_of_another_shape_is_refused(tmp_path):
    nn.MLP(2, [4, 1], seed=0).save(tmp_path / "small.json")
    big = nn.MLP(2, [8, 1], seed=0)
    before = state(big)
    with pytest.raises(ValueError, match="the model has 33 parameters, the file 17"):
        big.load(tmp_path / "small.json")
    assert state(big) == before


def test_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.LogisticRegression(2).load(tmp_path / "nothing.json")


def vector_model(w, b=0.25) -> nn.LogisticRegression:
    model = nn.LogisticRegression(len(w), vector=True)
    model.w.data, model.b.data = np.array(w, dtype=float), b
    return model


def test_a_weight_vector_is_saved_as_a_list_and_loaded_exactly(tmp_path):
    w = np.random.default_rng(3).normal(scale=1e3, size=12288)
    vector_model(w).save(tmp_path / "cat.json")
    assert json.loads((tmp_path / "cat.json").read_text())["parameters"]["w"] == w.tolist()
    loaded = nn.LogisticRegression(12288, vector=True).load(tmp_path / "cat.json")
    assert loaded.w.data.tolist() == w.tolist() and loaded.w.data.dtype == np.float64 and loaded.b.data == 0.25


VECTOR_CORRUPT = {
    "too short": ([0.5, 0.5], "must be a list of 3 numbers, got a list of 2"),
    "a number": (0.5, "must be a list of 3 numbers, got 0.5"),
    "a string inside": ([0.5, "x", 0.5], "parameter w[1] is 'x', not a number"),
    "a list inside": ([0.5, [0.5], 0.5], "parameter w[1] is [0.5], not a number"),
    "too large": ([0.5, 0.5, 1e999], "parameter w[2] is inf, not a finite number"),
}


@pytest.mark.parametrize("case", VECTOR_CORRUPT)
def test_a_corrupt_weight_vector_is_refused_and_the_model_kept(tmp_path, case):
    bad, message = VECTOR_CORRUPT[case]
    model = vector_model([1.0, 2.0, 3.0])
    text = json.dumps({"format": "chainrule.nn", "version": 1, "model": "LogisticRegression",
                       "parameters": {"w": "PLACEHOLDER", "b": 0.5}}).replace('"PLACEHOLDER"', json.dumps(bad))
    (tmp_path / "bad.json").write_text(text.replace("Infinity", "1e999"))
    with pytest.raises(ValueError, match="cannot load") as error:
        model.load(tmp_path / "bad.json")
    assert message in str(error.value)
    assert model.w.data.tolist() == [1.0, 2.0, 3.0] and model.b.data == 0.25


def test_a_weight_vector_file_does_not_load_into_separate_weights(tmp_path):
    vector_model([1.0, 2.0]).save(tmp_path / "v.json")
    with pytest.raises(ValueError, match="missing w1, w2; unknown w"):
        nn.LogisticRegression(2).load(tmp_path / "v.json")


def test_a_weight_vector_with_nan_is_not_saved(tmp_path):
    with pytest.raises(ValueError, match="parameter w holds nan or inf"):
        vector_model([1.0, np.nan]).save(tmp_path / "v.json")
    assert not os.listdir(tmp_path)


def test_a_parameter_cannot_be_set_by_hand_to_a_wrong_shape(tmp_path):
    model = vector_model([1.0, 2.0])
    with pytest.raises(TypeError, match="Value.data needs a real number .* got list"):
        model.w.data = [1.0, 2.0]
    model.w.data = np.array([[1.0], [2.0]])  # a matrix is a Value's data (MLP(matrix=True) saves its W), not this w
    model.save(tmp_path / "m.json")
    with pytest.raises(ValueError, match=r"parameter w\[0\] is \[1.0\], not a number"):
        nn.LogisticRegression(2, vector=True).load(tmp_path / "m.json")
    model.w.data = np.array([1.0, 2.0])
    model.save(tmp_path / "v.json")
    assert nn.LogisticRegression(2, vector=True).load(tmp_path / "v.json").w.data.tolist() == [1.0, 2.0]


def test_loading_across_vector_and_separate_weights_says_which_is_which(tmp_path):
    nn.LogisticRegression(2).save(tmp_path / "separate.json")
    with pytest.raises(ValueError, match="saved with vector=False"):
        nn.LogisticRegression(2, vector=True).load(tmp_path / "separate.json")
    vector_model([1.0, 2.0]).save(tmp_path / "vector.json")
    with pytest.raises(ValueError, match="saved with vector=True"):
        nn.LogisticRegression(2).load(tmp_path / "vector.json")


@pytest.mark.parametrize("version", [True, 1.0, 2.0, "1", [1], 1.5, 0, 3])
def test_the_version_must_be_the_integer_1_or_2(tmp_path, version):
    model = nn.LogisticRegression(2)
    (tmp_path / "v.json").write_text(json.dumps({**good_file(model), "version": version}))
    with pytest.raises(ValueError, match=f"format version {re.escape(repr(version))}; this chainrule reads versions "
                                         "1, 2"):
        model.load(tmp_path / "v.json")
    assert state(model) == [0.0, 0.0, 0.0]


def test_unknown_top_level_keys_are_refused_by_name(tmp_path):
    model = nn.LogisticRegression(2)
    (tmp_path / "extra.json").write_text(json.dumps({**good_file(model), "optimizer": {}, "epoch": 3}))
    with pytest.raises(ValueError, match=r"unknown top-level keys 'optimizer', 'epoch'; a model file has only "
                                         r"format, version, model, parameters"):
        model.load(tmp_path / "extra.json")
    assert state(model) == [0.0, 0.0, 0.0]


def forbid_opening(monkeypatch):
    """Make any open() or os.open() fail the test: what must be refused unopened is never read, even by a bug."""
    def forbidden(*args, **kwargs):
        raise AssertionError("load() opened a file it must refuse from its kind alone")

    monkeypatch.setattr(os, "open", forbidden)
    monkeypatch.setattr(builtins, "open", forbidden)


@pytest.mark.parametrize("kind, make", [
    ("a FIFO", lambda path: os.mkfifo(path)),  # opening it to read would wait for a writer forever
    ("a directory", lambda path: path.mkdir()),
    ("a socket", lambda path: socket.socket(socket.AF_UNIX).bind(str(path))),
    ("a character device", lambda path: path.symlink_to("/dev/zero")),  # reading it would never end
    ("a character device", lambda path: path.symlink_to("/dev/null")),
])
def test_anything_but_a_regular_file_is_refused_unopened(tmp_path, monkeypatch, kind, make):
    model = nn.LogisticRegression(2)
    make(tmp_path / "m.json")
    forbid_opening(monkeypatch)
    error = IsADirectoryError if kind == "a directory" else ValueError
    with pytest.raises(error, match=f"cannot read .*m.json.*: it is {kind}"):
        model.load(tmp_path / "m.json")
    monkeypatch.undo()
    assert state(model) == [0.0, 0.0, 0.0]


def test_dev_zero_itself_is_refused_unopened(monkeypatch):
    forbid_opening(monkeypatch)
    with pytest.raises(ValueError, match="cannot read '/dev/zero': it is a character device"):
        nn.LogisticRegression(2).load("/dev/zero")


def test_a_fifo_swapped_in_after_the_check_does_not_block(tmp_path, monkeypatch):
    (tmp_path / "m.json").write_text("{}")
    os.mkfifo(tmp_path / "pipe")
    real_stat = os.stat
    # the check sees the regular file; the open meets the FIFO, as if it had been renamed over it in between
    monkeypatch.setattr(os, "stat", lambda path, *a, **k: real_stat(tmp_path / "m.json" if path == tmp_path / "pipe"
                                                                    else path, *a, **k))
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("load() blocked on a FIFO"))  # only if it would hang
    signal.alarm(60)
    try:
        with pytest.raises(ValueError, match="it is a FIFO"):
            nn.LogisticRegression(2).load(tmp_path / "pipe")
    finally:
        signal.alarm(0)


def padded(model, size: int) -> bytes:
    """A good file for model, padded with spaces (valid JSON) to size bytes."""
    data = good_file(model)
    if getattr(model, "vector", False):
        data["parameters"]["w"] = [0.5] * model.nin
    text = json.dumps(data).encode()
    return text + b" " * (size - len(text))


def size_limit(model, tmp_path) -> int:
    """The bound load() puts on model's files, read from its message about a 64 MB file (sparse: costs nothing)."""
    with open(tmp_path / "huge.json", "wb") as f:
        f.truncate(64 * 2**20)
    with pytest.raises(ValueError, match="the file is larger than the") as error:
        model.load(tmp_path / "huge.json")
    return int(re.search(r"larger than the (\d+) bytes", str(error.value)).group(1))


@pytest.mark.parametrize("make", [lambda: nn.LogisticRegression(2), lambda: nn.LogisticRegression(100, vector=True),
                                  lambda: nn.MLP(3, [16, 16, 1])])
def test_a_file_far_larger_than_the_model_needs_is_refused_before_it_is_read(tmp_path, make):
    model = make()
    model.save(tmp_path / "real.json")
    real = (tmp_path / "real.json").stat().st_size
    tracemalloc.start()
    try:
        bound = size_limit(model, tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20  # it read a byte past the bound, not the 64 MB
    assert real * 2 < bound < real * 10 + 70_000  # generous, yet far below what a wrong file can hold
    (tmp_path / "at_bound.json").write_bytes(padded(model, bound))
    assert all(np.all(x == 0.5) for x in state(model.load(tmp_path / "at_bound.json")))
    (tmp_path / "over.json").write_bytes(padded(model, bound + 1))
    with pytest.raises(ValueError, match=f"larger than the {bound} bytes a {type(model).__name__} file can need"):
        model.load(tmp_path / "over.json")


def test_the_cat_models_bound_is_under_2_mb_and_above_its_file(tmp_path):
    model = nn.LogisticRegression(12288, vector=True)
    model.w.data = np.random.default_rng(0).normal(size=12288) * -1e-300  # numbers as long as repr writes them
    model.save(tmp_path / "cat.json")
    assert 2 * (tmp_path / "cat.json").stat().st_size < size_limit(model, tmp_path) < 2 * 2**20


ODD_TEXT = "w\x1b[31m\u202e\udcff\x00\n"  # an escape sequence, a bidi override, a lone surrogate, NUL, a newline


@pytest.mark.parametrize("edit_file", [
    lambda d: d["parameters"].update({ODD_TEXT: 1.0}),  # an unknown parameter name
    lambda d: d.update(model=ODD_TEXT),
    lambda d: d.update(version=ODD_TEXT),
    lambda d: d.update({ODD_TEXT: 1}),  # an unknown top-level key
    lambda d: d["parameters"].update(b=ODD_TEXT),
    lambda d: d["parameters"].update({"w": 1.0, "w.0.": 2.0}),
])
def test_error_messages_show_control_characters_and_surrogates_escaped(tmp_path, edit_file):
    model = nn.LogisticRegression(2)
    data = good_file(model)
    edit_file(data)
    (tmp_path / "odd.json").write_text(json.dumps(data))  # json.dumps escapes them as \uXXXX: valid JSON
    with pytest.raises(ValueError) as error:
        model.load(tmp_path / "odd.json")
    message = str(error.value)
    message.encode("utf-8")  # strict: a lone surrogate would raise UnicodeEncodeError, as print() does
    assert message.isprintable(), message


def test_a_file_name_with_control_characters_is_escaped_in_the_message(tmp_path):
    path = tmp_path / "bad\x1b[2J\udcff.json"  # a lone surrogate: how Python spells an undecodable byte of a name
    path.write_bytes(b"not json")
    with pytest.raises(ValueError) as error:
        nn.LogisticRegression(2).load(path)
    message = str(error.value)
    message.encode("utf-8")
    assert message.isprintable() and "\\x1b[2J\\udcff.json" in message


DATA = Path(__file__).parent / "data"  # files written by save() before version 2, by the code of that time


def test_a_version_1_file_named_by_attribute_paths_still_loads():
    mlp = nn.MLP(2, [2, 1], seed=5).load(DATA / "v1_mlp_2_2_1.json")
    saved = json.loads((DATA / "v1_mlp_2_2_1.json").read_text())["parameters"]
    assert saved["layers.0.neurons.1.w.0"] == -0.6491614679377623  # layer 1, neuron 2, input 1
    assert dict((name, p.data) for name, p in mlp.named_parameters()) == {
        "w[1]_1,1": saved["layers.0.neurons.0.w.0"], "w[1]_1,2": saved["layers.0.neurons.0.w.1"],
        "b[1]_1": saved["layers.0.neurons.0.b"], "w[1]_2,1": -0.6491614679377623,
        "w[1]_2,2": saved["layers.0.neurons.1.w.1"], "b[1]_2": saved["layers.0.neurons.1.b"],
        "w[2]_1,1": saved["layers.1.neurons.0.w.0"], "w[2]_1,2": saved["layers.1.neurons.0.w.1"],
        "b[2]_1": saved["layers.1.neurons.0.b"]}
    logistic = nn.LogisticRegression(2).load(DATA / "v1_logistic_2.json")
    assert [(name, p.data) for name, p in logistic.named_parameters()] == [("w1", 0.25), ("w2", -0.5), ("b", 0.125)]
    layer = nn.Layer(2, 2, seed=9).load(DATA / "v1_layer_2_2.json")
    assert [p.data for p in layer.parameters()] == list(
        json.loads((DATA / "v1_layer_2_2.json").read_text())["parameters"].values())


def test_a_version_1_file_saved_again_is_version_2_with_the_courses_names(tmp_path):
    model = nn.LogisticRegression(2).load(DATA / "v1_logistic_2.json")
    model.save(tmp_path / "again.json")
    data = json.loads((tmp_path / "again.json").read_text())
    assert data["version"] == 2 and data["parameters"] == {"w1": 0.25, "w2": -0.5, "b": 0.125}
    assert [p.data for p in nn.LogisticRegression(2).load(tmp_path / "again.json").parameters()] == [0.25, -0.5, 0.125]


def test_version_2_names_in_a_version_1_file_and_the_reverse_are_refused_by_name(tmp_path):
    old = json.loads((DATA / "v1_logistic_2.json").read_text())
    (tmp_path / "v2.json").write_text(json.dumps({**old, "version": 2}))  # attribute paths in a version 2 file
    model = nn.LogisticRegression(2)
    with pytest.raises(ValueError, match="missing w1, w2; unknown w.0, w.1"):
        model.load(tmp_path / "v2.json")
    assert state(model) == [0.0, 0.0, 0.0]


def test_matrix_and_per_neuron_mlps_round_trip_under_the_courses_names(tmp_path):
    for matrix in (False, True):
        saved = nn.MLP(3, [4, 2], seed=1, matrix=matrix)
        saved.save(tmp_path / "m.json")
        names = list(json.loads((tmp_path / "m.json").read_text())["parameters"])
        assert names == [name for name, _ in saved.named_parameters()]
        loaded = nn.MLP(3, [4, 2], seed=2, matrix=matrix).load(tmp_path / "m.json")
        assert all(np.array_equal(a, b) for a, b in zip(state(loaded), state(saved)))


def test_version_2_names_in_a_version_1_file_are_refused_by_name(tmp_path):
    # version 1 wrote attribute paths ("w.0"), never labels ("w1"): a file mixing the two was changed by hand
    (tmp_path / "v1.json").write_text(json.dumps({"format": "chainrule.nn", "version": 1, "model": "LogisticRegression",
                                                  "parameters": {"w1": 0.5, "w2": 0.25, "b": 1}}))
    model = nn.LogisticRegression(2)
    with pytest.raises(ValueError, match=r"missing w\.0, w\.1; unknown w1, w2 \(w1 is a version 2 name, in a version "
                                         r"1 file\)"):
        model.load(tmp_path / "v1.json")
    assert state(model) == [0.0, 0.0, 0.0]
    old = json.loads((DATA / "v1_logistic_2.json").read_text())
    (tmp_path / "v2.json").write_text(json.dumps({**old, "version": 2}))
    with pytest.raises(ValueError, match=r"\(w\.0 is a version 1 name, in a version 2 file\)"):
        model.load(tmp_path / "v2.json")
    assert state(model) == [0.0, 0.0, 0.0]
