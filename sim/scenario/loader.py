"""Read a scenario file: TOML, ``extends``, and a check of every key.

Scenario files come from students and strangers, so reading one never runs
code and never trusts a size: the file is capped in bytes, ``extends`` chains in
depth (and cycles are named), every table and list in count, and expressions
are parsed by :mod:`sim.scenario.expressions`. Every problem is a
:class:`~sim.errors.FormatError` naming the file, the line (found by
:mod:`sim.scenario.locate`), the key path, what was expected and, for a
misspelt name, the nearest valid one.

The result is an inert :class:`~sim.scenario.model.Scenario`; compiling it to a
game is :func:`sim.scenario.compiler.compile_scenario`'s job.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NoReturn

from sim.errors import FormatError, UsageError, did_you_mean
from sim.scenario.expressions import FUNCTIONS, Expression, ExpressionError, parse_expression
from sim.scenario.locate import KeyPath, key_lines, line_of
from sim.scenario.model import (
    CHANCE_PLAYER,
    ROUND,
    ChanceCase,
    Condition,
    Distribution,
    Expectation,
    Move,
    Parameter,
    Player,
    Rounds,
    Scenario,
    Term,
    TermCase,
)
from sim.scenario.schema import LENGTHS, LIMITS, TABLES, Key, Table

__all__ = ["EXPECT_CONCEPTS", "as_scenario", "load_scenario", "load_scenario_text"]

#: The solution concepts an ``[[expect]]`` entry may name.
EXPECT_CONCEPTS = TABLES["expect"].key("concept").values

_IDENTIFIER = re.compile(rf"[A-Za-z_][A-Za-z0-9_]{{0,{LENGTHS['identifier'] - 1}}}")
_RESERVED = frozenset({"and", "or", "not", ROUND}) | frozenset(FUNCTIONS)
#: The distribution families and the numbers each needs (beyond low and high).
_FAMILIES = {"uniform": (), "triangular": ("mode",), "normal": ("mean", "sd"), "beta": ("a", "b")}
_MAX_NUMBER = 1e15
#: How an error says what each kind of table of the file's own names looks like.
_SHAPES = {
    "condition": '{move = "action", ...}',
    "probabilities": "{action = probability, ...}",
    "phrases": '{action = "phrase"}',
    "assignments": "{parameter = value}",
    "actions": '{move = "action"}',
    "distribution": "{kind = ..., ...}",
}
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)|\s*\(at end of document\)")
#: Keys nested deeper than this are refused before parsing: tomllib takes time
#: quadratic (or worse) in the number of parts of one dotted key or header.
_MAX_KEY_PARTS = 32
_KEY_PART = r"""(?:(?<![A-Za-z0-9_-])[A-Za-z0-9_-]++|"[^"\n]*"|'[^'\n]*')"""
_DEEP_KEY = re.compile(rf"{_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART}){{{_MAX_KEY_PARTS},}}")
_LONG_INTEGER = re.compile(r"[0-9_]{4000,}")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]{1,40}")
#: Derived parameters may be chained at most this deep (compiling resolves them recursively).
_MAX_DERIVATION_DEPTH = 64


def _dotted(path: KeyPath) -> str:
    text = ""
    for part in path:
        if not isinstance(part, int) and not _BARE_KEY.fullmatch(part):
            part = repr(part if len(part) <= 40 else part[:37] + "...")
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"


def _kind_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        shown = repr(value)
        return f"the number {shown if len(shown) <= 40 else shown[:37] + '...'}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def _is_date(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class _Source:
    """One file's text, its parsed contents and where each key is written."""

    path: Path
    data: dict[str, Any]
    lines: Mapping[KeyPath, int]


