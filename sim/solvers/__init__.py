"""Solvers: one module per family, one registry, one dispatcher.

Every solver in :data:`SOLVERS` is a function ``(game, *, tol=...) -> Solution``
plus the concept-specific options it declares (``objective``, ``lam``, ...).
:func:`solve` only chooses one by concept and game shape, checks that the
options given apply to it, and calls it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.errors import TooLargeError, UsageError

if TYPE_CHECKING:
    import numpy as np

    from sim.games.extensive_form import ExtensiveFormGame
    from sim.games.normal_form import NormalFormGame
    from sim.solvers.solution import Solution

__all__ = ["CONCEPTS", "SOLVERS", "SolverInfo", "choose_method", "solve", "too_large_to_list"]

#: Above this many actions for *both* players, "auto" does not list every vertex
#: (16 x 16 takes seconds; each extra action multiplies the work).
VERTEX_ENUMERATION_LIMIT = 16

#: For three or more players, "auto" lists every equilibrium only up to this many
#: support profiles (the product over players of 2**n_i - 1): 3 x 3 x 6 has 3,087.
SUPPORT_ENUMERATION_LIMIT = 5_000


@dataclass(frozen=True)
class SolverInfo:
    """What a registered solver does and where it lives."""

    name: str
    concept: str
    module: str
    function: str
    players: str  # "1", "2" or "any"
    finds: str  # "all", "one" or "some"
    summary: str
    options: tuple[str, ...] = ()  # keyword options beyond tol (and rng, if it takes one)
    needs_tree: bool = False  # takes the extensive form itself, not its normal form

    @property
    def takes_rng(self) -> bool:
        """Whether the solver draws random numbers (and so takes ``rng``)."""
        import inspect

        return "rng" in inspect.signature(self.load()).parameters

    def load(self) -> Callable[..., Solution]:
        """Import the solver's module and return the function (imports stay lazy)."""
        from importlib import import_module

        solver: Callable[..., Solution] = getattr(import_module(self.module), self.function)
        return solver


_REGISTRY = [
    # name (also the function's), concept, module, players, finds, options, summary
    ("pure_nash", "pure-nash", "pure_nash", "any", "all", (),
     "every pure-strategy equilibrium, by checking each profile (vectorised)"),
    ("best_actions", "nash", "pure_nash", "1", "all", (),
     "the equilibria of a one-player game: its best actions"),
    ("vertex_enumeration", "nash", "vertex_enumeration", "2", "all", (),
     "every extreme equilibrium, degenerate games included"),
    ("lemke_howson", "nash", "lemke_howson", "2", "one", ("initial_label",),
     "one equilibrium by complementary pivoting; fast on large games"),
    ("nashpy_support_enumeration", "nash", "nashpy_adapter", "2", "some", (),
     "nashpy's support enumeration, as a cross-check; can miss equilibria"),
    ("support_enumeration", "nash", "support_enumeration", "any", "all", (),
     "every isolated equilibrium, by polynomial homotopy on each support"),
    ("logit_path", "nash", "logit", "any", "one", (),
     "one equilibrium, the limit of the logit response branch; any size"),
    ("backward_induction", "spe", "subgame_perfect", "any", "all",
     ("tie_break", "max_equilibria"), "every pure subgame-perfect equilibrium of a game tree"),
    ("correlated_lp", "correlated", "correlated", "any", "one",
     ("objective", "player"), "the correlated equilibrium best for an objective (LP)"),
    ("coarse_correlated_lp", "coarse-correlated", "correlated",
     "any", "one", ("objective", "player"),
     "the coarse correlated equilibrium best for an objective (LP)"),
    ("logit_branch", "qre", "logit", "any", "one", ("lam",),
     "the logit quantal response equilibrium at a given lambda"),
    ("iterated_dominance", "dominance", "dominance", "any", "all", (),
     "iterated elimination of strictly dominated actions, by pure or mixed actions"),
    ("two_stage_pbe", "pbe", "perfect_bayesian", "any", "all", ("refine",),
     "every perfect Bayesian equilibrium of a two-stage game tree (senders, then "
     "receivers), by support enumeration and linear programs"),
    ("sequential_equilibria", "sequential", "sequential", "any", "some", (),
     "sequential equilibria (consistent beliefs); every one of a two-stage game where all "
     "beliefs are consistent, else the pure ones stretched one set at a time"),
]  # fmt: skip

