"""Sweeps: sweep files validated point by point, the same tables on every executor, resumable after a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import group_ends, hearing_ctrl_c

from capacity_model.analysis.outputs import OutputError
from capacity_model.experiment import Dask, Serial, Task, TaskStore, in_order, run_experiment
from capacity_model.experiment.executors import Processes
from capacity_model.interface.cli import main as cli_main
from capacity_model.scenario import ScenarioError
from capacity_model.studies.sweep import sweep
from capacity_model.studies.sweep_file import load_sweep

BASE = Path(__file__).resolve().parent / "golden" / "small-continuous.yaml"


def sweep_file(folder: Path, body: str = "", name: str = "tiny.yaml", **fields) -> Path:
    """A small sweep of the golden small service: its posts by its referrals, 2 x 2 points."""
    text = {"base": str(BASE), "replications": 3, "months": 4, "seed": 5, "kpis": "[unallocated, pct_caseload_le_22]",
            **fields}
    lines = [f"{key}: {value}" for key, value in text.items()]
    parameters = body or """
        parameters:
          teams.duty.posts_fte: {values: [4, 6]}
          referrals.new_children_per_year: {values: [0.8, 1.2], relative: multiply}
    """
    path = folder / name
    path.write_text("\n".join(lines) + "\n" + textwrap.dedent(parameters), encoding="utf-8")
    return path


def tables(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in ("points.csv", "kpis.csv", "summary.csv")}


# --- sweep files ------------------------------------------------------------------------------------------------


def test_a_grid_sweep_makes_every_combination_each_a_scenario(tmp_path):
    plan = load_sweep(sweep_file(tmp_path))
    assert [p.values for p in plan.points] == [
        {"teams.duty.posts_fte": 4, "referrals.new_children_per_year": 0.8},
        {"teams.duty.posts_fte": 4, "referrals.new_children_per_year": 1.2},
        {"teams.duty.posts_fte": 6, "referrals.new_children_per_year": 0.8},
        {"teams.duty.posts_fte": 6, "referrals.new_children_per_year": 1.2}]
    assert [p.scenario.teams["duty"].posts_fte for p in plan.points] == [4, 4, 6, 6]
    # relative: a factor of the base's 320 children a year
    assert [p.scenario.referrals.new_children_per_year for p in plan.points] == pytest.approx([256, 384, 256, 384])
    assert plan.base.name == "small-continuous" and len({p.scenario.name for p in plan.points}) == 4


def test_a_latin_hypercube_puts_one_point_in_each_slice_of_every_range(tmp_path):
    body = """
        design: latin_hypercube
        points: 8
        parameters:
          teams.duty.posts_fte: {range: {low: 3, high: 7}}
          referrals.new_children_per_year: {range: {low: -40, high: 40}, relative: add}
    """
    plan = load_sweep(sweep_file(tmp_path, body))
    posts = np.array([p.values["teams.duty.posts_fte"] for p in plan.points])
    added = np.array([p.values["referrals.new_children_per_year"] for p in plan.points])
    assert sorted(np.floor((posts - 3) / 0.5).astype(int)) == list(range(8))  # one in each eighth of 3 to 7
    assert sorted(np.floor((added + 40) / 10).astype(int)) == list(range(8))
    assert [p.scenario.referrals.new_children_per_year for p in plan.points] == pytest.approx(320 + added)
    again = load_sweep(sweep_file(tmp_path, body))
    assert [p.values for p in again.points] == [p.values for p in plan.points]  # the sweep's seed fixes the design
    other = load_sweep(sweep_file(tmp_path, body, seed=6))
    assert [p.values for p in other.points] != [p.values for p in plan.points]


def test_another_seed_draws_another_latin_hypercube_and_whole_number_fields_take_whole_numbers(tmp_path):
    body = """
        design: latin_hypercube
        points: 4
        parameters:
          allocation.caseload_cap: {range: {low: 15, high: 25}}
          referrals.new_children_per_year: {range: {low: 0.9, high: 1.1}, relative: multiply}
    """
    plan = load_sweep(sweep_file(tmp_path, body))
    caps = [p.values["allocation.caseload_cap"] for p in plan.points]
    assert all(isinstance(c, int) for c in caps) and caps == [p.scenario.allocation.caseload_cap for p in plan.points]
    assert plan.labels["referrals.new_children_per_year"].endswith("(× base)")
    reseeded = plan.with_runs(seed=6)
    assert [p.values for p in reseeded.points] == [p.values for p in load_sweep(sweep_file(tmp_path, body, seed=6)).points]
    assert reseeded.fingerprint != plan.fingerprint
    with pytest.raises(ScenarioError, match=r"point 0 \(allocation.caseload_cap = 21\): .*not the text '21'"):
        load_sweep(sweep_file(tmp_path, "parameters:\n  allocation.caseload_cap: {values: ['21']}\n"))


@pytest.mark.parametrize("body, fields, message", [
    ("parameters:\n  teams.duty.posts_ftee: {values: [4]}\n", {},
     r"parameters\.teams\.duty\.posts_ftee: not a parameter of the base scenario 'small-continuous'"),
    ("parameters:\n  teams.duty.posts_fte: {values: [4, -2, 6]}\n", {},
     r"point 1 \(teams\.duty\.posts_fte = -2\): teams\.duty\.posts_fte: Input should be greater than or equal"),
    ("parameters:\n  teams.duty.posts_fte: {range: {low: 3, high: 7}}\n", {},
     r"design grid: every parameter needs values"),
    ("parameters:\n  teams.duty.posts_fte: {values: [4]}\n", {"replicatons": 3}, r"replicatons: unknown field. Did you mean 'replications'\?"),
    ("parameters:\n  teams.duty.stages: {values: [2], relative: add}\n", {},
     r"parameters\.teams\.duty\.stages\.relative: the base's value is \['assessment'"),
    ("parameters:\n  teams.duty.posts_fte: {values: [4]}\n", {"kpis": "[unalocated]"}, r"did you mean 'unallocated'"),
])
def test_a_bad_sweep_file_is_refused_naming_the_file_point_and_field(tmp_path, body, fields, message):
    path = sweep_file(tmp_path, body, **fields)
    with pytest.raises(ScenarioError, match=message) as error:
        load_sweep(path)
    assert str(error.value).startswith(str(path))


def test_a_point_that_fails_validation_is_named_before_anything_runs(tmp_path, capsys):
    path = sweep_file(tmp_path, "parameters:\n  teams.duty.posts_fte: {values: [4, -2]}\n")
    assert cli_main(["sweep", str(path), "--workers", "1", "--out", str(tmp_path / "out")]) == 2
    assert "point 1 (teams.duty.posts_fte = -2)" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --- the same tables everywhere ---------------------------------------------------------------------------------


def test_dask_gives_exactly_the_serial_tables_even_when_a_worker_is_lost(tmp_path):
    path = sweep_file(tmp_path)
    serial = sweep(path, tmp_path / "serial", Serial(), progress=False)
    with Dask(workers=2) as cluster:
        pids = list(cluster.client.run(os.getpid).values())
        killed = []

        def kill_a_worker(done, total, failed):
            if done == 1 and not killed:  # a worker lost midway: the scheduler reruns its tasks elsewhere
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        on_dask = sweep(path, tmp_path / "dask", cluster, progress=False, on_progress=kill_a_worker)
        # equal tasks run on Dask for run and compare too, from Python and from the command line
        scenario = serial.sweep.points[0].scenario
        assert_same_experiment(run_experiment(scenario, 3, 4, seed=2, executor=cluster),
                               run_experiment(scenario, 3, 4, seed=2))
        address = cluster.client.scheduler.address
        for how, options in (("here", ["--jobs", "1"]), ("dask", ["--scheduler", address])):
            assert cli_main(["run", str(BASE), "--reps", "2", "--months", "3", *options,
                             "--out", str(tmp_path / f"run-{how}")]) == 0
    assert killed and on_dask.failures.empty and serial.failures.empty
    assert tables(tmp_path / "serial") == tables(tmp_path / "dask")
    assert len(serial.kpis) == 4 * 3 * 2  # points x replications x KPIs, at the one month of interest (the last)
    pd.testing.assert_frame_equal(serial.summary, on_dask.summary)
    for name in ("kpis_monthly.csv", "summary.csv", "caseloads_monthly.csv", "balance.csv"):
        assert (tmp_path / "run-here" / name).read_bytes() == (tmp_path / "run-dask" / name).read_bytes()


def assert_same_experiment(a, b):
    pd.testing.assert_frame_equal(a.kpis, b.kpis)
    pd.testing.assert_frame_equal(a.caseloads, b.caseloads)


def test_processes_and_serial_sweeps_agree_and_points_share_random_numbers(tmp_path):
    path = sweep_file(tmp_path, "parameters:\n  costs.experienced_gbp_per_fte_year: {values: [43100, 50000]}\n",
                      kpis="[unallocated, pct_caseload_le_22, cost_cumulative_gbp]")
    one = sweep(path, tmp_path / "serial", Serial(), progress=False)
    two = sweep(path, tmp_path / "processes", Processes(2), progress=False)
    assert tables(tmp_path / "serial") == tables(tmp_path / "processes")
    assert len(two.kpis) == len(one.kpis) == 2 * 3 * 3
    # a change of pay alone changes no child's journey: common random numbers across points
    by_point = one.kpis.pivot_table(index=["replication", "month", "kpi"], columns="point", values="value")
    journeys = by_point.drop(index="cost_cumulative_gbp", level="kpi")
    assert (journeys[0] == journeys[1]).all()
    costs = by_point.xs("cost_cumulative_gbp", level="kpi")
    assert (costs[1] > costs[0]).all()


# --- resuming ---------------------------------------------------------------------------------------------------

KILLABLE = """
import sys
from capacity_model.experiment import Serial
from capacity_model.studies.sweep import sweep
sweep(sys.argv[1], sys.argv[2], Serial(), progress=False, batch_size=1)
"""


def test_a_sweep_killed_midway_resumes_to_exactly_the_tables_of_an_uninterrupted_one(tmp_path):
    path = sweep_file(tmp_path, replications=4, months=6)
    whole = sweep(path, tmp_path / "whole", Serial(), progress=False)
    folder = tmp_path / "killed"
    child = subprocess.Popen([sys.executable, "-c", KILLABLE, str(path), str(folder)])
    try:
        deadline = time.monotonic() + 120
        while len(list((folder / "tasks").glob("part-*.parquet"))) < 3:
            assert child.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
    kept = len(TaskStore(folder / "tasks").done())
    assert 3 <= kept < 16 and not (folder / "summary.csv").exists()
    resumed = sweep(path, folder, Serial(), progress=False)
    assert resumed.ran == 16 - kept  # only what was missing
    assert tables(folder) == tables(tmp_path / "whole")
    assert whole.ran == 16
    again = sweep(path, folder, Serial(), progress=False)
    assert again.ran == 0 and tables(folder) == tables(tmp_path / "whole")


def test_a_folder_of_another_sweep_or_of_anything_else_is_refused(tmp_path):
    path = sweep_file(tmp_path, replications=1, months=1)
    sweep(path, tmp_path / "out", Serial(), progress=False)
    before = tables(tmp_path / "out")
    changed = sweep_file(tmp_path, "parameters:\n  teams.duty.posts_fte: {values: [4, 7]}\n", replications=1,
                         months=1)
    with pytest.raises(OutputError, match="holds a different sweep"):
        sweep(changed, tmp_path / "out", Serial(), progress=False)
    with pytest.raises(OutputError, match="holds a different sweep"):
        sweep(path, tmp_path / "out", Serial(), replications=2, progress=False)
    assert tables(tmp_path / "out") == before  # nothing lost
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="not a sweep folder"):
        sweep(path, tmp_path / "other", Serial(), progress=False)
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"


def test_a_task_that_raises_is_reported_with_its_point_and_the_rest_go_on(tmp_path, monkeypatch):
    import capacity_model.experiment.task as task_module

    real = task_module.run_replication

    def fails_at_point_2(scenario, seed, replication, months):
        if scenario.name.endswith("point-002") and replication == 1:
            raise ZeroDivisionError("a fault at point 2")
        return real(scenario, seed, replication, months)

    monkeypatch.setattr(task_module, "run_replication", fails_at_point_2)
    path = sweep_file(tmp_path)
    result = sweep(path, tmp_path / "out", Serial(), progress=False)
    assert result.failures[["point", "replication"]].values.tolist() == [[2, 1]]
    failure = result.failures.iloc[0]
    assert failure["error"] == "ZeroDivisionError: a fault at point 2" and failure["teams.duty.posts_fte"] == 6
    assert pd.read_csv(tmp_path / "out" / "failures.csv")["error"].tolist() == ["ZeroDivisionError: a fault at point 2"]
    kept = result.summary[(result.summary["point"] == 2)]["replications"]
    assert (kept == 2).all() and (result.summary[result.summary["point"] != 2]["replications"] == 3).all()
    monkeypatch.setattr(task_module, "run_replication", real)
    fixed = sweep(path, tmp_path / "out", Serial(), progress=False)  # the failed task runs again, alone
    assert fixed.ran == 1 and fixed.failures.empty and not (tmp_path / "out" / "failures.csv").exists()


def test_in_order_stops_at_a_task_that_raises():
    from capacity_model.experiment.executors import TaskFailed
    from conftest import small_service

    bad = Task(small_service(), seed=0, replication=0, months=-1)
    with pytest.raises(TaskFailed, match="replication 0 of scenario"):
        list(in_order(Serial(), [bad]))


# --- the store --------------------------------------------------------------------------------------------------


def test_the_store_keeps_whole_batches_only(tmp_path):
    from conftest import small_service

    results = list(in_order(Serial(), [Task(small_service(), 0, r, 1) for r in range(3)]))
    store = TaskStore(tmp_path, labels=["point"], batch_size=2, seconds=1e9)
    store.add("a", results[0], point=0)
    assert store.done() == set()  # not written until its batch is full
    store.add("b", results[1], point=0)
    store.add("c", results[2], point=1)
    assert store.done() == {"a", "b"}
    (tmp_path / ".part-00009.parquet.123").write_bytes(b"half a batch")  # a writer killed mid-write
    store.flush()
    reopened = TaskStore(tmp_path, labels=["point"])
    assert reopened.done() == {"a", "b", "c"} and not list(tmp_path.glob(".part-*"))
    rows = reopened.read(kpis=["unallocated"], months=[1])
    assert sorted(rows["task"]) == ["a", "b", "c"] and set(rows["point"]) == {0, 1}
    assert rows.set_index("task").loc["c", "value"] == dict(((m, k), v) for m, _, k, v in results[2].kpis)[
        (1, "unallocated")]


# --- the command ------------------------------------------------------------------------------------------------


def test_the_sweep_command_prints_each_points_figures_and_resumes(tmp_path, capsys):
    path = sweep_file(tmp_path, replications=2, months=3)
    out = tmp_path / "out"
    assert cli_main(["sweep", str(path), "--workers", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    summary = pd.read_csv(out / "summary.csv")
    first = summary[(summary["point"] == 0) & (summary["kpi"] == "unallocated")].iloc[0]
    assert "Unallocated children at month 3 (Jun 2020)" in printed
    assert f"{first['mean']:,.0f} ({first['ci_low']:,.0f}\u2013{first['ci_high']:,.0f})" in printed
    assert "4 points x 2 replications: 0 found in the folder, 8 run now" in printed
    assert cli_main(["sweep", str(path), "--workers", "1", "--out", str(out)]) == 0
    assert "8 found in the folder, 0 run now" in capsys.readouterr().out
    assert cli_main(["validate", str(path)]) == 0
    assert "valid (sweep 'tiny': 4 points, each a valid scenario)" in capsys.readouterr().out


def test_ctrl_c_stops_a_sweep_on_dask_at_once_keeping_what_finished(tmp_path):
    path = sweep_file(tmp_path, replications=40, months=12)
    out = tmp_path / "out"
    process = subprocess.Popen(hearing_ctrl_c([sys.executable, "-m", "capacity_model", "sweep", str(path),
                                               "--workers", "2", "--out", str(out)]),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 90
    while not list((out / "tasks").glob("part-*.parquet")):  # the workers are simulating, a batch is kept
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    pressed = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to the command and its workers
    _, err = process.communicate(timeout=30)
    assert time.monotonic() - pressed < 3.0
    assert process.returncode == 130
    assert err.strip() == (f"capacity-model: interrupted; the finished tasks are kept in {out}: the same command "
                           "again runs the rest")
    assert group_ends(process.pid)  # no worker left behind
    assert 0 < len(TaskStore(out / "tasks").done()) < 160 and not (out / "summary.csv").exists()


def test_only_dasks_harmless_interrupted_wait_error_is_kept_off_the_terminal():
    import logging

    from capacity_model.experiment.executors import _quiet_interrupted_wait

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("tornado.application", logging.ERROR, __file__, 1, message, None, None)

    assert not _quiet_interrupted_wait(record("Exception in callback functools.partial(<function "
                                              "sync.<locals>.cancel at 0x7ff214683920>)"))
    assert _quiet_interrupted_wait(record("Exception in callback functools.partial(<function other>)"))
