"""The `chainrule` command: `chainrule graph "u = b*c; v = a + u; J = 3*v" --set a=5 b=3 c=2 -o course.svg`."""

from __future__ import annotations

import argparse
import importlib.metadata
import keyword
import math
import sys
import unicodedata
from pathlib import Path

from ._graph import nodes
from ._program import ALLOWED, FUNCTIONS, ProgramError, build
from ._notation import NOTATIONS
from .dot import RANKDIRS
from .render import FORMATS, MAX_TIMEOUT, TIMEOUT, check_writable, more_time, render, source_path, too_slow
from .text import table
from .walkthrough import walkthrough

MAX_NODES = 500  # as viz.draw's max_nodes

EXAMPLE = """example, the course's graph J = 3(a + bc):
  chainrule graph "u = b*c; v = a + u; J = 3*v" --set a=5 b=3 c=2 -o course.svg --html course.html

prints every node's value and gradient (dJ/da = 3, dJ/db = 6, dJ/dc = 9), writes course.svg (and course.dot
beside it) and course.html, a page that steps through the backward pass."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 done, 1 the drawing failed, 2 bad input)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return _graph(args, parser.prog)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chainrule", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLE,
        description="The chain rule made visible: draw a computation graph, forward in blue, backward in red.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    graph = commands.add_parser(
        "graph", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLE,
        help="compute, differentiate and draw a few statements",
        description="Compute the statements, run backward from the last one, print each node's value and "
                    f"gradient, and draw the graph. Allowed: {ALLOWED}. No other Python is run.")
    graph.add_argument("program", help='statements separated by ";", the last one the result: "u = b*c; J = 3*u"')
    graph.add_argument("--set", metavar="NAME=VALUE", nargs="+", action="extend", default=[],
                       help="the inputs, e.g. --set a=5 b=3 c=2")
    graph.add_argument("-o", "--output", metavar="FILE",
                       help=f"write the drawing here; the format comes from the extension ({', '.join(FORMATS)})")
    graph.add_argument("--html", metavar="FILE", help="write the step-by-step backward walkthrough here (.html)")
    graph.add_argument("--show", choices=("both", "forward", "backward"), default="both",
                       help="what the drawing shows (default: both)")
    graph.add_argument("--rankdir", choices=RANKDIRS, default="LR", help="direction of the drawing (default: LR)")
    graph.add_argument("--no-edge-labels", action="store_true", help="leave local derivatives off the red edges")
    graph.add_argument("--notation", choices=NOTATIONS, default="leibniz",
                       help="how gradients are written: leibniz, dJ/dz (the default), or course, the course's "
                            "shorthand dz; local derivatives are partials, ∂z/∂w, in both")
    graph.add_argument("--max-nodes", metavar="N", type=_positive_int, default=MAX_NODES,
                       help=f"refuse a graph of more nodes than this (default: {MAX_NODES}); a larger drawing "
                            f"cannot be read, and Graphviz may take minutes to lay it out")
    graph.add_argument("--timeout", metavar="SECONDS", type=_seconds, default=TIMEOUT,
                       help=f"stop Graphviz after this many seconds per drawing (default: {TIMEOUT:g}, at most "
                            f"{MAX_TIMEOUT:g})")
    return parser


def _version() -> str:
    """The installed package's version, from its metadata; run from a source tree, it says it does not know."""
    try:
        return importlib.metadata.version("chainrule")
    except importlib.metadata.PackageNotFoundError:
        return "(version unknown: not installed)"


