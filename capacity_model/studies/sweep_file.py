"""Sweep files: a base scenario, the parameters to vary and how, validated like scenario files.

```yaml
name: locality-posts-by-support-officers   # default: the file's name
base: sweep-base.yaml          # a scenario file beside this one, or a built-in name
replications: 20
months: 24
seed: 0
design: grid                   # every combination of the values; or latin_hypercube
parameters:
  teams.locality.posts_fte: {values: [70, 80, 90, 100, 110], label: Locality social worker posts (FTE)}
  workforce.support.social_work_support_officers.fte: {values: [0, 10, 20]}
kpis: [unallocated, unallocated_over_5d, pct_caseload_le_22, cost_cumulative_gbp]
months_of_interest: [12, 24]
```

A parameter is a dotted path of the base scenario. It takes ``values`` (a grid) or a
``range`` of ``low`` and ``high`` (a Latin hypercube of ``points`` points), each either the
value itself or, with ``relative: multiply`` or ``relative: add``, a change of the base's
value. Every point is a scenario that must validate before anything runs.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal

import yaml
from pydantic import Field, PositiveInt, ValidationError, model_validator

from ..measures import KPI_BY_ID
from ..scenario import Scenario, ScenarioError, load_scenario
from ..scenario.base import Frozen
from ..scenario.interventions import get_path, set_path


class ParameterRange(Frozen):
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> "ParameterRange":
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be at least low ({self.low})")
        return self


class Parameter(Frozen):
    """One parameter varied: its values (a grid) or its range (a Latin hypercube)."""

    values: list[Any] | None = Field(default=None, min_length=1)
    range: ParameterRange | None = None
    relative: Literal["multiply", "add"] | None = Field(
        default=None, description="the values change the base's value by a factor or an amount")
    label: str | None = Field(default=None, description="the parameter in plain words, for charts and tables")

    @model_validator(mode="after")
    def _one(self) -> "Parameter":
        if (self.values is None) == (self.range is None):
            raise ValueError("give values (a list, for a grid) or range (low and high, for a Latin hypercube)")
        return self


class SweepSpec(Frozen):
    name: str | None = None
    description: str = ""
    base: str = "baseline"
    replications: PositiveInt = 20
    months: PositiveInt = Field(default=24, le=1200)
    seed: int = Field(default=0, ge=0)
    design: Literal["grid", "latin_hypercube"] = "grid"
    points: PositiveInt | None = Field(default=None, description="points of a Latin hypercube")
    parameters: dict[str, Parameter] = Field(min_length=1)
    kpis: list[str] = Field(default_factory=lambda: ["unallocated", "unallocated_over_5d", "pct_caseload_le_22",
                                                     "turnover_12m", "cost_cumulative_gbp"], min_length=1)
    months_of_interest: list[PositiveInt] | None = None

    @model_validator(mode="after")
    def _design(self) -> "SweepSpec":
        kinds = {("values" if p.values is not None else "range") for p in self.parameters.values()}
        if self.design == "grid" and kinds != {"values"}:
            raise ValueError("design grid: every parameter needs values (a list); a range is for latin_hypercube")
        if self.design == "latin_hypercube" and (kinds != {"range"} or self.points is None):
            raise ValueError("design latin_hypercube: every parameter needs a range, and the sweep needs points")
        check_kpis(self.kpis, self.months_of_interest, self.months, "sweep")
        return self

    @property
    def reported_months(self) -> list[int]:
        return self.months_of_interest or sorted({m for m in (6, 12, 24) if m <= self.months} | {self.months})


RELATIVE_TEXT = {"multiply": " (× base)", "add": " (+ base)"}


def check_kpis(kpis: list[str], months_of_interest: list[int] | None, months: int, kind: str) -> None:
    """A study's KPIs are KPIs (the nearest named if not) and its months of interest within its months."""
    unknown = [k for k in kpis if k not in KPI_BY_ID]
    if unknown:
        guess = difflib.get_close_matches(unknown[0], list(KPI_BY_ID), n=1)
        raise ValueError(f"kpis: {unknown} not KPIs" + (f"; did you mean '{guess[0]}'?" if guess else "")
                         + " ('capacity-model list' lists them)")
    if months_of_interest and max(months_of_interest) > months:
        raise ValueError(f"months_of_interest: {max(months_of_interest)} is after the {kind}'s {months} months")


@dataclass(frozen=True)
class Point:
    """One point of a sweep: its number, its parameters' values and the scenario they make."""

    number: int
    values: dict[str, Any]
    scenario: Scenario


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: its file, its spec, its base scenario and every point."""

    path: Path | None
    spec: SweepSpec
    base: Scenario
    points: list[Point]

    @property
    def name(self) -> str:
        return self.spec.name or (self.path.stem if self.path else "sweep")

    def with_runs(self, replications: int | None = None, months: int | None = None,
                  seed: int | None = None) -> "Sweep":
        """The same points with other replications, months or seed (as ``--reps``, ``--months``, ``--seed``)."""
        changes = {k: v for k, v in {"replications": replications, "months": months, "seed": seed}.items()
                   if v is not None}
        if not changes:
            return self
        try:
            spec = SweepSpec.model_validate({**self.spec.model_dump(), **changes})
        except ValidationError as error:
            where = f"{self.path}: " if self.path else ""
            raise ScenarioError("\n".join(f"{where}{'.'.join(map(str, item['loc'])) or 'sweep'}: "
                                          f"{item['msg'].removeprefix('Value error, ')}"
                                          for item in error.errors(include_url=False))) from None
        # a Latin hypercube is drawn from the seed: another seed, other points
        points = make_points(spec, self.base, self.path) if "seed" in changes else self.points
        return Sweep(self.path, spec, self.base, points)

    @property
    def parameters(self) -> list[str]:
        return list(self.spec.parameters)

    @property
    def labels(self) -> dict[str, str]:
        """Each parameter in plain words: its ``label``, or else its dotted path made readable (with
        ``× base`` or ``+ base`` for a relative one, whose values are factors or amounts)."""
        return {name: (p.label or parameter_text(name)) + RELATIVE_TEXT.get(p.relative, "")
                for name, p in self.spec.parameters.items()}

    @property
    def fingerprint(self) -> str:
        """Equal for sweeps that would run the same tasks: the points' scenarios, seed, replications, months."""
        content = json.dumps({"points": [p.scenario.model_dump(mode="json") for p in self.points],
                              "seed": self.spec.seed, "replications": self.spec.replications,
                              "months": self.spec.months}, sort_keys=True)
        return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


