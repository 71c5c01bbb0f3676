"""All extreme Nash equilibria of two-player games, by vertex enumeration.

Method (Mangasarian 1964; Avis, Rosenberg, Savani & von Stengel 2010, section 3;
Nisan et al. 2007, *Algorithmic Game Theory*, ch. 3): with payoffs shifted to be
positive, the best-response polytopes are

    P = {x >= 0 : B^T x <= 1}    labels: i where x_i = 0, m + j where (B^T x)_j = 1
    Q = {y >= 0 : A y <= 1}      labels: i where (A y)_i = 1, m + j where y_j = 0

and the extreme Nash equilibria are exactly the completely labelled vertex pairs
``(x, y) != (0, 0)``, normalised. The vertices of each polytope are found as the
facets of its polar (``scipy.spatial.ConvexHull``, i.e. Qhull).

Degenerate games need care. A degenerate vertex has more tight constraints than
the dimension, Qhull splits its facet into several simplices, and the labels of
any one simplex are a subset of the vertex's labels. So the labels are not taken
from Qhull: each distinct vertex is recovered from its facet hyperplane and its
label set is recomputed from *all* constraints, and vertex pairs are matched by
the superset test ``L(x) | L(y) == all labels``, not by exact complements. Every
extreme equilibrium is then listed exactly once; for a degenerate game these are
the extreme points of the (possibly infinite) equilibrium components.
"""

from __future__ import annotations

from functools import cache
from itertools import combinations
from math import comb

import numpy as np
import numpy.typing as npt

from sim.errors import TooLargeError, UsageError
from sim.games.normal_form import NormalFormGame
from sim.solvers.solution import Equilibrium, Solution, deduplicate, make_equilibrium

