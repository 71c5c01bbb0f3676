"""The shift plot: how the equilibrium changes along one parameter.

Top panel: one band per outcome along the parameter, each with its colour,
hatch and a letter; the legend says each outcome in words (the players'
choices, chance left out); every threshold is a dashed line with its value.
Bottom panel: each player's equilibrium payoff along the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sim.analysis.sweep import first_equilibria, parse_outcome
from sim.plot import PALETTE, outcome_legend, region_letter, region_style
from sim.report.narrate import outcome_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.scenario.model import Scenario

__all__ = ["save_figure", "shift_figure", "shift_from_table"]


def shift_figure(
    scenario: Scenario,
    parameter: str,
    bands: Sequence[tuple[float, float, Mapping[str, str]]],
    thresholds: Sequence[float],
    x: npt.ArrayLike,
    payoffs: Mapping[str, npt.ArrayLike],
    *,
    title: str | None = None,
) -> Figure:
    """Outcome bands along a parameter, thresholds marked, each player's payoff beneath.

    Parameters
    ----------
    scenario
        For names and phrases.
    parameter
        The varied parameter.
    bands
        ``(low, high, play path)`` for each stretch with one outcome.
    thresholds
        Where the outcome changes.
    x, payoffs
        The parameter values and ``{player name: payoff at each value}``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> fig = shift_figure(scenario, "us_alliance_priority",
    ...                    [(0, 0.6, {"stance": "proceed"}), (0.6, 2, {"stance": "fund"})],
    ...                    [0.6], [0, 1, 2], {"Seoul": [0.3, 0.2, 3.0]})
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['outcome', 'equilibrium payoff']
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    labels: dict[str, int] = {}
    for _, _, path in bands:
        labels.setdefault(outcome_label(scenario, path), len(labels))
    fig = Figure(figsize=(9, 6.2), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 2.2]})
    for low, high, path in bands:
        k = labels[outcome_label(scenario, path)]
        top.axvspan(low, high, linewidth=0.6, alpha=0.85, **region_style(k))
        region_letter(top, (low + high) / 2, 0.5, k)
    for value in thresholds:
        for ax in (top, bottom):
            ax.axvline(value, color="black", linestyle="--", linewidth=1.2)
        top.annotate(
            f"{value:.4g}",
            (value, 1.0),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=10,
        )
    top.set_yticks([])
    top.set_ylabel("outcome")
    top.set_ylim(0, 1)
    outcome_legend(top, labels, below=-0.02)
    xs = np.asarray(x, dtype=np.float64)
    styles = ["-", "--", ":", "-."]
    for k, (name, values) in enumerate(payoffs.items()):
        bottom.plot(
            xs,
            np.asarray(values, dtype=np.float64),
            color=PALETTE[(k + 4) % len(PALETTE)],
            linestyle=styles[k % len(styles)],
            linewidth=2.2,
            label=name,
        )
    bottom.set_xlabel(parameter)
    bottom.set_ylabel("equilibrium payoff")
    bottom.grid(alpha=0.3)
    bottom.legend(loc="best", fontsize=10)
    xs_min, xs_max = (min(b[0] for b in bands), max(b[1] for b in bands)) if bands else (0, 1)
    bottom.set_xlim(xs_min, xs_max)
    fig.suptitle(title or f"{scenario.title}: the equilibrium along {parameter}", fontsize=12)
    return fig


def shift_from_table(scenario: Scenario, table: object, parameter: str) -> Figure:
    """The shift plot of a one-parameter sweep table (thresholds at grid resolution).

    A threshold is drawn midway between the two grid points whose outcomes
    differ; ``sim shifts --plot`` locates them by bisection instead.
    """
    import pandas as pd

    assert isinstance(table, pd.DataFrame)
    first = first_equilibria(table)
    xs = first[parameter].to_numpy(dtype=np.float64)
    outcomes = first["outcome"].to_list()
    cuts = [k for k in range(1, len(xs)) if outcomes[k] != outcomes[k - 1]]
    thresholds = [(xs[k - 1] + xs[k]) / 2 for k in cuts]
    edges = [float(xs[0]), *thresholds, float(xs[-1])]
    starts = [0, *cuts]
    bands = [
        (edges[j], edges[j + 1], parse_outcome(outcomes[starts[j]])) for j in range(len(edges) - 1)
    ]
    names = {p.id: p.name for p in scenario.players}
    payoffs = {
        names[pid]: first[f"payoff_{pid}"].to_numpy(dtype=np.float64) for pid in scenario.player_ids
    }
    return shift_figure(scenario, parameter, bands, thresholds, xs, payoffs)


def save_figure(fig: Figure, out: str) -> None:
    """Write a figure as PNG, SVG or PDF (by the suffix), whole or not at all."""
    import io
    from pathlib import Path

    from sim.errors import UsageError
    from sim.files import write_atomically

    suffix = Path(out).suffix.lower()
    if suffix not in (".png", ".svg", ".pdf"):
        raise UsageError(f"{out}: expected a .png, .svg or .pdf file name")
    image = io.BytesIO()
    fig.savefig(image, format=suffix[1:], dpi=150)
    write_atomically(out, image.getvalue())
