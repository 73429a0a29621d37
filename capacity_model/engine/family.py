"""A family: one or more children referred, allocated, moved and closed together."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .streams import Fate

if TYPE_CHECKING:  # for annotations only
    from .allocation_queue import QueueEntry
    from .workforce.worker import Worker


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
    different social workers a child has had in 12 months (the monitor drops those that
    ended more than 12 months before its latest month end).
    ``on_allocated``, when set, is called once the family is next given a social worker
    (an assessment waiting to start). ``unallocated_since`` is when it last became unallocated:
    its wait, for the scorecard, counts from then. (Its place in a queue counts from
    ``queue_entry.queued_day``, which for a transfer is when the transfer began.)
    (A plain class rather than a dataclass: compiled, its ``__init__`` is C, a dataclass's is not.)
    """

    __slots__ = ("id", "size", "fate", "stage", "worker", "referral_day", "assessment_started", "queue_entry",
                 "unallocated_since", "on_allocated", "holdings", "visit", "supervision", "meeting")

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
