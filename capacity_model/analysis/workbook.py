"""``workbook.xlsx``: the report's tables for analysts and finance colleagues, one sheet each."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..measures import KPI_BY_ID, OBJECTIVE_10_KPIS
from .tables import ALSO_SHOWN, present
from .run_folder import RunFolder, assumption_rows, price_year, provenance

SUMMARY_HEADERS = {
    "scenario": "Scenario", "kpi": "KPI id", "label": "KPI", "unit": "Unit", "month": "Month", "date": "Date",
    "mean": "Mean", "ci_low": "95% CI low", "ci_high": "95% CI high", "p05": "5th percentile (one future)",
    "p50": "Median (one future)", "p95": "95th percentile (one future)", "replications": "Replications",
}
COMPARISON_HEADERS = {
    "scenario": "Scenario", "base": "Compared with", "kpi": "KPI id", "label": "KPI", "unit": "Unit",
    "month": "Month", "date": "Date", "difference_mean": "Difference from base (mean)",
    "difference_ci_low": "Difference 95% CI low", "difference_ci_high": "Difference 95% CI high",
    "pairs": "Replications paired with the base", "p_meets_target": "Share of futures meeting the plan's target",
    "p_meets_target_low": "Share meeting the target: 95% CI low", "p_meets_target_high": "Share meeting the target: 95% CI high",
    "replications": "Replications",
}

ASSUMPTION_HEADERS = {
    "scenario": "Scenario", "kind": "What", "setting": "Setting", "value": "Value", "from": "From",
    "until": "Until", "ramp_months": "Ramp (months)", "note": "Note ([F] found, [D] derived, [E] estimate)",
}


def _unit(kpi: str) -> str:
    unit = KPI_BY_ID[kpi].unit if kpi in KPI_BY_ID else ""
    return "£" if unit == "GBP" else unit


def _labelled(table: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    labels = table["kpi"].map(lambda k: KPI_BY_ID[k].label if k in KPI_BY_ID else k)
    out = table.assign(label=labels, unit=table["kpi"].map(_unit))
    return out[list(headers)].rename(columns=headers)


def monthly_scorecard(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario and month; for each scorecard KPI its mean and 95% interval,
    headed with the KPI's label and unit."""
    kpis = present((*OBJECTIVE_10_KPIS, *ALSO_SHOWN), summary)
    wide = summary[summary["kpi"].isin(kpis)].pivot_table(
        index=["scenario", "month", "date"], columns="kpi", values=["mean", "ci_low", "ci_high"], sort=False)
    columns = {}
    for kpi in kpis:
        name = f"{KPI_BY_ID[kpi].label} ({_unit(kpi)})"
        for stat, text in (("mean", "mean"), ("ci_low", "95% CI low"), ("ci_high", "95% CI high")):
            if (stat, kpi) in wide.columns:
                columns[f"{name}: {text}"] = wide[(stat, kpi)]
    out = pd.DataFrame(columns, index=wide.index).reset_index()
    return out.rename(columns={"scenario": "Scenario", "month": "Month", "date": "Date"})


def cost_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and month, the mean cost by category in the month and since the start date, in pounds."""
    costs = [k for k in KPI_BY_ID if k.startswith("cost_") and k in set(summary["kpi"])]
    wide = summary[summary["kpi"].isin(costs)].pivot_table(index=["scenario", "month", "date"], columns="kpi",
                                                           values="mean", sort=False)
    out = pd.DataFrame({f"{KPI_BY_ID[k].label} (£, mean)": wide[k] for k in costs if k in wide}, index=wide.index)
    return out.reset_index().rename(columns={"scenario": "Scenario", "month": "Month", "date": "Date"})


def write_workbook(run: RunFolder, path: Path) -> None:
    """The workbook: about, summary, monthly scorecard, comparison (if any), costs, assumptions."""
    about = pd.DataFrame(provenance(run) + [
        ("Units", "Each KPI's unit is in its header or Unit column; money in pounds (£) at "
                  f"{price_year(run)} prices."),
        ("Intervals", "Mean over replications with its 95% confidence interval; percentiles show the spread of "
                      "single simulated futures."),
        ("Sheets", "summary: every KPI and month; monthly scorecard: the plan's measures by month; comparison: "
                   "paired differences from the base; costs: spending by category; assumptions: each scenario's "
                   "changes."),
    ], columns=["Item", "Value"])
    rows = [row for s in run.scenarios for row in (
        {"scenario": s["name"], "kind": "description", "value": s.get("description", "")}, *assumption_rows(run, s))]
    assumptions = pd.DataFrame(rows, columns=list(ASSUMPTION_HEADERS)).rename(columns=ASSUMPTION_HEADERS)
    order = {name: i for i, name in enumerate(run.names)}
    sheets = {"about": about, "summary": _labelled(run.summary, SUMMARY_HEADERS),
              "monthly scorecard": _in_order(monthly_scorecard(run.summary), order)}
    if run.differences is not None:
        sheets["comparison"] = _labelled(run.differences, COMPARISON_HEADERS)
    sheets["costs"] = _in_order(cost_table(run.summary), order)
    sheets["assumptions"] = assumptions
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, table in sheets.items():
            table.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            _number_formats(sheet, table)
            for column in sheet.columns:
                width = max(len(str(column[0].value or "")), *(len(str(c.value or "")) for c in column[1:50]))
                sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)


def _in_order(table: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
    """Scenarios in the run's order (base first), then months."""
    ranks = table["Scenario"].map(order).fillna(len(order))
    return table.assign(_rank=ranks).sort_values(["_rank", "Month"], kind="stable").drop(columns="_rank")


def _number_formats(sheet, table: pd.DataFrame) -> None:
    """Pounds as whole pounds, shares as percentages, other decimals to one place (the
    stored values keep full precision)."""
    for index, column in enumerate(table.columns, start=1):
        if not pd.api.types.is_float_dtype(table[column]):
            continue
        text = str(column)
        number_format = ('"£"#,##0' if "(£" in text else "0%" if text.startswith("Share ") else "#,##0.0")
        for (cell,) in sheet.iter_rows(min_row=2, max_row=len(table) + 1, min_col=index, max_col=index):
            cell.number_format = number_format
