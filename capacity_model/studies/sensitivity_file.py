"""Sensitivity study files: which parameters, over what ranges, by which method; validated like sweep files.

```yaml
name: morris-baseline            # default: the file's name
base: baseline                   # a scenario file beside this one, or a built-in name
method: morris                   # morris (screening many parameters), sobol (S1 and ST for a few) or
                                 # one_at_a_time (each parameter at its low and its high, the rest at base)
trajectories: 10                 # Morris: trajectories of (parameters + 1) points each
# base_sample: 128               # Sobol: N, a power of two; N x (parameters + 2) points
replications: 5                  # per point, on common random numbers
months: 24
seed: 0                          # the sample's, the bootstrap's and the simulation's
relative_range: 0.2              # a parameter without a range: the base's value +/- 20%
parameters:
  referrals.new_children_per_year: {}                      # 2,124 to 3,186 (the base's 2,655 +/- 20%)
  allocation.caseload_cap: {range: {low: 18, high: 26}}    # the values themselves (whole: rounded)
  pathway.assessment_working_days: {range: {low: 0.8, high: 1.2}, relative: multiply}   # its days scaled
kpis: [unallocated_over_5d, turnover_12m]
months_of_interest: [24]         # default: the last month
```

A parameter is a dotted path of the base scenario. Without a ``range`` it runs from the
base's value less ``relative_range`` of it to the base's value plus as much (a probability
or a share no further than 0 to 1; a distribution is scaled through its days by 1 -/+
``relative_range``). A ``range`` gives the values themselves or, with ``relative: multiply``
or ``relative: add``, a factor or an amount that changes the base's value. A whole number
is rounded (in a Morris study its range is first moved to the nearest whole numbers that put
every level on a whole number, about the same centre, so that every step is as long as
the analysis takes it to be); a share of a group (``pathway.assessment_outcomes.cin``) renormalises the
others. Every point of the SALib sample is a scenario that must validate before anything
runs; its ``values`` are what the scenario holds (a distribution's: the factor applied).

``one_at_a_time`` needs no SALib: point 0 is the base, then each parameter at the low end
of its range and at the high end, the others as in the base (2 x parameters + 1 points),
so each change is a paired difference from the base, replication by replication.
"""

from __future__ import annotations

import copy
import difflib
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, PositiveInt, ValidationError, model_validator

from ..scenario import Scenario, ScenarioError
from ..scenario.base import Frozen
from ..scenario.interventions import get_path, set_path
from ..scenario.perturb import SHARE_GROUPS, scaled
from .sweep_file import (Parameter, ParameterRange, Point, Sweep, SweepSpec, base_scenario, check_kpis, is_sweep_file,
                         parameter_text, read_study_file)

METHODS = ("morris", "sobol", "one_at_a_time")
DEFAULT_KPIS = ["unallocated", "unallocated_over_5d", "pct_caseload_le_22", "turnover_12m", "cost_cumulative_gbp"]


class StudyParameter(Frozen):
    """One parameter: its range (or the base's value +/- ``relative_range``) and its label."""

    range: ParameterRange | None = None
    relative: Literal["multiply", "add"] | None = Field(
        default=None, description="the range is a factor or an amount that changes the base's value")
    relative_range: float | None = Field(default=None, gt=0.0, lt=1.0,
                                         description="without a range: the base's value +/- this share of it")
    label: str | None = Field(default=None, description="the parameter in plain words, for charts and tables")

    @model_validator(mode="after")
    def _consistent(self) -> "StudyParameter":
        if self.range is None and self.relative is not None:
            raise ValueError("relative needs a range (of factors or amounts); without a range the parameter runs "
                             "over the base's value +/- relative_range")
        if self.range is not None and self.relative_range is not None:
            raise ValueError("give range or relative_range, not both")
        if self.range is not None and not self.range.high > self.range.low:
            raise ValueError(f"range: high ({self.range.high}) must be above low ({self.range.low}): a parameter "
                             "that does not vary has no sensitivity")
        return self


