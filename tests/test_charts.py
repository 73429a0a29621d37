"""Charts drawn from small synthetic tidy tables: what is drawn, not only that a file appears."""

import sys

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from capacity_model import charts
from capacity_model.measures import KPI_BY_ID

DATES = pd.date_range("2020-03-01", periods=7, freq="MS").strftime("%Y-%m-%d")
REPS = 10


def tidy(values) -> pd.DataFrame:
    """A tidy KPI table from {(scenario, kpi): function(replication, month) -> value}."""
    rows = [(scenario, r, m, DATES[m], kpi, float(f(r, m)))
            for (scenario, kpi), f in values.items() for r in range(REPS) for m in range(len(DATES))]
    return pd.DataFrame(rows, columns=["scenario", "replication", "month", "date", "kpi", "value"])


@pytest.fixture(scope="module")
def kpis() -> pd.DataFrame:
    noise = np.random.default_rng(3).normal(size=(REPS, len(DATES)))
    return tidy({
        ("base", "unallocated_over_5d"): lambda r, m: max(0.0, 50 + 5 * m + 10 * noise[r, m]),
        ("option", "unallocated_over_5d"): lambda r, m: max(0.0, 50 - 6 * m + 8 * noise[r, m]),
        ("base", "average_caseload"): lambda r, m: 21 + noise[r, m],
        ("option", "average_caseload"): lambda r, m: 20 + noise[r, m],
        ("base", "agency_sw"): lambda r, m: 25 + r,
        ("base", "cost_cumulative_gbp"): lambda r, m: 650_000.0 * m + 1000 * r,
        ("base", "staff_experienced"): lambda r, m: 100 + m,
        ("base", "staff_newly_qualified"): lambda r, m: 10,
        ("base", "staff_agency"): lambda r, m: 20,
        ("base", "staff_interim"): lambda r, m: 10 if 2 <= m <= 4 else 0,
        # gaps 25 except in replication 0, where agency workers outnumber the gaps
        ("base", "sw_gaps_case_holding"): lambda r, m: 15 if r == 0 else 25,
    })


def by_gid(figure: Figure, prefix: str) -> list:
    return [artist for ax in figure.axes for artist in ax.get_children()
            if (artist.get_gid() or "").startswith(prefix)]


