"""Write docs/validation.md: verification, face validity, warm start, assumptions and sensitivity.

Run from the project folder:  python docs/make_validation.py   (about 8 minutes on 2 cores)

- Verification: the M/M/s mode (scenarios/verification/mms.yaml) against Erlang C.
- Face validity: the no-change baseline against published figures, read from
  docs/reference/published_figures.csv (a copy of the brief's reference table).
- What changed and why: each figure of the previous version of this document beside today's.
- What support staff's freed time buys: the operating model at both ends of that assumption.
- Warm start: early against later months, with and without the baseline's warm-up.
- Assumptions log: every baseline default with its source (docs/assumptions.csv) and,
  for those marked `vary`, how the headline KPIs move when it is 20% lower or higher
  (the sensitivity command's one-at-a-time method on studies/one-at-a-time-baseline.yaml).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from capacity_model import __version__, load_scenario, run_experiment
from capacity_model.analysis.summary import mean_interval
from capacity_model.measures import KPI_BY_ID, within_bounds
from capacity_model.scenario import Scenario, merge_scenario_data
from capacity_model.scenario.interventions import get_path as get
from capacity_model.studies.compare import compare
from capacity_model.experiment import ExperimentResult, Processes
from capacity_model.studies.sensitivity import sensitivity
from capacity_model.studies.sensitivity_file import load_study, make_study

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
from erlang_c import erlang_c, mean_waiting  # noqa: E402  (the test suite's oracle)
FIGURES = HERE / "reference" / "published_figures.csv"
ASSUMPTIONS = HERE / "assumptions.csv"
ONE_AT_A_TIME = ROOT / "studies" / "one-at-a-time-baseline.yaml"
OUT = HERE / "validation.md"
MONTHS = 24

# (label, model measure, published (measure, geography, period) or the brief's text, scale, note)
FACE_VALIDITY = [
    ("Referrals (children a year)", "referrals_per_year", "4,000 to 4,500 (brief [E])", 1,
     "New referrals 2,655 a year plus re-referrals (0.41 of closures)."),
    ("Re-referrals within 12 months (% of referrals)", "pct_rereferrals_12m",
     ("re_referral_within_12_months", "England", "2023/24"), 100, ""),
    ("Assessments within 45 working days of their start (%)", "pct_assessments_within_45wd",
     ("assessments_within_45_working_days", "England", "2025"), 100,
     "DfE's measure (table C2, start to authorisation), whose distribution the baseline uses."),
    ("Assessments within 45 working days of referral (%)", "pct_assessments_within_45wd_of_referral",
     "none published (the plan's measure 4c)", 1,
     "The wait for a social worker included: the friction a stressed service adds."),
    ("Open children (all)", "open_children_total", "2,400 to 3,000 (brief [E])", 1,
     "At the top of the range: a stressed service."),
    ("Children on a Child Protection plan", "open_cp", "about 350 (brief [E])", 1, ""),
    ("Children in care", "open_cic", ("children_looked_after", "Nottingham City", "2018-03-31"), 1,
     "Nottingham 2022: about 650."),
    ("Turnover of permanent social workers (% a year)", "turnover_12m", ("turnover_rate", "England", "2019"),
     100, "Nottingham 2017: 15%. Base hazard calibrated to this [D]."),
    ("Vacancy rate (%)", "vacancy_rate", ("vacancy_rate", "England", "2019-09-30"), 100,
     "Follows from leavers, campaigns (yield 0.07 [D]) and the September cohort."),
    ("Agency rate (%)", "agency_rate", ("agency_rate", "England", "2019-09-30"), 100,
     "Agency fills a gap with probability 0.85 a month [E]; agency churn 1.2 a year [E]."),
    ("Sickness absence (% of days)", "absence_rate", ("sickness_absence_rate", "England", "2019-09-30"), 100,
     "Spells and spell lengths [E] chosen to give 3%."),
    ("Leavers leaving the sector (% of leavers)", "share_leave_sector",
     ("leavers_share_leaving_sector", "England", "2020/21"), 100, "Input shares."),
    ("Leavers going to agency work (% of leavers)", "share_agency",
     ("leavers_share_to_agency", "England", "2020/21"), 100, "Input shares."),
    ("Leavers going to other councils (% of leavers)", "share_other_council",
     ("leavers_share_other_council", "England", "2020/21"), 100, "Input shares."),
    ("Children in care with 3 or more social workers in 12 months (%)", "pct_cic_3plus_sw_12m",
     ("three_plus_social_workers_in_year", "England", "2024"), 100,
     "Within-team moves calibrated [D] to this figure."),
    ("All open children with 3 or more social workers in 12 months (%)", "pct_children_3plus_sw_12m",
     "none published", 1, "The plan's KPI."),
    ("Average caseload (children per case-holding FTE)", "average_caseload",
     ("average_caseload", "England", "2019-09-30"), 1, "Above England's by design: a stressed service."),
    ("Social workers with 22 or fewer children (%)", "pct_caseload_le_22", "none published", 1,
     "England 2021: 32% of case-holders had 20 or more children."),
]

# Priority Area 1's capacity measures (issue 15): few are published nationally; councils' own reports stand in.
OVERSIGHT_VALIDITY = [
    ("Cases supervised in the last 42 days (%)", "pct_supervised_42d",
     "none published (the plan's measure, objective 6)", 1,
     "Managers' supervision time [E] set for about 80%: Ofsted found supervision inconsistent."),
    ("Children with an up-to-date visit (%)", "pct_visits_up_to_date", "none published nationally", 1,
     "The plan's measure 5c, children in care added."),
    ("Child Protection visits in timescale (%)", "pct_visits_up_to_date_cp",
     "85.8 (Darlington, Q3 2020/21, within 10 working days) [F]", 1, "One council's report; no national figure."),
    ("Child in Need visits in timescale (%)", "pct_visits_up_to_date_cin", "none found", 1, ""),
    ("Children in care visits in timescale (%)", "pct_visits_up_to_date_cic",
     "89.0 to 93.4 (Darlington, 2019/20 to 2020/21) [F]", 1,
     "Above: in the model, children in care workers' visits are the least frequent."),
    ("Initial conferences within 15 working days (%)", "pct_icpc_within_15wd",
     ("icpc_within_15_working_days", "England", "2023"), 100,
     "Put-off share [D] calibrated to it; DfE counts from the section 47 start, the model from the strategy discussion."),
    ("CP reviews in timescale (%)", "pct_cp_reviews_in_time",
     "93 (England 2002, Community Care); 99 to 100 (West Sussex 2018, Darlington 2018/19) [F]", 1,
     "Below the councils' figures: some reviews fall due when the IROs' hours are short."),
    ("Children in care reviews in timescale (%)", "pct_cic_reviews_in_time",
     "99.2 (Darlington, Q3 2018/19) [F]", 1, "As CP reviews."),
    ("IRO caseload (children per FTE)", "iro_caseload",
     "50 to 70 (IRO Handbook 2010); 87% of IROs held over 60 (BASW survey 2012) [F]", 1, ""),
]

HEADLINE = ["unallocated_mean_in_month", "unallocated_over_5d", "pct_caseload_le_22", "turnover_12m",
            "pct_children_3plus_sw_12m", "cost_total_gbp"]
WARM_START = ["unallocated_mean_in_month", "unallocated_over_5d", "pct_caseload_le_22", "turnover_12m",
              "pct_children_3plus_sw_12m", "vacancy_rate", "open_children_total"]


# --- helpers --------------------------------------------------------------------------------


def published(figures: pd.DataFrame, source: Any, scale: float) -> tuple[str, str]:
    if isinstance(source, str):
        return source, ""
    measure, geography, period = source
    row = figures[(figures["measure"] == measure) & (figures["geography"] == geography)
                  & (figures["period"].astype(str) == period)]
    if row.empty:
        raise SystemExit(f"{FIGURES}: no row for {measure}, {geography}, {period}")
    row = row.iloc[0]
    return f"{float(row['value']) * scale:,.1f}", f"{row['source']} [{row['kind']}]"


def per_replication(result: ExperimentResult, first: int = 1, last: int = MONTHS) -> pd.DataFrame:
    """Each KPI averaged over months first..last, one row per replication."""
    kpis = result.kpis[result.kpis["month"].between(first, last)]
    return kpis.groupby(["replication", "kpi"])["value"].mean().unstack("kpi")


def face_values(result) -> pd.DataFrame:
    values = per_replication(result)
    values["referrals_per_year"] = values["referrals_in_month"] * 12
    end = result.balance[result.balance["month"] == result.months].set_index("replication")
    leavers = end[[c for c in end.columns if c.startswith("permanent_leavers_to_")]]
    for column in leavers.columns:
        values["share_" + column.removeprefix("permanent_leavers_to_")] = 100 * leavers[column] / leavers.sum(axis=1)
    return values


def interval(values: np.ndarray, decimals: int = 1, kpi: str | None = None) -> str:
    """Mean and 95% interval, the interval kept within what the KPI can take."""
    mean, low, high = mean_interval(np.asarray(values, dtype=float))
    low, high = within_bounds(kpi, low, high) if kpi is not None else (low, high)
    return f"{mean:,.{decimals}f} ({low:,.{decimals}f} to {high:,.{decimals}f})"


# --- sections ----------------------------------------------------------------------------------


def verification_section(reps: int, months: int = 36) -> list[str]:
    import yaml
    base = yaml.safe_load((ROOT / "scenarios" / "verification" / "mms.yaml").read_text())
    slots, mean_days = 200, 5.0
    lines = [
        "## Verification: the M/M/s mode against Erlang C",
        "",
        "`scenarios/verification/mms.yaml` reduces the model to an M/M/s queue (its comments name the",
        f"keys); here s = 200 slots, exponential service with mean {mean_days:g} days, {reps} replications",
        f"of {months} months after 2 months' warm-up. Model values with 95% intervals; the test suite",
        "(`tests/test_verification.py`) checks these and more (Little's law, hand arithmetic, extreme",
        "values, monotonicity, conservation over random scenarios) on every run.",
        "",
        "| utilisation | mean waiting: model | Erlang C | P(all busy): model | Erlang C | mean wait, days: model | Erlang C |",
        "|---|---|---|---|---|---|---|",
    ]
    for rho in (0.8, 0.9, 0.95):
        data = merge_scenario_data(base, {"referrals": {"new_children_per_year": rho * slots / mean_days * 365}})
        result = run_experiment(Scenario.model_validate(data), replications=reps, months=months, seed=1,
                                jobs=2, progress=False)
        c = erlang_c(slots, rho * slots)
        lq = mean_waiting(slots, rho * slots)
        values = per_replication(result, 1, months)
        snaps = result.kpis[(result.kpis["kpi"] == "open_cin") & (result.kpis["month"] > 0)]
        busy = (snaps["value"] >= slots).groupby(snaps["replication"]).mean()
        kpis = result.kpis[result.kpis["month"] > 0].pivot_table(index=["replication", "month"], columns="kpi",
                                                                 values="value")
        waits = ((kpis["mean_days_to_allocation"] * kpis["allocations_in_month"]).groupby("replication").sum()
                 / kpis["allocations_in_month"].groupby("replication").sum())
        lines.append(f"| {rho:g} | {interval(values['unallocated_mean_in_month'], 2)} | {lq:.2f} | "
                     f"{interval(busy, 3)} | {c:.3f} | {interval(waits, 3)} | {lq / (rho * slots / mean_days):.3f} |")
    return lines + [""]


def figures_table(result, figures: pd.DataFrame, rows: list) -> list[str]:
    """Each measure's model value (mean over months 1 to 24, 95% interval) beside its published figure."""
    values = face_values(result)
    lines = ["| measure | model | source value | source | note |", "|---|---|---|---|---|"]
    for label, key, source, scale, note in rows:
        shown, cited = published(figures, source, scale)
        lines.append(f"| {label} | {interval(values[key], kpi=key)} | {shown} | {cited} | {note} |")
    return lines


