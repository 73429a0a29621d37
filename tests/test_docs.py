"""The validation document is made by a script; every baseline default is in the assumptions log."""

import importlib.util
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]


def load_script():
    spec = importlib.util.spec_from_file_location("make_validation", ROOT / "docs" / "make_validation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_validation_script_writes_every_section_and_row(tmp_path):
    module = load_script()
    out = tmp_path / "validation.md"
    out.write_text("| Vacancy rate (%) | 16.6 (15.7 to 17.6) | 16.4 | x | y |\n")  # a previous version
    assert module.main(["--reps", "2", "--sensitivity-reps", "2", "--verification-reps", "2",
                        "--verification-months", "3", "--support-reps", "2", "--sensitivity-limit", "1",
                        "--out", str(out)]) == 0
    text = out.read_text()
    for heading in ("## Verification", "## Face validity", "## What changed and why",
                    "## What support staff's freed time buys", "## Warm start check", "## Assumptions log"):
        assert heading in text
    before = next(line for line in text.splitlines() if line.startswith("| Vacancy rate (%) | 16.6 (15.7 to 17.6) |"))
    assert len(before.split("|")) == 5  # measure, before, now
    assert "| Turnover of permanent social workers (% a year) | not reported |" in text
    for label, *_ in module.FACE_VALIDITY:
        row = next(line for line in text.splitlines() if line.startswith(f"| {label} |"))
        assert " to " in row.split("|")[2]  # a value with its interval
    assert "| 15.1 |" in text  # England turnover 2019, read from the published figures
    varied = [line for line in text.splitlines() if line.startswith("| `") and " / " in line.split("|")[-2]]
    assert len(varied) == 1


def leaves(data, path=()):
    if isinstance(data, dict) and data and "kind" not in data and all(isinstance(k, str) for k in data):
        for key, value in data.items():
            yield from leaves(value, (*path, key))
    else:
        yield ".".join(path)


def test_every_baseline_default_has_a_source():
    baseline = yaml.safe_load((ROOT / "capacity_model" / "scenario" / "builtin" / "baseline.yaml").read_text())
    log = pd.read_csv(ROOT / "docs" / "assumptions.csv")
    assert set(leaves(baseline)) == set(log["parameter"])
    assert set(log["kind"]) <= {"F", "D", "E", "-"}
    assert log["source"].notna().all()


def test_scaling_keeps_shares_summing_to_one():
    from capacity_model import load_scenario
    from capacity_model.scenario.perturb import scale, scaled
    data = load_scenario("baseline").model_dump(mode="json")
    changed = scaled(data, "pathway.assessment_outcomes.cp", 1.2)
    shares = changed["pathway"]["assessment_outcomes"]
    assert abs(sum(shares.values()) - 1) < 1e-12 and abs(shares["cp"] - 0.09) < 1e-12
    longer = scaled(data, "pathway.cp_plan_days", 0.8)
    assert longer["pathway"]["cp_plan_days"]["points"][-1][1] == 800
    assert scale(load_scenario("baseline"), "allocation.caseload_cap", 1.2).allocation.caseload_cap == 26
    assert data == load_scenario("baseline").model_dump(mode="json")  # the original is left as it was


def test_committed_validation_document_is_present():
    text = (ROOT / "docs" / "validation.md").read_text()
    assert text.startswith("# Validation") and "python docs/make_validation.py" in text


def test_the_one_at_a_time_study_varies_exactly_the_assumptions_marked_vary():
    from capacity_model.studies.sensitivity_file import load_study
    log = pd.read_csv(ROOT / "docs" / "assumptions.csv")
    study = load_study(ROOT / "studies" / "one-at-a-time-baseline.yaml")
    assert study.method == "one_at_a_time"
    assert study.parameters == [row.parameter for row in log.itertuples(index=False) if row.vary == "yes"]
