"""Sweeps and shifts: batched equals point by point, runs reproduce, thresholds are exact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim.analysis.design import grid_design, parse_vary, sample_design
from sim.analysis.play import Play, equilibrium_support
from sim.analysis.shifts import find_shifts
from sim.analysis.sweep import run_sweep
from sim.cli import main
from sim.games.extensive_form import CHANCE
from sim.games.tree import GameTree
from sim.report.solve import solve_scenario
from sim.scenario import load_scenario
from tests.optional import require

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline_nov2020.toml"
PACKAGE = ROOT / "scenarios" / "classroom_brokered_package.toml"
SIM = str(Path(sys.executable).with_name("sim"))


@pytest.fixture(scope="module")
def baseline():  # type: ignore[no-untyped-def]
    return load_scenario(BASELINE)


def players_play(game, eq) -> str:  # type: ignore[no-untyped-def]
    """An equilibrium of ``solve_scenario`` labelled as a sweep labels it, by its own route."""
    structure = build_structure_of(game)
    return Play.of_tree(game.tree, structure).label(equilibrium_support(game, eq.equilibrium))


def build_structure_of(game):  # type: ignore[no-untyped-def]
    """Each terminal's play path, read off the tree (the sweep reads the scenario's)."""
    tree = game.tree
    paths = []
    for v in tree.terminals.tolist():
        path = {}
        for node, a in tree.path(v):
            h = int(tree.node_infoset[node])
            path[tree.move_names[h]] = tree.action_labels[h][a]
        paths.append(path)
    return paths


def test_a_batched_spe_sweep_equals_solving_each_point(baseline) -> None:  # type: ignore[no-untyped-def]
    design = grid_design(
        [
            parse_vary("us_alliance_priority=0:2:7", baseline),
            parse_vary("seoul_audience_cost=0:10:5", baseline),
        ]
    )
    table = run_sweep(baseline, design, workers=1).table
    assert table is not None and len(table) == 35
    for row in table.itertuples():
        solution = solve_scenario(
            baseline,
            settings={
                "us_alliance_priority": row.us_alliance_priority,
                "seoul_audience_cost": row.seoul_audience_cost,
            },
        )
        (eq,) = solution
        p = eq.outcomes[0][0]
        assert row.outcome == players_play(solution.game, eq)
        assert row.outcome_probability == pytest.approx(p)
        assert (row.equilibria, row.complete) == (1, True)
        # Chance is a number beside the label: P(completes | the court's move is reached).
        chance = dict(x.split("=") for x in row.move_liquidation.split("; "))
        reached = sum(q for q, path in eq.outcomes if "liquidation" in path)
        completes = sum(q for q, path in eq.outcomes if path.get("liquidation") == "completes")
        assert float(chance["completes"]) == pytest.approx(completes / reached, abs=1e-4)
        assert [row.payoff_washington, row.payoff_seoul, row.payoff_tokyo] == pytest.approx(
            list(eq.payoffs)
        )
        assert row.max_regret < 1e-9


def test_a_batched_pure_nash_sweep_equals_solving_each_point() -> None:
    scenario = load_scenario(PACKAGE)
    design = grid_design([parse_vary("us_alliance_priority=0:2:9", scenario)])
    table = run_sweep(scenario, design, concept="pure-nash", workers=1).table
    assert table is not None
    for point, rows in table.groupby("point"):
        rho = float(rows.us_alliance_priority.iloc[0])
        solution = solve_scenario(
            scenario, concept="pure-nash", settings={"us_alliance_priority": rho}
        )
        expected = sorted(players_play(solution.game, eq) for eq in solution)
        assert sorted(rows.outcome) == expected, point
        assert set(rows.equilibria) == {len(solution)}


def test_samples_are_reproducible_and_stratified(baseline) -> None:  # type: ignore[no-untyped-def]
    one = sample_design(baseline, 50, names=["us_alliance_priority", "public_cover"], seed=3)
    two = sample_design(baseline, 50, names=["us_alliance_priority", "public_cover"], seed=3)
    for name, (low, high) in (("us_alliance_priority", (0, 2)), ("public_cover", (0, 1))):
        values = one.points(0, 50)[name]
        np.testing.assert_array_equal(values, two.points(0, 50)[name])
        strata = np.sort(np.floor((values - low) / (high - low) * 50))
        np.testing.assert_array_equal(strata, np.arange(50))


def test_the_command_line_samples_from_a_seed(capsys: pytest.CaptureFixture[str]) -> None:
    """--sample with each --sampling: the seed fixes the points, the method changes them."""
    tables = {}
    for sampling in ("latin-hypercube", "random"):
        for seed in ("1", "1", "2"):
            argv = ["sweep", str(BASELINE), "--sample", "20", "--vary", "public_cover=0:1"]
            assert main([*argv, "--sampling", sampling, "--seed", seed, "--workers", "1"]) == 0
            tables.setdefault(sampling, []).append(capsys.readouterr().out)
    for runs in tables.values():
        assert runs[0] == runs[1] != runs[2]
    assert tables["latin-hypercube"][0] != tables["random"][0]
    column = [float(line.split(",")[0]) for line in tables["latin-hypercube"][0].splitlines()[1:]]
    assert sorted(int(v * 20) for v in column) == list(range(20))


@pytest.mark.slow
def test_serial_parallel_and_killed_then_resumed_sweeps_write_identical_tables(
    tmp_path: Path,
) -> None:
    args = [
        "sweep", str(BASELINE), "--vary", "us_alliance_priority=0:2:41",
        "--vary", "hazard_liquidation=0:1:41", "--chunk-size", "20",
    ]  # fmt: skip
    serial, parallel, resumed = tmp_path / "serial.csv", tmp_path / "par.csv", tmp_path / "r.csv"
    assert main([*args, "--out", str(serial), "--workers", "1"]) == 0
    assert main([*args, "--out", str(parallel), "--workers", "2"]) == 0
    env = {**os.environ, "CI": "1"}
    process = subprocess.Popen(
        [SIM, *args, "--out", str(resumed), "--workers", "1"], env=env, start_new_session=True
    )
    parts = tmp_path / "r.csv.parts"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(parts.glob("chunk-*.csv"))) < 5:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not resumed.exists()  # killed before the end: nothing half-written
    finished = len(list(parts.glob("chunk-*.csv")))
    assert 5 <= finished < 85
    assert main([*args, "--out", str(resumed), "--workers", "2", "--resume"]) == 0
    assert serial.read_bytes() == parallel.read_bytes() == resumed.read_bytes()
    import json

    sidecar = json.loads(Path(str(resumed) + ".json").read_text())
    assert sidecar["resumed_chunks"] == finished and sidecar["rows"] == 41 * 41


def test_thresholds_agree_with_a_dense_grid_to_the_tolerance(baseline) -> None:  # type: ignore[no-untyped-def]
    result = find_shifts(baseline, "us_alliance_priority", 0, 2, grid=17)
    (shift,) = result.shifts
    assert shift.high - shift.low <= result.tol == pytest.approx(2e-6)
    design = grid_design([parse_vary("us_alliance_priority=0:2:20001", baseline)])
    table = run_sweep(baseline, design, workers=1).table
    assert table is not None
    changed = np.flatnonzero(table.outcome.to_numpy()[1:] != table.outcome.to_numpy()[:-1])
    (k,) = changed
    x = table.us_alliance_priority.to_numpy()
    assert x[k] <= shift.low < shift.high <= x[k + 1]
    assert "Seoul from proceed to fund" in shift.description


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        ("us_alliance_prioity=0:2:5", "did you mean 'us_alliance_priority'"),
        ("us_alliance_priority=0:2:0", "an empty range"),
        ("us_alliance_priority=0:x:5", "STOP must be a number"),
        ("us_alliance_priority=0:3:5", "outside the parameter's range"),
        ("fund_design=0:1:2", "is a choice"),
        ("us_alliance_priority=0:2", "expected NAME=START:STOP:COUNT"),
    ],
)
def test_a_bad_sweep_fails_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], vary: str, message: str
) -> None:
    out = tmp_path / "out.csv"
    assert main(["sweep", str(BASELINE), "--vary", vary, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sim: error: ") and message in err and err.count("\n") == 1
    assert not out.exists() and not (tmp_path / "out.csv.parts").exists()


def test_a_chunk_size_of_zero_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    # It used to be taken for "no size given" and replaced by the default.
    args = ["sweep", str(BASELINE), "--vary", "us_alliance_priority=0:1:3", "--chunk-size", "0"]
    assert main(args) == 2
    assert "--chunk-size must be at least 1; got 0" in capsys.readouterr().err


@pytest.mark.slow
def test_a_dask_local_cluster_and_parquet_give_the_same_table(tmp_path: Path) -> None:
    import pandas as pd

    require("distributed", reason='pip install "dask[distributed]"')
    require("pyarrow", reason="pip install pyarrow")

    args = [
        "sweep", str(BASELINE), "--vary", "us_alliance_priority=0:2:31",
        "--vary", "public_cover=0:1:3", "--chunk-size", "10",
    ]  # fmt: skip
    local, dask, parquet = tmp_path / "l.csv", tmp_path / "d.csv", tmp_path / "p.parquet"
    assert main([*args, "--out", str(local), "--workers", "1"]) == 0
    assert main([*args, "--out", str(dask), "--workers", "2", "--scheduler", "local"]) == 0
    assert local.read_bytes() == dask.read_bytes()
    assert main([*args, "--out", str(parquet), "--workers", "1"]) == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(parquet), pd.read_csv(local, keep_default_na=False, na_values=[])
    )


def test_monte_carlo_draws_the_declared_distributions_reproducibly(
    baseline,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    from sim.analysis.monte_carlo import monte_carlo_design, outcome_probabilities

    design = monte_carlo_design(baseline, 4000, seed=5)
    again = monte_carlo_design(baseline, 4000, seed=5)
    points = design.points(0, 4000)
    for name in design.names:
        np.testing.assert_array_equal(points[name], again.points(0, 4000)[name])
        distribution = baseline.parameters[name].distribution
        assert distribution is not None
        low, high = distribution.numbers["low"], distribution.numbers["high"]
        assert low <= points[name].min() and points[name].max() <= high
    mode = baseline.parameters["us_alliance_priority"].distribution.numbers["mode"]
    assert abs(points["us_alliance_priority"].mean() - (0.1 + mode + 0.6) / 3) < 0.01
    table = run_sweep(baseline, design, workers=1).table
    summary = outcome_probabilities(table, baseline)
    assert summary.points.sum() == 4000 and summary.probability.sum() == pytest.approx(1)
    assert (summary.probability == summary.points / 4000).all()
    # The Wilson interval, recomputed from its formula for every row (z for 95%).
    z, n = 1.959963984540054, 4000
    p = summary.probability
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    np.testing.assert_allclose(summary.low, np.maximum(0, centre - half))
    np.testing.assert_allclose(summary.high, np.minimum(1, centre + half))
    assert (summary.low <= summary.probability).all() and (
        summary.probability <= summary.high
    ).all()
    assert main(["sweep", str(BASELINE), "--monte-carlo", "200", "--seed", "1"]) == 0
    assert "95% Wilson intervals" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("distribution", "message"),
    [
        ('{ kind = "gamma" }', "expected a distribution"),
        ('{ kind = "triangular", low = 0, mode = 3, high = 1 }', "expected low <= mode <= high"),
        ('{ kind = "normal", mean = 1, sd = 0 }', "expected a positive number"),
        ('{ kind = "uniform", low = 0.5, high = 0.9 }', "lies outside the distribution"),
        ('{ kind = "beta", a = 2 }', "a beta distribution needs a, b"),
        ('{ kind = "uniform", lo = 0 }', "unknown key"),
    ],
)
def test_bad_distributions_are_refused(tmp_path: Path, distribution: str, message: str) -> None:
    from sim.errors import FormatError

    text = BASELINE.read_text().replace(
        'distribution = { kind = "uniform", low = 0, high = 0.4 }',
        f"distribution = {distribution}",
    )
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(FormatError, match=message):
        load_scenario(path)


def test_a_point_without_equilibrium_reads_back_with_numeric_payoffs(tmp_path: Path) -> None:
    import pandas as pd

    from sim.analysis.sweep import read_table

    frame = pd.DataFrame(
        {"x": [0.0, 1.0], "point": [0, 1], "concept": "nash", "outcome": ["a=b", ""],
         "outcome_probability": [1.0, 0.0], "payoff_p": [1.5, np.nan],
         "max_regret": [0.0, np.nan]}
    )  # fmt: skip
    frame.to_csv(tmp_path / "t.csv", index=False)
    table = read_table(tmp_path / "t.csv")
    assert table["payoff_p"].dtype == np.float64 and np.isnan(table["payoff_p"][1])
    assert table["outcome"].tolist() == ["a=b", ""]


PENNIES = """
[scenario]
title = "Pennies with a stake"
[players.a]
[players.b]
[parameters.stake]
value = 1
range = [0, 2]
[moves.ma]
player = "a"
actions = ["h", "t"]
group = "g"
[moves.mb]
player = "b"
actions = ["h", "t"]
group = "g"
[terms.a.match]
reason = "r"
when = { ma = ["h"], mb = ["h"] }
value = "stake"
[terms.a.match_t]
reason = "r"
when = { ma = "t", mb = "t" }
value = 1
[terms.b.mismatch]
reason = "r"
when = { ma = "h", mb = "t" }
value = 1
[terms.b.mismatch_h]
reason = "r"
when = { ma = "t", mb = "h" }
value = 1
"""


def test_points_without_a_pure_equilibrium_keep_an_empty_row_in_point_order() -> None:
    from sim.scenario import load_scenario_text

    scenario = load_scenario_text(PENNIES)
    design = grid_design([parse_vary("stake=0:2:5", scenario)])
    table = run_sweep(scenario, design, concept="pure-nash", workers=1).table
    assert table is not None
    assert table.point.tolist() == sorted(table.point.tolist())
    assert set(range(5)) == set(table.point)
    empty = table[table.outcome == ""]
    assert len(empty) >= 1 and empty.payoff_a.isna().all() and empty.max_regret.isna().all()
    for row in table[table.outcome != ""].itertuples():
        (eq,) = list(solve_scenario(scenario, concept="pure-nash", settings={"stake": row.stake}))
        assert row.payoff_a == pytest.approx(eq.payoffs[0])


@settings(max_examples=60, deadline=None)
@example(floats=[0.0, -0.0, float("nan"), 1e16, 5e-324], texts=["a", "", "b=c", "d", "e"])
@given(
    floats=st.lists(
        st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=1, max_size=30
    ),
    texts=st.lists(st.text(alphabet='ab=; ,"\n', max_size=6), min_size=1, max_size=30),
)
def test_chunk_files_are_the_bytes_pandas_would_write(
    floats: list[float], texts: list[str]
) -> None:
    import pandas as pd

    from sim.analysis.sweep import csv_text

    size = min(len(floats), len(texts))
    frame = pd.DataFrame(
        {
            "x": floats[:size],
            "point": np.arange(size),
            "concept": "spe",
            "outcome": texts[:size],
            "payoff": [v * 2 for v in floats[:size]],
        }
    )
    for header in (True, False):
        assert csv_text(frame, header=header) == frame.to_csv(index=False, header=header)


@pytest.mark.parametrize("hazard", [0.0, 0.37, 1.0])
def test_the_structural_support_counts_chance_branches_of_probability_zero(
    baseline,  # type: ignore[no-untyped-def]
    hazard: float,
) -> None:
    """``possible`` (from backward induction's pass down) against an independent walk."""
    from sim.analysis.sweep import Batch
    from sim.scenario.compiler import build_structure
    from sim.solvers.subgame_perfect import backward_induction_batch

    structure = build_structure(baseline)
    points = {
        "us_alliance_priority": np.linspace(0, 2, 64),
        "hazard_liquidation": np.full(64, hazard),
    }
    compiled = Batch(baseline, structure, "spe", {}, points).compile()
    result = backward_induction_batch(
        structure.tree, compiled.payoffs, compiled.chance, tie_break=baseline.tie_break
    )
    reachable = reachable_terminals(structure.tree, result.decision_nodes, result.choices)
    assert np.array_equal(result.possible, reachable)
    assert np.all(result.terminal_probabilities[~result.possible] == 0)


def test_blocked_batched_spe_equals_one_pass_over_the_whole_batch(baseline) -> None:  # type: ignore[no-untyped-def]
    """Blocks of points (sweep), chunks (solver, referee): none of them changes a result."""
    from sim.analysis.sweep import SOLVE_BLOCK, Batch, _batched_spe
    from sim.games.behaviour import batch_spe_regret
    from sim.scenario.compiler import build_structure
    from sim.solvers.subgame_perfect import backward_induction_batch

    structure = build_structure(baseline)
    rng = np.random.default_rng(7)
    size = 2 * SOLVE_BLOCK + 123
    points = {
        "us_alliance_priority": rng.uniform(0, 2, size),
        "seoul_audience_cost": rng.uniform(0, 10, size),
    }
    batch = Batch(baseline, structure, "spe", {}, points)
    found = _batched_spe(batch)
    compiled = batch.compile()
    whole = backward_induction_batch(
        structure.tree, compiled.payoffs, compiled.chance, tie_break=baseline.tie_break,
        chunk_size=size, workers=1,
    )  # fmt: skip
    assert np.array_equal(found["payoffs"], whole.values)
    reachable = reachable_terminals(structure.tree, whole.decision_nodes, whole.choices)
    assert np.array_equal(whole.possible, reachable)
    play = Play.of_tree(structure.tree, structure.paths)
    assert list(found["outcome"]) == [play.label(row) for row in reachable]
    # The referee, chunked or not, on a profile with random deviations.
    choices = whole.choices.copy()
    flip = rng.random(choices.shape) < 0.05
    choices[flip] = 0
    tree = structure.tree
    args = (tree, compiled.payoffs, compiled.chance, whole.decision_nodes, choices)
    assert np.array_equal(batch_spe_regret(*args), batch_spe_regret(*args, chunk_size=size))
    assert np.all(found["max_regret"] < 1e-9)
    assert batch_spe_regret(*args).max() > 0


@pytest.mark.parametrize(
    ("scenario", "concept"),
    [("quiet_vs_public.toml", "spe"), ("classroom_brokered_package.toml", "pure-nash")],
)
def test_large_chunks_give_the_same_bytes_in_one_process_or_two(
    tmp_path: Path, scenario: str, concept: str
) -> None:
    """Payoffs are summed in a fixed order: no result depends on the chunk or on threads.

    (Chunks of thousands of points are where a threaded BLAS product once split
    sums differently in the parent and in single-threaded workers.)
    """
    path = ROOT / "scenarios" / scenario
    loaded = load_scenario(path)
    names = [n for n, p in loaded.parameters.items() if p.range and not p.derived][:4]
    bounds = {n: ":".join(map(str, loaded.parameters[n].range or ())) for n in names}
    args = [
        "sweep", str(path), *(a for n in names for a in ("--vary", f"{n}={bounds[n]}")),
        "--sample", "6000", "--sampling", "random", "--seed", "1", "--concept", concept,
    ]  # fmt: skip
    one, two, small = (tmp_path / f"{k}.csv" for k in ("one", "two", "small"))
    assert main([*args, "--chunk-size", "3000", "--workers", "1", "--out", str(one)]) == 0
    assert main([*args, "--chunk-size", "3000", "--workers", "2", "--out", str(two)]) == 0
    assert main([*args, "--chunk-size", "700", "--workers", "1", "--out", str(small)]) == 0
    assert one.read_bytes() == two.read_bytes() == small.read_bytes()


@pytest.mark.slow
def test_ctrl_c_stops_a_parallel_sweep_and_keeps_finished_chunks(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    args = [
        SIM, "sweep", str(BASELINE), "--vary", "us_alliance_priority=0:2:400000",
        "--chunk-size", "2000", "--workers", "2", "--out", str(out),
    ]  # fmt: skip
    process = subprocess.Popen(
        args, env={**os.environ, "CI": "1"}, start_new_session=True, stderr=subprocess.PIPE
    )
    parts = tmp_path / "t.csv.parts"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(parts.glob("chunk-*.csv"))) < 3:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends: the whole process group
    started = time.monotonic()
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130 and b"sim: interrupted" in err
    assert time.monotonic() - started < 5  # not the ~190 chunks left
    kept = len(list(parts.glob("chunk-*.csv")))
    assert 3 <= kept < 150 and not out.exists()


def test_a_failing_sweep_leaves_no_parts_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t.csv"
    args = ["sweep", str(BASELINE), "--vary", "us_alliance_priority=0:2:50", "--out", str(out)]
    assert main([*args, "--concept", "nash"]) == 2
    assert "too many for --concept nash" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_three_outcomes_within_one_grid_interval_give_two_thresholds(baseline) -> None:  # type: ignore[no-untyped-def]
    coarse = find_shifts(
        baseline, "seoul_approval", 30, 60, grid=2, settings={"us_alliance_priority": 0.6}
    )
    fine = find_shifts(baseline, "seoul_approval", 30, 60, settings={"us_alliance_priority": 0.6})
    assert len(coarse.shifts) == len(fine.shifts) == 2
    for a, b in zip(coarse.shifts, fine.shifts, strict=True):
        assert a.value == pytest.approx(b.value, abs=1e-4) and a.after == b.after
    assert [band.outcome["mediation"] for band in coarse.bands] == [
        "stay_out", "press_publicly", "mediate_quietly"
    ]  # fmt: skip


def reachable_terminals(
    tree: GameTree, decision_nodes: npt.ArrayLike, choices: npt.ArrayLike
) -> npt.NDArray[np.bool_]:
    """For a batch of pure choices, the outcomes play can reach whichever way chance falls.

    Walked level by level, apart from backward induction's own pass down the
    tree: the referee of ``BatchResult.possible`` and of the sweep's labels.

    Parameters
    ----------
    tree
        The game tree.
    decision_nodes
        The decision nodes that ``choices``' columns belong to.
    choices
        Shape ``(B, len(decision_nodes))``: the action index chosen at each.

    Returns
    -------
    numpy.ndarray
        Shape ``(B, n_terminals)``, true where the outcome is reachable.

    Examples
    --------
    >>> from sim.games.extensive_form import Chance, Decision, Terminal, build_game
    >>> tree = build_game(["A"], Chance([
    ...     ("wet", 0.9, Decision("A", [("stay", Terminal([1])), ("go", Terminal([0]))])),
    ...     ("dry", 0.1, Terminal([2]))])).tree
    >>> reachable_terminals(tree, [1], [[0], [1]]).tolist()
    [[True, False, True], [False, True, True]]
    """
    picked = np.asarray(choices)
    nodes = np.asarray(decision_nodes, dtype=np.int64)
    column = np.full(tree.n_nodes, -1, dtype=np.int64)
    column[nodes] = np.arange(len(nodes))
    reach = np.zeros((picked.shape[0], tree.n_nodes), dtype=bool)
    reach[:, 0] = True
    levels = tree.levels
    for depth, level in enumerate(levels[:-1]):
        below = levels[depth + 1].nodes
        for group in level.groups:
            members = level.nodes[group.positions]
            kids = below[group.child_positions]  # (members, actions)
            parent = reach[:, members][:, :, None]
            if group.owner == CHANCE:
                reach[:, kids] = np.broadcast_to(parent, (len(reach), *kids.shape))
            else:
                chosen = picked[:, column[members]][:, :, None]
                reach[:, kids] = parent & (np.arange(kids.shape[1]) == chosen)
    return reach[:, tree.terminals]
