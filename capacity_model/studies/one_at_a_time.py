"""One-at-a-time sensitivity: each parameter a little lower and higher, the rest as they were.

Every variant runs on common random numbers with the base (the same seed and
replications), so each change in a KPI is a paired difference, replication by
replication, with its 95% interval.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..analysis.summary import mean_interval
from ..experiment import ExperimentResult, run_experiment
from ..scenario import Scenario
from ..scenario.perturb import scale

COLUMNS = ["parameter", "factor", "kpi", "difference_mean", "difference_ci_low", "difference_ci_high", "pairs"]


def mean_over_months(result: ExperimentResult, first: int, last: int) -> pd.DataFrame:
    """Each KPI averaged over months ``first`` to ``last``: one row per replication, one column per KPI."""
    kpis = result.kpis[result.kpis["month"].between(first, last)]
    return kpis.groupby(["replication", "kpi"])["value"].mean().unstack("kpi")


def one_at_a_time(
    base: Scenario,
    parameters: Sequence[str],
    kpis: Sequence[str],
    replications: int,
    months: int,
    factors: Sequence[float] = (0.8, 1.2),
    seed: int = 0,
    jobs: int = 1,
    first_month: int = 1,
    base_result: ExperimentResult | None = None,
) -> pd.DataFrame:
    """Per parameter (dotted path), factor and KPI: the change in the KPI's mean over months
    ``first_month`` to ``months`` when the parameter is scaled by the factor, paired with the base.

    ``base_result`` reuses a run of the base with the same replications, months and seed.
    """
    if base_result is None:
        base_result = run_experiment(base, replications, months, seed, jobs, progress=False)
    base_means = mean_over_months(base_result, first_month, months)
    rows = []
    for parameter in parameters:
        for factor in factors:
            result = run_experiment(scale(base, parameter, factor), replications, months, seed, jobs, progress=False)
            differences = mean_over_months(result, first_month, months) - base_means
            for kpi in kpis:
                paired = differences[kpi].dropna().to_numpy() if kpi in differences else []
                mean, low, high = mean_interval(paired)
                rows.append((parameter, factor, kpi, mean, low, high, len(paired)))
    return pd.DataFrame(rows, columns=COLUMNS)
