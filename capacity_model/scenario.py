"""The scenario: validated, typed, immutable data that fully describes one model run.

A scenario knows nothing about files; ``capacity_model.scenario_files`` reads YAML
into it. Every rate and duration names its unit (``children_per_year``,
``*_working_days``, ``*_days``). Unknown fields are refused, so a misspelt key fails
loudly instead of silently leaving a default in place.
"""

from __future__ import annotations

import math
from datetime import date
from enum import Enum
from typing import Annotated, Literal

from pydantic import Field, NonNegativeInt, PositiveFloat, PositiveInt, field_validator, model_validator

from .distributions import Duration, Frozen

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
_SUM_TOLERANCE = 1e-6


class Stage(str, Enum):
    """Where a child is on the pathway; each stage is held by one team."""

    ASSESSMENT = "assessment"
    CIN = "cin"
    CP = "cp"
    CIC = "cic"


STAGE_LABELS = {
    Stage.ASSESSMENT: "in assessment",
    Stage.CIN: "Child in Need plan",
    Stage.CP: "Child Protection plan",
    Stage.CIC: "Child in Care",
}

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class _Shares(Frozen):
    """Probabilities of mutually exclusive outcomes: each in [0, 1], summing to 1."""

    @model_validator(mode="after")
    def _sum_to_one(self):
        total = sum(getattr(self, name) for name in type(self).model_fields)
        if not math.isclose(total, 1.0, abs_tol=_SUM_TOLERANCE):
            raise ValueError(f"probabilities must sum to 1 (these sum to {total:.6g})")
        return self

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in type(self).model_fields}


class AssessmentOutcomes(_Shares):
    """What an assessment leads to."""

    no_further_action: Probability
    cin: Probability
    cp: Probability
    cic: Probability


class CinPlanEnds(_Shares):
    """What happens when a Child in Need plan ends."""

    close: Probability
    cp: Probability


class CpPlanEnds(_Shares):
    """What happens when a Child Protection plan ends."""

    close: Probability
    cin: Probability
    cic: Probability


class Referrals(Frozen):
    """New referrals: a Poisson stream of families, each of one or more children."""

    new_children_per_year: float = Field(ge=0.0)
    monthly_seasonality: list[PositiveFloat] | None = Field(
        default=None, description="12 multipliers, January first, averaging 1"
    )
    sibling_group_size_probabilities: dict[PositiveInt, float] = Field(default_factory=lambda: {1: 1.0})

    @field_validator("monthly_seasonality")
    @classmethod
    def _seasonality_averages_one(cls, season: list[float] | None) -> list[float] | None:
        if season is not None:
            if len(season) != 12:
                raise ValueError(f"needs 12 multipliers (January to December), got {len(season)}")
            mean = sum(season) / 12
            if not math.isclose(mean, 1.0, abs_tol=1e-3):
                raise ValueError(f"the 12 multipliers must average 1 (they average {mean:.4g})")
        return season

    @field_validator("sibling_group_size_probabilities")
    @classmethod
    def _sizes_sum_to_one(cls, probs: dict[int, float]) -> dict[int, float]:
        if any(not 0 <= p <= 1 for p in probs.values()):
            raise ValueError("each probability must be between 0 and 1")
        if not math.isclose(sum(probs.values()), 1.0, abs_tol=_SUM_TOLERANCE):
            raise ValueError(f"probabilities must sum to 1 (they sum to {sum(probs.values()):.6g})")
        return probs

    @property
    def mean_sibling_group_size(self) -> float:
        return sum(size * p for size, p in self.sibling_group_size_probabilities.items())

    @property
    def families_per_year(self) -> float:
        return self.new_children_per_year / self.mean_sibling_group_size


class Rereferral(Frozen):
    """Closed cases coming back: each closure is re-referred with this probability."""

    probability: Probability
    delay_days: Duration


class Pathway(Frozen):
    """Assessment, its outcome, and the plans that follow, with their durations."""

    assessment_working_days: Duration
    assessment_outcomes: AssessmentOutcomes
    cin_plan_days: Duration
    cin_plan_ends: CinPlanEnds
    cp_plan_days: Duration
    cp_plan_ends: CpPlanEnds
    cic_episode_days: Duration


class Team(Frozen):
    """A team of case-holding social workers serving some stages of the pathway."""

    posts_fte: float = Field(ge=0.0, description="funded case-holding social worker posts")
    stages: list[Stage] = Field(min_length=1)


class Allocation(Frozen):
    """How unallocated children are given a social worker."""

    caseload_cap: PositiveInt = Field(description="children per full-time social worker")
    newly_qualified_caseload_cap: PositiveInt = Field(description="protected caseload in the ASYE year")
    policy: Literal["hard_cap", "above_cap_after_wait"]
    above_cap_after_working_days: NonNegativeInt = 10
    absolute_max_caseload: PositiveInt = 30
    schedule: Literal["continuous", "meetings"] = "meetings"
    meeting_weekdays: list[Weekday] = Field(
        default_factory=lambda: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"], min_length=1
    )

    @model_validator(mode="after")
    def _check(self) -> "Allocation":
        if self.absolute_max_caseload < self.caseload_cap:
            raise ValueError("absolute_max_caseload must be at least caseload_cap")
        return self


class StageCounts(Frozen):
    """A number of children at each stage of the pathway."""

    assessment: NonNegativeInt = 0
    cin: NonNegativeInt = 0
    cp: NonNegativeInt = 0
    cic: NonNegativeInt = 0

    def of(self, stage: Stage) -> int:
        return getattr(self, stage.value)

    @property
    def total(self) -> int:
        return self.assessment + self.cin + self.cp + self.cic


class StaffInPost(Frozen):
    """Case-holding social workers in post in one team, by type (headcount, full time)."""

    experienced: NonNegativeInt = 0
    newly_qualified: NonNegativeInt = 0
    agency: NonNegativeInt = 0


class InitialState(Frozen):
    """The service on the start date: open children, who waits, who is in post.

    Children's episodes are already under way on the start date: their elapsed time is
    drawn from the stationary age distribution of the stage's duration, so the run
    starts near steady state rather than from empty.
    """

    allocated_children: StageCounts
    unallocated_children: StageCounts = StageCounts()
    unallocated_waited_working_days: Duration
    staff: dict[str, StaffInPost]


class Scenario(Frozen):
    """Everything one model run needs; build it with ``scenario_files.load_scenario``."""

    name: str = Field(min_length=1)
    description: str = ""
    start_date: date
    referrals: Referrals
    rereferral: Rereferral
    pathway: Pathway
    teams: dict[str, Team] = Field(min_length=1)
    allocation: Allocation
    initial_state: InitialState

    @model_validator(mode="after")
    def _teams_cover_stages(self) -> "Scenario":
        for stage in Stage:
            holders = [name for name, team in self.teams.items() if stage in team.stages]
            if len(holders) != 1:
                raise ValueError(
                    f"teams: every stage must be held by exactly one team; stage '{stage.value}' is held by "
                    f"{len(holders)} ({', '.join(holders) or 'none'})"
                )
        unknown = sorted(set(self.initial_state.staff) - set(self.teams))
        if unknown:
            raise ValueError(
                f"initial_state.staff: names team(s) {unknown} that are not in teams "
                f"(teams are: {', '.join(self.teams)})"
            )
        return self

    def team_for(self, stage: Stage) -> str:
        return next(name for name, team in self.teams.items() if stage in team.stages)
