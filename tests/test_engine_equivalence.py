"""The engine as sped up gives the same results as before, statistically.

tests/reference/engine_before_issue12.csv holds the engine's headline KPIs as they were before
issue 12's speed-ups, and tests/reference/oversight_before_visit_table.csv the oversight layer's
KPIs before its visits were kept in arrays (issue 15's speed); each holds 40 replications' means
over months 1 to 24, of the baseline and the whole plan (tests/reference/make_engine_reference.py).
The engine now draws the same numbers in a slightly different order of events (ties at equal
times), so replications differ one by one; their means must not. Each KPI's difference must lie
within the two-sided 99.9% interval of Welch's test, divided among all the comparisons
(Bonferroni): a real change of model moves several far beyond it.
One run of each scenario, with the oversight layer on, serves both: the layer changes nothing
else in a run (``test_oversight``), and the cost is compared less the IRO service's pay, which the
first reference, made before the engine had the layer, did not count.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from capacity_model import run_experiment

from reference.make_engine_reference import HERE, MONTHS, REFERENCES, REPLICATIONS, SCENARIOS, scenario

REFERENCE = pd.concat([pd.read_csv(HERE / name) for name, _, _ in REFERENCES.values()], ignore_index=True)
ALPHA = 0.001 / len(REFERENCE)


@pytest.fixture(scope="module")
def now() -> dict[str, pd.DataFrame]:
    """Scenario -> each replication's mean of every KPI over months 1 to 24, as the engine is now."""
    tables = {}
    for name, source in SCENARIOS.items():
        result = run_experiment(scenario(source, oversight=True), replications=REPLICATIONS, months=MONTHS, seed=0,
                                jobs=2, progress=False)
        kpis = result.kpis[result.kpis["month"].between(1, MONTHS)]
        wide = kpis.pivot_table(index=["replication", "month"], columns="kpi", values="value")
        wide["cost_total_gbp"] -= wide["cost_iro_service_gbp"]  # as the engine without the layer counted it
        tables[name] = wide.groupby(level="replication").mean()
    return tables


@pytest.mark.parametrize("row", list(REFERENCE.itertuples(index=False)), ids=lambda r: f"{r.scenario}-{r.kpi}")
def test_each_kpi_is_where_the_previous_engine_put_it(row, now):
    values = now[row.scenario][row.kpi].dropna().to_numpy()
    se_now, se_before = values.std(ddof=1) ** 2 / len(values), row.sd ** 2 / row.replications
    se = np.sqrt(se_now + se_before)
    freedom = (se_now + se_before) ** 2 / (se_now ** 2 / (len(values) - 1) + se_before ** 2 / (row.replications - 1))
    bound = stats.t.ppf(1 - ALPHA / 2, freedom) * se
    assert abs(values.mean() - row.mean) <= bound, (
        f"{row.kpi}: {values.mean():.4g} now against {row.mean:.4g} before (allowed +/- {bound:.3g})")
