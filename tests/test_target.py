"""Target search: the least lever value whose chance of meeting a target is at least p."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from erlang_c import erlang_c

from capacity_model.analysis.outputs import OutputError
from capacity_model.experiment import Serial
from capacity_model.scenario import ScenarioError
from capacity_model.studies.target import _bisect, load_target, target_search

ROOT = Path(__file__).resolve().parents[1]
MMS = ROOT / "scenarios" / "verification" / "mms.yaml"


def mms_queue(folder: Path, offered: float) -> str:
    """The M/M/s mode with servers of capacity 1, mean service 1 day, ``offered`` arrivals a day, no warm-up."""
    data = yaml.safe_load(MMS.read_text())
    data.update(name="mms-queue", warm_up_months=0)
    data["referrals"]["new_children_per_year"] = offered * 365
    data["pathway"]["cin_plan_days"] = {"kind": "exponential", "mean_days": 1}
    data["allocation"].update(caseload_cap=1, newly_qualified_caseload_cap=1)
    (folder / "mms-queue.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return "mms-queue.yaml"


def search_file(folder: Path, **fields) -> Path:
    path = folder / "search.yaml"
    path.write_text(yaml.safe_dump(fields, sort_keys=False), encoding="utf-8")
    return path


def test_the_search_finds_the_least_servers_erlang_c_gives_for_a_chance_of_no_one_waiting(tmp_path):
    offered, probability = 4.0, 0.87
    # no one waiting at a moment: at most s in the system, 1 - (a / s) C(s, a) for an M/M/s queue
    chance = {s: 1 - offered / s * erlang_c(s, offered) for s in range(5, 11)}
    exact = min(s for s, p in chance.items() if p >= probability)
    assert exact == 7 and chance[6] < probability < chance[7]
    path = search_file(tmp_path, base=mms_queue(tmp_path, offered), lever="initial_state.staff.pool.experienced",
                       low=5, high=10, step=1, target={"kpi": "unallocated", "threshold": 0, "months": [1]},
                       probability=probability, confidence=0.95, replications=40, max_replications=320, seed=3)
    seen = []
    result = target_search(path, tmp_path / "out", Serial(), on_level=seen.append)
    assert result.answer == exact
    table = pd.read_csv(tmp_path / "out" / "target.csv")
    last = table.drop_duplicates("value", keep="last").set_index("value")
    assert set(last.index) >= {6.0, 7.0, 10.0} and len(seen) == len(table)
    for servers in (6, 7):  # each level's interval holds Erlang C's chance
        assert last.loc[servers, "chance_low"] <= chance[servers] <= last.loc[servers, "chance_high"]
    assert last["replications"].max() > 40  # replications added where the interval straddled p
    summary = json.loads((tmp_path / "out" / "target.json").read_text())
    assert summary["answer"] == exact and summary["level_below_evidence"]["value"] == 6


def test_the_search_resumes_from_its_folder_and_refuses_another_searchs(tmp_path):
    base = mms_queue(tmp_path, 4.0)
    fields = dict(base=base, lever="initial_state.staff.pool.experienced", low=4, high=9, step=1,
                  target={"kpi": "unallocated", "threshold": 0, "months": [1]}, probability=0.8,
                  replications=20, max_replications=20)
    first = target_search(search_file(tmp_path, **fields), tmp_path / "out", Serial())
    again = target_search(search_file(tmp_path, **fields), tmp_path / "out", Serial())
    pd.testing.assert_frame_equal(first.levels, again.levels)
    assert again.answer == first.answer
    with pytest.raises(OutputError, match="holds another target search"):
        target_search(search_file(tmp_path, **{**fields, "high": 12}), tmp_path / "out", Serial())


@pytest.mark.parametrize("fields, message", [
    ({"lever": "teams.locality.posts_ftee"}, r"lever: 'teams.locality.posts_ftee' is not a parameter"),
    ({"target": {"kpi": "unalocated", "months": [24]}}, r"target: .*'unalocated' is not a KPI"),
    ({"target": {"kpi": "agency_rate", "months": [24]}}, r"has no plan target, so give the threshold"),
    ({"low": 90, "high": 80}, r"high \(80.0\) must be at least low"),
    ({"lever": "teams.locality.stages"}, r"lever: 'teams.locality.stages' is \['cin', 'cp'\] in the base, not a number"),
    ({"low": -10}, r"lever teams.locality.posts_fte = -10: "),
])
def test_a_bad_search_file_is_refused_naming_the_file_and_field(tmp_path, fields, message):
    good = dict(base="baseline", lever="teams.locality.posts_fte", low=70, high=90, step=10,
                target={"kpi": "unallocated_over_5d", "months": [24]})
    path = search_file(tmp_path, **{**good, **fields})
    with pytest.raises(ScenarioError, match=message) as error:
        load_target(path)
    assert str(error.value).startswith(str(path))


def test_bisection_looks_at_few_levels_and_finds_the_least_that_meets():
    looked = []

    def meets(index):
        looked.append(index)
        return index >= 37, False

    assert _bisect(meets, 100) == (37, False)
    assert len(looked) <= 2 + 7 and looked[:2] == [99, 0]
    assert _bisect(lambda i: (False, False), 5) == (None, False)
    assert _bisect(lambda i: (True, False), 5) == (0, False)


def test_the_target_command_prints_each_level_and_the_answer_with_its_evidence(tmp_path, capsys):
    from capacity_model.interface.cli import main

    path = search_file(tmp_path, base=mms_queue(tmp_path, 4.0), lever="initial_state.staff.pool.experienced",
                       label="Servers", low=4, high=9, step=1,
                       target={"kpi": "unallocated", "threshold": 0, "months": [1]}, probability=0.8,
                       replications=20, max_replications=20)
    assert main(["target", str(path), "--workers", "2", "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    summary = json.loads((tmp_path / "out" / "target.json").read_text())
    answer = summary["answer_evidence"]
    assert printed.splitlines()[0].startswith("Servers 9: met in ")
    assert (f"The least Servers giving unallocated children at most 0 at month 1 in at least 80% of futures: "
            f"{summary['answer']:g}") in printed
    assert f"  at {summary['answer']:g}: met in {answer['met']} of 20 futures" in printed
    assert (tmp_path / "out" / "charts" / "target-chances.png").is_file()


def test_on_the_real_model_the_answer_meets_the_target_and_the_level_below_does_not(tmp_path):
    path = search_file(tmp_path, base=str(ROOT / "tests" / "golden" / "small-continuous.yaml"),
                       lever="initial_state.staff.duty.experienced", low=2, high=9, step=1,
                       target={"kpi": "unallocated", "threshold": 5, "months": [3]}, probability=0.8,
                       replications=20, max_replications=80, seed=1)
    result = target_search(path, tmp_path / "out", Serial())
    last = result.levels.drop_duplicates("value", keep="last").set_index("value")
    answer = result.answer
    assert answer is not None and not result.uncertain and 2 < answer < 9
    assert last.loc[answer, "chance_low"] >= 0.8 and last.loc[answer, "decision"] == "meets"
    assert last.loc[answer - 1, "chance_high"] < 0.8 and last.loc[answer - 1, "decision"] == "falls short"
    # more futures were simulated only where a level's interval straddled 80%
    looks = result.levels.groupby("value")["replications"].max()
    assert looks[answer] > 20 and looks[9] == looks[2] == 20


def test_report_on_a_target_folder_shows_the_answer_and_every_level(tmp_path):
    from capacity_model.interface.report import write_report

    path = search_file(tmp_path, base=mms_queue(tmp_path, 4.0), lever="initial_state.staff.pool.experienced",
                       label="Servers", low=4, high=9, step=1,
                       target={"kpi": "unallocated", "threshold": 0, "months": [1]}, probability=0.8,
                       replications=20, max_replications=20)
    result = target_search(path, tmp_path / "out", Serial())
    page = write_report(tmp_path / "out").read_text(encoding="utf-8")
    assert f"The least Servers giving unallocated children at most 0 at month 1 in at least 80% of simulated " \
           f"futures is {result.answer:g}" in page
    tried = result.levels.drop_duplicates("value")
    assert page.count("<tr>") == len(tried) + 1 + 5  # a row per level tried and the header, and the provenance
    assert (tmp_path / "out" / "charts" / "target-chances.png").is_file()
