"""A family: one or more children referred, allocated, moved and closed together."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from .streams import Fate

if TYPE_CHECKING:  # for annotations only
    from .allocation_queue import QueueEntry
    from .oversight.tasks import Task
    from .workforce.worker import Worker


@dataclass(slots=True)
class Holding:
    """One social worker holding a family, from ``start`` until ``end`` (None while they still do)."""

    worker_id: int
    start: float
    end: float | None = None


@dataclass(eq=False, slots=True)
class Family:
    """A referred family on its way through the service.

    ``holdings`` lists the social workers the family has had, in order, for the count of
    different social workers a child has had in 12 months (the monitor drops those that
    ended more than 12 months before its latest month end).
    ``on_allocated``, when set, is called once the family is next given a social worker
    (an assessment waiting to start). ``unallocated_since`` is when it last became unallocated:
    its wait, for the scorecard, counts from then. (Its place in a queue counts from
    ``queue_entry.queued_day``, which for a transfer is when the transfer began.)
    """

    id: int
    size: int
    fate: Fate
    stage: str | None = None
    worker: Worker | None = None
    referral_day: float | None = None  # the last referral (for a family open at the origin: its episode's start)
    assessment_started: float | None = None
    queue_entry: QueueEntry | None = None
    unallocated_since: float | None = None
    on_allocated: Callable[[Family], None] | None = None
    holdings: list[Holding] = field(default_factory=list)
    visit: int | None = None  # with oversight on: the slots of its next statutory visit and supervision,
    supervision: int | None = None  # and its next IRO meeting
    meeting: Task | None = None

