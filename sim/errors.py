"""The exceptions sim raises on purpose.

Every error that a user can cause by what they pass in derives from
:class:`InputError`; the command line turns it into one line on stderr and
exit status 2. Anything else is a bug and exits with status 1. Catch the
type, never match the message: each kind of failure has its own.

::

    SimError
    ├── InputError              bad input: exit status 2
    │   ├── FormatError         a file that cannot be read (file, line)
    │   ├── GameError           a game that is not well formed
    │   ├── UsageError          an argument that makes no sense
    │   ├── TooLargeError       valid, but too large for what was asked
    │   └── OutputError         a result that cannot be written where asked
    └── SolverError             a solver failed for a reason that is not the input's

The library speaks Python: a message names the function and its parameters
(``solve(): concept='qre' needs lam``). Only the command line speaks of flags,
and it says the same message with its own spelling (``--concept qre needs
--lambda``) through :meth:`InputError.render`, from one table in ``sim.cli``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "FormatError",
    "GameError",
    "InputError",
    "OutputError",
    "SimError",
    "SolverError",
    "TooLargeError",
    "UsageError",
    "closest_name",
    "did_you_mean",
]


class SimError(Exception):
    """Base of every exception sim raises on purpose."""


#: How a parameter is spelled, given its name and its value (``None``: none given).
Spelling = Callable[[str, Any], str]


def python_spelling(name: str, value: Any) -> str:
    """A parameter as a Python call writes it: ``lam``, ``concept='qre'``.

    Examples
    --------
    >>> python_spelling("lam", None), python_spelling("concept", "qre")
    ('lam', "concept='qre'")
    """
    return name if value is None else f"{name}={value!r}"


class InputError(SimError):
    """The input (a file, a game, an argument) is not what was expected.

    Parameters
    ----------
    message
        What was found and what was expected. A parameter of the function
        called is written ``{name}`` and listed in ``parameters``, so that each
        caller can spell it its own way (see :meth:`render`); ``{name=value}``
        names it with another value than the one given (``use {concept=spe}``).
    function
        The public function whose argument was wrong; the Python message
        starts with it.
    parameters
        The parameters ``message`` names: a mapping from name to the value
        given (``None`` for none), or just the names.

    Examples
    --------
    >>> error = UsageError("{concept} needs {lam}", function="solve",
    ...                    parameters={"concept": "qre", "lam": None})
    >>> str(error)
    "solve(): concept='qre' needs lam"
    >>> error.render(lambda name, value: f"--{name}" + ("" if value is None else f" {value}"))
    '--concept qre needs --lam'

    A placeholder can carry its own value, and braces that are not placeholders
    are left alone:

    >>> str(UsageError("{concept} is too large; use {concept=spe}", function="solve",
    ...                parameters={"concept": "nash"}))
    "solve(): concept='nash' is too large; use concept='spe'"

    >>> str(UsageError("{force}: no move {x}", function="solve", parameters=["force"]))
    'solve(): force: no move {x}'
    """

    def __init__(
        self,
        message: str = "",
        *,
        function: str | None = None,
        parameters: Mapping[str, Any] | Iterable[str] = (),
    ) -> None:
        self.template = message
        self.function = function
        self.parameters: dict[str, Any] = (
            dict(parameters) if isinstance(parameters, Mapping) else dict.fromkeys(parameters)
        )
        super().__init__(self.render())

    def render(self, spell: Spelling | None = None) -> str:
        """The message with each parameter spelled by ``spell`` (default: as Python does).

        With the default, the message starts with ``function():``; a caller
        with its own spelling (the command line) leaves the function out.
        """
        text = self.template
        if self.parameters:
            # Only the named placeholders are replaced: braces that came from a
            # user's file or argument stay as they are.
            how = spell or python_spelling
            pattern = "|".join(re.escape(k) for k in self.parameters)

            def spelled(match: re.Match[str]) -> str:
                name, inline = match.group(1), match.group(2)
                return how(name, self.parameters[name] if inline is None else inline)

            text = re.sub(r"\{(" + pattern + r")(?:=([^{}]*))?\}", spelled, text)
        if spell is None and self.function:
            text = f"{self.function}(): {text}"
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt as it is, whatever the subclass's __init__ takes, so that errors
        # cross process boundaries (sweep workers) intact.
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type[InputError], args: tuple[Any, ...], state: dict[str, Any]) -> InputError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class GameError(InputError):
    """A game's structure or payoffs are not well formed."""


class UsageError(InputError):
    """An argument (or command-line option) is invalid."""


class TooLargeError(InputError):
    """The input is valid, but too large for the computation asked of it.

    The message says which limit was hit and what can be done instead.
    """


class OutputError(InputError):
    """A result cannot be written where it was asked to go."""


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
