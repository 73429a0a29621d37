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
    and laid out as the tidy tables at the end: whole numbers as 32-bit integers (the same in every file) and
    labels (scenario, date, KPI, kind of worker) as categories, in alphabetical order, so that a table of a
    thousand replications takes tens of MB, not hundreds."""

    def __init__(self) -> None:
        self._kpi_codes: dict[str, int] = {}  # KPI id -> small number
        self._kind_codes: dict[str, int] = {}  # kind of worker -> small number
        self._dates: dict[int, str] = {}  # month -> ISO date
        self._kpis: list[np.ndarray] = []  # replication, month, KPI code
        self._values: list[np.ndarray] = []
        self._balance_columns: list[str] | None = None
        self._balance: list[np.ndarray] = []
        self._caseloads: list[np.ndarray] = []  # replication, month, kind code, caseload, social workers

    def add(self, result: ReplicationResult) -> None:
        r, kpi_codes, kind_codes = result.replication, self._kpi_codes, self._kind_codes
        for month, date, _, _ in result.kpis:
            self._dates.setdefault(month, date)
        self._kpis.append(np.array([(r, month, kpi_codes.setdefault(kpi, len(kpi_codes)))
                                    for month, _, kpi, _ in result.kpis], dtype=np.int32).reshape(-1, 3))
        self._values.append(np.array([value for *_, value in result.kpis], dtype=float))
        if result.balance:
            if self._balance_columns is None:
                self._balance_columns = list(result.balance[0])
            self._balance.append(np.array([[r, *(row[c] for c in self._balance_columns)] for row in result.balance]))
        self._caseloads.append(np.array([(r, month, kind_codes.setdefault(kind, len(kind_codes)), children, n)
                                         for month, kind, children, n in result.caseloads],
                                        dtype=np.int32).reshape(-1, 5))

    def tables(self, name: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        kpis = np.concatenate(self._kpis) if self._kpis else np.empty((0, 3), dtype=np.int32)
        self._kpis = []
        values = np.concatenate(self._values) if self._values else np.array([], dtype=float)
        self._values = []
        months = sorted(self._dates)
        month_code = np.zeros(months[-1] + 1 if months else 0, dtype=np.int32)
        month_code[months] = np.arange(len(months))
        kpi_table = pd.DataFrame({
            "scenario": _labels(np.zeros(len(kpis), dtype=np.int8), [name]), "replication": kpis[:, 0].copy(),
            "month": kpis[:, 1].copy(), "date": _labels(month_code[kpis[:, 1]], [self._dates[m] for m in months]),
            "kpi": _labels(kpis[:, 2], list(self._kpi_codes)), "value": values,
        }, columns=KPI_COLUMNS, copy=False)
        del kpis, values
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
        caseloads = pd.DataFrame({"scenario": _labels(np.zeros(len(loads), dtype=np.int8), [name]),
                                  "replication": loads[:, 0].copy(), "month": loads[:, 1].copy(),
                                  "kind": _labels(loads[:, 2], list(self._kind_codes)),
                                  "caseload": loads[:, 3].copy(), "social_workers": loads[:, 4].copy()},
                                 columns=CASELOAD_COLUMNS, copy=False)
        return kpi_table, balance, caseloads


def _labels(codes: np.ndarray, names: list[str]) -> pd.Categorical:
    """Labels given as ``codes`` into ``names``, as a categorical column whose categories are in alphabetical order."""
    order = np.argsort(np.array(names, dtype=object), kind="stable")
    recode = np.empty(len(names), dtype=np.int32)
    recode[order] = np.arange(len(names))
    return pd.Categorical.from_codes(recode[codes], categories=[names[i] for i in order])


def _as_whole_numbers(column: pd.Series) -> pd.Series:
    """Counts as whole numbers, as the engine gave them (the arrays held them as floats)."""
    if column.dtype.kind == "f" and np.all(np.mod(column.to_numpy(), 1) == 0):
        return column.astype(np.int64)
    return column


def default_jobs() -> int:
    """All the processors this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
