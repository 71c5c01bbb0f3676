"""Tests for sim.games.extensive_form: structure, validation, recall, reduced form, play paths."""

from __future__ import annotations

import numpy as np
import pytest

import sim.games.extensive_form as ef
import sim.games.tree
from sim.errors import GameError, TooLargeError
from sim.games.extensive_form import (
    CHANCE,
    CHANCE_NODE,
    DECISION,
    TERMINAL,
    Chance,
    Decision,
    ExtensiveFormGame,
    GameTree,
    Terminal,
    build_game,
)


def entry_game() -> ExtensiveFormGame:
    return build_game(
        ["Entrant", "Incumbent"],
        Decision(
            "Entrant",
            [
                (
                    "in",
                    Decision(
                        "Incumbent", [("fight", Terminal([-1, -1])), ("share", Terminal([1, 1]))]
                    ),
                ),
                ("out", Terminal([0, 2])),
            ],
        ),
        title="entry",
    )


def mediation_game() -> ExtensiveFormGame:
    """Chance picks US pressure; Seoul sees it, Tokyo does not."""

    def seoul(mood: str, deal: tuple[float, float]) -> Decision:
        return Decision(
            "Seoul",
            [
                (
                    "propose",
                    Decision(
                        "Tokyo",
                        [
                            ("accept", Terminal(deal, "agreement")),
                            ("refuse", Terminal([-1, 0], "snub")),
                        ],
                        "Tokyo",
                    ),
                ),
                ("wait", Terminal([0, 0], "status quo")),
            ],
            f"Seoul ({mood})",
        )

    return build_game(
        ["Seoul", "Tokyo"],
        Chance(
            [("high", 1 / 3, seoul("high", (3, 2))), ("low", 2 / 3, seoul("low", (2, 1)))],
            "US pressure",
        ),
    )


def driver_game() -> ExtensiveFormGame:
    """The absent-minded driver: both junctions are one information set."""
    return build_game(
        ["driver"],
        Decision(
            "driver",
            [
                (
                    "continue",
                    Decision(
                        "driver", [("continue", Terminal([1])), ("exit", Terminal([4]))], "junction"
                    ),
                ),
                ("exit", Terminal([0])),
            ],
            "junction",
        ),
    )


def forgetful_game() -> ExtensiveFormGame:
    """Player 1 chooses L or R, then forgets it at a later move (no absent-mindedness)."""

    def later(payoffs: tuple[float, float]) -> Decision:
        return Decision(
            "P1", [("l", Terminal([payoffs[0]])), ("r", Terminal([payoffs[1]]))], "later"
        )

    return build_game(["P1"], Decision("P1", [("L", later((1, 0))), ("R", later((0, 1)))]))


# ---------------------------------------------------------------------- structure
def test_tree_structure_and_kinds() -> None:
    game = mediation_game()
    tree = game.tree
    assert tree.n_nodes == 11
    assert tree.children(0) == (1, 6)
    assert tree.node_kind[0] == CHANCE_NODE
    assert tree.node_kind[1] == DECISION
    assert tree.node_kind[3] == TERMINAL
    assert tree.terminals.tolist() == [3, 4, 5, 8, 9, 10]
    assert tree.infoset_members(2) == (2, 7)
    assert tree.player_infosets(1) == (2,)
    assert tree.player_infosets(CHANCE) == (0,)
    assert tree.depth.tolist() == [0, 1, 2, 3, 3, 2, 1, 2, 3, 3, 2]
    assert tree.subtree_size[1] == 5
    assert tree.path(4) == ((0, 0), (1, 0), (2, 1))
    assert game.chance_at(0).tolist() == pytest.approx([1 / 3, 2 / 3])
    assert tree.terminal_labels == ("agreement", "snub", "status quo") * 2


def test_arrays_are_read_only() -> None:
    game = mediation_game()
    for array in (
        game.payoffs,
        game.chance_probabilities,
        game.tree.parent,
        game.tree.node_infoset,
        game.tree.infoset_player,
        game.tree.terminals,
    ):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1


def test_subgame_roots() -> None:
    assert entry_game().subgame_roots() == (0, 1)
    # Tokyo's information set spans both chance branches: only the root is a subgame.
    assert mediation_game().subgame_roots() == (0,)
    # Seoul's nodes each root a subgame once Tokyo observes the chance move.
    game = build_game(
        ["A", "B"],
        Chance(
            [
                (
                    "x",
                    0.5,
                    Decision(
                        "A",
                        [
                            (
                                "u",
                                Decision("B", [("l", Terminal([1, 1])), ("r", Terminal([0, 0]))]),
                            ),
                            ("d", Terminal([2, 2])),
                        ],
                    ),
                ),
                ("y", 0.5, Terminal([0, 0])),
            ]
        ),
    )
    assert game.subgame_roots() == (0, 1, 2)
    assert driver_game().subgame_roots() == ()


