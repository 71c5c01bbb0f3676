"""Tests for sim.formats: Gambit .nfg/.efg reading, writing, errors and round trips."""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim.formats.gambit_text
from sim.errors import FormatError, UsageError
from sim.formats import GAME_SUFFIXES, load_game
from sim.formats.efg import read_efg, write_efg
from sim.formats.nfg import read_nfg, write_nfg
from sim.games.extensive_form import (
    Chance,
    Decision,
    ExtensiveFormGame,
    Node,
    Terminal,
    build_game,
)
from sim.games.normal_form import NormalFormGame
from tests.optional import require

EXAMPLES = importlib.resources.files("sim") / "examples"


def catalogue(suffix: str) -> list[Any]:
    """The files of the installed pygambit's catalogue (empty when it is not installed)."""
    try:
        root = importlib.resources.files("pygambit")
    except ModuleNotFoundError:
        return []
    found = sorted(Path(str(root)).rglob(f"*{suffix}"))
    return [pytest.param(p, id=str(p.relative_to(Path(str(root))))) for p in found]


# ---------------------------------------------------------------------- peers: pygambit
@pytest.mark.peers
@pytest.mark.parametrize("path", catalogue(".nfg"))
def test_catalogue_nfg_matches_pygambit(path: Path) -> None:
    gbt = require("pygambit")
    game = load_game(path)
    assert isinstance(game, NormalFormGame)
    reference = gbt.read_nfg(str(path))
    expected = np.array([np.asarray(a, dtype=np.float64) for a in reference.to_arrays()])
    np.testing.assert_allclose(game.payoffs, expected, rtol=0, atol=1e-12)
    assert game.players == tuple(reference.players)
    assert read_nfg(write_nfg(game)) == game


@pytest.mark.peers
@pytest.mark.parametrize("path", catalogue(".efg"))
def test_catalogue_efg_matches_pygambit(path: Path) -> None:
    gbt = require("pygambit")
    game = load_game(path)
    assert isinstance(game, ExtensiveFormGame)
    reference = gbt.read_efg(str(path))
    assert game.has_perfect_recall() == reference.is_perfect_recall
    nf = game.reduced_normal_form()
    tree = game.tree
    # Match pygambit's reduced strategies to ours by the action they take at each
    # information set; both list a player's information sets in preorder of first visit.
    orders = []
    for i, player in enumerate(reference.players):
        own = tree.player_infosets(i)
        ours = {
            tuple(
                None if a is None else tree.action_labels[h][a] for h, a in zip(own, s, strict=True)
            ): k
            for k, s in enumerate(game.reduced_strategies()[i])
        }
        infosets = reference.get_infosets(player)
        theirs = [
            tuple(dict(reference.get_behavior(player, label).items()).get(h) for h in infosets)
            for label in reference.get_strategies(player)
        ]
        assert sorted(theirs, key=str) == sorted(ours, key=str)
        orders.append([ours[t] for t in theirs])
    expected = np.array([np.asarray(a, dtype=np.float64) for a in reference.to_arrays()])
    ours_in_their_order = nf.payoffs[np.ix_(range(game.n_players), *orders)]
    np.testing.assert_allclose(ours_in_their_order, expected, rtol=0, atol=1e-12)
    assert read_efg(write_efg(game)) == game
    assert read_nfg(write_nfg(nf)) == nf


def test_catalogue_is_found_when_pygambit_is_installed() -> None:
    require("pygambit")
    assert len(catalogue(".nfg")) >= 5
    assert len(catalogue(".efg")) >= 20


# ---------------------------------------------------------------------- examples and loading
def test_examples_load() -> None:
    payoff = load_game(EXAMPLES / "summit.nfg")
    outcome = load_game(EXAMPLES / "summit_outcomes.nfg")
    assert isinstance(payoff, NormalFormGame)
    assert payoff == outcome
    assert payoff.actions == (("host", "cancel"), ("attend", "skip"))
    np.testing.assert_array_equal(payoff.payoffs[0], [[3, 0], [1, 1]])
    game = load_game(EXAMPLES / "mediation.efg")
    assert isinstance(game, ExtensiveFormGame)
    assert game.tree.move_names == ("US pressure", "Seoul (high)", "Tokyo", "Seoul (low)")
    assert game.chance_probabilities.tolist() == [1 / 3, 2 / 3]
    assert game.tree.node_labels[0] == "Washington"
    assert game.tree.terminal_labels[0] == "agreement"


