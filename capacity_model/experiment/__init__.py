"""The experiment layer: tasks (scenario, seed, replication, months), executors, replications gathered into tables.

Names are imported on first use, so that asking for the defaults does not load pandas.
"""

from importlib import import_module

from .defaults import DEFAULT_MONTHS, DEFAULT_REPLICATIONS

_PUBLIC = {
    "Dask": "executors", "Processes": "executors", "Serial": "executors", "TaskFailure": "executors",
    "in_order": "executors", "local": "executors", "TaskStore": "store",
    "ExperimentResult": "runner", "default_jobs": "runner", "run_experiment": "runner",
    "ReplicationResult": "task", "Task": "task", "run_replication": "task",
}

__all__ = ["DEFAULT_MONTHS", "DEFAULT_REPLICATIONS", *_PUBLIC]


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
