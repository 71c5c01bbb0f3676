"""A scenario's equilibria in words, as a table and as the JSON of the contract.

The equilibrium path reads as sentences built from each move's ``says``
phrases ("Washington stays out; Seoul lets the courts proceed; ..."), split
where chance (or a mixing player) branches; each player's payoff is broken down
by named term; and the closest calls on the path are listed as the decisive
deviations: the alternative that would cost its mover least.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.report.sets import set_lines
from sim.scenario.model import Condition, Move, Scenario

if TYPE_CHECKING:
    from sim.report.scenario import Deviation, ScenarioEquilibrium, ScenarioSolution

__all__ = [
    "action_phrase",
    "closest_calls",
    "condition_text",
    "deviation_text",
    "narrate",
    "outcome_label",
    "outcome_words",
    "scenario_parts",
    "scenario_table",
]

Outcome = tuple[float, Mapping[str, str]]
MAX_DEVIATIONS = 5
#: Longer narrations (many chance branches) end with a count of what is left out.
MAX_NARRATED_LINES = 40


def _names(scenario: Scenario) -> dict[str, str]:
    return {p.id: p.name for p in scenario.players}


def action_phrase(scenario: Scenario, move: Move, action: str) -> str:
    """An action in words, with its mover: ``Seoul pays the plaintiffs through a fund``.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> action_phrase(scenario, scenario.move("summit"), "attend")
    'Tokyo attends the summit'
    """
    said = move.says.get(action)
    if move.is_chance:
        return said or f"{move.name} is {action}"
    who = _names(scenario)[move.player]
    return f"{who} {said}" if said else f"{who} chooses {action} ({move.name})"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _percent(share: float) -> str:
    return f"{100 * share:.3g}%"


def narrate(scenario: Scenario, outcomes: Sequence[Outcome]) -> list[str]:
    """The play of an equilibrium in sentences, one line per branch.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> from sim.report.solve import solve_scenario
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> for line in narrate(scenario, solve_scenario(scenario)[0].outcomes):
    ...     print(line)
    Washington stays out; Seoul lets the courts proceed; Tokyo skips the summit.
      If the court-ordered sale completes (60%): Tokyo keeps its export controls; Seoul keeps GSOMIA.
      If the sale stalls (40%): Tokyo keeps its export controls; Seoul keeps GSOMIA.
    """  # noqa: E501
    moves = scenario.moves

    def walk(items: Sequence[Outcome], start: int, indent: str) -> list[str]:
        clauses: list[str] = []
        for j in range(start, len(moves)):
            move = moves[j]
            groups: dict[str | None, list[Outcome]] = {}
            for item in items:
                groups.setdefault(item[1].get(move.name), []).append(item)
            if len(groups) == 1:
                (action,) = groups
                if action is not None:
                    clauses.append(action_phrase(scenario, move, action))
                continue
            total = sum(p for p, _ in items)
            order = [a for a in move.actions if a in groups] + ([None] if None in groups else [])
            share = {a: sum(p for p, _ in groups[a]) / total for a in order}
            inner = indent + "  " if clauses else indent
            rests = {a: walk(groups[a], j + 1, inner + "  ") for a in order}
            if None not in groups and not any(rests.values()):
                # The last thing that happens: list the branches on one line.
                ending = " or ".join(
                    f"{action_phrase(scenario, move, a)} ({_percent(share[a])})"
                    for a in order
                    if a is not None
                )
                clauses.append(f"then {ending}" if clauses else ending)
                return [indent + _capital("; ".join(clauses)) + "."]
            lines = [indent + _capital("; ".join(clauses)) + "."] if clauses else []
            for action in order:
                condition = (
                    action_phrase(scenario, move, action)
                    if action
                    else f"{move.name} does not happen"
                )
                head = f"{inner}If {condition} ({_percent(share[action])})"
                rest = rests[action]
                lines.append(f"{head}: {rest[0].strip()}" if rest else f"{head}.")
                lines += rest[1:]
            return lines
        return [indent + _capital("; ".join(clauses)) + "."] if clauses else []

    lines = walk(outcomes, 0, "")
    if len(lines) > MAX_NARRATED_LINES:
        hidden = len(lines) - MAX_NARRATED_LINES + 1
        lines = [*lines[: MAX_NARRATED_LINES - 1], f"... and {hidden} more lines of branches"]
    return lines


def condition_text(scenario: Scenario, condition: Condition) -> str:
    """A ``when`` condition in words, with each move's own phrases.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> condition_text(scenario, (("stance", frozenset({"fund"})),
    ...                           ("liquidation", frozenset({"stalls"}))))
    'Seoul pays the plaintiffs through a fund and the sale stalls'
    >>> condition_text(scenario, (("stance", frozenset({"freeze", "fund"})),))
    'Seoul offers an executive freeze or pays the plaintiffs through a fund'
    """
    moves = {move.name: move for move in scenario.moves}
    parts = []
    for name, actions in condition:
        move = moves[name]
        ordered = [a for a in move.actions if a in actions]
        first = action_phrase(scenario, move, ordered[0])
        if move.is_chance or len(ordered) == 1:
            rest = [action_phrase(scenario, move, a) for a in ordered[1:]]
        else:  # "Seoul offers a freeze or pays ...": the player named once
            who = _names(scenario)[move.player]
            rest = [action_phrase(scenario, move, a).removeprefix(f"{who} ") for a in ordered[1:]]
        parts.append(" or ".join([first, *rest]))
    return " and ".join(parts)


def outcome_words(scenario: Scenario, path: Mapping[str, str]) -> str:
    """The players' choices on a play path as sentences (chance left out), for people.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> outcome_words(scenario, {"mediation": "stay_out", "stance": "proceed",
    ...                          "summit": "skip", "liquidation": "stalls"})
    'Washington stays out; Seoul lets the courts proceed; Tokyo skips the summit'
    """
    return "; ".join(
        action_phrase(scenario, move, path[move.name])
        for move in scenario.moves
        if not move.is_chance and len(move.playable) > 1 and move.name in path
    )


def outcome_label(scenario: Scenario, path: Mapping[str, str]) -> str:
    """The players' choices on a play path, in a short phrase for a legend.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> outcome_label(scenario, {"mediation": "stay_out", "stance": "proceed",
    ...                          "summit": "skip", "liquidation": "stalls", "controls": "keep"})
    'Washington: stay_out; Seoul: proceed; Tokyo: skip (summit), keep (controls)'
    """
    names = {p.id: p.name for p in scenario.players}
    choices: dict[str, list[tuple[str, str]]] = {}
    for move in scenario.moves:
        if not move.is_chance and len(move.playable) > 1 and move.name in path:
            choices.setdefault(move.player, []).append((move.name, path[move.name]))
    parts = []
    for pid, acts in choices.items():
        if len(acts) == 1:  # one move: the action says it
            parts.append(f"{names[pid]}: {acts[0][1]}")
        else:  # several: name each move
            parts.append(f"{names[pid]}: " + ", ".join(f"{a} ({m})" for m, a in acts))
    return "; ".join(parts)


def closest_calls(deviations: Sequence[Deviation], limit: int = MAX_DEVIATIONS) -> list[Deviation]:
    """The ``limit`` cheapest deviations, cheapest first; equal costs (to 1e-9) in play order."""
    return sorted(deviations, key=lambda d: round(d.loss, 9))[:limit]


def deviation_text(scenario: Scenario, deviation: Deviation) -> str:
    move = scenario.move(deviation.move)
    who = _names(scenario).get(deviation.player, deviation.player)
    instead = action_phrase(scenario, move, deviation.alternative).removeprefix(f"{who} ")
    rather = action_phrase(scenario, move, deviation.chosen).removeprefix(f"{who} ")
    # The decisions before it are the equilibrium's own; only chance needs saying.
    chance = [
        action_phrase(scenario, scenario.move(m), a)
        for m, a in deviation.after.items()
        if scenario.move(m).is_chance
    ]
    where = f" if {' and '.join(chance)}" if chance else ""
    return f"{who} {instead} rather than {rather}{where}: costs {who} {deviation.loss:.2f}"


def _breakdown_lines(scenario: Scenario, eq: ScenarioEquilibrium) -> list[str]:
    names = _names(scenario)
    width = max(len(n) for n in names.values())
    lines = []
    for i, pid in enumerate(scenario.player_ids):
        parts = ", ".join(
            f"{term} {value:+.2f}"
            for term, value in eq.breakdown[pid].items()
            if abs(value) > 1e-12
        )
        lines.append(f"    {names[pid]:<{width}}  {eq.payoffs[i]:+7.2f}  = {parts or 'nothing'}")
    return lines


def scenario_table(solution: ScenarioSolution) -> str:
    """What ``sim solve SCENARIO.toml`` prints: play in words, payoffs by term, close calls."""
    from sim.text import regret_text

    scenario = solution.scenario
    count = len(solution)
    kind = "complete" if solution.complete else "not guaranteed complete"
    lines = [
        f"{scenario.title} ({scenario.path})",
        f"{count} {solution.concept} equilibri{'um' if count == 1 else 'a'} by "
        f"{solution.method}; {kind}.",
    ]
    lines += [f"Note: {note}" for note in solution.notes]
    if not solution.rounds:
        lines += set_lines(solution.solution, observer(solution))
    for k, eq in enumerate(solution, start=1):
        regret = regret_text(eq.max_regret)
        from sim.report.records import signalling_record

        kind = "".join(f"{v}, " for v in signalling_record(solution.game, eq.equilibrium).values())
        lines += ["", f"Equilibrium {k} ({kind}max regret {regret}):"]
        if solution.rounds:
            lines += _round_lines(scenario, solution)
        else:
            lines += ["  " + line for line in narrate(scenario, eq.outcomes)]
        if eq.equilibrium.beliefs is not None and eq.behaviour is not None:
            from sim.report.beliefs import belief_sentences

            said = belief_sentences(
                solution.game, eq.behaviour, eq.equilibrium.beliefs, observer(solution)
            )
            lines += ["", "  Beliefs:", *[f"    {sentence}" for sentence in said]] if said else []
        heading = "Expected payoffs by term" + (", discounted:" if solution.rounds else ":")
        lines += ["", f"  {heading}", *_breakdown_lines(scenario, eq)]
        if eq.deviations:
            closest = closest_calls(eq.deviations)
            lines += ["", "  Closest calls on the path (the best alternative and what it costs):"]
            lines += [f"    {deviation_text(scenario, d)}" for d in closest]
    if not count:
        lines.append("No equilibrium found.")
    return "\n".join(lines)


def _round_lines(scenario: Scenario, solution: ScenarioSolution) -> list[str]:
    """Each round reached: how likely it is reached, its play, and whether the game ends."""
    lines = []
    for stage in solution.rounds:
        if stage.reach <= 1e-12:
            break
        reached = (
            "reached for sure"
            if stage.reach > 1 - 1e-12
            else (f"reached with probability {_percent(stage.reach)}")
        )
        ends = (
            "the game ends"
            if stage.ends > 1 - 1e-12
            else (f"the game ends here with probability {_percent(stage.ends)}")
        )
        lines.append(f"  Round {stage.round} ({reached}; {ends}):")
        lines += ["    " + line for line in narrate(scenario, stage.equilibrium.outcomes)]
    return lines


def _information_sets(solution: ScenarioSolution) -> list[list[dict[str, Any]]]:
    """Per player, each information set: its move, what the mover has seen, its actions."""
    from sim.report.records import information_sets

    return information_sets(solution.compiled.structure.tree, observer(solution))


def observer(solution: ScenarioSolution) -> Callable[[int], dict[str, str]]:
    """What the mover at each information set has seen: the moves it observes and their actions."""
    tree = solution.compiled.structure.tree
    scenario = solution.scenario

    def observed(h: int) -> dict[str, str]:
        move = scenario.move(tree.move_names[h])
        seen = {}
        for u, a in tree.path(tree.infoset_members(h)[0]):
            name = tree.move_names[int(tree.node_infoset[u])]
            if name in move.observes:
                seen[name] = tree.action_labels[int(tree.node_infoset[u])][a]
        return seen

    return observed


def scenario_parts(solution: ScenarioSolution) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The ``game`` object and the equilibria of a scenario's JSON (design.md's contract).

    :func:`sim.report.solution_to_dict` writes them with the keys every result has.

    ``game.representation`` says how strategies are given:

    - ``"reduced"`` (the reduced normal form has at most 10,000 profiles, and
      the equilibria carry no beliefs):
      ``game.players[i].actions`` are its strategies and each equilibrium's
      ``strategies`` a mixed profile over them, exactly as design.md says.
    - ``"behaviour"`` (larger trees, such as the flagship, and perfect
      Bayesian equilibria, whose beliefs are per information set): the reduced normal
      form is too large to list, so ``actions`` and each ``strategies`` row are
      empty rather than reinterpreted; ``game.players[i].information_sets``
      lists the player's information sets (``move``, the ``observed`` actions,
      ``actions``) and each equilibrium's ``behaviour[i][k]`` gives the
      probabilities at the ``k``-th of them.

    Either way ``outcomes`` are the play paths, and each equilibrium adds
    ``path`` (in words) and ``payoff_terms`` (each player's payoff by term).

    Examples
    --------
    >>> from sim.report import solution_to_dict
    >>> from sim.report.solve import solve_scenario
    >>> report = solution_to_dict(solve_scenario("scenarios/baseline_nov2020.toml"))
    >>> report["game"]["representation"], report["equilibria"][0]["strategies"]
    ('behaviour', [[], [], []])
    >>> report["game"]["players"][1]["information_sets"][0]
    {'move': 'stance', 'observed': {'mediation': 'stay_out'}, 'actions': ['proceed', 'freeze', 'fund']}
    >>> report["equilibria"][0]["behaviour"][1][0]
    [1.0, 0.0, 0.0]
    """  # noqa: E501
    from sim.report.records import (
        behaviour_by_player,
        belief_records,
        equilibrium_record,
        signalling_record,
    )

    scenario = solution.scenario
    names = _names(scenario)
    tree = solution.compiled.structure.tree
    # Beliefs are given per information set, so a result with them lists the sets.
    with_beliefs = any(eq.equilibrium.beliefs is not None for eq in solution)
    reduced = solution.normal is not None and not with_beliefs
    players: list[dict[str, Any]] = []
    if reduced:
        assert solution.normal is not None
        for p, actions in zip(scenario.players, solution.normal.actions, strict=True):
            players.append({"name": p.name, "actions": list(actions)})
    else:
        for p, sets in zip(scenario.players, _information_sets(solution), strict=True):
            players.append({"name": p.name, "actions": [], "information_sets": sets})

    def representation(eq: ScenarioEquilibrium) -> dict[str, Any]:
        if reduced and eq.strategies is not None:
            return {"strategies": [[float(p) for p in s] for s in eq.strategies]}
        empty: list[list[float]] = [[] for _ in players]
        if solution.rounds:
            return {
                "strategies": empty,
                "rounds": [
                    {
                        "round": stage.round,
                        "reach": stage.reach,
                        "ends": stage.ends,
                        "behaviour": behaviour_by_player(tree, stage.equilibrium.behaviour or ()),
                        "outcomes": [
                            {"probability": p, "actions": dict(path)}
                            for p, path in stage.equilibrium.outcomes
                        ],
                        "path": " ".join(
                            line.strip() for line in narrate(scenario, stage.equilibrium.outcomes)
                        ),
                    }
                    for stage in solution.rounds
                    if stage.reach > 1e-12
                ],
            }
        assert eq.behaviour is not None
        return {"strategies": empty, "behaviour": behaviour_by_player(tree, eq.behaviour)}

    values = solution.compiled.values
    game = {
        "title": scenario.title,
        "players": players,
        "representation": "reduced" if reduced else ("rounds" if solution.rounds else "behaviour"),
        "scenario": scenario.path,
        "parameters": {
            k: float(np.asarray(v)) for k, v in values.items() if k in scenario.parameters
        },
    }
    equilibria = [
        equilibrium_record(
            eq.equilibrium,
            representation(eq),
            eq.outcomes,
            path=" ".join(line.strip() for line in narrate(scenario, eq.outcomes)),
            payoff_terms={names[pid]: dict(terms) for pid, terms in eq.breakdown.items()},
            **belief_records(tree, eq.equilibrium.beliefs),
            **signalling_record(solution.game, eq.equilibrium),
        )
        for eq in solution
    ]
    return game, equilibria
