"""Tests of the N-player support-enumeration solver (homotopy continuation)."""

from __future__ import annotations

import itertools
import multiprocessing
from queue import Empty

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import TooLargeError, UsageError
from sim.games.normal_form import NormalFormGame
from sim.games.profiles import max_regret
from sim.solvers import _polynomial_homotopy as hc
from sim.solvers.solution import Solution
from sim.solvers.support_enumeration import support_enumeration
from tests.optional import require


def flat(solution: Solution) -> list[np.ndarray]:
    return [np.concatenate(e.strategies) for e in solution]


def same_sets(a: list[np.ndarray], b: list[np.ndarray], atol: float = 1e-7) -> bool:
    return len(a) == len(b) and all(any(np.abs(x - y).max() < atol for y in b) for x in a)


def brute_force_pure(game: NormalFormGame) -> set[tuple[int, ...]]:
    found = set()
    for profile in itertools.product(*(range(n) for n in game.shape)):
        ok = True
        for i in range(game.n_players):
            index = list(profile)
            index[i] = slice(None)
            column = game.payoffs[i][tuple(index)]
            if column.max() > game.payoffs[i][profile] + 1e-12:
                ok = False
        if ok:
            found.add(profile)
    return found


def check_regret(solution: Solution, bound: float = 1e-9) -> None:
    for eq in solution:
        assert max_regret(solution.game, eq.strategies) <= bound
        assert eq.max_regret <= bound


def jordan_game() -> NormalFormGame:
    """Player 1 matches 2, 2 matches 3, 3 mismatches 1: the unique equilibrium is (1/2)^3.

    By hand: if some player plays purely, the cycle of strict best replies
    (1 follows 2, 2 follows 3, 3 avoids 1) forces a contradiction; so everyone
    mixes, and indifference of player 1 needs player 2 at 1/2, and so on.
    """
    u = np.zeros((3, 2, 2, 2))
    for a, b, c in np.ndindex(2, 2, 2):
        u[:, a, b, c] = [a == b, b == c, c != a]
    return NormalFormGame(u)


def cyclic_coordination() -> NormalFormGame:
    """Player i wants to match player i+1 (mod 3).

    Equilibria by hand: both unanimous pure profiles, and the profile where
    everyone mixes half and half (player i is indifferent iff player i+1 mixes
    evenly). If anyone is pure, strict best replies propagate around the cycle
    and force unanimity, so there are exactly three.
    """
    u = np.zeros((3, 2, 2, 2))
    for a in np.ndindex(2, 2, 2):
        u[:, *a] = [a[0] == a[1], a[1] == a[2], a[2] == a[0]]
    return NormalFormGame(u)


def random_game(shape: tuple[int, ...], seed: int, integer: bool = False) -> NormalFormGame:
    rng = np.random.default_rng(seed)
    size = (len(shape), *shape)
    payoffs = rng.integers(-5, 6, size=size).astype(float) if integer else rng.standard_normal(size)
    return NormalFormGame(payoffs)


# --------------------------------------------------------------------------- known answers


def test_jordan_game_has_unique_mixed_equilibrium() -> None:
    solution = support_enumeration(jordan_game(), rng=0)
    assert solution.complete, solution.notes
    assert solution.concept == "nash"
    assert solution.method == "support_enumeration"
    assert len(solution) == 1
    for s in solution[0].strategies:
        np.testing.assert_allclose(s, [0.5, 0.5], atol=1e-12)
    check_regret(solution)


def test_cyclic_coordination_has_three_equilibria() -> None:
    solution = support_enumeration(cyclic_coordination(), rng=1)
    assert solution.complete, solution.notes
    expected = [np.array([1.0, 0.0] * 3), np.array([0.0, 1.0] * 3), np.full(6, 0.5)]
    assert same_sets(flat(solution), expected)
    check_regret(solution)


def test_pure_and_prisoners_dilemma_three_players() -> None:
    # Each player: defect (action 1) strictly dominant.
    u = np.zeros((3, 2, 2, 2))
    for a in np.ndindex(2, 2, 2):
        cooperators = a.count(0)
        u[:, *a] = [2 * cooperators - (0 if a[i] == 1 else 3) for i in range(3)]
    solution = support_enumeration(NormalFormGame(u), rng=0)
    assert solution.complete
    assert same_sets(flat(solution), [np.array([0.0, 1.0] * 3)])


def test_two_players_agree_with_nashpy() -> None:
    import nashpy

    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
    theirs = [np.concatenate(e) for e in nashpy.Game(a, b).support_enumeration()]
    solution = support_enumeration(NormalFormGame.from_matrices(a, b), rng=3)
    assert solution.complete, solution.notes
    assert same_sets(flat(solution), theirs, atol=1e-8)
    check_regret(solution)


