"""Charts for decision makers, drawn from the tidy result tables.

Each function takes tidy DataFrames (as in a run folder: ``kpis_monthly``,
``comparison``, ``caseloads_monthly``) and returns a matplotlib ``Figure`` that an
analyst can restyle in a notebook before saving. Nothing here reads files or touches
pyplot's global figures. Titles and axis labels come from the KPI labels and units in
``kpis.py``; every series has its own colour *and* line style or marker, so the charts
still read when printed in greyscale.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from matplotlib.patches import Patch

from ...measures import KPI_BY_ID
from ...measures.kpis import CASELOAD_THRESHOLD

__all__ = [
    "caseload_distribution", "cost_effect", "display_name", "fan_chart", "month_text", "option_comparison",
    "save", "scale", "signed", "unit_text", "workforce_composition",
]

Event = tuple[date | str, str]
"""A dated event to mark on a time chart: (date, short label)."""

STYLE = {
    "font.size": 10, "axes.titlesize": 10, "axes.labelsize": 10, "legend.fontsize": 9,
    "xtick.labelsize": 9, "ytick.labelsize": 9, "axes.spines.top": False, "axes.spines.right": False,
    "axes.grid": True, "axes.axisbelow": True, "grid.color": "#dddddd", "grid.linewidth": 0.6,
    "hatch.linewidth": 0.6,
    "svg.fonttype": "none",
}
"""Applied only while a chart is built (``matplotlib.rc_context``), never globally."""

# Okabe-Ito colours (safe for colour-blind readers), dark first, with line styles and
# markers that tell the series apart without colour.
COLOURS = ("#222222", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
LINE_STYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 2)), (0, (1, 1)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
TARGET_COLOUR = "#7a0019"
MONEY_DIVISOR = 1e6

_UNIT_TEXT = {
    "children": "children", "%": "%", "GBP": "£ million", "FTE": "full-time equivalent posts (FTE)",
    "headcount": "social workers (headcount)", "children per FTE": "children per full-time social worker",
    "children per month": "children a month", "calendar days": "calendar days",
    "headcount per FTE": "social workers per full-time manager",
}


def display_name(scenario: str) -> str:
    """A scenario's name as people read it: ``whole-plan`` becomes ``Whole plan``."""
    text = scenario.replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def unit_text(kpi: str, difference: bool = False) -> str:
    """The KPI's unit in words (money in £ million; a change in a % in percentage points)."""
    unit = KPI_BY_ID[kpi].unit
    if difference and unit == "%":
        return "percentage points"
    return _UNIT_TEXT.get(unit, unit)


def scale(kpi: str) -> float:
    """Divisor from stored values to displayed ones: pounds are shown in millions."""
    return MONEY_DIVISOR if KPI_BY_ID[kpi].unit == "GBP" else 1.0


def month_text(month: int, when: date | str | pd.Timestamp) -> str:
    """``month 24 (March 2022)``."""
    return f"month {int(month)} ({pd.Timestamp(when):%B %Y})"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _new_figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)  # Agg, attached to this figure only
    return figure


def _style(index: int) -> dict:
    i = index % len(COLOURS)
    return {"color": COLOURS[i], "linestyle": LINE_STYLES[i], "marker": MARKERS[i]}


def _date_axis(ax) -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))


def _titles(figure: Figure, ax, title: str, subtitle: str, per_inch: float = 12.0) -> None:
    """A bold title and a grey line saying what is drawn, wrapped to the figure's width
    (``per_inch`` characters of subtitle an inch: fewer where long tick labels narrow the chart)."""
    width = figure.get_size_inches()[0]
    figure.suptitle(textwrap.fill(title, int(width * 8.5)), x=0.01, ha="left", fontsize=12, fontweight="bold")
    ax.set_title(textwrap.fill(subtitle, int(width * per_inch)), loc="left", fontsize=9, color="#444444", pad=18)


