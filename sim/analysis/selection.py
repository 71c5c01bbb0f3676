"""Which of several equilibria to believe: selection criteria side by side.

No criterion is right in general, so each is reported with its reason and
the user weighs them:

* **payoff dominance** (Harsanyi & Selten 1988): an equilibrium that gives
  every player at least as much as every other equilibrium, and someone more;
* **risk dominance** (Harsanyi & Selten 1988): between two strict pure
  equilibria, the one whose product of the players' losses from deviating
  alone is larger; for 2 x 2 games this is the classic criterion, and for
  larger games it is applied to the game restricted to the two equilibria's
  actions;
* **maximum welfare**: the largest sum of payoffs;
* **logit limit**: the equilibrium at the end of the principal logit branch
  (McKelvey & Palfrey 1995), where boundedly rational play converges as
  precision grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from sim.errors import TooLargeError
from sim.games.normal_form import NormalFormGame
from sim.solvers.solution import Equilibrium, Solution

__all__ = ["Criterion", "select"]


@dataclass(frozen=True)
class Criterion:
    """One selection criterion's verdict: the equilibria it picks (1-based) and why."""

    name: str
    picks: tuple[int, ...]
    reason: str

    def describe(self) -> str:
        """One line for a report.

        Examples
        --------
        >>> Criterion("maximum welfare", (1,), "total payoff 8").describe()
        'maximum welfare: equilibrium 1 (total payoff 8)'
        """
        if not self.picks:
            return f"{self.name}: none ({self.reason})"
        which = ", ".join(str(k) for k in self.picks)
        noun = "equilibrium" if len(self.picks) == 1 else "equilibria"
        return f"{self.name}: {noun} {which} ({self.reason})"


def _payoff_dominance(payoffs: np.ndarray, tol: float) -> Criterion:
    n = len(payoffs)
    dominant = [
        k + 1
        for k in range(n)
        if all(
            np.all(payoffs[k] >= payoffs[j] - tol) and np.any(payoffs[k] > payoffs[j] + tol)
            for j in range(n)
            if j != k
        )
    ]
    if dominant:
        return Criterion(
            "payoff dominance",
            tuple(dominant),
            "at least as good as any other for every player",
        )
    undominated = [
        k + 1
        for k in range(n)
        if not any(
            np.all(payoffs[j] >= payoffs[k] - tol) and np.any(payoffs[j] > payoffs[k] + tol)
            for j in range(n)
            if j != k
        )
    ]
    return Criterion(
        "payoff dominance",
        (),
        f"no equilibrium is best for everyone; Pareto-undominated: "
        f"{', '.join(map(str, undominated))}",
    )


def _strict_pure(game: NormalFormGame, eq: Equilibrium) -> tuple[int, ...] | None:
    """The action profile of a strict pure equilibrium, else None."""
    if not eq.pure or eq.joint is not None:
        return None
    cell = tuple(int(s.argmax()) for s in eq.normal_profile())
    for i in range(game.n_players):
        own = game.payoffs[i][(*cell[:i], slice(None), *cell[i + 1 :])]
        if np.sum(own >= own[cell[i]] - 1e-12 * game.payoff_range) > 1:
            return None
    return cell


def _deviation_product(game: NormalFormGame, e: tuple[int, ...], f: tuple[int, ...]) -> float:
    """Product over players of the loss from leaving e for f's action, others staying at e."""
    product = 1.0
    for i in range(game.n_players):
        if e[i] == f[i]:
            continue
        deviated = (*e[:i], f[i], *e[i + 1 :])
        product *= float(game.payoffs[(i, *e)] - game.payoffs[(i, *deviated)])
    return product


def _risk_dominance(game: NormalFormGame, equilibria: tuple[Equilibrium, ...]) -> Criterion:
    strict = [
        (k + 1, cell)
        for k, eq in enumerate(equilibria)
        if (cell := _strict_pure(game, eq)) is not None
    ]
    if len(strict) < 2:
        return Criterion("risk dominance", (), "needs at least two strict pure equilibria")
    beaten: set[int] = set()
    for (k, e), (j, f) in combinations(strict, 2):
        de, df = _deviation_product(game, e, f), _deviation_product(game, f, e)
        margin = 1e-12 * max(abs(de), abs(df))
        if de > df + margin:
            beaten.add(j)
        elif df > de + margin:
            beaten.add(k)
    winners = tuple(k for k, _ in strict if k not in beaten)
    if len(winners) == 1:
        return Criterion(
            "risk dominance",
            winners,
            "largest product of losses from deviating alone: the safer bet",
        )
    return Criterion("risk dominance", (), "no strict pure equilibrium risk-dominates all others")


def _max_welfare(payoffs: np.ndarray, tol: float) -> Criterion:
    totals = payoffs.sum(axis=1)
    best = tuple(int(k) + 1 for k in np.flatnonzero(totals >= totals.max() - tol))
    from sim.text import fraction_text

    return Criterion("maximum welfare", best, f"total payoff {fraction_text(float(totals.max()))}")


def _logit_limit(game: NormalFormGame, equilibria: tuple[Equilibrium, ...]) -> Criterion:
    from sim.errors import SolverError
    from sim.solvers.logit import logit_path

    try:
        limit = np.concatenate(logit_path(game)[0].normal_profile())
    except SolverError as exc:
        return Criterion("logit limit", (), f"the branch could not be followed: {exc}")
    for k, eq in enumerate(equilibria):
        if np.abs(np.concatenate(eq.normal_profile()) - limit).max() < 1e-6:
            return Criterion(
                "logit limit",
                (k + 1,),
                "where noisy play converges as precision grows",
            )
    return Criterion("logit limit", (), "the branch ends at an equilibrium not in this list")


def select(solution: Solution) -> tuple[Criterion, ...]:
    """Apply every selection criterion to the equilibria of a solution.

    Examples
    --------
    Stag hunt: (stag, stag) is payoff dominant, (hare, hare) risk dominant.

    >>> from sim.games import NormalFormGame
    >>> from sim.solvers import solve
    >>> stag = NormalFormGame.from_matrices([[4, 0], [3, 3]], [[4, 3], [0, 3]])
    >>> for criterion in select(solve(stag)):
    ...     print(criterion.describe())
    payoff dominance: equilibrium 1 (at least as good as any other for every player)
    risk dominance: equilibrium 3 (largest product of losses from deviating alone: the safer bet)
    maximum welfare: equilibrium 1 (total payoff 8)
    logit limit: equilibrium 3 (where noisy play converges as precision grows)
    """
    equilibria = solution.equilibria
    if not equilibria:
        return ()
    payoffs = np.array([eq.payoffs for eq in equilibria])
    game = solution.normal
    if game is None:
        raise TooLargeError(
            "{solution}: selection needs the normal form; this one is in behaviour strategies only",
            function="select",
            parameters=["solution"],
        )
    tol = 1e-9 * game.payoff_range
    return (
        _payoff_dominance(payoffs, tol),
        _risk_dominance(game, equilibria),
        _max_welfare(payoffs, tol),
        _logit_limit(game, equilibria),
    )
