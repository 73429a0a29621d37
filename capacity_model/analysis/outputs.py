"""Writing a run folder: all files appear together, or none do.

Files are written into a hidden temporary folder beside the destination and moved
into place in one rename at the end, so an interrupted or failed run leaves no
half-written file and never touches an earlier run's folder.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import pandas as pd

Writer = Callable[[Path], None]


class OutputError(OSError):
    """The run folder cannot be written where asked."""


def default_run_folder(root: Path, scenario_name: str, when: datetime) -> Path:
    """``root/<scenario>-<timestamp>``, made unique if a run started in the same second."""
    stem = f"{scenario_name}-{when:%Y%m%d-%H%M%S}"
    folder = root / stem
    n = 2
    while folder.exists():
        folder = root / f"{stem}-{n}"
        n += 1
    return folder


def write_run_folder(folder: Path, files: dict[str, Writer]) -> Path:
    """Write ``files`` (name -> function writing that file) into ``folder`` atomically."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError(f"{folder}: already exists and is not empty; choose a new folder for this run")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.incomplete-", dir=folder.parent))
    except OSError as error:
        raise OutputError(f"{folder.parent}: cannot create the output folder ({error.strerror})") from None
    try:
        for name, write in files.items():
            write(staging / name)
        if folder.exists():
            folder.rmdir()  # empty, checked above
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def json_writer(data: dict[str, Any]) -> Writer:
    return lambda path: path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


def csv_writer(table: pd.DataFrame) -> Writer:
    return lambda path: table.to_csv(path, index=False)


def parquet_writer(table: pd.DataFrame) -> Writer:
    return lambda path: table.to_parquet(path, index=False)
