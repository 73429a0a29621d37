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

from ...scenario.calendar import WorkingCalendar
from ...scenario.oversight import IroService
from ..day_plan import CLOCKS_RUN_OUT
from ..family import Family
from ..streams import Fate
from .tasks import Task, TaskBook, TimeBank

MEETINGS = ("icpc", "cp_review", "cic_review")
PUT_OFF_DAYS = 7


class IroMeetings:
    """Every family's next conference or review, and each day's meetings."""

    def __init__(self, calendar: WorkingCalendar, put_off: Fate):
        self.book = TaskBook()
        self._calendar = calendar
        self._put_off = put_off
        self._time = TimeBank()
        self.month_held = {kind: [0, 0] for kind in MEETINGS}  # children at meetings held, of whom in time

    def start(self, family: Family, settings: IroService, now: float, spread: float | None = None) -> None:
        """The first meeting of the family's stage (``spread``: at the origin, a share of a review interval gone)."""
        stage, add = family.stage, self._calendar.add_working_days
        kind: str
        due: float
        if stage == "cp":
            kind, due = (("cp_review", now + spread * settings.cp_review_every_days) if spread is not None else
                         ("icpc", add(now, settings.conference_within_working_days, at=CLOCKS_RUN_OUT)))
        elif stage == "cic":
            kind, due = "cic_review", (now + spread * settings.cic_review_every_days if spread is not None else
                                       add(now, settings.cic_first_review_working_days, at=CLOCKS_RUN_OUT))
        else:
            family.meeting = None
            return
        family.meeting = self.book.set(family, kind, due, now, number=1 if spread is None else 3)

    def stop(self, family: Family, now: float) -> None:
        meeting = family.meeting
        self.book.cancel(meeting if isinstance(meeting, Task) else None, now)
        family.meeting = None

    def day(self, settings: IroService, now: float, end: float, today: int) -> None:
        """Today's meetings (``end``: the next working day; ``today``: the working-day count), most overdue first, in the hours there are."""
        book = self.book
        book.bring_back(now)
        task = book.first_due()
        if task is None or task.due >= end:
            return
        kept, time = 1.0 - settings.time_lost_to_absence_share, self._time
        iro_hours = time.hours("iros", today, settings.in_post_fte * settings.hours_per_fte_week * kept)
        minute_hours = (float("inf") if settings.minute_takers_fte is None else time.hours(
            "minute_takers", today, settings.minute_takers_fte * settings.minute_taker_hours_per_fte_week * kept))
        while task is not None and task.due < end:
            conference = task.kind == "icpc"
            share = settings.conferences_put_off_share if conference else settings.reviews_put_off_share
            if share and not task.not_before and task.due >= now and self._put_off.uniform() < share:
                book.put_off(task, now + PUT_OFF_DAYS)  # for other reasons than capacity, once
            else:
                hours = settings.hours_per_conference if conference else settings.hours_per_review
                if hours > iro_hours + 1e-9 or settings.minute_taker_hours_per_meeting > minute_hours + 1e-9:
                    break
                iro_hours -= hours
                minute_hours -= settings.minute_taker_hours_per_meeting
                self._held(book.pop(), settings, now)
            task = book.first_due()
        time.spend("iros", today, iro_hours)
        time.spend("minute_takers", today, minute_hours)

    def _held(self, task: Task, settings: IroService, now: float) -> None:
        day, kind = max(task.due, now), task.kind
        if kind == "cic_review":
            after = settings.cic_second_review_days if task.number == 1 else settings.cic_review_every_days
        else:
            after = settings.cp_first_review_days if kind == "icpc" else settings.cp_review_every_days
        on_time = self.book.redo(task, day, day + after, since=day)
        task.kind = "cic_review" if kind == "cic_review" else "cp_review"
        held = self.month_held[kind]
        held[0] += task.family.size
        held[1] += task.family.size if on_time else 0
