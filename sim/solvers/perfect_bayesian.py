"""Every perfect Bayesian equilibrium of a two-stage game: senders, then receivers.

A perfect Bayesian equilibrium (PBE) is an assessment (behaviour and, at every
information set, a belief over its nodes) in which every mover's choice is a
best response given its belief, and beliefs follow Bayes' rule wherever the
behaviour reaches a set (:mod:`sim.games.assessment` checks both).

This module lists them for **two-stage games**: games whose every path has at
most two player decisions, the first at a *sender* set (after chance only: a
type, a state of the world) and the second at a *receiver* set whose moves
end the game (up to chance). Signalling games (beer-quiche, costly signals,
job-market signalling), screening and entry-deterrence games with one hidden
move are of this kind.

The method is **support enumeration with linear programs**, exact for this
class. For each choice of the actions used at every information set:

- the receivers' conditions (each used action at least as good as every
  other, given the belief) are linear in the senders' behaviour at a set the
  senders reach (Bayes' rule's denominator is positive there and cancels),
  and linear in the belief at a set they do not reach, which is then free;
- the senders' conditions are linear in the receivers' behaviour.

So each support profile is a product of polytopes, one linear program each
says whether it is empty (with every used action's probability bounded away
from 0), and further ones give the ranges of the free beliefs. Every PBE lies
in exactly one support profile, so the list is complete: one equilibrium per
support profile (a point of it), and, per outcome, the range of the off-path
beliefs that support it, in words, in ``notes``.

References
----------
Fudenberg, D. and Tirole, J. (1991). *Game Theory*, ch. 8. MIT Press.

Cho, I.-K. and Kreps, D. M. (1987). Signaling games and stable equilibria.
*Quarterly Journal of Economics* 102, 179-221.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from sim.errors import TooLargeError, UsageError
from sim.games.assessment import assessment_regret, bayes_beliefs, telling_histories
from sim.games.extensive_form import CHANCE, CHANCE_NODE, DECISION, ExtensiveFormGame, GameTree
from sim.games.reduced_form import normal_form_within
from sim.solvers.solution import Equilibrium, Solution, make_behaviour_equilibrium
from sim.solvers.subgame_perfect import reduced_profile
from sim.text import path_text

__all__ = ["clean_probabilities", "is_two_stage", "signalling_kind", "two_stage_pbe"]

FloatArray = npt.NDArray[np.float64]

#: At most this many support profiles (the product over sets of the supports that some
#: belief or answer makes optimal), and this many actions at one set.
MAX_SUPPORT_PROFILES = 20_000
MAX_ACTIONS = 12
#: The refinements of signalling equilibria, as the notes name them.
REFINEMENTS = {
    "intuitive": "the intuitive criterion (Cho and Kreps 1987)",
    "d1": "criterion D1 (Cho and Kreps 1987; Banks and Sobel 1987)",
}
#: Up to this many reduced profiles, equilibria also carry their reduced strategies.
REDUCED_LIMIT = 10_000
#: A used action's probability must be at least this in some point of the polytope.
POSITIVE = 1e-9


@dataclass(frozen=True)
class _Stages:
    """A two-stage game's sets, and the linear pieces of their conditions."""

    senders: tuple[int, ...]  # information sets of the first stage
    receivers: tuple[int, ...]  # of the second
    chance: FloatArray  # each node's product of chance probabilities on its path
    before: dict[int, tuple[int, int]]  # receiver node -> (sender node above it, action)
    # receiver node -> its weight for Bayes' rule from its set's deepest subgame root
    # (chance from there), and whether the sender's choice above it counts (it is inside)
    weight: dict[int, tuple[float, bool]]
    # value[v]: payoffs from node v when no decision follows (shape n_players), for the
    # children of receiver nodes and the stage-1 children that lead to no receiver
    value: FloatArray
    # for each sender node x and action a: the receiver nodes below child(x, a) (reached
    # through chance only) with their conditional chance weights, and the constant part
    below: dict[tuple[int, int], tuple[list[tuple[int, float]], FloatArray]]


