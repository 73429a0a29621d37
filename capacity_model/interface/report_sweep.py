"""The report of a sweep folder: ``report.html`` and ``charts/``, from what ``capacity-model sweep`` wrote.

A sweep asks how the plan's measures move as one or two settings change. The page says
what was swept, shows each KPI against the settings (lines with 95% intervals and, for
two or more settings, heatmaps of the mean and of the chance of meeting the plan's
target), tabulates every point with its intervals, lists any tasks that failed and
records where the figures came from. Like the run report, it is self-contained (charts
embedded as PNG) and written together with ``charts/`` or not at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pandas as pd
from matplotlib.figure import Figure

from ..analysis import charts
from ..analysis.charts import month_text
from ..analysis.charts.sweep import value_text
from ..analysis.findings import figure_text
from ..analysis.run_folder import ReportError, read_table
from ..analysis.summary import CHANCE_COLUMNS
from ..analysis.tables import display_unit
from ..measures import KPI_BY_ID
from ..studies.sweep import MANIFEST
from ..studies.sweep_file import parameter_text
from ..version import __version__
from .report_charts import CHARTS_FOLDER, REPORT_FILE, Chart, publish_report, save_charts
from .report_page import CSS, _chance_html, _e, _table, figure_html

SWEEP_MANIFEST = MANIFEST
MOST_FAILURES_LISTED = 50
MOST_MONTHS_TABULATED = 4
"""The tables show at most the last four months of interest; every month is in summary.csv."""


@dataclass
class SweepFolder:
    """What a sweep folder holds, read once."""

    path: Path
    manifest: dict
    points: pd.DataFrame  # point, scenario, a column per parameter
    summary: pd.DataFrame  # point, parameters..., kpi, month, date, mean, ci_low, ci_high, ..., p_meets_target...
    failures: pd.DataFrame | None  # point, replication, task, error, parameters...

    @property
    def parameters(self) -> list[str]:
        return list(self.manifest["parameters"])

    @property
    def spec(self) -> dict:
        return self.manifest.get("sweep") or {}

    @property
    def labels(self) -> dict[str, str]:
        """Each parameter in plain words: the sweep file's ``label``, or its dotted path made readable."""
        given = self.spec.get("parameters") or {}
        return {name: (given.get(name) or {}).get("label") or parameter_text(name) for name in self.parameters}

    @property
    def kpis(self) -> list[str]:
        """The KPIs in the summary, in the sweep file's order."""
        held = [k for k in dict.fromkeys(self.summary["kpi"]) if k in KPI_BY_ID]
        asked = [k for k in self.spec.get("kpis") or [] if k in held]
        return asked + [k for k in held if k not in asked]

    @property
    def months(self) -> list[int]:
        return sorted(int(m) for m in set(self.summary["month"]))

    @property
    def grid(self) -> bool:
        return self.spec.get("design", "grid") == "grid"

    def date(self, month: int) -> str:
        return str(self.summary.loc[self.summary["month"] == month, "date"].iloc[0])


