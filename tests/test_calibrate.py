"""Calibration (issue 16): fitted parameters reproduce figures the model itself produced; a target out of reach says so."""

from __future__ import annotations

import numpy as np
import pytest

from capacity_model.experiment import run_experiment
from capacity_model.interface.cli import main
from capacity_model.scenario import load_scenario
from capacity_model.studies.calibrate import CalibrationError, Target, calibrate, read_targets

from conftest import scenario_with

FAST = {"oversight": None}  # the layer changes nothing that calibration fits


def mean_turnover(scenario, reps: int, months: int, seed: int) -> float:
    kpis = run_experiment(scenario, reps, months, seed, jobs=2, progress=False).kpis
    rows = kpis[(kpis["kpi"] == "turnover_12m") & kpis["month"].between(1, months)]
    return float(rows.groupby("replication")["value"].mean().mean())


def test_calibration_recovers_a_leaving_hazard_from_the_models_own_figures():
    truth = scenario_with({"workforce": {"leaving": {"permanent_per_year": 0.30}}}, replace=FAST)
    figure = mean_turnover(truth, reps=4, months=12, seed=5)
    start = scenario_with(replace=FAST)  # 0.17
    target = Target("turnover_12m", figure, figure - 0.5, figure + 0.5, "workforce.leaving.permanent_per_year")
    result = calibrate(start, [target], replications=4, months=12, seed=5, jobs=2)
    row = result.table.iloc[0]
    assert row["met"] and row["start"] == 0.17
    assert row["fitted"] == pytest.approx(0.30, abs=0.02)
    assert result.scenario.workforce.leaving.permanent_per_year == row["fitted"]
    assert row["model_low"] <= row["model"] <= row["model_high"]
    assert 2 <= result.evaluations <= 10


def test_a_target_the_parameter_cannot_reach_is_reported_not_met(tmp_path, capsys):
    figures = tmp_path / "figures.csv"
    figures.write_text("kpi,value,low,high,parameter\n"
                       "turnover_12m,60,55,65,costs.recruitment_gbp_per_hire\n", encoding="utf-8")
    base = tmp_path / "base.yaml"
    base.write_text("extends: baseline\noversight: null\n", encoding="utf-8")
    out = tmp_path / "fitted.yaml"
    assert main(["calibrate", str(base), "--targets", str(figures), "--reps", "2", "--months", "2", "--jobs", "1",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "NOT MET" in text and "Not met: social worker turnover (12 months)" in text
    fitted = load_scenario(out)  # extends the base, with the value it ended on
    assert fitted.costs.recruitment_gbp_per_hire == pytest.approx(3000, rel=0.25)
    assert "NOT MET" in out.read_text() and out.with_suffix(".csv").is_file()


@pytest.mark.parametrize("body, message", [
    ("kpi,value,low,high\nturnover,15,14,16\n", "row 2, column kpi: 'turnover' is not a KPI"),
    ("kpi,value,low,high\nturnover_12m,15,16,17\n", "row 2: needs low <= value <= high"),
    ("kpi,value\nturnover_12m,15\n", "row 1: missing column(s) low, high"),
    ("kpi,value,low,high,parameter\nturnover_12m,15,14,16,workforce.leaving.per_year\n",
     "'workforce.leaving.per_year' is not a parameter of the scenario"),
    ("kpi,value,low,high\nunallocated,10,5,15\n", "unallocated has no default parameter to fit"),
])
def test_a_bad_figures_file_names_the_row_and_column(tmp_path, body, message):
    path = tmp_path / "figures.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CalibrationError) as error:
        read_targets(path, load_scenario("baseline"))
    assert message in str(error.value)


def test_defaults_pair_each_published_figure_with_its_parameter(tmp_path):
    path = tmp_path / "figures.csv"
    path.write_text("kpi,value,low,high\nturnover_12m,15,14,16\nvacancy_rate,16,15,17\nagency_rate,15,14,16\n",
                    encoding="utf-8")
    targets = read_targets(path, load_scenario("baseline"))
    assert [t.parameter for t in targets] == ["workforce.leaving.permanent_per_year",
                                              "workforce.recruitment.hires_per_advertised_post",
                                              "workforce.agency.fill_probability_per_month"]
    assert np.isclose(targets[1].value, 16)


def test_a_parameter_starting_at_its_upper_bound_is_tried_lower_and_no_value_is_refused():
    from capacity_model.studies.calibrate import _fit_one
    target = Target("agency_rate", 50.0, 49.0, 51.0, "workforce.agency.fill_probability_per_month")
    linear = lambda at: {"agency_rate": np.array([100.0 * at[target.parameter]] * 3)}  # noqa: E731
    fitted = _fit_one(target, {target.parameter: 1.0}, linear)
    assert fitted == pytest.approx(0.5, abs=0.01)
    empty = lambda at: {"agency_rate": np.array([np.nan, np.nan])}  # noqa: E731
    with pytest.raises(CalibrationError, match="has no value in the months run"):
        _fit_one(target, {target.parameter: 0.5}, empty)
