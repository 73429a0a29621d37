"""Dated interventions: a parameter changed from a date, optionally back at another, as a step or a ramp.

An intervention names a scenario parameter by its dotted path (as in the scenario
file), what it becomes (``value``, or for a number ``add`` or ``multiply`` to change it
by: "20 more posts" is ``add: 20``), the date it starts and, optionally, the date it
ends (when the parameter returns to what it was). With ``ramp_months`` a number moves
there in equal monthly steps, reaching the new value that many months after the start.
Several interventions compose in the order they are listed: each starts from the
value the ones before it left. An intervention starts on or after the run's origin
(the start date less the warm-up): before it, it would silently be the starting point.

The engine asks for the scenario in force on each day a change happens; it never
reads the intervention list itself.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any, TypeVar

from pydantic import Field, NonNegativeInt, ValidationError, model_validator

from .base import TEXT_FOR_NUMBER, Frozen, field_path
from .calendar import add_months

S = TypeVar("S", bound=Frozen)
"""A scenario: this module reads and rebuilds one through its own class, never importing it."""

FIXED_AT_THE_START = ("name", "description", "start_date", "warm_up_months", "initial_state", "interventions",
                      "workforce.interim_team", "workforce.experienced_service_days")
"""Parameters an intervention cannot change: they describe the run or its starting point."""


class Intervention(Frozen):
    """One dated change to one parameter."""

    parameter: str = Field(min_length=1, description="dotted path, e.g. workforce.leaving.permanent_per_year")
    value: Any = None
    add: float | None = Field(default=None, description="change a number by this much")
    multiply: float | None = Field(default=None, ge=0.0, description="change a number by this factor")
    start_date: date
    end_date: date | None = None
    ramp_months: NonNegativeInt = 0
    note: str = ""

    @model_validator(mode="after")
    def _dates(self) -> "Intervention":
        relative = [name for name in ("add", "multiply") if getattr(self, name) is not None]
        given = relative + (["value"] if self.value is not None or (not relative and "value" in self.model_fields_set)
                            else [])
        if len(given) != 1:
            raise ValueError(f"'{self.parameter}': give exactly one of value (what it becomes), add or multiply "
                             f"(for a number: change it by), not {' and '.join(given) or 'none'}")
        if self.end_date is not None and self.end_date <= self.start_date:
            raise ValueError(f"end_date ({self.end_date}) must be after start_date ({self.start_date})")
        if self.ramp_months and "value" in given and not _is_number(self.value):
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


def _target(intervention: Intervention, before: Any) -> Any:
    """What the parameter becomes once the intervention is fully in force."""
    if intervention.add is not None:
        return before + intervention.add
    if intervention.multiply is not None:
        return before * intervention.multiply
    return intervention.value


def _value_on(intervention: Intervention, before: Any, when: date) -> Any:
    if when < intervention.start_date or (intervention.end_date is not None and when >= intervention.end_date):
        return before
    target = _target(intervention, before)
    if intervention.ramp_months:
        steps = sum(1 for k in range(1, intervention.ramp_months + 1)
                    if add_months(intervention.start_date, k) <= when)
        return before + (target - before) * steps / intervention.ramp_months
    return target


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


def check_interventions(scenario: Frozen, origin: date) -> None:
    """Refuse an intervention on a parameter that does not exist, with a value not allowed there,
    a relative change of something that is not a number, or a start before the run's ``origin``."""
    data = scenario.model_dump(mode="python", exclude={"interventions"})
    for i, intervention in enumerate(scenario.interventions):
        where = f"interventions.{i}"
        if intervention.start_date < origin:
            raise ValueError(f"{where}.start_date: {intervention.start_date} is before the run's origin ({origin}: "
                             "the start date less warm_up_months); an intervention starts on or after it. To "
                             "change the starting point, change the parameter itself")
        try:
            before = get_path(data, intervention.parameter)
        except KeyError:
            raise ValueError(f"{where}.parameter: '{intervention.parameter}' is not a parameter of this scenario "
                             "(use the dotted path of a field in the file, e.g. allocation.caseload_cap)") from None
        relative = "add" if intervention.add is not None else "multiply" if intervention.multiply is not None else None
        if relative and not _is_number(before):
            raise ValueError(f"{where}.{relative}: '{intervention.parameter}' is {before!r}, not a number, so it "
                             "cannot be changed by an amount; give value instead")
        if intervention.ramp_months and not _is_number(before):
            raise ValueError(f"{where}.ramp_months: '{intervention.parameter}' is not a number, so it cannot ramp")
        new = _target(intervention, before)
        trial = copy.deepcopy(data)
        set_path(trial, intervention.parameter, copy.deepcopy(new))
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
            if first["type"] == TEXT_FOR_NUMBER:
                raise ValueError(f"{where}.value: {intervention.value!r} is text, and {intervention.parameter} needs "
                                 "a number: write the number without quotes, or use add: or multiply: to change "
                                 "it by an amount (for 20 more, add: 20)") from None
            field = field_path(first["loc"]) or intervention.parameter
            message = first["msg"].removeprefix("Value error, ")
            given = f"{relative} {getattr(intervention, relative)!r} (giving {new!r})" if relative \
                else repr(intervention.value)
            raise ValueError(f"{where}.{relative or 'value'}: {given} is not allowed for "
                             f"{intervention.parameter} ({field}: {message})") from None
