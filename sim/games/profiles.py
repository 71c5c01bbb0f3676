"""Mixed-strategy profiles: expected payoffs, best responses and regret.

This module is the single, independent referee for every solver: whatever
method found a profile, its regret is recomputed here from the payoff array
alone, by plain tensor contraction, sharing no code with the solvers.

A *profile* is a sequence with one probability vector per player.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from sim.errors import GameError
from sim.games.normal_form import NormalFormGame

__all__ = [
    "Profile",
    "action_values",
    "as_profile",
    "best_responses",
    "coarse_violation",
    "expected_payoffs",
    "max_regret",
    "obedience_violation",
    "pure_profile",
    "regrets",
]

FloatArray = npt.NDArray[np.float64]
Profile = tuple[FloatArray, ...]


def as_profile(
    game: NormalFormGame, strategies: Sequence[npt.ArrayLike], *, atol: float = 1e-9
) -> Profile:
    """Check that ``strategies`` is a mixed profile of ``game`` and return it as arrays.

    Examples
    --------
    >>> g = NormalFormGame.from_matrices([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    >>> as_profile(g, [[1, 0], [0.5, 0.5]])[1]
    array([0.5, 0.5])
    """
    if len(strategies) != game.n_players:
        raise GameError(f"expected {game.n_players} strategies; got {len(strategies)}")
    profile = []
    for i, (s, n) in enumerate(zip(strategies, game.shape, strict=True)):
        x = np.asarray(s, dtype=np.float64)
        if x.shape != (n,):
            raise GameError(
                f"strategy of {game.players[i]!r}: expected {n} probabilities; got shape {x.shape}"
            )
        if not np.all(np.isfinite(x)) or x.min() < -atol or abs(x.sum() - 1.0) > atol * max(n, 1):
            raise GameError(f"strategy of {game.players[i]!r} is not a probability vector: {x}")
        profile.append(x)
    return tuple(profile)


def pure_profile(game: NormalFormGame, actions: Sequence[int]) -> Profile:
    """The profile in which player ``i`` plays action ``actions[i]`` for sure.

    Examples
    --------
    >>> g = NormalFormGame.from_matrices([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    >>> pure_profile(g, [1, 0])
    (array([0., 1.]), array([1., 0.]))
    """
    profile = []
    for a, n in zip(actions, game.shape, strict=True):
        x = np.zeros(n)
        x[a] = 1.0
        profile.append(x)
    return tuple(profile)


def action_values(game: NormalFormGame, profile: Sequence[npt.ArrayLike]) -> Profile:
    """Each player's expected payoff from each of their own actions.

    Entry ``[i][a]`` is what player ``i`` expects from action ``a`` when every
    other player ``j`` plays ``profile[j]``.

    Examples
    --------
    >>> g = NormalFormGame.from_matrices([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    >>> action_values(g, [[0.5, 0.5], [0.25, 0.75]])[0]
    array([0.25, 0.75])
    """
    strategies = [np.asarray(s, dtype=np.float64) for s in profile]
    if game.n_players == 2:  # the common case, as two matrix-vector products
        return (game.payoffs[0] @ strategies[1], strategies[0] @ game.payoffs[1])
    values = []
    for i in range(game.n_players):
        table = game.payoffs[i]
        # Contract the other players' axes, last first, so axis indices stay valid.
        for j in reversed(range(game.n_players)):
            if j != i:
                table = np.tensordot(table, strategies[j], axes=([j], [0]))
        values.append(np.asarray(table, dtype=np.float64))
    return tuple(values)


def expected_payoffs(game: NormalFormGame, profile: Sequence[npt.ArrayLike]) -> FloatArray:
    """Each player's expected payoff under a mixed profile.

    Examples
    --------
    >>> g = NormalFormGame.from_matrices([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    >>> expected_payoffs(g, [[0.5, 0.5], [0.5, 0.5]])
    array([0.5, 0.5])
    """
    values = action_values(game, profile)
    return np.array(
        [float(v @ np.asarray(s, dtype=np.float64)) for v, s in zip(values, profile, strict=True)]
    )


def regrets(game: NormalFormGame, profile: Sequence[npt.ArrayLike]) -> FloatArray:
    """Each player's regret: the best pure deviation's gain over the profile's payoff."""
    values = action_values(game, profile)
    return np.array(
        [
            float(v.max() - v @ np.asarray(s, dtype=np.float64))
            for v, s in zip(values, profile, strict=True)
        ]
    )


def max_regret(game: NormalFormGame, profile: Sequence[npt.ArrayLike]) -> float:
    """The largest gain any player could get by deviating alone; 0 at a Nash equilibrium.

    Examples
    --------
    Matching pennies: only (1/2, 1/2) for both has no regret.

    >>> g = NormalFormGame.from_matrices([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> max_regret(g, [[0.5, 0.5], [0.5, 0.5]])
    0.0
    >>> max_regret(g, [[1, 0], [1, 0]])
    2.0
    """
    return max(0.0, float(regrets(game, profile).max()))


def best_responses(
    game: NormalFormGame, profile: Sequence[npt.ArrayLike], *, tol: float = 1e-9
) -> tuple[tuple[int, ...], ...]:
    """Each player's pure best responses to the others' strategies in ``profile``.

    Examples
    --------
    >>> g = NormalFormGame.from_matrices([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    >>> best_responses(g, [[0.5, 0.5], [0.5, 0.5]])
    ((0, 1), (0, 1))
    """
    return tuple(
        tuple(int(a) for a in np.flatnonzero(v >= v.max() - tol))
        for v in action_values(game, profile)
    )


def obedience_violation(game: NormalFormGame, joint: npt.ArrayLike) -> float:
    """How much the most tempted player gains by disobeying a recommendation.

    ``joint`` is a distribution over pure profiles (shape ``game.shape``). For
    each player ``i``, recommended action ``a`` and alternative ``b``, the gain
    is ``sum over others' actions of joint[a, s] * (u_i(b, s) - u_i(a, s))``;
    a correlated equilibrium (Aumann 1974) makes every gain at most 0.

    Examples
    --------
    Chicken, with a mediator who never recommends the crash:

    >>> g = NormalFormGame.from_matrices([[6, 2], [7, 0]], [[6, 7], [2, 0]])
    >>> obedience_violation(g, [[1/3, 1/3], [1/3, 0]])
    0.0
    >>> obedience_violation(g, [[1, 0], [0, 0]])  # "both restrain" alone is not obeyed
    1.0
    """
    distribution = np.asarray(joint, dtype=np.float64)
    worst = 0.0
    for i in range(game.n_players):
        own = np.moveaxis(game.payoffs[i], i, 0).reshape(game.shape[i], -1)
        weights = np.moveaxis(distribution, i, 0).reshape(game.shape[i], -1)
        # gains[a, b] = sum_s weights[a, s] * (own[b, s] - own[a, s])
        gains = weights @ own.T - (weights * own).sum(axis=1, keepdims=True)
        worst = max(worst, float(gains.max()))
    return worst


def coarse_violation(game: NormalFormGame, joint: npt.ArrayLike) -> float:
    """How much the most tempted player gains by committing to one action in advance.

    A coarse correlated equilibrium (Moulin & Vial 1978) makes the gain of
    every ex-ante deviation at most 0.

    Examples
    --------
    >>> g = NormalFormGame.from_matrices([[6, 2], [7, 0]], [[6, 7], [2, 0]])
    >>> coarse_violation(g, [[1/3, 1/3], [1/3, 0]])
    0.0
    """
    distribution = np.asarray(joint, dtype=np.float64)
    worst = 0.0
    for i in range(game.n_players):
        own = np.moveaxis(game.payoffs[i], i, 0).reshape(game.shape[i], -1)
        weights = np.moveaxis(distribution, i, 0).reshape(game.shape[i], -1)
        committed = own @ weights.sum(axis=0)  # each fixed action against the others' play
        worst = max(worst, float(committed.max() - (own * weights).sum()))
    return worst