def band_edges(collection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, lower and upper edge of a fill_between polygon."""
    vertices = collection.get_paths()[0].vertices
    xs = np.unique(vertices[:, 0])
    lower = np.array([vertices[vertices[:, 0] == x, 1].min() for x in xs])
    upper = np.array([vertices[vertices[:, 0] == x, 1].max() for x in xs])
    return xs, lower, upper


def test_fan_chart_draws_a_median_and_two_bands_per_scenario_in_quantile_order(kpis):
    figure = charts.fan_chart(kpis, "unallocated_over_5d")
    assert isinstance(figure, Figure)
    medians = by_gid(figure, "median:")
    assert [line.get_gid() for line in medians] == ["median:base", "median:option"]
    assert len(by_gid(figure, "band90:")) == 2 and len(by_gid(figure, "band50:")) == 2
    for name, median in zip(["base", "option"], medians):
        _, p05, p95 = band_edges(by_gid(figure, f"band90:{name}")[0])
        _, p25, p75 = band_edges(by_gid(figure, f"band50:{name}")[0])
        p50 = np.asarray(median.get_ydata(), dtype=float)
        assert len(p50) == len(DATES)
        assert np.all(p05 <= p25 + 1e-9) and np.all(p25 <= p50 + 1e-9) and np.all(p50 <= p75 + 1e-9)
        assert np.all(p75 <= p95 + 1e-9) and np.any(p05 < p95)
    expected = kpis[(kpis["scenario"] == "option") & (kpis["kpi"] == "unallocated_over_5d") & (kpis["month"] == 3)]
    assert medians[1].get_ydata()[3] == pytest.approx(expected["value"].median())


def test_fan_chart_series_differ_in_line_style_as_well_as_colour(kpis):
    base, option = by_gid(charts.fan_chart(kpis, "unallocated_over_5d"), "median:")
    assert base.get_linestyle() != option.get_linestyle()
    assert base.get_marker() != option.get_marker() and base.get_color() != option.get_color()


@pytest.mark.parametrize("kpi, target", [("unallocated_over_5d", 0.0), ("average_caseload", 22.0)])
def test_fan_chart_draws_the_plans_target(kpis, kpi, target):
    figure = charts.fan_chart(kpis, kpi)
    [line] = by_gid(figure, "target")
    assert set(line.get_ydata()) == {target} == {KPI_BY_ID[kpi].target}
    assert f"plan target: {KPI_BY_ID[kpi].target_text}" in legend_texts(figure)


def test_fan_chart_has_no_target_line_where_the_plan_sets_none(kpis):
    assert by_gid(charts.fan_chart(kpis, "agency_sw"), "target") == []


def legend_texts(figure: Figure) -> list[str]:
    return [text.get_text() for ax in figure.axes if ax.get_legend() for text in ax.get_legend().get_texts()]


def test_fan_chart_titles_and_labels_come_from_the_kpi_label_and_unit(kpis):
    figure = charts.fan_chart(kpis, "unallocated_over_5d", ["base"])
    assert figure.get_suptitle() == "Children unallocated over 5 working days"
    ax = figure.axes[0]
    assert ax.get_ylabel() == "Children"
    assert "the median of 10 simulated futures" in ax.get_title(loc="left")
    assert {"Base", "middle half of simulated futures", "9 in 10 simulated futures"} <= set(legend_texts(figure))
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.DateFormatter)  # dates on the time axis


def test_money_is_drawn_in_millions_of_pounds(kpis):
    figure = charts.fan_chart(kpis, "cost_cumulative_gbp")
    assert figure.axes[0].get_ylabel() == "£ million"
    [median] = by_gid(figure, "median:")
    assert median.get_ydata()[6] == pytest.approx((6 * 650_000 + 4500) / 1e6)


def test_events_are_marked_once_per_date_within_the_run_with_a_key(kpis):
    events = [("2020-04-01", "interim team arrives"), ("2020-04-01", "pay and progression"),
              ("2020-07-01", "interim team leaves"), ("2024-01-01", "after the run"),
              ("2020-04-01", "pay and progression")]
    figure = charts.fan_chart(kpis, "unallocated_over_5d", events=events)
    assert sorted(line.get_gid() for line in by_gid(figure, "event:")) == ["event:2020-04-01", "event:2020-07-01"]
    [key] = [t for ax in figure.axes for t in ax.texts if t.get_gid() == "event-key"]
    assert "(1) Apr 2020: interim team arrives, pay and progression" in key.get_text()
    assert "(2) Jul 2020: interim team leaves" in key.get_text()
    assert "after the run" not in key.get_text()


def test_fan_chart_refuses_an_unknown_kpi_or_scenario(kpis):
    with pytest.raises(ValueError, match="unknown KPI"):
        charts.fan_chart(kpis, "happiness")
    with pytest.raises(ValueError, match="nobody"):
        charts.fan_chart(kpis, "unallocated_over_5d", ["nobody"])


def differences() -> pd.DataFrame:
    rows = []
    for scenario, effect, cost in (("base", None, None), ("cheap-option", (-20, -35, -5), (0.4e6, 0.3e6, 0.5e6)),
                                   ("whole-plan", (-104, -119, -88), (2.2e6, 2.17e6, 2.24e6))):
        for kpi, values in (("unallocated_over_5d", effect), ("cost_cumulative_gbp", cost),
                            ("pct_caseload_le_22", None if effect is None else (-13.0, -24.0, -2.1))):
            mean, low, high = values or (np.nan, np.nan, np.nan)
            rows.append((scenario, "base", kpi, 24, "2022-03-01", mean, low, high, 0.5, 6))
    return pd.DataFrame(rows, columns=["scenario", "base", "kpi", "month", "date", "difference_mean",
                                       "difference_ci_low", "difference_ci_high", "p_meets_target", "replications"])


def test_option_comparison_draws_each_options_difference_with_its_interval_and_a_zero_line():
    figure = charts.option_comparison(differences(), "unallocated_over_5d", 24)
    ax = figure.axes[0]
    [points] = by_gid(figure, "differences")
    assert sorted(points.get_xdata()) == [-104, -20]
    [zero] = by_gid(figure, "zero")
    assert set(zero.get_xdata()) == {0}
    assert {t.get_text() for t in ax.get_yticklabels()} == {"Cheap option", "Whole plan"}
    assert ax.get_xlabel() == "Difference from Base (children)"
    assert "month 24 (March 2022)" in " ".join(figure.get_suptitle().split())
    texts = [t.get_text() for t in ax.texts]
    assert "\u2212104 (\u2212119 to \u221288)" in texts
    low, high = ax.get_xlim()
    assert low < -119 and high > 0  # every interval and the zero line are in view


def test_option_comparison_speaks_of_percentage_points_and_millions():
    assert figure_xlabel("pct_caseload_le_22") == "Difference from Base (percentage points)"
    assert figure_xlabel("cost_cumulative_gbp") == "Difference from Base (£ million)"


def figure_xlabel(kpi: str) -> str:
    return charts.option_comparison(differences(), kpi, 24).axes[0].get_xlabel()


def test_cost_effect_puts_each_option_at_its_cost_and_improvement_with_intervals_both_ways():
    figure = charts.cost_effect(differences(), "unallocated_over_5d", 24)
    [plan] = by_gid(figure, "option:whole-plan")
    assert plan.get_xdata()[0] == pytest.approx(2.2) and plan.get_ydata()[0] == pytest.approx(104)  # fewer is better
    [container] = [c for c in figure.axes[0].containers if c[0].get_gid() == "option:whole-plan"]
    segments = [seg for bars in container[2] for seg in bars.get_segments()]
    spans = sorted((round(s[:, 0].min(), 3), round(s[:, 0].max(), 3), round(s[:, 1].min(), 3), round(s[:, 1].max(), 3))
                   for s in segments)
    assert (2.17, 2.24, 104.0, 104.0) in spans and (2.2, 2.2, 88.0, 119.0) in spans
    ax = figure.axes[0]
    assert ax.get_ylabel().startswith("Reduction in children unallocated over 5 working days")
    assert "£ million" in ax.get_xlabel()
    assert {t.get_text() for t in ax.texts} >= {"Whole plan", "Cheap option"}


def caseloads() -> pd.DataFrame:
    # per replication: 30 workers at 20 children, 10 at 25 (above 22), at month 12; another month elsewhere
    rows = [(s, r, 12, c, n) for s in ("base", "option") for r in range(2) for c, n in ((20, 30), (25, 10))]
    rows += [("base", 0, 6, 22, 40)]
    return pd.DataFrame(rows, columns=["scenario", "replication", "month", "caseload", "social_workers"])


def test_caseload_distribution_shows_shares_of_social_workers_the_22_line_and_the_share_above():
    figure = charts.caseload_distribution(caseloads(), 12, when="2021-03-01")
    assert "month 12 (March 2021)" in " ".join(figure.get_suptitle().split())
    panels = [ax for ax in figure.axes if by_gid_ax(ax, "standard")]
    assert len(panels) == 2
    for ax, name in zip(panels, ("base", "option")):
        within = sum(p.get_height() for p in by_gid_ax(ax, f"within:{name}"))
        above = sum(p.get_height() for p in by_gid_ax(ax, f"above:{name}"))
        assert within == pytest.approx(75.0) and above == pytest.approx(25.0)
        [line] = by_gid_ax(ax, "standard")
        assert 22 < line.get_xdata()[0] < 23
        assert ax.get_title(loc="right") == "25% hold more than 22 children"
        assert ax.get_ylabel() == "% of social workers"
    with pytest.raises(ValueError):
        charts.caseload_distribution(caseloads(), 99)


def by_gid_ax(ax, prefix: str) -> list:
    return [a for a in ax.get_children() if (a.get_gid() or "").startswith(prefix)]


def test_workforce_composition_stacks_staff_and_uncovered_vacant_posts(kpis):
    figure = charts.workforce_composition(kpis, "base")
    layers = by_gid(figure, "layer:")
    assert [layer.get_gid() for layer in layers] == [
        "layer:staff_experienced", "layer:staff_newly_qualified", "layer:staff_agency", "layer:staff_interim",
        "layer:vacant"]
    _, bottom, top = band_edges(layers[-1])
    # month 3: 103 + 10 + 20 + 10 staff; vacant = mean over replications of max(gaps - agency, 0) = 0.9 * 5
    assert top[3] == pytest.approx(143 + 4.5) and bottom[3] == pytest.approx(143)
    assert top[0] - bottom[0] == pytest.approx(4.5)  # replication 0 (gaps 15 < 20 agency) counts 0, not -5
    assert "Base" in figure.get_suptitle()
    assert "vacant posts with no agency cover" in legend_texts(figure)


def test_save_writes_a_300_dpi_png_and_an_svg(tmp_path, kpis):
    from PIL import Image
    png, svg = charts.save(charts.fan_chart(kpis, "average_caseload"), tmp_path / "sub" / "fan")
    assert png.name == "fan.png" and svg.name == "fan.svg"
    with Image.open(png) as image:
        assert image.info["dpi"][0] == pytest.approx(300, abs=1)
        assert image.size[0] == pytest.approx(8 * 300, abs=2)
    assert "<svg" in svg.read_text()[:1000] and "Average caseload" in svg.read_text()


def test_charts_leave_no_pyplot_figures_behind(kpis):
    charts.fan_chart(kpis, "average_caseload")
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert pyplot is None or pyplot.get_fignums() == []


def test_display_names_and_units_read_as_plain_english():
    assert charts.display_name("whole-plan") == "Whole plan"
    assert charts.unit_text("cost_total_gbp") == "£ million"
    assert charts.unit_text("turnover_12m", difference=True) == "percentage points"
    assert charts.month_text(24, "2022-03-01") == "month 24 (March 2022)"
    assert charts.signed(-1.5, 1) == "\u22121.5" and charts.signed(2, 0) == "+2"
    assert charts.signed(-0.3, 0) == "0"  # no "minus nothing"
