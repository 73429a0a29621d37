"""Reliability (issue 11): every bad input one clear line and exit 2, Ctrl-C that stops, nothing half-written."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import baseline_data, group_ends, hearing_ctrl_c
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capacity_model.analysis.outputs import publish
from capacity_model.interface.cli import main

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "capacity-model: error: "


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def nothing_written(folder: Path) -> bool:
    """No run folder and no staging folder left in ``folder``."""
    return not [p for p in folder.iterdir() if p.is_dir()]


BAD_FILES = {
    "text-for-number": ("extends: baseline\nteams:\n  locality: {posts_fte: '+20'}\n",
                        "teams.locality.posts_fte: needs a number, not the text '+20'"),
    "yaml-reads-as-text": ("extends: baseline\nreferrals: {new_children_per_year: 1.0e9}\n",
                           "such as 1000000000"),
    "intervention-text": ("extends: baseline\ninterventions:\n  - {parameter: teams.locality.posts_fte, value: '+20', "
                          "start_date: 2020-04-01}\n", "is text, and teams.locality.posts_fte needs a number"),
    "before-the-origin": ("extends: baseline\ninterventions:\n  - {parameter: teams.locality.posts_fte, add: 20, "
                          "start_date: 2018-04-01}\n", "interventions.0.start_date: 2018-04-01 is before the run's origin"),
    "value-and-add": ("extends: baseline\ninterventions:\n  - {parameter: teams.locality.posts_fte, add: 20, value: 9, "
                      "start_date: 2020-04-01}\n", "give exactly one of value"),
    "add-to-a-word": ("extends: baseline\ninterventions:\n  - {parameter: allocation.policy, add: 1, "
                      "start_date: 2020-04-01}\n", "interventions.0.add: 'allocation.policy' is 'above_cap_after_wait'"),
    "not-utf-8": (b"extends: baseline\ndescription: caf\xe9\n", "not UTF-8 text (byte 0xe9"),
    "misspelt": ("extends: baseline\nallocation: {caseload_capp: 20}\n", "Did you mean 'caseload_cap'?"),
    "too-large": ("extends: baseline\nreferrals: {new_children_per_year: 1000000000}\n",
                  "referrals.new_children_per_year: 1,000,000,000 children a year would put up to"),
    "no-freed-time-choice": ("extends: baseline\nworkforce:\n  support:\n    contact_workers: {fte: 2, "
                             "social_workers_supported_per_fte: 10, time_freed_share: 0.05}\n",
                             "workforce.support.contact_workers.freed_time_to_caseload_share: required field"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_scenario_file_is_one_line_naming_file_and_field_and_writes_nothing(case, tmp_path, capsys):
    text, message = BAD_FILES[case]
    path = write(tmp_path, f"{case}.yaml", text)
    started = time.perf_counter()
    assert main(["run", str(path), "--reps", "2", "--months", "1", "--jobs", "1", "--out", str(tmp_path / "out")]) == 2
    assert time.perf_counter() - started < 10  # refused before anything runs
    err = capsys.readouterr().err.strip().splitlines()
    assert err and all(line.startswith(PREFIX) for line in err)
    assert message in "\n".join(err) and (str(path) in err[0] or case == "too-large")
    assert nothing_written(tmp_path)


def test_validate_checks_every_file_and_reports_every_problem(tmp_path, capsys):
    bad = [write(tmp_path, f"{case}.yaml", BAD_FILES[case][0]) for case in ("not-utf-8", "misspelt")]
    good = ROOT / "scenarios" / "action-10b-interim-team.yaml"
    several = write(tmp_path, "several.yaml", "extends: baseline\nallocation: {caseload_cap: 'x'}\n"
                                              "referrals: {arrival_process: maybe}\n")
    assert main(["validate", str(bad[0]), str(good), str(bad[1]), str(several)]) == 2
    captured = capsys.readouterr()
    assert f"{good}: valid" in captured.out
    errors = captured.err.strip().splitlines()
    assert [line.removeprefix(PREFIX).split(": ")[0] for line in errors] == [
        str(bad[0]), str(bad[1]), str(several), str(several)]  # every file, every problem, a line each


@pytest.mark.parametrize("args, message", [
    (["--reps", "1000000000"], "--reps: 1,000,000,000 replications of 24 months"),
    (["--months", "5000"], "must be at most 1,200 (100 years)"),
])
def test_impossible_options_are_refused_before_running(args, message, tmp_path, capsys):
    try:
        code = main(["run", *args, "--out", str(tmp_path / "out")])
    except SystemExit as stop:  # argparse's own refusal
        code = stop.code
    assert code == 2 and message in capsys.readouterr().err and nothing_written(tmp_path)


def test_an_output_folder_that_cannot_be_made_fails_before_the_simulation(tmp_path, capsys):
    blocker = write(tmp_path, "a-file", "not a folder")
    started = time.perf_counter()
    assert main(["run", "--reps", "40", "--out", str(blocker / "run")]) == 2
    assert time.perf_counter() - started < 5  # 40 replications would take far longer
    assert f"{PREFIX}{blocker}: is a file, not a folder" in capsys.readouterr().err


def test_results_follow_the_users_umask(tmp_path):
    previous = os.umask(0o027)
    try:
        folder = publish(tmp_path / "run", {"a.txt": lambda p: p.write_text("a"), "sub": lambda p: p.mkdir()})
    finally:
        os.umask(previous)
    assert folder.stat().st_mode & 0o777 == 0o750
    assert (folder / "a.txt").stat().st_mode & 0o777 == 0o640 and (folder / "sub").stat().st_mode & 0o777 == 0o750


# --- interrupts and kills, for real ---------------------------------------------------------


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "capacity_model", *args]


def wait_for(condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_stops_a_parallel_run_within_two_seconds_and_leaves_nothing(presses, tmp_path):
    out = tmp_path / "run"
    process = subprocess.Popen(hearing_ctrl_c(command("run", "--reps", "40", "--jobs", "2", "--out", str(out))),
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    assert wait_for(lambda: list(tmp_path.glob(".run.incomplete-*")), 30)  # the run has begun
    time.sleep(3)  # the workers are simulating
    pressed = time.monotonic()
    for _ in range(presses):
        os.kill(process.pid, signal.SIGINT)
        time.sleep(0.2)
    _, err = process.communicate(timeout=30)
    assert time.monotonic() - pressed < 2.0 + 0.2 * presses
    assert process.returncode == 130
    assert err.strip() == "capacity-model: interrupted; nothing was written"
    assert not out.exists() and not list(tmp_path.glob(".*"))
    assert group_ends(process.pid)  # no worker left behind


SLOW_WRITER = """
import sys, time
from pathlib import Path
from capacity_model.analysis.outputs import publish
def slow(path):
    path.write_text("part")
    print("writing", flush=True)
    time.sleep(60)