#: Every registered solver by name, in the order ``sim methods`` lists them.
SOLVERS: dict[str, SolverInfo] = {
    name: SolverInfo(
        name,
        concept,
        f"sim.solvers.{module}",
        name,
        players,
        finds,
        summary,
        options,
        needs_tree=concept in ("spe", "pbe", "sequential"),
    )
    for name, concept, module, players, finds, options, summary in _REGISTRY
}

#: The solution concepts :func:`solve` understands (every registered solver has one).
CONCEPTS = (
    "nash", "pure-nash", "spe", "pbe", "sequential", "correlated", "coarse-correlated", "qre",
    "dominance",
)  # fmt: skip

#: The method "auto" picks for concepts that have only one.
_ONLY_METHOD = {
    info.concept: info.name
    for info in SOLVERS.values()
    if sum(other.concept == info.concept for other in SOLVERS.values()) == 1
}


def choose_method(game: NormalFormGame, concept: str, *, require_all: bool = False) -> str:
    """The solver :func:`solve` uses for ``method="auto"``.

    Examples
    --------
    >>> from sim.games import NormalFormGame
    >>> choose_method(NormalFormGame.from_matrices([[1]], [[1]]), "nash")
    'vertex_enumeration'
    >>> choose_method(NormalFormGame.from_matrices([[1]], [[1]]), "correlated")
    'correlated_lp'
    """
    if concept not in CONCEPTS:
        raise UsageError(
            f"unknown concept {concept!r}; expected one of {', '.join(CONCEPTS)}",
            function="choose_method",
        )
    if concept in _ONLY_METHOD:
        return _ONLY_METHOD[concept]
    if game.n_players == 1:
        return "best_actions"
    fallback = "lemke_howson" if game.n_players == 2 else "logit_path"
    reason = too_large_to_list(game)
    if reason is None:
        return "vertex_enumeration" if game.n_players == 2 else "support_enumeration"
    if require_all:
        raise TooLargeError(
            f"{reason}; drop {{require_all}} to compute one with {fallback}",
            function="choose_method",
            parameters={"require_all": True},
        )
    return fallback


def too_large_to_list(game: NormalFormGame) -> str | None:
    """Why no registered method lists every Nash equilibrium of ``game``; ``None`` if one does.

    Examples
    --------
    >>> from sim.games import NormalFormGame
    >>> too_large_to_list(NormalFormGame.from_matrices([[1]], [[1]])) is None
    True
    >>> import numpy as np
    >>> too_large_to_list(NormalFormGame(np.zeros((3, 3, 12, 4))))
    'a 3 x 12 x 4 game has 429,975 support profiles, too many to list every equilibrium'
    """
    if game.n_players == 1:
        return None
    if game.n_players == 2:
        if min(game.shape) <= VERTEX_ENUMERATION_LIMIT:
            return None
        return f"a {game.shape[0]} x {game.shape[1]} game is too large to list every equilibrium"
    support_profiles = math.prod(2**n - 1 for n in game.shape)
    if support_profiles <= SUPPORT_ENUMERATION_LIMIT:
        return None
    return (
        f"a {' x '.join(map(str, game.shape))} game has {support_profiles:,} support "
        "profiles, too many to list every equilibrium"
    )


