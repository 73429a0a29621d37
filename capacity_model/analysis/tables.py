"""What every view of the results shares: the months and KPIs shown, their units, and one cell of a tidy table."""

from __future__ import annotations

import pandas as pd

from ..measures import KPI_BY_ID, PRIORITY_AREA_1_KPIS

SCORECARD_MONTHS = (6, 12, 24)
ALSO_SHOWN = (
    "average_caseload", "vacancy_rate", "agency_rate", "absence_rate", "open_cin", "open_cp", "open_cic",
    "open_children_total", "pct_assessments_within_45wd", "pct_assessments_within_45wd_of_referral",
    *PRIORITY_AREA_1_KPIS, "cost_total_gbp", "cost_cumulative_gbp",
)
"""Shown after the plan's measures in scorecards (those a run has); every KPI is in summary.csv."""
COMPARED = ("unallocated", "unallocated_over_5d", "pct_caseload_le_22", "agency_sw", "turnover_12m",
            *PRIORITY_AREA_1_KPIS[:-1], "cost_cumulative_gbp")
"""The KPIs whose change from the base a comparison shows (those a run has)."""
TARGETS_SHOWN = ("unallocated_over_5d", "pct_caseload_le_22", "average_caseload")
"""The plan's targets whose chance of being met a comparison shows."""
RESTS_ON = ("unallocated", "unallocated_over_5d", "pct_caseload_le_22", "turnover_12m", "pct_visits_up_to_date")
"""The KPIs shown for an option at both ends of an assumption it rests on (those a run has)."""
WIDE_CHANCE = 0.3
"""A chance of meeting a target known only to within more than this (30 points) is flagged: too few replications."""
MONEY_DIVISOR = 1e6
"""Money is shown in millions of pounds."""


def scorecard_months(months: int) -> list[int]:
    """The months a scorecard shows: 6, 12 and 24 where the run reaches them, and its last."""
    shown = [m for m in SCORECARD_MONTHS if m <= months]
    return shown if months in shown else [*shown, months]


def display_unit(kpi_id: str) -> tuple[str, float, int]:
    """Unit shown, divisor and decimals: money in millions of pounds, the rest as defined."""
    kpi = KPI_BY_ID[kpi_id]
    return ("£ million", MONEY_DIVISOR, 2) if kpi.unit == "GBP" else (kpi.unit, 1.0, kpi.decimals)


def chance_is_wide(row: pd.Series | None) -> bool:
    """Whether a chance of meeting a target rests on too few replications to say much (a wide interval)."""
    return row is not None and pd.notna(row["p_meets_target"]) and (
        row["p_meets_target_high"] - row["p_meets_target_low"] > WIDE_CHANCE)


def cell(table: pd.DataFrame, scenario: str, kpi: str, month: int) -> pd.Series | None:
    """The row of a tidy table (summary, comparison) for one scenario, KPI and month, if there is one."""
    rows = table[(table["scenario"] == scenario) & (table["kpi"] == kpi) & (table["month"] == month)]
    return None if rows.empty else rows.iloc[0]


def present(kpis: tuple[str, ...], table: pd.DataFrame) -> list[str]:
    """Those of ``kpis`` that ``table`` (tidy, with a ``kpi`` column) holds: oversight's only with the layer on."""
    held = set(table["kpi"])
    return [kpi for kpi in kpis if kpi in held]
