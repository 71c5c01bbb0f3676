"""Scenarios with [rounds]: solved round by round, checked against the whole tree written out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.errors import FormatError
from sim.report.expect import check_expectations
from sim.report.solve import solve_scenario
from sim.scenario import load_scenario, load_scenario_text

ROOT = Path(__file__).resolve().parent.parent

HEAD = """
[scenario]
title = "Haggling before a crisis"
[players.a]
[players.b]
[parameters.share]
value = {share}
[parameters.hazard]
value = {hazard}
[parameters.patience]
value = {patience}
"""
STAGE = """
[moves.offer{s}]
player = "a"
actions = ["low", "high"]
status_quo = "low"
{when}
[moves.reply{s}]
player = "b"
actions = ["accept", "reject"]
status_quo = "reject"
{when}
[moves.crisis{s}]
player = "chance"
actions = ["yes", "no"]
probabilities = {{ yes = "min(1, hazard * {r})" }}
{when}
"""
# (player, value on accepting a low offer, on accepting a high one, in a crisis without a deal)
TERMS = [("a", "1 - 0.3 * share", "1 - share", "-0.5"), ("b", "0.3 * share", "share", "-1")]


def _round_game(share: float, hazard: float, patience: float, count: int) -> str:
    text = HEAD.format(share=share, hazard=hazard, patience=patience) + STAGE.format(
        s="", when="", r="round"
    )
    text += (
        f'[rounds]\ncount = {count}\ndiscount = "patience"\n'
        'ends_when = [{ reply = "accept" }, { crisis = "yes" }]\n'
    )
    for player, low, high, crisis in TERMS:
        text += f'[terms.{player}.deal]\nreason = "r"\n'
        text += f'[[terms.{player}.deal.cases]]\nwhen = {{ offer = "low", reply = "accept" }}\n'
        text += f'value = "{low}"\n'
        text += f'[[terms.{player}.deal.cases]]\nwhen = {{ offer = "high", reply = "accept" }}\n'
        text += f'value = "{high}"\n'
        text += f'[terms.{player}.crisis]\nreason = "r"\nwhen = {{ crisis = "yes" }}\n'
        text += f'unless = {{ reply = "accept" }}\nvalue = "{crisis}"\n'
    return text


def _whole_tree(share: float, hazard: float, patience: float, count: int) -> str:
    """The same game with every round's moves written out, reached only if play goes on."""
    text = HEAD.format(share=share, hazard=hazard, patience=patience)
    for r in range(1, count + 1):
        s = "" if r == 1 else f"_{r}"
        before = "" if r == 1 else f"_{r - 1}" if r > 2 else ""
        when = "" if r == 1 else f'when = {{ reply{before} = "reject", crisis{before} = "no" }}'
        text += STAGE.format(s=s, when=when, r=r)
    for player, low, high, crisis in TERMS:
        text += f'[terms.{player}.deal]\nreason = "r"\n'
        for r in range(1, count + 1):
            s = "" if r == 1 else f"_{r}"
            weight = f"patience ** {r - 1}"
            for offer, value in (("low", low), ("high", high)):
                text += f"[[terms.{player}.deal.cases]]\n"
                text += f'when = {{ offer{s} = "{offer}", reply{s} = "accept" }}\n'
                text += f'value = "{weight} * ({value})"\n'
        text += f'[terms.{player}.crisis]\nreason = "r"\n'
        for r in range(1, count + 1):
            s = "" if r == 1 else f"_{r}"
            text += f"[[terms.{player}.crisis.cases]]\n"
            text += f'when = {{ crisis{s} = "yes" }}\nunless = {{ reply{s} = "accept" }}\n'
            text += f'value = "patience ** {r - 1} * ({crisis})"\n'
    return text


@settings(max_examples=25)
@given(
    share=st.floats(0.05, 0.95),
    hazard=st.floats(0.0, 0.3),
    patience=st.floats(0.5, 1.0),
    count=st.integers(2, 4),
)
def test_round_by_round_equals_the_whole_tree(share, hazard, patience, count) -> None:  # type: ignore[no-untyped-def]
    rounds = solve_scenario(load_scenario_text(_round_game(share, hazard, patience, count)))
    whole = solve_scenario(load_scenario_text(_whole_tree(share, hazard, patience, count)))
    assert len(rounds) == 1 and rounds[0].max_regret < 1e-9
    np.testing.assert_allclose(rounds[0].payoffs, whole[0].payoffs, atol=1e-9)
    expected = sorted((round(p, 9), tuple(sorted(path.items()))) for p, path in whole[0].outcomes)
    renamed = []
    for p, path in rounds[0].outcomes:
        items = []
        for key, action in path.items():
            move, _, number = key.partition(" (")
            items.append((move if not number else f"{move}_{number.rstrip(')')}", action))
        renamed.append((round(p, 9), tuple(sorted(items))))
    assert sorted(renamed) == expected


def test_moon_waits_for_the_successor() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "moon_lame_duck.toml")
    solution = solve_scenario(scenario)
    stances = [stage.equilibrium.outcomes[0][1]["stance"] for stage in solution.rounds[:5]]
    assert stances == ["proceed"] * 4 + ["fund"]
    assert [r.ok for r in check_expectations(scenario)] == [True] * len(scenario.expectations)


def test_rounds_in_the_table_and_the_json(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    path = str(ROOT / "scenarios" / "moon_lame_duck.toml")
    assert main(["solve", path]) == 0
    out = capsys.readouterr().out
    assert "Round 1 (reached for sure; the game ends here with probability 15%):" in out
    assert main(["solve", path, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["game"]["representation"] == "rounds"
    (eq,) = report["equilibria"]
    assert [r["round"] for r in eq["rounds"]] == [1, 2, 3, 4, 5]
    assert sum(o["probability"] for o in eq["outcomes"]) == pytest.approx(1.0)
    assert main(["solve", path, "--concept", "nash"]) == 2
    assert "round by round" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("count = 3", "count: expected a whole number from 2 to 50"),
        ('payoffs = "always"', "rounds.payoffs: expected when payoffs count"),
        ('ends_when = [{ replie = "accept" }]', "no move called 'replie'"),
        ("size = 2", "rounds.size: unknown key"),
    ],
)
def test_bad_rounds_tables_are_named(change: str, message: str) -> None:
    text = _round_game(0.5, 0.1, 0.9, 3)
    if change == "count = 3":
        text = text.replace("count = 3", "count = 1")
    elif change.startswith("ends_when"):
        text = text.replace('ends_when = [{ reply = "accept" }, { crisis = "yes" }]', change)
    else:
        text = text.replace('discount = "patience"\n', f'discount = "patience"\n{change}\n')
    with pytest.raises(FormatError, match=message):
        load_scenario_text(text)


def test_round_is_a_reserved_name_and_expectations_stay_within_the_rounds() -> None:
    text = _round_game(0.5, 0.1, 0.9, 3)
    with pytest.raises(FormatError, match="'round' cannot name a parameter"):
        load_scenario_text(
            text.replace("[parameters.share]", "[parameters.round]\nvalue = 1\n[parameters.share]")
        )
    with pytest.raises(FormatError, match=r"the scenario has 3 round\(s\); got 4"):
        load_scenario_text(
            text + '[[expect]]\ndescription = "x"\nround = 4\npath = { offer = "low" }\n'
        )
