"""Workforce mechanisms on small cases whose answer is known from a formula."""

import math

import numpy as np
import pandas as pd
import pytest
from conftest import scenario_with

from capacity_model import run_experiment, run_replication
from capacity_model.analysis.summary import mean_interval
from capacity_model.engine import Replication
from capacity_model.measures.kpis import pct_children_3plus_sw_12m
from capacity_model.scenario import Scenario

QUIET_PATHWAY = {"referrals": {"new_children_per_year": 0, "monthly_seasonality": None},
                 "rereferral": {"probability": 0.0}}


def one_team(staff: dict, workforce: dict, posts: float = 100, costs: dict | None = None,
             children: dict | None = None, waiting: dict | None = None, policy: str = "hard_cap",
             schedule: str = "meetings") -> Scenario:
    """One team holding every stage, no referrals, a workforce that does only what it is told."""
    return scenario_with({**QUIET_PATHWAY, "allocation": {"policy": policy, "schedule": schedule},
                          "warm_up_months": 0}, replace={
        "teams": {"duty": {"posts_fte": posts, "stages": ["assessment", "cin", "cp", "cic"]}},
        "initial_state": {
            "allocated_children": children or {"assessment": 0, "cin": 0, "cp": 0, "cic": 0},
            "unallocated_children": waiting or {},
            "unallocated_waited_working_days": {"kind": "fixed", "days": 0},
            "staff": {"duty": staff},
        },
        "workforce": workforce,
        "costs": costs or {},
    })


def workers_at_the_end(scenario: Scenario, seed: int, months: int) -> list:
    replication = Replication(scenario, seed, 0, months, emit=lambda month_end: None)
    replication.run()
    return replication.workforce.register.workers()


def started(scenario: Scenario, seed: int = 1, months: int = 1) -> tuple[Replication, list]:
    """A replication with its initial state in place, nothing simulated yet; and its month ends as they come."""
    month_ends: list = []
    replication = Replication(scenario, seed, 0, months, emit=month_ends.append)
    replication.start()
    return replication, month_ends


def balance_at(result, month: int) -> dict:
    return next(row for row in result.balance if row["month"] == month)


def kpi(result, name: str) -> pd.Series:
    rows = pd.DataFrame(result.kpis, columns=["month", "date", "kpi", "value"])
    return rows[rows["kpi"] == name].set_index("month")["value"]


def test_leavers_from_a_constant_hazard_match_the_binomial_mean():
    hazard, staff, reps = 0.3, 100, 40
    scenario = one_team({"experienced": staff}, {"leaving": {"permanent_per_year": hazard}})
    left = [balance_at(run_replication(scenario, 1, r, 12), 12)["staff_permanent_left"] for r in range(reps)]
    expected = staff * (1 - math.exp(-hazard))  # the 12 months from 1 March 2020 are 365 days
    mean, low, high = mean_interval(np.array(left))
    assert low <= expected <= high
    sd = math.sqrt(staff * (1 - math.exp(-hazard)) * math.exp(-hazard))
    assert np.std(left, ddof=1) == pytest.approx(sd, rel=0.35)


def test_turnover_kpi_is_leavers_over_mean_permanent_fte():
    scenario = one_team({"experienced": 100}, {"leaving": {"permanent_per_year": 0.3}})
    result = run_replication(scenario, 2, 0, 12)
    left = balance_at(result, 12)["staff_permanent_left"]
    in_post = [balance_at(result, m)["staff_permanent_in_post"] for m in range(13)]
    assert kpi(result, "turnover_12m")[12] == pytest.approx(100 * left / np.mean(in_post))


def test_staff_are_conserved_at_every_snapshot():
    for r in range(3):
        balance = pd.DataFrame(run_replication(scenario_with(), 7, r, 24).balance)
        assert (balance["staff_initial"] + balance["staff_joined"] - balance["staff_left"]
                == balance["staff_in_post"]).all()
        assert (balance["staff_permanent_initial"] + balance["staff_permanent_joined"]
                - balance["staff_permanent_left"] == balance["staff_permanent_in_post"]).all()
        assert balance["staff_left"].iloc[-1] > 10 and balance["staff_joined"].iloc[-1] > 10


def test_agency_fills_gaps_after_its_lead_time_with_its_probability():
    scenario = one_team({}, {"agency": {"fill_probability_per_month": 0.5,
                                        "lead_time_days": {"kind": "fixed", "days": 14}}}, posts=20)
    starts = [w.start_day for w in workers_at_the_end(scenario, 3, 1)]
    assert starts and set(starts) == {14.01}  # requested at the review (00:14 on day 0), in post 14 days later
    counts = {1: [], 2: []}
    for r in range(40):
        agency = kpi(run_replication(scenario, 3, r, 2), "staff_agency")
        counts[1].append(agency[1])
        counts[2].append(agency[2])
    # each of 20 gaps is filled with probability 0.5 at each monthly review
    for month, expected in ((1, 20 * 0.5), (2, 20 * (1 - 0.5**2))):
        mean, low, high = mean_interval(np.array(counts[month]))
        assert low <= expected <= high, (month, mean, low, high)


