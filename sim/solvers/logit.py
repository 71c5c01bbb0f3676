"""The logit quantal-response branch, and one Nash equilibrium at its end.

The logit quantal response equilibrium (McKelvey & Palfrey 1995) at precision
``lambda`` is a profile in which every player chooses each action with
probability proportional to ``exp(lambda * payoff of that action)``. At
``lambda = 0`` everyone mixes uniformly; as ``lambda`` grows the *principal
branch* of solutions leads, for generic games, to a Nash equilibrium
(McKelvey & Palfrey 1995, theorem 2; Turocy 2005, *Games and Economic
Behavior* 51, for path following).

The branch is traced in log-probabilities ``y`` (so that vanishing
probabilities stay representable) by pseudo-arclength continuation (Allgower &
Georg 1990, *Numerical Continuation Methods*, ch. 2): an Euler predictor along
the tangent, a Newton corrector on the augmented system, and step-size control.
Payoffs are rescaled to ``[0, 1]`` while tracing, so ``lambda`` is reported in
units of the game's own payoffs.

:func:`logit_path` returns one Nash equilibrium: once ``lambda`` is large it
identifies the support from the near-best responses and solves the
indifference equations on it exactly (Newton's method), accepting the result
only when its regret is below the tolerance. It finds one equilibrium and never
claims to have found them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sim.errors import SolverError
from sim.games.normal_form import NormalFormGame
from sim.games.profiles import Profile
from sim.solvers.solution import Solution, make_equilibrium

__all__ = ["LogitBranch", "logit_branch", "logit_path"]

FloatArray = npt.NDArray[np.float64]
METHOD = "logit_path"

#: Largest precision traced, in units of the rescaled ([0, 1]) payoffs.
MAX_LAMBDA = 1e7
#: The largest number of continuation steps before giving up.
MAX_STEPS = 20_000


@dataclass(frozen=True, eq=False)
class LogitBranch:
    """Points along the principal logit branch.

    Attributes
    ----------
    game
        The game the branch belongs to.
    lambdas
        Precision at each point, in the game's payoff units, shape ``(K,)``.
    probabilities
        The profile at each point, players' vectors concatenated, shape ``(K, sum n_i)``.
    """

    game: NormalFormGame
    lambdas: FloatArray
    probabilities: FloatArray

    def profile(self, k: int) -> Profile:
        """The profile at point ``k`` as one probability vector per player."""
        return _split(self.probabilities[k], self.game.shape)


def _split(flat: FloatArray, shape: tuple[int, ...]) -> Profile:
    return tuple(np.split(flat, np.cumsum(shape)[:-1]))


class _System:
    """The logit equations in log-probabilities for one game (payoffs rescaled)."""

    def __init__(self, payoffs: FloatArray) -> None:
        self.payoffs = payoffs
        self.n = payoffs.shape[0]
        self.shape = payoffs.shape[1:]
        self.offsets = np.concatenate([[0], np.cumsum(self.shape)])
        self.size = int(self.offsets[-1])

    def _contract(self, i: int, sigma: Profile, keep: tuple[int, ...]) -> FloatArray:
        """Player i's payoff table with every player not in ``keep`` averaged out."""
        table = self.payoffs[i]
        for j in reversed(range(self.n)):
            if j not in keep:
                table = np.tensordot(table, sigma[j], axes=([j], [0]))
        return np.asarray(table)

    def values(self, sigma: Profile) -> list[FloatArray]:
        return [self._contract(i, sigma, (i,)) for i in range(self.n)]

    def residual_and_jacobian(self, z: FloatArray) -> tuple[FloatArray, FloatArray]:
        """H(y, lambda) and its Jacobian (size x size + 1)."""
        y, lam = z[:-1], z[-1]
        sigma = _split(np.exp(y), self.shape)
        values = self.values(sigma)
        h = np.zeros(self.size)
        jac = np.zeros((self.size, self.size + 1))
        for i in range(self.n):
            o, n_i = self.offsets[i], self.shape[i]
            # Rows o .. o+n_i-2: y_ia - y_i0 - lam (v_ia - v_i0), a = 1..n_i-1.
            diff = values[i][1:] - values[i][0]
            h[o : o + n_i - 1] = y[o + 1 : o + n_i] - y[o] - lam * diff
            rows = slice(o, o + n_i - 1)
            jac[rows, o + 1 : o + n_i] += np.eye(n_i - 1)
            jac[rows, o] -= 1.0
            jac[rows, -1] = -diff
            for j in range(self.n):
                if j == i:
                    continue
                pair = self._contract(i, sigma, (i, j))  # axes ordered as players i, j
                if j < i:
                    pair = pair.T
                d = (pair[1:] - pair[0]) * sigma[j]  # d(v_ia - v_i0)/d y_jb
                jac[rows, self.offsets[j] : self.offsets[j + 1]] -= lam * d
            # Last row of the block: sum_a exp(y_ia) - 1.
            last = o + n_i - 1
            h[last] = sigma[i].sum() - 1.0
            jac[last, o : o + n_i] = sigma[i]
        return h, jac


