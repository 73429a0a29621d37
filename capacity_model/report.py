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
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pandas as pd
from matplotlib.figure import Figure

from . import __version__, charts
from .charts import display_name, month_text, signed
from .console import ALSO_SHOWN, COMPARED, TARGETS_SHOWN, _display, scorecard_months
from .kpis import KPI_BY_ID, OBJECTIVE_10_KPIS

REPORT_FILE, WORKBOOK_FILE, CHARTS_FOLDER = "report.html", "workbook.xlsx", "charts"
HEADLINE = "unallocated_over_5d"
"""The KPI that leads each option's finding and the cost-effect chart."""
OVER_TIME = ("unallocated_over_5d", "pct_caseload_le_22", "average_caseload", "agency_sw")
MOST_OPTIONS_CHARTED = 3
MARKS = ("[F] found in a published source, [D] derived from published figures, [E] an estimate "
         "to be checked locally.")
EVENT_LABELS = (
    ("workforce.agency.", "agency offer"), ("workforce.absence.", "absence management"),
    ("workforce.support.contact_workers", "contact workers"),
    ("workforce.support.business_support", "business support"),
    ("workforce.support.social_work_support_officers", "Social Work Support Officers"),
    ("workforce.leaving.pay_and_progression", "pay and progression"),
    ("workforce.leaving.wider_retention", "wider retention"), ("workforce.recruitment.", "recruitment"),
    ("workforce.team_managers", "team managers"), ("allocation.", "allocation rules"),
    ("referrals.", "referrals"),
)


class ReportError(ValueError):
    """The folder cannot be reported on (missing, not a run folder, or not writable)."""


@dataclass
class RunFolder:
    """What a run or compare folder holds, read once."""

    path: Path
    manifest: dict
    kpis: pd.DataFrame
    summary: pd.DataFrame
    caseloads: pd.DataFrame | None
    differences: pd.DataFrame | None
    scenarios: list[dict] = field(init=False)

    def __post_init__(self) -> None:
        self.scenarios = list(self.manifest.get("scenarios", []))

    @property
    def names(self) -> list[str]:
        return [s["name"] for s in self.scenarios] or list(dict.fromkeys(self.summary["scenario"]))

    @property
    def base(self) -> str | None:
        return self.manifest.get("base") if self.differences is not None else None

    @property
    def options(self) -> list[str]:
        return [name for name in self.names if name != self.base] if self.base else []

    @property
    def months(self) -> list[int]:
        return scorecard_months(int(self.summary["month"].max()))

    def date(self, month: int) -> str:
        return str(self.summary.loc[self.summary["month"] == month, "date"].iloc[0])


