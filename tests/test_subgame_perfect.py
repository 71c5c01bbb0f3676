"""Tests for sim.solvers.subgame_perfect: backward induction with ties, stages and batches.

The referee here is written independently of the solver: subgame values and the
best pure deviation in every subgame are computed by plain recursion over the
tree, and the complete set of pure subgame-perfect equilibria of small trees is
found by brute force over all pure behaviour-strategy profiles.
"""

from __future__ import annotations

import importlib.resources
import itertools
from pathlib import Path

import numpy as np
import pytest

from sim.errors import GameError, UsageError
from sim.games.extensive_form import (
    Chance,
    Decision,
    ExtensiveFormGame,
    GameTree,
    Node,
    Terminal,
    build_game,
)
from sim.solvers.subgame_perfect import (
    backward_induction,
    backward_induction_batch,
    spe_behaviour,
)
from tests.optional import require

Behaviour = dict[int, np.ndarray]  # decision node -> probabilities over its actions


# ---------------------------------------------------------------------- the referee
def subgame_value(game: ExtensiveFormGame, node: int, beh: Behaviour) -> np.ndarray:
    """Expected payoff vector of the subgame at ``node`` under behaviour ``beh``."""
    tree = game.tree
    kids = tree.children(node)
    if not kids:
        return np.asarray(game.payoffs[list(tree.terminals).index(node)], dtype=float)
    p = beh[node] if node in beh else game.chance_at(node)
    return sum(
        (q * subgame_value(game, c, beh) for q, c in zip(p, kids, strict=True) if q > 0),
        start=np.zeros(game.n_players),
    )


def best_deviation(game: ExtensiveFormGame, node: int, beh: Behaviour, player: int) -> float:
    """The most ``player`` can get in the subgame at ``node`` by any pure deviation.

    Valid for perfect information: the player re-optimises at each own node.
    """
    tree = game.tree
    kids = tree.children(node)
    if not kids:
        return float(game.payoffs[list(tree.terminals).index(node)][player])
    values = [best_deviation(game, c, beh, player) for c in kids]
    h = int(tree.node_infoset[node])
    if node in beh and int(tree.infoset_player[h]) == player:
        return max(values)
    p = beh[node] if node in beh else game.chance_at(node)
    return float(sum(q * v for q, v in zip(p, values, strict=True)))


def is_subgame_perfect(game: ExtensiveFormGame, beh: Behaviour, tol: float = 1e-9) -> bool:
    tree = game.tree
    for node in range(tree.n_nodes):
        if not tree.children(node):
            continue
        value = subgame_value(game, node, beh)
        for i in range(game.n_players):
            if best_deviation(game, node, beh, i) > value[i] + tol:
                return False
    return True


def decision_nodes(game: ExtensiveFormGame) -> list[int]:
    tree = game.tree
    return [
        v
        for v in range(tree.n_nodes)
        if tree.children(v) and int(tree.infoset_player[int(tree.node_infoset[v])]) >= 0
    ]


def brute_force_spe(game: ExtensiveFormGame) -> set[tuple[int, ...]]:
    """Every pure subgame-perfect profile, as one action index per decision node."""
    nodes = decision_nodes(game)
    sizes = [len(game.tree.children(v)) for v in nodes]
    found = set()
    for choice in itertools.product(*(range(n) for n in sizes)):
        beh = {v: np.eye(n)[a] for v, n, a in zip(nodes, sizes, choice, strict=True)}
        if is_subgame_perfect(game, beh):
            found.add(choice)
    return found


def reduced_index(game: ExtensiveFormGame, choice: dict[int, int]) -> tuple[int, ...]:
    """Each player's reduced strategy (index) for a pure behaviour profile, computed here."""
    tree = game.tree
    result = []
    for i, strategies in enumerate(game.reduced_strategies()):
        own = tree.player_infosets(i)
        entries: list[int | None] = []
        for h in own:
            (v,) = tree.infoset_members(h)
            excluded = False
            node = v
            while node > 0:  # an own earlier choice that avoids v excludes it
                parent = int(tree.parent[node])
                hp = int(tree.node_infoset[parent])
                if int(tree.infoset_player[hp]) == i and choice[parent] != tree.children(
                    parent
                ).index(node):
                    excluded = True
                node = parent
            entries.append(None if excluded else choice[v])
        result.append(strategies.index(tuple(entries)))
    return tuple(result)


