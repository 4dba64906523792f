"""viz.render with the real `dot`: SVG read back (colors, labels, the course's numbers), PNG, PDF, errors, notebooks."""

import os
import subprocess
import sys
import types
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import viz
from autograd import Value
from viz._notation import clean
from viz.render import MAX_TIMEOUT, check_timeout, pipe, timeout_error
from conftest import course_graph as course

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg_root):
    """(text, fill color) of every text element of an SVG."""
    return [(t.text, t.get("fill")) for t in svg_root.iter(SVG + "text")]


def svg_edges(svg_root):
    """id -> (stroke color, dashed?) for every edge Graphviz drew."""
    out = {}
    for g in svg_root.iter(SVG + "g"):
        if g.get("class") == "edge":
            path = g.find(".//" + SVG + "path")  # inside the <a> that carries the edge's tooltip
            out[g.get("id")] = (path.get("stroke"), path.get("stroke-dasharray") is not None)
    return out


def test_course_svg_has_values_in_blue_gradients_in_red_and_both_kinds_of_edges(tmp_path):
    *_, J = course()
    J.backward()
    path = viz.render(J, tmp_path / "course.svg")
    assert path == tmp_path / "course.svg"
    svg = ET.parse(path).getroot()
    texts = svg_texts(svg)
    blue = {t for t, color in texts if color == "blue"}
    red = {t for t, color in texts if color == "red"}
    assert {"a = 5", "b = 3", "c = 2", "= 6", "= 11", "= 33"} <= blue
    assert {"dJ/dJ = 1", "dJ/dv = 3", "dJ/du = 3", "dJ/da = 3", "dJ/db = 6", "dJ/dc = 9"} <= red
    assert {"∂u/∂b = c = 2", "∂u/∂c = b = 3", "∂v/∂a = 1", "∂v/∂u = 1", "∂J/∂v = 3"} <= red  # edge labels
    assert {"u = b*c", "v = a + u", "J = 3*v"} <= {t for t, _ in texts}
    edges = svg_edges(svg)
    forward = [style for name, style in edges.items() if name.startswith("f_")]
    backward = [style for name, style in edges.items() if name.startswith("b_")]
    assert forward == [("blue", False)] * 5 and backward == [("red", True)] * 5


def test_the_dot_source_is_written_beside_the_drawing(tmp_path):
    *_, J = course()
    J.backward()
    viz.render(J, tmp_path / "course.svg", show="forward")
    assert (tmp_path / "course.dot").read_text(encoding="utf-8") == viz.draw(J, show="forward").source


def test_before_backward_the_svg_shows_no_gradients(tmp_path):
    *_, J = course()
    svg = ET.parse(viz.render(J, tmp_path / "forward.svg")).getroot()
    assert not [t for t, color in svg_texts(svg) if color == "red"]
    assert {style for style in svg_edges(svg).values()} == {("blue", False)}


@pytest.mark.parametrize("name, magic", [("course.png", b"\x89PNG"), ("course.pdf", b"%PDF"), ("COURSE.SVG", b"<?xml")])
def test_png_pdf_and_svg_by_extension(tmp_path, name, magic):
    *_, J = course()
    J.backward()
    path = viz.render(J, tmp_path / name)
    assert path.read_bytes().startswith(magic)
    assert (tmp_path / name).with_suffix(".dot").exists()


def test_a_dot_file_name_writes_only_the_source(tmp_path):
    *_, J = course()
    viz.render(J, tmp_path / "course.dot")
    assert [p.name for p in tmp_path.iterdir()] == ["course.dot"]


@pytest.mark.parametrize("name, options, message", [
    ("course.jpeg", {}, "end the file name with"), ("course", {}, "end the file name with"),
    ("course.svg", {"show": "sideways"}, "show must be"), ("course.svg", {"rankdir": "diagonal"}, "rankdir")])
