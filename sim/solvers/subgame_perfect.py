"""Subgame-perfect equilibrium by backward induction, ties and all.

A profile is *subgame perfect* when it induces a Nash equilibrium in every
subgame (Selten 1965, 1975): threats and promises that a player would not carry
out when the time came are ruled out. In a finite game of perfect information
backward induction finds such profiles; in a game with simultaneous stages each
stage that roots a subgame is solved as a game of its own.

Algorithm
---------
The *regions* are the subgame roots (:meth:`GameTree.subgame_roots`) and the
root. Processed bottom-up, each region keeps a table from the distinct value
vectors its subgame can have in a subgame-perfect equilibrium to compact
*recipes* that produce them, so that choices interact correctly through values
up the tree without enumerating products early:

- a decision node of player ``i`` chooses action ``a`` leading to a child value
  ``g`` when every other child is in a state whose value for ``i`` is at most
  ``g[i] + tol`` (the allowed states of each other child are recorded as a set);
- a chance node combines one state per child into the expected value;
- a region that is not a single node has imperfect information: for each
  combination of its sub-subgames' states it is solved through its reduced
  normal form with :func:`sim.solvers.solve` (``concept="nash"``, every
  equilibrium when the game is small enough), and each equilibrium becomes one
  state, its behaviour strategies recovered by Kuhn's theorem.

Every subgame-perfect behaviour profile is then one path through these tables;
:func:`spe_behaviour` lists them (up to a cap) and :func:`backward_induction`
turns each into a mixed profile over the reduced strategies, where profiles that
differ only at information sets a player's own moves exclude become one.

Ties and the status-quo rule
----------------------------
Where a player is indifferent, every best action gives a subgame-perfect
equilibrium, and all are listed. ``tie_break`` maps a move name
(:attr:`GameTree.move_names`) to a preferred action, typically the status quo
(``{"controls": "keep"}``): wherever that move's best actions tie and include
the preferred one, only the preferred one is kept; ties among other actions are
still all listed. It applies to perfect-information moves; inside a
simultaneous stage the stage's Nash equilibria are all kept (a note says so).

:func:`backward_induction_batch` solves a perfect-information tree for a whole
batch of parameter points at once and returns **one** equilibrium per point:
the preferred action where ``tie_break`` names one and it is among the best,
otherwise the lowest-index best action.

References
----------
Selten, R. (1965). Spieltheoretische Behandlung eines Oligopolmodells mit
Nachfrageträgheit. *Zeitschrift für die gesamte Staatswissenschaft* 121.

Selten, R. (1975). Reexamination of the perfectness concept for equilibrium
points in extensive games. *International Journal of Game Theory* 4, 25-55.

Kuhn, H. W. (1953). Extensive games and the problem of information. In
*Contributions to the Theory of Games II*, 193-216.

Osborne, M. J. and Rubinstein, A. (1994). *A Course in Game Theory*, ch. 6.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sim.errors import GameError, TooLargeError, UsageError, closest_name
from sim.games.behaviour import terminal_probabilities
from sim.games.extensive_form import (
    CHANCE,
    CHANCE_NODE,
    DECISION,
    TERMINAL,
    ExtensiveFormGame,
    GameTree,
)
from sim.solvers.pure_nash import RELATIVE_TIE_TOLERANCE
from sim.solvers.solution import (
    Equilibrium,
    Solution,
    make_behaviour_equilibrium,
    make_equilibrium,
)

__all__ = [
    "BatchResult",
    "backward_induction",
    "backward_induction_batch",
    "reduced_profile",
    "spe_behaviour",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Value = tuple[float, ...]
Local = tuple[tuple[int, tuple[float, ...]], ...]

#: At most this many combinations of sub-subgame states are examined at one
#: chance node or simultaneous stage; beyond it the list is marked incomplete.
MAX_COMBINATIONS = 20_000


# ---------------------------------------------------------------------- results
@dataclass(frozen=True)
class _Found:
    """What the tables hold: behaviour profiles with the solver's values, before any check."""

    profiles: tuple[tuple[tuple[FloatArray, ...], FloatArray], ...]
    complete: bool
    count: int
    notes: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class BatchResult:
    """Backward induction over a batch of parameter points: one equilibrium per point.

    Attributes
    ----------
    decision_nodes
        The decision nodes, in node order; column ``k`` of ``choices`` belongs
        to ``decision_nodes[k]``.
    choices
        Shape ``(B, n_decision_nodes)``: the action index chosen at each
        decision node (on and off the equilibrium path).
    values
        Shape ``(B, n_players)``: each player's equilibrium payoff.
    terminal_probabilities
        Shape ``(B, n_terminals)``: the probability of reaching each terminal on
        the equilibrium path (chance included), in the order of ``tree.terminals``.
    tied
        Shape ``(B,)``: true where some decision node, on the path or off it,
        has several best actions that ``tie_break`` does not settle, so the
        point has other subgame-perfect equilibria than the one returned
        (:func:`backward_induction` lists them).
    possible
        Shape ``(B, n_terminals)``: true where the players' choices can lead
        to the terminal whichever way chance falls (every chance branch
        counted, even one of probability 0). It depends on the choices only:
        the equilibrium's *structural support*.
    """

    decision_nodes: IntArray
    choices: npt.NDArray[np.integer]
    values: FloatArray
    terminal_probabilities: FloatArray
    tied: npt.NDArray[np.bool_]
    possible: npt.NDArray[np.bool_]


