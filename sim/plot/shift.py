"""The shift plot: how the equilibrium changes along one parameter.

Top panel: one band per outcome along the parameter, each with its colour,
hatch and a letter; the legend says each outcome in words (the players'
choices, chance left out); every threshold is a dashed line with its value.
Middle panel, when some probability moves along the parameter: each moving
probability as a curve, such as the chance that the court's sale completes or
a mixing player's share, because such a change is continuous, not a regime
boundary. Bottom panel: each player's equilibrium payoff along the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sim.analysis.sweep import parse_outcome, point_outcomes
from sim.plot import PALETTE, outcome_legend, region_letter, region_style
from sim.report.narrate import outcome_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.scenario.model import Scenario

__all__ = ["moving_probabilities", "save_figure", "shift_figure", "shift_from_table"]

#: At most this many probability curves are drawn (the largest movements first).
MAX_CURVES = 6


def moving_probabilities(moves: Mapping[str, Sequence[str]]) -> dict[str, npt.NDArray[np.float64]]:
    """The probabilities in a sweep's move columns that change along it, as curves.

    ``moves`` maps each ``move_<name>`` column to its text at each point
    (``"completes=0.6; stalls=0.4"``, an action, or empty). A curve is
    ``P(move=action)`` given the move is reached; for a move with two actions
    only the first is drawn (the other is its complement). Curves that stay
    flat are left out.

    Examples
    --------
    >>> curves = moving_probabilities({"move_liquidation": ["completes=0.2; stalls=0.8",
    ...                                                     "completes=0.7; stalls=0.3"],
    ...                                "move_summit": ["skip", "skip"]})
    >>> {k: v.tolist() for k, v in curves.items()}
    {'P(liquidation=completes)': [0.2, 0.7]}
    """
    curves: dict[str, npt.NDArray[np.float64]] = {}
    for column, texts in moves.items():
        shares = [
            {a: float(p) for a, p in (part.split("=", 1) for part in text.split("; "))}
            if "=" in text
            else {}
            for text in texts
        ]
        actions = list(dict.fromkeys(a for share in shares for a in share))
        if not actions:
            continue
        move = column.removeprefix("move_")
        for action in actions[:1] if len(actions) == 2 else actions:
            values = np.array([share.get(action, np.nan) for share in shares])
            if np.nanmax(values) - np.nanmin(values) > 1e-9:
                curves[f"P({move}={action})"] = values
    ranked = sorted(curves, key=lambda k: -(np.nanmax(curves[k]) - np.nanmin(curves[k])))
    return {k: curves[k] for k in ranked[:MAX_CURVES]}


def shift_figure(
    scenario: Scenario,
    parameter: str,
    bands: Sequence[tuple[float, float, Mapping[str, str] | Sequence[Mapping[str, str]]]],
    thresholds: Sequence[float],
    x: npt.ArrayLike,
    payoffs: Mapping[str, npt.ArrayLike],
    *,
    title: str | None = None,
    probabilities: Mapping[str, npt.ArrayLike] | None = None,
) -> Figure:
    """Outcome bands along a parameter, thresholds marked, each player's payoff beneath.

    Parameters
    ----------
    scenario
        For names and phrases.
    parameter
        The varied parameter.
    bands
        ``(low, high, play)`` for each stretch with one outcome; ``play`` is a
        sequence of plays where the stretch has several equilibria, and its
        region is then named "N equilibrium outcomes: ... | ...".
    thresholds
        Where the outcome changes.
    x, payoffs
        The parameter values and ``{player name: payoff at each value}``.
    probabilities
        ``{label: probability at each value}`` for probabilities that move
        (:func:`moving_probabilities`); drawn in a panel of their own.

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

    def words(play: Mapping[str, str] | Sequence[Mapping[str, str]]) -> str:
        if isinstance(play, Mapping):
            return outcome_label(scenario, play)
        if len(play) == 1:
            return outcome_label(scenario, play[0])
        named = " | ".join(outcome_label(scenario, p) for p in play)
        return f"{len(play)} equilibrium outcomes: {named}"

    labels: dict[str, int] = {}
    for _, _, path in bands:
        labels.setdefault(words(path), len(labels))
    curves = dict(probabilities or {})
    if curves:
        fig = Figure(figsize=(9, 8.4), layout="constrained")
        top, middle, bottom = fig.subplots(
            3, 1, sharex=True, gridspec_kw={"height_ratios": [1, 1.6, 2.2]}
        )
        _curves(middle, np.asarray(x, dtype=np.float64), curves, "probability", first=1)
        middle.set_ylim(-0.03, 1.03)
    else:
        fig = Figure(figsize=(9, 6.2), layout="constrained")
        top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 2.2]})
    for low, high, path in bands:
        k = labels[words(path)]
        top.axvspan(low, high, linewidth=0.6, alpha=0.85, **region_style(k))
        region_letter(top, (low + high) / 2, 0.5, k)
    for value in thresholds:
        for ax in fig.axes:
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
    _curves(bottom, np.asarray(x, dtype=np.float64), payoffs, "equilibrium payoff", first=4)
    bottom.set_xlabel(parameter)
    xs_min, xs_max = (min(b[0] for b in bands), max(b[1] for b in bands)) if bands else (0, 1)
    bottom.set_xlim(xs_min, xs_max)
    fig.suptitle(title or f"{scenario.title}: the equilibrium along {parameter}", fontsize=12)
    return fig


def _curves(
    ax: object,
    xs: npt.NDArray[np.float64],
    curves: Mapping[str, npt.ArrayLike],
    label: str,
    *,
    first: int,
) -> None:
    """Curves along the parameter, each in its own colour (from ``first``) and dash."""
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    styles = ["-", "--", ":", "-."]
    for k, (name, values) in enumerate(curves.items()):
        ax.plot(
            xs,
            np.asarray(values, dtype=np.float64),
            color=PALETTE[(k + first) % len(PALETTE)],
            linestyle=styles[k % len(styles)],
            linewidth=2.2,
            label=name,
        )
    ax.set_ylabel(label)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=10)


def shift_from_table(scenario: Scenario, table: object, parameter: str) -> Figure:
    """The shift plot of a one-parameter sweep table (thresholds at grid resolution).

    A threshold is drawn midway between the two grid points whose outcomes
    (the set of their equilibria's) differ; ``sim shifts --plot`` locates them
    by bisection instead.
    """
    import pandas as pd

    assert isinstance(table, pd.DataFrame)
    # A point's outcome is the set of its equilibria's outcomes, in listed order.
    first, outcomes = point_outcomes(table)
    xs = first[parameter].to_numpy(dtype=np.float64)
    cuts = [k for k in range(1, len(xs)) if outcomes[k] != outcomes[k - 1]]
    thresholds = [(xs[k - 1] + xs[k]) / 2 for k in cuts]
    edges = [float(xs[0]), *thresholds, float(xs[-1])]
    starts = [0, *cuts]
    bands = [
        (edges[j], edges[j + 1], [parse_outcome(text) for text in outcomes[starts[j]]])
        for j in range(len(edges) - 1)
    ]
    names = {p.id: p.name for p in scenario.players}
    payoffs = {
        names[pid]: first[f"payoff_{pid}"].to_numpy(dtype=np.float64) for pid in scenario.player_ids
    }
    moves = {c: first[c].fillna("").astype(str).to_list() for c in first if c.startswith("move_")}
    curves = moving_probabilities(moves)
    return shift_figure(scenario, parameter, bands, thresholds, xs, payoffs, probabilities=curves)


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
