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
with :class:`~sim.errors.UsageError` (about a minute of work on one core).

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.errors import UsageError
from sim.games.normal_form import NormalFormGame
from sim.solvers import _polynomial_homotopy as hc
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


def _onto_patches(
    target: ComplexArray,
    parts: dict[int, ComplexArray],
    patches: list[ComplexArray],
    x_off: IntArray,
    actions: list[IntArray],
    ok: BoolArray,
) -> BoolArray:
    """Write one candidate solution per profile into ``target``, scaled onto the patches.

    ``parts[j]`` holds mixing player ``j``'s support coordinates (shape
    ``(profiles, support size)``); players missing from ``parts`` play their one
    action. Each player's vector is divided by its patch value, as the target
    system asks. Returns ``ok`` with the profiles whose scaling is not finite or
    vanishes (a candidate at infinity) switched off.
    """
    n_prof = target.shape[0]
    rows = np.arange(n_prof)[:, None]
    for j, support in enumerate(actions):
        value = parts[j] if j in parts else np.ones((n_prof, 1), dtype=complex)
        scale = (patches[j][rows, support] * value).sum(axis=1)
        ok = ok & np.isfinite(scale) & (np.abs(scale) > 1e-12 * np.abs(value).max(axis=1))
        target[rows, x_off[j] + support] = value / np.where(ok, scale, 1.0)[:, None]
    return ok


def _group_layout(
    masks: list[BoolArray],
) -> tuple[tuple[int, ...], int, IntArray, list[int], list[IntArray]]:
    """What every closed-form solver needs about a group of same-size support profiles.

    Returns each player's number of actions, the number of profiles, each
    player's offset in the stacked coordinates, each player's support size, and
    each profile's support actions per player (shape ``(profiles, support size)``).
    """
    sizes = tuple(m.shape[1] for m in masks)
    x_off, _ = hc.layout(sizes)
    support = [int(m[0].sum()) for m in masks]
    actions = [np.argsort(~m, axis=1, kind="stable")[:, : support[i]] for i, m in enumerate(masks)]
    return sizes, masks[0].shape[0], x_off, support, actions


def _resultant_roots(
    sylvester: Callable[[ComplexArray], ComplexArray], n_prof: int, *, degree: int, samples: int
) -> tuple[ComplexArray, BoolArray]:
    """The roots of ``det(sylvester(s, 1))``, a polynomial of the given degree, per profile.

    The determinant is sampled at ``samples`` roots of unity and interpolated by
    FFT; the roots are the eigenvalues of the companion matrix, taken in whichever
    of ``s`` or ``1/s`` keeps the leading coefficient large. Returns the roots as
    unit-norm homogeneous pairs ``(s, 1)`` (or ``(1, 1/s)``), shape
    ``(n_prof, degree, 2)``, and which profiles' polynomials were trustworthy
    (degree as expected, leading coefficient not negligible).
    """
    unity = np.exp(2j * np.pi * np.arange(samples) / samples)
    ends = np.broadcast_to(np.stack([unity, np.ones(samples)], axis=1), (n_prof, samples, 2))
    det = np.linalg.det(sylvester(ends))
    coef = np.fft.fft(det, axis=1) / samples  # coef[:, k] multiplies s**k
    top = np.abs(coef).max(axis=1)
    ok = np.abs(coef[:, degree + 1 :]).max(axis=1) < 1e-8 * np.maximum(top, 1e-300)
    coef = coef[:, : degree + 1]
    flip = np.abs(coef[:, 0]) > np.abs(coef[:, degree])
    poly = np.where(flip[:, None], coef[:, ::-1], coef)
    ok &= np.abs(poly[:, degree]) > 1e-10 * np.maximum(top, 1e-300)
    lead = np.where(ok, poly[:, degree], 1.0)
    companion = np.zeros((n_prof, degree, degree), dtype=complex)
    companion[:, 1:, : degree - 1] = np.eye(degree - 1)
    companion[:, :, degree - 1] = -poly[:, :degree] / lead[:, None]
    roots = np.linalg.eigvals(companion)  # (Q, degree)
    pairs = np.stack(
        [np.where(flip[:, None], 1.0, roots), np.where(flip[:, None], roots, 1.0)], axis=2
    )
    return pairs / np.linalg.norm(pairs, axis=2, keepdims=True), ok


