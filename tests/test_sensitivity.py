"""Sensitivity studies: known indices recovered through the analysis path, exact zeros on common random
numbers in the real model, bad study files refused, the same indices on every executor, the tornado chart."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from capacity_model.analysis.charts import tornado
from capacity_model.experiment import Serial, TaskFailure
from capacity_model.experiment.executors import Processes
from capacity_model.interface.terminal_sensitivity import format_indices
from capacity_model.measures import KPI_BY_ID
from capacity_model.scenario import ScenarioError
from capacity_model.studies.sensitivity import IncompleteSample, indices_table, outputs_in_order, sensitivity
from capacity_model.studies.sensitivity_file import load_study, make_sample, problem

BASE = Path(__file__).resolve().parent / "golden" / "small-continuous.yaml"
COST = "costs.experienced_gbp_per_fte_year"
REFERRALS = "referrals.new_children_per_year"
POSTS = "teams.duty.posts_fte"


def study_file(folder: Path, body: str | None = None, name: str = "tiny.yaml", **fields) -> Path:
    """A Morris screening of the golden small service: a cost rate (no effect on children), referrals, posts."""
    text = {"base": str(BASE), "method": "morris", "trajectories": 4, "replications": 2, "months": 4, "seed": 3,
            "kpis": "[unallocated, cost_cumulative_gbp]", **fields}
    parameters = body if body is not None else f"""
        parameters:
          {COST}: {{}}
          {REFERRALS}: {{label: New children referred a year}}
          {POSTS}: {{range: {{low: 4, high: 6}}}}
    """
    path = folder / name
    path.write_text("\n".join(f"{k}: {v}" for k, v in text.items()) + "\n" + textwrap.dedent(parameters),
                    encoding="utf-8")
    return path


def toy_kpis(y: np.ndarray, month: int = 12, kpi: str = "unallocated") -> pd.DataFrame:
    """A tidy table as a sweep gives, for outputs ``y`` (one per sample row): two replications that
    average to ``y``, in shuffled order (the analysis must put them back in the sample's order)."""
    rows = pd.DataFrame({"point": np.tile(np.arange(len(y)), 2), "replication": np.repeat([0, 1], len(y)),
                         "month": month, "date": "2021-03-01", "kpi": kpi,
                         "value": np.concatenate([y + 0.5, y - 0.5])})
    return rows.sample(frac=1.0, random_state=1).reset_index(drop=True)


# --- the analysis, on functions whose indices are known ----------------------------------------------------------


def test_sobol_recovers_the_ishigami_indices_within_their_intervals():
    from SALib.test_functions import Ishigami

    space = problem(["x1", "x2", "x3"], [(-np.pi, np.pi)] * 3)
    sample = make_sample("sobol", space, 1024, seed=0)
    assert len(sample) == 1024 * 5  # N x (parameters + 2): no second-order indices
    table = indices_table("sobol", space, sample, toy_kpis(Ishigami.evaluate(sample))).set_index("parameter")
    exact_s1, exact_st = [0.3139, 0.4424, 0.0], [0.5576, 0.4424, 0.2437]
    for name, s1, st in zip(["x1", "x2", "x3"], exact_s1, exact_st):
        row = table.loc[name]
        assert abs(row["S1"] - s1) <= row["S1_conf"], (name, row["S1"], row["S1_conf"])
        assert abs(row["ST"] - st) <= row["ST_conf"], (name, row["ST"], row["ST_conf"])
    assert table.loc["x3", "S1_indistinguishable"] and not table.loc["x3", "ST_indistinguishable"]
    assert table.loc["x3", "note"].startswith("mostly through interactions")
    assert list(table.sort_values("rank").index) == ["x1", "x2", "x3"]  # by ST


def test_morris_ranks_a_linear_function_by_its_coefficients_over_their_ranges():
    coefficients = np.array([3.0, -2.0, 0.0, 0.5])
    bounds = [(0, 1), (0, 2), (5, 6), (-1, 1)]  # mu* is the change across the whole range: |c| x (high - low)
    space = problem(["a", "b", "zero", "d"], bounds)
    sample = make_sample("morris", space, 10, seed=4)
    table = indices_table("morris", space, sample, toy_kpis(sample @ coefficients)).set_index("parameter")
    assert list(table.index) == ["b", "a", "d", "zero"]  # ranked
    table = table.loc[["a", "b", "zero", "d"]]
    assert table["mu_star"].to_numpy() == pytest.approx([3.0, 4.0, 0.0, 1.0])
    assert table["mu"].to_numpy() == pytest.approx([3.0, -4.0, 0.0, 1.0])
    assert table["sigma"].to_numpy() == pytest.approx([0.0] * 4, abs=1e-9)  # no interactions
    assert table["rank"].tolist() == [2, 1, 4, 3]
    assert table["indistinguishable"].tolist() == [False, False, True, False]
    assert table.loc["zero", "note"] == "not distinguishable from zero"


def test_outputs_are_read_in_the_samples_order_and_a_missing_point_is_refused():
    kpis = toy_kpis(np.arange(6.0))
    assert outputs_in_order(kpis, 6, "unallocated", 12).tolist() == [0, 1, 2, 3, 4, 5]
    with pytest.raises(ValueError, match=r"5 of the sample's 6 points \(missing: \[2\]\)"):
        outputs_in_order(kpis[kpis["point"] != 2], 6, "unallocated", 12)
    with_gap = kpis.copy()
    with_gap.loc[with_gap.index[0], "value"] = np.nan  # a KPI with no value at one replication of a point
    y = outputs_in_order(with_gap, 6, "unallocated", 12)
    assert np.isnan(y).sum() == 1


# --- study files ---------------------------------------------------------------------------------------------


def test_a_study_makes_one_validated_point_per_sample_row(tmp_path):
    study = load_study(study_file(tmp_path))
    assert study.sample.shape == (4 * 4, 3) and len(study.sweep.points) == 16  # 4 trajectories of 3 + 1
    factor = {f.name: f for f in study.factors}
    assert (factor[COST].low, factor[COST].high) == pytest.approx((43100 * 0.8, 43100 * 1.2))
    assert study.labels[REFERRALS] == "New children referred a year"
    for row, point in zip(study.sample, study.sweep.points):
        assert point.scenario.costs.experienced_gbp_per_fte_year == pytest.approx(row[0])
        assert point.values[POSTS] == point.scenario.teams["duty"].posts_fte
    again = load_study(study_file(tmp_path))
    assert (again.sample == study.sample).all() and again.sweep.fingerprint == study.sweep.fingerprint


def test_whole_numbers_are_rounded_and_distributions_scaled(tmp_path):
    body = """
        parameters:
          allocation.caseload_cap: {}
          pathway.cin_plan_days: {range: {low: 0.5, high: 1.5}, relative: multiply}
          pathway.assessment_outcomes.cin: {}
    """
    study = load_study(study_file(tmp_path, body))
    for row, point in zip(study.sample, study.sweep.points):
        cap = point.scenario.allocation.caseload_cap
        assert cap == round(row[0]) and point.values["allocation.caseload_cap"] == cap
        assert point.scenario.pathway.cin_plan_days.mean_days == pytest.approx(290 * row[1])
        outcomes = point.scenario.pathway.assessment_outcomes
        assert outcomes.cin == pytest.approx(row[2]) and sum(outcomes.model_dump().values()) == pytest.approx(1)


@pytest.mark.parametrize("body, fields, message", [
    (None, {"trajectoris": 4}, r"trajectoris: unknown field\. Did you mean 'trajectories'\?"),
    (None, {"method": "sobol", "trajectories": None, "base_sample": 100},
     r"base_sample: 100 is not a power of two, which Sobol's sequence needs for its balance: use 64 or 128"),
    ("parameters:\n  teams.duty.posts_ftee: {}\n", {},
     r"parameters\.teams\.duty\.posts_ftee: not a parameter of the base scenario 'small-continuous'"),
    ("parameters:\n  teams.duty.posts_fte: {rnage: {low: 1, high: 2}}\n", {},
     r"parameters\.teams\.duty\.posts_fte\.rnage: unknown field\. Did you mean 'range'\?"),
    ("parameters:\n  pathway.cin_plan_days: {range: {low: 100, high: 300}}\n", {},
     r"parameters\.pathway\.cin_plan_days\.relative: the base's value is a distribution"),
    ("parameters:\n  teams.duty.posts_fte: {range: {low: -3, high: 2}}\n", {},
     r"point \d+ \(teams\.duty\.posts_fte = -?[\d.]+\): teams\.duty\.posts_fte: Input should be greater"),
    (None, {"method": "fast"}, r"method: Input should be 'morris', 'sobol' or 'one_at_a_time'"),
    (None, {"kpis": "[unalocated]"}, r"did you mean 'unallocated'"),
])
def test_a_bad_study_file_is_refused_naming_the_file_and_field(tmp_path, body, fields, message):
    fields = {k: v for k, v in fields.items() if v is not None}
    path = study_file(tmp_path, body, **fields)
    if fields.get("method") == "sobol":
        text = path.read_text(encoding="utf-8").replace("trajectories: 4\n", "")
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=message) as error:
        load_study(path)
    assert str(error.value).startswith(str(path))


