"""A full exercise in real headless Chromium: an instructor and three students play a round.

Needs Chromium (``/usr/bin/chromium``, which ``.ci/run`` installs from Debian's
packages) and Playwright's Python package (the ``test`` extra); without them
the test is skipped, and says why. Screenshots of every step go to
``$SIM_SCREENSHOTS`` when that is set (the instructor's how-to uses them).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.classroom_server import start
from tests.optional import require

pytestmark = pytest.mark.slow  # real Chromium

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline_nov2020.toml"
SIM = str(Path(sys.executable).with_name("sim"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip

if os.environ.get("CI") and CHROMIUM is None:  # CI installs it (.ci/run): never skip there
    raise RuntimeError("CI: Chromium is missing; .ci/run should have installed it")
playwright_api = require("playwright.sync_api", reason="pip install playwright")
expect = playwright_api.expect
if CHROMIUM is None:
    pytest.skip("Chromium is not installed (apt install chromium)", allow_module_level=True)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    running = start(BASELINE, tmp_path / "class.sqlite")
    try:
        yield running.base, running.login, tmp_path
    finally:
        running.stop()


def test_an_instructor_and_three_students_play_a_round_in_chromium(
    server: tuple[str, str, Path],
) -> None:
    base, login, tmp_path = server
    shots = Path(os.environ.get("SIM_SCREENSHOTS", tmp_path / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        instructor = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
        instructor.goto(login)
        instructor.fill("#worlds", "1")
        instructor.fill("#stage_seconds", "300")
        instructor.get_by_role("button", name="Create session").click()
        code = instructor.locator(".code").inner_text().strip()
        assert re.fullmatch(r"[A-Z2-9]{6}", code)
        instructor.screenshot(path=str(shots / "1-instructor-session.png"), full_page=True)
        phones = {}
        for name in ("Ana", "Bo", "Chen"):
            page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
            page.goto(base)
            page.fill("#code", code)
            page.fill("#pseudonym", name)
            page.get_by_role("button", name="Join").click()
            role = page.locator(".role").inner_text()
            phones[role] = page
        assert sorted(phones) == ["Seoul", "Tokyo", "Washington"]
        phones["Seoul"].screenshot(path=str(shots / "2-student-joined.png"), full_page=True)
        # A student's briefing is their own role's, and nobody else's.
        briefing = phones["Tokyo"].context.new_page()
        briefing.goto(base + "briefing")
        assert "Tokyo: private briefing" in briefing.content()
        assert "Seoul: private briefing" not in briefing.content()
        briefing.close()
        # Pages update themselves (a poll every 2 s): nothing below reloads by hand.
        expect(instructor.locator("table.worlds")).to_contain_text("Chen", timeout=15_000)
        instructor.get_by_role("button", name="Start next round").click()
        plays = [
            ("Washington", "presses both allies in public"),
            ("Seoul", "pays the plaintiffs through a fund"),
            ("Tokyo", "attends the summit"),
        ]
        for k, (role, option) in enumerate(plays):
            page = phones[role]
            page.get_by_label(option).check(timeout=15_000)
            if k == 0:
                page.screenshot(path=str(shots / "3-student-order.png"), full_page=True)
            page.get_by_role("button", name="Send your sealed order").click()
        # After the court's draw Tokyo decides on its controls, then Seoul on GSOMIA.
        tokyo = phones["Tokyo"]
        tokyo.get_by_label("eases its export controls").check(timeout=15_000)
        tokyo.get_by_role("button", name="Send your sealed order").click()
        seoul = phones["Seoul"]
        seoul.get_by_label("keeps GSOMIA").check(timeout=15_000)
        seoul.get_by_role("button", name="Send your sealed order").click()
        expect(seoul.locator(".result")).to_contain_text("Your payoff", timeout=15_000)
        seoul.screenshot(path=str(shots / "4-student-outcome.png"), full_page=True)
        expect(instructor.locator("table.worlds")).to_contain_text("finished:", timeout=15_000)
        instructor.screenshot(path=str(shots / "5-instructor-finished.png"), full_page=True)
        session_url = instructor.url
        projector = instructor.context.new_page()
        projector.goto(session_url + "/projector")
        assert "1 of 1 world finished" in projector.content()
        assert "Ana" not in projector.content()  # anonymised
        projector.screenshot(path=str(shots / "6-projector.png"), full_page=True)
        debrief = instructor.context.new_page()
        debrief.goto(session_url + "/debrief")
        assert "Round 1, at the scenario's own values: 1 finished play" in debrief.content()
        debrief.screenshot(path=str(shots / "7-debrief.png"), full_page=True)
        browser.close()