def solve(
    game: NormalFormGame | ExtensiveFormGame,
    concept: str = "nash",
    method: str = "auto",
    *,
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
) -> Solution:
    """Find equilibria of a game.

    Parameters
    ----------
    game
        A normal-form game, or an extensive-form game (solved through its reduced
        normal form, except for ``"spe"``; strategies are then reduced strategies).
    concept
        One of :data:`CONCEPTS`: ``"nash"``, ``"pure-nash"``, ``"spe"``, ``"pbe"``
        (perfect Bayesian: a game tree's assessments, with ``beliefs``),
        ``"sequential"`` (Kreps and Wilson: the same, with consistent beliefs),
        ``"correlated"``, ``"coarse-correlated"``, ``"qre"``, ``"dominance"``.
    method
        A name from :data:`SOLVERS`, or ``"auto"`` to choose by concept and game shape.
    require_all
        With ``method="auto"``, insist on a method that lists every equilibrium
        and fail with :class:`~sim.errors.UsageError` if the game is too large.
    tol
        Numerical tolerance passed to the solver; by default each solver's own.
    objective, player
        For correlated concepts: what the mediator maximises (``"welfare"``,
        ``"player"`` with ``player``, ``"egalitarian"``, ``"feasible"``).
    lam
        For ``"qre"``: the precision lambda, in payoff units (required).
    tie_break
        For ``"spe"``: move name -> preferred action among tied best actions.
    max_equilibria
        For ``"spe"``: list at most this many (default 1,000); beyond it the
        result says it is not complete.
    initial_label
        For ``lemke_howson``: the label whose complementary path is followed.
    rng
        Seed or generator for randomised methods (``support_enumeration``); the
        same seed gives the same result. Methods that draw nothing ignore it.
    refine
        For ``"pbe"``: ``"intuitive"`` keeps the equilibria that pass Cho and
        Kreps's intuitive criterion, ``"d1"`` those that survive criterion D1
        (signalling games).

    Returns
    -------
    Solution
        Its ``method`` says which algorithm ran; ``complete`` whether the list is
        guaranteed to hold every equilibrium.

    Examples
    --------
    >>> from sim.games import NormalFormGame
    >>> chicken = NormalFormGame.from_matrices([[6, 2], [7, 0]], [[6, 7], [2, 0]])
    >>> solution = solve(chicken)
    >>> solution.method, len(solution), solution.complete
    ('vertex_enumeration', 3, True)
    >>> solve(chicken, "qre", lam=0.5)[0].details
    {'lambda': 0.5}
    """
    from dataclasses import replace

    from sim.games.normal_form import NormalFormGame

    if tol is not None and not (isinstance(tol, float | int) and math.isfinite(tol) and tol > 0):
        raise UsageError(
            f"{{tol}} must be a positive finite number; got {tol!r}",
            function="solve",
            parameters=["tol"],
        )
    if concept not in CONCEPTS:
        raise UsageError(
            f"unknown concept {concept!r}; expected one of {', '.join(CONCEPTS)}",
            function="solve",
        )
    tree: ExtensiveFormGame | None
    normal: NormalFormGame | None
    too_large: TooLargeError | None = None
    if isinstance(game, NormalFormGame):
        tree, normal = None, game
    else:
        tree = game
        try:
            normal = game.reduced_normal_form()
        except TooLargeError as exc:  # subgame perfection needs only the tree
            normal, too_large = None, exc
    given = {
        "objective": objective,
        "player": player,
        "lam": lam,
        "tie_break": tie_break,
        "max_equilibria": max_equilibria,
        "initial_label": initial_label,
        "refine": refine,
    }
    options: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    why = _why_listable(tree, normal, too_large, concept, method, require_all)
    if why is not None:  # no method lists every equilibrium: list what can be guaranteed
        if options:
            option = next(iter(options))
            raise UsageError(
                "{" + option + "} does not apply to {concept}",
                function="solve",
                parameters={option: None, "concept": concept},
            )
        return _listable(tree, normal, why, tol)
    if method != "auto":
        name = method
    elif concept in _ONLY_METHOD and SOLVERS[_ONLY_METHOD[concept]].needs_tree:
        name = _ONLY_METHOD[concept]
    elif normal is None:
        assert too_large is not None
        raise too_large
    else:
        name = choose_method(normal, concept, require_all=require_all)
    info = _checked_method(name, concept, game, tree, require_all, options)
    if concept == "qre" and lam is None:
        raise UsageError(
            "{concept} needs {lam} (the precision, in payoff units)",
            function="solve",
            parameters={"concept": concept, "lam": None},
        )
    if tol is not None:
        options["tol"] = tol
    if rng is not None and info.takes_rng:
        options["rng"] = rng
    if normal is None and not info.needs_tree:
        assert too_large is not None
        raise too_large
    solver = info.load()
    solution = solver(tree if info.needs_tree else normal, **options)
    if tree is not None and solution.game is normal:
        # Solved through the reduced normal form: the result still names the tree.
        solution = replace(solution, game=tree, normal=normal)
    return replace(_verified(solution), options=_as_data(solver, options))


