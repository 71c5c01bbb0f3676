"""Solve a scenario: compile it at one point, find equilibria, trace their play and payoffs.

Subgame perfection (the default for sequential scenarios) works on the tree in
behaviour strategies, because the reduced normal form of a realistic scenario
is astronomically large (the flagship's Seoul alone has more than 10^12 reduced
strategies). When the reduced normal form is small (simultaneous-move variants,
classroom toys), every result is also expressed over it, as design.md's JSON
contract describes, and the other concepts (Nash, correlated, ...) are solved
there by :func:`sim.solvers.solve`.

Every equilibrium carries its outcome distribution (play paths), each player's
payoff split by named term, and a regret recomputed independently:
:func:`sim.games.behaviour.subgame_regret` on the tree for subgame perfection,
:mod:`sim.games.profiles` on the normal form otherwise.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from sim.errors import GameError, UsageError, did_you_mean
from sim.games.behaviour import node_reach, node_values, subgame_regret
from sim.games.extensive_form import DECISION, ExtensiveFormGame, GameTree
from sim.games.normal_form import MAX_PROFILES, NormalFormGame
from sim.report import OUTCOME_CUTOFF, regret_text
from sim.scenario.compiler import (
    CompiledScenario,
    ScenarioStructure,
    build_structure,
    compile_scenario,
)
from sim.scenario.model import Scenario
from sim.solvers.solution import Solution

if TYPE_CHECKING:
    from sim.solvers.subgame_perfect import BehaviourSPE

__all__ = [
    "Deviation",
    "RoundResult",
    "ScenarioEquilibrium",
    "ScenarioSolution",
    "behaviour_equilibrium",
    "default_concept",
    "force_moves",
    "normal_form_within",
    "reduced_profile_count",
    "solve_scenario",
]

FloatArray = npt.NDArray[np.float64]
Path = Mapping[str, str]

#: Beyond this many pure profiles, subgame-perfect results are given in
#: behaviour strategies only (building the reduced normal form would dominate).
SPE_NORMAL_FORM_LIMIT = 10_000


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
    """One equilibrium of a scenario, with its play and its payoffs by term.

    Attributes
    ----------
    outcomes
        ``(probability, {move: action})`` for every outcome of positive
        probability, most probable first.
    breakdown
        ``{player id: {term name: expected value}}``.
    behaviour
        One probability vector per information set (subgame perfection), else ``None``.
    strategies
        A mixed profile over the reduced normal form, when it was built, else ``None``.
    """

    concept: str
    method: str
    payoffs: FloatArray
    max_regret: float
    pure: bool
    outcomes: tuple[tuple[float, Path], ...]
    terminal_probabilities: FloatArray
    breakdown: Mapping[str, Mapping[str, float]]
    behaviour: tuple[FloatArray, ...] | None = None
    strategies: tuple[FloatArray, ...] | None = None
    deviations: tuple[Deviation, ...] = ()
    details: Mapping[str, float] = dataclasses.field(default_factory=dict)
    joint: FloatArray | None = None


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
    """The equilibria of a scenario at one parameter point.

    ``normal`` is the reduced normal form when it was built (then every
    equilibrium has ``strategies``); ``complete`` is true only when every
    equilibrium of the concept is listed.
    """

    scenario: Scenario
    compiled: CompiledScenario
    concept: str
    method: str
    equilibria: tuple[ScenarioEquilibrium, ...]
    complete: bool
    notes: tuple[str, ...]
    normal: NormalFormGame | None
    rounds: tuple[RoundResult, ...] = ()

    @property
    def game(self) -> ExtensiveFormGame:
        """The compiled game."""
        return self.compiled.game()

    def __len__(self) -> int:
        return len(self.equilibria)

    def __iter__(self) -> Any:
        return iter(self.equilibria)

    def __getitem__(self, index: int) -> ScenarioEquilibrium:
        return self.equilibria[index]

    def _repr_html_(self) -> str:
        """How a notebook shows the solution: the play in words, payoffs by term."""
        from html import escape

        from sim.scenario.report import narrate

        names = {p.id: p.name for p in self.scenario.players}
        parts = [
            f"<p><b>{escape(self.scenario.title)}</b>: {len(self)} {escape(self.concept)} "
            f"equilibri{'um' if len(self) == 1 else 'a'}"
            f"{'' if self.complete else ' (not guaranteed complete)'}</p>"
        ]
        for k, eq in enumerate(self.equilibria, start=1):
            lines = "<br>".join(escape(line) for line in narrate(self.scenario, eq.outcomes))
            rows = "".join(
                f"<tr><td>{escape(names[pid])}</td><td>{eq.payoffs[i]:+.3f}</td><td>"
                + ", ".join(
                    f"{escape(term)} {value:+.2f}"
                    for term, value in eq.breakdown[pid].items()
                    if abs(value) > 1e-12
                )
                + "</td></tr>"
                for i, pid in enumerate(self.scenario.player_ids)
            )
            parts.append(
                f"<p>Equilibrium {k} (max regret {regret_text(eq.max_regret)}):<br>{lines}</p>"
                f"<table><tr><th>player</th><th>payoff</th><th>by term</th></tr>{rows}</table>"
            )
        return "".join(parts)


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
            raise UsageError(f"--force: no move called {name!r}{did_you_mean(name, moves)}")
        if action not in moves[name].actions:
            raise UsageError(
                f"--force {name}: expected one of {', '.join(moves[name].actions)}; got "
                f"{action!r}{did_you_mean(action, moves[name].actions)}"
            )
        if moves[name].forced and moves[name].forced != action:
            raise UsageError(
                f"--force {name}={action}: {scenario.path} already forces {name} to "
                f"{moves[name].forced!r}"
            )
    replaced = tuple(
        dataclasses.replace(m, forced=force[m.name]) if m.name in force else m
        for m in scenario.moves
    )
    return dataclasses.replace(scenario, moves=replaced)


def _profile_count(tree: GameTree) -> int | None:
    """How many reduced pure profiles a perfect-information tree has (``None`` otherwise)."""
    if not tree.is_perfect_information:
        return None
    total = 1
    for i in range(tree.n_players):
        count = [1] * tree.n_nodes
        for v in range(tree.n_nodes - 1, -1, -1):
            kids = tree.children(v)
            if not kids:
                continue
            own = tree.node_kind[v] == DECISION and tree.infoset_player[tree.node_infoset[v]] == i
            parts = [count[c] for c in kids]
            count[v] = sum(parts) if own else math.prod(parts)
            count[v] = min(count[v], 10**18)
        total = min(total * count[0], 10**18)
    return total


def reduced_profile_count(tree: GameTree, limit: int) -> int | None:
    """How many reduced pure-strategy profiles a tree has, or ``None`` beyond ``limit``.

    Exact by a formula on perfect-information trees; otherwise by listing each
    player's reduced strategies, stopping once the limit is passed.

    Examples
    --------
    >>> from sim.scenario import compile_scenario, load_scenario
    >>> package = load_scenario("scenarios/classroom_brokered_package.toml")
    >>> reduced_profile_count(compile_scenario(package).structure.tree, 100)
    4
    """
    count = _profile_count(tree)
    if count is None:
        count = 1
        try:
            for i in range(tree.n_players):
                count *= len(tree.reduced_strategies(i, limit=max(1, limit // count)))
        except GameError:
            return None
    return count if count <= limit else None


def normal_form_within(game: ExtensiveFormGame, limit: int) -> NormalFormGame | None:
    """The reduced normal form if it has at most ``limit`` profiles, else ``None``."""
    if reduced_profile_count(game.tree, limit) is None:
        return None
    try:
        return game.reduced_normal_form()
    except GameError:
        return None


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
        after = {
            tree.move_names[int(tree.node_infoset[u])]: tree.action_labels[
                int(tree.node_infoset[u])
            ][a]
            for u, a in tree.path(v)
        }
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


def solve_scenario(
    scenario: Scenario,
    *,
    concept: str | None = None,
    method: str = "auto",
    settings: Mapping[str, Any] | None = None,
    force: Mapping[str, str] | None = None,
    require_all: bool = False,
    objective: str | None = None,
    player: str | None = None,
    lam: float | None = None,
    tie_break: Mapping[str, str] | None = None,
    max_equilibria: int = 1_000,
    structure: ScenarioStructure | None = None,
) -> ScenarioSolution:
    """Equilibria of a scenario at one parameter point.

    Parameters
    ----------
    scenario
        A loaded scenario.
    concept
        A concept of :data:`sim.solvers.CONCEPTS`; by default :func:`default_concept`.
    settings
        ``{parameter: value}`` overrides (``--set``).
    force
        ``{move: action}``: moves restricted to one action (``--force``).
    tie_break
        For ``"spe"``: preferred actions among ties, on top of each move's
        ``status_quo``.
    method, require_all, objective, player, lam
        As for :func:`sim.solvers.solve`.
    structure
        The scenario's tree, if already built (ignored with ``force``).

    Returns
    -------
    ScenarioSolution

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> solution = solve_scenario(load_scenario("scenarios/baseline_nov2020.toml"))
    >>> [(round(p, 2), path["stance"], path["controls"]) for p, path in solution[0].outcomes]
    [(0.6, 'proceed', 'keep'), (0.4, 'proceed', 'keep')]
    """
    if force:
        scenario = force_moves(scenario, force)
    if scenario.rounds is not None:
        from sim.scenario.rounds import solve_rounds

        if concept not in (None, "spe") or method not in ("auto", "backward_induction"):
            raise UsageError(
                f"{scenario.path}: a scenario with [rounds] is solved round by round for "
                f"subgame perfection only; got --concept {concept} --method {method}"
            )
        if objective is not None or player is not None or lam is not None:
            raise UsageError("--objective, --player and --lambda do not apply to --concept spe")
        return solve_rounds(scenario, settings, tie_break)
    compiled = compile_scenario(scenario, settings, structure=None if force else structure)
    concept = concept or default_concept(scenario, compiled.structure)
    options = {"--objective": objective, "--player": player, "--lambda": lam}
    if concept == "spe":
        unused = [flag for flag, value in options.items() if value is not None]
    else:
        unused = ["--tie-break"] if tie_break else []
    if unused:
        raise UsageError(f"{', '.join(unused)} does not apply to --concept {concept}")
    game = compiled.game()
    if concept == "spe":
        if method not in ("auto", "backward_induction"):
            raise UsageError(f"--concept spe: the method is backward_induction; got {method!r}")
        return _spe(compiled, game, {**scenario.tie_break, **(tie_break or {})}, max_equilibria)
    normal = normal_form_within(game, MAX_PROFILES)
    if normal is None:
        raise UsageError(
            f"{scenario.path}: the reduced normal form has more than {MAX_PROFILES:,} "
            f"pure-strategy profiles, too many for --concept {concept}; use --concept spe "
            "(behaviour strategies)"
        )
    from sim.solvers import solve

    solution = solve(
        normal,
        concept,
        method,
        require_all=require_all,
        objective=objective,
        player=player,
        lam=lam,
    )
    return _from_normal_form(compiled, game, normal, solution)


def behaviour_equilibrium(
    compiled: CompiledScenario,
    game: ExtensiveFormGame,
    spe: BehaviourSPE,
    strategies: tuple[FloatArray, ...] | None = None,
    counts: npt.NDArray[np.bool_] | None = None,
) -> ScenarioEquilibrium:
    """A subgame-perfect behaviour profile with its play, terms, regret and close calls.

    ``game`` may differ from ``compiled.game()`` in its payoffs (a round's stage
    with the value of later rounds added); the terms come from ``compiled``,
    counted only at the outcomes where ``counts`` is true (all by default).
    """
    reach = node_reach(game, spe.behaviour)
    probabilities = reach[game.tree.terminals]
    counted = probabilities if counts is None else np.where(counts, probabilities, 0.0)
    return ScenarioEquilibrium(
        concept="spe",
        method="backward_induction",
        payoffs=spe.payoffs,
        max_regret=subgame_regret(game, spe.behaviour),
        pure=spe.pure,
        outcomes=_outcomes(compiled, probabilities),
        terminal_probabilities=probabilities,
        breakdown=compiled.term_breakdown(counted),
        behaviour=spe.behaviour,
        strategies=strategies,
        deviations=_deviations(compiled, game, spe.behaviour, reach),
    )


def _spe(
    compiled: CompiledScenario,
    game: ExtensiveFormGame,
    preferred: Mapping[str, str],
    max_equilibria: int,
) -> ScenarioSolution:
    from sim.solvers.subgame_perfect import reduced_profile, spe_behaviour

    try:
        found = spe_behaviour(game, tie_break=preferred, max_profiles=max_equilibria)
    except RecursionError:
        raise UsageError(
            f"{compiled.scenario.path}: a simultaneous stage has too many parts to list its "
            "subgame-perfect equilibria; use --concept nash"
        ) from None
    normal = normal_form_within(game, SPE_NORMAL_FORM_LIMIT)
    equilibria = [
        behaviour_equilibrium(
            compiled,
            game,
            spe,
            strategies=None if normal is None else reduced_profile(game, spe.behaviour),
        )
        for spe in found.profiles
    ]
    return ScenarioSolution(
        compiled.scenario,
        compiled,
        "spe",
        "backward_induction",
        tuple(equilibria),
        found.complete,
        found.notes,
        normal,
    )


def _from_normal_form(
    compiled: CompiledScenario, game: ExtensiveFormGame, normal: NormalFormGame, solution: Solution
) -> ScenarioSolution:
    # Which outcomes each pure profile reaches, times chance: outcome probabilities
    # of any (correlated or independent) distribution over profiles in one product.
    reaches = game.profile_terminals() * game.terminal_chance_reach()
    equilibria = []
    for eq in solution:
        joint = eq.joint
        if joint is None:
            joint = eq.strategies[0]
            for strategy in eq.strategies[1:]:
                joint = np.multiply.outer(joint, strategy)
        probabilities = np.tensordot(joint, reaches, axes=joint.ndim)
        equilibria.append(
            ScenarioEquilibrium(
                concept=eq.concept,
                method=eq.method,
                payoffs=eq.payoffs,
                max_regret=eq.max_regret,
                pure=eq.pure,
                outcomes=_outcomes(compiled, probabilities),
                terminal_probabilities=probabilities,
                breakdown=compiled.term_breakdown(probabilities),
                strategies=eq.strategies,
                details=dict(eq.details),
                joint=eq.joint,
            )
        )
    return ScenarioSolution(
        compiled.scenario,
        compiled,
        solution.concept,
        solution.method,
        tuple(equilibria),
        solution.complete,
        solution.notes,
        normal,
    )
