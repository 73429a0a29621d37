"""The oversight layer: statutory visits, case supervision and the IRO service (issue 15).

Hand arithmetic on one-worker services, conservation of tasks, the KPI definitions on
hand-made snapshots, the off switch, and monotone responses under common random numbers.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import statistics

import pytest
from hypothesis import example, given, settings, strategies as st

from capacity_model.engine.oversight.tasks import TaskBook
from capacity_model.experiment.task import run_replication
from capacity_model.measures import KPI_BY_ID, OversightSnapshot, ServiceSnapshot
from capacity_model.scenario import ScenarioError, load_scenario
from capacity_model.scenario import Scenario

from conftest import STATIC_WORKFORCE, baseline_data, scenario_with, small_service

OVERSIGHT_KPIS = ("pct_supervised_42d", "pct_visits_up_to_date", "pct_visits_up_to_date_cin",
                  "pct_visits_up_to_date_cp", "pct_visits_up_to_date_cic", "pct_icpc_within_15wd",
                  "pct_cp_reviews_in_time", "pct_cic_reviews_in_time", "iro_caseload")
BOOKS = ("visits", "supervision", "meetings")


def one_worker(children_in_need: int, visit_hours_per_week: float, *, managers: float = 1.0,
               supervision_hours: float = 10.0, months: int = 24) -> Scenario:
    """One social worker holding ``children_in_need`` single-child CiN families for the whole run.

    Nobody joins, leaves or is absent, no one is referred, and no plan ends; visits every 20
    working days at 3.5 hours each.
    """
    oversight = baseline_data()["oversight"]
    oversight["visits"].update(hours_per_fte_week=visit_hours_per_week, hours_per_visit=3.5)
    oversight["supervision"].update(hours_per_fte_week=supervision_hours, hours_per_case=0.5,
                                    time_lost_to_absence_share=0.0)
    return small_service(
        referrals={"new_children_per_year": 0},
        rereferral={"probability": 0.0},
        pathway={"cin_plan_days": {"kind": "fixed", "days": 1_000_000}},
        allocation={"caseload_cap": 100, "absolute_max_caseload": 100, "reallocations_per_family_year": 0.0},
        initial_state={"allocated_children": {"assessment": 0, "cin": children_in_need, "cp": 0, "cic": 0},
                       "unallocated_children": {"assessment": 0},
                       "staff": {"duty": {"experienced": 1, "newly_qualified": 0}}},
        workforce={**STATIC_WORKFORCE, "team_managers": {"posts_fte": managers, "in_post_fte": managers}},
        oversight=oversight,
    )


def kpi_series(result, kpi: str) -> dict[int, float]:
    return {month: value for month, _, name, value in result.kpis if name == kpi}


def last_balance(result) -> dict[str, float]:
    return result.balance[-1]


def working_days(scenario: Scenario, months: int) -> int:
    from capacity_model.engine.horizon import Horizon
    horizon = Horizon(scenario, months)
    return horizon.calendar.working_days_between(0.0, horizon.horizon_day - 1e-6)


# --- hand arithmetic ----------------------------------------------------------------------------


def test_a_worker_with_time_to_spare_visits_every_child_on_time():
    """4 children every 20 working days is one visit a week; 14 hours is four: none is ever late."""
    result = run_replication(one_worker(4, visit_hours_per_week=14), seed=1, replication=0, months=24)
    assert set(kpi_series(result, "pct_visits_up_to_date_cin").values()) == {100.0}
    balance = last_balance(result)
    assert balance["visits_late"] == 0 and balance["visits_open_overdue"] == 0
    # each child is visited every 20 working days after a first visit spread over the first 20
    days = working_days(one_worker(4, 14), 24)
    assert 4 * (days // 20) <= balance["visits_on_time"] <= 4 * (days // 20 + 1)


def test_a_worker_short_of_time_makes_exactly_the_visits_their_hours_allow():
    """12 children every 20 working days need 3 visits a week; 7 hours a week make 2.

    The worker is never idle, so visits made = floor(working days x 7/5 hours / 3.5 hours)
    (within one visit for the first days, when the backlog has not yet formed), and the
    share up to date settles near 2/3 (each child's interval stretches to 20 x 3/2 days).
    """
    scenario = one_worker(12, visit_hours_per_week=7)
    result = run_replication(scenario, seed=1, replication=0, months=24)
    balance = last_balance(result)
    made = balance["visits_on_time"] + balance["visits_late"]
    assert abs(made - math.floor(working_days(scenario, 24) * 1.4 / 3.5)) <= 2
    settled = [v for month, v in kpi_series(result, "pct_visits_up_to_date_cin").items() if month >= 6]
    assert statistics.mean(settled) == pytest.approx(100 * 2 / 3, abs=8)


def test_supervision_is_what_the_managers_hours_allow():
    """12 cases every 42 days need 2 a week; a manager with 0.5 hours a week does one."""
    scenario = one_worker(12, visit_hours_per_week=14, managers=1.0, supervision_hours=0.5)
    result = run_replication(scenario, seed=1, replication=0, months=24)
    balance = last_balance(result)
    made = balance["supervision_on_time"] + balance["supervision_late"]
    assert abs(made - math.floor(working_days(scenario, 24) * 0.1 / 0.5)) <= 2
    settled = [v for month, v in kpi_series(result, "pct_supervised_42d").items() if month >= 6]
    assert statistics.mean(settled) == pytest.approx(50, abs=10)
    plenty = run_replication(one_worker(12, 14, supervision_hours=10), seed=1, replication=0, months=24)
    assert set(kpi_series(plenty, "pct_supervised_42d").values()) == {100.0}


def test_a_visit_falls_to_the_familys_social_worker_of_the_day():
    """3.5 visiting hours a week make one visit of 3.5 hours at first (a week's hours to hand), then one a
    week. Of four CiN families due on day 1, the first worker visits the most overdue of theirs; a family
    moved to the second worker is theirs now; a family with no social worker is not visited, nor is one
    whose worker is absent; back at work, the worker visits the most overdue first."""
    from datetime import date
    from types import SimpleNamespace

    from capacity_model.engine.oversight.visits import STAGE_CODE, VisitRound
    from capacity_model.scenario.calendar import WorkingCalendar

    @dataclasses.dataclass(eq=False)  # a social worker as the round reads one (hashable, as a worker is)
    class Worker:
        absent: bool = False
        long_term_absent: bool = False
        workload_per_child: float = 1.0
        kind: str = "experienced"
        team: str = "duty"
        fte: float = 1.0
        visit_time: object = None

    settings = load_scenario("baseline").oversight.visits.model_copy(
        update={"hours_per_fte_week": 3.5, "hours_per_visit": 3.5})
    calendar = WorkingCalendar(date(2020, 4, 6), 60)  # day 0 a Monday
    visits = VisitRound(calendar, SimpleNamespace(caseload_relief={"duty": 0.0}))
    visits.use(settings)
    first, second = Worker(), Worker()
    families = {name: SimpleNamespace(stage="cin", size=1, worker=first) for name in
                ("later", "moved", "earlier", "unallocated")}
    for family, due in zip(families.values(), (0.6, 0.2, 0.4, 0.1)):
        family.visit = visits.table.set_visit(family, due, STAGE_CODE["cin"], since=0.0)
    families["moved"].worker, families["unallocated"].worker = second, None

    def dues() -> dict[str, float]:
        return {name: visits.table.place(family.visit).due for name, family in families.items()}

    visits.day(now=1.3, end=2.0, today=1)
    after_day_1 = calendar.add_working_days(1.3, 20, at=0.75)
    assert dues() == {"later": 0.6, "moved": after_day_1, "earlier": after_day_1, "unallocated": 0.1}
    first.absent, families["unallocated"].worker = True, first
    visits.day(now=2.3, end=3.0, today=6)  # a week's hours come in, but the worker is absent
    assert dues() == {"later": 0.6, "moved": after_day_1, "earlier": after_day_1, "unallocated": 0.1}
    first.absent = False
    visits.day(now=3.3, end=4.0, today=11)  # a week's hours again: one visit
    assert dues() == {"later": 0.6, "moved": after_day_1, "earlier": after_day_1,
                      "unallocated": calendar.add_working_days(3.3, 20, at=0.75)}
    assert visits.table.counts["late"] == 3 and visits.table.open_tasks(now=3.3) == (3, 1)
    assert visits.table.children_by_stage(3.3) == {"cin": (4, 3), "cp": (0, 0), "cic": (0, 0)}
    visits.stop(families["later"], now=3.5)  # the family closes: its children no longer wait for a visit
    assert visits.table.children_by_stage(3.5) == {"cin": (3, 3), "cp": (0, 0), "cic": (0, 0)}


# --- conservation -------------------------------------------------------------------------------


def take(book: TaskBook, day: float, limit: float = math.inf) -> list:
    """Up to ``limit`` open tasks due before ``day``, most overdue first, taken from the front of ``book``."""
    tasks = []
    while len(tasks) < limit and (task := book.first_due()) is not None and task.due < day:
        tasks.append(book.pop())
    return tasks


def test_every_task_set_ends_one_way_or_is_still_open():
    book = TaskBook()
    family = object()
    a = book.set(family, "cin", due=5.0, since=0.0)
    b = book.set(family, "cin", due=8.0, since=0.0)
    c = book.set(family, "cin", due=20.0, since=0.0)
    assert take(book, 10.0) == [a, b]
    assert book.redo(a, 4.0, due=30.0)  # on time
    assert not book.redo(b, 9.0, due=30.0)  # late
    book.cancel(c, now=25.0)  # overdue when cancelled
    assert book.counts == {"set": 5, "on_time": 1, "late": 1, "cancelled_before_due": 0, "cancelled_overdue": 1}
    assert book.open_tasks(now=31.0) == (0, 2)
    assert take(book, 40.0) == [a, b]


@pytest.fixture(scope="module")
def baseline_run():
    return run_replication(load_scenario("baseline"), seed=3, replication=0, months=12)


def test_tasks_are_conserved_in_the_baseline(baseline_run):
    for balance in baseline_run.balance:
        for book in BOOKS:
            ended = sum(balance[f"{book}_{ending}"] for ending in
                        ("on_time", "late", "cancelled_before_due", "cancelled_overdue", "open_not_due", "open_overdue"))
            assert balance[f"{book}_set"] == ended, (book, balance["month"])
            assert balance[f"{book}_on_time"] > 0


def test_the_baseline_reports_every_oversight_kpi_in_range(baseline_run):
    for kpi in OVERSIGHT_KPIS:
        values = kpi_series(baseline_run, kpi)
        assert values, kpi
        low, high = KPI_BY_ID[kpi].bounds
        assert all(low <= v <= high for v in values.values()), kpi


# --- definitions on hand-made snapshots ---------------------------------------------------------


def snapshot(oversight: OversightSnapshot | None) -> ServiceSnapshot:
    return ServiceSnapshot(case_holders=[], establishment_fte=0.0, establishment_case_holding_fte=0.0,
                           unallocated_waits=[], open_children={}, children_in_stage={},
                           children_many_social_workers_12m={},
                           oversight=oversight)


def test_oversight_kpis_on_a_hand_made_snapshot():
    s = snapshot(OversightSnapshot(visits={"cin": (10, 9), "cp": (4, 2), "cic": (6, 6)}, supervised=(40, 30),
                                   meetings={"icpc": (5, 4), "cp_review": (0, 0), "cic_review": (8, 6)},
                                   iro_children=10, iro_fte=0.2))
    value = {kpi: KPI_BY_ID[kpi].compute(s) for kpi in OVERSIGHT_KPIS}
    assert value["pct_supervised_42d"] == 75.0
    assert value["pct_visits_up_to_date"] == 85.0  # 17 of 20
    assert (value["pct_visits_up_to_date_cin"], value["pct_visits_up_to_date_cp"],
            value["pct_visits_up_to_date_cic"]) == (90.0, 50.0, 100.0)
    assert value["pct_icpc_within_15wd"] == 80.0
    assert value["pct_cp_reviews_in_time"] is None  # none held in the month: no figure rather than 0 or 100
    assert value["pct_cic_reviews_in_time"] == 75.0
    assert value["iro_caseload"] == 50.0
    assert all(KPI_BY_ID[kpi].compute(snapshot(None)) is None for kpi in OVERSIGHT_KPIS)


# --- the off switch -----------------------------------------------------------------------------


def test_without_the_oversight_section_nothing_else_changes(baseline_run):
    """The layer measures; it changes nothing that happens to families or staff."""
    off = run_replication(scenario_with(replace={"oversight": None}), seed=3, replication=0, months=12)
    on = {(m, k): v for m, _, k, v in baseline_run.kpis}
    off_values = {(m, k): v for m, _, k, v in off.kpis}
    assert not any(k in OVERSIGHT_KPIS for _, k in off_values)
    iro_cost = {(m, k) for (m, k), v in on.items() if k == "cost_iro_service_gbp" and v > 0}
    assert iro_cost and all(off_values[key] == 0.0 for key in iro_cost)
    for key, value in off_values.items():
        if not key[1].startswith("cost_") or key[1] in ("cost_permanent_gbp", "cost_agency_gbp"):
            assert on[key] == value, key


# --- monotone responses under common random numbers ----------------------------------------------


def means(scenario: Scenario, kpis: tuple[str, ...], reps: int = 3, months: int = 12) -> dict[str, float]:
    values = {kpi: [] for kpi in kpis}
    for r in range(reps):
        result = run_replication(scenario, seed=11, replication=r, months=months)
        for month, _, kpi, value in result.kpis:
            if kpi in values and month >= 3:
                values[kpi].append(value)
    return {kpi: statistics.mean(v) for kpi, v in values.items()}


@functools.lru_cache(maxsize=1)
def baseline_means() -> dict[str, float]:
    """The baseline's, once for the tests below (each compares one change with it on the same futures)."""
    return means(load_scenario("baseline"), ("pct_supervised_42d", "pct_icpc_within_15wd", "pct_cp_reviews_in_time",
                                             "pct_cic_reviews_in_time", "iro_caseload", "pct_visits_up_to_date",
                                             "average_caseload"))


def test_fewer_managers_supervise_fewer_cases():
    base = baseline_means()
    fewer = means(scenario_with({"workforce": {"team_managers": {"in_post_fte": 15}}}), ("pct_supervised_42d",))
    assert fewer["pct_supervised_42d"] < base["pct_supervised_42d"] - 5


def test_more_iros_hold_more_meetings_in_time():
    kpis = ("pct_icpc_within_15wd", "pct_cp_reviews_in_time", "pct_cic_reviews_in_time", "iro_caseload")
    base = baseline_means()
    more = means(scenario_with({"oversight": {"iro_service": {"in_post_fte": 20, "minute_takers_fte": 8}}}), kpis)
    assert more["iro_caseload"] < base["iro_caseload"]
    for kpi in kpis[:3]:
        assert more[kpi] > base[kpi], kpi


def test_higher_caseloads_mean_fewer_visits_up_to_date():
    kpis = ("pct_visits_up_to_date", "average_caseload")
    base = baseline_means()
    busier = means(scenario_with({"referrals": {"new_children_per_year": 3300}}), kpis)
    assert busier["average_caseload"] > base["average_caseload"]
    assert busier["pct_visits_up_to_date"] < base["pct_visits_up_to_date"] - 2


def test_time_freed_by_support_staff_for_the_children_held_goes_to_visits():
    """Support officers whose freed time all goes to the children held: more visits on time, caps unchanged."""
    support = {"fte": 20, "social_workers_supported_per_fte": 4, "time_freed_share": 0.2,
               "freed_time_to_caseload_share": 0.0}
    kpis = ("pct_visits_up_to_date", "average_caseload")
    base = baseline_means()
    supported = means(scenario_with({"workforce": {"support": {"social_work_support_officers": support}}}), kpis)
    assert supported["pct_visits_up_to_date"] > base["pct_visits_up_to_date"] + 1


# --- scenario files ------------------------------------------------------------------------------


def test_action_9a_adds_iros_from_july_2020():
    result = run_replication(load_scenario("scenarios/action-9a-iro-capacity.yaml"), seed=3, replication=0, months=6)
    base = run_replication(load_scenario("baseline"), seed=3, replication=0, months=6)
    after, before = kpi_series(result, "iro_caseload"), kpi_series(base, "iro_caseload")
    assert after[3] == before[3]  # June 2020: not yet
    assert after[5] < before[5]  # August 2020: two more IROs
    cost, base_cost = kpi_series(result, "cost_iro_service_gbp"), kpi_series(base, "cost_iro_service_gbp")
    assert cost[5] > base_cost[5]


def test_a_misspelt_oversight_field_names_it(tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text("extends: baseline\noversight:\n  supervision:\n    every_day: 42\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert "typo.yaml" in str(error.value) and "oversight.supervision.every_day" in str(error.value)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["set", "cancel", "take", "first", "put_off", "redo"]),
                          st.floats(0, 60, allow_nan=False), st.integers(0, 5)), max_size=80))
def test_the_task_book_gives_tasks_in_the_order_of_one_heap_of_them_all(operations):
    """The calendar queue of due days gives exactly what one heap ordered by (due, order set) would, tasks
    done and set again (``redo``) counting as set then, in the order done."""
    book, reference, order, on_time = TaskBook(), [], 0, 0
    for operation, when, count in operations:
        if operation == "set":
            order += 1
            reference.append((when, order, book.set(None, "visit", when, 0.0)))
        elif operation == "cancel" and reference:
            task = reference[count % len(reference)][2]
            book.cancel(task, when)
            reference = [entry for entry in reference if entry[2] is not task]
        elif operation == "take":
            expected = [task for due, _, task in sorted(reference, key=lambda e: e[:2]) if due < when][:count or None]
            assert take(book, when, count or math.inf) == expected
            reference = [entry for entry in reference if entry[2] not in expected]
        elif operation == "first":
            first = min(reference, key=lambda e: e[:2])[2] if reference else None
            assert book.first_due() is first
        elif operation == "put_off" and reference:
            first = min(reference, key=lambda e: e[:2])[2]
            assert book.first_due() is first
            book.put_off(first, when)
            reference = [entry for entry in reference if entry[2] is not first]
        elif operation == "redo":
            due = sorted((entry for entry in reference if entry[0] < when), key=lambda e: e[:2])[:count or None]
            assert take(book, when, count or math.inf) == [task for _, _, task in due]
            done = [(task, when, math.floor(when) + 1.0) for _, _, task in due]  # due together: order decides
            on_time += sum(1 for was, _, _ in due if int(when) <= int(was))
            for task, day, again in done:
                book.redo(task, day, again)
            reference = [entry for entry in reference if entry not in due]
            for task, _, again in done:
                order += 1
                reference.append((again, order, task))
    assert sum(book.open_tasks(30.0)) == len(reference) + sum(1 for _, _, t in book._aside if not t.ended)
    assert book.counts["on_time"] == on_time


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["set", "cancel", "round"]), st.floats(0, 60, allow_nan=False),
                          st.integers(0, 6)), max_size=80), st.booleans())
