"""Every isolated Nash equilibrium of a small N-player game, by support enumeration.

An equilibrium with support profile ``S = (S_1, ..., S_N)`` makes every player
indifferent among the actions of their support. For a fixed ``S`` those
conditions form a square polynomial system in the players' probabilities,
multilinear (degree one in each *other* player's probabilities). This module
enumerates the support profiles, discards those that cannot carry an
equilibrium, and solves every remaining system by multi-homogeneous homotopy
continuation, all in one vectorised batch (see
:mod:`sim.solvers._polynomial_homotopy`).

The algorithm
-------------
1. **Supports.** Every profile of non-empty supports is considered. A support
   ``S_i`` is discarded when some action ``a`` in it is *conditionally strictly
   dominated* given the others' supports: some action ``a'`` (in or out of
   ``S_i``) satisfies ``u_i(a', s) > u_i(a, s)`` for every pure profile ``s`` of
   the others drawn from ``S_-i`` (Porter, Nudelman & Shoham 2008). This is safe:
   any mix ``sigma_-i`` on ``S_-i`` is an average of such ``s``, so ``a'`` earns
   strictly more than ``a`` against it, ``a`` is not a best response, and so it
   cannot have positive probability in an equilibrium. For profiles of pure
   supports the rule is exactly the pure-equilibrium test.
2. **Equations.** For each player ``i`` with reference action ``r_i`` (the first
   of ``S_i``) and each other ``k`` in ``S_i``:
   ``u_i(k, sigma_-i) - u_i(r_i, sigma_-i) = 0``, plus one random complex
   affine patch ``c_j . sigma_j = 1`` per player in homogeneous coordinates.
   The system lives on a product of projective spaces, one of dimension
   ``d_j = |S_j| - 1`` per player.
3. **Homotopy.** The start system replaces each equation by a product of
   random linear forms, one per other group; choosing which factor vanishes, so
   that group ``j`` is chosen ``d_j`` times, and solving one linear system per
   group gives every start solution. Their number is the multi-homogeneous
   Bezout number, which for these systems is the McKelvey & McLennan (1997)
   bound on totally mixed equilibria. The straight-line homotopy
   ``(1 - t) gamma G + t F`` with a random complex ``gamma`` is tracked by an
   RK4 predictor and Newton corrector with per-path adaptive steps, every path
   of every support profile in one numpy batch. Supports with a Bezout number
   of zero have no isolated solutions and are skipped. Two kinds of support are
   solved without a homotopy, with the same endpoint checks as tracked paths:

   * when at most two players mix, the system is linear once the pure players'
     coordinates are fixed (its Bezout number is one): one Newton step from any
     point with those coordinates solves it, and the next must confirm it;
   * when exactly three players mix, with two actions each, or with three,
     two and two (Bezout number two), or with three, three and two (Bezout
     number four), eliminating two players leaves a binary quadratic or quartic
     in the third player's probabilities; when exactly four players mix two
     actions each (Bezout number nine) or three players mix three actions each
     (Bezout number ten), eliminating two players and taking a resultant leaves
     one polynomial (degree 13 or 16) whose roots include the solutions. The
     candidate solutions, refined by Newton's method on the full system, are
     used only when they are clean: finite, converged, and as many pairwise
     distinct solutions as the Bezout number. If they are also nonsingular
     (which ``complete`` requires), these are all the isolated solutions, the
     points where the paths would end. A support whose candidates are not clean
     is tracked instead (with random games that is rare).
4. **Endpoints.** An endpoint is kept when each player's coordinates can be
   normalised to sum to one, are real (up to round-off), and are positive on the
   support; it is then refined by Newton's method in real arithmetic on the
   target system (patch ``sum(sigma_j) = 1``) and accepted when no action,
   inside or outside the support, does better than the support by more than
   ``tol`` (in payoffs rescaled to ``[0, 1]`` per player).

What ``complete`` guarantees
----------------------------
``complete`` is True only when all of the following held:

* every homotopy path reached ``t = 1`` and Newton's method converged there
  (for a support solved directly: its last Newton correction was below
  ``1e-8``);
* every endpoint was nonsingular (reciprocal condition number of the suitably
  scaled Jacobian above ``1e-9``) and no two paths of one support ended at the
  same point (which would mean a path jumped; the two closed-form solutions of
  a support are distinct, or the support is tracked);
* every equilibrium found is locally isolated: its Jacobian on its own support
  is nonsingular, and so is the Jacobian of every enlarged support obtained by
  adding actions that are unused best responses (a curve of equilibria leaving
  the point would have to lie in one of those systems);
* no player has two or more best replies to a pure profile of the others at
  which some mix of those replies is an equilibrium (such one-player-mixing
  supports have Bezout number zero, so no path examines them; an interval test
  for two replies, and a linear program for more, checks them directly).

Then, with probability one over the random ``gamma``, patches and start
systems, every equilibrium that is an isolated solution of its support's
system has been found (Morgan & Sommese 1987; Sommese & Wampler 2005,
chapters 7-8), and in particular every regular equilibrium. Otherwise
``complete`` is False and ``notes`` says why in plain words; the equilibria
returned are still each verified. The numerical path tracker is not
certified: "with probability one" refers to the random choices, under the usual
assumption that the adaptive step control followed each path faithfully
(failures of that kind are detected by the checks above when they cause a
path to stop or two paths to merge). A component of equilibria that is
positive-dimensional and meets no isolated equilibrium of any support is not
detected unless it is one of the one-player-mixing sets above: in particular a
positive-dimensional solution set of a support with two or more mixing players
and Bezout number zero goes unnoticed when it touches no equilibrium found.
Such games are non-generic (ties in the payoffs), and ``complete`` speaks only
of isolated equilibria.

Cost
----
The work is the number of paths, the sum over unpruned support profiles of
their Bezout numbers (supports solved directly count too, though they cost
far less than tracked paths). Games needing more than :data:`MAX_PATHS` paths, or
having more than :data:`MAX_SUPPORT_PROFILES` support profiles, are refused
with :class:`~sim.errors.TooLargeError` (about a minute of work on one core).

The code follows the steps: :func:`_prune` (supports), :func:`_lay_out` (the
random systems and every path's start), :func:`_solve_paths` (solved directly
or tracked, then checked for merged paths), :func:`_verify` (endpoints refined
and accepted, and what ``complete`` can promise), :func:`_assemble` (the
sorted result).

References
----------
R. Porter, E. Nudelman and Y. Shoham, "Simple search methods for finding a
Nash equilibrium", *Games and Economic Behavior* 63 (2008) 642-662.

R. D. McKelvey and A. McLennan, "The maximal number of regular totally mixed
Nash equilibria", *Journal of Economic Theory* 72 (1997) 411-425.

A. J. Sommese and C. W. Wampler, *The Numerical Solution of Systems of
Polynomials Arising in Engineering and Science*, World Scientific, 2005.

A. P. Morgan and A. J. Sommese, "A homotopy for solving general polynomial
systems that respects m-homogeneous structures", *Applied Mathematics and
Computation* 24 (1987) 101-113.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.errors import TooLargeError, UsageError
from sim.games.normal_form import NormalFormGame
from sim.solvers import _polynomial_homotopy as hc
from sim.solvers import _support_closed_forms as cf
from sim.solvers.solution import Equilibrium, Solution, deduplicate, make_equilibrium

__all__ = ["MAX_PATHS", "MAX_SUPPORT_PROFILES", "support_enumeration"]

FloatArray = npt.NDArray[np.float64]
ComplexArray = npt.NDArray[np.complex128]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
AnyArray = npt.NDArray[Any]

#: Most homotopy paths tracked before the game is refused as too large.
MAX_PATHS = 40_000
#: Most support profiles (product over players of ``2**n_i - 1``) considered.
MAX_SUPPORT_PROFILES = 300_000
#: Reciprocal condition number below which a solution counts as singular.
SINGULAR_RCOND = 1e-9
#: Paths gathered into one call of the tracker (bounds memory).
_PATH_CHUNK = 2048

_CONCEPT = "nash"
_METHOD = "support_enumeration"


@dataclass(frozen=True)
class _Systems:
    """The polynomial systems of a list of support profiles (layout of ``hc.layout``)."""

    tensors: list[AnyArray]  # per player: (Q, n_i - 1, n_j for j != i)
    linear: AnyArray  # (Q, n, n)
    rhs: AnyArray  # (Q, n)


def _normalised_payoffs(game: NormalFormGame) -> list[FloatArray]:
    """Each player's payoffs rescaled to [0, 1] (all zero for an indifferent player)."""
    out = []
    for u in game.payoffs:
        lo, hi = float(u.min()), float(u.max())
        out.append((u - lo) / (hi - lo) if hi > lo else np.zeros_like(u))
    return out