def two_stage_pbe(
    game: ExtensiveFormGame, *, tol: float = 1e-9, refine: str | None = None
) -> Solution:
    """Every perfect Bayesian equilibrium of a two-stage game, by support enumeration.

    Parameters
    ----------
    game
        A game tree in which every path has at most two player decisions: one
        at a set reached through chance only, then one whose moves end the game
        (up to chance).
    tol
        Tolerance of the linear programs and of the referee's checks.
    refine
        ``"d1"``: keep only those that survive criterion D1: after an unsent
        message, a type is set aside when another gains from every answer
        that would make it gain or break even, and the receiver's answer must
        be a best response to a belief on the types left.
        ``"intuitive"``: keep only the equilibria that pass Cho and Kreps's
        intuitive criterion. For each message no type sends, the types that
        could not gain by it under any belief are set aside; an equilibrium
        fails when another type would gain under every best response to
        beliefs on the rest. Signalling games only (one sender with a node
        per type, each message leading to one receiver set).

    Returns
    -------
    Solution
        Concept ``"pbe"``: one equilibrium per support profile that has one, in
        behaviour strategies with ``beliefs``; ``complete`` (the method lists
        every support profile). ``notes`` say, for each outcome, the beliefs
        off the path that support it.

    Raises
    ------
    UsageError
        If the game has a third stage, or a first-stage set of several nodes
        that chance never reaches (its belief would be free and the
        conditions no longer linear); with ``refine``, if it is not a
        signalling game.
    TooLargeError
        If there are more than 20,000 support profiles that some belief or
        answer makes optimal, or a set has more than 12 actions.

    Examples
    --------
    A challenger stays out, probes or attacks; the defender sees that it came
    in but not how, and retaliating is worse for it after either. Only attack
    and accommodate survive: the threat to retaliate is believed by no belief.

    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> def answer(win, cost):
    ...     return Decision("D", [("retaliate", Terminal([-1, -2 - cost])),
    ...                           ("accommodate", Terminal([win, -1]))], "entered")
    >>> game = build_game(["C", "D"], Decision("C", [
    ...     ("out", Terminal([0, 0])), ("probe", answer(1, 0)), ("attack", answer(2, 1))]))
    >>> solution = two_stage_pbe(game)
    >>> [eq.behaviour[0].tolist() for eq in solution], solution.complete
    ([[0.0, 0.0, 1.0]], True)

    A signalling game is refined by Cho and Kreps's intuitive criterion with
    ``refine="intuitive"``: in beer-quiche only pooling on beer survives.

    >>> from sim.games.extensive_form import Chance
    >>> def sender(strong):
    ...     def answer(food):
    ...         liked = 1 if (food == "beer") == strong else 0
    ...         return Decision("R", [("duel", Terminal([liked, -1 if strong else 1])),
    ...                               ("not", Terminal([liked + 2, 0]))], f"after {food}")
    ...     return Decision("S", [(f, answer(f)) for f in ("beer", "quiche")],
    ...                     "strong" if strong else "weak")
    >>> quiche = build_game(["S", "R"], Chance([("strong", 0.9, sender(True)),
    ...                                         ("weak", 0.1, sender(False))], "type"))
    >>> len(two_stage_pbe(quiche)), len(two_stage_pbe(quiche, refine="intuitive"))
    (4, 2)
    >>> {eq.behaviour[1].tolist()[0] for eq in two_stage_pbe(quiche, refine="intuitive")}
    {1.0}
    """
    if not (isinstance(tol, float | int) and math.isfinite(tol) and tol > 0):
        raise UsageError(
            f"{{tol}} must be positive; got {tol!r}", function="two_stage_pbe", parameters=["tol"]
        )
    # The programs see payoffs scaled to a range of 1: their tolerances are absolute.
    scale = game.payoff_range if game.payoff_range > 0 else 1.0
    if refine not in (None, *REFINEMENTS):
        raise UsageError(
            f"{{refine}}: expected 'intuitive' or 'd1'; got {refine!r}",
            function="two_stage_pbe",
            parameters=["refine"],
        )
    stages = _stages(ExtensiveFormGame(game.tree, game.payoffs / scale, game.chance_probabilities))
    tree = game.tree
    sets = [*stages.senders, *stages.receivers]
    sizes = [len(tree.action_labels[h]) for h in sets]
    if max(sizes, default=0) > MAX_ACTIONS:
        raise TooLargeError(
            f"an information set with {max(sizes)} actions (more than {MAX_ACTIONS}): "
            "too many supports to enumerate",
            function="two_stage_pbe",
        )
    found: list[tuple[Equilibrium, dict[int, tuple[FloatArray, FloatArray]]]] = []
    subsets = _possible_supports(game, stages, tol)
    n_send = len(stages.senders)
    profiles = math.prod(len(options) for options in subsets)
    if profiles > MAX_SUPPORT_PROFILES:
        raise TooLargeError(
            f"{profiles:,} support profiles (more than {MAX_SUPPORT_PROFILES:,}) to enumerate, "
            "after dropping the supports that no belief or answer makes optimal",
            function="two_stage_pbe",
        )
    for first in itertools.product(*subsets[:n_send]):
        used1 = dict(zip(stages.senders, first, strict=True))
        reached = {h: _reached(tree, stages, h, used1) for h in stages.receivers}
        for second in itertools.product(*subsets[n_send:]):
            used2 = dict(zip(stages.receivers, second, strict=True))
            point = _solve_support(game, stages, used1, used2, reached, tol)
            if point is not None:
                found.append(point)
    # Where the reduced normal form is small, each equilibrium also gets its mixed
    # profile there (Kuhn), so that it can be checked as a Nash equilibrium too.
    normal = normal_form_within(game, REDUCED_LIMIT)
    equilibria = [
        eq if normal is None else replace(eq, strategies=reduced_profile(game, eq.behaviour or ()))
        for eq, _ in found
    ]
    notes: list[str] = []
    if refine is not None:
        structure = _signalling(game, refine)
        test = _passes if refine == "intuitive" else _passes_d1
        passed = [k for k, (eq, _) in enumerate(found) if test(game, structure, eq)]
        notes.append(
            f"{REFINEMENTS[refine]} keeps {len(passed)} of {len(found)} perfect Bayesian equilibria"
        )
        found = [found[k] for k in passed]
        equilibria = [equilibria[k] for k in passed]
    notes = _belief_notes(game, stages, found) + notes
    return Solution(
        game=game,
        equilibria=tuple(equilibria),
        concept="pbe",
        method="two_stage_pbe",
        complete=True,
        notes=tuple(notes),
        normal=normal,
    )


