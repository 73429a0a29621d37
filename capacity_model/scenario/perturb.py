"""Scenarios with one parameter changed by a factor: the building block of one-at-a-time sensitivity and sweeps.

A parameter is named by its dotted path, as in a scenario file. Scaling keeps the
scenario valid: a distribution is scaled through its days, a share renormalises the
other shares of its group so they still sum to 1, a probability stays at most 1, a
whole number stays whole (and at least 1 unless it was 0).
"""

from __future__ import annotations

import copy
from typing import Any

from .interventions import get_path
from .schema import Scenario

SHARE_GROUPS = ("assessment_outcomes", "cin_plan_ends", "cp_plan_ends", "destinations")
"""Sections whose fields are shares of one whole."""


def scaled(data: dict[str, Any], path: str, factor: float) -> dict[str, Any]:
    """Scenario data (as ``Scenario.model_dump(mode="json")`` gives) with one parameter scaled by ``factor``."""
    data = copy.deepcopy(data)
    *parents, last = path.split(".")
    holder = get_path(data, ".".join(parents)) if parents else data
    value = holder[last]
    if isinstance(value, dict) and "kind" in value:
        for key in ("days", "mean_days", "low_days", "high_days"):
            if key in value:
                value[key] *= factor
        if value["kind"] == "quantiles":
            value["points"] = [[p, d * factor] for p, d in value["points"]]
    elif parents and parents[-1] in SHARE_GROUPS:
        new = min(value * factor, 1.0)
        others = {k: v for k, v in holder.items() if k != last}
        rest = sum(others.values())
        for key, other in others.items():
            holder[key] = other * (1 - new) / rest if rest else (1 - new) / len(others)
        holder[last] = new
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{path}: cannot scale {value!r}")
    elif isinstance(value, int):
        holder[last] = max(1, round(value * factor)) if value else 0
    else:
        holder[last] = value * factor
        if "probability" in last:
            holder[last] = min(holder[last], 1.0)
    return data


def scale(scenario: Scenario, path: str, factor: float) -> Scenario:
    """The scenario with the parameter at ``path`` scaled by ``factor`` (validated)."""
    return Scenario.model_validate(scaled(scenario.model_dump(mode="json"), path, factor))


FREED_TIME_TO_CASELOAD = "freed_time_to_caseload_share"


def with_freed_time_to_caseload(scenario: Scenario, share: float) -> Scenario:
    """The scenario with every support role's ``freed_time_to_caseload_share`` set to ``share``:
    in its own support section and in every intervention that brings in or changes a role."""
    data = scenario.model_dump(mode="json")
    for role in data["workforce"]["support"].values():
        if role is not None:
            role[FREED_TIME_TO_CASELOAD] = share
    for change in data["interventions"]:
        parameter, value = change["parameter"], change["value"]
        if parameter == "workforce.support" and isinstance(value, dict):
            for role in value.values():
                if isinstance(role, dict):
                    role[FREED_TIME_TO_CASELOAD] = share
        elif parameter.startswith("workforce.support.") and isinstance(value, dict):
            value[FREED_TIME_TO_CASELOAD] = share
        elif parameter.startswith("workforce.support.") and parameter.endswith("." + FREED_TIME_TO_CASELOAD):
            change["value"] = share
    return Scenario.model_validate(data)
