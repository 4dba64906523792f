"""How the course writes a graph: numbers, `J = 3*v`, gradients `dJ/du = 3`, local derivatives `∂u/∂b = c = 2`.

Every drawing (Graphviz, text, walkthrough, command line) takes its words from here, so they all agree.
Labels are user text: clean() makes any of them printable and short; markup escaping is the caller's job.

Two kinds of derivative, two ways of writing them, everywhere:
- a LOCAL derivative, how a node changes with one of its inputs alone, is a partial, on an edge: `∂u/∂b = c = 2`;
- a TOTAL derivative, the gradient of the root through every path, is written dJ/du, on a node: `dJ/du = 3`.
The chain rule joins them, a product written with "·" (formulas, which are code, keep "*"):
`dJ/db = dJ/du · ∂u/∂b = 3 · 2 = 6`. With notation="course", a gradient takes the course's shorthand: dJ/du is
`du` (the course's dz = a - y, dw1 = x1·dz, db = dz), so the step reads `db = du · ∂u/∂b = 3 · 2 = 6`; local
derivatives stay partials in both notations.

Matrices (week 3 on). Formulas are written as the code: `W[1] @ X + b[1]` (a layer's affine node, the course's
Z[1] = W[1] X + b[1]), `W[1] @ X`, `A[1].T`, `sum(L, axis=1)`, `mean(L)`; a constant array in a matrix product is
`const(2×5)`, its shape (the engine keeps no name for it). An edge label is only ever the LOCAL derivative of the
node with respect to that one parent, never a gradient:
- a matrix product Z = A @ B mixes entries, so its edge says what it does to the gradient G of Z, in the
  course's notation: `∂Z/∂A: G ↦ G Bᵀ` and `∂Z/∂B: G ↦ Aᵀ G` (a 1-D left operand counts as a row, a 1-D right one
  as a column, and G has the shape of their product, as in the engine); so do W and A in Z = W @ A + b; a
  transpose `G ↦ Gᵀ`;
- a reduction has the same derivative at every entry: `∂J/∂L = 1/5 for each entry` for a mean of 5 numbers (the
  course's 1/m), `= 1 for each entry` for a sum;
- an elementwise derivative over a matrix is written by its rule alone, `∂A[1]/∂Z[1] = 1 - A[1]**2 for each
  entry`, not by its many numbers; a parent broadcast into a larger node (the course's b[1] of shape (4, 1) in
  Z[1] of shape (4, m)) adds `summed over axis 1`: the engine sums its share over the m examples.
The course's dW[2] = (1/m) dZ[2] A[1]ᵀ or dZ[2] = A[2] - Y are products along a path, not local derivatives:
they appear as those products in the walkthrough's steps (`dJ/dW[2] = (dJ/dZ[2]) A[1]ᵀ`, with notation="course"
`dW[2] = dZ[2] A[1]ᵀ`), and as the red gradients (dJ/dZ[2] is the course's dZ[2] / m), never on an edge.
"""

from __future__ import annotations

import re

import numpy as np

from autograd import LinearMap, Value

NOTATIONS = ("leibniz", "course")  # dJ/dz, the default; dz, the course's shorthand for it
_LABEL_CHARS = 40  # longer labels are cut with an ellipsis
_TERMS = 4  # a sum or call with more arguments shows the first few, "...", and the last
_INFIX = {"+": " + ", "-": " - ", "*": "*", "/": "/", "**": "**"}
_T = "ᵀ"  # the course's transpose in derivative formulas; code (formulas) writes .T
_OPERAND = re.compile(r"[\w\[\].,]+")  # a name needing no parentheses beside ᵀ, a factor or d: W[2], n1, w[1]_2,1
_REDUCTION = re.compile(r"(sum|mean) over (?:all|axis (.+))")  # a reduction's LinearMap text (autograd.ops)


