"""The engine: conservation, reproducibility, pathway mechanics and the baseline's face validity."""

import gc
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import scenario_with, small_service

from capacity_model import load_scenario, run_experiment, run_replication
from capacity_model.engine import Replication

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def simulated(scenario, seed: int, months: int) -> Replication:
    """A replication run to its end, to look at the state it ends in."""
    replication = Replication(scenario, seed, 0, months, emit=lambda month_end: None)
    replication.run()
    return replication


def kpi_table(result) -> pd.DataFrame:
    return pd.DataFrame(result.kpis, columns=["month", "date", "kpi", "value"]).pivot(
        index="month", columns="kpi", values="value")


@pytest.mark.parametrize("make", [small_service, lambda: scenario_with()], ids=["small", "baseline"])
@pytest.mark.parametrize("replication", [0, 1, 2])
def test_children_are_conserved_at_every_snapshot(make, replication):
    result = run_replication(make(), seed=11, replication=replication, months=12)
    balance = pd.DataFrame(result.balance)
    assert len(balance) == 13
    inflow = balance["children_initial"] + balance["children_referred"]
    outflow = balance["children_allocated"] + balance["children_unallocated"] + balance["children_closed"]
    assert (inflow == outflow).all()
    assert balance["children_referred"].iloc[-1] > 0 and balance["children_closed"].iloc[-1] > 0
    table = kpi_table(result)
    assert (table["unallocated"].to_numpy() == balance["children_unallocated"].to_numpy()).all()


def test_caseloads_add_up_to_the_children_allocated():
    replication = simulated(scenario_with(), seed=3, months=6)
    workers = replication.workforce.register.workers()
    for worker in workers:
        assert worker.children == sum(family.size for family in worker.families)
        assert all(family.worker is worker for family in worker.families)
    families = replication.pathway.open_families.values()
    assert sum(w.children for w in workers) == sum(f.size for f in families if f.worker is not None)


def test_same_seed_same_tables_for_one_or_two_processes():
    scenario = scenario_with()
    one = run_experiment(scenario, replications=4, months=6, seed=5, jobs=1, progress=False)
    two = run_experiment(scenario, replications=4, months=6, seed=5, jobs=2, progress=False)
    pd.testing.assert_frame_equal(one.kpis, two.kpis)
    pd.testing.assert_frame_equal(one.balance, two.balance)


def test_the_tidy_tables_hold_each_replications_rows_with_labels_as_categories():
    scenario = small_service()
    result = run_experiment(scenario, replications=2, months=3, seed=5, jobs=1, progress=False)
    rows = [(r, month, date, kpi, value) for r in range(2)
            for month, date, kpi, value in run_replication(scenario, seed=5, replication=r, months=3).kpis]
    expected = pd.DataFrame(rows, columns=["replication", "month", "date", "kpi", "value"])
    table = result.kpis.astype({"date": str, "kpi": str})
    pd.testing.assert_frame_equal(table.drop(columns="scenario"), expected, check_dtype=False)
    assert (result.kpis["scenario"] == scenario.name).all()
    for column in ("scenario", "date", "kpi"):
        categories = list(result.kpis[column].cat.categories)
        assert categories == sorted(categories)  # so grouping orders them as it would strings
    assert list(result.caseloads["kind"].cat.categories) == sorted(set(result.caseloads["kind"]))
    means = result.kpis.groupby(["kpi", "month"])["value"].mean()
    assert means.equals(table.groupby(["kpi", "month"])["value"].mean())


def test_different_seeds_and_replications_differ():
    scenario = small_service()
    a = kpi_table(run_replication(scenario, seed=1, replication=0, months=6))
    b = kpi_table(run_replication(scenario, seed=2, replication=0, months=6))
    c = kpi_table(run_replication(scenario, seed=1, replication=1, months=6))
    assert not a.equals(b) and not a.equals(c)
    again = kpi_table(run_replication(scenario, seed=1, replication=0, months=6))
    assert a.equals(again)


def test_fixed_durations_close_every_initial_assessment_on_time():
    scenario = small_service(
        referrals={"new_children_per_year": 0},
        rereferral={"probability": 0.0},
        pathway={"assessment_working_days": {"kind": "fixed", "days": 5},
                 "assessment_outcomes": {"no_further_action": 1.0, "cin": 0.0, "cp": 0.0, "cic": 0.0}},
    ).model_copy(update={})
    data = scenario.model_dump()
    data["initial_state"]["allocated_children"] = {"assessment": 10, "cin": 0, "cp": 0, "cic": 0}
    data["initial_state"]["unallocated_children"] = {"assessment": 0, "cin": 0, "cp": 0, "cic": 0}
    result = run_replication(type(scenario).model_validate(data), seed=1, replication=0, months=2)
    table = kpi_table(result)
    # Started at most 5 working days ago, each assessment ends within 5 working days.
    assert table.loc[0, "open_assessment"] == 10
    assert table.loc[1, "open_assessment"] == 0
    assert result.balance[-1]["children_closed"] == 10
    assert result.balance[-1]["children_referred"] == 0


