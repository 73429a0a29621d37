"""Options compared on common random numbers: paired differences from a base scenario.

Every scenario runs the same replications with the same seed, so replication r of
each uses the same random numbers for the same purposes (the same families with the
same fates, the same workers' decisions). The difference between an option and the
base, replication by replication, then shows the option's effect with far less noise
than comparing independent runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .kpis import KPI_BY_ID
from .runner import ExperimentResult, run_experiment
from .scenario import Scenario
from .summary import mean_interval, summarise

COMPARISON_COLUMNS = ["scenario", "base", "kpi", "month", "date", "difference_mean", "difference_ci_low",
                      "difference_ci_high", "pairs", "p_meets_target", "replications"]


@dataclass
class Comparison:
    """Tidy tables of a comparison: every replication, the summaries, the paired differences."""

    base: str
    results: list[ExperimentResult]
    kpis: pd.DataFrame
    balance: pd.DataFrame
    caseloads: pd.DataFrame
    summary: pd.DataFrame
    differences: pd.DataFrame  # COMPARISON_COLUMNS


def compare(
    base: Scenario,
    options: list[Scenario],
    replications: int,
    months: int,
    seed: int = 0,
    jobs: int = 1,
    progress: bool | None = None,
) -> Comparison:
    """Run the base and each option on common random numbers and compare them."""
    names = [base.name, *(option.name for option in options)]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ within a comparison, got {names}")
    results = [run_experiment(s, replications, months, seed, jobs, progress) for s in (base, *options)]
    kpis = pd.concat([r.kpis for r in results], ignore_index=True)
    balance = pd.concat([r.balance for r in results], ignore_index=True)
    caseloads = pd.concat([r.caseloads for r in results], ignore_index=True)
    return Comparison(base.name, results, kpis, balance, caseloads, summarise(kpis),
                      paired_differences(kpis, base.name))


def meets_target(kpi: str, values: np.ndarray) -> np.ndarray:
    """Whether each value meets the plan's target for the KPI (no target: all False)."""
    definition = KPI_BY_ID[kpi]
    if definition.target is None:
        return np.zeros(len(values), dtype=bool)
    if definition.better == "lower":
        return values <= definition.target + 1e-9
    return values >= definition.target - 1e-9


def paired_differences(kpis: pd.DataFrame, base: str) -> pd.DataFrame:
    """Per scenario, KPI and month: the mean paired difference from the base, with its 95%
    interval, over the replications where both have a value (``pairs``), and the share of the
    scenario's own replications meeting the plan's target (base rows included, with no
    difference). A KPI with no value in a replication (a flow in a month with nothing to
    count) drops out of that replication's pair only."""
    keys = ["replication", "month", "date", "kpi"]
    base_values = kpis[kpis["scenario"] == base].set_index(keys)["value"].rename("base")
    rows = []
    for scenario, table in kpis.groupby("scenario", sort=False):
        own = table.set_index(keys)["value"].to_frame("value").join(base_values, how="left")
        for (kpi, month, date), group in own.groupby(level=["kpi", "month", "date"], sort=True):
            values = group["value"].to_numpy(dtype=float)
            paired = group.dropna(subset=["base"])
            if scenario == base or paired.empty:
                mean = low = high = np.nan
            else:
                mean, low, high = mean_interval(paired["value"].to_numpy(dtype=float)
                                                - paired["base"].to_numpy(dtype=float))
            target = KPI_BY_ID[kpi].target if kpi in KPI_BY_ID else None
            p_meets = float(meets_target(kpi, values).mean()) if target is not None else np.nan
            rows.append((scenario, base, kpi, month, date, mean, low, high, len(paired), p_meets, len(values)))
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
