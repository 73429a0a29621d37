"""The commands that run studies on Dask: ``sweep``, ``sensitivity`` and ``target``.

Each takes the parsed arguments and the command line (for the folder's manifest), prints
its answer and returns (exit status, the folder it wrote).
"""

from __future__ import annotations

import argparse
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..experiment.executors import Dask


@contextmanager
def cluster(args: argparse.Namespace) -> Iterator[Dask]:
    """The cluster at ``--scheduler`` (connected before anything is written, so an unreachable one fails
    first), or a local one of ``--workers`` (default: every processor); closed on leaving."""
    from ..experiment.runner import default_jobs

    with Dask(workers=None if args.scheduler else (args.workers or default_jobs()), address=args.scheduler) as dask:
        if args.scheduler:
            dask.client  # noqa: B018 - connects
        yield dask


def sweep(args: argparse.Namespace, command: str) -> tuple[int, Path]:
    from ..studies.sweep import default_folder, describe_failures
    from ..studies.sweep import sweep as run_sweep
    from ..studies.sweep_file import load_sweep
    from .terminal import format_sweep

    plan = load_sweep(args.file).with_runs(args.reps, args.months, args.seed)
    _fits(args, plan)
    try:
        with cluster(args) as dask:
            result = run_sweep(plan, args.out, dask, command=command)
    except KeyboardInterrupt:
        return _interrupted(args.out or default_folder(plan)), Path()
    print(format_sweep(result.summary, plan.labels, plan.spec.kpis, max(plan.spec.reported_months),
                       grid=plan.spec.design == "grid"))
    print()
    tasks = len(plan.points) * plan.spec.replications
    print(f"{len(plan.points)} points x {plan.spec.replications} replications: {tasks - result.ran} found in the "
          f"folder, {result.ran} run now. Results in {result.folder} (summary.csv has every KPI and month of interest)")
    if not result.failures.empty:
        print(f"{len(result.failures)} tasks failed (failures.csv has their errors):", file=sys.stderr)
        for line in describe_failures(result):
            print(f"  {line}", file=sys.stderr)
        return 1, result.folder
    return 0, result.folder


def sensitivity(args: argparse.Namespace, command: str) -> tuple[int, Path]:
    from ..studies.sensitivity import IncompleteSample, save_tornadoes
    from ..studies.sensitivity import sensitivity as run_study
    from ..studies.sensitivity_file import load_study
    from ..studies.sweep import default_folder, describe_failures
    from .terminal_sensitivity import format_indices

    study = load_study(args.file).with_runs(args.reps, args.months, args.seed)
    _fits(args, study.sweep)
    size = (f"{study.spec.trajectories} trajectories" if study.method == "morris"
            else f"base sample {study.spec.base_sample}")
    print(f"{study.name}: {study.method.capitalize()}, {len(study.parameters)} parameters, {size}: "
          f"{len(study.sweep.points)} points x {study.spec.replications} replications = {study.tasks} tasks",
          file=sys.stderr)
    try:
        with cluster(args) as dask:
            result = run_study(study, args.out, dask, command=command)
    except KeyboardInterrupt:
        return _interrupted(args.out or default_folder(study.sweep)), Path()
    except IncompleteSample as error:
        for line in [f"capacity-model: error: {error}", *(f"  {line}" for line in describe_failures(error.result))]:
            print(line, file=sys.stderr)
        return 1, error.result.folder
    save_tornadoes(result)
    print(format_indices(result.indices))
    print()
    print(f"{len(study.sweep.points)} points x {study.spec.replications} replications: "
          f"{study.tasks - result.sweep.ran} found in the folder, {result.sweep.ran} run now. Results in "
          f"{result.folder} (indices.csv has every index, charts/ a ranked chart per KPI and month)")
    return 0, result.folder


def _fits(args: argparse.Namespace, plan) -> None:
    """Refuse, before anything runs, a point this machine could not run in memory (on a local cluster)."""
    from ..experiment.budget import check_fits
    from ..experiment.runner import default_jobs

    if not args.scheduler:
        for point in plan.points:
            check_fits(point.scenario, plan.spec.months, args.workers or default_jobs())


def _interrupted(folder: Path) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    print(f"capacity-model: interrupted; the finished tasks are kept in {folder}: the same command again runs the "
          "rest", file=sys.stderr)
    return 130


def target(args: argparse.Namespace, command: str) -> tuple[int, Path]:
    from ..studies.target import load_target, target_search
    from .terminal import format_target, level_line

    search = load_target(args.file)
    try:
        with cluster(args) as dask:
            result = target_search(search, args.out, dask, seed=args.seed, command=command,
                                   on_level=lambda row: print(level_line(row, search.label,
                                                                         search.spec.max_replications), flush=True))
    except KeyboardInterrupt:
        return _interrupted(args.out or Path("results") / search.name), Path()
    print()
    print(format_target(result.summary))
    print(f"Results in {result.folder} (target.csv has every level tried; charts/target-chances.png)")
    return 0, result.folder
