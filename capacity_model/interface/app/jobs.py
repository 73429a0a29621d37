"""The page's work, done outside its script: runs, comparisons and target searches in threads of
the server, on one pool of processes kept between them, with their progress; results kept by content.

The page's script only starts a job and watches it, so a planner who changes a chart or
goes to another tab while a run goes on loses nothing: the script is run again and finds
the job where it is. A run's results are kept by the scenario's content (every field but
its name), its replications, months and seed: the same levers again, or an option saved
from them and compared later, cost nothing. Each run and comparison is also written as a
run folder, as ``capacity-model run`` and ``compare`` write one, from which the report and
workbook are made.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from ...analysis.outputs import csv_writer, publish
from ...analysis.run_folder import RunFolder, read_run_folder
from ...analysis.summary import summarise
from ...experiment import ExperimentResult, run_experiment
from ...experiment.executors import Executor
from ...experiment.task import Task
from ...scenario import Scenario
from ...studies.compare import compare, freed_time_variants
from ...studies.target import TargetResult, TargetSearch, target_search
from ...version import __version__
from ..run_outputs import run_files, run_manifest

KEPT_RESULTS = 64
"""Runs kept in memory (each a few MB at 20 replications of 24 months); their folders stay on disk."""
COMMAND = "capacity-model app"


@dataclass
class Job:
    """One piece of work and how far it has gone."""

    key: str
    what: str
    total: int  # tasks (replications) it will run, as far as known
    done: int = 0
    notes: list[str] = field(default_factory=list)  # what it has found so far, in words
    result: Any = None
    error: str | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def fraction(self) -> float:
        return 1.0 if self.finished.is_set() else min(0.99, self.done / self.total) if self.total else 0.0

    def tick(self) -> None:
        self.done += 1


class Counted:
    """An executor that tells a job of every task it finishes."""

    def __init__(self, executor: Executor, job: Job):
        self.executor, self.job = executor, job

    def as_completed(self, tasks: list[Task]):
        for item in self.executor.as_completed(tasks):
            self.job.tick()
            yield item


def content_key(*parts: Any) -> str:
    """A short fingerprint of scenarios (every field but their names and descriptions) and settings."""
    def plain(part: Any) -> Any:
        if isinstance(part, Scenario):
            return part.model_dump(mode="json", exclude={"name", "description"})
        return part

    text = json.dumps([__version__, *map(plain, parts)], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _named(result: ExperimentResult, scenario: Scenario) -> ExperimentResult:
    """A kept run under another scenario's name (the same content)."""
    if result.scenario.name == scenario.name:
        return result
    return ExperimentResult(scenario, result.seed, result.replications, result.months,
                            *(table.assign(scenario=scenario.name) if not table.empty else table
                              for table in (result.kpis, result.balance, result.caseloads)))


def _written(folder: Path, files: Callable[[], dict]) -> RunFolder:
    """The run folder, its files made and written whole the first time (a folder already there, from this
    server or an earlier one with the same ``--results``, is read instead)."""
    if not (folder / "manifest.json").is_file():
        publish(folder, files())
    return read_run_folder(folder)


class Jobs:
    """Every job of one page server, run on ``executor``, with run folders written under ``folder``."""

    def __init__(self, folder: Path, executor: Executor, workers: int = 1):
        self.folder, self.executor, self.workers = Path(folder), executor, workers
        self._jobs: dict[str, Job] = {}
        self._results: OrderedDict[str, ExperimentResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Job | None:
        return self._jobs.get(key)

    def _start(self, key: str, what: str, total: int, work: Callable[[Job], Any]) -> Job:
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and job.error is None:
                return job  # running or done: watched again, never run twice
            job = self._jobs[key] = Job(key, what, total)
        threading.Thread(target=self._do, args=(job, work), name=f"job-{key}", daemon=True).start()
        return job

    @staticmethod
    def _do(job: Job, work: Callable[[Job], Any]) -> None:
        try:
            job.result = work(job)
        except Exception as error:  # noqa: BLE001 - shown on the page, which goes on
            job.error = str(error) or type(error).__name__
        finally:
            job.finished.set()

    def _experiment(self, scenario: Scenario, replications: int, months: int, seed: int, job: Job
                    ) -> ExperimentResult:
        key = content_key(scenario, replications, months, seed)
        with self._lock:
            kept = self._results.get(key)
            if kept is not None:
                self._results.move_to_end(key)
        if kept is None:
            kept = run_experiment(scenario, replications, months, seed, progress=False,
                                  executor=Counted(self.executor, job))
            with self._lock:
                self._results[key] = kept
                while len(self._results) > KEPT_RESULTS:
                    self._results.popitem(last=False)
        return _named(kept, scenario)

    def _kept(self, scenario: Scenario, replications: int, months: int, seed: int) -> bool:
        return content_key(scenario, replications, months, seed) in self._results

    def run(self, scenario: Scenario, replications: int, months: int, seed: int) -> Job:
        """Run one scenario; the job's result is its run folder (a ``RunFolder``)."""
        key = "run-" + content_key(scenario.name, scenario, replications, months, seed)
        folder = self.folder / key
        total = 0 if self._kept(scenario, replications, months, seed) else replications

        def files(job: Job) -> dict:
            started = datetime.now(timezone.utc).astimezone()
            result = self._experiment(scenario, replications, months, seed, job)
            manifest = run_manifest(COMMAND, [scenario], seed, replications, months, self.workers, started)
            return run_files(manifest, result.kpis, result.balance, result.caseloads, summarise(result.kpis))

        def work(job: Job) -> RunFolder:
            return _written(folder, lambda: files(job))

        return self._start(key, f"Running '{scenario.name}': {replications} replications of {months} months",
                           total, work)

    def compare(self, base: Scenario, options: list[Scenario], replications: int, months: int, seed: int) -> Job:
        """Compare options with the base on common random numbers; the result is the comparison's run folder."""
        key = "compare-" + content_key([s.name for s in (base, *options)], base, *options, replications, months, seed)
        folder = self.folder / key
        every = [base, *options, *(variant for option in options for variant, _ in freed_time_variants(option))]
        total = replications * sum(not self._kept(s, replications, months, seed) for s in every)

        def files(job: Job) -> dict:
            started = datetime.now(timezone.utc).astimezone()
            result = compare(base, options, replications, months, seed,
                             run=lambda s: self._experiment(s, replications, months, seed, job))
            manifest = run_manifest(COMMAND, [base, *options], seed, replications, months, self.workers, started,
                                    base=base.name, variants=[asdict(v) for v in result.variants])
            return run_files(manifest, result.kpis, result.balance, result.caseloads, result.summary,
                             {"comparison.csv": csv_writer(result.differences)})

        def work(job: Job) -> RunFolder:
            return _written(folder, lambda: files(job))

        names = ", ".join(f"'{option.name}'" for option in options)
        return self._start(key, f"Comparing {names} with '{base.name}' ({replications} replications each)",
                           total, work)

    def target(self, search: TargetSearch, describe: Callable[[dict], str]) -> Job:
        """A target search; each level's finding is told in words (``describe``) as it comes."""
        spec = search.spec
        key = "target-" + content_key(spec.model_dump(mode="json"), *search.levels)
        looks = max(1, len(search.levels)).bit_length() + 2  # bisection's looks, at the first replications
        folder = self.folder / key

        def work(job: Job) -> TargetResult:
            return target_search(search, folder, executor=Counted(self.executor, job), command=COMMAND,
                                 on_level=lambda row: job.notes.append(describe(row)))

        return self._start(key, f"Searching {len(search.levels)} levels of {search.label.lower()}",
                           looks * spec.replications, work)

