"""The monitor: what the service looks like at each month end, handed on as plain observations.

A snapshot every month end from the origin; those from the start date on are reported
as ``MonthEnd`` observations (the KPIs are computed from them in ``measures``, not
here). Month 0 is the start date; its flows (referrals, costs, ...) are not reported,
as they would cover a month before the start.
"""

from __future__ import annotations

from typing import Any, Callable

from simpy.events import ProcessGenerator

from ..measures import CaseHolder, MonthEnd, ServiceSnapshot
from ..scenario import Stage
from ..scenario.calendar import YEAR_DAYS
from ..scenario.workforce import LeaverDestinations
from .costs import CostLedger
from .day_plan import SNAPSHOT, SNAPSHOT_EPSILON
from .environment import Environment
from .horizon import Horizon
from .in_force import ScenarioInForce
from .oversight import Oversight
from .tally import Tally
from .workforce import Workforce

CASE_HOLDER_COSTS = ("permanent", "agency", "interim")
"""Cost categories of case-holding social workers: the FTE-days in post that absence is measured against."""


class Monitor:
    def __init__(self, env: Environment, in_force: ScenarioInForce, horizon: Horizon, tally: Tally,
                 workforce: Workforce, ledger: CostLedger,
                 desk_moves: dict[str, list[int]], emit: Callable[[MonthEnd], None],
                 oversight: Oversight | None = None):
        self.env = env
        self.in_force = in_force
        self._horizon = horizon
        self._tally = tally
        self._workforce = workforce
        self._ledger = ledger
        self._desk_moves = desk_moves
        self._emit = emit
        self._oversight = oversight
        self._permanent_fte_history: list[tuple[float, float]] = []  # (day, permanent FTE) at snapshots

    def snapshots(self) -> ProcessGenerator:
        horizon = self._horizon
        previous = 0.0
        for simulated_month in range(horizon.simulated_months + 1):
            when = horizon.month_start(simulated_month)
            yield self.env.timeout(horizon.calendar.day_of(when) + SNAPSHOT - self.env.now)
            month = simulated_month - horizon.warm_up_months
            if month < 0:  # a warm-up month: only what later months' measures need
                self._mark()
                self._tally.new_month()
            else:
                service = self._snapshot(previous if month > 0 else None)
                self._emit(MonthEnd(month, when.isoformat(), service, self._balance(month)))
            previous = self.env.now

    def _mark(self) -> None:
        """What every month end records for the months after it: permanent FTE, the waiting count's integral."""
        now = self.env.now
        self._permanent_fte_history.append((now, self._workforce.register.permanent_fte()))
        self._tally.waiting.mark(now)

    def _snapshot(self, month_start: float | None) -> ServiceSnapshot:
        """The service at this month end; flows over [month_start, now) unless this is month 0."""
        now = self.env.now
        cutoff = now - SNAPSHOT_EPSILON
        calendar = self._horizon.calendar
        scenario = self.in_force.scenario
        register = self._workforce.register
        tally = self._tally
        workers = register.workers()
        managers = scenario.workforce.team_managers
        case_holding_posts = sum(team.posts_fte for team in scenario.teams.values())
        open_children = dict(tally.in_stage)  # allocated: less those waiting
        waits = []
        for family in tally.waiting.families.values():
            assert family.stage is not None and family.unallocated_since is not None  # open and waiting
            open_children[family.stage] -= family.size
            waits.append((family.size, calendar.working_days_between(family.unallocated_since, cutoff)))
        self._mark()
        leavers_fte, mean_permanent_fte = self._turnover_inputs(now)
        flows = self._flows(month_start, now) if month_start is not None else {}
        snapshot = ServiceSnapshot(
            case_holders=[CaseHolder(w.team, w.kind, w.fte, w.children, w.long_term_absent) for w in workers],
            establishment_fte=case_holding_posts + managers.posts_fte,
            establishment_case_holding_fte=case_holding_posts,
            non_case_holding_in_post_fte=managers.in_post_fte,
            team_managers_fte=managers.in_post_fte,
            unallocated_waits=waits,
            open_children=open_children,
            children_in_stage=dict(tally.in_stage),
            children_many_social_workers_12m=self._many_social_workers(now - YEAR_DAYS),
            permanent_leavers_fte_12m=leavers_fte,
            mean_permanent_fte_12m=mean_permanent_fte,
            oversight=self._oversight.snapshot(cutoff, bool(flows)) if self._oversight is not None else None,
            **flows,
        )
        tally.new_month()
        return snapshot

    def _flows(self, month_start: float, now: float) -> dict[str, Any]:
        """What happened in the month [month_start, now): the snapshot's flows."""
        tally, ledger = self._tally, self._ledger
        return dict(
            assessments_completed=tally.month_assessments,
            allocation_waits=tally.month_allocation_waits,
            mean_unallocated=tally.waiting.mean_between(month_start, now),
            referrals=(tally.month_referrals[0], tally.month_referrals[1]),
            costs=ledger.between(month_start, now),
            cumulative_cost=sum(ledger.between(self._horizon.start_day, now).values()),
            absence=(self._workforce.absence.absent_fte_days(month_start, now),
                     ledger.fte_days(CASE_HOLDER_COSTS, month_start, now)),
        )

    def _many_social_workers(self, window_start: float) -> dict[str, int]:
        """Open children by stage who have had ``tally.MANY_SOCIAL_WORKERS`` or more different social workers
        since ``window_start``: those whose history shows that many in a window starting then or later
        (``Family.many_until``). A family whose latest such window started before it never will again, unless
        it has another social worker, when ``Tally.history_grew`` lists it again."""
        many = {stage.value: 0 for stage in Stage}
        candidates = self._tally.many_social_workers
        for family in list(candidates.values()):
            assert family.stage is not None  # open
            if family.many_until >= window_start:
                many[family.stage] += family.size
            else:
                del candidates[family.id]
        return many

    def _turnover_inputs(self, now: float) -> tuple[float, float | None]:
        """Permanent FTE leavers and mean permanent FTE over the last 12 months.

        Before a year has been run, leavers are annualised from the months run so far.
        """
        window = min(YEAR_DAYS, now)
        if window <= 0:
            return 0.0, None
        leavers = self._workforce.register.leavers
        left = sum(l.fte for l in leavers if now - window < l.day <= now) * YEAR_DAYS / window
        recent = [fte for day, fte in self._permanent_fte_history if day >= now - YEAR_DAYS - 1]
        return left, (sum(recent) / len(recent) if recent else None)

    def _balance(self, month: int) -> dict[str, float]:
        """Children and staff in and out since the origin, and children by stage: for conservation checks."""
        register = self._workforce.register
        tally = self._tally
        unallocated = tally.waiting.children
        staff = register.workers()
        return {
            "month": month,
            **{f"children_{k}": v for k, v in tally.children.items()},
            "children_allocated": sum(tally.in_stage.values()) - unallocated,
            "children_unallocated": unallocated,
            **{f"staff_{k}": v for k, v in register.counts.items()},
            "staff_in_post": len(staff),
            "staff_permanent_in_post": sum(1 for w in staff if w.permanent),
            **{f"permanent_leavers_to_{where}": sum(1 for l in register.leavers if l.destination == where)
               for where in LeaverDestinations.model_fields},
            "internal_moves": register.internal_moves,
            "within_team_moves_drawn": sum(drawn for drawn, _ in self._desk_moves.values()),
            "within_team_moves_made": sum(made for _, made in self._desk_moves.values()),
            **{f"stage_{stage}_children": n for stage, n in tally.in_stage.items()},
            **{f"stage_{stage}_entries": n for stage, n in tally.stage_entries.items()},
            **(self._oversight.balance(self.env.now) if self._oversight is not None else {}),
        }
