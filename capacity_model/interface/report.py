"""The business-case report: ``report.html``, ``workbook.xlsx`` and ``charts/`` from a run folder.

A board paper needs figures with intervals, charts that read at a glance and an audit
trail behind every number. ``write_report`` reads a folder written by ``capacity-model
run`` or ``compare`` (never the engine) and writes:

- ``report.html``: one self-contained page (charts embedded as PNG, no links to
  fetch), so it can be emailed or printed: the findings in words, charts, the
  scorecards with 95% intervals, each option's change from the base, the assumptions
  and where the figures came from;
- ``workbook.xlsx``: the same tables for analysts and finance colleagues;
- ``charts/``: every chart as PNG (300 dpi) and SVG, to paste into documents.

Files are written under temporary names and renamed into place, so a failed report
leaves no half-written file and never spoils an earlier one.
"""

from __future__ import annotations

import base64
import html
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

import pandas as pd
from matplotlib.figure import Figure

from ..analysis import charts
from ..analysis.charts import display_name, month_text, signed
from ..analysis.run_folder import (ReportError, RunFolder, assumption_rows, price_year, provenance, read_run_folder,
                                   scenario_events)
from ..analysis.tables import ALSO_SHOWN, COMPARED, TARGETS_SHOWN, display_unit
from ..analysis.workbook import write_workbook
from ..measures import KPI_BY_ID, OBJECTIVE_10_KPIS

__all__ = ["ReportError", "read_run_folder", "scenario_events", "write_report"]

REPORT_FILE, WORKBOOK_FILE, CHARTS_FOLDER = "report.html", "workbook.xlsx", "charts"
HEADLINE = "unallocated_over_5d"
"""The KPI that leads each option's finding and the cost-effect chart."""
OVER_TIME = ("unallocated_over_5d", "pct_caseload_le_22", "average_caseload", "agency_sw")
MOST_OPTIONS_CHARTED = 3
MARKS = ("[F] found in a published source, [D] derived from published figures, [E] an estimate "
         "to be checked locally.")


def write_report(run_folder: str | Path, out_dir: str | Path | None = None) -> Path:
    """Write ``report.html``, ``workbook.xlsx`` and ``charts/`` for a run or compare folder
    into ``out_dir`` (default: the run folder itself); returns the path of ``report.html``."""
    run = read_run_folder(run_folder)
    out = Path(out_dir) if out_dir is not None else run.path
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReportError(f"{out}: cannot create the report folder ({error.strerror})") from None
    figures = _charts(run)
    staged: list[tuple[Path, Path]] = []
    try:
        staged.append((_stage(out, CHARTS_FOLDER, lambda p: _save_charts(figures, p), folder=True),
                       out / CHARTS_FOLDER))
        staged.append((_stage(out, WORKBOOK_FILE, lambda p: write_workbook(run, p)), out / WORKBOOK_FILE))
        staged.append((_stage(out, REPORT_FILE, lambda p: p.write_text(_html(run, figures), encoding="utf-8")),
                       out / REPORT_FILE))
        for temporary, final in staged:
            _replace(temporary, final)
    except OSError as error:
        raise ReportError(f"{out}: cannot write the report ({error})") from None
    finally:
        for temporary, _ in staged:
            _remove(temporary)
    return out / REPORT_FILE


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _stage(out: Path, name: str, write: Callable[[Path], None], folder: bool = False) -> Path:
    """Write through ``write`` to a hidden temporary name beside ``name``."""
    if folder:
        path = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=out))
    else:
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
        os.close(handle)
        path = Path(temporary)
    try:
        write(path)
        path.chmod(0o755 if folder else 0o644)  # temporary names are private; the results are not
    except BaseException:
        _remove(path)
        raise
    return path


def _replace(temporary: Path, final: Path) -> None:
    if temporary.is_dir() and final.is_dir():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old.", dir=final.parent))
        final.rename(old / final.name)
        temporary.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(temporary, final)


# --- what the report says ------------------------------------------------------------


def _kpi_phrase(kpi: str) -> str:
    label = KPI_BY_ID[kpi].label
    label = label[:1].lower() + label[1:] if label[1:2].islower() else label
    return f"the share of {label}" if kpi.startswith("pct_") else label


def _figure(value: float, kpi: str) -> str:
    unit, divisor, decimals = display_unit(kpi)
    return f"{value / divisor:,.{decimals}f}"