def read_sweep_folder(folder: str | Path) -> SweepFolder:
    """Read a folder written by ``capacity-model sweep``; ``ReportError`` naming the file that is
    missing, damaged or cut short."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError(f"{folder}: no such sweep folder")
    path = folder / SWEEP_MANIFEST
    if not path.is_file():
        raise ReportError(f"{path}: missing; not a sweep folder (give a folder written by 'capacity-model sweep')")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        raise ReportError(f"{path}: cannot be read ({error}); the sweep folder is damaged") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != "sweep" or not isinstance(
            manifest.get("parameters"), list) or not manifest["parameters"]:
        raise ReportError(f"{path}: is not a sweep's manifest (no kind 'sweep' or no parameters); "
                          "the sweep folder is damaged")
    parameters = manifest["parameters"]
    points = _csv(folder / "points.csv", ["point", "scenario", *parameters])
    summary = _csv(folder / "summary.csv", ["point", *parameters, "kpi", "month", "date", "mean", "ci_low",
                                            "ci_high", "replications"], keys=["point", "kpi", "month", "date"])
    for column in CHANCE_COLUMNS:
        if column not in summary.columns:
            summary[column] = float("nan")
    failures_path = folder / "failures.csv"
    failures = _csv(failures_path, ["point", "replication", "error"], keys=["point"]) \
        if failures_path.is_file() else None
    return SweepFolder(folder, manifest, points, summary, failures)


def _csv(path: Path, columns: list[str], keys: list[str] | None = None) -> pd.DataFrame:
    return read_table(path, columns, required=keys, folder="sweep folder", again="run the sweep into it again")


def sweep_charts(sweep: SweepFolder) -> list[Chart]:
    """For each KPI at the last month: its lines against the first parameter (one per value of
    the second), and with two or more parameters its heatmaps; a Latin hypercube's points
    against each parameter instead. A chart with nothing to draw is named, not fatal."""
    month, names, labels = sweep.months[-1], sweep.parameters, sweep.labels
    summary, fixed = sweep.summary, ""
    if sweep.grid and len(names) > 2:  # the first two parameters, with the others at their first values
        first = sweep.points.iloc[0]
        for name in names[2:]:
            summary = summary[summary[name] == first[name]]
        fixed = " Drawn with " + ", ".join(f"{labels[n]} at {value_text(first[n])}" for n in names[2:]) + "."
    out: list[Chart] = []

    def add(name: str, kpi: str, draw: Callable[[], Figure], caption: str) -> None:
        try:
            out.append(Chart(name, "sweep", kpi, draw(), caption))
        except ValueError as error:
            out.append(Chart(name, "sweep", kpi, None, f"Not drawn: {error}."))

    for kpi in sweep.kpis:
        if not sweep.grid:
            for index, name in enumerate(names, start=1):
                add(f"points-{kpi}-parameter{index}-month{month}", kpi,
                    lambda: charts.sweep_lines(summary, kpi, month, name, labels=labels, join=False),
                    "Each point's mean with its 95% interval. The points of a Latin hypercube differ in every "
                    "parameter at once, so part of the scatter comes from the others.")
            continue
        by = names[1] if len(names) > 1 else None
        target = KPI_BY_ID[kpi].target_text
        add(f"lines-{kpi}-month{month}", kpi, lambda: charts.sweep_lines(summary, kpi, month, names[0], by, labels),
            "Each point's mean with its 95% confidence interval"
            + (f"; the dashed line is the plan's target: {target}." if target else ".") + fixed)
        if by is None:
            continue
        add(f"heatmap-{kpi}-month{month}", kpi,
            lambda: charts.sweep_heatmap(summary, kpi, month, names[0], by, labels=labels),
            "The mean at each point; lighter cells are better." + fixed)
        if KPI_BY_ID[kpi].target is not None:
            add(f"chance-{kpi}-month{month}", kpi,
                lambda: charts.sweep_heatmap(summary, kpi, month, names[0], by, "p_meets_target", labels),
                "The share of simulated futures at each point that meet the plan's target; lighter cells are "
                "better. The 95% intervals are in the tables below." + fixed)
    return out


def _values_html(sweep: SweepFolder, name: str) -> str:
    spec = (sweep.spec.get("parameters") or {}).get(name) or {}
    relative = {"multiply": "times the base's value", "add": "added to the base's value"}.get(spec.get("relative"))
    if spec.get("range"):
        text = f"from {value_text(spec['range']['low'])} to {value_text(spec['range']['high'])}"
    else:
        values = spec.get("values") or list(dict.fromkeys(sweep.points[name]))
        texts = [value_text(v) for v in values]
        text = ", ".join(texts[:-1]) + " and " + texts[-1] if len(texts) > 1 else texts[0]
    return _e(f"{text} ({relative})" if relative else text)


def _swept_html(sweep: SweepFolder) -> str:
    m, labels = sweep.manifest, sweep.labels
    rows = [[_e(labels[n]), f"<code>{_e(n)}</code>", _values_html(sweep, n)] for n in sweep.parameters]
    design = ("every combination of these values" if sweep.grid else
              f"{m.get('points', len(sweep.points))} points spread over these ranges (a Latin hypercube)")
    months = [month_text(month, sweep.date(month)) for month in sweep.months]
    months = ", ".join(months[:-1]) + " and " + months[-1] if len(months) > 1 else months[0]
    description = sweep.spec.get("description") or ""
    return ("<h2>What was swept</h2>" + (f"<p>{_e(description)}</p>" if description else "")
            + _table(["setting", "in the scenario", "values"], rows, 99)
            + f"<p class='note'>Points: {_e(design)}, {_e(m.get('points', len(sweep.points)))} in all, each a "
            f"copy of the scenario <code>{_e((m.get('base') or {}).get('name', ''))}</code> with these settings "
            f"changed. Each point was run {_e(m.get('replications', ''))} times (simulated futures) for "
            f"{_e(m.get('months', ''))} months with seed {_e(m.get('seed', ''))}. Reported at {_e(months)}.</p>")


def _mean_html(row: pd.Series | None, kpi: str) -> str:
    if row is None or pd.isna(row["mean"]):
        return "-"
    if pd.isna(row["ci_low"]):
        return _e(figure_text(row["mean"], kpi))
    return (f"{_e(figure_text(row['mean'], kpi))}<br><span class='ci'>({_e(figure_text(row['ci_low'], kpi))} to "
            f"{_e(figure_text(row['ci_high'], kpi))})</span>")


def _point_tables_html(sweep: SweepFolder) -> str:
    """A table per KPI: each point's settings, then its mean and 95% interval (and chance of
    meeting the plan's target) at each month of interest."""
    months, labels = sweep.months[-MOST_MONTHS_TABULATED:], sweep.labels
    rows_by = {key: row for key, row in zip(
        sweep.summary[["point", "kpi", "month"]].itertuples(index=False, name=None),
        (r for _, r in sweep.summary.iterrows()))}
    parts = ["<h2>Results at each point</h2><p class='note'>Mean of the simulated futures at each point with its "
             "95% confidence interval in brackets; the chance of meeting the plan's target is the share of them "
             "that meet it, with its 95% interval. Every KPI and month is in <code>summary.csv</code>.</p>"]
    for kpi in sweep.kpis:
        definition = KPI_BY_ID[kpi]
        target = definition.target is not None
        header = ["point", *(_e(labels[n]) for n in sweep.parameters)]
        for month in months:
            when = f"{pd.Timestamp(sweep.date(month)):%b %Y}"
            header.append(f"mean, month {month}<br><span class='ci'>{_e(when)}</span>")
            if target:
                header.append(f"chance of meeting the target, month {month}<br><span class='ci'>{_e(when)}</span>")
        rows = []
        for point in sweep.points.itertuples(index=False):
            values = dict(zip(sweep.points.columns, point))
            row = [_e(values["point"]), *(_e(value_text(values[n])) for n in sweep.parameters)]
            for month in months:
                found = rows_by.get((values["point"], kpi, month))
                row.append(_mean_html(found, kpi))
                if target:
                    row.append(_chance_html(found))
            rows.append(row)
        unit = display_unit(kpi)[0]
        goal = f"; the plan's target: {definition.target_text}" if target else ""
        better = "lower" if definition.better == "lower" else "higher"
        parts.append(f"<h3>{_e(definition.label)}</h3><p class='note'>Unit: {_e(unit)}; {better} is better{_e(goal)}."
                     f"</p>{_table(header, rows, 0)}")
    return "".join(parts)


