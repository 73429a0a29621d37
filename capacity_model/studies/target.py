"""Target search: the least value of a lever giving at least a chance p of meeting a target.

```yaml
name: locality-posts-for-no-wait-over-5-days
base: baseline                     # a scenario file beside this one, or a built-in name
lever: teams.locality.posts_fte    # a dotted parameter of the base
label: Locality social worker posts (FTE)
low: 80
high: 160
step: 5                            # the levels tried are low, low + step, ... high
target:
  kpi: unallocated_over_5d
  threshold: 0                     # default: the plan's target for the KPI
  months: [24]                     # met at every month end listed (a window: [13, 24] is months 13 to 24)
probability: 0.9                   # the chance of meeting the target that is enough
confidence: 0.95                   # of each level's interval for that chance
replications: 20                   # at each level first; doubled where the interval straddles p
max_replications: 160
seed: 0
```

The chance of meeting the target is taken to grow with the lever (more posts, more
support officers, a higher agency cap), so the search bisects the levels: it looks at the
highest (if that is not enough, no level is), then the lowest, then halves the gap. A level
is decided when its Wilson interval for the chance lies wholly above or below p; where it
straddles p, replications are doubled (up to ``max_replications``), so they are spent near
the boundary. A level still undecided then is judged on its estimate and marked uncertain.
Every level uses the same random numbers for replication r (common random numbers), and
every task is kept in the folder's store, so a search run again resumes.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from pydantic import Field, PositiveFloat, PositiveInt, ValidationError, model_validator

from ..analysis.charts.style import save
from ..analysis.charts.target import target_chances
from ..analysis.outputs import OutputError, csv_writer, json_writer, publish
from ..analysis.summary import mean_interval, wilson_interval
from ..experiment.executors import Executor, TaskFailure
from ..experiment.store import TaskStore
from ..experiment.task import Task
from ..measures import KPI_BY_ID, meets_target
from ..scenario import Scenario, ScenarioError
from ..scenario.base import Frozen
from ..scenario.interventions import get_path, set_path
from ..version import __version__
from .sweep_file import base_scenario, parameter_text, read_study_file

COST = "cost_cumulative_gbp"
LEVEL_COLUMNS = ["level", "value", "replications", "met", "chance", "chance_low", "chance_high", "decision",
                 "cost_mean", "cost_ci_low", "cost_ci_high"]


class Target(Frozen):
    kpi: str
    threshold: float | None = Field(default=None, description="default: the plan's target for the KPI")
    months: list[PositiveInt] = Field(min_length=1, max_length=2,
                                      description="[m]: at month m; [a, b]: at every month end from a to b")

    @model_validator(mode="after")
    def _known(self) -> "Target":
        if self.kpi not in KPI_BY_ID:
            raise ValueError(f"kpi: '{self.kpi}' is not a KPI ('capacity-model list' lists them)")
        if self.threshold is None and KPI_BY_ID[self.kpi].target is None:
            raise ValueError(f"threshold: '{self.kpi}' has no plan target, so give the threshold to meet")
        if len(self.months) == 2 and self.months[1] < self.months[0]:
            raise ValueError(f"months: a window [first, last], got {self.months}")
        return self

    @property
    def window(self) -> list[int]:
        return list(range(self.months[0], self.months[-1] + 1))

    @property
    def level(self) -> float:
        return KPI_BY_ID[self.kpi].target if self.threshold is None else self.threshold


class TargetSpec(Frozen):
    name: str | None = None
    description: str = ""
    base: str = "baseline"
    lever: str
    label: str | None = None
    low: float
    high: float
    step: PositiveFloat = 1.0
    target: Target
    probability: float = Field(default=0.9, gt=0, lt=1)
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    replications: PositiveInt = 20
    max_replications: PositiveInt = 160
    seed: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _levels(self) -> "TargetSpec":
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be at least low ({self.low})")
        if self.max_replications < self.replications:
            raise ValueError(f"max_replications ({self.max_replications}) must be at least replications "
                             f"({self.replications})")
        if (self.high - self.low) / self.step > 10_000:
            raise ValueError("low to high by step makes over 10,000 levels; take a larger step")
        return self

    @property
    def values(self) -> list[float]:
        count = int(np.floor((self.high - self.low) / self.step + 1e-9)) + 1
        return [round(self.low + k * self.step, 10) for k in range(count)]


@dataclass(frozen=True)
class TargetSearch:
    path: Path | None
    spec: TargetSpec
    base: Scenario
    levels: list[Scenario]  # one per value, validated

    @property
    def name(self) -> str:
        return self.spec.name or (self.path.stem if self.path else "target")

    @property
    def label(self) -> str:
        return self.spec.label or parameter_text(self.spec.lever)


def load_target(path: str | Path) -> TargetSearch:
    """Read a target search file and validate every level's scenario; ``ScenarioError`` naming file and field."""
    path = Path(path)
    spec = read_study_file(path, TargetSpec, kind="target search")
    return TargetSearch(path, spec, (base := base_scenario(path, spec.base)), level_scenarios(spec, base, path))


