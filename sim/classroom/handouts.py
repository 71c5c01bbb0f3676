"""Role-play handouts from a scenario: public background, private briefings, instructor's guide.

Everything comes from the scenario file and the solvers, so an instructor who
edits a parameter gets handouts that agree with the answer key:

- the **public background**: the narrative, who is at the table, how the game
  is played (the moves in order, what each mover knows, what chance decides),
  and the sources;
- one **private briefing** per role: the role's own position, what it decides,
  and what matters to it, which is its payoff terms ranked by weight, each with
  its reason and when it counts, and the worst of them named as red lines.
  With ``numbers`` the terms' values are printed; without, only their rank and
  a word for their weight (students then reason from priorities, not sums);
- the **instructor's guide**: the answer key (the equilibrium play in words,
  payoffs by term, the closest calls), where the prediction changes as each
  parameter moves, what noisy (logit QRE) play looks like, debrief questions
  and a suggested timetable.

:func:`write_handouts` writes them as HTML and PDF, all or nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.classroom.document import (
    Block,
    Bullets,
    Document,
    Heading,
    PageBreak,
    Paragraph,
    Table,
    write_document,
)
from sim.errors import InputError, UsageError
from sim.scenario.model import Scenario, Term

__all__ = [
    "QRE_LAMBDAS",
    "TermWeight",
    "background",
    "briefing",
    "handouts",
    "term_title",
    "term_weights",
    "write_handouts",
]

#: Precisions at which the guide shows noisy play (payoff units): very noisy to nearly rational.
QRE_LAMBDAS = (0.3, 1.0, 3.0)
_WEIGHT_WORDS = ((0.66, "major"), (0.33, "significant"), (0.0, "minor"))


@dataclass(frozen=True)
class TermWeight:
    """One payoff term of a role at the current parameters: its largest value and its cases."""

    term: Term
    value: float  # the case value largest in size, with its sign
    cases: tuple[tuple[str, float], ...]  # (when it counts, in words; value)

    title: str = ""  # the term's name in words (see term_title)


def _acronyms(scenario: Scenario) -> frozenset[str]:
    """Words the scenario writes in capitals (GSOMIA, US, WTO), to keep them so."""
    text = " ".join(
        [scenario.narrative, *(p.briefing + " " + p.description for p in scenario.players)]
        + [m.description + " " + " ".join(m.says.values()) for m in scenario.moves]
        + [t.reason for t in scenario.terms]
        + [p.description for p in scenario.parameters.values()]
    )
    return frozenset(re.findall(r"\b[A-Z]{2,}\b", text))


def term_title(scenario: Scenario, name: str) -> str:
    """A term's name in words, capitals kept where the scenario uses them.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> term_title(scenario, "gsomia_retaliation"), term_title(scenario, "defy_us")
    ('GSOMIA retaliation', 'Defy US')
    """
    capitals = _acronyms(scenario)
    words = [w.upper() if w.upper() in capitals else w for w in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _number(value: float) -> str:
    text = f"{value:+.2f}" if abs(value) >= 0.005 else "0"
    return text.replace("-", "\u2212")


def _case_condition(scenario: Scenario, when: Any, unless: Any) -> str:
    from sim.report.narrate import condition_text

    text = f"when {condition_text(scenario, when)}" if when else "always"
    if unless:
        text += f", unless {condition_text(scenario, unless)}"
    return text


def term_weights(scenario: Scenario, values: Mapping[str, Any], player: str) -> list[TermWeight]:
    """A role's payoff terms, largest first, evaluated at parameter ``values``.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> from sim.scenario.compiler import parameter_values
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> values, _ = parameter_values(scenario)
    >>> top = term_weights(scenario, values, "tokyo")[0]
    >>> top.title, top.value
    ('Liquidation loss', -8.0)
    """
    found = []
    for term in scenario.terms:
        if term.player != player:
            continue
        cases = tuple(
            (_case_condition(scenario, case.when, case.unless), float(case.value.evaluate(values)))
            for case in term.cases
        )
        largest = max((v for _, v in cases), key=abs, default=0.0)
        found.append(TermWeight(term, largest, cases, term_title(scenario, term.name)))
    return sorted(found, key=lambda w: -abs(w.value))


def _weight_word(value: float, largest: float) -> str:
    share = abs(value) / largest if largest > 0 else 0.0
    return next(word for limit, word in _WEIGHT_WORDS if share >= limit)


# ---------------------------------------------------------------------------- background
def _observed(scenario: Scenario, names: Sequence[str], reader: str = "") -> str:
    """Earlier moves in words: ``what Washington chose (mediation), how chance fell (...)``;
    the ``reader``'s own moves are ``your choice (...)``."""
    players = {p.id: p.name for p in scenario.players}
    parts = []
    for move in scenario.moves:
        if move.name in names:
            if move.is_chance:
                parts.append(f"how chance fell ({move.name})")
            elif move.player == reader:
                parts.append(f"your choice ({move.name})")
            else:
                parts.append(f"what {players[move.player]} chose ({move.name})")
    return ", ".join(parts)


