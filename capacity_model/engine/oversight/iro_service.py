"""The IRO service: initial child protection conferences, CP review conferences and children in care reviews.

A Child Protection plan starts from a strategy discussion (the day the family enters the
stage) and needs an initial conference within 15 working days; review conferences
follow, the first within 3 months of it, then every 6 months (Working Together). A child
coming into care needs a review within 20 working days, then within 3 months, then every
6 months (IRO Handbook). The IROs' and minute-takers' hours come in each working day
and may be saved up to a week's worth; each working day the IROs chair the meetings due
by the day's end, most overdue first, while both last. A share of the meetings falling
due is put off a week for reasons other than capacity. Leaving the stage cancels the
next meeting.
"""

from __future__ import annotations

import math

from ...scenario.calendar import WorkingCalendar
from ...scenario.oversight import IroService
from ..day_plan import CLOCKS_RUN_OUT
from ..family import Family
from ..streams import Fate
from .tasks import Task, TaskBook, TimeBank

MEETINGS = ("icpc", "cp_review", "cic_review")
PUT_OFF_DAYS = 7


class IroMeetings:
    """Every family's next conference or review, and each day's meetings, by the IRO service's settings in force
    (``use``)."""

    def __init__(self, calendar: WorkingCalendar, put_off: Fate):
        self.book = TaskBook()
        self._calendar = calendar
        self._put_off = put_off
        self._time = TimeBank()
        self.month_held = {kind: [0, 0] for kind in MEETINGS}  # children at meetings held, of whom in time
        # the settings in force, as plain numbers: set by ``use`` before any meeting is set

    def use(self, settings: IroService) -> None:
        """The IRO service's settings in force from now, read once here as plain numbers, not for every meeting."""
        self._iro_fte = float(settings.in_post_fte)
        self._iro_hours_per_fte_week = float(settings.hours_per_fte_week)
        self._minute_takers_fte = None if settings.minute_takers_fte is None else float(settings.minute_takers_fte)
        self._minute_taker_hours_per_fte_week = float(settings.minute_taker_hours_per_fte_week)
        self._minute_taker_hours_per_meeting = float(settings.minute_taker_hours_per_meeting)
        self._kept = 1.0 - settings.time_lost_to_absence_share
        self._conference_hours = float(settings.hours_per_conference)
        self._review_hours = float(settings.hours_per_review)
        self._conferences_put_off = float(settings.conferences_put_off_share)
        self._reviews_put_off = float(settings.reviews_put_off_share)
        calendar = self._calendar  # when a conference or first review is due, by the day the clock starts:
        self._conference_by, self._offset = calendar.clock_end_list(settings.conference_within_working_days,
                                                                    at=CLOCKS_RUN_OUT)
        self._cic_first_review_by, _ = calendar.clock_end_list(settings.cic_first_review_working_days,
                                                               at=CLOCKS_RUN_OUT)
        self._cp_first_review = float(settings.cp_first_review_days)
        self._cp_review_every = float(settings.cp_review_every_days)
        self._cic_second_review = float(settings.cic_second_review_days)
        self._cic_review_every = float(settings.cic_review_every_days)

    def start(self, family: Family, now: float, spread: float | None = None) -> None:
        """The first meeting of the family's stage (``spread``: at the origin, a share of a review interval gone)."""
        stage = family.stage
        kind: str
        due: float
        if stage == "cp":
            kind, due = (("cp_review", now + spread * self._cp_review_every) if spread is not None else
                         ("icpc", self._clock_end(self._conference_by, now)))
        elif stage == "cic":
            kind, due = "cic_review", (now + spread * self._cic_review_every if spread is not None else
                                       self._clock_end(self._cic_first_review_by, now))
        else:
            family.meeting = None
            return
        family.meeting = self.book.set(family, kind, due, now, number=1 if spread is None else 3)

    def _clock_end(self, ends: list[float], now: float) -> float:
        """When a clock started ``now`` runs out (``WorkingCalendar.add_working_days``), from its ``ends``."""
        end = ends[math.floor(now) + self._offset]
        return end if end > now else now

    def stop(self, family: Family, now: float) -> None:
        meeting = family.meeting
        self.book.cancel(meeting if isinstance(meeting, Task) else None, now)
        family.meeting = None

    def day(self, now: float, end: float, today: int) -> None:
        """Today's meetings (``end``: the next working day; ``today``: the working-day count), most overdue first, in the hours there are."""
        book = self.book
        book.bring_back(now)
        task = book.first_due()
        if task is None or task.due >= end:
            return
        kept, time = self._kept, self._time
        iro_hours = time.hours("iros", today, self._iro_fte * self._iro_hours_per_fte_week * kept)
        minute_hours = (float("inf") if self._minute_takers_fte is None else time.hours(
            "minute_takers", today, self._minute_takers_fte * self._minute_taker_hours_per_fte_week * kept))
        per_meeting = self._minute_taker_hours_per_meeting
        while task is not None and task.due < end:
            conference = task.kind == "icpc"
            share = self._conferences_put_off if conference else self._reviews_put_off
            if share and not task.not_before and task.due >= now and self._put_off.uniform() < share:
                book.put_off(task, now + PUT_OFF_DAYS)  # for other reasons than capacity, once
            else:
                hours = self._conference_hours if conference else self._review_hours
                if hours > iro_hours + 1e-9 or per_meeting > minute_hours + 1e-9:
                    break
                iro_hours -= hours
                minute_hours -= per_meeting
                self._held(book.pop(), now)
            task = book.first_due()
        time.spend("iros", today, iro_hours)
        time.spend("minute_takers", today, minute_hours)

    def _held(self, task: Task, now: float) -> None:
        day, kind = max(task.due, now), task.kind
        if kind == "cic_review":
            after = self._cic_second_review if task.number == 1 else self._cic_review_every
        else:
            after = self._cp_first_review if kind == "icpc" else self._cp_review_every
        on_time = self.book.redo(task, day, day + after, since=day)
        task.kind = "cic_review" if kind == "cic_review" else "cp_review"
        held = self.month_held[kind]
        held[0] += task.family.size
        held[1] += task.family.size if on_time else 0