def _possible_supports(
    game: ExtensiveFormGame, stages: _Stages, tol: float
) -> list[list[tuple[int, ...]]]:
    """Per set (senders, then receivers), the supports that can be in an equilibrium.

    A support that no belief (receivers) or no answer of the receivers
    (senders) makes optimal can be in no equilibrium: dropping it before the
    products are taken is what makes three-type games tractable.
    """
    tree = game.tree
    sets = [*stages.senders, *stages.receivers]
    subsets = [
        [s for r in range(1, k + 1) for s in itertools.combinations(range(k), r)]
        for k in (len(tree.action_labels[h]) for h in sets)
    ]
    receiver_sizes = [len(tree.action_labels[h]) for h in stages.receivers]

    def possible(h: int, used: tuple[int, ...]) -> bool:
        program = _Program(list(stages.receivers), receiver_sizes)
        if not _sender_conditions(game, stages, program, h, used, tol):
            return False
        return not stages.receivers or program.solve(None) is not None

    n_send = len(stages.senders)
    for k, h in enumerate(stages.senders):
        subsets[k] = [used for used in subsets[k] if possible(h, used)]
    for k, h in enumerate(stages.receivers, start=n_send):
        subsets[k] = [used for used in subsets[k] if _free_belief(game, stages, h, used)]
    return subsets


# ---------------------------------------------------------------------- structure
def is_two_stage(game: ExtensiveFormGame) -> bool:
    """Whether :func:`two_stage_pbe` takes the game: senders after chance, then receivers.

    Examples
    --------
    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> end = Terminal([0, 0])
    >>> is_two_stage(build_game(["A", "B"], Decision("A", [("x", Decision("B", [("y", end)])),
    ...                                                    ("z", end)])))
    True
    """
    try:
        _stages(game)
    except UsageError:
        return False
    return True


def _stages(game: ExtensiveFormGame) -> _Stages:
    tree = game.tree
    decisions_above = np.zeros(tree.n_nodes, dtype=np.int64)
    chance = np.ones(tree.n_nodes)
    sender_of = np.full(tree.n_nodes, -1, dtype=np.int64)  # the decision node above, if any
    action_of = np.full(tree.n_nodes, -1, dtype=np.int64)
    offsets = {int(v): k for k, v in enumerate(tree.chance_nodes.tolist())}
    for v in range(tree.n_nodes):  # preorder
        for a, child in enumerate(tree.children(v)):
            decision = tree.node_kind[v] == DECISION
            decisions_above[child] = decisions_above[v] + decision
            if tree.node_kind[v] == CHANCE_NODE:
                k = offsets[v]
                chance[child] = chance[v] * game.chance_probabilities[tree.chance_offsets[k] + a]
            else:
                chance[child] = chance[v]
            if decision and decisions_above[v] == 0:
                sender_of[child], action_of[child] = v, a
            else:
                sender_of[child], action_of[child] = sender_of[v], action_of[v]
    senders, receivers = [], []
    for h in range(tree.n_infosets):
        if tree.infoset_player[h] == CHANCE:
            continue
        depth = {int(decisions_above[v]) for v in tree.infoset_members(h)}
        if depth == {0}:
            senders.append(h)
        elif depth == {1}:
            receivers.append(h)
        else:
            raise UsageError(
                f"{{concept}}: sim lists perfect Bayesian equilibria of two-stage games so far "
                f"(senders, then receivers whose moves end the game); information set "
                f"{tree.move_names[h]!r} comes after {max(depth)} decisions; "
                "{concept=sequential} lists the pure sequential equilibria of deeper games "
                "(each one is also perfect Bayesian)",
                function="two_stage_pbe",
                parameters={"concept": "pbe"},
            )
    for h in senders:
        members = tree.infoset_members(h)
        if len(members) > 1 and chance[list(members)].sum() <= 0:
            raise UsageError(
                f"{{concept}}: the first-stage information set {tree.move_names[h]!r} has "
                "several nodes and chance never reaches it, so its belief is free",
                function="two_stage_pbe",
                parameters={"concept": "pbe"},
            )
    # Payoffs from each node on when no decision follows: chance's expectation.
    value = np.zeros((tree.n_nodes, tree.n_players))
    value[tree.terminals] = game.payoffs
    for v in range(tree.n_nodes - 1, -1, -1):
        kids = tree.children(v)
        if kids and tree.node_kind[v] == CHANCE_NODE:
            k = offsets[v]
            p = game.chance_probabilities[tree.chance_offsets[k] : tree.chance_offsets[k + 1]]
            value[v] = p @ value[list(kids)]
    before = {}
    weight: dict[int, tuple[float, bool]] = {}
    roots = tree.subgame_roots()
    for h in receivers:
        members = tree.infoset_members(h)
        first, last = min(members), max(members)
        root = max(r for r in roots if r < first and last < r + int(tree.subtree_size[r]))
        for y in members:
            before[y] = (int(sender_of[y]), int(action_of[y]))
            w, v = 1.0, y
            while v != root:  # chance's probabilities between the root and y
                parent = int(tree.parent[v])
                if tree.node_kind[parent] == CHANCE_NODE:
                    k = offsets[parent]
                    w *= float(
                        game.chance_probabilities[tree.chance_offsets[k] + tree.action_index(v)]
                    )
                v = parent
            weight[y] = (w, before[y][0] >= root)
    below: dict[tuple[int, int], tuple[list[tuple[int, float]], FloatArray]] = {}
    for h in senders:
        for x in tree.infoset_members(h):
            for a, z in enumerate(tree.children(x)):
                nodes: list[tuple[int, float]] = []
                constant = np.zeros(tree.n_players)
                stack = [(z, 1.0)]
                while stack:
                    v, share = stack.pop()
                    if tree.node_kind[v] == DECISION:
                        nodes.append((v, share))
                    elif tree.node_kind[v] == CHANCE_NODE:
                        k = offsets[v]
                        start = tree.chance_offsets[k]
                        for b, child in enumerate(tree.children(v)):
                            q = float(game.chance_probabilities[start + b])
                            stack.append((child, share * q))
                    else:
                        constant += share * value[v]
                below[(x, a)] = (nodes, constant)
    return _Stages(tuple(senders), tuple(receivers), chance, before, weight, value, below)