def _move_lines(scenario: Scenario) -> list[str]:
    from sim.report.narrate import condition_text

    names = {p.id: p.name for p in scenario.players}
    lines = []
    for k, move in enumerate(scenario.moves):
        options = "; ".join(move.says.get(a, a.replace("_", " ")) for a in move.playable)
        what = (move.description or move.name.replace("_", " ")).rstrip(".")
        if move.is_chance:
            text = f"Chance decides: {what} ({options})."
            if move.cases:
                text += " How likely each is depends on what was chosen before."
        else:
            text = f"{names[move.player]} decides: {what}. Options: {options}."
            if move.group:
                text += " Sealed, at the same time as the other moves of its stage."
            if move.observes:
                text += f" Knows by then {_observed(scenario, move.observes)}."
            elif k:
                text += " Knows nothing of the earlier moves."
        if move.when:
            text += f" Happens only when {condition_text(scenario, move.when)}."
        lines.append(text)
    return lines


def background(scenario: Scenario) -> Document:
    """The public background, for everyone (see the module notes).

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> background(load_scenario("scenarios/baseline_nov2020.toml")).subtitle
    'Public background · 2020-11-15'
    """
    blocks: list[Block] = [
        Heading("The situation"),
        Paragraph(scenario.narrative.strip(), "lead"),
        Heading("Who is at the table"),
        Bullets(tuple(f"{p.name}: {p.description}" for p in scenario.players)),
        Heading("How the game is played"),
        Paragraph(
            "The decisions come in this order. Each team submits its decision in a sealed "
            "order; orders are revealed together once every team in the stage has decided."
        ),
        Bullets(tuple(_move_lines(scenario)), numbered=True),
    ]
    if scenario.sources:
        blocks += [Heading("Sources"), Bullets(scenario.sources)]
    blocks.append(
        Paragraph(
            "Each team also receives a private briefing with its own priorities. Keep yours "
            "to your team.",
            "box",
        )
    )
    return Document(scenario.title, f"Public background \u00b7 {scenario.date}", tuple(blocks))


# ---------------------------------------------------------------------------- briefings
def _worst_case(weight: TermWeight) -> str:
    """When a cost term is at its worst: ``the court-ordered sale completes``."""
    condition = next(c for c, v in weight.cases if v == weight.value)
    return condition.removeprefix("when ") if condition != "always" else "this term counts"


def briefing(
    scenario: Scenario,
    role: str,
    *,
    settings: Mapping[str, Any] | None = None,
    numbers: bool = False,
) -> Document:
    """One role's private briefing at parameter ``settings``.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> briefing(load_scenario("scenarios/baseline_nov2020.toml"), "tokyo").title
    'Tokyo: private briefing'
    """
    from sim.scenario.compiler import parameter_values

    values, _ = parameter_values(scenario, dict(settings or {}))
    return _briefing(scenario, values, role, numbers)


