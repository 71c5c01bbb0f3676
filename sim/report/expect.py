"""Check a scenario's ``[[expect]]`` entries: the outcomes its author says it shows."""

from __future__ import annotations

from dataclasses import dataclass

from sim.report.scenario import default_concept
from sim.report.solve import solve_scenario
from sim.scenario.model import Expectation, Scenario, condition_holds

__all__ = ["ExpectationResult", "check_expectation", "check_expectations"]


@dataclass(frozen=True)
class ExpectationResult:
    """Whether an expectation holds, and if not, what was found instead."""

    expectation: Expectation
    ok: bool
    message: str


def check_expectation(scenario: Scenario, expectation: Expectation) -> ExpectationResult:
    """Solve the scenario as the expectation says and compare.

    ``path`` must hold in every outcome of positive probability (satisfying
    ``given``) of every equilibrium found, and at least one such outcome must
    exist. For Nash and subgame-perfect equilibria, ``path`` and ``equilibria``
    are checked only when the list of equilibria is complete; otherwise the
    expectation fails and says why (a check on part of the list proves nothing).
    Correlated equilibria are a polytope: ``path`` is checked on the point found.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> check_expectation(scenario, scenario.expectations[0]).ok
    True
    """
    concept = expectation.concept or default_concept(scenario)
    solution = solve_scenario(
        scenario, concept=concept, settings=expectation.set, force=expectation.force
    )

    def result(ok: bool, message: str) -> ExpectationResult:
        return ExpectationResult(expectation, ok, message)

    if (
        not solution.complete
        and solution.concept in ("spe", "nash", "pure-nash")
        and (expectation.equilibria is not None or expectation.path)
    ):
        reason = "; ".join(solution.notes) or "the method does not guarantee a complete list"
        return result(False, f"cannot check: the list of equilibria is not complete ({reason})")
    if expectation.equilibria is not None and len(solution) != expectation.equilibria:
        return result(False, f"expected {expectation.equilibria} equilibria; found {len(solution)}")
    if expectation.mixed is not None:
        mixed = any(not eq.pure for eq in solution)
        if mixed != expectation.mixed:
            return result(False, f"expected {'a' if expectation.mixed else 'no'} mixed equilibrium")
    if expectation.path:
        if not len(solution):
            return result(False, "no equilibrium found")
        plays = [eq.outcomes for eq in solution]
        if solution.rounds:  # the play of the round asked about, given that it is reached
            stage = solution.rounds[expectation.round - 1]
            if stage.reach <= 1e-12:
                return result(False, f"round {expectation.round} is never reached")
            plays = [stage.equilibrium.outcomes]
        for k, outcomes in enumerate(plays, start=1):
            matching = [path for _, path in outcomes if condition_holds(expectation.given, path)]
            if not matching:
                return result(
                    False, f"equilibrium {k}: no outcome of positive probability satisfies 'given'"
                )
            for path in matching:
                wrong = {m: path.get(m) for m, a in expectation.path.items() if path.get(m) != a}
                if wrong:
                    shown = ", ".join(f"{m}={a}" for m, a in path.items())
                    return result(False, f"equilibrium {k} reaches {shown}")
    return result(True, f"{len(solution)} {concept} equilibri{'um' if len(solution) == 1 else 'a'}")


def check_expectations(scenario: Scenario) -> list[ExpectationResult]:
    """Every ``[[expect]]`` entry of a scenario, checked in order."""
    return [check_expectation(scenario, e) for e in scenario.expectations]
