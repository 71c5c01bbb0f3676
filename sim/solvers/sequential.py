"""Sequential equilibria (Kreps and Wilson 1982): perfect Bayesian with consistent beliefs.

A sequential equilibrium is an assessment that is sequentially rational (every
mover's choice is a best response given its belief, at every information set,
on the path or off it) and *consistent*: its beliefs are the limit of Bayes'
rule under ever smaller trembles (:func:`sim.games.consistency.is_consistent`
checks it, independently of this module). It is a perfect Bayesian equilibrium
whose beliefs off the path could have come from mistakes.

:func:`sequential_equilibria` lists them in two ways, and says which:

- **Two-stage games** (senders after chance, then receivers; signalling
  games): every perfect Bayesian equilibrium of
  :func:`~sim.solvers.perfect_bayesian.two_stage_pbe` whose assessment is
  consistent. When every sender set is a single node and each of its actions
  leads to at most one receiver node (signalling games; a challenger whose
  entries the defender cannot tell apart), every belief is consistent, the
  two concepts coincide and the list is complete.
- **Deeper games** (Selten's horse): every *pure* behaviour profile is tried;
  where one is sequentially rational for some beliefs (a linear program per
  set off the path), a consistent belief is sought among a few points of
  that polytope. Each pure equilibrium is then stretched at one set off the
  path at a time: the mover there mixes, with a belief that leaves it
  indifferent, as far as the others still best respond. The two ends are
  listed, and :mod:`sim.solvers.sets` joins them into one set. Equilibria
  with mixing on the path, or at two sets at once, are not searched for: the
  result is not complete, and says so.

Every listed assessment is checked by the referee
(:func:`sim.games.assessment.assessment_regret`) and for consistency.

References
----------
Kreps, D. M. and Wilson, R. (1982). Sequential equilibria. *Econometrica* 50,
863-894.

Selten, R. (1975). Reexamination of the perfectness concept for equilibrium
points in extensive games. *International Journal of Game Theory* 4, 25-55.

Osborne, M. J. and Rubinstein, A. (1994). *A Course in Game Theory*, section
12.2 and exercise 225.1. MIT Press.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog

from sim.errors import TooLargeError, UsageError
from sim.games.assessment import assessment_regret, bayes_beliefs, telling_histories
from sim.games.behaviour import node_reach, node_values
from sim.games.consistency import is_consistent
from sim.games.extensive_form import CHANCE, DECISION, ExtensiveFormGame, GameTree
from sim.games.reduced_form import normal_form_within
from sim.solvers.perfect_bayesian import (
    REDUCED_LIMIT,
    clean_probabilities,
    is_two_stage,
    two_stage_pbe,
)
from sim.solvers.solution import Equilibrium, Solution, make_behaviour_equilibrium
from sim.solvers.subgame_perfect import reduced_profile
from sim.text import path_text

__all__ = ["sequential_equilibria"]

FloatArray = npt.NDArray[np.float64]

#: At most this many partial pure profiles are visited on a game deeper than two stages.
MAX_VISITS = 200_000
#: At most this many of them survive the one-shot checks and get beliefs (a few ms each).
MAX_CANDIDATES = 5_000
#: Probabilities of a stretched set are found to this precision (bisection).
PRECISION = 1e-12

METHOD = "sequential_equilibria"


def sequential_equilibria(game: ExtensiveFormGame, *, tol: float = 1e-9) -> Solution:
    """Sequential equilibria of a game tree, with their beliefs.

    Parameters
    ----------
    game
        A game tree with perfect recall.
    tol
        Tolerance of the linear programs and of the referee's checks (in
        units of the payoff range).

    Returns
    -------
    Solution
        Concept ``"sequential"``, each equilibrium in behaviour strategies
        with ``beliefs``. ``complete`` only for two-stage games whose every
        belief is consistent (then every sequential equilibrium is listed, one
        per support profile); ``notes`` give the beliefs off the path that
        support each equilibrium, and what was not searched.

    Raises
    ------
    UsageError
        If ``tol`` is not positive.
    TooLargeError
        On a game deeper than two stages where more than 200,000 partial
        pure profiles are visited, or more than 5,000 complete ones survive
        the one-shot checks; on a two-stage game, as
        :func:`~sim.solvers.perfect_bayesian.two_stage_pbe`.

    Examples
    --------
    Selten's horse (Osborne and Rubinstein 1994, exercise 225.1): both
    players 1 and 2 stay across; player 3, off the path, goes left with
    probability at most 1/4, believing player 1 went down with probability
    at most 1/3 (exactly 1/3 when it mixes).

    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> def three(l, r):
    ...     return Decision("3", [("L", Terminal(l)), ("R", Terminal(r))], "3")
    >>> horse = build_game(["1", "2", "3"], Decision("1", [
    ...     ("C", Decision("2", [("c", Terminal([1, 1, 1])),
    ...                          ("d", three([4, 4, 0], [0, 0, 1]))])),
    ...     ("D", three([3, 3, 2], [0, 0, 0]))]))
    >>> solution = sequential_equilibria(horse)
    >>> [eq.behaviour[2].round(6).tolist() for eq in solution], solution.complete
    ([[0.0, 1.0], [0.25, 0.75]], False)
    >>> [eq.beliefs[2].round(6).tolist() for eq in solution]
    [[0.666667, 0.333333], [0.666667, 0.333333]]
    """
    if not (isinstance(tol, float | int) and math.isfinite(tol) and tol > 0):
        raise UsageError(
            f"{{tol}} must be positive; got {tol!r}", function=METHOD, parameters=["tol"]
        )
    if is_two_stage(game):
        return _two_stage(game, tol)
    return _deeper(game, tol)


# ---------------------------------------------------------------------- two stages
def _two_stage(game: ExtensiveFormGame, tol: float) -> Solution:
    pbe = two_stage_pbe(game, tol=tol)
    kept = [
        replace(eq, concept="sequential", method=METHOD)
        for eq in pbe
        if is_consistent(game, eq.behaviour or (), eq.beliefs or ())
    ]
    free = _every_belief_consistent(game)
    notes = list(pbe.notes) if free else []
    if not free:
        notes.append(
            "here consistency ties beliefs off the path together; every listed assessment "
            "is consistent, but a support profile whose chosen beliefs are not may still "
            f"hold a sequential equilibrium ({len(pbe) - len(kept)} of {len(pbe)} perfect "
            "Bayesian equilibria were set aside)"
        )
    return Solution(
        game=game,
        equilibria=tuple(kept),
        concept="sequential",
        method=METHOD,
        complete=pbe.complete and free,
        notes=tuple(notes),
        normal=pbe.normal,
    )


def _every_belief_consistent(game: ExtensiveFormGame) -> bool:
    """Whether each second-stage node has its own tremble: one sender node, one action.

    Then the orders and weights of the trembles can be set node by node, so
    every belief at every set is a limit of Bayes' rule.
    """
    tree = game.tree
    seen: set[tuple[int, int]] = set()
    for h in range(tree.n_infosets):
        if tree.infoset_player[h] == CHANCE:
            continue
        for v in tree.infoset_members(h):
            decisions = [(p, a) for p, a in tree.path(v) if tree.node_kind[p] == DECISION]
            if not decisions:
                if len(tree.infoset_members(h)) > 1:
                    return False  # a first-stage set of several nodes
                continue
            (step,) = decisions
            if step in seen:
                return False
            seen.add(step)
    return True


# ---------------------------------------------------------------------- deeper games
def _deeper(game: ExtensiveFormGame, tol: float) -> Solution:
    tree = game.tree
    sets = [h for h in range(tree.n_infosets) if tree.infoset_player[h] != CHANCE]
    scale = game.payoff_range if game.payoff_range > 0 else 1.0
    found: list[tuple[list[FloatArray], list[FloatArray]]] = []
    unsettled = 0
    for k, choice in enumerate(_pure_candidates(game, sets, tol * scale)):
        if k == MAX_CANDIDATES:
            raise TooLargeError(
                f"more than {MAX_CANDIDATES:,} pure profiles pass the one-shot checks; each "
                "needs linear programs and the referee, too many to try for sequential "
                f"equilibria ({len(sets)} information sets)",
                function=METHOD,
            )
        behaviour = _pure(tree, choice)
        assessment = _supporting_beliefs(game, behaviour, tol * scale)
        if assessment is _UNSETTLED:
            unsettled += 1
        elif assessment is not None:
            found.append((behaviour, assessment))
    stretched = []
    for behaviour, beliefs in found:
        stretched.extend(_stretch(game, behaviour, beliefs, tol * scale))
    assessments = _distinct([*found, *stretched])
    normal = normal_form_within(game, REDUCED_LIMIT)
    equilibria = tuple(_equilibrium(game, b, mu, normal is not None) for b, mu in assessments)
    notes = [
        "every pure sequential equilibrium is listed, each stretched at one set off the "
        "path at a time; equilibria that mix on the path, or at two sets at once, were "
        "not searched for"
    ]
    if unsettled:
        notes.append(
            f"{unsettled} pure profile(s) are sequentially rational for some beliefs, but "
            "none of the beliefs tried was consistent: they may be sequential equilibria too"
        )
    notes.extend(_belief_notes(game, equilibria, tol * scale))
    return Solution(
        game=game,
        equilibria=equilibria,
        concept="sequential",
        method=METHOD,
        complete=False,
        notes=tuple(notes),
        normal=normal,
    )


def _pure_candidates(
    game: ExtensiveFormGame, sets: list[int], tol: float
) -> Iterator[dict[int, int]]:
    """The pure profiles in which every single-node set's choice is a best one-shot choice.

    A necessary condition (a one-node set's belief is 1, and a sequentially
    rational choice is in particular a best one-shot deviation), checked as
    soon as every set below the node has its action: sets are given actions
    deepest first, and a failed check prunes every completion. On a tree of
    perfect information this visits little more than its subgame-perfect
    profiles.
    """
    tree = game.tree
    order = sorted(sets, key=lambda h: -min(tree.infoset_members(h)))
    position = {h: k for k, h in enumerate(order)}
    checks: list[list[int]] = [[] for _ in order]
    for h in sets:
        (x, *others) = tree.infoset_members(h)
        if others:
            continue
        below = {
            int(tree.node_infoset[v])
            for v in range(x, x + int(tree.subtree_size[x]))
            if tree.node_kind[v] == DECISION
        }
        checks[max(position[t] for t in below)].append(x)
    row = {int(t): k for k, t in enumerate(tree.terminals)}
    choice: dict[int, int] = {}

    def value(v: int) -> FloatArray:
        kids = tree.children(v)
        if not kids:
            return np.asarray(game.payoffs[row[v]], dtype=np.float64)
        if tree.node_kind[v] == DECISION:
            return value(kids[choice[int(tree.node_infoset[v])]])
        return np.asarray(game.chance_at(v) @ np.array([value(c) for c in kids]))

    def best(x: int) -> bool:
        i = int(tree.infoset_player[tree.node_infoset[x]])
        worth = [float(value(c)[i]) for c in tree.children(x)]
        return max(worth) - worth[choice[int(tree.node_infoset[x])]] <= tol

    visits = 0

    def extend(k: int) -> Iterator[dict[int, int]]:
        nonlocal visits
        if k == len(order):
            yield dict(choice)
            return
        h = order[k]
        for a in range(len(tree.action_labels[h])):
            visits += 1
            if visits > MAX_VISITS:
                raise TooLargeError(
                    f"more than {MAX_VISITS:,} partial pure profiles to try for sequential "
                    f"equilibria ({len(sets)} information sets)",
                    function=METHOD,
                )
            choice[h] = a
            if all(best(x) for x in checks[k]):
                yield from extend(k + 1)
        del choice[h]

    yield from extend(0)


#: Sequentially rational for some beliefs, none of them found consistent.
_UNSETTLED: list[FloatArray] = []


def _pure(tree: GameTree, choice: dict[int, int]) -> list[FloatArray]:
    behaviour = []
    for h in range(tree.n_infosets):
        if h in choice:
            row = np.zeros(len(tree.action_labels[h]))
            row[choice[h]] = 1.0
            behaviour.append(row)
        else:
            behaviour.append(np.zeros(0))
    return behaviour


def _gains(game: ExtensiveFormGame, values: FloatArray, h: int) -> FloatArray:
    """``gains[a, k]``: the mover's continuation value of action ``a`` at the set's node ``k``."""
    tree = game.tree
    i = int(tree.infoset_player[h])
    return np.array(
        [[values[tree.children(v)[a], i] for v in tree.infoset_members(h)]
         for a in range(len(tree.action_labels[h]))]
    )  # fmt: skip


def _fixed_beliefs(game: ExtensiveFormGame, behaviour: list[FloatArray]) -> list[FloatArray | None]:
    """Beliefs that Bayes' rule fixes, from the root or from a subgame's root; else None."""
    tree = game.tree
    fixed: list[FloatArray | None] = [None] * tree.n_infosets
    for root in tree.subgame_roots():
        for h, belief in enumerate(bayes_beliefs(game, behaviour, root)):
            if belief is not None and fixed[h] is None:
                fixed[h] = belief
    for h in range(tree.n_infosets):
        if fixed[h] is None and len(tree.infoset_members(h)) == 1:
            fixed[h] = np.ones(1)
    return fixed


def _belief_polytope(gains: FloatArray, used: list[int], tol: float) -> dict[str, Any]:
    """The linear program of the beliefs that make the ``used`` actions optimal (tied)."""
    n = gains.shape[1]
    anchor = used[0]
    a_ub, a_eq, b_eq = [], [np.ones(n)], [1.0]
    for a in range(len(gains)):
        difference = gains[a] - gains[anchor]
        if a == anchor:
            continue
        if a in used:
            a_eq.append(difference)
            b_eq.append(0.0)
        else:
            a_ub.append(difference)
    return {
        "A_ub": np.array(a_ub) if a_ub else None,
        "b_ub": np.full(len(a_ub), tol) if a_ub else None,
        "A_eq": np.array(a_eq),
        "b_eq": np.array(b_eq),
        "bounds": [(0.0, 1.0)] * n,
        "method": "highs",
    }


def _candidates(program: dict[str, Any], n: int) -> list[FloatArray]:
    """A few beliefs of the polytope: the middle of its extremes first, then the extremes."""
    extremes = []
    for k in range(n):
        for sign in (1.0, -1.0):
            cost = np.zeros(n)
            cost[k] = sign
            result = linprog(cost, **program)
            if result.status != 0:
                return []
            extremes.append(_polished(np.asarray(result.x, dtype=np.float64), program))
    middle = _polished(np.mean(extremes, axis=0), program)
    return [middle, *extremes]


def _polished(belief: FloatArray, program: dict[str, Any]) -> FloatArray:
    """A belief from a program, moved onto its equalities (the least change) and cleaned.

    The programs' answers are right to about 1e-9; an indifference belief such
    as 1/3 is then exact to round-off.
    """
    a = np.asarray(program["A_eq"], dtype=np.float64)
    b = np.asarray(program["b_eq"], dtype=np.float64)
    moved = belief - np.linalg.pinv(a) @ (a @ belief - b)
    return clean_probabilities(moved if np.all(moved >= -1e-9) else belief)


def _supporting_beliefs(
    game: ExtensiveFormGame, behaviour: list[FloatArray], tol: float
) -> list[FloatArray] | None:
    """Consistent beliefs under which a pure profile is sequentially rational, if any.

    ``None`` when no belief makes it sequentially rational; :data:`_UNSETTLED`
    when some do but none tried is consistent.
    """
    tree = game.tree
    values = node_values(game, behaviour)
    if not _best_on_the_path(game, behaviour, values, tol):
        return None
    fixed = _fixed_beliefs(game, behaviour)
    options: list[list[FloatArray]] = []
    for h in range(tree.n_infosets):
        if tree.infoset_player[h] == CHANCE:
            options.append([np.zeros(0)])
            continue
        gains = _gains(game, values, h)
        chosen = int(np.argmax(behaviour[h]))
        belief = fixed[h]
        if belief is not None:
            if float((gains @ belief).max() - gains[chosen] @ belief) > tol:
                return None
            options.append([belief])
            continue
        found = _candidates(_belief_polytope(gains, [chosen], tol), gains.shape[1])
        if not found:
            return None
        options.append(found)
    # The middle of every polytope first; then each set's other candidates in turn.
    first = [o[0] for o in options]
    if _checked(game, behaviour, first, tol):
        return first
    for h, choices in enumerate(options):
        for belief in choices[1:]:
            trial = [*first[:h], belief, *first[h + 1 :]]
            if _checked(game, behaviour, trial, tol):
                return trial
    return _UNSETTLED


def _best_on_the_path(
    game: ExtensiveFormGame, behaviour: list[FloatArray], values: FloatArray, tol: float
) -> bool:
    """Whether every set play reaches has a best one-shot choice given Bayes' rule.

    Necessary, and one pass over the tree: most profiles fail it, before any
    linear program or subgame's beliefs are computed.
    """
    tree = game.tree
    reach = node_reach(game, behaviour)
    for h in range(tree.n_infosets):
        if tree.infoset_player[h] == CHANCE:
            continue
        weights = reach[list(tree.infoset_members(h))]
        if weights.sum() <= 0:
            continue
        worth = _gains(game, values, h) @ weights
        if float(worth.max() - worth[int(np.argmax(behaviour[h]))]) > tol * weights.sum():
            return False
    return True


def _checked(
    game: ExtensiveFormGame, behaviour: list[FloatArray], beliefs: list[FloatArray], tol: float
) -> bool:
    """The referee's verdict: sequentially rational, Bayes where it applies, consistent."""
    if not is_consistent(game, behaviour, beliefs):  # the cheaper test, first
        return False
    regret, bayes = assessment_regret(game, behaviour, beliefs)
    return regret <= 10 * tol and bayes <= 1e-7