def clean(text: str, limit: int = _LABEL_CHARS) -> str:
    """text made printable (control and invisible characters become escapes like \\n) and at most limit long."""
    text = str(text)[:limit + 1]
    out = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return out if len(out) <= limit else out[:limit - 1] + "…"


def number(x, digits: int = 4) -> str:
    """A float with up to `digits` significant digits (3.0 as 3); a batch as its first numbers and its size, "[1, 2,
    3, … (5 values)]"; a matrix as its first numbers (row by row) and its shape, "[1, 2, 3, …] (4×5)"; a local
    derivative that is a linear map (d(X @ w)/dw) as its own text, "X (2×3)"."""
    if isinstance(x, LinearMap):
        return x.text
    if isinstance(x, np.ndarray):
        flat = x.ravel()
        if flat.size <= 4:
            shown = ", ".join(number(v, digits) for v in flat.tolist())
        else:
            shown = ", ".join(number(v, digits) for v in flat[:3].tolist()) + ", …"
        if x.ndim >= 2:  # the shape says how many: a narrower label than a batch's count
            return f"[{shown}] (" + "×".join(map(str, x.shape)) + ")"
        return f"[{shown}]" if flat.size <= 4 else f"[{shown} ({flat.size} values)]"
    x = float(x)
    return "0" if x == 0 else format(x, f".{digits}g")  # "0", not "-0"


def check_notation(notation: str) -> None:
    """A ValueError unless notation is one of NOTATIONS."""
    if type(notation) is not str or notation not in NOTATIONS:
        raise ValueError(f"notation must be 'leibniz' (gradients written dJ/dz, the default) or 'course' (dz, the "
                         f"course's shorthand for dJ/dz); got {notation!r:.60}")


def grad_name(root_name: str, name: str, notation: str = "leibniz") -> str:
    """The name of a gradient, a total derivative: dJ/du; with notation="course" the course's shorthand, du."""
    return f"d{_operand(name)}" if notation == "course" else f"d{root_name}/d{name}"


def partial(child: str, parent: str) -> str:
    """The name of a local derivative, a partial: ∂u/∂b."""
    return f"∂{child}/∂{parent}"


def dot_inputs(node: Value) -> tuple[float, ...] | None:
    """The constant inputs x1..xn of a model's z = w1*x1 + ... + wn*xn + b, else None.

    Such a node is a dot whose const holds x1..xn, the factors of its first n parents (each parent's local
    derivative, checked here), the parents after them added as they are (the bias, factor 1): nn's models build
    z so on one example. A dot without const may pair Values with Values, and is written dot(...).
    """
    const = node.const
    if node.op != "dot" or type(const) is not tuple or not const or len(const) > len(node.parents):
        return None
    local, n = node.local_grads, len(const)
    if all(type(c) is float for c in const) and local[:n] == const and all(g == 1.0 for g in local[n:]):
        return const
    return None