def _briefing(
    scenario: Scenario, values: Mapping[str, Any], player_id: str, numbers: bool
) -> Document:
    player = next(p for p in scenario.players if p.id == player_id)
    weights = term_weights(scenario, values, player_id)
    largest = max((abs(w.value) for w in weights), default=0.0)
    blocks: list[Block] = [Paragraph(player.description, "box")]
    if player.briefing:
        blocks += [Heading("Your position"), Paragraph(player.briefing.strip(), "lead")]
    own = [m for m in scenario.moves if m.player == player_id]
    if own:
        blocks.append(Heading("What you decide"))
        for move in own:
            title = (move.description or move.name.replace("_", " ")).rstrip(".")
            blocks.append(Heading(title, 2))
            blocks.append(Bullets(tuple(f"{a}: {move.says.get(a, a)}" for a in move.playable)))
            seen = _observed(scenario, move.observes, player_id)
            blocks.append(
                Paragraph(
                    f"When you decide you will know {seen}."
                    if seen
                    else "You decide without knowing the other moves.",
                    "note",
                )
            )
    if weights:
        blocks.append(Heading("What matters to you, most important first"))
        items = []
        for w in weights:
            kind = "a gain" if w.value > 0 else "a cost" if w.value < 0 else "nothing now"
            weight = _number(w.value) if numbers else _weight_word(w.value, largest)
            counts = "; ".join(
                f"{condition} ({_number(v)})" if numbers else condition for condition, v in w.cases
            )
            items.append(f"{w.title} ({weight}, {kind}): {w.term.reason} Counts {counts}.")
        blocks.append(Bullets(tuple(items), numbered=True))
        costs = [w for w in weights if w.value < 0][:2]
        if costs:
            blocks.append(Heading("Your red lines"))
            blocks.append(
                Bullets(tuple(f"{w.title}: avoid a world where {_worst_case(w)}." for w in costs))
            )
    blocks.append(
        Paragraph(
            "Your score is the sum of these terms for the outcome your world reaches. "
            "The other teams have their own briefings and do not see yours.",
            "note",
        )
    )
    return Document(
        f"{player.name}: private briefing",
        f"{scenario.title} \u00b7 for the {player.name} team only",
        tuple(blocks),
    )


# ---------------------------------------------------------------------------- instructor
def _qre_rows(scenario: Scenario, solution: Any) -> list[tuple[str, ...]]:
    """For each precision: how often noisy play makes the equilibrium's choices, and its
    most likely outcome."""
    from sim.games.behaviour import node_reach
    from sim.report.narrate import outcome_label
    from sim.solvers.agent_logit import qre_behaviour

    game = solution.game
    tree = game.tree
    labels = [outcome_label(scenario, path) for path in solution.compiled.structure.paths]
    predicted = {outcome_label(scenario, path) for _, path in solution[0].outcomes}
    rows: list[tuple[str, ...]] = []
    for lam in QRE_LAMBDAS:
        reach = node_reach(game, qre_behaviour(game, lam))[tree.terminals]
        by_label: dict[str, float] = {}
        for label, p in zip(labels, reach.tolist(), strict=True):
            by_label[label] = by_label.get(label, 0.0) + p
        top = max(by_label, key=lambda k: by_label[k])
        agree = sum(p for label, p in by_label.items() if label in predicted)
        rows.append((f"{lam:g}", f"{agree:.0%}", f"{top} ({by_label[top]:.0%})"))
    return rows


def _threshold_lines(scenario: Scenario, settings: Mapping[str, Any], limit: int) -> list[str]:
    from sim.analysis.shifts import find_shifts

    lines = []
    for name, parameter in scenario.parameters.items():
        if parameter.derived or parameter.range is None or parameter.choices or name in settings:
            continue
        low, high = parameter.range
        try:
            result = find_shifts(scenario, name, low, high, settings=settings, grid=65)
        except InputError:  # e.g. a derived value leaves its range somewhere
            continue
        for shift in result.shifts:  # each is a change of the players' choices or equilibria
            meaning = f" ({parameter.description.rstrip('.')})" if parameter.description else ""
            lines.append(f"At {name} = {shift.value:.4g}{meaning}: {shift.description}")
        if len(lines) >= limit:
            break
    return lines[:limit]