def _reached(tree: GameTree, stages: _Stages, h: int, used1: dict[int, tuple[int, ...]]) -> bool:
    """Whether the senders' supports reach receiver set ``h`` with positive probability."""
    members = tree.infoset_members(h)
    if len(members) == 1:
        return False  # a single node: its belief is 1 whatever the behaviour
    for y in members:
        x, a = stages.before[y]
        w, counts = stages.weight[y]
        if w > 0 and (not counts or a in used1[int(tree.node_infoset[x])]):
            return True
    return False


# ---------------------------------------------------------------------- the LPs
class _Program:
    """A linear feasibility problem over probability vectors, one per set, with a margin."""

    def __init__(self, sets: list[int], sizes: list[int]) -> None:
        self.offset: dict[int, int] = {}
        n = 0
        for h, k in zip(sets, sizes, strict=True):
            self.offset[h] = n
            n += k
        self.n = n + 1  # the last variable is the margin t
        self.sizes = dict(zip(sets, sizes, strict=True))
        self.upper: list[FloatArray] = []  # rows of A_ub x <= 0
        self.equal: list[tuple[FloatArray, float]] = []

    def column(self, h: int, a: int) -> int:
        return self.offset[h] + a

    def constant(self, row: FloatArray, value: float) -> None:
        """Add ``value`` to ``row @ x``: times the first set's probabilities, which sum to 1."""
        h, k = next(iter(self.sizes.items()))
        row[self.offset[h] : self.offset[h] + k] += value

    def row(self) -> FloatArray:
        return np.zeros(self.n)

    def at_least(self, row: FloatArray) -> None:
        """``row @ x >= 0``."""
        self.upper.append(-row)

    def zero(self, row: FloatArray) -> None:
        self.equal.append((row, 0.0))

    def solve(self, used: dict[int, tuple[int, ...]] | None) -> FloatArray | None:
        """A feasible point with every used probability >= t > 0 (maximising t), or None.

        ``used=None``: any support will do (a feasibility check, no margin).
        """
        from scipy.optimize import linprog

        rows_ub = list(self.upper)
        rows_eq = list(self.equal)
        bounds = [(0.0, 1.0)] * (self.n - 1) + [(0.0, 1.0)]
        for h, k in self.sizes.items():
            total = self.row()
            total[self.offset[h] : self.offset[h] + k] = 1.0
            rows_eq.append((total, 1.0))
            for a in range(k):
                j = self.column(h, a)
                if used is None:
                    continue
                if a in used[h]:
                    margin = self.row()
                    margin[j], margin[-1] = -1.0, 1.0  # t - x_j <= 0
                    rows_ub.append(margin)
                else:
                    bounds[j] = (0.0, 0.0)
        cost = np.zeros(self.n)
        cost[-1] = -1.0 if used is not None else 0.0
        a_ub = np.array(rows_ub) if rows_ub else None
        b_ub = np.zeros(len(rows_ub)) if rows_ub else None
        a_eq = np.array([r for r, _ in rows_eq]) if rows_eq else None
        b_eq = np.array([b for _, b in rows_eq]) if rows_eq else None
        result = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                         method="highs")  # fmt: skip
        if result.status != 0:
            return None
        x = np.asarray(result.x, dtype=np.float64)
        if used is not None and x[-1] < POSITIVE:
            return None
        return x