def test_equality_hash_and_repr() -> None:
    a, b = mediation_game(), mediation_game()
    assert a == b
    assert hash(a) == hash(b)
    payoffs = np.array(a.payoffs)
    payoffs[-1, -1] += 1  # one entry differs: the games differ
    assert ExtensiveFormGame(a.tree, payoffs, a.chance_probabilities) != a
    other_chance = ExtensiveFormGame(a.tree, a.payoffs, [[0.5, 0.5]])
    assert other_chance != a
    assert ExtensiveFormGame(a.tree, a.payoffs, a.chance_probabilities, "t") != a
    assert (a == 3) is False
    assert repr(entry_game()) == "<ExtensiveFormGame 'entry': 2 players, 5 nodes, 3 terminals>"
    assert repr(a.tree) == "<GameTree: 2 players, 11 nodes, 4 information sets, 6 terminals>"


def test_chance_probabilities_flat_or_per_node() -> None:
    game = mediation_game()
    flat = ExtensiveFormGame(game.tree, game.payoffs, [1 / 3, 2 / 3])
    nested = ExtensiveFormGame(game.tree, game.payoffs, [[1 / 3, 2 / 3]])
    assert flat == nested == game


# ---------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("chance", "message"),
    [
        ([[0.5, 0.6]], "sum to"),
        ([[1.5, -0.5]], "nonnegative"),
        ([[0.5]], "expected 2 probabilities"),
        ([[np.nan, 1.0]], "nonnegative"),
        ([0.5, 0.5, 0.0], "expected 2 numbers or one sequence"),
    ],
)
def test_bad_chance_probabilities(chance: list[list[float]], message: str) -> None:
    game = mediation_game()
    with pytest.raises(GameError, match=message):
        ExtensiveFormGame(game.tree, game.payoffs, chance)


def test_probabilities_within_tolerance_are_accepted() -> None:
    game = mediation_game()
    ExtensiveFormGame(game.tree, game.payoffs, [[0.5, 0.5 + 5e-10]])
    with pytest.raises(GameError, match="sum to"):
        ExtensiveFormGame(game.tree, game.payoffs, [[0.5, 0.5 + 5e-9]])


def two_terminal_tree(**changes: object) -> GameTree:
    spec: dict[str, object] = {
        "players": ["A"],
        "parent": [-1, 0, 0],
        "node_infoset": [0, -1, -1],
        "infoset_player": [0],
        "action_labels": [["x", "y"]],
    }
    spec.update(changes)
    return GameTree(**spec)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"parent": [1, 2, 0]}, "node 0 must be the root"),
        ({"parent": [-1, 2, 1]}, "cycle"),
        ({"parent": [-1, 0, 7]}, "parent 7 is not a node"),
        (
            {
                "parent": [-1, 0, 1],
                "node_infoset": [0, 1, -1],
                "infoset_player": [0, 0],
                "action_labels": [["x"], ["y"]],
            },
            None,
        ),
        (
            {"parent": [-1, 0, 0], "node_infoset": [0, -1, -1], "action_labels": [["x", "y", "z"]]},
            "3 actions but has 2 children",
        ),
        ({"node_infoset": [0, 0, -1]}, "node 1 is in information set 0"),
        ({"node_infoset": [-1, -1, -1]}, "node 0 is a terminal node but has 2 children"),
        ({"infoset_player": [3]}, "player 3 is not"),
        ({"action_labels": [["x", "x"]]}, "must be distinct"),
        ({"action_labels": [["x", "y"]], "node_infoset": [0, -1, 4]}, "information set 4 is not"),
        ({"players": ["A", "A"]}, "must be distinct"),
        ({"players": []}, "at least one player"),
        ({"terminal_labels": ["only one"]}, "expected 2 labels"),
        ({"parent": []}, "at least one node"),
    ],
)
def test_invalid_trees(changes: dict[str, object], message: str | None) -> None:
    if message is None:
        two_terminal_tree(**changes)  # a valid chain A -> A -> terminal
        return
    with pytest.raises(GameError, match=message):
        two_terminal_tree(**changes)


def test_nodes_must_be_in_preorder() -> None:
    # Root with children 1 (decision) and 2 (terminal), but node 3 is a child of 1.
    with pytest.raises(GameError, match="depth-first preorder"):
        GameTree(["A"], [-1, 0, 0, 1], [0, 1, -1, -1], [0, 0], [["a", "b"], ["c"]])


def test_infosets_must_be_numbered_by_first_visit() -> None:
    with pytest.raises(GameError, match="order the depth-first preorder"):
        GameTree(["A"], [-1, 0, 1], [1, 0, -1], [0, 0], [["c"], ["a"]])
    with pytest.raises(GameError, match="information set 1 has no nodes"):
        GameTree(["A"], [-1, 0], [0, -1], [0, 0], [["a"], ["b"]])


