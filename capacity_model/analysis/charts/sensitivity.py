"""Sensitivity: the parameters that move a KPI most, ranked, as horizontal bars with their intervals.

``tornado`` takes a study's tidy ``indices`` table (``indices.csv``: a row per KPI, month
and parameter, with ``method``, the method's indices, ``indistinguishable`` and ``rank``)
and draws, for one KPI and month, Morris's ``mu_star`` or Sobol's ``ST`` for each
parameter, the most influential at the top, with 95% intervals. A parameter whose index
is not distinguishable from zero is drawn in grey and says so.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...measures import KPI_BY_ID
from .style import COLOURS, STYLE, lower_first, month_text, new_figure, scale, titles, unit_text

RANKED_BY = {"morris": ("mu_star", "mu_star_conf"), "sobol": ("ST", "ST_conf"), "one_at_a_time": ("effect", None)}
GREY = "#bbbbbb"
NOT_DISTINGUISHABLE = "not distinguishable from zero"


def _rows(indices: pd.DataFrame, kpi: str, month: int) -> pd.DataFrame:
    if kpi not in KPI_BY_ID:
        raise ValueError(f"unknown KPI {kpi!r}")
    rows = indices[(indices["kpi"] == kpi) & (indices["month"] == month)]
    if rows.empty:
        held = sorted({(k, int(m)) for k, m in zip(indices["kpi"], indices["month"])})
        raise ValueError(f"no indices for {kpi} at month {month} (the table has: "
                         f"{', '.join(f'{k} at month {m}' for k, m in held)})")
    methods = set(rows["method"])
    if len(methods) != 1 or not methods <= set(RANKED_BY):
        raise ValueError(f"the indices must come from one method, morris, sobol or one_at_a_time, not "
                         f"{sorted(methods)}")
    return rows.sort_values("rank", kind="stable")


def tornado(indices: pd.DataFrame, kpi: str, month: int, labels: Mapping[str, str] | None = None) -> Figure:
    """Each parameter's Morris ``mu_star`` (in the KPI's units) or Sobol ``ST`` (a share of its
    variance, with ``S1`` marked) for one KPI and month, ranked from the top, with 95% intervals;
    those not distinguishable from zero in grey, labelled so.

    ``labels`` maps dotted parameter names to plain words (default: the table's ``label``).
    Each bar has the gid ``bar:<parameter>``; its width is the index (0 for a negative one).
    """
    rows = _rows(indices, kpi, month)
    method = rows["method"].iloc[0]
    if method == "one_at_a_time":
        return _paired_tornado(rows, kpi, month, labels)
    index, conf = RANKED_BY[method]
    definition = KPI_BY_ID[kpi]
    divisor = scale(kpi) if method == "morris" else 1.0
    values = rows[index].to_numpy(float) / divisor
    halves = np.nan_to_num(rows[conf].to_numpy(float) / divisor)
    faint = rows["indistinguishable"].to_numpy(bool)
    widths = np.clip(np.nan_to_num(values), 0.0, None)
    names = _names(rows, labels)
    positions = np.arange(len(rows))
    with matplotlib.rc_context(STYLE):
        figure = new_figure(8.0, 1.9 + 0.42 * len(rows))
        ax = figure.add_subplot()
        bars = ax.barh(positions, widths, height=0.62, color=[GREY if f else COLOURS[1] for f in faint],
                       edgecolor=["#777777" if f else COLOURS[1] for f in faint],
                       hatch=["//" if f else "" for f in faint], linewidth=0.6)
        for bar, parameter in zip(bars, rows["parameter"]):
            bar.set_gid(f"bar:{parameter}")
        known = ~np.isnan(values)
        intervals = ax.errorbar(values[known], positions[known], xerr=halves[known], fmt="none", ecolor=COLOURS[0],
                                elinewidth=1.2, capsize=3, label="95% interval")
        intervals[-1][0].set_gid("intervals")
        if method == "sobol":
            first = rows["S1"].to_numpy(float)
            marks = ax.plot(np.clip(first, 0.0, None), positions, linestyle="none", marker="D", markersize=5,
                            color=COLOURS[2], label="S1: the parameter alone")
            marks[0].set_gid("first-order")
        right = float(np.nanmax(np.concatenate([widths, values + halves, [0.0]])))
        ax.set_xlim(0.0, right * 1.05 if right > 0 else 1.0)
        for position, width, flagged, value, half in zip(positions, widths, faint, values, halves):
            if flagged:  # beyond the end of its interval, so that the words never cross a line
                text = "no result" if np.isnan(value) else NOT_DISTINGUISHABLE
                end = width if np.isnan(value) else max(width, value + half)
                ax.annotate(text, (end, position), xytext=(6, 0), textcoords="offset points", va="center",
                            fontsize=8, color="#555555", fontstyle="italic").set_gid(f"flag:{position}")
        ax.set_yticks(positions, [textwrap.fill(name, 34) for name in names])
        ax.invert_yaxis()  # rank 1 at the top
        ax.grid(axis="y", visible=False)
        if method == "morris":
            ax.set_xlabel("Mean absolute change across the parameter's range (\u03bc*), "
                          f"{unit_text(kpi, difference=True)}")
            what = ("\u03bc*, the mean absolute change in the KPI when one parameter crosses its range (Morris "
                    "screening)")
        else:
            ax.set_xlabel("Total-order Sobol index (ST): share of the KPI's variance, with interactions")
            what = "ST, the share of the KPI's variance due to each parameter with its interactions (Sobol)"
        legend = ax.legend(frameon=False, loc="lower right")
        legend.set_gid("legend")
        date = rows["date"].iloc[0] if "date" in rows and pd.notna(rows["date"].iloc[0]) else None
        when = month_text(month, date) if date is not None else f"month {int(month)}"
        titles(figure, ax, f"What moves {lower_first(definition.label)} at {when}",
               f"Parameters ranked by {what}; lines show 95% intervals; hatched grey bars are not "
               "distinguishable from zero", per_inch=10.0)
    return figure


def _names(rows: pd.DataFrame, labels: Mapping[str, str] | None) -> list[str]:
    return [(labels or {}).get(p, label if isinstance(label, str) and label else p)
            for p, label in zip(rows["parameter"], rows.get("label", rows["parameter"]))]


def _paired_tornado(rows: pd.DataFrame, kpi: str, month: int, labels: Mapping[str, str] | None) -> Figure:
    """One at a time: for each parameter, the change in the KPI at the low and at the high end of its
    range (two bars from zero, gids ``low:<parameter>`` and ``high:<parameter>``), with 95% intervals."""
    definition = KPI_BY_ID[kpi]
    divisor = scale(kpi)
    positions = np.arange(len(rows))
    faint = rows["indistinguishable"].to_numpy(bool)
    with matplotlib.rc_context(STYLE):
        figure = new_figure(8.0, 1.9 + 0.42 * len(rows))
        ax = figure.add_subplot()
        for end, colour, words in (("low", COLOURS[0], "parameter at its low"),
                                   ("high", COLOURS[1], "parameter at its high")):
            change = rows[f"change_{end}"].to_numpy(float) / divisor
            low = rows[f"change_{end}_ci_low"].to_numpy(float) / divisor
            high = rows[f"change_{end}_ci_high"].to_numpy(float) / divisor
            bars = ax.barh(positions, np.nan_to_num(change), height=0.62, color=colour, alpha=0.85, label=words,
                           hatch=["//" if f else "" for f in faint], edgecolor="#555555", linewidth=0.4)
            for bar, parameter in zip(bars, rows["parameter"]):
                bar.set_gid(f"{end}:{parameter}")
            known = ~np.isnan(low)
            ax.errorbar(change[known], positions[known], xerr=[change[known] - low[known], high[known] - change[known]],
                        fmt="none", ecolor="#333333", elinewidth=1.0, capsize=3)
        ax.axvline(0.0, color="#333333", linewidth=0.8)
        ax.set_yticks(positions, [textwrap.fill(name, 34) + (f"\n({NOT_DISTINGUISHABLE})" if f else "")
                                  for name, f in zip(_names(rows, labels), faint)])
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(f"Change from the base, {unit_text(kpi, difference=True)}")
        ax.legend(frameon=False, loc="lower right").set_gid("legend")
        date = rows["date"].iloc[0] if "date" in rows and pd.notna(rows["date"].iloc[0]) else None
        when = month_text(month, date) if date is not None else f"month {int(month)}"
        titles(figure, ax, f"What moves {lower_first(definition.label)} at {when}",
               "Each parameter at the low and the high end of its range, the others as in the base (paired "
               "on common random numbers); lines show 95% intervals", per_inch=10.0)
    return figure