def test_a_transfer_to_another_team_gives_a_new_social_worker():
    scenario = scenario_with(
        {"workforce": {"leaving": {"permanent_per_year": 0.0, "internal_moves_per_year": 0.0},
                       "agency": {"leaving_per_year": 0.0}, "absence": {"spells_per_fte_year": 0.0}},
         "warm_up_months": 0,
         "referrals": {"sibling_group_size_probabilities": {1: 1.0}},
         "pathway": {"assessment_working_days": {"kind": "fixed", "days": 10},
                     "assessment_outcomes": {"no_further_action": 0.0, "cin": 1.0, "cp": 0.0, "cic": 0.0},
                     "cin_plan_days": {"kind": "fixed", "days": 400}}},
    )
    replication = simulated(scenario, seed=2, months=4)
    team_of = {w.id: w.team for w in replication.workforce.register.workers()}  # nobody leaves or moves
    moved = [f for f in replication.pathway.open_families.values()
             if f.stage == "cin" and f.worker is not None and f.queue_entry is None and f.referral_day > 0]
    assert len(moved) > 100
    for family in moved:
        since_referral = [h for h in family.holdings if h.start >= family.referral_day]  # not an earlier episode
        teams = [team_of[h.worker_id] for h in since_referral]
        assert teams[0] == "assessment" and teams[-1] == "locality"
        assert len({h.worker_id for h in since_referral}) == len(since_referral) >= 2


def test_a_transfer_never_leaves_a_child_unallocated():
    """A family moving to another team's stage waits there while its social worker in the old team keeps it."""
    replication = simulated(scenario_with(), seed=4, months=6)
    team_of = replication.desk.team_of
    waiting = [f for f in replication.pathway.open_families.values() if f.queue_entry is not None]
    transfers = [f for f in waiting if f.worker is not None]
    assert transfers, "some families should be waiting for a transfer at the end"
    for family in transfers:
        assert family.worker.team != team_of[family.stage]  # held in the sending team
        assert family.queue_entry.queue.team == team_of[family.stage]  # queued in the receiving team
        assert family.holdings[-1].end is None and family.holdings[-1].worker_id == family.worker.id


def test_baseline_looks_like_the_service_ofsted_found():
    """Face validity: stocks near the brief's figures, children waiting, caseloads above 22."""
    result = run_experiment(scenario_with(), replications=6, months=12, seed=0, jobs=2, progress=False)
    at = result.kpis[result.kpis["month"].between(6, 12)].groupby("kpi")["value"].mean()
    assert 550 <= at["open_cic"] <= 750  # Nottingham 620 to 650
    assert 280 <= at["open_cp"] <= 450  # about 350
    assert 2400 <= at["open_children_total"] <= 3400  # about 2,400 to 3,000
    assert at["unallocated"] > 20 and at["unallocated_over_5d"] > 5
    assert at["pct_caseload_le_22"] < 90
    assert 4000 <= 12 * at["referrals_in_month"] <= 5000
    assert 15 <= at["pct_rereferrals_12m"] <= 30
    assert 10 <= at["vacancy_rate"] <= 20  # 16% (England 2019)
    assert 10 <= at["agency_rate"] <= 20  # 16%
    assert 12 <= at["turnover_12m"] <= 18  # 15% a year
    assert 2.5 <= at["absence_rate"] <= 3.5  # 3% of days


def test_seasonality_shapes_monthly_referrals():
    season = [1.0] * 12
    season[7], season[9] = 0.5, 1.5  # August half, October half as much again
    scenario = small_service(referrals={"new_children_per_year": 1200, "monthly_seasonality": season},
                             rereferral={"probability": 0.0})
    counts = {8: [], 10: []}
    for r in range(8):
        rows = pd.DataFrame(run_replication(scenario, seed=9, replication=r, months=12).kpis,
                            columns=["month", "date", "kpi", "value"])
        referrals = rows[rows["kpi"] == "referrals_in_month"]
        for date, value in zip(referrals["date"], referrals["value"]):
            month_ended = (pd.Timestamp(date) - pd.Timedelta(days=1)).month
            if month_ended in counts:
                counts[month_ended].append(value)
    # expected children: 100 a month x 0.5 = 50 in August, x 1.5 = 150 in October
    assert np.mean(counts[8]) == pytest.approx(50, rel=0.25)
    assert np.mean(counts[10]) == pytest.approx(150, rel=0.15)


