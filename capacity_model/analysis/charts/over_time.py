"""Charts over time: a KPI's fan chart with the plan's target and dated changes, and who holds the cases."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ...measures import KPI_BY_ID
from .style import (STYLE, TARGET_COLOUR, Event, date_axis, display_name, new_figure, scale, series_style, titles,
                    unit_text)


def _pick(table: pd.DataFrame, kpi: str, scenarios: Sequence[str] | None) -> tuple[pd.DataFrame, list[str]]:
    if kpi not in KPI_BY_ID:
        raise ValueError(f"unknown KPI {kpi!r}")
    rows = table[table["kpi"] == kpi]
    names = list(scenarios) if scenarios is not None else list(dict.fromkeys(rows["scenario"]))
    missing = [name for name in names if name not in set(rows["scenario"])]
    if missing or not names:
        raise ValueError(f"no {kpi} values for scenarios {missing or names}")
    return rows, names


def fan_chart(
    kpis: pd.DataFrame,
    kpi: str,
    scenarios: Sequence[str] | None = None,
    events: Iterable[Event] | None = None,
) -> Figure:
    """One KPI over time: per scenario the median of the replications with bands holding
    the middle 50% and 90% of them, the plan's target, and numbered dated events.

    The bands show how different one possible future could be, which a mean and its
    confidence interval do not.
    """
    rows, names = _pick(kpis, kpi, scenarios)
    definition = KPI_BY_ID[kpi]
    divisor = scale(kpi)
    bands, replications = {}, []
    for name in names:
        values = rows[rows["scenario"] == name].assign(date=lambda t: pd.to_datetime(t["date"]))
        replications.append(values["replication"].nunique())
        bands[name] = values.groupby("date")["value"].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack() / divisor
    first = min(b.index.min() for b in bands.values())
    last = max(b.index.max() for b in bands.values())
    keys = _event_keys(events or [], first, last)
    legend_rows = -(-(len(names) + 2 + (definition.target is not None)) // 3)
    with matplotlib.rc_context(STYLE):
        figure, ax, footer = _with_footer(legend_rows, keys)
        handles = []
        for index, name in enumerate(names):
            band, style = bands[name], series_style(index)
            x = band.index.to_pydatetime()
            outer = ax.fill_between(x, band[0.05], band[0.95], color=style["color"], alpha=0.12, linewidth=0)
            inner = ax.fill_between(x, band[0.25], band[0.75], color=style["color"], alpha=0.25, linewidth=0)
            outer.set_gid(f"band90:{name}")
            inner.set_gid(f"band50:{name}")
            (line,) = ax.plot(x, band[0.5], linewidth=2, markersize=4, markevery=max(1, len(x) // 8),
                              label=display_name(name), **style)
            line.set_gid(f"median:{name}")
            handles.append(line)
        handles += [Patch(color="#222222", alpha=0.40, label="middle half of simulated futures"),
                    Patch(color="#222222", alpha=0.15, label="9 in 10 simulated futures")]
        if definition.target is not None:
            target = ax.axhline(definition.target / divisor, color=TARGET_COLOUR, linewidth=1.5,
                                linestyle=(0, (6, 3)), label=f"plan target: {definition.target_text}")
            target.set_gid("target")
            handles.append(target)
        date_axis(ax)
        ax.set_ylabel("Per cent" if definition.unit == "%" else unit_text(kpi)[:1].upper() + unit_text(kpi)[1:])
        if definition.unit == "%":
            ax.set_ylim(top=min(105.0, ax.get_ylim()[1]))
        _mark_events(ax, events or [], first, last)
        _fill_footer(footer, handles, keys)
        titles(figure, ax, definition.label, f"Line: the median of {min(replications)} simulated futures. "
                "Shading: the middle half of them and 9 in 10")
    return figure


def _events_by_date(events: Iterable[Event], first, last) -> list[tuple[pd.Timestamp, list[str]]]:
    by_date: dict[pd.Timestamp, list[str]] = {}
    for when, label in events:
        stamp = pd.Timestamp(when)
        if first <= stamp <= last and label not in by_date.setdefault(stamp, []):
            by_date[stamp].append(label)
    return sorted(by_date.items())


def _event_keys(events: Iterable[Event], first, last) -> list[str]:
    return [f"({number}) {stamp:%b %Y}: {', '.join(labels)}"
            for number, (stamp, labels) in enumerate(_events_by_date(events, first, last), start=1)]


def _mark_events(ax, events: Iterable[Event], first, last) -> None:
    """A numbered dotted line at each event date within the chart (the key is in the footer)."""
    for number, (stamp, _) in enumerate(_events_by_date(events, first, last), start=1):
        line = ax.axvline(stamp.to_pydatetime(), color="#555555", linewidth=1, linestyle=":")
        line.set_gid(f"event:{stamp:%Y-%m-%d}")
        ax.annotate(str(number), (stamp.to_pydatetime(), 1.0), xycoords=("data", "axes fraction"),
                    xytext=(0, 3), textcoords="offset points", ha="center", va="bottom", fontsize=8,
                    fontweight="bold", bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": "#555555"})


KEY_WIDTH = 110
"""Characters per line of the key to the dates marked."""


def _with_footer(legend_rows: int, keys: list[str], plot_height: float = 3.6):
    """A figure with the chart on top and, below it, room for the legend and the key to the
    dates marked, sized in inches so nothing overlaps."""
    key_lines = sum(textwrap.fill(k, KEY_WIDTH).count("\n") + 1 for k in keys) + 1 if keys else 0
    legend_height = 0.24 * legend_rows + 0.1
    key_height = 0.175 * key_lines + 0.05 if keys else 0.0
    heights = [plot_height, legend_height] + ([key_height] if keys else [])
    figure = new_figure(8.0, sum(heights) + 1.3)
    grid = figure.add_gridspec(len(heights), 1, height_ratios=heights)
    ax = figure.add_subplot(grid[0])
    footer = [figure.add_subplot(grid[i]) for i in range(1, len(heights))]
    for extra in footer:
        extra.set_axis_off()
    return figure, ax, footer


def _fill_footer(footer: list, handles: list, keys: list[str]) -> None:
    footer[0].legend(handles=handles, loc="center", ncol=3, frameon=False)
    if keys:
        text = "\n".join(textwrap.fill(k, KEY_WIDTH, subsequent_indent="      ") for k in keys)
        footer[1].text(0.0, 1.0, "Dates marked on the chart:\n" + text, transform=footer[1].transAxes,
                       va="top", ha="left", fontsize=8.5, color="#333333", linespacing=1.35).set_gid("event-key")


WORKFORCE_LAYERS = (
    ("staff_experienced", "experienced permanent", "#08519c", ""),
    ("staff_newly_qualified", "newly qualified (ASYE)", "#6baed6", ""),
    ("staff_agency", "agency", "#E69F00", "..."),
    ("staff_interim", "interim team", "#D55E00", "xx"),
    ("vacant", "vacant posts with no agency cover", "#ffffff", "///"),
)


def workforce_composition(kpis: pd.DataFrame, scenario: str) -> Figure:
    """Who holds the cases over time: mean experienced permanent, newly qualified, agency
    and interim social workers, and the funded posts nobody covers, stacked.

    Agency workers fill vacant posts, so the vacant layer is the case-holding gap left
    after agency cover (gap minus agency workers, at least 0, per replication): stacking
    the whole gap on top of agency workers would count those posts twice.
    """
    needed = [layer[0] for layer in WORKFORCE_LAYERS[:4]] + ["sw_gaps_case_holding"]
    rows = kpis[(kpis["scenario"] == scenario) & kpis["kpi"].isin(needed)]
    if rows.empty:
        raise ValueError(f"no workforce KPIs for scenario {scenario!r}")
    wide = rows.pivot_table(index=["replication", "date"], columns="kpi", values="value").reindex(
        columns=needed, fill_value=0.0).fillna(0.0)
    wide["vacant"] = (wide["sw_gaps_case_holding"] - wide["staff_agency"]).clip(lower=0.0)
    means = wide.groupby(level="date").mean()
    x = pd.to_datetime(means.index).to_pydatetime()
    with matplotlib.rc_context(STYLE):
        figure, ax, footer = _with_footer(2, [])
        bottom = np.zeros(len(means))
        handles = []
        for kpi, label, colour, hatch in WORKFORCE_LAYERS:
            top = bottom + means[kpi].to_numpy()
            area = ax.fill_between(x, bottom, top, facecolor=colour, edgecolor="#333333", linewidth=0.5,
                                   hatch=hatch or None, label=label)
            area.set_gid(f"layer:{kpi}")
            handles.append(area)
            bottom = top
        date_axis(ax)
        ax.set_ylim(0, bottom.max() * 1.08 if bottom.max() > 0 else 1)
        ax.set_ylabel("Social workers (headcount) and vacant posts (FTE)")
        _fill_footer(footer, handles, [])
        reps = rows["replication"].nunique()
        titles(figure, ax, f"Who holds the cases: {display_name(scenario)}",
                f"Mean of {reps} simulated futures. Vacant posts: funded case-holding posts with neither a "
                "permanent nor an agency social worker")
    return figure
