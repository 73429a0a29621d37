"""The calibration document is made by a script, from the model and the published figures."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_calibration_script_writes_every_row(tmp_path):
    spec = importlib.util.spec_from_file_location("make_calibration", ROOT / "docs" / "make_calibration.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "calibration.md"
    assert module.main(["--reps", "3", "--jobs", "1", "--out", str(out)]) == 0
    text = out.read_text()
    for label, *_ in module.ROWS:
        row = next(line for line in text.splitlines() if line.startswith(f"| {label} |"))
        model_cell = row.split("|")[2].strip()
        assert model_cell[0].isdigit() and " to " in model_cell  # a value with its interval
    assert "| 15.1 |" in text  # England turnover 2019, read from the published figures


def test_committed_calibration_document_is_current_in_form():
    text = (ROOT / "docs" / "calibration.md").read_text()
    assert text.startswith("# Calibration") and "python docs/make_calibration.py" in text
