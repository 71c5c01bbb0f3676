"""The lint and type gates run as tests, so the README's one test command covers them.

Each gate is also shown to bite: a deliberate violation must fail it, so a
misconfigured gate cannot pass silently.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The longest a function of the command line may be, in lines (its decorators included).
CLI_FUNCTION_LINES = 100
#: The longest any function of sim may be: past this it holds more than one concept.
FUNCTION_LINES = 150


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


def long_functions(folder: Path, limit: int) -> list[str]:
    """``path:line name (N lines)`` for every function under ``folder`` longer than ``limit``."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                assert node.end_lineno is not None
                lines = node.end_lineno - first + 1
                if lines > limit:
                    where = path.relative_to(folder.parent).as_posix()
                    found.append(f"{where}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_command_line_functions_are_short() -> None:
    # The CLI parses, calls one library function and renders; a long function
    # there is domain logic that belongs in the library, or a parser to split.
    assert long_functions(ROOT / "sim" / "cli", CLI_FUNCTION_LINES) == []


def test_no_function_of_sim_is_longer_than_150_lines() -> None:
    # Docstrings count: a long example is a sign the function does several things too.
    assert long_functions(ROOT / "sim", FUNCTION_LINES) == []


def test_the_length_check_catches_a_long_function(tmp_path: Path) -> None:
    folder = tmp_path / "cli"
    folder.mkdir()
    body = "".join(f"    x{k} = {k}\n" for k in range(CLI_FUNCTION_LINES))
    (folder / "long.py").write_text(f"def short():\n    pass\n\n\ndef long():\n{body}")
    assert long_functions(folder, CLI_FUNCTION_LINES) == [
        f"cli/long.py:5 long ({CLI_FUNCTION_LINES + 1} lines)"
    ]