# ---------------------------------------------------------------------- tie-break
def _preferences(tree: GameTree, tie_break: Mapping[str, str] | None) -> dict[int, int]:
    """Map information sets to the index of their preferred action."""
    if not tie_break:
        return {}
    names = tree.move_names
    player_names = sorted({names[h] for h in range(tree.n_infosets) if tree.infoset_player[h] >= 0})
    chance_names = {names[h] for h in range(tree.n_infosets) if tree.infoset_player[h] == CHANCE}
    result: dict[int, int] = {}
    for move, action in tie_break.items():
        if move not in player_names:
            if move in chance_names:
                raise UsageError(
                    f"{{tie_break}}: {move!r} is a chance move; name a player's move",
                    parameters=["tie_break"],
                )
            raise UsageError(
                f"{{tie_break}}: unknown move {move!r}{_nearest(move, player_names)}",
                parameters=["tie_break"],
            )
        sets = [h for h in range(tree.n_infosets) if names[h] == move]
        labels = sorted({a for h in sets for a in tree.action_labels[h]})
        if action not in labels:
            raise UsageError(
                f"{{tie_break}}: move {move!r} has no action {action!r}{_nearest(action, labels)}",
                parameters=["tie_break"],
            )
        for h in sets:
            if action in tree.action_labels[h]:
                result[h] = tree.action_labels[h].index(action)
    return result


def _nearest(word: str, options: Sequence[str]) -> str:
    close = closest_name(word, options)
    if close:
        return f"; did you mean {close!r}?"
    return f"; expected one of {', '.join(map(repr, options))}"


# ---------------------------------------------------------------------- tables
@dataclass(frozen=True)
class _Recipe:
    """Choices inside one region, and the allowed states of each sub-subgame."""

    local: Local
    parts: tuple[tuple[int, tuple[Value, ...]], ...]


@dataclass
class _Region:
    states: dict[Value, list[_Recipe]]
    counts: dict[Value, int]


def _regions(tree: GameTree) -> list[int]:
    if tree.node_kind[0] == TERMINAL:
        return []
    return sorted({0, *tree.subgame_roots()})


def _boundary(tree: GameTree, root: int, roots: set[int]) -> tuple[list[int], list[int]]:
    """The interior nodes of a region (root first) and the nodes hanging below it."""
    size = tree.subtree_size
    interior, boundary = [root], []
    v, end = root + 1, root + int(size[root])
    while v < end:
        if tree.node_kind[v] == TERMINAL or v in roots:
            boundary.append(v)
            v += int(size[v])
        else:
            interior.append(v)
            v += 1
    return interior, boundary


class _Builder:
    """Backward induction over regions, building the tables of states."""

    def __init__(
        self, game: ExtensiveFormGame, preferred: dict[int, int], tol: float, nash_tol: float | None
    ) -> None:
        self.game, self.tree, self.preferred, self.tol = game, game.tree, preferred, tol
        self.nash_tol = nash_tol
        self.tables: dict[int, _Region] = {}
        self.complete = True
        self.notes: list[str] = []
        self.tied: set[int] = set()  # decision nodes where a best action ties, unresolved
        terminal_row = {int(v): k for k, v in enumerate(self.tree.terminals.tolist())}
        for v, k in terminal_row.items():
            value = tuple(float(x) for x in game.payoffs[k])
            self.tables[v] = _Region({value: [_Recipe((), ())]}, {value: 1})

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def run(self) -> None:
        tree = self.tree
        roots = _regions(tree)
        root_set = set(roots)
        for r in reversed(roots):
            interior, boundary = _boundary(tree, r, root_set)
            if len(interior) > 1:
                self.stage(r, interior, boundary)
            elif tree.node_kind[r] == DECISION:
                self.decision(r)
            else:
                self.chance(r)

    def _count(self, child: int, keys: Sequence[Value]) -> int:
        counts = self.tables[child].counts
        return sum(counts[k] for k in keys)

    def _add(self, r: int, value: Value, recipe: _Recipe) -> None:
        region = self.tables.setdefault(r, _Region({}, {}))
        count = math.prod(self._count(c, keys) for c, keys in recipe.parts)
        region.states.setdefault(value, []).append(recipe)
        region.counts[value] = region.counts.get(value, 0) + count

    def decision(self, r: int) -> None:
        tree, tol = self.tree, self.tol
        h = int(tree.node_infoset[r])
        i = int(tree.infoset_player[h])
        kids = tree.children(r)
        keys = [list(self.tables[c].states) for c in kids]
        n = len(kids)
        pref = self.preferred.get(h)
        self.tables[r] = _Region({}, {})
        for a in range(n):
            onehot = tuple(1.0 if b == a else 0.0 for b in range(n))
            for g in keys[a]:
                x = g[i]
                parts: list[tuple[int, tuple[Value, ...]]] = []
                for j in range(n):
                    if j == a:
                        allowed: tuple[Value, ...] = (g,)
                    elif j == pref:  # the preferred action must then be strictly worse
                        allowed = tuple(k for k in keys[j] if k[i] < x - tol)
                    else:
                        allowed = tuple(k for k in keys[j] if k[i] <= x + tol)
                    if not allowed:
                        break
                    parts.append((kids[j], allowed))
                else:
                    self._add(r, g, _Recipe(((h, onehot),), tuple(parts)))
                    if pref is None and any(
                        abs(k[i] - x) <= tol for j in range(n) if j != a for k in keys[j]
                    ):
                        self.tied.add(r)

    def chance(self, r: int) -> None:
        kids = self.tree.children(r)
        p = self.game.chance_at(r).tolist()
        keys = [list(self.tables[c].states) for c in kids]
        self.tables[r] = _Region({}, {})
        for combo in self._combinations(keys, r):
            value = tuple(
                float(sum(q * k[m] for q, k in zip(p, combo, strict=True)))
                for m in range(self.tree.n_players)
            )
            parts = tuple((c, (k,)) for c, k in zip(kids, combo, strict=True))
            self._add(r, value, _Recipe((), parts))

    def _combinations(self, keys: list[list[Value]], r: int) -> Iterator[tuple[Value, ...]]:
        total = math.prod(len(k) for k in keys)
        if total > MAX_COMBINATIONS:
            self.complete = False
            self.note(
                f"node {r}: its subgames have {total:,} combinations of equilibrium values; "
                f"only the first {MAX_COMBINATIONS:,} were examined"
            )
        return itertools.islice(itertools.product(*keys), MAX_COMBINATIONS)

    def stage(self, r: int, interior: list[int], boundary: list[int]) -> None:
        stage = _Stage(self.game, interior, boundary)
        self.tables[r] = _Region({}, {})
        keys = [list(self.tables[b].states) for b in boundary]
        for h in stage.infosets:
            if h in self.preferred:
                self.note(
                    f"tie_break for {self.tree.move_names[h]!r} does not apply inside the "
                    f"simultaneous stage at node {r}: every Nash equilibrium of the stage is kept"
                )
        for combo in self._combinations(keys, r):
            for local, value in stage.solve(np.array(combo, dtype=np.float64), self):
                parts = tuple((b, (k,)) for b, k in zip(boundary, combo, strict=True))
                self._add(r, value, _Recipe(local, parts))