def test_warm_up_months_are_simulated_but_not_reported():
    scenario = small_service(warm_up_months=3)
    result = run_replication(scenario, seed=1, replication=0, months=2)
    table = kpi_table(result)
    assert list(table.index) == [0, 1, 2]
    dates = sorted({date for _, date, _, _ in result.kpis})
    assert dates == ["2020-03-01", "2020-04-01", "2020-05-01"]
    assert table.loc[1, "cost_cumulative_gbp"] == pytest.approx(table.loc[1, "cost_total_gbp"])
    assert result.balance[0]["children_referred"] > 0  # three months of referrals before the start
    cold = kpi_table(run_replication(small_service(), seed=1, replication=0, months=2))
    assert not table.equals(cold)


def test_waiting_count_follows_the_queue_and_its_average_lies_within_the_month():
    replication = simulated(scenario_with(), seed=6, months=4)
    families = replication.pathway.open_families.values()
    assert replication.tally.waiting.children == sum(f.size for f in families if f.worker is None)
    table = kpi_table(run_replication(scenario_with(), seed=6, replication=0, months=4))
    assert table["unallocated_mean_in_month"].notna().sum() == 4
    assert (table["unallocated_mean_in_month"].dropna() > 0).all()


DURATIONS = [{"kind": "fixed", "days": 12.5}, {"kind": "exponential", "mean_days": 30},
             {"kind": "lognormal", "mean_days": 60, "cv": 1.2}, {"kind": "uniform", "low_days": 3, "high_days": 40},
             {"kind": "quantiles", "points": [[0, 1], [0.25, 20], [0.5, 60], [0.9, 200], [1, 700]]}]


@pytest.mark.parametrize("data", DURATIONS, ids=lambda data: data["kind"])
def test_durations_drawn_many_at_once_are_those_drawn_one_at_a_time(data):
    """The initial state draws its pools many at once: digit for digit as one at a time, through the C
    library's exp and log (numpy's own, for arrays, differ in the last digit on AVX-512 processors), so a
    run is the same on every machine. A log-normal's inverse normal CDF is scipy's for many, Python's for
    one: those agree to 1e-12."""
    import math

    from pydantic import TypeAdapter
    from scipy.special import ndtri

    from capacity_model.scenario.distributions import Duration

    duration = TypeAdapter(Duration).validate_python(data)
    u = np.random.default_rng(5).random(5000)
    many = duration.days_at_many(u)
    one = np.array([duration.days_at(x) for x in u.tolist()])
    if data["kind"] == "lognormal":
        np.testing.assert_allclose(many, one, rtol=1e-12)
        mu, sigma = duration._mu_sigma
        assert many.tolist() == [math.exp(mu + sigma * z) for z in ndtri(u).tolist()]
    else:
        assert many.tolist() == one.tolist()


def test_the_latest_window_with_3_social_workers_counts_each_once_and_drops_those_before_12_months():
    from capacity_model.engine.family import NEVER, Holding, latest_window_with

    holdings = [Holding(1, 0.0, 100.0), Holding(2, 100.0, 400.0), Holding(1, 400.0, 500.0), Holding(3, 500.0)]
    # workers 3, 1 and 2 from worker 2's holding on (worker 1 counted once): any window starting by day 400
    assert latest_window_with(holdings, 3, 50.0) == 400.0
    assert len(holdings) == 4  # none ended before day 50
    assert latest_window_with(holdings, 2, 50.0) == 500.0  # workers 3 and 1, from worker 1's second holding on
    assert latest_window_with(holdings, 1, 50.0) == math.inf  # worker 3 holds it still
    assert latest_window_with(holdings, 3, 450.0) == NEVER  # worker 2's holding ended on day 400: only 1 and 3
    assert [h.worker_id for h in holdings] == [1, 3]  # and the two that ended before day 450 are gone
    ended = [Holding(4, 0.0, 10.0), Holding(5, 10.0, 20.0)]  # unallocated since day 20
    assert latest_window_with(ended, 1, 30.0) == NEVER and ended == []
    two = [Holding(4, 0.0, 10.0), Holding(5, 10.0)]  # too few for 3 at all: left as they are
    assert latest_window_with(two, 3, 30.0) == NEVER and len(two) == 2


