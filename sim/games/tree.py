"""The structure of a game tree: nodes, information sets, labels, levels and strategies.

A :class:`GameTree` knows nothing about payoffs or probabilities, so that one
tree serves a million parameter points (:class:`~sim.games.extensive_form.
ExtensiveFormGame` pairs it with its numbers). The conventions (preorder node
numbering, chance as player :data:`CHANCE`, reduced strategies, move names) are
described in :mod:`sim.games.extensive_form`.
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
from sim.games.normal_form import MAX_PROFILES

__all__ = [
    "CHANCE",
    "CHANCE_NODE",
    "DECISION",
    "MAX_NODES",
    "TERMINAL",
    "GameTree",
    "NodeGroup",
    "ReducedStrategy",
    "TreeLevel",
    "chance_reach",
]

#: The largest number of nodes a tree may have.
MAX_NODES = 200_000
#: The player index of chance in :attr:`GameTree.infoset_player`.
CHANCE = -1
#: Node kinds in :attr:`GameTree.node_kind`.
TERMINAL, DECISION, CHANCE_NODE = 0, 1, 2

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
        >>> from sim.games.extensive_form import Chance, Decision, Terminal, build_game
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
        >>> from sim.games.extensive_form import Chance, Decision, Terminal, build_game
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
        >>> from sim.games.extensive_form import Chance, Decision, Terminal, build_game
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

        >>> from sim.games.extensive_form import Chance, Decision, Terminal, build_game
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

    def reduced_strategy_count(self, player: int) -> int | None:
        """How many reduced strategies ``player`` has, by a formula; ``None`` unless perfect information.

        On a perfect-information tree a player's reduced strategies at a node
        are the sum over the actions of its own decision, and the product over
        the children of anyone else's; counts are capped at 10**18.

        Examples
        --------
        Washington presses or waits; Seoul answers either with one of three
        steps, so it has 3 x 3 = 9 plans:

        >>> from sim.games.extensive_form import Decision, Terminal, build_game
        >>> answer = [(step, Terminal([0, 0])) for step in ("proceed", "freeze", "fund")]
        >>> game = build_game(["Washington", "Seoul"], Decision("Washington", [
        ...     ("press", Decision("Seoul", answer)), ("wait", Decision("Seoul", answer))]))
        >>> game.tree.reduced_strategy_count(0), game.tree.reduced_strategy_count(1)
        (2, 9)
        """  # noqa: E501
        if not self.is_perfect_information:
            return None
        count = [1] * self.n_nodes
        children, node_infoset, owner = self._children, self.node_infoset, self.infoset_player
        for v in range(self.n_nodes - 1, -1, -1):
            kids = children[v]
            if not kids:
                continue
            h = int(node_infoset[v])
            parts = [count[c] for c in kids]
            own = h >= 0 and owner[h] == player
            count[v] = min(sum(parts) if own else math.prod(parts), 10**18)
        return count[0]

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
        >>> from sim.games.extensive_form import Chance, Decision, Terminal, build_game
        >>> game = build_game(["A", "B"], Decision("A", [
        ...     ("out", Terminal([1, 1])),
        ...     ("in", Decision("B", [("x", Decision("A", [("u", Terminal([3, 0])),
        ...                                                ("d", Terminal([0, 2]))])),
        ...                            ("y", Terminal([0, 0]))]))]))
        >>> game.tree.reduced_strategies(0)
        ((0, None), (1, 0), (1, 1))
        """
        counted = self.reduced_strategy_count(player)
        if counted is not None and counted > limit:  # known without listing them
            raise TooLargeError(
                f"{self.players[player]!r} has more than {limit:,} reduced strategies"
            )
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
        >>> from sim.games.extensive_form import Chance, Decision, Terminal, build_game
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

    def history(self, node: int) -> dict[str, str]:
        """The moves and actions on the way to ``node``: ``{move name: action label}``.

        Examples
        --------
        >>> tree = GameTree(["Seoul", "Tokyo"], parent=[-1, 0, 1, 1, 0],
        ...                 node_infoset=[0, 1, -1, -1, -1], infoset_player=[0, 1],
        ...                 action_labels=[["propose", "wait"], ["accept", "refuse"]],
        ...                 infoset_labels=["talks", "answer"])
        >>> tree.history(3)
        {'talks': 'propose', 'answer': 'refuse'}
        """
        names = self.move_names
        out = {}
        for parent, a in self.path(node):
            h = int(self.node_infoset[parent])
            out[names[h]] = self.action_labels[h][a]
        return out

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


def chance_reach(tree: GameTree, probabilities: FloatArray) -> FloatArray:
    """The chance part of each node's reach probability (works on batches too).

    ``probabilities`` may carry leading batch axes: shape ``(..., n_chance_actions)``;
    the result has shape ``(..., n_nodes)``.

    Examples
    --------
    >>> from sim.games.extensive_form import Chance, Decision, Terminal, build_game
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
