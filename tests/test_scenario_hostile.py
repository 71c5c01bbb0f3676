"""Hostile and malformed scenario files: each is refused with one clear line and exit status 2.

Scenario files come from students and strangers. Every case below starts from a
small valid scenario (or the flagship, for ``extends``), breaks it one way, and
checks the command-line contract: exit status 2, nothing on stdout, exactly one
line on stderr starting with ``sim: error:`` and naming the file (with the line
and the dotted key path where there is one), never a traceback. Size limits are
checked by their documented messages and a tracemalloc peak, never by a clock;
an audit hook (in a subprocess, since hooks cannot be removed) shows that no
hostile file compiles, executes, spawns or opens anything unexpected.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.scenario.schema import LIMITS, TABLES

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

VALID = """\
[scenario]
title = "Toy standoff"
date = 2020-11-15
sources = ["A source"]

[players.seoul]
name = "Seoul"

[players.tokyo]
name = "Tokyo"

[parameters.cost]
value = 1.5
range = [0, 10]
unit = "points"

[parameters.hazard]
value = 0.4
range = [0, 1]

[parameters.double_cost]
value = "2 * cost"

[parameters.design]
value = "korean"
choices = { korean = 0, joint = 1 }

[moves.stance]
player = "seoul"
actions = ["proceed", "fund"]
status_quo = "proceed"
says = { proceed = "proceeds", fund = "funds" }

[moves.sale]
player = "chance"
actions = ["completes", "stalls"]
probabilities = { completes = "hazard" }

[[moves.sale.cases]]
when = { stance = "fund" }
probabilities = { completes = "hazard / 2" }

[moves.summit]
player = "tokyo"
actions = ["attend", "skip"]
observes = ["stance"]

[terms.seoul.cost]
reason = "Paying costs money"
when = { stance = "fund" }
value = "-cost"

[terms.seoul.summit]
reason = "Hosting a summit is worth something"

[[terms.seoul.summit.cases]]
when = { summit = "attend" }
value = 2

[[terms.seoul.summit.cases]]
when = { summit = "skip" }
unless = { stance = "fund" }
value = "-1"

[terms.tokyo.summit]
reason = "Attending costs face"
when = { summit = "attend" }
value = "-0.5 - double_cost / 10"

[[expect]]
description = "Seoul proceeds"
path = { stance = "proceed" }
"""


# --------------------------------------------------------------------------- helpers
def sub(old: str, new: str, text: str = VALID) -> str:
    """``text`` with the one occurrence of ``old`` replaced."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line_of(text: str, marker: str) -> int:
    """The 1-based line of the first occurrence of ``marker``."""
    assert marker in text, marker
    return text[: text.index(marker)].count("\n") + 1


