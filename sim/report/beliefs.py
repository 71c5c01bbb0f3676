"""An assessment's beliefs in words: who believes what, where, on the path or off it.

Only information sets of several nodes are said (at a single node the belief
is certainty). Each node is named by what tells it apart from the others of
its set (chance's moves where they do, such as the defender's type), and the
set by what its mover has seen, where the caller knows it (a scenario does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from sim.games.assessment import telling_histories
from sim.games.behaviour import node_reach
from sim.games.extensive_form import ExtensiveFormGame
from sim.text import path_text

__all__ = ["belief_sentences"]


def belief_sentences(
    game: ExtensiveFormGame,
    behaviour: Sequence[npt.ArrayLike],
    beliefs: Sequence[npt.ArrayLike],
    observed: Callable[[int], Mapping[str, str]] | None = None,
) -> list[str]:
    """One sentence per information set of several nodes.

    Examples
    --------
    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> answer = lambda: Decision("B", [("u", Terminal([0, 1])), ("d", Terminal([1, 0]))], "B")
    >>> game = build_game(["A", "B"], Decision("A", [("l", answer()), ("r", answer())], "A"))
    >>> belief_sentences(game, [[0.25, 0.75], [1, 0]], [[1.0], [0.25, 0.75]])
    ['B, at B, believes A=l with probability 0.25, A=r with probability 0.75.']
    >>> belief_sentences(game, [[1, 0], [1, 0]], [[1.0], [0.5, 0.5]], lambda h: {"A": "moved"})
    ['B, at B after A=moved, believes A=l with probability 0.5, A=r with probability 0.5.']
    """
    tree = game.tree
    reach = node_reach(game, behaviour)
    sentences = []
    for h in range(tree.n_infosets):
        player = int(tree.infoset_player[h])
        members = tree.infoset_members(h)
        if player < 0 or len(members) < 2:
            continue
        seen = dict(observed(h)) if observed is not None else {}
        where = tree.move_names[h] + (f" after {path_text(seen)}" if seen else "")
        if float(reach[list(members)].sum()) <= 1e-12:
            where += " (off the path)"
        told = telling_histories(game, members)
        parts = [
            f"{path_text(history)} with probability {float(p):.3g}"
            for history, p in zip(told, np.asarray(beliefs[h]), strict=True)
        ]
        sentences.append(f"{tree.players[player]}, at {where}, believes {', '.join(parts)}.")
    return sentences