def change_in_words(kpi: str, mean: float, low: float, high: float) -> str:
    """``cuts children unallocated over 5 working days by 104 (88 to 119)``."""
    unit = " percentage points" if KPI_BY_ID[kpi].unit == "%" else ""
    what = _kpi_phrase(kpi)
    if pd.isna(low) or low <= 0 <= high:
        _, divisor, decimals = display_unit(kpi)
        return (f"makes no clear difference to {what} ({signed(mean / divisor, decimals)}{unit}; "
                f"95% interval {signed(low / divisor, decimals)} to {signed(high / divisor, decimals)})")
    verdict = "better" if (mean < 0) == (KPI_BY_ID[kpi].better == "lower") else "worse"
    if mean < 0:
        words = f"cuts {what} by {_figure(-mean, kpi)}{unit} ({_figure(-high, kpi)} to {_figure(-low, kpi)})"
    else:
        words = f"raises {what} by {_figure(mean, kpi)}{unit} ({_figure(low, kpi)} to {_figure(high, kpi)})"
    return words if kpi == HEADLINE else f"{words}: {verdict}"


def cost_in_words(mean: float, low: float, high: float) -> str:
    """``for £2.20 million (2.17 to 2.24) more``."""
    if pd.isna(low) or low <= 0 <= high:
        def pounds(value: float) -> str:
            text = signed(value / 1e6, 2)
            return text if text[0].isdigit() else f"{text[0]}£{text[1:]}"

        return (f"with no clear difference in cost ({pounds(mean)} million; 95% interval {pounds(low)} to "
                f"{pounds(high)} million)")
    if mean > 0:
        return f"for £{mean / 1e6:,.2f} million ({low / 1e6:,.2f} to {high / 1e6:,.2f}) more"
    return f"saving £{-mean / 1e6:,.2f} million ({-high / 1e6:,.2f} to {-low / 1e6:,.2f})"


def _difference(run: RunFolder, scenario: str, kpi: str, month: int) -> pd.Series | None:
    table = run.differences
    rows = table[(table["scenario"] == scenario) & (table["kpi"] == kpi) & (table["month"] == month)]
    return None if rows.empty else rows.iloc[0]


def findings(run: RunFolder) -> list[tuple[str, list[str]]]:
    """Per option: a lead sentence (the headline KPI and the cost) and one line per other
    KPI compared, at the last scorecard month."""
    month = run.months[-1]
    when = month_text(month, run.date(month))
    out = []
    for option in run.options:
        head, cost = _difference(run, option, HEADLINE, month), _difference(run, option, "cost_cumulative_gbp", month)
        if head is None or pd.isna(head["difference_mean"]):
            continue
        lead = f"{display_name(option)} {change_in_words(HEADLINE, *_values(head))} at {when}"
        lead += f", {cost_in_words(*_values(cost))}." if cost is not None and pd.notna(cost["difference_mean"]) else "."
        details = []
        for kpi in COMPARED:
            row = _difference(run, option, kpi, month)
            if kpi not in (HEADLINE, "cost_cumulative_gbp") and row is not None and pd.notna(row["difference_mean"]):
                details.append(f"It {change_in_words(kpi, *_values(row))}.")
        out.append((lead, details))
    return out


def _targets_html(run: RunFolder) -> str:
    """The chance of meeting each of the plan's targets at the last month, per scenario."""
    month = run.months[-1]
    rows = []
    for kpi in TARGETS_SHOWN:
        cells = [_difference(run, name, kpi, month) for name in run.names]
        rows.append([_e(f"{KPI_BY_ID[kpi].label}: {KPI_BY_ID[kpi].target_text}"),
                     *("-" if c is None or pd.isna(c["p_meets_target"]) else f"{c['p_meets_target']:.0%}"
                       for c in cells)])
    header = [_e(f"Share of simulated futures meeting the plan's target at {month_text(month, run.date(month))}"),
              *(_e(display_name(n)) for n in run.names)]
    return _table(header, rows, 1)


def _values(row: pd.Series) -> tuple[float, float, float]:
    return float(row["difference_mean"]), float(row["difference_ci_low"]), float(row["difference_ci_high"])


def headline_figures(run: RunFolder, scenario: str) -> list[str]:
    """A run folder's key figures for one scenario at its last scorecard month, beside the targets."""
    month = run.months[-1]
    lines = []
    for kpi in OVER_TIME:
        row = _summary_row(run, scenario, kpi, month)
        if row is not None:
            target = f"; the plan's target: {KPI_BY_ID[kpi].target_text}" if KPI_BY_ID[kpi].target_text else ""
            lines.append(f"{KPI_BY_ID[kpi].label}: {amount_in_words(kpi, row['mean'], row['ci_low'], row['ci_high'])}"
                         f"{target}.")
    return lines


