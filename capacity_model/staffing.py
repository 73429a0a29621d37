"""Who is in post and how that changes: leavers, recruitment, agency, absence, interim team, support.

``Staffing`` runs the workforce side of one replication. Once a month (just after
the snapshot) a workforce review decides who resigns, which agency workers move on
or convert to permanent, which posts are advertised and which gaps are offered to
the agency market. Absence spells, notice periods, starts and the interim team are
events in between. Whenever a social worker stops holding cases (leaving, long-term
absence, the end of the interim team) their families go back to the model, which
reallocates each to a new social worker or queues them as unallocated.

How support staff become capacity: a Social Work Support Officer, contact worker or
business support officer takes on a share of the supported social workers' work
(``time_freed_share``). A supported worker's workload per child falls to
1 - (sum over roles of coverage x share), where coverage is the share of the team's
case-holders the role's FTE can support. The caseload cap applies to workload, so a
supported worker can be allocated cap / workload-per-child children, and the
caseload pressure that drives leaving is measured in workload too. Freed time thus
lets the same social workers hold more children at the same workload; the plan's
caseload measure (children per worker) is unchanged in definition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

import simpy

from .calendar import YEAR_DAYS, add_months
from .costs import CostLedger
from .workforce import Worker, caseload_cap

if TYPE_CHECKING:
    from .model import Model

REVIEW_TIME = 0.01
"""The monthly workforce review falls just after the month-end snapshot."""
MAX_WORKLOAD_REDUCTION = 0.5


@dataclass(frozen=True, slots=True)
class Leaver:
    day: float
    fte: float
    kind: str
    destination: str


class Staffing:
    """The case-holding workforce of one replication, and its costs."""

    def __init__(self, model: "Model"):
        self.model = model
        self.env: simpy.Environment = model.env
        self.calendar = model.calendar
        self.queues = model.queues
        self.costs = CostLedger()
        self.leavers: list[Leaver] = []
        self.absence_spells: list[list[float]] = []  # [start, end or None, fte]
        self.counts = {"initial": 0, "joined": 0, "left": 0,
                       "permanent_initial": 0, "permanent_joined": 0, "permanent_left": 0}
        self.pending_hires = {team: 0 for team in model.scenario.teams}
        self.pending_agency = {team: 0 for team in model.scenario.teams}
        self.permanent_fte_history: list[tuple[float, float]] = []
        self.internal_moves = 0  # (day, permanent FTE) at snapshots
        self._ids = iter(range(1 << 62))
        self._recruitment = model.streams["recruitment"]
        self._agency = model.streams["agency_market"]
        self._workload_per_child: dict[str, float] = {team: 1.0 for team in model.scenario.teams}

    @property
    def scenario(self):
        """The scenario in force now (interventions change it during the run)."""
        return self.model.scenario

    @property
    def workforce(self):
        return self.model.scenario.workforce

    def scenario_changed(self, old, new) -> None:
        """A dated intervention has changed the scenario: new caps, and new prices if they moved."""
        if old.costs != new.costs or old.workforce.support != new.workforce.support \
                or old.workforce.team_managers != new.workforce.team_managers:
            for worker in self.workers():
                self._stop_spells(worker)
                self._start_spells(worker)
            for spell in self._fixed_spells:
                self.costs.stop(spell, self.env.now)
            self._start_non_case_holding_costs()
        self._update_support()

    # --- who is in post -----------------------------------------------------------------

    def workers(self) -> list[Worker]:
        return [w for queue in self.queues.values() for w in queue.workers]

    def permanent_fte(self) -> float:
        return sum(w.fte for w in self.workers() if w.permanent)

    def start(self) -> None:
        """Put the starting staff in post and start the workforce's processes."""
        initial = self.scenario.initial_state
        rng = self.model.streams["initial_state"]
        for team, staff in initial.staff.items():
            for kind in ("experienced", "newly_qualified", "agency"):
                for _ in range(getattr(staff, kind)):
                    if kind == "experienced":
                        service = self.workforce.experienced_service_days.days_at(float(rng.random()))
                    elif kind == "newly_qualified":
                        service = float(rng.random()) * self.workforce.recruitment.asye_months * YEAR_DAYS / 12
                    else:
                        service = 0.0
                    self._join(team, kind, service_start_day=-service, initial=True)
        self._start_non_case_holding_costs()
        self._update_support()
        self.env.process(self._monthly_reviews())
        if self.workforce.interim_team is not None and self.workforce.interim_team.social_workers:
            self.env.process(self._interim_team())

    def notices_already_handed_in(self) -> None:
        """Some permanent staff resigned before the start date and are serving notice.

        A worker whose notice would last D days has resigned within the last D days with
        probability 1 - exp(-hazard x D / 365); if so, they leave after a uniform share
        of D. Without this, nobody would leave in the first weeks of a run. Called once
        the starting caseloads are in place, as the hazard depends on them.
        """
        leaving = self.workforce.leaving
        for worker in self.workers():
            if not worker.permanent:
                continue
            fate = worker.fate
            notice = leaving.notice_days.days_at(fate.uniform())
            resigned_u, remaining_u, where_u = fate.uniform(), fate.uniform(), fate.uniform()
            if resigned_u < 1.0 - math.exp(-self.leaving_hazard(worker) * notice / YEAR_DAYS):
                worker.leaving = True
                destination = leaving.destinations.choose(where_u)
                self.env.process(self._resign(worker, 0.0, remaining_u * notice, destination))

    def _join(self, team: str, kind: str, service_start_day: float | None = None, initial: bool = False) -> Worker:
        now = self.env.now
        worker = Worker(next(self._ids), team, kind, 1.0, 0, start_day=now,
                        service_start_day=now if service_start_day is None else service_start_day,
                        workload_per_child=self._workload_per_child[team])
        worker.fate = self.model.streams.entity("staff_leaving", worker.id)
        self._set_cap(worker)
        self._start_spells(worker)
        self.queues[team].workers.append(worker)
        self.counts["initial" if initial else "joined"] += 1
        if worker.permanent:
            self.counts["permanent_initial" if initial else "permanent_joined"] += 1
        if kind == "newly_qualified":
            asye_days = self.workforce.recruitment.asye_months * YEAR_DAYS / 12
            self.env.process(self._end_of_asye(worker, max(0.0, worker.service_start_day + asye_days - now)))
        self.env.process(self._absences(worker))
        self.model.capacity_changed(team)
        return worker

    def _start_spells(self, worker: Worker) -> None:
        costs = self.scenario.costs
        now = self.env.now
        rate = {"experienced": costs.experienced_gbp_per_fte_year,
                "newly_qualified": costs.newly_qualified_gbp_per_fte_year,
                "agency": costs.agency_gbp_per_fte_year,
                "interim": costs.interim_gbp_per_fte_year}[worker.kind]
        category = "permanent" if worker.permanent else worker.kind
        worker.spells = [self.costs.start(category, worker.fte, rate, now)]
        extra = costs.pay_and_progression_gbp_per_fte_year + costs.retention_payment_gbp_per_fte_year
        if worker.permanent and extra:
            worker.spells.append(self.costs.start("pay_and_retention", worker.fte, extra, now))

    def _stop_spells(self, worker: Worker) -> None:
        for spell in worker.spells:
            self.costs.stop(spell, self.env.now)
        worker.spells = []

    def _change_kind(self, worker: Worker, kind: str) -> None:
        """ASYE year over, or an agency worker taking a permanent post: same person, new terms."""
        was_permanent = worker.permanent
        self._stop_spells(worker)
        worker.kind = kind
        self._start_spells(worker)
        self._set_cap(worker)
        if worker.permanent and not was_permanent:
            self.counts["permanent_joined"] += 1
        self.model.capacity_changed(worker.team)

    def _set_cap(self, worker: Worker) -> None:
        alloc = self.scenario.allocation
        worker.workload_per_child = self._workload_per_child[worker.team]
        worker.cap = min(caseload_cap(worker.kind, worker.fte, alloc.caseload_cap, alloc.newly_qualified_caseload_cap,
                                      worker.workload_per_child), alloc.absolute_max_caseload)

    def _leave(self, worker: Worker, destination: str) -> None:
        """The worker's last day: out of post, their families handed back for reallocation."""
        if not worker.in_post:
            return
        now = self.env.now
        worker.in_post = False
        self.queues[worker.team].workers.remove(worker)
        self._stop_spells(worker)
        if worker.absence_spell is not None:
            worker.absence_spell[1] = now
            worker.absence_spell = None
        self.counts["left"] += 1
        if worker.permanent:
            self.counts["permanent_left"] += 1
            self.leavers.append(Leaver(now, worker.fte, worker.kind, destination))
        self.model.hand_back(worker)

    # --- the monthly workforce review ------------------------------------------------------

    def _monthly_reviews(self) -> Iterator[simpy.Event]:
        start = self.model.origin_date
        for month in range(self.model.simulated_months):
            when = add_months(start, month)
            month_days = float((add_months(start, month + 1) - when).days)
            yield self.env.timeout(self.calendar.day_of(when) + REVIEW_TIME - self.env.now)
            recruitment = self.workforce.recruitment  # the scenario in force this month
            self._update_support()
            self._leaving_decisions(month_days)
            if recruitment.campaign_every_months and month % recruitment.campaign_every_months == 0:
                self._campaign()
            if recruitment.newly_qualified_per_year and when.month == recruitment.newly_qualified_start_month:
                self._newly_qualified_cohort(recruitment.newly_qualified_per_year)
            self._request_agency()

    def team_pressure(self, team: str) -> float:
        """Workload held by the team's social workers at work, over their caps at the standard."""
        alloc = self.scenario.allocation
        working = [w for w in self.queues[team].workers if not w.long_term_absent]
        standard = sum(caseload_cap(w.kind, w.fte, alloc.caseload_cap, alloc.newly_qualified_caseload_cap)
                       for w in working)
        if not standard:
            return 1.0
        return sum(w.children * w.workload_per_child for w in working) / standard

    def leaving_hazard(self, worker: Worker, pressures: dict[str, float] | None = None) -> float:
        """Chance per year that this worker resigns, given today's conditions."""
        if not worker.permanent:
            return self.workforce.agency.leaving_per_year if worker.kind == "agency" else 0.0
        leaving = self.workforce.leaving
        years = (self.env.now - worker.service_start_day) / YEAR_DAYS
        pressure = pressures[worker.team] if pressures is not None else self.team_pressure(worker.team)
        return (leaving.permanent_per_year * leaving.service_multiplier(years)
                * pressure ** leaving.caseload_pressure_elasticity
                * leaving.pay_and_progression_multiplier * leaving.wider_retention_multiplier)

    def _leaving_decisions(self, month_days: float) -> None:
        """Each worker's own numbers decide whether they resign (and convert) this month."""
        leaving = self.workforce.leaving
        conversion = self.workforce.agency.conversion_to_permanent_per_year
        movers = []
        pressures = {team: self.team_pressure(team) for team in self.scenario.teams}
        for worker in sorted(self.workers(), key=lambda w: w.id):
            if worker.leaving or worker.kind == "interim":
                continue
            fate = worker.fate
            resign_u, when_u, notice_u, where_u, convert_u, move_u = (fate.uniform() for _ in range(6))
            p_leave = 1.0 - math.exp(-self.leaving_hazard(worker, pressures) * month_days / YEAR_DAYS)
            p_move = 1.0 - math.exp(-leaving.internal_moves_per_year * month_days / YEAR_DAYS)
            if resign_u < p_leave:
                resign_at = self.env.now + when_u * month_days
                if worker.permanent:
                    notice = leaving.notice_days.days_at(notice_u)
                    destination = leaving.destinations.choose(where_u)
                else:
                    notice, destination = 0.0, "agency"
                self.env.process(self._resign(worker, resign_at, notice, destination))
            elif worker.kind == "agency" and convert_u < 1.0 - math.exp(-conversion * month_days / YEAR_DAYS):
                self._change_kind(worker, "experienced")
                self.costs.charge("recruitment", self.scenario.costs.agency_conversion_fee_gbp, self.env.now)
            elif worker.permanent and move_u < p_move:
                movers.append(worker)
        self._move(movers)

    def _move(self, movers: list[Worker]) -> None:
        """Internal moves to the team with most uncovered posts: the movers' children get someone new.

        Every mover leaves their team before any children are handed back, so no child
        is handed to a colleague who is moving the same day.
        """
        destinations = {}
        for worker in movers:
            gaps = {team: self._uncovered_posts(team, include_agency=False)
                    for team in self.scenario.teams if team != worker.team}
            if gaps and max(gaps.values()) > 0:
                destinations[worker] = max(gaps, key=lambda team: (gaps[team], team))
                self.queues[worker.team].workers.remove(worker)
        for worker in destinations:
            self.model.hand_back(worker)
        for worker, destination in destinations.items():
            worker.team = destination
            self.queues[destination].workers.append(worker)
            self._set_cap(worker)
            self.internal_moves += 1
            self.model.capacity_changed(destination)

    def _resign(self, worker: Worker, at: float, notice: float, destination: str) -> Iterator[simpy.Event]:
        yield self.env.timeout(at - self.env.now)
        if not worker.in_post:
            return
        worker.leaving = True  # serving notice: no new children
        yield self.env.timeout(notice)
        self._leave(worker, destination)

    def _uncovered_posts(self, team: str, include_agency: bool) -> int:
        workers = [w for w in self.queues[team].workers if not w.leaving]
        covered = sum(w.fte for w in workers if w.permanent) + self.pending_hires[team]
        if include_agency:
            covered += sum(w.fte for w in workers if w.kind == "agency") + self.pending_agency[team]
        return max(0, math.floor(self.scenario.teams[team].posts_fte - covered + 1e-9))

    def _campaign(self) -> None:
        """Advertise every permanent post not filled or about to be; some adverts become hires."""
        recruitment = self.workforce.recruitment
        for team in self.scenario.teams:
            advertised = self._uncovered_posts(team, include_agency=False)
            hires = int(self._recruitment.binomial(advertised, recruitment.hires_per_advertised_post))
            for _ in range(hires):
                lead = recruitment.lead_time_days.days_at(float(self._recruitment.random()))
                self.pending_hires[team] += 1
                self.env.process(self._start_after(team, "experienced", lead, self.pending_hires))

    def _newly_qualified_cohort(self, size: int) -> None:
        """Newly qualified social workers start together, placed where the gaps are."""
        gaps = {team: self._uncovered_posts(team, include_agency=False) for team in self.scenario.teams}
        weights = gaps if sum(gaps.values()) else {t: team.posts_fte for t, team in self.scenario.teams.items()}
        for team, n in _share_out(size, weights).items():
            for _ in range(n):
                self._join(team, "newly_qualified")
                self._charge_hire()

    def _request_agency(self) -> None:
        """Gaps nobody covers are offered to the agency market, which fills some after a lead time."""
        agency = self.workforce.agency
        if agency.fill_probability_per_month <= 0:
            return
        in_use = sum(1 for w in self.workers() if w.kind == "agency") + sum(self.pending_agency.values())
        for team in self.scenario.teams:
            for _ in range(self._uncovered_posts(team, include_agency=True)):
                filled = self._agency.random() < agency.fill_probability_per_month
                lead = agency.lead_time_days.days_at(float(self._agency.random()))
                if filled and (agency.max_agency_workers is None or in_use < agency.max_agency_workers):
                    in_use += 1
                    self.pending_agency[team] += 1
                    self.env.process(self._start_after(team, "agency", lead, self.pending_agency))

    def _start_after(self, team: str, kind: str, lead_days: float, pending: dict[str, int]) -> Iterator[simpy.Event]:
        yield self.env.timeout(lead_days)
        pending[team] -= 1
        self._join(team, kind)
        if kind == "experienced":
            self._charge_hire()

    def _charge_hire(self) -> None:
        costs = self.scenario.costs
        self.costs.charge("recruitment", costs.recruitment_gbp_per_hire + costs.golden_hello_gbp, self.env.now)

    def _end_of_asye(self, worker: Worker, after: float) -> Iterator[simpy.Event]:
        yield self.env.timeout(after)
        if worker.in_post and worker.kind == "newly_qualified":
            self._change_kind(worker, "experienced")

    # --- absence -------------------------------------------------------------------------

    def _absences(self, worker: Worker) -> Iterator[simpy.Event]:
        """Spells of absence: cases stay with the worker unless the spell becomes long-term."""
        fate = self.model.streams.entity("staff_absence", worker.id)

        def spells_per_day() -> float:
            return self.workforce.absence.spells_per_fte_year * worker.fte / YEAR_DAYS

        while True:
            yield from self.model.hazard_wait(-math.log1p(-fate.uniform()), spells_per_day)
            if not worker.in_post:
                return
            absence = self.workforce.absence
            days = absence.spell_days.days_at(fate.uniform())
            spell = [self.env.now, None, worker.fte]
            self.absence_spells.append(spell)
            worker.absence_spell = spell
            worker.absent = True
            if days > absence.long_term_after_days:
                yield self.env.timeout(absence.long_term_after_days)
                if not worker.in_post:
                    return
                worker.long_term_absent = True
                self.model.hand_back(worker)
                days -= absence.long_term_after_days
            yield self.env.timeout(days)
            if not worker.in_post:
                return
            worker.absent = worker.long_term_absent = False
            spell[1] = self.env.now
            worker.absence_spell = None
            self.model.capacity_changed(worker.team)

    def absent_fte_days(self, start: float, end: float) -> float:
        total = 0.0
        for spell_start, spell_end, fte in self.absence_spells:
            stop = end if spell_end is None else min(spell_end, end)
            total += fte * max(0.0, stop - max(spell_start, start))
        return total

    # --- interim team and support ----------------------------------------------------------

    def _interim_team(self) -> Iterator[simpy.Event]:
        interim = self.workforce.interim_team
        start, end = self.calendar.day_of(interim.start_date), self.calendar.day_of(interim.end_date)
        if end <= 0:
            return
        yield self.env.timeout(max(0.0, start - self.env.now))
        team = [self._join(interim.team, "interim") for _ in range(interim.social_workers)]
        yield self.env.timeout(end - self.env.now)
        for worker in team:
            worker.leaving = True  # all go together: none takes a colleague's children on the way out
        for worker in team:
            self._leave(worker, "end of interim contract")

    def _update_support(self) -> None:
        """Spread each support role over the case-holders of its teams, and reset caps."""
        workers = self.workers()
        relief = {team: 0.0 for team in self.scenario.teams}
        for role in self.workforce.support.roles().values():
            teams = role.teams or list(self.scenario.teams)
            holders = sum(1 for w in workers if w.team in teams)
            coverage = min(1.0, role.fte * role.social_workers_supported_per_fte / holders) if holders else 0.0
            for team in teams:
                relief[team] += coverage * role.time_freed_share
        self._workload_per_child = {team: 1.0 - min(r, MAX_WORKLOAD_REDUCTION) for team, r in relief.items()}
        for worker in workers:
            self._set_cap(worker)
        for team in self.scenario.teams:
            self.model.capacity_changed(team)

    def _start_non_case_holding_costs(self) -> None:
        costs = self.scenario.costs
        managers = self.workforce.team_managers
        now = self.env.now
        self._fixed_spells = [self.costs.start("team_managers", managers.in_post_fte,
                                               costs.team_manager_gbp_per_fte_year, now)]
        rates = {"social_work_support_officers": costs.social_work_support_officer_gbp_per_fte_year,
                 "contact_workers": costs.contact_worker_gbp_per_fte_year,
                 "business_support": costs.business_support_gbp_per_fte_year}
        for name, role in self.workforce.support.roles().items():
            self._fixed_spells.append(self.costs.start("support", role.fte, rates[name], now))

    # --- measures for the snapshot -----------------------------------------------------------

    def turnover_inputs(self, now: float) -> tuple[float, float | None]:
        """Permanent FTE leavers and mean permanent FTE over the last 12 months.

        Before a year has been run, leavers are annualised from the months run so far.
        """
        window = min(YEAR_DAYS, now)
        if window <= 0:
            return 0.0, None
        leavers = sum(l.fte for l in self.leavers if now - window < l.day <= now) * YEAR_DAYS / window
        recent = [fte for day, fte in self.permanent_fte_history if day >= now - YEAR_DAYS - 1]
        return leavers, (sum(recent) / len(recent) if recent else None)


def _share_out(n: int, weights: dict[str, float]) -> dict[str, int]:
    """``n`` whole people shared in proportion to ``weights`` (largest remainders)."""
    total = sum(weights.values())
    if n <= 0 or total <= 0:
        return {key: 0 for key in weights}
    exact = {key: n * w / total for key, w in weights.items()}
    shares = {key: math.floor(x) for key, x in exact.items()}
    for key in sorted(exact, key=lambda k: (shares[k] - exact[k], k))[: n - sum(shares.values())]:
        shares[key] += 1
    return shares