def _checked_method(
    name: str,
    concept: str,
    game: NormalFormGame | ExtensiveFormGame,
    tree: ExtensiveFormGame | None,
    require_all: bool,
    options: Mapping[str, Any],
) -> SolverInfo:
    """The registered method ``name``, checked to suit the concept, the game and the options."""
    info = SOLVERS.get(name)
    if info is None:
        raise UsageError(
            f"unknown method {name!r}; expected one of {', '.join(SOLVERS)}", function="solve"
        )
    if info.concept != concept:
        raise UsageError(
            f"method {name!r} computes {info.concept!r}, not {concept!r}", function="solve"
        )
    if info.players != "any" and game.n_players != int(info.players):
        raise UsageError(f"{name}: {info.players}-player games only; got {game.n_players} players")
    if require_all and info.finds != "all":
        raise UsageError(
            f"{name} does not guarantee every equilibrium; {{require_all}} needs a method "
            "that does (see 'sim methods')",
            function="solve",
            parameters={"require_all": True},
        )
    if info.needs_tree and tree is None:
        raise UsageError(
            "{concept} needs a game tree (an .efg file or a scenario); got a normal form",
            function="solve",
            parameters={"concept": concept},
        )
    for option in options:
        if option not in info.options:
            raise UsageError(
                "{" + option + "} does not apply to {concept}",
                function="solve",
                parameters={option: None, "concept": concept},
            )
    return info


def _why_listable(
    tree: ExtensiveFormGame | None,
    normal: NormalFormGame | None,
    too_large: TooLargeError | None,
    concept: str,
    method: str,
    require_all: bool,
) -> str | None:
    """Why ``solve`` lists what it can rather than run one method (``None``: it runs one).

    For Nash equilibria chosen automatically: a tree whose reduced normal form
    is too large to build (its SPEs can still be listed), or ``require_all`` on
    a game too large for any method that lists every equilibrium.
    """
    if method != "auto" or concept != "nash":
        return None
    if tree is not None and normal is None:
        return f"{too_large}"
    if require_all and normal is not None:
        return too_large_to_list(normal)
    return None


def _listable(
    tree: ExtensiveFormGame | None,
    normal: NormalFormGame | None,
    why: str,
    tol: float | None,
) -> Solution:
    """What can be listed when no method lists every Nash equilibrium, checked like the rest.

    :mod:`sim.solvers.guaranteed` is reached by name, as every solver module
    is (:meth:`SolverInfo.load`): it runs backward induction, which calls
    :func:`solve` for simultaneous stages, so a static import would be a cycle.
    """
    from dataclasses import replace
    from importlib import import_module

    listable_equilibria = import_module("sim.solvers.guaranteed").listable_equilibria
    found: Solution = listable_equilibria(tree, normal, why=why, tol=tol)
    options: dict[str, Any] = {} if tol is None else {"tol": tol}
    return replace(_verified(found), options=options)


def _as_data(solver: Callable[..., Solution], options: Mapping[str, Any]) -> dict[str, Any]:
    """The options a solver ran with, its default tolerance included, as plain data.

    A generator given as ``rng`` is recorded as ``"generator"``: only a seed
    reproduces a run.
    """
    import inspect

    record: dict[str, Any] = {}
    declared = inspect.signature(solver).parameters
    if "tol" in options or "tol" in declared:
        record["tol"] = options.get("tol", declared["tol"].default if "tol" in declared else None)
    for name, value in options.items():
        if name == "rng":
            value = value if isinstance(value, int) else "generator"
        elif isinstance(value, Mapping):
            value = dict(value)
        record[name] = value
    return record


#: The independent check every result passes before it reaches the user: regret
#: (or, for correlated concepts, the incentive violation) at most this times the
#: game's payoff range. A QRE is exempt: it is not an equilibrium of the game.
VERIFICATION_TOLERANCE = 1e-6


def _verified(solution: Solution) -> Solution:
    """Drop any result whose independently recomputed regret is too large, and say so."""
    from dataclasses import replace

    if solution.concept == "qre":
        return solution
    bound = VERIFICATION_TOLERANCE * (solution.normal or solution.game).payoff_range
    kept = tuple(eq for eq in solution if eq.max_regret <= bound)
    if len(kept) == len(solution):
        return solution
    dropped = len(solution) - len(kept)
    note = (
        f"{dropped} result(s) failed the independent regret check (more than "
        f"{VERIFICATION_TOLERANCE:g} x the payoff range) and were dropped"
    )
    return replace(solution, equilibria=kept, complete=False, notes=(*solution.notes, note))