def _stretch(
    game: ExtensiveFormGame, behaviour: list[FloatArray], beliefs: list[FloatArray], tol: float
) -> list[tuple[list[FloatArray], list[FloatArray]]]:
    """The other ends of segments of equilibria through a pure one, one set off the path each.

    At a set play never reaches, the mover may mix its chosen action with
    another one if some belief leaves it indifferent between them; the others'
    conditions are then linear in the mixing probability, so the equilibria
    form an interval from 0, whose far end is found by bisection and checked
    with three points inside it.
    """
    tree = game.tree
    values = node_values(game, behaviour)
    reach = node_reach(game, behaviour)
    ends = []
    for h in range(tree.n_infosets):
        if tree.infoset_player[h] == CHANCE or reach[list(tree.infoset_members(h))].sum() > 0:
            continue
        gains = _gains(game, values, h)
        chosen = int(np.argmax(behaviour[h]))
        for other in range(len(gains)):
            if other == chosen:
                continue
            program = _belief_polytope(gains, sorted([chosen, other]), tol)
            tied = _candidates(program, gains.shape[1])
            if not tied:
                continue
            mu = [*beliefs[:h], tied[0], *beliefs[h + 1 :]]
            far = _far_end(game, behaviour, mu, h, other, tol)
            if far is not None:
                ends.append((behaviour, mu))
                ends.append((_mixed(behaviour, h, other, far), mu))
    return ends


