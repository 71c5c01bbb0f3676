"""Sweeps and shifts report only changes that happen, and every equilibrium there is.

- An outcome is the players' play: when only chance's odds move (the court's
  hazard of completing a sale), no threshold is found and the label stays put;
  the odds are numbers in the move columns.
- Where a player is indifferent over an interval, every subgame-perfect
  equilibrium is a row, and shifts say where the second one appears and where
  one disappears (derived by hand for ``tests/data/indifferent_defender.toml``).
- In a costly-signalling game, shifts fall exactly where the weak type stops
  bluffing (the equilibrium turns separating) and where the strong type stops
  signalling, derived by hand for ``tests/data/costly_signal.toml``, and
  nowhere else; the moves say what the challenger answers to what it sees.
- At random points drawn from every declared range at once, the sweep's set of
  outcomes equals ``solve_scenario``'s, for every shipped scenario, and for
  generated sequential scenarios whose small integer payoffs tie often (with
  chance probabilities of 0 and 1 among the points).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.analysis.design import grid_design, parse_vary
from sim.analysis.play import Play, equilibrium_support
from sim.analysis.shifts import find_shifts
from sim.analysis.sweep import Batch, evaluator_for, run_sweep
from sim.report.scenario import default_concept
from sim.report.solve import solve_scenario
from sim.scenario import load_scenario
from sim.scenario.compiler import build_structure

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline_nov2020.toml"
INDIFFERENT = ROOT / "tests" / "data" / "indifferent_defender.toml"
SIGNAL = ROOT / "tests" / "data" / "costly_signal.toml"
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))


def test_the_courts_odds_are_no_regime_change() -> None:
    scenario = load_scenario(BASELINE)
    result = find_shifts(scenario, "hazard_liquidation", 0, 1)
    assert result.shifts == ()
    assert len(result.bands) == 1
    design = grid_design([parse_vary("hazard_liquidation=0:1:101", scenario)])
    table = run_sweep(scenario, design, workers=1).table
    assert table is not None
    assert table["outcome"].nunique() == 1
    assert "liquidation" not in table["outcome"].iloc[0]  # chance is not in the label
    # ... its odds are beside it: on this path the court completes with the hazard.
    completes = table["move_liquidation"].map(lambda text: float(text.split(";")[0].split("=")[1]))
    np.testing.assert_allclose(completes, table["hazard_liquidation"], atol=1e-4)
    assert set(table["move_stance"]) == {"proceed"}


def test_every_spe_of_an_indifferent_defender_is_a_row_and_shifts_say_so() -> None:
    scenario = load_scenario(INDIFFERENT)
    # By hand: resisting pays -cost below 1 (better than conceding's -1), -1 on
    # [1, 2] (a tie: two SPEs, wait/resist and demand/concede), less above 2.
    result = find_shifts(scenario, "cost", 0, 3)
    values = [round(s.value, 4) for s in result.shifts]
    assert values == [1.0, 2.0]
    assert result.shifts[0].description == (
        "a second equilibrium appears: demand=demand; response=concede"
    )
    assert result.shifts[1].description == "the equilibrium demand=wait disappears"
    assert [len(b.equilibria) for b in result.bands] == [1, 2, 1]


SEMI_SEPARATING = (
    "signal=mobilise if type=strong / (mobilise or stay) if type=weak; "
    "response=(attack or hold) if signal=mobilise / attack if signal=stay"
)
SEPARATING = (
    "signal=mobilise if type=strong / stay if type=weak; "
    "response=hold if signal=mobilise / attack if signal=stay"
)
POOLING = "signal=stay; response=attack"


def test_a_costly_signal_shifts_where_the_weak_type_stops_bluffing_and_nowhere_else() -> None:
    """The Nash equilibria of ``costly_signal.toml``, by hand.

    The defender is strong with probability 0.3; mobilising costs the weak type
    c and the strong type c/2; being attacked costs either 1. The challenger
    gains 1 attacking a weak defender and loses 1 attacking a strong one, so
    it attacks when it believes the defender strong with probability below
    1/2, and on the prior (0.3) it attacks.

    - Pooling on staying, with an attack after a mobilisation that nobody
      sends, is an equilibrium for every c > 0: a deviation costs and is
      attacked anyway.
    - Separating (strong mobilises, weak stays; hold after mobilising, attack
      after staying): the weak type must not mimic, -1 >= -c, so c >= 1; the
      strong type must not stay, -c/2 >= -1, so c <= 2.
    - Below c = 1 the weak type bluffs: it mobilises with probability s that
      leaves the challenger indifferent, 0.3 / (0.3 + 0.7 s) = 1/2, so
      s = 3/7; the challenger holds after a mobilisation with probability r
      that leaves the weak type indifferent, -c - (1 - r) = -1, so r = c; the
      strong type then strictly prefers mobilising (-1 + c/2 > -1).
    - Above c = 2 only pooling is left.

    So the players' choices change at c = 1 (the bluff gives way to
    separation) and at c = 2 (separation disappears), and only there.
    """
    result = find_shifts(load_scenario(SIGNAL), "cost", 0.1, 3)
    assert [round(s.value, 4) for s in result.shifts] == [1.0, 2.0]
    bands = [
        {"; ".join(f"{m}={a}" for m, a in eq.items()) for eq in b.equilibria} for b in result.bands
    ]
    assert bands == [{SEMI_SEPARATING, POOLING}, {SEPARATING, POOLING}, {POOLING}]
    assert "disappears" in result.shifts[1].description

    # The bluff's probabilities, by hand: at c = 0.5 mobilising has
    # probability 0.3 + 0.7 * 3/7 = 0.6 and an attack 0.4 + 0.6 * (1 - 0.5).
    scenario = load_scenario(SIGNAL)
    table = run_sweep(scenario, grid_design([parse_vary("cost=0.5:0.5:1", scenario)])).table
    assert table is not None
    bluff = table[table["outcome"] == SEMI_SEPARATING].iloc[0]
    assert bluff["move_signal"] == "mobilise=0.6; stay=0.4"
    assert bluff["move_response"] == "attack=0.7; hold=0.3"
    assert bluff["payoff_defender"] == pytest.approx(0.3 * (-0.25 - 0.5) - 0.7)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 3), min_size=1, max_size=6))
def test_the_sweep_writes_as_many_rows_as_solve_lists(costs: list[float]) -> None:
    scenario = load_scenario(INDIFFERENT)
    structure = build_structure(scenario)
    batch = Batch(scenario, structure, "spe", {}, {"cost": np.array(costs)})
    found = evaluator_for(scenario, structure, "spe")(batch)
    index = np.asarray(found["index"])
    for k, cost in enumerate(costs):
        solution = solve_scenario(scenario, settings={"cost": cost})
        rows = np.flatnonzero(index == k)
        assert len(rows) == len(solution)
        assert {found["outcome"][r] for r in rows} == {label(solution, eq) for eq in solution}
        assert {bool(found["complete"][r]) for r in rows} == {solution.complete}


def label(solution, eq) -> str:  # type: ignore[no-untyped-def]
    """An equilibrium of ``solve_scenario`` labelled through the per-point route."""
    structure = build_structure(solution.scenario)
    play = Play.of_tree(structure.tree, structure.paths)
    return play.label(equilibrium_support(solution.game, eq.equilibrium))


def random_point(scenario, rng: np.random.Generator) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Every free parameter drawn from its declared range at once."""
    point = {}
    for name, parameter in scenario.parameters.items():
        free = isinstance(parameter.value, int | float) and parameter.choices is None
        if not free or parameter.range is None:
            continue
        low, high = parameter.range
        point[name] = float(rng.uniform(low, high))
    return point


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1))
def test_sweep_and_solve_agree_on_the_set_of_outcomes(path: Path, seed: int) -> None:
    scenario = load_scenario(path)
    if scenario.rounds is not None:
        pytest.skip("[rounds] scenarios are swept round by round through solve_scenario")
    structure = build_structure(scenario)
    concept = default_concept(scenario, structure)
    rng = np.random.default_rng(seed)
    points = [random_point(scenario, rng) for _ in range(4)]
    names = sorted({n for p in points for n in p})
    batch = Batch(
        scenario, structure, concept, {}, {n: np.array([p[n] for p in points]) for n in names}
    )
    found = evaluator_for(scenario, structure, concept)(batch)
    index = np.asarray(found["index"])
    for k, point in enumerate(points):
        solution = solve_scenario(scenario, concept=concept, settings=point)
        swept = {found["outcome"][r] for r in np.flatnonzero(index == k)}
        assert swept == {label(solution, eq) for eq in solution}, point


