"""The shared hypothesis strategies really produce what they promise."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.games.normal_form import NormalFormGame
from tests.hypothesis_strategies import generic_games, payoff_games, relabellings


@given(payoff_games(n_players=st.integers(2, 4), n_actions=st.integers(1, 3)))
def test_payoff_games_are_valid_games(game: NormalFormGame) -> None:
    assert 2 <= game.n_players <= 4
    assert game.payoffs.shape == (game.n_players, *game.shape)
    assert all(1 <= n <= 3 for n in game.shape)
    assert np.all(np.isfinite(game.payoffs))


def test_payoff_games_include_one_action_players() -> None:
    seen: list[bool] = []

    @given(payoff_games())
    def probe(game: NormalFormGame) -> None:
        seen.append(1 in game.shape)

    probe()
    assert any(seen)


@given(generic_games(n_players=2))
def test_generic_games_have_no_payoff_ties(game: NormalFormGame) -> None:
    for i in range(2):
        assert len(np.unique(game.payoffs[i])) == game.payoffs[i].size


@given(st.data())
def test_relabellings_are_permutations(data: st.DataObject) -> None:
    game = data.draw(payoff_games())
    players, actions = data.draw(relabellings(game))
    assert sorted(players) == list(range(game.n_players))
    assert all(sorted(a) == list(range(n)) for a, n in zip(actions, game.shape, strict=True))