class StudySpec(Frozen):
    name: str | None = None
    description: str = ""
    base: str = "baseline"
    method: Literal["morris", "sobol", "one_at_a_time"]
    parameters: dict[str, StudyParameter] = Field(min_length=1)
    relative_range: float = Field(default=0.2, gt=0.0, lt=1.0)
    trajectories: int = Field(default=10, ge=2, description="Morris: trajectories")
    levels: int = Field(default=4, ge=2, le=20, description="Morris: levels of each parameter's grid (even)")
    base_sample: PositiveInt = Field(default=128, description="Sobol: N, a power of two")
    replications: PositiveInt = 5
    months: PositiveInt = Field(default=24, le=1200)
    seed: int = Field(default=0, ge=0)
    kpis: list[str] = Field(default_factory=lambda: list(DEFAULT_KPIS), min_length=1)
    months_of_interest: list[PositiveInt] | None = None

    @model_validator(mode="before")
    @classmethod
    def _parameters_listed(cls, data: Any) -> Any:
        """``parameters`` may be a list of paths, and a parameter with nothing to say may be left empty."""
        if isinstance(data, dict):
            given = data.get("parameters")
            if isinstance(given, list) and all(isinstance(name, str) for name in given):
                data = {**data, "parameters": {name: {} for name in given}}
            elif isinstance(given, dict):
                data = {**data, "parameters": {k: {} if v is None else v for k, v in given.items()}}
        return data

    @model_validator(mode="after")
    def _method(self) -> "StudySpec":
        other = {"morris": ("base_sample",), "sobol": ("trajectories", "levels"),
                 "one_at_a_time": ("base_sample", "trajectories", "levels")}[self.method]
        stray = [name for name in other if name in self.model_fields_set]
        if stray:
            raise ValueError(f"{stray[0]} is not for method {self.method} (Morris takes trajectories and levels; "
                             "Sobol takes base_sample; one_at_a_time neither)")
        if self.method == "sobol" and self.base_sample & (self.base_sample - 1):
            below = 1 << (self.base_sample.bit_length() - 1)
            raise ValueError(f"base_sample: {self.base_sample} is not a power of two, which Sobol's sequence needs "
                             f"for its balance: use {below} or {below * 2}")
        if self.method == "morris" and self.levels % 2:
            raise ValueError(f"levels: {self.levels} is odd; Morris needs an even number of levels (4 is usual)")
        check_kpis(self.kpis, self.months_of_interest, self.months, "study")
        return self

    @property
    def reported_months(self) -> list[int]:
        return sorted(set(self.months_of_interest or [self.months]))


@dataclass(frozen=True)
class Factor:
    """One parameter as sampled: ``low`` to ``high`` in the file's terms (a value, a factor or an amount)."""

    name: str
    label: str
    low: float
    high: float
    relative: str | None  # None (the value itself), "multiply" or "add"
    base: Any  # the base's value
    kind: str  # "number", "whole" (rounded), "share" (its group renormalised) or "distribution" (days scaled)

    @property
    def at_base(self) -> float:
        """The base's value in the file's terms: a factor of 1, an amount of 0, or the value itself."""
        if self.kind == "distribution" or self.relative == "multiply":
            return 1.0
        return 0.0 if self.relative == "add" else float(self.base)

    def apply(self, data: dict, sampled: float) -> float:
        """Put the sampled value into scenario data; returns the value the scenario now holds
        (for a distribution, the factor its days were multiplied by)."""
        if self.kind == "distribution":
            data.update(scaled(data, self.name, float(sampled)))
            return float(sampled)
        new = (self.base * sampled if self.relative == "multiply" else
               self.base + sampled if self.relative == "add" else float(sampled))
        if self.kind == "whole":
            new = int(round(new))
        if self.kind == "share":
            data.update(scaled(data, self.name, new / self.base))
            return float(get_path(data, self.name))
        set_path(data, self.name, new)
        return new

    def describe(self) -> dict:
        return {"parameter": self.name, "label": self.label, "low": self.low, "high": self.high,
                "relative": self.relative, "base": self.base, "kind": self.kind}