def test_payoff_shape_and_finiteness() -> None:
    tree = two_terminal_tree()
    with pytest.raises(GameError, match=r"expected shape \(2, 1\)"):
        ExtensiveFormGame(tree, [[1, 2]])
    with pytest.raises(GameError, match="finite"):
        ExtensiveFormGame(tree, [[1], [np.inf]])
    with pytest.raises(GameError, match="must be numbers"):
        ExtensiveFormGame(tree, [["a"], [1]])


def test_node_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sim.games.tree, "MAX_NODES", 2)
    with pytest.raises(GameError, match="at most 2 nodes"):
        two_terminal_tree()


def test_reduced_normal_form_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    # Chance picks one of 5 states; A moves in each with 2 actions: 32 reduced strategies.
    game = build_game(
        ["A"],
        Chance(
            [
                (f"s{k}", 0.2, Decision("A", [("a", Terminal([0])), ("b", Terminal([1]))]))
                for k in range(5)
            ]
        ),
    )
    assert game.reduced_normal_form().shape == (32,)
    monkeypatch.setattr(ef, "MAX_PROFILES", 31)
    with pytest.raises(TooLargeError, match="more than 31 pure-strategy profiles"):
        game.reduced_normal_form()


def test_build_game_errors() -> None:
    with pytest.raises(GameError, match="unknown player"):
        build_game(["A"], Decision("B", [("x", Terminal([0]))]))
    with pytest.raises(GameError, match="different actions"):
        build_game(
            ["A"],
            Chance(
                [
                    ("h", 0.5, Decision("A", [("x", Terminal([0]))], "same")),
                    ("t", 0.5, Decision("A", [("y", Terminal([0]))], "same")),
                ]
            ),
        )
    with pytest.raises(GameError, match="out of range"):
        build_game(["A"], Decision(2, [("x", Terminal([0]))]))


# ---------------------------------------------------------------------- perfect recall
def test_perfect_recall_holds() -> None:
    assert mediation_game().has_perfect_recall()
    assert entry_game().perfect_recall_violations() == ()


def test_absent_minded_driver_lacks_perfect_recall() -> None:
    game = driver_game()
    assert not game.has_perfect_recall()
    (reason,) = game.perfect_recall_violations()
    assert "absent-minded" in reason
    assert "node 0 follows []" in reason


def test_forgetful_player_lacks_perfect_recall() -> None:
    game = forgetful_game()
    assert not game.has_perfect_recall()
    (reason,) = game.perfect_recall_violations()
    assert "'later'" in reason
    assert "L at 'P1 move 1'" in reason
    assert "R at 'P1 move 1'" in reason
    assert "absent-minded" not in reason


def test_forgetting_what_one_saw_violates_recall() -> None:
    # A sees chance's move at its first decision, then forgets it at its second.
    def branch(mood: str) -> Decision:
        return Decision(
            "A",
            [("go", Decision("A", [("x", Terminal([1])), ("y", Terminal([0]))], "second"))],
            f"first {mood}",
        )

    game = build_game(["A"], Chance([("h", 0.5, branch("h")), ("t", 0.5, branch("t"))]))
    assert not game.has_perfect_recall()


# ---------------------------------------------------------------------- reduced normal form
def test_reduced_normal_form_entry() -> None:
    nf = entry_game().reduced_normal_form()
    assert nf.actions == (("in", "out"), ("fight", "share"))
    np.testing.assert_array_equal(nf.payoffs[0], [[-1, 1], [0, 0]])
    np.testing.assert_array_equal(nf.payoffs[1], [[-1, 1], [2, 2]])


def test_reduced_strategies_merge_unreachable_choices() -> None:
    # A: out, or in and then (after B) u/d: 3 reduced strategies instead of 4.
    game = build_game(
        ["A", "B"],
        Decision(
            "A",
            [
                ("out", Terminal([1, 1])),
                (
                    "in",
                    Decision(
                        "B",
                        [
                            (
                                "x",
                                Decision("A", [("u", Terminal([3, 0])), ("d", Terminal([0, 2]))]),
                            ),
                            ("y", Terminal([0, 0])),
                        ],
                    ),
                ),
            ],
        ),
    )
    nf = game.reduced_normal_form()
    assert nf.actions[0] == ("out/*", "in/u", "in/d")
    assert game.reduced_strategies()[0] == ((0, None), (1, 0), (1, 1))
    np.testing.assert_array_equal(nf.payoffs[0], [[1, 1], [3, 0], [0, 0]])


