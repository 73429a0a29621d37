"""The planners' page without a browser: its levers, its jobs and its tables, and Streamlit's own app test.

The page in a real browser is tested in tests/test_app_browser.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from capacity_model.experiment import run_experiment
from capacity_model.experiment.executors import KeptPool
from capacity_model.interface.app import choices, levers as lv, views
from capacity_model.interface.app.jobs import Jobs
from capacity_model.scenario import Scenario, ScenarioError, load_scenario
from capacity_model.studies.compare import compare

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
LOCALITY = "teams.locality.posts_fte"


def shown(scenario) -> dict:
    return {lever.path: lv.lever_value(scenario, lever) for lever in lv.levers(scenario)}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_levers_left_as_shown_change_nothing(path):
    """Every scenario file, its levers read and set back as the page shows them (shares in %): the same scenario."""
    scenario = load_scenario(path)
    again = lv.with_levers(scenario, shown(scenario), lv.swso_start(scenario), lv.interim_team(scenario))
    assert again == scenario


def test_a_changed_lever_acts_from_the_start_date_and_leaves_the_warm_up_as_it_was():
    base = load_scenario("baseline")
    changed = lv.with_levers(base, {**shown(base), LOCALITY: 100})
    assert changed.on(base.start_date - timedelta(days=1)).teams["locality"].posts_fte == 80
    assert changed.on(base.start_date).teams["locality"].posts_fte == 100
    assert lv.lever_value(changed, next(l for l in lv.levers(base) if l.path == LOCALITY)) == 100


def test_a_lever_the_scenario_changes_on_a_date_sets_that_change():
    """Action 11a's new pay structure from April 2020: the lever shows and sets what it changes to, then."""
    pay = load_scenario(ROOT / "scenarios" / "action-11a-pay-progression.yaml")
    path = "workforce.leaving.pay_and_progression_multiplier"
    assert shown(pay)[path] == 85.0
    changed = lv.with_levers(pay, {**shown(pay), path: 70})
    assert len(changed.interventions) == len(pay.interventions)  # no new change: the dated one set
    assert changed.on(date(2020, 3, 31)).workforce.leaving.pay_and_progression_multiplier == 1.0
    assert changed.on(date(2020, 4, 1)).workforce.leaving.pay_and_progression_multiplier == pytest.approx(0.70)


def test_support_officers_come_in_from_their_date_and_none_is_none():
    base = load_scenario("baseline")
    fte = f"{lv.SWSO}.fte"
    officers = lv.with_levers(base, {**shown(base), fte: 10}, swso_from=date(2021, 1, 1))
    assert officers.on(date(2020, 12, 31)).workforce.support.social_work_support_officers is None
    role = officers.on(date(2021, 1, 1)).workforce.support.social_work_support_officers
    assert role.fte == 10 and role.time_freed_share == 0.2 and role.freed_time_to_caseload_share == 0.5
    model = load_scenario(ROOT / "scenarios" / "objective-2-operating-model.yaml")
    assert lv.swso_start(model) == date(2021, 1, 1) and shown(model)[fte] == 22.5
    none = lv.with_levers(model, {**shown(model), fte: 0})
    assert none.on(date(2022, 1, 1)).workforce.support.social_work_support_officers is None


def test_bad_levers_are_refused_with_the_field_and_what_is_allowed():
    base = load_scenario("baseline")
    interim = {"social_workers": 10, "team": "locality", "start_date": date(2020, 10, 1), "end_date": date(2020, 4, 1)}
    with pytest.raises(ScenarioError, match=r"levers on 'baseline': .*workforce\.interim_team.*end_date must be "
                                            r"after start_date"):
        lv.with_levers(base, shown(base), interim=interim)
    with pytest.raises(ScenarioError, match=r"workforce\.recruitment\.campaign_every_months.*greater than 0"):
        lv.with_levers(base, {**shown(base), "workforce.recruitment.campaign_every_months": 0})


def test_the_scenario_file_written_for_download_is_the_scenario(tmp_path):
    base = load_scenario("baseline")
    built = lv.with_levers(base, {**shown(base), LOCALITY: 95, f"{lv.SWSO}.fte": 5}, name="my-option")
    path = tmp_path / "my-option.yaml"
    path.write_text(lv.scenario_yaml(built, "baseline"), encoding="utf-8")
    assert load_scenario(path) == built


