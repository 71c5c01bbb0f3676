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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from sim.errors import SolverError, UsageError
from sim.games.normal_form import NormalFormGame
from sim.games.profiles import Profile
from sim.solvers.solution import Solution, make_equilibrium

__all__ = [
    "LogitBranch",
    "LogitFit",
    "fit_logit",
    "logit_branch",
    "logit_path",
    "trace_logit_branch",
]

FloatArray = npt.NDArray[np.float64]
METHOD = "logit_path"

#: Largest precision traced, in units of the rescaled ([0, 1]) payoffs.
MAX_LAMBDA = 1e7
#: The largest precision (times the payoff range) at which a QRE is computed.
MAX_QRE_PRECISION = 1e5
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
    """Follow the branch from lambda = 0 until lambda >= stop (or ``on_point`` says so).

    Returns each point's lambda and log-probabilities (which stay finite where
    probabilities underflow).
    """
    z = np.concatenate([np.concatenate([np.full(n, -np.log(n)) for n in system.shape]), [0.0]])
    _, jac = system.residual_and_jacobian(z)
    t = _tangent(jac, None)
    step = 0.1
    lambdas, logs = [0.0], [z[:-1].copy()]
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
        logs.append(z[:-1].copy())
        if on_point is not None and on_point(z):
            break
        # Grow the step after an easy correction, within a bound relative to lambda.
        step = min(step * (2.0 if newton_steps <= 3 else 1.0), 0.5 * (1 + abs(z[-1])))
    return lambdas, logs


def _rescaled(game: NormalFormGame) -> tuple[FloatArray, float]:
    scale = game.payoff_range
    return (game.payoffs - game.payoffs.min()) / scale, scale


