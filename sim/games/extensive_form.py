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

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from sim.errors import GameError, TooLargeError
from sim.games.normal_form import MAX_PAYOFF, MAX_PROFILES, NormalFormGame

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

#: The largest number of nodes a tree may have.
MAX_NODES = 200_000
#: The player index of chance in :attr:`GameTree.infoset_player`.
CHANCE = -1
#: Node kinds in :attr:`GameTree.node_kind`.
TERMINAL, DECISION, CHANCE_NODE = 0, 1, 2
#: Tolerance on the sum of the probabilities at a chance node.
PROBABILITY_TOL = 1e-9

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ReducedStrategy: TypeAlias = tuple[int | None, ...]
Path: TypeAlias = tuple[float, dict[str, str]]


def _readonly_int(values: npt.ArrayLike, what: str) -> IntArray:
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise GameError(f"{what} must be integers: {exc}") from None
    if array.ndim != 1 or not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
        raise GameError(f"{what} must be a flat sequence of integers")
    result = array.astype(np.int64)
    result.flags.writeable = False
    return result


@dataclass(frozen=True, eq=False)
class NodeGroup:
    """Nodes of one tree level that share an owner and a number of actions.

    Batched solvers work a whole group at once: with level arrays laid out as
    ``(nodes in the level, ...)``, ``below[child_positions]`` gathers every
    group member's children from the next level in one step.

    Attributes
    ----------
    owner
        The player index, or :data:`CHANCE`.
    nodes
        The group's nodes.
    positions
        Their positions within their level.
    child_positions
        Shape ``(len(nodes), n_actions)``: each node's children's positions
        within the next level.
    """

    owner: int
    nodes: IntArray
    positions: IntArray
    child_positions: IntArray

    @property
    def n_actions(self) -> int:
        """The number of actions (children) of each node in the group."""
        return int(self.child_positions.shape[1])


@dataclass(frozen=True, eq=False)
class TreeLevel:
    """The nodes at one depth: where its terminals sit and its inner nodes in groups.

    Attributes
    ----------
    nodes
        The level's nodes, in node order; a node's position is its index here.
    terminal_positions, terminal_rows
        The positions of the level's terminals and their rows in the payoff
        array (their indices in :attr:`GameTree.terminals`).
    groups
        The level's decision and chance nodes as :class:`NodeGroup`.
    """

    nodes: IntArray
    terminal_positions: IntArray
    terminal_rows: IntArray
    groups: tuple[NodeGroup, ...]


def _distinct(labels: Sequence[str], what: str) -> tuple[str, ...]:
    result = tuple(str(x) for x in labels)
    if len(set(result)) != len(result):
        repeated = sorted({x for x in result if result.count(x) > 1})
        raise GameError(f"{what}: labels must be distinct; repeated {repeated}")
    return result


