"""SIGKILL the classroom server mid-round, start it again: every acknowledged order is there.

Students' orders race the kill, so some are acknowledged (the server answered
303) and some are not (the connection died). After the restart on the same
database every acknowledged order is in the export, the round is still open,
and the students, with the tokens they already hold, finish it.
"""

from __future__ import annotations

import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.classroom_server import start
from tests.optional import require

pytestmark = pytest.mark.slow  # a server killed and restarted

httpx = require("httpx")

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "scenarios" / "classroom_brokered_package.toml"
STUDENTS = 40


OPEN: list[httpx.Client] = []


def client(base: str, **options: object) -> httpx.Client:
    made = httpx.Client(base_url=base, timeout=30, **options)  # type: ignore[arg-type]
    OPEN.append(made)
    return made


@pytest.fixture(autouse=True)
def _close_clients() -> object:
    yield
    while OPEN:
        OPEN.pop().close()


def login(base: str, url: str) -> httpx.Client:
    teacher = client(base, follow_redirects=False)
    assert teacher.get(url).status_code == 303
    return teacher


def test_a_killed_server_keeps_every_acknowledged_order(tmp_path: Path) -> None:
    db = tmp_path / "class.sqlite"
    server = start(PACKAGE, db)
    teacher = login(server.base, server.login)
    worlds = STUDENTS // 2
    created = teacher.post(
        "/instructor/sessions", data={"worlds": str(worlds), "stage_seconds": ""}
    )
    sid = created.headers["location"].rsplit("/", 1)[1]
    page = teacher.get(f"/instructor/session/{sid}").text
    code = page.split('<p class="code">', 1)[1].split("<", 1)[0]
    students = [client(server.base) for _ in range(STUDENTS)]
    for k, student in enumerate(students):
        assert (
            student.post(
                "/join", data={"code": code, "pseudonym": f"s{k}"}, follow_redirects=False
            ).status_code
            == 303
        )
    assert teacher.post(f"/instructor/session/{sid}/start").status_code == 303
    moves = {}
    for k, student in enumerate(students):
        play = student.get("/play").text
        moves[k] = play.split('name="move" value="', 1)[1].split('"', 1)[0]
    acknowledged: set[int] = set()
    lock = threading.Lock()

    def order(k: int) -> None:
        time.sleep(0.004 * k)  # spread out, so that the kill lands in the middle
        try:
            response = students[k].post(
                "/play/order",
                data={"move": moves[k], "action": "accept", "round": "1"},
                follow_redirects=False,
            )
        except httpx.HTTPError:
            return  # the server died first: not acknowledged
        if response.status_code == 303:
            with lock:
                acknowledged.add(k)

    with ThreadPoolExecutor(STUDENTS) as pool:
        futures = [pool.submit(order, k) for k in range(STUDENTS)]
        while len(acknowledged) < STUDENTS // 4:
            time.sleep(0.001)
        server.stop(signal.SIGKILL)
        for future in futures:
            future.result()
    assert STUDENTS // 4 <= len(acknowledged) < STUDENTS  # the kill came mid-round
    # Restart on the same file: a new instructor token, the same sessions.
    again = start(PACKAGE, db)
    try:
        teacher = login(again.base, again.login)
        rows = teacher.get(f"/instructor/session/{sid}/moves.csv").text.splitlines()[1:]
        stored = {row.split(",")[0] for row in rows if row.split(",")[6] == "student"}
        stored |= {  # orders sealed but not yet revealed are in the log, not the export
            f"s{k}"
            for k in range(STUDENTS)
            if "Your team's order is in" in _play(again.base, students[k])
        }
        assert {f"s{k}" for k in acknowledged} <= stored
        # The round resumes: everyone not yet acknowledged orders now, and it ends.
        for k in sorted(set(range(STUDENTS)) - acknowledged):
            resumed = client(again.base, cookies=students[k].cookies)
            response = resumed.post(
                "/play/order",
                data={"move": moves[k], "action": "refuse", "round": "1"},
                follow_redirects=False,
            )
            # 303; or 400 if the order reached the disk though its answer was lost (then it
            # is "already in", or its world's stage was revealed and is no longer open)
            assert response.status_code in (303, 400), response.text
            if response.status_code == 400:
                assert "already in" in response.text or "not open" in response.text
        projector = teacher.get(f"/instructor/session/{sid}/projector").text
        assert f"{worlds} of {worlds} worlds finished" in projector
    finally:
        again.stop()


def _play(base: str, student: httpx.Client) -> str:
    return client(base, cookies=student.cookies).get("/play").text
