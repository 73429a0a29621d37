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
from typing import Final

from .family import Family
from .workforce.worker import Worker

PRIORITY: Final = {"cp": 0, "cic": 1, "assessment": 2, "cin": 3}
"""Rank in the allocation queue by stage (lower is allocated first)."""


class QueueEntry:
    """A family's place in a team's queue: its rank by stage, when it joined, and the order it joined in."""

    __slots__ = ("rank", "queued_day", "seq", "family", "queue", "cancelled")

    def __init__(self, rank: int, queued_day: float, seq: int, family: Family,
                 queue: AllocationQueue | None = None) -> None:
        self.rank = rank
        self.queued_day = queued_day
        self.seq = seq
        self.family = family
        self.queue = queue
        self.cancelled = False

    def cancel(self) -> None:
        """Take the entry out of its queue (lazily: it is skipped when reached)."""
        if not self.cancelled:
            self.cancelled = True
            if self.queue is not None:
                self.queue.forget(self)


def queued_day(entry: QueueEntry) -> float:
    """When ``entry``'s family began to wait (the key a rank's list is in order of, with the order joined)."""
    return entry.queued_day


class AllocationQueue:
    """Children waiting for a social worker in one team, with that team's workers.

    Waiting families are kept in one list per priority rank, each in order of the time
    they joined the queue (then the order joined), so an allocation pass can leave the rest of a
    rank untouched once nobody has room and its families have not waited long enough to go above cap.
    A family joins at the back (it joins now: the latest), or, keeping an earlier clock (a change of
    stage while waiting, or waiting at the origin), in its place; the pass takes them from the front.
    ``workers`` is the team's list in post (the register's, in the order they joined); the
    workers among them who can take new children are kept until ``roster_changed`` says the
    list or someone's absence or notice has changed.
    """

    def __init__(self, team: str, workers: list[Worker]):
        self.team = team
        self.workers = workers
        self._at_work: list[Worker] | None = None
        self._ranks: list[list[QueueEntry]] = [[] for _ in PRIORITY]  # by (queued_day, seq)
        self._cancelled = [0 for _ in PRIORITY]  # entries cancelled but still in each rank's list
        self._joined = 0  # families that have joined the queue
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
        """The families waiting, in the order they would be allocated (rank, then time and order joined)."""
        return [entry for entries in self._ranks for entry in entries if not entry.cancelled]

    def forget(self, entry: QueueEntry) -> None:
        """A cancelled entry no longer counts; its rank's list is rebuilt once cancelled entries fill half of it."""
        self._live -= 1
        self._cancelled[entry.rank] += 1
        entries = self._ranks[entry.rank]
        if self._cancelled[entry.rank] > 64 and 2 * self._cancelled[entry.rank] > len(entries):
            entries[:] = [waiting for waiting in entries if not waiting.cancelled]
            self._cancelled[entry.rank] = 0

    def push(self, family: Family, stage: str, now: float) -> QueueEntry:
        self._joined += 1
        entry = QueueEntry(PRIORITY[stage], now, self._joined, family, self)
        entries = self._ranks[entry.rank]
        if not entries or entries[-1].queued_day <= now:  # the latest to join (seq is)
            entries.append(entry)
        else:  # an earlier clock: in its place
            entries.insert(bisect.bisect_right(entries, now, key=queued_day), entry)
        self._live += 1
        return entry

    def let_go(self) -> None:
        """At the end of a replication: the families waiting, and the workers at work."""
        for entries in self._ranks:
            entries.clear()
        self._at_work = None

    def allocate(self, waited_before: float | None, above_cap_limit: int) -> list[tuple[QueueEntry, Worker]]:
        """Allocate whoever can be allocated now, in priority order.

        A family that joined the queue before ``waited_before`` has waited long enough to
        go above cap (None: a hard cap, never). A family too large for anyone's spare
        capacity is passed over so smaller ones behind it are not blocked. Returns the
        allocations made; the workers' caseloads are already updated. Within the cap a family
        goes to the worker with most spare capacity (first in the team's order on a tie),
        above it to the one with most spare capacity who stays within the limits (lowest
        id on a tie). This is the model's hot loop (``MostSpare`` finds the first).
        """
        if not self._live:
            return []
        available = self.at_work()
        if not available:
            return []
        made: list[tuple[QueueEntry, Worker]] = []
        most = MostSpare(available)
        above_cap: SpareOrder | None = None  # for allocation above the cap: made when first needed
        for rank, entries in enumerate(self._ranks):
            passed_over: list[QueueEntry] = []
            head = 0  # entries before it are allocated, passed over or cancelled
            while head < len(entries):
                entry = entries[head]
                if entry.cancelled:
                    head += 1
                    self._cancelled[rank] -= 1
                    continue
                size = entry.family.size
                worker = most.best()
                max_spare = worker.cap - worker.children
                if max_spare < size:
                    waited = waited_before is not None and entry.queued_day < waited_before
                    above: Worker | None = None
                    if waited:
                        if above_cap is None:
                            above_cap = SpareOrder(available)
                        above = above_cap.first_within(size, above_cap_limit)
                    if above is None:
                        if max_spare < 1 and (above_cap is None or not waited
                                              or above_cap.first_within(1, above_cap_limit) is None):
                            break  # no room, nor above cap, for anyone behind in this rank
                        passed_over.append(entry)
                        head += 1
                        continue
                    worker = above
                head += 1
                before = worker.children
                worker.take(entry.family)
                if above_cap is not None:
                    above_cap.moved(worker, before)
                self._live -= 1
                made.append((entry, worker))
            entries[:head] = passed_over  # (in order: they were at the front)
            if waited_before is None:  # a hard cap
                if not any(later for later in self._ranks[rank + 1:]):
                    break  # nothing left to look at
                room = most.best()
                if room.cap - room.children < 1:
                    break  # nobody has room: no later rank can be allocated either
        return made