def _instructor(
    scenario: Scenario, solution: Any, values: Mapping[str, Any], settings: Mapping[str, Any]
) -> Document:
    from sim.report.narrate import closest_calls, deviation_text, narrate

    names = {p.id: p.name for p in scenario.players}
    eq = solution[0]
    blocks: list[Block] = [
        Paragraph(
            "The answer key. Keep it from the students until the debrief: it says what "
            "game theory predicts each team will do, and why.",
            "box",
        ),
        Heading("The exercise"),
        Bullets(
            (
                f"Roles: {', '.join(p.name for p in scenario.players)}; one team of one to "
                "four students per role, several parallel worlds for a larger class.",
                f"Decisions: {len([m for m in scenario.moves if not m.is_chance])} in each "
                "play, in the order of the public background; chance settles "
                f"{len([m for m in scenario.moves if m.is_chance])} more.",
                "Hand out the public background to everyone and each briefing to its team only.",
            )
        ),
        Heading("What theory predicts"),
        Paragraph(
            f"Solution concept: {solution.concept} ({solution.method}); "
            f"{len(solution)} equilibri{'um' if len(solution) == 1 else 'a'}"
            f"{'' if solution.complete else ' found (the list may not be complete)'}."
        ),
        Bullets(tuple(narrate(scenario, eq.outcomes))),
    ]
    if len(solution) > 1:
        blocks.append(
            Paragraph(
                f"This is the first of {len(solution)} equilibria; `sim solve` lists all of "
                "them. Several equilibria make a good debrief question: which did your world "
                "coordinate on, and how?",
                "note",
            )
        )
    rows = []
    for i, pid in enumerate(scenario.player_ids):
        terms = sorted(eq.breakdown[pid].items(), key=lambda item: -abs(item[1]))
        shown = ", ".join(
            f"{term_title(scenario, t).lower()} {_number(v)}" for t, v in terms if abs(v) > 0.005
        )
        rows.append((names[pid], _number(float(eq.payoffs[i])), shown or "none"))
    blocks += [
        Heading("Expected payoffs, by term", 2),
        Table(("Role", "Expected payoff", "Where it comes from"), tuple(rows)),
    ]
    if eq.deviations:
        blocks += [
            Heading("The closest calls", 2),
            Paragraph(
                "Where a team came nearest to choosing otherwise; a small cost means a "
                "small change of priorities would flip the decision."
            ),
            Bullets(tuple(deviation_text(scenario, d) for d in closest_calls(eq.deviations))),
        ]
    thresholds = _threshold_lines(scenario, settings, limit=12)
    blocks.append(Heading("Where the prediction changes"))
    if thresholds:
        blocks += [
            Paragraph(
                "Each parameter moved across its range with the others fixed (sim shifts); "
                "each line is a threshold found by bisection."
            ),
            Bullets(tuple(thresholds)),
        ]
    else:
        blocks.append(Paragraph("No single parameter moved across its range changes the play."))
    try:
        qre = _qre_rows(scenario, solution)
    except InputError as error:
        blocks += [Heading("Noisy play (logit QRE)"), Paragraph(f"Not available: {error}.")]
    else:
        blocks += [
            Heading("Noisy play (logit QRE)"),
            Paragraph(
                "Students err, more when stakes are close. In a logit quantal response "
                "equilibrium each choice is made with probability rising with its payoff; the "
                "precision lambda (in payoff units) runs from random play (0) to the "
                "equilibrium. Compare the class with these rows."
            ),
            Table(
                ("lambda", "worlds making the equilibrium's choices", "most likely outcome"),
                tuple(qre),
            ),
        ]
    blocks += [
        PageBreak(),
        Heading("Debrief questions"),
        Bullets(tuple(_debrief_questions(scenario, solution)), numbered=True),
        Heading("Suggested timetable for 50 minutes"),
        Bullets(
            (
                "5 min: read the public background together; form the teams.",
                "8 min: teams read their briefings and agree a strategy.",
                "22 min: play two or three rounds; between rounds, inject a change "
                "(a new parameter value) and ask teams to predict its effect.",
                "15 min: debrief: the class's outcomes against the prediction, the closest "
                "calls, and the questions above.",
            ),
            numbered=True,
        ),
        Heading("Every role's terms at these parameters", 2),
    ]
    for pid in scenario.player_ids:
        weights = term_weights(scenario, values, pid)
        blocks.append(
            Table(
                (names[pid], "largest value", "counts"),
                tuple(
                    (w.title, _number(w.value), "; ".join(c for c, _ in w.cases)) for w in weights
                ),
            )
        )
    subtitle = f"Instructor's guide \u00b7 answer key \u00b7 {scenario.date}"
    if settings:
        subtitle += " \u00b7 " + ", ".join(f"{k} = {v}" for k, v in settings.items())
    return Document(scenario.title, subtitle, tuple(blocks))


