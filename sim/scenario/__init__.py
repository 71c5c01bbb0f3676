"""Scenario files: a dispute written as data, compiled to a game and solved.

A scenario is a TOML file (see ``docs/reference/scenario-files.md``): players,
moves in order with what each observes, named parameters with ranges, reasons
and sources, and payoff terms written as safe expressions. The pieces:

- :mod:`~sim.scenario.schema`: the format, declared once (loader and docs use it);
- :mod:`~sim.scenario.loader`: read, ``extends``, validate -> :class:`Scenario`;
- :mod:`~sim.scenario.expressions`: the safe expression language;
- :mod:`~sim.scenario.compiler`: scenario + parameter values -> game (batched);
- :mod:`~sim.scenario.solve`: equilibria with play paths and payoffs by term;
- :mod:`~sim.scenario.report`: the same in words, as a table and as JSON;
- :mod:`~sim.scenario.expect`: check the ``[[expect]]`` entries.

Examples
--------
>>> from sim.scenario import load_scenario, solve_scenario
>>> scenario = load_scenario("scenarios/biden_mediation.toml")
>>> outcome = solve_scenario(scenario)[0].outcomes[0][1]
>>> outcome["mediation"], outcome["stance"], outcome["summit"]
('press_publicly', 'fund', 'attend')
"""

from sim.scenario.compiler import CompiledScenario, compile_scenario, parameter_values
from sim.scenario.expect import check_expectation, check_expectations
from sim.scenario.loader import load_scenario, load_scenario_text
from sim.scenario.model import Scenario
from sim.scenario.solve import ScenarioSolution, solve_scenario

__all__ = [
    "CompiledScenario",
    "Scenario",
    "ScenarioSolution",
    "check_expectation",
    "check_expectations",
    "compile_scenario",
    "load_scenario",
    "load_scenario_text",
    "parameter_values",
    "solve_scenario",
]
