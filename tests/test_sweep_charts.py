"""Sweep charts and the sweep report, from small synthetic tables: what is drawn and said, not only that files exist."""

import base64
import json
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from capacity_model import charts
from capacity_model.analysis.findings import figure_text
from capacity_model.interface.report import ReportError, write_report
from capacity_model.interface.report_sweep import SweepFolder, sweep_charts, write_sweep_report
from capacity_model.measures import KPI_BY_ID
from capacity_model.studies.sweep_file import parameter_text

X, Y = "teams.locality.posts_fte", "workforce.support.social_work_support_officers.fte"
XS, YS = (70, 90, 110), (0, 10, 20)
LABELS = {X: "Locality social worker posts (FTE)", Y: "Social Work Support Officers (FTE)"}
TARGETED, UNTARGETED = "pct_caseload_le_22", "agency_sw"  # target: all (100%), higher is better; no target
MONTHS = ((12, "2021-03-01"), (24, "2022-03-01"))
REPS = 10


def mean_of(kpi: str, x: float, y: float, month: int) -> float:
    if kpi == TARGETED:
        return min(100.0, 40.0 + 0.4 * (x - 70) + 1.3 * y + 0.03 + month / 100)
    return 60.0 - 0.3 * (x - 70) - 0.9 * y + 0.07


def chance_of(x: float, y: float) -> float:
    return (XS.index(x) + 3 * YS.index(y)) / 10  # 0.0 to 0.8, each point its own


def summary_table() -> pd.DataFrame:
    """A sweep's summary: 3 x 3 points (point = 3 * index of x + index of y), two KPIs, two months."""
    rows = []
    for i, x in enumerate(XS):
        for j, y in enumerate(YS):
            for kpi in (TARGETED, UNTARGETED):
                for month, date in MONTHS:
                    mean = mean_of(kpi, x, y, month)
                    half = 1.5 + 0.1 * j
                    chance = chance_of(x, y) if kpi == TARGETED else np.nan
                    rows.append({"point": 3 * i + j, X: x, Y: y, "kpi": kpi, "month": month, "date": date,
                                 "mean": mean, "ci_low": mean - half, "ci_high": mean + half, "p05": mean - 4,
                                 "p50": mean, "p95": mean + 4, "replications": REPS, "p_meets_target": chance,
                                 "p_meets_target_low": max(0.0, chance - 0.05),
                                 "p_meets_target_high": chance + 0.1})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    return summary_table()


def by_gid(figure: Figure, prefix: str) -> list:
    return [artist for ax in figure.axes for artist in ax.get_children()
            if (artist.get_gid() or "").startswith(prefix)]


def legend(figure: Figure):
    [ax] = [ax for ax in figure.axes if ax.get_legend()]
    return ax.get_legend()


def test_sweep_lines_draw_a_line_per_value_of_by_at_the_means_with_their_intervals(summary):
    figure = charts.sweep_lines(summary, TARGETED, 24, X, Y, LABELS)
    lines = by_gid(figure, "line:")
    assert [line.get_gid() for line in lines] == ["line:0", "line:10", "line:20"]
    ax = figure.axes[0]
    for line, y in zip(lines, YS):
        assert list(line.get_xdata()) == list(XS)
        assert np.allclose(line.get_ydata(), [mean_of(TARGETED, x, y, 24) for x in XS])
        [container] = [c for c in ax.containers if c[0] is line]
        spans = sorted((s[:, 1].min(), s[:, 1].max()) for bars in container[2] for s in bars.get_segments())
        expected = summary[(summary[Y] == y) & (summary["kpi"] == TARGETED) & (summary["month"] == 24)]
        assert np.allclose(spans, sorted(zip(expected["ci_low"], expected["ci_high"])))
    assert len({line.get_linestyle() for line in lines}) == 3 and len({line.get_marker() for line in lines}) == 3


def test_sweep_lines_speak_in_plain_words_with_units_the_month_and_the_target(summary):
    figure = charts.sweep_lines(summary, TARGETED, 24, X, Y, LABELS)
    ax = figure.axes[0]
    box = legend(figure)
    assert " ".join(box.get_title().get_text().split()) == LABELS[Y]
    assert [t.get_text() for t in box.get_texts()] == ["0", "10", "20", "plan target: all (100%)"]
    [target] = by_gid(figure, "target")
    assert set(target.get_ydata()) == {KPI_BY_ID[TARGETED].target}
    assert ax.get_xlabel() == LABELS[X] and ax.get_ylabel() == "Per cent, higher is better"
    assert "month 24 (March 2022)" in " ".join(figure.get_suptitle().split())
    subtitle = " ".join(ax.get_title(loc="left").split())
    assert f"{REPS} simulated futures" in subtitle and "95% intervals" in subtitle and LABELS[Y] in subtitle
    assert [t.get_text() for t in ax.get_xticklabels()] == ["70", "90", "110"]


