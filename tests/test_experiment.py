"""The unit of work and the executors: a task's key names its result; every executor gives the same tables."""

import pytest
from conftest import small_service

from capacity_model.experiment import Processes, Serial, Task, in_order
from capacity_model.studies.one_at_a_time import one_at_a_time


def test_a_tasks_key_follows_its_content():
    scenario = small_service()
    task = Task(scenario, seed=1, replication=2, months=3)
    assert task.key == Task(small_service(), seed=1, replication=2, months=3).key  # an equal scenario, built again
    others = [Task(scenario, 2, 2, 3), Task(scenario, 1, 3, 3), Task(scenario, 1, 2, 4),
              Task(small_service(referrals={"new_children_per_year": 121}), 1, 2, 3)]
    assert len({task.key, *(t.key for t in others)}) == 5


def test_serial_and_process_executors_give_the_same_results_in_task_order():
    tasks = [Task(small_service(), seed=3, replication=r, months=2) for r in range(3)]
    serial = list(in_order(Serial(), tasks))
    pooled = list(in_order(Processes(2), tasks))
    assert [r.replication for r in pooled] == [0, 1, 2]
    assert [r.kpis for r in serial] == [r.kpis for r in pooled]
    assert [r.balance for r in serial] == [r.balance for r in pooled]


def test_one_at_a_time_pairs_each_variant_with_the_base():
    base = small_service(referrals={"new_children_per_year": 300}, rereferral={"probability": 0.0})
    table = one_at_a_time(base, ["referrals.new_children_per_year"], ["referrals_in_month", "unallocated"],
                          replications=4, months=6, factors=(0.5, 1.5), seed=2)
    assert list(table["factor"]) == [0.5, 0.5, 1.5, 1.5] and (table["pairs"] == 4).all()
    referrals = table[table["kpi"] == "referrals_in_month"].set_index("factor")
    # referrals (no re-referrals here) 300 a year scaled by 0.5 and 1.5: 12.5 a month fewer and more
    assert referrals.loc[0.5, "difference_mean"] == pytest.approx(-12.5, abs=4)
    assert referrals.loc[1.5, "difference_mean"] == pytest.approx(12.5, abs=4)
    assert referrals.loc[1.5, "difference_ci_low"] > 0 > referrals.loc[0.5, "difference_ci_high"]
    with pytest.raises(ValueError, match="cannot scale"):
        one_at_a_time(base, ["allocation.policy"], ["unallocated"], replications=2, months=1)
