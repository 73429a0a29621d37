"""Charts for decision makers, drawn from the tidy result tables.

Each function takes tidy DataFrames (as in a run folder: ``kpis_monthly``,
``comparison``, ``caseloads_monthly``; or a sweep folder's ``summary``) and returns a
matplotlib ``Figure`` that an analyst can restyle in a notebook before saving. Nothing here reads files or touches
pyplot's global figures. Titles and axis labels come from the KPI labels and units in
``measures``; every series has its own colour *and* line style or marker, so the charts
still read when printed in greyscale.
"""

from .caseloads import caseload_distribution
from .options import cost_effect, option_comparison
from .over_time import fan_chart, workforce_composition
from .sensitivity import tornado
from .style import display_name, month_text, save, scale, signed, unit_text
from .sweep import sweep_heatmap, sweep_lines
from .target import target_chances

__all__ = [
    "caseload_distribution", "cost_effect", "display_name", "fan_chart", "month_text", "option_comparison",
    "save", "scale", "signed", "sweep_heatmap", "sweep_lines", "target_chances", "tornado", "unit_text", "workforce_composition",
]
