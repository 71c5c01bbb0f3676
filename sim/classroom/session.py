"""A live classroom session as an event log: every change is an event, the state is their replay.

A session has parallel *worlds*; in each *round* every world plays the
scenario once, stage by stage. Everything that happens is an :class:`Event`
(a student joins, an order is submitted, chance draws, a stage is revealed,
the instructor pauses or changes a parameter), and :class:`Session` is what
the events add up to: :meth:`Session.apply` is the only code that changes it,
so a session reloaded from its log after a crash is the session that was
running, and a finished session can be replayed event by event for the
debrief.

Commands (:class:`Classroom`) check a request against the state and, if it is
allowed, emit the events it causes, through an ``emit`` function that stores
each event before applying it (see :mod:`sim.classroom.store`). Chance draws
and bot choices are made by commands, from a seed per world, round and move,
and stored as events: replay never draws again.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.classroom.engine import BOT_POLICIES, Exercise, Result, Stage
from sim.errors import UsageError
from sim.scenario.model import Scenario

__all__ = [
    "Classroom",
    "Event",
    "Participant",
    "Play",
    "Session",
    "new_token",
    "token_hash",
]

#: Join codes use letters and digits that cannot be mistaken for one another.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MAX_WORLDS = 50
MAX_PARTICIPANTS = 1_000
MAX_PSEUDONYM = 40
#: How joining students are seated (see new_session).
SEATINGS = ("in order", "random")


@dataclass(frozen=True)
class Event:
    """One thing that happened: its kind, when (seconds since the epoch) and its data."""

    kind: str
    at: float
    data: Mapping[str, Any]


@dataclass
class Participant:
    """A student: a pseudonym in one role of one world, known to the server by a token."""

    id: str
    pseudonym: str
    world: int
    role: str
    token_hash: str
    removed: bool = False


@dataclass
class Play:
    """One world's play of the scenario in one round."""

    world: int
    round: int
    settings: dict[str, Any]
    path: dict[str, str] = field(default_factory=dict)
    stage: tuple[str, ...] = ()  # the moves of the open stage
    orders: dict[str, tuple[str, str]] = field(default_factory=dict)  # move -> (action, by)
    opened_at: float = 0.0
    deadline: float | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    result: Result | None = None

    @property
    def finished(self) -> bool:
        """Whether the play has reached an outcome."""
        return self.result is not None


@dataclass
class Session:
    """What a session's events add up to."""

    id: str
    code: str
    worlds: int
    roles: tuple[str, ...]
    bots: str
    lam: float
    seed: int
    stage_seconds: float | None
    created: float
    settings: dict[str, Any]
    seating: str = "in order"
    participants: dict[str, Participant] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # token hash -> participant id
    round: int = 0
    plays: dict[tuple[int, int], Play] = field(default_factory=dict)
    paused_at: float | None = None
    ended: bool = False
    log: list[Event] = field(default_factory=list)

    # ------------------------------------------------------------------ queries
    @property
    def version(self) -> int:
        """How many events have been applied since the session was created."""
        return len(self.log)

    def members(self, world: int, role: str) -> list[Participant]:
        """The students playing ``role`` in ``world``."""
        return [
            p
            for p in list(self.participants.values())
            if p.world == world and p.role == role and not p.removed
        ]

    def current(self, world: int) -> Play | None:
        """The world's play in the current round, if a round has started."""
        return self.plays.get((world, self.round))

    def open_plays(self) -> list[Play]:
        """Plays of the current round still waiting for orders."""
        return [p for p in list(self.plays.values()) if p.round == self.round and p.stage]

    # ------------------------------------------------------------------ replay
    def apply(self, event: Event, exercise: Callable[[Mapping[str, Any]], Exercise]) -> None:
        """Change the state by one event (the only place the state changes)."""
        data = event.data
        kind = event.kind
        if kind == "joined":
            participant = Participant(
                data["participant"], data["pseudonym"], data["world"], data["role"], data["token"]
            )
            self.participants[participant.id] = participant
            self.tokens[participant.token_hash] = participant.id
        elif kind == "moved":
            participant = self.participants[data["participant"]]
            participant.world, participant.role = data["world"], data["role"]
        elif kind == "removed":
            participant = self.participants[data["participant"]]
            participant.removed = True
            self.tokens.pop(participant.token_hash, None)
        elif kind == "round_started":
            self.round = data["round"]
            for world in range(self.worlds):
                self.plays[(world, self.round)] = Play(world, self.round, dict(data["settings"]))
        elif kind == "stage_opened":
            play = self.plays[(data["world"], data["round"])]
            play.stage, play.orders = tuple(data["moves"]), {}
            play.opened_at = event.at
            play.deadline = None if self.stage_seconds is None else event.at + self.stage_seconds
        elif kind == "order":
            play = self.plays[(data["world"], data["round"])]
            play.orders[data["move"]] = (data["action"], data["by"])
        elif kind == "revealed":
            play = self.plays[(data["world"], data["round"])]
            for move in play.stage:
                action, by = play.orders[move]
                play.path[move] = action
                play.history.append({"move": move, "action": action, "by": by, "at": event.at})
            play.stage, play.orders, play.deadline = (), {}, None
        elif kind == "chance":
            play = self.plays[(data["world"], data["round"])]
            play.path[data["move"]] = data["action"]
            play.history.append(
                {"move": data["move"], "action": data["action"], "by": "chance", "at": event.at}
            )
        elif kind == "finished":
            play = self.plays[(data["world"], data["round"])]
            play.result = exercise(play.settings).result(play.path)
        elif kind == "paused":
            self.paused_at = event.at
        elif kind == "resumed":
            if self.paused_at is not None:
                for play in self.open_plays():
                    if play.deadline is not None:
                        play.deadline += event.at - self.paused_at
            self.paused_at = None
        elif kind == "extended":
            for play in self.open_plays():
                if play.deadline is not None:
                    play.deadline += data["seconds"]
        elif kind == "parameter_changed":
            self.settings[data["name"]] = data["value"]
        elif kind == "ended":
            self.ended = True
        else:
            raise UsageError(f"unknown event kind {kind!r}")
        self.log.append(event)


