"""The one result family: every solver returns a :class:`Solution` of :class:`Equilibrium`.

A :class:`Solution` records the game actually solved (a normal form or a game
tree), the concept, the method, the options it ran with, a tuple of
:class:`Equilibrium` records, and a ``complete`` flag that is true only when
the method *guarantees* that it listed every equilibrium (every extreme
equilibrium, for degenerate two-player games).

An equilibrium is given in whichever representations the method produced:

- ``strategies``: a mixed profile over the normal form (for a tree, its reduced
  normal form, :attr:`Solution.normal`), or ``None`` when that form is too
  large to build;
- ``behaviour``: one probability vector per information set of the tree;
- ``beliefs``: reserved for one probability vector per information set over
  its nodes (incomplete-information concepts); ``None`` otherwise;
- ``joint``: a distribution over pure profiles, for correlated concepts.

Each equilibrium carries its maximum regret, recomputed from the payoffs by a
referee that shares no code with any solver: :mod:`sim.games.profiles` on the
normal form, :func:`sim.games.behaviour.subgame_regret` on the tree. A scenario
result (:class:`sim.report.scenario.ScenarioSolution`) is a view over one
:class:`Solution`, not a second family.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.errors import TooLargeError, UsageError
from sim.games.behaviour import subgame_regret, terminal_probabilities
from sim.games.extensive_form import ExtensiveFormGame
from sim.games.normal_form import NormalFormGame
from sim.games.profiles import Profile, action_values, coarse_violation, obedience_violation

__all__ = [
    "Equilibrium",
    "Solution",
    "deduplicate",
    "make_behaviour_equilibrium",
    "make_correlated_equilibrium",
    "make_equilibrium",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """One solution point of a game, in the representations its method produced.

    Attributes
    ----------
    strategies
        One probability vector per player over the normal form's strategies
        (for a tree, its reduced normal form), in the game's player order;
        ``None`` when only ``behaviour`` is known.
    payoffs
        Each player's expected payoff.
    concept
        The solution concept, e.g. ``"nash"``.
    method
        The algorithm that found it, e.g. ``"vertex_enumeration"``.
    max_regret
        The largest gain from a unilateral deviation, recomputed independently:
        in the normal form, or (for behaviour-only subgame-perfect equilibria)
        in every subgame of the tree. For a correlated equilibrium: the largest
        gain from disobeying a recommendation (or, for a coarse one, from
        opting out).
    joint
        For correlated concepts, the probability of each pure profile (shape
        ``game.shape``); ``strategies`` are then its marginals. ``None`` when
        players randomise independently.
    details
        Concept-specific numbers, e.g. ``{"lambda": 1.5}`` for a quantal
        response equilibrium.
    behaviour
        One probability vector per information set of the tree, in the tree's
        order (empty for chance sets); ``None`` for normal-form results.
    beliefs
        Reserved for incomplete-information concepts: one probability vector
        per information set over its nodes. ``None`` otherwise.
    terminal_probabilities
        The probability of each outcome of the tree (chance included), in the
        order of ``tree.terminals``, when it was computed; else ``None``.
    pure
        Whether play is deterministic: one action at every information set, or
        one action profile with probability 1. Worked out from the other
        fields unless given.
    """

    strategies: Profile | None
    payoffs: FloatArray
    concept: str
    method: str
    max_regret: float
    joint: FloatArray | None = None
    details: Mapping[str, float] = field(default_factory=dict)
    behaviour: tuple[FloatArray, ...] | None = None
    beliefs: tuple[FloatArray, ...] | None = None
    terminal_probabilities: FloatArray | None = None
    pure: bool = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.pure is None:
            object.__setattr__(self, "pure", _is_pure(self))

    def normal_profile(self) -> Profile:
        """``strategies``, for code that works on the normal form.

        Raises
        ------
        TooLargeError
            If the equilibrium is in behaviour strategies only (its tree's
            reduced normal form was too large to build).
        """
        if self.strategies is None:
            raise TooLargeError(
                "this equilibrium is in behaviour strategies only: the reduced normal form "
                "was too large to build",
                function="normal_profile",
            )
        return self.strategies

    def __repr__(self) -> str:
        vectors = self.strategies if self.strategies is not None else self.behaviour or ()
        shown = "; ".join("(" + ", ".join(f"{p:.4g}" for p in s) + ")" for s in vectors if len(s))
        return f"Equilibrium({shown}; regret={self.max_regret:.1e})"


def _is_pure(eq: Equilibrium) -> bool:
    """Whether an equilibrium's play is deterministic, from whichever form it has."""
    if eq.joint is not None:
        return bool(np.isclose(eq.joint.max(), 1.0, atol=1e-9))
    if eq.strategies is not None:
        return all(bool(np.isclose(s.max(), 1.0, atol=1e-9)) for s in eq.strategies)
    if eq.behaviour is not None:
        return all(len(b) == 0 or bool(np.isclose(b.max(), 1.0)) for b in eq.behaviour)
    raise UsageError(
        "an equilibrium needs {strategies}, {behaviour} or {joint}, or an explicit {pure}",
        function="Equilibrium",
        parameters=["strategies", "behaviour", "joint", "pure"],
    )


