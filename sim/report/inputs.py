"""The files a user hands sim: a game read or a scenario compiled, checked, listed.

:func:`load_game_at` is the game of a Gambit file, or of a scenario compiled at
one parameter point. :func:`validate_file` says whether a file reads cleanly
(and, for a scenario, whether its ``[[expect]]`` entries hold), and
:func:`scenario_listing` lists the scenarios of a folder with their titles:
what ``sim validate`` and ``sim scenarios`` print.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import InputError, UsageError
from sim.report.expect import ExpectationResult, check_expectations
from sim.report.scenario import force_moves
from sim.report.solve import is_scenario_path, refuse_scenario_options
from sim.scenario.compiler import compile_scenario
from sim.scenario.loader import load_scenario

if TYPE_CHECKING:
    from sim.games.extensive_form import ExtensiveFormGame
    from sim.games.normal_form import NormalFormGame

__all__ = ["Validation", "load_game_at", "scenario_listing", "validate_file"]


def load_game_at(
    path: str | Path,
    *,
    settings: Mapping[str, Any] | None = None,
    force: Mapping[str, str] | None = None,
    function: str = "load_game_at",
) -> NormalFormGame | ExtensiveFormGame:
    """The game of a file: a Gambit game as it is, a scenario compiled at one point.

    Parameters
    ----------
    path
        A ``.nfg`` or ``.efg`` game, or a ``.toml`` scenario.
    settings, force
        Scenarios only: ``{parameter: value}`` overrides and ``{move: action}``
        restrictions.
    function
        The public function to name in errors about ``settings`` and ``force``.

    Examples
    --------
    >>> load_game_at("scenarios/baseline_nov2020.toml", force={"stance": "fund"}).players
    ('Washington', 'Seoul', 'Tokyo')
    >>> load_game_at("sim/examples/summit.nfg", settings={"x": 1.0})
    Traceback (most recent call last):
    ...
    sim.errors.UsageError: load_game_at(): settings and force apply to scenario (.toml) files only
    """
    if is_scenario_path(path):
        scenario = force_moves(load_scenario(path), force or {})
        return compile_scenario(scenario, dict(settings or {})).game()
    refuse_scenario_options(settings, force, function)
    from sim.formats import load_game

    return load_game(path)


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Validation:
    """A file checked: what it holds, and each ``[[expect]]`` entry checked (if asked)."""

    path: str
    summary: str  # what the file holds, in brackets after "OK"
    results: tuple[ExpectationResult, ...] = ()

    @property
    def failed(self) -> int:
        """How many expectations failed."""
        return sum(not r.ok for r in self.results)

    @property
    def ok(self) -> bool:
        """Whether the file read cleanly and every expectation checked holds."""
        return not self.failed

    def text(self) -> str:
        """The check as ``sim validate`` prints it: one line, then one per expectation."""
        lines = [f"{self.path}: OK ({self.summary})"]
        for result in self.results:
            mark = "ok" if result.ok else "FAILED"
            lines.append(f"  {mark}: {result.expectation.description} [{result.message}]")
        return "\n".join(lines)

    def failure(self) -> InputError:
        """The error that says how many expectations failed (when some did)."""
        return InputError(f"{self.path}: {self.failed} of {len(self.results)} expectations failed")


def validate_file(path: str | Path, *, expect: bool = False) -> Validation:
    """Read a game or scenario file; compile a scenario at its default values.

    Parameters
    ----------
    path
        A ``.nfg``, ``.efg`` or ``.toml`` file.
    expect
        Scenarios only: also solve and check every ``[[expect]]`` entry.

    Examples
    --------
    >>> print(validate_file("sim/examples/summit.nfg").text())
    sim/examples/summit.nfg: OK (<NormalFormGame 'Summit attendance': 2 players, 2 x 2>)
    >>> check = validate_file("docs/tutorial/fishing_dispute.toml", expect=True)
    >>> check.ok, check.text().splitlines()[0]
    (True, 'docs/tutorial/fishing_dispute.toml: OK (2 players, 3 moves, 6 outcomes, 8 parameters, 2 expectations)')
    """  # noqa: E501
    if not is_scenario_path(path):
        if expect:
            raise UsageError(
                "{expect} applies to scenario (.toml) files only",
                function="validate_file",
                parameters=["expect"],
            )
        return Validation(str(path), repr(load_game_at(path)))
    scenario = load_scenario(path)
    game = compile_scenario(scenario).game()
    summary = (
        f"{_count(len(scenario.players), 'player')}, {_count(len(scenario.moves), 'move')}, "
        f"{_count(game.tree.n_terminals, 'outcome')}, "
        f"{_count(len(scenario.parameters), 'parameter')}, "
        f"{_count(len(scenario.expectations), 'expectation')}"
    )
    results = tuple(check_expectations(scenario)) if expect else ()
    return Validation(str(path), summary, results)


def scenario_listing(folder: str | Path) -> str:
    """The scenario files of a folder, one a line: name, date and title.

    A file that does not load says why instead of its title.

    Examples
    --------
    >>> print(scenario_listing("docs/tutorial").splitlines()[0])
    fishing_dispute.toml            2024-03-01  The mackerel quota dispute
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder", function="scenario_listing")
    rows = []
    for path in sorted(folder.glob("*.toml")):
        try:
            scenario = load_scenario(path)
            rows.append((path.name, scenario.date or "", scenario.title))
        except InputError as error:
            rows.append((path.name, "", f"(does not load: {error})"))
    if not rows:
        return f"no scenario files in {folder}"
    width = max(len(name) for name, _, _ in rows)
    return "\n".join(f"{name:<{width}}  {date:<10}  {title}" for name, date, title in rows)
