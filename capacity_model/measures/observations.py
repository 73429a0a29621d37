"""What the engine observes of the service at each month end: plain data, no simulation objects.

The engine fills these; ``kpis.py`` turns them into the scorecard, and the experiment
layer into tidy tables. Nothing here imports anything else from the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections import Counter

PERMANENT_KINDS = ("experienced", "newly_qualified")
"""Kinds of social worker on a permanent contract (the rest are agency and interim)."""


class CaseHolder:
    """A case-holding social worker in post at the snapshot. (A plain class, equal to another with the same
    values: compiled, its ``__init__`` is C, a dataclass's is not, and a month end makes one per worker.)"""

    __slots__ = ("team", "kind", "fte", "children", "long_term_absent")

    def __init__(self, team: str, kind: str, fte: float, children: int, long_term_absent: bool = False) -> None:
        self.team = team
        self.kind = kind  # experienced, newly_qualified, agency, interim
        self.fte = fte
        self.children = children
        self.long_term_absent = long_term_absent

    @property
    def permanent(self) -> bool:
        return self.kind in PERMANENT_KINDS

    def _values(self) -> tuple[str, str, float, int, bool]:
        return self.team, self.kind, self.fte, self.children, self.long_term_absent

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CaseHolder) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return "CaseHolder({!r}, {!r}, {!r}, {!r}, {!r})".format(*self._values())


@dataclass(frozen=True)
class OversightSnapshot:
    """Visits, supervision and the IRO service at a month end (children counted, not families)."""

    visits: dict[str, tuple[int, int]]  # stage (cin, cp, cic) -> (children in the stage, of whom visited in time)
    supervised: tuple[int, int]  # (open children, of whom supervised within the standard)
    meetings: dict[str, tuple[int, int]] | None  # icpc, cp_review, cic_review -> (children, of whom in time), month just ended
    iro_children: int  # children on a Child Protection plan or in care
    iro_fte: float  # IRO FTE in post


@dataclass(frozen=True)
class ServiceSnapshot:
    """What the engine saw at one month end (flows are for the month just ended)."""

    case_holders: list[CaseHolder]
    establishment_fte: float
    establishment_case_holding_fte: float
    unallocated_waits: list[tuple[int, int]]  # (children in the family, working days waited)
    open_children: dict[str, int]  # allocated children by stage
    children_in_stage: dict[str, int]  # open children by stage, allocated or not
    children_many_social_workers_12m: dict[str, int]  # of those, children who had SOCIAL_WORKER_CHANGES_THRESHOLD
    # (3) or more different allocated social workers in the last 12 months, by stage
    permanent_leavers_fte_12m: float = 0.0
    mean_permanent_fte_12m: float | None = None
    assessments_completed: list[tuple[int, int]] | None = None  # working days (from start, from referral), month just ended
    referrals: tuple[int, int] | None = None  # (children referred, of whom within 12 months of a previous referral)
    allocation_waits: list[tuple[int, float]] | None = None  # (children, calendar days waited), month just ended
    mean_unallocated: float | None = None  # time-average of children waiting over the month just ended
    non_case_holding_in_post_fte: float = 0.0  # permanent social workers in posts that hold no cases
    team_managers_fte: float = 0.0
    costs: dict[str, float] | None = None  # pounds spent in the month just ended, by category
    cumulative_cost: float | None = None  # pounds spent since the start date
    absence: tuple[float, float] | None = None  # (FTE-days absent, FTE-days in post), month just ended
    oversight: OversightSnapshot | None = None  # with the oversight layer on


@dataclass(frozen=True)
class MonthEnd:
    """One reported month end of one replication: the service seen, and its balance of children and staff.

    ``month`` counts from the start date (0 is the start date itself); ``balance``
    holds the cumulative counts in and out (children, staff, leavers by destination,
    children and entries by stage) that conservation checks and ``balance.csv`` use.
    """

    month: int
    date: str  # ISO date of the snapshot
    service: ServiceSnapshot
    balance: dict[str, float]

    def caseloads(self) -> list[tuple[str, int, int]]:
        """(kind of worker, children held, case-holders of that kind at work holding that many), in order."""
        held = Counter((h.kind, h.children) for h in self.service.case_holders if not h.long_term_absent)
        return [(kind, children, n) for (kind, children), n in sorted(held.items())]
