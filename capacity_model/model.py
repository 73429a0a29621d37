"""One replication of the service: families referred, allocated, assessed, planned for, closed.

``Model(scenario, seed, replication, months).run()`` simulates day by day over
calendar dates with SimPy (event-driven: nothing loops over cases each day) and
returns plain data: the monthly scorecard and a balance of children in and out.
It knows nothing of files, the command line or charts.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np
import simpy

from .allocation import AllocationQueue, QueueEntry
from .calendar import YEAR_DAYS, WorkingCalendar, add_months
from .interventions import change_dates
from .distributions import Duration
from .kpis import CaseHolder, ServiceSnapshot, scorecard
from .scenario import WEEKDAYS, LeaverDestinations, Scenario, Stage
from .streams import Fate, FateBank, RandomStreams
from .staffing import Staffing
from .workforce import Worker

SNAPSHOT_EPSILON = 1e-6
"""Snapshots fall at midnight; waits are counted to the end of the day before."""
MEETING_TIME = 10 / 24
"""Allocation meetings are held at 10:00 on their days."""
INTERVENTION_TIME = 1e-4
"""Interventions take effect at the start of their day, just after a midnight snapshot."""


@dataclass(eq=False, slots=True)
class Case:
    """A family: one or more children referred, allocated and moved together.

    ``history`` holds [worker id, from day, to day or None] for every allocation, for
    the count of different social workers a child has had.
    """

    id: int
    size: int
    fate: Fate
    stage: str | None = None
    worker: Worker | None = None
    referral_day: float = 0.0
    queue_entry: QueueEntry | None = None
    allocated: Any = None
    history: list[list[Any]] = field(default_factory=list)
    last_closed_day: float | None = None

    @property
    def unallocated(self) -> bool:
        return self.worker is None and self.queue_entry is not None


class WaitingCount:
    """Children waiting unallocated, kept up to date with its integral over time.

    The time-average over a month (mean number waiting) is steadier than a snapshot and
    is what Little's law relates to the mean wait.
    """

    def __init__(self) -> None:
        self.children = 0
        self._area = 0.0  # children x days since day 0
        self._since = 0.0
        self._marks: dict[float, float] = {0.0: 0.0}

    def change(self, delta: int, now: float) -> None:
        self._area += self.children * (now - self._since)
        self._since = now
        self.children += delta

    def mark(self, now: float) -> None:
        """Remember the integral up to ``now`` (called at every snapshot)."""
        self._marks[now] = self._area + self.children * (now - self._since)

    def mean_between(self, start: float, end: float) -> float:
        """Mean children waiting over [start, end), between two marked times."""
        return (self._marks[end] - self._marks[start]) / (end - start)


@dataclass
class ReplicationResult:
    """What one replication returns: plain rows, cheap to send between processes."""

    replication: int
    kpis: list[tuple[int, str, str, float]]  # (month, ISO date, kpi id, value)
    balance: list[dict[str, float]]  # children in and out of the service at each snapshot
    caseloads: list[tuple[int, int, int]] = field(default_factory=list)  # (month, children held, workers)


class Model:
    """The children's social care service of one scenario, for one replication."""

    def __init__(self, scenario: Scenario, seed: int, replication: int, months: int):
        if months < 1:
            raise ValueError("months must be at least 1")
        self.scenario = scenario
        self.replication = replication
        self.months = months
        # The simulation starts from the initial state on the origin date, warm_up_months
        # before the start date; months before the start date are simulated, not reported.
        self.warm_up_months = scenario.warm_up_months
        self.origin_date = add_months(scenario.start_date, -self.warm_up_months)
        self.simulated_months = self.warm_up_months + months
        self.env = simpy.Environment()
        self.horizon_day = (add_months(scenario.start_date, months) - self.origin_date).days
        self.calendar = WorkingCalendar(self.origin_date, self.horizon_day)
        self.start_day = self.calendar.day_of(scenario.start_date)
        self.streams = RandomStreams(seed, replication)
        self.fates = FateBank(self.streams["family_fates"], self.streams["fate_overflow"])

        # The scenario in force now: the base with the interventions active today. Processes
        # read it when they act; ``scenario_changed`` fires (and is renewed) at every change.
        self.base_scenario = scenario
        self.scenario = scenario.on(self.origin_date)
        self.scenario_changed = self.env.event()
        self.team_of = {stage.value: scenario.team_for(stage) for stage in Stage}
        self.queues = {name: AllocationQueue(name, []) for name in scenario.teams}
        self.open_cases: dict[int, Case] = {}
        self._case_ids = iter(range(1 << 62))
        self.staffing = Staffing(self)

        self._set_sibling_sizes()

        self.children = {"initial": 0, "referred": 0, "closed": 0}
        self._month_referrals = [0, 0]
        self._month_assessments: list[int] = []
        self._month_allocation_waits: list[tuple[int, float]] = []
        self.waiting = WaitingCount()
        self.stage_entries = {stage.value: 0 for stage in Stage}
        self.kpi_rows: list[tuple[int, str, str, float]] = []
        self.balance_rows: list[dict[str, float]] = []
        self.caseload_rows: list[tuple[int, int, int]] = []

    # --- running --------------------------------------------------------------------

    def run(self) -> ReplicationResult:
        self._populate_initial_state()
        self.env.process(self._referrals())
        self.env.process(self._allocation_meetings())
        self.env.process(self._reallocations())
        self.env.process(self._monthly_snapshots())
        if self.base_scenario.interventions:
            self.env.process(self._interventions())
        self.env.run(until=self.horizon_day + 0.5)
        return ReplicationResult(self.replication, self.kpi_rows, self.balance_rows, self.caseload_rows)

    @property
    def _continuous(self) -> bool:
        return self.scenario.allocation.schedule == "continuous"

    @property
    def _above_cap(self) -> bool:
        return self.scenario.allocation.policy == "above_cap_after_wait"

    def _set_sibling_sizes(self) -> None:
        sibling = sorted(self.scenario.referrals.sibling_group_size_probabilities.items())
        self._sizes = [size for size, _ in sibling]
        self._size_cdf = list(np.cumsum([p for _, p in sibling]))

    # --- interventions ------------------------------------------------------------------

    def _interventions(self) -> Iterator[simpy.Event]:
        """Put each dated change into force from the start of its day (just after a snapshot)."""
        for when in change_dates(self.base_scenario):
            day = self.calendar.day_of(when)
            if day <= 0:
                continue
            yield self.env.timeout(day + INTERVENTION_TIME - self.env.now)
            self._apply(self.base_scenario.on(when))

    def _apply(self, scenario: Scenario) -> None:
        old, self.scenario = self.scenario, scenario
        self._set_sibling_sizes()
        self.staffing.scenario_changed(old, scenario)
        changed, self.scenario_changed = self.scenario_changed, self.env.event()
        changed.succeed()
        for team in self.queues:
            self.capacity_changed(team)

    def hazard_wait(self, unit: float, rate: Callable[[], float]) -> Iterator[simpy.Event]:
        """Wait until a clock whose rate per day may change with the scenario has run ``unit``.

        With ``unit`` an exponential number of mean 1 this is the next event of a Poisson
        process of rate ``rate()``; when the rate changes part-way the clock carries on
        at the new rate, so a change takes effect at once and draws no extra numbers. A
        change that leaves the rate as it was leaves the clock exactly as it was.
        """
        remaining = unit
        per_day = rate()
        while True:
            if per_day <= 0:
                yield self.scenario_changed
                per_day = rate()
                continue
            started = self.env.now
            ring = self.env.timeout(remaining / per_day)
            while True:
                yield ring | self.scenario_changed
                if ring.processed:  # (a timeout counts as triggered from the moment it is made)
                    return
                new_rate = rate()
                if new_rate != per_day:
                    break
            remaining = max(remaining - per_day * (self.env.now - started), 0.0)
            per_day = new_rate

    # --- initial state ----------------------------------------------------------------

    def _populate_initial_state(self) -> None:
        initial = self.scenario.initial_state
        rng = self.streams["initial_state"]
        self.staffing.start()
        initial_fates = FateBank(self.streams["initial_fates"], self.streams["fate_overflow"])
        self._schedule_rereferrals_of_earlier_closures(initial_fates)
        for stage in Stage:
            for allocated in (True, False):
                counts = initial.allocated_children if allocated else initial.unallocated_children
                sizes = self._initial_family_sizes(counts.of(stage), rng)
                durations, ages = self._episodes_under_way(self._stage_duration(stage), len(sizes), rng)
                for size, duration, age in zip(sizes, durations, ages):
                    case = Case(next(self._case_ids), size, initial_fates.next_row())
                    self.children["initial"] += size
                    self._open_initial_case(case, stage.value, duration, age, allocated, rng)
        self.staffing.notices_already_handed_in()

    def _schedule_rereferrals_of_earlier_closures(self, fates: FateBank) -> None:
        """Families closed before the start date come back during the run.

        Closures before the start are drawn at the steady-state rate (every referred
        family closes once, so families close as often as they are referred: new ones
        plus re-referrals), and each is re-referred as any closure would be. Without
        them the first year would lack its re-referrals.
        """
        rereferral = self.scenario.rereferral
        referrals = self.scenario.referrals
        if rereferral.probability >= 1 or referrals.families_per_year <= 0:
            return
        rng = self.streams["earlier_closures"]
        closures_per_day = referrals.families_per_year / (1 - rereferral.probability) / YEAR_DAYS
        lookback = WorkingCalendar.LOOKBACK_DAYS
        n = rng.poisson(closures_per_day * lookback)
        closed_at = -lookback * rng.random(n)
        again = rng.random(n) < rereferral.probability
        delays = np.array([rereferral.delay_days.days_at(u) for u in rng.random(n)])
        for closed, back, delay in zip(closed_at, again, delays):
            if back and closed + delay > 0:
                fate = fates.next_row()
                case = Case(next(self._case_ids), self._sibling_size(fate.uniform()), fate)
                case.last_closed_day = float(closed)
                self.env.process(self._rereferral(case, float(closed + delay)))

    def _initial_family_sizes(self, children: int, rng: np.random.Generator) -> list[int]:
        sizes = []
        while children > 0:
            size = min(self._sibling_size(float(rng.random())), children)
            sizes.append(size)
            children -= size
        return sizes

    @staticmethod
    def _episodes_under_way(
        duration: Duration, n: int, rng: np.random.Generator, pool_size: int = 20_000
    ) -> tuple[np.ndarray, np.ndarray]:
        """Durations and elapsed ages of ``n`` episodes open at a random moment.

        An episode open at a given moment is length-biased (long ones are more likely to
        be open) and is uniformly far through; drawing both this way starts the run
        near steady state instead of with every episode just begun.
        """
        if n == 0:
            return np.empty(0), np.empty(0)
        pool = duration.days_at_many(rng.random(pool_size))
        weights = pool / pool.sum() if pool.sum() > 0 else None
        chosen = pool[rng.choice(pool_size, size=n, p=weights)]
        return chosen, chosen * rng.random(n)

    def _open_initial_case(
        self, case: Case, stage: str, duration: float, age: float, allocated: bool, rng: np.random.Generator
    ) -> None:
        calendar = self.calendar
        if stage == Stage.ASSESSMENT.value:
            started = calendar.subtract_working_days(0.0, age)
            ends_at = calendar.add_working_days(0.0, duration - age) if allocated else None
        else:
            started = -age
            ends_at = duration - age
        case.stage = stage
        case.referral_day = started
        self.open_cases[case.id] = case
        team = self.team_of[stage]
        if allocated:
            worker = self.queues[team].best_worker(case.size, above_cap_limit=1 << 30)
            if worker is not None:
                worker.children += case.size
                worker.cases.add(case)
                case.worker = worker
                case.history.append([worker.id, started, None])
        if case.worker is None:
            waited = self.scenario.initial_state.unallocated_waited_working_days.days_at(float(rng.random()))
            queued = min(calendar.subtract_working_days(0.0, waited), 0.0)
            if stage == Stage.ASSESSMENT.value:
                case.referral_day = queued
                ends_at = None  # waiting: the assessment starts when someone is allocated
            self.waiting.change(case.size, 0.0)
            self._queue(case, queued)
        self.env.process(self._journey(case, stage, ends_at))

    # --- referrals --------------------------------------------------------------------

    def _referrals(self) -> Iterator[simpy.Event]:
        """New families arrive as a Poisson process (or evenly), thinned for monthly seasonality."""
        rng = self.streams["referral_arrivals"]

        def season(referrals) -> list[float]:
            return referrals.monthly_seasonality or [1.0] * 12

        def candidates_per_day() -> float:
            referrals = self.scenario.referrals
            return referrals.families_per_year / YEAR_DAYS * max(season(referrals))

        while True:
            regular = self.scenario.referrals.arrival_process == "regular"
            yield from self.hazard_wait(1.0 if regular else float(rng.exponential()), candidates_per_day)
            referrals = self.scenario.referrals
            this_month = season(referrals)[self.calendar.date_of(self.env.now).month - 1]
            keep = (1.0 if regular else rng.random()) * max(season(referrals)) <= this_month + 1e-12
            if keep:
                fate = self.fates.next_row()
                case = Case(next(self._case_ids), self._sibling_size(fate.uniform()), fate)
                self._refer(case)

    def _sibling_size(self, u: float) -> int:
        return self._sizes[min(bisect.bisect_right(self._size_cdf, u), len(self._sizes) - 1)]

    def _refer(self, case: Case) -> None:
        now = self.env.now
        rereferral = case.last_closed_day is not None and now - case.last_closed_day <= YEAR_DAYS
        self.children["referred"] += case.size
        self._month_referrals[0] += case.size
        self._month_referrals[1] += case.size if rereferral else 0
        case.referral_day = now
        case.stage = Stage.ASSESSMENT.value
        self.stage_entries[case.stage] += case.size
        self.open_cases[case.id] = case
        self.waiting.change(case.size, now)
        self._queue(case, now)
        self.env.process(self._journey(case, case.stage))

    def _rereferral(self, case: Case, delay: float) -> Iterator[simpy.Event]:
        yield self.env.timeout(delay)
        self._refer(case)

    # --- a family's journey -------------------------------------------------------------

    def _journey(self, case: Case, stage: str, stage_ends_at: float | None = None) -> Iterator[simpy.Event]:
        """Carry a family from ``stage`` to closure, one pathway step at a time.

        Parameters are read from the scenario in force when each step starts or ends.
        """
        env = self.env
        next_stage: str | None
        while True:
            if stage == Stage.ASSESSMENT.value:
                if case.worker is None:
                    yield case.allocated  # the assessment starts when a social worker has the case
                if stage_ends_at is None:
                    working_days = self.scenario.pathway.assessment_working_days.days_at(case.fate.uniform())
                    stage_ends_at = self.calendar.add_working_days(env.now, working_days)
                yield env.timeout(stage_ends_at - env.now)
                self._month_assessments.append(self.calendar.working_days_between(case.referral_day, env.now))
                next_stage = self.scenario.pathway.assessment_outcomes.choose(case.fate.uniform())
            else:
                if stage_ends_at is None:
                    stage_ends_at = env.now + self._stage_duration(Stage(stage)).days_at(case.fate.uniform())
                yield env.timeout(max(stage_ends_at - env.now, 0.0))
                pathway = self.scenario.pathway
                ends = pathway.cin_plan_ends if stage == "cin" else pathway.cp_plan_ends if stage == "cp" else None
                next_stage = ends.choose(case.fate.uniform()) if ends is not None else "close"
            stage_ends_at = None
            if next_stage in ("close", "no_further_action"):
                self._close(case)
                return
            self._change_stage(case, next_stage)
            stage = next_stage

    def _stage_duration(self, stage: Stage) -> Duration:
        pathway = self.scenario.pathway
        return {
            Stage.ASSESSMENT: pathway.assessment_working_days,
            Stage.CIN: pathway.cin_plan_days,
            Stage.CP: pathway.cp_plan_days,
            Stage.CIC: pathway.cic_episode_days,
        }[stage]

    def _change_stage(self, case: Case, stage: str) -> None:
        """Move a family to a new stage; a new team means a transfer to a new social worker.

        During a transfer the sending worker keeps the children until the receiving
        team allocates them, so a transfer never makes a child unallocated.
        """
        case.stage = stage
        self.stage_entries[stage] += case.size
        held_by = case.worker.team if case.worker is not None else None
        if case.queue_entry is not None:  # already waiting: wait in the right team, same clock
            queued_day = case.queue_entry.queued_day
            case.queue_entry.cancel()
            case.queue_entry = None
            if held_by != self.team_of[stage]:
                self._queue(case, queued_day)
        elif held_by != self.team_of[stage]:
            self._queue(case, self.env.now)

    def _close(self, case: Case) -> None:
        now = self.env.now
        if case.queue_entry is not None:
            case.queue_entry.cancel()
            case.queue_entry = None
        if case.worker is None:
            self.waiting.change(-case.size, now)
        self._release(case)
        del self.open_cases[case.id]
        case.stage = None
        case.last_closed_day = now
        self.children["closed"] += case.size
        rereferral = self.scenario.rereferral
        if case.fate.uniform() < rereferral.probability:
            self.env.process(self._rereferral(case, rereferral.delay_days.days_at(case.fate.uniform())))

    # --- allocation -------------------------------------------------------------------

    def _queue(self, case: Case, queued_day: float) -> None:
        team = self.team_of[case.stage]
        case.queue_entry = self.queues[team].push(case, case.stage, queued_day)
        if case.worker is None and (case.allocated is None or case.allocated.triggered):
            case.allocated = self.env.event()
        if self._continuous:
            self._allocate(team)

    def _release(self, case: Case, allocate: bool = True) -> None:
        """The family's social worker stops holding it (the room freed is used at once if continuous)."""
        worker = case.worker
        if worker is None:
            return
        worker.children -= case.size
        worker.cases.discard(case)
        case.history[-1][2] = self.env.now
        case.worker = None
        if allocate:
            self.capacity_changed(worker.team)

    def capacity_changed(self, team: str) -> None:
        """Room has appeared in a team (a release, a joiner, a return): allocate now if continuous."""
        if self._continuous:
            self._allocate(team)

    def hand_back(self, worker: Worker) -> None:
        """A worker stops holding cases: each family needs a new social worker.

        Families are reallocated at once where the team has room (a reallocation
        meeting on the day), otherwise they wait unallocated from today.
        """
        for case in sorted(worker.cases, key=lambda c: c.id):
            self._release(case)
            self.waiting.change(case.size, self.env.now)
            if case.queue_entry is None:
                self._queue(case, self.env.now)
        self._allocate(worker.team)

    def _allocate(self, team: str) -> None:
        policy = self.scenario.allocation
        now = self.env.now
        def long_enough(entry: QueueEntry) -> bool:
            return self.calendar.working_days_between(entry.queued_day, now) >= policy.above_cap_after_working_days

        waited_enough = long_enough if self._above_cap else None
        for entry, worker in self.queues[team].allocate(waited_enough, policy.absolute_max_caseload):
            case = entry.case
            case.queue_entry = None
            if case.worker is None:  # unallocated until now (a transfer always had a worker)
                self._month_allocation_waits.append((case.size, now - entry.queued_day))
                self.waiting.change(-case.size, now)
            self._release(case)  # a transfer: the sending worker hands over
            case.worker = worker
            case.history.append([worker.id, now, None])
            if case.allocated is not None and not case.allocated.triggered:
                case.allocated.succeed()

    def _allocation_meetings(self) -> Iterator[simpy.Event]:
        """Meetings on the scenario's weekdays; a change of days applies from the day it is made."""
        def meeting_days() -> frozenset[int]:
            return frozenset(WEEKDAYS.index(day) for day in self.scenario.allocation.meeting_weekdays)

        while True:
            weekdays = meeting_days()
            # the next meeting time still to come (today's, if it has not been held yet)
            day = self.calendar.next_day_on(self.env.now - MEETING_TIME + 1e-9, weekdays)
            meeting = self.env.timeout(day + MEETING_TIME - self.env.now)
            while not meeting.processed:
                yield meeting | self.scenario_changed
                if not meeting.processed and meeting_days() != weekdays:
                    break  # new meeting days: work the next meeting out again
            if not meeting.processed:
                continue
            if not self._continuous:
                for team in self.queues:
                    self._allocate(team)

    def _reallocations(self) -> Iterator[simpy.Event]:
        """Monthly, some families move to another worker in their team (rebalancing, restructures).

        Each allocated family moves with probability 1 - exp(-rate x month / 365), to the
        colleague with most spare capacity who has room; if nobody has room it stays.
        """
        rng = self.streams["reallocations"]
        start = self.origin_date
        for month in range(self.simulated_months):
            when, after = add_months(start, month), add_months(start, month + 1)
            yield self.env.timeout(self.calendar.day_of(when) + 0.5 - self.env.now)
            rate = self.scenario.allocation.reallocations_per_family_year
            if rate <= 0:
                continue
            p_move = 1.0 - math.exp(-rate * (after - when).days / YEAR_DAYS)
            now = self.env.now
            for case in sorted(self.open_cases.values(), key=lambda c: c.id):
                if rng.random() >= p_move or case.worker is None or case.queue_entry is not None:
                    continue
                colleagues = [w for w in self.queues[case.worker.team].workers
                              if w is not case.worker and w.can_hold_cases and w.spare >= case.size]
                if colleagues:
                    new = max(colleagues, key=lambda w: (w.spare, -w.id))
                    self._release(case, allocate=False)  # the move happens before anyone else is allocated
                    new.children += case.size
                    new.cases.add(case)
                    case.worker = new
                    case.history.append([new.id, now, None])
                    self.capacity_changed(new.team)

    # --- monitoring -------------------------------------------------------------------

    def _monthly_snapshots(self) -> Iterator[simpy.Event]:
        """A snapshot every month end from the origin; those from the start date are reported.

        Month 0 is the start date; its flows (referrals, costs, ...) are not reported,
        as they would cover a month before the start.
        """
        previous = 0.0
        for simulated_month in range(self.simulated_months + 1):
            when = add_months(self.origin_date, simulated_month)
            yield self.env.timeout(self.calendar.day_of(when) - self.env.now)
            month = simulated_month - self.warm_up_months
            snapshot = self._snapshot(previous if month > 0 else None)
            previous = self.env.now
            if month < 0:
                continue
            for kpi, value in scorecard(snapshot).items():
                self.kpi_rows.append((month, when.isoformat(), kpi, value))
            held = Counter(h.children for h in snapshot.case_holders if not h.long_term_absent)
            self.caseload_rows.extend((month, children, n) for children, n in sorted(held.items()))
            unallocated = sum(c.size for c in self.open_cases.values() if c.worker is None)
            staff = self.staffing.workers()
            self.balance_rows.append({
                "month": month,
                **{f"children_{k}": v for k, v in self.children.items()},
                "children_allocated": sum(c.size for c in self.open_cases.values()) - unallocated,
                "children_unallocated": unallocated,
                **{f"staff_{k}": v for k, v in self.staffing.counts.items()},
                "staff_in_post": len(staff),
                "staff_permanent_in_post": sum(1 for w in staff if w.permanent),
                **{f"permanent_leavers_to_{where}": sum(1 for l in self.staffing.leavers if l.destination == where)
                   for where in LeaverDestinations.model_fields},
                "internal_moves": self.staffing.internal_moves,
                **{f"stage_{stage.value}_children": sum(c.size for c in self.open_cases.values()
                                                         if c.stage == stage.value) for stage in Stage},
                **{f"stage_{stage}_entries": n for stage, n in self.stage_entries.items()},
            })

    def _snapshot(self, month_start: float | None) -> ServiceSnapshot:
        """The service at this month end; flows over [month_start, now) unless this is month 0."""
        now = self.env.now
        cutoff = now - SNAPSHOT_EPSILON
        workers = self.staffing.workers()
        managers = self.scenario.workforce.team_managers
        case_holding_posts = sum(team.posts_fte for team in self.scenario.teams.values())
        open_children = {stage.value: 0 for stage in Stage}
        waits = []
        social_workers = []
        window_start = now - YEAR_DAYS
        for case in self.open_cases.values():
            if case.worker is None:
                waits.append((case.size, self.calendar.working_days_between(case.queue_entry.queued_day, cutoff)))
            else:
                open_children[case.stage] += case.size
            recent = {w for w, _, until in case.history if until is None or until >= window_start}
            social_workers.append((case.size, len(recent), case.stage))
        self.staffing.permanent_fte_history.append((now, self.staffing.permanent_fte()))
        leavers_fte, mean_permanent_fte = self.staffing.turnover_inputs(now)
        flows = month_start is not None
        self.waiting.mark(now)
        costs = self.staffing.costs
        snapshot = ServiceSnapshot(
            case_holders=[CaseHolder(w.team, w.kind, w.fte, w.children, w.long_term_absent) for w in workers],
            establishment_fte=case_holding_posts + managers.posts_fte,
            establishment_case_holding_fte=case_holding_posts,
            non_case_holding_in_post_fte=managers.in_post_fte,
            team_managers_fte=managers.in_post_fte,
            unallocated_waits=waits,
            open_children=open_children,
            children_social_workers_12m=social_workers,
            permanent_leavers_fte_12m=leavers_fte,
            mean_permanent_fte_12m=mean_permanent_fte,
            assessments_completed=self._month_assessments if flows else None,
            allocation_waits=self._month_allocation_waits if flows else None,
            mean_unallocated=self.waiting.mean_between(month_start, now) if flows else None,
            referrals=tuple(self._month_referrals) if flows else None,
            costs=costs.between(month_start, now) if flows else None,
            cumulative_cost=sum(costs.between(self.start_day, now).values()) if flows else None,
            absence=(self.staffing.absent_fte_days(month_start, now),
                     costs.fte_days(("permanent", "agency", "interim"), month_start, now)) if flows else None,
        )
        self._month_assessments = []
        self._month_allocation_waits = []
        self._month_referrals = [0, 0]
        return snapshot


def run_replication(scenario: Scenario, seed: int, replication: int, months: int) -> ReplicationResult:
    """Simulate one replication: the function parallel workers call."""
    return Model(scenario, seed, replication, months).run()
