"""Calibration: fit uncertain parameters so that the no-change run reproduces a council's own figures.

A figures file (CSV) gives each target: a KPI, its published value and the interval
within which the model's value counts as reproducing it (``low``, ``high``), and
optionally the parameter fitted to it and the month (default: the mean over months 1
to ``months``, as an annual figure is). Each KPI has a default parameter, the one that
moves it most directly (``DEFAULT_PARAMETERS``: turnover and the permanent leaving
hazard, the vacancy rate and hires per advertised post, the agency rate and the agency
market's monthly fill probability, children with 3 or more social workers and
within-team reallocations, the average caseload and referrals).

The fit is coordinate-wise: each parameter in turn is moved by secant steps (kept within
its bounds) until the model's mean over replications lies within its target's interval,
the others held; the round repeats while a target moved out of its interval by another's
change, up to ``rounds``. Every evaluation runs the same replications on the same seeds
(common random numbers), so a step's change is the parameter's, not noise's. A target
the parameter cannot reach within its bounds is reported plainly, with the closest value
the model gave.
"""

from __future__ import annotations

import copy
import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..analysis.summary import mean_interval
from ..errors import UserError
from ..experiment import run_experiment
from ..experiment.executors import Executor
from ..measures import KPI_BY_ID
from ..scenario import Scenario, ScenarioError
from ..scenario.interventions import get_path, set_path

DEFAULT_PARAMETERS = {
    "turnover_12m": "workforce.leaving.permanent_per_year",
    "vacancy_rate": "workforce.recruitment.hires_per_advertised_post",
    "agency_rate": "workforce.agency.fill_probability_per_month",
    "pct_children_3plus_sw_12m": "allocation.reallocations_per_family_year",
    "pct_cic_3plus_sw_12m": "allocation.reallocations_per_family_year",
    "average_caseload": "referrals.new_children_per_year",
}
BOUNDS = {
    "workforce.leaving.permanent_per_year": (0.0, 2.0),
    "workforce.recruitment.hires_per_advertised_post": (0.0, 1.0),
    "workforce.agency.fill_probability_per_month": (0.0, 1.0),
    "allocation.reallocations_per_family_year": (0.0, 5.0),
}
STEPS = 8
"""Evaluations per parameter per round at most."""


class CalibrationError(UserError):
    """A figures file that cannot be used, naming the file, row and column."""


@dataclass(frozen=True)
class Target:
    kpi: str
    value: float
    low: float
    high: float
    parameter: str
    month: int | None = None

    def met(self, model: float) -> bool:
        return self.low <= model <= self.high


@dataclass
class Calibration:
    scenario: Scenario  # the fitted scenario
    table: pd.DataFrame  # one row per target: kpi, parameter, target, low, high, start, fitted, model, interval, met
    evaluations: int

    @property
    def all_met(self) -> bool:
        return bool(self.table["met"].all())


def read_targets(path: str | Path, base: Scenario) -> list[Target]:
    """The figures file's targets, each checked: a known KPI, numbers with low <= value <= high, a parameter of the base."""
    path = Path(path)
    if not path.is_file():
        raise CalibrationError(f"{path}: no such file (a CSV with columns kpi, value, low, high and optionally "
                               "parameter and month)")
    data = base.model_dump(mode="json")
    targets, problems = [], []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("kpi", "value", "low", "high") if c not in (reader.fieldnames or [])]
        if missing:
            raise CalibrationError(f"{path}, row 1: missing column(s) {', '.join(missing)} (columns: kpi, value, low, "
                                   "high, parameter, month)")
        for row, values in enumerate(reader, start=2):
            where = f"{path}, row {row}"
            kpi = (values.get("kpi") or "").strip()
            if kpi not in KPI_BY_ID:
                problems.append(f"{where}, column kpi: {kpi!r} is not a KPI ('capacity-model list' names them)")
                continue
            try:
                value, low, high = (float(values[c]) for c in ("value", "low", "high"))
            except (TypeError, ValueError):
                problems.append(f"{where}: value, low and high must be numbers")
                continue
            if not low <= value <= high:
                problems.append(f"{where}: needs low <= value <= high, got {low:g}, {value:g}, {high:g}")
                continue
            parameter = (values.get("parameter") or "").strip() or DEFAULT_PARAMETERS.get(kpi)
            if parameter is None:
                problems.append(f"{where}, column parameter: {kpi} has no default parameter to fit; name one "
                                f"(defaults exist for {', '.join(DEFAULT_PARAMETERS)})")
                continue
            try:
                current = get_path(data, parameter)
            except KeyError:
                problems.append(f"{where}, column parameter: {parameter!r} is not a parameter of the scenario")
                continue
            if not isinstance(current, (int, float)) or isinstance(current, bool):
                problems.append(f"{where}, column parameter: {parameter} is {current!r}, not a number to fit")
                continue
            month = (values.get("month") or "").strip()
            if month and not (month.isdigit() and int(month) >= 1):
                problems.append(f"{where}, column month: {month!r} is not a month number (1 or more), or leave it "
                                "empty for the mean over the months run")
                continue
            targets.append(Target(kpi, value, low, high, parameter, int(month) if month else None))
    if problems:
        raise CalibrationError("\n".join(problems))
    fitted = [t.parameter for t in targets]
    twice = sorted({p for p in fitted if fitted.count(p) > 1})
    if twice:
        raise CalibrationError(f"{path}: parameter {twice[0]} is fitted to more than one target; give one of them "
                               "another parameter")
    if not targets:
        raise CalibrationError(f"{path}: no targets")
    return targets


