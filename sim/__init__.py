"""sim: simulate diplomatic negotiations as games.

The public surface is small and listed in ``__all__``. Names are imported on
first use so that ``import sim`` (and ``sim --help``) stays fast.

Examples
--------
>>> import sim
>>> game = sim.NormalFormGame.from_matrices([[3, 0], [5, 1]], [[3, 5], [0, 1]])
>>> solution = sim.solve(game)
>>> [eq.strategies for eq in solution]
[(array([0., 1.]), array([0., 1.]))]
>>> solution.complete
True
"""

# No ``from __future__ import annotations`` and only private names from imports:
# every public name in ``vars(sim)`` is one of ``__all__`` (tests/test_public_api.py).
import typing as _typing
from importlib import import_module as _import_module

__version__ = "0.1.0"

__all__ = [
    "Equilibrium",
    "GameBatch",
    "NormalFormGame",
    "Scenario",
    "SimError",
    "Solution",
    "__version__",
    "find_shifts",
    "load_game",
    "load_scenario",
    "solve",
    "solve_scenario",
    "sweep",
]

_LAZY = {
    "Equilibrium": "sim.solvers.solution",
    "GameBatch": "sim.games.normal_form",
    "NormalFormGame": "sim.games.normal_form",
    "SimError": "sim.errors",
    "Solution": "sim.solvers.solution",
    "load_game": "sim.formats",
    "solve": "sim.report.solve",
    "Scenario": "sim.scenario.model",
    "load_scenario": "sim.scenario.loader",
    "solve_scenario": "sim.report.solve",
    "sweep": "sim.analysis.sweep",
    "find_shifts": "sim.analysis.shifts",
}

if _typing.TYPE_CHECKING:
    from sim.analysis.shifts import find_shifts
    from sim.analysis.sweep import sweep
    from sim.errors import SimError
    from sim.formats import load_game
    from sim.games.normal_form import GameBatch, NormalFormGame
    from sim.report.solve import solve, solve_scenario
    from sim.scenario.loader import load_scenario
    from sim.scenario.model import Scenario
    from sim.solvers.solution import Equilibrium, Solution


def __getattr__(name: str) -> _typing.Any:
    if name in _LAZY:
        value = getattr(_import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
