"""Assessments: behaviour with beliefs, and the referee that checks them.

An *assessment* is a behaviour profile with, at every information set, a
belief: a probability over the set's nodes (in the order of
:meth:`GameTree.infoset_members`; chance sets get empty vectors). It is a
perfect Bayesian equilibrium when

- **sequential rationality** holds: at every information set, the mover's
  strategy from there on is a best response to the others' behaviour, given
  the belief at that set, and
- **Bayes consistency** holds: wherever the behaviour reaches an information
  set with positive probability from the root, or from the root of a subgame
  that contains it, the belief is the conditional probability of its nodes.

:func:`assessment_regret` measures both, from the tree alone and
independently of any solver: the largest gain a mover could make at an
information set by changing its continuation strategy (a best response over
its own later sets, computed deepest first with the weights that the belief
and the others' behaviour put on each node), and the largest distance of a
belief from Bayes' rule where Bayes' rule applies. Both are zero (up to
round-off) exactly at a perfect Bayesian equilibrium.

Examples
--------
A challenger stays out, or enters; the defender, entered upon, fights or
accommodates; fighting is worse for it. "Stay out, because the defender would
fight" is a Nash equilibrium, but no belief makes fighting rational:

>>> from sim.games.extensive_form import Decision, Terminal, build_game
>>> game = build_game(["C", "D"], Decision("C", [
...     ("out", Terminal([0, 2])),
...     ("in", Decision("D", [("fight", Terminal([-1, -1])), ("yield", Terminal([1, 1]))]))]))
>>> assessment_regret(game, [[1.0, 0.0], [1.0, 0.0]], [[1.0], [1.0]])
(2.0, 0.0)
>>> assessment_regret(game, [[0.0, 1.0], [0.0, 1.0]], [[1.0], [1.0]])
(0.0, 0.0)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from sim.errors import GameError
from sim.games.behaviour import Behaviour, _edges, best_response_value, node_reach, node_values
from sim.games.extensive_form import CHANCE, ExtensiveFormGame, GameTree

__all__ = ["assessment_regret", "bayes_beliefs", "telling_histories"]

FloatArray = npt.NDArray[np.float64]

#: Reach below this is treated as zero: Bayes' rule does not apply there.
REACHED = 1e-12


def bayes_beliefs(
    game: ExtensiveFormGame, behaviour: Behaviour, root: int = 0
) -> list[FloatArray | None]:
    """Beliefs by Bayes' rule from ``root``: ``None`` at sets it reaches with probability 0.

    Examples
    --------
    >>> from sim.games.extensive_form import Chance, Decision, Terminal, build_game
    >>> answer = lambda: Decision("R", [("a", Terminal([0, 1])), ("b", Terminal([1, 0]))], "R")
    >>> game = build_game(["S", "R"], Chance([
    ...     ("strong", 0.25, Decision("S", [("beer", answer()), ("quiche", Terminal([0, 0]))])),
    ...     ("weak", 0.75, Decision("S", [("beer", answer()), ("quiche", Terminal([0, 0]))]))]))
    >>> game.tree.move_names  # chance, the strong sender, the receiver, the weak sender
    ('chance 1', 'S move 1', 'R', 'S move 2')
    >>> strong_beer, answer_a, weak_mixes = [1, 0], [1, 0], [0.5, 0.5]
    >>> beliefs = bayes_beliefs(game, [[], strong_beer, answer_a, weak_mixes])
    >>> [None if b is None else b.tolist() for b in beliefs]  # after beer: 0.25 / 0.625
    [None, [1.0], [0.4, 0.6], [1.0]]
    """
    tree = game.tree
    reach = _reach_from(game, behaviour, root)
    beliefs: list[FloatArray | None] = []
    for h in range(tree.n_infosets):
        if tree.infoset_player[h] == CHANCE:
            beliefs.append(None)
            continue
        members = np.array(tree.infoset_members(h), dtype=np.int64)
        weights = reach[members]
        total = float(weights.sum())
        beliefs.append(weights / total if total > REACHED else None)
    return beliefs


def assessment_regret(
    game: ExtensiveFormGame, behaviour: Behaviour, beliefs: Sequence[npt.ArrayLike]
) -> tuple[float, float]:
    """The largest sequential-rationality gain and the largest Bayes error of an assessment.

    Parameters
    ----------
    game
        The game tree (perfect recall).
    behaviour
        One probability vector per information set (empty for chance sets).
    beliefs
        One probability vector per information set over its nodes, in the
        order of ``tree.infoset_members(h)`` (empty, or anything, for chance
        sets).

    Returns
    -------
    tuple of float
        ``(regret, bayes)``: the most any mover gains at any information set
        by a best response from there on, given its belief; and the largest
        absolute difference between a belief and Bayes' rule, over the sets
        that the behaviour reaches from the root or from a subgame's root.
    """
    tree = game.tree
    if len(beliefs) != tree.n_infosets:
        raise GameError(f"expected {tree.n_infosets} belief vectors; got {len(beliefs)}")
    mu = [np.asarray(b, dtype=np.float64) for b in beliefs]
    for h in range(tree.n_infosets):
        if tree.infoset_player[h] == CHANCE:
            continue
        size = len(tree.infoset_members(h))
        if mu[h].shape != (size,) or not np.all(mu[h] >= -1e-12):
            raise GameError(
                f"information set {h} ({tree.move_names[h]!r}): a belief is {size} "
                f"nonnegative probabilities; got {mu[h].tolist()}"
            )
        if abs(float(mu[h].sum()) - 1.0) > 1e-9:
            raise GameError(
                f"information set {h} ({tree.move_names[h]!r}): beliefs must sum to 1; "
                f"got {float(mu[h].sum()):g}"
            )
    values = node_values(game, behaviour)
    edges = _edges(game, behaviour)
    regret = 0.0
    for h in range(tree.n_infosets):
        player = int(tree.infoset_player[h])
        if player == CHANCE:
            continue
        members = tree.infoset_members(h)
        now = sum(float(p) * float(values[v, player]) for p, v in zip(mu[h], members, strict=True))
        best = best_response_value(game, edges, player, list(zip(members, mu[h], strict=True)))
        regret = max(regret, best - now)
    bayes = 0.0
    for root in tree.subgame_roots():
        for h, expected in enumerate(bayes_beliefs(game, behaviour, root)):
            if expected is None or not _inside(tree, root, h):
                continue
            bayes = max(bayes, float(np.abs(mu[h] - expected).max(initial=0.0)))
    return max(regret, 0.0), bayes


def _inside(tree: GameTree, root: int, h: int) -> bool:
    """Whether information set ``h`` lies in the subtree of ``root``."""
    first = tree.infoset_members(h)[0]
    return root <= first < root + int(tree.subtree_size[root])


def _reach_from(game: ExtensiveFormGame, behaviour: Behaviour, root: int) -> FloatArray:
    """The probability of each node given that play is at ``root`` (0 outside its subtree)."""
    if root == 0:
        return node_reach(game, behaviour)
    tree = game.tree
    edges = _edges(game, behaviour)
    reach = np.zeros(tree.n_nodes)
    reach[root] = 1.0
    for v in range(root, root + int(tree.subtree_size[root])):
        for a, child in enumerate(tree.children(v)):
            reach[child] = reach[v] * edges[v][a]
    return reach


def telling_histories(game: ExtensiveFormGame, nodes: Sequence[int]) -> list[dict[str, str]]:
    """For each node of a set, the moves that tell it apart: chance's if they do, else all."""
    tree = game.tree
    histories = [tree.history(v) for v in nodes]
    chance = {
        tree.move_names[h] for h in range(tree.n_infosets) if tree.infoset_player[h] == CHANCE
    }
    shared = set.intersection(*(set(h.items()) for h in histories)) if histories else set()
    differing = [{m: a for m, a in h.items() if (m, a) not in shared} for h in histories]
    by_chance = [{m: a for m, a in h.items() if m in chance} for h in differing]
    if len({tuple(sorted(h.items())) for h in by_chance}) == len(nodes):
        return by_chance
    return differing