@dataclass(frozen=True, eq=False)
class GameTree:
    """The structure of an extensive-form game, without payoffs or probabilities.

    Parameters
    ----------
    players
        Distinct player names.
    parent
        ``parent[v]`` is the parent of node ``v``, ``-1`` for the root (node 0).
        Nodes must be numbered in depth-first preorder; the children of a node,
        in increasing order, correspond to its actions in order.
    node_infoset
        The information set of each node, ``-1`` for terminal nodes.
    infoset_player
        The player (index) of each information set, :data:`CHANCE` for chance.
    action_labels
        The distinct action labels of each information set.
    infoset_labels
        Label of each information set (default ``""``: a move name is generated).
    node_labels
        Label of each node (default ``""``).
    terminal_labels
        Outcome label of each terminal node, in node order (default ``""``).

    Examples
    --------
    Seoul proposes talks or not; Tokyo, if asked, accepts or refuses.

    >>> tree = GameTree(["Seoul", "Tokyo"], parent=[-1, 0, 1, 1, 0],
    ...                 node_infoset=[0, 1, -1, -1, -1], infoset_player=[0, 1],
    ...                 action_labels=[["propose", "wait"], ["accept", "refuse"]])
    >>> tree.children(0), tree.n_terminals, tree.subgame_roots()
    ((1, 4), 3, (0, 1))
    """

    players: tuple[str, ...]
    parent: IntArray
    node_infoset: IntArray
    infoset_player: IntArray
    action_labels: tuple[tuple[str, ...], ...]
    infoset_labels: tuple[str, ...]
    node_labels: tuple[str, ...]
    terminal_labels: tuple[str, ...]
    _children: tuple[tuple[int, ...], ...] = field(init=False, repr=False)

    def __init__(
        self,
        players: Sequence[str],
        parent: npt.ArrayLike,
        node_infoset: npt.ArrayLike,
        infoset_player: npt.ArrayLike,
        action_labels: Sequence[Sequence[str]],
        infoset_labels: Sequence[str] | None = None,
        node_labels: Sequence[str] | None = None,
        terminal_labels: Sequence[str] | None = None,
    ) -> None:
        player_names = _distinct(players, "players")
        if not player_names:
            raise GameError("a game needs at least one player")
        parents = _readonly_int(parent, "parent")
        infoset_of = _readonly_int(node_infoset, "node_infoset")
        owner = _readonly_int(infoset_player, "infoset_player")
        n, n_sets = len(parents), len(owner)
        if n == 0:
            raise GameError("a tree needs at least one node")
        if n > MAX_NODES:
            raise GameError(f"a tree may have at most {MAX_NODES:,} nodes; got {n:,}")
        if len(infoset_of) != n:
            raise GameError(f"node_infoset: expected {n} entries; got {len(infoset_of)}")
        if len(action_labels) != n_sets:
            raise GameError(f"action_labels: expected {n_sets} lists; got {len(action_labels)}")
        bad = np.flatnonzero((owner < CHANCE) | (owner >= len(player_names)))
        if bad.size:
            raise GameError(
                f"information set {bad[0]}: player {owner[bad[0]]} is not "
                f"{CHANCE} (chance) or 0..{len(player_names) - 1}"
            )
        bad = np.flatnonzero((infoset_of < -1) | (infoset_of >= n_sets))
        if bad.size:
            raise GameError(
                f"node {bad[0]}: information set {infoset_of[bad[0]]} is not -1 or 0..{n_sets - 1}"
            )
        actions = tuple(
            _distinct(a, f"actions of information set {h}") for h, a in enumerate(action_labels)
        )
        for h, a in enumerate(actions):
            if not a:
                raise GameError(f"information set {h} has no actions")
        children = _check_structure(parents, infoset_of, actions)
        # Information sets: used, and numbered by first visit in preorder.
        decision = infoset_of[infoset_of >= 0]
        _, first = np.unique(decision, return_index=True)
        order = decision[np.sort(first)]
        if len(order) != n_sets or not np.array_equal(order, np.arange(n_sets)):
            missing = sorted(set(range(n_sets)) - {int(h) for h in order})
            if missing:
                raise GameError(f"information set {missing[0]} has no nodes")
            raise GameError(
                "information sets must be numbered in the order the depth-first preorder "
                f"first visits them; the visit order is {[int(h) for h in order][:20]}"
            )
        n_terminals = int(np.count_nonzero(infoset_of < 0))

        def labels(given: Sequence[str] | None, count: int, what: str) -> tuple[str, ...]:
            if given is None:
                return ("",) * count
            result = tuple(str(x) for x in given)
            if len(result) != count:
                raise GameError(f"{what}: expected {count} labels; got {len(result)}")
            return result

        object.__setattr__(self, "players", player_names)
        object.__setattr__(self, "parent", parents)
        object.__setattr__(self, "node_infoset", infoset_of)
        object.__setattr__(self, "infoset_player", owner)
        object.__setattr__(self, "action_labels", actions)
        object.__setattr__(self, "infoset_labels", labels(infoset_labels, n_sets, "infoset_labels"))
        object.__setattr__(self, "node_labels", labels(node_labels, n, "node_labels"))
        object.__setattr__(
            self, "terminal_labels", labels(terminal_labels, n_terminals, "terminal_labels")
        )
        object.__setattr__(self, "_children", children)

    # ------------------------------------------------------------------ sizes and kinds
    @property
    def n_players(self) -> int:
        """The number of (personal) players."""
        return len(self.players)

    @property
    def n_nodes(self) -> int:
        """The number of nodes."""
        return len(self.parent)

    @property
    def n_infosets(self) -> int:
        """The number of information sets, chance ones included."""
        return len(self.infoset_player)

    @cached_property
    def node_kind(self) -> IntArray:
        """:data:`TERMINAL`, :data:`DECISION` or :data:`CHANCE_NODE` for each node."""
        kind = np.full(self.n_nodes, TERMINAL, dtype=np.int64)
        inner = self.node_infoset >= 0
        is_chance = np.zeros(self.n_nodes, dtype=bool)
        is_chance[inner] = self.infoset_player[self.node_infoset[inner]] == CHANCE
        kind[inner] = DECISION
        kind[is_chance] = CHANCE_NODE
        kind.flags.writeable = False
        return kind

    @cached_property
    def terminals(self) -> IntArray:
        """The terminal nodes, in node order (the rows of the payoff array)."""
        return _frozen(np.flatnonzero(self.node_infoset < 0))

    @property
    def n_terminals(self) -> int:
        """The number of terminal nodes."""
        return len(self.terminals)

    @cached_property
    def chance_nodes(self) -> IntArray:
        """The chance nodes, in node order."""
        return _frozen(np.flatnonzero(self.node_kind == CHANCE_NODE))

    @cached_property
    def chance_offsets(self) -> IntArray:
        """Where each chance node's probabilities start in the flat probability array."""
        sizes = [len(self._children[int(v)]) for v in self.chance_nodes]
        return _frozen(np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64))

    @property
    def n_chance_actions(self) -> int:
        """The length of the flat chance-probability array."""
        return int(self.chance_offsets[-1])

    @cached_property
    def depth(self) -> IntArray:
        """The depth of each node (the root has depth 0)."""
        depth = np.zeros(self.n_nodes, dtype=np.int64)
        for v in range(1, self.n_nodes):
            depth[v] = depth[self.parent[v]] + 1
        return _frozen(depth)

    @cached_property
    def subtree_size(self) -> IntArray:
        """The number of nodes in each node's subtree; it spans ``v : v + size``."""
        size = np.ones(self.n_nodes, dtype=np.int64)
        for v in range(self.n_nodes - 1, 0, -1):
            size[self.parent[v]] += size[v]
        return _frozen(size)

    @cached_property
    def levels(self) -> tuple[TreeLevel, ...]:
        """The nodes by depth, root first, with inner nodes grouped for batched work.

        Examples
        --------
        >>> game = build_game(["A", "B"], Decision("A", [
        ...     ("l", Decision("B", [("x", Terminal([1, 0])), ("y", Terminal([0, 1]))])),
        ...     ("r", Terminal([0, 0]))]))
        >>> [level.nodes.tolist() for level in game.tree.levels]
        [[0], [1, 4], [2, 3]]
        >>> group = game.tree.levels[1].groups[0]
        >>> group.owner, group.positions.tolist(), group.child_positions.tolist()
        (1, [0], [[0, 1]])
        """
        depth = self.depth
        by_depth = [np.flatnonzero(depth == d) for d in range(int(depth.max()) + 1)]
        position = np.zeros(self.n_nodes, dtype=np.int64)
        for nodes in by_depth:
            position[nodes] = np.arange(len(nodes))
        row = np.full(self.n_nodes, -1, dtype=np.int64)
        row[self.terminals] = np.arange(self.n_terminals)
        kind = self.node_kind
        levels = []
        for nodes in by_depth:
            terminal = nodes[kind[nodes] == TERMINAL]
            keyed: dict[tuple[int, int], list[int]] = {}
            for v in nodes[kind[nodes] != TERMINAL].tolist():
                owner = int(self.infoset_player[self.node_infoset[v]])
                keyed.setdefault((owner, len(self._children[v])), []).append(v)
            groups = tuple(
                NodeGroup(
                    owner,
                    _frozen(np.array(members, dtype=np.int64)),
                    _frozen(position[members]),
                    _frozen(np.array([position[list(self._children[v])] for v in members])),
                )
                for (owner, _), members in keyed.items()
            )
            levels.append(
                TreeLevel(
                    _frozen(nodes), _frozen(position[terminal]), _frozen(row[terminal]), groups
                )
            )
        return tuple(levels)

    def children(self, node: int) -> tuple[int, ...]:
        """The children of ``node``, in the order of its actions."""
        return self._children[node]

    def action_index(self, node: int) -> int:
        """The index of the action at ``parent[node]`` that leads to ``node``."""
        return self._children[int(self.parent[node])].index(node)

    def infoset_members(self, infoset: int) -> tuple[int, ...]:
        """The nodes of an information set, in node order."""
        return self._members[infoset]

    @cached_property
    def _members(self) -> tuple[tuple[int, ...], ...]:
        members: list[list[int]] = [[] for _ in range(self.n_infosets)]
        for v, h in enumerate(self.node_infoset.tolist()):
            if h >= 0:
                members[h].append(v)
        return tuple(tuple(m) for m in members)

    def player_infosets(self, player: int) -> tuple[int, ...]:
        """The information sets of ``player`` (:data:`CHANCE` for chance), in order."""
        return tuple(int(h) for h in np.flatnonzero(self.infoset_player == player))

    @cached_property
    def move_names(self) -> tuple[str, ...]:
        """The move name of each information set (see the module notes)."""
        names = []
        counts: dict[int, int] = {}
        for h, player in enumerate(self.infoset_player.tolist()):
            counts[player] = counts.get(player, 0) + 1
            if self.infoset_labels[h]:
                names.append(self.infoset_labels[h])
            elif player == CHANCE:
                names.append(f"chance {counts[player]}")
            else:
                names.append(f"{self.players[player]} move {counts[player]}")
        return tuple(names)

    @cached_property
    def is_perfect_information(self) -> bool:
        """Whether every decision node is alone in its information set (chance aside).

        Examples
        --------
        >>> game = build_game(["A"], Decision("A", [("l", Terminal([1])), ("r", Terminal([0]))]))
        >>> game.tree.is_perfect_information
        True
        """
        decisions = self.node_infoset[self.node_kind == DECISION]
        return len(np.unique(decisions)) == len(decisions)

    # ------------------------------------------------------------------ analysis
    def subgame_roots(self) -> tuple[int, ...]:
        """The non-terminal nodes that root a subgame, in node order.

        A node roots a subgame when its information set (if it is a decision
        node) is a singleton and no player's information set has nodes both
        inside and outside its subtree. Chance information sets only name
        moves and never split a subgame.

        Examples
        --------
        >>> game = build_game(["A", "B"], Decision("A", [
        ...     ("l", Decision("B", [("x", Terminal([1, 0])), ("y", Terminal([0, 1]))], "h")),
        ...     ("r", Decision("B", [("x", Terminal([2, 0])), ("y", Terminal([0, 2]))], "h")),
        ... ]))
        >>> game.tree.subgame_roots()
        (0,)
        """
        n = self.n_nodes
        lo = np.full(n, n, dtype=np.int64)
        hi = np.full(n, -1, dtype=np.int64)
        player_nodes = np.flatnonzero(self.node_kind == DECISION)
        for v in player_nodes.tolist():
            members = self._members[int(self.node_infoset[v])]
            lo[v], hi[v] = members[0], members[-1]
        for v in range(n - 1, 0, -1):
            p = self.parent[v]
            lo[p] = min(lo[p], lo[v])
            hi[p] = max(hi[p], hi[v])
        size = self.subtree_size
        roots = []
        for v in range(n):
            kind = self.node_kind[v]
            if kind == TERMINAL:
                continue
            if kind == DECISION and len(self._members[int(self.node_infoset[v])]) != 1:
                continue
            if lo[v] >= v and hi[v] < v + size[v]:
                roots.append(v)
        return tuple(roots)

    def perfect_recall_violations(self) -> tuple[str, ...]:
        """Why the tree lacks perfect recall; empty when it has it.

        A player has perfect recall when all nodes of each of their information
        sets follow the same sequence of the player's own (information set,
        action) pairs. An absent-minded player, whose path meets one
        information set twice, violates it.

        Examples
        --------
        The absent-minded driver: both exits look the same.

        >>> game = build_game(["driver"], Decision("driver", [
        ...     ("continue", Decision("driver", [("continue", Terminal([1])),
        ...                                      ("exit", Terminal([4]))], "junction")),
        ...     ("exit", Terminal([0]))], "junction"))
        >>> game.tree.perfect_recall_violations()
        ("driver's information set 'junction': node 0 follows [] but node 1 follows [continue at 'junction'] (absent-minded)",)
        """  # noqa: E501
        seq, table = self._own_sequences
        reasons = []
        for h in range(self.n_infosets):
            player = int(self.infoset_player[h])
            if player == CHANCE:
                continue
            members = self._members[h]
            first = members[0]
            for v in members[1:]:
                if seq[v, player] != seq[first, player]:
                    a, b = (
                        self._render(table, seq[first, player]),
                        self._render(table, seq[v, player]),
                    )
                    absent = any(k == h for k, _ in self._pairs(table, seq[v, player]))
                    note = " (absent-minded)" if absent else ""
                    reasons.append(
                        f"{self.players[player]}'s information set {self.move_names[h]!r}: "
                        f"node {first} follows [{a}] but node {v} follows [{b}]{note}"
                    )
                    break
        return tuple(reasons)

    def has_perfect_recall(self) -> bool:
        """Whether every player has perfect recall (see :meth:`perfect_recall_violations`)."""
        return not self.perfect_recall_violations()

    @cached_property
    def _own_sequences(self) -> tuple[IntArray, list[tuple[int, int, int]]]:
        # seq[v, i] identifies player i's own (infoset, action) history on the way to v.
        # table[id] = (previous id, infoset, action); id 0 is the empty sequence.
        table: list[tuple[int, int, int]] = [(-1, -1, -1)]
        interned: dict[tuple[int, int, int], int] = {}
        seq = np.zeros((self.n_nodes, self.n_players), dtype=np.int64)
        kinds = self.node_kind
        for v in range(1, self.n_nodes):
            p = int(self.parent[v])
            seq[v] = seq[p]
            if kinds[p] == DECISION:
                h = int(self.node_infoset[p])
                i = int(self.infoset_player[h])
                key = (int(seq[p, i]), h, self.action_index(v))
                if key not in interned:
                    interned[key] = len(table)
                    table.append(key)
                seq[v, i] = interned[key]
        return seq, table

    @staticmethod
    def _pairs(table: list[tuple[int, int, int]], ident: int) -> list[tuple[int, int]]:
        pairs = []
        while ident > 0:
            ident, h, a = table[ident]
            pairs.append((h, a))
        return pairs[::-1]

    def _render(self, table: list[tuple[int, int, int]], ident: int) -> str:
        return ", ".join(
            f"{self.action_labels[h][a]} at {self.move_names[h]!r}"
            for h, a in self._pairs(table, ident)
        )

    def reduced_strategies(
        self, player: int, *, limit: int = MAX_PROFILES
    ) -> tuple[ReducedStrategy, ...]:
        """The reduced pure strategies of ``player``.

        Each is a tuple over :meth:`player_infosets` of the chosen action index,
        or ``None`` where the player's own choices make the set unreachable.

        Raises
        ------
        GameError
            If the player has more than ``limit`` reduced strategies.

        Examples
        --------
        >>> game = build_game(["A", "B"], Decision("A", [
        ...     ("out", Terminal([1, 1])),
        ...     ("in", Decision("B", [("x", Decision("A", [("u", Terminal([3, 0])),
        ...                                                ("d", Terminal([0, 2]))])),
        ...                            ("y", Terminal([0, 0]))]))]))
        >>> game.tree.reduced_strategies(0)
        ((0, None), (1, 0), (1, 1))
        """
        own = self.player_infosets(player)
        position = {h: k for k, h in enumerate(own)}
        children, node_infoset, owner = self._children, self.node_infoset, self.infoset_player
        found: list[ReducedStrategy] = []
        stack: list[tuple[list[int], dict[int, int]]] = [([0], {})]
        while stack:
            frontier, chosen = stack.pop()
            while frontier:
                v = frontier.pop()
                h = int(node_infoset[v])
                if h < 0:
                    continue
                if owner[h] != player:
                    frontier.extend(children[v])
                elif h in chosen:
                    frontier.append(children[v][chosen[h]])
                else:
                    for a in range(len(children[v]) - 1, -1, -1):
                        stack.append(([*frontier, children[v][a]], {**chosen, h: a}))
                    break
            else:
                strategy: list[int | None] = [None] * len(own)
                for h, a in chosen.items():
                    strategy[position[h]] = a
                found.append(tuple(strategy))
                if len(found) > limit:
                    raise TooLargeError(
                        f"{self.players[player]!r} has more than {limit:,} reduced strategies"
                    )
        return tuple(sorted(found, key=lambda s: tuple(-1 if a is None else a for a in s)))

    def strategy_label(self, player: int, strategy: ReducedStrategy) -> str:
        """The readable label of a reduced strategy (see the module notes).

        Examples
        --------
        >>> game = build_game(["A"], Decision("A", [
        ...     ("L", Decision("A", [("l", Terminal([1])), ("r", Terminal([2]))])),
        ...     ("R", Terminal([0]))]))
        >>> game.tree.strategy_label(0, (1, None))
        'R/*'
        """
        own = self.player_infosets(player)
        if not own:
            return "(none)"
        return "/".join(
            "*" if a is None else self.action_labels[h][a]
            for h, a in zip(own, strategy, strict=True)
        )

    def path(self, node: int) -> tuple[tuple[int, int], ...]:
        """The (node, action index) pairs on the way from the root to ``node``."""
        steps = []
        while node > 0:
            p = int(self.parent[node])
            steps.append((p, self.action_index(node)))
            node = p
        return tuple(steps[::-1])

    # ------------------------------------------------------------------ dunder
    def _key(self) -> tuple[object, ...]:
        return (
            self.players,
            self.parent.tobytes(),
            self.node_infoset.tobytes(),
            self.infoset_player.tobytes(),
            self.action_labels,
            self.infoset_labels,
            self.node_labels,
            self.terminal_labels,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GameTree):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"<GameTree: {self.n_players} players, {self.n_nodes} nodes, "
            f"{self.n_infosets} information sets, {self.n_terminals} terminals>"
        )


