"""One play of a scenario, step by step: the stages of sealed orders, chance, bots, payoffs.

An :class:`Exercise` is a scenario compiled at some parameter values, seen
from the classroom. A world's play is its path so far, ``{move: action}``.
From a path, :meth:`Exercise.next_step` says what happens next:

- a :class:`Stage`: one decision, or several made at the same time (moves of
  one simultaneous ``group``), each by its role, as sealed orders revealed
  together;
- a chance move, drawn by :meth:`Exercise.draw` with the probabilities the
  scenario gives at that point of play;
- or nothing: the play is over and :meth:`Exercise.result` gives each role's
  payoff, split by named term.

Moves whose ``when`` does not hold on the path are skipped, exactly as in the
game tree the solvers use (the path is looked up in that tree), so what the
class plays is the game the answer key solved. A role nobody plays is taken
by a bot that follows an equilibrium's behaviour strategy (subgame perfect,
or the logit QRE at some precision).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.errors import UsageError
from sim.scenario.compiler import CompiledScenario, build_structure, compile_scenario
from sim.scenario.model import Move, Scenario, condition_holds

__all__ = ["BOT_POLICIES", "Exercise", "Result", "Stage"]

FloatArray = npt.NDArray[np.float64]
#: How bots choose: as in the first equilibrium ``sim solve`` lists, or by logit QRE.
BOT_POLICIES = ("equilibrium", "qre")


@dataclass(frozen=True)
class Stage:
    """Decisions made together: each move's role submits a sealed order."""

    moves: tuple[Move, ...]

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles that decide in this stage, in move order."""
        return tuple(m.player for m in self.moves)


@dataclass(frozen=True)
class Result:
    """How a play ended: the outcome, each role's payoff and its terms."""

    path: Mapping[str, str]
    terminal: int
    payoffs: Mapping[str, float]
    terms: Mapping[str, Mapping[str, float]]


class Exercise:
    """A scenario at given parameter values, ready to be played move by move.

    Parameters
    ----------
    scenario
        A one-shot scenario (no ``[rounds]``).
    settings
        Parameter values, as for ``sim solve --set``.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> exercise = Exercise(load_scenario("scenarios/baseline_nov2020.toml"))
    >>> exercise.next_step({}).roles
    ('washington',)
    >>> path = {"mediation": "stay_out", "stance": "proceed", "summit": "skip"}
    >>> exercise.next_step(path).name
    'liquidation'
    """

    def __init__(self, scenario: Scenario, settings: Mapping[str, Any] | None = None) -> None:
        if scenario.rounds is not None:
            raise UsageError(
                f"{scenario.path}: classroom play covers one-shot scenarios; this one repeats "
                "its stage in [rounds]"
            )
        self.scenario = scenario
        self.settings = dict(settings or {})
        self.structure = build_structure(scenario)
        self.compiled: CompiledScenario = compile_scenario(
            scenario, self.settings, structure=self.structure
        )
        self.game = self.compiled.game()
        self._moves = {m.name: m for m in scenario.moves}
        self._terminal = {
            tuple(sorted(path.items())): t for t, path in enumerate(self.structure.paths)
        }

    # ------------------------------------------------------------------ play order
    def next_step(self, path: Mapping[str, str]) -> Stage | Move | None:
        """What happens after ``path``: a stage of decisions, a chance move, or the end."""
        moves = self.scenario.moves
        for k, move in enumerate(moves):
            if move.name in path or not condition_holds(move.when, path):
                continue
            if move.is_chance:
                return move
            together = [move]
            if move.group:
                for later in moves[k + 1 :]:
                    if later.group != move.group:
                        break
                    if later.name not in path and condition_holds(later.when, path):
                        together.append(later)
            return Stage(tuple(together))
        return None

    def node(self, path: Mapping[str, str], move: str) -> int:
        """The tree node where ``move`` is decided after ``path``.

        Undecided moves of the open stage are passed with their first action:
        the moves of a stage do not observe one another, so that leaves every
        information set of the stage the same.
        """
        tree = self.game.tree
        step = self.next_step(path)
        open_moves = {m.name for m in step.moves} if isinstance(step, Stage) else set()
        v = 0
        while tree.node_infoset[v] >= 0:
            name = tree.infoset_labels[int(tree.node_infoset[v])]
            if name == move:
                return v
            if name in path:
                action = self._moves[name].playable.index(path[name])
            elif name in open_moves:
                action = 0
            else:
                break
            v = tree.children(v)[action]
        raise UsageError(f"{move} is not to be decided after {dict(path)}")

    def draw(self, move: Move, path: Mapping[str, str], rng: np.random.Generator) -> str:
        """Chance's action at ``move`` after ``path``, drawn with the scenario's probabilities."""
        probabilities = self.chance_probabilities(move, path)
        return move.playable[int(rng.choice(len(probabilities), p=probabilities))]

    def chance_probabilities(self, move: Move, path: Mapping[str, str]) -> FloatArray:
        """The probabilities of a chance move's actions after ``path``."""
        p = np.clip(self.game.chance_at(self.node(path, move.name)), 0.0, None)
        normalised: FloatArray = p / p.sum()
        return normalised

    # ------------------------------------------------------------------ bots
    @cached_property
    def equilibrium_behaviour(self) -> tuple[FloatArray, ...]:
        """The behaviour strategies of the first equilibrium ``sim solve`` lists."""
        from sim.games.behaviour import behaviour_from_reduced
        from sim.report.solve import solve_scenario

        solution = solve_scenario(self.scenario, settings=self.settings, structure=self.structure)
        if not len(solution):
            raise UsageError(f"{self.scenario.path}: no equilibrium for the bots to follow")
        eq = solution[0]
        if eq.behaviour is not None:
            return tuple(np.asarray(b, dtype=np.float64) for b in eq.behaviour)
        if eq.strategies is None:
            raise UsageError(f"{self.scenario.path}: the equilibrium has no strategies to follow")
        return behaviour_from_reduced(self.game, eq.strategies)

    def behaviour(self, policy: str, lam: float = 1.0) -> tuple[FloatArray, ...]:
        """The bots' behaviour profile for a policy of :data:`BOT_POLICIES`."""
        if policy == "equilibrium":
            return self.equilibrium_behaviour
        if policy == "qre":
            from sim.solvers.agent_logit import qre_behaviour

            return qre_behaviour(self.game, lam)
        raise UsageError(f"bot policy: expected one of {', '.join(BOT_POLICIES)}; got {policy!r}")

    def bot_choice(
        self,
        move: Move,
        path: Mapping[str, str],
        behaviour: Sequence[FloatArray],
        rng: np.random.Generator,
    ) -> str:
        """A bot's action at ``move`` after ``path``, drawn from its behaviour strategy."""
        h = int(self.game.tree.node_infoset[self.node(path, move.name)])
        p = np.clip(np.asarray(behaviour[h], dtype=np.float64), 0.0, None)
        return move.playable[int(rng.choice(len(p), p=p / p.sum()))]

    # ------------------------------------------------------------------ the end
    def result(self, path: Mapping[str, str]) -> Result:
        """Each role's payoff, and its terms, at a finished play's path."""
        key = tuple(sorted(path.items()))
        if key not in self._terminal:
            raise UsageError(f"the play {dict(path)} is not a finished play of the scenario")
        t = self._terminal[key]
        reached = np.zeros(self.game.tree.n_terminals)
        reached[t] = 1.0
        ids = self.scenario.player_ids
        payoffs = {pid: float(self.compiled.payoffs[t][i]) for i, pid in enumerate(ids)}
        return Result(dict(path), t, payoffs, self.compiled.term_breakdown(reached))
