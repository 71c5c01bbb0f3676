"""How large a tree's reduced normal form is, and the form itself when it is small enough.

Counting comes before building: a tree with a few hundred nodes can have more
reduced pure-strategy profiles than memory holds, so callers ask for the form
only within a limit, and get ``None`` beyond it.
"""

from __future__ import annotations

from sim.errors import TooLargeError
from sim.games.extensive_form import ExtensiveFormGame, GameTree
from sim.games.normal_form import NormalFormGame

__all__ = ["normal_form_within", "reduced_profile_count"]


def _profile_count(tree: GameTree) -> int | None:
    """How many reduced pure profiles a perfect-information tree has (``None`` otherwise)."""
    total = 1
    for i in range(tree.n_players):
        count = tree.reduced_strategy_count(i)
        if count is None:
            return None
        total = min(total * count, 10**18)
    return total


def reduced_profile_count(tree: GameTree, limit: int) -> int | None:
    """How many reduced pure-strategy profiles a tree has, or ``None`` beyond ``limit``.

    Exact by a formula on perfect-information trees; otherwise by listing each
    player's reduced strategies, stopping once the limit is passed.

    Examples
    --------
    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> summit = Decision("Tokyo", [("attend", Terminal([1, 1])), ("skip", Terminal([0, 0]))])
    >>> controls = Decision("Tokyo", [("ease", Terminal([0, 1])), ("keep", Terminal([1, 0]))])
    >>> game = build_game(["Seoul", "Tokyo"], Decision("Seoul", [("fund", summit),
    ...                                                          ("proceed", controls)]))
    >>> reduced_profile_count(game.tree, 100), reduced_profile_count(game.tree, 3)
    (8, None)
    """
    count = _profile_count(tree)
    if count is None:
        count = 1
        try:
            for i in range(tree.n_players):
                count *= len(tree.reduced_strategies(i, limit=max(1, limit // count)))
        except TooLargeError:
            return None
    return count if count <= limit else None


def normal_form_within(game: ExtensiveFormGame, limit: int) -> NormalFormGame | None:
    """The reduced normal form if it has at most ``limit`` profiles, else ``None``."""
    if reduced_profile_count(game.tree, limit) is None:
        return None
    try:
        return game.reduced_normal_form()
    except TooLargeError:
        return None