def signed(value: float, decimals: int) -> str:
    """``+1.5`` or ``−1.5``, with a true minus sign as in print (and ``0`` for a change that rounds to none)."""
    if round(value, decimals) == 0:
        return f"{0:.{decimals}f}"
    return f"{value:+,.{decimals}f}".replace("-", "\u2212")


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
            band, style = bands[name], _style(index)
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
        _date_axis(ax)
        ax.set_ylabel("Per cent" if definition.unit == "%" else unit_text(kpi)[:1].upper() + unit_text(kpi)[1:])
        if definition.unit == "%":
            ax.set_ylim(top=min(105.0, ax.get_ylim()[1]))
        _mark_events(ax, events or [], first, last)
        _fill_footer(footer, handles, keys)
        _titles(figure, ax, definition.label, f"Line: the median of {min(replications)} simulated futures. "
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
    figure = _new_figure(8.0, sum(heights) + 1.3)
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


def _difference_rows(differences: pd.DataFrame, kpi: str, month: int) -> pd.DataFrame:
    rows = differences[(differences["kpi"] == kpi) & (differences["month"] == month)
                       & (differences["scenario"] != differences["base"])]
    rows = rows.dropna(subset=["difference_mean"])
    if rows.empty:
        raise ValueError(f"no differences for {kpi} at month {month}")
    return rows


def option_comparison(differences: pd.DataFrame, kpi: str, month: int) -> Figure:
    """Each option's paired difference from the base in one KPI at one month, with its 95%
    interval and a line at no change, so a board can see which options clearly help."""
    rows = _difference_rows(differences, kpi, month)
    definition = KPI_BY_ID[kpi]
    divisor = scale(kpi)
    base = display_name(rows["base"].iloc[0])
    decimals = 2 if divisor != 1 else definition.decimals
    with matplotlib.rc_context(STYLE):
        figure = _new_figure(8.0, 1.9 + 0.55 * len(rows))
        ax = figure.add_subplot()
        y = np.arange(len(rows))[::-1]
        mean = rows["difference_mean"].to_numpy() / divisor
        low = rows["difference_ci_low"].to_numpy() / divisor
        high = rows["difference_ci_high"].to_numpy() / divisor
        bars = ax.errorbar(mean, y, xerr=[mean - low, high - mean], fmt="o", color="#0072B2", ecolor="#0072B2",
                           elinewidth=2.5, capsize=5, markersize=7, label="mean difference and 95% interval")
        bars[0].set_gid("differences")
        zero = ax.axvline(0, color="#222222", linewidth=1.2)
        zero.set_gid("zero")
        for yi, m, lo, hi in zip(y, mean, low, high):
            ax.annotate(f"{signed(m, decimals)} ({signed(lo, decimals)} to {signed(hi, decimals)})", (hi, yi),
                        xytext=(8, 0), textcoords="offset points", va="center", fontsize=8.5)
        ax.set_yticks(y, [display_name(s) for s in rows["scenario"]])
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.margins(x=0.3)
        ax.grid(axis="y", visible=False)
        unit = unit_text(kpi, difference=True)
        ax.set_xlabel(f"Difference from {base} ({unit})")
        better_left = definition.better == "lower"
        ax.annotate(f"← {'fewer / lower: better' if better_left else 'fewer / lower: worse'}", (0, 0),
                    xycoords="axes fraction", xytext=(0, -34), textcoords="offset points", fontsize=8,
                    color="#444444", ha="left", va="top")
        ax.annotate(f"{'more / higher: worse' if better_left else 'more / higher: better'} →", (1, 0),
                    xycoords="axes fraction", xytext=(0, -34), textcoords="offset points", fontsize=8,
                    color="#444444", ha="right", va="top")
        replications = int(rows["replications"].min())
        _titles(figure, ax, f"{definition.label}: change from {base} at {month_text(month, rows['date'].iloc[0])}",
                f"Mean difference over {replications} paired simulated futures, with its 95% confidence interval; "
                "an interval that crosses zero means no clear change", per_inch=10.0)
    return figure


def cost_effect(differences: pd.DataFrame, kpi: str, month: int) -> Figure:
    """Each option's extra cost since the start date against its improvement in a KPI,
    with 95% intervals both ways: what each option buys, and for how much."""
    if kpi == "cost_cumulative_gbp":
        raise ValueError("choose a KPI other than the cost itself")
    effect = _difference_rows(differences, kpi, month).set_index("scenario")
    cost = _difference_rows(differences, "cost_cumulative_gbp", month).set_index("scenario")
    names = [name for name in effect.index if name in cost.index]
    definition = KPI_BY_ID[kpi]
    sign = -1.0 if definition.better == "lower" else 1.0
    base = display_name(effect["base"].iloc[0])
    labels = []
    with matplotlib.rc_context(STYLE):
        figure = _new_figure(8.0, 5.5)
        ax = figure.add_subplot()
        for index, name in enumerate(names):
            x = cost.loc[name, ["difference_mean", "difference_ci_low", "difference_ci_high"]].to_numpy(float)
            y = sign * effect.loc[name, ["difference_mean", "difference_ci_low", "difference_ci_high"]].to_numpy(float)
            x = x / MONEY_DIVISOR
            y = y / scale(kpi)
            style = _style(index + 1)
            bars = ax.errorbar(x[0], y[0], xerr=[[x[0] - x[1]], [x[2] - x[0]]],
                               yerr=[[y[0] - min(y[1], y[2])], [max(y[1], y[2]) - y[0]]],
                               fmt=style["marker"], color=style["color"], markersize=8, elinewidth=1.8, capsize=4)
            bars[0].set_gid(f"option:{name}")
            labels.append(ax.annotate(display_name(name), (x[0], y[0]), xytext=(7, 7), textcoords="offset points",
                                      fontsize=9, color=style["color"], fontweight="bold"))
        ax.axhline(0, color="#222222", linewidth=1).set_gid("zero-effect")
        ax.axvline(0, color="#222222", linewidth=1).set_gid("zero-cost")
        ax.margins(0.2)
        word = "Reduction in" if definition.better == "lower" else "Increase in"
        ax.set_ylabel(f"{word} {_lower_first(definition.label)}\n({unit_text(kpi, difference=True)}; up is better)")
        ax.set_xlabel("Extra workforce cost since the start date (£ million; further right costs more)")
        when = month_text(month, effect["date"].iloc[0])
        _titles(figure, ax, f"What each option buys: effect against extra cost at {when}",
                f"Paired differences from {base}, mean with 95% confidence intervals both ways")
        _spread(figure, labels)
    return figure


LABEL_PLACES = ((7, 6, "left"), (7, -16, "left"), (-7, 6, "right"), (-7, -16, "right"),
                (7, 20, "left"), (7, -30, "left"), (-7, 20, "right"), (-7, -30, "right"))
"""Offsets (points) and alignments tried in turn for a point's label."""


def _spread(figure: Figure, labels: list) -> None:
    """Place each point's label at the first of ``LABEL_PLACES`` inside the chart where it
    overlaps no other label and no point, so close options stay readable."""
    renderer = figure.canvas.get_renderer()
    figure.draw_without_rendering()
    ax = labels[0].axes if labels else None
    points = []
    for label in labels:
        x, y = ax.transData.transform(label.xy)
        points.append(Bbox.from_extents(x - 6, y - 6, x + 6, y + 6))
    frame = ax.get_window_extent(renderer) if ax else None
    placed: list = []
    for label in labels:
        for dx, dy, align in LABEL_PLACES:
            label.xyann, _ = (dx, dy), label.set_horizontalalignment(align)
            box = label.get_window_extent(renderer)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not any(box.overlaps(other) for other in [*placed, *points]):
                break
        else:
            label.xyann, _ = LABEL_PLACES[0][:2], label.set_horizontalalignment("left")
        placed.append(label.get_window_extent(renderer))


def caseload_distribution(
    caseloads: pd.DataFrame,
    month: int,
    scenarios: Sequence[str] | None = None,
    when: date | str | None = None,
) -> Figure:
    """How many children each case-holding social worker holds at one month (pooled over
    replications, as a % of social workers), with the plan's standard of 22 and the share
    above it, one panel per scenario. ``when``, the month's date, goes in the title."""
    rows = caseloads[caseloads["month"] == month]
    names = list(scenarios) if scenarios is not None else list(dict.fromkeys(rows["scenario"]))
    if not names or any(name not in set(rows["scenario"]) for name in names):
        raise ValueError(f"no caseloads at month {month} for scenarios {names}")
    top = int(max(rows["caseload"].max(), CASELOAD_THRESHOLD + 3))
    with matplotlib.rc_context(STYLE):
        figure = _new_figure(8.0, 1.4 + 2.1 * len(names))
        axes = figure.subplots(len(names), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
        for index, (ax, name) in enumerate(zip(axes, names)):
            table = rows[rows["scenario"] == name]
            counts = table.groupby("caseload")["social_workers"].sum().reindex(range(top + 1), fill_value=0)
            share = 100.0 * counts / counts.sum()
            above = float(share[share.index > CASELOAD_THRESHOLD].sum())
            over = share.index > CASELOAD_THRESHOLD
            within = ax.bar(share.index[~over], share[~over], width=0.85, color="#9ecae1", edgecolor="#3b6e8f",
                            linewidth=0.6, label=f"{CASELOAD_THRESHOLD} or fewer children")
            beyond = ax.bar(share.index[over], share[over], width=0.85, color="#D55E00", edgecolor="#7a2e00",
                            linewidth=0.6, hatch="///", label=f"more than {CASELOAD_THRESHOLD}")
            for bar in within:
                bar.set_gid(f"within:{name}")
            for bar in beyond:
                bar.set_gid(f"above:{name}")
            ax.axvline(CASELOAD_THRESHOLD + 0.5, color=TARGET_COLOUR, linestyle=(0, (6, 3)),
                       linewidth=1.5).set_gid("standard")
            reps = table["replication"].nunique()
            ax.set_title(f"{above:.0f}% hold more than {CASELOAD_THRESHOLD} children", loc="right",
                         fontsize=10, fontweight="bold").set_gid(f"share-above:{name}")
            ax.set_title(f"{display_name(name)} ({reps} simulated futures pooled)", loc="left", fontsize=9.5)
            ax.set_ylabel("% of social workers")
            ax.grid(axis="x", visible=False)
            if index == 0:
                ax.legend(loc="upper left", frameon=False)
        axes[-1].set_xlabel(f"Children held (the dashed line is the plan's standard of {CASELOAD_THRESHOLD} or fewer)")
        moment = month_text(month, when) if when is not None else f"month {month}"
        figure.suptitle(f"Caseloads of case-holding social workers at {moment}", x=0.01, ha="left",
                        fontsize=12, fontweight="bold")
    return figure


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
        _date_axis(ax)
        ax.set_ylim(0, bottom.max() * 1.08 if bottom.max() > 0 else 1)
        ax.set_ylabel("Social workers (headcount) and vacant posts (FTE)")
        _fill_footer(footer, handles, [])
        reps = rows["replication"].nunique()
        _titles(figure, ax, f"Who holds the cases: {display_name(scenario)}",
                f"Mean of {reps} simulated futures. Vacant posts: funded case-holding posts with neither a "
                "permanent nor an agency social worker")
    return figure


def save(figure: Figure, path_stem: str | Path) -> tuple[Path, Path]:
    """Save ``figure`` as ``<path_stem>.png`` at 300 dpi (for documents) and ``.svg``
    (for printing at any size); returns both paths."""
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    png, svg = stem.with_name(stem.name + ".png"), stem.with_name(stem.name + ".svg")
    with matplotlib.rc_context(STYLE):
        figure.savefig(png, dpi=300, facecolor="white")
        figure.savefig(svg, facecolor="white", metadata={"Date": None})
    return png, svg
