"""The allocation rule on hand-made teams."""

from dataclasses import dataclass

import pytest
from hypothesis import given, settings, strategies as st

from conftest import scenario_with

from capacity_model import run_replication
from capacity_model.engine.allocation_queue import AllocationQueue
from capacity_model.engine.workforce import Worker


@dataclass(eq=False)
class Family:
    size: int


def team(*caseloads: int, cap: int = 22) -> AllocationQueue:
    return AllocationQueue("t", [Worker(i, "t", "experienced", 1.0, cap, 0.0, children=c)
                                 for i, c in enumerate(caseloads)])


def test_goes_to_the_worker_with_most_spare_capacity():
    q = team(20, 15, 18)
    q.push(Family(1), "cin", 0.0)
    [(entry, worker)] = q.allocate(None, 30)
    assert worker.id == 1 and worker.children == 16


def test_ties_go_to_the_lowest_id():
    q = team(18, 18)
    q.push(Family(1), "cin", 0.0)
    [(_, worker)] = q.allocate(None, 30)
    assert worker.id == 0


def test_child_protection_first_then_care_then_assessment_then_cin():
    q = team(21)  # room for one child only
    q.push(Family(1), "cin", 0.0)
    q.push(Family(1), "assessment", 1.0)
    cp = Family(1)
    q.push(cp, "cp", 5.0)
    [(entry, _)] = q.allocate(None, 30)
    assert entry.family is cp
    assert [e.rank for e in q.entries()] == [2, 3]


def test_within_a_rank_the_longest_waiting_go_first_whenever_they_joined_and_those_passed_over_keep_their_place():
    """A family keeping an earlier clock (a change of stage while waiting, or waiting at the origin) joins in its
    place by the day it began to wait, after those that began that day before it; cancelled families are passed
    over; one too large for anyone's room keeps its place in front of those allocated behind it."""
    q = team(10, 10)  # room for 24 children
    late, early, same_day, earliest, big, cancelled = (Family(1), Family(1), Family(1), Family(1), Family(30),
                                                       Family(1))
    q.push(late, "cin", 9.0)
    q.push(early, "cin", 3.0)
    q.push(same_day, "cin", 3.0)
    q.push(cancelled, "cin", 2.0).cancel()
    q.push(earliest, "cin", 1.0)
    q.push(big, "cin", 0.5)
    assert [e.family for e in q.entries()] == [big, earliest, early, same_day, late]
    made = q.allocate(None, 30)
    assert [e.family for e, _ in made] == [earliest, early, same_day, late]
    assert [e.family for e in q.entries()] == [big] and len(q) == 1
    q.push(Family(1), "cin", 0.0)
    assert [e.family.size for e in q.entries()] == [1, 30]


def test_hard_cap_leaves_children_waiting():
    q = team(22, 22)
    q.push(Family(1), "cp", 0.0)
    assert q.allocate(None, 30) == []
    assert len(q) == 1


def test_above_cap_only_after_the_wait_and_only_up_to_the_maximum():
    q = team(22, 25)
    waited = Family(2)
    fresh = Family(1)
    q.push(waited, "cin", 0.0)
    q.push(fresh, "cin", 9.0)
    made = q.allocate(5.0, 30)  # joined before day 5: waited long enough
    assert [(e.family, w.id) for e, w in made] == [(waited, 0)]
    assert q.workers[0].children == 24
    assert len(q) == 1
    q2 = team(29, 29)
    q2.push(Family(2), "cin", 0.0)
    assert q2.allocate(float("inf"), 30) == []


def test_a_large_family_does_not_block_a_smaller_one_behind_it():
    q = team(20)
    big, small = Family(3), Family(1)
    q.push(big, "cp", 0.0)
    q.push(small, "cin", 1.0)
    made = q.allocate(None, 30)
    assert [e.family for e, _ in made] == [small]
    assert [e.family for e in q.entries()] == [big]


def test_workers_on_long_term_absence_take_no_children():
    q = team(0, 10)
    q.workers[0].long_term_absent = True
    q.push(Family(1), "cin", 0.0)
    [(_, worker)] = q.allocate(None, 30)
    assert worker.id == 1


def test_cancelled_entries_are_skipped():
    q = team(0)
    entry = q.push(Family(1), "cin", 0.0)
    entry.cancel()
    assert q.allocate(None, 30) == [] and len(q) == 0


