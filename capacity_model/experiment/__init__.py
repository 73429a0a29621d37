"""The experiment layer: tasks (scenario, seed, replication, months), executors, replications gathered into tables."""

from .executors import Processes, Serial, local
from .runner import DEFAULT_MONTHS, DEFAULT_REPLICATIONS, ExperimentResult, default_jobs, run_experiment
from .task import ReplicationResult, Task, run_replication

__all__ = ["DEFAULT_MONTHS", "DEFAULT_REPLICATIONS", "ExperimentResult", "Processes", "ReplicationResult", "Serial",
           "Task", "default_jobs", "local", "run_experiment", "run_replication"]
