"""The unit of work and the executors: a task's key names its result; every executor gives the same tables."""

from conftest import small_service

from capacity_model.experiment import Processes, Serial, Task, in_order


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


