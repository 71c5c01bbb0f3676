"""A scenario's equilibria: their play, payoffs by term, regret and closest calls.

Subgame perfection (the default for sequential scenarios) works on the tree in
behaviour strategies, because the reduced normal form of a realistic scenario
is astronomically large (the flagship's Seoul alone has more than 10^12 reduced
strategies). When the reduced normal form is small (simultaneous-move variants,
classroom toys), every result is also expressed over it, as design.md's JSON
contract describes, and the other concepts (Nash, correlated, ...) are solved
there by :func:`sim.solvers.solve`. :func:`sim.report.solve.solve_scenario` is
the entry point; this module holds the results and how each is built.

Every equilibrium carries its outcome distribution (play paths), each player's
payoff split by named term, and a regret recomputed independently:
:func:`sim.games.behaviour.subgame_regret` on the tree for subgame perfection,
:mod:`sim.games.profiles` on the normal form otherwise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from sim.errors import TooLargeError, UsageError, did_you_mean
from sim.games.behaviour import node_reach, node_values
from sim.games.extensive_form import DECISION, ExtensiveFormGame
from sim.games.normal_form import NormalFormGame
from sim.games.reduced_form import normal_form_within
from sim.scenario.compiler import (
    CompiledScenario,
    ScenarioStructure,
    build_structure,
)
from sim.scenario.model import Scenario
from sim.solvers.solution import Equilibrium, Solution
from sim.text import OUTCOME_CUTOFF, found_text, regret_text

__all__ = [
    "Deviation",
    "RoundResult",
    "ScenarioEquilibrium",
    "ScenarioSolution",
    "behaviour_equilibrium",
    "default_concept",
    "force_moves",
    "from_normal_form",
    "solve_spe_stage",
]

FloatArray = npt.NDArray[np.float64]
Path = Mapping[str, str]

#: Beyond this many pure profiles, subgame-perfect results are given in
#: behaviour strategies only (building the reduced normal form would dominate).
SPE_NORMAL_FORM_LIMIT = 10_000


T = TypeVar("T")


class _Through(Generic[T]):
    """An attribute of a view read from the object it wraps: one copy of each field.

    ``concept = _Through[str]("solution")`` on a class makes ``view.concept``
    mean ``view.solution.concept``.
    """

    def __init__(self, inner: str) -> None:
        self.inner = inner
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, view: object, owner: type | None = None) -> T:
        value: T = getattr(getattr(view, self.inner), self.name)
        return value


@dataclass(frozen=True)
class Deviation:
    """At a decision on the equilibrium path, the mover's best alternative and its cost."""

    player: str
    move: str
    after: Path
    chosen: str
    alternative: str
    loss: float


@dataclass(frozen=True, eq=False)
class ScenarioEquilibrium:
    """One equilibrium of a scenario: an :class:`Equilibrium`, with its play and terms named.

    A view, not a second result type: ``equilibrium`` holds the numbers
    (strategies, behaviour, payoffs, regret, outcome probabilities) and the
    attributes of the same names read through to it.

    Attributes
    ----------
    equilibrium
        The equilibrium of the compiled game, as every solver returns it.
    outcomes
        ``(probability, {move: action})`` for every outcome of positive
        probability, most probable first.
    breakdown
        ``{player id: {term name: expected value}}``.
    deviations
        On the path, each mover's best alternative and what it would cost.
    """

    equilibrium: Equilibrium
    outcomes: tuple[tuple[float, Path], ...]
    breakdown: Mapping[str, Mapping[str, float]]
    deviations: tuple[Deviation, ...] = ()

    concept = _Through[str]("equilibrium")
    method = _Through[str]("equilibrium")
    payoffs = _Through[FloatArray]("equilibrium")
    max_regret = _Through[float]("equilibrium")
    pure = _Through[bool]("equilibrium")
    behaviour = _Through["tuple[FloatArray, ...] | None"]("equilibrium")
    strategies = _Through["tuple[FloatArray, ...] | None"]("equilibrium")
    details = _Through["Mapping[str, float]"]("equilibrium")
    joint = _Through["FloatArray | None"]("equilibrium")

    @property
    def terminal_probabilities(self) -> FloatArray:
        """The probability of each of the tree's outcomes, in the order of ``tree.terminals``."""
        probabilities = self.equilibrium.terminal_probabilities
        assert probabilities is not None  # every scenario equilibrium is built with them
        return probabilities


