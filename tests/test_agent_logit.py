"""Logit play on trees: agent QRE by logit backward induction, Kuhn conversion, the lambda fit."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import UsageError
from sim.games.behaviour import behaviour_from_reduced, node_values
from sim.solvers.agent_logit import agent_logit, fit_agent_logit, qre_behaviour
from sim.solvers.subgame_perfect import reduced_profile, spe_behaviour
from tests.test_subgame_perfect import random_tree


@pytest.mark.parametrize("seed", range(8))
def test_the_agent_qre_is_a_logit_response_at_every_node(seed: int) -> None:
    """Each node's choice probabilities are the logit of the mover's continuation values."""
    rng = np.random.default_rng(seed)
    game = random_tree(rng, 4, ties=False, chance=True)
    lam = float(rng.uniform(0.1, 5))
    behaviour = agent_logit(game, lam)
    values = node_values(game, behaviour)
    tree = game.tree
    for v in range(tree.n_nodes):
        h = int(tree.node_infoset[v])
        if h < 0 or tree.infoset_player[h] < 0:
            continue
        own = values[list(tree.children(v)), tree.infoset_player[h]]
        expected = np.exp(lam * own) / np.exp(lam * own).sum()
        assert behaviour[h] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_precise_logit_play_approaches_the_subgame_perfect_equilibrium(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    game = random_tree(rng, 4, ties=False, chance=True)
    (spe,) = spe_behaviour(game)
    noisy = agent_logit(game, 1e4)
    for exact, approx in zip(spe.behaviour, noisy, strict=True):
        assert approx == pytest.approx(exact, abs=1e-6)
    assert all(np.allclose(b, 1 / len(b)) for b in agent_logit(game, 0.0) if len(b))


@pytest.mark.parametrize("seed", range(8))
def test_kuhn_conversion_inverts_the_reduced_profile(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    game = random_tree(rng, 4, ties=False, chance=True, n_players=2)
    tree = game.tree
    behaviour = tuple(
        rng.dirichlet(np.ones(len(tree.action_labels[h]))) if tree.infoset_player[h] >= 0
        else np.zeros(0)
        for h in range(tree.n_infosets)
    )  # fmt: skip
    back = behaviour_from_reduced(game, reduced_profile(game, behaviour))
    for original, recovered in zip(behaviour, back, strict=True):
        assert recovered == pytest.approx(original, abs=1e-12)


def test_the_fit_recovers_the_precision_and_beats_random_play() -> None:
    rng = np.random.default_rng(5)
    game = random_tree(rng, 4, ties=False, chance=False)
    truth = agent_logit(game, 1.3)
    choices = [
        (h, int(rng.choice(len(b), p=b)))
        for h, b in enumerate(truth)
        if len(b)
        for _ in range(4000)
    ]
    fit = fit_agent_logit(game, choices)
    assert fit.lam == pytest.approx(1.3, rel=0.1)
    assert fit.log_likelihood > fit.uniform_log_likelihood
    with pytest.raises(UsageError, match="no choices"):
        fit_agent_logit(game, [])
    with pytest.raises(UsageError, match="no action 9"):
        fit_agent_logit(game, [(0, 9)])


def test_simultaneous_moves_go_through_the_normal_form() -> None:
    from sim.scenario import compile_scenario, load_scenario

    game = compile_scenario(load_scenario("scenarios/classroom_brokered_package.toml")).game()
    assert not game.tree.is_perfect_information
    behaviour = qre_behaviour(game, 2.0)
    played = [b for b in behaviour if len(b)]
    assert len(played) == 2 and all(b.sum() == pytest.approx(1) for b in played)
    with pytest.raises(UsageError, match="perfect information only"):
        agent_logit(game, 1.0)
    with pytest.raises(UsageError, match="nonnegative"):
        qre_behaviour(game, -1.0)
