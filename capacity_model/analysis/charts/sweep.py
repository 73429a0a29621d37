"""Sweeps: a KPI across the values of one or two parameters, as lines with intervals or a heatmap.

Both take a sweep's ``summary`` table (a row per point, KPI and month, with a column per
parameter named by its dotted path) and ``labels``, the parameters in plain words (the
sweep layer above knows them; the name itself is shown where none is given).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.transforms import ScaledTranslation

from ...measures import KPI_BY_ID
from ..tables import display_unit
from .style import STYLE, TARGET_COLOUR, lower_first, month_text, new_figure, scale, series_style, titles, unit_text

VALUES = ("mean", "p_meets_target")
"""What a heatmap can show: the KPI's mean, or the chance of meeting the plan's target."""
DODGE_INCHES = 0.05
"""How far apart (inches) the lines' points at one value are drawn, so their intervals do not hide each other."""


def value_text(value: object) -> str:
    """A parameter's value as people read it: ``70``, ``0.5``, ``hard cap``."""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return f"{float(value):,.0f}" if float(value).is_integer() else f"{float(value):,.4g}"
    return str(value).replace("_", " ")


def _label(labels: Mapping[str, str] | None, name: str) -> str:
    return (labels or {}).get(name, name)


def _wrapped(text: str, width: float) -> str:
    """``text`` in lines of at most ``width`` characters (a long label must not run off the chart)."""
    return "\n".join(textwrap.fill(line, max(12, int(width)), break_long_words=False) for line in text.split("\n"))


def _rows(summary: pd.DataFrame, kpi: str, month: int, parameters: list[str]) -> pd.DataFrame:
    """The summary's rows for one KPI and month, checked to hold one row per point."""
    if kpi not in KPI_BY_ID:
        raise ValueError(f"unknown KPI {kpi!r}")
    missing = [name for name in parameters if name not in summary.columns]
    if missing:
        raise ValueError(f"the summary has no parameter {', '.join(map(repr, missing))} "
                         f"(its columns: {', '.join(map(str, summary.columns))})")
    rows = summary[(summary["kpi"] == kpi) & (summary["month"] == month)]
    if rows.empty:
        held = sorted(set(summary.loc[summary["kpi"] == kpi, "month"]))
        raise ValueError(f"no {kpi} results at month {month} in the summary"
                         + (f" (it has month{'s' if len(held) > 1 else ''} {', '.join(map(str, held))})" if held
                            else " (not a KPI of this sweep)"))
    if rows.duplicated(subset=parameters).any():
        raise ValueError(f"several points share each value of {', '.join(parameters)}: other parameters vary too, "
                         "so choose the rows with one value of each of them first")
    return rows


def _axis_text(kpi: str) -> str:
    if KPI_BY_ID[kpi].unit == "%":
        return "Per cent"
    text = unit_text(kpi)
    return text[:1].upper() + text[1:]


def _better(kpi: str) -> str:
    return "lower is better" if KPI_BY_ID[kpi].better == "lower" else "higher is better"


def _futures(rows: pd.DataFrame) -> str:
    low, high = int(rows["replications"].min()), int(rows["replications"].max())
    return f"{low} simulated futures" if low == high else f"{low} to {high} simulated futures"