def level_scenarios(spec: TargetSpec, base: Scenario, path: Path | None = None) -> list[Scenario]:
    where = f"{path}: " if path else ""
    data = base.model_dump(mode="json")
    try:
        before = get_path(data, spec.lever)
    except KeyError:
        raise ScenarioError(f"{where}lever: '{spec.lever}' is not a parameter of the base scenario "
                            f"'{base.name}'") from None
    if not isinstance(before, (int, float)) or isinstance(before, bool):
        raise ScenarioError(f"{where}lever: '{spec.lever}' is {before!r} in the base, not a number")
    levels = []
    for value in spec.values:
        level = json.loads(json.dumps(data))
        set_path(level, spec.lever, round(value) if isinstance(before, int) else value)
        level["name"] = f"{spec.name or (path.stem if path else 'target')}-{value:g}"
        try:
            levels.append(Scenario.model_validate(level))
        except ValidationError as error:
            raise ScenarioError(f"{where}lever {spec.lever} = {value:g}: {' '.join(str(error).split())[:300]}") \
                from None
    return levels


Told = Callable[[dict], None]
"""Told each level's row (as in ``target.csv``) as it is decided or given more replications."""


@dataclass
class TargetResult:
    folder: Path
    search: TargetSearch
    answer: float | None  # the least value meeting the target, or None if even ``high`` does not
    uncertain: bool  # the answer rests on a level judged on its estimate alone
    levels: pd.DataFrame  # LEVEL_COLUMNS, one row per look at a level
    summary: dict  # as in target.json


def target_search(search: TargetSearch | str | Path, out: str | Path | None = None,
                  executor: Executor | None = None, seed: int | None = None, on_level: Told | None = None,
                  command: str | None = None) -> TargetResult:
    """Search for the least lever value meeting the target with at least the chance asked; write
    ``target.json`` and ``target.csv`` into ``out`` (default ``results/<name>``)."""
    search = search if isinstance(search, TargetSearch) else load_target(search)
    if seed is not None:
        search = TargetSearch(search.path, search.spec.model_copy(update={"seed": seed}), search.base, search.levels)
    spec = search.spec
    folder = Path(out) if out is not None else Path("results") / search.name
    _check_folder(folder, search)
    store = TaskStore(folder / "tasks", labels=["point"])
    own = executor is None
    if own:
        from ..experiment.executors import Dask
        from ..experiment.runner import default_jobs

        executor = Dask(workers=default_jobs())
    months = spec.target.months[-1]
    known = _outcomes(store, spec)
    looks: list[dict] = []

    def look(index: int, replications: int) -> dict:
        tasks = [Task(search.levels[index], spec.seed, r, months) for r in range(replications)]
        pending = [t for t in tasks if t.key not in known]
        for position, outcome in executor.as_completed(pending):
            task = pending[position]
            if isinstance(outcome, TaskFailure):
                raise ScenarioError(f"{spec.lever} = {spec.values[index]:g}, replication {task.replication} "
                                    f"failed: {outcome.error}")
            store.add(task.key, outcome, point=index)
            known[task.key] = _outcome(outcome.kpis, spec)
        met = [known[t.key][0] for t in tasks]
        costs = np.array([known[t.key][1] for t in tasks], dtype=float)
        successes = int(sum(met))
        low, high = wilson_interval(successes, replications, spec.confidence)
        cost = mean_interval(costs)
        decision = "meets" if low >= spec.probability else "falls short" if high < spec.probability else "unsure"
        row = dict(zip(LEVEL_COLUMNS, [index, spec.values[index], replications, successes, successes / replications,
                                       low, high, decision, *cost]))
        looks.append(row)
        if on_level is not None:
            on_level({**row, "probability": spec.probability})
        return row

    def meets(index: int) -> tuple[bool, bool]:
        """Whether the level meets the target, and whether that rests on its estimate alone."""
        replications = spec.replications
        while True:
            row = look(index, replications)
            if row["decision"] != "unsure":
                return row["decision"] == "meets", False
            if replications >= spec.max_replications:
                return row["chance"] >= spec.probability, True
            replications = min(2 * replications, spec.max_replications)

    try:
        answer, uncertain = _bisect(meets, len(spec.values))
    finally:
        store.flush()
        if own:
            executor.close()
    return _publish(folder, search, answer, uncertain, looks, command)


def _bisect(meets: Callable[[int], tuple[bool, bool]], count: int) -> tuple[int | None, bool]:
    """The least index that meets, by bisection (meeting is taken to grow with the index)."""
    top, top_unsure = meets(count - 1)
    if not top:
        return None, top_unsure
    bottom, bottom_unsure = meets(0)
    if bottom:
        return 0, bottom_unsure
    failing, passing, unsure = 0, count - 1, top_unsure
    while passing - failing > 1:
        middle = (failing + passing) // 2
        ok, middle_unsure = meets(middle)
        if ok:
            passing, unsure = middle, middle_unsure
        else:
            failing = middle
    return passing, unsure


