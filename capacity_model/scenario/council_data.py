"""A council's own files into a scenario: its staff and open children as the initial state, its referrals as demand.

The folder holds CSV files (or Excel workbooks of the same names, ``staff.xlsx``: the
first sheet, when the command is given a reader for them) whose columns follow the DfE returns (``examples/council-data/``
has a template of each and a data dictionary, ``README.md``):

- ``staff.csv`` (required): ``worker_id, team, role, agency, asye, fte, start_date``; role
  ``social_worker`` (case-holding) or ``team_manager``;
- ``children.csv`` (required): ``child_id, family_id, stage, team, worker_id, referral_date,
  stage_start_date, unallocated_since``; children sharing a ``family_id`` are allocated
  together; a blank ``worker_id`` is a child waiting since ``unallocated_since``;
- ``referrals.csv`` (optional): ``month`` (YYYY-MM) and ``children`` referred that month;
- ``posts.csv`` (optional): ``team`` and ``posts_fte``, the funded establishment.

The scenario written extends a base (the built-in baseline by default) and says which
values come from the files; everything else is the base's. Identifiers never leave this
module: workers and families get pseudonyms (``W0001``, ``F0001``) in file order, and the
scenario holds those and counts only. Every problem is reported by file, row and column
with what is allowed, all at once, and nothing is written.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

import yaml

from .files import ScenarioError, load_scenario
from .initial_lists import STAGES
from .schema import Scenario, Stage

YES, NO = ("y", "yes", "true", "1"), ("n", "no", "false", "0", "")
MAX_PROBLEMS = 25
FILES = {
    "staff.csv": ("worker_id", "team", "role", "agency", "asye", "fte", "start_date"),
    "children.csv": ("child_id", "family_id", "stage", "team", "worker_id", "referral_date", "stage_start_date",
                     "unallocated_since"),
    "referrals.csv": ("month", "children"),
    "posts.csv": ("team", "posts_fte"),
}
OPTIONAL = ("referrals.csv", "posts.csv")


class DataError(ScenarioError):
    """Problems in a council's files, each naming the file, row and column."""


@dataclass
class Import:
    """What the files give: the scenario's data (pseudonyms only) and notes on where each value came from."""

    data: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class _Problems(list):
    names: dict[str, str]  # a file's name as read (staff.xlsx for staff.csv)

    def add(self, file: str, row: int | None, column: str | None, message: str) -> None:
        file = self.names.get(file, file)
        where = file + (f", row {row}" if row is not None else "") + (f", column {column}" if column else "")
        self.append(f"{where}: {message}")

    def raise_if_any(self, folder: Path) -> None:
        if self:
            shown = self[:MAX_PROBLEMS] + ([f"... and {len(self) - MAX_PROBLEMS} more"] if len(self) > MAX_PROBLEMS
                                           else [])
            raise DataError(f"{folder}: the files have {len(self)} problem{'s' if len(self) > 1 else ''}; nothing "
                            "was written:\n" + "\n".join(f"  {line}" for line in shown))


ExcelReader = Callable[[Path], list[list[str]]]
"""Reads a workbook's first sheet as rows of text (the header first): given by the command line, which may
use openpyxl (the scenario layer reads CSV only)."""


def _rows(folder: Path, name: str, problems: _Problems, excel: ExcelReader | None = None
          ) -> list[tuple[int, dict[str, str]]] | None:
    path = folder / name
    workbook = path.with_suffix(".xlsx")
    if not path.is_file() and excel is not None and workbook.is_file():
        problems.names[name] = workbook.name
        table = excel(workbook)
    elif path.is_file():
        with path.open(newline="", encoding="utf-8-sig") as handle:
            table = list(csv.reader(handle))
    else:
        if name not in OPTIONAL:
            problems.add(name, None, None, f"missing: the folder needs it (columns: {', '.join(FILES[name])}"
                         + (", or the same in an Excel workbook" if excel else "") + ")")
        return None
    header = [h.strip() for h in (table[0] if table else [])]
    missing = [c for c in FILES[name] if c not in header]
    if missing:
        problems.add(name, 1, None, f"missing column(s) {', '.join(missing)} (columns: {', '.join(FILES[name])})")
        return None
    return [(number, {column: (cells[i] if i < len(cells) else "").strip() for i, column in enumerate(header)})
            for number, cells in enumerate(table[1:], start=2) if any(cell.strip() for cell in cells)]


