"""Behaviour profiles on game trees: reach, values and the regret referee.

A *behaviour profile* gives one probability vector per information set (an
empty array for chance sets), in the tree's information-set order. Large trees
have reduced normal forms far too big to list (the flagship dispute's Seoul has
more than 10^12 reduced strategies), so their equilibria are checked here,
directly on the tree, and independently of the solver that found them:

- :func:`node_reach` and :func:`node_values` walk the tree once;
- :func:`subgame_regret` is, over every subgame and every player, the most the
  player could gain in that subgame by a best response against the others'
  behaviour. It is zero (up to round-off) exactly when the profile is subgame
  perfect, so it is the ``max_regret`` reported for subgame-perfect equilibria
  in behaviour strategies.

The best response inside a subgame is computed over the player's information
sets from the deepest up, each choosing the action that maximises the sum over
its nodes of (the others' and chance's reach from the subgame root) x (the
continuation value); with perfect recall this is an exact best response
(e.g. von Stengel 1996, on sequence-form best responses).

References
----------
von Stengel, B. (1996). Efficient computation of behavior strategies.
*Games and Economic Behavior* 14, 220-246.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from sim.errors import GameError
from sim.games.extensive_form import (
    CHANCE,
    CHANCE_NODE,
    DECISION,
    TERMINAL,
    ExtensiveFormGame,
    GameTree,
)

__all__ = [
    "batch_spe_regret",
    "behaviour_from_reduced",
    "node_reach",
    "node_values",
    "subgame_regret",
    "terminal_probabilities",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Behaviour = Sequence[npt.ArrayLike]


def _edges(game: ExtensiveFormGame, behaviour: Behaviour) -> list[FloatArray]:
    """The probability of each action at each node (empty for terminals)."""
    tree = game.tree
    if len(behaviour) != tree.n_infosets:
        raise GameError(f"expected {tree.n_infosets} behaviour vectors; got {len(behaviour)}")
    arrays = [np.asarray(b, dtype=np.float64) for b in behaviour]
    chance = {int(v): k for k, v in enumerate(tree.chance_nodes.tolist())}
    edges: list[FloatArray] = []
    for v in range(tree.n_nodes):
        kind = tree.node_kind[v]
        if kind == TERMINAL:
            edges.append(np.zeros(0))
        elif kind == CHANCE_NODE:
            k = chance[v]
            edges.append(
                game.chance_probabilities[tree.chance_offsets[k] : tree.chance_offsets[k + 1]]
            )
        else:
            h = int(tree.node_infoset[v])
            beta = arrays[h]
            if beta.shape != (len(tree.action_labels[h]),):
                raise GameError(
                    f"information set {h} ({tree.move_names[h]!r}): expected "
                    f"{len(tree.action_labels[h])} probabilities; got shape {beta.shape}"
                )
            edges.append(beta)
    return edges


def behaviour_from_reduced(
    game: ExtensiveFormGame, strategies: Sequence[npt.ArrayLike]
) -> tuple[FloatArray, ...]:
    """Behaviour strategies equivalent to a mixed profile of reduced strategies.

    Kuhn's theorem (perfect recall): at each information set, the probability
    of an action is the weight of the player's strategies that reach the set
    and choose it, divided by the weight of those that reach it. A set the
    player's own mix never reaches gets uniform play (any choice there is
    equivalent).

    Parameters
    ----------
    game
        The game.
    strategies
        One probability vector per player over the reduced strategies, in the
        order of :meth:`ExtensiveFormGame.reduced_strategies`.

    Examples
    --------
    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> game = build_game(["A", "B"], Decision("A", [
    ...     ("out", Terminal([1, 1])),
    ...     ("in", Decision("B", [("x", Decision("A", [("u", Terminal([3, 0])),
    ...                                                ("d", Terminal([0, 2]))])),
    ...                            ("y", Terminal([0, 0]))]))]))
    >>> game.reduced_strategies()[0]   # A: out; in then u; in then d
    ((0, None), (1, 0), (1, 1))
    >>> [b.tolist() for b in behaviour_from_reduced(game, [[0.5, 0.125, 0.375], [1.0, 0.0]])]
    [[0.5, 0.5], [1.0, 0.0], [0.25, 0.75]]
    """
    tree = game.tree
    reduced = game.reduced_strategies()
    if len(strategies) != tree.n_players:
        raise GameError(f"expected {tree.n_players} strategies; got {len(strategies)}")
    behaviour: list[FloatArray] = [np.zeros(0) for _ in range(tree.n_infosets)]
    for i, (sigma, own) in enumerate(zip(strategies, reduced, strict=True)):
        mix = np.asarray(sigma, dtype=np.float64)
        if mix.shape != (len(own),):
            raise GameError(
                f"strategy of {tree.players[i]!r}: expected {len(own)} probabilities; "
                f"got shape {mix.shape}"
            )
        for k, h in enumerate(tree.player_infosets(i)):
            weights = np.zeros(len(tree.action_labels[h]))
            for weight, strategy in zip(mix, own, strict=True):
                if strategy[k] is not None:
                    weights[strategy[k]] += weight
            total = weights.sum()
            behaviour[h] = weights / total if total > 0 else np.full(len(weights), 1 / len(weights))
    return tuple(behaviour)


def node_reach(game: ExtensiveFormGame, behaviour: Behaviour) -> FloatArray:
    """The probability of reaching each node from the root.

    Examples
    --------
    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> game = build_game(["A"], Decision("A", [("l", Terminal([1])), ("r", Terminal([0]))]))
    >>> node_reach(game, [[0.25, 0.75]]).tolist()
    [1.0, 0.25, 0.75]
    """
    tree = game.tree
    edges = _edges(game, behaviour)
    reach = np.zeros(tree.n_nodes)
    reach[0] = 1.0
    for v in range(tree.n_nodes):
        for a, child in enumerate(tree.children(v)):
            reach[child] = reach[v] * edges[v][a]
    return reach


def terminal_probabilities(game: ExtensiveFormGame, behaviour: Behaviour) -> FloatArray:
    """The probability of each outcome, in ``tree.terminals`` order."""
    return node_reach(game, behaviour)[game.tree.terminals]


def node_values(game: ExtensiveFormGame, behaviour: Behaviour) -> FloatArray:
    """Each player's expected payoff from each node on, shape ``(n_nodes, n_players)``.

    Examples
    --------
    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> game = build_game(["A"], Decision("A", [("l", Terminal([1])), ("r", Terminal([0]))]))
    >>> node_values(game, [[0.25, 0.75]])[0].tolist()
    [0.25]
    """
    tree = game.tree
    edges = _edges(game, behaviour)
    values = np.zeros((tree.n_nodes, tree.n_players))
    values[tree.terminals] = game.payoffs
    for v in range(tree.n_nodes - 1, -1, -1):
        kids = tree.children(v)
        if kids:
            values[v] = edges[v] @ values[list(kids)]
    return values


def _perfect_information_regret(
    game: ExtensiveFormGame, edges: list[FloatArray], values: FloatArray
) -> float:
    """Every node roots a subgame: one backward pass of best-response values per player."""
    tree = game.tree
    worst = 0.0
    for i in range(tree.n_players):
        best = np.zeros(tree.n_nodes)
        best[tree.terminals] = game.payoffs[:, i]
        for v in range(tree.n_nodes - 1, -1, -1):
            kids = list(tree.children(v))
            if not kids:
                continue
            own = tree.node_kind[v] == DECISION and tree.infoset_player[tree.node_infoset[v]] == i
            best[v] = best[kids].max() if own else edges[v] @ best[kids]
        internal = tree.node_kind != TERMINAL
        worst = max(worst, float((best - values[:, i])[internal].max(initial=0.0)))
    return worst


def best_response_value(
    game: ExtensiveFormGame,
    edges: list[FloatArray],
    player: int,
    start: Sequence[tuple[int, float]],
) -> float:
    """``player``'s best-response value from nodes weighted as in ``start``.

    ``start`` is ``(node, weight)`` pairs: a subgame's root with weight 1, or
    an information set's nodes with the mover's belief. Below them the
    player's own information sets are decided deepest first, each by the
    action that maximises the sum over its nodes of (the start weight times
    the others' and chance's reach) x (the continuation value); with perfect
    recall every later set of the player lies wholly below the start nodes.
    ``edges`` is each node's action probabilities (:func:`_edges`). Work is
    proportional to the subtrees' size.
    """
    tree = game.tree
    weight: dict[int, float] = {}
    own_sets: dict[int, list[int]] = {}
    for root, w in start:
        weight[root] = float(w)
        for v in range(root, root + int(tree.subtree_size[root])):  # preorder: parents first
            h = int(tree.node_infoset[v])
            mine = tree.node_kind[v] == DECISION and tree.infoset_player[h] == player
            if mine:
                own_sets.setdefault(h, []).append(v)
            for a, child in enumerate(tree.children(v)):
                weight[child] = weight[v] * (1.0 if mine else edges[v][a])
    decided: dict[int, int] = {}
    memo: dict[int, float] = {}
    terminal_row = _terminal_row(tree)

    def worth(v: int) -> float:
        if v in memo:
            return memo[v]
        kids = tree.children(v)
        if not kids:
            result = float(game.payoffs[terminal_row[v], player])
        else:
            h = int(tree.node_infoset[v])
            if h in decided and tree.node_kind[v] == DECISION:
                result = worth(kids[decided[h]])
            else:
                result = float(sum(p * worth(c) for p, c in zip(edges[v], kids, strict=True)))
        memo[v] = result
        return result

    # Deepest sets first: with perfect recall a set below another has its first
    # node after the other's first node in preorder. A value cached while
    # scoring lies below sets already decided, so it stays right.
    for h, members in sorted(own_sets.items(), key=lambda item: -min(item[1])):
        n = len(tree.action_labels[h])
        scores = [sum(weight[v] * worth(tree.children(v)[a]) for v in members) for a in range(n)]
        decided[h] = int(np.argmax(scores))
    return float(sum(w * worth(root) for root, w in start))


def _terminal_row(tree: GameTree) -> IntArray:
    """Each node's payoff row (``-1`` for non-terminals), built once per tree."""
    if tree not in _TERMINAL_ROWS:
        if len(_TERMINAL_ROWS) >= 8:
            _TERMINAL_ROWS.clear()
        row = np.full(tree.n_nodes, -1, dtype=np.int64)
        row[tree.terminals] = np.arange(tree.n_terminals)
        _TERMINAL_ROWS[tree] = row
    return _TERMINAL_ROWS[tree]


