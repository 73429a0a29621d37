"""What the page offers and says, without the page: scenarios to start from, an option's changes in
words, the target search's levers, targets and answer, and the report's files for downloads."""

from __future__ import annotations

import tempfile
import threading
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from ...analysis.charts.target import target_chances
from ...measures import KPIS
from ...scenario import Scenario, ScenarioError, builtin_scenarios, load_scenario
from ...studies.target import TargetSearch, TargetSpec, goal_text
from ..terminal import level_line
from . import levers as lv

MOST_LEVELS = 200
"""Levels a search on the page may try (low to high by step)."""
PAGE_DOUBLINGS = 4
"""A level too close to call gets up to this many times the futures asked for (twice doubled), then is judged
on its estimate: the page answers while the planner waits ('capacity-model target' can go further)."""
TARGET_LEVERS = ("posts_fte", f"{lv.SWSO}.fte", "workforce.agency.max_agency_workers")


def scenario_sources(folder: Path) -> dict[str, str]:
    """Label -> what ``load_scenario`` takes: the built-in scenarios, then the files in ``folder``."""
    found = {f"{name} (built in)": name for name in builtin_scenarios()}
    if folder.is_dir():
        found.update({f"{path.stem} ({folder.name}/)": str(path) for path in sorted(folder.glob("*.yaml"))})
    return found


def uploaded_scenario(name: str, content: bytes, folder: Path) -> Scenario:
    """A scenario file uploaded to the page, kept in ``folder`` under its own name and read as any file
    is (so a problem names it, its field and what is allowed)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(name).name
    path.write_bytes(content)
    return load_scenario(path)


def imported_scenario(files: dict[str, bytes], folder: Path, as_of: date, base: str = "baseline") -> Scenario:
    """A scenario from a council's own files uploaded to the page (staff.csv, children.csv and optionally
    referrals.csv and posts.csv, or Excel workbooks of those names), as ``capacity-model import-data``
    makes one: the files are read in a temporary folder, deleted at once, and only the scenario (with
    pseudonyms, never the files' identifiers) is kept in ``folder``; a problem is told by file, row and
    column, as on the command line."""
    from ...scenario.council_data import write_council_scenario
    from ..council_commands import read_first_sheet

    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"council-data-{as_of:%Y-%m-%d}.yaml"
    with tempfile.TemporaryDirectory(prefix="council-data-") as given:
        for name, content in files.items():
            (Path(given) / Path(name).name).write_bytes(content)
        write_council_scenario(given, out, base, as_of, excel=read_first_sheet)
    return load_scenario(out)


def differences_in_words(base: Scenario, option: Scenario) -> str:
    """``Locality posts 80 -> 100 FTE; ...``: the levers on which an option differs from the base."""
    said = []
    for lever in lv.levers(base):
        before, after = lv.lever_value(base, lever), lv.lever_value(option, lever)
        if before != after:
            said.append(f"{lever.label} {_figure(before)} \u2192 {_figure(after)} {lever.unit}")
    if lv.swso_start(base) != lv.swso_start(option):
        said.append(f"support officers from {lv.swso_start(option):%d %b %Y}")
    team = lv.interim_team(option)
    if team != lv.interim_team(base) and team["social_workers"]:
        said.append(f"an interim team of {team['social_workers']} in {team['team'].replace('_', ' ')} from "
                    f"{team['start_date']:%d %b %Y} to {team['end_date']:%d %b %Y}")
    return "; ".join(said) or "the same levers as the base"


def _figure(value: float | None) -> str:
    return "none" if value is None else f"{value:,.4g}"


def target_levers(scenario: Scenario) -> list[lv.Lever]:
    """The levers a target search can move: posts by team, support officers, the agency cap."""
    return [lever for lever in lv.levers(scenario) if lever.path.endswith(TARGET_LEVERS)]


def target_kpis() -> dict[str, str]:
    """KPI id -> its plan target in words, for the KPIs that have one."""
    return {kpi.id: f"{kpi.label}: {kpi.target_text}" for kpi in KPIS if kpi.target is not None}


def target_search(base: Scenario, lever: lv.Lever, low: float, high: float, step: float, kpi: str, month: int,
                  probability: float, settings: dict) -> TargetSearch:
    """The search the page asks for, each level the base with the lever set there (as the levers set it)."""
    name = f"{base.name}-{lever.path.split('.')[-2 if lever.path.endswith('.fte') else -1]}"
    label = f"{lever.label} ({lever.unit})"
    try:
        spec = TargetSpec(name=name, base=base.name, lever=lever.path, label=label, low=low, high=high, step=step,
                          target={"kpi": kpi, "months": [month]}, probability=probability,
                          replications=settings["replications"],
                          max_replications=PAGE_DOUBLINGS * settings["replications"], seed=settings["seed"])
    except ValidationError as error:
        problems = "; ".join(item["msg"].removeprefix("Value error, ") for item in error.errors(include_url=False))
        raise ScenarioError(f"target search: {problems}") from None
    if len(spec.values) > MOST_LEVELS:
        raise ScenarioError(f"target search: {low:g} to {high:g} in steps of {step:g} is {len(spec.values)} levels; "
                            f"at most {MOST_LEVELS} on the page: take a larger step")
    levels = [lv.with_levers(base, {lever.path: value}, name=f"{name}-{value:g}") for value in spec.values]
    return TargetSearch(None, spec, base, levels)


def level_describer(search: TargetSearch):
    """Each look at a level in words, as the command line says it."""
    return lambda row: level_line(row, search.label, search.spec.max_replications)


def target_figure(found):
    summary = found.summary
    return target_chances(found.levels, summary["probability"], summary["label"], goal_text(found.search.spec.target),
                          summary["answer"])


_REPORTS = threading.Lock()


def report_bytes(folder: Path, name: str) -> bytes:
    """A file of the folder's report (``report.html``, ``workbook.xlsx``), written the first time it is asked for."""
    from ..report import write_report

    with _REPORTS:
        if not (folder / name).is_file():
            write_report(folder)
    return (folder / name).read_bytes()
