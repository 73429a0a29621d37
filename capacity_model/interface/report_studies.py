"""The reports of a sensitivity study and of a target search: ``report.html`` and ``charts/``.

A sensitivity folder is also a sweep folder, but its points are a sample for SALib, not a
grid to read: its page shows the ranked parameters per KPI (the chart and the table of
indices with their intervals). A target search's page shows the answer, the evidence at
every level tried and its chart. Both are written together or not at all.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd

from ..analysis import charts
from ..analysis.charts import month_text
from ..analysis.run_folder import ReportError, read_table
from ..measures import KPI_BY_ID
from .report_charts import CHARTS_FOLDER, REPORT_FILE, Chart, publish_report, save_charts
from .report_page import CSS, _e, _table, figure_html

SENSITIVITY_MANIFEST, TARGET_MANIFEST = "sensitivity.json", "target.json"
DECISIONS = {"meets": "enough", "falls short": "not enough", "unsure": "too close to tell (judged on its estimate)"}


def _manifest(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ReportError(f"{path}: cannot be read ({error}); the folder is damaged") from None
    if not isinstance(manifest, dict) or manifest.get("kind") not in ("sensitivity", "target"):
        raise ReportError(f"{path}: is not the manifest of a sensitivity study or a target search")
    return manifest


def _page(title: str, lede: str, parts: list[str], manifest: dict) -> str:
    today = datetime.now()
    provenance = _table(None, [[_e(k), _e(v)] for k, v in [
        ("Made by", f"capacity-model {manifest.get('version', '')}"), ("Command", manifest.get("command", "")),
        ("Seed", manifest.get("seed", "")), ("Finished", manifest.get("finished", "")),
        ("Report made", f"{today.day} {today:%B %Y}")]], numeric_from=9)
    return (f"<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'><title>{_e(title)}</title>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{CSS}</style></head><body>"
            f"<h1>{_e(title)}</h1><p class='lede'>{_e(lede)}</p>{''.join(parts)}"
            f"<h2>Where the figures came from</h2>{provenance}</body></html>\n")


def write_sensitivity_report(folder: str | Path, out_dir: str | Path | None = None) -> Path:
    """``report.html`` and ``charts/`` (a ranked chart per KPI and month) for a sensitivity study's folder."""
    folder = Path(folder)
    manifest = _manifest(folder / SENSITIVITY_MANIFEST)
    indices = read_table(folder / "indices.csv", ["kpi", "month", "date", "parameter", "label", "rank", "note"],
                         required=["kpi", "month", "parameter", "rank"], folder="study folder",
                         again="run the study into it again")
    method = manifest.get("method")
    morris = method == "morris"
    figures, parts = [], []
    for (kpi, month), rows in indices.groupby(["kpi", "month"], sort=False):
        when = month_text(month, rows["date"].iloc[0])
        try:
            figure = charts.tornado(indices, kpi, int(month))
            caption = ("Bars: each parameter's effect over its range, with its 95% interval; grey hatched bars are "
                       "not distinguishable from zero.")
        except ValueError as error:
            figure, caption = None, f"Not drawn: {error}."
        chart = Chart(f"tornado-{kpi}-month-{int(month)}", "sensitivity", kpi, figure, caption)
        figures.append(chart)
        unit = "percentage points" if KPI_BY_ID[kpi].unit == "%" else KPI_BY_ID[kpi].unit
        header = (["Rank", "Parameter", f"mu* ({_e(unit)}, 95% interval)", "sigma", "Note"] if morris else
                  ["Rank", "Parameter", f"Change at low ({_e(unit)}, 95% interval)",
                   f"Change at high ({_e(unit)}, 95% interval)", "Note"] if method == "one_at_a_time" else
                  ["Rank", "Parameter", "ST (95% interval)", "S1 (95% interval)", "Note"])
        body = [[str(r["rank"]), _e(r["label"]), *_indices(r, method), _e("" if pd.isna(r["note"]) else r["note"])]
                for _, r in rows.sort_values("rank").iterrows()]
        parts.append(f"<h2>{_e(KPI_BY_ID[kpi].label)} at {_e(when)}</h2>{figure_html(chart)}"
                     + _table(header, body, numeric_from=2))
    named = {"morris": "Morris screening", "sobol": "Sobol indices"}.get(method, "One-at-a-time changes")
    lede = (f"{named} of {len(manifest.get('parameters', []))} assumptions of '{manifest.get('study', {}).get('base')}'"
            f": {manifest.get('sample_rows')} points, each {manifest.get('replications')} simulated futures of "
            f"{manifest.get('months')} months on common random numbers. {manifest.get('reading', '')}.")
    ranges = _table(["Parameter", "Low", "High"], [[_e(p["label"]), _e(f"{p['low']:g}"), _e(f"{p['high']:g}")]
                                                  for p in manifest.get("parameters", [])], numeric_from=1)
    page = _page(f"Which assumptions decide the answer: {manifest.get('name', folder.name)}", lede,
                 ["<h2>The ranges studied</h2>", ranges, *parts], manifest)
    return publish_report(Path(out_dir) if out_dir else folder, {
        CHARTS_FOLDER: lambda path: save_charts(figures, path),
        REPORT_FILE: lambda path: path.write_text(page, encoding="utf-8")})