def test_above_cap_never_breaches_a_newly_qualified_workers_protected_caseload():
    protected = Worker(0, "t", "newly_qualified", 1.0, 15, 0.0, children=14, ceiling=15)
    experienced = Worker(1, "t", "experienced", 1.0, 22, 0.0, children=29)
    q = AllocationQueue("t", [protected, experienced])
    pair = Family(2)
    q.push(pair, "cp", 0.0)
    assert q.allocate(float("inf"), 30) == []  # 14 + 2 > 15 and 29 + 2 > 30: nobody may take it
    single = Family(1)
    q.push(single, "cin", 1.0)
    [(entry, worker)] = q.allocate(float("inf"), 30)
    assert entry.family is single and worker is protected and protected.children == 15  # within the protection


@pytest.mark.parametrize("schedule", ["meetings", "continuous"])
def test_the_workers_kept_as_at_work_are_those_at_work_at_every_allocation(monkeypatch, schedule):
    """The queue keeps its team's workers who can take children until told the roster changed; in a
    year of heavy absence, notices, leaving, moves between teams and an interim team, every use of that
    list (allocation, placing the families open at the origin, monthly moves) finds it equal to a fresh
    look at the team."""
    checked, stale = [0], []
    original = AllocationQueue.at_work

    def checked_at_work(queue):
        kept = original(queue)
        checked[0] += 1
        if kept != [w for w in queue.workers if w.can_hold_cases]:
            stale.append((queue.team, queue.workers))
        return kept

    monkeypatch.setattr(AllocationQueue, "at_work", checked_at_work)
    scenario = scenario_with({"allocation": {"schedule": schedule}, "workforce": {
        "absence": {"spells_per_fte_year": 6.0},
        "leaving": {"permanent_per_year": 0.6, "internal_moves_per_year": 0.5},
        "agency": {"leaving_per_year": 1.0},
        "interim_team": {"team": "locality", "social_workers": 4,
                         "start_date": "2020-06-01", "end_date": "2020-12-01"}}})
    result = run_replication(scenario, 0, 0, 12)
    balance = result.balance[-1]
    assert balance["staff_left"] > 20 and balance["internal_moves"] > 5  # the roster did change, often
    assert checked[0] > 500 and stale == []


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=64, max_size=150), st.lists(st.integers(0, 149), max_size=60),
       st.integers(15, 30))
def test_the_worker_with_most_spare_is_the_one_a_look_through_the_team_finds(caseloads, takes, cap):
    """A large team's heap (64 workers or more) gives the worker a look through the team finds, the first in the
    team's order on a tie, as caseloads grow during a pass."""
    from capacity_model.engine.allocation_queue import MostSpare, most_spare

    workers = [Worker(i, "t", "experienced", 1.0, cap, 0.0, children=c) for i, c in enumerate(caseloads)]
    most = MostSpare(workers)
    assert most.best() is most_spare(workers)
    for i in takes:
        worker = most.best()
        worker.take(Family(1 + i % 3))  # the best takes a family, or (below) someone else does
        workers[i % len(workers)].take(Family(1))
        assert most.best() is most_spare(workers)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.booleans()), min_size=1, max_size=100),
       st.lists(st.tuples(st.integers(0, 99), st.integers(1, 3), st.integers(22, 35)), max_size=40))
def test_the_first_within_the_limits_is_the_one_a_look_through_the_team_finds(team, moves):
    """The kept order (most spare first, the lowest id on a tie) gives the worker a look through the team finds,
    newly qualified workers' protected caseloads respected, as families move between workers."""
    from capacity_model.engine.allocation_queue import SpareOrder, most_spare_within

    workers = [Worker(100 - i, "t", "newly_qualified" if nq else "experienced", 1.0, 18 if nq else 22, 0.0,
                      children=c, ceiling=18 if nq else 1 << 30) for i, (c, nq) in enumerate(team)]
    order = SpareOrder(workers)
    for index, size, limit in moves:
        mover = workers[index % len(workers)]
        found = order.first_within(size, limit, other_than=mover)
        assert found is most_spare_within(workers, size, limit, other_than=mover)
        if found is not None and mover.children >= size:  # a family of ``size`` moves from mover to found
            before_mover, before_found = mover.children, found.children
            mover.children -= size
            found.children += size
            order.moved(mover, before_mover)
            order.moved(found, before_found)
