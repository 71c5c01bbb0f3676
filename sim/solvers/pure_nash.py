"""Pure-strategy Nash equilibria of N-player games, vectorised over whole batches.

A pure profile is an equilibrium when every player's action attains the maximum
of that player's payoff along their own axis. This is one comparison per
player over the payoff array, so a batch of a million games is solved with a
handful of numpy operations and no Python loop per game.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.errors import UsageError
from sim.games.normal_form import NormalFormGame
from sim.solvers.solution import Solution, make_equilibrium

__all__ = ["best_actions", "max_along", "pure_nash", "pure_nash_mask"]

#: Axes up to this long are reduced slice by slice (see :func:`max_along`).
SHORT_AXIS = 16
#: Payoffs closer than this (relative to the largest absolute payoff) count as equal.
RELATIVE_TIE_TOLERANCE = 1e-12


def pure_nash_mask(
    payoffs: npt.ArrayLike, *, batch_ndim: int = 0, rtol: float = RELATIVE_TIE_TOLERANCE
) -> npt.NDArray[np.bool_]:
    """Mark the pure Nash equilibria of one game or of a batch of games.

    Parameters
    ----------
    payoffs
        Shape ``(*batch, n_players, n_1, ..., n_N)`` with ``batch_ndim`` leading axes.
    batch_ndim
        How many leading axes index parameter points (0 for a single game).
    rtol
        Payoffs within ``rtol`` times the game's largest absolute payoff count as
        equal, so round-off cannot hide a tie (and rescaling payoffs changes nothing).

    Returns
    -------
    Boolean array of shape ``(*batch, n_1, ..., n_N)``, true at equilibria.

    Examples
    --------
    The prisoner's dilemma has one equilibrium, mutual defection:

    >>> pd = [[[3, 0], [5, 1]], [[3, 5], [0, 1]]]
    >>> pure_nash_mask(pd)
    array([[False, False],
           [False,  True]])
    """
    array = np.asarray(payoffs, dtype=np.float64)
    n = array.shape[batch_ndim]
    batch = array.shape[:batch_ndim]
    scale = np.abs(array.reshape(*batch, math.prod(array.shape[batch_ndim:]))).max(axis=-1)
    tol = (rtol * scale).reshape(scale.shape + (1,) * n)
    mask = np.ones(batch + array.shape[batch_ndim + 1 :], dtype=bool)
    for i in range(n):
        own = array[(slice(None),) * batch_ndim + (i,)]
        mask &= own >= max_along(own, batch_ndim + i) - tol
    return mask


def max_along(array: npt.NDArray[np.float64], axis: int) -> npt.NDArray[np.float64]:
    """``array.max(axis=axis, keepdims=True)``, faster on short axes of large batches.

    A game's action axes are short (a few actions) while the batch axis is
    long; numpy reduces a short middle axis element by element, so for up to
    :data:`SHORT_AXIS` actions the maximum is taken slice by slice instead,
    each step a full-width operation.

    Examples
    --------
    >>> a = np.array([[[1.0, 5.0], [4.0, 2.0]]])
    >>> max_along(a, 1).tolist()
    [[[4.0, 5.0]]]
    """
    length = array.shape[axis]
    if length > SHORT_AXIS or length == 0:
        result: npt.NDArray[np.float64] = array.max(axis=axis, keepdims=True)
        return result
    index: list[Any] = [slice(None)] * array.ndim
    index[axis] = slice(0, 1)
    best: npt.NDArray[np.float64] = array[tuple(index)].copy()
    for k in range(1, length):
        index[axis] = slice(k, k + 1)
        np.maximum(best, array[tuple(index)], out=best)
    return best


def pure_nash(game: NormalFormGame, *, tol: float = RELATIVE_TIE_TOLERANCE) -> Solution:
    """All pure-strategy Nash equilibria of a game.

    The list is always complete: every pure profile is checked.

    Parameters
    ----------
    game
        The game. For a :class:`~sim.games.GameBatch` use
        ``pure_nash_mask(batch.payoffs, batch_ndim=1)``.
    tol
        Relative tolerance for payoff ties, as ``rtol`` in :func:`pure_nash_mask`.

    Examples
    --------
    Battle of the sexes has two pure equilibria:

    >>> from sim.games import NormalFormGame
    >>> bos = NormalFormGame.from_matrices([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    >>> [tuple(int(s.argmax()) for s in eq.strategies) for eq in pure_nash(bos)]
    [(0, 0), (1, 1)]
    """
    mask = pure_nash_mask(game.payoffs, rtol=tol)
    equilibria = []
    for index in np.argwhere(mask):
        strategies = [np.eye(n)[a] for a, n in zip(index, game.shape, strict=True)]
        equilibria.append(
            make_equilibrium(game, strategies, concept="pure-nash", method="pure_nash")
        )
    return Solution(game, tuple(equilibria), concept="pure-nash", method="pure_nash", complete=True)


def best_actions(game: NormalFormGame, *, tol: float = RELATIVE_TIE_TOLERANCE) -> Solution:
    """The Nash equilibria of a one-player game: its best actions (the extreme ones).

    Any mixture of best actions is an equilibrium too; the pure ones are its
    extreme points, so the list is complete in the sense vertex enumeration uses.

    Examples
    --------
    >>> from sim.games import NormalFormGame
    >>> solo = NormalFormGame([[1, 3, 3]], players=["Seoul"], actions=[["a", "b", "c"]])
    >>> [int(eq.strategies[0].argmax()) for eq in best_actions(solo)]
    [1, 2]
    """
    if game.n_players != 1:
        raise UsageError(f"best_actions: 1-player games only; got {game.n_players} players")
    found = tuple(
        make_equilibrium(game, eq.normal_profile(), concept="nash", method="best_actions")
        for eq in pure_nash(game, tol=tol)
    )
    return Solution(game, found, concept="nash", method="best_actions", complete=True)
