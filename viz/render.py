"""Drawings to files (SVG, PNG, PDF, with the .dot source beside them) and inline in Jupyter."""

from __future__ import annotations

import numbers
import os
import subprocess
from pathlib import Path

import graphviz

from autograd import Value
from autograd.files import check_writable, file_path, write_atomic  # the one atomic writer, shared with nn

from . import _graph
from .dot import draw

FORMATS = ("svg", "png", "pdf", "dot")
TIMEOUT = 30.0  # seconds for Graphviz: the course's graph takes 0.1, a 500-node chain 1.4; some 400-node ones minutes
# The longest timeout taken, about 11.6 days (None: no limit). subprocess waits with poll(), which takes milliseconds
# as a C int: from 2147483.648 s (24.8 days) on it raises OverflowError; Windows's waits end at 49.7 days.
MAX_TIMEOUT = 1e6
INSTALL_DOT = ("Graphviz's 'dot' program is needed to draw, and it is not on your PATH. Install it with one of:\n"
               "    sudo apt-get install graphviz        (Debian, Ubuntu)\n"
               "    brew install graphviz                (macOS)\n"
               "    conda install -c conda-forge graphviz\n"
               "then run this again.")


def render(root: Value, path: str | os.PathLike, *, timeout: float | None = TIMEOUT, **draw_options) -> Path:
    """Draw root to path, as SVG, PNG or PDF by its extension (.dot writes only the source); returns the path.

    The DOT source is always written beside it, at source_path(path) (course.svg -> course.dot), before `dot` runs:
    if Graphviz is missing, RuntimeError says how to install it and the .dot file is still there to render later.
    The file written is path as spelled (graph.DOT stays graph.DOT); the extension is read in any case.
    timeout: seconds Graphviz may take, at most MAX_TIMEOUT (None: no limit); past it, `dot` is stopped and
    TimeoutError says what to do. A path that cannot be written (a directory, a FIFO, a missing folder) is refused
    before anything is written.
    """
    path = file_path(path)
    fmt = _format(path)
    check_timeout(timeout)
    digraph = draw(root, **draw_options)
    if fmt == "png":
        digraph.attr(dpi="144")  # pixels: sharper than Graphviz's 96 per inch
    source = source_path(path)
    check_writable(path)  # both files, before either is written or Graphviz runs
    check_writable(source)
    write_atomic(source, digraph.source.encode("utf-8"))
    if fmt != "dot":
        try:
            image = pipe(digraph, fmt, timeout)
        except subprocess.TimeoutExpired:
            raise timeout_error(root, timeout, source) from None
        write_atomic(path, image)
    return path


def source_path(path: str | os.PathLike) -> Path:
    """Where render(root, path) writes the DOT source: path itself for a .dot file (any case), else path.dot."""
    path = Path(path)
    return path if path.suffix.lower() == ".dot" else path.with_suffix(".dot")


def show(root: Value, **draw_options) -> None:
    """Display the drawing: inline as SVG in a Jupyter notebook, else print the text view (viz.text).

    Takes viz.draw's options (show, rankdir, edge_labels, max_nodes, notation, group, collapse); the text view
    uses those it has (show, max_nodes, notation).
    """
    digraph = draw(root, **draw_options)  # checks the options either way
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        shell = None
    else:
        shell = get_ipython()
    if shell is not None and "IPKernelApp" in shell.config:  # a notebook kernel, which can show SVG
        display(digraph)
        return
    from .text import text
    print(text(root, show=draw_options.get("show", "auto"), max_nodes=draw_options.get("max_nodes", 500),
               notation=draw_options.get("notation", "leibniz")))


def pipe(digraph: graphviz.Digraph, fmt: str, timeout: float | None = TIMEOUT) -> bytes:
    """The drawing rendered by Graphviz's dot program in format fmt ("svg", "png", "pdf").

    Past timeout seconds `dot` is stopped and subprocess.TimeoutExpired raised (callers say what to do).
    """
    try:
        done = subprocess.run(["dot", f"-T{fmt}"], input=digraph.source.encode("utf-8"), capture_output=True,
                              timeout=timeout)  # run() kills dot on a timeout, and on Ctrl-C too
    except FileNotFoundError:
        raise RuntimeError(INSTALL_DOT) from None
    if done.returncode:
        problem = done.stderr.decode("utf-8", errors="replace").strip()
        raise RuntimeError(f"Graphviz's dot failed (exit status {done.returncode}): {problem or 'no message'}")
    return done.stdout


def check_timeout(timeout: float | None) -> None:
    """A ValueError unless timeout is None (no limit) or a number of seconds above 0 and at most MAX_TIMEOUT."""
    if timeout is None:
        return
    if not isinstance(timeout, numbers.Real) or isinstance(timeout, bool):  # numpy's numbers are Real; True is not
        raise ValueError(f"timeout must be a positive number of seconds (or None for no limit), got {timeout!r}")
    if not 0 < timeout <= MAX_TIMEOUT:  # nan fails both comparisons
        raise ValueError(f"timeout must be a positive number of seconds, at most {MAX_TIMEOUT:g} "
                         f"({MAX_TIMEOUT / 86400:.1f} days; None for no limit), got {timeout!r}")


def too_slow(root: Value, timeout: float) -> str:
    """The first sentence of a timeout's message: the graph's size and the time it was given."""
    order = _graph.nodes(root)
    edges = sum(len(v.parents) for v in order)
    seconds = f"{timeout:g} second" + ("" if timeout == 1 else "s")
    return (f"Graphviz's dot did not finish laying out this graph ({len(order)} nodes, {edges} edges) in {seconds}, "
            f"and was stopped.")


def timeout_error(root: Value, timeout: float, source: Path | None = None) -> TimeoutError:
    """The error for a drawing Graphviz did not finish in time: the graph's size, and what to do instead."""
    more = f"{more_time(timeout):g}"
    saved = f" The DOT source is in {source}." if source else ""
    return TimeoutError(f"{too_slow(root, timeout)} Draw a smaller part (pass an intermediate Value as the root), "
                        f"allow more time (timeout={more}), or read the graph as text, which needs no Graphviz: "
                        f"print(viz.text(root)).{saved}")


def more_time(timeout: float) -> float:
    """The timeout to suggest after one ran out: four times as long, at least a minute, at most MAX_TIMEOUT."""
    return min(max(4 * timeout, 60), MAX_TIMEOUT)


def _format(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"cannot tell the format of {str(path)!r}: end the file name with "
                         f"{', '.join('.' + f for f in FORMATS)}")
    return fmt