# --- the real model ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sensitivity")
    return sensitivity(study_file(folder), folder / "serial", Serial(), progress=False)


def test_a_parameter_with_no_effect_has_mu_star_exactly_zero_on_common_random_numbers(serial):
    table = serial.indices[(serial.indices["kpi"] == "unallocated") & (serial.indices["month"] == 4)]
    row = table.set_index("parameter")
    assert row.loc[COST, "mu_star"] == 0.0 and row.loc[COST, "sigma"] == 0.0  # exactly: the same futures
    assert row.loc[COST, "indistinguishable"] and row.loc[COST, "rank"] == 3
    assert row.loc[REFERRALS, "mu_star"] > 1.0 and not row.loc[REFERRALS, "indistinguishable"]
    assert row.loc[REFERRALS, "mu"] > 0  # more referrals, more children waiting
    cost = serial.indices[(serial.indices["kpi"] == "cost_cumulative_gbp")].set_index("parameter")
    assert cost.loc[COST, "mu_star"] > 0 and not cost.loc[COST, "indistinguishable"]  # it does move the cost


def test_the_folder_holds_the_indices_sample_and_manifest_and_resumes(serial, tmp_path):
    folder = serial.folder
    written = pd.read_csv(folder / "indices.csv")
    assert list(written["parameter"]) == list(serial.indices["parameter"])
    manifest = json.loads((folder / "sensitivity.json").read_text(encoding="utf-8"))
    assert manifest["method"] == "morris" and manifest["trajectories"] == 4 and manifest["sample_rows"] == 16
    assert [p["parameter"] for p in manifest["parameters"]] == [COST, REFERRALS, POSTS]
    assert pd.read_csv(folder / "sample.csv").shape == (16, 4)
    again = sensitivity(serial.study, folder, Serial(), progress=False)
    assert again.sweep.ran == 0 and again.indices.equals(serial.indices)


