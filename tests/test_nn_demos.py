"""The demos run, print what they show, and find what they claim (cat_classifier: see test_nn_cat.py)."""

import re
import xml.etree.ElementTree as ET

import pytest

from demos import house_prices, logistic_graph, moons_mlp, vectorization


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the demos write their pictures to ./out


def test_house_prices_gradient_descent_finds_the_least_squares_price(tmp_path, capsys):
    prices = house_prices.main()
    assert prices["least squares"] == pytest.approx(293081.46, abs=0.01)  # the course's normal-equation answer
    assert prices["linear"] == pytest.approx(prices["least squares"], abs=0.01)
    assert prices["neuron"] == pytest.approx(prices["least squares size"], abs=1.0)
    assert prices["network"] == pytest.approx(prices["least squares"], rel=0.1)
    assert "1650 sq ft, 3-bedroom" in capsys.readouterr().out
    assert (tmp_path / "out" / "house_prices.png").exists()


def test_moons_mlp_reaches_100_percent(tmp_path):
    assert moons_mlp.main() == 1.0
    assert (tmp_path / "out" / "moons_boundary.png").exists()


def test_vectorization_four_ways_agree_to_1e_12(capsys):
    assert vectorization.main() <= 1e-12
    assert "The same gradient to 1e-12: yes" in capsys.readouterr().out


def svg_lines(path):
    """The text of every line of an SVG drawing."""
    return [t.text for t in ET.parse(path).getroot().iter("{http://www.w3.org/2000/svg}text")]


def test_logistic_graph_draws_the_courses_slide_before_and_after_backward_and_checks_dz(tmp_path, capsys):
    written = logistic_graph.main(out_dir=str(tmp_path / "pictures"))
    assert written["worst"] <= 1e-12
    out = capsys.readouterr().out
    assert "dz = a - y" in out and "dw1 = x1 dz" in out and "All agree to 1e-12." in out
    x1, x2 = re.search(r"x1 = (\S+), x2 = (\S+),", out).groups()
    before, after, course = svg_lines(written["before"]), svg_lines(written["after"]), svg_lines(written["course"])
    for lines in (before, after, course):
        heads = [line for line in lines if " = " in line and not line.startswith(("dL/", "d", "∂"))]
        assert "z = w1*x1 + w2*x2 + b" in heads and "a = sigmoid(z)" in heads and "L = bce(a)" in heads
        assert f"x1 = {float(x1):.4g}" in heads and f"x2 = {float(x2):.4g}" in heads
        assert not [line for line in lines if re.search(r"(^|[ (])[01]\*|mean|^J ", line)]  # no 1*x, no mean
    assert not [line for line in before if line.startswith("dL/")]  # values only, before backward()
    assert {"dL/dz", "dL/dw1", "dL/dw2", "dL/db", "dL/da"} <= {line.split(" = ")[0] for line in after}
    # the course's shorthand on the nodes, the same numbers; the edges keep their partials, ∂z/∂w1 = x1 = ...
    assert {"dz", "dw1", "dw2", "db", "da", "dL"} <= {line.split(" = ")[0] for line in course}
    assert not [line for line in course if line.startswith("dL/")]
    assert sorted(line.split(" = ", 1)[1] for line in after if line.startswith("dL/")) == \
        sorted(line.split(" = ", 1)[1] for line in course if re.match(r"d\w+ = ", line))
    assert f"∂z/∂w1 = x1 = {float(x1):.4g}" in course and f"∂z/∂w2 = x2 = {float(x2):.4g}" in course
    assert "dz = " in written["course"].read_text(encoding="utf-8")
    assert "dz = a - y" in out and "\n    └── z = w1*x1 + w2*x2 + b = " in out and re.search(r"\s dz = \S+\n", out)
    _, nodes, x, y = logistic_graph.course_graph()
    nodes["L"].backward()
    for _, course, ours in logistic_graph.course_shorthand(nodes, x, y):
        assert ours == pytest.approx(course, rel=1e-12)


def test_logistic_graph_fails_loudly_when_a_gradient_disagrees_with_the_course(tmp_path, monkeypatch):
    shorthand = logistic_graph.course_shorthand
    monkeypatch.setattr(logistic_graph, "course_shorthand",
                        lambda *args: [(f, c, o * (1 + 1e-9)) for f, c, o in shorthand(*args)])
    with pytest.raises(AssertionError, match="differ from the course's formulas by 1.0e-09"):
        logistic_graph.main(out_dir=str(tmp_path))


def test_the_readme_picture_of_logistic_regression_is_what_the_demo_draws(tmp_path):
    """docs/logistic_regression.svg, shown in the README, has the texts of demos.logistic_graph's course picture
    today: regenerate it (copy out/logistic_graph_course.svg) when the drawing changes."""
    import re
    from pathlib import Path

    import demos.logistic_graph

    root = Path(__file__).resolve().parent.parent
    assert "(docs/logistic_regression.svg)" in (root / "README.md").read_text(encoding="utf-8")
    drawn = demos.logistic_graph.main(str(tmp_path))["course"]

    def texts(path):
        return sorted(re.findall(r"<text[^>]*>([^<]*)</text>", Path(path).read_text(encoding="utf-8")))
    committed = texts(root / "docs" / "logistic_regression.svg")
    assert committed == texts(drawn) and "dz = &#45;0.6516" in committed
