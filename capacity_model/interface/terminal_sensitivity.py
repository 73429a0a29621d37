"""Plain-text tables of a sensitivity study's indices: a table per KPI and month, parameters ranked."""

from __future__ import annotations

import pandas as pd

from ..analysis.tables import display_unit
from ..measures import KPI_BY_ID

NOT_DISTINGUISHABLE = "not distinguishable from zero"


def _table(title: str, header: list[str], rows: list[list[str]]) -> str:
    """Rank and figures ranged right, the parameter and the note left."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    last = len(header) - 1

    def line(row: list[str]) -> str:
        return "  ".join(str(text).ljust(w) if i in (1, last) else str(text).rjust(w)
                         for i, (text, w) in enumerate(zip(row, widths))).rstrip()

    rule = "-" * max(len(line(header)), *(len(line(row)) for row in rows))
    return "\n".join([title, rule, line(header), rule, *map(line, rows), rule])


def _number(value: float, decimals: int) -> str:
    return "-" if pd.isna(value) else f"{value:,.{decimals}f}".replace("-", "\u2212")


def _index(row: pd.Series, name: str, flagged: bool, divisor: float, decimals: int) -> str:
    """``1.23 (0.98\u20131.48)``; for an index not distinguishable from zero, ``0 to <upper end>``:
    a negative estimate is never shown as a finding."""
    value, half = row[name] / divisor, row[f"{name}_conf"] / divisor
    if pd.isna(value):
        return "-"
    if flagged:
        upper = _number(max(value + half, 0.0), decimals)
        return "0" if float(upper.replace(",", "")) == 0 else f"0 to {upper}"
    return f"{_number(value, decimals)} ({_number(value - half, decimals)}\u2013{_number(value + half, decimals)})"


def _change(row: pd.Series, name: str, divisor: float, decimals: int) -> str:
    value, low, high = (row[name] / divisor, row[f"{name}_ci_low"] / divisor, row[f"{name}_ci_high"] / divisor)
    if pd.isna(value):
        return "-"
    shown = f"{value:+,.{decimals}f}"
    return shown if pd.isna(low) else f"{shown} ({low:+,.{decimals}f} to {high:+,.{decimals}f})"


def _note(row: pd.Series) -> str:
    return "" if pd.isna(row["note"]) else str(row["note"])  # read back from indices.csv, an empty note is NaN


def format_indices(indices: pd.DataFrame, kpis: list[str] | None = None, months: list[int] | None = None) -> str:
    """For each KPI and month (default: all in the table), the parameters ranked by Morris's mu*,
    Sobol's ST or the larger one-at-a-time change, with 95% intervals and a note (those not
    distinguishable from zero say so)."""
    method = str(indices["method"].iloc[0])
    blocks = []
    for kpi in kpis or list(dict.fromkeys(indices["kpi"])):
        for month in months or sorted(indices.loc[indices["kpi"] == kpi, "month"].unique()):
            rows = indices[(indices["kpi"] == kpi) & (indices["month"] == month)].sort_values("rank", kind="stable")
            if rows.empty:
                continue
            definition = KPI_BY_ID[kpi]
            unit, divisor, decimals = display_unit(kpi)
            date = rows["date"].iloc[0] if "date" in rows else None
            when = f"month {int(month)}" + (f" ({pd.Timestamp(date):%b %Y})" if pd.notna(date) else "")
            if method == "morris":
                change = "percentage points" if unit == "%" else unit  # mu* is a change
                header = ["rank", "parameter", "mu* (95% interval)", "sigma", "note"]
                body = [[str(row["rank"]), row["label"],
                         _index(row, "mu_star", row["indistinguishable"], divisor, decimals + 1),
                         _number(row["sigma"] / divisor, decimals + 1), _note(row)] for _, row in rows.iterrows()]
                title = (f"{definition.label} at {when}: Morris screening\nmu*: the mean change, in {change}, when "
                         "the parameter crosses its range; sigma: how much that change varies")
            elif method == "one_at_a_time":
                change = "percentage points" if unit == "%" else unit
                header = ["rank", "parameter", "low / high", "change at low (95% interval)",
                          "change at high (95% interval)", "note"]
                body = [[str(row["rank"]), row["label"], f"{row['low']:,.4g} / {row['high']:,.4g}",
                         _change(row, "change_low", divisor, decimals + 1),
                         _change(row, "change_high", divisor, decimals + 1), _note(row)] for _, row in rows.iterrows()]
                title = (f"{definition.label} at {when}: one at a time\nthe change, in {change}, from the base with "
                         "the parameter at the low or the high end of its range, the others as in the base")
            else:
                header = ["rank", "parameter", "ST (95% interval)", "S1 (95% interval)", "note"]
                body = [[str(row["rank"]), row["label"],
                         _index(row, "ST", row["ST_indistinguishable"], 1.0, 2),
                         _index(row, "S1", row["S1_indistinguishable"], 1.0, 2), _note(row)]
                        for _, row in rows.iterrows()]
                title = (f"{definition.label} at {when}: Sobol indices (ST with interactions, S1 alone; shares of "
                         "its variance)")
            blocks.append(_table(title, header, body))
    footer = ("A parameter both of whose changes' 95% intervals include zero is "
              if method == "one_at_a_time" else "An index whose 95% interval reaches zero is shown as '0 to' its "
              "upper end: ") + f"{NOT_DISTINGUISHABLE}. indices.csv has every KPI, month and index."
    return "\n\n".join([*blocks, footer])
