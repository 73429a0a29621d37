"""Sensitivity: which parameters move a KPI, by Morris screening or Sobol indices (SALib), or one at a time.

A study file (``sensitivity_file``) gives the parameters and their ranges; SALib's sample
becomes a sweep, one point per row, each replicated on common random numbers and run
by ``studies.sweep`` (any executor, resumable, failures recorded). Then, for each KPI and
month of interest, the mean over replications at each point, in exactly the sample's
row order (SALib reads outputs by position), is analysed:

- Morris: ``mu_star``, the mean absolute elementary effect, in the KPI's own units: how far
  the KPI moves, on average, when one parameter crosses its whole range (for a straight
  line, exactly that); ``mu``, the same with signs; ``sigma``, how much that effect
  changes with the other parameters (non-linearity or interactions); ``mu_star_conf``,
  the half-width of its 95% bootstrap interval.
- Sobol: ``S1``, the share of the KPI's variance over the ranges due to the parameter
  alone; ``ST``, with all its interactions; ``S1_conf`` and ``ST_conf`` the half-widths
  of their 95% intervals.

- One at a time (``one_at_a_time.py``, no SALib): the paired change from the base at each
  parameter's low and high, with 95% intervals over the replications.

An index whose interval reaches zero, or that is negative (small samples give those), is
marked ``indistinguishable`` (and its ``note`` says "not distinguishable from zero"):
not a finding. The intervals reflect the sample (trajectories or N), not the
replications; averaging replications on common random numbers keeps their noise small.

The folder is a sweep folder (``sweep.json``, ``points.csv`` with each point's values as
used, ``kpis``, ``summary.csv``, ``tasks/``) with ``sample.csv`` (SALib's rows, in the
file's terms), ``indices.csv`` and ``sensitivity.json``.
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.outputs import csv_writer, json_writer, publish
from ..errors import UserError
from ..experiment.executors import Executor
from ..version import __version__
from . import one_at_a_time as oat
from .sensitivity_file import Study, load_study
from .sweep import Progress, SweepResult, sweep

CONFIDENCE = 0.95
RESAMPLES = 1000
NOT_DISTINGUISHABLE = oat.NOT_DISTINGUISHABLE
INDEX_COLUMNS = {"morris": ["mu", "mu_star", "sigma", "mu_star_conf"], "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
                 "one_at_a_time": oat.COLUMNS}
RANKED_BY = {"morris": "mu_star", "sobol": "ST", "one_at_a_time": "effect"}
"""The index each method ranks parameters by (and the tornado chart draws)."""


class IncompleteSample(UserError):
    """Some tasks failed, so the outputs are not complete in the sample's order: nothing is analysed."""

    def __init__(self, message: str, result: SweepResult):
        super().__init__(message)
        self.result = result


@dataclass
class SensitivityResult:
    """A study's indices and the sweep that ran its sample."""

    folder: Path
    study: Study
    indices: pd.DataFrame  # kpi, month, date, parameter, label, method, indices..., indistinguishable, rank, note
    sweep: SweepResult


def sensitivity(
    study: Study | str | Path,
    out: str | Path | None = None,
    executor: Executor | None = None,
    replications: int | None = None,
    months: int | None = None,
    seed: int | None = None,
    progress: bool | None = None,
    on_progress: Progress | None = None,
    batch_size: int = 25,
    command: str | None = None,
) -> SensitivityResult:
    """Run every point of a study's sample (a ``Study`` or a study file) not yet in ``out``
    (default ``results/<study name>``), then analyse it into ``indices.csv``.

    ``replications``, ``months`` and ``seed`` override the file's (a new seed draws a new
    sample). ``executor`` defaults to a Dask cluster of every processor, as for a sweep.
    ``IncompleteSample`` (with the sweep's result) if a task failed: run it again to retry them.
    """
    study = (study if isinstance(study, Study) else load_study(study)).with_runs(replications, months, seed)
    result = sweep(study.sweep, out, executor, progress=progress, on_progress=on_progress, batch_size=batch_size,
                   command=command)
    if not result.failures.empty:
        points = sorted(set(result.failures["point"]))
        shown = ", ".join(map(str, points[:12])) + (f" and {len(points) - 12} more" if len(points) > 12 else "")
        raise IncompleteSample(
            f"{result.folder}: not analysed: {len(result.failures)} task{'s' if len(result.failures) > 1 else ''} "
            f"failed, at point{'s' if len(points) > 1 else ''} {shown} (failures.csv has their errors). SALib reads "
            "the outputs by their position in the sample, so "
            "every point is needed: run the same command again to retry only those tasks", result)
    spec = study.spec
    if study.method == "one_at_a_time":
        indices = oat.changes_table(study.parameters, [(f.low, f.high) for f in study.factors], result.kpis,
                                    study.labels, order=spec.kpis)
    else:
        indices = indices_table(study.method, study.problem, study.sample, result.kpis, study.labels, spec.seed,
                                spec.levels, order=spec.kpis)
    sample = pd.DataFrame(study.sample, columns=study.parameters)
    sample.insert(0, "point", range(len(sample)))
    publish(result.folder, {"sample.csv": csv_writer(sample), "indices.csv": csv_writer(indices),
                            "sensitivity.json": json_writer(_manifest(study, result))}, into_existing=True)
    return SensitivityResult(result.folder, study, indices, result)


