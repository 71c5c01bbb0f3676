"""How often each equilibrium outcome occurs over a sweep, with confidence intervals.

:func:`probability_figure` draws the table of
:func:`~sim.analysis.monte_carlo.outcome_probabilities` as horizontal bars,
most probable first: each bar carries the outcome's colour, hatch and letter
(the same style as the shift plot and the regime map), a whisker for its
Wilson interval and its percentage written out, with the outcome in words
beside it.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np

from sim.plot import outcome_legend, region_style

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["probability_figure"]


def probability_figure(
    probabilities: pd.DataFrame,
    *,
    title: str = "Outcome probabilities",
    confidence: float = 0.95,
    what: str = "draws",
) -> Figure:
    """Bars of each outcome's probability with its confidence interval.

    Parameters
    ----------
    probabilities
        The table of :func:`~sim.analysis.monte_carlo.outcome_probabilities`:
        columns ``outcome``, ``points``, ``probability``, ``low`` and ``high``.
    title
        The figure's title.
    confidence
        The intervals' level, for the axis label.
    what
        What the points are (``"draws"`` for Monte Carlo, ``"points"`` for a grid).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"outcome": ["deal", "stalemate"], "points": [30, 70],
    ...                       "probability": [0.3, 0.7], "low": [0.22, 0.6],
    ...                       "high": [0.4, 0.78]})
    >>> fig = probability_figure(table)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['A', 'B']
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    ordered = probabilities.sort_values("probability", ascending=False, kind="stable")
    n = len(ordered)
    total = int(ordered["points"].sum())
    labels = {
        "\n".join(textwrap.wrap(str(text) or "(no equilibrium)", width=110)): k
        for k, text in enumerate(ordered["outcome"])
    }
    lines = sum(text.count("\n") + 1 for text in labels)
    fig = Figure(figsize=(10.0, 1.9 + 0.55 * n + 0.22 * lines), layout="constrained")
    ax = fig.add_subplot()
    rows = np.arange(n)
    share = ordered["probability"].to_numpy() * 100
    low = ordered["low"].to_numpy() * 100
    high = ordered["high"].to_numpy() * 100
    for k, (row, value) in enumerate(zip(rows, share, strict=True)):
        ax.barh(row, value, height=0.65, linewidth=1.2, **region_style(k))
    ax.errorbar(
        share,
        rows,
        xerr=[share - low, high - share],
        fmt="none",
        ecolor="black",
        elinewidth=1.5,
        capsize=5,
    )
    for row, value, top, count in zip(rows, share, high, ordered["points"], strict=True):
        ax.text(
            top + 1.5,
            float(row),
            f"{value:.1f}%  ({count:,} of {total:,})",
            va="center",
            ha="left",
            fontsize=10,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
        )
    ax.set_yticks(rows, [chr(ord("A") + k) for k in range(n)], fontsize=12, fontweight="bold")
    ax.set_ylim(n - 0.4, -0.6)
    ax.set_xlim(0, 125)
    ax.set_xticks(np.arange(0, 101, 20))
    ax.set_xlabel(f"share of {what} (%), with {confidence:.0%} Wilson intervals")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    outcome_legend(ax, labels, below=-0.2)
    return fig