# --------------------------------------------------------------------------- reading
def _read(path: Path, shown: str, cause: tuple[_Source, KeyPath] | None) -> _Source:
    def fail(message: str) -> NoReturn:
        if cause is not None:
            source, key = cause
            raise FormatError(source.path, line_of(source.lines, key), f"extends: {message}")
        raise FormatError(shown, None, message)

    try:
        size = path.stat().st_size
        if not path.is_file():
            fail(f"{shown} is not a file")
        if size > LIMITS["file_bytes"]:
            fail(
                f"{shown} is {size:,} bytes; a scenario file may have at most "
                f"{LIMITS['file_bytes']:,}"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        fail(f"no such scenario file: {shown}")
    except OSError as error:
        fail(f"cannot read {shown}: {error.strerror or error}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FormatError(shown, None, f"not UTF-8 text (byte {error.start})") from None
    return _parse(text, shown, path)


def _parse(text: str, shown: str, path: Path) -> _Source:
    if len(text.encode("utf-8")) > LIMITS["file_bytes"]:
        raise FormatError(
            shown, None, f"a scenario may have at most {LIMITS['file_bytes']:,} bytes"
        )
    deep = _DEEP_KEY.search(text)
    if deep:
        raise FormatError(
            shown,
            text.count("\n", 0, deep.start()) + 1,
            f"not valid TOML: a key has more than {_MAX_KEY_PARTS} dotted parts",
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _TOML_POSITION.search(message)
        line = int(found.group(1)) if found and found.group(1) else None
        reason = _TOML_POSITION.sub("", message).strip() or "invalid TOML"
        raise FormatError(shown, line, f"not valid TOML: {reason}") from None
    except RecursionError:
        raise FormatError(
            shown, None, "not valid TOML: arrays or tables nested too deeply"
        ) from None
    except ValueError:  # int() refuses more than 4,300 digits
        long = _LONG_INTEGER.search(text)
        raise FormatError(
            shown,
            text.count("\n", 0, long.start()) + 1 if long else None,
            "not valid TOML: a number has too many digits",
        ) from None
    return _Source(Path(shown), data, key_lines(text))


def _merge(base: dict[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _key_paths(data: Mapping[str, Any], prefix: KeyPath = ()) -> Iterator[KeyPath]:
    for key, value in data.items():
        path = (*prefix, key)
        yield path
        if isinstance(value, dict):
            yield from _key_paths(value, path)


def _resolve(
    source: _Source, chain: tuple[Path, ...]
) -> tuple[dict[str, Any], dict[KeyPath, _Source], list[str]]:
    """The merged contents of a file and what it extends, with each key's origin."""
    data = dict(source.data)
    base: dict[str, Any] = {}
    origins: dict[KeyPath, _Source] = {}
    files: list[str] = []
    if "extends" in data:
        target = data.pop("extends")
        where = ("extends",)
        if not isinstance(target, str) or not target or not target.isprintable():
            raise FormatError(
                source.path,
                line_of(source.lines, where),
                f"extends: expected the path of a scenario file; got {_kind_name(target)}",
            )
        resolved = (source.path.parent / target).resolve()
        names = " -> ".join(p.name for p in (*chain, resolved))
        if resolved in chain:
            raise FormatError(
                source.path, line_of(source.lines, where), f"extends: a cycle: {names}"
            )
        if len(chain) >= LIMITS["extends_depth"]:
            raise FormatError(
                source.path,
                line_of(source.lines, where),
                f"extends: more than {LIMITS['extends_depth']} files deep: {names}",
            )
        shown = _display(resolved)
        parent = _read(resolved, shown, (source, where))
        base, origins, files = _resolve(parent, (*chain, resolved))
    for path in _key_paths(data):
        origins[path] = source
    return _merge(base, data), origins, [str(source.path), *files]


# --------------------------------------------------------------------------- checking
class _Checker:
    """Checks the merged document and builds the model, failing with the file and line.

    :meth:`table` checks a table against its schema declaration: unknown and
    missing keys, and each value by :meth:`declared`. The methods after
    ``the document`` build the model and check only what no declaration says:
    what names refer to, expressions, cycles, and keys that depend on others.
    """

    def __init__(self, data: dict[str, Any], origins: dict[KeyPath, _Source], top: _Source):
        self.data = data
        self.origins = origins
        self.top = top
        self.parameter_names: tuple[str, ...] = ()

    # ---- errors
    def where(self, path: KeyPath) -> tuple[Path, int | None]:
        for k in range(len(path), 0, -1):
            source = self.origins.get(path[:k])
            if source is not None:
                return source.path, line_of(source.lines, path)
        return self.top.path, line_of(self.top.lines, path)

    def fail(self, path: KeyPath, message: str) -> NoReturn:
        file, line = self.where(path)
        raise FormatError(file, line, f"{_dotted(path)}: {message}")

    def label(self, path: KeyPath) -> str:
        file, line = self.where(path)
        return f"{file}:{line}: {_dotted(path)}" if line else f"{file}: {_dotted(path)}"

    # ---- what the schema declares
    def table(self, value: object, path: KeyPath, spec: Table) -> dict[str, Any]:
        """``value`` checked as a ``spec`` table: its keys, then each value as declared."""
        value = self.table_shape(value, path, spec)
        for name in value:
            if name not in spec.names:
                self.fail(
                    (*path, name),
                    f"unknown key{did_you_mean(name, spec.names)}; "
                    f"{spec.header} takes {', '.join(spec.names)}",
                )
        for key in spec.keys:
            if key.required and key.name not in value:
                self.fail(path, f"missing required key {key.name!r} ({key.description})")
        for key in spec.keys:
            if key.name in value and not key.reference:
                self.declared(key, value[key.name], (*path, key.name))
        return value

    def declared(self, key: Key, value: object, path: KeyPath) -> None:
        """Check a value against its key's declaration: kind, size, bounds, allowed words."""
        kind = key.kind
        if kind in _SHAPES:
            shaped = self.shaped(value, path, kind)
            if kind == "phrases":
                for name, phrase in shaped.items():
                    self.string(phrase, (*path, name))
        elif kind in ("string", "text"):
            self.string(value, path, LENGTHS[kind])
        elif kind == "date":
            if not isinstance(value, datetime.date) and not (
                isinstance(value, str) and _is_date(value)
            ):
                self.fail(path, f"expected a date like 2020-11-15; got {_kind_name(value)}")
        elif kind == "identifier" and key.values:
            self.one_of(value, path, key.values, key.noun)
        elif kind == "identifier":
            self.identifier(value, path)
        elif kind == "identifiers":
            self.identifiers(key, value, path)
        elif kind == "strings":
            for k, item in enumerate(self.array(value, path, "strings")):
                self.string(item, (*path, k))
        elif kind == "conditions":
            for k, item in enumerate(self.array(value, path, "conditions")):
                self.shaped(item, (*path, k), "condition")
        elif kind == "integer":
            self.integer(key, value, path)
        elif kind == "boolean":
            if not isinstance(value, bool):
                self.fail(path, f"expected true or false; got {_kind_name(value)}")
        elif kind == "value":  # a string is an expression or a choice: the caller parses it
            if not isinstance(value, str):
                self.number(value, path)
        elif kind == "expression":
            self.expression_text(value, path)
        elif kind == "range":
            self.range_of(value, path)
        elif kind in ("table", "tables", "choices"):
            self.collection(key, value, path)
        else:
            raise ValueError(f"the schema declares a kind the loader cannot check: {kind!r}")

    def shaped(self, value: object, path: KeyPath, kind: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, f"expected a table {_SHAPES[kind]}; got {_kind_name(value)}")
        return value

    def collection(self, key: Key, value: object, path: KeyPath) -> None:
        """A table, a table of named entries or an array of tables, as declared."""
        if key.kind == "tables":
            self.nonempty(key, self.array_of_tables(value, path, key.limit), path)
        elif not key.item:  # one table: its own keys are checked where it is read
            self.table_shape(value, path, TABLES[key.table])
        else:
            entries = self.entries(value, path, f"{key.item}s", key.limit)
            self.nonempty(key, entries, path)
            for name, entry in entries.items():
                if key.kind == "choices":
                    self.number(entry, (*path, name))
                else:
                    self.table_shape(entry, (*path, name), TABLES[key.table])

    def table_shape(self, value: object, path: KeyPath, spec: Table) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, f"expected a table ({spec.header}); got {_kind_name(value)}")
        return value

    def nonempty(self, key: Key, items: Sized, path: KeyPath) -> None:
        if key.nonempty and not items:
            needs = "a scenario needs" if len(path) == 1 else "expected"
            self.fail(path, f"{needs} at least one {key.item}")

    def entries(self, value: object, path: KeyPath, what: str, limit: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, f"expected a table of {what}; got {_kind_name(value)}")
        self.at_most(value, path, limit, what)
        for name in value:
            self.identifier(name, (*path, name), f"the name of one of the {what}")
        return value

    def array_of_tables(self, value: object, path: KeyPath, limit: str) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(
                path, f"expected an array of tables ([[{_dotted(path)}]]); got {_kind_name(value)}"
            )
        self.at_most(value, path, limit, "entries")
        return value

    def array(self, value: object, path: KeyPath, what: str) -> list[Any]:
        if not isinstance(value, list):
            self.fail(path, f"expected an array of {what}; got {_kind_name(value)}")
        self.at_most(value, path, "list_items", "items")
        return value

    def at_most(self, items: Sized, path: KeyPath, limit: str, what: str) -> None:
        if len(items) > LIMITS[limit]:
            self.fail(path, f"at most {LIMITS[limit]:,} {what}; got {len(items):,}")

    def identifiers(self, key: Key, value: object, path: KeyPath) -> None:
        items = self.array(value, path, f"{key.item}s")
        self.nonempty(key, items, path)
        self.at_most(items, path, key.limit, f"{key.item}s")
        for k, item in enumerate(items):
            self.identifier(item, (*path, k), key.noun)
        if len(set(items)) != len(items):
            self.fail(path, f"{key.item}s must be distinct")

    def identifier(self, value: object, path: KeyPath, what: str = "an identifier") -> str:
        if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
            self.fail(
                path,
                f"expected {what}: letters, digits and '_', not starting with a "
                f"digit, at most {LENGTHS['identifier']} characters; got {_kind_name(value)}",
            )
        return value

    def string(self, value: object, path: KeyPath, limit: int = LENGTHS["string"]) -> str:
        if not isinstance(value, str):
            self.fail(path, f"expected a string; got {_kind_name(value)}")
        if len(value) > limit:
            self.fail(path, f"expected at most {limit:,} characters; got {len(value):,}")
        return value

    def integer(self, key: Key, value: object, path: KeyPath) -> None:
        low, high = key.bounds or (None, None)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or (low is not None and value < low)
            or (high is not None and value > high)
        ):
            span = "" if low is None else f" >= {low}" if high is None else f" from {low} to {high}"
            self.fail(path, f"expected a whole number{span}; got {_kind_name(value)}")

    def number(self, value: object, path: KeyPath) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, f"expected a number; got {_kind_name(value)}")
        if not abs(value) <= _MAX_NUMBER:  # also refuses nan, and ints too big for a float
            self.fail(
                path,
                f"expected a finite number of magnitude at most {_MAX_NUMBER:g}; "
                f"got {_kind_name(value)}",
            )
        return float(value)

    def range_of(self, value: object, path: KeyPath) -> None:
        pair = self.array(value, path, "two numbers")
        if len(pair) != 2:
            self.fail(path, f"expected [low, high]; got {len(pair)} numbers")
        low, high = (self.number(v, (*path, k)) for k, v in enumerate(pair))
        if low > high:
            self.fail(path, f"expected low <= high; got [{low:g}, {high:g}]")

    def one_of(self, value: object, path: KeyPath, options: Sequence[str], what: str) -> str:
        if not isinstance(value, str) or value not in options:
            listed = ", ".join(options[:12]) + (", ..." if len(options) > 12 else "")
            self.fail(
                path,
                f"expected {what} ({listed}); got {_kind_name(value)}"
                f"{did_you_mean(value, options)}",
            )
        return value

    def names_in(
        self, value: object, path: KeyPath, options: Sequence[str], what: str
    ) -> tuple[str, ...]:
        items = self.array(value, path, what)
        result: list[str] = []
        for k, item in enumerate(items):
            result.append(self.one_of(item, (*path, k), options, what))
        if len(set(result)) != len(result):
            twice = next(x for x in result if result.count(x) > 1)
            self.fail(path, f"{twice!r} is listed twice")
        return tuple(result)

    def expression_text(self, value: object, path: KeyPath) -> str:
        """A number or an expression, as the text to parse."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return repr(self.number(value, path))
        if not isinstance(value, str):
            self.fail(
                path, f"expected a number or an expression in a string; got {_kind_name(value)}"
            )
        return value

    def expression(self, value: object, path: KeyPath) -> Expression:
        text = self.expression_text(value, path)
        try:
            return parse_expression(
                text, names=(*self.parameter_names, ROUND), where=self.label(path)
            )
        except ExpressionError as error:
            file, line = self.where(path)
            raise FormatError(
                file,
                line,
                f"{_dotted(path)}: {error.message}"
                + (f" (column {error.column})" if error.column else ""),
            ) from None

    # ---- the document
    def scenario(self, path: str, files: Sequence[str]) -> Scenario:
        top = self.table(self.data, (), TABLES[""])
        meta = self.table(top["scenario"], ("scenario",), TABLES["scenario"])
        date = meta.get("date", "")
        players = self.players(top["players"])
        parameters = self.parameters(top.get("parameters", {}))
        moves = self.moves(top["moves"], [p.id for p in players], top.get("types", {}))
        if "types" in top and "rounds" in top:
            self.fail(
                ("types",),
                "types cannot be combined with [rounds] yet: each round would draw them again",
            )
        terms = self.terms(top["terms"], players, moves)
        rounds = self.rounds(top["rounds"], moves) if "rounds" in top else None
        expectations = self.expectations(top.get("expect", []), parameters, moves)
        n_rounds = rounds.count if rounds else 1
        for k, expectation in enumerate(expectations):
            if expectation.round > n_rounds:
                self.fail(
                    ("expect", k, "round"),
                    f"the scenario has {n_rounds} round(s); got {expectation.round}",
                )
        return Scenario(
            path=path,
            title=meta["title"],
            date=date.isoformat() if isinstance(date, datetime.date) else date,
            narrative=meta.get("narrative", ""),
            sources=tuple(meta.get("sources", ())),
            players=players,
            parameters=parameters,
            moves=moves,
            terms=terms,
            expectations=expectations,
            files=tuple(files),
            rounds=rounds,
        )

    def rounds(self, value: object, moves: Sequence[Move]) -> Rounds:
        path: KeyPath = ("rounds",)
        spec = self.table(value, path, TABLES["rounds"])
        by_name = {m.name: m for m in moves}
        return Rounds(
            count=spec["count"],
            discount=self.expression(spec.get("discount", 1), (*path, "discount")),
            ends_when=tuple(
                self.condition(c, (*path, "ends_when", k), by_name)
                for k, c in enumerate(spec.get("ends_when", ()))
            ),
            description=spec.get("description", ""),
            every_round=spec.get("payoffs") == "every_round",
        )

    def players(self, table: dict[str, Any]) -> tuple[Player, ...]:
        result = []
        for pid, spec in table.items():
            path = ("players", pid)
            if pid == CHANCE_PLAYER:
                self.fail(path, f"{CHANCE_PLAYER!r} is reserved for nature's moves")
            spec = self.table(spec, path, TABLES["player"])
            result.append(
                Player(
                    id=pid,
                    name=spec.get("name", pid),
                    description=spec.get("description", ""),
                    briefing=spec.get("briefing", ""),
                )
            )
        return tuple(result)

    def parameters(self, table: dict[str, Any]) -> dict[str, Parameter]:
        for name in table:
            if name in _RESERVED:
                self.fail(
                    ("parameters", name),
                    f"{name!r} cannot name a parameter: it is a word of the expression language",
                )
        self.parameter_names = tuple(table)
        result: dict[str, Parameter] = {}
        for name, spec in table.items():
            path = ("parameters", name)
            spec = self.table(spec, path, TABLES["parameter"])
            result[name] = self.parameter(name, spec, path)
        self.check_derivations(result)
        return result

    def parameter(self, name: str, spec: dict[str, Any], path: KeyPath) -> Parameter:
        bounds: tuple[float, float] | None = None
        if "range" in spec:
            low, high = spec["range"]
            bounds = (float(low), float(high))
        choices: dict[str, float] | None = None
        if "choices" in spec:
            choices = {k: float(v) for k, v in spec["choices"].items()}
        raw = spec["value"]
        value: float | Expression
        if choices is not None:
            value = self.choice(raw, (*path, "value"), choices)
        elif isinstance(raw, str):
            value = self.expression(raw, (*path, "value"))
            if name in value.names:
                self.fail((*path, "value"), f"a derived parameter cannot use itself ({name!r})")
        else:
            value = float(raw)
        if isinstance(value, float):
            self.in_range(value, bounds, (*path, "value"))
        return Parameter(
            name=name,
            value=value,
            range=bounds,
            unit=spec.get("unit", ""),
            label=spec.get("label", ""),
            description=spec.get("description", ""),
            source=spec.get("source", ""),
            choices=choices,
            distribution=self.distribution(spec, path, bounds, choices),
        )

    def distribution(
        self,
        spec: dict[str, Any],
        path: KeyPath,
        bounds: tuple[float, float] | None,
        choices: Mapping[str, float] | None,
    ) -> Distribution | None:
        if "distribution" not in spec:
            return None
        where = (*path, "distribution")
        if choices is not None:
            self.fail(where, "a categorical parameter has no distribution")
        raw = spec["distribution"]
        kind = self.one_of(raw.get("kind"), (*where, "kind"), list(_FAMILIES), "a distribution")
        needed = _FAMILIES[kind]
        for key in raw:
            if key != "kind" and key not in (*needed, "low", "high"):
                self.fail(
                    (*where, key),
                    f"unknown key for a {kind} distribution{did_you_mean(key, needed)}",
                )
        numbers = {k: self.number(v, (*where, k)) for k, v in raw.items() if k != "kind"}
        if "low" not in numbers or "high" not in numbers:
            if bounds is None:
                self.fail(where, "give low and high, or a range for the parameter")
            numbers = {"low": bounds[0], "high": bounds[1], **numbers}
        for key in needed:
            if key not in numbers:
                self.fail(where, f"a {kind} distribution needs {', '.join(needed)}")
        low, high = numbers["low"], numbers["high"]
        if low > high or (bounds is not None and not bounds[0] <= low <= high <= bounds[1]):
            self.fail(
                where, f"expected low <= high within the parameter's range; got [{low:g}, {high:g}]"
            )
        if kind == "triangular" and not low <= numbers["mode"] <= high:
            self.fail((*where, "mode"), f"expected low <= mode <= high; got {numbers['mode']:g}")
        for key in ("sd", "a", "b"):
            if key in numbers and numbers[key] <= 0:
                self.fail((*where, key), f"expected a positive number; got {numbers[key]:g}")
        value = spec.get("value")
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and not (low <= value <= high)
        ):
            self.fail(
                where,
                f"the value {value:g} lies outside the distribution's [{low:g}, {high:g}]; "
                "give this scenario its own distribution",
            )
        return Distribution(kind, numbers)

    def choice(self, raw: object, path: KeyPath, choices: Mapping[str, float]) -> float:
        if isinstance(raw, str):
            return choices[self.one_of(raw, path, list(choices), "one of the choices")]
        number = self.number(raw, path)
        if number not in choices.values():
            self.fail(
                path,
                f"expected one of the choices {', '.join(choices)} or their numbers; got {raw!r}",
            )
        return number

    def in_range(self, value: float, bounds: tuple[float, float] | None, path: KeyPath) -> None:
        if bounds is not None and not bounds[0] <= value <= bounds[1]:
            self.fail(
                path, f"expected a value in the range [{bounds[0]:g}, {bounds[1]:g}]; got {value:g}"
            )

    def check_derivations(self, parameters: Mapping[str, Parameter]) -> None:
        # Depth-first without recursion: a chain may be as long as there are parameters.
        depth: dict[str, int] = {}

        def uses(name: str) -> list[str]:
            value = parameters[name].value
            if not isinstance(value, Expression):
                return []
            return sorted(n for n in value.names if n in parameters)  # not `round`

        for root in parameters:
            if root in depth:
                continue
            trail = [root]
            stack = [iter(uses(root))]
            while stack:
                other = next(stack[-1], None)
                if other is None:
                    stack.pop()
                    name = trail.pop()
                    depth[name] = 1 + max((depth[o] for o in uses(name)), default=0)
                    if depth[name] > _MAX_DERIVATION_DEPTH:
                        self.fail(
                            ("parameters", name, "value"),
                            f"derived parameters are chained more than "
                            f"{_MAX_DERIVATION_DEPTH} deep",
                        )
                elif other in trail:
                    cycle = " -> ".join((*trail[trail.index(other) :], other))
                    self.fail(
                        ("parameters", other, "value"),
                        f"derived parameters depend on each other in a cycle: {cycle}",
                    )
                elif other not in depth:
                    trail.append(other)
                    stack.append(iter(uses(other)))

    def condition(
        self, value: dict[str, Any], path: KeyPath, moves: Mapping[str, Move]
    ) -> Condition:
        parts = []
        for name, actions in value.items():
            move = moves.get(name)
            if move is None:
                self.fail(
                    (*path, name), f"no move called {name!r}{did_you_mean(name, list(moves))}"
                )
            what = f"an action of {name}"
            if not isinstance(actions, list):
                chosen: tuple[str, ...] = (self.one_of(actions, (*path, name), move.actions, what),)
            elif not actions:
                self.fail((*path, name), "expected at least one action")
            else:
                chosen = self.names_in(actions, (*path, name), move.actions, what)
            parts.append((name, frozenset(chosen)))
        return tuple(parts)

    def moves(
        self, table: dict[str, Any], players: Sequence[str], types: dict[str, Any] | None = None
    ) -> tuple[Move, ...]:
        """The moves in the order of play: the types first (chance's draws), then the moves.

        A type is private: a move sees it when it is its own player's, or when its
        ``observes`` names it; a move without ``observes`` sees every earlier move but
        the others' types.
        """
        earlier: dict[str, Move] = {}
        groups: list[str] = []
        owner: dict[str, str] = {}
        for name, spec in (types or {}).items():
            move, owner[name] = self.type_move(name, spec, players)
            earlier[name] = move
            groups.append("")
        for name, spec in table.items():
            path = ("moves", name)
            if name in owner:
                self.fail(path, f"{name!r} already names a type ([types.{name}])")
            spec = self.table(spec, path, TABLES["move"])
            move = self.move(name, spec, path, players, earlier, groups)
            seen = move.observes
            if "observes" not in spec:
                seen = tuple(m for m in seen if owner.get(m, move.player) == move.player)
            own = tuple(t for t, who in owner.items() if who == move.player and t not in seen)
            if seen != move.observes or own:
                move = replace(move, observes=(*own, *seen))
            earlier[name] = move
            groups.append(move.group)
        return tuple(earlier.values())

    def type_move(self, name: str, spec: object, players: Sequence[str]) -> tuple[Move, str]:
        """A ``[types.NAME]`` table as chance's move, and the player who knows it."""
        path = ("types", name)
        spec = self.table(spec, path, TABLES["type"])
        player = self.one_of(spec["player"], (*path, "player"), players, "a player's id")
        values = tuple(spec["values"])
        prior = (*path, "prior")
        says: dict[str, str] = dict(spec.get("says", {}))
        for value in says:
            self.one_of(value, (*path, "says", value), values, "one of the values")
        move = Move(
            name=name,
            player=CHANCE_PLAYER,
            actions=values,
            observes=(),
            cases=(
                ChanceCase((), self.probabilities(spec["prior"], prior, values), self.label(prior)),
            ),
            says=says,
            description=spec.get("description", ""),
        )
        return move, player

    def move(
        self,
        name: str,
        spec: dict[str, Any],
        path: KeyPath,
        players: Sequence[str],
        earlier: Mapping[str, Move],
        groups: list[str],
    ) -> Move:
        player = self.one_of(
            spec["player"],
            (*path, "player"),
            [*players, CHANCE_PLAYER],
            "a player's id or 'chance'",
        )
        actions: list[str] = spec["actions"]
        group: str = spec.get("group", "")
        if group and group in groups and groups[-1] != group:
            self.fail((*path, "group"), f"the moves of group {group!r} must be consecutive")
        same_group = {m for m, g in zip(earlier, groups, strict=True) if group and g == group}
        if "observes" in spec:
            observes = self.names_in(
                spec["observes"], (*path, "observes"), list(earlier), "an earlier move"
            )
            both = same_group & set(observes)
            if both:
                self.fail(
                    (*path, "observes"),
                    f"{sorted(both)[0]!r} is in the same "
                    f"simultaneous group {group!r}, so it cannot be observed",
                )
        else:
            observes = tuple(m for m in earlier if m not in same_group)
        when = self.condition(spec.get("when", {}), (*path, "when"), earlier)
        for other, _ in when:
            if other in same_group:
                self.fail(
                    (*path, "when", other),
                    f"{other!r} is in the same simultaneous group {group!r}: a move cannot "
                    "depend on a move made at the same time",
                )
        forced = ""
        if "forced" in spec:
            forced = self.one_of(spec["forced"], (*path, "forced"), actions, "one of the actions")
        status_quo = ""
        if "status_quo" in spec:
            status_quo = self.one_of(
                spec["status_quo"], (*path, "status_quo"), actions, "one of the actions"
            )
        says: dict[str, str] = dict(spec.get("says", {}))
        for action in says:
            self.one_of(action, (*path, "says", action), actions, "one of the actions")
        cases: tuple[ChanceCase, ...] = ()
        if player == CHANCE_PLAYER:
            cases = self.chance_cases(spec, path, tuple(actions), earlier)
        else:
            for key in ("probabilities", "cases"):
                if key in spec:
                    self.fail((*path, key), "only chance moves have probabilities")
        return Move(
            name=name,
            player=player,
            actions=tuple(actions),
            observes=observes,
            when=when,
            group=group,
            cases=cases,
            forced=forced,
            status_quo=status_quo,
            says=says,
            description=spec.get("description", ""),
        )

    def chance_cases(
        self,
        spec: dict[str, Any],
        path: KeyPath,
        actions: tuple[str, ...],
        earlier: Mapping[str, Move],
    ) -> tuple[ChanceCase, ...]:
        if "probabilities" not in spec and "cases" not in spec:
            self.fail(path, "a chance move needs 'probabilities' or 'cases'")
        cases = []
        for k, raw in enumerate(spec.get("cases", ())):
            where = (*path, "cases", k)
            raw = self.table(raw, where, TABLES["case"])
            cases.append(
                ChanceCase(
                    self.condition(raw["when"], (*where, "when"), earlier),
                    self.probabilities(raw["probabilities"], (*where, "probabilities"), actions),
                    self.label(where),
                )
            )
        if "probabilities" in spec:
            where = (*path, "probabilities")
            cases.append(
                ChanceCase(
                    (), self.probabilities(spec["probabilities"], where, actions), self.label(where)
                )
            )
        return tuple(cases)

    def probabilities(
        self, value: dict[str, Any], path: KeyPath, actions: tuple[str, ...]
    ) -> tuple[Expression | None, ...]:
        for action in value:
            self.one_of(action, (*path, action), actions, "one of the actions")
        missing = [a for a in actions if a not in value]
        if len(missing) > 1:
            self.fail(
                path,
                f"give the probability of every action but at most one; "
                f"{', '.join(missing)} are missing",
            )
        return tuple(
            None if a not in value else self.expression(value[a], (*path, a)) for a in actions
        )

    def terms(
        self, value: object, players: Sequence[Player], moves: Sequence[Move]
    ) -> tuple[Term, ...]:
        where: KeyPath = ("terms",)
        ids = [p.id for p in players]
        if not isinstance(value, dict):
            self.fail(where, f"expected a table of players' terms; got {_kind_name(value)}")
        by_name = {m.name: m for m in moves}
        result = []
        count = 0
        for pid, table in value.items():
            self.one_of(pid, (*where, pid), ids, "a player's id")
            table = self.entries(table, (*where, pid), "terms", "terms")
            for name, spec in table.items():
                path = (*where, pid, name)
                spec = self.table(spec, path, TABLES["term"])
                cases = self.term_cases(spec, path, by_name)
                count += len(cases)
                if count > LIMITS["terms"]:
                    self.fail(path, f"at most {LIMITS['terms']:,} payoff terms and cases in all")
                result.append(Term(pid, name, spec["reason"], cases))
        return tuple(result)

    def term_cases(
        self, spec: dict[str, Any], path: KeyPath, moves: Mapping[str, Move]
    ) -> tuple[TermCase, ...]:
        if ("value" in spec) == ("cases" in spec):
            self.fail(
                path,
                "give either 'value' (with 'when'/'unless') or 'cases', not both and not neither",
            )
        if "cases" in spec:
            for key in ("when", "unless"):
                if key in spec:
                    self.fail((*path, key), f"with 'cases', put '{key}' inside each case")
            specs = [
                ((*path, "cases", k), self.table(c, (*path, "cases", k), TABLES["term_case"]))
                for k, c in enumerate(spec["cases"])
            ]
        else:
            specs = [(path, spec)]
        return tuple(
            TermCase(
                self.condition(case.get("when", {}), (*where, "when"), moves),
                self.condition(case.get("unless", {}), (*where, "unless"), moves),
                self.expression(case["value"], (*where, "value")),
            )
            for where, case in specs
        )

    def expectations(
        self,
        value: list[dict[str, Any]],
        parameters: Mapping[str, Parameter],
        moves: Sequence[Move],
    ) -> tuple[Expectation, ...]:
        where: KeyPath = ("expect",)
        by_name = {m.name: m for m in moves}
        result = []
        for k, spec in enumerate(value):
            path = (*where, k)
            spec = self.table(spec, path, TABLES["expect"])
            settings: dict[str, float] = {}
            for name, raw in spec.get("set", {}).items():
                self.one_of(name, (*path, "set", name), list(parameters), "a parameter")
                settings[name] = self.setting(parameters[name], raw, (*path, "set", name))
            force = self.actions(spec.get("force", {}), (*path, "force"), by_name)
            for name, action in force.items():
                if by_name[name].forced and action != by_name[name].forced:
                    self.fail(
                        (*path, "force", name),
                        f"the move is already forced to {by_name[name].forced!r}",
                    )
            if "given" in spec and not spec.get("path"):
                self.fail((*path, "given"), "'given' restricts 'path': give a 'path' too")
            result.append(
                Expectation(
                    description=spec["description"],
                    concept=spec.get("concept", ""),
                    set=settings,
                    force=force,
                    path=self.actions(spec.get("path", {}), (*path, "path"), by_name),
                    given=self.condition(spec.get("given", {}), (*path, "given"), by_name),
                    equilibria=spec.get("equilibria"),
                    mixed=spec.get("mixed"),
                    key=self.label(path),
                    round=spec.get("round", 1),
                )
            )
        return tuple(result)

    def setting(self, parameter: Parameter, raw: object, path: KeyPath) -> float:
        if parameter.choices is not None:
            return self.choice(raw, path, parameter.choices)
        value = self.number(raw, path)
        self.in_range(value, parameter.range, path)
        return value

    def actions(
        self, value: dict[str, Any], path: KeyPath, moves: Mapping[str, Move]
    ) -> dict[str, str]:
        result = {}
        for name, action in value.items():
            if name not in moves:
                self.fail(
                    (*path, name), f"no move called {name!r}{did_you_mean(name, list(moves))}"
                )
            options = list(moves[name].actions)
            result[name] = self.one_of(action, (*path, name), options, f"an action of {name}")
        return result


# --------------------------------------------------------------------------- public
def load_scenario(path: str | Path) -> Scenario:
    """Read, merge (``extends``) and check a scenario file.

    Parameters
    ----------
    path
        A ``.toml`` scenario file.

    Returns
    -------
    Scenario
        The validated, inert contents.

    Raises
    ------
    FormatError
        For anything that is not a valid scenario: the message names the file,
        the line where it can, the key path and what was expected.

    Examples
    --------
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> [m.name for m in scenario.moves]
    ['mediation', 'stance', 'summit', 'liquidation', 'controls', 'gsomia']
    """
    shown = str(path)
    source = _read(Path(path), shown, None)
    return _finish(source, shown)


def as_scenario(scenario: Scenario | str | Path, *, function: str = "as_scenario") -> Scenario:
    """A scenario given as itself or as the path of its file.

    Every public function that takes a scenario takes either, through this.

    Examples
    --------
    >>> as_scenario("scenarios/baseline_nov2020.toml").title
    'The summit standoff, November 2020'
    >>> as_scenario(3)
    Traceback (most recent call last):
    ...
    sim.errors.UsageError: as_scenario(): scenario: expected a Scenario or the path of a .toml file; got int
    """  # noqa: E501
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, str | Path):
        return load_scenario(scenario)
    raise UsageError(
        "{scenario}: expected a Scenario or the path of a .toml file; "
        f"got {type(scenario).__name__}",
        function=function,
        parameters=["scenario"],
    )


def load_scenario_text(text: str, path: str | Path = "<scenario>") -> Scenario:
    """Check a scenario given as text (``extends`` is relative to ``path``'s folder).

    Examples
    --------
    >>> text = '''
    ... [scenario]
    ... title = "Who blinks"
    ... [players.seoul]
    ... [moves.stance]
    ... player = "seoul"
    ... actions = ["proceed", "fund"]
    ... [terms.seoul.cost]
    ... when = { stance = "fund" }
    ... value = -1
    ... reason = "Paying costs money"
    ... '''
    >>> load_scenario_text(text).moves[0].actions
    ('proceed', 'fund')
    """
    shown = str(path)
    return _finish(_parse(text, shown, Path(path)), shown)


def _finish(source: _Source, shown: str) -> Scenario:
    data, origins, files = _resolve(source, (source.path.resolve(),))
    return _Checker(data, origins, source).scenario(shown, files)
