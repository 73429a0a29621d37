"""Writing results: all of a folder's new files appear together, or none do.

Files are written into a hidden staging folder beside their destination and moved into
place only once every one is written, so an interrupted or failed run or report leaves
no half-written file and never touches an earlier run's folder or report. Results are
readable by colleagues (folders 755, files 644), whatever the staging folder's mode.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import pandas as pd

Writer = Callable[[Path], None]
"""Writes one file (or folder) at the path it is given."""


class OutputError(OSError):
    """Results cannot be written where asked."""


def default_run_folder(root: Path, scenario_name: str, when: datetime) -> Path:
    """``root/<scenario>-<timestamp>``, made unique if a run started in the same second."""
    stem = f"{scenario_name}-{when:%Y%m%d-%H%M%S}"
    folder = root / stem
    n = 2
    while folder.exists():
        folder = root / f"{stem}-{n}"
        n += 1
    return folder


def refuse_existing(folder: Path) -> None:
    """An existing, non-empty folder is never written over."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError(f"{folder}: already exists and is not empty; choose a new folder for this run")


def publish(folder: Path, files: dict[str, Writer], into_existing: bool = False) -> Path:
    """Write ``files`` (name -> writer) into ``folder``, all together or not at all.

    A new folder (the default; an existing non-empty one is refused) appears in one
    rename. With ``into_existing``, each new file replaces the one of its name in the
    folder, which may hold others (a folder is replaced whole).
    """
    if not into_existing:
        refuse_existing(folder)
    parent = folder if into_existing else folder.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.incomplete-", dir=parent))
    except OSError as error:
        raise OutputError(f"{parent}: cannot create the output folder ({error.strerror})") from None
    try:
        for name, write in files.items():
            write(staging / name)
        _readable(staging)
        if into_existing:
            for name in files:
                _replace(staging / name, folder / name)
            staging.rmdir()
        else:
            if folder.exists():
                folder.rmdir()  # empty, checked above
            staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def _readable(root: Path) -> None:
    root.chmod(0o755)
    for here, folders, names in os.walk(root):
        for name in folders:
            os.chmod(os.path.join(here, name), 0o755)
        for name in names:
            os.chmod(os.path.join(here, name), 0o644)


def _replace(new: Path, final: Path) -> None:
    if new.is_dir() and final.is_dir():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old.", dir=final.parent))
        final.rename(old / final.name)
        new.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, final)


def json_writer(data: dict[str, Any]) -> Writer:
    return lambda path: path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


def csv_writer(table: pd.DataFrame) -> Writer:
    return lambda path: table.to_csv(path, index=False)


def parquet_writer(table: pd.DataFrame) -> Writer:
    return lambda path: table.to_parquet(path, index=False)