class _Stage:
    """A region with imperfect information, cut out as a game of its own."""

    def __init__(self, game: ExtensiveFormGame, interior: list[int], boundary: list[int]) -> None:
        tree = game.tree
        nodes = sorted(interior + boundary)
        index = {v: k for k, v in enumerate(nodes)}
        inner = set(interior)
        infosets: list[int] = []  # stage information set -> original
        renumber: dict[int, int] = {}
        node_infoset, chance = [], []
        for v in nodes:
            if v not in inner:
                node_infoset.append(-1)
                continue
            h = int(tree.node_infoset[v])
            if h not in renumber:
                renumber[h] = len(infosets)
                infosets.append(h)
            node_infoset.append(renumber[h])
            if tree.node_kind[v] == CHANCE_NODE:
                chance.append(game.chance_at(v))
        movers = sorted({int(tree.infoset_player[h]) for h in infosets} - {CHANCE})
        self.movers = movers
        self.infosets = infosets
        self.tree = GameTree(
            [tree.players[i] for i in movers],
            [-1] + [index[int(tree.parent[v])] for v in nodes[1:]],
            node_infoset,
            [
                CHANCE
                if tree.infoset_player[h] == CHANCE
                else movers.index(int(tree.infoset_player[h]))
                for h in infosets
            ],
            [tree.action_labels[h] for h in infosets],
            [tree.move_names[h] for h in infosets],
        )
        self.chance = np.concatenate(chance) if chance else np.zeros(0)
        self.n_players = game.n_players

    def solve(self, values: FloatArray, builder: _Builder) -> list[tuple[Local, Value]]:
        from sim.solvers import solve

        sub = ExtensiveFormGame(self.tree, values[:, self.movers], self.chance)
        try:
            solution = solve(sub, "nash", require_all=True, tol=builder.nash_tol)
        except TooLargeError:
            solution = solve(sub, "nash", tol=builder.nash_tol)
        if not solution.complete:
            builder.complete = False
            builder.note(
                f"the simultaneous stage at {self.tree.move_names[0]!r}: {solution.method} "
                "does not guarantee every Nash equilibrium, so some subgame-perfect "
                "equilibria may be missing"
            )
        result = []
        for eq in solution.equilibria:
            behaviour = self._behaviour(sub, eq)
            reach = terminal_probabilities(sub, behaviour)
            value = tuple(float(x) for x in reach @ values)
            local = tuple(
                (h, tuple(float(x) for x in behaviour[k]))
                for k, h in enumerate(self.infosets)
                if self.tree.infoset_player[k] != CHANCE
            )
            result.append((local, value))
        return result

    def _behaviour(self, sub: ExtensiveFormGame, eq: Equilibrium) -> list[FloatArray]:
        """Behaviour strategies realisation-equivalent to a mixed profile (Kuhn 1953)."""
        tree = self.tree
        behaviour: list[FloatArray] = [np.zeros(0)] * tree.n_infosets
        for i, (sigma, strategies) in enumerate(
            zip(eq.normal_profile(), sub.reduced_strategies(), strict=True)
        ):
            for k, h in enumerate(tree.player_infosets(i)):
                n = len(tree.action_labels[h])
                weight = np.zeros(n)
                for p, s in zip(sigma.tolist(), strategies, strict=True):
                    a = s[k]
                    if a is not None:
                        weight[a] += p
                total = weight.sum()
                behaviour[h] = weight / total if total > 1e-12 else np.eye(n)[0]
        return behaviour


