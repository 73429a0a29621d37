"""The business-case report: ``report.html``, ``workbook.xlsx`` and ``charts/`` from a run folder.

A board paper needs figures with intervals, charts that read at a glance and an audit
trail behind every number. ``write_report`` reads a folder written by ``capacity-model
run`` or ``compare`` (never the engine) and writes:

- ``report.html``: one self-contained page (charts embedded as PNG, no links to
  fetch), so it can be emailed or printed: the findings in words, charts, the
  scorecards with 95% intervals, each option's change from the base, the assumptions
  and where the figures came from (``report_page.py``);
- ``workbook.xlsx``: the same tables for analysts and finance colleagues;
- ``charts/``: every chart as PNG (300 dpi) and SVG, to paste into documents
  (``report_charts.py`` chooses them).

The three are written together or not at all (``analysis.outputs.publish``), so a
failed report leaves no half-written file and never spoils an earlier one. A sweep folder
(one with ``sweep.json``) gets its own report instead (``report_sweep.py``).
"""

from __future__ import annotations

from pathlib import Path

from ..analysis.run_folder import ReportError, read_run_folder, scenario_events
from ..analysis.workbook import write_workbook
from .report_charts import CHARTS_FOLDER, REPORT_FILE, publish_report, report_charts, save_charts
from .report_page import page_html
from .report_studies import SENSITIVITY_MANIFEST, TARGET_MANIFEST, write_sensitivity_report, write_target_report
from .report_sweep import SWEEP_MANIFEST, write_sweep_report

__all__ = ["ReportError", "read_run_folder", "scenario_events", "write_report", "write_sweep_report"]

WORKBOOK_FILE = "workbook.xlsx"


def write_report(run_folder: str | Path, out_dir: str | Path | None = None) -> Path:
    """Write ``report.html``, ``workbook.xlsx`` and ``charts/`` for a run or compare folder
    into ``out_dir`` (default: the run folder itself), or a sweep folder's report; returns the
    path of ``report.html``."""
    for manifest, write in ((SENSITIVITY_MANIFEST, write_sensitivity_report), (TARGET_MANIFEST, write_target_report),
                            (SWEEP_MANIFEST, write_sweep_report)):  # a study's folder is also a sweep's: it first
        if (Path(run_folder) / manifest).is_file():
            return write(run_folder, out_dir)
    run = read_run_folder(run_folder)
    out = Path(out_dir) if out_dir is not None else run.path
    figures = report_charts(run)
    return publish_report(out, {
        CHARTS_FOLDER: lambda path: save_charts(figures, path),
        WORKBOOK_FILE: lambda path: write_workbook(run, path),
        REPORT_FILE: lambda path: path.write_text(page_html(run, figures), encoding="utf-8"),
    })
