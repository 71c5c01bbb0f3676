"""One equilibrium as the JSON object of the command-line contract, and its play.

design.md (section 3) fixes the keys every equilibrium has;
:func:`equilibrium_record` writes them for any result, game file or scenario,
and :func:`outcomes` gives the distribution over play that an equilibrium
induces.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.games.extensive_form import ExtensiveFormGame, GameTree
from sim.games.normal_form import NormalFormGame
from sim.solvers.solution import Equilibrium
from sim.text import OUTCOME_CUTOFF

__all__ = [
    "CONTRACT_EQUILIBRIUM_KEYS",
    "behaviour_by_player",
    "belief_records",
    "equilibrium_game",
    "equilibrium_record",
    "information_sets",
    "outcomes",
    "signalling_record",
]

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
        if equilibrium.strategies is None:  # behaviour strategies only
            assert equilibrium.terminal_probabilities is not None
            played = game.outcome_paths(equilibrium.terminal_probabilities)
        else:
            played = game.play_distribution(equilibrium.strategies)
        return [(p, path) for p, path in played if p > OUTCOME_CUTOFF]
    joint = equilibrium.joint
    if joint is None:
        assert equilibrium.strategies is not None  # a normal form's equilibria have them
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


def equilibrium_record(
    eq: Equilibrium,
    strategies: dict[str, Any],
    paths: Sequence[tuple[float, Mapping[str, str]]],
    **extra: Any,
) -> dict[str, Any]:
    """One equilibrium's JSON object: the contract's keys in order, then ``extra``.

    ``strategies`` holds how its strategies are written (a mixed profile over
    the normal form, or behaviour strategies); concept details never replace
    contract keys.
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


def information_sets(
    tree: GameTree, observed: Callable[[int], dict[str, str]] | None = None
) -> list[list[dict[str, Any]]]:
    """Per player, each information set's move and actions, in the tree's order.

    This is the order of :func:`behaviour_by_player`'s vectors, so that
    ``behaviour[i][k]`` gives the probabilities of ``information_sets(tree)[i][k]``.
    ``observed``, given an information set, says what its mover has seen (a
    scenario knows; a game file does not), written between move and actions.

    Examples
    --------
    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> answer = Decision("B", [("u", Terminal([0, 1])), ("d", Terminal([2, 2]))], "B's")
    >>> first = Decision("A", [("l", Terminal([1, 0])), ("r", answer)], "A's")
    >>> game = build_game(["A", "B"], first)
    >>> information_sets(game.tree)
    [[{'move': "A's", 'actions': ['l', 'r']}], [{'move': "B's", 'actions': ['u', 'd']}]]
    """
    sets: list[list[dict[str, Any]]] = [[] for _ in range(tree.n_players)]
    for h in range(tree.n_infosets):
        player = int(tree.infoset_player[h])
        if player < 0:
            continue
        entry: dict[str, Any] = {"move": tree.move_names[h]}
        if observed is not None:
            entry["observed"] = observed(h)
        entry["actions"] = list(tree.action_labels[h])
        sets[player].append(entry)
    return sets


def behaviour_by_player(
    tree: GameTree, behaviour: Sequence[npt.ArrayLike]
) -> list[list[list[float]]]:
    """A behaviour profile (one vector per information set) split by player, as JSON lists."""
    split: list[list[list[float]]] = [[] for _ in range(tree.n_players)]
    for h, beta in enumerate(behaviour):
        if tree.infoset_player[h] >= 0:
            split[int(tree.infoset_player[h])].append([float(p) for p in np.asarray(beta)])
    return split


def signalling_record(game: ExtensiveFormGame, eq: Equilibrium) -> dict[str, Any]:
    """``{"signalling": kind}`` for a PBE of a signalling game; ``{}`` for anything else.

    The kind is ``pooling``, ``separating``, ``partially pooling`` or
    ``semi-separating`` (:func:`sim.solvers.perfect_bayesian.signalling_kind`).
    """
    if eq.concept not in ("pbe", "sequential") or eq.behaviour is None:
        return {}
    from sim.solvers.perfect_bayesian import signalling_kind

    kind = signalling_kind(game, eq.behaviour)
    return {} if kind is None else {"signalling": kind}


def belief_records(tree: GameTree, beliefs: Sequence[npt.ArrayLike] | None) -> dict[str, Any]:
    """An assessment's ``beliefs`` for the JSON: ``{}`` when the equilibrium has none.

    Per player, a list parallel to the player's ``information_sets``, each a
    list of ``{"history": {move: action, ...}, "probability": p}`` over the
    set's nodes (design.md, section 4).

    Examples
    --------
    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> answer = lambda: Decision("B", [("u", Terminal([0, 1])), ("d", Terminal([1, 0]))], "B")
    >>> game = build_game(["A", "B"], Decision("A", [("l", answer()), ("r", answer())], "A"))
    >>> belief_records(game.tree, [[1.0], [0.25, 0.75]])["beliefs"][1]
    [[{'history': {'A': 'l'}, 'probability': 0.25}, {'history': {'A': 'r'}, 'probability': 0.75}]]
    """
    if beliefs is None:
        return {}
    split: list[list[list[dict[str, Any]]]] = [[] for _ in range(tree.n_players)]
    for h in range(tree.n_infosets):
        player = int(tree.infoset_player[h])
        if player < 0:
            continue
        entries = []
        for v, p in zip(tree.infoset_members(h), np.asarray(beliefs[h]), strict=True):
            entries.append({"history": tree.history(v), "probability": float(p)})
        split[player].append(entries)
    return {"beliefs": split}
