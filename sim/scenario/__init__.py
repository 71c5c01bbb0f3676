"""Scenario files: a dispute written as data, and compiled to a game.

A scenario is a TOML file (see ``docs/reference/scenario-files.md``): players,
moves in order with what each observes, named parameters with ranges, reasons
and sources, and payoff terms written as safe expressions. This package is the
data layer, below the solvers; solving a scenario and saying its equilibria in
words is :mod:`sim.report` (``sim.solve_scenario``). The pieces:

- :mod:`~sim.scenario.schema`: the format, declared once (loader and docs use it);
- :mod:`~sim.scenario.loader`: read, ``extends``, validate -> :class:`Scenario`;
- :mod:`~sim.scenario.expressions`: the safe expression language;
- :mod:`~sim.scenario.compiler`: scenario + parameter values -> game (batched);
- :mod:`~sim.scenario.locate`: where in a file a key was written, for errors.

Examples
--------
>>> from sim.scenario import compile_scenario, load_scenario
>>> scenario = load_scenario("scenarios/biden_mediation.toml")
>>> compile_scenario(scenario).game().players
('Washington', 'Seoul', 'Tokyo')
"""

from sim.scenario.compiler import CompiledScenario, compile_scenario, parameter_values
from sim.scenario.loader import load_scenario, load_scenario_text
from sim.scenario.model import Scenario

__all__ = [
    "CompiledScenario",
    "Scenario",
    "compile_scenario",
    "load_scenario",
    "load_scenario_text",
    "parameter_values",
]