@dataclass(frozen=True, eq=False)
class Study:
    """A validated study: its file, spec, base scenario, factors, SALib sample and the sweep of its points."""

    path: Path | None
    spec: StudySpec
    base: Scenario
    factors: list[Factor]
    sample: np.ndarray  # one row per point, in SALib's order, in the file's terms
    sweep: Sweep  # point n is row n of the sample

    @property
    def name(self) -> str:
        return self.spec.name or (self.path.stem if self.path else "sensitivity")

    @property
    def method(self) -> str:
        return self.spec.method

    @property
    def parameters(self) -> list[str]:
        return [factor.name for factor in self.factors]

    @property
    def labels(self) -> dict[str, str]:
        return {factor.name: factor.label for factor in self.factors}

    @property
    def problem(self) -> dict:
        """SALib's problem: the parameters and their bounds (in the file's terms)."""
        return problem(self.parameters, [(f.low, f.high) for f in self.factors])

    @property
    def tasks(self) -> int:
        return len(self.sweep.points) * self.spec.replications

    def with_runs(self, replications: int | None = None, months: int | None = None,
                  seed: int | None = None) -> "Study":
        """The same study with other replications, months or seed (a new seed draws a new sample)."""
        changes = {k: v for k, v in {"replications": replications, "months": months, "seed": seed}.items()
                   if v is not None}
        if not changes:
            return self
        spec = _validated({**self.spec.model_dump(exclude_unset=True), **changes}, self.path)
        return make_study(spec, self.base, self.path)


def problem(names: list[str], bounds: list[tuple[float, float]]) -> dict:
    return {"num_vars": len(names), "names": list(names), "bounds": [[float(lo), float(hi)] for lo, hi in bounds]}


def one_at_a_time_sample(chosen: list[Factor]) -> np.ndarray:
    """The base, then each parameter at its low and its high with the others at the base's values."""
    base = [factor.at_base for factor in chosen]
    rows = [base]
    for i, factor in enumerate(chosen):
        for end in (factor.low, factor.high):
            row = list(base)
            row[i] = end
            rows.append(row)
    return np.asarray(rows, dtype=float)


def make_sample(method: str, problem: dict, size: int, seed: int, levels: int = 4) -> np.ndarray:
    """SALib's sample: Morris trajectories (``size`` of them) or Saltelli's Sobol design (``size`` = N,
    without second-order indices): one row per point, in the order SALib's analysis reads them."""
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, size, num_levels=levels, seed=seed)
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, size, calc_second_order=False, seed=seed)
    raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")


def is_study_file(path: str | Path) -> bool:
    """Whether a file reads as a sensitivity study (a mapping with ``method``) rather than a sweep or scenario."""
    return is_sweep_file(path, "method")


def _validated(data: dict, path: Path | None) -> StudySpec:
    where = f"{path}: " if path else ""
    try:
        return StudySpec.model_validate(data)
    except ValidationError as error:
        raise ScenarioError("\n".join(f"{where}{'.'.join(map(str, item['loc'])) or 'study'}: {_message(item)}"
                                      for item in error.errors(include_url=False))) from None


def _message(item: dict) -> str:
    """Pydantic's message, and for a misspelt field the one meant and those allowed."""
    if item["type"] != "extra_forbidden":
        return item["msg"].removeprefix("Value error, ")
    loc = item["loc"]
    model = (StudySpec if len(loc) == 1 else StudyParameter if len(loc) == 3 and loc[0] == "parameters"
             else ParameterRange)
    allowed = list(model.model_fields)
    guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    return ("unknown field." + (f" Did you mean '{guess[0]}'?" if guess else "")
            + f" Allowed here: {', '.join(allowed)}")


def load_study(path: str | Path) -> Study:
    """Read and validate a study file and every point of its sample; ``ScenarioError`` naming file and field."""
    path = Path(path)
    spec = read_study_file(path, StudySpec, kind="study", problem=_message)
    return make_study(spec, base_scenario(path, spec.base), path)


