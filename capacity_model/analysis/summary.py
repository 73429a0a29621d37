"""Summaries across replications: mean with a 95% confidence interval, and percentiles.

The confidence interval is for the mean (Student's t across replications); the
percentiles describe the spread of single replications, that is, how different one
possible future could be.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtri, stdtrit  # what scipy.stats' t and normal quantiles call

from ..measures import within_bounds

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


def summarise(kpis: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario, KPI and month, from the tidy table of replications.

    Confidence intervals are clipped to the values a KPI can take (a percentage
    stays within 0 to 100, a count at 0 or more).
    """
    rows = []
    for (scenario, kpi, month, date), group in kpis.groupby(["scenario", "kpi", "month", "date"], sort=True):
        values = group["value"].to_numpy(dtype=float)
        mean, low, high = mean_interval(values)
        low, high = within_bounds(kpi, low, high)
        p05, p50, p95 = np.percentile(values, [5, 50, 95])
        rows.append((scenario, kpi, month, date, mean, low, high, p05, p50, p95, len(values)))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
