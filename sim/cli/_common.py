"""What every command module shares: the parser class, argument types and common options.

Only argparse and the standard library are imported here, so that building
the parser (``sim --help``) imports no numpy.
"""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING, TypeAlias

__all__ = [
    "PATH_HELP",
    "Parser",
    "add_concept",
    "add_scenario_options",
    "nonnegative_float",
    "pairs",
    "scenario_only",
    "settings",
]

if TYPE_CHECKING:
    #: What ``add_subparsers`` returns: each command module adds its commands to it.
    Commands: TypeAlias = argparse._SubParsersAction["Parser"]

PATH_HELP = "a scenario .toml, or a Gambit .nfg or .efg file"


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors raise instead of exiting, so main() owns exit codes."""

    def error(self, message: str) -> None:  # type: ignore[override]
        from sim.errors import UsageError

        raise UsageError(message)


def nonnegative_float(text: str) -> float:
    """An argparse type: a finite number >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number; got {text!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a number >= 0; got {text!r}")
    return value


def pairs(items: list[str], flag: str, form: str = "MOVE=ACTION") -> dict[str, str]:
    """``["MOVE=ACTION", ...]`` as a mapping, with a clear error for a missing ``=``."""
    from sim.errors import UsageError

    found = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise UsageError(f"{flag}: expected {form}; got {item!r}")
        found[key.strip()] = value.strip()
    return found


def settings(items: list[str]) -> dict[str, float | str]:
    """``--set NAME=VALUE`` pairs: numbers where they parse, else choice labels."""
    result: dict[str, float | str] = {}
    for name, text in pairs(items, "--set", "NAME=VALUE").items():
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        # Not a finite number: a choice's label (or an error that says so).
        result[name] = number if math.isfinite(number) else text
    return result


def scenario_only(path: str, command: str) -> None:
    """A usage error unless PATH names a scenario file."""
    from sim.errors import UsageError

    if not path.lower().endswith(".toml"):
        raise UsageError(f"sim {command}: PATH must be a scenario (.toml); got {path}")


def add_concept(command: argparse.ArgumentParser, help_text: str) -> None:
    """``--concept``, any solution concept."""
    from sim.solvers import CONCEPTS  # the registry's names only: no numpy

    command.add_argument("--concept", default=None, choices=list(CONCEPTS), help=help_text)


def add_scenario_options(command: argparse.ArgumentParser) -> None:
    """``--set`` and ``--force``, for commands that compile a scenario."""
    command.add_argument(
        "--set",
        action="append",
        default=[],
        dest="settings",
        metavar="NAME=VALUE",
        help="scenarios: set a parameter (a number, or a choice's label; repeatable)",
    )
    command.add_argument(
        "--force",
        action="append",
        default=[],
        metavar="MOVE=ACTION",
        help="scenarios: restrict a move to one action (repeatable)",
    )
