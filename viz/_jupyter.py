"""A Value at the end of a Jupyter cell shows as its drawing (SVG), or as the text tree when it cannot be drawn.

autograd knows nothing of viz, so Value has no _repr_svg_: `import viz` registers a display function for Value with
the IPython shell it runs in instead (register below). repr(value) is unchanged, and so is what a terminal IPython,
which shows text only, prints for a Value.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

from autograd import Value

from . import _graph
from .dot import draw
from .render import pipe
from .text import text

TIMEOUT = 10.0  # seconds Graphviz gets for a drawing in a notebook; past them the text tree shows instead
TEXT_NODES = 5000  # over this many nodes even the text tree is too long to show: one line says so


def register(shell) -> None:
    """Show every Value as its drawing in this IPython shell wherever it can show SVG (a notebook), else as before."""
    formatter = shell.display_formatter
    formatter.mimebundle_formatter.for_type(Value, lambda value: _display_data(value, formatter))


def register_in_running_shell() -> None:
    """register() with the IPython shell running this code, if any (a plain script does not even import IPython)."""
    get_ipython = getattr(sys.modules.get("IPython"), "get_ipython", None)
    shell = get_ipython() if get_ipython is not None else None
    if shell is not None:
        register(shell)


def bundle(value: Value) -> dict[str, str]:
    """value's display data: {"image/svg+xml": its drawing}, or {"text/plain": why it is not drawn, then its text
    tree} when the graph is over the drawing limit, Graphviz is missing or fails, or it takes over TIMEOUT seconds."""
    if shutil.which("dot") is None:
        why = ("not drawn: Graphviz's 'dot' program is not installed (sudo apt-get install graphviz, brew install "
               "graphviz, or conda install -c conda-forge graphviz)")
    else:
        try:
            return {"image/svg+xml": pipe(draw(value), "svg", TIMEOUT).decode("utf-8")}
        except ValueError:  # with draw()'s defaults, only a graph over its max_nodes raises it
            count = len(_graph.nodes(value))
            why = (f"not drawn: {count} nodes, too many to read in one drawing; viz.draw(value, max_nodes={count}) "
                   f"draws it anyway, or draw a smaller part (an intermediate Value)")
        except subprocess.TimeoutExpired:
            why = (f"not drawn: Graphviz did not lay this graph out in {TIMEOUT:g} s; viz.render(value, "
                   f"'graph.svg', timeout=120) gives it longer")
        except RuntimeError as error:  # dot failed
            why = f"not drawn: {error}"
    try:
        tree = text(value, max_nodes=TEXT_NODES)
    except ValueError:
        tree = (f"{value!r}, a graph of {len(_graph.nodes(value))} nodes, over {TEXT_NODES} even for the text tree: "
                f"print(viz.text(value, max_nodes=...)) lists them all")
    return {"text/plain": f"({why})\n{tree}"}


def _display_data(value: Value, formatter) -> dict[str, str] | None:
    """bundle(value) where the shell shows SVG; None elsewhere (a terminal), which leaves repr(value) to show."""
    return bundle(value) if formatter.formatters["image/svg+xml"].enabled else None
