"""Every Python block of the README runs, in order and in one namespace as a reader would paste them, and prints
what its comments say (`print(...)  # 33.0 3.0 6.0 9.0`).

Training blocks run 3 iterations instead of thousands: their full runs are the demos, tested in test_nn_cat.py and
test_nn_course_nets.py.
"""

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.S | re.M)
# A comment that is the printed output: it starts as numbers or tuples do.
PRINTED = re.compile(r"^print\(.*\)\s+# ([-(\d].*)$")


def test_the_readme_has_python_blocks():
    assert len(BLOCKS) >= 5 and any("create_graph=True" in block for block in BLOCKS)


def test_every_python_block_runs_and_prints_what_it_says(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the viz block writes course.svg and course.html
    namespace: dict = {}
    for i, block in enumerate(BLOCKS):
        code = re.sub(r"\biterations=\d+", "iterations=3", block)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(code, f"README.md python block {i + 1}", "exec"), namespace)
        for line in block.splitlines():
            match = PRINTED.match(line.strip())
            if match:
                assert match.group(1).strip() in printed.getvalue(), (i + 1, line, printed.getvalue())
    namespace["test_my_engine_change"]()  # the README's own hypothesis property, run


@pytest.mark.parametrize("line, expected", [("print(J.data)   # 33.0", "33.0"), ("print(x)  # (4, 2)", "(4, 2)"),
                                            ("print(viz.text(J))  # a tree", None)])
def test_which_comments_are_checked_as_output(line, expected):
    match = PRINTED.match(line)
    assert (match.group(1) if match else None) == expected
