"""A council's own files (issue 16): import, the explicit initial state, data errors and privacy."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from capacity_model.experiment.task import run_replication
from capacity_model.interface.cli import main
from capacity_model.scenario import load_scenario
from capacity_model.scenario.calendar import WorkingCalendar

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "council-data"
AS_OF = date(2020, 3, 1)


def read(name: str, folder: Path = EXAMPLE) -> list[dict[str, str]]:
    with (folder / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("council") / "my-council.yaml"
    assert main(["import-data", str(EXAMPLE), "--out", str(out), "--as-of", AS_OF.isoformat()]) == 0
    return out


def test_month_0_holds_exactly_the_files_workers_caseloads_and_waiting_children(imported):
    scenario = load_scenario(imported)
    assert scenario.warm_up_months == 0 and scenario.start_date == AS_OF
    staff, children = read("staff.csv"), read("children.csv")
    social_workers = {row["worker_id"]: row for row in staff if row["role"] == "social_worker"}
    held = Counter(row["worker_id"] for row in children if row["worker_id"])
    kind = {w: "agency" if r["agency"] == "yes" else "newly_qualified" if r["asye"] == "yes" else "experienced"
            for w, r in social_workers.items()}
    expected = Counter((kind[w], held.get(w, 0)) for w in social_workers)
    result = run_replication(scenario, seed=0, replication=0, months=1)
    month_0 = Counter({(k, n): workers for m, k, n, workers in result.caseloads if m == 0})
    assert month_0 == expected  # every worker with exactly the children the files give them
    kpis = {k: v for m, _, k, v in result.kpis if m == 0}
    waiting = [row for row in children if not row["worker_id"]]
    assert kpis["unallocated"] == len(waiting)
    calendar = WorkingCalendar(AS_OF, 40)
    day = lambda text: (date.fromisoformat(text) - AS_OF).days  # noqa: E731
    over_5 = sum(1 for row in waiting if calendar.working_days_between(day(row["unallocated_since"]), -1e-6) > 5)
    assert kpis["unallocated_over_5d"] == over_5
    for stage in ("cin", "cp", "cic"):
        assert kpis[f"open_{stage}"] == sum(1 for r in children if r["stage"] == stage and r["worker_id"])
    managers = sum(float(r["fte"]) for r in staff if r["role"] == "team_manager")
    assert scenario.workforce.team_managers.in_post_fte == pytest.approx(managers)
    assert {t: team.posts_fte for t, team in scenario.teams.items()} == {
        r["team"]: float(r["posts_fte"]) for r in read("posts.csv")}


def test_demand_is_estimated_from_the_referral_history(imported):
    scenario = load_scenario(imported)
    monthly = [int(r["children"]) for r in read("referrals.csv")]
    expected = 12 * sum(monthly) / len(monthly) * (1 - scenario.rereferral.probability)
    assert scenario.referrals.new_children_per_year == pytest.approx(expected, abs=0.1)
    assert len(scenario.referrals.monthly_seasonality) == 12
    assert "95% interval" in imported.read_text()


def test_no_identifier_from_the_files_reaches_any_output(imported, tmp_path):
    identifiers = {row["worker_id"] for row in read("staff.csv")}
    identifiers |= {row[c] for row in read("children.csv") for c in ("child_id", "family_id", "worker_id") if row[c]}
    run = tmp_path / "run"
    assert main(["run", str(imported), "--reps", "2", "--months", "2", "--jobs", "1", "--out", str(run),
                 "--report"]) == 0
    files = [imported, *[p for p in run.rglob("*") if p.is_file()]]
    assert len(files) > 5
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="ignore")
        leaked = [i for i in identifiers if i in text]
        assert not leaked, f"{path.name} holds {len(leaked)} identifiers"


def broken(tmp_path: Path, name: str, row: int, column: str, value: str) -> Path:
    """A copy of the example folder with one cell changed (row 0 is the first data row)."""
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("*.py", "*.md"))
    rows = read(name, folder)
    rows[row][column] = value
    with (folder / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


def first(name: str, **match: str) -> int:
    return next(i for i, row in enumerate(read(name)) if all(row[k] == v for k, v in match.items()))


CASES = {
    "unknown team": ("staff.csv", lambda: first("staff.csv", role="social_worker"), "team", "north",
                     "column team: 'north' is not a team of the base scenario (teams: assessment, locality"),
    "FTE above 1": ("staff.csv", lambda: 0, "fte", "1.4", "column fte: 1.4 is not above 0 and at most 1"),
    "a date in the future": ("staff.csv", lambda: 0, "start_date", "2021-06-01",
                             "column start_date: 2021-06-01 is in the future (the files describe the service on "
                             "2020-03-01)"),
    "duplicated child": ("children.csv", lambda: 1, "child_id", read("children.csv")[0]["child_id"],
                         "column child_id: child ending"),
    "worker not in the staff list": ("children.csv", lambda: first("children.csv", stage="cin", family_id=read(
        "children.csv")[first("children.csv", stage="cin")]["family_id"]), "worker_id", "EMP00000",
        "column worker_id: worker ending '000' is not a case-holding social worker in staff.csv"),
}


@pytest.mark.parametrize("case", CASES)
def test_each_data_error_names_file_row_and_column_and_nothing_is_written(case, tmp_path, capsys):
    name, row, column, value, message = CASES[case]
    index = row()
    folder = broken(tmp_path, name, index, column, value)
    out = tmp_path / "council.yaml"
    assert main(["import-data", str(folder), "--out", str(out), "--as-of", AS_OF.isoformat()]) == 2
    error = capsys.readouterr().err
    assert f"{name}, row {index + 2}, {message}" in error, error
    assert "nothing was written" in error and not out.exists()
    assert not list(tmp_path.glob(".*incomplete*"))
    assert value not in error or case in ("unknown team", "FTE above 1", "a date in the future")  # ids masked


def test_a_worker_in_two_teams_is_refused(tmp_path, capsys):
    staff = read("staff.csv")
    worker = next(r for r in staff if r["role"] == "social_worker")
    folder = tmp_path / "data"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("*.py", "*.md"))
    other = "assessment" if worker["team"] != "assessment" else "locality"
    with (folder / "staff.csv").open("a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames=list(worker)).writerow({**worker, "team": other})
    assert main(["import-data", str(folder), "--out", str(tmp_path / "x.yaml"), "--as-of", "2020-03-01"]) == 2
    error = capsys.readouterr().err
    assert f"staff.csv, row {len(staff) + 2}, column team: worker ending" in error
    assert "a worker belongs to one team" in error and worker["worker_id"] not in error


def test_a_missing_file_or_column_says_what_is_needed(tmp_path, capsys):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "staff.csv").write_text("worker_id,team\n", encoding="utf-8")
    assert main(["import-data", str(folder), "--out", str(tmp_path / "x.yaml"), "--as-of", "2020-03-01"]) == 2
    error = capsys.readouterr().err
    assert "staff.csv, row 1: missing column(s) role, agency, asye, fte, start_date" in error
    assert "children.csv: missing: the folder needs it" in error


def test_an_explicit_initial_state_is_checked_against_the_teams(tmp_path):
    from capacity_model.scenario import ScenarioError
    path = tmp_path / "lists.yaml"
    path.write_text(
        "extends: baseline\nwarm_up_months: 0\ninitial_state:\n"
        "  workers: [{id: W1, team: assessment, kind: experienced, service_start: 2015-01-01}]\n"
        "  families: [{id: F1, stage: cin, referral_date: 2020-01-01, stage_start: 2020-01-05, worker: W1}]\n",
        encoding="utf-8")
    with pytest.raises(ScenarioError, match="worker: 'W1' is in team 'assessment', but stage 'cin' is held by team "
                                            "'locality'"):
        load_scenario(path)


def test_an_imported_childs_visits_follow_their_own_time_in_care():
    """A child referred long ago who came into care a month before the origin is in their first year in
    care: their visits' schedule starts from coming into care, not from the referral."""
    from capacity_model.engine.replication import Replication
    path_data = load_scenario("baseline").model_dump(mode="json")
    initial = path_data["initial_state"]
    for key in ("allocated_children", "unallocated_children", "staff"):
        initial.pop(key)
    initial["workers"] = [{"id": "W1", "team": "children_in_care", "kind": "experienced", "service_start": "2015-01-01"}]
    initial["families"] = [{"id": "F1", "stage": "cic", "referral_date": "2016-05-01", "stage_start": "2020-02-01",
                            "worker": "W1"}]
    path_data["warm_up_months"] = 0
    from capacity_model.scenario import Scenario
    replication = Replication(Scenario.model_validate(path_data), 0, 0, 1, lambda month_end: None)
    replication.start()
    family = next(iter(replication.pathway.open_families.values()))
    visits = replication.oversight.visits.table  # the family's next visit is its slot there
    assert visits.place(family.visit).since == (date(2020, 2, 1) - AS_OF).days
    assert visits.place(family.visit).due <= 2 + 42  # spread over the first year's 6 weeks from the first working day, not 3 months


