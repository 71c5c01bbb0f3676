"""Figures: the shift plot from bisected thresholds and from a sweep table."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.analysis.shifts import find_shifts
from sim.analysis.sweep import parse_outcome, read_table
from sim.cli import main
from sim.plot.shift import shift_figure
from sim.report.narrate import outcome_label
from sim.report.solve import solve_scenario
from sim.scenario import load_scenario

pytestmark = pytest.mark.slow  # figures are drawn and written

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline_nov2020.toml"


def test_the_shift_figure_has_a_band_per_outcome_and_a_line_per_threshold() -> None:
    scenario = load_scenario(BASELINE)
    result = find_shifts(scenario, "seoul_audience_cost", 0, 10, settings={
        "us_alliance_priority": 0.8})  # fmt: skip
    bands = [(b.low, b.high, b.outcome) for b in result.bands]
    figure = shift_figure(
        scenario, "seoul_audience_cost", bands, [s.value for s in result.shifts],
        [0, 5, 10], {"Seoul": [1, 0, -1]},
    )  # fmt: skip
    top, bottom = figure.axes
    assert len(top.patches) == len(result.bands) == 3
    legend = [" ".join(t.get_text().split()) for t in top.get_legend().get_texts()]  # unwrapped
    assert legend[0].startswith("A: Washington: mediate_quietly; Seoul: ")
    labels = list(dict.fromkeys(outcome_label(scenario, b[2]) for b in bands))
    assert legend == [f"{chr(ord('A') + k)}: {label}" for k, label in enumerate(labels)]
    assert len(top.lines) == len(result.shifts) == 2
    (seoul,) = [line for line in bottom.lines if line.get_label() == "Seoul"]
    assert list(seoul.get_ydata()) == [1, 0, -1]
    # Colour-blind-safe: every band is filled from the Okabe-Ito palette.
    from matplotlib.colors import to_hex

    from sim.plot import PALETTE

    assert {to_hex(p.get_facecolor(), keep_alpha=False).upper() for p in top.patches} <= {
        c.upper() for c in PALETTE
    }


def test_shifts_writes_the_plot_and_the_thresholds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "shift.png"
    argv = ["shifts", str(BASELINE), "--vary", "us_alliance_priority=0:2", "--plot", str(png)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "At us_alliance_priority = 0.609376: Washington switches" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = tmp_path / "shift.txt"
    assert main([*argv[:-1], str(bad)]) == 2
    assert "expected a .png, .svg or .pdf" in capsys.readouterr().err and not bad.exists()


def test_plot_draws_the_figure_that_suits_the_sweep_and_refuses_a_mismatch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "line.csv"
    vary = ["--vary", "us_alliance_priority=0:2:21"]
    assert main(["sweep", str(BASELINE), *vary, "--out", str(table), "--workers", "1"]) == 0
    pdf = tmp_path / "line.pdf"
    assert main(["plot", str(table), "--out", str(pdf)]) == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    grid = tmp_path / "grid.csv"
    more = [*vary, "--vary", "public_cover=0:1:2"]
    assert main(["sweep", str(BASELINE), *more, "--out", str(grid), "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["plot", str(grid), "--out", str(tmp_path / "grid.png")]) == 0  # a map
    assert main(["plot", str(grid), "--kind", "shift", "--out", str(tmp_path / "g.png")]) == 2
    assert "needs a grid over 1 parameter(s)" in capsys.readouterr().err


def test_a_regime_map_has_one_region_per_outcome(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:

    grid = tmp_path / "grid.csv"
    vary = ["--vary", "us_alliance_priority=0:2:21", "--vary", "seoul_audience_cost=0:10:11"]
    assert main(["sweep", str(BASELINE), *vary, "--out", str(grid), "--workers", "1"]) == 0
    svg = tmp_path / "map.svg"
    assert main(["plot", str(grid), "--kind", "map", "--out", str(svg)]) == 0
    assert svg.read_text().lstrip().startswith("<?xml")
    from sim.plot.regime_map import regime_map

    table = read_table(grid)
    figure = regime_map(
        load_scenario(BASELINE), table, "us_alliance_priority", "seoul_audience_cost"
    )
    legend = [  # the legend wraps long descriptions; compare them unwrapped
        " ".join(t.get_text().split()).split(": ", 1)[1]
        for t in figure.axes[0].get_legend().get_texts()
    ]
    scenario = load_scenario(BASELINE)
    first = table.sort_values("point").drop_duplicates("point")
    words = {outcome_label(scenario, parse_outcome(t)) for t in first.outcome}
    assert set(legend) == words and len(words) >= 3
    line = tmp_path / "line.csv"
    assert main(["sweep", str(BASELINE), *vary[:2], "--out", str(line), "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["plot", str(line), "--kind", "map", "--out", str(tmp_path / "m.png")]) == 2
    assert "needs a grid over 2 parameter(s)" in capsys.readouterr().err


def test_qre_and_matrix_figures_of_a_game(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = ROOT / "scenarios" / "classroom_brokered_package.toml"
    qre = tmp_path / "qre.png"
    assert main(["plot", str(package), "--kind", "qre", "--out", str(qre)]) == 0
    assert qre.read_bytes()[:4] == b"\x89PNG"
    matrix = tmp_path / "matrix.svg"
    args = ["plot", str(package), "--kind", "matrix", "--out", str(matrix)]
    assert main([*args, "--set", "us_alliance_priority=0.3"]) == 0
    assert matrix.read_text().lstrip().startswith("<?xml")
    from sim.plot.games import matrix_figure
    from sim.scenario import compile_scenario

    def shaded(rho: float) -> int:
        settings = {"us_alliance_priority": rho}
        game = compile_scenario(load_scenario(package), settings).game().reduced_normal_form()
        return len(matrix_figure(game).axes[0].patches)

    assert shaded(1.0) == 2  # the stag hunt's two pure equilibria
    assert shaded(0.3) == 1  # at Trump-level pressure only refusal (the file drawn above)
    summit = tmp_path / "s.pdf"
    args = ["plot", str(ROOT / "sim" / "examples" / "summit.nfg"), "--kind", "matrix"]
    assert main([*args, "--out", str(summit)]) == 0
    assert summit.read_bytes()[:5] == b"%PDF-"
    capsys.readouterr()
    assert main(["plot", str(BASELINE), "--kind", "matrix", "--out", str(tmp_path / "b.png")]) == 2
    assert "pure-strategy profiles" in capsys.readouterr().err


def test_the_shift_plot_payoffs_are_those_of_the_forced_scenario() -> None:
    scenario = load_scenario(BASELINE)
    force = {"mediation": "stay_out"}
    result = find_shifts(scenario, "us_alliance_priority", 0, 2, grid=9, force=force)
    xs, payoffs = result.payoff_curves(5)
    for k, rho in enumerate(xs):
        (eq,) = solve_scenario(scenario, settings={"us_alliance_priority": rho}, force=force)
        assert payoffs["Washington"][k] == pytest.approx(eq.payoffs[0])


def _played_edges(figure) -> list[tuple[float, ...]]:  # type: ignore[no-untyped-def]
    from matplotlib.colors import to_hex

    return [
        tuple(line.get_xdata())
        for line in figure.axes[0].lines
        if line.get_linewidth() == 3.0 and to_hex(line.get_color()) == "#000000"
    ]


def test_the_flagship_tree_is_folded_around_its_path() -> None:
    from sim.plot.tree import tree_figure

    scenario = load_scenario(BASELINE)
    (eq,) = solve_scenario(scenario)
    game = compile_scenario_game(scenario)
    figure = tree_figure(game, eq.terminal_probabilities, behaviour=eq.behaviour)
    texts = [t.get_text() for t in figure.axes[0].texts]
    # The path: stay out, proceed, skip, then either draw of the court sale, keep, keep.
    for action in ("stay_out", "proceed", "skip", "completes (60%)", "stalls (40%)"):
        assert action in texts
    reached = [t for t in texts if t.startswith(("60%: ", "40%: "))]
    assert len(reached) == 2
    # 216 outcomes folded to the path and one step off it, each with what play gives.
    folded = [t for t in texts if t.startswith("\u2026 ")]
    assert 5 <= len(folded) <= 20 and all("; then Washington " in t for t in folded)
    assert len(_played_edges(figure)) == 3 + 2 + 2 * 2  # three moves, the sale, two each


def compile_scenario_game(scenario):  # type: ignore[no-untyped-def]
    from sim.scenario import compile_scenario

    return compile_scenario(scenario).game()


def test_a_small_tree_is_drawn_whole_with_its_information_sets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = ROOT / "scenarios" / "classroom_brokered_package.toml"
    out = tmp_path / "tree.svg"
    assert (
        main(["plot", str(package), "--kind", "tree", "--equilibrium", "2", "--out", str(out)]) == 0
    )
    assert out.read_text().lstrip().startswith("<?xml")
    from sim.plot.tree import tree_figure

    solution = solve_scenario(load_scenario(package))
    mixed = next(eq for eq in solution if not eq.pure)
    figure = tree_figure(solution.game, mixed.terminal_probabilities)
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert sum(t.startswith("Seoul ") or "%: Seoul " in t for t in texts) == 8  # every outcome
    assert any(t.startswith(("accept (", "refuse (")) for t in texts)  # mixed play in percent
    assert len(figure.axes[0].patches) == 1  # Tokyo's two nodes: one information set
    capsys.readouterr()
    args = ["plot", str(package), "--kind", "tree", "--out", str(tmp_path / "x.png")]
    assert main([*args, "--equilibrium", "9"]) == 2
    assert "has 3 nash equilibria" in capsys.readouterr().err
    rounds = ROOT / "scenarios" / "moon_lame_duck.toml"
    assert main(["plot", str(rounds), "--kind", "tree", "--out", str(tmp_path / "r.png")]) == 2
    assert "[rounds]" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "r.png").exists()


def test_monte_carlo_probabilities_are_drawn_with_their_intervals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sim.analysis.monte_carlo import outcome_probabilities
    from sim.plot.probability import probability_figure

    out = tmp_path / "mc.csv"
    args = ["sweep", str(BASELINE), "--monte-carlo", "400", "--seed", "3", "--workers", "1"]
    assert main([*args, "--out", str(out)]) == 0
    figure_file = tmp_path / "mc.pdf"
    assert main(["plot", str(out), "--kind", "probability", "--out", str(figure_file)]) == 0
    assert figure_file.read_bytes()[:5] == b"%PDF-"
    table = outcome_probabilities(read_table(out), load_scenario(BASELINE))
    figure = probability_figure(table)
    ax = figure.axes[0]
    assert [round(bar.get_width(), 9) for bar in ax.patches] == [
        round(100 * p, 9) for p in sorted(table["probability"], reverse=True)
    ]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("A: Washington: stay_out")
