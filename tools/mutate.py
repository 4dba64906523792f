"""`make mutate`: mutation testing of the engine's calculus and backward loop, _floatmath, the losses, viz's notation.

mutmut changes the code one small step at a time (a mutant: `<` for `<=`, a constant off by one, a call's argument
dropped) and runs the tests on each. A mutant that no test notices is a slip that could ship with a green CI.
mutmut tests a whole project with one set of tests; this script runs it once per set, in build/mutate/<name>/, so
each file below is tested only by the tests that pin its rules, as CI runs them (CI=true: Hypothesis's ci profile).
It prints the score per file and every survivor that tools/equivalent_mutants.txt does not excuse, and exits 1 if
there is one. This module is also the pytest plugin that runs the tests mutmut picks in the suite's own order.

    python tools/mutate.py [FILE ...]     # the files of TARGETS named, or all of them
"""

from __future__ import annotations

import configparser
import fnmatch
import glob
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutate"
EQUIVALENTS = ROOT / "tools" / "equivalent_mutants.txt"

ENGINE_TESTS = ("tests/test_autograd_*.py",)

# Each file, and the tests that pin its rules: a mutant runs those of them that reach its function (mutmut's choice).
TARGETS = [
    ("autograd/ops.py", ENGINE_TESTS),
    ("autograd/_floatmath.py", ENGINE_TESTS),
    ("autograd/backward.py", ENGINE_TESTS),
    ("autograd/broadcast.py", ENGINE_TESTS),
    ("nn/losses.py", ("tests/test_nn_losses*.py",)),
    ("viz/_notation.py", ("tests/test_viz_*.py",)),
]

KILLED = {"killed", "timeout", "segfault", "caught by type check"}  # segfault: killed by a signal (mutmut's CPU limit)


def main(argv: list[str]) -> int:
    """Run every group of targets that share their tests, then print the table and the survivors."""
    unknown = [f for f in argv if f not in dict(TARGETS)]
    if unknown:
        sys.exit(f"mutate: not in TARGETS of tools/mutate.py: {', '.join(unknown)}")
    targets = [(path, tests) for path, tests in TARGETS if path in argv or not argv]
    equivalents = read_equivalents(EQUIVALENTS)
    groups: dict[tuple[str, ...], list[str]] = {}
    for path, tests in targets:
        groups.setdefault(tuple(tests), []).append(path)
    start, rows, survivors, used = time.monotonic(), [], [], set()
    for tests, paths in groups.items():
        results, diffs = run_group(paths, tests)
        for path in paths:
            mine = {name: status for name, status in results.items() if name.startswith(module_of(path) + ".x")}
            row, left = score(path, mine, diffs, equivalents, used)
            rows.append(row)
            survivors += left
    print_report(rows, survivors, time.monotonic() - start)
    stale = [key for key in equivalents if key not in used and key[0] in dict(targets)]
    for path, function, change in stale:
        print(f"stale entry in {EQUIVALENTS.relative_to(ROOT)} (no such mutant now): {path} {function}: "
              + " / ".join(change))
    return 1 if survivors else 0