def oversight_section(result, figures: pd.DataFrame) -> list[str]:
    return [
        "### Priority Area 1's capacity measures",
        "",
        "The same runs, the oversight layer's KPIs (issue 15). National figures are few; where a",
        "council's published performance report is the only figure found, it is named. Sources of the",
        "defaults behind them are in `docs/assumptions.csv`.",
        "",
        *figures_table(result, figures, OVERSIGHT_VALIDITY),
        "",
    ]


def face_validity_section(result, figures: pd.DataFrame) -> list[str]:
    lines = [
        "## Face validity: the no-change baseline against published figures",
        "",
        f"The built-in baseline, {result.replications} replications: each model value is the mean over months",
        f"1 to {MONTHS} (after the 12-month warm-up) with its 95% confidence interval across replications.",
        "[F] found, [D] derived, [E] estimate.",
        "",
        *figures_table(result, figures, FACE_VALIDITY),
    ]
    lines += [
        "",
        "### Where the model differs, and why",
        "",
        "- **Assessments within 45 working days** of their start match England's 85.7% by",
        "  construction (the durations are DfE's); counted from referral, as the plan's measure 4c",
        "  and Working Together's limit do, fewer are on time, because in this stressed service the",
        "  work starts only when a social worker is allocated.",
        "- **Average caseload and open children** are above England's figures by design: the",
        "  baseline reproduces the service Ofsted found, with children waiting and caseloads above 22.",
        "- **Children with 3 or more social workers.** Staff leaving, moving team, long-term absence,",
        "  agency churn and team transfers alone give too few changes of social worker, so the",
        "  baseline adds moves within a team (rebalancing caseloads, restructures) at 0.35 a",
        "  family-year [D], calibrated to 27% of children in care with 3 or more social workers in 12",
        "  months. The moves always happen (to the colleague with most room, even above the cap), so",
        "  the stand-in gives the same rate in every team and scenario: options do not move this",
        "  measure through it.",
        "- **Re-referrals** are counted as DfE counts them, within 12 months of the family's previous",
        "  referral. Families closed after a plan rarely come back that soon, so 41% of closures must",
        "  come back (after 14 to 365 days) for 22% of referrals to be re-referrals [D].",
        "- **Vacancy and agency rates** swing through the year: the September cohort fills gaps at",
        "  once and leavers reopen them over the year.",
        "",
    ]
    return lines


