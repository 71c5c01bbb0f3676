"""The game tree with an equilibrium's play highlighted.

:func:`tree_figure` draws a tree from left to right: each player's decision
nodes are circles in that player's colour, chance nodes white diamonds, and
the actions label the branches. The branches played in the equilibrium are
thick and black; the others are thin, grey and dashed, so the path reads in
black-and-white print too. Nodes of one information set are joined by a dotted
line (what the mover cannot tell apart).

A tree with more than :data:`FULL_TREE_LIMIT` outcomes is drawn *collapsed*:
only the nodes play reaches and, at each, the alternatives one step away. An
alternative that leads to more play is drawn as a stub that says how many
outcomes lie behind it and, when the equilibrium's behaviour off the path is
known (subgame perfection), what the mover would get by taking it. The
flagship dispute's 216 outcomes become some twenty legible leaves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from sim.errors import TooLargeError, UsageError
from sim.plot import PALETTE
from sim.text import OUTCOME_CUTOFF

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.games.extensive_form import ExtensiveFormGame

__all__ = ["FULL_TREE_LIMIT", "tree_figure"]

#: Trees with more outcomes than this are drawn collapsed around the path.
FULL_TREE_LIMIT = 40
#: The most levels and leaves a drawing may have (beyond, text cannot be read).
MAX_DRAWN_DEPTH, MAX_DRAWN_ROWS = 40, 200
_PLAYED: dict[str, Any] = {"color": "black", "linewidth": 3.0, "linestyle": "-", "zorder": 2}
_NODE_LABEL: dict[str, Any] = {
    "ha": "center",
    "va": "bottom",
    "fontsize": 9,
    "zorder": 5,
    "bbox": {"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.9},
}
_NOT_PLAYED: dict[str, Any] = {
    "color": "#7f7f7f",
    "linewidth": 1.2,
    "linestyle": (0, (4, 3)),
    "zorder": 1,
}


@dataclass(frozen=True)
class _Layout:
    """Which nodes are drawn and where: ``x`` is depth, ``y`` the row (0 at the top)."""

    nodes: tuple[int, ...]
    x: dict[int, float]
    y: dict[int, float]
    children: dict[int, tuple[int, ...]]


def _node_reach(game: ExtensiveFormGame, terminal_probabilities: npt.ArrayLike) -> Any:
    """Each node's probability of being reached: the outcomes below it, summed."""
    tree = game.tree
    at_node = np.zeros(tree.n_nodes)
    at_node[tree.terminals] = np.asarray(terminal_probabilities, dtype=np.float64)
    total = np.concatenate([[0.0], np.cumsum(at_node)])
    nodes = np.arange(tree.n_nodes)
    return total[nodes + tree.subtree_size] - total[nodes]


def _layout(game: ExtensiveFormGame, reach: Any, collapse: bool) -> _Layout:
    """Place the drawn nodes: leaves take rows top to bottom in preorder, parents centre."""
    tree = game.tree
    drawn = np.ones(tree.n_nodes, dtype=bool)
    if collapse:
        on_path = reach > OUTCOME_CUTOFF
        drawn = on_path.copy()
        for v in np.flatnonzero(on_path).tolist():
            drawn[list(tree.children(v))] = True
    children = {
        v: tuple(c for c in tree.children(v) if drawn[c]) for v in np.flatnonzero(drawn).tolist()
    }
    x: dict[int, float] = {}
    y: dict[int, float] = {}
    rows = 0
    # An explicit stack, so that deep trees stay clear of the recursion limit.
    stack: list[tuple[int, bool]] = [(0, False)]
    while stack:
        v, placed_children = stack.pop()
        if placed_children:
            y[v] = (y[children[v][0]] + y[children[v][-1]]) / 2
            continue
        x[v] = float(tree.depth[v])
        if not children[v]:
            y[v] = float(rows)
            rows += 1
            continue
        stack.append((v, True))
        stack.extend((c, False) for c in reversed(children[v]))
    return _Layout(tuple(sorted(x)), x, y, children)


