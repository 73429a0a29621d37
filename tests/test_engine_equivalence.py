"""The engine as sped up in issue 12 gives the same results as before, statistically.

tests/reference/engine_before_issue12.csv holds the engine's headline KPIs as they were
(each replication's mean over months 1 to 24; 40 replications of the baseline and the
whole plan). The engine now draws the same numbers in a slightly different order of events
(ties at equal times), so replications differ one by one; their means must not. Each
KPI's difference must lie within the two-sided 99.9% interval of Welch's test, divided
among the 24 comparisons (Bonferroni): a real change of model moves several far beyond it.
The oversight layer (issue 15), which the previous engine did not have, is switched off:
it changes nothing else in a run, and its cost is not in the reference's totals.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from capacity_model import load_scenario, run_experiment

HERE = Path(__file__).resolve().parent
REFERENCE = pd.read_csv(HERE / "reference" / "engine_before_issue12.csv")
SOURCES = {"baseline": "baseline", "whole-plan": HERE.parent / "scenarios" / "whole-plan.yaml"}
ALPHA = 0.001 / len(REFERENCE)


@pytest.fixture(scope="module")
def now() -> dict[str, pd.DataFrame]:
    tables = {}
    for name, source in SOURCES.items():
        scenario = load_scenario(source)
        scenario = scenario.model_copy(update={"oversight": None, "interventions": [
            i for i in scenario.interventions if not i.parameter.startswith("oversight.")]})
        result = run_experiment(scenario, replications=40, months=24, seed=0, jobs=2, progress=False)
        kpis = result.kpis[result.kpis["month"].between(1, 24)]
        tables[name] = kpis.groupby(["replication", "kpi"])["value"].mean().unstack("kpi")
    return tables


@pytest.mark.parametrize("row", list(REFERENCE.itertuples(index=False)), ids=lambda r: f"{r.scenario}-{r.kpi}")
def test_each_headline_kpi_is_where_the_previous_engine_put_it(row, now):
    values = now[row.scenario][row.kpi].dropna().to_numpy()
    se_now, se_before = values.std(ddof=1) ** 2 / len(values), row.sd ** 2 / row.replications
    se = np.sqrt(se_now + se_before)
    freedom = (se_now + se_before) ** 2 / (se_now ** 2 / (len(values) - 1) + se_before ** 2 / (row.replications - 1))
    bound = stats.t.ppf(1 - ALPHA / 2, freedom) * se
    assert abs(values.mean() - row.mean) <= bound, (
        f"{row.kpi}: {values.mean():.4g} now against {row.mean:.4g} before (allowed +/- {bound:.3g})")
