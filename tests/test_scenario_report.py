"""How scenario results read: narration, close calls, the scenarios listing, key lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.scenario import load_scenario, load_scenario_text, solve_scenario
from sim.scenario.locate import key_lines, line_of
from sim.scenario.report import narrate, scenario_table

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "scenarios" / "classroom_brokered_package.toml"


def test_key_lines_follow_tables_arrays_of_tables_and_dotted_keys() -> None:
    text = (
        "[scenario]\ntitle = 'x'\n"  # 1-2
        "[moves.stance]\nplayer = 'seoul'\n"  # 3-4
        "[[moves.liquidation.cases]]\nwhen = {a = 'b'}\n"  # 5-6
        "[[moves.liquidation.cases]]\nwhen = {a = 'c'}\n"  # 7-8
        'narrative = """\nplayer = "not a key"\n"""\n'  # 9-11
        "terms.seoul.cost.value = 1\n"  # 12
    )
    lines = key_lines(text)
    assert lines[("moves", "stance", "player")] == 4
    assert lines[("moves", "liquidation", "cases", 1, "when")] == 8
    assert ("moves", "liquidation", "cases", 1, "player") not in lines
    assert line_of(lines, ("moves", "liquidation", "cases", 0, "when", "a", 0)) == 6
    assert lines[("moves", "liquidation", "cases", 1, "terms", "seoul", "cost", "value")] == 12


def test_a_mixed_equilibrium_is_narrated_branch_by_branch() -> None:
    scenario = load_scenario(PACKAGE)
    mixed = next(eq for eq in solve_scenario(scenario) if not eq.pure)
    lines = narrate(scenario, mixed.outcomes)
    assert lines[0].startswith("If Seoul accepts the package (")
    assert any(line.strip().startswith("If Tokyo refuses the package (") for line in lines)
    shares = [float(line.split("(")[1].split("%")[0]) for line in lines if "Seoul" in line]
    assert sum(shares) == pytest.approx(100, abs=0.2)


def test_the_table_lists_close_calls_with_their_costs() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "baseline_nov2020.toml")
    table = scenario_table(solve_scenario(scenario))
    assert "Closest calls on the path" in table
    assert "Washington mediates quietly rather than stays out: costs Washington 0.50" in table


def test_a_move_that_does_not_always_happen_is_narrated() -> None:
    text = """
[scenario]
title = "Optional summit"
[players.a]
[players.b]
[moves.invite]
player = "a"
actions = ["invite", "wait"]
[moves.reply]
player = "b"
actions = ["come", "decline"]
when = { invite = "invite" }
[terms.a.host]
reason = "r"
when = { reply = "come" }
value = 2
[terms.a.effort]
reason = "r"
when = { invite = "invite" }
value = -1
[terms.b.trip]
reason = "r"
when = { reply = "come" }
value = 1
"""
    scenario = load_scenario_text(text)
    (eq,) = solve_scenario(scenario)
    assert narrate(scenario, eq.outcomes) == ["A chooses invite (invite); b chooses come (reply)."]
    assert [p for _, p in eq.outcomes] == [{"invite": "invite", "reply": "come"}]


def test_sim_scenarios_lists_titles_and_flags_files_that_do_not_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.toml").write_text(PACKAGE.read_text())
    (tmp_path / "bad.toml").write_text("[scenario]\n")
    assert main(["scenarios", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("bad.toml") and "does not load" in out[0]
    assert out[1].startswith("good.toml") and "The brokered package" in out[1]
    assert main(["scenarios", str(tmp_path / "nowhere")]) == 2