def parameter_text(path: str) -> str:
    """``teams.locality.posts_fte`` as ``Locality posts (FTE)``: a dotted path made readable."""
    parts = [part for part in path.split(".") if part not in {"teams", "workforce", "support", "demand", "costs"}]
    words = " ".join(parts[-2:]).replace(" fte", " (FTE)").replace("_fte", " (FTE)").replace("_gbp", " (£)")
    words = words.replace("_", " ")
    return words[:1].upper() + words[1:]


def is_sweep_file(path: str | Path, key: str = "parameters") -> bool:
    """Whether a file reads as a study file (a mapping with ``parameters`` for a sweep, or ``key``)
    rather than a scenario file."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and key in data


def read_study_file(path: str | Path, model: type[Frozen], kind: str = "sweep",
                    problem: Callable[[dict], str] | None = None) -> Frozen:
    """A study file (a sweep, a target search, ...) read and validated as ``model``;
    ``ScenarioError`` naming the file and the field otherwise (each problem put in words by
    ``problem``, by default with the nearest allowed name for an unknown top-level field)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such {kind} file") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ScenarioError(f"{path}: cannot be read as YAML ({' '.join(str(error).split())})") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a {kind} file must be a mapping of fields (key: value)")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ScenarioError("\n".join(
            f"{path}: {'.'.join(map(str, item['loc'])) or kind}: "
            f"{problem(item) if problem else _problem(item, model)}"
            for item in error.errors(include_url=False))) from None


def _problem(item: dict, model: type[Frozen]) -> str:
    """A validation problem in words: an unknown field with the nearest allowed one and the rest."""
    if item["type"] != "extra_forbidden" or len(item["loc"]) != 1:
        return item["msg"].removeprefix("Value error, ")
    allowed = list(model.model_fields)
    guess = difflib.get_close_matches(str(item["loc"][0]), allowed, n=1)
    return ("unknown field." + (f" Did you mean '{guess[0]}'?" if guess else "")
            + f" Allowed here: {', '.join(allowed)}")


def base_scenario(path: Path, base: str) -> Scenario:
    """A study's base: a scenario file beside the study file, or a built-in scenario's name."""
    beside = path.parent / base
    return load_scenario(beside if beside.is_file() else base)


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file and every point it makes; ``ScenarioError`` naming file and field."""
    path = Path(path)
    spec = read_study_file(path, SweepSpec)
    base = base_scenario(path, spec.base)
    return Sweep(path, spec, base, make_points(spec, base, path))


def make_points(spec: SweepSpec, base: Scenario, path: Path | None = None) -> list[Point]:
    """Every point of the sweep, each a validated scenario named ``<sweep>-point-<n>``."""
    where = f"{path}: " if path else ""
    data = base.model_dump(mode="json")
    for name in spec.parameters:
        try:
            get_path(data, name)
        except KeyError:
            leaf = name.rsplit(".", 1)[-1]
            raise ScenarioError(f"{where}parameters.{name}: not a parameter of the base scenario '{base.name}' "
                                f"(a dotted path of one of its fields; '{leaf}' is not there, or its section is "
                                "empty in the base: give it there first)") from None
    names = list(spec.parameters)
    if spec.design == "grid":
        combinations = list(itertools.product(*(spec.parameters[n].values for n in names)))
    else:
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(names), seed=spec.seed).random(spec.points)
        combinations = [tuple(float(p.range.low + u * (p.range.high - p.range.low))
                              for p, u in zip((spec.parameters[n] for n in names), row)) for row in unit]
    sweep_name = spec.name or (path.stem if path else "sweep")
    points = []
    for number, combination in enumerate(combinations):
        values, point = dict(zip(names, combination)), copy.deepcopy(data)
        for name, value in values.items():
            relative = spec.parameters[name].relative
            before = get_path(data, name)
            if relative and (not isinstance(before, (int, float)) or isinstance(before, bool)):
                raise ScenarioError(f"{where}parameters.{name}.relative: the base's value is {before!r}, not a "
                                    "number, so it cannot be changed by a factor or an amount")
            new = before * value if relative == "multiply" else before + value if relative == "add" else value
            if isinstance(before, int) and not isinstance(before, bool) and isinstance(new, float):
                new = round(new)  # a whole-number field (posts, a cap) takes the nearest whole number
                if not relative:
                    values[name] = new  # the value used
            set_path(point, name, new)
        point["name"] = f"{sweep_name}-point-{number:03d}"
        try:
            points.append(Point(number, values, Scenario.model_validate(point)))
        except ValidationError as error:
            problem = error.errors(include_url=False)[0]
            raise ScenarioError(f"{where}point {number} ({', '.join(f'{k} = {v}' for k, v in values.items())}): "
                                f"{'.'.join(map(str, problem['loc'])) or 'scenario'}: "
                                f"{problem['msg'].removeprefix('Value error, ')}") from None
    return points
