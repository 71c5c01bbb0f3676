"""An equilibrium's outcome as the players' play, with chance kept apart.

What a sweep, a shift or a plot calls an equilibrium's *outcome* is what the
players chose: each player's action (or, where they mix, the actions they
use) at each decision the play can reach, whichever way chance falls. Which
way chance is likelier to fall is not part of it: when a court's chance of
completing a sale rises past one half, no government has changed anything,
and no threshold should be drawn there. Chance's distribution, and the
probabilities of mixed or chance-dependent moves, go in the table's move
columns, as numbers beside the label.

Everything here starts from the *structural support* of an equilibrium: the
outcomes (terminals) that play reaches with positive probability when every
chance branch counts as possible. It depends on the players' strategies only,
so two points with the same choices have the same support and the same label
whatever the chance probabilities.

:class:`Play` is built once per scenario structure; it labels supports and
writes the move columns for a whole block of points at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from sim.games.extensive_form import CHANCE, ExtensiveFormGame
from sim.games.tree import GameTree
from sim.solvers.solution import Equilibrium
from sim.text import OUTCOME_CUTOFF

__all__ = ["Play", "distinct_rows", "equilibrium_support", "per_tree"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def distinct_rows(array: npt.ArrayLike) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Each distinct row's first index, and which distinct row each row is.

    Rows are compared by their bytes (booleans packed eight to a byte), which
    sorts a block of 20,000 flagship supports in milliseconds where
    ``np.unique(axis=0)`` takes most of a second.

    Examples
    --------
    >>> first, which = distinct_rows([[True, False], [False, True], [True, False]])
    >>> first.tolist(), which.tolist()
    ([1, 0], [1, 0, 1])
    """
    rows = np.asarray(array)
    rows = rows.reshape(len(rows), -1)
    if rows.dtype == bool:
        rows = np.packbits(rows, axis=1)
    rows = np.ascontiguousarray(rows)
    width = rows.dtype.itemsize * rows.shape[1]
    if width == 0:
        return np.zeros(min(len(rows), 1), dtype=np.int64), np.zeros(len(rows), dtype=np.int64)
    keys = rows.view(np.dtype((np.void, width))).ravel()
    _, first, which = np.unique(keys, return_index=True, return_inverse=True)
    return first.astype(np.int64), np.ravel(which).astype(np.int64)


def equilibrium_support(game: ExtensiveFormGame, eq: Equilibrium) -> BoolArray:
    """The outcomes an equilibrium's play can reach whichever way chance falls.

    From its behaviour strategies (actions of positive probability), else from
    its strategies or correlated distribution over the reduced normal form (the
    outcomes some profile in its support can reach). An equilibrium with
    neither (a ``[rounds]`` scenario's, joined over rounds) falls back to the
    outcomes of positive probability.
    """
    tree = game.tree
    if eq.behaviour is not None:
        reach = np.zeros(tree.n_nodes, dtype=bool)
        reach[0] = True
        for v in range(tree.n_nodes):  # preorder: a parent comes before its children
            if not reach[v]:
                continue
            h = int(tree.node_infoset[v])
            kids = tree.children(v)
            for a, child in enumerate(kids):
                if tree.infoset_player[h] == CHANCE or eq.behaviour[h][a] > OUTCOME_CUTOFF:
                    reach[child] = True
        return reach[tree.terminals]
    if eq.joint is not None:
        used = eq.joint > OUTCOME_CUTOFF
    elif eq.strategies is not None:
        used = np.ones((), dtype=bool)
        for strategy in eq.strategies:
            used = np.multiply.outer(used, strategy > OUTCOME_CUTOFF)
    else:  # no strategies to follow: what play reaches, chance's zeros included
        assert eq.terminal_probabilities is not None
        return np.asarray(eq.terminal_probabilities > OUTCOME_CUTOFF)
    realization = _realization(game.tree, game)  # (*profiles, T)
    return np.asarray(realization[used].any(axis=0))


def _either(actions: list[str]) -> str:
    """One action, or several in brackets: ``(a or b) if x`` cannot be misread."""
    return actions[0] if len(actions) == 1 else f"({' or '.join(actions)})"


V = TypeVar("V")


def per_tree(cache: dict[GameTree, V], tree: GameTree, make: Callable[[], V]) -> V:
    """``make()`` once per tree (by value), in a small cache that a process keeps.

    A sweep solves one tree at many points, each a different game, and its
    chunks reach worker processes as fresh copies: keyed on a game or on an
    object's identity, a cache would never hit.
    """
    if tree not in cache:
        if len(cache) >= 8:
            cache.clear()
        cache[tree] = make()
    return cache[tree]


