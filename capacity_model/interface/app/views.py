"""The page's tables, from a run folder's tidy tables: the scorecard with the chance of meeting each
target, and each option's change from the base. Plain pandas, so they are tested without a browser."""

from __future__ import annotations

import pandas as pd

from ...analysis.run_folder import RunFolder
from ...analysis.summary import summarise
from ...analysis.tables import ALSO_SHOWN, COMPARED, RESTS_ON, TARGETS_SHOWN, cell, display_unit, present
from ...measures import KPI_BY_ID, OBJECTIVE_10_KPIS
from ..terminal import chance_text, change_label, change_text, interval_text

HEADLINE_KPIS = {"unallocated_over_5d": "Unallocated over 5 working days", "pct_caseload_le_22": "Caseloads of 22 or fewer",
                 "agency_sw": "Agency social workers", "cost_cumulative_gbp": "Workforce cost since the start"}
"""Shown as large figures above the scorecard, with short names."""


PLAN_COST = "cost_cumulative_gbp"


def month_header(month: int, when: str) -> str:
    return f"Month {month} ({pd.Timestamp(when):%b %Y})" if when else f"Month {month}"


def chance_header(month: int) -> str:
    return f"Chance of meeting the target at month {month} (95% interval)"


def scorecard(run: RunFolder, scenario: str, plan: bool = True) -> pd.DataFrame:
    """One row per KPI: its unit and the plan's target, the mean and 95% interval at months 6, 12 and
    24 (those the run reaches, and its last) and the chance of meeting the target at the last of them;
    the plan's measures (and the cost), or with ``plan`` false every other KPI the run has."""
    months = run.months
    kpis = run.kpis[(run.kpis["scenario"] == scenario) & run.kpis["month"].isin(months)]
    summary = summarise(kpis, chance=True)
    rows = []
    shown = (*OBJECTIVE_10_KPIS, PLAN_COST) if plan else [k for k in present(ALSO_SHOWN, summary) if k != PLAN_COST]
    for kpi_id in shown:
        kpi = KPI_BY_ID[kpi_id]
        unit, scale, decimals = display_unit(kpi_id)
        cells = [cell(summary, scenario, kpi_id, month) for month in months]
        rows.append({"Measure": kpi.label, "Unit": unit, "The plan's target": kpi.target_text or "",
                     **{month_header(m, run.date(m)): "-" if c is None else interval_text(c, scale, decimals)
                        for m, c in zip(months, cells)},
                     chance_header(months[-1]): chance_text(cells[-1]) if kpi.target is not None else ""})
    return pd.DataFrame(rows)


def headline(run: RunFolder, scenario: str) -> list[tuple[str, str, str]]:
    """(label, figure, interval) of the headline KPIs at the run's last month."""
    month = run.months[-1]
    summary = summarise(run.kpis[(run.kpis["scenario"] == scenario) & (run.kpis["month"] == month)])
    found = []
    for kpi_id, label in HEADLINE_KPIS.items():
        row = cell(summary, scenario, kpi_id, month)
        if row is None:
            continue
        unit, scale, decimals = display_unit(kpi_id)
        figure = f"{row['mean'] / scale:,.{decimals}f}" + ("%" if unit == "%" else "")
        prefix = "£" if unit == "£ million" else ""
        suffix = "m" if unit == "£ million" else ""
        interval = f"Month {month}" + ("" if pd.isna(row["ci_low"]) else
                                       f"; 95% interval {prefix}{row['ci_low'] / scale:,.{decimals}f}{suffix} to "
                                       f"{prefix}{row['ci_high'] / scale:,.{decimals}f}{suffix}")
        found.append((label, f"{prefix}{figure}{suffix}", interval))
    return found


def changes(run: RunFolder) -> pd.DataFrame:
    """Each option's change from the base at the last month (paired, with 95% intervals), then every
    scenario's chance of meeting the plan's targets; one column per scenario."""
    month = run.months[-1]
    differences = run.differences
    shown = [run.base, *run.options]
    rows = []
    for kpi_id in present(COMPARED, differences):
        rows.append({"Measure": change_label(kpi_id), "Unit": display_unit(kpi_id)[0],
                     **{name: "" if name == run.base else change_text(cell(differences, name, kpi_id, month), kpi_id)
                        for name in shown}})
    for kpi_id in TARGETS_SHOWN:
        kpi = KPI_BY_ID[kpi_id]
        rows.append({"Measure": f"Chance of meeting the target: {kpi.label.lower()} {kpi.target_text}",
                     "Unit": "% (95% interval)",
                     **{name: chance_text(cell(differences, name, kpi_id, month)) for name in shown}})
    return pd.DataFrame(rows)


def rests_on(run: RunFolder) -> dict[str, pd.DataFrame]:
    """For each option with support staff: its change from the base at the last month as set, and with none
    (0) and all (1) of their freed time going to more children, on the same futures; option -> table."""
    month = run.months[-1]
    tables = {}
    for option in run.options:
        ends = [v for v in run.variants if v["option"] == option]
        if not ends:
            continue
        columns = {"as set": option, **{f"{v['assumption']} = {v['value']:g}": v["name"] for v in ends}}
        tables[option] = pd.DataFrame([
            {"Measure": change_label(kpi), "Unit": display_unit(kpi)[0],
             **{header: change_text(cell(run.differences, name, kpi, month), kpi) for header, name in columns.items()}}
            for kpi in present(RESTS_ON, run.differences)])
    return tables
