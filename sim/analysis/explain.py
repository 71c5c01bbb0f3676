"""Why an equilibrium holds: every player's alternatives and what each would cost.

For a normal-form game, each player's payoff from every action is compared
with what the equilibrium gives them, against the others' equilibrium play.
For a game tree and a pure equilibrium, the same is done at every information
set the player's own plan reaches, on and off the equilibrium path, with play
continuing by the equilibrium strategies after the deviation: the "one-shot
deviation" check behind subgame perfection. Where a deviation leads to a later
move that the deviator's own plan never reaches (reduced strategies leave it
open), the deviator continues with their best action there. A set of several nodes is judged
as a whole, each node weighted by its probability under the equilibrium
(uniformly when the equilibrium never reaches the set).

:func:`explain_report` says it all for one equilibrium of a game or scenario,
as ``sim explain`` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sim.errors import TooLargeError, UsageError
from sim.games.behaviour import node_reach
from sim.games.extensive_form import CHANCE, ExtensiveFormGame
from sim.games.normal_form import NormalFormGame
from sim.games.profiles import action_values
from sim.solvers.solution import Equilibrium, Solution
from sim.text import fraction_text, path_text, strategy_text

#: ``explain_report`` lists at most this many decisions off the equilibrium path.
MAX_OFF_PATH = 40

if TYPE_CHECKING:
    from sim.scenario.model import Scenario

__all__ = ["Alternative", "Decision", "explain", "explain_report"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Alternative:
    """One action a player could take instead, and its consequence."""

    action: str
    payoff: float
    gain: float  # payoff minus the equilibrium payoff at this decision


@dataclass(frozen=True)
class Decision:
    """A decision: who decides, what the equilibrium does there, and the alternatives."""

    player: str
    where: str  # the move name, or the player's name in a normal-form game
    on_path: bool
    chosen: str
    payoff: float
    alternatives: tuple[Alternative, ...]
    assumed_beliefs: bool = False  # off-path set of several nodes, weighted equally

    def describe(self) -> str:
        """The decision in one or two sentences a student can check by hand.

        Examples
        --------
        >>> d = Decision("Tokyo", "summit", True, "skip", 1.0, (Alternative("attend", 0.0, -1.0),))
        >>> print(d.describe())
        summit (on the equilibrium path): Tokyo plays skip and gets 1.
          attend would give 0: it would cost 1.
        """
        place = "on the equilibrium path" if self.on_path else "off the equilibrium path"
        if self.assumed_beliefs:
            place += ", its nodes weighted equally"
        lines = [
            f"{self.where} ({place}): {self.player} plays {self.chosen} and gets "
            f"{fraction_text(self.payoff)}."
        ]
        for alt in self.alternatives:
            if abs(alt.gain) <= 1e-9:
                verdict = "no better and no worse (indifferent)"
            elif alt.gain < 0:
                verdict = f"it would cost {fraction_text(-alt.gain)}"
            elif self.on_path:
                verdict = f"it would GAIN {fraction_text(alt.gain)}: not an equilibrium"
            else:
                verdict = (
                    f"it would gain {fraction_text(alt.gain)} if this were reached: allowed "
                    "off the path in a Nash equilibrium, not in a subgame-perfect one if this "
                    "decision starts a subgame"
                )
            lines.append(f"  {alt.action} would give {fraction_text(alt.payoff)}: {verdict}.")
        return "\n".join(lines)


def _normal_form(game: NormalFormGame, eq: Equilibrium) -> tuple[Decision, ...]:
    decisions = []
    profile = eq.normal_profile()
    for i, values in enumerate(action_values(game, profile)):
        strategy = profile[i]
        support = [a for a in range(game.shape[i]) if strategy[a] > 1e-12]
        chosen = " / ".join(
            game.actions[i][a] + ("" if len(support) == 1 else f" {fraction_text(strategy[a])}")
            for a in support
        )
        payoff = float(eq.payoffs[i])
        others = tuple(
            Alternative(game.actions[i][a], float(values[a]), float(values[a]) - payoff)
            for a in range(game.shape[i])
            if a not in support or len(support) > 1
        )
        decisions.append(Decision(game.players[i], game.players[i], True, chosen, payoff, others))
    return tuple(decisions)


def _plan(game: ExtensiveFormGame, eq: Equilibrium) -> dict[int, int]:
    """The action each information set takes under a pure equilibrium.

    From its behaviour strategies when it has them (every set, reached or not);
    else from its pure reduced strategies, which leave open the sets a player's
    own plan excludes.
    """
    if eq.behaviour is not None:
        return {h: int(np.argmax(b)) for h, b in enumerate(eq.behaviour) if len(b)}
    plan: dict[int, int] = {}
    tree = game.tree
    every = game.reduced_strategies()
    for player, strategy in enumerate(eq.normal_profile()):
        reduced = every[player][int(np.argmax(strategy))]
        for h, action in zip(tree.player_infosets(player), reduced, strict=True):
            if action is not None:
                plan[h] = action
    return plan


def _tree(game: ExtensiveFormGame, eq: Equilibrium) -> tuple[Decision, ...]:
    tree = game.tree
    if not eq.pure:
        raise UsageError(
            "{equilibrium}: decision-by-decision explanations need a pure equilibrium",
            function="explain",
            parameters=["equilibrium"],
        )
    plan = _plan(game, eq)
    names = tree.move_names
    n = tree.n_nodes
    value = np.full((n, game.n_players), np.nan)
    terminal_row = {int(v): k for k, v in enumerate(tree.terminals)}
    for v in reversed(range(n)):  # preorder: children come after their parent
        children = tree.children(v)
        h = int(tree.node_infoset[v])
        if not children:
            value[v] = game.payoffs[terminal_row[v]]
        elif int(tree.infoset_player[h]) == CHANCE:
            value[v] = game.chance_at(v) @ value[list(children)]
        elif h in plan:
            value[v] = value[children[plan[h]]]
        else:
            # A move the player's own plan never reaches (reduced strategies leave
            # it open): after a deviation that leads here, the player continues
            # with their best action at this node.
            owner = int(tree.infoset_player[h])
            options = value[list(children), owner]
            if not np.all(np.isnan(options)):
                value[v] = value[children[int(np.nanargmax(options))]]
    # Probability of reaching each node when everyone follows the plan (a set the
    # plan leaves open is never reached: all-zero behaviour there).
    behaviour = [
        np.zeros(0)
        if int(tree.infoset_player[h]) == CHANCE
        else np.eye(len(tree.action_labels[h]))[plan[h]]
        if h in plan
        else np.zeros(len(tree.action_labels[h]))
        for h in range(tree.n_infosets)
    ]
    reach = node_reach(game, behaviour)
    decisions = []
    for h in sorted(plan):
        owner = int(tree.infoset_player[h])
        nodes = [v for v in tree.infoset_members(h) if not np.isnan(value[v, owner])]
        weights = np.array([reach[v] for v in nodes])
        on_path = bool(weights.sum() > 0)
        # Judge the whole information set: its nodes weighted by how likely each
        # is under the plan (uniformly where the plan never reaches the set).
        weights = weights / weights.sum() if on_path else np.full(len(nodes), 1 / len(nodes))
        labels = tree.action_labels[h]
        outcome = [
            float(weights @ [value[tree.children(v)[k], owner] for v in nodes])
            for k in range(len(labels))
        ]
        payoff = outcome[plan[h]]
        alternatives = tuple(
            Alternative(labels[k], outcome[k], outcome[k] - payoff)
            for k in range(len(labels))
            if k != plan[h] and not np.isnan(outcome[k])
        )
        decisions.append(
            Decision(
                game.players[owner],
                names[h],
                on_path,
                labels[plan[h]],
                payoff,
                alternatives,
                not on_path and len(nodes) > 1,
            )
        )
    return tuple(decisions)


def explain(
    game: NormalFormGame | ExtensiveFormGame, equilibrium: Equilibrium
) -> tuple[Decision, ...]:
    """Each player's alternatives at an equilibrium, with what each would cost.

    Parameters
    ----------
    game
        The game that was solved.
    equilibrium
        One of its equilibria. For a game tree, a pure equilibrium is explained
        decision by decision; a mixed one as a choice among whole plans.

    Examples
    --------
    >>> from sim.games import NormalFormGame
    >>> from sim.solvers import solve
    >>> pd = NormalFormGame.from_matrices([[3, 0], [5, 1]], [[3, 5], [0, 1]],
    ...     players=["Seoul", "Tokyo"], actions=[["talk", "defy"], ["talk", "defy"]])
    >>> for decision in explain(pd, solve(pd)[0]):
    ...     print(decision.describe())
    Seoul (on the equilibrium path): Seoul plays defy and gets 1.
      talk would give 0: it would cost 1.
    Tokyo (on the equilibrium path): Tokyo plays defy and gets 1.
      talk would give 0: it would cost 1.
    """
    if isinstance(game, ExtensiveFormGame):
        if equilibrium.pure:
            return _tree(game, equilibrium)
        # Mixed plans: explain them as choices among whole plans.
        return _normal_form(game.reduced_normal_form(), equilibrium)
    return _normal_form(game, equilibrium)


def explain_report(
    game: NormalFormGame | ExtensiveFormGame | Scenario | str | Path,
    concept: str | None = None,
    equilibrium: int = 1,
) -> str:
    """One equilibrium explained decision by decision: what ``sim explain`` prints.

    Parameters
    ----------
    game
        A game, a scenario (compiled at its default values), or the path of either.
    concept
        Which equilibria to explain: by default ``"spe"`` for a game tree, else ``"nash"``.
    equilibrium
        Which of them, counting from 1 as ``sim solve`` lists them.

    Examples
    --------
    >>> print(explain_report("sim/examples/summit.nfg"))
    Equilibrium 1 of 3 (nash): Seoul host; Tokyo attend
    <BLANKLINE>
    Seoul (on the equilibrium path): Seoul plays host and gets 3.
      cancel would give 1: it would cost 2.
    Tokyo (on the equilibrium path): Tokyo plays attend and gets 2.
      skip would give 0: it would cost 2.
    >>> explain_report("sim/examples/summit.nfg", equilibrium=4)
    Traceback (most recent call last):
    ...
    sim.errors.UsageError: explain_report(): equilibrium=4: there are 3 nash equilibria
    """
    from sim.report.inputs import load_game_at
    from sim.report.solve import is_scenario_path
    from sim.scenario.compiler import compile_scenario
    from sim.scenario.model import Scenario
    from sim.solvers import solve

    loaded: NormalFormGame | ExtensiveFormGame
    if isinstance(game, Scenario):
        where, from_scenario, loaded = game.path, True, compile_scenario(game).game()
    elif isinstance(game, str | Path):
        where, from_scenario, loaded = str(game), is_scenario_path(game), load_game_at(game)
    elif isinstance(game, NormalFormGame | ExtensiveFormGame):
        where, from_scenario, loaded = "", False, game
    else:
        raise UsageError(
            "{game}: expected a game, a Scenario, or the path of a .nfg, .efg or .toml file; "
            f"got {type(game).__name__}",
            function="explain_report",
            parameters=["game"],
        )
    is_tree = isinstance(loaded, ExtensiveFormGame)
    concept = concept or ("spe" if is_tree else "nash")
    try:
        solution = solve(loaded, concept)
    except TooLargeError:
        if from_scenario:
            raise TooLargeError(
                f"{where}: too large to explain strategy by strategy; 'sim solve' lists "
                "the closest calls on the equilibrium path",
                function="explain_report",
            ) from None
        raise
    if not 1 <= equilibrium <= len(solution):
        raise UsageError(
            f"{{equilibrium}}: there are {len(solution)} {concept} equilibria",
            function="explain_report",
            parameters={"equilibrium": equilibrium},
        )
    eq = solution[equilibrium - 1]
    lines = [f"Equilibrium {equilibrium} of {len(solution)} ({concept}): {_played(solution, eq)}"]
    lines.append("")
    if is_tree and not eq.pure:
        lines += ["This equilibrium mixes, so it is explained as a choice among whole plans.", ""]
    off_path = 0
    for decision in explain(loaded, eq):
        off_path += not decision.on_path
        if decision.on_path or off_path <= MAX_OFF_PATH:
            lines.append(decision.describe())
    if off_path > MAX_OFF_PATH:
        lines.append(
            f"... and {off_path - MAX_OFF_PATH:,} more decisions off the equilibrium path "
            "(every one in 'sim solve --format json')"
        )
    return "\n".join(lines)


def _played(solution: Solution, eq: Equilibrium) -> str:
    """The equilibrium in one line: each player's strategy, or the play in a large tree."""
    normal = solution.normal
    if normal is not None and eq.strategies is not None:
        return "; ".join(
            f"{player} {strategy_text(actions, strategy)}"
            for player, actions, strategy in zip(
                normal.players, normal.actions, eq.strategies, strict=True
            )
        )
    game = solution.game
    assert isinstance(game, ExtensiveFormGame)
    assert eq.terminal_probabilities is not None
    paths = game.outcome_paths(eq.terminal_probabilities)
    return "play " + " | ".join(path_text(p) for _, p in paths)
