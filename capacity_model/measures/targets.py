"""The plan's targets and the values each KPI can take: whether a value meets its target, intervals kept in range."""

from __future__ import annotations

import numpy as np

from .kpis import KPI_BY_ID

TOLERANCE = 1e-9
"""A value this close to its target meets it (floating-point sums of whole numbers)."""


def meets_target(kpi: str, values: np.ndarray, threshold: float | None = None) -> np.ndarray:
    """Whether each value meets the plan's target for the KPI, or ``threshold`` if given: at most
    it for a KPI where lower is better, at least it otherwise (no target: all False)."""
    definition = KPI_BY_ID[kpi]
    values = np.asarray(values, dtype=float)
    target = definition.target if threshold is None else threshold
    if target is None:
        return np.zeros(len(values), dtype=bool)
    if definition.better == "lower":
        return values <= target + TOLERANCE
    return values >= target - TOLERANCE


def within_bounds(kpi: str, low: float, high: float) -> tuple[float, float]:
    """An interval clipped to the values the KPI can take (a percentage within 0 to 100,
    a count at 0 or more); unchanged for an id that is not a KPI."""
    if kpi not in KPI_BY_ID:
        return low, high
    floor, ceiling = KPI_BY_ID[kpi].bounds
    return max(low, floor), min(high, ceiling)
