"""Iterated elimination of dominated actions, with the order recorded.

An action is *strictly dominated* when another action, or a mixture of other
actions, does strictly better against every combination of the others'
remaining actions; no rational player uses it, whatever they believe. Removing
such actions can make others dominated in turn. For strict dominance the end
result does not depend on the order of elimination (Gilboa, Kalai & Zemel
1990); for *weak* dominance it can, so the rule used here is stated: each round
removes every action that is dominated at the start of the round, for all
players at once.

Dominance by a mixture is decided by a linear program (scipy's HiGHS):
maximise ``eps`` subject to ``sum_b sigma_b u(b, s) >= u(a, s) + eps`` for
every profile ``s`` of the others, over mixtures ``sigma`` of the player's other
remaining actions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sim.errors import SolverError
from sim.games.normal_form import NormalFormGame
from sim.solvers.solution import Solution, make_equilibrium

__all__ = ["DominanceReduction", "Elimination", "eliminate_dominated", "iterated_dominance"]

FloatArray = npt.NDArray[np.float64]
METHOD = "iterated_dominance"


@dataclass(frozen=True)
class Elimination:
    """One action removed, in which round, and by what."""

    round: int
    player: str
    action: str
    dominated_by: str  # an action label, or a mixture such as "1/2 keep + 1/2 ease"
    strict: bool

    def describe(self) -> str:
        """The step in words.

        Examples
        --------
        >>> Elimination(1, "Tokyo", "tighten", "keep", True).describe()
        "round 1: Tokyo's `tighten` is strictly dominated by `keep`"
        """
        kind = "strictly" if self.strict else "weakly"
        return (
            f"round {self.round}: {self.player}'s `{self.action}` is {kind} dominated by "
            f"`{self.dominated_by}`"
        )


@dataclass(frozen=True, eq=False)
class DominanceReduction:
    """What iterated elimination removed, and the game that survives.

    A transformation of the game, not a solution: :func:`iterated_dominance`
    turns it into the :class:`~sim.solvers.solution.Solution` every concept
    returns (the surviving profile when one survives; the steps in ``notes``).
    """

    eliminations: tuple[Elimination, ...]
    surviving: tuple[tuple[int, ...], ...]  # each player's remaining action indices
    reduced: NormalFormGame

    @property
    def solvable(self) -> bool:
        """Whether exactly one action profile survives."""
        return all(len(s) == 1 for s in self.surviving)

    def describe(self) -> str:
        """Every elimination in order, then what survives."""
        lines = [e.describe() for e in self.eliminations] or ["no action is dominated"]
        lines.append(f"surviving: {self.surviving_text()}")
        return "\n".join(lines)

    def surviving_text(self) -> str:
        """Each player's remaining actions, e.g. ``"Seoul: defy; Tokyo: keep, ease"``."""
        return "; ".join(
            f"{p}: {', '.join(a)}"
            for p, a in zip(self.reduced.players, self.reduced.actions, strict=True)
        )


def _dominator(
    own: FloatArray, a: int, others: list[int], *, strict: bool, mixed: bool, tol: float
) -> FloatArray | None:
    """Weights over ``others`` that dominate row ``a`` of ``own`` (rows: actions), or None."""
    target = own[a]
    for b in others:  # pure dominance first: cheaper and easier to read
        gain = own[b] - target
        if (gain > tol).all() if strict else ((gain >= -tol).all() and (gain > tol).any()):
            weights = np.zeros(len(own))
            weights[b] = 1.0
            return weights
    if not mixed or len(others) < 2:
        return None
    from scipy.optimize import linprog

    rows = own[others]  # (k, profiles)
    k, n_profiles = rows.shape
    bounds: list[tuple[float | None, float | None]] = [(0.0, None)] * k
    if strict:
        # Variables: sigma (k), eps. Maximise eps: -sigma.rows[:, s] + eps <= -target[s].
        cost = np.concatenate([np.zeros(k), [-1.0]])
        a_ub = np.hstack([-rows.T, np.ones((n_profiles, 1))])
        b_ub = -target
        bounds.append((None, 1.0 + float(np.abs(own).max())))
    else:
        # Maximise the total surplus subject to no loss anywhere.
        cost = np.concatenate([-(rows.sum(axis=1)), [0.0]])
        a_ub = np.hstack([-rows.T, np.zeros((n_profiles, 1))])
        b_ub = -target
        bounds.append((0.0, 0.0))
    a_eq = np.concatenate([np.ones(k), [0.0]])[None, :]
    result = linprog(
        cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0], bounds=bounds, method="highs"
    )
    if result.status != 0:
        raise SolverError(f"iterated_dominance: the linear program failed ({result.message})")
    sigma = result.x[:k]
    gains = sigma @ rows - target
    dominated = (gains > tol).all() if strict else (gains >= -tol).all() and (gains > tol).any()
    if not dominated:
        return None
    weights = np.zeros(len(own))
    weights[others] = sigma
    return weights


