"""The command line end to end on short runs."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from capacity_model import __version__
from capacity_model.interface.cli import main
from capacity_model.measures import KPIS, OBJECTIVE_10_KPIS
from capacity_model.analysis.summary import SUMMARY_COLUMNS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "baseline-short"
    code = main(["run", "--reps", "3", "--months", "7", "--seed", "4", "--jobs", "1", "--out", str(out)])
    assert code == 0
    return out


def test_run_writes_the_four_output_files(run_folder):
    assert {"manifest.json", "kpis_monthly.csv", "kpis_monthly.parquet", "summary.csv"} <= {
        p.name for p in run_folder.iterdir()}
    assert not [p for p in run_folder.parent.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_manifest_records_what_made_the_results(run_folder):
    manifest = json.loads((run_folder / "manifest.json").read_text())
    assert manifest["seed"] == 4 and manifest["replications"] == 3 and manifest["months"] == 7
    assert manifest["version"] == __version__
    assert manifest["scenarios"][0]["name"] == "baseline"
    assert manifest["scenarios"][0]["allocation"]["caseload_cap"] == 22
    assert "--seed 4" in manifest["command"]
    assert manifest["started"] <= manifest["finished"]


def test_tidy_tables_agree(run_folder):
    csv = pd.read_csv(run_folder / "kpis_monthly.csv")
    parquet = pd.read_parquet(run_folder / "kpis_monthly.parquet")
    assert list(csv.columns) == ["scenario", "replication", "month", "date", "kpi", "value"]
    labels = ["scenario", "date", "kpi"]
    assert all(isinstance(parquet[c].dtype, pd.CategoricalDtype) for c in labels)  # as the API gives them
    pd.testing.assert_frame_equal(csv, parquet.astype({c: "str" for c in labels}), check_dtype=False)
    assert set(csv["replication"]) == {0, 1, 2} and set(csv["month"]) == set(range(8))
    assert set(OBJECTIVE_10_KPIS) <= set(csv["kpi"])
    summary = pd.read_csv(run_folder / "summary.csv")
    assert list(summary.columns) == SUMMARY_COLUMNS
    row = summary[(summary["kpi"] == "unallocated") & (summary["month"] == 6)].iloc[0]
    values = csv[(csv["kpi"] == "unallocated") & (csv["month"] == 6)]["value"]
    assert row["mean"] == pytest.approx(values.mean())
    assert row["ci_low"] <= row["mean"] <= row["ci_high"]
    assert row["p05"] <= row["p50"] <= row["p95"]


def test_run_prints_the_scorecard_with_targets(tmp_path, capsys):
    assert main(["run", "--reps", "2", "--months", "6", "--jobs", "1", "--out", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "Scorecard: baseline" in out and "month 6 (Sep 2020)" in out
    assert "Children unallocated over 5 working days" in out and "none (0)" in out
    assert "Results written to" in out


def test_run_refuses_to_overwrite_an_earlier_run(run_folder, capsys):
    before = {p.name: p.stat().st_mtime_ns for p in run_folder.iterdir()}
    assert main(["run", "--reps", "2", "--months", "1", "--out", str(run_folder)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert {p.name: p.stat().st_mtime_ns for p in run_folder.iterdir()} == before


def test_default_folder_is_named_after_the_scenario(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--reps", "2", "--months", "1", "--jobs", "1"]) == 0
    [folder] = list((tmp_path / "results").iterdir())
    assert folder.name.startswith("baseline-")


@pytest.mark.parametrize("args", [["--reps", "0"], ["--months", "-1"], ["--jobs", "two"], ["--seed", "-3"]])
def test_bad_options_are_refused(args, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", *args])
    assert exit_.value.code == 2
    assert "must be" in capsys.readouterr().err


def test_list_shows_builtins_and_every_kpi(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "baseline:" in out
    for kpi in KPIS:
        assert kpi.id in out


def test_validate_accepts_the_shipped_scenarios(capsys):
    from conftest import BASELINE_FILE
    from pathlib import Path
    repo_copy = Path(BASELINE_FILE).parents[3] / "scenarios" / "baseline.yaml"
    assert main(["validate", str(BASELINE_FILE), str(repo_copy)]) == 0
    assert capsys.readouterr().out.count("valid") == 2


def test_repository_baseline_is_the_built_in_one():
    from conftest import BASELINE_FILE
    from pathlib import Path
    repo_copy = Path(BASELINE_FILE).parents[3] / "scenarios" / "baseline.yaml"
    assert repo_copy.read_text() == BASELINE_FILE.read_text()


def test_module_entry_point():
    done = subprocess.run([sys.executable, "-m", "capacity_model", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and __version__ in done.stdout


def test_readme_documents_every_kpi_and_the_ci_runs_its_test_command():
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    for kpi in KPIS:
        assert f"`{kpi.id}`" in readme
    test_command = "python3 -m venv .venv && .venv/bin/pip install '.[test]' && .venv/bin/python -m pytest"
    assert test_command in readme
    assert test_command in (root / ".ci" / "run").read_text()


def test_intervals_stay_within_what_a_kpi_can_take():
    from capacity_model.analysis.summary import summarise
    kpis = pd.DataFrame({"scenario": "s", "replication": [0, 1, 2], "month": 1, "date": "2020-04-01",
                         "kpi": "pct_caseload_le_22", "value": [100.0, 100.0, 40.0]})
    row = summarise(kpis).iloc[0]
    assert row["ci_high"] == 100.0 and row["ci_low"] < row["mean"] == pytest.approx(80.0)
    gaps = kpis.assign(kpi="sw_gaps_total", value=[-3.0, 1.0, 2.0])
    assert summarise(gaps).iloc[0]["ci_low"] < -3.0  # gaps may be negative: not clipped