@dataclass(frozen=True, eq=False)
class RoundResult:
    """One round of a ``[rounds]`` scenario on the equilibrium path.

    Attributes
    ----------
    round
        The round's number, from 1.
    reach
        The probability that play reaches this round.
    ends
        The probability that the game ends after it, once reached.
    equilibrium
        The round's stage equilibrium: its ``outcomes`` are the round's play
        given that it is reached; its ``payoffs`` include the discounted value
        of the rounds after; its ``breakdown`` is the round's own terms.
    compiled
        The round's compiled stage (parameters evaluated at this round).
    """

    round: int
    reach: float
    ends: float
    equilibrium: ScenarioEquilibrium
    compiled: CompiledScenario


@dataclass(frozen=True, eq=False)
class ScenarioSolution:
    """The equilibria of a scenario at one parameter point: a view over one :class:`Solution`.

    ``solution`` is what the solver returned for the compiled game (its
    ``game`` the tree, its ``normal`` the reduced normal form when it was
    built); this adds the scenario, its compiled parameters, each equilibrium's
    play and payoffs by named term, and, for ``[rounds]``, each round's stage.
    ``concept``, ``method``, ``complete``, ``notes``, ``options``, ``normal``
    and ``game`` read through to ``solution``.
    """

    scenario: Scenario
    compiled: CompiledScenario
    solution: Solution
    equilibria: tuple[ScenarioEquilibrium, ...]
    rounds: tuple[RoundResult, ...] = ()

    concept = _Through[str]("solution")
    method = _Through[str]("solution")
    complete = _Through[bool]("solution")
    notes = _Through["tuple[str, ...]"]("solution")
    options = _Through["Mapping[str, Any]"]("solution")
    #: The reduced normal form, when it was built (then equilibria have ``strategies``).
    normal = _Through["NormalFormGame | None"]("solution")

    @property
    def game(self) -> ExtensiveFormGame:
        """The compiled game."""
        game = self.solution.game
        assert isinstance(game, ExtensiveFormGame)
        return game

    def __len__(self) -> int:
        return len(self.equilibria)

    def __iter__(self) -> Any:
        return iter(self.equilibria)

    def __getitem__(self, index: int) -> ScenarioEquilibrium:
        return self.equilibria[index]

    def __repr__(self) -> str:
        found = found_text(len(self), self.concept, self.method, self.complete)
        return f"<ScenarioSolution {self.scenario.title!r}: {found}>"

    def __str__(self) -> str:
        """The report ``sim solve`` prints: the play in words, payoffs by term, closest calls.

        Examples
        --------
        >>> from sim.report.solve import solve
        >>> solution = solve("scenarios/baseline_nov2020.toml")
        >>> solution
        <ScenarioSolution 'The summit standoff, November 2020': 1 spe equilibrium by backward_induction, complete>
        >>> print(str(solution).splitlines()[4])
          Washington stays out; Seoul lets the courts proceed; Tokyo skips the summit.
        """  # noqa: E501
        from sim.report.narrate import scenario_table

        return scenario_table(self)

    def _repr_html_(self) -> str:
        """How a notebook shows the solution: the play in words, payoffs by term.

        Examples
        --------
        >>> from sim.report.solve import solve
        >>> html = solve("scenarios/baseline_nov2020.toml")._repr_html_()
        >>> html.startswith("<p>The summit standoff, November 2020: 1 spe equilibrium</p>")
        True
        """
        from sim.report.narrate import narrate
        from sim.text import html_report

        names = {p.id: p.name for p in self.scenario.players}
        heading = (
            f"{self.scenario.title}: {len(self)} {self.concept} "
            f"equilibri{'um' if len(self) == 1 else 'a'}"
            f"{'' if self.complete else ' (not guaranteed complete)'}"
        )
        sections = []
        for k, eq in enumerate(self.equilibria, start=1):
            lines = [
                f"Equilibrium {k} (max regret {regret_text(eq.max_regret)}):",
                *narrate(self.scenario, eq.outcomes),
            ]
            rows = [
                [
                    names[pid],
                    f"{eq.payoffs[i]:+.3f}",
                    ", ".join(
                        f"{term} {value:+.2f}"
                        for term, value in eq.breakdown[pid].items()
                        if abs(value) > 1e-12
                    ),
                ]
                for i, pid in enumerate(self.scenario.player_ids)
            ]
            sections.append((lines, ["player", "payoff", "by term"], rows))
        return html_report(heading, [*sections, (self.notes, (), ())])


