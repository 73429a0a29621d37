"""A run or compare folder, read for reporting: its tables, its scenarios and its provenance.

Everything the report and the workbook say about where figures came from and which
assumptions made them is read from the folder's files (manifest.json and the tidy
tables), never from the engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from ..errors import UserError
from ..experiment.runner import CASELOAD_COLUMNS, KPI_COLUMNS
from ..version import __version__
from .differences import COMPARISON_COLUMNS
from .summary import SUMMARY_COLUMNS
from .tables import scorecard_months

EVENT_LABELS = (
    ("workforce.agency.", "agency offer"), ("workforce.absence.", "absence management"),
    ("workforce.support.contact_workers", "contact workers"),
    ("workforce.support.business_support", "business support"),
    ("workforce.support.social_work_support_officers", "Social Work Support Officers"),
    ("workforce.leaving.pay_and_progression", "pay and progression"),
    ("workforce.leaving.wider_retention", "wider retention"), ("workforce.recruitment.", "recruitment"),
    ("workforce.team_managers", "team managers"), ("allocation.", "allocation rules"),
    ("referrals.", "referrals"),
)


class ReportError(UserError, ValueError):
    """The folder cannot be reported on (missing, not a run folder, or not writable)."""


@dataclass
class RunFolder:
    """What a run or compare folder holds, read once."""

    path: Path
    manifest: dict
    kpis: pd.DataFrame
    summary: pd.DataFrame
    caseloads: pd.DataFrame
    differences: pd.DataFrame | None
    scenarios: list[dict] = field(init=False)

    def __post_init__(self) -> None:
        self.scenarios = list(self.manifest.get("scenarios", []))

    @property
    def names(self) -> list[str]:
        return [s["name"] for s in self.scenarios] or list(dict.fromkeys(self.summary["scenario"]))

    @property
    def base(self) -> str | None:
        return self.manifest.get("base") if self.differences is not None else None

    @property
    def options(self) -> list[str]:
        return [name for name in self.names if name != self.base] if self.base else []

    @property
    def variants(self) -> list[dict]:
        """Options run again with one assumption changed: ``name``, ``option``, ``assumption``, ``value``."""
        return list(self.manifest.get("variants") or [])

    @property
    def option_differences(self) -> pd.DataFrame | None:
        """The comparison without the variants' rows: the base and the options themselves."""
        if self.differences is None:
            return None
        return self.differences[~self.differences["scenario"].isin({v["name"] for v in self.variants})]

    @property
    def months(self) -> list[int]:
        return scorecard_months(int(self.summary["month"].max()))

    def date(self, month: int) -> str:
        return str(self.summary.loc[self.summary["month"] == month, "date"].iloc[0])


