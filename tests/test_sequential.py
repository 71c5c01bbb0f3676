"""Sequential equilibria and Kreps–Wilson consistency, checked against published answers.

- Selten's horse with the payoffs of Osborne and Rubinstein (1994, exercise
  225.1; Selten 1975): the sequential equilibria are "both stay across",
  player 3 going left with probability at most 1/4 and believing player 1
  went down with probability at most 1/3 (exactly 1/3 when it mixes). The
  Nash equilibrium "player 1 goes down, player 3 left" is not sequential:
  player 2, off the path, would go down.
- Probe or attack (issue 13): only attack and accommodate.
- Beer-quiche (Cho and Kreps 1987): every perfect Bayesian equilibrium of a
  signalling game is sequential (each message's receiver set has a node per
  type, reached by that type's own tremble), so the two pooling outcomes.
- Consistency (Kreps and Wilson 1982): beliefs that no tremble produces are
  rejected (a shared tremble keeps chance's odds; two independent trembles
  make their joint node infinitely less likely), and beliefs produced by
  trembles of any orders are accepted.
- Properties on generated trees deeper than two stages: every listed
  assessment passes the referee (sequential rationality at every set, Bayes
  on the path, consistency), is subgame perfect and Nash; pure sequential
  equilibria are pure subgame-perfect ones, and on trees of perfect
  information they are all of them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.formats.efg import read_efg
from sim.games.assessment import assessment_regret
from sim.games.behaviour import node_reach, subgame_regret, terminal_probabilities
from sim.games.consistency import is_consistent
from sim.games.extensive_form import Chance, Decision, ExtensiveFormGame, Node, Terminal, build_game
from sim.games.profiles import max_regret
from sim.solvers import solve
from sim.solvers.sets import equilibrium_sets
from sim.solvers.subgame_perfect import reduced_profile
from tests.test_perfect_bayesian import beer_quiche, outcomes, probe_or_attack, two_stage_games

ROOT = Path(__file__).resolve().parent.parent
HORSE = ROOT / "sim" / "examples" / "seltens_horse.efg"


def test_seltens_horse_has_the_published_sequential_equilibria() -> None:
    game = read_efg(HORSE.read_text(), HORSE)
    solution = solve(game, "sequential")
    assert not solution.complete  # deeper than two stages: pure ones, stretched
    plays = [[b.round(9).tolist() for b in eq.behaviour] for eq in solution]
    across = [[1.0, 0.0], [1.0, 0.0]]
    assert plays == [[*across, [0.0, 1.0]], [*across, [0.25, 0.75]]]
    # Player 3's set lists the node after C, d first, then the one after D.
    for eq in solution:
        assert eq.beliefs[2] == pytest.approx([2 / 3, 1 / 3], abs=1e-12)
        regret, bayes = assessment_regret(game, eq.behaviour, eq.beliefs)
        assert regret <= 1e-12 and bayes == 0.0
    (segment,) = equilibrium_sets(solution)
    (choice,) = segment.free
    assert (choice.player, choice.low, choice.high) == (2, 0.0, 0.25)
    assert any("1=D with probability from 0 to 0.333" in note for note in solution.notes)
    # Subgame perfection (no proper subgame: every Nash equilibrium) keeps "down".
    spe = solve(game, "spe")
    assert any(eq.behaviour[0][1] == 1.0 for eq in spe)
    assert all(eq.behaviour[0][0] == 1.0 for eq in solution)


def test_probe_or_attack_sequential_keeps_only_attack_and_accommodate() -> None:
    solution = solve(probe_or_attack(), "sequential")
    assert solution.complete
    assert [eq.behaviour[0].tolist() for eq in solution] == [[0.0, 0.0, 1.0]]
    assert [eq.behaviour[1].tolist() for eq in solution] == [[0.0, 1.0]]


def test_beer_quiche_sequential_equilibria_are_its_perfect_bayesian_ones() -> None:
    game = beer_quiche()
    sequential, pbe = solve(game, "sequential"), solve(game, "pbe")
    assert sequential.complete
    assert outcomes(sequential) == outcomes(pbe) and len(outcomes(sequential)) == 2
    assert len(sequential) == len(pbe)


def _out_then_chance() -> ExtensiveFormGame:
    """1 stays out, goes in (then chance picks x or y) or sneaks; 2 sees none of it."""

    def guess() -> Decision:
        return Decision("2", [("l", Terminal([0, 1])), ("r", Terminal([0, 0]))], "2")

    return build_game(
        ["1", "2"],
        Decision("1", [("out", Terminal([1, 0])),
                       ("in", Chance([("x", 0.5, guess()), ("y", 0.5, guess())])),
                       ("sneak", guess())]),
    )  # fmt: skip


def test_a_shared_tremble_keeps_chances_odds() -> None:
    game = _out_then_chance()
    out = [[1.0, 0.0, 0.0], [], [1.0, 0.0]]
    # 2's nodes: (in, x), (in, y), sneak. No subgame holds the set: Bayes' rule is silent.
    assert is_consistent(game, out, [[1.0], [], [0.25, 0.25, 0.5]])
    assert is_consistent(game, out, [[1.0], [], [0.0, 0.0, 1.0]])
    assert not is_consistent(game, out, [[1.0], [], [0.9, 0.1, 0.0]])
    _, bayes = assessment_regret(game, out, [[1.0], [], [0.9, 0.1, 0.0]])
    assert bayes == 0.0  # perfect Bayesian does not see it: the set is off the path


def test_two_independent_trembles_are_infinitely_less_likely_than_one() -> None:
    """1 and 2 each choose a or b, 2 not seeing 1; 3 sees only that someone chose b."""

    def end() -> Decision:
        return Decision("3", [("u", Terminal([0, 0, 1])), ("d", Terminal([0, 0, 0]))], "3")

    def second(first: str) -> Decision:
        stop = Terminal([1, 1, 0]) if first == "a" else end()
        return Decision("2", [("a", stop), ("b", end())], "2")

    game = build_game(["1", "2", "3"], Decision("1", [("a", second("a")), ("b", second("b"))]))
    behaviour = [[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]]
    # Player 3's nodes, in order: (a, b), (b, a), (b, b).
    assert is_consistent(game, behaviour, [[1.0], [1.0, 0.0], [0.3, 0.7, 0.0]])
    assert is_consistent(game, behaviour, [[1.0], [1.0, 0.0], [1.0, 0.0, 0.0]])
    assert not is_consistent(game, behaviour, [[1.0], [1.0, 0.0], [0.4, 0.2, 0.4]])
    assert not is_consistent(game, behaviour, [[1.0], [1.0, 0.0], [0.0, 0.0, 1.0]])


# ---------------------------------------------------------------------- properties
@st.composite
def layered_trees(draw: st.DrawFn) -> ExtensiveFormGame:
    """Trees of up to three decisions on a path, player k moving at depth k (so each
    player moves once on a path: perfect recall), chance perhaps first; at each
    depth, nodes with the same number of actions are grouped into random sets."""
    n = draw(st.integers(2, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    integer = draw(st.booleans())  # small integers: ties and continua
    counter = [0]

    def payoffs() -> list[float]:
        if integer:
            return rng.integers(-2, 3, n).astype(float).tolist()
        return rng.standard_normal(n).round(6).tolist()

    def node(depth: int) -> Node:
        if depth == n or (depth > 0 and rng.random() < 0.25):
            return Terminal(payoffs())
        width = int(rng.integers(2, 4)) if depth == 0 else int(rng.integers(1, 3)) + 1
        counter[0] += 1
        groups = int(rng.integers(1, 3))  # sets per (depth, width): nodes pick one
        name = f"p{depth} w{width} s{int(rng.integers(groups))}"
        return Decision(
            f"P{depth}", [(f"a{depth}{k}", node(depth + 1)) for k in range(width)], name
        )

    root: Node = node(0)
    if draw(st.booleans()):
        root = Chance([("left", 0.3, node(0)), ("right", 0.7, node(0))])
    return build_game([f"P{k}" for k in range(n)], root)


def _pure_keys(solution) -> set[tuple[float, ...]]:  # type: ignore[no-untyped-def]
    return {
        tuple(np.concatenate([np.ravel(b) for b in eq.behaviour]).round(9).tolist())
        for eq in solution
        if eq.pure
    }


@pytest.mark.slow
@settings(max_examples=30, deadline=None)
@given(layered_trees())
def test_every_sequential_equilibrium_passes_the_independent_referee(
    game: ExtensiveFormGame,
) -> None:
    solution = solve(game, "sequential")
    normal = game.reduced_normal_form()
    for eq in solution:
        regret, bayes = assessment_regret(game, eq.behaviour, eq.beliefs)
        assert regret <= 1e-7 * max(game.payoff_range, 1.0) and bayes <= 1e-7
        assert is_consistent(game, eq.behaviour, eq.beliefs)
        assert subgame_regret(game, eq.behaviour) <= 1e-7 * max(game.payoff_range, 1.0)
        profile = reduced_profile(game, eq.behaviour)
        assert max_regret(normal, profile) <= 1e-7 * max(game.payoff_range, 1.0)  # and Nash
    # Every pure sequential equilibrium is a pure subgame-perfect one.
    spe = solve(game, "spe")
    if spe.complete:
        assert _pure_keys(solution) <= _pure_keys(spe)


@st.composite
def perfect_information_trees(draw: st.DrawFn) -> ExtensiveFormGame:
    """Three movers in turn, each seeing everything: generic payoffs."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    sets = [0]

    def node(depth: int) -> Node:
        if depth == 3 or (depth > 0 and rng.random() < 0.3):
            return Terminal(rng.standard_normal(3).round(6).tolist())
        sets[0] += 1
        return Decision(
            f"P{depth}",
            [(f"a{k}", node(depth + 1)) for k in range(int(rng.integers(2, 4)))],
            f"set {sets[0]}",
        )

    return build_game(["P0", "P1", "P2"], node(0))


