"""The scenario file format, declared once: what the loader checks and the reference shows.

Every table a scenario file may contain is a :class:`Table` listing its keys,
each with a :class:`Key` kind, whether it is required and what it means, and
what else is checked of its value: how many items it may hold, the range of a
whole number, the only words it may be. The loader
(:mod:`sim.scenario.loader`) rejects keys that are not declared here and checks
each value against its declaration in one place, leaving its hand-written code
only what a declaration cannot say (what a name refers to, expressions,
cycles); ``docs/reference/scenario-files.md`` is generated from the same
declarations by :func:`reference_markdown` (a test keeps the two equal), so the
documentation cannot drift from what is accepted.

Run ``python -m sim.scenario.schema`` to print the reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "KINDS",
    "LENGTHS",
    "LIMITS",
    "TABLES",
    "Key",
    "Table",
    "reference_markdown",
]


@dataclass(frozen=True)
class Key:
    """One key of a table: its name, kind, whether it is required, and what it means.

    The fields after ``default`` declare what the loader checks of the value
    besides its kind; the reference shows the kind, and the description says
    the rest in words.
    """

    name: str
    kind: str
    description: str
    required: bool = False
    default: str = ""
    #: For a table of named entries (whose names are identifiers) or an array:
    #: what one entry or item is, in the singular (``"action"``).
    item: str = ""
    #: The :data:`LIMITS` entry that caps how many entries or items it holds.
    limit: str = ""
    #: Whether it must hold at least one entry or item.
    nonempty: bool = False
    #: For a whole number: the lowest and the highest value (``None``: no highest).
    bounds: tuple[int, int | None] | None = None
    #: The only words it may be (an enumeration).
    values: tuple[str, ...] = ()
    #: How an error names what was expected: ``"a solution concept"`` for an
    #: enumeration, ``"an action name"`` for the items of an array of identifiers.
    noun: str = ""
    #: The :data:`TABLES` entry that the value, or each of its entries, is.
    table: str = ""
    #: It names something the file declares elsewhere (a player, a move, an
    #: action): the loader checks it against those, not against its kind.
    reference: bool = False


@dataclass(frozen=True)
class Table:
    """A table of the file: how it is written (``[moves.NAME]``) and its keys."""

    header: str
    description: str
    keys: tuple[Key, ...]

    def key(self, name: str) -> Key:
        """The declared key called ``name``."""
        return next(k for k in self.keys if k.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        """The names of the keys, in declaration order."""
        return tuple(k.name for k in self.keys)


#: The most characters a value of each kind may have.
LENGTHS: Final[dict[str, int]] = {"string": 300, "text": 20_000, "identifier": 64}

#: What each kind of value is, as the reference states it.
KINDS: Final[dict[str, str]] = {
    "string": f"a string of at most {LENGTHS['string']:,} characters",
    "text": f'a string of at most {LENGTHS["text"]:,} characters (use `"""` for several lines)',
    "date": "a date, `2020-11-15` (TOML date or string)",
    "identifier": (
        "a name of letters, digits and `_`, not starting with a digit, "
        f"at most {LENGTHS['identifier']} characters"
    ),
    "identifiers": "an array of distinct identifiers",
    "strings": "an array of strings",
    "number": "a number (integer or float)",
    "integer": "a whole number",
    "boolean": "`true` or `false`",
    "range": "an array `[low, high]` of two numbers with low <= high",
    "value": (
        "a number; or a string: an expression of other parameters (a derived parameter), "
        "or one of `choices`"
    ),
    "expression": "a number, or a string holding an [expression](#expressions)",
    "choices": "a table `{label = number, ...}`",
    "condition": (
        'a table `{move = "action", other_move = ["a", "b"], ...}`: every named move '
        "was played with (one of) the given action(s)"
    ),
    "probabilities": (
        "a table `{action = expression, ...}` giving every action's probability, or every "
        "action's but one, which gets the rest"
    ),
    "conditions": "an array of conditions",
    "phrases": 'a table `{action = "phrase", ...}`',
    "distribution": (
        'a table: `{kind = "uniform"}` (over `range`, or `low`/`high`), '
        '`{kind = "triangular", low, mode, high}`, `{kind = "normal", mean, sd}` '
        '(clipped to `range`) or `{kind = "beta", a, b}` (scaled to `range`)'
    ),
    "assignments": "a table `{parameter = number or choice label, ...}`",
    "actions": 'a table `{move = "action", ...}`',
    "table": "a table",
    "tables": "an array of tables",
}

#: Caps that keep a hostile or mistyped file cheap to reject.
LIMITS: Final[dict[str, int]] = {
    "file_bytes": 1_000_000,
    "extends_depth": 16,
    "players": 16,
    "parameters": 1_000,
    "moves": 64,
    "actions": 64,
    "cases": 256,
    "terms": 2_000,
    "expectations": 200,
    "list_items": 500,
    "outcomes": 100_000,
}

_EXPRESSIONS_NOTE = "see [Expressions](#expressions)"

TABLES: Final[dict[str, Table]] = {
    "": Table(
        "(top level)",
        "The keys at the top of the file.",
        (
            Key(
                "extends",
                "string",
                "Another scenario file (relative to this one) whose contents this file starts "
                "from; tables merge key by key, and any other value given here replaces the "
                "base's (arrays such as `expect` and `cases` are replaced whole).",
            ),
            Key(
                "scenario",
                "table",
                "Title, date, narrative and sources.",
                required=True,
                table="scenario",
            ),
            Key(
                "players",
                "table",
                "One `[players.ID]` table per player, in order.",
                required=True,
                item="player",
                limit="players",
                nonempty=True,
                table="player",
            ),
            Key(
                "parameters",
                "table",
                "One `[parameters.NAME]` table per named number.",
                item="parameter",
                limit="parameters",
                table="parameter",
            ),
            Key(
                "types",
                "table",
                "One `[types.NAME]` table per piece of private information: a player's type, "
                "drawn by chance before the first move, known to that player only.",
                item="type",
                limit="moves",
                table="type",
            ),
            Key(
                "moves",
                "table",
                "One `[moves.NAME]` table per move, in the order of play.",
                required=True,
                item="move",
                limit="moves",
                nonempty=True,
                table="move",
            ),
            Key(
                "terms",
                "table",
                "`[terms.PLAYER.NAME]`: the named payoff terms.",
                required=True,
                reference=True,
            ),
            Key(
                "rounds",
                "table",
                "`[rounds]`: play the moves again, round after round.",
                table="rounds",
            ),
            Key(
                "expect",
                "tables",
                "`[[expect]]`: outcomes the author states and tests check.",
                limit="expectations",
                table="expect",
            ),
        ),
    ),
    "scenario": Table(
        "[scenario]",
        "What the scenario is about.",
        (
            Key("title", "string", "A one-line title.", required=True),
            Key("date", "date", "The moment the scenario describes."),
            Key(
                "narrative", "text", "A dated paragraph setting the scene (the public background)."
            ),
            Key("sources", "strings", "Where the facts and judgements come from."),
        ),
    ),
    "player": Table(
        "[players.ID]",
        "A player. `ID` is an identifier used in `moves` and `terms`; players are listed in "
        "order, which is the order of payoff vectors. `chance` is reserved for nature.",
        (
            Key("name", "string", "How the player is written in output.", default="ID"),
            Key("description", "text", "Who the player is."),
            Key("briefing", "text", "Private background for the player's role (classroom)."),
        ),
    ),
    "parameter": Table(
        "[parameters.NAME]",
        "A named number that expressions use and `--set NAME=VALUE` overrides. `NAME` is an "
        "identifier other than `and`, `or`, `not` and the function names.",
        (
            Key("value", "value", "The default value.", required=True),
            Key("range", "range", "Every value (set or derived) must lie in it."),
            Key("unit", "string", "The unit, e.g. `points` or `probability`."),
            Key("label", "string", "The ordinal meaning of the value, e.g. `low: Trump-era`."),
            Key("description", "text", "What the number means."),
            Key("source", "string", "The fact or judgement behind the value."),
            Key(
                "choices",
                "choices",
                "For a categorical parameter: its labels and their numbers.",
                item="choice",
                limit="list_items",
                nonempty=True,
            ),
            Key(
                "distribution",
                "distribution",
                "How uncertain the value is, for Monte Carlo sweeps (`sim sweep --monte-carlo`).",
            ),
        ),
    ),
    "move": Table(
        "[moves.NAME]",
        "A move, in the order of play. `NAME` is an identifier that names the move in play "
        "paths (`stance=fund`).",
        (
            Key(
                "player",
                "identifier",
                "A player's ID, or `chance` for nature.",
                required=True,
                reference=True,
            ),
            Key(
                "actions",
                "identifiers",
                "The actions, at most 64.",
                required=True,
                item="action",
                limit="actions",
                nonempty=True,
                noun="an action name",
            ),
            Key(
                "observes",
                "identifiers",
                "The earlier moves whose actions the player knows when moving.",
                default="all earlier moves",
                reference=True,
            ),
            Key(
                "group",
                "identifier",
                "Moves in one group are simultaneous: consecutive, and none observes another.",
            ),
            Key("when", "condition", "The move happens only on paths where this holds."),
            Key(
                "probabilities",
                "probabilities",
                "Chance moves: the probabilities when no case applies.",
            ),
            Key(
                "cases",
                "tables",
                "Chance moves: `[[moves.NAME.cases]]`, the first that holds applies.",
                limit="cases",
                table="case",
            ),
            Key(
                "forced",
                "identifier",
                "The only action allowed (e.g. Tokyo attends regardless).",
                reference=True,
            ),
            Key(
                "status_quo",
                "identifier",
                "The action kept when the player is indifferent between it and another best one.",
                reference=True,
            ),
            Key("says", "phrases", "How each action reads in a sentence after the player's name."),
            Key("description", "text", "What the move is."),
        ),
    ),
    "type": Table(
        "[types.NAME]",
        "A player's private information. Chance draws it before the first move, with the "
        "prior given; the player's own moves always observe it, and other players' moves "
        "only when their `observes` names it. `NAME` is an identifier that works like a "
        'chance move\'s name: conditions (`when = {NAME = "weak"}`) in moves and terms '
        "test it, and play paths show it.",
        (
            Key(
                "player",
                "identifier",
                "The player who knows it (a player's ID).",
                required=True,
                reference=True,
            ),
            Key(
                "values",
                "identifiers",
                "The types the player may be, at most 64.",
                required=True,
                item="type",
                limit="actions",
                nonempty=True,
                noun="a type name",
            ),
            Key(
                "prior",
                "probabilities",
                "How likely each type is, before anyone moves (expressions of parameters, so "
                "a prior can be set and swept).",
                required=True,
            ),
            Key(
                "says",
                "phrases",
                'How each type reads after "If" in a narrated path '
                '(`weak = "the defender is weak"`).',
            ),
            Key("description", "text", "What the private information is."),
        ),
    ),
    "case": Table(
        "[[moves.NAME.cases]]",
        "A case of a chance move's probabilities.",
        (
            Key("when", "condition", "When the case applies.", required=True),
            Key("probabilities", "probabilities", "The probabilities in this case.", required=True),
        ),
    ),
    "term": Table(
        "[terms.PLAYER.NAME]",
        "A named payoff term of one player. Its value at an outcome is `value` where `when` "
        "holds and `unless` does not; or, with `cases`, the sum of the cases that apply.",
        (
            Key("reason", "text", "Why the player cares: the fact or judgement behind it.", True),
            Key(
                "value", "expression", "The amount added to the player's payoff (may be negative)."
            ),
            Key("when", "condition", "The term applies only where this holds."),
            Key("unless", "condition", "The term does not apply where this holds."),
            Key(
                "cases",
                "tables",
                "`[[terms.PLAYER.NAME.cases]]`, instead of `value`.",
                item="case",
                limit="cases",
                nonempty=True,
                table="term_case",
            ),
        ),
    ),
    "term_case": Table(
        "[[terms.PLAYER.NAME.cases]]",
        "One piece of a payoff term.",
        (
            Key("value", "expression", "The amount.", required=True),
            Key("when", "condition", "Where the piece applies."),
            Key("unless", "condition", "Where it does not."),
        ),
    ),
    "rounds": Table(
        "[rounds]",
        "Repeat the whole sequence of moves for several rounds (e.g. the months to a "
        "deadline). Expressions may use `round` (1, 2, ...), so a hazard can rise or a "
        "leader change at a given round. A round whose outcome meets an `ends_when` "
        "condition ends the game (so does the last round); otherwise the next round "
        "starts, worth `discount` times as much. Each round's stage is solved by backward "
        "induction with the value of the rounds still to come (the stage is the same "
        "whatever happened before, so this is subgame perfect).",
        (
            Key(
                "count", "integer", "How many rounds, from 2 to 50.", required=True, bounds=(2, 50)
            ),
            Key("discount", "expression", "The discount factor between rounds.", default="1"),
            Key(
                "payoffs",
                "identifier",
                "`when_it_ends`: the terms count only for the round that ends the game (its "
                "outcome is the settlement, as in bargaining); `every_round`: they count in "
                "every round played (flows).",
                default="when_it_ends",
                values=("when_it_ends", "every_round"),
                noun="when payoffs count",
            ),
            Key(
                "ends_when",
                "conditions",
                "The game ends after a round whose outcome meets any of these.",
                default="never (all rounds are played)",
            ),
            Key("description", "text", "What a round stands for."),
        ),
    ),
    "expect": Table(
        "[[expect]]",
        "An outcome the scenario should show; `sim validate --expect` and the tests check it.",
        (
            Key("description", "string", "What is expected and why, in words.", required=True),
            Key(
                "concept",
                "identifier",
                "`spe`, `nash`, `pure-nash`, `correlated` or `coarse-correlated`.",
                default="the scenario's default concept",
                values=("spe", "nash", "pure-nash", "correlated", "coarse-correlated"),
                noun="a solution concept",
            ),
            Key("set", "assignments", "Parameter values for this check."),
            Key("force", "actions", "Moves forced to one action for this check."),
            Key(
                "path",
                "actions",
                "In every equilibrium, every outcome of positive probability (that satisfies "
                "`given`) takes these actions.",
            ),
            Key("given", "condition", "Restrict `path` to the outcomes where this holds."),
            Key(
                "round",
                "integer",
                "With `[rounds]`: the round `path` and `given` refer to.",
                default="1",
                bounds=(1, 50),
            ),
            Key("equilibria", "integer", "The number of equilibria found.", bounds=(0, None)),
            Key("mixed", "boolean", "Whether some equilibrium is mixed."),
        ),
    ),
}


def reference_markdown() -> str:
    """The scenario-file reference page, generated from :data:`TABLES`.

    Examples
    --------
    >>> reference_markdown().splitlines()[0]
    '# Scenario files'
    """
    lines = [
        "# Scenario files",
        "",
        "<!-- Generated by `python -m sim.scenario.schema`; do not edit by hand. -->",
        "",
        "A scenario is a TOML file. This page lists every table and key the loader accepts;",
        "anything else is an error that names the file, the line and the nearest valid key.",
        "The [tutorial](../tutorial/model-your-own-dispute.md) builds one from scratch and",
        "[the flagship model](../explanation/flagship-model.md) explains a real one.",
        "",
    ]
    for table in TABLES.values():
        lines += [f"## `{table.header}`", "", table.description, ""]
        lines += ["| Key | Kind | Required | Meaning |", "|---|---|---|---|"]
        for key in table.keys:
            required = "yes" if key.required else (f"default: {key.default}" if key.default else "")
            lines.append(f"| `{key.name}` | {key.kind} | {required} | {key.description} |")
        lines.append("")
    lines += ["## Kinds of value", "", "| Kind | Meaning |", "|---|---|"]
    lines += [f"| {kind} | {meaning} |" for kind, meaning in KINDS.items()]
    lines += [
        "",
        "## Expressions",
        "",
        "Payoff values and probabilities are numbers or strings holding an expression over",
        "parameter names (and `round`, the round being played, 1 without `[rounds]`):",
        "arithmetic (`+ - * / **`), comparisons (`< <= > >= == !=`, giving 1",
        "or 0), `and`/`or`/`not` on comparisons, parentheses and the functions `min`, `max`,",
        "`clip(x, lo, hi)`, `where(condition, a, b)`, `exp`, `log`, `abs` and `sqrt`. Nothing",
        "else parses: no strings, attribute access, subscripts or other calls. Expressions",
        "are parsed once and evaluated on whole arrays of parameter values.",
        "",
        "## Limits",
        "",
        "| What | At most |",
        "|---|---|",
    ]
    lines += [f"| {what.replace('_', ' ')} | {limit:,} |" for what, limit in LIMITS.items()]
    lines += [
        "| expression length | 2,000 characters |",
        "",
        "A file may not extend itself, directly or through others.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - used to regenerate the docs page
    print(reference_markdown(), end="")