@functools.cache
def _subset_masks(n: int) -> BoolArray:
    """All non-empty subsets of ``range(n)`` as boolean rows, smallest first (cached, read-only)."""
    rows = [m for m in itertools.product([False, True], repeat=n) if any(m)]
    rows.sort(key=lambda m: (sum(m), [not b for b in m]))
    out = np.array(rows, dtype=bool).reshape(len(rows), n)
    out.flags.writeable = False
    return out


def _surviving_profiles(payoffs: list[FloatArray], subsets: list[BoolArray]) -> IntArray:
    """Indices (one subset index per player) of support profiles that survive pruning.

    A profile is dropped when some action of some player's support is strictly
    dominated, given the other players' supports, by some action of that player.
    """
    n_players = len(payoffs)
    grid_shape = tuple(len(s) for s in subsets)
    alive = np.ones(grid_shape, dtype=bool)
    for i, u in enumerate(payoffs):
        ui = np.moveaxis(u, i, 0)  # (n_i, others...)
        # gain[a, b, s_-i] = u_i(b, s_-i) - u_i(a, s_-i)
        gain = ui[None, :] - ui[:, None]
        others = [j for j in range(n_players) if j != i]
        # Minimum over each other player's support, last player first.
        worst = gain
        for pos in reversed(range(len(others))):
            j = others[pos]
            axis = 2 + pos
            moved = np.moveaxis(worst, axis, -1)[..., None, :]  # (..., 1, n_j)
            masked = np.where(subsets[j], moved, np.inf)  # (..., subsets_j, n_j)
            worst = np.moveaxis(masked.min(axis=-1), -1, axis)
        # dominated[a, subsets_-i...]: some b beats a against every profile in S_-i.
        dominated = (worst > 0).any(axis=1)
        # A support of i is bad if it contains a dominated action.
        bad = (
            np.einsum("sa,a...->s...", subsets[i].astype(np.int64), dominated.astype(np.int64)) > 0
        )
        alive &= np.moveaxis(bad, 0, i) == 0
    return np.argwhere(alive).astype(np.int64)


def _slots(mask: BoolArray) -> tuple[IntArray, IntArray, BoolArray]:
    """Reference action, the action behind each of the ``n_i - 1`` row slots, and which are games.

    Slots list the support's other actions first (indifference rows), then the
    actions outside the support (rows pinning their probability to zero).
    """
    order = np.argsort(~mask, axis=1, kind="stable").astype(np.int64)
    slot_action = order[:, 1:]
    return order[:, 0], slot_action, np.take_along_axis(mask, slot_action, axis=1)