def test_players_with_one_action() -> None:
    game = random_game((3, 1, 2), seed=4)
    solution = support_enumeration(game, rng=0)
    assert solution.complete, solution.notes
    assert len(solution) >= 1
    check_regret(solution)
    # Player 2 has no choice: the rest is the 3 x 2 game between players 1 and 3.
    reduced = NormalFormGame.from_matrices(game.payoffs[0][:, 0, :], game.payoffs[2][:, 0, :])
    other = support_enumeration(reduced, rng=0)
    squeeze = [np.concatenate([f[:3], f[4:]]) for f in flat(solution)]
    assert same_sets(squeeze, flat(other))


def test_larger_shapes_run_and_verify() -> None:
    for shape, seed in [((3, 3, 6), 0), ((2, 2, 2, 2), 5)]:
        solution = support_enumeration(random_game(shape, seed), rng=seed)
        assert solution.complete, solution.notes
        assert len(solution) % 2 == 1  # generic games have an odd number of equilibria
        check_regret(solution)


def test_bezout_numbers_are_mckelvey_mclennan_bounds() -> None:
    assert hc.count_assignments((1, 1, 1)) == 2  # 2x2x2 totally mixed
    assert hc.count_assignments((2, 2, 2)) == 10  # 3x3x3
    assert hc.count_assignments((1, 1, 1, 1)) == 9  # 2x2x2x2
    assert hc.count_assignments((3, 3)) == 1  # two players: linear
    assert hc.count_assignments((1, 2)) == 0
    assert len(hc.enumerate_assignments((2, 2, 2))) == 10


# --------------------------------------------------------------------------- determinism, errors


def test_same_seed_same_result_and_seed_independent_equilibria() -> None:
    game = random_game((3, 3, 3), seed=9)
    first = support_enumeration(game, rng=5)
    again = support_enumeration(game, rng=5)
    other = support_enumeration(game, rng=np.random.default_rng(123))
    assert [f.tolist() for f in flat(first)] == [f.tolist() for f in flat(again)]
    assert same_sets(flat(first), flat(other))


def test_refuses_too_large_and_one_player_games() -> None:
    with pytest.raises(TooLargeError, match="support profiles"):
        support_enumeration(NormalFormGame(np.zeros((4, 7, 7, 7, 7))))
    with pytest.raises(UsageError, match="two players"):
        support_enumeration(NormalFormGame(np.zeros((1, 3))))
    with pytest.raises(UsageError, match="tol"):
        support_enumeration(jordan_game(), tol=0.0)


# --------------------------------------------------------------------------- degenerate games


def test_continuum_is_reported_incomplete() -> None:
    # Player 3 is indifferent among everything: whatever players 1 and 2 do at an
    # equilibrium, player 3 may mix in any proportion, a continuum of equilibria.
    game = random_game((2, 2, 2), seed=3)
    payoffs = game.payoffs.copy()
    payoffs[2] = 1.0
    solution = support_enumeration(game.with_payoffs(payoffs), rng=0)
    assert not solution.complete
    assert any("non-isolated" in note for note in solution.notes)
    assert len(solution) >= 1
    check_regret(solution)


def test_two_player_degenerate_tie_is_reported() -> None:
    # Column player indifferent against the top row: (top, any mix) is a segment.
    game = NormalFormGame.from_matrices([[3, 3], [0, 1]], [[1, 1], [0, 2]])
    solution = support_enumeration(game, rng=0)
    assert not solution.complete
    assert solution.notes
    check_regret(solution)


# --------------------------------------------------------------------------- properties


shapes = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3))


@settings(max_examples=15, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**31 - 1), data=st.data())
def test_invariant_under_relabelling_and_affine_transforms(
    shape: tuple[int, int, int], seed: int, data: st.DataObject
) -> None:
    game = random_game(shape, seed)
    base = support_enumeration(game, rng=seed)
    assert base.complete, base.notes
    check_regret(base)
    # Pure equilibria equal brute force.
    pure = {tuple(int(np.argmax(s)) for s in e.strategies) for e in base if e.pure}
    assert pure == brute_force_pure(game)
    # Relabel players and actions.
    order = data.draw(st.permutations(range(3)))
    actions = [data.draw(st.permutations(range(n))) for n in shape]
    moved = support_enumeration(game.permuted(order, actions), rng=seed + 1)
    back = []
    for eq in moved:
        strategies: list[np.ndarray] = [np.empty(0)] * 3
        for new_i, old_i in enumerate(order):
            s = np.empty(shape[old_i])
            s[list(actions[old_i])] = eq.strategies[new_i]
            strategies[old_i] = s
        back.append(np.concatenate(strategies))
    assert same_sets(back, flat(base))
    # Positive affine transforms, one per player.
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.1, 10.0, size=3)
    shift = rng.uniform(-5.0, 5.0, size=3)
    transformed = game.with_payoffs(
        game.payoffs * scale[:, None, None, None] + shift[:, None, None, None]
    )
    assert same_sets(flat(support_enumeration(transformed, rng=seed + 2)), flat(base))


# --------------------------------------------------------------------------- against Gambit


