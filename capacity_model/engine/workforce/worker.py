"""Case-holding social workers and the teams they work in.

A worker's capacity is a caseload cap (children, scaled by FTE). Workers are kept in
plain lists rather than SimPy resources: a resource cannot shrink, and a worker who
leaves or goes on long-term absence needs an explicit rule for their children.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...measures import PERMANENT_KINDS


@dataclass(eq=False, slots=True)
class Worker:
    """One case-holding social worker.

    ``cap`` is the most children they are allocated under the cap rule: the caseload
    standard scaled by FTE, raised where support staff lower the workload per child.
    """

    id: int
    team: str
    kind: str
    fte: float
    cap: int
    start_day: float
    service_start_day: float = 0.0
    children: int = 0
    families: set[Any] = field(default_factory=set)
    absent: bool = False
    long_term_absent: bool = False
    leaving: bool = False
    in_post: bool = True
    workload_per_child: float = 1.0
    fate: Any = None
    spells: list[Any] = field(default_factory=list)
    absence_spell: list[float] | None = None

    def take(self, family: Any) -> None:
        """Hold ``family``'s children from now on."""
        self.children += family.size
        self.families.add(family)

    def hand_over(self, family: Any) -> None:
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
    kind: str, fte: float, caseload_cap: int, newly_qualified_caseload_cap: int, workload_per_child: float = 1.0
) -> int:
    """A worker's cap in children.

    The protected caseload in the ASYE year, else the standard cap, scaled by FTE and
    divided by the workload per child (below 1 where support staff take on part of
    the work), rounded down.
    """
    full_time = newly_qualified_caseload_cap if kind == "newly_qualified" else caseload_cap
    return max(1, int(full_time * fte / workload_per_child + 1e-9))
