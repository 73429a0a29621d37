"""Replications of a scenario, in parallel processes, gathered into tidy tables.

Replication r always uses the streams spawned for (seed, r), whichever process runs
it, and results are put back in replication order, so the tables are identical for
any number of processes.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm import tqdm

from ..scenario import Scenario
from .budget import check_fits
from .defaults import DEFAULT_MONTHS, DEFAULT_REPLICATIONS
from .executors import Executor, in_order, local
from .task import ReplicationResult, Task

KPI_COLUMNS = ["scenario", "replication", "month", "date", "kpi", "value"]
CASELOAD_COLUMNS = ["scenario", "replication", "month", "kind", "caseload", "social_workers"]


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
    executor: Executor | None = None,
) -> ExperimentResult:
    """Run ``replications`` independent replications of ``scenario`` for ``months``.

    ``jobs`` processes run them (1 runs them here, in this process), unless an
    ``executor`` is given (a Dask cluster, say): the results are the same either way. A
    progress bar is shown on a terminal unless ``progress`` says otherwise.
    """
    if replications < 1:
        raise ValueError("replications must be at least 1")
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    if executor is None:
        check_fits(scenario, months, min(jobs, replications))
    if progress is None:
        progress = sys.stderr.isatty()
    tasks = [Task(scenario, seed, r, months) for r in range(replications)]
    bar = tqdm(total=replications, desc=f"{scenario.name}", unit="replication", disable=not progress, leave=False)
    collected = Collected()
    try:
        for result in in_order(executor or local(jobs), tasks):
            collected.add(result)
            bar.update()
    finally:
        bar.close()
    return ExperimentResult(scenario, seed, replications, months, *collected.tables(scenario.name))


class Collected:
    """Replications' rows, packed into arrays as they arrive (a few tens of KB each, not a quarter of a MB),
    and laid out as the tidy tables at the end (whole numbers as 32-bit integers: the same in every file)."""

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}  # KPI id or kind of worker -> small number
        self._dates: dict[int, str] = {}  # month -> ISO date
        self._kpis: list[np.ndarray] = []  # replication, month, KPI code
        self._values: list[np.ndarray] = []
        self._balance_columns: list[str] | None = None
        self._balance: list[np.ndarray] = []
        self._caseloads: list[np.ndarray] = []  # replication, month, kind code, caseload, social workers

    def _code(self, name: str) -> int:
        return self._codes.setdefault(name, len(self._codes))

    def add(self, result: ReplicationResult) -> None:
        r = result.replication
        for month, date, _, _ in result.kpis:
            self._dates.setdefault(month, date)
        self._kpis.append(np.array([(r, month, self._code(kpi)) for month, _, kpi, _ in result.kpis],
                                   dtype=np.int32).reshape(-1, 3))
        self._values.append(np.array([value for *_, value in result.kpis], dtype=float))
        if result.balance:
            if self._balance_columns is None:
                self._balance_columns = list(result.balance[0])
            self._balance.append(np.array([[r, *(row[c] for c in self._balance_columns)] for row in result.balance]))
        self._caseloads.append(np.array([(r, month, self._code(kind), children, n)
                                         for month, kind, children, n in result.caseloads],
                                        dtype=np.int32).reshape(-1, 5))

    def tables(self, name: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        names = np.array(list(self._codes), dtype=object)
        kpis = np.concatenate(self._kpis) if self._kpis else np.empty((0, 3), dtype=np.int32)
        self._kpis = []
        months = kpis[:, 1]
        dates = np.array([self._dates.get(m, "") for m in range(int(months.max()) + 1)] if len(months) else [],
                         dtype=object)
        values = np.concatenate(self._values) if self._values else np.array([], dtype=float)
        self._values = []
        kpi_table = pd.DataFrame({
            "scenario": name, "replication": kpis[:, 0].copy(), "month": months.copy(),
            "date": dates[months] if len(months) else np.array([], dtype=object),
            "kpi": names[kpis[:, 2]] if len(kpis) else np.array([], dtype=object),
            "value": values,
        }, columns=KPI_COLUMNS, copy=False)
        del kpis, months, values
        balance = pd.DataFrame()
        if self._balance:
            rows = np.concatenate(self._balance)
            self._balance = []
            balance = pd.DataFrame(rows[:, 1:], columns=self._balance_columns)
            balance.insert(0, "replication", rows[:, 0].astype(np.int64))
            balance.insert(0, "scenario", name)
            balance = balance.apply(_as_whole_numbers)
        loads = np.concatenate(self._caseloads) if self._caseloads else np.empty((0, 5), dtype=np.int32)
        self._caseloads = []
        caseloads = pd.DataFrame({"scenario": name, "replication": loads[:, 0].copy(), "month": loads[:, 1].copy(),
                                  "kind": names[loads[:, 2]] if len(loads) else np.array([], dtype=object),
                                  "caseload": loads[:, 3].copy(), "social_workers": loads[:, 4].copy()},
                                 columns=CASELOAD_COLUMNS, copy=False)
        return kpi_table, balance, caseloads


def _as_whole_numbers(column: pd.Series) -> pd.Series:
    """Counts as whole numbers, as the engine gave them (the arrays held them as floats)."""
    if column.dtype.kind == "f" and np.all(np.mod(column.to_numpy(), 1) == 0):
        return column.astype(np.int64)
    return column


def default_jobs() -> int:
    """All the processors this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
