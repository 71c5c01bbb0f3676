"""Readers and writers for game files.

:func:`load_game` reads a file and dispatches on its suffix: Gambit's
strategic-form ``.nfg`` (:mod:`sim.formats.nfg`) and extensive-form ``.efg``
(:mod:`sim.formats.efg`). Both readers share the tokenizer of
:mod:`sim.formats.gambit_text`, which knows the conventions common to Gambit's
text formats.

Every problem with a file is reported as a :class:`~sim.errors.FormatError`
naming the file and line. Files above :data:`MAX_FILE_BYTES` are refused
before they are read.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import UsageError
from sim.formats.gambit_text import MAX_FILE_BYTES, read_text

if TYPE_CHECKING:
    from sim.games.extensive_form import ExtensiveFormGame
    from sim.games.normal_form import NormalFormGame

__all__ = ["GAME_SUFFIXES", "MAX_FILE_BYTES", "load_game"]

#: The suffixes :func:`load_game` understands.
GAME_SUFFIXES = (".nfg", ".efg")


def load_game(path: str | Path) -> NormalFormGame | ExtensiveFormGame:
    """Read a game file, choosing the reader by the file's suffix.

    Parameters
    ----------
    path
        A Gambit ``.nfg`` or ``.efg`` file.

    Raises
    ------
    UsageError
        If the suffix is not one of :data:`GAME_SUFFIXES`.
    FormatError
        If the file cannot be read or is not a valid game.

    Examples
    --------
    >>> from importlib.resources import files
    >>> load_game(files("sim") / "examples" / "summit.nfg")
    <NormalFormGame 'Summit attendance': 2 players, 2 x 2>
    """
    path = Path(str(path))
    suffix = path.suffix.lower()
    if path.is_dir():
        raise UsageError(
            f"{path}: is a directory; expected a game file ({', '.join(GAME_SUFFIXES)})"
        )
    if suffix not in GAME_SUFFIXES:
        raise UsageError(
            f"{path}: cannot read files with suffix {suffix or '(none)'!r}; "
            f"supported suffixes are {', '.join(GAME_SUFFIXES)} (and .toml for scenarios)"
        )
    text = read_text(path)
    if suffix == ".nfg":
        from sim.formats.nfg import read_nfg

        return read_nfg(text, path)
    from sim.formats.efg import read_efg

    return read_efg(text, path)
