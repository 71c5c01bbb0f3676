"""Sessions kept in SQLite: an append-only event log, written before anything is acknowledged.

The database is one table of events (and a table of settings: which scenario
the file belongs to, the instructor token's hash). It runs in WAL mode with
``synchronous=FULL``: a command's events are committed, and so on disk,
before the server answers, so a crash or a ``kill -9`` loses no acknowledged
move. On start every session is rebuilt by replaying its events
(:meth:`sim.classroom.session.Session.apply`).

Commands run one at a time under a lock, each in one ``BEGIN IMMEDIATE``
transaction: a command that fails part-way writes nothing, and its events are
taken back out of the in-memory state by replaying the session again.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from sim.classroom.session import Classroom, Event, Session, new_session, session_from
from sim.errors import UsageError
from sim.scenario.model import Scenario

__all__ = ["Store"]

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    session TEXT NOT NULL,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_session ON events (session, seq);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Store:
    """The sessions of one scenario, kept in a SQLite file.

    Parameters
    ----------
    db
        The database file (created if missing).
    scenario
        The scenario the sessions play; a database made for another scenario
        (by its file's SHA-256) is refused.
    scenario_hash
        That hash.
    """

    def __init__(self, db: str | Path, scenario: Scenario, scenario_hash: str) -> None:
        self.path = Path(db)
        self.scenario = scenario
        self.lock = threading.RLock()
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA busy_timeout=5000")
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as error:
            raise UsageError(f"{self.path}: not a classroom database ({error})") from None
        bound = self.setting("scenario_sha256")
        if bound is None:
            self.set_setting("scenario_sha256", scenario_hash)
            self.set_setting("scenario", scenario.path)
        elif bound != scenario_hash:
            raise UsageError(
                f"{self.path}: this database holds sessions of {self.setting('scenario')} as it "
                "was then; use another {db} for this scenario",
                function="Store",
                parameters=["db"],
            )
        self.sessions: dict[str, Session] = {}
        self.classrooms: dict[str, Classroom] = {}
        self.unreadable: dict[str, str] = {}
        for (session_id,) in self.db.execute(
            "SELECT session FROM events WHERE kind = 'session_created' ORDER BY seq"
        ).fetchall():
            try:
                self._load(session_id)
            except (KeyError, ValueError, TypeError, UsageError) as error:
                # One damaged session must not keep the class from the others.
                self.unreadable[session_id] = f"{type(error).__name__}: {error}"

    # ------------------------------------------------------------------ settings
    def setting(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        with self.lock:
            self.db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # ------------------------------------------------------------------ sessions
    def events(self, session_id: str) -> list[Event]:
        """A session's events in order, as stored."""
        rows = self.db.execute(
            "SELECT at, kind, data FROM events WHERE session = ? ORDER BY seq", (session_id,)
        ).fetchall()
        return [Event(kind, at, json.loads(data)) for at, kind, data in rows]

    def _load(self, session_id: str) -> Classroom:
        """Rebuild a session from its events."""
        events = self.events(session_id)
        session = session_from(events[0])
        classroom = Classroom(self.scenario, session, self._emitter(session))
        for event in events[1:]:
            session.apply(event, classroom.exercise)
        self.sessions[session_id] = session
        self.classrooms[session_id] = classroom
        return classroom

    def _emitter(self, session: Session) -> Callable[[str, Mapping[str, Any]], Event]:
        def emit(kind: str, data: Mapping[str, Any]) -> Event:
            event = Event(kind, time.time(), dict(data))
            self.db.execute(
                "INSERT INTO events (session, at, kind, data) VALUES (?, ?, ?, ?)",
                (session.id, event.at, kind, json.dumps(event.data, sort_keys=True)),
            )
            session.apply(event, self.classrooms[session.id].exercise)
            return event

        return emit

    def create(self, **options: Any) -> Classroom:
        """A new session (see :func:`~sim.classroom.session.new_session` for the options)."""
        data = new_session(self.scenario, **options)
        with self.lock:
            while any(s.code == data["code"] for s in list(self.sessions.values())):
                data = new_session(self.scenario, **options)
            event = Event("session_created", time.time(), data)
            self.db.execute(
                "INSERT INTO events (session, at, kind, data) VALUES (?, ?, ?, ?)",
                (data["id"], event.at, event.kind, json.dumps(data, sort_keys=True)),
            )
            return self._load(data["id"])

    def by_code(self, code: str) -> Classroom | None:
        """The session a join code opens, if it has not ended."""
        wanted = code.strip().upper()
        for session_id, session in list(self.sessions.items()):
            if session.code == wanted and not session.ended:
                return self.classrooms[session_id]
        return None

    def run(self, session_id: str, command: Callable[[Classroom], T]) -> T:
        """Run a command on a session in one transaction; its events are stored (on
        disk) before this returns, or none of them are."""
        with self.lock:
            classroom = self.classrooms[session_id]
            version = classroom.session.version
            self.db.execute("BEGIN IMMEDIATE")
            try:
                result = command(classroom)
                self.db.execute("COMMIT")
            except BaseException:
                # SQLite may have rolled back already (a full disk does): then there is
                # nothing to roll back, but memory must still be put back to what is stored.
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                if classroom.session.version != version:
                    self._load(session_id)  # drop the events applied in memory
                raise
            return result

    def close(self) -> None:
        with self.lock:
            self.db.close()