def _debrief_questions(scenario: Scenario, solution: Any) -> list[str]:
    from sim.report.narrate import closest_calls, deviation_text

    names = {p.id: p.name for p in scenario.players}
    eq = solution[0]
    first = eq.outcomes[0][1] if eq.outcomes else {}
    questions = []
    for move in scenario.moves:
        if move.is_chance or move.name not in first or len(move.playable) < 2:
            continue
        action = first[move.name]
        said = move.says.get(action, action)
        questions.append(
            f"{names[move.player]}: what did your team decide at '{move.name}', and why? "
            f"Theory predicts that {names[move.player]} {said}."
        )
    for deviation in closest_calls(eq.deviations, 2):
        questions.append(
            f"A close call: {deviation_text(scenario, deviation)}. Did any world go that "
            "way? What tipped it?"
        )
    questions += [
        "Which of your priorities weighed most in your decisions? Was it the one your "
        "briefing ranked first?",
        "Where did your world's play depart from the prediction? Was it a mistake, a "
        "different reading of the other side, or a priority the model leaves out?",
        "What would have to change in the real world for the outcome to change? Find the "
        "threshold in the guide and say what event could move that far.",
    ]
    return questions


# ---------------------------------------------------------------------------- files
def handouts(
    scenario: Scenario,
    *,
    settings: Mapping[str, Any] | None = None,
    numbers: bool = False,
) -> dict[str, Document]:
    """Every handout of a scenario as a document: ``background``, ``briefing-<role>``,
    ``instructor``.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> docs = handouts(load_scenario("scenarios/classroom_brokered_package.toml"))
    >>> sorted(docs)
    ['background', 'briefing-seoul', 'briefing-tokyo', 'instructor']
    """
    from sim.report.solve import solve_scenario
    from sim.scenario import compile_scenario

    given = dict(settings or {})
    if scenario.rounds is not None:
        raise UsageError(
            f"{scenario.path}: handouts cover one-shot scenarios; this one repeats its stage "
            "in [rounds]"
        )
    compiled = compile_scenario(scenario, given)
    solution = solve_scenario(scenario, settings=given)
    if not len(solution):
        raise UsageError(f"{scenario.path}: no {solution.concept} equilibrium for the answer key")
    documents = {"background": background(scenario)}
    for pid in scenario.player_ids:
        documents[f"briefing-{pid}"] = _briefing(scenario, compiled.values, pid, numbers)
    documents["instructor"] = _instructor(scenario, solution, compiled.values, given)
    return documents


def write_handouts(
    scenario: Scenario,
    out: str | os.PathLike[str],
    *,
    settings: Mapping[str, Any] | None = None,
    numbers: bool = False,
    formats: Sequence[str] = ("html", "pdf"),
) -> list[Path]:
    """Write every handout into the folder ``out``, as HTML and/or PDF, all or nothing.

    The files are made in a temporary folder beside ``out`` and moved in only
    when all of them are done; ``out`` is created if missing and other files
    in it are left alone. Returns the files written, in order.
    """
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder}: expected a folder for the handouts")
    if not folder.parent.is_dir():
        raise UsageError(f"{folder}: the folder {folder.parent} does not exist")
    documents = handouts(scenario, settings=settings, numbers=numbers)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        made = []
        for stem, document in documents.items():
            made += write_document(document, staging, stem, formats)
        folder.mkdir(exist_ok=True)
        written = []
        for file in made:
            os.replace(file, folder / file.name)
            written.append(folder / file.name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
