"""Nashpy's two-player algorithms behind sim's solver signature.

This is the only module that imports nashpy, so replacing it, or checking
against it, touches one file. Nashpy's support enumeration assumes a
nondegenerate game; when it warns that the game is degenerate we catch the
warning and report ``complete=False`` instead of letting it scroll past.
"""

from __future__ import annotations

import warnings

from sim.errors import UsageError
from sim.games.normal_form import NormalFormGame
from sim.solvers.solution import Solution, deduplicate, make_equilibrium

__all__ = ["nashpy_support_enumeration"]

METHOD = "nashpy_support_enumeration"


def nashpy_support_enumeration(game: NormalFormGame, *, tol: float = 1e-9) -> Solution:
    """All equilibria of a nondegenerate two-player game, by nashpy's support enumeration.

    Useful as a cross-check. It considers equal-size supports only, so it misses
    equilibria of degenerate games, and its floating-point tests have been seen
    to miss equilibria of generic games too, so the result always says
    ``complete=False``.

    Examples
    --------
    >>> from sim.games import NormalFormGame
    >>> bos = NormalFormGame.from_matrices([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    >>> solution = nashpy_support_enumeration(bos)
    >>> len(solution), solution.complete
    (3, False)
    """
    import nashpy

    if game.n_players != 2:
        raise UsageError(f"{METHOD}: 2-player games only; got {game.n_players} players")
    nash_game = nashpy.Game(game.payoffs[0], game.payoffs[1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = [
            make_equilibrium(game, [x, y], concept="nash", method=METHOD)
            for x, y in nash_game.support_enumeration(tol=tol)
        ]
    # nashpy warns when it finds an even number of equilibria (a degenerate
    # game, or a miss); it has also been seen to miss pairs of equilibria of
    # generic games without a warning, so the list is never claimed complete.
    warned = any("degenerate" in str(w.message).lower() for w in caught)
    kept = tuple(eq for eq in deduplicate(found) if eq.max_regret <= 1e-6)
    notes = [
        "nashpy's support enumeration can miss equilibria (equal-size supports, "
        "floating-point tests); use vertex_enumeration for a complete list"
    ]
    if warned:
        notes.append(
            "nashpy warned that it found an even number of equilibria, so the game is "
            "degenerate or some were missed"
        )
    return Solution(game, kept, concept="nash", method=METHOD, complete=False, notes=tuple(notes))