def run_group(paths: list[str], tests: tuple[str, ...]) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """mutmut in a fresh build/mutate/<name>/ over these files with only these tests: each mutant's status, and the
    changed lines of each one not killed."""
    name = Path(paths[0]).stem.strip("_")
    work = WORK / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    options = configparser.ConfigParser(interpolation=None)
    options.read(ROOT / "setup.cfg")
    packages = re.split(r"[,\s]+", options["options"]["packages"].strip())
    others = sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in packages)  # demos
    for entry in packages + others + ["tests"]:
        (work / entry).symlink_to(ROOT / entry, target_is_directory=True)
    test_files = sorted({f for pattern in tests for f in glob.glob(pattern, root_dir=ROOT)})
    if not test_files:
        sys.exit(f"mutate: no test file matches {' '.join(tests)}")
    config = configparser.ConfigParser(interpolation=None)
    if options.has_section("tool:pytest"):
        config["tool:pytest"] = dict(options["tool:pytest"])
    config["mutmut"] = {
        "source_paths": lines(packages),
        "only_mutate": lines(paths),
        "also_copy": lines(others),  # importable by the tests too, as from the repository's root
        "pytest_add_cli_args_test_selection": lines(test_files),
        "pytest_add_cli_args": lines(["-p", "mutate"]),  # this file, found through PYTHONPATH below
        "use_git_change_detection": "false",
        # each run of the tests in a fresh process: a test that leaves global state behind (a held lock, a
        # switched mode) cannot then fail or hang the tests of the next mutant
        "process_isolation": "forkserver",
    }
    with open(work / "setup.cfg", "w") as f:
        config.write(f)
    patterns = [module_of(path) + ".*" for path in paths]
    files = ", ".join(paths)
    print(f"{files}: mutmut with {' '.join(tests)} ({len(test_files)} files); its log: "
          f"{work.relative_to(ROOT)}/mutmut.log", flush=True)
    began = time.monotonic()
    env = {**os.environ, "CI": "true", "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "tools"),
                                                                                  os.environ.get("PYTHONPATH")]))}
    with open(work / "mutmut.log", "w") as log:
        done = subprocess.run([mutmut(), "run", *patterns], cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    if done.returncode:
        print((work / "mutmut.log").read_text()[-3000:])
        sys.exit(f"mutate: mutmut failed (exit {done.returncode}) for {files}")
    listed = subprocess.run([mutmut(), "results", "--all", "true"], cwd=work, env=env, capture_output=True, text=True)
    results, diffs = {}, {}
    for line in listed.stdout.splitlines():
        found = re.fullmatch(r"\s*(\S+): (.+)", line)
        if found and any(fnmatch.fnmatchcase(found[1], p) for p in patterns):
            results[found[1]] = found[2]
    for mutant, status in results.items():
        if status not in KILLED:
            shown = subprocess.run([mutmut(), "show", mutant], cwd=work, env=env, capture_output=True, text=True)
            diffs[mutant] = changed_lines(shown.stdout)
    print(f"    {len(results)} mutants in {time.monotonic() - began:.0f} s", flush=True)
    return results, diffs


def mutmut() -> str:
    """The mutmut command beside this Python (the project's venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "mutmut"
    found = str(beside) if beside.exists() else shutil.which("mutmut")
    if not found:
        sys.exit("mutate: mutmut is not installed: pip install -e '.[mutate]' (make mutate does it)")
    return found


def lines(items) -> str:
    """A list as setup.cfg writes one: a value on each line."""
    return "\n" + "\n".join(items)


def module_of(path: str) -> str:
    """"autograd/ops.py" -> "autograd.ops", the start of the names of its mutants."""
    return path.removesuffix(".py").replace("/", ".")


def mutant_function(mutant: str) -> str:
    """'autograd.value.xǁValueǁbackward__mutmut_3' -> 'Value.backward'; 'autograd.ops.x_relu__mutmut_2' -> 'relu'."""
    mangled = mutant.rsplit(".x", 1)[1].rsplit("__mutmut_", 1)[0]
    return mangled[1:] if mangled.startswith("_") else mangled.strip("ǁ").replace("ǁ", ".")


def changed_lines(diff: str) -> tuple[str, ...]:
    """The - and + lines of `mutmut show`'s diff, their indentation dropped."""
    body = diff.splitlines()[3:]  # "# name: status", "--- path", "+++ path"
    return tuple(line[0] + line[1:].strip() for line in body if line[:1] in "-+")


def read_equivalents(path: Path) -> dict[tuple, str]:
    """(file, function, changed lines) -> why, from the equivalent mutants file (format in its header)."""
    entries: dict[tuple, str] = {}
    if not path.exists():
        return entries
    for block in re.split(r"\n\s*\n", path.read_text()):
        rows = [row for row in block.strip().splitlines() if not row.startswith("#")]
        if not rows:
            continue
        head, rest = rows[0].split(), rows[1:]
        change = tuple(row[0] + row[1:].strip() for row in rest if row[:1] in "-+")
        why = " ".join(row.removeprefix("why:").strip() for row in rest if row[:1] not in "-+")
        if len(head) != 2 or not change or not why:
            sys.exit(f"mutate: {path.relative_to(ROOT)}: an entry needs 'FILE FUNCTION', its - and + lines, and "
                     f"'why: ...'; got:\n{block.strip()}")
        entries[(head[0], head[1], change)] = why
    return entries


def score(path: str, results: dict, diffs: dict, equivalents: dict, used: set) -> tuple[tuple, list]:
    """The file's row of the table, and its survivors that no entry in the equivalents file excuses."""
    killed = sum(status in KILLED for status in results.values())
    equivalent, left = 0, []
    for mutant, status in sorted(results.items(), key=lambda item: natural(item[0])):
        if status in KILLED:
            continue
        key = (path, mutant_function(mutant), diffs[mutant])
        if key in equivalents:
            equivalent += 1
            used.add(key)
        else:
            left.append((mutant, status, diffs[mutant]))
    return (path, len(results), equivalent, killed, len(left)), left


def natural(name: str) -> list:
    """A sort key that puts mutant 2 before mutant 10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def print_report(rows: list, survivors: list, seconds: float) -> None:
    """The score per file (killed / non-equivalent mutants), then each survivor with its change."""
    print()
    print(f"{'file':<26}{'mutants':>8}{'equivalent':>11}{'killed':>8}{'survived':>9}{'score':>9}")
    for path, total, equivalent, killed, left in rows + [("total", *map(sum, list(zip(*rows))[1:]))]:
        tested = total - equivalent
        percent = f"{100 * killed / tested:.1f} %" if tested else "-"
        print(f"{path:<26}{total:>8}{equivalent:>11}{killed:>8}{left:>9}{percent:>9}")
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"\n{seconds / 60:.1f} minutes ({(cpu.ru_utime + cpu.ru_stime) / 60:.1f} minutes of CPU)")
    if survivors:
        print(f"\n{len(survivors)} mutants survived: kill each with a test, or record it in "
              f"{EQUIVALENTS.relative_to(ROOT)} if no test can tell it from the code")
    for mutant, status, change in survivors:
        print(f"\n{mutant} ({status})")
        print("\n".join("    " + row for row in change))


def pytest_collection_modifyitems(items: list) -> None:
    """The tests of a mutant in the order CI runs them (file, then line), not in the order of mutmut's set: a test
    that leaves something behind then affects the same tests as in CI."""
    items.sort(key=lambda item: (str(item.path), item.location[1] or 0))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