def _mixed(behaviour: list[FloatArray], h: int, other: int, p: float) -> list[FloatArray]:
    """``behaviour`` with set ``h`` moving probability ``p`` to action ``other``."""
    row = (1 - p) * behaviour[h]
    row[other] += p
    return [*behaviour[:h], row, *behaviour[h + 1 :]]


def _far_end(
    game: ExtensiveFormGame,
    behaviour: list[FloatArray],
    beliefs: list[FloatArray],
    h: int,
    other: int,
    tol: float,
) -> float | None:
    """The largest probability of ``other`` at ``h`` that keeps an equilibrium; None if 0."""

    def holds(p: float) -> bool:
        return _checked(game, _mixed(behaviour, h, other, p), beliefs, tol)

    if not holds(0.0):
        return None
    low, high = 0.0, 1.0
    if not holds(1.0):
        while high - low > PRECISION:
            middle = (low + high) / 2
            low, high = (middle, high) if holds(middle) else (low, middle)
    end = _snap(low if high < 1.0 else 1.0, holds)
    if end <= 1e-9 or not all(holds(end * t) for t in (0.25, 0.5, 0.75)):
        return None
    return end


def _snap(p: float, holds: Callable[[float], bool]) -> float:
    """A bisection's end, as the simple fraction near it when that one still holds.

    The referee's tolerance lets the bisection run slightly past the true end
    (1/4 becomes 0.25000001); a fraction with a small denominator within 1e-6
    that passes the referee is the end.
    """
    simple = float(Fraction(p).limit_denominator(1000))
    return simple if abs(simple - p) < 1e-6 and holds(simple) else p