def read_run_folder(folder: str | Path) -> RunFolder:
    """Read a folder made by ``capacity-model run`` or ``compare``; ``ReportError`` if it is not one."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError(f"{folder}: no such run folder")
    if not (folder / "manifest.json").is_file():
        raise ReportError(f"{folder}: not a run folder (no manifest.json); give a folder written by "
                          "'capacity-model run' or 'capacity-model compare'")
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        kpis = (pd.read_parquet(folder / "kpis_monthly.parquet") if (folder / "kpis_monthly.parquet").is_file()
                else pd.read_csv(folder / "kpis_monthly.csv"))
        summary = pd.read_csv(folder / "summary.csv")
        caseloads = (pd.read_csv(folder / "caseloads_monthly.csv")
                     if (folder / "caseloads_monthly.csv").is_file() else None)
        differences = pd.read_csv(folder / "comparison.csv") if (folder / "comparison.csv").is_file() else None
    except FileNotFoundError as error:
        raise ReportError(f"{folder}: incomplete run folder: {Path(error.filename).name} is missing") from None
    except (ValueError, OSError) as error:
        raise ReportError(f"{folder}: cannot read the run folder ({error})") from None
    if summary.empty or kpis.empty:
        raise ReportError(f"{folder}: the run folder holds no results")
    return RunFolder(folder, manifest, kpis, summary, caseloads, differences)


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


def scenario_events(scenario: dict) -> list[tuple[str, str]]:
    """Dated events of a resolved scenario (from the manifest), as short plain labels:
    its interventions (cost changes aside: they come with another change) and the interim team."""
    events = []
    for change in scenario.get("interventions") or []:
        if change["parameter"].startswith("costs."):
            continue
        label = _plain_setting(change["parameter"])
        events.append((change["start_date"], label))
        if change.get("end_date"):
            events.append((change["end_date"], f"{label} ends"))
    interim = (scenario.get("workforce") or {}).get("interim_team")
    if interim:
        events.append((interim["start_date"], f"interim team of {interim['social_workers']} arrives"))
        events.append((interim["end_date"], "interim team leaves"))
    return events


def _plain_setting(parameter: str) -> str:
    if parameter.startswith("costs."):
        name = parameter.rsplit(".", 1)[-1]
        for suffix in ("_gbp_per_fte_year", "_gbp_per_hire", "_gbp"):
            name = name.removesuffix(suffix)
        return f"cost of {name.replace('_', ' ')}"
    for prefix, label in EVENT_LABELS:
        if parameter.startswith(prefix):
            return label
    return parameter.rsplit(".", 1)[-1].replace("_", " ")


def _kpi_phrase(kpi: str) -> str:
    label = KPI_BY_ID[kpi].label
    label = label[:1].lower() + label[1:] if label[1:2].islower() else label
    return f"the share of {label}" if kpi.startswith("pct_") else label


def _figure(value: float, kpi: str) -> str:
    unit, divisor, decimals = _display(kpi)
    return f"{value / divisor:,.{decimals}f}"


def change_in_words(kpi: str, mean: float, low: float, high: float) -> str:
    """``cuts children unallocated over 5 working days by 104 (88 to 119)``."""
    unit = " percentage points" if KPI_BY_ID[kpi].unit == "%" else ""
    what = _kpi_phrase(kpi)
    if pd.isna(low) or low <= 0 <= high:
        _, divisor, decimals = _display(kpi)
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
        return [[_e(KPI_BY_ID[k].label), _e(_display(k)[0]), _e(KPI_BY_ID[k].target_text), *cells(k)] for k in kpis]

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
        unit, divisor, decimals = _display(kpi)
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


def _value_text(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {_value_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " and ".join(map(str, value))
    return f"{value:,}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def assumption_rows(run: RunFolder, scenario: dict) -> list[dict]:
    """Each dated change of a scenario (interventions and the interim team) and, in a
    comparison, every other setting that differs from the base."""
    rows = []
    for change in scenario.get("interventions") or []:
        rows.append({"scenario": scenario["name"], "kind": _plain_setting(change["parameter"]),
                     "setting": change["parameter"],
                     "value": _value_text(change["value"]), "from": change["start_date"],
                     "until": change.get("end_date") or "", "ramp_months": change.get("ramp_months") or 0,
                     "note": change.get("note") or ""})
    interim = (scenario.get("workforce") or {}).get("interim_team")
    if interim:
        rows.append({"scenario": scenario["name"], "kind": "interim team", "setting": "workforce.interim_team",
                     "value": f"{interim['social_workers']} social workers in the {interim['team']} team",
                     "from": interim["start_date"], "until": interim["end_date"], "ramp_months": 0, "note": ""})
    base = next((s for s in run.scenarios if s["name"] == run.base), None)
    if base is not None and scenario["name"] != run.base:
        for setting, (was, now) in _differing(base, scenario).items():
            if not setting.startswith("workforce.interim_team"):
                rows.append({"scenario": scenario["name"], "kind": "differs from the base", "setting": setting,
                             "value": f"{_value_text(now)} (base: {_value_text(was)})", "from": "", "until": "",
                             "ramp_months": 0, "note": ""})
    return rows


def _flat(data: object, prefix: str = "") -> dict[str, object]:
    if isinstance(data, dict) and data and "kind" not in data:
        return {k: v for key, value in data.items() for k, v in _flat(value, f"{prefix}{key}.").items()}
    return {prefix.rstrip("."): data}


def _differing(base: dict, scenario: dict) -> dict[str, tuple[object, object]]:
    skip = ("name", "description", "interventions")
    a = _flat({k: v for k, v in base.items() if k not in skip})
    b = _flat({k: v for k, v in scenario.items() if k not in skip})
    return {key: (a.get(key), b.get(key)) for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key)}


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


def provenance(run: RunFolder) -> list[tuple[str, str]]:
    """Where the figures came from: enough to make them again."""
    m = run.manifest
    return [
        ("Run folder", run.path.name), ("Command", m.get("command", "")),
        ("Scenarios", ", ".join(run.names)), ("Base scenario", run.base or "(none: a run, not a comparison)"),
        ("Replications (simulated futures)", str(m.get("replications", ""))),
        ("Months from the start date", str(m.get("months", ""))), ("Seed", str(m.get("seed", ""))),
        ("Model version", f"capacity-model {m.get('version', '')}"), ("Python", str(m.get("python", ""))),
        ("Run started", str(m.get("started", ""))), ("Run finished", str(m.get("finished", ""))),
        ("Report made", f"{datetime.now(timezone.utc).astimezone():%Y-%m-%d %H:%M %Z} "
                        f"by capacity-model {__version__}"),
    ]


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
                 f"£ million at {_e(_price_year(run))} prices. Every KPI and month is in <code>summary.csv</code> and "
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


def _price_year(run: RunFolder) -> str:
    years = {str((s.get("costs") or {}).get("price_year", "")) for s in run.scenarios} - {""}
    return " and ".join(sorted(years)) or "the scenario's"


# --- workbook ------------------------------------------------------------------------

SUMMARY_HEADERS = {
    "scenario": "Scenario", "kpi": "KPI id", "label": "KPI", "unit": "Unit", "month": "Month", "date": "Date",
    "mean": "Mean", "ci_low": "95% CI low", "ci_high": "95% CI high", "p05": "5th percentile (one future)",
    "p50": "Median (one future)", "p95": "95th percentile (one future)", "replications": "Replications",
}
COMPARISON_HEADERS = {
    "scenario": "Scenario", "base": "Compared with", "kpi": "KPI id", "label": "KPI", "unit": "Unit",
    "month": "Month", "date": "Date", "difference_mean": "Difference from base (mean)",
    "difference_ci_low": "Difference 95% CI low", "difference_ci_high": "Difference 95% CI high",
    "p_meets_target": "Share of futures meeting the plan's target", "replications": "Replications",
}

ASSUMPTION_HEADERS = {
    "scenario": "Scenario", "kind": "What", "setting": "Setting", "value": "Value", "from": "From",
    "until": "Until", "ramp_months": "Ramp (months)", "note": "Note ([F] found, [D] derived, [E] estimate)",
}


def _unit(kpi: str) -> str:
    unit = KPI_BY_ID[kpi].unit if kpi in KPI_BY_ID else ""
    return "£" if unit == "GBP" else unit


def _labelled(table: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    labels = table["kpi"].map(lambda k: KPI_BY_ID[k].label if k in KPI_BY_ID else k)
    out = table.assign(label=labels, unit=table["kpi"].map(_unit))
    return out[list(headers)].rename(columns=headers)


def monthly_scorecard(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario and month; for each scorecard KPI its mean and 95% interval,
    headed with the KPI's label and unit."""
    kpis = [k for k in (*OBJECTIVE_10_KPIS, *ALSO_SHOWN) if k in set(summary["kpi"])]
    wide = summary[summary["kpi"].isin(kpis)].pivot_table(
        index=["scenario", "month", "date"], columns="kpi", values=["mean", "ci_low", "ci_high"], sort=False)
    columns = {}
    for kpi in kpis:
        name = f"{KPI_BY_ID[kpi].label} ({_unit(kpi)})"
        for stat, text in (("mean", "mean"), ("ci_low", "95% CI low"), ("ci_high", "95% CI high")):
            if (stat, kpi) in wide.columns:
                columns[f"{name}: {text}"] = wide[(stat, kpi)]
    out = pd.DataFrame(columns, index=wide.index).reset_index()
    return out.rename(columns={"scenario": "Scenario", "month": "Month", "date": "Date"})


