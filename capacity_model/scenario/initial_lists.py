"""An explicit initial state: the service's own workers and open families, as lists, beside the counts.

A council's import (``council_data``) writes these from its staff and caseload files, with
pseudonyms for identifiers: each worker with their team, contract, FTE and start date;
each open family with its children, stage, stage start, referral date and allocated
worker (a pseudonym from ``workers``) or, if waiting, the date it became unallocated. The
counts by stage and team (``allocated_children``, ``unallocated_children``, ``staff``) are
derived from the lists (replacing any given), so everything that reads counts reads the
same service.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any, Literal

from pydantic import Field, PositiveInt, model_validator

from .base import Frozen

STAGES = ("assessment", "cin", "cp", "cic")
KINDS = ("experienced", "newly_qualified", "agency")


class WorkerRecord(Frozen):
    """One case-holding social worker in post: a pseudonym, never the council's identifier."""

    id: str = Field(min_length=1)
    team: str
    kind: Literal["experienced", "newly_qualified", "agency"]
    fte: float = Field(default=1.0, gt=0.0, le=1.0)
    service_start: date = Field(description="when they started (their length of service counts from it)")


class FamilyRecord(Frozen):
    """One open family (siblings allocated together): a pseudonym, never the council's identifier."""

    id: str = Field(min_length=1)
    children: PositiveInt = 1
    stage: Literal["assessment", "cin", "cp", "cic"]
    referral_date: date
    stage_start: date = Field(description="when the stage began (an assessment: when it started, if allocated)")
    worker: str | None = Field(default=None, description="the allocated worker's pseudonym; none: waiting")
    unallocated_since: date | None = Field(default=None, description="a waiting family: since when")

    @model_validator(mode="after")
    def _waiting_or_held(self) -> "FamilyRecord":
        if self.worker is None and self.unallocated_since is None:
            raise ValueError("a family with no worker needs unallocated_since (when it began waiting)")
        if self.stage_start < self.referral_date:
            raise ValueError(f"stage_start ({self.stage_start}) is before referral_date ({self.referral_date})")
        return self


def counts_from_lists(data: Any) -> Any:
    """The initial state's counts from its lists, where it has them (replacing any counts given, such as
    those of a base scenario the file extends)."""
    if not isinstance(data, dict):
        return data
    derived: dict[str, Any] = {}
    families, workers = data.get("families"), data.get("workers")
    if isinstance(families, list) and all(isinstance(f, dict) for f in families):
        allocated, waiting = Counter(), Counter()
        for family in families:
            (allocated if family.get("worker") else waiting)[family.get("stage")] += int(family.get("children", 1))
        derived["allocated_children"] = {stage: allocated[stage] for stage in STAGES}
        derived["unallocated_children"] = {stage: waiting[stage] for stage in STAGES}
        if "unallocated_waited_working_days" not in data:  # each waiting family's own wait is in its record
            derived["unallocated_waited_working_days"] = {"kind": "fixed", "days": 0}
    if isinstance(workers, list) and all(isinstance(w, dict) for w in workers):
        staff: dict[str, dict[str, int]] = {}
        for worker in workers:
            team = staff.setdefault(str(worker.get("team")), dict.fromkeys(KINDS, 0))
            if worker.get("kind") in KINDS:
                team[worker["kind"]] += 1
        derived["staff"] = staff
    return {**data, **derived}


def check_lists(initial: Any, team_of: dict[Any, str], origin: date) -> None:
    """Pseudonyms unique, every allocated family's worker listed and in the team that holds its stage,
    no date after the origin (the day the lists describe)."""
    workers = {w.id: w for w in initial.workers or []}
    for where, records in (("workers", initial.workers or []), ("families", initial.families or [])):
        seen = Counter(record.id for record in records)
        twice = sorted(name for name, n in seen.items() if n > 1)
        if twice:
            raise ValueError(f"initial_state.{where}: id {twice[0]!r} is listed {seen[twice[0]]} times")
    for i, worker in enumerate(initial.workers or []):
        if worker.service_start > origin:
            raise ValueError(f"initial_state.workers.{i}.service_start: {worker.service_start} is after the run's "
                             f"origin ({origin}), the day the lists describe")
    teams = {getattr(stage, "value", stage): team for stage, team in team_of.items()}
    for i, family in enumerate(initial.families or []):
        where = f"initial_state.families.{i}"
        for name in ("referral_date", "stage_start", "unallocated_since"):
            when = getattr(family, name)
            if when is not None and when > origin:
                raise ValueError(f"{where}.{name}: {when} is after the run's origin ({origin}), the day the lists "
                                 "describe")
        if family.worker is None:
            continue
        worker = workers.get(family.worker)
        if worker is None:
            raise ValueError(f"{where}.worker: {family.worker!r} is not in initial_state.workers")
        if worker.team != teams[family.stage]:
            raise ValueError(f"{where}.worker: {family.worker!r} is in team {worker.team!r}, but stage "
                             f"{family.stage!r} is held by team {teams[family.stage]!r}")
