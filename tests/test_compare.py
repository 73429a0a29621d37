"""Dated interventions and comparisons on common random numbers."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import STATIC_WORKFORCE, scenario_with, small_service

import simpy

from capacity_model import compare, run_experiment
from capacity_model.analysis.differences import paired_differences
from capacity_model.engine import Replication
from capacity_model.engine.day_plan import ALLOCATION_MEETING
from capacity_model.engine.environment import Environment
from capacity_model.engine.horizon import Horizon
from capacity_model.engine.in_force import ScenarioInForce
from capacity_model.engine.referrals import Referrals
from capacity_model.engine.streams import RandomStreams
from capacity_model.interface.cli import main
from capacity_model.scenario import Scenario, ScenarioError, load_scenario, merge_scenario_data

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def with_interventions(scenario: Scenario, *interventions: dict, name: str | None = None) -> Scenario:
    data = scenario.model_dump(mode="json")
    data["interventions"] = list(interventions)
    data["name"] = name or scenario.name + "-changed"
    return Scenario.model_validate(data)


def test_an_intervention_that_changes_nothing_changes_nothing():
    base = scenario_with({"warm_up_months": 0})
    same = with_interventions(
        base,
        {"parameter": "allocation.caseload_cap", "value": 22, "start_date": "2020-05-01"},
        {"parameter": "workforce.absence.spells_per_fte_year", "value": 1.9, "start_date": "2020-06-01",
         "end_date": "2020-09-01"},
        {"parameter": "costs.experienced_gbp_per_fte_year", "value": 43100, "start_date": "2020-07-01"},
    )
    a = run_experiment(base, replications=2, months=8, seed=3, jobs=1, progress=False)
    b = run_experiment(same, replications=2, months=8, seed=3, jobs=1, progress=False)
    pd.testing.assert_frame_equal(a.kpis.drop(columns="scenario"), b.kpis.drop(columns="scenario"))


class ReferralLog:
    """Stands in for the pathway: notes when each family is referred."""

    def __init__(self, env: simpy.Environment):
        self.env, self.days = env, []

    def new_family(self, size, fate):
        return size

    def refer(self, family) -> None:
        self.days.append(self.env.now)


def test_interventions_take_effect_on_their_start_and_end_days():
    scenario = with_interventions(
        small_service(rereferral={"probability": 0.0}, referrals={"new_children_per_year": 2000}),
        {"parameter": "referrals.new_children_per_year", "value": 0, "start_date": "2020-06-01",
         "end_date": "2020-08-01"})
    env = Environment()
    horizon = Horizon(scenario, months=7)
    in_force = ScenarioInForce(env, scenario, horizon)
    log = ReferralLog(env)
    referrals = Referrals(env, in_force, horizon, RandomStreams(1, 0), log)
    env.process(referrals.arrivals())
    env.process(in_force.interventions())
    env.run(until=horizon.horizon_day)
    referred = log.days
    start, end = horizon.calendar.day_of(date(2020, 6, 1)), horizon.calendar.day_of(date(2020, 8, 1))
    assert not [t for t in referred if start <= t < end]
    assert [t for t in referred if start - 1 <= t < start] and [t for t in referred if end <= t < end + 1]


def test_what_components_read_of_the_scenario_is_new_before_any_is_told_of_a_change():
    """A component that keeps what it reads of the scenario (the desk's rules, the pathway's samplers) reads the
    new one before any listener acts on the change, so nothing done on being told meets the rules of before."""
    scenario = with_interventions(small_service(), {"parameter": "allocation.schedule", "value": "meetings",
                                                    "start_date": "2020-06-01"})
    env = simpy.Environment()
    horizon = Horizon(scenario, months=5)
    in_force = ScenarioInForce(env, scenario, horizon)
    told, kept = [], {}
    in_force.listen(lambda old, new: told.append((old.allocation.schedule, kept["schedule"])))
    in_force.read(lambda new: kept.update(schedule=new.allocation.schedule))
    assert kept == {"schedule": "continuous"}  # read at once
    env.process(in_force.interventions())
    env.run(until=horizon.horizon_day)
    assert told == [("continuous", "meetings")]  # the listener, registered first, met the new rules


def test_a_ramp_moves_in_monthly_steps_and_ends_where_asked():
    scenario = with_interventions(scenario_with(), {
        "parameter": "workforce.leaving.pay_and_progression_multiplier", "value": 0.6,
        "start_date": "2020-04-01", "ramp_months": 4})
    values = [scenario.on(date(2020, m, 1)).workforce.leaving.pay_and_progression_multiplier for m in range(3, 10)]
    assert values == pytest.approx([1.0, 1.0, 0.9, 0.8, 0.7, 0.6, 0.6])
    assert scenario.on(date(2020, 5, 31)).workforce.leaving.pay_and_progression_multiplier == pytest.approx(0.9)


def test_interventions_compose_in_order():
    scenario = with_interventions(
        scenario_with(),
        {"parameter": "allocation.caseload_cap", "value": 20, "start_date": "2020-04-01"},
        {"parameter": "allocation.caseload_cap", "value": 18, "start_date": "2020-06-01", "end_date": "2020-08-01"})
    caps = [scenario.on(date(2020, m, 1)).allocation.caseload_cap for m in (3, 4, 6, 7, 8)]
    assert caps == [22, 20, 18, 18, 20]


@pytest.mark.parametrize("intervention, message", [
    ({"parameter": "allocation.caseload_capp", "value": 20, "start_date": "2020-04-01"},
     "interventions.0.parameter: 'allocation.caseload_capp' is not a parameter"),
    ({"parameter": "allocation.caseload_cap", "value": 0, "start_date": "2020-04-01"},
     "interventions.0.value: 0 is not allowed for allocation.caseload_cap"),
    ({"parameter": "allocation.caseload_cap", "value": 20, "start_date": "2020-04-01", "end_date": "2020-03-01"},
     "end_date (2020-03-01) must be after start_date (2020-04-01)"),
    ({"parameter": "initial_state.allocated_children.cin", "value": 2, "start_date": "2020-04-01"},
     "fixed for the whole run"),
])
def test_bad_interventions_are_refused_with_the_field_named(tmp_path, capsys, intervention, message):
    path = tmp_path / "bad.yaml"
    path.write_text(__import__("yaml").safe_dump({"extends": "baseline", "interventions": [intervention]}))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)
    assert main(["compare", "baseline", str(path), "--out", str(tmp_path / "out")]) == 2
    assert message in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_common_random_numbers_shrink_the_variance_of_differences():
    base = scenario_with({"warm_up_months": 0})
    option = base.model_copy(update={"name": "two-more", "teams": {
        **base.teams, "locality": base.teams["locality"].model_copy(update={"posts_fte": 82})}})
    reps, months = 8, 9
    crn = compare(base, [option], replications=reps, months=months, seed=4, jobs=2, progress=False)
    independent = run_experiment(option, replications=reps, months=months, seed=99, jobs=2, progress=False)

    def per_rep(kpis: pd.DataFrame, scenario: str) -> np.ndarray:
        rows = kpis[(kpis["scenario"] == scenario) & (kpis["kpi"] == "open_children_total") & (kpis["month"] > 0)]
        return rows.groupby("replication")["value"].mean().to_numpy()

    paired = per_rep(crn.kpis, "two-more") - per_rep(crn.kpis, base.name)
    unpaired = per_rep(independent.kpis, "two-more") - per_rep(crn.kpis, base.name)
    assert paired.var(ddof=1) < 0.25 * unpaired.var(ddof=1)


def test_more_staff_never_means_more_waiting_in_a_comparison():
    fewer = small_service(referrals={"new_children_per_year": 220}, workforce=STATIC_WORKFORCE,
                          allocation={"reallocations_per_family_year": 0.0})
    more = small_service(name="more", referrals={"new_children_per_year": 220}, workforce=STATIC_WORKFORCE,
                         allocation={"reallocations_per_family_year": 0.0},
                         initial_state={"staff": {"duty": {"experienced": 4, "newly_qualified": 1}}})
    result = compare(fewer, [more], replications=8, months=12, seed=2, jobs=1, progress=False)
    waiting = result.kpis[result.kpis["kpi"] == "unallocated_mean_in_month"].pivot_table(
        index=["replication", "month"], columns="scenario", values="value")
    assert (waiting["more"] <= waiting[fewer.name] + 1e-9).all()
    row = result.differences[(result.differences["scenario"] == "more")
                             & (result.differences["kpi"] == "unallocated_mean_in_month")
                             & (result.differences["month"] == 12)].iloc[0]
    assert row["difference_ci_high"] < 0


def test_paired_differences_and_chance_of_meeting_targets_by_hand():
    rows = []
    for scenario, values in (("base", [3.0, 0.0, 5.0]), ("option", [1.0, 0.0, 0.0])):
        for replication, value in enumerate(values):
            rows.append((scenario, replication, 6, "2020-09-01", "unallocated_over_5d", value))
    kpis = pd.DataFrame(rows, columns=["scenario", "replication", "month", "date", "kpi", "value"])
    table = paired_differences(kpis, "base").set_index("scenario")
    assert table.loc["option", "difference_mean"] == pytest.approx(np.mean([-2.0, 0.0, -5.0]))
    assert table.loc["option", "p_meets_target"] == pytest.approx(2 / 3)  # none over 5 days in 2 of 3
    assert table.loc["base", "p_meets_target"] == pytest.approx(1 / 3)
    assert np.isnan(table.loc["base", "difference_mean"])


def test_compare_command_end_to_end(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(["compare", "baseline", str(ROOT / "scenarios" / "action-10b-interim-team.yaml"),
                 "--reps", "2", "--months", "6", "--jobs", "1", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "action-10b-interim-team compared with baseline" in printed
    assert "Change in children unallocated over 5 working days" in printed and "Extra cost" in printed
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["scenario"]) == {"baseline", "action-10b-interim-team"}
    interim = table[(table["scenario"] == "action-10b-interim-team") & (table["kpi"] == "staff_interim")
                    & (table["month"] == 3)].iloc[0]
    assert interim["difference_mean"] == 10  # ten interim social workers in post in June 2020
    assert {"manifest.json", "kpis_monthly.csv", "kpis_monthly.parquet", "summary.csv"} <= {
        p.name for p in out.iterdir()}


def test_every_plan_scenario_is_valid_and_quotes_the_plan():
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    assert len(files) >= 11
    for path in files:
        scenario = load_scenario(path)
        assert scenario.description
        if path.stem.startswith(("action-", "objective-")):
            lines = path.read_text().splitlines()
            header = " ".join(line for line in lines[:next(i for i, l in enumerate(lines) if not l.startswith("#"))])
            assert header.count('"') >= 2  # the opening comment quotes the plan's action
            assert scenario.interventions or scenario.workforce.interim_team is not None
    whole = load_scenario(ROOT / "scenarios" / "whole-plan.yaml")
    assert len(whole.interventions) >= 10 and whole.workforce.interim_team is not None


def test_an_intervention_on_campaign_frequency_takes_effect():
    data = merge_scenario_data(small_service().model_dump(mode="json"), {
        "workforce": {**STATIC_WORKFORCE,
                      "leaving": {"permanent_per_year": 4.0, "notice_days": {"kind": "fixed", "days": 0}},
                      "recruitment": {"campaign_every_months": 6, "hires_per_advertised_post": 1.0,
                                      "lead_time_days": {"kind": "fixed", "days": 1}}},
        "teams": {"duty": {"posts_fte": 40}}})
    data["interventions"] = [{"parameter": "workforce.recruitment.campaign_every_months", "value": 1,
                              "start_date": "2020-04-01"}]
    replication = Replication(Scenario.model_validate(data), seed=1, replication=0, months=3,
                              emit=lambda month_end: None)
    replication.run()
    # campaigns in March (the first review) and then monthly from April: hires start the
    # day after 1 April and 1 May; every six months, nobody would start until September
    calendar = replication.horizon.calendar
    april, may = calendar.day_of(date(2020, 4, 1)), calendar.day_of(date(2020, 5, 1))
    starts = {round(w.start_day - 1.01) for w in replication.workforce.register.workers() if w.start_day > 0}
    assert {april, may} <= starts


def test_a_missing_value_drops_out_of_its_pair_only():
    rows = [("base", r, 6, "2020-09-01", "unallocated_over_5d", v) for r, v in enumerate([3.0, 0.0, 5.0])]
    rows += [("option", r, 6, "2020-09-01", "unallocated_over_5d", v) for r, v in ((0, 1.0), (2, 0.0))]
    rows += [("option", 1, 6, "2020-09-01", "average_caseload", 23.0)]
    table = paired_differences(pd.DataFrame(rows, columns=["scenario", "replication", "month", "date", "kpi",
                                                           "value"]), "base")
    option = table[(table["scenario"] == "option") & (table["kpi"] == "unallocated_over_5d")].iloc[0]
    assert option["pairs"] == 2 and option["replications"] == 2
    assert option["difference_mean"] == pytest.approx(np.mean([1.0 - 3.0, 0.0 - 5.0]))
    caseload = table[(table["scenario"] == "option") & (table["kpi"] == "average_caseload")].iloc[0]
    assert caseload["pairs"] == 0 and np.isnan(caseload["difference_mean"]) and caseload["p_meets_target"] == 0


def test_interventions_cannot_move_stages_or_replace_fixed_sections():
    base = scenario_with().model_dump(mode="json")
    teams = copy_teams = {name: dict(team) for name, team in base["teams"].items()}
    copy_teams["children_in_care"] = {**teams["children_in_care"], "stages": ["cic", "cp"]}
    copy_teams["locality"] = {**teams["locality"], "stages": ["cin"]}
    for intervention, message in (
        ({"parameter": "teams", "value": copy_teams, "start_date": "2020-06-01"}, "fixed for the whole run"),
        ({"parameter": "workforce", "value": {**base["workforce"], "interim_team": {
            "social_workers": 3, "team": "locality", "start_date": "2020-06-01", "end_date": "2020-09-01"}},
          "start_date": "2020-06-01"}, "workforce.interim_team"),
    ):
        data = dict(base, interventions=[intervention])
        with pytest.raises(ValueError, match=message):
            Scenario.model_validate(data)


def test_a_change_of_meeting_days_applies_from_its_day():
    scenario = with_interventions(scenario_with({"warm_up_months": 0}), {
        "parameter": "allocation.meeting_weekdays", "value": ["Monday"], "start_date": "2021-03-01"})
    replication = Replication(scenario, seed=1, replication=0, months=13, emit=lambda month_end: None)
    replication.run()
    # families given a social worker at a meeting's time of day: on a meeting day
    allocated = [h.start for f in replication.pathway.open_families.values() for h in f.holdings]
    calendar = replication.horizon.calendar
    days = sorted({calendar.date_of(t) for t in allocated if t > 0 and abs(t % 1 - ALLOCATION_MEETING) < 1e-6})
    after = [d for d in days if d >= date(2021, 3, 1)]
    assert after[0] == date(2021, 3, 1) and all(d.weekday() == 0 for d in after)
    assert {d.weekday() for d in days if d < date(2021, 3, 1)} == {1, 3}
