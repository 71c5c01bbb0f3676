"""Where the equilibrium shifts along a parameter, located by bisection and said in words.

The outcome at a point is the set of its equilibria's outcomes, each the
players' play (:mod:`sim.analysis.play`): the actions each player uses at each
decision play can reach, whichever way chance falls. So a threshold is where
some player's equilibrium choice changes, or where an equilibrium appears or
disappears; where only chance's probabilities move (a court's chance of
completing a sale), nothing is reported: that is a continuous change, drawn as
a curve by ``sim plot``. :func:`find_shifts` evaluates a grid along the
parameter (all points in one batch where the concept allows), then bisects
every grid interval whose two ends differ, all intervals together, until each
bracket is narrower than the tolerance (by default ``1e-6`` of the range).
Each threshold is then described in words: "Seoul switches from proceed to
fund and Tokyo from skip to attend", or "a second equilibrium appears: ...".

A change that reverts within one grid interval is invisible to the grid; use
a finer ``grid`` if the outcome may change twice within ``range / grid``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis.sweep import Batch, Found, evaluator_for, parse_outcome
from sim.errors import UsageError
from sim.report.scenario import default_concept, force_moves
from sim.report.solve import solve_scenario
from sim.scenario.compiler import ScenarioStructure, build_structure
from sim.scenario.loader import as_scenario
from sim.scenario.model import Scenario
from sim.text import path_text

__all__ = ["Band", "Shift", "ShiftsResult", "describe_change", "describe_set_change", "find_shifts"]

#: A point's outcome: the set of its equilibria's supports (what is compared), and
#: each equilibrium's play as ``{move: choice}``, in the order they are listed.
Outcome = tuple[frozenset[Any], tuple[dict[str, str], ...]]


@dataclass
class _Bracket:
    """An interval whose ends have different outcomes, narrowed by bisection.

    ``stop`` and ``last`` are where the grid interval it came from ends and the
    outcome there: when bisection settles on a change to some third outcome,
    what lies between ``high`` and ``stop`` is searched next.
    """

    low: float
    high: float
    left: Outcome
    right: Outcome
    stop: float
    last: Outcome


@dataclass(frozen=True)
class Shift:
    """One threshold between ``low`` and ``high`` (at most ``tol`` apart).

    Some player's choice changes there, or an equilibrium appears or
    disappears; ``before`` and ``after`` are the first equilibrium's play on
    either side (equal when only another equilibrium changes).
    """

    value: float
    low: float
    high: float
    before: dict[str, str]
    after: dict[str, str]
    description: str


@dataclass(frozen=True)
class Band:
    """A stretch of the parameter with one outcome: its equilibria's play (first: ``outcome``)."""

    low: float
    high: float
    outcome: dict[str, str]
    equilibria: tuple[dict[str, str], ...] = ()
    #: At the band's middle, which listed equilibria are the ends of one connected set,
    #: with the probabilities that vary in it (as ``sim solve`` says them).
    sets: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShiftsResult:
    """The thresholds along one parameter, and the bands between them.

    ``scenario`` is the scenario as solved (forced moves applied); ``structure``
    its tree and ``settings`` the fixed parameter values, for further points.
    """

    scenario: Scenario
    parameter: str
    start: float
    stop: float
    tol: float
    grid: int
    concept: str
    shifts: tuple[Shift, ...]
    bands: tuple[Band, ...]
    structure: ScenarioStructure
    settings: Mapping[str, Any]

    def payoff_curves(self, points: int = 401) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Each player's payoff in the first equilibrium, on ``points`` values of the parameter.

        Examples
        --------
        >>> from sim.scenario import load_scenario
        >>> result = find_shifts(load_scenario("scenarios/baseline_nov2020.toml"),
        ...                      "us_alliance_priority", 0, 2, grid=9)
        >>> xs, payoffs = result.payoff_curves(5)
        >>> xs.tolist(), payoffs["Seoul"].round(3).tolist()
        ([0.0, 0.5, 1.0, 1.5, 2.0], [0.3, 0.3, 0.175, 1.575, 2.975])
        """
        xs, payoffs, _ = self.curves(points)
        return xs, payoffs

    def curves(
        self, points: int = 401
    ) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, list[str]]]:
        """The first equilibrium's payoffs and move columns on ``points`` values of the parameter.

        The move columns are as a sweep writes them (``sim.plot.shift.moving_probabilities``
        turns their probabilities into curves).
        """
        xs = np.linspace(self.start, self.stop, points)
        batch = Batch(
            self.scenario, self.structure, self.concept, self.settings, {self.parameter: xs}
        )
        found = evaluator_for(self.scenario, self.structure, self.concept)(batch)
        index = np.asarray(found["index"])
        payoffs = np.full((points, len(self.scenario.players)), np.nan)
        first = np.unique(index, return_index=True)[1]  # the first equilibrium at each point
        payoffs[index[first]] = np.asarray(found["payoffs"])[first]
        moves = {name: [""] * points for name in found["moves"]}
        for name, texts in found["moves"].items():
            for k, row in zip(index[first].tolist(), first.tolist(), strict=True):
                moves[name][k] = texts[row]
        by_player = {p.name: payoffs[:, i] for i, p in enumerate(self.scenario.players)}
        return xs, by_player, moves

    def text(self) -> str:
        """The thresholds and bands in words (what ``sim shifts`` prints).

        Values are given to the digits the tolerance justifies.

        Examples
        --------
        >>> result = find_shifts("scenarios/baseline_nov2020.toml", "us_alliance_priority",
        ...                      0, 2, tol=1e-3)
        >>> print(result.text())
        The summit standoff, November 2020: spe along us_alliance_priority from 0 to 2 (thresholds to within 0.001)
        At us_alliance_priority = 0.610: Washington switches from stay_out to press_publicly, Seoul from proceed to fund and Tokyo from skip to attend and from keep to ease if liquidation=stalls.
        <BLANKLINE>
          0.000 .. 0.610: mediation=stay_out; stance=proceed; summit=skip; controls=keep; gsomia=keep
          0.610 .. 2.000: mediation=press_publicly; stance=fund; summit=attend; controls=keep if liquidation=completes / ease if liquidation=stalls; gsomia=keep
        """  # noqa: E501
        digits = max(1, -math.floor(math.log10(self.tol)) if self.tol < 1 else 1)
        lines = [
            f"{self.scenario.title}: {self.concept} along {self.parameter} from {self.start:g} "
            f"to {self.stop:g} (thresholds to within {self.tol:.2g})"
        ]
        if not self.shifts:
            lines.append("The outcome does not change.")
        for shift in self.shifts:
            lines.append(f"At {self.parameter} = {shift.value:.{digits}f}: {shift.description}.")
        lines.append("")
        for band in self.bands:
            where = f"  {band.low:.{digits}f} .. {band.high:.{digits}f}: "
            if len(band.equilibria) > 1:
                lines.append(where + f"{len(band.equilibria)} equilibria:")
                lines += [f"      {path_text(play)}" for play in band.equilibria]
            else:
                lines.append(where + path_text(band.outcome))
            middle = (band.low + band.high) / 2
            at = f"      At {self.parameter} = {middle:.{digits}f}, as sim solve lists them: "
            lines += [at + sentence for sentence in band.sets]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record (what ``sim shifts --format json`` prints)."""
        return {
            "scenario": self.scenario.path,
            "parameter": self.parameter,
            "start": self.start,
            "stop": self.stop,
            "tol": self.tol,
            "grid": self.grid,
            "concept": self.concept,
            "shifts": [
                {
                    "value": s.value,
                    "low": s.low,
                    "high": s.high,
                    "before": path_text(s.before),
                    "after": path_text(s.after),
                    "description": s.description,
                }
                for s in self.shifts
            ],
            "bands": [
                {
                    "low": b.low,
                    "high": b.high,
                    "outcome": path_text(b.outcome),
                    "equilibria": [path_text(play) for play in b.equilibria or (b.outcome,)],
                    "sets": list(b.sets),
                }
                for b in self.bands
            ],
        }


