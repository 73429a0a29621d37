"""The scenario layer: validated, immutable data that fully describes a run, read from YAML files.

It knows nothing of the simulation: dates and working days (``calendar``), duration
distributions, dated interventions, the schema and the files that fill it.
"""

from .files import ScenarioError, builtin_scenarios, load_scenario, merge_scenario_data
from .schema import WEEKDAYS, Scenario, Stage

__all__ = ["WEEKDAYS", "Scenario", "ScenarioError", "Stage", "builtin_scenarios", "load_scenario",
           "merge_scenario_data"]