def test_reduced_normal_form_with_chance() -> None:
    nf = mediation_game().reduced_normal_form()
    assert nf.actions == (
        ("propose/propose", "propose/wait", "wait/propose", "wait/wait"),
        ("accept", "refuse"),
    )
    # propose/wait against accept: 1/3 * 3 (high) + 2/3 * 0.
    assert nf.payoffs[0, 1, 0] == pytest.approx(1.0)
    # wait/propose against refuse: 2/3 * -1.
    assert nf.payoffs[0, 2, 1] == pytest.approx(-2 / 3)
    assert nf.payoffs[1, 0, 0] == pytest.approx(1 / 3 * 2 + 2 / 3 * 1)


def test_absent_minded_reduced_form() -> None:
    nf = driver_game().reduced_normal_form()
    assert nf.actions == (("continue", "exit"),)
    np.testing.assert_array_equal(nf.payoffs[0], [1, 0])


def test_player_without_moves_and_colliding_labels() -> None:
    # A moves in both chance branches; "x/y" + "z" and "x" + "y/z" would both read "x/y/z".
    game = build_game(
        ["A", "B", "C"],
        Chance(
            [
                (
                    "h",
                    0.5,
                    Decision("A", [("x/y", Terminal([1, 0, 0])), ("x", Terminal([2, 0, 0]))]),
                ),
                (
                    "t",
                    0.5,
                    Decision("A", [("z", Terminal([3, 0, 0])), ("y/z", Terminal([4, 0, 0]))]),
                ),
            ]
        ),
    )
    nf = game.reduced_normal_form()
    assert nf.actions[1] == ("(none)",)
    assert nf.actions[2] == ("(none)",)
    assert nf.actions[0] == ("x/y/z", "x/y/y/z", "x/z", "x/y/z #2")


# ---------------------------------------------------------------------- play distribution
def test_play_distribution_by_hand() -> None:
    game = mediation_game()
    # Seoul proposes only under high pressure; Tokyo accepts half the time.
    paths = game.play_distribution([[0, 1, 0, 0], [0.5, 0.5]])
    assert [p for p, _ in paths] == pytest.approx([2 / 3, 1 / 6, 1 / 6])
    assert [moves for _, moves in paths] == [
        {"US pressure": "low", "Seoul (low)": "wait"},
        {"US pressure": "high", "Seoul (high)": "propose", "Tokyo": "accept"},
        {"US pressure": "high", "Seoul (high)": "propose", "Tokyo": "refuse"},
    ]


def test_play_distribution_generated_names_and_zero_paths() -> None:
    game = build_game(
        ["Seoul", "Tokyo"],
        Chance(
            [
                (
                    "calm",
                    0.75,
                    Decision("Seoul", [("talk", Terminal([2, 2])), ("wait", Terminal([0, 1]))]),
                ),
                ("crisis", 0.25, Terminal([-1, -1])),
            ]
        ),
    )
    paths = game.play_distribution([[1.0, 0.0], [1.0]])
    assert paths == [
        (0.75, {"chance 1": "calm", "Seoul move 1": "talk"}),
        (0.25, {"chance 1": "crisis"}),
    ]


def test_play_distribution_repeated_move_names() -> None:
    paths = driver_game().play_distribution([[1.0, 0.0]])
    assert paths == [(1.0, {"junction": "continue", "junction (2)": "continue"})]


def test_play_distribution_rejects_bad_profiles() -> None:
    game = entry_game()
    with pytest.raises(GameError, match="expected 2 strategies"):
        game.play_distribution([[1, 0]])
    with pytest.raises(GameError, match="expected 2 probabilities"):
        game.play_distribution([[1, 0, 0], [1, 0]])
    with pytest.raises(GameError, match="not a probability vector"):
        game.play_distribution([[0.5, 0.6], [1, 0]])


def test_play_distribution_sums_to_one_and_matches_payoffs() -> None:
    game = mediation_game()
    sigma = [np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.25, 0.75])]
    paths = game.play_distribution(sigma)
    assert sum(p for p, _ in paths) == pytest.approx(1.0)
    from sim.games.profiles import expected_payoffs

    expected = expected_payoffs(game.reduced_normal_form(), sigma)
    reach = game.terminal_chance_reach()
    direct = np.zeros(2)
    realized = [game._realization(i, s) for i, s in enumerate(game.reduced_strategies())]
    for t in range(game.tree.n_terminals):
        prob = reach[t] * (sigma[0] @ realized[0][:, t]) * (sigma[1] @ realized[1][:, t])
        direct += prob * game.payoffs[t]
    np.testing.assert_allclose(direct, expected)


def test_batched_chance_reach() -> None:
    game = mediation_game()
    batch = np.array([[1 / 3, 2 / 3], [1.0, 0.0], [0.5, 0.5]])
    reach = ef.chance_reach(game.tree, batch)[:, game.tree.terminals]
    assert reach.shape == (3, 6)
    np.testing.assert_allclose(reach[0], game.terminal_chance_reach())
    np.testing.assert_allclose(reach[1], [1, 1, 1, 0, 0, 0])
