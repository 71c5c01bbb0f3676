"""The debrief: what the class did against what theory predicts, and the exports.

- :func:`outcome_counts`: how many worlds reached each outcome (in words);
- :func:`class_choices`: every decision students made, as ``(information set,
  action)`` on the game's tree, for the logit fit;
- :func:`debrief_document`: the printable report. It compares the class's
  outcomes with the equilibrium and with the logit QRE at the precision fitted
  to the class's own choices, then gives each world's timeline, payoffs by
  named term, and optionally a what-if with one parameter changed;
- :func:`moves_table`: every move as CSV, with pseudonyms for the gradebook or
  anonymised for research.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np

from sim.classroom.document import Block, Bullets, Document, Heading, Image, Paragraph, Table
from sim.classroom.session import Classroom, Play, Session
from sim.errors import InputError, TooLargeError
from sim.scenario.model import Scenario

__all__ = [
    "class_choices",
    "count",
    "debrief_document",
    "event_log_document",
    "moves_table",
    "outcome_counts",
]


def _label(scenario: Scenario, path: Mapping[str, str]) -> str:
    from sim.report.narrate import outcome_words

    return outcome_words(scenario, path) or "(no decisions)"


def _finished(session: Session) -> list[Play]:
    return [p for _, p in sorted(session.plays.items()) if p.finished]


def outcome_counts(
    scenario: Scenario, session: Session, round: int | None = None
) -> list[tuple[str, int]]:
    """Finished plays (of one round, or all) by outcome, most frequent first."""
    plays = [p for p in _finished(session) if round is None or p.round == round]
    return Counter(_label(scenario, p.path) for p in plays).most_common()


def class_choices(classroom: Classroom, plays: list[Play]) -> list[tuple[int, int]]:
    """The students' decisions in ``plays`` as ``(information set, action index)``."""
    scenario = classroom.scenario
    found = []
    for play in plays:
        exercise = classroom.exercise(play.settings)
        tree = exercise.game.tree
        before: dict[str, str] = {}
        for step in play.history:
            move = scenario.move(step["move"])
            if step["by"] not in ("bot", "chance"):
                node = exercise.node(before, move.name)
                found.append((int(tree.node_infoset[node]), move.playable.index(step["action"])))
            before[move.name] = step["action"]
    return found


def _predicted(classroom: Classroom, settings: Mapping[str, Any], behaviour: Any) -> Counter[str]:
    """The outcome distribution (by label) a behaviour profile gives."""
    from sim.games.behaviour import terminal_probabilities

    exercise = classroom.exercise(settings)
    reach = terminal_probabilities(exercise.game, behaviour)
    shares: Counter[str] = Counter()
    for path, p in zip(exercise.structure.paths, reach.tolist(), strict=True):
        shares[_label(classroom.scenario, path)] += p
    return shares


def count(n: int, word: str) -> str:
    """``n word`` or ``n words``: ``count(1, "world")`` is ``1 world`` (also a page filter)."""
    return f"{n} {word if n == 1 else word + 's'}"


#: Below this many student decisions the fitted precision is shown with a warning.
FEW_DECISIONS = 20


def _rounds_text(rounds: list[int]) -> str:
    if len(rounds) == 1:
        return f"Round {rounds[0]}"
    if rounds == list(range(rounds[0], rounds[-1] + 1)):
        return f"Rounds {rounds[0]}\u2013{rounds[-1]}"
    return "Rounds " + ", ".join(map(str, rounds))


def _comparison(
    classroom: Classroom, settings: Mapping[str, Any], plays: list[Play]
) -> list[Block]:
    """The class's outcomes at one set of parameter values against the theory's."""
    from sim.solvers.agent_logit import fit_agent_logit, qre_behaviour

    scenario = classroom.scenario
    exercise = classroom.exercise(settings)
    counts = Counter(_label(scenario, p.path) for p in plays)
    equilibrium = _predicted(classroom, settings, exercise.equilibrium_behaviour)
    choices = class_choices(classroom, plays)
    fit = None
    qre: Counter[str] = Counter()
    if choices:
        try:
            fit = fit_agent_logit(exercise.game, choices)
            qre = _predicted(classroom, settings, qre_behaviour(exercise.game, fit.lam))
        except InputError:
            fit = None
    labels = sorted(set(counts) | {k for k, v in equilibrium.items() if v > 0.005}
                    | {k for k, v in qre.items() if v > 0.05},
                    key=lambda k: (-counts[k], -equilibrium[k]))  # fmt: skip
    rows = tuple(
        (
            label,
            f"{counts[label]} ({counts[label] / len(plays):.0%})",
            f"{equilibrium[label]:.0%}",
            f"{qre[label]:.0%}" if fit else "\u2014",
        )
        for label in labels
    )
    blocks: list[Block] = [Table(("Outcome", "Class", "Equilibrium", "QRE (fitted)"), rows)]
    if fit is not None:
        text = (
            f"Fitted precision lambda = {fit.lam:.3g} from "
            f"{count(fit.choices, 'student decision')} (log-likelihood {fit.log_likelihood:.1f}, "
            "against "
            f"{fit.uniform_log_likelihood:.1f} for random play). Near 0 the class chose at "
            "random; large values mean it played the equilibrium."
        )
        if fit.choices < FEW_DECISIONS:
            text += f" With fewer than {FEW_DECISIONS} decisions the fit says little."
        blocks.append(Paragraph(text, "note"))
    # Payoffs by term: the class's average against the equilibrium's expectation.
    from sim.classroom.handouts import term_title

    names = {p.id: p.name for p in scenario.players}
    expected = _expected_terms(classroom, settings)
    for pid in scenario.player_ids:
        averaged: dict[str, float] = {}
        for play in plays:
            assert play.result is not None
            for term, value in play.result.terms[pid].items():
                averaged[term] = averaged.get(term, 0.0) + value / len(plays)
        term_rows = tuple(
            (term_title(scenario, term), f"{value:+.2f}", f"{expected[pid].get(term, 0.0):+.2f}")
            for term, value in averaged.items()
            if abs(value) > 0.005 or abs(expected[pid].get(term, 0.0)) > 0.005
        )
        total = float(np.mean([p.result.payoffs[pid] for p in plays if p.result]))
        blocks.append(
            Table(
                (
                    f"{names[pid]}: payoff by term (class average {total:+.2f})",
                    "class average",
                    "equilibrium",
                ),
                term_rows or (("(no term counted)", "0", "0"),),
            )
        )
    return blocks


