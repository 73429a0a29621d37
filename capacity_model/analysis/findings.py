"""The findings in words, from a run folder's tables: what each option changes, for how much.

``cuts children unallocated over 5 working days by 104 (88 to 119) at month 24 (March
2022), for £2.01 million (1.96 to 2.06) more``: every figure with its 95% interval, a
change whose interval includes zero called no clear difference.
"""

from __future__ import annotations

import pandas as pd

from ..measures import KPI_BY_ID
from .charts import display_name, month_text, signed
from .charts.style import lower_first
from .run_folder import RunFolder
from .tables import COMPARED, MONEY_DIVISOR, cell, display_unit

HEADLINE = "unallocated_over_5d"
"""The KPI that leads each option's finding."""
OVER_TIME = ("unallocated_over_5d", "pct_caseload_le_22", "average_caseload", "agency_sw")
"""The KPIs a run's headline figures give (and its report charts over time)."""


def kpi_phrase(kpi: str) -> str:
    label = lower_first(KPI_BY_ID[kpi].label)
    return f"the share of {label}" if kpi.startswith("pct_") else label


def figure_text(value: float, kpi: str) -> str:
    unit, divisor, decimals = display_unit(kpi)
    return f"{value / divisor:,.{decimals}f}"


def change_in_words(kpi: str, mean: float, low: float, high: float) -> str:
    """``cuts children unallocated over 5 working days by 104 (88 to 119)``."""
    unit = " percentage points" if KPI_BY_ID[kpi].unit == "%" else ""
    what = kpi_phrase(kpi)
    if pd.isna(low) or low <= 0 <= high:
        _, divisor, decimals = display_unit(kpi)
        return (f"makes no clear difference to {what} ({signed(mean / divisor, decimals)}{unit}; "
                f"95% interval {signed(low / divisor, decimals)} to {signed(high / divisor, decimals)})")
    verdict = "better" if (mean < 0) == (KPI_BY_ID[kpi].better == "lower") else "worse"
    if mean < 0:
        words = f"cuts {what} by {figure_text(-mean, kpi)}{unit} ({figure_text(-high, kpi)} to {figure_text(-low, kpi)})"
    else:
        words = f"raises {what} by {figure_text(mean, kpi)}{unit} ({figure_text(low, kpi)} to {figure_text(high, kpi)})"
    return words if kpi == HEADLINE else f"{words}: {verdict}"


def cost_in_words(mean: float, low: float, high: float) -> str:
    """``for £2.20 million (2.17 to 2.24) more``."""
    if pd.isna(low) or low <= 0 <= high:
        def pounds(value: float) -> str:
            text = signed(value / MONEY_DIVISOR, 2)
            return text if text[0].isdigit() else f"{text[0]}£{text[1:]}"

        return (f"with no clear difference in cost ({pounds(mean)} million; 95% interval {pounds(low)} to "
                f"{pounds(high)} million)")
    if mean > 0:
        return f"for £{mean / MONEY_DIVISOR:,.2f} million ({low / MONEY_DIVISOR:,.2f} to {high / MONEY_DIVISOR:,.2f}) more"
    return f"saving £{-mean / MONEY_DIVISOR:,.2f} million ({-high / MONEY_DIVISOR:,.2f} to {-low / MONEY_DIVISOR:,.2f})"


def findings(run: RunFolder) -> list[tuple[str, list[str]]]:
    """Per option: a lead sentence (the headline KPI and the cost) and one line per other
    KPI compared, at the last scorecard month."""
    month = run.months[-1]
    when = month_text(month, run.date(month))
    out = []
    for option in run.options:
        head = cell(run.differences, option, HEADLINE, month)
        cost = cell(run.differences, option, "cost_cumulative_gbp", month)
        if head is None or pd.isna(head["difference_mean"]):
            continue
        lead = f"{display_name(option)} {change_in_words(HEADLINE, *difference_values(head))} at {when}"
        costed = cost is not None and pd.notna(cost["difference_mean"])
        lead += f", {cost_in_words(*difference_values(cost))}." if costed else "."
        details = [sentence] if (sentence := rests_on(run, option)) else []
        for kpi in COMPARED:
            row = cell(run.differences, option, kpi, month)
            if kpi not in (HEADLINE, "cost_cumulative_gbp") and row is not None and pd.notna(row["difference_mean"]):
                details.append(f"It {change_in_words(kpi, *difference_values(row))}.")
        out.append((lead, details))
    return out


def rests_on(run: RunFolder, option: str) -> str | None:
    """How much an option's headline change rests on what support staff's freed time buys, in words."""
    ends = [v for v in run.variants if v["option"] == option]
    month = run.months[-1]
    parts = []
    for variant in ends:
        row = cell(run.differences, variant["name"], HEADLINE, month)
        if row is None or pd.isna(row["difference_mean"]):
            continue
        value = variant["value"]
        condition = ("if none of support staff's freed time went to more children" if value == 0
                     else "if all of it did" if value == 1 and parts else
                     "if all of support staff's freed time went to more children" if value == 1
                     else f"with {variant['assumption']} at {value:g}")
        parts.append(f"{condition} ({variant['assumption']} {value:g}), it "
                     f"{change_in_words(HEADLINE, *difference_values(row))}")
    return f"What this rests on: {'; '.join(parts)}." if parts else None


def difference_values(row: pd.Series) -> tuple[float, float, float]:
    return float(row["difference_mean"]), float(row["difference_ci_low"]), float(row["difference_ci_high"])


def headline_figures(run: RunFolder, scenario: str) -> list[str]:
    """A run folder's key figures for one scenario at its last scorecard month, beside the targets."""
    month = run.months[-1]
    lines = []
    for kpi in OVER_TIME:
        row = cell(run.summary, scenario, kpi, month)
        if row is not None:
            target = f"; the plan's target: {KPI_BY_ID[kpi].target_text}" if KPI_BY_ID[kpi].target_text else ""
            lines.append(f"{KPI_BY_ID[kpi].label}: {amount_in_words(kpi, row['mean'], row['ci_low'], row['ci_high'])}"
                         f"{target}.")
    return lines


def amount_in_words(kpi: str, mean: float, low: float, high: float) -> str:
    """``72.4% (43.1 to 100.0)``, ``£16.44 million (16.30 to 16.58)``, ``20.1 children per FTE (19.2 to 21.0)``."""
    unit = KPI_BY_ID[kpi].unit
    interval = "" if pd.isna(low) else f" ({figure_text(low, kpi)} to {figure_text(high, kpi)})"
    if unit == "GBP":
        return f"£{figure_text(mean, kpi)} million{interval}"
    if unit == "%":
        return f"{figure_text(mean, kpi)}%{interval}"
    shown = "" if unit in ("children", "headcount") else f" {unit}"
    return f"{figure_text(mean, kpi)}{shown}{interval}"