def test_bad_arguments_raise_before_anything_is_written(tmp_path, name, options, message):
    *_, J = course()
    with pytest.raises(ValueError, match=message):
        viz.render(J, tmp_path / name, **options)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_a_clear_error(tmp_path):
    *_, J = course()
    with pytest.raises(FileNotFoundError, match="does not exist"):
        viz.render(J, tmp_path / "nowhere" / "course.svg")


def test_without_dot_the_error_gives_the_install_commands_and_the_dot_file_is_kept(tmp_path, monkeypatch):
    *_, J = course()
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no Graphviz on this PATH
    with pytest.raises(RuntimeError) as error:
        viz.render(J, tmp_path / "course.svg")
    message = str(error.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert "conda install -c conda-forge graphviz" in message
    assert (tmp_path / "course.dot").exists() and not (tmp_path / "course.svg").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course.dot", "empty"]  # no temporary file left


def test_writing_replaces_an_old_file_whole_and_leaves_no_temporary_files(tmp_path):
    *_, J = course()
    (tmp_path / "course.svg").write_text("old")
    viz.render(J, tmp_path / "course.svg")
    assert "= 33" in (tmp_path / "course.svg").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course.dot", "course.svg"]


HOSTILE = ['</FONT><FONT COLOR="green">', "]; n0 -> n1 [color=green", '"\\', "\\", "&amp; &#x41; &lt;", "<b>x</b>",
           "a\nb\tc\x00d\x1b[31m", "\u202egnp.exe", "\ufffe\uffff", "x" * 500, "{ } [ ] ; = -> --", "<<>>",
           "\\N \\G \\E \\T \\H \\L \\n \\l", "\\\\", "x\\"]


def check_label_renders_as_text(label):
    x = Value(1.0, label=label)
    y = x * 2
    y.label = "y"
    y.backward()
    svg = ET.fromstring(pipe(viz.draw(y), "svg"))  # dot accepts it, and the SVG is well-formed XML
    name = clean(label) if label else "n1"
    shown = {" ".join(t.split()) for t, _ in svg_texts(svg) if t}
    assert " ".join(f"{name} = 1".split()) in shown
    assert " ".join(f"dy/d{name} = 2".split()) in shown
    assert len(svg_edges(svg)) == 2  # one blue, one red: nothing injected
    tips = {" ".join(a.get("{http://www.w3.org/1999/xlink}title").split()) for a in svg.iter(SVG + "a")}
    shown_name = name.replace("\\", "∖")  # a tooltip shows a backslash as its lookalike (viz.dot._tooltip)
    assert {" ".join(t.split()) for t in (f"{shown_name} = 1", f"{shown_name} → y", f"∂y/∂{shown_name} = 2")} <= tips


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_render_as_text_and_cannot_break_the_dot_source(label):
    check_label_renders_as_text(label)


@given(st.text(max_size=60))
@example("")
def test_any_label_renders_as_text(label):
    check_label_renders_as_text(label)


def test_a_digraph_displays_inline_in_jupyter_as_svg():
    *_, J = course()
    J.backward()
    bundle = viz.draw(J)._repr_mimebundle_()
    assert "dJ/db = 6" in bundle["image/svg+xml"]


def test_show_in_a_notebook_displays_the_drawing(monkeypatch):
    *_, J = course()
    shown = []
    shell = types.SimpleNamespace(config={"IPKernelApp": {}})
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: shell
    display = types.ModuleType("IPython.display")
    display.display = shown.append
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display)
    assert viz.show(J, rankdir="TB") is None
    [digraph] = shown
    assert "rankdir=TB" in digraph.source


def test_show_outside_a_notebook_prints_the_text_view(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "IPython", None)  # as if IPython were not installed
    *_, J = course()
    J.backward()
    viz.show(J)
    assert "u = b*c = 6" in capsys.readouterr().out


def test_show_checks_its_options_everywhere():
    *_, J = course()
    with pytest.raises(ValueError, match="rankdir"):
        viz.show(J, rankdir="UP")


@pytest.mark.parametrize("name, source", [
    ("graph.DOT", "graph.DOT"), ("graph.Dot", "graph.Dot"), ("graph.dot", "graph.dot"),
    ("COURSE.SVG", "COURSE.dot"), ("course.Png", "course.dot"), ("course.PDF", "course.dot")])