def test_agency_cap_is_respected():
    scenario = one_team({}, {"agency": {"fill_probability_per_month": 1.0, "max_agency_workers": 7}}, posts=20)
    assert kpi(run_replication(scenario, 1, 0, 3), "staff_agency").max() == 7


def test_campaign_hires_follow_the_yield_and_lead_time():
    scenario = one_team({"experienced": 10}, {"recruitment": {
        "campaign_every_months": 1, "hires_per_advertised_post": 0.4,
        "lead_time_days": {"kind": "fixed", "days": 20}}}, posts=30)
    hired = [kpi(run_replication(scenario, 4, r, 1), "staff_experienced")[1] - 10 for r in range(200)]
    mean, low, high = mean_interval(np.array(hired))
    assert low <= 20 * 0.4 <= high
    assert {w.start_day for w in workers_at_the_end(scenario, 4, 1) if w.start_day > 0} == {20.01}


def test_newly_qualified_cohort_starts_in_september_and_qualifies_a_year_later():
    scenario = one_team({"experienced": 10}, {"recruitment": {"newly_qualified_per_year": 6,
                                                              "newly_qualified_start_month": 9}}, posts=20)
    result = run_replication(scenario, 1, 0, 20)
    nq = kpi(result, "staff_newly_qualified")
    # snapshots on the 1st: the cohort of 1 September 2020 shows from month 7 (1 October)
    assert nq[6] == 0 and nq[7] == 6 and nq[18] == 6
    # on 1 September 2021 the first cohort qualifies and the next one starts
    assert nq[19] == 6 and kpi(result, "staff_experienced")[19] == 16
    caps = sorted(w.cap for w in workers_at_the_end(scenario, 1, 8))
    assert caps == [15] * 6 + [22] * 10


def test_a_leavers_children_each_get_a_new_social_worker_and_count_towards_three_plus():
    scenario = one_team({"experienced": 3}, {}, posts=3, schedule="continuous",
                        children={"assessment": 0, "cin": 30, "cp": 0, "cic": 0})
    replication, month_ends = started(scenario)
    register = replication.workforce.register
    first, second, third = register.workers()
    families = list(first.families)
    assert families
    register.leave(first, "test")
    assert all(family.worker in (second, third) for family in families)
    holder = families[0].worker
    register.leave(holder, "test")
    moved_twice = [f for f in families if len({h.worker_id for h in f.holdings}) == 3]
    assert moved_twice and all(f.worker is not None for f in moved_twice)
    three_plus = sum(f.size for f in moved_twice)
    total = sum(f.size for f in replication.pathway.open_families.values())
    replication.env.run(until=0.25)  # the snapshot at the start date (month 0), before anything else that day
    assert pct_children_3plus_sw_12m(month_ends[0].service) == pytest.approx(100 * three_plus / total)


def test_cost_is_fte_times_rate_times_days():
    costs = {"experienced_gbp_per_fte_year": 40000, "agency_gbp_per_fte_year": 70000,
             "team_manager_gbp_per_fte_year": 50000}
    scenario = one_team({"experienced": 8, "agency": 2}, {"team_managers": {"posts_fte": 2, "in_post_fte": 1.5}},
                        posts=10, costs=costs)
    result = run_replication(scenario, 1, 0, 2)
    march, april = 31, 30
    per_day = (8 * 40000 + 2 * 70000 + 1.5 * 50000) / 365
    assert kpi(result, "cost_total_gbp")[1] == pytest.approx(per_day * march)
    assert kpi(result, "cost_agency_gbp")[2] == pytest.approx(2 * 70000 * april / 365)
    assert kpi(result, "cost_cumulative_gbp")[2] == pytest.approx(per_day * (march + april))


def test_interim_team_arrives_and_leaves_together_and_is_costed():
    scenario = one_team({"experienced": 5}, {"interim_team": {
        "social_workers": 4, "team": "duty", "start_date": "2020-04-01", "end_date": "2020-07-01"}},
        posts=5, costs={"interim_gbp_per_fte_year": 73000}, waiting={"cic": 150})
    result = run_replication(scenario, 1, 0, 6)
    interim = kpi(result, "staff_interim")
    assert list(interim[[1, 2, 3, 4, 5]]) == [4, 4, 4, 0, 0]
    assert kpi(result, "cost_interim_gbp")[2] == pytest.approx(4 * 73000 * 30 / 365)
    assert kpi(result, "agency_sw")[2] == 4  # the interim team counts as agency
    # 150 children, 5 permanent caps of 22: up to 40 wait (fewer as care episodes end)
    # until the interim team takes them, and its children wait again when it leaves
    unallocated = kpi(result, "unallocated")
    assert unallocated[0] == 150 and 15 <= unallocated[1] <= 40 and unallocated[2] == 0
    assert unallocated[4] >= 15


