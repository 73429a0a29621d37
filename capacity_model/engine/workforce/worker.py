"""Case-holding social workers and the teams they work in.

A worker's capacity is a caseload cap (children, scaled by FTE). Workers are kept in
plain lists rather than SimPy resources: a resource cannot shrink, and a worker who
leaves or goes on long-term absence needs an explicit rule for their children.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, TYPE_CHECKING

from ...measures import PERMANENT_KINDS

if TYPE_CHECKING:  # for annotations only
    from ..costs import CostSpell
    from ..family import Family
    from ..streams import Fate

NO_CEILING: Final = 1 << 30
"""A worker with no limit of their own above their cap."""


@dataclass(slots=True)
class AbsenceSpell:
    """A worker of ``fte`` absent from ``start`` until ``end`` (None while they still are)."""

    start: float
    fte: float
    end: float | None = None


@dataclass(eq=False, slots=True)
class Worker:
    """One case-holding social worker.

    ``cap`` is the most children they are allocated under the cap rule: the caseload
    standard scaled by FTE, raised where support staff's freed time goes to caseloads.
    ``ceiling`` is the most they may hold even above the cap: their protected caseload
    for a newly qualified worker, else no limit of their own (the scenario's absolute
    maximum applies). ``workload_per_child`` is below 1 where support staff take on part
    of the work with each child; caseload pressure is measured in it.
    """

    id: int
    team: str
    kind: str
    fte: float
    cap: int
    start_day: float
    service_start_day: float = 0.0
    children: int = 0
    families: set[Family] = field(default_factory=set)
    absent: bool = False
    long_term_absent: bool = False
    leaving: bool = False
    in_post: bool = True
    workload_per_child: float = 1.0
    ceiling: int = NO_CEILING
    fate: Fate | None = None  # the worker's own numbers (leaving, moving), set when they join
    spells: list[CostSpell] = field(default_factory=list)
    absence_spell: AbsenceSpell | None = None  # while absent
    visit_time: Any = None  # with the oversight layer on, its own record of their hours for visits (a VisitTime)

    def take(self, family: Family) -> None:
        """Hold ``family``'s children from now on."""
        self.children += family.size
        self.families.add(family)

    def hand_over(self, family: Family) -> None:
        """Stop holding ``family``'s children."""
        self.children -= family.size
        self.families.discard(family)

    @property
    def spare(self) -> int:
        """Children this worker can take before reaching their cap (negative when over it)."""
        return self.cap - self.children

    @property
    def permanent(self) -> bool:
        return self.kind in PERMANENT_KINDS

    @property
    def can_hold_cases(self) -> bool:
        """Open to new allocations: at work and not serving notice."""
        return not (self.absent or self.long_term_absent or self.leaving)


def caseload_cap(
    kind: str, fte: float, caseload_cap: int, newly_qualified_caseload_cap: int, caseload_relief: float = 0.0
) -> int:
    """A worker's cap in children, rounded down.

    The protected caseload in the ASYE year, never raised; else the standard cap,
    scaled by FTE and raised by ``caseload_relief``, the share of the worker's time
    that support staff free for more children: cap / (1 - caseload_relief).
    """
    if kind == "newly_qualified":
        return max(1, int(newly_qualified_caseload_cap * fte + 1e-9))
    return max(1, int(caseload_cap * fte / (1.0 - caseload_relief) + 1e-9))
