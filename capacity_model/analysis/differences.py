"""Paired differences from a base scenario, replication by replication, and the chance of meeting targets.

Scenarios run on common random numbers (replication r of each sees the same numbers
for the same purposes), so the difference between an option and the base in each
replication shows the option's effect with far less noise than independent runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .summary import chance_of_target, mean_interval

COMPARISON_COLUMNS = ["scenario", "base", "kpi", "month", "date", "difference_mean", "difference_ci_low",
                      "difference_ci_high", "pairs", "p_meets_target", "p_meets_target_low", "p_meets_target_high",
                      "replications"]


def paired_differences(kpis: pd.DataFrame, base: str) -> pd.DataFrame:
    """Per scenario, KPI and month: the mean paired difference from the base, with its 95%
    interval, over the replications where both have a value (``pairs``), and the share of the
    scenario's own replications meeting the plan's target with its 95% Wilson interval (base
    rows included, with no difference). A KPI with no value in a replication (a flow in a month with nothing to
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
            p_meets, p_low, p_high = chance_of_target(kpi, values)
            rows.append((scenario, base, kpi, month, date, mean, low, high, len(paired), p_meets, p_low, p_high,
                         len(values)))
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
