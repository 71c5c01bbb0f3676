"""Connected sets of equilibria in a report: JSON records and sentences.

:func:`sim.solvers.sets.equilibrium_sets` finds which listed equilibria are
the ends of one connected set and which probabilities vary in it; this says
so, in the JSON (``sets``) and in the text that ``sim solve`` prints, and
counts the distinct outcomes apart from the extreme points.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sim.games.extensive_form import ExtensiveFormGame
from sim.solvers.sets import EquilibriumSet, FreeChoice, equilibrium_sets
from sim.solvers.solution import Equilibrium, Solution
from sim.text import path_text

__all__ = ["distinct_outcomes", "set_lines", "set_records", "set_sentences"]

#: What a mover has seen at an information set, for the words (a scenario knows).
Observed = Callable[[int], Mapping[str, str]]


def set_records(solution: Solution) -> list[dict[str, Any]]:
    """The ``sets`` of a solution's JSON: every connected set of its listed equilibria.

    Each is ``{"equilibria": [indices], "exact": bool, "free": [...]}`` where
    the indices are positions in ``equilibria`` (from 0), ``exact`` says the
    set is a whole connected component (else it may be part of a larger one),
    and each free probability is ``{"player", "action", "low", "high"}``, with
    on a tree ``"information_set"`` (its position in the player's
    ``information_sets``) and ``"reached"`` (whether play reaches it in some
    equilibrium of the set).

    Examples
    --------
    >>> from sim.games.normal_form import NormalFormGame
    >>> from sim.solvers import solve
    >>> game = NormalFormGame.from_matrices([[0, 0], [1, -1]], [[2, 2], [1, 0]],
    ...     players=["Challenger", "Defender"], actions=[["out", "in"], ["concede", "fight"]])
    >>> set_records(solve(game))[0]
    {'equilibria': [0, 1], 'exact': True, 'free': [{'player': 'Defender', 'action': 'concede', 'low': 0.0, 'high': 0.5}]}
    """  # noqa: E501
    records = []
    for found in equilibrium_sets(solution):
        free = []
        for choice in found.free:
            record: dict[str, Any] = {
                "player": solution.game.players[choice.player],
                "action": _action(solution, choice),
                "low": choice.low,
                "high": choice.high,
            }
            if choice.information_set is not None:
                assert isinstance(solution.game, ExtensiveFormGame)
                own = solution.game.tree.player_infosets(choice.player)
                record["information_set"] = own.index(choice.information_set)
                record["reached"] = choice.reached
            free.append(record)
        records.append({"equilibria": list(found.members), "exact": found.exact, "free": free})
    return records


def set_lines(solution: Solution, observed: Observed | None = None) -> list[str]:
    """Sentences for the sets of more than one listed equilibrium, and a count.

    Nothing when every equilibrium stands alone.

    Examples
    --------
    >>> from sim.games.normal_form import NormalFormGame
    >>> from sim.solvers import solve
    >>> game = NormalFormGame.from_matrices([[0, 0], [1, -1]], [[2, 2], [1, 0]],
    ...     players=["Challenger", "Defender"], actions=[["out", "in"], ["concede", "fight"]])
    >>> for line in set_lines(solve(game)):
    ...     print(line)
    The 3 equilibria listed are extreme points of 2 connected sets; they have 3 distinct outcomes among them.
    Equilibria 1 and 2 are the ends of one connected set of equilibria: in it, Defender plays concede with any probability from 0 to 0.5.
    """  # noqa: E501
    sets = equilibrium_sets(solution)
    joined = [s for s in sets if len(s.members) > 1]
    if not joined:
        return []
    count = len(solution)
    outcomes = distinct_outcomes(solution)
    lines = [
        f"The {count} equilibria listed are extreme points of {len(sets)} connected "
        f"set{'' if len(sets) == 1 else 's'}; they have {outcomes} distinct "
        f"outcome{'' if outcomes == 1 else 's'} among them."
    ]
    return lines + [_set_sentence(solution, found, observed) for found in joined]


def set_sentences(solution: Solution, observed: Observed | None = None) -> list[str]:
    """A sentence per set of several listed equilibria: :func:`set_lines` without the count."""
    return set_lines(solution, observed)[1:]


def distinct_outcomes(solution: Solution) -> int:
    """How many different distributions over play the listed equilibria induce.

    Play is what :func:`sim.report.records.outcomes` gives: paths on a tree,
    action profiles in a normal form.
    """
    seen: list[dict[tuple[tuple[str, str], ...], float]] = []
    for eq in solution:
        point = _play(solution, eq)
        if not any(_same_play(point, other) for other in seen):
            seen.append(point)
    return len(seen)


def _play(solution: Solution, eq: Equilibrium) -> dict[tuple[tuple[str, str], ...], float]:
    from sim.report.records import outcomes

    return {tuple(path.items()): p for p, path in outcomes(solution.game, eq)}


def _same_play(a: Mapping[Any, float], b: Mapping[Any, float]) -> bool:
    return all(abs(a.get(key, 0.0) - b.get(key, 0.0)) <= 1e-9 for key in {*a, *b})


def _set_sentence(solution: Solution, found: EquilibriumSet, observed: Observed | None) -> str:
    numbers = [str(k + 1) for k in found.members]
    which = ", ".join(numbers[:-1]) + f" and {numbers[-1]}"
    plays = [_play(solution, solution[k]) for k in found.members]
    same = all(_same_play(plays[0], other) for other in plays[1:])
    ends = "the ends" if len(plays) == 2 else "extreme points"
    text = f"Equilibria {which} are {ends} of one connected set of equilibria"
    text += ", with the same play" if same else ""
    if found.free:
        text += ": in it, " + "; ".join(_free_words(solution, c, observed) for c in found.free)
    if len(found.free) > 1:
        text += " (each range on its own: not every combination need be an equilibrium)"
    return text + "."


def _free_words(solution: Solution, choice: FreeChoice, observed: Observed | None) -> str:
    who = solution.game.players[choice.player]
    span = f"with any probability from {choice.low:.3g} to {choice.high:.3g}"
    action = _action(solution, choice)
    if choice.information_set is None:
        return f"{who} plays {action} {span}"
    assert isinstance(solution.game, ExtensiveFormGame)
    tree = solution.game.tree
    h = choice.information_set
    seen = dict(observed(h)) if observed is not None else {}
    where = tree.move_names[h] + (f" after {path_text(seen)}" if seen else "")
    if not choice.reached:
        where += " (off the path)"
    return f"{who}, at {where}, chooses {action} {span}"


def _action(solution: Solution, choice: FreeChoice) -> str:
    if choice.information_set is None:
        assert solution.normal is not None
        return solution.normal.actions[choice.player][choice.action]
    assert isinstance(solution.game, ExtensiveFormGame)
    return solution.game.tree.action_labels[choice.information_set][choice.action]