def outputs_in_order(kpis: pd.DataFrame, points: int, kpi: str, month: int) -> np.ndarray:
    """The KPI at the month, the mean over replications at each point, in point order (point n is
    row n of the sample): exactly ``points`` values, NaN where a point has no value for the KPI.

    Refuses a table whose points are not exactly 0 to ``points - 1``, each with the same replications.
    """
    held = np.sort(kpis["point"].unique())
    if len(held) != points or (held != np.arange(points)).any():
        missing = sorted(set(range(points)) - set(held.tolist()))
        raise ValueError(f"the results hold {len(held)} of the sample's {points} points (missing: {missing[:10]}); "
                         "SALib reads outputs by position, so every point is needed")
    replications = kpis.groupby("point")["replication"].nunique()
    if replications.nunique() != 1:
        raise ValueError(f"points have different numbers of replications ({sorted(set(replications))})")
    rows = kpis[(kpis["kpi"] == kpi) & (kpis["month"] == month)]
    stats = rows.groupby("point")["value"].agg(["sum", "count", "size"]).reindex(range(points))
    means = stats["sum"] / stats["count"]
    means[(stats["count"] < stats["size"]) | stats["count"].isna()] = np.nan  # a missing value is not averaged away
    y = means.to_numpy(float)
    assert len(y) == points
    return y


def analyse(method: str, problem: dict, sample: np.ndarray, y: np.ndarray, seed: int = 0,
            levels: int = 4) -> pd.DataFrame:
    """SALib's indices for outputs ``y`` (row n from row n of ``sample``): a row per parameter with
    the method's index columns, ``indistinguishable``, ``rank`` (1 the most influential) and ``note``."""
    columns = INDEX_COLUMNS[method]
    names = list(problem["names"])
    y = np.asarray(y, dtype=float)
    if len(y) != len(sample):
        raise ValueError(f"{len(y)} outputs for a sample of {len(sample)} rows")
    table = pd.DataFrame({"parameter": names, "method": method})
    missing = int(np.isnan(y).sum())
    flat = method == "sobol" and not missing and np.ptp(y) == 0
    if missing or flat:
        for column in columns:
            table[column] = 0.0 if flat else np.nan
        note = (f"no value at {missing} of {len(y)} points" if missing else
                "the same at every point: nothing moves it")
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if method == "morris":
                from SALib.analyze import morris

                found = morris.analyze(problem, np.asarray(sample, float), y, num_resamples=RESAMPLES,
                                       conf_level=CONFIDENCE, num_levels=levels, seed=seed)
            else:
                from SALib.analyze import sobol

                found = sobol.analyze(problem, y, calc_second_order=False, num_resamples=RESAMPLES,
                                      conf_level=CONFIDENCE, seed=seed)
        for column in columns:
            table[column] = np.asarray(found[column], dtype=float)
        note = ""
    for index in ("S1", "ST") if method == "sobol" else ("mu_star",):
        value, conf = table[index], table[f"{index}_conf"]
        flag = (value < 0) | (value - conf.fillna(0) <= 0) | value.isna()
        if method == "sobol":
            table[f"{index}_indistinguishable"] = flag
    table["indistinguishable"] = flag  # the ranking index's (mu_star or ST)
    ranked = table[RANKED_BY[method]]
    table["rank"] = ranked.rank(ascending=False, method="first", na_option="bottom").astype("Int64")
    table["note"] = [note or _note(method, row) for row in table.to_dict("records")]
    return table


