"""The report from real (short) run and compare folders: HTML, workbook, charts, command line, browser."""

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from capacity_model import __version__
from capacity_model.analysis import workbook
from capacity_model.interface import report
from capacity_model.interface.cli import main
from capacity_model.analysis.findings import change_in_words, cost_in_words
from capacity_model.interface.report import ReportError, write_report

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parents[1]
WHOLE_PLAN = ROOT / "scenarios" / "whole-plan.yaml"


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> Path:
    """``compare baseline whole-plan --report``: 3 replications of 4 months."""
    out = tmp_path_factory.mktemp("compare") / "plan"
    assert main(["compare", "baseline", str(WHOLE_PLAN), "--reps", "3", "--months", "4", "--seed", "2",
                 "--jobs", "1", "--out", str(out), "--report"]) == 0
    return out


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> tuple[Path, Path]:
    """``run`` (2 replications of 2 months), then ``report --out`` elsewhere."""
    root = tmp_path_factory.mktemp("run")
    folder, out = root / "baseline", root / "report"
    assert main(["run", "--reps", "2", "--months", "2", "--jobs", "1", "--out", str(folder)]) == 0
    assert main(["report", str(folder), "--out", str(out)]) == 0
    return folder, out


def test_compare_with_report_writes_the_page_the_workbook_and_every_chart_twice(compared):
    names = {p.name for p in compared.iterdir()}
    assert {"report.html", "workbook.xlsx", "charts", "comparison.csv", "manifest.json"} <= names
    assert not [n for n in names if n.startswith(".")]  # no temporary files left
    pngs = sorted(p.stem for p in (compared / "charts").glob("*.png"))
    assert pngs == sorted(p.stem for p in (compared / "charts").glob("*.svg"))
    assert {"fan-unallocated_over_5d-whole-plan", "options-unallocated_over_5d-month4",
            "cost-effect-unallocated_over_5d-month4", "caseloads-month4", "workforce-baseline"} <= set(pngs)


def test_the_page_is_self_contained_with_every_chart_embedded(compared):
    page = (compared / "report.html").read_text(encoding="utf-8")
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert len(images) == len(list((compared / "charts").glob("*.png"))) >= 8
    assert all(base64.b64decode(image)[:8] == b"\x89PNG\r\n\x1a\n" for image in images)
    assert not re.search(r"(src|href)=['\"]?(https?:|//|file:)", page)  # nothing to fetch
    assert page.startswith("<!DOCTYPE html>") and "lang='en-GB'" in page


def test_the_page_records_where_its_figures_came_from(compared):
    page = (compared / "report.html").read_text(encoding="utf-8")
    manifest = json.loads((compared / "manifest.json").read_text())
    assert f"capacity-model {__version__}" in page
    for item, value in (("Seed", "2"), ("Replications (simulated futures)", "3"), ("Base scenario", "baseline")):
        assert f"<td>{item}</td><td>{value}</td>" in page
    assert "--report" in manifest["command"] and manifest["command"].split(" --out")[0] in page
    assert manifest["started"] in page


def test_the_page_states_each_options_change_from_the_base_in_words_and_values(compared):
    page = (compared / "report.html").read_text(encoding="utf-8")
    differences = pd.read_csv(compared / "comparison.csv")
    cost = differences[(differences["scenario"] == "whole-plan") & (differences["kpi"] == "cost_cumulative_gbp")
                       & (differences["month"] == 4)].iloc[0]
    lead = re.search(r"<strong>(Whole plan [^<]*)</strong>", page).group(1)
    assert "children unallocated over 5 working days" in lead and "at month 4 (July 2020)" in lead
    assert f"£{cost['difference_mean'] / 1e6:,.2f} million ({cost['difference_ci_low'] / 1e6:,.2f} to " in lead
    assert "Share of simulated futures meeting the plan&#x27;s target at month 4 (July 2020)" in page


def test_the_page_shows_how_much_the_result_rests_on_what_freed_time_buys(compared):
    manifest = json.loads((compared / "manifest.json").read_text())
    assert [(v["option"], v["value"]) for v in manifest["variants"]] == [("whole-plan", 0.0), ("whole-plan", 1.0)]
    differences = pd.read_csv(compared / "comparison.csv")
    assert {"whole-plan~freed-time-0", "whole-plan~freed-time-1"} <= set(differences["scenario"])
    page = (compared / "report.html").read_text(encoding="utf-8")
    assert "<h2>What the result rests on</h2>" in page and "freed_time_to_caseload_share = 0" in page
    assert "What this rests on: if none of support staff&#x27;s freed time went to more children" in page
    assert "freed-time" not in page.split("<h2>What the result rests on</h2>")[0]  # not shown as options
    assert not [p for p in (compared / "charts").iterdir() if "freed-time" in p.name]