def test_processes_give_exactly_the_serial_indices(serial):
    pooled = sensitivity(serial.study, serial.folder.parent / "pooled", Processes(2), progress=False)
    for name in ("indices.csv", "kpis.csv", "points.csv", "sample.csv"):
        assert (pooled.folder / name).read_bytes() == (serial.folder / name).read_bytes(), name


class FailingAt:
    """Serial, except that one task (by position) raises."""

    def __init__(self, position: int):
        self.position = position

    def as_completed(self, tasks):
        for number, outcome in Serial().as_completed(tasks):
            yield number, TaskFailure("RuntimeError: boom") if number == self.position else outcome


def test_a_failed_task_stops_the_analysis_naming_its_point(serial, tmp_path):
    with pytest.raises(IncompleteSample, match=r"1 task failed, at point 2 .*run the same command again") as error:
        sensitivity(serial.study, tmp_path / "failing", FailingAt(5), progress=False)
    assert error.value.result.failures["point"].tolist() == [2]  # position 5: point 2, replication 1
    assert not (tmp_path / "failing" / "indices.csv").exists()


# --- the chart and the terminal table ---------------------------------------------------------------------------


def test_the_tornado_draws_each_index_in_rank_order_and_greys_the_indistinguishable(serial):
    figure = tornado(serial.indices, "unallocated", 4)
    ax = figure.axes[0]
    bars = [p for p in ax.patches if (p.get_gid() or "").startswith("bar:")]
    ranked = serial.indices[(serial.indices["kpi"] == "unallocated")].sort_values("rank")
    assert [b.get_gid() for b in bars] == [f"bar:{p}" for p in ranked["parameter"]]
    assert [b.get_width() for b in bars] == pytest.approx(ranked["mu_star"].tolist())
    assert [b.get_y() for b in bars] == sorted(b.get_y() for b in bars) and ax.yaxis_inverted()
    greys = [b.get_facecolor()[:3] == (0xbb / 255,) * 3 for b in bars]
    assert greys == ranked["indistinguishable"].tolist()
    flags = [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("flag:")]
    assert flags == ["not distinguishable from zero"] * int(ranked["indistinguishable"].sum())
    assert [t.get_text() for t in ax.get_yticklabels()][0] == ranked["label"].iloc[0]
    assert figure.get_suptitle().startswith("What moves unallocated children at month 4")


