"""Sweeps: every point of a sweep file, replicated, run anywhere, resumable after a crash.

The unit of work is a task (one replication of one point), named by a hash of its
scenario, seed, replication and months. Tasks' KPIs stream into ``<folder>/tasks/`` as
Parquet batches as they finish (``experiment.store``), so running the same sweep into the
same folder after a crash or Ctrl-C runs only the tasks that are missing, and a folder
made by a different sweep is refused. A task that raises is recorded with its point and
error and reported at the end; the others go on.

When every task has run (or failed), the folder gets:

- ``sweep.json``: the sweep, its base scenario, seed, version and fingerprint;
- ``points.csv``: each point's number, scenario name and parameter values;
- ``kpis.parquet`` and ``kpis.csv``: the tidy table of the sweep's KPIs at its months of
  interest, every replication, with each point's parameter values;
- ``summary.csv``: per point, KPI and month, the mean with its 95% interval, percentiles
  and the chance of meeting the plan's target with its 95% Wilson interval;
- ``failures.csv``: each task that raised, with its point and error (only if one did).
"""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pandas as pd
from tqdm import tqdm

from ..analysis.outputs import OutputError, csv_writer, json_writer, parquet_writer, publish
from ..analysis.summary import summarise
from ..experiment.executors import Executor, TaskFailure
from ..experiment.store import TaskStore
from ..experiment.task import Task
from ..version import __version__
from .sweep_file import Sweep, load_sweep

MANIFEST, TASKS = "sweep.json", "tasks"
FAILURE_COLUMNS = ["point", "replication", "task", "error"]

Progress = Callable[[int, int, int], None]
"""Told (tasks done, tasks in all, tasks failed) as each task finishes."""


@dataclass
class SweepResult:
    """A sweep's tables (as written to its folder)."""

    folder: Path
    sweep: Sweep
    points: pd.DataFrame  # point, scenario, one column per parameter
    kpis: pd.DataFrame  # point, parameters..., replication, month, date, kpi, value
    summary: pd.DataFrame  # point, parameters..., kpi, month, date, mean, ci_low, ci_high, ..., p_meets_target...
    failures: pd.DataFrame  # FAILURE_COLUMNS and the point's parameters
    ran: int  # tasks run this time (the others were in the folder already)


def default_folder(sweep: Sweep) -> Path:
    """``results/<sweep name>``: the same command twice resumes the same sweep."""
    return Path("results") / sweep.name


def sweep(
    plan: Sweep | str | Path,
    out: str | Path | None = None,
    executor: Executor | None = None,
    replications: int | None = None,
    months: int | None = None,
    seed: int | None = None,
    progress: bool | None = None,
    on_progress: Progress | None = None,
    batch_size: int = 25,
    command: str | None = None,
) -> SweepResult:
    """Run every task of a sweep (a ``Sweep`` or a sweep file) not yet in ``out`` and
    tabulate them all; ``executor`` defaults to a Dask ``LocalCluster`` of every processor.

    ``replications``, ``months`` and ``seed`` override the sweep file's. A progress bar is
    shown on a terminal unless ``progress`` says otherwise; ``on_progress`` is told
    (done, total, failed) after each task.
    """
    plan = (plan if isinstance(plan, Sweep) else load_sweep(plan)).with_runs(replications, months, seed)
    folder = Path(out) if out is not None else default_folder(plan)
    spec = plan.spec
    tasks = [(point.number, Task(point.scenario, spec.seed, r, spec.months))
             for point in plan.points for r in range(spec.replications)]
    manifest = _open_folder(folder, plan, command)
    store = TaskStore(folder / TASKS, labels=["point"], batch_size=batch_size)
    done = store.done()
    pending = [(number, task) for number, task in tasks if task.key not in done]
    failures: list[tuple[int, int, str, str]] = []
    if progress is None:
        progress = sys.stderr.isatty()
    bar = tqdm(total=len(tasks), initial=len(tasks) - len(pending), desc=plan.name, unit="task",
               disable=not progress, leave=False)
    own = executor is None
    if own:
        from ..experiment.executors import Dask
        from ..experiment.runner import default_jobs

        executor = Dask(workers=default_jobs())
    finished = len(tasks) - len(pending)
    try:
        for position, outcome in executor.as_completed([task for _, task in pending]):
            number, task = pending[position]
            if isinstance(outcome, TaskFailure):
                failures.append((number, task.replication, task.key, outcome.error))
                bar.set_postfix(failed=len(failures))
            else:
                store.add(task.key, outcome, point=number)
            finished += 1
            bar.update()
            if on_progress is not None:
                on_progress(finished, len(tasks), len(failures))
    finally:
        store.flush()  # keep every finished task, even when interrupted
        bar.close()
        if own:
            executor.close()
    return _tabulate(folder, plan, store, manifest, failures, ran=len(pending))