def _graph(args: argparse.Namespace, prog: str) -> int:
    """chainrule graph: check everything, build and differentiate, print the table, write the files."""
    try:
        _check_output(args.output, FORMATS, "-o")
        _check_output(args.html, ("html", "htm"), "--html")
        _check_writable(args.output, args.html)
        inputs = _inputs(args.set)
        root = build(args.program, inputs)
        order = _size(root, args.max_nodes)
    except ProgramError as e:
        print(f"{prog} graph: refused: {e}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as e:  # OSError: an output that cannot be written, a directory or a missing folder
        print(f"{prog} graph: {e}", file=sys.stderr)
        return 2
    unused = set(inputs) - {v.label for v in order}
    if unused:
        print(f"{prog} graph: note: not used: {', '.join(sorted(unused))}", file=sys.stderr)
    root.backward()
    print(table(root, show="both", max_nodes=args.max_nodes, notation=args.notation))
    limits = {"max_nodes": args.max_nodes, "timeout": args.timeout, "notation": args.notation}
    option = None  # the option whose drawing is being made, for a timeout's message
    try:
        if args.output:
            option = "-o"
            path = render(root, args.output, show=args.show, rankdir=args.rankdir,
                          edge_labels=not args.no_edge_labels, **limits)
            source = source_path(path)
            print(f"wrote {path}" + (f" and {source}" if source != path else ""))
        if args.html:
            option = "--html"
            print(f"wrote {walkthrough(root, args.html, rankdir=args.rankdir, **limits)}")
    except TimeoutError:
        saved = f" ({source_path(args.output)} has the DOT source)" if option == "-o" else ""
        print(f"{prog} graph: {too_slow(root, args.timeout)} Compute less in one program to draw a smaller graph, "
              f"allow more time with --timeout {more_time(args.timeout):g}, or leave out {option}: the table "
              f"above is the text view{saved}.", file=sys.stderr)
        return 1
    except (RuntimeError, OSError, ValueError) as e:  # ValueError: an output made a FIFO or device since the check
        print(f"{prog} graph: {e}", file=sys.stderr)
        return 1
    return 0


def _size(root, max_nodes: int) -> list:
    """The graph's nodes; refused (ProgramError) past max_nodes, in the command's own words."""
    order = nodes(root)
    if len(order) > max_nodes:
        raise ProgramError(f"the graph has {len(order)} nodes, more than --max-nodes {max_nodes}: a drawing that large "
                           f"cannot be read, and Graphviz may take minutes to lay it out. Compute less in one program, "
                           f"or raise the limit with --max-nodes {len(order)}")
    return order


def _positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, like 1000; got {text!r:.40}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seconds(text: str) -> float:
    """An argparse type: a positive number of seconds, at most MAX_TIMEOUT."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, like 60; got {text!r:.40}") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a positive, finite number of seconds, got {text!r:.40}")
    if value > MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_TIMEOUT:g} seconds ({MAX_TIMEOUT / 86400:.1f} days), "
                                         f"got {text!r:.40}")
    return value


def _inputs(pairs: list[str]) -> dict[str, float]:
    """--set a=5 b=3 as {"a": 5.0, "b": 3.0}; a clear ValueError for anything else.

    Names are normalised (NFKC) as Python normalises the identifiers of the program, so --set ﬁ=3 sets fi.
    """
    inputs: dict[str, float] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = unicodedata.normalize("NFKC", name.strip())  # as Python reads the program's names: ﬁ is fi
        if not sep or not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"--set takes NAME=VALUE, like a=5; got {pair!r:.60}")
        if name in FUNCTIONS:
            raise ValueError(f"--set {name}: {name} is a function; choose another name")
        if name in inputs:
            raise ValueError(f"--set {name} is given twice")
        try:
            inputs[name] = float(text)
        except ValueError:
            raise ValueError(f"--set {name}: {text!r:.40} is not a number") from None
    return inputs


def _check_output(path: str | None, formats: tuple[str, ...], option: str) -> None:
    if path is not None and Path(path).suffix.lower().lstrip(".") not in formats:
        raise ValueError(f"{option} {path!r}: end the file name with {', '.join('.' + f for f in formats)}")


def _check_writable(output: str | None, html: str | None) -> None:
    """Every file the command would write (the drawing, its .dot source, the walkthrough) checked before any is
    written: the error write_atomic would raise (a directory, a FIFO, a missing folder), or nothing."""
    paths = [output, source_path(output)] if output else []
    if html:
        paths.append(html)
    for path in paths:
        check_writable(path)


if __name__ == "__main__":
    sys.exit(main())
