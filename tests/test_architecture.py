"""The package's shape: layers with arrows one way, no cycles, small modules and classes."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "capacity_model"
MOST_MODULE_LINES = 400
MOST_CLASS_LINES = 250


def test_import_contracts_are_kept():
    """Layers import only those below them, no cycles, measures import nothing else (pyproject.toml)."""
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if command is None:
        pytest.fail("lint-imports is missing: install the test extras (pip install '.[test]')")
    done = subprocess.run([command, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "broken" in done.stdout and " 0 broken" in done.stdout


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_and_classes_stay_small(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MOST_MODULE_LINES, f"{path.name} is over {MOST_MODULE_LINES} lines: split it"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef):
            length = node.end_lineno - node.lineno + 1
            assert length <= MOST_CLASS_LINES, f"class {node.name} in {path.name} is {length} lines"


def test_the_command_line_starts_without_importing_the_heavy_libraries():
    """`capacity-model --version` stays quick: pandas, numpy's simulation stack, matplotlib and SimPy
    are imported only when a command needs them (issue 12's start-up)."""
    import subprocess
    import sys
    code = ("import sys, capacity_model.interface.cli; "
            "print(sorted(m for m in ('pandas', 'matplotlib', 'simpy', 'scipy', 'distributed', 'streamlit') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
