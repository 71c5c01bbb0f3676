"""Find the line of a key in TOML text, for error messages.

:mod:`tomllib` returns plain dictionaries without positions, so this module
scans the text once for table headers (``[moves.stance]``, ``[[expect]]``) and
``key = value`` lines and records the first line of every key path. It is a
reader for messages only: it never decides what a file means, so a line it
cannot place simply gives a message without a line number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

__all__ = ["KeyPath", "key_lines", "line_of"]

#: A path into a TOML document: table keys, and indices into arrays of tables.
KeyPath = tuple[str | int, ...]

_PART = r'(?:[A-Za-z0-9_-]+|"[^"\n]*"|\'[^\'\n]*\')'
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=\s*(.*)$")
_SPLIT = re.compile(_PART)


def _unquote(part: str) -> str:
    if part.startswith('"'):
        try:  # a basic string's escapes (\n, \u00e9, ...) are JSON's
            return str(json.loads(part))
        except ValueError:
            return part[1:-1]
    return part[1:-1] if part.startswith("'") else part


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(_unquote(p) for p in _SPLIT.findall(dotted))


def key_lines(text: str) -> dict[KeyPath, int]:
    """The first line (1-based) of every key path written in a TOML text.

    Examples
    --------
    >>> lines = key_lines('[moves.stance]\\nplayer = "seoul"\\n[[expect]]\\npath = {a = "b"}\\n')
    >>> lines[("moves", "stance", "player")], lines[("expect", 0, "path")]
    (2, 4)
    """
    lines: dict[KeyPath, int] = {}
    table: KeyPath = ()
    counters: dict[KeyPath, int] = {}
    closing = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if closing:
            if line.count(closing) % 2 == 1:
                closing = ""
            continue
        header = _HEADER.match(line)
        if header:
            parts: KeyPath = _parts(header.group(2))
            # An array of tables nested under another array belongs to its last element.
            resolved: list[str | int] = []
            for part in parts:
                resolved.append(part)
                index = counters.get(tuple(resolved))
                if index is not None and len(resolved) < len(parts):
                    resolved.append(index)
            parts = tuple(resolved)
            if header.group(1) == "[[":
                counters[parts] = counters.get(parts, -1) + 1
                parts = (*parts, counters[parts])
            table = parts
            for k in range(1, len(parts) + 1):
                lines.setdefault(parts[:k], number)
            continue
        key = _KEY.match(line)
        if key:
            path = (*table, *_parts(key.group(1)))
            for k in range(len(table) + 1, len(path) + 1):
                lines.setdefault(path[:k], number)
            rest = key.group(2)
            for quote in ('"""', "'''"):
                if rest.startswith(quote) and rest.count(quote) == 1:
                    closing = quote
    return lines


def line_of(lines: Mapping[KeyPath, int], path: KeyPath) -> int | None:
    """The line of ``path``, or of its nearest enclosing key that has one.

    Examples
    --------
    >>> line_of({("moves",): 1, ("moves", "stance"): 3}, ("moves", "stance", "when", "x"))
    3
    """
    for k in range(len(path), 0, -1):
        if path[:k] in lines:
            return lines[path[:k]]
    return None