def calibrate(base: Scenario, targets: list[Target], replications: int = 10, months: int = 12, seed: int = 0,
              jobs: int = 1, executor: Executor | None = None, rounds: int = 3,
              on_step=None) -> Calibration:
    """Fit each target's parameter in turn (see the module's docstring); the fitted scenario and the table."""
    data = base.model_dump(mode="json")
    start = {t.parameter: float(get_path(data, t.parameter)) for t in targets}
    values = dict(start)
    evaluations = 0
    cache: dict[tuple, dict[str, np.ndarray]] = {}

    def model(at: dict[str, float]) -> dict[str, np.ndarray]:
        nonlocal evaluations
        key = tuple(sorted(at.items()))
        if key not in cache:
            evaluations += 1
            result = run_experiment(_scenario(base, data, at), replications, months, seed, jobs, progress=False,
                                    executor=executor)
            cache[key] = {t.kpi: _per_replication(result.kpis, t, months) for t in targets}
            if on_step is not None:
                on_step(evaluations, at)
        return cache[key]

    for _ in range(rounds):
        found = model(values)
        if all(t.met(float(np.nanmean(found[t.kpi]))) for t in targets):
            break
        for target in targets:
            values[target.parameter] = _fit_one(target, values, model)
    final = model(values)
    rows = []
    for t in targets:
        mean, low, high = mean_interval(final[t.kpi][~np.isnan(final[t.kpi])])
        rows.append({"kpi": t.kpi, "label": KPI_BY_ID[t.kpi].label, "target": t.value, "target_low": t.low,
                     "target_high": t.high, "parameter": t.parameter, "start": start[t.parameter],
                     "fitted": values[t.parameter], "model": mean, "model_low": low, "model_high": high,
                     "met": t.met(mean)})
    return Calibration(_scenario(base, data, values), pd.DataFrame(rows), evaluations)


def _fit_one(target: Target, values: dict[str, float], model) -> float:
    """Secant steps on one parameter, the others held, until the model's mean is within the target's interval."""
    low_bound, high_bound = BOUNDS.get(target.parameter, (0.0, float("inf")))
    def mean_at(x: float) -> float:
        found = model({**values, target.parameter: x})[target.kpi]
        if not np.isfinite(found).any():
            raise CalibrationError(f"calibration: {target.kpi} has no value in the months run (month "
                                   f"{target.month or 'all'}); check the figures file's month and --months")
        return float(np.nanmean(found))

    x0 = values[target.parameter]
    y0 = mean_at(x0)
    if target.met(y0):
        return x0
    x1 = min(max(x0 * 1.2 if x0 else 0.05, low_bound), high_bound)
    if x1 == x0:  # already at the upper bound: try lower
        x1 = max(x0 * 0.8, low_bound)
    best = (abs(y0 - target.value), x0)
    for _ in range(STEPS):
        y1 = mean_at(x1)
        best = min(best, (abs(y1 - target.value), x1))
        if target.met(y1):
            return x1
        if y1 == y0 or x1 == x0:
            break
        x2 = x1 + (target.value - y1) * (x1 - x0) / (y1 - y0)
        x0, y0, x1 = x1, y1, min(max(x2, low_bound), high_bound)
        if x1 == x0:  # at a bound already
            break
    return best[1]


def _per_replication(kpis: pd.DataFrame, target: Target, months: int) -> np.ndarray:
    rows = kpis[kpis["kpi"] == target.kpi]
    rows = rows[rows["month"] == target.month] if target.month is not None else rows[rows["month"].between(1, months)]
    return rows.groupby("replication")["value"].mean().to_numpy(float)


def _scenario(base: Scenario, data: dict, values: dict[str, float]) -> Scenario:
    changed = copy.deepcopy(data)
    for parameter, value in values.items():
        before = get_path(data, parameter)
        set_path(changed, parameter, int(round(value)) if isinstance(before, int) else float(value))
    try:
        return Scenario.model_validate(changed)
    except ValueError as error:
        raise ScenarioError(f"calibration: the fitted values {values} do not make a valid scenario: {error}") from None


def write_fitted(calibration: Calibration, source: str, out: str | Path) -> None:
    """The fitted scenario (``extends`` the source, with the fitted values) and ``<out>.csv``, the table."""
    out = Path(out)
    table = calibration.table
    lines = [f"# Calibrated by capacity-model calibrate from {source}: each parameter below fitted so that the",
             "# no-change run reproduces the council's figure (the mean over replications within its interval).",
             "#"]
    for row in table.itertuples(index=False):
        verdict = "met" if row.met else "NOT MET: the parameter cannot bring the model within the interval"
        lines.append(f"# {row.label}: target {row.target:g} ({row.target_low:g} to {row.target_high:g}); model "
                     f"{row.model:.3g} ({row.model_low:.3g} to {row.model_high:.3g}) with {row.parameter} = "
                     f"{row.fitted:.4g} (was {row.start:.4g}): {verdict}")
    given = Path(source)
    extends = os.path.relpath(given.resolve(), out.resolve().parent) if given.suffix in (".yaml", ".yml") else source
    lines += [f"name: {out.stem}", f"extends: {extends}"]
    nested: dict = {}
    whole = calibration.scenario.model_dump(mode="json")
    for row in table.itertuples(index=False):
        set_nested(nested, row.parameter, get_path(whole, row.parameter))  # as the fitted scenario holds it
    text = "\n".join(lines) + "\n" + yaml.safe_dump(nested, sort_keys=False)
    temporary = out.with_name(f".{out.stem}.incomplete.yaml")
    temporary_table = out.with_name(f".{out.stem}.incomplete.csv")
    temporary.write_text(text, encoding="utf-8")
    table.to_csv(temporary_table, index=False)
    temporary_table.replace(out.with_suffix(".csv"))
    temporary.replace(out)


def set_nested(data: dict, path: str, value: float) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value
