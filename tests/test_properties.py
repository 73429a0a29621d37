"""Property-based tests: conservation laws hold for any valid scenario (Hypothesis)."""

import math

import pandas as pd
from conftest import baseline_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capacity_model import run_replication
from capacity_model.scenario import Scenario
from capacity_model.scenario import merge_scenario_data

STAGES = ["assessment", "cin", "cp", "cic"]


@st.composite
def shares(draw, names):
    weights = [draw(st.integers(0, 10)) for _ in names]
    if not any(weights):
        weights[0] = 1
    total = sum(weights)
    values = [w / total for w in weights]
    values[-1] = 1.0 - sum(values[:-1])
    return dict(zip(names, values))


@st.composite
def scenarios(draw):
    team_count = draw(st.integers(1, 3))
    teams = [f"team{i}" for i in range(team_count)]
    holder = {stage: teams[draw(st.integers(0, team_count - 1))] for stage in STAGES}
    holder[STAGES[0]] = teams[0]
    team_data = {t: {"posts_fte": draw(st.integers(0, 8)), "stages": [s for s in STAGES if holder[s] == t]}
                 for t in teams}
    team_data = {t: d for t, d in team_data.items() if d["stages"]}
    duration = st.sampled_from([
        {"kind": "exponential", "mean_days": 20}, {"kind": "fixed", "days": 15},
        {"kind": "lognormal", "mean_days": 60, "cv": 1.2}, {"kind": "uniform", "low_days": 0, "high_days": 40}])
    changes = {
        "warm_up_months": draw(st.integers(0, 2)),
        "referrals": {"new_children_per_year": draw(st.integers(0, 600)),
                      "sibling_group_size_probabilities": draw(shares([1, 2, 3]))},
        "rereferral": {"probability": draw(st.floats(0, 0.5))},
        "pathway": {"assessment_working_days": draw(duration),
                    "assessment_outcomes": draw(shares(["no_further_action", "cin", "cp", "cic"])),
                    "cin_plan_days": draw(duration), "cp_plan_days": draw(duration),
                    "cic_episode_days": draw(duration),
                    "cin_plan_ends": draw(shares(["close", "cp"])),
                    "cp_plan_ends": draw(shares(["close", "cin", "cic"]))},
        "allocation": {"caseload_cap": draw(st.integers(1, 25)), "policy": draw(st.sampled_from(
            ["hard_cap", "above_cap_after_wait"])), "schedule": draw(st.sampled_from(["continuous", "meetings"])),
            "absolute_max_caseload": 30, "reallocations_per_family_year": draw(st.floats(0, 2))},
        "workforce": {
            "leaving": {"permanent_per_year": draw(st.floats(0, 2)), "internal_moves_per_year": draw(st.floats(0, 1))},
            "agency": {"fill_probability_per_month": draw(st.floats(0, 1)), "leaving_per_year": draw(st.floats(0, 3)),
                       "conversion_to_permanent_per_year": draw(st.floats(0, 1)),
                       "max_agency_workers": draw(st.one_of(st.none(), st.integers(0, 5)))},
            "recruitment": {"campaign_every_months": draw(st.one_of(st.none(), st.integers(1, 3))),
                            "hires_per_advertised_post": draw(st.floats(0, 1)),
                            "newly_qualified_per_year": draw(st.integers(0, 4))},
            "absence": {"spells_per_fte_year": draw(st.floats(0, 10)), "long_term_after_days": 10},
            "interim_team": draw(st.one_of(st.none(), st.just(
                {"social_workers": 2, "team": teams[0], "start_date": "2020-04-01", "end_date": "2020-05-15"}))),
        },
    }
    data = merge_scenario_data(baseline_data(), changes)
    data["teams"] = team_data
    data["initial_state"] = {
        "allocated_children": {s: draw(st.integers(0, 30)) for s in STAGES},
        "unallocated_children": {s: draw(st.integers(0, 5)) for s in STAGES},
        "unallocated_waited_working_days": {"kind": "uniform", "low_days": 0, "high_days": 10},
        "staff": {t: {"experienced": draw(st.integers(0, 4)), "newly_qualified": draw(st.integers(0, 2)),
                      "agency": draw(st.integers(0, 2))} for t in team_data},
    }
    return Scenario.model_validate(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_children_staff_and_cost_are_conserved(scenario, seed):
    result = run_replication(scenario, seed=seed, replication=0, months=3)
    balance = pd.DataFrame(result.balance)
    assert ((balance["children_initial"] + balance["children_referred"])
            == (balance["children_allocated"] + balance["children_unallocated"] + balance["children_closed"])).all()
    assert ((balance["staff_initial"] + balance["staff_joined"] - balance["staff_left"])
            == balance["staff_in_post"]).all()
    assert ((balance["staff_permanent_initial"] + balance["staff_permanent_joined"]
             - balance["staff_permanent_left"]) == balance["staff_permanent_in_post"]).all()
    table = pd.DataFrame(result.kpis, columns=["month", "date", "kpi", "value"]).pivot(
        index="month", columns="kpi", values="value")
    monthly = table["cost_total_gbp"].dropna()
    assert math.isclose(monthly.sum(), table["cost_cumulative_gbp"].iloc[-1], rel_tol=1e-9, abs_tol=1e-6)
    parts = [c for c in table.columns if c.startswith("cost_") and c not in ("cost_total_gbp", "cost_cumulative_gbp")]
    assert ((table[parts].sum(axis=1) - table["cost_total_gbp"]).dropna().abs() < 1e-6).all()
    for kpi in ("pct_caseload_le_22", "pct_children_3plus_sw_12m", "vacancy_rate", "agency_rate"):
        if kpi in table:
            assert table[kpi].dropna().between(0, 100).all()
    assert (table["unallocated"] >= table["unallocated_over_5d"]).all()