def test_the_hazard_plot_draws_one_regime_and_the_courts_odds_as_a_curve(
    tmp_path: Path,
) -> None:
    from sim.plot.shift import shift_from_table

    scenario = load_scenario(BASELINE)
    design = grid_design([parse_vary("hazard_liquidation=0:1:101", scenario)])
    table = run_sweep(scenario, design, workers=1).table
    fig = shift_from_table(scenario, table, "hazard_liquidation")
    top, middle, _ = fig.axes
    assert middle.get_ylabel() == "probability"
    assert not [line for line in top.get_lines() if line.get_linestyle() == "--"]  # no threshold
    (curve,) = middle.get_lines()
    assert curve.get_label() == "P(liquidation=completes)"
    np.testing.assert_allclose(curve.get_ydata(), np.linspace(0, 1, 101), atol=1e-4)
    legend = top.get_legend().get_texts()
    assert len(legend) == 1  # one outcome: nobody changes anything
    fig.savefig(tmp_path / "hazard.png")


def test_a_region_with_two_equilibria_is_named_as_such() -> None:
    from sim.plot.kinds import shifts_figure

    fig = shifts_figure(find_shifts(INDIFFERENT, "cost", 0, 3))
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert texts[1].startswith(
        "B: 2 equilibrium outcomes: Challenger: wait | Challenger: demand; Defender: concede"
    )