def _optimal(program: _Program, h: int, used: tuple[int, ...], gain: list[FloatArray]) -> None:
    """Constraints: every used action of ``h`` as good as any other (``gain[a] @ x``)."""
    anchor = used[0]
    for a in range(len(gain)):
        difference = gain[a] - gain[anchor]
        if a in used:
            program.zero(difference)
        else:
            program.at_least(-difference)  # gain[anchor] - gain[a] >= 0


def _solve_support(
    game: ExtensiveFormGame,
    stages: _Stages,
    used1: dict[int, tuple[int, ...]],
    used2: dict[int, tuple[int, ...]],
    reached: dict[int, bool],
    tol: float,
) -> tuple[Equilibrium, dict[int, tuple[FloatArray, FloatArray]]] | None:
    """The equilibrium at one support profile, if any, and the free beliefs' ranges."""
    tree = game.tree
    sizes = {h: len(tree.action_labels[h]) for h in (*stages.senders, *stages.receivers)}
    # Senders' behaviour: receivers' conditions at the sets they reach.
    first = _Program(list(stages.senders), [sizes[h] for h in stages.senders])
    for h in stages.receivers:
        if not reached[h]:
            continue
        i = int(tree.infoset_player[h])
        gain = []
        for b in range(sizes[h]):
            row = first.row()
            for y in tree.infoset_members(h):
                x, a = stages.before[y]
                w, counts = stages.weight[y]
                worth = w * stages.value[tree.children(y)[b], i]
                if counts:
                    row[first.column(int(tree.node_infoset[x]), a)] += worth
                else:  # a constant: times the first sender set's probabilities, which sum to 1
                    first.constant(row, worth)
            gain.append(row)
        _optimal(first, h, used2[h], gain)
    beta1 = first.solve(used1)
    if beta1 is None:
        return None
    # Receivers' behaviour: senders' conditions.
    second = _Program(list(stages.receivers), [sizes[h] for h in stages.receivers])
    for h in stages.senders:
        if not _sender_conditions(game, stages, second, h, used1[h], tol):
            return None
    beta2 = second.solve(used2) if stages.receivers else np.zeros(1)
    if beta2 is None:
        return None
    # Beliefs where the senders do not go: any that keeps the receivers' choice optimal.
    free: dict[int, tuple[FloatArray, FloatArray]] = {}
    point_beliefs: dict[int, FloatArray] = {}
    for h in stages.receivers:
        if reached[h]:
            continue
        interval = _free_belief(game, stages, h, used2[h])
        if interval is None:
            return None
        free[h] = interval[:2]
        point_beliefs[h] = interval[2]
    behaviour = [np.zeros(0) for _ in range(tree.n_infosets)]
    for h in stages.senders:
        behaviour[h] = clean_probabilities(beta1[first.offset[h] : first.offset[h] + sizes[h]])
    for h in stages.receivers:
        behaviour[h] = clean_probabilities(beta2[second.offset[h] : second.offset[h] + sizes[h]])
    beliefs = []
    for h, belief in enumerate(bayes_beliefs(game, behaviour)):
        if tree.infoset_player[h] == CHANCE:
            beliefs.append(np.zeros(0))
        elif belief is not None:
            beliefs.append(belief)
        elif h in point_beliefs:
            beliefs.append(point_beliefs[h])
        else:  # a first-stage singleton chance never reaches
            beliefs.append(np.full(len(tree.infoset_members(h)), 1 / len(tree.infoset_members(h))))
    eq = make_behaviour_equilibrium(game, behaviour, concept="pbe", method="two_stage_pbe")
    regret, bayes = assessment_regret(game, behaviour, beliefs)
    eq = replace(eq, max_regret=max(regret, eq.max_regret), beliefs=tuple(beliefs),
                 details={"bayes_error": bayes})  # fmt: skip
    return eq, free


def _sender_conditions(
    game: ExtensiveFormGame,
    stages: _Stages,
    program: _Program,
    h: int,
    used: tuple[int, ...],
    tol: float,
) -> bool:
    """Add to ``program`` (the receivers' behaviour) that ``used`` is optimal at sender set ``h``.

    False when nothing follows the senders and ``used`` is not optimal (then
    the conditions are constants and the program has no variables).
    """
    tree = game.tree
    i = int(tree.infoset_player[h])
    members = tree.infoset_members(h)
    total = float(stages.chance[list(members)].sum())
    rows, constants = [], []
    for a in range(len(tree.action_labels[h])):
        row = program.row()
        constant = 0.0
        for x in members:  # the belief at a first-stage set: chance's, by Bayes' rule
            weight = float(stages.chance[x]) / total if total > 0 else 1.0
            nodes, fixed = stages.below[(x, a)]
            constant += weight * float(fixed[i])
            for y, p in nodes:
                hy = int(tree.node_infoset[y])
                for b, child in enumerate(tree.children(y)):
                    row[program.column(hy, b)] += weight * p * stages.value[child, i]
        if stages.receivers:
            program.constant(row, constant)
        rows.append(row)
        constants.append(constant)
    if not stages.receivers:  # nothing follows: the senders' conditions are constants
        return all(constants[a] >= max(constants) - tol for a in used)
    _optimal(program, h, used, rows)
    return True