def test_every_example_round_trips() -> None:
    for path in EXAMPLES.iterdir():
        if path.name.endswith(GAME_SUFFIXES):
            game = load_game(Path(str(path)))
            if isinstance(game, NormalFormGame):
                assert read_nfg(write_nfg(game)) == game
            else:
                assert read_efg(write_efg(game)) == game


def test_unknown_suffix_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "game.txt"
    path.write_text("NFG 1 R")
    with pytest.raises(UsageError, match=r"\.nfg, \.efg"):
        load_game(path)
    with pytest.raises(UsageError, match="none"):
        load_game(tmp_path / "game")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="cannot read file") as info:
        load_game(tmp_path / "missing.nfg")
    assert info.value.path == str(tmp_path / "missing.nfg")


def test_binary_and_undecodable_files(tmp_path: Path) -> None:
    path = tmp_path / "binary.nfg"
    path.write_bytes(b'NFG 1 R "x"\n{ "a" }\x00\x01')
    with pytest.raises(FormatError, match="binary") as info:
        load_game(path)
    assert info.value.line == 2
    path.write_bytes(b'NFG 1 R "\xff\xfe" { "a" } { 1 }\n1\n')
    with pytest.raises(FormatError, match="not UTF-8") as info:
        load_game(path)
    assert info.value.line == 1
    with pytest.raises(FormatError, match="binary"):
        read_efg("EFG 2 R\n\n\0")


def test_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sim.formats.gambit_text, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.efg"
    path.write_text("EFG 2 R " + " " * 200)
    with pytest.raises(FormatError, match="at most 100"):
        load_game(path)
    with pytest.raises(FormatError, match="larger than 100"):
        read_nfg("NFG 1 R " + " " * 200)


def test_utf8_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "bom.nfg"
    path.write_bytes('\ufeffNFG 1 R "é" { "a" } { 2 }\r\n1 2\r\n'.encode())
    game = load_game(path)
    assert isinstance(game, NormalFormGame)
    assert game.title == "é"


# ---------------------------------------------------------------------- reading details
def test_nfg_numbers_and_escapes() -> None:
    game = read_nfg(
        'NFG 1 D "say \\"hi\\" \\\\ bye" { "A" "B" } { { "x" "y" } { "z" "w" } }\n'
        '"comment with \\"quotes\\"\nover two lines"\n'
        "1/3 -2 .5e1 +7\n1E-3 -4/8 0 0\n"
    )
    assert game.title == 'say "hi" \\ bye'
    np.testing.assert_array_equal(game.payoffs[:, :, 0], [[1 / 3, 0.5e1], [-2, 7]])
    np.testing.assert_array_equal(game.payoffs[:, 0, 1], [1e-3, -0.5])


def test_nfg_labels_are_made_distinct() -> None:
    game = read_nfg('NFG 1 R "" { "" "" } { { "a" "a" "" } { "" } } 1 2 3 4 5 6')
    assert game.players == ("Player 1", "Player 2")
    assert game.actions == (("a", "a (2)", "3"), ("1",))


def test_nfg_three_players_order() -> None:
    # The first player's strategy changes fastest.
    text = 'NFG 1 R "" { "a" "b" "c" } { 2 1 2 }\n' + " ".join(
        f"{p}{k}" for k in range(4) for p in (1, 2, 3)
    )
    game = read_nfg(text)
    assert game.payoffs[0, 1, 0, 0] == 11  # profile 2: (2, 1, 1)
    assert game.payoffs[2, 0, 0, 1] == 32  # profile 3: (1, 1, 2)


def test_efg_outcomes_at_inner_nodes_add_up() -> None:
    game = read_efg(
        'EFG 2 R "" { "A" "B" }\n'
        'p "" 1 1 "" { "x" "y" } 1 "toll" { 1, -1 }\n'
        't "" 2 "end" { 10, 20 }\n'
        't "" 0\n'
    )
    np.testing.assert_array_equal(game.payoffs, [[11, 19], [1, -1]])
    assert game.tree.terminal_labels == ("end", "")


