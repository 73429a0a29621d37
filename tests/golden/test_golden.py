"""Golden results: today's outputs, pinned exactly, seed for seed.

Each case runs a scenario (or the command line) and compares what it writes, byte for
byte, with the files saved in this folder. Code that moves without meaning to change
results must leave every case identical. A change that moves results on purpose
regenerates them in a commit of its own that says why and shows the headline before
and after:

    python tests/golden/test_golden.py --regenerate

Only public entry points are used (``load_scenario``, ``run_experiment`` and the
``capacity-model`` command), so the cases hold while the package's insides move.
"""

from __future__ import annotations

import difflib
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SEED = 0

# name: (scenario file or built-in name, replications, months)
SCENARIO_CASES = {
    "baseline": ("baseline", 3, 24),
    "whole-plan": (ROOT / "scenarios" / "whole-plan.yaml", 3, 24),
    "action-10b": (ROOT / "scenarios" / "action-10b-interim-team.yaml", 3, 24),
    "mms": (ROOT / "scenarios" / "verification" / "mms.yaml", 3, 12),
    "small-continuous": (HERE / "small-continuous.yaml", 3, 12),
    "small-hard-cap": (HERE / "small-hard-cap.yaml", 3, 12),
}
TABLES = ("kpis", "balance", "caseloads")

CLI_OPTIONS = ["--reps", "2", "--months", "12", "--seed", "3"]
CLI_CASES = {
    "cli-run": ["run", "baseline", *CLI_OPTIONS],
    "cli-compare": ["compare", "baseline", str(ROOT / "scenarios" / "action-10b-interim-team.yaml"),
                    str(ROOT / "scenarios" / "objective-2-operating-model.yaml"), *CLI_OPTIONS],
}
CLI_FILES = ("kpis_monthly.csv", "summary.csv", "balance.csv", "caseloads_monthly.csv", "comparison.csv")
MANIFEST_KEYS = ("package", "scenarios", "seed", "replications", "months", "base")
"""The manifest's entries that depend on the results' inputs (not on when, where or how fast)."""


def scenario_tables(case: str) -> dict[str, str]:
    """The case's tidy tables, as the CSV text a run folder would hold."""
    from capacity_model import load_scenario, run_experiment

    source, replications, months = SCENARIO_CASES[case]
    result = run_experiment(load_scenario(source), replications=replications, months=months, seed=SEED,
                            jobs=1, progress=False)
    return {table: getattr(result, table).to_csv(index=False) for table in TABLES}


def cli_outputs(case: str, jobs: int, out: Path) -> dict[str, str]:
    """What ``capacity-model`` prints and writes for the case: its tables, manifest and terminal output."""
    done = subprocess.run([sys.executable, "-m", "capacity_model", *CLI_CASES[case], "--jobs", str(jobs),
                           "--out", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    outputs = {name: (out / name).read_text(encoding="utf-8") for name in CLI_FILES if (out / name).exists()}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    outputs["manifest.json"] = json.dumps({k: manifest[k] for k in MANIFEST_KEYS if k in manifest}, indent=1) + "\n"
    outputs["stdout.txt"] = done.stdout.replace(str(out), "<out>")
    return outputs


def golden_path(case: str, name: str) -> Path:
    return HERE / case / (name if "." in name else f"{name}.csv")


def explain(expected: str, actual: str, name: str) -> str:
    """Where two outputs first differ, in a form that helps find the cause."""
    if name.endswith(".csv"):
        try:
            a = pd.read_csv(io.StringIO(expected), float_precision="round_trip")
            b = pd.read_csv(io.StringIO(actual), float_precision="round_trip")
            if a.shape == b.shape and list(a.columns) == list(b.columns):
                differs = (a != b) & ~(a.isna() & b.isna())
                rows = differs.any(axis=1)
                first = a[rows].head(5).to_string()
                return (f"{name}: {int(rows.sum())} of {len(a)} rows differ; first expected rows:\n{first}\n"
                        f"actual:\n{b[rows].head(5).to_string()}")
        except (ValueError, pd.errors.ParserError):
            pass
    diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(), "golden", "now", lineterm="", n=1)
    return f"{name}:\n" + "\n".join(list(diff)[:40])


@pytest.mark.parametrize("case", SCENARIO_CASES)
def test_scenario_results_are_unchanged(case):
    for table, text in scenario_tables(case).items():
        expected = golden_path(case, table).read_text(encoding="utf-8")
        assert text == expected, explain(expected, text, f"{case}/{table}.csv")


@pytest.mark.parametrize("jobs", [1, 3])
@pytest.mark.parametrize("case", CLI_CASES)
def test_command_line_outputs_are_unchanged(case, jobs, tmp_path):
    outputs = cli_outputs(case, jobs, tmp_path / "run")
    saved = sorted(p.name for p in (HERE / case).iterdir())
    assert sorted(outputs) == saved
    for name, text in outputs.items():
        expected = golden_path(case, name).read_text(encoding="utf-8")
        assert text == expected, explain(expected, text, f"{case}/{name} (--jobs {jobs})")


def regenerate() -> None:
    import tempfile

    for case in SCENARIO_CASES:
        (HERE / case).mkdir(exist_ok=True)
        for table, text in scenario_tables(case).items():
            golden_path(case, table).write_text(text, encoding="utf-8")
        print(f"wrote {case}")
    for case in CLI_CASES:
        with tempfile.TemporaryDirectory() as tmp:
            outputs = cli_outputs(case, 1, Path(tmp) / "run")
        (HERE / case).mkdir(exist_ok=True)
        for old in (HERE / case).iterdir():
            old.unlink()
        for name, text in outputs.items():
            golden_path(case, name).write_text(text, encoding="utf-8")
        print(f"wrote {case}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--regenerate"]:
        raise SystemExit(__doc__)
    regenerate()
