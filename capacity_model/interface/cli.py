"""The ``capacity-model`` command: run or compare scenarios, validate scenario files, list what is built in."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from ..errors import UserError
from .council_commands import add_council_commands, council_command
from ..experiment.defaults import DEFAULT_MONTHS, DEFAULT_REPLICATIONS
from ..version import __version__

# Each command imports what it needs when it runs, so that --version and --help answer at once.


def _whole_number(minimum: int, maximum: int | None = None, why: str = ""):
    """An argparse type: a whole number from ``minimum`` to ``maximum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum:,}{why}, got {value:,}")
        return value

    return parse


MOST_MONTHS = 1200
_positive_int = _whole_number(1)
_months = _whole_number(1, MOST_MONTHS, " (100 years)")
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
    _run_options(run, default_out="results/<scenario>-<timestamp>")

    compare = commands.add_parser(
        "compare", help="compare options with a base scenario on common random numbers",
        description="Run a base scenario and options on common random numbers and print each option's "
                    "change from the base at months 6, 12 and 24, with 95% intervals.")
    compare.add_argument("base", metavar="BASE", help="the base scenario (file or built-in name)")
    compare.add_argument("options", nargs="+", metavar="OPTION", help="scenarios to compare with the base")
    compare.add_argument("--freed-time-ends", action=argparse.BooleanOptionalAction, default=True,
                         help="also run each option with support staff with none and with all of their freed time "
                              "going to more children (freed_time_to_caseload_share 0 and 1; default: yes)")
    _run_options(compare, default_out="results/compare-<timestamp>")

    report = commands.add_parser(
        "report", help="write a report (HTML page, Excel workbook, charts) from a run or sweep folder",
        description="Write report.html (self-contained, with charts), workbook.xlsx and charts/ (PNG and SVG) "
                    "from a folder made by 'run' or 'compare'; or report.html and charts/ from a 'sweep' folder.")
    report.add_argument("folder", type=Path, metavar="FOLDER", help="a folder written by 'run', 'compare' or 'sweep'")
    report.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="folder to write the report to (default: FOLDER)")

    sweep = commands.add_parser(
        "sweep", help="run every point of a sweep file on Dask, resumably",
        description="Run every point of a sweep file (a base scenario and parameters to vary), replicated, on a "
                    "Dask cluster: this machine's processors by default, or a cluster of many machines with "
                    "--scheduler. Results stream into the sweep folder as they finish: the same command again, after "
                    "a crash or Ctrl-C, runs only what is missing.")
    _study_options(sweep, "SWEEP_FILE", "a sweep file (see sweeps/ for examples)", "sweep")
    sweep.add_argument("--report", action="store_true", help="also write report.html and charts/ into the folder")

    study = commands.add_parser(
        "sensitivity", help="which assumptions decide the answer: Morris screening or Sobol indices (SALib)",
        description="Run a sensitivity study (a base scenario, parameters with ranges, Morris or Sobol) on Dask, "
                    "resumably, and rank the parameters by their effect on each KPI, with 95% intervals.")
    _study_options(study, "STUDY_FILE", "a sensitivity study file (see studies/ for an example)", "study")

    target = commands.add_parser(
        "target", help="find the least value of a lever giving a chance p of meeting a target",
        description="Search the levels of a lever (posts, support officers, an agency cap, ...) for the least "
                    "that meets a target (a KPI's plan target or a threshold, at a month or over a window) in at "
                    "least a share p of simulated futures, adding replications where a level is close to p.")
    _study_options(target, "SEARCH_FILE", "a target search file (see studies/ for an example)", "search",
                   runs=False)

    add_council_commands(commands, _positive_int, _months, _seed)

    app = commands.add_parser(
        "app", help="open the planners' page in a browser: levers, results, comparisons, how many are needed",
        description="Serve the planners' page on this machine (no internet needed) and open it in the browser: "
                    "choose a scenario, change the levers, run, compare options with the base and search for the "
                    "posts or support officers a target needs. Ctrl-C stops it.")
    app.add_argument("--port", type=_whole_number(1, 65535), default=8501, help="port to serve on (default 8501)")
    app.add_argument("--address", default="localhost",
                     help="address to serve on (default localhost: only this machine can open the page)")
    app.add_argument("--results", type=Path, default=Path("results") / "app", metavar="DIR",
                     help="folder for the page's runs, kept so that going back to one is instant "
                          "(default results/app)")
    app.add_argument("--scenarios", type=Path, default=Path("scenarios"), metavar="DIR",
                     help="folder of scenario files offered beside the built-in ones (default scenarios)")
    app.add_argument("--workers", type=_positive_int, default=None,
                     help="processes for the runs (default: all processors)")
    app.add_argument("--no-browser", action="store_true", help="do not open a browser (serve only)")

    validate = commands.add_parser("validate", help="check scenario or sweep files without running them")
    validate.add_argument("files", nargs="+", metavar="FILE")

    commands.add_parser("list", help="list built-in scenarios and KPI definitions")
    return parser


