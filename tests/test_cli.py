"""The `chainrule` command end to end in a subprocess, and its little language read in-process."""

import math
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from viz._program import MAX_CHARS, MAX_DEPTH, ProgramError, build

REPO = Path(__file__).resolve().parents[1]
COURSE = "u = b*c; v = a + u; J = 3*v"


def chainrule(*args, cwd, env=None):
    """Run `python -m viz.cli ARGS` in cwd; returns the CompletedProcess."""
    env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-m", "viz.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_course_example_prints_the_table_and_writes_the_drawing_and_the_walkthrough(tmp_path):
    done = chainrule("graph", COURSE, "--set", "a=5", "b=3", "c=2", "-o", "course.svg", "--html", "course.html",
                     cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()]
    assert ["a", "(leaf)", "5", "dJ/da", "=", "3"] in rows
    assert ["b", "(leaf)", "3", "dJ/db", "=", "6"] in rows
    assert ["c", "(leaf)", "2", "dJ/dc", "=", "9"] in rows
    assert ["J", "3*v", "33", "dJ/dJ", "=", "1"] in rows
    texts = {t.text for t in ET.parse(tmp_path / "course.svg").iter("{http://www.w3.org/2000/svg}text")}
    assert {"J = 3*v", "= 33", "dJ/db = 6", "∂u/∂b = c = 2"} <= texts
    assert (tmp_path / "course.dot").exists()
    assert "Next" in (tmp_path / "course.html").read_text(encoding="utf-8")


