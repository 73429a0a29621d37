"""The allocation queue of one team and the rule that gives children a social worker.

Children wait in priority order: Child Protection first, then Children in Care, then
assessments, then Child in Need, and within each by how long they have waited. Each
family goes to the available worker in the team with the most spare capacity under
their cap. Under the ``above_cap_after_wait`` policy a family that has waited long
enough goes to the worker with the most spare capacity even above the cap, up to an
absolute maximum, but never beyond a newly qualified worker's protected caseload;
under ``hard_cap`` it keeps waiting.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from .family import Family
from .workforce.worker import Worker

PRIORITY = {"cp": 0, "cic": 1, "assessment": 2, "cin": 3}
"""Rank in the allocation queue by stage (lower is allocated first)."""


@dataclass(order=True, slots=True)
class QueueEntry:
    rank: int
    queued_day: float
    seq: int
    family: Family = field(compare=False)
    queue: "AllocationQueue | None" = field(default=None, compare=False, repr=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        """Take the entry out of its queue (lazily: it is skipped when reached)."""
        if not self.cancelled:
            self.cancelled = True
            if self.queue is not None:
                self.queue.forget(self)


class AllocationQueue:
    """Children waiting for a social worker in one team, with that team's workers.

    Waiting families are kept in one heap per priority rank, each in order of the time
    they joined the queue, so an allocation pass can leave the rest of a rank untouched
    once nobody has room and its families have not waited long enough to go above cap.
    ``workers`` is the team's list in post (the register's, in the order they joined); the
    workers among them who can take new children are kept until ``roster_changed`` says the
    list or someone's absence or notice has changed.
    """

    def __init__(self, team: str, workers: list[Worker]):
        self.team = team
        self.workers = workers
        self._at_work: list[Worker] | None = None
        self._ranks: list[list[tuple[float, int, QueueEntry]]] = [[] for _ in PRIORITY]  # (queued_day, seq, entry)
        self._cancelled = [0 for _ in PRIORITY]  # entries cancelled but still in each heap
        self._seq = itertools.count()
        self._live = 0

    def __len__(self) -> int:
        return self._live

    def at_work(self) -> list[Worker]:
        """The team's workers who can take new children, in the team's order (not to be changed)."""
        if self._at_work is None:
            self._at_work = [w for w in self.workers if w.can_hold_cases]
        return self._at_work

    def roster_changed(self) -> None:
        """Someone has joined or left the team, or gone absent, come back or handed in their notice."""
        self._at_work = None

    def entries(self) -> list[QueueEntry]:
        return [entry for heap in self._ranks for _, _, entry in heap if not entry.cancelled]

    def forget(self, entry: QueueEntry) -> None:
        """A cancelled entry no longer counts; its heap is rebuilt once cancelled entries fill half of it."""
        self._live -= 1
        self._cancelled[entry.rank] += 1
        heap = self._ranks[entry.rank]
        if self._cancelled[entry.rank] > 64 and 2 * self._cancelled[entry.rank] > len(heap):
            heap[:] = [item for item in heap if not item[2].cancelled]
            heapq.heapify(heap)
            self._cancelled[entry.rank] = 0

    def push(self, family: Family, stage: str, now: float) -> QueueEntry:
        entry = QueueEntry(PRIORITY[stage], now, next(self._seq), family, self)
        heapq.heappush(self._ranks[entry.rank], (now, entry.seq, entry))
        self._live += 1
        return entry

    def allocate(self, waited_before: float | None, above_cap_limit: int) -> list[tuple[QueueEntry, Worker]]:
        """Allocate whoever can be allocated now, in priority order.

        A family that joined the queue before ``waited_before`` has waited long enough to
        go above cap (None: a hard cap, never). A family too large for anyone's spare
        capacity is passed over so smaller ones behind it are not blocked. Returns the
        allocations made; the workers' caseloads are already updated. Within the cap a family
        goes to the worker with most spare capacity (first in the team's order on a tie),
        above it to the one with most spare capacity who stays within the limits (lowest
        id on a tie). This is the model's hot loop: both orders are kept sorted as
        caseloads change rather than searched for each family.
        """
        if not self._live:
            return []
        available = self.at_work()
        if not available:
            return []
        made: list[tuple[QueueEntry, Worker]] = []
        # Most spare first, the team's order on a tie; sorted once a second family is to be placed (one scan
        # is cheaper for the first, and continuous allocation rarely places more than one).
        order: SpareOrder | None = None
        best: Worker | None = _most_spare(available)
        may_force = waited_before is not None
        above: SpareOrder | None = None  # for allocation above cap: lowest id on a tie, sorted when first needed
        for rank, heap in enumerate(self._ranks):
            passed_over: list[tuple[float, int, QueueEntry]] = []
            while heap:
                item = heapq.heappop(heap)
                entry = item[2]
                if entry.cancelled:
                    self._cancelled[rank] -= 1
                    continue
                size = entry.family.size
                if best is None:  # a second family to place: sort the team now
                    order = SpareOrder(available, ties=range(len(available)))
                    best = order.best()
                max_spare = best.cap - best.children
                worker: Worker | None
                if max_spare >= size:
                    worker = best
                else:
                    waited = waited_before is not None and entry.queued_day < waited_before
                    worker = None
                    if waited:
                        if above is None:
                            above = SpareOrder(available, ties=[w.id for w in available])
                        worker = above.first_within(size, above_cap_limit)
                    if worker is None:
                        passed_over.append(item)
                        if max_spare < 1 and (above is None or not waited
                                              or above.first_within(1, above_cap_limit) is None):
                            break  # no room, nor above cap, for anyone behind in this rank
                        continue
                before = worker.children
                worker.take(entry.family)
                if order is not None:
                    order.moved(worker, before)
                if above is not None:
                    above.moved(worker, before)
                self._live -= 1
                made.append((entry, worker))
                best = order.best() if order is not None else None
            for item in passed_over:
                heapq.heappush(heap, item)
            if not may_force and not any(heap for heap in self._ranks[rank + 1:]):
                break  # nothing left to look at
            if not may_force:
                room = best if best is not None else _most_spare(available)
                if room.cap - room.children < 1:
                    break  # a hard cap and nobody has room: no later rank can be allocated either
        return made


class SpareOrder:
    """Workers in order of most spare capacity first, ties in the order of ``ties`` (one number each),
    kept in order as their caseloads change during one pass (their caps must not change meanwhile)."""

    def __init__(self, workers: list[Worker], ties: Sequence[int]) -> None:
        self._tie = {id(w): t for w, t in zip(workers, ties)}
        self._keys = sorted((w.children - w.cap, t, w) for w, t in zip(workers, ties))

    def best(self) -> Worker:
        return self._keys[0][2]

    def first_within(self, size: int, limit: int) -> Worker | None:
        """The first worker in the order who could take ``size`` more children within ``limit`` and their
        own ceiling (a newly qualified worker's protected caseload)."""
        for _, _, worker in self._keys:
            if worker.children + size <= (limit if limit < worker.ceiling else worker.ceiling):
                return worker
        return None

    def __iter__(self) -> Iterator[Worker]:
        return (key[2] for key in self._keys)

    def moved(self, worker: Worker, children_before: int) -> None:
        """``worker`` held ``children_before`` children a moment ago: put them where they now belong."""
        tie = self._tie[id(worker)]
        del self._keys[bisect.bisect_left(self._keys, (children_before - worker.cap, tie))]
        bisect.insort(self._keys, (worker.children - worker.cap, tie, worker))


def _most_spare(workers: list[Worker]) -> Worker:
    """The worker with most spare capacity; the first in the team's order on a tie."""
    best = workers[0]
    best_spare = best.cap - best.children
    for worker in workers:
        spare = worker.cap - worker.children
        if spare > best_spare:
            best, best_spare = worker, spare
    return best
