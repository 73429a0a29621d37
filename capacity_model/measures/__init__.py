"""The measures layer: what is observed at a month end, every KPI defined once, the plan's targets.

Imports nothing else from the package, so a definition can be read and tested alone.
"""

from .kpis import KPI, KPI_BY_ID, KPIS, OBJECTIVE_10_KPIS, PRIORITY_AREA_1_KPIS, scorecard
from .observations import PERMANENT_KINDS, CaseHolder, MonthEnd, OversightSnapshot, ServiceSnapshot
from .targets import meets_target, within_bounds

__all__ = ["KPI", "KPIS", "KPI_BY_ID", "OBJECTIVE_10_KPIS", "PERMANENT_KINDS", "PRIORITY_AREA_1_KPIS", "CaseHolder", "MonthEnd",
           "OversightSnapshot", "ServiceSnapshot", "meets_target", "scorecard", "within_bounds"]