_REALIZATIONS: dict[GameTree, BoolArray] = {}


def _realization(tree: GameTree, game: ExtensiveFormGame) -> BoolArray:
    """``game.profile_terminals()``, which depends on the tree alone."""
    return per_tree(_REALIZATIONS, tree, game.profile_terminals)


class Play:
    """Labels and move columns for the equilibria of one scenario structure.

    Parameters
    ----------
    tree
        The scenario's game tree.
    paths
        The play path of each terminal (``{move: action}``), in
        ``tree.terminals`` order, chance moves included.
    observes
        For each player move, the earlier moves its mover knows the actions
        of. A move whose action depends on what came before is said
        conditionally on one of these (``attack if signal=stay``), never on
        something its mover cannot see. ``None``: every earlier move.

    Examples
    --------
    Chance decides whether the court's sale completes; Tokyo keeps its
    controls either way, so its play is one label whatever the odds:

    >>> play = Play(["court"], [
    ...     {"court": "completes", "controls": "keep"},
    ...     {"court": "completes", "controls": "ease"},
    ...     {"court": "stalls", "controls": "keep"},
    ...     {"court": "stalls", "controls": "ease"}])
    >>> play.label([0, 2])
    'controls=keep'
    >>> play.label([0, 3])
    'controls=keep if court=completes / ease if court=stalls'
    >>> play.label([0, 1, 2, 3])
    'controls=keep or ease'
    >>> play.label([0, 1, 2])
    'controls=(keep or ease) if court=completes / keep if court=stalls'
    >>> play.move_columns(np.array([[0.6, 0.0, 0.4, 0.0]]), np.array([[True, False, True, False]]))
    {'move_court': ['completes=0.6; stalls=0.4'], 'move_controls': ['keep']}
    """

    def __init__(
        self,
        chance_moves: Sequence[str],
        paths: Sequence[Mapping[str, str]],
        observes: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.paths = tuple(dict(p) for p in paths)
        self.chance_moves = frozenset(chance_moves)
        order: dict[str, None] = {}
        for path in self.paths:
            order.update(dict.fromkeys(path))
        self.moves = tuple(order)
        self.observes = None if observes is None else {m: set(o) for m, o in observes.items()}
        self._labels: dict[bytes, str] = {}

    @classmethod
    def of_tree(cls, tree: GameTree, paths: Sequence[Mapping[str, str]]) -> Play:
        """For a scenario's tree and the play path of each of its terminals.

        What each move's mover observes is read off the tree: an earlier move
        is observed when every information set of the move has one action of
        it throughout.
        """
        names = tree.move_names
        chance = {names[h] for h in range(tree.n_infosets) if tree.infoset_player[h] == CHANCE}
        seen: dict[str, dict[str, set[str | None]]] = {}  # move -> earlier move -> actions
        unseen: dict[str, set[str]] = {}
        for h in range(tree.n_infosets):
            if tree.infoset_player[h] == CHANCE:
                continue
            here: dict[str, set[str | None]] = {}
            histories = [tree.history(v) for v in tree.infoset_members(h)]
            for move in {m for history in histories for m in history}:
                here[move] = {history.get(move) for history in histories}
            hidden = unseen.setdefault(names[h], set())
            hidden.update(m for m, actions in here.items() if len(actions) > 1)
            for m, actions in here.items():
                seen.setdefault(names[h], {}).setdefault(m, set()).update(actions)
        observes = {m: [x for x in earlier if x not in unseen[m]] for m, earlier in seen.items()}
        return cls(sorted(chance), paths, observes)

    @property
    def column_names(self) -> tuple[str, ...]:
        """The move columns, ``move_<name>``, in the order moves first appear."""
        return tuple(f"move_{m}" for m in self.moves)

    def label(self, support: Sequence[int] | npt.ArrayLike) -> str:
        """The players' play for the outcomes in ``support`` (indices or a boolean mask).

        Each player move reached is ``move=action``; where the players use
        several actions it is ``move=a or b``, or, when chance decides which,
        ``move=a if chance=x / b if chance=y``. Chance's own moves are left out.
        """
        index = np.asarray(support)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        key = np.asarray(index, dtype=np.int64).tobytes()
        if key not in self._labels:
            self._labels[key] = self._word(index.tolist())
        return self._labels[key]

    def _word(self, support: list[int]) -> str:
        parts = []
        for move in self.moves:
            if move in self.chance_moves:
                continue
            reached = [self.paths[t] for t in support if move in self.paths[t]]
            actions = list(dict.fromkeys(p[move] for p in reached))
            if not actions:
                continue
            if len(actions) == 1:
                parts.append(f"{move}={actions[0]}")
                continue
            parts.append(f"{move}={self._split(move, actions, reached)}")
        return "; ".join(parts)

    def _split(self, move: str, actions: list[str], reached: list[dict[str, str]]) -> str:
        """The actions used at ``move``, said by an earlier move that tells them apart.

        ``a if c=x / b if c=y`` when an earlier move ``c`` that the mover
        observes decides the action; failing that, ``(a or b) if c=x / a if
        c=y`` (bracketed) when ``c`` changes which actions are used; else ``a or b``.
        Chance's moves are tried first, in order of play, then the players'
        moves, latest first (what a mover answers is usually what it just saw).
        """
        before = self.moves[: self.moves.index(move)]
        known = [m for m in before if self.observes is None or m in self.observes.get(move, ())]
        candidates = [m for m in known if m in self.chance_moves]
        candidates += [m for m in reversed(known) if m not in self.chance_moves]
        splits = []
        for earlier in candidates:
            by_value: dict[str, list[str]] = {}
            for path in reached:
                if earlier in path:
                    chosen = by_value.setdefault(path[earlier], [])
                    if path[move] not in chosen:
                        chosen.append(path[move])
            covered = {a for chosen in by_value.values() for a in chosen} == set(actions)
            distinct = len({frozenset(chosen) for chosen in by_value.values()}) > 1
            if covered and distinct:
                splits.append((earlier, by_value))
        decided = [s for s in splits if all(len(c) == 1 for c in s[1].values())]
        if decided or splits:
            earlier, by_value = (decided or splits)[0]
            return " / ".join(
                f"{_either(chosen)} if {earlier}={value}" for value, chosen in by_value.items()
            )
        return " or ".join(actions)

    @cached_property
    def _membership(self) -> tuple[FloatArray, FloatArray, list[tuple[str, str]]]:
        """Which move-actions each terminal's path contains, and which move each is of."""
        pairs = list(dict.fromkeys((m, a) for path in self.paths for m, a in path.items()))
        column = {pair: j for j, pair in enumerate(pairs)}
        actions = np.zeros((len(self.paths), len(pairs)))
        for t, path in enumerate(self.paths):
            for m, a in path.items():
                actions[t, column[(m, a)]] = 1.0
        of_move = np.array([[m == move for move in self.moves] for m, _ in pairs], dtype=float)
        return actions, of_move, pairs

    def move_columns(self, probabilities: FloatArray, support: BoolArray) -> dict[str, list[str]]:
        """One text column per move for a block of equilibria.

        ``probabilities`` (shape ``(K, n_terminals)``) are each equilibrium's
        outcome probabilities, chance included; ``support`` its structural
        support. A player move used with one action wherever it is reached
        shows that action; chance's moves, and player moves that are mixed or
        depend on chance, show each action's probability given that the move
        is reached (``a=0.6; b=0.4``, four significant digits); a move that
        play cannot reach is empty.
        """
        actions, of_move, pairs = self._membership
        reached = np.asarray(probabilities, dtype=np.float64)
        joint = reached @ actions  # (K, pairs): the probability of each move-action
        at = joint @ of_move  # (K, moves): the probability that each move is reached
        # Which move-actions play can reach: a block has few distinct supports.
        first, which = distinct_rows(support)
        used = ((np.asarray(support)[first].astype(np.float64) @ actions) > 0)[which]
        where = {m: k for k, m in enumerate(self.moves)}
        out: dict[str, list[str]] = {}
        for move in self.moves:
            js = [j for j, (m, _) in enumerate(pairs) if m == move]
            k = where[move]
            share = np.divide(
                joint[:, js],
                at[:, [k]],
                out=np.zeros((len(reached), len(js))),
                where=at[:, [k]] > 0,
            )
            # Each distinct row is written once: a block's rows repeat a few values.
            rows = np.concatenate([np.round(share, 12) + 0.0, used[:, js]], axis=1)
            first, which = distinct_rows(rows)
            texts = [self._cell(move, [pairs[j][1] for j in js], rows[r]) for r in first.tolist()]
            out[f"move_{move}"] = [texts[i] for i in which.tolist()]
        return out

    def _cell(self, move: str, labels: list[str], row: FloatArray) -> str:
        """One move's column for one equilibrium: its action, or its actions' probabilities."""
        share, uses = row[: len(labels)], row[len(labels) :] > 0
        if not uses.any():
            return ""
        if move not in self.chance_moves and uses.sum() == 1:
            return labels[int(np.argmax(uses))]
        return "; ".join(
            f"{a}={p:.4g}"
            for a, p, u in zip(labels, share.tolist(), uses.tolist(), strict=True)
            if u or p > OUTCOME_CUTOFF
        )
