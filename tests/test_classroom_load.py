"""100 students submit in the same stage: every acknowledged order is stored.

The times are measured and reported by ``tests/benchmarks/load_classroom.py``;
this test only checks that nothing is lost under that load.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # 100 students on loopback

ROOT = Path(__file__).resolve().parent.parent


def test_a_hundred_students_at_once_lose_nothing() -> None:
    spec = importlib.util.spec_from_file_location(
        "load_classroom", ROOT / "tests" / "benchmarks" / "load_classroom.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.run_load(100)
    assert result["acknowledged"] == 100 and result["missing"] == []
    assert result["all_finished"]