def amount_in_words(kpi: str, mean: float, low: float, high: float) -> str:
    """``72.4% (43.1 to 100.0)``, ``£16.44 million (16.30 to 16.58)``, ``20.1 children per FTE (19.2 to 21.0)``."""
    unit = KPI_BY_ID[kpi].unit
    interval = "" if pd.isna(low) else f" ({_figure(low, kpi)} to {_figure(high, kpi)})"
    if unit == "GBP":
        return f"£{_figure(mean, kpi)} million{interval}"
    if unit == "%":
        return f"{_figure(mean, kpi)}%{interval}"
    shown = "" if unit in ("children", "headcount") else f" {unit}"
    return f"{_figure(mean, kpi)}{shown}{interval}"


def _summary_row(run: RunFolder, scenario: str, kpi: str, month: int) -> pd.Series | None:
    s = run.summary
    rows = s[(s["scenario"] == scenario) & (s["kpi"] == kpi) & (s["month"] == month)]
    return None if rows.empty else rows.iloc[0]


# --- charts --------------------------------------------------------------------------


@dataclass
class Chart:
    """A chart with its file name, where it goes in the report and how to read it."""

    name: str
    section: str
    group: str
    figure: Figure
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
        row = _difference(run, option, HEADLINE, month)
        return 0.0 if row is None or pd.isna(row["difference_mean"]) else sign * row["difference_mean"]

    return sorted(run.options, key=improvement, reverse=True)[:MOST_OPTIONS_CHARTED]


