"""One Nash equilibrium of a two-player game, by the Lemke–Howson algorithm.

Complementary pivoting on the two best-response polytopes (Lemke & Howson 1964;
von Stengel, ch. 3 of Nisan et al. 2007, *Algorithmic Game Theory*): drop one
label at the artificial equilibrium (0, 0) and follow the unique path of
almost-completely-labelled vertex pairs until the missing label is picked up
again. Ties in the ratio test are broken lexicographically, so degenerate games
cannot make the path cycle. Labels and tableaux follow
:mod:`sim.solvers.vertex_enumeration`.

The method finds one equilibrium (which one depends on the dropped label) and
never claims to have found them all.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sim.errors import SolverError, UsageError
from sim.games.normal_form import NormalFormGame
from sim.solvers.solution import Solution, make_equilibrium

__all__ = ["lemke_howson"]

FloatArray = npt.NDArray[np.float64]
METHOD = "lemke_howson"
PIVOT_TOLERANCE = 1e-12
TIE_TOLERANCE = 1e-9


class _Tableau:
    """``M z + w = 1`` with ``w`` the slack variables, kept in basic form."""

    def __init__(self, matrix: FloatArray, labels: list[int]) -> None:
        rows, cols = matrix.shape
        # Columns: the structural variables, the slacks, then the right-hand side.
        self.table = np.hstack([matrix, np.eye(rows), np.ones((rows, 1))])
        self.labels = labels  # labels[c]: the label of the variable in column c
        self.basis = list(range(cols, cols + rows))  # the slacks start basic
        self.n_structural = cols

    def pivot(self, column: int) -> int:
        """Bring ``column`` into the basis; return the label of the variable that leaves."""
        rows = len(self.basis)
        entries = self.table[:, column]
        candidates = [r for r in range(rows) if entries[r] > PIVOT_TOLERANCE]
        if not candidates:
            raise SolverError("lemke_howson: unbounded ray; the payoffs are not positive")
        # Lexicographic ratio test on (rhs, inverse-basis columns) / pivot entry,
        # comparing with a tolerance so that round-off cannot break a tie.
        slack_block = self.table[:, self.n_structural : self.n_structural + rows]
        keys = np.column_stack([self.table[:, -1], slack_block])[candidates]
        ratios = keys / entries[candidates, None]
        alive = np.arange(len(candidates))
        for column_ratios in ratios.T:
            values = column_ratios[alive]
            alive = alive[values <= values.min() + TIE_TOLERANCE]
            if len(alive) == 1:
                break
        row = candidates[int(alive[0])]
        self.table[row] /= self.table[row, column]
        others = np.arange(rows) != row
        self.table[others] -= np.outer(self.table[others, column], self.table[row])
        leaving = self.basis[row]
        self.basis[row] = column
        return self.labels[leaving]

    def column_of(self, label: int) -> int:
        return self.labels.index(label)

    def values(self) -> FloatArray:
        """The structural variables' values at the current basis."""
        z = np.zeros(self.n_structural)
        for row, var in enumerate(self.basis):
            if var < self.n_structural:
                z[var] = self.table[row, -1]
        return z


def lemke_howson(game: NormalFormGame, *, initial_label: int = 0, tol: float = 1e-9) -> Solution:
    """One Nash equilibrium of a two-player game by complementary pivoting.

    Parameters
    ----------
    game
        A two-player normal-form game.
    initial_label
        The label dropped at the start: ``0 .. m-1`` are the row player's
        actions, ``m .. m+n-1`` the column player's. Different labels can lead to
        different equilibria.
    tol
        Unused by the pivoting; kept so every solver has the same signature.

    Examples
    --------
    >>> from sim.games import NormalFormGame
    >>> pennies = NormalFormGame.from_matrices([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> solution = lemke_howson(pennies)
    >>> solution[0].strategies, solution.complete
    ((array([0.5, 0.5]), array([0.5, 0.5])), False)
    """
    if game.n_players != 2:
        raise UsageError(f"lemke_howson: 2-player games only; got {game.n_players} players")
    m, n = game.shape
    if not 0 <= initial_label < m + n:
        raise UsageError(
            f"lemke_howson: initial_label must be in 0..{m + n - 1}; got {initial_label}"
        )
    # Payoffs in [1, 2] make both polytopes bounded and the tolerances relative;
    # equilibria are unchanged by this positive affine map.
    spread = game.payoff_range
    a = 1.0 + (game.payoffs[0] - game.payoffs[0].min()) / spread
    b = 1.0 + (game.payoffs[1] - game.payoffs[1].min()) / spread
    # P: B^T x + s = 1, x_i has label i, s_j has label m + j.
    p = _Tableau(b.T.copy(), [*range(m), *range(m, m + n)])
    # Q: A y + r = 1, y_j has label m + j, r_i has label i.
    q = _Tableau(a.copy(), [*range(m, m + n), *range(m)])

    tableau, other = (p, q) if initial_label < m else (q, p)
    entering = initial_label
    for _ in range(10_000 + 50 * (m + n) ** 2):
        leaving = tableau.pivot(tableau.column_of(entering))
        if leaving == initial_label:
            break
        tableau, other, entering = other, tableau, leaving
    else:  # pragma: no cover - lexicographic pivoting terminates
        raise SolverError("lemke_howson: pivoting did not terminate")
    x, y = p.values(), q.values()
    eq = make_equilibrium(game, [x / x.sum(), y / y.sum()], concept="nash", method=METHOD)
    return Solution(
        game,
        (eq,),
        concept="nash",
        method=METHOD,
        complete=False,
        notes=("Lemke–Howson finds one equilibrium; there may be others",),
    )