PLACE_BITS: Final = 20
PLACE_MASK: Final = (1 << PLACE_BITS) - 1


def spare_key(children: int, worker: Worker, place: int) -> int:
    """One number ordering workers by most spare capacity (holding ``children``), then by ``place`` in a list: the
    keys ``MostSpare`` and ``SpareOrder`` keep."""
    return ((children - worker.cap) << PLACE_BITS) + place


class MostSpare:
    """The worker with most spare capacity, the first in the list on a tie, as caseloads grow during one allocation
    pass. A large team's workers are kept in a heap (``LOOK_THROUGH`` or more: each worker's spare capacity and
    place in the list as one number, those whose caseload has grown since put back in as they reach the top);
    a small team is looked through each time, which costs less than making the heap."""

    LOOK_THROUGH: Final = 64

    def __init__(self, workers: list[Worker]) -> None:
        self._workers = workers
        self._heap: list[int] = []
        if len(workers) >= self.LOOK_THROUGH:  # smaller is better: less spare unused, then earlier in the list
            self._heap = [spare_key(worker.children, worker, place) for place, worker in enumerate(workers)]
            heapq.heapify(self._heap)

    def best(self) -> Worker:
        heap = self._heap
        if not heap:
            return most_spare(self._workers)
        while True:
            key = heap[0]
            place = key & PLACE_MASK
            worker = self._workers[place]
            fresh = spare_key(worker.children, worker, place)
            if key == fresh:
                return worker
            heapq.heapreplace(heap, fresh)  # took children since: its place now


class SpareOrder:
    """Workers in order of most spare capacity, the lowest id on a tie, kept in order as caseloads change (a sorted
    list of one number each: spare capacity and place by id), for the first in that order within the limits
    (``most_spare_within``'s choice, without looking through the whole team each time)."""

    def __init__(self, workers: list[Worker]) -> None:
        self._by_id = sorted(workers, key=lambda worker: worker.id)
        self._place = {worker: place for place, worker in enumerate(self._by_id)}
        self._keys = sorted(spare_key(worker.children, worker, place) for place, worker in enumerate(self._by_id))

    def first_within(self, size: int, limit: int, other_than: Worker | None = None) -> Worker | None:
        """``most_spare_within(workers, size, limit, other_than)``."""
        for key in self._keys:
            worker = self._by_id[key & PLACE_MASK]
            if worker.children + size <= (limit if limit < worker.ceiling else worker.ceiling) \
                    and worker is not other_than:
                return worker
        return None

    def moved(self, worker: Worker, children_before: int) -> None:
        """``worker`` held ``children_before`` children a moment ago (nothing if not in the order)."""
        place = self._place.get(worker)
        if place is not None:
            keys = self._keys
            del keys[bisect.bisect_left(keys, spare_key(children_before, worker, place))]
            bisect.insort(keys, spare_key(worker.children, worker, place))


def most_spare(workers: list[Worker]) -> Worker:
    """The worker with most spare capacity; the first in the list on a tie."""
    best = workers[0]
    best_spare = best.cap - best.children
    for worker in workers:
        spare = worker.cap - worker.children
        if spare > best_spare:
            best, best_spare = worker, spare
    return best


def most_spare_within(workers: list[Worker], size: int, limit: int, other_than: Worker | None = None) -> Worker | None:
    """Of the workers (``other_than`` apart) who could take ``size`` more children within ``limit`` and their own
    ceiling (a newly qualified worker's protected caseload), the one with most spare capacity, the lowest id
    on a tie; None if nobody could."""
    best: Worker | None = None
    best_spare = 0
    for worker in workers:
        children = worker.children
        if children + size <= (limit if limit < worker.ceiling else worker.ceiling) and worker is not other_than:
            spare = worker.cap - children
            if best is None or spare > best_spare or (spare == best_spare and worker.id < best.id):
                best, best_spare = worker, spare
    return best