def default_concept(scenario: Scenario, structure: ScenarioStructure | None = None) -> str:
    """``"spe"`` when a proper subgame holds a real choice, else ``"nash"``.

    A real choice is a decision with more than one playable action. When the
    only subgame with one is the whole game (a simultaneous game, perhaps
    followed by nature), subgame perfection adds nothing to Nash equilibrium.
    ``[rounds]`` scenarios are solved for subgame perfection only. Pass the
    scenario's ``structure`` if it is already built.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> default_concept(load_scenario("scenarios/baseline_nov2020.toml"))
    'spe'
    >>> default_concept(load_scenario("scenarios/classroom_brokered_package.toml"))
    'nash'
    """
    if scenario.rounds is not None:
        return "spe"
    tree = (structure or build_structure(scenario)).tree
    choices = {
        v for v in np.flatnonzero(tree.node_kind == DECISION).tolist() if len(tree.children(v)) > 1
    }
    size = tree.subtree_size
    for root in tree.subgame_roots():
        if root and any(root <= v < root + size[root] for v in choices):
            return "spe"
    return "nash"


def force_moves(scenario: Scenario, force: Mapping[str, str]) -> Scenario:
    """The scenario with each named move restricted to one action.

    Raises
    ------
    UsageError
        For an unknown move or action (with the nearest valid name).
    """
    moves = {m.name: m for m in scenario.moves}
    for name, action in force.items():
        if name not in moves:
            raise UsageError(
                f"{{force}}: no move called {name!r}{did_you_mean(name, moves)}",
                function="force_moves",
                parameters=["force"],
            )
        if action not in moves[name].actions:
            raise UsageError(
                f"{{force}}: expected one of {', '.join(moves[name].actions)}; got "
                f"{action!r}{did_you_mean(action, moves[name].actions)}",
                function="force_moves",
                parameters={"force": name},
            )
        if moves[name].forced and moves[name].forced != action:
            raise UsageError(
                f"{{force}}: {scenario.path} already forces {name} to {moves[name].forced!r}",
                function="force_moves",
                parameters={"force": f"{name}={action}"},
            )
    replaced = tuple(
        dataclasses.replace(m, forced=force[m.name]) if m.name in force else m
        for m in scenario.moves
    )
    return dataclasses.replace(scenario, moves=replaced)


def _outcomes(
    compiled: CompiledScenario, probabilities: FloatArray
) -> tuple[tuple[float, Path], ...]:
    order = np.argsort(-probabilities, kind="stable")
    return tuple(
        (float(probabilities[t]), dict(compiled.structure.paths[t]))
        for t in order.tolist()
        if probabilities[t] > OUTCOME_CUTOFF
    )


def _clean(value: float) -> float:
    """Round-off around zero printed as zero (no "-0.00")."""
    return 0.0 if abs(value) < 1e-12 else value


def _deviations(
    compiled: CompiledScenario,
    game: ExtensiveFormGame,
    behaviour: Sequence[FloatArray],
    reach: FloatArray,
) -> tuple[Deviation, ...]:
    """For each decision on the path, the mover's best other action and what it would cost.

    Only decisions the mover makes knowing where they are (a one-node
    information set) and without mixing: elsewhere the comparison at a single
    node would not be the mover's own. ``reach`` is each node's reach probability.
    """
    tree = game.tree
    values = node_values(game, behaviour)
    scenario = compiled.scenario
    names = {p.name: p.id for p in scenario.players}
    found = []
    for v in np.flatnonzero((tree.node_kind == DECISION) & (reach > OUTCOME_CUTOFF)).tolist():
        h = int(tree.node_infoset[v])
        kids = tree.children(v)
        beta = np.asarray(behaviour[h])
        if len(kids) < 2 or len(tree.infoset_members(h)) > 1 or beta.max() < 1 - 1e-12:
            continue
        i = int(tree.infoset_player[h])
        chosen = int(np.argmax(beta))
        others = [a for a in range(len(kids)) if a != chosen]
        best = max(others, key=lambda a: values[kids[a], i])
        after = tree.history(v)
        found.append(
            Deviation(
                player=names.get(tree.players[i], tree.players[i]),
                move=tree.move_names[h],
                after=after,
                chosen=tree.action_labels[h][chosen],
                alternative=tree.action_labels[h][best],
                loss=_clean(float(values[kids[chosen], i] - values[kids[best], i])),
            )
        )
    return tuple(found)