def test_efg_repeated_infosets_may_omit_actions() -> None:
    game = read_efg(
        'EFG 2 D "" { "A" "B" } ""\n'
        'c "" 1 "" { "h" 0.5 "t" 0.5 } 0\n'
        'p "" 2 1 "guess" { "H" "T" } 0\n'
        't "" 1 "right" { 1, 0 }\n'
        't "" 2 "wrong" { 0, 1 }\n'
        'p "" 2 1 0\n'
        't "" 2\n'
        't "" 1\n'
    )
    assert game.tree.infoset_members(1) == (1, 4)
    np.testing.assert_array_equal(game.payoffs, [[1, 0], [0, 1], [0, 1], [1, 0]])
    assert game.has_perfect_recall()


def test_efg_chance_labels_are_made_distinct() -> None:
    game = read_efg('EFG 2 R "" { "A" }\nc "" 1 "" { "1/2" 1/2 "1/2" 1/2 } 0\nt "" 0\nt "" 0\n')
    assert game.tree.action_labels[0] == ("1/2", "1/2 (2)")


# ---------------------------------------------------------------------- malformed input
NFG_OK = 'NFG 1 R "t" { "A" "B" }\n{ 2 2 }\n""\n1 2 3 4\n5 6 7 8\n'
EFG_OK = (
    'EFG 2 R "t" { "A" "B" }\n""\n'
    'c "" 1 "" { "h" 1/2 "t" 1/2 } 0\n'
    'p "" 1 1 "" { "x" "y" } 0\n'
    't "" 1 "o1" { 1, 2 }\n'
    't "" 2 "o2" { 3, 4 }\n'
    't "" 3 "o3" { 5, 6 }\n'
)

NFG_CASES = [
    ("empty", "", 1, "empty file; expected an 'NFG 1 R' header"),
    ("blank", "  \n\n ", 1, "empty file"),
    ("header", 'NFG 2 R "t" { "A" } { 1 } 1', 1, "unknown header 'NFG 2 R'"),
    ("efg header", 'EFG 2 R "t"', 1, "looks like an .efg file"),
    ("no title", "NFG 1 R { }", 1, "expected the game's title in quotes; got '{'"),
    ("no players", 'NFG 1 R "t" { } { }', 1, "at least one player"),
    ("strategy count", 'NFG 1 R "t" { "A" }\n{ x }', 2, "number of strategies of player 1"),
    ("zero strategies", 'NFG 1 R "t" { "A" }\n{ 0 }', 2, "in 1..1000000; got 0"),
    ("too big", 'NFG 1 R "t" { "A" "B" }\n{ 1001 1000 }\n', 2, "more than 1,000,000"),
    ("too many players", 'NFG 1 R "t" {\n' + '"p" ' * 40 + "}", 2, "more than 32 players"),
    (
        "truncated",
        NFG_OK.replace("5 6 7 8\n", "5 6 7\n"),
        5,
        "unexpected end of file; expected payoff 8 of 8 (2 players x 4 profiles)",
    ),
    ("too many payoffs", NFG_OK + "9\n", 6, "unexpected '9' after the last payoff"),
    (
        "non-numeric",
        NFG_OK.replace("7 8", "x 8"),
        5,
        "expected payoff 7 of 8 (2 players x 4 profiles); got 'x'",
    ),
    ("division by zero", NFG_OK.replace("7 8", "1/0 8"), 5, "got '1/0'"),
    ("overflow", NFG_OK.replace("7 8", "1e999 8"), 5, "got '1e999'"),
    ("unterminated", 'NFG 1 R "t" { "A" }\n{ { "a" "b } }\n1 2\n', 2, "unterminated string"),
    (
        "truncated strategies",
        'NFG 1 R "t" { "A" "B" }\n{ { "a" }\n',
        2,
        "unexpected end of file; expected '{' opening the strategy labels of player 2",
    ),
    (
        "outcome range",
        'NFG 1 R "t" { "A" }\n{ 2 }\n{ { "o" 1 }\n}\n1\n2\n',
        6,
        "outcome number of profile 2 of 2 in 0..1; got 2",
    ),
    (
        "outcome payoffs",
        'NFG 1 R "t" { "A" }\n{ 1 }\n{ { "o" 1 2 }\n}\n1\n',
        3,
        "outcome 1 has more than 1 payoffs",
    ),
    (
        "outcome short",
        'NFG 1 R "t" { "A" "B" }\n{ 1 1 }\n{ { "o" 1 } }\n1\n',
        3,
        "expected payoff 2 of 2 of outcome 1; got '}'",
    ),
    (
        "outcome missing",
        'NFG 1 R "t" { "A" }\n{ 2 }\n{ { "o" 1 } }\n1\n',
        4,
        "unexpected end of file; expected the outcome number of profile 2 of 2",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "message"), [c[1:] for c in NFG_CASES], ids=[c[0] for c in NFG_CASES]
)
def test_malformed_nfg(text: str, line: int, message: str) -> None:
    with pytest.raises(FormatError) as info:
        read_nfg(text, "bad.nfg")
    assert info.value.line == line, str(info.value)
    assert message in info.value.message
    assert str(info.value).startswith(f"bad.nfg:{line}: ")