def _date(text: str, file: str, row: int, column: str, as_of: date, problems: _Problems,
          required: bool = True) -> date | None:
    if not text:
        if required:
            problems.add(file, row, column, "empty: needs a date (YYYY-MM-DD)")
        return None
    try:
        when = date.fromisoformat(text)
    except ValueError:
        problems.add(file, row, column, f"{text!r} is not a date: write it as YYYY-MM-DD")
        return None
    if when > as_of:
        problems.add(file, row, column, f"{when} is in the future (the files describe the service on {as_of})")
        return None
    return when


def _flag(text: str, file: str, row: int, column: str, problems: _Problems) -> bool:
    if text.lower() in YES:
        return True
    if text.lower() not in NO:
        problems.add(file, row, column, f"{text!r}: write yes or no")
    return False


def read_council_data(folder: str | Path, base: Scenario, as_of: date, excel: ExcelReader | None = None) -> Import:
    """The scenario data the folder gives, on top of ``base``; ``DataError`` listing every problem."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder (it should hold {', '.join(FILES)})")
    problems = _Problems()
    problems.names = {}
    teams = list(base.teams)
    team_of = {stage: base.team_for(Stage(stage)) for stage in STAGES}
    staff = _rows(folder, "staff.csv", problems, excel)
    children = _rows(folder, "children.csv", problems, excel)
    workers, managers_fte = _workers(staff or [], teams, as_of, problems)
    families = _families(children or [], workers, teams, team_of, as_of, problems)
    referrals = _rows(folder, "referrals.csv", problems, excel)
    posts = _rows(folder, "posts.csv", problems, excel)
    monthly = _monthly(referrals or [], as_of, problems)
    establishment = _posts(posts or [], teams, problems)
    problems.raise_if_any(folder)

    pseudonym = {worker_id: f"W{i:04d}" for i, worker_id in enumerate(workers, start=1)}
    data: dict[str, Any] = {"start_date": as_of.isoformat(), "warm_up_months": 0}
    notes = [f"initial_state: {len(workers)} case-holding social workers (staff.csv) and "
             f"{sum(f['children'] for f in families)} open children in {len(families)} families (children.csv), "
             "as pseudonyms"]
    data["initial_state"] = {
        "workers": [{"id": pseudonym[w], **{k: v for k, v in record.items()}} for w, record in workers.items()],
        "families": [{**{k: v for k, v in f.items() if k != "worker"}, "id": f"F{i:04d}",
                      **({"worker": pseudonym[f["worker"]]} if f["worker"] else {})}
                     for i, f in enumerate(families, start=1)],
    }
    data["workforce"] = {"team_managers": {"in_post_fte": round(managers_fte, 3)}}
    notes.append(f"workforce.team_managers.in_post_fte: {managers_fte:g} (team managers in staff.csv)")
    if establishment:
        data["teams"] = {team: {"posts_fte": posts_fte} for team, posts_fte in establishment.items()}
        notes.append("teams.*.posts_fte: posts.csv")
    if monthly:
        data["referrals"], note = _demand(monthly, base)
        notes.append(note)
    counts = {"workers": len(workers), "families": len(families),
              "children": sum(f["children"] for f in families), "referral_months": len(monthly)}
    return Import(data, notes, counts)


def _workers(rows: list, teams: list[str], as_of: date, problems: _Problems) -> tuple[dict[str, dict], float]:
    workers: dict[str, dict] = {}
    seen: dict[str, tuple[int, str]] = {}
    managers = 0.0
    for row, values in rows:
        worker_id, team = values["worker_id"], values["team"]
        if not worker_id:
            problems.add("staff.csv", row, "worker_id", "empty: every worker needs an identifier")
            continue
        if worker_id in seen:
            first, first_team = seen[worker_id]
            problems.add("staff.csv", row, "worker_id" if first_team == team else "team",
                         f"worker {_masked(worker_id)} is also in row {first}" +
                         ("" if first_team == team else f", in another team ({first_team!r}, here {team!r}): a "
                          "worker belongs to one team"))
            continue
        seen[worker_id] = (row, team)
        if team not in teams:
            problems.add("staff.csv", row, "team", f"{team!r} is not a team of the base scenario (teams: "
                         f"{', '.join(teams)})")
        try:
            fte = float(values["fte"])
            if not 0 < fte <= 1:
                problems.add("staff.csv", row, "fte", f"{values['fte']} is not above 0 and at most 1 (FTE: 1 is "
                             "full time)")
        except ValueError:
            problems.add("staff.csv", row, "fte", f"{values['fte']!r} is not a number (0 to 1)")
            fte = 1.0
        started = _date(values["start_date"], "staff.csv", row, "start_date", as_of, problems)
        agency = _flag(values["agency"], "staff.csv", row, "agency", problems)
        asye = _flag(values["asye"], "staff.csv", row, "asye", problems)
        role = values["role"].lower()
        if role == "team_manager":
            managers += fte
            continue
        if role != "social_worker":
            problems.add("staff.csv", row, "role", f"{values['role']!r}: social_worker (case-holding) or "
                         "team_manager")
            continue
        kind = "agency" if agency else "newly_qualified" if asye else "experienced"
        workers[worker_id] = {"team": team, "kind": kind, "fte": fte,
                              "service_start": (started or as_of).isoformat()}
    return workers, managers


def _families(rows: list, workers: dict[str, dict], teams: list[str], team_of: dict[str, str], as_of: date,
              problems: _Problems) -> list[dict]:
    families: dict[str, dict] = {}
    seen: dict[str, int] = {}
    for row, values in rows:
        child_id = values["child_id"]
        if not child_id:
            problems.add("children.csv", row, "child_id", "empty: every child needs an identifier")
            continue
        if child_id in seen:
            problems.add("children.csv", row, "child_id", f"child {_masked(child_id)} is also in row {seen[child_id]}")
            continue
        seen[child_id] = row
        stage, team, worker = values["stage"].lower(), values["team"], values["worker_id"]
        if stage not in STAGES:
            problems.add("children.csv", row, "stage", f"{values['stage']!r}: one of {', '.join(STAGES)}")
            continue
        if team not in teams:
            problems.add("children.csv", row, "team", f"{team!r} is not a team of the base scenario (teams: "
                         f"{', '.join(teams)})")
        elif team != team_of[stage]:
            problems.add("children.csv", row, "team", f"{team!r} does not hold stage {stage!r} (team "
                         f"{team_of[stage]!r} does)")
        if worker and worker not in workers:
            problems.add("children.csv", row, "worker_id", f"worker {_masked(worker)} is not a case-holding social "
                         "worker in staff.csv")
        elif worker and workers[worker]["team"] != team:
            problems.add("children.csv", row, "worker_id", f"worker {_masked(worker)} is in team "
                         f"{workers[worker]['team']!r}, not {team!r}")
        referral = _date(values["referral_date"], "children.csv", row, "referral_date", as_of, problems)
        started = _date(values["stage_start_date"], "children.csv", row, "stage_start_date", as_of, problems)
        waiting = _date(values["unallocated_since"], "children.csv", row, "unallocated_since", as_of, problems,
                        required=not worker)
        if referral and started and started < referral:
            problems.add("children.csv", row, "stage_start_date", f"{started} is before the referral ({referral})")
        key = values["family_id"] or f"child:{child_id}"
        family = families.get(key)
        record = {"stage": stage, "worker": worker or None, "referral_date": (referral or as_of).isoformat(),
                  "stage_start": (started or as_of).isoformat(),
                  **({"unallocated_since": waiting.isoformat()} if waiting and not worker else {})}
        if family is None:
            families[key] = {"children": 1, **record, "_row": row}
        elif (family["stage"], family["worker"]) != (stage, worker or None):
            problems.add("children.csv", row, "family_id", f"this child's family (row {family['_row']}) has stage "
                         f"{family['stage']!r} and {'a different worker' if family['worker'] != (worker or None) else 'the same worker'}: "
                         "siblings in one family share a stage and a worker")
        else:
            family["children"] += 1
    return [{k: v for k, v in f.items() if k != "_row"} for f in families.values()]


def _monthly(rows: list, as_of: date, problems: _Problems) -> dict[str, int]:
    monthly: dict[str, int] = {}
    for row, values in rows:
        month = values["month"]
        if len(month) == 10:  # a date, as a workbook gives a month: its year and month
            month = month[:7]
        try:
            when = date.fromisoformat(month + "-01")
        except ValueError:
            problems.add("referrals.csv", row, "month", f"{month!r} is not a month: write it as YYYY-MM")
            continue
        if when > as_of:
            problems.add("referrals.csv", row, "month", f"{month} is in the future (the files describe {as_of})")
            continue
        if month in monthly:
            problems.add("referrals.csv", row, "month", f"{month} is listed twice")
            continue
        try:
            n = int(values["children"])
            if n < 0:
                raise ValueError
        except ValueError:
            problems.add("referrals.csv", row, "children", f"{values['children']!r} is not a whole number of "
                         "children (0 or more)")
            continue
        monthly[month] = n
    return monthly


def _posts(rows: list, teams: list[str], problems: _Problems) -> dict[str, float]:
    found = {}
    for row, values in rows:
        if values["team"] not in teams:
            problems.add("posts.csv", row, "team", f"{values['team']!r} is not a team of the base scenario (teams: "
                         f"{', '.join(teams)})")
            continue
        try:
            found[values["team"]] = float(values["posts_fte"])
            if found[values["team"]] < 0:
                raise ValueError
        except ValueError:
            problems.add("posts.csv", row, "posts_fte", f"{values['posts_fte']!r} is not a number of FTE (0 or more)")
    return found


def _demand(monthly: dict[str, int], base: Scenario) -> tuple[dict[str, Any], str]:
    """New children a year (referrals less the base's re-referred share of closures) and, with at least
    two full years, the monthly seasonality: month-of-year means over the overall mean."""
    counts = [monthly[m] for m in sorted(monthly)]
    mean = statistics.fmean(counts)
    half = 1.96 * statistics.stdev(counts) / math.sqrt(len(counts)) if len(counts) > 1 else float("nan")
    new_share = 1 - base.rereferral.probability
    per_year = 12 * mean * new_share
    referrals: dict[str, Any] = {"new_children_per_year": round(per_year, 1)}
    note = (f"referrals.new_children_per_year: {per_year:,.0f} = 12 x {mean:,.1f} referrals a month "
            f"(referrals.csv, {len(counts)} months; 95% interval {12 * (mean - half) * new_share:,.0f} to "
            f"{12 * (mean + half) * new_share:,.0f}) x {new_share:.2f}, the share not re-referred in the base")
    by_month = defaultdict(list)
    for month, n in monthly.items():
        by_month[int(month[5:7])].append(n)
    if len(by_month) == 12 and min(len(v) for v in by_month.values()) >= 2:
        means = [statistics.fmean(by_month[m]) for m in range(1, 13)]
        overall = statistics.fmean(means)
        referrals["monthly_seasonality"] = [round(m / overall, 3) for m in means]
        note += "; monthly_seasonality from the same months"
    return referrals, note


def _masked(identifier: str) -> str:
    """An identifier in a message for the person who holds the files: its last characters only."""
    return "ending " + repr(identifier[-3:]) if len(identifier) > 3 else "(short identifier)"


def write_council_scenario(folder: str | Path, out: str | Path, base: str = "baseline",
                           as_of: date | None = None, excel: ExcelReader | None = None) -> Import:
    """Read the folder and write the scenario file ``out`` (whole, or nothing on any problem)."""
    out = Path(out)
    as_of = as_of or date.today()
    base_scenario = load_scenario(base)
    found = read_council_data(folder, base_scenario, as_of, excel)
    name = out.stem
    data = {"name": name, "description": f"{name}: the service on {as_of} from its own files", "extends": base,
            **found.data}
    header = [f"# Imported by capacity-model import-data on {date.today()} from the files describing the service",
              f"# on {as_of}. Identifiers are replaced by pseudonyms (W0001, F0001) and never written.",
              "# From the files:", *[f"#   {note}" for note in found.notes],
              f"# Everything else is the base scenario's ({base}): its defaults and their sources are in",
              "# docs/assumptions.csv. The run starts from the files' service (warm_up_months: 0)."]
    text = "\n".join(header) + "\n" + yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=120)
    temporary = out.with_name(f".{out.stem}.incomplete.yaml")
    temporary.write_text(text, encoding="utf-8")
    try:
        load_scenario(temporary)  # refuse anything the model would, before the file exists
    except ScenarioError:
        temporary.unlink()
        raise
    temporary.replace(out)
    return found