def factors(spec: StudySpec, base: Scenario, path: Path | None = None) -> list[Factor]:
    """Each parameter of the study with its range in the file's terms and how it is put into a scenario."""
    where = f"{path}: " if path else ""
    data = base.model_dump(mode="json")
    found = []
    for name, given in spec.parameters.items():
        field = f"{where}parameters.{name}"
        try:
            before = get_path(data, name)
        except KeyError:
            leaf = name.rsplit(".", 1)[-1]
            raise ScenarioError(f"{field}: not a parameter of the base scenario '{base.name}' (a dotted path of one "
                                f"of its fields; '{leaf}' is not there, or its section is empty in the base: give it "
                                "there first)") from None
        distribution = isinstance(before, dict) and "kind" in before
        number = isinstance(before, (int, float)) and not isinstance(before, bool)
        if not (distribution or number):
            raise ScenarioError(f"{field}: the base's value is {before!r}, not a number or a distribution, so it has "
                                "no range to vary over")
        parts = name.split(".")
        share = number and len(parts) >= 2 and parts[-2] in SHARE_GROUPS
        kind = ("distribution" if distribution else "share" if share else
                "whole" if isinstance(before, int) else "number")
        label = given.label or parameter_text(name)
        if given.range is None:
            spread = given.relative_range or spec.relative_range
            if distribution:
                found.append(Factor(name, label, 1 - spread, 1 + spread, "multiply", before, kind))
                continue
            if before == 0:
                raise ScenarioError(f"{field}: the base's value is 0, so +/- relative_range of it is no range: give a "
                                    "range (low and high)")
            low, high = sorted((before * (1 - spread), before * (1 + spread)))
            if share or "probability" in name.rsplit(".", 1)[-1]:
                low, high = max(low, 0.0), min(high, 1.0)
            found.append(Factor(name, label, low, high, None, before, kind))
            continue
        if distribution and given.relative != "multiply":
            raise ScenarioError(f"{field}.relative: the base's value is a distribution, which can only be scaled: "
                                "give relative: multiply and a range of factors")
        if share and before == 0:
            raise ScenarioError(f"{field}: the base's share is 0, so the others cannot be renormalised around it")
        found.append(Factor(name, label, given.range.low, given.range.high, given.relative, before, kind))
    if spec.method == "morris":  # whole numbers on every level, so that each step is exactly as long as SALib takes
        found = [replace(f, **dict(zip(("low", "high"), whole_levels(f.low, f.high, spec.levels))))
                 if f.kind == "whole" and f.relative != "multiply" else f for f in found]
    return found


def whole_levels(low: float, high: float, levels: int) -> tuple[float, float]:
    """The range nearest ``low`` to ``high``, about the same centre, whose Morris levels are all whole numbers."""
    steps = levels - 1
    span = max(steps, steps * round((high - low) / steps))
    start = math.floor((low + high) / 2 - span / 2 + 0.5)
    return float(start), float(start + span)


def make_study(spec: StudySpec, base: Scenario, path: Path | None = None) -> Study:
    """The study's factors, its SALib sample and a sweep with one point per row, each a validated scenario."""
    where = f"{path}: " if path else ""
    chosen = factors(spec, base, path)
    names = [factor.name for factor in chosen]
    if spec.method == "one_at_a_time":
        sample = one_at_a_time_sample(chosen)
    else:
        size = spec.trajectories if spec.method == "morris" else spec.base_sample
        sample = make_sample(spec.method, problem(names, [(f.low, f.high) for f in chosen]), size, spec.seed,
                             spec.levels)
    name = spec.name or (path.stem if path else "sensitivity")
    data = base.model_dump(mode="json")
    points = []
    for number, row in enumerate(sample):
        point, values = copy.deepcopy(data), {}
        for factor, sampled in zip(chosen, row):
            values[factor.name] = factor.apply(point, sampled)
        point["name"] = f"{name}-point-{number:04d}"
        try:
            points.append(Point(number, values, Scenario.model_validate(point)))
        except ValidationError as error:
            problem_ = error.errors(include_url=False)[0]
            shown = ", ".join(f"{k} = {v:.6g}" for k, v in values.items())
            raise ScenarioError(f"{where}point {number} ({shown}): "
                                f"{'.'.join(map(str, problem_['loc'])) or 'scenario'}: "
                                f"{problem_['msg'].removeprefix('Value error, ')}; narrow the ranges so that every "
                                "combination is valid") from None
    sweep_spec = SweepSpec(
        name=name, description=spec.description, base=spec.base, replications=spec.replications, months=spec.months,
        seed=spec.seed, design="latin_hypercube", points=len(points), kpis=spec.kpis,
        months_of_interest=spec.reported_months,
        parameters={f.name: Parameter(range=ParameterRange(low=f.low, high=f.high), relative=f.relative,
                                      label=f.label) for f in chosen})
    return Study(path, spec, base, chosen, sample, Sweep(path, sweep_spec, base, points))
