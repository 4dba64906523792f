"""The demos run, print what they show, and find what they claim (cat_classifier: see test_nn_cat.py)."""

import pytest

from demos import house_prices, moons_mlp, vectorization


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