def sweep_lines(
    summary: pd.DataFrame,
    kpi: str,
    month: int,
    x: str,
    by: str | None = None,
    labels: Mapping[str, str] | None = None,
    join: bool = True,
) -> Figure:
    """A KPI's mean at one month against parameter ``x``, with its 95% confidence interval
    as error bars, one line per value of parameter ``by`` (if given) and the plan's target.

    ``labels`` maps dotted parameter names to plain words. ``join=False`` draws the points
    without joining them (for a Latin hypercube, whose points do not lie on lines).
    """
    rows = _rows(summary, kpi, month, [x] + ([by] if by else []))
    definition = KPI_BY_ID[kpi]
    divisor = scale(kpi)
    numeric = pd.api.types.is_numeric_dtype(rows[x])
    positions = None if numeric else {v: i for i, v in enumerate(dict.fromkeys(rows[x]))}
    groups = [(None, rows)] if by is None else list(rows.groupby(by, sort=True))
    with matplotlib.rc_context(STYLE):
        figure = new_figure(8.0, 4.8 + 0.1 * max(0, len(groups) - 4))
        ax = figure.add_subplot()
        for index, (value, group) in enumerate(groups):
            group = group.sort_values(x, kind="stable")
            xs = group[x].to_numpy(float) if numeric else group[x].map(positions).to_numpy(float)
            mean, low, high = (group[c].to_numpy(float) / divisor for c in ("mean", "ci_low", "ci_high"))
            shift = (index - (len(groups) - 1) / 2) * DODGE_INCHES
            style = series_style(index + (by is None))
            bars = ax.errorbar(xs, mean, yerr=[np.nan_to_num(mean - low), np.nan_to_num(high - mean)],
                               color=style["color"], marker=style["marker"],
                               linestyle=style["linestyle"] if join else "none", linewidth=2, markersize=6,
                               elinewidth=1.3, capsize=4,
                               label=value_text(value) if by is not None else "mean and 95% interval",
                               transform=ax.transData + ScaledTranslation(shift, 0, figure.dpi_scale_trans))
            bars[0].set_gid(f"line:{value_text(value)}" if by is not None else "line")
            # drawn shifted (a transform), so the data limits are told of the points themselves
            ax.update_datalim(np.column_stack([np.tile(xs, 3), np.concatenate([mean, low, high])]))
        ax.autoscale_view()
        if definition.target is not None:
            target = ax.axhline(definition.target / divisor, color=TARGET_COLOUR, linewidth=1.5,
                                linestyle=(0, (6, 3)), label=f"plan target: {definition.target_text}")
            target.set_gid("target")
        if numeric and rows[x].nunique() <= 12:
            ticks = sorted(set(rows[x]))
            ax.set_xticks(ticks, [value_text(v) for v in ticks])
        elif not numeric:
            ax.set_xticks(list(positions.values()), [value_text(v) for v in positions])
        ax.margins(x=0.06)
        if definition.unit == "%":
            ax.set_ylim(top=min(105.0, ax.get_ylim()[1]))
        ax.set_xlabel(_wrapped(_label(labels, x), 80))
        ax.set_ylabel(_wrapped(f"{_axis_text(kpi)}, {_better(kpi)}", 45))
        handles, names = ax.get_legend_handles_labels()
        order = sorted(range(len(names)), key=lambda i: names[i].startswith("plan target"))  # the target last
        title = _wrapped(_label(labels, by), 34) if by is not None else None
        legend = ax.legend([handles[i] for i in order], [names[i] for i in order], title=title, frameon=False,
                           loc="upper left", bbox_to_anchor=(1.01, 1.0), alignment="left")
        legend.set_gid("legend")
        what = f"; a line for each value of {_label(labels, by)}" if by is not None else (
            "; other parameters vary from point to point too" if not join else "")
        titles(figure, ax, f"{definition.label} at {month_text(month, rows['date'].iloc[0])}",
               f"Against {_label(labels, x)}: each point's mean of {_futures(rows)}; error bars show the 95% "
               f"intervals{what}", per_inch=9.0)
    return figure


