"""Batched homotopy continuation for square multilinear polynomial systems (private).

This module knows nothing about games. It tracks, in one numpy batch, many
solution paths of square systems in unknowns ``x = (x_1, ..., x_N)``, split
into ``N`` groups of sizes ``n_1, ..., n_N`` (``n = n_1 + ... + n_N``). Group
``i`` owns ``n_i - 1`` *tensor rows*

.. math::

    H_{i,r}(x, t) = \\sum A_i(t)_{r, (a_j)_{j \\ne i}} \\prod_{j \\ne i} x_j[a_j]
                    + (L x)_{i,r} - b_{i,r},

each of degree one in every other group and zero in its own (a multilinear,
multi-homogeneous form; rows that pin a coordinate to zero have ``A_i = 0``),
and there are ``N`` purely linear *patch rows*, one per group. The tensor
parts move along the "gamma trick" straight line

.. math::

    A(t) = (1 - t)\\,\\gamma A_G + t A_F = \\gamma A_G + t (A_F - \\gamma A_G),

from a start system ``A_G`` (whose solutions are known) at ``t = 0`` to the
target ``A_F`` at ``t = 1``; ``gamma`` is a random unit complex number, which
with probability one keeps every path nonsingular for ``0 <= t < 1``
(Sommese & Wampler 2005, chapters 7-8; Morgan & Sommese 1987).

Each path has its own coefficients, its own ``t`` and its own step size, so
unrelated systems share one loop: a Runge-Kutta (RK4) predictor on the
Davidenko equation ``J dx/dt = -dH/dt`` followed by at most three Newton
corrections, with the step halved on failure and doubled (up to
:data:`MAX_STEP`) after :data:`GROW_AFTER` successes in a row. The first RK4
stage of each step is not a separate evaluation: it is solved together with
the last Newton correction of the step before (same Jacobian, two right-hand
sides). Because every equation is homogeneous in
each group, the path in projective space does not depend on the patch: after
each accepted step each group is rescaled to unit length and its patch moved
through it, which keeps the coordinates well scaled. For speed the groups are
padded to a common size and stacked. When the systems are small (see
:data:`DENSE_ENTRIES`) every tensor row is rewritten as a symmetric form on the
whole padded space, so that ``N - 2`` batched matrix-vector products give the
Jacobian of every row (and Euler's relation its value); otherwise batched
matrix products on the stacked tensors evaluate the rows of every group. Every
batched matrix-vector product is cut into blocks small enough for OpenBLAS to
compute on the calling thread (handing tiny products to worker threads costs
milliseconds per call on a loaded machine). Paths that finish or fail drop out
of the working batch.

References
----------
A. J. Sommese and C. W. Wampler, *The Numerical Solution of Systems of
Polynomials Arising in Engineering and Science*, World Scientific, 2005.

A. P. Morgan and A. J. Sommese, "A homotopy for solving general polynomial
systems that respects m-homogeneous structures", *Applied Mathematics and
Computation* 24 (1987) 101-113.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "TrackResult",
    "count_assignments",
    "enumerate_assignments",
    "evaluate",
    "layout",
    "newton",
    "relative_condition",
    "track",
]

ComplexArray = npt.NDArray[np.complex128]
#: Real or complex, as the caller chooses.
AnyArray = npt.NDArray[Any]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

#: Largest step in ``t``; RK4 keeps the predictor error small at this size.
MAX_STEP = 0.25
#: First step in ``t``.
INITIAL_STEP = 0.05
#: A path whose step shrinks below this has failed.
MIN_STEP = 1e-9
#: Newton corrections (relative to the size of ``x``) below this count as converged.
CORRECTOR_TOL = 1e-6
#: A first Newton correction larger than this means the predictor went astray.
MAX_FIRST_CORRECTION = 0.1
#: A Newton correction this small (relative) means the point is exact to round-off.
EXACT_STEP = 1e-13
#: Step growth factor after a successful step.
GROWTH = 2.0
#: Consecutive successful steps needed before the step grows (avoids accept/reject cycles).
GROW_AFTER = 2
#: Working-batch size; bounds memory use on large games.
CHUNK = 4096
#: Largest per-path size (complex entries) of the dense symmetric coefficients
#: (:func:`_dense`); larger systems are evaluated by batched products on the stacked
#: tensors (:meth:`_Stacked.products`).
DENSE_ENTRIES = 4096
#: Batched matrix-vector products are cut into blocks with fewer entries than this, which
#: OpenBLAS computes on the calling thread (see :func:`_contract_dense`).
_BLAS_SMALL = 2048


def layout(sizes: tuple[int, ...]) -> tuple[IntArray, IntArray]:
    """Offsets of each group's columns and of each group's tensor rows.

    Group ``j`` owns columns ``x_off[j]:x_off[j+1]`` and tensor rows
    ``r_off[j]:r_off[j+1]`` (``n_j - 1`` of them); the ``N`` rows after the tensor
    rows are purely linear (the patches).
    """
    x_off = np.cumsum((0, *sizes)).astype(np.int64)
    r_off = np.cumsum((0, *(k - 1 for k in sizes))).astype(np.int64)
    return x_off, r_off


def _split(x: AnyArray, sizes: tuple[int, ...]) -> list[AnyArray]:
    offsets = np.cumsum((0, *sizes))
    return [x[:, offsets[j] : offsets[j + 1]] for j in range(len(sizes))]


def _blocks(
    tensors: Sequence[AnyArray],
    xs: list[AnyArray],
) -> tuple[list[AnyArray], list[dict[int, AnyArray]]]:
    """Values and Jacobian blocks of the tensor rows.

    ``tensors[i]`` has shape ``(paths, n_i - 1, n_j for j != i)``: group ``i``'s rows
    are of degree one in every other group and zero in its own.
    """
    n_groups = len(xs)
    values = []
    jac: list[dict[int, AnyArray]] = []
    for i, tensor in enumerate(tensors):
        others = [j for j in range(n_groups) if j != i]
        blocks: dict[int, AnyArray] = {}
        for pos, j in enumerate(others):
            if len(others) == 1:
                blocks[j] = tensor
                continue
            operands: list[object] = [tensor, list(range(len(others) + 2))]
            for qos, k in enumerate(others):
                if k != j:
                    operands += [xs[k], [0, qos + 2]]
            operands.append([0, 1, pos + 2])
            blocks[j] = np.einsum(*operands)  # type: ignore[call-overload]
        j0 = others[0]
        values.append(np.einsum("prj,pj->pr", blocks[j0], xs[j0]))
        jac.append(blocks)
    return values, jac


def evaluate(
    tensors: Sequence[AnyArray],
    linear: AnyArray,
    rhs: AnyArray,
    x: AnyArray,
    sizes: tuple[int, ...],
) -> tuple[AnyArray, AnyArray]:
    """Values ``H`` (paths, n) and Jacobians ``J`` (paths, n, n) of a batch of systems."""
    x_off, r_off = layout(sizes)
    values, blocks = _blocks(tensors, _split(x, sizes))
    jac = linear.copy()
    value = np.einsum("prc,pc->pr", linear, x) - rhs
    for i, row in enumerate(blocks):
        rows = slice(r_off[i], r_off[i + 1])
        value[:, rows] += values[i]
        for j, block in row.items():
            jac[:, rows, x_off[j] : x_off[j + 1]] += block
    return value, jac


def _solve(jac: AnyArray, rhs: AnyArray) -> AnyArray:
    """Batched ``jac @ y = rhs``; rows whose matrix is exactly singular come back as NaN.

    ``rhs`` is ``(paths, n)`` or, for several right-hand sides, ``(paths, n, k)``.
    """
    if rhs.ndim == 3:
        return _solve_columns(jac, rhs)
    return _solve_columns(jac, rhs[..., None])[..., 0]


def _solve_columns(jac: AnyArray, rhs: AnyArray) -> AnyArray:
    try:
        return np.linalg.solve(jac, rhs)
    except np.linalg.LinAlgError:
        out = np.full(rhs.shape, np.nan, dtype=np.result_type(jac, rhs))
        for p in range(jac.shape[0]):
            with contextlib.suppress(np.linalg.LinAlgError):
                out[p] = np.linalg.solve(jac[p], rhs[p])
        return out


def _norms(v: AnyArray, x: AnyArray) -> FloatArray:
    """Relative size of the correction ``v`` at the point ``x`` (NaN counts as huge)."""
    size = np.abs(v).max(axis=1) / np.maximum(1.0, np.abs(x).max(axis=1))
    return np.asarray(np.where(np.isfinite(size), size, np.inf), dtype=np.float64)


def newton(
    tensors: Sequence[AnyArray],
    linear: AnyArray,
    rhs: AnyArray,
    x: AnyArray,
    sizes: tuple[int, ...],
    iterations: int,
) -> tuple[AnyArray, FloatArray, AnyArray]:
    """Newton's method on a batch of systems (real or complex, as the inputs are).

    Stops early once every correction (after the first) is below
    :data:`EXACT_STEP`. Returns the refined points, the size of the last correction,
    and the Jacobians at the refined points.
    """
    last = np.full(x.shape[0], np.inf)
    for it in range(iterations):
        value, jac = evaluate(tensors, linear, rhs, x, sizes)
        step = _solve(jac, -value)
        last = _norms(step, x)
        x = np.where(np.isfinite(step), x + np.nan_to_num(step), x)
        if it > 0 and np.all(last < EXACT_STEP):
            # Every point has converged to round-off: more iterations change nothing.
            break
    _, jac = evaluate(tensors, linear, rhs, x, sizes)
    return x, last, jac


def relative_condition(jac: AnyArray, x: AnyArray, sizes: tuple[int, ...]) -> FloatArray:
    """Reciprocal condition number of each Jacobian, scaled to be projectively meaningful.

    Columns of group ``j`` are multiplied by ``|x_j|`` (so the variables are
    unit vectors) and rows are equilibrated to unit length, so the result does
    not depend on the scale of the payoffs or on where the random patch put the
    point. Values near machine precision mean a singular (non-isolated or
    multiple) solution.
    """
    col = np.concatenate(
        [
            np.repeat(np.linalg.norm(xj, axis=1, keepdims=True), nj, axis=1)
            for xj, nj in zip(_split(x, sizes), sizes, strict=True)
        ],
        axis=1,
    )
    scaled = jac * np.maximum(col, 1e-300)[:, None, :]
    rows = np.linalg.norm(scaled, axis=2, keepdims=True)
    scaled = scaled / np.where(rows > 0, rows, 1.0)
    if not np.all(np.isfinite(scaled)):
        scaled = np.nan_to_num(scaled)
    sv = np.linalg.svd(scaled, compute_uv=False)
    top = sv[:, 0]
    return np.asarray(
        np.where(top > 0, sv[:, -1] / np.where(top > 0, top, 1.0), 0.0), dtype=np.float64
    )


@dataclass(frozen=True)
class TrackResult:
    """Endpoints of a batch of paths.

    Attributes
    ----------
    x
        The points reached, refined by Newton's method at ``t = 1`` when the path
        arrived there, each group scaled to unit length (up to round-off).
    t
        How far each path got (1.0 for every path that arrived).
    success
        Whether the path reached ``t = 1`` and Newton's method converged there.
    jacobian
        The Jacobian of the target system at each endpoint.
    correction
        The last Newton correction at ``t = 1`` (relative); large means no convergence.
    """

    x: ComplexArray
    t: FloatArray
    success: BoolArray
    jacobian: ComplexArray
    correction: FloatArray


@dataclass(frozen=True)
class _Stacked:
    """Every group padded to ``m = max n_j`` coordinates and stacked, for fast tracking.

    Group ``i`` owns padded columns ``i*m .. i*m + m - 1`` and tensor rows
    ``i*R .. i*R + R - 1`` (``R = m - 1``); its padding coordinates are pinned to
    zero by the spare rows, and the ``N`` patch rows come last. The tensor of all
    groups is one array ``(paths, N, R, m, ..., m)`` whose axis ``3 + q`` is the
    ``q``-th other group of the row's group, so the same batched products serve all
    groups (:meth:`products`).
    """

    sizes: tuple[int, ...]
    width: int
    others: IntArray  # (N, N - 1): others[i, q]
    rows: IntArray  # padded row of each original row
    cols: IntArray  # padded column of each original column
    pair_row: IntArray  # (N (N - 1),): row group i of each (i, q) pair
    pair_pos: IntArray  # q of each pair
    pair_col: IntArray  # others[i, q] of each pair

    @classmethod
    @functools.cache
    def of(cls, sizes: tuple[int, ...]) -> _Stacked:
        n_groups, width = len(sizes), max(sizes)
        others = np.array(
            [[j for j in range(n_groups) if j != i] for i in range(n_groups)], dtype=np.int64
        ).reshape(n_groups, n_groups - 1)
        rows = np.concatenate(
            [i * (width - 1) + np.arange(k - 1) for i, k in enumerate(sizes)]
            + [n_groups * (width - 1) + np.arange(n_groups)]
        ).astype(np.int64)
        cols = np.concatenate([i * width + np.arange(k) for i, k in enumerate(sizes)]).astype(
            np.int64
        )
        pairs = [(i, q) for i in range(n_groups) for q in range(n_groups - 1)]
        pair_row = np.array([i for i, _ in pairs], dtype=np.int64)
        pair_pos = np.array([q for _, q in pairs], dtype=np.int64)
        return cls(
            tuple(sizes),
            width,
            others,
            rows,
            cols,
            pair_row,
            pair_pos,
            others[pair_row, pair_pos],
        )

    def tensor(self, tensors: Sequence[ComplexArray]) -> ComplexArray:
        n_groups, width = len(self.sizes), self.width
        n_paths = tensors[0].shape[0]
        out = np.zeros((n_paths, n_groups, width - 1, *([width] * (n_groups - 1))), dtype=complex)
        for i, tensor in enumerate(tensors):
            index: tuple[Any, ...] = (slice(None), i, *(slice(0, k) for k in tensor.shape[1:]))
            out[index] = tensor
        return out

    def linear(self, linear: ComplexArray, rhs: ComplexArray) -> tuple[ComplexArray, ComplexArray]:
        n_groups, width = len(self.sizes), self.width
        size = n_groups * width
        out = np.zeros((linear.shape[0], size, size), dtype=complex)
        out[:, self.rows[:, None], self.cols[None, :]] = linear
        for i, k in enumerate(self.sizes):
            spare = np.arange(width - k)
            out[:, i * (width - 1) + k - 1 + spare, i * width + k + spare] = 1.0
        padded_rhs = np.zeros((linear.shape[0], size), dtype=complex)
        padded_rhs[:, self.rows] = rhs
        return out, padded_rhs

    def pad(self, x: ComplexArray) -> ComplexArray:
        out = np.zeros((x.shape[0], len(self.sizes) * self.width), dtype=complex)
        out[:, self.cols] = x
        return out

    def products(
        self, tensor: ComplexArray, delta: ComplexArray, x: ComplexArray
    ) -> tuple[ComplexArray, ComplexArray, ComplexArray]:
        """Jacobian (paths, N*R, N*m) and values of the rows of ``tensor``, values of ``delta``.

        Batched matrix products only: the others' coordinates are contracted from the
        last axis inwards (suffixes), and each Jacobian block contracts the remaining
        leading axes from the left.
        """
        n_paths = x.shape[0]
        n_groups, width = len(self.sizes), self.width
        n_rows = width - 1
        xg = x.reshape(n_paths, n_groups, width)
        col = [xg[:, self.others[:, q], :, None] for q in range(n_groups - 1)]
        row = [xg[:, self.others[:, q], None, :] for q in range(n_groups - 1)]
        both = np.concatenate((tensor, delta), axis=2)  # (P, N, 2R, m, ..., m)
        flat = both.reshape(n_paths, n_groups, 2 * n_rows, -1)
        # suffix[q]: axes q+1.. contracted, shape (P, N, 2R, m ** (q + 1)).
        suffix = [flat] * (n_groups - 1)
        for q in range(n_groups - 2, 0, -1):
            cur = suffix[q].reshape(n_paths, n_groups, 2 * n_rows * width**q, width)
            suffix[q - 1] = np.matmul(cur, col[q]).reshape(n_paths, n_groups, 2 * n_rows, -1)
        parts = []
        for q in range(n_groups - 1):
            block = suffix[q][:, :, :n_rows]
            for r in range(q):
                block = np.matmul(
                    row[r][:, :, None], block.reshape(n_paths, n_groups, n_rows, width, -1)
                ).reshape(n_paths, n_groups, n_rows, -1)
            parts.append(block)
        values = np.matmul(suffix[0].reshape(n_paths, n_groups, 2 * n_rows, width), col[0]).reshape(
            n_paths, n_groups, 2 * n_rows
        )
        jac = np.zeros((n_paths, n_groups, n_groups, n_rows, width), dtype=complex)
        jac[:, self.pair_row, self.pair_col] = np.stack(parts, axis=1)[
            :, self.pair_pos, self.pair_row
        ]
        jac_rows = jac.transpose(0, 1, 3, 2, 4).reshape(
            n_paths, n_groups * n_rows, n_groups * width
        )
        return (
            jac_rows,
            values[:, :, :n_rows].reshape(n_paths, -1),
            values[:, :, n_rows:].reshape(n_paths, -1),
        )

    def unit_patch(self, x: ComplexArray) -> tuple[ComplexArray, ComplexArray]:
        """Scale each group of ``x`` to unit length; the patch rows that pass through it."""
        n_groups, width = len(self.sizes), self.width
        xg = x.reshape(x.shape[0], n_groups, width)
        unit = xg / np.linalg.norm(xg, axis=2, keepdims=True)
        return unit.reshape(x.shape), np.conj(unit)

    def set_patches(self, linear: ComplexArray, rows: IntArray, patch: ComplexArray) -> None:
        n_groups, width = len(self.sizes), self.width
        first = n_groups * (width - 1)
        for i in range(n_groups):
            linear[rows, first + i, i * width : (i + 1) * width] = patch[:, i]


def _dense(stacked: _Stacked, tensors: Sequence[ComplexArray]) -> ComplexArray:
    """The tensor rows as symmetric forms on the whole padded space, rows of all tensors stacked.

    Row ``r`` of group ``i`` becomes ``F_r`` of shape ``(M,) * (N - 1)`` (``M = N m``) with
    ``H_r(x) = F_r(x, ..., x)``; being symmetric, its Jacobian row is
    ``(N - 1) F_r(., x, ..., x)``, so one chain of ``N - 2`` batched matrix-vector products
    gives the Jacobian of every row and, through Euler's relation, its value.
    """
    n_groups, width = len(stacked.sizes), stacked.width
    size = n_groups * width
    n_perms, dest = _dense_index(stacked.sizes)
    n_rows = width - 1
    parts = []
    for tensor in tensors:
        n_paths = tensor.shape[0]
        # The block of every ordering of the other groups holds the tensor, with its axes
        # in that order, divided by the number of orderings.
        share = (tensor / n_perms).reshape(n_paths, n_groups, n_rows, -1).transpose(0, 2, 1, 3)
        full = np.zeros((n_paths, n_rows, n_groups, size ** (n_groups - 1)), dtype=complex)
        full[:, :, np.arange(n_groups)[:, None], dest] = np.tile(share, n_perms)
        parts.append(
            full.transpose(0, 2, 1, 3).reshape(n_paths, n_groups * n_rows, size ** (n_groups - 1))
        )
    return np.concatenate(parts, axis=1)


@functools.cache
def _dense_index(sizes: tuple[int, ...]) -> tuple[int, IntArray]:
    """Orderings of the other groups, and where :func:`_dense` puts each tensor entry.

    ``dest[i, p * m**(N-1) + a]`` is the flat position, in ``(M,) * (N - 1)``, of entry ``a``
    (flat over the other groups' axes) of group ``i``'s tensor in the block of ordering ``p``.
    """
    stacked = _Stacked.of(sizes)
    n_groups, width = len(sizes), stacked.width
    size = n_groups * width
    perms = list(itertools.permutations(range(n_groups - 1)))
    entries = np.indices((width,) * (n_groups - 1)).reshape(n_groups - 1, -1)
    dest = np.zeros((n_groups, len(perms), entries.shape[1]), dtype=np.int64)
    for i in range(n_groups):
        for p, perm in enumerate(perms):
            for slot, q in enumerate(perm):
                position = int(stacked.others[i, q]) * width + entries[q]
                dest[i, p] += position * size ** (n_groups - 2 - slot)
    dest.flags.writeable = False
    return len(perms), dest.reshape(n_groups, -1)


def _dense_entries(sizes: tuple[int, ...]) -> int:
    """Complex entries per path of :func:`_dense` for the start and delta tensors together."""
    n_groups, width = len(sizes), max(sizes)
    return int(2 * n_groups * (width - 1) * (n_groups * width) ** (n_groups - 1))


@functools.cache
def _row_blocks(n_rows: int, size: int) -> int:
    """Fewest equal blocks of ``n_rows`` rows with under :data:`_BLAS_SMALL` entries each."""
    return next(
        k for k in range(1, n_rows + 1) if n_rows % k == 0 and n_rows * size < k * _BLAS_SMALL
    )


def _contract_dense(coef: ComplexArray, x: ComplexArray, n_groups: int) -> ComplexArray:
    """The dense coefficients (:func:`_dense`) contracted ``N - 2`` times with ``x``.

    Returns ``(paths, 2 R N, M)``. Each batched matrix-vector product is cut into
    blocks of under :data:`_BLAS_SMALL` entries: OpenBLAS hands larger products to its
    worker threads, which on a loaded machine costs milliseconds per call.
    """
    n_paths, size = x.shape
    xv = x[:, None, :, None]
    c = coef
    for _ in range(n_groups - 2):
        n_rows = c.size // (n_paths * size)
        blocks = _row_blocks(n_rows, size)
        c = np.matmul(c.reshape(n_paths, blocks, n_rows // blocks, size), xv)
    return c.reshape(n_paths, -1, size)


@dataclass(frozen=True)
class _Homotopy:
    """The coefficients of a batch of homotopies, in dense or stacked form.

    ``coef`` is ``(dense,)`` with the start (times ``gamma``) and delta rows stacked
    (see :func:`_dense`), or ``(gamma * start, delta)`` as stacked tensors.
    """

    stacked: _Stacked
    coef: tuple[ComplexArray, ...]
    linear: ComplexArray
    rhs: ComplexArray

    def take(self, keep: IntArray) -> _Homotopy:
        return _Homotopy(
            self.stacked, tuple(c[keep] for c in self.coef), self.linear[keep], self.rhs[keep]
        )

    def evaluate(
        self, x: ComplexArray, t: FloatArray, linear: ComplexArray
    ) -> tuple[ComplexArray, ComplexArray, ComplexArray]:
        """``H(x, t)``, its Jacobian in ``x`` and ``dH/dt``, with the given linear rows."""
        stacked = self.stacked
        size = x.shape[1]
        n_groups = len(stacked.sizes)
        n_rows = n_groups * (stacked.width - 1)
        if len(self.coef) == 1:
            c = _contract_dense(self.coef[0], x, n_groups)
            xv = x[:, :, None]
            ct = c[:, :n_rows] + t[:, None, None] * c[:, n_rows:]
            # One product gives the tensor rows' values (ct x), the linear rows' values and
            # dH/dt (the delta rows times x).
            jac = linear.copy()
            jac[:, :n_rows] += ct * (n_groups - 1) if n_groups > 2 else ct
            lin_ct = linear.copy()
            lin_ct[:, :n_rows] += ct
            both = np.matmul(np.concatenate((lin_ct, c[:, n_rows:]), axis=1), xv)[..., 0]
            value = both[:, :size] - self.rhs
            dhdt = np.zeros_like(x)
            dhdt[:, :n_rows] = both[:, size:]
            return value, jac, dhdt
        gs, delta = self.coef
        tensor = gs + t.reshape(-1, *([1] * (gs.ndim - 1))) * delta
        tensor_jac, tensor_val, tensor_dt = stacked.products(tensor, delta, x)
        jac = linear.copy()
        jac[:, :n_rows] += tensor_jac
        value = np.matmul(linear, x[:, :, None])[..., 0] - self.rhs
        value[:, :n_rows] += tensor_val
        dhdt = np.zeros_like(x)
        dhdt[:, :n_rows] = tensor_dt
        return value, jac, dhdt

    def tangent(self, x: ComplexArray, t: FloatArray, linear: ComplexArray) -> ComplexArray:
        """``dx/dt = -J^{-1} dH/dt`` along each path."""
        stacked = self.stacked
        n_paths, size = x.shape
        n_groups = len(stacked.sizes)
        if len(self.coef) != 1:
            _, jac, dhdt = self.evaluate(x, t, linear)
            return np.asarray(_solve(jac, -dhdt), dtype=np.complex128)
        n_rows = n_groups * (stacked.width - 1)
        c = _contract_dense(self.coef[0], x, n_groups)
        xv = x[:, :, None]
        delta = c[:, n_rows:]
        ct = c[:, :n_rows] + t[:, None, None] * delta
        jac = linear.copy()
        jac[:, :n_rows] += ct * (n_groups - 1) if n_groups > 2 else ct
        minus_dhdt = np.zeros((n_paths, size, 1), dtype=complex)
        np.matmul(delta, -xv, out=minus_dhdt[:, :n_rows])
        return np.asarray(_solve(jac, minus_dhdt)[..., 0], dtype=np.complex128)


def _repatch_tangent(v: ComplexArray, x: ComplexArray, stacked: _Stacked) -> ComplexArray:
    """The tangent ``v`` at ``x`` re-expressed for the patch ``conj(u_j) . x_j = 1``.

    Here ``u_j = x_j / |x_j|``.

    The path in the new patch is ``x_j(t) / (conj(u_j) . x_j(t))``; its derivative at ``x`` is
    ``v_j / |x_j| - u_j (conj(u_j) . v_j) / |x_j|``.
    """
    n_groups, width = len(stacked.sizes), stacked.width
    xg = x.reshape(x.shape[0], n_groups, width)
    vg = v.reshape(xg.shape)
    norm = np.linalg.norm(xg, axis=2, keepdims=True)
    unit = xg / norm
    along = (np.conj(unit) * vg).sum(axis=2, keepdims=True)
    out: ComplexArray = ((vg - unit * along) / norm).reshape(v.shape)
    return out


def _track_chunk(
    homotopy: _Homotopy,
    x0: ComplexArray,
    max_step: float,
    max_iterations: int,
) -> tuple[ComplexArray, FloatArray, BoolArray, ComplexArray]:
    """Track one chunk (padded form); returns endpoints, final ``t``, success, final linear rows.

    The homotopy is homogeneous in each group, so the path in projective space
    does not depend on the affine patch: after every accepted step each group is
    rescaled to unit length and its patch row moved to pass through it (the
    patch ``conj(x_j) . x_j = 1``), which keeps the coordinates well scaled.
    The first RK4 stage of a step is the tangent solved together with the last
    Newton correction of the step before (re-expressed in the moved patch).
    """
    stacked = homotopy.stacked
    n_paths = x0.shape[0]
    linear = homotopy.linear.copy()
    x, patch = stacked.unit_patch(x0)
    stacked.set_patches(linear, np.arange(n_paths), patch)
    t = np.zeros(n_paths)
    dt = np.full(n_paths, min(INITIAL_STEP, max_step))
    status = np.zeros(n_paths, dtype=np.int8)  # 0 live, 1 arrived, 2 failed
    streak = np.full(n_paths, 99)
    tangent = homotopy.tangent(x, t, linear)
    out_x, out_t, out_lin = x.copy(), t.copy(), linear.copy()
    out_ok = np.zeros(n_paths, dtype=bool)
    # The state arrays hold the working set only (``work`` maps them to the chunk); paths
    # that finish or fail are written out when the working set is cut down.
    work = np.arange(n_paths)
    w_hom = homotopy

    def write_out(rows: IntArray | slice) -> None:
        idx = work[rows]
        out_x[idx], out_t[idx], out_lin[idx] = x[rows], t[rows], linear[rows]
        out_ok[idx] = status[rows] == 1

    for _ in range(max_iterations):
        live = status == 0
        n_live = int(np.count_nonzero(live))
        if n_live == 0:
            break
        if n_live < 0.7 * len(work):
            write_out(~live)
            keep = np.flatnonzero(live)
            work = work[keep]
            w_hom = w_hom.take(keep)
            x, t, dt, status = x[keep], t[keep], dt[keep], status[keep]
            streak, tangent, linear = streak[keep], tangent[keep], linear[keep]
            live = np.ones(len(work), dtype=bool)
        h = np.minimum(dt, 1.0 - t)
        hc = h[:, None]
        k1 = tangent
        k2 = w_hom.tangent(x + 0.5 * hc * k1, t + 0.5 * h, linear)
        k3 = w_hom.tangent(x + 0.5 * hc * k2, t + 0.5 * h, linear)
        k4 = w_hom.tangent(x + hc * k3, t + h, linear)
        xp = x + hc / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        t1 = t + h
        ok = np.isfinite(xp).all(axis=1)
        converged = np.zeros(len(work), dtype=bool)
        previous = np.full(len(work), np.inf)
        new_tangent = np.zeros_like(xp)
        for it in range(3):
            value, jac, dhdt = w_hom.evaluate(xp, t1, linear)
            both = _solve(jac, -np.stack((value, dhdt), axis=2))
            step, new_tangent = both[..., 0], both[..., 1]
            size = _norms(step, xp)
            if it == 0:
                ok &= size < MAX_FIRST_CORRECTION
            else:
                ok &= (size < 0.5 * previous) | (size < CORRECTOR_TOL)
            xp = xp + np.where(np.isfinite(step), step, 0.0)
            converged |= ok & (size < CORRECTOR_TOL)
            previous = size
            if np.all(converged | ~ok | ~live):
                break
        accept = converged & live
        reject = ~accept & live
        x_new = xp[accept]
        tangent[accept] = _repatch_tangent(new_tangent[accept], x_new, stacked)
        x[accept], patch = stacked.unit_patch(x_new)
        stacked.set_patches(linear, np.flatnonzero(accept), patch)
        t_a = t1[accept]
        t[accept] = np.where(1.0 - t_a < 1e-14, 1.0, t_a)
        streak[accept] += 1
        grow = np.where(streak[accept] >= GROW_AFTER, GROWTH, 1.0)
        dt[accept] = np.minimum(np.maximum(dt[accept], h[accept]) * grow, max_step)
        streak[reject] = 0
        status[accept & (t >= 1.0)] = 1
        dt[reject] = 0.5 * h[reject]
        status[reject & (dt < MIN_STEP)] = 2
    write_out(slice(None))
    return out_x, out_t, out_ok, out_lin


def track(
    start: list[ComplexArray],
    target: list[ComplexArray],
    linear: ComplexArray,
    rhs: ComplexArray,
    x0: ComplexArray,
    sizes: tuple[int, ...],
    gamma: complex,
    *,
    max_step: float = MAX_STEP,
    max_iterations: int = 2000,
) -> TrackResult:
    """Track every path from ``x0`` at ``t = 0`` to ``t = 1`` and refine the endpoints.

    Parameters
    ----------
    start, target
        Per group ``i``, the tensors ``A_G`` and ``A_F`` of its rows, of shape
        ``(paths, n_i - 1, n_j for j != i)``.
    linear, rhs
        The ``t``-independent linear parts: ``(paths, n, n)`` and ``(paths, n)``.
    x0
        Start solutions, ``(paths, n)``; each must solve the start system.
    sizes
        The group sizes ``n_1, ..., n_N``.
    gamma
        The random complex constant of the gamma trick.
    max_step
        The largest step in ``t``.
    max_iterations
        The most predictor-corrector rounds before unfinished paths count as failed.
    """
    n_paths, n = x0.shape
    stacked = _Stacked.of(sizes)
    xs_out = np.empty((n_paths, n), dtype=np.complex128)
    ts_out = np.empty(n_paths)
    ok_out = np.zeros(n_paths, dtype=bool)
    jac_out = np.empty((n_paths, n, n), dtype=np.complex128)
    corr_out = np.empty(n_paths)
    dense = _dense_entries(sizes) <= DENSE_ENTRIES
    for lo in range(0, n_paths, CHUNK):
        sl = slice(lo, min(lo + CHUNK, n_paths))
        gamma_start = gamma * stacked.tensor([a[sl] for a in start])
        delta = stacked.tensor([a[sl] for a in target]) - gamma_start
        lin, b = stacked.linear(linear[sl], rhs[sl])
        coef = (_dense(stacked, [gamma_start, delta]),) if dense else (gamma_start, delta)
        homotopy = _Homotopy(stacked, coef, lin, b)
        x, t, ok, lin = _track_chunk(homotopy, stacked.pad(x0[sl]), max_step, max_iterations)
        corr = np.full(len(t), np.inf)
        one = np.ones(len(t))
        for _ in range(3):
            value, jac, _ = homotopy.evaluate(x, one, lin)
            step = _solve(jac, -value)
            corr = _norms(step, x)
            x = x + np.where(np.isfinite(step), step, 0.0)
        _, jac, _ = homotopy.evaluate(x, one, lin)
        xs_out[sl] = x[:, stacked.cols]
        jac_out[sl] = jac[:, stacked.rows[:, None], stacked.cols[None, :]]
        ts_out[sl], corr_out[sl] = t, corr
        ok_out[sl] = ok & (corr < 1e-8)
    return TrackResult(xs_out, ts_out, ok_out, jac_out, corr_out)


@functools.cache
def count_assignments(degrees: tuple[int, ...]) -> int:
    """The multi-homogeneous Bezout number of a support-size profile.

    Player ``i`` contributes ``degrees[i]`` equations, each of degree one in every
    other group ``j`` with ``degrees[j] > 0``; the number of ways to give group
    ``j`` exactly ``degrees[j]`` equations, no equation to its own player's group,
    is the coefficient of ``prod a_j^{d_j}`` in ``prod_i (sum_{j != i} a_j)^{d_i}``.

    Examples
    --------
    >>> count_assignments((2, 2, 2))   # three players with three actions each
    10
    >>> count_assignments((1, 1, 1, 1))
    9
    """
    n_groups = len(degrees)
    equations = [i for i in range(n_groups) for _ in range(degrees[i])]
    cache: dict[tuple[int, tuple[int, ...]], int] = {}

    def count(e: int, room: tuple[int, ...]) -> int:
        if e == len(equations):
            return 1
        key = (e, room)
        if key not in cache:
            owner = equations[e]
            cache[key] = sum(
                count(e + 1, (*room[:j], room[j] - 1, *room[j + 1 :]))
                for j in range(n_groups)
                if j != owner and room[j] > 0
            )
        return cache[key]

    return count(0, tuple(degrees))


@functools.cache
def enumerate_assignments(degrees: tuple[int, ...]) -> IntArray:
    """Every assignment counted by :func:`count_assignments` (cached; the array is read-only).

    Returns an integer array of shape ``(count, sum(degrees))``: entry ``[k, e]`` is
    the group whose linear factor vanishes in equation ``e`` (equations listed
    player by player) in the ``k``-th start solution.
    """
    n_groups = len(degrees)
    equations = [i for i in range(n_groups) for _ in range(degrees[i])]
    found: list[list[int]] = []
    chosen: list[int] = []
    room = list(degrees)

    def extend(e: int) -> None:
        if e == len(equations):
            found.append(list(chosen))
            return
        for j in range(n_groups):
            if j != equations[e] and room[j] > 0:
                room[j] -= 1
                chosen.append(j)
                extend(e + 1)
                chosen.pop()
                room[j] += 1

    extend(0)
    out = np.array(found, dtype=np.int64).reshape(len(found), len(equations))
    out.flags.writeable = False
    return out