def _free_belief(
    game: ExtensiveFormGame, stages: _Stages, h: int, used: tuple[int, ...]
) -> tuple[FloatArray, FloatArray, FloatArray] | None:
    """At an unreached receiver set: each node's lowest and highest belief, and one belief."""
    from scipy.optimize import linprog

    tree = game.tree
    members = tree.infoset_members(h)
    i = int(tree.infoset_player[h])
    n = len(members)
    gains = np.array([[stages.value[tree.children(y)[b], i] for y in members]
                      for b in range(len(tree.action_labels[h]))])  # fmt: skip
    anchor = used[0]
    a_ub, a_eq = [], [np.ones(n)]
    b_eq = [1.0]
    for b in range(len(gains)):
        difference = gains[b] - gains[anchor]
        if b in used:
            a_eq.append(difference)
            b_eq.append(0.0)
        else:
            a_ub.append(difference)  # gains[b] - gains[anchor] <= 0
    kwargs = {
        "A_ub": np.array(a_ub) if a_ub else None,
        "b_ub": np.zeros(len(a_ub)) if a_ub else None,
        "A_eq": np.array(a_eq),
        "b_eq": np.array(b_eq),
        "bounds": [(0.0, 1.0)] * n,
        "method": "highs",
    }
    low, high = np.zeros(n), np.zeros(n)
    for k in range(n):
        cost = np.zeros(n)
        cost[k] = 1.0
        lo = linprog(cost, **kwargs)
        hi = linprog(-cost, **kwargs)
        if lo.status != 0 or hi.status != 0:
            return None
        low[k], high[k] = lo.x[k], hi.x[k]
    centre = linprog(np.zeros(n), **kwargs)  # one belief of the set
    if centre.status != 0:
        return None
    return (
        _rounded(low),
        _rounded(high),
        clean_probabilities(np.asarray(centre.x, dtype=np.float64)),
    )


def _rounded(p: FloatArray) -> FloatArray:
    """Probabilities without the programs' round-off (not renormalised: these are bounds)."""
    return np.clip(np.round(p, 12), 0.0, 1.0) + 0.0


def clean_probabilities(p: FloatArray) -> FloatArray:
    """A probability vector without the programs' round-off."""
    q = np.where(np.abs(p) < 1e-12, 0.0, p)
    q = np.clip(q, 0.0, 1.0)
    total = q.sum()
    return q / total if total > 0 else q


def _belief_notes(
    game: ExtensiveFormGame,
    stages: _Stages,
    found: list[tuple[Equilibrium, dict[int, tuple[FloatArray, FloatArray]]]],
) -> list[str]:
    """Per outcome, the beliefs off the path that support it, in words."""
    tree = game.tree
    outcomes: dict[tuple[float, ...], list[int]] = {}
    for k, (eq, _) in enumerate(found):
        assert eq.terminal_probabilities is not None
        key = tuple(np.round(eq.terminal_probabilities, 9).tolist())
        outcomes.setdefault(key, []).append(k)
    notes = []
    for members in outcomes.values():
        ranges: dict[int, tuple[FloatArray, FloatArray]] = {}
        for k in members:
            for h, (low, high) in found[k][1].items():
                if h in ranges:
                    ranges[h] = (np.minimum(ranges[h][0], low), np.maximum(ranges[h][1], high))
                else:
                    ranges[h] = (low, high)
        if not ranges:
            continue
        numbers = ", ".join(str(k + 1) for k in members)
        parts = []
        for h, (low, high) in ranges.items():
            who = tree.players[int(tree.infoset_player[h])]
            where = tree.move_names[h]
            seen = _seen(tree, tree.infoset_members(h))
            if seen:
                where += f" after {path_text(seen)}"
            nodes = tree.infoset_members(h)
            told = [path_text(h) for h in telling_histories(game, nodes)]
            if len(nodes) == 1:
                continue
            for lo, hi, history in zip(low, high, told, strict=True):
                parts.append(
                    f"{who}, at {where} (off the path), believes {history} with "
                    f"probability from {lo:.3g} to {hi:.3g}"
                )
        if parts:
            which = "equilibrium" if len(members) == 1 else "equilibria"
            verb = "is" if len(members) == 1 else "are"
            notes.append(
                f"{which} {numbers} (one outcome) {verb} supported by these beliefs: "
                + "; ".join(parts)
            )
    return notes