def test_excel_workbooks_import_as_the_csv_files_do(imported, tmp_path, capsys):
    from openpyxl import Workbook
    folder = tmp_path / "excel"
    folder.mkdir()
    for name in ("staff", "children", "referrals", "posts"):
        book = Workbook()
        sheet = book.active
        rows = list(csv.reader((EXAMPLE / f"{name}.csv").open(encoding="utf-8")))
        for i, row in enumerate(rows):
            cells = []
            for j, cell in enumerate(row):
                if i and rows[0][j].endswith(("_date", "_since")) and cell:
                    cells.append(date.fromisoformat(cell))  # dates as Excel holds them
                elif i and rows[0][j] in ("fte", "children", "posts_fte"):
                    cells.append(float(cell))
                else:
                    cells.append(cell)
            sheet.append(cells)
        book.save(folder / f"{name}.xlsx")
    out = tmp_path / "from-excel.yaml"
    assert main(["import-data", str(folder), "--out", str(out), "--as-of", AS_OF.isoformat()]) == 0
    assert load_scenario(out).initial_state == load_scenario(imported).initial_state
    assert load_scenario(out).referrals == load_scenario(imported).referrals
    book = Workbook()
    book.active.append(["worker_id", "team"])
    book.save(folder / "staff.xlsx")
    assert main(["import-data", str(folder), "--out", str(tmp_path / "x.yaml"), "--as-of", "2020-03-01"]) == 2
    assert "staff.xlsx, row 1: missing column(s) role" in capsys.readouterr().err