def test_sweep_lines_without_a_target_or_labels_use_the_names(summary):
    figure = charts.sweep_lines(summary, UNTARGETED, 12, X, Y)
    assert by_gid(figure, "target") == []
    assert figure.axes[0].get_xlabel() == X and legend(figure).get_title().get_text() == Y
    assert figure.axes[0].get_ylabel() == "Social workers (headcount), lower is better"


def test_sweep_lines_against_one_parameter_need_the_others_fixed(summary):
    with pytest.raises(ValueError, match="other parameters vary"):
        charts.sweep_lines(summary, TARGETED, 24, X)
    figure = charts.sweep_lines(summary[summary[Y] == 10], TARGETED, 24, X, labels=LABELS)
    [line] = by_gid(figure, "line")
    assert np.allclose(line.get_ydata(), [mean_of(TARGETED, x, 10, 24) for x in XS])
    [points] = by_gid(charts.sweep_lines(summary[summary[Y] == 10], TARGETED, 24, X, join=False), "line")
    assert points.get_linestyle() == "None"


def heatmap_cells(figure: Figure):
    [image] = by_gid(figure, "cells")
    return image, np.ma.filled(image.get_array(), np.nan)


def test_sweep_heatmap_arranges_the_means_by_x_across_and_y_up_with_each_cell_labelled(summary):
    figure = charts.sweep_heatmap(summary, UNTARGETED, 24, X, Y, labels=LABELS)
    image, cells = heatmap_cells(figure)
    expected = np.array([[mean_of(UNTARGETED, x, y, 24) for x in XS] for y in YS])
    assert np.allclose(cells, expected)
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["70", "90", "110"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "10", "20"]
    assert ax.get_xlabel() == LABELS[X] and ax.get_ylabel() == LABELS[Y]
    texts = {t.get_gid(): t.get_text() for t in ax.texts}
    assert texts["cell:2:0"] == f"{expected[2, 0]:.0f}" and len(texts) == 9  # agency workers: no decimals
    assert "month 24 (March 2022)" in " ".join(figure.get_suptitle().split())


def test_sweep_heatmap_makes_better_lighter_says_so_and_keeps_numbers_readable(summary):
    fewer_better = charts.sweep_heatmap(summary, UNTARGETED, 24, X, Y, labels=LABELS)
    more_better = charts.sweep_heatmap(summary, TARGETED, 24, X, Y, labels=LABELS)
    for figure, direction in ((fewer_better, "lower"), (more_better, "higher")):
        image, cells = heatmap_cells(figure)
        [bar] = [ax for ax in figure.axes if ax.get_gid() == "colour-bar"]
        assert f"lighter is better ({direction})" in bar.get_ylabel()
        best = np.unravel_index(np.nanargmin(cells) if direction == "lower" else np.nanargmax(cells), cells.shape)
        worst = np.unravel_index(np.nanargmax(cells) if direction == "lower" else np.nanargmin(cells), cells.shape)
        luminance = [np.dot(image.cmap(image.norm(cells[c]))[:3], (0.2126, 0.7152, 0.0722)) for c in (best, worst)]
        assert luminance[0] > luminance[1] + 0.4  # the best cell is much lighter than the worst
        colours = {t.get_gid(): t.get_color() for t in figure.axes[0].texts}
        assert colours[f"cell:{best[0]}:{best[1]}"] == "#111111" and colours[f"cell:{worst[0]}:{worst[1]}"] == "white"
        ends = {t.get_gid() for t in bar.texts}
        assert ends == {"end:better", "end:worse"}


def test_sweep_heatmap_of_the_chance_of_meeting_the_target_is_in_per_cent(summary):
    figure = charts.sweep_heatmap(summary, TARGETED, 24, X, Y, value="p_meets_target", labels=LABELS)
    image, cells = heatmap_cells(figure)
    assert np.allclose(cells, [[100 * chance_of(x, y) for x in XS] for y in YS])
    assert (image.norm.vmin, image.norm.vmax) == (0.0, 100.0)
    texts = {t.get_gid(): t.get_text() for t in figure.axes[0].texts}
    assert texts["cell:0:0"] == "0%" and texts["cell:2:2"] == "80%"
    assert "Chance of meeting the target" in figure.get_suptitle()


def test_sweep_heatmap_shows_a_point_without_results_as_such(summary):
    gap = summary[~((summary["point"] == 4) & (summary["kpi"] == UNTARGETED))]
    figure = charts.sweep_heatmap(gap, UNTARGETED, 24, X, Y)
    _, cells = heatmap_cells(figure)
    assert np.isnan(cells[1, 1]) and np.isfinite(cells).sum() == 8
    assert {t.get_gid(): t.get_text() for t in figure.axes[0].texts}["cell:1:1"] == "no result"