def test_probabilities_count_a_draw_with_two_equilibria_as_both() -> None:
    from sim.analysis.monte_carlo import outcome_probabilities

    scenario = load_scenario(INDIFFERENT)
    design = grid_design([parse_vary("cost=0:3:31", scenario)])  # 11 of 31 points tie
    table = run_sweep(scenario, design, workers=1).table
    shares = outcome_probabilities(table, scenario).set_index("outcome")["points"].to_dict()
    assert shares == {
        "Challenger: wait": 10,
        "Challenger: demand; Defender: concede | Challenger: wait": 11,
        "Challenger: demand; Defender: concede": 10,
    }


def test_the_instructors_guide_keeps_a_threshold_where_an_equilibrium_appears() -> None:
    from sim.classroom.handouts import _threshold_lines

    lines = _threshold_lines(load_scenario(INDIFFERENT), {}, limit=5)
    assert any("a second equilibrium appears" in line for line in lines), lines
    assert any("disappears" in line for line in lines), lines


def test_a_regime_map_names_regions_with_several_equilibria(tmp_path: Path) -> None:
    from sim.plot.regime_map import regime_map

    scenario = load_scenario(SIGNAL)
    design = grid_design(
        [parse_vary("cost=0.15:2.95:29", scenario), parse_vary("prior=0.05:0.45:4", scenario)]
    )
    table = run_sweep(scenario, design, workers=1).table
    fig = regime_map(scenario, table, "cost", "prior")
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert len(texts) == 3
    assert texts[0].startswith("A: 2 equilibrium outcomes: ")
    assert texts[1].startswith("B: 2 equilibrium outcomes: ")
    assert texts[2] == "C: Defender: stay; Challenger: attack"
    fig.savefig(tmp_path / "map.png")