def _indices(row: pd.Series, method: str) -> list[str]:
    def one(name: str, flagged: bool) -> str:
        value, half = row[name], row[f"{name}_conf"]
        if flagged or value < 0:
            return f"0 to {max(value + half, 0):,.3g}"
        return f"{value:,.3g}<br><span class='ci'>({value - half:,.3g} to {value + half:,.3g})</span>"

    def change(name: str) -> str:
        value, low, high = row[name], row[f"{name}_ci_low"], row[f"{name}_ci_high"]
        if pd.isna(value):
            return "-"
        interval = "" if pd.isna(low) else f"<br><span class='ci'>({low:+,.3g} to {high:+,.3g})</span>"
        return f"{value:+,.3g}{interval}"

    if method == "morris":
        return [one("mu_star", bool(row["indistinguishable"])), f"{row['sigma']:,.3g}"]
    if method == "one_at_a_time":
        return [change("change_low"), change("change_high")]
    return [one("ST", bool(row["ST_indistinguishable"])), one("S1", bool(row["S1_indistinguishable"]))]


def write_target_report(folder: str | Path, out_dir: str | Path | None = None) -> Path:
    """``report.html`` and ``charts/`` for a target search's folder: the answer and the evidence."""
    folder = Path(folder)
    summary = _manifest(folder / TARGET_MANIFEST)
    levels = read_table(folder / "target.csv", ["value", "replications", "met", "chance", "chance_low",
                                               "chance_high", "decision", "cost_mean"],
                        folder="target search folder", again="run the search into it again")
    label, goal, p = summary["label"], summary["target"]["goal"], summary["probability"]
    figure = charts.target_chances(levels, p, label, goal, summary.get("answer"))
    chart = Chart("target-chances", "target", "target", figure,
                  "Each level's share of simulated futures meeting the target, with its interval; the dashed line "
                  "is the chance asked for.")
    answer = summary.get("answer")
    verdict = (f"The least {label} giving {goal} in at least {p:.0%} of simulated futures is {answer:g}"
               + (" (uncertain: its chance is too close to the one asked to tell apart)." if summary["uncertain"]
                  else ".") if answer is not None else
               f"No level of {label} up to {summary['levels']['high']:g} gives {goal} in at least {p:.0%} of "
               "simulated futures.")
    last = levels.drop_duplicates("value", keep="last").sort_values("value")
    body = [[_e(f"{r.value:g}"), str(r.replications), str(r.met),
             f"{r.chance:.0%}<br><span class='ci'>({100 * r.chance_low:.0f} to {100 * r.chance_high:.0f})</span>",
             _e(DECISIONS.get(r.decision, r.decision)), _e(f"£{r.cost_mean / 1e6:,.1f} million")]
            for r in last.itertuples()]
    table = _table([_e(label), "Futures", "Met", "Chance (95% interval)", "Decision", "Spending since the start"],
                   body, numeric_from=1)
    page = _page(f"How many are needed: {summary.get('name', folder.name)}", verdict,
                 [figure_html(chart), "<h2>Every level tried</h2>", table], summary)
    return publish_report(Path(out_dir) if out_dir else folder, {
        CHARTS_FOLDER: lambda path: save_charts([chart], path),
        REPORT_FILE: lambda path: path.write_text(page, encoding="utf-8")})