EFG_CASES = [
    ("empty", "\n", 1, "empty file; expected an 'EFG 2 R' header"),
    ("header", 'EFG 1 R "t" { "A" }', 1, "unknown header 'EFG 1 R'"),
    ("nfg header", 'NFG 1 R "t"', 1, "looks like an .nfg file"),
    ("node type", EFG_OK.replace('t "" 3', 'x "" 3'), 7, "expected a node type 'c' (chance)"),
    (
        "truncated",
        EFG_OK.rsplit("t ", 1)[0],
        6,
        "the tree is incomplete (node on line 3 still expects 1 more child)",
    ),
    ("no nodes", 'EFG 2 R "t" { "A" } ""\n', 1, "expected a node"),
    ("extra node", EFG_OK + 't "" 4 "o4" { 0, 0 }\n', 8, "after the last node of the tree"),
    ("player range", EFG_OK.replace('p "" 1 1', 'p "" 3 1'), 4, "a player number in 1..2; got 3"),
    ("probabilities", EFG_OK.replace('1/2 "t" 1/2', '1/2 "t" 2/3'), 3, "sum to"),
    ("negative probability", EFG_OK.replace('1/2 "t" 1/2', '3/2 "t" -1/2'), 3, "nonnegative"),
    (
        "bad probability",
        EFG_OK.replace('1/2 "t" 1/2', '1/2 "t" half'),
        3,
        "expected the probability of chance action 2; got 'half'",
    ),
    (
        "first infoset without actions",
        EFG_OK.replace('p "" 1 1 "" { "x" "y" } 0', 'p "" 1 1 0'),
        4,
        "information set 1 of player 1 appears here first",
    ),
    (
        "action count",
        EFG_OK.replace('t "" 3 "o3" { 5, 6 }', 'p "" 1 1 "" { "x" "y" "z" } 0'),
        7,
        "has 2 actions (line 4); this node lists 3",
    ),
    (
        "payoff count",
        EFG_OK.replace("{ 3, 4 }", "{ 3, 4, 5 }"),
        6,
        "outcome 2 has more than 2 payoffs",
    ),
    (
        "payoff missing",
        EFG_OK.replace("{ 3, 4 }", "{ 3 }"),
        6,
        "expected payoff 2 of 2 of outcome 2; got '}'",
    ),
    (
        "non-numeric payoff",
        EFG_OK.replace("{ 3, 4 }", "{ 3, four }"),
        6,
        "expected payoff 2 of 2 of outcome 2; got 'four'",
    ),
    (
        "conflicting outcome",
        EFG_OK.replace('3 "o3" { 5, 6 }', '1 "o1" { 5, 6 }'),
        7,
        "outcome 1 has payoffs [1.0, 2.0] (line 5)",
    ),
    ("unterminated", EFG_OK.replace('"o3"', '"o3'), 7, "unterminated string"),
    ("no actions", EFG_OK.replace('{ "x" "y" }', "{ }"), 4, "has no actions"),
]