publish(Path(sys.argv[1]), {"first.csv": lambda p: p.write_text("done"), "second.csv": slow})
"""


def test_a_staging_folder_left_by_a_killed_writer_is_cleaned_by_the_next_write(tmp_path):
    writer = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(tmp_path / "killed")], stdout=subprocess.PIPE,
                              text=True)
    assert writer.stdout.readline().strip() == "writing"
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)
    [left] = tmp_path.glob(".killed.incomplete-*")
    assert (left / "first.csv").exists() and not (tmp_path / "killed").exists()  # nothing half-written in place
    publish(tmp_path / "next", {"a.csv": lambda p: p.write_text("a")})
    assert not left.exists() and (tmp_path / "next" / "a.csv").read_text() == "a"


# --- damaged run folders --------------------------------------------------------------------


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("runs") / "baseline"
    assert main(["run", "--reps", "2", "--months", "2", "--jobs", "1", "--out", str(folder)]) == 0
    return folder


def cut_short(path: Path) -> None:
    text = path.read_text()
    path.write_text(text[: len(text) * 2 // 3])


@pytest.mark.parametrize("damage, message", [
    (lambda f: cut_short(f / "summary.csv"), "summary.csv: "),
    (lambda f: (f / "caseloads_monthly.csv").unlink(), "caseloads_monthly.csv: missing"),
    (lambda f: (f / "kpis_monthly.parquet").write_bytes(b"PAR1 damaged"), "kpis_monthly.parquet: cannot be read"),
    (lambda f: (f / "manifest.json").write_text("{\"scenarios\": "), "manifest.json: cannot be read"),
    (lambda f: (f / "summary.csv").write_text("scenario,kpi\nbaseline,unallocated\n"), "summary.csv: has no column"),
])
def test_report_refuses_a_damaged_run_folder_naming_the_file(run_folder, tmp_path, damage, message, capsys):
    folder = tmp_path / "copy"
    shutil.copytree(run_folder, folder)
    damage(folder)
    assert main(["report", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(PREFIX) and err.count("\n") == 1 and message in err
    assert not (folder / "report.html").exists()


# --- fuzz: mutated files and command lines ----------------------------------------------------


def mutations():
    leaves = st.sampled_from(["referrals.new_children_per_year", "allocation.caseload_cap", "allocation.policy",
                              "teams.locality.posts_fte", "pathway.cp_plan_days", "initial_state.staff",
                              "workforce.leaving.destinations.agency", "start_date", "interventions", "costs"])
    values = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                       st.text(max_size=8), st.lists(st.integers(), max_size=3),
                       st.dictionaries(st.text(max_size=4), st.integers(), max_size=2))
    return st.lists(st.tuples(leaves, st.sampled_from(["set", "delete", "misspell"]), values), min_size=1, max_size=4)


def mutate(data: dict, changes) -> dict:
    for path, action, value in changes:
        *parents, last = path.split(".")
        holder = data
        for part in parents:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if not isinstance(holder, dict):
            continue
        if action == "delete":
            holder.pop(last, None)
        elif action == "misspell" and last in holder:
            holder[last + "x"] = holder.pop(last)
        else:
            holder[last] = value
    return data


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=mutations())
def test_fuzz_mutated_scenario_files_give_a_message_never_a_traceback(changes, tmp_path_factory, capsys):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "mutated.yaml"
    path.write_text(yaml.safe_dump(mutate(baseline_data(), changes)), encoding="utf-8")
    code = main(["validate", str(path)])
    captured = capsys.readouterr()
    assert code in (0, 2)
    if code == 2:
        lines = captured.err.strip().splitlines()
        assert lines and all(line.startswith(f"{PREFIX}{path}: ") for line in lines)


WORDS = ["run", "compare", "report", "validate", "list", "bogus", "--reps", "0", "-3", "two", "--months", "1201",
         "--jobs", "0", "--seed", "-1", "--out", "/proc/nowhere/x", "missing.yaml", "--report", "--help-me", ""]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
def test_fuzz_command_lines_exit_0_or_2_with_a_message(words, capsys, tmp_path_factory, monkeypatch):
    if "list" in words[:1] or words[:1] == ["validate"] and len(words) == 1:
        words = ["bogus", *words]
    if words[0] in ("run", "compare"):
        # always a scenario refused before any simulation: after "--", so that it is never an option's value
        # ("run --out missing.yaml" would run the built-in baseline into a folder of that name)
        words = [*words, "--", "missing.yaml"]
    folder = tmp_path_factory.mktemp("fuzz-cwd")
    monkeypatch.chdir(folder)
    try:
        code = main(words)
    except SystemExit as stop:
        code = stop.code
    captured = capsys.readouterr()
    assert code in (0, 2), (words, captured.err)
    if code == 2:
        assert captured.err.strip()
    assert not any(folder.iterdir()), (words, "wrote output although the command line was refused")