def _run_options(parser: argparse.ArgumentParser, default_out: str) -> None:
    parser.add_argument("--reps", type=_positive_int, default=DEFAULT_REPLICATIONS,
                        help=f"replications per scenario (default {DEFAULT_REPLICATIONS})")
    parser.add_argument("--months", type=_months, default=DEFAULT_MONTHS,
                        help=f"months to report from the start date (default {DEFAULT_MONTHS})")
    parser.add_argument("--seed", type=_seed, default=0, help="seed for all random numbers (default 0)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--jobs", type=_positive_int, default=None,
                       help="parallel processes (default: all processors); results do not depend on it")
    _scheduler_option(where)
    parser.add_argument("--out", type=Path, default=None, help=f"run folder to create (default {default_out})")
    parser.add_argument("--report", action="store_true",
                        help="also write report.html, workbook.xlsx and charts/ into the run folder")


def _study_options(parser: argparse.ArgumentParser, metavar: str, what: str, kind: str, runs: bool = True) -> None:
    """A study's file, runs (``--reps``, ``--months``, ``--seed``), where it runs and its folder."""
    parser.add_argument("file", metavar=metavar, help=what)
    if runs:
        parser.add_argument("--reps", type=_positive_int, default=None,
                            help="replications per point (default: the file's)")
        parser.add_argument("--months", type=_months, default=None, help="months to run (default: the file's)")
    parser.add_argument("--seed", type=_seed, default=None, help="seed for all random numbers (default: the file's)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive_int, default=None,
                       help="worker processes of a cluster on this machine (default: all processors)")
    _scheduler_option(where)
    parser.add_argument("--out", type=Path, default=None,
                        help=f"{kind} folder (default results/<{kind} name>); the same folder again resumes the {kind}")


def _scheduler_option(group) -> None:
    group.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="run on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786); results are the "
                            "same as on this machine")


def _cluster(args: argparse.Namespace):
    """The Dask cluster named by ``--scheduler``, or None to run here (closed on leaving the ``with``)."""
    from contextlib import nullcontext

    from ..experiment.executors import Dask

    return Dask(address=args.scheduler) if args.scheduler else nullcontext()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args, argv)
        if args.command == "compare":
            return _compare(args, argv)
        if args.command in ("sweep", "sensitivity", "target"):
            from . import study_commands

            code, folder = getattr(study_commands, args.command)(args, _command_line(argv))
            return _report(folder) if code == 0 and getattr(args, "report", False) else code
        if args.command == "report":
            return _report(args.folder, args.out)
        if args.command == "validate":
            return _validate(args)
        if args.command in ("import-data", "calibrate"):
            return council_command(args)
        if args.command == "app":
            from .app import serve

            return serve(args.port, args.address, args.results, args.scenarios, args.workers, not args.no_browser)
        return _list()
    except UserError as error:
        _error(error)
        return 2
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while stopping changes nothing
        print("capacity-model: interrupted; nothing was written", file=sys.stderr)
        return 130


def _load_all(names: list[str]) -> list:
    """Every scenario, each file checked before anything runs; every problem in every file reported."""
    from ..scenario import ScenarioError, load_scenario

    scenarios, problems = [], []
    for name in names:
        try:
            scenarios.append(load_scenario(name))
        except ScenarioError as error:
            problems.append(str(error))
    if problems:
        raise ScenarioError("\n".join(problems))
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ScenarioError(f"scenario names must differ within one run or comparison, got {names}")
    return scenarios


def _fits(scenarios: list, args: argparse.Namespace, jobs: int) -> None:
    """Refuse, before anything runs, any scenario this machine could not hold in memory."""
    from ..experiment.budget import check_fits, check_results_fit

    for scenario in scenarios:
        check_fits(scenario, args.months, min(jobs, args.reps))
    check_results_fit(args.reps, args.months, len(scenarios))


