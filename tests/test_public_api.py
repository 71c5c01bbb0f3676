"""The public surface is exactly what sim.__all__ lists, and it imports lazily."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import sim


def public_names(module: ModuleType) -> set[str]:
    """Every public name the module holds, once each lazy export has been loaded.

    Subpackages count as namespaces, not as names of the surface: importing any
    of them (``sim.solvers``) sets them as attributes of ``sim``.
    """
    for name in module.__all__:
        getattr(module, name)
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    } | {"__version__"}


def test_all_is_sorted_and_is_the_whole_public_surface() -> None:
    assert sim.__all__ == sorted(sim.__all__)
    for name in sim.__all__:
        assert getattr(sim, name) is not None
    assert public_names(sim) == set(sim.__all__)


def test_a_stray_public_name_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sim, "stray_helper", lambda: None, raising=False)
    assert "stray_helper" in public_names(sim) - set(sim.__all__)


def test_import_sim_is_light() -> None:
    code = "import sys, sim; print('numpy' in sys.modules, 'scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline_nov2020.toml"
SUMMIT = ROOT / "sim" / "examples" / "summit.nfg"


def test_solve_takes_a_path_a_game_or_a_scenario() -> None:
    by_path = sim.solve(str(BASELINE))
    by_scenario = sim.solve(sim.load_scenario(BASELINE))
    assert [eq.outcomes for eq in by_path] == [eq.outcomes for eq in by_scenario]
    assert "Washington stays out" in str(by_path)
    assert repr(by_path).startswith("<ScenarioSolution 'The summit standoff")
    game = sim.load_game(SUMMIT)
    assert len(sim.solve(SUMMIT)) == len(sim.solve(game)) == 3
    with pytest.raises(sim.SimError, match="expected a game, a Scenario, or the path"):
        sim.solve(42)  # type: ignore[arg-type]


def test_library_errors_name_parameters_not_flags() -> None:
    game = sim.load_game(SUMMIT)
    with pytest.raises(sim.SimError) as error:
        sim.solve(game, "qre")
    assert "lam" in str(error.value) and "--" not in str(error.value)
    with pytest.raises(sim.SimError, match=r"^solve\(\): settings and force apply to scenario"):
        sim.solve(game, settings={"x": 1.0})


def test_find_shifts_and_sweep_take_a_path_or_a_scenario() -> None:
    by_path = sim.find_shifts(str(BASELINE), "us_alliance_priority", 0, 2)
    by_scenario = sim.find_shifts(sim.load_scenario(BASELINE), "us_alliance_priority", 0, 2)
    assert [round(s.value, 4) for s in by_path.shifts] == [0.6094]
    assert [s.value for s in by_path.shifts] == [s.value for s in by_scenario.shifts]
    with pytest.raises(sim.SimError, match=r"^find_shifts\(\): scenario: expected a Scenario"):
        sim.find_shifts(3, "us_alliance_priority", 0, 2)  # type: ignore[arg-type]


def test_sweep_errors_speak_of_its_own_arguments() -> None:
    # vary is a mapping in Python; the errors say so, not the CLI's NAME=START:STOP:COUNT.
    cases = [
        ({"us_alliance_priority": (0, 1)}, "vary='us_alliance_priority': expected (start, stop"),
        ({"us_alliance_priority": (0, 3, 4)}, "vary='us_alliance_priority': 3 is outside"),
        ({}, "give vary={name: (start, stop, count)} for a grid, or sample=N"),
    ]
    for vary, message in cases:
        with pytest.raises(sim.SimError) as error:
            sim.sweep(BASELINE, vary, workers=1)
        assert str(error.value).startswith(f"sweep(): {message}")
        assert "NAME=START" not in str(error.value)
