"""The one result type every solver returns.

A :class:`Solution` is a tuple of :class:`Equilibrium` records plus a
``complete`` flag that is true only when the method *guarantees* that it listed
every equilibrium (every extreme equilibrium, for degenerate two-player games).
Each equilibrium carries its maximum regret, recomputed from the payoffs by
:mod:`sim.games.profiles`, which shares no code with any solver.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.errors import UsageError
from sim.games.normal_form import NormalFormGame
from sim.games.profiles import Profile, action_values, coarse_violation, obedience_violation

__all__ = [
    "Equilibrium",
    "Solution",
    "deduplicate",
    "make_correlated_equilibrium",
    "make_equilibrium",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """One solution point of a game.

    Attributes
    ----------
    strategies
        One probability vector per player, in the game's player order.
    payoffs
        Each player's expected payoff.
    concept
        The solution concept, e.g. ``"nash"``.
    method
        The algorithm that found it, e.g. ``"vertex_enumeration"``.
    max_regret
        The largest gain from a unilateral deviation, recomputed independently.
        For a correlated equilibrium: the largest gain from disobeying a
        recommendation (or, for a coarse one, from opting out).
    joint
        For correlated concepts, the probability of each pure profile (shape
        ``game.shape``); ``strategies`` are then its marginals. ``None`` when
        players randomise independently.
    details
        Concept-specific numbers, e.g. ``{"lambda": 1.5}`` for a quantal
        response equilibrium.
    """

    strategies: Profile
    payoffs: FloatArray
    concept: str
    method: str
    max_regret: float
    joint: FloatArray | None = None
    details: Mapping[str, float] = field(default_factory=dict)

    @property
    def pure(self) -> bool:
        """Whether play is deterministic: one action profile with probability 1."""
        if self.joint is not None:
            return bool(np.isclose(self.joint.max(), 1.0, atol=1e-9))
        return all(bool(np.isclose(s.max(), 1.0, atol=1e-9)) for s in self.strategies)

    def __repr__(self) -> str:
        shown = "; ".join("(" + ", ".join(f"{p:.4g}" for p in s) + ")" for s in self.strategies)
        return f"Equilibrium({shown}; regret={self.max_regret:.1e})"


@dataclass(frozen=True, eq=False)
class Solution:
    """What a solver found, and whether the list is known to be complete.

    Attributes
    ----------
    game
        The normal-form game the strategies refer to.
    equilibria
        The equilibria found, without duplicates.
    concept, method
        The solution concept and the algorithm used.
    complete
        True only when the method guarantees every equilibrium was listed.
    notes
        Plain-language remarks, e.g. why ``complete`` is false.
    options
        The options the method ran with, as data (``tol``, ``lam``,
        ``objective``, ``player``, ``tie_break``, the ``rng`` seed, ...), so a
        result says how to reproduce it; :func:`sim.solvers.solve` fills it.
    """

    game: NormalFormGame
    equilibria: tuple[Equilibrium, ...]
    concept: str
    method: str
    complete: bool
    notes: tuple[str, ...] = field(default=())
    options: Mapping[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.equilibria)

    def __iter__(self) -> Iterator[Equilibrium]:
        return iter(self.equilibria)

    def __getitem__(self, index: int) -> Equilibrium:
        return self.equilibria[index]

    def __repr__(self) -> str:
        from sim.text import found_text

        return f"<Solution: {found_text(len(self), self.concept, self.method, self.complete)}>"

    def _repr_html_(self) -> str:
        """How a notebook shows the solution: one row per equilibrium, strategies as fractions.

        Examples
        --------
        >>> from sim.games.normal_form import NormalFormGame
        >>> from sim.solvers import solve
        >>> html = solve(NormalFormGame.from_matrices([[3, 0], [5, 1]], [[3, 5], [0, 1]]))
        >>> "<td>2</td>" in html._repr_html_()
        True
        """
        from html import escape

        from sim.text import fraction_text, regret_text, strategy_text

        game = self.game
        head = "".join(f"<th>{escape(p)}</th>" for p in game.players)
        rows = []
        for k, eq in enumerate(self.equilibria, start=1):
            cells = "".join(
                f"<td>{strategy_text(actions, strategy, label=escape)}</td>"
                for actions, strategy in zip(game.actions, eq.strategies, strict=True)
            )
            payoffs = ", ".join(fraction_text(float(v)) for v in eq.payoffs)
            rows.append(
                f"<tr><td>{k}</td>{cells}<td>{payoffs}</td><td>{regret_text(eq.max_regret)}</td></tr>"
            )
        status = "complete" if self.complete else "not known to be complete"
        return (
            f"<p>{len(self)} {escape(self.concept)} equilibria by {escape(self.method)}, "
            f"{status}</p><table><tr><th>#</th>{head}<th>payoffs</th><th>max regret</th></tr>"
            + "".join(rows)
            + "</table>"
        )


def _clean(strategy: npt.ArrayLike) -> FloatArray:
    """Clip round-off below zero and renormalise, so a profile is exactly a distribution."""
    x = np.clip(np.asarray(strategy, dtype=np.float64), 0.0, None)
    x[x < 1e-13] = 0.0
    total = x.sum()
    if not total > 0:
        raise UsageError(
            "{strategies}: a strategy must put positive weight on some action",
            function="make_equilibrium",
            parameters=["strategies"],
        )
    return np.asarray(x / total, dtype=np.float64)


def make_equilibrium(
    game: NormalFormGame,
    strategies: Sequence[npt.ArrayLike],
    *,
    concept: str,
    method: str,
) -> Equilibrium:
    """Build an :class:`Equilibrium`, recomputing payoffs and regret from the game.

    Examples
    --------
    >>> g = NormalFormGame.from_matrices([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> eq = make_equilibrium(g, [[0.5, 0.5], [0.5, 0.5]], concept="nash", method="by hand")
    >>> eq.max_regret, eq.pure
    (0.0, False)
    """
    profile = tuple(_clean(s) for s in strategies)
    values = action_values(game, profile)  # the referee, shared by no solver
    payoffs = np.array([float(v @ s) for v, s in zip(values, profile, strict=True)])
    regret = max(0.0, max(float(v.max()) - p for v, p in zip(values, payoffs, strict=True)))
    return Equilibrium(
        strategies=profile,
        payoffs=payoffs,
        concept=concept,
        method=method,
        max_regret=regret,
    )


def make_correlated_equilibrium(
    game: NormalFormGame,
    joint: npt.ArrayLike,
    *,
    concept: str,
    method: str,
    details: Mapping[str, float] | None = None,
) -> Equilibrium:
    """Build an :class:`Equilibrium` from a distribution over pure profiles.

    ``concept`` is ``"correlated"`` or ``"coarse-correlated"``; ``max_regret`` is
    the corresponding incentive violation, recomputed from the game.

    Examples
    --------
    >>> g = NormalFormGame.from_matrices([[6, 2], [7, 0]], [[6, 7], [2, 0]])
    >>> eq = make_correlated_equilibrium(g, [[0.5, 0.25], [0.25, 0]],
    ...                                  concept="correlated", method="by hand")
    >>> eq.payoffs.tolist(), eq.max_regret
    ([5.25, 5.25], 0.0)
    """
    distribution = np.clip(np.asarray(joint, dtype=np.float64), 0.0, None)
    distribution[distribution < 1e-13] = 0.0
    distribution = distribution / distribution.sum()
    distribution.flags.writeable = False
    axes = range(game.n_players)
    marginals = tuple(
        np.asarray(distribution.sum(axis=tuple(j for j in axes if j != i)), dtype=np.float64)
        for i in axes
    )
    payoffs = np.array([float((game.payoffs[i] * distribution).sum()) for i in axes])
    if concept == "correlated":
        violation = obedience_violation(game, distribution)
    elif concept == "coarse-correlated":
        violation = coarse_violation(game, distribution)
    else:
        raise UsageError(
            "{concept} is not a correlated concept",
            function="make_correlated_equilibrium",
            parameters={"concept": concept},
        )
    return Equilibrium(
        strategies=marginals,
        payoffs=payoffs,
        concept=concept,
        method=method,
        max_regret=violation,
        joint=distribution,
        details=dict(details or {}),
    )


def deduplicate(
    equilibria: Sequence[Equilibrium], *, atol: float = 1e-8
) -> tuple[Equilibrium, ...]:
    """Drop equilibria whose strategies all lie within ``atol`` of an earlier one.

    Examples
    --------
    >>> g = NormalFormGame.from_matrices([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    >>> e = make_equilibrium(g, [[1, 0], [1, 0]], concept="nash", method="x")
    >>> len(deduplicate([e, e]))
    1
    """
    kept: list[Equilibrium] = []
    flat_kept: list[FloatArray] = []
    for eq in equilibria:
        flat = np.concatenate(eq.strategies)
        if all(np.abs(flat - other).max() > atol for other in flat_kept):
            kept.append(eq)
            flat_kept.append(flat)
    return tuple(kept)