@settings(max_examples=40, deadline=None)
@given(perfect_information_trees())
def test_on_perfect_information_trees_sequential_is_subgame_perfection(
    game: ExtensiveFormGame,
) -> None:
    assert _pure_keys(solve(game, "sequential")) == _pure_keys(solve(game, "spe"))


@settings(max_examples=25, deadline=None)
@given(two_stage_games(most=2))
def test_in_signalling_games_sequential_and_perfect_bayesian_coincide(
    game: ExtensiveFormGame,
) -> None:
    sequential, pbe = solve(game, "sequential"), solve(game, "pbe")
    assert sequential.complete
    assert outcomes(sequential) == outcomes(pbe) and len(sequential) == len(pbe)


@settings(max_examples=60, deadline=None)
@given(layered_trees(), st.integers(0, 2**32 - 1))
def test_beliefs_from_trembles_of_any_order_are_consistent(
    game: ExtensiveFormGame, seed: int
) -> None:
    """Each untaken action trembles with probability w * eps**k, k of 1 to 3: the
    Bayes beliefs at eps = 1e-13 are (to 1e-12) the limit, hence consistent."""
    rng = np.random.default_rng(seed)
    tree = game.tree
    eps = 1e-13
    limit, trembling = [], []
    for h in range(tree.n_infosets):
        size = len(tree.action_labels[h])
        if tree.infoset_player[h] < 0:
            limit.append(np.zeros(0))
            trembling.append(np.zeros(0))
            continue
        taken = rng.random(size) < 0.5
        taken[rng.integers(size)] = True
        b = np.where(taken, rng.uniform(0.2, 1.0, size), 0.0)
        b /= b.sum()
        orders = rng.integers(1, 4, size)
        small = np.where(taken, 0.0, rng.uniform(0.5, 2.0, size) * eps**orders)
        limit.append(b)
        trembling.append((b + small) / (b + small).sum())
    reach = node_reach(game, trembling)  # every node: positive, however small
    beliefs = []
    for h in range(tree.n_infosets):
        weights = reach[list(tree.infoset_members(h))]
        mu = weights / weights.sum()
        beliefs.append(np.zeros(0) if tree.infoset_player[h] < 0 else np.where(mu < 1e-10, 0.0, mu))
    assert is_consistent(game, limit, beliefs, tol=1e-6)