@dataclass(frozen=True, eq=False)
class Solution:
    """What a solver found, and whether the list is known to be complete.

    Attributes
    ----------
    game
        The game actually solved: a normal form, or a game tree.
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
    normal
        The normal form that each equilibrium's ``strategies`` refer to: the
        game itself, or a tree's reduced normal form; ``None`` when only
        behaviour strategies are given (the reduced form was too large).
        Defaults to ``game`` when that is a normal form.
    count
        How many equilibria the method counted, when it counted more than it
        lists (then ``complete`` is false); else ``len(equilibria)``.

    Examples
    --------
    >>> from sim.solvers import solve
    >>> pd = NormalFormGame.from_matrices([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> solution = solve(pd)
    >>> solution, solution.normal is solution.game, solution.count
    (<Solution: 1 nash equilibrium by vertex_enumeration, complete>, True, 1)
    """

    game: NormalFormGame | ExtensiveFormGame
    equilibria: tuple[Equilibrium, ...]
    concept: str
    method: str
    complete: bool
    notes: tuple[str, ...] = field(default=())
    options: Mapping[str, Any] = field(default_factory=dict)
    normal: NormalFormGame | None = None
    count: int = -1

    def __post_init__(self) -> None:
        if self.normal is None and isinstance(self.game, NormalFormGame):
            object.__setattr__(self, "normal", self.game)
        if self.count < len(self.equilibria):
            object.__setattr__(self, "count", len(self.equilibria))

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

        A result in behaviour strategies only shows each equilibrium's most
        likely play paths instead of strategies.

        Examples
        --------
        >>> from sim.solvers import solve
        >>> html = solve(NormalFormGame.from_matrices([[3, 0], [5, 1]], [[3, 5], [0, 1]]))
        >>> "<td>2</td>" in html._repr_html_()
        True
        """
        from sim.text import found_text, fraction_text, html_report, regret_text, strategy_text

        heading = found_text(len(self), self.concept, self.method, self.complete)
        normal = self.normal
        rows = []
        for k, eq in enumerate(self.equilibria, start=1):
            if normal is not None and eq.strategies is not None:
                played = [
                    strategy_text(actions, strategy)
                    for actions, strategy in zip(normal.actions, eq.strategies, strict=True)
                ]
            else:
                played = [_paths_text(self.game, eq)]
            payoffs = ", ".join(fraction_text(float(v)) for v in eq.payoffs)
            rows.append([str(k), *played, payoffs, regret_text(eq.max_regret)])
        columns = list(normal.players) if normal is not None else ["play"]
        header = ["#", *columns, "payoffs", "max regret"]
        beliefs = [_beliefs_text(self.game, eq) for eq in self.equilibria]
        if any(beliefs):
            header.append("beliefs")
            for row, text in zip(rows, beliefs, strict=True):
                row.append(text)
        return html_report(heading, [((), header, rows), (self.notes, (), ())])


def _beliefs_text(game: NormalFormGame | ExtensiveFormGame, eq: Equilibrium) -> str:
    """An assessment's beliefs at its sets of several nodes, in one line ("" if none)."""
    from sim.games.assessment import telling_histories
    from sim.text import path_text

    if not isinstance(game, ExtensiveFormGame) or eq.beliefs is None:
        return ""
    tree = game.tree
    parts = []
    for h, belief in enumerate(eq.beliefs):
        nodes = tree.infoset_members(h)
        if tree.infoset_player[h] < 0 or len(nodes) < 2:
            continue
        told = telling_histories(game, nodes)
        odds = ", ".join(
            f"{path_text(history)} {float(p):.3g}" for history, p in zip(told, belief, strict=True)
        )
        parts.append(f"at {tree.move_names[h]}: {odds}")
    return "; ".join(parts)


