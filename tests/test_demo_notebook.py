"""demos/course.ipynb: stored without outputs, and run top to bottom in a Jupyter kernel of this Python, whose
outputs hold the course graph's drawing, the logistic regression's, the cost curve and the cat accuracies."""

import base64
import html
import json
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "demos" / "course.ipynb"


def test_the_notebook_is_stored_without_outputs():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert len(code) >= 8
    assert [(c["outputs"], c["execution_count"]) for c in code] == [([], None)] * len(code)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook run top to bottom by nbclient, in a kernel of sys.executable that imports this checkout."""
    for name in ("nbclient", "nbformat", "ipykernel"):
        pytest.importorskip(name, reason=f"{name} is not installed: the notebook cannot run here (pip install "
                                         f"'chainrule[test]' installs Jupyter's kernel and nbclient)")
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    home = tmp_path_factory.mktemp("jupyter")
    spec = home / "kernels" / "python3"  # ours: this Python, whatever kernels the user has installed elsewhere
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "chainrule's tests", "language": "python",
        # MPLBACKEND empty: ipykernel then uses its inline backend, whatever backend the caller's environment names
        "env": {"PYTHONPATH": str(REPO), "IPYTHONDIR": str(home / "ipython"), "MPLBACKEND": ""}}))
    manager = KernelManager(kernel_name="python3",
                            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(home / "kernels")]),
                            connection_file=str(home / "connection.json"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, km=manager, timeout=600, resources={"metadata": {"path": str(REPO)}}).execute()
    return nb


def outputs(nb, source_part):
    """The outputs of the one code cell whose source is source_part, or else contains it."""
    cells = [c for c in nb.cells if c.cell_type == "code"]
    [cell] = [c for c in cells if c.source == source_part] or [c for c in cells if source_part in c.source]
    return cell.outputs


def shown(nb, source_part, mime):
    """The mime data a cell showed (as its result or by display), e.g. "image/svg+xml", an SVG's entities read."""
    data = [o.data[mime] for o in outputs(nb, source_part) if mime in o.get("data", {})]
    return [html.unescape(d) for d in data] if mime == "image/svg+xml" else data


def printed(nb, source_part):
    """What a cell printed to stdout."""
    return "".join(o.text for o in outputs(nb, source_part) if o.output_type == "stream" and o.name == "stdout")


def test_the_notebook_draws_the_course_graph_before_and_after_backward(executed):
    [forward] = shown(executed, "J = 3 * v", "image/svg+xml")
    [both] = shown(executed, "J.backward()", "image/svg+xml")
    assert "J = 3*v" in forward and "dJ/" not in forward  # before backward(): values only
    assert all(f"dJ/d{x} = {g}" in both for x, g in [("a", 3), ("b", 6), ("c", 9)])
    assert "dJ/da = 3, dJ/db = 6, dJ/dc = 9" in printed(executed, "print(viz.text(J))")


def test_the_notebook_draws_logistic_regression_and_checks_the_course_shorthand(executed):
    [svg] = shown(executed, "viz.draw(L)", "image/svg+xml")
    dz = 1 / (1 + 2.718281828459045 ** -0.2) - 1  # a - y, with z = 0.5*1 - 0.2*2 + 0.1 = 0.2 and y = 1
    assert f"{dz:.4g}" in svg and f"{2 * dz:.4g}" in svg  # dz (and db, dw1) and dw2 = x2 dz, as viz writes them
    rows = re.findall(r"^(\w+) += ([-+.\d]+) +backward\(\): ([-+.\d]+)$", printed(executed, "a.parents[0]"), re.M)
    assert [r[0] for r in rows] == ["da", "dz", "dw1", "dw2", "db"]
    assert all(formula == computed for _, formula, computed in rows)
    assert float(rows[1][1]) == pytest.approx(dz)


def test_the_notebook_trains_the_cat_classifier_to_the_courses_accuracies(executed):
    [pictures] = shown(executed, "cats = nn.load_cat_images()", "image/png")  # pyplot's inline figure
    assert base64.b64decode(pictures)[:8] == b"\x89PNG\r\n\x1a\n"
    [graph] = shown(executed, "nn.binary_cross_entropy(model(cats.train_x)", "image/svg+xml")
    assert "12288 values" in graph  # w is one node
    costs = printed(executed, "nn.fit(")
    assert "cost after iteration 0: 0.693147" in costs and "cost after iteration 1900: 0.140872" in costs
    [png] = shown(executed, "history", "image/png")
    png = base64.b64decode(png)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == 600
    accuracies = printed(executed, "nn.accuracy(")
    assert "train accuracy: 99.04 %" in accuracies and "test accuracy:  70.00 %" in accuracies
