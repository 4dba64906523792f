"""Module: a model's parameters, by name, and their state saved to and loaded from JSON.

    model.save("cat.json")      # atomic: a temporary file, then a rename (through a symbolic link to its target)
    model.load("cat.json")      # checks the whole file first; on any error the model is left as it was

The file is plain JSON (never pickle, which runs code when loaded), each parameter under its name as
named_parameters() gives it, the course's (w1, b; w[1]_2,1 and b[1]_2 in an MLP, W[1] with matrix=True):

    {"format": "chainrule.nn", "version": 2, "model": "LogisticRegression",
     "parameters": {"w1": 0.0123, ..., "b": -0.01}}

A parameter holding a vector (LogisticRegression(n, vector=True)) is saved as a list: "w": [0.0123, ...]; a matrix
(MLP(..., matrix=True)) as a list of its rows: "W[1]": [[0.0123, ...], ...].

Version 1 files, which named parameters by their attribute paths ("w.0", "layers.0.neurons.2.b"), still load:
their names are read as the attribute paths of the model's parameters. Version 2 names them as above.
"""

from __future__ import annotations

import json
import math
import os

import numpy as np

from autograd import Value, no_grad
from autograd.files import read_regular, write_atomic

FORMAT, VERSION = "chainrule.nn", 2
READS = (1, 2)  # version 1: names were attribute paths ("layers.0.neurons.2.w.5"); 2: labels ("w[1]_3,6")
KEYS = ("format", "version", "model", "parameters")  # a file's top level, all of it


class Module:
    """A model: finds its parameters (Values, lists of Values, sub-Modules) among its public attributes."""

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Every parameter with its name, each once, in attribute order: its label ("w1", "w[1]_3,6", "W[1]") when
        every parameter has a label of its own (as in every nn model), else its attribute path ("layers.0.w.5")."""
        found = _paths(self)
        labels = [p.label for _, p in found]
        if all(labels) and len(set(labels)) == len(labels):
            return [(p.label, p) for _, p in found]
        return found

    def parameters(self) -> list[Value]:
        """Every parameter, each once, in attribute order."""
        found: list = []
        _find(self, "", found, named=False)
        return _first_of_each(found, found)

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (leaf gradients add up across backward() calls)."""
        for p in self.parameters():
            p.grad = 0.0

    def predict(self, x) -> float | np.ndarray:
        """The model's output without recording a graph: a float for one example, an array for a batch X."""
        with no_grad():
            out = self(x)
        if isinstance(out, Value):
            return out.data
        batch = [o.data for o in out]
        return np.column_stack(batch) if type(batch[0]) is not float else np.array(batch)

    def save(self, path: str | os.PathLike) -> None:
        """Write the parameters to path as JSON, atomically: a crash never leaves a half-written file.

        As autograd.files.write_atomic: a symbolic link is written through to its target, an existing file keeps its
        permission bits and a new one gets the umask's, and a directory, device, FIFO or socket is refused.
        """
        params = {}
        for name, p in self.named_parameters():
            x = p.data
            array = type(x) is np.ndarray and x.ndim >= 1
            if not (type(x) is float or array):
                raise ValueError(f"cannot save {type(self).__name__}: parameter {name} is a {type(x).__name__} of "
                                 f"shape {np.shape(x)}, not a number or an array")
            if not np.isfinite(x).all():
                raise ValueError(f"cannot save {type(self).__name__}: parameter {name} holds nan or inf")
            params[name] = x.tolist() if array else x  # a matrix as a list of rows
        state = {"format": FORMAT, "version": VERSION, "model": type(self).__name__, "parameters": params}
        write_atomic(path, json.dumps(state, indent=1, allow_nan=False).encode("utf-8"))

    def load(self, path: str | os.PathLike) -> Module:
        """Set the parameters from a file written by save(), after checking all of it; returns the model.

        Raises ValueError, naming the problem, for a corrupt or truncated file or one written by another model;
        the model is then left unchanged. Only a regular file is read (a directory is an IsADirectoryError; a
        device, FIFO or socket a ValueError, refused unopened), and only up to a bound that the model sets: 64 bytes
        per number, 64 per name plus 6 per character of it, and 64 KiB to spare, twice and more what save() writes.
        A larger file is refused after reading one byte past the bound. Messages show control characters escaped.
        """
        named = self.named_parameters()
        shapes = {name: None if type(p.data) is float else p.data.shape for name, p in named}
        old = {dotted: name for (dotted, _), (name, _) in zip(_paths(self), named)}  # version 1's names: ours
        model = type(self).__name__
        limit = _size_limit({max(dotted, name, key=len): shapes[name] for dotted, name in old.items()})
        raw = read_regular(path, limit)
        if len(raw) > limit:
            raise ValueError(_escaped(f"cannot load {os.fspath(path)!r} into {model}: the file is larger than the "
                                      f"{limit} bytes a {model} file can need: not a file of this model?"))
        values = _parse_state(raw, path, model, shapes, old)
        for (_, p), x in zip(named, values):
            p.data = x
        return self