def warm_start_section(warm, cold) -> list[str]:
    lines = [
        "## Warm start check",
        "",
        "Does the initial state bias the early months? For each KPI, the mean of months 1 to 6 minus",
        "the mean of the same calendar months a year later (months 13 to 18), paired by replication",
        "(95% interval), so that seasons do not count as drift. Without warm-up the run starts from",
        "the initial state on the start date; the baseline warms up for 12 months.",
        "",
        "| KPI | no warm-up: months 1-6 minus 13-18 | 12-month warm-up: months 1-6 minus 13-18 |",
        "|---|---|---|",
    ]
    for kpi in WARM_START:
        cells = []
        for result in (cold, warm):
            early = per_replication(result, 1, 6)[kpi]
            late = per_replication(result, 13, 18)[kpi]
            cells.append(interval((early - late).to_numpy()))
        lines.append(f"| {KPI_BY_ID[kpi].label} ({KPI_BY_ID[kpi].unit}) | {cells[0]} | {cells[1]} |")
    lines += [
        "",
        "Without warm-up, children with 3 or more social workers start near zero (the model knows",
        "only their current worker) and take a year to reach their level, and the queue and the open",
        "cases are still building up from the initial counts. With the 12-month warm-up the early",
        "months sit where the same months a year later do (each interval should include zero). Hence",
        "the baseline's `warm_up_months: 12`.",
        "",
    ]
    return lines


