"""The allocation rule on hand-made teams."""

from dataclasses import dataclass

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
    assert [e.rank for e in sorted(q.entries())] == [2, 3]


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