def _paths(module: Module) -> list[tuple[str, Value]]:
    """Every parameter with its attribute path ("layers.0.neurons.2.w.5"), each once: the names of version 1 files."""
    found: list = []
    _find(module, "", found, named=True)
    return _first_of_each(found, [p for _, p in found])


def _find(obj, path: str, found: list, named: bool) -> None:
    """Append the Values in obj (a Value, a Module's public attributes, a list or tuple of them) to found,
    as (name, Value) pairs or bare Values."""
    if isinstance(obj, Value):
        found.append((path, obj) if named else obj)
    elif isinstance(obj, Module):
        for name, attr in vars(obj).items():
            if not name.startswith("_"):
                _find(attr, f"{path}.{name}" if path else name, found, named)
    elif isinstance(obj, (list, tuple)):
        if all(type(v) is Value for v in obj):  # a neuron's weights, the common case: no call per weight
            found.extend([(f"{path}.{i}", v) for i, v in enumerate(obj)] if named else obj)
        else:
            for i, item in enumerate(obj):
                _find(item, f"{path}.{i}", found, named)


def _first_of_each(items: list, values: list[Value]) -> list:
    """items without those whose Value came earlier: a Value shared by two attributes is one parameter."""
    ids = list(map(id, values))
    if len(set(ids)) == len(ids):
        return items
    seen: set[int] = set()
    return [item for item, i in zip(items, ids) if not (i in seen or seen.add(i))]


def _parse_state(raw: bytes, path, model: str, sizes: dict[str, tuple[int, ...] | None],
                 old: dict[str, str]) -> list[float | np.ndarray]:
    """The parameter values in `sizes` order (None: a number, else an array's shape), from a saved file's bytes,
    a version 1 file's names read through old (attribute path: name); ValueError naming any problem."""
    try:
        return _check_state(_read_json(raw), model, sizes, old)
    except _BadFile as e:
        raise ValueError(_escaped(f"cannot load {os.fspath(path)!r} into {model}: {e}")) from None


def _size_limit(shapes: dict[str, tuple[int, ...] | None]) -> int:
    """The most bytes a file of a model with these parameters can need: generous, but far below a wrong file's."""
    return 65536 + sum(64 + 6 * len(name) + 64 * math.prod(shape or ()) for name, shape in shapes.items())


