"""Drawings to files (SVG, PNG, PDF, with the .dot source beside them) and inline in Jupyter."""

from __future__ import annotations

import os
from pathlib import Path

import graphviz

from autograd import Value
from autograd.files import write_atomic  # the one atomic writer, shared with nn

from .dot import draw

FORMATS = ("svg", "png", "pdf", "dot")
INSTALL_DOT = ("Graphviz's 'dot' program is needed to draw, and it is not on your PATH. Install it with one of:\n"
               "    sudo apt-get install graphviz        (Debian, Ubuntu)\n"
               "    brew install graphviz                (macOS)\n"
               "    conda install -c conda-forge graphviz\n"
               "then run this again.")


def render(root: Value, path: str | os.PathLike, **draw_options) -> Path:
    """Draw root to path, as SVG, PNG or PDF by its extension (.dot writes only the source); returns the path.

    The DOT source is always written beside it, at source_path(path) (course.svg -> course.dot), before `dot` runs:
    if Graphviz is missing, RuntimeError says how to install it and the .dot file is still there to render later.
    The file written is path as spelled (graph.DOT stays graph.DOT); the extension is read in any case.
    """
    path = Path(path)
    fmt = _format(path)
    digraph = draw(root, **draw_options)
    if fmt == "png":
        digraph.attr(dpi="144")  # pixels: sharper than Graphviz's 96 per inch
    write_atomic(source_path(path), digraph.source.encode("utf-8"))
    if fmt != "dot":
        write_atomic(path, pipe(digraph, fmt))
    return path


def source_path(path: str | os.PathLike) -> Path:
    """Where render(root, path) writes the DOT source: path itself for a .dot file (any case), else path.dot."""
    path = Path(path)
    return path if path.suffix.lower() == ".dot" else path.with_suffix(".dot")


def show(root: Value, **draw_options) -> None:
    """Display the drawing: inline as SVG in a Jupyter notebook, else print the text view (viz.text)."""
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
    print(text(root, show=draw_options.get("show", "auto"), max_nodes=draw_options.get("max_nodes", 500)))


def pipe(digraph: graphviz.Digraph, fmt: str) -> bytes:
    """The drawing rendered by Graphviz's dot program in format fmt ("svg", "png", "pdf")."""
    try:
        return digraph.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise RuntimeError(INSTALL_DOT) from None


def _format(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"cannot tell the format of {str(path)!r}: end the file name with "
                         f"{', '.join('.' + f for f in FORMATS)}")
    return fmt