GAMBIT_SOLVERS = ("enumpoly_solve", "simpdiv_solve", "logit_solve", "gnm_solve")
#: Seconds allowed per Gambit solver and game. pygambit 17.0.0b2 sometimes never returns
#: (simpdiv_solve on the 3x3x3 game of seed 21, gnm_solve on the 2x2x2x2 game of seed 10),
#: so each call runs in a child process that is ended after this long.
GAMBIT_TIMEOUT = 5.0


def _gambit_child(payoffs: np.ndarray, name: str, queue: multiprocessing.Queue) -> None:
    import pygambit as gbt

    game = gbt.StrategicGame.from_arrays(*payoffs)
    solver = getattr(gbt.nash, name)
    if name == "simpdiv_solve":
        result = solver(game.mixed_strategy_profile(rational=True))
    else:
        result = solver(game)
    if hasattr(result, "equilibria"):
        profiles = list(result.equilibria)
    else:
        profiles = [result.equilibrium] if result.equilibrium is not None else []
    queue.put(
        [
            np.concatenate([[float(v) for _, v in eq[player]] for player in game.players])
            for eq in profiles
        ]
    )


def _gambit_equilibria(payoffs: np.ndarray) -> tuple[list[tuple[str, np.ndarray]], list[str]]:
    """Union of what Gambit's solvers find (tagged by solver), and the solvers that timed out."""
    context = multiprocessing.get_context("fork")
    found: list[tuple[str, np.ndarray]] = []
    timed_out = []
    for name in GAMBIT_SOLVERS:
        queue = context.Queue()
        child = context.Process(target=_gambit_child, args=(payoffs, name, queue))
        child.start()
        try:
            found.extend((name, eq) for eq in queue.get(timeout=GAMBIT_TIMEOUT))
        except Empty:
            timed_out.append(name)
        child.join(timeout=1.0)
        if child.is_alive():
            child.kill()
            child.join()
    return found, timed_out


@pytest.mark.peers
@pytest.mark.slow
@pytest.mark.parametrize(("shape", "n_games"), [((3, 3, 3), 30), ((2, 2, 2, 2), 20)])
def test_contains_every_gambit_equilibrium(shape: tuple[int, ...], n_games: int) -> None:
    require("pygambit")
    for seed in range(n_games):
        game = random_game(shape, seed, integer=True)
        ours = support_enumeration(game, rng=seed)
        check_regret(ours, bound=1e-6)
        theirs, _ = _gambit_equilibria(game.payoffs)
        mine = flat(ours)
        # enumpoly solves the same equations; the others stop at approximate equilibria
        # (off by up to ~1e-6 in probabilities on these games), so they get 1e-4.
        missing = [
            (name, g)
            for name, g in theirs
            if all(np.abs(g - m).max() > (1e-6 if name == "enumpoly_solve" else 1e-4) for m in mine)
        ]
        if ours.complete:
            assert not missing, f"seed {seed}: Gambit found {missing}"
        elif missing:
            # Only allowed on a continuum, which must have been reported.
            assert any("non-isolated" in n or "singular" in n for n in ours.notes)


@pytest.mark.parametrize("shape", [(3, 3, 3), (2, 2, 2, 2), (3, 3, 2)])
def test_closed_forms_agree_with_path_tracking(
    shape: tuple[int, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Supports solved in closed form give what the homotopy tracker gives."""
    import sim.solvers._support_closed_forms as module

    games = [
        NormalFormGame(np.random.default_rng(900 + s).standard_normal((len(shape), *shape)))
        for s in range(6)
    ]
    games += [
        NormalFormGame(
            np.random.default_rng(950 + s).integers(-5, 6, (len(shape), *shape)).astype(float)
        )
        for s in range(4)
    ]
    direct = [support_enumeration(g, rng=1) for g in games]
    monkeypatch.setattr(module, "closed_form_count", lambda key: 0)
    tracked = [support_enumeration(g, rng=1) for g in games]
    for a, b in zip(direct, tracked, strict=True):
        assert a.complete == b.complete
        ours = [np.concatenate(e.strategies) for e in a]
        theirs = [np.concatenate(e.strategies) for e in b]
        assert len(ours) == len(theirs)
        assert all(any(np.abs(x - y).max() < 1e-8 for y in theirs) for x in ours)


def test_a_game_whose_only_equilibria_form_continua_still_gets_some() -> None:
    # Found by hypothesis: every equilibrium of this game lies in a non-isolated
    # set, so no homotopy path ends at one; points of those sets are listed.
    payoffs = np.array([
        [[[0, -1], [0, 1]], [[0, 0], [0, 0]]],
        [[[0, 0], [-1, -1]], [[0, 0], [1, 0]]],
        [[[0, 1], [0, 0]], [[0, -1], [0, 1]]],
    ], dtype=float)  # fmt: skip
    game = NormalFormGame(payoffs)
    solution = support_enumeration(game, rng=0)
    assert len(solution) >= 1
    assert not solution.complete
    assert any("non-isolated" in note for note in solution.notes)
    assert all(max_regret(game, eq.strategies) <= 1e-9 for eq in solution)
