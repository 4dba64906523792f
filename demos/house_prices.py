"""House prices in Portland, Oregon (47 houses): the seed's first pictures, trained by gradient descent.

1. One ReLU neuron, price = max(0, w * size + b): the smallest neural network.
2. Size and bedrooms: linear regression, and a small ReLU network, each asked the price of a 1650 sq ft,
   3-bedroom house, beside the exact least-squares answer.

    python -m demos.house_prices
"""

from __future__ import annotations

import numpy as np

import nn
from demos._output import figure, out_path

HOUSE = [1650.0, 3.0]  # square feet, bedrooms
SCALE = 100_000.0  # prices in units of $100k keep the cost and the learning rate near 1


def main(out_dir: str = "out") -> dict:
    """Train the three models, print their prices for HOUSE; returns them, with the least-squares answer."""
    X, price = nn.load_portland_housing()
    y = price / SCALE
    print(f"{len(y)} houses sold in Portland: size (sq ft), bedrooms, price. "
          f"The first: {X[0, 0]:.0f} sq ft, {X[0, 1]:.0f} bedrooms, ${price[0]:,.0f}.\n")

    # 1. price(size) with one ReLU neuron, on standardized size.
    size, size_mean, size_std = nn.standardize(X[:, :1])
    neuron = nn.Neuron(1, "relu", seed=0)
    history = nn.fit(neuron, size, y, loss=nn.mse, optimizer=nn.SGD(neuron.parameters(), lr=0.1), iterations=500)
    w, b = neuron.w[0].data, neuron.b.data
    slope, intercept = SCALE * w / size_std[0], SCALE * (b - w * size_mean[0] / size_std[0])
    one = SCALE * neuron.predict(nn.standardize([HOUSE[:1]], size_mean, size_std)[0][0])
    exact_size = _least_squares(X[:, :1], price, HOUSE[:1])
    print("1. One ReLU neuron, price = max(0, w * size + b), 500 steps of gradient descent on the mean squared error:")
    print(f"   price = max(0, ${slope:,.2f} per sq ft * size + ${intercept:,.0f})   (cost {history.cost[-1]:.4f})")
    print(f"   a 1650 sq ft house: ${one:,.0f}   (exact least squares on size alone: ${exact_size:,.0f})\n")
    _draw(X[:, 0], price, slope, intercept, out_dir)

    # 2. size and bedrooms, standardized.
    Xs, mean, std = nn.standardize(X)
    house = nn.standardize([HOUSE], mean, std)[0]
    linear = nn.LinearRegression(2)
    nn.fit(linear, Xs, y, loss=nn.mse, optimizer=nn.SGD(linear.parameters(), lr=0.1), iterations=500)
    network = nn.MLP(2, [4, 1], activation="relu", seed=0)
    nn.fit(network, Xs, y, loss=nn.mse, optimizer=nn.Adam(network.parameters(), lr=0.01), iterations=1000)
    prices = {"least squares": _least_squares(X, price, HOUSE),
              "linear": SCALE * linear.predict(house[0]),
              "network": SCALE * network.predict(house[0])}
    print("2. Size and bedrooms. The price of a 1650 sq ft, 3-bedroom house:")
    print(f"   exact least squares (normal equation)          ${prices['least squares']:>10,.2f}")
    print(f"   LinearRegression(2), 500 gradient steps        ${prices['linear']:>10,.2f}")
    print(f"   MLP(2, [4, 1]) with ReLU, 1000 Adam steps      ${prices['network']:>10,.2f}")
    print("   Gradient descent finds the least-squares line; the network bends it a little to fit these 47 houses.")
    return {"neuron": one, "least squares size": exact_size, **prices}


def least_squares(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The exact answer theta = argmin ||[1 X] theta - y||^2 by numpy's lstsq: the intercept, a slope per column."""
    A = np.column_stack([np.ones(len(X)), X])
    return np.linalg.lstsq(A, y, rcond=None)[0]


def _least_squares(X: np.ndarray, y: np.ndarray, x: list[float]) -> float:
    """The least-squares price [1 x] . theta of one house x."""
    return float(np.dot([1.0, *x], least_squares(X, y)))


def _draw(size: np.ndarray, price: np.ndarray, slope: float, intercept: float, out_dir: str) -> None:
    fig = figure(figsize=(6, 4))
    if fig is None:
        return
    ax = fig.subplots()
    ax.scatter(size, price / 1000, s=12, label="houses sold")
    grid = np.linspace(0, 1.1 * size.max(), 200)
    ax.plot(grid, np.maximum(0, slope * grid + intercept) / 1000, color="tab:red",
            label="one ReLU neuron: max(0, w size + b)")
    ax.set(xlabel="size (sq ft)", ylabel="price ($1000)", title="House prices in Portland", ylim=(0, None))
    ax.legend()
    path = out_path("house_prices.png", out_dir)
    fig.savefig(path, dpi=100)
    print(f"   picture saved to {path}\n")


if __name__ == "__main__":
    main()