def test_options_reach_the_drawing(tmp_path):
    done = chainrule("graph", "y = x**2", "--set", "x=3", "-o", "y.dot", "--show", "backward", "--rankdir", "TB",
                     "--no-edge-labels", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    source = (tmp_path / "y.dot").read_text(encoding="utf-8")
    assert "rankdir=TB" in source and "dy/dx = 6" in source and "color=blue" not in source
    assert "dy/dx = 2*x" not in source  # no edge labels


def test_the_installed_chainrule_script_runs(tmp_path):
    script = shutil.which("chainrule", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the package is not installed in this environment (pip install -e .)")
    done = subprocess.run([script, "graph", "y = 2*x", "--set", "x=1"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "dy/dx = 2" in done.stdout


@pytest.mark.parametrize("args", [["--help"], ["graph", "--help"]])
def test_help_explains_usage_with_the_course_example(args, tmp_path):
    done = chainrule(*args, cwd=tmp_path)
    assert done.returncode == 0
    assert 'chainrule graph "u = b*c; v = a + u; J = 3*v" --set a=5 b=3 c=2 -o course.svg' in done.stdout


def test_no_command_prints_help_and_fails(tmp_path):
    done = chainrule(cwd=tmp_path)
    assert done.returncode == 2 and "graph" in done.stdout


REFUSED = [
    ("u = b.c; J = 3*u", "attribute access", "u = b.c", "^^^"),
    ("import os", "imports", "import os", "^^^^^^^^^"),
    ("J = a[0]", "subscripts", "J = a[0]", "^^^^"),
    ("J = (lambda: a)()", "lambdas", "J = (lambda: a)()", "^^^^^^^^^"),
    ("J = 'x' * a", "strings", "J = 'x' * a", "^^^"),
    ("J = a + zz", "unknown name 'zz'", "J = a + zz", "^^"),
    ("J = __import__('os').system('true')", "attribute access", "", "^"),
    ("J = open('f')", "calling open", "J = open('f')", "^^^^"),
    ("J = exp", "exp is a function", "J = exp", "^^^"),
    ("J = a // 2", "operator //", "J = a // 2", "^^^^^^"),
    ("J = a if b else c", "if-expressions", "", "^"),
    ("J = exp(a, b)", "exactly one argument", "", "^"),
    ("J = a == b", "comparisons", "", "^"),
    ("J = f'{a}'", "strings", "", "^"),
    ("J = True * a", "True and False", "", "^"),
    ("J = 1j * a", "complex numbers", "", "^"),
    ("J = a +", "not a valid statement", "J = a +", "^"),
    ("J = 2 * 3", "must depend on an input", "", ""),
    ("J = a", "only renames", "", ""),
    ("a = b * c", "already defined", "a = b * c", "^"),
    ("J = " + "a + " * 600 + "a", "characters long", "", ""),
    ("J = " + "-" * 100 + "a", f"more than {MAX_DEPTH} levels", "", "^"),
    ("J = " + "exp(" * 60 + "a" + ")" * 60, f"more than {MAX_DEPTH} levels", "", "^"),
    ("J = " + "(" * 300 + "a" + ")" * 300, "nested", "", ""),
]


@pytest.mark.parametrize("program, message, line, caret", REFUSED)
def test_anything_outside_the_whitelist_is_refused_with_a_pointer(program, message, line, caret, tmp_path):
    done = chainrule("graph", program, "--set", "a=5", "b=3", "c=2", "-o", "out.svg", cwd=tmp_path)
    assert done.returncode == 2
    assert "refused:" in done.stderr and message in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert line in done.stderr and caret in done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize("args, message", [
    (["--set", "a"], "NAME=VALUE"), (["--set", "a=five"], "not a number"), (["--set", "a=1", "a=2"], "twice"),
    (["--set", "exp=1"], "is a function"), (["--set", "if=1"], "NAME=VALUE"),
    (["--set", "a=1", "-o", "out.jpg"], "end the file name with"), (["--set", "a=1", "--html", "out.svg"], ".html")])
def test_bad_arguments_are_refused_before_any_work(args, message, tmp_path):
    done = chainrule("graph", "J = 2*a", *args, cwd=tmp_path)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_input_never_used_is_noted(tmp_path):
    done = chainrule("graph", "J = 2*a", "--set", "a=1", "zz=3", cwd=tmp_path)
    assert done.returncode == 0 and "not used: zz" in done.stderr


def test_without_dot_the_command_says_how_to_install_it(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    done = chainrule("graph", COURSE, "--set", "a=5", "b=3", "c=2", "-o", "course.svg", cwd=tmp_path,
                     env={"PATH": str(empty)})
    assert done.returncode == 1 and "apt-get install graphviz" in done.stderr and "brew install" in done.stderr
    assert "dJ/db = 6" in done.stdout and (tmp_path / "course.dot").exists()


def test_build_labels_each_result_and_folds_constants():
    J = build("u = b*c; v = a + u; J = 3*v", {"a": 5, "b": 3, "c": 2})
    assert (J.label, J.op, J.const, J.data) == ("J", "r*", 3.0, 33.0)
    v = J.parents[0]
    assert (v.label, v.op, [p.label for p in v.parents]) == ("v", "+", ["a", "u"])


def test_build_allows_every_whitelisted_piece():
    y = build("k = 2**3; z = -x / k - 1; y = exp(z) + log(x) + tanh(z) + sigmoid(z) + relu(z) + sqrt(x) + abs(z)",
              {"x": 4.0})
    z = -4.0 / 8 - 1
    expected = (math.exp(z) + math.log(4) + math.tanh(z) + 1 / (1 + math.exp(-z)) + 0 + 2 + abs(z))
    assert y.data == pytest.approx(expected)
    y.backward()


def test_constant_arithmetic_follows_ieee_instead_of_raising():
    J = build("J = a * (1/0) + a * 9.0**9**9 + a * 10**400", {"a": 1.0})
    assert J.data == math.inf


def test_a_bare_expression_may_end_the_program():
    J = build("u = a*b; u + 1", {"a": 2.0, "b": 3.0})
    assert J.data == 7.0 and J.label == ""


def test_the_length_limit_is_checked_before_parsing():
    with pytest.raises(ProgramError, match="characters long"):
        build("x" * (MAX_CHARS + 1), {})


def test_a_null_character_is_refused():
    with pytest.raises(ProgramError, match="null"):
        build("J = a\x00", {"a": 1.0})


@pytest.mark.parametrize("name, printed", [
    ("graph.DOT", "wrote graph.DOT\n"), ("COURSE.SVG", "wrote COURSE.SVG and COURSE.dot\n")])
def test_the_paths_printed_are_the_files_written(tmp_path, name, printed):
    done = chainrule("graph", COURSE, "--set", "a=5", "b=3", "c=2", "-o", name, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(printed)
    written = printed.removeprefix("wrote ").strip().split(" and ")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(written)


def long_program():
    """A valid program under MAX_CHARS whose graph has 873 nodes: 29 statements of 15 products each."""
    statements = ["x0=a*b"] + [f"x{i}=x{i - 1}" + "+a*b" * 15 for i in range(1, 30)]
    program = ";".join(statements)
    assert len(program) <= MAX_CHARS
    return program


def hanging_program():
    """100 statements, each using the same two inputs: Graphviz's layout of it runs for minutes."""
    return ";".join(["y1=a*b"] + [f"y{i}=a*b+y{i - 1}*a-b" for i in range(2, 101)])


def test_a_graph_over_max_nodes_is_refused_with_exit_2_and_no_traceback(tmp_path):
    done = chainrule("graph", long_program(), "--set", "a=1", "b=2", "-o", "big.svg", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert "refused:" in done.stderr and "873 nodes" in done.stderr and "--max-nodes 873" in done.stderr
    assert "max_nodes" not in done.stderr  # the Python option, which the command does not take
    assert list(tmp_path.iterdir()) == []


def test_max_nodes_raises_the_limit(tmp_path):
    done = chainrule("graph", long_program(), "--set", "a=1", "b=2", "--max-nodes", "900", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 874  # a header and a row per node


def test_a_layout_that_runs_past_the_timeout_is_stopped_with_a_clear_message(tmp_path):
    done = chainrule("graph", hanging_program(), "--set", "a=1", "b=2", "-o", "slow.svg", "--timeout", "1",
                     cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "dy100/da" in done.stdout  # the table came first: the text view needs no Graphviz
    message = done.stderr
    assert "399 nodes, 794 edges" in message and "1 second" in message
    assert "--timeout" in message and "smaller" in message and "table" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slow.dot"]  # the source, to render later; no image


def test_the_timeout_also_bounds_the_walkthrough(tmp_path):
    done = chainrule("graph", COURSE, "--set", "a=5", "b=3", "c=2", "--html", "course.html", "--timeout", "1e-6",
                     cwd=tmp_path)
    assert done.returncode == 1 and "6 nodes, 5 edges" in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option, value", [("--timeout", "0"), ("--timeout", "-1"), ("--timeout", "nan"),
                                           ("--timeout", "inf"), ("--timeout", "soon"), ("--timeout", "1e10"),
                                           ("--timeout", "1000001"), ("--max-nodes", "0"),
                                           ("--max-nodes", "2.5"), ("--max-nodes", "many")])
def test_bad_limits_are_refused_before_any_work(option, value, tmp_path):
    done = chainrule("graph", COURSE, "--set", "a=5", "b=3", "c=2", "-o", "course.svg", option, value, cwd=tmp_path)
    assert done.returncode == 2 and option in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == "" and list(tmp_path.iterdir()) == []


def test_the_longest_timeout_is_accepted_and_a_longer_one_refused_naming_the_maximum(tmp_path):
    done = chainrule("graph", COURSE, "--set", "a=5", "b=3", "c=2", "-o", "course.svg", "--timeout", "1e6",
                     cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    done = chainrule("graph", COURSE, "--set", "a=5", "b=3", "c=2", "--timeout", "1e10", cwd=tmp_path)
    assert done.returncode == 2 and "at most 1e+06 seconds" in done.stderr


@pytest.mark.parametrize("option, name, kind", [("-o", "pipe.svg", "a FIFO"), ("--html", "pipe.html", "a FIFO"),
                                                ("-o", "null.svg", "a character device")])
def test_an_output_that_is_a_fifo_or_a_device_is_refused_in_one_line(tmp_path, option, name, kind):
    if name.startswith("pipe"):
        os.mkfifo(tmp_path / name)
    else:
        (tmp_path / name).symlink_to("/dev/null")
    done = chainrule("graph", COURSE, "--set", "a=5", "b=3", "c=2", option, name, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.startswith("chainrule graph: cannot write") and kind in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_an_output_made_a_fifo_after_the_check_is_still_reported_in_one_line(tmp_path, monkeypatch, capsys):
    from viz import cli

    os.mkfifo(tmp_path / "pipe.svg")
    monkeypatch.setattr(cli, "check_writable", lambda path: None)  # as if the FIFO came after the command's check
    status = cli.main(["graph", COURSE, "--set", "a=5", "b=3", "c=2", "-o", str(tmp_path / "pipe.svg")])
    err = capsys.readouterr().err
    assert status == 1 and err.startswith("chainrule graph: cannot write") and "FIFO" in err
    assert os.listdir(tmp_path) == ["pipe.svg"]


@pytest.mark.parametrize("blocker", ["d3.html", "ok.dot", "ok.svg"])
def test_every_output_is_checked_before_any_is_written(tmp_path, blocker):
    if blocker == "ok.svg":
        (tmp_path / blocker).symlink_to("missing/ok.svg")  # a link into a folder that does not exist
    else:
        (tmp_path / blocker).mkdir()
    done = chainrule("graph", COURSE, "--set", "a=5", "b=3", "c=2", "-o", "ok.svg", "--html", "d3.html",
                     cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.startswith("chainrule graph: cannot write") and len(done.stderr.splitlines()) == 1
    assert os.listdir(tmp_path) == [blocker]  # no ok.svg, no ok.dot: nothing written


def test_set_names_are_normalised_as_python_normalises_the_programs_names(tmp_path):
    done = chainrule("graph", "J = ﬁ*2", "--set", "ﬁ=3", cwd=tmp_path)  # the ligature ﬁ is the name fi (NFKC)
    assert done.returncode == 0, done.stderr
    assert "dJ/dfi = 2" in done.stdout and "not used" not in done.stderr
    done = chainrule("graph", "J = fi*2", "--set", "ﬁ=3", "fi=4", cwd=tmp_path)
    assert done.returncode == 2 and "--set fi is given twice" in done.stderr


@pytest.mark.parametrize("program, message", [("J = 1if a else 2", "if-expressions"),
                                              ("J = a + 0x1for", "not a valid statement"),
                                              ("J = '\\d' * a", "strings")])
@pytest.mark.parametrize("warnings", ["", "always", "error"])
def test_the_parsers_warnings_never_leak_to_stderr(program, message, warnings, tmp_path):
    done = chainrule("graph", program, "--set", "a=1", cwd=tmp_path, env={"PYTHONWARNINGS": warnings})
    assert done.returncode == 2 and message in done.stderr
    assert "Warning" not in done.stderr and "<unknown>" not in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.startswith("chainrule graph: refused:")


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85"])
def test_an_error_quotes_the_line_python_numbers_when_a_comment_holds_a_line_separator(char):
    # str.splitlines() breaks at char too; Python numbers lines at \n, \r\n and \r only
    with pytest.raises(ProgramError) as error:
        build(f"x = a*2 # {char} z\nJ = x // 2", {"a": 2.0})
    assert str(error.value).endswith("\n    J = x // 2\n        ^^^^^^")
    for newline in ("\n", "\r\n", "\r"):  # a syntax error's line, after each of Python's line ends
        with pytest.raises(ProgramError) as error:
            build(f"x = a*2 # {char} z{newline}J = a +", {"a": 2.0})
        assert str(error.value).endswith("\n    J = a +\n           ^")


def test_a_syntax_error_gives_pythons_warning_as_the_reason_when_it_has_one():
    with pytest.raises(ProgramError, match="invalid hexadecimal literal"):
        build("J = a + 0x1for", {"a": 1.0})


@pytest.mark.parametrize("terms", [41, 500])
def test_a_flat_sum_of_many_terms_is_not_nesting(terms):
    J = build("J = " + "+".join(["a"] * terms), {"a": 1.0})
    assert J.data == terms
    J = build("J = " + " - ".join(["a*b"] * (terms // 5)) + "/b**b**b", {"a": 2.0, "b": 1.0})
    assert J.data == pytest.approx(2.0 * (2 - terms // 5))


@pytest.mark.parametrize("program", [
    "J = " + "a - (" * 41 + "a" + ")" * 41,  # written nesting, on the side the chain does not continue
    "J = " + "(a + " * 20 + "a" + ") * a" * 20,  # alternating + and * with parentheses: 40 levels and more
    "J = " + "(" * 41 + "a" + "**a)" * 41,  # (a**a)**a: the other side of a right-leaning chain
])
def test_real_nesting_beyond_the_limit_is_still_refused(program):
    with pytest.raises(ProgramError, match=f"more than {MAX_DEPTH} levels"):
        build(program, {"a": 1.0})


def test_the_flat_sum_works_from_the_command_line(tmp_path):
    done = chainrule("graph", "J = " + "+".join(["a"] * 41), "--set", "a=1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "dJ/da = 41" in done.stdout


def test_version_comes_from_the_package_metadata(tmp_path):
    from importlib.metadata import version
    done = chainrule("--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == f"chainrule {version('chainrule')}\n"


def test_version_without_package_metadata_says_so(monkeypatch, capsys):
    import importlib.metadata
    from viz import cli

    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    with pytest.raises(SystemExit) as exit:
        cli.main(["--version"])
    assert exit.value.code == 0 and capsys.readouterr().out == "chainrule (version unknown: not installed)\n"


@pytest.mark.parametrize("program, written", [
    ("J = 3(a + b*c)", "3*(a + b*c)"), ("J = a(b + c)", "a*(b + c)"), ("J = (a + b)(b + c)", "(a + b)*(b + c)"),
    ("J = 2.5 (a)", "2.5*(a)")])
def test_a_number_or_value_before_parentheses_says_to_write_the_multiplication(program, written, tmp_path):
    done = chainrule("graph", program, "--set", "a=5", "b=3", "c=2", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "Warning" not in done.stderr
    assert f"multiplication must be written with *: {written}" in done.stderr
    assert "the only calls are to" not in done.stderr
