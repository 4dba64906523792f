"""A Value ending a Jupyter cell shows its drawing: registered by `import viz` with a real IPython shell, and the
text tree, with the reason, when it cannot be drawn (too big, no Graphviz, Graphviz failing or too slow)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import Value
from viz import _jupyter
from conftest import course_graph as course

REPO = Path(__file__).resolve().parents[1]
pytest.importorskip("IPython", reason="IPython is not installed (pip install 'chainrule[test]')")

# Runs in a fresh interpreter: an IPython shell first, then the course's Values, and only then `import viz`.
SHELL_SCRIPT = """
import json
from traitlets.config import Config
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

config = Config()
config.HistoryManager.enabled = False
config.IPKernelApp.connection_file = ""  # what viz.show reads to know it runs in a notebook's kernel
shell = InteractiveShell.instance(config=config)
from conftest import course_graph
*_, J = course_graph()
J.backward()
import viz  # after the Values exist
out = {"repr": repr(J)}
data, _ = shell.display_formatter.format(J)
out["notebook"] = data
with capture_output() as shown:
    viz.show(J)
out["show"] = [o.data for o in shown.outputs]
shell.display_formatter.active_types = ["text/plain"]  # as a terminal IPython
out["terminal"], _ = shell.display_formatter.format(J)
print(json.dumps(out))
"""


def run_in_ipython(env=None) -> dict:
    """SHELL_SCRIPT's findings, run with our packages and tests/ importable."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")]), **(env or {})}
    done = subprocess.run([sys.executable, "-c", SHELL_SCRIPT], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def fake_dot(folder: Path, script: str) -> None:
    """A `dot` program in folder that runs the shell script given, in place of Graphviz's."""
    dot = folder / "dot"
    dot.write_text("#!/bin/sh\n" + script + "\n")
    dot.chmod(0o755)


def test_import_viz_in_ipython_shows_values_made_before_as_their_drawing():
    out = run_in_ipython()
    notebook = out["notebook"]
    assert "dJ/db = 6" in notebook["image/svg+xml"] and "u = b*c" in notebook["image/svg+xml"]
    assert notebook["text/plain"] == out["repr"] == "Value(data=33.0, grad=1.0, label='J')"  # repr is unchanged
    assert out["terminal"] == {"text/plain": out["repr"]}  # a shell that shows only text shows repr, as before


def test_viz_show_still_displays_the_drawing_in_a_kernel():
    [shown] = run_in_ipython()["show"]
    assert "dJ/dc = 9" in shown["image/svg+xml"]


def test_a_terminal_ipython_never_runs_dot(tmp_path):
    fake_dot(tmp_path, "echo 'dot ran' >&2; exit 3")  # were it run, the fallback text would say "dot ran"
    out = run_in_ipython({"PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"})
    assert out["terminal"] == {"text/plain": out["repr"]}
    assert "dot ran" in out["notebook"]["text/plain"]  # the notebook did run it: this fake dot is the one found


def test_the_drawing_is_graphvizs_svg_of_the_graph():
    *_, J = course()
    J.backward()
    svg = _jupyter.bundle(J)["image/svg+xml"]
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    assert "dJ/da = 3" in svg and "J = 3*v" in svg


def test_without_graphviz_the_text_tree_shows_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no dot
    *_, J = course()
    J.backward()
    [(kind, shown)] = _jupyter.bundle(J).items()
    assert kind == "text/plain"
    first, *tree = shown.splitlines()
    assert "Graphviz's 'dot' program is not installed" in first and "apt-get install graphviz" in first
    assert tree[0].split() == "J = 3*v = 33 dJ/dJ = 1".split()
    assert "u = b*c = 6" in shown and "dJ/dc = 9" in shown


def test_a_graph_over_the_drawing_limit_shows_as_text():
    x = Value(1.0, label="x")
    for _ in range(600):
        x = x + 1.0
    [(kind, shown)] = _jupyter.bundle(x).items()
    assert kind == "text/plain"
    first, *tree = shown.splitlines()
    assert "601 nodes, too many to read in one drawing" in first and "max_nodes=601" in first
    assert len(tree) == 601 and tree[0] == "J = n599 + 1 = 601"


def test_graphviz_too_slow_is_stopped_and_the_text_tree_shows(tmp_path, monkeypatch):
    fake_dot(tmp_path, f"exec {shutil.which('sleep')} 600")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(_jupyter, "TIMEOUT", 0.5)
    *_, J = course()
    shown = _jupyter.bundle(J)["text/plain"]
    assert shown.startswith("(not drawn: Graphviz did not lay this graph out in 0.5 s")
    assert "u = b*c = 6" in shown


def test_graphviz_failing_shows_its_message_and_the_text_tree(tmp_path, monkeypatch):
    fake_dot(tmp_path, "echo 'Error: syntax error in line 1' >&2; exit 1")
    monkeypatch.setenv("PATH", str(tmp_path))
    *_, J = course()
    shown = _jupyter.bundle(J)["text/plain"]
    assert shown.startswith("(not drawn: Graphviz's dot failed (exit status 1): Error: syntax error in line 1)")
    assert "v = a + u = 11" in shown


def test_a_graph_too_long_even_for_text_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(_jupyter, "TEXT_NODES", 5)
    *_, J = course()
    _, line = _jupyter.bundle(J)["text/plain"].splitlines()
    assert line == f"{J!r}, a graph of 6 nodes, over 5 even for the text tree: print(viz.text(value, max_nodes=...)) " \
                   "lists them all"