def _mixture_text(weights: FloatArray, labels: tuple[str, ...]) -> str:
    from sim.text import fraction_text

    used = [(w, label) for w, label in zip(weights, labels, strict=True) if w > 1e-12]
    if len(used) == 1:
        return used[0][1]
    return " + ".join(f"{fraction_text(float(w))} {label}" for w, label in used)


def eliminate_dominated(
    game: NormalFormGame, *, strict: bool = True, mixed: bool = True, tol: float = 1e-9
) -> DominanceReduction:
    """Remove dominated actions round by round, recording each step.

    Parameters
    ----------
    game
        A normal-form game with any number of players.
    strict
        Strict dominance (the default; order-independent) or weak dominance.
    mixed
        Also test dominance by mixtures of actions (a linear program).
    tol
        Payoff differences within ``tol`` times the game's payoff range count as ties.

    Examples
    --------
    >>> from sim.games import NormalFormGame
    >>> pd = NormalFormGame.from_matrices([[3, 0], [5, 1]], [[3, 5], [0, 1]],
    ...     players=["Seoul", "Tokyo"], actions=[["talk", "defy"], ["talk", "defy"]])
    >>> result = eliminate_dominated(pd)
    >>> print(result.describe())
    round 1: Seoul's `talk` is strictly dominated by `defy`
    round 1: Tokyo's `talk` is strictly dominated by `defy`
    surviving: Seoul: defy; Tokyo: defy
    >>> result.solvable
    True
    """
    tol = tol * game.payoff_range
    alive = [list(range(n)) for n in game.shape]
    steps: list[Elimination] = []
    for round_number in range(1, sum(game.shape) + 1):
        removals: list[tuple[int, int, str]] = []
        for i in range(game.n_players):
            if len(alive[i]) < 2:
                continue
            sub = game.payoffs[i][np.ix_(*alive)]
            own = np.moveaxis(sub, i, 0).reshape(len(alive[i]), -1)
            for local, a in enumerate(alive[i]):
                others = [k for k in range(len(alive[i])) if k != local]
                weights = _dominator(own, local, others, strict=strict, mixed=mixed, tol=tol)
                if weights is not None:
                    labels = tuple(game.actions[i][b] for b in alive[i])
                    removals.append((i, a, _mixture_text(weights, labels)))
        if not removals:
            break
        for i, a, by in removals:
            steps.append(Elimination(round_number, game.players[i], game.actions[i][a], by, strict))
        removed = {(i, a) for i, a, _ in removals}
        alive = [
            [a for a in alive[i] if (i, a) not in removed] or alive[i][:1]
            for i in range(game.n_players)
        ]
    reduced = NormalFormGame(
        np.stack([game.payoffs[i][np.ix_(*alive)] for i in range(game.n_players)]),
        game.players,
        [[game.actions[i][a] for a in alive[i]] for i in range(game.n_players)],
        game.title,
    )
    return DominanceReduction(tuple(steps), tuple(tuple(a) for a in alive), reduced)


def iterated_dominance(game: NormalFormGame, *, tol: float = 1e-9) -> Solution:
    """Iterated strict dominance as a :class:`Solution`.

    When one profile survives it is the game's unique Nash equilibrium and is
    returned (``complete=True``); otherwise no equilibrium is listed and the
    notes give the elimination order and what survives.

    Examples
    --------
    >>> from sim.games import NormalFormGame
    >>> pd = NormalFormGame.from_matrices([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> iterated_dominance(pd)[0].strategies
    (array([0., 1.]), array([0., 1.]))
    """
    result = eliminate_dominated(game, tol=tol)
    notes = tuple(e.describe() for e in result.eliminations)
    if not result.solvable:
        return Solution(
            game,
            (),
            concept="dominance",
            method=METHOD,
            complete=False,
            notes=(*notes, f"not dominance solvable; surviving: {result.surviving_text()}"),
        )
    strategies = [np.eye(n)[s[0]] for n, s in zip(game.shape, result.surviving, strict=True)]
    eq = make_equilibrium(game, strategies, concept="dominance", method=METHOD)
    return Solution(game, (eq,), concept="dominance", method=METHOD, complete=True, notes=notes)