def formula(node: Value, names: dict[int, str]) -> str:
    """The right-hand side of the node's operation with its constants: "3*v", "a + u", "exp(z)", a model's
    "w1*x1 + w2*x2 + b" (see dot_inputs); "" for a leaf."""
    if not node.parents:
        return ""
    op, const = clean(node.op, 20), node.const
    args = [names[id(p)] for p in node.parents]
    inputs = dot_inputs(node)
    if inputs is not None:
        return " + ".join(_few([f"{w}*x{k}" for k, w in enumerate(args[:len(inputs)], 1)] + args[len(inputs):]))
    matrix = _matrix_formula(node, args)
    if matrix is not None:
        return matrix
    c = None if const is None or type(const) is tuple else _constant(const)  # a tuple: a dot's, see dot_inputs
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
    """The local derivative on the edge to parent i, symbolic where simple: "∂u/∂b = c = 2", "∂v/∂u = 1"; for a
    matrix product the map it applies to the gradient G, "∂Z/∂W: G ↦ G Aᵀ" (see the module's docstring)."""
    name = partial(names[id(node)], names[id(node.parents[i])])
    local = node.local_grads[i]
    applied = _applied(node, i, names, "G")
    if applied is not None:
        return f"{name}: G ↦ {applied}"
    each = _each(node, i)
    if each is not None:
        return f"{name} = {each} for each entry"
    if isinstance(local, LinearMap):  # a map this module has no formula for: its own description, "X (2×3)"
        return f"{name} = {local.text}"
    value = number(local)
    symbolic = _local_symbol(node, i, names)
    if symbolic == value:
        symbolic = None
    summed = _summed(node, i)
    if symbolic is None:
        rule = f"{value} for each entry" if summed and not np.ndim(local) else value
    elif np.ndim(local) >= 2 or summed:  # a matrix of derivatives: its rule, not its many numbers
        rule = f"{symbolic} for each entry"
    else:
        rule = f"{symbolic} = {value}"
    # a parent broadcast into a larger node (b[1] into Z[1]) receives the shares of all its copies, added up
    return f"{name} = {rule}" + (f", summed over {summed}" if summed else "")


def chain(node: Value, i: int, names: dict[int, str], g_name: str, g) -> str:
    """Parent i's share of the gradient g (named g_name, e.g. "dJ/du") as the chain rule writes it, before its
    value: "dJ/du · ∂u/∂b = 3 · 2", "(dJ/dn2) A[1]ᵀ", "dJ/dJ · 1/5 for each entry"."""
    local_name = partial(names[id(node)], names[id(node.parents[i])])
    local = node.local_grads[i]
    applied = _applied(node, i, names, g_name)
    if applied is not None:
        return applied
    each = _each(node, i)
    if each is not None:
        return f"{g_name} · {each} for each entry"
    if isinstance(local, LinearMap):
        return f"{g_name} through {local.text}"
    summed = _summed(node, i)
    tail = f", summed over {summed}" if summed else ""
    if np.ndim(g) >= 2:  # matrices: the rule, entry by entry; their first three numbers would say little
        symbolic = _local_symbol(node, i, names)
        factor = f"({symbolic})" if symbolic else _factor(local) if not np.ndim(local) else local_name
        return f"{g_name} · {factor}, entry by entry{tail}"
    return f"{g_name} · {local_name} = {_factor(g)} · {_factor(local)}{tail}"


def _local_symbol(node: Value, i: int, names: dict[int, str]) -> str | None:
    """d node / d parent i as a formula in the course's notation, or None when the number says it all."""
    op, args, y = node.op, [names[id(p)] for p in node.parents], names[id(node)]
    x = args[i]
    inputs = dot_inputs(node)
    if inputs is not None:
        return f"x{i + 1}" if i < len(inputs) else None  # ∂z/∂w1 = x1; ∂z/∂b = 1
    c = None if node.const is None or isinstance(node.const, (np.ndarray, tuple)) else _constant(node.const)
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


def _matrix_formula(node: Value, args: list[str]) -> str | None:
    """The formula of a matrix product, transpose or reduction ("W[1] @ X", "A[1].T", "sum(L, axis=0)"), else None.

    Only the engine's own nodes qualify (a LinearMap as local derivative, or the unchanged data of a number's or a
    vector's transpose): a custom operation that happens to be named "@" or "T" keeps the generic call.
    """
    op, local = node.op, node.local_grads
    if op == "affine" and isinstance(local[0], LinearMap):  # the course's Z = W A + b, A a Value or the inputs
        return f"{args[0]} @ {args[1] if len(args) == 3 else _const_array(node.const)} + {args[-1]}"
    if not all(isinstance(g, LinearMap) for g in local):
        if op == "T" and len(args) == 1 and node.data is node.parents[0].data:
            return f"{_operand(args[0])}.T"
        if op == "sum" and len(args) == 1 and node.const is None and type(node.parents[0].data) is float:
            return f"sum({args[0]})"  # the sum of one number (a mean of one is written so anyway)
        return None
    if op == "@" and len(args) == 2:
        return f"{args[0]} @ {args[1]}"
    if node.const is not None:  # the only nodes with a linear map and a constant: a product with a constant array
        return {"@": f"{args[0]} @ {_const_array(node.const)}",
                "r@": f"{_const_array(node.const)} @ {args[0]}"}.get(op)
    if op == "T":
        return f"{_operand(args[0])}.T"
    if op in ("sum", "mean"):
        return f"{op}({args[0]}{_axis(node)})"
    return None