# ---------------------------------------------------------------------- public API


def _tie_width(payoffs: npt.ArrayLike, tol: float) -> float:
    """The absolute tie tolerance: ``tol`` times the largest absolute payoff."""
    array = np.asarray(payoffs, dtype=np.float64)
    return float(tol) * float(np.abs(array).max()) if array.size else 0.0


def _check(game: ExtensiveFormGame, tol: float) -> None:
    if not isinstance(game, ExtensiveFormGame):
        raise UsageError(
            f"subgame perfection needs an extensive-form game; got {type(game).__name__}"
        )
    if not (isinstance(tol, float | int) and math.isfinite(tol) and tol >= 0):
        raise UsageError(f"tol must be a nonnegative finite number; got {tol!r}")
    violations = game.tree.perfect_recall_violations()
    if violations:
        raise GameError(f"subgame perfection needs perfect recall: {violations[0]}")


def spe_behaviour(
    game: ExtensiveFormGame,
    *,
    tie_break: Mapping[str, str] | None = None,
    tol: float = RELATIVE_TIE_TOLERANCE,
    max_profiles: int = 10_000,
    nash_tol: float | None = None,
) -> Solution:
    """Every subgame-perfect equilibrium of a game, in behaviour strategies.

    Parameters
    ----------
    game
        A finite extensive-form game with perfect recall.
    tie_break
        ``{move name: action label}``: where the move's best actions tie and
        include this one, keep only it (see the module notes).
    tol
        Payoff differences up to ``tol`` times the game's largest absolute
        payoff count as ties (relative, so that the answer does not depend on
        the payoffs' units).
    max_profiles
        List at most this many profiles; beyond it ``complete`` is false.
    nash_tol
        Tolerance passed to the Nash solver for simultaneous stages.

    Returns
    -------
    Solution
        Over the tree itself (``normal`` is ``None``): each equilibrium has
        ``behaviour``, its outcome probabilities, and a ``max_regret``
        recomputed in every subgame by
        :func:`~sim.games.behaviour.subgame_regret`; ``strategies`` is
        ``None``. ``count`` is how many profiles the tables hold, which may
        exceed ``max_profiles``.

    Examples
    --------
    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> game = build_game(["Seoul", "Tokyo"], Decision("Seoul", [
    ...     ("fund", Decision("Tokyo", [("attend", Terminal([1, 1])),
    ...                                 ("skip", Terminal([0, 1]))], "summit")),
    ...     ("proceed", Terminal([0, 0]))], "stance"))
    >>> found = spe_behaviour(game)
    >>> [[b.tolist() for b in spe.behaviour] for spe in found]
    [[[1.0, 0.0], [1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [0.0, 1.0]]]
    >>> max(spe.max_regret for spe in found)  # the referee's, in every subgame
    0.0
    """
    found = _tabulate(
        game, tie_break=tie_break, tol=tol, max_profiles=max_profiles, nash_tol=nash_tol
    )
    return _in_behaviour(game, found)


def _tabulate(
    game: ExtensiveFormGame,
    *,
    tie_break: Mapping[str, str] | None,
    tol: float,
    max_profiles: int,
    nash_tol: float | None,
) -> _Found:
    """Backward induction's tables, and up to ``max_profiles`` profiles read from them."""
    _check(game, tol)
    if max_profiles < 1:
        raise UsageError(f"max_profiles must be at least 1; got {max_profiles!r}")
    tree = game.tree
    preferred = _preferences(tree, tie_break)
    if tree.node_kind[0] == TERMINAL:
        return _Found((((), np.array(game.payoffs[0], dtype=np.float64)),), True, 1, ())
    builder = _Builder(game, preferred, _tie_width(game.payoffs, tol), nash_tol)
    builder.run()
    tables = builder.tables
    current: dict[int, tuple[float, ...]] = {}

    def fill(node: int, key: Value) -> Iterator[None]:
        for recipe in tables[node].states[key]:
            current.update(recipe.local)
            yield from fill_parts(recipe.parts, 0)

    def fill_parts(parts: tuple[tuple[int, tuple[Value, ...]], ...], k: int) -> Iterator[None]:
        if k == len(parts):
            yield
            return
        child, keys = parts[k]
        for key in keys:
            for _ in fill(child, key):
                yield from fill_parts(parts, k + 1)

    def profiles() -> Iterator[tuple[tuple[FloatArray, ...], FloatArray]]:
        for key in tables[0].states:
            for _ in fill(0, key):
                yield (
                    tuple(
                        np.array(current[h]) if h in current else np.zeros(0)
                        for h in range(tree.n_infosets)
                    ),
                    np.array(key, dtype=np.float64),
                )

    count = sum(tables[0].counts.values())
    found = tuple(itertools.islice(profiles(), max_profiles))
    notes = list(builder.notes)
    complete = builder.complete
    if builder.tied:
        # Where a player is indifferent, every mixture of the tied actions is
        # subgame perfect too: a continuum that a list of points cannot hold.
        complete = False
        notes.append(
            f"at {len(builder.tied)} decision node(s) a player is indifferent between best "
            "actions; any mixture of them is subgame perfect too, and the list holds the "
            "equilibria that choose one action at each (use tie_break to pick one)"
        )
    if count > len(found):
        complete = False
        notes.append(
            f"{count:,} subgame-perfect behaviour profiles; the first {len(found):,} are listed"
        )
    return _Found(found, complete, count, tuple(notes))


