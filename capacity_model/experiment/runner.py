"""Replications of a scenario, in parallel processes, gathered into tidy tables.

Replication r always uses the streams spawned for (seed, r), whichever process runs
it, and results are put back in replication order, so the tables are identical for
any number of processes.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import pandas as pd
from tqdm import tqdm

from ..scenario import Scenario
from .budget import check_fits
from .executors import local
from .task import ReplicationResult, Task

KPI_COLUMNS = ["scenario", "replication", "month", "date", "kpi", "value"]
CASELOAD_COLUMNS = ["scenario", "replication", "month", "kind", "caseload", "social_workers"]
DEFAULT_REPLICATIONS = 40
DEFAULT_MONTHS = 24


@dataclass
class ExperimentResult:
    """The tidy results of all replications of one scenario."""

    scenario: Scenario
    seed: int
    replications: int
    months: int
    kpis: pd.DataFrame  # KPI_COLUMNS, one row per replication, month and KPI
    balance: pd.DataFrame  # children in and out, per replication and month
    caseloads: pd.DataFrame  # CASELOAD_COLUMNS: case-holders by caseload, per replication and month


def run_experiment(
    scenario: Scenario,
    replications: int = DEFAULT_REPLICATIONS,
    months: int = DEFAULT_MONTHS,
    seed: int = 0,
    jobs: int = 1,
    progress: bool | None = None,
) -> ExperimentResult:
    """Run ``replications`` independent replications of ``scenario`` for ``months``.

    ``jobs`` processes run them (1 runs them here, in this process). A progress bar is
    shown on a terminal unless ``progress`` says otherwise.
    """
    if replications < 1:
        raise ValueError("replications must be at least 1")
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    check_fits(scenario, months, min(jobs, replications))
    if progress is None:
        progress = sys.stderr.isatty()
    tasks = [Task(scenario, seed, r, months) for r in range(replications)]
    bar = tqdm(total=replications, desc=f"{scenario.name}", unit="replication", disable=not progress, leave=False)
    results: list[ReplicationResult] = []
    try:
        for result in local(jobs).map(tasks):
            results.append(result)
            bar.update()
    finally:
        bar.close()
    return ExperimentResult(scenario, seed, replications, months, *_tables(scenario.name, results))


def _tables(name: str, results: list[ReplicationResult]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rows = [(name, result.replication, *row) for result in results for row in result.kpis]
    kpis = pd.DataFrame(rows, columns=KPI_COLUMNS)
    kpis["month"] = kpis["month"].astype("int64")
    kpis["replication"] = kpis["replication"].astype("int64")
    balance = pd.DataFrame(
        [{"scenario": name, "replication": result.replication, **row} for result in results for row in result.balance]
    )
    caseloads = pd.DataFrame([(name, result.replication, *row) for result in results for row in result.caseloads],
                             columns=CASELOAD_COLUMNS)
    return kpis, balance, caseloads


def default_jobs() -> int:
    """All the processors this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
