"""Cost: spells of staff on a daily rate, and one-off payments, summed by category.

A spell is FTE at a rate per FTE-year from one day until another; the cost of any
period is FTE x rate x days overlapped / 365. One-off payments (recruitment, golden
hellos, conversion fees) are charged on the day they happen. What each worker and
role is paid comes from ``workforce.payroll``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..scenario.calendar import YEAR_DAYS


COST_CATEGORIES = ("permanent", "pay_and_retention", "agency", "interim", "support", "team_managers", "iro_service",
                   "recruitment")
"""Where the money goes; monthly KPIs are named ``cost_<category>_gbp``."""


@dataclass(slots=True)
class CostSpell:
    category: str
    fte: float
    gbp_per_fte_year: float
    start: float
    end: float | None = None

    def overlap_days(self, start: float, end: float) -> float:
        stop = end if self.end is None else min(self.end, end)
        return max(0.0, stop - max(self.start, start))


class CostLedger:
    """Every cost spell and one-off payment of one replication."""

    def __init__(self) -> None:
        self.spells: list[CostSpell] = []
        self.one_offs: list[tuple[float, str, float]] = []

    def start(self, category: str, fte: float, gbp_per_fte_year: float, day: float) -> CostSpell:
        spell = CostSpell(category, fte, gbp_per_fte_year, day)
        self.spells.append(spell)
        return spell

    @staticmethod
    def stop(spell: CostSpell, day: float) -> None:
        spell.end = day

    def charge(self, category: str, gbp: float, day: float) -> None:
        if gbp:
            self.one_offs.append((day, category, gbp))

    def between(self, start: float, end: float) -> dict[str, float]:
        """Cost by category in the period [start, end), in pounds."""
        totals: dict[str, float] = defaultdict(float)
        for spell in self.spells:
            days = spell.overlap_days(start, end)
            if days:
                totals[spell.category] += spell.fte * spell.gbp_per_fte_year * days / YEAR_DAYS
        for day, category, gbp in self.one_offs:
            if start <= day < end:
                totals[category] += gbp
        return {category: totals.get(category, 0.0) for category in COST_CATEGORIES}

    def fte_days(self, categories: tuple[str, ...], start: float, end: float) -> float:
        return sum(s.fte * s.overlap_days(start, end) for s in self.spells if s.category in categories)