def _seen(tree: GameTree, nodes: tuple[int, ...]) -> dict[str, str]:
    """The players' moves and actions common to every node of a set: what its mover saw."""
    histories = [tree.history(v) for v in nodes]
    chance = {
        tree.move_names[h] for h in range(tree.n_infosets) if tree.infoset_player[h] == CHANCE
    }
    return {
        m: a
        for m, a in histories[0].items()
        if m not in chance and all(h.get(m) == a for h in histories[1:])
    }


# ---------------------------------------------------------------------- refinement
@dataclass(frozen=True)
class _Signalling:
    senders: tuple[int, ...]  # one node per type: the sender's decision nodes
    receiver_of: dict[int, int]  # message index -> the receiver set it leads to
    node_of: dict[tuple[int, int], int]  # (message, type) -> the receiver node


def _signalling(game: ExtensiveFormGame, refine: str = "intuitive") -> _Signalling:
    tree = game.tree
    stages = _stages(game)
    nodes = [tree.infoset_members(h) for h in stages.senders]
    owners = {int(tree.infoset_player[h]) for h in stages.senders}
    labels = {tree.action_labels[h] for h in stages.senders}
    refuse = UsageError(
        "{refine}: " + REFINEMENTS[refine].split(" (")[0] + " needs a signalling game: one "
        "sender, one "
        "first-stage node per type with the same messages, and each message leading to "
        "one receiver set with a node per type",
        function="two_stage_pbe",
        parameters={"refine": refine},
    )
    if len(owners) != 1 or len(labels) != 1 or any(len(n) != 1 for n in nodes):
        raise refuse
    senders = tuple(int(n[0]) for n in nodes)
    receiver_of: dict[int, int] = {}
    node_of: dict[tuple[int, int], int] = {}
    for t, x in enumerate(senders):
        for m, child in enumerate(tree.children(x)):
            if tree.node_kind[child] != DECISION:
                raise refuse
            h = int(tree.node_infoset[child])
            if receiver_of.setdefault(m, h) != h:
                raise refuse
            node_of[(m, t)] = child
    for m, h in receiver_of.items():
        if len(tree.infoset_members(h)) != len(senders):
            raise refuse
        if any(tree.node_kind[c] == DECISION for c in tree.children(node_of[(m, 0)])):
            raise refuse
    return _Signalling(senders, receiver_of, node_of)


@dataclass(frozen=True)
class _Unsent:
    """A message no type sends in an equilibrium, and the payoffs after it."""

    receiver_set: int
    theirs: FloatArray  # (types, answers): the receiver's payoff after the message
    mine: FloatArray  # (types, answers): the sender's
    star: FloatArray  # each type's equilibrium payoff


def _unsent(game: ExtensiveFormGame, structure: _Signalling, eq: Equilibrium) -> list[_Unsent]:
    """The messages the equilibrium never sends: where a refinement restricts beliefs."""
    from sim.games.behaviour import node_reach, node_values

    tree = game.tree
    assert eq.behaviour is not None
    values = node_values(game, eq.behaviour)
    reach = node_reach(game, eq.behaviour)
    sender = int(tree.infoset_player[tree.node_infoset[structure.senders[0]]])
    receiver = int(tree.infoset_player[next(iter(structure.receiver_of.values()))])
    star = np.array([float(values[x, sender]) for x in structure.senders])
    found = []
    for m, h in structure.receiver_of.items():
        if float(reach[list(tree.infoset_members(h))].sum()) > 1e-12:
            continue  # sent: Bayes' rule pins the belief
        nodes = [structure.node_of[(m, t)] for t in range(len(structure.senders))]
        after = np.array([[values[child] for child in tree.children(v)] for v in nodes])
        found.append(_Unsent(h, after[:, :, receiver], after[:, :, sender], star))
    return found


def _passes(game: ExtensiveFormGame, structure: _Signalling, eq: Equilibrium) -> bool:
    """Whether no unsent message breaks the equilibrium by the intuitive criterion."""
    for message in _unsent(game, structure, eq):
        theirs, mine, star = message.theirs.tolist(), message.mine, message.star
        types = range(len(theirs))
        everyone = _best_responses(theirs)
        best = [max(float(mine[t][a]) for a in everyone) for t in types]
        dominated = [t for t in types if best[t] < star[t] - 1e-9]
        others = [t for t in types if t not in dominated]
        if not dominated or not others:
            continue
        credible = _best_responses([theirs[t] for t in others])
        for t in others:
            if min(float(mine[t][a]) for a in credible) > star[t] + 1e-9:
                return False
    return True


