"""Oversight and practice capacity: statutory visits, case supervision and the IRO service.

Three rounds, each a book of tasks with due days (``tasks.py``; visits and supervision in due tables,
a slot per family and the tasks due kept in order, ``due_table.py``) met each working day by someone's time: social workers' visits
(``visits.py``), team managers' supervision (``supervision.py``) and IROs' conferences
and reviews (``iro_service.py``). The pathway tells ``Oversight`` when a family opens,
changes stage and closes; each working day at ``day_plan.OVERSIGHT_DAY`` an alarm does the day's work (and
sets the next day's), rather than a process per task. Nothing here changes what
happens to families or staff: it measures what the time available gets done. Randomness
(the origin's spread of due days) comes from its own stream, so the rest of a run is the
same with the layer on or off.
"""

from __future__ import annotations


from typing import Final, Iterator

from simpy.events import ProcessGenerator

from ...measures import OversightSnapshot
from ...scenario import Scenario
from ...scenario.oversight import Oversight as OversightSettings
from ..day_plan import OVERSIGHT_DAY
from ..environment import Alarm, Environment
from ..family import Family
from ..horizon import Horizon
from ..in_force import ScenarioInForce
from ..streams import RandomStreams
from ..workforce.support import Support
from .iro_service import MEETINGS, IroMeetings
from .supervision import SupervisionRound
from .visits import STAGE_CODE, VisitRound

EVERY_DAY: Final = frozenset(range(7))


class Oversight:
    """The oversight layer of one replication (only built when the scenario has an ``oversight`` section)."""

    def __init__(self, env: Environment, in_force: ScenarioInForce, horizon: Horizon,
                 streams: RandomStreams, support: Support):
        self.env = env
        self._horizon = horizon
        self._spread = streams.uniforms("oversight")
        self.visits = VisitRound(horizon.calendar, support)
        self.supervision = SupervisionRound()
        self.meetings = IroMeetings(horizon.calendar, streams.uniforms("oversight_meetings"))
        self._working_days: Iterator[tuple[int, int, int]] = iter(())  # the working days to come (see days)
        in_force.read(self._read)

    def _read(self, scenario: Scenario) -> None:
        """The scenario in force's oversight section (the layer is only built with one)."""
        settings = scenario.oversight
        assert settings is not None
        self.settings: OversightSettings = settings
        self._managers_fte = scenario.workforce.team_managers.in_post_fte
        self.visits.use(settings.visits)
        self.supervision.use(settings.supervision)
        self.meetings.use(settings.iro_service)

    def opened(self, family: Family, now: float, at_origin: bool = False, stage_started: float | None = None) -> None:
        """A family is referred ``now`` (or, ``at_origin``, was already open at the origin, in a stage begun on
        ``stage_started``: due days spread over intervals)."""
        supervision: float | None = None
        visit: float | None = None
        meeting: float | None = None
        if at_origin:  # spread from the first working day, so that none is overdue before any work is done
            now = float(self._horizon.calendar.next_day_on(now, EVERY_DAY))
            spread = self._spread
            supervision, visit, meeting = spread.uniform(), spread.uniform(), spread.uniform()
        self.supervision.start(family, now, supervision)
        if family.stage in STAGE_CODE:  # a stage with visits (and, in Child Protection or care, meetings)
            self.visits.start(family, now, visit,
                              since=stage_started if stage_started is not None else family.referral_day)
            self.meetings.start(family, now, meeting)
        else:  # an assessment
            family.visit = family.meeting = None

    def let_go(self) -> None:
        """At the end of a replication: every family's next visit, supervision and meeting."""
        self.visits.table.let_go()
        self.supervision.table.let_go()
        self.meetings.book.let_go()

    def stage_changed(self, family: Family, now: float) -> None:
        self.visits.stop(family, now)
        self.meetings.stop(family, now)
        self.visits.start(family, now)
        self.meetings.start(family, now)

    def closed(self, family: Family, now: float) -> None:
        self.supervision.stop(family, now)
        if family.visit is not None:
            self.visits.stop(family, now)
        if family.meeting is not None:
            self.meetings.stop(family, now)

    def days(self) -> ProcessGenerator:
        """Every working day at ``OVERSIGHT_DAY``: the day's visits, supervision and meetings, in the time each has.
        Each day is an alarm that sets the next (no process resumed, no ``Timeout`` made, a day); this process only
        sets the first, in its first step, as it did when each day was the process's own wait."""
        self._working_days = self._horizon.calendar.working_days_from(0)
        self._day_later()
        yield from ()

    def _day_later(self) -> None:
        """The next working day's rounds (none after the calendar's last)."""
        upcoming = next(self._working_days, None)
        if upcoming is not None:
            day, today, following = upcoming
            OversightDay(self, today, following, day + OVERSIGHT_DAY - self.env.now)

    def _day(self, today: int, following: int) -> None:
        """A working day's rounds (``today``: the working-day count; tasks due before ``following``, the next
        working day, are today's), then the next day's set."""
        now = self.env.now
        end = float(following)
        self.visits.day(now, end, today)
        self.supervision.day(self._managers_fte, now, end, today)
        self.meetings.day(now, end, today)
        self._day_later()

    def snapshot(self, cutoff: float, flows: bool) -> OversightSnapshot:
        """Children up to date at ``cutoff`` and, if ``flows``, the month's meetings (then started afresh)."""
        visits = self.visits.table.children_by_stage(cutoff)
        held = self.meetings.month_held
        self.meetings.month_held = {kind: [0, 0] for kind in MEETINGS}
        return OversightSnapshot(
            visits=visits,
            supervised=self.supervision.table.children(cutoff),
            meetings={kind: (n, on_time) for kind, (n, on_time) in held.items()} if flows else None,
            iro_children=visits["cp"][0] + visits["cic"][0],
            iro_fte=self.settings.iro_service.in_post_fte,
        )

    def balance(self, now: float) -> dict[str, int]:
        """Every book's tasks set, ended each way and open (for conservation checks and ``balance.csv``)."""
        counts: dict[str, int] = {}
        for name, book, open_tasks in (
                ("visits", self.visits.table, self.visits.table.open_tasks(now)),
                ("supervision", self.supervision.table, self.supervision.table.open_tasks(now)),
                ("meetings", self.meetings.book, self.meetings.book.open_tasks(now))):
            counts.update({f"{name}_{ending}": n for ending, n in book.counts.items()})
            counts[f"{name}_open_not_due"], counts[f"{name}_open_overdue"] = open_tasks
        return counts


class OversightDay(Alarm):
    """A working day's oversight rounds."""

    __slots__ = ("oversight", "today", "following")

    def __init__(self, oversight: Oversight, today: int, following: int, delay: float) -> None:
        self.oversight = oversight
        self.today = today
        self.following = following
        super().__init__(oversight.env, delay)

    def rang(self) -> None:
        self.oversight._day(self.today, self.following)
