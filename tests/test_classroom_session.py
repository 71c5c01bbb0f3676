"""Classroom play: stages in the game's order, sealed orders, bots, the event log and its replay."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sim.classroom.engine import Exercise, Stage
from sim.classroom.store import Store
from sim.errors import UsageError
from sim.report.solve import solve_scenario
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline_nov2020.toml"
PACKAGE = ROOT / "scenarios" / "classroom_brokered_package.toml"


def store_for(path: Path, db: Path) -> Store:
    return Store(db, load_scenario(path), "hash-of-" + path.name)


def test_stages_follow_the_game_and_results_are_the_compiled_payoffs() -> None:
    exercise = Exercise(load_scenario(BASELINE))
    path: dict[str, str] = {}
    order = []
    step = exercise.next_step(path)
    while step is not None:
        if isinstance(step, Stage):
            order.append(step.roles)
            for move in step.moves:
                path[move.name] = move.playable[-1]
        else:
            order.append(("chance",))
            path[step.name] = step.playable[0]
        step = exercise.next_step(path)
    assert order == [("washington",), ("seoul",), ("tokyo",), ("chance",), ("tokyo",), ("seoul",)]
    result = exercise.result(path)
    terminal = exercise.structure.paths.index(path)
    assert result.terminal == terminal
    assert list(result.payoffs.values()) == list(exercise.compiled.payoffs[terminal])
    for pid, terms in result.terms.items():
        assert sum(terms.values()) == pytest.approx(result.payoffs[pid])
    simultaneous = Exercise(load_scenario(PACKAGE)).next_step({})
    assert isinstance(simultaneous, Stage) and simultaneous.roles == ("seoul", "tokyo")


def test_a_world_of_bots_plays_the_equilibrium(tmp_path: Path) -> None:
    store = store_for(BASELINE, tmp_path / "c.sqlite")
    classroom = store.create(worlds=3, seed=1)
    store.run(classroom.session.id, lambda c: c.start_round(time.time()))
    (eq,) = solve_scenario(load_scenario(BASELINE))
    equilibrium = {path["mediation"] + path["stance"] + path["summit"] for _, path in eq.outcomes}
    for world in range(3):
        play = store.sessions[classroom.session.id].current(world)
        assert play is not None and play.finished
        assert play.path["mediation"] + play.path["stance"] + play.path["summit"] in equilibrium
        assert all(h["by"] in ("bot", "chance") for h in play.history)


def test_students_play_their_own_moves_only_and_the_log_replays(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite"
    store = store_for(BASELINE, db)
    sid = store.create(worlds=2, seed=2, stage_seconds=None).session.id
    joined = [store.run(sid, lambda c, n=n: c.join(n)) for n in ("Ann", "Bo", "Cy")]
    assert [(p.world, p.role) for p, _ in joined] == [
        (0, "washington"), (0, "seoul"), (0, "tokyo")
    ]  # fmt: skip
    (washington, _), (seoul, _), (tokyo, _) = joined
    with pytest.raises(UsageError, match="taken"):
        store.run(sid, lambda c: c.join("ann"))
    store.run(sid, lambda c: c.start_round(time.time()))
    session = store.sessions[sid]
    assert session.current(0).stage == ("mediation",)  # waits for the Washington team
    assert session.current(1).finished  # no students: bots played it through
    now = time.time()
    with pytest.raises(UsageError, match="not open"):
        store.run(sid, lambda c: c.submit(seoul, "stance", "fund", now))
    with pytest.raises(UsageError, match="another role"):
        store.run(sid, lambda c: c.submit(seoul, "mediation", "stay_out", now))
    with pytest.raises(UsageError, match="not an option"):
        store.run(sid, lambda c: c.submit(washington, "mediation", "bomb", now))
    store.run(sid, lambda c: c.submit(washington, "mediation", "press_publicly", now))
    with pytest.raises(UsageError, match="not open"):  # revealed at once: one move, one team
        store.run(sid, lambda c: c.submit(washington, "mediation", "stay_out", now))
    store.run(sid, lambda c: c.submit(seoul, "stance", "fund", now))
    store.run(sid, lambda c: c.submit(tokyo, "summit", "attend", now))
    play = session.current(0)
    assert play.stage == ("controls",) and "liquidation" in play.path  # chance has drawn
    store.run(sid, lambda c: c.submit(tokyo, "controls", "ease", now))
    store.run(sid, lambda c: c.submit(seoul, "gsomia", "keep", now))
    assert play.finished and play.result is not None
    before = {
        key: (p.path, p.result.payoffs if p.result else None) for key, p in session.plays.items()
    }
    store.close()
    again = store_for(BASELINE, db)
    replayed = again.sessions[sid]
    assert {
        key: (p.path, p.result.payoffs if p.result else None) for key, p in replayed.plays.items()
    } == before
    assert replayed.version == session.version
    assert again.classrooms[sid].participant(joined[0][1]) == washington
    assert again.classrooms[sid].participant("not-a-token") is None


def test_simultaneous_orders_stay_sealed_until_both_are_in(tmp_path: Path) -> None:
    store = store_for(PACKAGE, tmp_path / "c.sqlite")
    sid = store.create(worlds=1, seed=3, stage_seconds=None).session.id
    (seoul, _), (tokyo, _) = (store.run(sid, lambda c, n=n: c.join(n)) for n in ("S", "T"))
    store.run(sid, lambda c: c.start_round(time.time()))
    play = store.sessions[sid].current(0)
    store.run(sid, lambda c: c.submit(seoul, "seoul_answer", "accept", time.time()))
    assert play.path == {} and set(play.orders) == {"seoul_answer"}
    with pytest.raises(UsageError, match="already in"):
        store.run(sid, lambda c: c.submit(seoul, "seoul_answer", "refuse", time.time()))
    store.run(sid, lambda c: c.submit(tokyo, "tokyo_answer", "refuse", time.time()))
    assert play.path["seoul_answer"] == "accept" and play.path["tokyo_answer"] == "refuse"


def test_deadlines_pause_extend_and_parameter_changes(tmp_path: Path) -> None:
    store = store_for(BASELINE, tmp_path / "c.sqlite")
    sid = store.create(worlds=1, seed=4, stage_seconds=60).session.id
    (washington, _) = store.run(sid, lambda c: c.join("W"))
    store.run(sid, lambda c: c.start_round(time.time()))
    play = store.sessions[sid].current(0)
    opened = play.deadline
    assert opened is not None
    store.run(sid, lambda c: c.extend(30))
    assert play.deadline == pytest.approx(opened + 30)
    store.run(sid, lambda c: c.pause())
    with pytest.raises(UsageError, match="paused"):
        store.run(sid, lambda c: c.submit(washington, "mediation", "stay_out", time.time()))
    store.run(sid, lambda c: c.tick(opened + 1000))  # paused: the clock stands still
    assert play.stage == ("mediation",)
    store.run(sid, lambda c: c.resume(time.time()))
    store.run(sid, lambda c: c.tick(play.deadline + 1))  # time is up: a bot decides
    assert play.finished and play.history[0]["by"] == "bot"
    with pytest.raises(UsageError, match="no parameter called 'rho'"):
        store.run(sid, lambda c: c.change_parameter("rho", "1"))
    store.run(sid, lambda c: c.change_parameter("us_alliance_priority", "1.2"))
    store.run(sid, lambda c: c.start_round(time.time()))
    assert store.sessions[sid].current(0).settings == {"us_alliance_priority": 1.2}


def test_a_database_belongs_to_its_scenario(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite"
    store_for(BASELINE, db).close()
    with pytest.raises(UsageError, match="as it was then; use another db for this") as refused:
        store_for(PACKAGE, db)
    assert refused.value.render(lambda name, _: f"--{name}").endswith(
        "use another --db for this scenario"
    )
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(UsageError, match="not a classroom database"):
        store_for(BASELINE, junk)


def test_a_port_in_use_is_named_in_python_and_as_the_command_line_flags(tmp_path: Path) -> None:
    import socket

    from sim.classroom.serve import serve

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UsageError, match="cannot listen there") as refused:
            serve(load_scenario(BASELINE), host="127.0.0.1", port=port, db=str(tmp_path / "c.db"))
    assert str(refused.value).startswith(f"serve(): host='127.0.0.1' port={port}: cannot listen")
    flags = refused.value.render(lambda name, value: f"--{name} {value}")
    assert flags.startswith(f"--host 127.0.0.1 --port {port}: cannot listen there (")
    assert not (tmp_path / "c.db").exists()


def test_the_instructor_can_move_and_remove_students(tmp_path: Path) -> None:
    store = store_for(BASELINE, tmp_path / "c.sqlite")
    shuffled = store.create(worlds=2, seed=5, stage_seconds=None, seating="random").session.id
    names = ("A", "B", "C", "D", "E", "F")
    seated = [store.run(shuffled, lambda c, n=n: c.join(n))[0] for n in names]
    roles = store.sessions[shuffled].roles
    assert sorted((p.world, p.role) for p in seated) == sorted(
        (w, r) for w in range(2) for r in roles
    )  # at random, yet balanced
    sid = store.create(worlds=2, seed=5, stage_seconds=None).session.id  # in order
    joined = [store.run(sid, lambda c, n=n: c.join(n)) for n in names]
    session = store.sessions[sid]
    first, token = joined[0]  # Washington in world 1 (index 0), moved to world 2 below
    world, role = first.world, first.role
    store.run(sid, lambda c: c.move(first.id, 1 - world, role))
    assert (session.participants[first.id].world, session.participants[first.id].role) == (
        1 - world,
        role,
    )
    with pytest.raises(UsageError, match="no seat"):
        store.run(sid, lambda c: c.move(first.id, 7, "seoul"))
    store.run(sid, lambda c: c.start_round(time.time()))
    # Removing every student of a role that must decide now lets a bot decide at once.
    for p in session.members(0, "washington"):
        store.run(sid, lambda c, p=p: c.remove(p.id))
    assert "mediation" in session.current(0).path  # type: ignore[union-attr]
    store.run(sid, lambda c: c.remove(first.id))
    assert session.participants[first.id].removed
    assert store.classrooms[sid].participant(token) is None  # the token no longer works
    again, _ = store.run(sid, lambda c: c.join("A"))  # and the pseudonym is free again
    assert again.id != first.id
    with pytest.raises(UsageError, match="no student"):
        store.run(sid, lambda c: c.remove(first.id))


def test_a_full_disk_leaves_memory_as_stored_and_the_file_readable(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "c.sqlite"
    store = store_for(BASELINE, db)
    sid = store.create(worlds=50, seed=6, stage_seconds=None).session.id
    (pages,) = store.db.execute("PRAGMA page_count").fetchone()
    store.db.execute(f"PRAGMA max_page_count = {pages}")  # no room for a round's events
    with pytest.raises(sqlite3.OperationalError, match="full"):
        store.run(sid, lambda c: c.start_round(time.time()))
    assert store.sessions[sid].round == 0 and store.sessions[sid].plays == {}
    store.db.execute("PRAGMA max_page_count = 1073741823")
    store.run(sid, lambda c: c.join("late"))
    store.close()
    again = store_for(BASELINE, db)
    assert again.unreadable == {} and again.sessions[sid].round == 0
    assert [p.pseudonym for p in again.sessions[sid].participants.values()] == ["late"]
