"""Solve whatever a user has: the entry point of ``sim.solve`` and ``sim solve``.

:func:`solve` takes a game, a scenario, or the path of either (``.nfg``,
``.efg``, ``.toml``) and sends it where it belongs: a game to
:func:`sim.solvers.solve`, a scenario to :func:`solve_scenario`.

:func:`solve_scenario` compiles a scenario at one parameter point, picks the
concept (:func:`~sim.report.scenario.default_concept`), solves a one-stage
scenario on its tree (subgame perfection) or its reduced normal form (every
other concept), and a scenario with ``[rounds]`` round by round
(:mod:`sim.report.rounds`). The results are :mod:`sim.report.scenario`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import TooLargeError, UsageError
from sim.games.normal_form import MAX_PROFILES
from sim.games.reduced_form import normal_form_within
from sim.report.rounds import solve_rounds
from sim.report.scenario import (
    ScenarioSolution,
    behaviour_equilibrium,
    default_concept,
    force_moves,
    from_normal_form,
    solve_spe_stage,
)
from sim.scenario.compiler import ScenarioStructure, compile_scenario
from sim.scenario.loader import as_scenario
from sim.scenario.model import Scenario

if TYPE_CHECKING:
    import numpy as np

    from sim.games.extensive_form import ExtensiveFormGame
    from sim.games.normal_form import NormalFormGame
    from sim.solvers.solution import Solution

__all__ = [
    "MAX_EQUILIBRIA",
    "is_scenario_path",
    "load_input",
    "refuse_scenario_options",
    "solve",
    "solve_scenario",
]

#: At most this many subgame-perfect equilibria of a scenario are listed by default.
MAX_EQUILIBRIA = 1_000


def is_scenario_path(path: str | Path) -> bool:
    """Whether a path names a scenario file (``.toml``) rather than a Gambit game.

    Examples
    --------
    >>> is_scenario_path("scenarios/baseline_nov2020.toml"), is_scenario_path("game.nfg")
    (True, False)
    """
    return str(path).lower().endswith(".toml")


def refuse_scenario_options(settings: object, force: object, function: str) -> None:
    """A UsageError when ``settings`` or ``force`` are given for a game, not a scenario."""
    if settings or force:
        raise UsageError(
            "{settings} and {force} apply to scenario (.toml) files only",
            function=function,
            parameters=["settings", "force"],
        )


def load_input(
    what: NormalFormGame | ExtensiveFormGame | Scenario | str | Path,
    *,
    function: str = "load_input",
) -> NormalFormGame | ExtensiveFormGame | Scenario:
    """A game or a scenario, given as itself or as the path of its file.

    ``.toml`` files are scenarios; ``.nfg`` and ``.efg`` files are Gambit games.

    Examples
    --------
    >>> load_input("sim/examples/summit.nfg")
    <NormalFormGame 'Summit attendance': 2 players, 2 x 2>
    >>> load_input("scenarios/baseline_nov2020.toml").title
    'The summit standoff, November 2020'
    """
    from sim.formats import load_game
    from sim.games.extensive_form import ExtensiveFormGame
    from sim.games.normal_form import NormalFormGame
    from sim.scenario.loader import load_scenario

    if isinstance(what, NormalFormGame | ExtensiveFormGame | Scenario):
        return what
    if isinstance(what, str | Path):
        return load_scenario(what) if is_scenario_path(what) else load_game(what)
    raise UsageError(
        "{game}: expected a game, a Scenario, or the path of a .nfg, .efg or .toml file; "
        f"got {type(what).__name__}",
        function=function,
        parameters=["game"],
    )


def solve(
    game: NormalFormGame | ExtensiveFormGame | Scenario | str | Path,
    concept: str | None = None,
    method: str = "auto",
    *,
    settings: Mapping[str, Any] | None = None,
    force: Mapping[str, str] | None = None,
    require_all: bool = False,
    tol: float | None = None,
    objective: str | None = None,
    player: str | None = None,
    lam: float | None = None,
    tie_break: Mapping[str, str] | None = None,
    max_equilibria: int | None = None,
    initial_label: int | None = None,
    rng: np.random.Generator | int | None = None,
    refine: str | None = None,
) -> Solution | ScenarioSolution:
    """Find the equilibria of a game or a scenario, given as itself or as a path.

    Parameters
    ----------
    game
        A normal-form or extensive-form game, a :class:`~sim.scenario.model.Scenario`,
        or the path of a ``.nfg``, ``.efg`` or ``.toml`` file.
    concept
        One of :data:`sim.solvers.CONCEPTS`. By default ``"nash"`` for a game, and
        for a scenario ``"spe"`` when it is sequential (``default_concept``).
    method, require_all, tol, objective, player, lam, tie_break, max_equilibria, initial_label, rng
        As for :func:`sim.solvers.solve`.
    refine
        For ``"pbe"``: ``"intuitive"`` or ``"d1"``, as for :func:`sim.solvers.solve`.
    settings, force
        Scenarios only: ``{parameter: value}`` overrides and ``{move: action}``
        restrictions, as for :func:`solve_scenario`.

    Returns
    -------
    Solution or ScenarioSolution
        A :class:`~sim.solvers.solution.Solution` for a game; for a scenario, a
        :class:`~sim.report.scenario.ScenarioSolution` with the play in words
        and payoffs by term.

    Examples
    --------
    >>> solve("sim/examples/summit.nfg")
    <Solution: 3 nash equilibria by vertex_enumeration, complete>
    >>> solution = solve("scenarios/baseline_nov2020.toml")
    >>> solution.concept, solution[0].outcomes[0][1]["summit"]
    ('spe', 'skip')
    """
    loaded = load_input(game, function="solve")
    if isinstance(loaded, Scenario):
        for name, value in (("tol", tol), ("initial_label", initial_label)):
            if value is not None:
                raise UsageError(
                    "{" + name + "} applies to games, not to scenarios",
                    function="solve",
                    parameters=[name],
                )
        return solve_scenario(
            loaded,
            concept=concept,
            method=method,
            settings=settings,
            force=force,
            require_all=require_all,
            objective=objective,
            player=player,
            lam=lam,
            tie_break=tie_break,
            max_equilibria=MAX_EQUILIBRIA if max_equilibria is None else max_equilibria,
            rng=rng,
            refine=refine,
        )
    refuse_scenario_options(settings, force, "solve")
    from sim.solvers import solve as solve_game

    return solve_game(
        loaded,
        concept or "nash",
        method,
        require_all=require_all,
        tol=tol,
        objective=objective,
        player=player,
        lam=lam,
        tie_break=tie_break,
        max_equilibria=max_equilibria,
        initial_label=initial_label,
        rng=rng,
        refine=refine,
    )


def solve_scenario(
    scenario: Scenario | str | Path,
    *,
    concept: str | None = None,
    method: str = "auto",
    settings: Mapping[str, Any] | None = None,
    force: Mapping[str, str] | None = None,
    require_all: bool = False,
    objective: str | None = None,
    player: str | None = None,
    lam: float | None = None,
    tie_break: Mapping[str, str] | None = None,
    max_equilibria: int = MAX_EQUILIBRIA,
    structure: ScenarioStructure | None = None,
    rng: np.random.Generator | int | None = None,
    refine: str | None = None,
) -> ScenarioSolution:
    """Equilibria of a scenario at one parameter point.

    Parameters
    ----------
    scenario
        A scenario, or the path of its .toml file.
    concept
        A concept of :data:`sim.solvers.CONCEPTS`; by default :func:`default_concept`.
    settings
        ``{parameter: value}`` overrides (``--set``).
    force
        ``{move: action}``: moves restricted to one action (``--force``).
    tie_break
        For ``"spe"``: preferred actions among ties, on top of each move's
        ``status_quo``.
    method, require_all, objective, player, lam
        As for :func:`sim.solvers.solve`.
    structure
        The scenario's tree, if already built (ignored with ``force``).
    rng
        Seed or generator for randomised methods, as for :func:`sim.solvers.solve`.
    refine
        For ``"pbe"``: ``"intuitive"`` (Cho and Kreps's intuitive criterion) or ``"d1"``.

    Returns
    -------
    ScenarioSolution

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> solution = solve_scenario(load_scenario("scenarios/baseline_nov2020.toml"))
    >>> [(round(p, 2), path["stance"], path["controls"]) for p, path in solution[0].outcomes]
    [(0.6, 'proceed', 'keep'), (0.4, 'proceed', 'keep')]
    """
    scenario = as_scenario(scenario, function="solve_scenario")
    if force:
        scenario = force_moves(scenario, force)
    if scenario.rounds is not None:
        given = {"concept": concept} if concept not in (None, "spe") else {}
        if method not in ("auto", "backward_induction"):
            given["method"] = method
        if given:
            raise UsageError(
                f"{scenario.path}: a scenario with [rounds] is solved round by round for "
                "subgame perfection only; got " + " ".join("{" + k + "}" for k in given),
                function="solve_scenario",
                parameters=given,
            )
        _refuse_unused(objective=objective, player=player, lam=lam, concept="spe")
        return solve_rounds(scenario, settings, tie_break)
    compiled = compile_scenario(scenario, settings, structure=None if force else structure)
    concept = concept or default_concept(scenario, compiled.structure)
    if concept == "spe":
        _refuse_unused(objective=objective, player=player, lam=lam, refine=refine, concept=concept)
    else:
        _refuse_unused(tie_break=tie_break, concept=concept)
    if concept != "pbe":
        _refuse_unused(refine=refine, concept=concept)
    game = compiled.game()
    if concept == "spe":
        if method not in ("auto", "backward_induction"):
            raise UsageError(
                "{concept}: the method is backward_induction; got {method}",
                function="solve_scenario",
                parameters={"concept": concept, "method": method},
            )
        preferred = {**scenario.tie_break, **(tie_break or {})}
        return solve_spe_stage(compiled, game, preferred, max_equilibria)
    if concept in ("pbe", "sequential"):
        from sim.solvers import solve

        found = solve(game, concept, method, refine=refine)
        views = tuple(behaviour_equilibrium(compiled, game, eq) for eq in found)
        return ScenarioSolution(compiled.scenario, compiled, found, views)
    normal = normal_form_within(game, MAX_PROFILES)
    if normal is None:
        raise TooLargeError(
            f"{scenario.path}: the reduced normal form has more than {MAX_PROFILES:,} "
            "pure-strategy profiles, too many for {concept}; use {concept=spe} "
            "(behaviour strategies)",
            function="solve_scenario",
            parameters={"concept": concept},
        )
    from sim.solvers import solve

    solution = solve(
        normal,
        concept,
        method,
        require_all=require_all,
        objective=objective,
        player=player,
        lam=lam,
        rng=rng,
    )
    return from_normal_form(compiled, game, normal, solution)


def _refuse_unused(*, concept: str, **options: object) -> None:
    """A UsageError naming the options given that do not apply to ``concept``.

    An option is given when it is not ``None`` (``lam=0`` is given); an empty
    ``tie_break`` is not.
    """
    unused = [
        name
        for name, value in options.items()
        if (value if name == "tie_break" else value is not None)
    ]
    if unused:
        names = ["{" + name + "}" for name in unused]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        raise UsageError(
            listed + (" does" if len(unused) == 1 else " do") + " not apply to {concept}",
            function="solve_scenario",
            parameters={**dict.fromkeys(unused), "concept": concept},
        )