def _nine_roots(
    tensors: list[ComplexArray], masks: list[BoolArray], patches: list[ComplexArray]
) -> tuple[ComplexArray, BoolArray]:
    """Candidates for the nine solutions when four players mix two actions each.

    With the pure players fixed (every profile of one call has the same support
    sizes), mixers ``0 < 1 < 2 < 3`` have one equation each, of degree one in the
    others' coordinates ``y``. Player 0's and 1's give ``y_1 = J F_0(y_2, y_3)`` and
    ``y_0 = J F_1(y_2, y_3)``; then players 2's and 3's equations are polynomials
    in ``y_2 = (s, 1)`` and ``y_3 = (r, 1)`` of degrees 3 and 2 in ``r``. Their
    Sylvester resultant in ``r`` has degree 13 in ``s`` (found by interpolation at
    roots of unity, solved by a companion matrix); at each root the Sylvester
    matrix's null vector gives ``y_3``. Four of the 13 roots are spurious (``y_0``
    or ``y_1`` vanishes); the nine that are farthest from that are returned,
    ``(9, Q, n)``, scaled onto the patches, with whether the profile is clean so
    far. The caller refines them and requires nine distinct solutions: then they
    are all the isolated solutions, as the Bezout number is nine.
    """
    sizes, n_prof, x_off, support, actions = _group_layout(masks)
    n_players = len(sizes)
    mixers = [i for i in range(n_players) if support[i] == 2]
    f0, f1, f2, f3 = (_support_form(tensors, actions, support, i, 0) for i in mixers)
    turn = np.array([[0.0, -1.0], [1.0, 0.0]])

    def eliminated(y2: ComplexArray, y3: ComplexArray) -> tuple[ComplexArray, ComplexArray]:
        """``y_0`` and ``y_1`` for ``y_2``, ``y_3`` of shape (Q, ..., 2)."""
        y1 = np.einsum("ij,pjbc,p...b,p...c->p...i", turn, f0, y2, y3)
        y0 = np.einsum("ij,pjbc,p...b,p...c->p...i", turn, f1, y2, y3)
        return y0, y1

    def sylvester(y2: ComplexArray) -> ComplexArray:
        """The 5 x 5 Sylvester matrix in ``r`` of the last two equations, (Q, ..., 5, 5)."""
        r = np.exp(2j * np.pi * np.arange(4) / 4)
        y3 = np.stack([r, np.ones(4)], axis=1)  # (4, 2)
        shape = (*y2.shape[:-1], 4, 2)
        y2b = np.broadcast_to(y2[..., None, :], shape)
        y3b = np.broadcast_to(y3, shape)
        y0, y1 = eliminated(y2b, y3b)
        g = np.einsum("pabc,p...a,p...b,p...c->p...", f2, y0, y1, y3b)
        h = np.einsum("pabc,p...a,p...b,p...c->p...", f3, y0, y1, y2b)
        gc = np.fft.fft(g, axis=-1) / 4  # gc[..., k] multiplies r**k (degree 3)
        hc_ = np.fft.fft(h, axis=-1) / 4  # degree 2: hc_[..., 3] is round-off
        out = np.zeros((*y2.shape[:-1], 5, 5), dtype=complex)
        for row in range(2):
            out[..., row, row : row + 4] = gc[..., ::-1]
        for row in range(3):
            out[..., 2 + row, row : row + 3] = hc_[..., 2::-1]
        return out

    y2, ok = _resultant_roots(sylvester, n_prof, degree=13, samples=16)
    _, _, vh = np.linalg.svd(sylvester(y2))
    null = np.conj(vh[..., -1, :])  # proportional to (r^4, r^3, r^2, r, 1)
    low, high = null[..., 3:], null[..., :2]
    y3 = np.where(
        (np.linalg.norm(low, axis=-1) >= np.linalg.norm(high, axis=-1))[..., None], low, high
    )
    y3 = y3 / np.linalg.norm(y3, axis=2, keepdims=True)
    y0, y1 = eliminated(y2, y3)
    size = np.abs(f0).max(axis=(1, 2, 3)) + np.abs(f1).max(axis=(1, 2, 3))
    away = np.minimum(np.linalg.norm(y0, axis=2), np.linalg.norm(y1, axis=2))
    best = np.argsort(-away / np.maximum(size, 1e-300)[:, None], axis=1)[:, :9]
    rows_idx = np.arange(n_prof)
    points = np.zeros((9, n_prof, sum(sizes)), dtype=complex)
    for k in range(9):
        pick = best[:, k]
        parts = dict(
            zip(
                mixers,
                (y0[rows_idx, pick], y1[rows_idx, pick], y2[rows_idx, pick], y3[rows_idx, pick]),
                strict=True,
            )
        )
        ok = _onto_patches(points[k], parts, patches, x_off, actions, ok)
    return points, ok


#: A fixed, well-conditioned change of coordinates for :func:`_ten_roots` (any generic
#: matrix will do; it keeps coordinate-aligned structure of the payoffs out of the chart).
_MIX3 = np.array(
    [[1.0, 0.3 + 0.2j, -0.4j], [0.5j, 1.0, 0.2 - 0.3j], [-0.3, 0.4 + 0.1j, 1.0]],
    dtype=complex,
)