def _failures_html(sweep: SweepFolder) -> str:
    failures, m = sweep.failures, sweep.manifest
    if failures is None or failures.empty:
        return ""
    labels = sweep.labels
    shown = [n for n in sweep.parameters if n in failures.columns]
    rows = [[_e(r["point"]), *(_e(value_text(r[n])) for n in shown), _e(r["replication"]),
             _e(" ".join(str(r["error"]).split())[:300])] for _, r in failures.head(MOST_FAILURES_LISTED).iterrows()]
    more = (f" The first {MOST_FAILURES_LISTED} are listed; <code>failures.csv</code> has them all."
            if len(failures) > MOST_FAILURES_LISTED else "")
    return (f"<h2>Tasks that failed</h2><p class='note'>{len(failures)} of {_e(m.get('tasks', '?'))} tasks (one "
            "replication of one point each) stopped with an error, so the points they belong to rest on fewer "
            f"simulated futures (the tables' intervals allow for that).{more}</p>"
            + _table(["point", *(_e(labels[n]) for n in shown), "replication", "error"], rows, 99))


def _provenance_html(sweep: SweepFolder) -> str:
    m = sweep.manifest
    made = f"{datetime.now(timezone.utc).astimezone():%Y-%m-%d %H:%M %Z} by capacity-model {__version__}"
    rows = [("Sweep folder", sweep.path.name), ("Sweep", m.get("name", "")), ("Command", m.get("command", "")),
            ("Sweep file", m.get("sweep_file") or ""), ("Base scenario", (m.get("base") or {}).get("name", "")),
            ("Design", sweep.spec.get("design", "grid")), ("Points", m.get("points", len(sweep.points))),
            ("Replications (simulated futures) at each point", m.get("replications", "")),
            ("Months from the start date", m.get("months", "")), ("Seed", m.get("seed", "")),
            ("Tasks", f"{m.get('tasks', '')} ({m.get('failed', 0)} failed)"),
            ("Model version", f"capacity-model {m.get('version', '')}"), ("Fingerprint", m.get("fingerprint", "")),
            ("Python", m.get("python", "")), ("Sweep started", m.get("started", "")),
            ("Sweep finished", m.get("finished", "")), ("Report made", made)]
    return "<h2>Where these figures came from</h2>" + _table(
        None, [[_e(k), f"<code>{_e(v)}</code>" if k == "Command" else _e(v)] for k, v in rows], 99)


