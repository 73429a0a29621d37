"""Shared helpers: scenarios from the baseline with a few fields changed, process checks, the files' order."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings as hypothesis_settings

from capacity_model.scenario import Scenario, merge_scenario_data

BASELINE_FILE = Path(__file__).resolve().parents[1] / "capacity_model" / "scenario" / "builtin" / "baseline.yaml"


# Property and fuzz tests try the same examples on every run (seeded from each test), so that a run passes or
# fails for the code, not for the examples drawn; HYPOTHESIS_PROFILE=explore draws new ones, to hunt for cases.
hypothesis_settings.register_profile("repeatable", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

LONGEST_FIRST = ("test_engine_equivalence.py", "test_verification.py", "test_golden.py", "test_report.py",
                 "test_app_browser.py", "test_council_data.py", "test_docs.py")
"""The test files that take longest (about 35 to 80 s each on two cores), started first so that, with the
tests in two or more processes, none is left running one of them alone at the end."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    first = {name: rank for rank, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: first.get(item.path.name, len(first)))  # stable: the rest keep their order


def baseline_data() -> dict[str, Any]:
    return yaml.safe_load(BASELINE_FILE.read_text(encoding="utf-8"))


def scenario_with(changes: dict[str, Any] | None = None, replace: dict[str, Any] | None = None) -> Scenario:
    """The baseline with ``changes`` merged in and ``replace`` sections swapped whole."""
    data = merge_scenario_data(baseline_data(), changes or {})
    data.update(replace or {})
    return Scenario.model_validate(data)


STATIC_WORKFORCE = {
    "leaving": {"permanent_per_year": 0.0, "internal_moves_per_year": 0.0},
    "agency": {"fill_probability_per_month": 0.0, "leaving_per_year": 0.0, "conversion_to_permanent_per_year": 0.0},
    "recruitment": {"campaign_every_months": None, "newly_qualified_per_year": 0},
    "absence": {"spells_per_fte_year": 0.0},
}
"""Workforce settings under which nobody joins, leaves or is absent."""


def small_service(**changes: Any) -> Scenario:
    """A hand-sized service: one team of 4 workers, 120 children a year, no siblings.

    ``changes`` are merged in last, so they can change any part, the team and the
    initial state included.
    """
    data = merge_scenario_data(baseline_data(), {
        "referrals": {"new_children_per_year": 120, "monthly_seasonality": None,
                      "sibling_group_size_probabilities": {1: 1.0}},
        "allocation": {"policy": "hard_cap", "schedule": "continuous"},
        "warm_up_months": 0,
    })
    data.update({
        "teams": {"duty": {"posts_fte": 5, "stages": ["assessment", "cin", "cp", "cic"]}},
        "initial_state": {
            "allocated_children": {"assessment": 10, "cin": 20, "cp": 6, "cic": 10},
            "unallocated_children": {"assessment": 3},
            "unallocated_waited_working_days": {"kind": "uniform", "low_days": 0, "high_days": 10},
            "staff": {"duty": {"experienced": 3, "newly_qualified": 1}},
        },
    })
    return Scenario.model_validate(merge_scenario_data(data, changes))


@pytest.fixture
def small() -> Scenario:
    return small_service()


def hearing_ctrl_c(command: list[str]) -> list[str]:
    """``command`` started so that it hears Ctrl-C (SIGINT) as at a terminal, even when the tests themselves
    run in the background: a shell starts a background job with SIGINT ignored, and every process started
    from it inherits that (the same process, through ``exec``, with SIGINT back to its default)."""
    return [sys.executable, "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
            "os.execvp(sys.argv[1], sys.argv[1:])", *command]


def running_in_group(group: int) -> list:
    """The processes of a process group still running (a dead one not yet reaped is not running)."""
    import psutil

    running = []
    for process in psutil.process_iter(["pid", "status"]):
        try:
            if os.getpgid(process.pid) == group and process.status() != psutil.STATUS_ZOMBIE:
                running.append(process)
        except (ProcessLookupError, psutil.NoSuchProcess):
            pass
    return running


def group_ends(group: int, seconds: float = 5.0) -> bool:
    """Whether every process of the group has ended within ``seconds``. A process left behind (a worker still
    simulating) runs on; helpers end a moment after the command itself (multiprocessing's resource tracker
    ends when the command's end closes its pipe), later when the machine is busy."""
    end = time.monotonic() + seconds
    while running_in_group(group):
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True
