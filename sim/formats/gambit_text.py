"""The text syntax common to Gambit's .nfg and .efg files: tokens, numbers, quoting.

Whitespace and commas separate tokens, ``{`` and ``}`` delimit lists, and text
in double quotes is one token, in which a backslash makes the next character
literal (``\\"``). Both readers (:mod:`sim.formats.nfg`, :mod:`sim.formats.efg`)
share this lexer, and both writers its quoting and number formatting.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from sim.errors import FormatError

__all__ = [
    "MAX_FILE_BYTES",
    "Lexer",
    "Token",
    "format_number",
    "parse_number",
    "quote",
    "read_text",
    "unique_labels",
]


# ---------------------------------------------------------------------- shared tokenizer
#: The largest game file read, in bytes (and characters, for text).
MAX_FILE_BYTES = 50 * 1024 * 1024


def read_text(path: Path) -> str:
    """Read a game file as UTF-8 text, refusing large, binary and undecodable files."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise FormatError(
                path, None, f"file is {size:,} bytes; game files may be at most {MAX_FILE_BYTES:,}"
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise FormatError(path, None, f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise FormatError(path, None, f"file is larger than {MAX_FILE_BYTES:,} bytes")
    nul = data.find(b"\0")
    if nul >= 0:
        raise FormatError(
            path, data.count(b"\n", 0, nul) + 1, "binary file (NUL byte); expected a text file"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(
            path,
            data.count(b"\n", 0, exc.start) + 1,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}); expected a text file",
        ) from None


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is ``"{"``, ``"}"``, ``"string"`` or ``"word"``."""

    kind: str
    text: str
    line: int

    def describe(self) -> str:
        """The token as it would appear in an error message."""
        if self.kind == "string":
            shown = self.text if len(self.text) <= 40 else self.text[:37] + "..."
            return f"string {shown!r}"
        shown = self.text if len(self.text) <= 40 else self.text[:37] + "..."
        return repr(shown)


_SPACE = re.compile(r"[\s,]+")
_WORD = re.compile(r'[^\s,{}"]+')
_STRING_BODY = re.compile(r'(?:[^"\\]|\\.)*', re.DOTALL)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,4})?")
_RATIONAL = re.compile(r"([+-]?\d{1,400})/(\d{1,400})")
_INTEGER = re.compile(r"\d{1,9}")


class Lexer:
    """A tokenizer with one token of look-ahead that raises :class:`FormatError`.

    Examples
    --------
    >>> lexer = Lexer('NFG 1 R "a \\\\"quoted\\\\" title" { 1/3 }', None, "a header")
    >>> [lexer.word("w"), lexer.word("w"), lexer.word("w"), lexer.string("title")]
    ['NFG', '1', 'R', 'a "quoted" title']
    >>> lexer.open("{"), lexer.number("p"), lexer.close("}")
    (None, 0.3333333333333333, None)
    """

    def __init__(self, text: str, path: str | Path | None, first: str) -> None:
        self.path = None if path is None else str(path)
        if not isinstance(text, str):
            raise FormatError(self.path, None, f"expected text; got {type(text).__name__}")
        if len(text) > MAX_FILE_BYTES:
            raise FormatError(self.path, None, f"text is larger than {MAX_FILE_BYTES:,} characters")
        nul = text.find("\0")
        if nul >= 0:
            raise FormatError(
                self.path, text.count("\n", 0, nul) + 1, "binary file (NUL byte); expected text"
            )
        self.text = text[1:] if text.startswith("\ufeff") else text
        if not self.text.strip():
            raise FormatError(self.path, 1, f"empty file; expected {first}")
        self._tokens = self._scan()
        self._next: Token | None = None
        self._done = False
        self.line = 1  # the line of the last token consumed

    def _scan(self) -> Iterator[Token]:
        text, pos, line, end = self.text, 0, 1, len(self.text)
        while pos < end:
            space = _SPACE.match(text, pos)
            if space:
                line += text.count("\n", pos, space.end())
                pos = space.end()
                continue
            char = text[pos]
            if char in "{}":
                yield Token(char, char, line)
                pos += 1
            elif char == '"':
                body = _STRING_BODY.match(text, pos + 1)
                assert body is not None  # the pattern also matches the empty string
                if body.end() >= end:
                    raise FormatError(
                        self.path, line, "unterminated string: no closing '\"' before end of file"
                    )
                yield Token("string", _ESCAPE.sub(r"\1", body.group()), line)
                line += text.count("\n", pos, body.end())
                pos = body.end() + 1
            else:
                word = _WORD.match(text, pos)
                assert word is not None
                yield Token("word", word.group(), line)
                pos = word.end()

    def peek(self) -> Token | None:
        """The next token without consuming it, or ``None`` at the end of the text."""
        if self._next is None and not self._done:
            self._next = next(self._tokens, None)
            self._done = self._next is None
        return self._next

    def take(self, expected: str) -> Token:
        """Consume the next token; at the end of the text, report what was ``expected``."""
        token = self.peek()
        if token is None:
            raise FormatError(self.path, self.line, f"unexpected end of file; expected {expected}")
        self._next = None
        self.line = token.line
        return token

    def fail(self, token: Token, expected: str) -> FormatError:
        """The error for finding ``token`` where ``expected`` should be."""
        return FormatError(self.path, token.line, f"expected {expected}; got {token.describe()}")

    def kind(self, kind: str, expected: str) -> Token:
        """Consume a token of the given kind."""
        token = self.take(expected)
        if token.kind != kind:
            raise self.fail(token, expected)
        return token

    def open(self, expected: str) -> None:
        """Consume ``{``."""
        self.kind("{", expected)

    def close(self, expected: str) -> None:
        """Consume ``}``."""
        self.kind("}", expected)

    def at(self, kind: str) -> bool:
        """Whether the next token has the given kind."""
        token = self.peek()
        return token is not None and token.kind == kind

    def string(self, expected: str) -> str:
        """Consume a quoted string."""
        return self.kind("string", expected).text

    def word(self, expected: str) -> str:
        """Consume an unquoted word."""
        return self.kind("word", expected).text

    def integer(self, expected: str, low: int = 0, high: int = 10**9) -> int:
        """Consume a nonnegative integer in ``low..high``."""
        token = self.kind("word", expected)
        if not _INTEGER.fullmatch(token.text):
            raise self.fail(token, expected)
        value = int(token.text)
        if not low <= value <= high:
            raise FormatError(
                self.path, token.line, f"expected {expected} in {low}..{high}; got {value}"
            )
        return value

    def number(self, expected: str) -> float:
        """Consume a number: an integer, a decimal (with exponent) or a rational ``a/b``."""
        token = self.kind("word", expected)
        value = parse_number(token.text)
        if value is None:
            raise self.fail(token, expected)
        return value

    def end(self, after: str) -> None:
        """Check that nothing but whitespace follows."""
        token = self.peek()
        if token is not None:
            raise FormatError(self.path, token.line, f"unexpected {token.describe()} after {after}")


def parse_number(text: str) -> float | None:
    """A finite number written as an integer, decimal or rational; ``None`` if it is not one.

    Examples
    --------
    >>> parse_number("-3/4"), parse_number(".5e1"), parse_number("x"), parse_number("1/0")
    (-0.75, 5.0, None, None)
    """
    try:
        if _DECIMAL.fullmatch(text):
            value = float(text)
        else:
            match = _RATIONAL.fullmatch(text)
            if match is None or int(match.group(2)) == 0:
                return None
            value = float(Fraction(int(match.group(1)), int(match.group(2))))
    except (ValueError, OverflowError):
        return None
    return value if abs(value) < float("inf") else None


def unique_labels(labels: list[str], default: str) -> list[str]:
    """Fill empty labels with ``default.format(k)`` (1-based) and suffix repeats ``" (2)"``.

    Gambit files may leave labels empty or repeat them; our games need distinct
    labels, so readers pass labels through this function.

    Examples
    --------
    >>> unique_labels(["a", "", "a", "b"], "{}")
    ['a', '2', 'a (2)', 'b']
    """
    filled = [label if label.strip() else default.format(k + 1) for k, label in enumerate(labels)]
    taken = set(filled)
    seen: set[str] = set()
    result = []
    for label in filled:
        if label in seen:
            k = 2
            while f"{label} ({k})" in taken:
                k += 1
            label = f"{label} ({k})"
            taken.add(label)
        seen.add(label)
        result.append(label)
    return result


def quote(text: str) -> str:
    """Quote a label for a Gambit file, escaping backslashes and double quotes.

    Examples
    --------
    >>> print(quote('say "yes"'))
    "say \\"yes\\""
    """
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_number(value: float) -> str:
    """Write a float so that :func:`parse_number` reads back exactly the same value.

    Integers are written without a decimal point and simple fractions as ``a/b``.

    Examples
    --------
    >>> format_number(3.0), format_number(1 / 3), format_number(0.1), format_number(2.5e-12)
    ('3', '1/3', '0.1', '0.0000000000025')
    """
    import numpy as np

    if value == int(value) and abs(value) < 1e16:
        return str(int(value))
    decimal = str(np.format_float_positional(value, unique=True, trim="-"))
    if len(decimal) <= 12:
        return decimal
    fraction = Fraction(value).limit_denominator(1000)
    if fraction.denominator != 1 and float(fraction) == value:
        return f"{fraction.numerator}/{fraction.denominator}"
    return decimal
