"""chainrule's engine: scalar reverse-mode automatic differentiation that shows the chain rule at work.

    >>> from autograd import Value
    >>> a, b, c = Value(5.0, label="a"), Value(3.0, label="b"), Value(2.0, label="c")
    >>> J = 3 * (a + b * c)
    >>> J.backward()
    >>> J.data, a.grad, b.grad, c.grad
    (33.0, 3.0, 6.0, 9.0)
"""

from .check import GradcheckError, analytic_grad, grad_difference, gradcheck, gradgradcheck, numerical_grad
from .functional import grad, hessian, hvp, value_and_grad
from ._ieee import ieee
from .modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .backward import backward_order, contributions
from .nary import affine, dot, record, sum
from .ops import LinearMap
from .value import Value

__all__ = [
    "Value", "backward_order", "contributions", "affine", "dot", "record", "sum", "LinearMap",
    "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly", "ieee",
    "numerical_grad", "analytic_grad", "gradcheck", "gradgradcheck", "grad_difference", "GradcheckError",
    "grad", "value_and_grad", "hessian", "hvp",
]