def _paths_text(game: NormalFormGame | ExtensiveFormGame, eq: Equilibrium, limit: int = 3) -> str:
    """An equilibrium's most likely play paths on a tree, in one line."""
    from sim.text import fraction_text, path_text

    if not isinstance(game, ExtensiveFormGame) or eq.terminal_probabilities is None:
        return ""
    paths = game.outcome_paths(eq.terminal_probabilities)
    shown = [f"{fraction_text(p)}: {path_text(path)}" for p, path in paths[:limit]]
    return " | ".join(shown) + (f" | ... {len(paths) - limit} more" if len(paths) > limit else "")


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


def make_behaviour_equilibrium(
    game: ExtensiveFormGame,
    behaviour: Sequence[npt.ArrayLike],
    *,
    concept: str,
    method: str,
    strategies: Sequence[npt.ArrayLike] | None = None,
) -> Equilibrium:
    """Build an :class:`Equilibrium` from a behaviour profile on a tree.

    Payoffs and outcome probabilities are recomputed by walking the tree, and
    ``max_regret`` is :func:`~sim.games.behaviour.subgame_regret`: the most any
    player gains by a best response in any subgame, so zero exactly when the
    profile is subgame perfect. ``strategies``, when given, is the equivalent
    mixed profile over the reduced normal form.

    Examples
    --------
    Washington presses or not; Seoul, seeing it, concedes or holds. Holding
    after pressure costs Seoul 1, so a plan to hold there has regret 1:

    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> game = build_game(["Washington", "Seoul"], Decision("Washington", [
    ...     ("press", Decision("Seoul", [("concede", Terminal([3, 1])),
    ...                                  ("hold", Terminal([0, 0]))], "after press")),
    ...     ("wait", Terminal([1, 2]))], "pressure"))
    >>> eq = make_behaviour_equilibrium(game, [[0, 1], [0, 1]], concept="spe", method="by hand")
    >>> eq.payoffs.tolist(), eq.max_regret, eq.pure
    ([1.0, 2.0], 1.0, True)
    >>> eq.terminal_probabilities.tolist()
    [0.0, 0.0, 1.0]
    """
    profile = tuple(np.asarray(b, dtype=np.float64) for b in behaviour)
    probabilities = terminal_probabilities(game, profile)
    return Equilibrium(
        strategies=None if strategies is None else tuple(_clean(s) for s in strategies),
        payoffs=np.asarray(probabilities @ game.payoffs, dtype=np.float64),
        concept=concept,
        method=method,
        max_regret=subgame_regret(game, profile),  # the referee, on the tree
        behaviour=profile,
        terminal_probabilities=probabilities,
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
        vectors = eq.strategies if eq.strategies is not None else eq.behaviour or ()
        flat = np.concatenate([np.ravel(v) for v in vectors]) if vectors else np.zeros(0)
        if all(
            flat.shape != other.shape or np.abs(flat - other).max(initial=0.0) > atol
            for other in flat_kept
        ):
            kept.append(eq)
            flat_kept.append(flat)
    return tuple(kept)
