"""Tests of the correlated and coarse correlated equilibrium linear programs."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import SolverError, UsageError
from sim.games.normal_form import NormalFormGame
from sim.games.profiles import coarse_violation, obedience_violation
from sim.solvers import solve
from sim.solvers.correlated import (
    OBJECTIVES,
    MediationValue,
    coarse_correlated_lp,
    correlated_lp,
    value_of_mediation,
)
from sim.solvers.solution import Equilibrium
from tests.hypothesis_strategies import affine_maps, payoff_games, relabellings

TOL = 1e-9
SOLVERS = {"correlated": correlated_lp, "coarse-correlated": coarse_correlated_lp}
EXAMPLES = Path(__file__).resolve().parent.parent / "sim" / "examples"

CHICKEN = NormalFormGame.from_matrices(
    [[6, 2], [7, 0]],
    [[6, 7], [2, 0]],
    players=["Seoul", "Tokyo"],
    actions=[["restrain", "dare"], ["restrain", "dare"]],
)


# ------------------------------------------------------------------ independent checks
def brute_obedience(game: NormalFormGame, joint: np.ndarray) -> float:
    """The largest gain from disobeying, by a plain loop over every profile."""
    worst = 0.0
    for i, n in enumerate(game.shape):
        for a, b in itertools.permutations(range(n), 2):
            gain = 0.0
            for profile in itertools.product(*(range(m) for m in game.shape)):
                if profile[i] != a:
                    continue
                deviated = list(profile)
                deviated[i] = b
                gain += joint[profile] * (
                    game.payoffs[(i, *deviated)] - game.payoffs[(i, *profile)]
                )
            worst = max(worst, gain)
    return worst


def brute_coarse(game: NormalFormGame, joint: np.ndarray) -> float:
    """The largest gain from committing to one action in advance, by a plain loop."""
    worst = 0.0
    for i, n in enumerate(game.shape):
        for b in range(n):
            gain = 0.0
            for profile in itertools.product(*(range(m) for m in game.shape)):
                deviated = list(profile)
                deviated[i] = b
                gain += joint[profile] * (
                    game.payoffs[(i, *deviated)] - game.payoffs[(i, *profile)]
                )
            worst = max(worst, gain)
    return worst


def brute_lp_value(game: NormalFormGame, concept: str, objective: str, player: int = 0) -> float:
    """The optimum of the same LP, built row by row with loops (dense), as a cross-check."""
    from scipy.optimize import linprog

    profiles = list(itertools.product(*(range(m) for m in game.shape)))
    position = {p: k for k, p in enumerate(profiles)}
    rows = []
    for i, n in enumerate(game.shape):
        pairs = (
            list(itertools.permutations(range(n), 2))
            if concept == "correlated"
            else [(None, b) for b in range(n)]
        )
        for a, b in pairs:
            row = np.zeros(len(profiles))
            for p in profiles:
                if a is not None and p[i] != a:
                    continue
                q = list(p)
                q[i] = b
                row[position[p]] = game.payoffs[(i, *q)] - game.payoffs[(i, *p)]
            rows.append(row)
    utility = np.array([[game.payoffs[(i, *p)] for p in profiles] for i in range(game.n_players)])
    n = len(profiles)
    if objective == "egalitarian":
        cost = np.r_[np.zeros(n), -1.0]
        a_ub = np.vstack(
            [
                np.c_[np.array(rows).reshape(-1, n), np.zeros(len(rows))],
                np.c_[-utility, np.ones(game.n_players)],
            ]
        )
        a_eq = np.r_[np.ones(n), 0.0][None]
        bounds = [(0, None)] * n + [(None, None)]
    else:
        cost = -utility.sum(axis=0) if objective == "welfare" else -utility[player]
        a_ub = np.array(rows).reshape(-1, n)
        a_eq = np.ones((1, n))
        bounds = [(0, None)] * n
    result = linprog(
        cost, A_ub=a_ub, b_ub=np.zeros(len(a_ub)), A_eq=a_eq, b_eq=[1.0], bounds=bounds
    )
    assert result.status == 0
    return float(-result.fun)


def product_joint(strategies: tuple[np.ndarray, ...]) -> np.ndarray:
    joint = strategies[0]
    for s in strategies[1:]:
        joint = np.multiply.outer(joint, s)
    return np.asarray(joint)


def random_game(seed: int, shape: tuple[int, ...], integers: bool = False) -> NormalFormGame:
    rng = np.random.default_rng(seed)
    if integers:
        return NormalFormGame(rng.integers(-3, 4, (len(shape), *shape)).astype(float))
    return NormalFormGame(rng.standard_normal((len(shape), *shape)))


def run(concept: str, game: NormalFormGame, objective: str = "welfare") -> Equilibrium:
    player = 0 if objective == "player" else None
    solution = SOLVERS[concept](game, objective=objective, player=player)
    assert len(solution) == 1
    return solution[0]


# ----------------------------------------------------------------------- must-show
def test_chicken_best_mediator_recommends_restraint_half_the_time() -> None:
    solution = correlated_lp(CHICKEN)
    best = solution[0]
    assert best.joint is not None
    assert best.payoffs.sum() == pytest.approx(10.5, abs=1e-9)
    assert best.details["objective_value"] == pytest.approx(10.5, abs=1e-9)
    np.testing.assert_allclose(best.joint, [[0.5, 0.25], [0.25, 0.0]], atol=1e-9)
    assert obedience_violation(CHICKEN, best.joint) <= TOL
    assert brute_obedience(CHICKEN, best.joint) <= TOL
    assert best.max_regret <= TOL
    np.testing.assert_allclose(best.strategies[0], [0.75, 0.25], atol=1e-9)
    assert solution.concept == best.concept == "correlated"
    assert solution.method == best.method == "correlated_lp"
    assert not solution.complete
    assert any("convex polytope" in note for note in solution.notes)


def test_chicken_objectives_have_the_known_answers() -> None:
    seoul = correlated_lp(CHICKEN, objective="player", player="Seoul")[0]
    tokyo = correlated_lp(CHICKEN, objective="player", player=1)[0]
    assert seoul.payoffs.tolist() == pytest.approx([7.0, 2.0], abs=1e-9)
    assert tokyo.payoffs.tolist() == pytest.approx([2.0, 7.0], abs=1e-9)
    fair = correlated_lp(CHICKEN, objective="egalitarian")[0]
    assert fair.details["objective_value"] == pytest.approx(5.25, abs=1e-9)
    anything = correlated_lp(CHICKEN, objective="feasible")[0]
    assert anything.details["objective_value"] == 0.0
    assert anything.max_regret <= TOL


def test_coarse_optimum_can_beat_correlated_optimum() -> None:
    game = NormalFormGame.from_matrices(
        [[6, 2, 2], [0, 1, 7], [6, 0, 7]], [[0, 4, 1], [4, 1, 2], [6, 7, 1]]
    )
    ce = correlated_lp(game)[0]
    cce = coarse_correlated_lp(game)[0]
    assert ce.details["objective_value"] == pytest.approx(6.0, abs=1e-9)
    assert cce.details["objective_value"] == pytest.approx(184 / 19, abs=1e-9)
    assert cce.joint is not None and obedience_violation(game, cce.joint) > 0.1
    assert coarse_violation(game, cce.joint) <= TOL
    assert cce.concept == "coarse-correlated" and cce.method == "coarse_correlated_lp"


# --------------------------------------------------- constraints hold for every objective
@pytest.mark.parametrize("concept", list(SOLVERS))
@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize(
    "shape", [(2, 2), (3, 4), (1, 3), (2, 3, 2), (3, 3, 3), (2, 2, 2, 2), (3, 2, 2, 3)]
)
@pytest.mark.parametrize("integers", [False, True])
def test_incentive_constraints_hold(
    concept: str, objective: str, shape: tuple[int, ...], integers: bool
) -> None:
    game = random_game(sum(shape) * 7 + len(shape), shape, integers)
    eq = run(concept, game, objective)
    assert eq.joint is not None
    assert eq.joint.shape == game.shape
    assert eq.joint.min() >= 0 and eq.joint.sum() == pytest.approx(1.0, abs=1e-12)
    referee = obedience_violation if concept == "correlated" else coarse_violation
    brute = brute_obedience if concept == "correlated" else brute_coarse
    assert eq.max_regret == pytest.approx(referee(game, eq.joint), abs=1e-15)
    assert eq.max_regret <= TOL
    assert brute(game, eq.joint) <= TOL
    if objective != "feasible":
        assert eq.details["objective_value"] == pytest.approx(
            brute_lp_value(game, concept, objective), abs=1e-7
        )


def test_players_with_one_action_have_nothing_to_disobey() -> None:
    game = NormalFormGame(np.array([[[1.0]], [[2.0]]]))
    for solver in SOLVERS.values():
        eq = solver(game)[0]
        assert eq.joint is not None and eq.joint.tolist() == [[1.0]]
        assert eq.details["objective_value"] == 3.0


def test_dominant_strategies_give_the_obvious_answer() -> None:
    payoffs = np.zeros((3, 2, 2, 2))
    for i in range(3):  # action 0 strictly dominates for everyone
        index: list[int | slice] = [slice(None)] * 3
        index[i] = 0
        payoffs[(i, *index)] = 1.0
    for solver in SOLVERS.values():
        for objective in OBJECTIVES:
            eq = solver(
                NormalFormGame(payoffs),
                objective=objective,
                player=2 if objective == "player" else None,
            )[0]
            assert all(s[0] == 1.0 for s in eq.strategies)


def test_extensive_form_game_is_solved_through_its_reduced_normal_form() -> None:
    from sim.formats import load_game
    from sim.games.extensive_form import ExtensiveFormGame

    game = load_game(EXAMPLES / "mediation.efg")
    assert isinstance(game, ExtensiveFormGame)
    solution = correlated_lp(game)
    assert solution.game == game.reduced_normal_form()
    assert solution[0].max_regret <= TOL


def test_input_is_not_changed_and_result_is_deterministic() -> None:
    game = random_game(3, (3, 3, 2))
    before = game.payoffs.copy()
    first, second = correlated_lp(game)[0], correlated_lp(game)[0]
    assert np.array_equal(game.payoffs, before)
    assert first.joint is not None and second.joint is not None
    assert np.array_equal(first.joint, second.joint)


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"objective": "utilitarian"}, "unknown objective 'utilitarian'"),
        ({"objective": "player"}, "needs player: a name"),
        ({"objective": "player", "player": "Pyongyang"}, "unknown player 'Pyongyang'"),
        ({"objective": "player", "player": 2}, "out of range"),
        ({"objective": "player", "player": -1}, "out of range"),
        ({"objective": "player", "player": True}, "needs player: a name"),
        ({"objective": "player", "player": 1.0}, "needs player: a name"),
        ({"objective": "welfare", "player": 0}, "only with objective='player'"),
        ({"tol": 0.0}, "tol"),
        ({"tol": float("nan")}, "tol"),
        ({"tol": -1e-9}, "tol"),
    ],
)
@pytest.mark.parametrize("concept", list(SOLVERS))
def test_bad_arguments_are_usage_errors(
    concept: str, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        SOLVERS[concept](CHICKEN, **kwargs)  # type: ignore[arg-type]


def test_games_too_large_for_the_lp_are_refused() -> None:
    with pytest.raises(UsageError, match="pure profiles"):
        correlated_lp(NormalFormGame(np.zeros((2, 500, 401))))
    with pytest.raises(UsageError, match="constraint entries"):
        correlated_lp(NormalFormGame(np.zeros((2, 250, 250))))


def test_highs_failure_is_a_solver_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import scipy.optimize
    from scipy.optimize import OptimizeResult

    def failing(*args: object, **kwargs: object) -> OptimizeResult:
        return OptimizeResult(status=4, message="numerical difficulties", x=None)

    monkeypatch.setattr(scipy.optimize, "linprog", failing)
    with pytest.raises(SolverError, match=r"correlated_lp: HiGHS .* numerical difficulties"):
        correlated_lp(CHICKEN)


# ------------------------------------------------------------------------- properties
small_games = payoff_games(n_players=st.integers(2, 3), n_actions=st.integers(1, 3))


@settings(max_examples=60)
@given(small_games)
def test_nash_equilibria_are_correlated_and_no_better_than_the_best(
    game: NormalFormGame,
) -> None:
    best = correlated_lp(game)[0].payoffs.sum()
    best_coarse = coarse_correlated_lp(game)[0].payoffs.sum()
    assert best_coarse >= best - 1e-9
    for eq in solve(game):
        joint = product_joint(eq.strategies)
        assert obedience_violation(game, joint) <= TOL
        assert coarse_violation(game, joint) <= TOL
        assert eq.payoffs.sum() <= best + 1e-9


@settings(max_examples=60)
@given(small_games, st.sampled_from(OBJECTIVES))
def test_every_correlated_equilibrium_is_coarse(game: NormalFormGame, objective: str) -> None:
    eq = run("correlated", game, objective)
    assert eq.joint is not None
    assert eq.max_regret <= TOL
    assert coarse_violation(game, eq.joint) <= TOL


@settings(max_examples=60)
@given(small_games, st.sampled_from(list(SOLVERS)), st.data())
def test_optimum_is_invariant_under_relabelling(
    game: NormalFormGame, concept: str, data: st.DataObject
) -> None:
    players, actions = data.draw(relabellings(game))
    relabelled = game.permuted(players, actions)
    assert run(concept, relabelled).details["objective_value"] == pytest.approx(
        run(concept, game).details["objective_value"], abs=1e-7
    )
    fair = run(concept, game, "egalitarian").details["objective_value"]
    assert run(concept, relabelled, "egalitarian").details["objective_value"] == pytest.approx(
        fair, abs=1e-7
    )
    # the new player 0 is the old player players[0]
    own = SOLVERS[concept](game, objective="player", player=players[0])[0].payoffs[players[0]]
    assert run(concept, relabelled, "player").payoffs[0] == pytest.approx(own, abs=1e-7)


@settings(max_examples=60)
@given(small_games, st.sampled_from(list(SOLVERS)), affine_maps, st.data())
def test_optimum_follows_positive_affine_maps(
    game: NormalFormGame,
    concept: str,
    affine: tuple[float, float],
    data: st.DataObject,
) -> None:
    scale, shift = affine
    welfare = run(concept, game).details["objective_value"]
    moved = game.with_payoffs(scale * game.payoffs + shift)
    eq = run(concept, moved)
    assert eq.max_regret <= TOL * max(scale, 1.0)
    assert eq.details["objective_value"] == pytest.approx(
        scale * welfare + game.n_players * shift, abs=1e-7 * max(scale, 1.0) + 1e-9
    )
    # a different map for each player: each one's best payoff follows its own map
    maps = [data.draw(affine_maps) for _ in range(game.n_players)]
    payoffs = np.stack([a * game.payoffs[i] + b for i, (a, b) in enumerate(maps)])
    each = game.with_payoffs(payoffs)
    for i, (a, b) in enumerate(maps):
        before = SOLVERS[concept](game, objective="player", player=i)[0].payoffs[i]
        after = SOLVERS[concept](each, objective="player", player=i)[0].payoffs[i]
        assert after == pytest.approx(a * before + b, abs=1e-7 * max(a, 1.0) + 1e-9)


@settings(max_examples=40)
@given(small_games)
def test_player_optimum_dominates_every_other_point_found(game: NormalFormGame) -> None:
    points = [run("correlated", game, o).payoffs for o in ("welfare", "egalitarian", "feasible")]
    points += [eq.payoffs for eq in solve(game)]
    for i in range(game.n_players):
        best = correlated_lp(game, objective="player", player=i)[0].payoffs[i]
        assert all(best >= p[i] - 1e-9 for p in points)
    fairest = run("correlated", game, "egalitarian").payoffs.min()
    assert all(fairest >= p.min() - 1e-9 for p in points)


# ------------------------------------------------------------------ value of mediation
def test_value_of_mediation_in_chicken_is_positive() -> None:
    value = value_of_mediation(CHICKEN)
    assert isinstance(value, MediationValue)
    assert value.players == ("Seoul", "Tokyo")
    assert value.best_correlated_welfare == pytest.approx(10.5)
    assert value.best_nash_welfare == pytest.approx(28 / 3)  # the mixed equilibrium
    assert value.welfare_gain == pytest.approx(7 / 6)
    assert value.player_gains == pytest.approx((0.0, 0.0), abs=1e-9)
    assert value.best_nash_payoffs == pytest.approx((7.0, 7.0))
    assert value.nash_complete and value.nash_count == 3
    assert value.nash_method == "vertex_enumeration"


@pytest.mark.parametrize("n_players", [2, 3])
def test_value_of_mediation_is_zero_with_dominant_strategies(n_players: int) -> None:
    # A prisoner's dilemma: defecting (action 1) strictly dominates; mutual
    # cooperation would be better for all, but no mediator can make it obeyed.
    shape = (2,) * n_players
    payoffs = np.zeros((n_players, *shape))
    for profile in np.ndindex(*shape):
        cooperators = n_players - sum(profile)
        for i in range(n_players):
            payoffs[(i, *profile)] = 1.5 * cooperators / n_players + profile[i]
    value = value_of_mediation(NormalFormGame(payoffs))
    assert value.welfare_gain == pytest.approx(0.0, abs=1e-9)
    assert value.player_gains == pytest.approx((0.0,) * n_players, abs=1e-9)
    assert value.nash_count == 1 and value.nash_complete


def test_value_of_mediation_falls_back_when_nash_cannot_be_listed() -> None:
    game = random_game(5, (3, 3, 3, 3, 3))  # 7**5 support profiles: too many to list
    value = value_of_mediation(game)
    assert not value.nash_complete
    assert value.nash_method == "pure_nash+logit_path"  # what can be listed, not all
    assert value.welfare_gain >= 0.0
    assert all(g >= -1e-9 for g in value.player_gains)


@settings(max_examples=40)
@given(small_games)
def test_value_of_mediation_is_never_negative(game: NormalFormGame) -> None:
    value = value_of_mediation(game)
    assert value.welfare_gain >= 0.0
    assert all(g >= -1e-9 for g in value.player_gains)


def test_a_violation_beyond_tol_is_reported_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    import scipy.optimize
    from scipy.optimize import OptimizeResult

    def sloppy(*args: object, **kwargs: object) -> OptimizeResult:
        return OptimizeResult(status=0, message="ok", x=np.array([1.0, 0.0, 0.0, 0.0]))

    monkeypatch.setattr(scipy.optimize, "linprog", sloppy)
    solution = correlated_lp(CHICKEN)
    assert solution[0].max_regret == 1.0  # the referee's number, not the LP's claim
    assert any("violates the correlated constraints by 1.0e+00" in n for n in solution.notes)