def _run(args: argparse.Namespace, argv: list[str] | None) -> int:
    import pandas as pd

    from ..analysis.outputs import Staging, default_run_folder
    from ..analysis.summary import summarise
    from ..analysis.tables import scorecard_months
    from ..experiment import default_jobs, run_experiment
    from .run_outputs import run_files
    from .terminal import format_scorecard

    scenarios = _load_all(args.scenarios)
    names = [s.name for s in scenarios]
    started = datetime.now(timezone.utc).astimezone()
    jobs = args.jobs or default_jobs()
    _fits(scenarios, args, jobs)
    with Staging(args.out or default_run_folder(Path("results"), "+".join(names), started)) as staging, \
            _cluster(args) as cluster:
        results = [run_experiment(s, args.reps, args.months, args.seed, jobs, executor=cluster) for s in scenarios]
        kpis = pd.concat([r.kpis for r in results], ignore_index=True)
        balance = pd.concat([r.balance for r in results], ignore_index=True)
        caseloads = pd.concat([r.caseloads for r in results], ignore_index=True)
        summary = summarise(kpis)
        folder = staging.publish(run_files(_manifest(args, argv, scenarios, jobs, started), kpis, balance, caseloads,
                                           summary))
    for name in names:
        print(format_scorecard(summary, name, scorecard_months(args.months)))
        print()
    print(f"Results written to {folder}")
    return _report(folder) if args.report else 0


def _compare(args: argparse.Namespace, argv: list[str] | None) -> int:
    from ..analysis.outputs import Staging, csv_writer, default_run_folder
    from ..analysis.tables import scorecard_months
    from ..experiment import default_jobs
    from ..studies.compare import compare
    from .run_outputs import run_files
    from .terminal import format_comparison

    base, *options = _load_all([args.base, *args.options])
    started = datetime.now(timezone.utc).astimezone()
    jobs = args.jobs or default_jobs()
    _fits([base, *options], args, jobs)
    with Staging(args.out or default_run_folder(Path("results"), "compare", started)) as staging, \
            _cluster(args) as cluster:
        result = compare(base, options, args.reps, args.months, args.seed, jobs,
                         assumption_ends=args.freed_time_ends, executor=cluster)
        manifest = _manifest(args, argv, [base, *options], jobs, started, base=base.name,
                             variants=[asdict(variant) for variant in result.variants])
        folder = staging.publish(run_files(manifest, result.kpis, result.balance, result.caseloads, result.summary,
                                        {"comparison.csv": csv_writer(result.differences)}))
    print(format_comparison(result.differences, scorecard_months(args.months), result.variants))
    print()
    print(f"Results written to {folder} (comparison.csv has every KPI and month)")
    return _report(folder) if args.report else 0


def _command_line(argv: list[str] | None) -> str:
    return shlex.join(["capacity-model", *(sys.argv[1:] if argv is None else argv)])


def _report(folder: Path, out: Path | None = None) -> int:
    from .report import write_report

    page = write_report(folder, out)
    beside = [f"{page.parent / name}{'/' if name == 'charts' else ''}" for name in ("workbook.xlsx", "charts")
              if (page.parent / name).exists()]
    print(f"Report written to {page}" + (f" (with {' and '.join(beside)})" if beside else ""))
    return 0


def _manifest(args, argv, scenarios, jobs: int, started: datetime, **more) -> dict:
    from .run_outputs import run_manifest

    return run_manifest(_command_line(argv), scenarios, args.seed, args.reps, args.months, jobs, started, **more)


def _error(error: Exception) -> None:
    """Each line of the message as a line of its own on standard error."""
    for line in str(error).splitlines():
        print(f"capacity-model: error: {line}", file=sys.stderr)


def _validate(args: argparse.Namespace) -> int:
    from ..scenario import ScenarioError, load_scenario
    from ..studies.sweep_file import is_sweep_file, load_sweep
    from ..studies.sensitivity_file import load_study
    from ..studies.target import load_target

    failed = 0
    for file in args.files:
        try:
            if is_sweep_file(file, "method"):
                study = load_study(file)
                print(f"{file}: valid (sensitivity study '{study.name}': {len(study.sample)} points, each a valid "
                      "scenario)")
            elif is_sweep_file(file, "lever"):
                search = load_target(file)
                print(f"{file}: valid (target search '{search.name}': {len(search.levels)} levels, each a valid "
                      "scenario)")
            elif is_sweep_file(file):
                plan = load_sweep(file)
                print(f"{file}: valid (sweep '{plan.name}': {len(plan.points)} points, each a valid scenario)")
            else:
                scenario = load_scenario(file)
                print(f"{file}: valid (scenario '{scenario.name}')")
        except ScenarioError as error:
            _error(error)
            failed += 1
    return 2 if failed else 0


def _list() -> int:
    from ..scenario import builtin_scenarios, load_scenario
    from .terminal import format_kpi_list

    print("Built-in scenarios:")
    for name in builtin_scenarios():
        description = load_scenario(name).description
        print(f"  {name}: {description}")
    print()
    print("KPIs (ids as in kpis_monthly.csv and summary.csv):")
    print(format_kpi_list())
    return 0