def _build(
    payoffs: list[FloatArray], masks: list[BoolArray], patches: Sequence[AnyArray]
) -> _Systems:
    """The target systems of a list of support profiles.

    Player ``i`` owns ``n_i - 1`` tensor rows: the indifference equations
    ``u_i(a, sigma_-i) - u_i(ref, sigma_-i) = 0`` for the support's other actions
    ``a`` (degree one in every other player's probabilities), then
    ``sigma_i[a] = 0`` for the actions outside the support; and one patch row
    ``patch_i . sigma_i = 1``.
    """
    sizes = tuple(m.shape[1] for m in masks)
    n_players, n = len(sizes), sum(sizes)
    n_prof = masks[0].shape[0]
    dtype = np.result_type(*patches, np.float64)
    x_off, r_off = hc.layout(sizes)
    first_patch_row = int(r_off[-1])
    linear = np.zeros((n_prof, n, n), dtype=dtype)
    rhs = np.zeros((n_prof, n), dtype=dtype)
    tensors: list[AnyArray] = []
    for i in range(n_players):
        others = [j for j in range(n_players) if j != i]
        first, slot_action, is_game = _slots(masks[i])
        ui = np.moveaxis(payoffs[i], i, 0)
        tensor = (ui[slot_action] - ui[first][:, None]) * is_game.reshape(
            *is_game.shape, *([1] * len(others))
        )
        for pos, j in enumerate(others):
            shape = [n_prof, 1] + [1] * len(others)
            shape[pos + 2] = sizes[j]
            tensor = tensor * masks[j].reshape(shape)
        tensors.append(tensor.astype(dtype))
        q_out, k_out = np.nonzero(~is_game)
        linear[q_out, r_off[i] + k_out, x_off[i] + slot_action[q_out, k_out]] = 1.0
        linear[:, first_patch_row + i, x_off[i] : x_off[i + 1]] = patches[i]
        rhs[:, first_patch_row + i] = 1.0
    return _Systems(tensors, linear, rhs)


def _start_tensors(masks: list[BoolArray], forms: ComplexArray) -> list[ComplexArray]:
    """Start systems: each indifference row becomes a product of random linear forms."""
    sizes = tuple(m.shape[1] for m in masks)
    n_players = len(sizes)
    n_prof = masks[0].shape[0]
    x_off, r_off = hc.layout(sizes)
    tensors = []
    for i in range(n_players):
        others = [j for j in range(n_players) if j != i]
        _, _, is_game = _slots(masks[i])
        block: ComplexArray = is_game.reshape(*is_game.shape, *([1] * len(others))).astype(complex)
        for pos, j in enumerate(others):
            factor = (
                forms[:, r_off[i] : r_off[i + 1], x_off[j] : x_off[j + 1]] * masks[j][:, None, :]
            )
            shape = [n_prof, sizes[i] - 1] + [1] * len(others)
            shape[pos + 2] = sizes[j]
            block = block * factor.reshape(shape)
        tensors.append(block)
    return tensors


@functools.cache
def _positions(assignments: bytes, shape: tuple[int, int], group: int) -> IntArray:
    """Where ``group`` occurs in each row of the assignment table (cached: shapes repeat)."""
    table = np.frombuffer(assignments, dtype=np.int64).reshape(shape)
    hits = np.nonzero(table == group)
    return np.asarray(hits[1], dtype=np.int64).reshape(shape[0], -1)


def _start_points(
    masks: list[BoolArray], patches: list[ComplexArray], forms: ComplexArray, assignments: IntArray
) -> ComplexArray:
    """Start solutions of profiles that share one size profile: (profiles, assignments, n).

    In start solution ``k``, equation ``e`` (of player ``i``) vanishes through its
    factor in group ``assignments[k, e]``; each group then solves its chosen
    linear forms, its zero pins and its patch.
    """
    sizes = tuple(m.shape[1] for m in masks)
    n_players = len(sizes)
    n_prof = masks[0].shape[0]
    n_assign = assignments.shape[0]
    x_off, r_off = hc.layout(sizes)
    degrees = [int(m[0].sum()) - 1 for m in masks]
    eq_rows = np.concatenate([r_off[i] + np.arange(degrees[i]) for i in range(n_players)])
    parts = []
    for j in range(n_players):
        nj, d_j = sizes[j], degrees[j]
        matrix = np.zeros((n_prof, n_assign, nj, nj), dtype=complex)
        if d_j > 0:
            positions = _positions(assignments.tobytes(), assignments.shape, j)
            chosen = forms[:, eq_rows[positions], x_off[j] : x_off[j + 1]]  # (Q, K, d_j, n_j)
            matrix[:, :, :d_j, :] = chosen * masks[j][:, None, None, :]
        _, slot_action, _ = _slots(masks[j])
        outside = slot_action[:, d_j:]  # (Q, n_j - s_j)
        for m in range(outside.shape[1]):
            matrix[np.arange(n_prof), :, d_j + m, outside[:, m]] = 1.0
        matrix[:, :, nj - 1, :] = patches[j][:, None, :]
        target = np.zeros((n_prof, n_assign, nj), dtype=complex)
        target[:, :, nj - 1] = 1.0
        parts.append(np.linalg.solve(matrix, target[..., None])[..., 0])
    return np.concatenate(parts, axis=2)


def _action_values(payoffs: list[FloatArray], sigma: Sequence[AnyArray]) -> list[FloatArray]:
    """Own computation of each player's payoff from each action, for a batch of profiles."""
    n_players = len(payoffs)
    values = []
    for i, u in enumerate(payoffs):
        operands: list[object] = [u, list(range(1, n_players + 1))]
        for j in range(n_players):
            if j != i:
                operands += [sigma[j], [0, j + 1]]
        operands.append([0, i + 1])
        values.append(np.asarray(np.einsum(*operands), dtype=np.float64))  # type: ignore[call-overload]
    return values


def _describe(game: NormalFormGame, masks: list[BoolArray], q: int) -> str:
    parts = []
    for i, m in enumerate(masks):
        acts = ", ".join(game.actions[i][a] for a in np.flatnonzero(m[q]))
        parts.append(f"{game.players[i]}: {{{acts}}}")
    return "; ".join(parts)


def _profile_text(game: NormalFormGame, sigma: list[FloatArray], c: int) -> str:
    return "; ".join(
        f"{game.players[i]} (" + ", ".join(f"{p:.4g}" for p in s[c]) + ")"
        for i, s in enumerate(sigma)
    )


