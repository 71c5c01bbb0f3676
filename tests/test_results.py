"""The one result family: every solver, concept and input gives a Solution of Equilibrium.

A scenario's result is a view over one Solution (not a second family); a tree's
subgame-perfect equilibria carry behaviour strategies checked by the tree's own
referee; one JSON writer, one text entry and one HTML builder serve them all.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.errors import UsageError
from sim.games.behaviour import subgame_regret
from sim.games.extensive_form import Decision, ExtensiveFormGame, Terminal, build_game
from sim.games.normal_form import NormalFormGame
from sim.report import solution_table, solution_to_dict
from sim.report.scenario import ScenarioSolution
from sim.solvers.solution import Equilibrium, Solution
from sim.solvers.subgame_perfect import spe_behaviour

ROOT = Path(__file__).resolve().parent.parent

#: Seoul moves; Tokyo, seeing it, answers. Labels hold markup, to check escaping.
TOKYO = "Tokyo <b>"
AFTER_FUND = Decision(
    TOKYO, [("attend", Terminal([2, 2])), ("skip", Terminal([-1, 1]))], "after fund"
)
AFTER_PROCEED = Decision(
    TOKYO, [("attend", Terminal([3, -2])), ("skip", Terminal([0, 0]))], "after proceed"
)
TREE = build_game(
    ["Seoul", TOKYO],
    Decision("Seoul", [("fund", AFTER_FUND), ("<script>", AFTER_PROCEED)], "stance"),
)


def test_a_tree_solved_through_its_normal_form_names_the_tree() -> None:
    solution = sim.solve(TREE, "nash")
    assert solution.game is TREE
    assert isinstance(solution.normal, NormalFormGame)
    assert solution.normal.shape == (2, 4)
    assert all(eq.strategies is not None for eq in solution)


def test_subgame_perfection_gives_both_representations_and_the_tree_referee_agrees() -> None:
    solution = sim.solve(TREE, "spe")
    assert solution.game is TREE
    assert solution.normal is not None
    (eq,) = solution
    assert eq.behaviour is not None
    assert eq.strategies is not None
    assert subgame_regret(TREE, eq.behaviour) == 0.0
    assert eq.max_regret == 0.0


def test_behaviour_only_results_are_solutions_checked_on_the_tree() -> None:
    found = spe_behaviour(TREE)
    assert isinstance(found, Solution)
    assert found.game is TREE
    assert found.normal is None
    (eq,) = found
    assert isinstance(eq, Equilibrium)
    assert eq.strategies is None
    assert eq.behaviour is not None
    assert eq.terminal_probabilities is not None
    assert eq.max_regret == subgame_regret(TREE, eq.behaviour) == 0.0
    np.testing.assert_allclose(eq.payoffs, eq.terminal_probabilities @ TREE.payoffs)
    assert eq.pure
    assert found.count == len(found) == 1


def test_an_equilibrium_needs_some_representation() -> None:
    with pytest.raises(UsageError, match="strategies, behaviour or joint"):
        Equilibrium(None, np.zeros(2), "spe", "x", 0.0)


def test_a_scenario_result_is_a_view_over_one_solution() -> None:
    result = sim.solve(ROOT / "scenarios" / "baseline_nov2020.toml")
    assert isinstance(result, ScenarioSolution)
    inner = result.solution
    assert isinstance(inner, Solution)
    assert isinstance(inner.game, ExtensiveFormGame)
    assert result.game is inner.game
    assert (result.concept, result.method, result.complete) == (
        inner.concept,
        inner.method,
        inner.complete,
    )
    assert result.notes == inner.notes
    assert result.options == inner.options
    assert len(result) == len(inner)
    for view, eq in zip(result, inner, strict=True):
        assert view.equilibrium is eq
        assert view.payoffs is eq.payoffs
        assert view.max_regret == eq.max_regret
        assert view.behaviour is eq.behaviour
        assert view.terminal_probabilities is eq.terminal_probabilities


def test_a_scenario_solved_in_normal_form_keeps_the_tree_and_its_normal_form() -> None:
    forced = {"mediation": "stay_out", "stance": "proceed", "summit": "skip"}
    result = sim.solve(ROOT / "scenarios" / "baseline_nov2020.toml", "nash", force=forced)
    assert isinstance(result, ScenarioSolution)
    assert isinstance(result.solution.game, ExtensiveFormGame)
    assert result.normal is result.solution.normal
    assert result.normal is not None
    for view in result:
        assert view.equilibrium.terminal_probabilities is not None
        assert abs(float(view.terminal_probabilities.sum()) - 1.0) < 1e-9


@pytest.mark.parametrize(
    "path",
    ["sim/examples/summit.nfg", "sim/examples/mediation.efg", "scenarios/baseline_nov2020.toml"],
)
def test_one_json_writer_and_one_text_entry_for_every_input(path: str) -> None:
    result = sim.solve(ROOT / path)
    report = json.loads(json.dumps(solution_to_dict(result)))
    assert list(report) == ["game", "equilibria", "sets", "complete", "notes", "options"]
    for eq in report["equilibria"]:
        for key in ("concept", "method", "strategies", "payoffs", "max_regret", "pure", "outcomes"):
            assert key in eq
    assert "equilibri" in solution_table(result)


def test_both_html_reprs_escape_labels_from_files() -> None:
    for result in (sim.solve(TREE, "nash"), spe_behaviour(TREE)):
        html = result._repr_html_()
        assert "<script>" not in html
        assert "<b>" not in html
    assert "Tokyo &lt;b&gt;" in sim.solve(TREE, "nash")._repr_html_()


def test_a_behaviour_only_result_shows_its_play_in_a_notebook() -> None:
    html = spe_behaviour(TREE)._repr_html_()
    assert "<th>play</th>" in html
    assert "stance=fund; after fund=attend" in html
