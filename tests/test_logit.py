"""The logit branch and the Nash equilibrium at its end."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.games.normal_form import NormalFormGame
from sim.games.profiles import max_regret
from sim.solvers.logit import fit_logit, logit_branch, logit_path, trace_logit_branch
from sim.solvers.vertex_enumeration import vertex_enumeration
from tests.equilibrium_sets import flat, profiles
from tests.hypothesis_strategies import payoff_games
from tests.optional import require


def logit_response(
    game: NormalFormGame, profile: tuple[np.ndarray, ...], lam: float
) -> list[np.ndarray]:
    """The logit best response to a profile, computed directly."""
    from sim.games.profiles import action_values

    responses = []
    for v in action_values(game, profile):
        w = np.exp(lam * (v - v.max()))
        responses.append(w / w.sum())
    return responses


def test_branch_points_are_logit_equilibria() -> None:
    game = NormalFormGame(np.random.default_rng(5).integers(0, 10, (3, 2, 3, 2)).astype(float))
    branch = trace_logit_branch(game, max_lambda=5.0)
    assert branch.lambdas[0] == 0
    assert branch.lambdas[-1] >= 5.0
    for k in range(0, len(branch.lambdas), max(1, len(branch.lambdas) // 10)):
        profile = branch.profile(k)
        for got, expected in zip(
            profile, logit_response(game, profile, branch.lambdas[k]), strict=True
        ):
            np.testing.assert_allclose(got, expected, atol=1e-8)


def test_lambda_is_in_the_games_payoff_units() -> None:
    game = NormalFormGame(np.random.default_rng(6).integers(0, 5, (2, 3, 3)).astype(float))
    scaled = game.with_payoffs(10 * game.payoffs)
    # The QRE of 10 x game at lambda / 10 is the QRE of the game at lambda...
    for lam in (0.3, 2.0):
        np.testing.assert_allclose(
            flat(logit_branch(scaled, lam / 10)[0].strategies),
            flat(logit_branch(game, lam)[0].strategies),
            atol=1e-10,
        )
    # ...and not at lambda itself.
    assert (
        np.abs(
            flat(logit_branch(scaled, 2.0)[0].strategies)
            - flat(logit_branch(game, 2.0)[0].strategies)
        ).max()
        > 1e-3
    )
    branch = trace_logit_branch(scaled, max_lambda=0.2)
    k = int(np.searchsorted(branch.lambdas, 0.1))
    np.testing.assert_allclose(
        np.concatenate(branch.profile(k)),
        flat(logit_branch(game, 10 * branch.lambdas[k])[0].strategies),
        atol=1e-8,
    )


@settings(max_examples=40)
@given(payoff_games(n_players=st.integers(2, 4), n_actions=st.integers(1, 3)))
def test_logit_path_returns_an_equilibrium(game: NormalFormGame) -> None:
    solution = logit_path(game)
    assert not solution.complete
    assert len(solution) == 1
    assert max_regret(game, solution[0].strategies) <= 1e-9


@pytest.mark.parametrize("seed", range(10))
def test_logit_equilibrium_is_one_of_all_equilibria(seed: int) -> None:
    rng = np.random.default_rng(seed)
    game = NormalFormGame(rng.standard_normal((2, 4, 4)))
    one = flat(logit_path(game)[0].strategies)
    assert any(np.abs(one - p).max() < 1e-8 for p in profiles(vertex_enumeration(game)))


@pytest.mark.peers
@pytest.mark.parametrize("seed", range(8))
def test_qre_matches_pygambit(seed: int) -> None:
    gbt = require("pygambit")
    rng = np.random.default_rng(seed)
    shape = [(3, 3), (2, 2, 2), (3, 3, 3), (2, 4)][seed % 4]
    payoffs = rng.integers(0, 10, (len(shape), *shape)).astype(float)
    reference = gbt.StrategicGame.from_arrays(*payoffs)
    for lam in (0.1, 0.5, 2.0):
        ours = flat(logit_branch(NormalFormGame(payoffs), lam)[0].strategies)
        profile = gbt.qre.logit_solve_lambda(reference, lam)[0].profile
        theirs = np.array([float(v) for p in reference.players for _, v in profile[p]])
        np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_qre_records_lambda_and_nash_regret() -> None:
    game = NormalFormGame.from_matrices([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    qre = logit_branch(game, 1.0)[0]
    assert qre.concept == "qre"
    assert qre.details == {"lambda": 1.0}
    assert qre.max_regret == pytest.approx(max_regret(game, qre.strategies))
    assert qre.max_regret > 0.1  # a QRE is not a Nash equilibrium
    profile = qre.strategies
    for got, expected in zip(profile, logit_response(game, profile, 1.0), strict=True):
        np.testing.assert_allclose(got, expected, atol=1e-12)


@pytest.mark.parametrize(("seed", "lam"), [(0, 0.3), (1, 1.5), (2, 4.0)])
def test_fitting_recovers_lambda_from_simulated_play(seed: int, lam: float) -> None:
    rng = np.random.default_rng(seed)
    game = NormalFormGame(rng.integers(0, 10, (3, 3, 3, 2)).astype(float))
    truth = logit_branch(game, lam)[0].strategies
    counts = [rng.multinomial(200_000, s) for s in truth]
    fit = fit_logit(game, counts)
    assert fit.lam == pytest.approx(lam, rel=0.05)
    exact = fit_logit(game, [1e9 * s for s in truth])
    assert exact.lam == pytest.approx(lam, rel=1e-6)


def test_bad_lambda_and_counts_are_rejected() -> None:
    from sim.errors import UsageError

    game = NormalFormGame.from_matrices([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    with pytest.raises(UsageError, match="lambda"):
        logit_branch(game, -1.0)
    with pytest.raises(UsageError, match="counts"):
        fit_logit(game, [[1, 2]])