def _outcome(kpis: list[tuple[int, str, str, float]] | pd.DataFrame, spec: TargetSpec) -> tuple[bool, float]:
    """(met the target at every month of the window, cumulative cost at the window's last month)."""
    target, window = spec.target, set(spec.target.window)
    rows = kpis.itertuples(index=False) if isinstance(kpis, pd.DataFrame) else kpis
    values, cost = [], float("nan")
    for month, _, kpi, value in rows:
        if kpi == target.kpi and month in window:
            values.append(value)
        elif kpi == COST and month == target.months[-1]:
            cost = value
    met = len(values) == len(window) and bool(meets_target(target.kpi, np.array(values), target.level).all())
    return met, cost


def _outcomes(store: TaskStore, spec: TargetSpec) -> dict[str, tuple[bool, float]]:
    """The outcome of every task already in the store (a search run again)."""
    rows = store.read(kpis=[spec.target.kpi, COST], months=spec.target.window,
                      columns=["task", "month", "date", "kpi", "value"])
    return {key: _outcome(group[["month", "date", "kpi", "value"]], spec) for key, group in rows.groupby("task")}


def _check_folder(folder: Path, search: TargetSearch) -> None:
    manifest = folder / "search.json"
    fingerprint = _fingerprint(search)
    if manifest.is_file():
        made_by = json.loads(manifest.read_text(encoding="utf-8")).get("fingerprint")
        if made_by != fingerprint:
            raise OutputError(f"{folder}: holds another target search (its levels or seed differ); choose a new "
                              "--out, or delete that folder to start again")
        return
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError(f"{folder}: already exists and is not a target search's folder; choose a new --out")
    publish(folder, {"search.json": json_writer({"kind": "target", "fingerprint": fingerprint,
                                                 "version": __version__})})


def _fingerprint(search: TargetSearch) -> str:
    import hashlib

    content = json.dumps({"levels": [s.model_dump(mode="json") for s in search.levels], "seed": search.spec.seed,
                          "months": search.spec.target.months[-1]}, sort_keys=True)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


def _publish(folder: Path, search: TargetSearch, answer: int | None, uncertain: bool, looks: list[dict],
             command: str | None) -> TargetResult:
    spec = search.spec
    levels = pd.DataFrame(looks, columns=LEVEL_COLUMNS)
    last = levels.drop_duplicates("level", keep="last").set_index("level")
    summary = {
        "package": "capacity-model", "version": __version__, "kind": "target", "name": search.name,
        "command": command or " ".join(["capacity-model", *sys.argv[1:]]),
        "base": search.base.name, "lever": spec.lever, "label": search.label,
        "levels": {"low": spec.low, "high": spec.high, "step": spec.step},
        "target": {"kpi": spec.target.kpi, "label": KPI_BY_ID[spec.target.kpi].label, "goal": goal_text(spec.target),
                   "better": KPI_BY_ID[spec.target.kpi].better, "threshold": spec.target.level,
                   "months": spec.target.months},
        "probability": spec.probability, "confidence": spec.confidence, "seed": spec.seed,
        "answer": None if answer is None else spec.values[answer], "uncertain": uncertain,
        "answer_evidence": None if answer is None else last.loc[answer].to_dict(),
        "level_below_evidence": (last.loc[answer - 1].to_dict() if answer is not None and answer - 1 in last.index
                                 else None),
        "highest_level_evidence": last.loc[len(spec.values) - 1].to_dict(),
        "tasks": int(levels.drop_duplicates("level", keep="last")["replications"].sum()),
        "finished": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
    }
    figure = target_chances(levels, spec.probability, search.label, goal_text(spec.target), summary["answer"])

    def charts(path: Path) -> None:
        path.mkdir(exist_ok=True)
        save(figure, path / "target-chances")

    publish(folder, {"target.csv": csv_writer(levels), "charts": charts, "target.json": json_writer(summary)},
            into_existing=True)
    return TargetResult(folder, search, summary["answer"], uncertain, levels, summary)


def goal_text(target: Target) -> str:
    """``children unallocated over 5 working days at most 0 at month 24``: the target in words."""
    kpi = KPI_BY_ID[target.kpi]
    label = kpi.label[:1].lower() + kpi.label[1:] if kpi.label[1:2].islower() else kpi.label
    when = (f"at month {target.months[0]}" if len(target.months) == 1 else
            f"at every month end from {target.months[0]} to {target.months[1]}")
    unit = "%" if kpi.unit == "%" else ""
    return f"{label} {'at most' if kpi.better == 'lower' else 'at least'} {target.level:g}{unit} {when}"