def _charts_html(sweep: SweepFolder, figures: list[Chart]) -> str:
    month = sweep.months[-1]
    parts = [f"<h2>At {_e(month_text(month, sweep.date(month)))}</h2>"]
    for kpi in sweep.kpis:
        shown = [c for c in figures if c.group == kpi]
        if shown:
            parts.append(f"<h3>{_e(KPI_BY_ID[kpi].label)}</h3>")
        parts.extend(figure_html(chart) for chart in shown)
    return "".join(parts)


def sweep_page(sweep: SweepFolder, figures: list[Chart]) -> str:
    """The whole page: what was swept, charts, each point's figures, failures, provenance."""
    m, labels = sweep.manifest, sweep.labels
    title = f"Workforce capacity sweep: {m.get('name', sweep.path.name)}"
    start = (m.get("base") or {}).get("start_date")
    today = datetime.now()
    swept = " and ".join(labels[n] for n in sweep.parameters)
    parts = [f"<h1>{_e(title)}</h1>",
             f"<p class='lede'>How the plan's measures change with {_e(swept)}. Simulated with capacity-model "
             f"{_e(m.get('version', ''))}: {_e(m.get('points', len(sweep.points)))} points, each "
             f"{_e(m.get('replications', ''))} simulated futures of {_e(m.get('months', ''))} months"
             + (f" from {pd.Timestamp(start):%B %Y}" if start else "")
             + f". Report made {today.day} {today:%B %Y}.</p>",
             _swept_html(sweep),
             "<p class='note'>How to read the figures: each is the mean of a point's simulated futures with its "
             "95% confidence interval, the range that allows for the chance in a limited number of runs. These are "
             "the model's estimates under the base scenario's assumptions, not forecasts.</p>",
             _charts_html(sweep, figures), _point_tables_html(sweep), _failures_html(sweep), _provenance_html(sweep)]
    return (f"<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'><title>{_e(title)}</title>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{CSS}</style></head>"
            f"<body>{''.join(parts)}</body></html>\n")


def write_sweep_report(folder: str | Path, out_dir: str | Path | None = None) -> Path:
    """Write ``report.html`` and ``charts/`` for a sweep folder into ``out_dir`` (default: the
    sweep folder itself), together or not at all; returns the path of ``report.html``."""
    sweep = read_sweep_folder(folder)
    out = Path(out_dir) if out_dir is not None else sweep.path
    figures = sweep_charts(sweep)
    return publish_report(out, {
        CHARTS_FOLDER: lambda path: save_charts(figures, path),
        REPORT_FILE: lambda path: path.write_text(sweep_page(sweep, figures), encoding="utf-8"),
    })
