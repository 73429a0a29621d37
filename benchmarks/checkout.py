"""An older commit of this repository, checked out for a benchmark to time beside the current code.

``worktree(ref)`` checks ``ref`` out into a temporary git worktree and removes it afterwards;
``compile_in_place(folder)`` builds its compiled engine there, as ``pip install .`` builds the installed one, so
that the two are measured like for like; ``environment(folder)`` is this process's environment with that folder
first on ``PYTHONPATH``, so a fresh interpreter imports the older package instead of the installed one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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


def compile_in_place(folder: Path) -> str:
    """Build the worktree's engine in place with its own ``setup.py`` (mypyc; about a minute), as ``pip install .``
    builds the installed one: 'compiled', or 'plain Python' for a commit from before the engine was compiled, or
    where the build installs it uncompiled (no C compiler). Raises CheckoutError if the build fails."""
    setup = folder / "setup.py"
    if not setup.exists() or "mypycify" not in setup.read_text(encoding="utf-8"):
        return "plain Python"
    done = subprocess.run([sys.executable, "setup.py", "build_ext", "--inplace"], cwd=folder, capture_output=True,
                          text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise CheckoutError(f"could not compile the engine of {folder}: {last}")
    engine = folder / "capacity_model" / "engine"
    built = [*engine.glob("replication.*.so"), *engine.glob("replication.*.pyd")]
    return "compiled" if built else "plain Python"


def environment(folder: Path) -> dict[str, str]:
    """This environment with ``folder`` first on PYTHONPATH."""
    paths = [str(folder), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths).rstrip(os.pathsep)}