def assumptions_section(base: Scenario, reps: int, limit: int | None) -> list[str]:
    log = pd.read_csv(ASSUMPTIONS)
    data = base.model_dump(mode="json")
    study = load_study(ONE_AT_A_TIME)
    if limit is not None:  # a quick check: the first parameters only
        spec = study.spec.model_copy(update={"parameters": dict(list(study.spec.parameters.items())[:limit])})
        study = make_study(spec, study.base, study.path)
    with tempfile.TemporaryDirectory() as folder:
        result = sensitivity(study, Path(folder) / study.name, Processes(2), replications=reps, progress=False)
    effects = result.indices.set_index(["parameter", "kpi"])
    kpis = result.sweep.kpis
    at_base = kpis[(kpis["point"] == 0) & (kpis["month"] == MONTHS)].groupby("kpi")["value"].mean()
    lines = [
        "## Assumptions log and sensitivity",
        "",
        "Every default of the baseline, its source, and for the parameters that drive the results",
        f"the change in the headline KPIs at month {MONTHS} when the parameter is 20% lower / 20% higher,",
        f"one at a time, on common random numbers ({reps} replications each): the sensitivity command's",
        f"one-at-a-time method on `{ONE_AT_A_TIME.relative_to(ROOT)}` (`capacity-model sensitivity",
        f"{ONE_AT_A_TIME.relative_to(ROOT)}` gives the same table, with intervals, and a tornado chart",
        "per KPI). A distribution is scaled through its days; a share renormalises the others in its",
        "group. Base values: " + "; ".join(
            f"{KPI_BY_ID[k].label} {at_base[k]:,.1f}" for k in HEADLINE) + ".",
        "",
        "| parameter | baseline value | kind | source | " + " | ".join(
            f"{KPI_BY_ID[k].label}: -20% / +20%" for k in HEADLINE) + " |",
        "|---|---|---|---|" + "---|" * len(HEADLINE),
    ]
    varied = study.parameters
    for row in log.itertuples(index=False):
        shown = str(get(data, row.parameter)).replace("|", "/")
        cells = ([f"{effects.loc[(row.parameter, k), 'change_low']:+,.1f} / "
                  f"{effects.loc[(row.parameter, k), 'change_high']:+,.1f}" for k in HEADLINE]
                 if row.parameter in varied else [""] * len(HEADLINE))
        lines.append(f"| `{row.parameter}` | {shown} | {row.kind} | {row.source} | " + " | ".join(cells) + " |")
    return lines + [""]