def reduced_profile(
    game: ExtensiveFormGame, behaviour: Sequence[FloatArray]
) -> tuple[FloatArray, ...]:
    """The mixed profile over reduced strategies equivalent to a behaviour profile.

    By Kuhn's theorem (perfect recall), reduced strategy ``s`` of player ``i``
    gets the product of ``behaviour[h][s[h]]`` over the information sets ``h``
    that ``s`` does not exclude.

    Examples
    --------
    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> game = build_game(["A"], Decision("A", [
    ...     ("L", Decision("A", [("l", Terminal([1])), ("r", Terminal([2]))])),
    ...     ("R", Terminal([0]))]))
    >>> reduced_profile(game, [np.array([0.5, 0.5]), np.array([0.0, 1.0])])
    (array([0. , 0.5, 0.5]),)
    """
    tree = game.tree
    result = []
    for i, strategies in enumerate(game.reduced_strategies()):
        own = tree.player_infosets(i)
        probabilities = np.ones(len(strategies))
        for k, h in enumerate(own):
            beta = np.asarray(behaviour[h], dtype=np.float64)
            for m, s in enumerate(strategies):
                a = s[k]
                if a is not None:
                    probabilities[m] *= beta[a]
        result.append(probabilities)
    return tuple(result)


def backward_induction(
    game: ExtensiveFormGame,
    *,
    tie_break: Mapping[str, str] | None = None,
    tol: float = RELATIVE_TIE_TOLERANCE,
    max_equilibria: int = 1_000,
) -> Solution:
    """Every subgame-perfect equilibrium, by backward induction (``concept="spe"``).

    Parameters
    ----------
    game
        A finite extensive-form game with perfect recall. Chance nodes are
        averaged; simultaneous stages that root a subgame are solved through
        their reduced normal form with every Nash equilibrium where feasible.
    tie_break
        ``{move name: action label}``, e.g. ``{"controls": "keep"}``: wherever
        that move's best actions tie and include the named one, keep only it
        (the status-quo rule). Other ties give one equilibrium per best action.
    tol
        Payoff differences up to ``tol`` times the game's largest absolute
        payoff count as ties (relative, so that the answer does not depend on
        the payoffs' units).
    max_equilibria
        List at most this many equilibria; beyond it ``complete`` is false.

    Returns
    -------
    Solution
        Of the tree (``game``), with its reduced normal form as ``normal``: each
        equilibrium has its ``behaviour`` strategies and ``strategies``, a mixed
        profile over :meth:`ExtensiveFormGame.reduced_strategies` (pure when
        nobody mixes; otherwise the Kuhn equivalent of the behaviour
        strategies), so its ``max_regret``, recomputed in the reduced normal
        form, is 0.
        When the reduced normal form has more than a million profiles, the
        result is in behaviour strategies only (``normal`` is ``None``, as
        :func:`spe_behaviour` gives it, its regret checked in every subgame)
        and a note says so: a tree of 10^5 leaves is solved in seconds.
        ``complete`` is true when every equilibrium is listed. The play path is
        ``game.play_distribution(eq.strategies)``.

    Raises
    ------
    UsageError
        If ``tie_break`` names an unknown move or action (the nearest valid name
        is suggested).
    GameError
        If the game lacks perfect recall.

    Examples
    --------
    Seoul chooses a stance; Suga attends the summit only after a fund.

    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> game = build_game(["Seoul", "Tokyo"], Decision("Seoul", [
    ...     ("fund", Decision("Tokyo", [("attend", Terminal([2, 2])),
    ...                                 ("skip", Terminal([-1, 1]))], "summit after fund")),
    ...     ("proceed", Decision("Tokyo", [("attend", Terminal([3, -2])),
    ...                                    ("skip", Terminal([0, 0]))], "summit after proceed")),
    ... ], "stance"))
    >>> solution = backward_induction(game)
    >>> solution
    <Solution: 1 spe equilibrium by backward_induction, complete>
    >>> eq = solution[0]
    >>> [solution.normal.actions[i][int(s.argmax())] for i, s in enumerate(eq.strategies)]
    ['fund', 'attend/skip']
    >>> eq.payoffs.tolist(), eq.max_regret
    ([2.0, 2.0], 0.0)
    >>> game.play_distribution(eq.strategies)
    [(1.0, {'stance': 'fund', 'summit after fund': 'attend'})]
    """
    if max_equilibria < 1:
        raise UsageError(f"max_equilibria must be at least 1; got {max_equilibria!r}")
    found = _tabulate(
        game,
        tie_break=tie_break,
        tol=tol,
        max_profiles=max(10_000, 10 * max_equilibria),
        nash_tol=None,
    )
    try:
        normal = game.reduced_normal_form()
    except TooLargeError as exc:
        return _in_behaviour(game, found, max_equilibria, f"{exc}")
    equilibria: list[Equilibrium] = []
    seen: set[bytes] = set()
    notes = list(found.notes)
    complete = found.complete
    for behaviour, _ in found.profiles:
        profile = reduced_profile(game, behaviour)
        key = np.round(np.concatenate(profile), 10).tobytes()
        if key in seen:
            continue
        if len(equilibria) == max_equilibria:
            complete = False
            notes.append(f"more than {max_equilibria:,} equilibria; the first ones are listed")
            break
        seen.add(key)
        eq = make_equilibrium(normal, profile, concept="spe", method="backward_induction")
        equilibria.append(dataclasses.replace(eq, behaviour=behaviour))
    return Solution(
        game=game,
        normal=normal,
        equilibria=tuple(equilibria),
        concept="spe",
        method="backward_induction",
        complete=complete,
        notes=tuple(notes),
    )