def run(*argv: str) -> tuple[int, str, str]:
    """``sim ARGV`` in-process, with its exit status, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def refused(
    path: Path,
    *options: str,
    command: str = "validate",
    needles: tuple[str, ...] = (),
    line: int | None = None,
    names_file: bool = True,
) -> str:
    """Run ``sim COMMAND PATH OPTIONS`` and check the one-line error contract; the message."""
    code, out, err = run(command, str(path), *options)
    assert code == 2, err
    assert out == ""
    assert "Traceback" not in err
    assert err.startswith("sim: error: ") and err.endswith("\n"), err
    assert len(err.splitlines()) == 1 and err.count("\n") == 1, err
    if names_file:
        assert path.name in err, err
    for needle in needles:
        assert needle in err, (needle, err)
    if line is not None:
        assert f"{path.name}:{line}: " in err, (line, err)
    return err


def write(folder: Path, text: str | bytes, name: str = "hostile.toml") -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- a tiny TOML writer
_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _key(key: str) -> str:
    return key if _BARE.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    # JSON escapes are TOML escapes; TOML also forbids a raw DEL.
    return json.dumps(text).replace("\x7f", "\\u007f")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _emit(table: dict[str, Any], path: tuple[str, ...], lines: list[str]) -> None:
    for key, value in table.items():
        if not isinstance(value, dict) and not _is_table_array(value):
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in table.items():
        dotted = ".".join(_key(p) for p in (*path, key))
        if isinstance(value, dict):
            lines.append(f"[{dotted}]")
            _emit(value, (*path, key), lines)
        elif _is_table_array(value):
            for item in value:
                lines.append(f"[[{dotted}]]")
                _emit(item, (*path, key), lines)


def to_toml(document: dict[str, Any]) -> str:
    """``document`` as TOML text: tables as headers, everything else inline."""
    lines: list[str] = []
    _emit(document, (), lines)
    return "\n".join(lines) + "\n"


BASE: dict[str, Any] = tomllib.loads(VALID)


def test_the_writer_and_the_base_scenario_are_valid(tmp_path: Path) -> None:
    assert tomllib.loads(to_toml(BASE)) == BASE
    for text in (VALID, to_toml(BASE)):
        code, out, err = run("validate", str(write(tmp_path, text)))
        assert (code, err) == (0, ""), err
        assert "3 moves, 8 outcomes" in out
    code, out, err = run("solve", str(write(tmp_path, VALID)))
    assert code == 0, err


# --------------------------------------------------------------------------- wrong types
#: Where each table of the schema occurs in the base scenario (keys whose errors
#: depend on the instance get their own).
INSTANCES: dict[str, tuple[str | int, ...]] = {
    "": (),
    "scenario": ("scenario",),
    "player": ("players", "seoul"),
    "parameter": ("parameters", "cost"),
    "move": ("moves", "stance"),
    "case": ("moves", "sale", "cases", 0),
    "term": ("terms", "seoul", "cost"),
    "term_case": ("terms", "seoul", "summit", "cases", 0),
    "expect": ("expect", 0),
    "rounds": ("rounds",),  # added to the base scenario for these cases
    "type": ("types", "resolve"),  # likewise
}
#: The private information added to the base scenario for the cases of [types.NAME].
A_TYPE = {"player": "seoul", "values": ["firm", "soft"], "prior": {"firm": 0.5}}
SPECIAL_INSTANCES = {
    ("move", "probabilities"): ("moves", "sale"),
    ("move", "cases"): ("moves", "sale"),
    ("term", "cases"): ("terms", "seoul", "summit"),
}
CANDIDATES: dict[str, Any] = {
    "boolean": True,
    "integer": 42,
    "float": 2.5,
    "string": "not a name!",
    "array": [1, 2],
    "table": {"zz": 1},
    "date": datetime.date(2020, 1, 1),
}
ALL = set(CANDIDATES)
#: For each kind of value, the candidates that must be refused.
REFUSED: dict[str, set[str]] = {
    "string": ALL - {"string"},
    "text": ALL - {"string"},
    "date": ALL - {"date"},
    "identifier": ALL,
    "identifiers": ALL,
    "strings": ALL,
    "integer": ALL - {"integer"},
    "boolean": ALL - {"boolean"},
    "range": ALL - {"array"},
    "value": ALL - {"integer", "float"},
    "expression": ALL - {"integer", "float"},
    "choices": ALL - {"table"},
    "condition": ALL,
    "conditions": ALL,
    "distribution": ALL,
    "probabilities": ALL,
    "phrases": ALL,
    "assignments": ALL,
    "actions": ALL,
    "table": ALL,
    "tables": ALL,
}


def _dotted(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _set_in(document: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    node: Any = document
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _wrong_types() -> Iterator[Any]:
    for table_name, table in TABLES.items():
        for key in table.keys:
            where = SPECIAL_INSTANCES.get((table_name, key.name), INSTANCES[table_name])
            for candidate in sorted(REFUSED[key.kind]):
                yield pytest.param(
                    (*where, key.name),
                    CANDIDATES[candidate],
                    id=f"{_dotted((*where, key.name)) or 'top'}={candidate}",
                )


@pytest.mark.parametrize(("path", "value"), list(_wrong_types()))
def test_a_wrong_type_is_refused_at_its_key(
    tmp_path: Path, path: tuple[str | int, ...], value: Any
) -> None:
    document = copy.deepcopy(BASE)
    if path[0] == "rounds":
        document["rounds"] = {"count": 2}
    if path[0] == "types":
        document["types"] = {"resolve": copy.deepcopy(A_TYPE)}
    _set_in(document, path, value)
    shown = _dotted(path)
    err = refused(write(tmp_path, to_toml(document)), needles=(shown,))
    assert re.search(r"hostile\.toml:\d+: ", err), err


# --------------------------------------------------------------------------- hand-written cases
def _case(name: str, text: str, *needles: str, at: str | None = None) -> Any:
    return pytest.param(text, needles, at, id=name)


def _table(header: str, body: str) -> str:
    return f"\n[{header}]\n{body}\n"


MANY_ACTIONS = "[" + ", ".join(f'"a{i}"' for i in range(65)) + "]"
CASES = [
    # unknown keys and names, with the nearest valid one
    _case(
        "key-titel",
        sub('title = "Toy', 'titel = "Toy'),
        "scenario.titel: unknown key (did you mean 'title'?)",
        at="titel",
    ),
    _case(
        "table-scenaro", sub("[scenario]", "[scenaro]"), "did you mean 'scenario'", at="[scenaro]"
    ),
    _case("key-nmae", sub('name = "Seoul"', 'nmae = "Seoul"'), "did you mean 'name'", at="nmae"),
    _case(
        "key-rnage",
        sub("range = [0, 10]", "rnage = [0, 10]"),
        "parameters.cost.rnage",
        "did you mean 'range'",
        at="rnage",
    ),
    _case(
        "key-actoins",
        sub('actions = ["proceed", "fund"]', 'actoins = ["proceed", "fund"]'),
        "did you mean 'actions'",
        at="actoins",
    ),
    _case(
        "key-observs",
        sub('observes = ["stance"]', 'observs = ["stance"]'),
        "did you mean 'observes'",
        at="observs",
    ),
    _case(
        "key-reasn",
        sub('reason = "Paying', 'reasn = "Paying'),
        "terms.seoul.cost.reasn",
        "did you mean 'reason'",
        at="reasn",
    ),
    _case(
        "key-descripton",
        sub('description = "Seoul proceeds"', 'descripton = "Seoul proceeds"'),
        "expect[1].descripton",
        "did you mean 'description'",
        at="descripton",
    ),
    _case(
        "key-probabilites",
        sub(
            'probabilities = { completes = "hazard / 2" }',
            'probabilites = { completes = "hazard / 2" }',
        ),
        "moves.sale.cases[1].probabilites",
        "did you mean 'probabilities'",
        at="probabilites",
    ),
    _case("key-far", sub('title = "Toy', 'zzqqxx = 1\ntitle = "Toy'), "unknown key", at="zzqqxx"),
    _case(
        "player-seol",
        sub('player = "seoul"', 'player = "seol"'),
        "moves.stance.player",
        "did you mean 'seoul'",
        at='"seol"',
    ),
    _case(
        "player-far",
        sub('player = "seoul"', 'player = "washington"'),
        "a player's id or 'chance'",
        at="washington",
    ),
    _case(
        "when-stanse",
        sub('when = { stance = "fund" }\nvalue', 'when = { stanse = "fund" }\nvalue'),
        "terms.seoul.cost.when.stanse",
        "did you mean 'stance'",
        at="stanse",
    ),
    _case(
        "when-fnd",
        sub('when = { stance = "fund" }\nvalue', 'when = { stance = "fnd" }\nvalue'),
        "did you mean 'fund'",
        at="fnd",
    ),
    _case(
        "expression-cots",
        sub('value = "-cost"', 'value = "-cots"'),
        "terms.seoul.cost.value",
        "did you mean 'cost'",
        at="cots",
    ),
    _case(
        "expression-far",
        sub('value = "-cost"', 'value = "-zzzz"'),
        "unknown name 'zzzz'",
        at="zzzz",
    ),
    _case(
        "term-player-seol",
        VALID + _table("terms.seol.x", 'reason = "r"\nvalue = 1'),
        "terms.seol",
        "did you mean 'seoul'",
        at="[terms.seol.x]",
    ),
    _case(
        "observes-stanse",
        sub('observes = ["stance"]', 'observes = ["stanse"]'),
        "did you mean 'stance'",
        at="stanse",
    ),
    _case(
        "forced-atend",
        sub('observes = ["stance"]', 'observes = ["stance"]\nforced = "atend"'),
        "moves.summit.forced",
        "did you mean 'attend'",
        at="atend",
    ),
    _case(
        "status-quo-proced",
        sub('status_quo = "proceed"', 'status_quo = "proced"'),
        "did you mean 'proceed'",
        at="proced",
    ),
    _case(
        "says-fnd",
        sub('fund = "funds"', 'fnd = "funds"'),
        "moves.stance.says.fnd",
        "did you mean 'fund'",
        at="fnd",
    ),
    _case(
        "probability-complete",
        sub('{ completes = "hazard" }', '{ complete = "hazard" }'),
        "moves.sale.probabilities.complete",
        "did you mean 'completes'",
        at="complete =",
    ),
    _case(
        "expect-set-cots",
        sub('path = { stance = "proceed" }', 'set = { cots = 1 }\npath = { stance = "proceed" }'),
        "expect[1].set.cots",
        "did you mean 'cost'",
        at="cots",
    ),
    _case(
        "expect-force-stanse",
        sub('path = { stance = "proceed" }', 'force = { stanse = "fund" }'),
        "did you mean 'stance'",
        at="stanse",
    ),
    _case(
        "expect-path-proced",
        sub('path = { stance = "proceed" }', 'path = { stance = "proced" }'),
        "expect[1].path.stance",
        "did you mean 'proceed'",
        at="proced",
    ),
    _case(
        "expect-concept-spee",
        sub('path = { stance = "proceed" }', 'concept = "spee"'),
        "did you mean 'spe'",
        at="spee",
    ),
    _case(
        "choice-label",
        sub('value = "korean"', 'value = "koraen"'),
        "parameters.design.value",
        "did you mean 'korean'",
        at="koraen",
    ),
    # chance probabilities at default values
    _case(
        "probabilities-sum",
        sub('{ completes = "hazard" }', "{ completes = 0.5, stalls = 0.6 }"),
        "moves.sale.probabilities",
        "sum to 1",
        at="completes = 0.5",
    ),
    _case(
        "probability-negative",
        sub('{ completes = "hazard" }', '{ completes = "hazard - 1" }'),
        "nonnegative",
        at="hazard - 1",
    ),
    _case(
        "probability-above-one",
        sub('{ completes = "hazard" }', '{ completes = "hazard * 3" }'),
        "nonnegative and sum to 1",
        at="hazard * 3",
    ),
    _case(
        "probability-case-negative",
        sub('"hazard / 2"', '"-hazard"'),
        "moves.sale.cases[1]",
        "nonnegative",
    ),
    _case(
        "chance-no-probabilities",
        sub('probabilities = { completes = "hazard" }\n', ""),
        "no case of the chance move applies after stance=proceed",
    ),
    _case(
        "chance-neither",
        VALID + _table("moves.late", 'player = "chance"\nactions = ["x", "y"]'),
        "moves.late: a chance move needs 'probabilities' or 'cases'",
        at="[moves.late]",
    ),
    _case(
        "chance-two-missing",
        VALID
        + _table("moves.late", 'player = "chance"\nactions = ["x", "y", "z"]\nprobabilities = {}'),
        "y, z are missing",
    ),
    _case(
        "probabilities-on-a-player-move",
        sub('status_quo = "proceed"', "probabilities = { fund = 1 }"),
        "moves.stance.probabilities: only chance moves have probabilities",
        at="fund = 1",
    ),
    # parameters
    _case(
        "default-out-of-range",
        sub("value = 1.5", "value = 11"),
        "parameters.cost.value",
        "range [0, 10]",
        at="value = 11",
    ),
    _case("range-reversed", sub("range = [0, 10]", "range = [10, 0]"), "low <= high", at="[10"),
    _case("range-three", sub("range = [0, 10]", "range = [0, 5, 10]"), "[low, high]", at="[0, 5"),
    _case(
        "range-strings", sub("range = [0, 10]", 'range = ["a", "b"]'), "parameters.cost.range[1]"
    ),
    _case(
        "derived-out-of-range",
        sub('value = "2 * cost"', 'value = "200 * cost"\nrange = [0, 10]'),
        "parameters.double_cost: the derived value 300 is outside its range",
    ),
    _case(
        "derived-self",
        sub('value = "2 * cost"', 'value = "2 * double_cost"'),
        "cannot use itself",
        at="2 * double_cost",
    ),
    _case(
        "derived-2-cycle",
        VALID
        + _table("parameters.ping", 'value = "pong + 1"')
        + _table("parameters.pong", 'value = "ping - 1"'),
        "in a cycle: ping -> pong -> ping",
    ),
    _case(
        "derived-3-cycle",
        VALID
        + _table("parameters.aa", 'value = "bb"')
        + _table("parameters.bb", 'value = "cc"')
        + _table("parameters.cc", 'value = "aa"'),
        "in a cycle: aa -> bb -> cc -> aa",
    ),
    _case(
        "derived-chain-too-deep",
        VALID
        + "".join(_table(f"parameters.q{i}", f'value = "q{i - 1} + 1"') for i in range(900, 0, -1))
        + _table("parameters.q0", "value = 0"),
        "chained more than",
    ),
    _case(
        "parameter-huge",
        sub("value = 1.5", "value = 1e300"),
        "magnitude at most 1e+15",
        at="1e300",
    ),
    _case("parameter-nan", sub("value = 1.5", "value = nan"), "finite number", at="nan"),
    _case("parameter-inf", sub("value = 1.5", "value = -inf"), "finite number", at="-inf"),
    _case(
        "parameter-400-digits",
        sub("value = 1.5", "value = " + "9" * 400),
        "parameters.cost.value",
        "magnitude at most",
        at="999",
    ),
    _case(
        "parameter-5000-digits",
        sub("value = 1.5", "value = " + "9" * 5000),
        "a number has too many digits",
        at="999",
    ),
    _case(
        "equilibria-5000-digits",
        sub('path = { stance = "proceed" }', "equilibria = " + "9" * 5000),
        "too many digits",
        at="equilibria",
    ),
    _case(
        "choices-empty", sub("choices = { korean = 0, joint = 1 }", "choices = {}"), "at least one"
    ),
    _case("choice-number-unknown", sub('value = "korean"', "value = 7"), "one of the choices"),
    _case(
        "parameter-name-digit",
        VALID + _table("parameters.1abc", "value = 1"),
        "parameters.1abc",
        at="[parameters.1abc]",
    ),
    _case(
        "parameter-name-dash",
        VALID + _table("parameters.a-b", "value = 1"),
        "parameters.a-b",
        at="[parameters.a-b]",
    ),
    _case(
        "parameter-name-unicode",
        VALID + _table('parameters."é"', "value = 1"),
        "parameters.'é'",
        at="é",
    ),
    _case(
        "parameter-name-65",
        VALID + _table("parameters." + "p" * 65, "value = 1"),
        "at most 64 characters",
        at="ppp",
    ),
    _case(
        "key-with-newline",
        VALID + _table('players."a\\nb"', ""),
        "players.'a\\nb'",
        at='"a\\nb"',
    ),
    _case(
        "key-10000-chars",
        VALID + _table("players." + "k" * 10_000, ""),
        "players.'kkk",
        at="kkkk",
    ),
    # players, moves and terms
    _case("player-chance", VALID + _table("players.chance", ""), "'chance' is reserved"),
    _case(
        "players-empty",
        sub('[players.seoul]\nname = "Seoul"\n\n[players.tokyo]\nname = "Tokyo"\n', "[players]\n"),
        "players: a scenario needs at least one player",
        at="[players]",
    ),
    _case(
        "actions-duplicate",
        sub('["proceed", "fund"]', '["proceed", "fund", "proceed"]'),
        "moves.stance.actions: actions must be distinct",
        at='"proceed", "fund", "proceed"',
    ),
    _case(
        "actions-empty", sub('["proceed", "fund"]', "[]"), "at least one action", at="actions = []"
    ),
    _case(
        "actions-65",
        sub('["proceed", "fund"]', MANY_ACTIONS),
        "at most 64 actions; got 65",
        at="a64",
    ),
    _case(
        "action-bad-name",
        sub('["proceed", "fund"]', '["proceed", "fund now"]'),
        "moves.stance.actions[2]",
        "an action name",
    ),
    _case(
        "observes-later-move",
        sub('status_quo = "proceed"', 'observes = ["summit"]'),
        "moves.stance.observes[1]",
        "an earlier move",
        at='["summit"]',
    ),
    _case(
        "observes-itself",
        sub('observes = ["stance"]', 'observes = ["summit"]'),
        "an earlier move",
    ),
    _case(
        "observes-twice",
        sub('observes = ["stance"]', 'observes = ["stance", "stance"]'),
        "listed twice",
    ),
    _case(
        "group-not-consecutive",
        sub('status_quo = "proceed"', 'group = "g"').replace(
            'observes = ["stance"]', 'observes = ["stance"]\ngroup = "g"'
        ),
        "must be consecutive",
    ),
    _case(
        "group-observes-partner",
        sub('observes = ["stance"]', 'observes = ["stance"]\ngroup = "g"')
        + _table(
            "moves.after", 'player = "seoul"\nactions = ["x"]\ngroup = "g"\nobserves = ["summit"]'
        ),
        "same simultaneous group",
    ),
    _case(
        "player-forgets",
        VALID + _table("moves.late", 'player = "tokyo"\nactions = ["x", "y"]\nobserves = []'),
        "a player forgets what they knew",
    ),
    _case(
        "when-later-move",
        sub('status_quo = "proceed"', 'when = { summit = "attend" }'),
        "moves.stance.when.summit",
    ),
    _case(
        "when-empty-list",
        sub('when = { stance = "fund" }\nvalue', "when = { stance = [] }\nvalue"),
        "at least one action",
    ),
    _case(
        "term-value-and-cases",
        sub(
            '[[terms.seoul.summit.cases]]\nwhen = { summit = "attend" }',
            'value = 1\n[[terms.seoul.summit.cases]]\nwhen = { summit = "attend" }',
        ),
        "terms.seoul.summit: give either 'value'",
    ),
    _case(
        "term-neither",
        sub('value = "-cost"\n', ""),
        "terms.seoul.cost: give either 'value'",
        at="[terms.seoul.cost]",
    ),
    _case(
        "term-when-outside-cases",
        sub(
            'reason = "Hosting a summit is worth something"',
            'reason = "Hosting"\nwhen = { stance = "fund" }',
        ),
        "terms.seoul.summit.when: with 'cases'",
    ),
    _case(
        "term-cases-empty",
        VALID + _table("terms.tokyo.empty", 'reason = "r"\ncases = []'),
        "at least one case",
    ),
    _case(
        "term-unknown-move",
        sub('unless = { stance = "fund" }', 'unless = { stanse = "fund" }'),
        "terms.seoul.summit.cases[2].unless.stanse",
        "did you mean 'stance'",
        at="stanse",
    ),
    # expectations
    _case(
        "expect-equilibria-negative",
        sub('path = { stance = "proceed" }', "equilibria = -1"),
        "a whole number >= 0",
    ),
    _case(
        "expect-round-51",
        sub('path = { stance = "proceed" }', "round = 51"),
        "expect[1].round: expected a whole number from 1 to 50; got the number 51",
        at="round = 51",
    ),
    _case(
        "expect-mixed-string",
        sub('path = { stance = "proceed" }', 'mixed = "yes"'),
        "true or false",
    ),
    _case(
        "expect-set-out-of-range",
        sub('path = { stance = "proceed" }', "set = { hazard = 2 }"),
        "expect[1].set.hazard",
        "range [0, 1]",
    ),
    _case(
        "expect-force-conflicts-with-forced",
        sub('observes = ["stance"]', 'observes = ["stance"]\nforced = "attend"').replace(
            'path = { stance = "proceed" }', 'force = { summit = "skip" }'
        ),
        "expect[1].force.summit",
    ),
    # missing required keys
    _case("missing-title", sub('title = "Toy standoff"\n', ""), "missing required key 'title'"),
    _case(
        "missing-reason",
        sub('reason = "Paying costs money"\n', ""),
        "missing required key 'reason'",
    ),
    _case("missing-player", sub('player = "tokyo"\n', ""), "missing required key 'player'"),
    _case("missing-value", sub("value = 1.5\n", ""), "missing required key 'value'"),
    _case(
        "missing-description",
        sub('description = "Seoul proceeds"\n', ""),
        "expect[1]: missing required key 'description'",
    ),
    _case("missing-terms", VALID.split("[terms.seoul.cost]")[0], "missing required key 'terms'"),
    _case("empty-file", "", "missing required key 'scenario'"),
    _case("only-a-comment", "# nothing here\n", "missing required key 'scenario'"),
    # dates
    _case("date-impossible", sub("date = 2020-11-15", 'date = "2020-13-45"'), "scenario.date"),
    _case("date-time-only", sub("date = 2020-11-15", "date = 10:00:00"), "scenario.date"),
    _case("date-false", sub("date = 2020-11-15", "date = false"), "scenario.date", at="false"),
    _case("date-zero", sub("date = 2020-11-15", "date = 0"), "got the number 0", at="date = 0"),
    _case("date-empty", sub("date = 2020-11-15", 'date = ""'), "scenario.date", at='""'),
    _case("date-empty-array", sub("date = 2020-11-15", "date = []"), "got an array", at="[]"),
    # invalid TOML carries the line
    _case(
        "toml-unterminated",
        sub('title = "Toy standoff"', 'title = "Toy'),
        "not valid TOML",
        at="Toy",
    ),
    _case("toml-no-equals", sub("value = 1.5", "value 1.5"), "not valid TOML", at="value 1.5"),
    _case(
        "toml-duplicate-key",
        sub("value = 1.5", "value = 1.5\nvalue = 2"),
        "not valid TOML",
        at="value = 2",
    ),
    _case(
        "toml-duplicate-table",
        VALID + '\n[players.seoul]  # again\nname = "Again"\n',
        "not valid TOML",
        at="# again",
    ),
    _case("toml-bad-value", sub("value = 1.5", "value = =="), "not valid TOML", at="=="),
    _case(
        "toml-nul-byte",
        sub('name = "Seoul"', 'name = "Se\x00oul"'),
        "not valid TOML",
        at="Se\x00",
    ),
    _case("toml-utf8-bom", "\ufeff" + VALID, "not valid TOML"),
    # string bombs and nesting
    _case(
        "title-long",
        sub('title = "Toy standoff"', f'title = "{"x" * 500_000}"'),
        "scenario.title: expected at most 300 characters; got 500,000",
        at="xxx",
    ),
    _case(
        "narrative-long",
        sub("date = 2020-11-15", f'date = 2020-11-15\nnarrative = """{"y" * 20_001}"""'),
        "at most 20,000 characters",
    ),
    _case(
        "escapes-long",
        sub('name = "Seoul"', 'name = "' + "\\u0041" * 100_000 + '"'),
        "players.seoul.name",
        "at most 300",
    ),
    _case(
        "sources-501",
        sub('sources = ["A source"]', "sources = [" + '"s", ' * 501 + "]"),
        "at most 500 items",
    ),
    _case(
        "arrays-nested-100000",
        sub("value = 1.5", "value = " + "[" * 100_000 + "]" * 100_000),
        "nested too deeply",
    ),
    _case(
        "inline-tables-nested-50000",
        sub("value = 1.5", "value = " + "{a = " * 50_000 + "1" + "}" * 50_000),
        "nested too deeply",
    ),
    _case(
        "dotted-key-200000",
        sub("value = 1.5", "value" + ".a" * 200_000 + " = 1"),
        "more than 32 dotted parts",
        at="value.a",
    ),
    _case(
        "quoted-dotted-key-100000",
        sub("value = 1.5", "x" + '."a"' * 100_000 + " = 1"),
        "dotted parts",
        at='x."a"',
    ),
    _case("header-200000", VALID + "[" + "a." * 200_000 + "a]\n", "dotted parts", at="[a.a"),
    _case(
        "inline-dotted-200000",
        sub("value = 1.5", "value = {" + "a." * 200_000 + "a = 1}"),
        "dotted parts",
        at="value = {a.",
    ),
    _case(
        "inline-tables-nested-40",
        sub("value = 1.5", "value = " + "{a = " * 40 + "1" + "}" * 40),
        "parameters.cost.value",
    ),
    _case(
        "too-many-outcomes",
        VALID
        + "".join(
            _table(
                f"moves.m{i}",
                'player = "tokyo"\nactions = [' + ", ".join(f'"x{j}"' for j in range(10)) + "]",
            )
            for i in range(20)
        ),
        "more than 100,000 outcomes",
    ),
    _case(
        "too-many-term-cases-for-the-outcomes",
        VALID
        + "".join(
            _table(
                f"moves.m{i}",
                'player = "tokyo"\nactions = [' + ", ".join(f'"x{j}"' for j in range(10)) + "]",
            )
            for i in range(4)
        )
        + "".join(_table(f"terms.tokyo.t{i}", 'reason = "r"\nvalue = 1') for i in range(1000)),
        "payoff-term cases over",
    ),
]


@pytest.mark.parametrize(("text", "needles", "at"), CASES)
def test_a_hostile_file_is_refused(
    tmp_path: Path, text: str, needles: tuple[str, ...], at: str | None
) -> None:
    line = None if at is None else line_of(text, at)
    refused(write(tmp_path, text), needles=needles, line=line)


def test_a_far_name_gets_no_suggestion(tmp_path: Path) -> None:
    for text in (
        sub('title = "Toy', 'zzqqxx = 1\ntitle = "Toy'),
        sub('player = "seoul"', 'player = "washington"'),
        sub('value = "-cost"', 'value = "-zzzz"'),
    ):
        assert "did you mean" not in refused(write(tmp_path, text))


RESERVED = ["and", "or", "not", "min", "max", "clip", "where", "exp", "log", "abs", "sqrt"]


@pytest.mark.parametrize("name", RESERVED)
def test_a_reserved_word_cannot_name_a_parameter(tmp_path: Path, name: str) -> None:
    text = VALID + _table(f"parameters.{name}", "value = 1")
    refused(
        write(tmp_path, text),
        needles=(f"parameters.{name}", "word of the expression language"),
        line=line_of(text, f"[parameters.{name}]"),
    )


# --------------------------------------------------------------------------- expressions
HOSTILE_EXPRESSIONS = [
    "__import__('os')",
    '__import__("os").system("true")',
    "cost.real",
    "().__class__.__bases__",
    "cost[0]",
    "lambda: 1",
    "lambda x: x",
    "10 ** 10 ** 10",
    "2 ** 2 ** 2 ** 2 ** 2",
    "-(10 ** 308) * 10",
    "exp(1000)",
    "1 / 0",
    "log(0)",
    "sqrt(-1)",
    "open('x')",
    "eval('1')",
    "exec('1')",
    "print(1)",
    "os.system('true')",
    "cost if 1 else 2",
    "[1, 2]",
    "{}",
    "f'{cost}'",
    "cost; 1",
    "cost @ cost",
    "cost and hazard",
    "not cost",
    "1 +",
    "",
    "   ",
    "(" * 60 + "1" + ")" * 60,
    "-" * 60 + "1",
    "1" + " + 1" * 600,
    "x" * 3000,
    "9" * 20,
    "1e999",
    "0x10",
    "1_000",
    "min(cost)",
    "clip(cost)",
    "where(cost, 1, 2)",
    "\u0661",
    "cost\x00",
    "cost\n+ '",
    "# comment",
    "cost = 1",
    "...",
]
EXPRESSION_SITES = {
    "term": ('value = "-cost"', "terms.seoul.cost.value"),
    "derived": ('value = "2 * cost"', "parameters.double_cost.value"),
    "probability": ('completes = "hazard" }', "moves.sale.probabilities.completes"),
}


@pytest.mark.parametrize("site", list(EXPRESSION_SITES))
@pytest.mark.parametrize("expression", HOSTILE_EXPRESSIONS, ids=lambda e: repr(e[:24]))
def test_a_hostile_expression_is_refused(tmp_path: Path, site: str, expression: str) -> None:
    marker, key = EXPRESSION_SITES[site]
    name = marker.split(" = ")[0]
    replacement = f"{name} = {_string(expression)}" + (" }" if marker.endswith("}") else "")
    text = sub(marker, replacement)
    refused(write(tmp_path, text), needles=(key,), line=line_of(VALID, marker))


# --------------------------------------------------------------------------- files and bytes
@pytest.mark.parametrize(
    ("content", "needle"),
    [
        pytest.param(VALID.encode() + b"\n# \xff\xfe\n", "not UTF-8 text", id="invalid-utf8"),
        pytest.param(VALID.replace("Seoul", "Séoul").encode("latin-1"), "not UTF-8", id="latin-1"),
        pytest.param(VALID.encode("utf-16"), "not UTF-8", id="utf-16"),
        pytest.param(b"\x00" * 1000, "not valid TOML", id="nul-bytes"),
        pytest.param(bytes(range(256)), "not UTF-8", id="all-bytes"),
    ],
)
def test_bytes_that_are_not_a_scenario_are_refused(
    tmp_path: Path, content: bytes, needle: str
) -> None:
    refused(write(tmp_path, content), needles=(needle,))


def test_a_missing_file_or_a_folder_is_refused(tmp_path: Path) -> None:
    refused(tmp_path / "absent.toml", needles=("no such scenario file",))
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    refused(folder, needles=("is not a file",))


def _peak_megabytes(action: Callable[[], None]) -> float:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


LIMIT_BYTES = f"at most {LIMITS['file_bytes']:,}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("build", "needle"),
    [
        pytest.param(
            lambda: sub(
                '["proceed", "fund"]', "[" + ", ".join(f'"a{i}"' for i in range(1_000_000)) + "]"
            ),
            LIMIT_BYTES,
            id="a-million-actions",
        ),
        pytest.param(
            lambda: VALID + "".join(f"[parameters.p{i}]\nvalue = {i}\n" for i in range(1_000_000)),
            LIMIT_BYTES,
            id="a-million-parameters",
        ),
        pytest.param(lambda: VALID + "#" * 2_000_000 + "\n", LIMIT_BYTES, id="a-2-MB-file"),
        pytest.param(
            lambda: (
                VALID + "[parameters]\n" + "".join(f"p{i} = {{value = 1}}\n" for i in range(2_000))
            ),
            f"at most {LIMITS['parameters']:,} parameters; got 2,004",
            id="2000-parameters",
        ),
        pytest.param(
            lambda: sub('title = "Toy standoff"', f'title = "{"x" * 990_000}"'),
            "at most 300 characters",
            id="a-1-MB-string",
        ),
        pytest.param(
            lambda: sub("value = 1.5", "value" + ".a" * 480_000 + " = 1"),
            "dotted parts",
            id="a-1-MB-dotted-key",
        ),
    ],
)
def test_huge_files_fail_by_their_limit_without_exhausting_memory(
    tmp_path: Path, build: Callable[[], str], needle: str
) -> None:
    path = write(tmp_path, build())
    peak = _peak_megabytes(lambda: refused(path, needles=(needle,)))
    assert peak < 200, f"{peak:.0f} MB"


def test_too_many_players_moves_terms_cases_and_expectations(tmp_path: Path) -> None:
    chance = 'player = "chance"\nactions = ["x", "y"]\nprobabilities = { x = 0.5 }\n'
    variants = {
        "players": VALID + "".join(_table(f"players.p{i}", "") for i in range(17)),
        "moves": VALID
        + "".join(_table(f"moves.m{i}", 'player = "tokyo"\nactions = ["x"]') for i in range(62)),
        "terms": VALID
        + "".join(_table(f"terms.tokyo.t{i}", 'reason = "r"\nvalue = 1') for i in range(2001)),
        "cases": VALID
        + _table("moves.late", chance)
        + '[[moves.late.cases]]\nwhen = { stance = "fund" }\nprobabilities = { x = 1 }\n' * 257,
        "expectations": VALID + '[[expect]]\ndescription = "d"\n' * 200,
    }
    needles = {
        "players": "at most 16 players; got 19",
        "moves": "at most 64 moves; got 65",
        "terms": "terms.tokyo: at most 2,000 terms",
        "cases": "moves.late.cases: at most 256 entries; got 257",
        "expectations": "expect: at most 200 entries; got 201",
    }
    for what, text in variants.items():
        refused(write(tmp_path, text, f"{what}.toml"), needles=(needles[what],))


# --------------------------------------------------------------------------- extends
@pytest.fixture
def flagship(tmp_path: Path) -> Path:
    """A copy of the flagship and of a scenario extending it."""
    for name in ("baseline_nov2020.toml", "biden_mediation.toml"):
        shutil.copy(SCENARIOS / name, tmp_path / name)
    return tmp_path


def test_extends_cycles_are_named(tmp_path: Path) -> None:
    self_cycle = write(tmp_path, 'extends = "self.toml"\n' + VALID, "self.toml")
    refused(self_cycle, needles=("extends: a cycle: self.toml -> self.toml",), line=1)
    write(tmp_path, 'extends = "b.toml"\n' + VALID, "a.toml")
    write(tmp_path, 'extends = "a.toml"\n', "b.toml")
    refused(tmp_path / "a.toml", needles=("a cycle: a.toml -> b.toml -> a.toml",))
    write(tmp_path, 'extends = "y.toml"\n', "x.toml")
    write(tmp_path, '# y\nextends = "z.toml"\n', "y.toml")
    write(tmp_path, 'extends = "./x.toml"\n', "z.toml")
    err = refused(tmp_path / "x.toml", needles=("a cycle: x.toml -> y.toml -> z.toml -> x.toml",))
    assert "z.toml:1: " in err


def test_extends_problems_are_refused(tmp_path: Path) -> None:
    cases = {
        '"absent.toml"': "no such scenario file",
        '"."': "is not a file",
        '""': "expected the path of a scenario file",
        "3": "expected the path of a scenario file; got the number 3",
        '"a\\nb.toml"': "expected the path of a scenario file; got the string 'a\\nb.toml'",
        "[]": "got an array",
    }
    for target, needle in cases.items():
        path = write(tmp_path, f"extends = {target}\n" + VALID)
        refused(path, needles=(needle,), line=1)


def test_extends_too_deep(tmp_path: Path) -> None:
    write(tmp_path, VALID, "c0.toml")
    for k in range(1, 20):
        write(tmp_path, f'extends = "c{k - 1}.toml"\n', f"c{k}.toml")
    refused(tmp_path / "c19.toml", needles=("more than 16 files deep",))


def test_extends_errors_name_the_file_they_are_in(flagship: Path) -> None:
    child = flagship / "biden_mediation.toml"
    base = flagship / "baseline_nov2020.toml"
    code, _, err = run("validate", str(child))
    assert code == 0, err
    text = child.read_text()
    broken = sub(
        "[parameters.public_cover]\nvalue = 0.4", "[parameters.public_cover]\nvaleu = 0.4", text
    )
    child.write_text(broken)
    refused(child, needles=("did you mean 'value'",), line=line_of(broken, "valeu"))
    child.write_text(text + '\n[terms.seol.x]\nreason = "r"\nvalue = 1\n')
    refused(child, needles=("terms.seol", "did you mean 'seoul'"))
    child.write_text(text)
    original = base.read_text()
    base_broken = sub(
        '[moves.summit]\nplayer = "tokyo"', '[moves.summit]\nplayer = "tokio"', original
    )
    base.write_text(base_broken)
    err = refused(child, needles=("did you mean 'tokyo'",), names_file=False)
    assert f"baseline_nov2020.toml:{line_of(base_broken, 'tokio')}: " in err
    base.write_bytes(original.encode() + b"\xff")
    assert "baseline_nov2020.toml" in refused(child, needles=("not UTF-8",), names_file=False)
    base.write_text(original + "\n[oops\n")
    err = refused(child, needles=("not valid TOML",), names_file=False)
    assert re.search(r"baseline_nov2020\.toml:\d+: ", err), err
    base.write_text(original + "#" * LIMITS["file_bytes"])
    refused(child, needles=("extends:", "at most 1,000,000"))


# --------------------------------------------------------------------------- --set and --force
@pytest.mark.parametrize("command", ["solve", "convert"])
@pytest.mark.parametrize(
    ("options", "needles"),
    [
        pytest.param(("--set", "cots=1"), ("no parameter called 'cots'", "'cost'"), id="set-cots"),
        pytest.param(("--set", "zzzz=1"), ("no parameter called 'zzzz'",), id="set-unknown"),
        pytest.param(("--set", "cost=100"), ("cost: the value 100 is outside",), id="set-range"),
        pytest.param(("--set", "hazard=-0.1"), ("hazard",), id="set-negative"),
        pytest.param(("--set", "cost=abc"), ("expected a number",), id="set-non-numeric"),
        pytest.param(("--set", "cost=nan"), ("finite",), id="set-nan"),
        pytest.param(("--set", "cost=inf"), ("finite",), id="set-inf"),
        pytest.param(("--set", "cost=1e999"), ("finite",), id="set-overflow"),
        pytest.param(("--set", "cost="), ("expected NAME=VALUE",), id="set-empty"),
        pytest.param(("--set", "cost"), ("expected NAME=VALUE",), id="set-no-equals"),
        pytest.param(("--set", "=1"), ("expected NAME=VALUE",), id="set-no-name"),
        pytest.param(("--set", "design=jont"), ("did you mean 'joint'",), id="set-choice"),
        pytest.param(("--set", "design=5"), ("one of the choices",), id="set-choice-number"),
        pytest.param(("--force", "stanse=fund"), ("did you mean 'stance'",), id="force-move"),
        pytest.param(("--force", "zzzz=fund"), ("no move called 'zzzz'",), id="force-unknown"),
        pytest.param(("--force", "stance=fnd"), ("expected one of proceed, fund",), id="force-act"),
        pytest.param(("--force", "stance"), ("expected MOVE=ACTION",), id="force-no-equals"),
    ],
)
def test_bad_command_line_values_are_refused(
    tmp_path: Path, command: str, options: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    extra = ("--to", "efg") if command == "convert" else ()
    # Errors about a flag name the flag's value; the file is named where it is at fault.
    refused(
        write(tmp_path, VALID),
        *options,
        *extra,
        command=command,
        needles=needles,
        names_file=False,
    )


def test_set_on_an_extending_scenario(flagship: Path) -> None:
    child = flagship / "biden_mediation.toml"
    refused(child, "--set", "public_covr=1", command="solve", needles=("'public_cover'",))
    refused(
        child,
        "--set",
        "hazard_liquidation=2",
        command="solve",
        needles=("outside",),
        names_file=False,
    )


# --------------------------------------------------------------------------- random documents
NAMES = sorted(
    {"seoul", "tokyo", "chance", "stance", "sale", "summit", "proceed", "fund", "attend", "skip"}
    | {"completes", "stalls", "cost", "hazard", "double_cost", "design", "korean", "joint", "x"}
    | {name for table in TABLES.values() for name in table.names}
)
KEYS = st.one_of(st.sampled_from(NAMES), st.text(min_size=1, max_size=8))
SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(NAMES),
    st.sampled_from(["-cost", "hazard * 2", "cost.real", "1 / 0", "2 ** 2 ** 2 ** 2 ** 2"]),
    st.dates(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=8,
)


def _tables(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _tables(value)
    elif isinstance(node, list):
        for value in node:
            yield from _tables(value)


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        table = draw(st.sampled_from(list(_tables(document))))
        operation = draw(st.sampled_from(["set", "replace", "delete"]))
        if operation != "set" and table:
            key = draw(st.sampled_from(sorted(table)))
            if operation == "delete":
                del table[key]
                continue
        else:
            key = draw(KEYS)
        table[key] = draw(VALUES)
    return document


def _contract(code: int, out: str, err: str) -> None:
    assert code in (0, 2), err
    assert "Traceback" not in err
    if code == 2:
        assert out == ""
        assert err.startswith("sim: error: ") and len(err.splitlines()) == 1, err
    else:
        assert err == "" and ": OK (" in out


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile") / "random.toml"


@pytest.mark.slow
@settings(max_examples=150)
@given(document=mutated_documents())
def test_random_mutations_either_load_or_fail_cleanly(
    scratch: Path, document: dict[str, Any]
) -> None:
    scratch.write_text(to_toml(document), encoding="utf-8")
    _contract(*run("validate", str(scratch)))


@settings(max_examples=100)
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(["insert", "delete", "duplicate", "swap"]), st.integers(0, 10**6)
        ),
        min_size=1,
        max_size=4,
    ),
    junk=st.text(max_size=20),
)
def test_random_text_edits_either_load_or_fail_cleanly(
    scratch: Path, edits: list[tuple[str, int]], junk: str
) -> None:
    lines = VALID.splitlines()
    for operation, at in edits:
        k = at % len(lines)
        if operation == "insert":
            column = at % (len(lines[k]) + 1)
            lines[k] = lines[k][:column] + junk + lines[k][column:]
        elif operation == "delete":
            del lines[k]
        elif operation == "duplicate":
            lines.insert(k, lines[k])
        else:
            j = (at // 7) % len(lines)
            lines[k], lines[j] = lines[j], lines[k]
        if not lines:
            lines = [""]
    scratch.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    _contract(*run("validate", str(scratch)))


@settings(max_examples=100)
@given(content=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_random_bytes_fail_cleanly(scratch: Path, content: bytes) -> None:
    scratch.write_bytes(content)
    code, out, err = run("validate", str(scratch))
    assert code == 2
    _contract(code, out, err)


# --------------------------------------------------------------------------- nothing runs
AUDIT_SCRIPT = """
import contextlib, io, json, sys
from sim.cli import main
runs, allowed = json.load(sys.stdin)
allowed = set(allowed)