def _frozen(array: npt.NDArray[np.int64]) -> IntArray:
    result = np.asarray(array, dtype=np.int64)
    result.flags.writeable = False
    return result


def _check_structure(
    parents: IntArray, infoset_of: IntArray, actions: tuple[tuple[str, ...], ...]
) -> tuple[tuple[int, ...], ...]:
    """Check that ``parents`` is a tree in preorder that fits the information sets."""
    n = len(parents)
    if parents[0] != -1:
        raise GameError(f"node 0 must be the root (parent -1); its parent is {parents[0]}")
    bad = np.flatnonzero((parents[1:] < 0) | (parents[1:] >= n))
    if bad.size:
        v = int(bad[0]) + 1
        raise GameError(f"node {v}: parent {parents[v]} is not a node 0..{n - 1}")
    # Every node must reach the root; a node that does not sits on a cycle.
    state = np.zeros(n, dtype=np.int8)  # 0 unseen, 1 on the current walk, 2 reaches the root
    state[0] = 2
    for start in range(n):
        walk = []
        v = start
        while state[v] == 0:
            state[v] = 1
            walk.append(v)
            v = int(parents[v])
        if state[v] == 1:
            cycle = walk[walk.index(v) :]
            raise GameError(f"the parent links form a cycle through nodes {cycle[:10]}")
        state[walk] = 2
    children_lists: list[list[int]] = [[] for _ in range(n)]
    for v in range(1, n):
        children_lists[int(parents[v])].append(v)
    # Depth-first preorder, children in index order, must visit 0, 1, 2, ...
    stack, position = [0], 0
    while stack:
        v = stack.pop()
        if v != position:
            raise GameError(
                "nodes must be numbered in depth-first preorder with children in action "
                f"order; node {v} would be visited in position {position}"
            )
        position += 1
        stack.extend(reversed(children_lists[v]))
    for v in range(n):
        h = int(infoset_of[v])
        expected = 0 if h < 0 else len(actions[h])
        if len(children_lists[v]) != expected:
            what = "a terminal node" if h < 0 else f"in information set {h} with {expected} actions"
            raise GameError(f"node {v} is {what} but has {len(children_lists[v])} children")
    return tuple(tuple(c) for c in children_lists)


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
        reach = self.terminal_distribution(strategies)
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