_TERMINAL_ROWS: dict[GameTree, IntArray] = {}


def subgame_regret(game: ExtensiveFormGame, behaviour: Behaviour) -> float:
    """The largest gain of any player from a best response in any subgame.

    Zero (up to round-off) exactly when ``behaviour`` is subgame perfect; this
    is computed from the tree alone, independently of any solver.

    Examples
    --------
    Tokyo's threat to skip after a fund is not credible:

    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> game = build_game(["Seoul", "Tokyo"], Decision("Seoul", [
    ...     ("fund", Decision("Tokyo", [("attend", Terminal([2, 2])),
    ...                                 ("skip", Terminal([-1, 1]))])),
    ...     ("proceed", Terminal([0, 0]))]))
    >>> subgame_regret(game, [[0.0, 1.0], [0.0, 1.0]])
    1.0
    >>> subgame_regret(game, [[1.0, 0.0], [1.0, 0.0]])
    0.0
    """
    tree = game.tree
    edges = _edges(game, behaviour)
    values = node_values(game, behaviour)
    if tree.is_perfect_information:
        return _perfect_information_regret(game, edges, values)
    worst = 0.0
    for root in tree.subgame_roots():
        for i in range(tree.n_players):
            gain = best_response_value(game, edges, i, [(root, 1.0)]) - values[root, i]
            worst = max(worst, float(gain))
    return worst


