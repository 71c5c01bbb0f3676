"""Figures of one game: the logit QRE branch and the payoff matrix.

- :func:`qre_figure`: each player's action probabilities along the principal
  logit branch, against the precision lambda on a log scale, from nearly
  uniform play to the Nash equilibrium the branch selects (marked at the right).
- :func:`matrix_figure`: the payoff matrix of a two- or three-player normal form
  (one panel per action of the third player), each cell with every player's
  payoff; the cells that are pure Nash equilibria are shaded and outlined.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.plot import HATCHES, PALETTE

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.games.normal_form import NormalFormGame

__all__ = ["matrix_figure", "qre_figure"]

_STYLES = ("-", "--", ":", "-.")


def qre_figure(game: NormalFormGame, *, max_lambda: float | None = None) -> Figure:
    """The principal logit QRE branch: one panel per player, one line per action.

    Examples
    --------
    >>> from sim.games import NormalFormGame
    >>> stag = NormalFormGame.from_matrices([[4, 0], [3, 3]], [[4, 3], [0, 3]],
    ...                                     players=["Seoul", "Tokyo"])
    >>> fig = qre_figure(stag, max_lambda=100)
    >>> [ax.get_title() for ax in fig.axes]
    ['Seoul', 'Tokyo']
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    from sim.solvers.logit import trace_logit_branch

    branch = trace_logit_branch(game, max_lambda=max_lambda)
    lambdas = np.maximum(branch.lambdas, 1e-6)
    fig = Figure(figsize=(9, 3.2 * game.n_players), layout="constrained")
    axes = fig.subplots(game.n_players, 1, sharex=True, squeeze=False)[:, 0]
    start = 0
    for ax, player, actions in zip(axes, game.players, game.actions, strict=True):
        for a, action in enumerate(actions):
            values = branch.probabilities[:, start + a]
            ax.plot(
                lambdas,
                values,
                color=PALETTE[a % len(PALETTE)],
                linestyle=_STYLES[a % len(_STYLES)],
                linewidth=2.2,
                label=action,
            )
            ax.annotate(
                f"{values[-1]:.2f}",
                (lambdas[-1], values[-1]),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
            )
        start += len(actions)
        ax.set_xscale("log")
        ax.set_ylim(-0.03, 1.03)
        ax.set_ylabel("probability")
        ax.set_title(player)
        ax.grid(alpha=0.3)
        ax.legend(loc="center left", fontsize=9)
    # Start a decade before play visibly leaves the uniform mix.
    moved = np.abs(branch.probabilities - branch.probabilities[0]).max(axis=1) > 0.01
    first = lambdas[np.argmax(moved)] if moved.any() else lambdas[-1]
    axes[-1].set_xlim(left=max(lambdas[0], first / 10))
    axes[-1].set_xlabel("precision lambda (log scale): from random play to the Nash limit")
    fig.suptitle(f"{game.title or 'Game'}: the logit QRE branch", fontsize=12)
    return fig


def matrix_figure(game: NormalFormGame) -> Figure:
    """The payoff matrix of a two- or three-player game, pure equilibria marked.

    Examples
    --------
    >>> from sim.games import NormalFormGame
    >>> pd = NormalFormGame.from_matrices([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> fig = matrix_figure(pd)
    >>> len(fig.axes[0].patches)  # one cell is an equilibrium
    1
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    from sim.errors import UsageError
    from sim.solvers.pure_nash import pure_nash_mask

    if game.n_players not in (2, 3):
        raise UsageError(f"the payoff matrix needs 2 or 3 players; the game has {game.n_players}")
    payoffs = game.payoffs if game.n_players == 3 else game.payoffs[..., None]
    mask = pure_nash_mask(game.payoffs)
    mask = mask if game.n_players == 3 else mask[..., None]
    rows, cols, panels = payoffs.shape[1:]
    width = max(7.0, 2.2 * cols * panels + 1.5)
    fig = Figure(figsize=(width, 1.1 * rows + 2.0), layout="constrained")
    axes = fig.subplots(1, panels, squeeze=False)[0]
    for p, ax in enumerate(axes):
        ax.set_xlim(0, cols)
        ax.set_ylim(rows, 0)
        for r in range(rows):
            for c in range(cols):
                if mask[r, c, p]:
                    ax.add_patch(
                        Rectangle(
                            (c, r),
                            1,
                            1,
                            facecolor=PALETTE[2],
                            alpha=0.35,
                            hatch=HATCHES[1],
                            edgecolor="black",
                            linewidth=2.5,
                        )
                    )
                text = ", ".join(f"{v:.4g}" for v in payoffs[:, r, c, p])
                ax.text(
                    c + 0.5,
                    r + 0.5,
                    text,
                    ha="center",
                    va="center",
                    fontsize=10,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 2},
                )
        ax.set_xticks(np.arange(cols) + 0.5, game.actions[1])
        ax.set_yticks(np.arange(rows) + 0.5, game.actions[0])
        ax.set_xticks(np.arange(cols + 1), minor=True)
        ax.set_yticks(np.arange(rows + 1), minor=True)
        ax.grid(which="minor", color="black", linewidth=0.8)
        ax.tick_params(which="minor", length=0)
        ax.xaxis.tick_top()
        ax.set_xlabel(game.players[1])
        ax.xaxis.set_label_position("top")
        ax.set_ylabel(game.players[0])
        if game.n_players == 3:
            ax.set_title(f"{game.players[2]}: {game.actions[2][p]}", y=-0.15)
    import textwrap

    order = ", ".join(game.players)
    title = f"{game.title or 'Game'}: payoffs ({order}); shaded cells are pure equilibria"
    fig.suptitle("\n".join(textwrap.wrap(title, width=int(width * 11))), fontsize=11)
    return fig