def chance_reach(tree: GameTree, probabilities: FloatArray) -> FloatArray:
    """The chance part of each node's reach probability (works on batches too).

    ``probabilities`` may carry leading batch axes: shape ``(..., n_chance_actions)``;
    the result has shape ``(..., n_nodes)``.

    Examples
    --------
    >>> game = build_game(["A"], Chance([("h", 0.25, Terminal([1])), ("t", 0.75, Terminal([0]))]))
    >>> chance_reach(game.tree, np.array([[0.25, 0.75], [0.5, 0.5]])).tolist()
    [[1.0, 0.25, 0.75], [1.0, 0.5, 0.5]]
    """
    leading = probabilities.shape[:-1]
    # Work with nodes first and points last, so that each step copies whole rows.
    points = np.reshape(probabilities, (math.prod(leading), probabilities.shape[-1])).T
    edge = np.ones((tree.n_nodes, points.shape[1]))
    for k, v in enumerate(tree.chance_nodes.tolist()):
        lo = int(tree.chance_offsets[k])
        edge[list(tree.children(v))] = points[lo : lo + len(tree.children(v))]
    reach = np.ones_like(edge)
    for level in tree.levels[1:]:
        reach[level.nodes] = reach[tree.parent[level.nodes]] * edge[level.nodes]
    return np.ascontiguousarray(reach.T).reshape(*leading, tree.n_nodes)