def _information_sets(ax: Any, game: ExtensiveFormGame, layout: _Layout) -> bool:
    """Join the drawn nodes of each information set by dotted arcs (what the mover cannot
    tell apart); sets that share a column bulge by different amounts, so that each
    set's arcs stay apart. Returns whether any set was drawn."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as CurvePath

    tree = game.tree
    in_column: dict[float, int] = {}
    for h in range(tree.n_infosets):
        members = sorted(
            (layout.y[v], layout.x[v]) for v in tree.infoset_members(h) if v in layout.x
        )
        if len(members) < 2:
            continue
        column = members[0][1]
        bulge = 0.16 * (1 + in_column.get(column, 0))
        in_column[column] = in_column.get(column, 0) + 1
        for (y0, x0), (y1, _) in pairwise(members):
            curve = CurvePath(
                [(x0, y0), (x0 - 2 * bulge, (y0 + y1) / 2), (x0, y1)],
                [CurvePath.MOVETO, CurvePath.CURVE3, CurvePath.CURVE3],
            )
            ax.add_patch(
                PathPatch(
                    curve,
                    facecolor="none",
                    edgecolor="black",
                    linestyle=":",
                    linewidth=1.6,
                    zorder=0,
                )
            )
    return bool(in_column)


def _number(value: float) -> str:
    text = f"{value:.3g}" if abs(value) > 1e-9 else "0"
    return "0" if text == "-0" else text.replace("-", "\u2212")


def _payoff_text(players: Sequence[str], values: Any) -> str:
    return " \u00b7 ".join(f"{p} {_number(float(v))}" for p, v in zip(players, values, strict=True))


def tree_figure(
    game: ExtensiveFormGame,
    terminal_probabilities: npt.ArrayLike,
    *,
    behaviour: Sequence[npt.ArrayLike] | None = None,
    collapse: bool | None = None,
    title: str | None = None,
) -> Figure:
    """The game tree, left to right, with the play of an equilibrium drawn thick.

    Parameters
    ----------
    game
        The game.
    terminal_probabilities
        The probability of each outcome in the equilibrium, in
        ``tree.terminals`` order (``ScenarioEquilibrium.terminal_probabilities``,
        or :meth:`~sim.games.extensive_form.ExtensiveFormGame.terminal_distribution`).
    behaviour
        The equilibrium's behaviour profile, when known (subgame perfection):
        collapsed alternatives then show what each player would get there.
    collapse
        Draw only the path and the alternatives one step off it; by default,
        when the tree has more than :data:`FULL_TREE_LIMIT` outcomes.
    title
        The figure's title (default: the game's title).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> game = build_game(["Seoul", "Tokyo"], Decision("Seoul", [
    ...     ("fund", Decision("Tokyo", [("attend", Terminal([2, 2])),
    ...                                 ("skip", Terminal([-1, 1]))])),
    ...     ("proceed", Terminal([0, 0]))]))
    >>> fig = tree_figure(game, [1.0, 0.0, 0.0], title="A fund and a summit")
    >>> fig.axes[0].get_title(loc="left")
    'A fund and a summit'
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    tree = game.tree
    reach = _node_reach(game, terminal_probabilities)
    if not reach[0] > OUTCOME_CUTOFF:
        raise UsageError("terminal_probabilities: expected a distribution over the outcomes")
    folded = tree.n_terminals > FULL_TREE_LIMIT if collapse is None else collapse
    layout = _layout(game, reach, folded)
    values = None
    if behaviour is not None:
        from sim.games.behaviour import node_values

        values = node_values(game, behaviour)
    depth = max(layout.x.values())
    rows = 1 + max(layout.y.values())
    if depth > MAX_DRAWN_DEPTH or rows > MAX_DRAWN_ROWS:
        raise TooLargeError(
            f"the tree drawn would be {int(depth) + 1} levels deep and {int(rows)} leaves tall; "
            f"at most {MAX_DRAWN_DEPTH + 1} and {MAX_DRAWN_ROWS} stay legible"
            + ("" if folded else " (fold it around the path: collapse=True)")
        )
    fig = Figure(figsize=(2.1 * depth + 7.0, 0.42 * rows + 1.9), layout="constrained")
    ax = fig.add_subplot()
    _draw_branches(ax, game, layout, reach)
    _draw_nodes(ax, game, layout, reach, values)
    joined = _information_sets(ax, game, layout)
    ax.set_xlim(-0.4, depth + 3.6)
    ax.set_ylim(rows - 0.4, -0.9)
    ax.axis("off")
    ax.set_title(
        title if title is not None else game.title or "Game tree",
        loc="left",
        fontsize=12,
        fontweight="bold",
    )
    _legend(ax, game, folded=folded, joined=joined)
    return fig


