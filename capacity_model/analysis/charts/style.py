"""What every chart shares: styles that still read in greyscale, names, units and titles, saving."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ...measures import KPI_BY_ID
from ..tables import display_unit


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
    return display_unit(kpi)[1]


def month_text(month: int, when: date | str | pd.Timestamp) -> str:
    """``month 24 (March 2022)``."""
    return f"month {int(month)} ({pd.Timestamp(when):%B %Y})"


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def new_figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)  # Agg, attached to this figure only
    return figure


def series_style(index: int) -> dict:
    i = index % len(COLOURS)
    return {"color": COLOURS[i], "linestyle": LINE_STYLES[i], "marker": MARKERS[i]}


def date_axis(ax) -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))


def titles(figure: Figure, ax, title: str, subtitle: str, per_inch: float = 12.0) -> None:
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