# a task set after a round, due before one left waiting at it; a round part of the way through a day
@example([("set", 5.0, 0), ("set", 8.0, 0), ("round", 10.0, 1), ("set", 6.0, 0), ("round", 10.0, 2),
          ("set", 10.5, 0), ("set", 10.2, 0), ("round", 10.6, 1), ("round", 12.0, 3)], False)
@example([("set", 5.0, 0), ("set", 8.0, 0), ("round", 10.0, 1), ("set", 6.0, 0), ("cancel", 9.0, 1),
          ("round", 10.0, 2), ("set", 10.5, 0), ("set", 10.2, 0), ("round", 10.6, 1), ("round", 12.0, 3)], True)
def test_the_due_table_makes_the_rounds_the_task_book_makes(operations, whole):
    """The due table (supervision's and the visits') takes the same tasks, in the same order, and counts the
    same endings, as a task book doing the same rounds (the most overdue first, ties in the order set), rounds
    coming in time order and tasks set at any time, due before or after the last round; nothing is lost. A table's
    rounds either each read every task due and hand back those left (``whole``: the visits'), or read the first
    few (supervision's, odd counts) or every task due (even counts). Between rounds, the tasks overdue and the
    children with a task up to date, kept as tasks come and go, are those a look at every task finds."""
    from types import SimpleNamespace

    from capacity_model.engine.oversight.due_table import DueTable

    table, book, pairs, clock = DueTable(), TaskBook(), [], 0.0  # pairs: (family, slot, task)
    for operation, when, count in operations:
        if operation == "set":
            family = SimpleNamespace(size=1 + count % 3)
            pairs.append((family, table.set(family, when), book.set(family, "case", when, 0.0)))
        elif operation == "cancel" and pairs:
            family, slot, task = pairs.pop(count % len(pairs))
            table.cancel(slot, when)
            book.cancel(task, when)
        elif operation == "round":
            clock = max(clock, when)  # the day's rounds come in time order
            if whole:  # the places cancelled since the last round have no family, and are dropped
                live = [place for place in table.whole_round(clock) if place.family is not None]
                places = live[:count]
                table.left_waiting(live[count:])
            else:
                places = table.first_due(clock, count) if count % 2 else table.due_before(clock)[:count]
            tasks = take(book, clock, count) if count else []
            slot_of = {id(task): slot for _, slot, task in pairs}
            assert [slot_of[id(task)] for task in tasks] == [place.slot for place in places]
            for task, place in zip(tasks, places):
                day = max(task.due, clock - 1)
                book.redo(task, day, day + 42.0)
                table.set_again(place, table.done(place, clock - 1) + 42.0)
        assert table.counts == book.counts
        for cutoff in (clock - 0.5, clock, clock + 0.7, 30.0):  # what is overdue, found without reading every task
            every = [(family, table.place(slot)) for family, slot, _ in pairs]
            late = [(family, place) for family, place in every if place.due < cutoff]
            assert sorted(place.slot for place in table.overdue(cutoff)) == sorted(place.slot for _, place in late)
            assert table.open_tasks(cutoff) == (len(every) - len(late), len(late))
            assert table.children(cutoff) == (sum(family.size for family, _ in every),
                                              sum(family.size for family, place in every if place.due >= cutoff))
    assert sum(table.open_tasks(30.0)) == len(pairs)