def test_an_option_is_described_by_the_levers_it_changes():
    base = load_scenario("baseline")
    option = lv.with_levers(base, {**shown(base), LOCALITY: 100, "workforce.agency.max_agency_workers": 10})
    assert choices.differences_in_words(base, option) == (
        "Locality posts 80 \u2192 100 FTE; Most agency social workers at once none \u2192 10 workers")
    assert choices.differences_in_words(base, base) == "the same levers as the base"


def test_an_uploaded_file_with_a_problem_is_named_with_its_field(tmp_path):
    with pytest.raises(ScenarioError, match=r"mine\.yaml: allocation\.caseload_capp: unknown field\. Did you mean "
                                            r"'caseload_cap'"):
        choices.uploaded_scenario("mine.yaml", b"extends: baseline\nallocation:\n  caseload_capp: 20\n",
                                  tmp_path)


@pytest.fixture(scope="module")
def jobs(tmp_path_factory):
    pool = KeptPool(2)
    yield Jobs(tmp_path_factory.mktemp("page"), pool, 2)
    pool.close()


SMALL = {"replications": 3, "months": 3, "seed": 5}


def quick_baseline():
    """The baseline without its year of warm-up: the same service, a quarter of the time to run."""
    return Scenario.model_validate({**load_scenario("baseline").model_dump(mode="json"), "warm_up_months": 0})


def test_a_run_on_the_page_is_the_python_api_run_and_is_kept(jobs):
    """Same seed, same numbers as run_experiment; the same levers again (under any name) run nothing."""
    base = quick_baseline()
    job = jobs.run(base, **SMALL)
    assert job.finished.wait(300) and job.error is None and job.done == 3
    expected = run_experiment(base, SMALL["replications"], SMALL["months"], SMALL["seed"], progress=False)
    pd.testing.assert_frame_equal(job.result.kpis.reset_index(drop=True), expected.kpis, check_dtype=False)
    assert jobs.run(base, **SMALL) is job
    renamed = jobs.run(base.model_copy(update={"name": "same-again"}), **SMALL)
    assert renamed.finished.wait(60) and renamed.error is None
    assert renamed.total == 0 and renamed.done == 0  # kept: nothing ran
    assert set(renamed.result.kpis["scenario"]) == {"same-again"}
    table = views.scorecard(job.result, base.name)
    row = table.set_index("Measure").loc["Children unallocated over 5 working days"]
    month = expected.kpis[(expected.kpis["kpi"] == "unallocated_over_5d") & (expected.kpis["month"] == 3)]
    assert row.filter(like="Month 3").iloc[0].startswith(f"{month['value'].mean():,.0f} (")
    report = choices.report_bytes(job.result.path, "report.html").decode("utf-8")  # the page's downloads
    assert "Scorecard" in report and choices.report_bytes(job.result.path, "workbook.xlsx")[:2] == b"PK"


def test_a_comparison_on_the_page_is_the_python_api_comparison_on_kept_runs(jobs):
    base = quick_baseline()
    option = lv.with_levers(base, {**shown(base), LOCALITY: 100, f"{lv.SWSO}.fte": 10}, name="more-posts")
    done = jobs.run(base, **SMALL)
    done.finished.wait(300)
    job = jobs.compare(base, [option], **SMALL)
    assert job.total == 3 * SMALL["replications"]  # the base was kept: the option and its two freed-time ends run
    assert job.finished.wait(300) and job.error is None
    expected = compare(base, [option], SMALL["replications"], SMALL["months"], SMALL["seed"], progress=False)
    got = job.result.differences.reset_index(drop=True)
    pd.testing.assert_frame_equal(got[expected.differences.columns], expected.differences, check_dtype=False)
    table = views.changes(job.result).set_index("Measure")
    assert list(table.columns) == ["Unit", "baseline", "more-posts"]
    assert table.loc["Extra cost since the start date", "more-posts"].startswith("+")
    ends = views.rests_on(job.result)["more-posts"].set_index("Measure")
    assert list(ends.columns) == ["Unit", "as set", "freed_time_to_caseload_share = 0",
                                  "freed_time_to_caseload_share = 1"]
    label = "Change in children unallocated over 5 working days"
    assert ends.loc[label, "as set"] == table.loc[label, "more-posts"]