# ---------------------------------------------------------------------- random trees
def random_tree(
    rng: np.random.Generator, depth: int, *, ties: bool, chance: bool, n_players: int = 3
) -> ExtensiveFormGame:
    def payoff() -> list[float]:
        if ties:
            return [float(x) for x in rng.integers(0, 3, n_players)]
        return [float(x) for x in rng.normal(size=n_players)]

    def node(level: int) -> Node:
        if level == depth or (level > 0 and rng.random() < 0.15 + 0.12 * level):
            return Terminal(payoff())
        k = int(rng.integers(2, 4)) if level == 0 else int(rng.integers(2, 3))
        labels = ["a", "b", "c"][:k]
        if chance and level > 0 and rng.random() < 0.3:
            p = rng.dirichlet(np.ones(k))
            p = np.round(p, 3)
            p[-1] = 1 - p[:-1].sum()
            return Chance([(x, float(q), node(level + 1)) for x, q in zip(labels, p, strict=True)])
        player = int(rng.integers(0, n_players))
        return Decision(player, [(x, node(level + 1)) for x in labels])

    return build_game(["W", "S", "T"][:n_players], node(0))


def small_trees() -> list[tuple[int, int, bool, bool]]:
    return [
        (seed, depth, ties, chance)
        for seed in range(6)
        for depth in (3, 4, 5)
        for ties in (False, True)
        for chance in (False, True)
    ]


def as_choices(game: ExtensiveFormGame, behaviour: tuple[np.ndarray, ...]) -> tuple[int, ...]:
    tree = game.tree
    return tuple(int(behaviour[int(tree.node_infoset[v])].argmax()) for v in decision_nodes(game))


@pytest.mark.parametrize(("seed", "depth", "ties", "chance"), small_trees())
def test_random_trees_every_pure_spe_and_nothing_else(
    seed: int, depth: int, ties: bool, chance: bool
) -> None:
    rng = np.random.default_rng([seed, depth, ties, chance])
    game = random_tree(rng, depth, ties=ties, chance=chance)
    while np.prod([len(game.tree.children(v)) for v in decision_nodes(game)]) > 5_000:
        game = random_tree(rng, depth, ties=ties, chance=chance)  # small enough to brute-force
    nodes = decision_nodes(game)
    expected = brute_force_spe(game)
    found = spe_behaviour(game)
    # With payoff ties, mixtures of tied actions are subgame perfect too: a
    # continuum, so the list of pure ones is then not claimed complete.
    assert found.complete or (ties and any("indifferent" in n for n in found.notes))
    listed = [as_choices(game, spe.behaviour) for spe in found]
    assert len(listed) == len(set(listed)) == found.count
    assert set(listed) == expected
    for spe in found:  # every subgame: a Nash equilibrium (checked independently)
        assert spe.pure
        beh = {v: spe.behaviour[int(game.tree.node_infoset[v])] for v in nodes}
        assert is_subgame_perfect(game, beh)
        np.testing.assert_allclose(spe.payoffs, subgame_value(game, 0, beh), atol=1e-12)
    # In the reduced normal form: the same set, once each, with zero regret.
    solution = backward_induction(game)
    assert solution.complete == found.complete and solution.concept == "spe"
    reduced = {tuple(int(s.argmax()) for s in eq.strategies) for eq in solution if eq.pure}
    assert len(reduced) == len(solution)
    assert reduced == {reduced_index(game, dict(zip(nodes, c, strict=True))) for c in expected}
    assert all(eq.max_regret <= 1e-9 for eq in solution)


