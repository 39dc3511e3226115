"""The dependency rule (docs/architecture.md): import-linter's contracts hold, they fail on a
violation, no module imports another in a circle, and no runtime module reads tests/."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.settings import REPO

LINT = REPO / ".venv-lint" / "bin"
ROOMS = ("bot", "rasa_plugins", "actions", "back_office", "kiosk_ui", "tools")
RUNTIME = ("bot", "rasa_plugins", "actions", "back_office", "kiosk_ui")

# Strongly connected components of the import graph (grimp counts imports inside functions too).
CYCLES = """
import sys, grimp
graph = grimp.build_graph(*sys.argv[1:])
index, low, stack, on, cycles = {}, {}, [], set(), []
def visit(v):
    index[v] = low[v] = len(index); stack.append(v); on.add(v)
    for w in graph.find_modules_directly_imported_by(v):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        part = []
        while True:
            w = stack.pop(); on.discard(w); part.append(w)
            if w == v: break
        if len(part) > 1: cycles.append(sorted(part))
sys.setrecursionlimit(10000)
for m in sorted(graph.modules):
    if m not in index: visit(m)
print("\\n".join(" ".join(c) for c in cycles))
"""


@pytest.fixture(scope="module")
def linter() -> Path:
    if not (LINT / "lint-imports").exists():
        pytest.fail("import-linter is not installed: run `make lint-imports` (make test does)")
    return LINT


def _copy(tmp_path: Path) -> Path:
    for room in ROOMS:
        shutil.copytree(REPO / room, tmp_path / room, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(linter: Path, where: Path) -> subprocess.CompletedProcess:
    return subprocess.run([linter / "lint-imports", "--no-cache"], cwd=where, capture_output=True,
                          text=True, timeout=120)


def test_the_contracts_hold(linter):
    run = _lint(linter, REPO)
    assert run.returncode == 0, run.stdout[-3000:]
    assert re.search(r"Contracts: \d+ kept, 0 broken", run.stdout)


@pytest.mark.parametrize("module, line, contract", [
    ("bot/answers.py", "import kiosk_ui.api", "The library imports none of the rooms above it"),
    ("back_office/inbox.py", "from flask import request", "The back office has no Flask"),
    ("actions/routing.py", "import back_office.editing", "Rasa plug-ins and actions import only the library"),
    ("kiosk_ui/api.py", "from tools import cli", "Nothing imports the tools"),
])
def test_a_violation_breaks_the_build(linter, tmp_path, module, line, contract):
    project = _copy(tmp_path)
    path = project / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # injected by the test\n",
                    encoding="utf-8")
    run = _lint(linter, project)
    assert run.returncode != 0
    assert f"{contract} BROKEN" in run.stdout


def test_no_module_imports_another_in_a_circle(linter):
    run = subprocess.run([linter / "python", "-c", CYCLES, *ROOMS], cwd=REPO, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == ""


def test_the_cycle_check_finds_a_circle(linter, tmp_path):
    project = _copy(tmp_path)
    normalize = project / "bot" / "normalize.py"
    normalize.write_text(normalize.read_text(encoding="utf-8") + "\nimport bot.matcher  # injected\n",
                         encoding="utf-8")
    run = subprocess.run([linter / "python", "-c", CYCLES, *ROOMS], cwd=project, capture_output=True,
                         text=True, timeout=120)
    assert "bot.matcher" in run.stdout and "bot.normalize" in run.stdout


def test_no_runtime_module_reads_the_tests():
    readers = [str(p.relative_to(REPO)) for room in RUNTIME for p in (REPO / room).rglob("*.py")
               if re.search(r"""["']tests["'/]|\btests\.[a-z_]""", p.read_text(encoding="utf-8"))]
    assert readers == []