# ---------------------------------------------------------------------- nested builder
@dataclass(frozen=True)
class Terminal:
    """A terminal node for :func:`build_game`: one payoff per player and an outcome label."""

    payoffs: Sequence[float]
    label: str = ""


@dataclass(frozen=True)
class Decision:
    """A decision node for :func:`build_game`.

    ``player`` is a name or index; ``moves`` pairs each action label with the
    subtree it leads to. Nodes of one player with the same ``infoset`` label
    share an information set (and must list the same actions); ``None`` gives
    the node an unlabelled set of its own.
    """

    player: str | int
    moves: Sequence[tuple[str, Node]]
    infoset: str | None = None
    label: str = ""


@dataclass(frozen=True)
class Chance:
    """A chance node for :func:`build_game`: ``(action label, probability, subtree)`` triples.

    Chance nodes with the same ``infoset`` label share one move name.
    """

    moves: Sequence[tuple[str, float, Node]]
    infoset: str | None = None
    label: str = ""


Node: TypeAlias = Terminal | Decision | Chance


def build_game(players: Sequence[str], root: Node, title: str = "") -> ExtensiveFormGame:
    """Build an :class:`ExtensiveFormGame` from a nested description.

    Examples
    --------
    >>> game = build_game(["Seoul", "Tokyo"], Decision("Seoul", [
    ...     ("propose", Decision("Tokyo", [("accept", Terminal([2, 1])),
    ...                                    ("refuse", Terminal([0, 0]))])),
    ...     ("wait", Terminal([1, 1]))]))
    >>> game.reduced_normal_form().actions
    (('propose', 'wait'), ('accept', 'refuse'))
    """
    names = [str(p) for p in players]
    parent: list[int] = []
    node_infoset: list[int] = []
    node_labels: list[str] = []
    infoset_player: list[int] = []
    infoset_labels: list[str] = []
    action_labels: list[tuple[str, ...]] = []
    keys: dict[tuple[int, str], int] = {}
    payoffs: list[Sequence[float]] = []
    terminal_labels: list[str] = []
    chance: list[list[float]] = []

    def player_index(player: str | int) -> int:
        if isinstance(player, int) and not isinstance(player, bool):
            if not 0 <= player < len(names):
                raise GameError(f"player index {player} is out of range")
            return player
        if player not in names:
            raise GameError(f"unknown player {player!r}; players are {names}")
        return names.index(str(player))

    def infoset(player: int, key: str | None, actions: tuple[str, ...]) -> int:
        if key is not None and (player, key) in keys:
            h = keys[(player, key)]
            if action_labels[h] != actions:
                raise GameError(
                    f"information set {key!r}: nodes list different actions "
                    f"{list(action_labels[h])} and {list(actions)}"
                )
            return h
        h = len(infoset_player)
        infoset_player.append(player)
        infoset_labels.append(key or "")
        action_labels.append(actions)
        if key is not None:
            keys[(player, key)] = h
        return h

    stack: list[tuple[Node, int]] = [(root, -1)]
    while stack:
        node, up = stack.pop()
        if len(parent) >= MAX_NODES:
            raise GameError(f"a tree may have at most {MAX_NODES:,} nodes")
        parent.append(up)
        me = len(parent) - 1
        node_labels.append(node.label)
        subtrees: list[Node]
        if isinstance(node, Terminal):
            node_infoset.append(-1)
            payoffs.append(node.payoffs)
            terminal_labels.append(node.label)
            subtrees = []
        elif isinstance(node, Decision):
            actions = tuple(m[0] for m in node.moves)
            node_infoset.append(infoset(player_index(node.player), node.infoset, actions))
            subtrees = [m[1] for m in node.moves]
        elif isinstance(node, Chance):
            actions = tuple(m[0] for m in node.moves)
            node_infoset.append(infoset(CHANCE, node.infoset, actions))
            chance.append([float(m[1]) for m in node.moves])
            subtrees = [m[2] for m in node.moves]
        else:
            raise GameError(f"not a node: {node!r}")
        stack.extend((child, me) for child in reversed(subtrees))
    tree = GameTree(
        names,
        parent,
        node_infoset,
        infoset_player,
        action_labels,
        infoset_labels,
        node_labels,
        terminal_labels,
    )
    return ExtensiveFormGame(tree, payoffs, chance, title)
