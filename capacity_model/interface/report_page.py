"""The report page: one self-contained HTML file (charts embedded as PNG, nothing to fetch)."""

from __future__ import annotations

import base64
import html
import io
from datetime import datetime

import pandas as pd
from matplotlib.figure import Figure

from ..analysis.charts import display_name, month_text, signed
from ..analysis.findings import HEADLINE, difference_values, figure_text, findings, headline_figures, kpi_phrase
from ..analysis.run_folder import RunFolder, assumption_rows, price_year, provenance
from ..analysis.tables import (ALSO_SHOWN, COMPARED, RESTS_ON, TARGETS_SHOWN, cell, chance_is_wide, display_unit,
                               present)
from ..measures import KPI_BY_ID, OBJECTIVE_10_KPIS
from .report_charts import Chart, charted_options

MARKS = ("[F] found in a published source, [D] derived from published figures, [E] an estimate "
         "to be checked locally.")


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
    row = cell(run.summary, scenario, kpi, month)
    if row is None or pd.isna(row["mean"]):
        return "-"
    if pd.isna(row["ci_low"]):
        return figure_text(row["mean"], kpi)
    return (f"{figure_text(row['mean'], kpi)}<br><span class='ci'>({figure_text(row['ci_low'], kpi)} to "
            f"{figure_text(row['ci_high'], kpi)})</span>")


def _scorecards_html(run: RunFolder) -> str:
    """One scenario: a table with the scorecard months side by side. Several: one table per
    month with the scenarios side by side, so they read across."""
    kpis = present((*OBJECTIVE_10_KPIS, *ALSO_SHOWN), run.summary)

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


def _change_html(row: pd.Series | None, kpi: str) -> str:
    if row is None or pd.isna(row["difference_mean"]):
        return "-"
    _, divisor, decimals = display_unit(kpi)
    m, lo, hi = (v / divisor for v in difference_values(row))
    return f"{signed(m, decimals)}<br><span class='ci'>({signed(lo, decimals)} to {signed(hi, decimals)})</span>"


def _change_rows(run: RunFolder, kpis, cells) -> list[list[str]]:
    """A row per KPI of changes from the base: label, unit, then ``cells(kpi)`` (rows of the comparison)."""
    rows = []
    for kpi in kpis:
        unit = display_unit(kpi)[0]
        label = "Extra cost since the start date" if kpi == "cost_cumulative_gbp" else KPI_BY_ID[kpi].label
        rows.append([_e(label), _e("percentage points" if unit == "%" else unit),
                     *(_change_html(row, kpi) for row in cells(kpi))])
    return rows


def _chance_html(row: pd.Series | None) -> str:
    if row is None or pd.isna(row["p_meets_target"]):
        return "-"
    return (f"{row['p_meets_target']:.0%}<br><span class='ci'>({100 * row['p_meets_target_low']:.0f} to "
            f"{100 * row['p_meets_target_high']:.0f})</span>")


def _comparison_html(run: RunFolder, option: str) -> str:
    rows = _change_rows(run, present(COMPARED, run.differences),
                        lambda kpi: [cell(run.differences, option, kpi, m) for m in run.months])
    for kpi in TARGETS_SHOWN:
        rows.append([_e(f"Chance of meeting the target: {KPI_BY_ID[kpi].label.lower()} {KPI_BY_ID[kpi].target_text}"),
                     "% of futures (95% interval)", *(_chance_html(cell(run.differences, option, kpi, m))
                                                      for m in run.months)])
    return _table(["change from " + _e(display_name(run.base)), "unit", *_month_headers(run)], rows, 2)


def _assumption_ends_html(run: RunFolder) -> str:
    """Each option also run at both ends of an assumption: its change from the base as set and at each end."""
    month = run.months[-1]
    parts = []
    for option in run.options:
        ends = [v for v in run.variants if v["option"] == option]
        if not ends:
            continue
        names = [option, *(v["name"] for v in ends)]
        header = [_e(f"{display_name(option)}: change from {display_name(run.base)} at "
                     f"{month_text(month, run.date(month))}"), "unit", "as in the scenario file",
                  *(_e(f"{v['assumption']} = {v['value']:g}") for v in ends)]
        parts.append(_table(header, _change_rows(run, present(RESTS_ON, run.differences),
                                                 lambda kpi: [cell(run.differences, name, kpi, month)
                                                              for name in names]), 2))
    if not parts:
        return ""
    return ("<h2>What the result rests on</h2><p class='note'>Support staff free part of social workers' time. "
            "How much of it lets a worker hold more children, rather than go to the children already held (visits, "
            "direct work, supervision, less pressure to leave), is the council's choice, set in each scenario as "
            "<code>freed_time_to_caseload_share</code>. Each option with support staff was also run with none of "
            "the freed time going to more children (0) and with all of it (1), on the same simulated futures."
            "</p>" + "".join(parts))


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


def page_html(run: RunFolder, figures: list[Chart]) -> str:
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
        parts.append(_assumption_ends_html(run))
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
                         f"{_e(kpi_phrase(HEADLINE))} most at {_e(month_text(last, run.date(last)))}. Every option "
                         "is in the charts and tables below.</p>")
        group = None
        for chart in (c for c in figures if c.section == section):
            if chart.group != group:
                group = chart.group
                parts.append(f"<h3>{_e(group)}</h3>")
            parts.append(figure_html(chart))
    return "".join(parts)


def figure_html(chart: Chart) -> str:
    """A chart embedded with its caption, or, for one with nothing to draw, a note saying why."""
    if chart.figure is None:
        return f"<p class='note'><strong>{_e(chart.name)}</strong>: {_e(chart.caption)}</p>"
    alt = " ".join((chart.figure.get_suptitle() or chart.name).split())
    return (f"<figure><img alt='{_e(alt)}' src='data:image/png;base64,{_embedded(chart.figure)}'>"
            f"<figcaption>{_e(chart.caption)} (Also in <code>charts/{_e(chart.name)}.png</code> "
            "and <code>.svg</code>.)</figcaption></figure>")


def _start(run: RunFolder) -> str:
    return f"{pd.Timestamp(run.date(int(run.summary['month'].min()))):%B %Y}"


def _targets_html(run: RunFolder) -> str:
    """The chance of meeting each of the plan's targets at the last month, per scenario, with its interval."""
    month = run.months[-1]
    rows = []
    wide = False
    for kpi in TARGETS_SHOWN:
        cells = [cell(run.differences, name, kpi, month) for name in run.names]
        wide = wide or any(map(chance_is_wide, cells))
        rows.append([_e(f"{KPI_BY_ID[kpi].label}: {KPI_BY_ID[kpi].target_text}"), *map(_chance_html, cells)])
    header = [_e(f"Share of simulated futures meeting the plan's target at {month_text(month, run.date(month))} "
                 "(95% interval)"), *(_e(display_name(n)) for n in run.names)]
    warning = ("<p class='note'><strong>Too few simulated futures to say:</strong> some of these chances are known "
               "only to within more than 30 percentage points. Run more replications (<code>--reps</code>) before "
               "relying on them.</p>" if wide else "")
    return _table(header, rows, 1) + warning


def _embedded(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, facecolor="white")
    return base64.b64encode(buffer.getvalue()).decode("ascii")
