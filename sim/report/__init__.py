"""Solutions as the JSON object of the command-line contract, and as readable tables.

The JSON shape is fixed by ``design.md`` (section 3); other tools rely on it.
Tables are for students: action labels, probabilities as simple fractions where
they are exact, payoffs, and whether the list is complete.
"""

from __future__ import annotations

from typing import Any

from sim.games.extensive_form import ExtensiveFormGame
from sim.games.normal_form import NormalFormGame
from sim.report.records import (
    behaviour_by_player,
    belief_records,
    equilibrium_record,
    information_sets,
    outcomes,
    signalling_record,
)
from sim.report.scenario import ScenarioSolution
from sim.report.sets import set_lines, set_records
from sim.solvers.solution import Equilibrium, Solution
from sim.text import fraction_text, path_text, regret_text, strategy_text

__all__ = ["outcomes", "solution_table", "solution_to_dict"]


def solution_to_dict(solution: Solution | ScenarioSolution) -> dict[str, Any]:
    """The JSON object that ``sim solve --format json`` prints, for any result.

    The one writer of design.md's contract: ``game`` (what was solved: its
    title, players and their strategies), ``equilibria`` (each with the
    contract's keys: concept, method, strategies, payoffs, max_regret, pure,
    outcomes), ``complete``, and beyond them ``notes`` (why ``complete`` is
    false, the order of a dominance elimination, ...) and ``options`` (what
    the method ran with). Each equilibrium may add concept details (a QRE's
    ``lambda``). A scenario's result adds its parameters, each equilibrium's
    path in words and payoffs by term, and behaviour strategies where the
    reduced normal form is too large to list
    (:func:`sim.report.narrate.scenario_parts`).

    Examples
    --------
    >>> from sim.solvers import solve
    >>> g = NormalFormGame.from_matrices([[3, 0], [5, 1]], [[3, 5], [0, 1]], title="PD")
    >>> report = solution_to_dict(solve(g))
    >>> report["complete"], report["equilibria"][0]["outcomes"]
    (True, [{'probability': 1.0, 'actions': {'Player 1': '2', 'Player 2': '2'}}])
    """
    if isinstance(solution, ScenarioSolution):
        from sim.report.narrate import scenario_parts

        game, equilibria = scenario_parts(solution)
    else:
        game, equilibria = _game_parts(solution)
    found = solution.solution if isinstance(solution, ScenarioSolution) else solution
    return {
        "game": game,
        "equilibria": equilibria,
        "sets": []
        if isinstance(solution, ScenarioSolution) and solution.rounds
        else set_records(found),
        "complete": solution.complete,
        "notes": list(solution.notes),
        "options": dict(solution.options),
    }


def _game_parts(solution: Solution) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The ``game`` object and the equilibria of a game file's solution.

    Over the normal form when there is one; a tree too large for its reduced
    normal form is written as scenarios are (``representation: "behaviour"``):
    empty ``actions`` and ``strategies``, each player's ``information_sets``,
    and each equilibrium's ``behaviour[i][k]`` at the ``k``-th of them.
    """
    normal, game = solution.normal, solution.game
    players: list[dict[str, Any]]
    # Beliefs are given per information set, so a result with them lists the sets.
    if normal is not None and not any(eq.beliefs is not None for eq in solution):
        players = [
            {"name": p, "actions": list(a)}
            for p, a in zip(normal.players, normal.actions, strict=True)
        ]
        equilibria = [
            equilibrium_record(
                eq,
                {"strategies": [[float(p) for p in s] for s in eq.normal_profile()]},
                outcomes(game, eq),
            )
            for eq in solution
        ]
        return {"title": normal.title, "players": players}, equilibria
    assert isinstance(game, ExtensiveFormGame)
    tree = game.tree
    players = [
        {"name": p, "actions": [], "information_sets": sets}
        for p, sets in zip(game.players, information_sets(tree), strict=True)
    ]
    empty: list[list[float]] = [[] for _ in players]
    equilibria = [
        equilibrium_record(
            eq,
            {"strategies": empty, "behaviour": behaviour_by_player(tree, eq.behaviour or ())},
            outcomes(game, eq),
            **belief_records(tree, eq.beliefs),
            **signalling_record(game, eq),
        )
        for eq in solution
    ]
    return {"title": game.title, "players": players, "representation": "behaviour"}, equilibria


def _strategy_lines(normal: NormalFormGame, eq: Equilibrium) -> list[str]:
    """Each player's mixed strategy over the normal form, and payoff, in aligned columns."""
    width = max(len(p) for p in normal.players)
    played = [
        strategy_text(actions, strategy)
        for actions, strategy in zip(normal.actions, eq.normal_profile(), strict=True)
    ]
    column = max(len(text) for text in played)
    return [
        f"  {player:<{width}}  {text:<{column}}  payoff "
        + fraction_text(float(payoff), scale=normal.payoff_range)
        for player, text, payoff in zip(normal.players, played, eq.payoffs, strict=True)
    ]


