"""The figure of each kind ``sim plot`` draws, from the file it is given.

A sweep table (with its sidecar) makes a shift plot, a regime map or the
outcome probabilities; a game or scenario file makes its tree with one
equilibrium's play, its QRE branch or its payoff matrix. :func:`figure`
picks by kind and checks that the file suits it; :func:`shifts_figure` draws
the result of :func:`~sim.analysis.shifts.find_shifts`. Each returns a
matplotlib ``Figure``; :func:`~sim.plot.shift.save_figure` writes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import TooLargeError, UsageError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.analysis.shifts import ShiftsResult

__all__ = ["GAME_KINDS", "KINDS", "SWEEP_KINDS", "figure", "shifts_figure"]

#: Kinds drawn from a sweep table, and from a game or scenario file.
SWEEP_KINDS = ("shift", "map", "probability")
GAME_KINDS = ("tree", "qre", "matrix")
KINDS = SWEEP_KINDS + GAME_KINDS


def figure(
    path: str | Path,
    kind: str | None = None,
    *,
    settings: Mapping[str, Any] | None = None,
    force: Mapping[str, str] | None = None,
    equilibrium: int = 1,
) -> Figure:
    """The figure of one kind from a file.

    Parameters
    ----------
    path
        For ``shift``, ``map`` and ``probability``: a sweep table (``.csv`` or
        ``.parquet``) with its ``.json`` sidecar. For ``tree``, ``qre`` and
        ``matrix``: a game (``.nfg``, ``.efg``) or scenario (``.toml``) file.
    kind
        One of :data:`KINDS`. ``None`` chooses by the file: for a sweep
        table, ``shift`` over a one-parameter grid, ``map`` over a
        two-parameter grid, ``probability`` otherwise; ``matrix`` for a
        strategic-form game (``.nfg``); ``tree`` for a game tree or scenario.
    settings, force
        Scenarios, for the game kinds: parameter values and forced moves.
    equilibrium
        For ``tree``: which equilibrium's play to draw, counting from 1.

    Examples
    --------
    >>> figure("sim/examples/mediation.efg", "tree", equilibrium=2).axes[0].get_title(loc="left")
    'Mediated talks: nash equilibrium 2 of 3'
    >>> figure("sim/examples/summit.nfg", "shift", settings={"x": 1.0})
    Traceback (most recent call last):
    ...
    sim.errors.UsageError: figure(): settings and force apply to kind='tree', qre and matrix only
    """
    if kind is None:
        suffix = Path(path).suffix.lower()
        if suffix not in {".csv", ".parquet"}:
            kind = "matrix" if suffix == ".nfg" else "tree"
        elif settings or force:
            kind = "shift"  # refused below, in words
        else:
            return _sweep_figure(path, None)
    if kind not in KINDS:
        raise UsageError(
            f"{{kind}}: expected one of {', '.join(KINDS)}",
            function="figure",
            parameters={"kind": kind},
        )
    if kind == "tree":
        return _equilibrium_tree(path, equilibrium, settings=settings, force=force)
    if kind in GAME_KINDS:
        return _game_figure(path, kind, settings, force)
    if settings or force:
        raise UsageError(
            "{settings} and {force} apply to {kind=tree}, qre and matrix only",
            function="figure",
            parameters={"settings": None, "force": None, "kind": kind},
        )
    return _sweep_figure(path, kind)


def _game_figure(
    path: str | Path,
    kind: str,
    settings: Mapping[str, Any] | None,
    force: Mapping[str, str] | None,
) -> Figure:
    """The QRE branch or the payoff matrix of a game's (reduced) normal form."""
    from sim.games.extensive_form import ExtensiveFormGame
    from sim.games.normal_form import MAX_PROFILES
    from sim.games.reduced_form import normal_form_within
    from sim.plot.games import matrix_figure, qre_figure
    from sim.report.inputs import load_game_at

    game = load_game_at(path, settings=settings, force=force, function="figure")
    normal = normal_form_within(game, MAX_PROFILES) if isinstance(game, ExtensiveFormGame) else game
    if normal is None:
        raise TooLargeError(
            f"{path}: the reduced normal form has more than {MAX_PROFILES:,} "
            "pure-strategy profiles, too many to draw",
            function="figure",
        )
    return qre_figure(normal) if kind == "qre" else matrix_figure(normal)