def _ten_roots(
    tensors: list[ComplexArray], masks: list[BoolArray], patches: list[ComplexArray]
) -> tuple[ComplexArray, BoolArray]:
    """Candidates for the ten solutions when three players mix three actions each.

    With the pure players fixed (every profile of one call has the same support
    sizes), mixers ``a < b < c`` have two equations each. Player ``a``'s say that
    ``x_b`` is the cross product of ``A_1 x_c`` and ``A_2 x_c``, player ``b``'s that
    ``x_a`` is that of ``B_1 x_c`` and ``B_2 x_c``; player ``c``'s become two
    quartics in ``x_c = M (s, u, 1)`` (``M`` a fixed generic change of coordinates).
    Their Sylvester resultant in ``u`` has degree 16 in ``s`` (found by interpolation
    at roots of unity, solved by a companion matrix, in the chart where its leading
    coefficient is the larger end); at each root the Sylvester matrix's null vector
    gives ``u``. Six of the 16 roots are spurious (a cross product vanishes); the ten
    farthest from that are returned, ``(10, Q, n)``, scaled onto the patches, with
    whether the profile is clean so far. The caller refines them and requires ten
    distinct solutions: then they are all the isolated solutions, as the Bezout
    number is ten.
    """
    sizes, n_prof, x_off, support, actions = _group_layout(masks)
    n_players = len(sizes)
    a, b, c = (i for i in range(n_players) if support[i] == 3)
    a1, a2 = (_support_form(tensors, actions, support, a, k) for k in range(2))  # (b, c)
    b1, b2 = (_support_form(tensors, actions, support, b, k) for k in range(2))  # (a, c)
    c1, c2 = (_support_form(tensors, actions, support, c, k) for k in range(2))  # (a, b)

    def eliminated(x_c: ComplexArray) -> tuple[ComplexArray, ComplexArray]:
        """``x_a`` and ``x_b`` for ``x_c`` of shape (Q, ..., 3)."""
        x_b = np.cross(
            np.einsum("pij,p...j->p...i", a1, x_c), np.einsum("pij,p...j->p...i", a2, x_c)
        )
        x_a = np.cross(
            np.einsum("pij,p...j->p...i", b1, x_c), np.einsum("pij,p...j->p...i", b2, x_c)
        )
        return x_a, x_b

    def sylvester(ends: ComplexArray) -> ComplexArray:
        """Sylvester matrices in ``u`` at ``x_c = M (alpha, u, beta)``, ends (Q, ..., 2)."""
        u = np.exp(2j * np.pi * np.arange(8) / 8)
        shape = (*ends.shape[:-1], 8)
        plane = np.stack(
            [
                np.broadcast_to(ends[..., :1], shape),
                np.broadcast_to(u, shape),
                np.broadcast_to(ends[..., 1:], shape),
            ],
            axis=-1,
        )
        x_c = plane @ _MIX3.T
        x_a, x_b = eliminated(x_c)
        p1 = np.einsum("p...i,pij,p...j->p...", x_a, c1, x_b)
        p2 = np.einsum("p...i,pij,p...j->p...", x_a, c2, x_b)
        q1 = np.fft.fft(p1, axis=-1)[..., 4::-1] / 8  # coefficients of u^4 .. u^0
        q2 = np.fft.fft(p2, axis=-1)[..., 4::-1] / 8
        out = np.zeros((*ends.shape[:-1], 8, 8), dtype=complex)
        for row in range(4):
            out[..., row, row : row + 5] = q1
            out[..., 4 + row, row : row + 5] = q2
        return out

    at, ok = _resultant_roots(sylvester, n_prof, degree=16, samples=32)
    _, _, vh = np.linalg.svd(sylvester(at))
    null = np.conj(vh[..., -1, :])  # proportional to (u^7, ..., u, 1)
    low, high = null[..., 6:], null[..., :2]
    use_low = (np.linalg.norm(low, axis=-1) >= np.linalg.norm(high, axis=-1))[..., None]
    pair = np.where(use_low, low, high)  # proportional to (u, 1)
    plane = np.stack([at[..., 0] * pair[..., 1], pair[..., 0], at[..., 1] * pair[..., 1]], axis=-1)
    x_c = plane @ _MIX3.T
    x_c = x_c / np.linalg.norm(x_c, axis=2, keepdims=True)
    x_a, x_b = eliminated(x_c)
    size = sum(np.abs(f).max(axis=(1, 2)) for f in (a1, a2, b1, b2)) ** 2
    away = np.minimum(np.linalg.norm(x_a, axis=2), np.linalg.norm(x_b, axis=2))
    best = np.argsort(-away / np.maximum(size, 1e-300)[:, None], axis=1)[:, :10]
    rows_idx = np.arange(n_prof)
    points = np.zeros((10, n_prof, sum(sizes)), dtype=complex)
    for k in range(10):
        pick = best[:, k]
        parts = {a: x_a[rows_idx, pick], b: x_b[rows_idx, pick], c: x_c[rows_idx, pick]}
        ok = _onto_patches(points[k], parts, patches, x_off, actions, ok)
    return points, ok


def _linear_start(masks: list[BoolArray], patches: list[ComplexArray]) -> ComplexArray:
    """Where Newton's method solves a support system with at most two players mixing.

    The pure players' coordinates solve their own pins and patches:
    ``x_p = e_a / patch_p[a]``. With them fixed, every row is affine in the mixing
    players' coordinates and the Jacobian is block triangular (the pure players'
    rows involve only their own coordinates), so one Newton step from this point
    (mixing players' coordinates zero) lands on the solution; :func:`_refine_direct`
    takes more, which must confirm it.
    """
    parts = []
    for m, p in zip(masks, patches, strict=True):
        pure = m.sum(axis=1) == 1
        value = np.where(m & pure[:, None], 1.0 / np.where(m, p, 1.0), 0.0)
        parts.append(value.astype(complex))
    return np.concatenate(parts, axis=1)


