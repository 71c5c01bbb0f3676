"""Solutions as the JSON object of the command-line contract, and as readable tables.

The JSON shape is fixed by ``design.md`` (section 3); other tools rely on it.
Tables are for students: action labels, probabilities as simple fractions where
they are exact, payoffs, and whether the list is complete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sim.games.extensive_form import ExtensiveFormGame
from sim.games.normal_form import NormalFormGame
from sim.solvers.solution import Equilibrium, Solution
from sim.text import OUTCOME_CUTOFF, fraction_text, regret_text, strategy_text

__all__ = ["outcomes", "solution_table", "solution_to_dict"]

#: The keys design.md fixes for each equilibrium; concept details never replace them.
CONTRACT_EQUILIBRIUM_KEYS = frozenset(
    {"concept", "method", "strategies", "payoffs", "max_regret", "pure", "outcomes"}
)


def outcomes(
    game: NormalFormGame | ExtensiveFormGame, equilibrium: Equilibrium
) -> list[tuple[float, dict[str, str]]]:
    """The distribution over play that an equilibrium induces, most likely first.

    For a normal-form game each player's single move is named after the player;
    for an extensive-form game the moves are those along each play path.

    Examples
    --------
    >>> from sim.solvers.solution import make_equilibrium
    >>> g = NormalFormGame.from_matrices([[1, 0], [0, 1]], [[1, 0], [0, 1]],
    ...                                  players=["Seoul", "Tokyo"])
    >>> eq = make_equilibrium(g, [[1, 0], [0.5, 0.5]], concept="nash", method="x")
    >>> outcomes(g, eq)
    [(0.5, {'Seoul': '1', 'Tokyo': '1'}), (0.5, {'Seoul': '1', 'Tokyo': '2'})]
    """
    if equilibrium.joint is None and isinstance(game, ExtensiveFormGame):
        return [
            (p, path)
            for p, path in game.play_distribution(equilibrium.strategies)
            if p > OUTCOME_CUTOFF
        ]
    joint = equilibrium.joint
    if joint is None:
        joint = equilibrium.strategies[0]
        for strategy in equilibrium.strategies[1:]:
            joint = np.multiply.outer(joint, strategy)
    cells = [tuple(int(a) for a in cell) for cell in np.argwhere(joint > OUTCOME_CUTOFF)]
    if isinstance(game, ExtensiveFormGame):
        # A correlated distribution over strategy profiles: add up the play paths.
        paths: dict[tuple[tuple[str, str], ...], float] = {}
        shape = joint.shape
        for cell in cells:
            pure = [np.eye(n)[a] for n, a in zip(shape, cell, strict=True)]
            for q, path in game.play_distribution(pure):
                key = tuple(path.items())
                paths[key] = paths.get(key, 0.0) + float(joint[cell]) * q
        ranked = sorted(paths.items(), key=lambda item: -item[1])
        return [(p, dict(key)) for key, p in ranked if p > OUTCOME_CUTOFF]
    normal = equilibrium_game(game)
    cells.sort(key=lambda cell: -joint[cell])
    return [
        (
            float(joint[cell]),
            {
                player: actions[a]
                for player, actions, a in zip(normal.players, normal.actions, cell, strict=True)
            },
        )
        for cell in cells
    ]


def equilibrium_game(game: NormalFormGame | ExtensiveFormGame) -> NormalFormGame:
    """The normal form whose strategies an equilibrium of ``game`` is expressed in."""
    return game if isinstance(game, NormalFormGame) else game.reduced_normal_form()


def solution_to_dict(
    game: NormalFormGame | ExtensiveFormGame, solution: Solution
) -> dict[str, Any]:
    """The JSON object that ``sim solve --format json`` prints.

    ``game`` is what was solved (for an extensive-form game, the tree; the
    solution's strategies are over its reduced normal form). Beyond the keys
    design.md fixes, each equilibrium may carry concept details (a QRE's
    ``lambda``) and the object carries ``notes``: why ``complete`` is false,
    the order of a dominance elimination, and so on.

    Examples
    --------
    >>> from sim.solvers import solve
    >>> g = NormalFormGame.from_matrices([[3, 0], [5, 1]], [[3, 5], [0, 1]], title="PD")
    >>> report = solution_to_dict(g, solve(g))
    >>> report["complete"], report["equilibria"][0]["outcomes"]
    (True, [{'probability': 1.0, 'actions': {'Player 1': '2', 'Player 2': '2'}}])
    """
    normal = solution.game
    return {
        "game": {
            "title": normal.title,
            "players": [
                {"name": p, "actions": list(a)}
                for p, a in zip(normal.players, normal.actions, strict=True)
            ],
        },
        "equilibria": [
            equilibrium_record(
                eq,
                {"strategies": [[float(p) for p in s] for s in eq.strategies]},
                outcomes(game, eq),
            )
            for eq in solution
        ],
        "complete": solution.complete,
        "notes": list(solution.notes),
        "options": dict(solution.options),
    }


def equilibrium_record(
    eq: Any,
    strategies: dict[str, Any],
    paths: Sequence[tuple[float, Mapping[str, str]]],
    **extra: Any,
) -> dict[str, Any]:
    """One equilibrium's JSON object: the contract's keys in order, then ``extra``.

    ``eq`` is an :class:`~sim.solvers.solution.Equilibrium` or a scenario's
    equilibrium (anything with ``concept``, ``method``, ``payoffs``,
    ``max_regret``, ``pure`` and ``details``); ``strategies`` holds how its
    strategies are written; concept details never replace contract keys.
    """
    return {
        "concept": eq.concept,
        "method": eq.method,
        **strategies,
        "payoffs": [float(v) for v in eq.payoffs],
        "max_regret": float(eq.max_regret),
        "pure": eq.pure,
        "outcomes": [{"probability": p, "actions": dict(path)} for p, path in paths],
        **extra,
        **{
            key: float(value)
            for key, value in eq.details.items()
            if key not in CONTRACT_EQUILIBRIUM_KEYS
        },
    }


def solution_table(game: NormalFormGame | ExtensiveFormGame, solution: Solution) -> str:
    """A plain-text report of a solution for a person to read.

    Examples
    --------
    >>> from sim.solvers import solve
    >>> g = NormalFormGame.from_matrices([[1, -1], [-1, 1]], [[-1, 1], [1, -1]],
    ...     players=["Seoul", "Tokyo"], actions=[["hold", "yield"], ["hold", "yield"]],
    ...     title="Matching pennies")
    >>> print(solution_table(g, solve(g)))
    Matching pennies: 2 players, 2 x 2
    Concept: nash, method: vertex_enumeration
    <BLANKLINE>
    Equilibrium 1 (mixed)
      Seoul  hold 1/2, yield 1/2  payoff 0
      Tokyo  hold 1/2, yield 1/2  payoff 0
      max regret < 1e-12
    <BLANKLINE>
    1 equilibrium; the list is complete.
    """
    normal = solution.game
    title = normal.title or "Untitled game"
    dims = " x ".join(map(str, normal.shape))
    lines = [
        f"{title}: {normal.n_players} players, {dims}",
        f"Concept: {solution.concept}, method: {solution.method}",
        "",
    ]
    width = max(len(p) for p in normal.players)
    for k, eq in enumerate(solution, start=1):
        kind = "pure" if eq.pure else ("correlated" if eq.joint is not None else "mixed")
        lines.append(f"Equilibrium {k} ({kind})")
        played = [
            strategy_text(actions, strategy)
            for actions, strategy in zip(normal.actions, eq.strategies, strict=True)
        ]
        column = max(len(text) for text in played)
        for player, text, payoff in zip(normal.players, played, eq.payoffs, strict=True):
            amount = fraction_text(float(payoff), scale=normal.payoff_range)
            lines.append(f"  {player:<{width}}  {text:<{column}}  payoff {amount}")
        if isinstance(game, ExtensiveFormGame) or eq.joint is not None:
            shown = outcomes(game, eq)
            word = "path" if isinstance(game, ExtensiveFormGame) else "recommend"
            for p, path in shown[:8]:
                steps = "; ".join(f"{move}={action}" for move, action in path.items())
                lines.append(f"  {word} {fraction_text(p)}: {steps}")
            if len(shown) > 8:
                lines.append(f"  ... and {len(shown) - 8} more")
        for key, value in eq.details.items():
            lines.append(f"  {key} {value:g}")
        lines.append(f"  max regret {regret_text(eq.max_regret)}")
        lines.append("")
    count = f"{len(solution)} equilibri{'um' if len(solution) == 1 else 'a'}"
    status = (
        "the list is complete."
        if solution.complete
        else "the method does not guarantee that this list is complete."
    )
    lines.append(f"{count}; {status}")
    lines.extend(f"Note: {note}" for note in solution.notes)
    return "\n".join(lines)