CHANGES = [
    "Issue 15 (oversight and practice capacity): statutory visits, case supervision and the IRO",
    "service are modelled in the baseline; they measure what the time available gets done and",
    "change nothing else, so every figure below is unchanged except for cost (the IRO service's).",
    "",
    "Before it, issue 10 (model validity), after a review found the plan's headline resting on artefacts:",
    "- support staff raise caps only by the share of their freed time a scenario sends to",
    "  caseloads (`freed_time_to_caseload_share`, 0.5 in the plan's files [E]); newly qualified",
    "  workers' protected caseloads are never raised or breached;",
    "- a child's wait counts from when it became unallocated, and handed-back children wait for",
    "  the next allocation meeting;",
    "- within-team moves always happen, recalibrated to 27% of children in care with 3 or more",
    "  social workers in 12 months (0.35 a family-year, was 0.5 against a 2-year figure);",
    "- re-referrals are counted within 12 months of the previous referral (DfE), recalibrated to",
    "  22% (0.41 of closures come back; new referrals 2,655 a year, was 3,510 with 0.22);",
    "- assessments within 45 working days are counted from the assessment's start (DfE); the",
    "  count from referral is a KPI of its own.",
]


def changes_section(previous: dict[str, str], result) -> list[str]:
    """Each face-validity figure in the previous version of this document beside this run's."""
    values = face_values(result)
    lines = ["## What changed and why", "", *CHANGES, "",
             "| measure | before (previous document) | now |", "|---|---|---|"]
    for label, key, *_ in FACE_VALIDITY:
        lines.append(f"| {label} | {previous.get(label, 'not reported')} | {interval(values[key], kpi=key)} |")
    return lines + [""]