def behaviour_equilibrium(
    compiled: CompiledScenario,
    game: ExtensiveFormGame,
    equilibrium: Equilibrium,
    counts: npt.NDArray[np.bool_] | None = None,
) -> ScenarioEquilibrium:
    """A behaviour equilibrium of ``game`` with its play, terms and close calls named.

    ``game`` may differ from ``compiled.game()`` in its payoffs (a round's stage
    with the value of later rounds added); the terms come from ``compiled``,
    counted only at the outcomes where ``counts`` is true (all by default).
    """
    assert equilibrium.behaviour is not None
    assert equilibrium.terminal_probabilities is not None
    reach = node_reach(game, equilibrium.behaviour)
    probabilities = equilibrium.terminal_probabilities
    counted = probabilities if counts is None else np.where(counts, probabilities, 0.0)
    return ScenarioEquilibrium(
        equilibrium,
        outcomes=_outcomes(compiled, probabilities),
        breakdown=compiled.term_breakdown(counted),
        deviations=_deviations(compiled, game, equilibrium.behaviour, reach),
    )


def solve_spe_stage(
    compiled: CompiledScenario,
    game: ExtensiveFormGame,
    preferred: Mapping[str, str],
    max_equilibria: int,
) -> ScenarioSolution:
    from sim.solvers.subgame_perfect import reduced_profile, spe_behaviour

    try:
        found = spe_behaviour(game, tie_break=preferred, max_profiles=max_equilibria)
    except RecursionError:
        raise TooLargeError(
            f"{compiled.scenario.path}: a simultaneous stage has too many parts to list its "
            "subgame-perfect equilibria; use {concept=nash}",
            function="solve_scenario",
            parameters={"concept": "spe"},
        ) from None
    normal = normal_form_within(game, SPE_NORMAL_FORM_LIMIT)
    if normal is not None:
        with_strategies = tuple(
            dataclasses.replace(eq, strategies=reduced_profile(game, eq.behaviour or ()))
            for eq in found
        )
        found = dataclasses.replace(found, equilibria=with_strategies, normal=normal)
    found = dataclasses.replace(
        found, options={"tie_break": dict(preferred), "max_equilibria": max_equilibria}
    )
    return ScenarioSolution(
        compiled.scenario,
        compiled,
        found,
        tuple(behaviour_equilibrium(compiled, game, eq) for eq in found),
    )


def from_normal_form(
    compiled: CompiledScenario, game: ExtensiveFormGame, normal: NormalFormGame, solution: Solution
) -> ScenarioSolution:
    """A scenario's view of a solution of ``game``'s reduced normal form ``normal``."""
    # Which outcomes each pure profile reaches, times chance: outcome probabilities
    # of any (correlated or independent) distribution over profiles in one product.
    reaches = game.profile_terminals() * game.terminal_chance_reach()
    equilibria = []
    views = []
    for eq in solution:
        joint = eq.joint
        if joint is None:
            assert eq.strategies is not None
            joint = eq.strategies[0]
            for strategy in eq.strategies[1:]:
                joint = np.multiply.outer(joint, strategy)
        probabilities = np.tensordot(joint, reaches, axes=joint.ndim)
        located = dataclasses.replace(eq, terminal_probabilities=probabilities)
        equilibria.append(located)
        views.append(
            ScenarioEquilibrium(
                located,
                outcomes=_outcomes(compiled, probabilities),
                breakdown=compiled.term_breakdown(probabilities),
            )
        )
    of_tree = dataclasses.replace(solution, game=game, normal=normal, equilibria=tuple(equilibria))
    return ScenarioSolution(compiled.scenario, compiled, of_tree, tuple(views))
