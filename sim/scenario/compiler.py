"""Compile a scenario and parameter values into an extensive-form game.

Compiling is the only place where a scenario's data becomes numbers, and it
happens in two steps so that a sweep pays for the tree once:

1. :func:`build_structure` turns the moves into a :class:`~sim.games.extensive_form.GameTree`
   (play in the file's order; a move whose ``when`` fails is skipped; a player's
   information set is the move plus the actions of the moves it observes), and
   records which payoff-term cases apply at which outcome as a 0/1 incidence
   array.
2. :func:`compile_scenario` resolves the parameter values (defaults, derived
   parameters, overrides; scalars or arrays of points), evaluates each
   expression once on the whole batch, and forms every payoff at once as a
   matrix product ``case values @ incidence``.

Examples
--------
>>> from sim.scenario import load_scenario
>>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
>>> compiled = compile_scenario(scenario)
>>> compiled.game()
<ExtensiveFormGame 'The summit standoff, November 2020': 3 players, 391 nodes, 216 terminals>
>>> compile_scenario(scenario, {"us_alliance_priority": [0.3, 1.0]}).payoffs.shape
(2, 216, 3)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.errors import FormatError, GameError, UsageError, did_you_mean
from sim.games.extensive_form import CHANCE, ExtensiveFormGame, GameTree
from sim.scenario.expressions import Expression
from sim.scenario.model import (
    ROUND,
    ChanceCase,
    Condition,
    Move,
    Parameter,
    Scenario,
    condition_holds,
)
from sim.scenario.schema import LIMITS
from sim.text import path_text

__all__ = [
    "CompiledScenario",
    "ScenarioStructure",
    "build_structure",
    "compile_scenario",
    "parameter_values",
]

FloatArray = npt.NDArray[np.float64]
PROBABILITY_TOL = 1e-9
#: The most entries (payoff-term cases x outcomes x players) the incidence array
#: may have: 160 MB, so that a hostile file cannot exhaust memory or time.
MAX_INCIDENCE = 20_000_000


@dataclass(frozen=True, eq=False)
class ScenarioStructure:
    """A scenario's game tree and where its payoff terms apply, without numbers.

    Attributes
    ----------
    tree
        The game tree.
    paths
        The play path of each outcome (terminal), in ``tree.terminals`` order.
    chance_cases
        For each chance node (node order), the case that gives its probabilities.
    cases
        Every payoff-term case as ``(term index, case index)``, in incidence order.
    incidence
        Shape ``(n_cases, n_terminals, n_players)``: 1 where the case counts.
    """

    tree: GameTree
    paths: tuple[Mapping[str, str], ...]
    chance_cases: tuple[ChanceCase, ...]
    cases: tuple[tuple[int, int], ...]
    incidence: FloatArray

    @cached_property
    def sparse_incidence(self) -> Any:
        """The incidence as a sparse matrix of shape ``(n_terminals * n_players, n_cases)``.

        Payoffs are ``sparse_incidence @ case values``: each payoff is the sum of
        its few cases, in a fixed order, whatever else is in the batch. (A dense
        BLAS product may split the same sum differently with the number of
        threads or rows, changing the last bit.)
        """
        from scipy.sparse import csr_array

        outcomes = self.tree.n_terminals * self.tree.n_players
        return csr_array(self.incidence.reshape(len(self.cases), outcomes).T)


@dataclass(frozen=True, eq=False)
class CompiledScenario:
    """A scenario with numbers: one point, or a batch of points on one tree.

    Attributes
    ----------
    scenario, structure
        What was compiled.
    values
        Every parameter's value (derived ones included): floats, or arrays of
        shape ``(B,)`` for a batch.
    batch
        ``None`` for one point, else the number of points ``B``.
    chance
        The chance probabilities, flat as in :class:`ExtensiveFormGame`; with a
        leading ``B`` axis for a batch.
    case_values
        Shape ``(n_cases,)`` or ``(B, n_cases)``: each payoff-term case's value.
    """

    scenario: Scenario
    structure: ScenarioStructure
    values: Mapping[str, Any]
    batch: int | None
    chance: FloatArray
    case_values: FloatArray

    @cached_property
    def payoffs(self) -> FloatArray:
        """Shape ``(n_terminals, n_players)``, or ``(B, n_terminals, n_players)``.

        Computed on first use: a sweep takes the payoffs of a few points at a
        time with :meth:`payoffs_of` instead.
        """
        return self.payoffs_of(slice(None))

    def payoffs_of(self, points: slice) -> FloatArray:
        """The payoffs of a slice of a batch's points (of the one point, if not a batch).

        For a batch the result is a view with the points last in memory, the
        layout that backward induction works in, so it needs no transpose.
        """
        tree = self.structure.tree
        shape = (tree.n_terminals, tree.n_players)
        if self.batch is None:
            return np.asarray(self.structure.sparse_incidence @ self.case_values).reshape(shape)
        values = self.case_values[points]
        flat = np.asarray(self.structure.sparse_incidence @ values.T)  # (T * N, points)
        return flat.T.reshape(len(values), *shape)

    def game(self, point: int | None = None) -> ExtensiveFormGame:
        """The extensive-form game at one point (``point`` must be given for a batch)."""
        if self.batch is None:
            payoffs, chance = self.payoffs, self.chance
        else:
            if point is None:
                raise UsageError("a batch holds many games: give the point's index")
            payoffs, chance = self.payoffs[point], self.chance[point]
        try:
            return ExtensiveFormGame(self.structure.tree, payoffs, chance, self.scenario.title)
        except GameError as error:
            raise GameError(f"{self.scenario.path}: {error}") from None

    def term_breakdown(
        self, terminal_probabilities: npt.ArrayLike, point: int | None = None
    ) -> dict[str, dict[str, float]]:
        """Each player's expected payoff split by named term, for an outcome distribution.

        Parameters
        ----------
        terminal_probabilities
            The probability of each outcome, in ``tree.terminals`` order.
        point
            The point of a batch.

        Returns
        -------
        dict
            ``{player id: {term name: expected value}}``, terms in file order.
        """
        p = np.asarray(terminal_probabilities, dtype=np.float64)
        values = self.case_values if self.batch is None else self.case_values[point]
        players = self.scenario.player_ids
        result: dict[str, dict[str, float]] = {pid: {} for pid in players}
        for k, (t, _) in enumerate(self.structure.cases):
            term = self.scenario.terms[t]
            i = players.index(term.player)
            amount = float(values[k] * (p @ self.structure.incidence[k, :, i]))
            result[term.player][term.name] = result[term.player].get(term.name, 0.0) + amount
        return result


# ------------------------------------------------------------------------- values
def _as_values(name: str, raw: Any, parameter: Parameter) -> FloatArray | float:
    if parameter.choices is not None and isinstance(raw, str):
        if raw not in parameter.choices:
            raise UsageError(
                f"{name}: expected one of the choices {', '.join(parameter.choices)}; "
                f"got {raw!r}{did_you_mean(raw, list(parameter.choices))}"
            )
        return parameter.choices[raw]
    try:
        array = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise UsageError(f"{name}: expected a number or an array of numbers; got {raw!r}") from None
    if array.ndim > 1:
        raise UsageError(f"{name}: expected a number or a 1-D array; got shape {array.shape}")
    if not np.isfinite(array).all():
        raise UsageError(f"{name}: values must be finite numbers")
    if parameter.choices is not None and not np.isin(array, list(parameter.choices.values())).all():
        raise UsageError(
            f"{name}: expected one of the choices {', '.join(parameter.choices)} "
            f"({', '.join(f'{v:g}' for v in parameter.choices.values())})"
        )
    return float(array) if array.ndim == 0 else array


def _check_range(
    parameter: Parameter, value: FloatArray | float, how: str, where: str = ""
) -> None:
    if parameter.range is None:
        return
    low, high = parameter.range
    array = np.atleast_1d(value)
    bad = np.flatnonzero((array < low) | (array > high))
    if bad.size:
        at = "" if np.ndim(value) == 0 else f" at point {int(bad[0])}"
        raise UsageError(
            f"{where}{parameter.name}: {how} {float(array[bad[0]]):g}{at} is outside its range "
            f"[{low:g}, {high:g}]"
        )


def parameter_values(
    scenario: Scenario, overrides: Mapping[str, Any] | None = None, *, round: int = 1
) -> tuple[dict[str, Any], int | None]:
    """Every parameter's value: overrides, then defaults, derived ones computed in order.

    Parameters
    ----------
    scenario
        The scenario.
    overrides
        ``{name: value}``: a number, a choice label, or a 1-D array of points.
    round
        The round being played (``[rounds]``), the value of ``round`` in expressions.

    Returns
    -------
    values, batch
        The values (floats, or arrays of one common length ``batch``), with
        ``round`` among them, and that length (``None`` when every value is a
        scalar).

    Raises
    ------
    UsageError
        For an unknown name (with the nearest one), a value outside the
        parameter's range, or arrays of different lengths.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> values, batch = parameter_values(scenario, {"seoul_approval": 39})
    >>> values["seoul_audience_cost"], batch
    (10.0, None)
    """
    given = dict(overrides or {})
    params = scenario.parameters
    for name in given:
        if name not in params:
            raise UsageError(
                f"no parameter called {name!r} in {scenario.path}{did_you_mean(name, list(params))}"
            )
    values: dict[str, Any] = {}
    lengths = set()
    for name, parameter in params.items():
        if name in given:
            value = _as_values(name, given[name], parameter)
            _check_range(parameter, value, "the value")
            if isinstance(value, np.ndarray):
                lengths.add(len(value))
            values[name] = value
    if len(lengths) > 1:
        raise UsageError(f"parameter arrays must have one length; got {sorted(lengths)}")
    batch = lengths.pop() if lengths else None

    def resolve(name: str) -> Any:
        if name in values:
            return values[name]
        parameter = params[name]
        if isinstance(parameter.value, Expression):
            inputs = {other: resolve(other) for other in parameter.value.names}
            value = parameter.value.evaluate(inputs)
            _check_range(parameter, value, "the derived value", f"{scenario.path}: parameters.")
        else:
            value = parameter.value
        values[name] = value
        return value

    values[ROUND] = float(round)
    for name in params:
        resolve(name)
    return {**{name: values[name] for name in params}, ROUND: values[ROUND]}, batch


# ------------------------------------------------------------------------- structure
def _fail(scenario: Scenario, message: str) -> FormatError:
    return FormatError(scenario.path, None, message)


def build_structure(scenario: Scenario) -> ScenarioStructure:
    """The game tree of a scenario and the incidence of its payoff terms.

    Raises
    ------
    FormatError
        If the tree would have more than ``LIMITS["outcomes"]`` outcomes, a
        chance move has no case for some path, or a player would forget what
        they knew (imperfect recall).
    """
    players = scenario.player_ids
    moves = scenario.moves
    parent: list[int] = []
    node_infoset: list[int] = []
    infoset_player: list[int] = []
    infoset_labels: list[str] = []
    action_labels: list[tuple[str, ...]] = []
    infoset_keys: dict[tuple[object, ...], int] = {}
    paths: list[dict[str, str]] = []
    chance_cases: list[ChanceCase] = []
    limit = LIMITS["outcomes"]

    def infoset(move: Move, prefix: dict[str, str], node: int) -> int:
        if move.is_chance:
            key: tuple[object, ...] = ("chance", node)
        else:
            key = (move.name, tuple((m, prefix[m]) for m in move.observes if m in prefix))
        h = infoset_keys.get(key)
        if h is None:
            h = len(infoset_player)
            infoset_keys[key] = h
            infoset_player.append(CHANCE if move.is_chance else players.index(move.player))
            infoset_labels.append(move.name)
            action_labels.append(move.playable)
        return h

    def chance_case(move: Move, prefix: dict[str, str]) -> ChanceCase:
        for case in move.cases:
            if condition_holds(case.when, prefix):
                return case
        shown = path_text(prefix) or "the start"
        raise _fail(
            scenario,
            f"moves.{move.name}: no case of the chance move applies after {shown}; add a "
            "default 'probabilities'",
        )

    # Depth-first in preorder with an explicit stack: (prefix, next move, parent).
    stack: list[tuple[dict[str, str], int, int]] = [({}, 0, -1)]
    while stack:
        prefix, k, up = stack.pop()
        while k < len(moves) and not condition_holds(moves[k].when, prefix):
            k += 1
        node = len(parent)
        parent.append(up)
        if k == len(moves):
            node_infoset.append(-1)
            paths.append(prefix)
            if len(paths) > limit:
                raise _fail(
                    scenario,
                    f"the game has more than {limit:,} outcomes; use fewer moves or actions",
                )
            continue
        move = moves[k]
        node_infoset.append(infoset(move, prefix, node))
        if move.is_chance:
            # A forced chance move happens for sure; otherwise its first matching case.
            forced = ChanceCase((), (None,), f"moves.{move.name}.forced")
            chance_cases.append(forced if move.forced else chance_case(move, prefix))
        for action in reversed(move.playable):
            stack.append(({**prefix, move.name: action}, k + 1, node))
    try:
        tree = GameTree(
            [p.name for p in scenario.players],
            parent,
            node_infoset,
            infoset_player,
            action_labels,
            infoset_labels,
        )
    except GameError as error:
        raise _fail(scenario, f"moves: {error}") from None
    violations = tree.perfect_recall_violations()
    if violations:
        raise _fail(
            scenario,
            f"moves: a player forgets what they knew ({violations[0]}); a move's 'observes' "
            "must include what the same player observed or did before",
        )
    cases = [(t, c) for t, term in enumerate(scenario.terms) for c in range(len(term.cases))]
    if len(cases) * len(paths) * len(players) > MAX_INCIDENCE:
        raise _fail(
            scenario,
            f"terms: {len(cases):,} payoff-term cases over {len(paths):,} outcomes and "
            f"{len(players)} players are too many (at most {MAX_INCIDENCE:,} combinations); "
            "use fewer terms, moves or actions",
        )
    incidence = np.zeros((len(cases), len(paths), len(players)))
    for k, (t, c) in enumerate(cases):
        term, case = scenario.terms[t], scenario.terms[t].cases[c]
        i = players.index(term.player)
        for j, path in enumerate(paths):
            if _applies(case.when, case.unless, path):
                incidence[k, j, i] = 1.0
    incidence.flags.writeable = False
    return ScenarioStructure(tree, tuple(paths), tuple(chance_cases), tuple(cases), incidence)


def _applies(when: Condition, unless: Condition, path: Mapping[str, str]) -> bool:
    return condition_holds(when, path) and not (unless and condition_holds(unless, path))


# ------------------------------------------------------------------------- numbers
def _probabilities(
    case: ChanceCase, values: Mapping[str, Any], batch: int | None
) -> list[FloatArray]:
    shape = () if batch is None else (batch,)
    given = [
        None if e is None else np.broadcast_to(np.asarray(e.evaluate(values)), shape)
        for e in case.probabilities
    ]
    known = [g for g in given if g is not None]
    rest = 1.0 - np.sum(known, axis=0) if known else np.ones(shape)
    result = [np.asarray(rest if g is None else g, dtype=np.float64) for g in given]
    stacked = np.stack(result, axis=-1)
    bad = (stacked < -PROBABILITY_TOL).any(axis=-1) | (
        np.abs(stacked.sum(axis=-1) - 1.0) > PROBABILITY_TOL
    )
    if np.any(bad):
        at = int(np.flatnonzero(np.atleast_1d(bad))[0])
        row = np.atleast_2d(stacked)[at]
        point = "" if batch is None else f" at point {at}"
        raise UsageError(
            f"{case.key}: the probabilities must be nonnegative and sum to 1{point}; got "
            f"{', '.join(f'{v:.6g}' for v in row)}"
        )
    return [np.clip(r, 0.0, 1.0) for r in result]


def compile_scenario(
    scenario: Scenario,
    overrides: Mapping[str, Any] | None = None,
    *,
    structure: ScenarioStructure | None = None,
    round: int = 1,
) -> CompiledScenario:
    """Payoffs and chance probabilities of a scenario at one point or a batch of points.

    Parameters
    ----------
    scenario
        A loaded scenario.
    overrides
        ``{parameter: value}``; a 1-D array compiles a batch of points at once.
    structure
        The scenario's :func:`build_structure`, to reuse it across calls.
    round
        The round being played, for scenarios with ``[rounds]``.

    Returns
    -------
    CompiledScenario

    Raises
    ------
    UsageError
        For unknown parameters, values out of range, or probabilities that do
        not form a distribution at some point.
    """
    if structure is None:
        structure = build_structure(scenario)
    values, batch = parameter_values(scenario, overrides, round=round)
    shape = () if batch is None else (batch,)
    n_cases = len(structure.cases)
    case_values = np.zeros((*shape, n_cases))
    for k, (t, c) in enumerate(structure.cases):
        case_values[..., k] = scenario.terms[t].cases[c].value.evaluate(values)
    columns: list[FloatArray] = []
    evaluated: dict[int, list[FloatArray]] = {}
    for case in structure.chance_cases:
        if id(case) not in evaluated:
            evaluated[id(case)] = _probabilities(case, values, batch)
        columns.extend(evaluated[id(case)])
    chance = np.stack(columns, axis=-1) if columns else np.zeros((*shape, 0))
    return CompiledScenario(scenario, structure, values, batch, chance, case_values)