def _open_folder(folder: Path, plan: Sweep, command: str | None) -> dict:
    """A new sweep folder with its manifest, or the existing one of the same sweep; any other folder refused."""
    manifest_path = folder / MANIFEST
    if manifest_path.is_file():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise OutputError(f"{manifest_path}: cannot be read ({error}); choose a new --out") from None
        made_by = manifest.get("fingerprint"), manifest.get("version")
        if made_by != (plan.fingerprint, __version__):
            raise OutputError(
                f"{folder}: holds a different sweep (fingerprint {made_by[0]}, capacity-model {made_by[1]}), not "
                f"this one ({plan.fingerprint}, capacity-model {__version__}): its points, seed, replications or "
                "months differ. Choose a new --out, or delete that folder to start again")
        return manifest
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError(f"{folder}: already exists and is not a sweep folder; choose a new --out")
    manifest = {
        "package": "capacity-model", "version": __version__, "kind": "sweep", "name": plan.name,
        "fingerprint": plan.fingerprint,
        "command": command or shlex.join(["capacity-model", *sys.argv[1:]]),
        "sweep_file": str(plan.path) if plan.path else None, "sweep": plan.spec.model_dump(mode="json"),
        "seed": plan.spec.seed, "replications": plan.spec.replications, "months": plan.spec.months,
        "parameters": plan.parameters, "points": len(plan.points),
        "base": plan.base.model_dump(mode="json"),
        "python": sys.version.split()[0],
        "started": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
    }
    publish(folder, {MANIFEST: json_writer(manifest)})
    return manifest


def points_table(plan: Sweep) -> pd.DataFrame:
    return pd.DataFrame([{"point": p.number, "scenario": p.scenario.name, **p.values} for p in plan.points],
                        columns=["point", "scenario", *plan.parameters])


def _tabulate(folder: Path, plan: Sweep, store: TaskStore, manifest: dict, failures: list, ran: int) -> SweepResult:
    spec = plan.spec
    points = points_table(plan)
    values = points.drop(columns="scenario")
    rows = store.read(kpis=spec.kpis, months=spec.reported_months,
                      columns=["task", "point", "replication", "month", "date", "kpi", "value"])
    rows = rows.drop_duplicates(["task", "month", "kpi"])  # a task stored twice (two runs at once) counts once
    expected = {Task(p.scenario, spec.seed, r, spec.months).key for p in plan.points for r in range(spec.replications)}
    missing = expected - set(rows["task"]) - {key for *_, key, _ in failures}
    if missing:
        raise OutputError(f"{folder}: {len(missing)} tasks neither stored nor failed (was another run writing into "
                          "this folder?); run the same command again to run them")
    kpis = (values.merge(rows.drop(columns="task"), on="point", how="inner")
            .sort_values(["point", "replication", "month", "kpi"], kind="stable").reset_index(drop=True))
    summary = values.merge(summarise(kpis, by="point", chance=True), on="point", how="inner")
    failed = values.merge(pd.DataFrame(failures, columns=FAILURE_COLUMNS), on="point", how="inner")
    failed = failed[[*FAILURE_COLUMNS, *plan.parameters]].sort_values(["point", "replication"])
    finished = {**manifest, "sweep": spec.model_dump(mode="json"),
                "finished": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
                "tasks": len(plan.points) * spec.replications, "failed": len(failed)}
    if failed.empty:
        (folder / "failures.csv").unlink(missing_ok=True)  # an earlier run's, now all run again
    files = {"points.csv": csv_writer(points), "kpis.parquet": parquet_writer(kpis), "kpis.csv": csv_writer(kpis),
             "summary.csv": csv_writer(summary), **({} if failed.empty else {"failures.csv": csv_writer(failed)}),
             MANIFEST: json_writer(finished)}  # the manifest last: "finished" only once the tables are in place
    publish(folder, files, into_existing=True)
    return SweepResult(folder, plan, points, kpis, summary, failed, ran)


def describe_failures(result: SweepResult, most: int = 10) -> list[str]:
    """One line per failed task (the first ``most``), naming its point's values and its error."""
    lines = []
    for row in result.failures.head(most).itertuples(index=False):
        where = ", ".join(f"{name} = {value}"
                          for name, value in zip(result.sweep.parameters, row[len(FAILURE_COLUMNS):]))
        lines.append(f"point {row.point} ({where}), replication {row.replication}: {row.error}")
    if len(result.failures) > most:
        lines.append(f"... and {len(result.failures) - most} more (failures.csv has them all)")
    return lines

