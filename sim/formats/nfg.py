"""Gambit's strategic-form ``.nfg`` files: read both variants, write the payoff variant.

The layout, as we read it::

    NFG 1 R "title" { "Player 1" "Player 2" }
    { { "Top" "Bottom" } { "Left" "Right" } }      or   { 2 2 }
    "optional comment"

followed by the body, in one of two variants:

- *payoff* variant: for each pure-strategy profile, every player's payoff,
  profiles listed with the first player's strategy changing fastest;
- *outcome* variant: a list of outcomes ``{ "label" payoff payoff ... }``, then
  one outcome number per profile (same order; ``0`` means all payoffs are 0).

``R`` and ``D`` (rational and decimal) headers are both accepted; numbers may
be integers, decimals with exponents, or rationals ``a/b``. Empty or repeated
labels are made distinct (see :func:`sim.formats.gambit_text.unique_labels`). We write the
payoff variant with an ``R`` header.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.errors import FormatError, GameError
from sim.formats.gambit_text import Lexer, format_number, quote, unique_labels
from sim.games.normal_form import MAX_PROFILES, NormalFormGame

__all__ = ["MAX_PLAYERS", "read_nfg", "write_nfg"]

#: The largest number of players a game file may declare.
MAX_PLAYERS = 32


def read_nfg(text: str, path: str | Path | None = None) -> NormalFormGame:
    """Read a game from the text of a Gambit ``.nfg`` file.

    Parameters
    ----------
    text
        The file's contents.
    path
        The file name, used only in error messages.

    Raises
    ------
    FormatError
        With the line number, if the text is not a valid ``.nfg`` game.

    Examples
    --------
    >>> game = read_nfg('''NFG 1 R "Chicken" { "Seoul" "Tokyo" } { 2 2 }
    ... 0 0  1 -1  -1 1  -10 -10''')
    >>> game
    <NormalFormGame 'Chicken': 2 players, 2 x 2>
    >>> game.payoffs[0]
    array([[  0.,  -1.],
           [  1., -10.]])
    """
    lexer = Lexer(text, path, "an 'NFG 1 R' header")
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
    shape, labels = _strategies(lexer, len(players))
    if lexer.at("string"):
        lexer.string("a comment")
    n, size = len(players), int(np.prod(shape, dtype=np.int64))
    if lexer.at("{"):
        flat = _outcome_body(lexer, n, size)
    else:
        flat = np.empty(n * size)
        for k in range(n * size):
            flat[k] = lexer.number(f"payoff {k + 1} of {n * size} ({n} players x {size} profiles)")
        lexer.end("the last payoff")
    # Profiles run with the first player's strategy fastest: axes (a_N, ..., a_1, player).
    payoffs = flat.reshape(*shape[::-1], n).T
    try:
        return NormalFormGame(
            payoffs,
            unique_labels(players, "Player {}"),
            [unique_labels(a, "{}") for a in labels],
            title,
        )
    except GameError as exc:
        raise FormatError(lexer.path, None, str(exc)) from None


def _header(lexer: Lexer) -> None:
    words = []
    for _ in range(3):
        token = lexer.peek()
        if token is None or token.kind != "word":
            break
        words.append(lexer.take("header").text)
    if len(words) < 3 or words[:2] != ["NFG", "1"] or words[2] not in ("R", "D"):
        found = " ".join(words) or "(no header)"
        hint = "; this looks like an .efg file" if words[:1] == ["EFG"] else ""
        raise FormatError(
            lexer.path, 1, f"unknown header {found!r}; expected 'NFG 1 R' or 'NFG 1 D'{hint}"
        )


def _strategies(lexer: Lexer, n: int) -> tuple[tuple[int, ...], list[list[str]]]:
    lexer.open("'{' opening the strategies")
    labels: list[list[str]] = []
    if lexer.at("{"):
        for i in range(n):
            lexer.open(f"'{{' opening the strategy labels of player {i + 1}")
            own: list[str] = []
            while not lexer.at("}"):
                own.append(lexer.string(f"a strategy label of player {i + 1} in quotes or '}}'"))
                if len(own) > MAX_PROFILES:
                    raise FormatError(lexer.path, lexer.line, "too many strategies")
            lexer.close("'}'")
            labels.append(own)
        shape = tuple(len(own) for own in labels)
    else:
        counts = []
        for i in range(n):
            counts.append(
                lexer.integer(f"the number of strategies of player {i + 1}", 1, MAX_PROFILES)
            )
        shape = tuple(counts)
        labels = [[str(k + 1) for k in range(c)] for c in counts]
    lexer.close(f"'}}' closing the strategies of {n} players")
    for i, count in enumerate(shape):
        if count < 1:
            raise FormatError(lexer.path, lexer.line, f"player {i + 1} has no strategies")
    if int(np.prod(shape, dtype=np.float64)) > MAX_PROFILES:
        raise FormatError(
            lexer.path,
            lexer.line,
            f"game of shape {' x '.join(map(str, shape))} has more than {MAX_PROFILES:,} "
            "pure-strategy profiles",
        )
    return shape, labels


def _outcome_body(lexer: Lexer, n: int, size: int) -> np.ndarray:
    lexer.open("'{' opening the outcomes")
    outcomes = [np.zeros(n)]  # outcome 0: nothing happens, every payoff 0
    while not lexer.at("}"):
        lexer.open("'{' opening an outcome or '}'")
        lexer.string("the outcome's label in quotes")
        payoffs = [
            lexer.number(f"payoff {i + 1} of {n} of outcome {len(outcomes)}") for i in range(n)
        ]
        token = lexer.take(f"'}}' after the {n} payoffs of outcome {len(outcomes)}")
        if token.kind != "}":
            raise FormatError(
                lexer.path,
                token.line,
                f"outcome {len(outcomes)} has more than {n} payoffs; expected '}}' "
                f"after {n}, got {token.describe()}",
            )
        outcomes.append(np.array(payoffs))
        if len(outcomes) > MAX_PROFILES + 1:
            raise FormatError(lexer.path, lexer.line, "too many outcomes")
    lexer.close("'}'")
    table = np.array(outcomes)
    chosen = np.empty(size, dtype=np.int64)
    for k in range(size):
        chosen[k] = lexer.integer(
            f"the outcome number of profile {k + 1} of {size}", 0, len(outcomes) - 1
        )
    lexer.end("the last outcome number")
    return np.asarray(table[chosen].ravel(), dtype=np.float64)


def write_nfg(game: NormalFormGame) -> str:
    """Write a game as the text of a Gambit ``.nfg`` file (payoff variant).

    Examples
    --------
    >>> game = NormalFormGame.from_matrices([[3, 0], [5, 1]], [[3, 5], [0, 1.5]],
    ...                                     players=["Seoul", "Tokyo"], title="dilemma")
    >>> print(write_nfg(game), end="")
    NFG 1 R "dilemma" { "Seoul" "Tokyo" }
    { { "1" "2" } { "1" "2" } }
    ""
    <BLANKLINE>
    3 3
    5 0
    0 5
    1 1.5
    >>> read_nfg(write_nfg(game)) == game
    True
    """
    players = " ".join(quote(p) for p in game.players)
    actions = " ".join("{ " + " ".join(quote(a) for a in own) + " }" for own in game.actions)
    lines = [f"NFG 1 R {quote(game.title)} {{ {players} }}", f"{{ {actions} }}", '""', ""]
    rows = game.payoffs.T.reshape(-1, game.n_players)
    lines.extend(" ".join(format_number(float(x)) for x in row) for row in rows)
    return "\n".join(lines) + "\n"