def batch_spe_regret(
    game_tree: GameTree,
    payoffs: npt.ArrayLike,
    chance: npt.ArrayLike,
    decision_nodes: npt.ArrayLike,
    choices: npt.ArrayLike,
    *,
    chunk_size: int = 512,
) -> FloatArray:
    """The largest one-shot deviation gain of one pure profile per point, for a batch.

    On a perfect-information tree: evaluates the given choices bottom-up
    (values under the profile), then at every decision node compares the
    mover's best child with the chosen one. By the one-shot deviation principle
    the largest gap is zero exactly when the profile is subgame perfect; it
    never exceeds :func:`subgame_regret` (which lets a deviator change several
    choices). It is computed apart from the solver that made the choices, so
    sweeps report an independent check.

    Parameters
    ----------
    game_tree
        A tree whose decision information sets are singletons.
    payoffs
        Shape ``(B, n_terminals, n_players)``.
    chance
        Shape ``(B, n_chance_actions)``.
    decision_nodes, choices
        The decision nodes and, shape ``(B, len(decision_nodes))``, the action
        index chosen at each.
    chunk_size
        Points evaluated together (small chunks keep the working arrays in
        the processor's cache); it does not change the result.

    Returns
    -------
    numpy.ndarray
        Shape ``(B,)``.

    Examples
    --------
    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> tree = build_game(["Seoul", "Tokyo"], Decision("Seoul", [
    ...     ("fund", Decision("Tokyo", [("attend", Terminal([2, 2])),
    ...                                 ("skip", Terminal([-1, 1]))])),
    ...     ("proceed", Terminal([0, 0]))])).tree
    >>> pay = np.array([[[2, 2], [-1, 1], [0, 0]]] * 2, dtype=float)
    >>> batch_spe_regret(tree, pay, np.zeros((2, 0)), [0, 1], [[0, 0], [0, 1]]).tolist()
    [0.0, 1.0]
    """
    tree = game_tree
    pay = np.asarray(payoffs, dtype=np.float64)
    prob = np.asarray(chance, dtype=np.float64)
    nodes = np.asarray(decision_nodes, dtype=np.int64)
    chosen = np.asarray(choices, dtype=np.int64)
    batch = pay.shape[0]
    if pay.shape[1:] != (tree.n_terminals, tree.n_players) or prob.shape != (
        batch,
        tree.n_chance_actions,
    ):
        raise GameError(
            f"expected payoffs of shape (B, {tree.n_terminals}, {tree.n_players}) and chance "
            f"probabilities (B, {tree.n_chance_actions}); got {pay.shape} and {prob.shape}"
        )
    column = np.full(tree.n_nodes, -1, dtype=np.int64)
    column[nodes] = np.arange(len(nodes))
    decisions = np.flatnonzero(tree.node_kind == DECISION)
    if chosen.shape != (batch, len(nodes)) or np.any(column[decisions] < 0):
        raise GameError("expected a choice at every decision node for every point")
    arity = np.array([len(tree.children(int(v))) for v in nodes], dtype=np.int64)
    if chosen.size and (chosen.min() < 0 or np.any(chosen.max(axis=0) >= arity)):
        raise GameError("a choice is not an action index of its node")
    chance_start = np.full(tree.n_nodes, -1, dtype=np.int64)
    chance_start[tree.chance_nodes] = tree.chance_offsets[:-1]
    regret = np.zeros(batch)
    for lo in range(0, batch, max(1, chunk_size)):
        rows = slice(lo, lo + chunk_size)
        regret[rows] = _one_shot_regret(
            tree, pay[rows], prob[rows], chosen[rows], column, chance_start
        )
    return regret