@pytest.mark.parametrize("seed", range(10))
def test_batch_equals_single_game(seed: int) -> None:
    rng = np.random.default_rng(seed)
    game = random_tree(rng, 4, ties=True, chance=True)
    tree = game.tree
    B = 40
    payoffs = rng.integers(0, 3, (B, tree.n_terminals, tree.n_players)).astype(float)
    chance = np.tile(game.chance_probabilities, (B, 1))
    result = backward_induction_batch(tree, payoffs, chance)
    assert result.choices.shape == (B, len(decision_nodes(game)))
    nodes = decision_nodes(game)
    assert result.decision_nodes.tolist() == nodes
    for b in range(B):
        point = ExtensiveFormGame(tree, payoffs[b], chance[b])
        found = spe_behaviour(point)
        listed = {as_choices(point, spe.behaviour): spe for spe in found}
        choice = tuple(int(x) for x in result.choices[b])
        assert choice in listed
        assert bool(result.tied[b]) == (found.count > 1)  # others exist exactly when tied
        np.testing.assert_allclose(result.values[b], listed[choice].payoffs, atol=1e-12)
        beh = {v: np.eye(len(tree.children(v)))[a] for v, a in zip(nodes, choice, strict=True)}
        reach = point.play_distribution(
            subgame_perfect_strategies(point, dict(zip(nodes, choice, strict=True)))
        )
        assert np.isclose(sum(p for p, _ in reach), 1.0)
        assert np.isclose(result.terminal_probabilities[b].sum(), 1.0)
        assert is_subgame_perfect(point, beh)
        # the batch picks the lowest best index: no lower action is as good
        for v, a in zip(nodes, choice, strict=True):
            i = int(tree.infoset_player[int(tree.node_infoset[v])])
            values = [subgame_value(point, c, beh)[i] for c in tree.children(v)]
            assert all(values[k] < values[a] - 1e-9 for k in range(a))


def subgame_perfect_strategies(game: ExtensiveFormGame, choice: dict[int, int]) -> list[np.ndarray]:
    index = reduced_index(game, choice)
    return [np.eye(len(s))[k] for s, k in zip(game.reduced_strategies(), index, strict=True)]


def test_batch_terminal_probabilities_follow_the_path() -> None:
    game = random_tree(np.random.default_rng(7), 4, ties=False, chance=True)
    tree = game.tree
    result = backward_induction_batch(tree, game.payoffs[None], game.chance_probabilities)
    (only,) = backward_induction(game)
    reach = np.zeros(tree.n_terminals)
    paths = game.play_distribution(only.strategies)
    assert np.isclose(sum(p for p, _ in paths), 1.0)
    terminal_of = {}
    for t, v in enumerate(tree.terminals.tolist()):
        moves = {}
        for node, a in tree.path(v):
            moves[tree.move_names[int(tree.node_infoset[node])]] = a
        terminal_of[t] = moves
    for t in range(tree.n_terminals):
        reach[t] = result.terminal_probabilities[0, t]
    assert sorted(np.round(reach[reach > 1e-15], 12).tolist()) == sorted(
        round(p, 12) for p, _ in paths
    )
    np.testing.assert_allclose(result.values[0], only.payoffs, atol=1e-12)


def test_batch_tie_break_equals_single_game() -> None:
    rng = np.random.default_rng(11)
    game = summit_with_controls(keep=0.0, tighten=0.0)
    tree = game.tree
    B = 30
    payoffs = np.repeat(game.payoffs[None], B, axis=0).copy()
    payoffs[:, :, 1] += rng.integers(0, 2, (B, tree.n_terminals))
    rule = {"controls": "keep"}
    result = backward_induction_batch(tree, payoffs, np.zeros((B, 0)), tie_break=rule)
    for b in range(B):
        point = ExtensiveFormGame(tree, payoffs[b])
        listed = {as_choices(point, s.behaviour) for s in spe_behaviour(point, tie_break=rule)}
        assert tuple(int(x) for x in result.choices[b]) in listed
        assert bool(result.tied[b]) == (len(listed) > 1)


# ---------------------------------------------------------------------- known answers
def entry_game() -> ExtensiveFormGame:
    return build_game(
        ["Entrant", "Incumbent"],
        Decision(
            "Entrant",
            [
                ("in", Decision("Incumbent", [("fight", Terminal([-1, -1])),
                                              ("share", Terminal([1, 1]))], "respond")),
                ("out", Terminal([0, 2])),
            ],
            "enter",
        ),
    )  # fmt: skip


def test_entry_deterrence_has_one_spe_and_drops_the_empty_threat() -> None:
    game = entry_game()
    solution = backward_induction(game)
    assert solution.complete and len(solution) == 1
    (eq,) = solution
    labels = [solution.normal.actions[i][int(s.argmax())] for i, s in enumerate(eq.strategies)]
    assert labels == ["in", "share"]
    assert eq.payoffs.tolist() == [1.0, 1.0]
    # (out, fight) is a Nash equilibrium of the whole game but not subgame perfect.
    from sim.solvers import solve

    nash = solve(game, "pure-nash")
    assert len(nash) == 2