def read_run_folder(folder: str | Path) -> RunFolder:
    """Read a folder made by ``capacity-model run`` or ``compare``, checking every file it reads.

    ``ReportError`` (naming the file) for a folder that is not a run folder, or whose files
    are missing, damaged or cut short: a report never silently lacks a headline or chart.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError(f"{folder}: no such run folder")
    if not (folder / "manifest.json").is_file():
        raise ReportError(f"{folder}: not a run folder (no manifest.json); give a folder written by "
                          "'capacity-model run' or 'capacity-model compare'")
    manifest = _manifest(folder / "manifest.json")
    parquet = folder / "kpis_monthly.parquet"
    kpis = read_table(parquet if parquet.is_file() else folder / "kpis_monthly.csv", KPI_COLUMNS)
    summary = read_table(folder / "summary.csv", SUMMARY_COLUMNS, required=SUMMARY_COLUMNS[:5])
    caseloads = read_table(folder / "caseloads_monthly.csv", CASELOAD_COLUMNS, may_be_empty=True)  # nobody in post
    differences = (read_table(folder / "comparison.csv", COMPARISON_COLUMNS, required=COMPARISON_COLUMNS[:5])
                   if "base" in manifest else None)
    run = RunFolder(folder, manifest, kpis, summary, caseloads, differences)
    _check_complete(run)
    return run


def _manifest(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        raise ReportError(f"{path}: cannot be read ({error}); the run folder is damaged") from None
    if not isinstance(manifest, dict) or not manifest.get("scenarios") or not isinstance(
            manifest.get("replications"), int) or not isinstance(manifest.get("months"), int):
        raise ReportError(f"{path}: lacks the scenarios, replications or months of the run; the run folder is damaged")
    return manifest


def read_table(path: Path, columns: list[str], required: list[str] | None = None, may_be_empty: bool = False,
               folder: str = "run folder", again: str = "run it again") -> pd.DataFrame:
    """A tidy table with its columns, and no row with a key column empty (the sign of a file cut short);
    ``ReportError`` naming the file otherwise (and saying to ``again``)."""
    if not path.is_file():
        raise ReportError(f"{path}: missing; the {folder} is incomplete ({again})")
    try:
        table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except (ValueError, OSError) as error:
        raise ReportError(f"{path}: cannot be read ({' '.join(str(error).split())[:200]}); the file is damaged") \
            from None
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise ReportError(f"{path}: has no column {', '.join(missing)}; the file is damaged or not from this model")
    empty = table[required or columns].isna().any(axis=1)
    if (table.empty and not may_be_empty) or empty.any():
        row = "no rows" if table.empty else f"row {int(empty.to_numpy().argmax()) + 2} is incomplete"
        raise ReportError(f"{path}: {row}; the file was cut short ({again})")
    return table


def _check_complete(run: RunFolder) -> None:
    """Every scenario, replication and month of the run is in every table."""
    manifest, folder = run.manifest, run.path
    names = [*run.names, *(v["name"] for v in run.variants)]
    months, replications = manifest["months"], manifest["replications"]
    kpis = run.kpis
    if set(kpis["scenario"]) != set(names):
        raise ReportError(f"{folder / 'kpis_monthly.csv'}: holds scenarios {sorted(set(kpis['scenario']))}, "
                          f"the run had {names}; the file is damaged")
    coverage = kpis.groupby(["scenario", "replication"])["month"].nunique()
    expected = pd.MultiIndex.from_product([names, range(replications)], names=["scenario", "replication"])
    if len(coverage) != len(expected) or (coverage != months + 1).any() or not coverage.index.isin(expected).all():
        raise ReportError(f"{folder / 'kpis_monthly.csv'}: does not hold every replication and month of the run "
                          f"({replications} replications of months 0 to {months}); the file was cut short")
    keys = set(kpis[["scenario", "kpi", "month"]].drop_duplicates().itertuples(index=False, name=None))
    for name, table in (("summary.csv", run.summary), ("comparison.csv", run.differences)):
        if table is not None and set(table[["scenario", "kpi", "month"]].itertuples(index=False, name=None)) != keys:
            raise ReportError(f"{folder / name}: does not match kpis_monthly.csv (rows missing or extra); "
                              "the file is damaged or cut short (run it again)")
    caseload_months = set(run.caseloads["month"])
    if not caseload_months <= set(range(months + 1)) or not set(run.caseloads["scenario"]) <= set(names):
        raise ReportError(f"{folder / 'caseloads_monthly.csv'}: holds months or scenarios the run did not have")


def scenario_events(scenario: dict) -> list[tuple[str, str]]:
    """Dated events of a resolved scenario (from the manifest), as short plain labels:
    its interventions (cost changes aside: they come with another change) and the interim team."""
    events = []
    for change in scenario.get("interventions") or []:
        if change["parameter"].startswith("costs."):
            continue
        label = plain_setting(change["parameter"])
        events.append((change["start_date"], label))
        if change.get("end_date"):
            events.append((change["end_date"], f"{label} ends"))
    interim = (scenario.get("workforce") or {}).get("interim_team")
    if interim:
        events.append((interim["start_date"], f"interim team of {interim['social_workers']} arrives"))
        events.append((interim["end_date"], "interim team leaves"))
    return events


def plain_setting(parameter: str) -> str:
    if parameter.startswith("costs."):
        name = parameter.rsplit(".", 1)[-1]
        for suffix in ("_gbp_per_fte_year", "_gbp_per_hire", "_gbp"):
            name = name.removesuffix(suffix)
        return f"cost of {name.replace('_', ' ')}"
    for prefix, label in EVENT_LABELS:
        if parameter.startswith(prefix):
            return label
    return parameter.rsplit(".", 1)[-1].replace("_", " ")



def value_text(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {value_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " and ".join(map(str, value))
    return f"{value:,}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def assumption_rows(run: RunFolder, scenario: dict) -> list[dict]:
    """Each dated change of a scenario (interventions and the interim team) and, in a
    comparison, every other setting that differs from the base."""
    rows = []
    for change in scenario.get("interventions") or []:
        rows.append({"scenario": scenario["name"], "kind": plain_setting(change["parameter"]),
                     "setting": change["parameter"],
                     "value": value_text(change["value"]), "from": change["start_date"],
                     "until": change.get("end_date") or "", "ramp_months": change.get("ramp_months") or 0,
                     "note": change.get("note") or ""})
    interim = (scenario.get("workforce") or {}).get("interim_team")
    if interim:
        rows.append({"scenario": scenario["name"], "kind": "interim team", "setting": "workforce.interim_team",
                     "value": f"{interim['social_workers']} social workers in the {interim['team']} team",
                     "from": interim["start_date"], "until": interim["end_date"], "ramp_months": 0, "note": ""})
    base = next((s for s in run.scenarios if s["name"] == run.base), None)
    if base is not None and scenario["name"] != run.base:
        for setting, (was, now) in _differing(base, scenario).items():
            if not setting.startswith("workforce.interim_team"):
                rows.append({"scenario": scenario["name"], "kind": "differs from the base", "setting": setting,
                             "value": f"{value_text(now)} (base: {value_text(was)})", "from": "", "until": "",
                             "ramp_months": 0, "note": ""})
    return rows


def _flat(data: object, prefix: str = "") -> dict[str, object]:
    if isinstance(data, dict) and data and "kind" not in data:
        return {k: v for key, value in data.items() for k, v in _flat(value, f"{prefix}{key}.").items()}
    return {prefix.rstrip("."): data}


def _differing(base: dict, scenario: dict) -> dict[str, tuple[object, object]]:
    skip = ("name", "description", "interventions")
    a = _flat({k: v for k, v in base.items() if k not in skip})
    b = _flat({k: v for k, v in scenario.items() if k not in skip})
    return {key: (a.get(key), b.get(key)) for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key)}



def provenance(run: RunFolder) -> list[tuple[str, str]]:
    """Where the figures came from: enough to make them again."""
    m = run.manifest
    return [
        ("Run folder", run.path.name), ("Command", m.get("command", "")),
        ("Scenarios", ", ".join(run.names)), ("Base scenario", run.base or "(none: a run, not a comparison)"),
        ("Replications (simulated futures)", str(m.get("replications", ""))),
        ("Months from the start date", str(m.get("months", ""))), ("Seed", str(m.get("seed", ""))),
        ("Model version", f"capacity-model {m.get('version', '')}"), ("Python", str(m.get("python", ""))),
        ("Run started", str(m.get("started", ""))), ("Run finished", str(m.get("finished", ""))),
        ("Report made", f"{datetime.now(timezone.utc).astimezone():%Y-%m-%d %H:%M %Z} "
                        f"by capacity-model {__version__}"),
    ]



def price_year(run: RunFolder) -> str:
    years = {str((s.get("costs") or {}).get("price_year", "")) for s in run.scenarios} - {""}
    return " and ".join(sorted(years)) or "the scenario's"
