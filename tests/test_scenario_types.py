"""Types in the scenario language: ``[types.NAME]``, private information drawn by chance.

- The costly-signal scenario written with ``[types.type]`` compiles to exactly
  the game its hand-written form (a chance move, and ``observes`` on the
  challenger's move) gives, at every point of its parameters' ranges.
- A mover always knows its own type, even when its ``observes`` leaves it out;
  another player's moves see it only when ``observes`` names it.
- Two informed players: each one's sets tell its own types apart, never the
  other's.
- Bad types are refused with the file, key and line, and what was expected.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import FormatError
from sim.scenario import load_scenario
from sim.scenario.compiler import compile_scenario
from sim.scenario.loader import load_scenario_text

ROOT = Path(__file__).resolve().parent.parent
TYPED = ROOT / "tests" / "data" / "costly_signal.toml"
BY_HAND = ROOT / "tests" / "data" / "costly_signal_chance.toml"

HEAD = """
[scenario]
title = "Types"

[players.a]
[players.b]

[parameters.p]
value = 0.3
range = [0, 1]
"""


@settings(max_examples=40, deadline=None)
@given(st.floats(0, 3), st.floats(0.05, 0.45))
def test_a_type_compiles_to_the_chance_move_written_by_hand(cost: float, prior: float) -> None:
    settings_ = {"cost": cost, "prior": prior}
    typed = compile_scenario(load_scenario(TYPED), settings_).game()
    by_hand = compile_scenario(load_scenario(BY_HAND), settings_).game()
    assert typed == by_hand


def _sets(text: str) -> dict[str, int]:
    """How many information sets each move has."""
    tree = compile_scenario(load_scenario_text(HEAD + text), {}).game().tree
    counts: dict[str, int] = {}
    for name in tree.move_names:
        counts[name] = counts.get(name, 0) + 1
    return counts


MOVES = """
[types.mood]
player = "a"
values = ["calm", "angry"]
prior = {{ calm = "p" }}

[moves.first]
player = "a"
actions = ["x", "y"]
{first}

[moves.second]
player = "b"
actions = ["u", "v"]
{second}

[terms.a.t]
reason = "r"
when = {{ mood = "angry", second = "u" }}
value = "1"

[terms.b.t]
reason = "r"
when = {{ mood = "calm", second = "u" }}
value = "1"
"""


def test_a_mover_knows_its_own_type_and_not_the_others() -> None:
    # a's move sees its mood (two sets); b's sees a's move, not a's mood (two sets, not four)
    assert _sets(MOVES.format(first="", second=""))["first"] == 2
    assert _sets(MOVES.format(first="", second=""))["second"] == 2
    # even when a's observes leaves the mood out, a knows it
    assert _sets(MOVES.format(first="observes = []", second=""))["first"] == 2
    # b sees the mood only when its observes names it
    assert _sets(MOVES.format(first="", second='observes = ["mood", "first"]'))["second"] == 4
    assert _sets(MOVES.format(first="", second="observes = []"))["second"] == 1


def test_two_informed_players_each_know_only_their_own_type() -> None:
    text = """
[types.resolve_a]
player = "a"
values = ["high", "low"]
prior = { high = "p" }

[types.resolve_b]
player = "b"
values = ["high", "low", "none"]
prior = { high = 0.2, low = 0.3 }

[moves.demand]
player = "a"
actions = ["ask", "wait"]

[moves.answer]
player = "b"
actions = ["yes", "no"]

[terms.a.t]
reason = "r"
when = { answer = "yes", resolve_b = "low" }
value = "1"

[terms.b.t]
reason = "r"
when = { answer = "no", resolve_a = "low" }
value = "1"
"""
    counts = _sets(text)
    assert counts["demand"] == 2  # a's own two types
    assert counts["answer"] == 3 * 2  # b's three types times a's demand
    game = compile_scenario(load_scenario_text(HEAD + text), {}).game()
    assert sorted(game.chance_probabilities.round(9).tolist()) == sorted(
        [0.3, 0.7] + [0.2, 0.3, 0.5] * 2
    )


#: One move of player a and one term: the rest of a file around the types under test.
ONE_MOVE = """
[moves.first]
player = "a"
actions = ["x", "y"]

[terms.a.t]
reason = "r"
when = { first = "x" }
value = "1"
"""


@pytest.mark.parametrize(
    ("types", "message"),
    [
        ('[types.mood]\nplayer = "c"\nvalues = ["x"]\nprior = { x = 1 }', "a player's id"),
        ('[types.mood]\nplayer = "a"\nvalues = []\nprior = {}', "expected at least one"),
        ('[types.mood]\nplayer = "a"\nvalues = ["x", "y"]', "missing required key 'prior'"),
        ('[types.mood]\nplayer = "a"\nvalues = ["x"]\nprior = { z = 1 }', "one of the actions"),
        (
            '[types.mood]\nplayer = "a"\nvalues = ["x"]\nprior = { x = 1 }\nsays = { z = "q" }',
            "one of the values",
        ),
        (
            '[types.mood]\nplayer = "a"\nvalues = ["x"]\nprior = { x = 1 }\ncolour = 1',
            "unknown key",
        ),
        ('[types.first]\nplayer = "a"\nvalues = ["x"]\nprior = { x = 1 }', "already names a type"),
    ],
)
def test_bad_types_are_refused_with_the_key_and_what_was_expected(types: str, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        load_scenario_text(HEAD + types + "\n" + ONE_MOVE)


def test_types_with_rounds_are_refused() -> None:
    mood = '[types.mood]\nplayer = "a"\nvalues = ["x", "y"]\nprior = { x = 0.5 }\n'
    with pytest.raises(FormatError, match="types cannot be combined with"):
        load_scenario_text(HEAD + mood + ONE_MOVE + "\n[rounds]\ncount = 2\n")


def test_a_prior_outside_zero_and_one_fails_at_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(TYPED.read_text().replace('strong = "prior"', 'strong = "prior + 1"'))
    result = subprocess.run(
        [str(Path(sys.executable).parent / "sim"), "solve", str(path), "--concept", "pbe"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "types.type.prior: the probabilities must be nonnegative and sum to 1" in result.stderr