def centipede(stages: int) -> ExtensiveFormGame:
    def node(k: int) -> Node:
        if k == stages:
            return Terminal([float(stages), float(stages)])
        # the mover gets k + 2 by taking, the other k; passing only pays the next mover
        take = [float(k + 2), float(k)] if k % 2 == 0 else [float(k), float(k + 2)]
        return Decision(k % 2, [("take", Terminal(take)), ("pass", node(k + 1))], f"stage {k + 1}")

    return build_game(["Ann", "Bob"], node(0))


def test_centipede_takes_at_once() -> None:
    game = centipede(6)
    solution = backward_induction(game)
    assert solution.complete and len(solution) == 1
    (eq,) = solution
    assert eq.payoffs.tolist() == [2.0, 0.0]
    assert game.play_distribution(eq.strategies) == [(1.0, {"stage 1": "take"})]
    (spe,) = spe_behaviour(game)  # off the path, everyone takes too
    assert all(b.tolist() == [1.0, 0.0] for b in spe.behaviour)


def battle_after_entry(out_value: float) -> ExtensiveFormGame:
    """Washington stays out or convenes talks; Seoul and Tokyo then choose simultaneously."""
    stage = Decision(
        "Seoul",
        [
            ("fund", Decision("Tokyo", [("attend", Terminal([3, 2, 1])),
                                        ("skip", Terminal([0, 0, 0]))], "summit")),
            ("proceed", Decision("Tokyo", [("attend", Terminal([0, 0, 0])),
                                           ("skip", Terminal([1, 1, 2]))], "summit")),
        ],
        "stance",
    )  # fmt: skip
    return build_game(
        ["Washington", "Seoul", "Tokyo"],
        Decision("Washington", [("talks", stage), ("stay_out", Terminal([out_value, 0, 0]))]),
    )


def test_simultaneous_stage_uses_every_nash_equilibrium() -> None:
    game = battle_after_entry(out_value=1.5)
    assert game.subgame_roots() == (0, 1)
    solution = backward_induction(game)
    assert solution.complete and len(solution) == 3
    assert all(eq.max_regret <= 1e-9 for eq in solution)
    # the stage's equilibria give Washington 3 (talks), 1 and 8/9 (then it stays out: 1.5)
    outcomes = sorted((round(float(eq.payoffs[0]), 6), eq.pure) for eq in solution)
    assert outcomes == [(1.5, False), (1.5, True), (3.0, True)]
    mixed = next(eq for eq in solution if not eq.pure)
    # Washington stays out when the stage would give it less than 1.5
    paths = game.play_distribution(mixed.strategies)
    assert paths == [(1.0, {"Washington move 1": "stay_out"})]
    # Seoul mixes fund 2/3 : proceed 1/3 (Tokyo's indifference: 1 * 2/3 = 2 * 1/3)
    seoul = dict(zip(solution.normal.actions[1], mixed.strategies[1], strict=True))
    assert seoul == pytest.approx({"fund": 2 / 3, "proceed": 1 / 3})


def summit_with_controls(keep: float, tighten: float) -> ExtensiveFormGame:
    """After liquidation Tokyo sets controls; its payoffs for keep and tighten are given."""
    controls = Decision(
        "Tokyo",
        [("ease", Terminal([2, -3])), ("keep", Terminal([-1, keep])),
         ("tighten", Terminal([-3, tighten]))],
        "controls",
    )  # fmt: skip
    return build_game(
        ["Seoul", "Tokyo"],
        Decision("Seoul", [("proceed", controls), ("fund", Terminal([-2, 1]))], "stance"),
    )


def test_tie_break_toward_the_status_quo() -> None:
    game = summit_with_controls(keep=0.0, tighten=0.0)
    both = backward_induction(game)
    assert not both.complete and len(both) == 2  # Tokyo could also mix keep and tighten
    assert "indifferent" in both.notes[-1]
    chosen = sorted(both.normal.actions[1][int(eq.strategies[1].argmax())] for eq in both)
    assert chosen == ["keep", "tighten"]
    status_quo = backward_induction(game, tie_break={"controls": "keep"})
    assert status_quo.complete and len(status_quo) == 1
    (eq,) = status_quo
    assert status_quo.normal.actions[1][int(eq.strategies[1].argmax())] == "keep"
    assert eq.payoffs.tolist() == [-1.0, 0.0]