def new_token() -> str:
    """An unguessable token (192 random bits, URL-safe)."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    """What the server keeps of a token: its SHA-256, so a copied database grants nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


Emit = Callable[[str, Mapping[str, Any]], Event]


class Classroom:
    """The commands of a session: each checks a request and emits the events it causes.

    Parameters
    ----------
    scenario
        The scenario played.
    session
        The state, kept current by ``emit``.
    emit
        Stores an event and applies it to ``session`` (see
        :class:`sim.classroom.store.Store`); returns the event.
    """

    def __init__(self, scenario: Scenario, session: Session, emit: Emit) -> None:
        self.scenario = scenario
        self.session = session
        self.emit = emit
        self._exercises: dict[tuple[tuple[str, Any], ...], Exercise] = {}

    def exercise(self, settings: Mapping[str, Any]) -> Exercise:
        """The scenario compiled at ``settings`` (cached)."""
        key = tuple(sorted(settings.items()))
        if key not in self._exercises:
            self._exercises[key] = Exercise(self.scenario, settings)
        return self._exercises[key]

    def _rng(self, world: int, round_: int, move: str) -> np.random.Generator:
        index = [m.name for m in self.scenario.moves].index(move)
        return np.random.default_rng([self.session.seed, world, round_, index])

    # ------------------------------------------------------------------ students
    def join(self, pseudonym: str) -> tuple[Participant, str]:
        """Add a student to the least-staffed role of the least-staffed world; return the
        participant and their token (shown to them once)."""
        session = self.session
        name = " ".join(pseudonym.split())
        if not 1 <= len(name) <= MAX_PSEUDONYM or not name.isprintable():
            raise UsageError(f"a pseudonym is 1 to {MAX_PSEUDONYM} printable characters")
        taken = (
            p.pseudonym.casefold() for p in list(session.participants.values()) if not p.removed
        )
        if name.casefold() in taken:
            raise UsageError(f"the pseudonym {name!r} is taken; choose another")
        if sum(not p.removed for p in list(session.participants.values())) >= MAX_PARTICIPANTS:
            raise UsageError("the session is full")
        if session.ended:
            raise UsageError("the session has ended")
        slots = [
            (len(session.members(w, r)), w, k, r)
            for w in range(session.worlds)
            for k, r in enumerate(session.roles)
        ]
        fewest = min(slots)[0]
        open_slots = [slot for slot in slots if slot[0] == fewest]
        # In order: fill world 1's roles, then world 2's; at random: any least-staffed seat.
        chosen = open_slots[0] if session.seating == "in order" else secrets.choice(open_slots)
        _, world, _, role = chosen
        token = new_token()
        participant_id = f"p{len(session.participants) + 1}"
        self.emit(
            "joined",
            {
                "participant": participant_id,
                "pseudonym": name,
                "world": world,
                "role": role,
                "token": token_hash(token),
            },
        )
        return session.participants[participant_id], token

    def participant(self, token: str | None) -> Participant | None:
        """The student holding ``token``, or ``None``."""
        if not token:
            return None
        found = self.session.tokens.get(token_hash(token))
        return None if found is None else self.session.participants[found]

    def submit(self, participant: Participant, move: str, action: str, now: float) -> None:
        """A student's sealed order for their role's move in the open stage of their world."""
        session = self.session
        if session.paused_at is not None:
            raise UsageError("the session is paused; wait for the instructor")
        play = session.current(participant.world)
        if play is None or move not in play.stage:
            raise UsageError(f"{move!r} is not open for orders in your world")
        mover = self.scenario.move(move)
        if mover.player != participant.role:
            raise UsageError(f"{move!r} is decided by another role")
        if move in play.orders:
            raise UsageError(f"your team's order for {move!r} is already in")
        if action not in mover.playable:
            raise UsageError(f"{action!r} is not an option of {move!r}")
        self.emit(
            "order",
            {
                "world": play.world,
                "round": play.round,
                "move": move,
                "action": action,
                "by": participant.id,
            },
        )
        self._advance(play, now)

    # ------------------------------------------------------------------ instructor
    def move(self, participant_id: str, world: int, role: str) -> None:
        """Seat a student in another world or role (from the next stage they decide on)."""
        session = self.session
        participant = session.participants.get(participant_id)
        if participant is None or participant.removed:
            raise UsageError(f"no student {participant_id!r}")
        if not 0 <= world < session.worlds or role not in session.roles:
            raise UsageError(f"no seat {role!r} in world {world + 1}")
        self.emit("moved", {"participant": participant_id, "world": world, "role": role})
        self._staff_empty_seats()

    def remove(self, participant_id: str) -> None:
        """Take a student out (their token stops working; a bot or their team plays on)."""
        participant = self.session.participants.get(participant_id)
        if participant is None or participant.removed:
            raise UsageError(f"no student {participant_id!r}")
        self.emit("removed", {"participant": participant_id})
        self._staff_empty_seats()

    def _staff_empty_seats(self) -> None:
        """Bots decide, now, for open decisions whose role was just left with no student."""
        for play in self.session.open_plays():
            self._fill_with_bots(play, every_role=False)
            self._advance(play, 0.0)

    def start_round(self, now: float) -> int:
        """Start the next round in every world, with the current parameter values."""
        session = self.session
        if session.ended:
            raise UsageError("the session has ended")
        if any(not p.finished for p in list(session.plays.values()) if p.round == session.round):
            raise UsageError("the current round is still being played")
        self.exercise(session.settings)  # fails here if the settings do not compile
        number = session.round + 1
        self.emit("round_started", {"round": number, "settings": dict(session.settings)})
        for world in range(session.worlds):
            self._advance(session.plays[(world, number)], now)
        return number

    def pause(self) -> None:
        if self.session.paused_at is None:
            self.emit("paused", {})

    def resume(self, now: float) -> None:
        if self.session.paused_at is not None:
            self.emit("resumed", {})
            self.tick(now)

    def extend(self, seconds: float) -> None:
        if not 0 < seconds <= 3600:
            raise UsageError("extend by 1 second to an hour")
        self.emit("extended", {"seconds": float(seconds)})

    def change_parameter(self, name: str, text: str) -> None:
        """Set a parameter from the next round on (checked by compiling the scenario)."""
        parameter = self.scenario.parameters.get(name)
        if parameter is None:
            from sim.errors import did_you_mean

            raise UsageError(
                f"no parameter called {name!r}{did_you_mean(name, list(self.scenario.parameters))}"
            )
        value: Any
        try:
            value = float(text)
        except ValueError:
            value = text.strip()
        self.exercise({**self.session.settings, name: value})
        self.emit("parameter_changed", {"name": name, "value": value})

    def close_stages(self, now: float) -> None:
        """Close every open stage now: bots give the missing orders."""
        for play in self.session.open_plays():
            self._fill_with_bots(play, every_role=True)
            self._advance(play, now)

    def end(self) -> None:
        if not self.session.ended:
            self.emit("ended", {})

    def tick(self, now: float) -> None:
        """Close the stages whose time is up (called about once a second)."""
        if self.session.paused_at is not None:
            return
        for play in self.session.open_plays():
            if play.deadline is not None and now >= play.deadline:
                self._fill_with_bots(play, every_role=True)
                self._advance(play, now)

    # ------------------------------------------------------------------ play
    def _fill_with_bots(self, play: Play, every_role: bool) -> None:
        """Orders from bots for the open stage's missing moves: every one, or only those of
        roles with no students in the world."""
        session = self.session
        exercise = self.exercise(play.settings)
        behaviour = exercise.behaviour(session.bots, session.lam)
        for name in play.stage:
            move = self.scenario.move(name)
            if name in play.orders or (not every_role and session.members(play.world, move.player)):
                continue
            action = exercise.bot_choice(
                move, play.path, behaviour, self._rng(play.world, play.round, name)
            )
            self.emit(
                "order",
                {"world": play.world, "round": play.round, "move": name, "action": action,
                 "by": "bot"},
            )  # fmt: skip

    def _advance(self, play: Play, now: float) -> None:
        """Reveal a complete stage and move on: chance draws, bots' stages, until students
        must decide or the play is over."""
        del now
        exercise = self.exercise(play.settings)
        while True:
            if play.stage:
                if any(name not in play.orders for name in play.stage):
                    return
                self.emit("revealed", {"world": play.world, "round": play.round})
            step = exercise.next_step(play.path)
            if step is None:
                self.emit("finished", {"world": play.world, "round": play.round})
                return
            if isinstance(step, Stage):
                moves = [m.name for m in step.moves]
                self.emit(
                    "stage_opened", {"world": play.world, "round": play.round, "moves": moves}
                )
                self._fill_with_bots(play, every_role=False)
                continue
            action = exercise.draw(step, play.path, self._rng(play.world, play.round, step.name))
            self.emit(
                "chance",
                {"world": play.world, "round": play.round, "move": step.name, "action": action},
            )


