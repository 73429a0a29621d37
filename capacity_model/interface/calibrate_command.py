"""``capacity-model calibrate``: fit a scenario to a council's figures and say which targets were met."""

from __future__ import annotations

import argparse
import sys

from ..experiment import default_jobs


def calibrate_command(args: argparse.Namespace) -> int:
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