def test_sweep_charts_refuse_what_the_summary_does_not_hold(summary):
    with pytest.raises(ValueError, match="no unallocated results at month 24"):
        charts.sweep_heatmap(summary, "unallocated", 24, X, Y)
    with pytest.raises(ValueError, match="month 99.*months 12, 24"):
        charts.sweep_lines(summary, TARGETED, 99, X, Y)
    with pytest.raises(ValueError, match="no plan target"):
        charts.sweep_heatmap(summary, UNTARGETED, 24, X, Y, value="p_meets_target")
    with pytest.raises(ValueError, match="unknown KPI"):
        charts.sweep_lines(summary, "happiness", 24, X, Y)
    with pytest.raises(ValueError, match="no parameter 'teams.duty.posts_fte'"):
        charts.sweep_heatmap(summary, TARGETED, 24, "teams.duty.posts_fte", Y)
    with pytest.raises(ValueError, match="value must be"):
        charts.sweep_heatmap(summary, TARGETED, 24, X, Y, value="median")


def test_sweep_charts_leave_no_pyplot_figures_behind(summary):
    charts.sweep_heatmap(summary, TARGETED, 24, X, Y)
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert pyplot is None or pyplot.get_fignums() == []


# --- the report -------------------------------------------------------------------------------


def write_sweep_folder(folder, summary: pd.DataFrame) -> None:
    folder.mkdir(parents=True)
    manifest = {
        "package": "capacity-model", "version": "9.9.9", "kind": "sweep", "name": "posts-by-officers",
        "fingerprint": "0123456789abcdef", "command": "capacity-model sweep sweeps/posts.yaml --reps 10",
        "sweep_file": "sweeps/posts.yaml", "seed": 7, "replications": REPS, "months": 24,
        "parameters": [X, Y], "points": 9,
        "sweep": {"name": "posts-by-officers", "description": "", "design": "grid", "replications": REPS,
                  "months": 24, "seed": 7, "kpis": [TARGETED, UNTARGETED], "months_of_interest": [12, 24],
                  "parameters": {X: {"values": list(XS), "label": LABELS[X]}, Y: {"values": list(YS)}}},
        "base": {"name": "baseline", "start_date": "2020-03-01"},
        "started": "2024-05-01T10:00:00+01:00", "finished": "2024-05-01T10:05:00+01:00", "tasks": 90, "failed": 1,
    }
    (folder / "sweep.json").write_text(json.dumps(manifest), encoding="utf-8")
    points = pd.DataFrame([{"point": 3 * i + j, "scenario": f"posts-by-officers-point-{3 * i + j:03d}", X: x, Y: y}
                           for i, x in enumerate(XS) for j, y in enumerate(YS)])
    points.to_csv(folder / "points.csv", index=False)
    summary.to_csv(folder / "summary.csv", index=False)
    pd.DataFrame([{"point": 4, "replication": 3, "task": "abc123", "error": "ZeroDivisionError: float division",
                   X: 90, Y: 10}]).to_csv(folder / "failures.csv", index=False)


@pytest.fixture(scope="module")
def reported(tmp_path_factory, summary):
    """A sweep folder whose agency KPI lacks month 24 (fewer charts to draw, so a quicker test)."""
    folder = tmp_path_factory.mktemp("sweep") / "posts"
    write_sweep_folder(folder, summary[(summary["kpi"] == TARGETED) | (summary["month"] == 12)])
    page = write_report(folder, None)  # the run report's entry point sends a sweep folder here
    return folder, page


def test_a_sweep_report_is_one_self_contained_page_with_every_chart(reported):
    folder, page = reported
    assert page == folder / "report.html"
    text = page.read_text(encoding="utf-8")
    pngs = {p.stem for p in (folder / "charts").glob("*.png")}
    assert pngs == {f"lines-{TARGETED}-month24", f"heatmap-{TARGETED}-month24", f"chance-{TARGETED}-month24"}
    assert pngs == {p.stem for p in (folder / "charts").glob("*.svg")}
    assert f"Not drawn: no {UNTARGETED} results at month 24 in the summary (it has month 12)." in text  # not fatal
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", text)
    assert len(images) == 3 and all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    assert not re.search(r"(src|href)=['\"]?(https?:|//|file:)", text)
    assert text.startswith("<!DOCTYPE html>") and "lang='en-GB'" in text
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]  # nothing half-written left


def test_a_sweep_report_says_what_was_swept_in_plain_words(reported):
    text = reported[1].read_text(encoding="utf-8")
    assert LABELS[X] in text and parameter_text(Y) in text  # a label given, and one made from the path
    assert f"<code>{X}</code>" in text and "70, 90 and 110" in text and "0, 10 and 20" in text
    assert "seed 7" in text and f"run {REPS} times" in text and "month 24 (March 2022)" in text