def test_sequential_is_refused_with_a_usage_error_for_a_bad_tolerance() -> None:
    from sim.errors import UsageError

    with pytest.raises(UsageError, match="tol"):
        solve(probe_or_attack(), "sequential", tol=-1.0)


def test_the_mixed_end_has_the_play_of_the_pure_one() -> None:
    game = read_efg(HORSE.read_text(), HORSE)
    probabilities = {
        tuple(terminal_probabilities(game, eq.behaviour).round(12).tolist())
        for eq in solve(game, "sequential")
    }
    assert probabilities == {(1.0, 0.0, 0.0, 0.0, 0.0)}


def test_a_notebook_shows_the_beliefs_of_each_assessment() -> None:
    html = solve(read_efg(HORSE.read_text(), HORSE), "sequential")._repr_html_()
    assert "<th>beliefs</th>" in html
    assert "at 3: 1=C; 2=d 0.667, 1=D 0.333" in html


def gibbons_signalling_game() -> ExtensiveFormGame:
    """Gibbons (1992), *Game Theory for Applied Economists*, section 4.2.B: two equally
    likely types, messages L and R, answers u and d."""
    pay = {
        ("t1", "L", "u"): (1, 3), ("t1", "L", "d"): (4, 0),
        ("t1", "R", "u"): (2, 1), ("t1", "R", "d"): (0, 0),
        ("t2", "L", "u"): (2, 4), ("t2", "L", "d"): (0, 1),
        ("t2", "R", "u"): (1, 0), ("t2", "R", "d"): (1, 2),
    }  # fmt: skip

    def sender(t: str) -> Decision:
        return Decision(
            "Sender",
            [
                (m, Decision("Receiver",
                             [(a, Terminal(list(pay[(t, m, a)]))) for a in "ud"], f"after {m}"))
                for m in "LR"
            ],
            t,
        )  # fmt: skip

    return build_game(
        ["Sender", "Receiver"], Chance([("t1", 0.5, sender("t1")), ("t2", 0.5, sender("t2"))])
    )


