"""The compiled engine: the installed package's engine is compiled (setup.py, mypyc), gives the results of its
source digit for digit, and the source it is compiled from type-checks.

The other tests run the source in this folder, as written; these run the package as installed (``pip install
.``), in a fresh interpreter that does not look in this folder (``python -P``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FINGERPRINTS = """
import hashlib, json, sys
from pathlib import Path
from capacity_model import load_scenario, run_replication
root = Path(sys.argv[1])
cases = {
    "baseline": (load_scenario("baseline"), 24),
    "whole plan": (load_scenario(root / "scenarios" / "whole-plan.yaml"), 24),
    "interim team": (load_scenario(root / "scenarios" / "action-10b-interim-team.yaml"), 12),
    "operating model": (load_scenario(root / "scenarios" / "objective-2-operating-model.yaml"), 12),
    "M/M/s": (load_scenario(root / "scenarios" / "verification" / "mms.yaml"), 3),
    "continuous": (load_scenario(root / "tests" / "golden" / "small-continuous.yaml"), 12),
    "hard cap": (load_scenario(root / "tests" / "golden" / "small-hard-cap.yaml"), 12),
}
print(json.dumps({name: hashlib.sha256(repr([run_replication(scenario, 7, r, months) for r in (1, 2)])
                                       .encode()).hexdigest() for name, (scenario, months) in cases.items()}))
"""
"""Each case's results (every KPI, balance row and caseload of two replications), as a hash."""


def run(code: str, installed: bool) -> str:
    """What ``code`` prints, given this folder as its argument, run by the package as installed (from
    elsewhere, with ``-P``) or by the source in this folder (from here)."""
    command = [sys.executable, "-P", "-c", code, str(ROOT)] if installed else [sys.executable, "-c", code, str(ROOT)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600,
                          cwd=Path(__file__).resolve().anchor if installed else ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def installed_engine() -> Path:
    """The file the installed package's engine runs from (a C extension when compiled)."""
    return Path(run("import capacity_model.engine.replication as m; print(m.__file__)", installed=True).strip())


def compiled(engine: Path) -> bool:
    return engine.suffix in (".so", ".pyd")


def test_the_installed_engine_is_compiled_unless_asked_not_to_be(installed_engine):
    if ROOT / "capacity_model" in installed_engine.resolve().parents:
        pytest.skip("an editable install: the engine runs as written in this folder")
    if os.environ.get("CAPACITY_MODEL_PURE_PYTHON"):
        pytest.skip("CAPACITY_MODEL_PURE_PYTHON is set: installed uncompiled, as asked")
    assert compiled(installed_engine), (
        f"the installed engine is not compiled ({installed_engine}): pip's output says why (no C compiler?); "
        "set CAPACITY_MODEL_PURE_PYTHON=1 when installing it uncompiled is meant")


def test_the_compiled_engine_gives_its_sources_results_digit_for_digit(installed_engine):
    if not compiled(installed_engine):
        pytest.skip("the installed engine is not compiled")
    assert json.loads(run(FINGERPRINTS, installed=True)) == json.loads(run(FINGERPRINTS, installed=False))


PICKLED = """
import pickle, sys
from capacity_model import load_scenario, run_replication
scenario = load_scenario("baseline")
first = run_replication(scenario, 7, 1, 2)  # the scenario now carries its samplers
again = pickle.loads(pickle.dumps(scenario))
print(repr(run_replication(again, 7, 1, 2)) == repr(first) and again == scenario)
"""
"""A scenario that has drawn (its distributions keep their compiled samplers) pickles, as processes and Dask
send it, and draws the same after."""


@pytest.mark.parametrize("installed", [False, True], ids=["source", "installed"])
def test_a_scenario_that_has_drawn_pickles_and_draws_the_same(installed, installed_engine):
    if installed and not compiled(installed_engine):
        pytest.skip("the installed engine is not compiled")
    assert run(PICKLED, installed=installed).strip() == "True"


def test_the_compiled_source_type_checks(tmp_path, monkeypatch):
    """mypyc compiles what mypy accepts: the modules and settings in pyproject.toml's [tool.mypy]."""
    from mypy import api

    monkeypatch.chdir(ROOT)
    report, errors, status = api.run(["--cache-dir", str(tmp_path)])
    assert status == 0, report + errors