def _refine_direct(
    tensors: list[ComplexArray],
    linear: ComplexArray,
    rhs: ComplexArray,
    x0: ComplexArray,
    sizes: tuple[int, ...],
) -> tuple[ComplexArray, BoolArray, ComplexArray]:
    """Newton's method on the target systems from points found without tracking.

    At least two steps (the second confirms the first) and at most six (closed-form
    roots can be rough; the caller's checks do not depend on where they started).
    Returns the points (each group scaled to unit length, like the tracker's
    endpoints), whether Newton's method converged (finite, last correction below
    ``1e-8``, as at the end of a tracked path), and the Jacobians with each patch row
    moved through the point (the tracker's final patches).
    """
    x_off, r_off = hc.layout(sizes)
    x, corr, jac = hc.newton(tensors, linear, rhs, x0, sizes, 6)
    ok = np.isfinite(x).all(axis=1) & (corr < 1e-8)
    # Scale each group to unit length and move its patch through the point. The
    # Jacobian is kept from the unscaled point: scaling a group scales whole rows once
    # columns are weighted by the groups' lengths, so its relative condition is the same.
    first_patch_row = int(r_off[-1])
    for j in range(len(sizes)):
        cols = slice(int(x_off[j]), int(x_off[j + 1]))
        norm = np.linalg.norm(x[:, cols], axis=1, keepdims=True)
        x[:, cols] = x[:, cols] / np.where(norm > 0, norm, 1.0)
        jac[:, first_patch_row + j, :] = 0.0
        jac[:, first_patch_row + j, cols] = np.conj(x[:, cols])
    return x, ok, jac


def _support_form(
    tensors: list[ComplexArray], actions: list[IntArray], support: list[int], i: int, slot: int
) -> ComplexArray:
    """Row ``slot`` of player ``i`` on the supports ``actions``; axes the other mixers, ascending.

    Every profile has the same support sizes ``support``; pure players' axes are dropped.
    """
    n_players = len(tensors)
    n_prof = tensors[i].shape[0]
    others = [j for j in range(n_players) if j != i]
    index: list[IntArray] = [np.arange(n_prof).reshape(-1, *([1] * len(others)))]
    for pos, j in enumerate(others):
        shape = [n_prof] + [1] * len(others)
        shape[pos + 1] = support[j]
        index.append(actions[j].reshape(shape))
    row = tensors[i][:, slot][tuple(index)]
    return row.reshape(n_prof, *(support[j] for j in others if support[j] > 1))


def _closed_form(key: tuple[int, ...]) -> int:
    """How many solutions closed-form elimination gives for support sizes ``key`` (0: none).

    Two for :func:`_quadratic_roots`, four for :func:`_quartic_roots`, nine for
    :func:`_nine_roots`, ten for :func:`_ten_roots`.
    """
    mixing = sorted(s for s in key if s > 1)
    if mixing in ([2, 2, 2], [2, 2, 3]):
        return 2
    if mixing == [2, 3, 3]:
        return 4
    if mixing == [2, 2, 2, 2]:
        return 9
    if mixing == [3, 3, 3]:
        return 10
    return 0


