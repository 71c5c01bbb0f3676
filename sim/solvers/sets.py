"""Connected sets of equilibria, read off the extreme ones a method lists.

A degenerate game can have infinitely many equilibria: a player indifferent
off the path may mix in any proportion over an interval, and a method lists
only the ends (the extreme equilibria). Printed one by one, the ends look like
unrelated equilibria with the same play. This module joins them.

Two Nash equilibria that differ in **one player's mixed strategy only** are
the two ends of a segment of equilibria. Every other player's payoff is linear
in that player's mixed strategy, so each of their regrets along the segment is
a maximum of linear functions minus a linear one: convex, and zero at both
ends, hence zero throughout. That player's own regret is a constant minus a
linear function, zero at both ends, hence zero throughout.

For behaviour strategies on a tree (subgame-perfect equilibria) the same
holds for two equilibria that differ at **one information set only**: with
perfect recall a path meets the set at most once, so every payoff, in every
subgame, is linear in the behaviour there, and the argument above applies
subgame by subgame. (Differing at two sets of one player is not enough:
payoffs are then products of the two, and the midpoint of "A then a" and "B
then b" can fail.)
:func:`equilibrium_sets` joins the listed equilibria along such segments and
returns the connected sets, with the probabilities that vary within each and
their ranges. For a two-player game whose every extreme equilibrium is listed
(vertex enumeration), this finds the connected components exactly: the
equilibria form a finite union of products of faces of the two best-response
polytopes (the maximal Nash subsets), any two pairs of vertices of one such
product differ in one player's strategy or are joined through a third, and two
products that meet share a vertex (Jansen 1981; Avis, Rosenberg, Savani and von
Stengel 2010, section 4). Elsewhere (more players, subgame perfection) the
joins are certain but two listed equilibria can lie in one connected set that
this does not see, for instance through mixed equilibria the method does not
list, or along a path that changes two sets at once; :attr:`EquilibriumSet.exact`
says which.

References
----------
Jansen, M. J. M. (1981). Maximal Nash subsets for bimatrix games. *Naval
Research Logistics Quarterly* 28, 147-152.

Avis, D., Rosenberg, G. D., Savani, R., and von Stengel, B. (2010). Enumeration
of Nash equilibria for two-player games. *Economic Theory* 42, 9-37.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sim.games.extensive_form import ExtensiveFormGame
from sim.solvers.solution import Equilibrium, Solution

__all__ = ["EquilibriumSet", "FreeChoice", "connected_groups", "equilibrium_sets"]

FloatArray = npt.NDArray[np.float64]

#: Concepts whose listed equilibria are joined: the argument above holds for them.
JOINED_CONCEPTS = frozenset({"nash", "spe", "pbe", "sequential"})
#: Of those, the ones whose equilibria carry beliefs (assessments): joined only with the
#: same beliefs, and only when the referee passes points inside the segment.
ASSESSMENT_CONCEPTS = frozenset({"pbe", "sequential"})

#: Two probabilities closer than this are the same.
SAME = 1e-9


@dataclass(frozen=True)
class FreeChoice:
    """A probability that varies across one connected set of equilibria.

    Attributes
    ----------
    player
        The player's index.
    action
        The action's index: in the player's normal-form strategies, or, on a
        tree, in the information set's actions.
    low, high
        The smallest and largest probability of the action in the set.
    information_set
        On a tree, the information set's index in the tree's order; ``None``
        in a normal form.
    reached
        Whether play reaches the information set in some equilibrium of the
        set (always true in a normal form).
    """

    player: int
    action: int
    low: float
    high: float
    information_set: int | None = None
    reached: bool = True


@dataclass(frozen=True)
class EquilibriumSet:
    """A connected set of equilibria, given by the listed equilibria it contains.

    Attributes
    ----------
    members
        Indices into the solution's ``equilibria``, in order.
    free
        The probabilities that vary across the set, each with its range; empty
        for a set of one equilibrium.
    exact
        True when the set is known to be a whole connected component of the
        equilibria (two players, every extreme equilibrium listed); false
        when it may be part of a larger one.
    """

    members: tuple[int, ...]
    free: tuple[FreeChoice, ...] = ()
    exact: bool = False


def equilibrium_sets(solution: Solution) -> tuple[EquilibriumSet, ...]:
    """The connected sets that a solution's listed equilibria lie in.

    Nash equilibria are joined when they differ in one player's strategy only,
    subgame-perfect ones when they differ at one information set only (the
    module notes say why either makes a segment of equilibria), and sets are
    the connected groups of such joins. Concepts other than ``nash`` and
    ``spe`` put each equilibrium in a set of its own.

    Examples
    --------
    A defender who is never challenged may answer a challenge any way that
    keeps the challenger out; vertex enumeration lists the two ends:

    >>> from sim.games.normal_form import NormalFormGame
    >>> from sim.solvers import solve
    >>> game = NormalFormGame.from_matrices(
    ...     [[0, 0], [1, -1]], [[2, 2], [1, 0]],
    ...     players=["Challenger", "Defender"],
    ...     actions=[["out", "in"], ["concede", "fight"]])
    >>> solution = solve(game)
    >>> [eq.strategies[1].round(2).tolist() for eq in solution]
    [[0.5, 0.5], [0.0, 1.0], [1.0, 0.0]]
    >>> [s.members for s in equilibrium_sets(solution)]
    [(0, 1), (2,)]
    >>> (choice,) = equilibrium_sets(solution)[0].free
    >>> choice.player, choice.action, choice.low, choice.high
    (1, 0, 0.0, 0.5)
    """
    equilibria = solution.equilibria
    game = solution.game
    tree_game = game if isinstance(game, ExtensiveFormGame) else None
    groups = connected_groups(solution)
    exact = (
        solution.concept == "nash"
        and solution.complete
        and game.n_players == 2
        and all(eq.strategies is not None for eq in equilibria)
    )
    return tuple(
        EquilibriumSet(
            members,
            _free_choices([equilibria[k] for k in members], tree_game) if len(members) > 1 else (),
            exact,
        )
        for members in groups
    )


def connected_groups(solution: Solution) -> list[tuple[int, ...]]:
    """The members of each set of :func:`equilibrium_sets`, without their ranges (cheaper).

    Examples
    --------
    >>> from sim.games.normal_form import NormalFormGame
    >>> from sim.solvers import solve
    >>> coordination = NormalFormGame.from_matrices([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    >>> connected_groups(solve(coordination))  # three isolated equilibria
    [(0,), (1,), (2,)]
    """
    return _components(solution.equilibria, solution.concept, solution.game)


def _pieces(eq: Equilibrium, concept: str) -> list[FloatArray] | None:
    """What two equilibria may differ in, one piece only, to be joined.

    Nash equilibria with mixed strategies: each player's strategy. Otherwise
    (subgame perfection, or Nash in behaviour strategies only): the behaviour
    at each information set. ``None``: nothing to compare.
    """
    if concept == "nash" and eq.strategies is not None:
        return [np.ravel(np.asarray(s, dtype=np.float64)) for s in eq.strategies]
    if eq.behaviour is None:
        return None
    return [np.ravel(np.asarray(b, dtype=np.float64)) for b in eq.behaviour]


def _components(
    equilibria: Sequence[Equilibrium], concept: str, game: object = None
) -> list[tuple[int, ...]]:
    """Indices grouped by joins between equilibria that differ in one piece only."""
    parent = list(range(len(equilibria)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    if concept in JOINED_CONCEPTS:
        vectors = [_pieces(eq, concept) for eq in equilibria]
        for a, left in enumerate(vectors):
            for b in range(a + 1, len(vectors)):
                right = vectors[b]
                if left is None or right is None or len(left) != len(right):
                    continue
                if sum(_differ(x, y) for x, y in zip(left, right, strict=True)) != 1:
                    continue
                if concept in ASSESSMENT_CONCEPTS and not _segment_holds(
                    game, equilibria[a], equilibria[b], concept
                ):
                    continue
                parent[root(b)] = root(a)
    groups: dict[int, list[int]] = {}
    for k in range(len(equilibria)):
        groups.setdefault(root(k), []).append(k)
    return [tuple(g) for g in groups.values()]


def _segment_holds(game: object, left: Equilibrium, right: Equilibrium, concept: str) -> bool:
    """Whether two assessments with the same beliefs are the ends of a segment of them.

    With the beliefs fixed, every mover's conditions are linear in the one set
    that differs, as above; Bayes' rule and (for sequential equilibria)
    consistency are not, so the referee checks three points inside: the odds
    that Bayes' rule or consistency would need trace a strictly concave curve,
    which no line meets three times.
    """
    from sim.games.assessment import assessment_regret
    from sim.games.consistency import is_consistent

    if not isinstance(game, ExtensiveFormGame) or left.beliefs is None or right.beliefs is None:
        return False
    if any(_differ(x, y) for x, y in zip(left.beliefs, right.beliefs, strict=True)):
        return False
    assert left.behaviour is not None
    assert right.behaviour is not None
    bound = 1e-7 * (game.payoff_range or 1.0)
    for t in (0.25, 0.5, 0.75):
        behaviour = [(1 - t) * np.asarray(x) + t * np.asarray(y)
                     for x, y in zip(left.behaviour, right.behaviour, strict=True)]  # fmt: skip
        regret, bayes = assessment_regret(game, behaviour, left.beliefs)
        if regret > bound or bayes > 1e-7:
            return False
        if concept == "sequential" and not is_consistent(game, behaviour, left.beliefs):
            return False
    return True


def _differ(x: FloatArray, y: FloatArray) -> bool:
    return x.shape != y.shape or bool(np.abs(x - y).max(initial=0.0) > SAME)


def _free_choices(
    members: Sequence[Equilibrium], tree_game: ExtensiveFormGame | None
) -> tuple[FreeChoice, ...]:
    """The probabilities that differ across ``members``, with their ranges.

    On a tree, behaviour at each information set (where the player's own
    strategy reaches it; elsewhere any choice is the same strategy), and
    whether play reaches the set in some member; in a normal form, each
    player's probability of each strategy. Of a set's or a player's two
    actions only the first is given: the other is its complement.
    """
    if tree_game is None:
        table = np.stack(
            [np.concatenate([np.ravel(s) for s in eq.strategies or ()]) for eq in members]
        )
        sizes = [len(s) for s in members[0].strategies or ()]
        spans: list[tuple[int, int | None, int, int]] = [
            (i, None, sum(sizes[:i]), size) for i, size in enumerate(sizes)
        ]
        reach = np.ones((len(members), len(sizes)), dtype=bool)
    else:
        tree = tree_game.tree
        rows, reached = zip(*(_behaviour_and_reach(tree_game, eq) for eq in members), strict=True)
        table = np.stack(rows)
        reach = np.stack(reached)
        spans = []
        offset = 0
        for infoset in range(tree.n_infosets):
            owner = int(tree.infoset_player[infoset])
            size = len(tree.action_labels[infoset]) if owner >= 0 else 0
            spans.append((owner, infoset, offset, size))
            offset += size
    free = []
    for k, (player, h, offset, size) in enumerate(spans):
        if size == 0:
            continue
        block = table[:, offset : offset + size]
        known = ~np.isnan(block[:, 0])
        if known.sum() < 2:
            continue
        low, high = block[known].min(axis=0), block[known].max(axis=0)
        varying = np.flatnonzero(high - low > SAME)
        if size == 2:
            varying = varying[:1]
        for a in varying.tolist():
            free.append(
                FreeChoice(
                    player=player,
                    action=a,
                    low=_clean(low[a]),
                    high=_clean(high[a]),
                    information_set=h,
                    reached=bool(reach[known, k if h is None else h].any()),
                )
            )
    return tuple(free)


def _behaviour_and_reach(game: ExtensiveFormGame, eq: Equilibrium) -> tuple[FloatArray, FloatArray]:
    """An equilibrium's behaviour (NaN where its player's own strategy never goes), and reach.

    Returns the behaviour of every player information set, concatenated in
    the tree's order, and whether play reaches each information set.
    """
    from sim.games.behaviour import behaviour_from_reduced, node_reach

    tree = game.tree
    if eq.behaviour is not None:
        behaviour = [np.asarray(b, dtype=np.float64) for b in eq.behaviour]
        own = np.ones(tree.n_infosets, dtype=bool)
    else:
        assert eq.strategies is not None
        behaviour = [np.array(b) for b in behaviour_from_reduced(game, eq.strategies)]
        own = np.ones(tree.n_infosets, dtype=bool)
        for i, (sigma, strategies) in enumerate(
            zip(eq.strategies, game.reduced_strategies(), strict=True)
        ):
            for k, h in enumerate(tree.player_infosets(i)):
                own[h] = any(
                    weight > 0 and strategy[k] is not None
                    for weight, strategy in zip(sigma, strategies, strict=True)
                )
    at_node = node_reach(game, behaviour)
    reach = np.zeros(tree.n_infosets, dtype=bool)
    for v in range(tree.n_nodes):
        h = int(tree.node_infoset[v])
        if h >= 0 and at_node[v] > SAME:
            reach[h] = True
    for h in range(tree.n_infosets):
        if not own[h]:
            behaviour[h] = np.full(len(behaviour[h]), np.nan)
    row = np.concatenate(
        [
            np.zeros(0),
            *(behaviour[h] for h in range(tree.n_infosets) if tree.infoset_player[h] >= 0),
        ]
    )
    return row, reach


def _clean(p: float) -> float:
    """A probability without the round-off of the solver's arithmetic."""
    return round(float(p), 12) + 0.0
