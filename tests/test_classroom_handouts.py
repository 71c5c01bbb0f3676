"""Handouts: each role sees only its own priorities; the guide holds the answer key; files whole."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from sim.classroom.document import Document, Paragraph, to_html
from sim.classroom.handouts import handouts, write_handouts
from sim.cli import main
from sim.scenario import load_scenario

pytestmark = pytest.mark.slow  # HTML and PDF handouts are written

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline_nov2020.toml"
PACKAGE = ROOT / "scenarios" / "classroom_brokered_package.toml"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("handouts") / "class"
    write_handouts(load_scenario(BASELINE), out)
    return out


def text_of(path: Path) -> str:
    return html.unescape(path.read_text(encoding="utf-8"))


def test_every_handout_is_written_as_html_and_pdf(written: Path) -> None:
    stems = ["background", "briefing-washington", "briefing-seoul", "briefing-tokyo", "instructor"]
    assert sorted(p.name for p in written.iterdir()) == sorted(
        f"{stem}.{suffix}" for stem in stems for suffix in ("html", "pdf")
    )
    for stem in stems:
        assert (written / f"{stem}.pdf").read_bytes()[:5] == b"%PDF-"
        page = (written / f"{stem}.html").read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and "http" not in page.split("<body>")[0]


def test_a_briefing_holds_its_own_role_and_nothing_private_of_the_others(written: Path) -> None:
    scenario = load_scenario(BASELINE)
    for player in scenario.players:
        own = text_of(written / f"briefing-{player.id}.html")
        assert player.briefing.strip()[:60] in own
        mine = {t.reason for t in scenario.terms if t.player == player.id}
        for term in scenario.terms:  # (two roles may share a reason's wording)
            assert (term.reason in own) == (term.reason in mine), (player.id, term.name)
        for other in scenario.players:
            if other.id != player.id:
                assert other.briefing.strip()[:60] not in own
    background = text_of(written / "background.html")
    assert scenario.narrative.strip()[:80] in background
    assert all(source in background for source in scenario.sources)
    assert not any(term.reason in background for term in scenario.terms)
    assert not any(p.briefing.strip()[:60] in background for p in scenario.players)


def test_briefings_rank_priorities_and_name_red_lines(written: Path) -> None:
    tokyo = text_of(written / "briefing-tokyo.html")
    ranked = tokyo.split("most important first")[1]
    assert ranked.index("Liquidation loss (major, a cost)") < ranked.index("Summit value")
    assert "Liquidation loss: avoid a world where the court-ordered sale completes." in tokyo
    assert "\u22128.00" not in tokyo  # no numbers unless asked
    numbered = handouts(load_scenario(BASELINE), numbers=True)["briefing-tokyo"]
    assert "Liquidation loss (\u22128.00, a cost)" in to_html(numbered)


def test_the_instructor_guide_holds_the_answer_key(written: Path) -> None:
    guide = text_of(written / "instructor.html")
    assert "Washington stays out; Seoul lets the courts proceed; Tokyo skips the summit." in guide
    assert "At us_alliance_priority = 0.6094" in guide
    assert "Washington mediates quietly rather than stays out: costs Washington 0.50" in guide
    assert "Noisy play (logit QRE)" in guide and "Debrief questions" in guide
    assert "Theory predicts that Tokyo skips the summit." in guide


def test_settings_change_the_answer_key() -> None:
    documents = handouts(load_scenario(BASELINE), settings={"us_alliance_priority": 1.2})
    guide = to_html(documents["instructor"])
    assert "Washington presses both allies in public" in guide
    assert "us_alliance_priority = 1.2" in guide


def test_text_from_a_scenario_file_is_escaped(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.toml"
    hostile.write_text(
        f'extends = "{PACKAGE.as_posix()}"\n[scenario]\n'
        'narrative = "<script>alert(1)</script> & <b>bold</b>"\n',
        encoding="utf-8",
    )
    page = to_html(handouts(load_scenario(hostile))["background"])
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page
    assert "<p>a &lt;b&gt;</p>" in to_html(Document("t", "", (Paragraph("a <b>"),)))


def test_the_command_writes_all_or_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "html-only"
    args = ["classroom", "handouts", str(PACKAGE), "--out", str(out), "--format", "html"]
    assert main(args) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"wrote {out / 'background.html'}"
    assert sorted(p.suffix for p in out.iterdir()) == [".html"] * 4
    # A failure while writing leaves nothing behind, not even a staging folder.
    import sim.classroom.document as document

    calls = []

    def failing(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        document.write_pdf.__wrapped__(*args, **kwargs)  # type: ignore[attr-defined]

    failing.__wrapped__ = document.write_pdf  # type: ignore[attr-defined]
    monkeypatch.setattr(document, "write_pdf", failing)
    target = tmp_path / "broken"
    assert main(["classroom", "handouts", str(PACKAGE), "--out", str(target)]) == 1
    assert not target.exists() and list(tmp_path.iterdir()) == [out]
    monkeypatch.undo()
    capsys.readouterr()
    for bad, message in [
        (["--out", str(tmp_path / "missing" / "x")], "does not exist"),
        (["--set", "no_such=1", "--out", str(tmp_path / "y")], "no parameter called 'no_such'"),
    ]:
        assert main(["classroom", "handouts", str(PACKAGE), *bad]) == 2
        assert message in capsys.readouterr().err
    rounds = ROOT / "scenarios" / "moon_lame_duck.toml"
    assert main(["classroom", "handouts", str(rounds), "--out", str(tmp_path / "z")]) == 2
    assert "[rounds]" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["html-only"]
