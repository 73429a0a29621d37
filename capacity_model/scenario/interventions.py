"""Dated interventions: a parameter changed from a date, optionally back at another, as a step or a ramp.

An intervention names a scenario parameter by its dotted path (as in the scenario
file), the value it takes, the date it starts and, optionally, the date it ends
(when the parameter returns to what it was). With ``ramp_months`` a number moves
there in equal monthly steps, reaching the value that many months after the start.
Several interventions compose in the order they are listed: each starts from the
value the ones before it left.

The engine asks for the scenario in force on each day a change happens; it never
reads the intervention list itself.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any, TypeVar

from pydantic import Field, NonNegativeInt, ValidationError, model_validator

from .base import Frozen
from .calendar import add_months

S = TypeVar("S", bound=Frozen)
"""A scenario: this module reads and rebuilds one through its own class, never importing it."""

FIXED_AT_THE_START = ("name", "description", "start_date", "warm_up_months", "initial_state", "interventions",
                      "workforce.interim_team", "workforce.experienced_service_days")
"""Parameters an intervention cannot change: they describe the run or its starting point."""


class Intervention(Frozen):
    """One dated change to one parameter."""

    parameter: str = Field(min_length=1, description="dotted path, e.g. workforce.leaving.permanent_per_year")
    value: Any
    start_date: date
    end_date: date | None = None
    ramp_months: NonNegativeInt = 0
    note: str = ""

    @model_validator(mode="after")
    def _dates(self) -> "Intervention":
        if self.end_date is not None and self.end_date <= self.start_date:
            raise ValueError(f"end_date ({self.end_date}) must be after start_date ({self.start_date})")
        if self.ramp_months and not _is_number(self.value):
            raise ValueError("ramp_months needs a numeric value to ramp to")
        if self.parameter.startswith(FIXED_AT_THE_START) or self.parameter.split(".")[-1] == "stages":
            raise ValueError(f"'{self.parameter}' is fixed for the whole run and cannot be changed by an intervention")
        return self

    def change_dates(self) -> list[date]:
        """Every date on which this intervention changes the parameter."""
        dates = [add_months(self.start_date, k) for k in range(self.ramp_months + 1)]
        return dates + ([self.end_date] if self.end_date is not None else [])


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def get_path(data: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            raise KeyError(path)
        data = data[part]
    return data


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data[part]
    data[last] = value


def _value_on(intervention: Intervention, before: Any, when: date) -> Any:
    if when < intervention.start_date or (intervention.end_date is not None and when >= intervention.end_date):
        return before
    if intervention.ramp_months:
        steps = sum(1 for k in range(1, intervention.ramp_months + 1)
                    if add_months(intervention.start_date, k) <= when)
        return before + (intervention.value - before) * steps / intervention.ramp_months
    return intervention.value


def scenario_on(scenario: S, when: date) -> S:
    """The scenario in force on ``when``: the base with every intervention active that day."""
    if not scenario.interventions:
        return scenario
    data = scenario.model_dump(mode="python", exclude={"interventions"})
    for intervention in scenario.interventions:
        before = get_path(data, intervention.parameter)
        set_path(data, intervention.parameter, copy.deepcopy(_value_on(intervention, before, when)))
    return type(scenario).model_validate(data)


def change_dates(scenario: Frozen) -> list[date]:
    """The dates on which the scenario in force changes, in order."""
    return sorted({d for intervention in scenario.interventions for d in intervention.change_dates()})


def check_interventions(scenario: Frozen) -> None:
    """Refuse an intervention on a parameter that does not exist or with a value not allowed there."""
    data = scenario.model_dump(mode="python", exclude={"interventions"})
    for i, intervention in enumerate(scenario.interventions):
        where = f"interventions.{i}"
        try:
            before = get_path(data, intervention.parameter)
        except KeyError:
            raise ValueError(f"{where}.parameter: '{intervention.parameter}' is not a parameter of this scenario "
                             "(use the dotted path of a field in the file, e.g. allocation.caseload_cap)") from None
        if intervention.ramp_months and not _is_number(before):
            raise ValueError(f"{where}.ramp_months: '{intervention.parameter}' is not a number, so it cannot ramp")
        trial = copy.deepcopy(data)
        set_path(trial, intervention.parameter, copy.deepcopy(intervention.value))
        for fixed in (*FIXED_AT_THE_START, *(f"teams.{team}.stages" for team in data["teams"])):
            try:
                before = get_path(data, fixed)
            except KeyError:
                continue  # not part of the scenario's data (the interventions themselves)
            try:
                unchanged = get_path(trial, fixed) == before
            except KeyError:
                unchanged = False
            if not unchanged:
                raise ValueError(f"{where}.value: changing {intervention.parameter} this way would change "
                                 f"'{fixed}', which is fixed for the whole run")
        if set(trial["teams"]) != set(data["teams"]):
            raise ValueError(f"{where}.value: an intervention cannot add or remove teams")
        try:
            type(scenario).model_validate(trial)
        except ValidationError as error:
            first = error.errors(include_url=False)[0]
            field = ".".join(str(p) for p in first["loc"]) or intervention.parameter
            message = first["msg"].removeprefix("Value error, ")
            raise ValueError(f"{where}.value: {intervention.value!r} is not allowed for "
                             f"{intervention.parameter} ({field}: {message})") from None
