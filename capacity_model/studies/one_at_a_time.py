"""One-at-a-time sensitivity: each parameter at the low and the high end of its range, the rest at the base.

The analysis of a ``method: one_at_a_time`` study (``sensitivity_file``): point 0 is the
base, points 2i + 1 and 2i + 2 parameter i at its low and its high. Every point runs the
same replications on common random numbers, so each change is a paired difference from
the base, replication by replication, with its 95% interval. ``effect``, the larger of
the two changes in absolute value, ranks the parameters; a parameter both of whose
intervals include zero is ``indistinguishable`` (not a finding).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analysis.summary import mean_interval

COLUMNS = ["low", "high", "change_low", "change_low_ci_low", "change_low_ci_high", "change_high",
           "change_high_ci_low", "change_high_ci_high", "effect"]
NOT_DISTINGUISHABLE = "not distinguishable from zero"


def changes_table(parameters: list[str], bounds: list[tuple[float, float]], kpis: pd.DataFrame,
                  labels: dict[str, str] | None = None, order: list[str] | None = None) -> pd.DataFrame:
    """For each KPI (in ``order``, else as they come) and month in ``kpis`` (tidy: point, replication,
    month, kpi, value, optionally date), each parameter's paired changes at its low and its high,
    ranked: ``kpi, month, date, parameter, label, method, low, high, change_low, ..., effect,
    indistinguishable, rank, note``."""
    points = 2 * len(parameters) + 1
    held = np.sort(kpis["point"].unique())
    if len(held) != points or (held != np.arange(points)).any():
        raise ValueError(f"the results hold {len(held)} of the study's {points} points: every one is needed")
    dates = dict(zip(kpis["month"], kpis["date"])) if "date" in kpis else {}
    tables = []
    present = list(dict.fromkeys(kpis["kpi"]))
    for kpi in [k for k in order if k in present] if order else present:
        chosen = kpis[kpis["kpi"] == kpi]
        for month in sorted(chosen["month"].unique()):
            values = chosen[chosen["month"] == month].pivot_table(index="replication", columns="point",
                                                                  values="value", aggfunc="first")
            rows = []
            for i, (name, (low, high)) in enumerate(zip(parameters, bounds)):
                found = [name, (labels or {}).get(name, name), low, high]
                for point in (2 * i + 1, 2 * i + 2):
                    paired = (values.get(point) - values.get(0)).dropna().to_numpy(float) \
                        if point in values and 0 in values else np.array([])
                    found += list(mean_interval(paired))
                rows.append(found)
            table = pd.DataFrame(rows, columns=["parameter", "label", *COLUMNS[:-1]])
            table["effect"] = np.fmax(table["change_low"].abs(), table["change_high"].abs())
            table["indistinguishable"] = [_includes_zero(r, "change_low") and _includes_zero(r, "change_high")
                                          for r in table.to_dict("records")]
            table["rank"] = table["effect"].rank(ascending=False, method="first", na_option="bottom").astype("Int64")
            table["note"] = np.where(table["indistinguishable"], NOT_DISTINGUISHABLE, "")
            table.insert(0, "kpi", kpi)
            table.insert(1, "month", int(month))
            table.insert(2, "date", dates.get(month))
            table.insert(5, "method", "one_at_a_time")
            tables.append(table.sort_values("rank", kind="stable"))
    if not tables:
        raise ValueError("no KPI values to analyse")
    return pd.concat(tables, ignore_index=True)


def _includes_zero(row: dict, change: str) -> bool:
    low, high = row[f"{change}_ci_low"], row[f"{change}_ci_high"]
    if np.isnan(low) or np.isnan(high):  # one replication: no interval
        return row[change] == 0 or np.isnan(row[change])
    return low <= 0 <= high
