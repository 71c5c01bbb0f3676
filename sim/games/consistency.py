"""Kreps–Wilson consistency: beliefs that trembles could have produced.

An assessment (behaviour ``b`` and beliefs ``mu``) is *consistent* (Kreps and
Wilson 1982) when it is the limit of assessments in which every action has
positive probability and the beliefs follow Bayes' rule. Consistency is what
sequential equilibrium adds to perfect Bayesian equilibrium: it ties beliefs
off the path to one another and to the tree (two nodes reached by the same
unexpected action keep the odds chance gave them, and a player cannot
"signal what it does not know").

The test here does not search for sequences. Along any such sequence (by the
curve selection lemma one can take it analytic in a small ``eps``) an action
the limit never takes has probability ``w(a) * eps**k(a)`` to first order,
with ``w(a) > 0`` and an *order* ``k(a) > 0``; actions the limit takes have
order 0 and ``w(a) = b(a)``. A node's probability is then, to first order,
``W(x) * eps**K(x)``: the products of chance's probabilities and the ``w``,
and the sum of the orders, along its path. In the limit an information set's
belief sits on its nodes of least order, in proportion to ``W``. So the
assessment is consistent exactly when there are orders and weights with

- at every set, the nodes the belief gives positive probability have equal
  order, and the others larger order: linear constraints on the orders, a
  linear program (scaled so that "larger" means "by at least 1");
- at every set, for two nodes of the belief's support,
  ``log W(x) - log W(y) = log mu(x) - log mu(y)``: linear equations in the
  unknown ``log w``, solved by least squares.

The two problems share no unknowns, so the assessment is consistent exactly
when both are solvable. This is a check, independent of every solver, that
a reported sequential equilibrium's beliefs are consistent.

References
----------
Kreps, D. M. and Wilson, R. (1982). Sequential equilibria. *Econometrica* 50,
863-894.

Kohlberg, E. and Reny, P. J. (1997). Independence on relative probability
spaces and consistent assessments in game trees. *Journal of Economic
Theory* 75, 280-313.

Examples
--------
Selten's horse: player 3 cannot tell whether player 1 went down (``D``) or
player 1 went across and player 2 down (``C`` then ``d``). When both stay
across, any belief of player 3 is consistent: the two trembles are
independent.

>>> from sim.games.extensive_form import Decision, Terminal, build_game
>>> def three(l, r):
...     return Decision("3", [("L", Terminal(l)), ("R", Terminal(r))], "3")
>>> horse = build_game(["1", "2", "3"], Decision("1", [
...     ("C", Decision("2", [("c", Terminal([1, 1, 1])),
...                          ("d", three([4, 4, 0], [0, 0, 1]))])),
...     ("D", three([3, 3, 2], [0, 0, 0]))]))
>>> across = [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]
>>> [is_consistent(horse, across, [[1.0], [1.0], mu]) for mu in ([0.9, 0.1], [0.0, 1.0])]
[True, True]

When player 1 goes down, the node after ``D`` is reached: Bayes' rule gives
it probability 1.

>>> down = [[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]
>>> [is_consistent(horse, down, [[1.0], [1.0], mu]) for mu in ([0.0, 1.0], [0.5, 0.5])]
[True, False]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog

from sim.games.behaviour import Behaviour
from sim.games.extensive_form import CHANCE, CHANCE_NODE, ExtensiveFormGame

__all__ = ["is_consistent"]

FloatArray = npt.NDArray[np.float64]

#: A probability at or below this is zero (an action not taken, a node not believed).
ZERO = 1e-9


def is_consistent(
    game: ExtensiveFormGame,
    behaviour: Behaviour,
    beliefs: Sequence[npt.ArrayLike],
    *,
    tol: float = 1e-6,
) -> bool:
    """Whether an assessment is consistent in the sense of Kreps and Wilson.

    Parameters
    ----------
    game
        The game tree (perfect recall).
    behaviour
        One probability vector per information set (empty for chance sets).
    beliefs
        One probability vector per information set over its nodes, in the
        order of ``tree.infoset_members(h)`` (anything for chance sets).
    tol
        Largest error allowed in the logarithms of the beliefs' odds.

    Returns
    -------
    bool
        True when some sequence of completely mixed behaviour profiles
        converges to ``behaviour`` with Bayes beliefs converging to ``beliefs``.
        Probabilities at or below 1e-9 count as zero.
    """
    tree = game.tree
    b = [np.asarray(p, dtype=np.float64) for p in behaviour]
    # Unknowns: one order and one log-weight per action the behaviour never takes.
    column: dict[tuple[int, int], int] = {}
    for h in range(tree.n_infosets):
        if tree.infoset_player[h] != CHANCE:
            for a, p in enumerate(b[h]):
                if p <= ZERO:
                    column[(h, a)] = len(column)
    n = len(column)
    # For every node: the row of its path's orders, and its log weight's known part
    # (minus infinity behind a chance move of probability 0: never reached).
    rows = np.zeros((tree.n_nodes, n))
    known = np.zeros(tree.n_nodes)
    for v in range(1, tree.n_nodes):  # preorder: parents first
        parent = int(tree.parent[v])
        a = tree.action_index(v)
        h = int(tree.node_infoset[parent])
        rows[v], known[v] = rows[parent], known[parent]
        if tree.node_kind[parent] == CHANCE_NODE:
            p = float(game.chance_at(parent)[a])
            known[v] += math.log(p) if p > 0 else -math.inf
        elif (h, a) in column:
            rows[v, column[(h, a)]] += 1.0
        else:
            known[v] += math.log(float(b[h][a]))
    equal: list[FloatArray] = []
    larger: list[FloatArray] = []
    targets: list[float] = []
    for h in range(tree.n_infosets):
        if tree.infoset_player[h] == CHANCE:
            continue
        members = [v for v in tree.infoset_members(h) if math.isfinite(known[v])]
        mu = dict(
            zip(tree.infoset_members(h), np.asarray(beliefs[h], dtype=np.float64), strict=True)
        )
        if not members:
            continue  # no sequence reaches the set: any belief is a limit
        support = [v for v in members if mu[v] > ZERO]
        if len(support) < sum(1 for v in mu if mu[v] > ZERO):
            return False  # belief on a node that chance never reaches
        first = support[0]
        for v in support[1:]:
            # Equal orders, and odds from the weights of the untaken actions on the
            # two paths (each appears on a path at most once: the same row serves).
            equal.append(rows[v] - rows[first])
            targets.append(math.log(mu[v] / mu[first]) - (known[v] - known[first]))
        for v in members:
            if mu[v] <= ZERO:
                larger.append(rows[first] - rows[v])  # order(v) >= order(first) + 1
    if not _orders_exist(equal, larger, n):
        return False
    return _weights_exist(equal, targets, n, tol)


def _orders_exist(equal: list[FloatArray], larger: list[FloatArray], n: int) -> bool:
    """Whether orders ``k >= 1`` give ``equal @ k == 0`` and ``larger @ k <= -1``."""
    if n == 0:
        return not larger  # every node has order 0: none can be larger
    result = linprog(
        np.zeros(n),
        A_ub=np.array(larger) if larger else None,
        b_ub=-np.ones(len(larger)) if larger else None,
        A_eq=np.array(equal) if equal else None,
        b_eq=np.zeros(len(equal)) if equal else None,
        bounds=[(1.0, None)] * n,
        method="highs",
    )
    return bool(result.status == 0)


def _weights_exist(rows: list[FloatArray], targets: list[float], n: int, tol: float) -> bool:
    """Whether log-weights ``omega`` solve ``rows @ omega == targets`` (least squares)."""
    if not rows:
        return True
    t = np.array(targets)
    if n == 0:
        return bool(np.abs(t).max() <= tol)
    a = np.array(rows)
    omega = np.linalg.lstsq(a, t, rcond=None)[0]
    return bool(np.abs(a @ omega - t).max() <= tol)
