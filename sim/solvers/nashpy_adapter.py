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

    Equal-size supports only, so for degenerate games some equilibria can be
    missed; the result then says ``complete=False``.

    Examples
    --------
    >>> from sim.games import NormalFormGame
    >>> bos = NormalFormGame.from_matrices([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    >>> solution = nashpy_support_enumeration(bos)
    >>> len(solution), solution.complete
    (3, True)
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
    degenerate = any("degenerate" in str(w.message).lower() for w in caught)
    kept = tuple(eq for eq in deduplicate(found) if eq.max_regret <= 1e-6)
    notes: tuple[str, ...] = ()
    if degenerate:
        notes = (
            "nashpy reports the game is degenerate: support enumeration can miss "
            "equilibria; use vertex_enumeration",
        )
    return Solution(game, kept, concept="nash", method=METHOD, complete=not degenerate, notes=notes)
