"""Support systems solved without a homotopy: in closed form, or by one Newton step.

Private to :mod:`sim.solvers.support_enumeration` (see its module docstring,
step 3): when at most two players mix, a support's system is linear once the
pure players are fixed (:func:`linear_start`, then :func:`refine_direct`);
when three or four players mix with few actions, eliminating players leaves one
polynomial in one player's probabilities, whose roots are the solutions
(:func:`quadratic_roots`, :func:`quartic_roots`, :func:`nine_roots`,
:func:`ten_roots`; :func:`closed_form_count` says which applies). The caller
uses such solutions only when they are clean, and tracks the support otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.solvers import _polynomial_homotopy as hc

__all__ = [
    "closed_form_count",
    "linear_start",
    "nine_roots",
    "quadratic_roots",
    "quartic_roots",
    "refine_direct",
    "ten_roots",
]

FloatArray = npt.NDArray[np.float64]
ComplexArray = npt.NDArray[np.complex128]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
AnyArray = npt.NDArray[Any]

#: A fixed, well-conditioned change of coordinates for :func:`ten_roots` (any generic
#: matrix will do; it keeps coordinate-aligned structure of the payoffs out of the chart).
_MIX3 = np.array(
    [[1.0, 0.3 + 0.2j, -0.4j], [0.5j, 1.0, 0.2 - 0.3j], [-0.3, 0.4 + 0.1j, 1.0]],
    dtype=complex,
)


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


def nine_roots(
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


def ten_roots(
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


def linear_start(masks: list[BoolArray], patches: list[ComplexArray]) -> ComplexArray:
    """Where Newton's method solves a support system with at most two players mixing.

    The pure players' coordinates solve their own pins and patches:
    ``x_p = e_a / patch_p[a]``. With them fixed, every row is affine in the mixing
    players' coordinates and the Jacobian is block triangular (the pure players'
    rows involve only their own coordinates), so one Newton step from this point
    (mixing players' coordinates zero) lands on the solution; :func:`refine_direct`
    takes more, which must confirm it.
    """
    parts = []
    for m, p in zip(masks, patches, strict=True):
        pure = m.sum(axis=1) == 1
        value = np.where(m & pure[:, None], 1.0 / np.where(m, p, 1.0), 0.0)
        parts.append(value.astype(complex))
    return np.concatenate(parts, axis=1)


def refine_direct(
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


def closed_form_count(key: tuple[int, ...]) -> int:
    """How many solutions closed-form elimination gives for support sizes ``key`` (0: none).

    Two for :func:`quadratic_roots`, four for :func:`quartic_roots`, nine for
    :func:`nine_roots`, ten for :func:`ten_roots`.
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


def quadratic_roots(
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
    refines them (:func:`refine_direct`) and requires them to converge to distinct
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


def quartic_roots(
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
