"""Plain-text tables for the terminal: the scorecard with intervals, the KPI list."""

from __future__ import annotations

import textwrap

import pandas as pd

from ..analysis.tables import ALSO_SHOWN, COMPARED, TARGETS_SHOWN, cell, display_unit
from ..measures import KPI_BY_ID, KPIS, OBJECTIVE_10_KPIS


def _number(value: float, decimals: int) -> str:
    return "-" if pd.isna(value) else f"{value:,.{decimals}f}"


def format_scorecard(summary: pd.DataFrame, scenario: str, months: list[int]) -> str:
    """The scorecard of one scenario: mean and 95% interval per KPI at the given months."""
    table = summary[(summary["scenario"] == scenario) & summary["month"].isin(months)]
    dates = dict(zip(table["month"], table["date"]))
    order = [*OBJECTIVE_10_KPIS, *ALSO_SHOWN]
    header = ["KPI", "unit", "plan target",
              *[f"month {m} ({pd.Timestamp(dates[m]):%b %Y})" if m in dates else f"month {m}" for m in months]]
    lines = []
    for kpi_id in order:
        kpi = KPI_BY_ID[kpi_id]
        unit, scale, decimals = display_unit(kpi_id)
        row = [kpi.label, unit, kpi.target_text or ""]
        for month in months:
            c = cell(table, scenario, kpi_id, month)
            if c is None:
                row.append("-")
                continue
            interval = (
                "" if pd.isna(c["ci_low"])
                else f" ({_number(c['ci_low'] / scale, decimals)} to {_number(c['ci_high'] / scale, decimals)})"
            )
            row.append(_number(c["mean"] / scale, decimals) + interval)
        lines.append(row)
        if kpi_id == OBJECTIVE_10_KPIS[-1]:
            lines.append(None)  # rule between the plan's measures and the rest
    widths = [max(len(str(r[i])) for r in [header, *[l for l in lines if l]]) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        cells = [str(text).ljust(w) if i < 3 else str(text).rjust(w) for i, (text, w) in enumerate(zip(row, widths))]
        return "  ".join(cells).rstrip()

    rule = "-" * len(fmt(header))
    body = [rule if row is None else fmt(row) for row in lines]
    replications = int(table["replications"].max()) if not table.empty else 0
    title = f"Scorecard: {scenario} (mean and 95% confidence interval over {replications} replications)"
    footer = "Every KPI, with percentiles, is in summary.csv; 'capacity-model list' defines them."
    return "\n".join([title, rule, fmt(header), rule, *body, rule, footer])


def format_kpi_list() -> str:
    lines = []
    for kpi in KPIS:
        target = f" Plan target: {kpi.target_text}." if kpi.target_text else ""
        lines.append(f"  {kpi.id} ({kpi.unit})")
        lines.append(textwrap.fill(f"{kpi.label}. {kpi.definition}{target}", width=88,
                                   initial_indent="      ", subsequent_indent="      "))
    return "\n".join(lines)


def format_comparison(differences: pd.DataFrame, months: list[int]) -> str:
    """Per option: change from the base (mean and 95% interval) and the chance of meeting targets."""
    base = differences["base"].iloc[0]
    blocks = []
    for scenario in differences["scenario"].drop_duplicates():
        table = differences[differences["scenario"] == scenario]
        header = ["", "unit", *[f"month {m}" for m in months]]
        rows = []
        if scenario != base:
            for kpi_id in COMPARED:
                kpi = KPI_BY_ID[kpi_id]
                unit, scale, decimals = display_unit(kpi_id)
                label = "Extra cost since the start date" if kpi_id == "cost_cumulative_gbp" else kpi.label
                row = [f"Change in {label[0].lower()}{label[1:]}" if kpi_id != "cost_cumulative_gbp" else label, unit]
                for month in months:
                    c = cell(table, scenario, kpi_id, month)
                    if c is None or pd.isna(c["difference_mean"]):
                        row.append("-")
                        continue
                    row.append(f"{c['difference_mean'] / scale:+,.{decimals}f} "
                               f"({c['difference_ci_low'] / scale:+,.{decimals}f} to "
                               f"{c['difference_ci_high'] / scale:+,.{decimals}f})")
                rows.append(row)
        for kpi_id in TARGETS_SHOWN:
            kpi = KPI_BY_ID[kpi_id]
            row = [f"Chance of meeting target: {kpi.label.lower()} {kpi.target_text}", "%"]
            for month in months:
                c = cell(table, scenario, kpi_id, month)
                row.append("-" if c is None else f"{100 * c['p_meets_target']:.0f}%")
            rows.append(row)
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

        def fmt(row: list[str]) -> str:
            return "  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w)
                             for i, (c, w) in enumerate(zip(row, widths))).rstrip()

        rule = "-" * len(fmt(header))
        title = (f"{scenario}: the base" if scenario == base
                 else f"{scenario} compared with {base} (paired difference, mean and 95% interval)")
        blocks.append("\n".join([title, rule, fmt(header), rule, *map(fmt, rows), rule]))
    return "\n\n".join(blocks)
