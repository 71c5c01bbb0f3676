"""The public surface is exactly what sim.__all__ lists, and it imports lazily."""

from __future__ import annotations

import subprocess
import sys

import sim


def test_all_is_sorted_and_complete() -> None:
    assert sim.__all__ == sorted(sim.__all__)
    for name in sim.__all__:
        assert getattr(sim, name) is not None
    public = {n for n in dir(sim) if not n.startswith("_")} | {"__version__"}
    assert public == set(sim.__all__)


def test_import_sim_is_light() -> None:
    code = "import sys, sim; print('numpy' in sys.modules, 'scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