def test_a_target_search_on_the_page_says_the_least_level_that_meets_it(jobs):
    base = quick_baseline()
    lever = next(l for l in choices.target_levers(base) if l.path == LOCALITY)
    search = choices.target_search(base, lever, 60, 140, 80, "pct_caseload_le_22", 3, 0.9, SMALL)
    assert [s.teams["locality"].posts_fte for s in (l.on(base.start_date) for l in search.levels)] == [60, 140]
    job = jobs.target(search, choices.level_describer(search))
    assert job.finished.wait(600) and job.error is None
    assert job.notes and all(note.startswith("Locality posts (FTE) ") for note in job.notes)
    found = job.result
    assert found.answer in (None, 60, 140)
    assert (found.answer is None) == (found.summary["highest_level_evidence"]["chance"] < 0.9)


def test_a_search_asking_too_much_is_refused_in_words():
    base = load_scenario("baseline")
    lever = next(l for l in choices.target_levers(base) if l.path == LOCALITY)
    with pytest.raises(ScenarioError, match=r"target search: high \(10(\.0)?\) must be at least low \(50(\.0)?\)"):
        choices.target_search(base, lever, 50, 10, 5, "pct_caseload_le_22", 3, 0.9, SMALL)
    with pytest.raises(ScenarioError, match="at most 200 on the page"):
        choices.target_search(base, lever, 0, 1000, 1, "pct_caseload_le_22", 3, 0.9, SMALL)


def test_streamlit_draws_the_page_and_shows_a_bad_lever_in_words(tmp_path, monkeypatch):
    """Streamlit's own app test: the page draws with its levers; an interim team ending before it starts
    is refused with the scenario's message, and nothing is run."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.chdir(tmp_path)  # the page's results folder (results/app) is made here
    page = AppTest.from_file(str(ROOT / "capacity_model" / "interface" / "app" / "streamlit_script.py"),
                             default_timeout=120)
    page.run()
    assert not page.exception
    assert page.title[0].value == "Workforce capacity model"
    assert [tab.label for tab in page.tabs] == ["Levers and results", "Compare options", "How many do we need?",
                                                "How to read this"]
    assert any("common random numbers" in " ".join(text.value.split()) for text in page.tabs[3].markdown)
    labels = [box.label for box in page.number_input]
    assert "Locality posts (FTE)" in labels and "Social Work Support Officers (FTE)" in labels
    prefix = "lever:baseline (built in)"
    page.number_input(key=f"{prefix}:interim-n").set_value(10)
    page.date_input(key=f"{prefix}:interim-from").set_value(date(2020, 10, 1))
    page.date_input(key=f"{prefix}:interim-to").set_value(date(2020, 4, 1))
    page.button[0].click()  # the form's Run
    page.run()
    assert not page.exception
    assert any("end_date must be after start_date" in error.value for error in page.error)
    assert not (tmp_path / "results" / "app").exists() or not any((tmp_path / "results" / "app").glob("run-*"))


def test_the_councils_own_files_become_a_scenario_and_leave_no_identifier(tmp_path):
    """Uploaded on the page: read in a temporary folder, deleted, and only the pseudonymised scenario kept."""
    import csv

    example = ROOT / "examples" / "council-data"
    files = {name: (example / name).read_bytes() for name in ("staff.csv", "children.csv", "referrals.csv",
                                                               "posts.csv")}
    scenario = choices.imported_scenario(files, tmp_path, date(2020, 3, 1))
    with (example / "staff.csv").open(encoding="utf-8") as handle:
        staff = list(csv.DictReader(handle))
    assert len(scenario.initial_state.workers) == sum(row["role"] == "social_worker" for row in staff)
    kept = list(tmp_path.rglob("*"))
    assert [path.name for path in kept] == ["council-data-2020-03-01.yaml"]
    text = kept[0].read_text(encoding="utf-8")
    assert not [row["worker_id"] for row in staff if row["worker_id"] in text]
    broken = {**files, "staff.csv": files["staff.csv"].replace(b"locality", b"localty", 1)}
    with pytest.raises(ScenarioError, match=r"staff\.csv.*row.*team"):
        choices.imported_scenario(broken, tmp_path / "again", date(2020, 3, 1))
    assert not (tmp_path / "again").exists() or not any((tmp_path / "again").iterdir())