def debrief_document(classroom: Classroom, what_if: Mapping[str, str] | None = None) -> Document:
    """The printable debrief of a session (see the module notes).

    Plays at different parameter values (the instructor changed one between
    rounds) are compared with the theory separately, each set of values in its
    own section, in the order they were first played.
    """
    from sim.report.narrate import action_phrase, narrate

    scenario, session = classroom.scenario, classroom.session
    names = {p.id: p.name for p in scenario.players}
    plays = _finished(session)
    subtitle = (
        f"Debrief \u00b7 session {session.code} \u00b7 {count(session.worlds, 'world')}, "
        f"{count(session.round, 'round')}, {count(len(session.participants), 'student')}"
    )
    blocks: list[Block] = []
    if not plays:
        blocks.append(Paragraph("No play has finished yet: start a round and come back.", "box"))
        return Document(f"{scenario.title}: debrief", subtitle, tuple(blocks))
    groups: dict[tuple[tuple[str, Any], ...], list[Play]] = {}
    for play in sorted(plays, key=lambda p: (p.round, p.world)):
        groups.setdefault(tuple(sorted(play.settings.items())), []).append(play)
    blocks.append(
        Paragraph(
            "For each set of parameter values played: the class's outcomes; the first "
            "equilibrium sim solve lists; and noisy logit play (QRE) at the precision that "
            "makes the students' own choices most likely. Bots' moves are not in the fit."
        )
    )
    for key, group in groups.items():
        settings = dict(key)
        shown = ", ".join(f"{k} = {v}" for k, v in settings.items()) or "the scenario's own values"
        rounds = sorted({p.round for p in group})
        blocks.append(
            Heading(f"{_rounds_text(rounds)}, at {shown}: {count(len(group), 'finished play')}")
        )
        blocks += _comparison(classroom, settings, group)
    blocks += _tree(classroom, dict(next(reversed(groups))))
    blocks.append(Heading("Each world, round by round"))
    pseudonyms = {p.id: p.pseudonym for p in list(session.participants.values())}
    for play in plays:
        steps = [
            f"{action_phrase(scenario, scenario.move(h['move']), h['action'])}"
            f" ({pseudonyms.get(h['by'], h['by'])})"
            for h in play.history
        ]
        assert play.result is not None
        scores = ", ".join(f"{names[k]} {v:+.2f}" for k, v in play.result.payoffs.items())
        blocks.append(Heading(f"Round {play.round}, world {play.world + 1}", 2))
        blocks.append(Bullets((*steps, f"Payoffs: {scores}.")))
    if what_if:
        latest = dict(next(reversed(groups)))
        blocks += _what_if(classroom, latest, what_if, narrate)
    return Document(f"{scenario.title}: debrief", subtitle, tuple(blocks))


def _tree(classroom: Classroom, settings: Mapping[str, Any]) -> list[Block]:
    """The equilibrium's play on the game tree, as a figure."""
    from sim.games.behaviour import terminal_probabilities
    from sim.plot.tree import tree_figure

    exercise = classroom.exercise(settings)
    behaviour = exercise.equilibrium_behaviour
    reach = terminal_probabilities(exercise.game, behaviour)
    try:
        figure = tree_figure(exercise.game, reach, behaviour=behaviour, title="")
    except TooLargeError:
        return []  # too large to draw legibly
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)  # wide: the page scrolls it on screen
    return [
        Heading("The equilibrium's play on the game tree"),
        Image(
            buffer.getvalue(),
            "The game tree: the equilibrium's play in thick black lines, the alternatives "
            "dashed, each with what every player would get.",
        ),
    ]


