"""Verification against queueing theory, conservation and hand arithmetic.

The M/M/s checks use scenarios/verification/mms.yaml (see its comments for which keys
reduce the model to an M/M/s queue) at several utilisations with s = 200 slots, and
compare with the Erlang C formulas. Each comparison allows three standard errors of
the replications' mean, so a failure means a real difference, not bad luck.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from capacity_model import run_replication
from erlang_c import erlang_c, mean_waiting
from capacity_model import run_experiment
from capacity_model.scenario import Scenario
from capacity_model.scenario import merge_scenario_data

ROOT = Path(__file__).resolve().parents[1]
MMS_FILE = ROOT / "scenarios" / "verification" / "mms.yaml"


def mms_scenario(utilisation: float, workers: int = 10, cap: int = 20, mean_days: float = 5.0,
                 **changes) -> Scenario:
    data = yaml.safe_load(MMS_FILE.read_text())
    slots = workers * cap
    per_day = utilisation * slots / mean_days
    data = merge_scenario_data(data, {
        "referrals": {"new_children_per_year": per_day * 365},
        "pathway": {"cin_plan_days": {"kind": "exponential", "mean_days": mean_days}},
        "allocation": {"caseload_cap": cap, "newly_qualified_caseload_cap": cap},
        "initial_state": {"staff": {"pool": {"experienced": workers}}},
        **changes,
    })
    return Scenario.model_validate(data)


def per_replication(result, kpi: str) -> pd.Series:
    rows = result.kpis[(result.kpis["kpi"] == kpi) & (result.kpis["month"] > 0)]
    return rows.groupby("replication")["value"].mean()


def within_three_standard_errors(samples, theory: float, absolute: float = 0.0) -> None:
    samples = np.asarray(samples, dtype=float)
    mean = samples.mean()
    se = samples.std(ddof=1) / np.sqrt(len(samples))
    assert abs(mean - theory) <= 3 * se + absolute, f"model {mean:.4g} (se {se:.3g}) against theory {theory:.4g}"


@pytest.mark.parametrize("utilisation, replications, months", [
    (0.5, 4, 12), (0.8, 4, 24), (0.9, 8, 24), (0.95, 12, 36), (0.97, 24, 36),
])
def test_mms_queue_matches_erlang_c(utilisation, replications, months):
    slots, mean_days = 200, 5.0
    scenario = mms_scenario(utilisation)
    result = run_experiment(scenario, replications=replications, months=months, seed=42, jobs=2, progress=False)
    offered = utilisation * slots  # mean number in service
    wait_probability = erlang_c(slots, offered)
    mean_queue = mean_waiting(slots, offered)
    arrivals_per_day = offered / mean_days
    mean_wait = mean_queue / arrivals_per_day

    # mean number waiting (time-average over each month) and in service (snapshots)
    within_three_standard_errors(per_replication(result, "unallocated_mean_in_month"), mean_queue, absolute=0.01)
    within_three_standard_errors(per_replication(result, "open_cin"), offered)
    # mean wait, over all children allocated
    kpis = result.kpis[result.kpis["month"] > 0].pivot_table(
        index=["replication", "month"], columns="kpi", values="value")
    weighted = (kpis["mean_days_to_allocation"] * kpis["allocations_in_month"]).groupby("replication").sum()
    waits = weighted / kpis["allocations_in_month"].groupby("replication").sum()
    within_three_standard_errors(waits, mean_wait, absolute=0.001)
    # probability of waiting = probability all slots are busy (arrivals see time averages)
    snapshots = result.kpis[(result.kpis["kpi"] == "open_cin") & (result.kpis["month"] > 0)]
    all_busy = (snapshots["value"] >= slots).groupby(snapshots["replication"]).mean()
    within_three_standard_errors(all_busy, wait_probability, absolute=0.02)


# --- Little's law on the baseline ------------------------------------------------------


@pytest.fixture(scope="module")
def baseline_run():
    from capacity_model import load_scenario
    return run_experiment(load_scenario("baseline"), replications=6, months=24, seed=8, jobs=2, progress=False)


@pytest.mark.parametrize("stage, duration", [("cin", "cin_plan_days"), ("cp", "cp_plan_days"),
                                             ("cic", "cic_episode_days")])
def test_littles_law_for_plan_stocks(baseline_run, stage, duration):
    """Mean children on a plan = children starting one a day x mean plan length (days)."""
    balance = baseline_run.balance
    mean_days = getattr(baseline_run.scenario.pathway, duration).mean_days
    ratios = []
    for _, rep in balance.groupby("replication"):
        rep = rep.sort_values("month")
        days = (pd.Timestamp("2022-03-01") - pd.Timestamp("2020-03-01")).days
        per_day = (rep[f"stage_{stage}_entries"].iloc[-1] - rep[f"stage_{stage}_entries"].iloc[0]) / days
        ratios.append(rep[f"stage_{stage}_children"].mean() / (per_day * mean_days))
    assert np.mean(ratios) == pytest.approx(1.0, abs=0.06)


def test_littles_law_for_unallocated_children(baseline_run):
    """Mean children waiting = children allocated a day x mean wait."""
    kpis = baseline_run.kpis[baseline_run.kpis["month"] > 0].pivot_table(
        index=["replication", "month"], columns="kpi", values="value")
    days = (pd.Timestamp("2022-03-01") - pd.Timestamp("2020-03-01")).days
    for _, rep in kpis.groupby("replication"):
        allocated = rep["allocations_in_month"].sum()
        mean_wait = (rep["mean_days_to_allocation"] * rep["allocations_in_month"]).sum() / allocated
        waiting = rep["unallocated_mean_in_month"].mean()
        assert waiting == pytest.approx(allocated / days * mean_wait, rel=0.08)


# --- deterministic runs checked by hand --------------------------------------------------


def deterministic(per_year: float, plan_days: float, workers: int = 10) -> Scenario:
    """The verification service with evenly spaced referrals and plans of a fixed length."""
    return Scenario.model_validate(merge_scenario_data(yaml.safe_load(MMS_FILE.read_text()), {
        "start_date": "2020-03-01", "warm_up_months": 0,
        "referrals": {"new_children_per_year": per_year, "arrival_process": "regular"},
        "pathway": {"cin_plan_days": {"kind": "fixed", "days": plan_days}},
        "initial_state": {"staff": {"pool": {"experienced": workers}}},
    }))


def test_regular_arrivals_and_fixed_plans_match_hand_arithmetic():
    per_year, plan = 400.0, 30.0
    gap = 365 / per_year  # 0.9125 days between referrals: the k-th arrives at k x gap
    result = run_replication(deterministic(per_year, plan), seed=1, replication=0, months=6)
    table = pd.DataFrame(result.kpis, columns=["month", "date", "kpi", "value"]).pivot(
        index="month", columns="kpi", values="value")
    boundaries = [0, 31, 61, 92, 122, 153, 184]  # 1 March to 1 September 2020

    def arrivals_by(t: float) -> int:
        return int(np.floor(t / gap + 1e-9))

    for month in range(1, 7):
        start, end = boundaries[month - 1], boundaries[month]
        assert table.loc[month, "referrals_in_month"] == arrivals_by(end) - arrivals_by(start)
        # on a plan at the snapshot: referred in the last 30 days (assessment takes no time)
        assert table.loc[month, "open_cin"] == arrivals_by(end) - arrivals_by(end - plan)
        assert table.loc[month, "pct_assessments_within_45wd"] == 100.0
        assert table.loc[month, "mean_days_to_allocation"] == 0.0
        balance = result.balance[month]
        assert balance["children_closed"] == arrivals_by(end - plan)
    assert table["unallocated"].max() == 0


# --- extreme values ---------------------------------------------------------------------


def test_no_referrals_means_nothing_new_and_the_service_empties():
    from conftest import scenario_with
    scenario = scenario_with({"referrals": {"new_children_per_year": 0}, "rereferral": {"probability": 0.0},
                              "warm_up_months": 0})
    result = run_replication(scenario, seed=2, replication=0, months=12)
    table = pd.DataFrame(result.kpis, columns=["month", "date", "kpi", "value"]).pivot(
        index="month", columns="kpi", values="value")
    assert (table["referrals_in_month"].dropna() == 0).all()
    totals = table["open_children_total"].to_numpy()
    assert (np.diff(totals) <= 0).all() and totals[-1] < totals[0] / 2


def test_no_staff_means_every_child_waits():
    scenario = deterministic(365.0, 10.0, workers=0)
    result = run_replication(scenario, seed=3, replication=0, months=3)
    table = pd.DataFrame(result.kpis, columns=["month", "date", "kpi", "value"]).pivot(
        index="month", columns="kpi", values="value")
    referred = [row["children_referred"] for row in result.balance]
    assert list(table["unallocated"]) == referred  # nobody is ever allocated, nothing closes
    assert "pct_caseload_le_22" not in table or table["pct_caseload_le_22"].isna().all()


def test_ten_times_the_demand_grows_the_queue_at_the_predicted_rate():
    slots, mean_days = 200, 5.0
    scenario = mms_scenario(10.0)  # arrivals 10 x the service capacity
    result = run_replication(scenario, seed=4, replication=0, months=2)
    table = pd.DataFrame(result.kpis, columns=["month", "date", "kpi", "value"]).pivot(
        index="month", columns="kpi", values="value")
    growth_per_day = (10.0 - 1.0) * slots / mean_days  # arrivals minus completions at full capacity
    grew = table.loc[2, "unallocated"] - table.loc[1, "unallocated"]
    days = 28  # February 2021
    assert grew == pytest.approx(growth_per_day * days, rel=0.03)
    assert table.loc[2, "open_cin"] == slots


# --- monotonicity under common random numbers ---------------------------------------------


def paired_mean_unallocated(a: Scenario, b: Scenario, replications: int = 10) -> np.ndarray:
    differences = []
    for r in range(replications):
        values = []
        for scenario in (a, b):
            rows = pd.DataFrame(run_replication(scenario, seed=5, replication=r, months=12).kpis,
                                columns=["month", "date", "kpi", "value"])
            values.append(rows[rows["kpi"] == "unallocated_mean_in_month"]["value"].mean())
        differences.append(values[1] - values[0])
    return np.array(differences)


def busy_small_service(children_per_year: float, experienced: int = 3) -> Scenario:
    """A hand-sized service near capacity, with a workforce that does not change."""
    from conftest import STATIC_WORKFORCE, small_service
    return small_service(referrals={"new_children_per_year": children_per_year}, workforce=STATIC_WORKFORCE,
                         allocation={"reallocations_per_family_year": 0.0},
                         initial_state={"staff": {"duty": {"experienced": experienced, "newly_qualified": 1}}})


def test_more_staff_never_means_more_waiting():
    differences = paired_mean_unallocated(busy_small_service(220, experienced=3),
                                          busy_small_service(220, experienced=4))
    assert (differences <= 0).all() and differences.mean() < -1


def test_more_referrals_mean_more_waiting():
    differences = paired_mean_unallocated(busy_small_service(200), busy_small_service(240))
    assert differences.mean() > 1 and (differences >= 0).mean() >= 0.9


def test_erlang_c_on_cases_worked_by_hand():
    from erlang_c import erlang_c, mean_waiting
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = utilisation
    assert mean_waiting(1, 0.5) == pytest.approx(0.5)  # M/M/1: rho^2 / (1 - rho)
    # M/M/2 with offered load 1: C = (a^2/2!)(1/(1-rho)) / (1 + a + a^2/2! x 1/(1-rho)) = 1/3
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(200, 250.0) == 1.0  # overloaded: everyone waits