def _tangent(jac: FloatArray, previous: FloatArray | None) -> FloatArray:
    """The unit null vector of the Jacobian, oriented to continue the branch."""
    _, _, vt = np.linalg.svd(jac)
    t: FloatArray = vt[-1]
    forward = t[-1] > 0 if previous is None else t @ previous >= 0
    return t if forward else -t


def _correct(
    system: _System, z: FloatArray, t: FloatArray, step: float
) -> tuple[FloatArray, FloatArray, int] | None:
    """Newton's method on H = 0 plus the arclength condition; None if it fails.

    Returns the corrected point, its Jacobian, and how many Newton steps it took.
    """
    candidate = z + step * t
    for newton_steps in range(1, 9):
        h, jac = system.residual_and_jacobian(candidate)
        augmented = np.vstack([jac, t])
        rhs = np.concatenate([h, [t @ (candidate - z) - step]])
        try:
            delta = np.linalg.solve(augmented, -rhs)
        except np.linalg.LinAlgError:
            return None
        candidate = candidate + delta
        size = np.abs(delta).max()
        if size < 1e-10:
            h, jac = system.residual_and_jacobian(candidate)
            return (candidate, jac, newton_steps) if np.abs(h).max() < 1e-9 else None
        if size > 0.5 * max(step, 1e-3) + 1:
            return None
    return None


def _trace(
    system: _System, *, stop: float, on_point: Callable[[FloatArray], bool] | None = None
) -> tuple[list[float], list[FloatArray]]:
    """Follow the branch from lambda = 0 until lambda >= stop (or ``on_point`` says so)."""
    z = np.concatenate([np.concatenate([np.full(n, -np.log(n)) for n in system.shape]), [0.0]])
    _, jac = system.residual_and_jacobian(z)
    t = _tangent(jac, None)
    step = 0.1
    lambdas, points = [0.0], [np.exp(z[:-1])]
    for _ in range(MAX_STEPS):
        if z[-1] >= stop:
            break
        corrected = _correct(system, z, t, step)
        while corrected is None:
            step /= 2
            if step < 1e-12:
                raise SolverError("logit branch: the step size collapsed (a singular point)")
            corrected = _correct(system, z, t, step)
        z, jac, newton_steps = corrected
        t = _tangent(jac, t)
        lambdas.append(float(z[-1]))
        points.append(np.exp(z[:-1]))
        if on_point is not None and on_point(z):
            break
        # Grow the step after an easy correction, within a bound relative to lambda.
        step = min(step * (2.0 if newton_steps <= 3 else 1.0), 0.5 * (1 + abs(z[-1])))
    return lambdas, points


def _rescaled(game: NormalFormGame) -> tuple[FloatArray, float]:
    spread = float(game.payoffs.max() - game.payoffs.min())
    scale = spread if spread > 0 else 1.0
    return (game.payoffs - game.payoffs.min()) / scale, scale


def logit_branch(game: NormalFormGame, *, max_lambda: float | None = None) -> LogitBranch:
    """Trace the principal branch of logit quantal response equilibria.

    Parameters
    ----------
    game
        A normal-form game with any number of players.
    max_lambda
        Stop once the precision exceeds this, in the game's payoff units
        (default: 10**7 divided by the payoff range).

    Examples
    --------
    In matching pennies the whole branch stays at (1/2, 1/2):

    >>> from sim.games import NormalFormGame
    >>> pennies = NormalFormGame.from_matrices([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> branch = logit_branch(pennies, max_lambda=10)
    >>> bool(branch.lambdas[-1] >= 10), branch.profile(-1)[0].round(6)
    (True, array([0.5, 0.5]))
    """
    payoffs, scale = _rescaled(game)
    stop = MAX_LAMBDA if max_lambda is None else max_lambda * scale
    lambdas, points = _trace(_System(payoffs), stop=stop)
    return LogitBranch(game, np.array(lambdas) / scale, np.array(points))


