"""Priority Area 1's capacity measures, from the oversight layer's month-end observations.

Each is None when the scenario has no oversight layer, or when nothing was there to
measure (no children in the stage, no meeting held in the month).
"""

from __future__ import annotations

from typing import Callable

from .observations import ServiceSnapshot

def _percent(part: float, whole: float) -> float | None:
    return 100.0 * part / whole if whole else None


def pct_supervised_42d(s: ServiceSnapshot) -> float | None:
    return None if s.oversight is None else _percent(s.oversight.supervised[1], s.oversight.supervised[0])


def pct_visits_up_to_date(stages: tuple[str, ...]) -> Callable[[ServiceSnapshot], float | None]:
    def measure(s: ServiceSnapshot) -> float | None:
        if s.oversight is None:
            return None
        counts = [s.oversight.visits[stage] for stage in stages]
        return _percent(sum(up for _, up in counts), sum(n for n, _ in counts))
    return measure


def pct_meetings_in_time(kind: str) -> Callable[[ServiceSnapshot], float | None]:
    def measure(s: ServiceSnapshot) -> float | None:
        if s.oversight is None or s.oversight.meetings is None:
            return None
        held, in_time = s.oversight.meetings[kind]
        return _percent(in_time, held)
    return measure


def iro_caseload(s: ServiceSnapshot) -> float | None:
    if s.oversight is None or not s.oversight.iro_fte:
        return None
    return s.oversight.iro_children / s.oversight.iro_fte