def _in_behaviour(
    game: ExtensiveFormGame, found: _Found, max_equilibria: int | None = None, why: str = ""
) -> Solution:
    """The tables' profiles as a Solution in behaviour strategies, each checked on the tree.

    ``why`` (the reduced normal form is too large) and ``max_equilibria`` are
    for :func:`backward_induction`'s fallback; :func:`spe_behaviour` caps the
    profiles when it reads the tables.
    """
    listed = found.profiles if max_equilibria is None else found.profiles[:max_equilibria]
    notes = list(found.notes)
    if why:
        notes.append(f"{why}, so the equilibria are given in behaviour strategies")
    if len(listed) < len(found.profiles):
        notes.append(f"more than {max_equilibria:,} equilibria; the first ones are listed")
    return Solution(
        game=game,
        equilibria=tuple(
            make_behaviour_equilibrium(game, behaviour, concept="spe", method="backward_induction")
            for behaviour, _ in listed
        ),
        concept="spe",
        method="backward_induction",
        complete=found.complete and len(listed) == len(found.profiles),
        notes=tuple(notes),
        count=found.count,
    )


# ---------------------------------------------------------------------- batches
class _BatchPlan:
    """What backward induction by levels needs, built once per tree.

    The tree's :attr:`~sim.games.extensive_form.GameTree.levels` give, at each
    depth, groups of decision nodes of one player with one number of actions
    (and chance nodes with one number of outcomes); each group is solved by a
    few numpy operations on arrays of shape ``(nodes in the group, actions,
    players, points)``. Here each group also gets its columns in the output
    (decision nodes) or in the chance array, and its tie-break preferences.
    """

    def __init__(self, tree: GameTree, preferred: dict[int, int]) -> None:
        self.levels = tree.levels
        self.decision_nodes = _frozen_int(np.flatnonzero(tree.node_kind == DECISION))
        on_path = np.zeros(tree.n_nodes, dtype=np.int64)  # chance nodes above each node
        for level in self.levels[1:]:  # a level's parents are all in the level above
            parents = tree.parent[level.nodes]
            on_path[level.nodes] = on_path[parents] + (tree.node_kind[parents] == CHANCE_NODE)
        self.chance_depth = int(on_path.max(initial=0))
        column = np.full(tree.n_nodes, -1, dtype=np.int64)
        column[self.decision_nodes] = np.arange(len(self.decision_nodes))
        chance_start = np.full(tree.n_nodes, -1, dtype=np.int64)
        chance_start[tree.chance_nodes] = tree.chance_offsets[:-1]
        # per level, per group: (columns, tie-break preferences)
        self.columns: list[list[tuple[IntArray, IntArray]]] = []
        for level in self.levels:
            per_group = []
            for group in level.groups:
                if group.owner == CHANCE:
                    columns = chance_start[group.nodes][:, None] + np.arange(group.n_actions)
                    extra = np.zeros(0, dtype=np.int64)
                else:
                    columns = column[group.nodes]
                    extra = np.array(
                        [preferred.get(int(tree.node_infoset[v]), -1) for v in group.nodes],
                        dtype=np.int64,
                    )
                per_group.append((columns, extra))
            self.columns.append(per_group)

    def run(
        self,
        pay: FloatArray,
        prob: FloatArray,
        tol: float,
        choices: npt.NDArray[np.integer],
        values: FloatArray,
        reach: FloatArray,
        tied: npt.NDArray[np.bool_],
        possible: npt.NDArray[np.bool_],
    ) -> None:
        """Solve the points of one chunk, writing into the given output slices.

        Working arrays put the batch axis last, ``(nodes, players, points)``,
        so that gathering a node's children copies contiguous blocks.
        """
        m, n_players = len(pay), pay.shape[2]
        # Ties are relative to each point's largest absolute payoff.
        tie = tol * np.abs(pay.reshape(m, -1)).max(axis=1, initial=0.0)
        chance_t = np.ascontiguousarray(prob.T)  # (chance actions, points)
        # (points, terminals, players) -> (terminals, players, points), once
        pay_t = np.ascontiguousarray(pay.reshape(m, -1).T).reshape(-1, n_players, m)
        below: FloatArray | None = None
        chosen_by_group: dict[tuple[int, int], IntArray] = {}
        for d in range(len(self.levels) - 1, -1, -1):
            level = self.levels[d]
            current = np.empty((len(level.nodes), n_players, m))
            if len(level.terminal_positions):
                current[level.terminal_positions] = pay_t[level.terminal_rows]
            for g, (group, (columns, extra)) in enumerate(
                zip(level.groups, self.columns[d], strict=True)
            ):
                assert below is not None
                options = below[group.child_positions]  # (G, k, players, points)
                if group.owner == CHANCE:
                    p = chance_t[columns]  # (G, k, points)
                    value = p[:, 0, None, :] * options[:, 0]
                    for a in range(1, group.n_actions):
                        value += p[:, a, None, :] * options[:, a]
                    current[group.positions] = value
                    continue
                own = options[:, :, group.owner, :]  # (G, k, points)
                ok = own >= own.max(axis=1, keepdims=True) - tie[None, None, :]
                k = group.n_actions
                chosen = np.full((len(extra), m), k - 1, dtype=np.int64)
                for a in range(k - 2, -1, -1):  # the lowest best index wins
                    chosen = np.where(ok[:, a], a, chosen)
                # (G, points): two or more best actions
                several = ok[:, 0] & ok[:, 1] if k == 2 else np.count_nonzero(ok, axis=1) > 1
                if np.any(extra >= 0):
                    favourite = np.clip(extra, 0, None)
                    allowed = ok[np.arange(len(extra)), favourite] & (extra >= 0)[:, None]
                    chosen = np.where(allowed, favourite[:, None], chosen)
                    several &= ~allowed  # the rule settles it
                tied |= several.any(axis=0)
                value = np.empty((len(extra), n_players, m))
                picks = [chosen == a for a in range(1, group.n_actions)]
                for q in range(n_players):  # one player at a time: no broadcasting
                    plane = options[:, 0, q]
                    for a in range(1, group.n_actions):
                        plane = np.where(picks[a - 1], options[:, a, q], plane)
                    value[:, q] = plane
                current[group.positions] = value
                choices[:, columns] = chosen.T
                chosen_by_group[(d, g)] = chosen
            below = current
        assert below is not None
        values[:] = below[0].T
        # Down the tree: each node's probability, and whether the choices can lead
        # there at all (chance's branches all counted). Where chance gives every
        # branch a positive probability the two agree, and one pass does.
        # (A path's probability cannot underflow to 0 when even the smallest
        # probability, to the power of the most chance moves on a path, is normal.)
        smallest = float(prob.min(initial=1.0))
        structural = smallest <= 0 or smallest**self.chance_depth < 1e-300
        above: FloatArray = np.ones((1, m))
        can: npt.NDArray[np.bool_] = np.ones((1, m), dtype=bool)
        if len(self.levels) == 1:
            reach[:, 0] = 1.0
        for d in range(len(self.levels) - 1):
            following = self.levels[d + 1]
            reached: FloatArray = np.zeros((len(following.nodes), m))
            reachable = np.zeros((len(following.nodes), m), dtype=bool) if structural else can
            for g, (group, (columns, _)) in enumerate(
                zip(self.levels[d].groups, self.columns[d], strict=True)
            ):
                if group.owner == CHANCE:
                    edge = chance_t[columns]
                    if structural:
                        reachable[group.child_positions] = can[group.positions][:, None, :]
                else:
                    k = group.n_actions
                    picked = chosen_by_group[(d, g)][:, None, :] == np.arange(k)[None, :, None]
                    edge = picked
                    if structural:
                        reachable[group.child_positions] = can[group.positions][:, None, :] & picked
                reached[group.child_positions] = above[group.positions][:, None, :] * edge
            if len(following.terminal_positions):
                reach[:, following.terminal_rows] = reached[following.terminal_positions].T
                if structural:
                    possible[:, following.terminal_rows] = reachable[following.terminal_positions].T
            above, can = reached, reachable
        if not structural:
            np.greater(reach, 0.0, out=possible)
        elif len(self.levels) == 1:
            possible[:, 0] = True