def test_the_path_returned_is_the_file_written_in_the_users_spelling(tmp_path, name, source):
    *_, J = course()
    J.backward()
    path = viz.render(J, tmp_path / name)
    assert path == tmp_path / name and path.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({name, source})  # the drawing and its source
    assert (tmp_path / source).read_text(encoding="utf-8").startswith("digraph {")


def test_a_layout_past_the_timeout_is_stopped_and_says_the_graphs_size_and_what_to_do(tmp_path):
    *_, J = course()
    J.backward()
    with pytest.raises(TimeoutError) as error:
        viz.render(J, tmp_path / "course.svg", timeout=1e-6)  # no dot finishes in a microsecond
    message = str(error.value)
    assert "6 nodes, 5 edges" in message and "timeout=" in message and "viz.text" in message
    assert "smaller part" in message and str(tmp_path / "course.dot") in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course.dot"]  # the source is kept; no image, no temp


def test_the_walkthrough_is_bounded_by_the_same_timeout(tmp_path):
    *_, J = course()
    with pytest.raises(TimeoutError, match="6 nodes, 5 edges"):
        viz.walkthrough(J, tmp_path / "course.html", timeout=1e-6)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan"), float("inf"), True, "5", 1e10, MAX_TIMEOUT * 1.01,
                                     np.float64("nan"), np.bool_(True)])
def test_a_bad_timeout_is_refused_before_anything_is_written(tmp_path, timeout):
    *_, J = course()
    with pytest.raises(ValueError, match="timeout"):
        viz.render(J, tmp_path / "course.svg", timeout=timeout)
    with pytest.raises(ValueError, match="timeout"):
        viz.walkthrough(J, tmp_path / "course.html", timeout=timeout)
    assert list(tmp_path.iterdir()) == []


def test_timeout_none_waits_as_long_as_dot_takes(tmp_path):
    *_, J = course()
    assert viz.render(J, tmp_path / "course.svg", timeout=None).read_bytes().startswith(b"<?xml")


@pytest.mark.parametrize("timeout", [np.float64(30), np.int64(30), np.float32(30), MAX_TIMEOUT])
def test_numpy_numbers_and_the_longest_timeout_reach_graphviz(tmp_path, timeout):
    *_, J = course()
    assert viz.render(J, tmp_path / "course.svg", timeout=timeout).read_bytes().startswith(b"<?xml")
    assert "Next" in viz.walkthrough(J, tmp_path / "course.html", timeout=timeout).read_text(encoding="utf-8")


def test_the_time_suggested_after_a_timeout_is_one_that_is_allowed():
    *_, J = course()
    message = str(timeout_error(J, MAX_TIMEOUT / 2))
    assert f"timeout={MAX_TIMEOUT:g})" in message
    check_timeout(MAX_TIMEOUT)


def forbid_graphviz(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("Graphviz ran: the output path must be checked first")

    monkeypatch.setattr(subprocess, "run", forbidden)


@pytest.mark.parametrize("blocker, error", [("course.svg", IsADirectoryError), ("course.dot", IsADirectoryError),
                                            ("fifo", ValueError), ("link", FileNotFoundError)])
def test_an_output_that_cannot_be_written_is_refused_before_anything_is_written(tmp_path, monkeypatch, blocker,
                                                                                 error):
    *_, J = course()
    if blocker == "fifo":
        os.mkfifo(tmp_path / "course.svg")
    elif blocker == "link":
        (tmp_path / "course.svg").symlink_to("missing/course.svg")  # into a folder that does not exist
    else:
        (tmp_path / blocker).mkdir()
    before = sorted(os.listdir(tmp_path))
    forbid_graphviz(monkeypatch)
    with pytest.raises(error, match="cannot write"):
        viz.render(J, tmp_path / "course.svg")
    assert sorted(os.listdir(tmp_path)) == before  # no course.dot either
