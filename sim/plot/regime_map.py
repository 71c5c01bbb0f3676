"""The regime map: which equilibrium outcome holds where, over two parameters.

Each region (one outcome, named by the players' choices) gets a colour from
the Okabe-Ito palette, a hatch and a letter at its centre; the boundaries
between regions are drawn as black lines; the legend says each outcome in
words. Built from a sweep over a full grid of two parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.analysis.sweep import parse_outcome, point_outcomes
from sim.plot import outcome_legend, region_letter, region_style
from sim.report.narrate import outcome_label

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from sim.scenario.model import Scenario

__all__ = ["regime_map"]


def regime_map(scenario: Scenario, table: pd.DataFrame, x: str, y: str) -> Figure:
    """A regime map from a sweep over a full grid of ``x`` and ``y``.

    Each grid point is coloured by the set of its equilibria's outcomes: a
    region where equilibria with two outcomes hold is a region of its own,
    named "2 equilibrium outcomes: ... | ...".

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

    first, outcomes = point_outcomes(table)
    xs, column = np.unique(first[x].to_numpy(dtype=np.float64), return_inverse=True)
    ys, row = np.unique(first[y].to_numpy(dtype=np.float64), return_inverse=True)
    # A region is a set of equilibrium outcomes: a point with two equilibria is
    # its own region, named with both, never coloured as the first one listed.
    kinds = list(dict.fromkeys(outcomes))
    kind_of = {outcome: k for k, outcome in enumerate(kinds)}
    labels: dict[str, int] = {}
    code_of_kind = np.array(
        [labels.setdefault(_words(scenario, outcome), len(labels)) for outcome in kinds],
        dtype=np.int64,
    )
    codes = np.full((len(ys), len(xs)), -1, dtype=np.int64)
    codes[np.ravel(row), np.ravel(column)] = code_of_kind[[kind_of[o] for o in outcomes]]
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


def _words(scenario: Scenario, outcome: tuple[str, ...]) -> str:
    """A region's legend: its outcome in words, or "N equilibrium outcomes: a | b"."""
    said = [outcome_label(scenario, parse_outcome(t)) if t else "no equilibrium" for t in outcome]
    if len(said) == 1:
        return said[0]
    return f"{len(said)} equilibrium outcomes: " + " | ".join(said)