def _charts(run: RunFolder) -> list[Chart]:
    """The report's charts, in order; a chart with nothing to draw (a KPI without values in
    this run) is left out rather than failing the whole report."""
    by_name = {s["name"]: s for s in run.scenarios}
    month = run.months[-1]
    out: list[Chart] = []

    def add(name: str, section: str, group: str, draw: Callable[[], Figure], caption: str) -> None:
        try:
            out.append(Chart(name, section, group, draw(), caption))
        except ValueError:
            pass

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
                lambda: charts.option_comparison(run.differences, kpi, month),
                "Each option's change from the base on the same simulated futures (common random numbers). "
                "A bar that crosses the zero line means no clear change.")
        add(f"cost-effect-{HEADLINE}-month{month}", "side by side", "What each option buys",
            lambda: charts.cost_effect(run.differences, HEADLINE, month),
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


def _save_charts(figures: list[Chart], folder: Path) -> None:
    for chart in figures:
        charts.save(chart.figure, folder / chart.name)


def _embedded(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, facecolor="white")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


# --- HTML ----------------------------------------------------------------------------

CSS = """
body{font-family:"Segoe UI",Arial,"Liberation Sans","DejaVu Sans",sans-serif;max-width:62rem;margin:2rem auto;
padding:0 1rem;color:#111;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #0072B2;padding-bottom:.2rem}
.lede{color:#444;margin-top:0}.brief{background:#eef4fa;border-left:5px solid #0072B2;padding:.6rem 1.2rem}
.brief li{margin:.3rem 0}table{border-collapse:collapse;font-size:.88rem;margin:.6rem 0 1.2rem}
th,td{border-bottom:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.num{text-align:right;white-space:nowrap}td{overflow-wrap:anywhere}
.ci{color:#555;font-size:.85em}
tr.rule td{border-bottom:2px solid #777}figure{margin:1.5rem 0;page-break-inside:avoid}
figure img{max-width:100%;height:auto;border:1px solid #ddd}figcaption{color:#444;font-size:.9rem}
code{font-size:.85em}.note{color:#444;font-size:.9rem}@media print{body{max-width:none;margin:0}}
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _table(header: list[str] | None, rows: list[list[str]], numeric_from: int) -> str:
    """An HTML table (no header row if ``header`` is None); cells are already escaped HTML."""
    head = "".join(f"<th>{h}</th>" for h in header or [])
    body = "".join(
        "<tr>" + "".join(f"<td class='num'>{c}</td>" if i >= numeric_from else f"<td>{c}</td>"
                         for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table>{f'<thead><tr>{head}</tr></thead>' if header else ''}<tbody>{body}</tbody></table>"


def _month_headers(run: RunFolder) -> list[str]:
    return [f"month {m}<br><span class='ci'>{pd.Timestamp(run.date(m)):%b %Y}</span>" for m in run.months]


def _cell(run: RunFolder, scenario: str, kpi: str, month: int) -> str:
    cell = _summary_row(run, scenario, kpi, month)
    if cell is None or pd.isna(cell["mean"]):
        return "-"
    if pd.isna(cell["ci_low"]):
        return _figure(cell["mean"], kpi)
    return (f"{_figure(cell['mean'], kpi)}<br><span class='ci'>({_figure(cell['ci_low'], kpi)} to "
            f"{_figure(cell['ci_high'], kpi)})</span>")


def _scorecards_html(run: RunFolder) -> str:
    """One scenario: a table with the scorecard months side by side. Several: one table per
    month with the scenarios side by side, so they read across."""
    kpis = [k for k in (*OBJECTIVE_10_KPIS, *ALSO_SHOWN) if k in set(run.summary["kpi"])]

    def rows(cells) -> list[list[str]]:
        return [[_e(KPI_BY_ID[k].label), _e(display_unit(k)[0]), _e(KPI_BY_ID[k].target_text), *cells(k)] for k in kpis]

    if len(run.names) == 1:
        name = run.names[0]
        return _table(["KPI", "unit", "plan target", *_month_headers(run)],
                      rows(lambda k: [_cell(run, name, k, m) for m in run.months]), 3)
    parts = []
    for month in run.months:
        parts.append(f"<h3>At {_e(month_text(month, run.date(month)))}</h3>")
        parts.append(_table(["KPI", "unit", "plan target", *(_e(display_name(n)) for n in run.names)],
                            rows(lambda k: [_cell(run, n, k, month) for n in run.names]), 3))
    return "".join(parts)


def _comparison_html(run: RunFolder, option: str) -> str:
    rows = []
    for kpi in COMPARED:
        unit, divisor, decimals = display_unit(kpi)
        unit = "percentage points" if unit == "%" else unit
        label = "Extra cost since the start date" if kpi == "cost_cumulative_gbp" else KPI_BY_ID[kpi].label
        row = [_e(label), _e(unit)]
        for month in run.months:
            cell = _difference(run, option, kpi, month)
            if cell is None or pd.isna(cell["difference_mean"]):
                row.append("-")
                continue
            m, lo, hi = (v / divisor for v in _values(cell))
            row.append(f"{signed(m, decimals)}<br><span class='ci'>({signed(lo, decimals)} to "
                       f"{signed(hi, decimals)})</span>")
        rows.append(row)
    for kpi in TARGETS_SHOWN:
        row = [_e(f"Chance of meeting the target: {KPI_BY_ID[kpi].label.lower()} {KPI_BY_ID[kpi].target_text}"),
               "% of futures"]
        for month in run.months:
            cell = _difference(run, option, kpi, month)
            row.append("-" if cell is None or pd.isna(cell["p_meets_target"]) else f"{cell['p_meets_target']:.0%}")
        rows.append(row)
    return _table(["change from " + _e(display_name(run.base)), "unit", *_month_headers(run)], rows, 2)


def _assumptions_html(run: RunFolder) -> str:
    parts = [f"<p class='note'>Assumptions are marked {_e(MARKS)} The baseline's defaults, each with its source, "
             "are listed in <code>docs/assumptions.csv</code> and checked against published figures in "
             "<code>docs/validation.md</code> in the model's repository.</p>"]
    for scenario in run.scenarios:
        parts.append(f"<h3>{_e(display_name(scenario['name']))} <code>{_e(scenario['name'])}</code></h3>")
        parts.append(f"<p>{_e(scenario.get('description', ''))}</p>")
        rows = assumption_rows(run, scenario)
        if rows:
            parts.append(_table(["what", "setting", "value", "from", "until", "note"], [
                [_e(r["kind"]), f"<code>{_e(r['setting'])}</code>", _e(r["value"]),
                 _e(_day(r["from"]) + (f", reached over {r['ramp_months']} months" if r["ramp_months"] else "")),
                 _e(_day(r["until"])), _e(r["note"])] for r in rows], 99))
    return "".join(parts)


def _day(text: str) -> str:
    """``2020-04-01`` as ``1 Apr 2020``; empty stays empty."""
    return f"{pd.Timestamp(text).day} {pd.Timestamp(text):%b %Y}" if text else ""


def _html(run: RunFolder, figures: list[Chart]) -> str:
    """The whole page: brief, charts, changes from the base, scorecards, assumptions, provenance."""
    reps = run.manifest.get("replications", int(run.summary["replications"].max()))
    title = (f"{', '.join(display_name(o) for o in run.options)} compared with {display_name(run.base)}"
             if run.base else ", ".join(display_name(n) for n in run.names))
    today = datetime.now()
    parts = [f"<h1>Workforce capacity: {_e(title)}</h1>",
             f"<p class='lede'>Simulated with capacity-model {_e(run.manifest.get('version', ''))}: {reps} simulated "
             f"futures of {_e(run.manifest.get('months', ''))} months from {_e(_start(run))}. Report made "
             f"{today.day} {today:%B %Y}.</p>", _brief_html(run, reps), _charts_html(run, figures)]
    if run.base:
        parts.append("<h2>Changes from the base</h2><p class='note'>Paired difference from the base: mean and 95% "
                     "interval; the chance of meeting each target is the share of simulated futures that meet it."
                     "</p>")
        parts += [f"<h3>{_e(display_name(option))}</h3>{_comparison_html(run, option)}" for option in run.options]
    parts.append("<h2>Scorecards</h2><p class='note'>Mean and 95% confidence interval at each month. Money in "
                 f"£ million at {_e(price_year(run))} prices. Every KPI and month is in <code>summary.csv</code> and "
                 f"the workbook.</p>{_scorecards_html(run)}")
    parts.append(f"<h2>Assumptions</h2>{_assumptions_html(run)}<h2>Where these figures came from</h2>")
    parts.append(_table(None, [[_e(k), f"<code>{_e(v)}</code>" if k == "Command" else _e(v)]
                               for k, v in provenance(run)], 99))
    return (f"<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'><title>{_e(title)}</title>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{CSS}</style></head>"
            f"<body>{''.join(parts)}</body></html>\n")


def _brief_html(run: RunFolder, reps: int) -> str:
    """The findings in words (a comparison) or the headline figures (a run), and how to read them."""
    parts = ["<h2>In brief</h2><div class='brief'>"]
    if run.base:
        for lead, details in findings(run):
            items = "".join(f"<li>{_e(d)}</li>" for d in details)
            parts.append(f"<p><strong>{_e(lead)}</strong></p><ul>{items}</ul>")
        parts.append(_targets_html(run))
    else:
        when = month_text(run.months[-1], run.date(run.months[-1]))
        for name in run.names:
            items = "".join(f"<li>{_e(line)}</li>" for line in headline_figures(run, name))
            parts.append(f"<p><strong>{_e(display_name(name))} at {_e(when)}:</strong></p><ul>{items}</ul>")
    parts.append(f"</div><p class='note'>How to read the figures: each is the mean of {reps} simulated futures with "
                 "its 95% confidence interval in brackets, the range that allows for the chance in a limited number "
                 "of runs. The charts' shaded bands show something else: how far one single future could stray. "
                 + ("Options are compared with the base on the same simulated futures, so their differences are "
                    "sharper than the spread of either. " if run.base else "")
                 + "These are the model's estimates under the assumptions listed below, not forecasts.</p>")
    return "".join(parts)


def _charts_html(run: RunFolder, figures: list[Chart]) -> str:
    """The charts, embedded as PNG, under a heading per section and group."""
    last = run.months[-1]
    parts = []
    for section, heading in (("over time", "Over time"), ("side by side", f"At {month_text(last, run.date(last))}")):
        parts.append(f"<h2>{_e(heading)}</h2>")
        shown = charted_options(run)
        if section == "over time" and len(shown) < len(run.options):
            parts.append(f"<p class='note'>Drawn over time: the {len(shown)} options that cut "
                         f"{_e(_kpi_phrase(HEADLINE))} most at {_e(month_text(last, run.date(last)))}. Every option "
                         "is in the charts and tables below.</p>")
        group = None
        for chart in (c for c in figures if c.section == section):
            if chart.group != group:
                group = chart.group
                parts.append(f"<h3>{_e(group)}</h3>")
            alt = " ".join((chart.figure.get_suptitle() or chart.name).split())
            parts.append(f"<figure><img alt='{_e(alt)}' src='data:image/png;base64,{_embedded(chart.figure)}'>"
                         f"<figcaption>{_e(chart.caption)} (Also in <code>charts/{_e(chart.name)}.png</code> "
                         "and <code>.svg</code>.)</figcaption></figure>")
    return "".join(parts)


def _start(run: RunFolder) -> str:
    return f"{pd.Timestamp(run.date(int(run.summary['month'].min()))):%B %Y}"
