"""What can be listed of a game's Nash equilibria when no method can list them all.

Vertex enumeration (two players) and support enumeration (more) list every
equilibrium only up to a size; beyond it, and on trees whose reduced normal
form is too large to build at all, :func:`sim.solvers.solve` does not refuse.
It returns what methods with guarantees can list, each equilibrium checked by
the referee like any other, with ``complete=False`` and the reason in
``notes``:

- on a tree, every pure subgame-perfect equilibrium, by backward induction on
  the tree (every subgame-perfect equilibrium is a Nash equilibrium), in
  behaviour strategies when the reduced normal form is too large to build;
- every pure equilibrium of the normal form, by checking each profile (a
  :class:`~sim.games.normal_form.NormalFormGame` has at most a million);
- the equilibria that path-following reaches: Lemke-Howson from every initial
  label (the first :data:`MAX_INITIAL_LABELS`, and the notes say so) for two
  players, the limit of the logit branch for more.

Mixed equilibria that no path reaches may be missing, and the notes say so.
"""

from __future__ import annotations

from dataclasses import replace

from sim.errors import SolverError
from sim.games.extensive_form import ExtensiveFormGame
from sim.games.normal_form import NormalFormGame
from sim.solvers.solution import Equilibrium, Solution, deduplicate, make_equilibrium

__all__ = ["MAX_INITIAL_LABELS", "listable_equilibria"]

#: At most this many Lemke-Howson runs (one per initial label).
MAX_INITIAL_LABELS = 200


def listable_equilibria(
    tree: ExtensiveFormGame | None,
    normal: NormalFormGame | None,
    *,
    why: str,
    tol: float | None = None,
) -> Solution:
    """Every Nash equilibrium that guaranteed methods and path-following can list.

    Parameters
    ----------
    tree
        The game tree, when the game is one (its pure subgame-perfect
        equilibria are listed); else ``None``.
    normal
        The normal form (a tree's reduced normal form), or ``None`` when it is
        too large to build; at least one of ``tree`` and ``normal`` is given.
    why
        Why no method lists every equilibrium, for the notes.
    tol
        The tolerance passed to each method, or ``None`` for their defaults.

    Returns
    -------
    Solution
        Concept ``"nash"``, ``complete=False``; each equilibrium's ``method``
        says which method found it, and ``Solution.method`` joins them.

    Examples
    --------
    In the battle of the sexes Lemke-Howson, from every label, reaches only
    the two pure equilibria: the mixed one (of index -1) is on no path, and
    the notes say that such equilibria may be missing.

    >>> from sim.games.normal_form import NormalFormGame
    >>> game = NormalFormGame.from_matrices([[3, 0], [0, 2]], [[2, 0], [0, 3]])
    >>> found = listable_equilibria(None, game, why="for the example")
    >>> found.method, len(found), found.complete
    ('pure_nash+lemke_howson', 2, False)
    >>> found.notes[0].endswith("other mixed equilibria may exist")
    True
    """
    from sim.solvers.subgame_perfect import backward_induction

    options = {} if tol is None else {"tol": tol}
    found: list[Equilibrium] = []
    ran: list[str] = []
    listed: list[str] = []
    # A tree without a proper subgame is one simultaneous stage, which backward
    # induction would hand straight back to Nash: it adds nothing there (and would loop).
    if tree is not None and len(tree.subgame_roots()) > 1:
        spe = backward_induction(tree) if tol is None else backward_induction(tree, tol=tol)
        ran.append("backward_induction")
        listed.append("every pure subgame-perfect equilibrium")
        found += [_as_nash(normal, eq) for eq in spe]
    if normal is not None:
        from sim.solvers.pure_nash import pure_nash

        ran.append("pure_nash")
        listed.append("every pure equilibrium")
        found += [_as_nash(normal, eq) for eq in pure_nash(normal, **options)]
        if normal.n_players == 2:
            ran.append("lemke_howson")
            found += [_as_nash(normal, eq) for eq in _every_label(normal, options)]
        else:
            ran.append("logit_path")
            found += [_as_nash(normal, eq) for eq in _logit_limit(normal, options)]
    kept = deduplicate(found)
    if normal is not None:
        labels = sum(normal.shape)
        reach = (
            "the logit path"
            if normal.n_players > 2
            else "Lemke-Howson from every initial label"
            if labels <= MAX_INITIAL_LABELS
            else f"Lemke-Howson from the first {MAX_INITIAL_LABELS} of {labels} initial labels"
        )
        notes = [
            f"{why}: listed are {' and '.join(listed)}, and those {reach} reaches; "
            "other mixed equilibria may exist"
        ]
    else:
        notes = [
            f"{why}: listed are {' and '.join(listed)}; other equilibria (mixed, or "
            "not subgame perfect) may exist",
            "the reduced normal form is too large to build, so only the tree is searched",
        ]
    solved: NormalFormGame | ExtensiveFormGame | None = tree if tree is not None else normal
    assert solved is not None, "listable_equilibria needs a tree or a normal form"
    return Solution(
        game=solved,
        equilibria=tuple(sorted(kept, key=lambda eq: not eq.pure)),
        concept="nash",
        method="+".join(dict.fromkeys(ran)),
        complete=False,
        notes=tuple(notes),
        normal=normal,
    )


def _as_nash(normal: NormalFormGame | None, eq: Equilibrium) -> Equilibrium:
    """The same profile listed as a Nash equilibrium, its regret recomputed in the normal form.

    Without a normal form (a behaviour profile of a huge tree) the regret stays
    the tree referee's, over every subgame: at least the Nash regret.
    """
    if normal is None or eq.strategies is None:
        return replace(eq, concept="nash")
    again = make_equilibrium(normal, eq.strategies, concept="nash", method=eq.method)
    return again if eq.behaviour is None else replace(again, behaviour=eq.behaviour)


def _every_label(normal: NormalFormGame, options: dict[str, float]) -> list[Equilibrium]:
    from sim.solvers.lemke_howson import lemke_howson

    found: list[Equilibrium] = []
    for label in range(min(sum(normal.shape), MAX_INITIAL_LABELS)):
        try:
            found += list(lemke_howson(normal, initial_label=label, **options))
        except SolverError:  # a degenerate pivot: this label reaches nothing here
            continue
    return found


def _logit_limit(normal: NormalFormGame, options: dict[str, float]) -> list[Equilibrium]:
    from sim.solvers.logit import logit_path

    try:
        return list(logit_path(normal, **options))
    except SolverError:
        return []
