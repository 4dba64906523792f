"""The neurons and layers of a model's graph, found from its shape, for drawings that group or collapse them.

A neuron, as nn builds one, is its z and the activation applied to it (a `relu`, `tanh` or `sigmoid` node
reading only z; none in a linear output neuron). On one example z is one `dot` node over the weights and the
bias, the bias last with the factor 1 (z = w1 x1 + ... + wn xn + b); on a batch it is two: the weighted sum (a
`dot` node, w . x) and the bias added to it (a `+` node whose other parent is a leaf, b). A layer built with
matrix=True is one unit for the whole layer: its Z = W A + b, one `affine` node, and its activation; so is a layer
written out by hand as a matrix product (`@`, W @ A) and a `+` of its bias.
Layers are counted from the inputs: a unit reading another unit's output is one layer further on. Within a layer,
neurons are numbered in the order the graph is walked (first parents first), which is the order of a layer's
outputs as the next layer reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograd import LinearMap, Value

GROUPS = ("neuron", "layer")
COLLAPSES = ("neuron",)
ACTIVATIONS = ("relu", "tanh", "sigmoid")
_SUMS = {"dot": False, "@": True, "affine": True}  # the weighted sum's op, and whether the unit is a whole layer


@dataclass
class Unit:
    """One neuron (or, with matrix=True, one layer): its nodes in forward order, the last being its output."""

    nodes: list[Value]
    layer: int
    index: int  # 1-based within its layer
    matrix: bool
    own: list[Value]  # the leaves only this unit reads: its weights and bias (and an input read by no other unit)

    @property
    def output(self) -> Value:
        """The node the unit hands on: its activation, or its bias add when it has none."""
        return self.nodes[-1]


def units(order: list[Value]) -> list[Unit]:
    """Every neuron (or matrix layer) in the graph of nodes `order` (parents first), in that order."""
    children: dict[int, list[Value]] = {}
    for v in order:
        for p in v.parents:
            if not any(c is v for c in children.get(id(p), ())):  # a*a reads a once
                children.setdefault(id(p), []).append(v)
    found: list[Unit] = []
    owner: dict[int, Unit] = {}  # a unit's output node, by id, to count layers
    per_layer: dict[int, int] = {}
    for v in order:
        if _with_bias(v):  # z = w1 x1 + ... + wn xn + b in one node
            total, nodes = v, [v]
        else:
            total = _weighted_sum(v)
            if total is None or [id(c) for c in children.get(id(total), [])] != [id(v)]:
                continue  # a weighted sum read by anything but its bias add is not one neuron's
            nodes = [total, v]
        after = children.get(id(v), [])
        if len(after) == 1 and after[0].op in ACTIVATIONS and len(after[0].parents) == 1:
            nodes.append(after[0])
        layer = 1 + max((owner[id(p)].layer for p in total.parents if id(p) in owner), default=0)
        per_layer[layer] = per_layer.get(layer, 0) + 1
        inside = {id(n) for n in nodes}
        own = [p for p in _unique(q for n in nodes for q in n.parents)
               if not p.parents and all(id(c) in inside for c in children[id(p)])]
        unit = Unit(nodes, layer, per_layer[layer], _SUMS[total.op], own)
        owner[id(nodes[-1])] = unit
        found.append(unit)
    return found


def check(group: str | None, collapse: str | None) -> None:
    """A ValueError unless group and collapse are each None or one of their choices, and make sense together."""
    if group is not None and group not in GROUPS:
        raise ValueError(f"group must be None or one of {', '.join(map(repr, GROUPS))}; got {group!r}")
    if collapse is not None and collapse not in COLLAPSES:
        raise ValueError(f"collapse must be None or one of {', '.join(map(repr, COLLAPSES))}; got {collapse!r}")
    if group == "neuron" and collapse == "neuron":
        raise ValueError("collapse='neuron' already draws each neuron as one box; group='layer' puts those boxes "
                         "in a box per layer")


def find(order: list[Value], group: str | None, collapse: str | None) -> list[Unit]:
    """The units to group or collapse in the graph `order`; a ValueError saying why when there are none to use."""
    if group is None and collapse is None:
        return []
    found = units(order)
    option = f"collapse={collapse!r}" if collapse else f"group={group!r}"
    if not found:
        raise ValueError(f"{option} found no neuron in this graph: a neuron is a weighted sum (dot(w, x), or "
                         f"W @ A for a whole layer), plus a bias (or affine(W, A, b), both at once), then an "
                         f"activation, as nn's models build them")
    if (group == "neuron" or collapse == "neuron") and any(u.matrix for u in found):
        raise ValueError(f"{option}: this graph keeps each layer as one matrix product (a model made with "
                         f"matrix=True), so it has no node per neuron. Use group='layer', or draw the graph of "
                         f"mlp.as_neurons() on one example to see each neuron")
    return found


def title(unit: Unit, layers: int) -> str:
    """A unit's caption: "neuron 2 of layer 1", or "layer 1" for a matrix layer (no layer number with one layer)."""
    if unit.matrix:
        return f"layer {unit.layer}"
    return f"neuron {unit.index}" + (f" of layer {unit.layer}" if layers > 1 else "")


def _weighted_sum(v: Value) -> Value | None:
    """The weighted sum under v when v adds a bias to one (dot(w, x) + b, W @ A + b), else None. A sum that holds
    its bias already (_with_bias) is a unit of its own, never the sum of a later + as well."""
    if v.op != "+" or len(v.parents) != 2:
        return None
    first, second = v.parents
    for total, bias in ((first, second), (second, first)):
        if total.op in _SUMS and not bias.parents and total is not bias and not _with_bias(total):
            return total
    return None


def _with_bias(v: Value) -> bool:
    """Whether v is a weighted sum with its bias inside: a matrix layer's affine(W, A, b), or z as nn builds it on
    one example, a dot whose last parent is a leaf (b) with the factor 1, not the Value partner of the parent before
    it (dot keeps a pair of Values side by side, each one's local derivative the other's very data)."""
    if v.op == "affine":  # the engine's own (a custom op of that name has no linear map), b a leaf as a layer's
        return isinstance(v.local_grads[0], LinearMap) and not v.parents[-1].parents
    if v.op != "dot" or len(v.parents) < 2 or v.parents[-1].parents:
        return False
    local = v.local_grads
    return type(local[-1]) is float and local[-1] == 1.0 and local[-2] is not v.parents[-1].data


def _unique(values) -> list[Value]:
    """values without repeats (by identity), in order."""
    seen: set[int] = set()
    return [v for v in values if not (id(v) in seen or seen.add(id(v)))]
