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
        self._ranks: list[list[tuple[float, int, QueueEntry]]] = [[] for _ in PRIORITY]  # (queued_day, seq, entry)
        self._cancelled = [0 for _ in PRIORITY]  # entries cancelled but still in each heap
        self._seq = itertools.count()
        self._live = 0

    def __len__(self) -> int:
        return self._live

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

    def push(self, family: Any, stage: str, now: float) -> QueueEntry:
        entry = QueueEntry(PRIORITY[stage], now, next(self._seq), family, self)
        heapq.heappush(self._ranks[entry.rank], (now, entry.seq, entry))
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
        may_force = waited_before is not None
        room_above = None  # the most anyone could take above cap: worked out when first needed
        for rank, heap in enumerate(self._ranks):
            passed_over: list[tuple[float, int, QueueEntry]] = []
            while heap:
                item = heapq.heappop(heap)
                entry = item[2]
                if entry.cancelled:
                    self._cancelled[rank] -= 1
                    continue
                size = entry.family.size
                max_spare = best.cap - best.children
                if max_spare >= size:
                    worker = best
                else:
                    waited = may_force and entry.queued_day < waited_before
                    if waited and room_above is None:
                        room_above = _room_above(available, above_cap_limit)
                    if not waited or room_above < size:
                        passed_over.append(item)
                        if max_spare < 1 and (not waited or room_above < 1):
                            break  # no room, nor above cap, for anyone behind in this rank
                        continue
                    worker = _above_cap(available, size, above_cap_limit)
                worker.take(entry.family)
                self._live -= 1
                made.append((entry, worker))
                best = _most_spare(available)
                room_above = None
            for item in passed_over:
                heapq.heappush(heap, item)
            if best.cap - best.children < 1 and not may_force:
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


def _room_above(workers: list[Worker], limit: int) -> int:
    """The most children any of ``workers`` could still take above cap (within ``limit`` and their ceiling)."""
    return max(min(limit, w.ceiling) - w.children for w in workers)


def _above_cap(workers: list[Worker], size: int, limit: int) -> Worker | None:
    """Above the cap: most spare capacity among those who stay within ``limit`` and their own
    ceiling (a newly qualified worker's protected caseload), lowest id on a tie."""
    eligible = [w for w in workers if w.children + size <= min(limit, w.ceiling)]
    return max(eligible, key=lambda w: (w.cap - w.children, -w.id)) if eligible else None
