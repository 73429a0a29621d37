"""Options side by side: each option's change from the base, and what it buys for its extra cost."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from ...measures import KPI_BY_ID
from ..tables import MONEY_DIVISOR
from .style import (STYLE, display_name, lower_first, month_text, new_figure, scale, series_style, signed, titles,
                    unit_text)


def _difference_rows(differences: pd.DataFrame, kpi: str, month: int) -> pd.DataFrame:
    rows = differences[(differences["kpi"] == kpi) & (differences["month"] == month)
                       & (differences["scenario"] != differences["base"])]
    rows = rows.dropna(subset=["difference_mean"])
    if rows.empty:
        raise ValueError(f"no differences for {kpi} at month {month}")
    return rows


def option_comparison(differences: pd.DataFrame, kpi: str, month: int) -> Figure:
    """Each option's paired difference from the base in one KPI at one month, with its 95%
    interval and a line at no change, so a board can see which options clearly help."""
    rows = _difference_rows(differences, kpi, month)
    definition = KPI_BY_ID[kpi]
    divisor = scale(kpi)
    base = display_name(rows["base"].iloc[0])
    decimals = 2 if divisor != 1 else definition.decimals
    with matplotlib.rc_context(STYLE):
        figure = new_figure(8.0, 1.9 + 0.55 * len(rows))
        ax = figure.add_subplot()
        y = np.arange(len(rows))[::-1]
        mean = rows["difference_mean"].to_numpy() / divisor
        low = rows["difference_ci_low"].to_numpy() / divisor
        high = rows["difference_ci_high"].to_numpy() / divisor
        bars = ax.errorbar(mean, y, xerr=[mean - low, high - mean], fmt="o", color="#0072B2", ecolor="#0072B2",
                           elinewidth=2.5, capsize=5, markersize=7, label="mean difference and 95% interval")
        bars[0].set_gid("differences")
        zero = ax.axvline(0, color="#222222", linewidth=1.2)
        zero.set_gid("zero")
        for yi, m, lo, hi in zip(y, mean, low, high):
            ax.annotate(f"{signed(m, decimals)} ({signed(lo, decimals)} to {signed(hi, decimals)})", (hi, yi),
                        xytext=(8, 0), textcoords="offset points", va="center", fontsize=8.5)
        ax.set_yticks(y, [display_name(s) for s in rows["scenario"]])
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.margins(x=0.3)
        ax.grid(axis="y", visible=False)
        unit = unit_text(kpi, difference=True)
        ax.set_xlabel(f"Difference from {base} ({unit})")
        better_left = definition.better == "lower"
        ax.annotate(f"← {'fewer / lower: better' if better_left else 'fewer / lower: worse'}", (0, 0),
                    xycoords="axes fraction", xytext=(0, -34), textcoords="offset points", fontsize=8,
                    color="#444444", ha="left", va="top")
        ax.annotate(f"{'more / higher: worse' if better_left else 'more / higher: better'} →", (1, 0),
                    xycoords="axes fraction", xytext=(0, -34), textcoords="offset points", fontsize=8,
                    color="#444444", ha="right", va="top")
        replications = int(rows["replications"].min())
        titles(figure, ax, f"{definition.label}: change from {base} at {month_text(month, rows['date'].iloc[0])}",
                f"Mean difference over {replications} paired simulated futures, with its 95% confidence interval; "
                "an interval that crosses zero means no clear change", per_inch=10.0)
    return figure


def cost_effect(differences: pd.DataFrame, kpi: str, month: int) -> Figure:
    """Each option's extra cost since the start date against its improvement in a KPI,
    with 95% intervals both ways: what each option buys, and for how much."""
    if kpi == "cost_cumulative_gbp":
        raise ValueError("choose a KPI other than the cost itself")
    effect = _difference_rows(differences, kpi, month).set_index("scenario")
    cost = _difference_rows(differences, "cost_cumulative_gbp", month).set_index("scenario")
    names = [name for name in effect.index if name in cost.index]
    definition = KPI_BY_ID[kpi]
    sign = -1.0 if definition.better == "lower" else 1.0
    base = display_name(effect["base"].iloc[0])
    labels = []
    with matplotlib.rc_context(STYLE):
        figure = new_figure(8.0, 5.5)
        ax = figure.add_subplot()
        for index, name in enumerate(names):
            x = cost.loc[name, ["difference_mean", "difference_ci_low", "difference_ci_high"]].to_numpy(float)
            y = sign * effect.loc[name, ["difference_mean", "difference_ci_low", "difference_ci_high"]].to_numpy(float)
            x = x / MONEY_DIVISOR
            y = y / scale(kpi)
            style = series_style(index + 1)
            bars = ax.errorbar(x[0], y[0], xerr=[[x[0] - x[1]], [x[2] - x[0]]],
                               yerr=[[y[0] - min(y[1], y[2])], [max(y[1], y[2]) - y[0]]],
                               fmt=style["marker"], color=style["color"], markersize=8, elinewidth=1.8, capsize=4)
            bars[0].set_gid(f"option:{name}")
            labels.append(ax.annotate(display_name(name), (x[0], y[0]), xytext=(7, 7), textcoords="offset points",
                                      fontsize=9, color=style["color"], fontweight="bold"))
        ax.axhline(0, color="#222222", linewidth=1).set_gid("zero-effect")
        ax.axvline(0, color="#222222", linewidth=1).set_gid("zero-cost")
        ax.margins(0.2)
        word = "Reduction in" if definition.better == "lower" else "Increase in"
        ax.set_ylabel(f"{word} {lower_first(definition.label)}\n({unit_text(kpi, difference=True)}; up is better)")
        ax.set_xlabel("Extra workforce cost since the start date (£ million; further right costs more)")
        when = month_text(month, effect["date"].iloc[0])
        titles(figure, ax, f"What each option buys: effect against extra cost at {when}",
                f"Paired differences from {base}, mean with 95% confidence intervals both ways")
        _spread(figure, labels)
    return figure


LABEL_PLACES = ((7, 6, "left"), (7, -16, "left"), (-7, 6, "right"), (-7, -16, "right"),
                (7, 20, "left"), (7, -30, "left"), (-7, 20, "right"), (-7, -30, "right"))
"""Offsets (points) and alignments tried in turn for a point's label."""


def _spread(figure: Figure, labels: list) -> None:
    """Place each point's label at the first of ``LABEL_PLACES`` inside the chart where it
    overlaps no other label and no point, so close options stay readable."""
    renderer = figure.canvas.get_renderer()
    figure.draw_without_rendering()
    ax = labels[0].axes if labels else None
    points = []
    for label in labels:
        x, y = ax.transData.transform(label.xy)
        points.append(Bbox.from_extents(x - 6, y - 6, x + 6, y + 6))
    frame = ax.get_window_extent(renderer) if ax else None
    placed: list = []
    for label in labels:
        for dx, dy, align in LABEL_PLACES:
            label.xyann, _ = (dx, dy), label.set_horizontalalignment(align)
            box = label.get_window_extent(renderer)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not any(box.overlaps(other) for other in [*placed, *points]):
                break
        else:
            label.xyann, _ = LABEL_PLACES[0][:2], label.set_horizontalalignment("left")
        placed.append(label.get_window_extent(renderer))
