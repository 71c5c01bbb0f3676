"""The public surface is exactly what sim.__all__ lists, and it imports lazily."""

from __future__ import annotations

import subprocess
import sys
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
    assert sorted(dir(sim)) == sim.__all__


def test_a_stray_public_name_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sim, "stray_helper", lambda: None, raising=False)
    assert "stray_helper" in public_names(sim) - set(sim.__all__)


def test_import_sim_is_light() -> None:
    code = "import sys, sim; print('numpy' in sys.modules, 'scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
