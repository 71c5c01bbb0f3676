"""Perfect Bayesian equilibria of two-stage games, checked by an independent referee.

- Beer-quiche (Cho and Kreps 1987, section II; Fudenberg and Tirole 1991,
  section 11.2): the sender is strong with probability 0.9; exactly two PBE
  outcomes, pooling on beer (the receiver believes a quiche-eater weak with
  probability at least 1/2) and pooling on quiche (likewise after beer).
- Probe or attack (issue 13): the defender sees that the challenger came in
  but not how, and retaliating is worse after either; only attack and
  accommodate is a PBE, while subgame perfection keeps two deterrence
  equilibria (no proper subgame).
- The costly-signal scenario's PBE at c = 0.5: the weak type bluffs with
  probability 3/7 and the challenger believes the defender strong with
  probability 1/2 after a mobilisation (derived in test_honest_sweeps.py).
- Properties on generated two-stage games: every assessment listed has zero
  sequential-rationality regret and Bayes error (sim.games.assessment, which
  shares no code with the solver), is a Nash equilibrium and is subgame
  perfect; on perfect-information games the PBE outcomes are the SPE outcomes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.games.assessment import assessment_regret
from sim.games.behaviour import subgame_regret
from sim.games.extensive_form import Chance, Decision, ExtensiveFormGame, Terminal, build_game
from sim.games.profiles import max_regret
from sim.report import solution_to_dict
from sim.report.solve import solve_scenario
from sim.scenario import load_scenario
from sim.solvers import solve
from sim.solvers.subgame_perfect import reduced_profile

ROOT = Path(__file__).resolve().parent.parent
SIGNAL = ROOT / "tests" / "data" / "costly_signal.toml"


def beer_quiche(strong: float = 0.9) -> ExtensiveFormGame:
    """Sender: 1 for its preferred breakfast (strong: beer, weak: quiche), 2 if not dueled.

    Receiver: duelling pays 1 against the weak sender and -1 against the strong.
    """

    def sender(is_strong: bool) -> Decision:
        branches = []
        for food in ("beer", "quiche"):
            liked = 1 if (food == "beer") == is_strong else 0
            branches.append(
                (
                    food,
                    Decision(
                        "Receiver",
                        [
                            ("duel", Terminal([liked, -1 if is_strong else 1])),
                            ("not", Terminal([liked + 2, 0])),
                        ],
                        f"after {food}",
                    ),
                )
            )
        return Decision("Sender", branches, "strong" if is_strong else "weak")

    return build_game(
        ["Sender", "Receiver"],
        Chance([("strong", strong, sender(True)), ("weak", 1 - strong, sender(False))], "type"),
        title="Beer-quiche",
    )


def probe_or_attack() -> ExtensiveFormGame:
    def answer(win: float, cost: float) -> Decision:
        return Decision(
            "Defender",
            [("retaliate", Terminal([-1, -2 - cost])), ("accommodate", Terminal([win, -1]))],
            "entered",
        )

    return build_game(
        ["Challenger", "Defender"],
        Decision(
            "Challenger",
            [("out", Terminal([0, 0])), ("probe", answer(1, 0)), ("attack", answer(2, 1))],
            "challenge",
        ),
        title="Probe or attack",
    )


def outcomes(solution) -> set[tuple[float, ...]]:  # type: ignore[no-untyped-def]
    from sim.games.behaviour import terminal_probabilities

    return {
        tuple(np.round(terminal_probabilities(solution.game, eq.behaviour), 6).tolist())
        for eq in solution
    }


def test_beer_quiche_has_two_pooling_outcomes_with_their_off_path_beliefs() -> None:
    solution = solve(beer_quiche(), "pbe")
    assert solution.complete and solution.method == "two_stage_pbe"
    tree = solution.game.tree
    strong_set, weak_set = tree.move_names.index("strong"), tree.move_names.index("weak")
    pools = {
        ("beer" if eq.behaviour[strong_set][0] == 1 else "quiche")
        for eq in solution
        if np.array_equal(eq.behaviour[strong_set], eq.behaviour[weak_set])
    }
    assert pools == {"beer", "quiche"}
    assert len(outcomes(solution)) == 2  # pooling on beer, pooling on quiche: nothing else
    notes = " ".join(solution.notes)
    for food in ("beer", "quiche"):
        assert (
            f"at after {food} (off the path), believes type=weak with probability from 0.5 to 1"
        ) in notes
    for eq in solution:
        assert assessment_regret(solution.game, eq.behaviour, eq.beliefs) == (
            pytest.approx(0, abs=1e-9),
            pytest.approx(0, abs=1e-9),
        )


def test_probe_or_attack_keeps_only_attack_and_accommodate() -> None:
    game = probe_or_attack()
    spe = solve(game, "spe")
    assert len(spe) == 3  # two of them deterrence by a threat no belief justifies
    pbe = solve(game, "pbe")
    assert len(pbe) == 1 and pbe.complete
    (eq,) = pbe
    assert eq.behaviour[0].tolist() == [0.0, 0.0, 1.0]  # attack
    assert eq.behaviour[1].tolist() == [0.0, 1.0]  # accommodate
    assert eq.beliefs[1].tolist() == [0.0, 1.0]  # it was an attack
    # Deterrence fails the referee: retaliating is worse under every belief.
    for belief in ([1.0, 0.0], [0.5, 0.5], [0.0, 1.0]):
        regret, _ = assessment_regret(game, [[1, 0, 0], [1, 0]], [[1.0], belief])
        assert regret >= 1.0


def test_the_costly_signal_scenarios_bluff_and_its_belief() -> None:
    solution = solve_scenario(load_scenario(SIGNAL), concept="pbe", settings={"cost": 0.5})
    assert solution.complete
    tree = solution.game.tree
    weak = _set_of(tree, "signal", "type", "weak")
    after_mobilise = _set_of(tree, "response", "signal", "mobilise")
    bluffs = [eq for eq in solution if 0 < eq.behaviour[weak][0] < 1]
    assert len(bluffs) == 1
    assert bluffs[0].behaviour[weak][0] == pytest.approx(3 / 7)
    assert bluffs[0].equilibrium.beliefs[after_mobilise].tolist() == pytest.approx([0.5, 0.5])
    report = solution_to_dict(solution)
    assert report["game"]["representation"] == "behaviour"
    beliefs = report["equilibria"][0]["beliefs"][1]  # the challenger's sets
    assert [entry["history"]["type"] for entry in beliefs[0]] == ["strong", "weak"]
    assert "believes type=strong with probability 0.5" in str(solution)
    json.dumps(report)


def _set_of(tree, move: str, earlier: str, action: str) -> int:  # type: ignore[no-untyped-def]
    """The information set of ``move`` whose nodes come after ``earlier=action``."""
    for h in range(tree.n_infosets):
        if tree.move_names[h] != move:
            continue
        node = tree.infoset_members(h)[0]
        for u, a in tree.path(node):
            k = int(tree.node_infoset[u])
            if tree.move_names[k] == earlier and tree.action_labels[k][a] == action:
                return h
    raise AssertionError(f"no {move} set after {earlier}={action}")


def unpruned(types: int, messages: int, answers: int) -> int:
    """Support profiles of a signalling game before pruning."""
    return (2**messages - 1) ** types * (2**answers - 1) ** messages


@st.composite
def two_stage_games(draw: st.DrawFn, most: int = 3, generic: bool = True) -> ExtensiveFormGame:
    """Chance draws one of T types; the sender, knowing it, sends one of M messages;
    the receiver sees the message only and answers with one of A actions.

    ``generic``: continuous random payoffs (few supports hold an equilibrium);
    else small integers, where ties and continua are common (then at most 2
    of each, since an all-tied game has an equilibrium on every support).
    Sizes keep at most 2,000 support profiles before pruning (3 x 2 x 3 and
    2 x 3 x 2, not 3 x 3 x 3), so that every example runs in seconds.
    """
    sizes = st.integers(1, most)
    types, messages, answers = draw(
        st.tuples(sizes, sizes, sizes).filter(lambda s: unpruned(*s) <= 2_000)
    )
    weights = draw(st.lists(st.integers(1, 5), min_size=types, max_size=types))
    prior = np.array(weights) / sum(weights)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    def payoff() -> list[float]:
        if generic:
            return rng.standard_normal(2).round(6).tolist()
        return [float(draw(st.integers(-2, 2))), float(draw(st.integers(-2, 2)))]

    def branch(t: int) -> Decision:
        return Decision(
            "S",
            [
                (
                    f"m{m}",
                    Decision(
                        "R",
                        [(f"a{a}", Terminal(payoff())) for a in range(answers)],
                        f"after m{m}",
                    ),
                )
                for m in range(messages)
            ],
            f"type {t}",
        )

    root = Chance([(f"t{t}", float(prior[t]), branch(t)) for t in range(types)], "type")
    return build_game(["S", "R"], root)


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(st.one_of(two_stage_games(), two_stage_games(most=2, generic=False)))
def test_every_listed_assessment_passes_the_independent_referee(game: ExtensiveFormGame) -> None:
    solution = solve(game, "pbe")
    assert solution.complete
    assert len(solution) >= 1  # a finite game has a sequential, hence perfect Bayesian, one
    normal = game.reduced_normal_form()
    for eq in solution:
        regret, bayes = assessment_regret(game, eq.behaviour, eq.beliefs)
        assert regret <= 1e-7 and bayes <= 1e-7
        assert subgame_regret(game, eq.behaviour) <= 1e-7  # a PBE is subgame perfect
        assert max_regret(normal, reduced_profile(game, eq.behaviour)) <= 1e-7  # and Nash


@st.composite
def perfect_information_two_stage(draw: st.DrawFn) -> ExtensiveFormGame:
    """A first mover's k actions, each answered by a second mover: generic payoffs."""
    k = draw(st.integers(1, 3))
    answers = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    branches = [
        (
            f"x{i}",
            Decision(
                "B",
                [(f"y{j}", Terminal(rng.standard_normal(2).tolist())) for j in range(answers)],
                f"after x{i}",
            ),
        )
        for i in range(k)
    ]
    return build_game(["A", "B"], Decision("A", branches, "first"))


