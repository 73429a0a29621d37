"""Calendar dates and working days (weekends and England bank holidays excluded).

Simulation time is in days from the calendar's first date (day 0 at 00:00); the
fraction of a day is the time of day, which the engine's day plan sets. Statutory
clocks (assessments within 45 working days, unallocated over 5 working days) count
working days, so the calendar turns between the two.
"""

from __future__ import annotations

import bisect
import math
from datetime import date, timedelta
from typing import Final, Iterator

import holidays
import numpy as np

YEAR_DAYS: Final = 365.0
"""Days in a year for rates given per year (leap days are not counted separately)."""


def add_months(start: date, months: int) -> date:
    """The same day of the month ``months`` later (clipped to the month's last day)."""
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    month += 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class WorkingCalendar:
    """Maps simulation days to dates and counts working days between them.

    It covers ``LOOKBACK_DAYS`` before the start date (children open on the start
    date were referred before it) and three years past the horizon (clocks that run
    beyond the end of a run still resolve).
    """

    LOOKBACK_DAYS: Final = 3 * 366

    def __init__(self, start: date, horizon_days: int):
        self.start = start
        self._offset = self.LOOKBACK_DAYS
        self._n = self._offset + horizon_days + 3 * 366
        self._last = self._n - 1
        first = start - timedelta(days=self._offset)
        bank_holidays = holidays.country_holidays("GB", subdiv="ENG", years=range(first.year, first.year + self._n // 365 + 2))
        days = [first + timedelta(days=i) for i in range(self._n)]
        self._is_working_day = np.array([d.weekday() < 5 and d not in bank_holidays for d in days], dtype=bool)
        # _working_days_before[i]: working days in calendar indices 0 .. i-1
        self._working_days_before = np.concatenate([[0], np.cumsum(self._is_working_day)]).astype(np.int64)
        self._weekday = np.array([d.weekday() for d in days], dtype=np.int8)
        self._before: list[int] = self._working_days_before.tolist()  # the same, for one value at a time
        self._months: list[int] = [d.month for d in days]
        self._clock_end_lists: dict[tuple[int, float], list[float]] = {}  # see clock_end_list

    def _index(self, day: float) -> int:
        """Calendar index of the day containing simulation time ``day``, kept in range."""
        index = math.floor(day) + self._offset
        return 0 if index < 0 else self._last if index > self._last else index

    def date_of(self, day: float) -> date:
        return self.start + timedelta(days=math.floor(day))

    def month_of(self, day: float) -> int:
        """The calendar month (1 to 12) of simulation time ``day``."""
        return self._months[self._index(day)]

    def day_of(self, when: date) -> int:
        return (when - self.start).days

    def is_working_day(self, day: float) -> bool:
        return bool(self._is_working_day[self._index(day)])

    def working_days_from(self, day: int) -> Iterator[tuple[int, int, int]]:
        """Each working day on or after ``day``, to the calendar's end: (the day, ``working_days_between(0,
        the day)``, the next working day)."""
        first = self._index(day)
        indices = (np.flatnonzero(self._is_working_day[first:]) + first).tolist()
        before, zero = self._before, self._before[self._offset + 1]
        for index, following in zip(indices, indices[1:]):
            yield index - self._offset, before[index + 1] - zero, following - self._offset

    def working_days_between(self, start_day: float, end_day: float) -> int:
        """Working days after the day of ``start_day``, up to and including the day of ``end_day``.

        A child referred on a Monday and still waiting late on Tuesday has waited one
        working day. A snapshot taken at midnight should pass a time just before it.
        """
        first = self._index(start_day) + 1
        last = self._index(end_day) + 1
        return self._before[last] - self._before[first] if last > first else 0

    def waited_at_least(self, now: float, working_days: int) -> float:
        """The time before which a clock must have started to have run ``working_days`` by ``now``:
        ``working_days_between(start, now) >= working_days`` exactly when ``start`` is earlier."""
        target = self._before[self._index(now) + 1] - working_days
        last = bisect.bisect_right(self._before, target) - 1  # before[last] <= target
        return float(last - self._offset)  # a start on calendar index last - 1 or earlier

    def add_working_days(self, day: float, working_days: float, *, at: float) -> float:
        """The time at which a clock of ``working_days`` started at ``day`` runs out.

        The clock runs out at time of day ``at`` (a fraction of the day, late enough that
        the day's work is done) of the working day it expires on, so
        ``working_days_between`` from ``day`` to the result gives back the duration.
        Fractions of a working day round up; zero ends at once.
        """
        if working_days <= 0:
            return float(day)
        needed = self._before[self._index(day) + 1] + math.ceil(working_days)
        index = bisect.bisect_left(self._before, needed)
        return max(float(day), index - 1 - self._offset + at)

    def clock_ends(self, working_days: int, *, at: float) -> tuple[np.ndarray, int]:
        """``add_working_days(day, working_days, at=at)`` for every whole day the calendar covers, at once:
        (the ends, by calendar index; the index of day 0). For a clock started at whole day ``d`` in range,
        ``ends[offset + d]``."""
        days = np.arange(self._n, dtype=np.float64) - self._offset
        if working_days <= 0:
            return days, self._offset
        before = self._working_days_before
        found = np.searchsorted(before, before[1:] + math.ceil(working_days), side="left")
        return np.maximum(days, found - 1 - self._offset + at), self._offset

    def clock_end_list(self, working_days: int, *, at: float) -> tuple[list[float], int]:
        """``clock_ends`` as a list of floats, for a clock looked up one day at a time, worked out once for each
        ``working_days`` and ``at`` in the calendar's life (a calendar is shared, ``working_calendar``)."""
        key = (working_days, at)
        ends = self._clock_end_lists.get(key)
        if ends is None:
            ends = self._clock_end_lists[key] = self.clock_ends(working_days, at=at)[0].tolist()
        return ends, self._offset

    def subtract_working_days(self, day: float, working_days: float, *, at: float) -> float:
        """A time ``working_days`` working days before ``day``, at time of day ``at``."""
        needed = self._before[self._index(day) + 1] - math.ceil(working_days)
        index = bisect.bisect_left(self._before, max(needed, 0))
        return min(float(day), index - 1 - self._offset + at)

    def next_day_on(self, day: float, weekdays: frozenset[int]) -> int:
        """The first working day on or after ``day`` whose weekday is in ``weekdays``."""
        i = self._index(math.ceil(day))
        while i < self._n - 1 and not (self._is_working_day[i] and self._weekday[i] in weekdays):
            i += 1
        return i - self._offset


_CALENDARS: dict[tuple[date, int], WorkingCalendar] = {}


def working_calendar(start: date, horizon_days: int) -> WorkingCalendar:
    """``WorkingCalendar(start, horizon_days)``, made once in a process and shared after (a calendar never
    changes; making one looks up three years of bank holidays, a few milliseconds every replication)."""
    calendar = _CALENDARS.get((start, horizon_days))
    if calendar is None:
        calendar = _CALENDARS[(start, horizon_days)] = WorkingCalendar(start, horizon_days)
    return calendar
