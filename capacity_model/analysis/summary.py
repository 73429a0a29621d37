"""Summaries across replications: mean with a 95% confidence interval, and percentiles.

The confidence interval is for the mean (Student's t across replications); the
percentiles describe the spread of single replications, that is, how different one
possible future could be.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtri, stdtrit  # what scipy.stats' t and normal quantiles call

from ..measures import KPI_BY_ID, meets_target, within_bounds

SUMMARY_COLUMNS = ["scenario", "kpi", "month", "date", "mean", "ci_low", "ci_high", "p05", "p50", "p95", "replications"]


def mean_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and its two-sided confidence interval (NaN bounds from a single value)."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    mean = float(values.mean()) if n else float("nan")
    if n < 2:
        return mean, float("nan"), float("nan")
    half = float(stdtrit(n - 1, (1 + level) / 2) * values.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half


def wilson_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion: honest at 0 and 1 and with few trials, unlike p +/- z se."""
    if n == 0:
        return float("nan"), float("nan")
    z = float(ndtri((1 + level) / 2))
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * float(np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


CHANCE_COLUMNS = ["p_meets_target", "p_meets_target_low", "p_meets_target_high"]


def chance_of_target(kpi: str, values: np.ndarray) -> tuple[float, float, float]:
    """The share of values meeting the plan's target for the KPI, with its 95% Wilson
    interval (NaN for a KPI without a target)."""
    if kpi not in KPI_BY_ID or KPI_BY_ID[kpi].target is None or len(values) == 0:
        return float("nan"), float("nan"), float("nan")
    met = int(meets_target(kpi, values).sum())
    return (met / len(values), *wilson_interval(met, len(values)))


def summarise(kpis: pd.DataFrame, by: str = "scenario", chance: bool = False) -> pd.DataFrame:
    """One row per scenario (or other ``by`` column), KPI and month, from the tidy table of
    replications; with ``chance``, also the share of replications meeting the plan's target.

    Confidence intervals are clipped to the values a KPI can take (a percentage
    stays within 0 to 100, a count at 0 or more).
    """
    rows = []
    for (who, kpi, month, date), group in kpis.groupby([by, "kpi", "month", "date"], sort=True):
        values = group["value"].to_numpy(dtype=float)
        mean, low, high = mean_interval(values)
        low, high = within_bounds(kpi, low, high)
        p05, p50, p95 = np.percentile(values, [5, 50, 95])
        rows.append((who, kpi, month, date, mean, low, high, p05, p50, p95, len(values),
                     *(chance_of_target(kpi, values) if chance else ())))
    return pd.DataFrame(rows, columns=[by, *SUMMARY_COLUMNS[1:], *(CHANCE_COLUMNS if chance else [])])