def describe_change(scenario: Scenario, before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """Who switches from what to what between two play paths, in one sentence.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> describe_change(scenario, {"stance": "proceed", "summit": "skip", "controls": "keep"},
    ...                 {"stance": "fund", "summit": "attend", "controls": "ease"})
    'Seoul switches from proceed to fund and Tokyo from skip to attend and from keep to ease'
    """
    names = {p.id: p.name for p in scenario.players}
    changes: dict[str, list[str]] = {}
    for move in scenario.moves:
        if move.is_chance:
            continue
        old, new = before.get(move.name), after.get(move.name)
        if old != new:
            changes.setdefault(move.player, []).append(_step(old, new))
    if not changes:
        return "no player's choice changes"
    parts = [
        f"{names[pid]} {'switches ' if k == 0 else ''}{' and '.join(steps)}"
        for k, (pid, steps) in enumerate(changes.items())
    ]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _step(old: str | None, new: str | None) -> str:
    """``from keep to ease``; where chance decides, only the branches that change.

    >>> _step("keep", "keep if liquidation=completes / ease if liquidation=stalls")
    'from keep to ease if liquidation=stalls'
    """
    if old and new and " / " in new and " / " not in old:
        changed = [part for part in new.split(" / ") if part.split(" if ")[0] != old]
        return f"from {old} to {' / '.join(changed)}"
    if old and new and " / " in old and " / " not in new:
        changed = [part for part in old.split(" / ") if part.split(" if ")[0] != new]
        return f"from {' / '.join(changed)} to {new}"
    return f"from {old or '(no move)'} to {new or '(no move)'}"


def describe_set_change(
    scenario: Scenario,
    before: tuple[dict[str, str], ...],
    after: tuple[dict[str, str], ...],
) -> str:
    """What changes between two points' equilibria, in one sentence.

    With one equilibrium on each side, who switches (:func:`describe_change`);
    otherwise which equilibria appear and which disappear.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> describe_set_change(scenario, ({"summit": "skip"},),
    ...                     ({"summit": "skip"}, {"summit": "attend"}))
    'a second equilibrium appears: summit=attend'
    """
    if len(before) == 1 and len(after) == 1:
        return describe_change(scenario, before[0], after[0])
    gone = [play for play in before if play not in after]
    new = [play for play in after if play not in before]
    ordinal = {2: "second", 3: "third", 4: "fourth"}
    parts = []
    if gone:
        parts.append(
            ("the equilibrium " if len(gone) == 1 else "the equilibria ")
            + " and ".join(path_text(play) for play in gone)
            + (" disappears" if len(gone) == 1 else " disappear")
        )
    if new:
        count = len(after)
        which = ordinal.get(count, f"{count}th") if len(new) == 1 and gone == [] else "new"
        parts.append(
            (f"a {which} equilibrium appears: " if len(new) == 1 else "new equilibria appear: ")
            + " and ".join(path_text(play) for play in new)
        )
    return "; ".join(parts) or "the equilibria's supports change"


def find_shifts(
    scenario: Scenario | str | Path,
    parameter: str,
    start: float,
    stop: float,
    *,
    concept: str | None = None,
    settings: Mapping[str, Any] | None = None,
    force: Mapping[str, str] | None = None,
    grid: int = 129,
    tol: float | None = None,
) -> ShiftsResult:
    """Every change of the equilibrium outcome along ``parameter`` in ``[start, stop]``.

    Parameters
    ----------
    scenario
        A scenario, or the path of its ``.toml`` file.
    grid
        Points of the initial grid (at least 2).
    tol
        Width of the final brackets (default ``1e-6 * (stop - start)``).

    Examples
    --------
    >>> result = find_shifts("scenarios/baseline_nov2020.toml", "us_alliance_priority", 0, 2)
    >>> [(round(s.value, 4), s.description) for s in result.shifts]
    [(0.6094, 'Washington switches from stay_out to press_publicly, Seoul from proceed to fund and Tokyo from skip to attend and from keep to ease if liquidation=stalls')]
    """  # noqa: E501
    scenario = as_scenario(scenario, function="find_shifts")
    if force:
        scenario = force_moves(scenario, force)
    structure = build_structure(scenario)
    concept = concept or default_concept(scenario, structure)
    if grid < 2:
        raise UsageError(
            f"{{grid}} must be at least 2; got {grid}", function="find_shifts", parameters=["grid"]
        )
    width = abs(stop - start)
    tol = 1e-6 * width if tol is None else tol
    if not tol > 0:
        raise UsageError(
            f"{{tol}} must be positive; got {tol}", function="find_shifts", parameters=["tol"]
        )
    settings = dict(settings or {})
    method = evaluator_for(scenario, structure, concept)

    def outcomes(values: np.ndarray) -> list[Outcome]:
        batch = Batch(scenario, structure, concept, settings, {parameter: values}, support=True)
        found: Found = method(batch)
        keys: list[set[Any]] = [set() for _ in values]
        plays: list[list[dict[str, str]]] = [[] for _ in values]
        for row, k in enumerate(np.asarray(found["index"]).tolist()):
            keys[k].add(found["support"][row])
            play = parse_outcome(found["outcome"][row])
            if play not in plays[k]:
                plays[k].append(play)
        return [(frozenset(key), tuple(p)) for key, p in zip(keys, plays, strict=True)]

    xs = np.linspace(start, stop, grid)
    at = outcomes(xs)
    brackets = [
        _Bracket(float(xs[k]), float(xs[k + 1]), at[k], at[k + 1], float(xs[k + 1]), at[k + 1])
        for k in range(grid - 1)
        if at[k][0] != at[k + 1][0]
    ]
    open_brackets = list(brackets)
    while open_brackets:
        wide = [b for b in open_brackets if abs(b.high - b.low) > tol]
        if wide:
            middle = np.array([(b.low + b.high) / 2 for b in wide])
            for b, mid, found in zip(wide, middle.tolist(), outcomes(middle), strict=True):
                if found[0] == b.left[0]:
                    b.low, b.left = mid, found
                else:
                    b.high, b.right = mid, found
            continue
        # Settled. A bracket that ended on a third outcome leaves a change between it
        # and its grid point still to find.
        open_brackets = [
            _Bracket(b.high, b.stop, b.right, b.last, b.stop, b.last)
            for b in open_brackets
            if b.right[0] != b.last[0]
        ]
        brackets += open_brackets
    brackets.sort(key=lambda b: b.low)
    shifts = tuple(
        Shift(
            (b.low + b.high) / 2,
            b.low,
            b.high,
            _first(b.left),
            _first(b.right),
            describe_set_change(scenario, b.left[1], b.right[1]),
        )
        for b in brackets
    )
    edges = [start, *(s.value for s in shifts), stop]
    sides = [at[0], *(b.right for b in brackets)]
    bands = tuple(
        Band(
            edges[k],
            edges[k + 1],
            _first(sides[k]),
            sides[k][1],
            _sets_at(scenario, structure, concept, settings, parameter, edges[k], edges[k + 1]),
        )
        for k in range(len(edges) - 1)
    )
    return ShiftsResult(
        scenario,
        parameter,
        float(start),
        float(stop),
        tol,
        grid,
        concept,
        shifts,
        bands,
        structure,
        settings,
    )


def _sets_at(
    scenario: Scenario,
    structure: ScenarioStructure,
    concept: str,
    settings: Mapping[str, Any],
    parameter: str,
    low: float,
    high: float,
) -> tuple[str, ...]:
    """The connected sets of equilibria at a band's middle, in words (none for ``[rounds]``)."""
    from sim.report.narrate import observer
    from sim.report.sets import set_sentences
    from sim.solvers.sets import JOINED_CONCEPTS

    if scenario.rounds is not None or concept not in JOINED_CONCEPTS:
        return ()
    middle = (low + high) / 2
    solution = solve_scenario(
        scenario, concept=concept, settings={**settings, parameter: middle}, structure=structure
    )
    return tuple(set_sentences(solution.solution, observer(solution)))


def _first(outcome: Outcome) -> dict[str, str]:
    """The play of a point's first equilibrium (empty where it has none)."""
    return outcome[1][0] if outcome[1] else {}
