"""Where the demos put their pictures, and matplotlib when it is installed."""

from __future__ import annotations

from pathlib import Path


def out_path(name: str, out_dir: str = "out") -> Path:
    """out/<name>, creating out/ in the current directory if needed."""
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    return directory / name


def figure(**kwargs):
    """A matplotlib Figure, or None with a note when matplotlib is missing (the demo goes on without pictures)."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        print("(no picture: matplotlib is not installed; pip install 'chainrule[plot]')")
        return None
    return Figure(layout="constrained", **kwargs)