@pytest.mark.parametrize(
    ("text", "line", "message"), [c[1:] for c in EFG_CASES], ids=[c[0] for c in EFG_CASES]
)
def test_malformed_efg(text: str, line: int, message: str) -> None:
    with pytest.raises(FormatError) as info:
        read_efg(text, "bad.efg")
    assert info.value.line == line, str(info.value)
    assert message in info.value.message, str(info.value)


def test_efg_node_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.formats.efg

    monkeypatch.setattr(sim.formats.efg, "MAX_NODES", 4)
    with pytest.raises(FormatError, match="more than 4 nodes") as info:
        read_efg(EFG_OK)
    assert info.value.line == 7


def test_well_formed_samples_parse() -> None:
    assert read_nfg(NFG_OK).shape == (2, 2)
    assert read_efg(EFG_OK).tree.n_nodes == 5


# ---------------------------------------------------------------------- round trips
LABEL = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=8,
).filter(lambda s: s.strip() != "")
ANY_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=8,
)
PAYOFF = st.one_of(
    st.floats(min_value=-1e100, max_value=1e100),  # sim caps payoffs at 1e100
    st.integers(-1000, 1000).map(float),
    st.fractions(max_denominator=12).map(float),
)


@st.composite
def normal_form_games(draw: st.DrawFn) -> NormalFormGame:
    n = draw(st.integers(1, 3))
    shape = draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    players = draw(st.lists(LABEL, min_size=n, max_size=n, unique=True))
    actions = [draw(st.lists(LABEL, min_size=k, max_size=k, unique=True)) for k in shape]
    size = n * int(np.prod(shape))
    payoffs = np.array(draw(st.lists(PAYOFF, min_size=size, max_size=size))).reshape(n, *shape)
    return NormalFormGame(payoffs, players, actions, draw(ANY_TEXT))


@given(normal_form_games())
def test_nfg_round_trip(game: NormalFormGame) -> None:
    assert read_nfg(write_nfg(game)) == game


@st.composite
def extensive_form_games(draw: st.DrawFn) -> ExtensiveFormGame:
    n = draw(st.integers(1, 3))
    players = draw(st.lists(LABEL, min_size=n, max_size=n, unique=True))
    budget = [draw(st.integers(1, 30))]
    shared: dict[tuple[str, str], list[str]] = {}

    def actions_for(owner: str, key: str | None) -> list[str]:
        if key is not None and (owner, key) in shared:
            return shared[(owner, key)]
        count = draw(st.integers(1, 3))
        labels = draw(st.lists(LABEL, min_size=count, max_size=count, unique=True))
        if key is not None:
            shared[(owner, key)] = labels
        return labels

    def node(depth: int) -> Node:
        budget[0] -= 1
        kind = "t" if depth >= 4 or budget[0] <= 0 else draw(st.sampled_from("tpcp"))
        if kind == "t":
            payoffs = draw(st.lists(PAYOFF, min_size=n, max_size=n))
            return Terminal(payoffs, draw(ANY_TEXT))
        key = draw(st.one_of(st.none(), st.sampled_from(["a", "b", 'q"\\'])))
        if kind == "p":
            player = draw(st.sampled_from(players))
            labels = actions_for(player, key)
            return Decision(player, [(a, node(depth + 1)) for a in labels], key, draw(ANY_TEXT))
        labels = actions_for("\0chance", key)
        weights = draw(st.lists(st.integers(0, 5), min_size=len(labels), max_size=len(labels)))
        if sum(weights) == 0:
            weights[0] = 1
        probabilities = [w / sum(weights) for w in weights]
        return Chance(
            [(a, p, node(depth + 1)) for a, p in zip(labels, probabilities, strict=True)],
            key,
            draw(ANY_TEXT),
        )

    return build_game(players, node(0), draw(ANY_TEXT))


@settings(deadline=None)
@given(extensive_form_games())
def test_efg_round_trip(game: ExtensiveFormGame) -> None:
    assert read_efg(write_efg(game)) == game
    nf = game.reduced_normal_form()
    assert read_nfg(write_nfg(nf)) == nf
    # Each pure profile's paths carry all the probability.
    profile = [np.eye(k)[0] for k in nf.shape]
    assert sum(p for p, _ in game.play_distribution(profile)) == pytest.approx(1.0)
