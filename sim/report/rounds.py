"""Scenarios played round after round (``[rounds]``), solved from the last round back.

A ``[rounds]`` scenario plays its whole sequence of moves up to ``count``
times. Expressions may use ``round``, so a hazard can rise towards a deadline
or a leader can change at the end of a term. A round whose play meets one of
``ends_when`` ends the game; otherwise the next round follows, its payoffs
multiplied by ``discount``.

Why round by round is exact
---------------------------
The round-``r`` stage depends on ``round`` and the parameters only, not on
what happened before, so every subgame that starts a round ``r`` is the same
game. Solving the last round first, then each earlier round with the value of
the rest added at the outcomes that do not end the game, and playing the same
continuation everywhere, gives a subgame-perfect equilibrium of the whole
multi-round tree (which for six rounds of the flagship would have some 10^14
outcomes) at the cost of ``count`` stage solves. The continuation used is the
stage equilibrium chosen by the status-quo rule; when a stage has several,
the result says so (``complete`` is false) rather than listing the product.

Each round's regret is checked on its stage, with the continuation values in
place, by :func:`sim.games.behaviour.subgame_regret`; the largest is reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sim.errors import UsageError
from sim.games.extensive_form import ExtensiveFormGame
from sim.report.scenario import (
    RoundResult,
    ScenarioEquilibrium,
    ScenarioSolution,
    behaviour_equilibrium,
)
from sim.scenario.compiler import build_structure, compile_scenario
from sim.scenario.model import Scenario
from sim.solvers.solution import Equilibrium, Solution

__all__ = ["MAX_ROUND_PATHS", "round_key", "solve_rounds"]

#: At most this many whole-game play paths are listed (rounds multiply them).
MAX_ROUND_PATHS = 10_000


def round_key(move: str, round_number: int) -> str:
    """How a move is named in a whole-game play path: ``stance``, then ``stance (2)``, ...

    Examples
    --------
    >>> round_key("stance", 1), round_key("stance", 3)
    ('stance', 'stance (3)')
    """
    return move if round_number == 1 else f"{move} ({round_number})"


def solve_rounds(
    scenario: Scenario,
    settings: Mapping[str, Any] | None = None,
    tie_break: Mapping[str, str] | None = None,
) -> ScenarioSolution:
    """A subgame-perfect equilibrium of a ``[rounds]`` scenario, round by round.

    Parameters
    ----------
    scenario
        A scenario with ``[rounds]``.
    settings
        Parameter overrides (``--set``).
    tie_break
        Preferred actions among ties, on top of each move's status quo.

    Returns
    -------
    ScenarioSolution
        One equilibrium: ``payoffs`` are the whole game's (discounted) values,
        ``outcomes`` the whole-game play paths (moves of round ``r`` named
        ``"move (r)"``), ``breakdown`` the discounted expected terms; and
        ``rounds``, each round's stage equilibrium with the probability of
        reaching it.

    Raises
    ------
    UsageError
        If the discount is not in [0, 1] at some round.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> solution = solve_rounds(load_scenario("scenarios/moon_lame_duck.toml"))
    >>> [(r.round, round(r.reach, 2)) for r in solution.rounds][:2]
    [(1, 1.0), (2, 0.85)]
    """
    rounds = scenario.rounds
    if rounds is None:
        raise UsageError(f"{scenario.path}: the scenario has no [rounds]")
    from sim.solvers.subgame_perfect import spe_behaviour

    preferred = {**scenario.tie_break, **(tie_break or {})}
    structure = build_structure(scenario)
    tree = structure.tree
    ending = np.array([rounds.ends(path) for path in structure.paths], dtype=bool)
    later = np.zeros(tree.n_players)
    stages: list[tuple[int, ScenarioEquilibrium, Any, float]] = []
    notes: list[str] = []
    complete = True
    for r in range(rounds.count, 0, -1):
        compiled = compile_scenario(scenario, settings, structure=structure, round=r)
        discount = float(np.asarray(rounds.discount.evaluate(compiled.values)))
        if not 0.0 <= discount <= 1.0:
            raise UsageError(
                f"{scenario.path}: rounds.discount: expected a value in [0, 1]; got "
                f"{discount:g} at round {r}"
            )
        last = r == rounds.count
        counts = np.ones(tree.n_terminals, dtype=bool) if rounds.every_round or last else ending
        payoffs = np.where(counts[:, None], compiled.payoffs, 0.0)
        if not last:
            payoffs[~ending] += discount * later
        game = ExtensiveFormGame(tree, payoffs, compiled.chance, scenario.title)
        found = spe_behaviour(game, tie_break=preferred, max_profiles=2)
        if len(found) > 1 or not found.complete:
            complete = False
            notes.append(
                f"round {r}: the stage has {found.count:,} subgame-perfect equilibria; the "
                "first (status quo on ties) is followed"
            )
        stage = behaviour_equilibrium(compiled, game, found[0], counts=counts)
        stages.append((r, stage, compiled, discount))
        later = stage.payoffs
    stages.reverse()

    results = []
    reach, weight = 1.0, 1.0
    totals: dict[str, dict[str, float]] = {pid: {} for pid in scenario.player_ids}
    for r, stage, compiled, discount in stages:
        ends = 1.0 if r == rounds.count else float(stage.terminal_probabilities[ending].sum())
        results.append(RoundResult(r, reach, ends, stage, compiled))
        for pid, terms in stage.breakdown.items():
            for name, value in terms.items():
                totals[pid][name] = totals[pid].get(name, 0.0) + weight * reach * value
        reach *= 1.0 - ends
        weight *= discount
    paths = _whole_paths(results, rounds.ends)
    if len(paths) > MAX_ROUND_PATHS:
        notes.append(f"{len(paths):,} play paths; the {MAX_ROUND_PATHS:,} most likely are listed")
    first = results[0].equilibrium
    # The whole game's equilibrium is the rounds' stage equilibria followed in
    # turn: its regret is the largest of theirs, and it is pure when they all are.
    method = "backward_induction_by_round"
    joined = Equilibrium(
        strategies=None,
        payoffs=first.payoffs,
        concept="spe",
        method=method,
        max_regret=max(s.equilibrium.max_regret for s in results),
        terminal_probabilities=first.terminal_probabilities,
        pure=all(s.equilibrium.pure for s in results),
    )
    whole = ScenarioEquilibrium(
        joined,
        outcomes=tuple(sorted(paths, key=lambda item: -item[0])[:MAX_ROUND_PATHS]),
        breakdown=totals,
        deviations=first.deviations,
    )
    solution = Solution(
        game=results[0].compiled.game(),
        equilibria=(joined,),
        concept="spe",
        method=method,
        complete=complete,
        notes=tuple(notes),
        options={"tie_break": preferred},
    )
    return ScenarioSolution(scenario, results[0].compiled, solution, (whole,), tuple(results))


def _whole_paths(results: list[RoundResult], ends: Any) -> list[tuple[float, dict[str, str]]]:
    """Every whole-game play path of positive probability, rounds joined in order."""
    finished: list[tuple[float, dict[str, str]]] = []
    frontier: list[tuple[float, dict[str, str]]] = [(1.0, {})]
    for result in results:
        following = []
        for p, so_far in frontier:
            for q, path in result.equilibrium.outcomes:
                joined = {**so_far, **{round_key(m, result.round): a for m, a in path.items()}}
                if result.round == len(results) or ends(path):
                    finished.append((p * q, joined))
                else:
                    following.append((p * q, joined))
        frontier = following
        if len(finished) + len(frontier) > 10 * MAX_ROUND_PATHS:
            break  # the count is noted by the caller; the most likely are kept
    return finished + frontier
