"""Headline KPIs of the engine before issue 12's speed-ups, to check later engines against (statistically).

Run once with the engine being replaced:  python tests/reference/make_engine_reference.py
Writes tests/reference/engine_before_issue12.csv: per scenario and KPI, the mean over months 1 to 24 of
each of 40 replications (seed 0), summarised as mean, standard deviation and count.
"""

from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
HEADLINE = ["unallocated_mean_in_month", "unallocated_over_5d", "pct_caseload_le_22", "turnover_12m",
            "pct_children_3plus_sw_12m", "open_children_total", "agency_rate", "vacancy_rate", "cost_total_gbp",
            "pct_assessments_within_45wd_of_referral", "referrals_in_month", "average_caseload"]
SCENARIOS = {"baseline": "baseline", "whole-plan": ROOT / "scenarios" / "whole-plan.yaml"}
REPLICATIONS, MONTHS = 40, 24


def headline(result) -> pd.DataFrame:
    kpis = result.kpis[result.kpis["month"].between(1, MONTHS) & result.kpis["kpi"].isin(HEADLINE)]
    return kpis.groupby(["replication", "kpi"])["value"].mean().unstack("kpi")


if __name__ == "__main__":
    from capacity_model import load_scenario, run_experiment

    rows = []
    for name, source in SCENARIOS.items():
        result = run_experiment(load_scenario(source), REPLICATIONS, MONTHS, seed=0, jobs=2, progress=False)
        table = headline(result)
        for kpi in HEADLINE:
            rows.append((name, kpi, table[kpi].mean(), table[kpi].std(ddof=1), int(table[kpi].count())))
    pd.DataFrame(rows, columns=["scenario", "kpi", "mean", "sd", "replications"]).to_csv(
        HERE / "engine_before_issue12.csv", index=False)
