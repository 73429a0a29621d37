"""Executors: where tasks run. Each yields results in the order of its tasks, whatever finishes first.

Results depend only on the task, so every executor, with any number of workers, gives
identical tables.
"""

from __future__ import annotations

import multiprocessing
import signal
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
    """Tasks shared among ``workers`` processes on this machine.

    The workers ignore Ctrl-C: the main process hears it and stops them at once (any
    other failure too), so an interrupted run ends within moments, leaving nothing
    running.
    """

    def __init__(self, workers: int):
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers

    def map(self, tasks: list[Task]) -> Iterator[ReplicationResult]:
        pool = multiprocessing.Pool(max(1, min(self.workers, len(tasks))), initializer=_ignore_interrupts)
        try:
            yield from pool.imap(run_task, tasks, chunksize=1)
        except BaseException:
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not stop the stopping
            try:
                pool.terminate()
                pool.join()
            finally:
                signal.signal(signal.SIGINT, previous)
            raise
        pool.close()
        pool.join()


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def local(jobs: int) -> Executor:
    """This process for one job, a pool of processes for more."""
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    return Serial() if jobs == 1 else Processes(jobs)
