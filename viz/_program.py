"""The little language of `chainrule graph`: statements like "u = b*c; v = a + u; J = 3*v", read safely.

The text is parsed with Python's `ast` and checked against a whitelist (names, numbers, + - * / **, unary minus,
calls to a few functions), then evaluated node by node on Values. Nothing is ever passed to eval().
"""

from __future__ import annotations

import ast
import operator
import re
import warnings

from autograd import Value

MAX_CHARS = 2000
MAX_DEPTH = 40  # nesting of one expression: parentheses, calls, unary minus; a + b + ... + z is one level
_CONTEXT = 50  # characters shown on each side of an error in a long line
FUNCTIONS = {"exp": Value.exp, "log": Value.log, "tanh": Value.tanh, "sigmoid": Value.sigmoid,
             "relu": Value.relu, "sqrt": Value.sqrt, "abs": Value.__abs__}
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow}
_LEVEL = {ast.Add: "+", ast.Sub: "+", ast.Mult: "*", ast.Div: "*", ast.Pow: "**"}  # one precedence each
_SYMBOLS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|",
            ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>", ast.UAdd: "unary +", ast.Not: "not",
            ast.Invert: "~"}
_KINDS = {ast.Attribute: "attribute access", ast.Subscript: "subscripts", ast.Lambda: "lambdas",
          ast.Import: "imports", ast.ImportFrom: "imports", ast.Compare: "comparisons", ast.BoolOp: "and/or",
          ast.IfExp: "if-expressions", ast.JoinedStr: "strings", ast.List: "lists", ast.Tuple: "tuples",
          ast.Dict: "dicts", ast.Set: "sets", ast.NamedExpr: ":=", ast.Starred: "*arguments",
          ast.AugAssign: "augmented assignment (+=)", ast.AnnAssign: "annotations",
          ast.Assign: "chained assignment", ast.Expr: "a bare expression before the last statement"}
ALLOWED = ("names, numbers, + - * / **, unary minus, and calls to " + ", ".join(FUNCTIONS))


class ProgramError(ValueError):
    """A refused program; the message says what is wrong and points at the offending part."""

    def __init__(self, problem: str, source: str = "", node: ast.AST | None = None,
                 span: tuple[int, int, int] | None = None) -> None:
        if node is not None and hasattr(node, "lineno"):
            span = (node.lineno, node.col_offset, node.end_col_offset if node.end_lineno == node.lineno else None)
            span = _chars(source, span)
        super().__init__(problem + (_pointer(source, span) if span and source else ""))


def build(source: str, inputs: dict[str, float]) -> Value:
    """The root Value of the program: the last statement, with each assigned Value labelled by its name.

    The parser's warnings (SyntaxWarning "invalid decimal literal" in "1if a") are caught: a program that warns is
    refused anyway, and a warning that explains a syntax error is added to its message.
    """
    if len(source) > MAX_CHARS:
        raise ProgramError(f"the program is {len(source)} characters long; the limit is {MAX_CHARS}")
    try:
        with warnings.catch_warnings(record=True) as caught:  # the parser's warnings are ours to report, not stderr's
            warnings.simplefilter("always")
            tree = ast.parse(source, mode="exec")
    except SyntaxError as e:  # its offsets count characters, from 1
        end = e.end_offset - 1 if e.end_offset and e.end_lineno == e.lineno else None
        span = (e.lineno, (e.offset or 1) - 1, end) if e.lineno else None
        notes = sorted({str(w.message) for w in caught if str(w.message) != e.msg})  # "invalid hexadecimal literal"
        raise ProgramError(f"not a valid statement: {e.msg}" + (f" ({'; '.join(notes)})" if notes else ""),
                           source, span=span) from None
    except (RecursionError, MemoryError):
        raise ProgramError("the program is nested too deeply to read") from None
    except ValueError as e:  # null bytes
        raise ProgramError(f"the program cannot be read: {e}") from None
    if not tree.body:
        raise ProgramError('nothing to draw: write statements like "u = b*c; v = a + u; J = 3*v"')
    env: dict[str, Value | float] = {}
    for name, value in inputs.items():
        env[name] = Value(float(value), label=name)
    result: Value | float = 0.0
    for i, statement in enumerate(tree.body):
        last = i == len(tree.body) - 1
        if isinstance(statement, ast.Expr) and last:
            result = _evaluate(statement.value, env, source)
        elif isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            result = _assign(statement, env, source)
        else:
            raise ProgramError(f"{_kind(statement)} not allowed: write assignments like u = b*c, "
                               f"the last one (or a bare expression) being the result", source, statement)
    if not isinstance(result, Value):
        raise ProgramError("the last statement must depend on an input: give inputs with --set, e.g. --set a=5")
    return result