def test_the_chances_of_meeting_targets_come_with_intervals_and_a_warning_when_too_few(compared):
    page = (compared / "report.html").read_text(encoding="utf-8")
    assert "(95% interval)" in page and "<span class='ci'>(0 to 56)</span>" in page  # 0 of 3 futures
    assert "Too few simulated futures to say" in page


def test_the_page_lists_each_scenarios_assumptions_with_notes_and_dates(compared):
    page = (compared / "report.html").read_text(encoding="utf-8")
    assert "The whole plan: agency offer, interim team" in page  # the scenario's description
    assert "[E] leaving hazard 15% lower" in page  # an intervention's note, with its mark
    assert "workforce.leaving.pay_and_progression_multiplier" in page and "1 Apr 2020" in page
    assert "10 social workers in the locality team" in page and "1 Oct 2020" in page  # the interim team
    assert "[F] found in a published source" in page


def test_the_page_has_the_scorecard_at_each_month_with_intervals(compared):
    page = (compared / "report.html").read_text(encoding="utf-8")
    summary = pd.read_csv(compared / "summary.csv")
    row = summary[(summary["scenario"] == "baseline") & (summary["kpi"] == "agency_sw")
                  & (summary["month"] == 4)].iloc[0]
    assert "<h3>At month 4 (July 2020)</h3>" in page
    assert f"{row['mean']:,.0f}<br><span class='ci'>({row['ci_low']:,.0f} to {row['ci_high']:,.0f})</span>" in page


def workbook_sheets(folder: Path) -> dict[str, pd.DataFrame]:
    return pd.read_excel(folder / "workbook.xlsx", sheet_name=None)


def test_the_workbook_reads_back_to_the_same_numbers_as_the_csv_files(compared):
    sheets = workbook_sheets(compared)
    assert list(sheets) == ["about", "summary", "monthly scorecard", "comparison", "costs", "assumptions"]
    summary = pd.read_csv(compared / "summary.csv")
    back = sheets["summary"].rename(columns={v: k for k, v in workbook.SUMMARY_HEADERS.items()})[summary.columns]
    pd.testing.assert_frame_equal(back, summary, check_dtype=False)
    comparison = pd.read_csv(compared / "comparison.csv")
    back = sheets["comparison"].rename(columns={v: k for k, v in workbook.COMPARISON_HEADERS.items()})
    pd.testing.assert_frame_equal(back[comparison.columns], comparison, check_dtype=False)


def test_the_workbooks_wide_sheets_match_the_summary_and_carry_units(compared):
    sheets = workbook_sheets(compared)
    summary = pd.read_csv(compared / "summary.csv").set_index(["scenario", "kpi", "month"])
    scorecard = sheets["monthly scorecard"].set_index(["Scenario", "Month"])
    header = "Children unallocated over 5 working days (children)"
    for stat, text in (("mean", "mean"), ("ci_low", "95% CI low"), ("ci_high", "95% CI high")):
        assert scorecard.loc[("whole-plan", 3), f"{header}: {text}"] == pytest.approx(
            summary.loc[("whole-plan", "unallocated_over_5d", 3), stat])
    assert list(scorecard.index.get_level_values(0).unique()) == [  # base first, then options, then their variants
        "baseline", "whole-plan", "whole-plan~freed-time-0", "whole-plan~freed-time-1"]
    costs = sheets["costs"].set_index(["Scenario", "Month"])
    assert costs.loc[("baseline", 2), "Workforce cost in the month (£, mean)"] == pytest.approx(
        summary.loc[("baseline", "cost_total_gbp", 2), "mean"])
    assert "Workforce cost since the start date (£, mean)" in costs.columns
    assert set(sheets["summary"]["Unit"]) >= {"children", "%", "£", "FTE"}
    assumptions = sheets["assumptions"]
    assert "workforce.agency.fill_probability_per_month" in set(assumptions["Setting"])
    assert assumptions.iloc[0]["What"] == "description"
    about = dict(zip(sheets["about"]["Item"], sheets["about"]["Value"].astype(str)))
    assert about["Seed"] == "2" and about["Model version"] == f"capacity-model {__version__}"


def test_a_run_folder_reports_into_another_folder_without_a_comparison(ran):
    folder, out = ran
    assert not (folder / "report.html").exists()
    assert {"report.html", "workbook.xlsx", "charts"} <= {p.name for p in out.iterdir()}
    assert "comparison" not in workbook_sheets(out)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Children unallocated over 5 working days:" in page and "the plan&#x27;s target: none (0)" in page
    assert "<h3>The plan&#x27;s measures</h3>" in page and "(none: a run, not a comparison)" in page


def test_reporting_again_replaces_the_report_whole_and_a_failure_leaves_the_last_one(ran, monkeypatch):
    folder, out = ran
    write_report(folder, out)  # again, over the earlier report
    before = (out / "workbook.xlsx").read_bytes()

    def broken(*_):
        raise OSError("disk full")

    monkeypatch.setattr(report, "page_html", broken)
    with pytest.raises(ReportError, match="disk full"):
        write_report(folder, out)
    assert (out / "workbook.xlsx").read_bytes() == before
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]


