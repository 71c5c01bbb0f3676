"""The behaviour-profile referee: reach, values and subgame regret on trees."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.games.behaviour import node_values, subgame_regret, terminal_probabilities
from sim.games.profiles import max_regret
from sim.report.solve import solve_scenario
from sim.scenario import compile_scenario, load_scenario
from sim.solvers.subgame_perfect import reduced_profile

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.fixture(scope="module")
def flagship():  # type: ignore[no-untyped-def]
    scenario = load_scenario(SCENARIOS / "baseline_nov2020.toml")
    return scenario, compile_scenario(scenario).game()


def test_a_subgame_perfect_profile_has_no_regret_and_a_bent_one_has_its_loss(flagship) -> None:  # type: ignore[no-untyped-def]
    scenario, game = flagship
    eq = solve_scenario(scenario)[0]
    assert eq.behaviour is not None
    assert subgame_regret(game, eq.behaviour) < 1e-12
    # Make Tokyo ease wherever it sets its controls. The worst case: after Seoul proceeded
    # and a sale completed, easing costs Tokyo 3 + 3 in audience costs and forgoes the
    # 1.5 - 0.5 of keeping, so keeping instead gains it 7.
    tree = game.tree
    bent = [np.array(b, dtype=float) for b in eq.behaviour]
    for h in range(tree.n_infosets):
        if tree.move_names[h] == "controls" and tree.infoset_player[h] >= 0:
            bent[h] = np.eye(3)[tree.action_labels[h].index("ease")]
    assert subgame_regret(game, bent) == pytest.approx(7.0)
    np.testing.assert_allclose(terminal_probabilities(game, eq.behaviour).sum(), 1.0)
    np.testing.assert_allclose(node_values(game, eq.behaviour)[0], eq.payoffs)


@settings(max_examples=40)
@given(st.lists(st.floats(0.01, 1.0), min_size=4, max_size=4))
def test_on_a_simultaneous_game_subgame_regret_is_the_normal_form_regret(weights) -> None:  # type: ignore[no-untyped-def]
    scenario = load_scenario(SCENARIOS / "classroom_brokered_package.toml")
    game = compile_scenario(scenario).game()
    tree = game.tree
    behaviour = []
    k = 0
    for h in range(tree.n_infosets):
        if tree.infoset_player[h] < 0:
            behaviour.append(np.zeros(0))
        else:
            pair = np.array(weights[k : k + 2])
            behaviour.append(pair / pair.sum())
            k += 2
    normal = game.reduced_normal_form()
    profile = reduced_profile(game, behaviour)
    assert subgame_regret(game, behaviour) == pytest.approx(max_regret(normal, profile), abs=1e-9)


def test_the_batched_regret_agrees_with_the_tree_referee_on_random_profiles() -> None:
    from sim.games.behaviour import batch_spe_regret
    from sim.scenario.compiler import build_structure

    scenario = load_scenario(SCENARIOS / "baseline_nov2020.toml")
    structure = build_structure(scenario)
    tree = structure.tree
    rng = np.random.default_rng(11)
    rho = rng.uniform(0, 2, 8)
    compiled = compile_scenario(scenario, {"us_alliance_priority": rho}, structure=structure)
    nodes = np.flatnonzero(tree.node_kind == 1)
    widths = np.array([len(tree.children(v)) for v in nodes])
    choices = (rng.random((8, len(nodes))) * widths).astype(np.int64)
    batched = batch_spe_regret(tree, compiled.payoffs, compiled.chance, nodes, choices)
    for k in range(8):
        behaviour = [np.zeros(0) for _ in range(tree.n_infosets)]
        for j, v in enumerate(nodes.tolist()):
            behaviour[int(tree.node_infoset[v])] = np.eye(widths[j])[choices[k, j]]
        full = subgame_regret(compiled.game(k), behaviour)
        # One-shot gaps never exceed the best response's gain, and vanish together with it.
        assert batched[k] <= full + 1e-9
        assert (batched[k] < 1e-9) == (full < 1e-9)
    assert batched.max() > 0
