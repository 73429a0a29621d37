"""Executors: where tasks run. Each yields results in the order of its tasks, whatever finishes first.

Results depend only on the task, so every executor, with any number of workers, gives
identical tables.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from typing import Iterable, Iterator, Protocol

from .task import ReplicationResult, Task, run_task


class Executor(Protocol):
    def map(self, tasks: list[Task]) -> Iterator[ReplicationResult]: ...


class Serial:
    """Every task here, in this process, one after another."""

    def map(self, tasks: Iterable[Task]) -> Iterator[ReplicationResult]:
        for task in tasks:
            yield run_task(task)


class Processes:
    """Tasks shared among ``workers`` processes on this machine."""

    def __init__(self, workers: int):
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers

    def map(self, tasks: list[Task]) -> Iterator[ReplicationResult]:
        with ProcessPoolExecutor(max_workers=max(1, min(self.workers, len(tasks)))) as pool:
            futures = [pool.submit(run_task, task) for task in tasks]
            for future in futures:
                yield future.result()


def local(jobs: int) -> Executor:
    """This process for one job, a pool of processes for more."""
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    return Serial() if jobs == 1 else Processes(jobs)