def _behaviour_lines(game: NormalFormGame | ExtensiveFormGame, eq: Equilibrium) -> list[str]:
    """Each player's payoff and how many information sets their behaviour covers."""
    assert isinstance(game, ExtensiveFormGame)
    tree = game.tree
    width = max(len(p) for p in game.players)
    lines = []
    for i, player in enumerate(game.players):
        sets = len(tree.player_infosets(i))
        amount = fraction_text(float(eq.payoffs[i]), scale=game.payoff_range)
        lines.append(
            f"  {player:<{width}}  payoff {amount}  (a choice at each of {sets:,} information "
            f"set{'' if sets == 1 else 's'}; --format json lists them)"
        )
    return lines


def solution_table(solution: Solution | ScenarioSolution) -> str:
    """The text ``sim solve`` prints: a plain report of any result for a person to read.

    A scenario's result is told in words (:func:`sim.report.narrate.scenario_table`);
    a game file's lists each equilibrium's strategies, payoffs and regret.

    Examples
    --------
    >>> from sim.solvers import solve
    >>> g = NormalFormGame.from_matrices([[1, -1], [-1, 1]], [[-1, 1], [1, -1]],
    ...     players=["Seoul", "Tokyo"], actions=[["hold", "yield"], ["hold", "yield"]],
    ...     title="Matching pennies")
    >>> print(solution_table(solve(g)))
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
    if isinstance(solution, ScenarioSolution):
        from sim.report.narrate import scenario_table

        return scenario_table(solution)
    game, normal = solution.game, solution.normal
    title = game.title or "Untitled game"
    if normal is not None:
        shape = " x ".join(map(str, normal.shape))
    else:
        assert isinstance(game, ExtensiveFormGame)
        shape = (
            f"a tree of {game.tree.n_nodes:,} nodes and {game.tree.n_terminals:,} outcomes, "
            "in behaviour strategies"
        )
    lines = [
        f"{title}: {game.n_players} players, {shape}",
        f"Concept: {solution.concept}, method: {solution.method}",
        "",
    ]
    for k, eq in enumerate(solution, start=1):
        kind = "pure" if eq.pure else ("correlated" if eq.joint is not None else "mixed")
        if isinstance(game, ExtensiveFormGame):
            kind += "".join(f", {k}" for k in signalling_record(game, eq).values())
        lines.append(f"Equilibrium {k} ({kind})")
        if normal is not None and eq.strategies is not None:
            lines += _strategy_lines(normal, eq)
        else:
            lines += _behaviour_lines(game, eq)
        if isinstance(game, ExtensiveFormGame) or eq.joint is not None:
            shown = outcomes(game, eq)
            word = "path" if isinstance(game, ExtensiveFormGame) else "recommend"
            for p, path in shown[:8]:
                lines.append(f"  {word} {fraction_text(p)}: {path_text(path)}")
            if len(shown) > 8:
                lines.append(f"  ... and {len(shown) - 8} more")
        if eq.beliefs is not None and eq.behaviour is not None:
            from sim.report.beliefs import belief_sentences

            assert isinstance(game, ExtensiveFormGame)
            lines += [f"  {s}" for s in belief_sentences(game, eq.behaviour, eq.beliefs)]
        for key, value in eq.details.items():
            lines.append(f"  {key} {value:g}")
        lines.append(f"  max regret {regret_text(eq.max_regret)}")
        lines.append("")
    joined = set_lines(solution)
    lines += [*joined, ""] if joined else []
    count = f"{len(solution)} equilibri{'um' if len(solution) == 1 else 'a'}"
    status = (
        "the list is complete."
        if solution.complete
        else "the method does not guarantee that this list is complete."
    )
    lines.append(f"{count}; {status}")
    lines.extend(f"Note: {note}" for note in solution.notes)
    return "\n".join(lines)
