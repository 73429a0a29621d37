"""Plain-text tables for the terminal: the scorecard and comparisons with intervals, the KPI list."""

from __future__ import annotations

import textwrap

import pandas as pd

from ..analysis.tables import (ALSO_SHOWN, COMPARED, RESTS_ON, TARGETS_SHOWN, cell, chance_is_wide, display_unit,
                               present)
from ..measures import KPI_BY_ID, KPIS, OBJECTIVE_10_KPIS


def _number(value: float, decimals: int) -> str:
    return "-" if pd.isna(value) else f"{value:,.{decimals}f}"


SCORECARD_WIDTH = 100
"""The scorecard fits a terminal this wide."""


def _table(title: str, header: list[str], rows: list[list[str] | None], left: int, footer: str | None = None,
           wrap: int | None = None) -> str:
    """A plain table: the first ``left`` columns ranged left, the rest right; None rows are rules.
    With ``wrap``, the first column is wrapped to that width (the row's figures on its first line)."""
    if wrap:
        rows = [None if row is None else [textwrap.wrap(row[0], wrap, subsequent_indent="  ") or [""], *row[1:]]
                for row in rows]
        first = [max((len(line) for row in rows if row for line in row[0]), default=0), len(header[0])]
    widths = [max(len(str(r[i])) for r in [header, *[r for r in rows if r]]) for i in range(len(header))]
    if wrap:
        widths[0] = max(first)

    def fmt(row: list) -> list[str]:
        if wrap and isinstance(row[0], list):
            return [fmt([line, *(row[1:] if i == 0 else [""] * (len(row) - 1))])[0] for i, line in enumerate(row[0])]
        return ["  ".join(str(text).ljust(w) if i < left else str(text).rjust(w)
                          for i, (text, w) in enumerate(zip(row, widths))).rstrip()]

    rule = "-" * len(fmt(header)[0])
    body = [line for row in rows for line in ([rule] if row is None else fmt(row))]
    lines = [title, rule, *fmt(header), rule, *body, rule]
    return "\n".join([*lines, footer] if footer else lines)


def interval_text(c: pd.Series, scale: float, decimals: int) -> str:
    mean = _number(c["mean"] / scale, decimals)
    if pd.isna(c["ci_low"]):
        return mean
    return f"{mean} ({_number(c['ci_low'] / scale, decimals)}\u2013{_number(c['ci_high'] / scale, decimals)})"


def format_scorecard(summary: pd.DataFrame, scenario: str, months: list[int]) -> str:
    """The scorecard of one scenario: mean and 95% interval per KPI at the given months, in 100 columns."""
    table = summary[(summary["scenario"] == scenario) & summary["month"].isin(months)]
    dates = dict(zip(table["month"], table["date"]))
    header = ["KPI, unit and the plan's target",
              *[f"month {m} ({pd.Timestamp(dates[m]):%b %Y})" if m in dates else f"month {m}" for m in months]]
    rows: list[list[str] | None] = []
    for kpi_id in (*OBJECTIVE_10_KPIS, *present(ALSO_SHOWN, summary)):
        kpi = KPI_BY_ID[kpi_id]
        unit, scale, decimals = display_unit(kpi_id)
        label = kpi.label + ("" if unit.lower() in kpi.label.lower() else f", {unit}")
        label += f"; target: {kpi.target_text}" if kpi.target_text else ""
        cells = [cell(table, scenario, kpi_id, month) for month in months]
        rows.append([label, *("-" if c is None else interval_text(c, scale, decimals) for c in cells)])
        if kpi_id == OBJECTIVE_10_KPIS[-1]:
            rows.append(None)  # rule between the plan's measures and the rest
    figures = max((len(text) for row in rows if row for text in row[1:]), default=0)
    wrap = max(28, SCORECARD_WIDTH - len(months) * (max(figures, 19) + 2))
    replications = int(table["replications"].max()) if not table.empty else 0
    plural = "replication" if replications == 1 else "replications"
    return _table(f"Scorecard: {scenario} (mean and 95% confidence interval over {replications} {plural})",
                  header, rows, 1, "Every KPI, with percentiles, is in summary.csv; 'capacity-model list' defines them.",
                  wrap=wrap)


