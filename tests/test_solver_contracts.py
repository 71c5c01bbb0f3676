"""The contract every registered solver meets (cf. scikit-learn's check_estimator).

A new solver is registered in sim.solvers.SOLVERS only when it passes these.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.errors import TooLargeError, UsageError
from sim.games.extensive_form import (
    Chance,
    Decision,
    ExtensiveFormGame,
    Terminal,
    build_game,
)
from sim.games.normal_form import NormalFormGame
from sim.games.profiles import coarse_violation, max_regret, obedience_violation
from sim.solvers import CONCEPTS, SOLVERS, SolverInfo, choose_method, solve
from sim.solvers.solution import Equilibrium, Solution

GAMES = {
    "chicken": NormalFormGame.from_matrices([[6, 2], [7, 0]], [[6, 7], [2, 0]]),
    "solo": NormalFormGame([[1.0, 3.0, 3.0]]),
    "2x3": NormalFormGame(np.random.default_rng(0).integers(0, 5, (2, 2, 3)).astype(float)),
    "1x1": NormalFormGame(np.zeros((2, 1, 1))),
    "2x2x2": NormalFormGame(np.random.default_rng(1).integers(0, 5, (3, 2, 2, 2)).astype(float)),
}


def tree_game() -> ExtensiveFormGame:
    """A small sequential game with chance, for solvers that need a tree."""
    return build_game(["Seoul", "Tokyo"], Decision("Seoul", [
        ("fund", Decision("Tokyo", [("attend", Terminal([3, 2])), ("skip", Terminal([0, 1]))])),
        ("proceed", Chance([
            ("completes", 0.6, Decision("Tokyo", [("ease", Terminal([1, -2])),
                                                   ("keep", Terminal([2, 0]))])),
            ("stalls", 0.4, Terminal([2, 1])),
        ])),
    ]))  # fmt: skip


TREES = {"tree": tree_game()}
OPTIONS = {"logit_branch": {"lam": 1.0}}


def applicable(name: str) -> list[str]:
    info = SOLVERS[name]
    if info.needs_tree:
        return list(TREES)
    fits = [
        g
        for g, game in GAMES.items()
        if info.players == "any" or game.n_players == int(info.players)
    ]
    # Support enumeration is for games of strategy: it refuses a lone player.
    return [g for g in fits if not (name == "support_enumeration" and g == "solo")]


def referee(game: NormalFormGame, eq: Equilibrium) -> float:
    """The incentive violation of an equilibrium, recomputed from the game."""
    if eq.concept == "correlated":
        return obedience_violation(game, eq.joint)
    if eq.concept == "coarse-correlated":
        return coarse_violation(game, eq.joint)
    return max_regret(game, eq.strategies)


CASES = [(name, game) for name in SOLVERS for game in applicable(name)]


def rescaled(
    game: NormalFormGame | ExtensiveFormGame, scale: float
) -> NormalFormGame | ExtensiveFormGame:
    """The same game with every payoff multiplied by ``scale``."""
    if isinstance(game, NormalFormGame):
        return game.with_payoffs(scale * game.payoffs)
    return ExtensiveFormGame(game.tree, scale * game.payoffs, game.chance_probabilities)


def call(info: SolverInfo, given: NormalFormGame | ExtensiveFormGame, **options: Any) -> Solution:
    """The registered solver itself, not :func:`solve`, which would drop what fails."""
    if not info.needs_tree and isinstance(given, ExtensiveFormGame):
        given = given.reduced_normal_form()
    return info.load()(given, **options)


def check_contract(name: str, given: NormalFormGame | ExtensiveFormGame, scale: float) -> None:
    """Every promise a registered solver makes, checked on one game (AssertionError if not)."""
    info = SOLVERS[name]
    game = given if isinstance(given, NormalFormGame) else given.reduced_normal_form()
    before = game.payoffs.copy()
    options = OPTIONS.get(name, {})
    if "lam" in options:  # the same behaviour at every scale: lambda in payoff units
        options = {"lam": options["lam"] / game.payoff_range}
    first = call(info, given, **options)
    second = call(info, given, **options)
    assert isinstance(first, Solution)
    assert first.method == name and first.concept == info.concept
    assert np.array_equal(game.payoffs, before), "the solver changed its input"
    if info.concept != "dominance":
        assert len(first) >= 1, "every finite game has one"
    for eq, again in zip(first, second, strict=True):
        for s, n in zip(eq.strategies, game.shape, strict=True):
            assert s.shape == (n,) and s.min() >= 0 and abs(s.sum() - 1) < 1e-12
        violation = referee(game, eq)
        assert eq.max_regret == pytest.approx(violation, abs=1e-12 * scale)
        if info.concept != "qre":  # a QRE is not a Nash equilibrium
            assert violation <= 1e-9 * scale, f"not an equilibrium: regret {violation:g}"
        # Randomised methods (support enumeration draws its homotopy's gamma) must
        # agree with themselves to round-off.
        assert all(
            np.allclose(a, b, rtol=0, atol=1e-12)
            for a, b in zip(eq.strategies, again.strategies, strict=True)
        ), "not reproducible"
    if info.finds != "all" and name != "sequential_equilibria":
        assert not first.complete
    if name == "sequential_equilibria" and first.complete:
        # It proves completeness only where every belief is consistent: there the
        # sequential equilibria are the perfect Bayesian ones, which are all listed.
        assert len(first) == len(solve(first.game, "pbe"))


@pytest.mark.parametrize("scale", [1e-9, 1.0, 1e9])
@pytest.mark.parametrize(("name", "game_name"), CASES)
def test_contract(name: str, game_name: str, scale: float) -> None:
    info = SOLVERS[name]
    check_contract(
        name, rescaled(TREES[game_name] if info.needs_tree else GAMES[game_name], scale), scale
    )


#: Games with continuous random payoffs (no ties, no degeneracy), where a method
#: that lists every equilibrium must be able to say so.
GENERIC = {
    "solo": NormalFormGame([[0.3, 1.2, -0.5]]),
    "3x3": NormalFormGame(np.random.default_rng(5).standard_normal((2, 3, 3))),
    "2x3x2": NormalFormGame(np.random.default_rng(6).standard_normal((3, 2, 3, 2))),
}
#: Iterated dominance lists an equilibrium only when the game is dominance
#: solvable, which a generic game need not be.
EXHAUSTIVE = [n for n, info in SOLVERS.items() if info.finds == "all" and n != "iterated_dominance"]


@pytest.mark.parametrize("name", EXHAUSTIVE)
def test_exhaustive_solvers_claim_completeness_on_generic_games(name: str) -> None:
    info = SOLVERS[name]
    games = TREES if info.needs_tree else GENERIC
    for game_name, game in games.items():
        n = game.n_players if isinstance(game, NormalFormGame) else len(game.players)
        if info.players != "any" and n != int(info.players):
            continue
        if name == "support_enumeration" and n == 1:
            continue
        solution = call(info, game)
        assert solution.complete, f"{name} on {game_name}: {solution.notes}"


def test_the_contract_catches_a_solver_that_lists_a_wrong_profile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sim.solvers.solution import make_equilibrium

    def broken(game: NormalFormGame, **options: object) -> Solution:
        good = make_equilibrium(game, [[1, 0], [0, 1]], concept="nash", method="vertex_enumeration")
        bad = make_equilibrium(game, [[1, 0], [1, 0]], concept="nash", method="vertex_enumeration")
        return Solution(game, (good, bad), "nash", "vertex_enumeration", complete=True)

    monkeypatch.setattr(SolverInfo, "load", lambda self: broken)
    with pytest.raises(AssertionError, match="not an equilibrium"):
        check_contract("vertex_enumeration", GAMES["chicken"], 1.0)


@pytest.mark.parametrize("name", [n for n in SOLVERS if not SOLVERS[n].needs_tree])
def test_dominant_strategies_give_the_obvious_answer(name: str) -> None:
    info = SOLVERS[name]
    n = 3 if info.players == "any" else int(info.players)
    shape = (2,) * n
    payoffs = np.zeros((n, *shape))
    for i in range(n):  # action 0 strictly dominates for everyone
        index = [slice(None)] * n
        index[i] = 0
        payoffs[(i, *index)] = 1.0
    solution = solve(NormalFormGame(payoffs), info.concept, name, **OPTIONS.get(name, {}))
    assert len(solution) == 1
    if info.concept == "qre":  # noisy, but tilted toward the dominant action
        assert all(s[0] > 0.5 for s in solution[0].strategies)
    else:
        assert all(s[0] == 1.0 for s in solution[0].strategies)


@pytest.mark.parametrize("tol", [0.0, -1.0, float("nan"), float("inf")])
def test_invalid_tolerance_is_rejected(tol: float) -> None:
    with pytest.raises(UsageError, match="tol"):
        solve(GAMES["2x3"], tol=tol)


def test_every_concept_has_a_solver_and_every_solver_a_concept() -> None:
    assert {info.concept for info in SOLVERS.values()} == set(CONCEPTS)


def test_auto_method_choice_is_explained_by_shape() -> None:
    assert choose_method(GAMES["2x3"], "nash") == "vertex_enumeration"
    assert choose_method(GAMES["2x2x2"], "nash") == "support_enumeration"
    assert choose_method(GAMES["2x2x2"], "pure-nash") == "pure_nash"
    big = NormalFormGame(np.zeros((2, 30, 30)))
    assert choose_method(big, "nash") == "lemke_howson"
    with pytest.raises(TooLargeError, match="too large to list every equilibrium"):
        choose_method(big, "nash", require_all=True)
    assert choose_method(NormalFormGame(np.zeros((3, 3, 3, 6))), "nash") == "support_enumeration"
    many = NormalFormGame(np.zeros((3, 5, 5, 5)))
    assert choose_method(many, "nash") == "logit_path"
    with pytest.raises(TooLargeError, match="too many to list every equilibrium"):
        choose_method(many, "nash", require_all=True)


def test_usage_errors_name_the_problem() -> None:
    with pytest.raises(UsageError, match="unknown concept"):
        solve(GAMES["2x3"], "bogus")
    with pytest.raises(UsageError, match="unknown method 'bogus'"):
        solve(GAMES["2x3"], method="bogus")
    with pytest.raises(UsageError, match="2-player games only"):
        solve(GAMES["2x2x2"], method="vertex_enumeration")
    with pytest.raises(UsageError, match="computes 'pure-nash', not 'nash'"):
        solve(GAMES["2x3"], method="pure_nash")
    with pytest.raises(UsageError, match=r"^solve\(\): lam does not apply to concept='nash'$"):
        solve(GAMES["2x3"], lam=1.0)
    with pytest.raises(UsageError, match=r"^solve\(\): concept='qre' needs lam \(") as needs:
        solve(GAMES["2x3"], "qre")
    assert "--" not in str(needs.value)  # the library never speaks of flags
    with pytest.raises(UsageError, match="needs a game tree"):
        solve(GAMES["2x3"], "spe")
    with pytest.raises(UsageError, match="does not guarantee every equilibrium; require_all=True"):
        solve(GAMES["2x3"], method="lemke_howson", require_all=True)


def test_solve_drops_results_that_fail_the_independent_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sim.solvers.solution import make_equilibrium

    game = GAMES["chicken"]

    def wrong(game: NormalFormGame, **options: object) -> Solution:
        good = make_equilibrium(game, [[1, 0], [0, 1]], concept="nash", method="wrong")
        bad = make_equilibrium(game, [[1, 0], [1, 0]], concept="nash", method="wrong")
        return Solution(game, (good, bad), "nash", "vertex_enumeration", complete=True)

    monkeypatch.setattr(SolverInfo, "load", lambda self: wrong)
    solution = solve(game)
    assert len(solution) == 1
    assert solution[0].max_regret == 0
    assert not solution.complete
    assert "failed the independent regret check" in solution.notes[-1]


@pytest.mark.parametrize("name", list(SOLVERS))
def test_each_entry_is_named_like_the_function_it_calls(name: str) -> None:
    """``--method NAME``, ``"method": NAME`` and ``sim.solvers.<module>.NAME`` are one name."""
    info = SOLVERS[name]
    assert info.function == name
    assert info.load().__name__ == name
    assert info.load().__module__ == info.module


@pytest.mark.parametrize("name", list(SOLVERS))
def test_each_entry_declares_exactly_the_options_its_solver_takes(name: str) -> None:
    import inspect

    info = SOLVERS[name]
    parameters = inspect.signature(info.load()).parameters
    taken = {p for p in parameters if p != "game"} - {"tol", "rng"}
    assert taken == set(info.options), f"{name}: declares {info.options}, takes {taken}"
    assert "tol" in parameters
    assert info.takes_rng == ("rng" in parameters)


def test_rng_reaches_a_randomised_solver_through_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.solvers.support_enumeration import support_enumeration

    seen: list[object] = []

    def spy(game: NormalFormGame, *, tol: float = 1e-9, rng: object = None) -> Solution:
        seen.append(rng)
        return support_enumeration(game, tol=tol, rng=rng)

    real_load = SolverInfo.load
    monkeypatch.setattr(
        SolverInfo,
        "load",
        lambda self: spy if self.name == "support_enumeration" else real_load(self),
    )
    game = GAMES["2x2x2"]
    solve(game, method="support_enumeration", rng=7)
    assert seen == [7]
    # Methods that draw nothing are not given it.
    assert len(solve(GAMES["chicken"], rng=1)) == 3


def test_every_option_of_every_solver_can_be_given_to_solve() -> None:
    import inspect

    accepted = set(inspect.signature(solve).parameters)
    for info in SOLVERS.values():
        assert set(info.options) <= accepted, info.name


def test_a_solution_records_the_options_it_ran_with_as_data() -> None:
    import json

    from sim.report import solution_to_dict

    qre = solve(GAMES["chicken"], "qre", lam=0.5)
    assert qre.options == {"tol": 1e-9, "lam": 0.5}  # the solver's default tol, as run
    seeded = solve(GAMES["2x2x2"], method="support_enumeration", rng=3, tol=1e-8)
    assert seeded.options == {"tol": 1e-8, "rng": 3}
    unseeded = solve(GAMES["2x2x2"], rng=np.random.default_rng(3))
    assert unseeded.options["rng"] == "generator"  # only a seed reproduces a run
    tree = solve(TREES["tree"], "spe", tie_break={"Tokyo move 1": "skip"})
    report = json.loads(json.dumps(solution_to_dict(tree)))
    assert report["options"] == {"tol": 1e-12, "tie_break": {"Tokyo move 1": "skip"}}
