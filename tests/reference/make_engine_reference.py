"""KPIs of the engine as it is, to check later engines against (statistically).

Run once with the engine being replaced, in a checkout of it:

    python tests/reference/make_engine_reference.py engine     # before issue 12's speed-ups
    python tests/reference/make_engine_reference.py oversight  # before the visits were kept in arrays (#15)

``engine`` writes tests/reference/engine_before_issue12.csv: the headline KPIs, the oversight layer
off (the engine then had none). ``oversight`` writes tests/reference/oversight_before_visit_table.csv:
the oversight layer's KPIs. Each holds, per scenario and KPI, the mean over months 1 to 24 of each of
40 replications (seed 0), summarised as mean, standard deviation and count.
"""

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
HEADLINE = ["unallocated_mean_in_month", "unallocated_over_5d", "pct_caseload_le_22", "turnover_12m",
            "pct_children_3plus_sw_12m", "open_children_total", "agency_rate", "vacancy_rate", "cost_total_gbp",
            "pct_assessments_within_45wd_of_referral", "referrals_in_month", "average_caseload"]
OVERSIGHT = ["pct_supervised_42d", "pct_visits_up_to_date", "pct_visits_up_to_date_cin", "pct_visits_up_to_date_cp",
             "pct_visits_up_to_date_cic", "pct_icpc_within_15wd", "pct_cp_reviews_in_time", "pct_cic_reviews_in_time",
             "iro_caseload"]
REFERENCES = {"engine": ("engine_before_issue12.csv", HEADLINE, False),  # (file, KPIs, oversight layer on)
              "oversight": ("oversight_before_visit_table.csv", OVERSIGHT, True)}
SCENARIOS = {"baseline": "baseline", "whole-plan": ROOT / "scenarios" / "whole-plan.yaml"}
REPLICATIONS, MONTHS = 40, 24


def scenario(source, oversight: bool):
    """The scenario from ``source``, without its oversight layer (and the changes to it) unless ``oversight``."""
    from capacity_model import load_scenario

    loaded = load_scenario(source)
    if oversight:
        return loaded
    return loaded.model_copy(update={"oversight": None, "interventions": [
        i for i in loaded.interventions if not i.parameter.startswith("oversight.")]})


def replication_means(result, kpis: list[str]) -> pd.DataFrame:
    """Each replication's mean of each of ``kpis`` over months 1 to 24 (replications by KPIs)."""
    table = result.kpis[result.kpis["month"].between(1, MONTHS) & result.kpis["kpi"].isin(kpis)]
    return table.groupby(["replication", "kpi"])["value"].mean().unstack("kpi")


if __name__ == "__main__":
    from capacity_model import run_experiment

    name, kpis, oversight = REFERENCES[sys.argv[1]]
    rows = []
    for label, source in SCENARIOS.items():
        result = run_experiment(scenario(source, oversight), REPLICATIONS, MONTHS, seed=0, jobs=2, progress=False)
        table = replication_means(result, kpis)
        for kpi in kpis:
            rows.append((label, kpi, table[kpi].mean(), table[kpi].std(ddof=1), int(table[kpi].count())))
    pd.DataFrame(rows, columns=["scenario", "kpi", "mean", "sd", "replications"]).to_csv(HERE / name, index=False)