def _quadratic_roots(
    tensors: list[ComplexArray], masks: list[BoolArray], patches: list[ComplexArray]
) -> tuple[ComplexArray, BoolArray]:
    """Both solutions of support systems with Bezout number two, in closed form.

    Two patterns, with the pure players fixed (every profile of one call has the
    same mixing players and support sizes); ``J`` is the quarter turn, so that
    ``(J v)' v = 0``, and ``y`` are coordinates on the support:

    * Three players ``a < b < c`` mix two actions each, with one equation each:
      ``y_b' A y_c = 0``, ``y_a' B y_c = 0``, ``y_a' C y_b = 0``. The first and third
      give ``y_b = J A y_c`` and ``y_a = J C y_b``, and the second becomes the binary
      quadratic ``y_c' (J C J A)' B y_c = 0``. When ``A`` and ``C`` are nonsingular
      every solution arises this way.
    * Player ``w`` mixes three actions and ``u < v`` two each: ``y_u' W_k y_v = 0``
      (``k = 1, 2``), ``x_w' U y_v = 0``, ``x_w' V y_u = 0``. Then ``y_u = J W_1 y_v``,
      the quadratic is ``y_v' (J W_1)' W_2 y_v = 0``, and ``x_w`` is the cross product
      of ``U y_v`` and ``V y_u``. When ``W_1`` is nonsingular and the cross product
      does not vanish every solution arises this way.

    The quadratic's two roots are then the two solutions counted by the Bezout
    number. Returns them, scaled onto the patches, as points ``(2, Q, n)``, and
    whether the profile was solved cleanly so far (the conditions above, the
    quadratic not degenerate, both roots finite and on the patches); the caller
    refines them (:func:`_refine_direct`) and requires them to converge to distinct
    solutions. A profile that was not solved cleanly must be tracked instead.
    """
    sizes, n_prof, x_off, support, actions = _group_layout(masks)
    n_players = len(sizes)
    mixers = [i for i in range(n_players) if support[i] > 1]

    def form(i: int, slot: int) -> ComplexArray:
        return _support_form(tensors, actions, support, i, slot)

    def nonsingular(m: ComplexArray) -> BoolArray:
        det = m[:, 0, 0] * m[:, 1, 1] - m[:, 0, 1] * m[:, 1, 0]
        return np.asarray(np.abs(det) > 1e-9 * (np.abs(m) ** 2).sum(axis=(1, 2)))

    turn = np.array([[0.0, -1.0], [1.0, 0.0]])
    if max(support) == 2:
        a_form, b_form, c_form = (form(i, 0) for i in mixers)
        quad = np.swapaxes(turn @ c_form @ turn @ a_form, 1, 2) @ b_form
        ok = nonsingular(a_form) & nonsingular(c_form)
    else:
        w = next(i for i in mixers if support[i] == 3)
        u, v = (i for i in mixers if i != w)
        w1, w2 = form(w, 0), form(w, 1)
        u_form, v_form = form(u, 0), form(v, 0)  # axes (w, v) and (w, u) in player order
        u_form = u_form if w < v else np.swapaxes(u_form, 1, 2)
        v_form = v_form if w < u else np.swapaxes(v_form, 1, 2)
        quad = np.swapaxes(turn @ w1, 1, 2) @ w2
        ok = nonsingular(w1)
    lead, middle, last = quad[:, 0, 0], quad[:, 0, 1] + quad[:, 1, 0], quad[:, 1, 1]
    flip = np.abs(last) > np.abs(lead)
    big, small = np.where(flip, last, lead), np.where(flip, lead, last)
    root = np.sqrt(middle * middle - 4.0 * big * small)
    sign = np.where((np.conj(middle) * root).real >= 0, 1.0, -1.0)
    q = -0.5 * (middle + sign * root)
    ok &= (big != 0) & (q != 0)
    r1 = q / np.where(ok, big, 1.0)
    r2 = small / np.where(ok, q, 1.0)
    points = np.zeros((2, n_prof, sum(sizes)), dtype=complex)
    for k, r in enumerate((r1, r2)):
        last_y = np.stack([np.where(flip, 1.0, r), np.where(flip, r, 1.0)], axis=1)
        if max(support) == 2:
            y_b = np.einsum("ij,pjk,pk->pi", turn, a_form, last_y)
            y_a = np.einsum("ij,pjk,pk->pi", turn, c_form, y_b)
            ys = dict(zip(mixers, (y_a, y_b, last_y), strict=True))
        else:
            y_u = np.einsum("ij,pjk,pk->pi", turn, w1, last_y)
            left = np.einsum("pjk,pk->pj", u_form, last_y)
            right = np.einsum("pjk,pk->pj", v_form, y_u)
            x_w = np.cross(left, right)
            size = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
            ok &= np.linalg.norm(x_w, axis=1) > 1e-8 * size
            ys = {w: x_w, u: y_u, v: last_y}
        ok = _onto_patches(points[k], ys, patches, x_off, actions, ok)
    return points, ok