def format_kpi_list() -> str:
    lines = []
    for kpi in KPIS:
        target = f" Plan target: {kpi.target_text}." if kpi.target_text else ""
        lines.append(f"  {kpi.id} ({kpi.unit})")
        lines.append(textwrap.fill(f"{kpi.label}. {kpi.definition}{target}", width=88,
                                   initial_indent="      ", subsequent_indent="      "))
    return "\n".join(lines)


def change_text(c: pd.Series | None, kpi_id: str) -> str:
    if c is None or pd.isna(c["difference_mean"]):
        return "-"
    _, scale, decimals = display_unit(kpi_id)
    return (f"{c['difference_mean'] / scale:+,.{decimals}f} ({c['difference_ci_low'] / scale:+,.{decimals}f} to "
            f"{c['difference_ci_high'] / scale:+,.{decimals}f})")


def change_label(kpi_id: str) -> str:
    if kpi_id == "cost_cumulative_gbp":
        return "Extra cost since the start date"
    label = KPI_BY_ID[kpi_id].label
    return f"Change in {label[0].lower()}{label[1:]}"


def chance_text(c: pd.Series | None) -> str:
    """``40% (19 to 64)``: the share of replications meeting a target, with its 95% interval."""
    if c is None or pd.isna(c["p_meets_target"]):
        return "-"
    return f"{c['p_meets_target']:.0%} ({100 * c['p_meets_target_low']:.0f} to {100 * c['p_meets_target_high']:.0f})"


def format_comparison(differences: pd.DataFrame, months: list[int], variants: list | None = None) -> str:
    """Per option: change from the base (mean and 95% interval) and the chance of meeting targets;
    then, for options also run at both ends of an assumption, how much their effect rests on it."""
    base = differences["base"].iloc[0]
    variant_names = {v.name for v in variants or []}
    header = ["", "unit", *[f"month {m}" for m in months]]
    blocks = []
    wide = False
    for scenario in (s for s in differences["scenario"].drop_duplicates() if s not in variant_names):
        rows = []
        if scenario != base:
            rows += [[change_label(k), display_unit(k)[0], *(change_text(cell(differences, scenario, k, m), k)
                                                            for m in months)] for k in present(COMPARED, differences)]
        for kpi_id in TARGETS_SHOWN:
            kpi = KPI_BY_ID[kpi_id]
            found = [cell(differences, scenario, kpi_id, m) for m in months]
            wide |= any(map(chance_is_wide, found))
            rows.append([f"Chance of meeting target: {kpi.label.lower()} {kpi.target_text}", "% (95% interval)",
                         *map(chance_text, found)])
        title = (f"{scenario}: the base" if scenario == base
                 else f"{scenario} compared with {base} (paired difference, mean and 95% interval)")
        blocks.append(_table(title, header, rows, 2))
    if wide:
        replications = int(differences["replications"].max())
        blocks.append(f"Note: with {replications} replications some chances of meeting a target are known only to "
                      "within more than 30 percentage points (the intervals shown); run more replications (--reps) "
                      "to narrow them.")
    if variants:
        blocks.append(format_assumption_ends(differences, months[-1], variants))
    return "\n\n".join(blocks)


def format_assumption_ends(differences: pd.DataFrame, month: int, variants: list) -> str:
    """Each option's change from the base at ``month`` as its file sets an assumption, and at each end of it."""
    by_option: dict[str, list] = {}
    for variant in variants:
        by_option.setdefault(variant.option, []).append(variant)
    blocks = []
    for option, ends in by_option.items():
        assumption = ends[0].assumption
        header = ["", "unit", "as in the file", *(f"{v.assumption} {v.value:g}" for v in ends)]
        rows = [[change_label(k), display_unit(k)[0],
                 *(change_text(cell(differences, name, k, month), k) for name in (option, *(v.name for v in ends)))]
                for k in present(RESTS_ON, differences)]
        blocks.append(_table(f"{option} at month {month}: how much the change rests on {assumption} "
                             "(0: support staff's freed time goes to the children already held; 1: to more children)",
                             header, rows, 2))
    return "\n\n".join(blocks)


