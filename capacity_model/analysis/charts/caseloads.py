"""How many children each case-holding social worker holds, against the plan's standard of 22."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from ...measures.kpis import CASELOAD_THRESHOLD
from .style import STYLE, TARGET_COLOUR, display_name, month_text, new_figure


def caseload_distribution(
    caseloads: pd.DataFrame,
    month: int,
    scenarios: Sequence[str] | None = None,
    when: date | str | None = None,
) -> Figure:
    """How many children each case-holding social worker holds at one month (pooled over
    replications, as a % of social workers), with the plan's standard of 22 and the share
    above it, one panel per scenario. ``when``, the month's date, goes in the title."""
    rows = caseloads[caseloads["month"] == month]
    names = list(scenarios) if scenarios is not None else list(dict.fromkeys(rows["scenario"]))
    if not names or any(name not in set(rows["scenario"]) for name in names):
        raise ValueError(f"no caseloads at month {month} for scenarios {names}")
    top = int(max(rows["caseload"].max(), CASELOAD_THRESHOLD + 3))
    with matplotlib.rc_context(STYLE):
        figure = new_figure(8.0, 1.4 + 2.1 * len(names))
        axes = figure.subplots(len(names), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
        for index, (ax, name) in enumerate(zip(axes, names)):
            table = rows[rows["scenario"] == name]
            counts = table.groupby("caseload")["social_workers"].sum().reindex(range(top + 1), fill_value=0)
            share = 100.0 * counts / counts.sum()
            above = float(share[share.index > CASELOAD_THRESHOLD].sum())
            over = share.index > CASELOAD_THRESHOLD
            within = ax.bar(share.index[~over], share[~over], width=0.85, color="#9ecae1", edgecolor="#3b6e8f",
                            linewidth=0.6, label=f"{CASELOAD_THRESHOLD} or fewer children")
            beyond = ax.bar(share.index[over], share[over], width=0.85, color="#D55E00", edgecolor="#7a2e00",
                            linewidth=0.6, hatch="///", label=f"more than {CASELOAD_THRESHOLD}")
            for bar in within:
                bar.set_gid(f"within:{name}")
            for bar in beyond:
                bar.set_gid(f"above:{name}")
            ax.axvline(CASELOAD_THRESHOLD + 0.5, color=TARGET_COLOUR, linestyle=(0, (6, 3)),
                       linewidth=1.5).set_gid("standard")
            reps = table["replication"].nunique()
            ax.set_title(f"{above:.0f}% hold more than {CASELOAD_THRESHOLD} children", loc="right",
                         fontsize=10, fontweight="bold").set_gid(f"share-above:{name}")
            ax.set_title(f"{display_name(name)} ({reps} simulated futures pooled)", loc="left", fontsize=9.5)
            ax.set_ylabel("% of social workers")
            ax.grid(axis="x", visible=False)
            if index == 0:
                ax.legend(loc="upper left", frameon=False)
        axes[-1].set_xlabel(f"Children held (the dashed line is the plan's standard of {CASELOAD_THRESHOLD} or fewer)")
        moment = month_text(month, when) if when is not None else f"month {month}"
        figure.suptitle(f"Caseloads of case-holding social workers at {moment}", x=0.01, ha="left",
                        fontsize=12, fontweight="bold")
    return figure