def test_a_sobol_tornado_never_draws_a_negative_index_and_the_table_never_shows_one():
    from SALib.test_functions import Ishigami

    space = problem(["x1", "x2", "x3"], [(-np.pi, np.pi)] * 3)
    sample = make_sample("sobol", space, 64, seed=2)
    y = Ishigami.evaluate(sample)  # a small sample: x3's S1 hovers around 0, perhaps below
    indices = indices_table("sobol", space, sample, toy_kpis(y), labels={"x1": "First"})
    figure = tornado(indices, "unallocated", 12)
    widths = [p.get_width() for p in figure.axes[0].patches if (p.get_gid() or "").startswith("bar:")]
    assert widths[0] == pytest.approx(indices["ST"].iloc[0]) and min(widths) >= 0
    text = format_indices(indices)
    assert indices["S1_indistinguishable"].any()
    assert "First" in text and "not distinguishable from zero" in text and "\u2212" not in text


def test_the_sensitivity_command_ranks_the_parameters_and_draws_a_chart_per_kpi(tmp_path, capsys):
    from capacity_model.interface.cli import main

    path = study_file(tmp_path)
    assert main(["validate", str(path)]) == 0
    assert "valid (sensitivity study 'tiny'" in capsys.readouterr().out
    assert main(["sensitivity", str(path), "--workers", "2", "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr()
    indices = pd.read_csv(tmp_path / "out" / "indices.csv")
    first = indices[indices["kpi"] == "unallocated"].sort_values("rank").iloc[0]
    assert "Unallocated children at month 4" in printed.out and "Morris screening" in printed.out
    assert printed.out.index(first["label"]) < printed.out.index("Workforce cost")  # the first ranked, first
    assert "tiny: Morris, 3 parameters, 4 trajectories: 16 points x 2 replications = 32 tasks" in printed.err
    assert sorted(p.name for p in (tmp_path / "out" / "charts").glob("*.png")) == [
        "tornado-cost_cumulative_gbp-month-4.png", "tornado-unallocated-month-4.png"]


def test_report_on_a_study_folder_ranks_the_parameters_per_kpi_and_keeps_its_charts(serial, tmp_path):
    from capacity_model.interface.report import write_report

    page = write_report(serial.folder, tmp_path / "report").read_text(encoding="utf-8")
    indices = serial.indices
    for kpi in ("unallocated", "cost_cumulative_gbp"):
        ranked = indices[indices["kpi"] == kpi].sort_values("rank")["label"].tolist()
        section = page[page.index(f"{KPI_BY_ID[kpi].label} at month 4"):]
        positions = [section.index(f"<td>{label}</td>") for label in ranked]
        assert positions == sorted(positions)  # the table in rank order
    assert "not distinguishable from zero" in page  # the cost rate, for unallocated children
    assert sorted(p.name for p in (tmp_path / "report" / "charts").glob("*.png")) == [
        "tornado-cost_cumulative_gbp-month-4.png", "tornado-unallocated-month-4.png"]


# --- one at a time ---------------------------------------------------------------------------------------------------


def test_one_at_a_time_pairs_each_end_with_the_base_exactly():
    """Toy outputs: base 10, parameter a moves the KPI by -2 / +3, b not at all; replications differ by a
    common offset, which pairing cancels, so the intervals are exactly the changes."""
    from capacity_model.studies.one_at_a_time import changes_table
    y = np.array([10.0, 8.0, 13.0, 10.0, 10.0])  # base, a low, a high, b low, b high
    table = changes_table(["a", "b"], [(1.0, 2.0), (5.0, 6.0)], toy_kpis(y), {"a": "A"}).set_index("parameter")
    assert (table.loc["a", "change_low"], table.loc["a", "change_high"], table.loc["a", "effect"]) == (-2.0, 3.0, 3.0)
    assert table.loc["a", "change_low_ci_low"] == table.loc["a", "change_low_ci_high"] == -2.0
    assert table.loc["a", "rank"] == 1 and not table.loc["a", "indistinguishable"] and table.loc["a", "label"] == "A"
    assert table.loc["b", "effect"] == 0.0 and table.loc["b", "indistinguishable"]
    with pytest.raises(ValueError, match="every one is needed"):
        changes_table(["a", "b"], [(1.0, 2.0), (5.0, 6.0)], toy_kpis(y[:4]))


def test_one_at_a_time_on_the_model_moves_referrals_by_the_range_and_a_cost_rate_not_at_all(tmp_path):
    body = f"""
        parameters:
          {COST}: {{}}
          {REFERRALS}: {{range: {{low: 160, high: 480}}}}
    """
    path = study_file(tmp_path, body, name="oat.yaml", method="one_at_a_time", replications=12, months=6,
                      kpis="[referrals_in_month, unallocated]")
    path.write_text(path.read_text().replace("trajectories: 4\n", ""), encoding="utf-8")
    result = sensitivity(path, tmp_path / "out", Serial(), progress=False)
    assert len(result.study.sample) == 5 and list(result.study.sample[0]) == [43100.0, 320.0]
    table = result.indices[(result.indices["kpi"] == "referrals_in_month")].set_index("parameter")
    # the golden small service: 320 new children a year, re-referrals on top; 160 and 480 are -/+ 13.3 a month
    assert table.loc[REFERRALS, "change_low"] == pytest.approx(-160 / 12, abs=5)
    assert table.loc[REFERRALS, "change_high"] == pytest.approx(160 / 12, abs=5)
    assert table.loc[REFERRALS, "change_high_ci_low"] > 0 > table.loc[REFERRALS, "change_low_ci_high"]
    assert table.loc[COST, "change_low"] == table.loc[COST, "change_high"] == 0.0  # the same futures exactly
    assert table.loc[COST, "indistinguishable"] and table.loc[REFERRALS, "rank"] == 1
    figure = tornado(result.indices, "referrals_in_month", 6)
    bars = {bar.get_gid(): bar.get_width() for bar in figure.axes[0].patches}
    assert bars[f"low:{REFERRALS}"] < 0 < bars[f"high:{REFERRALS}"] and bars[f"high:{COST}"] == 0.0
    text = format_indices(result.indices)
    assert "one at a time" in text and "not distinguishable from zero" in text
    assert json.loads((result.folder / "sensitivity.json").read_text())["method"] == "one_at_a_time"


def test_one_at_a_time_takes_no_morris_or_sobol_settings(tmp_path):
    path = study_file(tmp_path, method="one_at_a_time")  # with trajectories: 4
    with pytest.raises(ScenarioError, match="trajectories is not for method one_at_a_time"):
        load_study(path)