def test_a_sweep_report_tabulates_each_points_mean_interval_and_chance(reported, summary):
    text = reported[1].read_text(encoding="utf-8")
    row = summary[(summary["point"] == 5) & (summary["kpi"] == TARGETED) & (summary["month"] == 24)].iloc[0]
    mean = (f"{figure_text(row['mean'], TARGETED)}<br><span class='ci'>({figure_text(row['ci_low'], TARGETED)} to "
            f"{figure_text(row['ci_high'], TARGETED)})</span>")
    assert mean in text and figure_text(row["mean"], TARGETED) == f"{row['mean']:.1f}"
    assert (f"{row['p_meets_target']:.0%}<br><span class='ci'>({100 * row['p_meets_target_low']:.0f} to "
            f"{100 * row['p_meets_target_high']:.0f})</span>") in text
    assert text.count("chance of meeting the target, month") == 2  # the KPI with a target, at both months
    agency = text.split("<h3>Agency social workers</h3>")[-1]
    row = summary[(summary["point"] == 5) & (summary["kpi"] == UNTARGETED) & (summary["month"] == 12)].iloc[0]
    assert f"<td class='num'>{figure_text(row['mean'], UNTARGETED)}<br>" in agency
    assert "<td class='num'>-</td>" in agency  # month 24: no result


def test_a_sweep_report_lists_failures_and_where_its_figures_came_from(reported):
    text = reported[1].read_text(encoding="utf-8")
    assert "Tasks that failed" in text and "ZeroDivisionError: float division" in text and "1 of 90 tasks" in text
    for value in ("capacity-model sweep sweeps/posts.yaml --reps 10", "capacity-model 9.9.9", "0123456789abcdef",
                  "2024-05-01T10:05:00+01:00"):
        assert value in text


def test_a_sweep_of_three_parameters_or_a_latin_hypercube_is_charted_as_it_can_be(summary):
    three = summary.assign(**{"teams.duty.posts_fte": 5})
    three = pd.concat([three, three.assign(**{"teams.duty.posts_fte": 8, "mean": three["mean"] + 100})])
    three["point"] = range(len(three))  # every row its own point (the rows' point numbers are not read)
    points = three.drop_duplicates("point")[["point", X, Y, "teams.duty.posts_fte"]].assign(scenario="s")
    manifest = {"kind": "sweep", "parameters": [X, Y, "teams.duty.posts_fte"], "sweep": {"design": "grid"}}
    drawn = sweep_charts(SweepFolder(Path("grid"), manifest, points, three, None))
    lines = next(c for c in drawn if c.name == f"lines-{TARGETED}-month24")
    assert "Duty posts (FTE) at 5." in lines.caption
    [line] = [a for a in by_gid(lines.figure, "line:0")]
    assert np.allclose(line.get_ydata(), [mean_of(TARGETED, x, 0, 24) for x in XS])  # the duty posts at 5
    cloud = summary.assign(**{X: summary[X] + summary["point"] / 10})  # points spread, not on lines
    manifest = {"kind": "sweep", "parameters": [X, Y], "sweep": {"design": "latin_hypercube"}}
    drawn = sweep_charts(SweepFolder(Path("lhs"), manifest, cloud.drop_duplicates("point"), cloud, None))
    assert sorted(c.name for c in drawn) == sorted(f"points-{k}-parameter{i}-month24"
                                                   for k in (TARGETED, UNTARGETED) for i in (1, 2))
    assert all(c.figure is not None for c in drawn[:1]) and "Not drawn" in drawn[1].caption  # y repeats: said


@pytest.mark.parametrize("damage, file", [
    (lambda f: (f / "summary.csv").unlink(), "summary.csv"),
    (lambda f: (f / "points.csv").unlink(), "points.csv"),
    (lambda f: (f / "sweep.json").unlink(), "sweep.json"),
    (lambda f: (f / "sweep.json").write_text("{not json"), "sweep.json"),
    (lambda f: pd.read_csv(f / "summary.csv").drop(columns="mean").to_csv(f / "summary.csv", index=False),
     "summary.csv"),
])
def test_a_damaged_sweep_folder_is_refused_naming_the_file(reported, tmp_path, damage, file):
    folder = tmp_path / "copy"
    shutil.copytree(reported[0], folder)
    (folder / "report.html").unlink()
    damage(folder)
    with pytest.raises(ReportError, match=re.escape(str(folder / file))):
        write_sweep_report(folder, tmp_path / "out")
    assert not (folder / "report.html").exists() and not (tmp_path / "out").exists()
