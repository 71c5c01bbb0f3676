"""Gambit's extensive-form ``.efg`` files (format version 2): read and write.

The layout, as we read it::

    EFG 2 R "title" { "Player 1" "Player 2" }
    "optional comment"

followed by one entry per node in depth-first preorder::

    c "node" infoset "infoset label" { "action" probability ... } outcome
    p "node" player infoset "infoset label" { "action" ... } outcome
    t "node" outcome "outcome label" { payoff, payoff, ... }

Information sets are numbered per player (chance separately); a later node of
an information set may omit its label and action list. A nonzero outcome
number may be followed by the outcome's label and payoffs, which are needed
the first time it is used; an outcome at a non-terminal node adds its payoffs
to every terminal below it. Probabilities and payoffs may be integers,
decimals with exponents, or rationals ``a/b``.

Our games keep payoffs at terminal nodes only, so outcomes at inner nodes are
folded into the terminals on reading. Empty or repeated player and action
labels are made distinct (see :func:`sim.formats.gambit_text.unique_labels`). We write
version 2 with an ``R`` header, each terminal's payoffs as its own outcome
unless it shares a nonempty label and the payoffs with an earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.errors import FormatError, GameError
from sim.formats.gambit_text import Lexer, format_number, quote, unique_labels
from sim.formats.nfg import MAX_PLAYERS
from sim.games.extensive_form import (
    CHANCE,
    CHANCE_NODE,
    DECISION,
    MAX_NODES,
    PROBABILITY_TOL,
    ExtensiveFormGame,
    GameTree,
)

__all__ = ["read_efg", "write_efg"]


@dataclass
class _Infoset:
    index: int
    n_actions: int
    line: int


@dataclass
class _Outcome:
    label: str
    payoffs: list[float] | None
    line: int


@dataclass
class _Tree:
    parent: list[int] = field(default_factory=list)
    node_infoset: list[int] = field(default_factory=list)
    node_labels: list[str] = field(default_factory=list)
    node_outcome: list[int] = field(default_factory=list)
    infoset_player: list[int] = field(default_factory=list)
    infoset_labels: list[str] = field(default_factory=list)
    action_labels: list[list[str]] = field(default_factory=list)
    chance: list[list[float]] = field(default_factory=list)
    infosets: dict[tuple[int, int], _Infoset] = field(default_factory=dict)
    first_probabilities: dict[int, list[float]] = field(default_factory=dict)
    outcomes: dict[int, _Outcome] = field(default_factory=dict)


def read_efg(text: str, path: str | Path | None = None) -> ExtensiveFormGame:
    """Read a game from the text of a Gambit ``.efg`` file.

    Parameters
    ----------
    text
        The file's contents.
    path
        The file name, used only in error messages.

    Raises
    ------
    FormatError
        With the line number, if the text is not a valid ``.efg`` game.

    Examples
    --------
    >>> game = read_efg('''EFG 2 R "Entry" { "Entrant" "Incumbent" } ""
    ... p "" 1 1 "enter?" { "in" "out" } 0
    ... p "" 2 1 "respond" { "fight" "share" } 0
    ... t "" 1 "war" { -1, -1 }
    ... t "" 2 "peace" { 1, 1 }
    ... t "" 3 "status quo" { 0, 2 }''')
    >>> game
    <ExtensiveFormGame 'Entry': 2 players, 5 nodes, 3 terminals>
    >>> game.reduced_normal_form().payoffs[1]
    array([[-1.,  1.],
           [ 2.,  2.]])
    """
    lexer = Lexer(text, path, "an 'EFG 2 R' header")
    _header(lexer)
    title = lexer.string("the game's title in quotes")
    lexer.open("'{' opening the list of players")
    players: list[str] = []
    while not lexer.at("}"):
        players.append(lexer.string("a player's name in quotes or '}'"))
        if len(players) > MAX_PLAYERS:
            raise FormatError(lexer.path, lexer.line, f"more than {MAX_PLAYERS} players")
    lexer.close("'}'")
    if not players:
        raise FormatError(lexer.path, lexer.line, "expected at least one player")
    if lexer.at("string"):
        lexer.string("a comment")
    tree = _Tree()
    open_nodes: list[list[int]] = []  # [node, children still expected, line]
    while True:
        token = lexer.peek()
        if token is None:
            break
        if tree.parent and not open_nodes:
            lexer.end("the last node of the tree")
        if len(tree.parent) >= MAX_NODES:
            raise FormatError(lexer.path, token.line, f"more than {MAX_NODES:,} nodes")
        n_children = _node(lexer, tree, len(players))
        node = len(tree.parent) - 1
        if open_nodes:
            tree.parent[node] = open_nodes[-1][0]
            open_nodes[-1][1] -= 1
            if open_nodes[-1][1] == 0:
                open_nodes.pop()
        if n_children:
            open_nodes.append([node, n_children, token.line])
    if not tree.parent:
        raise FormatError(lexer.path, lexer.line, "unexpected end of file; expected a node")
    if open_nodes:
        node, missing, line = open_nodes[-1]
        raise FormatError(
            lexer.path,
            lexer.line,
            f"unexpected end of file: the tree is incomplete (node on line {line} "
            f"still expects {missing} more {'child' if missing == 1 else 'children'})",
        )
    return _finish(lexer, tree, players, title)


def _header(lexer: Lexer) -> None:
    words = []
    for _ in range(3):
        token = lexer.peek()
        if token is None or token.kind != "word":
            break
        words.append(lexer.take("header").text)
    if len(words) < 3 or words[:2] != ["EFG", "2"] or words[2] not in ("R", "D"):
        found = " ".join(words) or "(no header)"
        hint = "; this looks like an .nfg file" if words[:1] == ["NFG"] else ""
        raise FormatError(
            lexer.path, 1, f"unknown header {found!r}; expected 'EFG 2 R' or 'EFG 2 D'{hint}"
        )


def _node(lexer: Lexer, tree: _Tree, n_players: int) -> int:
    """Read one node entry into ``tree``; return its number of children."""
    token = lexer.take("a node: 'c', 'p' or 't'")
    if token.kind != "word" or token.text not in ("c", "p", "t"):
        raise lexer.fail(token, "a node type 'c' (chance), 'p' (player) or 't' (terminal)")
    line, kind = token.line, token.text
    tree.parent.append(-1)
    tree.node_labels.append(lexer.string("the node's label in quotes"))
    n_children = 0
    if kind == "t":
        tree.node_infoset.append(-1)
    else:
        player = CHANCE
        if kind == "p":
            player = lexer.integer("a player number", 1, n_players) - 1
        number = lexer.integer("an information set number", 1)
        who = "chance" if player == CHANCE else f"player {player + 1}"
        label = lexer.string("the information set's label") if lexer.at("string") else None
        actions: list[str] | None = None
        probabilities: list[float] | None = None
        if lexer.at("{"):
            lexer.open("'{'")
            actions, probabilities = [], []
            while not lexer.at("}"):
                actions.append(lexer.string("an action label in quotes or '}'"))
                if player == CHANCE:
                    probabilities.append(
                        lexer.number(f"the probability of chance action {len(actions)}")
                    )
                if len(actions) > MAX_NODES:
                    raise FormatError(lexer.path, lexer.line, "too many actions")
            lexer.close("'}'")
            if not actions:
                raise FormatError(lexer.path, line, f"information set {number} has no actions")
        known = tree.infosets.get((player, number))
        if known is None:
            if actions is None:
                raise FormatError(
                    lexer.path,
                    line,
                    f"information set {number} of {who} appears here first; expected its "
                    "actions in '{ ... }'",
                )
            known = _Infoset(len(tree.infoset_player), len(actions), line)
            tree.infosets[(player, number)] = known
            tree.infoset_player.append(player)
            tree.infoset_labels.append(label or "")
            tree.action_labels.append(actions)
        elif actions is not None and len(actions) != known.n_actions:
            raise FormatError(
                lexer.path,
                line,
                f"information set {number} of {who} has {known.n_actions} actions "
                f"(line {known.line}); this node lists {len(actions)}",
            )
        tree.node_infoset.append(known.index)
        n_children = known.n_actions
        if player == CHANCE:
            if not probabilities:
                probabilities = tree.first_probabilities[known.index]
            _check_probabilities(lexer, line, probabilities)
            tree.first_probabilities.setdefault(known.index, probabilities)
            tree.chance.append(probabilities)
    tree.node_outcome.append(_outcome(lexer, tree, n_players, line))
    return n_children


def _check_probabilities(lexer: Lexer, line: int, probabilities: list[float]) -> None:
    if any(p < 0 for p in probabilities):
        raise FormatError(
            lexer.path, line, f"chance probabilities must be nonnegative; got {probabilities}"
        )
    total = sum(probabilities)
    if abs(total - 1.0) > PROBABILITY_TOL:
        raise FormatError(lexer.path, line, f"chance probabilities sum to {total!r}; expected 1")


def _outcome(lexer: Lexer, tree: _Tree, n_players: int, line: int) -> int:
    number = lexer.integer("an outcome number (0 for none)")
    if number == 0:
        return 0
    label = lexer.string("the outcome's label") if lexer.at("string") else None
    payoffs: list[float] | None = None
    if lexer.at("{"):
        lexer.open("'{'")
        payoffs = [
            lexer.number(f"payoff {i + 1} of {n_players} of outcome {number}")
            for i in range(n_players)
        ]
        token = lexer.take(f"'}}' after the {n_players} payoffs of outcome {number}")
        if token.kind != "}":
            raise FormatError(
                lexer.path,
                token.line,
                f"outcome {number} has more than {n_players} payoffs; expected '}}' after "
                f"{n_players}, got {token.describe()}",
            )
    known = tree.outcomes.get(number)
    if known is None:
        tree.outcomes[number] = _Outcome(label or "", payoffs, line)
    elif payoffs is not None:
        if known.payoffs is None:
            known.payoffs = payoffs
        elif known.payoffs != payoffs:
            raise FormatError(
                lexer.path,
                line,
                f"outcome {number} has payoffs {known.payoffs} (line {known.line}); "
                f"here it has {payoffs}",
            )
    return number


def _finish(lexer: Lexer, tree: _Tree, players: list[str], title: str) -> ExtensiveFormGame:
    n_players = len(players)
    own = np.zeros((len(tree.parent), n_players))
    for v, number in enumerate(tree.node_outcome):
        if number:
            outcome = tree.outcomes[number]
            if outcome.payoffs is not None:
                own[v] = outcome.payoffs
    for v in range(1, len(tree.parent)):
        own[v] += own[tree.parent[v]]  # preorder: a parent's total is final before its children
    terminals = [v for v, h in enumerate(tree.node_infoset) if h < 0]
    terminal_labels = [
        tree.outcomes[tree.node_outcome[v]].label if tree.node_outcome[v] else "" for v in terminals
    ]
    try:
        game_tree = GameTree(
            unique_labels(players, "Player {}"),
            tree.parent,
            tree.node_infoset,
            tree.infoset_player,
            [unique_labels(a, "{}") for a in tree.action_labels],
            tree.infoset_labels,
            tree.node_labels,
            terminal_labels,
        )
        return ExtensiveFormGame(game_tree, own[terminals], tree.chance, title)
    except GameError as exc:
        raise FormatError(lexer.path, None, str(exc)) from None


def write_efg(game: ExtensiveFormGame) -> str:
    """Write a game as the text of a Gambit ``.efg`` file (version 2).

    Examples
    --------
    >>> from sim.games.extensive_form import Chance, Terminal, build_game
    >>> game = build_game(["Seoul"], Chance([("calm", 2 / 3, Terminal([1], "deal")),
    ...                                      ("storm", 1 / 3, Terminal([0]))]), title="weather")
    >>> print(write_efg(game), end="")
    EFG 2 R "weather" { "Seoul" }
    ""
    <BLANKLINE>
    c "" 1 "" { "calm" 2/3 "storm" 1/3 } 0
    t "deal" 1 "deal" { 1 }
    t "" 2 "" { 0 }
    >>> read_efg(write_efg(game)) == game
    True
    """
    tree = game.tree
    players = " ".join(quote(p) for p in tree.players)
    lines = [f"EFG 2 R {quote(game.title)} {{ {players} }}", '""', ""]
    number: dict[int, int] = {}
    for player in [CHANCE, *range(tree.n_players)]:
        for k, h in enumerate(tree.player_infosets(player)):
            number[h] = k + 1
    outcomes: dict[tuple[str, bytes], int] = {}
    terminal = 0
    chance = 0
    for v in range(tree.n_nodes):
        label = quote(tree.node_labels[v])
        kind = tree.node_kind[v]
        if kind in (DECISION, CHANCE_NODE):
            h = int(tree.node_infoset[v])
            actions = tree.action_labels[h]
            if kind == CHANCE_NODE:
                lo = int(tree.chance_offsets[chance])
                chance += 1
                body = " ".join(
                    f"{quote(a)} {format_number(float(game.chance_probabilities[lo + k]))}"
                    for k, a in enumerate(actions)
                )
                head = f"c {label} {number[h]}"
            else:
                body = " ".join(quote(a) for a in actions)
                head = f"p {label} {int(tree.infoset_player[h]) + 1} {number[h]}"
            lines.append(f"{head} {quote(tree.infoset_labels[h])} {{ {body} }} 0")
        else:
            payoffs = game.payoffs[terminal]
            outcome_label = tree.terminal_labels[terminal]
            terminal += 1
            key = (outcome_label, payoffs.tobytes())
            if outcome_label and key in outcomes:
                index = outcomes[key]
            else:
                index = len(outcomes) + 1
                outcomes[key if outcome_label else ("", str(index).encode())] = index
            values = ", ".join(format_number(float(x)) for x in payoffs)
            lines.append(f"t {label} {index} {quote(outcome_label)} {{ {values} }}")
    return "\n".join(lines) + "\n"