def _assign(statement: ast.Assign, env: dict, source: str) -> Value | float:
    target = statement.targets[0]
    if not isinstance(target, ast.Name):
        raise ProgramError(f"{_kind(target)} not allowed on the left of =: assign to one name", source, target)
    name = target.id
    if name in FUNCTIONS:
        raise ProgramError(f"{name} is a function; choose another name", source, target)
    if name in env:
        raise ProgramError(f"{name} is already defined; give each result a new name", source, target)
    if isinstance(statement.value, ast.Name) and isinstance(env.get(statement.value.id), Value):
        raise ProgramError(f"{name} = {statement.value.id} only renames {statement.value.id}: "
                           f"each statement should compute something", source, statement)
    value = _evaluate(statement.value, env, source)
    if isinstance(value, Value):
        value.label = name
    env[name] = value
    return value


def _evaluate(expr: ast.expr, env: dict, source: str) -> Value | float:
    """The expression's value: checked against the whitelist first, then computed, both with explicit stacks."""
    stack = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ProgramError(f"the expression is nested more than {MAX_DEPTH} levels deep; "
                               f"split it into several statements", source, node)
        stack.extend((child, depth if _continues(node, side) else depth + 1)
                     for side, child in enumerate(_operands(node, env, source)))
    results: dict[int, Value | float] = {}
    stack2: list[tuple[ast.expr, bool]] = [(expr, False)]
    while stack2:
        node, ready = stack2.pop()
        operands = _operands(node, env, source)
        if not ready:
            stack2.append((node, True))
            stack2.extend((child, False) for child in operands)
            continue
        args = [results.pop(id(child)) for child in operands]
        results[id(node)] = _compute(node, args, env, source)
    return results[id(expr)]


def _continues(node: ast.AST, side: int) -> bool:
    """Whether operand `side` (0 left, 1 right) of node is the same flat chain, written without parentheses.

    a + b - c is Sub(Add(a, b), c) and a**b**c is Pow(a, Pow(b, c)): a chain of one precedence, on the side Python
    groups it, is one level however long, so only parentheses, calls, unary minus and mixed operators nest.
    """
    if not isinstance(node, ast.BinOp) or type(node.op) not in _LEVEL:
        return False
    child = node.left if side == 0 else node.right
    level = _LEVEL[type(node.op)]
    return (isinstance(child, ast.BinOp) and _LEVEL.get(type(child.op)) == level
            and side == (1 if level == "**" else 0))


