"""How scenario results read: narration, close calls, the scenarios listing, key lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.report.narrate import narrate, scenario_table
from sim.report.solve import solve_scenario
from sim.scenario import compile_scenario, load_scenario, load_scenario_text
from sim.scenario.locate import key_lines, line_of

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


# ---------------------------------------------------------------------------- review findings
ENTRY = """
[scenario]
title = "Entry"
[players.e]
[players.i]
[moves.enter]
player = "e"
actions = ["in", "out"]
[moves.respond]
player = "i"
actions = ["fight", "accommodate"]
when = { enter = "in" }
observes = []
[terms.e.profit]
when = { enter = "in", respond = "accommodate" }
value = 2
reason = "r"
[terms.e.loss]
when = { enter = "in", respond = "fight" }
value = -1
reason = "r"
[terms.i.monopoly]
when = { enter = "out" }
value = 3
reason = "r"
[terms.i.share]
when = { respond = "accommodate" }
value = 1
reason = "r"
"""


def test_a_move_reached_only_after_another_makes_the_default_concept_spe() -> None:
    from sim.report.scenario import default_concept

    scenario = load_scenario_text(ENTRY)
    assert default_concept(scenario) == "spe"  # no non-credible "fight" threat
    (eq,) = solve_scenario(scenario)
    assert eq.outcomes[0][1] == {"enter": "in", "respond": "accommodate"}


def test_close_calls_skip_decisions_taken_without_knowing_the_node() -> None:
    text = (
        ENTRY.replace("observes = []\n", 'group = "g"\n')
        .replace('actions = ["in", "out"]\n', 'actions = ["in", "out"]\ngroup = "g"\n')
        .replace('when = { enter = "in" }\n', "", 1)
    )
    scenario = load_scenario_text(text)
    (eq,) = solve_scenario(scenario, concept="spe")
    # i moves without seeing e's choice (two nodes, one information set): no close call
    # is computed node by node for i; e's decision at the root is its own.
    assert [(d.player, d.move, d.loss) for d in eq.deviations] == [
        ("e", "enter", pytest.approx(2.0))
    ]
    # Control: when i sees e's choice, i's decision has its close call.
    (seen,) = solve_scenario(load_scenario_text(ENTRY))
    assert ("i", "respond") in {(d.player, d.move) for d in seen.deviations}


def test_a_scenario_without_terms_compiles_to_zero_payoffs() -> None:
    text = ENTRY.split("[terms.e.profit]")[0] + "[terms]\n"
    compiled = compile_scenario(load_scenario_text(text))
    assert compiled.payoffs.shape == (3, 2) and not compiled.payoffs.any()


def test_a_long_chain_of_chance_moves_is_narrated_in_bounded_lines() -> None:
    coins = "".join(
        f'[moves.c{k}]\nplayer = "chance"\nactions = ["h", "t"]\nprobabilities = {{ h = 0.5 }}\n'
        for k in range(12)
    )
    text = (
        '[scenario]\ntitle = "coins"\n[players.a]\n[moves.pick]\nplayer = "a"\n'
        'actions = ["x", "y"]\n' + coins + '[terms.a.w]\nreason = "r"\nwhen = { c11 = "h" }\n'
        "value = 2\n"
    )
    scenario = load_scenario_text(text)
    (eq, *_) = solve_scenario(scenario)
    lines = narrate(scenario, eq.outcomes)
    assert len(lines) == 40 and lines[-1].startswith("... and ")


def test_options_that_do_not_apply_are_refused_and_choices_may_be_named_nan(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from sim.errors import UsageError

    scenario = load_scenario_text(ENTRY)
    with pytest.raises(
        UsageError, match=r"solve_scenario\(\): lam does not apply to concept='spe'"
    ):
        solve_scenario(scenario, lam=1.0)
    with pytest.raises(UsageError, match="tie_break does not apply to concept='nash'"):
        solve_scenario(scenario, concept="nash", tie_break={"respond": "fight"})
    path = tmp_path / "nan.toml"
    path.write_text(
        ENTRY.replace(
            "[moves.enter]",
            '[parameters.mode]\nvalue = "nan"\nchoices = { nan = 0, inf = 1 }\n[moves.enter]',
        )
    )
    assert main(["solve", str(path), "--set", "mode=inf"]) == 0
    capsys.readouterr()


def test_an_expectation_on_an_incomplete_list_fails_and_says_why() -> None:
    from sim.report.expect import check_expectation
    from sim.scenario.model import Expectation

    text = ENTRY.replace("value = 2\n", "value = 0\n", 1)  # e is indifferent: in or out
    scenario = load_scenario_text(text)
    expectation = Expectation("x", "spe", {}, {}, {"enter": "out"}, (), None, None, "x")
    result = check_expectation(scenario, expectation)
    assert not result.ok and "not complete" in result.message


def test_a_notebook_shows_a_scenario_solution_in_words() -> None:
    html = solve_scenario(load_scenario(ROOT / "scenarios" / "biden_mediation.toml"))._repr_html_()
    assert "Washington presses both allies in public; Seoul pays the plaintiffs" in html
    assert "<td>Seoul</td>" in html and "summit_prestige +3.00" in html


def test_an_option_given_as_zero_is_still_refused_where_it_does_not_apply() -> None:
    # lam=0 is a value: "not given" is None (a review found 0 slipping through).
    from sim.errors import UsageError

    scenario = load_scenario_text(ENTRY)
    with pytest.raises(UsageError, match="lam does not apply to concept='spe'"):
        solve_scenario(scenario, lam=0.0)
    with pytest.raises(UsageError, match="objective and player do not apply"):
        solve_scenario(scenario, objective="welfare", player=0)