def run_all():
    codes = []
    for argv in runs:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            codes.append(main(argv))
    return codes

first = run_all()  # imports whatever the error paths import lazily
events = []
watched = ("exec", "compile", "import", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
           "os.fork", "subprocess.Popen", "ctypes", "socket")

def hook(event, args):
    if event.startswith(watched):
        events.append(event)
    elif event == "open" and isinstance(args[0], str) and args[0] not in allowed:
        events.append("open " + args[0])

sys.addaudithook(hook)
second = run_all()
seen = sorted(set(events))
exec("1")  # a positive control: the hook does see code being run
print(json.dumps({"first": first, "second": second, "events": seen, "control": "exec" in events}))
"""


@pytest.mark.slow
def test_hostile_scenarios_never_execute_anything(tmp_path: Path) -> None:
    """Load, compile and solve hostile files under an audit hook (in a subprocess: a
    hook cannot be removed) that records code compilation and execution, imports,
    process creation and the opening of any file but the scenarios themselves.

    ``extends`` may name any file the user can read, as a scenario's own path may: a
    file that is not a scenario (here /etc/passwd) is read as text and refused."""
    runs: list[list[str]] = []
    texts = [sub('value = "-cost"', f"value = {_string(e)}") for e in HOSTILE_EXPRESSIONS]
    texts += [p.values[0] for p in CASES[:60]]
    for k, text in enumerate(texts):
        runs.append(["validate", str(write(tmp_path, text, f"h{k}.toml"))])
    write(tmp_path, 'extends = "loop_b.toml"\n' + VALID, "loop_a.toml")
    write(tmp_path, 'extends = "loop_a.toml"\n', "loop_b.toml")
    escape = os.path.relpath("/etc/passwd", tmp_path)  # really reaches /etc/passwd
    write(tmp_path, f'extends = "{escape}"\n' + VALID, "escape.toml")
    valid = write(tmp_path, VALID, "valid.toml")
    runs += [
        ["validate", str(tmp_path / "loop_a.toml")],
        ["solve", str(valid), "--set", "cost=__import__('os')"],
        ["solve", str(valid), "--force", "stance=__import__"],
        ["convert", str(valid), "--to", "efg", "--set", "zzz=1"],
    ]
    allowed = {str(p) for p in tmp_path.iterdir()} | {str(p.resolve()) for p in tmp_path.iterdir()}
    allowed |= {str(Path("/etc/passwd")), str(Path("/etc/passwd").resolve())}
    runs += [["validate", str(tmp_path / "escape.toml")], ["solve", str(valid)]]
    out = subprocess.run(
        [sys.executable, "-c", AUDIT_SCRIPT],
        input=json.dumps([runs, sorted(allowed)]),
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(out.stdout)
    assert report["control"] is True
    assert report["events"] == [], report["events"]
    assert report["first"] == report["second"]
    assert report["second"][:-1] == [2] * (len(runs) - 1)
    assert report["second"][-1] == 0


def test_extends_reaching_a_file_that_is_not_a_scenario_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("root:x:0:0:root:/root:/bin/sh\n")
    path = write(tmp_path, f'extends = "{os.path.relpath(target, tmp_path)}"\n' + VALID)
    code, out, err = run("validate", str(path))
    assert code == 2 and not out
    assert "notes.txt:1: not valid TOML" in err
