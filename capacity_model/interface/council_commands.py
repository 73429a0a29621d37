"""``capacity-model import-data`` and ``calibrate``: a council's own files into a scenario, and its fit to its figures.

Everything heavy is imported when a command runs, so that ``capacity-model --version`` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_council_commands(commands, positive_int, months, seed) -> None:
    """The ``import-data`` and ``calibrate`` subcommands."""
    imported = commands.add_parser(
        "import-data", help="write a scenario from a council's own staff, caseload and referral files",
        description="Read a folder of CSV files (staff.csv, children.csv, optionally referrals.csv and posts.csv; "
                    "templates and a data dictionary in examples/council-data/) and write a scenario whose initial "
                    "state is the service they describe, with pseudonyms for every identifier.")
    imported.add_argument("folder", type=Path, metavar="FOLDER")
    imported.add_argument("--out", type=Path, required=True, help="the scenario file to write (YAML)")
    imported.add_argument("--as-of", type=_iso_date, default=None, metavar="YYYY-MM-DD",
                          help="the day the files describe (default today): the run's start date")
    imported.add_argument("--base", default="baseline",
                          help="the scenario whose values fill what the files do not give (default baseline)")

    fit = commands.add_parser(
        "calibrate", help="fit uncertain parameters so that the no-change run reproduces a council's figures",
        description="Fit each target's parameter (by default the one that moves its KPI most directly) so that the "
                    "scenario's mean over replications lies within the target's interval, on common random numbers; "
                    "write the fitted scenario and a table of target, fitted value and interval.")
    fit.add_argument("scenario", metavar="SCENARIO")
    fit.add_argument("--targets", type=Path, required=True, metavar="FIGURES.csv",
                     help="columns kpi, value, low, high, and optionally parameter and month")
    fit.add_argument("--reps", type=positive_int, default=10, help="replications per evaluation (default 10)")
    fit.add_argument("--months", type=months, default=12,
                     help="months whose mean each KPI is (default 12: an annual figure)")
    fit.add_argument("--seed", type=seed, default=0, help="seed for all random numbers (default 0)")
    fit.add_argument("--jobs", type=positive_int, default=None, help="parallel processes (default: all processors)")
    fit.add_argument("--out", type=Path, required=True, help="the fitted scenario file to write (and a .csv table)")


def council_command(args: argparse.Namespace) -> int:
    return _import(args) if args.command == "import-data" else calibrate_command(args)


def _import(args: argparse.Namespace) -> int:
    from ..scenario.council_data import write_council_scenario

    found = write_council_scenario(args.folder, args.out, args.base, args.as_of, excel=read_first_sheet)
    counts = found.counts
    print(f"Wrote {args.out}: {counts['workers']} case-holding social workers, {counts['children']:,} open children "
          f"in {counts['families']:,} families" + (f", referrals from {counts['referral_months']} months"
                                                  if counts["referral_months"] else "") + "; identifiers replaced by "
          "pseudonyms.")
    for note in found.notes:
        print(f"  {note}")
    return 0


def read_first_sheet(path: Path) -> list[list[str]]:
    """A workbook's first sheet as rows of text: dates as YYYY-MM-DD, whole numbers without '.0'."""
    from datetime import date, datetime

    from openpyxl import load_workbook

    from ..scenario.council_data import DataError

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # not a workbook openpyxl can read
        raise DataError(f"{path.name}: cannot be read as an Excel workbook ({type(error).__name__}: {error})") from None

    def text(cell) -> str:
        if cell is None:
            return ""
        if isinstance(cell, datetime):
            return cell.date().isoformat()
        if isinstance(cell, date):
            return cell.isoformat()
        if isinstance(cell, float) and cell.is_integer():
            return str(int(cell))
        return str(cell)

    try:
        return [[text(cell) for cell in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def _iso_date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write it as YYYY-MM-DD") from None


def calibrate_command(args: argparse.Namespace) -> int:
    from ..experiment import default_jobs
    from ..scenario import load_scenario
    from ..studies.calibrate import calibrate, read_targets, write_fitted

    base = load_scenario(args.scenario)
    targets = read_targets(args.targets, base)
    jobs = args.jobs or default_jobs()
    print(f"Calibrating {len(targets)} parameter{'s' if len(targets) > 1 else ''} of '{base.name}': "
          f"{args.reps} replications of {args.months} months per evaluation, on {jobs} process(es) ...", flush=True)

    def step(number: int, values: dict[str, float]) -> None:
        shown = ", ".join(f"{name.rsplit('.', 1)[-1]} {value:.4g}" for name, value in values.items())
        print(f"  evaluation {number}: {shown}", file=sys.stderr, flush=True)

    result = calibrate(base, targets, args.reps, args.months, args.seed, jobs, on_step=step)
    write_fitted(result, args.scenario, args.out)
    print(format_calibration(result.table))
    print(f"\n{result.evaluations} evaluations. Wrote {args.out} (extends {args.scenario}) and "
          f"{args.out.with_suffix('.csv')}.")
    if not result.all_met:
        missed = ", ".join(result.table.loc[~result.table["met"], "label"].str.lower())
        print(f"Not met: {missed}. The parameter fitted to it cannot bring the model within the interval: another "
              "parameter, a wider interval, or a different structure is needed.")
    return 0


def format_calibration(table) -> str:
    header = f"{'target':<52}{'figure (interval)':>24}{'model (95% interval)':>26}  parameter: start -> fitted"
    lines = [header, "-" * len(header)]
    for row in table.itertuples(index=False):
        figure = f"{row.target:.3g} ({row.target_low:.3g}-{row.target_high:.3g})"
        model = f"{row.model:.3g} ({row.model_low:.3g}-{row.model_high:.3g})"
        lines.append(f"{row.label[:50]:<52}{figure:>24}{model:>26}  {row.parameter}: {row.start:.4g} -> "
                     f"{row.fitted:.4g}{'' if row.met else '  NOT MET'}")
    return "\n".join(lines)
