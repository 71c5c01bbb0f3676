"""sim explain: alternatives and their costs, checkable by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.analysis.explain import explain
from sim.cli import main
from sim.formats import load_game
from sim.games.normal_form import NormalFormGame
from sim.solvers import solve
from tests.hypothesis_strategies import payoff_games

EXAMPLES = Path(__file__).resolve().parent.parent / "sim" / "examples"


def test_two_by_two_deviations_by_hand() -> None:
    # Stag hunt between Seoul and Tokyo: at (stag, stag) each gets 4; hare would give 3.
    game = NormalFormGame.from_matrices(
        [[4, 0], [3, 3]],
        [[4, 3], [0, 3]],
        players=["Seoul", "Tokyo"],
        actions=[["stag", "hare"], ["stag", "hare"]],
        title="Stag hunt",
    )
    decisions = explain(game, solve(game)[0])
    assert [(d.player, d.chosen, d.payoff) for d in decisions] == [
        ("Seoul", "stag", 4.0),
        ("Tokyo", "stag", 4.0),
    ]
    assert [(a.action, a.payoff, a.gain) for a in decisions[0].alternatives] == [
        ("hare", 3.0, -1.0)
    ]
    assert decisions[0].describe() == (
        "Seoul (on the equilibrium path): Seoul plays stag and gets 4.\n"
        "  hare would give 3: it would cost 1."
    )


def test_cli_explains_the_chosen_equilibrium(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(EXAMPLES / "summit.nfg"), "--equilibrium", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Equilibrium 3 of 3 (nash): Seoul cancel; Tokyo skip")
    assert "host would give 0: it would cost 1." in out
    assert main(["explain", str(EXAMPLES / "summit.nfg"), "--equilibrium", "9"]) == 2
    assert "there are 3 nash equilibria" in capsys.readouterr().err


def test_tree_is_explained_decision_by_decision(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(EXAMPLES / "mediation.efg")]) == 0
    out = capsys.readouterr().out
    assert "Seoul (high) (on the equilibrium path): Seoul plays propose and gets 3." in out
    game = load_game(EXAMPLES / "mediation.efg")
    mixed = next(eq for eq in solve(game, "spe") if not eq.pure)
    assert all(d.where in game.players for d in explain(game, mixed))


@given(payoff_games(n_players=st.integers(2, 3), n_actions=st.integers(1, 3)))
def test_no_alternative_gains_at_an_equilibrium(game: NormalFormGame) -> None:
    for eq in solve(game):
        for decision in explain(game, eq):
            assert decision.payoff == pytest.approx(
                float(eq.payoffs[game.players.index(decision.player)]), abs=1e-9
            )
            assert all(alt.gain <= 1e-8 for alt in decision.alternatives)


def test_a_non_equilibrium_shows_the_gain() -> None:
    game = NormalFormGame.from_matrices([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    from sim.solvers.solution import make_equilibrium

    cooperate = make_equilibrium(game, [np.array([1.0, 0.0])] * 2, concept="nash", method="x")
    text = explain(game, cooperate)[0].describe()
    assert "it would GAIN 2: not an equilibrium" in text


def test_selection_criteria_side_by_side(capsys: pytest.CaptureFixture[str]) -> None:
    from sim.analysis.selection import select

    # Stag hunt: payoff dominance and welfare pick (stag, stag); risk dominance
    # and the logit limit pick (hare, hare), the safer bet.
    stag = NormalFormGame.from_matrices([[4, 0], [3, 3]], [[4, 3], [0, 3]])
    picks = {c.name: c.picks for c in select(solve(stag))}
    assert picks == {
        "payoff dominance": (1,),
        "risk dominance": (3,),
        "maximum welfare": (1,),
        "logit limit": (3,),
    }
    # Battle of the sexes: no equilibrium is best for both.
    bos = NormalFormGame.from_matrices([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    by_name = {c.name: c for c in select(solve(bos))}
    assert by_name["payoff dominance"].picks == ()
    assert "Pareto-undominated: 1, 3" in by_name["payoff dominance"].reason
    assert main(["solve", str(EXAMPLES / "summit.nfg"), "--select", "--format", "json"]) == 0
    import json

    report = json.loads(capsys.readouterr().out)
    assert report["selection"][0] == {
        "criterion": "payoff dominance",
        "equilibria": [1],
        "reason": "at least as good as any other for every player",
    }


def test_risk_dominance_is_the_textbook_product_rule() -> None:
    from sim.analysis.selection import select

    # (A, A) pays 9 but deviating costs 9 - 8 = 1 each; (B, B) pays 7, deviating costs 7 - 0.
    game = NormalFormGame.from_matrices([[9, 0], [8, 7]], [[9, 8], [0, 7]])
    by_name = {c.name: c.picks for c in select(solve(game))}
    assert by_name["risk dominance"] == (3,)
    assert by_name["payoff dominance"] == (1,)


def test_deviation_into_the_players_own_unplanned_move_is_explained() -> None:
    from sim.games.extensive_form import Decision as Node
    from sim.games.extensive_form import Terminal, build_game

    # Seoul stops at once; had it gone on, it would move again later (a move its
    # reduced plan leaves open), and its best continuation there is worth 3.
    game = build_game(["Seoul", "Tokyo"], Node("Seoul", [
        ("stop", Terminal([2, 0])),
        ("go", Node("Tokyo", [
            ("block", Terminal([0, 1])),
            ("allow", Node("Seoul", [("take", Terminal([3, 0])), ("share", Terminal([1, 2]))],
                           infoset="second")),
        ], infoset="reply")),
    ], infoset="first"))  # fmt: skip
    eq = solve(game, "spe")[0]
    reply = next(d for d in explain(game, eq) if d.where == "reply")
    assert [a.action for a in reply.alternatives] == ["allow"]
    assert reply.alternatives[0].payoff == 0.0  # Seoul would take: Tokyo gets 0
