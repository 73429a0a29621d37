"""Which charts a report shows, in which section, with which caption."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
from matplotlib.figure import Figure

from ..analysis import charts
from ..analysis.charts import display_name
from ..analysis.findings import HEADLINE, OVER_TIME
from ..analysis.outputs import publish
from ..analysis.run_folder import ReportError, RunFolder, scenario_events
from ..analysis.tables import cell
from ..measures import KPI_BY_ID

MOST_OPTIONS_CHARTED = 3


@dataclass
class Chart:
    """A chart with its file name, where it goes in the report and how to read it."""

    name: str
    section: str
    group: str
    figure: Figure | None  # None: nothing to draw, and the caption says why
    caption: str


FAN_CAPTION = ("The line is the median of the simulated futures; the darker band holds the middle half of them and "
               "the lighter band 9 in 10. Numbered lines mark the dates changes start or end.")
WORKFORCE_CAPTION = ("Mean headcount by kind of social worker, and the funded posts that neither a permanent nor an "
                     "agency social worker fills.")


def charted_options(run: RunFolder) -> list[str]:
    """The options drawn over time: all of them, or the few that cut the headline KPI most."""
    if len(run.options) <= MOST_OPTIONS_CHARTED:
        return run.options
    month = run.months[-1]
    sign = -1.0 if KPI_BY_ID[HEADLINE].better == "lower" else 1.0

    def improvement(option: str) -> float:
        row = cell(run.differences, option, HEADLINE, month)
        return 0.0 if row is None or pd.isna(row["difference_mean"]) else sign * row["difference_mean"]

    return sorted(run.options, key=improvement, reverse=True)[:MOST_OPTIONS_CHARTED]


def report_charts(run: RunFolder) -> list[Chart]:
    """The report's charts, in order; a chart with nothing to draw (a KPI without values in
    this run) is left out rather than failing the whole report."""
    by_name = {s["name"]: s for s in run.scenarios}
    month = run.months[-1]
    out: list[Chart] = []

    def add(name: str, section: str, group: str, draw: Callable[[], Figure], caption: str) -> None:
        try:
            out.append(Chart(name, section, group, draw(), caption))
        except ValueError as error:  # nothing to draw (a KPI with no value in this run): said on the page
            out.append(Chart(name, section, group, None, f"Not drawn: {error}."))

    if run.base:
        shown = [run.base, *charted_options(run)]
        base = display_name(run.base)
        for option in shown[1:]:
            events = scenario_events(by_name.get(option, {}))
            for kpi in OVER_TIME[:2]:
                add(f"fan-{kpi}-{option}", "over time", f"{display_name(option)} against {base}",
                    lambda: charts.fan_chart(run.kpis, kpi, [run.base, option], events), FAN_CAPTION)
        for name in shown:
            add(f"workforce-{name}", "over time", "Who holds the cases",
                lambda: charts.workforce_composition(run.kpis, name), WORKFORCE_CAPTION)
        for kpi in (HEADLINE, "pct_caseload_le_22", "cost_cumulative_gbp"):
            add(f"options-{kpi}-month{month}", "side by side", "Change from the base",
                lambda: charts.option_comparison(run.option_differences, kpi, month),
                "Each option's change from the base on the same simulated futures (common random numbers). "
                "A bar that crosses the zero line means no clear change.")
        add(f"cost-effect-{HEADLINE}-month{month}", "side by side", "What each option buys",
            lambda: charts.cost_effect(run.option_differences, HEADLINE, month),
            "Up is better, right costs more: the best value sits high and to the left. Bars are 95% intervals.")
    else:
        shown = run.names[:4]
        events = [event for name in shown for event in scenario_events(by_name.get(name, {}))]
        for kpi in OVER_TIME:
            add(f"fan-{kpi}", "over time", "The plan's measures",
                lambda: charts.fan_chart(run.kpis, kpi, shown, events), FAN_CAPTION)
        for name in shown:
            add(f"workforce-{name}", "over time", "Who holds the cases",
                lambda: charts.workforce_composition(run.kpis, name), WORKFORCE_CAPTION)
    if run.caseloads is not None:
        add(f"caseloads-month{month}", "side by side", "Caseloads",
            lambda: charts.caseload_distribution(run.caseloads, month, shown, run.date(month)),
            "Every case-holding social worker at work on that date, in all simulated futures together. "
            "Bars right of the dashed line hold more than 22 children.")
    return out


def save_charts(figures: list[Chart], folder: Path) -> None:
    """Every chart as PNG (300 dpi) and SVG in ``folder``."""
    folder.mkdir(exist_ok=True)
    for chart in figures:
        if chart.figure is not None:
            charts.save(chart.figure, folder / chart.name)


REPORT_FILE, CHARTS_FOLDER = "report.html", "charts"


def publish_report(out: Path, files: dict[str, Callable[[Path], object]]) -> Path:
    """Write a report's files into ``out`` together or not at all; returns the path of ``report.html``."""
    try:
        publish(out, files, into_existing=True)
    except OSError as error:
        raise ReportError(f"{out}: cannot write the report ({error})") from None
    return out / REPORT_FILE