@settings(max_examples=60, deadline=None)
@given(perfect_information_two_stage())
def test_on_perfect_information_games_pbe_is_subgame_perfection(game: ExtensiveFormGame) -> None:
    assert outcomes(solve(game, "pbe")) == outcomes(solve(game, "spe"))


def test_a_third_stage_is_refused_in_words() -> None:
    from sim.errors import UsageError

    third = Decision("A", [("u", Terminal([1, 0])), ("d", Terminal([0, 1]))], "again")
    game = build_game(
        ["A", "B"],
        Decision(
            "A",
            [
                ("l", Decision("B", [("x", third), ("y", Terminal([0, 0]))], "reply")),
                ("r", Terminal([1, 1])),
            ],
            "first",
        ),
    )
    with pytest.raises(UsageError, match="two-stage games so far"):
        solve(game, "pbe")


def test_the_intuitive_criterion_keeps_only_pooling_on_beer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Cho and Kreps (1987): pooling on quiche needs the receiver to fear a beer-drinker is
    weak, but only the strong type could gain by beer; pooling on beer survives."""
    from sim.cli import main
    from sim.formats import load_game

    game = load_game(ROOT / "sim" / "examples" / "beer_quiche.efg")
    refined = solve(game, "pbe", refine="intuitive")
    strong = game.tree.move_names.index("strong")
    assert {tuple(eq.behaviour[strong]) for eq in refined} == {(1.0, 0.0)}  # beer
    assert len(outcomes(refined)) == 1 and refined.complete
    assert "keeps 2 of 4" in " ".join(refined.notes)
    path = str(ROOT / "sim" / "examples" / "beer_quiche.efg")
    assert (
        main(["solve", path, "--concept", "pbe", "--refine", "intuitive", "--format", "json"]) == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert len(report["equilibria"]) == 2 and report["options"]["refine"] == "intuitive"
    assert main(["solve", path, "--concept", "nash", "--refine", "intuitive"]) == 2
    assert "--refine does not apply to --concept nash" in capsys.readouterr().err


def test_the_intuitive_criterion_rules_out_pooling_when_only_the_strong_would_signal() -> None:
    """At c = 1.5 (separation possible): pooling on staying needs the challenger to attack a
    mobiliser, but mobilising could only pay the strong type (-0.75 > -1; the weak type gets
    at most -1.5 < -1), so the criterion keeps the separating equilibrium alone."""
    solution = solve_scenario(
        load_scenario(SIGNAL), concept="pbe", settings={"cost": 1.5}, refine="intuitive"
    )
    (eq,) = solution
    tree = solution.game.tree
    assert eq.behaviour[_set_of(tree, "signal", "type", "strong")].tolist() == [1.0, 0.0]
    assert eq.behaviour[_set_of(tree, "signal", "type", "weak")].tolist() == [0.0, 1.0]


@pytest.mark.parametrize(
    ("cost", "kinds"),
    [(0.5, {"semi-separating", "pooling"}), (1.5, {"separating", "pooling"}), (2.5, {"pooling"})],
)
def test_each_pbe_of_the_signalling_game_is_labelled(cost: float, kinds: set[str]) -> None:
    """The kinds derived in test_honest_sweeps.py: the weak type bluffs below 1 (semi-
    separating), the types separate between 1 and 2, and pooling on staying holds throughout."""
    solution = solve_scenario(load_scenario(SIGNAL), concept="pbe", settings={"cost": cost})
    report = solution_to_dict(solution)
    assert {eq["signalling"] for eq in report["equilibria"]} == kinds
    first = report["equilibria"][0]["signalling"]
    assert f"Equilibrium 1 ({first}, max regret" in str(solution)


def test_beer_quiche_equilibria_are_all_pooling() -> None:
    from sim.formats import load_game
    from sim.report import solution_table

    solution = solve(load_game(ROOT / "sim" / "examples" / "beer_quiche.efg"), "pbe")
    kinds = {eq["signalling"] for eq in solution_to_dict(solution)["equilibria"]}
    assert kinds == {"pooling"}
    assert "Equilibrium 1 (pure, pooling)" in solution_table(solution)


def random_signalling_game(types: int, messages: int, answers: int) -> ExtensiveFormGame:
    rng = np.random.default_rng(1)

    def sender(t: int) -> Decision:
        reply = [(f"a{a}", None) for a in range(answers)]
        return Decision(
            "S",
            [
                (
                    f"m{m}",
                    Decision(
                        "R",
                        [(a, Terminal(rng.standard_normal(2).tolist())) for a, _ in reply],
                        f"after m{m}",
                    ),
                )
                for m in range(messages)
            ],
            f"type {t}",
        )

    return build_game(["S", "R"], Chance([(f"t{t}", 1 / types, sender(t)) for t in range(types)]))


@pytest.mark.slow
def test_three_types_three_messages_three_answers_are_solved_and_checked() -> None:
    """117,649 support profiles before pruning; pruning leaves few enough to list (seconds)."""
    game = random_signalling_game(3, 3, 3)
    solution = solve(game, "pbe")
    assert solution.complete and len(solution) >= 1
    for eq in solution:
        regret, bayes = assessment_regret(game, eq.behaviour, eq.beliefs)
        assert regret <= 1e-7 and bayes <= 1e-7


def test_a_signalling_game_with_too_many_supports_is_refused_in_words() -> None:
    """4 types x 4 messages x 4 answers, generic: more than 20,000 support profiles even
    after pruning; the answer says so rather than run for minutes."""
    from sim.errors import TooLargeError

    with pytest.raises(TooLargeError, match="after dropping the supports"):
        solve(random_signalling_game(4, 4, 4), "pbe")


def test_criterion_d1_keeps_only_pure_pooling_on_beer() -> None:
    """Cho and Kreps (1987, section IV): after quiche the strong type, which gets 3 by
    beer, could gain from no answer, so D1 puts the belief on the weak type; the
    receiver must then duel for sure (the mixed answer at belief 1/2 goes)."""
    game = beer_quiche()
    solution = solve(game, "pbe", refine="d1")
    assert [eq.behaviour[1].tolist() for eq in solution] == [[1.0, 0.0]]
    (eq,) = solution
    assert eq.behaviour[2].tolist() == [0.0, 1.0]  # no duel after beer
    assert eq.behaviour[4].tolist() == [1.0, 0.0]  # duel after quiche
    assert any("D1" in note and "keeps 1 of 4" in note for note in solution.notes)


@settings(max_examples=25, deadline=None)
@given(two_stage_games(most=2, generic=False))
def test_what_survives_d1_passes_the_intuitive_criterion(game: ExtensiveFormGame) -> None:
    """D1 is the stronger refinement: its survivors are among the intuitive ones."""

    def plays(refine: str) -> list[list[float]]:
        return [
            np.concatenate([np.ravel(b) for b in eq.behaviour]).round(9).tolist()
            for eq in solve(game, "pbe", refine=refine)
        ]

    intuitive = plays("intuitive")
    assert all(p in intuitive for p in plays("d1"))
