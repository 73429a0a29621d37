"""capacity-model: a discrete-event simulation of a children's social care workforce.

The public API for notebooks and scripts:

>>> from capacity_model import load_scenario, run_experiment, summarise
>>> result = run_experiment(load_scenario("baseline"), replications=10, months=12)
>>> summary = summarise(result.kpis)

The package is in layers, each importing only those below it: ``scenario`` (validated
data, files, calendar), ``measures`` (KPI definitions), ``engine`` (one replication),
``experiment`` (tasks, executors), ``analysis`` (tables, charts), ``studies``
(compare, sweep, sensitivity, target search), ``interface`` (command line, report). Names are imported on first use, so
``import capacity_model`` stays quick.
"""

from importlib import import_module

from .version import __version__  # noqa: F401 (public)

_PUBLIC = {
    "Comparison": "studies.compare", "compare": "studies.compare",
    "KPIS": "measures", "KPI_BY_ID": "measures",
    "ExperimentResult": "experiment", "run_experiment": "experiment", "run_replication": "experiment",
    "Scenario": "scenario", "ScenarioError": "scenario", "load_scenario": "scenario",
    "summarise": "analysis.summary",
    "Dask": "experiment", "Processes": "experiment", "Serial": "experiment",
    "SweepResult": "studies.sweep", "sweep": "studies.sweep", "load_sweep": "studies.sweep_file",
    "load_target": "studies.target", "target_search": "studies.target",
    "load_study": "studies.sensitivity_file", "sensitivity": "studies.sensitivity",
    "write_report": "interface.report",
}
_MODULES = {"charts": "analysis.charts", "report": "interface.report"}

__all__ = sorted([*_PUBLIC, *_MODULES, "__version__"])


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
    if name in _MODULES:
        return import_module(f".{_MODULES[name]}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
