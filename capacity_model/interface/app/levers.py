"""The page's levers: the scenario parameters a planner changes, in plain English with units.

A lever names a parameter by its dotted path, as in a scenario file. It reads and
sets what the scenario does *from its start date*: where the scenario already changes
that parameter on a date (an action's intervention), the lever shows and sets what it
changes to, from that date; otherwise a changed lever becomes a change from the start
date, so the year of warm-up before it is the service as it was. Two groups have dates
of their own: Social Work Support Officers (from a date) and the interim team (from and
to). Every scenario built here is validated as a file would be, and refused with the
same messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from ...scenario import Scenario, ScenarioError
from ...scenario.calendar import add_months
from ...scenario.files import describe_validation_error
from ...scenario.interventions import get_path

SWSO = "workforce.support.social_work_support_officers"
SWSO_DEFAULT = {"fte": 0.0, "social_workers_supported_per_fte": 6.7, "time_freed_share": 0.2,
                "freed_time_to_caseload_share": 0.5}
"""A new SWSO service as the operating model plans it (scenarios/objective-2-operating-model.yaml)."""


@dataclass(frozen=True)
class Lever:
    """One number a planner can change."""

    path: str
    label: str
    unit: str
    low: float
    high: float
    step: float
    group: str
    help: str = ""
    percent: bool = False  # a share held as 0 to 1, shown as 0 to 100%

    @property
    def whole(self) -> bool:
        return float(self.step).is_integer() and not self.percent


def levers(scenario: Scenario) -> list[Lever]:
    """The levers of this scenario: posts by team, then the workforce's levers."""
    posts = [Lever(f"teams.{team}.posts_fte", f"{_team_label(team)} posts", "FTE", 0, 1000, 1, "Posts",
                   f"Funded case-holding posts in the {_team_label(team).lower()} team(s)")
             for team in scenario.teams]
    return [*posts, *LEVERS]


LEVERS = [
    Lever(f"{SWSO}.fte", "Social Work Support Officers", "FTE", 0, 200, 0.5, "Support officers",
          "Support officers who take on tasks that do not need a social worker (objective 2a)"),
    Lever(f"{SWSO}.social_workers_supported_per_fte", "Social workers each support officer supports", "workers",
          1, 30, 0.1, "Support officers"),
    Lever(f"{SWSO}.time_freed_share", "Share of a supported social worker's time freed", "%", 0, 90, 1,
          "Support officers", "A fifth (20%) is 'almost a day a week' (Nottinghamshire)", percent=True),
    Lever(f"{SWSO}.freed_time_to_caseload_share", "Share of the freed time that goes to holding more children", "%",
          0, 100, 5, "Support officers",
          "0%: all of it goes to the children already held (visits, direct work); 100%: all of it to more children. "
          "No evidence fixes this: the comparison shows both ends.", percent=True),
    Lever("workforce.agency.fill_probability_per_month", "Chance an uncovered gap is filled by agency in a month",
          "%", 0, 100, 1, "Agency", "The agency offer (action 10a): a better offer fills more gaps sooner",
          percent=True),
    Lever("workforce.agency.max_agency_workers", "Most agency social workers at once", "workers", 0, 1000, 1,
          "Agency", "A cap or budget limit on agency staff; leave empty for no cap"),
    Lever("costs.agency_gbp_per_fte_year", "Cost of an agency social worker", "£ a year", 0, 200_000, 500, "Agency"),
    Lever("workforce.leaving.pay_and_progression_multiplier", "Leaving with the new pay structure, as a share of "
          "today's", "%", 10, 200, 1, "Pay and retention", "85% means 15% fewer permanent leavers (action 11a)",
          percent=True),
    Lever("costs.pay_and_progression_gbp_per_fte_year", "Extra pay per permanent social worker", "£ a year", 0,
          20_000, 100, "Pay and retention"),
    Lever("workforce.leaving.wider_retention_multiplier", "Leaving with wider retention measures, as a share of "
          "today's", "%", 10, 200, 1, "Pay and retention", "Action 11c", percent=True),
    Lever("costs.retention_payment_gbp_per_fte_year", "Retention payment per permanent social worker", "£ a year", 0,
          20_000, 100, "Pay and retention"),
    Lever("workforce.recruitment.campaign_every_months", "A recruitment campaign every", "months", 1, 24, 1,
          "Recruitment", "1 is rolling recruitment (action 11d)"),
    Lever("workforce.recruitment.hires_per_advertised_post", "Hires per advertised post (a campaign's yield)", "%", 0,
          100, 1, "Recruitment", "The baseline's 7% holds vacancies near 16%; a good campaign makes 30 to 60%",
          percent=True),
    Lever("workforce.recruitment.newly_qualified_per_year", "Newly qualified social workers each September",
          "people", 0, 200, 1, "Recruitment"),
    Lever("workforce.absence.spells_per_fte_year", "Spells of sickness absence", "a year per FTE", 0, 10, 0.1,
          "Absence", "Sickness management (action 10c) means fewer spells"),
]

