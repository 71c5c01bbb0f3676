"""The lint and type gates run as tests, so the README's one test command covers them.

Each gate is also shown to bite: a deliberate violation must fail it, so a
misconfigured gate cannot pass silently.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def tool(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_ruff_check() -> None:
    result = tool("ruff", "check", "sim", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = tool("ruff", "format", "--check", "sim", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_strict() -> None:
    result = tool("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("gate", "source"),
    [
        (("ruff", "check"), "import os\n"),
        (("mypy", "--strict"), "def f(x):\n    return x\n"),
    ],
)
def test_gates_catch_a_deliberate_violation(
    tmp_path: Path, gate: tuple[str, ...], source: str
) -> None:
    scratch = tmp_path / "scratch.py"
    scratch.write_text(source)
    config = ("--config-file" if gate[0] == "mypy" else "--config", str(ROOT / "pyproject.toml"))
    result = tool(*gate, *config, str(scratch), cwd=tmp_path)
    assert result.returncode != 0