def _isolation_failures(
    payoffs: list[FloatArray],
    masks: list[BoolArray],
    sigma: list[FloatArray],
    ties: list[BoolArray],
) -> BoolArray:
    """For each equilibrium, whether some support enlarged by tied actions is singular at it."""
    n_eq = masks[0].shape[0]
    sizes = tuple(m.shape[1] for m in masks)
    failed = np.zeros(n_eq, dtype=bool)
    ext_masks: list[list[BoolArray]] = [[] for _ in sizes]
    owner: list[int] = []
    for c in range(n_eq):
        tied = [(i, a) for i in range(len(sizes)) for a in np.flatnonzero(ties[i][c])]
        if len(tied) > 10:
            failed[c] = True
            continue
        for r in range(1, len(tied) + 1):
            for extra in itertools.combinations(tied, r):
                for i in range(len(sizes)):
                    m = masks[i][c].copy()
                    for p, a in extra:
                        if p == i:
                            m[a] = True
                    ext_masks[i].append(m)
                owner.append(c)
    if owner:
        ms = [np.array(m, dtype=bool) for m in ext_masks]
        pts = [np.asarray(s[owner], dtype=np.float64) for s in sigma]
        systems = _build(payoffs, ms, [m.astype(np.float64) for m in ms])
        x = np.concatenate(pts, axis=1)
        _, jac = hc.evaluate(systems.tensors, systems.linear, systems.rhs, x, sizes)
        singular = hc.relative_condition(jac, x, sizes) < SINGULAR_RCOND
        np.logical_or.at(failed, np.array(owner), singular)
    return failed


def _indifference_sets(
    game: NormalFormGame, payoffs: list[FloatArray], tol: float
) -> list[tuple[str, list[list[FloatArray]]]]:
    """Continua where one player mixes and everyone else plays purely.

    Such supports have a Bezout number of zero (the mixing player's equations
    are constants), so no path looks at them. When player ``i`` has several best
    replies ``T`` to a pure profile ``s`` of the others, every mix over ``T`` keeps
    ``i`` indifferent; if some such mix also keeps every other player's action in
    ``s`` a best reply (a linear feasibility problem: an interval test for two
    replies, a linear program for more), equilibria that are not isolated may exist
    there. Returns, per case, a description and equilibria of that set: the two
    ends of the interval of mixes for two replies, the linear program's vertex
    for more.
    """
    n_players = game.n_players
    found = []
    for i in range(n_players):
        others = [j for j in range(n_players) if j != i]
        ui = np.moveaxis(payoffs[i], i, 0)
        n_best = (ui >= ui.max(axis=0) - tol).sum(axis=0)
        for rest_array in np.argwhere(n_best >= 2):
            rest = tuple(int(a) for a in rest_array)
            where: tuple[Any, ...] = (slice(None), *rest)
            values = ui[where]
            tied = np.flatnonzero(values >= values.max() - tol)
            rows = []
            for pos, j in enumerate(others):
                index: list[int | slice] = [0] * n_players
                for qos, k in enumerate(others):
                    index[k] = rest[qos]
                index[i] = slice(None)
                uj = payoffs[j]
                own = uj[tuple(index)][tied]
                for b in range(game.shape[j]):
                    if b != rest[pos]:
                        alt = list(index)
                        alt[j] = b
                        rows.append(uj[tuple(alt)][tied] - own)
            k = len(tied)
            mixes = [np.full(k, 1.0 / k)] if not rows else []
            if rows and k == 2:
                # Mixes (lam, 1 - lam): each row bounds lam on one side; exact.
                table = np.array(rows)
                slope, room = table[:, 0] - table[:, 1], tol - table[:, 1]
                if np.any((slope == 0) & (room < 0)):
                    continue
                up, down = slope > 0, slope < 0
                hi = min(1.0, float(np.min(room[up] / slope[up], initial=np.inf)))
                lo = max(0.0, float(np.max(room[down] / slope[down], initial=-np.inf)))
                if lo > hi:
                    continue
                mixes = [np.array([lam, 1.0 - lam]) for lam in sorted({lo, hi})]
            elif rows:
                from scipy.optimize import linprog

                result = linprog(
                    np.zeros(k),
                    A_ub=np.array(rows),
                    b_ub=np.full(len(rows), tol),
                    A_eq=np.ones((1, k)),
                    b_eq=[1.0],
                    bounds=[(0, None)] * k,
                    method="highs",
                )
                if result.status != 0:
                    continue
                mixes = [np.clip(result.x, 0.0, None)]
            profiles = []
            for mix in mixes:
                profile = []
                for j in range(n_players):
                    strategy = np.zeros(game.shape[j])
                    if j == i:
                        strategy[tied] = mix
                    else:
                        strategy[rest[others.index(j)]] = 1.0
                    profile.append(strategy)
                profiles.append(profile)
            acts = ", ".join(game.actions[i][a] for a in tied)
            pure = ", ".join(
                f"{game.players[j]} plays {game.actions[j][a]}"
                for j, a in zip(others, rest, strict=True)
            )
            found.append(
                (
                    f"{game.players[i]} is indifferent among {{{acts}}} when {pure}, "
                    "and some mix of them is an equilibrium: the game may have a "
                    "non-isolated set of equilibria there",
                    profiles,
                )
            )
    return found