def test_a_damaged_comparison_is_refused_and_a_chart_with_nothing_to_draw_is_named(compared, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(compared, folder, ignore=shutil.ignore_patterns("charts", "*.html", "*.xlsx"))
    differences = pd.read_csv(folder / "comparison.csv")
    differences[differences["kpi"] != "pct_caseload_le_22"].to_csv(folder / "comparison.csv", index=False)
    with pytest.raises(ReportError, match="comparison.csv: does not match kpis_monthly.csv"):
        write_report(folder)
    assert not (folder / "report.html").exists()
    # a service with nobody in post has no caseloads at all: that chart is not drawn, and the page says so
    nobody = {"experienced": 0, "newly_qualified": 0, "agency": 0}
    empty = {"extends": "baseline", "warm_up_months": 0,
             "initial_state": {"staff": {team: nobody for team in ("assessment", "locality", "children_in_care")}},
             "workforce": {"recruitment": {"campaign_every_months": None, "newly_qualified_per_year": 0},
                           "agency": {"fill_probability_per_month": 0.0}},
             "allocation": {"reallocations_per_family_year": 0.0}}
    for name, referrals in (("nobody", 1000), ("nobody-busier", 2000)):
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump({**empty, "referrals": {"new_children_per_year": referrals}}))
    out = tmp_path / "empty"
    assert main(["compare", str(tmp_path / "nobody.yaml"), str(tmp_path / "nobody-busier.yaml"), "--reps", "2",
                 "--months", "2", "--jobs", "1", "--out", str(out), "--report"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<strong>options-pct_caseload_le_22-month2</strong>: Not drawn: no differences for pct_caseload_le_22" in page
    assert not (out / "charts" / "options-pct_caseload_le_22-month2.png").exists()


@pytest.mark.parametrize("make, message", [
    (lambda tmp: tmp / "missing", "no such run folder"),
    (lambda tmp: tmp, "not a run folder (no manifest.json)"),
    (lambda tmp: (tmp / "manifest.json").write_text("{}") and tmp,
     "manifest.json: lacks the scenarios, replications or months of the run"),
])
def test_report_errors_are_one_line_and_exit_2(tmp_path, capsys, make, message):
    assert main(["report", str(make(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith("capacity-model: error: ") and err.count("\n") == 1


def test_words_for_changes_and_costs():
    assert change_in_words("unallocated_over_5d", -104.2, -119.4, -88.3) == (
        "cuts children unallocated over 5 working days by 104 (88 to 119)")
    assert change_in_words("pct_caseload_le_22", -13.0, -24.0, -2.1) == (
        "cuts the share of social workers with 22 or fewer children by 13.0 percentage points (2.1 to 24.0): worse")
    assert change_in_words("agency_sw", -13, -19, -7) == "cuts agency social workers by 13 (7 to 19): better"
    assert change_in_words("unallocated", -7, -42, 27).startswith("makes no clear difference to unallocated children")
    assert cost_in_words(2.2e6, 2.17e6, 2.24e6) == "for £2.20 million (2.17 to 2.24) more"
    assert cost_in_words(-0.5e6, -0.6e6, -0.4e6) == "saving £0.50 million (0.40 to 0.60)"
    assert cost_in_words(0.01e6, -0.02e6, 0.04e6) == (
        "with no clear difference in cost (+£0.01 million; 95% interval \u2212£0.02 to +£0.04 million)")


def test_events_come_from_interventions_and_the_interim_team():
    scenario = {"interventions": [
        {"parameter": "workforce.support.business_support", "start_date": "2020-04-01", "end_date": "2021-04-01"},
        {"parameter": "costs.agency_gbp_per_fte_year", "start_date": "2020-03-01", "end_date": None}],
        "workforce": {"interim_team": {"social_workers": 10, "start_date": "2020-04-01", "end_date": "2020-10-01"}}}
    assert report.scenario_events(scenario) == [
        ("2020-04-01", "business support"), ("2021-04-01", "business support ends"),
        ("2020-04-01", "interim team of 10 arrives"), ("2020-10-01", "interim team leaves")]


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian package 'chromium'; .ci/run "
                                             "installs it where apt-get is available), so the page cannot be "
                                             "opened in a real browser")
def test_the_page_opens_in_a_real_browser_and_is_not_blank(compared, tmp_path):
    from PIL import Image
    shot = tmp_path / "page.png"
    done = subprocess.run([
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1200,2000",
        (compared / "report.html").as_uri()], capture_output=True, text=True, timeout=120)
    assert shot.exists(), done.stderr[-2000:]
    with Image.open(shot) as image:
        pixels = np.asarray(image.convert("RGB"))
    assert pixels.shape[:2] == (2000, 1200)
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    assert len(colours) > 200  # text, tables and charts, not a blank or error page
    assert (pixels.min(axis=2) < 128).mean() > 0.01  # enough dark ink to be text