def _axis(node: Value) -> str:
    """A reduction's arguments after its input, as numpy's: "" (all), ", axis=1", ", axis=1, keepdims=True"."""
    found = _REDUCTION.fullmatch(node.local_grads[0].text)
    axis = f", axis={found.group(2)}" if found and found.group(2) else ""
    keep = len(node.shape) == len(node.parents[0].shape)
    return axis + (", keepdims=True" if keep else "")


def _applied(node: Value, i: int, names: dict[int, str], g: str) -> str | None:
    """What a matrix product or transpose does to the gradient g of node, on its way to parent i, in the course's
    notation ("g A[1]ᵀ", "W[2]ᵀ g", "gᵀ"); None for any other node."""
    local = node.local_grads[i]
    if not isinstance(local, LinearMap):
        return None
    args, op = [_operand(names[id(p)]) for p in node.parents], node.op
    g = _operand(g)
    if op == "@" and len(args) == 2:
        return f"{g} {args[1]}{_T}" if i == 0 else f"{args[0]}{_T} {g}"
    if op == "affine":  # W @ A + b: W's and A's maps as the product's (b's local derivative is 1)
        return f"{g} {args[1] if len(args) == 3 else 'const'}{_T}" if i == 0 else f"{args[0]}{_T} {g}"
    if node.const is not None:  # a product with a constant array (see _matrix_formula)
        return {"@": f"{g} const{_T}", "r@": f"const{_T} {g}"}.get(op)
    if op == "T":
        return f"{g}{_T}"
    return None


def _each(node: Value, i: int) -> str | None:
    """The local derivative of a sum or mean at each entry of parent i ("1", "1/5"), None for any other node."""
    local = node.local_grads[i]
    found = _REDUCTION.fullmatch(local.text) if isinstance(local, LinearMap) else None
    if found is None:
        return None
    n = np.size(node.parents[i].data) // max(np.size(node.data), 1)  # the entries in each sum
    return "1" if found.group(1) == "sum" or n == 1 else f"1/{n}"


def _summed(node: Value, i: int) -> str | None:
    """The axes over which the engine sums parent i's share back to its shape, when an array parent was broadcast
    into a larger node ("axis 1", "axes 0, 2"); None when the shapes agree, or the parent holds one number."""
    shape, out = node.parents[i].shape, node.shape
    if not shape or len(shape) > len(out):  # a number (as before matrices), or a parent spread over a smaller node
        return None
    lead = len(out) - len(shape)
    axes = [k for k in range(len(out)) if out[k] != 1 and (k < lead or shape[k - lead] == 1)]  # added or stretched
    if not axes:
        return None
    return ("axis " if len(axes) == 1 else "axes ") + ", ".join(map(str, axes))


def _operand(name: str) -> str:
    """A name as a factor beside another (or after the course's d): itself if plain (W[2], n1), else in parentheses
    ((dJ/dZ), (my x))."""
    return name if _OPERAND.fullmatch(name) else f"({name})"


def _const_array(c) -> str:
    """A constant array in a matrix product, by its shape: const(2×5)."""
    return "const(" + "×".join(map(str, np.shape(c))) + ")"


def _factor(x) -> str:
    """A number in a product: -1 as (-1)."""
    text = number(x)
    return f"({text})" if text.startswith("-") else text


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