def _escaped(message: str) -> str:
    """message with every unprintable character (control, lone surrogate, bidi override) as its Python escape."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)


class _BadFile(Exception):
    """What is wrong with a model file (made into a ValueError naming the file)."""


def _read_json(raw: bytes):
    def no_repeats(pairs):
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys):
            raise _BadFile(f"the name {next(k for k in keys if keys.count(k) > 1)!r} appears twice")
        return dict(pairs)

    def no_constant(word):
        raise _BadFile(f"{word} is not a number JSON allows")

    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=no_repeats, parse_constant=no_constant)
    except (ValueError, RecursionError) as e:  # bad UTF-8, bad or truncated JSON, an absurd number
        raise _BadFile(f"not valid JSON (corrupt or truncated?): {e}") from None


def _check_state(state, model: str, sizes: dict[str, tuple[int, ...] | None],
                 old: dict[str, str]) -> list[float | np.ndarray]:
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise _BadFile(f"not a chainrule model file (expected \"format\": \"{FORMAT}\")")
    version = state.get("version")
    if type(version) is not int or version not in READS:  # True == 1 == 1.0 in Python, but not in the format
        raise _BadFile(f"format version {version!r:.40}; this chainrule reads versions "
                       f"{', '.join(map(str, READS))}")
    unknown = [repr(key) for key in state if key not in KEYS]
    if unknown:
        raise _BadFile(f"unknown top-level key{'s' if len(unknown) > 1 else ''} {_few(unknown)}; a model file has "
                       f"only {', '.join(KEYS)}")
    if state.get("model") != model:
        raise _BadFile(f"the file holds a {state.get('model')!r}")
    params = state.get("parameters")
    if not isinstance(params, dict):
        raise _BadFile("\"parameters\" is missing or not an object of name: number")
    # each parameter's name in a file of this version: version 1 wrote attribute paths ("w.0"), never labels ("w1")
    names = {name: dotted for dotted, name in old.items()} if version == 1 else {name: name for name in sizes}
    known, other = (old, sizes) if version == 1 else (sizes, old)
    missing = [names[n] for n in sizes if names[n] not in params]
    unknown = [n for n in params if n not in known]
    if missing or unknown:
        split = [n for n in missing if any(_entry_of(u, n) for u in unknown)]
        joined = [n for n in unknown if any(_entry_of(m, n) for m in missing)]
        misplaced = [n for n in unknown if n in other]
        hint = (f" (the file keeps {split[0]} as separate numbers, the model as one vector: was it saved with "
                "vector=False?)" if split else f" (the file keeps {joined[0]} as one vector, the model as separate "
                "numbers: was it saved with vector=True?)" if joined else f" ({misplaced[0]} is a version "
                f"{3 - version} name, in a version {version} file)" if misplaced else "")
        raise _BadFile(f"the model has {len(sizes)} parameters, the file {len(params)}"
                       + (f"; missing {_few(missing)}" if missing else "")
                       + (f"; unknown {_few(unknown)}" if unknown else "") + hint)
    return [_number(params[names[name]], name) if shape is None else _array(params[names[name]], shape, name)
            for name, shape in sizes.items()]


def _array(x, shape: tuple[int, ...], name: str) -> np.ndarray:
    """A parameter's array from the file, nested lists of exactly shape (a matrix: a list of rows), every entry
    finite; or _BadFile naming the first wrong list or entry (W[1][2,0])."""
    numbers: list[float] = []
    pending = [(x, ())]  # (a list from the file, its index); depth-first so that the entries come in row order
    while pending:
        item, index = pending.pop()
        depth = len(index)
        if type(item) is not list or len(item) != shape[depth]:
            got = f"a list of {len(item)}" if type(item) is list else f"{item!r:.40}"
            where = f"{name}[{','.join(map(str, index))}]" if index else name
            want = f"a list of {shape[depth]} " + ("numbers" if depth == len(shape) - 1 else "lists")
            if len(shape) > 1 and not index:
                want = f"a {' x '.join(map(str, shape))} array as nested lists, {want}"
            raise _BadFile(f"parameter {where} must be {want}, got {got}")
        if depth == len(shape) - 1:
            numbers += [_number(v, f"{name}[{','.join(map(str, index + (i,)))}]") for i, v in enumerate(item)]
        else:
            pending += [(v, index + (i,)) for i, v in reversed(list(enumerate(item)))]
    return np.array(numbers).reshape(shape)


def _number(x, name: str) -> float:
    """A parameter's number from the file, finite, or _BadFile."""
    if type(x) not in (int, float):
        raise _BadFile(f"parameter {name} is {x!r:.40}, not a number")
    try:
        value = float(x)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise _BadFile(f"parameter {name} is {x!r:.40}, not a finite number")
    return value


def _entry_of(name: str, vector: str) -> bool:
    """Whether name is one of the separate numbers that a vector named so would hold: w1 or w.0 of w."""
    rest = name[len(vector):] if name.startswith(vector) else ""
    return rest[:1] == "." or rest.isdigit()


def _few(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