def _polish(system: _System, sigma: Profile, lam: float, tol: float) -> Profile | None:
    """An exact equilibrium near a high-precision QRE, or None.

    The support is every action within a few 1/lambda of the best; Newton's
    method then solves "all support actions earn the same" plus "probabilities
    sum to one" for the probabilities on the support.
    """
    values = system.values(sigma)
    margin = max(10.0 / max(lam, 1.0), 1e-9)
    supports = [np.flatnonzero(v >= v.max() - margin) for v in values]
    x = [
        np.where(np.isin(np.arange(len(s)), sup), s, 0.0)
        for s, sup in zip(sigma, supports, strict=True)
    ]
    x = [s / s.sum() for s in x]
    for _ in range(50):
        values = system.values(tuple(x))
        residual: list[float] = []
        for i, sup in enumerate(supports):
            residual.extend(values[i][sup[1:]] - values[i][sup[0]])
            residual.append(x[i].sum() - 1.0)
        r = np.array(residual)
        if np.abs(r).max() < 1e-13:
            break
        jac = _support_jacobian(system, tuple(x), supports)
        delta = np.linalg.lstsq(jac, -r, rcond=None)[0]
        cut = np.cumsum([len(s) for s in supports])[:-1]
        for i, d in enumerate(np.split(delta, cut)):
            x[i][supports[i]] += d
    if any(s.min() < -1e-12 for s in x):
        return None
    profile = tuple(np.clip(s, 0.0, None) / np.clip(s, 0.0, None).sum() for s in x)
    values = system.values(profile)
    regret = max(float(v.max() - v @ s) for v, s in zip(values, profile, strict=True))
    return profile if regret <= tol else None


def _support_jacobian(
    system: _System, sigma: Profile, supports: list[npt.NDArray[np.intp]]
) -> FloatArray:
    columns = np.cumsum([0] + [len(s) for s in supports])
    rows: list[FloatArray] = []
    for i, sup in enumerate(supports):
        block = np.zeros((len(sup), int(columns[-1])))
        for j, sup_j in enumerate(supports):
            if j == i:
                continue
            pair = system._contract(i, sigma, (i, j))
            if j < i:
                pair = pair.T
            block[: len(sup) - 1, columns[j] : columns[j + 1]] = (
                pair[sup[1:]][:, sup_j] - pair[sup[0]][sup_j]
            )
        block[len(sup) - 1, columns[i] : columns[i + 1]] = 1.0
        rows.append(block)
    return np.vstack(rows)


def logit_path(game: NormalFormGame, *, tol: float = 1e-9) -> Solution:
    """One Nash equilibrium: the limit of the principal logit branch.

    Works for any number of players and scales to games far too large to
    enumerate. For generic games the branch leads to a unique equilibrium (the
    "logit solution", a selection criterion in its own right); the result never
    claims to be complete.

    Examples
    --------
    A three-player game in which each player wants to match the next one:

    >>> import numpy as np
    >>> from sim.games import NormalFormGame
    >>> payoffs = np.zeros((3, 2, 2, 2))
    >>> for a in np.ndindex(2, 2, 2):
    ...     payoffs[(0, *a)] = a[0] == a[1]
    ...     payoffs[(1, *a)] = a[1] == a[2]
    ...     payoffs[(2, *a)] = a[2] != a[0]
    >>> solution = logit_path(NormalFormGame(payoffs))
    >>> [s.round(6).tolist() for s in solution[0].strategies], solution.complete
    ([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]], False)
    """
    payoffs, _ = _rescaled(game)
    system = _System(payoffs)
    found: list[Profile] = []

    def polish_when_precise(z: FloatArray) -> bool:
        if z[-1] < 30:
            return False
        sigma = _split(np.exp(z[:-1]), system.shape)
        polished = _polish(system, sigma, float(z[-1]), tol)
        if polished is not None:
            found.append(polished)
        return polished is not None

    lambdas, points = _trace(system, stop=MAX_LAMBDA, on_point=polish_when_precise)
    if not found:
        # The branch ended without a clean support: fall back to its last point.
        last = _split(points[-1], system.shape)
        polished = _polish(system, last, lambdas[-1], tol)
        if polished is None:
            raise SolverError("logit_path: the branch did not lead to an equilibrium within tol")
        found.append(polished)
    eq = make_equilibrium(game, found[0], concept="nash", method=METHOD)
    return Solution(
        game,
        (eq,),
        concept="nash",
        method=METHOD,
        complete=False,
        notes=("the logit path finds one equilibrium; there may be others",),
    )
