"""Bad scenario input: one clear error naming the file, the dotted field and what is allowed.

Each bad file is the built-in baseline with one thing broken, so these tests do not
depend on the baseline's numbers. Through the command line every problem must give
exit code 2, a message on stderr, and no files written.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from capacity_model.interface.cli import main
from capacity_model.scenario import ScenarioError, load_scenario

BASELINE = Path(__file__).parents[1] / "capacity_model" / "scenario" / "builtin" / "baseline.yaml"


def baseline_dict() -> dict:
    return copy.deepcopy(yaml.safe_load(BASELINE.read_text(encoding="utf-8")))


def set_at_root(dotted: str, value) -> dict:
    """The baseline with ``value`` set at a dotted path such as ``allocation.caseload_cap``."""
    data = baseline_dict()
    *parents, last = dotted.split(".")
    inner = data
    for key in parents:
        inner = inner[key]
    inner[last] = value
    return data


def write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def files_under(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


# (dotted field to set, value, fragments the message must contain)
BAD_FIELDS = {
    "unknown top-level key": (
        "descriptin", "x", ["descriptin: unknown field", "Did you mean 'description'?", "Allowed here:"]),
    "misspelt nested key": (
        "allocation.caseload_capp", 22,
        ["allocation.caseload_capp: unknown field", "Did you mean 'caseload_cap'?", "Allowed here:"]),
    "wrong type": (
        "allocation.caseload_cap", "lots", ["allocation.caseload_cap:", "needs a number, not the text 'lots'"]),
    "negative rate": (
        "referrals.new_children_per_year", -5,
        ["referrals.new_children_per_year:", "greater than or equal to 0", "-5"]),
    "probability above 1": (
        "rereferral.probability", 1.5, ["rereferral.probability:", "less than or equal to 1", "1.5"]),
    "shares not summing to 1": (
        "pathway.assessment_outcomes", {"no_further_action": 0.5, "cin": 0.3, "cp": 0.2, "cic": 0.2},
        ["pathway.assessment_outcomes:", "must sum to 1", "1.2"]),
    "caseload cap of 0": (
        "allocation.caseload_cap", 0, ["allocation.caseload_cap:", "greater than 0", "got 0"]),
    "unknown distribution kind": (
        "pathway.cin_plan_days", {"kind": "gamma", "mean_days": 100},
        ["pathway.cin_plan_days:", "'gamma'", "'fixed'", "'lognormal'", "'quantiles'"]),
    "misspelt distribution field": (
        "pathway.cin_plan_days", {"kind": "lognormal", "mean_days": 100, "cvv": 1},
        ["pathway.cin_plan_days.cvv: unknown field", "Did you mean 'cv'?",
         "pathway.cin_plan_days.cv: required field is missing"]),
    "staff in an unknown team": (
        "initial_state.staff.fostering", {"experienced": 1},
        ["initial_state.staff", "['fostering']", "not in teams", "assessment", "locality"]),
    "a name that is a control character": (  # shown quoted, so the message stays on one line
        "initial_state.staff.\r", 0, ["initial_state.staff.'\\r': ", "valid dictionary"]),
    "a team name with a line break": (
        "teams.x\ny", {"posts_fte": 1, "stages": ["cin"]},
        ["teams: the team name 'x\\ny' is not allowed", "text on one line, with no spaces at either end"]),
}


@pytest.fixture
def bad_file(request, tmp_path, monkeypatch):
    """The baseline with one field broken, written to tmp_path (also the working folder)."""
    monkeypatch.chdir(tmp_path)  # so a stray default results/ folder would be noticed
    dotted, value, fragments = BAD_FIELDS[request.param]
    path = write(tmp_path / "bad.yaml", set_at_root(dotted, value))
    return path, fragments


@pytest.mark.parametrize("bad_file", BAD_FIELDS, indirect=True)
def test_load_scenario_names_file_field_and_what_is_allowed(bad_file):
    path, fragments = bad_file
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message


def test_distribution_tag_is_not_part_of_the_dotted_path(tmp_path):
    data = set_at_root("pathway.cin_plan_days", {"kind": "lognormal", "mean_days": 100, "cvv": 1})
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path / "bad.yaml", data))
    assert "pathway.cin_plan_days.cvv" in str(caught.value)
    assert "lognormal" not in str(caught.value)  # pydantic's internal tag must not show


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("bad_file", BAD_FIELDS, indirect=True)
def test_cli_refuses_bad_file_and_writes_nothing(bad_file, command, tmp_path, capsys):
    path, fragments = bad_file
    before = files_under(tmp_path)
    out = tmp_path / "run"
    argv = [command, str(path)] + (["--out", str(out)] if command == "run" else [])
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert all(line.startswith(f"capacity-model: error: {path}: ") for line in captured.err.strip().splitlines())
    for fragment in fragments:
        assert fragment in captured.err
    assert captured.out == ""
    assert not out.exists()
    assert files_under(tmp_path) == before == {path}


@pytest.mark.parametrize("command", ["validate", "run"])
def test_cli_missing_file(command, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "run"
    argv = [command, "nope.yaml"] + (["--out", str(out)] if command == "run" else [])
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("capacity-model: error: nope.yaml: no such scenario file")
    assert "built-in scenarios are: baseline" in err
    assert files_under(tmp_path) == set()
    with pytest.raises(ScenarioError, match=r"^nope\.yaml: no such scenario file"):
        load_scenario("nope.yaml")


def write_unclosed_bracket(tmp_path: Path) -> tuple[Path, int]:
    """The baseline with ``caseload_cap: [22`` left open; returns the file and that line."""
    lines = yaml.safe_dump(baseline_dict(), sort_keys=False).splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("caseload_cap:"))
    lines[index] = lines[index].replace("caseload_cap:", "caseload_cap: [", 1)
    path = tmp_path / "broken.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, index + 1


@pytest.mark.parametrize("command", ["validate", "run"])
def test_cli_malformed_yaml_names_file_and_line(command, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path, bracket_line = write_unclosed_bracket(tmp_path)
    argv = [command, str(path)] + (["--out", str(tmp_path / "run")] if command == "run" else [])
    assert main(argv) == 2
    err = capsys.readouterr().err
    # PyYAML notices the missing ']' on the line after the bracket.
    assert f"{path}: not valid YAML at line {bracket_line + 1}, column" in err
    assert "expected ',' or ']'" in err
    assert files_under(tmp_path) == {path}


def test_malformed_yaml_points_at_the_unclosed_bracket(tmp_path):
    path, bracket_line = write_unclosed_bracket(tmp_path)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert f"line {bracket_line}," in str(caught.value)


@pytest.mark.parametrize("dotted, value, field", [
    ("initial_state.staff.fostering", {"experienced": 1}, "initial_state.staff"),
    ("referrals.sibling_group_size_probabilities", {1: 0.5, 2: 0.6},
     "referrals.sibling_group_size_probabilities"),
])
def test_cross_field_errors_are_shown_at_their_field(tmp_path, dotted, value, field):
    path = write(tmp_path / "bad.yaml", set_at_root(dotted, value))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value).startswith(f"{path}: {field}: ")


def test_extends_missing_file(tmp_path, capsys):
    child = write(tmp_path / "child.yaml", {"extends": "nothing.yaml", "allocation": {"caseload_cap": 20}})
    with pytest.raises(ScenarioError) as caught:
        load_scenario(child)
    message = str(caught.value)
    assert message.startswith(f"{child}: extends: 'nothing.yaml' is neither a file")
    assert "built-in scenarios are: baseline" in message
    assert main(["run", str(child), "--out", str(tmp_path / "run")]) == 2
    assert message in capsys.readouterr().err
    assert files_under(tmp_path) == {child}


def test_extends_loop(tmp_path, capsys):
    first = write(tmp_path / "first.yaml", {"extends": "second.yaml"})
    second = write(tmp_path / "second.yaml", {"extends": "first.yaml"})
    with pytest.raises(ScenarioError) as caught:
        load_scenario(first)
    message = str(caught.value)
    assert message.startswith(f"{first}: extends: ")
    assert "loop" in message and "first.yaml" in message and "second.yaml" in message
    assert main(["validate", str(first)]) == 2
    assert "extend each other in a loop" in capsys.readouterr().err
    assert files_under(tmp_path) == {first, second}


@pytest.mark.parametrize("parent", ["baseline.yaml", "baseline"])
def test_extends_overrides_one_value_and_inherits_the_rest(parent, tmp_path, capsys):
    if parent == "baseline.yaml":  # a local copy, marked so we can tell it from the built-in
        local = baseline_dict()
        local["allocation"]["above_cap_after_working_days"] = 7  # marks the local copy
        write(tmp_path / "baseline.yaml", local)
        parent_scenario = load_scenario(tmp_path / "baseline.yaml")
    else:
        parent_scenario = load_scenario("baseline")
    new_cap = parent_scenario.allocation.caseload_cap - 1
    child_path = write(tmp_path / "tighter_cap.yaml", {"extends": parent, "allocation": {"caseload_cap": new_cap}})

    child = load_scenario(child_path)

    assert child.name == "tighter_cap"  # from the file stem, not inherited
    assert child.allocation.caseload_cap == new_cap
    expected = parent_scenario.model_dump()
    expected["name"] = "tighter_cap"
    expected["description"] = ""  # a description, like a name, is the file's own
    expected["allocation"]["caseload_cap"] = new_cap
    assert child.model_dump() == expected
    if parent == "baseline.yaml":
        assert child.allocation.above_cap_after_working_days == 7
    assert main(["validate", str(child_path)]) == 0
    assert capsys.readouterr().out == f"{child_path}: valid (scenario 'tighter_cap')\n"