@pytest.mark.parametrize("concept", ["pbe", "sequential"])
def test_gibbons_signalling_game_has_its_published_pure_equilibria(concept: str) -> None:
    """Gibbons's answer: pooling on L with u after L and d after R, supported by a belief
    q = P(t1 | R) of at most 2/3; and separating, t1 sending R and t2 L, answered u and
    u. Pooling on R and the other separation are not equilibria. sim also lists the far
    end of the pooling set: after R the receiver may answer u with probability up to 1/2."""
    game = gibbons_signalling_game()
    # Sets, in order: chance, t1's message, after L, after R, t2's message.
    solution = solve(game, concept)
    assert solution.complete
    pure = sorted(tuple(tuple(b.tolist()) for b in eq.behaviour[1:]) for eq in solution if eq.pure)
    pooling = ((1.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 0.0))
    separating = ((0.0, 1.0), (1.0, 0.0), (1.0, 0.0), (1.0, 0.0))
    assert pure == sorted([pooling, separating])
    (mixed,) = [eq for eq in solution if not eq.pure]
    assert mixed.behaviour[3].tolist() == pytest.approx([0.5, 0.5])
    assert any(
        "after R (off the path), believes chance 1=t1 with probability from 0 to 0.667" in note
        for note in solution.notes
    ), solution.notes
