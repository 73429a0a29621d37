"""Case-holding social workers and the teams they work in.

A worker's capacity is a caseload cap (children, scaled by FTE). Workers are kept in
plain lists rather than SimPy resources: a resource cannot shrink, and a worker who
leaves or goes on long-term absence needs an explicit rule for their children.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PERMANENT_KINDS = ("experienced", "newly_qualified")
WORKER_KINDS = ("experienced", "newly_qualified", "agency", "interim")


@dataclass(eq=False, slots=True)
class Worker:
    """One case-holding social worker."""

    id: int
    team: str
    kind: str
    fte: float
    cap: int
    start_day: float
    children: int = 0
    cases: set[Any] = field(default_factory=set)
    long_term_absent: bool = False

    @property
    def spare(self) -> int:
        """Children this worker can take before reaching their cap (negative when over it)."""
        return self.cap - self.children

    @property
    def permanent(self) -> bool:
        return self.kind in PERMANENT_KINDS

    @property
    def can_hold_cases(self) -> bool:
        return not self.long_term_absent


def caseload_cap(kind: str, fte: float, caseload_cap: int, newly_qualified_caseload_cap: int) -> int:
    """A worker's cap: the protected caseload in the ASYE year, else the team cap, by FTE."""
    full_time = newly_qualified_caseload_cap if kind == "newly_qualified" else caseload_cap
    return max(1, round(full_time * fte))