def support_enumeration(
    game: NormalFormGame,
    *,
    tol: float = 1e-9,
    rng: np.random.Generator | int | None = None,
) -> Solution:
    """All isolated Nash equilibria of an N-player game, by support enumeration and homotopy.

    Parameters
    ----------
    game
        A normal-form game with at least two players.
    tol
        Acceptance tolerance, in payoffs rescaled to ``[0, 1]`` for each player:
        probabilities on a support must exceed it, and no action may beat the
        support by more than it.
    rng
        Seed or generator for the random start systems, patches and ``gamma``.
        The equilibria found do not depend on it (with probability one); the
        same seed gives the same result.

    Returns
    -------
    Solution
        Concept ``"nash"``, method ``"support_enumeration"``, the equilibria
        sorted by support size and then by strategy, and ``complete`` set as
        described in the module docstring (True only when every isolated
        equilibrium is guaranteed found, with probability one over ``rng``).

    Raises
    ------
    UsageError
        If the game has fewer than two players, or ``tol`` is not positive.
    TooLargeError
        If the game needs more than :data:`MAX_PATHS` homotopy paths or has more
        than :data:`MAX_SUPPORT_PROFILES` support profiles.

    Notes
    -----
    Support profiles are pruned by conditional strict dominance (Porter,
    Nudelman & Shoham 2008). Each remaining support's indifference equations
    are solved by multi-homogeneous homotopy continuation (Morgan & Sommese
    1987; Sommese & Wampler 2005) with as many paths as the McKelvey & McLennan
    (1997) bound for that support.

    Examples
    --------
    Three players each choose heads or tails. Player 1 wants to match player 2,
    player 2 wants to match player 3, and player 3 wants to mismatch player 1.
    The only equilibrium has everyone mixing half and half:

    >>> import numpy as np
    >>> from sim.games.normal_form import NormalFormGame
    >>> u = np.zeros((3, 2, 2, 2))
    >>> for a, b, c in np.ndindex(2, 2, 2):
    ...     u[:, a, b, c] = [a == b, b == c, c != a]
    >>> solution = support_enumeration(NormalFormGame(u), rng=0)
    >>> len(solution), solution.complete
    (1, True)
    >>> [s.round(6).tolist() for s in solution[0].strategies]
    [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]
    """
    supports = _prune(game, tol)
    paths = _lay_out(supports, np.random.default_rng(rng))
    ends = _solve_paths(paths)
    found, indifferent, notes, complete = _verify(game, paths, ends, tol)
    return _assemble(game, found, indifferent, notes, complete, tol)


# ---------------------------------------------------------------------- 1. supports
@dataclass(frozen=True)
class _Supports:
    """The support profiles left after pruning, and how many paths each needs."""

    sizes: tuple[int, ...]
    payoffs: list[FloatArray]  # rescaled to [0, 1] per player
    masks: list[BoolArray]  # per player: (profiles, n_i), the support of each profile
    support_size: IntArray  # (profiles, players)


def _prune(game: NormalFormGame, tol: float) -> _Supports:
    """Every support profile that can carry an isolated equilibrium, within the caps."""
    if game.n_players < 2:
        raise UsageError("support_enumeration needs a game with at least two players")
    if not tol > 0:
        raise UsageError(f"tol must be positive; got {tol}")
    sizes = game.shape
    n_players = game.n_players
    n_profiles = int(np.prod([2**k - 1 for k in sizes], dtype=np.float64))
    if n_profiles > MAX_SUPPORT_PROFILES:
        raise TooLargeError(
            f"a {' x '.join(map(str, sizes))} game has {n_profiles:,} support profiles; "
            f"support_enumeration handles at most {MAX_SUPPORT_PROFILES:,}"
        )
    payoffs = _normalised_payoffs(game)
    subsets = [_subset_masks(k) for k in sizes]
    survivors = _surviving_profiles(payoffs, subsets)
    support_size = np.stack(
        [subsets[i].sum(axis=1)[survivors[:, i]] for i in range(n_players)], axis=1
    )
    kinds, kind_of = np.unique(support_size, axis=0, return_inverse=True)
    bezout = np.array(
        [hc.count_assignments(tuple(int(s) - 1 for s in row)) for row in kinds], dtype=np.int64
    )
    counts = bezout[kind_of.reshape(-1)].reshape(-1)
    total_paths = int(counts.sum())
    if total_paths > MAX_PATHS:
        raise TooLargeError(
            f"a {' x '.join(map(str, sizes))} game needs {total_paths:,} homotopy paths "
            f"after pruning; support_enumeration tracks at most {MAX_PATHS:,}"
        )
    keep = counts > 0
    survivors, support_size = survivors[keep], support_size[keep]
    masks = [
        subsets[i][survivors[:, i]] if len(survivors) else np.zeros((0, sizes[i]), dtype=bool)
        for i in range(n_players)
    ]
    return _Supports(sizes, payoffs, masks, support_size)


# ---------------------------------------------------------------------- 2. paths
@dataclass
class _Paths:
    """Every path to solve: which profile owns it, where it starts, how it is solved.

    Path ``p`` belongs to profile ``owner[p]``. Profiles where at most two players
    mix have linear systems: their one "path" each is solved directly (``direct``),
    without start point or tracking. ``closed[p]`` is the number of closed-form
    solutions of its profile (0: none); the start points of such profiles are
    computed only if they have to be tracked after all (``deferred``, by first path).
    """

    supports: _Supports
    patches: list[ComplexArray]
    forms: ComplexArray
    gamma: complex
    target: _Systems
    owner: IntArray
    x0: ComplexArray
    direct: BoolArray
    closed: IntArray
    deferred: dict[int, tuple[IntArray, IntArray]]

    @functools.cached_property
    def start_system(self) -> list[ComplexArray]:
        """The start systems (built only if some path is tracked)."""
        start = _start_tensors(self.supports.masks, self.forms)
        # Balance each start row against its target row (a positive factor leaves the
        # start solutions alone); otherwise the paths would do all their moving near t = 1.
        for i, (g_i, f_i) in enumerate(zip(start, self.target.tensors, strict=True)):
            axes = tuple(range(2, g_i.ndim))
            g_norm = np.sqrt((np.abs(g_i) ** 2).sum(axis=axes))
            f_norm = np.sqrt((np.abs(f_i) ** 2).sum(axis=axes))
            ratio = np.where(
                (g_norm > 0) & (f_norm > 0), f_norm / np.where(g_norm > 0, g_norm, 1.0), 1.0
            )
            start[i] = g_i * ratio.reshape(*ratio.shape, *([1] * len(axes)))
        return start

    def track(self, paths: IntArray, max_step: float) -> hc.TrackResult:
        """Track the given paths from their start points to the target systems."""
        masks, n = self.supports.masks, sum(self.supports.sizes)
        start = self.start_system
        for first, (group, assignments) in list(self.deferred.items()):
            span = len(group) * assignments.shape[0]
            if np.any((paths >= first) & (paths < first + span)):
                pts = _start_points(
                    [m[group] for m in masks],
                    [p[group] for p in self.patches],
                    self.forms[group],
                    assignments,
                )
                self.x0[first : first + span] = pts.reshape(-1, n)
                del self.deferred[first]
        results = []
        for lo in range(0, len(paths), _PATH_CHUNK):
            chunk = paths[lo : lo + _PATH_CHUNK]
            prof = self.owner[chunk]
            results.append(
                hc.track(
                    [s[prof] for s in start],
                    [np.asarray(a[prof], dtype=complex) for a in self.target.tensors],
                    np.asarray(self.target.linear[prof], dtype=complex),
                    np.asarray(self.target.rhs[prof], dtype=complex),
                    self.x0[chunk],
                    self.supports.sizes,
                    self.gamma,
                    max_step=max_step,
                )
            )
        return hc.TrackResult(
            np.concatenate([r.x for r in results]),
            np.concatenate([r.t for r in results]),
            np.concatenate([r.success for r in results]),
            np.concatenate([r.jacobian for r in results]),
            np.concatenate([r.correction for r in results]),
        )


