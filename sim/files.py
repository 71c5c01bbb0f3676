"""Files written whole or not at all: a temporary file, then a rename.

A command that fails part-way must leave nothing half-written, and a reader
must never see a file being written. So text (or the bytes of a figure) goes to
a temporary file in the same directory, which is renamed over the target only
when complete (a rename within one file system is atomic).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sim.errors import OutputError

__all__ = ["write_atomically"]


def write_atomically(path: str | Path, content: str | bytes) -> None:
    """Write ``content`` (text, as UTF-8, or bytes) to ``path`` whole, or not at all.

    Raises
    ------
    OutputError
        When the directory does not exist, ``path`` is a directory, or the
        file cannot be written there.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_atomically(folder / "game.nfg", "NFG 1 R")
    >>> (folder / "game.nfg").read_text(), sorted(p.name for p in folder.iterdir())
    ('NFG 1 R', ['game.nfg'])
    >>> write_atomically(folder / "figure.pdf", b"%PDF-1.4")
    >>> (folder / "figure.pdf").read_bytes()
    b'%PDF-1.4'
    >>> write_atomically(folder / "missing" / "game.nfg", "")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.OutputError: .../missing/game.nfg: the directory .../missing does not exist
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"{path}: the directory {directory} does not exist")
    if path.is_dir():
        raise OutputError(f"{path}: is a directory; expected a file name")
    try:
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write there: {exc.strerror}") from None
    try:
        if isinstance(content, bytes):
            with os.fdopen(fd, "wb") as binary:
                binary.write(content)
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(content)
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write there: {exc.strerror}") from None
        raise
