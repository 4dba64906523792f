"""The math of each operation: its value and its local derivatives, side by side.

Each function takes the data of its inputs, a float or a 1-D numpy batch, and `m`, the math to use: the module
`_floatmath` for floats, `numpy` for batches (same names). It returns the value and d value / d input for each
input. A reviewer checks the calculus here at a glance; `value.py` turns the results into graph nodes.
"""


def exp(x, m):
    """y = e^x, dy/dx = e^x."""
    y = m.exp(x)
    return y, y


def log(x, m):
    """y = ln x, dy/dx = 1/x."""
    return m.log(x), m.divide(1.0, x)


def sqrt(x, m):
    """y = sqrt(x), dy/dx = 1 / (2 sqrt(x))."""
    y = m.sqrt(x)
    return y, m.divide(0.5, y)


def tanh(x, m):
    """y = tanh x, dy/dx = sech^2 x = 4e / (1 + e)^2 with e = exp(-2|x|).

    Written with e rather than as 1 - y^2, which rounds to 0 for |x| > 19 while the true slope is still ~1e-16.
    """
    e = m.exp(-2.0 * abs(x))
    return m.tanh(x), 4.0 * e / ((1.0 + e) * (1.0 + e))


def sigmoid(x, m):
    """y = 1 / (1 + e^-x), dy/dx = y (1 - y) = e / (1 + e)^2 with e = exp(-|x|).

    The sign-split form never overflows, and the slope keeps its precision where 1 - y rounds to 0.
    """
    e = m.exp(-abs(x))
    d = 1.0 + e
    return m.where(x >= 0, 1.0, e) / d, e / (d * d)


def softplus(x, m):
    """y = ln(1 + e^x), dy/dx = sigmoid(x); as max(x, 0) + ln(1 + e^-|x|), which never overflows."""
    e = m.exp(-abs(x))
    d = 1.0 + e
    return m.where(x > 0, x, 0.0) + m.log1p(e), m.where(x >= 0, 1.0, e) / d


def relu(x, m):
    """y = max(0, x), dy/dx = 1 for x > 0 else 0; nan stays nan (as numpy's maximum), with slope 1."""
    off = x <= 0
    return m.where(off, 0.0, x), m.where(off, 0.0, 1.0)


def absolute(x, m):
    """y = |x|, dy/dx = sign(x) (0 at 0, as PyTorch; nan at nan)."""
    return abs(x), m.sign(x)


def divide(a, b, m):
    """y = a / b, dy/da = 1/b, dy/db = -a/b^2 = -y/b."""
    y = m.divide(a, b)
    return y, m.divide(1.0, b), -m.divide(y, b)


def power(a, b, m):
    """y = a^b, dy/da = b a^(b-1), dy/db = a^b ln a.

    As in PyTorch: dy/da is 0 where b = 0, and dy/db is 0 where a = 0 and b >= 0 (0^b does not change with b).
    """
    y = m.power(a, b)
    da = m.where(b == 0, 0.0, b * m.power(a, b - 1.0))
    db = m.where((a == 0) & (b >= 0), 0.0, y * m.log(a))
    return y, da, db