def format_sweep(summary: pd.DataFrame, labels: dict[str, str], kpis: list[str], month: int,
                 grid: bool = True) -> str:
    """Per KPI at ``month``, the mean and 95% interval at each point of a sweep (and, for a KPI with a
    plan target, the chance of meeting it): for a grid of two parameters, a table of the first's
    values by the second's; else a row per point."""
    table = summary[summary["month"] == month]
    names = list(labels)
    blocks = []
    for kpi_id in kpis:
        rows_of = table[table["kpi"] == kpi_id].sort_values("point")
        if rows_of.empty:
            continue
        kpi = KPI_BY_ID[kpi_id]
        unit, divisor, decimals = display_unit(kpi_id)
        title = f"{kpi.label} at month {month} ({pd.Timestamp(rows_of['date'].iloc[0]):%b %Y}), {unit}"
        chance = kpi.target is not None
        if grid and len(names) == 2 and not rows_of.duplicated(names).any():
            across = sorted(rows_of[names[1]].unique())
            cells = {(r[names[0]], r[names[1]]): r for _, r in rows_of.iterrows()}
            header = [f"{labels[names[0]]} \u2193", *(_value(v) for v in across)]
            grid = [[_value(x), *(interval_text(cells[x, y], divisor, decimals) if (x, y) in cells else "-"
                                  for y in across)] for x in sorted(rows_of[names[0]].unique())]
            if chance:
                grid += [None, *([f"chance of {kpi.target_text} at {_value(x)}",
                                  *(chance_text(cells.get((x, y))) for y in across)]
                                 for x in sorted(rows_of[names[0]].unique()))]
            blocks.append(_table(f"{title}\n{labels[names[1]]} \u2192", header, grid, left=1))
            continue
        header = ["point", *names, "mean (95% interval)", *([f"chance of {kpi.target_text}"] if chance else [])]
        rows = [[str(row["point"]), *(_value(row[name]) for name in names), interval_text(row, divisor, decimals),
                 *([chance_text(row)] if chance else [])] for _, row in rows_of.iterrows()]
        blocks.append(_table(title, header, rows, left=1))
    return "\n\n".join(blocks)


def _value(value) -> str:
    return f"{value:,.4g}" if isinstance(value, float) else str(value)


def level_line(row: dict, lever: str, most: int) -> str:
    """One look at a level of a target search: ``Locality posts (FTE) 120: met in 18 of 20 futures, 90% (70 to 97)``;
    ``most`` the replications after which a level too close to call is judged on its estimate."""
    decision = {"meets": "enough", "falls short": "not enough",
                "unsure": "too close to tell: more futures" if row["replications"] < most else
                f"too close to tell in {most} futures: judged on its estimate, "
                f"{'enough' if row['chance'] >= row['probability'] else 'not enough'}"}
    return (f"{lever} {row['value']:g}: met in {row['met']} of {row['replications']} futures, {_share(row)}: "
            f"{decision[row['decision']]}")


def _share(row: dict) -> str:
    return f"{row['chance']:.0%} ({100 * row['chance_low']:.0f} to {100 * row['chance_high']:.0f})"


def format_target(summary: dict) -> str:
    """The answer of a target search in words, with the evidence for it and for the level below."""
    goal, p, lever = summary["target"]["goal"], summary["probability"], summary["label"]

    def evidence(row: dict) -> str:
        return (f"met in {row['met']} of {row['replications']} futures, {_share(row)}; spending since the start "
                f"\u00a3{row['cost_mean'] / 1e6:,.1f} million ({row['cost_ci_low'] / 1e6:,.1f} to "
                f"{row['cost_ci_high'] / 1e6:,.1f})")

    if summary["answer"] is None:
        top = summary["highest_level_evidence"]
        return (f"No level of {lever} up to {top['value']:g} gives {goal} in at least {p:.0%} of futures.\n"
                f"  at {top['value']:g}: {evidence(top)}")
    lines = [f"The least {lever} giving {goal} in at least {p:.0%} of futures: {summary['answer']:g}"
             + (" (uncertain: its chance is too close to tell apart from the one asked)" if summary["uncertain"] else ""),
             f"  at {summary['answer']:g}: {evidence(summary['answer_evidence'])}"]
    if summary["level_below_evidence"]:
        below = summary["level_below_evidence"]
        lines.append(f"  at {below['value']:g}: {evidence(below)}")
    return "\n".join(lines)