def test_tie_break_keeps_ties_that_exclude_the_preferred_action() -> None:
    game = summit_with_controls(keep=-1.0, tighten=1.0)
    game = ExtensiveFormGame(game.tree, [[2, 1], [-1, -1], [-3, 1], [-2, 1]])
    solution = backward_induction(game, tie_break={"controls": "keep"})
    chosen = sorted(solution.normal.actions[1][int(eq.strategies[1].argmax())] for eq in solution)
    assert chosen == ["ease", "tighten"]


def test_tie_break_interacts_through_values() -> None:
    # Seoul's stance depends on which tied control Tokyo would pick.
    game = summit_with_controls(keep=0.0, tighten=0.0)
    spe = spe_behaviour(game)
    stances = sorted((int(p.behaviour[0].argmax()), int(p.behaviour[1].argmax())) for p in spe)
    assert stances == [(0, 1), (1, 2)]  # keep -> Seoul proceeds; tighten -> Seoul funds


def test_cap_marks_the_list_incomplete() -> None:
    def chain(k: int) -> Node:
        if k == 0:
            return Terminal([0.0])
        return Decision("A", [("x", chain(k - 1)), ("y", chain(k - 1))])

    game = build_game(["A"], chain(4))  # every one of 2**15 behaviour profiles is an SPE
    solution = backward_induction(game, max_equilibria=5)
    assert len(solution) == 5 and not solution.complete and solution.notes
    found = spe_behaviour(game, max_profiles=7)
    assert len(found) == 7 and found.count == 2**15 and not found.complete


def test_trivial_game() -> None:
    solution = backward_induction(build_game(["A"], Terminal([1])))
    assert solution.complete and len(solution) == 1 and solution[0].payoffs.tolist() == [1.0]


# ---------------------------------------------------------------------- errors
def test_unknown_move_names_the_nearest() -> None:
    game = summit_with_controls(0.0, 0.0)
    with pytest.raises(UsageError, match="unknown move 'control'; did you mean 'controls'"):
        backward_induction(game, tie_break={"control": "keep"})
    with pytest.raises(UsageError, match="no action 'kep'; did you mean 'keep'"):
        backward_induction(game, tie_break={"controls": "kep"})
    with pytest.raises(UsageError, match="unknown move"):
        backward_induction_batch(
            game.tree, game.payoffs[None], np.zeros((1, 0)), tie_break={"x": "keep"}
        )


def test_chance_move_in_tie_break() -> None:
    game = build_game(["A"], Chance([("h", 0.5, Terminal([1])), ("t", 0.5, Terminal([0]))], "coin"))
    with pytest.raises(UsageError, match="chance move"):
        backward_induction(game, tie_break={"coin": "h"})


def test_imperfect_recall_is_refused() -> None:
    game = build_game(
        ["driver"],
        Decision("driver", [
            ("continue", Decision("driver", [("continue", Terminal([1])),
                                             ("exit", Terminal([4]))], "junction")),
            ("exit", Terminal([0]))], "junction"),
    )  # fmt: skip
    with pytest.raises(GameError, match="perfect recall"):
        backward_induction(game)


def test_batch_refuses_imperfect_information_and_bad_shapes() -> None:
    game = battle_after_entry(1.5)
    with pytest.raises(UsageError, match="perfect information only"):
        backward_induction_batch(game.tree, game.payoffs[None], np.zeros((1, 0)))
    tree = entry_game().tree
    with pytest.raises(UsageError, match="payoffs: expected shape"):
        backward_induction_batch(tree, np.zeros((2, 3)), np.zeros((2, 0)))
    coin = build_game(["A"], Chance([("h", 0.5, Terminal([1])), ("t", 0.5, Terminal([0]))]))
    with pytest.raises(UsageError, match="sum to 1"):
        backward_induction_batch(coin.tree, np.zeros((1, 2, 1)), [[0.5, 0.6]])