@st.composite
def tied_scenarios(draw: st.DrawFn) -> str:
    """A small sequential scenario with chance and small integer payoffs (ties are common).

    Chance (probability ``p`` of ``wet``, swept over [0, 1], ends included),
    then A with 2-3 actions, then B, who sees everything, with 2-3 actions;
    each player's payoff adds a term in -2..2 for every action taken.
    """
    a_actions = [f"a{k}" for k in range(draw(st.integers(2, 3)))]
    b_actions = [f"b{k}" for k in range(draw(st.integers(2, 3)))]
    lines = [
        "[scenario]",
        'title = "Generated"',
        "date = 2026-12-07",
        'narrative = "x"',
        'sources = ["generated"]',
        "[players.a]",
        'name = "A"',
        'description = "x"',
        "[players.b]",
        'name = "B"',
        'description = "x"',
        "[parameters.p]",
        "value = 0.5",
        "range = [0, 1]",
        'label = "p"',
        'description = "x"',
        'source = "x"',
        "[moves.weather]",
        'player = "chance"',
        'actions = ["wet", "dry"]',
        'probabilities = { wet = "p", dry = "1 - p" }',
        'description = "x"',
        "[moves.first]",
        'player = "a"',
        f"actions = {a_actions!r}".replace("'", '"'),
        'description = "x"',
        "[moves.second]",
        'player = "b"',
        f"actions = {b_actions!r}".replace("'", '"'),
        'description = "x"',
    ]
    for player in ("a", "b"):
        lines += [f"[terms.{player}.base]", 'reason = "x"', 'value = "0"']
        for move, actions in (
            ("weather", ["wet", "dry"]),
            ("first", a_actions),
            ("second", b_actions),
        ):
            for action in actions:
                value = draw(st.integers(-2, 2))
                if value:
                    lines += [
                        f"[terms.{player}.{move}_{action}]",
                        'reason = "x"',
                        f'when = {{ {move} = "{action}" }}',
                        f'value = "{value}"',
                    ]
    return "\n".join(lines) + "\n"


@pytest.mark.slow
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tied_scenarios(), st.lists(st.sampled_from([0.0, 0.3, 0.5, 1.0]), min_size=1, max_size=4))
def test_on_generated_trees_with_ties_the_sweep_lists_what_solve_lists(
    tmp_path: Path, text: str, values: list[float]
) -> None:
    path = tmp_path / "generated.toml"
    path.write_text(text)
    scenario = load_scenario(path)
    structure = build_structure(scenario)
    batch = Batch(scenario, structure, "spe", {}, {"p": np.array(values)})
    found = evaluator_for(scenario, structure, "spe")(batch)
    index = np.asarray(found["index"])
    for k, p in enumerate(values):
        solution = solve_scenario(scenario, concept="spe", settings={"p": p})
        rows = np.flatnonzero(index == k)
        assert len(rows) == len(solution)
        assert {found["outcome"][r] for r in rows} == {label(solution, eq) for eq in solution}


@pytest.mark.slow
@pytest.mark.parametrize("concept", ["pbe", "sequential"])
def test_the_signal_sweep_reports_the_kinds_of_equilibrium_between_the_thresholds(
    concept: str,
) -> None:
    """The thresholds derived by hand above hold for perfect Bayesian and sequential
    equilibria too (every Nash equilibrium of this game is one, with the off-path
    belief that supports it): below c = 1 the weak type bluffs (semi-separating),
    from 1 to 2 the types separate, and pooling on staying holds throughout. At
    c = 2 exactly the strong type is indifferent and may mix while the weak one
    stays (after a mobilisation the challenger is sure it faces the strong type):
    a band of one point, which the search brackets within its tolerance."""
    from sim.report import solution_to_dict

    scenario = load_scenario(SIGNAL)
    result = find_shifts(scenario, "cost", 0.1, 3, concept=concept)
    assert {round(s.value, 4) for s in result.shifts} == {1.0, 2.0}
    kinds = []
    for band in [b for b in result.bands if b.high - b.low > 1e-3]:
        middle = (band.low + band.high) / 2
        report = solution_to_dict(
            solve_scenario(scenario, concept=concept, settings={"cost": middle})
        )
        kinds.append({eq["signalling"] for eq in report["equilibria"]})
    assert kinds == [{"semi-separating", "pooling"}, {"separating", "pooling"}, {"pooling"}]
