"""Iterated dominance: known answers, order independence, and consistency with Nash."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.games.normal_form import NormalFormGame
from sim.solvers.dominance import eliminate_dominated, iterated_dominance
from sim.solvers.pure_nash import pure_nash
from sim.solvers.vertex_enumeration import vertex_enumeration
from tests.hypothesis_strategies import payoff_games, relabellings


def test_mixed_dominance_needs_the_linear_program() -> None:
    game = NormalFormGame.from_matrices(
        [[3, 0], [0, 3], [1, 1]],
        [[1, 1], [1, 1], [1, 1]],
        players=["Seoul", "Tokyo"],
        actions=[["fund", "freeze", "proceed"], ["attend", "skip"]],
    )
    assert eliminate_dominated(game, mixed=False).eliminations == ()
    (step,) = eliminate_dominated(game).eliminations
    assert step.describe() == (
        "round 1: Seoul's `proceed` is strictly dominated by `1/2 fund + 1/2 freeze`"
    )


def test_rounds_are_recorded_in_order() -> None:
    # Tokyo's `ease` and `tighten` are dominated outright; only then is Seoul's `defy`.
    seoul = [[2, 1, 0], [3, 0, -5]]
    tokyo = [[1, 2, 0], [1, 2, 0]]
    game = NormalFormGame.from_matrices(
        seoul,
        tokyo,
        players=["Seoul", "Tokyo"],
        actions=[["comply", "defy"], ["ease", "keep", "tighten"]],
    )
    result = eliminate_dominated(game)
    assert [e.describe() for e in result.eliminations] == [
        "round 1: Tokyo's `ease` is strictly dominated by `keep`",
        "round 1: Tokyo's `tighten` is strictly dominated by `ease`",
        "round 2: Seoul's `defy` is strictly dominated by `comply`",
    ]
    assert result.solvable
    assert iterated_dominance(game)[0].max_regret == 0


def test_weak_dominance_is_an_option() -> None:
    game = NormalFormGame.from_matrices([[1, 1], [1, 0]], [[1, 1], [1, 1]])
    assert eliminate_dominated(game).eliminations == ()
    assert len(eliminate_dominated(game, strict=False).eliminations) == 1


@settings(max_examples=60)
@given(payoff_games(n_players=st.integers(2, 3), n_actions=st.integers(1, 3)), st.data())
def test_strict_elimination_is_order_free_and_keeps_every_equilibrium(
    game: NormalFormGame, data: st.DataObject
) -> None:
    result = eliminate_dominated(game)
    # Every pure equilibrium survives strict elimination.
    for eq in pure_nash(game):
        for s, alive in zip(eq.strategies, result.surviving, strict=True):
            assert int(s.argmax()) in alive
    if game.n_players == 2:  # so does every mixed one
        for eq in vertex_enumeration(game):
            for s, alive in zip(eq.strategies, result.surviving, strict=True):
                assert set(np.flatnonzero(s > 1e-9)) <= set(alive)
    # Relabelling players and actions gives the same surviving actions.
    players, actions = data.draw(relabellings(game))
    relabelled = eliminate_dominated(game.permuted(players, actions)).reduced
    for new_index, old in enumerate(players):
        assert sorted(relabelled.actions[new_index]) == sorted(result.reduced.actions[old])


def test_not_dominance_solvable_is_said_plainly() -> None:
    pennies = NormalFormGame.from_matrices([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    solution = iterated_dominance(pennies)
    assert len(solution) == 0
    assert not solution.complete
    assert "not dominance solvable" in solution.notes[-1]
