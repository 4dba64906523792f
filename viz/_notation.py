"""How the course writes a graph: numbers, `J = 3*v`, `dJ/du = 3`, and local derivatives `du/db = c = 2`.

Every drawing (Graphviz, text, walkthrough, command line) takes its words from here, so they all agree.
Labels are user text: clean() makes any of them printable and short; markup escaping is the caller's job.
"""

from __future__ import annotations

import numpy as np

from autograd import LinearMap, Value

_LABEL_CHARS = 40  # longer labels are cut with an ellipsis
_TERMS = 4  # a sum or call with more arguments shows the first few, "...", and the last
_INFIX = {"+": " + ", "-": " - ", "*": "*", "/": "/", "**": "**"}


def clean(text: str, limit: int = _LABEL_CHARS) -> str:
    """text made printable (control and invisible characters become escapes like \\n) and at most limit long."""
    text = str(text)[:limit + 1]
    out = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return out if len(out) <= limit else out[:limit - 1] + "…"


def number(x, digits: int = 4) -> str:
    """A float with up to `digits` significant digits (3.0 as 3); a batch as its first numbers and its size, a
    matrix also with its shape; a local derivative that is a linear map (d(X @ w)/dw) as its own text, "X (2×3)"."""
    if isinstance(x, LinearMap):
        return x.text
    if isinstance(x, np.ndarray):
        flat = x.ravel()
        shown = ", ".join(number(v, digits) for v in flat[:3].tolist())
        shape = "" if x.ndim == 1 else " (" + "×".join(map(str, x.shape)) + ")"
        if flat.size <= 4:
            return "[" + ", ".join(number(v, digits) for v in flat.tolist()) + "]" + shape
        return f"[{shown}, … ({flat.size} values{shape.replace(' (', ', ').rstrip(')')})]"
    x = float(x)
    return "0" if x == 0 else format(x, f".{digits}g")  # "0", not "-0"


def grad_name(root_name: str, name: str) -> str:
    """The course's name for a gradient: dJ/du."""
    return f"d{root_name}/d{name}"


def formula(node: Value, names: dict[int, str]) -> str:
    """The right-hand side of the node's operation with its constants: "3*v", "a + u", "exp(z)"; "" for a leaf."""
    if not node.parents:
        return ""
    op, const = clean(node.op, 20), node.const
    args = [names[id(p)] for p in node.parents]
    c = None if const is None else _constant(const)
    if op in _INFIX and len(args) == 2:
        return args[0] + _INFIX[op] + args[1]
    if op in _INFIX and len(args) == 1 and c is not None:
        return args[0] + _INFIX[op] + c  # x*3: the constant on the right
    if op[:1] == "r" and op[1:] in _INFIX and len(args) == 1 and c is not None:
        return c + _INFIX[op[1:]] + args[0]  # 3*x: "r*", the constant on the left
    if op == "neg" and len(args) == 1:
        return "-" + args[0]
    if op == "sum":
        return " + ".join(_few(args + ([c] if c is not None else [])))
    return f"{op}({', '.join(_few(args))})"  # exp(z), dot(w1, x1, ...), and any custom op


def local_label(node: Value, i: int, names: dict[int, str]) -> str:
    """The local derivative on the edge to parent i, symbolic where simple: "du/db = c = 2", "dv/du = 1"."""
    child, parent = names[id(node)], names[id(node.parents[i])]
    value = number(node.local_grads[i])
    symbolic = _local_symbol(node, i, names)
    if symbolic is None or symbolic == value:
        return f"d{child}/d{parent} = {value}"
    return f"d{child}/d{parent} = {symbolic} = {value}"


def _local_symbol(node: Value, i: int, names: dict[int, str]) -> str | None:
    """d node / d parent i as a formula in the course's notation, or None when the number says it all."""
    op, args, y = node.op, [names[id(p)] for p in node.parents], names[id(node)]
    x = args[i]
    c = None if node.const is None or isinstance(node.const, np.ndarray) else _constant(node.const)
    if len(args) == 2 and op in ("*", "/", "**"):
        a, b = args
        return {("*", 0): b, ("*", 1): a,                          # d(ab)/da = b
                ("/", 0): f"1/{b}", ("/", 1): f"-{a}/{b}**2",
                ("**", 0): f"{b}*{a}**({b} - 1)", ("**", 1): f"{a}**{b}*log({a})"}[op, i]
    if len(args) == 1 and c is not None:
        if op == "/":
            return f"1/{c}"
        if op == "r/":
            return f"-{c}/{x}**2"
        if op == "**":
            return _power_rule(node.const, c, x)
        if op == "r**":
            return f"{c}**{x}*log({c})"
        return None  # +, -, *, and their "r" forms: the local derivative is the constant, 1 or -1
    unary = {"exp": f"exp({x})", "log": f"1/{x}", "sqrt": f"1/(2*sqrt({x}))", "tanh": f"1 - {y}**2",
             "sigmoid": f"{y}*(1 - {y})", "softplus": f"sigmoid({x})", "abs": f"sign({x})"}
    return unary.get(op) if len(args) == 1 else None


def _power_rule(k: float, k_text: str, x: str) -> str | None:
    """d(x**k)/dx = k*x**(k - 1), simplified for k = 1 and k = 2."""
    if k == 1:
        return None
    if k == 2:
        return f"2*{x}"
    return f"{k_text}*{x}**{_constant(k - 1)}"


def _constant(c) -> str:
    """A folded constant as written in a formula: 3.0 as 3, a negative one in parentheses."""
    text = number(c, 6)
    return f"({text})" if text.startswith("-") else text


def _few(args: list[str]) -> list[str]:
    """Long argument lists as the first few, "…", and the last."""
    return args if len(args) <= _TERMS + 1 else args[:_TERMS - 1] + ["…", args[-1]]
