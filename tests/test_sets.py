"""Connected sets of equilibria: the ends of a segment are said to be one set.

- Known answers: the mediation game's Tokyo may accept an untested proposal
  with any probability up to 1/4 (derived in
  docs/explanation/equilibria-and-completeness.md); in the costly-signal
  game the challenger's off-path attack probability ranges over
  [1 - c/2, 1] (derived below); a bent set's four corners are one set.
- Brute force: in two-player games, the sets are the connected components of
  the graph of extreme strategies joined by the pairs that are equilibria,
  worked out here from regrets alone.
- Properties: every mixture along a join is an equilibrium; relabelling the
  actions leaves the sets alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.games.normal_form import NormalFormGame
from sim.games.profiles import max_regret
from sim.report import solution_to_dict
from sim.report.solve import solve_scenario
from sim.scenario import load_scenario
from sim.solvers import solve
from sim.solvers.sets import equilibrium_sets
from tests.hypothesis_strategies import payoff_games

ROOT = Path(__file__).resolve().parent.parent
SIGNAL = ROOT / "tests" / "data" / "costly_signal.toml"
INDIFFERENT = ROOT / "tests" / "data" / "indifferent_defender.toml"


def partition(sets: object) -> set[frozenset[int]]:
    return {frozenset(found.members) for found in sets}  # type: ignore[attr-defined]


def test_the_mediation_games_untested_reply_is_one_set() -> None:
    from sim.formats import load_game

    solution = solve(load_game(ROOT / "sim" / "examples" / "mediation.efg"))
    sets = equilibrium_sets(solution)
    assert partition(sets) == {frozenset({0}), frozenset({1, 2})}
    (choice,) = next(s for s in sets if len(s.members) == 2).free
    assert solution.game.players[choice.player] == "Tokyo"
    assert (choice.low, choice.high) == (0.0, pytest.approx(0.25))
    assert not choice.reached
    assert all(s.exact for s in sets)


@pytest.mark.parametrize("cost", [0.5, 1.5, 2.5])
def test_the_challengers_off_path_attack_ranges_as_derived(cost: float) -> None:
    """Pooling on staying: a mobilisation is answered by attacking with probability a.

    The strong type must not mobilise: -cost/2 - a <= -1, so a >= 1 - cost/2;
    the weak type's -cost - a <= -1 is then implied. So a ranges over
    [max(0, 1 - cost/2), 1].
    """
    solution = solve_scenario(load_scenario(SIGNAL), settings={"cost": cost})
    pooling = [
        found
        for found in equilibrium_sets(solution.solution)
        if all(path["signal"] == "stay" for k in found.members for _, path in solution[k].outcomes)
    ]
    (found,) = pooling
    (choice,) = found.free
    assert (choice.low, choice.high) == (pytest.approx(max(0, 1 - cost / 2)), 1.0)
    report = solution_to_dict(solution)
    (joined,) = [s for s in report["sets"] if len(s["equilibria"]) > 1]
    assert joined["free"][0]["player"] == "Challenger"
    assert joined["free"][0]["action"] == "attack"
    assert joined["free"][0]["reached"] is False
    assert "with any probability from" in str(solution)


def test_a_bent_set_is_one_set() -> None:
    controls = NormalFormGame.from_matrices(
        [[0, 0], [0, 0]], [[1, 0], [0, 1]], actions=[["concede", "hold"], ["ease", "keep"]]
    )
    assert partition(equilibrium_sets(solve(controls))) == {frozenset({0, 1, 2, 3})}


def test_pure_spes_joined_only_through_unlisted_mixtures_are_not_called_one_set() -> None:
    solution = solve_scenario(load_scenario(INDIFFERENT), settings={"cost": 1.5})
    sets = equilibrium_sets(solution.solution)
    assert partition(sets) == {frozenset({0}), frozenset({1})}
    assert not any(s.exact for s in sets)


def brute_force_components(game: NormalFormGame, solution: object) -> set[frozenset[int]]:
    """Components of the bipartite graph: extreme strategies, joined by equilibrium pairs."""
    equilibria = list(solution)  # type: ignore[call-overload]
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []

    def find(pool: list[np.ndarray], v: np.ndarray) -> int:
        for k, w in enumerate(pool):
            if np.abs(v - w).max() <= 1e-9:
                return k
        pool.append(v)
        return len(pool) - 1

    nodes = [(find(xs, eq.strategies[0]), find(ys, eq.strategies[1])) for eq in equilibria]
    parent = list(range(len(xs) + len(ys)))

    def root(k: int) -> int:
        while parent[k] != k:
            k = parent[k]
        return k

    for a, x in enumerate(xs):
        for b, y in enumerate(ys):
            if max_regret(game, [x, y]) <= 1e-9:
                assert (a, b) in nodes, "an extreme equilibrium was not listed"
                parent[root(len(xs) + b)] = root(a)
    groups: dict[int, set[int]] = {}
    for k, (a, _) in enumerate(nodes):
        groups.setdefault(root(a), set()).add(k)
    return {frozenset(g) for g in groups.values()}


@settings(max_examples=150, deadline=None)
@given(payoff_games(n_players=st.just(2), n_actions=st.integers(1, 4)))
def test_two_player_sets_are_the_components_found_by_brute_force(game: NormalFormGame) -> None:
    solution = solve(game)
    if not solution.complete:
        return
    sets = equilibrium_sets(solution)
    assert partition(sets) == brute_force_components(game, solution)
    assert all(s.exact for s in sets)


@settings(max_examples=100, deadline=None)
@given(
    payoff_games(n_players=st.integers(2, 3), n_actions=st.integers(1, 3)),
    st.floats(0, 1),
)
def test_every_mixture_along_a_join_is_an_equilibrium(game: NormalFormGame, t: float) -> None:
    solution = solve(game)
    for found in equilibrium_sets(solution):
        members = [solution[k] for k in found.members]
        for a in members:
            for b in members:
                assert a.strategies is not None and b.strategies is not None
                differ = [
                    i
                    for i in range(game.n_players)
                    if np.abs(a.strategies[i] - b.strategies[i]).max() > 1e-9
                ]
                if len(differ) == 1:
                    mix = [
                        (1 - t) * x + t * y for x, y in zip(a.strategies, b.strategies, strict=True)
                    ]
                    assert max_regret(game, mix) <= 1e-7


@settings(max_examples=80, deadline=None)
@given(payoff_games(n_players=st.just(2), n_actions=st.integers(1, 4)), st.data())
def test_relabelling_actions_leaves_the_sets_alone(
    game: NormalFormGame, data: st.DataObject
) -> None:
    orders = [data.draw(st.permutations(range(n))) for n in game.shape]
    relabelled = NormalFormGame(game.payoffs[(slice(None), *np.ix_(*orders))])
    sizes = sorted(len(s.members) for s in equilibrium_sets(solve(game)))
    again = sorted(len(s.members) for s in equilibrium_sets(solve(relabelled)))
    assert sizes == again


def test_the_sweep_numbers_each_points_sets() -> None:
    from sim.analysis.design import grid_design, parse_vary
    from sim.analysis.sweep import run_sweep

    scenario = load_scenario(SIGNAL)
    table = run_sweep(scenario, grid_design([parse_vary("cost=0.5:1.5:3", scenario)])).table
    assert table is not None
    for cost, rows in table.groupby("cost"):
        solution = solve_scenario(scenario, settings={"cost": float(cost)})
        expected = sorted(len(s.members) for s in equilibrium_sets(solution.solution))
        assert sorted(rows["set"].value_counts().tolist()) == expected


def test_shifts_say_each_bands_sets_at_its_middle() -> None:
    from sim.analysis.shifts import find_shifts

    result = find_shifts(load_scenario(SIGNAL), "cost", 0.1, 3)
    for band in result.bands:
        middle = (band.low + band.high) / 2
        (sentence,) = band.sets  # the pooling equilibria's off-path attack, every band
        low = max(0.0, 1 - middle / 2)  # derived above
        assert f"from {low:.3g} to 1." in sentence, (middle, sentence)
    assert "as sim solve lists them: Equilibria 2 and 3" in result.text()
    assert result.to_dict()["bands"][0]["sets"] == list(result.bands[0].sets)


def test_subgame_perfect_equilibria_are_joined_only_at_one_information_set() -> None:
    """Entry, then a coordination game with three isolated equilibria (a review's case).

    Reduced strategies drop what a player's own choices never reach, so two
    SPEs can look one player apart in the reduced form while differing at two
    information sets: no segment joins them.
    """
    scenario = load_scenario(ROOT / "tests" / "data" / "entry_coordination.toml")
    for outside in (0.5, 1.0, 2.0):
        solution = solve_scenario(scenario, settings={"outside": outside})
        # Every joined pair's midpoint is subgame perfect.
        from sim.games.behaviour import subgame_regret

        for found in equilibrium_sets(solution.solution):
            for k in found.members[1:]:
                first, other = solution[found.members[0]].behaviour, solution[k].behaviour
                middle = [(x + y) / 2 for x, y in zip(first, other, strict=True)]
                assert subgame_regret(solution.game, middle) <= 1e-9
    at_two = solve_scenario(scenario, settings={"outside": 2.0})
    assert all(len(s.members) == 1 for s in equilibrium_sets(at_two.solution))
