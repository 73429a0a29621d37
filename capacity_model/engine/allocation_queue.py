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

import heapq
import itertools
from dataclasses import dataclass, field
from typing import Any

from .workforce.worker import Worker

PRIORITY = {"cp": 0, "cic": 1, "assessment": 2, "cin": 3}
"""Rank in the allocation queue by stage (lower is allocated first)."""


@dataclass(order=True, slots=True)
class QueueEntry:
    rank: int
    queued_day: float
    seq: int
    family: Any = field(compare=False)
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
    """

    def __init__(self, team: str, workers: list[Worker]):
        self.team = team
        self.workers = workers
        self._ranks: list[list[QueueEntry]] = [[] for _ in PRIORITY]
        self._cancelled = [0 for _ in PRIORITY]  # entries cancelled but still in each heap
        self._seq = itertools.count()
        self._live = 0

    def __len__(self) -> int:
        return self._live

    def entries(self) -> list[QueueEntry]:
        return [entry for heap in self._ranks for entry in heap if not entry.cancelled]

    def forget(self, entry: QueueEntry) -> None:
        """A cancelled entry no longer counts; its heap is rebuilt once cancelled entries fill half of it."""
        self._live -= 1
        self._cancelled[entry.rank] += 1
        heap = self._ranks[entry.rank]
        if self._cancelled[entry.rank] > 64 and 2 * self._cancelled[entry.rank] > len(heap):
            heap[:] = [e for e in heap if not e.cancelled]
            heapq.heapify(heap)
            self._cancelled[entry.rank] = 0

    def push(self, family: Any, stage: str, now: float) -> QueueEntry:
        entry = QueueEntry(PRIORITY[stage], now, next(self._seq), family, self)
        heapq.heappush(self._ranks[entry.rank], entry)
        self._live += 1
        return entry

    def best_worker(self, size: int, above_cap_limit: int | None) -> Worker | None:
        """The available worker with most spare capacity who can take ``size`` children.

        With ``above_cap_limit`` set, the cap is ignored up to that caseload. Ties go
        to the worker who has been in the team longest (lowest id), so the rule is
        deterministic.
        """
        available = [w for w in self.workers if w.can_hold_cases]
        if not available:
            return None
        best = _most_spare(available)
        if best.spare >= size:
            return best
        return _above_cap(available, size, above_cap_limit) if above_cap_limit is not None else None

    def allocate(self, waited_before: float | None, above_cap_limit: int) -> list[tuple[QueueEntry, Worker]]:
        """Allocate whoever can be allocated now, in priority order.

        A family that joined the queue before ``waited_before`` has waited long enough to
        go above cap (None: a hard cap, never). A family too large for anyone's spare
        capacity is passed over so smaller ones behind it are not blocked. Returns the
        allocations made; the workers' caseloads are already updated. (The same rule as
        ``best_worker``, keeping the best worker between allocations: this is the model's
        hot loop.)
        """
        if not self._live:
            return []
        available = [w for w in self.workers if w.can_hold_cases]
        if not available:
            return []
        made: list[tuple[QueueEntry, Worker]] = []
        best = _most_spare(available)
        min_children: int | None = None
        for heap in self._ranks:
            passed_over: list[QueueEntry] = []
            while heap:
                entry = heapq.heappop(heap)
                if entry.cancelled:
                    self._cancelled[entry.rank] -= 1
                    continue
                size = entry.family.size
                max_spare = best.cap - best.children
                forced = False
                if waited_before is not None and entry.queued_day < waited_before:
                    if min_children is None:
                        min_children = min(w.children for w in available)
                    forced = min_children + size <= above_cap_limit
                if max_spare < size and not forced:
                    passed_over.append(entry)
                    if max_spare < 1 and (waited_before is None or entry.queued_day >= waited_before):
                        break  # nobody has room, and nobody behind in this rank has waited longer
                    continue
                worker = best if max_spare >= size else _above_cap(available, size, above_cap_limit)
                if worker is None:
                    passed_over.append(entry)
                    continue
                worker.take(entry.family)
                self._live -= 1
                made.append((entry, worker))
                best = _most_spare(available)
                min_children = None
            for entry in passed_over:
                heapq.heappush(heap, entry)
            if waited_before is None and best.cap - best.children < 1:
                break  # a hard cap and nobody has room: no later rank can be allocated either
        return made


def _most_spare(workers: list[Worker]) -> Worker:
    """The worker with most spare capacity; the first in the team's order on a tie."""
    best = workers[0]
    best_spare = best.cap - best.children
    for worker in workers:
        spare = worker.cap - worker.children
        if spare > best_spare:
            best, best_spare = worker, spare
    return best


def _above_cap(workers: list[Worker], size: int, limit: int) -> Worker | None:
    """Above the cap: most spare capacity among those who stay within ``limit`` and their own
    ceiling (a newly qualified worker's protected caseload), lowest id on a tie."""
    eligible = [w for w in workers if w.children + size <= min(limit, w.ceiling)]
    return max(eligible, key=lambda w: (w.cap - w.children, -w.id)) if eligible else None