def _expected_terms(
    classroom: Classroom, settings: Mapping[str, Any]
) -> dict[str, dict[str, float]]:
    from sim.games.behaviour import terminal_probabilities

    exercise = classroom.exercise(settings)
    reach = terminal_probabilities(exercise.game, exercise.equilibrium_behaviour)
    return {k: dict(v) for k, v in exercise.compiled.term_breakdown(reach).items()}


def _what_if(
    classroom: Classroom, common: Mapping[str, Any], change: Mapping[str, str], narrate: Any
) -> list[Block]:
    from sim.report.solve import solve_scenario

    ((name, text),) = change.items()
    value: Any
    try:
        value = float(text)
    except ValueError:
        value = text
    settings = {**common, name: value}
    try:
        solution = solve_scenario(classroom.scenario, settings=settings)
    except InputError as error:
        return [Heading("What if"), Paragraph(f"Could not solve with {name} = {text}: {error}")]
    lines = narrate(classroom.scenario, solution[0].outcomes) if len(solution) else ["(none)"]
    return [
        Heading(f"What if {name} = {text}?"),
        Paragraph("The equilibrium play with that one change, the rest as played:"),
        Bullets(tuple(lines)),
    ]


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula: a leading ' before = + - @ tab CR."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _anonymous(session: Session, participant: str) -> str:
    """A stable code for a student that says nothing of their name or when they joined
    (an HMAC of their id under the session's secret seed)."""
    key = session.seed.to_bytes(8, "big") + session.id.encode()
    return "s" + hmac.new(key, participant.encode(), hashlib.sha256).hexdigest()[:8]


def moves_table(scenario: Scenario, session: Session, *, anonymised: bool = False) -> str:
    """Every move of every play as CSV: who (pseudonym, or a code that cannot be traced
    to a name or to the order of joining when ``anonymised``), role, world, round, move,
    action, when (seconds since the play's first move when ``anonymised``), and the
    role's payoff for that play once it is finished."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    who = "student" if anonymised else "pseudonym"
    writer.writerow(
        [who, "role", "world", "round", "move", "action", "decided_by",
         "seconds" if anonymised else "time_utc", "payoff"]
    )  # fmt: skip
    pseudonyms = {p.id: p.pseudonym for p in list(session.participants.values())}
    for (world, round_), play in sorted(session.plays.items()):
        start = play.history[0]["at"] if play.history else 0.0
        for step in play.history:
            move = scenario.move(step["move"])
            by = step["by"]
            if by in ("bot", "chance"):
                person, decided = "", by
            else:
                person = _anonymous(session, by) if anonymised else _cell(pseudonyms.get(by, by))
                decided = "student"
            when = (
                f"{step['at'] - start:.1f}"
                if anonymised
                else datetime.fromtimestamp(step["at"], UTC).isoformat(timespec="seconds")
            )
            role = "" if move.is_chance else move.player
            payoff = f"{play.result.payoffs[role]:.6g}" if play.result is not None and role else ""
            writer.writerow(
                [person, role, world + 1, round_, move.name, step["action"], decided, when, payoff]
            )
    return out.getvalue()


def event_log_document(scenario: Scenario, session: Session) -> Document:
    """The session's event log in words, in order: the replay of everything that happened."""
    from sim.report.narrate import action_phrase

    names = {p.id: p.name for p in scenario.players}
    pseudonyms = {p.id: p.pseudonym for p in list(session.participants.values())}
    rows = []
    start = session.created
    for event in session.log:
        data = event.data
        where = (
            f"round {data['round']}, world {data['world'] + 1}"
            if "world" in data and "round" in data
            else ""
        )
        if event.kind == "joined":
            text = (
                f"{data['pseudonym']} joins as {names[data['role']]} in world {data['world'] + 1}"
            )
        elif event.kind in ("order", "chance"):
            move = scenario.move(data["move"])
            by = str(data.get("by", "chance"))
            who = {"bot": "a bot", "chance": "chance"}.get(by, pseudonyms.get(by, by))
            sealed = " (sealed)" if event.kind == "order" else ""
            text = f"{action_phrase(scenario, move, data['action'])}{sealed}; by {who}"
        elif event.kind == "stage_opened":
            text = "open for orders: " + ", ".join(data["moves"])
        elif event.kind == "parameter_changed":
            text = f"from the next round, {data['name']} = {data['value']}"
        elif event.kind == "round_started":
            shown = ", ".join(f"{k} = {v}" for k, v in data["settings"].items())
            text = f"round {data['round']} starts" + (f" with {shown}" if shown else "")
        elif event.kind == "extended":
            text = f"open stages extended by {data['seconds']:g} s"
        else:
            text = event.kind.replace("_", " ")
        rows.append((f"{event.at - start:.1f}", where, text))
    return Document(
        f"{scenario.title}: event log",
        f"Session {session.code} \u00b7 {len(session.log)} events, oldest first",
        (Table(("seconds", "where", "what happened"), tuple(rows)),),
    )