def _distinct(
    assessments: list[tuple[list[FloatArray], list[FloatArray]]],
) -> list[tuple[list[FloatArray], list[FloatArray]]]:
    """One assessment per behaviour profile: a stretched one's beliefs replace the first's."""
    by_play: dict[bytes, tuple[list[FloatArray], list[FloatArray]]] = {}
    for behaviour, beliefs in assessments:
        key = np.concatenate([np.round(b, 9) for b in behaviour]).tobytes()
        by_play[key] = (behaviour, beliefs)
    return list(by_play.values())


def _equilibrium(
    game: ExtensiveFormGame, behaviour: list[FloatArray], beliefs: list[FloatArray], reduced: bool
) -> Equilibrium:
    eq = make_behaviour_equilibrium(
        game,
        behaviour,
        concept="sequential",
        method=METHOD,
        strategies=reduced_profile(game, behaviour) if reduced else None,
    )
    regret, bayes = assessment_regret(game, behaviour, beliefs)
    return replace(
        eq,
        max_regret=max(regret, eq.max_regret),
        beliefs=tuple(np.asarray(b, dtype=np.float64) for b in beliefs),
        details={"bayes_error": bayes},
    )


def _belief_notes(
    game: ExtensiveFormGame, equilibria: tuple[Equilibrium, ...], tol: float
) -> list[str]:
    """For each pure equilibrium, the beliefs off the path that keep its choices optimal."""
    tree = game.tree
    notes = []
    for k, eq in enumerate(equilibria):
        if not eq.pure or eq.behaviour is None:
            continue
        behaviour = list(eq.behaviour)
        values = node_values(game, behaviour)
        fixed = _fixed_beliefs(game, behaviour)
        parts = []
        for h in range(tree.n_infosets):
            if tree.infoset_player[h] == CHANCE or fixed[h] is not None:
                continue
            gains = _gains(game, values, h)
            program = _belief_polytope(gains, [int(np.argmax(behaviour[h]))], tol)
            extremes = _candidates(program, gains.shape[1])[1:]
            if not extremes:
                continue
            low = np.min(extremes, axis=0)
            high = np.max(extremes, axis=0)
            who = tree.players[int(tree.infoset_player[h])]
            nodes = tree.infoset_members(h)
            told = [path_text(t) for t in telling_histories(game, nodes)]
            for lo, hi, history in zip(low, high, told, strict=True):
                parts.append(
                    f"{who}, at {tree.move_names[h]} (off the path), believes {history} "
                    f"with probability from {lo:.3g} to {hi:.3g}"
                )
        if parts:
            notes.append(f"equilibrium {k + 1} is supported by these beliefs: " + "; ".join(parts))
    return notes
