"""Normal-form games, batches, and the regret referee."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.errors import GameError
from sim.games.normal_form import MAX_PROFILES, GameBatch, NormalFormGame
from sim.games.profiles import (
    action_values,
    as_profile,
    best_responses,
    expected_payoffs,
    max_regret,
    regrets,
)
from tests.hypothesis_strategies import payoff_games


def test_payoffs_are_copied_and_read_only() -> None:
    source = np.zeros((2, 2, 2))
    game = NormalFormGame(source)
    source[0, 0, 0] = 5
    assert game.payoffs[0, 0, 0] == 0
    with pytest.raises(ValueError, match="read-only"):
        game.payoffs[0, 0, 0] = 1


@pytest.mark.parametrize(
    ("payoffs", "message"),
    [
        (np.zeros(3), "shape"),
        (np.zeros((3, 2, 2)), "2 players' actions but 3 players' payoffs"),
        (np.zeros((2, 0, 2)), "at least one action"),
        (np.full((2, 2, 2), np.nan), "finite"),
        ([["a", "b"], ["c", "d"]], "numbers"),
    ],
)
def test_malformed_payoffs_are_rejected(payoffs: object, message: str) -> None:
    with pytest.raises(GameError, match=message):
        NormalFormGame(payoffs)  # type: ignore[arg-type]


def test_labels_are_checked() -> None:
    with pytest.raises(GameError, match="distinct"):
        NormalFormGame(np.zeros((2, 2, 2)), players=["Seoul", "Seoul"])
    with pytest.raises(GameError, match="expected 2 labels"):
        NormalFormGame(np.zeros((2, 2, 2)), actions=[["a"], ["b", "c"]])


def test_profile_cap_comes_before_allocation() -> None:
    with pytest.raises(GameError, match="pure-strategy profiles"):
        NormalFormGame(np.broadcast_to(0.0, (2, MAX_PROFILES, 2)))


def test_equality_compares_every_entry() -> None:
    a = NormalFormGame(np.ones((2, 2, 2)))
    b = NormalFormGame(np.ones((2, 2, 2)) * 2)  # no zeros anywhere: a truthiness bug would pass
    assert a != b
    assert a == NormalFormGame(np.ones((2, 2, 2)))
    assert hash(a) == hash(NormalFormGame(np.ones((2, 2, 2))))


def test_permuted_moves_payoffs_with_labels() -> None:
    game = NormalFormGame(
        np.arange(2 * 2 * 3, dtype=float).reshape(2, 2, 3),
        players=["S", "T"],
        actions=[["a", "b"], ["x", "y", "z"]],
    )
    swapped = game.permuted([1, 0], [[1, 0], [2, 0, 1]])
    assert swapped.players == ("T", "S")
    assert swapped.actions == (("z", "x", "y"), ("b", "a"))
    # Tokyo's z against Seoul's b, Seoul's payoff:
    assert swapped.payoffs[1, 0, 0] == game.payoffs[0, 1, 2]


def test_batch_indexing_gives_games() -> None:
    payoffs = np.random.default_rng(0).random((4, 3, 2, 2, 2))
    batch = GameBatch(payoffs, players=["W", "S", "T"])
    assert len(batch) == 4
    assert batch[2] == NormalFormGame(payoffs[2], players=["W", "S", "T"])


def _brute_values(game: NormalFormGame, profile: list[np.ndarray]) -> list[np.ndarray]:
    values = [np.zeros(n) for n in game.shape]
    for cell in itertools.product(*(range(n) for n in game.shape)):
        for i in range(game.n_players):
            weight = np.prod([profile[j][cell[j]] for j in range(game.n_players) if j != i])
            values[i][cell[i]] += weight * game.payoffs[(i, *cell)]
    return values


@given(payoff_games(n_players=st.integers(2, 4), n_actions=st.integers(1, 3)), st.data())
def test_action_values_equal_a_sum_over_profiles(game: NormalFormGame, data: st.DataObject) -> None:
    profile = []
    for n in game.shape:
        w = np.array(data.draw(st.lists(st.integers(1, 5), min_size=n, max_size=n)), float)
        profile.append(w / w.sum())
    for ours, brute in zip(action_values(game, profile), _brute_values(game, profile), strict=True):
        np.testing.assert_allclose(ours, brute, atol=1e-12)
    payoffs = expected_payoffs(game, profile)
    assert np.all(regrets(game, profile) >= -1e-12)
    assert max_regret(game, profile) == pytest.approx(
        max(float(v.max() - p) for v, p in zip(_brute_values(game, profile), payoffs, strict=True)),
        abs=1e-12,
    )


def test_best_responses_and_profile_checks() -> None:
    game = NormalFormGame.from_matrices([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    assert best_responses(game, [[1, 0], [1, 0]]) == ((1,), (1,))
    with pytest.raises(GameError, match="not a probability vector"):
        as_profile(game, [[0.5, 0.6], [1, 0]])
    with pytest.raises(GameError, match="expected 2 strategies"):
        as_profile(game, [[1, 0]])
