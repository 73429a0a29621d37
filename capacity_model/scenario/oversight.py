"""The oversight section of a scenario: statutory visits, supervision, and the IRO service.

Priority Area 1's capacity measures. Each is a task with a due day that someone's time
must meet: a social worker's visits to the children they hold, a team manager's
supervision of each case, an Independent Reviewing Officer's conferences and reviews.
Time is in hours a week per FTE in post; each task takes a number of hours. A scenario
without this section has no oversight layer at all (the simpler services and the M/M/s
verification mode).
"""

from __future__ import annotations

from pydantic import Field, NonNegativeFloat, PositiveFloat, PositiveInt

from .base import Frozen, Probability

ABSENCE_SHARE = Field(default=0.0, ge=0.0, lt=1.0, description="share of the staff's time lost to absence")


class Visits(Frozen):
    """Statutory visits by the child's social worker, at most every so often by stage.

    A family's children are visited together (one visit's time). Each working day a
    worker makes the visits due before the next working day, most overdue first, while
    their visiting hours (coming in daily, saved up to a week's worth) allow; a visit
    that does not fit waits for the next day with time. A child with no social worker is
    not visited.
    """

    hours_per_fte_week: PositiveFloat = Field(description="a social worker's time for visits, hours a week per FTE")
    working_hours_per_fte_week: PositiveFloat = Field(
        default=37.0, description="a full-time week, hours: support staff's freed time is counted in it")
    hours_per_visit: PositiveFloat = Field(description="one visit, travel and recording included")
    cin_every_working_days: PositiveInt
    cp_every_working_days: PositiveInt
    cic_first_within_days: PositiveInt = Field(description="the first visit after coming into care, calendar days")
    cic_every_days_first_year: PositiveInt
    cic_every_days_after: PositiveInt


class Supervision(Frozen):
    """Team managers' case supervision: each open case at most every ``every_days``, most overdue first."""

    every_days: PositiveInt = 42
    hours_per_fte_week: PositiveFloat = Field(description="a team manager's time for case supervision")
    hours_per_case: PositiveFloat = Field(description="one case discussed and recorded")
    time_lost_to_absence_share: float = ABSENCE_SHARE


class IroService(Frozen):
    """Independent Reviewing Officers chairing conferences and reviews, with minute-takers.

    Each working day the meetings due are held, most overdue first, while the IROs' and
    the minute-takers' hours (coming in daily, saved up to a week's worth) allow. Some are put off a week for reasons other than the
    service's capacity (a parent, a partner agency or a report not ready):
    ``*_put_off_share`` of those falling due. ``minute_takers_fte`` of None means
    minute-taking never holds a meeting up. An IRO's hours per meeting are the whole
    work of the meeting's cycle: consulting the child, chairing, recording, and
    monitoring the plan until the next one.
    """

    in_post_fte: NonNegativeFloat
    hours_per_fte_week: PositiveFloat = Field(description="an IRO's time for conferences and reviews")
    hours_per_conference: PositiveFloat = Field(description="an initial child protection conference")
    hours_per_review: PositiveFloat = Field(description="a CP review conference or a children in care review")
    minute_takers_fte: NonNegativeFloat | None = None
    minute_taker_hours_per_fte_week: PositiveFloat = 30.0
    minute_taker_hours_per_meeting: PositiveFloat = 4.0
    time_lost_to_absence_share: float = ABSENCE_SHARE
    conferences_put_off_share: Probability = 0.0
    reviews_put_off_share: Probability = 0.0
    conference_within_working_days: PositiveInt = 15
    cp_first_review_days: PositiveInt = 91
    cp_review_every_days: PositiveInt = 182
    cic_first_review_working_days: PositiveInt = 20
    cic_second_review_days: PositiveInt = 91
    cic_review_every_days: PositiveInt = 182


class Oversight(Frozen):
    """Visits, supervision and the IRO service: switched on by being in the scenario."""

    visits: Visits
    supervision: Supervision
    iro_service: IroService