def _frozen_int(array: npt.ArrayLike) -> IntArray:
    result = np.asarray(array, dtype=np.int64)
    result.flags.writeable = False
    return result


def backward_induction_batch(
    tree: GameTree,
    payoffs: npt.ArrayLike,
    chance: npt.ArrayLike,
    *,
    tie_break: Mapping[str, str] | None = None,
    tol: float = RELATIVE_TIE_TOLERANCE,
    chunk_size: int = 512,
    workers: int | None = None,
) -> BatchResult:
    """Backward induction for a batch of parameter points on one perfect-information tree.

    One pass over the tree from the deepest level to the root (children before
    parents, as in reverse preorder), each step vectorised over the batch and
    over all nodes of one level that share a player and a number of actions;
    then one pass down to collect the probability of each outcome. The batch
    is processed in chunks of ``chunk_size`` points so that the working arrays
    stay small; there is no loop over single points.

    Returns **one** subgame-perfect equilibrium per point: at each decision
    node the action preferred by ``tie_break`` when it is among the best
    (within ``tol`` times the point's largest absolute payoff), otherwise the
    lowest-index best action.
    :func:`backward_induction` lists every equilibrium of a single point.

    Parameters
    ----------
    tree
        A tree whose information sets are all singletons (chance allowed).
    payoffs
        Shape ``(B, n_terminals, n_players)``.
    chance
        Shape ``(B, n_chance_actions)`` (or ``(n_chance_actions,)`` for the same
        probabilities at every point), laid out as
        :attr:`ExtensiveFormGame.chance_probabilities`.
    tie_break, tol
        As for :func:`backward_induction`.
    chunk_size
        How many points are solved together; it bounds the working memory
        (the default keeps it in the processor's cache for trees of a few
        hundred nodes) and does not change the results.
    workers
        Threads solving chunks in parallel (numpy releases the GIL); ``None``
        uses every CPU. Results do not depend on it.

    Returns
    -------
    BatchResult

    Examples
    --------
    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> tree = build_game(["Seoul", "Tokyo"], Decision("Seoul", [
    ...     ("fund", Decision("Tokyo", [("attend", Terminal([0, 0])),
    ...                                 ("skip", Terminal([0, 0]))], "summit")),
    ...     ("proceed", Terminal([0, 0]))], "stance")).tree
    >>> payoffs = np.array([[[2, 2], [-1, 1], [0, 0]],      # Tokyo attends after a fund
    ...                     [[2, 0], [-1, 1], [0, 0]]])     # Tokyo skips anyway
    >>> result = backward_induction_batch(tree, payoffs, np.zeros((2, 0)))
    >>> result.choices.tolist(), result.values.tolist()
    ([[0, 0], [1, 1]], [[2.0, 2.0], [0.0, 0.0]])
    >>> result.terminal_probabilities.tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    >>> result.tied.tolist()  # nobody is indifferent at either point
    [False, False]
    """
    if not isinstance(tree, GameTree):
        raise UsageError(f"tree must be a GameTree; got {type(tree).__name__}")
    if not (isinstance(tol, float | int) and math.isfinite(tol) and tol >= 0):
        raise UsageError(f"tol must be a nonnegative finite number; got {tol!r}")
    for h in range(tree.n_infosets):
        if tree.infoset_player[h] != CHANCE and len(tree.infoset_members(h)) > 1:
            raise UsageError(
                f"backward_induction_batch: perfect information only; information set "
                f"{tree.move_names[h]!r} has {len(tree.infoset_members(h))} nodes"
            )
    if workers is not None and not (isinstance(workers, int) and workers >= 1):
        raise UsageError(f"workers must be a positive integer or None; got {workers!r}")
    if not (isinstance(chunk_size, int) and chunk_size >= 1):
        raise UsageError(f"chunk_size must be a positive integer; got {chunk_size!r}")
    pay = np.asarray(payoffs, dtype=np.float64)
    if pay.ndim != 3 or pay.shape[1:] != (tree.n_terminals, tree.n_players):
        raise UsageError(
            f"payoffs: expected shape (B, {tree.n_terminals}, {tree.n_players}); got {pay.shape}"
        )
    batch = pay.shape[0]
    prob = np.asarray(chance, dtype=np.float64)
    if prob.ndim == 1:
        prob = np.broadcast_to(prob, (batch, len(prob)))
    if prob.shape != (batch, tree.n_chance_actions):
        raise UsageError(
            f"chance: expected shape ({batch}, {tree.n_chance_actions}); got {prob.shape}"
        )
    offsets = tree.chance_offsets
    for k in range(len(tree.chance_nodes)):
        part = prob[:, offsets[k] : offsets[k + 1]]
        if part.size and (not np.all(part >= 0) or np.abs(part.sum(axis=1) - 1.0).max() > 1e-9):
            raise UsageError(
                f"chance node {int(tree.chance_nodes[k])}: probabilities must be nonnegative "
                "and sum to 1 at every point"
            )
    plan = _BatchPlan(tree, _preferences(tree, tie_break))
    widest = max((len(a) for a in tree.action_labels), default=1)
    dtype = np.int8 if widest < 128 else np.int32
    choices = np.zeros((batch, len(plan.decision_nodes)), dtype=dtype)
    values = np.zeros((batch, tree.n_players))
    reach = np.zeros((batch, tree.n_terminals))
    tied = np.zeros(batch, dtype=bool)
    possible = np.zeros((batch, tree.n_terminals), dtype=bool)

    def run(lo: int) -> None:
        rows = slice(lo, min(lo + chunk_size, batch))
        out = (choices[rows], values[rows], reach[rows], tied[rows], possible[rows])
        plan.run(pay[rows], prob[rows], float(tol), *out)

    starts = range(0, batch, chunk_size)
    n_threads = min(workers if workers is not None else os.cpu_count() or 1, len(starts))
    if n_threads <= 1:
        for lo in starts:
            run(lo)
    else:  # numpy releases the GIL; chunks write to disjoint rows of the outputs
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(n_threads) as pool:
            list(pool.map(run, starts))
    return BatchResult(plan.decision_nodes, choices, values, reach, tied, possible)
