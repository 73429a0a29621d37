"""An older commit of this repository, checked out for a benchmark to time beside the current code.

``worktree(ref)`` checks ``ref`` out into a temporary git worktree and removes it afterwards;
``environment(folder)`` is this process's environment with that folder first on ``PYTHONPATH``, so a
fresh interpreter imports the older package instead of the installed one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def git(*args: str, cwd: Path = REPO) -> str | None:
    """The output of a git command, or None if git is missing or the command fails."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip()


class CheckoutError(Exception):
    """The reference could not be checked out (the message says why)."""


@contextmanager
def worktree(ref: str) -> Iterator[tuple[str, Path]]:
    """(the commit ``ref`` names, a temporary worktree of it), removed on leaving."""
    commit = git("rev-parse", "--verify", f"{ref}^{{commit}}")
    if commit is None:
        raise CheckoutError(f"'{ref}' is not a commit in {REPO} (or git is unavailable)")
    folder = Path(tempfile.mkdtemp(prefix="capacity-bench-"))
    try:
        if git("worktree", "add", "--detach", str(folder), commit) is None:
            raise CheckoutError(f"git worktree add failed for {commit}")
        yield commit, folder
    finally:
        if git("worktree", "remove", "--force", str(folder)) is None:
            shutil.rmtree(folder, ignore_errors=True)
            git("worktree", "prune")


def environment(folder: Path) -> dict[str, str]:
    """This environment with ``folder`` first on PYTHONPATH."""
    paths = [str(folder), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths).rstrip(os.pathsep)}