def new_session(
    scenario: Scenario,
    *,
    worlds: int = 1,
    bots: str = "equilibrium",
    lam: float = 1.0,
    seed: int | None = None,
    stage_seconds: float | None = 180.0,
    settings: Mapping[str, Any] | None = None,
    seating: str = "in order",
) -> dict[str, Any]:
    """The data of a ``session_created`` event, checked.

    ``seating`` is how joining students are seated: ``"in order"`` fills world 1's
    roles first, then world 2's; ``"random"`` picks any least-staffed seat.
    """
    if not (isinstance(lam, int | float) and math.isfinite(lam) and lam >= 0):
        raise UsageError(f"lambda: expected a nonnegative number; got {lam!r}")
    if seating not in SEATINGS:
        raise UsageError(f"seating: expected one of {', '.join(SEATINGS)}; got {seating!r}")
    if not 1 <= worlds <= MAX_WORLDS:
        raise UsageError(f"worlds: expected 1 to {MAX_WORLDS}; got {worlds}")
    if bots not in BOT_POLICIES:
        raise UsageError(f"bots: expected one of {', '.join(BOT_POLICIES)}; got {bots!r}")
    if stage_seconds is not None and not 5 <= stage_seconds <= 3600:
        raise UsageError("stage time: expected 5 seconds to an hour")
    Exercise(scenario, settings)  # the scenario and settings must compile
    return {
        "id": secrets.token_hex(8),
        "code": "".join(secrets.choice(CODE_ALPHABET) for _ in range(6)),
        "worlds": worlds,
        "roles": list(scenario.player_ids),
        "bots": bots,
        "lam": float(lam),
        "seed": secrets.randbits(63) if seed is None else int(seed),
        "stage_seconds": stage_seconds,
        "settings": dict(settings or {}),
        "seating": seating,
    }


def session_from(event: Event) -> Session:
    """The empty session a ``session_created`` event describes."""
    data = event.data
    return Session(
        id=data["id"],
        code=data["code"],
        worlds=int(data["worlds"]),
        roles=tuple(data["roles"]),
        bots=data["bots"],
        lam=float(data["lam"]),
        seed=int(data["seed"]),
        stage_seconds=data["stage_seconds"],
        created=event.at,
        settings=dict(data["settings"]),
        seating=data.get("seating", "in order"),
    )