def test_flagship_sized_tree_in_a_batch() -> None:
    """3 stances x 3 mediations x 2 summit x 2 chance x 3 controls x 2 GSOMIA: 216 outcomes."""

    def gsomia() -> Node:
        return Decision("Seoul", [("keep", Terminal([0, 0, 0])),
                                  ("terminate", Terminal([0, 0, 0]))], label="gsomia")  # fmt: skip

    def controls() -> Node:
        return Decision(
            "Tokyo", [(a, gsomia()) for a in ("ease", "keep", "tighten")], label="controls"
        )

    def summit() -> Node:
        return Decision("Tokyo", [(a, Chance([("liquidated", 0.6, controls()),
                                              ("pending", 0.4, controls())], label="court"))
                                  for a in ("attend", "skip")], label="summit")  # fmt: skip

    def stance() -> Node:
        return Decision(
            "Seoul", [(s, summit()) for s in ("proceed", "freeze", "fund")], label="stance"
        )

    built = build_game(
        ["Washington", "Seoul", "Tokyo"],
        Decision("Washington", [(m, stance()) for m in ("stay_out", "quiet", "public")]),
    ).tree
    # One information set per node (perfect information), each move named as in the scenario.
    first = {h: built.infoset_members(h)[0] for h in range(built.n_infosets)}
    tree = GameTree(
        built.players,
        built.parent,
        built.node_infoset,
        built.infoset_player,
        built.action_labels,
        [built.node_labels[first[h]] or "us" for h in range(built.n_infosets)],
    )
    assert tree.move_names.count("controls") == 36
    assert tree.n_terminals == 216
    rng = np.random.default_rng(3)
    B = 2_000
    payoffs = rng.normal(size=(B, tree.n_terminals, 3))
    hazard = rng.uniform(size=B)
    chance = np.tile(np.stack([hazard, 1 - hazard], axis=1), (1, len(tree.chance_nodes)))
    result = backward_induction_batch(tree, payoffs, chance, tie_break={"controls": "keep"})
    assert result.values.shape == (B, 3)
    np.testing.assert_allclose(result.terminal_probabilities.sum(axis=1), 1.0)
    for b in (0, B - 1):  # spot-check against the single-game solver (no ties: unique)
        point = ExtensiveFormGame(tree, payoffs[b], chance[b])
        (spe,) = spe_behaviour(point)
        np.testing.assert_allclose(result.values[b], spe.payoffs, atol=1e-12)
        assert tuple(int(x) for x in result.choices[b]) == as_choices(point, spe.behaviour)


# ---------------------------------------------------------------------- Gambit catalogue
def catalogue() -> list[Path]:
    try:
        root = importlib.resources.files("pygambit") / "catalog_data"
    except ModuleNotFoundError:
        return []
    return sorted(Path(str(root)).rglob("*.efg"))


@pytest.mark.peers
@pytest.mark.parametrize("path", catalogue(), ids=lambda p: p.stem)
def test_gambit_catalogue(path: Path) -> None:
    require("pygambit")
    from sim.formats import load_game

    game = load_game(path)
    assert isinstance(game, ExtensiveFormGame)
    if not game.has_perfect_recall():
        with pytest.raises(GameError, match="perfect recall"):
            backward_induction(game)
        return
    solution = backward_induction(game)
    assert len(solution) >= 1
    assert all(eq.max_regret <= 1e-9 for eq in solution)
    tree = game.tree
    perfect_information = all(
        len(tree.infoset_members(h)) == 1
        for h in range(tree.n_infosets)
        if tree.infoset_player[h] >= 0
    )
    if perfect_information:
        assert solution.complete or any("indifferent" in n for n in solution.notes)
        expected = {
            tuple(np.round(subgame_value(game, 0, {
                v: np.eye(len(tree.children(v)))[a]
                for v, a in zip(decision_nodes(game), choice, strict=True)
            }), 9)) for choice in brute_force_spe(game)
        }  # fmt: skip
        assert {tuple(np.round(eq.payoffs, 9)) for eq in solution} == expected
        found = {as_choices(game, s.behaviour) for s in spe_behaviour(game)}
        assert found == brute_force_spe(game)


@pytest.mark.peers
def test_selten_horse() -> None:
    require("pygambit")
    from sim.formats import load_game

    (path,) = [p for p in catalogue() if p.parent.name == "selten1975" and p.stem == "fig1"]
    solution = backward_induction(load_game(path))
    payoffs = {tuple(eq.payoffs.round(9).tolist()) for eq in solution}
    assert {(1.0, 1.0, 1.0), (3.0, 2.0, 2.0)} <= payoffs
    assert all(eq.max_regret <= 1e-9 for eq in solution)