def _operands(node: ast.AST, env: dict, source: str) -> list[ast.expr]:
    """The sub-expressions of an allowed node; anything outside the whitelist raises ProgramError."""
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float):
            kind = {str: "strings", bytes: "strings", bool: "True and False", complex: "complex numbers"}
            raise ProgramError(f"{kind.get(type(node.value), repr(node.value))} not allowed: use plain numbers",
                               source, node)
        return []
    if isinstance(node, ast.Name):
        if node.id not in env:
            hint = (f"{node.id} is a function: call it, e.g. {node.id}(x)" if node.id in FUNCTIONS
                    else f"give it a value with --set {node.id}=..., or define it in an earlier statement")
            raise ProgramError(f"unknown name {node.id!r}: {hint}", source, node)
        return []
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise ProgramError(f"the operator {_SYMBOLS.get(type(node.op), '?')} not allowed; allowed: {ALLOWED}",
                               source, node)
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub):
            raise ProgramError(f"{_SYMBOLS.get(type(node.op), 'that operator')} not allowed; allowed: {ALLOWED}",
                               source, node)
        return [node.operand]
    if isinstance(node, ast.Call):
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
            if (isinstance(func, (ast.Constant, ast.BinOp, ast.UnaryOp, ast.Call))
                    or isinstance(func, ast.Name) and func.id in env):  # 3(a + b), x(a + b), (a + b)(c + d)
                raise ProgramError(f"multiplication must be written with *: {_product(node, source)}", source, node)
            what = f"calling {func.id}" if isinstance(func, ast.Name) else _kind(func)
            raise ProgramError(f"{what} not allowed: the only calls are to {', '.join(FUNCTIONS)}", source, func)
        if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
            raise ProgramError(f"{func.id}() takes exactly one argument, e.g. {func.id}(x)", source, node)
        return [node.args[0]]
    raise ProgramError(f"{_kind(node)} not allowed; allowed: {ALLOWED}", source, node)


def _compute(node: ast.expr, args: list, env: dict, source: str) -> Value | float:
    """One allowed node's value from its operands'; numbers alone fold into a number (with the engine's math)."""
    if isinstance(node, ast.Constant):
        try:
            return float(node.value)
        except OverflowError:  # an integer beyond float range: IEEE rounds it to inf, as the engine does
            return float("inf")
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.BinOp):
        fn = _BINARY[type(node.op)]
    elif isinstance(node, ast.UnaryOp):
        fn = operator.neg
    else:
        fn = FUNCTIONS[node.func.id]
    if all(type(a) is float for a in args):  # a constant: Value's IEEE-safe math, no node kept
        return fn(Value(args[0]), *args[1:]).data
    return fn(*args)


def _product(call: ast.Call, source: str) -> str:
    """"3(a + b)" as the product it means, "3*(a + b)": "*" put before the parenthesis that opens the arguments."""
    whole = " ".join((ast.get_source_segment(source, call) or "").splitlines())
    depth = 0
    for i in range(len(whole) - 1, -1, -1):  # from the closing parenthesis back to the one that matches it
        depth += {")": 1, "(": -1}.get(whole[i], 0)
        if depth == 0:
            return whole[:i].rstrip() + "*" + whole[i:]
    return whole


def _kind(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        return "strings" if isinstance(node.value, (str, bytes)) else repr(node.value)
    return _KINDS.get(type(node), f"this kind of code ({type(node).__name__})")


def _lines(source: str) -> list[str]:
    """The program's lines as Python numbers them: split at \\n, \\r\\n and \\r only, not at the form feeds,
    separators and \\u2028 that str.splitlines() also breaks at (a comment may hold them)."""
    return re.split(r"\r\n|\r|\n", source)


def _chars(source: str, span: tuple[int, int, int | None]) -> tuple[int, int, int | None]:
    """ast's byte offsets (UTF-8) on a line turned into character offsets."""
    line, start, end = span
    lines = _lines(source)
    text = lines[line - 1].encode("utf-8") if 1 <= line <= len(lines) else b""

    def chars(offset: int) -> int:
        return len(text[:offset].decode("utf-8", errors="replace"))

    return line, chars(start), None if end is None else chars(end)


def _pointer(source: str, span: tuple[int, int, int | None]) -> str:
    """The offending line, and carets under the offending part."""
    line, start, end = span
    lines = _lines(source)
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1]
    start = max(0, min(start, len(text)))
    end = len(text) if end is None or end <= start else min(end, len(text))
    end = max(end, start + 1)
    first = max(0, start - _CONTEXT)  # a long line is shown around the offending part
    last = min(len(text), max(end, start + _CONTEXT), start + 2 * _CONTEXT)
    shown = "".join(ch if ch.isprintable() else "?" for ch in text[first:last])  # no terminal escapes
    dots = ("…" if first else "", "…" if last < len(text) else "")
    pad = " " * (start - first + len(dots[0]))
    return f"\n    {dots[0]}{shown}{dots[1]}\n    {pad}{'^' * max(1, min(end, last) - start)}"
