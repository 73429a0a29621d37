"""Writing results: all of a folder's new files appear together, or none do.

Files are written into a hidden staging folder beside their destination and moved into
place only once every one is written, so an interrupted or failed run or report leaves
no half-written file and never touches an earlier run's folder or report. Results get
the modes the user's umask gives any file they make, whatever the staging folder's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from ..errors import UserError

Writer = Callable[[Path], None]
"""Writes one file (or folder) at the path it is given."""


class OutputError(UserError, OSError):
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


STAGING = re.compile(r"^\..+\.incomplete-(\d+)-")
"""A staging folder's name: ``.<folder>.incomplete-<pid of its writer>-<random>``."""


class Staging:
    """A hidden folder beside ``folder`` that files are written into and then moved into place.

    Made when the work starts, so that a folder that cannot be written fails before any
    simulation; left behind only if its process is killed, and then removed by the next
    staging in the same place. With ``into_existing`` the files go into an existing
    folder, each replacing the one of its name (a folder is replaced whole); otherwise
    ``folder`` must not exist yet (or be empty) and appears in one rename.
    """

    def __init__(self, folder: Path, into_existing: bool = False):
        if not into_existing:
            refuse_existing(folder)
        self.folder = folder
        self.into_existing = into_existing
        parent = folder if into_existing else folder.parent
        blocking = next((p for p in (parent, *parent.parents) if p.exists() and not p.is_dir()), None)
        if blocking is not None:
            raise OutputError(f"{blocking}: is a file, not a folder, so {folder} cannot be written")
        try:
            parent.mkdir(parents=True, exist_ok=True)
            remove_abandoned(parent)
            self.path = Path(tempfile.mkdtemp(prefix=f".{folder.name}.incomplete-{os.getpid()}-", dir=parent))
        except OSError as error:
            raise OutputError(f"{parent}: cannot write here ({error.strerror or error})") from None

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is not None:
            self.discard()

    def discard(self) -> None:
        """Remove what was staged; a Ctrl-C meanwhile does not stop the removal half-way."""
        previous = _ignore_interrupts_here()
        try:
            shutil.rmtree(self.path, ignore_errors=True)
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)

    def publish(self, files: dict[str, Writer]) -> Path:
        """Write ``files`` (name -> writer) and move them into place together."""
        for name, write in files.items():
            write(self.path / name)
        _follow_umask(self.path)
        if self.into_existing:
            for name in files:
                _replace(self.path / name, self.folder / name)
            self.path.rmdir()
        else:
            refuse_existing(self.folder)  # nothing has appeared there since the run began
            if self.folder.exists():
                self.folder.rmdir()
            self.path.rename(self.folder)
        return self.folder


def publish(folder: Path, files: dict[str, Writer], into_existing: bool = False) -> Path:
    """Write ``files`` into ``folder``, all together or not at all (see ``Staging``)."""
    with Staging(folder, into_existing) as staging:
        return staging.publish(files)


def remove_abandoned(parent: Path) -> None:
    """Remove staging folders in ``parent`` whose writer is no longer running (it was killed)."""
    for entry in parent.iterdir():
        found = STAGING.match(entry.name)
        if found and entry.is_dir() and not _running(int(found.group(1))):
            shutil.rmtree(entry, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _ignore_interrupts_here():
    """Ignore Ctrl-C for a moment (main thread only); returns the handler to put back."""
    try:
        return signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals go elsewhere
        return None


def _follow_umask(root: Path) -> None:
    """Modes as any file the user makes: the staging folder's private 700 becomes what their umask allows."""
    umask = os.umask(0)
    os.umask(umask)
    folders, files = 0o777 & ~umask, 0o666 & ~umask
    root.chmod(folders)
    for here, subfolders, names in os.walk(root):
        for name in subfolders:
            os.chmod(os.path.join(here, name), folders)
        for name in names:
            os.chmod(os.path.join(here, name), files)


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