def previous_figures(path: Path) -> dict[str, str]:
    """The model column of the face-validity table in an earlier version of the document."""
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    section = text.split("## Face validity", 1)[-1].split("\n## ", 1)[0]  # not the warm start's rows of the same names
    rows = [line.split("|") for line in section.splitlines() if line.startswith("| ")]
    labels = {label for label, *_ in FACE_VALIDITY} | {"Assessments within 45 working days (%)"}
    found = {row[1].strip(): row[2].strip() for row in rows if len(row) > 3 and row[1].strip() in labels}
    if "Assessments within 45 working days (%)" in found:  # counted from referral before issue 10
        found["Assessments within 45 working days of referral (%)"] = found.pop("Assessments within 45 working days (%)")
    return found


FREED_TIME_KPIS = ["unallocated", "unallocated_over_5d", "pct_caseload_le_22", "turnover_12m"]


def freed_time_section(reps: int) -> list[str]:
    """The operating model against the baseline, as its file sets freed time and at both ends."""
    operating_model = load_scenario(ROOT / "scenarios" / "objective-2-operating-model.yaml")
    result = compare(load_scenario("baseline"), [operating_model], replications=reps, months=MONTHS, seed=0, jobs=2,
                     progress=False)
    names = [operating_model.name, *(v.name for v in result.variants)]
    settings = ["0.5 (the file)", *(f"{v.value:g}" for v in result.variants)]
    lines = [
        "## What support staff's freed time buys",
        "",
        "The operating model (objective 2: 22.5 Social Work Support Officers from January 2021, each",
        "freeing a fifth of the time of the social workers they support) against the baseline, paired",
        f"on common random numbers ({reps} replications), with `freed_time_to_caseload_share` as its file",
        "sets it and at both ends: 0, all freed time to the children already held; 1, all of it to more",
        "children. Change from the baseline, mean and 95% interval.",
        "",
        "| KPI | month | " + " | ".join(f"share {s}" for s in settings) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    table = result.differences.set_index(["scenario", "kpi", "month"])
    for kpi in FREED_TIME_KPIS:
        for month in (12, 24):
            cells = []
            for name in names:
                row = table.loc[(name, kpi, month)]
                cells.append(f"{row['difference_mean']:+,.1f} ({row['difference_ci_low']:+,.1f} to "
                             f"{row['difference_ci_high']:+,.1f})")
            lines.append(f"| {KPI_BY_ID[kpi].label} ({KPI_BY_ID[kpi].unit}) | {month} | " + " | ".join(cells) + " |")
    return lines + [
        "",
        "At 0 the operating model frees time for the work with children already held and eases the",
        "caseload pressure behind leaving, but takes no child off the waiting list; the fall in children",
        "waiting comes only from the share of freed time that lets workers hold more children, and with",
        "it the share of social workers at 22 or fewer children falls.",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=40, help="replications of the baseline (default 40)")
    parser.add_argument("--sensitivity-reps", type=int, default=6)
    parser.add_argument("--verification-reps", type=int, default=12)
    parser.add_argument("--verification-months", type=int, default=36,
                        help="months of each M/M/s run after its warm-up (default 36)")
    parser.add_argument("--support-reps", type=int, default=40,
                        help="replications of the operating model at both ends of the freed-time assumption")
    parser.add_argument("--sensitivity-limit", type=int, default=None,
                        help="vary only the first N parameters (for a quick check)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    figures = pd.read_csv(FIGURES)
    base = load_scenario("baseline")
    warm = run_experiment(base, replications=args.reps, months=MONTHS, seed=0, jobs=2, progress=False)
    cold = run_experiment(base.model_copy(update={"warm_up_months": 0}), replications=args.reps, months=MONTHS,
                          seed=0, jobs=2, progress=False)
    command = " ".join(["python docs/make_validation.py", *(argv if argv is not None else sys.argv[1:])])
    previous = previous_figures(args.out)
    lines = [
        "# Validation",
        "",
        f"Made by `{command}` with capacity-model {__version__} on {date.today().isoformat()}. Seeds are",
        "fixed, so the same command on the same version gives the same figures.",
        "",
        *verification_section(args.verification_reps, args.verification_months),
        *face_validity_section(warm, figures),
        *oversight_section(warm, figures),
        *changes_section(previous, warm),
        *freed_time_section(args.support_reps),
        *warm_start_section(warm, cold),
        *assumptions_section(base, args.sensitivity_reps, args.sensitivity_limit),
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
