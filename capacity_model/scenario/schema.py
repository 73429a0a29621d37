"""The scenario: validated, typed, immutable data that fully describes one model run.

A scenario knows nothing about files (``files.py`` reads YAML into it) nor about
the simulation. Every rate and duration names its unit (``children_per_year``,
``*_working_days``, ``*_days``). Unknown fields are refused, so a misspelt key fails
loudly instead of silently leaving a default in place.
"""

from __future__ import annotations

import math
from datetime import date
from enum import Enum
from typing import Literal

from pydantic import (Field, NonNegativeInt, PositiveFloat, PositiveInt, field_validator, model_serializer,
                      model_validator)

from .base import Frozen, Probability, Shares, SUM_TOLERANCE, plain_name
from .calendar import add_months
from .distributions import Duration
from .interventions import Intervention, change_dates, check_interventions, scenario_on
from .initial_lists import FamilyRecord, WorkerRecord, check_lists, counts_from_lists
from .oversight import Oversight
from .workforce import Costs, Workforce



class Stage(str, Enum):
    """Where a child is on the pathway; each stage is held by one team."""

    ASSESSMENT = "assessment"
    CIN = "cin"
    CP = "cp"
    CIC = "cic"


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class AssessmentOutcomes(Shares):
    """What an assessment leads to."""

    no_further_action: Probability
    cin: Probability
    cp: Probability
    cic: Probability


class CinPlanEnds(Shares):
    """What happens when a Child in Need plan ends."""

    close: Probability
    cp: Probability


class CpPlanEnds(Shares):
    """What happens when a Child Protection plan ends."""

    close: Probability
    cin: Probability
    cic: Probability


class Referrals(Frozen):
    """New referrals: a Poisson stream of families, each of one or more children."""

    new_children_per_year: float = Field(ge=0.0)
    arrival_process: Literal["poisson", "regular"] = Field(
        default="poisson", description="'regular' spaces families evenly, for deterministic checks"
    )
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
        if not math.isclose(sum(probs.values()), 1.0, abs_tol=SUM_TOLERANCE):
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
    reallocations_per_family_year: float = Field(
        default=0.0, ge=0.0,
        description="moves of a family to another worker in the same team for other reasons than staff changes",
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
    workers: list[WorkerRecord] | None = Field(
        default=None, description="the workers in post, one by one (then staff is derived from them)")
    families: list[FamilyRecord] | None = Field(
        default=None, description="the open families, one by one (then the children counts are derived from them)")

    _counts = model_validator(mode="before")(classmethod(lambda cls, data: counts_from_lists(data)))

    @model_serializer(mode="wrap")
    def _lists_only_when_given(self, handler):
        """A scenario with counts only dumps as before the lists existed (so its task keys do not move)."""
        data = handler(self)
        for key in ("workers", "families"):
            if isinstance(data, dict) and data.get(key) is None:
                data.pop(key, None)
        return data

class Scenario(Frozen):
    """Everything one model run needs; read one from a file with ``scenario.load_scenario``."""

    name: str = Field(min_length=1)
    description: str = ""
    start_date: date
    warm_up_months: NonNegativeInt = Field(
        default=0, description="months simulated before start_date, from the initial state, and not reported"
    )
    referrals: Referrals
    rereferral: Rereferral
    pathway: Pathway
    teams: dict[str, Team] = Field(min_length=1)
    allocation: Allocation
    initial_state: InitialState
    workforce: Workforce = Workforce()
    costs: Costs = Costs()
    oversight: Oversight | None = Field(
        default=None, description="statutory visits, supervision and the IRO service; none: no oversight layer")
    interventions: list[Intervention] = Field(default_factory=list)

    @field_validator("teams")
    @classmethod
    def _team_names_are_plain(cls, teams: dict[str, Team]) -> dict[str, Team]:
        for name in teams:
            if not plain_name(name):
                raise ValueError(f"the team name {name!r} is not allowed: a team's name is text on one line, "
                                 "with no spaces at either end")
        return teams

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
        check_lists(self.initial_state, {stage: self.team_for(stage) for stage in Stage},
                    add_months(self.start_date, -self.warm_up_months))
        interim = self.workforce.interim_team
        if interim is not None and interim.team not in self.teams:
            raise ValueError(
                f"workforce.interim_team.team: '{interim.team}' is not a team (teams are: {', '.join(self.teams)})"
            )
        for name, role in self.workforce.support.roles().items():
            unknown = sorted(set(role.teams or []) - set(self.teams))
            if unknown:
                raise ValueError(
                    f"workforce.support.{name}.teams: {unknown} not in teams (teams are: {', '.join(self.teams)})"
                )
        if self.interventions:
            check_interventions(self, add_months(self.start_date, -self.warm_up_months))
            for when in change_dates(self):
                try:
                    scenario_on(self, when)
                except ValueError as error:
                    raise ValueError(f"interventions: together they are not valid on {when}: {error}") from None
        return self

    def on(self, when: date) -> "Scenario":
        """The scenario in force on a date, its interventions applied."""
        return scenario_on(self, when)

    def team_for(self, stage: Stage) -> str:
        return next(name for name, team in self.teams.items() if stage in team.stages)