def cost_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and month, the mean cost by category in the month and since the start date, in pounds."""
    costs = [k for k in KPI_BY_ID if k.startswith("cost_") and k in set(summary["kpi"])]
    wide = summary[summary["kpi"].isin(costs)].pivot_table(index=["scenario", "month", "date"], columns="kpi",
                                                           values="mean", sort=False)
    out = pd.DataFrame({f"{KPI_BY_ID[k].label} (£, mean)": wide[k] for k in costs if k in wide}, index=wide.index)
    return out.reset_index().rename(columns={"scenario": "Scenario", "month": "Month", "date": "Date"})


def write_workbook(run: RunFolder, path: Path) -> None:
    """The workbook: about, summary, monthly scorecard, comparison (if any), costs, assumptions."""
    about = pd.DataFrame(provenance(run) + [
        ("Units", "Each KPI's unit is in its header or Unit column; money in pounds (£) at "
                  f"{_price_year(run)} prices."),
        ("Intervals", "Mean over replications with its 95% confidence interval; percentiles show the spread of "
                      "single simulated futures."),
        ("Sheets", "summary: every KPI and month; monthly scorecard: the plan's measures by month; comparison: "
                   "paired differences from the base; costs: spending by category; assumptions: each scenario's "
                   "changes."),
    ], columns=["Item", "Value"])
    rows = [row for s in run.scenarios for row in (
        {"scenario": s["name"], "kind": "description", "value": s.get("description", "")}, *assumption_rows(run, s))]
    assumptions = pd.DataFrame(rows, columns=list(ASSUMPTION_HEADERS)).rename(columns=ASSUMPTION_HEADERS)
    order = {name: i for i, name in enumerate(run.names)}
    sheets = {"about": about, "summary": _labelled(run.summary, SUMMARY_HEADERS),
              "monthly scorecard": _in_order(monthly_scorecard(run.summary), order)}
    if run.differences is not None:
        sheets["comparison"] = _labelled(run.differences, COMPARISON_HEADERS)
    sheets["costs"] = _in_order(cost_table(run.summary), order)
    sheets["assumptions"] = assumptions
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, table in sheets.items():
            table.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            _number_formats(sheet, table)
            for column in sheet.columns:
                width = max(len(str(column[0].value or "")), *(len(str(c.value or "")) for c in column[1:50]))
                sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)


def _in_order(table: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
    """Scenarios in the run's order (base first), then months."""
    ranks = table["Scenario"].map(order).fillna(len(order))
    return table.assign(_rank=ranks).sort_values(["_rank", "Month"], kind="stable").drop(columns="_rank")


def _number_formats(sheet, table: pd.DataFrame) -> None:
    """Pounds as whole pounds, shares as percentages, other decimals to one place (the
    stored values keep full precision)."""
    for index, column in enumerate(table.columns, start=1):
        if not pd.api.types.is_float_dtype(table[column]):
            continue
        text = str(column)
        number_format = ('"£"#,##0' if "(£" in text else "0%" if text.startswith("Share of futures")
                         else "#,##0.0")
        for (cell,) in sheet.iter_rows(min_row=2, max_row=len(table) + 1, min_col=index, max_col=index):
            cell.number_format = number_format
