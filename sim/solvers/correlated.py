"""Correlated and coarse correlated equilibria, by linear programming.

A *correlated equilibrium* (Aumann 1974) is a probability distribution over pure
profiles that a mediator draws from, telling each player privately only their
own part of the draw. It is an equilibrium when nobody gains by disobeying a
recommendation, given what the recommendation reveals about the others'. A
*coarse* correlated equilibrium (Moulin & Vial 1978) asks less: nobody gains by
refusing to hear any recommendation and committing to one action in advance.

Both sets are convex polytopes described by linear inequalities in the
distribution's probabilities (one variable per pure profile), so a linear
program finds the point that is best for a stated objective (Papadimitriou &
Roughgarden 2008). The obedience constraints for player ``i`` read, for every
recommended action ``a`` and alternative ``b``,

    sum over the others' actions s of  x[a, s] * (u_i(b, s) - u_i(a, s))  <=  0,

and the coarse constraints, for every ``b``,

    sum over all profiles p of  x[p] * (u_i(b, p_-i) - u_i(p))  <=  0.

The matrices are built with numpy, one block per player, and handed to HiGHS
through :func:`scipy.optimize.linprog` as sparse matrices. scipy is imported
inside the functions, so ``import sim`` stays light.

An extensive-form game is solved through its reduced normal form: the mediator
recommends a whole plan to each player before play starts. This is a correlated
equilibrium of the normal form, not an extensive-form correlated equilibrium in
the sense of von Stengel & Forges (2008), where recommendations are revealed
move by move.

References
----------
Aumann, R. J. (1974). Subjectivity and correlation in randomized strategies.
*Journal of Mathematical Economics* 1(1), 67-96.

Moulin, H., & Vial, J.-P. (1978). Strategically zero-sum games: the class of
games whose completely mixed equilibria cannot be improved upon.
*International Journal of Game Theory* 7(3-4), 201-221.

Hart, S., & Schmeidler, D. (1989). Existence of correlated equilibria.
*Mathematics of Operations Research* 14(1), 18-25.

Papadimitriou, C. H., & Roughgarden, T. (2008). Computing correlated equilibria
in multi-player games. *Journal of the ACM* 55(3), article 14.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from sim.errors import SolverError, UsageError
from sim.games.normal_form import NormalFormGame
from sim.solvers.solution import Solution, make_correlated_equilibrium

if TYPE_CHECKING:
    from sim.games.extensive_form import ExtensiveFormGame

__all__ = [
    "MAX_CONSTRAINT_ENTRIES",
    "MAX_PROFILES",
    "OBJECTIVES",
    "MediationValue",
    "coarse_correlated_lp",
    "correlated_lp",
    "value_of_mediation",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: What the linear program may maximise.
OBJECTIVES = ("welfare", "player", "egalitarian", "feasible")

#: Games with more pure profiles than this are refused: one LP variable per profile.
MAX_PROFILES = 200_000

#: Refuse a linear program whose constraint matrix would hold more nonzeros than
#: this (about 240 MB in sparse form). A 2-player n x n game needs about 2 n**3.
MAX_CONSTRAINT_ENTRIES = 20_000_000

_CONCEPTS = {"correlated": "correlated_lp", "coarse-correlated": "coarse_correlated_lp"}


def correlated_lp(
    game: NormalFormGame | ExtensiveFormGame,
    *,
    objective: str = "welfare",
    player: int | str | None = None,
    tol: float = 1e-9,
) -> Solution:
    """The correlated equilibrium that maximises an objective, by linear programming.

    Parameters
    ----------
    game
        A normal-form game, or an extensive-form game (solved through its reduced
        normal form: the mediator recommends whole plans before play starts).
    objective
        ``"welfare"`` (the sum of payoffs), ``"player"`` (one player's payoff,
        named by ``player``), ``"egalitarian"`` (the smallest payoff) or
        ``"feasible"`` (any correlated equilibrium; no objective).
    player
        With ``objective="player"``: the player's name or index.
    tol
        Feasibility tolerance, relative to the game's largest payoff difference:
        the obedience constraints are solved to within ``tol`` times that scale.

    Returns
    -------
    Solution
        One :class:`~sim.solvers.solution.Equilibrium` whose ``joint`` is the
        distribution over pure profiles, ``strategies`` its marginals,
        ``max_regret`` the obedience violation recomputed by
        :func:`sim.games.profiles.obedience_violation`, and
        ``details["objective_value"]`` the optimum. ``complete`` is false: the
        correlated equilibria form a convex polytope, and this is one point of it.

    Raises
    ------
    UsageError
        For an unknown objective, a missing or unknown player, a bad ``tol``, or
        a game too large for the linear program.
    SolverError
        If HiGHS does not report an optimal solution.

    Notes
    -----
    One variable per pure profile; for each player ``i`` and each ordered pair of
    distinct actions ``a != b``, one obedience constraint. That is
    ``sum_i n_i (n_i - 1)`` inequalities with ``prod_i n_i * sum_i (n_i - 1)``
    nonzeros in total. A correlated equilibrium always exists (Hart & Schmeidler
    1989), so the program is always feasible; the LP formulation follows
    Papadimitriou & Roughgarden (2008).

    Examples
    --------
    Chicken: both restrain (6, 6); whoever dares alone gets 7 and the other 2;
    both dare and crash (0, 0). The best mediator never recommends the crash and
    recommends mutual restraint half the time:

    >>> from sim.games import NormalFormGame
    >>> chicken = NormalFormGame.from_matrices(
    ...     [[6, 2], [7, 0]], [[6, 7], [2, 0]],
    ...     actions=[["restrain", "dare"], ["restrain", "dare"]])
    >>> solution = correlated_lp(chicken)
    >>> best = solution[0]
    >>> best.joint.round(3).tolist()
    [[0.5, 0.25], [0.25, 0.0]]
    >>> best.payoffs.tolist(), best.details["objective_value"], best.max_regret <= 1e-9
    ([5.25, 5.25], 10.5, True)

    The best correlated equilibrium for the row player is simply the pure Nash
    equilibrium in which the column player concedes:

    >>> correlated_lp(chicken, objective="player", player=0)[0].payoffs.tolist()
    [7.0, 2.0]
    """
    return _solve_lp(game, "correlated", objective, player, tol)


def coarse_correlated_lp(
    game: NormalFormGame | ExtensiveFormGame,
    *,
    objective: str = "welfare",
    player: int | str | None = None,
    tol: float = 1e-9,
) -> Solution:
    """The coarse correlated equilibrium that maximises an objective, by linear programming.

    A coarse correlated equilibrium only requires that no player gains by
    committing to one action *before* hearing a recommendation (Moulin & Vial
    1978). Every correlated equilibrium is one, so the best coarse one is at
    least as good for the objective.

    Parameters, returns and errors are as for :func:`correlated_lp`;
    ``max_regret`` is the ex-ante violation recomputed by
    :func:`sim.games.profiles.coarse_violation`.

    Notes
    -----
    ``n_i`` inequalities per player (one per committed action ``b``), each over
    every pure profile.

    Examples
    --------
    Every correlated equilibrium is a coarse one, so the coarse optimum is never
    lower. In Chicken the two coincide; in larger games the coarse optimum can
    be strictly higher.

    >>> from sim.games import NormalFormGame
    >>> chicken = NormalFormGame.from_matrices([[6, 2], [7, 0]], [[6, 7], [2, 0]])
    >>> best = coarse_correlated_lp(chicken)[0]
    >>> best.joint.round(3).tolist(), best.details["objective_value"]
    ([[0.5, 0.25], [0.25, 0.0]], 10.5)
    """
    return _solve_lp(game, "coarse-correlated", objective, player, tol)


@dataclass(frozen=True)
class MediationValue:
    """How much a mediator who correlates play can add over every Nash equilibrium found.

    Attributes
    ----------
    players
        The players' names, in the game's order.
    welfare_gain
        ``best_correlated_welfare - best_nash_welfare``; never negative, since
        every Nash equilibrium is a correlated equilibrium.
    player_gains
        For each player: the best payoff any correlated equilibrium gives them
        minus the best payoff any Nash equilibrium found gives them. Each is
        computed separately, so the best cases may come from different equilibria.
    best_correlated_welfare, best_nash_welfare
        The largest sum of payoffs over correlated and over Nash equilibria.
    best_correlated_payoffs, best_nash_payoffs
        Each player's best payoff over correlated and over Nash equilibria.
    nash_method
        The algorithm that listed the Nash equilibria.
    nash_count
        How many Nash equilibria were listed.
    nash_complete
        Whether that list is guaranteed to hold every Nash equilibrium. When it is
        false the best Nash values are lower bounds and the gains upper bounds.
    """

    players: tuple[str, ...]
    welfare_gain: float
    player_gains: tuple[float, ...]
    best_correlated_welfare: float
    best_nash_welfare: float
    best_correlated_payoffs: tuple[float, ...]
    best_nash_payoffs: tuple[float, ...]
    nash_method: str
    nash_count: int
    nash_complete: bool


def value_of_mediation(
    game: NormalFormGame | ExtensiveFormGame, *, tol: float = 1e-9
) -> MediationValue:
    """Best correlated-equilibrium welfare minus best Nash welfare, overall and per player.

    A mediator such as Washington, who privately recommends steps to each side,
    can implement any correlated equilibrium; without one, the sides are left
    with the Nash equilibria. The gain is what the mediator's recommendations are
    worth (Aumann 1974).

    The Nash equilibria come from :func:`sim.solvers.solve` with
    ``require_all=True``: every one where the game is small enough; otherwise
    what can be listed (every pure equilibrium and those path-following
    reaches), and ``nash_complete`` is then false.

    Parameters
    ----------
    game
        A normal-form game or an extensive-form game (through its reduced
        normal form).
    tol
        As for :func:`correlated_lp`.

    Examples
    --------
    >>> from sim.games import NormalFormGame
    >>> chicken = NormalFormGame.from_matrices([[6, 2], [7, 0]], [[6, 7], [2, 0]])
    >>> value = value_of_mediation(chicken)
    >>> round(value.best_nash_welfare, 3), value.best_correlated_welfare, value.nash_complete
    (9.333, 10.5, True)
    >>> round(value.welfare_gain, 3), value.player_gains
    (1.167, (0.0, 0.0))

    The best Nash welfare, 28/3, is the mixed equilibrium's; the mediator adds
    7/6 to the total. Neither side gains at its own best, which is already a
    Nash equilibrium: the one where the other side concedes (7 against 2).
    """
    from sim.solvers import solve

    normal = _normal_form(game)
    _check_tol(tol)
    nash = solve(normal, "nash", require_all=True)
    if len(nash) == 0:  # pragma: no cover - every finite game has one
        raise SolverError("value_of_mediation: no Nash equilibrium was found")
    nash_payoffs = np.array([eq.payoffs for eq in nash])
    best_welfare = correlated_lp(normal, objective="welfare", tol=tol)
    best_for = [
        correlated_lp(normal, objective="player", player=i, tol=tol)[0].payoffs[i]
        for i in range(normal.n_players)
    ]
    correlated_welfare = float(best_welfare[0].payoffs.sum())
    nash_welfare = float(nash_payoffs.sum(axis=1).max())
    nash_best = nash_payoffs.max(axis=0)
    return MediationValue(
        players=normal.players,
        welfare_gain=max(0.0, correlated_welfare - nash_welfare),
        player_gains=tuple(float(c - n) for c, n in zip(best_for, nash_best, strict=True)),
        best_correlated_welfare=correlated_welfare,
        best_nash_welfare=nash_welfare,
        best_correlated_payoffs=tuple(float(c) for c in best_for),
        best_nash_payoffs=tuple(float(n) for n in nash_best),
        nash_method=nash.method,
        nash_count=len(nash),
        nash_complete=nash.complete,
    )


# ----------------------------------------------------------------------------- helpers
def _normal_form(game: NormalFormGame | ExtensiveFormGame) -> NormalFormGame:
    return game if isinstance(game, NormalFormGame) else game.reduced_normal_form()


def _check_tol(tol: float) -> None:
    if isinstance(tol, bool) or not (
        isinstance(tol, float | int) and math.isfinite(tol) and tol > 0
    ):
        raise UsageError(f"tol must be a positive finite number; got {tol!r}")


def _player_index(game: NormalFormGame, objective: str, player: int | str | None) -> int | None:
    if objective not in OBJECTIVES:
        raise UsageError(
            f"unknown objective {objective!r}; expected one of {', '.join(OBJECTIVES)}",
            function="correlated_lp",
        )
    if objective != "player":
        if player is not None:
            raise UsageError(
                "{player} is used only with {objective=player}",
                function="correlated_lp",
                parameters={"player": player, "objective": objective},
            )
        return None
    names = ", ".join(repr(p) for p in game.players)
    if isinstance(player, str):
        if player not in game.players:
            raise UsageError(f"unknown player {player!r}; expected one of {names}")
        return game.players.index(player)
    if isinstance(player, int | np.integer) and not isinstance(player, bool):
        if not 0 <= int(player) < game.n_players:
            raise UsageError(
                f"player index {int(player)} out of range; expected 0..{game.n_players - 1}"
            )
        return int(player)
    raise UsageError(
        f"{{objective}} needs {{player}}: a name ({names}) or an index; got {player!r}",
        function="correlated_lp",
        parameters={"objective": objective, "player": None},
    )


def _check_size(game: NormalFormGame, concept: str) -> None:
    profiles = math.prod(game.shape)
    per_profile = sum(n - 1 for n in game.shape) if concept == "correlated" else sum(game.shape)
    dims = " x ".join(map(str, game.shape))
    if profiles > MAX_PROFILES:
        raise UsageError(
            f"a {dims} game has {profiles:,} pure profiles; the {concept} linear program "
            f"takes at most {MAX_PROFILES:,}"
        )
    if profiles * per_profile > MAX_CONSTRAINT_ENTRIES:
        raise UsageError(
            f"a {dims} game needs {profiles * per_profile:,} constraint entries; the "
            f"{concept} linear program takes at most {MAX_CONSTRAINT_ENTRIES:,}"
        )


def _incentive_blocks(
    game: NormalFormGame, concept: str
) -> tuple[IntArray, IntArray, FloatArray, int]:
    """The incentive constraints ``A x <= 0`` as COO triplets: rows, columns, values, row count.

    Vectorised over profiles; the only loop is over players.
    """
    n_profiles = math.prod(game.shape)
    index = np.arange(n_profiles).reshape(game.shape)
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    vals: list[FloatArray] = []
    offset = 0
    for i, n in enumerate(game.shape):
        if n == 1:
            continue  # a player with one action has nothing to deviate to
        # own[a, k]: player i's payoff when i plays a and the others play column k.
        own = np.moveaxis(game.payoffs[i], i, 0).reshape(n, -1)
        columns = np.moveaxis(index, i, 0).reshape(n, -1)
        m = own.shape[1]
        # gain[b, a, k] = u_i(b, k) - u_i(a, k): switching from a to b against k.
        gain = own[:, None, :] - own[None, :, :]
        if concept == "correlated":
            # One row per (a, b) with a != b, over the profiles where a is recommended.
            b_idx, a_idx = np.nonzero(~np.eye(n, dtype=bool))
            block_rows = np.repeat(np.arange(offset, offset + len(a_idx)), m)
            rows.append(block_rows)
            cols.append(columns[a_idx].ravel())
            vals.append(gain[b_idx, a_idx].ravel())
            offset += len(a_idx)
        else:
            # One row per committed action b, over every profile (a, k).
            rows.append(np.repeat(np.arange(offset, offset + n), n * m))
            cols.append(np.tile(columns.ravel(), n))
            vals.append(gain.ravel())
            offset += n
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), 0
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), offset


def _solve_lp(
    game: NormalFormGame | ExtensiveFormGame,
    concept: str,
    objective: str,
    player: int | str | None,
    tol: float,
) -> Solution:
    from scipy.optimize import linprog
    from scipy.sparse import coo_array, csr_array, hstack, vstack

    normal = _normal_form(game)
    method = _CONCEPTS[concept]
    _check_tol(tol)
    who = _player_index(normal, objective, player)
    _check_size(normal, concept)

    n_players = normal.n_players
    n_profiles = math.prod(normal.shape)
    flat = normal.payoffs.reshape(n_players, n_profiles)
    scale = normal.payoff_range

    rows, cols, values, n_rows = _incentive_blocks(normal, concept)
    incentive = coo_array((values / scale, (rows, cols)), shape=(n_rows, n_profiles))
    extra = 1 if objective == "egalitarian" else 0
    n_vars = n_profiles + extra
    cost = np.zeros(n_vars)
    if objective == "welfare":
        cost[:n_profiles] = -flat.sum(axis=0) / scale
    elif objective == "player":
        assert who is not None
        cost[:n_profiles] = -flat[who] / scale
    elif objective == "egalitarian":
        cost[-1] = -1.0
    a_ub: Any = incentive
    b_ub = np.zeros(n_rows)
    if extra:
        # t - u_i . x <= 0 for every player i; maximise t (in units of ``scale``).
        a_ub = vstack(
            [
                hstack([incentive, csr_array((n_rows, 1))]),
                hstack([csr_array(-flat / scale), np.ones((n_players, 1))]),
            ]
        )
        b_ub = np.zeros(n_rows + n_players)
    a_eq = np.zeros((1, n_vars))
    a_eq[0, :n_profiles] = 1.0
    bounds = [(0.0, None)] * n_profiles + [(None, None)] * extra
    feasibility = min(max(float(tol), 1e-10), 1e-7)
    result = linprog(
        cost,
        A_ub=csr_array(a_ub) if a_ub.shape[0] else None,
        b_ub=b_ub if a_ub.shape[0] else None,
        A_eq=a_eq,
        b_eq=[1.0],
        bounds=bounds,
        method="highs",
        options={
            "primal_feasibility_tolerance": feasibility,
            "dual_feasibility_tolerance": feasibility,
        },
    )
    if result.status != 0 or result.x is None:
        raise SolverError(
            f"{method}: HiGHS did not find an optimal distribution "
            f"(status {result.status}: {result.message})"
        )
    joint = np.asarray(result.x[:n_profiles], dtype=np.float64).reshape(normal.shape)
    equilibrium = make_correlated_equilibrium(normal, joint, concept=concept, method=method)
    payoffs = equilibrium.payoffs  # of the cleaned distribution, recomputed by the referee
    objective_value = {
        "welfare": float(payoffs.sum()),
        "player": float(payoffs[who]) if who is not None else 0.0,
        "egalitarian": float(payoffs.min()),
        "feasible": 0.0,
    }[objective]
    equilibrium = replace(equilibrium, details={"objective_value": objective_value})
    target = {
        "welfare": "the sum of payoffs",
        "player": f"the payoff of {normal.players[who] if who is not None else ''!r}",
        "egalitarian": "the smallest player's payoff",
        "feasible": "nothing (any feasible point)",
    }[objective]
    kind = "correlated" if concept == "correlated" else "coarse correlated"
    note = (
        f"the {kind} equilibria form a convex polytope; this is a point of it that "
        f"maximises {target}, found by linear programming (other points may tie)"
    )
    notes = [note]
    if equilibrium.max_regret > tol * scale:
        notes.append(
            f"HiGHS's distribution violates the {kind} constraints by "
            f"{equilibrium.max_regret:.1e}, more than tol x payoff spread = {tol * scale:.1e}"
        )
    return Solution(
        game=normal,
        equilibria=(equilibrium,),
        concept=concept,
        method=method,
        complete=False,
        notes=tuple(notes),
    )