@pytest.mark.parametrize("schedule", ["meetings", "continuous"])
def test_the_counts_kept_as_things_happen_are_those_a_look_at_every_family_gives(schedule):
    """At every month end, in a service with absence, leavers, moves, reallocation and an interim team: the
    children at each stage, the families waiting and the children with 3 or more social workers in 12 months
    that the tally kept equal a fresh count over every open family (a missed update fails it)."""
    from capacity_model.scenario.calendar import YEAR_DAYS

    scenario = scenario_with({
        "allocation": {"schedule": schedule, "reallocations_per_family_year": 2.0},
        "workforce": {"absence": {"spells_per_fte_year": 6.0, "long_term_after_days": 10},
                      "leaving": {"internal_moves_per_year": 0.5},
                      "interim_team": {"team": "locality", "social_workers": 5, "start_date": "2020-05-01",
                                       "end_date": "2020-09-01"}}})
    checked = []

    def look(month_end) -> None:
        families = list(replication.pathway.open_families.values())
        in_stage = {stage: sum(f.size for f in families if f.stage == stage) for stage in replication.tally.in_stage}
        assert replication.tally.in_stage == in_stage
        assert set(replication.tally.waiting.families) == {f.id for f in families if f.worker is None}
        window_start = replication.env.now - YEAR_DAYS
        many = {stage: 0 for stage in in_stage}
        for family in families:
            recent = {h.worker_id for h in family.holdings if h.end is None or h.end >= window_start}
            many[family.stage] += family.size if len(recent) >= 3 else 0
        assert month_end.service.children_many_social_workers_12m == many
        assert month_end.service.children_in_stage == in_stage
        checked.append(sum(many.values()))

    replication = Replication(scenario, 3, 0, 12, emit=look)
    replication.run()
    assert len(checked) == 13 and checked[-1] > 0  # some children had 3 or more social workers


def test_each_familys_numbers_are_its_row_of_the_block_then_the_overflow_stream():
    """A family's fate gives its row's 64 numbers in order (the first 16 made ready for the block at once, the
    rest when a story gets that far), then the overflow stream's, whatever the other families draw."""
    from capacity_model.engine.streams import FateBank

    bank = FateBank(np.random.default_rng(1), np.random.default_rng(2))
    block = np.random.default_rng(1).random((FateBank.BLOCK, FateBank.ROW_LENGTH))
    overflow = np.random.default_rng(2).random(3)
    first, second, third = bank.next_row(), bank.next_row(), bank.next_row()
    assert [second.uniform() for _ in range(3)] == block[1, :3].tolist()
    assert [first.uniform() for _ in range(67)] == block[0].tolist() + overflow.tolist()
    assert [third.uniform() for _ in range(20)] == block[2, :20].tolist()
    assert [bank.next_row().uniform() for _ in range(FateBank.BLOCK - 3)] == block[3:, 0].tolist()
    assert bank.next_row().uniform() != block[0, 0]  # a new block


def test_next_uniform_gives_what_the_streams_own_random_would_between_its_other_draws():
    """The arrivals' thinning numbers, read from the bit generator, are the stream's ``random()`` digit for digit,
    with exponential gaps drawn between them from the same stream."""
    from capacity_model.engine.streams import next_uniform

    ours, numpys = np.random.default_rng(11), np.random.default_rng(11)
    drawn = [(ours.exponential(), next_uniform(ours.bit_generator)) for _ in range(5000)]
    assert drawn == [(numpys.exponential(), numpys.random()) for _ in range(5000)]
    assert min(u for _, u in drawn) >= 0.0 and max(u for _, u in drawn) < 1.0


@pytest.mark.parametrize("file", [None, "whole-plan.yaml"], ids=["baseline", "whole plan"])
def test_a_replication_run_leaves_the_garbage_collector_little_to_free(file):
    """Once run, a replication lets go of its families, their tasks and the events still to come, so that reference
    counting frees them: the collector is left the components, not what they held (in a large
    service, collecting everything costs 0.5 s a replication)."""
    scenario = scenario_with() if file is None else load_scenario(SCENARIOS / file)
    Replication(scenario, 0, 0, 1, emit=lambda month_end: None).run()  # modules and tables made once are not counted
    left = {}
    for let_go in (True, False):
        gc.collect()
        gc.disable()
        try:
            objects_before = len(gc.get_objects())
            replication = simulated(scenario, seed=0, months=24)
            made = len(gc.get_objects()) - objects_before
            if let_go:
                replication.let_go()
            del replication
            left[let_go] = gc.collect() / made
        finally:
            gc.enable()
    assert left[False] > 0.8  # without it, the collector frees nearly all the replication made
    assert left[True] < 0.2
