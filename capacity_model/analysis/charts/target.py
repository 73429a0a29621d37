"""A target search's evidence: the chance of meeting the target at each level tried, against the lever."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .style import COLOURS, STYLE, TARGET_COLOUR, new_figure, titles


def target_chances(levels: pd.DataFrame, probability: float, lever: str, goal: str,
                   answer: float | None = None) -> Figure:
    """Each level's chance of meeting the target (its last, largest look) with its interval, the
    chance asked for as a line, and the answer marked; ``levels`` as in ``target.csv``, ``goal``
    the target in words (``no child unallocated over 5 working days at month 24``)."""
    if levels.empty:
        raise ValueError("no levels to draw")
    last = levels.drop_duplicates("value", keep="last").sort_values("value")
    x = last["value"].to_numpy(dtype=float)
    chance = 100 * last["chance"].to_numpy(dtype=float)
    low, high = 100 * last["chance_low"].to_numpy(dtype=float), 100 * last["chance_high"].to_numpy(dtype=float)
    with matplotlib.rc_context(STYLE):
        figure = new_figure(8.0, 4.6)
        ax = figure.add_subplot()
        bars = ax.errorbar(x, chance, yerr=[chance - low, high - chance], fmt="o", color=COLOURS[1], capsize=4,
                           elinewidth=2, markersize=7, label="levels tried: chance and its interval")
        bars[0].set_gid("chances")
        line = ax.axhline(100 * probability, color=TARGET_COLOUR, linestyle="--", linewidth=1.5,
                          label=f"the chance asked for: {probability:.0%}")
        line.set_gid("asked")
        if answer is not None:
            at = last[last["value"] == answer]
            ax.plot(at["value"], 100 * at["chance"], marker="*", markersize=16, color=COLOURS[2], linestyle="none",
                    label=f"the least enough: {answer:g}", zorder=5)
        for xi, ci, ni in zip(x, chance, last["replications"]):
            ax.annotate(f"n={ni}", (xi, ci), xytext=(7, 2), textcoords="offset points", ha="left", va="bottom",
                        fontsize=7.5, color="#555555")
        ax.set_ylim(-3, 103)
        ax.set_xlabel(lever)
        ax.set_ylabel("Chance of meeting the target (%)")
        ax.legend(loc="lower right", frameon=False)
        answer_text = (f"the least level enough is {answer:g}" if answer is not None
                       else "no level tried is enough")
        titles(figure, ax, f"{lever}: how many give {goal} in {probability:.0%} of futures?",
               f"Share of simulated futures meeting the target at each level tried, with its interval "
               f"(n: the futures simulated there); {answer_text}.")
        ax.set_xticks(np.unique(x) if len(x) <= 12 else ax.get_xticks())
    return figure
