"""The regime map: which equilibrium outcome holds where, over two parameters.

Each region (one outcome, named by the players' choices) gets a colour from
the Okabe-Ito palette, a hatch and a letter at its centre; the boundaries
between regions are drawn as black lines; the legend says each outcome in
words. Built from a sweep over a full grid of two parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.analysis.sweep import first_equilibria, parse_outcome
from sim.plot import outcome_legend, region_letter, region_style
from sim.report.narrate import outcome_label

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from sim.scenario.model import Scenario

__all__ = ["regime_map"]


def regime_map(scenario: Scenario, table: pd.DataFrame, x: str, y: str) -> Figure:
    """A regime map from a sweep over a full grid of ``x`` and ``y``.

    Each grid point is coloured by the outcome of its first equilibrium.

    Examples
    --------
    >>> import sim
    >>> scenario = sim.load_scenario("scenarios/baseline_nov2020.toml")
    >>> table = sim.sweep(scenario, {"us_alliance_priority": (0, 2, 9),
    ...                              "seoul_audience_cost": (0, 10, 6)}, workers=1)
    >>> fig = regime_map(scenario, table, "us_alliance_priority", "seoul_audience_cost")
    >>> fig.axes[0].get_xlabel(), len(fig.axes[0].get_legend().get_texts()) >= 2
    ('us_alliance_priority', True)
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    first = first_equilibria(table)
    xs = np.unique(first[x].to_numpy(dtype=np.float64))
    ys = np.unique(first[y].to_numpy(dtype=np.float64))
    labels: dict[str, int] = {}
    codes = np.full((len(ys), len(xs)), -1, dtype=np.int64)
    column = {v: k for k, v in enumerate(xs.tolist())}
    row = {v: k for k, v in enumerate(ys.tolist())}
    for xv, yv, text in zip(first[x], first[y], first["outcome"], strict=True):
        label = outcome_label(scenario, parse_outcome(text)) if text else "no equilibrium"
        code = labels.setdefault(label, len(labels))
        codes[row[float(yv)], column[float(xv)]] = code
    fig = Figure(figsize=(9, 6.5), layout="constrained")
    ax = fig.subplots()
    # One binary field per outcome, so that interpolation between two regions can
    # never invent a sliver of a third one between them.
    for k in labels.values():
        inside = (codes == k).astype(np.float64)
        style = region_style(k)
        ax.contourf(
            xs,
            ys,
            inside,
            levels=[0.5, 1.5],
            colors=[style["facecolor"]],
            hatches=[style["hatch"]],
            alpha=0.85,
        )
        if len(labels) > 1:
            ax.contour(xs, ys, inside, levels=[0.5], colors="black", linewidths=1.2)
    for k in labels.values():
        where = np.argwhere(codes == k)
        cy, cx = where.mean(axis=0)
        region_letter(
            ax, np.interp(cx, np.arange(len(xs)), xs), np.interp(cy, np.arange(len(ys)), ys), k
        )
    outcome_legend(ax, labels, below=-0.1)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    fig.suptitle(f"{scenario.title}: equilibrium regimes", fontsize=12)
    return fig