def _lay_out(supports: _Supports, gen: np.random.Generator) -> _Paths:
    """Draw the random patches, start forms and ``gamma``; list every path and its start."""
    sizes, masks, support_size = supports.sizes, supports.masks, supports.support_size
    n_players, n, n_prof = len(sizes), sum(sizes), len(support_size)

    def normal(shape: tuple[int, ...]) -> ComplexArray:
        return gen.standard_normal(shape) + 1j * gen.standard_normal(shape)

    patches = [normal((n_prof, k)) * m for k, m in zip(sizes, masks, strict=True)]
    forms = normal((n_prof, n - n_players, n))
    gamma = complex(np.exp(2j * np.pi * gen.random()))
    owner_parts: list[IntArray] = []
    start_parts: list[ComplexArray] = []
    direct_parts: list[BoolArray] = []
    closed_parts: list[IntArray] = []
    deferred: dict[int, tuple[IntArray, IntArray]] = {}
    for key in sorted({tuple(int(s) for s in row) for row in support_size}):
        group = np.flatnonzero((support_size == np.array(key)).all(axis=1))
        if sum(s > 1 for s in key) <= 2:
            owner_parts.append(group)
            start_parts.append(np.zeros((len(group), n), dtype=complex))
            direct_parts.append(np.ones(len(group), dtype=bool))
            closed_parts.append(np.zeros(len(group), dtype=np.int64))
            continue
        assignments = hc.enumerate_assignments(tuple(s - 1 for s in key))
        n_paths = len(group) * assignments.shape[0]
        if cf.closed_form_count(key):
            # Start points only if some profile has to be tracked after all.
            first = sum(len(o) for o in owner_parts)
            deferred[first] = (group, assignments)
            start_parts.append(np.zeros((n_paths, n), dtype=complex))
        else:
            pts = _start_points(
                [m[group] for m in masks], [p[group] for p in patches], forms[group], assignments
            )
            start_parts.append(pts.reshape(-1, n))
        owner_parts.append(np.repeat(group, assignments.shape[0]))
        direct_parts.append(np.zeros(n_paths, dtype=bool))
        closed_parts.append(np.full(n_paths, cf.closed_form_count(key), dtype=np.int64))
    return _Paths(
        supports,
        patches,
        forms,
        gamma,
        _build(supports.payoffs, masks, patches),
        np.concatenate(owner_parts) if owner_parts else np.zeros(0, dtype=np.int64),
        np.concatenate(start_parts) if start_parts else np.zeros((0, n), dtype=complex),
        np.concatenate(direct_parts) if direct_parts else np.zeros(0, dtype=bool),
        np.concatenate(closed_parts) if closed_parts else np.zeros(0, dtype=np.int64),
        deferred,
    )


# ---------------------------------------------------------------------- 3. endpoints
@dataclass
class _Ends:
    """Where every path ended and what is known of its quality.

    ``sigma`` is each endpoint with every player's coordinates scaled to sum 1,
    ``finite`` whether that scaling was possible, ``jump`` whether the path ended
    on another path's point.
    """

    x: ComplexArray  # raw endpoints
    success: BoolArray
    rcond: FloatArray
    sigma: ComplexArray = field(default_factory=lambda: np.zeros((0, 0), dtype=complex))
    finite: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    jump: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    retried: int = 0  # paths tracked again with short steps