def _draw_branches(ax: Any, game: ExtensiveFormGame, layout: _Layout, reach: Any) -> None:
    """Every drawn branch, thick where the equilibrium plays it, with its action."""
    tree = game.tree
    spine = 0.18  # where a node's branches fan out, in units of depth
    chance_index = {int(v): k for k, v in enumerate(tree.chance_nodes.tolist())}
    for v in layout.nodes:
        x0, y0 = layout.x[v], layout.y[v]
        h = int(tree.node_infoset[v])
        for a, c in enumerate(tree.children(v)):
            if c not in layout.x:
                continue
            x1, y1 = layout.x[c], layout.y[c]
            played = reach[c] > OUTCOME_CUTOFF
            style = _PLAYED if played else _NOT_PLAYED
            ax.plot([x0, x0 + spine, x1], [y0, y1, y1], solid_capstyle="round", **style)
            label = tree.action_labels[h][a]
            if v in chance_index:
                label += f" ({float(game.chance_at(v)[a]):.0%})"
            elif played and reach[c] < reach[v] * (1 - 1e-9):
                label += f" ({reach[c] / reach[v]:.0%})"
            ax.text(
                (x0 + spine + x1) / 2,
                y1 - 0.12,
                label,
                ha="center",
                va="bottom",
                fontsize=9,
                fontweight="bold" if played else "normal",
                color="black" if played else "#555555",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.85},
                zorder=3,
            )


def _draw_nodes(
    ax: Any, game: ExtensiveFormGame, layout: _Layout, reach: Any, values: Any | None
) -> None:
    """Decision nodes in their player's colour, chance diamonds, outcomes with payoffs,
    and what each folded alternative leads to."""
    tree, players = game.tree, game.players
    chance_index = {int(v): k for k, v in enumerate(tree.chance_nodes.tolist())}
    for v in layout.nodes:
        x0, y0 = layout.x[v], layout.y[v]
        kind = int(tree.node_kind[v])
        if v in chance_index:
            ax.plot(
                x0,
                y0,
                marker="D",
                markersize=11,
                markerfacecolor="white",
                markeredgecolor="black",
                zorder=4,
            )
            ax.text(x0, y0 - 0.3, "chance", style="italic", **_NODE_LABEL)
        elif tree.node_infoset[v] >= 0:
            i = int(tree.infoset_player[tree.node_infoset[v]])
            ax.plot(
                x0,
                y0,
                marker="o",
                markersize=13,
                markerfacecolor=PALETTE[i % 7],
                markeredgecolor="black",
                zorder=4,
            )
            ax.text(x0, y0 - 0.3, players[i], fontweight="bold", **_NODE_LABEL)
        elif kind == 0:  # a terminal
            t = int(np.searchsorted(tree.terminals, v))
            played = reach[v] > OUTCOME_CUTOFF
            text = _payoff_text(players, game.payoffs[t])
            if played:
                text = f"{reach[v]:.0%}: {text}"
            ax.plot(
                x0, y0, marker="s", markersize=6, color="black" if played else "#7f7f7f", zorder=4
            )
            ax.text(
                x0 + 0.12,
                y0,
                text,
                ha="left",
                va="center",
                fontsize=9,
                fontweight="bold" if played else "normal",
            )
        if tree.node_kind[v] != 0 and not layout.children[v]:  # a collapsed alternative
            count = int(np.count_nonzero(tree.node_infoset[v : v + tree.subtree_size[v]] < 0))
            text = f"\u2026 {count} outcomes"
            if values is not None:
                text += f"; then {_payoff_text(players, values[v])}"
            ax.text(x0 + 0.22, y0, text, ha="left", va="center", fontsize=9, color="#333333")


def _legend(ax: Any, game: ExtensiveFormGame, *, folded: bool, joined: bool) -> None:
    """The key below the tree: play, players, chance, information sets, payoff order."""
    from matplotlib.lines import Line2D

    tree, players = game.tree, game.players
    handles = [
        Line2D([], [], **_PLAYED, label="played in the equilibrium"),
        Line2D([], [], **_NOT_PLAYED, label="not played"),
        *(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markersize=10,
                markerfacecolor=PALETTE[i % 7],
                markeredgecolor="black",
                label=name,
            )
            for i, name in enumerate(players)
        ),
    ]
    if len(tree.chance_nodes):
        handles.append(
            Line2D(
                [],
                [],
                marker="D",
                linestyle="",
                markersize=9,
                markerfacecolor="white",
                markeredgecolor="black",
                label="chance",
            )
        )
    if joined:
        handles.append(
            Line2D([], [], color="black", linestyle=":", linewidth=1.6, label="information set")
        )
    caption = "payoffs: " + ", ".join(players)
    if folded:
        caption += "; branches off the path are folded (\u2026)"
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=len(handles),
        fontsize=9,
        frameon=False,
        title=caption,
        title_fontsize=9,
    )