def _passes_d1(game: ExtensiveFormGame, structure: _Signalling, eq: Equilibrium) -> bool:
    """Whether the equilibrium survives criterion D1 at every unsent message.

    After an unsent message, type ``t`` is set aside when some other type
    ``t'`` gains strictly from every receiver answer (a mixed best response
    to some belief) that would make ``t`` gain or break even: ``t'`` is the
    likelier deviator. The receiver's equilibrium answer must then be a best
    response to a belief on the remaining types (all of them, should none
    remain). The mixed best responses are the simplices of the answer sets
    that some belief makes optimal together; a linear program per such set
    and pair of types says whether it holds an answer against the pruning.
    """
    assert eq.behaviour is not None
    for message in _unsent(game, structure, eq):
        theirs, mine, star = message.theirs, message.mine, message.star
        types = list(range(len(theirs)))
        answers = range(theirs.shape[1])
        sets = [
            used
            for k in range(1, len(answers) + 1)
            for used in itertools.combinations(answers, k)
            if _optimal_together(theirs, types, used)
        ]
        kept = [
            t
            for t in types
            if not any(
                other != t and all(not _answer_against(mine, t, other, star, u) for u in sets)
                for other in types
            )
        ]
        answer = eq.behaviour[message.receiver_set]
        used = tuple(int(a) for a in np.flatnonzero(answer > 1e-9))
        if not _optimal_together(theirs, kept or types, used):
            return False
    return True


def _optimal_together(
    payoffs: FloatArray, rows: list[int], used: tuple[int, ...], slack: float = 1e-9
) -> bool:
    """Whether some belief over ``rows`` makes every ``used`` answer optimal (tied).

    ``slack``: how much better than the used answers another may be (round-off).
    """
    from scipy.optimize import linprog

    table = payoffs[rows]
    anchor = used[0]
    a_eq = [np.ones(len(rows))] + [table[:, a] - table[:, anchor] for a in used[1:]]
    a_ub = [table[:, b] - table[:, anchor] for b in range(table.shape[1]) if b not in used]
    result = linprog(
        np.zeros(len(rows)),
        A_ub=np.array(a_ub) if a_ub else None,
        b_ub=np.full(len(a_ub), slack) if a_ub else None,
        A_eq=np.array(a_eq),
        b_eq=np.array([1.0] + [0.0] * (len(used) - 1)),
        bounds=[(0.0, 1.0)] * len(rows),
        method="highs",
    )
    return bool(result.status == 0)


def _answer_against(
    mine: FloatArray, t: int, other: int, star: FloatArray, used: tuple[int, ...]
) -> bool:
    """Whether a mix of the ``used`` answers lets ``t`` break even while ``other`` does not gain."""
    from scipy.optimize import linprog

    n = len(used)
    rows = np.array([-mine[t, list(used)], mine[other, list(used)]])
    bounds = np.array([-star[t] + 1e-9, star[other] + 1e-9])
    result = linprog(
        np.zeros(n),
        A_ub=rows,
        b_ub=bounds,
        A_eq=np.ones((1, n)),
        b_eq=np.array([1.0]),
        bounds=[(0.0, 1.0)] * n,
        method="highs",
    )
    return bool(result.status == 0)


def _best_responses(payoffs: list[list[float]]) -> list[int]:
    """The answers that are a best response to some belief over the rows' types."""
    return [a for a in range(len(payoffs[0])) if _best_for_some_belief(payoffs, a)]


def _best_for_some_belief(payoffs: list[list[float]], action: int) -> bool:
    """Whether ``action`` is a best response to some belief over the rows' types."""
    table = np.asarray(payoffs, dtype=np.float64)  # (types, actions)
    return _optimal_together(table, list(range(len(table))), (action,), slack=0.0)


def signalling_kind(game: ExtensiveFormGame, behaviour: Sequence[npt.ArrayLike]) -> str | None:
    """``"pooling"``, ``"separating"``, ``"partially pooling"`` or ``"semi-separating"``.

    In a signalling game (as for ``refine="intuitive"``) with at least two
    types: pooling when every type sends the same message, separating when
    each sends its own, partially pooling when all send one message each but
    some share it, semi-separating when some type mixes. ``None`` for other
    games.

    Examples
    --------
    >>> from sim.games.extensive_form import Chance, Decision, Terminal, build_game
    >>> answer = lambda m: Decision("R", [("a", Terminal([0, 0])), ("b", Terminal([1, 1]))], m)
    >>> sender = lambda t: Decision("S", [("x", answer("after x")), ("y", answer("after y"))], t)
    >>> types = Chance([("t1", 0.5, sender("t1")), ("t2", 0.5, sender("t2"))])
    >>> game = build_game(["S", "R"], types)
    >>> game.tree.move_names
    ('chance 1', 't1', 'after x', 'after y', 't2')
    >>> signalling_kind(game, [[], [1, 0], [1, 0], [1, 0], [0, 1]])
    'separating'
    >>> signalling_kind(game, [[], [1, 0], [1, 0], [1, 0], [0.5, 0.5]])
    'semi-separating'
    """
    try:
        structure = _signalling(game)
    except UsageError:
        return None
    tree = game.tree
    if len(structure.senders) < 2:
        return None
    supports = [
        frozenset(np.flatnonzero(np.asarray(behaviour[int(tree.node_infoset[x])]) > 1e-9).tolist())
        for x in structure.senders
    ]
    if any(len(s) != 1 for s in supports):
        return "semi-separating"
    if len(set(supports)) == 1:
        return "pooling"
    if len(set(supports)) == len(supports):
        return "separating"
    return "partially pooling"