def _note(method: str, row: dict) -> str:
    if row["indistinguishable"]:
        return NOT_DISTINGUISHABLE
    if method == "morris":
        return "non-linear or interacting" if row["sigma"] > row["mu_star"] else ""  # sigma above mu*
    return "mostly through interactions with others" \
        if row["S1_indistinguishable"] else ""


def indices_table(method: str, problem: dict, sample: np.ndarray, kpis: pd.DataFrame,
                  labels: dict[str, str] | None = None, seed: int = 0, levels: int = 4,
                  order: list[str] | None = None) -> pd.DataFrame:
    """For each KPI (in ``order``, else as they come) and month in ``kpis`` (tidy: point, replication,
    month, kpi, value, optionally date), the indices of every parameter, ranked:
    ``kpi, month, date, parameter, label, method, ...``."""
    tables = []
    dates = dict(zip(kpis["month"], kpis["date"])) if "date" in kpis else {}
    held = list(dict.fromkeys(kpis["kpi"]))
    for kpi in [k for k in order if k in held] if order else held:
        for month in sorted(kpis.loc[kpis["kpi"] == kpi, "month"].unique()):
            y = outputs_in_order(kpis, len(sample), kpi, month)
            table = analyse(method, problem, sample, y, seed, levels)
            table.insert(0, "kpi", kpi)
            table.insert(1, "month", int(month))
            table.insert(2, "date", dates.get(month))
            table.insert(4, "label", table["parameter"].map(lambda name: (labels or {}).get(name, name)))
            tables.append(table.sort_values("rank", kind="stable"))
    if not tables:
        raise ValueError("no KPI values to analyse")
    return pd.concat(tables, ignore_index=True)


def _manifest(study: Study, result: SweepResult) -> dict:
    spec = study.spec
    size = ({"trajectories": spec.trajectories, "levels": spec.levels} if study.method == "morris" else
            {"base_sample": spec.base_sample, "second_order": False} if study.method == "sobol" else {})
    return {
        "package": "capacity-model", "version": __version__, "kind": "sensitivity", "name": study.name,
        "study_file": str(study.path) if study.path else None, "study": spec.model_dump(mode="json"),
        "method": study.method, **size, "sample_rows": len(study.sample),
        "parameters": [factor.describe() for factor in study.factors],
        "replications": spec.replications, "months": spec.months, "seed": spec.seed,
        "tasks": study.tasks, "kpis": spec.kpis, "months_of_interest": spec.reported_months,
        "confidence": CONFIDENCE, "bootstrap_resamples": RESAMPLES, "ranked_by": RANKED_BY[study.method],
        "fingerprint": study.sweep.fingerprint, "salib": _salib_version(), "python": sys.version.split()[0],
        "finished": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
        "reading": READINGS[study.method],
    }


NOT_ZERO = "; an index whose 95% interval reaches zero, or that is negative, is not distinguishable from zero"
READINGS = {
    "morris": "mu_star: mean absolute change in the KPI, in its units, when the parameter crosses its whole range; "
              "sigma: how much that change differs with the other parameters" + NOT_ZERO,
    "sobol": "S1: share of the KPI's variance over the ranges due to the parameter alone; ST: with its interactions"
             + NOT_ZERO,
    "one_at_a_time": "change_low, change_high: the paired change in the KPI from the base, in its units, with the "
                     "parameter at the low or the high end of its range and the others at the base; a parameter "
                     "both of whose 95% intervals include zero is not distinguishable from zero",
}


def _salib_version() -> str:
    from importlib.metadata import version

    return version("SALib")


def save_tornadoes(result: SensitivityResult) -> list[Path]:
    """A tornado chart (PNG and SVG) per KPI and month of interest, in ``<folder>/charts/``, replaced whole."""
    from ..analysis.charts import save, tornado

    pairs = list(dict.fromkeys(zip(result.indices["kpi"], result.indices["month"])))
    stems = [f"tornado-{kpi}-month-{int(month)}" for kpi, month in pairs]

    def write(folder: Path) -> None:
        folder.mkdir()
        for (kpi, month), stem in zip(pairs, stems):
            save(tornado(result.indices, kpi, int(month)), folder / stem)

    publish(result.folder, {"charts": write}, into_existing=True)
    return [result.folder / "charts" / f"{stem}.{kind}" for stem in stems for kind in ("png", "svg")]
