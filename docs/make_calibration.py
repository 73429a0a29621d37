"""Write docs/calibration.md: the no-change baseline's workforce figures beside their sources.

Run from the project folder:  python docs/make_calibration.py [--reps N] [--seed S]

The model's value is the mean over months 13 to 24 of a 24-month run (after the
first year, so 12-month measures cover a whole year of the run), with a 95%
confidence interval across replications. Source values are read from
docs/reference/published_figures.csv (a copy of the brief's reference table).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from capacity_model import __version__, load_scenario, run_experiment
from capacity_model.summary import mean_interval

HERE = Path(__file__).resolve().parent
FIGURES = HERE / "reference" / "published_figures.csv"
OUT = HERE / "calibration.md"
WINDOW = (13, 24)

# (label, model measure, published measure, geography, period, scale of the published value, note)
ROWS = [
    ("Turnover of permanent social workers (% a year)", "turnover_12m", "turnover_rate", "England", "2019", 100,
     "Nottingham 2017: 15%. Base hazard calibrated to this [D]."),
    ("Vacancy rate (%)", "vacancy_rate", "vacancy_rate", "England", "2019-09-30", 100,
     "Follows from leavers, campaigns (yield 0.09 [D]) and the September cohort."),
    ("Agency rate (%)", "agency_rate", "agency_rate", "England", "2019-09-30", 100,
     "Agency market fills a gap with probability 0.7 a month [E]; agency churn 1.2 a year [E]."),
    ("Sickness absence (% of days)", "absence_rate", "sickness_absence_rate", "England", "2019-09-30", 100,
     "Spells a year and spell lengths [E] chosen to give 3%."),
    ("Leavers leaving the sector (% of leavers)", "share_leave_sector", "leavers_share_leaving_sector",
     "England", "2020/21", 100, "Input shares, drawn per leaver."),
    ("Leavers going to agency work (% of leavers)", "share_agency", "leavers_share_to_agency", "England",
     "2020/21", 100, "Input shares, drawn per leaver."),
    ("Leavers going to other councils (% of leavers)", "share_other_council", "leavers_share_other_council",
     "England", "2020/21", 100, "Input shares, drawn per leaver."),
    ("Children in care with 3 or more social workers in 12 months (%)", "pct_cic_3plus_sw_12m",
     "three_plus_social_workers_in_year", "England", "2024", 100,
     "Within-team reallocations (0.5 a family-year) calibrated [D] to the Children's Commissioner figure."),
    ("All open children with 3 or more social workers in 12 months (%)", "pct_children_3plus_sw_12m",
     None, None, None, 100, "The plan's KPI; no published figure for all children."),
    ("Average caseload (children per case-holding FTE)", "average_caseload", "average_caseload", "England",
     "2019-09-30", 1, "Nottingham's is above England's: the plan's standard is 22."),
    ("Children in care", "open_cic", "children_looked_after", "Nottingham City", "2018-03-31", 1,
     "Nottingham 2022: about 650."),
]


def published(figures: pd.DataFrame, measure: str | None, geography: str | None, period: str | None):
    if measure is None:
        return None, ""
    row = figures[(figures["measure"] == measure) & (figures["geography"] == geography)
                  & (figures["period"].astype(str) == period)]
    if row.empty:
        raise SystemExit(f"{FIGURES}: no row for {measure}, {geography}, {period}")
    row = row.iloc[0]
    return float(row["value"]), f"{row['source']} [{row['kind']}]"


def model_values(result) -> dict[str, np.ndarray]:
    """Per replication, each measure averaged over the window (destinations: % of all leavers)."""
    kpis = result.kpis[result.kpis["month"].between(*WINDOW)]
    per_rep = kpis.groupby(["kpi", "replication"])["value"].mean().unstack("kpi")
    values = {kpi: per_rep[kpi].to_numpy() for kpi in per_rep.columns}
    end = result.balance[result.balance["month"] == result.months].set_index("replication")
    leavers = end[[c for c in end.columns if c.startswith("permanent_leavers_to_")]]
    for column in leavers.columns:
        share = 100 * leavers[column] / leavers.sum(axis=1)
        values["share_" + column.removeprefix("permanent_leavers_to_")] = share.to_numpy()
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    figures = pd.read_csv(FIGURES)
    scenario = load_scenario("baseline")
    result = run_experiment(scenario, replications=args.reps, months=WINDOW[1], seed=args.seed, jobs=args.jobs)
    values = model_values(result)

    lines = [
        "# Calibration: the no-change baseline against published figures",
        "",
        f"Made by `python docs/make_calibration.py --reps {args.reps} --seed {args.seed}` with capacity-model "
        f"{__version__} on {date.today().isoformat()}: the built-in baseline, {args.reps} replications of "
        f"{WINDOW[1]} months from {scenario.start_date.isoformat()}. Model values are the mean over months "
        f"{WINDOW[0]} to {WINDOW[1]} (12-month measures then cover a whole year of the run), with a 95% "
        "confidence interval across replications. [F] found, [D] derived, [E] estimate.",
        "",
        "| measure | model | source value | source | note |",
        "|---|---|---|---|---|",
    ]
    for label, key, measure, geography, period, scale, note in ROWS:
        mean, low, high = mean_interval(values[key])
        source_value, source = published(figures, measure, geography, period)
        shown = "" if source_value is None else f"{source_value * scale:,.1f}"
        lines.append(f"| {label} | {mean:,.1f} ({low:,.1f} to {high:,.1f}) | {shown} | {source} | {note} |")
    lines += [
        "",
        "## Where the model differs",
        "",
        "- **Children with 3 or more social workers.** Staff leaving, moving team, long-term",
        "  absence, agency churn and team transfers alone give children in care about 0.45 changes",
        "  of social worker a year, and about 15% of them 3 or more social workers in 12 months. The",
        "  national figures (27% in a year, not confirmed; 32% with 3 or more changes over 2 years,",
        "  Children's Commissioner 2019) imply about one change a year, so the baseline adds",
        "  reallocations within a team (rebalancing caseloads, restructures, specialist work) at 0.5",
        "  a family-year [D]. Those reallocations are a calibrated stand-in, not a mechanism the",
        "  plan's actions act on.",
        "- **Vacancy and agency rates** swing through the year: the September cohort of newly",
        "  qualified social workers fills gaps at once, and leavers reopen them over the year.",
        "- **Average caseload** is above England's 16.9 by design: the baseline reproduces a",
        "  stressed service with many caseloads above the plan's 22.",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
