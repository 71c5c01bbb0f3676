"""A small language for writing game trees by hand: nested nodes, laid out in preorder.

Tests, docs and examples write trees this way (``build_game`` in
:mod:`sim.games.extensive_form` adds the numbers); Gambit files and scenarios
are read into the same structures by their own readers.

>>> players, tree, payoffs, chance = lay_out(["Seoul", "Tokyo"], Decision("Seoul", [
...     ("fund", Decision("Tokyo", [("attend", Terminal([2, 2])), ("skip", Terminal([-1, 1]))])),
...     ("proceed", Terminal([0, 0]))]))
>>> tree, payoffs
(<GameTree: 2 players, 5 nodes, 2 information sets, 3 terminals>, [[2, 2], [-1, 1], [0, 0]])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

from sim.errors import GameError
from sim.games.tree import CHANCE, MAX_NODES, GameTree

__all__ = ["Chance", "Decision", "Node", "Terminal", "lay_out"]


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


def lay_out(
    players: Sequence[str], root: Node
) -> tuple[list[str], GameTree, list[Sequence[float]], list[list[float]]]:
    """The tree of a nested description, with its terminal payoffs and chance probabilities.

    Returns the player names, the :class:`~sim.games.tree.GameTree`, one payoff
    list per terminal and one probability list per chance node, in preorder.

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
    return names, tree, payoffs, chance
