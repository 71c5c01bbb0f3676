"""The exceptions sim raises on purpose.

Every error that a user can cause by what they pass in derives from
:class:`InputError`; the command line turns it into one line on stderr and
exit status 2. Anything else is a bug and exits with status 1.

::

    SimError
    ├── InputError              bad input: exit status 2
    │   ├── FormatError         a game file that cannot be read (file, line)
    │   ├── GameError           a game that is not well formed
    │   └── UsageError          an option or argument that makes no sense
    └── SolverError             a solver failed for a reason that is not the input's
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "FormatError",
    "GameError",
    "InputError",
    "SimError",
    "SolverError",
    "UsageError",
    "closest_name",
    "did_you_mean",
]


class SimError(Exception):
    """Base of every exception sim raises on purpose."""


class InputError(SimError):
    """The input (a file, a game, an argument) is not what was expected."""


class GameError(InputError):
    """A game's structure or payoffs are not well formed."""


class UsageError(InputError):
    """A command-line option or API argument is invalid."""


class SolverError(SimError):
    """A solver could not finish for a reason other than bad input."""


class FormatError(InputError):
    """A game file cannot be read.

    Parameters
    ----------
    path
        The file, or ``None`` for text that did not come from a file.
    line
        The 1-based line where the problem was found, if known.
    message
        What was found and what was expected.

    Examples
    --------
    >>> str(FormatError("game.nfg", 3, "expected a number; got 'x'"))
    "game.nfg:3: expected a number; got 'x'"
    """

    def __init__(self, path: str | Path | None, line: int | None, message: str) -> None:
        self.path = None if path is None else str(path)
        self.line = line
        self.message = message
        where = self.path or "<text>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")


def did_you_mean(word: object, options: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest option to a misspelt name, else ``""``.

    Every "unknown name" message uses this one rule, so suggestions are alike
    everywhere and never far-fetched.

    Examples
    --------
    >>> did_you_mean("us_alliance_prioirty", ["us_alliance_priority", "public_cover"])
    " (did you mean 'us_alliance_priority'?)"
    >>> did_you_mean("zzz", ["stance", "summit"])
    ''
    """
    close = closest_name(word, options)
    return f" (did you mean {close!r}?)" if close else ""


def closest_name(word: object, options: Iterable[str]) -> str | None:
    """The option a misspelt name most likely meant, or ``None`` if none is close.

    Examples
    --------
    >>> closest_name("atend", ["attend", "skip"]), closest_name("zzz", ["attend"])
    ('attend', None)
    """
    if not isinstance(word, str):
        return None
    close = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.6)
    return close[0] if close else None