def _solve_directly(paths: _Paths, ends: _Ends) -> None:
    """Solve without tracking what can be: linear supports, clean closed forms.

    The ``n_roots`` paths of a closed-form profile are consecutive; one call per set
    of support sizes. All are refined together by Newton's method; ``paths.direct``
    is left true exactly for the paths solved here.
    """
    masks, patches, owner = paths.supports.masks, paths.patches, paths.owner
    sizes = paths.supports.sizes
    n, target = sum(sizes), paths.target
    d_paths: list[IntArray] = [np.flatnonzero(paths.direct)]
    d_clean: list[BoolArray] = []
    d_x0: list[ComplexArray] = [
        cf.linear_start(
            [m[owner[d_paths[0]]] for m in masks], [p[owner[d_paths[0]]] for p in patches]
        )
    ]
    blocks: list[tuple[int, IntArray]] = []
    for n_roots, solver in (
        (2, cf.quadratic_roots),
        (4, cf.quartic_roots),
        (9, cf.nine_roots),
        (10, cf.ten_roots),
    ):
        firsts = np.flatnonzero(paths.closed == n_roots)[::n_roots]
        if not len(firsts):
            continue
        pattern = np.stack([m[owner[firsts]].sum(axis=1) for m in masks], axis=1)
        roots = np.zeros((n_roots, len(firsts), n), dtype=complex)
        clean = np.zeros(len(firsts), dtype=bool)
        for sizes_here in np.unique(pattern, axis=0):
            rows = np.flatnonzero((pattern == sizes_here).all(axis=1))
            prof = owner[firsts[rows]]
            roots[:, rows], clean[rows] = solver(
                [np.asarray(a[prof], dtype=complex) for a in target.tensors],
                [m[prof] for m in masks],
                [p[prof] for p in patches],
            )
        blocks.append((n_roots, firsts))
        d_paths.append(np.concatenate([firsts + k for k in range(n_roots)]))
        d_x0.append(roots.reshape(-1, n))
        d_clean.append(clean)
    all_direct = np.concatenate(d_paths)
    if not len(all_direct):
        return
    prof = owner[all_direct]
    x_d, ok_d, jac_d = cf.refine_direct(
        [np.asarray(a[prof], dtype=complex) for a in target.tensors],
        np.asarray(target.linear[prof], dtype=complex),
        np.asarray(target.rhs[prof], dtype=complex),
        np.concatenate(d_x0),
        sizes,
    )
    keep = np.zeros(len(all_direct), dtype=bool)
    n_linear = len(d_paths[0])
    keep[:n_linear] = True
    at = n_linear
    for (n_roots, firsts), clean in zip(blocks, d_clean, strict=True):
        span = slice(at, at + n_roots * len(firsts))
        x_k = x_d[span].reshape(n_roots, len(firsts), n)
        # Clean: every root converged, and to pairwise distinct points.
        clean &= ok_d[span].reshape(n_roots, -1).all(axis=0)
        scale = np.maximum(1.0, np.abs(x_k).max(axis=2)).max(axis=0)
        for one, two in itertools.combinations(range(n_roots), 2):
            clean &= np.abs(x_k[one] - x_k[two]).max(axis=1) > 1e-6 * scale
        keep[span] = np.tile(clean, n_roots)
        at = span.stop
    done = all_direct[keep]
    ends.x[done], ends.success[done] = x_d[keep], ok_d[keep]
    ends.rcond[done] = hc.relative_condition(jac_d[keep], x_d[keep], sizes)
    paths.direct[:] = False
    paths.direct[done] = True


def _normalised(sizes: tuple[int, ...], x: ComplexArray) -> tuple[ComplexArray, BoolArray]:
    """Each player's coordinates scaled to sum 1, and whether that was possible."""
    offsets = np.cumsum((0, *sizes))
    parts, finite = [], np.ones(len(x), dtype=bool)
    for j in range(len(sizes)):
        xj = x[:, offsets[j] : offsets[j + 1]]
        total = xj.sum(axis=1)
        finite &= np.abs(total) > 1e-8 * np.maximum(np.abs(xj).max(axis=1), 1e-300)
        parts.append(xj / np.where(finite, total, 1.0)[:, None])
    return np.concatenate(parts, axis=1), finite


def _jumped(owner: IntArray, paths: IntArray, ok: BoolArray, pts: ComplexArray) -> BoolArray:
    """Paths that ended on the same nonsingular point as another path of their support."""
    bad = np.zeros(len(paths), dtype=bool)
    order = np.lexsort((np.round(pts.real, 6)[:, 0], owner[paths]))
    scale = np.maximum(1.0, np.abs(pts).max(axis=1))
    for a_pos, a in enumerate(order):
        for b in order[a_pos + 1 :]:
            if owner[paths[b]] != owner[paths[a]]:
                break
            if ok[a] and ok[b] and np.abs(pts[a] - pts[b]).max() < 1e-6 * scale[a]:
                bad[a] = bad[b] = True
    return bad


def _solve_paths(paths: _Paths) -> _Ends:
    """Every path's endpoint: solved directly where possible, tracked otherwise.

    Supports where two paths ended on the same point are tracked again, all
    their paths, with short steps.
    """
    sizes, owner = paths.supports.sizes, paths.owner
    n_paths = len(owner)
    ends = _Ends(
        np.zeros((n_paths, sum(sizes)), dtype=complex),
        np.zeros(n_paths, dtype=bool),
        np.zeros(n_paths),
    )
    _solve_directly(paths, ends)
    tracked = np.flatnonzero(~paths.direct)
    if len(tracked):
        result = paths.track(tracked, hc.MAX_STEP)
        ends.x[tracked], ends.success[tracked] = result.x, result.success
        ends.rcond[tracked] = hc.relative_condition(result.jacobian, result.x, sizes)
    ends.sigma, ends.finite = _normalised(sizes, ends.x)
    regular = ends.success & (ends.rcond >= SINGULAR_RCOND) & ends.finite
    ends.jump = _jumped(owner, np.arange(n_paths), regular, ends.sigma)
    if ends.jump.any():
        redo = np.flatnonzero(np.isin(owner, owner[ends.jump]))
        ends.retried = len(redo)
        again = paths.track(redo, 0.02)
        ends.x[redo], ends.success[redo] = again.x, again.success
        ends.rcond[redo] = hc.relative_condition(again.jacobian, again.x, sizes)
        ends.sigma, ends.finite = _normalised(sizes, ends.x)
        regular = ends.success & (ends.rcond >= SINGULAR_RCOND) & ends.finite
        ends.jump = np.zeros(n_paths, dtype=bool)
        ends.jump[redo] = _jumped(owner, redo, regular[redo], ends.sigma[redo])
    return ends


# ---------------------------------------------------------------------- 4. verification
Found = list[tuple[list[FloatArray], int]]
Indifferent = list[tuple[str, list[list[FloatArray]]]]


def _verify(
    game: NormalFormGame, paths: _Paths, ends: _Ends, tol: float
) -> tuple[Found, Indifferent, list[str], bool]:
    """The endpoints that are equilibria (refined in real arithmetic), the sets where
    one player is indifferent, and whether the list is complete; notes say why not."""
    found, notes, complete = _accepted_endpoints(game, paths, ends, tol)
    indifferent = _indifference_sets(game, paths.supports.payoffs, 1e-12)
    if indifferent:
        complete = False
        notes.extend(text for text, _ in indifferent[:5])
        if len(indifferent) > 5:
            notes.append(f"... and {len(indifferent) - 5} more such indifferences")
    n_paths = len(paths.owner)
    n_failed = int((~ends.success).sum())
    if n_failed:
        complete = False
        notes.append(f"{n_failed} of {n_paths} homotopy paths failed to converge")
    n_singular = int((ends.success & (ends.rcond < SINGULAR_RCOND)).sum())
    if n_singular:
        complete = False
        notes.append(
            f"{n_singular} of {n_paths} homotopy paths ended at singular "
            "solutions of their support's equations (a degenerate game); "
            "equilibria there may be missed"
        )
    if ends.jump.any():
        complete = False
        notes.append(
            f"{int(ends.jump.sum())} homotopy paths merged even with short steps; "
            "some equilibria may be missed"
        )
    elif ends.retried:
        notes.append(f"{ends.retried} paths were retracked with shorter steps after two merged")
    return found, indifferent, notes, complete


