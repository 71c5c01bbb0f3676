"""Pure Nash equilibria of N-player games, one at a time and in batches."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.games.normal_form import NormalFormGame
from sim.solvers.pure_nash import pure_nash, pure_nash_mask
from tests.hypothesis_strategies import affine_maps, payoff_games, relabellings


def brute_force(game: NormalFormGame) -> set[tuple[int, ...]]:
    found = set()
    for cell in itertools.product(*(range(n) for n in game.shape)):
        stable = True
        for i in range(game.n_players):
            for a in range(game.shape[i]):
                deviation = list(cell)
                deviation[i] = a
                if game.payoffs[(i, *deviation)] > game.payoffs[(i, *cell)]:
                    stable = False
        if stable:
            found.add(cell)
    return found


def cells(game: NormalFormGame) -> set[tuple[int, ...]]:
    return {tuple(int(s.argmax()) for s in eq.strategies) for eq in pure_nash(game)}


@given(payoff_games(n_players=st.integers(2, 4), n_actions=st.integers(1, 4)))
def test_equals_brute_force(game: NormalFormGame) -> None:
    solution = pure_nash(game)
    assert cells(game) == brute_force(game)
    assert solution.complete
    assert all(eq.pure and eq.max_regret == 0 for eq in solution)


@given(
    payoff_games(n_players=st.integers(2, 4), n_actions=st.integers(1, 3)), st.data(), affine_maps
)
def test_invariant_under_relabelling_and_affine_maps(
    game: NormalFormGame, data: st.DataObject, affine: tuple[float, float]
) -> None:
    players, actions = data.draw(relabellings(game))
    relabelled = game.permuted(players, actions)
    mapped = set()
    for cell in cells(relabelled):
        original = [0] * game.n_players
        for new_index, old_player in enumerate(players):
            original[old_player] = actions[old_player][cell[new_index]]
        mapped.add(tuple(original))
    assert mapped == cells(game)
    assert cells(game.with_payoffs(affine[0] * game.payoffs + affine[1])) == cells(game)


def test_batch_equals_one_at_a_time() -> None:
    rng = np.random.default_rng(3)
    payoffs = rng.integers(0, 3, (200, 3, 2, 3, 4)).astype(float)
    batch_mask = pure_nash_mask(payoffs, batch_ndim=1)
    for k in range(len(payoffs)):
        assert np.array_equal(batch_mask[k], pure_nash_mask(payoffs[k]))


def test_two_batch_axes() -> None:
    payoffs = np.random.default_rng(4).integers(0, 3, (5, 7, 2, 3, 3)).astype(float)
    mask = pure_nash_mask(payoffs, batch_ndim=2)
    assert mask.shape == (5, 7, 3, 3)
    assert np.array_equal(mask[4, 6], pure_nash_mask(payoffs[4, 6]))


def test_ties_are_equilibria_despite_round_off() -> None:
    third = 0.1 + 0.2  # 0.30000000000000004
    game = NormalFormGame.from_matrices([[0.3, 0.0]], [[third, 0.3]])
    assert cells(game) == {(0, 0), (0, 1)}


def test_an_empty_batch_has_an_empty_mask() -> None:
    assert pure_nash_mask(np.ones((0, 2, 2, 2)), batch_ndim=1).shape == (0, 2, 2)