def trace_logit_branch(game: NormalFormGame, *, max_lambda: float | None = None) -> LogitBranch:
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
    >>> branch = trace_logit_branch(pennies, max_lambda=10)
    >>> bool(branch.lambdas[-1] >= 10), branch.profile(-1)[0].round(6)
    (True, array([0.5, 0.5]))
    """
    payoffs, scale = _rescaled(game)
    stop = MAX_LAMBDA if max_lambda is None else max_lambda * scale
    lambdas, logs = _trace(_System(payoffs), stop=stop)
    return LogitBranch(game, np.array(lambdas) / scale, np.exp(np.array(logs)))


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

    lambdas, logs = _trace(system, stop=MAX_LAMBDA, on_point=polish_when_precise)
    if not found:
        # The branch ended without a clean support: fall back to its last point.
        last = _split(np.exp(logs[-1]), system.shape)
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


def _qre_at(
    system: _System, guess: FloatArray, lam: float, shown: float | None = None
) -> FloatArray:
    """The logit equilibrium at precision ``lam`` (rescaled units) near ``guess``.

    Newton's method on the logit equations with lambda held fixed, from the
    log-probabilities ``guess``; returns the log-probabilities.
    """
    y = guess.copy()
    for _ in range(50):
        h, jac = system.residual_and_jacobian(np.concatenate([y, [lam]]))
        if np.abs(h).max() < 1e-12:
            break
        y = y + np.linalg.solve(jac[:, :-1], -h)
    else:
        at = lam if shown is None else shown
        raise SolverError(f"logit: no convergence to the QRE at lambda = {at:g}")
    return y


def logit_branch(game: NormalFormGame, lam: float, *, tol: float = 1e-9) -> Solution:
    """The logit quantal response equilibrium at precision ``lam`` on the principal branch.

    At precision ``lam`` each player chooses action ``a`` with probability
    proportional to ``exp(lam * expected payoff of a)``: ``lam = 0`` is uniform
    noise, large ``lam`` approaches a Nash equilibrium. ``lam`` is in units of
    the game's payoffs. The equilibrium's ``max_regret`` is its Nash regret (a
    QRE is not a Nash equilibrium); ``details["lambda"]`` records ``lam``.

    Examples
    --------
    >>> from sim.games import NormalFormGame
    >>> pd = NormalFormGame.from_matrices([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> qre = logit_branch(pd, 1.0)[0]
    >>> qre.strategies[0].round(4), qre.details["lambda"]
    (array([0.2268, 0.7732]), 1.0)
    """
    if not (np.isfinite(lam) and lam >= 0):
        raise UsageError(f"lambda must be a nonnegative number; got {lam!r}")
    payoffs, scale = _rescaled(game)
    system = _System(payoffs)
    target = lam * scale
    if target > MAX_QRE_PRECISION:
        raise UsageError(
            f"lambda = {lam:g} times the payoff range {scale:g} is {target:.3g}; above "
            f"{MAX_QRE_PRECISION:g} the QRE cannot be told apart from a Nash equilibrium "
            "(use {concept=nash})",
            function="logit_branch",
            parameters=["concept"],
        )
    _, logs = _trace(system, stop=target)
    # The last traced point is at or just past the target: correct back onto it.
    probabilities = np.exp(_qre_at(system, logs[-1], target, shown=lam))
    eq = make_equilibrium(
        game, _split(probabilities, system.shape), concept="qre", method="logit_branch"
    )
    eq = replace(eq, details={"lambda": float(lam)})
    return Solution(
        game,
        (eq,),
        concept="qre",
        method="logit_branch",
        complete=False,
        notes=("the logit QRE on the principal branch at the given lambda",),
    )


@dataclass(frozen=True, eq=False)
class LogitFit:
    """A logit QRE fitted to observed play by maximum likelihood.

    Attributes
    ----------
    lam
        The fitted precision, in the game's payoff units.
    profile
        The QRE at ``lam``.
    log_likelihood
        The log-likelihood of the observed counts at ``lam``.
    """

    lam: float
    profile: Profile
    log_likelihood: float


def fit_logit(
    game: NormalFormGame, counts: Sequence[npt.ArrayLike], *, max_lambda: float | None = None
) -> LogitFit:
    """Fit the precision of the logit QRE to observed action counts.

    Maximum likelihood along the principal branch (McKelvey & Palfrey 1995,
    section 5): the likelihood of the counts is evaluated at every traced
    point, and the best bracket is refined by a bounded scalar search in which
    each candidate precision is solved exactly.

    Parameters
    ----------
    game
        The game that was played.
    counts
        For each player, how many times each action was chosen.
    max_lambda
        Upper end of the search, in the game's payoff units (default: 1000
        divided by the payoff range).

    Examples
    --------
    Counts drawn from the QRE at lambda = 0.8 recover it:

    >>> import numpy as np
    >>> from sim.games import NormalFormGame
    >>> game = NormalFormGame.from_matrices([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> truth = logit_branch(game, 0.8)[0].strategies
    >>> counts = [np.round(100_000 * s) for s in truth]
    >>> round(fit_logit(game, counts).lam, 2)
    0.8
    """
    from scipy.optimize import minimize_scalar

    observed = [np.asarray(c, dtype=np.float64) for c in counts]
    if len(observed) != game.n_players or any(
        c.shape != (n,) for c, n in zip(observed, game.shape, strict=True)
    ):
        raise UsageError(f"counts: expected one count per action for each player {game.shape}")
    if any(np.any(c < 0) for c in observed) or sum(c.sum() for c in observed) <= 0:
        raise UsageError("counts must be nonnegative and not all zero")
    payoffs, scale = _rescaled(game)
    system = _System(payoffs)
    stop = 1000.0 if max_lambda is None else max_lambda * scale
    lambdas, logs = _trace(system, stop=stop)
    flat_counts = np.concatenate(observed)

    used = flat_counts > 0

    def log_likelihood(log_probabilities: FloatArray) -> float:
        return float(flat_counts[used] @ log_probabilities[used])

    scores = [log_likelihood(y) for y in logs]
    best = int(np.argmax(scores))
    lo, hi = lambdas[max(best - 1, 0)], lambdas[min(best + 1, len(lambdas) - 1)]
    start = logs[best]

    def negative(lam: float) -> float:
        return -log_likelihood(_qre_at(system, start, lam))

    if hi > lo:
        refined = minimize_scalar(
            negative, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10 * max(1.0, hi)}
        )
        lam = float(refined.x)
    else:
        lam = lambdas[best]
    logs_at_fit = _qre_at(system, start, lam)
    return LogitFit(
        lam / scale, _split(np.exp(logs_at_fit), system.shape), log_likelihood(logs_at_fit)
    )
