"""Executors: where tasks run. This process, a pool of processes, or a Dask cluster.

Each executor hands back every task's outcome, its result or the error it raised, as it
finishes (``as_completed``); ``in_order`` puts them back in the tasks' order. Results
depend only on the task, so every executor, with any number of workers, gives
identical tables.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
import traceback
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Protocol, Sequence

from ..errors import UserError
from .task import ReplicationResult, Task


@dataclass(frozen=True)
class TaskFailure:
    """A task that raised: what it raised, in one line, and the traceback where it was raised."""

    error: str
    detail: str = ""


Outcome = ReplicationResult | TaskFailure


class TaskFailed(RuntimeError):
    """A replication raised an error (raised by ``in_order``, which cannot go on without it)."""


def attempt(task: Task) -> Outcome:
    """Run a task; an error it raises becomes a ``TaskFailure`` that travels back like a result."""
    try:
        return task.run()
    except Exception as error:  # noqa: BLE001 - every error of one task is reported, never hides the others
        return TaskFailure(f"{type(error).__name__}: {error}", traceback.format_exc())


def _attempt_numbered(numbered: tuple[int, Task]) -> tuple[int, Outcome]:
    number, task = numbered
    return number, attempt(task)


class Executor(Protocol):
    def as_completed(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Outcome]]:
        """(position in ``tasks``, outcome) for every task, as each finishes."""
        ...


def in_order(executor: Executor, tasks: Sequence[Task]) -> Iterator[ReplicationResult]:
    """Every task's result in the order of ``tasks``; ``TaskFailed`` as soon as one raises."""
    waiting: dict[int, ReplicationResult] = {}
    following = 0
    for number, outcome in executor.as_completed(tasks):
        if isinstance(outcome, TaskFailure):
            task = tasks[number]
            raise TaskFailed(f"replication {task.replication} of scenario '{task.scenario.name}' failed: "
                             f"{outcome.error}\n{outcome.detail}")
        waiting[number] = outcome
        while following in waiting:
            yield waiting.pop(following)
            following += 1


class Serial:
    """Every task here, in this process, one after another."""

    def as_completed(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Outcome]]:
        for number, task in enumerate(tasks):
            yield number, attempt(task)


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

    def as_completed(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Outcome]]:
        pool = multiprocessing.Pool(max(1, min(self.workers, len(tasks))), initializer=_ignore_interrupts)
        try:
            yield from pool.imap_unordered(_attempt_numbered, enumerate(tasks), chunksize=1)
        except BaseException:
            with _interrupts_ignored():  # a second Ctrl-C must not stop the stopping
                pool.terminate()
                pool.join()
            raise
        pool.close()
        pool.join()


class KeptPool:
    """Tasks shared among ``workers`` processes that stay up between calls, for a program that runs
    many small experiments while a person waits (the web page): the processes start once, from a
    fork server that has already imported the model, so a call pays no start-up. Safe to use from
    several threads at once; ``close`` stops the processes."""

    def __init__(self, workers: int):
        if workers < 1:
            raise ValueError("workers must be at least 1")
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["capacity_model.experiment.task"])
        self.workers = workers
        self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_ignore_interrupts)

    def as_completed(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Outcome]]:
        from concurrent.futures import as_completed

        futures = {self._pool.submit(attempt, task): number for number, task in enumerate(tasks)}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:  # abandoned part-way (an error, a closed page): what has not started does not run
            for future in futures:
                future.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Ctrl-C ignored meanwhile, and by processes started meanwhile (only the main thread hears signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _quiet_interrupted_wait(record) -> bool:
    """False for the one error Dask's client logs when Ctrl-C interrupts it waiting on its event loop before
    the awaited call has begun (``distributed.utils.sync``'s ``cancel`` finds nothing to cancel): harmless,
    and the command says what it kept; every other record passes."""
    return "sync.<locals>.cancel" not in record.getMessage()


class Dask:
    """Tasks on a Dask distributed cluster: the scheduler at ``address`` (``tcp://host:8786``,
    a cluster of many machines), or else a ``LocalCluster`` of ``workers`` single-threaded
    processes on this machine, started on first use and stopped by ``close``.

    A worker that is lost (its machine fails, its process is killed) costs only the tasks
    it held: the scheduler runs them again elsewhere. Use as a context manager, or call
    ``close``, so that an embedded cluster stops.
    """

    def __init__(self, workers: int | None = None, address: str | None = None):
        if (workers is None) == (address is None):
            raise ValueError("give the number of workers for a local cluster, or a scheduler's address")
        if workers is not None and workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers, self.address = workers, address
        self._client = self._cluster = None

    @property
    def client(self):
        if self._client is None:
            import logging

            from distributed import Client, LocalCluster

            if self.address is not None:
                try:
                    self._client = Client(self.address, timeout="10s")
                except OSError as error:
                    raise UserError(f"--scheduler {self.address}: no Dask scheduler answers there ({error})") from None
            else:
                # Its workers are started ignoring Ctrl-C, as a process pool's are: this process hears it and stops them.
                with _interrupts_ignored():
                    self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                                 dashboard_address=":0", silence_logs=logging.ERROR)
                self._client = Client(self._cluster)
            logging.getLogger("tornado.application").addFilter(_quiet_interrupted_wait)
        return self._client

    def as_completed(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Outcome]]:
        if not tasks:
            return
        from distributed import as_completed

        # A key per submission, task and position: equal tasks (the same content) still get a result each.
        token = uuid.uuid4().hex[:8]
        futures = self.client.map(attempt, list(tasks),
                                  key=[f"replication-{t.key}-{n}-{token}" for n, t in enumerate(tasks)])
        number = {future.key: n for n, future in enumerate(futures)}
        try:
            for future in as_completed(futures):
                if future.status == "error":  # the task killed its workers again and again (a crash, not an error)
                    error = future.exception()
                    outcome: Outcome = TaskFailure(f"{type(error).__name__}: {error}")
                elif future.status != "finished":  # cancelled or lost by the cluster
                    outcome = TaskFailure(f"the Dask cluster reported the task {future.status}")
                else:
                    outcome = future.result()
                future.release()
                yield number[future.key], outcome
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    def __enter__(self) -> "Dask":
        return self

    def __exit__(self, *exception) -> None:
        self.close()


def local(jobs: int) -> Executor:
    """This process for one job, a pool of processes for more."""
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    return Serial() if jobs == 1 else Processes(jobs)