def _team_label(team: str) -> str:
    return team.replace("_", " ").capitalize()


def lever_value(scenario: Scenario, lever: Lever) -> float | None:
    """What the scenario sets the lever's parameter to from its start date (or its dated change)."""
    holder, key, _ = _holder(scenario.model_dump(mode="json"), lever.path)
    value = holder.get(key) if holder is not None else SWSO_DEFAULT.get(key)
    if value is None:
        return None
    return round(value * 100, 9) if lever.percent else value


def swso_start(scenario: Scenario) -> date:
    """The date support officers start: the scenario's own change, or its start date."""
    change = _change(scenario.model_dump(mode="json"), SWSO)
    return date.fromisoformat(change["start_date"]) if change else scenario.start_date


def interim_team(scenario: Scenario) -> dict[str, Any]:
    """The interim team (action 10b) as the page shows it: none is 0 social workers."""
    team = scenario.workforce.interim_team
    if team is None:
        return {"social_workers": 0, "team": next(iter(scenario.teams)), "start_date": scenario.start_date,
                "end_date": add_months(scenario.start_date, 6)}  # as action 10b's: six months
    return team.model_dump()


def with_levers(scenario: Scenario, values: dict[str, float | None], swso_from: date | None = None,
                interim: dict[str, Any] | None = None, name: str | None = None) -> Scenario:
    """The scenario with the levers set (``values`` by lever path, as the page shows them: shares
    in %), support officers from ``swso_from`` and the interim team; validated, or ``ScenarioError``."""
    data = scenario.model_dump(mode="json")
    by_path = {lever.path: lever for lever in levers(scenario)}
    try:
        for path, shown in values.items():
            lever = by_path[path]
            value = None if shown is None else shown / 100 if lever.percent else shown
            if value is not None and lever.whole:
                value = int(round(value))
            _set(data, path, value, scenario.start_date.isoformat())
        if swso_from is not None:
            change = _change(data, SWSO)
            if change is not None:
                change["start_date"] = swso_from.isoformat()
        _drop_empty_support(data)
        if interim is not None:
            data["workforce"]["interim_team"] = (
                None if not interim.get("social_workers") else
                {key: (value.isoformat() if isinstance(value, date) else value) for key, value in interim.items()})
        if name:
            data["name"] = name
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(describe_validation_error(f"levers on '{scenario.name}'", error)) from None
    except ValueError as error:
        raise ScenarioError(f"levers on '{scenario.name}': {error}") from None


def _change(data: dict, path: str) -> dict | None:
    """The scenario's last dated change of exactly ``path``, setting a value."""
    found = [change for change in data["interventions"] if change["parameter"] == path
             and change.get("add") is None and change.get("multiply") is None]
    return found[-1] if found else None


def _holder(data: dict, path: str) -> tuple[dict | None, str, bool]:
    """The mapping holding the parameter's value from the start date, its key, and whether that is the
    scenario's own dated change of it (or of the section holding it) rather than the scenario itself."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        change = _change(data, ".".join(parts[:cut]))
        if change is not None:
            if cut == len(parts):
                return change, "value", True
            holder = change["value"]
            for part in parts[cut:-1]:
                holder = holder[part] if holder is not None else None
            return holder, parts[-1], True
    holder = get_path(data, ".".join(parts[:-1]))
    return holder, parts[-1], False


def _set(data: dict, path: str, value: Any, start: str) -> None:
    """Set the lever's parameter from the start date: in the scenario's own dated change, else by a new one."""
    holder, key, dated = _holder(data, path)
    if holder is None:  # a support role the scenario does not have: brought in from the start date by its FTE
        if key == "fte" and value:
            section = path.rsplit(".", 1)[0]
            data["interventions"].append({"parameter": section, "value": {**SWSO_DEFAULT, "fte": value},
                                          "start_date": start, "note": "set on the page"})
    elif dated:
        holder[key] = value
    elif not _same(holder.get(key), value):
        data["interventions"].append({"parameter": path, "value": value, "start_date": start,
                                      "note": "set on the page"})


def _same(before: Any, after: Any) -> bool:
    """Unchanged: a share shown in % and read back may differ in its last bits."""
    if isinstance(before, (int, float)) and isinstance(after, (int, float)):
        return abs(before - after) <= 1e-9 * max(1.0, abs(before))
    return before == after


def _drop_empty_support(data: dict) -> None:
    """A support role set to 0 FTE from the start is no role at all (0 FTE supports no one)."""
    for change in data["interventions"]:
        if change["parameter"] == SWSO and isinstance(change.get("value"), dict) and not change["value"]["fte"]:
            change["value"] = None


def scenario_yaml(scenario: Scenario, made_from: str) -> str:
    """The scenario as a self-contained file (every field), to run with ``capacity-model run``."""
    import yaml

    header = [f"# Made on the capacity-model page on {date.today()} from the scenario '{made_from}'.",
              "# Every field is written out: run it with 'capacity-model run THIS_FILE'."]
    body = yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False, width=120)
    return "\n".join(header) + "\n" + body