def _one_shot_regret(
    tree: GameTree,
    pay: FloatArray,
    prob: FloatArray,
    chosen: IntArray,
    column: IntArray,
    chance_start: IntArray,
) -> FloatArray:
    """:func:`batch_spe_regret` for one chunk, a tree level at a time, points last."""
    m, n_players = pay.shape[0], tree.n_players
    pay_t = np.ascontiguousarray(pay.reshape(m, -1).T).reshape(-1, n_players, m)
    prob_t = np.ascontiguousarray(prob.T)
    chosen_t = np.ascontiguousarray(chosen.T)
    worst = np.zeros(m)
    below = np.zeros((0, n_players, m))
    for level in reversed(tree.levels):
        current = np.empty((len(level.nodes), n_players, m))  # values under the profile
        current[level.terminal_positions] = pay_t[level.terminal_rows]
        for group in level.groups:
            options = below[group.child_positions]  # (nodes, actions, players, points)
            if group.owner == CHANCE:
                start = chance_start[group.nodes]
                p = prob_t[start[:, None] + np.arange(group.n_actions)]  # (nodes, actions, points)
                current[group.positions] = np.sum(p[:, :, None, :] * options, axis=1)
                continue
            pick = chosen_t[column[group.nodes]]  # (nodes, points)
            picked = options[:, 0]
            for a in range(1, group.n_actions):
                picked = np.where((pick == a)[:, None, :], options[:, a], picked)
            best = options[:, :, group.owner, :].max(axis=1)
            np.maximum(worst, (best - picked[:, group.owner, :]).max(axis=0), out=worst)
            current[group.positions] = picked
        below = current
    return worst