def _sweep_figure(path: str | Path, kind: str | None) -> Figure:
    """A shift plot, regime map or outcome probabilities from a sweep table.

    ``kind=None``: the one that suits the design (see :func:`figure`).
    """
    from sim.analysis.results import read_sweep

    record, scenario, table = read_sweep(path)
    design = record["design"]
    if kind is None:
        grid = {1: "shift", 2: "map"}.get(len(design["names"]), "probability")
        kind = grid if design.get("kind") == "grid" else "probability"
    if kind == "probability":
        from sim.analysis.monte_carlo import outcome_probabilities
        from sim.plot.probability import probability_figure

        what = {"monte-carlo": "Monte Carlo draws", "grid": "grid points"}.get(
            design.get("kind"), "sampled points"
        )
        points = int(table["point"].nunique())
        return probability_figure(
            outcome_probabilities(table, scenario),
            title=f"{scenario.title}: how often each outcome occurs over {points:,} {what}",
            what=what,
        )
    names = design["names"]
    wanted = {"shift": 1, "map": 2}[kind]
    if len(names) != wanted or design.get("kind") != "grid":
        raise UsageError(
            f"{path}: {{kind}} needs a grid over {wanted} parameter(s); this sweep is a "
            f"{design.get('kind')} over {', '.join(names)}",
            function="figure",
            parameters={"kind": kind},
        )
    if kind == "map":
        from sim.plot.regime_map import regime_map

        return regime_map(scenario, table, names[0], names[1])
    from sim.plot.shift import shift_from_table

    return shift_from_table(scenario, table, names[0])


def _equilibrium_tree(
    path: str | Path,
    equilibrium: int = 1,
    *,
    settings: Mapping[str, Any] | None = None,
    force: Mapping[str, str] | None = None,
) -> Figure:
    """The tree of a scenario or ``.efg`` game with the play of its K-th equilibrium.

    A scenario is solved as ``sim solve`` solves it; a game tree for subgame
    perfection when it has perfect information, else for Nash equilibrium.
    Equilibria are counted from 1, in the order ``sim solve`` lists them.

    """
    from sim.plot.tree import tree_figure
    from sim.report.solve import is_scenario_path

    if equilibrium < 1:
        raise UsageError(
            f"{{equilibrium}}: expected 1 or more; got {equilibrium}",
            function="figure",
            parameters=["equilibrium"],
        )
    if is_scenario_path(path):
        from sim.report.scenario import force_moves
        from sim.report.solve import solve_scenario
        from sim.scenario import load_scenario

        scenario = force_moves(load_scenario(path), force or {})
        if scenario.rounds is not None:
            raise UsageError(
                f"{path}: {{kind}} draws one-shot scenarios; this one repeats its "
                "stage in [rounds] (sim solve reports each round's play)",
                function="figure",
                parameters={"kind": "tree"},
            )
        solution = solve_scenario(scenario, settings=settings)
        game, found, title = solution.game, list(solution), scenario.title
        concept = solution.concept
        pick = _nth(found, equilibrium, path, concept)
        probabilities, behaviour = pick.terminal_probabilities, pick.behaviour
    else:
        from sim.games.extensive_form import ExtensiveFormGame
        from sim.report.inputs import load_game_at
        from sim.solvers import solve

        loaded = load_game_at(path, settings=settings, force=force, function="figure")
        if not isinstance(loaded, ExtensiveFormGame):
            raise UsageError(
                f"{path}: {{kind}} needs an extensive-form game (.efg)",
                function="figure",
                parameters={"kind": "tree"},
            )
        game = loaded
        concept = "spe" if game.tree.is_perfect_information else "nash"
        found, title = list(solve(game, concept)), game.title or Path(path).stem
        pick = _nth(found, equilibrium, path, concept)
        probabilities, behaviour = game.terminal_distribution(pick.strategies), None
    heading = f"{title}: {concept} equilibrium {equilibrium} of {len(found)}"
    return tree_figure(game, probabilities, behaviour=behaviour, title=heading)


def _nth(found: list[Any], k: int, path: str | Path, concept: str) -> Any:
    """The K-th equilibrium found (from 1), or an error that says how many there are."""
    if not found:
        raise UsageError(f"{path}: no {concept} equilibrium to draw", function="figure")
    if k > len(found):
        raise UsageError(
            f"{{equilibrium}}: {path} has {len(found)} {concept} equilibria",
            function="figure",
            parameters={"equilibrium": k},
        )
    return found[k - 1]


def shifts_figure(result: ShiftsResult) -> Figure:
    """The shift plot of :func:`~sim.analysis.shifts.find_shifts`'s result: bands and payoffs.

    A probability that moves along the parameter (here the court's chance of
    completing a sale, which differs after a fund) gets a panel of its own.

    Examples
    --------
    >>> from sim.analysis.shifts import find_shifts
    >>> result = find_shifts("scenarios/baseline_nov2020.toml", "us_alliance_priority", 0, 2)
    >>> [ax.get_ylabel() for ax in shifts_figure(result).axes]
    ['outcome', 'probability', 'equilibrium payoff']
    """
    from sim.plot.shift import moving_probabilities, shift_figure

    xs, payoffs, moves = result.curves()
    bands = [(b.low, b.high, b.equilibria or (b.outcome,)) for b in result.bands]
    thresholds = [s.value for s in result.shifts]
    curves = moving_probabilities(moves)
    return shift_figure(
        result.scenario, result.parameter, bands, thresholds, xs, payoffs, probabilities=curves
    )
