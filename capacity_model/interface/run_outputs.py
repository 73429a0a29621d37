"""A run or comparison folder's files, as the command line and the page write them: the same for both."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

from ..analysis.outputs import csv_writer, json_writer, parquet_writer
from ..version import __version__


def run_manifest(command: str, scenarios: list, seed: int, replications: int, months: int, jobs: int,
                 started: datetime, **more) -> dict:
    """What made the folder: the package and version, the command, every scenario in full, seed and size."""
    return {
        "package": "capacity-model",
        "version": __version__,
        "command": command,
        "scenarios": [s.model_dump(mode="json") for s in scenarios],
        "seed": seed,
        "replications": replications,
        "months": months,
        "jobs": jobs,
        "python": sys.version.split()[0],
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
        **more,
    }


def run_files(manifest: dict, kpis, balance, caseloads, summary, extra: dict | None = None) -> dict:
    """A run folder's files, name -> writer."""
    return {
        "manifest.json": json_writer(manifest),
        "kpis_monthly.csv": csv_writer(kpis),
        "kpis_monthly.parquet": parquet_writer(kpis),
        "summary.csv": csv_writer(summary),
        "balance.csv": csv_writer(balance),
        "caseloads_monthly.csv": csv_writer(caseloads),
        **(extra or {}),
    }
