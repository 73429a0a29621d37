"""A family: one or more children referred, allocated, moved and closed together."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable, Final

from .streams import Fate

if TYPE_CHECKING:  # for annotations only
    from .allocation_queue import QueueEntry
    from .workforce.worker import Worker


NEVER: Final = -math.inf
"""``Family.many_until`` of a family whose history never shows that many social workers."""


class Holding:
    """One social worker holding a family, from ``start`` until ``end`` (None while they still do)."""

    __slots__ = ("worker_id", "start", "end")

    def __init__(self, worker_id: int, start: float, end: float | None = None) -> None:
        self.worker_id = worker_id
        self.start = start
        self.end = end

    def __repr__(self) -> str:
        return f"Holding({self.worker_id}, {self.start}, {self.end})"


class Family:
    """A referred family on its way through the service.

    ``holdings`` lists the social workers the family has had, in order, for the count of
    different social workers a child has had in 12 months; ``many_until`` is the latest start of a
    window in which they show that many (``latest_window_with``), worked out as the history grows
    (``Tally.history_grew``), so that a month end reads one number, not the history.
    ``on_allocated``, when set, is called once the family is next given a social worker
    (an assessment waiting to start). ``unallocated_since`` is when it last became unallocated:
    its wait, for the scorecard, counts from then. (Its place in a queue counts from
    ``queue_entry.queued_day``, which for a transfer is when the transfer began.)
    (A plain class rather than a dataclass: compiled, its ``__init__`` is C, a dataclass's is not.)
    """

    __slots__ = ("id", "size", "fate", "stage", "worker", "referral_day", "assessment_started", "queue_entry",
                 "unallocated_since", "on_allocated", "holdings", "many_until", "visit", "supervision", "meeting")

    def __init__(self, id: int, size: int, fate: Fate, referral_day: float | None = None) -> None:
        self.id = id
        self.size = size
        self.fate = fate
        self.stage: str | None = None
        self.worker: Worker | None = None
        self.referral_day = referral_day  # the last referral (for a family open at the origin: its episode's start)
        self.assessment_started: float | None = None
        self.queue_entry: QueueEntry | None = None
        self.unallocated_since: float | None = None
        self.on_allocated: Callable[[Family], None] | None = None
        self.holdings: list[Holding] = []
        self.many_until = NEVER
        self.visit: int | None = None  # with oversight on: the slots of its next statutory visit and supervision,
        self.supervision: int | None = None  # and its next IRO meeting
        self.meeting: object = None  # (the IRO service's Task)

    def let_go(self) -> None:
        """Drop the links back to the family from what it holds (its social worker, its place in a queue, its next
        meeting and next step), at the end of a replication (``Replication.let_go``)."""
        self.worker = None
        self.queue_entry = None
        self.on_allocated = None
        self.meeting = None


def latest_window_with(holdings: list[Holding], workers: int, dropped_before: float) -> float:
    """The latest start of a window in which ``holdings`` (in order, each ending when or before the next begins)
    show ``workers`` or more different social workers: the end of the latest holding from which on they do (a
    window takes in every holding that ends in it or is still open), or ``NEVER``. Holdings that ended before
    ``dropped_before`` are dropped first: windows only move on, so they would never count again. (Fewer
    holdings than ``workers``, as most families have, never show that many: nor are they worth dropping.)"""
    if len(holdings) < workers:
        return NEVER
    ended = 0
    for holding in holdings:
        end = holding.end
        if end is None or end >= dropped_before:
            break
        ended += 1
    if ended:
        del holdings[:ended]
    seen: list[int] = []
    for i in range(len(holdings) - 1, -1, -1):
        holding = holdings[i]
        if holding.worker_id not in seen:
            seen.append(holding.worker_id)
            if len(seen) >= workers:
                end = holding.end
                return end if end is not None else math.inf
    return NEVER
