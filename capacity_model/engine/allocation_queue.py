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
from typing import Any, Callable

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
                self.queue._live -= 1


class AllocationQueue:
    """Children waiting for a social worker in one team, with that team's workers."""

    def __init__(self, team: str, workers: list[Worker]):
        self.team = team
        self.workers = workers
        self._heap: list[QueueEntry] = []
        self._seq = itertools.count()
        self._live = 0

    def __len__(self) -> int:
        return self._live

    def entries(self) -> list[QueueEntry]:
        return [entry for entry in self._heap if not entry.cancelled]

    def push(self, family: Any, stage: str, now: float) -> QueueEntry:
        entry = QueueEntry(PRIORITY[stage], now, next(self._seq), family, self)
        heapq.heappush(self._heap, entry)
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

    def allocate(
        self,
        waited_enough: Callable[[QueueEntry], bool] | None,
        above_cap_limit: int,
    ) -> list[tuple[QueueEntry, Worker]]:
        """Allocate whoever can be allocated now, in priority order.

        ``waited_enough(entry)`` says whether an entry may go above cap (None under a
        hard cap). A family too large for anyone's spare capacity is passed over so
        smaller ones behind it are not blocked. Returns the allocations made; the
        workers' caseloads are already updated. (The same rule as ``best_worker``,
        keeping the best worker between allocations: this is the model's hot loop.)
        """
        available = [w for w in self.workers if w.can_hold_cases]
        if not self._heap or not available:
            return []
        made: list[tuple[QueueEntry, Worker]] = []
        passed_over: list[QueueEntry] = []
        best = _most_spare(available)
        min_children: int | None = None
        while self._heap:
            entry = heapq.heappop(self._heap)
            if entry.cancelled:
                continue
            size = entry.family.size
            max_spare = best.cap - best.children
            forced = False
            if waited_enough is not None:
                if min_children is None:
                    min_children = min(w.children for w in available)
                forced = min_children + size <= above_cap_limit and waited_enough(entry)
            if max_spare < size and not forced:
                passed_over.append(entry)
                if waited_enough is None and max_spare < 1:
                    break  # nobody has room and nobody may go above cap: stop looking
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
            heapq.heappush(self._heap, entry)
        if len(self._heap) > 64 and len(self._heap) > 2 * len(self):
            self._heap = self.entries()
            heapq.heapify(self._heap)
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