def _accepted_endpoints(
    game: NormalFormGame, paths: _Paths, ends: _Ends, tol: float
) -> tuple[Found, list[str], bool]:
    """Nearly real, nearly non-negative endpoints (failed paths too: whatever verifies
    is returned), refined by Newton's method on the real system and accepted when no
    action beats the support by more than ``tol``."""
    sizes, masks, owner, payoffs = (
        paths.supports.sizes, paths.supports.masks, paths.owner, paths.supports.payoffs,
    )  # fmt: skip
    offsets = np.cumsum((0, *sizes))
    sigma_c, rcond, success = ends.sigma, ends.rcond, ends.success
    near_real = ends.finite & (np.abs(sigma_c.imag).max(axis=1, initial=0.0) < 1e-4)
    cand = np.flatnonzero(near_real & (sigma_c.real.min(axis=1, initial=0.0) > -1e-4))
    notes: list[str] = []
    complete = True
    found: Found = []
    if not len(cand):
        return found, notes, complete
    prof = owner[cand]
    cmasks = [m[prof] for m in masks]
    real_sys = _build(payoffs, cmasks, [m.astype(np.float64) for m in cmasks])
    x_real = np.where(np.concatenate(cmasks, axis=1), sigma_c[cand].real, 0.0)
    x_real, corr, jac_r = hc.newton(
        real_sys.tensors, real_sys.linear, real_sys.rhs, x_real, sizes, 4
    )
    rcond_r = hc.relative_condition(jac_r, x_real, sizes)
    sig = [x_real[:, offsets[j] : offsets[j + 1]] for j in range(len(sizes))]
    values = _action_values(payoffs, sig)
    on_support = np.concatenate(cmasks, axis=1)
    support_min = np.min(np.where(on_support, x_real, np.inf), axis=1)
    outside_max = np.max(np.where(on_support, -np.inf, np.abs(x_real)), axis=1, initial=0.0)
    excess = np.max(
        np.stack(
            [v.max(axis=1) - (v * s).sum(axis=1) for v, s in zip(values, sig, strict=True)],
            axis=1,
        ),
        axis=1,
    )
    accepted = (
        (corr < 1e-9)
        & (support_min > tol)
        & (excess <= tol)
        & (outside_max < 1e-12)
        & (np.abs(sigma_c[cand].imag).max(axis=1) < 1e-6)
    )
    borderline = ~accepted & (support_min > -1e-6) & (excess <= 1e-6)
    singular_here = (rcond[cand] < SINGULAR_RCOND) | (rcond_r < SINGULAR_RCOND) | ~success[cand]
    borderline_singular = [int(c) for c in np.flatnonzero((accepted | borderline) & singular_here)]
    eq_rows = [int(c) for c in np.flatnonzero(accepted)]
    if eq_rows:
        rows = np.array(eq_rows)
        eq_sig = [s[rows] for s in sig]
        eq_masks = [m[rows] for m in cmasks]
        ties = [
            (v >= (v * s).sum(axis=1, keepdims=True) - 1e-7) & ~m
            for v, s, m in zip([v[rows] for v in values], eq_sig, eq_masks, strict=True)
        ]
        not_isolated = _isolation_failures(payoffs, eq_masks, eq_sig, ties)
        for k, c in enumerate(eq_rows):
            found.append(([s[k] for s in eq_sig], c))
            if not_isolated[k]:
                complete = False
                notes.append(
                    "the game has a non-isolated set of equilibria (or a degenerate "
                    "equilibrium) at "
                    + _profile_text(game, eq_sig, k)
                    + "; equilibria on such a set are not all listed"
                )
    if borderline_singular:
        complete = False
        shown = sorted({_describe(game, masks, int(owner[cand[c]])) for c in borderline_singular})
        notes.append(
            f"{len(borderline_singular)} path endpoint(s) near a feasible point were "
            "singular, which signals a non-isolated set of equilibria or a multiple "
            f"equilibrium, on the support(s) {' | '.join(shown[:3])}"
            + (" and others" if len(shown) > 3 else "")
        )
    return found, notes, complete


# ---------------------------------------------------------------------- 5. the result
def _assemble(
    game: NormalFormGame,
    found: Found,
    indifferent: Indifferent,
    notes: list[str],
    complete: bool,
    tol: float,
) -> Solution:
    """The verified equilibria, with points of one-player indifference sets, sorted."""
    equilibria: list[Equilibrium] = [
        make_equilibrium(game, s, concept=_CONCEPT, method=_METHOD) for s, _ in found
    ]
    # Points of the non-isolated sets found above: equilibria no path ends at, and
    # in some degenerate games the only ones. Kept when they pass the regret check.
    bound = tol * max(float(np.ptp(u)) for u in game.payoffs) if game.payoffs.size else tol
    for _, profiles in indifferent:
        for profile in profiles:
            candidate = make_equilibrium(game, profile, concept=_CONCEPT, method=_METHOD)
            if candidate.max_regret <= max(bound, 1e-12 * game.payoff_range):
                equilibria.append(candidate)
    unique = deduplicate(equilibria, atol=1e-7)
    unique = tuple(
        sorted(
            unique,
            key=lambda e: (
                sum(int((s > 0).sum()) for s in e.normal_profile()),
                tuple(-round(float(p), 9) for s in e.normal_profile() for p in s),
            ),
        )
    )
    notes = list(dict.fromkeys(notes))
    return Solution(game, unique, _CONCEPT, _METHOD, complete, tuple(notes))
