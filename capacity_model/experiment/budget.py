"""Will a scenario fit in this machine? An estimate of a replication's memory, checked before anything runs.

A replication holds every family that is open or will come back, so the families it can
ever hold are bounded by those open at the origin, those referred over the run (with
re-referrals) and those closed before it that return. Measured on the baseline (a
12-month run of 200,000 children a year with nobody allocated): about 2.5 KB a child
over a base of 150 MB; the figures below allow some room above that.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..scenario import Scenario, ScenarioError
from ..scenario.calendar import YEAR_DAYS, WorkingCalendar, add_months
from ..scenario.interventions import change_dates

BASE_BYTES = 200e6
BYTES_PER_CHILD = 3_000
BYTES_PER_WORKER = 10_000
RESULT_BYTES_PER_REPLICATION_MONTH = 12_000
"""Memory the tables of results take in the main process (measured: about 10 KB a replication-month)."""
SHARE_OF_FREE_MEMORY = 0.8
"""The share of the memory free when a run starts that its replications may use between them."""
MOST_REREFERRAL = 0.99
"""Re-referral probabilities above this are treated as this, to keep the bound finite."""


class TooLarge(ScenarioError):
    """A scenario this machine cannot run: it would need more memory than there is."""


@dataclass(frozen=True)
class Estimate:
    """The most a replication of a scenario can hold, and the field that drives it."""

    children: float
    staff: float
    field: str
    why: str

    @property
    def bytes(self) -> float:
        return BASE_BYTES + self.children * BYTES_PER_CHILD + self.staff * BYTES_PER_WORKER


def estimate(scenario: Scenario, months: int) -> Estimate:
    """An upper bound on the children and staff one replication of ``months`` months can hold."""
    in_force = [scenario, *(scenario.on(when) for when in change_dates(scenario))]
    years = ((add_months(scenario.start_date, months) - add_months(scenario.start_date, -scenario.warm_up_months))
             .days / YEAR_DAYS)
    new = max(s.referrals.new_children_per_year for s in in_force)
    p = min(max(s.rereferral.probability for s in in_force), MOST_REREFERRAL)
    initial = scenario.initial_state.allocated_children.total + scenario.initial_state.unallocated_children.total
    referred = new * years / (1 - p)
    earlier = new / (1 - p) * p * WorkingCalendar.LOOKBACK_DAYS / YEAR_DAYS
    posts = max(sum(team.posts_fte for team in s.teams.values()) for s in in_force)
    cohorts = max(s.workforce.recruitment.newly_qualified_per_year for s in in_force) * (years + 1)
    staff_now = sum(st.experienced + st.newly_qualified + st.agency for st in scenario.initial_state.staff.values())
    staff = staff_now + 2 * posts + cohorts + (scenario.workforce.interim_team.social_workers
                                               if scenario.workforce.interim_team else 0)
    terms = {
        "referrals.new_children_per_year": (referred + earlier) * BYTES_PER_CHILD,
        "initial_state": initial * BYTES_PER_CHILD + staff_now * BYTES_PER_WORKER,
        "teams.*.posts_fte": 2 * posts * BYTES_PER_WORKER,
        "workforce.recruitment.newly_qualified_per_year": cohorts * BYTES_PER_WORKER,
    }
    field = max(terms, key=terms.get)
    why = {
        "referrals.new_children_per_year": f"{new:,.0f} children a year"
                                           + (" (at most, with the interventions)" if len(in_force) > 1 else ""),
        "initial_state": f"{initial:,} children and {staff_now:,} social workers open and in post at the start",
        "teams.*.posts_fte": f"{posts:,.0f} funded posts to fill",
        "workforce.recruitment.newly_qualified_per_year": f"{cohorts / (years + 1):,.0f} newly qualified a year",
    }[field]
    return Estimate(initial + referred + earlier, staff, field, why)


def free_memory() -> float:
    """Bytes of memory free for new work on this machine (Linux: MemAvailable), or the total if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return float("inf")


def check_fits(scenario: Scenario, months: int, processes: int, available: float | None = None) -> Estimate:
    """Refuse, before anything runs, a scenario whose replications (``processes`` at a time) would not fit."""
    found = estimate(scenario, months)
    budget = (free_memory() if available is None else available) * SHARE_OF_FREE_MEMORY / max(processes, 1)
    if found.bytes > budget:
        raise TooLarge(
            f"{scenario.name}: {found.field}: {found.why} would put up to {found.children:,.0f} children "
            f"through the service in the {months} months run (and any warm-up), needing up to "
            f"{found.bytes / 1e9:,.1f} GB of memory for each replication; this machine allows "
            f"{budget / 1e9:,.1f} GB for each of {processes} at a time. Lower that figure or the months, "
            "or run fewer replications at a time (--jobs)")
    return found


def check_results_fit(replications: int, months: int, scenarios: int, available: float | None = None) -> None:
    """Refuse a run whose tables of results would not fit in the main process's memory."""
    needed = replications * (months + 1) * scenarios * RESULT_BYTES_PER_REPLICATION_MONTH
    budget = (free_memory() if available is None else available) * SHARE_OF_FREE_MEMORY
    if needed > budget:
        raise TooLarge(f"--reps: {replications:,} replications of {months} months for {scenarios} scenario(s) would "
                       f"need about {needed / 1e9:,.1f} GB of memory for their results; this machine allows "
                       f"{budget / 1e9:,.1f} GB. Run fewer replications or months")