__all__ = ["vertex_enumeration"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
METHOD = "vertex_enumeration"

#: A constraint counts as tight when its slack is below this (payoffs are scaled to [1, 2]).
LABEL_TOLERANCE = 1e-9

#: Up to this many candidate constraint subsets, vertices are found by batched
#: linear solves rather than by Qhull (faster in low dimension, no scipy import).
SUBSET_LIMIT = 300

#: The enumerated polytope has dimension min(m, n); its vertex count grows
#: exponentially with it, and beyond this listing them takes hours.
MAX_DIMENSION = 24


def _vertices(constraints: FloatArray, bounds: FloatArray) -> tuple[FloatArray, BoolArray]:
    """Vertices of ``{z : constraints @ z <= bounds}`` and, for each, which rows are tight.

    The polytope must be bounded with a nonempty interior; row ``k`` of the
    constraints carries label ``k``. A vertex is the unique point where its tight
    constraints meet, so its set of tight rows identifies it.
    """
    n_constraints, dim = constraints.shape
    if comb(n_constraints, dim) <= SUBSET_LIMIT:
        points = _vertices_by_subsets(constraints, bounds)
    else:
        from scipy.spatial import ConvexHull

        # An interior point, then the polar: the points g_k / (b_k - g_k . c).
        center = _interior_point(constraints, bounds)
        slack = bounds - constraints @ center
        hull = ConvexHull(constraints / slack[:, None])
        # Facet {p : normal . p + offset = 0} of the polar is the vertex -normal/offset.
        points = center - hull.equations[:, :-1] / hull.equations[:, -1:]
    tight = np.abs(points @ constraints.T - bounds) <= LABEL_TOLERANCE
    # A degenerate vertex is found several times (from several subsets, or as
    # several simplicial facets in Qhull): merge the copies by label set.
    if tight.shape[1] <= 62:
        keys = tight @ (np.int64(1) << np.arange(tight.shape[1], dtype=np.int64))
        _, first = np.unique(keys, return_index=True)
    else:
        _, first = np.unique(np.packbits(tight, axis=1), axis=0, return_index=True)
    first.sort()
    return points[first], tight[first]


@cache
def _subsets(n_constraints: int, dim: int) -> npt.NDArray[np.intp]:
    """Every choice of ``dim`` of ``n_constraints`` row indices (cached: games repeat shapes)."""
    subsets = np.array(list(combinations(range(n_constraints), dim)), dtype=np.intp)
    subsets.flags.writeable = False
    return subsets


def _vertices_by_subsets(constraints: FloatArray, bounds: FloatArray) -> FloatArray:
    """Every vertex, by solving each choice of ``dim`` constraints as equalities.

    A vertex satisfies some ``dim`` linearly independent constraints with
    equality, so trying every subset (one batched solve) and keeping the
    feasible solutions finds them all. Cheaper than Qhull in low dimension, and
    needs only numpy.
    """
    subsets = _subsets(*constraints.shape)
    systems = constraints[subsets]
    regular = np.abs(np.linalg.det(systems)) > 1e-12
    points = np.linalg.solve(systems[regular], bounds[subsets[regular]][..., None])[..., 0]
    feasible = (points @ constraints.T <= bounds + LABEL_TOLERANCE).all(axis=1)
    return np.asarray(points[feasible], dtype=np.float64)


def _interior_point(constraints: FloatArray, bounds: FloatArray) -> FloatArray:
    """A point strictly inside ``{x >= 0 : M x <= 1}`` for the positive payoff polytopes."""
    payoff_rows = constraints[bounds > 0]
    scale = payoff_rows.sum(axis=1).max()
    return np.full(constraints.shape[1], 0.5 / scale)


def _polytope(payoffs: FloatArray, *, own_first: bool) -> tuple[FloatArray, FloatArray]:
    """Constraint rows of a best-response polytope in the label order of the module docstring."""
    k = payoffs.shape[1]
    nonneg = -np.eye(k)
    if own_first:
        return np.vstack([nonneg, payoffs]), np.concatenate([np.zeros(k), np.ones(len(payoffs))])
    return np.vstack([payoffs, nonneg]), np.concatenate([np.ones(len(payoffs)), np.zeros(k)])


def _partners(a: FloatArray, x_tight: BoolArray) -> tuple[FloatArray, BoolArray] | None:
    """For each nondegenerate vertex x of P, the unique y in Q completing its labels.

    Labels missing from x must be labels of y: ``(A y)_i = 1`` for the missing
    i < m and ``y_j = 0`` for the missing m + j. For a nondegenerate x those are
    exactly n equations, so every vertex's partner comes from one batched n x n
    solve. Returns ``(y, found)``, or ``None`` when some system is singular (a
    degenerate Q), in which case the caller enumerates Q's vertices as well.
    """
    m, n = a.shape
    # Row k of `rows` is equation k: A's rows for labels i < m, identity rows for y_j = 0.
    rows = np.vstack([a, np.eye(n)])
    rhs = np.concatenate([np.ones(m), np.zeros(n)])
    chosen = np.nonzero(~x_tight)[1].reshape(len(x_tight), n)
    systems = rows[chosen]
    if np.any(np.abs(np.linalg.det(systems)) < 1e-12):
        return None
    y = np.linalg.solve(systems, rhs[chosen][..., None])[..., 0]
    found = (y.min(axis=1) >= -LABEL_TOLERANCE) & ((y @ a.T).max(axis=1) <= 1 + LABEL_TOLERANCE)
    return y, found


def _match_all(x_tight: BoolArray, y_tight: BoolArray, m: int) -> list[tuple[int, int]]:
    """Completely labelled pairs of vertices, allowing degenerate vertices on both sides.

    A nondegenerate x (exactly m labels) pairs with a nondegenerate y only if the
    label sets are exact complements, which a dictionary finds; only the few
    degenerate vertices need the superset test against every vertex of the
    other polytope.
    """
    n = x_tight.shape[1] - m
    x_degenerate = x_tight.sum(axis=1) > m
    y_degenerate = y_tight.sum(axis=1) > n
    by_labels: dict[bytes, list[int]] = {}
    for k in map(int, np.flatnonzero(~y_degenerate)):
        by_labels.setdefault(np.packbits(y_tight[k]).tobytes(), []).append(k)
    pairs: set[tuple[int, int]] = set()
    for i in np.flatnonzero(~x_degenerate):
        for k in by_labels.get(np.packbits(~x_tight[i]).tobytes(), ()):
            pairs.add((int(i), int(k)))
    for y_index in map(int, np.flatnonzero(y_degenerate)):
        covered = (x_tight | y_tight[y_index]).all(axis=1)
        pairs.update((int(i), y_index) for i in np.flatnonzero(covered))
    for x_index in map(int, np.flatnonzero(x_degenerate)):
        covered = (y_tight | x_tight[x_index]).all(axis=1)
        pairs.update((x_index, int(k)) for k in np.flatnonzero(covered))
    return sorted(pairs)


def vertex_enumeration(game: NormalFormGame, *, tol: float = 1e-9) -> Solution:
    """Every extreme Nash equilibrium of a two-player game.

    The result is complete: for a nondegenerate game these are all its
    equilibria; for a degenerate game they are the extreme points of its
    equilibrium components (every equilibrium is a convex combination of
    extreme ones within a component), and a note says the game is degenerate.

    Parameters
    ----------
    game
        A two-player normal-form game.
    tol
        Equilibria whose independently recomputed regret exceeds ``tol`` times the
        payoff range are dropped (and noted), which can only happen through round-off.

    Examples
    --------
    Stag hunt: two pure equilibria and one mixed.

    >>> from sim.games import NormalFormGame
    >>> stag = NormalFormGame.from_matrices([[4, 0], [3, 3]], [[4, 3], [0, 3]])
    >>> solution = vertex_enumeration(stag)
    >>> sorted(tuple(round(float(p), 3) for p in eq.strategies[0]) for eq in solution)
    [(0.0, 1.0), (0.75, 0.25), (1.0, 0.0)]
    """
    if game.n_players != 2:
        raise UsageError(f"vertex_enumeration: 2-player games only; got {game.n_players} players")
    m, n = game.shape
    if min(m, n) > MAX_DIMENSION:
        raise TooLargeError(
            f"one player may have at most {MAX_DIMENSION} actions; got "
            f"{m} x {n} (use {{method=lemke_howson}} for one equilibrium)",
            function="vertex_enumeration",
            parameters=["method"],
        )
    spread = game.payoff_range
    # Scale each player's payoffs into [1, 2]: positive, and tolerances become relative.
    a = 1.0 + (game.payoffs[0] - game.payoffs[0].min()) / spread
    b = 1.0 + (game.payoffs[1] - game.payoffs[1].min()) / spread

    if m > n:  # enumerate the lower-dimensional polytope: solve the transposed game
        swapped = vertex_enumeration(game.permuted([1, 0]), tol=tol)
        equilibria = [
            make_equilibrium(game, eq.normal_profile()[::-1], concept="nash", method=METHOD)
            for eq in swapped
        ]
        return Solution(
            game,
            _ordered(equilibria),
            concept="nash",
            method=METHOD,
            complete=swapped.complete,
            notes=swapped.notes,
        )

    # P: labels 0..m-1 are x_i = 0, m..m+n-1 are (B^T x)_j = 1.
    x_points, x_tight = _vertices(*_polytope(b.T, own_first=True))
    keep = x_tight[:, m:].any(axis=1)  # drop x = 0
    x_points, x_tight = x_points[keep], x_tight[keep]
    degenerate = bool((x_tight.sum(axis=1) > m).any())
    partners = None if degenerate else _partners(a, x_tight)
    if partners is not None:
        y_points, found = partners
        pairs = [(int(i), int(i)) for i in np.flatnonzero(found)]
        # A partner with surplus labels is a degenerate vertex of Q.
        matched = y_points[found]
        labels = (np.abs(matched @ a.T - 1) <= LABEL_TOLERANCE).sum(axis=1) + (
            np.abs(matched) <= LABEL_TOLERANCE
        ).sum(axis=1)
        degenerate = bool((labels > n).any())
    else:
        degenerate = True
        # Q: labels 0..m-1 are (A y)_i = 1, m..m+n-1 are y_j = 0.
        y_points, y_tight = _vertices(*_polytope(a, own_first=False))
        keep = y_tight[:, :m].any(axis=1)  # drop y = 0
        y_points, y_tight = y_points[keep], y_tight[keep]
        pairs = _match_all(x_tight, y_tight, m)

    equilibria = []
    rejected = 0
    for i, k in pairs:
        x, y = x_points[i], y_points[k]
        eq = make_equilibrium(game, [x / x.sum(), y / y.sum()], concept="nash", method=METHOD)
        if eq.max_regret <= max(tol, 1e-12) * spread * 10:
            equilibria.append(eq)
        else:
            rejected += 1
    notes = []
    if degenerate:
        notes.append(
            "the game is degenerate: it may have infinite sets of equilibria, and the "
            "listed ones are their extreme points (mixtures of extreme equilibria are "
            "equilibria only when the extreme ones are mutually compatible)"
        )
    if rejected:
        notes.append(f"{rejected} candidate pairs failed the regret check and were dropped")
    return Solution(
        game,
        _ordered(equilibria),
        concept="nash",
        method=METHOD,
        complete=not rejected,
        notes=tuple(notes),
    )


def _ordered(equilibria: list[Equilibrium]) -> tuple[Equilibrium, ...]:
    """Deduplicated, in a fixed order: lexicographically by strategies, pure first."""
    return deduplicate(
        sorted(equilibria, key=lambda e: [-p for s in e.normal_profile() for p in s])
    )
