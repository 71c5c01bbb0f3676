"""Extensive-form games: trees of decision, chance and terminal nodes.

A game is split into *structure* and *numbers*, so that a sweep can evaluate a
million parameter points against one tree:

- :class:`GameTree` is the structure: players, nodes (flat, index-based, in
  depth-first preorder), information sets with their player, label and action
  labels, and labels for nodes and terminals. It is immutable and hashable and
  knows nothing about payoffs or probabilities.
- :class:`ExtensiveFormGame` pairs a tree with its numbers: a terminal payoff
  array of shape ``(n_terminals, n_players)`` and one flat array of chance
  probabilities, ``tree.chance_offsets[k]:tree.chance_offsets[k + 1]`` being
  the probabilities at the ``k``-th chance node.

Conventions
-----------
Node order
    Node ``0`` is the root and nodes are numbered in depth-first preorder, the
    children of a node appearing in the order of its actions. ``parent[v]`` is
    ``-1`` for the root. Information sets are numbered in the order in which
    the preorder first meets them. :func:`build_game` builds a tree in this
    order from nested :class:`Decision`, :class:`Chance` and :class:`Terminal`
    specifications.
Chance
    Chance nodes belong to information sets of the pseudo-player
    :data:`CHANCE` (``-1``); such a set only groups nodes under one move name
    and one list of action labels. Probabilities are given per chance node.
Reduced strategies
    Two pure strategies of a player are merged when they differ only at
    information sets that the player's own earlier moves make unreachable. A
    reduced strategy is a tuple with one entry per information set of the
    player (in the player's order, see :meth:`GameTree.player_infosets`): the
    chosen action index, or ``None`` where the set cannot be reached. Reduced
    strategies are ordered lexicographically on these tuples, ``None`` first.
    Their labels join the chosen action labels with ``"/"``, writing ``"*"``
    for "don't care", e.g. ``"Raise/Fold"`` or ``"L/*"``; a player with one
    information set gets the bare action label, a player who never moves the
    single strategy ``"(none)"``. Labels that would coincide (action labels
    containing ``"/"``) get a ``" #k"`` suffix.
Move names
    A play path is reported as ``{move name: action label}``. The move name of
    an information set is its label, or, when that is empty,
    ``"<player> move <k>"`` (the player's ``k``-th information set, from 1) or
    ``"chance <k>"`` for the ``k``-th chance information set. When one path
    meets the same name twice (repeated labels, or an absent-minded player),
    the later occurrences are named ``"<name> (2)"``, ``"<name> (3)"``, ...
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from sim.errors import GameError, TooLargeError
from sim.games.builder import Chance, Decision, Node, Terminal, lay_out
from sim.games.normal_form import MAX_PAYOFF, MAX_PROFILES, NormalFormGame
from sim.games.tree import (
    CHANCE,
    CHANCE_NODE,
    DECISION,
    MAX_NODES,
    TERMINAL,
    GameTree,
    NodeGroup,
    ReducedStrategy,
    TreeLevel,
    chance_reach,
)

__all__ = [
    "CHANCE",
    "CHANCE_NODE",
    "DECISION",
    "MAX_NODES",
    "TERMINAL",
    "Chance",
    "Decision",
    "ExtensiveFormGame",
    "GameTree",
    "NodeGroup",
    "ReducedStrategy",
    "Terminal",
    "TreeLevel",
    "build_game",
    "chance_reach",
]

#: Tolerance on the sum of the probabilities at a chance node.
PROBABILITY_TOL = 1e-9

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Path: TypeAlias = tuple[float, dict[str, str]]


@dataclass(frozen=True, eq=False)
class ExtensiveFormGame:
    """A finite extensive-form game: a :class:`GameTree` and its numbers.

    Parameters
    ----------
    tree
        The structure.
    payoffs
        Array of shape ``(n_terminals, n_players)``; row ``k`` belongs to
        ``tree.terminals[k]``. Copied and made read-only.
    chance_probabilities
        The probabilities at every chance node: either one flat array of length
        ``tree.n_chance_actions`` or one sequence per chance node (node order).
        Each chance node's probabilities must be nonnegative and sum to 1
        within ``1e-9``.
    title
        A short description of the game.

    Examples
    --------
    >>> game = build_game(["Seoul", "Tokyo"], Chance([
    ...     ("calm", 0.75, Decision("Seoul", [("talk", Terminal([2, 2])),
    ...                                       ("wait", Terminal([0, 1]))])),
    ...     ("crisis", 0.25, Terminal([-1, -1]))]), title="summit")
    >>> game
    <ExtensiveFormGame 'summit': 2 players, 5 nodes, 3 terminals>
    >>> game.payoffs.shape, game.chance_probabilities
    ((3, 2), array([0.75, 0.25]))
    """

    tree: GameTree
    payoffs: FloatArray
    chance_probabilities: FloatArray
    title: str = ""

    def __init__(
        self,
        tree: GameTree,
        payoffs: npt.ArrayLike,
        chance_probabilities: npt.ArrayLike | Sequence[Sequence[float]] = (),
        title: str = "",
    ) -> None:
        if not isinstance(tree, GameTree):
            raise GameError(f"tree must be a GameTree; got {type(tree).__name__}")
        try:
            array = np.array(payoffs, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise GameError(f"payoffs must be numbers: {exc}") from None
        expected = (tree.n_terminals, tree.n_players)
        if array.shape != expected:
            raise GameError(f"payoffs: expected shape {expected}; got {array.shape}")
        if not np.all(np.isfinite(array)):
            raise GameError("payoffs must be finite numbers")
        if array.size and np.abs(array).max() > MAX_PAYOFF:
            raise GameError(f"payoffs must be at most {MAX_PAYOFF:g} in absolute value")
        array += 0.0  # -0.0 becomes 0.0, so that equal games hash alike
        array.flags.writeable = False
        probabilities = _chance_array(tree, chance_probabilities)
        object.__setattr__(self, "tree", tree)
        object.__setattr__(self, "payoffs", array)
        object.__setattr__(self, "chance_probabilities", probabilities)
        object.__setattr__(self, "title", str(title))

    @classmethod
    def from_normal_form(cls, game: NormalFormGame) -> ExtensiveFormGame:
        """The normal form as a tree: players move in turn, each unaware of earlier moves.

        Each player has one information set, labelled with the player's name, so
        play paths name each move after its player, as for the normal form.

        Examples
        --------
        >>> g = NormalFormGame.from_matrices([[1, 0], [0, 1]], [[1, 0], [0, 1]])
        >>> tree = ExtensiveFormGame.from_normal_form(g)
        >>> tree.reduced_normal_form() == g
        True
        """
        n_nodes = sum(int(np.prod(game.shape[:k])) for k in range(game.n_players + 1))
        if n_nodes > MAX_NODES:
            raise GameError(
                f"the tree of a {' x '.join(map(str, game.shape))} game would have "
                f"{n_nodes:,} nodes; at most {MAX_NODES:,} are allowed"
            )

        def subtree(prefix: tuple[int, ...]) -> Node:
            i = len(prefix)
            if i == game.n_players:
                return Terminal([float(game.payoffs[(k, *prefix)]) for k in range(i)])
            return Decision(
                i,
                [(label, subtree((*prefix, a))) for a, label in enumerate(game.actions[i])],
                infoset=game.players[i],
            )

        return build_game(game.players, subtree(()), title=game.title)

    @property
    def players(self) -> tuple[str, ...]:
        """The player names."""
        return self.tree.players

    @property
    def payoff_range(self) -> float:
        """The largest outcome payoff minus the smallest (1.0 if all are equal): the scale.

        Examples
        --------
        >>> game = build_game(["A"], Decision("A", [("l", Terminal([3])), ("r", Terminal([-1]))]))
        >>> game.payoff_range
        4.0
        """
        spread = float(self.payoffs.max() - self.payoffs.min()) if self.payoffs.size else 0.0
        return spread if spread > 0 else 1.0

    @property
    def n_players(self) -> int:
        """The number of players."""
        return self.tree.n_players

    def chance_at(self, node: int) -> FloatArray:
        """The probabilities of the actions at chance node ``node``."""
        k = int(np.searchsorted(self.tree.chance_nodes, node))
        if k >= len(self.tree.chance_nodes) or self.tree.chance_nodes[k] != node:
            raise GameError(f"node {node} is not a chance node")
        lo, hi = self.tree.chance_offsets[k], self.tree.chance_offsets[k + 1]
        return self.chance_probabilities[lo:hi]

    def terminal_chance_reach(self) -> FloatArray:
        """The product of the chance probabilities on the way to each terminal.

        Examples
        --------
        >>> game = build_game(["A"], Chance([("h", 0.5, Terminal([1])),
        ...                                  ("t", 0.5, Chance([("h", 0.5, Terminal([2])),
        ...                                                     ("t", 0.5, Terminal([3]))]))]))
        >>> game.terminal_chance_reach()
        array([0.5 , 0.25, 0.25])
        """
        return chance_reach(self.tree, self.chance_probabilities)[self.tree.terminals]

    def has_perfect_recall(self) -> bool:
        """Whether every player has perfect recall; see :meth:`GameTree.perfect_recall_violations`."""  # noqa: E501
        return self.tree.has_perfect_recall()

    def perfect_recall_violations(self) -> tuple[str, ...]:
        """Why the game lacks perfect recall; empty when it has it."""
        return self.tree.perfect_recall_violations()

    def subgame_roots(self) -> tuple[int, ...]:
        """The non-terminal nodes that root a subgame; see :meth:`GameTree.subgame_roots`."""
        return self.tree.subgame_roots()

    def reduced_strategies(self) -> tuple[tuple[ReducedStrategy, ...], ...]:
        """Every player's reduced strategies, in the order of the reduced normal form.

        Raises
        ------
        GameError
            If the reduced normal form would have more than ``MAX_PROFILES`` profiles.

        Examples
        --------
        >>> game = build_game(["A"], Decision("A", [
        ...     ("L", Decision("A", [("l", Terminal([1])), ("r", Terminal([2]))])),
        ...     ("R", Terminal([0]))]))
        >>> game.reduced_strategies()
        (((0, 0), (0, 1), (1, None)),)
        """
        result = []
        budget = MAX_PROFILES
        for i in range(self.n_players):
            try:
                strategies = self.tree.reduced_strategies(i, limit=budget)
            except TooLargeError:
                raise TooLargeError(
                    f"the reduced normal form has more than {MAX_PROFILES:,} pure-strategy profiles"
                ) from None
            budget //= len(strategies)
            result.append(strategies)
        return tuple(result)

    def reduced_normal_form(self) -> NormalFormGame:
        """The reduced normal form: reduced strategies and expected payoffs (chance included).

        The actions of player ``i`` are labelled as described in the module
        notes and listed in the order of ``reduced_strategies()[i]``.

        Examples
        --------
        One-card poker in miniature: chance deals, A raises or folds, B meets or passes.

        >>> def after(card):
        ...     win = 1 if card == "high" else -1
        ...     return Decision("A", [
        ...         ("raise", Decision("B", [("meet", Terminal([2 * win, -2 * win])),
        ...                                  ("pass", Terminal([1, -1]))], "B")),
        ...         ("fold", Terminal([win, -win]))], card)
        >>> game = build_game(["A", "B"], Chance([("high", 0.5, after("high")),
        ...                                       ("low", 0.5, after("low"))]))
        >>> nf = game.reduced_normal_form()
        >>> nf.actions
        (('raise/raise', 'raise/fold', 'fold/raise', 'fold/fold'), ('meet', 'pass'))
        >>> nf.payoffs[0]
        array([[ 0. ,  1. ],
               [ 0.5,  0. ],
               [-0.5,  1. ],
               [ 0. ,  0. ]])
        """
        strategies = self.reduced_strategies()
        tree = self.tree
        shape = tuple(len(s) for s in strategies)
        labels = [
            _unique_strategy_labels([tree.strategy_label(i, s) for s in strategies[i]])
            for i in range(self.n_players)
        ]
        realization = [self._realization(i, strategies[i]) for i in range(self.n_players)]
        weights = self.terminal_chance_reach()[:, None] * self.payoffs
        table = np.zeros((self.n_players, *shape))
        for t in np.flatnonzero(weights.any(axis=1)).tolist():
            index = np.ix_(*(np.flatnonzero(r[:, t]) for r in realization))
            for p in range(self.n_players):
                table[p][index] += weights[t, p]
        return NormalFormGame(table, tree.players, labels, self.title)

    def _realization(
        self, player: int, strategies: Sequence[ReducedStrategy]
    ) -> npt.NDArray[np.bool_]:
        """``r[s, t]``: whether strategy ``s`` of ``player`` takes every own move to terminal ``t``."""  # noqa: E501
        tree = self.tree
        own = tree.player_infosets(player)
        position = {h: k for k, h in enumerate(own)}
        choices = np.array(
            [[-1 if a is None else a for a in s] for s in strategies], dtype=np.int64
        ).reshape(len(strategies), len(own))
        result = np.ones((len(strategies), tree.n_terminals), dtype=bool)
        for t, node in enumerate(tree.terminals.tolist()):
            steps = [
                (position[int(tree.node_infoset[v])], a)
                for v, a in tree.path(node)
                if tree.infoset_player[tree.node_infoset[v]] == player
            ]
            if steps:
                cols = np.array([k for k, _ in steps])
                acts = np.array([a for _, a in steps])
                result[:, t] = np.all(choices[:, cols] == acts, axis=1)
        return result

    def profile_terminals(self) -> npt.NDArray[np.bool_]:
        """Which outcomes each pure profile of reduced strategies can reach.

        Returns
        -------
        numpy.ndarray
            Boolean, shape ``(n_1, ..., n_N, n_terminals)`` in the order of
            :meth:`reduced_normal_form`: true where every player's strategy
            leads to the terminal (chance decides among the true ones). The
            reduced normal form is this matrix times the chance-weighted
            payoffs, which lets a batch of parameter points share one matrix.

        Examples
        --------
        >>> game = build_game(["A", "B"], Decision("A", [
        ...     ("in", Decision("B", [("x", Terminal([1, 1])), ("y", Terminal([0, 0]))])),
        ...     ("out", Terminal([2, 2]))]))
        >>> game.profile_terminals().astype(int).tolist()
        [[[1, 0, 0], [0, 1, 0]], [[0, 0, 1], [0, 0, 1]]]
        """
        strategies = self.reduced_strategies()
        result: npt.NDArray[np.bool_] | None = None
        for i in range(self.n_players):
            own = self._realization(i, strategies[i])  # (n_i, T)
            result = own if result is None else result[..., None, :] & own
        assert result is not None
        return result

    def terminal_distribution(self, strategies: Sequence[npt.ArrayLike]) -> FloatArray:
        """The probability of each outcome under a mixed profile of reduced strategies.

        Parameters
        ----------
        strategies
            One probability vector per player over the reduced strategies, in
            the order of :meth:`reduced_normal_form`.

        Returns
        -------
        numpy.ndarray
            One probability per terminal, in ``tree.terminals`` order (chance included).

        Examples
        --------
        >>> game = build_game(["Seoul"], Chance([
        ...     ("calm", 0.75, Decision("Seoul", [("talk", Terminal([2])),
        ...                                       ("wait", Terminal([0]))])),
        ...     ("crisis", 0.25, Terminal([-1]))], "weather"))
        >>> game.terminal_distribution([[0.5, 0.5]]).tolist()
        [0.375, 0.375, 0.25]
        """
        reduced = self.reduced_strategies()
        if len(strategies) != self.n_players:
            raise GameError(f"expected {self.n_players} strategies; got {len(strategies)}")
        reach = self.terminal_chance_reach()
        for i, (sigma, own) in enumerate(zip(strategies, reduced, strict=True)):
            x = np.asarray(sigma, dtype=np.float64)
            if x.shape != (len(own),):
                raise GameError(
                    f"strategy of {self.players[i]!r}: expected {len(own)} probabilities; "
                    f"got shape {x.shape}"
                )
            if not np.all(np.isfinite(x)) or x.min() < -1e-9 or abs(x.sum() - 1.0) > 1e-9 * len(x):
                raise GameError(f"strategy of {self.players[i]!r} is not a probability vector")
            reach = reach * (np.clip(x, 0.0, None) @ self._realization(i, own))
        return reach

    def play_distribution(self, strategies: Sequence[npt.ArrayLike]) -> list[Path]:
        """The distribution over play paths induced by a mixed profile of reduced strategies.

        Parameters
        ----------
        strategies
            One probability vector per player over the reduced strategies, in
            the order of :meth:`reduced_normal_form`.

        Returns
        -------
        list of (probability, {move name: action label})
            One entry per terminal reached with positive probability, most
            probable first (ties in node order); chance moves included. Move
            names follow the rule in the module notes.

        Examples
        --------
        >>> game = build_game(["Seoul", "Tokyo"], Chance([
        ...     ("calm", 0.75, Decision("Seoul", [("talk", Terminal([2, 2])),
        ...                                       ("wait", Terminal([0, 1]))])),
        ...     ("crisis", 0.25, Terminal([-1, -1]))], "weather"))
        >>> for p, moves in game.play_distribution([[0.5, 0.5], [1.0]]):
        ...     print(p, moves)
        0.375 {'weather': 'calm', 'Seoul move 1': 'talk'}
        0.375 {'weather': 'calm', 'Seoul move 1': 'wait'}
        0.25 {'weather': 'crisis'}
        """
        return self.outcome_paths(self.terminal_distribution(strategies))

    def outcome_paths(self, reach: npt.ArrayLike) -> list[Path]:
        """Play paths, most probable first, given each terminal's probability.

        ``reach`` is in the order of ``tree.terminals`` (as
        :meth:`terminal_distribution` gives it, or a behaviour profile's
        outcome probabilities); terminals of probability at most 1e-15 are
        left out. Paths are written as :meth:`play_distribution` writes them.
        """
        reach = np.asarray(reach, dtype=np.float64)
        tree = self.tree
        paths: list[Path] = []
        for t in np.argsort(-reach, kind="stable").tolist():
            if reach[t] <= 1e-15:
                break
            moves: dict[str, str] = {}
            for v, a in tree.path(int(tree.terminals[t])):
                h = int(tree.node_infoset[v])
                name, k = tree.move_names[h], 1
                while name in moves:
                    k += 1
                    name = f"{tree.move_names[h]} ({k})"
                moves[name] = tree.action_labels[h][a]
            paths.append((float(reach[t]), moves))
        return paths

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ExtensiveFormGame):
            return NotImplemented
        return (
            self.title == other.title
            and self.tree == other.tree
            and np.array_equal(self.payoffs, other.payoffs)
            and np.array_equal(self.chance_probabilities, other.chance_probabilities)
        )

    def __hash__(self) -> int:
        return hash(
            (self.tree, self.title, self.payoffs.tobytes(), self.chance_probabilities.tobytes())
        )

    def __repr__(self) -> str:
        name = f" {self.title!r}" if self.title else ""
        tree = self.tree
        return (
            f"<ExtensiveFormGame{name}: {tree.n_players} players, {tree.n_nodes} nodes, "
            f"{tree.n_terminals} terminals>"
        )


def _unique_strategy_labels(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    taken = set(labels)
    for label in labels:
        if label in seen:
            k = seen[label]
            while f"{label} #{k}" in taken:
                k += 1
            seen[label] = k + 1
            label = f"{label} #{k}"
            taken.add(label)
        else:
            seen[label] = 2
        result.append(label)
    return result


def _chance_array(tree: GameTree, given: npt.ArrayLike | Sequence[Sequence[float]]) -> FloatArray:
    n = tree.n_chance_actions
    offsets = tree.chance_offsets
    flat: FloatArray | None = None
    try:
        candidate = np.array(given, dtype=np.float64)
        if candidate.ndim == 1 and len(candidate) == n:
            flat = candidate
    except (TypeError, ValueError):
        pass
    if flat is None:
        try:
            parts = [np.asarray(p, dtype=np.float64).ravel() for p in given]  # type: ignore[union-attr]
        except (TypeError, ValueError) as exc:
            raise GameError(f"chance probabilities must be numbers: {exc}") from None
        if len(parts) != len(tree.chance_nodes):
            raise GameError(
                f"chance probabilities: expected {n} numbers or one sequence for each of the "
                f"{len(tree.chance_nodes)} chance nodes"
            )
        for k, part in enumerate(parts):
            expected = offsets[k + 1] - offsets[k]
            if len(part) != expected:
                raise GameError(
                    f"chance node {tree.chance_nodes[k]}: expected {expected} probabilities; "
                    f"got {len(part)}"
                )
        flat = np.concatenate(parts) if parts else np.zeros(0)
    for k, v in enumerate(tree.chance_nodes.tolist()):
        p = flat[offsets[k] : offsets[k + 1]]
        if not np.all(np.isfinite(p)) or np.any(p < 0):
            raise GameError(f"chance node {v}: probabilities must be nonnegative; got {p.tolist()}")
        if abs(float(p.sum()) - 1.0) > PROBABILITY_TOL:
            raise GameError(f"chance node {v}: probabilities sum to {p.sum()!r}, not 1")
    flat = np.array(flat, dtype=np.float64) + 0.0
    flat.flags.writeable = False
    return flat


def build_game(players: Sequence[str], root: Node, title: str = "") -> ExtensiveFormGame:
    """Build an :class:`ExtensiveFormGame` from a nested description (:mod:`sim.games.builder`).

    Examples
    --------
    >>> game = build_game(["Seoul", "Tokyo"], Decision("Seoul", [
    ...     ("propose", Decision("Tokyo", [("accept", Terminal([2, 1])),
    ...                                    ("refuse", Terminal([0, 0]))])),
    ...     ("wait", Terminal([1, 1]))]))
    >>> game.reduced_normal_form().actions
    (('propose', 'wait'), ('accept', 'refuse'))
    """
    _, tree, payoffs, chance = lay_out(players, root)
    return ExtensiveFormGame(tree, payoffs, chance, title)