def _quartic_roots(
    tensors: list[ComplexArray], masks: list[BoolArray], patches: list[ComplexArray]
) -> tuple[ComplexArray, BoolArray]:
    """The four solutions of support systems where two players mix three actions, one two.

    With the pure players fixed (every profile of one call has the same support
    sizes), players ``a``, ``b`` mix three actions and ``c`` two. Player ``a``'s two
    equations say ``x_b' A_k y_c = 0`` (``k = 1, 2``), so ``x_b`` is the cross product
    of ``A_1 y_c`` and ``A_2 y_c``, quadratic in ``y_c``; likewise ``x_a`` from ``b``'s
    equations; and ``c``'s equation ``x_a' C x_b = 0`` becomes a binary quartic in
    ``y_c``, whose coefficients come from its values at the fifth roots of unity and
    whose roots are the eigenvalues of its companion matrix (in the chart where the
    leading coefficient is the larger end). Returns the four roots scaled onto the
    patches, ``(4, Q, n)``, and whether the profile is clean so far (quartic not
    degenerate, every vector finite, nonzero and on its patch); see
    :func:`_refine_roots` for the rest, which also makes sure that the four are
    distinct solutions: then they are all the isolated solutions, as the Bezout
    number is four.
    """
    sizes, n_prof, x_off, support, actions = _group_layout(masks)
    n_players = len(sizes)
    a, b = (i for i in range(n_players) if support[i] == 3)
    c = next(i for i in range(n_players) if support[i] == 2)

    def pair(i: int, other: int) -> tuple[ComplexArray, ComplexArray]:
        # Rows of i on (x_other, y_c), with the three-action player's axis first.
        rows = [_support_form(tensors, actions, support, i, k) for k in range(2)]
        return (rows[0], rows[1]) if other < c else (rows[0].mT, rows[1].mT)

    a1, a2 = pair(a, b)
    b1, b2 = pair(b, a)
    c_form = _support_form(tensors, actions, support, c, 0)  # axes (a, b) as a < b

    def vectors(y: ComplexArray) -> tuple[ComplexArray, ComplexArray]:
        """``x_a`` and ``x_b`` for ``y_c`` of shape (Q, ..., 2)."""
        x_b = np.cross(np.einsum("pij,p...j->p...i", a1, y), np.einsum("pij,p...j->p...i", a2, y))
        x_a = np.cross(np.einsum("pij,p...j->p...i", b1, y), np.einsum("pij,p...j->p...i", b2, y))
        return x_a, x_b

    unity = np.exp(2j * np.pi * np.arange(5) / 5)
    samples = np.stack([unity, np.ones(5)], axis=1)  # y_c = (s, 1)
    x_a, x_b = vectors(np.broadcast_to(samples, (n_prof, 5, 2)))
    values = np.einsum("psi,pij,psj->ps", x_a, c_form, x_b)
    coef = np.fft.fft(values, axis=1) / 5  # coef[:, k] multiplies s**k
    top = np.abs(coef).max(axis=1)
    flip = np.abs(coef[:, 0]) > np.abs(coef[:, 4])
    poly = np.where(flip[:, None], coef[:, ::-1], coef)  # chart y_c = (1, s) when flipped
    ok = np.abs(poly[:, 4]) > 1e-8 * top
    lead = np.where(ok, poly[:, 4], 1.0)
    companion = np.zeros((n_prof, 4, 4), dtype=complex)
    companion[:, 1:, :3] = np.eye(3)
    companion[:, :, 3] = -poly[:, :4] / lead[:, None]
    roots = np.linalg.eigvals(companion)  # (Q, 4)
    ys = np.stack(
        [np.where(flip[:, None], 1.0, roots), np.where(flip[:, None], roots, 1.0)], axis=2
    )
    x_a, x_b = vectors(ys)
    points = np.zeros((4, n_prof, sum(sizes)), dtype=complex)
    for k in range(4):
        parts = {a: x_a[:, k], b: x_b[:, k], c: ys[:, k]}
        ok = _onto_patches(points[k], parts, patches, x_off, actions, ok)
    return points, ok


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
        If the game has fewer than two players, or needs more than
        :data:`MAX_PATHS` homotopy paths or :data:`MAX_SUPPORT_PROFILES` support
        profiles.

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
    if game.n_players < 2:
        raise UsageError("support_enumeration needs a game with at least two players")
    if not tol > 0:
        raise UsageError(f"tol must be positive; got {tol}")
    gen = np.random.default_rng(rng)
    sizes = game.shape
    n_players, n = game.n_players, sum(sizes)
    n_profiles = int(np.prod([2**k - 1 for k in sizes], dtype=np.float64))
    if n_profiles > MAX_SUPPORT_PROFILES:
        raise UsageError(
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
        raise UsageError(
            f"a {' x '.join(map(str, sizes))} game needs {total_paths:,} homotopy paths "
            f"after pruning; support_enumeration tracks at most {MAX_PATHS:,}"
        )
    keep = counts > 0
    survivors, support_size, counts = survivors[keep], support_size[keep], counts[keep]
    n_prof = len(survivors)
    masks = [
        subsets[i][survivors[:, i]] if n_prof else np.zeros((0, sizes[i]), dtype=bool)
        for i in range(n_players)
    ]

    def normal(shape: tuple[int, ...]) -> ComplexArray:
        return gen.standard_normal(shape) + 1j * gen.standard_normal(shape)

    patches = [normal((n_prof, k)) * m for k, m in zip(sizes, masks, strict=True)]
    forms = normal((n_prof, n - n_players, n))
    gamma = complex(np.exp(2j * np.pi * gen.random()))

    # Start points, grouped by size profile; path p belongs to profile owner[p]. Profiles
    # where at most two players mix have linear systems: their one "path" each is solved
    # directly (``direct``), without start point or tracking.
    owner_parts: list[IntArray] = []
    start_parts: list[ComplexArray] = []
    direct_parts: list[BoolArray] = []
    quadratic_parts: list[IntArray] = []  # closed-form solutions per profile, or 0
    deferred: dict[int, tuple[IntArray, IntArray]] = {}
    for key in sorted({tuple(int(s) for s in row) for row in support_size}):
        group = np.flatnonzero((support_size == np.array(key)).all(axis=1))
        if sum(s > 1 for s in key) <= 2:
            owner_parts.append(group)
            start_parts.append(np.zeros((len(group), n), dtype=complex))
            direct_parts.append(np.ones(len(group), dtype=bool))
            quadratic_parts.append(np.zeros(len(group), dtype=np.int64))
            continue
        assignments = hc.enumerate_assignments(tuple(s - 1 for s in key))
        n_paths = len(group) * assignments.shape[0]
        if _closed_form(key):
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
        quadratic_parts.append(np.full(n_paths, _closed_form(key), dtype=np.int64))
    owner = np.concatenate(owner_parts) if owner_parts else np.zeros(0, dtype=np.int64)
    x0 = np.concatenate(start_parts) if start_parts else np.zeros((0, n), dtype=complex)
    direct = np.concatenate(direct_parts) if direct_parts else np.zeros(0, dtype=bool)
    quadratic = np.concatenate(quadratic_parts) if quadratic_parts else np.zeros(0, dtype=np.int64)

    target = _build(payoffs, masks, patches)

    @functools.cache
    def start_system() -> list[ComplexArray]:
        """The start systems (built only if some path is tracked)."""
        start = _start_tensors(masks, forms)
        # Balance each start row against its target row (a positive factor leaves the
        # start solutions alone); otherwise the paths would do all their moving near t = 1.
        for i, (g_i, f_i) in enumerate(zip(start, target.tensors, strict=True)):
            axes = tuple(range(2, g_i.ndim))
            g_norm = np.sqrt((np.abs(g_i) ** 2).sum(axis=axes))
            f_norm = np.sqrt((np.abs(f_i) ** 2).sum(axis=axes))
            ratio = np.where(
                (g_norm > 0) & (f_norm > 0), f_norm / np.where(g_norm > 0, g_norm, 1.0), 1.0
            )
            start[i] = g_i * ratio.reshape(*ratio.shape, *([1] * len(axes)))
        return start

    def run(paths: IntArray, max_step: float) -> hc.TrackResult:
        start = start_system()
        for first, (group, assignments) in list(deferred.items()):
            span = len(group) * assignments.shape[0]
            if np.any((paths >= first) & (paths < first + span)):
                pts = _start_points(
                    [m[group] for m in masks],
                    [p[group] for p in patches],
                    forms[group],
                    assignments,
                )
                x0[first : first + span] = pts.reshape(-1, n)
                del deferred[first]
        results = []
        for lo in range(0, len(paths), _PATH_CHUNK):
            chunk = paths[lo : lo + _PATH_CHUNK]
            prof = owner[chunk]
            results.append(
                hc.track(
                    [s[prof] for s in start],
                    [np.asarray(a[prof], dtype=complex) for a in target.tensors],
                    np.asarray(target.linear[prof], dtype=complex),
                    np.asarray(target.rhs[prof], dtype=complex),
                    x0[chunk],
                    sizes,
                    gamma,
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

    all_paths = np.arange(len(owner))
    x_end = np.zeros((len(owner), n), dtype=complex)
    success = np.zeros(len(owner), dtype=bool)
    rcond = np.zeros(len(owner))
    # Profiles solved without tracking: linear ones, and those with a closed form (the
    # n_roots paths of such a profile are consecutive; one call per set of support sizes).
    # All are refined together by Newton's method.
    d_paths: list[IntArray] = [np.flatnonzero(direct)]
    d_clean: list[BoolArray] = []
    d_x0: list[ComplexArray] = []
    d_x0.append(
        _linear_start(
            [m[owner[d_paths[0]]] for m in masks], [p[owner[d_paths[0]]] for p in patches]
        )
    )
    blocks: list[tuple[int, IntArray]] = []
    for n_roots, solver in (
        (2, _quadratic_roots),
        (4, _quartic_roots),
        (9, _nine_roots),
        (10, _ten_roots),
    ):
        firsts = np.flatnonzero(quadratic == n_roots)[::n_roots]
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
    if len(all_direct):
        prof = owner[all_direct]
        x_d, ok_d, jac_d = _refine_direct(
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
        x_end[done], success[done] = x_d[keep], ok_d[keep]
        rcond[done] = hc.relative_condition(jac_d[keep], x_d[keep], sizes)
        direct[:] = False
        direct[done] = True
    tracked = np.flatnonzero(~direct)
    if len(tracked):
        result = run(tracked, hc.MAX_STEP)
        x_end[tracked], success[tracked] = result.x, result.success
        rcond[tracked] = hc.relative_condition(result.jacobian, result.x, sizes)

    offsets = np.cumsum((0, *sizes))

    def normalised(x: ComplexArray) -> tuple[ComplexArray, BoolArray]:
        """Each group scaled to sum 1, and whether that was possible."""
        parts, finite = [], np.ones(len(x), dtype=bool)
        for j in range(n_players):
            xj = x[:, offsets[j] : offsets[j + 1]]
            total = xj.sum(axis=1)
            finite &= np.abs(total) > 1e-8 * np.maximum(np.abs(xj).max(axis=1), 1e-300)
            parts.append(xj / np.where(finite, total, 1.0)[:, None])
        return np.concatenate(parts, axis=1), finite

    def jumped(paths: IntArray, ok: BoolArray, pts: ComplexArray) -> BoolArray:
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

    sigma_c, finite = normalised(x_end)
    regular = success & (rcond >= SINGULAR_RCOND) & finite
    jump = jumped(all_paths, regular, sigma_c)
    retried = 0
    if jump.any():
        # Retrack every path of the affected supports with short steps.
        affected = np.isin(owner, owner[jump])
        redo = np.flatnonzero(affected)
        retried = len(redo)
        again = run(redo, 0.02)
        x_end[redo], success[redo] = again.x, again.success
        rcond[redo] = hc.relative_condition(again.jacobian, again.x, sizes)
        sigma_c, finite = normalised(x_end)
        regular = success & (rcond >= SINGULAR_RCOND) & finite
        jump = np.zeros(len(owner), dtype=bool)
        jump[redo] = jumped(redo, regular[redo], sigma_c[redo])

    # Candidates: nearly real, nearly non-negative endpoints (failed paths too: whatever
    # verifies is returned).
    near_real = finite & (np.abs(sigma_c.imag).max(axis=1, initial=0.0) < 1e-4)
    cand = np.flatnonzero(near_real & (sigma_c.real.min(axis=1, initial=0.0) > -1e-4))
    notes: list[str] = []
    complete = True
    found: list[tuple[list[FloatArray], int]] = []
    borderline_singular: list[int] = []
    eq_rows: list[int] = []
    if len(cand):
        prof = owner[cand]
        cmasks = [m[prof] for m in masks]
        real_sys = _build(payoffs, cmasks, [m.astype(np.float64) for m in cmasks])
        x_real = np.where(np.concatenate(cmasks, axis=1), sigma_c[cand].real, 0.0)
        x_real, corr, jac_r = hc.newton(
            real_sys.tensors, real_sys.linear, real_sys.rhs, x_real, sizes, 4
        )
        rcond_r = hc.relative_condition(jac_r, x_real, sizes)
        sig = [x_real[:, offsets[j] : offsets[j + 1]] for j in range(n_players)]
        values = _action_values(payoffs, sig)
        support_min = np.min(np.where(np.concatenate(cmasks, axis=1), x_real, np.inf), axis=1)
        outside_max = np.max(
            np.where(np.concatenate(cmasks, axis=1), -np.inf, np.abs(x_real)), axis=1, initial=0.0
        )
        excess = np.max(
            np.stack(
                [v.max(axis=1) - (v * s).sum(axis=1) for v, s in zip(values, sig, strict=True)],
                axis=1,
            ),
            axis=1,
        )
        residual_ok = corr < 1e-9
        accepted = (
            residual_ok
            & (support_min > tol)
            & (excess <= tol)
            & (outside_max < 1e-12)
            & (np.abs(sigma_c[cand].imag).max(axis=1) < 1e-6)
        )
        borderline = ~accepted & (support_min > -1e-6) & (excess <= 1e-6)
        singular_here = (rcond[cand] < SINGULAR_RCOND) | (rcond_r < SINGULAR_RCOND) | ~success[cand]
        borderline_singular.extend(
            int(c) for c in np.flatnonzero((accepted | borderline) & singular_here)
        )
        eq_rows.extend(int(c) for c in np.flatnonzero(accepted))
        if eq_rows:
            rows = np.array(eq_rows)
            eq_sig = [s[rows] for s in sig]
            eq_masks = [m[rows] for m in cmasks]
            eq_vals = [v[rows] for v in values]
            ties = [
                (v >= (v * s).sum(axis=1, keepdims=True) - 1e-7) & ~m
                for v, s, m in zip(eq_vals, eq_sig, eq_masks, strict=True)
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
            shown = sorted(
                {_describe(game, masks, int(owner[cand[c]])) for c in borderline_singular}
            )
            notes.append(
                f"{len(borderline_singular)} path endpoint(s) near a feasible point were "
                "singular, which signals a non-isolated set of equilibria or a multiple "
                f"equilibrium, on the support(s) {' | '.join(shown[:3])}"
                + (" and others" if len(shown) > 3 else "")
            )
    indifferent = _indifference_sets(game, payoffs, 1e-12)
    if indifferent:
        complete = False
        notes.extend(text for text, _ in indifferent[:5])
        if len(indifferent) > 5:
            notes.append(f"... and {len(indifferent) - 5} more such indifferences")
    n_failed = int((~success).sum())
    if n_failed:
        complete = False
        notes.append(f"{n_failed} of {len(owner)} homotopy paths failed to converge")
    n_singular = int((success & (rcond < SINGULAR_RCOND)).sum())
    if n_singular:
        complete = False
        notes.append(
            f"{n_singular} of {len(owner)} homotopy paths ended at singular "
            "solutions of their support's equations (a degenerate game); "
            "equilibria there may be missed"
        )
    if jump.any():
        complete = False
        notes.append(
            f"{int(jump.sum())} homotopy paths merged even with short steps; "
            "some equilibria may be missed"
        )
    elif retried:
        notes.append(f"{retried} paths were retracked with shorter steps after two merged")

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
                sum(int((s > 0).sum()) for s in e.strategies),
                tuple(-round(float(p), 9) for s in e.strategies for p in s),
            ),
        )
    )
    notes = list(dict.fromkeys(notes))
    return Solution(game, unique, _CONCEPT, _METHOD, complete, tuple(notes))
