"""The validated contents of a scenario file, as frozen dataclasses that do nothing.

:func:`sim.scenario.load_scenario` builds these from a TOML file after checking
every key; :func:`sim.scenario.compile_scenario` is the only place where they
are turned into numbers and a game tree. Keeping them inert means that one
parameter point and a million-point sweep go through the same code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from sim.scenario.expressions import Expression

__all__ = [
    "CHANCE_PLAYER",
    "ROUND",
    "ChanceCase",
    "Condition",
    "Distribution",
    "Expectation",
    "Move",
    "Parameter",
    "Player",
    "Rounds",
    "Scenario",
    "Term",
    "TermCase",
]

#: The ``player`` of a move that nature (the chance player) makes.
CHANCE_PLAYER = "chance"
#: The name expressions use for the round being played (1 without ``[rounds]``).
ROUND = "round"

#: ``((move, frozenset of actions), ...)``: every named move was played with one
#: of the listed actions. The empty condition always holds.
Condition = tuple[tuple[str, frozenset[str]], ...]


def condition_holds(condition: Condition, path: Mapping[str, str]) -> bool:
    """Whether a (partial) play path satisfies every part of a condition.

    A move that was not played on the path satisfies no part that names it.

    Examples
    --------
    >>> when = (("stance", frozenset({"fund", "freeze"})),)
    >>> condition_holds(when, {"stance": "fund"}), condition_holds(when, {})
    (True, False)
    """
    return all(path.get(move) in actions for move, actions in condition)


@dataclass(frozen=True)
class Player:
    """A player: an identifier used in the file, and how people read it."""

    id: str
    name: str
    description: str = ""
    briefing: str = ""


@dataclass(frozen=True)
class Distribution:
    """How uncertain a parameter is: a named family and its numbers.

    ``kind`` is ``uniform`` (``low``, ``high``), ``triangular`` (``low``,
    ``mode``, ``high``), ``normal`` (``mean``, ``sd``, clipped to ``low``,
    ``high``) or ``beta`` (``a``, ``b``, scaled to ``low``, ``high``).

    Examples
    --------
    >>> import numpy as np
    >>> d = Distribution("triangular", {"low": 0.0, "mode": 0.5, "high": 1.0})
    >>> sample = d.draw(np.random.default_rng(0), 1000)
    >>> bool(0 <= sample.min() and sample.max() <= 1 and abs(sample.mean() - 0.5) < 0.05)
    True
    """

    kind: str
    numbers: Mapping[str, float]

    def draw(self, rng: np.random.Generator, n: int) -> npt.NDArray[np.float64]:
        """``n`` draws."""
        p = self.numbers
        if self.kind == "uniform":
            return rng.uniform(p["low"], p["high"], n)
        if self.kind == "triangular":
            if p["low"] == p["high"]:
                return np.full(n, p["low"])
            return rng.triangular(p["low"], p["mode"], p["high"], n)
        if self.kind == "normal":
            return np.clip(rng.normal(p["mean"], p["sd"], n), p["low"], p["high"])
        return p["low"] + (p["high"] - p["low"]) * rng.beta(p["a"], p["b"], n)


@dataclass(frozen=True)
class Parameter:
    """A named, overridable number: a weight, a probability, a design choice.

    Attributes
    ----------
    name
        The identifier used in expressions and in ``--set NAME=VALUE``.
    value
        The default: a number, or an expression of other parameters (a derived
        parameter, recomputed when those change unless it is set itself).
    range
        ``(low, high)`` that every value, set or derived, must lie in; or ``None``.
    choices
        For a categorical parameter, ``{label: number}``; ``--set`` accepts a label.
    """

    name: str
    value: float | Expression
    range: tuple[float, float] | None = None
    unit: str = ""
    label: str = ""
    description: str = ""
    source: str = ""
    choices: Mapping[str, float] | None = None
    distribution: Distribution | None = None

    @property
    def derived(self) -> bool:
        """Whether the default is an expression of other parameters."""
        return isinstance(self.value, Expression)


@dataclass(frozen=True)
class ChanceCase:
    """One case of a chance move: when ``when`` holds, these probabilities apply.

    ``probabilities`` has one entry per action: an expression, or ``None`` for
    the one action the file may leave out, which gets one minus the others.
    ``key`` is where the case is written, for error messages.
    """

    when: Condition
    probabilities: tuple[Expression | None, ...]
    key: str


@dataclass(frozen=True)
class Move:
    """One move of the game, in the order of play.

    Attributes
    ----------
    name
        The move's name, used in play paths: ``{"stance": "fund", ...}``.
    player
        A player id, or :data:`CHANCE_PLAYER`.
    actions
        The actions as declared (conditions may name any of them).
    observes
        The earlier moves whose actions the player knows when moving.
    when
        The move happens only on paths where this holds.
    cases
        Chance moves: the first case whose condition holds gives the probabilities.
    forced
        If set, the only action available in play (:attr:`playable`).
    status_quo
        The action kept when the player is indifferent (subgame perfection).
    says
        ``{action: phrase}`` used to narrate a path ("stays out").
    """

    name: str
    player: str
    actions: tuple[str, ...]
    observes: tuple[str, ...]
    when: Condition = ()
    group: str = ""
    cases: tuple[ChanceCase, ...] = ()
    forced: str = ""
    status_quo: str = ""
    says: Mapping[str, str] = field(default_factory=dict)
    description: str = ""

    @property
    def playable(self) -> tuple[str, ...]:
        """The actions available in play: the forced one alone, else all."""
        return (self.forced,) if self.forced else self.actions

    @property
    def is_chance(self) -> bool:
        """Whether nature makes this move."""
        return self.player == CHANCE_PLAYER


@dataclass(frozen=True)
class TermCase:
    """One piece of a payoff term: ``value`` counts where ``when`` holds and ``unless`` does not."""

    when: Condition
    unless: Condition
    value: Expression


@dataclass(frozen=True)
class Term:
    """A named payoff term of one player, with its reason.

    The term's value at an outcome is the sum of the values of its cases that apply.
    """

    player: str
    name: str
    reason: str
    cases: tuple[TermCase, ...]


@dataclass(frozen=True)
class Rounds:
    """``[rounds]``: the moves are played again, round after round.

    Attributes
    ----------
    count
        How many rounds at most.
    discount
        The factor on the next round's payoffs (may use ``round``).
    ends_when
        The game ends after a round whose outcome meets any of these.
    every_round
        Whether the payoff terms count in every round played (flows), rather than
        only in the round that ends the game (a settlement).
    """

    count: int
    discount: Expression
    ends_when: tuple[Condition, ...] = ()
    description: str = ""
    every_round: bool = False

    def ends(self, path: Mapping[str, str]) -> bool:
        """Whether a round that ends with this play path ends the game."""
        return any(condition_holds(c, path) for c in self.ends_when)


@dataclass(frozen=True)
class Expectation:
    """An outcome the scenario's author states and the tests check.

    Attributes
    ----------
    path
        Each named move takes the given action in every outcome of positive
        probability (among those satisfying ``given``), in every equilibrium.
    equilibria
        If set, the number of equilibria found.
    mixed
        If set, whether some equilibrium is mixed.
    """

    description: str
    concept: str
    set: Mapping[str, float]
    force: Mapping[str, str]
    path: Mapping[str, str]
    given: Condition
    equilibria: int | None
    mixed: bool | None
    key: str
    round: int = 1


@dataclass(frozen=True)
class Scenario:
    """A whole scenario file (after ``extends`` is resolved).

    Attributes
    ----------
    path
        The file it was read from.
    files
        Every file that contributed, the file itself first, then what it extends.
    """

    path: str
    title: str
    date: str
    narrative: str
    sources: tuple[str, ...]
    players: tuple[Player, ...]
    parameters: Mapping[str, Parameter]
    moves: tuple[Move, ...]
    terms: tuple[Term, ...]
    expectations: tuple[Expectation, ...]
    files: tuple[str, ...]
    rounds: Rounds | None = None

    @property
    def player_ids(self) -> tuple[str, ...]:
        """The players' ids, in the order of play's payoff vectors."""
        return tuple(p.id for p in self.players)

    def move(self, name: str) -> Move:
        """The move called ``name``."""
        for move in self.moves:
            if move.name == name:
                return move
        raise KeyError(name)

    @property
    def tie_break(self) -> dict[str, str]:
        """``{move: status-quo action}`` for the moves whose status quo can be played.

        Subgame perfection keeps this action wherever it ties with another best one.
        """
        return {m.name: m.status_quo for m in self.moves if m.status_quo in m.playable}
