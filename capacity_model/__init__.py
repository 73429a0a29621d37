"""capacity-model: a discrete-event simulation of a children's social care workforce.

The public API for notebooks and scripts:

>>> from capacity_model import load_scenario, run_experiment, summarise
>>> result = run_experiment(load_scenario("baseline"), replications=10, months=12)
>>> summary = summarise(result.kpis)
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("capacity-model")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

from .compare import Comparison, compare
from .kpis import KPI_BY_ID, KPIS
from .runner import ExperimentResult, run_experiment
from .scenario import Scenario
from .scenario_files import ScenarioError, load_scenario
from .summary import summarise

__all__ = [
    "KPIS", "KPI_BY_ID", "Comparison", "ExperimentResult", "Scenario", "ScenarioError", "compare",
    "load_scenario", "run_experiment", "summarise", "__version__",
]
