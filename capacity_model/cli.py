"""The ``capacity-model`` command: run a scenario, validate scenario files, list what is built in."""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path

from . import __version__
from .console import format_kpi_list, format_scorecard, scorecard_months
from .outputs import OutputError, csv_writer, default_run_folder, json_writer, parquet_writer, write_run_folder
from .runner import DEFAULT_MONTHS, DEFAULT_REPLICATIONS, default_jobs, run_experiment
from .scenario_files import ScenarioError, builtin_scenarios, load_scenario
from .summary import summarise


def _whole_number(minimum: int):
    """An argparse type: a whole number no smaller than ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


_positive_int = _whole_number(1)
_seed = _whole_number(0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="capacity-model",
        description="Simulate a children's social care workforce and report the council's scorecard.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run one or more scenarios and write their results",
                              description="Run scenarios and print their scorecards at months 6, 12 and 24.")
    run.add_argument("scenarios", nargs="*", metavar="SCENARIO", default=["baseline"],
                     help="scenario files or built-in names (default: the built-in baseline)")
    run.add_argument("--reps", type=_positive_int, default=DEFAULT_REPLICATIONS,
                     help=f"replications per scenario (default {DEFAULT_REPLICATIONS})")
    run.add_argument("--months", type=_positive_int, default=DEFAULT_MONTHS,
                     help=f"months to simulate from the start date (default {DEFAULT_MONTHS})")
    run.add_argument("--seed", type=_seed, default=0, help="seed for all random numbers (default 0)")
    run.add_argument("--jobs", type=_positive_int, default=None,
                     help="parallel processes (default: all processors); results do not depend on it")
    run.add_argument("--out", type=Path, default=None,
                     help="run folder to create (default results/<scenario>-<timestamp>)")

    validate = commands.add_parser("validate", help="check scenario files without running them")
    validate.add_argument("files", nargs="+", metavar="FILE")

    commands.add_parser("list", help="list built-in scenarios and KPI definitions")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args, argv)
        if args.command == "validate":
            return _validate(args)
        return _list()
    except (ScenarioError, OutputError) as error:
        print(f"capacity-model: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("capacity-model: interrupted; nothing was written", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace, argv: list[str] | None) -> int:
    scenarios = [load_scenario(name) for name in args.scenarios]  # every file checked before anything runs
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ScenarioError(f"scenario names must differ within one run, got {names}")
    started = datetime.now(timezone.utc).astimezone()
    folder = args.out or default_run_folder(Path("results"), "+".join(names), started)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError(f"{folder}: already exists and is not empty; choose a new folder for this run")
    jobs = args.jobs or default_jobs()
    results = [run_experiment(s, args.reps, args.months, args.seed, jobs) for s in scenarios]

    import pandas as pd

    kpis = pd.concat([r.kpis for r in results], ignore_index=True)
    balance = pd.concat([r.balance for r in results], ignore_index=True)
    summary = summarise(kpis)
    manifest = {
        "package": "capacity-model",
        "version": __version__,
        "command": shlex.join(["capacity-model", *(sys.argv[1:] if argv is None else argv)]),
        "scenarios": [s.model_dump(mode="json") for s in scenarios],
        "seed": args.seed,
        "replications": args.reps,
        "months": args.months,
        "jobs": jobs,
        "python": sys.version.split()[0],
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
    }
    write_run_folder(folder, {
        "manifest.json": json_writer(manifest),
        "kpis_monthly.csv": csv_writer(kpis),
        "kpis_monthly.parquet": parquet_writer(kpis),
        "summary.csv": csv_writer(summary),
        "balance.csv": csv_writer(balance),
    })
    for name in names:
        print(format_scorecard(summary, name, scorecard_months(args.months)))
        print()
    print(f"Results written to {folder}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    failed = 0
    for file in args.files:
        try:
            scenario = load_scenario(file)
        except ScenarioError as error:
            print(f"capacity-model: error: {error}", file=sys.stderr)
            failed += 1
        else:
            print(f"{file}: valid (scenario '{scenario.name}')")
    return 2 if failed else 0


def _list() -> int:
    print("Built-in scenarios:")
    for name in builtin_scenarios():
        description = load_scenario(name).description
        print(f"  {name}: {description}")
    print()
    print("KPIs (ids as in kpis_monthly.csv and summary.csv):")
    print(format_kpi_list())
    return 0