def test_absence_rate_matches_spells_times_length():
    spells, days = 3.0, 7.0
    scenario = one_team({"experienced": 60}, {"absence": {"spells_per_fte_year": spells,
                                                          "spell_days": {"kind": "fixed", "days": days}}})
    result = run_experiment(scenario, replications=6, months=12, seed=2, jobs=1, progress=False)
    rate = result.kpis[result.kpis["kpi"] == "absence_rate"]["value"].mean()
    assert rate == pytest.approx(100 * spells * days / 365, rel=0.1)


def test_long_term_absence_hands_children_back():
    scenario = one_team({"experienced": 4}, {"absence": {"spells_per_fte_year": 12,
                                                         "spell_days": {"kind": "fixed", "days": 60},
                                                         "long_term_after_days": 28}},
                        posts=4, children={"assessment": 0, "cin": 0, "cp": 0, "cic": 60})
    replication = Replication(scenario, 5, 0, 3, emit=lambda month_end: None)
    replication.run()
    families = replication.pathway.open_families.values()
    assert [f for f in families if len(f.holdings) >= 2]  # someone went long-term and their children went to colleagues
    assert all(f.worker is None or not f.worker.long_term_absent for f in families)


def supported(fte: float, to_caseload: float, staff: dict | None = None) -> Replication:
    scenario = one_team(staff or {"experienced": 10}, {"support": {"social_work_support_officers": {
        "fte": fte, "social_workers_supported_per_fte": 4, "time_freed_share": 0.2,
        "freed_time_to_caseload_share": to_caseload}}}, posts=10,
        children={"assessment": 0, "cin": 0, "cp": 0, "cic": 150})
    return started(scenario)[0]


def caps(replication: Replication) -> list[tuple[str, int]]:
    return sorted({(w.kind, w.cap) for w in replication.workforce.register.workers()})


def test_support_officers_raise_caps_only_by_the_freed_time_going_to_caseloads():
    assert caps(supported(0.0, 1.0)) == [("experienced", 22)]
    assert caps(supported(2.5, 1.0)) == [("experienced", 27)]  # full coverage, all to caseloads: 22 / 0.8 = 27.5
    assert caps(supported(2.5, 0.5)) == [("experienced", 24)]  # half of it: 22 / (1 - 0.1) = 24.4
    assert caps(supported(2.5, 0.0)) == [("experienced", 22)]  # all of it to the children already held
    assert caps(supported(1.25, 1.0)) == [("experienced", 24)]  # half coverage: 22 / (1 - 0.1) = 24.4
    mixed = caps(supported(3.0, 1.0, {"experienced": 8, "newly_qualified": 4}))  # 12 fully supported
    assert mixed == [("experienced", 27), ("newly_qualified", 15)]  # a protected caseload is never raised


def test_all_freed_time_lowers_the_caseload_pressure_behind_leaving():
    def pressure(fte: float, to_caseload: float) -> float:
        return supported(fte, to_caseload).workforce.leaving.team_pressure("duty")
    unsupported = pressure(0.0, 0.0)
    assert unsupported == pytest.approx(150 / 220)  # 150 children over 10 caps of 22
    assert pressure(2.5, 0.0) == pytest.approx(0.8 * unsupported)  # a fifth of the work with each child taken on
    assert pressure(2.5, 1.0) == pytest.approx(0.8 * unsupported)


def test_higher_demand_raises_turnover_through_caseload_pressure():
    base = scenario_with()
    busier = scenario_with({"referrals": {"new_children_per_year": 3510 * 1.4}})
    turnover = {}
    for name, scenario in (("base", base), ("busier", busier)):
        result = run_experiment(scenario, replications=8, months=18, seed=3, jobs=2, progress=False)
        rows = result.kpis[(result.kpis["kpi"] == "turnover_12m") & (result.kpis["month"] == 18)]
        turnover[name] = rows.set_index("replication")["value"]
    difference = turnover["busier"] - turnover["base"]
    mean, low, high = mean_interval(difference.to_numpy())
    assert low > 0, (mean, low, high)


def test_within_team_reallocations_give_new_social_workers_only_where_there_is_room():
    def three_plus(rate: float) -> float:
        scenario = one_team({"experienced": 10}, {}, posts=10,
                            children={"assessment": 0, "cin": 0, "cp": 0, "cic": 150})
        scenario = scenario.model_copy(update={"allocation": scenario.allocation.model_copy(
            update={"reallocations_per_family_year": rate})})
        for worker in workers_at_the_end(scenario, 2, 12):
            assert worker.children == sum(c.size for c in worker.families) <= max(worker.cap, 15)
        return kpi(run_replication(scenario, 2, 0, 12), "pct_children_3plus_sw_12m")[12]
    assert three_plus(0.0) == 0.0  # one team, nobody leaves: one social worker each
    assert three_plus(2.0) > 20.0