def sweep_heatmap(
    summary: pd.DataFrame,
    kpi: str,
    month: int,
    x: str,
    y: str,
    value: str = "mean",
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """A KPI at one month over two parameters: a cell per point, coloured and labelled with
    the KPI's mean, or (``value="p_meets_target"``) the chance of meeting the plan's target
    (0 to 100%). Lighter cells are always better, and the colour bar says which way that is.

    The image's array (gid ``cells``) has a row per value of ``y`` and a column per value
    of ``x``, both ascending (the lowest ``y`` at the bottom).
    """
    if value not in VALUES:
        raise ValueError(f"value must be one of {', '.join(VALUES)}, not {value!r}")
    if x == y:
        raise ValueError("choose two different parameters for a heatmap")
    rows = _rows(summary, kpi, month, [x, y])
    definition = KPI_BY_ID[kpi]
    chance = value == "p_meets_target"
    if chance and (definition.target is None or "p_meets_target" not in rows.columns):
        raise ValueError(f"{kpi} ({definition.label}) has no plan target, so there is no chance of meeting it")
    grid = rows.pivot(index=y, columns=x, values=value).sort_index().sort_index(axis=1)
    if chance:
        cells, decimals, norm = 100.0 * grid.to_numpy(float), 0, Normalize(0.0, 100.0)
        higher_better = True
    else:
        _, divisor, decimals = display_unit(kpi)
        cells = grid.to_numpy(float) / divisor
        finite = cells[np.isfinite(cells)]
        low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
        norm = Normalize(low, high if high > low else low + 1.0)
        higher_better = definition.better == "higher"
    colours = matplotlib.colormaps["viridis" if higher_better else "viridis_r"].with_extremes(bad="#eeeeee")
    ny, nx = cells.shape
    with matplotlib.rc_context(STYLE):
        height = min(9.0, max(4.4, 2.6 + 0.55 * ny))
        figure = new_figure(8.0, height)
        ax = figure.add_subplot()
        image = ax.imshow(np.ma.masked_invalid(cells), cmap=colours, norm=norm, origin="lower", aspect="auto",
                          interpolation="nearest")
        image.set_gid("cells")
        size = 10 if nx <= 6 else 8.5 if nx <= 10 else 7
        for (i, j), number in np.ndenumerate(cells):
            if np.isfinite(number):
                red, green, blue, _ = colours(norm(number))
                dark = 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.45
                text = f"{number:,.{decimals}f}".replace("-", "\u2212") + ("%" if chance else "")
            else:
                dark, text = False, "no result"
            ax.text(j, i, text, ha="center", va="center", fontsize=size, color="white" if dark else "#111111",
                    fontweight="bold" if np.isfinite(number) else "normal").set_gid(f"cell:{i}:{j}")
        ax.set_xticks(range(nx), [value_text(v) for v in grid.columns])
        ax.set_yticks(range(ny), [value_text(v) for v in grid.index])
        ax.grid(False)
        ax.tick_params(length=0)
        for side in ("top", "right"):
            ax.spines[side].set_visible(True)
        ax.set_xlabel(_wrapped(_label(labels, x), 80))
        ax.set_ylabel(_wrapped(_label(labels, y), (height - 1.6) * 13))
        what = "% of simulated futures\nmeeting the target" if chance else (
            f"Mean, {'%' if definition.unit == '%' else unit_text(kpi)}")
        bar = figure.colorbar(image, ax=ax, shrink=0.85, pad=0.02)
        bar.set_label(_wrapped(f"{what}\nlighter is better ({'higher' if higher_better else 'lower'})",
                               (height - 1.6) * 10))
        bar.ax.set_gid("colour-bar")
        ends = (("worse", "better") if higher_better else ("better", "worse"))
        for where, word in zip((0.0, 1.0), ends):
            bar.ax.annotate(word, (0.5, where), xycoords="axes fraction", xytext=(0, -9 if where == 0.0 else 9),
                            textcoords="offset points", ha="center", va="top" if where == 0.0 else "bottom",
                            fontsize=8, color="#444444", fontweight="bold").set_gid(f"end:{word}")
        when = month_text(month, rows["date"].iloc[0])
        if chance:
            title = f"Chance of meeting the target for {lower_first(definition.label)} at {when}"
            subtitle = (f"Share of {_futures(rows)} at each point meeting the plan's target: "
                        f"{definition.target_text}. The 95% intervals are in the tables")
        else:
            title = f"{definition.label} at {when}"
            subtitle = f"Mean of {_futures(rows)} at each point; the 95% intervals are in the tables"
        titles(figure, ax, title, subtitle, per_inch=10.0)
    return figure
